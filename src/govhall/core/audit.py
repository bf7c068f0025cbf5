"""Tamper-evident audit log.

Every event stores ``hash = SM3(prev_hash || canonical(event))`` where ``canonical`` is the event's
content as sorted, compact UTF-8 JSON. Appends lock the single chain-head row, so concurrent
transactions queue instead of forking the chain; the head also records the last sequence number,
so deleting events from the end is detected as well as editing, inserting or deleting in the middle.

The head row lives beside the events, so whoever can rewrite one can rewrite the other. The head is
therefore also *anchored* outside the chain's tables: an anchor store (the transparency log registers
one, see ``translog/anchors.py``) keeps signed ``(seq, head hash, time)`` anchors, and ``verify``
fails when the chain is shorter than, or disagrees with, the latest anchor. Core defines only the
interface (``AnchorStore``), so the lowest layer imports nothing of the layers above it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection
from django.utils import timezone

from .actors import is_system
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


def lock_head() -> AuditChainHead:
    """The chain head, locked until the caller's transaction ends. A writer that also locks another
    single-row head (the transparency log's) takes this one first, so the two never deadlock."""
    # The head row is seeded by a migration; created here too for databases emptied by a flush.
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": GENESIS})
    return head


def _user(actor):
    """The user to link the event to: none for the system actor (``core.actors.SYSTEM`` or None)."""
    if is_system(actor) or not getattr(actor, "pk", None):
        return None
    return actor


def _label(actor) -> str:
    user = _user(actor)
    return user.get_username() if user is not None else "system"


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

    ``actor`` is a user or ``core.actors.SYSTEM`` (None still means the system too): the system is
    recorded with the label "system" and no user. ``target`` is a model instance (its type, pk
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
    head = lock_head()
    event = AuditEvent(
        seq=head.last_seq + 1,
        action=action,
        actor=_user(actor),
        actor_label=_label(actor),
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
    head = lock_head()
    user, label = _user(actor), _label(actor)
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


# --- anchors: the head, signed and kept where the chain's own tables are not -----------------------


@dataclass(frozen=True)
class Anchor:
    """A signed statement that event ``seq`` had hash ``head_hash`` at ``anchored_at``, as an anchor
    store found it. ``problem`` is set when the store could not authenticate it (bad signature, not
    in the signed log): such an anchor makes verification fail rather than pass."""

    seq: int
    head_hash: str
    anchored_at: dt.datetime
    source: str
    problem: str = ""


class AnchorStore(Protocol):
    """Where anchors are kept. ``latest`` returns the most recent authenticated anchor or None;
    ``anchor`` checks the chain since the previous anchor, then signs and stores the current head
    (inside the caller's transaction) and returns the new anchor."""

    def latest(self) -> Anchor | None: ...

    def anchor(self, *, actor) -> Anchor: ...


_anchor_stores: list[AnchorStore] = []


def register_anchor_store(store: AnchorStore) -> None:
    """Called by the app that keeps anchors (from its ``AppConfig.ready``); idempotent."""
    if store not in _anchor_stores:
        _anchor_stores.append(store)


def anchor_stores() -> list[AnchorStore]:
    return list(_anchor_stores)


def latest_anchors() -> list[Anchor]:
    return [a for a in (store.latest() for store in _anchor_stores) if a is not None]


def anchor_head(*, actor) -> list[Anchor]:
    """Anchor the current head in every registered store, now (the periodic job does it hourly).
    Raises RuntimeError when no store is installed, and whatever a store raises when the chain does
    not extend its previous anchor (nothing is anchored then)."""
    if not _anchor_stores:
        raise RuntimeError("no audit anchor store is installed")
    return [store.anchor(actor=actor) for store in _anchor_stores]


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""
    anchor: Anchor | None = None  # the latest anchor the chain was compared with, if any


def _walk(events: Iterable[AuditEvent], *, after_seq: int, after_hash: str,
          want: frozenset[int] = frozenset()) -> tuple[VerifyResult | None, int, str, dict[int, str]]:
    """Check ``events`` (in ``seq`` order) as the continuation of event ``after_seq`` whose hash is
    ``after_hash``. Returns (failure or None, last seq, last hash, hashes of the ``want`` seqs)."""
    expected_prev, expected_seq, checked = after_hash, after_seq + 1, after_seq
    found: dict[int, str] = {}
    for event in events:
        if event.seq != expected_seq:
            return (VerifyResult(False, checked, expected_seq,
                                 f"event #{expected_seq} is missing (next stored is #{event.seq})"),
                    checked, expected_prev, found)
        if event.prev_hash != expected_prev:
            return (VerifyResult(False, checked, event.seq,
                                 f"event #{event.seq} does not follow its predecessor (inserted or reordered)"),
                    checked, expected_prev, found)
        if chain_hash(event.prev_hash, event) != event.hash:
            return (VerifyResult(False, checked, event.seq, f"event #{event.seq} was altered after it was written"),
                    checked, expected_prev, found)
        if event.seq in want:
            found[event.seq] = event.hash
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    return None, checked, expected_prev, found


def _head_problem(checked: int, last_hash: str) -> VerifyResult | None:
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.last_seq != checked or head.last_hash != last_hash):
        return VerifyResult(False, checked, checked + 1,
                            f"events after #{checked} were removed (the chain head records #{head.last_seq})")
    return None


def _anchor_problem(anchor: Anchor, checked: int, hashes: dict[int, str]) -> VerifyResult | None:
    if anchor.problem:
        return VerifyResult(False, checked, anchor.seq,
                            f"the latest anchor ({anchor.source}) cannot be trusted: {anchor.problem}", anchor)
    if anchor.seq > checked:
        return VerifyResult(False, checked, checked + 1,
                            f"the chain ends at #{checked} but was anchored at #{anchor.seq} ({anchor.source}, "
                            f"{_utc(anchor.anchored_at)}): events were removed", anchor)
    if anchor.seq and hashes.get(anchor.seq) != anchor.head_hash:
        return VerifyResult(False, checked, anchor.seq,
                            f"event #{anchor.seq} is not the one anchored ({anchor.source}, "
                            f"{_utc(anchor.anchored_at)}): the chain was rewritten", anchor)
    return None


def verify(events: Iterable[AuditEvent] | None = None) -> VerifyResult:
    """Walk the chain from the first event; report the first event that does not fit. Then compare
    with the chain head row and with the latest anchor of every registered anchor store: a chain
    shorter than an anchor, or whose anchored event has another hash, is broken even when the head
    row was rewritten to match."""
    anchors = latest_anchors()
    if events is None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    failure, checked, last_hash, hashes = _walk(events, after_seq=0, after_hash=GENESIS,
                                                want=frozenset(a.seq for a in anchors))
    if failure:
        return failure
    if failure := _head_problem(checked, last_hash):
        return failure
    for anchor in anchors:
        if failure := _anchor_problem(anchor, checked, hashes):
            return failure
    latest = max(anchors, key=lambda a: a.seq, default=None)
    return VerifyResult(True, checked, anchor=latest)


def verify_since(*, seq: int, head_hash: str) -> VerifyResult:
    """Check only what was appended after event ``seq`` (whose hash must still be ``head_hash``): the
    events after it link up and end at the chain head. O(new events); what an anchor store runs
    before anchoring, so that an anchor never vouches for a chain that does not extend the last one."""
    if seq:
        stored = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if stored is None:
            return VerifyResult(False, seq - 1, seq, f"the anchored event #{seq} is missing")
        if stored != head_hash:
            return VerifyResult(False, seq - 1, seq, f"event #{seq} is not the one anchored")
    events = AuditEvent.objects.filter(seq__gt=seq).order_by("seq").iterator(chunk_size=2000)
    failure, checked, last_hash, _ = _walk(events, after_seq=seq, after_hash=head_hash)
    return failure or _head_problem(checked, last_hash) or VerifyResult(True, checked)


def history(target_type: str, target_id: str):
    return AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).order_by("seq")


