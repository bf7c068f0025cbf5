"""Transparency log writes: append a leaf, sign a tree head.

``append`` runs inside the caller's transaction (the licence issuance or status change it records)
and locks the single ``LogHead`` row (after the audit chain head, which every audited writer locks
too: one order, no deadlock), so concurrent appends queue, as audit events do on the audit chain
head: the leaf and the perfect subtrees it completes commit or roll back with the caller's write.
Leaves are never updated or deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.errors import DomainError, NotFound
from govhall.crypto import keystore

from . import merkle
from .models import LogEntry, LogHead, LogNode, SignedTreeHead, node_key

HASHER = merkle.SM3
HASH_ALGORITHM = "sm3"
STH_KEY_PURPOSE = "translog.sth"
STH_VERSION = "govhall-translog-sth/1"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_.]{1,63}$")


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant spaces, UTF-8 (not \\u escapes); NaN/Infinity refused."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def leaf_data(*, kind: str, payload: dict, logged_at: dt.datetime) -> bytes:
    """The leaf input: canonical JSON of ``{"kind", "logged_at", "payload"}``."""
    return canonical_json({"kind": kind, "logged_at": utc_text(logged_at), "payload": audit.jsonable(payload)})


def split_frontier(blob: bytes) -> list[bytes]:
    blob = bytes(blob)
    size = HASHER.digest_size
    return [blob[i:i + size] for i in range(0, len(blob), size)]


def _locked_head() -> LogHead:
    # Every writer here is audited, so it will lock the audit chain head too: take that one first,
    # always, so that no two transactions ever hold the two heads in opposite orders (a deadlock on
    # PostgreSQL between, say, a licence issuance and the hourly tree head).
    audit.lock_head()
    # No seed migration is needed: the first append creates the row (and a database emptied by a
    # flush gets it back). Two first appends racing on an empty table: one waits, as for audit.
    head, _ = LogHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"size": 0, "root": HASHER.empty(), "frontier": b""})
    return head


def append(*, kind: str, payload: dict) -> LogEntry:
    """Append one leaf recording ``payload`` (JSON-able; dates and decimals become strings) under
    ``kind`` (e.g. ``licenses.issued``), inside the caller's transaction. Returns the entry; its
    ``index`` is its position in the log. O(log n): one head read, one entry and on average two
    node rows written.

    Raises RuntimeError outside a transaction and DomainError for a malformed kind or a payload
    that is not JSON (NaN, objects).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("translog.append() must run inside the caller's transaction")
    if not KIND_PATTERN.match(kind or ""):
        raise DomainError.single("translog.kind.invalid", "日志条目类型格式无效",
                                 "log entry kind must be lower-case letters, digits, '_' and '.'", "kind")
    if not isinstance(payload, dict):
        raise DomainError.single("translog.payload.invalid", "日志内容必须是 JSON 对象",
                                 "the payload must be a JSON object", "payload")
    now = timezone.now()
    try:
        data = leaf_data(kind=kind, payload=payload, logged_at=now)
    except (TypeError, ValueError) as exc:
        raise DomainError.single("translog.payload.invalid", "日志内容不是有效的 JSON",
                                 f"the payload is not JSON: {exc}", "payload") from exc
    leaf_hash = HASHER.leaf(data)
    head = _locked_head()
    frontier, completed = merkle.frontier_append(split_frontier(head.frontier), head.size, leaf_hash, HASHER)
    entry = LogEntry(index=head.size, kind=kind, data=data.decode("utf-8"), leaf_hash=leaf_hash, created_at=now)
    entry.save(force_insert=True)
    LogNode.objects.bulk_create([LogNode(key=node_key(level, index), level=level, index=index, hash=h)
                                 for level, index, h in completed])
    head.size += 1
    head.frontier = b"".join(frontier)
    head.root = merkle.frontier_root(frontier, HASHER)
    head.updated_at = now
    head.save(update_fields=["size", "frontier", "root", "updated_at"])
    return entry


# --- signed tree heads ----------------------------------------------------------------------------


def timestamp_ms(moment: dt.datetime) -> int:
    """Milliseconds since the Unix epoch (RFC 9162's timestamp unit), exact integer arithmetic."""
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def sth_message(*, tree_size: int, root_hash: bytes, timestamp: int) -> bytes:
    """The exact bytes the SM2 signature covers: canonical JSON (sorted keys, no spaces, UTF-8) of
    ``{"hash_algorithm": "sm3", "root_hash": <lower-case hex>, "timestamp": <ms since epoch>,
    "tree_size": <int>, "version": "govhall-translog-sth/1"}``."""
    return canonical_json({"hash_algorithm": HASH_ALGORITHM, "root_hash": bytes(root_hash).hex(),
                           "timestamp": int(timestamp), "tree_size": int(tree_size), "version": STH_VERSION})


def ensure_key(actor, purpose: str = STH_KEY_PURPOSE) -> None:
    """Generate the key of ``purpose`` on first use (audited as crypto.key.generated)."""
    try:
        keystore.active_key(purpose)
    except NotFound:
        try:
            keystore.key_generate(actor=actor, purpose=purpose)
        except DomainError:  # created meanwhile by another transaction (Conflict) or already there
            keystore.active_key(purpose)


@transaction.atomic
def sign_tree_head(*, actor=None) -> SignedTreeHead:
    """Sign the current tree head (size, root, now) with the SM2 key of purpose ``translog.sth``,
    generated on first use. The head row is locked while signing, so the signed size and root are a
    committed state of the log. Audit: translog.sth.signed."""
    ensure_key(actor)
    head = _locked_head()
    now = timezone.now()
    now = now.replace(microsecond=now.microsecond - now.microsecond % 1000)  # the signed unit is 1 ms
    root = bytes(head.root)
    message = sth_message(tree_size=head.size, root_hash=root, timestamp=timestamp_ms(now))
    key_id, signature = keystore.sign(purpose=STH_KEY_PURPOSE, data=message)
    sth = SignedTreeHead.objects.create(tree_size=head.size, root_hash=root, timestamp=now, key_id=key_id,
                                        signature=signature)
    audit.record(actor=actor, action="translog.sth.signed", target=sth,
                 after={"tree_size": sth.tree_size, "root_hash": root.hex(), "key_id": key_id})
    return sth
