"""The transparency log's tables: entries (leaves), stored perfect subtrees, the head, signed heads.

Hashes are raw bytes (32, SM3). Rows are only ever inserted, except the single ``LogHead`` row that
each append updates under a lock. See docs/transparency-log.md.
"""

from __future__ import annotations

import json

from django.db import models
from django.utils.translation import gettext_lazy as _

# A perfect subtree (level, index) is stored under one integer key, so a proof's O(log n) nodes are
# read with one primary-key ``IN`` query. 48 bits of index: 2.8·10^14 leaves; levels 0..48.
INDEX_BITS = 48


def node_key(level: int, index: int) -> int:
    if not 0 <= index < 1 << INDEX_BITS or not 0 <= level <= INDEX_BITS:
        raise ValueError("node out of range")
    return (level << INDEX_BITS) | index


class LogEntry(models.Model):
    """One leaf. ``data`` is the leaf input exactly as hashed: the canonical JSON (sorted keys, no
    spaces, UTF-8) of ``{"kind", "payload", "logged_at"}``; ``leaf_hash = SM3(0x00 || data)``."""

    index = models.PositiveBigIntegerField(_("index"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    data = models.TextField(_("leaf data (canonical JSON)"))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    created_at = models.DateTimeField(_("logged at"))

    class Meta:
        ordering = ["index"]
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"

    @property
    def leaf_data(self) -> bytes:
        return self.data.encode("utf-8")

    @property
    def payload(self) -> dict:
        return json.loads(self.data)["payload"]


class LogNode(models.Model):
    """The hash of one complete (perfect) subtree: ``level`` 0 are the leaf hashes, level ``l`` node
    ``index`` covers leaves ``[index·2^l, (index+1)·2^l)``. Written once, when an append completes it."""

    key = models.BigIntegerField(primary_key=True)  # node_key(level, index)
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("log node")
        verbose_name_plural = _("log nodes")

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class LogHead(models.Model):
    """Single row: the current size and root, and the frontier (the hashes of the perfect subtrees
    along the right edge, largest first, concatenated) so an append needs no other read. Locking it
    serialises appends, as ``core.AuditChainHead`` does for the audit chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField(default=0)
    root = models.BinaryField(max_length=32)
    frontier = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"size {self.size}"


class SignedTreeHead(models.Model):
    """A tree head signed with SM2 by the key of purpose ``translog.sth``. The signed bytes are
    ``services.sth_message(...)`` (canonical JSON, see docs/transparency-log.md)."""

    tree_size = models.PositiveBigIntegerField(_("tree size"), db_index=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    timestamp = models.DateTimeField(_("timestamp"))
    key_id = models.CharField(_("signing key"), max_length=80)
    signature = models.BinaryField(_("SM2 signature (DER)"))

    class Meta:
        ordering = ["-tree_size", "-timestamp"]
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")

    def __str__(self) -> str:
        return f"STH size {self.tree_size} {bytes(self.root_hash).hex()[:16]}"
