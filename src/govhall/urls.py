from django.urls import include, path
from django.views.i18n import set_language

from govhall.core.permissions import PUBLIC, declare

urlpatterns = [
    path("", include("govhall.portal.urls")),
    path("", include("govhall.cases.portal_urls")),
    path("account/inbox/", include("govhall.notifications.urls")),
    path("account/", include("govhall.login.urls")),
    path("account/", include("govhall.identity.urls")),
    path("", include("govhall.oidc.urls")),
    path("console/cases/", include("govhall.cases.console_urls")),
    path("console/notifications/", include("govhall.notifications.console_urls")),
    path("console/", include("govhall.console.urls")),
    path("api/", include("govhall.api.urls")),
    path("i18n/setlang/", declare(PUBLIC, set_language), name="set_language"),
]
