"""Onboarding a region's published item list (the ``items`` table): the plan and the bulk path.

One row is one item as the list publishes it: name, department, main item (group), local code,
type, department code, division code, optionally where to apply. The plan resolves every row
without writing: the organ (registered, or registered by this import from the department name and
its codes as published), the main item (主项, one per organ and name), the level (given, or from
the region), the catalogue entry (a registered one by basic code, or a new entry of this list) and
the item's key; and it checks every rule the single-item services check (catalog.registry,
catalog.services: catalogue entry, national code, key, main item, guide shape).

The commit registers new organs through ``registry.organ_create`` and then writes catalogue
entries, items and their first versions in bulk, each item *listed* (published with only name,
organ, type, codes and where to apply: catalog.guide.listing_problems); it records the same audit
events as the services (catalog.catalog_item.created, catalog.item.created, catalog.item.published
per object) and indexes every item for search. Rows whose local code is already registered in the
region are left unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from govhall.core import audit
from govhall.core.codes import implementation_code_problem
from govhall.core.errors import DomainError, NotFound, Problem

from .. import registry, search
from ..codesets import ExerciseLevel
from ..guide import validate_guide
from ..models import CatalogItem, Completeness, ImplementationItem, ItemVersion, Organ, Region, VersionState
from ..scope import can_manage_region, manageable_organs_q
from ..services import DERIVED_CODE, item_key_for, national_code_for
from .codes import read_division, read_item_type, region_level_to_exercise_level
from .importer import OnboardingReport, Progress, organ_codes_from_source, region_in_bound
from .tables import ITEMS, Rows, problem

NO_MAIN_ITEM = {"", "未分类", "无", "-", "—"}
WHERE_TO_APPLY = ("location", "hours", "consultation_phone", "complaint_phone")
LEVEL_DERIVED = "from the organ's region / 按实施机构所在区划层级确定"
LISTED_REASON = "列入清单（指南待完善）/ listed from the published list"


@dataclass
class _NewOrgan:
    name: str
    region: Region
    rows: list[int] = field(default_factory=list)
    source_codes: list[str] = field(default_factory=list)
    organ: Organ | None = None


@dataclass(eq=False)
class _MainItem:
    """A main item (主项) the list names in its group column."""

    organ_key: tuple
    name: str
    region: Region
    level: str
    rows: list[int] = field(default_factory=list)
    item_types: set[str] = field(default_factory=set)
    existing: ImplementationItem | None = None
    key: str = ""
    item: ImplementationItem | None = None


@dataclass
class _Item:
    row: int
    name: str
    organ_key: tuple
    region: Region
    level: str
    level_derived: bool
    item_type: str
    local_code: str
    code: str | None
    code_derived: bool
    catalog_item: CatalogItem | None
    main: _MainItem | None
    guide: dict
    key: str = ""


@dataclass
class ItemsPlan:
    organs: dict[tuple, Organ | _NewOrgan] = field(default_factory=dict)
    mains: dict[tuple, _MainItem] = field(default_factory=dict)
    items: list[_Item] = field(default_factory=list)

    # --- planning (no writes) ---

    @classmethod
    def build(cls, *, actor, rows: Rows, region: Region | None, report: OnboardingReport) -> ItemsPlan:
        plan = cls()
        regions = {r.code: r for r in Region.objects.all()}
        names_in = {values.get("organ", "") for _n, values in rows.rows}
        organs_by_name = {(o.region_id, o.name): o for o in Organ.objects.filter(name__in=names_in)}
        credit_codes = {values.get("organ_credit_code", "").upper() for _n, values in rows.rows} - {""}
        organs_by_credit = {o.credit_code: o for o in Organ.objects.filter(credit_code__in=credit_codes)}
        manageable = None if actor is None else set(
            Organ.objects.filter(manageable_organs_q(actor)).values_list("pk", flat=True))
        locals_in = {values.get("local_code", "") for _n, values in rows.rows} - {""}
        taken_local = set(ImplementationItem.objects.filter(local_code__in=locals_in)
                          .values_list("region_id", "local_code"))
        codes_in = {values.get("implementation_code", "") for _n, values in rows.rows} - {""}
        taken_codes = set(ImplementationItem.objects.filter(code__in=codes_in).values_list("code", flat=True))
        basics = {values.get("basic_code", "") for _n, values in rows.rows} - {""}
        catalog = {c.basic_code: c for c in CatalogItem.objects.filter(basic_code__in=basics)}
        seen_local: dict[tuple, int] = {}
        seen_codes: dict[str, int] = {}
        for number, values in rows.rows:
            out: list[Problem] = []

            def add(code, zh, en, column, out=out, number=number):
                out.append(problem(ITEMS, code, zh, en, number, column))

            # region
            target = region
            if values.get("region"):
                reading = read_division(values["region"])
                target = regions.get(reading.code) if reading.code else None
                if reading.problem:
                    add("onboarding.region_code", f"区划代码{reading.problem_zh}", f"division code {reading.problem}",
                        "region")
                elif target is None:
                    add("onboarding.region_unknown", f"区划 {reading.code} 未登记",
                        f"region {reading.code} is not registered", "region")
                elif not region_in_bound(target.code, region):
                    add("onboarding.region_outside", f"区划 {target.code} 不在本次导入的区划 {region.code} 内",
                        f"region {target.code} is not within the import's region {region.code}", "region")
                    target = None
            elif target is None:
                add("onboarding.required", "必填（或在导入时选择区划）", "required (or choose the region of the import)",
                    "region")
            # organ
            organ_key, organ = None, None
            credit = values.get("organ_credit_code", "").upper()
            organ_name = values.get("organ", "")
            if credit:
                organ = organs_by_credit.get(credit)
                if organ is None or (manageable is not None and organ.pk not in manageable):
                    add("onboarding.organ_unknown", f"实施机构 {credit} 未登记或不在您的管理范围内",
                        f"organ {credit} is not registered or not in your scope", "organ_credit_code")
                else:
                    organ_key = ("organ", organ.pk)
            elif not organ_name:
                add("onboarding.required", "必填（实施机构名称或其统一社会信用代码）",
                    "required (the organ's name or its credit code)", "organ")
            elif len(organ_name) > 100:
                add("onboarding.too_long", "不得超过100个字符", "at most 100 characters", "organ")
            elif target is not None:
                organ = organs_by_name.get((target.code, organ_name))
                if organ is not None:
                    if manageable is not None and organ.pk not in manageable:
                        add("onboarding.organ_scope", f"实施机构“{organ_name}”不在您的管理范围内",
                            f"organ {organ_name} is not in your catalogue scope", "organ")
                    else:
                        organ_key = ("organ", organ.pk)
                elif not can_manage_region(actor, target.code):
                    add("onboarding.organ_unknown", f"实施机构“{organ_name}”未登记，且您无权在{target.name}登记机构",
                        f"organ {organ_name} is not registered and you may not register organs in {target.code}",
                        "organ")
                else:
                    organ_key = ("new", target.code, organ_name)
                    new = plan.organs.setdefault(organ_key, _NewOrgan(organ_name, target))
                    new.rows.append(number)
                    source = values.get("organ_code", "")
                    if source and source not in new.source_codes:
                        new.source_codes.append(source)
            if organ_key and organ is not None:
                plan.organs.setdefault(organ_key, organ)
            organ_region = organ.region if organ is not None else target
            # type, level, codes
            item_type = read_item_type(values.get("item_type"))
            if values.get("item_type") and item_type is None:
                add("onboarding.item_type", f"事项类型取值无效：{values['item_type']}（GB/T 39046 代码，如 1、01、20）",
                    f"invalid item type {values['item_type']!r} (a GB/T 39046 code such as 1, 01, 20)", "item_type")
            catalog_item = None
            if values.get("basic_code"):
                catalog_item = catalog.get(values["basic_code"])
                if catalog_item is None:
                    add("onboarding.catalog_item_unknown", f"基本编码 {values['basic_code']} 不在目录中",
                        f"basic code {values['basic_code']} is not in the catalogue", "basic_code")
                elif item_type and item_type != catalog_item.item_type:
                    add("onboarding.item_type_mismatch", f"事项类型与目录事项（{catalog_item.item_type}）不符",
                        f"item type differs from the catalogue entry's ({catalog_item.item_type})", "item_type")
                else:
                    item_type = catalog_item.item_type
            elif not values.get("item_type"):
                add("onboarding.required", "必填", "required", "item_type")
            level, level_derived = values.get("level", ""), False
            if level and level not in ExerciseLevel.values:
                add("onboarding.bad_choice", f"行使层级取值无效：{level}", f"invalid level {level!r}", "level")
            elif not level and organ_region is not None:
                level, level_derived = region_level_to_exercise_level(organ_region.level), True
            if catalog_item is not None and level and catalog_item.exercise_levels \
                    and level not in catalog_item.exercise_levels:
                add("onboarding.level", f"行使层级 {level} 不在目录事项的行使层级中",
                    f"level {level} is not one of the catalogue entry's levels", "level")
            local = values.get("local_code", "")
            if len(local) > 100:
                add("onboarding.too_long", "不得超过100个字符", "at most 100 characters", "local_code")
            code = values.get("implementation_code", "") or None
            code_derived = False
            if code and (reason := implementation_code_problem(code)):
                add("onboarding.implementation_code", f"实施编码 {code} 无效：{reason}",
                    f"implementation code {code} is invalid: {reason}", "implementation_code")
            elif isinstance(organ, Organ) and catalog_item is not None and level:
                code, code_derived, found = national_code_for(organ=organ, catalog_item=catalog_item, level=level,
                                                              given=code)
                for p in found:
                    add("onboarding." + p.code.split(".")[-1], p.message_zh, p.message_en, "implementation_code")
            elif code:
                add("onboarding.code_parts_missing", "实施编码须由已登记机构的统一社会信用代码、行使层级和基本编码组成",
                    "an implementation code needs a registered organ with its credit code and a basic code",
                    "implementation_code")
            if code:
                if code in taken_codes:
                    add("onboarding.duplicate", f"实施编码 {code} 已登记", f"implementation code {code} is registered",
                        "implementation_code")
                if code in seen_codes:
                    add("onboarding.duplicate", f"实施编码 {code} 与第{seen_codes[code]}行重复",
                        f"implementation code {code} repeats row {seen_codes[code]}", "implementation_code")
                seen_codes.setdefault(code, number)
            name = values.get("name", "")
            if not name:
                add("onboarding.required", "必填", "required", "name")
            guide = {"name": name, **{k: values[k] for k in WHERE_TO_APPLY if values.get(k)}}
            for p in validate_guide(guide):
                add("onboarding." + p.code.split(".")[-1], p.message_zh, p.message_en, p.field)
            if len(name) > 200:
                add("onboarding.too_long", "不得超过200个字符", "at most 200 characters", "name")
            if (organ_region or region) is not None and local:
                where = ((organ_region or region).code, local)
                if where in seen_local:
                    add("onboarding.duplicate", f"地方编码 {local} 与第{seen_local[where]}行重复",
                        f"local code {local} repeats row {seen_local[where]}", "local_code")
                seen_local.setdefault(where, number)
            report.problems += out
            if out:
                continue
            if local and (organ_region.code, local) in taken_local:
                report.existing["items"] += 1
                continue
            main = None
            group = values.get("main_item", "")
            if group not in NO_MAIN_ITEM:
                main = plan.mains.setdefault((organ_key, group), _MainItem(organ_key, group, organ_region, level))
                main.rows.append(number)
                main.item_types.add(item_type)
            plan.items.append(_Item(number, name, organ_key, organ_region, level, level_derived, item_type, local,
                                    code, code_derived, catalog_item, main, guide))
        if not report.problems:
            plan._check_mains(report)
            plan._assign_keys(report)
            plan._note_organs(report)
        report.planned.update({
            "organs": sum(isinstance(o, _NewOrgan) for o in plan.organs.values()),
            "catalog_items": sum(i.catalog_item is None for i in plan.items)
            + sum(m.existing is None for m in plan.mains.values()),
            "main_items": sum(m.existing is None for m in plan.mains.values()),
            "items": len(plan.items),
        })
        report.planned["listed"] = report.planned["items"] + report.planned["main_items"]
        return plan

    def _check_mains(self, report: OnboardingReport) -> None:
        for main in self.mains.values():
            if len(main.item_types) > 1:
                for row in main.rows:
                    report.problems.append(problem(
                        ITEMS, "onboarding.main_item_types", f"主项“{main.name}”的子项事项类型不一致（{'、'.join(sorted(main.item_types))}）",
                        f"the sub-items of main item {main.name} have different types {sorted(main.item_types)}",
                        row, "item_type"))
            if len(main.name) > 200:
                report.problems.append(problem(ITEMS, "onboarding.too_long", "主项名称不得超过200个字符",
                                               "a main item name is at most 200 characters", main.rows[0], "main_item"))

    def _organ_name(self, organ_key) -> str:
        organ = self.organs[organ_key]
        return organ.name

    def _assign_keys(self, report: OnboardingReport) -> None:
        """Keys as the single-item service would give them, checked against each other and the database."""
        candidates = {i.code for i in self.items if i.code} | {i.local_code for i in self.items if i.local_code}
        candidates |= {f"{i.region.code}-{i.local_code}" for i in self.items if i.local_code}
        planned: set[str] = set()
        main_keys = {}
        for main in self.mains.values():
            main_keys[main] = item_key_for(code=None, local_code="", region_code=main.region.code,
                                           organ_name=self._organ_name(main.organ_key), name=main.name,
                                           taken=lambda k: False)
        candidates |= set(main_keys.values())
        taken = set(ImplementationItem.objects.filter(key__in=candidates).values_list("key", flat=True))
        existing_mains = {i.key: i for i in ImplementationItem.objects.filter(key__in=main_keys.values())
                          .select_related("organ")}
        for main, key in main_keys.items():
            found = existing_mains.get(key)
            if found is not None:
                if found.parent_id is not None:
                    report.problems.append(problem(ITEMS, "onboarding.main_item_is_sub_item",
                                                   f"“{main.name}”已登记为子项，不能作主项",
                                                   f"{main.name} is registered as a sub-item", main.rows[0],
                                                   "main_item"))
                main.existing = found
            main.key = key
            planned.add(key)

        def is_taken(key: str) -> bool:
            return key in taken or key in planned

        for item in self.items:
            item.key = item_key_for(code=item.code, local_code=item.local_code, region_code=item.region.code,
                                    organ_name=self._organ_name(item.organ_key), name=item.name, taken=is_taken)
            if not item.key:
                report.problems.append(problem(ITEMS, "onboarding.key_taken", f"事项“{item.name}”无法取得唯一标识（无编码且同名）",
                                               f"item {item.name} has no code and its name repeats", item.row,
                                               "local_code"))
            planned.add(item.key)

    def _note_organs(self, report: OnboardingReport) -> None:
        for organ in self.organs.values():
            if not isinstance(organ, _NewOrgan):
                continue
            credit, _org, _derived, notes = self._organ_codes(organ)
            for zh, en in notes:
                report.notes.append(problem(ITEMS, "onboarding.organ_code_unreadable", f"{organ.name}：{zh}",
                                            f"{organ.name}: {en}", organ.rows[0], "organ_code"))
            if not credit:
                report.notes.append(problem(ITEMS, "onboarding.organ_to_complete",
                                            f"{organ.name}：无有效的统一社会信用代码，机构待补全",
                                            f"{organ.name}: no valid credit code; the organ is to be completed",
                                            organ.rows[0], "organ_code"))

    @staticmethod
    def _organ_codes(organ: _NewOrgan) -> tuple[str, str, dict, list[tuple[str, str]]]:
        """Credit and organisation codes read from the department's published codes: taken only when
        the readable ones agree (several different credit codes for one department: none is taken)."""
        credits, orgs, derived, notes = set(), set(), {}, []
        for source in organ.source_codes:
            credit, org, found_derived, found_notes = organ_codes_from_source(source)
            notes += found_notes
            if credit:
                credits.add(credit)
            if org:
                orgs.add(org)
            if credit or org:
                derived = derived or found_derived
        if len(credits) > 1 or len(orgs) > 1:
            notes.append((f"部门编码不一致（{'、'.join(organ.source_codes)}），未采用任何代码",
                          f"the department codes disagree ({', '.join(organ.source_codes)}); none was taken"))
            return "", "", {}, notes
        credit = next(iter(credits), "")
        org = next(iter(orgs), "")
        if credit and org and credit[8:17] != org:
            notes.append((f"信用代码与组织机构代码不符（{credit} / {org}），未采用", "the credit code and the "
                          f"organisation code disagree ({credit} / {org}); neither was taken"))
            return "", "", {}, notes
        return credit, org, derived, notes

    # --- the commit (bulk path) ---

    @transaction.atomic
    def commit(self, *, actor, report: OnboardingReport, progress: Progress | None) -> None:
        user = actor if getattr(actor, "pk", None) else None
        now, today = timezone.now(), timezone.localdate()
        organs: dict[tuple, Organ] = {}
        for key, organ in self.organs.items():
            if isinstance(organ, Organ):
                organs[key] = organ
                continue
            credit, org, derived, _notes = self._organ_codes(organ)
            try:
                with transaction.atomic():
                    organs[key] = registry.organ_create(
                        actor=actor, name=organ.name, region=organ.region, credit_code=credit or None, org_code=org,
                        source_codes=organ.source_codes, derived=derived)
                report.created["organs"] += 1
            except (DomainError, NotFound) as exc:
                problems = exc.problems if isinstance(exc, DomainError) else [
                    Problem("onboarding.scope", "不在您的管理范围内", "not in your scope", "organ")]
                report.problems += [problem(ITEMS, p.code, p.message_zh, p.message_en, organ.rows[0], "organ")
                                    for p in problems]
        if report.problems:
            return
        # catalogue entries: one per new main item, one per item not linked to a registered entry
        new_entries: list[tuple[object, CatalogItem]] = []
        for main in self.mains.values():
            if main.existing is None:
                item_type = next(iter(main.item_types))
                new_entries.append((main, CatalogItem(
                    name=main.name, item_type=item_type, region=main.region, exercise_levels=[main.level],
                    derived={"item_type": "from its sub-items / 按子项确定",
                             "exercise_levels": LEVEL_DERIVED})))
        for item in self.items:
            if item.catalog_item is None:
                derived = {"exercise_levels": LEVEL_DERIVED} if item.level_derived else {}
                new_entries.append((item, CatalogItem(
                    name=item.name, item_type=item.item_type, region=item.region, local_code=item.local_code,
                    exercise_levels=[item.level], derived=derived)))
        created_entries = CatalogItem.objects.bulk_create([entry for _owner, entry in new_entries], batch_size=500)
        entry_of = {id(owner): entry for (owner, _e), entry in zip(new_entries, created_entries, strict=True)}
        audit.record_many(actor=actor, events=[
            {"action": "catalog.catalog_item.created", "target": entry,
             "after": {"basic_code": None, "local_code": entry.local_code, "name": entry.name,
                       "item_type": entry.item_type, "region": entry.region_id, "supplementary": False,
                       "derived": entry.derived}}
            for entry in created_entries])
        report.created["catalog_items"] = len(created_entries)
        # main items first (sub-items point at them), then the items
        mains = [m for m in self.mains.values() if m.existing is None]
        main_rows = ImplementationItem.objects.bulk_create([
            ImplementationItem(key=m.key, catalog_item=entry_of[id(m)], organ=organs[m.organ_key], region=m.region,
                               level=m.level, derived={"level": LEVEL_DERIVED, "main_item": "named by the list's "
                                                       "group column / 由清单的主项列确定"})
            for m in mains], batch_size=500)
        for main, row in zip(mains, main_rows, strict=True):
            main.item = row
        for main in self.mains.values():
            if main.existing is not None:
                main.item = main.existing
        item_rows = ImplementationItem.objects.bulk_create([
            ImplementationItem(key=i.key, code=i.code, catalog_item=i.catalog_item or entry_of[id(i)],
                               organ=organs[i.organ_key], region=i.region, level=i.level, local_code=i.local_code,
                               parent=i.main.item if i.main else None,
                               derived={**({"level": LEVEL_DERIVED} if i.level_derived else {}),
                                        **({"code": DERIVED_CODE} if i.code_derived else {})})
            for i in self.items], batch_size=500)
        report.created["main_items"] = len(main_rows)
        report.created["items"] = len(item_rows)
        # first versions, published as listed from today
        everything = [(m.item, {"name": m.name}) for m in mains] + [
            (row, i.guide) for i, row in zip(self.items, item_rows, strict=True)]
        versions = ItemVersion.objects.bulk_create([
            ItemVersion(item=item, number=1, state=VersionState.PUBLISHED, completeness=Completeness.LISTED,
                        effective_from=today, published_at=now, published_by=user, created_by=user, **guide)
            for item, guide in everything], batch_size=500)
        events = []
        for (item, guide), version in zip(everything, versions, strict=True):
            events.append({"action": "catalog.item.created", "target": item,
                           "after": {"key": item.key, "code": item.code, "local_code": item.local_code,
                                     "parent": item.parent.key if item.parent_id else None, "derived": item.derived,
                                     **guide}})
            events.append({"action": "catalog.item.published", "target": item, "reason": LISTED_REASON,
                           "before": {"version": None},
                           "after": {"version": version.number, "effective_from": today,
                                     "completeness": Completeness.LISTED}})
        audit.record_many(actor=actor, events=events)
        prefetch_related_objects(versions, "materials", "topics")
        search.bulk_index(versions)
        total = len(everything)
        if progress:
            progress(total, total)
        report.created["listed"] = total


@transaction.atomic
def item_onboard(*, actor, organ: Organ, name: str, item_type: str | None = None,
                 catalog_item: CatalogItem | None = None, local_code: str = "", code: str | None = None,
                 level: str | None = None, parent: ImplementationItem | None = None, where: dict | None = None,
                 listed: bool = True) -> ImplementationItem:
    """One item, as the list import makes each row (console and API): a new entry of the organ's
    region's list unless ``catalog_item`` links a registered one, the item (level from the organ's
    region when not given, marked derived), and with ``listed`` its first version published as
    listed. Audit: the services' events. Raises DomainError listing every problem; NotFound
    outside the actor's scope."""
    from .. import services

    item_type = read_item_type(item_type) or item_type  # "1" reads as "01"
    problems = []
    if catalog_item is None and not item_type:
        problems.append(Problem("item.item_type", "须选择事项类型或已登记的目录事项",
                                "choose the item type or a registered catalogue entry", "item_type"))
    if level is not None and level not in ExerciseLevel.values:
        problems.append(Problem("item.level", f"行使层级取值无效：{level!r}", "invalid level", "level"))
    if problems:
        raise DomainError(problems)
    derived = {}
    if not level:
        level = region_level_to_exercise_level(organ.region.level)
        derived["level"] = LEVEL_DERIVED
    if catalog_item is None:
        catalog_item = registry.catalog_item_create(
            actor=actor, name=name, item_type=item_type, region=organ.region, local_code=local_code,
            exercise_levels=[level], derived={"exercise_levels": LEVEL_DERIVED} if derived else {}, for_organ=organ)
    guide = {"name": name, **{k: v for k, v in (where or {}).items() if k in WHERE_TO_APPLY and v}}
    item = services.implementation_item_create(actor=actor, catalog_item=catalog_item, organ=organ, level=level,
                                               guide=guide, code=code, local_code=local_code, parent=parent,
                                               derived=derived)
    if listed:
        services.version_publish(actor=actor, version=item.versions.get(), reason=LISTED_REASON,
                                 completeness=Completeness.LISTED)
    return item
