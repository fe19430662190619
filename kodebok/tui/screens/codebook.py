"""The codebook editor: create, rename, move (cut/paste), merge, delete and edit codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label, Static, Tree

from kodebok.i18n import t
from kodebok.models import Code
from kodebok.services import codes as code_service
from kodebok.services.project import Project
from kodebok.services.workspace import code_keywords, keywords_text
from kodebok.tui.dialogs.picker import CodePicker, PickedCode
from kodebok.tui.dialogs.simple import ConfirmDialog, TextInputDialog
from kodebok.tui.screens.base import KodebokScreen
from kodebok.tui.widgets.code_tree import CodeTree


class CodebookScreen(KodebokScreen):
    """Reorganise the codebook while coding; every change is journaled (u undoes)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "key.back"),
        Binding("n", "new(False)", "key.new"),
        Binding("N", "new(True)", "key.new_top"),
        Binding("r,f2", "rename", "key.rename"),
        Binding("x", "cut", "key.cut"),
        Binding("p", "paste(False)", "key.paste"),
        Binding("P", "paste(True)", show=False),
        Binding("M", "merge", "key.merge"),
        Binding("d,delete", "delete", "key.delete"),
        Binding("e", "describe", "key.describe"),
        Binding("k", "keywords", "key.keywords", show=False),
        Binding("C", "colour", "key.colour", show=False),
        Binding("s", "shortcut", "key.shortcut", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cut_code: int | None = None

    def compose(self) -> ComposeResult:
        """Tree on the left, details of the highlighted code on the right."""
        yield Label(t("codebook.title"), classes="screen-title")
        with Horizontal(id="codebook-body"):
            yield CodeTree(id="codebook-tree")
            with Vertical(id="codebook-side"):
                yield Static("", id="code-details")
        yield Footer()

    def on_mount(self) -> None:
        """Show the tree."""
        self.reload()
        self.mark_seen()
        self.query_one(CodeTree).focus()

    def reload(self, keep: int | None = None) -> None:
        """Re-read the codes with counts."""
        self.session.reload_codes()
        tree = self.query_one(CodeTree)
        tree.show(self.session.tree(), self.session.colors(), keep=keep)
        self._details()

    @property
    def code(self) -> Code | None:
        """The code under the cursor."""
        code_id = self.query_one(CodeTree).selected_code
        return self.session.by_id.get(code_id) if code_id is not None else None

    @on(Tree.NodeHighlighted)
    def _highlighted(self) -> None:
        self._details()

    def _details(self) -> None:
        details = self.query_one("#code-details", Static)
        code = self.code
        if code is None:
            details.update(t("codebook.empty") if not self.session.codes else "")
            return
        counts = next((c for c in self.session.tree() if c.code.id == code.id), None)
        text = Text()
        text.append(code.path + "\n\n", style=f"bold {self.session.color(code.id)}")
        text.append(
            t(
                "codebook.details",
                description=code.description or "–",
                keywords=keywords_text(code.keywords) or "–",
                color=code.color or "–",
                shortcut=code.shortcut or "–",
                codings=counts.codings if counts else 0,
                total=counts.total_codings if counts else 0,
                documents=counts.documents if counts else 0,
            )
        )
        details.update(text)

    def _change(self, action: Callable[[Project], Any], keep: int | None = None) -> None:
        def done(result: Any) -> None:
            self.session.changed()
            self.reload(keep=keep if keep is not None else self._code_id(result))
            self.mark_seen()

        self.kapp.write(action, done)

    @staticmethod
    def _code_id(result: Any) -> int | None:
        return result.id if isinstance(result, Code) else None

    def _need_code(self) -> Code | None:
        code = self.code
        if code is None:
            self.notify(t("codebook.no_code"), severity="warning")
        return code

    def _ask(self, prompt: str, value: str, then: Callable[[str], None]) -> None:
        self.app.push_screen(
            TextInputDialog(prompt, value), lambda v: then(v.strip()) if v is not None else None
        )

    # -- actions ---------------------------------------------------------------------------

    def action_new(self, top: bool) -> None:
        """A new code under the highlighted one (or at the top level)."""
        parent = None if top else self.code
        prompt = (
            t("codebook.new_prompt", parent=parent.path) if parent else t("codebook.new_top_prompt")
        )
        coder = self.session.coder

        def create(name: str) -> None:
            if name:
                path = f"{parent.path}/{name}" if parent else name
                self._change(lambda p: code_service.create_code(p, path, coder=coder))

        self._ask(prompt, "", create)

    def action_rename(self) -> None:
        """Rename the highlighted code."""
        code = self._need_code()
        if code is None:
            return
        coder = self.session.coder
        self._ask(
            t("codebook.rename_prompt", code=code.path),
            code.name,
            lambda name: (
                self._change(lambda p: code_service.rename_code(p, code.path, name, coder=coder))
                if name and name != code.name
                else None
            ),
        )

    def _edit(self, prompt_key: str, value: str, field: str, convert: Callable[[str], Any]) -> None:
        code = self._need_code()
        if code is None:
            return
        coder = self.session.coder
        self._ask(
            t(prompt_key, code=code.path),
            value,
            lambda v: self._change(
                lambda p: code_service.update_code(p, code.path, coder=coder, **{field: convert(v)})
            ),
        )

    def action_describe(self) -> None:
        """Edit the description."""
        code = self.code
        self._edit("codebook.describe_prompt", code.description if code else "", "description", str)

    def action_keywords(self) -> None:
        """Edit the keywords (comma separated)."""
        code = self.code
        self._edit(
            "codebook.keywords_prompt",
            keywords_text(code.keywords) if code else "",
            "keywords",
            code_keywords,
        )

    def action_colour(self) -> None:
        """Edit the colour (#rrggbb)."""
        code = self.code
        self._edit("codebook.colour_prompt", (code.color or "") if code else "", "color", str)

    def action_shortcut(self) -> None:
        """Edit the shortcut key (a digit takes it from any other code)."""
        code = self.code
        self._edit(
            "codebook.shortcut_prompt", (code.shortcut or "") if code else "", "shortcut", str
        )

    def action_cut(self) -> None:
        """Remember the highlighted code for pasting elsewhere."""
        code = self._need_code()
        if code is not None:
            self.cut_code = code.id
            self.notify(t("codebook.cut", code=code.path))

    def action_paste(self, top: bool) -> None:
        """Move the cut code under the highlighted one (or to the top level)."""
        moving = self.session.by_id.get(self.cut_code) if self.cut_code is not None else None
        if moving is None:
            self.notify(t("codebook.nothing_cut"), severity="warning")
            return
        parent = None if top else self.code
        coder = self.session.coder
        self.cut_code = None
        self._change(
            lambda p: code_service.move_code(
                p, moving.path, parent.path if parent else None, coder=coder
            ),
            keep=moving.id,
        )

    def action_merge(self) -> None:
        """Merge the highlighted code into another one (chosen with the picker), after asking."""
        src = self._need_code()
        if src is None:
            return
        others = [c for c in self.session.codes if c.id != src.id]
        coder = self.session.coder

        def picked(choice: PickedCode | None) -> None:
            if choice is None or choice.code_id is None:
                return
            dst = self.session.by_id[choice.code_id]

            def confirmed(yes: bool | None) -> None:
                if yes:

                    def merged(n: int) -> None:
                        self.session.changed()
                        self.reload(keep=dst.id)
                        self.mark_seen()
                        self.notify(t("codebook.merged", n=n))

                    self.kapp.write_in_worker(
                        lambda p: code_service.merge_codes(p, src.path, dst.path, coder=coder),
                        merged,
                    )

            self.app.push_screen(
                ConfirmDialog(t("codebook.merge_confirm", src=src.path, dst=dst.path)), confirmed
            )

        self.app.push_screen(
            CodePicker(
                others,
                self.session.recent,
                self.session.colors(),
                title=t("codebook.merge_title", code=src.path),
                allow_create=False,
            ),
            picked,
        )

    def action_delete(self) -> None:
        """Delete the highlighted code (and children) after saying how many codings go."""
        code = self._need_code()
        if code is None:
            return
        _, n = code_service.count_codings_under(self.session.project, code.path)
        coder = self.session.coder

        def confirmed(yes: bool | None) -> None:
            if yes:

                def deleted(removed: int) -> None:
                    self.session.changed()
                    self.reload()
                    self.mark_seen()
                    self.notify(t("codebook.deleted", code=code.path, n=removed))

                self.kapp.write_in_worker(
                    lambda p: code_service.delete_code(p, code.path, coder=coder), deleted
                )

        self.app.push_screen(
            ConfirmDialog(t("codebook.delete_confirm", code=code.path, n=n)), confirmed
        )
