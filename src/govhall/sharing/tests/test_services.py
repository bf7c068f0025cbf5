import datetime as dt
import io

import pytest
from openpyxl import Workbook

from govhall.cases import services as cases
from govhall.cases.models import ApplicationMaterial
from govhall.core.errors import DomainError, NotFound
from govhall.core.models import AuditEvent
from govhall.sharing import keys, providers, selectors, services
from govhall.sharing.models import (
    AccessOutcome,
    AccessRecord,
    DataRecord,
    Dataset,
    Discrepancy,
    FetchableRequest,
    MaterialFetch,
)

from .conftest import COMPANY_CODE, ZHANG_ID

Status = ApplicationMaterial.Status
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _ask(resource, requester, key=ZHANG_ID, fields=None, purpose="办理事项", basis="法律依据"):
    return services.lookup(resource=resource, subject_key=key, fields=fields, purpose=purpose, legal_basis=basis,
                           requester=requester, case_number="C1")


# --- 1. the resource catalogue ----------------------------------------------------------------------


def test_resource_changes_are_audited_and_scoped(household, police_admin, market_admin):
    assert AuditEvent.objects.filter(action="sharing.resource.created", target_id=str(household.pk)).exists()
    services.resource_update(actor=police_admin, resource=household, share_class="conditional")
    event = AuditEvent.objects.get(action="sharing.resource.changed")
    assert event.before["share_class"] == "unconditional" and event.after["share_class"] == "conditional"
    with pytest.raises(NotFound):
        services.resource_update(actor=market_admin, resource=household, name="x")


def test_resource_with_bad_description_lists_every_problem(police, police_admin):
    with pytest.raises(DomainError) as exc:
        services.resource_create(actor=police_admin, code="", provider_organ=police, name="", fields=[
            {"name": "bad name"}, {"name": "a", "type": "blob"}], share_class="x", legal_basis="",
            subject_kind="resident_id", provider_kind="remote")
    codes = {p.code for p in exc.value.problems}
    assert {"sharing.resource.code", "sharing.resource.name", "sharing.resource.legal_basis",
            "sharing.resource.field_name", "sharing.resource.field_type", "sharing.resource.share_class",
            "sharing.resource.peer_code"} <= codes


# --- 2. datasets ------------------------------------------------------------------------------------


def test_dataset_is_stored_as_a_version_keyed_by_blind_index(household):
    dataset = household.current_dataset
    assert dataset.version == 1 and dataset.record_count == 2
    record = DataRecord.objects.get(dataset=dataset, subject_index=keys.subject_index("resident_id", ZHANG_ID))
    assert record.subject_masked == "3415**********1235"
    assert ZHANG_ID not in str(record.data) and record.data["address"].startswith("六安市金安区")


def test_dataset_with_bad_rows_reports_every_row_and_stores_nothing(household, police_admin):
    bad = ("subject_key,name,birth_date,address\n"
           "341502199003071234,张三,1990-03-07,地址\n"       # wrong check character
           "341503199205202420,,1992-05-20,地址\n"          # name required
           "341503199205202420,李娜,20-05-1992,地址\n"       # duplicate + bad date
           ).encode()
    with pytest.raises(DomainError) as exc:
        services.dataset_upload(actor=police_admin, resource=household, data=bad, filename="bad.csv")
    found = {(p.row, p.column, p.code) for p in exc.value.problems}
    assert (2, "subject_key", "sharing.dataset.subject_key") in found
    assert (3, "name", "sharing.dataset.value") in found
    assert (4, "subject_key", "sharing.dataset.duplicate") in found
    assert (4, "birth_date", "sharing.dataset.value") in found
    assert Dataset.objects.filter(resource=household).count() == 1


def test_dataset_header_problems_and_excel(household, police_admin):
    with pytest.raises(DomainError) as exc:
        services.dataset_upload(actor=police_admin, resource=household, data=b"name,colour\nx,y\n", filename="a.csv")
    assert {p.code for p in exc.value.problems} >= {"sharing.dataset.key_column", "sharing.dataset.column",
                                                    "sharing.dataset.missing_column"}
    wb = Workbook()
    ws = wb.active
    ws.append(["主体标识", "姓名", "户籍地址", "出生日期"])
    ws.append([ZHANG_ID, "张三", "六安市金安区新地址", dt.datetime(1990, 3, 7)])
    buffer = io.BytesIO()
    wb.save(buffer)
    dataset = services.dataset_upload(actor=police_admin, resource=household, data=buffer.getvalue(),
                                      filename="v2.xlsx")
    assert dataset.version == 2 and dataset.record_count == 1
    household.refresh_from_db()
    assert household.current_dataset_id == dataset.pk


# --- 3. purpose-bound access ------------------------------------------------------------------------


def test_granted_lookup_is_recorded_and_audited(household, requester):
    result = _ask(household, requester, fields=["name", "address"])
    assert result.granted and result.record == {"name": "张三", "address": "六安市金安区梅山南路 1 号"}
    assert result.version == "1.1"
    access = result.access
    assert access.outcome == AccessOutcome.GRANTED and access.subject_masked == "3415**********1235"
    assert AuditEvent.objects.filter(action="sharing.access.granted", target_id=str(access.pk)).exists()
    with pytest.raises(RuntimeError):
        access.save()
    with pytest.raises(RuntimeError):
        access.delete()


@pytest.mark.parametrize(("case", "code", "outcome"), [
    ("unknown subject", "sharing.subject.unknown", AccessOutcome.NOT_FOUND),
    ("no purpose", "sharing.purpose.required", AccessOutcome.REFUSED),
    ("no legal basis", "sharing.legal_basis.required", AccessOutcome.REFUSED),
    ("invalid key", "sharing.subject.invalid", AccessOutcome.REFUSED),
    ("unknown field", "sharing.fields.unknown", AccessOutcome.REFUSED),
])
def test_refused_requests_leave_an_access_record(household, requester, case, code, outcome):
    kwargs = {"unknown subject": {"key": "110101199001011237"}, "no purpose": {"purpose": "  "},
              "no legal basis": {"basis": ""}, "invalid key": {"key": "12345"},
              "unknown field": {"fields": ["salary"]}}[case]
    result = _ask(household, requester, **kwargs)
    assert not result.granted and result.problem.code == code
    assert AccessRecord.objects.filter(reason_code=code, outcome=outcome).count() == 1
    assert result.record == {}


def test_conditional_resource_needs_an_approved_agreement_within_its_fields(business, agreement, hrss, police,
                                                                             requester, clock_start):
    ok = _ask(business, requester, key=COMPANY_CODE, fields=["name", "status"])
    assert ok.granted and ok.access.agreement_id == agreement.pk
    beyond = _ask(business, requester, key=COMPANY_CODE, fields=["name", "registered_capital"])
    assert beyond.problem.code == "sharing.fields.beyond_agreement"
    everything = _ask(business, requester, key=COMPANY_CODE)  # no fields named: the agreement's
    assert set(everything.record) == set(agreement.fields)
    other = _ask(business, services.Requester(label="police", organ=police), key=COMPANY_CODE)
    assert other.problem.code == "sharing.agreement.missing"
    clock_start.move_to(dt.datetime(2027, 1, 5, 9, 0, tzinfo=dt.UTC))
    expired = _ask(business, requester, key=COMPANY_CODE, fields=["name"])
    assert expired.problem.code == "sharing.agreement.expired"
    assert AccessRecord.objects.filter(outcome=AccessOutcome.REFUSED).count() == 3


def test_not_shared_resource_is_refused(household, police_admin, requester):
    services.resource_update(actor=police_admin, resource=household, share_class="not_shared")
    household.refresh_from_db()
    assert _ask(household, requester).problem.code == "sharing.resource.not_shared"


def test_agreement_request_and_decision_rules(business, hrss, hrss_admin, market_admin, police_admin):
    with pytest.raises(DomainError) as exc:
        services.agreement_request(actor=hrss_admin, resource=business, requester_organ=hrss, fields=["salary"],
                                   purpose="", legal_basis="", valid_until=dt.date(2020, 1, 1))
    assert {p.code for p in exc.value.problems} == {"sharing.fields.unknown", "sharing.purpose.required",
                                                     "sharing.legal_basis.required", "sharing.agreement.valid_until"}
    a = services.agreement_request(actor=hrss_admin, resource=business, requester_organ=hrss, fields=["name"],
                                   purpose="p", legal_basis="b", valid_until=dt.date(2026, 9, 1))
    with pytest.raises(NotFound):
        services.agreement_decide(actor=police_admin, agreement=a, approve=True)
    with pytest.raises(DomainError):
        services.agreement_decide(actor=market_admin, agreement=a, approve=False, note="")
    services.agreement_decide(actor=market_admin, agreement=a, approve=False, note="目的不明确")
    assert AuditEvent.objects.filter(action="sharing.agreement.refused").exists()


# --- 7. peers asking us -------------------------------------------------------------------------------


def test_answer_peer_lookup(business, market_admin, household):
    peer_kwargs = {"peer": "hefei", "resource_code": "DR-GA-HJ-001", "subject_key": ZHANG_ID,
                   "fields": ["name", "address"], "purpose": "跨市通办", "legal_basis": "依据",
                   "case_number": "X1", "requester": "hefei-window-1"}
    answer = services.answer_peer_lookup(**peer_kwargs)
    assert answer == {"record": {"name": "张三", "address": "六安市金安区梅山南路 1 号"}, "version": "1.1",
                      "provider_organ": household.provider_organ.name}
    for change, code in [({"subject_key": "110101199001011237"}, "sharing.subject.unknown"),
                         ({"purpose": ""}, "sharing.purpose.required"),
                         ({"resource_code": "DR-SCJG-DJ-001", "subject_key": COMPANY_CODE},
                          "sharing.agreement.missing"),
                         ({"resource_code": "NOPE"}, "sharing.resource.unknown")]:
        with pytest.raises(DomainError) as exc:
            services.answer_peer_lookup(**{**peer_kwargs, **change})
        assert exc.value.problems[0].code == code
    a = services.agreement_request(actor=None, resource=business, requester_peer="hefei", fields=["name"],
                                   purpose="p", legal_basis="b", valid_until=dt.date(2026, 12, 1))
    services.agreement_decide(actor=market_admin, agreement=a, approve=True)
    with pytest.raises(DomainError) as exc:
        services.answer_peer_lookup(**{**peer_kwargs, "resource_code": "DR-SCJG-DJ-001", "subject_key": COMPANY_CODE,
                                       "fields": ["name", "address"]})
    assert exc.value.problems[0].code == "sharing.fields.beyond_agreement"
    assert services.answer_peer_lookup(**{**peer_kwargs, "resource_code": "DR-SCJG-DJ-001",
                                          "subject_key": COMPANY_CODE, "fields": ["name"]})["record"] == {
        "name": "六安皖西茶业有限公司"}
    assert AccessRecord.objects.filter(requester_peer="hefei").exclude(outcome="granted").count() == 5


# --- 4. once-only materials -----------------------------------------------------------------------------


def _rows(application):
    return {r.material.name: r for r in application.materials.select_related("material", "sharing_fetch")}


def test_application_for_the_company_fetches_both_and_asks_only_for_the_rest(loan_item, applicant, company):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    rows = _rows(application)
    hj, yz = rows["户口簿（户籍信息）"], rows["营业执照（企业登记信息）"]
    assert hj.status == yz.status == Status.TO_FETCH
    assert hj.sharing_fetch.state == MaterialFetch.State.FETCHED and hj.sharing_fetch.credibility == "A"
    assert hj.sharing_fetch.record["name"] == "张三" and hj.sharing_fetch.version == "1.1"
    assert yz.sharing_fetch.provider_label == "六安市市场监督管理局"
    assert set(yz.sharing_fetch.record) == {"name", "legal_representative", "address", "status"}
    assert rows["经营场所使用证明"].status == Status.MISSING
    batch = AuditEvent.objects.get(action="sharing.access.batch", target_id=str(application.pk))
    assert len(batch.after["requests"]) == 2 and ZHANG_ID not in str(batch.after)
    # the applicant must see and confirm the fetched data before submitting
    for name in ("经营场所使用证明", "创业项目计划书"):
        cases.material_upload(actor=applicant, application=application, material_id=rows[name].material_id,
                              upload=io.BytesIO(PDF + name.encode()), filename="a.pdf")
    cases.application_update(actor=applicant, application=application, form_data={
        "contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区梅山南路 1 号",
        "description": "创业"})
    with pytest.raises(DomainError) as exc:
        cases.application_submit(actor=applicant, application=application)
    assert {p.code for p in exc.value.problems} == {"sharing.fetch.unconfirmed"}
    for row in (hj, yz):
        services.fetch_confirm(actor=applicant, application=application, material_id=row.material_id)
    with pytest.raises(DomainError):  # a fetched material takes no upload
        cases.material_upload(actor=applicant, application=application, material_id=hj.material_id,
                              upload=io.BytesIO(PDF), filename="x.pdf")
    case = cases.application_submit(actor=applicant, application=application)
    assert not Discrepancy.objects.exists()  # the typed address matches the register
    # who used my data: both fetches, for this application
    uses = list(selectors.data_use_of(applicant))
    assert {u.resource_code for u in uses} == {"DR-GA-HJ-001", "DR-SCJG-DJ-001"}
    assert all(u.application_id == application.pk for u in uses)
    rows = selectors.figures()
    assert rows[0]["fetched"] == 2 and rows[0]["uploaded"] == 2 and rows[0]["item_code"] == case.item.code


def test_person_without_company_gets_upload_instead_and_may_decline(loan_item, applicant, applicant_person):
    application = cases.application_start(actor=applicant, item_code=loan_item.code)
    rows = _rows(application)
    hj, yz = rows["户口簿（户籍信息）"], rows["营业执照（企业登记信息）"]
    assert yz.status == Status.MISSING and yz.sharing_fetch.state == MaterialFetch.State.UNAVAILABLE
    cases.material_upload(actor=applicant, application=application, material_id=yz.material_id,
                          upload=io.BytesIO(PDF), filename="licence.pdf")
    services.fetch_decline(actor=applicant, application=application, material_id=hj.material_id)
    hj.refresh_from_db()
    assert hj.status == Status.MISSING
    cases.material_upload(actor=applicant, application=application, material_id=hj.material_id,
                          upload=io.BytesIO(PDF + b"hj"), filename="hukou.pdf")
    assert AuditEvent.objects.filter(action="sharing.fetch.declined").exists()


@pytest.fixture
def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_remote_provider_that_is_down_means_upload_instead(loan_item, household, police_admin, applicant,
                                                             applicant_person, free_port):
    """The real federation client against a trusted peer whose server does not answer: the applicant
    is told to upload instead, the refusal is on record, and the request is in the message log."""
    from govhall.federation import services as federation
    from govhall.federation.models import MessageLog
    from govhall.federation.tests.conftest import make_fake_peer

    federation.node_key_ensure(actor=None)
    peer = make_fake_peer("hefei")
    federation.peer_trust(actor=None, descriptor=peer.descriptor(base_url=f"http://127.0.0.1:{free_port}"))
    services.resource_update(actor=police_admin, resource=household, provider_kind="remote", peer_code="hefei")
    application = cases.application_start(actor=applicant, item_code=loan_item.code)
    hj = _rows(application)["户口簿（户籍信息）"]
    assert hj.status == Status.MISSING and hj.sharing_fetch.reason_code == "sharing.provider.unavailable"
    record = AccessRecord.objects.get(resource_code=household.code)
    assert record.outcome == "unavailable" and record.purpose and record.legal_basis
    sent = MessageLog.objects.filter(peer="hefei", operation="sharing.lookup", direction="out")
    assert sent.exists()
    again = services.fetch_retry(actor=applicant, application=application, material_id=hj.material_id)
    assert again.state == MaterialFetch.State.UNAVAILABLE


def test_correction_notice_refuses_fetchable_and_records_art8(loan_item, applicant, company, window):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    rows = _rows(application)
    for name in ("经营场所使用证明", "创业项目计划书"):
        cases.material_upload(actor=applicant, application=application, material_id=rows[name].material_id,
                              upload=io.BytesIO(PDF + name.encode()), filename="a.pdf")
    for name in ("户口簿（户籍信息）", "营业执照（企业登记信息）"):
        services.fetch_confirm(actor=applicant, application=application, material_id=rows[name].material_id)
    cases.application_update(actor=applicant, application=application, form_data={
        "contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区别的路 9 号", "description": "x"})
    case = cases.application_submit(actor=applicant, application=application)
    # Art. 9: the typed address differs from the household register
    d = Discrepancy.objects.get()
    assert d.field == "address" and d.resource.code == "DR-GA-HJ-001" and d.case_number == case.number
    hj = rows["户口簿（户籍信息）"]
    with pytest.raises(DomainError) as exc:
        cases.correction_notice_issue(actor=window, case=case, items=[
            {"material": hj.material_id, "problem": "请提交户口簿"}])
    assert exc.value.problems[0].code == "cases.correction.fetchable"
    attempt = FetchableRequest.objects.get()
    assert attempt.material_id == hj.material_id and attempt.officer == window and attempt.case == case
    case.refresh_from_db()
    assert case.state == "submitted"


def test_discrepancy_decisions_update_the_source_record(loan_item, applicant, company, police_admin, market_admin,
                                                       requester):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    rows = _rows(application)
    for name in ("经营场所使用证明", "创业项目计划书"):
        cases.material_upload(actor=applicant, application=application, material_id=rows[name].material_id,
                              upload=io.BytesIO(PDF + name.encode()), filename="a.pdf")
    for name in ("户口簿（户籍信息）", "营业执照（企业登记信息）"):
        services.fetch_confirm(actor=applicant, application=application, material_id=rows[name].material_id)
    cases.application_update(actor=applicant, application=application, form_data={
        "contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区新家 8 号", "description": "x"})
    cases.application_submit(actor=applicant, application=application)
    d = Discrepancy.objects.get()
    with pytest.raises(NotFound):
        services.discrepancy_decide(actor=market_admin, discrepancy=d, correct=True, reason="x")
    with pytest.raises(DomainError):
        services.discrepancy_decide(actor=police_admin, discrepancy=d, correct=True, reason="")
    services.discrepancy_decide(actor=police_admin, discrepancy=d, correct=True, reason="经核实已迁入新址")
    d.refresh_from_db()
    assert d.state == "corrected" and d.new_record.revision == 2
    answer = _ask(d.resource, requester)
    assert answer.record["address"] == "六安市金安区新家 8 号" and answer.version == "1.2"
    assert AuditEvent.objects.filter(action="sharing.discrepancy.corrected").exists()


def test_dismissing_a_discrepancy_keeps_the_record(loan_item, applicant, company, police_admin):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    rows = _rows(application)
    for name in ("经营场所使用证明", "创业项目计划书"):
        cases.material_upload(actor=applicant, application=application, material_id=rows[name].material_id,
                              upload=io.BytesIO(PDF + name.encode()), filename="a.pdf")
    for name in ("户口簿（户籍信息）", "营业执照（企业登记信息）"):
        services.fetch_confirm(actor=applicant, application=application, material_id=rows[name].material_id)
    cases.application_update(actor=applicant, application=application, form_data={
        "contact_name": "张三", "contact_phone": "13955600001", "address": "别处", "description": "x"})
    cases.application_submit(actor=applicant, application=application)
    d = services.discrepancy_decide(actor=police_admin, discrepancy=Discrepancy.objects.get(), correct=False,
                                    reason="申请人填写的是经营地址")
    assert d.state == "dismissed" and DataRecord.objects.filter(current=True).count() == 3


def test_window_application_fetches_as_the_officer_and_submitting_confirms(loan_item, applicant, applicant_person,
                                                                           window):
    application = cases.application_start(actor=window, item_code=loan_item.code, channel="window",
                                          applicant=applicant)
    rows = _rows(application)
    hj = rows["户口簿（户籍信息）"]
    assert hj.sharing_fetch.state == MaterialFetch.State.FETCHED
    assert hj.sharing_fetch.access.requester_user == window
    for name in ("经营场所使用证明", "创业项目计划书", "营业执照（企业登记信息）"):
        cases.material_upload(actor=window, application=application, material_id=rows[name].material_id,
                              upload=io.BytesIO(PDF + name.encode()), filename="a.pdf")
    cases.application_update(actor=window, application=application, form_data={
        "contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区梅山南路 1 号",
        "description": "窗口"})
    from govhall.core.models import AuditEvent
    from govhall.sharing import services as sharing_services

    assert sharing_services.submission_problems(application) == []  # a read: it confirms nothing
    hj.sharing_fetch.refresh_from_db()
    assert hj.sharing_fetch.state == MaterialFetch.State.FETCHED
    cases.application_submit(actor=window, application=application)
    hj.sharing_fetch.refresh_from_db()
    assert hj.sharing_fetch.state == MaterialFetch.State.CONFIRMED
    confirmed = AuditEvent.objects.get(action="sharing.fetch.confirmed_at_window")
    assert confirmed.actor_id == window.pk and confirmed.after == {"materials": 1}


@pytest.mark.parametrize("answer", [
    "not a dict",
    {"record": {"name": "x"}},                                        # no version, no provider
    {"record": {"name": "x", "salary": 1}, "version": "1", "provider_organ": "p"},  # a field not asked for
])
def test_malformed_peer_answers_are_refused(answer):
    with pytest.raises(providers.InvalidAnswer):
        providers.answer_from(answer, ["name"])
    assert providers.answer_from({"record": {"name": "x"}, "version": "1", "provider_organ": "p"}, ["name"]).record


def test_an_unusable_peer_answer_is_refused_and_recorded(household, police_admin, requester, monkeypatch):
    services.resource_update(actor=police_admin, resource=household, provider_kind="remote", peer_code="hefei")
    household.refresh_from_db()

    def unusable(*args, **kwargs):  # what remote() raises for a signed answer of the wrong shape
        return providers.answer_from({"record": {"name": "x", "salary": 1}, "version": "1", "provider_organ": "p"},
                                     ["name"])

    monkeypatch.setattr(providers, "remote", unusable)
    result = _ask(household, requester, fields=["name"])
    assert not result.granted and result.problem.code == "sharing.peer.answer_invalid"
    assert AccessRecord.objects.get().outcome == AccessOutcome.REFUSED


def test_resolution_queries_grow_by_one_read_per_material(loan_item, applicant, company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govhall.cases.models import Application

    application = Application.objects.create(applicant=applicant, legal_person=company, item=loan_item,
                                             version=loan_item.versions.get(), applicant_name="x")
    rows = ApplicationMaterial.objects.bulk_create([
        ApplicationMaterial(application=application, material=m, status="to_fetch")
        for m in loan_item.versions.get().materials.filter(source="shared_data")])
    with CaptureQueriesContext(connection) as queries:
        fetches = services.resolve_application(actor=applicant, application=application, rows=rows)
    assert [f.state for f in fetches] == ["fetched", "fetched"]
    # resources, person, agreement (conditional), 2 record reads, access rows, audit (3), provenance rows
    assert len(queries) <= 11, [q["sql"][:80] for q in queries]


def _valid_ids(n):
    from govhall.identity.codes import resident_id_check_char

    out = []
    for k in range(n):
        body = f"341502{dt.date(1960, 1, 1) + dt.timedelta(days=k // 900):%Y%m%d}{k % 900:03d}"
        out.append(body + resident_id_check_char(body))
    return out


def test_a_bad_row_after_many_good_batches_stores_nothing(household, police_admin):
    ids = _valid_ids(12001)
    lines = ["subject_key,name,address"] + [f"{i},居民{k},地址{k}" for k, i in enumerate(ids[:12000])]
    lines.append(f"{ids[12000]},,地址")  # the last row lacks a required name
    with pytest.raises(DomainError) as exc:
        services.dataset_upload(actor=police_admin, resource=household, data="\n".join(lines).encode(),
                                filename="big.csv")
    assert [(p.row, p.column) for p in exc.value.problems] == [(12002, "name")]
    assert Dataset.objects.filter(resource=household).count() == 1
    assert DataRecord.objects.count() == 2
    good = "\n".join(lines[:-1]).encode()
    dataset = services.dataset_upload(actor=police_admin, resource=household, data=good, filename="big.csv")
    assert dataset.record_count == 12000 and DataRecord.objects.filter(dataset=dataset).count() == 12000


def test_import_command(household, police_admin, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "hj.csv"
    good.write_bytes(f"subject_key,name,address\n{ZHANG_ID},张三,新地址\n".encode())
    call_command("sharing_dataset_import", "DR-GA-HJ-001", str(good), "--user", police_admin.username)
    household.refresh_from_db()
    assert household.current_dataset.version == 2 and household.current_dataset.uploaded_by == police_admin
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"subject_key,name,address\n123,,\n")
    with pytest.raises(CommandError, match="nothing stored"):
        call_command("sharing_dataset_import", "DR-GA-HJ-001", str(bad), "--user", police_admin.username)
