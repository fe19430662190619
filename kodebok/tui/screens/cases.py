"""Cases and attributes: case attributes, which documents belong to which case, speakers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Label

from kodebok.i18n import t
from kodebok.services import cases as case_service
from kodebok.services import lookup
from kodebok.services.documents import ensure_case
from kodebok.services.project import Project
from kodebok.services.workspace import library, speaker_rows
from kodebok.tui.dialogs.picker import ChoiceDialog
from kodebok.tui.dialogs.simple import TextInputDialog
from kodebok.tui.screens.base import KodebokScreen


def parse_pairs(text: str) -> dict[str, str]:
    """``role=rektor, level=tjenesteleder`` as a dict (commas or semicolons between pairs)."""
    pairs = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    return case_service.parse_assignments(pairs)


class CasesScreen(KodebokScreen):
    """Cases with attributes, documents per case, and speaker roles and levels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "key.back"),
        Binding("n", "new_case", "key.new"),
        Binding("e", "edit", "key.attribute"),
        Binding("a", "assign", "key.assign"),
        Binding("s", "speaker", "key.speaker"),
    ]

    def compose(self) -> ComposeResult:
        """Three tables: cases, documents, speakers."""
        yield Label(t("cases.title"), classes="screen-title")
        with Horizontal(id="cases-body"):
            with Vertical():
                yield Label(t("cases.case"), classes="panel-title")
                yield DataTable(id="cases-table", cursor_type="row")
            with Vertical():
                yield Label(t("cases.documents"), classes="panel-title")
                yield DataTable(id="case-documents", cursor_type="row")
                yield Label(t("cases.speaker"), classes="panel-title")
                yield DataTable(id="speakers-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the tables."""
        cases = self.query_one("#cases-table", DataTable)
        cases.add_columns(t("cases.case"), t("cases.documents"), t("cases.attributes"))
        docs = self.query_one("#case-documents", DataTable)
        docs.add_columns(t("library.document"), t("cases.case"), t("library.kind"))
        speakers = self.query_one("#speakers-table", DataTable)
        speakers.add_columns(
            t("library.document"), t("cases.speaker"), t("cases.role"), t("cases.level")
        )
        self.reload()
        self.mark_seen()
        cases.focus()

    def reload(self) -> None:
        """Re-read cases, documents and speakers."""
        project = self.session.project
        cases = self.query_one("#cases-table", DataTable)
        keep = cases.cursor_row
        cases.clear()
        documents = library(project)
        for case in lookup.cases(project):
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(case.attributes.items()))
            n = sum(row.case == case.name for row in documents)
            cases.add_row(case.name, str(n), attrs, key=case.name)
        if cases.row_count:
            cases.move_cursor(row=min(keep, cases.row_count - 1))
        docs = self.query_one("#case-documents", DataTable)
        keep = docs.cursor_row
        docs.clear()
        for row in documents:
            docs.add_row(row.name, row.case or "–", row.kind, key=row.name)
        if docs.row_count:
            docs.move_cursor(row=min(keep, docs.row_count - 1))
        speakers = self.query_one("#speakers-table", DataTable)
        keep = speakers.cursor_row
        speakers.clear()
        for _sid, doc, label, interviewer, values in speaker_rows(project):
            role = values.get("role", "") or ("intervjuer" if interviewer else "")
            speakers.add_row(doc, label, role, values.get("level", ""), key=f"{doc}\x00{label}")
        if speakers.row_count:
            speakers.move_cursor(row=min(keep, speakers.row_count - 1))

    def _key(self, table_id: str) -> str | None:
        table = self.query_one(table_id, DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _change(self, action: Callable[[Project], Any]) -> None:
        def done(_: Any) -> None:
            self.session.changed()
            self.reload()
            self.mark_seen()
            self.notify(t("cases.saved"))

        self.kapp.write(action, done)

    def action_new_case(self) -> None:
        """Create a case."""
        self.app.push_screen(
            TextInputDialog(t("cases.new_prompt")),
            lambda name: self._change(lambda p: ensure_case(p, name)) if name else None,
        )

    def action_edit(self) -> None:
        """Set an attribute of the highlighted case (KEY=VALUE)."""
        case = self._key("#cases-table")
        if case is None:
            self.notify(t("cases.no_cases"))
            return
        self.app.push_screen(
            TextInputDialog(t("cases.attr_prompt", case=case)),
            lambda text: (
                self._change(
                    lambda p: case_service.set_case_attributes(
                        p, case, parse_pairs(text), coder=self.kapp.coder
                    )
                )
                if text
                else None
            ),
        )

    def action_assign(self) -> None:
        """Tie the highlighted document to a case."""
        document = self._key("#case-documents")
        if document is None:
            return
        choices: list[tuple[str, Any]] = [
            (c.name, c.name) for c in lookup.cases(self.session.project)
        ]
        choices.append(("-", "–"))
        self.app.push_screen(
            ChoiceDialog(t("cases.assign_title", document=document), choices),
            lambda case: (
                self._change(
                    lambda p: case_service.assign_document(p, document, case, coder=self.kapp.coder)
                )
                if case
                else None
            ),
        )

    def action_speaker(self) -> None:
        """Set attributes (role, level …) of the highlighted speaker."""
        key = self._key("#speakers-table")
        if key is None:
            return
        document, label = key.split("\x00", 1)
        self.app.push_screen(
            TextInputDialog(t("cases.speaker_prompt", speaker=label, document=document)),
            lambda text: (
                self._change(
                    lambda p: case_service.set_speaker_attributes(
                        p, document, label, parse_pairs(text), coder=self.kapp.coder
                    )
                )
                if text
                else None
            ),
        )
