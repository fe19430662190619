"""Calibration of raw measures into set memberships, as R's QCA calibrate() does it.

Direct method (Ragin 2008): three anchors, full exclusion ``e``, crossover ``c`` and full
inclusion ``i``, and a logistic curve through them. R's default ``idm = 0.95`` puts the anchors
at memberships 0.05 and 0.95, i.e. log-odds ±ln(19) ≈ ±2.944 (Ragin's text rounds this to ±3).
Anchors may increase (e < c < i: more is more in the set) or decrease (e > c > i). Crisp
calibration counts the thresholds a value reaches (0/1 for one threshold).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kodebok.errors import AnalysisError

DEFAULT_IDM = 0.95


@dataclass(frozen=True)
class Anchors:
    """The three anchors of direct calibration."""

    exclusion: float
    crossover: float
    inclusion: float

    @property
    def increasing(self) -> bool:
        """True when larger values mean more membership (e < c < i)."""
        return self.exclusion < self.inclusion


def _number(text: str, item: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise AnalysisError(
            f"Threshold {item!r}: {text.strip()!r} is not a number",
            code="qca.calibrate.threshold_number",
            item=repr(item),
            strip=repr(text.strip()),
        ) from None
    if not math.isfinite(value):
        raise AnalysisError(
            f"Threshold {item!r} must be a finite number",
            code="qca.calibrate.threshold_finite_number",
            item=repr(item),
        )
    return value


def parse_thresholds(text: str) -> Anchors:
    """Read R's ``"e=350, c=550, i=850"`` (any order) into anchors.

    With ``;`` as separator the numbers may use a decimal comma (``e=0,1; c=0,5; i=0,9``).
    """
    found: dict[str, float] = {}
    for raw in text.split(";" if ";" in text else ","):
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        key = name.strip().lower()
        if not sep or key not in ("e", "c", "i"):
            raise AnalysisError(
                f"Threshold {item!r} should be e=NUMBER, c=NUMBER or i=NUMBER "
                "(exclusion, crossover, inclusion)",
                code="qca.calibrate.threshold_should_number_number",
                item=repr(item),
            )
        if key in found:
            raise AnalysisError(
                f"Threshold {key!r} given twice in {text!r}",
                code="qca.calibrate.threshold_given_twice",
                key=repr(key),
                text=repr(text),
            )
        found[key] = _number(value, item)
    missing = [k for k in ("e", "c", "i") if k not in found]
    if missing:
        raise AnalysisError(
            f"Thresholds {text!r} lack {', '.join(missing)}; direct calibration needs "
            "e (full exclusion), c (crossover) and i (full inclusion)",
            code="qca.calibrate.thresholds_lack_direct_calibration",
            text=repr(text),
            missing=", ".join(missing),
        )
    return anchors(found)


def anchors(values: Mapping[str, float]) -> Anchors:
    """Anchors from ``{"e": ..., "c": ..., "i": ...}``; c must lie strictly between e and i."""
    e, c, i = float(values["e"]), float(values["c"]), float(values["i"])
    if not (e < c < i or e > c > i):
        raise AnalysisError(
            f"The crossover c={c:g} must lie strictly between the exclusion e={e:g} and the "
            f"inclusion i={i:g} anchors (increasing e < c < i or decreasing e > c > i)",
            code="qca.calibrate.crossover_lie_strictly_between",
            c=format(c, "g"),
            e=format(e, "g"),
            i=format(i, "g"),
        )
    return Anchors(e, c, i)


def calibrate_fuzzy(
    values: Sequence[float], thresholds: Anchors | str, idm: float = DEFAULT_IDM
) -> list[float]:
    """Logistic direct calibration of each value (R: ``calibrate(x, type = "fuzzy")``).

    The distance from the crossover is scaled so that the inclusion anchor gets log-odds
    ln(idm / (1 − idm)) and the exclusion anchor the negative of that; membership is the
    logistic function of the scaled distance.
    """
    a = parse_thresholds(thresholds) if isinstance(thresholds, str) else thresholds
    if not 0.5 < idm < 1:
        raise AnalysisError(
            f"idm must lie between 0.5 and 1, got {idm}",
            code="qca.calibrate.idm_lie_between_got",
            idm=idm,
        )
    log_odds = math.log(idm / (1 - idm))
    out = []
    for x in values:
        x = float(x)
        if not math.isfinite(x):
            raise AnalysisError(
                f"Cannot calibrate the value {x}: not a finite number",
                code="qca.calibrate.calibrate_value_finite_number",
                x=x,
            )
        toward_inclusion = (x - a.crossover) * (a.inclusion - a.crossover) >= 0
        span = (a.inclusion - a.crossover) if toward_inclusion else (a.crossover - a.exclusion)
        z = (x - a.crossover) / span * log_odds
        out.append(_logistic(z))
    return out


def _logistic(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1 + ez)


def calibrate_crisp(values: Sequence[float], thresholds: Sequence[float]) -> list[int]:
    """Crisp calibration: the number of thresholds each value reaches (``>=``).

    One threshold gives a crisp set (0/1), more give multi-value levels 0, 1, 2, ...
    Thresholds must increase.
    """
    cuts = [float(t) for t in thresholds]
    if not cuts:
        raise AnalysisError(
            "Crisp calibration needs at least one threshold",
            code="qca.calibrate.crisp_calibration_needs_least",
        )
    if any(b <= a for a, b in itertools.pairwise(cuts)):
        raise AnalysisError(
            f"Crisp thresholds must increase, got {', '.join(map(str, cuts))}",
            code="qca.calibrate.crisp_thresholds_increase_got",
            map=", ".join(map(str, cuts)),
        )
    return [sum(1 for t in cuts if float(x) >= t) for x in values]
