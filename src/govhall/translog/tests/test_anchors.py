"""The audit chain's head is anchored in the transparency log: deleting the last events *and*
setting the head row back no longer passes verification, and an anchor cannot be forged by someone
who can only write to the database."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from govhall.core import audit, scheduler
from govhall.core.errors import DomainError
from govhall.core.models import AuditChainHead, AuditEvent, JobRun
from govhall.crypto import keys, keystore, sm
from govhall.crypto.models import KeyPair
from govhall.translog import anchors, services
from govhall.translog.models import LogEntry

pytestmark = pytest.mark.django_db


def events(n):
    with transaction.atomic():
        for i in range(n):
            audit.record(actor=None, action="test.thing.done", target_type="test.thing", target_id=str(i))


def truncate_to(seq):
    """What an intruder with SQL access does: two statements, the chain and its head agree again."""
    AuditEvent.objects.filter(seq__gt=seq).delete()
    AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=AuditEvent.objects.get(seq=seq).hash)


def test_the_store_is_registered_with_the_audit_log():
    assert anchors.STORE in audit.anchor_stores()


def test_truncating_the_chain_and_its_head_row_is_caught_by_the_anchor():
    events(5)
    entry = anchors.anchor_audit_head()
    anchored = entry.payload["seq"]
    assert entry.kind == "audit.anchor" and anchored >= 5  # the anchoring key's creation is covered too
    assert audit.verify().ok and audit.verify().anchor.seq == anchored

    truncate_to(anchored - 1)

    result = audit.verify()
    assert not result.ok
    assert result.broken_seq == anchored and f"anchored at #{anchored}" in result.problem
    assert f"transparency log entry #{entry.index}" in result.problem
    with pytest.raises(CommandError, match=f"#{anchored}"):
        call_command("audit", "verify")


def test_without_an_anchor_the_same_truncation_passes_which_is_the_residual_gap():
    """Documented in docs/audit.md: events after the latest anchor are protected by the head row only."""
    events(5)
    truncate_to(3)
    assert audit.verify().ok


def test_a_rewritten_anchored_event_is_named_even_with_a_consistent_rebuilt_chain():
    events(3)
    entry = anchors.anchor_audit_head()
    anchored = entry.payload["seq"]
    # rebuild the whole chain from event 2 on with different content, hashes recomputed: the chain
    # and its head are consistent, only the anchor knows better
    prev = AuditEvent.objects.get(seq=1).hash
    for event in AuditEvent.objects.filter(seq__gte=2).order_by("seq"):
        event.reason = "rewritten"
        event.prev_hash = prev
        event.hash = audit.chain_hash(prev, event)
        event.save()
        prev = event.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    result = audit.verify()
    assert not result.ok and result.broken_seq == anchored and "rewritten" in result.problem


def test_an_anchor_signed_by_a_key_inserted_into_the_table_is_not_trusted():
    events(2)
    anchors.anchor_audit_head()
    truncate_to(1)
    # forge a newer anchor for the shortened chain with a key pair the intruder made himself
    own = sm.sm2_generate()
    key_id = "audit.anchor-20260101-forged00"
    KeyPair.objects.filter(purpose="audit.anchor").update(state="retired", retired_at="2026-01-01T00:00:00Z")
    KeyPair.objects.create(key_id=key_id, purpose="audit.anchor", public_key_der=keys.public_key_to_der(own.public),
                           fingerprint=keys.fingerprint(own.public), private_key_wrapped=b"\x00" * 60,
                           wrap_version=1)
    head = AuditChainHead.objects.get(pk=1)
    at = "2030-01-01T00:00:00.000000Z"
    signature = sm.sm2_sign(own, anchors.anchor_message(seq=head.last_seq, head_hash=head.last_hash, anchored_at=at))
    with transaction.atomic():
        services.append(kind="audit.anchor", payload={"version": anchors.ANCHOR_VERSION, "seq": head.last_seq,
                                                      "head_hash": head.last_hash, "anchored_at": at,
                                                      "key_id": key_id, "signature": signature.hex()})
    assert keystore.verify(key_id=key_id, data=anchors.anchor_message(
        seq=head.last_seq, head_hash=head.last_hash, anchored_at=at), signature=signature)
    result = audit.verify()
    assert not result.ok and "cannot be trusted" in result.problem and "master key" in result.problem


def test_an_anchor_is_refused_for_a_chain_that_does_not_extend_the_last_one():
    events(3)
    first = anchors.anchor_audit_head()
    events(1)
    AuditEvent.objects.filter(seq=first.payload["seq"]).update(hash="0" * 64)  # the anchored event itself
    with pytest.raises(DomainError) as exc:
        anchors.anchor_audit_head()
    assert exc.value.problems[0].code == "translog.anchor.chain_broken"
    assert LogEntry.objects.filter(kind="audit.anchor").count() == 1


def test_anchoring_is_audited_and_the_anchor_verifies_with_the_published_key(client):
    events(1)
    entry = anchors.anchor_audit_head()
    event = AuditEvent.objects.get(action="translog.anchor.appended")
    assert event.after["index"] == entry.index and event.seq == entry.payload["seq"] + 1
    payload = entry.payload
    pem = client.get(f"/api/v1/translog/keys/{payload['key_id']}").json()["public_key_pem"]
    message = anchors.anchor_message(seq=payload["seq"], head_hash=payload["head_hash"],
                                     anchored_at=payload["anchored_at"])
    assert sm.sm2_verify(keys.load_public_key(pem.encode()), message, bytes.fromhex(payload["signature"]))


def test_the_anchor_under_a_signed_tree_head_is_proven_in_the_log():
    events(2)
    entry = anchors.anchor_audit_head()
    services.sign_tree_head()
    anchor = anchors.latest_anchor()
    assert anchor.problem == "" and anchor.seq == entry.payload["seq"]


def test_the_command_anchors_on_demand_and_verify_reports_the_anchor(capsys):
    events(2)
    call_command("audit", "anchor")
    assert "anchored: event #" in capsys.readouterr().out
    call_command("audit", "verify")
    assert "matches its latest anchor" in capsys.readouterr().out


def test_the_hourly_job_anchors_the_head(monkeypatch):
    events(1)
    assert "translog.audit_anchor" in scheduler.JOBS
    scheduler.JOBS["translog.audit_anchor"].run()  # tests run tasks immediately
    assert LogEntry.objects.filter(kind="audit.anchor").count() == 1
    assert not JobRun.objects.filter(name="translog.audit_anchor", last_error__gt="").exists()
