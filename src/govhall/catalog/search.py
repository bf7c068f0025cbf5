"""Chinese full-text search over current published items.

Text is segmented with jieba (search mode) into space-separated tokens, stored in ``SearchEntry``
and indexed by SQLite FTS5 (unicode61 tokenizer over the pre-segmented text) or a PostgreSQL
``simple`` tsvector with a GIN index. Items with every query term in the name or keywords rank first, then by BM25
(SQLite, name column weighted 10×) or ts_rank (PostgreSQL, name weight A, body weight D). Names are
also indexed as character bigrams, so that when the segmented query finds nothing, the query is
looked up as a substring of names through a phrase match over bigrams (indexed on both databases).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.utils import timezone

from .models import ImplementationItem, ItemVersion, Region, SearchEntry, in_force_q

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
        item.versions.filter(in_force_q(day))
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
    entry, _ = SearchEntry.objects.update_or_create(item=item, defaults=entry_values(version))
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("DELETE FROM catalog_search_fts WHERE rowid = %s", [entry.pk])
            cur.execute("INSERT INTO catalog_search_fts(rowid, name, body, grams) VALUES (%s, %s, %s, %s)",
                        [entry.pk, entry.name_tokens, entry.body_tokens, entry.name_grams])
    return entry


def entry_values(version: ItemVersion) -> dict:
    """The search row of a version (item, organ, catalogue item, materials and topics loaded)."""
    item = version.item
    return {
        "version": version,
        "name": version.name,
        "name_tokens": segment(" ".join([version.name, *version.keywords])),
        "name_grams": " ".join(bigrams(version.name)),
        "body_tokens": segment(_body_text(version)),
        "region_code": item.organ.region_id,
        "organ_id": item.organ_id,
        "item_type": item.catalog_item.item_type,
        "topic_codes": " ".join(sorted(t.code for t in version.topics.all())),
    }


def bulk_index(versions: list[ItemVersion]) -> int:
    """Search rows for many versions at once (onboarding a list, load data): ``versions`` are the
    versions in force of their items, with item, organ, catalogue item, materials and topics loaded
    or prefetched; existing rows of their items are replaced."""
    item_ids = [v.item_id for v in versions]
    if connection.vendor == "sqlite":
        old = list(SearchEntry.objects.filter(item_id__in=item_ids).values_list("pk", flat=True))
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM catalog_search_fts WHERE rowid = %s", [[pk] for pk in old])
    SearchEntry.objects.filter(item_id__in=item_ids).delete()
    rows = SearchEntry.objects.bulk_create([SearchEntry(item_id=v.item_id, **entry_values(v)) for v in versions],
                                           batch_size=500)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.executemany("INSERT INTO catalog_search_fts(rowid, name, body, grams) VALUES (%s, %s, %s, %s)",
                            [[e.pk, e.name_tokens, e.body_tokens, e.name_grams] for e in rows])
    return len(rows)


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
    capped: bool = False  # more than COUNT_CAP matches: ``total`` is a lower bound


# A tier with more than WINDOW matches is ordered over its first WINDOW candidates, so that a query
# matching most of a large catalogue ("许可") costs about what a rare one does. Counting stops at COUNT_CAP.
WINDOW = 500
COUNT_CAP = 10000


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


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each run of word characters: the substring index of names."""
    out = []
    for run in _WORD.findall((text or "").lower()):
        out += [run[i:i + 2] for i in range(len(run) - 1)] or [run]
    return out


def search(q: str, *, region: Region | None = None, organ_id: int | None = None, item_type: str | None = None,
           topic: str | None = None, offset: int = 0, limit: int = 20) -> SearchPage:
    """Rank tiers: (1) every term in the name, (2) every term anywhere, (3) the query as a substring
    of the name. Within a tier: BM25 (SQLite) or ts_rank (PostgreSQL) over its candidate window."""
    q = (q or "").strip()[:100]
    terms = tokens(q)
    where, params = _filters(region, organ_id, item_type, topic)
    if not terms:
        return _browse(where, params, offset, limit)
    backend = _SQLITE if connection.vendor == "sqlite" else _POSTGRES
    needed = offset + limit
    name_count = _count(backend.name_tier(terms), where, params)
    total = _count(backend.any_tier(terms), where, params)
    ids: list[int] = []
    if name_count:
        ids += _fetch(backend, backend.name_tier(terms), name_count, where, params, needed)
    if len(ids) < needed and total > name_count:
        ids += _fetch(backend, backend.body_tier(terms), total - name_count, where, params, needed - len(ids))
    if total == 0 and len(q) >= 2:
        substring = backend.substring_tier(bigrams(q))
        total = _count(substring, where, params)
        ids = _fetch(backend, substring, total, where, params, needed) if total else []
    return SearchPage(ids[offset:offset + limit], min(total, COUNT_CAP), total > COUNT_CAP)


def _count(tier, where, params) -> int:
    """Matches of a tier, counting no further than COUNT_CAP + 1."""
    cond_sql, cond_params = tier
    backend = _SQLITE if connection.vendor == "sqlite" else _POSTGRES
    sql = backend.count_sql if where else backend.bare_count_sql
    with connection.cursor() as cur:
        cur.execute(sql.format(cond=" AND ".join([cond_sql, *where]), cap=COUNT_CAP + 1), [*cond_params, *params])
        return cur.fetchone()[0]


def _fetch(backend, tier, count: int, where, params, needed: int) -> list[int]:
    """A tier's candidates, best first; at least ``needed`` of them when the tier has that many.

    Relevance scoring (BM25 / ts_rank) is used when the matches fit in the window; for broader
    matches it would cost time proportional to the whole match set, so the first WINDOW candidates
    are ordered by name length instead (shorter names are the more specific matches).
    """
    cond_sql, cond_params = tier
    cond = " AND ".join([cond_sql, *where])
    with connection.cursor() as cur:
        if count <= WINDOW:
            cur.execute(backend.ranked_sql.format(cond=cond),
                        [*cond_params, *params, *backend.score_params(cond_params)])
        else:
            window = max(WINDOW, needed)  # deep pages widen the window rather than come back empty
            cur.execute(backend.window_sql.format(cond=cond, window=window), [*cond_params, *params])
        return [row[0] for row in cur.fetchall()]


class _SQLITE:
    count_sql = ("SELECT count(*) FROM (SELECT 1 FROM catalog_search_fts JOIN catalog_searchentry e "
                 "ON e.id = catalog_search_fts.rowid WHERE {cond} LIMIT {cap})")
    bare_count_sql = "SELECT count(*) FROM (SELECT 1 FROM catalog_search_fts WHERE {cond} LIMIT {cap})"
    ranked_sql = ("SELECT e.id FROM catalog_search_fts JOIN catalog_searchentry e ON e.id = catalog_search_fts.rowid "
                  "WHERE {cond} ORDER BY bm25(catalog_search_fts, 10.0, 1.0, 0.0), e.id")
    window_sql = ("SELECT id FROM (SELECT e.id AS id, length(e.name) AS len FROM catalog_search_fts "
                  "JOIN catalog_searchentry e ON e.id = catalog_search_fts.rowid WHERE {cond} LIMIT {window}) "
                  "ORDER BY len, id")

    @staticmethod
    def _all(terms):
        return "(" + " AND ".join('"' + t.replace('"', "") + '"' for t in terms) + ")"

    @classmethod
    def name_tier(cls, terms):
        return "catalog_search_fts MATCH %s", [f"name : {cls._all(terms)}"]

    @classmethod
    def body_tier(cls, terms):
        return "catalog_search_fts MATCH %s", [f"{cls._all(terms)} NOT name : {cls._all(terms)}"]

    @classmethod
    def any_tier(cls, terms):
        return "catalog_search_fts MATCH %s", [cls._all(terms)]

    @staticmethod
    def substring_tier(grams):
        return "catalog_search_fts MATCH %s", ['grams : "' + " ".join(g.replace('"', "") for g in grams) + '"']

    @staticmethod
    def score_params(cond_params):
        return []


class _POSTGRES:
    count_sql = "SELECT count(*) FROM (SELECT 1 FROM catalog_searchentry e WHERE {cond} LIMIT {cap}) s"
    bare_count_sql = count_sql
    ranked_sql = ("SELECT e.id FROM catalog_searchentry e WHERE {cond} "
                  "ORDER BY ts_rank(e.document, to_tsquery('simple', %s)) DESC, e.id")
    window_sql = ("SELECT id FROM (SELECT e.id AS id, length(e.name) AS len FROM catalog_searchentry e "
                  "WHERE {cond} LIMIT {window}) s ORDER BY len, id")

    @staticmethod
    def _q(terms):
        return " & ".join(terms)

    @classmethod
    def name_tier(cls, terms):
        return "e.name_document @@ to_tsquery('simple', %s)", [cls._q(terms)]

    @classmethod
    def body_tier(cls, terms):
        return ("e.document @@ to_tsquery('simple', %s) AND NOT e.name_document @@ to_tsquery('simple', %s)",
                [cls._q(terms), cls._q(terms)])

    @classmethod
    def any_tier(cls, terms):
        return "e.document @@ to_tsquery('simple', %s)", [cls._q(terms)]

    @staticmethod
    def substring_tier(grams):
        return "e.grams_document @@ to_tsquery('simple', %s)", [" <-> ".join(grams)]

    @staticmethod
    def score_params(cond_params):
        return cond_params[:1]


def _browse(where: list[str], params: list, offset: int, limit: int) -> SearchPage:
    cond = " AND ".join(where) or "1=1"
    base = f"FROM catalog_searchentry e WHERE {cond}"
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) {base}", params)
        total = cur.fetchone()[0]
        cur.execute(f"SELECT e.id {base} ORDER BY e.item_type, e.name, e.id LIMIT %s OFFSET %s",
                    [*params, limit, offset])
        return SearchPage([row[0] for row in cur.fetchall()], total)
