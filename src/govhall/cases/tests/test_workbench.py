"""The staff workbench through the web: queues with their warning colours (also as text), the case
file, every action as a POST that calls its service (PRG, 400 with every problem in Chinese and
English, 409 for a stale page), stored-file previews, scope (404 for other organs, 403 for citizens)
and the counter (window) applications."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from govhall.cases import services
from govhall.cases.models import (
    Application,
    Case,
    CaseState,
    CaseStep,
    Channel,
    CorrectionNotice,
    Extension,
    MaterialFile,
    SpecialProcedure,
    Stage,
)
from govhall.cases.tests.conftest import fill, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(fully_logged_in):
    """A logged-in client of ``user`` reading the English pages."""

    def make(user):
        c = Client()
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return fully_logged_in(c, user)

    return make


def case_url(case, action=""):
    return reverse(f"workbench:{action or 'case'}", args=[case.number])


def post(client, case, action, data=None, *, follow=False):
    case.refresh_from_db()
    return client.post(case_url(case, action), {"row_version": case.row_version, **(data or {})}, follow=follow)


def material_id(case, name):
    return case.application.materials.get(material__name=name).material_id


def event_kinds(response) -> list[str]:
    """The timeline rows of the case page, by event kind (data-kind attribute)."""
    import re

    return re.findall(r'data-kind="([a-z_]+)"', response.content.decode())


# --- queues and scope -------------------------------------------------------------------------------


def test_queue_lists_the_case_with_its_warning_as_text(submitted, window, login, clock_start):
    client = login(window)
    response = client.get(reverse("workbench:queues"))
    assert response.status_code == 200
    html = response.content.decode()
    assert submitted.number in html and "张三" in html
    assert 'aria-current="page">to accept' in html  # the accept queue, with its count
    assert "wb-warn-green" in html and "on time" in html  # acceptance due 06-08: 5 working days left
    clock_start.shift(dt.timedelta(days=4))  # Fri 06-05: due on the next working day
    client = login(window)  # (the session has expired meanwhile)
    html = client.get(reverse("workbench:queues") + "?queue=accept").content.decode()
    assert "wb-warn-red" in html and "due today or tomorrow" in html
    clock_start.shift(dt.timedelta(days=4))  # Tue 06-09: overdue
    client = login(window)
    html = client.get(reverse("workbench:queues") + "?queue=accept").content.decode()
    assert "wb-warn-overdue" in html and "overdue" in html
    empty = client.get(reverse("workbench:queues") + "?queue=decide&offset=abc")
    assert empty.status_code == 200 and submitted.number not in empty.content.decode()


def test_another_citys_officer_sees_nothing(submitted, other_window, login):
    client = login(other_window)
    assert client.get(case_url(submitted)).status_code == 404
    html = client.get(reverse("workbench:queues")).content.decode()
    assert submitted.number not in html
    assert post(client, submitted, "accept").status_code == 404
    mf = MaterialFile.objects.filter(application_material__application=submitted.application).first()
    assert client.get(reverse("workbench:file", args=[submitted.number, mf.pk])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED


def test_anonymous_goes_to_login_and_a_citizen_is_forbidden(client, submitted, login):
    response = client.get(reverse("workbench:queues"))
    assert response.status_code == 302 and reverse("login:login") in response["Location"]
    citizen = login(submitted.applicant)
    assert citizen.get(reverse("workbench:queues")).status_code == 403
    assert citizen.get(case_url(submitted)).status_code == 403
    assert post(citizen, submitted, "accept").status_code == 403
    assert citizen.get(reverse("workbench:counter")).status_code == 403


def test_case_page_shows_the_file_without_the_full_id_number(submitted, window, login):
    client = login(window)
    response = client.get(case_url(submitted))
    assert response.status_code == 200
    html = response.content.decode()
    assert "341502199003071235" not in html  # the full id number never
    assert submitted.application.applicant_id_masked in html
    assert "Signature valid" in html  # verified over the form as decrypted from the database
    assert "13955600001" in html and "六安市金安区梅山南路 1 号" in html  # the typed contact details, for the officer
    plan = MaterialFile.objects.get(application_material__application=submitted.application)
    assert plan.stored.sha256 in html and plan.stored.sm3 in html and "平面图.pdf" in html
    assert case_url(submitted, "accept") in html and case_url(submitted, "correction") in html
    assert "received" in event_kinds(response)


def test_pages_render_in_the_default_language(submitted, window, fully_logged_in):
    client = fully_logged_in(Client(), window)
    assert client.get(reverse("workbench:queues")).status_code == 200
    assert client.get(case_url(submitted)).status_code == 200
    assert client.get(reverse("workbench:counter")).status_code == 200


def test_reviewer_is_not_offered_acceptance(submitted, reviewer, login):
    html = login(reviewer).get(case_url(submitted)).content.decode()
    assert case_url(submitted, "accept") not in html and case_url(submitted, "correction") not in html


# --- actions ----------------------------------------------------------------------------------------


def test_accept_through_the_web(submitted, window, login):
    client = login(window)
    response = post(client, submitted, "accept", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == case_url(submitted)
    assert "The case was accepted." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == CaseState.IN_PROGRESS and submitted.stage == Stage.UNDERTAKE
    assert "accepted" in event_kinds(response)
    assert "Promised completion date" in response.content.decode()


def test_stale_page_is_a_conflict_and_changes_nothing(submitted, window, login):
    client = login(window)
    stale = submitted.row_version
    services.case_claim(actor=window, case=submitted)  # someone acted meanwhile
    response = client.post(case_url(submitted, "accept"), {"row_version": stale})
    assert response.status_code == 409
    html = response.content.decode()
    assert "someone else has just acted on this case" in html and "该办件刚被他人处理" not in html  # one language
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED and submitted.accepted_on is None
    # a missing row version is refused too, never a 500
    assert client.post(case_url(submitted, "accept"), {}).status_code == 400


def test_correction_notice_with_two_items(submitted, window, login):
    client = login(window)
    plan = material_id(submitted, "经营场所平面图")
    response = post(client, submitted, "correction", {
        "material": [plan], f"problem_material_{plan}": "平面图未标注面积",
        "form_field": ["address"], "problem_field_address": "地址不完整", "deadline_days": "10"}, follow=True)
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.state == CaseState.CORRECTION
    notice = CorrectionNotice.objects.get(case=submitted)
    assert sorted(notice.items.values_list("problem", flat=True)) == ["地址不完整", "平面图未标注面积"]
    assert "correction_notice" in event_kinds(response)
    assert case_url(submitted, "correction") not in response.content.decode()  # only once


def test_correction_notice_without_items_is_refused_in_the_officers_language(submitted, window, login):
    client = login(window)
    response = post(client, submitted, "correction", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "list every item the applicant must correct" in html and "补正告知须列明需要补正的全部内容" not in html
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED and not CorrectionNotice.objects.filter(case=submitted).exists()
    # a ticked item without its problem text is named by its material, and the ticks are kept
    plan = material_id(submitted, "经营场所平面图")
    response = post(client, submitted, "correction", {"material": [plan]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "say what is wrong" in html and f'value="{plan}" id="corr_m_{plan}" checked' in html


def test_refusal_needs_reason_and_basis(submitted, window, login):
    client = login(window)
    response = post(client, submitted, "refuse", {"reason": " "})
    assert response.status_code == 400
    assert "give the legal basis" in response.content.decode()
    response = post(client, submitted, "refuse", {"reason": "不属于本部门职权范围", "legal_basis": "《行政许可法》第三十二条"},
                    follow=True)
    submitted.refresh_from_db()
    assert submitted.state == CaseState.NOT_ACCEPTED and "not_accepted" in event_kinds(response)


def test_the_whole_handling_through_the_web(submitted, window, reviewer, approver, login, clock_start):
    officer, handler, head = login(window), login(reviewer), login(approver)
    case = submitted
    assert post(officer, case, "accept").status_code == 302

    # the reviewer takes the undertaking step and passes it
    assert post(handler, case, "claim").status_code == 302
    case.refresh_from_db()
    assert case.assignee == reviewer
    assert post(handler, case, "step", {"step_id": case.current_step_id, "action": "pass", "opinion": " "}
                ).status_code == 400  # an opinion is required
    response = post(handler, case, "step", {"step_id": case.current_step_id, "action": "pass",
                                            "opinion": "材料齐全"}, follow=True)
    case.refresh_from_db()
    assert case.stage == Stage.REVIEW and "step" in event_kinds(response)

    # a special procedure stops the clock, and ends (the same day here: sessions expire over days)
    response = post(handler, case, "special_start", {"kind": "site_check", "reason": "核查经营场所",
                                                     "legal_basis": "《食品经营许可管理办法》", "expected_days": "5"},
                    follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED and "special_started" in event_kinds(response)
    html = response.content.decode()
    assert "Clock stopped" in html and "projected" in html
    procedure = SpecialProcedure.objects.get(case=case)
    response = post(handler, case, "special_end", {"procedure_id": procedure.pk, "result": "场所符合要求"}, follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and "special_ended" in event_kinds(response)

    # an extension: requested by the reviewer, approved by the organ head (not by the reviewer)
    before = case.due_date
    response = post(handler, case, "extension", {"days": "5", "reason": "需征求相关部门意见"}, follow=True)
    assert "extension_requested" in event_kinds(response)
    extension = Extension.objects.get(case=case)
    assert post(handler, case, "extension_decide", {"extension_id": extension.pk, "decision": "approve"}
                ).status_code == 403
    page = head.get(case_url(case)).content.decode()
    assert case_url(case, "extension_decide") in page and "Approve the extension" in page
    response = post(head, case, "extension_decide", {"extension_id": extension.pk, "decision": "approve"},
                    follow=True)
    case.refresh_from_db()
    extension.refresh_from_db()
    assert extension.state == Extension.State.APPROVED and case.extension_days == 5 and case.due_date > before
    assert "extension_approved" in event_kinds(response)

    # review by the reviewer, approval step only by the approver
    post(handler, case, "step", {"step_id": case.current_step_id, "action": "pass", "opinion": "符合条件"})
    case.refresh_from_db()
    assert case.stage == Stage.APPROVE
    assert case_url(case, "step") not in handler.get(case_url(case)).content.decode()
    response = post(handler, case, "step", {"step_id": case.current_step_id, "action": "pass", "opinion": "同意"})
    assert response.status_code == 400 and "you may not take this action" in response.content.decode()
    post(head, case, "step", {"step_id": case.current_step_id, "action": "pass", "opinion": "同意"})
    case.refresh_from_db()
    assert case.stage == Stage.DECIDE

    # decision, then delivery by the window
    assert post(head, case, "decide", {"outcome": "grant", "reasons": "", "legal_basis": ""}).status_code == 400
    response = post(head, case, "decide", {"outcome": "grant", "reasons": "符合许可条件",
                                           "legal_basis": "《中华人民共和国食品安全法》第三十五条"}, follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and "decided" in event_kinds(response)
    result = case.results.get()
    download = head.get(reverse("workbench:result", args=[case.number, result.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert post(officer, case, "deliver", {"method": "post"}).status_code == 400  # postal needs an address
    response = post(officer, case, "deliver", {"method": "post", "address": "六安市金安区梅山南路 1 号",
                                               "tracking_number": "SF1234567890"}, follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and "delivered" in event_kinds(response)
    assert "SF1234567890" in response.content.decode()


def test_assign_to_a_colleague(submitted, window, reviewer, approver, login):
    services.case_accept(actor=window, case=submitted)
    client = login(reviewer)
    page = client.get(case_url(submitted)).content.decode()
    assert f'value="{approver.pk}"' in page
    assert post(client, submitted, "claim", {"assignee": approver.pk}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.assignee == approver and submitted.current_step.assignee == approver
    assert post(client, submitted, "claim", {"assignee": 999999}).status_code == 400


def test_joint_opinion_of_the_co_organ(applicant_person, joint_item, window, reviewer, co_reviewer, login, media):
    user = applicant_person.user
    application = services.application_start(actor=user, item_code=joint_item.code)
    fill(application, user)
    case = services.application_submit(actor=user, application=application)
    services.case_accept(actor=window, case=case)
    client = login(co_reviewer)
    queue = client.get(reverse("workbench:queues") + "?queue=joint").content.decode()
    assert case.number in queue
    page = client.get(case_url(case)).content.decode()
    assert case_url(case, "joint") in page and case_url(case, "step") not in page
    joint = case.steps.get(kind=CaseStep.Kind.JOINT)
    response = post(client, case, "joint", {"step_id": joint.pk, "action": "object", "opinion": "规划条件不符"},
                    follow=True)
    joint.refresh_from_db()
    assert joint.state == CaseStep.State.DONE and joint.action == "object"
    assert "step" in event_kinds(response)


# --- files ------------------------------------------------------------------------------------------


def test_material_preview_is_served_inline_with_nosniff(submitted, window, login):
    client = login(window)
    mf = MaterialFile.objects.get(application_material__application=submitted.application)
    url = reverse("workbench:file", args=[submitted.number, mf.pk])
    response = client.get(url + "?inline=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(url)["Content-Disposition"].startswith("attachment")
    page = client.get(case_url(submitted) + f"?preview={mf.pk}").content.decode()
    assert "<iframe sandbox" in page and f"{url}?inline=1" in page
    assert client.get(reverse("workbench:file", args=[submitted.number, mf.pk + 1000])).status_code == 404


# --- the counter ------------------------------------------------------------------------------------


def test_counter_application_for_a_citizen(applicant_person, item, window, login, media):
    client = login(window)
    page = client.get(reverse("workbench:counter"))
    assert page.status_code == 200 and item.code in page.content.decode()
    wrong = client.post(reverse("workbench:counter"), {"id_number": "341502199003071235", "name": "李四",
                                                       "item_code": item.code})
    assert wrong.status_code == 400 and "no registered person has this ID number and name" in wrong.content.decode()
    response = client.post(reverse("workbench:counter"), {"id_number": "341502199003071235", "name": "张三",
                                                          "item_code": item.code})
    assert response.status_code == 302
    application = Application.objects.get(applicant=applicant_person.user)
    assert application.channel == Channel.WINDOW and application.taken_by == window
    draft_url = reverse("workbench:counter_draft", args=[application.public_id])
    assert response["Location"] == draft_url

    ids = {m.material.name: m.material_id for m in application.materials.select_related("material")}
    # submitting an empty form lists every problem at once
    response = client.post(draft_url, {"action": "submit", "contact_phone": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "contact phone is required" in html and "经营场所平面图" in html and "健康证明" in html
    upload = SimpleUploadedFile("平面图.pdf", pdf("window").getvalue(), content_type="application/pdf")
    assert client.post(reverse("workbench:counter_upload", args=[application.public_id, ids["经营场所平面图"]]),
                       {"file": upload}).status_code == 302
    response = client.post(draft_url, {
        "action": "submit", "contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区梅山南路 1 号",
        f"mode_{ids['健康证明']}": "later", f"follow_by_{ids['健康证明']}": "2026-06-10",
        f"mode_{ids['食品安全承诺书']}": "promised",
        f"promise_{ids['食品安全承诺书']}": "本人承诺所经营食品符合食品安全标准，如有虚假愿承担法律责任。"})
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(application=application)
    assert response["Location"] == case_url(case)
    assert case.application.channel == Channel.WINDOW and case.applicant == applicant_person.user
    assert case.state == CaseState.SUBMITTED
    assert "received" in event_kinds(client.get(case_url(case)))
    # the draft page of a submitted application leads to the case
    assert client.get(draft_url)["Location"] == case_url(case)


def test_counter_is_only_for_the_officer_who_took_it(applicant_person, item, window, other_window, login, media):
    application = services.application_start(actor=window, item_code=item.code, channel=Channel.WINDOW,
                                             applicant=applicant_person.user)
    other = login(other_window)
    assert other.get(reverse("workbench:counter_draft", args=[application.public_id])).status_code == 404
    # another city's officer cannot start an application for this organ's item
    response = other.post(reverse("workbench:counter"), {"id_number": "341502199003071235", "name": "张三",
                                                         "item_code": item.code})
    assert response.status_code == 400


def test_immediate_item_is_decided_with_the_acceptance(applicant_person, organ, window, login, media, clock_start):
    from govhall.cases.tests.conftest import MATERIALS, STEPS
    from govhall.catalog import testing

    item = testing.make_item(organ=organ, name="即办事项", process_steps=STEPS[:2], materials=MATERIALS[:2],
                             case_kind="1")
    user = applicant_person.user
    application = services.application_start(actor=user, item_code=item.code)
    fill(application, user)
    case = services.application_submit(actor=user, application=application)
    assert case.is_immediate
    client = login(window)
    page = client.get(case_url(case)).content.decode()
    assert 'name="outcome"' in page and "Immediate item" in page
    response = post(client, case, "accept", {"outcome": "grant"})
    assert response.status_code == 400
    assert "a decision needs its reasons" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    response = post(client, case, "accept", {"outcome": "grant", "reasons": "材料齐全，当场办结",
                                              "legal_basis": "《行政许可法》第三十四条"}, follow=True)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and {"accepted", "decided"} <= set(event_kinds(response))
