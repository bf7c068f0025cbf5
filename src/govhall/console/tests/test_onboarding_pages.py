"""Onboarding in the console, without Python: an operator registers a region from its 12-digit code,
completes an organ, imports a published list (dry run, then commit), publishes an item as listed and
reads the completeness dashboard and its export. Another region's administrator finds nothing (404)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from govhall.catalog import services, testing
from govhall.catalog.models import ImplementationItem, Organ, Region
from govhall.catalog.onboarding.items import item_onboard
from govhall.core.models import AuditEvent
from govhall.identity.roles import Role

LIST = ("department,group,name,item_code,task_type,dept_code,area_code\n"
        "区司法局,未分类,法律援助,512C0107400001-511602000000-000-00877868-5-1-00,20,00877868-5,511602000000\n"
        "区司法局,公证业务预约办理,学历公证（指引）,512C0110000001-511602000000-000-00877868-5-1-00,20,00877868-5,"
        "511602000000\n")


@pytest.fixture
def sichuan(db):
    return testing.sichuan_tree()


@pytest.fixture
def district_admin(sichuan):
    return testing.make_staff("guangan_admin", Role.CATALOG_ADMIN, region=sichuan["district"])


@pytest.fixture
def chengdu_admin(sichuan):
    return testing.make_staff("chengdu_admin", Role.CATALOG_ADMIN, region=sichuan["chengdu"])


def test_a_region_is_registered_from_its_statistical_code(as_user, district_admin):
    client = as_user(district_admin)
    response = client.post(reverse("console:regions"), {"code": "511602003000", "name": "浓洄街道",
                                                        "parent": "511602"})
    assert response.status_code == 302
    town = Region.objects.get(code="511602003")
    assert (town.statistical_code, town.level) == ("511602003000", "township")
    page = client.get(reverse("console:region", args=["511602003"])).content.decode()
    assert "511602003000" in page and "statistical code" in page  # the derived value is shown
    response = client.post(reverse("console:regions"), {"code": "510104", "name": "锦江区"})
    assert response.status_code == 400 and not Region.objects.filter(code="510104").exists()


def test_the_import_is_a_dry_run_first_then_the_commit_of_that_same_file(as_user, district_admin):
    client = as_user(district_admin)
    upload = SimpleUploadedFile("广安区清单.csv", LIST.encode())
    response = client.post(reverse("console:onboarding_import"), {"kind": "items", "region": "511602",
                                                                  "file": upload})
    assert response.status_code == 200
    report, digest = response.context["report"], response.context["digest"]
    assert report.ok and not report.committed and dict(report.planned)["items"] == 2
    assert not ImplementationItem.objects.exists()
    response = client.post(reverse("console:onboarding_import"), {"commit": "1", "digest": digest})
    assert response.status_code == 200 and response.context["report"].committed
    assert ImplementationItem.objects.count() == 3  # two items and the main item 公证业务预约办理
    assert AuditEvent.objects.filter(action="catalog.onboarding.imported", actor=district_admin).exists()
    response = client.post(reverse("console:onboarding_import"), {"commit": "1", "digest": digest})
    assert response.status_code == 400  # the staged file is gone once committed


def test_a_bad_file_lists_every_problem_by_row_and_column(as_user, district_admin):
    bad = LIST.replace(",20,", ",3x,").replace("511602000000\n", "511602003204\n", 1)
    response = as_user(district_admin).post(reverse("console:onboarding_import"), {
        "kind": "items", "region": "511602", "file": SimpleUploadedFile("bad.csv", bad.encode())})
    assert response.status_code == 400
    assert {(p.row, p.column) for p in response.context["report"].problems} == {
        (2, "item_type"), (2, "region"), (3, "item_type")}
    assert response.context["digest"] == ""


def test_an_organ_is_completed_with_its_credit_code(as_user, district_admin, sichuan):
    organ = services.organ_create(actor=None, name="区司法局", region=sichuan["district"], org_code="008778685")
    client = as_user(district_admin)
    assert "008778685" in client.get(reverse("console:organs") + "?to_complete=1").content.decode()
    response = client.post(reverse("console:organ", args=[organ.pk]), {
        "name": "区司法局", "credit_code": "115113010087786859", "level": "4"})
    assert response.status_code == 302
    organ.refresh_from_db()
    assert organ.credit_code == "115113010087786859"


def test_another_regions_admin_finds_nothing(as_user, chengdu_admin, sichuan):
    organ = services.organ_create(actor=None, name="区司法局", region=sichuan["district"], org_code="008778685")
    client = as_user(chengdu_admin)
    assert client.get(reverse("console:organ", args=[organ.pk])).status_code == 404
    assert client.post(reverse("console:organ", args=[organ.pk]), {"name": "改名"}).status_code == 404
    assert client.get(reverse("console:region", args=["511602"])).status_code == 404
    assert "区司法局" not in client.get(reverse("console:organs")).content.decode()
    Organ.objects.get(pk=organ.pk, name="区司法局")


def test_an_item_is_registered_as_a_sub_item_and_published_as_listed(as_user, district_admin, sichuan):
    organ = services.organ_create(actor=None, name="区公安分局", region=sichuan["district"])
    main = item_onboard(actor=None, organ=organ, name="户口登记（包括注销、恢复、变更）", item_type="07",
                        listed=False)  # a main item is listed once it has sub-items
    client = as_user(district_admin)
    response = client.post(reverse("console:item_new"), {
        "organ": organ.pk, "name": "户口恢复", "item_type": "07", "parent": main.pk, "listed": "on",
        "local_code": "511F0001-511602000000-000-1151130000877869M-1-00"})
    assert response.status_code == 302
    item = ImplementationItem.objects.get(local_code__startswith="511F0001")
    assert item.parent == main and item.versions.get().is_listed
    page = client.get(reverse("console:item", args=[item.key])).content.decode()
    assert main.key in page and "level" in page  # the main item, and the derived level shown


def test_the_completeness_dashboard_lists_what_each_item_lacks_and_exports_it(as_user, district_admin, sichuan):
    organ = services.organ_create(actor=None, name="区教科体局", region=sichuan["district"], org_code="083372204")
    item_onboard(actor=None, organ=organ, name="中职资助", item_type="5", local_code="G-000007-001")
    client = as_user(district_admin)
    response = client.get(reverse("console:completeness"))
    board = response.context["board"]
    assert board.totals.items == 1 and board.totals.listed == 1
    assert [(r.code, r.organs, r.organs_to_complete, r.listed) for r in board.regions] == [("511602", 1, 1, 1)]
    row = board.rows[0]
    assert {"implementation_code", "basic_code", "organ_credit_code", "acceptance_conditions", "materials",
            "promised_time_limit_days"} <= {key for key, _zh, _en in row.missing}
    export = client.get(reverse("console:completeness_export"))
    wb = load_workbook(io.BytesIO(export.content))
    assert wb["区划汇总 Regions"].cell(row=2, column=1).value == "511602"
    items = wb["事项明细 Items"]
    assert items.cell(row=2, column=3).value == "G-000007-001"
    assert "受理条件" in items.cell(row=2, column=10).value


def test_publishing_a_draft_as_listed_from_the_item_page(as_user, catalog_admin, organ):
    item = testing.make_item(organ=organ, publish=False, location="", complaint_phone="")
    response = as_user(catalog_admin).post(reverse("console:item_publish", args=[item.key]), {
        "effective_from": "2026-11-23", "completeness": "listed"})
    assert response.status_code == 302 and item.versions.get().is_listed


def test_every_onboarding_page_opens_for_the_districts_administrator(as_user, district_admin, sichuan):
    organ = services.organ_create(actor=None, name="区教科体局", region=sichuan["district"], org_code="083372204")
    item = item_onboard(actor=None, organ=organ, name="中职资助", item_type="5", local_code="G-000007-001")
    client = as_user(district_admin)
    for url in (reverse("console:onboarding"), reverse("console:regions"), reverse("console:organs"),
                reverse("console:organ_new"), reverse("console:organ", args=[organ.pk]),
                reverse("console:catalog_items"), reverse("console:catalog_item_new"),
                reverse("console:catalog_item", args=[item.catalog_item.pk]), reverse("console:item_new"),
                reverse("console:item", args=[item.key]), reverse("console:item_identity", args=[item.key]),
                reverse("console:onboarding_import"), reverse("console:completeness") + "?show=all",
                reverse("console:items") + "?state=listed"):
        assert client.get(url).status_code == 200, url
    for kind in ("items", "regions", "organs", "catalog"):
        for fmt in ("csv", "xlsx"):
            response = client.get(reverse("console:onboarding_template", args=[kind, fmt]))
            assert response.status_code == 200 and response.content
    assert item.key in client.get(reverse("console:items") + "?state=listed").content.decode()
