from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from govhall.core import audit
from govhall.core.actors import SYSTEM
from govhall.core.errors import DomainError


class Command(BaseCommand):
    help = ("Audit log tools. 'verify' walks the hash chain, names the first broken event and compares the "
            "chain with its latest anchor; 'anchor' signs the current chain head into the anchor store "
            "(the transparency log) now, as the hourly job does.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args, action: str, **options):
        if action == "anchor":
            self._anchor()
            return
        result = audit.verify()
        if not result.ok:
            raise CommandError(
                f"审计链校验失败 / audit chain BROKEN at event #{result.broken_seq}: {result.problem} "
                f"({result.checked} events verified before it)"
            )
        self.stdout.write(f"审计链完整 / audit chain intact: {result.checked} events verified")
        if result.anchor:
            a = result.anchor
            self.stdout.write(f"锚定一致 / matches its latest anchor: event #{a.seq} {a.head_hash[:16]}… "
                              f"({a.source}, {a.anchored_at:%Y-%m-%d %H:%M:%S %Z})")
        elif audit.anchor_stores():
            self.stdout.write(self.style.WARNING(
                "尚无锚点：链尾删除无法被发现，请运行 govhall audit anchor / no anchor yet: events removed from "
                "the end cannot be detected until the head is anchored (govhall audit anchor)"))

    def _anchor(self):
        try:
            with transaction.atomic():
                anchors = audit.anchor_head(actor=SYSTEM)
        except (RuntimeError, DomainError) as exc:
            raise CommandError(f"无法锚定 / cannot anchor: {exc}") from exc
        for a in anchors:
            self.stdout.write(f"已锚定 / anchored: event #{a.seq} {a.head_hash[:16]}… ({a.source})")
