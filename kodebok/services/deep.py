"""The deep NLP pass over a project's segments (``kodebok nlp deep``, the TUI's privacy view).

Its results are derived data like ``segments.lemmas``: written without the journal, redone
for segments whose stored results came from another pipeline.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kodebok.errors import KodebokError
from kodebok.store import Project, now_iso

WRITE_BATCH = 500
# Entity labels whose words are names of people and places (kept out of themes).
NAME_LABELS = ("PER", "PERSON", "LOC", "GPE_LOC", "GPE", "GPE_ORG")


@dataclass(frozen=True)
class DeepReport:
    """What one deep pass did."""

    pipeline: str
    ner: bool
    segments: int
    skipped: int
    words: int
    entities: int
    seconds: float

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0


def run_deep(
    project: Project,
    *,
    recompute: bool = False,
    processes: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> DeepReport:
    """Run the pipeline over every segment without current results; store them."""
    from kodebok.nlp import deep
    from kodebok.nlp.pipeline import load_pipeline

    try:
        nlp = load_pipeline()
    except KodebokError:
        raise
    except Exception as exc:  # a broken pipeline is a message, not a traceback
        raise KodebokError(
            f"the NLP pipeline cannot be loaded ({exc})",
            code="deep.nlp_pipeline_loaded",
            exc=str(exc),
        ) from exc
    stamp = deep.pipeline_stamp(nlp)
    # the segment's own text, cut by SQLite (substr counts characters, as Python's offsets
    # do): selecting the whole document text per segment held 35,480 copies of 200 texts,
    # 2.5 GB on the medium bench corpus
    sql = (
        'SELECT s.id, substr(d.text, s.start + 1, s."end" - s.start) FROM segments s '
        "JOIN documents d ON d.id = s.document_id"
    )
    if not recompute:
        sql += (
            " WHERE NOT EXISTS (SELECT 1 FROM segment_nlp n WHERE n.segment_id = s.id "
            "AND n.pipeline = ?)"
        )
    try:
        rows = project.conn.execute(
            sql + " ORDER BY s.id", () if recompute else (stamp,)
        ).fetchall()
        total = int(project.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0])
    except sqlite3.OperationalError as exc:
        raise KodebokError(
            f"{project.path}: no table for the deep pass ({exc})",
            code="deep.table_deep_pass",
            project_path=project.path,
            exc=str(exc),
        ) from exc
    texts = [str(r[1]) for r in rows]
    if processes is None:
        processes = deep.processes_for(sum(len(t.split()) for t in texts))
    words = entities = done = 0
    began = time.perf_counter()
    pending: list[tuple[int, str, str, str, str, str]] = []
    results = deep.analyse(texts, nlp, n_process=processes)
    try:
        for row, result in zip(rows, results, strict=True):
            words += result.words
            entities += len(result.entities)
            pending.append(
                (
                    int(row[0]),
                    stamp,
                    json.dumps(result.entities, ensure_ascii=False),
                    result.pos,
                    result.lemmas,
                    now_iso(),
                )
            )
            if len(pending) >= WRITE_BATCH:
                done += _write(project, pending)
                if progress is not None:
                    progress(done, len(rows), "deep pass")
        done += _write(project, pending)
    except KodebokError:
        raise
    except sqlite3.Error as exc:
        raise KodebokError(
            f"{project.path}: cannot store the deep pass ({exc})",
            code="deep.store_deep_pass",
            project_path=project.path,
            exc=str(exc),
        ) from exc
    except Exception as exc:  # spaCy failures must not surface as tracebacks
        raise KodebokError(
            f"the deep pass failed ({type(exc).__name__}: {exc})",
            code="deep.deep_pass_failed",
            error_type=type(exc).__name__,
            exc=str(exc),
        ) from exc
    if progress is not None:
        progress(done, len(rows), "deep pass")
    return DeepReport(
        pipeline=stamp,
        ner=deep.has_ner(nlp),
        segments=done,
        skipped=total - done,
        words=words,
        entities=entities,
        seconds=time.perf_counter() - began,
    )


def _write(project: Project, pending: list[tuple[int, str, str, str, str, str]]) -> int:
    if not pending:
        return 0
    with project.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO segment_nlp "
            "(segment_id, pipeline, entities, pos, lemmas, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            pending,
        )
    n = len(pending)
    pending.clear()
    return n


def deep_status(project: Project) -> dict[str, object]:
    """How many segments have deep results, and from which pipelines."""
    try:
        rows = project.conn.execute(
            "SELECT pipeline, COUNT(*) FROM segment_nlp GROUP BY pipeline"
        ).fetchall()
    except sqlite3.OperationalError:
        rows = []
    total = int(project.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0])
    return {"segments": total, "pipelines": {str(r[0]): int(r[1]) for r in rows}}


def entity_words(project: Project, labels: tuple[str, ...] = NAME_LABELS) -> set[str]:
    """Lower-case words inside stored entities of these labels (names of people and places)."""
    import re

    out: set[str] = set()
    try:
        rows = project.conn.execute(
            "SELECT s.text, n.entities FROM segment_nlp n JOIN segments s ON s.id = n.segment_id "
            "WHERE n.pipeline LIKE '%+ner' AND n.entities != '[]'"
        )
        for text, found in rows:
            for start, end, label in json.loads(found):
                if label in labels:
                    out.update(w.casefold() for w in re.findall(r"[^\W\d_]+", text[start:end]))
    except sqlite3.OperationalError:  # a schema before the deep pass
        return set()
    return out


def ner_pipeline() -> Any:
    """The pipeline (a spaCy ``Language``) when it recognises named entities, else None (the
    built-in pipeline has no recogniser: spaCy is then not even loaded)."""
    from kodebok.nlp.pipeline import pipeline_choice

    if pipeline_choice().startswith("blank"):
        return None
    from kodebok.nlp.deep import has_ner
    from kodebok.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    return nlp if has_ner(nlp) else None


def live_entities(texts: list[str]) -> list[list[tuple[int, int, str]]] | None:
    """Entities of each text from the pipeline's recogniser, or None without one."""
    nlp = ner_pipeline()
    if nlp is None:
        return None
    from kodebok.nlp.deep import analyse

    return [r.entities for r in analyse(texts, nlp)]
