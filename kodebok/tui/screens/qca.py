"""The QCA screen: conditions and outcome from codes and case attributes; truth table; solutions."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from kodebok.analysis.presence import PresenceRule
from kodebok.analysis.qca import DataTable as QcaData
from kodebok.analysis.qca import Solution, TruthTable
from kodebok.errors import KodebokError
from kodebok.fileio import atomic_write, check_output_path
from kodebok.i18n import number, render, t
from kodebok.services.project import open_project
from kodebok.tui.dialogs.simple import TextInputDialog
from kodebok.tui.screens.base import AnalysisScreen, stored_object
from kodebok.tui.screens.presence import rule_text

# The project setting that keeps the chosen conditions, outcome and thresholds.
SETTINGS_KEY = "tui.qca"
INCL_STEP = 0.05
MIN_INCL = 0.5


@dataclass
class QcaResult:
    """What one run produced; an error stops at the step that failed."""

    data: QcaData | None = None
    truth: TruthTable | None = None
    solutions: list[Solution] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def fit_text(value: float | None) -> str:
    """A fit value with three decimals (decimal comma in Norwegian), ``–`` for R's NA."""
    return number(value, 3)


def read_settings(raw: str | None) -> dict[str, object]:
    """Stored QCA settings, keeping only known keys with valid values."""
    data = stored_object(raw)
    out: dict[str, object] = {}
    for key in ("conditions", "added"):
        value = data.get(key)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[key] = value
    if isinstance(data.get("outcome"), str) and data["outcome"]:
        out["outcome"] = data["outcome"]
    if isinstance(data.get("min_codings"), int) and data["min_codings"] >= 1:
        out["min_codings"] = data["min_codings"]
    incl = data.get("incl_cut")
    if isinstance(incl, (int, float)) and MIN_INCL <= incl <= 1:
        out["incl_cut"] = float(incl)
    return out


def solution_lines(solution: Solution) -> list[str]:
    """Each model with its formula and fit (inclS, PRI, covS)."""
    lines = [t(f"qca.{solution.kind}")]
    for line, model in zip(solution.lines(), solution.models, strict=False):
        f = model.fit
        lines.append(
            f"  {line}   inclS {fit_text(f.incl_s)}  PRI {fit_text(f.pri)}  "
            f"covS {fit_text(f.cov_s)}"
        )
    return lines


class QcaScreen(AnalysisScreen):
    """Choose conditions (space) and outcome (o); the tables follow in a worker."""

    ANALYSIS_NAME = "qca"

    BINDINGS: ClassVar[list[BindingType]] = [
        # o, + and - are named in the settings line
        Binding("o", "outcome", "key.outcome", show=False),
        Binding("a", "add_condition", "key.add_condition"),
        Binding("plus,equals_sign", "threshold(1)", "key.threshold_up", show=False),
        Binding("minus", "threshold(-1)", "key.threshold_down", show=False),
        Binding("right_square_bracket", "incl_cut(1)", "key.incl_up", key_display="]", show=False),
        Binding(
            "left_square_bracket", "incl_cut(-1)", "key.incl_down", key_display="[", show=False
        ),
        Binding("x", "export", "key.export"),
    ]

    DEFAULT_CSS = """
    #qca-body { height: 1fr; }
    #qca-choices { width: 42; height: 1fr; }
    #qca-results { width: 1fr; height: 1fr; padding: 0 1; }
    #qca-results DataTable { height: auto; max-height: 14; margin-bottom: 1; }
    #qca-settings { padding: 0 1; color: $text-muted; }
    #qca-message, #qca-solutions { height: auto; }
    """

    class Computed(Message):
        """A worker ran the analysis."""

        def __init__(self, result: QcaResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self) -> None:
        super().__init__()
        self.min_codings = 1
        self.incl_cut = 1.0
        self.outcome: str | None = None
        self.added: list[str] = []  # conditions written with a (attribute tests)
        self.result = QcaResult()

    def compose(self) -> ComposeResult:
        """Choices on the left, results on the right."""
        yield Label(t("qca.title"), classes="screen-title")
        yield Label("", id="qca-settings")
        with Horizontal(id="qca-body"):
            with Vertical(id="qca-choices"):
                yield SelectionList[str](id="qca-list")
            with VerticalScroll(id="qca-results"):
                yield Static(t("qca.help"), id="qca-message")
                yield Label(t("qca.data_table"), classes="panel-title")
                yield DataTable(id="qca-data", cursor_type="row")
                yield Label(t("qca.truth_table"), classes="panel-title")
                yield DataTable(id="qca-truth", cursor_type="row")
                yield Static("", id="qca-solutions")
        yield Footer()

    def extra_help(self) -> list[tuple[str, str]]:
        """Keys handled by the widgets, for the help screen."""
        return [("space", t("analysis.help_condition"))]

    def on_mount(self) -> None:
        """List codes and case attribute values as candidate conditions."""
        project = self.session.project
        from kodebok.services import lookup

        choices = self.query_one(SelectionList)
        for code in self.session.codes:
            choices.add_option(Selection(code.path, code.path))
        values = sorted(
            {
                (name, value)
                for case in lookup.cases(project)
                for name, value in case.attributes.items()
            }
        )
        for name, value in values:
            choices.add_option(Selection(f"{name}={value}", f"{name}={value}"))
        self._restore_settings(choices)
        self._show_settings()
        if not self.session.codes or not lookup.cases(project):
            self.query_one("#qca-message", Static).update(t("qca.no_material"))
        choices.focus()
        if choices.option_count:
            choices.highlighted = 0
        self.mark_seen()
        self.reload()

    def _restore_settings(self, choices: SelectionList[str]) -> None:
        """The conditions, outcome and thresholds this project had last time."""
        stored = read_settings(self.session.project.get_setting(SETTINGS_KEY))
        values = {str(choices.get_option_at_index(i).value) for i in range(choices.option_count)}
        added_list = stored.get("added", [])
        for added in added_list if isinstance(added_list, list) else []:
            if added not in values:
                choices.add_option(Selection(added, added))
                values.add(added)
            self.added.append(added)
        outcome = stored.get("outcome")
        self.outcome = outcome if isinstance(outcome, str) and outcome in values else None
        with self.prevent(SelectionList.SelectedChanged):
            conditions = stored.get("conditions", [])
            for condition in conditions if isinstance(conditions, list) else []:
                if condition in values and condition != self.outcome:
                    choices.select(condition)
        min_codings, incl_cut = stored.get("min_codings", 1), stored.get("incl_cut", 1.0)
        self.min_codings = min_codings if isinstance(min_codings, int) else 1
        self.incl_cut = incl_cut if isinstance(incl_cut, float) else 1.0
        self._saved = self._settings_json()

    def _settings_json(self) -> str:
        return json.dumps(
            {
                "conditions": self.conditions,
                "outcome": self.outcome,
                "min_codings": self.min_codings,
                "incl_cut": self.incl_cut,
                "added": self.added,
            },
            ensure_ascii=False,
        )

    def _save_settings(self) -> None:
        self.save_settings(SETTINGS_KEY, self._settings_json())

    @property
    def conditions(self) -> list[str]:
        """The chosen conditions in list order, without the outcome."""
        return [v for v in self.query_one(SelectionList).selected if v != self.outcome]

    def _show_settings(self) -> None:
        text = t(
            "qca.settings",
            outcome=self.outcome or "–",
            n=len(self.conditions),
            rule=rule_text(self.min_codings),
            incl=number(self.incl_cut, 2),
        )
        # plain text: the keys [ and ] are no markup here
        self.query_one("#qca-settings", Label).update(Text(text))

    @on(SelectionList.SelectedChanged)
    def _selection_changed(self) -> None:
        self.reload()

    def action_outcome(self) -> None:
        """Make the highlighted entry the outcome."""
        choices = self.query_one(SelectionList)
        if choices.highlighted is None:
            return
        value = str(choices.get_option_at_index(choices.highlighted).value)
        self.outcome = None if value == self.outcome else value
        if self.outcome:
            choices.deselect(self.outcome)
        self.reload()

    def action_add_condition(self) -> None:
        """Add a condition written as an attribute test, e.g. ``innbyggere>=8000``."""

        def added(text: str | None) -> None:
            if text and text.strip():
                choices = self.query_one(SelectionList)
                choices.add_option(Selection(text.strip(), text.strip(), True))
                self.added.append(text.strip())

        self.app.push_screen(TextInputDialog(t("qca.add_prompt")), added)

    def action_threshold(self, step: int) -> None:
        """Raise or lower the minimum number of codings for a code to be present in a case."""
        self.min_codings = max(1, self.min_codings + step)
        self.reload()

    def action_incl_cut(self, step: int) -> None:
        """Raise or lower the inclusion cut-off for OUT = 1 (from 0.5 to 1 in steps of 0.05)."""
        self.incl_cut = round(min(1.0, max(MIN_INCL, self.incl_cut + step * INCL_STEP)), 2)
        self.reload()

    def reload(self) -> None:
        """Run again when both conditions and an outcome are chosen; keep the settings."""
        self._show_settings()
        self._save_settings()
        if self.outcome and self.conditions:
            self.query_one("#qca-message", Static).update(t("analysis.loading"))
            self.compute(self.conditions, self.outcome, self.min_codings, self.incl_cut)

    @work(thread=True, exclusive=True, group="qca")
    def compute(
        self, conditions: list[str], outcome: str, min_codings: int, incl_cut: float = 1.0
    ) -> None:
        """Data table, truth table and solutions in a thread with its own connection."""
        from kodebok.services.qca import project_qca

        result = QcaResult()
        try:
            with open_project(self.kapp.project_path, daily_backup=False) as project:
                run = project_qca(
                    project,
                    conditions,
                    outcome,
                    rule=PresenceRule(min_codings=min_codings),
                    incl_cut=incl_cut,
                    solutions=("complex", "parsimonious"),
                )
            result = QcaResult(run.data, run.truth, run.solutions, list(run.messages))
            if run.error is not None:
                result.messages.append(render(run.error))
        except KodebokError as exc:
            result.messages.append(render(exc))
        except sqlite3.Error as exc:  # a damaged or vanished file: say so, keep running
            result.messages.append(str(exc))
        self.post_message(self.Computed(result))

    def on_qca_screen_computed(self, message: Computed) -> None:
        """Show the data table, the truth table (contradictions in red) and the solutions."""
        result = self.result = message.result
        self.query_one("#qca-message", Static).update(self._messages_text())
        data = self.query_one("#qca-data", DataTable)
        data.clear(columns=True)
        if result.data is not None:
            d = result.data
            data.add_columns(t("cases.case"), *d.conditions, d.outcome)
            for k, case in enumerate(d.cases):
                data.add_row(case, *map(str, d.values[k]), str(d.outcome_values[k]))
        truth = self.query_one("#qca-truth", DataTable)
        truth.clear(columns=True)
        if result.truth is not None:
            tt = result.truth
            truth.add_columns(*tt.conditions, "OUT", "n", "incl", "PRI", t("qca.cases"))
            for row in tt.rows:
                style = "bold red" if row.contradictory else ""
                cells = [*map(str, row.values), row.out, str(row.n)]
                cells += [fit_text(row.incl), fit_text(row.pri), ", ".join(row.cases)]
                truth.add_row(*(Text(c, style=style) for c in cells))
            if tt.contradictions:
                result.messages.append(t("qca.contradictions", n=len(tt.contradictions)))
                self.query_one("#qca-message", Static).update(self._messages_text())
        lines: list[str] = []
        for solution in result.solutions:
            lines += solution_lines(solution)
        self.query_one("#qca-solutions", Static).update("\n".join(lines))

    def _messages_text(self) -> str:
        """The run's notes and warnings in the UI language."""
        return "\n".join(render(m) for m in self.result.messages)

    def action_export(self) -> None:
        """Write the data table as CSV (asks for the file name)."""
        data = self.result.data
        if data is None:
            self.notify(t("analysis.nothing_to_export"), severity="warning")
            return

        def chosen(value: str | None) -> None:
            if value and value.strip():
                self.export(data, Path(value.strip()).expanduser())

        self.app.push_screen(TextInputDialog(t("qca.export_prompt"), value="qca-data.csv"), chosen)

    @work(thread=True, group="qca-export")
    def export(self, data: QcaData, path: Path) -> None:
        """Write the CSV in a thread."""
        from kodebok.analysis.qca import format_data_csv

        try:
            check_output_path(path, self.kapp.project_path)
            atomic_write(path, format_data_csv(data))
        except KodebokError as exc:
            self.app.call_from_thread(self.notify, render(exc), severity="error")
            return
        self.app.call_from_thread(self.notify, t("analysis.exported", path=path))
