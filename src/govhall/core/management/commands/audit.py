from django.core.management.base import BaseCommand, CommandError

from govhall.core import audit


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and names the first broken event."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"审计链校验失败 / audit chain BROKEN at event #{result.broken_seq}: {result.problem} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(f"审计链完整 / audit chain intact: {result.checked} events verified")
