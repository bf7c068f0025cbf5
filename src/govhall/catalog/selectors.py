"""Catalogue reads. Public reads see published versions only; console reads are scoped to the actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from govhall.core.errors import NotFound, Problem

from . import search as search_index
from .guide import FAQ_FIELDS, FEE_FIELDS, MATERIAL_FIELDS, PROCEDURE_FIELDS, SCALAR_FIELDS, STEP_FIELDS
from .models import (
    Completeness,
    ImplementationItem,
    ItemVersion,
    Organ,
    Region,
    SearchEntry,
    Topic,
    VersionState,
    in_force_q,
)

GUIDE_PREFETCH = ("materials", "fees", "steps", "special_procedures", "faqs", "topics", "joint_organs")


def guide_of(version: ItemVersion) -> dict:
    """The version's guide as plain data (the shape of catalog/guide.py)."""
    data = {f: getattr(version, f) for f in SCALAR_FIELDS}
    data["topics"] = sorted(t.code for t in version.topics.all())
    data["joint_organs"] = sorted(o.credit_code for o in version.joint_organs.all())
    data["materials"] = [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in version.materials.all()]
    data["fees"] = [{f: getattr(x, f) for f in FEE_FIELDS} for x in version.fees.all()]
    data["process_steps"] = [{f: getattr(s, f) for f in STEP_FIELDS} for s in version.steps.all()]
    data["special_procedures"] = [{f: getattr(s, f) for f in PROCEDURE_FIELDS} for s in version.special_procedures.all()]
    data["faqs"] = [{f: getattr(x, f) for f in FAQ_FIELDS} for x in version.faqs.all()]
    return data


def versions_in_force(day: dt.date) -> Q:
    """Filter on ItemVersion: published and in force on ``day``."""
    return in_force_q(day)


def _item_q(ref: str, prefix: str = "") -> Q:
    """An item by its key, or by its national implementation code (an item keyed by its local code
    that later got its national code is found by either)."""
    return Q(**{f"{prefix}key": ref}) | Q(**{f"{prefix}code": ref})


def published_version(code: str, day: dt.date | None = None) -> ItemVersion:
    """The version of item ``code`` (its key or implementation code) in force on ``day`` (today),
    with everything a guide shows. Raises NotFound for unknown codes, drafts only, and retired items."""
    day = day or timezone.localdate()
    version = (
        ItemVersion.objects.filter(versions_in_force(day), _item_q(code, "item__"))
        .select_related("item__organ__region", "item__catalog_item", "item__parent")
        .prefetch_related(*GUIDE_PREFETCH)
        .order_by("-effective_from", "-number")
        .first()
    )
    if version is None:
        raise NotFound(code)
    return version


def version_history(code: str) -> list[ItemVersion]:
    """Every published version of the item (public: drafts are not shown)."""
    return list(ItemVersion.objects.filter(_item_q(code, "item__"), state=VersionState.PUBLISHED)
                .order_by("-number"))


def application_refusal(version: ItemVersion) -> Problem | None:
    """Why the version in force cannot be applied for online, or None when it can: a *listed*
    version (guide incomplete) cannot; nor can a main item whose sub-items are applied for."""
    if version.completeness == Completeness.LISTED:
        return Problem("catalog.item.listed_only",
                       "本事项的办事指南尚未完整公布，暂不能在线申请，请向实施机构咨询",
                       "the guide of this item is not yet complete: online applications are not open; "
                       "ask the implementing organ", "item")
    return None


def main_item_in_force(item: ImplementationItem, day: dt.date | None = None) -> ItemVersion | None:
    """The version in force of ``item``'s main item (主项), if it is a sub-item and that is published."""
    if item.parent_id is None:
        return None
    day = day or timezone.localdate()
    return (ItemVersion.objects.filter(versions_in_force(day), item_id=item.parent_id).select_related("item")
            .order_by("-effective_from", "-number").first())


def sub_items_in_force(item: ImplementationItem, day: dt.date | None = None) -> list[ItemVersion]:
    """The versions in force of ``item``'s sub-items (子项), by name (for its guide page)."""
    day = day or timezone.localdate()
    return list(ItemVersion.objects.filter(versions_in_force(day), item__parent=item)
                .select_related("item").order_by("name", "item__key"))


@dataclass
class SearchResults:
    entries: list  # SearchEntry rows in rank order
    total: int
    suggestions: list[str] = field(default_factory=list)  # "did you mean"
    read_as: str = ""  # the Chinese words a pinyin query was read as


def search_results(q: str = "", *, region: str | None = None, organ: int | None = None,
                   item_type: str | None = None, topic: str | None = None, page: int = 1,
                   per_page: int = 20) -> SearchResults:
    """Search current published items (catalog/search): entries in rank order, the number of
    results, and "did you mean" suggestions. An unknown region gives no results."""
    region_obj = Region.objects.filter(code=region).first() if region else None
    if region and region_obj is None:
        return SearchResults([], 0)
    page = max(1, page)
    result = search_index.search(q, region=region_obj, organ_id=organ, item_type=item_type, topic=topic,
                                 offset=(page - 1) * per_page, limit=per_page)
    rows = SearchEntry.objects.filter(pk__in=result.ids).defer("terms", "weights", "embedding").select_related(
        "organ", "version__item", "version__item__catalog_item"
    )
    by_id = {r.pk: r for r in rows}
    return SearchResults([by_id[i] for i in result.ids if i in by_id], result.total, result.suggestions,
                         result.read_as)


def search_items(q: str = "", **filters):
    """Search current published items. Returns (entries in rank order, total)."""
    found = search_results(q, **filters)
    return found.entries, found.total


def topics(audience: str | None = None) -> QuerySet[Topic]:
    qs = Topic.objects.all()
    if audience:
        qs = qs.filter(audience=audience)
    return qs


def organs_with_items(region: Region | None = None) -> QuerySet[Organ]:
    """Organs with the number of items they publish now, optionally within a region's subtree."""
    qs = Organ.objects.select_related("region").annotate(item_count=Count("search_entries"))
    if region is not None:
        qs = qs.filter(region__code__startswith=region.prefix)
    return qs.filter(item_count__gt=0)


def topics_with_counts(day: dt.date | None = None) -> list[Topic]:
    """Every topic, annotated with ``item_count``: items whose version in force lists it (one query)."""
    day = day or timezone.localdate()
    in_force = in_force_q(day, "versions__")
    return list(Topic.objects.annotate(item_count=Count("versions", filter=in_force, distinct=True)))


def regions_with_counts(regions: list[Region]) -> list[Region]:
    """``regions`` annotated with ``item_count`` (items in force of organs in the region's subtree);
    regions with none are dropped. One query."""
    per_code = dict(SearchEntry.objects.values_list("region_code").annotate(n=Count("id")).order_by())
    out = []
    for region in regions:
        region.item_count = sum(n for code, n in per_code.items() if code.startswith(region.prefix))
        if region.item_count:
            out.append(region)
    return out


def topic_by_code(code: str) -> Topic | None:
    return Topic.objects.filter(code=code).first()


def organ_by_credit_code(credit_code: str) -> Organ | None:
    return Organ.objects.select_related("region").filter(credit_code=credit_code).first()


def organ_by_ref(ref: str) -> Organ | None:
    """An organ by its public reference (Organ.ref): its credit code, or ``O`` + id while it has none."""
    if len(ref) > 1 and ref[0] == "O" and ref[1:].isdigit():
        return Organ.objects.select_related("region").filter(pk=int(ref[1:]), credit_code__isnull=True).first()
    return organ_by_credit_code(ref)


def region_by_code(code: str) -> Region | None:
    return Region.objects.select_related("parent").filter(code=code).first()


def regions_tree(*, townships: bool = False) -> list[Region]:
    """Regions in code order; townships only when asked (a province has thousands)."""
    qs = Region.objects.select_related("parent").order_by("code")
    if not townships:
        qs = qs.exclude(level="township")
    return list(qs)


# --- console (scoped) ---

def manageable_items(user) -> QuerySet[ImplementationItem]:
    """Items ``user`` may read in the console: every staff role reads its organ's or region's
    catalogue; only catalogue administrators may change it (checked by the services)."""
    from .scope import viewable_organs_q

    organs = Organ.objects.filter(viewable_organs_q(user))
    return ImplementationItem.objects.filter(organ__in=organs).select_related("organ", "catalog_item", "parent")


def access_item(user, code: str) -> ImplementationItem:
    """The item (by key or implementation code) if ``user`` may read it; NotFound otherwise (also
    for items that do not exist)."""
    item = manageable_items(user).filter(_item_q(code)).first()
    if item is None:
        raise NotFound(code)
    return item


def item_versions(item: ImplementationItem) -> QuerySet[ItemVersion]:
    return item.versions.prefetch_related(Prefetch("materials")).order_by("-number")


def known_item_codes(codes: list[str]) -> set[str]:
    """Which of ``codes`` are the national implementation code of an item (used by identity for agent
    mandates; registered with identity.services at start)."""
    return set(ImplementationItem.objects.filter(code__in=list(codes)).values_list("code", flat=True))
