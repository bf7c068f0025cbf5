"""The OpenAPI document is true: every operation, fuzzed from the document itself (schemathesis),
anonymously, as a logged-in citizen and as an officer, over the demo data, answers without a server
error and with a documented status code, content type, headers and body (errors included).

Bounded and derandomised: schemathesis' examples and coverage phases (boundary values: numbers out
of range, missing, empty and extra parameters, one method the operation lacks) plus a few generated
requests per operation and mode (any Unicode, NUL included), the same on every run, so a failure
reproduces. Every other request names a case, application, material and item that exist, so the
success answers are checked too. The requests go through the whole Django stack (middleware, URL
resolution, CSRF, sessions) inside the test's database transaction: one test per operation and caller.

The document is ninja's own (what /api/v1/openapi.json serves), built at import: schemathesis' lazy
fixture loader does not run under pytest 9.2.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from govhall.api.v1 import api
from govhall.cases.models import Case
from govhall.demo import catalog as demo
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import Role
from govhall.translog.models import LogEntry

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
CONFIG = {
    "seed": 17,
    "generation": {"mode": "all", "max-examples": 5, "deterministic": True, "database": "none"},
    "phases": {"examples": {"enabled": True}, "fuzzing": {"enabled": True}, "stateful": {"enabled": False},
               # one method an operation lacks is enough to see its JSON 405 (test_robustness.py has more)
               "coverage": {"enabled": True, "unexpected-methods": ["DELETE"]}},
}
CSRF_SECRET = "GovHallSchemathesisCsrfSecret001"  # 32 characters: Django accepts the unmasked secret
TURNS = itertools.count()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, loaded once for the module and rolled back after it (each test runs in a
    savepoint inside this transaction). Yields path parameter values that exist in it: the demo
    citizen's first case, its application and one of its materials, a published item, the log."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
        patch.setattr(settings, "GOVHALL_OIDC_KEY_DIR", tmp_path_factory.mktemp("oidc-keys"))
        demo.load()
        case = Case.objects.filter(applicant__username="citizen").select_related("application", "item").first()
        material = case.application.materials.first()
        yield {"number": case.number, "public_id": str(case.application.public_id),
               "material_id": material.material_id, "implementation_code": case.item.code, "index": 0,
               "tree_size": LogEntry.objects.count()}
        transaction.set_rollback(True)


@pytest.fixture
def in_test_transaction(db):
    """Requests through Django's WSGI handler stay in the test's transaction: like the test client,
    the handler must not close the connection at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=["anonymous", "citizen", "officer"])
def persona(request, demo_data, in_test_transaction):
    """The cookies of one caller: nobody, the demo citizen 张三, or the demo window officer of the
    market regulation bureau, who for this test also reviews and decides (every staff operation)."""
    cookies = {settings.CSRF_COOKIE_NAME: CSRF_SECRET}
    if request.param != "anonymous":
        user = User.objects.get(username="citizen" if request.param == "citizen" else "window_officer")
        if request.param == "officer":
            StaffRole.objects.create(user=user, role=Role.APPROVER, organ=user.staff_roles.get().organ)
        client = Client()
        client.force_login(user)
        cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=schemathesis.Config.from_dict(CONFIG))
schema.app = WSGIHandler()


@schema.parametrize()
@hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_every_operation_keeps_its_documented_promises(case, persona, demo_data):
    if case.path_parameters and next(TURNS) % 2:  # every other request names things that exist, current
        for name in case.path_parameters.keys() & demo_data.keys():
            case.path_parameters[name] = demo_data[name]
        if isinstance(case.body, dict):
            case.body.pop("expected_version", None)
    case.call_and_validate(cookies=persona, headers={"X-CSRFToken": CSRF_SECRET}, checks=CHECKS)
