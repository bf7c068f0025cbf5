"""Known words for typo correction, "did you mean" and pinyin input.

The lexicon is the words of item names (jieba, two characters or more) and of the vocabulary
(everyday words and catalogue words). A run of the query that the index does not know is corrected
to a known word that sounds the same (same toneless pinyin: 身分证 → 身份证) or differs by one
character (营业执造 → 营业执照). A query typed in Latin letters is read as full pinyin or initials of
known words (shebaoka → 社保卡, sfz → 身份证).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

from . import text


@lru_cache(maxsize=1)
def _pypinyin():
    import pypinyin

    return pypinyin


@lru_cache(maxsize=50_000)
def pinyin(word: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of a Chinese word (non-Chinese characters kept as they are)."""
    py = _pypinyin()
    return tuple(s for s in py.lazy_pinyin(word, style=py.Style.NORMAL, errors="default") if s)


class Lexicon:
    def __init__(self, name_words: Counter, vocabulary_words: set[str]):
        self.frequency: Counter = Counter(name_words)
        self.vocabulary = set(vocabulary_words)
        for w in vocabulary_words:
            self.frequency[w] += 1
        self.words = {w for w in self.frequency if len(w) >= 2 and text.is_cjk(w)}
        self._by_sound: dict[str, set[str]] | None = None
        self._by_initials: dict[str, set[str]] | None = None
        self._by_deletion: dict[tuple[int, str], set[str]] = defaultdict(set)
        for w in self.words:
            for i in range(len(w)):
                self._by_deletion[(i, w[:i] + w[i + 1:])].add(w)

    @classmethod
    def build(cls, names: list[str], vocabulary_phrases: list[str], vocabulary_terms: set[str]) -> Lexicon:
        counts: Counter = Counter()
        for name in set(names):
            for run in text.runs(name):
                counts.update(w for w in text.jieba().cut(run) if len(w) >= 2)
        vocab_words = {t for t in vocabulary_terms if text.is_cjk(t)}
        for phrase in vocabulary_phrases:
            for run in text.runs(phrase):
                vocab_words.update(w for w in text.jieba().cut(run) if len(w) >= 2)
        return cls(counts, vocab_words)

    def _sound_maps(self):
        if self._by_sound is None:
            by_sound, by_initials = defaultdict(set), defaultdict(set)
            for w in self.words:
                syllables = pinyin(w)
                by_sound["".join(syllables)].add(w)
                by_initials["".join(s[0] for s in syllables)].add(w)
            self._by_sound, self._by_initials = by_sound, by_initials
        return self._by_sound, self._by_initials

    def _rank(self, words) -> list[str]:
        return sorted(words, key=lambda w: (w not in self.vocabulary, -len(w), -self.frequency[w], w))

    def correct(self, run: str, known) -> list[str]:
        """Known words for a run the index does not know, best first: whole-run homophones, then
        one-character substitutions, then the same for the run's windows of 2 to 4 characters that
        contain an unknown pair (``known(pair)`` says whether the index has a bigram)."""
        if len(run) < 2 or not text.is_cjk(run):
            return []
        if run in self.words:
            return []
        out = self._near(run)
        if out:
            return out
        bad = {i for i in range(len(run) - 1) if not known(run[i:i + 2])}
        for size in (4, 3, 2):
            for i in range(len(run) - size + 1):
                window = run[i:i + size]
                if window in self.words or not any(i <= j < i + size - 1 for j in bad):
                    continue
                out += [w for w in self._near(window) if w not in out]
            if out:
                return out[:3]
        return []

    def _near(self, word: str) -> list[str]:
        """Same sound, or (three characters or more) one character different."""
        by_sound, _ = self._sound_maps()
        found = set(by_sound.get("".join(pinyin(word)), ()))
        if len(word) >= 3:
            for i in range(len(word)):
                found |= self._by_deletion.get((i, word[:i] + word[i + 1:]), set())
        found.discard(word)
        return self._rank(found)[:3]

    def from_pinyin(self, letters: str) -> list[str]:
        """Known words spelled by ``letters`` (full pinyin or initials, no spaces), best first; a
        longer string is split into several known words when it can be (shebaokabuban → 社保卡 补办)."""
        by_sound, by_initials = self._sound_maps()
        whole = self._rank(by_sound.get(letters, set()) | by_initials.get(letters, set()))
        if whole:
            return whole[:3]
        best: list[list[str] | None] = [None] * (len(letters) + 1)
        best[0] = []
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - 24), end):
                if best[start] is None:
                    continue
                piece = letters[start:end]
                hits = self._rank(by_sound.get(piece, set()) | (by_initials.get(piece, set()) if len(piece) >= 2
                                                                    else set()))
                if hits and (best[end] is None or len(best[start]) + 1 < len(best[end])):
                    best[end] = [*best[start], hits[0]]
        return ["".join(best[-1])] if best[-1] else []
