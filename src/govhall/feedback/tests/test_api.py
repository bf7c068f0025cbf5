"""好差评, 我要问 and complaints through the API (and the services behind it)."""
# ruff: noqa: F811 (the case fixtures are imported from govhall.cases.tests.conftest and used as arguments)

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from govhall.cases import services as case_services
from govhall.cases.models import Case
from govhall.cases.tests.conftest import (  # noqa: F401 (fixtures)
    clock_start,
    item,
    media,
    ready_application,
    submitted,
    window,
)
from govhall.catalog import testing
from govhall.core import events
from govhall.core.audit import AuditEvent
from govhall.core.calendar_store import get_calendar
from govhall.core.models import DomainEvent
from govhall.feedback import selectors, services
from govhall.feedback.models import Rating, RatingFlag, RatingInvitation, RectificationPeriod
from govhall.identity.roles import Role
from govhall.notifications.models import Message

API = "/api/v1"


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()
    return response.json()


def error(response, status):
    assert response.status_code == status, response.content.decode()
    body = response.json()["error"]
    assert set(body) == {"code", "message_zh", "message_en", "field", "problems"}
    return body


def post(client, path, data=None):
    return client.post(f"{API}{path}", data or {}, content_type="application/json")


@pytest.fixture
def as_user(fully_logged_in):
    def login(user) -> Client:
        return fully_logged_in(Client(), user)

    return login


@pytest.fixture
def closed_case(submitted, window):
    """张三's case, not accepted (a final state: the case is closed and its applicant invited)."""
    case_services.case_refuse(actor=window, case=submitted, reason="不属于本机关职权范围",
                              legal_basis="《行政许可法》第三十二条")
    events.drain()
    return Case.objects.get(pk=submitted.pk)


@pytest.fixture
def supervisor_user(regions):
    return testing.make_staff("feedback_supervisor", Role.SUPERVISOR, region=regions["city"])


def test_a_closed_case_invites_its_applicant_once(closed_case, applicant_person):
    invitation = RatingInvitation.objects.get(case=closed_case)
    assert invitation.recipient == applicant_person.user and invitation.stage == "close"
    message = Message.objects.get(kind="feedback.rating_invited")
    assert message.link == f"/feedback/rate/{closed_case.number}/" and message.recipient == applicant_person.user
    assert message.deliveries.filter(channel="sms").exists()  # the real-name mobile number
    assert services.invite_to_rate(closed_case.pk) is None  # idempotent
    assert RatingInvitation.objects.count() == 1


def test_a_good_rating_then_the_same_stage_again_is_409(closed_case, applicant_person, as_user):
    citizen = as_user(applicant_person.user)
    rated = ok(post(citizen, f"/cases/{closed_case.number}/ratings",
                    {"score": 5, "comment": "办事很快", "dimensions": {"efficiency": 5, "usability": 4}}), 201)
    assert (rated["stage"], rated["score"], rated["level_zh"], rated["rectification"]) == ("close", 5, "非常满意", None)
    again = error(post(citizen, f"/cases/{closed_case.number}/ratings", {"score": 4, "stage": "close"}), 409)
    assert again["code"] == "feedback.rating.exists"
    # the acceptance stage is a separate rating (一事一评: per case and stage)
    ok(post(citizen, f"/cases/{closed_case.number}/ratings", {"score": 4, "stage": "accept"}), 201)
    assert Rating.objects.filter(case=closed_case).count() == 2
    assert AuditEvent.objects.filter(action="feedback.rating.created").count() == 2
    assert selectors.unrated_cases(applicant_person.user) == []


def test_invalid_ratings_list_every_problem(closed_case, applicant_person, as_user):
    citizen = as_user(applicant_person.user)
    body = error(post(citizen, f"/cases/{closed_case.number}/ratings",
                      {"score": 2, "reasons": ["NOPE", "X99"], "dimensions": {"service_attitude": 3}}), 400)
    assert {p["code"] for p in body["problems"]} == {"feedback.rating.reason", "feedback.rating.other_comment",
                                                     "feedback.rating.dimension"}
    assert error(post(citizen, f"/cases/{closed_case.number}/ratings", {"score": 1}), 400)["code"] == \
        "feedback.rating.reason_required"
    assert error(post(citizen, f"/cases/{closed_case.number}/ratings", {"score": 6}), 422)
    assert not Rating.objects.exists()


def test_only_the_applicant_rates(closed_case, window, as_user, django_user_model):
    stranger = django_user_model.objects.create_user(username="stranger", password="Correct-Horse-9")
    assert error(post(as_user(stranger), f"/cases/{closed_case.number}/ratings", {"score": 5}), 404)
    assert error(post(as_user(window), f"/cases/{closed_case.number}/ratings", {"score": 5}), 404)
    assert error(post(Client(), f"/cases/{closed_case.number}/ratings", {"score": 5}), 401)


def test_an_open_case_is_rated_at_acceptance_only(submitted, window, applicant_person, as_user):
    citizen = as_user(applicant_person.user)
    body = error(post(citizen, f"/cases/{submitted.number}/ratings", {"score": 5}), 400)
    assert body["code"] == "feedback.rating.not_accepted_yet"
    case_services.case_accept(actor=window, case=submitted)
    assert ok(post(citizen, f"/cases/{submitted.number}/ratings", {"score": 5}), 201)["stage"] == "accept"
    assert error(post(citizen, f"/cases/{submitted.number}/ratings", {"score": 5, "stage": "close"}), 400)[
        "code"] == "feedback.rating.not_closed"


def test_bad_rating_rectification_reply_and_answer(closed_case, applicant_person, window, as_user, clock_start):
    citizen = as_user(applicant_person.user)
    rated = ok(post(citizen, f"/cases/{closed_case.number}/ratings",
                    {"score": 2, "reasons": ["X07", "X99"], "comment": "窗口解释不清楚"}), 201)
    rect = rated["rectification"]
    # opened Monday 2026-06-01; 5 working days
    assert rect["state"] == "open" and rect["period_days"] == 5 and rect["due_date"] == "2026-06-08"
    desk = as_user(window)
    rid = rect["id"]
    body = error(post(desk, f"/rectifications/{rid}/reply", {"reply": "已整改"}), 400)
    assert {p["code"] for p in body["problems"]} == {"feedback.rectification.not_verified",
                                                     "feedback.rectification.no_callback"}
    ok(post(desk, f"/rectifications/{rid}/verify", {"founded": True, "note": "经调取录像，窗口人员解释不充分"}))
    ok(post(desk, f"/rectifications/{rid}/callback", {"reached": True, "note": "电话回访，评价人说明了情况"}))
    assert error(post(desk, f"/rectifications/{rid}/reply", {"reply": "已整改"}), 400)["code"] == \
        "feedback.rectification.not_rectified"
    ok(post(desk, f"/rectifications/{rid}/rectify", {"measures": "组织窗口人员业务培训，制作一次性告知单"}))
    clock_start.shift(dt.timedelta(days=2))
    desk = as_user(window)
    replied = ok(post(desk, f"/rectifications/{rid}/reply", {"reply": "您反映的问题已整改，感谢监督。"}))
    assert replied["rectification"]["state"] == "replied" and replied["rectification"]["on_time"] is True
    assert Message.objects.filter(kind="feedback.rectification_replied", recipient=applicant_person.user).exists()
    assert error(post(desk, f"/rectifications/{rid}/verify", {"founded": False, "note": "x"}), 409)
    citizen = as_user(applicant_person.user)
    answered = ok(post(citizen, f"/ratings/{rated['id']}/answer", {"satisfied": True, "answer": "满意"}))
    assert answered["rectification"]["state"] == "answered" and answered["rectification"]["rater_satisfied"]
    assert error(post(citizen, f"/ratings/{rated['id']}/answer", {"satisfied": False}), 409)
    # figures: one rating, bad, rectified on time, called back
    figures = ok(Client().get(f"{API}/ratings/figures"))
    assert figures == [{"key": closed_case.organ.credit_code, "name": closed_case.organ.name, "ratings": 1,
                        "good": 0, "bad": 1, "good_share": 0.0, "bad_rectified_on_time": 1,
                        "rectified_on_time_share": 1.0, "real_name_bad": 1, "called_back": 1,
                        "callback_rate": 1.0}]
    by_item = ok(Client().get(f"{API}/ratings/figures?by=item"))
    assert by_item[0]["key"] == closed_case.item.code and by_item[0]["name"]
    # the neutral export
    response = desk.get(f"{API}/ratings/export")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["case_number"], row["stage"], row["channel"], row["score"], row["satisfaction_gbt39046"]) == (
        closed_case.number, "2", "1", "2", "4")
    assert (row["reasons"], row["on_time"], row["callback_reached"], row["rectification_state"]) == (
        "X07;X99", "1", "1", "answered")
    assert "张三" not in response.content.decode("utf-8-sig")
    xlsx = desk.get(f"{API}/ratings/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert error(as_user(applicant_person.user).get(f"{API}/ratings/export"), 403)


def test_the_region_sets_the_period_and_overdue_is_recorded(closed_case, applicant_person, window, regions,
                                                            as_user, clock_start):
    RectificationPeriod.objects.create(region=regions["province"], working_days=15, note="test")
    citizen = as_user(applicant_person.user)
    rect = ok(post(citizen, f"/cases/{closed_case.number}/ratings", {"score": 1, "reasons": ["X01"]}), 201)[
        "rectification"]
    due = get_calendar().add_working_days(dt.date(2026, 6, 1), 15)
    assert due > dt.date(2026, 6, 19)  # 15 working days, holidays skipped
    assert rect["period_days"] == 15 and rect["due_date"] == due.isoformat()
    assert services.flag_overdue_rectifications(due) == 0
    assert services.flag_overdue_rectifications(due + dt.timedelta(days=1)) == 1
    assert services.flag_overdue_rectifications(due + dt.timedelta(days=2)) == 0  # once
    event = DomainEvent.objects.get(name="feedback.rectification_overdue")
    assert event.payload["number"] == closed_case.number and event.payload["due_date"] == due.isoformat()


def test_appeal_marks_never_deletes(closed_case, applicant_person, window, supervisor_user, as_user):
    citizen = as_user(applicant_person.user)
    rated = ok(post(citizen, f"/cases/{closed_case.number}/ratings", {"score": 1, "reasons": ["X99"],
                                                                        "comment": "乱评"}), 201)
    desk = as_user(window)
    appeal = ok(post(desk, f"/ratings/{rated['id']}/appeals", {"mark": "malicious", "evidence": "评价内容与办件无关，录音为证"}),
                201)
    assert error(post(desk, f"/ratings/{rated['id']}/appeals", {"mark": "mistaken", "evidence": "x"}), 409)
    assert error(post(desk, f"/appeals/{appeal['id']}/decide", {"uphold": True, "note": "x"}), 403)
    boss = as_user(supervisor_user)
    decided = ok(post(boss, f"/appeals/{appeal['id']}/decide", {"uphold": True, "note": "证据充分，认定为恶意评价"}))
    assert decided["state"] == "upheld"
    rating = Rating.objects.get(pk=rated["id"])
    assert rating.flag == RatingFlag.MALICIOUS  # still there, marked
    assert ok(Client().get(f"{API}/ratings/figures")) == []  # left out of the figures
    assert AuditEvent.objects.filter(action="feedback.rating.marked").count() == 1


def test_one_reminder_after_three_days(closed_case, applicant_person, clock_start):
    assert services.remind_unrated() == 0
    clock_start.shift(dt.timedelta(days=3))
    assert services.remind_unrated() == 1
    assert services.remind_unrated() == 0
    assert Message.objects.filter(kind="feedback.rating_reminder").count() == 1


def test_consultation_ask_answer_publish(item, applicant_person, window, as_user, clock_start):
    citizen = as_user(applicant_person.user)
    assert error(post(Client(), "/consultations", {"item_code": item.code, "question": "要带什么？"}), 401)
    asked = ok(post(citizen, "/consultations", {"item_code": item.code,
                                                "question": "个体户需要营业执照原件吗？我的电话 13955600001"}), 201)
    assert asked["state"] == "open" and asked["due_date"] == "2026-06-08"
    assert error(post(citizen, "/consultations", {"item_code": "nope", "question": "?"}), 400)["field"] == "item_code"
    desk = as_user(window)
    staff = ok(desk.get(f"{API}/staff/consultations?q=营业执照"))
    assert [c["id"] for c in staff] == [asked["id"]]
    ok(post(desk, f"/consultations/{asked['id']}/answer", {"answer": "需要，电子证照可自动调取。"}))
    assert Message.objects.filter(kind="feedback.consultation_answered", recipient=applicant_person.user).exists()
    body = error(post(desk, f"/consultations/{asked['id']}/publish"), 400)
    assert body["code"] == "feedback.consultation.personal_data" and body["field"] == "question"
    ok(post(desk, f"/consultations/{asked['id']}/publish", {"question": "个体户需要营业执照原件吗？"}))
    public = ok(Client().get(f"{API}/consultations?item={item.code}"))
    assert [(c["question"], c["answer"]) for c in public] == [("个体户需要营业执照原件吗？", "需要，电子证照可自动调取。")]
    assert "13955600001" not in str(public)
    assert ok(Client().get(f"{API}/consultations?item=other")) == []


def test_complaint_file_acknowledge_reply_rate(closed_case, applicant_person, window, supervisor_user, other_organ,
                                               as_user):
    citizen = as_user(applicant_person.user)
    filed = ok(post(citizen, "/complaints", {"subject": "窗口推诿", "content": "说不清不予受理的理由",
                                             "case_number": closed_case.number}), 201)
    assert filed["about"] == "case" and filed["state"] == "submitted" and filed["due_date"] == "2026-06-15"
    assert error(post(citizen, "/complaints", {"subject": "x", "content": "y", "case_number": "nope"}), 400)[
        "field"] == "case_number"
    platform = ok(post(citizen, "/complaints", {"subject": "网站打不开", "content": "晚上无法登录"}), 201)
    desk, boss = as_user(window), as_user(supervisor_user)
    assert [c["id"] for c in ok(desk.get(f"{API}/staff/complaints?q=推诿"))] == [filed["id"]]
    assert {c["id"] for c in ok(boss.get(f"{API}/staff/complaints"))} == {filed["id"], platform["id"]}
    other = as_user(testing.make_staff("hefei_window", Role.WINDOW_OFFICER, other_organ))
    assert ok(other.get(f"{API}/staff/complaints")) == []
    assert error(post(other, f"/complaints/{filed['id']}/acknowledge"), 404)
    assert error(post(desk, f"/complaints/{filed['id']}/reply", {"reply": "x"}), 400)["code"] == \
        "feedback.complaint.not_acknowledged"
    ok(post(desk, f"/complaints/{filed['id']}/acknowledge", {"note": "已转窗口负责人"}))
    replied = ok(post(desk, f"/complaints/{filed['id']}/reply", {"reply": "已向您补充说明理由并致歉"}))
    assert replied["state"] == "replied"
    assert error(post(as_user(window), f"/complaints/{filed['id']}/rate", {"score": 5}), 404)
    rated = ok(post(citizen, f"/complaints/{filed['id']}/rate", {"score": 4, "comment": "还行"}))
    assert rated["reply_score"] == 4
    assert error(post(citizen, f"/complaints/{filed['id']}/rate", {"score": 5}), 409)
    # the supervisor handles the platform's complaints
    ok(post(boss, f"/complaints/{platform['id']}/acknowledge"))
    assert DomainEvent.objects.filter(name="feedback.complaint_filed").count() == 2


def test_the_agent_who_applied_rates_while_the_mandate_holds(item, company, enterprise_agent, window, media, as_user):
    from govhall.cases.tests.conftest import fill
    from govhall.identity import services as identity
    from govhall.identity.models import AgentMandate

    application = case_services.application_start(actor=enterprise_agent, item_code=item.code, legal_person=company)
    fill(application, enterprise_agent)
    case = case_services.application_submit(actor=enterprise_agent, application=application)
    case_services.case_accept(actor=window, case=case)
    agent = as_user(enterprise_agent)
    rated = ok(post(agent, f"/cases/{case.number}/ratings", {"score": 4}), 201)
    assert rated["stage"] == "accept"
    rating = Rating.objects.get(pk=rated["id"])
    assert rating.rater_role == "agent" and rating.mandate is not None
    # the mandate ends: the agent's authority ends with it, at the moment of rating
    identity.agent_revoke(actor=company.legal_representative.user,
                          mandate=AgentMandate.objects.get(legal_person=company), reason="离职")
    Case.objects.filter(pk=case.pk).update(state="closed", closed_at=case.received_at)  # as if closed since
    refused = post(as_user(enterprise_agent), f"/cases/{case.number}/ratings", {"score": 5, "stage": "close"})
    assert error(refused, 404)["code"] == "not_found"  # a case one may no longer act on is not there
    # the legal representative may still rate
    representative = as_user(company.legal_representative.user)
    assert ok(post(representative, f"/cases/{case.number}/ratings", {"score": 5, "stage": "close"}), 201)
    assert Rating.objects.get(case=case, stage="close").rater_role == "representative"
