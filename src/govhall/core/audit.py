"""Tamper-evident audit log.

Every event stores ``hash = SM3(prev_hash || canonical(event))`` where ``canonical`` is the event's
content as sorted, compact UTF-8 JSON. Appends lock the single chain-head row, so concurrent
transactions queue instead of forking the chain; the head also records the last sequence number,
so deleting events from the end is detected as well as editing, inserting or deleting in the middle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from .middleware import current_request_id
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def jsonable(value: Any) -> Any:
    """Turn dates, decimals, sets and tuples into JSON values that survive a database round trip."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: AuditEvent) -> bytes:
    content = {
        "seq": event.seq,
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "on_behalf_of": event.on_behalf_of,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "request_id": event.request_id,
        "created_at": _utc(event.created_at),
    }
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return sm3_hex(prev_hash.encode("ascii") + canonical(event))


def record(
    *,
    actor,
    action: str,
    target: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    on_behalf_of: str = "",
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``actor`` is a user or None for the system itself. ``target`` is a model instance (its type, pk
    and str are taken) unless ``target_type``/``target_id`` are given. Raises RuntimeError outside a
    transaction: an audit row must commit or roll back with the write it describes.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    if "." not in action:
        raise ValueError("audit action codes are namespaced, e.g. catalog.item.published")
    if target is not None:
        target_type = target_type or f"{target._meta.app_label}.{target._meta.model_name}"
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:300]
    # The head row is seeded by a migration; created here too for databases emptied by a flush.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": GENESIS})
    event = AuditEvent(
        seq=head.last_seq + 1,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(actor.get_username() if getattr(actor, "pk", None) else "system"),
        on_behalf_of=on_behalf_of,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        request_id=current_request_id() or "",
        created_at=timezone.now(),
        prev_hash=head.last_hash,
    )
    event.hash = chain_hash(head.last_hash, event)
    event.save(force_insert=True)
    head.last_seq, head.last_hash = event.seq, event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event


def record_many(*, actor, events: list[dict]) -> list[AuditEvent]:
    """Append several events of one ``actor``, in order, inside the caller's transaction, locking
    the chain head once and inserting in bulk (imports that write thousands of objects). Each dict
    takes ``record``'s keywords (action, target or target_type/target_id/target_label, before,
    after, reason, on_behalf_of); the chain is exactly what as many ``record`` calls would give."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_many() must run inside the service's transaction")
    if not events:
        return []
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": GENESIS})
    user = actor if getattr(actor, "pk", None) else None
    label = actor.get_username() if user else "system"
    request_id, now = current_request_id() or "", timezone.now()
    seq, prev, rows = head.last_seq, head.last_hash, []
    for e in events:
        if "." not in e["action"]:
            raise ValueError("audit action codes are namespaced, e.g. catalog.item.published")
        target = e.get("target")
        target_type, target_id, target_label = e.get("target_type", ""), e.get("target_id", ""), e.get(
            "target_label", "")
        if target is not None:
            target_type = target_type or f"{target._meta.app_label}.{target._meta.model_name}"
            target_id = target_id or str(target.pk)
            target_label = target_label or str(target)[:300]
        seq += 1
        event = AuditEvent(
            seq=seq, action=e["action"], actor=user, actor_label=label, on_behalf_of=e.get("on_behalf_of", ""),
            target_type=target_type, target_id=str(target_id), target_label=target_label,
            before=jsonable(e["before"]) if e.get("before") is not None else None,
            after=jsonable(e["after"]) if e.get("after") is not None else None,
            reason=e.get("reason", ""), request_id=request_id, created_at=now, prev_hash=prev,
        )
        event.hash = prev = chain_hash(prev, event)
        rows.append(event)
    AuditEvent.objects.bulk_create(rows, batch_size=500)
    head.last_seq, head.last_hash = seq, prev
    head.save(update_fields=["last_seq", "last_hash"])
    return rows


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify(events: Iterable[AuditEvent] | None = None) -> VerifyResult:
    """Walk the chain from the first event; report the first event that does not fit."""
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq,
                                f"event #{expected_seq} is missing (next stored is #{event.seq})")
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.seq,
                                f"event #{event.seq} does not follow its predecessor (inserted or reordered)")
        if chain_hash(event.prev_hash, event) != event.hash:
            return VerifyResult(False, checked, event.seq, f"event #{event.seq} was altered after it was written")
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.last_seq != checked or head.last_hash != expected_prev):
        return VerifyResult(False, checked, checked + 1,
                            f"events after #{checked} were removed (the chain head records #{head.last_seq})")
    return VerifyResult(True, checked)


def history(target_type: str, target_id: str):
    return AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("seq")


