from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import DomainError
from govhall.demo import luan

DEMO_SETS = ("luan", "guangan")


class Command(BaseCommand):
    help = ("Load a demo data set into an empty database (demo mode only): luan (Anhui, Lu'an; the "
            "default) or guangan (Sichuan, Guang'an district's real published list). Default: GOVHALL_DEMO_SET.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])
        parser.add_argument("--if-empty", action="store_true",
                            help="load only into an empty database; say so and do nothing otherwise")
        parser.add_argument("--set", dest="demo_set", choices=DEMO_SETS, default=None,
                            help="which demo data set (default: GOVHALL_DEMO_SET, else luan)")

    def handle(self, *args, **options):
        if not settings.GOVHALL_DEMO:
            raise CommandError("演示模式未开启（GOVHALL_DEMO） / demo mode is off (GOVHALL_DEMO)")
        demo_set = options["demo_set"] or settings.GOVHALL_DEMO_SET
        if demo_set not in DEMO_SETS:
            raise CommandError(f"未知的演示数据 / unknown demo set {demo_set!r} (choose {', '.join(DEMO_SETS)})")
        if not luan.database_is_empty():
            if options["if_empty"]:
                return
            raise CommandError("数据库非空，未载入演示数据 / the database is not empty; demo data not loaded")
        if options["if_empty"]:
            self.stdout.write("空数据库：载入演示数据 / empty database: loading the demo data")
        try:
            if demo_set == "guangan":
                from govhall.demo import guangan

                counts = guangan.load()
            else:
                counts = luan.load()
        except DomainError as exc:
            raise CommandError(f"演示数据有误 / demo data invalid: {exc}") from exc
        from govhall.core import events

        # what the demo's events set off (e.g. archiving the closed cases) is done before the site opens
        counts["event deliveries"] = events.drain()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
