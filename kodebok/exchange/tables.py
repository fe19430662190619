"""Tables to write: one model for matrices, co-occurrence and presence, and CSV text (format only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kodebok.analysis.cooccurrence import Cooccurrence
from kodebok.analysis.matrix import Matrix, heat_values, matrix_table
from kodebok.analysis.presence import PresenceTable
from kodebok.tabular import csv_text
from kodebok.tabular import format_number as format_number

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``heat`` holds the numbers behind body cells for colouring.

    ``heat[i][j]`` belongs to ``rows[i][j + 1]`` (the first column is the row label); rows past
    ``len(heat)`` (such as an N row) are not coloured.
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    title: str = ""
    heat: Sequence[Sequence[float | None]] | None = None
    notes: Sequence[str] = field(default_factory=tuple)


def csv_table(table: Table, decimal: str = ".") -> str:
    """CSV with a header row; ``decimal=','`` gives decimal commas and ';' for Norwegian Excel."""
    return csv_text(table.headers, table.rows, decimal=decimal)


def heat_range(table: Table) -> tuple[float, float] | None:
    """Smallest and largest coloured value, or None when there is nothing to colour."""
    numbers = [v for row in table.heat or () for v in row if v is not None]
    return (min(numbers), max(numbers)) if numbers else None


def heat_colour(value: float | None, bounds: tuple[float, float] | None) -> str | None:
    """A white-to-orange background (hex, no '#') for a value, or None for no colour."""
    if value is None or bounds is None:
        return None
    low, high = bounds
    t = 0.0 if high <= low else (value - low) / (high - low)
    # white (255,255,255) → orange (240,140,60): readable black text at both ends
    r, g, b = (round(255 + (end - 255) * t) for end in (240, 140, 60))
    return f"{r:02X}{g:02X}{b:02X}"


def matrix_to_table(matrix: Matrix, cells: str = "both", decimal: str = ".") -> Table:
    """A code × group matrix with its N row; heat follows what the cells show."""
    headers, rows = matrix_table(matrix, cells, decimal)
    title = f"{matrix.unit} × {matrix.grouping.label}"
    notes = [f"N = {matrix.unit} per group"]
    if matrix.percent != "none":
        notes.append(f"Percent of the {'row total' if matrix.percent == 'row' else 'group N'}")
    if matrix.rollup:
        notes.append("Subcodes are counted in their parent codes")
    return Table(headers, rows, title, heat_values(matrix, cells), tuple(notes))


def cooccurrence_to_table(table: Cooccurrence) -> Table:
    """A code × code table, coloured off the diagonal only (the diagonal would dominate)."""
    rows: list[list[Cell]] = [
        [code, *values] for code, values in zip(table.codes, table.counts, strict=True)
    ]
    heat = [
        [None if i == j else float(v) for j, v in enumerate(values)]
        for i, values in enumerate(table.counts)
    ]
    return Table(["code", *table.codes], rows, f"co-occurrence by {table.unit}", heat)


PRESENCE_MARKS = {1: "✓", 0: "–", None: "?"}


def presence_to_table(table: PresenceTable, marks: bool = False) -> Table:
    """Cases × codes; ``marks`` shows ✓ / – / ? and stars manual values (for md and html)."""
    rows: list[list[Cell]] = []
    for case, cells in zip(table.cases, table.cells, strict=True):
        row: list[Cell] = [case]
        for cell in cells:
            if marks:
                star = "*" if cell.source == "override" else ""
                row.append(PRESENCE_MARKS[cell.value] + star)
            else:
                row.append(cell.value)
        rows.append(row)
    notes = [f"Rule: {table.rule.describe()}"]
    if marks:
        notes.append("✓ present, – absent, ? not reported; * set by hand")
    heat = [[None if c.value is None else float(c.value) for c in cells] for cells in table.cells]
    return Table(["case", *table.codes], rows, "presence", heat, tuple(notes))
