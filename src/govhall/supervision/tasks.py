"""Periodic supervision: the full scan (every rule over every case and item, overdue rectifications
escalated, figures refreshed), thin job → task."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def supervision_scan(full: bool = False) -> dict:
    from . import services

    return services.scan(full=full).as_dict()


@periodic("supervision.scan", every=dt.timedelta(hours=1))
def schedule_supervision_scan():
    """Hourly: open and recently closed cases, figures of the last two quarters."""
    return supervision_scan.enqueue()


@periodic("supervision.scan.full", every=dt.timedelta(hours=24))
def schedule_full_supervision_scan():
    """Daily: every case and every period (a rule changed, a calendar year entered…)."""
    return supervision_scan.enqueue(full=True)
