"""The citizen vocabulary at query time: which entries a query contains and what they expand to.

Entries are read from ``SearchSynonym`` (active ones) into a per-process table, reloaded when the
change log shows a vocabulary change (engine.current_state). A query contains an entry when the
entry's everyday word is a substring of the normalised query (spaces removed); an entry inside a
longer one that also matched is dropped (社保卡 wins over 社保).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import text


@dataclass(frozen=True)
class Entry:
    term: str
    canonical: tuple[str, ...]
    item_id: int | None = None  # aliases: the item they name
    region_prefix: str = ""  # "" everywhere
    parts: tuple[str, ...] = ()  # the word's own words, when it has several of two characters or more


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry


@dataclass
class Vocabulary:
    by_first: dict[str, list[Entry]] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()
    split: list[Entry] = field(default_factory=list)

    @classmethod
    def load(cls) -> Vocabulary:
        from ..models import SearchEntry, SearchSynonym, SynonymKind

        rows = list(SearchSynonym.objects.filter(active=True).select_related("region")
                    .values_list("term", "canonical", "kind", "item_id", "region__code", "region__level"))
        alias_items = {r[3] for r in rows if r[2] == SynonymKind.ALIAS}
        names = dict(SearchEntry.objects.filter(item_id__in=alias_items).values_list("item_id", "name"))
        entries = []
        for term, canonical, kind, item_id, region_code, region_level in rows:
            term = "".join(text.normalise(term).split())
            if not term:
                continue
            phrases = [p for p in (canonical or []) if p]
            if kind == SynonymKind.ALIAS:
                if item_id not in names:
                    continue  # the item is not published now
                phrases = [names[item_id], *phrases]
            prefix = ""
            if region_code:
                prefix = {"province": region_code[:2], "city": region_code[:4], "county": region_code[:6]}.get(
                    region_level, region_code)
            parts = tuple(text.jieba().cut(term)) if len(term) >= 4 else ()
            if len(parts) < 2 or any(len(p) < 2 for p in parts):
                parts = ()
            entries.append(Entry(term, tuple(dict.fromkeys(phrases)), item_id if kind == SynonymKind.ALIAS else None,
                                 prefix, parts))
        vocab = cls()
        for entry in sorted(entries, key=lambda e: -len(e.term)):
            vocab.by_first.setdefault(entry.term[0], []).append(entry)
        vocab.terms = frozenset(e.term for e in entries)
        vocab.split = [e for e in entries if e.parts]
        return vocab

    def matches(self, query: str, region_code: str | None = None) -> list[Match]:
        """Entries whose word occurs in ``query`` (normalised, spaces removed), longest first at each
        position, without those lying inside another match. ``region_code``: the search's region
        filter; region-scoped entries apply when their region and the filter's overlap. Words found
        with other words between their parts give way to words found as they are."""
        found = []
        for i, ch in enumerate(query):
            for entry in self.by_first.get(ch, ()):
                if query.startswith(entry.term, i) and _applies(entry, region_code):
                    found.append(Match(i, i + len(entry.term), entry))
        # A word also matches with other words between its parts: its jieba words for four characters
        # or more (上班的时候受伤 → 上班受伤), its characters below (开个小饭馆 → 开饭馆, 砍自家的树 → 砍树).
        substrings = {m.entry for m in found}
        exact = _outermost(found)
        found = []
        for ch in set(query):
            for entry in self.by_first.get(ch, ()):
                if entry in substrings or not _applies(entry, region_code):
                    continue
                parts = entry.parts or (tuple(entry.term) if len(entry.term) <= 3 else ())
                if len(parts) < 2:
                    continue
                slack = 6 if entry.parts else 3
                start = query.find(parts[0])
                while start >= 0:
                    end = start + len(parts[0])
                    for part in parts[1:]:
                        at = query.find(part, end)
                        end = at + len(part) if at >= 0 else -1
                        if end < 0:
                            break
                    if end > 0 and end - start <= len(entry.term) + slack:
                        found.append(Match(start, end, entry))
                        break
                    start = query.find(parts[0], start + 1)
        gapped = [m for m in _outermost(found) if not any(m.start < k.end and k.start < m.end for k in exact)]
        return sorted(exact + gapped, key=lambda m: m.start)


def _outermost(found: list[Match]) -> list[Match]:
    """The matches not lying inside a longer one."""
    kept: list[Match] = []
    for m in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
        if not any(k.start <= m.start and m.end <= k.end for k in kept):
            kept.append(m)
    return kept


def _applies(entry: Entry, region_code: str | None) -> bool:
    if not entry.region_prefix or not region_code:
        return True
    return region_code.startswith(entry.region_prefix) or entry.region_prefix.startswith(region_code)
