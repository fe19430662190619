"""The codebook suggester: a code's name, keywords and description against segment lemmas.

Terms are weighted BM25-style (rare words in this project count more, repeats saturate, long
segments are discounted) and by where they come from in the code (name and keywords over
description). rapidfuzz catches spelling variants and inflections the dictionary missed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from kodebok.nlp.features import Features
from kodebok.nlp.sparse import FloatArray

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
    """Document frequencies of terms over the project's segments (for IDF and length norms).

    With ``only``, just those terms are counted (the codebook's: no other idf is ever asked).
    """

    def __init__(self, segments: Iterable[Features], only: Collection[str] | None = None) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        total = 0
        wanted = frozenset(only) if only is not None else None
        for f in segments:
            self.n += 1
            total += len(f.lemmas)
            if wanted is None:
                self.df.update(set(f.lemmas) | set(f.parts))
            else:
                self.df.update(wanted.intersection(f.lemmas) | wanted.intersection(f.parts))
        self.avg_len = total / self.n if self.n else 1.0

    def idf(self, term: str) -> float:
        """BM25 inverse document frequency (never negative)."""
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))


class CodebookMatcher:
    """Scores every code's terms against segments' features (one segment or many at once)."""

    def __init__(self, codes: Sequence[CodeText], stats: CorpusStats) -> None:
        from rapidfuzz import fuzz, process
        from scipy.sparse import csr_matrix

        self._process, self._scorer = process, fuzz.ratio
        self.stats = stats
        # term -> {code_id: field weight}, the best field per code
        self.index: dict[str, dict[int, float]] = {}
        self.paths = {c.code_id: c.path for c in codes}
        self.code_ids = list(self.paths)
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
        self._hit_cache: dict[str, tuple[tuple[str, float], ...]] = {}
        # code terms × codes: field weight × idf, so that a batch of segments is one product
        self._term_row = {t: i for i, t in enumerate(self.index)}
        column = {c: k for k, c in enumerate(self.code_ids)}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for i, (term, slot) in enumerate(self.index.items()):
            idf = self._idf(term)
            for code_id, weight in slot.items():
                rows.append(i)
                cols.append(column[code_id])
                values.append(weight * idf)
        self._weights = csr_matrix(
            (values, (rows, cols)), shape=(len(self.index), len(self.code_ids))
        )

    @property
    def vocabulary(self) -> set[str]:
        """Every term any code contributes."""
        return set(self.index)

    def _idf(self, code_term: str) -> float:
        # a bigram in a code's text is specific by itself: it counts as a rare word
        return self.stats.idf(code_term) if "_" not in code_term else 2 * SCALE

    def _hits(self, term: str) -> tuple[tuple[str, float], ...]:
        """The code terms a segment term stands for (itself, or code terms within spelling
        distance), with their similarity; cached per term."""
        found = self._hit_cache.get(term)
        if found is None:
            found = ((term, 1.0),) if term in self.index else ()
            if not found and len(term) >= FUZZY_MIN_LENGTH:
                found = tuple(
                    (str(choice), float(score) / 100.0)
                    for choice, score, _ in self._process.extract(
                        term,
                        self._long_terms,
                        scorer=self._scorer,
                        score_cutoff=FUZZY_CUTOFF,
                        limit=3,
                    )
                )
            self._hit_cache[term] = found
        return found

    def raw_scores(self, segments: Sequence[Sequence[str]], lengths: Sequence[int]) -> FloatArray:
        """BM25 sums, segments × ``code_ids`` (0 where no term of the code occurs).

        ``segments`` are the segments' terms (``Features.terms()``), ``lengths`` their numbers
        of lemmas. Each (segment, term) gets its saturated term frequency, each segment term
        its code terms (itself, or spelling variants weighted by similarity²), each code term
        its field weight × idf per code: three sparse factors, one product. Terms are
        numbered in sorted order, so a segment's sum is the same in any batch.
        """
        from scipy.sparse import csr_matrix

        n = len(segments)
        hits = {
            t: found
            for t in sorted({t for terms in segments for t in terms})
            if (found := self._hits(t))
        }
        column = {t: i for i, t in enumerate(hits)}
        found_in = [[column[t] for t in terms if t in column] for terms in segments]
        rows = np.repeat(np.arange(n, dtype=np.int64), [len(f) for f in found_in])
        flat = np.fromiter((c for f in found_in for c in f), dtype=np.int64, count=len(rows))
        width = max(len(column), 1)
        keys, tf = np.unique(rows * width + flat, return_counts=True)
        row_of, term_of = np.divmod(keys, width)
        avg_len = max(self.stats.avg_len, 1.0)
        length_norm = K1 * (1.0 - B + B * np.asarray(lengths, dtype=np.float64) / avg_len)
        saturation = tf * (K1 + 1) / (tf + length_norm[row_of])
        seg_terms = csr_matrix((saturation, (row_of, term_of)), shape=(n, len(column)))
        h_rows: list[int] = []
        h_cols: list[int] = []
        similarity: list[float] = []
        for i, found in enumerate(hits.values()):
            for code_term, sim in found:
                h_rows.append(i)
                h_cols.append(self._term_row[code_term])
                similarity.append(sim**2)
        to_code_terms = csr_matrix(
            (similarity, (h_rows, h_cols)), shape=(len(column), len(self.index))
        )
        raw: FloatArray = np.asarray((seg_terms @ (to_code_terms @ self._weights)).toarray())
        return raw

    def words(self, terms: Sequence[str]) -> dict[int, tuple[str, ...]]:
        """Per code, the segment's words (its terms) that matched it, in text order
        (``word≈code term`` for a spelling variant)."""
        out: dict[int, dict[str, None]] = {}
        cached = self._hit_cache.get
        for term in dict.fromkeys(terms):
            found = cached(term)
            for code_term, _ in found if found is not None else self._hits(term):
                shown = term.replace("_", " ") if code_term == term else f"{term}≈{code_term}"
                for code_id in self.index[code_term]:
                    out.setdefault(code_id, {})[shown] = None
        return {code_id: tuple(words) for code_id, words in out.items()}

    def match(self, features: Features) -> list[Match]:
        """Codes whose terms occur in the segment, best first."""
        terms = features.terms()
        raw = self.raw_scores([terms], [len(features.lemmas)])[0]
        words = self.words(terms)
        out = [
            Match(code_id, float(value), words[code_id])
            for code_id, value, found in zip(self.code_ids, to_scores(raw), raw > 0, strict=True)
            if found
        ]
        out.sort(key=lambda m: -m.score)
        return out


def to_scores(raw: FloatArray) -> FloatArray:
    """Raw BM25 sums mapped to 0..1: ``1 - exp(-raw / SCALE)``."""
    out: FloatArray = 1.0 - np.exp(-raw / SCALE)
    return out
