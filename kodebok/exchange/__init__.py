"""Exchange: writers for tables and documents, and REFI-QDA in and out (formatting only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kodebok.analysis.quotes import QuoteSection
    from kodebok.exchange.tables import Table

TABLE_FORMATS = ("csv", "xlsx", "md", "html")
QUOTE_FORMATS = ("md", "docx", "html", "csv")


def render_table(table: Table, fmt: str, decimal: str = ".") -> str | bytes:
    """A table as csv, xlsx (bytes), md or html."""
    from kodebok.exchange.tables import csv_table

    if fmt == "csv":
        return csv_table(table, decimal)
    if fmt == "xlsx":
        from kodebok.exchange.xlsx import xlsx_table

        return xlsx_table(table)
    if fmt == "md":
        from kodebok.exchange.markdown import markdown_table

        return markdown_table(table, decimal)
    if fmt == "html":
        from kodebok.exchange.html import html_table

        return html_table(table, decimal)
    raise ValueError(f"unknown table format {fmt!r}")


def render_quotes(sections: Sequence[QuoteSection], fmt: str, decimal: str = ".") -> str | bytes:
    """A quote bank as md, docx (bytes), html or csv."""
    if fmt == "md":
        from kodebok.exchange.markdown import markdown_quotes

        return markdown_quotes(sections)
    if fmt == "docx":
        from kodebok.exchange.docx_out import docx_quotes

        return docx_quotes(sections)
    if fmt == "html":
        from kodebok.exchange.html import html_quotes

        return html_quotes(sections)
    if fmt == "csv":
        from kodebok.exchange.tables import Table, csv_table

        headers = ["code", "group", "case", "document", "speaker", "attribution", "text"]
        rows = [
            [s.code, s.group, q.case, q.document, q.speaker, attribution, q.text]
            for s in sections
            for q, attribution in s.quotes
        ]
        return csv_table(Table(headers, rows), decimal)
    raise ValueError(f"unknown quote format {fmt!r}")
