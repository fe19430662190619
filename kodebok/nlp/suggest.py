"""One ranked list of code suggestions per segment from the codebook, learned and vector suggesters.

Scores from the sources are combined as a noisy-OR (``1 - Π(1 - wᵢ·sᵢ)``): a code that two
sources agree on rises above one that only one source likes. The suggestion's ``source`` is the
one that contributed most; ``why`` lists matched words and similar coded segments.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from kodebok.nlp.codebook_match import CodebookMatcher
from kodebok.nlp.features import Features
from kodebok.nlp.learned import LearnedModel
from kodebok.nlp.vectors import VectorIndex

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


@dataclass
class _Votes:
    scores: dict[str, float] = field(default_factory=dict)
    why: list[str] = field(default_factory=list)


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
        use = set(sources) if sources is not None else set(self.sources)
        votes: dict[int, _Votes] = {}

        def vote(code_id: int, source: str, score: float, why: Sequence[str]) -> None:
            if code_id in exclude or code_id not in self.paths:
                return
            entry = votes.setdefault(code_id, _Votes())
            entry.scores[source] = max(entry.scores.get(source, 0.0), score)
            entry.why.extend(why)

        if self.matcher is not None and "codebook" in use:
            for match in self.matcher.match(features):
                if match.code_id in self.suggestible:
                    vote(match.code_id, "codebook", match.score, match.terms[:MAX_TERMS_SHOWN])
        terms = features.terms()
        if self.learned is not None and "learned" in use and self.learned.code_ids:
            for code_id, (score, evidence) in self.learned.scores(terms).items():
                if score < min_score or evidence < MIN_EVIDENCE:
                    continue
                reasons = self.learned.reasons(terms, code_id)
                if reasons:  # no word speaks for the code: the score is only its base rate
                    vote(code_id, "learned", score, reasons)
        if self.vectors is not None and "vectors" in use:
            for vmatch in self.vectors.match(features.lemmas, exclude=segment_id):
                vote(
                    vmatch.code_id,
                    "vectors",
                    vmatch.score,
                    [f"ligner {vmatch.neighbours} kodede segmenter"],
                )
        out: list[Suggestion] = []
        for code_id, entry in votes.items():
            miss = 1.0
            for source, score in entry.scores.items():
                miss *= 1.0 - SOURCE_WEIGHTS[source] * score
            combined = 1.0 - miss
            if combined < min_score:
                continue
            main = max(entry.scores, key=lambda s: SOURCE_WEIGHTS[s] * entry.scores[s])
            out.append(
                Suggestion(
                    code_id,
                    self.paths[code_id],
                    combined,
                    main,
                    tuple(dict.fromkeys(entry.why)),
                )
            )
        out.sort(key=lambda s: (-s.score, s.code))
        out = out[:top]
        if out and self.learned is not None and "learned" in use:
            near = self.learned.neighbours(terms, exclude=segment_id)
            out = [_with_neighbours(s, near) for s in out]
        return out


def _with_neighbours(suggestion: Suggestion, near: Sequence[frozenset[int]]) -> Suggestion:
    """Add "ligner N kodede segmenter" when similar coded segments have the code."""
    n = sum(1 for codes in near if suggestion.code_id in codes)
    if not n or any(w.startswith("ligner ") for w in suggestion.why):
        return suggestion
    why = (*suggestion.why, f"ligner {n} kodede segmenter")
    return Suggestion(suggestion.code_id, suggestion.code, suggestion.score, suggestion.source, why)
