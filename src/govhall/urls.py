from django.urls import include, path
from django.views.i18n import set_language

from govhall.core.permissions import PUBLIC, declare

urlpatterns = [
    # first: the API is the busiest prefix (kiosks, apps, verification), resolved without walking the pages
    path("api/", include("govhall.api.urls")),
    path("", include("govhall.portal.urls")),
    path("", include("govhall.portal.cases_urls")),
    path("account/inbox/", include("govhall.portal.notifications_urls")),
    path("account/", include("govhall.login.urls")),
    path("account/", include("govhall.portal.identity_urls")),
    path("", include("govhall.oidc.urls")),
    path("", include("govhall.portal.licenses_urls")),
    path("", include("govhall.portal.sharing_urls")),
    path("", include("govhall.portal.documents_urls")),
    path("", include("govhall.federation.urls")),
    path("console/cases/", include("govhall.workbench.urls")),
    path("console/notifications/", include("govhall.console.notifications_urls")),
    path("console/sharing/", include("govhall.console.sharing_urls")),
    path("console/licences/", include("govhall.console.licenses_urls")),
    path("console/seals/", include("govhall.console.seals_urls")),
    path("pki/", include("govhall.portal.pki_urls")),
    path("console/supervision/", include("govhall.console.supervision_urls")),
    path("console/", include("govhall.console.urls")),
    path("i18n/setlang/", declare(PUBLIC, set_language), name="set_language"),
]

# A database connection lost during a request answers 503 with retry advice (JSON under /api/), not
# 400/500: core/outage.py. Every other error keeps Django's default page.
handler400 = "govhall.core.outage.handler400"
handler500 = "govhall.core.outage.handler500"
