"""Task lease: a task left RUNNING by a task worker that died is queued again.

django-tasks-db marks a task RUNNING when a worker claims it and records the worker's id in
``worker_ids``; a worker killed in the middle (``kill -9``, a lost database connection, a crashed
machine) leaves it RUNNING for ever. ``govhall worker`` therefore writes a heartbeat row
(:class:`~govhall.core.models.TaskWorker`) every quarter of the lease while it runs. A RUNNING task
whose last claimant has a heartbeat older than the lease (``GOVHALL_TASK_LEASE`` seconds) is put back
in the queue, or marked FAILED once workers have died on it ``GOVHALL_TASK_MAX_ATTEMPTS`` times (a
task that kills its worker must not kill every worker after it). Every worker does this at start
and on each heartbeat, so a live worker takes over the tasks of a dead one.

Tasks claimed by a worker that never wrote a heartbeat (plain ``db_worker``) are left alone: nothing
says whether that worker is alive.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import TaskWorker

log = logging.getLogger(__name__)
LOST = "govhall.core.task_lease.WorkerLost"


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.GOVHALL_TASK_LEASE)


def heartbeat_interval() -> float:
    return max(1.0, settings.GOVHALL_TASK_LEASE / 4)


def beat(worker_id: str, now: dt.datetime | None = None) -> None:
    """Record that ``worker_id`` is alive (creates its row at the first beat)."""
    now = now or timezone.now()
    updated = TaskWorker.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        TaskWorker.objects.update_or_create(
            worker_id=worker_id,
            defaults={"host": socket.gethostname()[:100], "pid": os.getpid(), "started_at": now, "seen_at": now},
        )


def leave(worker_id: str) -> None:
    """A worker stopping cleanly (it finished its task) removes its row."""
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def recover(now: dt.datetime | None = None) -> dict[str, list[str]]:
    """Queue again (or fail, after too many attempts) the RUNNING tasks whose worker's heartbeat lapsed.

    Returns ``{"requeued": [task ids], "failed": [task ids]}``."""
    now = now or timezone.now()
    dead = set(TaskWorker.objects.filter(seen_at__lt=now - lease()).values_list("worker_id", flat=True))
    outcome: dict[str, list[str]] = {"requeued": [], "failed": []}
    if not dead:
        return outcome
    for task in DBTaskResult.objects.running().only("id", "task_path", "worker_ids", "started_at"):
        claimant = task.worker_ids[-1] if task.worker_ids else None
        if claimant not in dead:
            continue
        attempts = len(task.worker_ids)
        # conditional on the claim still being the one read: a finished or re-claimed task is left alone
        claimed = DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.RUNNING,
                                              started_at=task.started_at)
        if attempts >= settings.GOVHALL_TASK_MAX_ATTEMPTS:
            done = claimed.update(
                status=TaskResultStatus.FAILED, finished_at=now, return_value=None, exception_class_path=LOST,
                traceback=f"{LOST}: the worker running this task stopped ({attempts} attempts; "
                          f"last worker {claimant})\n")
            if done:
                log.error("task %s (%s): its worker %s died, %s attempts: marked failed",
                          task.pk, task.task_path, claimant, attempts)
                outcome["failed"].append(str(task.pk))
        elif claimed.update(status=TaskResultStatus.READY, started_at=None):
            log.warning("task %s (%s): its worker %s died; queued again (attempt %s of %s)",
                        task.pk, task.task_path, claimant, attempts + 1, settings.GOVHALL_TASK_MAX_ATTEMPTS)
            outcome["requeued"].append(str(task.pk))
    # the dead workers' tasks are all handled: forget them (a worker that was only slow writes its row again)
    TaskWorker.objects.filter(worker_id__in=dead, seen_at__lt=now - lease()).delete()
    return outcome


class Heartbeat:
    """Beats and recovers in a background thread while the worker runs tasks in the main thread
    (a long task must not look like a dead worker). Database errors are logged and retried at the
    next beat; the lease is four beats long."""

    def __init__(self, worker_id: str):
        self.worker_id = worker_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="task-heartbeat", daemon=True)

    def start(self) -> None:
        self.tick()  # synchronously: the row exists before the worker claims anything
        self._thread.start()

    def tick(self) -> None:
        with transaction.atomic():
            beat(self.worker_id)
        recover()

    def _run(self) -> None:
        try:
            while not self._stop.wait(heartbeat_interval()):
                try:
                    self.tick()
                except Exception:  # the database may be away for a moment; try again at the next beat
                    log.exception("task worker %s: heartbeat failed", self.worker_id)
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        try:
            leave(self.worker_id)
        except DatabaseError:  # stopping because the database went away: the lease runs out instead
            log.warning("task worker %s: could not remove its heartbeat row", self.worker_id)
