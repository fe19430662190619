"""What screens and the command palette ask of the app, as a protocol.

:class:`kodebok.tui.app.KodebokApp` implements it. Screens and the palette are typed against
this protocol instead of importing the app module, which imports them: no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kodebok.services.project import Project
from kodebok.tui.session import Session

T = TypeVar("T")


class AppHost(Protocol):
    """The app's attributes and actions that screens and the palette use."""

    project_path: Path
    coder: str
    _session: Session | None

    @property
    def session(self) -> Session: ...

    def write(
        self,
        action: Callable[[Project], T],
        done: Callable[[T], Any] | None = None,
        *,
        attempt: int = 0,
    ) -> None: ...

    def write_in_worker(
        self, action: Callable[[Project], T], done: Callable[[T], Any] | None = None
    ) -> None: ...

    def open_document(
        self, document_id: int, segment_id: int | None = None, *, over: bool = False
    ) -> None: ...

    def switch_analysis(self, name: str) -> None: ...

    def action_screen(self, name: str) -> None: ...

    def action_help(self) -> None: ...

    def action_undo(self) -> None: ...

    def action_redo(self) -> None: ...

    def action_language(self, language: str) -> None: ...
