"""Periodic jobs of the transparency log, every hour: the audit chain's head is anchored in the log,
then a signed tree head is made, so that third parties always find a recent one to check inclusion
against, and the anchor just appended is under it. (The anchor job is registered first: in a tick
where both are due, it is enqueued first.)"""

import datetime as dt
import logging

from django_tasks import task

from govhall.core.actors import SYSTEM
from govhall.core.errors import DomainError
from govhall.core.scheduler import periodic

from . import anchors, services

log = logging.getLogger(__name__)


@task()
def anchor_audit_chain() -> dict:
    try:
        entry = anchors.anchor_audit_head(actor=SYSTEM)
    except DomainError as exc:
        log.error("AUDIT CHAIN NOT ANCHORED: %s", exc)
        raise
    return {"index": entry.index, "seq": entry.payload["seq"]}


@task()
def sign_log_head() -> dict:
    return {"tree_size": services.sign_tree_head(actor=SYSTEM).tree_size}


@periodic("translog.audit_anchor", every=dt.timedelta(hours=1))
def schedule_audit_anchor():
    return anchor_audit_chain.enqueue()


@periodic("translog.sth", every=dt.timedelta(hours=1))
def schedule_tree_head():
    return sign_log_head.enqueue()
