"""Code × code co-occurrence within a segment, overlapping spans, a document or a case (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kodebok.models import Code

COOCCURRENCE_UNITS = ("segment", "overlap", "document", "case")


@dataclass(frozen=True)
class Cooccurrence:
    """A symmetric code × code table.

    For segment, document and case: the number of units where both codes occur; the diagonal is
    the number of units with the code. For overlap: the number of pairs of codings (one of each
    code) whose spans share at least one character; the diagonal is the number of codings.
    """

    unit: str
    codes: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]


def overlap_pairs(
    spans: Iterable[tuple[int, int, int, int]],
) -> dict[tuple[int, int], int]:
    """Overlapping coding pairs per (code, code) from ``(document_id, start, end, code_id)``.

    A sweep over each document's spans sorted by start: only spans still open are compared, so
    the cost follows the number of overlaps rather than the square of the codings.
    """
    by_doc: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    out: dict[tuple[int, int], int] = defaultdict(int)
    for doc, start, end, code in spans:
        out[(code, code)] += 1
        if end > start:
            by_doc[doc].append((start, end, code))
    for items in by_doc.values():
        items.sort()
        open_spans: list[tuple[int, int]] = []  # (end, code)
        for start, end, code in items:
            open_spans = [(e, c) for e, c in open_spans if e > start]
            for _, other in open_spans:
                if other != code:
                    out[(code, other)] += 1
                    out[(other, code)] += 1
            open_spans.append((end, code))
    return dict(out)


def build_cooccurrence(
    codes: Sequence[Code], unit: str, counts: Mapping[tuple[int, int], int]
) -> Cooccurrence:
    """Assemble the table in tree order; codes without codings keep a row of zeros."""
    ids = [c.id for c in codes]
    table = tuple(tuple(counts.get((a, b), 0) for b in ids) for a in ids)
    return Cooccurrence(unit, tuple(c.path for c in codes), table)


def cooccurrence_json(table: Cooccurrence) -> dict[str, object]:
    """``{"unit", "codes", "rows": [{"code", "values"}]}`` (the matrix shape with codes as columns)."""
    return {
        "unit": table.unit,
        "columns": list(table.codes),
        "rows": [
            {"code": code, "values": list(values)}
            for code, values in zip(table.codes, table.counts, strict=True)
        ],
    }
