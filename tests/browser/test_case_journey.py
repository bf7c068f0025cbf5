"""A case from the guide to the result, in real Chromium: 张三 applies on a phone (390 px), the window
officer, the reviewer and the approver work on a desktop workbench; and a joint case handled by two
organs in parallel.

The server's clock is set to Monday 2026-06-01 09:00 (Beijing time) and keeps ticking; the test moves
it by whole days between phases. Every page visited is checked: Chinese (``lang="zh-CN"``), one
``main``, every input labelled, and nothing wider than the phone on the applicant's pages.
"""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client

from govhall.cases import services
from govhall.cases.models import Case, CaseState, CaseStep, Decision
from govhall.cases.tests import conftest as cases
from govhall.catalog import testing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(os.environ.get("GOVHALL_SCREENSHOT_DIR", "/tmp"))
PROMISE = "本人承诺所经营食品符合食品安全标准，如有虚假愿承担法律责任。"

# the staff of the case tests: 六安市市场监督管理局 (window_officer, reviewer, approver) and the
# co-organ 六安市住房和城乡建设局 (co_reviewer)
window, reviewer, approver = cases.window, cases.reviewer, cases.approver
co_organ, co_reviewer = cases.co_organ, cases.co_reviewer


@pytest.fixture
def traveller():
    """2026-06-01 09:00 for the test and the live server (same process), with time running."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def server_in_2026(settings, tmp_path):
    """The server lives in June 2026, Chromium in the present: a cookie the server dates (the session,
    renewed on each response for 30 minutes; the CSRF cookie, for a year) could be already expired for
    the browser, which would drop it. Make both last as long as the browser session instead."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(traveller, organ):
    """食品经营许可 with every kind of material (promised 10, legal 20 working days; steps 承办 → 审核 → 批准)."""
    return testing.make_item(organ=organ, process_steps=cases.STEPS, materials=cases.MATERIALS)


@pytest.fixture
def joint_item(traveller, organ, co_organ):
    return testing.make_item(organ=organ, name="建设项目联合审批", process_steps=cases.STEPS[:3],
                             materials=cases.MATERIALS[:2], joint_organs=[co_organ.credit_code],
                             legal_time_limit_days=20, promised_time_limit_days=15)


@pytest.fixture
def pdf_file(tmp_path):
    def make(name: str, tag: str) -> Path:
        path = tmp_path / name
        path.write_bytes(cases.PDF + f"% {tag}\n".encode())
        return path

    return make


class Actor:
    """One person in their own browser context, logged in by a session cookie (what the login flow
    leaves after the password and the second factor; see conftest ``fully_logged_in``)."""

    def __init__(self, browser, base_url: str, user, *, phone: bool):
        self.base_url, self.user, self.phone = base_url, user, phone
        self.context = browser.new_context(viewport=PHONE if phone else DESKTOP, accept_downloads=True)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.sign_in()

    def sign_in(self):
        """A fresh session: sessions end after 30 idle minutes, so after every shift of the clock."""
        client = Client()
        client.force_login(self.user)
        name = django_settings.SESSION_COOKIE_NAME
        self.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": self.base_url,
                                   "httpOnly": True, "sameSite": "Lax"}])

    def open(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response.status == 200, (path, response.status)
        self.check()
        return self.page

    def check(self):
        page = self.page
        assert page.evaluate("document.documentElement.lang") == "zh-CN", page.url
        assert page.locator("main").count() == 1, page.url
        assert_every_input_is_labelled(page)
        if self.phone:
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{page.url} is {width} px wide"

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()

    def form(self, name: str):
        return self.page.get_by_role("form", name=name, exact=True)

    def submit(self, form, button: str):
        """Click a form's button and wait for the page it leads to (PRG: a redirect to a 200 page)."""
        with self.page.expect_navigation():
            form.get_by_role("button", name=button, exact=True).click()
        self.check()

    def screenshot(self, name: str):
        self.page.screenshot(path=str(SCREENSHOTS / f"govhall-{name}.png"), full_page=True)


def assert_every_input_is_labelled(page):
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden')
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                      && !el.getAttribute('aria-labelledby'))
        .map(el => el.outerHTML)""")
    assert unlabelled == [], page.url


def material(page, name: str):
    """The row of one material on the draft or the case page (its heading is the material's name)."""
    return page.locator("li.material").filter(has=page.get_by_role("heading", name=name, exact=True))


def handling_row(page, step: str):
    """The row of a handling step on the workbench case page (second cell: “name (kind)”)."""
    return page.locator("#handling tbody tr").filter(has=page.locator("td:nth-child(2)", has_text=f"{step} ("))


def test_citizen_applies_corrects_and_downloads_the_decision(traveller, server_in_2026, live_server, browser,
                                                            applicant_person, item, window, reviewer, approver,
                                                            pdf_file):
    citizen = Actor(browser, live_server.url, applicant_person.user, phone=True)
    officer = Actor(browser, live_server.url, window, phone=False)
    handler = Actor(browser, live_server.url, reviewer, phone=False)
    head = Actor(browser, live_server.url, approver, phone=False)

    # --- 1. Mon 06-01: 张三 applies online from the guide --------------------------------------------
    page = citizen.open(f"/items/{item.code}/")
    with page.expect_navigation():
        page.get_by_role("button", name="在线办理").click()
    assert re.search(r"/applications/[0-9a-f-]{36}/$", page.url)
    citizen.check()
    page.get_by_label("联系人").fill("张三")
    page.get_by_label("联系电话").fill("13955600001")
    page.get_by_label("联系地址").fill("六安市金安区梅山南路 1 号")
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()  # typed fields are saved before an upload
    citizen.check()
    assert "草稿已保存。" in citizen.text()

    licence = material(page, "营业执照")  # an e-licence: fetched by the organ, nothing to upload
    assert licence.locator("input[type=file]").count() == 0
    assert "由部门通过数据共享获取，无需提交。" in licence.inner_text()

    plan = material(page, "经营场所平面图")
    plan.get_by_label("上传文件").set_input_files(pdf_file("平面图.pdf", "plan"))
    with page.expect_navigation():
        plan.get_by_role("button", name="上传", exact=True).click()
    citizen.check()
    assert "文件已上传。" in citizen.text()
    assert "平面图.pdf" in material(page, "经营场所平面图").inner_text()
    assert page.get_by_label("联系人").input_value() == "张三"

    health = material(page, "健康证明")
    health.get_by_label("稍后补交").check()
    health.get_by_label("补交日期").fill("2026-06-10")
    promise = material(page, "食品安全承诺书")
    promise.get_by_label("签署承诺代替").check()
    promise.get_by_label("承诺内容").fill(PROMISE)
    citizen.screenshot("draft-390")
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    citizen.check()

    case = Case.objects.get(applicant=applicant_person.user)
    assert case.number == f"{item.code}202606010001"
    assert page.url.endswith(f"/my/cases/{case.number}/#receipt")
    assert "申请已提交。请保存下方的办件编号和查询码。" in citizen.text()
    receipt = citizen.text("#receipt")
    assert case.number in receipt and "查询码" in receipt
    assert re.fullmatch(r"\d{6}", page.locator("#query-code").inner_text()) and case.query_code in receipt
    assert "2026-06-08" in receipt  # decision on acceptance: 5 working days after Mon 06-01
    citizen.screenshot("receipt-390")

    # --- 2. the window officer asks for a corrected plan, once --------------------------------------
    page = officer.open(f"/console/cases/{case.number}/")
    notice = officer.form("一次性补正告知")
    assert notice.get_by_label("营业执照").count() == 0  # fetched materials are never asked for (Art. 8)
    notice.get_by_label("经营场所平面图", exact=True).check()
    notice.get_by_label("需补正的内容：经营场所平面图").fill("平面图未标注各功能区面积，请补充后重新上传")
    officer.submit(notice, "发出补正告知")
    assert "补正告知已发送给申请人。" in officer.text()
    officer.screenshot("workbench-correction")

    page = citizen.open(f"/my/cases/{case.number}/")
    correction = citizen.text("#correction")
    # 15 working days from Mon 06-01, the Dragon Boat Festival (Fri 06-19) excluded
    assert "请在 2026-06-23 前一次性补正以下全部 1 项。" in correction
    assert "平面图未标注各功能区面积，请补充后重新上传" in correction
    assert page.locator("#correction li.material").count() == 1

    traveller.shift(dt.timedelta(days=1))  # Tue 06-02
    for actor in (citizen, officer, handler, head):
        actor.sign_in()
    page = citizen.open(f"/my/cases/{case.number}/")
    listed = material(page, "经营场所平面图")
    listed.get_by_label("上传补正后的文件").set_input_files(pdf_file("平面图（补正）.pdf", "plan v2"))
    with page.expect_navigation():
        listed.get_by_role("button", name="上传", exact=True).click()
    citizen.check()
    assert "平面图（补正）.pdf" in citizen.text("#correction")
    with page.expect_navigation():
        page.get_by_role("button", name="提交补正").click()
    citizen.check()
    assert "补正材料已提交，部门将在 5 个工作日内作出受理决定。" in citizen.text()
    citizen.screenshot("corrected-390")

    # --- 3. acceptance, special procedure, extension, steps, decision --------------------------------
    officer.open(f"/console/cases/{case.number}/")
    officer.submit(officer.form("受理"), "受理申请")
    assert "办件已受理。" in officer.text()

    citizen.open(f"/my/cases/{case.number}/")
    status = citizen.text("section[aria-labelledby=status-h]")
    # accepted Tue 06-02: promised 10 working days → Tue 06-16, legal 20 → Wed 07-01
    assert "预计 2026-06-16 前办结" in status and "法定期限：2026-07-01" in status

    handler.open(f"/console/cases/{case.number}/")
    step = handler.form("办结“承办”环节")
    assert step.get_by_label("通过，转下一环节").is_checked()
    handler.submit(step, "办结本环节")  # without the opinion it needs: re-shown with the problem (400)
    assert "请填写办理意见" in handler.text("[role=alert]")
    step.get_by_label("意见", exact=True).fill("材料齐全，同意")
    handler.submit(step, "办结本环节")
    special = handler.form("启动特别程序")
    special.get_by_label("特别程序种类").select_option(label="现场核查")
    special.get_by_label("理由", exact=True).fill("核查经营场所布局与平面图是否一致")
    special.get_by_label("法律依据").fill("《食品经营许可管理办法》")
    special.get_by_label("预计所需时间（工作日）").fill("5")
    handler.submit(special, "启动特别程序")
    assert "计时暂停" in handler.text("#clock")

    citizen.open(f"/my/cases/{case.number}/")
    status = citizen.text("section[aria-labelledby=status-h]")
    # 5 working days assumed paused: 10 + 5 from Tue 06-02 → Wed 06-24, over the holiday
    assert "办件处于特别程序（检验、听证、专家评审等），办理时限暂停计算，期间不计入时限。" in status
    assert "预计办结日期：2026-06-24。" in status
    citizen.screenshot("clock-stopped-390")

    traveller.shift(dt.timedelta(days=2))  # Thu 06-04: the site check is over after 2 working days
    for actor in (citizen, officer, handler, head):
        actor.sign_in()
    handler.open(f"/console/cases/{case.number}/")
    ending = handler.form("结束特别程序（现场核查）")
    ending.get_by_label("特别程序结果").fill("经营场所与平面图一致")
    handler.submit(ending, "结束特别程序")
    citizen.open(f"/my/cases/{case.number}/")
    assert "预计 2026-06-18 前办结" in citizen.text("section[aria-labelledby=status-h]")  # 10 + 2 paused

    handler.open(f"/console/cases/{case.number}/")
    extension = handler.form("申请延期")
    extension.get_by_label("延长工作日数").fill("5")
    extension.get_by_label("延期理由").fill("需征求卫生健康部门意见")
    handler.submit(extension, "提交延期申请")
    head.open(f"/console/cases/{case.number}/")
    head.submit(head.form("申请延期 5 个工作日"), "批准延期")
    assert "延期已批准，办结期限已相应顺延。" in head.text()

    citizen.open(f"/my/cases/{case.number}/")
    status = citizen.text("section[aria-labelledby=status-h]")
    # 10 + 2 paused + 5 extension = 17 working days from Tue 06-02 → Fri 06-26 (Fri 06-19 is a holiday);
    # legal 20 + 2 + 5 = 27 → Fri 07-10
    assert "预计 2026-06-26 前办结" in status and "法定期限：2026-07-10" in status
    timeline = citizen.text("#timeline")
    assert "承诺办结日期由 2026-06-18 变更为 2026-06-26" in timeline
    citizen.screenshot("extended-390")

    handler.open(f"/console/cases/{case.number}/")
    review = handler.form("办结“审核”环节")
    review.get_by_label("意见", exact=True).fill("符合许可条件")
    handler.submit(review, "办结本环节")
    assert handler.form("办结“批准”环节").count() == 0  # the approval step is the approver's
    head.open(f"/console/cases/{case.number}/")
    approval = head.form("办结“批准”环节")
    approval.get_by_label("意见", exact=True).fill("同意")
    head.submit(approval, "办结本环节")
    for step_name, who, said in (("承办", "reviewer", "材料齐全，同意"), ("审核", "reviewer", "符合许可条件"),
                                 ("批准", "approver", "同意")):
        row = handling_row(head.page, step_name).inner_text()
        assert "已完成" in row and who in row and said in row, row

    decide = head.form("作出决定")
    decide.get_by_label("准予许可").check()
    decide.get_by_label("理由", exact=True).fill("申请材料齐全，经营场所符合要求")
    decide.get_by_label("法律依据").fill("《中华人民共和国食品安全法》第三十五条")
    head.submit(decide, "作出决定")
    head.screenshot("workbench-decided")
    decision = Decision.objects.get(case=case)

    page = citizen.open(f"/my/cases/{case.number}/")
    decided = citizen.text("#decision")
    assert "准予许可" in decided and decision.document_number in decided
    assert "《中华人民共和国食品安全法》第三十五条" in decided
    assert page.locator(".case-progress__step--done").count() == 6  # received, accepted, 3 steps, decided
    with page.expect_download() as info:
        page.locator("#results").get_by_role("link", name=f"{decision.document_number}.html").click()
    document = Path(info.value.path()).read_text(encoding="utf-8")
    assert case.number in document and "准予行政许可决定书" in document
    citizen.screenshot("decided-390")


def test_joint_case_is_handled_by_two_organs_in_parallel(traveller, server_in_2026, live_server, browser,
                                                         applicant_person, joint_item, window, reviewer,
                                                         approver, co_reviewer):
    user = applicant_person.user
    application = services.application_start(actor=user, item_code=joint_item.code)
    cases.fill(application, user)
    case = services.application_submit(actor=user, application=application)

    officer = Actor(browser, live_server.url, window, phone=False)
    lead = Actor(browser, live_server.url, reviewer, phone=False)
    co = Actor(browser, live_server.url, co_reviewer, phone=False)
    head = Actor(browser, live_server.url, approver, phone=False)

    officer.open(f"/console/cases/{case.number}/")
    assert "联办" in officer.page.locator(".c-facts").first.inner_text()  # the joint-handling badge
    officer.submit(officer.form("受理"), "受理申请")

    page = co.open("/console/cases/?queue=joint")
    tab = page.get_by_role("navigation", name="办件队列").get_by_role("link", name=re.compile("待联办意见"))
    assert tab.get_attribute("aria-current") == "page" and "1" in tab.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name=case.number).click()
    co.check()
    assert co.form("办结“承办”环节").count() == 0  # the lead organ's step is not the co-organ's

    # both organs have the case open at the same time
    lead.open(f"/console/cases/{case.number}/")
    opinion = co.form("六安市住房和城乡建设局 的联办意见")
    opinion.get_by_label("同意", exact=True).check()
    opinion.get_by_label("意见", exact=True).fill("符合规划条件，同意")
    co.submit(opinion, "提交联办意见")
    assert "本部门的联办意见已记录。" in co.text()

    step = lead.form("办结“承办”环节")
    step.get_by_label("意见", exact=True).fill("材料齐全，符合条件")
    lead.submit(step, "办结本环节")  # the page opened before the co-organ's opinion is not stale for this
    assert lead.page.get_by_role("alert").count() == 0, lead.text("[role=alert]")
    assert "本环节已办结。" in lead.text() and step.count() == 0

    head.open(f"/console/cases/{case.number}/")
    joint = head.text("#handling")
    assert "六安市住房和城乡建设局" in joint and "符合规划条件，同意" in joint
    decide = head.form("作出决定")
    decide.get_by_label("准予许可").check()
    decide.get_by_label("理由", exact=True).fill("两部门意见一致，符合条件")
    decide.get_by_label("法律依据").fill("《中华人民共和国行政许可法》第二十六条")
    head.submit(decide, "作出决定")
    head.screenshot("workbench-joint-decided")

    case.refresh_from_db()
    assert case.state == CaseState.DECIDED and Decision.objects.filter(case=case).count() == 1
    assert set(case.steps.values_list("kind", "state")) == {(CaseStep.Kind.UNDERTAKE, CaseStep.State.DONE),
                                                             (CaseStep.Kind.JOINT, CaseStep.State.DONE)}
    assert head.form("作出决定").count() == 0  # decided once
