"""Import of an implementation list workbook (实施清单 .xlsx): validate every row, then write all or nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from govhall.core import audit
from govhall.core.codes import credit_code_problem, implementation_code_problem
from govhall.core.errors import DomainError, NotFound, Problem

from . import excel, services
from .excel import ITEMS, ParsedItem
from .guide import DEFAULTED_FIELDS, SCALAR_FIELDS
from .models import CatalogItem, ImplementationItem, ItemVersion, Organ, Topic, VersionState
from .scope import manageable_organs_q
from .selectors import GUIDE_PREFETCH, guide_of, versions_in_force

Progress = Callable[[int, int], None]
_FULL_GUIDE_KEYS = {*SCALAR_FIELDS, "topics", "joint_organs", *(s.guide_key for s in excel.CHILD_SHEETS)}


@dataclass
class ImportReport:
    """What an import did. ``problems`` non-empty means nothing was saved."""

    digest: str = ""
    file_name: str = ""
    items: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Rejected(Exception):
    """Rolls the whole import back after a row failed in a service."""


def implementation_list_import(*, actor, file, publish: bool = False, progress: Progress | None = None
                               ) -> ImportReport:
    """Import an implementation list workbook: every item becomes a draft (published with ``publish``).

    ``file`` is bytes, a path or a binary file object (an upload). Every row of every sheet is
    validated first (codes, organ, catalogue item, level, actor's scope, types, guide rules; with
    ``publish`` also the publishing rules); every problem is reported at once with its sheet, row
    and column, and then nothing is saved. Otherwise, in one transaction: a new implementation code
    is created through ``implementation_item_create``, an existing one gets its draft replaced
    (``item_draft_for_edit`` + ``version_update``), and with ``publish`` each draft is published
    from today. A row a service refuses (scope, a version already scheduled…) becomes a problem
    on that row and the whole import is rolled back.

    Audit: the services' own events per item, plus one ``catalog.list.imported`` summary with the
    counts and the file's SM3 digest. ``progress(done, total)`` is called as items are written.
    """
    report = ImportReport()
    data, report.file_name, problem = _read(file)
    if problem:
        report.problems = [problem]
        return report
    report.digest = hashlib.new("sm3", data).hexdigest()
    parsed = excel.parse_workbook(data)
    report.items = len(parsed.items)
    lookups = _Lookups.load(parsed.items, actor)
    problems = list(parsed.problems)
    seen = {(p.field, p.row, p.column) for p in problems}
    for item in parsed.items:
        item_problems = _row_problems(item, lookups)
        existing = lookups.items.get(item.code)
        complete = existing is None or _FULL_GUIDE_KEYS <= set(item.guide)
        item_problems += excel.guide_problems(item, publish=publish, complete=complete)
        for p in item_problems:
            if (p.field, p.row, p.column) not in seen:
                seen.add((p.field, p.row, p.column))
                problems.append(p)
    if problems or not parsed.items:
        report.problems = problems or [excel.cell_problem("import.empty", "文件中没有事项", "the file lists no items",
                                                          ITEMS.name)]
        return report
    try:
        with transaction.atomic():
            _write(parsed.items, lookups, actor=actor, publish=publish, report=report, progress=progress)
            if report.problems:
                raise _Rejected
            audit.record(actor=actor, action="catalog.list.imported", target_type="catalog.implementation_list",
                         target_id=report.digest, target_label=report.file_name or report.digest[:16],
                         after={"sm3": report.digest, "file_name": report.file_name, "items": report.items,
                                "created": len(report.created), "updated": len(report.updated),
                                "published": len(report.published)})
    except _Rejected:
        report.created, report.updated, report.published = [], [], []
    return report


def _read(file) -> tuple[bytes, str, Problem | None]:
    limit = settings.GOVHALL_MAX_UPLOAD_BYTES
    too_large = excel.cell_problem("import.too_large", f"文件超过 {limit // (1024 * 1024) or limit} "
                                   f"{'MB' if limit >= 1024 * 1024 else '字节'} 的上限",
                                   f"the file is larger than the limit of {limit} bytes", "file")
    if isinstance(file, bytes | bytearray | memoryview):
        data, name = bytes(file), ""
    elif isinstance(file, str | os.PathLike):
        path = Path(file)
        if path.stat().st_size > limit:
            return b"", path.name, too_large
        data, name = path.read_bytes(), path.name
    else:
        if getattr(file, "size", None) is not None and file.size > limit:
            return b"", getattr(file, "name", ""), too_large
        if hasattr(file, "seek"):
            file.seek(0)
        data, name = file.read(limit + 1), os.path.basename(str(getattr(file, "name", "") or ""))
        if isinstance(data, str):
            return b"", name, excel.open_workbook(b"")[1]
    if len(data) > limit:
        return b"", name, too_large
    return data, name, None


@dataclass
class _Lookups:
    """Everything the rows refer to, fetched in a handful of queries (no per-row lookups)."""

    organs: dict[str, Organ]
    catalog_items: dict[str, CatalogItem]
    items: dict[str, ImplementationItem]
    topics: set[str]
    manageable: set[int] | None  # None: the system actor manages everything

    @classmethod
    def load(cls, rows: list[ParsedItem], actor) -> _Lookups:
        credit_codes = {r.organ_credit_code for r in rows} | {c for r in rows for c in r.guide.get("joint_organs", [])}
        return cls(
            organs={o.credit_code: o for o in Organ.objects.filter(credit_code__in=credit_codes)},
            catalog_items={c.basic_code: c for c in CatalogItem.objects.filter(basic_code__in={r.basic_code
                                                                                               for r in rows})},
            items={i.code: i for i in ImplementationItem.objects.filter(code__in={r.code for r in rows})
                   .select_related("organ", "catalog_item")},
            topics=set(Topic.objects.filter(code__in={t for r in rows for t in r.guide.get("topics", [])})
                       .values_list("code", flat=True)),
            manageable=None if actor is None else set(
                Organ.objects.filter(manageable_organs_q(actor)).values_list("pk", flat=True)),
        )


def _row_problems(row: ParsedItem, lookups: _Lookups) -> list[Problem]:
    """Identity, reference and scope checks of one Items row."""
    out: list[Problem] = []

    def add(code: str, zh: str, en: str, column: str) -> None:
        out.append(excel.cell_problem(code, zh, en, ITEMS.name, row.row, column))

    if row.code and (reason := implementation_code_problem(row.code)):
        add("import.implementation_code", f"实施编码 {row.code} 无效：{reason}",
            f"implementation code {row.code} is invalid: {reason}", "implementation_code")
    organ = lookups.organs.get(row.organ_credit_code)
    if row.organ_credit_code and (reason := credit_code_problem(row.organ_credit_code)):
        add("import.credit_code", f"统一社会信用代码 {row.organ_credit_code} 无效：{reason}",
            f"credit code {row.organ_credit_code} is invalid: {reason}", "organ_credit_code")
    elif row.organ_credit_code and (organ is None or (lookups.manageable is not None
                                                      and organ.pk not in lookups.manageable)):
        add("import.organ_unknown", f"实施机构 {row.organ_credit_code} 未登记或不在您的管理范围内",
            f"organ {row.organ_credit_code} is not registered or not in your catalogue scope", "organ_credit_code")
    catalog_item = lookups.catalog_items.get(row.basic_code)
    if row.basic_code and catalog_item is None:
        add("import.catalog_item_unknown", f"基本编码 {row.basic_code} 不在目录清单中",
            f"basic code {row.basic_code} is not in the catalogue", "basic_code")
    if catalog_item is not None and row.level and row.level not in catalog_item.exercise_levels:
        add("import.level", f"行使层级 {row.level} 不在目录事项的行使层级（{'、'.join(catalog_item.exercise_levels)}）中",
            f"level {row.level} is not one of the catalogue item's levels {catalog_item.exercise_levels}", "level")
    expected = f"{row.organ_credit_code}{row.level}{row.basic_code}"
    if row.code and row.organ_credit_code and row.level and row.basic_code and row.code != expected:
        add("import.code_mismatch", f"实施编码 {row.code} 与“实施机构信用代码+行使层级+基本编码”（{expected}）不符",
            f"implementation code {row.code} does not equal organ code + level + basic code ({expected})",
            "implementation_code")
    unknown_topics = [t for t in row.guide.get("topics", []) if t not in lookups.topics]
    if unknown_topics:
        add("import.topic_unknown", f"主题分类代码不存在：{'；'.join(unknown_topics)}",
            f"unknown topic codes: {', '.join(unknown_topics)}", "topics")
    joint = row.guide.get("joint_organs", [])
    bad_joint = [c for c in joint if c not in lookups.organs or c == row.organ_credit_code]
    if bad_joint:
        add("import.joint_organs", f"联办机构无效（未登记或为本机构）：{'；'.join(bad_joint)}",
            f"joint organs not registered or equal to the lead organ: {', '.join(bad_joint)}", "joint_organs")
    return out


def _write(rows: list[ParsedItem], lookups: _Lookups, *, actor, publish: bool, report: ImportReport,
           progress: Progress | None) -> None:
    total = len(rows)
    if progress:
        progress(0, total)
    for done, row in enumerate(rows, start=1):
        try:
            with transaction.atomic():  # a savepoint, so one refused row leaves the transaction usable
                existing = lookups.items.get(row.code)
                if existing is None:
                    item = services.implementation_item_create(
                        actor=actor, catalog_item=lookups.catalog_items[row.basic_code],
                        organ=lookups.organs[row.organ_credit_code], level=row.level, guide=row.guide,
                        code=row.code, local_code=row.local_code)
                    draft = item.versions.get(state=VersionState.DRAFT) if publish else None
                    report.created.append(item.code)
                else:
                    draft = services.item_draft_for_edit(actor=actor, item=existing)
                    draft = services.version_update(actor=actor, version=draft, guide=row.guide)
                    report.updated.append(existing.code)
                if publish:
                    services.version_publish(actor=actor, version=draft)
                    report.published.append(row.code)
        except NotFound:
            report.problems.append(excel.cell_problem(
                "import.organ_unknown", f"实施机构 {row.organ_credit_code} 未登记或不在您的管理范围内",
                f"organ {row.organ_credit_code} is not registered or not in your catalogue scope",
                ITEMS.name, row.row, "organ_credit_code"))
        except DomainError as exc:
            report.problems += [excel.locate(row, p) for p in exc.problems]
        if progress:
            progress(done, total)


def versions_for_export(*, organ: Organ | None = None, region=None, drafts: bool = False,
                        day: dt.date | None = None, actor=None) -> list[tuple[ItemVersion, dict]]:
    """(version, guide) of every item's version in force on ``day`` (or its draft), for export.

    ``actor``: only items the actor manages (drafts are not public); None is the system (CLI)."""
    from django.utils import timezone

    if drafts:
        qs = ItemVersion.objects.filter(state=VersionState.DRAFT)
    else:
        qs = ItemVersion.objects.filter(versions_in_force(day or timezone.localdate()))
    if organ is not None:
        qs = qs.filter(item__organ=organ)
    if region is not None:
        qs = qs.filter(item__organ__region__code__startswith=region.prefix)
    if actor is not None:
        qs = qs.filter(Q(item__organ__in=Organ.objects.filter(manageable_organs_q(actor))))
    qs = (qs.select_related("item__organ", "item__catalog_item").prefetch_related(*GUIDE_PREFETCH)
          .order_by("item__code", "-effective_from", "-number"))
    out, seen = [], set()
    for version in qs:
        if version.item_id not in seen:  # one version per item
            seen.add(version.item_id)
            guide = guide_of(version)
            if version.is_listed:  # stored defaults are not published values: leave those cells empty
                guide.update({f: [] if isinstance(guide[f], list) else None for f in DEFAULTED_FIELDS})
            out.append((version, guide))
    return out


def implementation_list_export(**filters) -> bytes:
    """The .xlsx bytes of ``versions_for_export(**filters)`` in the import layout."""
    return excel.workbook_bytes(excel.build_workbook(versions_for_export(**filters)))


def implementation_list_template() -> bytes:
    """An empty workbook with the notes sheet and every sheet's header row."""
    return excel.workbook_bytes(excel.build_workbook([]))
