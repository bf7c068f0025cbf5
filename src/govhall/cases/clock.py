"""The working-day clock of a case: pure functions of dates, limits and paused intervals.

Legal basis (Administrative Licensing Law; DOMAIN.md §2):

- Art. 82: periods are counted in working days, with the official holidays and make-up working days.
- Art. 32: the organ decides on acceptance or tells the applicant everything to correct within 5
  working days of receiving the materials; if it does not, the application counts as accepted from
  the day the materials were received. ``acceptance_due`` gives that day; a case accepted
  after it (or by the hourly rule in tasks.py) starts its clock on the day of receipt.
- Art. 42: the decision is due within the legal limit (20; joint handling 45) counted from acceptance,
  plus an approved extension (10; joint 15). The platform runs on the item's shorter promised limit
  and reports the legal one beside it; an approved extension moves both.
- Art. 45: time spent on hearings, inspection, testing, quarantine, appraisal and expert review is
  not counted. A special procedure that starts on day S and ends on day E stops the clock for the
  working days after S up to and including E. While it is still running, it is assumed to take the
  duration the applicant was told (or until today, if that is later), so every page shows the same
  projected date and says that it is projected.

Every page, the API, the workbench and supervision read due dates from ``compute``; nothing else
adds working days to a case's dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from govhall.core.calendar import CalendarYearUnknown, WorkCalendar

ACCEPTANCE_DAYS = 5  # Art. 32
EXTENSION_DAYS = 10  # Art. 42, + 10 with the organ head's approval
JOINT_LEGAL_DAYS = 45  # Art. 42, joint, unified or centralised handling
JOINT_EXTENSION_DAYS = 15


@dataclass(frozen=True)
class Pause:
    started_on: dt.date
    ended_on: dt.date | None
    expected_days: int


@dataclass(frozen=True)
class Clock:
    start: dt.date
    promised_due: dt.date | None
    legal_due: dt.date | None
    paused_days: int
    running: bool
    projected: bool
    unknown_year: int | None = None  # set when a due date falls in a year whose calendar is not entered


def acceptance_due(cal: WorkCalendar, received_on: dt.date) -> dt.date:
    """Last day to accept, refuse or send the correction notice (Art. 32)."""
    return cal.add_working_days(received_on, ACCEPTANCE_DAYS)


def extension_limit(joint: bool) -> int:
    return JOINT_EXTENSION_DAYS if joint else EXTENSION_DAYS


def legal_limit(legal_days: int | None, joint: bool) -> int | None:
    """The item's legal limit; joint handling has at least the 45 days of Art. 42."""
    if joint:
        return max(legal_days or 0, JOINT_LEGAL_DAYS)
    return legal_days


def paused_working_days(cal: WorkCalendar, pauses: Iterable[Pause], today: dt.date) -> tuple[int, bool]:
    """Working days not counted, and whether an open pause was projected to its expected end."""
    total, projected = 0, False
    for pause in pauses:
        end = pause.ended_on
        if end is None:
            projected = True
            end = max(today, cal.add_working_days(pause.started_on, pause.expected_days))
        total += max(0, cal.working_days_between(pause.started_on, end))
    return total, projected


def compute(cal: WorkCalendar, *, start: dt.date, promised_days: int | None, legal_days: int | None,
            extension_days: int = 0, pauses: Iterable[Pause] = (), today: dt.date) -> Clock:
    """Due dates of a case accepted (or deemed accepted) on ``start``.

    A due date that falls in a year whose official schedule is not entered is None, and
    ``unknown_year`` names the year: the clock never guesses a holiday schedule.
    """
    pauses = list(pauses)
    unknown: list[int] = []

    def due(days: int | None, extra: int) -> dt.date | None:
        if not days:
            return None
        try:
            return cal.add_working_days(start, days + extra)
        except CalendarYearUnknown as exc:
            unknown.append(exc.year)
            return None

    try:
        paused, projected = paused_working_days(cal, pauses, today)
    except CalendarYearUnknown as exc:
        return Clock(start, None, None, 0, all(p.ended_on for p in pauses), True, exc.year)
    extra = extension_days + paused
    promised_due, legal_due = due(promised_days, extra), due(legal_days, extra)
    running = not any(p.ended_on is None for p in pauses)
    return Clock(start, promised_due, legal_due, paused, running, projected, min(unknown) if unknown else None)


def remaining_working_days(cal: WorkCalendar, today: dt.date, due: dt.date) -> int:
    """Working days left until ``due`` (0 on the day itself, negative when overdue)."""
    return cal.working_days_between(today, due)


def warning_level(cal: WorkCalendar, today: dt.date, due: dt.date | None) -> str:
    """'overdue', 'red' (due today or tomorrow), 'yellow' (within 3 working days) or 'green'."""
    if due is None:
        return "green"
    left = remaining_working_days(cal, today, due)
    if left < 0:
        return "overdue"
    if left <= 1:
        return "red"
    if left <= 3:
        return "yellow"
    return "green"
