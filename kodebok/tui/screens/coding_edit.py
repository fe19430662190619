"""Editing on the coding screen: applying, creating and removing codes, memos, word spans."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.timer import Timer
from textual.widgets import Tree

from kodebok.i18n import t
from kodebok.models import Code
from kodebok.services import workspace as ws
from kodebok.services.codes import create_code
from kodebok.services.coding import (
    code_segment_id,
    segment_change,
    uncode_segment_id,
    write_memo,
)
from kodebok.store import Project
from kodebok.tui.dialogs.picker import ChoiceDialog, CodePicker, PickedCode
from kodebok.tui.dialogs.simple import MemoDialog
from kodebok.tui.screens.base import KodebokScreen
from kodebok.tui.widgets.code_tree import CodeTree
from kodebok.tui.widgets.status_line import StatusLine
from kodebok.tui.widgets.transcript import TranscriptView


class CodingEdits(KodebokScreen):
    """The writing half of the coding screen; CodingScreen adds layout, moving and panels."""

    def __init__(self) -> None:
        super().__init__()
        self.document_name = ""
        self.document_language = ""
        self._counts_timer: Timer | None = None

    @property
    def view(self) -> TranscriptView:
        """The transcript."""
        return self.query_one(TranscriptView)

    @property
    def code_tree(self) -> CodeTree:
        """The code tree in the side panel."""
        return self.query_one(CodeTree)

    def _status(self) -> None:
        self.query_one(StatusLine).show(
            self.document_name,
            self.view.current,
            len(self.view.segments),
            self.session.coder,
            others_hidden=not self.view.show_others,
            selecting=self.view.selection is not None,
            language=self.document_language,
            project=self.kapp.project_path.name,
        )

    def _current(self) -> tuple[int, ws.ViewSegment] | None:
        if not self.view.segments:
            self.notify(t("coding.empty_document"))
            return None
        return self.view.current, self.view.segments[self.view.current]

    def _refresh_segment(self, index: int) -> None:
        seg = self.view.segments[index]
        seg.codings = ws.segment_codings(self.session.project, seg.id)
        seg.has_memo = ws.segment_has_memo(self.session.project, seg.id)
        self.view.segment_changed(index)
        self._schedule_counts()

    def _schedule_counts(self) -> None:
        # Counting every code's codings takes a few ms; do it once after a burst of keys.
        if self._counts_timer is not None:
            self._counts_timer.stop()
        self._counts_timer = self.set_timer(0.4, self._update_counts)

    def _update_counts(self) -> None:
        self._counts_timer = None
        self.code_tree.update_counts(self.session.tree())

    # -- coding ----------------------------------------------------------------------------

    def apply_code(self, code_id: int, span: tuple[int, int] | None = None) -> None:
        """Code the current segment (or a span of it) with a code; one journaled write."""
        found = self._current()
        if found is None:
            return
        index, seg = found
        code = self.session.by_id.get(code_id)
        if code is None:
            return

        def done(result: tuple[int, bool]) -> None:
            self.session.used(code_id)
            if not result[1]:
                self.notify(t("coding.already", code=code.path))
            self._refresh_segment(index)

        self.kapp.write(
            lambda p: code_segment_id(p, seg.id, code_id, coder=self.session.coder, span=span),
            done,
        )

    def create_and_apply(self, path: str, span: tuple[int, int] | None = None) -> None:
        """Create a code and code the current segment with it, as one undoable operation."""
        found = self._current()
        if found is None:
            return
        index, seg = found
        coder = self.session.coder

        def action(p: Project) -> Code:
            what = segment_change(p, "create_code_and_code", seg.id, code=path)
            with p.operation(coder, "create-code", what):
                code = create_code(p, path, coder=coder)
                code_segment_id(p, seg.id, code.id, coder=coder, span=span)
            return code

        def done(code: Code) -> None:
            self.session.changed()
            self.mark_seen()
            self.session.used(code.id)
            self.code_tree.show(self.session.tree(), self.session.colors(), keep=code.id)
            self._refresh_segment(index)
            self.notify(t("coding.created_and_coded", code=code.path))

        self.kapp.write(action, done)

    def _picked(self, span: tuple[int, int] | None) -> Callable[[PickedCode | None], None]:
        def handle(picked: PickedCode | None) -> None:
            if picked is None:
                return
            if picked.code_id is not None:
                self.apply_code(picked.code_id, span)
            elif picked.new_path:
                self.create_and_apply(picked.new_path, span)
            if span is not None:
                self.view.set_selection(None)
                self._status()
                self.refresh_bindings()

        return handle

    def action_pick(self) -> None:
        """Open the fuzzy code picker for the segment (or the selected words)."""
        if self._current() is None:
            return
        span = self._selected_span()
        self.app.push_screen(
            CodePicker(self.session.codes, self.session.recent, self.session.colors()),
            self._picked(span),
        )

    @on(Tree.NodeSelected, "#code-tree")
    def _tree_selected(self, event: Tree.NodeSelected[int]) -> None:
        if event.node.data is not None:
            self.apply_code(event.node.data, self._selected_span())

    def action_uncode(self) -> None:
        """Remove one of this coder's codes from the segment (asks which when several)."""
        found = self._current()
        if found is None:
            return
        index, seg = found
        mine = list(dict.fromkeys(c.code_id for c in seg.codings if c.coder == self.session.coder))
        if not mine:
            self.notify(t("coding.nothing_to_remove"))
            return

        def remove(code_id: int) -> None:
            path = self.session.by_id[code_id].path if code_id in self.session.by_id else "?"

            def removed(_n: int) -> None:
                self._refresh_segment(index)
                self.notify(t("coding.removed", code=path))

            self.kapp.write(
                lambda p: uncode_segment_id(p, seg.id, code_id, coder=self.session.coder), removed
            )

        if len(mine) == 1:
            remove(mine[0])
            return
        choices: list[tuple[str, Text | str]] = []
        for code_id in mine:
            label = Text()
            label.append("■ ", style=self.session.color(code_id))
            label.append(self.session.by_id[code_id].path if code_id in self.session.by_id else "?")
            choices.append((str(code_id), label))
        self.app.push_screen(
            ChoiceDialog(t("picker.remove_title"), choices),
            lambda chosen: remove(int(chosen)) if chosen else None,
        )

    def action_memo(self) -> None:
        """Write or edit this coder's memo on the segment."""
        found = self._current()
        if found is None:
            return
        index, seg = found
        existing = ws.segment_memo(self.session.project, seg.id, self.session.coder)

        def save(text: str | None) -> None:
            if text is None or text == existing:
                return

            def saved(_id: int) -> None:
                self._refresh_segment(index)
                self.notify(t("coding.memo_saved" if text.strip() else "coding.memo_removed"))

            self.kapp.write(
                lambda p: write_memo(p, "segment", seg.id, text, coder=self.session.coder), saved
            )

        self.app.push_screen(MemoDialog(t("memo.title", n=seg.idx + 1), existing), save)

    # -- word selection --------------------------------------------------------------------

    def _selected_span(self) -> tuple[int, int] | None:
        if self.view.selection is None or not self.view.segments:
            return None
        seg = self.view.segments[self.view.current]
        words = self.view.words(self.view.current)
        first, last = self.view.selection
        return seg.start + words[first][0], seg.start + words[last][1]

    def action_span(self) -> None:
        """Start selecting words of the segment (the first word)."""
        if self._current() is None or not self.view.words(self.view.current):
            return
        self.view.set_selection((0, 0))
        self._status()
        self.refresh_bindings()
        self.notify(t("coding.span_help"), timeout=4)

    def action_span_end(self, delta: int) -> None:
        """Grow or shrink the selection at its end."""
        if self.view.selection is None:
            return
        first, last = self.view.selection
        n = len(self.view.words(self.view.current))
        self.view.set_selection((first, max(first, min(n - 1, last + delta))))

    def action_span_start(self, delta: int) -> None:
        """Move the start of the selection."""
        if self.view.selection is None:
            return
        first, last = self.view.selection
        self.view.set_selection((max(0, min(last, first + delta)), last))
