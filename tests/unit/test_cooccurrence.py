"""Co-occurrence of codes in segments, overlapping spans, documents and cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_matrix import build_small_project

from kodebok.analysis.cooccurrence import Cooccurrence, cooccurrence_json, overlap_pairs
from kodebok.services import analysis
from kodebok.store import Project


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Project]:
    path = tmp_path / "liten.kodebok"
    build_small_project(path)
    with Project.open(path) as project:
        yield project


def _cell(table: Cooccurrence, a: str, b: str) -> int:
    return table.counts[table.codes.index(a)][table.codes.index(b)]


def test_overlap_counts_pairs_of_codings_that_share_characters() -> None:
    spans = [(1, 0, 10, 7), (1, 5, 15, 8), (1, 10, 20, 9), (2, 0, 10, 8), (1, 15, 16, 8)]
    pairs = overlap_pairs(spans)
    assert pairs[(7, 8)] == pairs[(8, 7)] == 1  # only the span in the same document
    assert (7, 9) not in pairs  # [0,10) and [10,20) touch but do not overlap
    assert pairs[(8, 9)] == 2
    assert pairs[(8, 8)] == 3  # the diagonal is the number of codings


def test_units_segment_document_and_case(small: Project) -> None:
    seg = analysis.cooccurrence(small, "segment")
    assert _cell(seg, "Styring/Styringskort", "Styring/Initiativ") == 1
    assert _cell(seg, "Styring/Styringskort", "Styring/Styringskort") == 2
    doc = analysis.cooccurrence(small, "document")
    assert _cell(doc, "Styring/Styringskort", "Medvirkning") == 1
    case = analysis.cooccurrence(small, "case")
    assert _cell(case, "Styring", "Styring") == 0  # only coded in a note without a case
    overlap = analysis.cooccurrence(small, "overlap")
    assert _cell(overlap, "Styring/Styringskort", "Styring/Initiativ") == 2  # two coders
    assert cooccurrence_json(seg)["columns"] == list(seg.codes)
