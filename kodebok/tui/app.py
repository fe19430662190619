"""The Textual app: opening the project (retrying while locked), writes, undo, navigation."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from kodebok.errors import KodebokError, ProjectLocked, is_locked_error
from kodebok.i18n import journal_text, render, resolve_language, set_language, t
from kodebok.services.project import Project, open_project
from kodebok.tui.commands import KodebokCommands
from kodebok.tui.keys import translate_bindings
from kodebok.tui.session import Session

if TYPE_CHECKING:
    from kodebok.tui.host import AppHost

T = TypeVar("T")

LOCK_RETRIES = 20
LOCK_RETRY_SECONDS = 1.0
# A key waits at most this long for the one before it to be handled (see KodebokApp.on_event).
KEY_WAIT_SECONDS = 1.0


class RetryKeys(Message):
    """Keys are waiting for the one in flight to be handled: look again."""


def _busy(node: MessagePump) -> bool:
    """Whether a widget or screen still has messages to handle (or is handling one)."""
    queue: Any = node._message_queue
    return bool(getattr(queue, "_unfinished_tasks", queue.qsize()))


class KodebokApp(App[None]):
    """The coding workspace on one project file."""

    CSS_PATH = "app.tcss"
    TITLE = "kodebok"
    COMMANDS = App.COMMANDS | {KodebokCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "key.help"),
        Binding("u", "undo", "key.undo"),
        Binding("ctrl+r", "redo", "key.redo"),
        # Textual's own palette binding, with a description that can be translated
        Binding("ctrl+p", "command_palette", "key.palette_short", show=False, priority=True),
    ]

    def __init__(
        self,
        project_path: Path,
        *,
        coder: str,
        language: str | None = None,
        document: str | None = None,
    ) -> None:
        super().__init__()
        self.project_path = Path(project_path)
        self.coder = coder
        self.language_choice = language
        self.start_document = document
        self._session: Session | None = None
        # keys typed faster than they are handled: see on_event
        self._waiting_keys: deque[events.Key] = deque()
        self._key_in_flight: events.Key | None = None
        self._key_chain: list[MessagePump] = []
        self._key_since = 0.0
        self._key_retry = False

    @property
    def session(self) -> Session:
        """The open session (exists once the project is open)."""
        assert self._session is not None, "the project is not open yet"
        return self._session

    def compose(self) -> ComposeResult:
        """Only a message line until the project is open (then the library is pushed)."""
        yield Static("", id="startup-message")

    def on_mount(self) -> None:
        """Open the project, or keep retrying while another program holds its lock."""
        self._try_open()

    def _try_open(self) -> None:
        message = self.query_one("#startup-message", Static)
        # until the project is open (and can say its language), the explicit choice or nb
        set_language(resolve_language(self.language_choice))
        try:
            self._session = Session.open(self.project_path, self.coder)
        except ProjectLocked:
            message.update(t("app.open_locked", path=self.project_path))
            self._wait_for_unlock()
            return
        except (KodebokError, sqlite3.Error) as exc:
            shown = render(exc) if isinstance(exc, KodebokError) else str(exc)
            message.update(t("app.open_failed", error=shown) + "\n\nctrl+q")
            return
        set_language(
            resolve_language(self.language_choice, self.session.project.get_setting("language"))
        )
        translate_bindings(self)
        message.update("")
        from kodebok.tui.screens.library import LibraryScreen

        if self.start_document:
            from kodebok.services import lookup

            try:
                doc = lookup.document(self.session.project, self.start_document)
            except KodebokError as exc:
                self.notify(render(exc), severity="error")
            else:
                # The library is built when the researcher goes back to it (faster start).
                self.open_document(doc.id)
                return
        self.push_screen(LibraryScreen())

    @work(thread=True, exclusive=True, group="unlock")
    def _wait_for_unlock(self) -> None:
        """Poll the lock in a thread so the screen stays responsive, then open again."""
        from kodebok.services.project import wait_for_unlock

        worker = get_current_worker()
        while not worker.is_cancelled:
            if wait_for_unlock(self.project_path, LOCK_RETRY_SECONDS):
                self.call_from_thread(self._try_open)
                return

    def on_unmount(self) -> None:
        """Close the UI connection."""
        if self._session is not None:
            self._session.close()

    # -- keys, one at a time ---------------------------------------------------------------
    #
    # Textual hands a key to the widget focused when the app reads it; the binding it triggers
    # runs later, when the key has bubbled back up to the app. Keys typed while the app is busy
    # are read in one go, so "f" then "nordvik" went to the table before "f" focused the filter
    # ("i" opened the import dialog, Enter opened the first row). Here a key is handed on only
    # when the one before it has been handled, so each goes where the one before it left focus.

    async def on_event(self, event: events.Event) -> None:
        """Hand keys on one at a time; everything else as Textual does."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._waiting_keys.append(event)
            await self._route_keys()
            return
        await super().on_event(event)

    async def _route_keys(self) -> None:
        while self._waiting_keys:
            if not self._previous_key_done():
                if not self._key_retry:
                    self._key_retry = True
                    asyncio.get_running_loop().call_later(0.004, self.post_message, RetryKeys())
                return
            event = self._waiting_keys.popleft()
            target: MessagePump | None = self.focused or self.screen
            chain: list[MessagePump] = []
            while target is not None and target is not self:
                chain.append(target)
                target = target._parent
            self._key_in_flight, self._key_chain, self._key_since = event, chain, monotonic()
            await super().on_event(event)

    async def on_retry_keys(self, message: RetryKeys) -> None:
        """Look again whether the key in flight has been handled."""
        self._key_retry = False
        await self._route_keys()

    def _previous_key_done(self) -> bool:
        key = self._key_in_flight
        if key is None or not key.is_forwarded:  # none, or a priority binding took it
            return True
        if monotonic() - self._key_since > KEY_WAIT_SECONDS:
            return True
        if any(_busy(node) for node in self._key_chain):
            return False
        return key._stop_propagation  # a widget used it; else it is on its way to on_key

    def on_key(self, event: events.Key) -> None:
        """A key has bubbled up to the app (its binding has run): the next may go."""
        if event is self._key_in_flight:
            self._key_in_flight = None

    # -- writing ---------------------------------------------------------------------------

    def write(
        self,
        action: Callable[[Project], T],
        done: Callable[[T], Any] | None = None,
        *,
        attempt: int = 0,
    ) -> None:
        """Run a quick write on the UI connection; retry while the project is locked.

        Errors a researcher can act on become notifications, never tracebacks.
        """
        try:
            result = action(self.session.project)
        except ProjectLocked:
            self._locked(action, done, attempt)
            return
        except sqlite3.OperationalError as exc:
            if is_locked_error(exc):
                self._locked(action, done, attempt)
                return
            self.notify(str(exc), severity="error")
            return
        except KodebokError as exc:
            self.notify(render(exc), severity="error")
            return
        if attempt:
            self.notify(t("app.unlocked"))
        if done is not None:
            done(result)

    def _locked(
        self, action: Callable[[Project], T], done: Callable[[T], Any] | None, attempt: int
    ) -> None:
        if attempt >= LOCK_RETRIES:
            self.notify(t("app.locked_gave_up"), severity="error", timeout=8)
            return
        if attempt == 0:
            self.notify(t("app.locked"), severity="warning", timeout=4)
        self.set_timer(LOCK_RETRY_SECONDS, lambda: self.write(action, done, attempt=attempt + 1))

    def write_in_worker(
        self, action: Callable[[Project], T], done: Callable[[T], Any] | None = None
    ) -> None:
        """Run a write that may touch many rows (merge, delete) in a thread with its own connection.

        ``done`` runs on the UI thread with the result; the UI connection sees the change at
        its next read (WAL), so the screen reloads from there.
        """
        self._background_write(action, done)

    @work(thread=True, group="writes")
    def _background_write(
        self, action: Callable[[Project], T], done: Callable[[T], Any] | None
    ) -> None:
        try:
            with open_project(self.project_path, daily_backup=False) as project:
                result = action(project)
        except KodebokError as exc:
            self.call_from_thread(self.notify, render(exc), severity="error", timeout=8)
            return
        except sqlite3.Error as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
            return
        if done is not None:
            self.call_from_thread(done, result)

    # -- undo ------------------------------------------------------------------------------

    def action_undo(self) -> None:
        """Undo this coder's last change."""
        self.write(lambda p: p.undo(self.coder), lambda entry: self._after_journal(entry, True))

    def action_redo(self) -> None:
        """Redo what this coder undid last."""
        self.write(lambda p: p.redo(self.coder), lambda entry: self._after_journal(entry, False))

    def _after_journal(self, entry: Any, undo: bool) -> None:
        if entry is None:
            self.notify(t("app.nothing_undo" if undo else "app.nothing_redo"))
            return
        self.session.changed()
        reload = getattr(self.screen, "reload", None)
        if callable(reload):
            reload()
            mark = getattr(self.screen, "mark_seen", None)
            if callable(mark):
                mark()
        self.notify(t("app.undone" if undo else "app.redone", what=journal_text(entry)))

    # -- navigation ------------------------------------------------------------------------

    def open_document(
        self, document_id: int, segment_id: int | None = None, *, over: bool = False
    ) -> None:
        """Show a document on the coding screen (above the library).

        With ``over`` (a hit chosen on the search screen) the coding screen opens above the
        current screen, and Esc there comes back to it.
        """
        from kodebok.tui.screens.coding import CodingScreen
        from kodebok.tui.screens.library import LibraryScreen

        if over:
            coding = CodingScreen(document_id, segment_id)
            coding.return_on_back = True
            self.push_screen(coding)
            return
        for screen in self.screen_stack:
            if isinstance(screen, CodingScreen) and screen.document_id == document_id:
                coding = screen
                while self.screen is not coding:
                    self.pop_screen()
                if segment_id is not None:
                    coding.go_to_segment(segment_id)
                return
        while len(self.screen_stack) > 1 and not isinstance(self.screen, LibraryScreen):
            self.pop_screen()
        self.push_screen(CodingScreen(document_id, segment_id))

    def action_command_palette(self) -> None:
        """The command palette, with its placeholder in the UI language."""
        if self.use_command_palette and not CommandPalette.is_open(cast(App[object], self)):
            self.push_screen(
                CommandPalette(placeholder=t("palette.placeholder"), id="--command-palette")
            )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's own commands (theme, quit, screenshot) in the UI language."""
        yield SystemCommand(t("palette.theme"), t("palette.theme_help"), self.action_change_theme)
        yield SystemCommand(t("palette.quit"), t("palette.quit_help"), self.action_quit)
        yield SystemCommand(
            t("palette.screenshot"),
            t("palette.screenshot_help"),
            lambda: self.set_timer(0.1, self.deliver_screenshot),
        )

    def action_help(self) -> None:
        """Show the keys of the current screen."""
        from kodebok.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_screen(self, name: str) -> None:
        """Open the codebook, cases or search screen (from the command palette)."""
        from kodebok.tui.screens.cases import CasesScreen
        from kodebok.tui.screens.codebook import CodebookScreen
        from kodebok.tui.screens.search import SearchScreen

        screens = {"codebook": CodebookScreen, "cases": CasesScreen, "search": SearchScreen}
        from kodebok.tui.screens.agreement import AgreementScreen
        from kodebok.tui.screens.matrix import MatrixScreen
        from kodebok.tui.screens.presence import PresenceScreen
        from kodebok.tui.screens.privacy import PrivacyScreen
        from kodebok.tui.screens.qca import QcaScreen

        screens.update(
            matrix=MatrixScreen, presence=PresenceScreen, qca=QcaScreen, agreement=AgreementScreen
        )
        screens["privacy"] = PrivacyScreen
        if name == "library":
            from kodebok.tui.screens.library import LibraryScreen

            while len(self.screen_stack) > 1 and not isinstance(self.screen, LibraryScreen):
                self.pop_screen()
            if not isinstance(self.screen, LibraryScreen):
                self.push_screen(LibraryScreen())
            return
        if name in screens and not isinstance(self.screen, screens[name]):
            self.push_screen(screens[name]())

    def switch_analysis(self, name: str) -> None:
        """From one analysis screen to another without piling them up."""
        from kodebok.tui.screens.base import AnalysisScreen

        if isinstance(self.screen, AnalysisScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        self.action_screen(name)

    def action_language(self, language: str) -> None:
        """Choose the UI language for this project (screens opened from now on use it)."""
        self.write(lambda p: p.set_setting("language", language))
        set_language(language)
        self.notify(t("app.language", lang=language))


def make_app(
    project_path: Path,
    *,
    coder: str,
    language: str | None = None,
    document: str | None = None,
) -> KodebokApp:
    """The app used by ``kodebok open`` and the tests; ``document`` opens it on the coding screen."""
    return KodebokApp(project_path, coder=coder, language=language, document=document)


if TYPE_CHECKING:  # mypy checks that the app keeps the protocol screens are typed against

    def _keeps_host_protocol(app: KodebokApp) -> AppHost:
        return app
