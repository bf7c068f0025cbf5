"""Console pages for licence types and issued licences (mounted at console/licences/)."""

from django.urls import path

from govhall.console import licenses_views as views

app_name = "licences_console"
urlpatterns = [
    path("", views.licences, name="licences"),
    path("types/", views.types, name="types"),
    path("<str:identifier>/", views.licence, name="licence"),
    path("<str:identifier>/<str:action>/", views.licence_action, name="action"),
]
