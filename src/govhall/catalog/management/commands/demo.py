from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from govhall.catalog import demo
from govhall.core.errors import DomainError


class Command(BaseCommand):
    help = "Load the demo catalogue (Anhui, Lu'an) and demo accounts into an empty database (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])

    def handle(self, *args, **options):
        if not settings.GOVHALL_DEMO:
            raise CommandError("演示模式未开启（GOVHALL_DEMO） / demo mode is off (GOVHALL_DEMO)")
        if not demo.database_is_empty():
            raise CommandError("数据库非空，未载入演示数据 / the database is not empty; demo data not loaded")
        try:
            counts = demo.load()
        except DomainError as exc:
            raise CommandError(f"演示数据有误 / demo data invalid: {exc}") from exc
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
