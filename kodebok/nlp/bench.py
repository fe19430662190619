"""NLP performance figures for ``kodebok bench``: each function takes a built project file.

Every function returns the stage figures ``kodebok.bench`` reports (seconds, throughput, unit,
detail). The limits they are judged by: NLP pass ≥ 50% of bare spaCy tokenisation speed; one
segment's suggestions < 20 ms; training on 2,000 coded segments < 30 s; suggestions for 10,000
uncoded segments < 30 s.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kodebok.nlp import corpus
from kodebok.store import Project


def _texts(project: Project, limit: int | None = None) -> list[tuple[str, str]]:
    sql = (
        "SELECT s.text, d.language FROM segments s JOIN documents d ON d.id = s.document_id "
        "ORDER BY s.id"
    )
    rows = project.conn.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
    return [(r[0], "nn" if r[1] == "nn" else "nb") for r in rows]


def pass_ratio(texts: Sequence[tuple[str, str]], repeats: int = 3) -> dict[str, Any]:
    """Features pass vs bare ``spacy.blank("nb").pipe`` tokenisation over the same texts.

    Each is timed ``repeats`` times, alternating, and the best time counts (the machine's noise
    only ever adds time). Caches are emptied before every features run, so dictionary lookups
    are paid each time.
    """
    import spacy

    from kodebok.nlp.features import FeatureExtractor

    bare = spacy.blank("nb")
    extractor = FeatureExtractor()
    extractor.features(list(texts[:50]))  # loads the dictionaries once, outside the timing
    plain = [t for t, _ in texts]
    words = sum(len(t.split()) for t in plain)
    bare_times: list[float] = []
    ours: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _doc in bare.pipe(plain, batch_size=256):
            pass
        bare_times.append(time.perf_counter() - started)
        extractor = FeatureExtractor()
        extractor.lexicon._cache.clear()
        started = time.perf_counter()
        extractor.features(list(texts))
        ours.append(time.perf_counter() - started)
    best_bare, best_ours = min(bare_times), min(ours)
    return {
        "seconds": round(best_ours, 3),
        "throughput": round(words / best_ours, 1),
        "unit": "words/s",
        "ratio_to_bare_tokenisation": round(best_bare / best_ours, 3),
        "detail": (
            f"{len(texts)} segments, {words} words; bare tokenisation {best_bare:.3f} s, "
            f"features {best_ours:.3f} s (ratio {best_bare / best_ours:.2f}, target ≥ 0.5)"
        ),
    }


def measure_nlp_pass(path: Path, repeats: int = 3) -> dict[str, Any]:
    """The NLP pass ratio on the project's segments, then the stored pass itself."""
    with Project.open(path) as project:
        figures = pass_ratio(_texts(project), repeats)
        started = time.perf_counter()
        n = corpus.store_features(project, recompute=True)
        figures["detail"] += (
            f"; stored lemmas of {n} segments in {time.perf_counter() - started:.2f} s"
        )
    return figures


def _engine(project: Project) -> Any:
    from kodebok.nlp.engine import build_engine

    corpus.store_features(project)
    return build_engine(project, cache=False)


def measure_training(path: Path, n_coded: int = 2000) -> dict[str, Any]:
    """Training the learned model on (up to) ``n_coded`` coded segments."""
    from kodebok.nlp.learned import train

    with Project.open(path) as project:
        corpus.store_features(project)
        accepted, rejected = corpus.feedback_sets(project)
        examples = corpus.training_examples(corpus.segments(project), accepted, rejected)
    examples = examples[:n_coded]
    started = time.perf_counter()
    model = train(examples)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "throughput": round(len(examples) / seconds, 1),
        "unit": "segments/s",
        "detail": (
            f"{len(examples)} coded segments, {len(model.code_ids)} codes learned, "
            f"{len(model.vocabulary.terms)} terms (limit 30 s for 2,000)"
        ),
    }


def measure_latency(path: Path, samples: int = 200, seed: int = 1) -> dict[str, Any]:
    """Milliseconds for one segment's suggestions once the suggesters are built (as in the TUI)."""
    with Project.open(path) as project:
        started = time.perf_counter()
        engine = _engine(project)
        build = time.perf_counter() - started
        segments = [s for s in corpus.segments(project) if not s.interviewer]
    rng = random.Random(seed)
    chosen = rng.sample(segments, min(samples, len(segments)))
    times: list[float] = []
    for seg in chosen:
        started = time.perf_counter()
        engine.suggest(seg.features, top=3, exclude=seg.codes, segment_id=seg.id)
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    median = statistics.median(ordered) if ordered else 0.0
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0
    return {
        "seconds": round(sum(times) / 1000, 3),
        "throughput": round(len(times) / max(sum(times) / 1000, 1e-9), 1),
        "unit": "segments/s",
        "detail": (
            f"median {median:.2f} ms, p95 {p95:.2f} ms per segment over {len(times)} segments "
            f"(limit 20 ms); building the suggesters took {build:.2f} s"
        ),
    }


def measure_suggest_uncoded(path: Path, limit: int = 10_000) -> dict[str, Any]:
    """Suggestions for up to ``limit`` uncoded informant segments, suggesters built included."""
    with Project.open(path) as project:
        started = time.perf_counter()
        engine = _engine(project)
        _, rejected = corpus.feedback_sets(project)
        pool = [s for s in corpus.segments(project) if not s.codes and not s.interviewer]
        pool = pool[:limit]
        for seg in pool:
            engine.suggest(
                seg.features, top=3, exclude=rejected.get(seg.id, set()), segment_id=seg.id
            )
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "throughput": round(len(pool) / seconds, 1),
        "unit": "segments/s",
        "detail": f"{len(pool)} uncoded informant segments (limit 30 s for 10,000)",
    }
