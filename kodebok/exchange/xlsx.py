"""Excel workbooks: frozen header, fitted column widths, a colour scale on matrices (format only)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kodebok.exchange.tables import Table, heat_colour, heat_range


def xlsx_table(table: Table, sheet: str = "kodebok") -> bytes:
    """The table as .xlsx bytes.

    Numeric matrices get a conditional colour scale (Excel recolours when values are edited);
    text cells such as "12 (40.0 %)" get fixed fills computed from ``table.heat``.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(table.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        ws.append(list(row))
    ws.freeze_panes = "B2"
    for j, header in enumerate(table.headers, start=1):
        texts = [str(header)] + ["" if r[j - 1] is None else str(r[j - 1]) for r in table.rows]
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, *map(len, texts)) + 2)
    heat = table.heat or ()
    if heat and len(table.headers) > 1:
        numeric = all(
            isinstance(v, int | float) or v is None
            for row in table.rows[: len(heat)]
            for v in row[1:]
        )
        if numeric:
            area = f"B2:{get_column_letter(len(table.headers))}{len(heat) + 1}"
            ws.conditional_formatting.add(
                area,
                ColorScaleRule(
                    start_type="min", start_color="FFFFFF", end_type="max", end_color="F08C3C"
                ),
            )
        else:
            bounds = heat_range(table)
            for i, values in enumerate(heat):
                for j, value in enumerate(values):
                    colour = heat_colour(value, bounds)
                    if colour:
                        ws.cell(row=i + 2, column=j + 2).fill = PatternFill(
                            "solid", start_color=colour, end_color=colour
                        )
    for note in table.notes:
        ws.append([])
        ws.append([note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
