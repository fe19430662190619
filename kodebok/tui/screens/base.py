"""The base of every full screen: translated key descriptions and access to the session."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import events, on
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label

from kodebok.errors import KodebokError
from kodebok.i18n import render
from kodebok.services.project import Project, open_project
from kodebok.tui.keys import translate_bindings

T = TypeVar("T")


def shown_path(path: Path) -> str:
    """The project file's path as shown in titles: relative to the working folder when it is
    inside it (as the researcher typed it), else with the home folder as ``~``, else absolute."""
    full = path.expanduser().resolve()
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(full.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(full)


if TYPE_CHECKING:
    from kodebok.tui.host import AppHost
    from kodebok.tui.session import Session


def stored_object(raw: str | None) -> dict[str, Any]:
    """A screen's settings as stored (JSON): the object, or empty when missing or damaged."""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class KodebokScreen(Screen[None]):
    """A screen that reloads its data when the project changed while it was covered."""

    # First among the screen's keys, so a narrow footer (80 columns) cuts others, never this.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "app.help", "key.help")]

    def __init__(self) -> None:
        super().__init__()
        translate_bindings(self)
        self._seen_generation = -1

    @property
    def kapp(self) -> AppHost:
        """The app, typed (kodebok.tui.app.KodebokApp, seen through the protocol it keeps)."""
        return cast("AppHost", self.app)

    @property
    def session(self) -> Session:
        """The shared session (project connection, coder, codebook cache)."""
        return self.kapp.session

    @on(events.Mount)
    def _title_with_path(self) -> None:
        """Every screen title names the project file, so the researcher sees which one is open.

        The footer is compact, so that the keys of a screen fit on 80 columns.
        """
        for label in self.query(".screen-title").results(Label):
            label.update(f"{label.content}  ·  {shown_path(self.kapp.project_path)}")
        for footer in self.query(Footer):
            footer.compact = True
        self._narrow_footer()

    @on(events.Resize)
    def _narrow_footer(self) -> None:
        """Below 100 columns the screen's own keys need the room of the palette's ``^p``."""
        for footer in self.query(Footer):
            footer.show_command_palette = self.size.width >= 100

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


# The analysis screens and their keys (upper case: the lower-case letters are the screens' own).
ANALYSIS_SCREENS = {"M": "matrix", "P": "presence", "Q": "qca", "A": "agreement"}


def analysis_bindings() -> list[BindingType]:
    """M, P, Q and A open the matrix, presence, QCA and agreement screens (shown in the footer)."""
    return [
        Binding(key, f"analysis('{name}')", f"key.{name}") for key, name in ANALYSIS_SCREENS.items()
    ]


class AnalysisScreen(KodebokScreen):
    """A screen among matrix, presence, QCA and agreement: M, P, Q and A switch between them."""

    ANALYSIS_NAME: ClassVar[str] = ""
    # Esc goes back first among the screen's own keys; M, P, Q and A are moved after them
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "key.back"),
        *analysis_bindings(),
    ]

    def __init__(self) -> None:
        super().__init__()
        # the screen's own keys first in the footer, the keys to the other screens after them
        mapping = self._bindings.key_to_bindings
        for key in ANALYSIS_SCREENS:
            if key in mapping:
                mapping[key] = mapping.pop(key)
        self._saved = ""  # the settings as last read or saved (JSON)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """This screen's own key is neither shown nor active."""
        if action == "analysis":
            return parameters != (self.ANALYSIS_NAME,)
        return True

    def read_project(self, read: Callable[[Project], T]) -> tuple[T | None, str]:
        """``read`` on a connection of its own (from a worker thread): its result and no error,
        or None and why not (a KodebokError as the user reads it, a damaged or vanished file's
        SQLite error), so that the screen says so and keeps running."""
        try:
            with open_project(self.kapp.project_path, daily_backup=False) as project:
                return read(project), ""
        except KodebokError as exc:
            return None, render(exc)
        except sqlite3.Error as exc:
            return None, str(exc)

    def save_settings(self, key: str, value: str) -> None:
        """Keep the screen's settings (JSON) in the project under ``key`` when they changed
        since last read or saved (not journaled: undo is for the data)."""
        if value != self._saved:
            self._saved = value
            self.kapp.write(lambda p: p.set_setting(key, value))

    def action_analysis(self, name: str) -> None:
        """Replace this analysis screen by another (Esc still goes back to where it came from)."""
        self.kapp.switch_analysis(name)
