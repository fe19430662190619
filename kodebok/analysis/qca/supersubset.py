"""Necessary conjunctions and disjunctions of conditions, as R's superSubset(relation = "necessity").

The search walks combinations of 1, 2, … conditions (each present or negated). A conjunction
(``A*B``) that passes inclN ≥ incl.cut and covN ≥ cov.cut is kept. When it fails, the
disjunction of the same literals (``A + B``) is tried; it is kept if it passes and does not
merely extend a conjunction or disjunction already found at a smaller size (``LIT + DEV`` is
necessary whenever ``LIT`` is and says nothing new). From four conditions on, the search stops
at the first size that adds nothing once something has been found, as R's does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kodebok.analysis.qca.data import DataTable
from kodebok.errors import AnalysisError

# R lowers its cut-offs by sqrt(machine epsilon) before comparing
_TOLERANCE = math.sqrt(2.220446049250313e-16)

Literal = tuple[int, bool]  # (condition index, present)


@dataclass(frozen=True)
class SuperSubsetRow:
    """One necessary expression: ``kind`` is ``"and"`` (conjunction) or ``"or"`` (disjunction)."""

    expression: str
    kind: str
    literals: tuple[Literal, ...]
    incl_n: float
    ro_n: float
    cov_n: float


def _ratio(a: float, b: float) -> float:
    # R's C code reports 0 for 0/0
    return a / b if b else 0.0


def _measures(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """inclN = Σmin(X,Y)/ΣY, RoN = Σ(1−X)/Σ(1−min(X,Y)), covN = Σmin(X,Y)/ΣX."""
    both = [min(x, y) for x, y in zip(xs, ys, strict=True)]
    return (
        _ratio(sum(both), sum(ys)),
        _ratio(sum(1 - x for x in xs), sum(1 - b for b in both)),
        _ratio(sum(both), sum(xs)),
    )


def _text(literals: Sequence[Literal], conditions: Sequence[str], joiner: str) -> str:
    return joiner.join(conditions[i] if present else f"~{conditions[i]}" for i, present in literals)


def _extends(found: Sequence[SuperSubsetRow], literals: Sequence[Literal]) -> bool:
    """Whether an earlier expression's literals are all among ``literals``."""
    mine = set(literals)
    return any(set(row.literals) <= mine for row in found)


def super_subset(
    data: DataTable,
    incl_cut: float = 1.0,
    cov_cut: float = 0.0,
    ron_cut: float = 0.0,
    depth: int | None = None,
) -> list[SuperSubsetRow]:
    """Necessary expressions: conjunctions in the order found, then disjunctions."""
    for name, value in (("incl.cut", incl_cut), ("cov.cut", cov_cut), ("ron.cut", ron_cut)):
        if not 0 <= value <= 1:
            raise AnalysisError(
                f"{name} must lie between 0 and 1, got {value}",
                code="qca.supersubset.lie_between_got",
                name=name,
                value=value,
            )
    n = len(data.conditions)
    depth = n if depth is None or depth <= 0 else min(depth, n)
    incl_min = incl_cut - _TOLERANCE
    cov_min = cov_cut - _TOLERANCE if cov_cut > 0 else 0.0
    members = data.memberships()
    ys = data.outcome_memberships()
    conjunctions: list[SuperSubsetRow] = []
    disjunctions: list[SuperSubsetRow] = []
    k, found_at_level = 1, True
    while k <= depth and found_at_level:
        if k > 3 and (conjunctions or disjunctions):
            found_at_level = False
        earlier_conj, earlier_disj = list(conjunctions), list(disjunctions)
        for columns in itertools.combinations(range(n), k):
            for signs in itertools.product((False, True), repeat=k):
                literals = tuple(zip(columns, signs, strict=True))
                values = [
                    [row[i] if present else 1 - row[i] for i, present in literals]
                    for row in members
                ]
                conj = [min(v) for v in values]
                incl, ron, cov = _measures(conj, ys)
                if incl >= incl_min and cov >= cov_min:
                    conjunctions.append(
                        SuperSubsetRow(
                            _text(literals, data.conditions, "*"), "and", literals, incl, ron, cov
                        )
                    )
                    found_at_level = True
                    continue
                disj = [max(v) for v in values]
                incl, ron, cov = _measures(disj, ys)
                if not (incl >= incl_min and cov >= cov_min):
                    continue
                if _extends(earlier_conj, literals) or _extends(earlier_disj, literals):
                    continue
                disjunctions.append(
                    SuperSubsetRow(
                        _text(literals, data.conditions, " + "), "or", literals, incl, ron, cov
                    )
                )
                found_at_level = True
        k += 1
    return [r for r in (*conjunctions, *disjunctions) if r.ro_n >= ron_cut]


def super_subset_json(rows: Sequence[SuperSubsetRow], data: DataTable) -> dict[str, Any]:
    """``{"outcome": ..., "expressions": [{"expression", "kind", "inclN", "RoN", "covN"}]}``."""
    return {
        "outcome": data.outcome,
        "expressions": [
            {
                "expression": r.expression,
                "kind": r.kind,
                "inclN": r.incl_n,
                "RoN": r.ro_n,
                "covN": r.cov_n,
            }
            for r in rows
        ],
    }
