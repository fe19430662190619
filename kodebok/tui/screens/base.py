"""The base of every full screen: translated key descriptions and access to the session."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.binding import Binding, BindingType
from textual.screen import Screen

from kodebok.tui.keys import translate_bindings

if TYPE_CHECKING:
    from kodebok.tui.app import KodebokApp
    from kodebok.tui.session import Session


class KodebokScreen(Screen[None]):
    """A screen that reloads its data when the project changed while it was covered."""

    # First among the screen's keys, so a narrow footer (80 columns) cuts others, never this.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "app.help", "key.help")]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self._seen_generation = -1

    @property
    def kapp(self) -> KodebokApp:
        """The app, typed."""
        from kodebok.tui.app import KodebokApp

        return cast(KodebokApp, self.app)

    @property
    def session(self) -> Session:
        """The shared session (project connection, coder, codebook cache)."""
        return self.kapp.session

    def reload(self) -> None:
        """Re-read what this screen shows from the project."""

    def mark_seen(self) -> None:
        """Remember that this screen shows the project as it is now."""
        self._seen_generation = self.session.generation

    def on_screen_resume(self) -> None:
        """Reload when another screen (or an undo) changed the project meanwhile."""
        if self._seen_generation != self.session.generation:
            self.reload()
            self.mark_seen()
