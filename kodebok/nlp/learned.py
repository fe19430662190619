"""The learned suggester: one-vs-rest logistic regression on TF-IDF lemma features (numpy).

Trained on this project's coded segments and accept/reject feedback. A code gets a model once it
has ``MIN_EXAMPLES`` positive segments. Positives are weighted up (codes are rare), so scores rank
well but read as "how much this looks like the code's segments" rather than calibrated odds.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from kodebok.nlp.sparse import CSR, FloatArray, Vocabulary

MIN_EXAMPLES = 3
# Beyond this many coded segments a sample is as good for suggesting, and memory stays bounded
# (segments × codes dense matrices: 60,000 × 400 would take several GB) and training time stays
# proportional to this cap (at most ITERATIONS full-batch steps over every segment × code).
MAX_TRAINING = 5_000
L2 = 1e-3
# Training stops early once the loss, checked every CHECK_EVERY steps, falls by less than
# TOLERANCE (relative) between checks; ranking quality on the demo project is flat from ~60 steps.
ITERATIONS = 200
MIN_ITERATIONS = 40
CHECK_EVERY = 10
TOLERANCE = 5e-3
LEARNING_RATE = 0.2
MAX_POSITIVE_WEIGHT = 10.0
NEIGHBOURS = 10
MIN_SIMILARITY = 0.15
# Query rows compared with the training rows at once.
NEIGHBOUR_BATCH = 256
FORMAT = 1


@dataclass(frozen=True)
class Example:
    """One training segment: its terms, the codes it has, and codes a coder rejected for it."""

    segment_id: int
    terms: tuple[str, ...]
    codes: frozenset[int]
    rejected: frozenset[int] = frozenset()


def training_key(examples: Sequence[Example]) -> str:
    """A hash of the training data: the cached model is reused while it is unchanged."""
    digest = hashlib.sha256(f"v{FORMAT}".encode())
    for ex in sorted(examples, key=lambda e: e.segment_id):
        digest.update(
            f"{ex.segment_id}|{' '.join(ex.terms)}|{sorted(ex.codes)}|{sorted(ex.rejected)}\n".encode()
        )
    return digest.hexdigest()


@dataclass
class LearnedModel:
    """Weights per code over a vocabulary; ``predict`` gives a score in 0..1 per code."""

    key: str
    vocabulary: Vocabulary
    code_ids: list[int]
    weights: FloatArray  # n_terms × n_codes
    bias: FloatArray  # n_codes
    counts: dict[int, int] = field(default_factory=dict)
    train_rows: CSR | None = None
    train_codes: list[frozenset[int]] = field(default_factory=list)
    train_ids: list[int] = field(default_factory=list)
    _by_term: Any = field(default=None, init=False, repr=False, compare=False)  # rows, transposed

    def predict(self, terms: Sequence[str]) -> dict[int, float]:
        """Score per code (sigmoid of the linear model) for one segment's terms."""
        return {c: score for c, (score, _) in self.scores(terms).items()}

    def scores(self, terms: Sequence[str]) -> dict[int, tuple[float, float]]:
        """Score per code and the evidence behind it (the words' part of the logit)."""
        if not self.code_ids:
            return {}
        probs, evidence = self.score_rows(self.vocabulary.transform([terms]))
        return {
            c: (float(p), float(e))
            for c, p, e in zip(self.code_ids, probs[0], evidence[0], strict=True)
        }

    def score_rows(self, rows: CSR) -> tuple[FloatArray, FloatArray]:
        """Scores and evidence (rows × ``code_ids``) for TF-IDF rows from ``vocabulary``."""
        evidence = rows.dot(self.weights)
        with np.errstate(over="ignore"):  # a very negative logit is simply a score of 0
            probs: FloatArray = 1.0 / (1.0 + np.exp(-(evidence + self.bias)))
        return probs, evidence

    def reasons(self, terms: Sequence[str], code_id: int, n: int = 3) -> list[str]:
        """The terms of the segment that weigh most for a code."""
        k = self._columns.get(code_id)
        if k is None:
            return []
        seen = {t for t in terms if t in self.vocabulary.index}
        scored = sorted(
            ((float(self.weights[self.vocabulary.index[t], k]), t) for t in seen), reverse=True
        )
        return [t.replace("_", " ") for w, t in scored[:n] if w > 0]

    @cached_property
    def _columns(self) -> dict[int, int]:
        return {c: k for k, c in enumerate(self.code_ids)}

    def neighbours(self, terms: Sequence[str], exclude: int | None = None) -> list[frozenset[int]]:
        """The codes of the most similar training segments (cosine over TF-IDF rows)."""
        return self.neighbour_codes(self.vocabulary.transform([terms]), [exclude])[0]

    def neighbour_codes(
        self, rows: CSR, exclude: Sequence[int | None]
    ) -> list[list[frozenset[int]]]:
        """For each TF-IDF row, the codes of its most similar training segments, nearest first.

        A training segment whose id is the row's ``exclude`` (the segment itself) is skipped.
        """
        out: list[list[frozenset[int]]] = [[] for _ in range(rows.n_rows)]
        if self.train_rows is None or self.train_rows.n_rows == 0:
            return out
        if self._by_term is None:
            self._by_term = self.train_rows.scipy().T.tocsr()  # terms × training rows
        query = rows.scipy()
        asked = np.flatnonzero(np.diff(rows.indptr) > 0)
        for start in range(0, len(asked), NEIGHBOUR_BATCH):
            chunk = asked[start : start + NEIGHBOUR_BATCH]
            sims = (query[chunk] @ self._by_term).tocsr()  # chunk × training rows, sparse
            # only similarities above MIN_SIMILARITY can make a neighbour: order those by
            # query row, then most similar first, equal ones in training order
            near = sims.data > MIN_SIMILARITY
            row_of = np.repeat(np.arange(len(chunk)), np.diff(sims.indptr))[near]
            train_of, value = sims.indices[near], sims.data[near]
            order = np.lexsort((train_of, -value, row_of))
            row_of, train_of = row_of[order], train_of[order]
            bounds = np.searchsorted(row_of, np.arange(len(chunk) + 1))
            for r, i in enumerate(chunk.tolist()):
                top = train_of[bounds[r] : min(bounds[r + 1], bounds[r] + NEIGHBOURS + 1)]
                found = [
                    self.train_codes[j] for j in top.tolist() if self.train_ids[j] != exclude[i]
                ]
                out[i] = found[:NEIGHBOURS]
        return out

    def attach_examples(self, examples: Sequence[Example]) -> None:
        """Give a stored model (weights only) the training rows its neighbours search."""
        chosen = _bounded(examples)  # the same sample the weights were trained on
        self.train_rows = self.vocabulary.transform([ex.terms for ex in chosen])
        self._by_term = None
        self.train_codes = [ex.codes for ex in chosen]
        self.train_ids = [ex.segment_id for ex in chosen]

    @property
    def vocabulary_size(self) -> int:
        """Number of terms."""
        return len(self.vocabulary.terms)

    # -- storage (JSON text; no pickles in the project file) ---------------------------

    def to_json(self) -> str:
        """The model as JSON text with base64 float32 weights."""
        return json.dumps(
            {
                "format": FORMAT,
                "key": self.key,
                "terms": self.vocabulary.terms,
                "idf": _b64(self.vocabulary.idf),
                "codes": self.code_ids,
                "counts": {str(k): v for k, v in self.counts.items()},
                "weights": _b64(self.weights),
                "bias": _b64(self.bias),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> LearnedModel | None:
        """A stored model, or None when it is unreadable or of another format."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                return None
            terms = list(data["terms"])
            codes = [int(c) for c in data["codes"]]
            weights = _unb64(data["weights"]).reshape(len(terms), len(codes))
            return cls(
                key=str(data["key"]),
                vocabulary=Vocabulary(terms, _unb64(data["idf"])),
                code_ids=codes,
                weights=weights,
                bias=_unb64(data["bias"]),
                counts={int(k): int(v) for k, v in data["counts"].items()},
            )
        except (ValueError, KeyError, TypeError):
            return None


def _b64(array: FloatArray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.float32).tobytes()).decode()


def _unb64(text: str) -> FloatArray:
    return np.frombuffer(base64.b64decode(text), dtype=np.float32).astype(np.float64)


def train(examples: Sequence[Example], key: str | None = None) -> LearnedModel:
    """Fit one logistic regression per code with at least MIN_EXAMPLES positive segments."""
    key = key or training_key(examples)
    examples = _bounded(examples)
    counts: dict[int, int] = {}
    for ex in examples:
        for c in ex.codes:
            counts[c] = counts.get(c, 0) + 1
    code_ids = sorted(c for c, n in counts.items() if n >= MIN_EXAMPLES)
    docs = [ex.terms for ex in examples]
    vocabulary = Vocabulary.fit(docs, min_df=2 if len(docs) >= 50 else 1, max_terms=30_000)
    rows = vocabulary.transform(docs)
    train_codes = [ex.codes for ex in examples]
    train_ids = [ex.segment_id for ex in examples]
    n_terms, n_codes = len(vocabulary.terms), len(code_ids)
    if not code_ids or not examples:
        return LearnedModel(
            key,
            vocabulary,
            [],
            np.zeros((n_terms, 0)),
            np.zeros(0),
            counts,
            rows,
            train_codes,
            train_ids,
        )
    column = {c: k for k, c in enumerate(code_ids)}
    targets = np.zeros((len(examples), n_codes))
    mask = np.ones((len(examples), n_codes))  # 0 = no opinion (neither coded nor rejected)
    for i, ex in enumerate(examples):
        for c in ex.codes:
            if c in column:
                targets[i, column[c]] = 1.0
        for c in ex.rejected - ex.codes:
            if c in column:
                targets[i, column[c]] = 0.0
                mask[i, column[c]] = 2.0  # a coder said no: count it twice
    positives = targets.sum(axis=0)
    # sqrt of the class ratio: rare codes still rank, without every score drifting towards 0.5
    pos_weight = np.minimum(
        MAX_POSITIVE_WEIGHT, np.sqrt((len(examples) - positives) / np.maximum(positives, 1.0))
    )
    sample_weight = mask * np.where(targets > 0, pos_weight, 1.0)
    weights, bias = _fit(rows, targets, sample_weight)
    return LearnedModel(
        key, vocabulary, code_ids, weights, bias, counts, rows, train_codes, train_ids
    )


def _bounded(examples: Sequence[Example]) -> Sequence[Example]:
    """At most MAX_TRAINING examples: every one with a rejection, then an even spread of the rest.

    Rejections are few and say the most; the spread keeps every part of the project (and so
    every document and code) represented.
    """
    if len(examples) <= MAX_TRAINING:
        return examples
    feedback = [ex for ex in examples if ex.rejected]
    rest = [ex for ex in examples if not ex.rejected]
    room = max(0, MAX_TRAINING - len(feedback))
    stride = len(rest) / room if room else float("inf")
    spread = [rest[int(i * stride)] for i in range(room)] if room else []
    return [*feedback[:MAX_TRAINING], *spread]


def _fit(
    rows: CSR, targets: FloatArray, sample_weight: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Weighted logistic loss + L2, minimised by full-batch Adam (convex: any start works).

    float32 and in-place updates: the weights (terms × codes) are the big arrays, and every
    step walks them a dozen times. Stops early when the loss no longer falls (see TOLERANCE).
    """
    from scipy.special import expit

    f32 = np.float32
    x = rows.scipy().astype(f32)
    xt = x.T.tocsr()
    k = targets.shape[1]
    y = targets.astype(f32)
    norm = sample_weight.sum(axis=0) + 1e-9
    sw = (sample_weight / norm).astype(f32)  # each code's loss is a weighted mean
    weights = np.zeros((rows.n_cols, k), dtype=f32)
    bias = np.zeros(k, dtype=f32)
    m_w, v_w, tmp = np.zeros_like(weights), np.zeros_like(weights), np.zeros_like(weights)
    m_b, v_b = np.zeros_like(bias), np.zeros_like(bias)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    previous = float("inf")
    for step in range(1, ITERATIONS + 1):
        logits = x @ weights
        logits += bias
        if step >= MIN_ITERATIONS and (step - MIN_ITERATIONS) % CHECK_EVERY == 0:
            # loss of the current weights: softplus(z) - y·z, weighted, plus the L2 term
            loss = float((sw * (np.logaddexp(0, logits) - y * logits)).sum())
            loss += 0.5 * L2 * float(np.vdot(weights, weights))
            if previous - loss < TOLERANCE * abs(previous):
                break
            previous = loss
        residual = expit(logits)
        residual -= y
        residual *= sw
        grad_w = xt @ residual
        np.multiply(weights, L2, out=tmp)
        grad_w += tmp
        grad_b = residual.sum(axis=0)
        # Adam with the bias corrections folded into the step size and epsilon
        c1, c2 = 1 - beta1**step, 1 - beta2**step
        rate, floor = LEARNING_RATE * np.sqrt(c2) / c1, eps * np.sqrt(c2)
        m_w *= beta1
        grad_w *= 1 - beta1
        m_w += grad_w
        grad_w *= grad_w  # now ((1 - β1)·g)²; scaled to (1 - β2)·g² for v
        grad_w *= (1 - beta2) / (1 - beta1) ** 2
        v_w *= beta2
        v_w += grad_w
        np.sqrt(v_w, out=tmp)
        tmp += floor
        np.divide(m_w, tmp, out=tmp)
        tmp *= rate
        weights -= tmp
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        v_b = beta2 * v_b + (1 - beta2) * grad_b * grad_b
        bias -= (rate * m_b / (np.sqrt(v_b) + floor)).astype(f32)
    return weights.astype(np.float64), bias.astype(np.float64)
