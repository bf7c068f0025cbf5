"""Periodic jobs of business handling: Art. 32 deemed acceptance and correction deadlines."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def apply_clock_rules() -> dict:
    from . import services

    return {"deemed_accepted": services.deem_overdue_acceptances(), "correction_expired": services.expire_corrections()}


@periodic("cases.clock.rules", every=dt.timedelta(hours=1))
def schedule_clock_rules():
    return apply_clock_rules.enqueue()
