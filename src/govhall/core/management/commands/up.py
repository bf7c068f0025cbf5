import os
import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from govhall.core.supervisor import ChildExited, Supervisor


class Command(BaseCommand):
    help = ("Bring the platform up: migrate, load demo data into an empty database (demo mode), then run "
            "the web server, the task worker and the scheduler until Ctrl-C (a worker or scheduler that dies "
            "is restarted with back-off).")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--host", default=os.environ.get("GOVHALL_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("GOVHALL_WEB_WORKERS", 2)))

    def handle(self, *args, **options):
        call_command("i18n_compile", verbosity=0)
        call_command("migrate", interactive=False, verbosity=1)
        if settings.GOVHALL_DEMO:
            from govhall.demo.catalog import database_is_empty

            if database_is_empty():
                self.stdout.write("空数据库：载入演示数据 / empty database: loading the demo data")
                call_command("demo", "load")
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        py = sys.executable
        commands = {
            "web": [py, "-m", "gunicorn", "govhall.wsgi:application", "--bind",
                    f"{options['host']}:{options['port']}", "--workers", str(options["workers"]),
                    "--threads", "4", "--access-logfile", "-", "--graceful-timeout", "5"],
            "worker": [py, "-m", "govhall", "worker", "--interval", "1"],
            "scheduler": [py, "-m", "govhall", "scheduler"],
        }
        # the worker and the scheduler are restarted with back-off if they die; the web server keeps serving
        supervisor = Supervisor(commands, restart={"worker", "scheduler"})

        def stop(*_):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"GovHall: http://{options['host']}:{options['port']}/  (Ctrl-C 停止 / to stop)")
        try:
            supervisor.run()
        except KeyboardInterrupt:
            pass
        except ChildExited as exc:
            raise CommandError(f"{exc.name} 已退出（{exc.returncode}）/ {exc}") from None
        finally:
            supervisor.stop()
