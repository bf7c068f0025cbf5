import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from govhall.core import calendar_store
from govhall.core.calendar import CalendarYearUnknown


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD: {value!r}") from exc


class Command(BaseCommand):
    help = "Working-day calendar: 'due START N' prints the date N working days after START; 'between A B'."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="date N working days after START (START itself not counted)")
        due.add_argument("start")
        due.add_argument("n", type=int)
        between = sub.add_parser("between", help="working days after A up to and including B")
        between.add_argument("a")
        between.add_argument("b")
        sub.add_parser("years", help="years whose official schedule is loaded")

    def handle(self, *args, **options):
        try:
            if options["action"] == "due":
                if options["n"] < 0:
                    raise CommandError("N 不能为负数 / N must not be negative")
                self.stdout.write(calendar_store.add_working_days(_date(options["start"]), options["n"]).isoformat())
            elif options["action"] == "between":
                self.stdout.write(str(calendar_store.working_days_between(_date(options["a"]), _date(options["b"]))))
            else:
                years = sorted(calendar_store.get_calendar().known_years)
                self.stdout.write(f"{years[0]}-{years[-1]}" if years else "none")
        except CalendarYearUnknown as exc:
            raise CommandError(str(exc)) from exc
