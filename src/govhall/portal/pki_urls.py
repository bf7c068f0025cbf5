"""Public PKI files (mounted at pki/)."""

from django.urls import path

from govhall.portal import pki_views as views

app_name = "pki"
urlpatterns = [
    path("root.pem", views.root_certificate, name="root"),
    path("crl.der", views.crl, name="crl"),
]
