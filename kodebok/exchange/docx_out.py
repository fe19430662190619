"""Word documents for quote banks: headings per code and group, quotes as block quotes (format only)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document

from kodebok.analysis.quotes import QuoteSection


def docx_quotes(sections: Sequence[QuoteSection], title: str = "Sitater") -> bytes:
    """The quote bank as .docx bytes, in Word's own "Quote" style so a thesis template restyles it."""
    doc = Document()
    doc.add_heading(title, level=0)
    current = None
    for section in sections:
        if section.code != current:
            doc.add_heading(section.code, level=1)
            current = section.code
        if section.group:
            doc.add_heading(section.group, level=2)
        for quote, attribution in section.quotes:
            para = doc.add_paragraph(style="Quote")
            para.add_run(quote.text)
            if attribution:
                para.add_run(f" {attribution}").italic = False
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
