"""Registering what the catalogue hangs on: regions, organs and catalogue entries (基本目录).

Each write is atomic, checks the actor's scope at the moment of action (catalog/scope.py), lists
every problem at once (DomainError) and records its audit event in the same transaction. The
console, the onboarding import, the API, the CLI and the demo loaders all call these.

Nothing here invents a value. What a service works out itself (a division code mapped from the
12-digit statistical form, an organisation code read from a credit code, a level taken from the
region) is stored and named in the object's ``derived`` map; callers add what they derived
themselves through ``derived=``.
"""

from __future__ import annotations

from django.db import transaction

from govhall.core import audit
from govhall.core.codes import BASIC_CODE, normalise_code
from govhall.core.errors import DomainError, Problem

from .codesets import ExerciseLevel, ItemType, OrganNature, RegionLevel
from .models import CatalogItem, Organ, Region, Topic
from .onboarding.codes import (
    credit_code_reading,
    org_code_problem,
    read_division,
    region_level_to_exercise_level,
)
from .scope import ensure_can_manage, ensure_can_manage_region

ORGAN_DETAILS = ("short_name", "address", "phone", "hours")


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


# --- regions ---------------------------------------------------------------------------------------

@transaction.atomic
def region_create(*, actor, code: str, name: str, level: str | None = None, parent: Region | None = None,
                  derived: dict | None = None) -> Region:
    """Register a region. ``code`` is GB/T 2260 (6 digits, 9 for townships) or the 12-digit
    statistical form, which is mapped (and kept in ``statistical_code``, marked derived). ``level``
    defaults to what the code's layout says (marked derived).

    Scope: a catalogue administrator of a region containing the new one (or the system).
    Audit: catalog.region.created. Raises DomainError listing every problem; NotFound outside scope.
    """
    reading = read_division(code)
    problems = []
    derived = dict(derived or {})
    if reading.problem:
        problems.append(Problem("region.code", f"区划代码 {reading.problem_zh}",
                                f"division code {reading.problem}", "code"))
    else:
        ensure_can_manage_region(actor, reading.code)
        if reading.mapped:
            derived["code"] = f"mapped from the statistical code {reading.given} / 由统计用区划代码 {reading.given} 对应"
        if level is None:
            level = reading.level
            derived["level"] = "from the code's layout / 按代码结构确定"
        elif level != reading.level and level in RegionLevel.values:
            problems.append(Problem("region.level", f"区划代码 {reading.code} 按结构应为 {reading.level} 级",
                                    f"code {reading.code} is a {reading.level} code by its layout", "level"))
        if parent is not None and not reading.code.startswith(parent.prefix):
            problems.append(Problem("region.parent", "区划代码与上级区划不符", "code does not lie under the parent",
                                    "parent"))
        if Region.objects.filter(code=reading.code).exists():
            problems.append(Problem("region.duplicate", f"区划 {reading.code} 已登记",
                                    f"region {reading.code} is already registered", "code"))
    if level is not None and level not in RegionLevel.values:
        problems.append(Problem("region.level", f"层级取值无效：{level!r}", f"invalid level {level!r}", "level"))
    if not (name or "").strip():
        problems.append(Problem("region.name", "须填写区划名称", "the name is required", "name"))
    _raise(problems)
    region = Region.objects.create(code=reading.code, name=name.strip(), level=level, parent=parent,
                                   statistical_code=reading.given if reading.mapped else "", derived=derived)
    audit.record(actor=actor, action="catalog.region.created", target=region,
                 after={"code": region.code, "name": region.name, "level": level,
                        "parent": parent.code if parent else None, "statistical_code": region.statistical_code,
                        "derived": derived})
    return region


@transaction.atomic
def region_update(*, actor, region: Region, name: str) -> Region:
    """Rename a region (its code is its identity and never changes). Audit: catalog.region.updated."""
    region = Region.objects.select_for_update().get(pk=region.pk)
    ensure_can_manage_region(actor, region)
    if not (name or "").strip():
        raise DomainError.single("region.name", "须填写区划名称", "the name is required", "name")
    before = region.name
    region.name = name.strip()
    region.save(update_fields=["name"])
    audit.record(actor=actor, action="catalog.region.updated", target=region, before={"name": before},
                 after={"name": region.name})
    return region


# --- organs ----------------------------------------------------------------------------------------

def organ_code_problems(credit_code: str, org_code: str, derived: dict) -> tuple[str | None, str, list[Problem]]:
    """(credit code or None, organisation code, problems): strict checks of codes entered as such."""
    problems = []
    credit = None
    if credit_code:
        credit, problem, upper_cased = credit_code_reading(credit_code)
        if problem:
            problems.append(Problem("organ.credit_code", f"统一社会信用代码 {credit_code} 无效：{problem}",
                                    f"unified social credit code {credit_code} is invalid: {problem}", "credit_code"))
            credit = None
        elif upper_cased:
            derived["credit_code"] = f"normalised from {credit_code} / 由 {credit_code} 规范化（大写）"
    org = ""
    if org_code:
        org, problem = org_code_problem(org_code)
        if problem:
            problems.append(Problem("organ.org_code", f"组织机构代码 {org_code} 无效：{problem}",
                                    f"organisation code {org_code} is invalid: {problem}", "org_code"))
        elif org != org_code:
            derived["org_code"] = f"normalised from {org_code} / 由 {org_code} 规范化"
    if credit and org and not problems and credit[8:17] != org:
        problems.append(Problem("organ.codes_disagree",
                                f"组织机构代码 {org} 与统一社会信用代码第9至17位（{credit[8:17]}）不符",
                                f"organisation code {org} differs from characters 9-17 of the credit code "
                                f"({credit[8:17]})", "org_code"))
    if credit and not org and not problems:
        org = credit[8:17]
        derived["org_code"] = "characters 9-17 of the credit code / 统一社会信用代码第9至17位"
    return credit, org, problems


@transaction.atomic
def organ_create(*, actor, name: str, region: Region, credit_code: str | None = None, level: str | None = None,
                 nature: str = "", parent: Organ | None = None, org_code: str = "", source_codes=(),
                 derived: dict | None = None, **details) -> Organ:
    """Register an implementing organ.

    ``credit_code`` (GB 32100) is checked and stored normalised (``core.codes.normalise_code``: a
    lower-case check letter upper-cased, full-width characters folded; marked derived). Without it the organ is *to be completed*; a legacy ``org_code`` (GB 11714, checked)
    is kept beside it, and ``source_codes`` keeps the department codes exactly as a list gave
    them. ``level`` defaults to the region's (marked derived); ``nature`` may stay unknown ("").

    Scope: a catalogue administrator of a region containing ``region`` (or the system).
    Audit: catalog.organ.created. Raises DomainError listing every problem; NotFound outside scope.
    """
    ensure_can_manage_region(actor, region)
    derived = dict(derived or {})
    credit, org, problems = organ_code_problems((credit_code or "").strip(), (org_code or "").strip(), derived)
    if credit and Organ.objects.filter(credit_code=credit).exists():
        problems.append(Problem("organ.duplicate", "该统一社会信用代码已登记", "credit code already registered",
                                "credit_code"))
    name = (name or "").strip()
    if not name:
        problems.append(Problem("organ.name", "须填写机构名称", "the name is required", "name"))
    elif Organ.objects.filter(region=region, name=name).exists():
        problems.append(Problem("organ.name_taken", f"{region.name}已登记名为“{name}”的机构",
                                f"an organ named {name} is already registered in {region.code}", "name"))
    if level is None:
        level = region_level_to_exercise_level(region.level)
        derived["level"] = "from the region's level / 按所在区划层级确定"
    if level not in ExerciseLevel.values:
        problems.append(Problem("organ.level", f"层级取值无效：{level!r}", f"invalid level {level!r}", "level"))
    if nature and nature not in OrganNature.values:
        problems.append(Problem("organ.nature", f"机构性质取值无效：{nature!r}", f"invalid nature {nature!r}", "nature"))
    if parent is not None and not region.code.startswith(parent.region.prefix):
        problems.append(Problem("organ.parent", "上级机构不在本区划或其上级区划", "the parent organ is outside the region",
                                "parent"))
    _raise(problems)
    organ = Organ.objects.create(credit_code=credit, org_code=org, name=name, region=region, level=level,
                                 nature=nature, parent=parent, source_codes=list(source_codes), derived=derived,
                                 **{k: v for k, v in details.items() if k in ORGAN_DETAILS})
    audit.record(actor=actor, action="catalog.organ.created", target=organ,
                 after={"credit_code": credit, "org_code": org, "name": name, "region": region.code, "level": level,
                        "nature": nature, "source_codes": organ.source_codes, "derived": derived})
    return organ


ORGAN_EDITABLE = ("name", "credit_code", "org_code", "level", "nature", *ORGAN_DETAILS)


@transaction.atomic
def organ_update(*, actor, organ: Organ, **changes) -> Organ:
    """Change an organ: complete its credit code, correct its organisation code, name, level,
    nature or contact details (keys of ``ORGAN_EDITABLE``; others are refused). A blank code leaves
    the one on record. The codes as published (``source_codes``) never change; values typed here
    stop being marked derived.

    Scope: catalogue administrators of the organ or of a region containing it.
    Audit: catalog.organ.updated with the fields that changed. Raises DomainError.
    """
    organ = Organ.objects.select_for_update().select_related("region").get(pk=organ.pk)
    ensure_can_manage(actor, organ)
    unknown = sorted(set(changes) - set(ORGAN_EDITABLE))
    if unknown:
        raise DomainError.single("organ.field", f"不能修改：{unknown}", f"cannot change: {unknown}", unknown[0])
    credit_in = (changes.pop("credit_code", None) or "").strip()
    org_in = (changes.pop("org_code", None) or "").strip()
    noted: dict[str, str] = {}
    new_credit, new_org, problems = organ_code_problems(credit_in, org_in or (organ.org_code if credit_in else ""),
                                                         noted)
    credit = new_credit or organ.credit_code
    org = new_org or organ.org_code
    if org_in and not credit_in and credit and not problems and credit[8:17] != org:
        problems.append(Problem("organ.codes_disagree",
                                f"组织机构代码 {org} 与统一社会信用代码第9至17位（{credit[8:17]}）不符",
                                f"organisation code {org} differs from characters 9-17 of the credit code "
                                f"({credit[8:17]})", "org_code"))
    if new_credit and organ.credit_code and new_credit != organ.credit_code and organ.items.filter(
            code__isnull=False).exists():
        problems.append(Problem("organ.credit_code_in_use", "本机构已有事项使用原统一社会信用代码编制实施编码，不能更改",
                                "items carry implementation codes built on the current credit code", "credit_code"))
    if new_credit and Organ.objects.filter(credit_code=new_credit).exclude(pk=organ.pk).exists():
        problems.append(Problem("organ.duplicate", "该统一社会信用代码已登记", "credit code already registered",
                                "credit_code"))
    name = (changes.pop("name", organ.name) or "").strip()
    if not name:
        problems.append(Problem("organ.name", "须填写机构名称", "the name is required", "name"))
    elif Organ.objects.filter(region=organ.region, name=name).exclude(pk=organ.pk).exists():
        problems.append(Problem("organ.name_taken", f"{organ.region.name}已登记名为“{name}”的机构",
                                f"an organ named {name} is already registered in {organ.region_id}", "name"))
    if "level" in changes and changes["level"] not in ExerciseLevel.values:
        problems.append(Problem("organ.level", f"层级取值无效：{changes['level']!r}", "invalid level", "level"))
    if changes.get("nature") and changes["nature"] not in OrganNature.values:
        problems.append(Problem("organ.nature", f"机构性质取值无效：{changes['nature']!r}", "invalid nature", "nature"))
    _raise(problems)
    derived = dict(organ.derived)
    typed = ({"credit_code", "org_code"} if credit_in else set()) | ({"org_code"} if org_in else set())
    typed |= {"level"} if "level" in changes and changes["level"] != organ.level else set()
    derived = {k: v for k, v in derived.items() if k not in typed}
    derived.update(noted)
    fields = {"credit_code": credit, "org_code": org, "name": name, "derived": derived, **changes}
    before = {k: getattr(organ, k) for k in fields}
    changed = [k for k in fields if before[k] != fields[k]]
    for key in changed:
        setattr(organ, key, fields[key])
    if changed:
        organ.save(update_fields=changed)
        audit.record(actor=actor, action="catalog.organ.updated", target=organ,
                     before={k: before[k] for k in changed}, after={k: fields[k] for k in changed})
    return organ


# --- topics ----------------------------------------------------------------------------------------

@transaction.atomic
def topic_create(*, actor, code: str, name: str, audience: str, order: int = 0) -> Topic:
    topic = Topic.objects.create(code=code, name=name, audience=audience, order=order)
    audit.record(actor=actor, action="catalog.topic.created", target=topic, after={"code": code, "name": name})
    return topic


# --- catalogue entries -----------------------------------------------------------------------------

def catalog_item_problems(*, basic_code: str | None, name: str, item_type: str, legal_basis: str,
                          region: Region, supplementary: bool, local_code: str,
                          taken_basic: bool, taken_local: bool) -> list[Problem]:
    """The rules of a catalogue entry (shared by the service and the bulk onboarding path).

    With a basic code it is the national/provincial catalogue: 12 letters or digits, compiled by a
    province (or a city for supplementary items), with its legal basis. Without one it is an entry
    of a region's published list, known by its local code (unique in the region) or, for a main
    item a list names without a code, by its name alone."""
    problems = []
    if basic_code:
        if not BASIC_CODE.match(basic_code):
            problems.append(Problem("catalog.basic_code", f"基本编码 {basic_code!r} 应为12位字母或数字",
                                    f"basic code {basic_code!r} must be 12 letters or digits", "basic_code"))
        elif taken_basic:
            problems.append(Problem("catalog.duplicate", "基本编码已存在", "basic code already exists", "basic_code"))
        if supplementary and region.level != RegionLevel.CITY:
            problems.append(Problem("catalog.supplementary_region", "补充事项由设区的市编制",
                                    "supplementary items are compiled by a city", "region"))
        if not supplementary and region.level != RegionLevel.PROVINCE:
            problems.append(Problem("catalog.province_region", "目录清单由省级编制",
                                    "the catalogue is compiled by a province", "region"))
        if not (legal_basis or "").strip():
            problems.append(Problem("catalog.legal_basis", "须填写设定依据", "the legal basis is required",
                                    "legal_basis"))
    if local_code and taken_local:
        problems.append(Problem("catalog.local_code_taken", f"地方编码 {local_code} 在{region.name}已登记",
                                f"local code {local_code} is already registered in {region.code}", "local_code"))
    if local_code and len(local_code) > 100:
        problems.append(Problem("catalog.local_code", "地方编码不得超过100个字符", "the local code is at most 100 "
                                "characters", "local_code"))
    if not (name or "").strip():
        problems.append(Problem("catalog.name", "须填写事项名称", "the name is required", "name"))
    if item_type not in ItemType.values:
        problems.append(Problem("catalog.item_type", f"事项类型取值无效：{item_type!r}", f"invalid item type {item_type!r}",
                                "item_type"))
    return problems


@transaction.atomic
def catalog_item_create(*, actor, name: str, item_type: str, region: Region, basic_code: str | None = None,
                        legal_basis: str = "", exercise_levels: list[str] | None = None,
                        supplementary: bool = False, local_code: str = "", derived: dict | None = None,
                        for_organ: Organ | None = None) -> CatalogItem:
    """Register a catalogue entry (rules: ``catalog_item_problems``).

    Scope: a catalogue administrator of a region containing ``region`` (or the system); or, for an
    entry of the list of ``for_organ``'s region without a basic code (an item the organ lists), an
    administrator of that organ. Audit: catalog.catalog_item.created. Raises DomainError listing
    every problem; NotFound outside scope.
    """
    basic_code = normalise_code(basic_code or "") or None
    if for_organ is not None and basic_code is None and for_organ.region_id == region.code:
        ensure_can_manage(actor, for_organ)
    else:
        ensure_can_manage_region(actor, region)
    local_code = (local_code or "").strip()
    _raise(catalog_item_problems(
        basic_code=basic_code, name=name, item_type=item_type, legal_basis=legal_basis, region=region,
        supplementary=supplementary, local_code=local_code,
        taken_basic=bool(basic_code) and CatalogItem.objects.filter(basic_code=basic_code).exists(),
        taken_local=bool(local_code) and CatalogItem.objects.filter(region=region, local_code=local_code).exists()))
    item = CatalogItem.objects.create(basic_code=basic_code, name=(name or "").strip(), item_type=item_type,
                                      legal_basis=legal_basis, exercise_levels=list(exercise_levels or []),
                                      region=region, supplementary=supplementary, local_code=local_code,
                                      derived=dict(derived or {}))
    audit.record(actor=actor, action="catalog.catalog_item.created", target=item,
                 after={"basic_code": basic_code, "local_code": local_code, "name": item.name, "item_type": item_type,
                        "region": region.code, "supplementary": supplementary, "derived": item.derived})
    return item


CATALOG_EDITABLE = ("basic_code", "name", "item_type", "legal_basis", "exercise_levels")


@transaction.atomic
def catalog_item_update(*, actor, catalog_item: CatalogItem, **changes) -> CatalogItem:
    """Complete or correct a catalogue entry (keys of ``CATALOG_EDITABLE``): typically its national
    basic code once known. A basic code, once set, is not changed here. Audit:
    catalog.catalog_item.updated with the fields that changed. Raises DomainError."""
    item = CatalogItem.objects.select_for_update().select_related("region").get(pk=catalog_item.pk)
    ensure_can_manage_region(actor, item.region)
    unknown = sorted(set(changes) - set(CATALOG_EDITABLE))
    if unknown:
        raise DomainError.single("catalog.field", f"不能修改：{unknown}", f"cannot change: {unknown}", unknown[0])
    if "basic_code" in changes:
        changes["basic_code"] = normalise_code(changes["basic_code"] or "") or None
        if item.basic_code and changes["basic_code"] != item.basic_code:
            raise DomainError.single("catalog.basic_code_set", "基本编码已确定，不能更改",
                                     "the basic code is set and cannot change", "basic_code")
    merged = {k: changes.get(k, getattr(item, k)) for k in CATALOG_EDITABLE}
    new_basic = merged["basic_code"] if merged["basic_code"] != item.basic_code else None
    problems = catalog_item_problems(
        basic_code=new_basic, name=merged["name"], item_type=merged["item_type"], legal_basis=merged["legal_basis"],
        region=item.region, supplementary=item.supplementary, local_code="", taken_basic=bool(new_basic) and
        CatalogItem.objects.filter(basic_code=new_basic).exists(), taken_local=False)
    if new_basic:  # a local entry gaining its basic code keeps its region (where it was listed)
        problems = [p for p in problems if p.code not in ("catalog.province_region", "catalog.supplementary_region",
                                                          "catalog.legal_basis")]
    if any(v not in ExerciseLevel.values for v in merged["exercise_levels"] or []):
        problems.append(Problem("catalog.exercise_levels", "行使层级取值无效", "invalid exercise level",
                                "exercise_levels"))
    _raise(problems)
    before = {k: getattr(item, k) for k in CATALOG_EDITABLE}
    changed = [k for k in CATALOG_EDITABLE if before[k] != merged[k]]
    for key in changed:
        setattr(item, key, merged[key])
    if changed:
        item.save(update_fields=changed)
        audit.record(actor=actor, action="catalog.catalog_item.updated", target=item,
                     before={k: before[k] for k in changed}, after={k: merged[k] for k in changed})
    return item
