"""Timing of truth table plus parsimonious minimisation on random crisp data (for ``kodebok bench``)."""

from __future__ import annotations

import random
import time
from typing import Any

from kodebok.analysis.qca.data import DataTable
from kodebok.analysis.qca.solutions import complex_solution, parsimonious_solution
from kodebok.analysis.qca.truth_table import truth_table


def random_data(n_conditions: int, n_cases: int, seed: int = 0, noise: float = 0.0) -> DataTable:
    """Random 0/1 conditions; the outcome follows ``C1*C2 + ~C3*C4`` (as far as there are
    conditions), each case flipped with probability ``noise``. Noise makes many contradictory
    and scattered rows, the worst case for the number of equally minimal models."""
    rng = random.Random(seed)
    values = tuple(tuple(rng.randint(0, 1) for _ in range(n_conditions)) for _ in range(n_cases))

    def rule(row: tuple[int, ...]) -> int:
        c = list(row) + [1] * max(0, 4 - len(row))
        return int((c[0] and c[1]) or (not c[2] and c[3]))

    outcome = tuple(rule(row) ^ int(rng.random() < noise) for row in values)
    return DataTable(
        cases=tuple(f"K{k + 1}" for k in range(n_cases)),
        conditions=tuple(f"C{i + 1}" for i in range(n_conditions)),
        outcome="Y",
        values=values,
        outcome_values=outcome,
    )


def benchmark_qca(
    n_conditions: int = 12, n_cases: int = 60, seed: int = 0, noise: float = 0.0
) -> dict[str, Any]:
    """Seconds for the truth table, the parsimonious and the complex solution (all models)."""
    data = random_data(n_conditions, n_cases, seed, noise)
    start = time.perf_counter()
    tt = truth_table(data)
    after_tt = time.perf_counter()
    pars = parsimonious_solution(tt)
    after_pars = time.perf_counter()
    comp = complex_solution(tt)
    after_comp = time.perf_counter()
    return {
        "conditions": n_conditions,
        "cases": n_cases,
        "seed": seed,
        "noise": noise,
        "truth_table_s": after_tt - start,
        "parsimonious_s": after_pars - after_tt,
        "complex_s": after_comp - after_pars,
        "total_s": after_comp - start,
        "parsimonious_models": len(pars.models),
        "complex_models": len(comp.models),
    }
