"""QCA from the project: conditions and outcome calibrated from codings and case attributes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kodebok.analysis.presence import PresenceRule
from kodebok.analysis.qca import DataTable, ascii_name, data_table_from_presence
from kodebok.errors import AnalysisError
from kodebok.store import Project

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
) -> tuple[DataTable, list[str]]:
    """A crisp data table: one 0/1 column per condition (code presence or attribute test).

    A code is present in a case by the presence rule and the manual overrides; a case with a
    not-reported value is left out (and named in the messages) unless ``keep_unreported``.
    Column names are ASCII (from ``names`` or derived from the conditions as given), as R
    expects; a derived name keeps the whole condition: ``innbyggere>=8000`` becomes
    ``innbyggere_ge_8000`` (not ``innbyggere``), ``Oppslutning og lojalitet/Fremmer`` becomes
    ``Oppslutning_og_lojalitet_Fremmer``.
    """
    from kodebok.services.analysis import attribute_condition, presence_columns

    specs = [c.strip() for c in conditions if c.strip()]
    if not specs:
        raise AnalysisError("give at least one condition (--conditions CODE,CODE,…)")
    if not outcome.strip():
        raise AnalysisError("give the outcome (--outcome CODE or an attribute test)")
    all_specs = [*specs, outcome.strip()]
    if names is not None and len(names) not in (len(specs), len(all_specs)):
        raise AnalysisError(
            f"--names has {len(names)} names for {len(specs)} conditions (and the outcome)"
        )
    labels = list(names or [])
    for spec in all_specs[len(labels) :]:
        labels.append(column_name(spec))
    if len(set(labels)) != len(labels):
        raise AnalysisError(
            f"column names must differ: {', '.join(labels)}; use --names",
            code="qca.same_names",
            names=labels,
        )
    codes = [s for s in all_specs if not is_attribute_condition(s)]
    cases: list[str] = []
    code_cols: dict[str, list[int | None]] = {}
    if codes:
        cases, code_cols = presence_columns(project, codes, rule)
    columns: dict[str, list[int | None]] = {}
    for spec, label in zip(all_specs, labels, strict=True):
        if is_attribute_condition(spec):
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
