"""Periodic jobs of the feedback context: the one reminder to rate (3 days after the invitation)
and the overdue rectifications (recorded as ``feedback.rectification_overdue`` for supervision)."""

import datetime as dt

from django_tasks import task

from govhall.core.scheduler import periodic


@task()
def feedback_clock() -> dict:
    from . import services

    return {"reminded": services.remind_unrated(), "overdue": services.flag_overdue_rectifications()}


@periodic("feedback.clock", every=dt.timedelta(hours=1))
def schedule_feedback_clock():
    return feedback_clock.enqueue()
