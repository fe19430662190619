"""The quotes behind one matrix cell: a list with attribution; Enter returns the chosen quote."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from kodebok.analysis.quotes import Quote
from kodebok.i18n import t
from kodebok.tui.dialogs.placement import EyeDialog
from kodebok.tui.keys import translate_bindings

MAX_CHARS = 400


def quote_prompt(quote: Quote, attribution: str) -> Text:
    """The passage (cut at a readable length) and, on its own line, who said it where."""
    text = quote.text if len(quote.text) <= MAX_CHARS else quote.text[: MAX_CHARS - 1] + "…"
    prompt = Text(text)
    prompt.append(f"\n{attribution} · {quote.document}", style="dim italic")
    return prompt


class QuotesDialog(EyeDialog[Quote | None]):
    """The quotes of a cell; Enter opens the highlighted one on the coding screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back")]

    def __init__(self, title: str, quotes: list[tuple[Quote, str]]) -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.quotes = quotes

    def compose(self) -> ComposeResult:
        """Title, the quotes, how to use the list."""
        with Vertical(id="quotes", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.quotes:
                yield OptionList(
                    *[
                        Option(quote_prompt(q, attribution), id=str(i))
                        for i, (q, attribution) in enumerate(self.quotes)
                    ],
                    id="quote-options",
                )
                yield Label(t("quotes.help"), classes="dialog-help")
            else:
                yield Label(t("quotes.none"), id="quote-empty")

    def on_mount(self) -> None:
        """Focus the list."""
        for options in self.query(OptionList):
            options.focus()
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.quotes[int(event.option.id or 0)][0])

    def action_cancel(self) -> None:
        """Close without opening a quote."""
        self.dismiss(None)
