"""QCA from the project: conditions and outcome calibrated from codings and case attributes.

One pipeline for both front ends: :func:`load_data_table` (a CSV file or the project),
then :func:`run_qca` (truth table, then the chosen solutions) with the rule that an
intermediate solution needs directional expectations (:func:`check_solutions`).
:func:`project_qca` is the two together, as the TUI's QCA screen runs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from kodebok.analysis.presence import PresenceRule
from kodebok.analysis.qca import (
    Anchors,
    DataTable,
    Solution,
    TruthTable,
    ascii_name,
    data_table_from_presence,
    minimize,
    parse_dir_exp,
    read_data_csv,
    truth_table,
)
from kodebok.errors import AnalysisError, KodebokError
from kodebok.store import Project

SOLUTION_KINDS = ("complex", "parsimonious", "intermediate")

_ATTRIBUTE = re.compile(r"(>=|<=|!=|=|>|<)")


def is_attribute_condition(spec: str) -> bool:
    """``innbyggere>=8000`` or ``organisering=tonivå`` rather than a code."""
    return bool(_ATTRIBUTE.search(spec))


_OPERATOR_WORDS = {">=": "ge", "<=": "le", "!=": "ne", "=": "eq", ">": "gt", "<": "lt"}


def column_name(spec: str) -> str:
    """An R column name for a condition that keeps all of it (test and threshold, code path)."""
    parts = _ATTRIBUTE.split(spec.strip().strip("/"))
    return ascii_name("_".join(_OPERATOR_WORDS.get(p, p.strip()) for p in parts))


def project_data_table(
    project: Project,
    conditions: Sequence[str],
    outcome: str,
    *,
    rule: PresenceRule | None = None,
    names: Sequence[str] | None = None,
    keep_unreported: bool = False,
    calibrations: Sequence[str] = (),
) -> tuple[DataTable, list[str]]:
    """A data table: one 0/1 column per condition (code presence or attribute test).

    ``calibrations`` (``innbyggere:e=2000,c=8000,i=20000``, ``codings(CODE):e=0,c=2,i=6``;
    see :mod:`kodebok.services.qca_calibration`) add fuzzy conditions after ``conditions``,
    and the outcome may be one too; any of them makes the table fuzzy.

    A code is present in a case by the presence rule and the manual overrides; a case with a
    not-reported value is left out (and named in the messages) unless ``keep_unreported``.
    Column names are ASCII (from ``names`` or derived from the conditions as given), as R
    expects; a derived name keeps the whole condition: ``innbyggere>=8000`` becomes
    ``innbyggere_ge_8000`` (not ``innbyggere``), ``Oppslutning og lojalitet/Fremmer`` becomes
    ``Oppslutning_og_lojalitet_Fremmer``.
    """
    from kodebok.services.analysis import attribute_condition, presence_columns
    from kodebok.services.qca_calibration import (
        calibrated_column,
        is_calibration,
        parse_calibration,
    )

    specs = [c.strip() for c in (*conditions, *calibrations) if c.strip()]
    if not specs:
        raise AnalysisError(
            "give at least one condition (--conditions CODE,CODE,…)",
            code="qca.give_least_one_condition",
        )
    if not outcome.strip():
        raise AnalysisError(
            "give the outcome (--outcome CODE or an attribute test)",
            code="qca.give_outcome_outcome_code",
        )
    all_specs = [*specs, outcome.strip()]
    if names is not None and len(names) not in (len(specs), len(all_specs)):
        raise AnalysisError(
            f"--names has {len(names)} names for {len(specs)} conditions (and the outcome)",
            code="qca.names_has_names_conditions",
            n_names=len(names),
            n_specs=len(specs),
        )
    calibrated = {s: parse_calibration(s) for s in all_specs if is_calibration(s)}
    labels = list(names or [])
    for spec in all_specs[len(labels) :]:
        labels.append(calibrated[spec].column if spec in calibrated else column_name(spec))
    if len(set(labels)) != len(labels):
        raise AnalysisError(
            f"column names must differ: {', '.join(labels)}; use --names",
            code="qca.same_names",
            names=labels,
        )
    codes = [s for s in all_specs if s not in calibrated and not is_attribute_condition(s)]
    cases: list[str] = []
    code_cols: dict[str, list[int | None]] = {}
    if codes:
        cases, code_cols = presence_columns(project, codes, rule)
    columns: dict[str, list[float | None]] = {}
    for spec, label in zip(all_specs, labels, strict=True):
        if spec in calibrated:
            cal_cases, memberships = calibrated_column(project, calibrated[spec], rule)
            if not cases:
                cases = cal_cases
            by_name = dict(zip(cal_cases, memberships, strict=True))
            columns[label] = [by_name.get(c) for c in cases]
        elif is_attribute_condition(spec):
            attr_cases, values = attribute_condition(project, spec)
            if not cases:
                cases = attr_cases
            by_case = dict(zip(attr_cases, values, strict=True))
            columns[label] = [by_case.get(c) for c in cases]
        else:
            columns[label] = list(code_cols[spec])
    if not cases:
        raise AnalysisError(
            "the project has no cases; add them with 'kodebok cases import'", code="qca.no_cases"
        )
    return data_table_from_presence(cases, columns, labels[-1], keep_unreported)


@dataclass
class QcaRun:
    """What one run produced: the data table, its truth table, the solutions asked for.

    ``messages`` are the notes on the data (cases left out, constant columns …), each once;
    ``error`` is why the solutions are missing when minimisation failed (only
    :func:`project_qca` keeps the tables then).
    """

    data: DataTable
    truth: TruthTable
    solutions: list[Solution] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    error: KodebokError | None = None


def check_solutions(kinds: Sequence[str], dir_exp: str | None) -> None:
    """An intermediate solution needs directional expectations, and only it takes them."""
    for kind in kinds:
        if kind not in SOLUTION_KINDS:
            raise AnalysisError(
                f"no solution {kind!r}; choose from {', '.join(SOLUTION_KINDS)}",
                code="qca.solution_choose_from",
                kind=repr(kind),
                solution_kinds=", ".join(SOLUTION_KINDS),
            )
    if "intermediate" in kinds and not dir_exp:
        raise AnalysisError(
            "--solution intermediate needs --dir-exp COND=1,COND=0,...",
            code="qca.solution_intermediate_needs_dir",
        )
    if dir_exp and "intermediate" not in kinds:
        raise AnalysisError(
            "--dir-exp applies only to --solution intermediate", code="qca.dir_exp_applies_only"
        )


def load_data_table(
    source: Path | None,
    conditions: Sequence[str] | None,
    outcome: str,
    open_project: Callable[[], AbstractContextManager[Project]],
    *,
    rule: PresenceRule | None = None,
    names: Sequence[str] | None = None,
    keep_unreported: bool = False,
    negate: bool = False,
    calibrations: Sequence[str] = (),
) -> tuple[DataTable, list[str]]:
    """The data table from a CSV file (``source``) or calibrated from the project, and notes.

    Exactly one of ``source`` and ``conditions`` is given; ``open_project`` is called only
    for the project's table. With ``negate`` the table explains the outcome's absence.
    """
    if source is not None:
        if conditions:
            raise AnalysisError(
                "give either --from FILE or --conditions, not both",
                code="qca.give_either_from_file",
            )
        data = read_data_csv(source, outcome, _file_calibrations(calibrations))
        messages: list[str] = []  # a file's warnings are part of the reports written from it
    else:
        if not conditions and not calibrations:
            raise AnalysisError(
                "give --from FILE.csv, or --conditions CODE,… from the project",
                code="qca.give_from_file_csv",
            )
        with open_project() as project:
            data, found = project_data_table(
                project,
                conditions or (),
                outcome,
                rule=rule,
                names=names,
                keep_unreported=keep_unreported,
                calibrations=calibrations,
            )
        # the messages already include the table's warnings: each note once
        messages = list(dict.fromkeys([*found, *data.warnings]))
    return (data.negated() if negate else data), messages


def _file_calibrations(specs: Sequence[str]) -> dict[str, Anchors]:
    """``COLUMN:e=…,c=…,i=…`` for columns of a --from file that hold raw numbers."""
    from kodebok.services.qca_calibration import parse_calibration

    out: dict[str, Anchors] = {}
    for spec in specs:
        calibration = parse_calibration(spec)
        if calibration.kind != "attribute":
            raise AnalysisError(
                f"{spec!r}: with --from, --calibrate names a column of the file "
                "(COLUMN:e=…,c=…,i=…); code measures come from the project",
                code="qca.from_calibrate_names_column",
                spec=repr(spec),
            )
        if calibration.target in out:
            raise AnalysisError(
                f"column {calibration.target!r} is calibrated twice",
                code="qca.column_calibrated_twice",
                calibration_target=repr(calibration.target),
            )
        out[calibration.target] = calibration.anchors
    return out


def run_qca(
    data: DataTable,
    *,
    incl_cut: float | tuple[float, float] = 1.0,
    n_cut: int = 1,
    solutions: Sequence[str] = ("complex",),
    dir_exp: str | None = None,
    complete: bool = False,
    messages: Sequence[str] = (),
) -> QcaRun:
    """Truth table, then each solution in ``solutions`` (none for the truth table alone)."""
    check_solutions(solutions, dir_exp)
    tt = truth_table(data, incl_cut, n_cut, complete=complete)
    expectations = parse_dir_exp(dir_exp, data.conditions) if dir_exp else None
    found = [
        minimize(tt, kind, expectations if kind == "intermediate" else None) for kind in solutions
    ]
    return QcaRun(data, tt, found, list(messages))


def project_qca(
    project: Project,
    conditions: Sequence[str],
    outcome: str,
    *,
    rule: PresenceRule | None = None,
    incl_cut: float = 1.0,
    solutions: Sequence[str] = ("complex", "parsimonious"),
    dir_exp: str | None = None,
) -> QcaRun:
    """Data table from the project's codings and attributes, truth table and solutions.

    As a screen shows it: when minimisation fails (no row with OUT = 1 …) the data table,
    truth table and notes are still returned, with the reason in ``error``.
    """
    check_solutions(solutions, dir_exp)
    data, found = project_data_table(project, conditions, outcome, rule=rule)
    messages = list(dict.fromkeys([*found, *data.warnings]))
    try:
        return run_qca(
            data, incl_cut=incl_cut, solutions=solutions, dir_exp=dir_exp, messages=messages
        )
    except KodebokError as exc:
        partial = run_qca(data, incl_cut=incl_cut, solutions=(), messages=messages)
        partial.error = exc
        return partial
