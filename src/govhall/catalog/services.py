"""Catalogue writes. Each is atomic, checks the actor's scope, and records its audit event in the
same transaction. Interfaces (console, import, demo loader, API) call these and nothing else."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.codes import (
    BASIC_CODE,
    credit_code_problem,
    implementation_code,
    is_division_code,
    normalise_code,
)
from govhall.core.errors import DomainError, Problem

from . import search
from .guide import (
    FAQ_FIELDS,
    FEE_FIELDS,
    MATERIAL_FIELDS,
    PROCEDURE_FIELDS,
    SCALAR_FIELDS,
    STEP_FIELDS,
    publish_problems,
    validate_guide,
)
from .models import (
    FAQ,
    CatalogItem,
    FeeItem,
    ImplementationItem,
    ItemVersion,
    Material,
    Organ,
    ProcessStep,
    Region,
    SpecialProcedure,
    Topic,
    VersionState,
)
from .scope import ensure_can_manage
from .selectors import guide_of

_MODEL_DEFAULTS = {"legal_time_limit_note": "", "quantity_limit": "", "intermediary_services": "",
                   "result_licence_type_code": "", "result_kind": "", "legal_basis": ""}


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


@transaction.atomic
def region_create(*, actor, code: str, name: str, level: str, parent: Region | None) -> Region:
    """Audit: catalog.region.created. Raises DomainError for a malformed code or a wrong parent."""
    code, problems = normalise_code(code), []
    if not is_division_code(code):
        problems.append(Problem("region.code", f"区划代码 {code!r} 格式错误（6位或9位数字）",
                                f"division code {code!r} must be 6 or 9 digits", "code"))
    elif parent is not None and not code.startswith(parent.prefix):
        problems.append(Problem("region.parent", "区划代码与上级区划不符", "code does not lie under the parent", "parent"))
    _raise(problems)
    region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    audit.record(actor=actor, action="catalog.region.created", target=region, after={"code": code, "name": name})
    return region


@transaction.atomic
def organ_create(*, actor, credit_code: str, name: str, region: Region, level: str, nature: str,
                 parent: Organ | None = None, **details) -> Organ:
    """Audit: catalog.organ.created. Raises DomainError when the credit code fails GB 32100."""
    credit_code = normalise_code(credit_code)
    if problem := credit_code_problem(credit_code):
        raise DomainError.single("organ.credit_code", f"统一社会信用代码 {credit_code} 无效：{problem}",
                                 f"unified social credit code {credit_code} is invalid: {problem}", "credit_code")
    if Organ.objects.filter(credit_code=credit_code).exists():
        raise DomainError.single("organ.duplicate", "该统一社会信用代码已登记", "credit code already registered",
                                 "credit_code")
    organ = Organ.objects.create(credit_code=credit_code, name=name, region=region, level=level, nature=nature,
                                 parent=parent, **details)
    audit.record(actor=actor, action="catalog.organ.created", target=organ,
                 after={"credit_code": credit_code, "name": name, "region": region.code})
    return organ


@transaction.atomic
def topic_create(*, actor, code: str, name: str, audience: str, order: int = 0) -> Topic:
    topic = Topic.objects.create(code=code, name=name, audience=audience, order=order)
    audit.record(actor=actor, action="catalog.topic.created", target=topic, after={"code": code, "name": name})
    return topic


@transaction.atomic
def catalog_item_create(*, actor, basic_code: str, name: str, item_type: str, legal_basis: str,
                        exercise_levels: list[str], region: Region, supplementary: bool = False,
                        local_code: str = "") -> CatalogItem:
    """Audit: catalog.catalog_item.created. Supplementary items belong to a city, others to a province."""
    problems = []
    if not BASIC_CODE.match(basic_code or ""):
        problems.append(Problem("catalog.basic_code", f"基本编码 {basic_code!r} 应为12位字母或数字",
                                f"basic code {basic_code!r} must be 12 letters or digits", "basic_code"))
    elif CatalogItem.objects.filter(basic_code=basic_code).exists():
        problems.append(Problem("catalog.duplicate", "基本编码已存在", "basic code already exists", "basic_code"))
    if supplementary and region.level != "city":
        problems.append(Problem("catalog.supplementary_region", "补充事项由设区的市编制",
                                "supplementary items are compiled by a city", "region"))
    if not supplementary and region.level != "province":
        problems.append(Problem("catalog.province_region", "目录清单由省级编制", "the catalogue is compiled by a province",
                                "region"))
    if not legal_basis.strip():
        problems.append(Problem("catalog.legal_basis", "须填写设定依据", "the legal basis is required", "legal_basis"))
    _raise(problems)
    item = CatalogItem.objects.create(basic_code=basic_code, name=name, item_type=item_type, legal_basis=legal_basis,
                                      exercise_levels=exercise_levels, region=region, supplementary=supplementary,
                                      local_code=local_code)
    audit.record(actor=actor, action="catalog.catalog_item.created", target=item,
                 after={"basic_code": basic_code, "name": name, "supplementary": supplementary})
    return item


@transaction.atomic
def implementation_item_create(*, actor, catalog_item: CatalogItem, organ: Organ, level: str, guide: dict,
                               code: str | None = None, local_code: str = "") -> ImplementationItem:
    """Create an implementation item with its first draft.

    The code must equal organ credit code + level + basic code; given codes are checked against that.
    Audit: catalog.item.created. Raises DomainError listing every problem.
    """
    ensure_can_manage(actor, organ)
    expected = implementation_code(organ.credit_code, level, catalog_item.basic_code)
    problems = []
    if code and code != expected:
        problems.append(Problem("item.code_mismatch",
                                f"实施编码 {code} 与“实施机构信用代码+行使层级+基本编码”（{expected}）不符",
                                f"implementation code {code} does not equal organ code + level + basic code ({expected})",
                                "implementation_code"))
    if level not in catalog_item.exercise_levels:
        problems.append(Problem("item.level", f"行使层级 {level} 不在目录事项的行使层级 {catalog_item.exercise_levels} 中",
                                f"level {level} is not one of the catalogue item's levels", "level"))
    if ImplementationItem.objects.filter(code=expected).exists():
        problems.append(Problem("item.duplicate", "实施编码已存在", "implementation code already exists",
                                "implementation_code"))
    problems += validate_guide(guide)
    _raise(problems)
    item = ImplementationItem.objects.create(code=expected, catalog_item=catalog_item, organ=organ, level=level,
                                             local_code=local_code)
    version = ItemVersion(item=item, number=1, created_by=actor if getattr(actor, "pk", None) else None)
    _apply_guide(version, guide, fresh=True)
    audit.record(actor=actor, action="catalog.item.created", target=item, after={"code": expected, **guide})
    return item


def _apply_guide(version: ItemVersion, data: dict, *, fresh: bool = False) -> None:
    """Write ``data`` onto the version; ``fresh`` versions have no rows to replace."""
    for field in SCALAR_FIELDS:
        if field in data:
            value = data[field]
            setattr(version, field, _MODEL_DEFAULTS.get(field, value) if value is None and field in _MODEL_DEFAULTS
                    else value)
    version.save()
    if "topics" in data:
        version.topics.set(Topic.objects.filter(code__in=data["topics"]))
    if "joint_organs" in data:
        codes = set(data["joint_organs"])
        organs = list(Organ.objects.filter(credit_code__in=codes))
        missing = codes - {o.credit_code for o in organs}
        if missing or version.item.organ.credit_code in codes:
            raise DomainError.single("guide.joint_organs", f"联办机构无效：{sorted(missing) or '包含本机构'}",
                                     f"joint organs invalid: {sorted(missing) or 'includes the lead organ'}",
                                     "joint_organs")
        version.joint_organs.set(organs)
    children = [("materials", Material, MATERIAL_FIELDS), ("fees", FeeItem, FEE_FIELDS),
                ("process_steps", ProcessStep, STEP_FIELDS), ("special_procedures", SpecialProcedure, PROCEDURE_FIELDS),
                ("faqs", FAQ, FAQ_FIELDS)]
    for key, model, fields in children:
        if key not in data:
            continue
        related = {"process_steps": "steps"}.get(key, key)
        if not fresh:
            getattr(version, related).all().delete()
        rows = []
        for order, row in enumerate(data[key] or [], start=1):
            values = {f: row[f] for f in fields if f in row and row[f] is not None}
            if "order" in {f.name for f in model._meta.fields}:
                values["order"] = order
            rows.append(model(version=version, **values))
        model.objects.bulk_create(rows)


@transaction.atomic
def item_draft_for_edit(*, actor, item: ImplementationItem) -> ItemVersion:
    """The item's draft: the existing one, or a new copy of its latest published version.

    Audit: catalog.item.draft_created (only when a draft is created).
    """
    item = ImplementationItem.objects.select_for_update().get(pk=item.pk)
    ensure_can_manage(actor, item.organ)
    draft = item.versions.filter(state=VersionState.DRAFT).first()
    if draft:
        return draft
    latest = item.versions.order_by("-number").first()
    draft = ItemVersion(item=item, number=latest.number + 1, created_by=actor if getattr(actor, "pk", None) else None)
    _apply_guide(draft, guide_of(latest), fresh=True)
    audit.record(actor=actor, action="catalog.item.draft_created", target=item,
                 after={"version": draft.number, "copied_from": latest.number})
    return draft


@transaction.atomic
def version_update(*, actor, version: ItemVersion, guide: dict) -> ItemVersion:
    """Change a draft. Published versions are never edited. Audit: catalog.item.draft_updated with
    the fields that changed (before and after)."""
    version = ItemVersion.objects.select_for_update().select_related("item__organ").get(pk=version.pk)
    ensure_can_manage(actor, version.item.organ)
    if version.state != VersionState.DRAFT:
        raise DomainError.single("version.not_draft", "已发布的版本不能修改，请先创建草稿",
                                 "a published version cannot be changed; edit a draft", "version")
    _raise(validate_guide(guide))
    before = guide_of(version)
    _apply_guide(version, guide)
    after = guide_of(version)
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    audit.record(actor=actor, action="catalog.item.draft_updated", target=version.item,
                 before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})
    return version


@transaction.atomic
def version_publish(*, actor, version: ItemVersion, effective_from: dt.date | None = None,
                    reason: str = "") -> ItemVersion:
    """Publish a draft from ``effective_from`` (today by default; not in the past).

    The version in force until then is superseded from that date; every version is kept.
    Audit: catalog.item.published. Raises DomainError with every missing field at once.
    """
    version = ItemVersion.objects.select_for_update().select_related("item__organ").get(pk=version.pk)
    item = ImplementationItem.objects.select_for_update().get(pk=version.item_id)
    ensure_can_manage(actor, item.organ)
    today = timezone.localdate()
    effective_from = effective_from or today
    problems = []
    if version.state != VersionState.DRAFT:
        problems.append(Problem("version.not_draft", "只能发布草稿", "only a draft can be published", "version"))
    if effective_from < today:
        problems.append(Problem("version.backdated", "生效日期不能早于今天", "the effective date cannot be in the past",
                                "effective_from"))
    if item.versions.filter(state=VersionState.PUBLISHED, effective_from__gt=today).exists():
        problems.append(Problem("version.already_scheduled", "该事项已有待生效版本，请待其生效后再发布",
                                "another version is already scheduled to take effect", "effective_from"))
    problems += publish_problems(guide_of(version))
    _raise(problems)
    previous = item.versions.filter(state=VersionState.PUBLISHED).order_by("-effective_from", "-number").first()
    if previous is not None and (previous.effective_until is None or previous.effective_until > effective_from):
        if previous.effective_from > effective_from:
            raise DomainError.single("version.overlap", "生效日期须晚于现行版本的生效日期",
                                     "the effective date must follow the current version's", "effective_from")
        previous.effective_until = effective_from
        previous.save(update_fields=["effective_until", "updated_at"])
    version.state = VersionState.PUBLISHED
    version.effective_from = effective_from
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["state", "effective_from", "published_at", "published_by", "updated_at"])
    audit.record(actor=actor, action="catalog.item.published", target=item, reason=reason,
                 before={"version": previous.number if previous else None},
                 after={"version": version.number, "effective_from": effective_from})
    search.index_item(item)
    return version


@transaction.atomic
def item_retire(*, actor, item: ImplementationItem, on: dt.date | None = None, reason: str) -> ImplementationItem:
    """Retire (cancel) the item from ``on``: its version in force ends that day; no later version
    may be scheduled. Audit: catalog.item.retired."""
    item = ImplementationItem.objects.select_for_update().select_related("organ").get(pk=item.pk)
    ensure_can_manage(actor, item.organ)
    today = timezone.localdate()
    on = on or today
    if not reason.strip():
        raise DomainError.single("item.retire_reason", "废止须说明理由", "give the reason for retiring", "reason")
    if on < today:
        raise DomainError.single("item.retire_backdated", "废止日期不能早于今天", "the retire date cannot be in the past",
                                 "on")
    live = item.versions.filter(state=VersionState.PUBLISHED).exclude(effective_until__lte=today)
    if not live.exists():
        raise DomainError.single("item.not_published", "该事项没有现行版本", "the item has no version in force", "item")
    if live.filter(effective_from__gt=on).exists():
        raise DomainError.single("item.scheduled_after_retire", "废止日期之后仍有待生效版本",
                                 "a version is scheduled after the retire date", "on")
    current = live.order_by("-effective_from").first()
    current.effective_until = on
    current.retire_reason = reason
    current.save(update_fields=["effective_until", "retire_reason", "updated_at"])
    audit.record(actor=actor, action="catalog.item.retired", target=item, reason=reason,
                 after={"version": current.number, "effective_until": on})
    search.index_item(item)
    return item


def search_refresh_for(day: dt.date) -> int:
    """Re-index items whose version in force changes on ``day`` (scheduled versions, retirements)."""
    from django.db.models import Q

    ids = set(ItemVersion.objects.filter(Q(effective_from=day) | Q(effective_until=day))
              .values_list("item_id", flat=True))
    for item in ImplementationItem.objects.filter(pk__in=ids).select_related("organ"):
        search.index_item(item, day)
    return len(ids)
