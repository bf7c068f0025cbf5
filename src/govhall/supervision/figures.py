"""Efficiency figures (效能) per organ, item and staff member, per month and quarter, and the quarterly
grade of each organ (优秀/良好/合格/不合格), pre-aggregated into ``Figure`` rows by the full scan.

A case counts in the period of each of its moments: *received* and *online* (any channel but the
window) and *corrections* in the month of receipt; *accepted* and *deemed* (Art. 32) in the month of
acceptance; *finished*, *on time* / *late* (decision on or before the promised date) and the working
days used (clock start to decision, special procedures not counted) in the month of the decision.
Warnings count in the month they were raised; materials fetched instead of uploaded (the sharing
figures) in the month the application was submitted. The staff dimension is the case's assignee.

The grade: a weighted score (0-100) of the organ's quarter, weights and thresholds from
``GOVHALL_SUPERVISION_GRADING`` (defaults below): on-time rate, warnings (red counts 1, yellow 0.5,
per finished case), correction rate (lower is better), online rate, deemed acceptances (lower is
better). A quarter without cases has no grade.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from govhall.cases.models import Application, ApplicationMaterial
from govhall.catalog.models import ImplementationItem, Organ
from govhall.core.calendar import CalendarYearUnknown, WorkCalendar
from govhall.identity.models import User

from .models import Figure, Warning
from .rules import CaseFacts

DEFAULT_GRADING = {
    "weights": {"on_time": 40, "warnings": 25, "corrections": 10, "online": 15, "deemed": 10},
    "thresholds": [[90, "优秀"], [80, "良好"], [60, "合格"]],
    "fail": "不合格",
}
COUNTS = ("received", "accepted", "finished", "on_time", "late", "corrections", "deemed", "online", "fetched",
          "uploaded", "notices", "yellow", "red")


def month(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def quarter(d: dt.date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def periods(d: dt.date) -> tuple[str, str]:
    return month(d), quarter(d)


class Bucket:
    __slots__ = ("organ_id", "region_code", "counts", "days", "promised")

    def __init__(self, organ_id: int, region_code: str):
        self.organ_id, self.region_code = organ_id, region_code
        self.counts = Counter()
        self.days = Counter()  # working days used → cases (exact p90 without keeping every value)
        self.promised = 0


def previous_quarter_start(day: dt.date) -> dt.date:
    first_month = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first_month, 1)
    return dt.date(start.year - 1, 10, 1) if first_month == 1 else dt.date(start.year, first_month - 3, 1)


class Accumulator:
    """Buckets per (period, dimension, key). With ``first_day`` only the periods from that day on
    (a quarter's first day) are accumulated and rewritten; older rows stay."""

    def __init__(self, cal: WorkCalendar, first_day: dt.date | None = None):
        self.cal = cal
        self.first_day = first_day
        self.buckets: dict[tuple[str, str, str], Bucket] = {}

    def _targets(self, f: CaseFacts, day: dt.date):
        if self.first_day is not None and day < self.first_day:
            return
        keys = [("organ", str(f.organ_id)), ("item", str(f.item_id))]
        if f.assignee_id:
            keys.append(("staff", str(f.assignee_id)))
        for p in periods(day):
            for dim, key in keys:
                b = self.buckets.get((p, dim, key))
                if b is None:
                    b = self.buckets[(p, dim, key)] = Bucket(f.organ_id, f.region_code)
                yield b

    def add_cases(self, facts: list[CaseFacts]) -> None:
        for f in facts:
            if f.received_on:
                online = f.channel != "window"
                corrected = f.correction_notices > 0
                for b in self._targets(f, f.received_on):
                    b.counts["received"] += 1
                    if online:
                        b.counts["online"] += 1
                    if corrected:
                        b.counts["corrections"] += 1
            if f.accepted_on:
                for b in self._targets(f, f.accepted_on):
                    b.counts["accepted"] += 1
                    if f.acceptance_deemed:
                        b.counts["deemed"] += 1
            if f.decided_on:
                used = None
                if f.clock_start:
                    try:
                        used = self.cal.working_days_between(f.clock_start, f.decided_on)
                        for p in f.pauses:
                            end = min(p.ended_on or f.decided_on, f.decided_on)
                            if end > p.started_on:
                                used -= self.cal.working_days_between(p.started_on, end)
                        used = max(used, 0)
                    except CalendarYearUnknown:
                        used = None
                on_time = f.due_date is None or f.decided_on <= f.due_date
                for b in self._targets(f, f.decided_on):
                    b.counts["finished"] += 1
                    b.counts["on_time" if on_time else "late"] += 1
                    if used is not None:
                        b.days[used] += 1
                        b.promised += f.promised_days or 0


def _p90(hist: Counter) -> int | None:
    n = sum(hist.values())
    if not n:
        return None
    rank, seen = math.ceil(0.9 * n), 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return None


def grading() -> dict:
    custom = getattr(settings, "GOVHALL_SUPERVISION_GRADING", None) or {}
    return {**DEFAULT_GRADING, **custom, "weights": {**DEFAULT_GRADING["weights"], **custom.get("weights", {})}}


def grade(counts: dict, config: dict | None = None) -> tuple[float | None, str]:
    """Score 0-100 and grade of one organ's quarter (``counts``: the Figure's counters)."""
    config = config or grading()
    received, finished = counts.get("received", 0), counts.get("finished", 0)
    if not received and not finished:
        return None, ""
    base = max(finished, 1)
    indicators = {
        "on_time": counts.get("on_time", 0) / finished if finished else 1.0,
        "warnings": max(0.0, 1 - (counts.get("red", 0) + 0.5 * counts.get("yellow", 0)) / base),
        "corrections": 1 - counts.get("corrections", 0) / received if received else 1.0,
        "online": counts.get("online", 0) / received if received else 1.0,
        "deemed": 1 - min(1.0, counts.get("deemed", 0) / max(counts.get("accepted", 0), 1)),
    }
    weights = config["weights"]
    total = sum(weights.values()) or 1
    score = round(100 * sum(weights.get(k, 0) * v for k, v in indicators.items()) / total, 1)
    for threshold, name in sorted(config["thresholds"], key=lambda t: -t[0]):
        if score >= threshold:
            return score, name
    return score, config["fail"]


def _labels(keys: dict[str, set[str]]) -> dict[tuple[str, str], str]:

    out = {}
    for pk, name in Organ.objects.filter(pk__in=keys["organ"]).values_list("pk", "name"):
        out[("organ", str(pk))] = name
    for pk, name, code in (ImplementationItem.objects.filter(pk__in=keys["item"])
                           .values_list("pk", "catalog_item__name", "key")):
        out[("item", str(pk))] = name or code
    for pk, username, display in User.objects.filter(pk__in=keys["staff"]).values_list("pk", "username",
                                                                                     "display_name"):
        out[("staff", str(pk))] = display or username
    return out


def _add_warnings(acc: Accumulator) -> None:
    from .rules import LEVEL_RANK  # noqa: F401

    tz = timezone.get_current_timezone()
    qs = Warning.objects.filter(case__isnull=False)
    if acc.first_day is not None:
        qs = qs.filter(raised_at__date__gte=acc.first_day)
    rows = (qs
            .annotate(m=TruncMonth("raised_at", tzinfo=tz))
            .values("m", "organ_id", "region_code", "case__item_id", "responsible_id", "level")
            .annotate(n=Count("pk")))
    field = {"notice": "notices", "yellow": "yellow", "red": "red"}
    for r in rows:
        day = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
        keys = [("organ", str(r["organ_id"])), ("item", str(r["case__item_id"]))]
        if r["responsible_id"]:
            keys.append(("staff", str(r["responsible_id"])))
        for p in periods(day):
            for dim, key in keys:
                b = acc.buckets.get((p, dim, key))
                if b is None:
                    b = acc.buckets[(p, dim, key)] = Bucket(r["organ_id"], r["region_code"])
                b.counts[field[r["level"]]] += r["n"]


def _add_materials(acc: Accumulator) -> None:

    status = ApplicationMaterial.Status
    tz = timezone.get_current_timezone()
    qs = ApplicationMaterial.objects.filter(application__state=Application.State.SUBMITTED,
                                            status__in=[status.TO_FETCH, status.UPLOADED])
    if acc.first_day is not None:
        qs = qs.filter(application__submitted_at__date__gte=acc.first_day)
    rows = (qs
            .annotate(m=TruncMonth("application__submitted_at", tzinfo=tz))
            .values("m", "application__item_id", "application__item__organ_id",
                    "application__item__organ__region_id")
            .annotate(fetched=Count("pk", filter=Q(status=status.TO_FETCH)),
                      uploaded=Count("pk", filter=Q(status=status.UPLOADED))))
    for r in rows:
        if r["m"] is None:
            continue
        day = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
        organ = r["application__item__organ_id"]
        for p in periods(day):
            for dim, key in (("organ", str(organ)), ("item", str(r["application__item_id"]))):
                b = acc.buckets.get((p, dim, key))
                if b is None:
                    b = acc.buckets[(p, dim, key)] = Bucket(organ, r["application__item__organ__region_id"])
                b.counts["fetched"] += r["fetched"]
                b.counts["uploaded"] += r["uploaded"]


@transaction.atomic
def refresh(acc: Accumulator, *, today: dt.date | None = None) -> int:
    """Replace the figures with the accumulated ones (warnings and materials added here)."""
    _add_warnings(acc)
    _add_materials(acc)
    keys: dict[str, set[str]] = defaultdict(set)
    for _p, dim, key in acc.buckets:
        keys[dim].add(key)
    labels = _labels(keys)
    config = grading()
    now = timezone.now()
    rows = []
    for (period, dim, key), b in acc.buckets.items():
        n = sum(b.days.values())
        fig = Figure(period=period, dimension=dim, key=key, organ_id=b.organ_id, region_code=b.region_code or "",
                     label=labels.get((dim, key), key)[:200], computed_at=now,
                     avg_days=round(sum(v * c for v, c in b.days.items()) / n, 2) if n else None,
                     p90_days=_p90(b.days), avg_promised=round(b.promised / n, 2) if n else None,
                     **{c: b.counts.get(c, 0) for c in COUNTS})
        if dim == "organ" and "Q" in period:
            fig.score, fig.grade = grade(b.counts, config)
        rows.append(fig)
    if acc.first_day is None:
        Figure.objects.all().delete()
    else:
        Figure.objects.filter(Q(period__contains="-", period__gte=month(acc.first_day))
                              | Q(period__contains="Q", period__gte=quarter(acc.first_day))).delete()
    _insert(rows)
    return len(rows)


def _insert(rows: list[Figure]) -> None:
    """One prepared INSERT for every row (the ORM's bulk_create prepares each value in Python: ten
    times slower for the tens of thousands of rows of a large platform)."""
    from django.db import connection

    fields = [f for f in Figure._meta.concrete_fields if not f.primary_key]
    # table and column names come from the model; every value is a parameter
    table = connection.ops.quote_name(Figure._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
    if not rows:
        return
    prep = {f.attname: (lambda v: v) for f in fields}
    for f in fields:
        if f.get_internal_type() == "DateTimeField":
            prep[f.attname] = lambda v, f=f: f.get_db_prep_save(v, connection)
    params = [[prep[f.attname](getattr(r, f.attname)) for f in fields] for r in rows]
    with connection.cursor() as cursor:
        for i in range(0, len(params), 5000):
            cursor.executemany(sql, params[i:i + 5000])
