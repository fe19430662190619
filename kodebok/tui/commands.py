"""The command palette (ctrl+p): every screen and action, every document, and every code."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from kodebok.i18n import t

if TYPE_CHECKING:
    from kodebok.tui.host import AppHost


class KodebokCommands(Provider):
    """Actions, documents and codes; choosing a code applies it on the coding screen."""

    def _entries(self) -> list[tuple[str, Callable[[], object], str]]:
        app = cast("AppHost", self.app)
        if app._session is None:
            return []
        entries: list[tuple[str, Callable[[], object], str]] = []
        for name, key in (
            ("library", "library.title"),
            ("codebook", "codebook.title"),
            ("cases", "cases.title"),
            ("search", "search.title"),
            ("matrix", "matrix.title"),
            ("presence", "presence.title"),
            ("qca", "qca.title"),
            ("agreement", "agreement.title"),
        ):
            entries.append((t("palette.screen", name=t(key)), partial(app.action_screen, name), ""))
        entries += [
            (t("palette.undo"), app.action_undo, "u"),
            (t("palette.redo"), app.action_redo, "ctrl+r"),
            (t("palette.help"), app.action_help, "?"),
            (t("palette.language", lang="norsk (nb)"), partial(app.action_language, "nb"), ""),
            (t("palette.language", lang="English (en)"), partial(app.action_language, "en"), ""),
        ]
        from kodebok.services.workspace import document_ids_by_name

        for name, doc_id in sorted(document_ids_by_name(app.session.project).items()):
            entries.append(
                (t("palette.open_document", name=name), partial(app.open_document, doc_id), "")
            )
        screen = self.screen
        seen: set[str] = set()
        for _key, binding in screen._bindings:
            # the screen's own keys, so every action is reachable by name as well
            if binding.description and binding.action not in seen and not binding.system:
                seen.add(binding.action)
                key = binding.key_display or binding.key
                entries.append(
                    (binding.description, partial(screen.run_action, binding.action), key)
                )
        apply = getattr(screen, "apply_code_by_palette", None)
        if callable(apply):
            for code in app.session.codes:
                entries.append((t("palette.code", code=code.path), partial(apply, code.id), ""))
        return entries

    async def discover(self) -> Hits:
        """Everything, for an empty palette."""
        for text, command, help_text in self._entries():
            yield DiscoveryHit(text, command, help=help_text or None)

    async def search(self, query: str) -> Hits:
        """Entries matching what was typed."""
        matcher = self.matcher(query)
        for text, command, help_text in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(text), command, text=text, help=help_text or None
                )
