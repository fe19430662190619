"""Building a project's combined suggester, with the learned model cached in memory and project."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

from kodebok.errors import KodebokError
from kodebok.nlp import corpus
from kodebok.nlp.corpus import SegmentData
from kodebok.nlp.learned import Example, LearnedModel
from kodebok.nlp.suggest import SuggestionEngine
from kodebok.store import Project
from kodebok.store import queries as q

MODEL_SETTING = "nlp.learned_model"
_lock = threading.Lock()
_engines: dict[str, tuple[tuple[Any, ...], SuggestionEngine]] = {}
_models: dict[str, LearnedModel] = {}


def _state(project: Project) -> tuple[Any, ...]:
    """A cheap fingerprint of what the suggesters depend on (codes, codings, feedback, lemmas)."""
    conn = project.conn
    return (
        tuple(conn.execute("SELECT COUNT(*), TOTAL(id), MAX(id) FROM codings").fetchone()),
        tuple(conn.execute("SELECT COUNT(*), MAX(id) FROM suggestion_feedback").fetchone()),
        tuple(
            conn.execute(
                "SELECT COUNT(*), TOTAL(length(name) + length(description) + length(keywords) "
                "+ COALESCE(parent_id, 0)), MAX(id) FROM codes"
            ).fetchone()
        ),
        tuple(
            conn.execute(
                "SELECT COUNT(*), TOTAL(length(lemmas)), MAX(id) FROM segments "
                "WHERE lemmas IS NOT NULL"
            ).fetchone()
        ),
    )


def learned_model(project: Project | None, examples: Sequence[Example]) -> LearnedModel:
    """The learned model for these examples: from memory, the project, or trained now."""
    from kodebok.nlp.learned import train, training_key

    key = training_key(examples)
    model = _models.get(key)
    if model is not None:
        return model
    stored = project.get_setting(MODEL_SETTING) if project is not None else None
    model = LearnedModel.from_json(stored) if stored else None
    if model is not None and model.key == key:
        _attach_rows(model, examples)  # the neighbours need the rows; the weights are stored
    else:
        model = train(examples, key)
        if project is not None:
            # a cache only: a locked project just trains again next time
            with contextlib.suppress(KodebokError, sqlite3.Error):
                project.set_setting(MODEL_SETTING, model.to_json())
    _models.clear()  # one model per process is enough; old keys are never asked for again
    _models[key] = model
    return model


def _attach_rows(model: LearnedModel, examples: Sequence[Example]) -> None:
    model.train_rows = model.vocabulary.transform([ex.terms for ex in examples])
    model.train_codes = [ex.codes for ex in examples]
    model.train_ids = [ex.segment_id for ex in examples]


def build_engine(
    project: Project,
    segments: Sequence[SegmentData] | None = None,
    *,
    train_on: Sequence[SegmentData] | None = None,
    cache: bool = True,
) -> SuggestionEngine:
    """The combined suggester for a project (cached until codes, codings or feedback change)."""
    from kodebok.nlp.codebook_match import CodebookMatcher, CodeText, CorpusStats
    from kodebok.nlp.features import FeatureExtractor, text_terms

    key = str(project.path.resolve())
    state = _state(project)
    if cache and train_on is None:
        with _lock:
            found = _engines.get(key)
        if found is not None and found[0] == state:
            return found[1]
    if segments is None:
        segments = corpus.segments(project)
    codes = q.codes(project)
    paths = {c.id: c.path for c in codes}
    parents = {c.parent_id for c in codes if c.parent_id is not None}
    coded = {c for s in segments for c in s.codes}
    suggestible = {c.id for c in codes if c.id not in parents or c.id in coded}
    matcher = None
    if codes:
        extractor = FeatureExtractor()
        by_id = {c.id: c for c in codes}
        texts = [
            CodeText(
                c.id,
                c.path,
                text_terms(extractor, c.name),
                text_terms(extractor, " ; ".join(c.keywords)),
                text_terms(extractor, c.description),
                text_terms(extractor, by_id[c.parent_id].name if c.parent_id in by_id else ""),
            )
            for c in codes
        ]
        matcher = CodebookMatcher(texts, CorpusStats(s.features for s in segments))
    accepted, rejected = corpus.feedback_sets(project)
    pool = train_on if train_on is not None else segments
    examples = corpus.training_examples(pool, accepted if train_on is None else {}, rejected)
    learned = learned_model(project if train_on is None else None, examples) if examples else None
    vectors = _vector_index(examples)
    engine = SuggestionEngine(paths, matcher, learned, vectors, suggestible)
    if cache and train_on is None:
        with _lock:
            _engines[key] = (state, engine)
    return engine


def _vector_index(examples: Sequence[Example]) -> Any:
    """The vector suggester when the installed pipeline has vectors, else None (no spaCy load)."""
    from kodebok.nlp.pipeline import pipeline_choice

    if pipeline_choice().startswith("blank") or not examples:
        return None
    from kodebok.nlp.vectors import VectorIndex, vector_lookup

    lookup = vector_lookup()
    if lookup is None:
        return None
    rows = [(ex.segment_id, [t for t in ex.terms if "_" not in t], ex.codes) for ex in examples]
    return VectorIndex(rows, lookup)
