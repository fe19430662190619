"""How good are the suggestions? Cross-validation by document on a project's own codings.

Documents (not segments) are split into folds, so a model is never tested on the interview it
learned from. For each coded informant segment of a held-out document, the suggester ranks codes
and we count: top-1 (the best suggestion is one of the segment's codes), top-3 (one of the three
best is), and recall@3 per code. The baseline always suggests the codes most frequent in the
training documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kodebok.nlp.features import Features


class EvalSegment(Protocol):
    """What evaluation needs to know about a segment."""

    @property
    def id(self) -> int: ...
    @property
    def document_id(self) -> int: ...
    @property
    def interviewer(self) -> bool: ...
    @property
    def features(self) -> Features: ...
    @property
    def codes(self) -> frozenset[int]: ...


# Given the training segments, a function that ranks code ids for one test segment.
Ranker = Callable[[EvalSegment], list[int]]
RankerFactory = Callable[[Sequence[EvalSegment]], dict[str, Ranker]]


@dataclass
class Score:
    """Hits of one ranker over the test segments."""

    n: int = 0
    top1: int = 0
    top3: int = 0
    per_code_hits: Counter[int] = field(default_factory=Counter)

    def add(self, ranked: Sequence[int], gold: frozenset[int]) -> None:
        """Count one test segment."""
        self.n += 1
        self.top1 += bool(ranked[:1] and ranked[0] in gold)
        self.top3 += bool(set(ranked[:3]) & gold)
        for code in gold & set(ranked[:3]):
            self.per_code_hits[code] += 1


def folds_by_document(segments: Sequence[EvalSegment], k: int) -> list[set[int]]:
    """Documents with codings dealt into ``k`` folds (round robin by id: deterministic)."""
    docs = sorted({s.document_id for s in segments if s.codes})
    k = max(2, min(k, len(docs)))
    return [set(docs[i::k]) for i in range(k)]


def evaluate(
    segments: Sequence[EvalSegment],
    rankers: RankerFactory,
    folds: int = 5,
) -> dict[str, Any]:
    """Top-1, top-3 and recall@3 per code for each ranker and the majority baseline."""
    fold_docs = folds_by_document(segments, folds)
    scores: dict[str, Score] = {}
    gold_counts: Counter[int] = Counter()
    for test_docs in fold_docs:
        train = [s for s in segments if s.document_id not in test_docs]
        test = [s for s in segments if s.document_id in test_docs and s.codes and not s.interviewer]
        if not test or not any(s.codes for s in train):
            continue
        frequency = Counter(c for s in train for c in s.codes)
        majority = [c for c, _ in frequency.most_common(3)]
        named = rankers(train)
        for seg in test:
            gold_counts.update(seg.codes)
            scores.setdefault("baseline", Score()).add(majority, seg.codes)
            for name, rank in named.items():
                scores.setdefault(name, Score()).add(rank(seg), seg.codes)
    return {
        "folds": len(fold_docs),
        "documents": sum(len(f) for f in fold_docs),
        "test_segments": scores["baseline"].n if "baseline" in scores else 0,
        "results": {
            name: {
                "top1": _ratio(score.top1, score.n),
                "top3": _ratio(score.top3, score.n),
                "recall_at_3": {
                    code: _ratio(score.per_code_hits[code], n) for code, n in gold_counts.items()
                },
                "macro_recall_at_3": _ratio(
                    sum(score.per_code_hits[c] / n for c, n in gold_counts.items()),
                    len(gold_counts),
                ),
            }
            for name, score in scores.items()
        },
        "support": dict(gold_counts),
    }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0
