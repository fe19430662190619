"""Intercoder agreement at segment level: percent agreement, Cohen's kappa, Krippendorff's alpha.

A unit is a segment; each coder's value for a code is 1 when the coder applied the code to the
segment (the whole turn or any span in it), else 0. Kappa and alpha are undefined (None) when
the data has no variation (for example a code neither coder used): then only percent agreement
says anything.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class AgreementRow:
    """Agreement for one code (or overall)."""

    code: str
    percent: float
    kappa: float | None
    alpha: float | None
    n_units: int
    positives: dict[str, int]


@dataclass(frozen=True)
class Disagreement:
    """A unit where coders differ on one code."""

    unit: int
    code: str
    coders_with: tuple[str, ...]
    coders_without: tuple[str, ...]


def percent_agreement(values: Sequence[Sequence[int]]) -> float:
    """Share of units (columns) on which all coders (rows) give the same value."""
    if not values or not values[0]:
        return 1.0
    n_units = len(values[0])
    agree = sum(1 for u in range(n_units) if len({row[u] for row in values}) == 1)
    return agree / n_units


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float | None:
    """Cohen's kappa for two coders' binary values; None when chance agreement is 1."""
    n = len(a)
    if n == 0 or n != len(b):
        return None
    po = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    pa1, pb1 = sum(a) / n, sum(b) / n
    pe = pa1 * pb1 + (1 - pa1) * (1 - pb1)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def krippendorff_alpha(values: Sequence[Sequence[int]]) -> float | None:
    """Krippendorff's alpha (nominal) with the `krippendorff` package; None without variation."""
    import krippendorff
    import numpy as np

    if not values or not values[0]:
        return None
    data = np.array(values, dtype=float)
    if len(np.unique(data)) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def agreement(
    coders: Sequence[str],
    units: Sequence[int],
    applied: Mapping[str, Mapping[str, set[int]]],
    codes: Sequence[str],
) -> tuple[list[AgreementRow], AgreementRow, list[Disagreement]]:
    """Per code and overall agreement; ``applied[code][coder]`` is the set of units coded.

    Overall pools every (unit, code) pair, as is usual for a codebook applied to segments.
    """
    rows: list[AgreementRow] = []
    pooled: list[list[int]] = [[] for _ in coders]
    disagreements: list[Disagreement] = []
    for code in codes:
        by_coder = applied.get(code, {})
        values = [[1 if u in by_coder.get(c, set()) else 0 for u in units] for c in coders]
        for i, row in enumerate(values):
            pooled[i].extend(row)
        rows.append(_row(code, coders, values))
        for j, unit in enumerate(units):
            with_code = tuple(c for i, c in enumerate(coders) if values[i][j])
            if with_code and len(with_code) < len(coders):
                without = tuple(c for c in coders if c not in with_code)
                disagreements.append(Disagreement(unit, code, with_code, without))
    overall = _row("(alle koder)", coders, pooled)
    return rows, overall, disagreements


def _row(code: str, coders: Sequence[str], values: list[list[int]]) -> AgreementRow:
    kappa = cohen_kappa(values[0], values[1]) if len(coders) == 2 else None
    return AgreementRow(
        code=code,
        percent=percent_agreement(values),
        kappa=kappa,
        alpha=krippendorff_alpha(values),
        n_units=len(values[0]) if values else 0,
        positives={c: sum(v) for c, v in zip(coders, values, strict=True)},
    )
