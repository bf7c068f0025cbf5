"""The onboarding import: regions, organs, catalogue entries and a region's published item list,
from CSV, Excel or JSON; always a dry run first, then the commit.

``onboard(actor=…, kind=…, file=…, region=…, dry_run=…)`` reads the table, checks every row against
the database and the actor's scope, and reports every problem at once with its row and column;
then nothing is saved. A dry run stops there and says what the commit would create. The commit
writes everything in one transaction through the registry and catalogue services (the item list
through the bulk path of catalog/onboarding/items.py, which applies the same rules), and records
one ``catalog.onboarding.imported`` summary beside the services' own audit events.

Nothing is invented: what the import works out (a region mapped from a 12-digit code, an
organisation code read from a credit code, a level from the region, a main item's type from its
sub-items) is stored in the objects' ``derived`` maps and listed in the report's notes.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from govhall.core import audit
from govhall.core.errors import DomainError, NotFound, Problem

from .. import registry
from ..codesets import ExerciseLevel, OrganNature, RegionLevel
from ..models import CatalogItem, Organ, Region
from ..scope import can_manage_region
from .codes import parent_division, read_department_code, read_division, read_item_type
from .tables import CATALOG, ORGANS, REGIONS, TABLES, Rows, Table, problem, read_table

Progress = Callable[[int, int], None]
TRUE_WORDS = {"是", "true", "1", "yes", "y"}
FALSE_WORDS = {"否", "false", "0", "no", "n", ""}


@dataclass
class OnboardingReport:
    """What an onboarding import found and did. ``problems`` non-empty: nothing was saved.
    ``planned`` counts what the commit creates (a dry run stops there); ``created`` what it did;
    ``existing`` rows already registered (left unchanged); ``notes`` say what was derived or is
    still to be completed (they do not stop the import)."""

    kind: str
    file_name: str = ""
    digest: str = ""
    format: str = ""
    rows: int = 0
    dry_run: bool = True
    committed: bool = False
    planned: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    # (what, count) pairs for templates, where ``planned.items`` would look up the key "items"
    @property
    def planned_rows(self) -> list[tuple[str, int]]:
        return sorted(self.planned.items())

    @property
    def created_rows(self) -> list[tuple[str, int]]:
        return sorted(self.created.items())

    @property
    def existing_rows(self) -> list[tuple[str, int]]:
        return sorted(self.existing.items())

    def as_dict(self) -> dict:
        return {"kind": self.kind, "file_name": self.file_name, "sm3": self.digest, "format": self.format,
                "rows": self.rows, "dry_run": self.dry_run, "committed": self.committed,
                "planned": dict(self.planned), "created": dict(self.created), "existing": dict(self.existing),
                "problems": [p.as_dict() for p in self.problems], "notes": [p.as_dict() for p in self.notes]}


class _Rejected(Exception):
    """Rolls the commit back when a service refused a row."""


def read_file(file) -> tuple[bytes, str, Problem | None]:
    """(bytes, file name, problem): ``file`` is bytes, a path or an uploaded file."""
    limit = settings.GOVHALL_MAX_UPLOAD_BYTES
    if isinstance(file, bytes | bytearray | memoryview):
        data, name = bytes(file), ""
    elif isinstance(file, str | os.PathLike):
        path = Path(file)
        data, name = path.read_bytes() if path.stat().st_size <= limit else b"x" * (limit + 1), path.name
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data, name = file.read(limit + 1), os.path.basename(str(getattr(file, "name", "") or ""))
    if len(data) > limit:
        return b"", name, Problem("onboarding.too_large", f"文件超过 {limit} 字节的上限",
                                  f"the file is larger than the limit of {limit} bytes", "file")
    return data, name, None


def onboard(*, actor, kind: str, file, region: Region | None = None, dry_run: bool = True,
            progress: Progress | None = None) -> OnboardingReport:
    """Dry-run or commit one onboarding table (``kind``: regions, organs, catalog or items).

    ``region``: for items, the region whose list it is (rows may name it or regions below it; rows
    without a region code belong to it); for the other kinds an optional bound on the rows.
    Raises nothing for bad input: the report lists the problems."""
    report = OnboardingReport(kind=kind, dry_run=dry_run)
    table = TABLES.get(kind)
    if table is None:
        report.problems.append(Problem("onboarding.kind", f"未知的导入类型：{kind}", f"unknown import kind {kind!r}",
                                       "kind"))
        return report
    data, report.file_name, file_problem = read_file(file)
    if file_problem:
        report.problems.append(file_problem)
        return report
    report.digest = hashlib.new("sm3", data).hexdigest()
    rows = read_table(table, data, report.file_name)
    report.format, report.rows = rows.format, len(rows.rows)
    report.problems += rows.problems
    if region is not None and not can_manage_region(actor, region.code):
        report.problems.append(Problem("onboarding.scope", f"区划 {region.code} 不在您的管理范围内",
                                       f"region {region.code} is not in your catalogue scope", "region"))
    if not rows.rows and not report.problems:
        report.problems.append(problem(table, "onboarding.empty", "文件中没有数据行", "the file has no rows"))
    if report.problems:
        return report
    if kind == "items":
        from .items import ItemsPlan

        plan = ItemsPlan.build(actor=actor, rows=rows, region=region, report=report)
    else:
        plan = {"regions": _RegionsPlan, "organs": _OrgansPlan, "catalog": _CatalogPlan}[kind].build(
            actor=actor, rows=rows, region=region, report=report)
    if report.problems or dry_run:
        return report
    try:
        with transaction.atomic():
            plan.commit(actor=actor, report=report, progress=progress)
            if report.problems:
                raise _Rejected
            audit.record(actor=actor, action="catalog.onboarding.imported", target_type="catalog.onboarding",
                         target_id=report.digest, target_label=f"{kind}: {report.file_name or report.digest[:16]}",
                         after={"kind": kind, "sm3": report.digest, "file_name": report.file_name, "rows": report.rows,
                                "region": region.code if region else None, "created": dict(report.created),
                                "existing": dict(report.existing)})
            report.committed = True
    except _Rejected:
        report.created.clear()
    return report


def row_problems_from(table: Table, row: int, exc: DomainError, column_of: dict[str, str] | None = None
                      ) -> list[Problem]:
    """A service's problems placed on the row (its ``field`` becomes the column)."""
    column_of = column_of or {}
    return [problem(table, p.code, p.message_zh, p.message_en, row, column_of.get(p.field, p.field))
            for p in exc.problems]


def region_in_bound(code: str, bound: Region | None) -> bool:
    return bound is None or code.startswith(bound.prefix)


def parse_bool(text: str) -> bool | None:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


# --- regions -----------------------------------------------------------------------------------------

@dataclass
class _RegionsPlan:
    rows: list[dict] = field(default_factory=list)

    @classmethod
    def build(cls, *, actor, rows: Rows, region: Region | None, report: OnboardingReport) -> _RegionsPlan:
        plan = cls()
        known = set(Region.objects.values_list("code", flat=True))
        in_file: dict[str, int] = {}
        for number, values in rows.rows:
            out: list[Problem] = []

            def add(code, zh, en, column, out=out, number=number):
                out.append(problem(REGIONS, code, zh, en, number, column))

            reading = read_division(values.get("code"))
            if reading.problem:
                add("onboarding.region_code", f"区划代码{reading.problem_zh}", f"division code {reading.problem}", "code")
            if not values.get("name"):
                add("onboarding.required", "必填", "required", "name")
            level = values.get("level") or ""
            if level and level not in RegionLevel.values:
                add("onboarding.region_level", f"层级取值无效：{level}（可选：{'；'.join(RegionLevel.values)}）",
                    f"invalid level {level!r}", "level")
            parent_code = ""
            if values.get("parent"):
                parent_reading = read_division(values["parent"])
                if parent_reading.problem:
                    add("onboarding.region_code", f"上级区划代码{parent_reading.problem_zh}",
                        f"parent code {parent_reading.problem}", "parent")
                parent_code = parent_reading.code
            code = reading.code
            if code:
                if level and level in RegionLevel.values and level != reading.level:
                    add("onboarding.region_level", f"区划代码 {code} 按结构应为 {reading.level} 级",
                        f"code {code} is a {reading.level} code by its layout", "level")
                if code in in_file:
                    add("onboarding.duplicate", f"区划代码 {code} 与第{in_file[code]}行重复",
                        f"code {code} repeats row {in_file[code]}", "code")
                in_file.setdefault(code, number)
                if not can_manage_region(actor, code) or not region_in_bound(code, region):
                    add("onboarding.scope", f"区划 {code} 不在您的管理范围内", f"region {code} is not in your scope",
                        "code")
            report.problems += out
            if out or not code:
                continue
            if code in known:
                report.existing["regions"] += 1
                continue
            derived = {}
            if not parent_code:
                parent_code = parent_division(code) or ""
                if parent_code and parent_code not in known and parent_code not in in_file:
                    parent_code = ""  # a top-level region of this platform (e.g. the first province)
                elif parent_code:
                    derived["parent"] = "from the code's layout / 按代码结构确定"
            plan.rows.append({"row": number, "code": values["code"], "division": code, "name": values["name"],
                              "level": level or None, "parent": parent_code, "derived": derived})
        for row in plan.rows:
            if row["parent"] and row["parent"] not in known and row["parent"] not in in_file:
                report.problems.append(problem(REGIONS, "onboarding.parent_unknown",
                                               f"上级区划 {row['parent']} 未登记", f"parent {row['parent']} is not "
                                               "registered", row["row"], "parent"))
        plan.rows.sort(key=lambda r: (len(r["division"]), r["division"]))
        report.planned["regions"] = len(plan.rows)
        return plan

    def commit(self, *, actor, report: OnboardingReport, progress: Progress | None) -> None:
        for done, row in enumerate(self.rows, start=1):
            parent = Region.objects.filter(code=row["parent"]).first() if row["parent"] else None
            try:
                with transaction.atomic():
                    registry.region_create(actor=actor, code=row["code"], name=row["name"], level=row["level"],
                                           parent=parent, derived=row["derived"])
                report.created["regions"] += 1
            except DomainError as exc:
                report.problems += row_problems_from(REGIONS, row["row"], exc)
            if progress:
                progress(done, len(self.rows))


# --- organs ------------------------------------------------------------------------------------------

def organ_codes_from_source(source: str) -> tuple[str, str, dict, list[tuple[str, str]]]:
    """(credit code, organisation code, derived, notes) read tolerantly from a published code."""
    reading = read_department_code(source)
    derived = dict(reading.derived)
    if reading.credit_code:
        derived["credit_code"] = derived.get("credit_code", f"read from the published code {source} / 取自原始编码")
    elif reading.org_code:
        derived.setdefault("org_code", f"read from the published code {source} / 取自原始编码")
    return reading.credit_code, reading.org_code, derived, reading.notes


@dataclass
class _OrgansPlan:
    rows: list[dict] = field(default_factory=list)

    @classmethod
    def build(cls, *, actor, rows: Rows, region: Region | None, report: OnboardingReport) -> _OrgansPlan:
        plan = cls()
        regions = {r.code: r for r in Region.objects.all()}
        existing = {(o.region_id, o.name): o for o in Organ.objects.all()}
        credit_taken = set(Organ.objects.exclude(credit_code=None).values_list("credit_code", flat=True))
        seen_names: dict[tuple[str, str], int] = {}
        seen_credit: dict[str, int] = {}
        for number, values in rows.rows:
            out: list[Problem] = []

            def add(code, zh, en, column, out=out, number=number):
                out.append(problem(ORGANS, code, zh, en, number, column))

            reading = read_division(values.get("region"))
            target = regions.get(reading.code) if reading.code else None
            if reading.problem:
                add("onboarding.region_code", f"区划代码{reading.problem_zh}", f"division code {reading.problem}", "region")
            elif target is None:
                add("onboarding.region_unknown", f"区划 {reading.code} 未登记", f"region {reading.code} is not registered",
                    "region")
            elif not can_manage_region(actor, target.code) or not region_in_bound(target.code, region):
                add("onboarding.scope", f"区划 {target.code} 不在您的管理范围内", f"region {target.code} is not in your "
                    "scope", "region")
            name = values.get("name", "")
            if not name:
                add("onboarding.required", "必填", "required", "name")
            elif len(name) > 100:
                add("onboarding.too_long", "不得超过100个字符", "at most 100 characters", "name")
            derived: dict = {}
            credit, org_code, code_problems = registry.organ_code_problems(values.get("credit_code", ""),
                                                                           values.get("org_code", ""), derived)
            for p in code_problems:
                add("onboarding." + p.code.split(".")[-1], p.message_zh, p.message_en, p.field)
            source = values.get("source_code", "")
            notes: list[tuple[str, str]] = []
            if source and not values.get("credit_code") and not values.get("org_code"):
                credit, org_code, derived, notes = organ_codes_from_source(source)
            if values.get("level") and values["level"] not in ExerciseLevel.values:
                add("onboarding.bad_choice", f"行使层级取值无效：{values['level']}", "invalid level", "level")
            if values.get("nature") and values["nature"] not in OrganNature.values:
                add("onboarding.bad_choice", f"机构性质取值无效：{values['nature']}", "invalid nature", "nature")
            if credit:
                if credit in seen_credit:
                    add("onboarding.duplicate", f"统一社会信用代码 {credit} 与第{seen_credit[credit]}行重复",
                        f"credit code {credit} repeats row {seen_credit[credit]}", "credit_code")
                seen_credit.setdefault(credit, number)
            key = (target.code if target else "", name)
            if target and name and key in seen_names:
                add("onboarding.duplicate", f"机构“{name}”与第{seen_names[key]}行重复", f"organ {name} repeats row "
                    f"{seen_names[key]}", "name")
            seen_names.setdefault(key, number)
            report.problems += out
            if out:
                continue
            if key in existing:
                report.existing["organs"] += 1
                continue
            if credit and credit in credit_taken:
                report.problems.append(problem(ORGANS, "onboarding.credit_code_taken", f"统一社会信用代码 {credit} 已登记",
                                               f"credit code {credit} is already registered", number, "credit_code"))
                continue
            for zh, en in notes:
                report.notes.append(problem(ORGANS, "onboarding.organ_to_complete", f"{name}：{zh}；机构待补全信用代码",
                                            f"{name}: {en}; the organ's credit code is to be completed", number,
                                            "source_code"))
            if not credit and not notes:
                report.notes.append(problem(ORGANS, "onboarding.organ_to_complete", f"{name}：未给出统一社会信用代码，机构待补全",
                                            f"{name}: no credit code given; the organ is to be completed", number,
                                            "credit_code"))
            plan.rows.append({"row": number, "name": name, "region": target, "credit_code": credit or None,
                              "org_code": org_code, "source_codes": [source] if source else [],
                              "level": values.get("level") or None, "nature": values.get("nature", ""),
                              "derived": derived,
                              **{k: values.get(k, "") for k in registry.ORGAN_DETAILS}})
        report.planned["organs"] = len(plan.rows)
        return plan

    def commit(self, *, actor, report: OnboardingReport, progress: Progress | None) -> None:
        for done, row in enumerate(self.rows, start=1):
            fields = {k: v for k, v in row.items() if k not in ("row", "credit_code", "org_code")}
            try:
                with transaction.atomic():
                    # codes were read (and checked) above; pass them as the service checks them again
                    registry.organ_create(actor=actor, credit_code=row["credit_code"], org_code=row["org_code"],
                                          **fields)
                report.created["organs"] += 1
            except DomainError as exc:
                report.problems += row_problems_from(ORGANS, row["row"], exc)
            except NotFound:
                report.problems.append(problem(ORGANS, "onboarding.scope", "不在您的管理范围内", "not in your scope",
                                               row["row"], "region"))
            if progress:
                progress(done, len(self.rows))


# --- catalogue entries -------------------------------------------------------------------------------

@dataclass
class _CatalogPlan:
    rows: list[dict] = field(default_factory=list)

    @classmethod
    def build(cls, *, actor, rows: Rows, region: Region | None, report: OnboardingReport) -> _CatalogPlan:
        plan = cls()
        regions = {r.code: r for r in Region.objects.all()}
        basic_taken = set(CatalogItem.objects.exclude(basic_code=None).values_list("basic_code", flat=True))
        local_taken = set(CatalogItem.objects.exclude(local_code="").values_list("region_id", "local_code"))
        seen_basic: dict[str, int] = {}
        seen_local: dict[tuple[str, str], int] = {}
        for number, values in rows.rows:
            out: list[Problem] = []

            def add(code, zh, en, column, out=out, number=number):
                out.append(problem(CATALOG, code, zh, en, number, column))

            reading = read_division(values.get("region"))
            target = regions.get(reading.code) if reading.code else None
            if reading.problem:
                add("onboarding.region_code", f"区划代码{reading.problem_zh}", f"division code {reading.problem}", "region")
            elif target is None:
                add("onboarding.region_unknown", f"区划 {reading.code} 未登记", f"region {reading.code} is not registered",
                    "region")
            elif not can_manage_region(actor, target.code) or not region_in_bound(target.code, region):
                add("onboarding.scope", f"区划 {target.code} 不在您的管理范围内", f"region {target.code} is not in your "
                    "scope", "region")
            item_type = read_item_type(values.get("item_type"))
            if values.get("item_type") and item_type is None:
                add("onboarding.item_type", f"事项类型取值无效：{values['item_type']}",
                    f"invalid item type {values['item_type']!r}", "item_type")
            levels = [v.strip() for v in values.get("exercise_levels", "").replace("；", ";").split(";") if v.strip()]
            if any(v not in ExerciseLevel.values for v in levels):
                add("onboarding.bad_choice", "行使层级取值无效", "invalid exercise level", "exercise_levels")
            supplementary = parse_bool(values.get("supplementary", ""))
            if supplementary is None:
                add("onboarding.not_boolean", "应填“是”或“否”", "must be 是 or 否 (yes/no)", "supplementary")
            basic, local = values.get("basic_code") or None, values.get("local_code", "")
            if target is not None and item_type is not None:
                found = registry.catalog_item_problems(
                    basic_code=basic, name=values.get("name", ""), item_type=item_type,
                    legal_basis=values.get("legal_basis", ""), region=target, supplementary=bool(supplementary),
                    local_code=local, taken_basic=basic in basic_taken, taken_local=(target.code, local) in local_taken)
                for p in found:
                    add("onboarding." + p.code.split(".")[-1], p.message_zh, p.message_en, p.field)
            if basic:
                if basic in seen_basic:
                    add("onboarding.duplicate", f"基本编码 {basic} 与第{seen_basic[basic]}行重复",
                        f"basic code {basic} repeats row {seen_basic[basic]}", "basic_code")
                seen_basic.setdefault(basic, number)
            if local and target:
                if (target.code, local) in seen_local:
                    add("onboarding.duplicate", f"地方编码 {local} 与第{seen_local[(target.code, local)]}行重复",
                        f"local code {local} repeats row {seen_local[(target.code, local)]}", "local_code")
                seen_local.setdefault((target.code, local), number)
            report.problems += out
            if out:
                continue
            plan.rows.append({"row": number, "name": values["name"], "item_type": item_type, "region": target,
                              "basic_code": basic, "local_code": local, "legal_basis": values.get("legal_basis", ""),
                              "exercise_levels": levels, "supplementary": bool(supplementary)})
        report.planned["catalog_items"] = len(plan.rows)
        return plan

    def commit(self, *, actor, report: OnboardingReport, progress: Progress | None) -> None:
        for done, row in enumerate(self.rows, start=1):
            try:
                with transaction.atomic():
                    registry.catalog_item_create(actor=actor, **{k: v for k, v in row.items() if k != "row"})
                report.created["catalog_items"] += 1
            except DomainError as exc:
                report.problems += row_problems_from(CATALOG, row["row"], exc)
            if progress:
                progress(done, len(self.rows))
