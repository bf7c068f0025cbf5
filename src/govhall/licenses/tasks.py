"""Periodic job of electronic licences: expiry at the end of validity (logged and told to the holder)."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def expire_licences() -> dict:
    from . import services

    return {"expired": services.expire_due()}


@periodic("licenses.expiry", every=dt.timedelta(days=1))
def schedule_expiry():
    return expire_licences.enqueue()
