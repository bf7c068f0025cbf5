from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from govhall.core.task_lease import Heartbeat


class Command(DbWorkerCommand):
    help = ("Run the task worker: django-tasks-db's db_worker with a heartbeat, so that tasks left RUNNING "
            "by a worker that died are queued again (core/task_lease.py). Same options, without --reload.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args, **options):
        options["reload"] = False  # the reloader would run tasks in a child the heartbeat does not watch
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
