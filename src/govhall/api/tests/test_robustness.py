"""Whatever a client sends, the API answers JSON in the documented shape, never a server error, and
its OpenAPI document says truly who may call each operation and what it may answer."""

import re

import pytest
from django.test import Client

from govhall.api.permissions import ATTRIBUTE, operation_permissions
from govhall.api.v1 import api
from govhall.catalog import testing
from govhall.core.permissions import PUBLIC
from govhall.identity.models import StaffRole
from govhall.identity.roles import Role

pytestmark = pytest.mark.django_db

API = "/api/v1"
ERROR_KEYS = {"code", "message_zh", "message_en", "field", "problems"}


def error(response, status) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert b"\\u" not in response.content  # Chinese as characters, not escapes
    body = response.json()["error"]
    assert set(body) == ERROR_KEYS and body["message_zh"] and body["message_en"]
    return body


@pytest.fixture
def citizen(applicant_person, fully_logged_in):
    return fully_logged_in(Client(), applicant_person.user)


@pytest.fixture
def officer(organ, fully_logged_in):
    """Accepts, handles and decides in one organ."""
    user = testing.make_staff("officer", Role.WINDOW_OFFICER, organ)
    StaffRole.objects.create(user=user, role=Role.APPROVER, organ=organ)
    return fully_logged_in(Client(), user)


# --- integers are bounded ----------------------------------------------------------------------------

@pytest.mark.parametrize("url, field", [
    ("/catalog/items?page=9223372036854775807", "page"),
    ("/catalog/items?page=100001", "page"),
    ("/translog/entries/9223372036854775808", "index"),
    ("/translog/sth/9223372036854775808", "tree_size"),
    ("/translog/proof/inclusion?index=9223372036854775808&tree_size=1", "index"),
    ("/translog/proof/consistency?first=0&second=9223372036854775808", "second"),
])
def test_an_integer_out_of_bounds_is_a_422_naming_the_parameter(client, url, field):
    body = error(client.get(API + url), 422)
    assert body["code"] == "request.invalid" and body["field"] == field
    assert field in body["message_zh"]


def test_a_material_id_in_the_path_is_bounded(citizen):
    response = citizen.post(f"{API}/applications/00000000-0000-0000-0000-000000000000/materials/"
                            "9223372036854775808/status", {"status": "later"}, content_type="application/json")
    assert error(response, 422)["field"] == "material_id"


@pytest.mark.parametrize("path, payload, field", [
    ("/cases/X/steps/9223372036854775808/complete", {"action": "pass", "opinion": "同意"}, "step_id"),
    ("/cases/X/extensions/9223372036854775808/approve", {"approve": True}, "extension_id"),
    ("/cases/X/special-procedures/9223372036854775808/end", {"result": "结束"}, "procedure_id"),
    ("/cases/X/extensions", {"days": 9223372036854775808, "reason": "需要"}, "days"),
    ("/cases/X/special-procedures", {"kind": "hearing", "reason": "听证", "expected_days": 40000}, "expected_days"),
    ("/cases/X/accept", {"expected_version": 2**63}, "expected_version"),
    ("/cases/X/correction-notice", {"items": [{"material": 2**63, "problem": "缺"}]}, "items.0.material"),
])
def test_ids_and_day_counts_in_paths_and_bodies_are_bounded(officer, path, payload, field):
    response = officer.post(API + path, payload, content_type="application/json")
    assert error(response, 422)["field"] == field


# --- every error is JSON -----------------------------------------------------------------------------

def test_an_unknown_api_url_is_a_json_404_and_a_page_stays_a_page(client):
    for url in ("/api/v1/nothing/here", "/api/v2/catalog/items", "/api/", "/api/v1/catalog/items/A/B"):
        assert error(client.get(url), 404)["code"] == "not_found"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_method_the_operation_does_not_have_is_a_json_405_with_allow(client):
    response = client.delete(f"{API}/catalog/items")
    assert error(response, 405)["code"] == "request.method_not_allowed"
    assert response["Allow"] == "GET"


def test_authentication_and_permission_errors_are_readable_chinese(client, citizen):
    assert error(client.get(f"{API}/sharing/figures"), 401)["message_zh"] == "请先登录"
    assert error(citizen.get(f"{API}/sharing/figures"), 403)["message_zh"] == "无权访问"
    assert error(client.get(f"{API}/cases/LA-1"), 401)["code"] == "auth.required"


def test_a_missing_csrf_token_is_a_structured_403_in_both_languages(applicant_person):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(applicant_person.user)
    body = error(strict.post(f"{API}/applications", {"item_code": "X"}, content_type="application/json",
                             headers={"Idempotency-Key": "k"}), 403)
    assert "CSRF" in body["message_zh"] and "CSRF" in body["message_en"] and body["message_zh"] != body["message_en"]


def test_a_server_error_is_json_too(client, monkeypatch):
    from govhall.catalog import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(selectors, "topics", broken)
    failing = Client(raise_request_exception=False)
    body = error(failing.get(f"{API}/catalog/topics"), 500)
    assert body["code"] == "server.error" and "database" not in str(body)


def test_the_bearer_api_answers_chinese_as_characters(client):
    response = client.get("/oauth/whoami")
    assert response.status_code == 401 and "需要有效的访问令牌" in response.content.decode()
    assert b"\\u" not in response.content


# --- NUL characters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/catalog/items?region=%00", "/catalog/items?q=a%00b", "/catalog/organs?region=%00", "/catalog/items/%00",
    "/licenses/verify/token/%00", "/translog/keys/translog.sth-%00", "/cases/LA%00",
])
def test_a_nul_character_anywhere_is_refused_before_the_database_sees_it(citizen, url):
    """PostgreSQL cannot store NUL in text: it used to answer 500 from deep inside a query."""
    assert error(citizen.get(API + url), 422)["code"] == "request.invalid"


def test_a_nul_character_in_a_json_body_or_header_is_refused(citizen):
    body = '{"item_code": "11\\u0000"}'
    assert error(citizen.post(f"{API}/applications", body, content_type="application/json",
                              headers={"Idempotency-Key": "k-1"}), 422)["code"] == "request.invalid"
    assert error(citizen.post(f"{API}/applications", {"item_code": "X"}, content_type="application/json",
                              headers={"Idempotency-Key": "k\x00"}), 422)["code"] == "request.invalid"


def test_an_escaped_backslash_before_u0000_is_ordinary_text(citizen):
    body = '{"item_code": "\\\\u0000"}'  # the six characters \u0000, not a NUL
    response = citizen.post(f"{API}/applications", body, content_type="application/json",
                            headers={"Idempotency-Key": "k-2"})
    assert response.status_code == 400  # no such item: the text was read as text
    assert response.json()["error"]["code"] == "cases.item.not_available"


# --- the document is true ----------------------------------------------------------------------------

def test_the_openapi_document_declares_who_may_call_each_operation_and_what_it_answers(client):
    document = client.get(f"{API}/openapi.json").json()
    declared = {re.sub(r"\{\w+:(\w+)\}", r"{\1}", key): code for key, code in operation_permissions(api).items()}
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            code = declared[f"{method.upper()} {path.removeprefix('/api/v1')}"]
            label = f"{method.upper()} {path}"
            statuses = set(operation["responses"])
            if code == PUBLIC:
                assert not operation.get("security"), f"{label} is public but declares security"
            else:
                assert operation.get("security"), f"{label} needs {code} but declares no security"
                assert {"401", "403"} <= statuses, f"{label}: 401/403 undocumented"
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in statuses, f"{label}: 422 undocumented"
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                assert "404" in statuses, f"{label}: 404 undocumented"
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, f"{label} {status}"
            checked += 1
    assert checked == len(declared)


def test_the_staff_figures_declare_the_session_security():
    document = api.get_openapi_schema()
    assert document["paths"]["/api/v1/sharing/figures"]["get"]["security"] == [{"SessionAuth": []}]


def test_every_operation_has_its_permission_declared():
    assert all(code is not None for code in operation_permissions(api).values())
    assert ATTRIBUTE == "govhall_permission"
