"""The applicant side through the web: guide button → draft → materials → submit → receipt, my cases,
corrections, withdrawal, results, payment simulator and the public progress lookup."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govhall.cases import services
from govhall.cases.models import Application, Case, CaseState, PaymentOrder
from govhall.cases.tests.conftest import fill, pdf
from govhall.catalog import testing
from govhall.identity.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user_client(client, applicant_person, fully_logged_in):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return fully_logged_in(client, applicant_person.user)


@pytest.fixture
def stranger_client(client_factory, fully_logged_in):
    other = User.objects.create_user(username="stranger", password="Correct-Horse-9")
    return fully_logged_in(client_factory(), other)


@pytest.fixture
def client_factory():
    from django.test import Client

    def make():
        c = Client()
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


def material_id(application, name):
    return application.materials.get(material__name=name).material_id


def upload(name="平面图.pdf", tag="plan"):
    return SimpleUploadedFile(name, pdf(tag).getvalue(), content_type="application/pdf")


def section(html: str, anchor: str) -> str:
    """The <li> of one material (from its id up to the next material)."""
    start = html.index(f'id="{anchor}"')
    following = html.find('<li class="material', start)
    return html[start:following if following != -1 else None]


def codes(response) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', response.content.decode())


def decide(case, window, reviewer, approver):
    services.case_accept(actor=window, case=case)
    case.refresh_from_db()
    for _ in range(3):
        case.refresh_from_db()
        actor = approver if case.current_step.kind == "approve" else reviewer
        services.step_complete(actor=actor, case=case, step_id=case.current_step_id, action="pass", opinion="同意")
    case.refresh_from_db()
    return services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合许可条件",
                                legal_basis="《中华人民共和国食品安全法》第三十五条")


# --- applying -------------------------------------------------------------------------------------


def test_the_whole_applicant_journey(user_client, item, media):
    guide = user_client.get(reverse("portal:guide", args=[item.code])).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', guide).group(1)
    start = reverse("cases:apply", args=[item.code])
    first, second = user_client.post(start, {"token": token}), user_client.post(start, {"token": token})
    assert first.status_code == 302 and first["Location"] == second["Location"]  # double click: one draft
    application = Application.objects.get()
    assert first["Location"] == reverse("cases:draft", args=[application.public_id])

    page = user_client.get(first["Location"]).content.decode()
    licence = section(page, f"material-{material_id(application, '营业执照')}")
    assert "Fetched by the organ through data sharing: nothing to upload." in licence
    assert 'type="file"' not in licence
    assert "Filled in online (this form)." in section(page, f"material-{material_id(application, '申请书')}")
    plan = material_id(application, "经营场所平面图")
    assert 'accept=".pdf,.jpg,.jpeg,.png,.ofd"' in section(page, f"material-{plan}")

    # submitting an incomplete application lists every problem at once, each next to its field
    draft_url = first["Location"]
    response = user_client.post(draft_url, {"action": "submit", "contact_name": "张三", "contact_phone": "123",
                                            "address": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    found = codes(response)
    assert {"cases.form.format", "cases.form.required", "cases.material.missing"} <= set(found)
    assert found.count("cases.material.missing") == 3  # plan, health certificate, promise
    assert 'id="field-contact_phone-errors"' in html and 'id="field-address-errors"' in html
    assert f'id="material-{plan}-errors"' in html
    assert Application.objects.get().state == "draft"

    # uploading a file for the fetched material is refused
    licence_id = material_id(application, "营业执照")
    refused = user_client.post(reverse("cases:material_upload", args=[application.public_id, licence_id]),
                               {"file": upload()})
    assert refused.status_code == 400 and "cases.material.fetched" in codes(refused)

    done = user_client.post(reverse("cases:material_upload", args=[application.public_id, plan]),
                            {"file": upload()})
    assert done.status_code == 302
    page = user_client.get(draft_url).content.decode()
    plan_html = section(page, f"material-{plan}")
    stored = application.materials.get(material_id=plan).files.get().stored
    assert "平面图.pdf" in plan_html and stored.sha256[:12] in plan_html

    health, promise = material_id(application, "健康证明"), material_id(application, "食品安全承诺书")
    optional = material_id(application, "其他说明材料")
    response = user_client.post(draft_url, {
        "action": "submit", "contact_name": "张三", "contact_phone": "13955600001",
        "address": "六安市金安区梅山南路 1 号", f"mode_{health}": "later", f"follow_by_{health}": "2026-06-10",
        f"mode_{promise}": "promised", f"promise_{promise}": "本人承诺所经营食品符合食品安全标准，如有虚假愿承担法律责任。",
        f"not_needed_{optional}": "1"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case", args=[case.number]) + "#receipt"
    receipt = user_client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert case.number in receipt and f'id="query-code">{case.query_code}<' in receipt
    assert "Print the receipt" in receipt
    rows = {r.material.name: r for r in case.application.materials.select_related("material")}
    assert rows["健康证明"].status == "later" and rows["健康证明"].follow_by == dt.date(2026, 6, 10)
    assert rows["食品安全承诺书"].status == "promised" and rows["其他说明材料"].status == "not_needed"
    # the draft page of a submitted application leads to its case
    assert user_client.get(draft_url)["Location"] == reverse("cases:case", args=[case.number])


def test_saving_a_draft_keeps_what_was_typed(user_client, item):
    response = user_client.post(reverse("cases:apply", args=[item.code]), {"token": "guide-token-1"})
    draft_url = response["Location"]
    saved = user_client.post(draft_url, {"action": "save", "contact_phone": "139"})
    assert saved.status_code == 302
    assert Application.objects.get().form_data["contact_phone"] == "139"
    assert 'value="139"' in user_client.get(draft_url).content.decode()


def test_starting_needs_a_verified_identity(client, applicant, item, fully_logged_in):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fully_logged_in(client, applicant)  # an account without a real-name identity
    response = client.post(reverse("cases:apply", args=[item.code]), {"token": "guide-token-2"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cases.applicant.no_identity" in html and reverse("identity:account") in html
    assert not Application.objects.exists()


def test_trust_level_too_low_is_explained(user_client, applicant_person, organ, clock_start):
    strict = testing.make_item(organ=organ, name="高要求事项", min_trust_level=4)
    response = user_client.post(reverse("cases:apply", args=[strict.code]), {"token": "guide-token-3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cases.applicant.trust_level" in html and "4" in html and reverse("identity:account") in html


def test_a_company_applicant_is_chosen(user_client, company, item):
    start = reverse("cases:apply", args=[item.code])
    choice = user_client.post(start, {"token": "guide-token-4"})
    assert choice.status_code == 200 and company.name in choice.content.decode()
    response = user_client.post(start, {"token": "guide-token-4", "applicant": str(company.pk)})
    assert response.status_code == 302
    assert Application.objects.get().legal_person == company


def test_anonymous_visitors_log_in_first(client, item):
    response = client.post(reverse("cases:apply", args=[item.code]), {"token": "guide-token-5"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_guide_button_is_shown_for_the_version_in_force(client, item):
    html = client.get(reverse("portal:guide", args=[item.code])).content.decode()
    assert reverse("cases:apply", args=[item.code]) in html


# --- my cases and the case page ------------------------------------------------------------------


def test_my_cases_lists_progress_organ_and_expected_date(user_client, submitted, window, item, applicant_person):
    services.application_start(actor=applicant_person.user, item_code=item.code)  # a second, draft
    html = user_client.get(reverse("cases:my_cases")).content.decode()
    assert submitted.number in html and submitted.organ.name in html
    assert 'aria-current="step"' in html and "Drafts not yet submitted" in html
    assert submitted.acceptance_due.isoformat() in html
    services.case_accept(actor=window, case=submitted)
    submitted.refresh_from_db()
    html = user_client.get(reverse("cases:my_cases")).content.decode()
    assert f"Expected by {submitted.due_date.isoformat()}" in html
    assert "承办" in html


def test_a_stopped_clock_and_an_unknown_year_are_said(user_client, submitted, window, reviewer, clock_start,
                                                      fully_logged_in):
    services.case_accept(actor=window, case=submitted)
    submitted.refresh_from_db()
    services.special_procedure_start(actor=reviewer, case=submitted, kind="site_check", reason="核查经营场所",
                                     legal_basis="", expected_days=5)
    html = user_client.get(reverse("cases:case", args=[submitted.number])).content.decode()
    assert "The clock is stopped" in html and "Projected completion date" in html
    clock_start.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    Case.objects.filter(pk=submitted.pk).update(promised_days=60)
    fully_logged_in(user_client, submitted.applicant)  # the session of June has expired
    html = user_client.get(reverse("cases:case", args=[submitted.number])).content.decode()
    assert "official holiday schedule for 2027 is published" in html


def test_someone_elses_case_is_not_found(stranger_client, submitted):
    number = submitted.number
    assert stranger_client.get(reverse("cases:case", args=[number])).status_code == 404
    assert stranger_client.post(reverse("cases:withdraw", args=[number]), {"confirm": "on"}).status_code == 404
    assert stranger_client.get(reverse("cases:draft", args=[submitted.application.public_id])).status_code == 404
    plan = material_id(submitted.application, "经营场所平面图")
    assert stranger_client.post(reverse("cases:material_upload", args=[submitted.application.public_id, plan]),
                                {"file": upload()}).status_code == 404


def test_correction_notice_lists_everything_and_is_answered_at_once(user_client, submitted, window, clock_start):
    plan = material_id(submitted.application, "经营场所平面图")
    services.correction_notice_issue(actor=window, case=submitted, items=[
        {"material": plan, "problem": "平面图未标注面积"}, {"form_field": "address", "problem": "地址不完整"}])
    url = reverse("cases:case", args=[submitted.number])
    html = user_client.get(url).content.decode()
    assert "平面图未标注面积" in html and "地址不完整" in html and "Correct these 2 items" in html
    assert f'id="file-{plan}"' in html and 'id="id_address"' in html and "Submit the corrections" in html

    correction = reverse("cases:correction_submit", args=[submitted.number])
    missing = user_client.post(correction, {"address": "六安市金安区梅山南路1号3楼"})
    assert missing.status_code == 400 and codes(missing) == ["cases.correction.material_missing"]
    assert f'id="material-{plan}-errors"' in missing.content.decode()

    uploaded = user_client.post(reverse("cases:material_upload", args=[submitted.application.public_id, plan]),
                                {"file": upload("平面图-修订.pdf", "v2")})
    assert uploaded.status_code == 302 and uploaded["Location"].endswith("#correction")
    assert "平面图-修订.pdf" in user_client.get(url).content.decode()
    done = user_client.post(correction, {"address": "六安市金安区梅山南路1号3楼"})
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED
    assert submitted.application.form_data["address"].endswith("3楼")


def test_withdrawal_needs_confirmation(user_client, submitted):
    url = reverse("cases:withdraw", args=[submitted.number])
    refused = user_client.post(url, {"reason": "不再经营"})
    assert refused.status_code == 400 and "cases.portal.confirm" in codes(refused)
    submitted.refresh_from_db()
    assert submitted.state == CaseState.SUBMITTED
    assert user_client.post(url, {"reason": "不再经营", "confirm": "on"}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == CaseState.WITHDRAWN
    html = user_client.get(reverse("cases:case", args=[submitted.number])).content.decode()
    assert "I want to withdraw" not in html and "不再经营" in html


def test_decision_and_results_download(user_client, stranger_client, submitted, window, reviewer, approver):
    decision = decide(submitted, window, reviewer, approver)
    html = user_client.get(reverse("cases:case", args=[submitted.number])).content.decode()
    assert decision.document_number in html and "符合许可条件" in html and "第三十五条" in html
    result = submitted.results.get()
    url = reverse("cases:result", args=[submitted.number, result.pk])
    assert url in html
    response = user_client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert decision.document_number.encode() in b"".join(response.streaming_content)
    assert stranger_client.get(url).status_code == 404
    assert user_client.get(reverse("cases:result", args=[submitted.number, result.pk + 999])).status_code == 404


# --- payment -----------------------------------------------------------------------------------------


def test_an_order_number_drawn_twice_is_drawn_again(applicant_person, organ, window, clock_start, media,
                                                    monkeypatch):
    paid_item = testing.make_item(organ=organ, name="收费事项", fee_charged=True, fees=[
        {"name": "工本费", "standard": "每件10元", "basis": "", "reduction": ""}])
    user = applicant_person.user
    cases = []
    for _ in range(2):
        application = services.application_start(actor=user, item_code=paid_item.code)
        fill(application, user)
        cases.append(services.application_submit(actor=user, application=application))
    draws = iter(["PAY20261208120000000000000001", "PAY20261208120000000000000001", "PAY20261208120000000000000002"])
    monkeypatch.setattr("govhall.cases.payments.new_order_number", lambda: next(draws))
    for case in cases:
        services.case_accept(actor=window, case=case)
    assert sorted(PaymentOrder.objects.values_list("order_number", flat=True)) == [
        "PAY20261208120000000000000001", "PAY20261208120000000000000002"]


def test_payment_simulator_marks_the_order_paid(user_client, stranger_client, applicant_person, organ, window,
                                                 clock_start, media):
    paid_item = testing.make_item(organ=organ, name="收费事项", fee_charged=True, fees=[
        {"name": "工本费", "standard": "每件10元", "basis": "", "reduction": ""}])
    user = applicant_person.user
    application = services.application_start(actor=user, item_code=paid_item.code)
    fill(application, user)
    case = services.application_submit(actor=user, application=application)
    services.case_accept(actor=window, case=case)
    html = user_client.get(reverse("cases:case", args=[case.number])).content.decode()
    assert reverse("cases:pay", args=[case.number]) in html and "10.00" in html

    response = user_client.post(reverse("cases:pay", args=[case.number]))
    order = PaymentOrder.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == f"/pay/simulator/{order.order_number}/"
    page = user_client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "10.00" in text and "工本费" in text and "no real money" in text
    assert stranger_client.get(response["Location"]).status_code == 404
    back = user_client.post(response["Location"])
    assert back.status_code == 302 and back["Location"] == reverse("cases:case", args=[case.number])
    order.refresh_from_db()
    case.refresh_from_db()
    assert order.state == PaymentOrder.State.PAID and case.paid
    assert reverse("cases:pay", args=[case.number]) not in user_client.get(back["Location"]).content.decode()


class OtherProvider:
    """A real provider's stand-in: its payment page is elsewhere."""

    def start(self, order):
        return "https://pay.example.cn/" + order.order_number

    def parse_callback(self, data):
        raise AssertionError("not called")


@pytest.mark.parametrize("demo, provider, status", [
    (True, "govhall.cases.payments.SimulatorProvider", 200),
    (False, "govhall.cases.payments.SimulatorProvider", 404),
    (True, f"{__name__}.OtherProvider", 404),
    (False, f"{__name__}.OtherProvider", 404),
])
def test_the_payment_simulator_page_exists_only_as_the_provider_in_demo_mode(
        user_client, applicant_person, organ, window, clock_start, media, settings, demo, provider, status):
    paid_item = testing.make_item(organ=organ, name="收费事项", fee_charged=True, fees=[
        {"name": "工本费", "standard": "每件10元", "basis": "", "reduction": ""}])
    user = applicant_person.user
    application = services.application_start(actor=user, item_code=paid_item.code)
    fill(application, user)
    case = services.application_submit(actor=user, application=application)
    services.case_accept(actor=window, case=case)
    assert user_client.post(reverse("cases:pay", args=[case.number])).status_code == 302
    order = PaymentOrder.objects.get(case=case)
    settings.GOVHALL_DEMO, settings.GOVHALL_PAYMENT_PROVIDER = demo, provider
    url = reverse("cases:simulator", args=[order.order_number])
    assert user_client.get(url).status_code == status
    assert user_client.post(url).status_code == (302 if status == 200 else 404)
    order.refresh_from_db()
    assert (order.state == PaymentOrder.State.PAID) is (status == 200)


# --- public progress ----------------------------------------------------------------------------------


def test_public_progress_shows_no_personal_data(client, submitted, window):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    services.case_accept(actor=window, case=submitted)
    url = reverse("cases:progress")
    assert client.get(url).status_code == 200
    response = client.post(url, {"number": submitted.number, "query_code": submitted.query_code})
    html = response.content.decode()
    assert response.status_code == 200 and submitted.item_name in html and submitted.organ.name in html
    assert "张三" not in html and "1395" not in html
    assert "accepted" in html and "承办" in html
    wrong_code = client.post(url, {"number": submitted.number, "query_code": "000000"
                                   if submitted.query_code != "000000" else "111111"})
    wrong_number = client.post(url, {"number": "X" + submitted.number[1:], "query_code": submitted.query_code})
    for response in (wrong_code, wrong_number):
        assert response.status_code == 404
        assert "Not found: the case number or the query code is wrong." in response.content.decode()
        assert submitted.item_name not in response.content.decode()


def test_public_progress_is_throttled_after_ten_failures(client, submitted):
    url = reverse("cases:progress")
    for _ in range(10):
        assert client.post(url, {"number": submitted.number, "query_code": "999999x"}).status_code == 404
    blocked = client.post(url, {"number": submitted.number, "query_code": submitted.query_code})
    assert blocked.status_code == 429 and "查询失败次数过多" in blocked.content.decode()
    other_address = client.post(url, {"number": submitted.number, "query_code": submitted.query_code},
                                REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_the_progress_throttle_is_shared_by_every_worker_and_survives_a_restart(client_factory, submitted,
                                                                                 clock_start):
    """Two web workers (each with its own memory, emptied as by a restart) count the same failures."""
    url = reverse("cases:progress")
    wrong = {"number": submitted.number, "query_code": "999999x"}
    right = {"number": submitted.number, "query_code": submitted.query_code}
    first_worker, second_worker = client_factory(), client_factory()
    for _ in range(5):
        assert first_worker.post(url, wrong).status_code == 404
    cache.clear()  # the other process's memory, or this one's after a restart
    for _ in range(5):
        assert second_worker.post(url, wrong).status_code == 404
    cache.clear()
    assert first_worker.post(url, right).status_code == 429
    assert second_worker.post(url, right).status_code == 429
    clock_start.shift(dt.timedelta(seconds=settings.GOVHALL_PROGRESS_WINDOW + 1))
    assert first_worker.post(url, right).status_code == 200  # the failures left the window


def test_public_progress_and_the_applicant_page_give_the_same_expected_date(client, submitted, applicant):
    """One answer: the public lookup says what the applicant's own pages say."""
    client.force_login(applicant)
    mine = client.get(f"/my/cases/{submitted.number}/").content.decode()
    client.logout()
    public = client.post("/progress/", {"number": submitted.number, "query_code": submitted.query_code}).content.decode()
    date = submitted.acceptance_due.isoformat()
    assert date in mine and date in public
    assert "暂未确定" not in public and "not known yet" not in public


def test_my_cases_tells_cases_apart_by_date_and_next_step(client, submitted, applicant):
    client.force_login(applicant)
    page = client.get("/my/cases/").content.decode()
    assert "提交日期" in page and submitted.received_at.date().isoformat() in page
    assert "等待部门受理" in page
