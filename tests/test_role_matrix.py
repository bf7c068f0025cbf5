"""Who gets what: every page and API route, for each persona (200, 302 to login, 403, 404).

Anonymous users are sent to the login page for anything not public; logged-in users without the
permission get 403; objects outside a staff member's organ or region, or another person's mandate,
are 404, as if absent. Personas: anonymous, an applicant (张三, legal representative of a company),
the company's agent, the staff roles of one Lu'an organ, a Hefei catalogue administrator, and a
system administrator.
"""

import pytest
from django.urls import reverse

from govhall.catalog import testing
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import Role

PERSONAS = ["anonymous", "applicant", "agent", "window_officer", "reviewer", "approver", "supervisor", "catalog_admin",
            "hefei_catalog_admin", "security_admin", "system_admin", "archivist"]
STAFF = {"window_officer": Role.WINDOW_OFFICER, "reviewer": Role.REVIEWER, "approver": Role.APPROVER,
         "supervisor": Role.SUPERVISOR, "catalog_admin": Role.CATALOG_ADMIN, "security_admin": Role.SECURITY_ADMIN,
         "system_admin": Role.SYSTEM_ADMIN, "archivist": Role.ARCHIVIST}
ALL = dict.fromkeys(PERSONAS, 200)
LOGIN = 302


def expect(default=None, **overrides):
    table = {p: default for p in PERSONAS}
    table.update(overrides)
    return table


STAFF_200 = {p: 200 for p in STAFF} | {"hefei_catalog_admin": 200}
# the system and security administrators run the platform (calendar, accounts, keys), not the catalogue
ITEM_READERS = STAFF_200 | {"system_admin": 403, "security_admin": 403, "archivist": 403}
# the electronic archives: archivists manage them; organ heads (approvers) and supervisors read them
ARCHIVE_READERS = {"archivist": 200, "approver": 200, "supervisor": 200}
CATALOG_ADMINS = {"catalog_admin": 200, "hefei_catalog_admin": 200}
SUPERVISION_READERS = {p: 200 for p in ("window_officer", "reviewer", "approver", "supervisor")} | CATALOG_ADMINS
# (name, url builder, expected status per persona)
ROUTES = [
    ("portal home", lambda w: reverse("portal:home"), ALL),
    ("portal search", lambda w: reverse("portal:search") + "?q=许可", ALL),
    ("portal guide", lambda w: reverse("portal:guide", args=[w["item"].code]), ALL),
    ("portal topic", lambda w: reverse("portal:topic", args=[w["topic"].code]), ALL),
    ("portal organ", lambda w: reverse("portal:organ", args=[w["item"].organ.credit_code]), ALL),
    ("portal region", lambda w: reverse("portal:region", args=["341500"]), ALL),
    ("api items", lambda w: "/api/v1/catalog/items?q=许可", ALL),
    ("api item", lambda w: f"/api/v1/catalog/items/{w['item'].code}", ALL),
    ("api openapi", lambda w: "/api/v1/openapi.json", ALL),
    ("login page", lambda w: reverse("login:login"), ALL),
    ("console home", lambda w: reverse("console:home"), expect(403, anonymous=LOGIN, **STAFF_200)),
    ("console items", lambda w: reverse("console:items"), expect(403, anonymous=LOGIN, **ITEM_READERS)),
    ("console item of Lu'an", lambda w: reverse("console:item", args=[w["item"].code]),
     expect(403, anonymous=LOGIN, **(ITEM_READERS | {"hefei_catalog_admin": 404}))),
    ("console edit of Lu'an item", lambda w: reverse("console:item_edit", args=[w["item"].code]),
     expect(403, anonymous=LOGIN, catalog_admin=200, hefei_catalog_admin=404)),
    # onboarding a region's catalogue: catalogue administrators; objects outside their scope are absent
    ("console onboarding", lambda w: reverse("console:onboarding"), expect(403, anonymous=LOGIN, **CATALOG_ADMINS)),
    ("console regions", lambda w: reverse("console:regions"), expect(403, anonymous=LOGIN, **CATALOG_ADMINS)),
    ("console Lu'an region", lambda w: reverse("console:region", args=["341500"]),
     expect(403, anonymous=LOGIN, catalog_admin=404, hefei_catalog_admin=404)),  # organ admins register no region
    ("console organ of Lu'an", lambda w: reverse("console:organ", args=[w["item"].organ.pk]),
     expect(403, anonymous=LOGIN, catalog_admin=200, hefei_catalog_admin=404)),
    ("console import", lambda w: reverse("console:onboarding_import"),
     expect(403, anonymous=LOGIN, **CATALOG_ADMINS)),
    ("console new item", lambda w: reverse("console:item_new"), expect(403, anonymous=LOGIN, **CATALOG_ADMINS)),
    ("console identity of Lu'an item", lambda w: reverse("console:item_identity", args=[w["item"].key]),
     expect(403, anonymous=LOGIN, catalog_admin=200, hefei_catalog_admin=404)),
    ("console completeness", lambda w: reverse("console:completeness"), expect(403, anonymous=LOGIN, **ITEM_READERS)),
    ("api onboarding organs", lambda w: "/api/v1/catalog/onboarding/organs",
     expect(403, anonymous=401, **CATALOG_ADMINS)),
    ("api completeness", lambda w: "/api/v1/catalog/onboarding/completeness",
     expect(403, anonymous=401, **ITEM_READERS)),
    ("console audit", lambda w: reverse("console:audit"),
     expect(403, anonymous=LOGIN, supervisor=200, security_admin=200, system_admin=200)),
    ("console calendar", lambda w: reverse("console:calendar"), expect(403, anonymous=LOGIN, system_admin=200)),
    ("console failed event deliveries", lambda w: reverse("console:event_deliveries_failed"),
     expect(403, anonymous=LOGIN, system_admin=200)),
    ("console search vocabulary", lambda w: reverse("console:vocabulary"),
     expect(403, anonymous=LOGIN, catalog_admin=200, hefei_catalog_admin=200)),
    ("console search words to add", lambda w: reverse("console:search_words"),
     expect(403, anonymous=LOGIN, catalog_admin=200, hefei_catalog_admin=200)),
    # identity: one's own account pages; object access answers 404 to everyone but the owner
    # people who already have a real-name identity are sent on to their account
    ("register", lambda w: reverse("identity:register"), ALL | {"applicant": 302, "agent": 302}),
    ("my account", lambda w: reverse("identity:account"), expect(200, anonymous=LOGIN)),
    ("agent authorities", lambda w: reverse("identity:agents"), expect(200, anonymous=LOGIN)),
    ("revoke a mandate (GET)", lambda w: reverse("identity:agent_revoke", args=[w["mandate"].pk]),
     expect(404, anonymous=LOGIN, applicant=200)),  # the legal representative: a confirmation form
    ("login security", lambda w: reverse("login:security"), expect(200, anonymous=LOGIN)),
    # unified login
    ("oidc discovery", lambda w: "/.well-known/openid-configuration", ALL),
    ("oidc jwks", lambda w: "/oauth/jwks", ALL),
    ("oidc userinfo without a token", lambda w: "/oauth/userinfo", dict.fromkeys(PERSONAS, 401)),
    ("oidc client registry", lambda w: reverse("oidc:client_list"), expect(403, anonymous=LOGIN, system_admin=200)),
    # business handling: the applicant's pages, the workbench, notifications
    ("my cases", lambda w: reverse("cases:my_cases"), expect(200, anonymous=LOGIN)),
    ("public progress lookup", lambda w: reverse("cases:progress"), ALL),
    ("inbox", lambda w: reverse("notifications:inbox"), expect(200, anonymous=LOGIN)),
    ("workbench queues", lambda w: reverse("workbench:queues"),
     expect(403, anonymous=LOGIN, window_officer=200, reviewer=200, approver=200, supervisor=200)),
    ("workbench counter", lambda w: reverse("workbench:counter"), expect(403, anonymous=LOGIN, window_officer=200)),
    ("failed notifications", lambda w: reverse("notifications_console:failed"),
     expect(403, anonymous=LOGIN, window_officer=200, supervisor=200, system_admin=200)),
    # electronic licences, seals and the platform PKI
    ("licence verification page", lambda w: reverse("licenses:verify") + f"?identifier={w['licence'].identifier}",
     ALL),
    ("api licence verification", lambda w: f"/api/v1/licenses/verify?identifier={w['licence'].identifier}", ALL),
    ("api transparency log head", lambda w: "/api/v1/translog/sth", ALL),
    ("pki root certificate", lambda w: reverse("pki:root"), ALL),
    ("pki revocation list", lambda w: reverse("pki:crl"), ALL),
    ("licence wallet", lambda w: reverse("licenses:wallet"), expect(200, anonymous=LOGIN)),
    ("the holder's licence", lambda w: reverse("licenses:detail", args=[w["licence"].identifier]),
     expect(404, anonymous=LOGIN, applicant=200)),
    ("the holder's licence PDF", lambda w: reverse("licenses:pdf", args=[w["licence"].identifier]),
     expect(404, anonymous=LOGIN, applicant=200)),
    ("the holder's licence bundle", lambda w: reverse("licenses:bundle", args=[w["licence"].identifier]),
     expect(404, anonymous=LOGIN, applicant=200)),
    ("console licences", lambda w: reverse("licences_console:licences"), expect(403, anonymous=LOGIN, approver=200)),
    ("console licence of Lu'an", lambda w: reverse("licences_console:licence", args=[w["licence"].identifier]),
     expect(403, anonymous=LOGIN, approver=200)),
    ("console licence types", lambda w: reverse("licences_console:types"),
     expect(403, anonymous=LOGIN, catalog_admin=200, hefei_catalog_admin=200)),
    ("console seals", lambda w: reverse("seals:seals"), expect(403, anonymous=LOGIN, security_admin=200)),
    ("console seal of Lu'an", lambda w: reverse("seals:seal", args=[w["seal"].seal_id]),
     expect(403, anonymous=LOGIN, security_admin=200)),
    ("console certificate authority", lambda w: reverse("seals:authority"),
     expect(403, anonymous=LOGIN, security_admin=200, system_admin=200)),
    # federation between nodes: the message endpoint takes signed POSTs only (no session)
    ("federation message endpoint (GET)", lambda w: reverse("federation:messages"), dict.fromkeys(PERSONAS, 405)),
    ("console federation peers", lambda w: reverse("federation:peers"),
     expect(403, anonymous=LOGIN, security_admin=200, system_admin=200)),
    # data sharing: data-resource administrators manage; supervisors read records and figures
    ("who used my data", lambda w: reverse("sharing:data_use"), expect(200, anonymous=LOGIN)),
    ("console data resources", lambda w: reverse("sharing_console:resources"),
     expect(403, anonymous=LOGIN, supervisor=200)),
    ("console new data resource", lambda w: reverse("sharing_console:resource_new"), expect(403, anonymous=LOGIN)),
    ("console sharing agreements", lambda w: reverse("sharing_console:agreements"), expect(403, anonymous=LOGIN)),
    ("console discrepancies", lambda w: reverse("sharing_console:discrepancies"), expect(403, anonymous=LOGIN)),
    ("console access records", lambda w: reverse("sharing_console:access"),
     expect(403, anonymous=LOGIN, supervisor=200)),
    ("console Art. 8 records", lambda w: reverse("sharing_console:art8"), expect(403, anonymous=LOGIN, supervisor=200)),
    ("console materials saved", lambda w: reverse("sharing_console:figures"),
     expect(403, anonymous=LOGIN, supervisor=200)),
    ("api materials saved", lambda w: "/api/v1/sharing/figures", expect(403, anonymous=401, supervisor=200)),
    # electronic archives (GB/T 42727): scoped like cases; another organ's package is absent (404)
    ("console archives", lambda w: reverse("console:archives"), expect(403, anonymous=LOGIN, **ARCHIVE_READERS)),
    ("console retention and disposal", lambda w: reverse("console:archive_disposals"),
     expect(403, anonymous=LOGIN, **ARCHIVE_READERS)),
    ("console archive of a missing case", lambda w: reverse("console:archive", args=["NO-SUCH-CASE"]),
     expect(403, anonymous=LOGIN, **dict.fromkeys(ARCHIVE_READERS, 404))),
    ("console archive download of a missing case", lambda w: reverse("console:archive_download", args=["NO-SUCH"]),
     expect(403, anonymous=LOGIN, **dict.fromkeys(ARCHIVE_READERS, 404))),
    ("api archive of a missing case", lambda w: "/api/v1/archives/NO-SUCH-CASE",
     expect(403, anonymous=401, **dict.fromkeys(ARCHIVE_READERS, 404))),
    ("api archive package of a missing case", lambda w: "/api/v1/archives/NO-SUCH-CASE/package",
     expect(403, anonymous=401, **dict.fromkeys(ARCHIVE_READERS, 404))),
    # 好差评, 我要问, complaints: the figures are public; organ staff handle, supervisors decide appeals
    ("portal rating figures", lambda w: reverse("portal:feedback_figures"), ALL),
    ("api rating figures", lambda w: "/api/v1/ratings/figures", ALL),
    ("api published consultations", lambda w: f"/api/v1/consultations?item={w['item'].code}", ALL),
    ("my ratings", lambda w: reverse("portal:feedback_ratings"), expect(200, anonymous=LOGIN)),
    ("ask about an item", lambda w: reverse("portal:feedback_ask", args=[w["item"].code]),
     expect(200, anonymous=LOGIN)),
    ("file a complaint", lambda w: reverse("portal:feedback_complaint_new"), expect(200, anonymous=LOGIN)),
    ("rate someone's case", lambda w: reverse("portal:feedback_rate", args=["NO-SUCH-CASE"]),
     expect(404, anonymous=LOGIN)),
    ("console ratings and feedback", lambda w: reverse("console:feedback"),
     expect(403, anonymous=LOGIN, window_officer=200, reviewer=200, approver=200, supervisor=200)),
    ("console feedback export", lambda w: reverse("console:feedback_export"),
     expect(403, anonymous=LOGIN, window_officer=200, reviewer=200, approver=200, supervisor=200)),
    ("console rating appeals", lambda w: reverse("console:feedback_appeals"),
     expect(403, anonymous=LOGIN, supervisor=200)),
    ("api rating export", lambda w: "/api/v1/ratings/export",
     expect(403, anonymous=401, window_officer=200, reviewer=200, approver=200, supervisor=200)),
    ("api staff complaints", lambda w: "/api/v1/staff/complaints",
     expect(403, anonymous=401, window_officer=200, reviewer=200, approver=200, supervisor=200)),
    # electronic supervision: supervisors (and organ heads) read figures; the organ's staff answer warnings
    ("console supervision dashboard", lambda w: reverse("supervision_console:dashboard"),
     expect(403, anonymous=LOGIN, supervisor=200, approver=200)),
    ("console supervision warnings", lambda w: reverse("supervision_console:warnings"),
     expect(403, anonymous=LOGIN, **SUPERVISION_READERS)),
    ("console supervision figures", lambda w: reverse("supervision_console:figures"),
     expect(403, anonymous=LOGIN, supervisor=200, approver=200)),
    ("console supervision figures export", lambda w: reverse("supervision_console:figures_xlsx"),
     expect(403, anonymous=LOGIN, supervisor=200, approver=200)),
    ("console supervision rules", lambda w: reverse("supervision_console:rules"),
     expect(403, anonymous=LOGIN, **SUPERVISION_READERS)),
    ("api supervision warnings", lambda w: "/api/v1/supervision/warnings?state=open",
     expect(403, anonymous=401, **SUPERVISION_READERS)),
    ("api supervision figures", lambda w: "/api/v1/supervision/figures?period=2026Q2",
     expect(403, anonymous=401, supervisor=200, approver=200)),
]


@pytest.fixture
def world(db, applicant, company, enterprise_agent):
    regions = testing.region_tree()
    luan = testing.make_organ(regions["city"], name="六安市市场监督管理局")
    hefei = testing.make_organ(regions["hefei"], name="合肥市市场监督管理局")
    topic = testing.make_topic()
    item = testing.make_item(organ=luan, topics=[topic.code])
    from govhall.identity.models import AgentMandate

    users = {"applicant": applicant, "agent": enterprise_agent}
    for name, role in STAFF.items():
        users[name] = User.objects.create_user(name, password="Correct-Horse-9")
        scope = {"region": regions["province"]} if role == Role.SYSTEM_ADMIN else {"organ": luan}
        StaffRole.objects.create(user=users[name], role=role, **scope)
    users["hefei_catalog_admin"] = User.objects.create_user("hefei_catalog_admin", password="Correct-Horse-9")
    StaffRole.objects.create(user=users["hefei_catalog_admin"], role=Role.CATALOG_ADMIN, organ=hefei)
    mandate = AgentMandate.objects.get(legal_person=company)
    licence, seal = _licence_and_seal(luan, company, applicant)
    return {"item": item, "topic": topic, "users": users, "mandate": mandate, "licence": licence, "seal": seal}


def _licence_and_seal(organ, company, holder):
    from govhall.crypto import seals
    from govhall.licenses import services as licences
    from govhall.translog import services as translog

    schema = [{"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
               "public": True}]
    kind = licences.licence_type_create(actor=None, type_code=organ.credit_code + "002", name="食品经营许可证",
                                        holder_kind="legal_person", face_schema=schema, defining_organ=organ,
                                        validity_years=5, template="licences/food_business")
    licence = licences.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name=company.name,
                                     holder_code=company.credit_code, holder_user=holder,
                                     face={"premises": "六安市裕安区茶城路8号"})
    translog.sign_tree_head()
    return licence, seals.seal_create(actor=None, organ=organ, name=f"{organ.name}电子印章")


@pytest.mark.parametrize(("name", "url", "expected"), ROUTES, ids=[r[0] for r in ROUTES])
def test_route_answers_each_persona_as_the_policy_says(client, world, name, url, expected, fully_logged_in):
    target = url(world)
    answers = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            fully_logged_in(client, world["users"][persona])
        answers[persona] = client.get(target).status_code
    assert answers == expected, name
