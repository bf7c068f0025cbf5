"""好差评, 我要问 and complaints in real Chromium: 张三 (on a phone) rates his closed case badly, the
window officer (desktop console) verifies, calls back, rectifies and replies, and 张三 answers; he asks
about the item from its guide, the officer answers and publishes it on the guide; he complains, the
officer replies and he rates the reply. Every page: Chinese, one ``main``, every input labelled, no
wider than the phone on his pages."""
# ruff: noqa: F811 (fixtures imported from the case journey and used as arguments)

import pytest

from govhall.cases import services
from govhall.cases.models import Case
from govhall.core import events

from .test_case_journey import Actor, item, server_in_2026, traveller, window  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fieldset(page, legend: str):
    return page.locator("fieldset").filter(has=page.locator("legend", has_text=legend))


@pytest.fixture
def closed_case(traveller, server_in_2026, applicant_person, item, window):
    """张三's case, not accepted, its case.closed event delivered (the invitation to rate). Made before
    the browser starts: signing the notice runs an event loop, which Playwright's would block."""
    from govhall.cases.tests.conftest import fill

    application = services.application_start(actor=applicant_person.user, item_code=item.code)
    fill(application, applicant_person.user)
    case = services.application_submit(actor=applicant_person.user, application=application)
    services.case_refuse(actor=window, case=case, reason="经营场所不符合要求", legal_basis="《食品经营许可和备案管理办法》")
    events.drain()
    return Case.objects.get(pk=case.pk)


def test_rate_rectify_ask_publish_complain(closed_case, traveller, server_in_2026, live_server, browser,
                                           applicant_person, item, window):
    case = closed_case
    citizen = Actor(browser, live_server.url, applicant_person.user, phone=True)
    officer = Actor(browser, live_server.url, window, phone=False)

    # --- rate: invited, waiting in My ratings ----------------------------------------------------------
    page = citizen.open("/feedback/ratings/")
    assert case.number in citizen.text()
    page = citizen.open(f"/feedback/rate/{case.number}/")
    page.locator("input[name=score][value='2']").check()  # 不满意
    page.locator("input[name=reasons][value=X01]").check()  # 办事效率不满意
    page.get_by_label("评价内容", exact=True).fill("等了很久也没说清楚")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评价").click()
    citizen.check()
    assert "感谢您的评价" in citizen.text() and "待核实" in citizen.text()

    # --- the officer rectifies -------------------------------------------------------------------------
    page = officer.open("/console/feedback/")
    with page.expect_navigation():
        page.get_by_role("link", name=case.number).click()
    officer.check()
    steps = [("一、核实", "founded", "核实情况", "窗口解释不充分"), ("二、回访评价人", "reached", "回访记录", "已电话回访"),
             ("三、整改", None, "整改措施", "制作一次性告知单"), ("四、答复评价人", None, "答复", "已整改，感谢监督")]
    for legend, choice, label, text in steps:
        box = fieldset(page, legend)
        if choice:
            box.locator(f"input[name={choice}][value=yes]").check()
        box.get_by_label(label, exact=True).fill(text)
        with page.expect_navigation():
            box.get_by_role("button").click()
        officer.check()
    assert "已答复评价人" in officer.text()

    # --- 张三 answers ------------------------------------------------------------------------------------
    page = citizen.open("/feedback/ratings/")
    with page.expect_navigation():
        page.get_by_role("link", name=case.number).click()
    citizen.check()
    assert "已整改，感谢监督" in citizen.text()
    page.locator("input[name=satisfied][value=yes]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    assert "评价人已回复" in citizen.text()

    # --- 我要问 from the guide, answered and published ----------------------------------------------------
    page = citizen.open(f"/items/{item.code}/")
    with page.expect_navigation():
        page.get_by_role("link", name="咨询此事项（我要问）").click()
    citizen.check()
    page.get_by_label("您的问题", exact=True).fill("可以邮寄领取许可证吗？")
    with page.expect_navigation():
        page.get_by_role("button", name="提交问题").click()
    citizen.check()
    page = officer.open("/console/feedback/")
    with page.expect_navigation():
        page.get_by_role("link", name="可以邮寄领取许可证吗？").click()
    officer.check()
    page.get_by_label("答复", exact=True).fill("可以，申请时选择邮寄送达。")
    with page.expect_navigation():
        page.get_by_role("button", name="发送答复").click()
    officer.check()
    with page.expect_navigation():
        page.get_by_role("button", name="发布").click()
    officer.check()
    citizen.open(f"/items/{item.code}/")
    assert "申请时选择邮寄送达" in citizen.text()

    # --- a complaint, replied and rated ----------------------------------------------------------------
    page = citizen.open(f"/feedback/complaints/new/?item_code={item.code}")
    page.get_by_label("投诉主题", exact=True).fill("窗口说明不清")
    page.get_by_label("投诉内容", exact=True).fill("不予受理的理由没有讲清楚")
    with page.expect_navigation():
        page.get_by_role("button", name="提交投诉").click()
    citizen.check()
    page = officer.open("/console/feedback/")
    with page.expect_navigation():
        page.get_by_role("link", name="窗口说明不清").click()
    with page.expect_navigation():
        page.get_by_role("button", name="签收").click()
    officer.check()
    page.get_by_label("答复", exact=True).fill("已向您补充说明理由")
    with page.expect_navigation():
        page.get_by_role("button", name="发送答复").click()
    officer.check()
    from govhall.feedback.models import Complaint

    page = citizen.open(f"/feedback/complaints/{Complaint.objects.get().pk}/")
    page.locator("input[name=score][value='4']").check()  # 满意
    with page.expect_navigation():
        page.get_by_role("button", name="提交").click()
    citizen.check()
    assert "4 / 5" in citizen.text()

    # --- the public figures --------------------------------------------------------------------------------
    citizen.open("/feedback/figures/")
    assert item.organ.name in citizen.text()
    assert browser.violations == []
