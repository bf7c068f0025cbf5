"""Console pages for the seal registry and the platform CA (mounted at console/seals/)."""

from django.urls import path

from govhall.console import seals_views as views

app_name = "seals"
urlpatterns = [
    path("", views.seal_list, name="seals"),
    path("authority/", views.authority, name="authority"),
    path("<str:seal_id>/", views.seal_detail, name="seal"),
    path("<str:seal_id>/authorise/", views.seal_authorise, name="authorise"),
    path("<str:seal_id>/authorisations/<int:user_id>/end/", views.seal_unauthorise, name="unauthorise"),
    path("<str:seal_id>/revoke/", views.seal_revoke, name="revoke"),
]
