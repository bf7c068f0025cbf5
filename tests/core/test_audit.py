"""The audit trail is tamper-evident: any edited, inserted or deleted event is found and named."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from govhall.core import audit
from govhall.core.models import AuditChainHead, AuditEvent


def _events(n, actor=None):
    with transaction.atomic():
        for i in range(n):
            audit.record(actor=actor, action="test.thing.done", target_type="test.thing", target_id=str(i),
                         after={"i": i, "名称": "测试"})


@pytest.mark.django_db
def test_an_intact_chain_verifies_and_links_each_event_to_the_previous_hash():
    _events(5)
    result = audit.verify()
    assert result.ok and result.checked == 5
    events = list(AuditEvent.objects.order_by("seq"))
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="test.thing.done")


@pytest.mark.django_db
def test_an_edited_event_is_named():
    _events(5)
    AuditEvent.objects.filter(seq=3).update(after={"i": 99})
    result = audit.verify()
    assert not result.ok and result.broken_seq == 3 and "altered" in result.problem


@pytest.mark.django_db
def test_an_event_deleted_from_the_middle_is_named():
    _events(5)
    AuditEvent.objects.filter(seq=2).delete()
    result = audit.verify()
    assert not result.ok and result.broken_seq == 2 and "missing" in result.problem


@pytest.mark.django_db
def test_events_deleted_from_the_end_are_detected_through_the_chain_head():
    _events(5)
    AuditEvent.objects.filter(seq__gte=4).delete()
    result = audit.verify()
    assert not result.ok and result.broken_seq == 4


@pytest.mark.django_db
def test_an_inserted_event_is_named():
    _events(3)
    last = AuditEvent.objects.get(seq=3)
    # Renumber the last event and forge one in its place, recomputing the forged event's own hash.
    AuditEvent.objects.filter(seq=3).update(seq=4, hash="f" * 64)
    forged = AuditEvent(seq=3, action="test.thing.forged", actor_label="system", created_at=last.created_at,
                        prev_hash=AuditEvent.objects.get(seq=2).hash)
    forged.hash = audit.chain_hash(forged.prev_hash, forged)
    forged.save()
    AuditChainHead.objects.filter(pk=1).update(last_seq=4)
    result = audit.verify()
    assert not result.ok and result.broken_seq == 4


@pytest.mark.django_db
def test_the_verify_command_names_the_first_broken_event(capsys):
    _events(3)
    call_command("audit", "verify")
    assert "3 events" in capsys.readouterr().out
    AuditEvent.objects.filter(seq=2).update(reason="changed later")
    with pytest.raises(CommandError, match="#2"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_the_chain_survives_a_database_round_trip_of_unicode_dates_and_decimals():
    import datetime as dt
    from decimal import Decimal

    with transaction.atomic():
        audit.record(actor=None, action="test.thing.done", after={"on": dt.date(2026, 10, 1), "fee": Decimal("80.00"),
                                                                  "tags": {"乙", "甲"}})
    assert audit.verify().ok
