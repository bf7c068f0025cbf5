"""Periodic job of the transparency log: a signed tree head every hour, so that third parties always
find a recent one to check inclusion against."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def sign_log_head() -> dict:
    from . import services

    return {"tree_size": services.sign_tree_head().tree_size}


@periodic("translog.sth", every=dt.timedelta(hours=1))
def schedule_tree_head():
    return sign_log_head.enqueue()
