"""Parameters of fit for sufficiency: inclS, PRI, covS per term and model, covU per term."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kodebok.analysis.qca.data import DataTable
from kodebok.analysis.qca.formula import Implicant


@dataclass(frozen=True)
class Fit:
    """Sufficiency fit of a term or a whole model; ``cov_u`` only for terms of a model.

    A value is None where R reports NA: no case in the term, no case with the outcome, or the
    unique coverage of the only term of a model.
    """

    incl_s: float | None
    pri: float | None
    cov_s: float | None
    cov_u: float | None = None


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _fit(x: Sequence[float], y: Sequence[int]) -> Fit:
    """inclS = Σmin(X,Y)/ΣX, covS = Σmin(X,Y)/ΣY, PRI with the fuzzy correction (zero if crisp)."""
    sum_x = float(sum(x))
    sum_y = float(sum(y))
    both = sum(min(a, b) for a, b in zip(x, y, strict=True))
    overlap = sum(min(a, b, 1 - b) for a, b in zip(x, y, strict=True))
    return Fit(
        incl_s=_ratio(both, sum_x),
        pri=_ratio(both - overlap, sum_x - overlap),
        cov_s=_ratio(both, sum_y),
    )


def memberships(term: Implicant, data: DataTable) -> list[int]:
    """1 for each case whose configuration lies in the term, else 0."""
    return [int(term.covers(data.configuration(k))) for k in range(len(data.cases))]


@lru_cache(maxsize=4096)
def _memberships_cached(term: Implicant, data: DataTable) -> list[int]:
    # models share terms; the table is immutable, so memberships can be reused
    return memberships(term, data)


def term_fit(term: Implicant, data: DataTable) -> Fit:
    """inclS, PRI and covS of one term against the data's outcome."""
    return _fit(memberships(term, data), data.outcome_values)


def model_fit(terms: Sequence[Implicant], data: DataTable) -> tuple[Fit, list[Fit]]:
    """Fit of the model (the union of its terms) and of each term, with covU within the model.

    covU(i) = covS(i) − Σ min(min(Xi, Y), max_{j≠i} min(Xj, Y)) / ΣY: the outcome cases that
    only term i explains. R reports NA for a model of a single term, and so do we.
    """
    y = data.outcome_values
    xs = [_memberships_cached(t, data) for t in terms]
    union = [max(col) if col else 0 for col in zip(*xs, strict=True)] if xs else [0] * len(y)
    sum_y = sum(y)
    fits = []
    # how many terms cover each case: a case is unique to term i when only i covers it
    counts = [sum(col) for col in zip(*xs, strict=True)] if xs else []
    for x in xs:
        base = _fit(x, y)
        cov_u = None
        if len(xs) > 1 and sum_y and base.cov_s is not None:
            # crisp: min(min(Xi,Y), max_j≠i min(Xj,Y)) is 1 exactly when another term covers too
            shared = sum(1 for k, xk in enumerate(x) if xk and y[k] and counts[k] > 1)
            cov_u = base.cov_s - shared / sum_y
        fits.append(Fit(base.incl_s, base.pri, base.cov_s, cov_u))
    return _fit(union, y), fits
