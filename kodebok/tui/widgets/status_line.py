"""One line at the bottom of the coding screen: document, segment n/N, coder, language."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from kodebok.i18n import current_language, t


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
    ) -> None:
        """Update the line."""
        parts = [
            document,
            t("status.segment", n=index + 1 if total else 0, total=total),
            t("status.coder", coder=coder),
            t("status.language", lang=current_language()),
        ]
        if others_hidden:
            parts.append(t("status.others_hidden"))
        if selecting:
            parts.append(t("status.span"))
        self.update(Text(" · ".join(parts)), layout=False)
