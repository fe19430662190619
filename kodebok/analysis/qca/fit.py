"""Parameters of fit for sufficiency: inclS, PRI, covS per term and model, covU per term."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kodebok.analysis.qca.data import DataTable
from kodebok.analysis.qca.formula import Implicant, condition_bit


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
    """1 for each case whose configuration lies in the term, else 0 (crisp images for fuzzy
    data; :func:`fuzzy_memberships` gives the degrees)."""
    mask = _member_mask(term, data)
    return [mask >> k & 1 for k in range(len(data.cases))]


def fuzzy_memberships(term: Implicant, data: DataTable) -> list[float]:
    """Each case's membership in the term: the minimum over its literals (``~X`` is 1 − X)."""
    n = len(data.conditions)
    literals = [
        (i, bool(term.value & condition_bit(i, n)))
        for i in range(n)
        if term.care & condition_bit(i, n)
    ]
    return [
        min((row[i] if present else 1 - row[i] for i, present in literals), default=1.0)
        for row in data.memberships()
    ]


def fuzzy_fit(xs: Sequence[float], ys: Sequence[float]) -> Fit:
    """inclS, PRI and covS of memberships ``xs`` for the outcome memberships ``ys``.

    inclS = Σmin(X,Y)/ΣX, covS = Σmin(X,Y)/ΣY,
    PRI = (Σmin(X,Y) − Σmin(X,Y,1−Y)) / (ΣX − Σmin(X,Y,1−Y)).
    """
    both = sum(min(x, y) for x, y in zip(xs, ys, strict=True))
    overlap = sum(min(x, y, 1 - y) for x, y in zip(xs, ys, strict=True))
    sum_x = sum(xs)
    return Fit(
        incl_s=_ratio(both, sum_x),
        pri=_ratio(both - overlap, sum_x - overlap),
        cov_s=_ratio(both, sum(ys)),
    )


def term_fit(term: Implicant, data: DataTable) -> Fit:
    """inclS, PRI and covS of one term against the data's outcome."""
    if data.is_fuzzy:
        return fuzzy_fit(fuzzy_memberships(term, data), data.outcome_memberships())
    return _fit(_member_mask(term, data), _mask(data.outcome_values))


def _fuzzy_model_fit(terms: Sequence[Implicant], data: DataTable) -> tuple[Fit, list[Fit]]:
    ys = data.outcome_memberships()
    xs = [fuzzy_memberships(t, data) for t in terms]
    union = [max(col) for col in zip(*xs, strict=True)] if xs else [0.0] * len(ys)
    sum_y = sum(ys)
    fits = []
    for i, x in enumerate(xs):
        base = fuzzy_fit(x, ys)
        cov_u = None
        if len(xs) > 1 and sum_y:
            others = [max(col) for col in zip(*(xs[:i] + xs[i + 1 :]), strict=True)]
            shared = sum(min(min(a, y), min(b, y)) for a, b, y in zip(x, others, ys, strict=True))
            cov_u = (sum(min(a, y) for a, y in zip(x, ys, strict=True)) - shared) / sum_y
        fits.append(Fit(base.incl_s, base.pri, base.cov_s, cov_u))
    return fuzzy_fit(union, ys), fits


def model_fit(terms: Sequence[Implicant], data: DataTable) -> tuple[Fit, list[Fit]]:
    """Fit of the model (the union of its terms) and of each term, with covU within the model.

    covU(i) = covS(i) − Σ min(min(Xi, Y), max_{j≠i} min(Xj, Y)) / ΣY: the outcome cases that
    only term i explains. R reports NA for a model of a single term, and so do we.
    """
    if data.is_fuzzy:
        return _fuzzy_model_fit(terms, data)
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
