"""The presence screen: each code in each case as ✓ / – / ?, by the rule or a manual override."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, Static

from kodebok.analysis.presence import PresenceCell, PresenceRule, PresenceTable
from kodebok.i18n import percent, t
from kodebok.tui.dialogs.simple import TextInputDialog
from kodebok.tui.screens.base import AnalysisScreen
from kodebok.tui.screens.matrix import set_columns

SYMBOLS = {1: "✓", 0: "–", None: "?"}


def rule_text(min_codings: int) -> str:
    """The rule in the UI language: ``≥2 kodinger``."""
    return f"≥{min_codings} {t('matrix.unit_codings')}"


def cell_text(cell: PresenceCell) -> Text:
    """The value's symbol; an override is marked with a star and shown bold."""
    symbol = SYMBOLS[cell.value]
    if cell.override is not None:
        return Text(f"{symbol}*", style="bold magenta", justify="center")
    style = {1: "bold green", 0: "dim", None: "yellow"}[cell.value]
    return Text(symbol, style=style, justify="center")


def source_text(cell: PresenceCell, rule: PresenceRule, case: str, code: str) -> str:
    """Where a cell's value comes from: the rule with its counts, or the override's provenance."""
    head = f"{case} × {code}: {SYMBOLS[cell.value]}  "
    if cell.override is not None:
        o = cell.override
        return head + t(
            "presence.source_override", note=o.note or "–", author=o.author, at=o.at[:16]
        )
    if cell.source == "no-documents":
        return head + t("presence.source_no_documents")
    share = percent(cell.share, 0)
    return head + t(
        "presence.source_rule",
        rule=rule_text(rule.min_codings or 1),
        codings=cell.counts.codings,
        speakers=cell.counts.speakers,
        segments=cell.counts.segments,
        share=share,
    )


class PresenceScreen(AnalysisScreen):
    """Codes (rows) × cases (columns); set or clear a manual value with a note."""

    ANALYSIS_NAME = "presence"

    BINDINGS: ClassVar[list[BindingType]] = [
        # the rule line above the table names 1, 0, n, c, + and -
        Binding("1", "set(1)", "key.present", show=False),
        Binding("0", "set(0)", "key.absent", show=False),
        Binding("n", "set(None)", "key.not_reported", show=False),
        Binding("delete,c", "clear", "key.clear_override", show=False),
        Binding("plus,equals_sign", "threshold(1)", "key.threshold_up", show=False),
        Binding("minus", "threshold(-1)", "key.threshold_down", show=False),
    ]

    DEFAULT_CSS = """
    #presence { height: 1fr; }
    #presence-rule { padding: 0 1; color: $text-muted; }
    #presence-table { height: 1fr; }
    #presence-source { height: auto; min-height: 2; padding: 0 1; border-top: solid $panel; }
    #presence-empty { height: auto; padding: 1 2; margin: 1 2; border: round $primary; }
    """

    class Computed(Message):
        """A worker built the presence table (or the error that stopped it)."""

        def __init__(self, table: PresenceTable | None, error: str = "") -> None:
            super().__init__()
            self.table = table
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.min_codings = 1
        self.table: PresenceTable | None = None

    def compose(self) -> ComposeResult:
        """Title, rule, table, the highlighted cell's source."""
        with Vertical(id="presence"):
            yield Label(t("presence.title"), classes="screen-title")
            yield Label("", id="presence-rule")
            yield DataTable(id="presence-table", cursor_type="cell")
            yield Static("", id="presence-source")
            yield Static(t("analysis.loading"), id="presence-empty")
        yield Footer()

    def on_mount(self) -> None:
        """Build the first table."""
        self.query_one("#presence-table").display = False
        self.query_one("#presence-source").display = False
        self.reload()
        self.mark_seen()

    @property
    def rule(self) -> PresenceRule:
        """The rule as set on this screen."""
        return PresenceRule(min_codings=self.min_codings)

    def reload(self) -> None:
        """Rebuild in a worker."""
        self.query_one("#presence-rule", Label).update(
            t("presence.rule", rule=rule_text(self.min_codings))
        )
        self.compute(self.rule)

    @work(thread=True, exclusive=True, group="presence")
    def compute(self, rule: PresenceRule) -> None:
        """Read counts and overrides in a thread with its own connection."""
        from kodebok.services.analysis import presence

        table, error = self.read_project(lambda p: presence(p, None, rule))
        self.post_message(self.Computed(table, error))

    def on_presence_screen_computed(self, message: Computed) -> None:
        """Fill the table, or explain why it is empty."""
        empty = self.query_one("#presence-empty", Static)
        table = self.query_one("#presence-table", DataTable)
        source = self.query_one("#presence-source", Static)
        if message.table is None:
            empty.update(message.error)
            self.notify(message.error, severity="error")
            return
        result = self.table = message.table
        coded = any(c.counts.codings or c.override for row in result.cells for c in row)
        if not result.cases:
            empty.update(t("presence.no_cases"))
        elif not result.codes:
            empty.update(t("analysis.no_codes"))
        elif not coded:
            empty.update(t("analysis.no_codings"))
        nothing = not result.cases or not result.codes or not coded
        empty.display = nothing
        table.display = source.display = not nothing
        if nothing:
            return
        keep = table.cursor_coordinate
        set_columns(table, [t("matrix.code"), *result.cases])
        for j, code in enumerate(result.codes):
            depth = code.count("/")
            table.add_row(
                "  " * depth + code.rsplit("/", 1)[-1],
                *(cell_text(result.cells[i][j]) for i in range(len(result.cases))),
                key=code,
            )
        table.move_cursor(row=keep.row, column=max(1, keep.column))
        table.focus()
        self._show_source()

    @on(DataTable.CellHighlighted, "#presence-table")
    def _highlighted(self) -> None:
        self._show_source()

    def _selected(self) -> tuple[str, str, PresenceCell] | None:
        """The highlighted (case, code, cell), or None on the code column."""
        result = self.table
        table = self.query_one("#presence-table", DataTable)
        row, column = table.cursor_coordinate.row, table.cursor_coordinate.column
        if result is None or column == 0 or row >= len(result.codes):
            return None
        return result.cases[column - 1], result.codes[row], result.cells[column - 1][row]

    def _show_source(self) -> None:
        chosen = self._selected()
        text = t("presence.pick_cell")
        if chosen is not None:
            text = source_text(chosen[2], self.rule, chosen[0], chosen[1])
        self.query_one("#presence-source", Static).update(text)

    # -- changes ---------------------------------------------------------------------------

    def action_set(self, value: int | None) -> None:
        """Set the highlighted cell by hand (1, 0 or not reported), with a note."""
        chosen = self._selected()
        if chosen is None:
            self.notify(t("presence.pick_cell"), severity="warning")
            return
        case, code, _cell = chosen
        coder = self.kapp.coder

        def noted(note: str | None) -> None:
            if note is None:
                return
            from kodebok.services.analysis import set_presence

            self.kapp.write(
                lambda p: set_presence(p, case, code, value, note=note.strip(), coder=coder),
                lambda _: self._changed(),
            )

        prompt = t("presence.note_prompt", case=case, code=code, value=SYMBOLS[value])
        self.app.push_screen(TextInputDialog(prompt), noted)

    def action_clear(self) -> None:
        """Remove the highlighted cell's override so the rule decides again."""
        chosen = self._selected()
        if chosen is None or chosen[2].override is None:
            self.notify(t("presence.no_override"), severity="warning")
            return
        case, code, _cell = chosen
        from kodebok.services.analysis import clear_presence

        coder = self.kapp.coder
        self.kapp.write(
            lambda p: clear_presence(p, case, code, coder=coder), lambda _: self._changed()
        )

    def _changed(self) -> None:
        self.session.changed()
        self.mark_seen()
        self.reload()

    def action_threshold(self, step: int) -> None:
        """Raise or lower the minimum number of codings for ✓ (at least 1)."""
        self.min_codings = max(1, self.min_codings + step)
        self.reload()
