"""The working-day clock against the official 2026 calendar (National Day: 10-01..10-07 off,
Saturday 10-10 is a make-up working day; Dragon Boat Festival: Friday 06-19 off)."""

import datetime as dt

import pytest

from govhall.cases import clock
from govhall.core.calendar import WorkCalendar, official_days

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar.from_days({d: w for d, (w, _) in official_days(2026, 2026).items()})


def test_acceptance_window_is_five_working_days_over_national_day(cal):
    # received Tue 09-29: 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12
    assert clock.acceptance_due(cal, D(2026, 9, 29)) == D(2026, 10, 12)


def test_promised_and_legal_due_dates(cal):
    c = clock.compute(cal, start=D(2026, 6, 1), promised_days=10, legal_days=20, today=D(2026, 6, 1))
    assert c.promised_due == D(2026, 6, 15)  # Dragon Boat 06-19 not reached
    assert c.legal_due == D(2026, 6, 30)     # 06-19 is a holiday: one day later than a plain count
    assert c.running and not c.projected and c.paused_days == 0


def test_ended_special_procedure_moves_due_date_by_its_working_days(cal):
    # a site check from Mon 06-08 to Fri 06-12 stops the clock for 06-09..06-12: 4 working days
    pause = clock.Pause(D(2026, 6, 8), D(2026, 6, 12), 5)
    c = clock.compute(cal, start=D(2026, 6, 1), promised_days=10, legal_days=20, pauses=[pause],
                      today=D(2026, 6, 15))
    assert c.paused_days == 4
    assert c.promised_due == D(2026, 6, 22)  # 06-15 + 4 working days, skipping the 06-19 holiday
    assert c.running


def test_open_special_procedure_is_projected_to_its_expected_end(cal):
    pause = clock.Pause(D(2026, 6, 8), None, 5)
    early = clock.compute(cal, start=D(2026, 6, 1), promised_days=10, legal_days=20, pauses=[pause],
                          today=D(2026, 6, 9))
    assert not early.running and early.projected and early.paused_days == 5
    # once it runs past the expected end, every further working day is paused as well
    late = clock.compute(cal, start=D(2026, 6, 1), promised_days=10, legal_days=20, pauses=[pause],
                         today=D(2026, 6, 24))
    assert late.paused_days == cal.working_days_between(D(2026, 6, 8), D(2026, 6, 24))
    assert late.promised_due > early.promised_due


def test_extension_adds_working_days_to_both_limits(cal):
    plain = clock.compute(cal, start=D(2026, 6, 1), promised_days=10, legal_days=20, today=D(2026, 6, 1))
    extended = clock.compute(cal, start=D(2026, 6, 1), promised_days=10, legal_days=20, extension_days=10,
                             today=D(2026, 6, 1))
    assert cal.working_days_between(plain.promised_due, extended.promised_due) == 10
    assert cal.working_days_between(plain.legal_due, extended.legal_due) == 10


def test_joint_handling_limits():
    assert clock.legal_limit(20, joint=True) == 45
    assert clock.legal_limit(60, joint=True) == 60
    assert clock.legal_limit(20, joint=False) == 20
    assert clock.extension_limit(True) == 15 and clock.extension_limit(False) == 10


def test_unknown_year_gives_no_date_rather_than_a_guess(cal):
    c = clock.compute(cal, start=D(2026, 12, 1), promised_days=10, legal_days=45, today=D(2026, 12, 1))
    assert c.promised_due == D(2026, 12, 15)
    assert c.legal_due is None and c.unknown_year == 2027


def test_warning_levels(cal):
    today = D(2026, 6, 1)
    assert clock.warning_level(cal, today, D(2026, 5, 29)) == "overdue"
    assert clock.warning_level(cal, today, D(2026, 6, 2)) == "red"
    assert clock.warning_level(cal, today, D(2026, 6, 4)) == "yellow"
    assert clock.warning_level(cal, today, D(2026, 6, 12)) == "green"
