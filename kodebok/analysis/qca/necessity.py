"""Necessity of single conditions and their negations: inclN, RoN and covN, as R's pof(relation = "necessity")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kodebok.analysis.qca.data import DataTable


@dataclass(frozen=True)
class NecessityRow:
    """One condition or its negation (``~COND``) as a candidate necessary condition.

    inclN = Σmin(X,Y)/ΣY, RoN = Σ(1−X)/Σ(1−min(X,Y)) (relevance: low when X is nearly always
    present), covN = Σmin(X,Y)/ΣX; None where the denominator is zero (R's NA).
    """

    condition: str
    incl_n: float | None
    ro_n: float | None
    cov_n: float | None


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def necessity(data: DataTable) -> list[NecessityRow]:
    """Each condition, then its negation, in data order (crisp or fuzzy memberships)."""
    y = data.outcome_memberships()
    members = data.memberships()
    rows = []
    for i, name in enumerate(data.conditions):
        present = [row[i] for row in members]
        for label, x in ((name, present), (f"~{name}", [1 - v for v in present])):
            both = sum(min(a, b) for a, b in zip(x, y, strict=True))
            rows.append(
                NecessityRow(
                    condition=label,
                    incl_n=_ratio(both, sum(y)),
                    ro_n=_ratio(
                        sum(1 - a for a in x),
                        sum(1 - min(a, b) for a, b in zip(x, y, strict=True)),
                    ),
                    cov_n=_ratio(both, sum(x)),
                )
            )
    return rows


def necessity_json(data: DataTable) -> dict[str, Any]:
    """``{"outcome": ..., "conditions": [{"condition", "inclN", "RoN", "covN"}]}``."""
    return {
        "outcome": data.outcome,
        "conditions": [
            {"condition": r.condition, "inclN": r.incl_n, "RoN": r.ro_n, "covN": r.cov_n}
            for r in necessity(data)
        ],
    }
