"""The help screen (``?``): every key of the screen below it, read from its bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from kodebok.i18n import t
from kodebok.tui.keys import translate_bindings

# Readable names for key identifiers that Textual spells out.
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "escape": "Esc",
    "enter": "Enter",
    "delete": "Del",
}


# Textual's own bindings (focus cycling, copy) are explained once below, not per screen.
TEXTUAL_ACTIONS = {"focus_next", "focus_previous", "copy", "copy_text", "help_quit"}
OWN_WORDS = {"quit": "key.quit", "command_palette": "key.palette"}


def key_label(keys: str) -> str:
    """``j,down`` as ``j / down`` with readable key names."""
    return " / ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """A table of keys and what they do on the screen the researcher came from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "app.pop_screen", "key.back"),
    ]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        translate_bindings(self)
        self.below = below

    def compose(self) -> ComposeResult:
        """Title, table, how to close."""
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        groups: dict[str, list[str]] = {}
        for binding in [*self._bindings_of(self.app), *self._bindings_of(self.below)]:
            action = binding.action.rsplit(".", 1)[-1]
            if not binding.description or binding.system or action in TEXTUAL_ACTIONS:
                continue
            description = (
                t(OWN_WORDS[action])
                if action in OWN_WORDS
                else binding.tooltip or binding.description  # a footer word may be short
            )
            groups.setdefault(description, []).append(binding.key_display or binding.key)
        for description, keys in groups.items():
            table.add_row(key_label(",".join(dict.fromkeys(keys))), description)
        extra = getattr(self.below, "extra_help", None)
        if callable(extra):
            for key, description in extra():
                table.add_row(key, description)
        with VerticalScroll(id="help", classes="dialog"):
            yield Label(t("help.title"), classes="dialog-title")
            yield Static(table)
            yield Label(t("help.close"), classes="dialog-help")

    @staticmethod
    def _bindings_of(node: object) -> list[Binding]:
        bindings = getattr(node, "_bindings", None)
        if bindings is None:
            return []
        return [b for _key, b in bindings]
