"""Every case action that the law wants in writing yields its sealed PDF; both parties download it
through the same checks as the case pages; a granted case whose item issues a licence gets it."""

from __future__ import annotations

import pytest

from govhall.cases import services
from govhall.catalog.models import ItemVersion
from govhall.core import events
from govhall.core.errors import DomainError
from govhall.crypto import seals
from govhall.documents import selectors
from govhall.documents.models import SignedDocument
from govhall.licenses import services as licences
from govhall.licenses.models import Licence
from govhall.translog.models import LogEntry

from .conftest import pdftotext

pytestmark = pytest.mark.django_db

FACE_SCHEMA = [
    {"name": "premises", "label_zh": "经营场所", "label_en": "Premises", "type": "text", "required": True,
     "public": True},
    {"name": "person_in_charge", "label_zh": "负责人", "label_en": "Person in charge", "type": "text",
     "required": True, "public": False},
]


def material_id(application, name):
    return application.materials.get(material__name=name).material_id


def kinds(case) -> list[str]:
    return list(SignedDocument.objects.filter(case=case).order_by("pk").values_list("kind", flat=True))


def assert_sealed(document: SignedDocument, *phrases: str) -> str:
    data = selectors.read_pdf(document)
    assert seals.seal_verify(bytes(document.ses_der), data).ok
    text = pdftotext(data)
    for phrase in phrases:
        assert phrase in text, phrase
    return text


def _to_decide(case, window, reviewer, approver):
    services.case_accept(actor=window, case=case)
    case.refresh_from_db()
    for kind, actor in (("undertake", reviewer), ("review", reviewer), ("approve", approver)):
        step = case.steps.get(kind=kind)
        services.step_complete(actor=actor, case=case, step_id=step.pk, action="pass", opinion="同意")
    case.refresh_from_db()
    return case


def test_correction_acceptance_special_procedure_and_decision_documents(submitted, window, reviewer, approver):
    case = submitted
    plan = material_id(case.application, "经营场所平面图")
    services.correction_notice_issue(actor=window, case=case, items=[
        {"material": plan, "problem": "平面图未标注面积"}, {"form_field": "address", "problem": "地址不完整"}])
    assert kinds(case) == []  # sealed after the action commits, by the documents subscriber
    events.drain()
    assert kinds(case) == ["correction_notice"]
    notice = SignedDocument.objects.get(case=case, kind="correction_notice")
    assert_sealed(notice, "补正材料通知书", "平面图未标注面积", "地址不完整", "经营场所平面图", case.number)
    from govhall.cases.tests.conftest import pdf

    services.material_upload(actor=case.applicant, application=case.application, material_id=plan,
                             upload=pdf("v2"), filename="平面图2.pdf")
    services.correction_submit(actor=case.applicant, case=case, form_data={"address": "六安市金安区梅山南路1号3楼"})
    services.case_accept(actor=window, case=case)
    events.drain()
    case.refresh_from_db()
    accepted = SignedDocument.objects.get(case=case, kind="acceptance_notice")
    assert accepted.number == case.acceptance_notice_number
    assert_sealed(accepted, "受理通知书", "决定予以受理", case.acceptance_notice_number, case.query_code)
    services.step_complete(actor=reviewer, case=case, step_id=case.steps.get(kind="undertake").pk, action="pass",
                           opinion="材料齐全")
    services.special_procedure_start(actor=reviewer, case=case, kind="site_check", reason="核查经营场所",
                                     legal_basis="《食品经营许可管理办法》", expected_days=5)
    events.drain()
    special = SignedDocument.objects.get(case=case, kind="special_procedure_notice")
    assert_sealed(special, "特别程序告知书", "核查经营场所", "5 个工作日", "第四十五条")
    case.refresh_from_db()
    services.special_procedure_end(actor=reviewer, case=case, procedure_id=case.special_procedures.get().pk,
                                   result="符合")
    case.refresh_from_db()
    for kind, actor in (("review", reviewer), ("approve", approver)):
        services.step_complete(actor=actor, case=case, step_id=case.steps.get(kind=kind).pk, action="pass",
                               opinion="同意")
    decision = services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合许可条件",
                                    legal_basis="《中华人民共和国食品安全法》第三十五条")
    events.drain()
    document = SignedDocument.objects.get(case=case, kind="decision")
    assert document.number == decision.document_number and document.issued_by == approver
    assert_sealed(document, "准予行政许可决定书", "符合许可条件", "第三十五条", decision.document_number)
    assert kinds(case) == ["correction_notice", "acceptance_notice", "special_procedure_notice", "decision"]
    assert not Licence.objects.exists()  # the item names no licence type


def test_refusal_yields_a_non_acceptance_notice(submitted, window):
    services.case_refuse(actor=window, case=submitted, reason="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条")
    assert events.drain() >= 1
    document = SignedDocument.objects.get(case=submitted)
    assert document.kind == "non_acceptance_notice"
    assert_sealed(document, "不予受理通知书", "不属于本机关职权范围", "行政复议")


def test_deemed_acceptance_yields_its_notice(submitted, clock_start):
    import datetime as dt

    clock_start.shift(dt.timedelta(days=8))  # past the 5 working days of Art. 32
    assert services.deem_overdue_acceptances() == [submitted.number]
    events.drain()
    document = SignedDocument.objects.get(case=submitted)
    assert document.kind == "acceptance_notice" and document.issued_by is None
    assert_sealed(document, "受理通知书", "第三十二条", "即为受理")


def test_denial_yields_a_denial_decision(submitted, window, reviewer, approver):
    case = _to_decide(submitted, window, reviewer, approver)
    services.case_decide(actor=approver, case=case, outcome="deny", reasons="场所不符合要求", legal_basis="第三十五条")
    events.drain()
    assert_sealed(SignedDocument.objects.get(case=case, kind="decision"), "不予行政许可决定书", "场所不符合要求")


@pytest.fixture
def licence_type(organ):
    return licences.licence_type_create(actor=None, type_code=organ.credit_code + "005", name="食品经营许可证（个人）",
                                        holder_kind="person", face_schema=FACE_SCHEMA, defining_organ=organ,
                                        validity_years=5, template="licences/food_business")


def test_a_granted_case_issues_its_licence_with_a_pdf(submitted, window, reviewer, approver, licence_type):
    ItemVersion.objects.filter(pk=submitted.version_id).update(result_licence_type_code=licence_type.type_code)
    submitted.refresh_from_db()
    case = _to_decide(submitted, window, reviewer, approver)
    # the item became a licence item after this application was made, so its form asked no licence
    # details: the officer gives them from the materials before the decision
    services.licence_face_correct(actor=reviewer, case=case, reason="按经营场所证明材料填写", values={
        "licence_premises": "六安市金安区佛子岭路 18 号一层", "licence_person_in_charge": "张三"})
    case.refresh_from_db()
    services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合", legal_basis="第三十五条")
    assert not Licence.objects.filter(case_number=case.number).exists()  # issued after the decision commits
    events.drain()
    licence = Licence.objects.get(case_number=case.number)
    assert licence.holder_name == "张三" and licence.holder_user == case.applicant
    assert licence.face == {"premises": "六安市金安区佛子岭路 18 号一层", "person_in_charge": "张三"}
    document = SignedDocument.objects.get(licence=licence)
    assert licence.document_sha256 == document.sha256
    assert_sealed(document, "食品经营许可证（个人）", licence.identifier, "六安市金安区佛子岭路 18 号一层",
                  "/licences/verify/?identifier=")
    entry = LogEntry.objects.get(index=licence.log_index)
    assert entry.payload["document_sm3"] == document.sm3 and entry.payload["identifier"] == licence.identifier


def test_a_grant_never_fills_the_licence_face_from_other_fields_of_the_form(submitted, window, reviewer, approver,
                                                                           licence_type):
    """The contact address is not the premises: without licence details the grant is refused."""
    ItemVersion.objects.filter(pk=submitted.version_id).update(result_licence_type_code=licence_type.type_code)
    submitted.refresh_from_db()
    case = _to_decide(submitted, window, reviewer, approver)
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合", legal_basis="第三十五条")
    assert {p.code for p in exc.value.problems} >= {"licenses.face.required"}
    assert not Licence.objects.filter(case_number=case.number).exists()


def test_a_licence_that_cannot_be_issued_refuses_the_grant(submitted, window, reviewer, approver, licence_type,
                                                           organ):
    other = licences.licence_type_create(actor=None, type_code=organ.credit_code + "006", name="公司证",
                                         holder_kind="legal_person", face_schema=FACE_SCHEMA, defining_organ=organ,
                                         template="x")
    ItemVersion.objects.filter(pk=submitted.version_id).update(result_licence_type_code=other.type_code)
    submitted.refresh_from_db()
    case = _to_decide(submitted, window, reviewer, approver)
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合", legal_basis="第三十五条")
    assert exc.value.problems[0].code == "cases.licence.holder"
    case.refresh_from_db()
    assert case.state == "in_progress" and not SignedDocument.objects.filter(case=case, kind="decision").exists()


def test_downloads_follow_the_case_page_checks(client, submitted, window, other_window, stranger_user):
    services.case_accept(actor=window, case=submitted)
    events.drain()
    document = SignedDocument.objects.get(case=submitted)
    mine = f"/my/cases/{submitted.number}/documents/{document.pk}/"
    staff = f"/console/cases/{submitted.number}/documents/{document.pk}/"
    client.force_login(submitted.applicant)
    page = client.get(f"/my/cases/{submitted.number}/")
    assert mine in page.content.decode() and f"{mine}signature/" in page.content.decode()
    response = client.get(mine)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response) == selectors.read_pdf(document)
    assert bytes(client.get(f"{mine}signature/").content) == bytes(document.ses_der)
    assert client.get(staff).status_code in (403, 404)  # the applicant is not staff
    client.force_login(stranger_user)
    assert client.get(mine).status_code == 404
    client.force_login(window)
    assert staff in client.get(f"/console/cases/{submitted.number}/").content.decode()
    assert client.get(staff).status_code == 200 and client.get(f"{staff}signature/").status_code == 200
    client.force_login(other_window)
    assert client.get(staff).status_code == 404


@pytest.fixture
def stranger_user(db):
    from govhall.identity.models import User

    return User.objects.create_user(username="someone", password="Correct-Horse-9")


def test_case_consequences_handled_twice_change_nothing(submitted, window, reviewer, approver, licence_type):
    """The decision's sealed PDF and licence are subscribers of ``case.decided``: a delivery run again
    (a worker that died after the work but before its mark, a staff retry) issues nothing twice."""
    from govhall.core.models import EventDelivery

    ItemVersion.objects.filter(pk=submitted.version_id).update(result_licence_type_code=licence_type.type_code)
    submitted.refresh_from_db()
    case = _to_decide(submitted, window, reviewer, approver)
    services.licence_face_correct(actor=reviewer, case=case, reason="按申请材料填写", values={
        "licence_premises": "六安市金安区佛子岭路 18 号一层", "licence_person_in_charge": "张三"})
    case.refresh_from_db()
    services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合", legal_basis="第三十五条")
    decided = EventDelivery.objects.filter(event__name="case.decided")
    assert set(decided.values_list("subscriber", flat=True)) >= {"documents.decision", "licenses.case_licence"}
    events.drain()
    assert set(decided.values_list("state", flat=True)) == {"done"}
    decided.update(state="pending", next_attempt_at=decided.first().event.occurred_at)
    events.drain()
    assert set(decided.values_list("state", flat=True)) == {"done"}
    assert Licence.objects.filter(case_number=case.number).count() == 1
    assert SignedDocument.objects.filter(case=case, kind="decision").count() == 1
    assert SignedDocument.objects.filter(licence__case_number=case.number).count() == 1


def test_a_grant_whose_licence_type_is_missing_is_refused(submitted, window, reviewer, approver, organ):
    ItemVersion.objects.filter(pk=submitted.version_id).update(result_licence_type_code=organ.credit_code + "099")
    submitted.refresh_from_db()
    case = _to_decide(submitted, window, reviewer, approver)
    with pytest.raises(DomainError) as exc:
        services.case_decide(actor=approver, case=case, outcome="grant", reasons="符合", legal_basis="第三十五条")
    assert [p.code for p in exc.value.problems] == ["cases.licence.type_missing"]
    services.case_decide(actor=approver, case=case, outcome="deny", reasons="不符合", legal_basis="第三十五条")
