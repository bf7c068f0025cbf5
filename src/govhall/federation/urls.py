"""Mounted at the site root: ``path("", include("govhall.federation.urls"))``."""

from django.urls import path

from . import views

app_name = "federation"
urlpatterns = [
    path("federation/v1/messages", views.messages, name="messages"),
    path("console/federation/", views.peers, name="peers"),
]
