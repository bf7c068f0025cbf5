"""Working-day arithmetic as the Administrative Licensing Law counts it (Art. 82).

Pure functions over a ``WorkCalendar`` value: the start day is not counted, official make-up
working days (调休) count, statutory holidays and ordinary weekends do not. A date in a year whose
official schedule is not loaded raises ``CalendarYearUnknown``: the clock never guesses.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from .errors import DomainError, Problem


class CalendarYearUnknown(DomainError):
    def __init__(self, year: int):
        self.year = year
        super().__init__([Problem(
            "calendar.year_unknown",
            f"{year} 年的法定节假日安排尚未录入，无法计算工作日",
            f"the official holiday schedule for {year} has not been entered; working days cannot be computed",
            "date",
        )])


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of the known years, sorted. Built from the calendar table (or any other source)."""

    working_days: tuple[dt.date, ...]
    known_years: frozenset[int]

    @classmethod
    def from_days(cls, days: dict[dt.date, bool]) -> WorkCalendar:
        return cls(tuple(sorted(d for d, working in days.items() if working)), frozenset(d.year for d in days))

    def _check(self, a: dt.date, b: dt.date | None = None) -> None:
        """Raise CalendarYearUnknown for the first year from ``a`` to ``b`` without a schedule.
        Hot path of every deadline: one set lookup when both dates fall in one year."""
        first, last = a.year, a.year if b is None else b.year
        if first == last:
            if first not in self.known_years:
                raise CalendarYearUnknown(first)
            return
        for year in range(min(first, last), max(first, last) + 1):
            if year not in self.known_years:
                raise CalendarYearUnknown(year)

    def is_working(self, day: dt.date) -> bool:
        self._check(day)
        i = bisect_right(self.working_days, day)
        return i > 0 and self.working_days[i - 1] == day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date on which a period of ``n`` working days that begins on ``start`` ends."""
        if n < 0:
            raise ValueError("n must not be negative")
        self._check(start)
        if n == 0:
            return start
        i = bisect_right(self.working_days, start) + n - 1
        if i >= len(self.working_days):
            raise CalendarYearUnknown(max(self.known_years) + 1)
        end = self.working_days[i]
        if end.year != start.year:
            self._check(start, end)
        return end

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``."""
        self._check(a, b)
        return bisect_right(self.working_days, b) - bisect_right(self.working_days, a)


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def official_days(first_year: int, last_year: int) -> dict[dt.date, tuple[bool, str]]:
    """Every day of the years, working or not, with a note, from the ``chinese-calendar`` package."""
    import chinese_calendar

    days: dict[dt.date, tuple[bool, str]] = {}
    day = dt.date(first_year, 1, 1)
    while day.year <= last_year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        working = not on_holiday
        note = ""
        if name:
            zh = HOLIDAY_NAMES_ZH.get(name, name)
            note = zh if on_holiday else f"{zh}调休上班"
        days[day] = (working, note)
        day += dt.timedelta(days=1)
    return days
