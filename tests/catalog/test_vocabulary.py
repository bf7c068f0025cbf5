"""The citizen vocabulary: writes are checked, scoped and audited; import is all or nothing with
every problem by row and column; export reads back in; the starter set loads."""

import openpyxl
import pytest

from govhall.catalog import services_vocabulary as vocab
from govhall.catalog import testing
from govhall.catalog.models import SearchSynonym, SynonymKind
from govhall.core.audit import AuditEvent
from govhall.core.errors import DomainError, NotFound


def codes(exc) -> list[str]:
    return [p.code for p in exc.value.problems]


def test_an_entry_is_normalised_saved_and_audited(catalog_admin):
    entry = vocab.vocabulary_create(actor=catalog_admin, term=" 社保卡 ", canonical="社会保障卡 | 社保卡申领")
    assert (entry.term, entry.canonical, entry.created_by) == ("社保卡", ["社会保障卡", "社保卡申领"], catalog_admin)
    event = AuditEvent.objects.get(action="catalog.vocabulary.created")
    assert event.actor_id == catalog_admin.pk and event.after["canonical"] == ["社会保障卡", "社保卡申领"]


def test_every_problem_of_an_entry_is_reported_at_once(catalog_admin):
    with pytest.raises(DomainError) as exc:
        vocab.vocabulary_create(actor=catalog_admin, term="", canonical="", kind="nonsense")
    assert codes(exc) == ["vocabulary.term", "vocabulary.kind"]
    with pytest.raises(DomainError) as exc:
        vocab.vocabulary_create(actor=catalog_admin, term="开饭店", canonical="", kind=SynonymKind.ALIAS)
    assert codes(exc) == ["vocabulary.alias_item"]
    with pytest.raises(DomainError) as exc:
        vocab.vocabulary_create(actor=catalog_admin, term="低保", canonical="")
    assert codes(exc) == ["vocabulary.canonical"]


def test_the_same_word_twice_in_one_scope_is_refused(catalog_admin, regions):
    vocab.vocabulary_create(actor=None, term="低保", canonical="最低生活保障")
    with pytest.raises(DomainError) as exc:
        vocab.vocabulary_create(actor=catalog_admin, term="低保", canonical="最低生活保障金")
    assert codes(exc) == ["vocabulary.duplicate"]
    vocab.vocabulary_create(actor=None, term="低保", canonical="低保金", region=regions["city"])  # another scope


def test_region_entries_need_a_catalogue_administrator_of_that_region(catalog_admin, region_catalog_admin, regions):
    with pytest.raises(DomainError) as exc:  # an organ's administrator speaks for no region
        vocab.vocabulary_create(actor=catalog_admin, term="上户", canonical="户口登记", region=regions["city"])
    assert codes(exc) == ["vocabulary.region_scope"]
    entry = vocab.vocabulary_create(actor=region_catalog_admin, term="上户", canonical="户口登记",
                                    region=regions["county"])
    with pytest.raises(NotFound):
        vocab.access_entry(catalog_admin, entry.pk)
    assert vocab.access_entry(region_catalog_admin, entry.pk) == entry


def test_an_alias_needs_the_right_to_manage_its_item(catalog_admin, other_organ):
    item = testing.make_item(organ=other_organ)
    with pytest.raises(DomainError) as exc:
        vocab.vocabulary_create(actor=catalog_admin, term="开饭店", canonical="", kind=SynonymKind.ALIAS, item=item)
    assert codes(exc) == ["vocabulary.item_scope"]


def test_update_and_delete_are_audited_with_before_and_after(catalog_admin):
    entry = vocab.vocabulary_create(actor=catalog_admin, term="低保", canonical="最低生活保障")
    vocab.vocabulary_update(actor=catalog_admin, entry=entry, term="低保", canonical="最低生活保障|低保金",
                            kind=SynonymKind.SYNONYM, active=False)
    event = AuditEvent.objects.get(action="catalog.vocabulary.updated")
    assert event.before["canonical"] == ["最低生活保障"] and event.after["active"] is False
    vocab.vocabulary_delete(actor=catalog_admin, entry=entry)
    assert not SearchSynonym.objects.exists()
    assert AuditEvent.objects.get(action="catalog.vocabulary.deleted").before["term"] == "低保"


CSV_OK = "词语,规范词,类型,事项编码,区划代码,启用,备注\n低保,最低生活保障,,,,是,民政\n社保卡,社会保障卡|社保,,,,,\n"


def test_a_csv_import_creates_then_updates_and_is_audited_once(catalog_admin):
    report = vocab.vocabulary_import(actor=catalog_admin, data=CSV_OK.encode("utf-8-sig"), file_name="v.csv")
    assert (report.ok, report.created, report.updated) == (True, 2, 0)
    again = CSV_OK.replace("最低生活保障,", "最低生活保障|低保金,")
    report = vocab.vocabulary_import(actor=catalog_admin, data=again.encode(), file_name="v.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert SearchSynonym.objects.get(term="低保").canonical == ["最低生活保障", "低保金"]
    assert AuditEvent.objects.filter(action="catalog.vocabulary.imported").count() == 2


def test_an_import_with_bad_rows_saves_nothing_and_names_every_row_and_column(catalog_admin):
    bad = ("词语,规范词,类型,事项编码,区划代码,启用\n"
           "低保,最低生活保障,,,,是\n"
           ",社会保障卡,,,,\n"              # row 3: no word
           "开饭店,,alias,NOPE,,\n"          # row 4: unknown item
           "上户,户口登记,,,999999,也许\n"   # row 5: unknown region, bad active
           "低保,最低生活保障,,,,\n")        # row 6: repeats row 2
    report = vocab.vocabulary_import(actor=catalog_admin, data=bad.encode(), file_name="bad.csv")
    found = [(p.row, p.column, p.code) for p in report.problems]
    assert found == [(3, "词语", "vocabulary.term"), (4, "事项编码", "vocabulary.item"),
                     (4, "事项编码", "vocabulary.alias_item"), (5, "区划代码", "vocabulary.region"),
                     (5, "启用", "vocabulary.active"), (6, "词语", "vocabulary.repeated")]
    assert not SearchSynonym.objects.exists()
    assert all(p.message_zh and p.message_en for p in report.problems)


def test_a_file_that_is_not_a_table_is_refused(catalog_admin):
    report = vocab.vocabulary_import(actor=catalog_admin, data=b"\x00\x01PK\x03garbage", file_name="x.xlsx")
    assert [p.code for p in report.problems] == ["vocabulary.file"]


def test_export_reads_back_in_as_csv_and_excel(catalog_admin, tmp_path):
    vocab.vocabulary_import(actor=None, data=CSV_OK.encode(), file_name="v.csv")
    entries = SearchSynonym.objects.order_by("term")
    csv_bytes = vocab.export_csv(entries)
    assert csv_bytes.startswith("\ufeff".encode())
    xlsx = vocab.export_xlsx(entries)
    rows = list(openpyxl.load_workbook(__import__("io").BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("词语", "规范词") and len(rows) == 3
    SearchSynonym.objects.all().delete()
    for data, name in ((csv_bytes, "v.csv"), (xlsx, "v.xlsx")):
        report = vocab.vocabulary_import(actor=catalog_admin, data=data, file_name=name)
        assert report.ok, report.problems
    assert SearchSynonym.objects.get(term="社保卡").canonical == ["社会保障卡", "社保"]


def test_the_starter_vocabulary_loads_and_loading_it_again_changes_nothing(db):
    first = vocab.vocabulary_import_starter(actor=None)
    assert first.ok and first.created > 800
    second = vocab.vocabulary_import_starter(actor=None)
    assert (second.created, second.updated) == (0, 0)
