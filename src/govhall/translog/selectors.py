"""Transparency log reads: entries, roots, inclusion and consistency proofs, signed tree heads.

Everything here is public information (a transparency log is published), so there is no actor.
Proofs cost O(log n): the ranges a proof needs are decomposed into at most ~2·log2(n) stored perfect
subtrees (``LogNode``), read with one primary-key ``IN`` query, plus at most log2(n) hashes for the
incomplete right edge. The pure verifiers of ``merkle`` are re-exported for callers.
"""

from __future__ import annotations

from dataclasses import dataclass

from govhall.core.errors import DomainError, NotFound
from govhall.crypto import keystore

from . import merkle
from .merkle import consistency_ranges, inclusion_ranges, nodes_for, range_hash
from .models import LogEntry, LogHead, LogNode, SignedTreeHead, node_key
from .services import HASHER, sth_message, timestamp_ms

__all__ = [
    "LogCheck", "check_log", "consistency_proof", "entry", "inclusion_proof", "latest_sth", "leaf_hash_of",
    "root_at", "sth_by_size", "sth_dict", "tree_size", "verify_consistency", "verify_inclusion", "verify_sth",
]

verify_inclusion = merkle.verify_inclusion
verify_consistency = merkle.verify_consistency


def leaf_hash_of(data: bytes) -> bytes:
    """``SM3(0x00 || data)``: the leaf hash of a leaf input."""
    return HASHER.leaf(data)


def tree_size() -> int:
    return LogHead.objects.filter(pk=1).values_list("size", flat=True).first() or 0


def entry(index: int) -> LogEntry:
    """Raises NotFound for an index not (or no longer) in the log."""
    found = LogEntry.objects.filter(index=index).first()
    if found is None:
        raise NotFound(f"no log entry {index}")
    return found


def _check_size(size: int, label: str = "tree_size") -> None:
    current = tree_size()
    if not 0 <= size <= current:
        raise DomainError.single("translog.size.invalid", f"树大小须在 0 到 {current} 之间",
                                 f"{label} must be between 0 and the log's size {current}", label)


def _nodes(keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    if not keys:
        return {}
    rows = LogNode.objects.filter(key__in=[node_key(level, index) for level, index in keys]).values_list(
        "level", "index", "hash")
    found = {(level, index): bytes(h) for level, index, h in rows}
    if len(found) != len(keys):
        missing = [k for k in keys if k not in found]
        raise RuntimeError(f"transparency log storage is missing subtree hashes {missing[:5]}")
    return found


def _hashes(ranges: list[tuple[int, int]]) -> list[bytes]:
    nodes = _nodes(nodes_for(ranges))
    return [range_hash(lo, hi, nodes, HASHER) for lo, hi in ranges]


def root_at(size: int) -> bytes:
    """``MTH`` of the first ``size`` leaves (the empty hash for 0). DomainError beyond the log's size."""
    _check_size(size)
    if size == 0:
        return HASHER.empty()
    return _hashes([(0, size)])[0]


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    """``PATH(index, D[tree_size])`` (RFC 9162 §2.1.3.1), siblings from the leaf up. DomainError
    unless ``0 <= index < tree_size <= size of the log``."""
    _check_size(tree_size)
    if not 0 <= index < tree_size:
        raise DomainError.single("translog.index.invalid", "条目序号须小于树大小",
                                 "leaf index must be below tree_size", "index")
    return _hashes(inclusion_ranges(index, tree_size))


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """``PROOF(old_size, D[new_size])`` (RFC 9162 §2.1.4.1). Empty when the sizes are equal or
    ``old_size`` is 0. DomainError unless ``0 <= old_size <= new_size <= size of the log``."""
    _check_size(new_size, "new_size")
    if not 0 <= old_size <= new_size:
        raise DomainError.single("translog.size.invalid", "旧树大小不能大于新树大小",
                                 "old_size must not exceed new_size", "old_size")
    return _hashes(consistency_ranges(old_size, new_size))


# --- signed tree heads ----------------------------------------------------------------------------


def latest_sth() -> SignedTreeHead:
    """The most recent signed tree head; NotFound before the first is signed."""
    sth = SignedTreeHead.objects.order_by("-tree_size", "-timestamp", "-pk").first()
    if sth is None:
        raise NotFound("no signed tree head yet")
    return sth


def sth_by_size(size: int) -> SignedTreeHead:
    sth = SignedTreeHead.objects.filter(tree_size=size).order_by("-timestamp", "-pk").first()
    if sth is None:
        raise NotFound(f"no signed tree head of size {size}")
    return sth


def verify_sth(sth: SignedTreeHead) -> bool:
    """True if ``sth``'s SM2 signature covers its tree size, root hash and timestamp."""
    message = sth_message(tree_size=sth.tree_size, root_hash=bytes(sth.root_hash),
                          timestamp=timestamp_ms(sth.timestamp))
    return keystore.verify(key_id=sth.key_id, data=message, signature=bytes(sth.signature))


def sth_dict(sth: SignedTreeHead) -> dict:
    """The published form (hex hashes and signature; ``signed`` is the exact signed message)."""
    timestamp = timestamp_ms(sth.timestamp)
    return {"tree_size": sth.tree_size, "root_hash": bytes(sth.root_hash).hex(), "timestamp": timestamp,
            "hash_algorithm": "sm3", "key_id": sth.key_id, "signature": bytes(sth.signature).hex(),
            "signed": sth_message(tree_size=sth.tree_size, root_hash=bytes(sth.root_hash),
                                  timestamp=timestamp).decode("utf-8")}


# --- full audit (monitors, O(n)) ------------------------------------------------------------------


@dataclass(frozen=True)
class LogCheck:
    ok: bool
    checked: int
    problem: str = ""
    index: int | None = None


def check_log(*, chunk_size: int = 5000) -> LogCheck:
    """Recompute the whole tree from the stored leaf data and compare: every leaf hash, every stored
    perfect subtree, the head's size and root, and every signed tree head's root (O(n), for
    monitors and after restores; proofs do not depend on it)."""
    frontier: list[bytes] = []
    stored_nodes = LogNode.objects.values_list("level", "index", "hash").order_by("key")
    expected_index = 0
    roots: dict[int, bytes] = {0: HASHER.empty()}
    sth_sizes = set(SignedTreeHead.objects.values_list("tree_size", flat=True))
    computed: dict[tuple[int, int], bytes] = {}
    for e in LogEntry.objects.order_by("index").iterator(chunk_size=chunk_size):
        if e.index != expected_index:
            return LogCheck(False, expected_index, f"entry #{expected_index} is missing", expected_index)
        leaf = HASHER.leaf(e.leaf_data)
        if leaf != bytes(e.leaf_hash):
            return LogCheck(False, expected_index, f"entry #{e.index} does not match its leaf hash", e.index)
        frontier, completed = merkle.frontier_append(frontier, expected_index, leaf, HASHER)
        for level, index, h in completed:
            computed[(level, index)] = h
        expected_index += 1
        if expected_index in sth_sizes:
            roots[expected_index] = merkle.frontier_root(frontier, HASHER)
    for level, index, h in stored_nodes.iterator(chunk_size=chunk_size):
        if computed.pop((level, index), None) != bytes(h):
            return LogCheck(False, expected_index, f"stored subtree ({level}, {index}) does not match the leaves",
                            index << level)
    if computed:
        level, index = min(computed, key=lambda k: k[1] << k[0])
        return LogCheck(False, expected_index, f"stored subtree ({level}, {index}) is missing", index << level)
    head = LogHead.objects.filter(pk=1).first()
    size, root = (head.size, bytes(head.root)) if head else (0, HASHER.empty())
    if size != expected_index:
        return LogCheck(False, expected_index, f"the head records {size} entries, {expected_index} are stored",
                        expected_index)
    if root != merkle.frontier_root(frontier, HASHER):
        return LogCheck(False, expected_index, "the head's root does not match the leaves")
    for sth in SignedTreeHead.objects.all():
        if roots.get(sth.tree_size) != bytes(sth.root_hash):
            return LogCheck(False, expected_index, f"signed tree head of size {sth.tree_size} does not match")
    return LogCheck(True, expected_index)
