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
from collections import deque
from collections.abc import Callable, Sequence
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


def pass_ratio(project: Project, repeats: int = 3) -> dict[str, Any]:
    """The NLP pass at import vs bare ``spacy.blank("nb").pipe`` tokenisation of the same texts.

    The pass is what an import runs once the segments are stored: ``store_features`` reads
    them, computes their features and writes them back, the full-text index that SQLite
    updates with them included. The segments start without lemmas, as after an import.

    Two comparisons, each the best of ``repeats`` alternating runs (noise only adds time):
    cold, as in a fresh process (new pipelines, empty caches on both sides), and warm, as when
    more documents are imported in the same session (pipelines and caches kept on both sides).
    Making a pipeline and loading the lemma dictionaries, once per process, are timed on
    neither side. The detail also gives the cold features pass alone (no SQLite).
    """
    from kodebok.nlp.features import FeatureExtractor
    from kodebok.nlp.pipeline import load_pipeline

    texts = _texts(project)
    plain = [t for t, _ in texts]
    words = sum(len(t.split()) for t in plain)
    prepare_pass()
    times: dict[str, list[float]] = {
        "bare_cold": [],
        "ours_cold": [],
        "features_cold": [],
        "bare_warm": [],
        "ours_warm": [],
    }

    def timed(key: str, run: Callable[..., object], *args: Any) -> None:
        started = time.perf_counter()
        run(*args)
        times[key].append(time.perf_counter() - started)

    bare_warm = bare_tokeniser()
    for _ in range(repeats):
        timed("bare_cold", bare_tokeniser(), plain)
        _clear_lemmas(project)
        cold_start()
        timed("ours_cold", corpus.store_features, project)
        cold_start()
        timed("features_cold", FeatureExtractor(load_pipeline()).features, texts)
        timed("bare_warm", bare_warm, plain)
        _clear_lemmas(project)
        timed("ours_warm", corpus.store_features, project)
    best = {k: min(v) for k, v in times.items()}
    cold_ratio = best["bare_cold"] / best["ours_cold"]
    warm_ratio = best["bare_warm"] / best["ours_warm"]
    features_ratio = best["bare_cold"] / best["features_cold"]
    return {
        "seconds": round(best["ours_cold"], 3),
        "throughput": round(words / best["ours_cold"], 1),
        "unit": "words/s",
        "ratio_cold": round(cold_ratio, 3),
        "ratio_warm": round(warm_ratio, 3),
        "detail": (
            f"{len(texts)} segments, {words} words; cold: bare {best['bare_cold']:.3f} s, "
            f"pass {best['ours_cold']:.3f} s (ratio {cold_ratio:.2f}); warm: bare "
            f"{best['bare_warm']:.3f} s, pass {best['ours_warm']:.3f} s (ratio "
            f"{warm_ratio:.2f}); features alone, cold: {best['features_cold']:.3f} s (ratio "
            f"{features_ratio:.2f}), the rest is reading and storing (full-text index "
            "included); target ≥ 0.5"
        ),
    }


def varied_texts(n_words: int, seed: int = 1) -> list[str]:
    """Texts of about ``n_words`` words with the vocabulary of real Norwegian text.

    The benchmark corpus repeats sentences from the sample transcripts (a few thousand
    distinct words), which flatters anything that does its work once per distinct word. Here
    words are drawn from the bokmål dictionary with Zipf's law (s = 1.07, as in running
    text): a million words hold about 80,000 distinct ones, most of them seen once or twice.
    Sentences of 10–60 words, capitalised, with commas and a full stop.
    """
    import numpy as np

    from kodebok.nlp.lexicon import dictionary

    rng = random.Random(seed)
    forms = sorted(form for form in dictionary("nb") if form.isalpha())
    rng.shuffle(forms)
    vocabulary = forms[:200_000]
    ranks = np.random.default_rng(seed).zipf(1.07, 2 * n_words)
    words = [vocabulary[r - 1] for r in ranks[ranks <= len(vocabulary)][:n_words].tolist()]
    texts: list[str] = []
    at = 0
    while at < len(words):
        sentence = words[at : at + rng.randint(10, 60)]
        at += len(sentence)
        sentence[0] = sentence[0].capitalize()
        for i in range(7, len(sentence), 9):
            sentence[i] += ","
        texts.append(" ".join(sentence) + ".")
    return texts


def varied_vocabulary_ratio(n_words: int) -> dict[str, Any]:
    """Features of ``varied_texts`` against bare tokenisation of them, both cold (one run).

    Both sides start from a new pipeline, so each pays spaCy's cost of a first sight of every
    distinct word; the features add kodebok's analysis of each (lemma, compound parts).
    """
    from kodebok.nlp.features import FeatureExtractor
    from kodebok.nlp.pipeline import load_pipeline

    texts = varied_texts(n_words)
    prepare_pass()
    tokenise = bare_tokeniser()
    started = time.process_time()
    tokenise(texts)
    bare = time.process_time() - started
    cold_start()
    extractor = FeatureExtractor(load_pipeline())
    started = time.process_time()
    extractor.texts_features(texts, "nb")
    ours = time.process_time() - started
    distinct = len({w.strip(",.").lower() for t in texts for w in t.split()})
    return {
        "bare": bare,
        "features": ours,
        "ratio": bare / max(ours, 1e-9),
        "detail": (
            f"{sum(len(t.split()) for t in texts)} words drawn from the dictionary by Zipf's "
            f"law ({distinct} distinct): bare tokenisation {bare:.2f} s, features {ours:.2f} s "
            f"of CPU time, cold (ratio {bare / max(ours, 1e-9):.2f})"
        ),
    }


def prepare_pass() -> None:
    """Load the pipeline and the lemma dictionaries (once per process, timed on neither side)."""
    from kodebok.nlp.lexicon import LANGUAGES, dictionary
    from kodebok.nlp.pipeline import load_pipeline

    load_pipeline()
    for lang in LANGUAGES:
        dictionary(lang)


def cold_start() -> None:
    """A new pipeline (its vocabulary and tokenizer cache start empty) and empty word caches,
    as in a fresh process; the lemma dictionaries stay loaded."""
    from kodebok.nlp.lexicon import shared_lexicon
    from kodebok.nlp.pipeline import load_pipeline

    load_pipeline.cache_clear()
    load_pipeline()
    shared_lexicon().clear_cache()


def bare_tokeniser() -> Callable[[Sequence[str]], None]:
    """The baseline for interleaved runs: a new ``spacy.blank("nb")`` (made here, so not timed
    with the texts); each call tokenises texts with ``pipe``."""
    import spacy

    nlp = spacy.blank("nb")

    def tokenise(texts: Sequence[str]) -> None:
        deque(nlp.pipe(texts, batch_size=256), maxlen=0)

    return tokenise


def segment_features() -> corpus.SegmentFeatures:
    """What an import computes segment lemmas with (one per import)."""
    return corpus.SegmentFeatures()


def _clear_lemmas(project: Project) -> None:
    """Segments without lemmas, as after an import."""
    with project.transaction() as conn:
        conn.execute("UPDATE segments SET lemmas = NULL WHERE lemmas IS NOT NULL")


def measure_nlp_pass(path: Path, repeats: int = 3) -> dict[str, Any]:
    """The NLP pass ratio on the project's segments (lemmas are stored when it returns)."""
    with Project.open(path) as project:
        return pass_ratio(project, repeats)


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
    """Suggestions for up to ``limit`` uncoded informant segments as ``kodebok suggest
    --uncoded`` makes them: segments read once, suggesters built (or read from the project,
    as after an earlier run), segments scored in batches."""
    from kodebok.nlp.engine import suggest_segments

    with Project.open(path) as project:
        started = time.perf_counter()
        corpus.store_features(project)
        segments = corpus.segments(project)
        pool = [s for s in segments if not s.codes and not s.interviewer][:limit]
        found = [f for _, f in suggest_segments(project, pool, top=3, every_segment=segments)]
        seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "throughput": round(len(pool) / seconds, 1),
        "unit": "segments/s",
        "detail": (
            f"{len(pool)} uncoded informant segments, {sum(1 for f in found if f)} with "
            "suggestions (limit 30 s for 10,000)"
        ),
    }
