import datetime as dt
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from govhall.core import scheduler


class Command(BaseCommand):
    help = "Run periodic jobs; only the instance holding the database lease runs them."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args, **options):
        tick = settings.GOVHALL_SCHEDULER_TICK
        lease = dt.timedelta(seconds=3 * tick)
        me = scheduler.holder_id()
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
        try:
            while not stopping:
                if scheduler.acquire_lease(me, lease):
                    ran = scheduler.run_due()
                    if ran:
                        self.stdout.write(f"scheduler ran: {', '.join(ran)}")
                if options["once"]:
                    break
                for _ in range(tick):
                    if stopping:
                        break
                    time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            scheduler.release_lease(me)
