"""The calendar table as a WorkCalendar, cached per process and refreshed when an editor saves."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction

from . import audit
from .calendar import WorkCalendar
from .errors import DomainError
from .models import CalendarDay, CalendarYear

_CACHE_KEY = "govhall.calendar.v1"
_local: dict[str, tuple[int, WorkCalendar]] = {}


def _version() -> int:
    return cache.get_or_set(_CACHE_KEY, 1, None)


def get_calendar() -> WorkCalendar:
    version = _version()
    cached = _local.get("cal")
    if cached and cached[0] == version:
        return cached[1]
    known = set(CalendarYear.objects.values_list("year", flat=True))
    working = CalendarDay.objects.filter(is_working=True).values_list("date", flat=True).order_by("date")
    calendar = WorkCalendar(tuple(d for d in working if d.year in known), frozenset(known))
    _local["cal"] = (version, calendar)
    return calendar


def invalidate() -> None:
    try:
        cache.incr(_CACHE_KEY)
    except ValueError:
        cache.set(_CACHE_KEY, 2, None)
    _local.clear()


def add_working_days(start: dt.date, n: int) -> dt.date:
    return get_calendar().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    return get_calendar().working_days_between(a, b)


@transaction.atomic
def calendar_year_set(*, actor, year: int, non_working: set[dt.date], extra_working: set[dt.date],
                      notes: dict[dt.date, str], source: str) -> CalendarYear:
    """Enter (or replace) a year's official schedule.

    ``non_working`` are the statutory holidays on weekdays, ``extra_working`` the make-up working
    days on weekends; every other weekday works. Audit: core.calendar.year_set.
    """
    if not (2000 <= year <= 2100):
        raise DomainError.single("calendar.year", "年份超出范围", "year out of range", "year")
    outside = [d for d in non_working | extra_working if d.year != year]
    if outside:
        raise DomainError.single("calendar.date_outside_year", f"日期 {outside[0]} 不属于 {year} 年",
                                 f"date {outside[0]} is not in {year}", "dates")
    if not source.strip():
        raise DomainError.single("calendar.source_required", "请填写依据（如国务院办公厅通知文号）",
                                 "give the source (e.g. the State Council notice number)", "source")
    before = {"working_days": CalendarDay.objects.filter(date__year=year, is_working=True).count()}
    CalendarDay.objects.filter(date__year=year).delete()
    rows, day = [], dt.date(year, 1, 1)
    while day.year == year:
        weekday = day.weekday() < 5
        working = (weekday and day not in non_working) or day in extra_working
        rows.append(CalendarDay(date=day, is_working=working, note=notes.get(day, "")))
        day += dt.timedelta(days=1)
    CalendarDay.objects.bulk_create(rows)
    entry, _ = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    audit.record(actor=actor, action="core.calendar.year_set", target=entry, before=before,
                 after={"working_days": sum(r.is_working for r in rows),
                        "holidays": sorted(non_working), "make_up_days": sorted(extra_working)},
                 reason=source)
    transaction.on_commit(invalidate)
    return entry
