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

    Two comparisons, each the best of ``repeats`` alternating runs (noise only adds time):
    cold, as in a fresh process (new pipelines, empty caches on both sides), and warm, as when
    more documents are imported in the same session (caches filled on both sides).
    """
    import spacy

    from kodebok.nlp.features import FeatureExtractor
    from kodebok.nlp.pipeline import blank_pipeline

    plain = [t for t, _ in texts]
    words = sum(len(t.split()) for t in plain)
    FeatureExtractor(blank_pipeline()).features(list(texts[:50]))  # dictionaries loaded once
    times: dict[str, list[float]] = {
        "bare_cold": [],
        "ours_cold": [],
        "bare_warm": [],
        "ours_warm": [],
    }
    bare_warm = spacy.blank("nb")
    warm = FeatureExtractor(blank_pipeline())
    for _ in range(repeats):
        bare = spacy.blank("nb")
        started = time.perf_counter()
        for _doc in bare.pipe(plain, batch_size=256):
            pass
        times["bare_cold"].append(time.perf_counter() - started)
        cold = FeatureExtractor(blank_pipeline())
        cold.lexicon.clear_cache()
        started = time.perf_counter()
        cold.features(list(texts))
        times["ours_cold"].append(time.perf_counter() - started)
        started = time.perf_counter()
        for _doc in bare_warm.pipe(plain, batch_size=256):
            pass
        times["bare_warm"].append(time.perf_counter() - started)
        started = time.perf_counter()
        warm.features(list(texts))
        times["ours_warm"].append(time.perf_counter() - started)
    best = {k: min(v) for k, v in times.items()}
    cold_ratio = best["bare_cold"] / best["ours_cold"]
    warm_ratio = best["bare_warm"] / best["ours_warm"]
    return {
        "seconds": round(best["ours_cold"], 3),
        "throughput": round(words / best["ours_cold"], 1),
        "unit": "words/s",
        "ratio_cold": round(cold_ratio, 3),
        "ratio_warm": round(warm_ratio, 3),
        "detail": (
            f"{len(texts)} segments, {words} words; cold: bare {best['bare_cold']:.3f} s, "
            f"features {best['ours_cold']:.3f} s (ratio {cold_ratio:.2f}); warm: bare "
            f"{best['bare_warm']:.3f} s, features {best['ours_warm']:.3f} s (ratio "
            f"{warm_ratio:.2f}); target ≥ 0.5"
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
