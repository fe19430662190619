"""The search screen: full-text hits as keyword-in-context lines; jump to a hit; code all hits."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from kodebok.errors import KodebokError
from kodebok.i18n import render, t
from kodebok.services.search import CodeAllResult, SearchHit
from kodebok.tui.dialogs.picker import CodePicker, PickedCode
from kodebok.tui.dialogs.simple import ConfirmDialog
from kodebok.tui.screens.base import KodebokScreen

DEBOUNCE_SECONDS = 0.15


def clip(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: cut with an ellipsis, or padded."""
    if len(text) > width:
        return text[: max(0, width - 1)] + "…"
    return text.ljust(width)


def place_text(hit: SearchHit, width: int) -> str:
    """``document #n`` in ``width`` cells; a long document name is cut, never the number."""
    number = f" #{hit.idx + 1}"
    name = (
        hit.document
        if len(hit.document) + len(number) <= width
        else clip(hit.document, max(1, width - len(number)))
    )
    return (name + number).ljust(width)


def hit_columns(hits: list[SearchHit], width: int) -> tuple[int, int]:
    """Widths of the place column (document #n) and the speaker column for these hits.

    Each column is as wide as its longest entry, but together they take at most half the
    line, so the context always has room; a long name is cut with an ellipsis instead.
    """
    place = max((len(f"{h.document} #{h.idx + 1}") for h in hits), default=0)
    speaker = max((len(h.speaker or "") for h in hits), default=0)
    budget = max(16, width // 2)
    speaker = min(speaker, 18, max(0, budget // 3))
    place = min(place, budget - speaker - (1 if speaker else 0))
    return max(8, place), speaker


def hit_line(hit: SearchHit, width: int = 116, columns: tuple[int, int] | None = None) -> Text:
    """A keyword-in-context line: place, speaker, then the match centred in its context."""
    place, speaker = columns or hit_columns([hit], width)
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(place_text(hit, place), style="bold")
    line.append(" ")
    used = place + 1
    if speaker:
        line.append(clip(hit.speaker or "", speaker), style="italic")
        line.append(" ")
        used += speaker + 1
    room = max(10, width - used)
    side = max(0, (room - len(hit.match)) // 2)
    left = hit.left[-side:].rjust(side) if side else ""
    line.append(left)
    line.append(hit.match, style="reverse bold")
    line.append(hit.right[: max(0, room - side - len(hit.match))])
    return line


class SearchScreen(KodebokScreen):
    """Search every segment; Enter opens the hit on the coding screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "key.back"),
        Binding("ctrl+k", "code_all", "key.code_all", priority=True),
        # priority: the field has a (hidden) binding for down of its own
        Binding("down", "focus_hits", "key.hits", priority=True),
    ]

    class Done(Message):
        """A search worker finished."""

        def __init__(self, query: str, hits: list[SearchHit], error: str = "") -> None:
            super().__init__()
            self.query = query
            self.hits = hits
            self.error = error

    class Coded(Message):
        """Coding all hits finished in a worker."""

        def __init__(self, result: CodeAllResult | None, error: str = "") -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.hits: list[SearchHit] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Query field, hit count, hits."""
        with Vertical(id="search"):
            yield Label(t("search.title"), classes="screen-title")
            yield Input(self.initial_query, placeholder=t("search.placeholder"), id="search-input")
            yield Label("", id="search-count")
            yield OptionList(id="search-hits")
        yield Footer()

    def on_mount(self) -> None:
        """Focus the query field."""
        self.mark_seen()
        self.query_one(Input).focus()
        if self.initial_query:
            self._start(self.initial_query)

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        value = event.value
        self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self._start(value))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        """Search now; the field keeps the focus (↓ moves to the hits, Enter there opens one)."""
        if self._timer is not None:
            self._timer.stop()
        self._start(event.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """↓ to the hits only from the query field (the list moves its own cursor)."""
        if action == "focus_hits":
            return isinstance(self.focused, Input)
        return True

    def action_focus_hits(self) -> None:
        """Move from the query to the hits."""
        hits = self.query_one(OptionList)
        if hits.option_count:
            hits.focus()
            if hits.highlighted is None:
                hits.highlighted = 0

    def _start(self, query: str) -> None:
        self.run_search(query)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        """Search in a thread with its own connection (fuzzy search reads every segment)."""
        from kodebok.services.project import open_project
        from kodebok.services.search import search

        try:
            with open_project(self.kapp.project_path, daily_backup=False) as project:
                # a leading ~ makes the search fuzzy (lemma, stem and spelling variants)
                hits = search(project, query, limit=500) if query.strip() else []
        except KodebokError as exc:
            self.post_message(self.Done(query, [], render(exc)))
            return
        self.post_message(self.Done(query, hits))

    def on_search_screen_done(self, message: Done) -> None:
        """Show the hits of the latest search."""
        if message.query != self.query_one(Input).value:
            return  # an older search finished after a newer one started
        if message.error:
            self.notify(message.error, severity="error")
        self.hits = message.hits
        options = self.query_one(OptionList)
        options.clear_options()
        width = max(40, (options.scrollable_content_region.width or self.size.width) - 2)
        columns = hit_columns(self.hits, width)
        options.add_options(
            [Option(hit_line(h, width, columns), id=str(i)) for i, h in enumerate(self.hits)]
        )
        count = t("search.count", n=len(self.hits)) if self.hits else t("search.none")
        self.query_one("#search-count", Label).update(count if message.query.strip() else "")

    @on(OptionList.OptionSelected, "#search-hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits[int(event.option.id or 0)]
        # above the results, so Esc on the coding screen comes back to them
        self.kapp.open_document(hit.document_id, hit.segment_id, over=True)

    def action_code_all(self) -> None:
        """Code every hit's segment with a picked code, after confirming; one undo step."""
        if not self.hits:
            self.notify(t("search.no_hits"), severity="warning")
            return
        ids = list(dict.fromkeys(h.segment_id for h in self.hits))

        def picked(choice: PickedCode | None) -> None:
            if choice is None or choice.code_id is None:
                return
            code = self.session.by_id[choice.code_id]

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.run_code_all(ids, code.path)

            self.app.push_screen(
                ConfirmDialog(t("search.code_all_confirm", n=len(ids), code=code.path)), confirmed
            )

        self.app.push_screen(
            CodePicker(
                self.session.codes, self.session.recent, self.session.colors(), allow_create=False
            ),
            picked,
        )

    @work(thread=True, exclusive=True, group="code-all")
    def run_code_all(self, segment_ids: list[int], code: str) -> None:
        """Code the hits in a thread with its own connection (thousands of rows take a while)."""
        from kodebok.services.project import open_project
        from kodebok.services.search import code_segments

        try:
            with open_project(self.kapp.project_path, daily_backup=False) as project:
                result = code_segments(project, segment_ids, code, coder=self.kapp.coder)
        except KodebokError as exc:
            self.post_message(self.Coded(None, render(exc)))
            return
        self.post_message(self.Coded(result))

    def on_search_screen_coded(self, message: Coded) -> None:
        """Tell the researcher what was coded; other screens reload when shown again."""
        if message.result is None:
            self.notify(message.error, severity="error")
            return
        self.session.changed()
        self.mark_seen()
        self.notify(
            t(
                "search.coded_all",
                added=message.result.added,
                existing=message.result.existing,
                code=message.result.code.path,
            )
        )
