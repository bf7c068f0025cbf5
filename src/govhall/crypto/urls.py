"""Public PKI files (mounted at pki/) and the console pages for seals and the CA (console/seals/)."""

from django.urls import path

from . import views

app_name = "pki"
urlpatterns = [
    path("root.pem", views.root_certificate, name="root"),
    path("crl.der", views.crl, name="crl"),
]
