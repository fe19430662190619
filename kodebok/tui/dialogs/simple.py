"""Small dialogs: confirm (yes/no), one line of text input, and the memo editor."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, TextArea

from kodebok.i18n import t
from kodebok.tui.dialogs.placement import EyeDialog
from kodebok.tui.keys import translate_bindings


class ConfirmDialog(EyeDialog[bool]):
    """A question answered with y/Enter (yes) or n/Escape (no)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,j", "answer(True)", "key.yes"),
        Binding("n,escape", "answer(False)", "key.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        translate_bindings(self)
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(id="confirm", classes="dialog"):
            yield Label(self.question, id="confirm-question")
            with Horizontal(classes="buttons"):
                yield Button(t("confirm.yes") + " (y)", variant="primary", id="yes")
                yield Button(t("confirm.no") + " (n)", id="no")

    def on_mount(self) -> None:
        """Enter on the focused Yes button confirms."""
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """Answer by key."""
        self.dismiss(yes)


class TextInputDialog(EyeDialog[str | None]):
    """One line of text; Enter returns it, Escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, prompt: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self.prompt = prompt
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        """The prompt and the field."""
        with Vertical(id="text-input", classes="dialog"):
            yield Label(self.prompt, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="text-input-field")

    def on_mount(self) -> None:
        """Focus the field."""
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Close without an answer."""
        self.dismiss(None)


class MemoDialog(EyeDialog[str | None]):
    """A multi-line memo; ctrl+s saves, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save", priority=True),
        Binding("escape", "cancel", "key.cancel"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        """Title, editor and help line."""
        with Vertical(id="memo", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.text, id="memo-text", soft_wrap=True, show_line_numbers=False)
            yield Label(t("memo.help"), classes="dialog-help")

    def on_mount(self) -> None:
        """Focus the editor at the end of the text."""
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        """Return the text."""
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
