"""Periodic supervision: the full scan (every rule over every case and item, overdue rectifications
escalated, figures refreshed), thin job → task."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def supervision_scan() -> dict:
    from . import services

    return services.scan().as_dict()


@periodic("supervision.scan", every=dt.timedelta(hours=1))
def schedule_supervision_scan():
    return supervision_scan.enqueue()
