"""Chinese full-text search over current published items.

Text is segmented with jieba (search mode) into space-separated tokens, stored in ``SearchEntry``
and indexed by SQLite FTS5 (unicode61 tokenizer over the pre-segmented text) or a PostgreSQL
``simple`` tsvector with a GIN index. Items whose name contains the query rank first, then by BM25
(SQLite, name column weighted 10×) or ts_rank (PostgreSQL, name weight A, body weight D). If the
segmented query finds nothing, a substring match on the name is tried.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from .models import ImplementationItem, ItemVersion, Region, SearchEntry, VersionState

log = logging.getLogger(__name__)
_WORD = re.compile(r"[\w]+", re.UNICODE)


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokens(text: str) -> list[str]:
    seen, out = set(), []
    for tok in _jieba().cut_for_search(text or ""):
        tok = tok.strip().lower()
        if tok and _WORD.fullmatch(tok) and tok not in seen:
            seen.add(tok)
            out.append(tok)
    return out


def segment(text: str) -> str:
    return " ".join(tokens(text))


def _body_text(version: ItemVersion) -> str:
    parts = [version.acceptance_conditions, version.legal_basis, version.result_name, " ".join(version.keywords),
             version.item.catalog_item.name, version.item.organ.name]
    parts += [m.name for m in version.materials.all()]
    parts += [t.name for t in version.topics.all()]
    return "\n".join(p for p in parts if p)


def current_version(item: ImplementationItem, day: dt.date | None = None) -> ItemVersion | None:
    day = day or timezone.localdate()
    return (
        item.versions.filter(state=VersionState.PUBLISHED, effective_from__lte=day)
        .exclude(effective_until__lte=day)
        .order_by("-effective_from", "-number")
        .first()
    )


def index_item(item: ImplementationItem, day: dt.date | None = None) -> SearchEntry | None:
    """Bring the item's search row in line with its version in force on ``day`` (today)."""
    version = current_version(item, day)
    if version is None:
        _delete(item)
        return None
    version = (ItemVersion.objects.select_related("item__organ", "item__catalog_item")
               .prefetch_related("materials", "topics").get(pk=version.pk))
    entry, _ = SearchEntry.objects.update_or_create(
        item=item,
        defaults={
            "version": version,
            "name": version.name,
            "name_tokens": segment(version.name),
            "body_tokens": segment(_body_text(version)),
            "region_code": item.organ.region_id,
            "organ_id": item.organ_id,
            "item_type": item.catalog_item.item_type,
            "topic_codes": " ".join(sorted(t.code for t in version.topics.all())),
        },
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DELETE FROM catalog_search_fts WHERE rowid = %s", [entry.pk])
            cur.execute("INSERT INTO catalog_search_fts(rowid, name, body) VALUES (%s, %s, %s)",
                        [entry.pk, entry.name_tokens, entry.body_tokens])
    return entry


def _delete(item: ImplementationItem) -> None:
    entry = SearchEntry.objects.filter(item=item).first()
    if entry is None:
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DELETE FROM catalog_search_fts WHERE rowid = %s", [entry.pk])
    entry.delete()


@dataclass(frozen=True)
class SearchPage:
    ids: list[int]  # SearchEntry ids, best first
    total: int


def _filters(region: Region | None, organ_id: int | None, item_type: str | None, topic: str | None):
    sql, params = [], []
    if region is not None:
        sql.append("e.region_code LIKE %s")
        params.append(region.prefix + "%")
    if organ_id:
        sql.append("e.organ_id = %s")
        params.append(organ_id)
    if item_type:
        sql.append("e.item_type = %s")
        params.append(item_type)
    if topic:
        sql.append("(' ' || e.topic_codes || ' ') LIKE %s")
        params.append(f"% {topic} %")
    return sql, params


def search(q: str, *, region: Region | None = None, organ_id: int | None = None, item_type: str | None = None,
           topic: str | None = None, offset: int = 0, limit: int = 20) -> SearchPage:
    q = (q or "").strip()[:100]
    terms = tokens(q)
    where, params = _filters(region, organ_id, item_type, topic)
    if not terms:
        return _browse(where, params, offset, limit)
    page = _fts(q, terms, where, params, offset, limit)
    if page.total == 0:
        page = _substring(q, where, params, offset, limit)
    return page


def _run(sql: str, params: list, count_sql: str, count_params: list, offset: int, limit: int) -> SearchPage:
    with connection.cursor() as cur:
        cur.execute(count_sql, count_params)
        total = cur.fetchone()[0]
        if total == 0 or offset >= total:
            return SearchPage([], total)
        cur.execute(sql + " LIMIT %s OFFSET %s", [*params, limit, offset])
        return SearchPage([row[0] for row in cur.fetchall()], total)


def _fts(q: str, terms: list[str], where: list[str], params: list, offset: int, limit: int) -> SearchPage:
    like = "%" + q.replace("%", "").replace("_", "") + "%"
    if connection.vendor == "sqlite":
        match = " AND ".join('"' + t.replace('"', "") + '"' for t in terms)
        cond = " AND ".join(["catalog_search_fts MATCH %s", *where])
        base = f"FROM catalog_search_fts f JOIN catalog_searchentry e ON e.id = f.rowid WHERE {cond}"
        sql = (f"SELECT e.id {base} ORDER BY (CASE WHEN e.name LIKE %s THEN 0 ELSE 1 END), "
               "bm25(catalog_search_fts, 10.0, 1.0), e.id")
        return _run(sql, [match, *params, like], f"SELECT count(*) {base}", [match, *params], offset, limit)
    query = " & ".join(t.replace("'", "").replace("\\", "") for t in terms)
    cond = " AND ".join(["e.document @@ to_tsquery('simple', %s)", *where])
    base = f"FROM catalog_searchentry e WHERE {cond}"
    sql = (f"SELECT e.id {base} ORDER BY (e.name ILIKE %s) DESC, "
           "ts_rank(e.document, to_tsquery('simple', %s)) DESC, e.id")
    return _run(sql, [query, *params, like, query], f"SELECT count(*) {base}", [query, *params], offset, limit)


def _substring(q: str, where: list[str], params: list, offset: int, limit: int) -> SearchPage:
    like = "%" + q.replace("%", "").replace("_", "") + "%"
    op = "LIKE" if connection.vendor == "sqlite" else "ILIKE"
    cond = " AND ".join([f"e.name {op} %s", *where])
    base = f"FROM catalog_searchentry e WHERE {cond}"
    return _run(f"SELECT e.id {base} ORDER BY e.name, e.id", [like, *params], f"SELECT count(*) {base}",
                [like, *params], offset, limit)


def _browse(where: list[str], params: list, offset: int, limit: int) -> SearchPage:
    cond = " AND ".join(where) or "1=1"
    base = f"FROM catalog_searchentry e WHERE {cond}"
    return _run(f"SELECT e.id {base} ORDER BY e.item_type, e.name, e.id", params, f"SELECT count(*) {base}",
                params, offset, limit)
