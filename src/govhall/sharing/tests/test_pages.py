import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govhall.cases import services as cases
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import Role
from govhall.sharing import services
from govhall.sharing.models import AccessRecord, Dataset, MaterialFetch

from .conftest import ZHANG_ID

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def submitted(loan_item, applicant, company):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    rows = {r.material.name: r for r in application.materials.select_related("material")}
    for name in ("经营场所使用证明", "创业项目计划书"):
        cases.material_upload(actor=applicant, application=application, material_id=rows[name].material_id,
                              upload=io.BytesIO(PDF + name.encode()), filename="a.pdf")
    for name in ("户口簿（户籍信息）", "营业执照（企业登记信息）"):
        services.fetch_confirm(actor=applicant, application=application, material_id=rows[name].material_id)
    cases.application_update(actor=applicant, application=application, form_data={
        "contact_name": "张三", "contact_phone": "13955600001", "address": "六安市金安区另一路 3 号", "description": "x"})
    return cases.application_submit(actor=applicant, application=application)


def test_draft_page_shows_fetched_data_for_confirmation(client, loan_item, applicant, company, fully_logged_in):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    fully_logged_in(client, applicant)
    page = client.get(reverse("cases:draft", args=[application.public_id])).content.decode()
    assert "六安市金安区梅山南路 1 号" in page and "六安皖西茶业有限公司" in page
    assert ZHANG_ID not in page
    material_id = application.materials.get(material__name="户口簿（户籍信息）").material_id
    response = client.post(reverse("sharing:fetch_decline", args=[application.public_id, material_id]))
    assert response.status_code == 302
    assert MaterialFetch.objects.get(application_material__material_id=material_id).state == "declined"
    page = client.get(reverse("cases:draft", args=[application.public_id])).content.decode()
    assert 'action="/my/applications/' in page and "upload" in page.lower()


def test_other_people_cannot_confirm(client, loan_item, applicant, company, enterprise_agent, fully_logged_in):
    application = cases.application_start(actor=applicant, item_code=loan_item.code, legal_person=company)
    material_id = application.materials.get(material__name="户口簿（户籍信息）").material_id
    fully_logged_in(client, enterprise_agent)
    assert client.post(reverse("sharing:fetch_confirm", args=[application.public_id, material_id])).status_code == 404


def test_who_used_my_data_and_workbench_provenance(client, submitted, applicant, window, fully_logged_in):
    fully_logged_in(client, applicant)
    page = client.get(reverse("sharing:data_use")).content.decode()
    assert "户籍信息" in page and "企业登记信息" in page and submitted.number in page
    assert ZHANG_ID not in page and "3415**********1235" in page
    fully_logged_in(client, window)
    page = client.get(reverse("workbench:case", args=[submitted.number])).content.decode()
    assert "DR-GA-HJ-001" in page and "六安市公安局" in page and "1.1" in page


def test_guide_shows_how_many_materials_are_fetched(client, loan_item):
    page = client.get(reverse("portal:guide", args=[loan_item.code])).content.decode()
    assert 'id="once-only"' in page and "2" in page.split('id="once-only"')[1][:200]


def test_console_pages(client, submitted, police_admin, hrss_admin, market_admin, supervisor, fully_logged_in,
                       household):
    fully_logged_in(client, police_admin)
    for name, args in [("resources", []), ("resource", ["DR-GA-HJ-001"]), ("resource_edit", ["DR-GA-HJ-001"]),
                       ("resource_new", []), ("agreements", []), ("discrepancies", []), ("access", []),
                       ("art8", []), ("figures", [])]:
        assert client.get(reverse(f"sharing_console:{name}", args=args)).status_code == 200, name
    page = client.get(reverse("sharing_console:discrepancies")).content.decode()
    assert "六安市金安区另一路 3 号" in page
    bad = b"subject_key,name,address\n12345,,\n341502199003071235,,x\n"
    response = client.post(reverse("sharing_console:dataset_upload", args=["DR-GA-HJ-001"]),
                           {"file": SimpleUploadedFile("bad.csv", bad, "text/csv"), "note": ""})
    assert response.status_code == 400
    assert response.content.decode().count("data-code=") >= 3
    assert Dataset.objects.filter(resource=household).count() == 1
    d_id = submitted.application.pk and household.discrepancies.get().pk
    response = client.post(reverse("sharing_console:discrepancy_decide", args=[d_id]),
                           {"decision": "correct", "reason": "已核实", "value": ""})
    assert response.status_code == 302
    fully_logged_in(client, market_admin)  # another organ's resource and discrepancy: 404
    assert client.get(reverse("sharing_console:resource_edit", args=["DR-GA-HJ-001"])).status_code == 404
    assert client.post(reverse("sharing_console:discrepancy_decide", args=[d_id]),
                       {"decision": "dismiss", "reason": "x"}).status_code == 404
    fully_logged_in(client, supervisor)
    assert client.get(reverse("sharing_console:access")).status_code == 200
    assert client.get(reverse("sharing_console:resource_new")).status_code == 403


def test_console_resource_and_agreement_forms(client, police_admin, hrss_admin, market_admin, business, hrss,
                                              fully_logged_in, police):
    fully_logged_in(client, police_admin)
    response = client.post(reverse("sharing_console:resource_new"), {
        "code": "DR-GA-CZ-001", "name": "常住人口信息", "name_en": "", "provider_organ": police.pk,
        "fields_text": "name | 姓名 | name | text | required\naddress | 住址 | address | text | | address",
        "share_class": "unconditional", "classification": "2", "legal_basis": "依据", "update_frequency": "daily",
        "subject_kind": "resident_id", "provider_kind": "local", "peer_code": ""})
    assert response.status_code == 302
    fully_logged_in(client, hrss_admin)
    response = client.post(reverse("sharing_console:agreements"), {
        "resource": business.pk, "requester_organ": hrss.pk, "fields_list": "name, status", "purpose": "审核",
        "legal_basis": "依据", "valid_until": "2026-12-01"})
    assert response.status_code == 302
    agreement = business.agreements.get(fields=["name", "status"])
    fully_logged_in(client, market_admin)
    client.post(reverse("sharing_console:agreement_decide", args=[agreement.pk]), {"decision": "approve"})
    agreement.refresh_from_db()
    assert agreement.state == "approved"


def test_figures_api(client, submitted, supervisor, applicant, fully_logged_in):
    assert client.get("/api/v1/sharing/figures").status_code == 401
    fully_logged_in(client, applicant)
    assert client.get("/api/v1/sharing/figures").status_code == 403
    fully_logged_in(client, supervisor)
    body = client.get("/api/v1/sharing/figures").json()
    assert body["fetched"] == 2 and body["uploaded"] == 2
    assert body["rows"][0]["item_code"] == submitted.item.code and body["rows"][0]["saved_share"] == 0.5


def test_e_licence_material_is_fetched_from_the_wallet(regions, market, applicant, company, clock_start):
    from govhall.catalog import testing
    from govhall.licenses.models import Licence, LicenceType
    from govhall.licenses.services import _holder_fields

    ltype = LicenceType.objects.create(type_code="11100000000019713D001", name="营业执照", holder_kind="legal_person",
                                       face_schema=[{"name": "scope", "label_zh": "经营范围", "label_en": "scope",
                                                     "type": "text"}], defining_organ=market)
    Licence.objects.create(identifier="LIC-1", licence_type=ltype, serial="20260000001", version=1, issuer=market,
                           holder_name=company.name, face={"scope": "茶叶"}, issued_on=dt.date(2026, 1, 1),
                           valid_from=dt.date(2026, 1, 1), **_holder_fields(ltype, company.credit_code))
    item = testing.make_item(organ=market)  # the default guide names the business licence as an e-licence
    application = cases.application_start(actor=applicant, item_code=item.code, legal_person=company)
    row = application.materials.get(material__name="营业执照")
    assert row.status == "to_fetch" and row.sharing_fetch.version == "LIC-1"
    assert row.sharing_fetch.record["scope"] == "茶叶" and row.sharing_fetch.credibility == "A"
    assert AccessRecord.objects.get().resource_code == "11100000000019713D001"
    alone = cases.application_start(actor=applicant, item_code=item.code)  # no company: upload instead
    assert alone.materials.get(material__name="营业执照").status == "missing"


@pytest.fixture
def data_admin_city(regions):
    user = User.objects.create_user(username="data_admin_city", password="Correct-Horse-9")
    StaffRole.objects.create(user=user, role=Role.DATA_ADMIN, region=regions["city"])
    return user
