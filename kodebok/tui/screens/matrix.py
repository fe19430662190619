"""The matrix screen: codes × groups as a heat table; Enter shows a cell's quotes; export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Static

from kodebok.analysis.matrix import PERCENTS, UNITS, Matrix, heat_values
from kodebok.analysis.quotes import Quote
from kodebok.errors import KodebokError
from kodebok.fileio import atomic_write, check_output_path
from kodebok.i18n import decimal_mark, render, t
from kodebok.tui.dialogs.picker import ChoiceDialog
from kodebok.tui.dialogs.quotes import QuotesDialog
from kodebok.tui.dialogs.simple import TextInputDialog
from kodebok.tui.screens.base import AnalysisScreen, stored_object

EXPORT_FORMATS = ("xlsx", "csv", "md", "html")
# The project setting that keeps the matrix's grouping, unit, percentages and roll-up.
SETTINGS_KEY = "tui.matrix"


def heat_style(value: float | None, high: float) -> str:
    """A background from pale to strong orange by the value's share of the largest one."""
    if value is None or high <= 0 or value <= 0:
        return ""
    share = min(1.0, value / high)
    r, g, b = (round(255 + (end - 255) * share) for end in (230, 110, 40))
    return f"black on #{r:02x}{g:02x}{b:02x}"


def set_columns(table: DataTable[object], labels: list[str]) -> None:
    """Empty the table; new columns only when they differ (re-adding them loses their widths)."""
    if [str(c.label) for c in table.columns.values()] == labels:
        table.clear()
        return
    table.clear(columns=True)
    for j, label in enumerate(labels):
        table.add_column(label, key=str(j))


def groupings(available: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Grouping choices: the entities, then every attribute as ``kind:name``."""
    out = [(kind, t(f"matrix.by_{kind}")) for kind in ("case", "document", "speaker")]
    for kind in ("case", "document", "speaker"):
        out += [(f"{kind}:{name}", f"{t(f'matrix.by_{kind}')}: {name}") for name in available[kind]]
    return out


def grouping_label(by: str) -> str:
    """A grouping in the UI language: ``Case``, ``Dokument: kommune`` (``by`` as the service has it)."""
    kind, _, name = by.partition(":")
    if kind not in ("case", "document", "speaker"):
        return by
    label = t(f"matrix.by_{kind}")
    return f"{label}: {name}" if name else label


def read_settings(raw: str | None) -> dict[str, object]:
    """Stored matrix settings, keeping only known keys with valid values (a bad value is ignored)."""
    data = stored_object(raw)
    out: dict[str, object] = {}
    if isinstance(data.get("by"), str) and data["by"]:
        out["by"] = data["by"]
    if data.get("unit") in UNITS:
        out["unit"] = data["unit"]
    if data.get("percent") in PERCENTS:
        out["percent"] = data["percent"]
    if isinstance(data.get("rollup"), bool):
        out["rollup"] = data["rollup"]
    return out


class MatrixScreen(AnalysisScreen):
    """Codes × groups counting a unit, with percentages and roll-up chosen by keys."""

    ANALYSIS_NAME = "matrix"

    BINDINGS: ClassVar[list[BindingType]] = [
        # g, e, p and r are named in the settings line above the table
        Binding("g", "grouping", "key.grouping", show=False),
        Binding("e", "unit", "key.unit", show=False),
        Binding("p", "percent", "key.percent", show=False),
        Binding("r", "rollup", "key.rollup", show=False),
        Binding("x", "export", "key.export"),
    ]

    class Computed(Message):
        """A worker computed the matrix (or the error that stopped it)."""

        def __init__(self, matrix: Matrix | None, error: str = "") -> None:
            super().__init__()
            self.matrix = matrix
            self.error = error

    class QuotesFound(Message):
        """A worker gathered the quotes of one cell."""

        def __init__(self, title: str, quotes: list[tuple[Quote, str]]) -> None:
            super().__init__()
            self.title = title
            self.quotes = quotes

    class Exported(Message):
        """A worker wrote the matrix to a file (or failed)."""

        def __init__(self, path: str, error: str = "") -> None:
            super().__init__()
            self.path = path
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.by = "case"
        self.unit = "codings"
        self.percent = "none"
        self.rollup = False
        self.matrix: Matrix | None = None

    def compose(self) -> ComposeResult:
        """Title, the current settings, the table, the empty-project message."""
        with Vertical(id="matrix"):
            yield Label(t("matrix.title"), classes="screen-title")
            yield Label("", id="matrix-settings")
            yield DataTable(id="matrix-table", cursor_type="cell")
            yield Static(t("analysis.loading"), id="matrix-empty")
        yield Footer()

    DEFAULT_CSS = """
    #matrix { height: 1fr; }
    #matrix-settings { padding: 0 1; color: $text-muted; }
    #matrix-table { height: 1fr; }
    #matrix-empty { height: auto; padding: 1 2; margin: 1 2; border: round $primary; }
    """

    def extra_help(self) -> list[tuple[str, str]]:
        """Keys handled by the widgets, for the help screen."""
        return [("Enter", t("analysis.help_quotes"))]

    def on_mount(self) -> None:
        """Compute the first matrix, with the settings this project had last time."""
        self.query_one("#matrix-table").display = False
        self._restore_settings()
        self.reload()
        self.mark_seen()

    def _restore_settings(self) -> None:
        from kodebok.services.analysis import available_attributes

        stored = read_settings(self.session.project.get_setting(SETTINGS_KEY))
        by = stored.get("by")
        if isinstance(by, str):
            known = {value for value, _ in groupings(available_attributes(self.session.project))}
            if by in known:  # an attribute deleted since falls back to cases
                self.by = by
        self.unit = str(stored.get("unit", self.unit))
        self.percent = str(stored.get("percent", self.percent))
        self.rollup = bool(stored.get("rollup", self.rollup))
        self._saved = self._settings_json()

    def _settings_json(self) -> str:
        return json.dumps(
            {"by": self.by, "unit": self.unit, "percent": self.percent, "rollup": self.rollup},
            ensure_ascii=False,
        )

    def _save_settings(self) -> None:
        self.save_settings(SETTINGS_KEY, self._settings_json())

    def reload(self) -> None:
        """Recompute with the current settings (in a worker)."""
        self._show_settings()
        self.compute(self.by, self.unit, self.percent, self.rollup)

    def _show_settings(self) -> None:
        self.query_one("#matrix-settings", Label).update(
            t(
                "matrix.settings",
                by=grouping_label(self.by),
                unit=t(f"matrix.unit_{self.unit}"),
                percent=t(f"matrix.percent_{self.percent}"),
                rollup=t("analysis.yes" if self.rollup else "analysis.no"),
            )
        )

    @work(thread=True, exclusive=True, group="matrix")
    def compute(self, by: str, unit: str, percent: str, rollup: bool) -> None:
        """Count in a thread with its own connection."""
        from kodebok.services.analysis import matrix

        result, error = self.read_project(lambda p: matrix(p, by, unit, percent, rollup=rollup))
        self.post_message(self.Computed(result, error))

    def on_matrix_screen_computed(self, message: Computed) -> None:
        """Fill the table, or say why there is nothing to show."""
        empty = self.query_one("#matrix-empty", Static)
        table = self.query_one("#matrix-table", DataTable)
        if message.matrix is None:
            self.notify(message.error, severity="error")
            empty.update(message.error)
            return
        matrix = self.matrix = message.matrix
        nothing = not matrix.rows or not any(any(r.values) for r in matrix.rows)
        if not matrix.rows:
            empty.update(t("analysis.no_codes"))
        elif nothing:
            empty.update(t("analysis.no_codings"))
        empty.display = nothing
        table.display = not nothing
        if nothing:
            return
        keep = table.cursor_coordinate
        set_columns(table, [t("matrix.code"), *(g.label for g in matrix.columns)])
        heat = heat_values(matrix)
        high = max((v for row in heat for v in row if v is not None), default=0.0)
        for i, row in enumerate(matrix.rows):
            cells = [
                Text(
                    matrix.cell_text(row, j, decimal=decimal_mark()),
                    style=heat_style(heat[i][j], high),
                    justify="right",
                )
                for j in range(len(matrix.columns))
            ]
            table.add_row(Text("  " * row.depth + row.code.rsplit("/", 1)[-1]), *cells, key=str(i))
        n_label = t("matrix.n", unit=t(f"matrix.unit_{matrix.unit}"))
        n_cells = [Text(str(n), style="bold", justify="right") for n in matrix.n]
        table.add_row(Text(n_label, style="bold"), *n_cells, key="n")
        table.move_cursor(row=keep.row, column=max(1, keep.column))
        table.focus()

    # -- settings --------------------------------------------------------------------------

    def action_grouping(self) -> None:
        """Choose what the columns are: cases, documents, speakers or an attribute's values."""
        from kodebok.services.analysis import available_attributes

        choices = groupings(available_attributes(self.session.project))

        def chosen(value: str | None) -> None:
            if value:
                self.by = value
                self._save_settings()
                self.reload()

        self.app.push_screen(ChoiceDialog(t("matrix.grouping_title"), list(choices)), chosen)

    def action_unit(self) -> None:
        """Count the next unit (codings, segments, documents, cases, speakers, words)."""
        self.unit = UNITS[(UNITS.index(self.unit) + 1) % len(UNITS)]
        self._save_settings()
        self.reload()

    def action_percent(self) -> None:
        """No percentages, row percentages, column percentages."""
        self.percent = PERCENTS[(PERCENTS.index(self.percent) + 1) % len(PERCENTS)]
        self._save_settings()
        self.reload()

    def action_rollup(self) -> None:
        """Count subcodes in their parents, or not."""
        self.rollup = not self.rollup
        self._save_settings()
        self.reload()

    # -- quotes ----------------------------------------------------------------------------

    @on(DataTable.CellSelected, "#matrix-table")
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        matrix = self.matrix
        row, column = event.coordinate.row, event.coordinate.column
        if matrix is None or row >= len(matrix.rows) or column == 0:
            return
        code = matrix.rows[row].code
        group = matrix.columns[column - 1].label
        self.find_quotes(code, group, self.by, self.rollup)

    @work(thread=True, exclusive=True, group="matrix-quotes")
    def find_quotes(self, code: str, group: str, by: str, rollup: bool) -> None:
        """The quotes of one cell, read in a thread."""
        from kodebok.services.analysis import quotes

        sections, error = self.read_project(
            lambda p: quotes(p, [code], by=by, group=group, subcodes=rollup)
        )
        if sections is None:
            self.app.call_from_thread(self.notify, error, severity="error")
            return
        found = [pair for section in sections for pair in section.quotes]
        self.post_message(self.QuotesFound(t("matrix.quotes_title", code=code, group=group), found))

    def on_matrix_screen_quotes_found(self, message: QuotesFound) -> None:
        """Show the quotes; a chosen quote opens its segment on the coding screen."""
        self.app.push_screen(QuotesDialog(message.title, message.quotes), self._open_quote)

    def _open_quote(self, quote: Quote | None) -> None:
        if quote is None:
            return
        from kodebok.services import lookup

        try:
            document = lookup.document(self.session.project, quote.document)
        except KodebokError as exc:
            self.notify(render(exc), severity="error")
            return
        found = lookup.segment_at_offset(self.session.project, document.id, quote.start)
        self.kapp.open_document(document.id, found)

    # -- export ----------------------------------------------------------------------------

    def action_export(self) -> None:
        """Ask for a file name (.xlsx, .csv, .md or .html), then write the matrix in a worker."""
        matrix = self.matrix
        if matrix is None or not matrix.rows:
            self.notify(t("analysis.nothing_to_export"), severity="warning")
            return

        def chosen(value: str | None) -> None:
            if value and value.strip():
                self.export(matrix, Path(value.strip()).expanduser())

        self.app.push_screen(
            TextInputDialog(t("matrix.export_prompt"), value="matrise.xlsx"), chosen
        )

    @work(thread=True, group="matrix-export")
    def export(self, matrix: Matrix, path: Path) -> None:
        """Render and write the file in a thread (xlsx takes a while)."""
        from kodebok.exchange import render_table
        from kodebok.exchange.tables import matrix_to_table

        try:
            check_output_path(path, self.kapp.project_path)
        except KodebokError as exc:
            self.post_message(self.Exported(str(path), render(exc)))
            return
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in EXPORT_FORMATS:
            self.post_message(self.Exported(str(path), t("analysis.bad_format", path=path)))
            return
        try:
            atomic_write(path, render_table(matrix_to_table(matrix), fmt))
        except KodebokError as exc:
            self.post_message(self.Exported(str(path), render(exc)))
            return
        self.post_message(self.Exported(str(path)))

    def on_matrix_screen_exported(self, message: Exported) -> None:
        """Say where the file went."""
        if message.error:
            self.notify(message.error, severity="error")
        else:
            self.notify(t("analysis.exported", path=message.path))
