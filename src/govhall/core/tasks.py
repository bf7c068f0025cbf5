"""Background tasks of the core context (thin wrappers; run by the task worker)."""

import datetime as dt
import logging

from django_tasks import task

from . import audit
from .scheduler import periodic

log = logging.getLogger(__name__)


@task()
def verify_audit_chain() -> dict:
    result = audit.verify()
    if result.ok:
        log.info("audit chain verified: %s events", result.checked)
    else:
        log.error("AUDIT CHAIN BROKEN at event #%s: %s", result.broken_seq, result.problem)
    return {"ok": result.ok, "checked": result.checked, "broken_seq": result.broken_seq,
            "problem": result.problem}


@periodic("core.audit.verify", every=dt.timedelta(hours=24))
def schedule_audit_verification():
    return verify_audit_chain.enqueue()


@task()
def deliver_event(delivery_id: int) -> str:
    from . import events

    return events.deliver(delivery_id)


@task()
def deliver_events(delivery_ids: list[int]) -> list[str]:
    """The deliveries one transaction recorded, one after the other (each in its own transaction)."""
    from . import events

    return [events.deliver(pk) for pk in delivery_ids]


@periodic("core.events.sweep", every=dt.timedelta(minutes=1))
def sweep_event_deliveries():
    """Queue again the deliveries a dead worker or a lost task left pending."""
    from . import events

    ids = events.due(grace=events.SWEEP_GRACE)
    for pk in ids:
        deliver_event.enqueue(pk)
    return len(ids)
