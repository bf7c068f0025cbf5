"""Working days as the Licensing Law counts them, on the official calendar (tables of real weeks)."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from govhall.core import calendar_store
from govhall.core.calendar import CalendarYearUnknown, WorkCalendar

D = dt.date


@pytest.fixture
def cal(db):
    return calendar_store.get_calendar()


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # National Day 2026: Oct 1-7 off, Sep 20 (Sun) and Oct 10 (Sat) are make-up working days.
        (D(2026, 9, 29), 5, D(2026, 10, 12)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 10, 9), 1, D(2026, 10, 10)),   # a Saturday make-up day counts
        (D(2026, 9, 18), 1, D(2026, 9, 20)),    # a Sunday make-up day counts
        # Spring Festival 2026: Feb 15-23 off; Feb 14 (Sat) and Feb 28 (Sat) make-up days.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        # Start day not counted, even if it is a holiday or weekend.
        (D(2026, 10, 3), 1, D(2026, 10, 8)),
        (D(2026, 11, 21), 1, D(2026, 11, 23)),  # Saturday start → Monday
        (D(2026, 11, 23), 20, D(2026, 12, 21)),  # Licensing Law Art. 42: 20 days
        (D(2024, 12, 30), 2, D(2025, 1, 2)),     # across a year end, New Year's Day off
        (D(2026, 5, 8), 0, D(2026, 5, 8)),
    ],
)
def test_add_working_days(cal, start, n, due):
    assert cal.add_working_days(start, n) == due


@pytest.mark.parametrize(
    ("a", "b", "days"),
    [
        (D(2026, 9, 29), D(2026, 10, 12), 5),
        (D(2026, 10, 1), D(2026, 10, 7), 0),
        (D(2026, 10, 12), D(2026, 9, 29), -5),
        (D(2026, 11, 20), D(2026, 11, 20), 0),
    ],
)
def test_working_days_between(cal, a, b, days):
    assert cal.working_days_between(a, b) == days


def test_a_year_without_data_is_an_explicit_error_never_a_guess(cal):
    with pytest.raises(CalendarYearUnknown) as exc:
        cal.add_working_days(D(2026, 12, 25), 10)
    assert exc.value.year == 2027
    with pytest.raises(CalendarYearUnknown):
        cal.working_days_between(D(2026, 12, 1), D(2027, 1, 5))
    with pytest.raises(CalendarYearUnknown):
        cal.add_working_days(D(2003, 12, 30), 1)


def test_negative_periods_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(D(2026, 1, 5), -1)


def test_pure_calendar_from_any_source():
    year = [D(2030, 1, 1) + dt.timedelta(i) for i in range(365)]
    cal = WorkCalendar.from_days({d: d.weekday() < 5 for d in year})
    assert cal.add_working_days(D(2030, 1, 4), 1) == D(2030, 1, 7)  # Friday → Monday


def test_the_due_command_prints_the_date(cal, capsys):
    call_command("calendar", "due", "2026-09-29", "5")
    assert capsys.readouterr().out.strip() == "2026-10-12"
    with pytest.raises(CommandError, match="2027"):
        call_command("calendar", "due", "2026-12-25", "10")
    with pytest.raises(CommandError):
        call_command("calendar", "due", "29/09/2026", "5")


def test_an_administrator_enters_next_years_schedule_and_it_is_audited(cal, system_admin,
                                                                     django_capture_on_commit_callbacks):
    from govhall.core.models import AuditEvent

    holidays = {D(2027, 1, 1), *(D(2027, 10, d) for d in range(1, 8))}
    make_up = {D(2027, 9, 26)}  # a Sunday
    with django_capture_on_commit_callbacks(execute=True):
        calendar_store.calendar_year_set(actor=system_admin, year=2027, non_working=holidays,
                                         extra_working=make_up, notes={D(2027, 10, 1): "国庆节"},
                                         source="国办发明电〔2026〕X号")
    fresh = calendar_store.get_calendar()
    assert fresh.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert fresh.is_working(D(2027, 9, 26))
    assert fresh.add_working_days(D(2027, 9, 30), 1) == D(2027, 10, 8)
    event = AuditEvent.objects.get(action="core.calendar.year_set")
    assert event.actor == system_admin


def test_entering_a_schedule_without_a_source_saves_nothing(cal, system_admin):
    from govhall.core.errors import DomainError
    from govhall.core.models import CalendarYear

    with pytest.raises(DomainError):
        calendar_store.calendar_year_set(actor=system_admin, year=2027, non_working=set(), extra_working=set(),
                                         notes={}, source=" ")
    assert not CalendarYear.objects.filter(year=2027).exists()
