"""Audit chain anchors in the transparency log.

The audit chain's head row sits beside the events it vouches for: someone who can delete the last
events can also set the head back. So the head is *anchored* here as well: hourly (periodic job
``translog.audit_anchor``) and on demand (``govhall audit anchor``), the current ``(seq, head hash)``
is signed with SM2 by the key store's key of purpose ``audit.anchor`` and appended to the log as an
entry of kind ``audit.anchor``. ``core.audit.verify`` asks this store for the latest anchor and fails
when the chain is shorter than it or disagrees with it.

Why an attacker with write access to the database cannot simply forge a newer anchor: the signing
key's private half is wrapped under the master key, which is not in the database, and an anchor is
trusted only when its key opens under that master key (``keystore.key_is_genuine``), so a key pair
inserted into the table signs nothing that counts. Why the log helps: it is append-only with signed
tree heads that third parties fetch; rolling the log back far enough to drop an anchor contradicts
every tree head published since (see docs/audit.md for what remains possible).

Signed bytes (canonical JSON, as the tree heads): ``{"anchored_at": "<UTC, µs>", "head_hash":
"<64 hex>", "seq": <int>, "version": "govhall-audit-anchor/1"}``. The log entry's payload carries
these fields plus ``key_id`` and ``signature`` (DER, hex).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.errors import DomainError, NotFound
from govhall.crypto import keystore

from . import merkle, selectors, services
from .models import LogEntry

log = logging.getLogger(__name__)

ANCHOR_KIND = "audit.anchor"
ANCHOR_KEY_PURPOSE = "audit.anchor"
ANCHOR_VERSION = "govhall-audit-anchor/1"


def anchor_message(*, seq: int, head_hash: str, anchored_at: str) -> bytes:
    """The exact bytes the anchor's SM2 signature covers."""
    return services.canonical_json({"anchored_at": anchored_at, "head_hash": head_hash, "seq": int(seq),
                                    "version": ANCHOR_VERSION})


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def _in_signed_log(entry: LogEntry) -> str:
    """'' when the latest signed tree head (if it covers the entry yet) proves the entry is in the
    log, else what is wrong."""
    try:
        sth = selectors.latest_sth()
    except NotFound:
        return ""
    if sth.tree_size <= entry.index:
        return ""  # anchored after the last tree head: the next hourly head covers it
    if not (selectors.verify_sth(sth) and keystore.key_is_genuine(sth.key_id)):
        return f"the signed tree head of size {sth.tree_size} does not verify"
    try:
        path = selectors.inclusion_proof(entry.index, sth.tree_size)
    except (DomainError, RuntimeError) as exc:
        return f"no inclusion proof in the signed tree of size {sth.tree_size}: {exc}"
    if not merkle.verify_inclusion(leaf_hash=selectors.leaf_hash_of(entry.leaf_data), index=entry.index,
                                   tree_size=sth.tree_size, path=path, root=bytes(sth.root_hash)):
        return f"the entry is not in the signed tree of size {sth.tree_size}"
    return ""


def anchor_of(entry: LogEntry) -> audit.Anchor:
    """The anchor an ``audit.anchor`` log entry states, with ``problem`` set unless its signature is
    by a genuine ``audit.anchor`` key of this platform and the signed log contains it."""
    source = f"transparency log entry #{entry.index}"
    try:
        p = entry.payload
        seq, head_hash, anchored_at = int(p["seq"]), str(p["head_hash"]), str(p["anchored_at"])
        key_id, signature = str(p["key_id"]), bytes.fromhex(p["signature"])
        when = _parse_time(anchored_at)
    except (KeyError, TypeError, ValueError) as exc:
        return audit.Anchor(0, "", entry.created_at, source, f"malformed anchor entry ({exc})")
    message = anchor_message(seq=seq, head_hash=head_hash, anchored_at=anchored_at)
    problem = ""
    if not key_id.startswith(f"{ANCHOR_KEY_PURPOSE}-") or not keystore.verify(
            key_id=key_id, data=message, signature=signature):
        problem = "its signature does not verify"
    elif not keystore.key_is_genuine(key_id):
        problem = f"its key {key_id} was not made under this platform's master key"
    else:
        problem = _in_signed_log(entry)
    return audit.Anchor(seq, head_hash, when, source, problem)


def latest_anchor() -> audit.Anchor | None:
    entry = LogEntry.objects.filter(kind=ANCHOR_KIND).order_by("-index").first()
    return anchor_of(entry) if entry else None


@transaction.atomic
def anchor_audit_head(*, actor=None) -> LogEntry:
    """Sign the audit chain's current head and append it to the log.

    Before signing, checks that the chain still extends the previous anchor (O(events since)):
    an anchor never vouches for a rewritten chain. Locks the audit head (then the log head, as every
    append does), so the anchored head is a committed state. The anchoring key (purpose
    ``audit.anchor``) is generated on first use. Audit: translog.anchor.appended (the event after
    the one anchored). Raises DomainError ``translog.anchor.untrusted`` or
    ``translog.anchor.chain_broken`` and anchors nothing when the chain does not extend it.
    """
    services.ensure_key(actor, ANCHOR_KEY_PURPOSE)
    head = audit.lock_head()
    previous = latest_anchor()
    if previous is not None and previous.problem:
        raise DomainError.single("translog.anchor.untrusted", f"最近的审计锚点不可信：{previous.problem}",
                                 f"the latest audit anchor cannot be trusted: {previous.problem}")
    since = audit.verify_since(seq=previous.seq if previous else 0,
                               head_hash=previous.head_hash if previous else audit.GENESIS)
    if not since.ok:
        log.error("audit chain not anchored, it does not extend the last anchor: %s", since.problem)
        raise DomainError.single("translog.anchor.chain_broken",
                                 f"审计链与上一个锚点不连续，未锚定：{since.problem}",
                                 f"the audit chain does not extend its last anchor, not anchored: {since.problem}")
    anchored_at = services.utc_text(timezone.now())
    message = anchor_message(seq=head.last_seq, head_hash=head.last_hash, anchored_at=anchored_at)
    key_id, signature = keystore.sign(purpose=ANCHOR_KEY_PURPOSE, data=message)
    entry = services.append(kind=ANCHOR_KIND, payload={
        "version": ANCHOR_VERSION, "seq": head.last_seq, "head_hash": head.last_hash, "anchored_at": anchored_at,
        "key_id": key_id, "signature": signature.hex()})
    audit.record(actor=actor, action="translog.anchor.appended", target=entry,
                 after={"seq": head.last_seq, "head_hash": head.last_hash, "index": entry.index})
    # also in the process log, which usually ends up on another machine
    log.info("audit chain anchored: event #%s %s (transparency log entry #%s, %s)", head.last_seq,
             head.last_hash, entry.index, anchored_at)
    return entry


class TransparencyLogAnchors:
    """The anchor store ``core.audit`` consults (registered in ``TranslogConfig.ready``)."""

    def latest(self) -> audit.Anchor | None:
        return latest_anchor()

    def anchor(self, *, actor) -> audit.Anchor:
        return anchor_of(anchor_audit_head(actor=actor))

    def __eq__(self, other) -> bool:
        return isinstance(other, TransparencyLogAnchors)

    def __hash__(self) -> int:
        return hash(TransparencyLogAnchors)


STORE = TransparencyLogAnchors()
