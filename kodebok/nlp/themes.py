"""Theme discovery: distinctive terms per group, and clusters of uncoded segments.

Distinctive terms use the weighted log-odds ratio with an informative Dirichlet prior of
Monroe, Colaresi & Quinn (2008, "Fightin' Words"): each group is compared with all the others,
the prior is the whole material's word distribution, and the z-score accounts for how much
evidence a word has (a word said twice is not "distinctive" just because nobody else said it).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kodebok.nlp.sparse import CSR, FloatArray, Vocabulary

PRIOR_SCALE = 0.1  # prior pseudo-counts: α_w = PRIOR_SCALE · (count of w in the whole material)
MIN_COUNT = 3
MAX_CLUSTERS = 12


@dataclass(frozen=True)
class Term:
    """One distinctive term of a group: counts in and outside it, log-odds and z-score."""

    term: str
    count: int
    count_rest: int
    log_odds: float
    z: float


@dataclass(frozen=True)
class GroupTerms:
    """A group's most distinctive terms."""

    group: str
    segments: int
    tokens: int
    terms: tuple[Term, ...]


def distinctive_terms(
    groups: Mapping[str, Counter[str]],
    sizes: Mapping[str, int],
    top: int = 15,
    prior_scale: float = PRIOR_SCALE,
    min_count: int = MIN_COUNT,
    exclude: Collection[str] = (),
) -> list[GroupTerms]:
    """The ``top`` terms per group by z-score of the weighted log-odds against the other groups.

    Terms with a word in ``exclude`` are not shown (they still count in the totals): the names
    of the kommuner and people themselves set each group apart, but say nothing new.
    """
    total: Counter[str] = Counter()
    for counts in groups.values():
        total.update(counts)
    n_all = sum(total.values())
    alpha = {w: prior_scale * c for w, c in total.items()}
    alpha0 = prior_scale * n_all
    excluded = frozenset(w.casefold() for w in exclude)
    out: list[GroupTerms] = []
    for name, counts in groups.items():
        n_i = sum(counts.values())
        n_j = n_all - n_i
        found: list[Term] = []
        for word, y in total.items():
            y_i = counts.get(word, 0)
            if y < min_count or y_i == 0 or (exclude and not excluded.isdisjoint(word.split("_"))):
                continue
            y_j = y - y_i
            a = alpha[word]
            log_i = math.log((y_i + a) / (n_i + alpha0 - y_i - a))
            log_j = math.log((y_j + a) / (n_j + alpha0 - y_j - a))
            delta = log_i - log_j
            z = delta / math.sqrt(1.0 / (y_i + a) + 1.0 / (y_j + a))
            if z > 0:
                found.append(Term(word.replace("_", " "), y_i, y_j, delta, z))
        found.sort(key=lambda t: (-t.z, t.term))
        out.append(GroupTerms(name, sizes.get(name, 0), n_i, tuple(found[:top])))
    return out


@dataclass(frozen=True)
class Cluster:
    """A candidate new code: similar uncoded segments and the terms that describe them."""

    label: str
    size: int
    terms: tuple[str, ...]
    members: tuple[int, ...]  # indices into the documents given, most central first


def cluster_segments(
    docs: Sequence[Sequence[str]], k: int | None = None, top: int = 6, seed: int = 7
) -> list[Cluster]:
    """Spherical k-means on TF-IDF vectors (k-means++ start, seeded), largest cluster first."""
    usable = [i for i, d in enumerate(docs) if d]
    if len(usable) < 4:
        return []
    vocab = Vocabulary.fit([docs[i] for i in usable], min_df=2)
    if not vocab.terms:
        return []
    rows = vocab.transform([docs[i] for i in usable])
    n = rows.n_rows
    k = k or max(2, min(MAX_CLUSTERS, round(math.sqrt(n / 4))))
    k = max(1, min(k, n))
    rng = random.Random(seed)
    centroids = _kmeanspp(rows, k, rng)
    assign = np.zeros(n, dtype=np.int64)
    for step in range(30):
        sims = rows.dot(centroids.T)
        new = sims.argmax(axis=1)
        if step > 0 and np.array_equal(new, assign):
            break
        assign = new
        onehot = np.zeros((n, k))
        onehot[np.arange(n), assign] = 1.0
        sums = rows.tdot(onehot).T  # k × terms
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = np.where(norms > 0, sums / np.maximum(norms, 1e-12), centroids)
    sims = rows.dot(centroids.T)
    out: list[Cluster] = []
    for c in range(k):
        members = np.flatnonzero(assign == c)
        if len(members) == 0:
            continue
        order = members[np.argsort(-sims[members, c])]
        best = np.argsort(-centroids[c])[:top]
        terms = tuple(vocab.terms[i].replace("_", " ") for i in best if centroids[c, i] > 0)
        out.append(
            Cluster(" / ".join(terms[:3]), len(members), terms, tuple(usable[i] for i in order))
        )
    out.sort(key=lambda cl: -cl.size)
    return out


def _kmeanspp(rows: CSR, k: int, rng: random.Random) -> FloatArray:
    """k-means++ seeding on unit rows (distance = 1 - cosine)."""
    chosen = [_dense_row(rows, rng.randrange(rows.n_rows))]
    closest = 1.0 - rows.dot(chosen[0][:, None])[:, 0]
    for _ in range(1, k):
        weights = np.maximum(closest, 0.0) ** 2
        total = float(weights.sum())
        if total <= 0:
            pick = rng.randrange(rows.n_rows)
        else:
            cumulative = np.cumsum(weights / total)
            pick = min(
                int(np.searchsorted(cumulative, rng.random(), side="right")), rows.n_rows - 1
            )
        chosen.append(_dense_row(rows, pick))
        closest = np.minimum(closest, 1.0 - rows.dot(chosen[-1][:, None])[:, 0])
    return np.vstack(chosen)


def _dense_row(rows: CSR, i: int) -> FloatArray:
    out = np.zeros(rows.n_cols)
    lo, hi = rows.indptr[i], rows.indptr[i + 1]
    out[rows.indices[lo:hi]] = rows.data[lo:hi]
    return out
