"""Search rows: one ``SearchEntry`` per item with a version in force, holding its index terms and
their BM25F impacts, and a line in the change log for every change so that every process's
in-memory index (engine.py) follows.

Fields and weights (BM25F): the item name 1.0, keywords 0.8, the catalogue item's name 0.5 (when it
differs), the organ 0.25 and the guide text 0.12 (conditions, legal basis, result, materials,
topics). Names, keywords, catalogue names and organs are indexed as words, character bigrams and
single characters; guide text as words only.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.utils import timezone

from ..models import ImplementationItem, ItemVersion, SearchChange, SearchEntry, in_force_q
from . import text

K1 = 1.2


@dataclass(frozen=True)
class Field:
    weight: float
    avg_len: float  # characters
    b: float
    grams: bool


FIELDS = {
    "name": Field(1.0, 14, 0.5, True),
    "keywords": Field(0.8, 8, 0.3, True),
    "catalog": Field(0.5, 14, 0.5, True),
    "organ": Field(0.25, 8, 0.3, True),
    "body": Field(0.12, 120, 0.5, False),
}


def impacts(fields: dict[str, str]) -> dict[str, float]:
    """BM25F term impacts of an item from its field texts: per term, the field-weighted, length-
    normalised frequency, saturated (k1 = 1.2). The query side multiplies by IDF and query weight."""
    pseudo: Counter = Counter()
    for key, value in fields.items():
        if not value:
            continue
        spec = FIELDS[key]
        norm = (1 - spec.b) + spec.b * len(value) / spec.avg_len
        counts = text.field_terms(value, grams=spec.grams)
        if spec.grams:  # 食品(含保健食品)经营许可 also as 食品经营许可: pairs across the brackets
            for term, tf in text.field_terms(text.strip_brackets(value), grams=True).items():
                counts[term] = max(counts[term], tf)
        for term, tf in counts.items():
            pseudo[term] += spec.weight * tf / norm
    return {t: round(v * (K1 + 1) / (v + K1), 4) for t, v in pseudo.items() if len(t) <= 40}


def encode(weights: dict[str, float]) -> tuple[str, bytes]:
    terms = list(weights)
    return " ".join(terms), np.asarray([weights[t] for t in terms], dtype=np.float32).tobytes()


def version_fields(version: ItemVersion) -> dict[str, str]:
    item = version.item
    organ = item.organ
    body = [version.acceptance_conditions, version.legal_basis, version.result_name]
    body += [m.name for m in version.materials.all()]
    body += [t.name for t in version.topics.all()]
    catalog_name = item.catalog_item.name
    return {
        "name": version.name,
        "keywords": " ".join(version.keywords or []),
        "catalog": catalog_name if text.normalise(catalog_name) != text.normalise(version.name) else "",
        "organ": " ".join(n for n in (organ.name, organ.short_name) if n),
        "body": "\n".join(p for p in body if p),
    }


def current_version(item: ImplementationItem, day: dt.date | None = None) -> ItemVersion | None:
    day = day or timezone.localdate()
    return item.versions.filter(in_force_q(day)).order_by("-effective_from", "-number").first()


def entry_values(version: ItemVersion) -> dict:
    """The SearchEntry columns for ``version`` (its item, organ, catalogue item, materials and topics
    loaded or prefetched)."""
    item = version.item
    terms, weights = encode(impacts(version_fields(version)))
    return {
        "version": version,
        "name": version.name,
        "terms": terms,
        "weights": weights,
        "embedding": None,
        "region_code": item.organ.region_id,
        "organ_id": item.organ_id,
        "item_type": item.catalog_item.item_type,
        "topic_codes": " ".join(sorted(t.code for t in version.topics.all())),
    }


def index_item(item: ImplementationItem, day: dt.date | None = None) -> SearchEntry | None:
    """Bring the item's search row in line with its version in force on ``day`` (today)."""
    version = current_version(item, day)
    if version is None:
        SearchEntry.objects.filter(item=item).delete()
        log_change(SearchChange.ENTRY, item_ids=[item.pk])
        return None
    version = (ItemVersion.objects.select_related("item__organ", "item__catalog_item")
               .prefetch_related("materials", "topics").get(pk=version.pk))
    values = entry_values(version)
    from . import semantic

    values["embedding"] = semantic.passage_bytes(version.name, values_text(version))
    entry, _ = SearchEntry.objects.update_or_create(item=item, defaults=values)
    log_change(SearchChange.ENTRY, item_ids=[item.pk])
    return entry


def values_text(version: ItemVersion) -> str:
    """What the semantic stage embeds for an item: its name, keywords and organ."""
    fields = version_fields(version)
    return " ".join(p for p in (fields["name"], fields["keywords"], fields["organ"]) if p)


def log_change(kind: str, item_ids: list[int] | None = None) -> None:
    """Tell every process's in-memory index that something changed (see engine.Snapshot)."""
    if kind == SearchChange.ENTRY and item_ids:
        SearchChange.objects.bulk_create([SearchChange(kind=kind, item_id=i, token=_token()) for i in item_ids])
    else:
        SearchChange.objects.create(kind=kind, token=_token())


def _token() -> int:
    return secrets.randbits(62)


def bulk_index(versions: list[ItemVersion]) -> int:
    """Search rows for many versions at once (load data, benchmarks): no per-item change rows, one
    change that makes every process reload. ``versions`` have item, organ, catalogue item, materials
    and topics loaded or prefetched; existing rows of their items are replaced."""
    from . import semantic

    rows = []
    for version in versions:
        values = entry_values(version)
        values["embedding"] = semantic.passage_bytes(version.name, values_text(version))
        rows.append(SearchEntry(item_id=version.item_id, **values))
    SearchEntry.objects.filter(item_id__in=[v.item_id for v in versions]).delete()
    SearchEntry.objects.bulk_create(rows, batch_size=2000)
    log_change(SearchChange.ENTRY)
    return len(rows)


def prune_changes(keep: int = 10_000) -> None:
    """Drop change rows older than the newest ``keep``: a process that was further behind reloads."""
    newest = SearchChange.objects.order_by("-id").values_list("id", flat=True).first()
    if newest and newest > keep:
        SearchChange.objects.filter(id__lte=newest - keep).delete()


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def is_postgres() -> bool:
    return connection.vendor == "postgresql"
