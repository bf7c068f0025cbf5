"""Read-only helpers for the console pages. Scope always comes from catalog.selectors; nothing here
writes. Each function returns what one page needs, so views stay a single call."""

from __future__ import annotations

import calendar as pycal
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from govhall.catalog import selectors
from govhall.catalog.models import Completeness, ImplementationItem, ItemVersion, Organ, VersionState
from govhall.catalog.permissions import AUDIT_VIEW, CALENDAR_EDIT, ITEM_EDIT, ITEM_PUBLISH, ITEM_VIEW, ONBOARD
from govhall.core import audit, calendar_store
from govhall.core.models import AuditEvent, CalendarDay, CalendarYear
from govhall.core.permissions import has_permission

ITEM_STATES = ("draft", "current", "listed", "scheduled", "retired")


def _state_filters(today: dt.date) -> dict[str, Q]:
    published = Q(state=VersionState.PUBLISHED)
    live = Q(effective_until__isnull=True) | Q(effective_until__gt=today)
    return {
        "draft": Q(state=VersionState.DRAFT),
        "current": published & Q(effective_from__lte=today) & live,
        "listed": published & Q(effective_from__lte=today) & live & Q(completeness=Completeness.LISTED),
        "scheduled": published & Q(effective_from__gt=today),
        "published": published,
    }


def items_with_state(user, today: dt.date | None = None) -> QuerySet[ImplementationItem]:
    """The user's manageable items, each annotated with has_draft / has_current / has_scheduled /
    has_published and ``latest_name`` (name of the newest version), in one query."""
    today = today or timezone.localdate()
    versions = ItemVersion.objects.filter(item=OuterRef("pk"))
    annotations = {f"has_{k}": Exists(versions.filter(q)) for k, q in _state_filters(today).items()}
    latest_name = Subquery(versions.order_by("-number").values("name")[:1])
    return selectors.manageable_items(user).annotate(**annotations, latest_name=latest_name).order_by("key")


def filter_items(qs: QuerySet[ImplementationItem], *, q: str = "", state: str = "",
                 organ: int | None = None) -> QuerySet[ImplementationItem]:
    """``state``: draft = has an open draft; current / scheduled = has such a version;
    retired = was published but has nothing in force or scheduled."""
    if q:
        named = ItemVersion.objects.filter(item=OuterRef("pk"), name__icontains=q)
        qs = qs.filter(Q(key__icontains=q) | Q(code__icontains=q) | Q(local_code__icontains=q) | Exists(named))
    if state in ("draft", "current", "listed", "scheduled"):
        qs = qs.filter(**{f"has_{state}": True})
    elif state == "retired":
        qs = qs.filter(has_published=True, has_current=False, has_scheduled=False)
    if organ:
        qs = qs.filter(organ_id=organ)
    return qs


def organs_in_scope(user) -> QuerySet[Organ]:
    return Organ.objects.filter(pk__in=selectors.manageable_items(user).values("organ_id")).order_by("name")


def item_states(item: ImplementationItem) -> list[str]:
    """Badges of an annotated item, in display order."""
    states = [s for s in ("current", "listed", "scheduled", "draft") if getattr(item, f"has_{s}", False)]
    if item.has_published and not item.has_current and not item.has_scheduled:
        states.insert(0, "retired")
    return states


@dataclass
class Overview:
    can: dict[str, bool]
    item_count: int = 0
    draft_count: int = 0
    next_year: int = 0
    next_year_missing: bool = False


def console_overview(user, today: dt.date | None = None) -> Overview:
    today = today or timezone.localdate()
    can = {"items": has_permission(user, ITEM_VIEW), "edit": has_permission(user, ITEM_EDIT),
           "publish": has_permission(user, ITEM_PUBLISH), "audit": has_permission(user, AUDIT_VIEW),
           "calendar": has_permission(user, CALENDAR_EDIT), "onboard": has_permission(user, ONBOARD)}
    overview = Overview(can=can, next_year=today.year + 1)
    overview.next_year_missing = overview.next_year not in calendar_store.get_calendar().known_years
    if can["items"]:
        items = selectors.manageable_items(user)
        overview.item_count = items.count()
        overview.draft_count = items.filter(versions__state=VersionState.DRAFT).count()
    return overview


@dataclass
class ItemPage:
    item: ImplementationItem
    versions: list[ItemVersion]
    draft: ItemVersion | None
    history: list[AuditEvent]
    today: dt.date
    statuses: list[tuple[ItemVersion, str]] = field(default_factory=list)
    sub_items: list[ImplementationItem] = field(default_factory=list)

    @property
    def current(self) -> ItemVersion | None:
        """The version in force today, if any."""
        return next((v for v, status in self.statuses if status == "current"), None)

    @property
    def name(self) -> str:
        return self.versions[0].name if self.versions else ""

    @property
    def retirable(self) -> bool:
        return any(status in ("current", "scheduled") for _, status in self.statuses)


def item_page(user, code: str, today: dt.date | None = None) -> ItemPage:
    """Everything the item page shows. Raises NotFound outside the user's scope."""
    today = today or timezone.localdate()
    item = selectors.access_item(user, code)
    versions = list(item.versions.select_related("published_by", "created_by").order_by("-number"))
    draft = next((v for v in versions if v.state == VersionState.DRAFT), None)
    history = list(audit.history("catalog.implementationitem", item.pk).select_related("actor"))
    page = ItemPage(item=item, versions=versions, draft=draft, history=history, today=today)
    starts = {v.effective_from for v in versions if v.state != "draft" and v.effective_from}
    # a version that ended because the next one took effect is superseded, not abolished
    page.statuses = [(v, "superseded" if v.status_on(today) == "retired" and v.effective_until in starts
                      else v.status_on(today)) for v in versions]
    page.sub_items = list(item.sub_items.order_by("key"))
    return page


def draft_of(item: ImplementationItem) -> ItemVersion | None:
    return (item.versions.filter(state=VersionState.DRAFT)
            .prefetch_related(*selectors.GUIDE_PREFETCH).first())


def audit_events(*, action: str = "", target: str = "") -> QuerySet[AuditEvent]:
    """Newest first. ``action`` is a prefix (catalog.item.); ``target`` matches the target's id
    exactly, its type exactly, or a part of its label."""
    qs = AuditEvent.objects.order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if target:
        qs = qs.filter(Q(target_id=target) | Q(target_type=target) | Q(target_label__icontains=target))
    return qs


@dataclass
class CalendarMonth:
    number: int
    weeks: list[list[dict | None]]


@dataclass
class CalendarPage:
    year: int
    known: bool
    source: str
    months: list[CalendarMonth]
    holidays: list[tuple[dt.date, str]]
    make_up_days: list[tuple[dt.date, str]]
    known_years: list[int]


def calendar_page(year: int) -> CalendarPage:
    """A year's days as month grids (Monday first). Holidays are weekdays off (and weekend days
    named as part of a holiday), make-up days are weekend days that work; both are empty when the
    year has not been entered."""
    entry = CalendarYear.objects.filter(year=year).first()
    days = {d.date: d for d in CalendarDay.objects.filter(date__year=year)} if entry else {}
    holidays, make_up, months = [], [], []
    for month in range(1, 13):
        weeks = []
        for week in pycal.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                weekend = day.weekday() >= 5
                stored = days.get(day)
                kind, note = "unknown", stored.note if stored else ""
                if stored is not None and stored.is_working:
                    kind = "make_up" if weekend else "working"
                elif stored is not None:  # a weekend inside a named holiday counts as part of it
                    kind = "holiday" if not weekend or note else "weekend"
                if kind == "holiday":
                    holidays.append((day, note))
                elif kind == "make_up":
                    make_up.append((day, note))
                row.append({"date": day, "kind": kind, "note": note})
            weeks.append(row)
        months.append(CalendarMonth(month, weeks))
    known_years = sorted(CalendarYear.objects.values_list("year", flat=True))
    return CalendarPage(year=year, known=entry is not None, source=entry.source if entry else "", months=months,
                        holidays=holidays, make_up_days=make_up, known_years=known_years)
