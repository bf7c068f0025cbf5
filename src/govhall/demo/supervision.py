"""Demo of electronic supervision (demo mode only): one overdue case, so that the dashboard shows a
red and a yellow warning at start-up.

The case is made through the case services like the other demo cases (张三's food business licence,
accepted), then **back-dated** by 12 working days: receipt, acceptance, the clock start, the first
step and the case's timeline move back, and its due dates are computed again by the case clock
(promised 5, legal 10 working days). The audit chain keeps the true times. Then the scan runs: the
legal limit exceeded (T04, 红牌), the promised limit and the step limit exceeded (T03, T02, 黄牌).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from govhall.cases import clock
from govhall.cases import services as cases
from govhall.cases.models import Case, CaseEvent, CaseStep
from govhall.core.calendar import CalendarYearUnknown
from govhall.core.calendar_store import get_calendar
from govhall.identity.models import User

BACK_WORKING_DAYS = 12


def _working_days_back(today: dt.date, n: int) -> dt.date | None:
    cal = get_calendar()
    day, left = today, n
    try:
        while left:
            day -= dt.timedelta(days=1)
            if cal.is_working(day):
                left -= 1
    except CalendarYearUnknown:
        return None
    return day


@transaction.atomic
def create_demo_supervision() -> dict[str, int]:
    from govhall.demo.cases import FOOD_LICENCE, _apply, _item
    from govhall.supervision import services

    today = timezone.localdate()
    start = _working_days_back(today, BACK_WORKING_DAYS)
    if start is None:  # the calendar of last year is not entered: no back-dating, no guessing
        return {"supervision_warnings": services.scan().as_dict()["raised"]}
    citizen = User.objects.get(username="citizen")
    window = User.objects.get(username="window_officer")
    case = _apply(citizen, _item(FOOD_LICENCE), "逾期演示")
    cases.case_accept(actor=window, case=case)
    delta = today - start
    case = Case.objects.get(pk=case.pk)
    case.received_at -= delta
    case.last_received_on = start
    case.acceptance_due = clock.acceptance_due(get_calendar(), start)
    case.accepted_on = case.clock_start = start
    current = cases.clock_of(case, today)
    case.due_date, case.legal_due_date = current.promised_due, current.legal_due
    case.queue_due = case.due_date
    case.save(update_fields=["received_at", "last_received_on", "acceptance_due", "accepted_on", "clock_start",
                             "due_date", "legal_due_date", "queue_due"])
    case.application.__class__.objects.filter(pk=case.application_id).update(submitted_at=F("submitted_at") - delta)
    CaseStep.objects.filter(case=case, started_at__isnull=False).update(started_at=F("started_at") - delta)
    CaseEvent.objects.filter(case=case).update(at=F("at") - delta)
    out = services.scan(today=today)
    return {"supervision_warnings": len(out.raised)}
