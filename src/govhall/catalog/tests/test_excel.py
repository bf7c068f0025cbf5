"""Excel import and export of implementation lists: all or nothing, every problem on its cell."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from govhall.catalog import excel, testing
from govhall.catalog.guide import (
    FAQ_FIELDS,
    FEE_FIELDS,
    MATERIAL_FIELDS,
    PROCEDURE_FIELDS,
    SCALAR_FIELDS,
    STEP_FIELDS,
)
from govhall.catalog.models import ImplementationItem, ItemVersion, SearchEntry
from govhall.catalog.selectors import guide_of
from govhall.catalog.services_import import implementation_list_export, implementation_list_import
from govhall.core.codes import credit_check_char
from govhall.core.models import AuditEvent

# --- building workbooks the way a person would ---

SHEET_FIELDS = {"materials": MATERIAL_FIELDS, "fees": FEE_FIELDS, "process_steps": STEP_FIELDS,
                "special_procedures": PROCEDURE_FIELDS, "faqs": FAQ_FIELDS}


def _cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return ";".join(value)
    return value


def rows_for(organ, catalog_item, level="3", **overrides) -> dict[str, list[dict]]:
    """Rows of every sheet for one item with the factory guide."""
    g = testing.guide(**overrides)
    code = f"{organ.credit_code}{level}{catalog_item.basic_code}"
    item = {"implementation_code": code, "basic_code": catalog_item.basic_code,
            "organ_credit_code": organ.credit_code, "level": level, "local_code": "",
            **{f: _cell(g[f]) for f in [*SCALAR_FIELDS, "topics", "joint_organs"]}}
    out = {"items": [item]}
    for key, fields in SHEET_FIELDS.items():
        out[key] = [{"implementation_code": code, **{f: _cell(child.get(f)) for f in fields}} for child in g[key]]
    return out


def merge(*parts: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for part in parts:
        for key, rows in part.items():
            out.setdefault(key, []).extend(rows)
    return out


def workbook(sheets: dict[str, list[dict]], *, reverse_columns: bool = False) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in excel.SHEETS:
        key = sheet.guide_key or "items"
        rows = sheets.get(key, [])
        ws = wb.create_sheet(sheet.name)
        columns = [c for c in sheet.columns if any(c.key in r for r in rows)] or sheet.columns
        if reverse_columns:
            columns = columns[::-1]
        ws.append([c.header for c in columns])
        for r in rows:
            ws.append([r.get(c.key) for c in columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def where(report) -> set[tuple[str, int | None, str]]:
    return {(p.field, p.row, p.column) for p in report.problems}


ITEMS, MATERIALS = excel.ITEMS.name, excel.CHILD_SHEETS[0].name


# --- the layout ---

def test_the_layout_covers_every_guide_field():
    assert set(SCALAR_FIELDS) | {"topics", "joint_organs", "implementation_code", "basic_code",
                                 "organ_credit_code", "level", "local_code"} == {c.key for c in excel.ITEM_COLUMNS}
    for sheet in excel.CHILD_SHEETS:
        assert {c.key for c in sheet.columns} == {"implementation_code", *SHEET_FIELDS[sheet.guide_key]}
    assert all(c.header == f"{c.zh} {c.key}" for s in excel.SHEETS for c in s.columns)


def test_the_template_has_the_notes_sheet_and_every_header(regions, tmp_path):
    call_command("catalog", "template", str(tmp_path / "template.xlsx"), stdout=io.StringIO())

    wb = load_workbook(tmp_path / "template.xlsx")
    assert wb.sheetnames == [excel.NOTES_SHEET, *(s.name for s in excel.SHEETS)]
    assert [c.value for c in wb[ITEMS][1]] == [c.header for c in excel.ITEM_COLUMNS]
    assert wb[ITEMS].max_row == 1


# --- a good file ---

def test_a_good_file_imports_every_item_as_a_draft_with_one_audit_event(organ, catalog_admin):
    items = [testing.make_catalog_item(name=f"事项{i}") for i in range(3)]
    data = workbook(merge(*(rows_for(organ, ci, name=f"事项{i}") for i, ci in enumerate(items))),
                    reverse_columns=True)
    calls = []

    report = implementation_list_import(actor=catalog_admin, file=data, progress=lambda d, t: calls.append((d, t)))

    assert report.ok, report.problems
    assert len(report.created) == 3 and not report.updated and not report.published
    versions = ItemVersion.objects.filter(item__organ=organ)
    assert versions.count() == 3 and {v.state for v in versions} == {"draft"}
    stored = guide_of(versions.get(name="事项1"))
    expected = testing.guide(name="事项1")
    assert {k: stored[k] for k in expected} == expected
    assert calls[-1] == (3, 3)
    event = AuditEvent.objects.get(action="catalog.list.imported")
    assert event.actor == catalog_admin
    assert event.after["created"] == 3 and event.after["sm3"] == hashlib.new("sm3", data).hexdigest()


def test_with_publish_every_item_is_published_and_searchable(organ, catalog_admin):
    data = workbook(merge(rows_for(organ, testing.make_catalog_item()), rows_for(organ, testing.make_catalog_item())))

    report = implementation_list_import(actor=catalog_admin, file=data, publish=True)

    assert report.ok, report.problems
    assert len(report.published) == 2
    assert set(ItemVersion.objects.values_list("state", flat=True)) == {"published"}
    assert SearchEntry.objects.count() == 2


def test_a_draft_that_cannot_be_published_is_refused_with_publish(organ, catalog_admin):
    data = workbook(rows_for(organ, testing.make_catalog_item(), location="", materials=[]))

    report = implementation_list_import(actor=catalog_admin, file=data, publish=True)

    assert not report.ok
    assert {(ITEMS, 2, "location"), (ITEMS, 2, "materials")} <= where(report)
    assert not ImplementationItem.objects.exists()


# --- bad files: nothing is saved, every problem is named ---

def test_a_file_with_bad_rows_imports_nothing_and_names_every_cell(organ, catalog_admin, regions):
    good, c2, c3, c4, c5 = (testing.make_catalog_item() for _ in range(5))
    sheets = merge(rows_for(organ, good), rows_for(organ, c2), rows_for(organ, c3, promised_time_limit_days=30),
                   rows_for(organ, c4), rows_for(organ, c5))
    items = sheets["items"]
    bad_check = items[1]["implementation_code"]
    items[1]["implementation_code"] = bad_check[:17] + ("0" if bad_check[17] != "0" else "1") + bad_check[18:]
    items[3]["legal_time_limit_days"] = "二十天"
    stranger = testing.make_credit_code("341500", 99999999)
    assert stranger[17] == credit_check_char(stranger[:17])
    items[4]["organ_credit_code"] = stranger
    items[4]["implementation_code"] = f"{stranger}3{c5.basic_code}"
    sheets["materials"].append({**sheets["materials"][0], "implementation_code": f"{organ.credit_code}4{good.basic_code}"})
    sheets["materials"][0]["necessity"] = "必须"
    data = workbook(sheets)

    report = implementation_list_import(actor=catalog_admin, file=data)

    assert not report.ok
    assert not ImplementationItem.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="catalog.list").exists()
    found = where(report)
    assert (ITEMS, 3, "implementation_code") in found  # wrong check character
    assert (ITEMS, 4, "promised_time_limit_days") in found  # promised > legal
    assert (ITEMS, 5, "legal_time_limit_days") in found  # text in a number column
    assert (ITEMS, 6, "organ_credit_code") in found  # unknown organ
    orphan_row = len(sheets["materials"]) + 1
    assert (MATERIALS, orphan_row, "implementation_code") in found  # material of an unknown code
    assert (MATERIALS, 2, "necessity") in found
    promised = next(p for p in report.problems if p.column == "promised_time_limit_days")
    assert "30" in promised.message_zh and promised.message_en
    assert not any(p.row == 2 and p.field == ITEMS for p in report.problems)  # the good row is not blamed


def test_duplicate_codes_and_missing_columns_are_reported(organ, catalog_admin):
    ci = testing.make_catalog_item()
    sheets = merge(rows_for(organ, ci), rows_for(organ, ci))
    for row in sheets["items"]:
        del row["name"]
    report = implementation_list_import(actor=catalog_admin, file=workbook(sheets))

    assert {(ITEMS, 3, "implementation_code"), (ITEMS, 1, "name")} <= where(report)
    assert not ImplementationItem.objects.exists()


def test_a_material_rule_is_reported_on_its_material_row(organ, catalog_admin):
    sheets = rows_for(organ, testing.make_catalog_item())
    sheets["materials"][1]["licence_type_code"] = ""  # an e-licence material without its type code

    report = implementation_list_import(actor=catalog_admin, file=workbook(sheets))

    assert where(report) == {(MATERIALS, 3, "licence_type_code")}


def test_an_actor_of_another_organ_gets_a_row_problem_and_nothing_is_saved(organ, other_catalog_admin):
    data = workbook(rows_for(organ, testing.make_catalog_item()))

    report = implementation_list_import(actor=other_catalog_admin, file=data)

    assert where(report) == {(ITEMS, 2, "organ_credit_code")}
    assert not ImplementationItem.objects.exists()


@pytest.mark.parametrize("content", [b"not a workbook", b"PK\x03\x04garbage", "zip"])
def test_content_that_is_not_xlsx_is_refused(db, content):
    if content == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("hello.txt", "hi")
        content = buffer.getvalue()

    report = implementation_list_import(actor=None, file=content)

    assert [p.code for p in report.problems] == ["import.not_xlsx"]


def test_a_file_above_the_upload_limit_is_refused(db, settings):
    settings.GOVHALL_MAX_UPLOAD_BYTES = 100

    report = implementation_list_import(actor=None, file=b"PK\x03\x04" + b"0" * 200)

    assert [p.code for p in report.problems] == ["import.too_large"]


# --- existing items and the round trip ---

def test_export_then_import_round_trips_into_an_identical_draft(organ, other_organ, catalog_admin):
    testing.make_topic("E02")
    item = testing.make_item(organ=organ, topics=["E02"], joint_organs=[other_organ.credit_code], fee_charged=True,
                             fees=[{"name": "工本费", "standard": "10元/本", "basis": "", "reduction": "低保免收"}])
    published = item.versions.get()

    data = implementation_list_export()
    parsed = excel.parse_workbook(data)
    assert not parsed.problems
    assert parsed.items[0].guide == guide_of(published)
    report = implementation_list_import(actor=catalog_admin, file=data)

    assert report.ok, report.problems
    assert report.updated == [item.code]
    draft = item.versions.get(state="draft")
    assert draft.number == 2
    assert guide_of(draft) == guide_of(published)


def test_importing_an_existing_item_replaces_its_draft(organ, catalog_admin):
    item = testing.make_item(organ=organ)
    sheets = rows_for(organ, item.catalog_item, promised_time_limit_days=5)
    implementation_list_import(actor=catalog_admin, file=workbook(sheets))

    report = implementation_list_import(actor=catalog_admin, file=workbook(rows_for(organ, item.catalog_item,
                                                                                    promised_time_limit_days=3)))

    assert report.ok, report.problems
    assert item.versions.count() == 2
    assert item.versions.get(state="draft").promised_time_limit_days == 3


# --- the command line ---

def test_the_command_imports_and_exports(organ, catalog_admin, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_bytes(workbook(rows_for(organ, testing.make_catalog_item())))
    out = io.StringIO()

    call_command("catalog", "import", str(path), "--actor", "catalog_admin", "--publish", stdout=out)

    assert "published 1" in out.getvalue()
    export = tmp_path / "export.xlsx"
    call_command("catalog", "export", str(export), "--organ", organ.credit_code, stdout=io.StringIO())
    assert load_workbook(export)[ITEMS].max_row == 2
    call_command("catalog", "export", str(export), "--drafts", stdout=io.StringIO())
    assert load_workbook(export)[ITEMS].max_row == 1  # the only draft was published
    implementation_list_import(actor=catalog_admin, file=path)
    call_command("catalog", "export", str(export), "--drafts", "--region", "341500", stdout=io.StringIO())
    assert load_workbook(export)[ITEMS].max_row == 2


def test_the_command_fails_and_lists_the_problems_of_a_bad_file(organ, tmp_path):
    sheets = rows_for(organ, testing.make_catalog_item(), promised_time_limit_days=99)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook(sheets))

    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(path))

    assert "promised_time_limit_days" in str(exc.value) and "row 2" in str(exc.value)
    assert not ImplementationItem.objects.exists()


def test_an_uploaded_file_object_is_read(organ, catalog_admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("清单.xlsx", workbook(rows_for(organ, testing.make_catalog_item())))

    report = implementation_list_import(actor=catalog_admin, file=upload)

    assert report.ok and report.file_name == "清单.xlsx"
    assert AuditEvent.objects.get(action="catalog.list.imported").after["file_name"] == "清单.xlsx"
