"""Periodic jobs. One scheduler instance at a time holds a lease row in the database; the others
wait. Jobs are thin: they enqueue a task through the Django tasks API, the worker runs it."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import JobRun, SchedulerLock

log = logging.getLogger(__name__)
LOCK_NAME = "scheduler"


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


JOBS: dict[str, Job] = {}


def periodic(name: str, every: dt.timedelta):
    def decorate(func):
        JOBS[name] = Job(name, every, func)
        return func

    return decorate


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@transaction.atomic
def acquire_lease(holder: str, lease: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Take or renew the lease. True when ``holder`` holds it until ``now + lease``."""
    now = now or timezone.now()
    lock, created = SchedulerLock.objects.select_for_update().get_or_create(
        name=LOCK_NAME, defaults={"holder": holder, "expires_at": now + lease}
    )
    if created:
        return True
    if lock.holder != holder and lock.expires_at > now:
        return False
    lock.holder, lock.expires_at = holder, now + lease
    lock.save(update_fields=["holder", "expires_at"])
    return True


@transaction.atomic
def release_lease(holder: str) -> None:
    SchedulerLock.objects.filter(name=LOCK_NAME, holder=holder).delete()


def due_jobs(now: dt.datetime) -> list[Job]:
    last = dict(JobRun.objects.values_list("name", "last_started_at"))
    return [job for job in JOBS.values() if job.name not in last or last[job.name] + job.every <= now]


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Run the jobs that are due; returns their names. Call only while holding the lease."""
    now = now or timezone.now()
    ran = []
    for job in due_jobs(now):
        JobRun.objects.update_or_create(name=job.name, defaults={"last_started_at": now, "last_error": ""})
        error = ""
        try:
            job.run()
        except Exception as exc:  # a failing job must not stop the others
            log.exception("periodic job %s failed", job.name)
            error = repr(exc)
        JobRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_error=error)
        ran.append(job.name)
    return ran
