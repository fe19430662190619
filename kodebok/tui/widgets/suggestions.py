"""The suggestion panel of the coding screen: the best codes for the current segment, and why.

Suggestions are computed in a thread worker with its own project connection (the first call
loads spaCy and trains the learned model: seconds, not milliseconds); later calls take a few ms.
The panel starts hidden, so the screen looks as before until a suggestion key is pressed
(``a`` accept the best, ``s`` then a digit accept the n-th, ``r`` reject the best).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

SHOWN = 5
DEBOUNCE_SECONDS = 0.12
SETTING = "tui.suggestions"  # "on" once the researcher has opened the panel in this project


@dataclass(frozen=True)
class ShownSuggestion:
    """One line of the panel."""

    code: str
    score: float
    source: str
    why: tuple[str, ...]


class SuggestionPanel(Static):
    """Numbered code suggestions for one segment; the screen asks it to show a segment."""

    DEFAULT_CSS = """
    SuggestionPanel {
        height: auto;
        max-height: 12;
        border-top: solid $panel;
        padding: 0 1;
        display: none;
    }
    """

    class Loaded(Message):
        """Suggestions for a segment arrived from the worker."""

        def __init__(self, segment_id: int, suggestions: list[ShownSuggestion]) -> None:
            super().__init__()
            self.segment_id = segment_id
            self.suggestions = suggestions

    def __init__(self, project_path: Path, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        self.project_path = project_path
        self.segment_id: int | None = None
        self.suggestions: list[ShownSuggestion] = []
        self.loading = False
        self.awaiting_digit = False
        self._timer: Timer | None = None
        self._loaded: int | None = None  # the segment whose suggestions are shown

    @property
    def shown(self) -> bool:
        """Whether the panel is open."""
        return bool(self.display)

    def open(self) -> None:
        """Show the panel (it then follows the current segment)."""
        self.display = True

    def show_segment(self, segment_id: int | None, *, again: bool = False) -> None:
        """Suggest for this segment (nothing happens while the panel is hidden).

        Asked again for the segment it shows or is computing, it keeps what it has (and a
        pending ``s`` waiting for its digit), unless ``again`` (the segment's codings changed).
        """
        if (
            segment_id == self.segment_id
            and not again
            and self.shown
            and (self.loading or self._loaded == segment_id)
        ):
            return
        self.segment_id = segment_id
        self.awaiting_digit = False
        if not self.shown or segment_id is None:
            return
        self.loading = True
        self._loaded = None
        self.suggestions = []
        self._render_lines()
        # wait for the cursor to rest: holding j must not start a worker per segment passed
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self._compute(segment_id))

    def refresh_suggestions(self) -> None:
        """Suggest again for the same segment (after accepting, rejecting or undo)."""
        self.show_segment(self.segment_id, again=True)

    def nth(self, n: int) -> ShownSuggestion | None:
        """The n-th suggestion shown (1-based), if there is one."""
        return self.suggestions[n - 1] if 0 < n <= len(self.suggestions) else None

    def ask_digit(self) -> None:
        """Wait for a digit that picks the suggestion to accept."""
        self.awaiting_digit = True
        self._render_lines()

    @work(thread=True, exclusive=True, group="suggestions")
    def _compute(self, segment_id: int) -> None:
        from kodebok.errors import KodebokError
        from kodebok.services import nlp
        from kodebok.services.project import open_project

        found: list[ShownSuggestion] = []
        try:
            # a sqlite3 connection must not cross threads: this worker opens its own
            with open_project(self.project_path, daily_backup=False) as project:
                for row in nlp.suggest(project, segment_id=segment_id, top=SHOWN):
                    found = [
                        ShownSuggestion(s["code"], s["score"], s["source"], tuple(s["why"]))
                        for s in row["suggestions"]
                    ]
        except KodebokError:
            found = []
        self.post_message(self.Loaded(segment_id, found))

    def on_suggestion_panel_loaded(self, message: Loaded) -> None:
        """Show what the worker found, unless the cursor has moved on meanwhile."""
        if message.segment_id != self.segment_id:
            return
        self.loading = False
        self.suggestions = message.suggestions
        self._loaded = message.segment_id
        self._render_lines()

    def _render_lines(self) -> None:
        from kodebok.i18n import current_language

        english = current_language() == "en"
        text = Text()
        text.append("Suggestions" if english else "Forslag", style="bold")
        if self.awaiting_digit:
            text.append("  1–5?" if english else "  velg 1–5", style="reverse")
        text.append("\n")
        if self.loading:
            text.append("…" if english else "… beregner", style="dim")
        elif not self.suggestions:
            text.append("none" if english else "ingen forslag", style="dim")
        for i, s in enumerate(self.suggestions, start=1):
            text.append(f"{i} ", style="bold")
            text.append(f"{s.code} ")
            text.append(f"{s.score:.2f}\n", style="dim")
            if s.why:
                text.append("   " + ", ".join(s.why[:3]) + "\n", style="italic dim")
        text.append("a godta  s+n velg  r avvis" if not english else "a accept  s+n pick  r reject")
        self.update(text)
