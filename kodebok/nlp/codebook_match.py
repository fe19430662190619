"""The codebook suggester: a code's name, keywords and description against segment lemmas.

Terms are weighted BM25-style (rare words in this project count more, repeats saturate, long
segments are discounted) and by where they come from in the code (name and keywords over
description). rapidfuzz catches spelling variants and inflections the dictionary missed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kodebok.nlp.features import Features

K1 = 1.2
B = 0.75
FIELD_WEIGHTS = {"name": 1.0, "keyword": 1.0, "description": 0.35, "parent": 0.2}
FUZZY_CUTOFF = 88.0
FUZZY_MIN_LENGTH = 6
# raw BM25 sums are mapped to 0..1 with 1 - exp(-raw / SCALE): one rare name word ≈ 0.6
SCALE = 4.0


@dataclass(frozen=True)
class CodeText:
    """A code's analysed text: features of its name, keywords, description and parent's name."""

    code_id: int
    path: str
    name: Features
    keywords: Features
    description: Features
    parent: Features


@dataclass(frozen=True)
class Match:
    """A codebook score for one code, and the segment words that matched."""

    code_id: int
    score: float
    terms: tuple[str, ...]


class CorpusStats:
    """Document frequencies of terms over the project's segments (for IDF and length norms)."""

    def __init__(self, segments: Iterable[Features]) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        total = 0
        for f in segments:
            self.n += 1
            terms = set(f.lemmas) | set(f.parts)
            self.df.update(terms)
            total += len(f.lemmas)
        self.avg_len = total / self.n if self.n else 1.0

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency (never negative)."""
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))


class CodebookMatcher:
    """Scores every code's terms against one segment's features."""

    def __init__(self, codes: Sequence[CodeText], stats: CorpusStats) -> None:
        from rapidfuzz import fuzz, process

        self._process, self._scorer = process, fuzz.ratio
        self.stats = stats
        # term -> [(code_id, field weight)], the best field per code
        self.index: dict[str, dict[int, float]] = {}
        self.paths = {c.code_id: c.path for c in codes}
        for code in codes:
            for field_name, features in (
                ("parent", code.parent),
                ("description", code.description),
                ("keyword", code.keywords),
                ("name", code.name),
            ):
                weight = FIELD_WEIGHTS[field_name]
                for term in (*features.lemmas, *features.parts, *features.bigrams):
                    slot = self.index.setdefault(term, {})
                    slot[code.code_id] = max(slot.get(code.code_id, 0.0), weight)
        self._long_terms = [t for t in self.index if len(t) >= FUZZY_MIN_LENGTH and "_" not in t]
        self._fuzzy: dict[str, list[tuple[str, float]]] = {}

    @property
    def vocabulary(self) -> set[str]:
        """Every term any code contributes."""
        return set(self.index)

    def _variants(self, term: str) -> list[tuple[str, float]]:
        """Code terms within spelling distance of a segment term (cached per term)."""
        found = self._fuzzy.get(term)
        if found is None:
            found = []
            if len(term) >= FUZZY_MIN_LENGTH and term not in self.index:
                for choice, score, _ in self._process.extract(
                    term, self._long_terms, scorer=self._scorer, score_cutoff=FUZZY_CUTOFF, limit=3
                ):
                    found.append((str(choice), float(score) / 100.0))
            self._fuzzy[term] = found
        return found

    def match(self, features: Features) -> list[Match]:
        """Codes whose terms occur in the segment, best first."""
        counts = Counter(features.lemmas)
        counts.update(features.parts)
        counts.update(features.bigrams)
        if not counts:
            return []
        length_norm = 1.0 - B + B * len(features.lemmas) / max(self.stats.avg_len, 1.0)
        raw: dict[int, float] = {}
        words: dict[int, list[str]] = {}
        for term, tf in counts.items():
            hits = [(term, 1.0)] if term in self.index else self._variants(term)
            for code_term, similarity in hits:
                idf = self.stats.idf(code_term) if "_" not in code_term else 2 * SCALE
                saturation = tf * (K1 + 1) / (tf + K1 * length_norm)
                for code_id, weight in self.index[code_term].items():
                    raw[code_id] = raw.get(code_id, 0.0) + weight * idf * saturation * similarity**2
                    shown = term.replace("_", " ")
                    if code_term != term:
                        shown = f"{term}≈{code_term}"
                    words.setdefault(code_id, []).append(shown)
        out = [
            Match(code_id, 1.0 - math.exp(-value / SCALE), tuple(dict.fromkeys(words[code_id])))
            for code_id, value in raw.items()
            if value > 0
        ]
        out.sort(key=lambda m: -m.score)
        return out
