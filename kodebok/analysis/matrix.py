"""Code × group matrices: counts per unit, percentages, "n (%)" cells, coded words (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kodebok.analysis.groups import Group, Grouping
from kodebok.analysis.tally import span_words
from kodebok.models import Code

UNITS = ("codings", "segments", "documents", "cases", "speakers", "words")
PERCENTS = ("none", "row", "column")

GroupKey = int | str | None


@dataclass(frozen=True)
class MatrixRow:
    """One code's counts per column; ``percents`` is None when no percentages were asked for."""

    code_id: int
    code: str
    depth: int
    values: tuple[int, ...]
    percents: tuple[float | None, ...] | None = None


@dataclass(frozen=True)
class Matrix:
    """A code × group table with the group sizes (N) in the same unit."""

    grouping: Grouping
    unit: str
    percent: str
    rollup: bool
    columns: tuple[Group, ...]
    rows: tuple[MatrixRow, ...]
    n: tuple[int, ...]

    def cell_text(self, row: MatrixRow, j: int, cells: str = "both", decimal: str = ".") -> str:
        """A cell as shown in tables: ``12``, ``34.5 %`` or ``12 (34.5 %)``."""
        count = row.values[j]
        if row.percents is None or cells == "count":
            return str(count)
        pct = row.percents[j]
        shown = "–" if pct is None else f"{pct:.1f} %".replace(".", decimal)
        return shown if cells == "percent" else f"{count} ({shown})"


def percentages(
    values: Sequence[int], n: Sequence[int], how: str
) -> tuple[float | None, ...] | None:
    """Row percentages (of the row's total) or column percentages (of each group's N)."""
    if how == "none":
        return None
    if how == "row":
        total = sum(values)
        return tuple(100.0 * v / total if total else None for v in values)
    return tuple(100.0 * v / size if size else None for v, size in zip(values, n, strict=True))


def build_matrix(
    codes: Sequence[Code],
    columns: Sequence[Group],
    counts: Mapping[tuple[int, GroupKey], int],
    n: Mapping[GroupKey, int],
    *,
    grouping: Grouping,
    unit: str,
    percent: str = "none",
    rollup: bool = False,
) -> Matrix:
    """Assemble the table; every code and every column is kept, also when all counts are 0."""
    depth = {c.id: 0 for c in codes}
    for c in codes:  # tree order: a parent comes before its children
        if c.parent_id is not None:
            depth[c.id] = depth.get(c.parent_id, 0) + 1
    sizes = tuple(n.get(g.key, 0) for g in columns)
    rows = []
    for c in codes:
        values = tuple(counts.get((c.id, g.key), 0) for g in columns)
        rows.append(
            MatrixRow(c.id, c.path, depth[c.id], values, percentages(values, sizes, percent))
        )
    return Matrix(grouping, unit, percent, rollup, tuple(columns), tuple(rows), sizes)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of half-open spans as sorted disjoint spans; touching spans join."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def coded_words(text: str, spans: Iterable[tuple[int, int]]) -> int:
    """Words in the union of coded spans of one text; overlapping codings count once."""
    return span_words(text, list(spans))


def matrix_json(matrix: Matrix) -> dict[str, object]:
    """The JSON of spec/cli.md (``columns``, ``rows[{code, values}]``, ``n``) plus context."""
    rows: list[dict[str, object]] = []
    for r in matrix.rows:
        row: dict[str, object] = {"code": r.code, "values": list(r.values), "depth": r.depth}
        if r.percents is not None:
            row["percent"] = [None if p is None else round(p, 2) for p in r.percents]
        rows.append(row)
    return {
        "columns": [g.label for g in matrix.columns],
        "rows": rows,
        "n": list(matrix.n),
        "unit": matrix.unit,
        "by": matrix.grouping.label,
        "entity": matrix.grouping.kind,
        "attribute": matrix.grouping.attribute,
        "percent": matrix.percent,
        "rollup": matrix.rollup,
    }


def matrix_table(
    matrix: Matrix, cells: str = "both", decimal: str = "."
) -> tuple[list[str], list[list[str | int | float | None]]]:
    """Headers and rows for the table writers (codes by path), with the N row last."""
    headers = ["code", *(g.label for g in matrix.columns)]
    body: list[list[str | int | float | None]] = []
    for r in matrix.rows:
        label = r.code
        if r.percents is None or cells == "count":
            body.append([label, *r.values])
        elif cells == "percent":
            body.append([label, *(None if p is None else round(p, 1) for p in r.percents)])
        else:
            body.append(
                [label, *(matrix.cell_text(r, j, cells, decimal) for j in range(len(r.values)))]
            )
    body.append(["N", *matrix.n])
    return headers, body


def heat_values(matrix: Matrix, cells: str = "both") -> list[list[float | None]]:
    """The number behind each body cell (percent when shown, else count), for heat colours."""
    out: list[list[float | None]] = []
    for r in matrix.rows:
        if r.percents is not None and cells != "count":
            out.append(list(r.percents))
        else:
            out.append([float(v) for v in r.values])
    return out
