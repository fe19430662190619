"""The benchmark stages: each measures one step of the researcher's path on the bench corpus."""

from __future__ import annotations

import csv
import importlib
import random
import shutil
import statistics
import time
from typing import Any

from kodebok.bench.generator import code_paths, write_corpus
from kodebok.bench.runner import BenchContext, StageFn, StageUnavailable
from kodebok.store import Project

CODER_A, CODER_B = "bench_a", "bench_b"


def _need(module: str) -> Any:
    """Import a feature module or report the stage as not available."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if (
            exc.name
            and module.startswith(exc.name.split(".")[0])
            and exc.name.startswith("kodebok")
        ):
            raise StageUnavailable(f"{module} is not in this installation") from exc
        raise


def pipeline_name() -> str:
    """The NLP pipeline the bench will use (without loading spaCy in the parent process)."""
    try:
        mod = importlib.import_module("kodebok.nlp.pipeline")
    except ModuleNotFoundError:
        return "not available"
    name = getattr(mod, "pipeline_choice", None)
    return str(name()) if callable(name) else "see kodebok doctor"


def _words(ctx: BenchContext) -> int:
    with Project.open(ctx.project) as p:
        return int(sum(len(r[0].split()) for r in p.conn.execute("SELECT text FROM documents")))


def stage_import(ctx: BenchContext) -> dict[str, Any]:
    """Import the generated transcripts (readers, segmentation, store; no NLP pass)."""
    from kodebok.services.documents import import_paths

    corpus = ctx.folder / "corpus"
    files = write_corpus(ctx.scale, corpus, ctx.seed)
    project = Project.create(ctx.project)
    started = time.perf_counter()
    results = import_paths(project, files, nlp=False)
    seconds = time.perf_counter() - started
    project.close()
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} files failed: {failed[0].message}")
    words = _words(ctx)
    size_mb = ctx.project.stat().st_size / 1e6
    return {
        "seconds": round(seconds, 3),
        "throughput": round(words / seconds, 1),
        "unit": "words/s",
        "detail": f"{len(files)} files, {words} words, project file {size_mb:.1f} MB",
    }


def stage_codings(ctx: BenchContext) -> dict[str, Any]:
    """Add codings (about one per two segments; a second coder on 20% of documents)."""
    from kodebok.services.codes import create_code
    from kodebok.services.coding import import_codings_table

    rng = random.Random(ctx.seed)
    project = Project.open(ctx.project)
    for path in code_paths(ctx.scale.codes):
        create_code(project, path, coder=CODER_A)
    leaves = [
        r[0]
        for r in project.conn.execute(
            "SELECT c.id FROM codes c WHERE NOT EXISTS (SELECT 1 FROM codes k WHERE k.parent_id = c.id)"
        )
    ]
    from kodebok.store import queries as q

    paths = {c.id: c.path for c in q.codes(project)}
    segs = project.conn.execute(
        "SELECT d.name, s.idx, s.document_id FROM segments s JOIN documents d ON d.id = "
        "s.document_id JOIN speakers sp ON sp.id = s.speaker_id WHERE sp.interviewer = 0"
    ).fetchall()
    project.close()
    table = ctx.folder / "codings.csv"
    n = 0
    with table.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["document", "segment_idx", "code", "coder"])
        for name, idx, doc_id in segs:
            # informant turns are half of all segments: one coding per informant turn ≈ 1 per 2
            code = paths[rng.choice(leaves)]
            writer.writerow([name, idx, code, CODER_A])
            n += 1
            if doc_id % 5 == 0:
                other = code if rng.random() < 0.7 else paths[rng.choice(leaves)]
                writer.writerow([name, idx, other, CODER_B])
                n += 1
    project = Project.open(ctx.project)
    started = time.perf_counter()
    result = import_codings_table(project, table, coder=CODER_A)
    seconds = time.perf_counter() - started
    project.close()
    return {
        "seconds": round(seconds, 3),
        "throughput": round(result.added / seconds, 1),
        "unit": "codings/s",
        "detail": f"{result.added} codings of {n} rows",
    }


def stage_search(ctx: BenchContext) -> dict[str, Any]:
    """Full-text searches (FTS5) for 50 frequent words."""
    search = _need("kodebok.services.search")
    rng = random.Random(ctx.seed)
    words = [
        "styringskort",
        "tillitsvalgte",
        "rapportering",
        "lederavtale",
        "kommunen",
        "medvirkning",
        "tertial",
        "brukerundersøkelse",
        "ansvar",
        "ledelse",
    ]
    project = Project.open(ctx.project)
    started = time.perf_counter()
    hits = 0
    for _ in range(50):
        hits += len(search.search(project, rng.choice(words)))
    seconds = time.perf_counter() - started
    project.close()
    return {
        "seconds": round(seconds, 3),
        "throughput": round(50 / seconds, 1),
        "unit": "queries/s",
        "detail": f"{hits} hits",
    }


def stage_agreement(ctx: BenchContext) -> dict[str, Any]:
    """Agreement between the two bench coders over their shared documents."""
    from kodebok.services.team import agreement_report

    project = Project.open(ctx.project)
    started = time.perf_counter()
    report = agreement_report(project, [CODER_A, CODER_B])
    seconds = time.perf_counter() - started
    project.close()
    units = report["overall"]["n_units"]
    return {
        "seconds": round(seconds, 3),
        "throughput": round(units / seconds, 1),
        "unit": "code×units/s",
        "detail": f"{len(report['codes'])} codes, overall kappa {report['overall']['kappa']}",
    }


def stage_merge(ctx: BenchContext) -> dict[str, Any]:
    """Merge a copy of the project that has one more coder's codings."""
    from kodebok.services.team import merge_project

    other = ctx.folder / "other.kodebok"
    with Project.open(ctx.project) as p:
        p.conn.execute("VACUUM INTO ?", (str(other),))
    with Project.open(other) as o, o.transaction() as conn:
        conn.execute(
            'INSERT INTO codings(document_id, segment_id, start, "end", code_id, coder, origin, '
            "created_at) SELECT document_id, segment_id, start, \"end\", code_id, 'bench_c', "
            "'manual', created_at FROM codings WHERE coder = ?",
            (CODER_A,),
        )
        added = conn.execute("SELECT changes()").fetchone()[0]
    target = ctx.folder / "merged.kodebok"
    shutil.copy(ctx.project, target)
    project = Project.open(target)
    started = time.perf_counter()
    report = merge_project(project, other, coder=CODER_A)
    seconds = time.perf_counter() - started
    project.close()
    return {
        "seconds": round(seconds, 3),
        "throughput": round(report.codings_added / seconds, 1),
        "unit": "codings/s",
        "detail": f"{report.codings_added} of {added} codings added",
    }


def _latency_stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


STAGES: list[tuple[str, StageFn]] = [
    ("import", stage_import),
    ("codings", stage_codings),
    ("search", stage_search),
    ("agreement", stage_agreement),
    ("merge", stage_merge),
]
