"""One line at the bottom of the coding screen: document, segment n/N, coder, language, project."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from kodebok.i18n import language_name, t


class StatusLine(Static):
    """Shows where the researcher is and who is coding."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    def show(
        self,
        document: str,
        index: int,
        total: int,
        coder: str,
        *,
        others_hidden: bool = False,
        selecting: bool = False,
        language: str | None = None,
        project: str | None = None,
    ) -> None:
        """Update the line; ``language`` is the document's (nb, nn, ...), not the UI's."""
        parts = [
            document,
            t("status.segment", n=index + 1 if total else 0, total=total),
            t("status.coder", coder=coder),
        ]
        if language:
            parts.append(t("status.language", lang=language_name(language)))
        if others_hidden:
            parts.append(t("status.others_hidden"))
        if selecting:
            parts.append(t("status.span"))
        if project:
            parts.append(project)
        self.update(Text(" · ".join(parts)), layout=False)
