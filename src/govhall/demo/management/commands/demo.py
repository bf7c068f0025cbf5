from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import DomainError
from govhall.demo import catalog as demo

DEMO_SETS = ("luan", "guangan")


class Command(BaseCommand):
    help = ("Load a demo data set into an empty database (demo mode only): luan (Anhui, Lu'an; the "
            "default) or guangan (Sichuan, Guang'an district's real published list). Default: GOVHALL_DEMO_SET.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])
        parser.add_argument("--set", dest="demo_set", choices=DEMO_SETS, default=None,
                            help="which demo data set (default: GOVHALL_DEMO_SET, else luan)")

    def handle(self, *args, **options):
        if not settings.GOVHALL_DEMO:
            raise CommandError("演示模式未开启（GOVHALL_DEMO） / demo mode is off (GOVHALL_DEMO)")
        demo_set = options["demo_set"] or settings.GOVHALL_DEMO_SET
        if demo_set not in DEMO_SETS:
            raise CommandError(f"未知的演示数据 / unknown demo set {demo_set!r} (choose {', '.join(DEMO_SETS)})")
        if not demo.database_is_empty():
            raise CommandError("数据库非空，未载入演示数据 / the database is not empty; demo data not loaded")
        try:
            if demo_set == "guangan":
                from govhall.demo import guangan

                counts = guangan.load()
            else:
                counts = demo.load()
        except DomainError as exc:
            raise CommandError(f"演示数据有误 / demo data invalid: {exc}") from exc
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
