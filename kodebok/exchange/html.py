"""Self-contained HTML pages (inline CSS, no scripts): heat tables and quote banks (format only)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from kodebok.analysis.quotes import QuoteSection
from kodebok.exchange.tables import Table, format_number, heat_colour, heat_range

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
th { background: #f0f0f0; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #888; }
blockquote { margin: 0.8em 0 0.8em 1em; padding-left: 1em; border-left: 3px solid #d0a060; }
cite { display: block; font-style: normal; color: #555; margin-top: 0.2em; }
.note { color: #555; font-style: italic; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="nb">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def html_table(table: Table, decimal: str = ".") -> str:
    """A page with the table; body cells coloured by ``table.heat`` (white → orange)."""
    bounds = heat_range(table)
    heat = table.heat or ()
    parts = [f"<h1>{escape(table.title)}</h1>"] if table.title else []
    parts.append("<table>\n<thead><tr>")
    parts += [f"<th>{escape(str(h))}</th>" for h in table.headers]
    parts.append("</tr></thead>\n<tbody>")
    for i, row in enumerate(table.rows):
        parts.append('<tr class="total">' if i >= len(heat) and heat else "<tr>")
        for j, value in enumerate(row):
            text = escape(value if isinstance(value, str) else format_number(value, decimal))
            if j == 0:
                parts.append(f'<th scope="row">{text}</th>')
                continue
            colour = heat_colour(heat[i][j - 1], bounds) if i < len(heat) else None
            style = f' style="background:#{colour}"' if colour else ""
            parts.append(f'<td class="num"{style}>{text}</td>')
        parts.append("</tr>")
    parts.append("</tbody>\n</table>")
    parts += [f'<p class="note">{escape(note)}</p>' for note in table.notes]
    return _page(table.title or "kodebok", "\n".join(parts))


def html_quotes(sections: Sequence[QuoteSection], title: str = "Sitater") -> str:
    """A page with headings per code and group and each quote as a block quote with <cite>."""
    parts = [f"<h1>{escape(title)}</h1>"]
    current = None
    for section in sections:
        if section.code != current:
            parts.append(f"<h2>{escape(section.code)}</h2>")
            current = section.code
        if section.group:
            parts.append(f"<h3>{escape(section.group)}</h3>")
        for quote, attribution in section.quotes:
            text = "<br>".join(escape(line) for line in quote.text.splitlines())
            cite = f"<cite>{escape(attribution)}</cite>" if attribution else ""
            parts.append(f"<blockquote><p>{text}</p>{cite}</blockquote>")
    return _page(title, "\n".join(parts))
