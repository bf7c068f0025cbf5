"""``govhall supervision scan`` (evaluate every rule now) and ``govhall supervision warnings`` (open
warnings with their colour: 提示/黄牌/红牌)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

LEVEL_ZH = {"notice": "提示", "yellow": "黄牌", "red": "红牌"}


class Command(BaseCommand):
    help = "电子监察 / electronic supervision: scan (evaluate every rule now), warnings (list open warnings)"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["scan", "warnings"])
        parser.add_argument("--today", help="evaluate as of this day (YYYY-MM-DD; default today)")
        parser.add_argument("--organ", default="", help="warnings: only this organ (credit code)")
        parser.add_argument("--level", choices=["notice", "yellow", "red"], help="warnings: only this level")
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, **options):
        from govhall.supervision import selectors, services

        if options["action"] == "scan":
            today = None
            if options["today"]:
                try:
                    today = dt.date.fromisoformat(options["today"])
                except ValueError as exc:
                    raise CommandError("--today: YYYY-MM-DD") from exc
            out = services.scan(today=today)
            d = out.as_dict()
            self.stdout.write(f"扫描完成 / scan done: 办件 cases {d['cases']}, 事项 items {d['items']}, "
                              f"新预警 raised {d['raised']}, 自动关闭 closed {d['closed']}, "
                              f"升级 escalated {d['escalated']}, {d['seconds']} s")
            return
        rows = selectors.warnings(None, organ=options["organ"], level=options["level"] or "", state="open")
        rows = list(rows[:options["limit"]])
        if not rows:
            self.stdout.write("没有未办结的预警 / no open warnings")
            return
        for w in rows:
            self.stdout.write(f"{LEVEL_ZH[w.level]}  {w.rule.code}  {w.get_state_display()}  {w.organ.name}  "
                              f"{w.message_zh}  (#{w.pk}, {w.raised_at:%Y-%m-%d})")
        self.stdout.write(f"共 {len(rows)} 条 / {len(rows)} open warning(s)")
