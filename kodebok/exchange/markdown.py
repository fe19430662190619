"""Markdown tables and quote banks, for theses and reports (format only)."""

from __future__ import annotations

from collections.abc import Sequence

from kodebok.analysis.quotes import QuoteSection
from kodebok.exchange.tables import Cell, Table, format_number


def _cell(value: Cell, decimal: str) -> str:
    text = format_number(value, decimal) if not isinstance(value, str) else value
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table, decimal: str = ".") -> str:
    """A pipe table; numeric columns right-aligned; title as a heading, notes below."""
    out = [f"## {table.title}", ""] if table.title else []
    out.append("| " + " | ".join(_cell(h, decimal) for h in table.headers) + " |")
    out.append("|" + "|".join([":---", *("---:" for _ in table.headers[1:])]) + "|")
    for row in table.rows:
        out.append("| " + " | ".join(_cell(v, decimal) for v in row) + " |")
    if table.notes:
        out.append("")
        out.extend(note.replace("*", "\\*") + "  " for note in table.notes)
    return "\n".join(out) + "\n"


def markdown_quotes(sections: Sequence[QuoteSection], title: str = "Sitater") -> str:
    """Headings per code (and group), each quote a block quote followed by its attribution."""
    out = [f"# {title}", ""]
    current = None
    for section in sections:
        if section.code != current:
            out += [f"## {section.code}", ""]
            current = section.code
        if section.group:
            out += [f"### {section.group}", ""]
        for quote, attribution in section.quotes:
            lines = quote.text.splitlines() or [""]
            out += [f"> {line}".rstrip() for line in lines]
            if attribution:
                out.append(f"> — {attribution}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"
