"""Public portal: home, search, browse lists and the service guide. Views parse input, call catalogue
selectors and render; they never write."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from govhall.catalog import selectors
from govhall.catalog.codesets import HandlingForm, ItemType, OnlineDepth, ServiceObject, TopicAudience
from govhall.catalog.guide import GUIDE_PARTS, listed_parts
from govhall.catalog.search import stats as search_stats
from govhall.core.errors import NotFound
from govhall.core.permissions import PUBLIC, requires
from govhall.feedback import selectors as feedback_selectors
from govhall.sharing.selectors import fetchable_material_counts

PER_PAGE = 20
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _labels(choices, values) -> list[str]:
    """Labels of a multi-valued code field, in the code set's order; unknown codes are shown as-is."""
    known = dict(choices.choices)
    return [str(known.get(v, v)) for v in values or []]


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def _pages(page: int, total: int) -> dict:
    last = max(1, -(-total // PER_PAGE))
    page = min(page, last)
    window = [n for n in range(page - 2, page + 3) if 1 <= n <= last]
    return {"number": page, "last": last, "window": window,
            "previous": page - 1 if page > 1 else None, "next": page + 1 if page < last else None,
            "first_shown": (page - 1) * PER_PAGE + 1 if total else 0, "last_shown": min(total, page * PER_PAGE)}


def _results(request, *, q: str = "", region: str | None = None, organ: int | None = None,
             item_type: str | None = None, topic: str | None = None) -> dict:
    page = _page_number(request.GET.get("page"))
    found = selectors.search_results(q, region=region, organ=organ, item_type=item_type, topic=topic,
                                     page=page, per_page=PER_PAGE)
    entries, total = found.entries, found.total
    if q and page == 1:
        search_stats.record_search(q, found=total)  # anonymous counter (catalog/search/stats.py)
    # Resolved once per page rather than once per result card (the hot path of the portal).
    guide_url = reverse("portal:guide", args=["CODE"]).replace("CODE", "{}")
    type_labels = dict(ItemType.choices)
    for e in entries:
        e.url = guide_url.format(e.version.item.key)
        e.type_label = type_labels.get(e.item_type, e.item_type)
    query = request.GET.copy()
    query.pop("page", None)
    return {"entries": entries, "total": total, "pages": _pages(page, total), "query_string": query.urlencode(),
            "suggestions": found.suggestions, "read_as": found.read_as}


@requires(PUBLIC)
def home(request):
    topics = selectors.topics_with_counts()
    home_region = selectors.region_by_code(settings.GOVHALL_HOME_REGION)
    return render(request, "portal/home.html", {
        "person_topics": [t for t in topics if t.audience == TopicAudience.PERSON],
        "enterprise_topics": [t for t in topics if t.audience == TopicAudience.ENTERPRISE],
        "organs": selectors.organs_with_items(home_region).order_by("region_id", "name"),
        "home_region": home_region,
        "regions": selectors.regions_with_counts(selectors.regions_tree()),
    })


@requires(PUBLIC)
@require_http_methods(["GET", "HEAD", "POST"])
def search(request):
    """The search page; a POST with ``q`` is a click on one of its results (sent by govhall.js),
    counted for the query statistics and answered with 204."""
    if request.method == "POST":
        search_stats.record_click(request.POST.get("q", "")[:100])
        return HttpResponse(status=204)
    q = request.GET.get("q", "").strip()[:100]
    region = request.GET.get("region", "").strip() or None
    item_type = request.GET.get("type", "").strip() or None
    topic = request.GET.get("topic", "").strip() or None
    organ_code = request.GET.get("organ", "").strip()
    organ = selectors.organ_by_ref(organ_code) if organ_code else None
    if organ_code and organ is None:
        context = {"entries": [], "total": 0, "pages": _pages(1, 0), "query_string": ""}
    else:
        context = _results(request, q=q, region=region, organ=organ.pk if organ else None,
                           item_type=item_type, topic=topic)
    context.update({
        "q": q, "region": region or "", "item_type": item_type or "", "topic": topic or "", "organ": organ,
        "regions": selectors.regions_tree(), "item_types": ItemType.choices, "topics": selectors.topics(),
    })
    return render(request, "portal/search.html", context)


def _listing(request, obj, key: str, filters: dict, kind: str, **extra):
    """Items of one topic, organ or region; 404 for an unknown one."""
    if obj is None:
        raise Http404(key)
    context = _results(request, **filters)
    context.update({"heading": obj.name, "kind": kind, "subject": obj, **extra})
    return render(request, "portal/listing.html", context)


@requires(PUBLIC)
def topic(request, code: str):
    obj = selectors.topic_by_code(code)
    return _listing(request, obj, code, {"topic": code}, obj and obj.get_audience_display())


@requires(PUBLIC)
def organ(request, credit_code: str):
    obj = selectors.organ_by_ref(credit_code)
    return _listing(request, obj, credit_code, {"organ": obj and obj.pk}, _("Implementing organ"), organ=obj)


@requires(PUBLIC)
def region(request, code: str):
    obj = selectors.region_by_code(code)
    return _listing(request, obj, code, {"region": code}, obj and obj.get_level_display(), region=obj)


@requires(PUBLIC)
def guide(request, implementation_code: str):
    raw_day = request.GET.get("on", "").strip()
    day = None
    if raw_day:
        try:
            if not _ISO_DATE.fullmatch(raw_day):
                raise ValueError(raw_day)
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            return render(request, "portal/bad_date.html", {"value": raw_day[:40]}, status=400)
    try:
        version = selectors.published_version(implementation_code, day)
    except NotFound:
        raise Http404(implementation_code) from None
    today = timezone.localdate()
    history = selectors.version_history(implementation_code)
    item = version.item
    parts = listed_parts(selectors.guide_of(version)) if version.is_listed else {}
    materials = list(version.materials.all())
    once = fetchable_material_counts(materials)
    for m in materials:  # "no need to submit" only where the organ can fetch it here (one answer with the count)
        m.fetched_here = m.pk in once["fetched_ids"]
    return render(request, "portal/guide.html", {
        "v": version,
        "item": version.item,
        "day": day,
        "is_current": version.status_on(today) == "current",
        "history": history,
        "service_objects": _labels(ServiceObject, version.service_objects),
        "online_depth": _labels(OnlineDepth, version.online_depth),
        "handling_forms": _labels(HandlingForm, version.handling_forms),
        "materials": materials,
        "fees": list(version.fees.all()),
        "steps": list(version.steps.all()),
        "special_procedures": list(version.special_procedures.all()),
        "faqs": list(version.faqs.all()),
        "answered_questions": list(feedback_selectors.published_consultations(item.code or item.key)[:50]),
        "joint_organs": list(version.joint_organs.all()),
        "topics": list(version.topics.all()),
        "main_item": selectors.main_item_in_force(item, day),
        "sub_items": selectors.sub_items_in_force(item, day),
        "parts": parts,
        "missing_parts": [{"zh": zh, "en": en} for key, zh, en, _fields in GUIDE_PARTS
                          if version.is_listed and not parts.get(key)],
        "level_published": "level" not in item.derived,
        "application_refusal": selectors.application_refusal(version),
    })
