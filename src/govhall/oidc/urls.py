from django.urls import path

from . import api, console_views, views

app_name = "oidc"
urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("oauth/authorize", views.authorize, name="authorize"),
    path("oauth/token", views.token, name="token"),
    path("oauth/userinfo", views.userinfo, name="userinfo"),
    path("oauth/jwks", views.jwks, name="jwks"),
    path("oauth/", api.urls),  # ninja: GET /oauth/whoami (namespace oidc-api)
    path("console/oidc/clients/", console_views.client_list, name="client_list"),
    path("console/oidc/clients/new/", console_views.client_new, name="client_new"),
    path("console/oidc/clients/<str:client_id>/", console_views.client_detail, name="client_detail"),
]
