"""One ranked list of code suggestions per segment from the codebook, learned and vector suggesters.

Scores from the sources are combined as a noisy-OR (``1 - Π(1 - wᵢ·sᵢ)``): a code that two
sources agree on rises above one that only one source likes. The suggestion's ``source`` is the
one that contributed most; ``why`` lists matched words and similar coded segments.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kodebok.nlp.codebook_match import CodebookMatcher, to_scores
from kodebok.nlp.features import Features
from kodebok.nlp.learned import LearnedModel
from kodebok.nlp.sparse import FloatArray
from kodebok.nlp.vectors import VectorIndex

BoolArray = NDArray[np.bool_]
# A source's column numbers and the engine's column numbers they go to.
_Mapping = tuple[NDArray[np.int64], NDArray[np.int64]]

# How far each source is trusted in the combination (tuned with `kodebok suggest --evaluate`).
SOURCE_WEIGHTS = {"codebook": 0.7, "learned": 1.0, "vectors": 0.6}
MIN_SCORE = 0.05
# A learned score needs this much from the segment's words (logit units), not just the base rate.
MIN_EVIDENCE = 1.0
MAX_TERMS_SHOWN = 4


@dataclass(frozen=True)
class Suggestion:
    """A code suggested for a segment, with a score in 0..1, its main source and the reasons."""

    code_id: int
    code: str
    score: float
    source: str
    why: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        """The suggestion as in spec/cli.md."""
        return {
            "code": self.code,
            "score": round(self.score, 4),
            "source": self.source,
            "why": list(self.why),
        }


@dataclass(frozen=True)
class Request:
    """One segment to suggest for: its features, codes to leave out, and its id (if stored)."""

    features: Features
    exclude: Collection[int] = ()
    segment_id: int | None = None


class _Votes:
    """Each source's scores for a batch of segments: segments × engine codes, and who voted."""

    def __init__(self, n: int, n_codes: int) -> None:
        self.shape = (n, n_codes)
        self.scores: dict[str, FloatArray] = {}
        self.voted: dict[str, BoolArray] = {}
        self.vector_neighbours: dict[tuple[int, int], int] = {}

    def add(self, source: str, scores: FloatArray, voted: BoolArray) -> None:
        self.scores[source] = np.where(voted, scores, 0.0)
        self.voted[source] = voted

    def combined(self) -> tuple[FloatArray, BoolArray]:
        """Noisy-OR of the sources' weighted scores, and whether any source voted."""
        miss = np.ones(self.shape)
        any_vote = np.zeros(self.shape, dtype=bool)
        for source, scores in self.scores.items():  # codebook, learned, vectors: fixed order
            miss *= np.where(self.voted[source], 1.0 - SOURCE_WEIGHTS[source] * scores, 1.0)
            any_vote |= self.voted[source]
        return 1.0 - miss, any_vote


class SuggestionEngine:
    """Combines the suggesters that are available for a project."""

    def __init__(
        self,
        paths: dict[int, str],
        matcher: CodebookMatcher | None,
        learned: LearnedModel | None = None,
        vectors: VectorIndex | None = None,
        suggestible: Collection[int] | None = None,
    ) -> None:
        self.paths = paths
        self.matcher = matcher
        self.learned = learned
        self.vectors = vectors
        self.suggestible = set(suggestible) if suggestible is not None else set(paths)
        self.code_ids = list(paths)
        self._column = {c: k for k, c in enumerate(self.code_ids)}
        self._codebook_columns = self._mapping(
            matcher.code_ids if matcher else [], self.suggestible
        )
        self._learned_columns = self._mapping(learned.code_ids if learned else [])
        # ties in score are broken by code path, as text
        order = sorted(range(len(self.code_ids)), key=lambda k: paths[self.code_ids[k]])
        self._path_rank = np.empty(len(self.code_ids), dtype=np.int64)
        self._path_rank[order] = np.arange(len(order))

    @property
    def sources(self) -> list[str]:
        """The suggesters in use."""
        out = ["codebook"] if self.matcher is not None else []
        if self.learned is not None and self.learned.code_ids:
            out.append("learned")
        if self.vectors is not None:
            out.append("vectors")
        return out

    def suggest(
        self,
        features: Features,
        *,
        top: int = 3,
        exclude: Collection[int] = (),
        segment_id: int | None = None,
        min_score: float = MIN_SCORE,
        sources: Sequence[str] | None = None,
    ) -> list[Suggestion]:
        """The ``top`` best codes for one segment, skipping codes in ``exclude``."""
        request = Request(features, exclude, segment_id)
        return self.suggest_many([request], top=top, min_score=min_score, sources=sources)[0]

    def suggest_many(
        self,
        requests: Sequence[Request],
        *,
        top: int = 3,
        min_score: float = MIN_SCORE,
        sources: Sequence[str] | None = None,
    ) -> list[list[Suggestion]]:
        """The ``top`` best codes for each segment, scored together (the same as one by one).

        Every source scores the whole batch as segments × codes matrices; only the ``top``
        codes of each segment get their reasons (matched words, similar coded segments).
        """
        use = set(sources) if sources is not None else set(self.sources)
        n, n_codes = len(requests), len(self.code_ids)
        if not n:
            return []
        allowed = np.ones((n, n_codes), dtype=bool)
        for i, request in enumerate(requests):
            columns = [self._column[c] for c in request.exclude if c in self._column]
            allowed[i, columns] = False
        votes = _Votes(n, n_codes)
        terms = [r.features.terms() for r in requests]
        if self.matcher is not None and "codebook" in use:
            raw = self.matcher.raw_scores(terms, [len(r.features.lemmas) for r in requests])
            raw = self._columns_of(raw, self._codebook_columns)
            votes.add("codebook", to_scores(raw), (raw > 0) & allowed)
        learned = self.learned if "learned" in use else None
        rows = learned.vocabulary.transform(terms) if learned is not None else None
        if learned is not None and rows is not None and learned.code_ids:
            probs, evidence = learned.score_rows(rows)
            probs = self._columns_of(probs, self._learned_columns)
            evidence = self._columns_of(evidence, self._learned_columns)
            # evidence ≥ MIN_EVIDENCE > 0 means some word of the segment has a positive
            # weight for the code, so every vote has a reason to show
            votes.add("learned", probs, (probs >= min_score) & (evidence >= MIN_EVIDENCE) & allowed)
        if self.vectors is not None and "vectors" in use:
            scores, voted = np.zeros((n, n_codes)), np.zeros((n, n_codes), dtype=bool)
            for i, request in enumerate(requests):  # one segment at a time (mean word vectors)
                for vmatch in self.vectors.match(
                    request.features.lemmas, exclude=request.segment_id
                ):
                    k = self._column.get(vmatch.code_id)
                    if k is not None:
                        scores[i, k], voted[i, k] = vmatch.score, True
                        votes.vector_neighbours[i, k] = vmatch.neighbours
            votes.add("vectors", scores, voted & allowed)
        combined, any_vote = votes.combined()
        keep = any_vote & (combined >= min_score)
        out: list[list[Suggestion]] = []
        by_codebook = votes.voted.get("codebook")
        for i in range(n):
            candidates = np.flatnonzero(keep[i])
            order = np.lexsort((self._path_rank[candidates], -combined[i, candidates]))
            chosen = candidates[order[:top]].tolist()
            matched: dict[int, tuple[str, ...]] = {}
            if (
                self.matcher is not None
                and by_codebook is not None
                and by_codebook[i, chosen].any()
            ):
                matched = self.matcher.words(terms[i])
            out.append([self._suggestion(votes, combined, i, k, terms[i], matched) for k in chosen])
        if learned is not None and rows is not None:  # similar coded segments, for the why
            wanted = [i for i, found in enumerate(out) if found]
            near = learned.neighbour_codes(
                rows.take_rows(wanted), [requests[i].segment_id for i in wanted]
            )
            for i, codes in zip(wanted, near, strict=True):
                out[i] = [_with_neighbours(s, codes) for s in out[i]]
        return out

    def _columns_of(self, matrix: FloatArray, mapping: _Mapping) -> FloatArray:
        """A source's segments × its codes as segments × this engine's codes (0 elsewhere)."""
        out = np.zeros((matrix.shape[0], len(self.code_ids)))
        source, target = mapping
        out[:, target] = matrix[:, source]
        return out

    def _mapping(self, code_ids: Sequence[int], only: Collection[int] | None = None) -> _Mapping:
        """Which of a source's columns (codes) go to which of this engine's columns."""
        pairs = [
            (j, self._column[c])
            for j, c in enumerate(code_ids)
            if c in self._column and (only is None or c in only)
        ]
        return (
            np.array([j for j, _ in pairs], dtype=np.int64),
            np.array([k for _, k in pairs], dtype=np.int64),
        )

    def _suggestion(
        self,
        votes: _Votes,
        combined: FloatArray,
        i: int,
        k: int,
        terms: Sequence[str],
        matched: dict[int, tuple[str, ...]],
    ) -> Suggestion:
        """One chosen code's suggestion: its main source and the reasons of every source."""
        code_id = self.code_ids[k]
        why: list[str] = []
        main, best = "", -1.0
        for source, scores in votes.scores.items():
            if not votes.voted[source][i, k]:
                continue
            weighted = SOURCE_WEIGHTS[source] * float(scores[i, k])
            if weighted > best:
                main, best = source, weighted
            if source == "codebook":
                why.extend(matched.get(code_id, ())[:MAX_TERMS_SHOWN])
            elif source == "learned" and self.learned is not None:
                why.extend(self.learned.reasons(terms, code_id))
            elif source == "vectors":
                why.append(f"ligner {votes.vector_neighbours[i, k]} kodede segmenter")
        return Suggestion(
            code_id, self.paths[code_id], float(combined[i, k]), main, tuple(dict.fromkeys(why))
        )


def _with_neighbours(suggestion: Suggestion, near: Sequence[frozenset[int]]) -> Suggestion:
    """Add "ligner N kodede segmenter" when similar coded segments have the code."""
    n = sum(1 for codes in near if suggestion.code_id in codes)
    if not n or any(w.startswith("ligner ") for w in suggestion.why):
        return suggestion
    why = (*suggestion.why, f"ligner {n} kodede segmenter")
    return Suggestion(suggestion.code_id, suggestion.code, suggestion.score, suggestion.source, why)
