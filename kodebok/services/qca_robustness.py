"""Robustness of a QCA solution (the protocol of Oana and Schneider): re-run the minimisation
over a range of settings and see which solution terms survive.

The settings are every combination of an inclusion cut-off (``incl_cuts``) and, for project
data, a presence threshold (``min_codings``), plus, with ``leave_one_out``, the initial setting
with each case left out once. Each setting runs the same solution kind through
:func:`kodebok.services.qca.run_qca`; its solution is the first model (M1) of that kind.

Robustness fit. All solutions are evaluated as sets on the initial data table (the cases and
memberships of the initial setting): a case's membership in a solution is the maximum over
its terms of the minimum over each term's literals (``~X`` is 1 − X). With S_i the initial
solution, the alternative solutions T_1 … T_k (the settings other than the initial one that
have a solution), Y the outcome and ΣX the sum over cases:

- MinTS = min(T_1, …, T_k), MaxTS = max(T_1, …, T_k) (the minimal and maximal test sets);
- the robust core RC = min(S_i, MinTS);
- inclS(X) = Σmin(X, Y) / ΣX and covS(X) = Σmin(X, Y) / ΣY;
- RF_cov = covS(RC) / covS(S_i): the share of the initial solution's coverage kept by the core;
- RF_cons = inclS(S_i) / inclS(RC): the initial consistency against the core's;
- RF_SC_min = Σmin(S_i, MinTS) / Σmax(S_i, MinTS): set coincidence of S_i with MinTS;
- RF_SC_max = Σmin(S_i, MaxTS) / Σmax(S_i, MaxTS): set coincidence of S_i with MaxTS.

These follow SetMethods' ``rob.fit`` (all test solutions taken into MinTS and MaxTS). A ratio
whose denominator is 0 is None. Each value is 1 when every setting gives the initial solution.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path

from kodebok.analysis.presence import PresenceRule
from kodebok.analysis.qca import DataTable, parse_term
from kodebok.analysis.qca.fit import fuzzy_memberships
from kodebok.errors import AnalysisError, KodebokError
from kodebok.notes import Note
from kodebok.services.qca import check_solutions, load_data_table, run_qca
from kodebok.store import Project


@dataclass(frozen=True)
class Setting:
    """One re-run: inclusion cut-off, presence threshold (project data) and a left-out case."""

    incl_cut: float
    min_codings: int | None = None
    left_out: str | None = None
    calibration: str | None = None  # a shifted calibration, ``innbyggere:e=…,c=…,i=…``

    def label(self) -> str:
        """``incl=0.8 min-codings=2 without Alfa``."""
        parts = [f"incl={self.incl_cut:g}"]
        if self.min_codings is not None:
            parts.append(f"min-codings={self.min_codings}")
        if self.calibration is not None:
            parts.append(self.calibration)
        if self.left_out is not None:
            parts.append(f"without {self.left_out}")
        return " ".join(parts)


@dataclass
class SettingResult:
    """The solution (M1's terms) in one setting, or why there is none."""

    setting: Setting
    terms: tuple[str, ...] = ()
    models: int = 0
    error: str | None = None

    @property
    def formula(self) -> str:
        """The model's terms joined by `` + `` (empty without a solution)."""
        return " + ".join(self.terms)


@dataclass(frozen=True)
class TermCount:
    """A term and in how many of the settings' solutions it appears."""

    term: str
    settings: int
    share: float
    core: bool
    in_initial: bool


@dataclass
class Robustness:
    """What :func:`robustness` found: the initial run, every setting, the terms and the fit."""

    solution: str
    initial: SettingResult
    results: list[SettingResult]
    terms: list[TermCount]
    fit: dict[str, float | None]
    messages: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[SettingResult]:
        """Settings whose solution differs from the initial one (or that have none)."""
        initial = set(self.initial.terms)
        return [r for r in self.results if r.error or set(r.terms) != initial]


def default_incl_cuts(incl_cut: float) -> list[float]:
    """The given cut-off ± 0.05 and ± 0.1, kept within (0.5, 1]."""
    values = {round(incl_cut + d, 4) for d in (-0.1, -0.05, 0.0, 0.05, 0.1)}
    return sorted(v for v in values if 0.5 < v <= 1.0)


def parse_incl_cuts(text: str) -> list[float]:
    """``0.75,0.8,0.9``: each a number in (0.5, 1]; a bad value is named in the error."""
    values: list[float] = []
    for part in (p.strip() for p in text.split(",")):
        try:
            value = float(part)
        except ValueError:
            value = -1.0
        if not 0.5 < value <= 1.0:
            raise AnalysisError(
                f"--incl-cuts: {part!r} is not a cut-off between 0.5 (excluded) and 1",
                code="qca.robustness.bad_incl_cut",
                value=repr(part),
            )
        values.append(value)
    return sorted(set(values))


def parse_min_codings(text: str) -> list[int]:
    """``1,2,3``: whole numbers from 0; a bad value is named in the error."""
    values: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part.isdigit():
            raise AnalysisError(
                f"--min-codings: {part!r} is not a whole number from 0",
                code="qca.robustness.bad_min_codings",
                value=repr(part),
            )
        values.append(int(part))
    return list(dict.fromkeys(values))


def shifted_calibrations(spec: str, percent: float) -> list[str]:
    """The calibration with its crossover moved down and up by ``percent`` of |i − e|.

    ``innbyggere:e=2000,c=8000,i=20000`` shifted by 10 gives crossovers 6200 and 9800; a shift
    that would move the crossover to or past an end anchor is refused, naming the calibration.
    """
    from kodebok.services.qca_calibration import parse_calibration

    anchors = parse_calibration(spec).anchors
    e, c, i = anchors.exclusion, anchors.crossover, anchors.inclusion
    step = abs(i - e) * percent / 100
    low, high = min(e, i), max(e, i)
    if not percent > 0 or not low < c - step or not c + step < high:
        raise AnalysisError(
            f"--calibrate-shift {percent:g}: the crossover of {spec!r} would leave the range "
            "between its exclusion and inclusion anchors",
            code="qca.robustness.bad_calibrate_shift",
            percent=percent,
            spec=repr(spec),
        )
    measure = spec.strip().rsplit(":", 1)[0]
    return [f"{measure}:e={e:g},c={c + d:g},i={i:g}" for d in (-step, step)]


def without_case(data: DataTable, case: str) -> DataTable:
    """The data table with one case left out."""
    keep = [i for i, c in enumerate(data.cases) if c != case]
    return replace(
        data,
        cases=tuple(data.cases[i] for i in keep),
        values=tuple(data.values[i] for i in keep),
        outcome_values=tuple(data.outcome_values[i] for i in keep),
        fuzzy_values=(
            tuple(data.fuzzy_values[i] for i in keep) if data.fuzzy_values is not None else None
        ),
        fuzzy_outcome=(
            tuple(data.fuzzy_outcome[i] for i in keep) if data.fuzzy_outcome is not None else None
        ),
    )


def solution_memberships(terms: Sequence[str], data: DataTable) -> list[float]:
    """Each case's membership in the union of ``terms`` (0 for every case without terms)."""
    columns = [fuzzy_memberships(parse_term(t, data.conditions), data) for t in terms]
    if not columns:
        return [0.0] * len(data.cases)
    return [max(col) for col in zip(*columns, strict=True)]


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def robustness_fit(
    initial: Sequence[float], tests: Sequence[Sequence[float]], outcome: Sequence[float]
) -> dict[str, float | None]:
    """RF_cov, RF_cons, RF_SC_min and RF_SC_max (see the module's docstring) from memberships."""
    if not tests:
        return {"RF_cov": None, "RF_cons": None, "RF_SC_min": None, "RF_SC_max": None}
    min_ts = [min(col) for col in zip(*tests, strict=True)]
    max_ts = [max(col) for col in zip(*tests, strict=True)]
    core = [min(s, t) for s, t in zip(initial, min_ts, strict=True)]
    sum_y = sum(outcome)

    def both(xs: Sequence[float]) -> float:
        return sum(min(x, y) for x, y in zip(xs, outcome, strict=True))

    cov_i, cov_core = _ratio(both(initial), sum_y), _ratio(both(core), sum_y)
    incl_i, incl_core = _ratio(both(initial), sum(initial)), _ratio(both(core), sum(core))

    def coincidence(other: Sequence[float]) -> float | None:
        low = sum(min(s, o) for s, o in zip(initial, other, strict=True))
        high = sum(max(s, o) for s, o in zip(initial, other, strict=True))
        return _ratio(low, high)

    return {
        "RF_cov": _ratio(cov_core, cov_i) if cov_core is not None and cov_i is not None else None,
        "RF_cons": (
            _ratio(incl_i, incl_core) if incl_i is not None and incl_core is not None else None
        ),
        "RF_SC_min": coincidence(min_ts),
        "RF_SC_max": coincidence(max_ts),
    }


def _notes(results: Sequence[SettingResult]) -> list[str]:
    """A note per setting without a solution, and one on settings with several models."""
    notes: list[str] = [
        Note(
            "qca.robustness.no_solution",
            f"{r.setting.label()}: no solution ({r.error})",
            setting=r.setting.label(),
            reason=r.error,
        )
        for r in results
        if r.error
    ]
    several = [r.setting.label() for r in results if r.models > 1]
    if several:
        notes.append(
            Note(
                "qca.robustness.several_models",
                f"{len(several)} settings have several equally minimal models; the first (M1) "
                f"is counted: {'; '.join(several)}",
                n=len(several),
                settings=several,
            )
        )
    return notes


def _count_terms(results: Sequence[SettingResult], initial: SettingResult) -> list[TermCount]:
    """Each term with the number and share of settings that have it, most frequent first."""
    n = len(results)
    counts: dict[str, int] = {}
    for result in results:
        for term in result.terms:
            counts[term] = counts.get(term, 0) + 1
    initial_terms = set(initial.terms)
    return [
        TermCount(term, k, k / n, k == n, term in initial_terms)
        for term, k in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _shifts(calibrations: Sequence[str], percent: float | None) -> list[tuple[str, list[str]]]:
    """Each shifted calibration with the whole list of calibrations it belongs to."""
    if percent is None:
        return []
    if not calibrations:
        raise AnalysisError(
            "--calibrate-shift needs a calibrated condition (--calibrate)",
            code="qca.robustness.shift_needs_calibrate",
        )
    shifts = []
    for k, spec in enumerate(calibrations):
        for shifted in shifted_calibrations(spec, percent):
            shifts.append((shifted, [*calibrations[:k], shifted, *calibrations[k + 1 :]]))
    return shifts


def robustness(
    source: Path | None,
    conditions: Sequence[str] | None,
    outcome: str,
    open_project: Callable[[], AbstractContextManager[Project]],
    *,
    incl_cut: float = 1.0,
    incl_cuts: Sequence[float] | None = None,
    min_codings: Sequence[int] = (),
    leave_one_out: bool = False,
    calibrate_shift: float | None = None,
    n_cut: int = 1,
    solution: str = "parsimonious",
    dir_exp: str | None = None,
    rule: PresenceRule | None = None,
    names: Sequence[str] | None = None,
    keep_unreported: bool = False,
    negate: bool = False,
    calibrations: Sequence[str] = (),
) -> Robustness:
    """Re-run the solution over the settings and count the terms (see the module docstring).

    The initial setting is ``incl_cut`` with the first of ``min_codings`` (or ``rule``'s own
    threshold without them); ``incl_cuts`` defaults to :func:`default_incl_cuts`. With
    ``calibrate_shift`` each calibration in turn has its crossover shifted down and up
    (:func:`shifted_calibrations`), at the initial cut-off and threshold.
    """
    check_solutions([solution], dir_exp)
    if min_codings and source is not None:
        raise AnalysisError(
            "--min-codings applies to project data (--conditions), not to --from",
            code="qca.robustness.min_codings_from",
        )
    base_rule = rule or PresenceRule()
    thresholds: list[int | None] = list(min_codings) or [base_rule.min_codings]
    cuts = sorted({incl_cut, *(incl_cuts or default_incl_cuts(incl_cut))})

    shifts = _shifts(calibrations, calibrate_shift)
    messages: list[str] = []

    def load(threshold: int | None, specs: Sequence[str]) -> DataTable:
        data, found = load_data_table(
            source,
            conditions,
            outcome,
            open_project,
            rule=replace(base_rule, min_codings=threshold),
            names=names,
            keep_unreported=keep_unreported,
            negate=negate,
            calibrations=specs,
        )
        messages.extend(found)
        return data

    tables = {threshold: load(threshold, calibrations) for threshold in thresholds}

    def run(setting: Setting, data: DataTable) -> SettingResult:
        try:
            found = run_qca(
                data,
                incl_cut=setting.incl_cut,
                n_cut=n_cut,
                solutions=[solution],
                dir_exp=dir_exp,
            ).solutions[0]
        except KodebokError as exc:
            return SettingResult(setting, error=str(exc))
        if not found.models:
            return SettingResult(setting, error="no model")
        return SettingResult(setting, found.models[0].texts, len(found.models))

    first = thresholds[0]
    initial = run(Setting(incl_cut, first), tables[first])
    if initial.error:
        raise AnalysisError(
            f"the initial setting ({initial.setting.label()}) has no solution: {initial.error}",
            code="qca.robustness.no_initial_solution",
            setting=initial.setting.label(),
            reason=initial.error,
        )
    results = [initial]
    for threshold in thresholds:
        for cut in cuts:
            setting = Setting(cut, threshold)
            if setting != initial.setting:
                results.append(run(setting, tables[threshold]))
    if leave_one_out:
        base = tables[first]
        for case in base.cases:
            results.append(run(Setting(incl_cut, first, case), without_case(base, case)))
    for label, specs in shifts:
        results.append(run(Setting(incl_cut, first, calibration=label), load(first, specs)))
    messages.extend(_notes(results))
    terms = _count_terms(results, initial)
    base = tables[first]
    tests = [solution_memberships(r.terms, base) for r in results[1:] if not r.error]
    fit = robustness_fit(
        solution_memberships(initial.terms, base), tests, base.outcome_memberships()
    )
    return Robustness(solution, initial, results, terms, fit, list(dict.fromkeys(messages)))


def robustness_json(result: Robustness) -> dict[str, object]:
    """The result as JSON: settings, terms with counts and shares, the robustness fit."""

    def setting(r: SettingResult) -> dict[str, object]:
        return {
            "incl_cut": r.setting.incl_cut,
            "min_codings": r.setting.min_codings,
            "left_out": r.setting.left_out,
            "calibration": r.setting.calibration,
            "terms": list(r.terms),
            "models": r.models,
            "changed": r in result.changed,
            "error": r.error,
        }

    return {
        "solution": result.solution,
        "initial": setting(result.initial),
        "settings": [setting(r) for r in result.results],
        "terms": [
            {
                "term": t.term,
                "settings": t.settings,
                "share": t.share,
                "core": t.core,
                "in_initial": t.in_initial,
            }
            for t in result.terms
        ],
        "fit": result.fit,
    }
