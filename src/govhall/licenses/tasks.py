"""Periodic jobs of electronic licences: expiry at the end of validity, and a signed tree head of the
transparency log so that third parties always find a recent one to check inclusion against."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def expire_licences() -> dict:
    from . import services

    return {"expired": services.expire_due()}


@task()
def sign_log_head() -> dict:
    from govhall.translog import services

    sth = services.sign_tree_head()
    return {"tree_size": sth.tree_size}


@periodic("licenses.expiry", every=dt.timedelta(days=1))
def schedule_expiry():
    return expire_licences.enqueue()


@periodic("translog.sth", every=dt.timedelta(hours=1))
def schedule_tree_head():
    return sign_log_head.enqueue()
