"""Bulk counting with numpy (kodebok.analysis.tally) against plain Python recounts."""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kodebok.analysis.tally import (
    WordIndex,
    distinct_counts,
    shared_units,
    span_words,
    word_bounds,
)

WORD = re.compile(r"\w+")
# letters with and without diacritics, digits, underscore, typographic punctuation, a combining
# accent (not a word character), CJK and an emoji (outside the lookup table)
ALPHABET = "ab æøåÆØÅ_1é–—“”’.,\u00a0\u0301中\U0001f600\t\n"
texts = st.text(alphabet=ALPHABET, max_size=80)


def words_in_union(text: str, spans: list[tuple[int, int]]) -> int:
    """Words of ``text`` touched by at least one span (the definition, character by character)."""
    covered = set()
    for a, b in spans:
        covered.update(range(a, b))
    return sum(1 for m in WORD.finditer(text) if covered & set(range(*m.span())))


@given(texts)
def test_word_bounds_are_the_regex_words(text: str) -> None:
    starts, ends = word_bounds(text)
    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == [
        m.span() for m in WORD.finditer(text)
    ]


@given(texts, st.lists(st.tuples(st.integers(0, 80), st.integers(0, 80)), max_size=6))
def test_span_words_counts_every_word_a_span_touches_once(
    text: str, raw: list[tuple[int, int]]
) -> None:
    spans = [(min(a, len(text)), min(b, len(text))) for a, b in raw]
    assert span_words(text, spans) == words_in_union(text, spans)


@settings(max_examples=60)
@given(
    st.lists(texts, min_size=1, max_size=4),
    st.lists(
        st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 80), st.integers(0, 80)),
        max_size=25,
    ),
)
def test_union_count_per_cell_over_several_documents(
    docs: list[str], raw: list[tuple[int, int, int, int]]
) -> None:
    index = WordIndex(list(enumerate(docs, start=1)))
    spans: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    cells, doc_ids, starts, ends = [], [], [], []
    for cell, d, a, b in raw:
        doc = d % len(docs) + 1
        a, b = min(a, len(docs[doc - 1])), min(b, len(docs[doc - 1]))
        spans[cell][doc].append((a, b))
        cells.append(cell)
        doc_ids.append(doc)
        starts.append(a)
        ends.append(b)
    doc_arr = np.array(doc_ids, np.int64)
    labels, words = index.union_count(
        np.array(cells, np.int64),
        index.positions(doc_arr, np.array(starts, np.int64)),
        index.positions(doc_arr, np.array(ends, np.int64)),
    )
    got = dict(zip(labels.tolist(), words.tolist(), strict=True))
    want = {
        cell: sum(words_in_union(docs[doc - 1], s) for doc, s in by_doc.items())
        for cell, by_doc in spans.items()
    }
    assert got == want


def test_positions_of_an_unknown_document_fail_clearly() -> None:
    index = WordIndex([(1, "vi har mål")])
    try:
        index.positions(np.array([7], np.int64), np.array([0], np.int64))
    except KeyError as exc:
        assert "7" in str(exc)
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("no error for an unknown document")


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-1, 6)), max_size=40))
def test_distinct_counts_leave_out_missing_items(pairs: list[tuple[int, int]]) -> None:
    cells = np.array([c for c, _ in pairs], np.int64)
    items = np.array([i for _, i in pairs], np.int64)
    labels, counts = distinct_counts(cells, items)
    want: dict[int, set[int]] = defaultdict(set)
    for c, i in pairs:
        if i > 0:
            want[c].add(i)
    assert dict(zip(labels.tolist(), counts.tolist(), strict=True)) == {
        c: len(v) for c, v in want.items()
    }


@given(st.lists(st.tuples(st.integers(-1, 6), st.integers(1, 5)), max_size=40))
def test_shared_units_is_a_pairwise_recount(pairs: list[tuple[int, int]]) -> None:
    units = np.array([u for u, _ in pairs], np.int64)
    codes = np.array([c for _, c in pairs], np.int64)
    by_unit: dict[int, set[int]] = defaultdict(set)
    for u, c in pairs:
        if u > 0:
            by_unit[u].add(c)
    want: dict[tuple[int, int], int] = defaultdict(int)
    for present in by_unit.values():
        for a in present:
            for b in present:
                want[(a, b)] += 1
    assert shared_units(units, codes) == dict(want)


def test_a_word_touched_by_two_separate_spans_of_a_cell_counts_once() -> None:
    # found by hypothesis: "111" coded at its first and at its last character is one word
    index = WordIndex([(1, "111"), (2, "ab cd ef")])
    cells = np.array([0, 0, 1, 1, 1], np.int64)
    docs = np.array([1, 1, 2, 2, 2], np.int64)
    starts = index.positions(docs, np.array([0, 2, 0, 1, 4], np.int64))
    ends = index.positions(docs, np.array([1, 3, 1, 2, 7], np.int64))
    labels, words = index.union_count(cells, starts, ends)
    assert dict(zip(labels.tolist(), words.tolist(), strict=True)) == {0: 1, 1: 3}
