"""Query analysis: from what a citizen typed to weighted index terms grouped in concepts.

1. Normalise; a query in Latin letters is read as pinyin of known words (lexicon.py).
2. Find vocabulary entries in it (vocabulary.py): each is a concept whose terms are its catalogue
   words; an alias also boosts its item.
3. Drop stop words (text.STOP_WORDS); each remaining run is a concept of its own words (weight 1,
   single characters 0.35), character bigrams (0.6) and characters (0.15), unless a vocabulary
   entry covers the whole run, in which case the run's terms join that entry's concept.
4. A run the index does not know is corrected to a known word (typo), whose terms join the run's
   concept at 0.8; the corrected query is offered as "did you mean".

Any term may match (OR); the engine sums IDF × impact × weight and rewards items that match more of
the query's concepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import text
from .vocabulary import Vocabulary

WORD, SHORT_WORD, BIGRAM, CHAR = 1.0, 0.35, 0.6, 0.15
CANONICAL = 0.9
CORRECTION = 0.8
MAX_CONCEPTS = 24


@dataclass
class Phrase:
    text: str
    terms: dict[str, float] = field(default_factory=dict)


@dataclass
class Concept:
    """One thing the query asks about: a run of its words or a vocabulary entry. Its phrases are
    alternatives (the run itself, a catalogue word, a correction): an item covers the concept as
    well as it covers the best of them."""

    label: str
    phrases: list[Phrase] = field(default_factory=list)


@dataclass
class Plan:
    normalised: str
    terms: dict[str, list] = field(default_factory=dict)  # term → [weight, concept bits]
    concepts: list[Concept] = field(default_factory=list)
    boost_items: set[int] = field(default_factory=set)
    suggestions: list[str] = field(default_factory=list)
    read_as: str = ""  # the Chinese words a pinyin query was read as

    def add(self, phrase: str, concept: int, *, scale: float = 1.0) -> None:
        """Add ``phrase`` as one alternative of concept number ``concept``."""
        terms: dict[str, float] = {}
        for run in text.runs(phrase):
            for w in text.jieba().cut_for_search(run):
                if w.strip() and w not in text.STOP_WORDS:
                    _put(terms, w, (WORD if len(w) > 1 or not text.is_cjk(w) else SHORT_WORD) * scale)
            if text.is_cjk(run):
                for i in range(len(run) - 1):
                    _put(terms, run[i:i + 2], BIGRAM * scale)
                for ch in run:
                    if text.is_cjk(ch) and ch not in text.STOP_WORDS:
                        _put(terms, ch, CHAR * scale)
        if not terms:
            return
        self.concepts[concept].phrases.append(Phrase(phrase, terms))
        for term, weight in terms.items():
            slot = self.terms.setdefault(term, [0.0, 0])
            slot[0] = max(slot[0], weight)
            if weight >= 0.5:
                slot[1] |= 1 << concept


def _put(terms: dict[str, float], term: str, weight: float) -> None:
    terms[term] = max(terms.get(term, 0.0), weight)


def analyse(q: str, *, vocabulary: Vocabulary, lexicon_fn, known, region_prefix: str | None = None) -> Plan:
    """``lexicon_fn()`` returns the Lexicon (built lazily: only typos and pinyin need it);
    ``known(term)`` says whether the index has the term."""
    normalised = text.normalise(q)[:100]
    plan = Plan(normalised)
    compact = "".join(normalised.split())
    if compact and text.is_ascii_word(compact) and len(compact) >= 2 and compact not in vocabulary.terms:
        read = lexicon_fn().from_pinyin(compact)
        if read:
            plan.read_as = read[0]
            normalised = compact = read[0]
    matches = vocabulary.matches(compact, region_prefix)[:MAX_CONCEPTS // 2]
    for m in matches:
        index = len(plan.concepts)
        plan.concepts.append(Concept(m.entry.term))
        for phrase in m.entry.canonical:
            plan.add(phrase, index, scale=CANONICAL)
        plan.add(m.entry.term, index)
        if m.entry.item_id:
            plan.boost_items.add(m.entry.item_id)
    corrected = normalised
    cursor = 0
    for run in text.content_runs(normalised):
        start = compact.find(run, cursor)
        if start < 0:
            start = cursor
        cursor = start + len(run)
        for segment in _uncovered(run, start, matches):
            if len(plan.concepts) >= MAX_CONCEPTS:
                break
            index = len(plan.concepts)
            plan.concepts.append(Concept(segment))
            plan.add(segment, index)
            fixes = lexicon_fn().correct(segment, known) if _unknown(segment, known) else []
            for word in fixes[:2]:
                plan.add(word, index, scale=CORRECTION)
                for m in vocabulary.matches(word, region_prefix):
                    for phrase in m.entry.canonical:
                        plan.add(phrase, index, scale=CORRECTION * CANONICAL)
            if fixes:
                corrected = _replace(corrected, segment, fixes[0])
    if corrected != normalised:
        plan.suggestions.append(corrected)
    return plan


def _uncovered(run: str, start: int, matches) -> list[str]:
    """The parts of ``run`` (at ``start`` in the compact query) that no vocabulary match covers."""
    covered = [False] * len(run)
    for m in matches:
        for i in range(max(m.start, start), min(m.end, start + len(run))):
            covered[i - start] = True
    parts, current = [], ""
    for ch, hit in zip(run, covered, strict=True):
        if hit:
            if current:
                parts.append(current)
            current = ""
        else:
            current += ch
    if current:
        parts.append(current)
    return [p for p in parts if p not in text.STOP_WORDS]


def _unknown(run: str, known) -> bool:
    """Some character pair of the run is in no item (or the run is a single unknown character)."""
    if len(run) == 1:
        return not known(run)
    return any(not known(run[i:i + 2]) for i in range(len(run) - 1))


def _replace(query: str, run: str, word: str) -> str:
    """``query`` with the part of ``run`` that ``word`` corrects replaced by ``word``."""
    if len(word) == len(run):
        return query.replace(run, word, 1)
    best, best_diff = None, None
    for i in range(len(run) - len(word) + 1):
        window = run[i:i + len(word)]
        diff = sum(a != b for a, b in zip(window, word, strict=True))
        if best_diff is None or diff < best_diff:
            best, best_diff = window, diff
    if best is not None and best_diff is not None and best_diff <= 1:
        return query.replace(best, word, 1)
    return query.replace(run, word, 1)
