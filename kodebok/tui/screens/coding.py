"""The coding screen: transcript, code tree in a side panel, status line; every coding key."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label

from kodebok.i18n import t
from kodebok.services import lookup
from kodebok.services import workspace as ws
from kodebok.tui.screens.coding_edit import CodingEdits
from kodebok.tui.widgets.code_tree import CodeTree
from kodebok.tui.widgets.status_line import StatusLine
from kodebok.tui.widgets.suggestions import SuggestionPanel
from kodebok.tui.widgets.transcript import Chip, TranscriptView

# Keys a, r, s and A belong to the suggestion panel (widgets/suggestions.py).
SPAN_ACTIONS = {"span_end", "span_start"}


class CodingScreen(CodingEdits):
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
        self._side_choice: bool | None = None  # None: shown when the terminal is wide enough
        # the side panel was opened by a suggestion key on a narrow terminal: it closes again
        # once a suggestion is taken or rejected, or on Esc (it covers half the transcript)
        self._side_for_suggestions = False
        # a suggestion key pressed before the current segment's suggestions arrived:
        # (segment id, "accept" or "reject", n); done when they arrive, dropped on a move
        self._pending: tuple[int, str, int] | None = None
        self.return_on_back = False  # opened from search results: Esc goes back to them

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
            self.query_one(SuggestionPanel).open()
            self._suggest_current()

    # -- helpers ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read the document, its codings and the codebook (after undo or codebook edits)."""
        project = self.session.project
        document = lookup.document(project, self.document_id)
        self.document_name = document.name
        self.document_language = document.language
        segments = ws.document_view(project, self.document_id)
        current = self.view.current if self.view.segments else 0
        if self.start_segment is not None:
            current = next((i for i, s in enumerate(segments) if s.id == self.start_segment), 0)
            self.start_segment = None
        self.view.load(segments, current)
        self.code_tree.show(self.session.tree(), self.session.colors())
        self._status()
        self._pending = None
        self._suggest_current(again=True)

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
            name = self.session.labels.get(c.code_id, "?")
            partial = (c.start, c.end) != (seg.start, seg.end)
            target = others if other else mine
            key = (c.code_id, c.coder)
            if key in target:
                partial = partial and target[key].partial
            target[key] = Chip(name, self.session.color(c.code_id), other, partial, c.coder)
        return [*mine.values(), *others.values()]

    @on(TranscriptView.CurrentChanged)
    def _moved(self) -> None:
        self._status()
        current = self._current_id()
        if self._pending is not None and self._pending[0] != current:
            self._pending = None  # a suggestion key meant for a segment the cursor has left
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
        """Cancel the word selection, else close suggestions opened on a narrow terminal, else
        go back to the library."""
        if self.view.selection is not None:
            self.view.set_selection(None)
            self._status()
            self.refresh_bindings()
            return
        if self._side_for_suggestions:
            self._close_suggestion_side()
            return
        from kodebok.tui.screens.library import LibraryScreen

        stack = self.app.screen_stack
        if len(stack) > 1 and (self.return_on_back or isinstance(stack[-2], LibraryScreen)):
            self.app.pop_screen()
        else:  # opened straight on a document: the library comes into being now
            self.app.switch_screen(LibraryScreen())

    # -- coding by shortcut ---------------------------------------------------------------

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

    # -- panels and other screens ----------------------------------------------------------

    def action_toggle_others(self) -> None:
        """Show or hide other coders' codings."""
        self.view.show_others = not self.view.show_others
        self.view.redraw()
        self._status()
        self.notify(t("coding.others_shown" if self.view.show_others else "coding.others_hidden"))

    def action_toggle_side(self) -> None:
        """Show or hide the code panel."""
        self._side_for_suggestions = False
        self._side_choice = not self.query_one("#side").display
        self.on_resize()

    def _close_suggestion_side(self) -> None:
        """Hide again the side panel a suggestion key opened on a narrow terminal."""
        if self._side_for_suggestions:
            self._side_for_suggestions = False
            self._side_choice = None
            self.on_resize()

    def action_search(self) -> None:
        """Open the search screen."""
        from kodebok.tui.screens.search import SearchScreen

        stack = self.app.screen_stack
        if self.return_on_back and isinstance(stack[-2], SearchScreen):
            self.app.pop_screen()  # back to the results this segment was opened from
            return
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
    #
    # A suggestion key acts on the suggestions of the segment the cursor is on, as the panel
    # shows them. Pressed before they arrived (just after opening the document or moving), it
    # waits for them; it never takes a suggestion computed for another segment.

    def _current_id(self) -> int | None:
        segments = self.view.segments
        return segments[self.view.current].id if segments else None

    def _suggest_current(self, *, again: bool = False) -> None:
        self.query_one(SuggestionPanel).show_segment(self._current_id(), again=again)

    def _suggestions_visible(self) -> bool:
        """Whether the researcher can see the panel (it sits in the side panel)."""
        return self.query_one(SuggestionPanel).shown and bool(self.query_one("#side").display)

    def _open_suggestions(self) -> None:
        """Show the panel, and the side panel it sits in on a narrow terminal (b hides it)."""
        self.query_one(SuggestionPanel).open()
        if not self.query_one("#side").display:
            self._side_choice = True
            self._side_for_suggestions = True
            self.on_resize()
        self._suggest_current()
        if self.session.project.get_setting("tui.suggestions") != "on":
            self.kapp.write(lambda p: p.set_setting("tui.suggestions", "on"))

    def _ready(self, kind: str, n: int) -> bool:
        """True when the panel shows the current segment's suggestions; else the key waits."""
        panel = self.query_one(SuggestionPanel)
        current = self._current_id()
        if current is None:
            return False
        if panel.segment_id == current and not panel.loading:
            return True
        self._pending = (current, kind, n)
        self._suggest_current()  # the cursor moved and the panel has not heard yet
        return False

    @on(SuggestionPanel.Loaded)
    def _suggestions_arrived(self, message: SuggestionPanel.Loaded) -> None:
        pending = self._pending
        if pending is None or pending[0] != message.segment_id:
            return
        panel = self.query_one(SuggestionPanel)
        if self._current_id() != pending[0] or panel.segment_id != pending[0] or panel.loading:
            return
        self._pending = None
        if not self._suggestions_visible():
            return
        if pending[1] == "accept":
            self.action_suggest_accept(pending[2])
        else:
            self.action_suggest_reject()

    def _showing_suggestions(self) -> tuple[int, ws.ViewSegment] | None:
        """The current segment when its suggestions are on screen; otherwise None, and a
        first press of a suggestion key opens the panel."""
        found = self._current()
        if found is None:
            return None
        if not self._suggestions_visible():
            self._open_suggestions()
            return None
        return found

    def action_suggest_accept(self, n: int) -> None:
        """Code the segment with the n-th suggestion (the first press opens the panel)."""
        from kodebok.services.nlp import accept_suggestion

        panel = self.query_one(SuggestionPanel)
        found = self._showing_suggestions()
        if found is None:
            return
        panel.awaiting_digit = False
        if not self._ready("accept", n):
            return
        chosen = panel.nth(n)
        if chosen is None:
            self.app.bell()
            return
        index, seg = found
        coder = self.session.coder

        def done(_: int) -> None:
            self._refresh_segment(index)
            panel.refresh_suggestions()
            self._close_suggestion_side()
            self.notify(t("coding.coded", code=chosen.code))

        self.kapp.write(lambda p: accept_suggestion(p, seg.id, chosen.code, coder), done)

    def action_suggest_pick(self) -> None:
        """Wait for a digit: the suggestion to accept."""
        panel = self.query_one(SuggestionPanel)
        if self._showing_suggestions() is None:
            return
        self._suggest_current()  # the digit is for the current segment, even right after a move
        panel.ask_digit()

    def action_suggest_reject(self) -> None:
        """Reject the best suggestion: the learner hears it and the next one moves up."""
        from kodebok.services.nlp import record_feedback

        panel = self.query_one(SuggestionPanel)
        found = self._showing_suggestions()
        if found is None:
            return
        if not self._ready("reject", 1):
            return
        chosen = panel.nth(1)
        if chosen is None:
            self.app.bell()
            return
        seg = found[1]
        coder = self.session.coder

        def done(_: int) -> None:
            panel.refresh_suggestions()
            self._close_suggestion_side()

        self.kapp.write(
            lambda p: record_feedback(p, seg.id, lookup.code(p, chosen.code).id, False, coder), done
        )
