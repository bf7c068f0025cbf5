"""Verification answers (selector and API): valid, revoked at once, suspended, expired, replaced,
unknown identifier, wrong check character; share links disclose only the chosen fields."""

import datetime as dt

import time_machine
from django.utils import timezone

from govhall.licenses import selectors, services
from govhall.licenses.identifier import make_identifier, parse_identifier

API = "/api/v1/licenses/verify"


def api_verify(client, identifier):
    response = client.get(API, {"identifier": identifier})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_a_valid_licence_is_authentic_and_valid_with_its_public_fields_only(person_licence, organ):
    result = selectors.verify(person_licence.identifier)
    assert result.authentic and result.valid and result.reason == "valid" and result.status == "valid"
    assert [f.name for f in result.fields] == ["category", "qualified_on"]
    assert result.issuer_name == organ.name and result.holder_name == "张*"


def test_the_api_answers_for_a_valid_licence(client, person_licence, organ, person_type):
    body = api_verify(client, person_licence.identifier)
    assert body["authentic"] is True and body["valid"] is True and body["status"] == "valid"
    assert body["identifier"] == person_licence.identifier
    assert body["type"] == {"code": person_type.type_code, "name": "食品安全管理员证"}
    assert body["issuer"] == {"credit_code": organ.credit_code, "name": organ.name}
    assert body["valid_from"] == person_licence.valid_from.isoformat()
    assert body["valid_until"] == person_licence.valid_until.isoformat()
    assert body["reason"] == {"code": "valid", "message_zh": "证照真实有效", "message_en": "authentic and valid"}
    assert {f["name"]: f["value"] for f in body["disclosed_fields"]} == {"category": "餐饮服务",
                                                                         "qualified_on": "2024-05-06"}
    assert "341502199003071235" not in str(body) and "score" not in str(body)


def test_revoking_changes_the_answer_at_once(client, person_licence):
    assert api_verify(client, person_licence.identifier)["valid"] is True
    services.licence_revoke(actor=None, licence=person_licence, reason="以欺骗手段取得")
    body = api_verify(client, person_licence.identifier)
    assert body["authentic"] is True and body["valid"] is False
    assert body["status"] == "revoked" and body["reason"]["code"] == "revoked"


def test_suspended_is_authentic_but_not_valid(client, person_licence):
    services.licence_suspend(actor=None, licence=person_licence, reason="核查")
    body = api_verify(client, person_licence.identifier)
    assert (body["authentic"], body["valid"], body["status"], body["reason"]["code"]) == (
        True, False, "suspended", "suspended")


def test_past_its_end_a_licence_is_expired_even_before_the_job_runs(person_licence):
    after = person_licence.valid_until + dt.timedelta(days=1)
    result = selectors.verify(person_licence.identifier, today=after)
    assert (result.authentic, result.valid, result.status, result.reason) == (True, False, "expired", "expired")
    services.expire_due(after)
    assert selectors.verify(person_licence.identifier).reason == "expired"


def test_a_licence_not_yet_in_force_is_not_valid(person_type, organ):
    licence = services.licence_issue(actor=None, licence_type=person_type, issuer=organ, holder_name="张三",
                                     holder_code="341502199003071235",
                                     face={"category": "餐饮服务", "qualified_on": "2024-05-06"},
                                     valid_from=timezone.localdate() + dt.timedelta(days=10))
    result = selectors.verify(licence.identifier)
    assert result.authentic and not result.valid and result.reason == "not_yet_valid"


def test_a_replaced_version_points_to_the_new_one(client, person_licence):
    new = services.licence_replace(actor=None, licence=person_licence, face_changes={"category": "集体用餐"},
                                   reason="变更类别")
    body = api_verify(client, person_licence.identifier)
    assert body["valid"] is False and body["status"] == "replaced" and body["replaced_by"] == new.identifier
    assert api_verify(client, new.identifier)["valid"] is True


def test_an_unknown_identifier_with_a_right_check_character_proves_nothing(client, person_licence, organ):
    parts = parse_identifier(person_licence.identifier)
    other = make_identifier(parts.type_code, parts.issuer_code, parts.serial[:-1] + "9", "001")
    body = api_verify(client, other)
    assert body["authentic"] is False and body["valid"] is False and body["status"] is None
    assert body["reason"]["code"] == "unknown" and body["issuer"] is None and body["disclosed_fields"] == []


def test_a_wrong_check_character_is_told_as_such(client, person_licence):
    identifier = person_licence.identifier
    wrong = identifier[:-1] + ("A" if identifier[-1] != "A" else "B")
    body = api_verify(client, wrong)
    assert body["authentic"] is False and body["valid"] is False
    assert body["reason"]["code"] == "check_character" and "校验位" in body["reason"]["message_zh"]
    assert api_verify(client, "hello")["reason"]["code"] == "malformed"


def test_the_real_identifier_of_domain_md_is_well_formed_but_unknown_here(client, db):
    body = api_verify(client, "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U")
    assert body["reason"]["code"] == "unknown" and body["valid"] is False


def test_a_missing_identifier_is_a_422(client, db):
    response = client.get(API)
    assert response.status_code == 422 and response.json()["error"]["code"] == "request.invalid"


# --- share links ---------------------------------------------------------------------------------


def test_a_share_link_discloses_exactly_the_chosen_fields(client, person_licence):
    link = services.share_link_create(actor=person_licence.holder_user, licence=person_licence,
                                      fields=["score"], hours=2)
    result = selectors.verify_token(link.token)
    assert result.valid and [f.name for f in result.fields] == ["score"]
    body = client.get(f"{API}/token/{link.token}").json()
    assert body["valid"] is True and [f["name"] for f in body["disclosed_fields"]] == ["score"]
    assert body["disclosed_fields"][0]["value"] == 92 and body["link_expires_at"]


def test_an_expired_or_withdrawn_link_proves_nothing(client, person_licence):
    holder = person_licence.holder_user
    link = services.share_link_create(actor=holder, licence=person_licence, fields=["score"], hours=1)
    with time_machine.travel(link.expires_at + dt.timedelta(seconds=1), tick=False):
        result = selectors.verify_token(link.token)
    assert (result.authentic, result.valid, result.reason, result.fields) == (False, False, "share_expired", [])
    services.share_link_revoke(actor=holder, link=link)
    body = client.get(f"{API}/token/{link.token}").json()
    assert body["authentic"] is False and body["reason"]["code"] == "share_revoked"
    assert body["disclosed_fields"] == [] and body["issuer"] is None
    body = client.get(f"{API}/token/not-a-token").json()
    assert body["reason"]["code"] == "share_unknown" and body["valid"] is False


def test_a_link_to_a_revoked_licence_says_revoked(person_licence):
    link = services.share_link_create(actor=person_licence.holder_user, licence=person_licence,
                                      fields=["score"], hours=1)
    services.licence_suspend(actor=None, licence=person_licence, reason="核查")
    assert selectors.verify_token(link.token).reason == "suspended"
    services.licence_revoke(actor=None, licence=person_licence, reason="注销")
    assert selectors.verify_token(link.token).reason == "share_revoked"


def test_a_companys_name_is_shown_in_full(company_licence, company):
    assert selectors.verify(company_licence.identifier).holder_name == company.name
