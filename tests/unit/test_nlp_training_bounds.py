"""Training on a large project uses a bounded, representative sample of coded segments."""

from __future__ import annotations

import pytest

from kodebok.nlp import learned
from kodebok.nlp.learned import Example, _bounded


def test_small_training_sets_are_used_whole() -> None:
    examples = [Example(i, ("styring",), frozenset({1})) for i in range(50)]
    assert list(_bounded(examples)) == examples


def test_large_training_sets_keep_every_rejection_and_spread_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(learned, "MAX_TRAINING", 100)
    examples = [
        Example(i, ("ord",), frozenset({i % 7}), frozenset({99}) if i % 50 == 0 else frozenset())
        for i in range(1000)
    ]
    chosen = list(_bounded(examples))
    assert len(chosen) == 100
    assert {e.segment_id for e in chosen if e.rejected} == set(range(0, 1000, 50))
    ids = sorted(e.segment_id for e in chosen if not e.rejected)
    assert ids[0] < 20
    assert ids[-1] > 950
