"""The in-memory index each process searches: postings built from ``SearchEntry.terms/weights``.

A snapshot holds, per term, the slots (entries) that have it and their impacts, in compressed rows
(one numpy array of slots and one of impacts, with each term's range). Scoring a query adds
``weight × IDF × impact`` into a score array for every term of the plan (any term may match), with a
bit per concept matched, so the cost is that of array additions, bounded by the postings of the
query's terms, whatever the size of the catalogue.

Freshness: every change to the index or the vocabulary appends a row to ``SearchChange``. Before each
search, one indexed query reads the newest row; when it differs from what this process loaded, the
changed items are re-read and put in an overlay (their old slots are masked), or, when the overlay
grows large, when rows were pruned or rolled back, the whole snapshot is rebuilt. The vocabulary is
reloaded whenever a vocabulary row is newer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from ..models import SearchChange
from .index import idf
from .lexicon import Lexicon
from .vocabulary import Vocabulary

OVERLAY_LIMIT = 2000
_COLUMNS = "id, item_id, name, terms, weights, region_code, organ_id, item_type, topic_codes"


@dataclass
class Segment:
    """Compressed postings of some slots: ``ranges[term] = (start, end)`` into slots/impacts."""

    ranges: dict[str, tuple[int, int]]
    slots: np.ndarray
    impacts: np.ndarray

    @classmethod
    def build(cls, rows: list[tuple], first_slot: int) -> Segment:
        term_ids: dict[str, int] = {}
        tids, slots, imps = [], [], []
        for offset, row in enumerate(rows):
            terms = row[3].split()
            if not terms:
                continue
            weights = np.frombuffer(bytes(row[4]), dtype=np.float32)
            tids.extend(term_ids.setdefault(t, len(term_ids)) for t in terms)
            slots.append(np.full(len(terms), first_slot + offset, dtype=np.int32))
            imps.append(weights[:len(terms)])
        if not tids:
            return cls({}, np.zeros(0, np.int32), np.zeros(0, np.float32))
        tid = np.asarray(tids, dtype=np.int32)
        order = np.argsort(tid, kind="stable")
        tid_sorted = tid[order]
        all_slots = np.concatenate(slots)[order]
        all_imps = np.concatenate(imps)[order]
        bounds = np.searchsorted(tid_sorted, np.arange(len(term_ids) + 1))
        ranges = {t: (int(bounds[i]), int(bounds[i + 1])) for t, i in term_ids.items()}
        return cls(ranges, all_slots, all_imps)

    def postings(self, term: str):
        r = self.ranges.get(term)
        if r is None:
            return None
        return self.slots[r[0]:r[1]], self.impacts[r[0]:r[1]]


@dataclass
class Snapshot:
    state: tuple  # (newest change id, its token) when built
    ids: np.ndarray  # SearchEntry pk per slot
    item_ids: np.ndarray
    names: list[str]
    regions: np.ndarray
    organs: np.ndarray
    types: np.ndarray
    topics: list[str]
    alive: np.ndarray
    segments: list[Segment]
    base_size: int
    vocabulary: Vocabulary
    vocab_state: int = 0
    masks: dict = field(default_factory=dict)
    _lexicon: Lexicon | None = None
    _vectors: tuple | None = None  # (matrix, has_vector) for the semantic stage, loaded on first use
    _derived: dict = field(default_factory=dict)

    def derived(self, key: str, per_name) -> list:
        """``per_name(name)`` for every slot, computed once per base (shared by the snapshots built
        on it) plus the overlay's slots."""
        cache = self._derived.get(key)
        if cache is None:
            base_key = (id(self.segments[0]), key)
            base = _base_derived.get(base_key)
            if base is None or base[0] is not self.segments[0]:
                base = (self.segments[0], [per_name(n) for n in self.names[:self.base_size]])
                _base_derived[base_key] = base
                for stale in [k for k, v in _base_derived.items() if v[0] is not self.segments[0]]:
                    del _base_derived[stale]
            cache = base[1] + [per_name(n) for n in self.names[self.base_size:]]
            self._derived[key] = cache
        return cache

    def derived_array(self, key: str, per_name, dtype) -> np.ndarray:
        """``derived`` as a numpy array (converted once per snapshot)."""
        array = self._derived.get((key, "array"))
        if array is None:
            array = np.asarray(self.derived(key, per_name), dtype=dtype)
            self._derived[(key, "array")] = array
        return array

    def vectors(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Item vectors (float32, one row per slot) and which slots have one; None when no item has."""
        if self._vectors is None:
            matrix, has = _base_vectors(self.segments[0], self.ids[:self.base_size])
            if len(self.ids) > self.base_size:
                extra_ids = [int(i) for i in self.ids[self.base_size:]]
                extra, extra_has = _load_vectors(extra_ids)
                matrix, has = np.vstack([matrix, extra]), np.concatenate([has, extra_has])
            self._vectors = (matrix, has)
        matrix, has = self._vectors
        return (matrix, has) if has.any() else None

    def main_items(self) -> np.ndarray:
        """Per slot, the item id of its main item (主项), or -1 for an item that is no sub-item; read
        once per snapshot (a change of main item re-indexes the sub-item, which makes a new one)."""
        array = self._derived.get("main_items")
        if array is None:
            from govhall.catalog.models import ImplementationItem

            parents = dict(ImplementationItem.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
            array = np.asarray([parents.get(int(i), -1) for i in self.item_ids], dtype=np.int64)
            self._derived["main_items"] = array
        return array

    @property
    def live(self) -> int:
        return int(self.alive.sum())

    def slot_of_item(self) -> dict[int, int]:
        return {int(i): s for s, i in enumerate(self.item_ids) if self.alive[s]}

    def df(self, term: str) -> int:
        return sum(int(r[1] - r[0]) for seg in self.segments if (r := seg.ranges.get(term)))

    def known(self, term: str) -> bool:
        return any(term in seg.ranges for seg in self.segments)

    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            phrases = [p for entries in self.vocabulary.by_first.values() for e in entries for p in e.canonical]
            self._lexicon = Lexicon.build(self.names[:self.base_size], phrases, set(self.vocabulary.terms))
        return self._lexicon

    def mask(self, region_prefix: str | None, organ_id: int | None, item_type: str | None,
             topic: str | None) -> np.ndarray:
        key = (region_prefix, organ_id, item_type, topic)
        cached = self.masks.get(key)
        if cached is not None:
            return cached
        mask = self.alive.copy()
        if region_prefix:
            mask &= np.char.startswith(self.regions, region_prefix)
        if organ_id:
            mask &= self.organs == organ_id
        if item_type:
            mask &= self.types == item_type
        if topic:
            mask &= np.asarray([topic in t.split() for t in self.topics], dtype=bool)
        if len(self.masks) > 256:
            self.masks.clear()
        self.masks[key] = mask
        return mask

    def score(self, terms: dict[str, list]) -> tuple[np.ndarray, np.ndarray]:
        """Scores and matched-concept bits of every slot for the plan's terms."""
        n = len(self.ids)
        scores = np.zeros(n, dtype=np.float32)
        bits = np.zeros(n, dtype=np.int64)
        total = max(self.live, 1)
        for term, (weight, concept_bits) in terms.items():
            found = [p for seg in self.segments if (p := seg.postings(term)) is not None]
            if not found:
                continue
            w = np.float32(weight * idf(sum(len(s) for s, _ in found), total))
            for slots, imps in found:
                scores[slots] += w * imps
                if concept_bits:
                    bits[slots] |= concept_bits
        return scores, bits


_lock = threading.Lock()
_cache: dict[str, Snapshot] = {}
_base_vector_cache: dict[int, tuple] = {}
_base_derived: dict[tuple, tuple] = {}


def _base_vectors(segment: Segment, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The base slots' vectors, shared by every snapshot built on the same base."""
    cached = _base_vector_cache.get(id(segment))
    if cached is None or cached[0] is not segment:
        _base_vector_cache.clear()
        cached = (segment, *_load_vectors([int(i) for i in ids]))
        _base_vector_cache[id(segment)] = cached
    return cached[1], cached[2]


def _load_vectors(ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    from .semantic import DIM

    matrix = np.zeros((len(ids), DIM), dtype=np.float32)
    has = np.zeros(len(ids), dtype=bool)
    where = {pk: i for i, pk in enumerate(ids)}
    with connection.cursor() as cur:
        cur.execute("SELECT id, embedding FROM catalog_searchentry WHERE embedding IS NOT NULL")
        for pk, blob in cur.fetchall():
            i = where.get(pk)
            if i is not None and blob:
                vector = np.frombuffer(bytes(blob), dtype=np.float16)
                if len(vector) == DIM:
                    matrix[i] = vector.astype(np.float32)
                    has[i] = True
    return matrix, has


def current() -> Snapshot:
    """This process's snapshot for the default database, brought up to date with the change log."""
    alias = connection.alias + ":" + str(connection.settings_dict.get("NAME"))
    with connection.cursor() as cur:
        cur.execute("SELECT id, token FROM catalog_searchchange ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
    newest = (row[0], row[1]) if row else (0, 0)
    snap = _cache.get(alias)
    if snap is not None and snap.state == newest:
        return snap
    with _lock:
        snap = _cache.get(alias)
        if snap is None or snap.state != newest:
            snap = _refresh(snap, newest)
            _cache[alias] = snap
        return snap


def clear() -> None:
    with _lock:
        _cache.clear()


def _refresh(snap: Snapshot | None, newest: tuple) -> Snapshot:
    if snap is None or newest[0] <= snap.state[0]:
        return _build(newest)
    changes = list(SearchChange.objects.filter(id__gt=snap.state[0], id__lte=newest[0])
                   .values_list("id", "kind", "item_id").order_by("id"))
    # Rows pruned, rolled back or re-used: the log no longer connects to what was loaded.
    if not changes or not _connected(snap.state):
        return _build(newest)
    if any(kind == SearchChange.ENTRY and item_id is None for _, kind, item_id in changes):
        return _build(newest)
    item_ids = {item_id for _, kind, item_id in changes if kind == SearchChange.ENTRY}
    vocabulary, vocab_state = snap.vocabulary, snap.vocab_state
    if any(kind == SearchChange.VOCABULARY for _, kind, _ in changes):
        vocabulary, vocab_state = Vocabulary.load(), newest[0]
    if not item_ids:
        return Snapshot(**{**snap.__dict__, "state": newest, "vocabulary": vocabulary, "vocab_state": vocab_state,
                           "masks": {}, "_lexicon": None, "_vectors": None,
                           "_derived": {}})
    if len(snap.ids) - snap.base_size + len(item_ids) > OVERLAY_LIMIT:
        return _build(newest)
    return _overlay(snap, newest, item_ids, vocabulary, vocab_state)


def _connected(state: tuple) -> bool:
    """The change row this process loaded up to is still there, with the same token."""
    return SearchChange.objects.filter(id=state[0], token=state[1]).exists() or state[0] == 0


def _rows(where: str = "", params=()) -> list[tuple]:
    with connection.cursor() as cur:
        # ``where`` is one of this module's fixed strings with %s placeholders
        cur.execute(f"SELECT {_COLUMNS} FROM catalog_searchentry {where} ORDER BY id", list(params))  # noqa: S608
        return cur.fetchall()


def _build(newest: tuple) -> Snapshot:
    rows = _rows()
    n = len(rows)
    return Snapshot(
        state=newest,
        ids=np.asarray([r[0] for r in rows], dtype=np.int64),
        item_ids=np.asarray([r[1] for r in rows], dtype=np.int64),
        names=[r[2] for r in rows],
        regions=np.asarray([r[5] for r in rows], dtype="<U9"),
        organs=np.asarray([r[6] for r in rows], dtype=np.int64),
        types=np.asarray([r[7] for r in rows], dtype="<U2"),
        topics=[r[8] or "" for r in rows],
        alive=np.ones(n, dtype=bool),
        segments=[Segment.build(rows, 0)],
        base_size=n,
        vocabulary=Vocabulary.load(),
        vocab_state=newest[0],
    )


def _overlay(snap: Snapshot, newest: tuple, item_ids: set[int], vocabulary, vocab_state) -> Snapshot:
    """A new snapshot sharing the base postings: the changed items' old slots masked, their current
    rows appended as new slots with postings of their own (all overlay rows in one segment)."""
    alive = snap.alive.copy()
    changed = np.isin(snap.item_ids, np.asarray(sorted(item_ids), dtype=np.int64))
    alive &= ~changed
    old_overlay = [s for s in range(snap.base_size, len(snap.ids)) if alive[s]]
    keep_ids = [int(snap.ids[s]) for s in old_overlay]
    marks = ", ".join(["%s"] * len(item_ids))
    rows = _rows(f"WHERE item_id IN ({marks})", sorted(item_ids))
    if keep_ids:
        rows = _rows(f"WHERE id IN ({', '.join(['%s'] * len(keep_ids))})", keep_ids) + rows
    base = snap.base_size
    overlay = Segment.build(rows, base)
    n_overlay = len(rows)
    return Snapshot(
        state=newest,
        ids=np.concatenate([snap.ids[:base], np.asarray([r[0] for r in rows], dtype=np.int64)]),
        item_ids=np.concatenate([snap.item_ids[:base], np.asarray([r[1] for r in rows], dtype=np.int64)]),
        names=snap.names[:base] + [r[2] for r in rows],
        regions=np.concatenate([snap.regions[:base], np.asarray([r[5] for r in rows], dtype="<U9")]),
        organs=np.concatenate([snap.organs[:base], np.asarray([r[6] for r in rows], dtype=np.int64)]),
        types=np.concatenate([snap.types[:base], np.asarray([r[7] for r in rows], dtype="<U2")]),
        topics=snap.topics[:base] + [r[8] or "" for r in rows],
        alive=np.concatenate([alive[:base], np.ones(n_overlay, dtype=bool)]),
        segments=[snap.segments[0], overlay],
        base_size=base,
        vocabulary=vocabulary,
        vocab_state=vocab_state,
    )
