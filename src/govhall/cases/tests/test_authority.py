"""Acting for a company: an agent's authority is checked at every action and every read, at that moment.

李娜 applies for 六安皖西茶业有限公司 under a mandate from its legal representative 张三. When the
mandate is revoked, has expired, is not yet in force, or no longer covers the item, every action
she takes on the company's draft or case is refused with the identity.agent.* problem (through the
API, or the web pages where the API has no such action) and changes nothing; every page, API read
and file of it answers 404. 张三 keeps full access throughout.
"""
# ruff: noqa: F811 (the case fixtures are imported from the cases conftest and used as arguments)

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govhall.cases import authority, files, selectors, services
from govhall.cases.models import Application, Case, CaseState, MaterialFile, PaymentOrder, ResultFile
from govhall.catalog import testing
from govhall.core import events
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.documents.models import SignedDocument
from govhall.identity import services as identity
from govhall.identity.models import AgentMandate
from govhall.notifications.models import Message

from .conftest import PDF, fill, pdf

API = "/api/v1"
LI = {"agent_name": "李娜", "agent_id_number": "341503199205202420"}
LAPSES = {"revoked": "identity.agent.revoked", "expired": "identity.agent.expired",
          "not_yet": "identity.agent.not_yet", "item_not_covered": "identity.agent.item_not_covered"}


# --- the company, its agent and what she started ----------------------------------------------------


@pytest.fixture
def paid_item(organ, clock_start):
    return testing.make_item(organ=organ, name="收费事项", fee_charged=True, fees=[
        {"name": "工本费", "standard": "每件10元", "basis": "", "reduction": ""}])


@pytest.fixture
def li(company, item):
    """李娜 (level 3), agent of the company for all items until tomorrow (time is frozen by ``item``)."""
    person = identity.person_register(username="agent_li", password="Correct-Horse-9", name="李娜",
                                      id_type="resident_id", id_number=LI["agent_id_number"], phone="13955600002")
    identity.person_verify_register(actor=None, person=person)
    identity.agent_grant(actor=company.legal_representative.user, legal_person=company, **LI, all_items=True,
                         expires_at=timezone.now() + dt.timedelta(days=1))
    return person.user


@pytest.fixture
def representative(company):
    return company.legal_representative.user


def _start(user, item, company):
    application = services.application_start(actor=user, item_code=item.code, legal_person=company)
    fill(application, user)
    return application


@pytest.fixture
def draft(li, item, company, media):
    """The company's complete draft, started and filled in by 李娜 while authorised."""
    return _start(li, item, company)


@pytest.fixture
def case(li, paid_item, company, window, media):
    """The company's case for a fee-charging item, submitted by 李娜 and accepted: a payment order is
    waiting and the acceptance notice PDF is issued."""
    application = _start(li, paid_item, company)
    case = services.application_submit(actor=li, application=application)
    case = services.case_accept(actor=window, case=case)
    events.drain()  # the sealed acceptance notice follows the acceptance
    return case


@pytest.fixture
def correction_case(li, item, company, window, media):
    """The company's case, submitted by 李娜, with a correction notice for the floor plan."""
    case = services.application_submit(actor=li, application=_start(li, item, company))
    plan = case.application.materials.get(material__name="经营场所平面图").material_id
    services.correction_notice_issue(actor=window, case=case, items=[{"material": plan, "problem": "未标注面积"}])
    case.refresh_from_db()
    return case


@pytest.fixture(params=list(LAPSES))
def lapse(request, company, organ, clock_start):
    """Ends 李娜's authority for the item in one of four ways; returns the problem code to expect."""

    def run() -> str:
        mandate = AgentMandate.objects.get(legal_person=company, revoked_at__isnull=True)
        representative = company.legal_representative.user
        now = timezone.now()
        if request.param in ("revoked", "item_not_covered"):
            identity.agent_revoke(actor=representative, mandate=mandate, reason="经办人岗位调整")
        if request.param == "item_not_covered":  # a new mandate, for another item only
            other = testing.make_item(organ=organ, name="其他事项")
            identity.agent_grant(actor=representative, legal_person=company, **LI, item_codes=[other.code],
                                 expires_at=now + dt.timedelta(days=30))
        if request.param == "expired":
            clock_start.shift(dt.timedelta(days=2))
        if request.param == "not_yet":  # dated ahead (say, by a correction of the record)
            AgentMandate.objects.filter(pk=mandate.pk).update(granted_at=now + dt.timedelta(days=1),
                                                              expires_at=now + dt.timedelta(days=30))
        return LAPSES[request.param]

    return run


@pytest.fixture
def login(fully_logged_in):
    """A fresh client per call: after the clock moved, earlier sessions have idled out."""

    def make(user) -> Client:
        return fully_logged_in(Client(), user)

    return make


def refused(response, code: str) -> None:
    assert response.status_code == 400, response.content.decode()
    body = response.json()["error"]
    assert code in {p["code"] for p in body["problems"]}
    assert body["message_zh"] and body["message_en"]


def refused_page(response, code: str) -> None:
    html = response.content.decode()
    assert response.status_code == 400 and f'data-code="{code}"' in html
    assert "张三" not in html and "梅山南路" not in html  # nothing of the application is shown


def upload(tag: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("平面图.pdf", PDF + f"% {tag}\n".encode(), content_type="application/pdf")


def material(application, name: str) -> int:
    return application.materials.get(material__name=name).material_id


# --- writes: refused with the reason, nothing changes ---------------------------------------------------


def test_editing_the_draft(draft, li, lapse, login):
    code = lapse()
    response = login(li).patch(f"{API}/applications/{draft.public_id}", {"form_data": {"address": "别处"}},
                               content_type="application/json")
    refused(response, code)
    draft.refresh_from_db()
    assert draft.form_data["address"] == "六安市金安区梅山南路 1 号"


def test_uploading_a_material(draft, li, lapse, login):
    code = lapse()
    before = MaterialFile.objects.count()
    response = login(li).post(f"{API}/applications/{draft.public_id}/materials/{material(draft, '其他说明材料')}/files",
                              {"file": upload("other")})
    refused(response, code)
    assert MaterialFile.objects.count() == before


def test_setting_a_material_status(draft, li, lapse, login):
    code = lapse()
    response = login(li).post(
        f"{API}/applications/{draft.public_id}/materials/{material(draft, '其他说明材料')}/status",
        {"status": "not_needed"}, content_type="application/json")
    refused(response, code)
    assert draft.materials.get(material__name="其他说明材料").status != "not_needed"


def test_submitting(draft, li, lapse, login):
    code = lapse()
    refused(login(li).post(f"{API}/applications/{draft.public_id}/submit"), code)
    draft.refresh_from_db()
    assert draft.state == Application.State.DRAFT and not Case.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.case.submitted").exists()


def test_submitting_through_the_draft_page(draft, li, lapse, login):
    code = lapse()
    response = login(li).post(reverse("cases:draft", args=[draft.public_id]), {"action": "submit"})
    refused_page(response, code)
    assert not Case.objects.exists()


def test_replaying_the_start_of_the_draft(li, item, company, lapse, login, media):
    client = login(li)
    first = client.post(f"{API}/applications", {"item_code": item.code, "legal_person_credit_code":
                                                company.credit_code}, content_type="application/json",
                        headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    code = lapse()
    refused(login(li).post(f"{API}/applications", {"item_code": item.code, "legal_person_credit_code":
                                                   company.credit_code}, content_type="application/json",
                           headers={"Idempotency-Key": "k-1"}), code)


def test_answering_the_correction(correction_case, li, lapse, login):
    application = correction_case.application
    plan = material(application, "经营场所平面图")
    code = lapse()
    client = login(li)
    refused(client.post(f"{API}/applications/{application.public_id}/materials/{plan}/files",
                        {"file": upload("v2")}), code)
    refused(client.post(f"{API}/cases/{correction_case.number}/correction", {"form_data": {}},
                        content_type="application/json"), code)
    correction_case.refresh_from_db()
    assert correction_case.state == CaseState.CORRECTION
    assert not MaterialFile.objects.filter(correction_round=1).exists()


def test_withdrawing(case, li, lapse, login):
    code = lapse()
    refused(login(li).post(f"{API}/cases/{case.number}/withdraw", {"reason": "不办了"},
                           content_type="application/json"), code)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_withdrawing_through_the_case_page(case, li, lapse, login):
    code = lapse()
    response = login(li).post(reverse("cases:withdraw", args=[case.number]), {"confirm": "on", "reason": "不办了"})
    refused_page(response, code)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_starting_the_payment(case, li, lapse, login):
    code = lapse()
    refused_page(login(li).post(reverse("cases:pay", args=[case.number])), code)
    with pytest.raises(DomainError) as exc:
        services.payment_start(actor=li, case=case)
    assert [p.code for p in exc.value.problems] == [code]
    order = PaymentOrder.objects.get(case=case)
    assert login(li).get(reverse("cases:simulator", args=[order.order_number])).status_code == 404
    assert order.state == PaymentOrder.State.PENDING


def test_confirming_fetched_data(draft, li, lapse):
    from govhall.sharing import services as sharing

    code = lapse()
    with pytest.raises(DomainError) as exc:
        sharing.fetch_decline(actor=li, application=draft, material_id=material(draft, "营业执照"))
    assert [p.code for p in exc.value.problems] == [code]


# --- reads: not found ------------------------------------------------------------------------------------


def test_reading_the_draft_and_the_case(draft, case, li, lapse, login):
    lapse()
    client = login(li)
    assert client.get(reverse("cases:draft", args=[draft.public_id])).status_code == 404
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 404
    assert client.get(f"{API}/cases/{case.number}").status_code == 404
    for read in (selectors.applicant_case, selectors.applicant_application):
        with pytest.raises(NotFound):
            read(li, case.number if read is selectors.applicant_case else draft.public_id)
    listing = client.get(reverse("cases:my_cases")).content.decode()
    assert case.number not in listing and str(draft.public_id) not in listing
    assert selectors.open_case_count(li) == 0


def test_downloading_the_pdfs_and_results(case, li, lapse, login):
    document = SignedDocument.objects.get(case=case)
    pdf_url = reverse("documents:applicant_pdf", args=[case.number, document.pk])
    ses_url = reverse("documents:applicant_ses", args=[case.number, document.pk])
    stored = files.check_and_store(pdf("licence scan"), filename="结果.pdf")
    result = ResultFile.objects.create(case=case, stored=stored, filename="结果.pdf")
    result_url = reverse("cases:result", args=[case.number, result.pk])
    client = login(li)
    assert [client.get(url).status_code for url in (pdf_url, ses_url, result_url)] == [200, 200, 200]
    lapse()
    client = login(li)
    assert [client.get(url).status_code for url in (pdf_url, ses_url, result_url)] == [404, 404, 404]


# --- the legal representative keeps access; the agent did until the lapse -----------------------------


def test_the_legal_representative_carries_on_after_the_agent_lost_authority(draft, case, li, representative,
                                                                          lapse, login):
    lapse()
    client = login(representative)
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 200
    assert client.get(reverse("cases:draft", args=[draft.public_id])).status_code == 200
    listing = client.get(reverse("cases:my_cases")).content.decode()
    assert case.number in listing and str(draft.public_id) in listing
    document = SignedDocument.objects.get(case=case)
    assert client.get(reverse("documents:applicant_pdf", args=[case.number, document.pk])).status_code == 200
    patched = client.patch(f"{API}/applications/{draft.public_id}", {"form_data": {"address": "六安市裕安区"}},
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["form_data"]["address"] == "六安市裕安区"
    submitted = client.post(f"{API}/applications/{draft.public_id}/submit")
    assert submitted.status_code == 201
    new_case = Case.objects.get(number=submitted.json()["number"])
    assert new_case.application.mandate is None  # submitted by the representative, under no mandate
    assert services.payment_start(actor=representative, case=case).startswith("/pay/simulator/")
    withdrawn = client.post(f"{API}/cases/{case.number}/withdraw", {"reason": "公司决定撤回"},
                            content_type="application/json")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    # the company's news now goes to its representative, not to the former agent
    assert Message.objects.filter(recipient=representative, case_number=case.number, kind="case.withdrawn").exists()
    assert not Message.objects.filter(recipient=li, case_number=case.number, kind="case.withdrawn").exists()


def test_the_agent_acts_while_the_mandate_covers_the_item(draft, li, login):
    client = login(li)
    assert client.get(reverse("cases:draft", args=[draft.public_id])).status_code == 200
    submitted = client.post(f"{API}/applications/{draft.public_id}/submit")
    assert submitted.status_code == 201
    case = Case.objects.get(number=submitted.json()["number"])
    mandate = AgentMandate.objects.get(agent__user=li)
    assert case.application.mandate == mandate
    assert AuditEvent.objects.get(action="cases.case.submitted").after["mandate"] == mandate.pk
    assert client.get(f"{API}/cases/{case.number}").status_code == 200


def test_strangers_and_other_agents_find_nothing(draft, case, enterprise_agent_of_nobody, login):
    client = login(enterprise_agent_of_nobody)
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 404
    assert client.patch(f"{API}/applications/{draft.public_id}", {"form_data": {}},
                        content_type="application/json").status_code == 404
    assert client.post(f"{API}/cases/{case.number}/withdraw", {"reason": ""},
                       content_type="application/json").status_code == 404
    with pytest.raises(NotFound):
        authority.ensure_acting_authority(enterprise_agent_of_nobody, case)
    for nobody in (AnonymousUser(), enterprise_agent_of_nobody):  # an online draft has no officer: None ≠ anyone
        with pytest.raises(NotFound):
            authority.ensure_acting_authority(nobody, draft)
        assert not authority.may_read(nobody, draft) and not authority.is_party(nobody, draft)


def test_a_mandate_for_listed_items_shows_their_cases_only(case, li, company, representative, paid_item, login):
    mandate = AgentMandate.objects.get(agent__user=li)
    identity.agent_revoke(actor=representative, mandate=mandate, reason="改为按事项授权")
    identity.agent_grant(actor=representative, legal_person=company, **LI, item_codes=[paid_item.code],
                         expires_at=timezone.now() + dt.timedelta(days=30))
    client = login(li)
    assert case.number in client.get(reverse("cases:my_cases")).content.decode()
    assert client.get(reverse("cases:case", args=[case.number])).status_code == 200
    assert list(selectors.my_cases(li)) == [case] and selectors.open_case_count(li) == 1


@pytest.fixture
def enterprise_agent_of_nobody(db):
    person = identity.person_register(username="wang5", password="Correct-Horse-9", name="王五",
                                      id_type="resident_id", id_number="341502198511115551", phone="13955600003")
    return person.user
