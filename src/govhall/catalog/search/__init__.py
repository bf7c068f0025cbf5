"""Catalogue search that understands citizens' words (docs/search.md).

``search()`` analyses the query (query.py: stop words, citizen vocabulary, typos, pinyin), scores
every item of the in-memory index (engine.py) with BM25F over names, keywords, catalogue names,
organs and guide text, where any term may match, and ranks by score × concept coverage. Items
whose score is far below the best are not counted as results; when nothing matches, the page
offers "did you mean" suggestions. An optional semantic stage (semantic.py) re-ranks or fills in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import engine, semantic, text
from .index import bulk_index, current_version, idf, index_item, log_change, prune_changes
from .query import Plan, analyse

__all__ = ["SearchPage", "search", "index_item", "bulk_index", "current_version", "log_change", "prune_changes",
           "bigrams", "tokens", "segment"]

RELATIVE_FLOOR = 0.1  # results score at least this share of the best one …
ABSOLUTE_FLOOR = 0.1  # … and cover at least a tenth of one concept
CANDIDATES = 3000  # the best by raw BM25F when more items match a word of the query
CHARS_ONLY = 0.1  # weight of a concept that only single characters can match
RARE_CHAR = 0.01  # a character in at most this share of items is evidence on its own
SPECIFICITY = 0.25
ACTION_IMPORTANCE = 0.5  # weight of a concept that only names an action (丢了 → 挂失|补领…)
NAME_FIT = 0.15  # share of the name the query explains, among the NAME_FIT_DEPTH best
NAME_FIT_DEPTH = 40
GENERIC_NAME_WORDS = ("办理", "申请", "审批", "服务", "县级行使", "县级", "市级", "核发", "新办", "登记", "备案",
                      "许可", "认定", "确认")
TIE_BREAK = 0.05  # share of the raw BM25F score in the final one
ACTION_PENALTY = 0.9
ALIAS_BONUS = 0.6  # an alias's item gets this share of the best score on top
COUNT_CAP = 10000


@dataclass(frozen=True)
class SearchPage:
    ids: list[int]  # SearchEntry ids, best first
    total: int
    capped: bool = False  # more than COUNT_CAP matches: ``total`` is a lower bound
    suggestions: list[str] = field(default_factory=list)  # "did you mean" queries
    read_as: str = ""  # what a pinyin query was read as


def bigrams(value: str) -> list[str]:
    return text.bigrams(value)


def tokens(value: str) -> list[str]:
    return list(dict.fromkeys(w.lower() for w in text.words(value)))


def segment(value: str) -> str:
    return " ".join(tokens(value))


def search(q: str, *, region=None, organ_id: int | None = None, item_type: str | None = None,
           topic: str | None = None, offset: int = 0, limit: int = 20) -> SearchPage:
    """Items matching ``q`` within the filters, best first (see the module docstring)."""
    snap = engine.current()
    prefix = region.prefix if region is not None else None
    mask = snap.mask(prefix, organ_id, item_type, topic)
    q = (q or "").strip()[:100]
    if not text.runs(q):
        return _browse(snap, mask, offset, limit)
    plan = analyse(q, vocabulary=snap.vocabulary, lexicon_fn=snap.lexicon, known=snap.known, region_prefix=prefix)
    order, total, scored = rank(snap, plan, mask, offset + limit)
    if semantic.enabled():
        order, total = semantic.rerank(snap, plan, mask, order, total, scored, offset + limit)
    suggestions = plan.suggestions if plan.suggestions or total else _fallback_suggestions(snap, plan)
    return SearchPage([int(snap.ids[s]) for s in order[offset:offset + limit]], min(total, COUNT_CAP),
                      total > COUNT_CAP, suggestions[:3], plan.read_as)


def rank(snap, plan: Plan, mask: np.ndarray, needed: int) -> tuple[list[int], int, dict[int, float]]:
    """Slots of the results in rank order (at least ``needed`` of them when there are that many),
    how many results there are, and the scores of the slots returned.

    Candidates are the items with any term of the query (those matching a word or a pair of
    characters when there are such). Each is scored by how well it covers each concept of the query:
    per phrase, its BM25F score over the phrase's own best possible score (capped at 1), the best
    phrase per concept; concepts of characters only count 0.3. The raw BM25F score breaks ties, an
    item whose name names an action the query does not ask for (变更, 注销, 补办…) gives way to one
    that does not, and an alias's item goes first.
    """
    if not plan.terms:
        return [], 0, {}
    scores, bits = snap.score(plan.terms)
    scores = np.where(mask, scores, np.float32(0))
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) == 0:
        return [], 0, {}
    if (bits[candidates] != 0).any():
        candidates = candidates[bits[candidates] != 0]
    elif any(len(c.label) > 1 for c in plan.concepts):
        # Only single characters in common: evidence only when a character is rare in the catalogue
        # (树 in 砍自家的树 → 林木采伐), not when it is everywhere (证, 保, 户).
        rare = [t for t in plan.terms if len(t) == 1 and snap.df(t) <= RARE_CHAR * snap.live]
        if not rare:
            return [], 0, {}
        hit = np.zeros(len(snap.ids), dtype=bool)
        for term in rare:
            for seg in snap.segments:
                if (p := seg.postings(term)) is not None:
                    hit[p[0]] = True
        candidates = candidates[hit[candidates]]
        if len(candidates) == 0:
            return [], 0, {}
    if len(candidates) > CANDIDATES:
        candidates = candidates[np.argpartition(-scores[candidates], CANDIDATES - 1)[:CANDIDATES]]
    coverage = _coverage(snap, plan, candidates)
    raw = scores[candidates]
    final = coverage + TIE_BREAK * raw / max(float(raw.max()), 1e-6)
    final *= _action_factor(snap, plan, candidates)
    head = np.argsort(-final)[:NAME_FIT_DEPTH]
    final[head] += NAME_FIT * _name_fit(snap, plan, candidates[head])
    if plan.boost_items:
        boosted = np.isin(snap.item_ids[candidates], np.asarray(sorted(plan.boost_items), dtype=np.int64))
        final = final + boosted * np.float32(ALIAS_BONUS * float(final.max()))
    best = float(final.max())
    keep = (final >= best * RELATIVE_FLOOR) & (final >= ABSOLUTE_FLOOR)
    candidates, final = candidates[keep], final[keep]
    candidates, final = _fold_main_items(snap, candidates, final)
    total = len(candidates)
    if total == 0:
        return [], 0, {}
    top = min(total, max(needed, 1))
    part = np.argpartition(-final, top - 1)[:top] if top < total else np.arange(total)
    lengths = np.asarray([len(snap.names[s]) for s in candidates[part]])
    order = np.lexsort((candidates[part], lengths, -np.round(final[part], 4)))
    scored = {int(s): float(f) for s, f in zip(candidates[part], final[part], strict=True)}
    return [int(s) for s in candidates[part][order]], total, scored


def _fold_main_items(snap, candidates: np.ndarray, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A main item (主项) is a heading: one applies for one of its sub-items. When a sub-item is among
    the results, its main item gives it the place (its guide lists the sub-items anyway); a main item
    whose sub-items did not match stays."""
    mains = snap.main_items()[candidates]
    present = mains[mains >= 0]
    if len(present) == 0:
        return candidates, final
    keep = ~np.isin(snap.item_ids[candidates], present)
    return candidates[keep], final[keep]


def _coverage(snap, plan: Plan, candidates: np.ndarray) -> np.ndarray:
    """Sum over the plan's concepts of how well each candidate covers it (0..1 each)."""
    n_live = max(snap.live, 1)
    position = np.full(len(snap.ids), -1, dtype=np.int32)
    position[candidates] = np.arange(len(candidates), dtype=np.int32)
    contributions: dict[str, tuple] = {}
    idfs: dict[str, float] = {}
    for term in plan.terms:
        found = [p for seg in snap.segments if (p := seg.postings(term)) is not None]
        if not found:
            continue
        idfs[term] = idf(sum(len(sl) for sl, _ in found), n_live)
        where, values = [], []
        for slots, imps in found:
            pos = position[slots]
            hit = pos >= 0
            where.append(pos[hit])
            values.append(imps[hit])
        contributions[term] = (np.concatenate(where), np.concatenate(values) * np.float32(idfs[term]))
    total = np.zeros(len(candidates), dtype=np.float32)
    for concept in plan.concepts:
        best = np.zeros(len(candidates), dtype=np.float32)
        importance = 0.0
        action = all(p.text in ACTION_WORDS for p in concept.phrases if p.text != concept.label)
        for phrase in concept.phrases:
            ceiling = sum(w * idfs[t] for t, w in phrase.terms.items() if t in idfs)
            if ceiling <= 0:
                continue
            importance = max(importance, 1.0 if any(w >= 0.5 for t, w in phrase.terms.items() if t in idfs)
                             else CHARS_ONLY)
            got = np.zeros(len(candidates), dtype=np.float32)
            for term, weight in phrase.terms.items():
                if term in contributions:
                    where, values = contributions[term]
                    np.add.at(got, where, values * np.float32(weight))
            np.maximum(best, np.minimum(got / np.float32(ceiling), 1), out=best)
        if action and len(concept.phrases) > 1:
            importance *= ACTION_IMPORTANCE
        # A concept that many items cover tells them apart less (an IDF for concepts).
        covering = int((best >= 0.8).sum())
        importance /= 1 + SPECIFICITY * np.log1p(covering)
        total += np.float32(importance) * best
    return total


def _fit_name(name: str) -> str:
    """The name without brackets, generic words and punctuation (what _name_fit measures)."""
    name = text.strip_brackets(name)
    for word in GENERIC_NAME_WORDS:
        name = name.replace(word, "")
    return "".join(text.runs(name))


def _name_fit(snap, plan: Plan, slots: np.ndarray) -> np.ndarray:
    """Share of each name (brackets and generic words aside) that the query's words and pairs
    cover: of two items that cover the query alike, the one whose name says nothing more wins."""
    terms = [t for t, (w, _) in plan.terms.items() if w >= 0.5 and len(t) >= 2]
    out = np.zeros(len(slots), dtype=np.float32)
    fit_names = snap.derived("fit_name", _fit_name)
    for i, slot in enumerate(slots):
        name = fit_names[slot]
        if not name:
            continue
        covered = [False] * len(name)
        for term in terms:
            start = name.find(term)
            while start >= 0:
                covered[start:start + len(term)] = [True] * len(term)
                start = name.find(term, start + 1)
        out[i] = sum(covered) / len(name)
    return out


ACTIONS = ("变更", "注销", "延续", "补办", "补领", "补发", "补证", "换发", "换领", "换证", "迁移", "转出", "转入",
           "转移", "挂失", "解挂", "撤销", "终止", "停业", "歇业", "复业", "恢复", "作废", "封存", "解封", "过户",
           "报停", "延期", "校验", "复审", "复查", "复核", "复评", "年检", "再注册", "重置", "修改", "缴销", "查询",
           "咨询", "投诉", "指引", "更正", "增补", "暂停", "续期", "免职")


ACTION_WORDS = frozenset(ACTIONS) | {"新办", "核发", "申领", "首次", "初次", "设立", "开具", "预约", "遗失",
                                     "补换", "到期换证", "续期", "密码重置", "密码修改", "信息变更", "启用（激活）",
                                     "启用(激活)", "补缴", "断缴补缴", "缴费", "缴纳", "证明"}


def _action_bits(name: str) -> int:
    bits = 0
    for i, action in enumerate(ACTIONS):
        if action in name:
            bits |= 1 << i
    return bits


def _action_factor(snap, plan: Plan, candidates: np.ndarray) -> np.ndarray:
    """ACTION_PENALTY for names that name a life-cycle action (change, cancel, renew, replace…) or
    an enquiry the query does not ask for: asked about a thing, a citizen usually means getting it."""
    asked = 0
    for i, action in enumerate(ACTIONS):
        if action in plan.terms:
            asked |= 1 << i
    bits = snap.derived_array("actions", _action_bits, np.int64)[candidates]
    return np.where((bits & ~asked) != 0, np.float32(ACTION_PENALTY), np.float32(1))


def _browse(snap, mask: np.ndarray, offset: int, limit: int) -> SearchPage:
    """No words: every item within the filters, by type and name."""
    slots = np.flatnonzero(mask)
    order = sorted(slots, key=lambda s: (snap.types[s], snap.names[s], snap.ids[s]))
    return SearchPage([int(snap.ids[s]) for s in order[offset:offset + limit]], len(slots))


def _fallback_suggestions(snap, plan: Plan) -> list[str]:
    """Nothing found and nothing corrected: known words that sound like or differ by a character
    from the query's runs."""
    lexicon = snap.lexicon()
    out = []
    for concept in plan.concepts:
        for word in lexicon.correct(concept.label, lambda _t: False)[:2]:
            if word not in out:
                out.append(word)
    return out
