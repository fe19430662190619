"""Building a project's combined suggester, with the learned model cached in memory and project."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from kodebok.errors import KodebokError
from kodebok.nlp import corpus
from kodebok.nlp.corpus import SegmentData
from kodebok.nlp.features import Features
from kodebok.nlp.learned import Example, LearnedModel
from kodebok.nlp.stamp import FEATURES_SETTING
from kodebok.nlp.suggest import Suggestion, SuggestionEngine
from kodebok.store import Project
from kodebok.store import queries as q

MODEL_SETTING = "nlp.learned_model"
CODEBOOK_SETTING = "nlp.codebook_features"
# Segments scored together: one sparse product per suggester instead of one per segment, while
# the output still streams (and memory stays small: a batch is segments × codes).
SUGGEST_BATCH = 500
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
        model.attach_examples(examples)  # the neighbours need the rows; the weights are stored
    else:
        model = train(examples, key)
        if project is not None:
            # a cache only: a locked project just trains again next time
            with contextlib.suppress(KodebokError, sqlite3.Error):
                project.set_setting(MODEL_SETTING, model.to_json())
    _models.clear()  # one model per process is enough; old keys are never asked for again
    _models[key] = model
    return model


def build_engine(
    project: Project,
    segments: Sequence[SegmentData] | None = None,
    *,
    train_on: Sequence[SegmentData] | None = None,
    cache: bool = True,
) -> SuggestionEngine:
    """The combined suggester for a project (cached until codes, codings or feedback change)."""
    from kodebok.nlp.codebook_match import CodebookMatcher, CodeText, CorpusStats

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
        by_id = {c.id: c for c in codes}
        fields = [
            (
                c.name,
                " ; ".join(c.keywords),
                c.description,
                by_id[c.parent_id].name if c.parent_id in by_id else "",
            )
            for c in codes
        ]
        analysed = _analyse(project, sorted({t for texts in fields for t in texts}), state[3])
        code_texts = [
            CodeText(c.id, c.path, *(analysed[text] for text in texts))
            for c, texts in zip(codes, fields, strict=True)
        ]
        wanted = {
            term
            for text in analysed.values()
            for term in (*text.lemmas, *text.parts)  # a bigram's weight is not its idf
        }
        matcher = CodebookMatcher(code_texts, CorpusStats((s.features for s in segments), wanted))
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


def suggest_segments(
    project: Project,
    segments: Sequence[SegmentData],
    *,
    top: int = 3,
    every_segment: Sequence[SegmentData] | None = None,
) -> Iterator[tuple[SegmentData, list[Suggestion]]]:
    """Each segment with its suggestions (its own codes and rejected codes left out), in order.

    Segments are scored SUGGEST_BATCH at a time. ``every_segment``: all the project's
    segments when the caller has read them anyway (the engine then need not read them again).
    """
    from kodebok.nlp.suggest import Request

    engine = build_engine(project, every_segment)
    _, rejected = corpus.feedback_sets(project)
    for start in range(0, len(segments), SUGGEST_BATCH):
        batch = segments[start : start + SUGGEST_BATCH]
        found = engine.suggest_many(
            [Request(s.features, s.codes | rejected.get(s.id, set()), s.id) for s in batch],
            top=top,
        )
        yield from zip(batch, found, strict=True)


def _analyse(project: Project, texts: Sequence[str], lemmas_state: Any) -> dict[str, Features]:
    """Features of the codebook's texts (names, keywords, descriptions).

    Kept in the project (``CODEBOOK_SETTING``) while the analyser and the segments' stored
    lemmas stay the same, so a run that trains nothing need not load the NLP pipeline; texts
    not seen before (a new or edited code) are analysed in one pipeline pass.
    """
    from kodebok import __version__
    from kodebok.nlp.features import parse_features
    from kodebok.nlp.pipeline import pipeline_choice

    # segments re-analysed (another pipeline, a newer analyser or word list: the lemma stamp)
    # mean the codebook is too
    stamp = project.get_setting(FEATURES_SETTING)
    analyser = json.dumps([__version__, pipeline_choice(), lemmas_state, stamp])
    stored: dict[str, str] = {}
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        data = json.loads(project.get_setting(CODEBOOK_SETTING) or "{}")
        if data.get("analyser") == analyser:
            stored = {str(k): str(v) for k, v in data["texts"].items()}
    missing = [text for text in texts if text not in stored]
    if missing:
        from kodebok.nlp.features import FeatureExtractor

        found = FeatureExtractor().features([(text, "nb") for text in missing])
        stored.update(zip(missing, found, strict=True))
        value = json.dumps(
            {"analyser": analyser, "texts": {text: stored[text] for text in texts}},
            ensure_ascii=False,
        )
        with contextlib.suppress(KodebokError, sqlite3.Error):  # a cache only, as the model
            project.set_setting(CODEBOOK_SETTING, value)
    return {text: parse_features(stored[text]) for text in texts}


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
