"""Truth tables, solutions and necessity as JSON-ready dicts, Markdown for a thesis, and CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kodebok.analysis.qca.data import DataTable
from kodebok.analysis.qca.fit import Fit
from kodebok.analysis.qca.formula import configuration_text
from kodebok.analysis.qca.necessity import necessity
from kodebok.analysis.qca.solutions import Solution
from kodebok.analysis.qca.supersubset import SuperSubsetRow
from kodebok.analysis.qca.truth_table import TruthTable
from kodebok.tabular import csv_text

SOLUTION_NAMES = {
    "complex": "Kompleks løsning (complex/conservative)",
    "parsimonious": "Parsimonisk løsning (parsimonious)",
    "intermediate": "Intermediær løsning (intermediate)",
}
MAX_LISTED_ROWS = 40


def number(value: float | None, decimal: str = ".") -> str:
    """Three decimals as R prints fit, ``-`` for NA; ``decimal=','`` for Norwegian text."""
    if value is None:
        return "-"
    return f"{value:.3f}".replace(".", decimal)


def _cut_text(tt: TruthTable) -> str:
    ic1, ic0 = tt.incl_cut
    return f"{ic1:g}" if ic1 == ic0 else f"{ic1:g}, {ic0:g}"


def truth_table_json(tt: TruthTable) -> dict[str, Any]:
    """Rows with R's columns (``OUT``, ``n``, ``incl``, ``PRI``, ``cases``) plus contradictions."""
    n = len(tt.conditions)
    return {
        "outcome": tt.outcome,
        "conditions": list(tt.conditions),
        "incl_cut": list(tt.incl_cut),
        "n_cut": tt.n_cut,
        "complete": tt.complete,
        "rows": [
            {
                "row": r.row,
                "configuration": configuration_text(r.configuration, n),
                "values": dict(zip(tt.conditions, r.values, strict=True)),
                "OUT": r.out,
                "n": r.n,
                "incl": r.incl,
                "PRI": r.pri,
                "cases": list(r.cases),
            }
            for r in tt.rows
        ],
        "contradictions": [
            {
                "row": r.row,
                "with_outcome": list(r.positive_cases),
                "without_outcome": [c for c in r.cases if c not in r.positive_cases],
            }
            for r in tt.contradictions
        ],
        "warnings": list(tt.warnings),
    }


def truth_table_markdown(tt: TruthTable, decimal: str = ".") -> str:
    """The truth table as a Markdown table with Norwegian headings (Rad, Caser)."""
    head = ["Rad", *tt.conditions, "OUT", "n", "incl", "PRI", "Caser"]
    lines = [
        f"**Sannhetstabell** for {tt.outcome} (incl.cut = {_cut_text(tt)}, n.cut = {tt.n_cut})",
        "",
        "| " + " | ".join(head) + " |",
        "|"
        + "|".join(["---:"] + [":---:"] * len(tt.conditions) + [":---:"] + ["---:"] * 3)
        + "|---|",
    ]
    for r in tt.rows:
        cells = [
            str(r.row),
            *map(str, r.values),
            r.out,
            str(r.n),
            number(r.incl, decimal),
            number(r.pri, decimal),
            ", ".join(r.cases),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("OUT: 1 = utfallet, 0 = ikke utfallet, C = motstridende, ? = logisk rest.")
    lines += [f"- Merk: {w}" for w in tt.warnings]
    return "\n".join(lines) + "\n"


def truth_table_csv(tt: TruthTable) -> str:
    """The truth table as CSV (R's columns; cases joined with ``;``; fit with 6 digits)."""
    rows = [[r.row, *r.values, r.out, r.n, r.incl, r.pri, ";".join(r.cases)] for r in tt.rows]
    return csv_text(["row", *tt.conditions, "OUT", "n", "incl", "PRI", "cases"], rows, digits=6)


def _fit_row(label: str, fit: Fit, decimal: str, cov_u: bool = True) -> str:
    cells = [
        label,
        number(fit.incl_s, decimal),
        number(fit.pri, decimal),
        number(fit.cov_s, decimal),
    ]
    cells.append(number(fit.cov_u, decimal) if cov_u else "")
    return "| " + " | ".join(cells) + " |"


def _rows_text(rows: tuple[int, ...]) -> str:
    shown = ", ".join(map(str, rows[:MAX_LISTED_ROWS]))
    more = len(rows) - MAX_LISTED_ROWS
    return shown + (f" … (+{more})" if more > 0 else "")


def solution_markdown(solution: Solution, decimal: str = ".") -> str:
    """Each model's formula and a fit table (inclS, PRI, covS, covU) ready for a thesis."""
    tt = solution.truth_table
    lines = [
        f"**{SOLUTION_NAMES.get(solution.kind, solution.kind)}** for {tt.outcome} "
        f"(incl.cut = {_cut_text(tt)}, n.cut = {tt.n_cut})",
        "",
    ]
    source = None
    for model in solution.models:
        if model.source and model.source != source:
            source = model.source
            lines += [f"Fra {source}:", ""]
        lines += [f"{model.label}: {model.formula} → {tt.outcome}", ""]
        lines += ["| Term | inclS | PRI | covS | covU |", "|---|---:|---:|---:|---:|"]
        for text, fit in zip(model.texts, model.terms_fit, strict=True):
            lines.append(_fit_row(text, fit, decimal))
        lines.append(_fit_row(f"**{model.label}**", model.fit, decimal, cov_u=False))
        lines.append("")
        if model.easy_counterfactuals:
            lines += [
                f"Lette kontrafaktiske (easy counterfactuals): rad {_rows_text(model.easy_counterfactuals)}",
                "",
            ]
        if model.simplifying_assumptions:
            lines += [
                f"Forenklende antakelser (simplifying assumptions): "
                f"{len(model.simplifying_assumptions)} rader: {_rows_text(model.simplifying_assumptions)}",
                "",
            ]
    if len(solution.models) > 1 and solution.essential:
        lines += [f"I alle modeller (essential): {', '.join(solution.essential)}", ""]
    lines += [f"- Merk: {w}" for w in tt.warnings]
    return "\n".join(lines).rstrip("\n") + "\n"


def necessity_markdown(data: DataTable, decimal: str = ".") -> str:
    """inclN, RoN and covN of each condition and its negation as a Markdown table."""
    lines = [
        f"**Nødvendige betingelser** for {data.outcome}",
        "",
        "| Betingelse | inclN | RoN | covN |",
        "|---|---:|---:|---:|",
    ]
    for r in necessity(data):
        lines.append(
            f"| {r.condition} | {number(r.incl_n, decimal)} | {number(r.ro_n, decimal)} "
            f"| {number(r.cov_n, decimal)} |"
        )
    return "\n".join(lines) + "\n"


def super_subset_markdown(
    rows: Sequence[SuperSubsetRow],
    data: DataTable,
    incl_cut: float,
    cov_cut: float,
    decimal: str = ".",
) -> str:
    """Necessary conjunctions (``A*B``) and disjunctions (``A + B``) with inclN, RoN, covN."""
    lines = [
        f"**Nødvendige kombinasjoner (superSubset)** for {data.outcome} "
        f"(incl.cut = {incl_cut:g}, cov.cut = {cov_cut:g})".replace(".", decimal),
        "",
    ]
    if not rows:
        lines.append("Ingen uttrykk når disse grensene.")
        return "\n".join(lines) + "\n"
    lines += ["| Uttrykk | inclN | RoN | covN |", "|---|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r.expression} | {number(r.incl_n, decimal)} | {number(r.ro_n, decimal)} "
            f"| {number(r.cov_n, decimal)} |"
        )
    return "\n".join(lines) + "\n"
