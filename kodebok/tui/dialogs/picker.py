"""The fuzzy code picker (rapidfuzz over paths, descriptions, keywords) and a plain choice list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from kodebok.i18n import t
from kodebok.models import Code
from kodebok.tui.dialogs.placement import EyeDialog
from kodebok.tui.keys import translate_bindings

MAX_SHOWN = 40
CREATE_ID = "__create__"
STRONG_MATCH = 80.0
STRONG_MATCH = 80.0


@dataclass(frozen=True)
class PickedCode:
    """The picker's answer: an existing code, or the path of a code to create."""

    code_id: int | None = None
    new_path: str | None = None


def rank_codes(query: str, codes: list[Code], recent: list[int]) -> list[tuple[Code, float]]:
    """Codes best matching ``query`` with their scores (0–100+); recent first for no query.

    Paths and names weigh most, keywords a little less, descriptions least; a recently used
    code wins a tie, so the code the researcher just used is one keystroke away.
    """
    from rapidfuzz import fuzz, utils

    recent_rank = {code_id: i for i, code_id in enumerate(recent)}
    if not query.strip():
        ordered = sorted(codes, key=lambda c: recent_rank.get(c.id, len(recent)))
        return [(c, 100.0) for c in ordered]
    needle = utils.default_process(query)
    scored: list[tuple[float, int, Code]] = []
    for order, code in enumerate(codes):
        name = utils.default_process(code.name)
        path = utils.default_process(code.path)
        # Typing the start of a name or a path is the commonest way to pick: reward it.
        score = max(
            fuzz.WRatio(needle, path) + (15 if path.startswith(needle) else 0),
            fuzz.WRatio(needle, name) + (15 if name.startswith(needle) else 0),
        )
        if code.keywords:
            keywords = utils.default_process(" ".join(code.keywords))
            score = max(score, 0.9 * fuzz.partial_ratio(needle, keywords))
        if code.description:
            description = utils.default_process(code.description)
            score = max(score, 0.7 * fuzz.partial_ratio(needle, description))
        if code.id in recent_rank:
            score += 3 - min(3, recent_rank[code.id] * 0.3)
        if score >= 50:
            scored.append((-score, order, code))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [(code, -neg) for neg, _, code in scored]


class CodePicker(EyeDialog[PickedCode | None]):
    """Type to filter codes; Enter picks; a name that does not exist can be created."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.back"),
        Binding("down", "move(1)", show=False, priority=True),
        Binding("up", "move(-1)", show=False, priority=True),
        Binding("pagedown", "move(10)", show=False, priority=True),
        Binding("pageup", "move(-10)", show=False, priority=True),
    ]

    def __init__(
        self,
        codes: list[Code],
        recent: list[int],
        colors: dict[int, str],
        *,
        title: str | None = None,
        allow_create: bool = True,
    ) -> None:
        super().__init__()
        translate_bindings(self)
        self.codes = codes
        self.recent = recent
        self.code_colors = colors
        self.title_text = title or t("picker.title")
        self.allow_create = allow_create

    def compose(self) -> ComposeResult:
        """A title, the search field and the ranked codes."""
        with Vertical(id="picker", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=t("picker.placeholder"), id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        """Show every code, recent ones first."""
        self._fill("")
        self.query_one(Input).focus()

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        ranked = rank_codes(query, self.codes, self.recent)[:MAX_SHOWN]
        items: list[Option] = []
        for code, _score in ranked:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append("■ ", style=self.code_colors.get(code.id, "#888888"))
            prompt.append(code.path)
            if code.shortcut:
                prompt.append(f" [{code.shortcut}]", style="bold")
            if code.description:
                prompt.append("  " + code.description[:60], style="dim")
            items.append(Option(prompt, id=str(code.id)))
        wanted = query.strip().strip("/")
        exact = any(wanted.casefold() in (c.path.casefold(), c.name.casefold()) for c in self.codes)
        if self.allow_create and wanted and not exact:
            create = Option(Text(t("picker.create", name=wanted), style="italic"), id=CREATE_ID)
            # A weak best match means the researcher is naming a new code: offer that first.
            strong = bool(ranked) and ranked[0][1] >= STRONG_MATCH
            items.insert(len(items) if strong else 0, create)
        options.add_options(items)
        if items:
            options.highlighted = 0

    def action_move(self, delta: int) -> None:
        """Move the highlight in the list while typing."""
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = max(0, min(options.option_count - 1, current + delta))

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-options")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == CREATE_ID:
            self.dismiss(PickedCode(new_path=self.query_one(Input).value.strip().strip("/")))
        elif option_id is not None:
            self.dismiss(PickedCode(code_id=int(option_id)))

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)


class ChoiceDialog(EyeDialog[str | None]):
    """Choose one of a few labelled items (e.g. which code to remove, which case)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.back")]

    def __init__(self, title: str, choices: list[tuple[str, Text | str]]) -> None:
        super().__init__()
        translate_bindings(self)
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        """A title and the list."""
        with Vertical(id="choice", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(
                *[Option(label, id=key) for key, label in self.choices], id="choice-options"
            )

    def on_mount(self) -> None:
        """Focus the list."""
        options = self.query_one(OptionList)
        options.focus()
        if self.choices:
            options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
