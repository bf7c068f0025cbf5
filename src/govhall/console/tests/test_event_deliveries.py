"""Platform administrators see failed domain-event deliveries and put one back (audited); nobody
else sees the page."""

import pytest
from django.db import transaction
from django.urls import reverse

from govhall.core import events
from govhall.core.models import AuditEvent, EventDelivery

pytestmark = pytest.mark.django_db
PAGE = "/console/events/failed/"
CALLS = {"fail": True, "seen": 0}


@events.subscriber("test.console.broken", on=["test.console.happened"], max_attempts=1)
def _broken(event):
    CALLS["seen"] += 1
    if CALLS["fail"]:
        raise RuntimeError("storage unavailable")


@pytest.fixture
def failed():
    CALLS.update(fail=True, seen=0)
    with transaction.atomic():
        event = events.record("test.console.happened", {"case_id": 42, "number": "N-42"})
    events.drain()
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.state == "failed"
    return delivery


def test_the_page_lists_failed_deliveries_and_a_retry_runs_them_again(client, system_admin, failed):
    assert reverse("console:event_deliveries_failed") == PAGE
    client.force_login(system_admin)
    page = client.get(PAGE).content.decode()
    assert "test.console.happened" in page and "test.console.broken" in page and "storage unavailable" in page
    assert "case_id=42" in page
    CALLS["fail"] = False  # the cause is fixed
    answer = client.post(reverse("console:event_delivery_retry", args=[failed.pk]))
    assert answer.status_code == 302
    failed.refresh_from_db()
    assert failed.state == "pending" and failed.attempts == 0
    assert AuditEvent.objects.filter(action="core.event_delivery.retried", actor=system_admin).exists()
    events.drain()
    failed.refresh_from_db()
    assert failed.state == "done" and CALLS["seen"] == 2
    assert "storage unavailable" not in client.get(PAGE).content.decode()
    again = client.post(reverse("console:event_delivery_retry", args=[failed.pk]), follow=True)
    assert "只有失败的事件投递可以重试" in again.content.decode()


def test_only_platform_administrators_see_the_page(client, supervisor, failed):
    client.force_login(supervisor)
    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("console:event_delivery_retry", args=[failed.pk])).status_code == 403
    failed.refresh_from_db()
    assert failed.state == "failed"
