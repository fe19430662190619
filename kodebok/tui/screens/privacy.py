"""The privacy view: personal data found in each transcript, highlighted, one key to the map.

Findings come from the same detector as ``kodebok privacy-check`` (the deep pass's stored
entities, gazetteers, patterns), computed in a thread worker with its own connection. The
deep pass itself runs here too, in a worker with a progress bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Footer, Label, ProgressBar, Static

from kodebok.errors import KodebokError
from kodebok.i18n import render, t
from kodebok.tui.screens.base import KodebokScreen

# Lines of the transcript shown around the highlighted finding.
CONTEXT_LINES = 6
STYLES = {
    "person": "bold black on #f28e2b",
    "place": "bold black on #76b7b2",
    "org": "bold black on #edc948",
    "case": "bold black on #59a14f",
}
CONTACT_STYLE = "bold white on #e15759"
OTHER_STYLE = "bold black on #bab0ac"


@dataclass(frozen=True)
class DocumentFindings:
    """One document's text and findings, as the worker hands them over."""

    document_id: int
    name: str
    text: str
    findings: tuple[
        tuple[str, str, int, int, int, str], ...
    ]  # kind, match, start, end, line, source
    mapped: frozenset[str]  # findings whose text is in the pseudonym map (case-blind)


def highlighted(text: str, spans: list[tuple[int, int, str]], lo: int, hi: int) -> Text:
    """``text[lo:hi]`` with the findings inside it highlighted by kind."""
    out = Text(text[lo:hi])
    for start, end, kind in spans:
        if end <= lo or start >= hi:
            continue
        style = STYLES.get(kind) or (OTHER_STYLE if kind in ("name", "other") else CONTACT_STYLE)
        out.stylize(style, max(start, lo) - lo, min(end, hi) - lo)
    return out


class PrivacyScreen(KodebokScreen):
    """Findings per document, the transcript around one highlighted, and the pseudonym map."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "key.back"),
        Binding("p", "add_pseudonym", "key.pseudonym"),
        Binding("d", "deep_pass", "key.deep_pass"),
        Binding("r", "reload_findings", "key.refresh"),
    ]

    class Found(Message):
        """The worker has the findings of every document."""

        def __init__(self, documents: list[DocumentFindings], error: str | None = None) -> None:
            super().__init__()
            self.documents = documents
            self.error = error

    class DeepProgress(Message):
        """The deep pass has done ``done`` of ``total`` segments."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class DeepFinished(Message):
        """The deep pass is over (``summary`` or ``error``)."""

        def __init__(self, summary: str, error: str | None = None) -> None:
            super().__init__()
            self.summary = summary
            self.error = error

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[DocumentFindings] = []
        self.loading = False

    def compose(self) -> ComposeResult:
        """Documents, findings, the transcript around the highlighted finding."""
        yield Label(t("privacy.title"), classes="screen-title")
        with Horizontal(id="privacy-body"):
            with Vertical(id="privacy-left"):
                yield Label(t("privacy.documents"), classes="panel-title")
                yield DataTable(id="privacy-documents", cursor_type="row")
            with Vertical(id="privacy-right"):
                yield Label(t("privacy.findings"), classes="panel-title")
                yield DataTable(id="privacy-findings", cursor_type="row")
                yield Static("", id="privacy-text")
        yield Label("", id="privacy-status")
        yield ProgressBar(id="deep-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        """Start looking for personal data."""
        docs = self.query_one("#privacy-documents", DataTable)
        docs.add_columns(t("library.document"), t("privacy.count"))
        findings = self.query_one("#privacy-findings", DataTable)
        findings.add_columns(
            t("privacy.line"), t("privacy.kind"), t("privacy.match"), t("privacy.source"), "✓"
        )
        self.query_one("#deep-progress", ProgressBar).display = False
        self.action_reload_findings()
        self.mark_seen()

    def action_reload_findings(self) -> None:
        """Look again (after the deep pass or new imports)."""
        self.loading = True
        self.query_one("#privacy-status", Label).update(t("privacy.searching"))
        self.find_all()

    @work(thread=True, exclusive=True, group="privacy")
    def find_all(self) -> None:
        """Run the detector over every document with a connection of its own."""
        from kodebok.services import lookup as q
        from kodebok.services.privacy import document_findings, pseudonym_map
        from kodebok.services.project import open_project

        try:
            with open_project(self.kapp.project_path, daily_backup=False) as project:
                mapped = {real.casefold() for real in pseudonym_map(project)}
                out = []
                for doc in q.documents(project):
                    found = document_findings(project, doc.id)
                    out.append(
                        DocumentFindings(
                            doc.id,
                            doc.name,
                            doc.text,
                            tuple(
                                (f.kind, f.match, f.start, f.end, f.line, f.source) for f in found
                            ),
                            frozenset(f.match for f in found if f.match.casefold() in mapped),
                        )
                    )
        except KodebokError as exc:
            self.post_message(self.Found([], render(exc)))
            return
        self.post_message(self.Found(out))

    def on_privacy_screen_found(self, message: Found) -> None:
        """Fill the document table."""
        self.loading = False
        status = self.query_one("#privacy-status", Label)
        if message.error:
            status.update(message.error)
            return
        self.documents = message.documents
        docs = self.query_one("#privacy-documents", DataTable)
        keep = docs.cursor_row
        docs.clear()
        for d in self.documents:
            docs.add_row(d.name, str(len(d.findings)), key=str(d.document_id))
        total = sum(len(d.findings) for d in self.documents)
        status.update(t("privacy.summary", n=total, documents=len(self.documents)))
        if docs.row_count:
            docs.move_cursor(row=min(max(keep, 0), docs.row_count - 1))
            self._show_document(docs.cursor_row)
            docs.focus()

    def _current(self) -> DocumentFindings | None:
        docs = self.query_one("#privacy-documents", DataTable)
        if not self.documents or not docs.row_count:
            return None
        return self.documents[min(docs.cursor_row, len(self.documents) - 1)]

    @on(DataTable.RowHighlighted, "#privacy-documents")
    def _document_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_document(event.cursor_row)

    def _show_document(self, row: int) -> None:
        if not 0 <= row < len(self.documents):
            return
        doc = self.documents[row]
        table = self.query_one("#privacy-findings", DataTable)
        table.clear()
        for i, (kind, match, _s, _e, line, source) in enumerate(doc.findings):
            table.add_row(
                str(line), kind, match, source, "✓" if match in doc.mapped else "", key=str(i)
            )
        self._show_finding(0)

    @on(DataTable.RowHighlighted, "#privacy-findings")
    def _finding_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_finding(event.cursor_row)

    def _show_finding(self, index: int) -> None:
        doc = self._current()
        view = self.query_one("#privacy-text", Static)
        if doc is None or not doc.findings:
            view.update(t("privacy.none") if doc is not None else "")
            return
        index = min(max(index, 0), len(doc.findings) - 1)
        start = doc.findings[index][2]
        lines = doc.text.split("\n")
        at = doc.text.count("\n", 0, start)
        first, last = max(0, at - CONTEXT_LINES // 2), min(len(lines), at + CONTEXT_LINES)
        lo = sum(len(line) + 1 for line in lines[:first])
        hi = lo + sum(len(line) + 1 for line in lines[first:last])
        spans = [(s, e, kind) for kind, _m, s, e, _l, _src in doc.findings]
        view.update(highlighted(doc.text, spans, lo, min(hi, len(doc.text))))

    def selected_finding(self) -> tuple[str, str] | None:
        """(kind, text) of the highlighted finding."""
        doc = self._current()
        table = self.query_one("#privacy-findings", DataTable)
        if doc is None or not doc.findings or not table.row_count:
            return None
        kind, match, *_ = doc.findings[min(table.cursor_row, len(doc.findings) - 1)]
        return kind, match

    def action_add_pseudonym(self) -> None:
        """Put the highlighted finding in the pseudonym map with the next free placeholder."""
        chosen = self.selected_finding()
        if chosen is None:
            self.notify(t("privacy.nothing"))
            return
        kind, match = chosen
        coder = self.kapp.coder

        def add(project: object) -> str:
            from kodebok.services.privacy import add_finding_to_map
            from kodebok.services.project import Project

            assert isinstance(project, Project)
            return add_finding_to_map(project, match, kind, coder=coder)

        def done(pseudonym: str) -> None:
            self.session.changed()
            self.mark_seen()
            self.notify(t("privacy.added", real=match, pseudonym=pseudonym))
            self._mark_mapped(match)

        self.kapp.write(add, done)

    def _mark_mapped(self, match: str) -> None:
        table = self.query_one("#privacy-findings", DataTable)
        keep = table.cursor_row
        self.documents = [
            DocumentFindings(
                d.document_id,
                d.name,
                d.text,
                d.findings,
                d.mapped | {f[1] for f in d.findings if f[1].casefold() == match.casefold()},
            )
            for d in self.documents
        ]
        docs = self.query_one("#privacy-documents", DataTable)
        self._show_document(docs.cursor_row)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def action_deep_pass(self) -> None:
        """Run the deep NLP pass over every segment in a worker, with a progress bar."""
        bar = self.query_one("#deep-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#privacy-status", Label).update(t("privacy.deep_running"))
        self.run_deep_pass()

    @work(thread=True, exclusive=True, group="deep")
    def run_deep_pass(self) -> None:
        """The deep pass with its own connection; progress and result as messages."""
        from kodebok.services.deep import run_deep
        from kodebok.services.project import open_project

        def progress(done: int, total: int, _what: str) -> None:
            self.post_message(self.DeepProgress(done, total))

        try:
            with open_project(self.kapp.project_path, daily_backup=False) as project:
                # one process: a worker thread must not fork the app
                report = run_deep(project, processes=1, progress=progress)
        except KodebokError as exc:
            self.post_message(self.DeepFinished("", render(exc)))
            return
        self.post_message(
            self.DeepFinished(
                t(
                    "privacy.deep_done",
                    segments=report.segments,
                    words=report.words,
                    entities=report.entities,
                    pipeline=report.pipeline,
                )
            )
        )

    def on_privacy_screen_deep_progress(self, message: DeepProgress) -> None:
        """Move the bar."""
        self.query_one("#deep-progress", ProgressBar).update(
            total=max(1, message.total), progress=message.done
        )

    def on_privacy_screen_deep_finished(self, message: DeepFinished) -> None:
        """Say what the pass did and look again with its entities."""
        self.query_one("#deep-progress", ProgressBar).display = False
        if message.error:
            self.query_one("#privacy-status", Label).update(message.error)
            self.notify(message.error, severity="error")
            return
        self.notify(message.summary)
        self.action_reload_findings()
