"""Public verification and the holder's wallet. Mounted at the site root:
``path("", include("govhall.portal.licenses_urls"))``."""

from django.urls import path

from govhall.portal import licenses_views as views

app_name = "licenses"
urlpatterns = [
    path("licences/verify/", views.verify_page, name="verify"),
    path("licences/v/<str:token>/", views.token_page, name="token"),
    path("my/licences/", views.wallet, name="wallet"),
    path("my/licences/<str:identifier>/", views.detail, name="detail"),
    path("my/licences/<str:identifier>/pdf/", views.licence_pdf, name="pdf"),
    path("my/licences/<str:identifier>/bundle/", views.licence_bundle, name="bundle"),
    path("my/licences/<str:identifier>/share/", views.share_create, name="share"),
    path("my/licences/<str:identifier>/share/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
]
