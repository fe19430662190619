"""The coding screen: transcript, code tree in a side panel, status line; every coding key."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Label, Tree

from kodebok.i18n import t
from kodebok.models import Code
from kodebok.services import workspace as ws
from kodebok.services.codes import create_code
from kodebok.services.coding import code_segment_id, uncode_segment_id, write_memo
from kodebok.store import Project
from kodebok.store import queries as q
from kodebok.tui.dialogs.picker import ChoiceDialog, CodePicker, PickedCode
from kodebok.tui.dialogs.simple import MemoDialog
from kodebok.tui.screens.base import KodebokScreen
from kodebok.tui.widgets.code_tree import CodeTree
from kodebok.tui.widgets.status_line import StatusLine
from kodebok.tui.widgets.suggestions import SuggestionPanel
from kodebok.tui.widgets.transcript import Chip, TranscriptView

# Keys a, r, s and shift+digits are left free on purpose: the suggestion panel will use them.
SPAN_ACTIONS = {"span_end", "span_start"}


class CodingScreen(KodebokScreen):
    """Code one document segment by segment from the keyboard."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("j,down", "move(1)", "key.down", show=False),
        Binding("k,up", "move(-1)", "key.up", show=False),
        Binding("pagedown", "page(1)", "key.page_down", show=False),
        Binding("pageup", "page(-1)", "key.page_up", show=False),
        Binding("g,home", "first", "key.first", show=False),
        Binding("G,end", "last", "key.last", show=False),
        Binding("c,enter", "pick", "key.code"),
        Binding("1", "shortcut('1')", "key.code_digit", key_display="1–9", show=False),
        *[Binding(str(n), f"shortcut('{n}')", show=False) for n in range(2, 10)],
        Binding("x", "uncode", "key.uncode"),
        Binding("m", "memo", "key.memo"),
        Binding("v", "span", "key.span"),
        Binding("right,l", "span_end(1)", "key.span_grow", show=False),
        Binding("left,h", "span_end(-1)", "key.span_shrink", show=False),
        Binding("shift+right,L", "span_start(1)", "key.span_start_right", show=False),
        Binding("shift+left,H", "span_start(-1)", "key.span_start_left", show=False),
        Binding("n", "uncoded(1)", "key.next_uncoded"),
        Binding("p", "uncoded(-1)", "key.prev_uncoded", show=False),
        Binding("slash", "search", "key.search"),
        Binding("o", "toggle_others", "key.others"),
        Binding("b", "toggle_side", "key.panel", show=False),
        Binding("e", "codebook", "key.codebook", show=False),
        # suggestions (widgets/suggestions.py): the first press opens the panel
        Binding("a", "suggest_accept(1)", "Godta beste forslag", show=False),
        Binding("s,A", "suggest_pick", "Godta forslag nr. (s, så siffer)", show=False),
        Binding("r", "suggest_reject", "Avvis beste forslag", show=False),
    ]

    def __init__(self, document_id: int, segment_id: int | None = None) -> None:
        super().__init__()
        self.document_id = document_id
        self.start_segment = segment_id
        self.document_name = ""
        self._side_choice: bool | None = None  # None: shown when the terminal is wide enough
        self._counts_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Transcript and side panel side by side, status line and footer below."""
        with Horizontal(id="coding-body"):
            yield TranscriptView(self._chips, id="transcript")
            with Vertical(id="side"):
                yield Label(t("coding.side_title"), classes="panel-title")
                yield CodeTree(id="code-tree")
                yield SuggestionPanel(self.session.path, id="suggestions")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        """Load the document and put the cursor on the requested segment."""
        self.reload()
        self.mark_seen()
        self.view.focus()
        if self.session.project.get_setting("tui.suggestions") == "on":
            self._open_suggestions()

    # -- helpers ---------------------------------------------------------------------------

    @property
    def view(self) -> TranscriptView:
        """The transcript."""
        return self.query_one(TranscriptView)

    @property
    def code_tree(self) -> CodeTree:
        """The code tree in the side panel."""
        return self.query_one(CodeTree)

    def reload(self) -> None:
        """Re-read the document, its codings and the codebook (after undo or codebook edits)."""
        project = self.session.project
        self.document_name = q.document(project, self.document_id).name
        segments = ws.document_view(project, self.document_id)
        current = self.view.current if self.view.segments else 0
        if self.start_segment is not None:
            current = next((i for i, s in enumerate(segments) if s.id == self.start_segment), 0)
            self.start_segment = None
        self.view.load(segments, current)
        self.code_tree.show(self.session.tree(), self.session.colors())
        self._status()
        self._suggest_current()

    def go_to_segment(self, segment_id: int) -> None:
        """Make the segment with this id current."""
        for i, seg in enumerate(self.view.segments):
            if seg.id == segment_id:
                self.view.go(i)
                return

    def _chips(self, seg: ws.ViewSegment, show_others: bool) -> list[Chip]:
        me = self.session.coder
        mine: dict[tuple[int, str], Chip] = {}
        others: dict[tuple[int, str], Chip] = {}
        for c in seg.codings:
            other = c.coder != me
            if other and not show_others:
                continue
            code = self.session.by_id.get(c.code_id)
            name = code.name if code is not None else "?"
            partial = (c.start, c.end) != (seg.start, seg.end)
            target = others if other else mine
            key = (c.code_id, c.coder)
            if key in target:
                partial = partial and target[key].partial
            label = f"{name} · {c.coder}" if other else name
            target[key] = Chip(label, self.session.color(c.code_id), other, partial)
        return [*mine.values(), *others.values()]

    def _status(self) -> None:
        self.query_one(StatusLine).show(
            self.document_name,
            self.view.current,
            len(self.view.segments),
            self.session.coder,
            others_hidden=not self.view.show_others,
            selecting=self.view.selection is not None,
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

    @on(TranscriptView.CurrentChanged)
    def _moved(self) -> None:
        self._status()
        self._suggest_current()

    def on_resize(self) -> None:
        """Hide the side panel on narrow terminals (80×24 must still work)."""
        wide = self.size.width >= 100
        self.query_one("#side").display = wide if self._side_choice is None else self._side_choice

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Word-selection keys are active only while selecting words."""
        if action in SPAN_ACTIONS:
            return self.view.selection is not None
        return True

    # -- moving ----------------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        """Next or previous segment."""
        self.view.go(self.view.current + delta)

    def action_page(self, direction: int) -> None:
        """A screenful of segments down or up."""
        self.view.go(self.view.current + direction * self.view.page_size(direction))

    def action_first(self) -> None:
        """The first segment."""
        self.view.go(0)

    def action_last(self) -> None:
        """The last segment."""
        self.view.go(len(self.view.segments) - 1)

    def action_uncoded(self, direction: int) -> None:
        """The next (or previous) informant segment this coder has not coded."""
        me = self.session.coder
        i = self.view.current + direction
        while 0 <= i < len(self.view.segments):
            seg = self.view.segments[i]
            if not seg.interviewer and not any(c.coder == me for c in seg.codings):
                self.view.go(i)
                return
            i += direction
        self.notify(t("coding.no_uncoded"))

    def action_back(self) -> None:
        """Cancel the word selection, else go back to the library."""
        if self.view.selection is not None:
            self.view.set_selection(None)
            self._status()
            self.refresh_bindings()
            return
        self.app.pop_screen()

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
            with p.operation(coder, "create-code", f"Ny kode {path}"):
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

    def action_shortcut(self, key: str) -> None:
        """Apply the code whose shortcut is this digit (or the n-th suggestion after s)."""
        if self.query_one(SuggestionPanel).awaiting_digit:
            self.action_suggest_accept(int(key))
            return
        code = self.session.by_shortcut.get(key)
        if code is None:
            self.notify(t("coding.no_code_for_key", key=key), severity="warning")
            return
        self.apply_code(code.id, self._selected_span())
        if self.view.selection is not None:
            self.view.set_selection(None)
            self._status()

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

    # -- panels and other screens ----------------------------------------------------------

    def action_toggle_others(self) -> None:
        """Show or hide other coders' codings."""
        self.view.show_others = not self.view.show_others
        self.view.redraw()
        self._status()
        self.notify(t("coding.others_shown" if self.view.show_others else "coding.others_hidden"))

    def action_toggle_side(self) -> None:
        """Show or hide the code panel."""
        self._side_choice = not self.query_one("#side").display
        self.on_resize()

    def action_search(self) -> None:
        """Open the search screen."""
        from kodebok.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_codebook(self) -> None:
        """Open the codebook editor."""
        from kodebok.tui.screens.codebook import CodebookScreen

        self.app.push_screen(CodebookScreen())

    def apply_code_by_palette(self, code_id: int) -> None:
        """Used by the command palette: apply a chosen code."""
        self.apply_code(code_id, self._selected_span())

    def extra_help(self) -> list[tuple[str, str]]:
        """Keys the footer cannot show, for the help screen."""
        return [("tab", t("key.focus_panel"))]

    # -- suggestions -----------------------------------------------------------------------

    def _suggest_current(self) -> None:
        panel = self.query_one(SuggestionPanel)
        segments = self.view.segments
        panel.show_segment(segments[self.view.current].id if segments else None)

    def _open_suggestions(self) -> None:
        self.query_one(SuggestionPanel).open()
        self._suggest_current()
        if self.session.project.get_setting("tui.suggestions") != "on":
            self.kapp.write(lambda p: p.set_setting("tui.suggestions", "on"))

    def action_suggest_accept(self, n: int) -> None:
        """Code the segment with the n-th suggestion (the first press opens the panel)."""
        from kodebok.services.nlp import accept_suggestion

        panel = self.query_one(SuggestionPanel)
        found = self._current()
        if not panel.shown or found is None:
            self._open_suggestions()
            return
        panel.awaiting_digit = False
        chosen = panel.nth(n)
        if chosen is None:
            panel.refresh_suggestions()
            return
        index, seg = found
        coder = self.session.coder

        def done(_: int) -> None:
            self._refresh_segment(index)
            panel.refresh_suggestions()
            self.notify(t("coding.coded", code=chosen.code))

        self.kapp.write(lambda p: accept_suggestion(p, seg.id, chosen.code, coder), done)

    def action_suggest_pick(self) -> None:
        """Wait for a digit: the suggestion to accept."""
        panel = self.query_one(SuggestionPanel)
        if not panel.shown:
            self._open_suggestions()
            return
        panel.ask_digit()

    def action_suggest_reject(self) -> None:
        """Reject the best suggestion: the learner hears it and the next one moves up."""
        from kodebok.services.nlp import record_feedback

        panel = self.query_one(SuggestionPanel)
        found = self._current()
        chosen = panel.nth(1)
        if not panel.shown or found is None or chosen is None:
            self._open_suggestions()
            return
        seg = found[1]
        coder = self.session.coder
        self.kapp.write(
            lambda p: record_feedback(p, seg.id, q.code(p, chosen.code).id, False, coder),
            lambda _: panel.refresh_suggestions(),
        )
