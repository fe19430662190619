"""A small compressed-sparse-row matrix over numpy (no scipy), for bag-of-lemma features."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass
class CSR:
    """Rows of (column, value) pairs: ``indptr[i]:indptr[i+1]`` slices row i."""

    indptr: IntArray
    indices: IntArray
    data: FloatArray
    n_cols: int
    _by_col: tuple[IntArray, IntArray] | None = None

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    def row_ids(self) -> IntArray:
        """The row number of every stored value."""
        return np.repeat(np.arange(self.n_rows), np.diff(self.indptr))

    def dot(self, dense: FloatArray) -> FloatArray:
        """This matrix times a dense (n_cols × k) matrix."""
        return _blocked_sums(self.indptr, self.indices, self.data, dense, self.n_rows)

    def tdot(self, dense: FloatArray) -> FloatArray:
        """The transpose of this matrix times a dense (n_rows × k) matrix."""
        if self._by_col is None:
            order = np.argsort(self.indices, kind="stable")
            counts = np.bincount(self.indices, minlength=self.n_cols)
            colptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
            self._by_col = (order, colptr)
        order, colptr = self._by_col
        return _blocked_sums(colptr, self.row_ids()[order], self.data[order], dense, self.n_cols)

    def to_dense(self) -> FloatArray:
        """A dense copy (for small matrices such as cluster centroids)."""
        out = np.zeros((self.n_rows, self.n_cols))
        out[self.row_ids(), self.indices] = self.data
        return out


# Products are formed a block of stored values at a time: all at once they take
# nnz × k floats (2 million values × 400 codes = 6 GB on a large project).
_BLOCK_VALUES = 1 << 22


def _blocked_sums(
    ptr: IntArray, index: IntArray, data: FloatArray, dense: FloatArray, n: int
) -> FloatArray:
    """``out[i] = sum(data[j] * dense[index[j]] for j in ptr[i]:ptr[i+1])``, in bounded memory."""
    k = dense.shape[1]
    out = np.zeros((n, k))
    step = max(1, _BLOCK_VALUES // max(k, 1))
    first = 0
    while first < n:
        lo = int(ptr[first])
        # as many whole rows as fit in one block (at least one)
        last = int(np.searchsorted(ptr, lo + step, side="right")) - 1
        last = min(max(last, first + 1), n)
        hi = int(ptr[last])
        if hi > lo:
            products = dense[index[lo:hi]] * data[lo:hi, None]
            out[first:last] = _segment_sums(products, ptr[first : last + 1] - lo, last - first, k)
        first = last
    return out


def _segment_sums(values: FloatArray, ptr: IntArray, n: int, k: int) -> FloatArray:
    """Sums of consecutive row blocks ``values[ptr[i]:ptr[i+1]]`` (empty blocks give zeros)."""
    out = np.zeros((n, k))
    if len(values) == 0:
        return out
    nonempty = np.flatnonzero(np.diff(ptr) > 0)
    out[nonempty] = np.add.reduceat(values, ptr[nonempty], axis=0)
    return out


class Vocabulary:
    """Terms → columns, with inverse document frequencies from the documents it was fitted on."""

    def __init__(self, terms: Sequence[str], idf: FloatArray) -> None:
        self.terms = list(terms)
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.idf = idf

    @classmethod
    def fit(
        cls, docs: Sequence[Sequence[str]], min_df: int = 1, max_terms: int = 50_000
    ) -> Vocabulary:
        """Terms occurring in at least ``min_df`` documents (the most frequent ``max_terms``)."""
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        kept = [(t, n) for t, n in df.items() if n >= min_df]
        kept.sort(key=lambda item: (-item[1], item[0]))
        kept = kept[:max_terms]
        n_docs = max(1, len(docs))
        idf = np.array([math.log((1 + n_docs) / (1 + n)) + 1.0 for _, n in kept])
        return cls([t for t, _ in kept], idf)

    def transform(self, docs: Iterable[Sequence[str]], sublinear: bool = True) -> CSR:
        """TF-IDF rows, L2-normalised (empty documents stay all zero)."""
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for doc in docs:
            counts = Counter(self.index[t] for t in doc if t in self.index)
            cols = sorted(counts)
            values = [
                (1.0 + math.log(counts[c]) if sublinear else float(counts[c])) * self.idf[c]
                for c in cols
            ]
            norm = math.sqrt(sum(v * v for v in values)) or 1.0
            indices.extend(cols)
            data.extend(v / norm for v in values)
            indptr.append(len(indices))
        return CSR(
            np.array(indptr, dtype=np.int64),
            np.array(indices, dtype=np.int64),
            np.array(data, dtype=np.float64),
            len(self.terms),
        )
