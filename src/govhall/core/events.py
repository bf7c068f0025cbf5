"""Domain events through a transactional outbox.

A service that changes state records what happened in the same transaction as the change::

    events.record("case.closed", {"case_id": case.pk, "number": case.number, "state": case.state})

The event and one pending delivery per subscriber are rows written with the change, so a rolled back
change records nothing and a committed one can never lose its consequences. After commit each
delivery is handed to the task worker (``deliver_event``); a periodic sweep picks up whatever a dead
worker or a lost task left behind. A subscriber lives in its own context's ``subscribers.py`` (found
at start-up) and declares what it listens to::

    @events.subscriber("archives.package", on=["case.closed"])
    def package_closed_case(event: events.Event) -> None: ...

A subscriber runs in a transaction together with the "done" mark of its delivery: either both commit
or neither, so a worker killed mid-event leaves the delivery pending (it runs again later) and a
delivery handled twice is impossible (the second worker waits on the row lock, then finds it done).
Subscribers must still be idempotent in what they do outside the database (send through their own
after-commit tasks). A subscriber that keeps failing ends ``failed`` after ``max_attempts`` and is
shown to staff, who may put it back (``delivery_retry``, audited).

Payloads hold ids and codes only, never personal data; the event name and ``version`` form the
contract with subscribers (a new payload shape is a new version).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import DomainEvent, EventDelivery

log = logging.getLogger("govhall.events")

DEFAULT_MAX_ATTEMPTS = 8
SWEEP_GRACE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Event:
    """What a subscriber receives."""

    id: int
    name: str
    version: int
    payload: dict
    occurred_at: dt.datetime


@dataclass(frozen=True)
class Subscriber:
    name: str
    on: tuple[str, ...]
    handle: Callable[[Event], object]
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


SUBSCRIBERS: dict[str, Subscriber] = {}


def subscriber(name: str, *, on: Iterable[str], max_attempts: int = DEFAULT_MAX_ATTEMPTS):
    """Register ``func`` as the subscriber ``name`` (unique, stable: it is stored with each delivery)
    of the events named in ``on``."""

    def decorate(func):
        if name in SUBSCRIBERS and SUBSCRIBERS[name].handle is not func:
            raise RuntimeError(f"two subscribers named {name!r}")
        SUBSCRIBERS[name] = Subscriber(name, tuple(on), func, max_attempts)
        return func

    return decorate


def subscribers_of(event_name: str) -> list[Subscriber]:
    return [s for s in SUBSCRIBERS.values() if event_name in s.on]


def record(name: str, payload: dict, *, version: int = 1) -> DomainEvent:
    """Record the event ``name`` in the current transaction, with a pending delivery per subscriber,
    each handed to the worker once the transaction commits."""
    now = timezone.now()
    with transaction.atomic(savepoint=False):  # inside the service's transaction: no savepoint round trips
        event = DomainEvent.objects.create(name=name, version=version, payload=payload, occurred_at=now)
        deliveries = EventDelivery.objects.bulk_create(
            EventDelivery(event=event, subscriber=s.name, next_attempt_at=now) for s in subscribers_of(name))
        ids = [d.pk for d in deliveries]
        if ids and ids[0] is None:  # backends that do not return ids from bulk inserts
            ids = list(EventDelivery.objects.filter(event=event).values_list("pk", flat=True))
        if ids:
            _schedule(ids)
    return event


class _Pending:
    """The deliveries recorded in one transaction, handed to the worker as one task on commit."""

    def __init__(self):
        self.ids: list[int] = []

    def flush(self) -> None:
        ids, self.ids = self.ids, []
        _enqueue(ids)


def _schedule(ids: list[int]) -> None:
    """Queue ``ids`` on commit of the current transaction: every delivery of every event the
    transaction records goes in one task (one queue row per transaction, not per delivery)."""
    connection = transaction.get_connection()
    pending = getattr(connection, "_govhall_pending_events", None)
    if pending is None or not any(entry[1] == pending.flush for entry in connection.run_on_commit):
        pending = _Pending()  # the first event of this transaction (or the last one's rolled back)
        connection._govhall_pending_events = pending
        transaction.on_commit(pending.flush)
    pending.ids.extend(ids)


def _enqueue(ids: list[int]) -> None:
    from .tasks import deliver_event, deliver_events

    if not ids:
        return
    try:
        if len(ids) == 1:
            deliver_event.enqueue(ids[0])
        else:
            deliver_events.enqueue(ids)
    except Exception:  # the sweep picks them up
        log.exception("event deliveries %s could not be queued", ids)


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 2 min, 8 min, 32 min… capped at 6 hours."""
    return min(dt.timedelta(seconds=30 * 4 ** (max(attempts, 1) - 1)), dt.timedelta(hours=6))


def deliver(delivery_id: int) -> str:
    """Run one pending delivery: "done", "retry", "failed" or "skipped" (not pending, not due, or
    taken by another worker meanwhile)."""
    with transaction.atomic():
        delivery = (EventDelivery.objects.select_for_update().select_related("event")
                    .filter(pk=delivery_id, state=EventDelivery.State.PENDING).first())
        if delivery is None:
            return "skipped"
        sub = SUBSCRIBERS.get(delivery.subscriber)
        event = delivery.event
        delivery.attempts += 1
        error = ""
        if sub is None:
            error = f"no subscriber named {delivery.subscriber!r} in this process"
        else:
            try:
                with transaction.atomic():
                    sub.handle(Event(event.pk, event.name, event.version, event.payload, event.occurred_at))
            except Exception as exc:  # the subscriber's changes are rolled back to the savepoint
                error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
                log.warning("event %s → %s failed (attempt %s): %s", event, delivery.subscriber,
                            delivery.attempts, error)
        now = timezone.now()
        if not error:
            delivery.state, delivery.done_at, delivery.last_error = EventDelivery.State.DONE, now, ""
            outcome = "done"
        elif delivery.attempts >= (sub.max_attempts if sub else DEFAULT_MAX_ATTEMPTS):
            delivery.state, delivery.last_error = EventDelivery.State.FAILED, error
            outcome = "failed"
            log.error("event %s → %s failed for good after %s attempts", event, delivery.subscriber,
                      delivery.attempts)
        else:
            delivery.next_attempt_at, delivery.last_error = now + retry_delay(delivery.attempts), error
            outcome = "retry"
        delivery.save(update_fields=["state", "attempts", "next_attempt_at", "last_error", "done_at"])
    return outcome


def due(now: dt.datetime | None = None, *, grace: dt.timedelta = dt.timedelta(0)) -> list[int]:
    now = now or timezone.now()
    return list(EventDelivery.objects.filter(state=EventDelivery.State.PENDING, next_attempt_at__lte=now - grace)
                .order_by("pk").values_list("pk", flat=True)[:1000])


def drain(*, rounds: int = 20) -> int:
    """Run every due delivery now, in this process, including those of events the subscribers record
    meanwhile; returns how many were done. For commands, the demo loader and tests.

    A delivery that asks to be retried while others of the same round succeed (a subscriber waiting
    for another one's result, e.g. archiving waits for the sealed notices) is run again in the next
    round instead of waiting for its back-off; a round in which nothing succeeds ends the drain."""
    done, again = 0, []
    for _ in range(rounds):
        if again:
            EventDelivery.objects.filter(pk__in=again, state=EventDelivery.State.PENDING).update(
                next_attempt_at=timezone.now())
        ids = sorted(set(due()) | set(again))
        outcomes = {pk: deliver(pk) for pk in ids}
        succeeded = sum(1 for outcome in outcomes.values() if outcome == "done")
        done += succeeded
        if not succeeded:
            break
        again = [pk for pk, outcome in outcomes.items() if outcome == "retry"]
    return done


@transaction.atomic
def delivery_retry(*, actor, delivery: EventDelivery) -> EventDelivery:
    """Put a failed delivery back to pending (staff, after fixing the cause). Audited."""
    from . import audit
    from .errors import DomainError

    delivery = EventDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != EventDelivery.State.FAILED:
        raise DomainError.single("core.event.not_failed", "只有失败的事件投递可以重试",
                                 "only a failed event delivery can be retried")
    delivery.state, delivery.attempts, delivery.next_attempt_at = EventDelivery.State.PENDING, 0, timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
    audit.record(actor=actor, action="core.event_delivery.retried", target=delivery,
                 after={"event": delivery.event.name, "subscriber": delivery.subscriber})
    _schedule([delivery.pk])
    return delivery
