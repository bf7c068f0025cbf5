"""Applications and cases over the API: the whole journey, one call per action, and the refusals."""
# ruff: noqa: F811 (the case fixtures are imported from govhall.cases.tests.conftest and used as arguments)

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from govhall.cases.models import Application, Case
from govhall.cases.tests.conftest import (  # noqa: F401 (fixtures)
    PDF,
    approver,
    clock_start,
    co_organ,
    item,
    joint_item,
    media,
    other_window,
    ready_application,
    reviewer,
    submitted,
    window,
)

API = "/api/v1"
ID_NUMBER = "341502199003071235"  # 张三's, from the root conftest: never in a response
FORM = {"contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区梅山南路 1 号"}


def upload(tag: str, name: str = "平面图.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + f"% {tag}\n".encode(), content_type="application/pdf")


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content.decode()
    assert ID_NUMBER not in response.content.decode()
    return response.json()


def error(response, status) -> dict:
    assert response.status_code == status, response.content.decode()
    body = response.json()["error"]
    assert set(body) == {"code", "message_zh", "message_en", "field", "problems"}
    assert body["message_zh"] and body["message_en"]
    return body


def codes(body: dict) -> set[str]:
    return {p["code"] for p in body["problems"]}


def post(client, path, data=None, **headers):
    return client.post(f"{API}{path}", data or {}, content_type="application/json", headers=headers)


@pytest.fixture
def as_user(fully_logged_in):
    def login(user) -> Client:
        return fully_logged_in(Client(), user)

    return login


@pytest.fixture
def citizen(applicant_person, as_user):
    return as_user(applicant_person.user)


def material_ids(application: dict) -> dict[str, int]:
    return {m["name"]: m["material_id"] for m in application["materials"]}


def start(client, item_code, key="key-1", **body):
    return post(client, "/applications", {"item_code": item_code, **body}, **{"Idempotency-Key": key})


# --- the whole journey ----------------------------------------------------------------------------


def test_the_whole_journey_through_the_api(applicant_person, item, window, reviewer, approver, media, clock_start,
                                           as_user):
    def travel(days: int):
        """Move the frozen clock; the 30-minute idle sessions end, so everyone logs in again."""
        clock_start.shift(dt.timedelta(days=days))
        return (as_user(applicant_person.user), as_user(window), as_user(reviewer), as_user(approver))

    citizen = as_user(applicant_person.user)
    # start, twice with the same key: one application
    first = ok(start(citizen, item.code, form_data={"contact_name": "张三"}), 201)
    replay = start(citizen, item.code)
    assert ok(replay, 201)["public_id"] == first["public_id"] and replay["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1
    assert first["state"] == "draft" and (first["item"]["code"], first["item"]["version"]) == (item.code, 1)
    assert first["form_data"] == {"contact_name": "张三"} and first["case_number"] is None
    assert first["applicant_id_masked"] and "*" in first["applicant_id_masked"]
    by_status = {m["name"]: (m["status"], m["fetched"]) for m in first["materials"]}
    assert by_status["营业执照"] == ("to_fetch", True) and by_status["申请书"] == ("form", False)
    assert by_status["经营场所平面图"] == ("missing", False)
    ids = material_ids(first)
    app_url = f"/applications/{first['public_id']}"

    # form, upload, later, promise
    patched = citizen.patch(f"{API}{app_url}", {"form_data": FORM}, content_type="application/json")
    assert ok(patched)["form_data"]["address"] == FORM["address"]
    uploaded = ok(citizen.post(f"{API}{app_url}/materials/{ids['经营场所平面图']}/files",
                               {"file": upload("plan")}), 201)
    plan = next(m for m in uploaded["materials"] if m["name"] == "经营场所平面图")
    assert plan["status"] == "uploaded" and plan["files"][0]["content_type"] == "application/pdf"
    assert plan["files"][0]["filename"] == "平面图.pdf" and len(plan["files"][0]["sha256"]) == 64
    ok(post(citizen, f"{app_url}/materials/{ids['健康证明']}/status",
            {"status": "later", "follow_by": "2026-06-10"}))
    promised = ok(post(citizen, f"{app_url}/materials/{ids['食品安全承诺书']}/status",
                       {"status": "promised", "promise_text": "本人承诺所经营食品符合食品安全标准，如有虚假愿承担法律责任。"}))
    assert {m["name"]: m["status"] for m in promised["materials"]}["食品安全承诺书"] == "promised"

    # submit (twice: the same case)
    receipt = ok(post(citizen, f"{app_url}/submit"), 201)
    assert receipt["state"] == "submitted" and receipt["acceptance_due"] == "2026-06-08"
    assert len(receipt["query_code"]) == 6 and receipt["url"].endswith(f"/api/v1/cases/{receipt['number']}")
    assert ok(post(citizen, f"{app_url}/submit"), 201)["number"] == receipt["number"]
    assert Case.objects.count() == 1
    case_url = f"/cases/{receipt['number']}"

    desk = as_user(window)

    # one-time correction notice; a second one is refused
    noticed = ok(post(desk, f"{case_url}/correction-notice", {"items": [
        {"material": ids["经营场所平面图"], "problem": "平面图未标注面积"},
        {"form_field": "address", "problem": "地址不完整"}]}))
    assert noticed["state"] == "correction" and noticed["view"] == "staff"
    notice = noticed["correction_notice"]
    assert [(i["material_name"], i["form_field"], i["problem"]) for i in notice["items"]] == [
        ("经营场所平面图", "", "平面图未标注面积"), ("", "address", "地址不完整")]
    second = error(post(desk, f"{case_url}/correction-notice", {"items": [{"form_field": "address",
                                                                            "problem": "x"}]}), 400)
    assert second["code"] == "cases.correction.second"

    # the applicant corrects: upload, then send the listed form field
    citizen, desk, handler, head = travel(1)  # Tue 06-02
    ok(citizen.post(f"{API}{app_url}/materials/{ids['经营场所平面图']}/files", {"file": upload("plan v2")}), 201)
    corrected = ok(post(citizen, f"{case_url}/correction", {"form_data": {"address": "六安市金安区梅山南路1号3楼"}}))
    assert corrected["state"] == "submitted" and corrected["view"] == "applicant"
    assert corrected["acceptance_due"] == "2026-06-09"

    # accept: a stale version is a 409, the current one accepts
    citizen, desk, handler, head = travel(1)  # Wed 06-03
    current = ok(desk.get(f"{API}{case_url}"))
    stale = error(post(desk, f"{case_url}/accept", {"expected_version": current["row_version"] - 1}), 409)
    assert stale["code"] == "cases.case.changed"
    accepted = ok(post(desk, f"{case_url}/accept", {"expected_version": current["row_version"]}))
    assert accepted["row_version"] > current["row_version"]
    assert accepted["state"] == "in_progress" and accepted["stage"] == "undertake"
    assert accepted["clock"] == {"start": "2026-06-03", "promised_due": "2026-06-17", "legal_due": "2026-07-02",
                                 "paused_days": 0, "running": True, "projected": False, "unknown_year": None}

    # steps and a special procedure that moves the due date
    undertake = next(s for s in accepted["steps"] if s["kind"] == "undertake")
    ok(post(handler, f"{case_url}/steps/{undertake['id']}/complete", {"action": "pass", "opinion": "材料齐全"}))
    citizen, desk, handler, head = travel(5)  # Mon 06-08
    suspended = ok(post(handler, f"{case_url}/special-procedures", {
        "kind": "site_check", "reason": "核查经营场所", "legal_basis": "《食品经营许可管理办法》", "expected_days": 5}))
    assert suspended["state"] == "suspended"
    assert suspended["clock"]["promised_due"] == "2026-06-25" and suspended["clock"]["projected"] is True
    assert suspended["clock"]["running"] is False
    procedure = suspended["special_procedures"][-1]
    assert procedure["kind"] == "site_check" and procedure["ended_on"] is None
    citizen, desk, handler, head = travel(3)  # Thu 06-11
    resumed = ok(post(handler, f"{case_url}/special-procedures/{procedure['id']}/end", {"result": "场所符合要求"}))
    assert resumed["state"] == "in_progress" and resumed["clock"]["promised_due"] == "2026-06-23"
    assert resumed["clock"]["paused_days"] == 3 and resumed["clock"]["running"] is True

    # extension: beyond the limit refused, then requested and approved
    too_long = error(post(handler, f"{case_url}/extensions", {"days": 11, "reason": "需征求相关部门意见"}), 400)
    assert too_long["code"] == "cases.extension.days" and too_long["field"] == "days"
    requested = ok(post(handler, f"{case_url}/extensions", {"days": 10, "reason": "需征求相关部门意见"}))
    extension = requested["extensions"][0]
    assert extension["state"] == "requested" and requested["clock"]["promised_due"] == "2026-06-23"
    assert error(post(handler, f"{case_url}/extensions/{extension['id']}/approve", {"approve": True}), 403)
    approved = ok(post(head, f"{case_url}/extensions/{extension['id']}/approve", {"approve": True}))
    assert approved["clock"]["promised_due"] == "2026-07-07" and approved["extensions"][0]["state"] == "approved"

    # review by the reviewer; the approval step needs the approver (the service checks it: 403)
    review = next(s for s in approved["steps"] if s["kind"] == "review")
    after_review = ok(post(handler, f"{case_url}/steps/{review['id']}/complete",
                           {"action": "pass", "opinion": "符合条件"}))
    approve_step = next(s for s in after_review["steps"] if s["kind"] == "approve")
    refused = error(post(handler, f"{case_url}/steps/{approve_step['id']}/complete",
                         {"action": "pass", "opinion": "同意"}), 403)
    assert refused["code"] == "cases.forbidden"
    ok(post(head, f"{case_url}/steps/{approve_step['id']}/complete", {"action": "pass", "opinion": "同意"}))

    # decision: without reasons every problem is listed; then granted and delivered
    empty = error(post(head, f"{case_url}/decision", {"outcome": "grant", "reasons": " ", "legal_basis": ""}), 400)
    assert codes(empty) == {"cases.decision.reasons", "cases.decision.legal_basis"}
    decided = ok(post(head, f"{case_url}/decision", {"outcome": "grant", "reasons": "符合许可条件",
                                                     "legal_basis": "《中华人民共和国食品安全法》第三十五条"}))
    assert decided["state"] == "decided" and decided["decision"]["outcome"] == "grant"
    assert decided["decision"]["document_number"]
    closed = ok(post(desk, f"{case_url}/delivery", {"method": "download"}))
    assert closed["state"] == "closed" and closed["stage"] == "done" and closed["delivery"]["method"] == "download"

    # the applicant sees the public timeline, staff the full one
    mine = ok(citizen.get(f"{API}{case_url}"))
    staff = ok(desk.get(f"{API}{case_url}"))
    assert mine["view"] == "applicant" and mine["query_code"] == receipt["query_code"]
    assert staff["view"] == "staff" and staff["query_code"] is None
    mine_kinds = [e["kind"] for e in mine["timeline"]]
    staff_kinds = [e["kind"] for e in staff["timeline"]]
    assert mine_kinds[:3] == ["received", "correction_notice", "corrected"]
    assert mine_kinds[-2:] == ["decided", "delivered"]
    assert "extension_requested" in staff_kinds and "extension_requested" not in mine_kinds
    assert all(e["public"] for e in mine["timeline"]) and all(e["actor"] is None for e in mine["timeline"])
    assert any(e["actor"] == "window_officer" for e in staff["timeline"])
    assert all(s["opinion"] is None for s in mine["steps"])
    assert {s["opinion"] for s in staff["steps"]} >= {"材料齐全", "同意"}
    assert mine["applicant"]["name"] == "张三" and "*" in mine["applicant"]["id_number_masked"]
    assert mine["clock"]["promised_due"] == "2026-07-07" and mine["special_procedures"][0]["result"] == "场所符合要求"


# --- applying: refusals ----------------------------------------------------------------------------


def test_starting_without_an_idempotency_key_is_a_structured_400(citizen, item):
    body = error(post(citizen, "/applications", {"item_code": item.code}), 400)
    assert (body["code"], body["field"]) == ("request.idempotency_key_required", "Idempotency-Key")
    assert "Idempotency-Key" in body["message_zh"] and [p["code"] for p in body["problems"]] == [body["code"]]
    assert not Application.objects.exists()


def test_the_same_key_for_another_item_is_a_409(citizen, item, organ):
    from govhall.catalog import testing

    other = testing.make_item(organ=organ, name="公共场所卫生许可")
    ok(start(citizen, item.code), 201)
    assert error(start(citizen, other.code), 409)["code"] == "request.idempotency_key_reused"
    assert Application.objects.count() == 1


def test_keys_are_per_user(citizen, item, enterprise_agent, as_user):
    a = ok(start(citizen, item.code, key="same"), 201)
    b = ok(start(as_user(enterprise_agent), item.code, key="same"), 201)
    assert a["public_id"] != b["public_id"]


def test_an_unknown_item_is_a_400_on_the_item(citizen, db):
    body = error(start(citizen, "11341500MB0000000X3000117051000"), 400)
    assert (body["code"], body["field"]) == ("cases.item.not_available", "item")


def test_applying_for_a_legal_person_needs_to_represent_it(citizen, item, company, as_user, enterprise_agent):
    mine = ok(start(citizen, item.code, key="co", legal_person_credit_code=company.credit_code), 201)
    assert mine["legal_person_credit_code"] == company.credit_code and mine["applicant_name"] == company.name
    agent = ok(start(as_user(enterprise_agent), item.code, key="co", legal_person_credit_code=company.credit_code),
               201)
    assert agent["legal_person_credit_code"] == company.credit_code
    assert error(start(citizen, item.code, key="x", legal_person_credit_code="91341500MA0000000X"), 404)


def test_someone_without_a_real_name_cannot_apply(item, as_user, django_user_model):
    nobody = as_user(django_user_model.objects.create_user(username="nobody", password="Correct-Horse-9"))
    body = error(start(nobody, item.code), 400)
    assert "cases.applicant.no_identity" in codes(body)


def test_submitting_an_incomplete_application_lists_every_problem(citizen, item, media):
    draft = ok(start(citizen, item.code), 201)
    body = error(post(citizen, f"/applications/{draft['public_id']}/submit"), 400)
    ids = material_ids(draft)
    fields = {p["field"] for p in body["problems"]}
    assert {"contact_phone", "address", f"material:{ids['经营场所平面图']}", f"material:{ids['健康证明']}",
            f"material:{ids['食品安全承诺书']}"} <= fields
    assert f"material:{ids['其他说明材料']}" not in fields
    assert all(p["message_zh"] and p["message_en"] for p in body["problems"])
    assert not Case.objects.exists()


def test_material_rules_come_back_as_structured_errors(citizen, item, media):
    draft = ok(start(citizen, item.code), 201)
    ids, url = material_ids(draft), f"/applications/{draft['public_id']}/materials"
    fetched = error(citizen.post(f"{API}{url}/{ids['营业执照']}/files", {"file": upload("x", "licence.pdf")}), 400)
    assert fetched["code"] == "cases.material.fetched"
    wrong = error(post(citizen, f"{url}/{ids['经营场所平面图']}/status", {"status": "later"}), 400)
    assert wrong["code"] == "cases.material.status"
    invalid = error(post(citizen, f"{url}/{ids['健康证明']}/status", {"status": "lost"}), 422)
    assert invalid["code"] == "request.invalid" and invalid["field"].endswith("status")  # "payload.status" today
    fake = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert error(citizen.post(f"{API}{url}/{ids['经营场所平面图']}/files", {"file": fake}), 400)["code"].startswith(
        "cases.upload.")
    assert error(post(citizen, f"{url}/999999/status", {"status": "not_needed"}), 400)["code"] == \
        "cases.material.unknown"


def test_someone_elses_application_is_not_found(citizen, item, enterprise_agent, as_user):
    draft = ok(start(citizen, item.code), 201)
    other = as_user(enterprise_agent)
    url = f"{API}/applications/{draft['public_id']}"
    assert error(other.patch(url, {"form_data": FORM}, content_type="application/json"), 404)["code"] == "not_found"
    assert error(post(other, f"/applications/{draft['public_id']}/submit"), 404)
    assert error(citizen.patch(f"{API}/applications/not-a-uuid", {"form_data": {}},
                               content_type="application/json"), 422)


def test_a_submitted_application_can_no_longer_be_changed(submitted, as_user):
    client = as_user(submitted.applicant)
    response = client.patch(f"{API}/applications/{submitted.application.public_id}", {"form_data": FORM},
                             content_type="application/json")
    assert error(response, 409)["code"] == "cases.application.submitted"


# --- the case: refusals -----------------------------------------------------------------------------


def test_a_correction_notice_with_no_items_is_refused_in_both_languages(submitted, window, as_user):
    body = error(post(as_user(window), f"/cases/{submitted.number}/correction-notice", {"items": []}), 400)
    assert body["code"] == "cases.correction.empty" and body["field"] == "items"
    assert body["message_zh"] == "补正告知须列明需要补正的全部内容"
    assert body["message_en"] == "list every item the applicant must correct"


def test_every_problem_of_a_correction_notice_is_listed(submitted, window, as_user):
    licence = submitted.application.materials.get(material__name="营业执照").material_id
    body = error(post(as_user(window), f"/cases/{submitted.number}/correction-notice", {"items": [
        {"material": licence, "problem": "请提供营业执照"}, {"problem": "  "}]}), 400)
    assert codes(body) == {"cases.correction.fetchable", "cases.correction.problem", "cases.correction.target"}


def test_another_organs_case_is_not_found(submitted, other_window, as_user):
    client = as_user(other_window)
    assert error(client.get(f"{API}/cases/{submitted.number}"), 404)["code"] == "not_found"
    assert error(post(client, f"/cases/{submitted.number}/accept"), 404)["code"] == "not_found"
    assert Case.objects.get().state == "submitted"


def test_an_applicant_calling_a_staff_action_is_forbidden(submitted, as_user):
    client = as_user(submitted.applicant)
    for action, body in (("accept", {}), ("refuse", {"reason": "x", "legal_basis": "y"}),
                         ("decision", {"outcome": "grant", "reasons": "x", "legal_basis": "y"})):
        assert error(post(client, f"/cases/{submitted.number}/{action}", body), 403)["code"] == "auth.forbidden"
    assert Case.objects.get().state == "submitted"


def test_anonymous_callers_get_401(client, submitted):
    assert error(client.get(f"{API}/cases/{submitted.number}"), 401)["code"] == "auth.required"
    assert error(post(client, f"/cases/{submitted.number}/accept"), 401)
    assert error(post(client, "/applications", {"item_code": "x"}, **{"Idempotency-Key": "k"}), 401)


def test_a_reviewer_may_not_accept(submitted, reviewer, as_user):
    assert error(post(as_user(reviewer), f"/cases/{submitted.number}/accept"), 403)["code"] == "auth.forbidden"


def test_unknown_cases_and_other_peoples_cases_are_not_found(submitted, as_user, enterprise_agent):
    assert error(as_user(submitted.applicant).get(f"{API}/cases/NOPE"), 404)
    stranger = as_user(enterprise_agent)
    assert error(stranger.get(f"{API}/cases/{submitted.number}"), 404)
    assert error(post(stranger, f"/cases/{submitted.number}/withdraw", {"reason": "x"}), 404)


def test_actions_in_the_wrong_state_are_conflicts(submitted, window, approver, as_user):
    desk = as_user(window)
    ok(post(desk, f"/cases/{submitted.number}/refuse", {"reason": "不属于本机关职权范围", "legal_basis": "第三十二条"}))
    assert error(post(desk, f"/cases/{submitted.number}/accept"), 409)["code"] == "cases.case.state"
    assert error(post(as_user(submitted.applicant), f"/cases/{submitted.number}/withdraw"), 409)


def test_refusing_needs_reason_and_basis(submitted, window, as_user):
    body = error(post(as_user(window), f"/cases/{submitted.number}/refuse", {"reason": "", "legal_basis": " "}), 400)
    assert codes(body) == {"cases.refuse.reason", "cases.refuse.legal_basis"}
    assert error(post(as_user(window), f"/cases/{submitted.number}/refuse", {}), 422)["code"] == "request.invalid"


def test_the_applicant_withdraws(submitted, as_user):
    body = ok(post(as_user(submitted.applicant), f"/cases/{submitted.number}/withdraw", {"reason": "不再需要"}))
    assert body["state"] == "withdrawn" and body["timeline"][-1]["kind"] == "withdrawn"


def test_a_stale_version_on_a_staff_action_is_a_409_and_changes_nothing(submitted, window, as_user):
    desk = as_user(window)
    version = ok(desk.get(f"{API}/cases/{submitted.number}"))["row_version"]
    body = error(post(desk, f"/cases/{submitted.number}/correction-notice", {
        "expected_version": version + 1, "items": [{"form_field": "address", "problem": "地址不完整"}]}), 409)
    assert body["code"] == "cases.case.changed" and body["problems"][0]["code"] == "cases.case.changed"
    assert ok(desk.get(f"{API}/cases/{submitted.number}"))["row_version"] == version


def test_session_posts_need_the_csrf_token(submitted, window):
    client = Client(enforce_csrf_checks=True)
    client.force_login(window)
    assert error(post(client, f"/cases/{submitted.number}/accept"), 403)["code"] == "http.403"
    assert Case.objects.get().state == "submitted"
    assert client.get(f"{API}/cases/{submitted.number}").status_code == 200  # reads need no token


def test_the_openapi_document_lists_the_case_endpoints(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    assert {"/api/v1/applications", "/api/v1/applications/{public_id}/submit", "/api/v1/cases/{number}",
            "/api/v1/cases/{number}/accept", "/api/v1/cases/{number}/extensions/{extension_id}/approve"} <= set(
        schema["paths"])


def test_a_co_organ_gives_its_joint_opinion_through_the_api(joint_item, applicant_person, window, co_organ,
                                                           as_user, media):
    from govhall.cases import services
    from govhall.cases.tests.conftest import fill
    from govhall.catalog.testing import make_staff
    from govhall.identity.roles import Role

    user = applicant_person.user
    application = services.application_start(actor=user, item_code=joint_item.code)
    fill(application, user)
    case = services.application_submit(actor=user, application=application)
    accepted = ok(post(as_user(window), f"/cases/{case.number}/accept"))
    assert accepted["is_joint"] is True and accepted["clock"]["legal_due"]
    joint = next(s for s in accepted["steps"] if s["kind"] == "joint")
    co = as_user(make_staff("co_reviewer", Role.REVIEWER, co_organ))
    seen = ok(co.get(f"{API}/cases/{case.number}"))
    assert seen["view"] == "staff" and seen["organ"]["credit_code"] != co_organ.credit_code
    done = ok(post(co, f"/cases/{case.number}/steps/{joint['id']}/complete", {"action": "pass", "opinion": "同意"}))
    assert next(s for s in done["steps"] if s["id"] == joint["id"])["state"] == "done"
    assert error(post(co, f"/cases/{case.number}/accept"), 403)  # a reviewer: no cases.case.accept at all
