"""The domain-event outbox: an event is recorded with the change or not at all, each subscriber gets
it once, failures are retried and end failed, and staff may put a failed delivery back."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from govhall.core import events
from govhall.core.models import AuditEvent, DomainEvent, EventDelivery

pytestmark = pytest.mark.django_db

SEEN: list[tuple[str, dict]] = []
FAIL: dict[str, int] = {}


@events.subscriber("test.listener", on=["test.happened"])
def _listener(event):
    if FAIL.get("count", 0) > 0:
        FAIL["count"] -= 1
        DomainEvent.objects.create(name="test.side_effect", payload={}, occurred_at=timezone.now())
        raise RuntimeError("subscriber down")
    SEEN.append((event.name, event.payload))


@pytest.fixture(autouse=True)
def _reset():
    SEEN.clear()
    FAIL.clear()


def test_an_event_reaches_its_subscriber_once():
    with transaction.atomic():
        event = events.record("test.happened", {"case_id": 7})
    assert EventDelivery.objects.get(event=event).state == "pending"
    assert events.drain() == 1
    assert SEEN == [("test.happened", {"case_id": 7})]
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.state == "done" and delivery.attempts == 1
    assert events.deliver(delivery.pk) == "skipped"  # handled twice changes nothing
    assert events.drain() == 0 and len(SEEN) == 1


def test_a_rolled_back_change_records_no_event():
    with pytest.raises(RuntimeError), transaction.atomic():
        events.record("test.happened", {"case_id": 8})
        raise RuntimeError("the change fails after the event was recorded")
    assert not DomainEvent.objects.filter(name="test.happened").exists()


def test_events_without_subscribers_are_kept_without_deliveries():
    with transaction.atomic():
        event = events.record("test.nobody_listens", {"x": 1})
    assert not event.deliveries.exists()


def test_a_failing_subscriber_is_retried_and_its_changes_rolled_back():
    FAIL["count"] = 1
    with transaction.atomic():
        event = events.record("test.happened", {"case_id": 9})
    delivery = EventDelivery.objects.get(event=event)
    assert events.deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.state == "pending" and delivery.attempts == 1 and "subscriber down" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert not DomainEvent.objects.filter(name="test.side_effect").exists()
    assert events.drain() == 0  # not due yet
    EventDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert events.drain() == 1 and SEEN == [("test.happened", {"case_id": 9})]


def test_a_subscriber_failing_for_good_ends_failed_and_staff_may_retry_it(django_user_model):
    FAIL["count"] = 100
    with transaction.atomic():
        event = events.record("test.happened", {"case_id": 10})
    delivery = EventDelivery.objects.get(event=event)
    for _ in range(events.DEFAULT_MAX_ATTEMPTS):
        EventDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        events.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == events.DEFAULT_MAX_ATTEMPTS
    FAIL["count"] = 0
    staff = django_user_model.objects.create_user(username="ops", password="x" * 12)
    events.delivery_retry(actor=staff, delivery=delivery)
    assert AuditEvent.objects.filter(action="core.event_delivery.retried").exists()
    assert events.drain() == 1 and SEEN == [("test.happened", {"case_id": 10})]


def test_retry_delay_grows_and_is_capped():
    delays = [events.retry_delay(n) for n in range(1, 12)]
    assert delays == sorted(delays) and delays[-1] == dt.timedelta(hours=6)
