"""Catalogue reads (public): item search, the guide in force, topics, organs.

Endpoints parse, call a catalog selector and map to the v1 schemas; no rules live here.
"""

from django.urls import reverse
from ninja import Query, Router

from govhall.catalog import selectors
from govhall.catalog.codesets import ExerciseLevel, ItemType, TopicAudience
from govhall.catalog.guide import DEFAULTED_FIELDS, missing_for_complete
from govhall.catalog.models import ItemVersion
from govhall.catalog.search import stats as search_stats
from govhall.core.permissions import PUBLIC

from .permissions import permission
from .schemas import (
    ErrorOut,
    GuideQuery,
    ItemDetail,
    ItemPage,
    ItemSearchQuery,
    OrganList,
    OrganQuery,
    TopicList,
    TopicQuery,
)

router = Router(tags=["catalog"])

DETAIL_URL_NAME = "api:v1:catalog_item"


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return ""


def _file_url(request, field) -> str | None:
    return request.build_absolute_uri(field.url) if field else None


@router.get("/items", response={200: ItemPage, 422: ErrorOut}, url_name="catalog_items",
            summary="检索事项 / search items")
@permission(PUBLIC)
def search_items(request, filters: Query[ItemSearchQuery]):
    """Published items in force today, best match first. Everyday words, typos and pinyin are
    understood (see docs/search.md); ``suggestions`` offers corrected queries ("did you mean").
    An unknown region or organ gives an empty page."""
    organ_id = None
    if filters.organ:
        organ = selectors.organ_by_ref(filters.organ)
        organ_id = organ.pk if organ else None
        if organ_id is None:
            return {"count": 0, "page": filters.page, "per_page": filters.per_page, "results": [],
                    "suggestions": []}
    found = selectors.search_results(
        filters.q, region=filters.region, organ=organ_id, item_type=filters.type.value if filters.type else None,
        topic=filters.topic, page=filters.page, per_page=filters.per_page,
    )
    if filters.q.strip() and filters.page == 1:
        search_stats.record_search(filters.q, found=found.total)  # anonymous counter (catalog/search/stats.py)
    return {"count": found.total, "page": filters.page, "per_page": filters.per_page,
            "results": [_summary(request, e) for e in found.entries], "suggestions": found.suggestions}


def _summary(request, entry) -> dict:
    version = entry.version
    item = version.item
    return {
        "implementation_code": item.code,
        "key": item.key,
        "completeness": version.completeness,
        "name": entry.name,
        "item_type": entry.item_type,
        "item_type_label": _label(ItemType, entry.item_type),
        "organ": {"credit_code": entry.organ.credit_code, "name": entry.organ.name, "ref": entry.organ.ref},
        "region_code": entry.region_code,
        "promised_time_limit_days": version.promised_time_limit_days,
        "legal_time_limit_days": version.legal_time_limit_days,
        "visits": None if version.is_listed else version.visits,
        "url": request.build_absolute_uri(reverse(DETAIL_URL_NAME, kwargs={"implementation_code": item.key})),
    }


@router.get("/items/{implementation_code}", response={200: ItemDetail, 404: ErrorOut, 422: ErrorOut},
            url_name="catalog_item", summary="办事指南 / the guide in force")
@permission(PUBLIC)
def item_detail(request, implementation_code: str, filters: Query[GuideQuery]):
    """The guide of the item's version in force today, or on ``on``; the path takes the item's key or
    its implementation code. 404 for unknown, draft-only and retired items alike. A listed item's
    unpublished guide fields are null (or empty) and named in ``not_published``."""
    version = selectors.published_version(implementation_code, filters.on)
    return _detail(request, version, filters.on)


def _detail(request, version: ItemVersion, filters_on=None) -> dict:
    item = version.item
    catalog_item, organ = item.catalog_item, item.organ
    data = selectors.guide_of(version)
    materials = list(version.materials.all())
    data["materials"] = [
        {**fields, "fetched_by_organ": m.is_fetched, "blank_form_url": _file_url(request, m.blank_form),
         "sample_url": _file_url(request, m.sample)}
        for fields, m in zip(data["materials"], materials, strict=True)
    ]
    joint_organs = sorted(version.joint_organs.all(), key=lambda o: o.ref)
    not_published = []
    if version.is_listed:
        for field in DEFAULTED_FIELDS:
            data[field] = [] if isinstance(data[field], list) else None
        not_published = sorted({*DEFAULTED_FIELDS, *(f for f, _zh, _en in missing_for_complete(data))})
    main = selectors.main_item_in_force(item, filters_on)
    data.update(
        implementation_code=item.code,
        key=item.key,
        local_code=item.local_code,
        completeness=version.completeness,
        not_published=not_published,
        can_apply_online=selectors.application_refusal(version) is None,
        main_item={"key": main.item.key, "name": main.name} if main else None,
        sub_items=[{"key": v.item.key, "name": v.name} for v in selectors.sub_items_in_force(item, filters_on)],
        basic_code=catalog_item.basic_code,
        catalog_item_name=catalog_item.name,
        item_type=catalog_item.item_type,
        item_type_label=_label(ItemType, catalog_item.item_type),
        level=item.level,
        level_label=_label(ExerciseLevel, item.level),
        organ={"credit_code": organ.credit_code, "name": organ.name, "ref": organ.ref, "region_code": organ.region_id},
        version={"number": version.number, "effective_from": version.effective_from,
                 "effective_until": version.effective_until},
        is_joint=bool(joint_organs),
        joint_organs=[{"credit_code": o.credit_code, "name": o.name, "ref": o.ref} for o in joint_organs],
        topics=[{"code": t.code, "name": t.name} for t in sorted(version.topics.all(), key=lambda t: t.code)],
        result_sample_url=_file_url(request, version.result_sample),
    )
    return data


@router.get("/topics", response={200: TopicList, 422: ErrorOut}, url_name="catalog_topics",
            summary="主题 / topics")
@permission(PUBLIC)
def topics(request, filters: Query[TopicQuery]):
    """Life-event (persons) and life-cycle (enterprises) topics, in display order."""
    rows = selectors.topics(filters.audience.value if filters.audience else None)
    results = [{"code": t.code, "name": t.name, "audience": t.audience,
                "audience_label": _label(TopicAudience, t.audience)} for t in rows]
    return {"count": len(results), "results": results}


@router.get("/organs", response={200: OrganList, 422: ErrorOut}, url_name="catalog_organs",
            summary="实施机构 / organs with published items")
@permission(PUBLIC)
def organs(request, filters: Query[OrganQuery]):
    """Organs that publish at least one item now, optionally within a region's subtree."""
    region_obj = None
    if filters.region:
        region_obj = selectors.region_by_code(filters.region)
        if region_obj is None:
            return {"count": 0, "results": []}
    results = [
        {"credit_code": o.credit_code, "name": o.name, "ref": o.ref, "short_name": o.short_name,
         "region_code": o.region_id,
         "region_name": o.region.name, "address": o.address, "phone": o.phone, "hours": o.hours,
         "item_count": o.item_count}
        for o in selectors.organs_with_items(region_obj)
    ]
    return {"count": len(results), "results": results}
