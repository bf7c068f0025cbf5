"""The data subject's pages, mounted at the site root."""

from django.urls import path

from govhall.portal import sharing_views as views

app_name = "sharing"
urlpatterns = [
    path("my/data-use/", views.data_use, name="data_use"),
    path("my/applications/<uuid:public_id>/shared/<int:material_id>/confirm/", views.fetch_confirm,
         name="fetch_confirm"),
    path("my/applications/<uuid:public_id>/shared/<int:material_id>/decline/", views.fetch_decline,
         name="fetch_decline"),
    path("my/applications/<uuid:public_id>/shared/<int:material_id>/retry/", views.fetch_retry, name="fetch_retry"),
]
