"""The feedback pages: rate a closed case, bad rating → rectification in the console → reply → the
rater answers; ask → answer → publish on the guide; complain → reply → rate."""
# ruff: noqa: F811

import pytest
from django.test import Client
from django.urls import reverse

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
from govhall.core import events
from govhall.feedback.models import Complaint, Consultation, Rating


@pytest.fixture
def as_user(fully_logged_in):
    def login(user) -> Client:
        return fully_logged_in(Client(), user)

    return login


@pytest.fixture
def closed_case(submitted, window):
    case_services.case_refuse(actor=window, case=submitted, reason="材料不属实", legal_basis="《行政许可法》第三十二条")
    events.drain()
    return Case.objects.get(pk=submitted.pk)


def test_rate_bad_then_rectify_in_the_console(closed_case, applicant_person, window, as_user):
    citizen = as_user(applicant_person.user)
    mine = citizen.get(reverse("portal:feedback_ratings"))
    assert closed_case.number in mine.content.decode()  # waiting for a rating
    url = reverse("portal:feedback_rate", args=[closed_case.number])
    page = citizen.get(url)
    assert page.status_code == 200 and "非常不满意" in page.content.decode()
    refused = citizen.post(url, {"score": "2", "stage": "close"})
    assert refused.status_code == 400 and "feedback.rating.reason_required" in refused.content.decode()
    done = citizen.post(url, {"score": "2", "stage": "close", "reasons": ["X01"], "comment": "太慢",
                              "dim_efficiency": "2"})
    rating = Rating.objects.get(case=closed_case)
    assert done.status_code == 302 and done["Location"] == reverse("portal:feedback_rating", args=[rating.pk])
    assert rating.dimensions == {"efficiency": 2}
    assert citizen.post(url, {"score": "5", "stage": "close"}).status_code == 409

    desk = as_user(window)
    overview = desk.get(reverse("console:feedback"))
    assert overview.status_code == 200 and closed_case.number in overview.content.decode()
    rect_url = reverse("console:feedback_rectification", args=[rating.rectification.pk])
    assert desk.get(rect_url).status_code == 200
    for data in ({"action": "verify", "founded": "yes", "note": "属实"},
                 {"action": "callback", "reached": "yes", "note": "已电话回访"},
                 {"action": "rectify", "measures": "压缩审查时间"},
                 {"action": "reply", "reply": "已整改，谢谢监督"}):
        assert desk.post(rect_url, data).status_code == 302, data
    assert desk.post(rect_url, {"action": "reply", "reply": "again"}).status_code == 400
    detail = reverse("portal:feedback_rating", args=[rating.pk])
    assert "已整改，谢谢监督" in citizen.get(detail).content.decode()
    assert citizen.post(detail, {"satisfied": "yes", "answer": "好"}).status_code == 302
    rating.rectification.refresh_from_db()
    assert rating.rectification.state == "answered"
    figures = Client().get(reverse("portal:feedback_figures"))
    assert figures.status_code == 200 and closed_case.organ.name in figures.content.decode()
    export = desk.get(reverse("console:feedback_export"))
    assert export.status_code == 200 and closed_case.number in export.content.decode("utf-8-sig")


def test_ask_answer_publish_on_the_guide(item, applicant_person, window, as_user):
    citizen = as_user(applicant_person.user)
    guide = Client().get(reverse("portal:guide", args=[item.code]))
    assert reverse("portal:feedback_ask", args=[item.code]) in guide.content.decode()
    asked = citizen.post(reverse("portal:feedback_ask", args=[item.code]), {"question": "可以邮寄领证吗？"})
    c = Consultation.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse("portal:feedback_consultation", args=[c.pk])
    desk = as_user(window)
    url = reverse("console:feedback_consultation", args=[c.pk])
    assert desk.post(url, {"action": "answer", "answer": "可以，选择邮寄送达即可。"}).status_code == 302
    assert desk.post(url, {"action": "publish", "public_question": "可以邮寄领证吗？",
                           "public_answer": "可以，选择邮寄送达即可。"}).status_code == 302
    assert "选择邮寄送达即可" in Client().get(reverse("portal:guide", args=[item.code])).content.decode()
    assert "选择邮寄送达即可" in citizen.get(reverse("portal:feedback_consultation", args=[c.pk])).content.decode()


def test_complain_reply_rate(closed_case, applicant_person, window, as_user):
    citizen = as_user(applicant_person.user)
    filed = citizen.post(reverse("portal:feedback_complaint_new"), {
        "subject": "不予受理理由不清", "content": "窗口没说清楚", "case_number": closed_case.number})
    complaint = Complaint.objects.get()
    assert filed.status_code == 302 and complaint.organ == closed_case.organ
    desk = as_user(window)
    url = reverse("console:feedback_complaint", args=[complaint.pk])
    assert desk.post(url, {"action": "acknowledge"}).status_code == 302
    assert desk.post(url, {"action": "reply", "reply": "已说明理由"}).status_code == 302
    mine = reverse("portal:feedback_complaint", args=[complaint.pk])
    assert citizen.post(mine, {"score": "4"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.reply_score == 4
    assert as_user(window).get(mine).status_code == 404  # only the complainant's page
