"""The vector suggester: nearest coded segments by mean word vector, when the pipeline has vectors.

Segment vectors are averaged from the pipeline's vectors of the stored lemmas, so nothing is
parsed again. Without vectors (the built-in blank pipeline) this suggester is simply absent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from kodebok.nlp.sparse import FloatArray

NEIGHBOURS = 10
MIN_SIMILARITY = 0.3

VectorOf = Callable[[str], FloatArray | None]


def vector_lookup() -> VectorOf | None:
    """A lemma → vector function from the loaded pipeline, or None when it has no vectors."""
    from kodebok.nlp.pipeline import has_vectors, load_pipeline

    nlp = load_pipeline()
    if not has_vectors(nlp):
        return None
    vocab = nlp.vocab

    def lookup(word: str) -> FloatArray | None:
        if not vocab.has_vector(word):
            return None
        return np.asarray(vocab.get_vector(word), dtype=np.float64)

    return lookup


def mean_vector(lemmas: Sequence[str], lookup: VectorOf) -> FloatArray | None:
    """The normalised mean vector of the lemmas that have vectors (None if none has)."""
    found = [v for v in (lookup(w) for w in lemmas) if v is not None]
    if not found:
        return None
    mean = np.mean(found, axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else None


@dataclass(frozen=True)
class VectorMatch:
    """A vector score for one code and how many near coded segments have it."""

    code_id: int
    score: float
    neighbours: int


class VectorIndex:
    """Coded segments' mean vectors, searched by cosine similarity."""

    def __init__(
        self, rows: Sequence[tuple[int, Sequence[str], frozenset[int]]], lookup: VectorOf
    ) -> None:
        self.lookup = lookup
        vectors: list[FloatArray] = []
        self.codes: list[frozenset[int]] = []
        self.segment_ids: list[int] = []
        for segment_id, lemmas, codes in rows:
            vec = mean_vector(lemmas, lookup)
            if vec is not None:
                vectors.append(vec)
                self.codes.append(codes)
                self.segment_ids.append(segment_id)
        self.matrix = np.vstack(vectors) if vectors else np.zeros((0, 1))

    def match(self, lemmas: Sequence[str], exclude: int | None = None) -> list[VectorMatch]:
        """Codes of the nearest coded segments, weighted by similarity, best first."""
        if not self.codes:
            return []
        vec = mean_vector(lemmas, self.lookup)
        if vec is None:
            return []
        sims = self.matrix @ vec
        order = [
            int(i)
            for i in np.argsort(-sims)[: NEIGHBOURS + 1]
            if sims[i] >= MIN_SIMILARITY and self.segment_ids[i] != exclude
        ][:NEIGHBOURS]
        total = float(sum(sims[i] for i in order)) or 1.0
        score: dict[int, float] = {}
        count: dict[int, int] = {}
        for i in order:
            for code in self.codes[i]:
                score[code] = score.get(code, 0.0) + float(sims[i]) / total
                count[code] = count.get(code, 0) + 1
        out = [VectorMatch(c, min(1.0, s), count[c]) for c, s in score.items()]
        out.sort(key=lambda m: -m.score)
        return out
