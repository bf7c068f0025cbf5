"""Citizen vocabulary writes (检索词表): create, update, delete, import, and the starter set.

Each write is atomic, audited, and appends a vocabulary change so that every process's search picks
it up before its next query. Who may write: any catalogue administrator for entries that apply
everywhere (the vocabulary is about language, and every change is in the audit log); entries scoped
to a region need a catalogue-administrator role for that region or one containing it; an alias needs
the right to manage its item. System actors (None: command line, demo loader) may do everything.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from govhall.core import audit
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.identity.roles import Role

from .models import ImplementationItem, Organ, Region, SearchChange, SearchSynonym, SynonymKind
from .scope import manageable_organs_q
from .search import log_change
from .search.text import normalise

STARTER = Path(__file__).parent / "data" / "starter_vocabulary.csv"
MAX_CANONICAL = 12
COLUMNS = ["term", "canonical", "kind", "item", "region", "active", "note"]
HEADERS = {"term": "词语", "canonical": "规范词", "kind": "类型", "item": "事项编码", "region": "区划代码",
           "active": "启用", "note": "备注"}
_ALIASES = {**{v: k for k, v in HEADERS.items()}, **{k: k for k in COLUMNS}, "口语": "term", "everyday word": "term",
            "catalogue words": "canonical", "规范": "canonical"}
_TRUE = {"", "1", "true", "yes", "y", "是", "启用", "on"}
_FALSE = {"0", "false", "no", "n", "否", "停用", "off"}


@dataclass
class VocabularyReport:
    """What an import did; ``problems`` non-empty means nothing was saved."""

    digest: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_canonical(value) -> list[str]:
    if isinstance(value, list | tuple):
        parts = value
    else:
        parts = normalise(str(value or "")).replace("｜", "|").split("|")
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _clean(*, term: str, canonical, kind: str, item: ImplementationItem | None, region: Region | None,
           note: str) -> tuple[dict, list[Problem]]:
    problems = []
    term = "".join(normalise(term).split())
    phrases = parse_canonical(canonical)
    if not term:
        problems.append(Problem("vocabulary.term", "须填写词语", "the everyday word is required", "term"))
    elif len(term) > 50:
        problems.append(Problem("vocabulary.term_length", "词语不能超过50个字符", "the word is longer than 50 characters",
                                "term"))
    if kind not in SynonymKind.values:
        problems.append(Problem("vocabulary.kind", f"类型 {kind!r} 无效（synonym 或 alias）",
                                f"kind {kind!r} must be synonym or alias", "kind"))
    elif kind == SynonymKind.ALIAS and item is None:
        problems.append(Problem("vocabulary.alias_item", "事项别名须指定事项", "an alias needs its item", "item"))
    elif kind == SynonymKind.SYNONYM and item is not None:
        problems.append(Problem("vocabulary.synonym_item", "同义词不能指定事项，请选择“事项别名”",
                                "a synonym has no item: choose alias", "item"))
    if kind == SynonymKind.SYNONYM and not phrases:
        problems.append(Problem("vocabulary.canonical", "须填写至少一个规范词", "give at least one catalogue word",
                                "canonical"))
    if len(phrases) > MAX_CANONICAL:
        problems.append(Problem("vocabulary.canonical_count", f"规范词不能超过{MAX_CANONICAL}个",
                                f"at most {MAX_CANONICAL} catalogue words", "canonical"))
    if any(len(p) > 100 for p in phrases):
        problems.append(Problem("vocabulary.canonical_length", "单个规范词不能超过100个字符",
                                "a catalogue word is longer than 100 characters", "canonical"))
    if term and term in [("".join(p.split())) for p in phrases] and kind == SynonymKind.SYNONYM and len(phrases) == 1:
        problems.append(Problem("vocabulary.same", "规范词与词语相同，无需收录", "the catalogue word equals the word",
                                "canonical"))
    if len(note or "") > 200:
        problems.append(Problem("vocabulary.note", "备注不能超过200个字符", "the note is longer than 200 characters",
                                "note"))
    return {"term": term, "canonical": phrases, "kind": kind, "item": item, "region": region,
            "note": (note or "").strip()}, problems


def _scope_problems(actor, *, region: Region | None, item: ImplementationItem | None) -> list[Problem]:
    if actor is None:
        return []
    problems = []
    if region is not None:
        roles = actor.staff_roles.filter(role=Role.CATALOG_ADMIN, region__isnull=False).select_related("region")
        if not any(region.code.startswith(r.region.prefix) for r in roles):
            problems.append(Problem("vocabulary.region_scope", "您不是该区划的事项管理员",
                                    "you are not a catalogue administrator of this region", "region"))
    if item is not None and not Organ.objects.filter(manageable_organs_q(actor), pk=item.organ_id).exists():
        problems.append(Problem("vocabulary.item_scope", "您无权管理该事项", "you may not manage this item", "item"))
    return problems


def _duplicate(values: dict, exclude_pk: int | None = None) -> bool:
    qs = SearchSynonym.objects.filter(term=values["term"])
    if values["item"] is not None:
        qs = qs.filter(item=values["item"])
    else:
        qs = qs.filter(item__isnull=True, region=values["region"])
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _snapshot(entry: SearchSynonym) -> dict:
    return {"term": entry.term, "canonical": entry.canonical, "kind": entry.kind,
            "item": entry.item.code if entry.item_id else None, "region": entry.region_id, "active": entry.active,
            "note": entry.note}


@transaction.atomic
def vocabulary_create(*, actor, term: str, canonical, kind: str = SynonymKind.SYNONYM,
                      item: ImplementationItem | None = None, region: Region | None = None, active: bool = True,
                      note: str = "") -> SearchSynonym:
    """Add an entry. Audit: catalog.vocabulary.created. Raises DomainError listing every problem
    (empty or over-long word, no catalogue word, alias without item, duplicate, scope)."""
    values, problems = _clean(term=term, canonical=canonical, kind=kind, item=item, region=region, note=note)
    problems += _scope_problems(actor, region=region, item=item)
    if not problems and _duplicate(values):
        problems.append(Problem("vocabulary.duplicate", f"词语“{values['term']}”已收录", f"{values['term']} is already in "
                                "the vocabulary for this scope", "term"))
    if problems:
        raise DomainError(problems)
    entry = SearchSynonym.objects.create(**values, active=active,
                                         created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="catalog.vocabulary.created", target=entry, after=_snapshot(entry))
    log_change(SearchChange.VOCABULARY)
    return entry


@transaction.atomic
def vocabulary_update(*, actor, entry: SearchSynonym, term: str, canonical, kind: str,
                      item: ImplementationItem | None = None, region: Region | None = None, active: bool = True,
                      note: str = "") -> SearchSynonym:
    """Change an entry. Audit: catalog.vocabulary.updated (before and after). Scope is checked for
    the entry as it was and as it becomes."""
    entry = SearchSynonym.objects.select_for_update(of=("self",)).select_related("item").get(pk=entry.pk)
    values, problems = _clean(term=term, canonical=canonical, kind=kind, item=item, region=region, note=note)
    problems += _scope_problems(actor, region=entry.region, item=entry.item)
    problems += [p for p in _scope_problems(actor, region=region, item=item) if p not in problems]
    if not problems and _duplicate(values, exclude_pk=entry.pk):
        problems.append(Problem("vocabulary.duplicate", f"词语“{values['term']}”已收录", f"{values['term']} is already in "
                                "the vocabulary for this scope", "term"))
    if problems:
        raise DomainError(problems)
    before = _snapshot(entry)
    for key, value in values.items():
        setattr(entry, key, value)
    entry.active = active
    entry.save()
    audit.record(actor=actor, action="catalog.vocabulary.updated", target=entry, before=before,
                 after=_snapshot(entry))
    log_change(SearchChange.VOCABULARY)
    return entry


@transaction.atomic
def vocabulary_delete(*, actor, entry: SearchSynonym) -> None:
    """Remove an entry. Audit: catalog.vocabulary.deleted (with what it was)."""
    entry = SearchSynonym.objects.select_for_update(of=("self",)).select_related("item").get(pk=entry.pk)
    problems = _scope_problems(actor, region=entry.region, item=entry.item)
    if problems:
        raise DomainError(problems)
    before = _snapshot(entry)
    audit.record(actor=actor, action="catalog.vocabulary.deleted", target=entry, before=before)
    entry.delete()
    log_change(SearchChange.VOCABULARY)


def access_entry(actor, pk: int) -> SearchSynonym:
    """An entry the actor may change; NotFound for missing ones and those outside the actor's scope."""
    entry = SearchSynonym.objects.select_related("item", "region").filter(pk=pk).first()
    if entry is None or _scope_problems(actor, region=entry.region, item=entry.item):
        raise NotFound(pk)
    return entry


# --- import and export ---

def _read_rows(data: bytes, file_name: str) -> list[tuple[int, dict]]:
    """(row number, values by column) of a CSV (UTF-8, BOM allowed, or GB18030) or XLSX file."""
    if data[:2] == b"PK" or file_name.lower().endswith(".xlsx"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        raw = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            content = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            content = data.decode("gb18030")
        raw = list(csv.reader(io.StringIO(content)))
    if not raw:
        return []
    header = [_ALIASES.get(normalise(h).strip(), "") for h in raw[0]]
    return [(n, {key: (row[i] if i < len(row) else "").strip() for i, key in enumerate(header) if key})
            for n, row in enumerate(raw[1:], start=2) if any(c.strip() for c in row)]


def vocabulary_import(*, actor, data: bytes, file_name: str = "") -> VocabularyReport:
    """Import entries from a CSV or XLSX file with the export's columns (词语 term, 规范词 canonical
    separated by "|", 类型 kind, 事项编码 item: implementation or local code, 区划代码 region,
    启用 active, 备注 note; only term and canonical are required).

    Every row is checked first and every problem reported with its row and column; then nothing is
    saved. Otherwise, in one transaction, new entries are created and existing ones (same word and
    scope) updated. Audit: one catalog.vocabulary.imported event with the counts and the file's SM3
    digest (the file itself is the detail).
    """
    report = VocabularyReport(digest=hashlib.new("sm3", data).hexdigest())
    try:
        rows = _read_rows(data, file_name)
    except Exception:  # a file that is neither CSV nor XLSX
        report.problems = [Problem("vocabulary.file", "无法读取文件（应为 CSV 或 XLSX）",
                                   "the file could not be read (CSV or XLSX expected)", "file")]
        return report
    report.rows = len(rows)
    if rows and "term" not in rows[0][1]:
        report.problems = [Problem("vocabulary.header", "首行须为表头，至少包含“词语”“规范词”两列",
                                   "the first row must be the header with at least term and canonical", "file")]
        return report
    regions = {r.code: r for r in Region.objects.filter(code__in={v.get("region", "") for _, v in rows})}
    codes = {v.get("item", "") for _, v in rows} - {""}
    items = {}
    for it in ImplementationItem.objects.filter(code__in=codes):
        items[it.code] = it
    for it in ImplementationItem.objects.filter(local_code__in=codes - set(items)):
        items.setdefault(it.local_code, it)
    planned, seen = [], {}
    for n, values in rows:
        row_problems = []
        kind = (values.get("kind") or "").lower() or (SynonymKind.ALIAS if values.get("item") else SynonymKind.SYNONYM)
        kind = {"同义词": SynonymKind.SYNONYM, "别名": SynonymKind.ALIAS, "事项别名": SynonymKind.ALIAS}.get(kind, kind)
        region = regions.get(values.get("region", "")) if values.get("region") else None
        if values.get("region") and region is None:
            row_problems.append(Problem("vocabulary.region", f"区划 {values['region']} 不存在",
                                        f"no region {values['region']}", "region"))
        item = items.get(values.get("item", "")) if values.get("item") else None
        if values.get("item") and item is None:
            row_problems.append(Problem("vocabulary.item", f"事项 {values['item']} 不存在", f"no item {values['item']}",
                                        "item"))
        active_raw = (values.get("active") or "").strip().lower()
        if active_raw not in _TRUE | _FALSE:
            row_problems.append(Problem("vocabulary.active", f"启用应为“是”或“否”，不是 {values['active']!r}",
                                        "active must be yes or no", "active"))
        cleaned, problems = _clean(term=values.get("term", ""), canonical=values.get("canonical", ""), kind=kind,
                                   item=item, region=region, note=values.get("note", ""))
        row_problems += problems
        if not row_problems:
            row_problems += _scope_problems(actor, region=region, item=item)
        key = (cleaned["term"], region.code if region else None, item.pk if item else None)
        if not row_problems and key in seen:
            row_problems.append(Problem("vocabulary.repeated", f"与第 {seen[key]} 行重复", f"repeats row {seen[key]}",
                                        "term"))
        seen.setdefault(key, n)
        for p in row_problems:
            report.problems.append(Problem(p.code, p.message_zh, p.message_en, p.field, row=n,
                                           column=HEADERS.get(p.field, p.field)))
        planned.append((cleaned, active_raw not in _FALSE))
    if report.problems:
        return report
    with transaction.atomic():
        for cleaned, active in planned:
            existing = _existing(cleaned)
            if existing is None:
                SearchSynonym.objects.create(**cleaned, active=active,
                                             created_by=actor if getattr(actor, "pk", None) else None)
                report.created += 1
            elif (existing.canonical, existing.kind, existing.note, existing.active) != (
                    cleaned["canonical"], cleaned["kind"], cleaned["note"], active):
                existing.canonical, existing.kind, existing.note, existing.active = (
                    cleaned["canonical"], cleaned["kind"], cleaned["note"], active)
                existing.save()
                report.updated += 1
            else:
                report.unchanged += 1
        audit.record(actor=actor, action="catalog.vocabulary.imported", target_type="catalog.searchsynonym",
                     target_id=report.digest[:16], target_label=file_name[:100],
                     after={"rows": report.rows, "created": report.created, "updated": report.updated,
                            "unchanged": report.unchanged, "sm3": report.digest, "file": file_name[:100]})
        log_change(SearchChange.VOCABULARY)
    return report


def _existing(cleaned: dict) -> SearchSynonym | None:
    qs = SearchSynonym.objects.filter(term=cleaned["term"])
    if cleaned["item"] is not None:
        return qs.filter(item=cleaned["item"]).first()
    return qs.filter(item__isnull=True, region=cleaned["region"]).first()


def vocabulary_import_starter(*, actor) -> VocabularyReport:
    """Import the starter vocabulary shipped with GovHall (entries already present are updated only
    where the starter set says otherwise; local additions are kept)."""
    return vocabulary_import(actor=actor, data=STARTER.read_bytes(), file_name=STARTER.name)


def export_rows(entries) -> list[list[str]]:
    rows = [[HEADERS[c] for c in COLUMNS]]
    for e in entries:
        rows.append([e.term, "|".join(e.canonical), e.kind, e.item.code if e.item_id else "",
                     e.region_id or "", "是" if e.active else "否", e.note])
    return rows


def export_csv(entries) -> bytes:
    """UTF-8 with BOM (Excel opens it as Unicode), the columns the import reads."""
    out = io.StringIO()
    csv.writer(out).writerows(export_rows(entries))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(entries) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "检索词表"
    for row in export_rows(entries):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
