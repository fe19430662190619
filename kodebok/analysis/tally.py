"""Counting in bulk with numpy: distinct items per cell, and words in many spans at once.

For words, the word boundaries of all documents lie on one axis. A word is what ``\\w+``
matches (letters, digits, underscore; Unicode-aware). A span counts every word it touches, so
a word cut by either end counts. Overlapping spans of one cell are merged before counting, so
a word coded twice under the same code and group counts once. A matrix over 150,000 codings
costs a few sorts and binary searches, not a Python call per coding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import sparse

Ints = npt.NDArray[np.int64]

_TABLE = 0x800  # Latin, Greek, Cyrillic...: looked up in a table; the rest one by one


@lru_cache(maxsize=1)
def _word_table() -> npt.NDArray[np.bool_]:
    """For each code point below ``_TABLE``: does ``\\w`` match it?"""
    return np.fromiter((chr(c).isalnum() or c == 0x5F for c in range(_TABLE)), bool, _TABLE)


def word_bounds(text: str) -> tuple[Ints, Ints]:
    """Start and end offsets (in characters) of every word of ``text``."""
    if not text:
        empty = np.zeros(0, np.int64)
        return empty, empty
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    is_word = _word_table()[np.minimum(points, _TABLE - 1)]
    rare = points >= _TABLE - 1
    if rare.any():  # typographic quotes and dashes, CJK, emoji: few distinct characters
        distinct, where = np.unique(points[rare], return_inverse=True)
        wordy = np.fromiter((chr(c).isalnum() for c in distinct.tolist()), bool, len(distinct))
        is_word[rare] = wordy[where]
    edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    return (
        np.flatnonzero(edges == 1).astype(np.int64),
        np.flatnonzero(edges == -1).astype(np.int64),
    )


class WordIndex:
    """Word boundaries of several texts laid end to end, one character apart, on one axis."""

    def __init__(self, texts: Iterable[tuple[int, str]]) -> None:
        starts: list[Ints] = []
        ends: list[Ints] = []
        bases: list[tuple[int, int]] = []
        offset = 0
        for key, text in texts:
            s, e = word_bounds(text)
            bases.append((key, offset))
            starts.append(s + offset)
            ends.append(e + offset)
            offset += len(text) + 1
        self.starts: Ints = np.concatenate(starts) if starts else np.zeros(0, np.int64)
        self.ends: Ints = np.concatenate(ends) if ends else np.zeros(0, np.int64)
        #: larger than any position on the axis
        self.span = offset + 1
        size = max((k for k, _ in bases), default=-1) + 1
        self._base = np.full(size, -1, np.int64)
        for key, base in bases:
            self._base[key] = base

    def positions(self, keys: Ints, offsets: Ints) -> Ints:
        """Offsets within the texts ``keys`` as positions on the shared axis."""
        if len(keys) and (keys.max() >= len(self._base) or (self._base[keys] < 0).any()):
            missing = sorted({int(k) for k in keys if k >= len(self._base) or self._base[k] < 0})
            raise KeyError(f"texts not indexed: {missing[:5]}")
        return self._base[keys] + offsets

    def count(self, a: Ints, b: Ints) -> Ints:
        """Words in each span ``[a, b)`` of the axis; 0 for empty spans."""
        lo = np.searchsorted(self.starts, a, "left")
        hi = np.searchsorted(self.starts, b, "left")
        before = np.maximum(lo - 1, 0)
        # the last word starting before ``a`` runs past it: the span starts inside that word
        inside = (lo > 0) & (self.ends[before] > a) if len(self.ends) else np.zeros(len(a), bool)
        return np.where(b > a, hi - lo + inside, 0).astype(np.int64)

    def union_count(self, groups: Ints, a: Ints, b: Ints) -> tuple[Ints, Ints]:
        """Words in the union of the spans of each group: (distinct groups, their words).

        ``groups`` are arbitrary integer labels, one per span; ``a`` and ``b`` are axis
        positions. Spans that overlap or touch are merged, so each word counts once per group.
        """
        if not len(groups):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        labels, dense = np.unique(groups, return_inverse=True)
        order = np.lexsort((a, dense))
        dense, a, b = dense[order], a[order], b[order]
        # each group on its own stretch of a longer axis, so one running maximum merges them all
        shift = dense * self.span
        reach = np.maximum.accumulate(b + shift)
        new = np.ones(len(a), bool)
        new[1:] = a[1:] + shift[1:] > reach[:-1]
        first = np.flatnonzero(new)
        last = np.append(first[1:] - 1, len(a) - 1)
        run_a, run_b, run_group = a[first], reach[last] - shift[first], dense[first]
        words = self.count(run_a, run_b)
        totals = np.bincount(run_group, weights=words, minlength=len(labels))
        # two runs of a group that do not touch can still share one word ("111" coded at its
        # first and last letter): the word counts once, so each shared word is taken off again
        touching = words > 0
        if touching.sum() > 1:
            run_a, run_b, run_group = run_a[touching], run_b[touching], run_group[touching]
            lo = np.searchsorted(self.starts, run_a, "left")
            before = np.maximum(lo - 1, 0)
            first_word = lo - ((lo > 0) & (self.ends[before] > run_a))
            last_word = np.searchsorted(self.starts, run_b, "left") - 1
            shared = (run_group[1:] == run_group[:-1]) & (last_word[:-1] >= first_word[1:])
            totals -= np.bincount(run_group[1:][shared], minlength=len(labels))
        return labels, totals.astype(np.int64)


def distinct_counts(cells: Ints, items: Ints) -> tuple[Ints, Ints]:
    """How many distinct positive ``items`` each cell has: (cells, counts), cells sorted.

    Items of 0 or less stand for "none" (a coding with no segment, a document with no case)
    and are not counted, as COUNT(DISTINCT ...) leaves out NULL.
    """
    has = items > 0
    cells, items = cells[has], items[has]
    if not len(cells):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = int(items.max()) + 1
    pairs = np.unique(cells * width + items)
    labels, counts = np.unique(pairs // width, return_counts=True)
    return labels.astype(np.int64), counts.astype(np.int64)


def span_words(text: str, spans: Sequence[tuple[int, int]]) -> int:
    """Words in the union of ``spans`` of one text (the reference the tests check against)."""
    if not spans:
        return 0
    index = WordIndex([(0, text)])
    a = np.array([s for s, _ in spans], np.int64)
    b = np.array([e for _, e in spans], np.int64)
    _, words = index.union_count(np.zeros(len(spans), np.int64), a, b)
    return int(words.sum())


def shared_units(units: Ints, codes: Ints) -> dict[tuple[int, int], int]:
    """In how many units each pair of codes occurs together (both orders; the diagonal is the
    number of units with the code). Units of 0 or less are left out.

    One sparse product: the unit × code incidence matrix, transposed, times itself.
    """
    has = units > 0
    units, codes = units[has], codes[has]
    if not len(units):
        return {}
    unit_ids, unit_rows = np.unique(units, return_inverse=True)
    code_ids, code_cols = np.unique(codes, return_inverse=True)
    incidence = sparse.csr_matrix(
        (np.ones(len(units), np.int64), (unit_rows, code_cols)),
        shape=(len(unit_ids), len(code_ids)),
    )
    incidence.data[:] = 1  # a code coded twice in one unit is there once
    product = (incidence.T @ incidence).tocoo()
    return {
        (int(code_ids[i]), int(code_ids[j])): int(n)
        for i, j, n in zip(product.row, product.col, product.data, strict=True)
    }
