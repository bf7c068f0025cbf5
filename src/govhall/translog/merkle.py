"""RFC 9162 (Certificate Transparency 2.0) Merkle trees, pure: no Django, no database.

Definitions (RFC 9162 §2.1.1, unchanged from RFC 6962 §2.1):

- ``MTH({}) = HASH()``; ``MTH({d0}) = HASH(0x00 || d0)``;
- for ``n > 1``, with ``k`` the largest power of two smaller than ``n``:
  ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``.

The hash is SM3 by default (GB/T 32905) and SHA-256 on request (``hasher=SHA256``), which is what the
RFC's own test vectors use. Proof *generation* is written over ranges ``[lo, hi)`` of leaves, so the
same code serves an in-memory list of leaves and the database: every range a proof needs is either
a complete ("perfect") subtree, aligned on its size, or the incomplete right edge of the tree, which
``decompose`` splits into at most ``log2 n`` perfect subtrees. A perfect subtree is named
``(level, index)``: it covers leaves ``[index·2^level, (index+1)·2^level)``.

Proof *verification* follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) step by step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


@dataclass(frozen=True)
class Hasher:
    """A named hash function with the RFC's domain-separated leaf and node hashes."""

    name: str
    digest_size: int

    def hash(self, data: bytes) -> bytes:
        return hashlib.new(self.name, data).digest()

    def empty(self) -> bytes:
        """``MTH({})``: the hash of the empty string."""
        return self.hash(b"")

    def leaf(self, data: bytes) -> bytes:
        return self.hash(LEAF_PREFIX + bytes(data))

    def node(self, left: bytes, right: bytes) -> bytes:
        return self.hash(NODE_PREFIX + bytes(left) + bytes(right))


SM3 = Hasher("sm3", 32)
SHA256 = Hasher("sha256", 32)
HASHERS = {"sm3": SM3, "sha256": SHA256}


# --- tree arithmetic ------------------------------------------------------------------------------


def split_point(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    if n < 2:
        raise ValueError("split_point needs n >= 2")
    return 1 << ((n - 1).bit_length() - 1)


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def decompose(lo: int, hi: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)``, left to right, whose hashes combine (by the MTH split,
    right to left) into ``MTH(D[lo:hi])``.

    Only for the ranges the RFC's recursion produces: ``lo`` is a multiple of a power of two that is
    at least ``hi - lo`` (true of ``[0, n)`` and of every range it splits into). There are
    ``popcount(hi - lo)`` of them, so at most ``log2(n) + 1``.
    """
    size = hi - lo
    if size <= 0:
        raise ValueError("empty range")
    out = []
    while size:
        level = size.bit_length() - 1
        if lo % (1 << level):
            raise ValueError(f"range [{lo}, {hi}) is not one the MTH recursion produces")
        out.append((level, lo >> level))
        lo += 1 << level
        size -= 1 << level
    return out


def range_hash(lo: int, hi: int, perfect: Mapping[tuple[int, int], bytes], hasher: Hasher = SM3) -> bytes:
    """``MTH(D[lo:hi])`` from the hashes of its ``decompose`` subtrees (``perfect[(level, index)]``)."""
    parts = [perfect[key] for key in decompose(lo, hi)]
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = hasher.node(part, result)
    return result


def inclusion_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs form ``PATH(m, D[n])`` (RFC 9162 §2.1.3.1), in proof order
    (from the leaf's sibling up to the root's other child)."""
    if not 0 <= m < n:
        raise ValueError(f"leaf index {m} is not in a tree of size {n}")
    out: list[tuple[int, int]] = []
    lo, hi = 0, n
    while hi - lo > 1:
        k = split_point(hi - lo)
        if m - lo < k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo = lo + k
    out.reverse()  # PATH(m, D[0:k]) : MTH(D[k:n]) - the deepest sibling comes first
    return out


def consistency_ranges(m: int, n: int) -> list[tuple[int, int]]:
    """The leaf ranges whose MTHs form ``PROOF(m, D[n])`` = ``SUBPROOF(m, D[n], true)`` (RFC 9162
    §2.1.4.1), in proof order. Empty when ``m == n`` or ``m == 0``."""
    if not 0 <= m <= n:
        raise ValueError(f"cannot prove consistency from size {m} to size {n}")
    if m == 0 or m == n:
        return []
    out: list[tuple[int, int]] = []
    lo, hi, start = 0, n, True  # subproof of the first m' = m - lo leaves of D[lo:hi]
    while True:
        size = hi - lo
        if m - lo == size:  # SUBPROOF(m, D[m], b): {} if b, else {MTH(D[m])}
            if not start:
                out.append((lo, hi))
            break
        k = split_point(size)
        if m - lo <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, start = lo + k, False
    out.reverse()
    return out


def nodes_for(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Every perfect subtree the given ranges need, each once, in first-use order."""
    seen: dict[tuple[int, int], None] = {}
    for lo, hi in ranges:
        for key in decompose(lo, hi):
            seen.setdefault(key)
    return list(seen)


# --- computing from the leaves (memory) -----------------------------------------------------------


def mth(leaves: Sequence[bytes], hasher: Hasher = SM3) -> bytes:
    """``MTH(D[n])`` of the leaf *data* ``leaves``; O(n) hashes, O(log n) memory."""
    return root_from_leaf_hashes([hasher.leaf(d) for d in leaves], hasher)


def root_from_leaf_hashes(leaf_hashes: Iterable[bytes], hasher: Hasher = SM3) -> bytes:
    frontier: list[bytes] = []
    size = 0
    for h in leaf_hashes:
        frontier, _ = frontier_append(frontier, size, h, hasher)
        size += 1
    return frontier_root(frontier, hasher)


def perfect_subtrees(leaf_hashes: Iterable[bytes], hasher: Hasher = SM3) -> Iterator[tuple[int, int, bytes]]:
    """``(level, index, hash)`` of every perfect subtree of the tree with these leaf hashes (level 0
    being the leaves themselves), in the order appends complete them: what the log stores."""
    frontier: list[bytes] = []
    size = 0
    for h in leaf_hashes:
        frontier, completed = frontier_append(frontier, size, h, hasher)
        size += 1
        yield from completed


def _memory_hashes(leaves: Sequence[bytes], ranges: list[tuple[int, int]], hasher: Hasher) -> list[bytes]:
    leaf_hashes = [hasher.leaf(d) for d in leaves]
    return [root_from_leaf_hashes(leaf_hashes[lo:hi], hasher) for lo, hi in ranges]


def inclusion_path(m: int, leaves: Sequence[bytes], hasher: Hasher = SM3) -> list[bytes]:
    """``PATH(m, D[n])`` for the leaf data ``leaves`` (n = len(leaves))."""
    return _memory_hashes(leaves, inclusion_ranges(m, len(leaves)), hasher)


def consistency_proof(m: int, leaves: Sequence[bytes], hasher: Hasher = SM3) -> list[bytes]:
    """``PROOF(m, D[n])`` for the leaf data ``leaves`` (n = len(leaves))."""
    return _memory_hashes(leaves, consistency_ranges(m, len(leaves)), hasher)


# --- the right edge: appending in O(log n) --------------------------------------------------------


def frontier_append(frontier: Sequence[bytes], size: int, leaf_hash: bytes,
                    hasher: Hasher = SM3) -> tuple[list[bytes], list[tuple[int, int, bytes]]]:
    """Append one leaf to a tree of ``size`` leaves described by its *frontier*: the hashes of the
    perfect subtrees ``decompose(0, size)``, largest first (``popcount(size)`` of them).

    Returns the new frontier and the perfect subtrees the append completes, ``(level, index, hash)``
    from the leaf (level 0) upwards: ``1 + (number of trailing one bits of size)`` of them.
    """
    if len(frontier) != bin(size).count("1"):
        raise ValueError("frontier does not match the tree size")
    stack = list(frontier)
    index, h, level = size, bytes(leaf_hash), 0
    completed = [(0, index, h)]
    while index & 1:  # the new subtree is a right child: merge with its left sibling
        h = hasher.node(stack.pop(), h)
        index >>= 1
        level += 1
        completed.append((level, index, h))
    stack.append(h)
    return stack, completed


def frontier_root(frontier: Sequence[bytes], hasher: Hasher = SM3) -> bytes:
    """``MTH`` of the tree whose frontier this is (the empty hash for the empty tree)."""
    if not frontier:
        return hasher.empty()
    result = frontier[-1]
    for h in reversed(frontier[:-1]):
        result = hasher.node(h, result)
    return result


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ------------------------------------------------


def verify_inclusion(*, leaf_hash: bytes, index: int, tree_size: int, path: Sequence[bytes],
                     root: bytes, hasher: Hasher = SM3) -> bool:
    """RFC 9162 §2.1.3.2: does ``path`` prove that ``leaf_hash`` is leaf ``index`` of the tree of
    ``tree_size`` leaves whose root is ``root``? Never raises for malformed input."""
    try:
        return root_from_inclusion(leaf_hash=leaf_hash, index=index, tree_size=tree_size, path=path,
                                   hasher=hasher) == bytes(root)
    except ValueError:
        return False


def root_from_inclusion(*, leaf_hash: bytes, index: int, tree_size: int, path: Sequence[bytes],
                        hasher: Hasher = SM3) -> bytes:
    """The root an inclusion proof leads to (steps 1-4 of §2.1.3.2); ValueError if the proof is
    malformed (wrong length for the index and size)."""
    if not 0 <= index < tree_size:  # 1.
        raise ValueError("leaf index out of range")
    fn, sn = index, tree_size - 1  # 2.
    r = bytes(leaf_hash)  # 3.
    for p in path:  # 4.
        p = bytes(p)
        if sn == 0:  # a.
            raise ValueError("inclusion proof too long")
        if fn & 1 or fn == sn:  # b.
            r = hasher.node(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hasher.node(r, p)
        fn >>= 1  # c.
        sn >>= 1
    if sn != 0:  # 5.
        raise ValueError("inclusion proof too short")
    return r


def verify_consistency(*, first_size: int, second_size: int, proof: Sequence[bytes], first_root: bytes,
                       second_root: bytes, hasher: Hasher = SM3) -> bool:
    """RFC 9162 §2.1.4.2: does ``proof`` show that the tree of ``second_size`` leaves with root
    ``second_root`` extends the tree of ``first_size`` leaves with root ``first_root``?

    Edge cases outside the RFC's ``0 < first < second``: equal sizes need an empty proof and equal
    roots; the empty tree (size 0, root ``HASH()``) is a prefix of every tree with an empty proof."""
    first_root, second_root = bytes(first_root), bytes(second_root)
    proof = [bytes(c) for c in proof]
    if first_size < 0 or first_size > second_size:
        return False
    if first_size == second_size:
        return not proof and first_root == second_root
    if first_size == 0:
        return not proof and first_root == hasher.empty()
    if not proof:  # 1.
        return False
    if is_power_of_two(first_size):  # 2.
        proof = [first_root, *proof]
    fn, sn = first_size - 1, second_size - 1  # 3.
    while fn & 1:  # 4.
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]  # 5.
    for c in proof[1:]:  # 6.
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            fr = hasher.node(c, fr)
            sr = hasher.node(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hasher.node(sr, c)
        fn >>= 1  # c.
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0  # 7.


__all__ = [
    "HASHERS", "SHA256", "SM3", "Hasher", "consistency_proof", "consistency_ranges", "decompose",
    "frontier_append", "frontier_root", "inclusion_path", "inclusion_ranges", "is_power_of_two", "mth",
    "nodes_for", "perfect_subtrees", "range_hash", "root_from_inclusion", "root_from_leaf_hashes",
    "split_point", "verify_consistency", "verify_inclusion",
]
