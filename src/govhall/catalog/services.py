"""Catalogue writes. Each is atomic, checks the actor's scope, and records its audit event in the
same transaction. Interfaces (console, import, demo loader, API) call these and nothing else.

Regions, organs, topics and catalogue entries are registered in catalog/registry.py (re-exported
here); implementation items and their versions are written here."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.codes import implementation_code, normalise_code
from govhall.core.errors import DomainError, Problem

from . import search
from .guide import (
    FAQ_FIELDS,
    FEE_FIELDS,
    MATERIAL_FIELDS,
    PROCEDURE_FIELDS,
    SCALAR_FIELDS,
    STEP_FIELDS,
    listing_problems,
    publish_problems,
    validate_guide,
)
from .models import (
    FAQ,
    CatalogItem,
    Completeness,
    FeeItem,
    ImplementationItem,
    ItemVersion,
    Material,
    Organ,
    ProcessStep,
    SpecialProcedure,
    Topic,
    VersionState,
)
from .registry import (  # noqa: F401  (re-exported: one import path for every catalogue write)
    catalog_item_create,
    catalog_item_update,
    organ_create,
    organ_update,
    region_create,
    region_update,
    topic_create,
)
from .scope import ensure_can_manage
from .selectors import guide_of

_MODEL_DEFAULTS = {"legal_time_limit_note": "", "quantity_limit": "", "intermediary_services": "",
                   "result_licence_type_code": "", "result_kind": "", "legal_basis": ""}


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems)


DERIVED_CODE = "organ credit code + level + basic code / 实施机构信用代码+行使层级+基本编码"


def national_code_for(*, organ: Organ, catalog_item: CatalogItem, level: str, given: str | None
                      ) -> tuple[str | None, bool, list[Problem]]:
    """(implementation code or None, whether it was derived, problems).

    The national code is the organ's credit code + the level + the basic code; it exists only when
    both codes are known. A given code must equal it; without a given code it is derived."""
    given = normalise_code(given or "") or None
    if not (organ.credit_code and catalog_item.basic_code):
        if given:
            missing = "、".join(x for x, ok in (("机构统一社会信用代码", organ.credit_code),
                                               ("基本编码", catalog_item.basic_code)) if not ok)
            return None, False, [Problem(
                "item.code_parts_missing", f"实施编码由机构信用代码、行使层级和基本编码组成，尚缺：{missing}",
                "an implementation code is the organ's credit code + level + basic code; complete "
                "the missing parts first", "implementation_code")]
        return None, False, []
    expected = implementation_code(organ.credit_code, level, catalog_item.basic_code)
    if given and given != expected:
        return None, False, [Problem(
            "item.code_mismatch", f"实施编码 {given} 与“实施机构信用代码+行使层级+基本编码”（{expected}）不符",
            f"implementation code {given} does not equal organ code + level + basic code ({expected})",
            "implementation_code")]
    return expected, given is None, []


def item_key_for(*, code: str | None, local_code: str, region_code: str, organ_name: str, name: str,
                 taken) -> str:
    """The stable key of a new item: its national code, else its local code (prefixed with the
    region code if another region uses it), else a digest of region, organ and name (a main item
    a list names without a code). ``taken(key)`` says whether a key is in use."""
    candidates = [code] if code else []
    if local_code:
        candidates += [local_code, f"{region_code}-{local_code}"]
    else:
        digest = hashlib.new("sm3", f"{region_code}|{organ_name}|{name}".encode()).hexdigest()[:12].upper()
        candidates += [f"{region_code}-M{digest}"]
    for key in candidates:
        if len(key) <= 100 and not taken(key):
            return key
    return ""


def sub_item_problems(*, parent: ImplementationItem | None, organ: Organ) -> list[Problem]:
    """A main item (主项) is an item of the same organ that is not itself a sub-item (two levels)."""
    if parent is None:
        return []
    if parent.organ_id != organ.pk:
        return [Problem("item.parent_organ", "主项与子项须为同一实施机构", "a main item and its sub-items belong to "
                        "the same organ", "parent")]
    if parent.parent_id is not None:
        return [Problem("item.parent_nested", "子项不能再有子项", "a sub-item cannot have sub-items", "parent")]
    return []


@transaction.atomic
def implementation_item_create(*, actor, catalog_item: CatalogItem, organ: Organ, level: str, guide: dict,
                               code: str | None = None, local_code: str = "",
                               parent: ImplementationItem | None = None, derived: dict | None = None
                               ) -> ImplementationItem:
    """Create an implementation item with its first draft.

    The national implementation code is organ credit code + level + basic code: a given code is
    checked against that, and when none is given but both codes are known it is derived (marked
    so). Without them the item has no national code yet and is known by its local code (unique in
    the organ's region). ``parent`` makes it a sub-item (子项) of a main item (主项).
    Audit: catalog.item.created. Raises DomainError listing every problem.
    """
    ensure_can_manage(actor, organ)
    derived = dict(derived or {})
    local_code = (local_code or "").strip()
    expected, was_derived, problems = national_code_for(organ=organ, catalog_item=catalog_item, level=level,
                                                        given=code)
    if was_derived:
        derived["code"] = DERIVED_CODE
    if catalog_item.exercise_levels and level not in catalog_item.exercise_levels:
        problems.append(Problem("item.level", f"行使层级 {level} 不在目录事项的行使层级 {catalog_item.exercise_levels} 中",
                                f"level {level} is not one of the catalogue item's levels", "level"))
    if expected and ImplementationItem.objects.filter(code=expected).exists():
        problems.append(Problem("item.duplicate", "实施编码已存在", "implementation code already exists",
                                "implementation_code"))
    if local_code and ImplementationItem.objects.filter(region=organ.region_id, local_code=local_code).exists():
        problems.append(Problem("item.local_code_taken", f"地方编码 {local_code} 在本区划已有事项使用",
                                f"local code {local_code} is already used in region {organ.region_id}", "local_code"))
    problems += sub_item_problems(parent=parent, organ=organ)
    problems += validate_guide(guide)
    if not (guide.get("name") or "").strip():
        problems.append(Problem("guide.required", "须填写事项名称", "the item name is required", "name"))
    _raise(problems)
    key = item_key_for(code=expected, local_code=local_code, region_code=organ.region_id, organ_name=organ.name,
                       name=guide["name"], taken=lambda k: ImplementationItem.objects.filter(key=k).exists())
    if not key:
        raise DomainError.single("item.key_taken", "同名主项已存在", "a main item of that name already exists", "name")
    item = ImplementationItem.objects.create(key=key, code=expected, catalog_item=catalog_item, organ=organ,
                                             region_id=organ.region_id, level=level, local_code=local_code,
                                             parent=parent, derived=derived)
    version = ItemVersion(item=item, number=1, created_by=actor if getattr(actor, "pk", None) else None)
    _apply_guide(version, guide, fresh=True)
    audit.record(actor=actor, action="catalog.item.created", target=item,
                 after={"key": key, "code": expected, "local_code": local_code,
                        "parent": parent.key if parent else None, "derived": derived, **guide})
    return item


@transaction.atomic
def item_identity_update(*, actor, item: ImplementationItem, code: str | None = None, derive_code: bool = False,
                         parent: ImplementationItem | None | bool = False) -> ImplementationItem:
    """Complete an item's identity: set its national implementation code (``code``, or with
    ``derive_code`` the one its organ, level and catalogue entry now give, marked derived), or
    change its main item (``parent``: an item, None for none; False leaves it). The key never
    changes. Audit: catalog.item.identity_updated. Raises DomainError."""
    item = (ImplementationItem.objects.select_for_update(of=("self",)).select_related("organ", "catalog_item", "parent")
            .get(pk=item.pk))
    ensure_can_manage(actor, item.organ)
    problems: list[Problem] = []
    before = {"code": item.code, "parent": item.parent.key if item.parent else None}
    derived = dict(item.derived)
    if code or derive_code:
        if item.code:
            problems.append(Problem("item.code_set", "实施编码已确定，不能更改", "the implementation code is set",
                                    "implementation_code"))
        else:
            expected, was_derived, found = national_code_for(organ=item.organ, catalog_item=item.catalog_item,
                                                             level=item.level, given=code)
            problems += found
            if not expected and not found:
                problems.append(Problem("item.code_parts_missing", "尚缺机构统一社会信用代码或基本编码，无法编制实施编码",
                                        "the organ's credit code or the basic code is still missing",
                                        "implementation_code"))
            elif expected and ImplementationItem.objects.filter(code=expected).exists():
                problems.append(Problem("item.duplicate", "实施编码已存在", "implementation code already exists",
                                        "implementation_code"))
            elif expected:
                item.code = expected
                if was_derived:
                    derived["code"] = DERIVED_CODE
                else:
                    derived.pop("code", None)
    if parent is not False:
        if parent is not None and parent.pk == item.pk:
            problems.append(Problem("item.parent_self", "事项不能是自己的主项", "an item cannot be its own main item",
                                    "parent"))
        elif parent is not None and item.sub_items.exists():
            problems.append(Problem("item.parent_nested", "已有子项的主项不能成为子项",
                                    "a main item with sub-items cannot become a sub-item", "parent"))
        else:
            problems += sub_item_problems(parent=parent, organ=item.organ)
        item.parent = parent
    _raise(problems)
    item.derived = derived
    item.save(update_fields=["code", "parent", "derived"])
    after = {"code": item.code, "parent": item.parent.key if item.parent else None}
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        audit.record(actor=actor, action="catalog.item.identity_updated", target=item,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
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
                    reason: str = "", completeness: str = Completeness.COMPLETE) -> ItemVersion:
    """Publish a draft from ``effective_from`` (today by default; not in the past).

    ``completeness`` complete: the whole guide is required (catalog.guide.publish_problems) and the
    item needs its national implementation code. listed: only that the item exists is published
    (name, organ, type, a code or sub-items; catalog.guide.listing_problems); the portal then says
    which parts are not yet published and online applications are refused.

    The version in force until then is superseded from that date; every version is kept.
    Audit: catalog.item.published (with the completeness). Raises DomainError with every missing
    field at once.
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
    if completeness == Completeness.LISTED:
        problems += listing_problems(guide_of(version), item=item)
    elif completeness == Completeness.COMPLETE:
        problems += publish_problems(guide_of(version))
        if not item.code:
            problems.append(Problem("publish.implementation_code", "发布完整办事指南前须确定实施编码",
                                    "a complete guide needs the item's implementation code", "implementation_code"))
    else:
        problems.append(Problem("version.completeness", f"取值无效：{completeness!r}", "invalid completeness",
                                "completeness"))
    _raise(problems)
    previous = item.versions.filter(state=VersionState.PUBLISHED).order_by("-effective_from", "-number").first()
    if previous is not None and (previous.effective_until is None or previous.effective_until > effective_from):
        if previous.effective_from > effective_from:
            raise DomainError.single("version.overlap", "生效日期须晚于现行版本的生效日期",
                                     "the effective date must follow the current version's", "effective_from")
        previous.effective_until = effective_from
        previous.save(update_fields=["effective_until", "updated_at"])
    version.state = VersionState.PUBLISHED
    version.completeness = completeness
    version.effective_from = effective_from
    version.published_at = timezone.now()
    version.published_by = actor if getattr(actor, "pk", None) else None
    version.save(update_fields=["state", "completeness", "effective_from", "published_at", "published_by",
                                "updated_at"])
    audit.record(actor=actor, action="catalog.item.published", target=item, reason=reason,
                 before={"version": previous.number if previous else None},
                 after={"version": version.number, "effective_from": effective_from, "completeness": completeness})
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
