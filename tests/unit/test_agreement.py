"""Intercoder agreement against hand computations and the krippendorff package."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest

from kodebok.analysis.agreement import agreement, cohen_kappa, percent_agreement


def _kappa_by_hand(a: list[int], b: list[int]) -> float:
    n = len(a)
    both1 = sum(1 for x, y in zip(a, b, strict=True) if x == y == 1)
    both0 = sum(1 for x, y in zip(a, b, strict=True) if x == y == 0)
    po = (both1 + both0) / n
    pe = (sum(a) / n) * (sum(b) / n) + (1 - sum(a) / n) * (1 - sum(b) / n)
    return (po - pe) / (1 - pe)


def test_textbook_kappa() -> None:
    # 20 units: both yes 8, both no 8, A only 2, B only 2 → po = 0.8, pe = 0.5 → kappa 0.6
    a = [1] * 8 + [0] * 8 + [1, 1, 0, 0]
    b = [1] * 8 + [0] * 8 + [0, 0, 1, 1]
    assert cohen_kappa(a, b) == pytest.approx(0.6)
    assert percent_agreement([a, b]) == pytest.approx(0.8)


@pytest.mark.parametrize("seed", range(5))
def test_random_data_matches_independent_computation(seed: int) -> None:
    rng = random.Random(seed)
    units = list(range(60))
    codes = ["Medvirkning", "Styringskort", "Lederavtaler"]
    applied = {
        code: {coder: {u for u in units if rng.random() < 0.3} for coder in ("kari", "ola")}
        for code in codes
    }
    rows, overall, disagreements = agreement(["kari", "ola"], units, applied, codes)
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for row, code in zip(rows, codes, strict=True):
        a = [int(u in applied[code]["kari"]) for u in units]
        b = [int(u in applied[code]["ola"]) for u in units]
        pooled_a += a
        pooled_b += b
        assert row.kappa == pytest.approx(_kappa_by_hand(a, b))
        assert row.alpha == pytest.approx(
            krippendorff.alpha(reliability_data=np.array([a, b]), level_of_measurement="nominal")
        )
        assert row.percent == pytest.approx(sum(x == y for x, y in zip(a, b, strict=True)) / 60)
    assert overall.kappa == pytest.approx(_kappa_by_hand(pooled_a, pooled_b))
    expected = sum(len(applied[c]["kari"] ^ applied[c]["ola"]) for c in codes)
    assert len(disagreements) == expected


def test_perfect_agreement() -> None:
    units = list(range(10))
    applied = {"A": {"kari": {1, 2, 3}, "ola": {1, 2, 3}}}
    rows, _, disagreements = agreement(["kari", "ola"], units, applied, ["A"])
    assert rows[0].percent == 1.0
    assert rows[0].kappa == pytest.approx(1.0)
    assert rows[0].alpha == pytest.approx(1.0)
    assert disagreements == []


def test_a_code_one_coder_never_used() -> None:
    units = list(range(10))
    applied = {"A": {"kari": {1, 2}}, "B": {}}
    rows, _, disagreements = agreement(["kari", "ola"], units, applied, ["A", "B"])
    a_row, b_row = rows
    assert a_row.percent == pytest.approx(0.8)
    assert a_row.kappa == pytest.approx(0.0)
    assert b_row.percent == 1.0
    assert b_row.kappa is None
    assert b_row.alpha is None
    assert {d.unit for d in disagreements} == {1, 2}


def test_three_coders_give_alpha_but_no_kappa() -> None:
    units = list(range(8))
    applied = {"A": {"a": {1, 2}, "b": {1, 2, 3}, "c": {1}}}
    rows, _, _ = agreement(["a", "b", "c"], units, applied, ["A"])
    assert rows[0].kappa is None
    data = np.array([[int(u in s) for u in units] for s in ({1, 2}, {1, 2, 3}, {1})])
    assert rows[0].alpha == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    )
