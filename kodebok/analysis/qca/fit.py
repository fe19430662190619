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


def _fit(x: int, y: int) -> Fit:
    """Fit of crisp memberships held as bit masks over cases (bit k = case k is a member).

    inclS = Σmin(X,Y)/ΣX and covS = Σmin(X,Y)/ΣY; PRI subtracts Σmin(X,Y,1−Y) from both
    sides of inclS, which is zero for crisp data, so PRI equals inclS here.
    """
    both = (x & y).bit_count()
    incl = _ratio(both, x.bit_count())
    return Fit(incl_s=incl, pri=incl, cov_s=_ratio(both, y.bit_count()))


def _mask(values: Sequence[int]) -> int:
    return sum(1 << k for k, v in enumerate(values) if v)


@lru_cache(maxsize=8192)
def _member_mask(term: Implicant, data: DataTable) -> int:
    # models share terms and the table is immutable, so memberships are reused
    return sum(1 << k for k in range(len(data.cases)) if term.covers(data.configuration(k)))


def memberships(term: Implicant, data: DataTable) -> list[int]:
    """1 for each case whose configuration lies in the term, else 0."""
    mask = _member_mask(term, data)
    return [mask >> k & 1 for k in range(len(data.cases))]


def term_fit(term: Implicant, data: DataTable) -> Fit:
    """inclS, PRI and covS of one term against the data's outcome."""
    return _fit(_member_mask(term, data), _mask(data.outcome_values))


def model_fit(terms: Sequence[Implicant], data: DataTable) -> tuple[Fit, list[Fit]]:
    """Fit of the model (the union of its terms) and of each term, with covU within the model.

    covU(i) = covS(i) − Σ min(min(Xi, Y), max_{j≠i} min(Xj, Y)) / ΣY: the outcome cases that
    only term i explains. R reports NA for a model of a single term, and so do we.
    """
    y = _mask(data.outcome_values)
    xs = [_member_mask(t, data) for t in terms]
    union = 0
    for x in xs:
        union |= x
    fits = []
    for i, x in enumerate(xs):
        base = _fit(x, y)
        cov_u = None
        if len(xs) > 1 and y:
            others = 0
            for j, other in enumerate(xs):
                if j != i:
                    others |= other
            cov_u = (x & y & ~others).bit_count() / y.bit_count()
        fits.append(Fit(base.incl_s, base.pri, base.cov_s, cov_u))
    return _fit(union, y), fits
