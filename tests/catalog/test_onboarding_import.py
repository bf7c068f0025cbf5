"""The onboarding import: a published list in CSV, Excel or JSON gives the same rows and the same
row-level problems, all at once; a dry run saves nothing; the commit saves everything or nothing,
each object audited, within the importer's scope."""

import csv
import io
import json

import pytest
from openpyxl import Workbook

from govhall.catalog.models import CatalogItem, Completeness, ImplementationItem, ItemVersion, Organ, Region
from govhall.catalog.onboarding.importer import onboard
from govhall.core import audit
from govhall.core.models import AuditEvent

HEADER = ["department", "group", "name", "item_code", "task_type", "dept_code", "area_code"]
GOOD = [
    ["区公安分局", "户口登记（包括注销、恢复、变更）", "户口恢复", "511F0001-511602000000-000-1151130000877869M-1-00", "7",
     "1151130000877869M", "511602000000"],
    ["区公安分局", "户口登记（包括注销、恢复、变更）", "户口注销", "511F0002-511602000000-000-1151130000877869M-1-00", "7",
     "1151130000877869M", "511602000000"],
    ["区司法局", "未分类", "法律援助", "512C0107400001-511602000000-000-00877868-5-1-00", "20", "00877868-5",
     "511602000000"],
    ["区残联", "未分类", "残疾人证核发", "511A0200-511602000000-000-11511301452259996U-1-00", "1",
     "11511301452259996u", "511602000000"],
]
BAD = [
    ["区公安分局", "未分类", "", "511F0003-511602000000-000-X-1-00", "3x", "1151130000877869M", "511602000"],
    ["区司法局", "未分类", "公证", "512C0107400001-511602000000-000-00877868-5-1-00", "20", "00877868-5",
     "510104000000"],
    ["", "未分类", "无部门事项", "Z-1", "1", "", "511602003204"],
]
# row numbers as a spreadsheet shows them (header = row 1): the bad rows are 6, 7 and 8
EXPECTED_PROBLEMS = {
    (6, "name"), (6, "item_type"), (6, "region"),
    (7, "region"), (7, "local_code"),
    (8, "organ"), (8, "region"),
}


def as_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def as_xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append([int(v) if k == "area_code" and v.isdigit() else v for k, v in zip(HEADER, row, strict=True)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def where(report) -> set[tuple[int, str]]:
    return {(p.row, p.column) for p in report.problems}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_bad_row_is_reported_at_once_with_row_and_column_and_nothing_is_saved(sichuan, district_admin, fmt):
    data = (as_csv if fmt == "csv" else as_xlsx)(GOOD + BAD)
    report = onboard(actor=district_admin, kind="items", file=data, region=sichuan["district"], dry_run=False)
    assert not report.ok and not report.committed
    assert where(report) == EXPECTED_PROBLEMS
    assert {p.field for p in report.problems} == {"items"}
    assert not Organ.objects.exists() and not ImplementationItem.objects.exists()


def test_csv_excel_and_json_give_the_same_problems(sichuan, district_admin):
    region = sichuan["district"]
    by_csv = onboard(actor=district_admin, kind="items", file=as_csv(GOOD + BAD), region=region)
    by_xlsx = onboard(actor=district_admin, kind="items", file=as_xlsx(GOOD + BAD), region=region)
    records = [dict(zip(HEADER, row, strict=True)) for row in GOOD + BAD]
    by_json = onboard(actor=district_admin, kind="items", file=json.dumps(records, ensure_ascii=False).encode(),
                      region=region)
    assert (by_csv.format, by_xlsx.format, by_json.format) == ("csv", "xlsx", "json")
    assert [(p.code, p.column) for p in by_csv.problems] == [(p.code, p.column) for p in by_xlsx.problems]
    assert [(p.code, p.column) for p in by_json.problems] == [(p.code, p.column) for p in by_csv.problems]
    assert {p.row for p in by_json.problems} == {5, 6, 7}  # JSON rows are record numbers


def test_a_dry_run_saves_nothing_and_says_what_the_commit_creates(sichuan, district_admin):
    before = AuditEvent.objects.count()
    report = onboard(actor=district_admin, kind="items", file=as_csv(GOOD), region=sichuan["district"])
    assert report.ok and report.dry_run and not report.committed
    assert dict(report.planned) == {"organs": 3, "catalog_items": 5, "main_items": 1, "items": 4, "listed": 5}
    assert not Organ.objects.exists() and AuditEvent.objects.count() == before
    notes = {p.code for p in report.notes}
    assert notes == {"onboarding.organ_to_complete", "onboarding.organ_code_unreadable"}


def test_the_commit_registers_organs_items_and_sub_items_listed_and_audited(sichuan, district_admin):
    report = onboard(actor=district_admin, kind="items", file=as_csv(GOOD), region=sichuan["district"],
                     dry_run=False)
    assert report.committed, report.problems
    police, justice, disabled = (Organ.objects.get(name=n) for n in ("区公安分局", "区司法局", "区残联"))
    assert police.to_complete and police.source_codes == ["1151130000877869M"] and police.org_code == ""
    assert justice.to_complete and justice.org_code == "008778685"
    assert disabled.credit_code == "11511301452259996U" and disabled.source_codes == ["11511301452259996u"]
    restore = ImplementationItem.objects.get(local_code=GOOD[0][3])
    main = restore.parent
    assert main.versions.get().name == "户口登记（包括注销、恢复、变更）" and main.sub_items.count() == 2
    assert main.catalog_item.item_type == "07" and "item_type" in main.catalog_item.derived
    assert (restore.key, restore.code, restore.level, restore.region_id) == (GOOD[0][3], None, "4", "511602")
    assert restore.derived == {"level": "from the organ's region / 按实施机构所在区划层级确定"}
    assert set(ItemVersion.objects.values_list("completeness", "state").distinct()) == {
        (Completeness.LISTED, "published")}
    assert CatalogItem.objects.filter(basic_code__isnull=True).count() == 5
    actions = list(AuditEvent.objects.filter(actor=district_admin).values_list("action", flat=True))
    assert actions.count("catalog.item.created") == 5 and actions.count("catalog.item.published") == 5
    assert actions.count("catalog.organ.created") == 3 and actions.count("catalog.catalog_item.created") == 5
    assert actions[-1] == "catalog.onboarding.imported"
    assert audit.verify().ok


def test_importing_the_same_list_again_changes_nothing(sichuan, district_admin):
    onboard(actor=district_admin, kind="items", file=as_csv(GOOD), region=sichuan["district"], dry_run=False)
    count = ImplementationItem.objects.count()
    report = onboard(actor=district_admin, kind="items", file=as_csv(GOOD), region=sichuan["district"],
                     dry_run=False)
    assert report.committed and dict(report.existing) == {"items": 4}
    assert report.created["items"] == 0 and ImplementationItem.objects.count() == count


def test_an_admin_of_another_region_cannot_onboard_this_region(sichuan, chengdu_admin):
    report = onboard(actor=chengdu_admin, kind="items", file=as_csv(GOOD), region=sichuan["district"],
                     dry_run=False)
    assert not report.ok and {p.code for p in report.problems} == {"onboarding.scope"}
    report = onboard(actor=chengdu_admin, kind="items", file=as_csv(GOOD), region=sichuan["chengdu"],
                     dry_run=False)
    assert {p.code for p in report.problems} == {"onboarding.region_outside"}
    assert where(report) == {(row, "region") for row in range(2, 6)}
    assert not ImplementationItem.objects.exists()


def test_an_organ_admin_adds_items_of_their_own_organ_only(sichuan):
    from govhall.catalog import services, testing
    from govhall.identity.roles import Role

    justice = services.organ_create(actor=None, name="区司法局", region=sichuan["district"], org_code="008778685")
    admin = testing.make_staff("justice_admin", Role.CATALOG_ADMIN, organ=justice)
    report = onboard(actor=admin, kind="items", file=as_csv(GOOD[2:4]), dry_run=False)
    assert where(report) == {(3, "organ")}  # 区残联 is not registered and they may not register it
    report = onboard(actor=admin, kind="items", file=as_csv(GOOD[2:4]), region=sichuan["district"])
    assert {p.code for p in report.problems} == {"onboarding.scope"}  # they register nothing in the region
    report = onboard(actor=admin, kind="items", file=as_csv(GOOD[2:3]), dry_run=False)
    assert report.committed and ImplementationItem.objects.get().organ == justice


def test_regions_import_from_statistical_codes_with_parents_from_the_layout(db):
    regions = "区划代码 code,名称 name\n510000000000,四川省\n511600000000,广安市\n511602000000,广安区\n511602003204,某村\n"
    report = onboard(actor=None, kind="regions", file=regions.encode(), dry_run=False)
    assert where(report) == {(5, "code")} and not Region.objects.exists()
    report = onboard(actor=None, kind="regions", file=regions.rsplit("5116020032", 1)[0].encode(), dry_run=False)
    assert report.committed and set(Region.objects.values_list("code", "parent_id")) == {
        ("510000", None), ("511600", "510000"), ("511602", "511600")}
    assert Region.objects.get(code="511602").statistical_code == "511602000000"


def test_organs_import_checks_credit_codes_and_keeps_legacy_and_published_codes(sichuan, district_admin):
    organs = ("机构名称 name,所在区划代码 region,统一社会信用代码 credit_code,组织机构代码 org_code,原始部门编码 source_code\n"
              "区财政局,511602000000,11511301008778220W,,\n"
              "区司法局,511602,,00877868-5,00877868-5\n"
              "区消防大队,511602,,,130501003\n"
              "区卫健局,511602,11511301008778490X,,\n")
    report = onboard(actor=district_admin, kind="organs", file=organs.encode(), dry_run=False)
    assert where(report) == {(5, "credit_code")}
    report = onboard(actor=district_admin, kind="organs", file=organs.rsplit("区卫健局", 1)[0].encode(), dry_run=False)
    assert report.committed and report.created["organs"] == 3
    fire = Organ.objects.get(name="区消防大队")
    assert (fire.credit_code, fire.org_code, fire.source_codes) == (None, "", ["130501003"])
    assert any("130501003" in n.message_en for n in report.notes)


def test_unknown_and_missing_columns_are_problems_of_the_header(sichuan):
    data = "事项名称 name,颜色 colour\n某事项,红\n".encode()
    report = onboard(actor=None, kind="items", file=data, region=sichuan["district"])
    assert {(p.code, p.row, p.column) for p in report.problems} == {("onboarding.unknown_column", 1, "颜色 colour")}
    report = onboard(actor=None, kind="catalog", file="name\n某事项\n".encode())
    assert {p.column for p in report.problems} == {"item_type", "region"}


def test_the_command_line_dry_runs_commits_and_lists_problems(sichuan, tmp_path):
    from django.core.management import CommandError, call_command

    good, bad = tmp_path / "list.csv", tmp_path / "bad.csv"
    good.write_bytes(as_csv(GOOD))
    bad.write_bytes(as_csv(GOOD + BAD))
    out = io.StringIO()
    call_command("catalog", "onboard", str(good), "--region", "511602000000", "--dry-run", stdout=out)
    assert "dry run passed, nothing saved" in out.getvalue() and not ImplementationItem.objects.exists()
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "onboard", str(bad), "--region", "511602", stdout=io.StringIO())
    assert "7 problems" in str(exc.value) and "row 6 [item_type]" in str(exc.value)
    call_command("catalog", "onboard", str(good), "--region", "511602", stdout=out)
    assert "imported" in out.getvalue() and ImplementationItem.objects.count() == 5
    sheet = tmp_path / "completeness.xlsx"
    call_command("catalog", "completeness", str(sheet), "--region", "511602", stdout=out)
    assert sheet.stat().st_size > 0 and "listed 5" in out.getvalue()
