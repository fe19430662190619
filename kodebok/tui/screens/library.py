"""The library: documents grouped by case with progress; filter, open, import in a worker."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Input, Label, ProgressBar, Static

from kodebok.errors import KodebokError
from kodebok.i18n import render, t
from kodebok.services.documents import ImportResult
from kodebok.services.workspace import LibraryRow, library
from kodebok.tui.dialogs.simple import ConfirmDialog, TextInputDialog
from kodebok.tui.screens.base import KodebokScreen


def clip(text: str, width: int) -> str:
    """Text cut to ``width`` characters with an ellipsis (long focus-group speaker lists)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def matches(row: LibraryRow, needle: str) -> bool:
    """Whether a document matches the filter text (every word somewhere in its row)."""
    hay = " ".join(
        [row.name, row.case or "", row.kind, *row.speakers, *row.attributes.values()]
    ).casefold()
    return all(word in hay for word in needle.casefold().split())


class FilterInput(Input):
    """The filter field: Enter hands the keyboard to the table at once.

    Input's own Enter only posts a message; a second Enter typed before that message is
    handled would go to the field again and be lost.
    """

    async def action_submit(self) -> None:
        """Show the filtered rows and focus the table now."""
        screen = self.screen
        if isinstance(screen, LibraryScreen):
            screen.filter_done()


class LibraryScreen(KodebokScreen):
    """Choose a document to code; see how far coding has come."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "key.open", show=False),
        Binding("f", "filter", "key.filter", show=False),  # the field's placeholder says it
        Binding("i", "import", "key.import"),
        Binding("slash", "screen('search')", "key.search"),
        Binding("b", "screen('codebook')", "key.codebook"),
        Binding("c", "screen('cases')", "key.cases"),
        Binding("M", "screen('matrix')", "key.matrix"),
        Binding("P", "screen('presence')", "key.presence"),
        Binding("Q", "screen('qca')", "key.qca"),
        Binding("A", "screen('agreement')", "key.agreement"),
        Binding("V", "screen('privacy')", "key.privacy", show=False),  # listed by ?
        Binding("q", "app.quit", "key.quit"),
        Binding("escape", "clear_filter", show=False),
    ]

    class ImportProgress(Message):
        """A worker imported file ``done`` of ``total``."""

        def __init__(self, done: int, total: int, name: str) -> None:
            super().__init__()
            self.done = done
            self.total = total
            self.name = name

    class ImportFinished(Message):
        """A worker finished importing (results, or the error that stopped it)."""

        def __init__(self, results: list[ImportResult], error: str = "") -> None:
            super().__init__()
            self.results = results
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[LibraryRow] = []

    def compose(self) -> ComposeResult:
        """Filter field, table, empty-project help, import progress, footer."""
        with Vertical(id="library"):
            yield Label(t("library.title"), classes="screen-title")
            yield FilterInput(placeholder=t("library.filter"), id="library-filter")
            yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
            yield Static(t("library.empty"), id="library-empty")
            with Horizontal(id="import-status"):
                yield Label("", id="import-label")
                yield ProgressBar(id="import-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        """Fill the table."""
        table = self.query_one(DataTable)
        table.add_column(t("library.case"), key="case")
        table.add_column(t("library.document"), key="document")
        table.add_column(t("library.kind"), key="kind")
        table.add_column(t("library.progress"), key="progress")
        table.add_column(t("library.speakers"), key="speakers")
        table.add_column(t("library.attributes"), key="attributes")
        self.query_one("#import-status").display = False
        self.reload()
        self.mark_seen()
        table.focus()

    def on_screen_resume(self) -> None:
        """Always re-read: coding on another screen changes the progress column (a few ms)."""
        self.reload()
        self.mark_seen()

    def reload(self) -> None:
        """Re-read the documents (after import, coding, or case changes)."""
        self.rows = library(self.session.project, self.session.coder)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        needle = self.query_one(Input).value.strip()
        shown = [r for r in self.rows if not needle or matches(r, needle)]
        previous_case: object = object()
        for row in shown:
            case = row.case or t("library.no_case")
            first = case != previous_case
            previous_case = case
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(row.attributes.items()))
            table.add_row(
                Text(case, style="bold") if first else "",
                row.name,
                row.kind,
                row.progress.text(),
                clip(", ".join(row.speakers), 30),
                clip(attrs, 50),
                key=str(row.id),
            )
        empty = self.query_one("#library-empty", Static)
        empty.display = not shown
        if not self.rows:
            empty.update(t("library.empty"))
        elif not shown:
            empty.update(t("library.none_match"))
        if shown:
            table.move_cursor(row=min(keep, len(shown) - 1))

    @on(Input.Changed, "#library-filter")
    def _filter_changed(self) -> None:
        self._fill()

    # Focus moves at once (Screen.set_focus), not later (Widget.focus): keys typed quickly after
    # f, Esc or Enter, while the app is busy, must reach the widget the researcher chose.

    def filter_done(self) -> None:
        """Enter in the filter: the table shows this filter's rows and has the keyboard."""
        self._fill()
        self.set_focus(self.query_one(DataTable))

    def action_filter(self) -> None:
        """Focus the filter field."""
        self.set_focus(self.query_one(Input))

    def action_clear_filter(self) -> None:
        """Clear the filter and go back to the table."""
        self.query_one(Input).value = ""
        self._fill()
        self.set_focus(self.query_one(DataTable))

    @on(DataTable.RowSelected, "#documents")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.kapp.open_document(int(event.row_key.value))

    def action_open(self) -> None:
        """Open the highlighted document."""
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            if key.value is not None:
                self.kapp.open_document(int(key.value))

    def action_screen(self, name: str) -> None:
        """Open another screen."""
        self.kapp.action_screen(name)

    # -- import ----------------------------------------------------------------------------

    def action_import(self) -> None:
        """Ask for a file or folder, then import it in a worker."""

        def start(value: str | None) -> None:
            if value and value.strip():
                self.query_one("#import-status").display = True
                self.query_one("#import-label", Label).update(
                    t("library.importing", name=value, done=0, total="?")
                )
                self.run_import([Path(value.strip()).expanduser()])

        self.app.push_screen(TextInputDialog(t("library.import_prompt")), start)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, paths: list[Path], update: bool = False) -> None:
        """Import in a thread with its own connection; reports back with messages only."""
        from kodebok.services.documents import ImportOptions
        from kodebok.services.importing import import_paths
        from kodebok.services.project import open_project

        try:
            project = open_project(self.kapp.project_path, daily_backup=False)
        except KodebokError as exc:
            self.post_message(self.ImportFinished([], render(exc)))
            return

        def progress(done: int, total: int, name: str) -> None:
            self.post_message(self.ImportProgress(done, total, name))

        try:
            options = ImportOptions(update=update, coder=self.kapp.coder)
            results = import_paths(project, paths, options, progress=progress)
        except KodebokError as exc:
            self.post_message(self.ImportFinished([], render(exc)))
            return
        finally:
            project.close()
        self.post_message(self.ImportFinished(results))

    def on_library_screen_import_progress(self, message: ImportProgress) -> None:
        """Move the progress bar."""
        bar = self.query_one(ProgressBar)
        bar.update(total=max(1, message.total), progress=message.done)
        self.query_one("#import-label", Label).update(
            t("library.importing", name=message.name, done=message.done, total=message.total)
        )

    def on_library_screen_import_finished(self, message: ImportFinished) -> None:
        """Show the outcome and the new documents."""
        self.query_one("#import-status").display = False
        if message.error:
            self.notify(message.error, severity="error")
            return
        ok = sum(r.status in ("imported", "updated") for r in message.results)
        same = sum(r.status == "unchanged" for r in message.results)
        failed = [r for r in message.results if r.status == "failed"]
        self.notify(
            t("library.imported", ok=ok, same=same, failed=len(failed)),
            severity="warning" if failed else "information",
        )
        revised = [r for r in failed if r.code == "import.revised"]
        for r in [r for r in failed if r not in revised][:5]:
            self.notify(render(r), severity="error", timeout=10)
        for r in message.results:
            if r.status == "updated":
                self.notify(f"{r.name}: {r.message}", timeout=15)
        self.session.changed()
        self.reload()
        self.mark_seen()
        if revised:
            # a revised transcript replaces the text; its codings are re-anchored, so ask first
            names = ", ".join(Path(r.source).name for r in revised[:4])

            def confirm(yes: bool | None) -> None:
                if yes:
                    self.run_import([Path(r.source) for r in revised], update=True)

            self.app.push_screen(
                ConfirmDialog(t("library.confirm_update", n=len(revised), names=names)), confirm
            )
