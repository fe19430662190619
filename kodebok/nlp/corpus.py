"""Reading what the suggesters, themes and evaluation need from a project (SQL via the store)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kodebok.errors import KodebokError, ProjectReadOnly
from kodebok.nlp.features import FeatureExtractor, Features, parse_features
from kodebok.nlp.learned import Example
from kodebok.store import Project
from kodebok.store.segments import update_lemmas

# Segments per write (one UPDATE statement each: see kodebok.store.segments).
WRITE_BATCH = 5000


class NlpError(KodebokError):
    """The NLP pass or a suggester could not run (the project itself is unharmed)."""


def store_features(
    project: Project,
    document_ids: Sequence[int] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    *,
    recompute: bool = False,
) -> int:
    """Store lemmas for segments that have none (or all, with ``recompute``); returns how many."""
    sql = "SELECT s.id, s.text, d.language FROM segments s JOIN documents d ON d.id = s.document_id"
    where: list[str] = [] if recompute else ["s.lemmas IS NULL"]
    params: list[Any] = []
    if document_ids is not None:
        if not document_ids:
            return 0
        where.append(f"s.document_id IN ({','.join('?' for _ in document_ids)})")
        params.extend(document_ids)
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = project.conn.execute(sql + " ORDER BY s.id", params).fetchall()
    if not rows:
        return 0
    try:  # an installed spaCy pipeline package can fail to import
        extractor = FeatureExtractor()
    except ImportError as exc:
        raise NlpError(
            f"the NLP pipeline cannot be loaded ({exc})",
            code="nlp.nlp_pipeline_loaded",
            exc=str(exc),
        ) from exc
    done = 0
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        try:
            found = extractor.features([(r[1], _lang(r[2])) for r in batch])
        except KodebokError:
            raise
        except Exception as exc:  # spaCy failures must not surface as tracebacks
            raise NlpError(
                f"computing lemmas failed ({type(exc).__name__}: {exc})",
                code="nlp.computing_lemmas_failed",
                error_type=type(exc).__name__,
                exc=str(exc),
            ) from exc
        try:
            with project.transaction() as conn:
                update_lemmas(
                    conn, [(r[0], lemmas) for lemmas, r in zip(found, batch, strict=True)]
                )
        except ProjectReadOnly as exc:
            raise NlpError(
                f"cannot store lemmas: {exc.message}", code="nlp.store_lemmas", text=exc.message
            ) from exc
        except sqlite3.OperationalError as exc:  # e.g. a read-only project file
            raise NlpError(
                f"{project.path}: cannot store lemmas ({exc})",
                code="nlp.store_lemmas_2",
                project_path=project.path,
                exc=str(exc),
            ) from exc
        done += len(batch)
        if progress is not None:
            progress(done, len(rows), "lemmas")
    return done


class SegmentFeatures:
    """Features for the segments of documents about to be stored: one extractor (and its word
    cache) for a whole import, made on first use. An import stores each segment with its
    lemmas in one INSERT, so the full-text index takes text and lemmas once; computing them
    after the insert made SQLite index every segment's text twice."""

    def __init__(self) -> None:
        self._extractor: FeatureExtractor | None = None

    def __call__(self, texts: Sequence[str], language: str | None) -> list[str]:
        if self._extractor is None:
            self._extractor = FeatureExtractor()
        lang = _lang(language)
        return self._extractor.texts_features(texts, lang)


def _lang(language: str | None) -> str:
    return "nn" if (language or "").lower() in ("nn", "nynorsk", "nno") else "nb"


@dataclass(frozen=True)
class SegmentData:
    """A segment as the suggesters see it."""

    id: int
    document_id: int
    document: str
    idx: int
    interviewer: bool
    features: Features
    codes: frozenset[int]


def segments(
    project: Project, *, document_id: int | None = None, segment_id: int | None = None
) -> list[SegmentData]:
    """Segments (all, one document's, or one) with stored features and everyone's codes."""
    where, coding_where = "", ""
    params: tuple[int, ...] = ()
    if segment_id is not None:
        where, coding_where, params = " WHERE s.id = ?", " AND segment_id = ?", (segment_id,)
    elif document_id is not None:
        where, coding_where = " WHERE s.document_id = ?", " AND document_id = ?"
        params = (document_id,)
    codes: dict[int, set[int]] = {}
    for seg_id, code_id in project.conn.execute(
        "SELECT segment_id, code_id FROM codings WHERE segment_id IS NOT NULL" + coding_where,
        params,
    ):
        codes.setdefault(seg_id, set()).add(code_id)
    rows = project.conn.execute(
        "SELECT s.id, s.document_id, d.name, s.idx, COALESCE(sp.interviewer, 0), s.lemmas "
        "FROM segments s JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN speakers sp ON sp.id = s.speaker_id" + where + " ORDER BY d.name, s.idx",
        params,
    )
    return [
        SegmentData(
            r[0], r[1], r[2], r[3], bool(r[4]), parse_features(r[5]), frozenset(codes.get(r[0], ()))
        )
        for r in rows
    ]


def feedback_sets(project: Project) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Accepted and rejected codes per segment from suggestion feedback (latest word counts)."""
    accepted: dict[int, set[int]] = {}
    rejected: dict[int, set[int]] = {}
    for seg_id, code_id, ok in project.conn.execute(
        "SELECT segment_id, code_id, accepted FROM suggestion_feedback ORDER BY id"
    ):
        (accepted if ok else rejected).setdefault(seg_id, set()).add(code_id)
        (rejected if ok else accepted).get(seg_id, set()).discard(code_id)
    return accepted, rejected


def training_examples(
    segments: Sequence[SegmentData],
    accepted: dict[int, set[int]],
    rejected: dict[int, set[int]],
) -> list[Example]:
    """Coded segments (and segments with feedback) as training examples."""
    out: list[Example] = []
    for seg in segments:
        codes = set(seg.codes) | accepted.get(seg.id, set())
        no = rejected.get(seg.id, set())
        if not codes and not no:
            continue
        terms = tuple(seg.features.terms())
        if terms:
            out.append(Example(seg.id, terms, frozenset(codes), frozenset(no)))
    return out


_KINDS = ("speaker", "document", "case")


def group_of_segments(project: Project, by: str) -> tuple[str, dict[int, str]]:
    """The grouping's label and each segment's group (case, document, speaker or an attribute).

    An attribute is looked up on speakers, documents and cases; a name used on more than one
    kind is written ``kind:name``. Segments without a value are left out.
    """
    from kodebok.errors import KodebokError

    by = by.strip()
    conn = project.conn
    base = (
        "SELECT s.id, d.name, c.name, sp.label, s.speaker_id, s.document_id, d.case_id "
        "FROM segments s JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN cases c ON c.id = d.case_id LEFT JOIN speakers sp ON sp.id = s.speaker_id"
    )
    rows = conn.execute(base).fetchall()
    if by in ("case", "document", "speaker"):
        column = {"document": 1, "case": 2, "speaker": 3}[by]
        out = {r[0]: str(r[column]) for r in rows if r[column] is not None}
        if by == "speaker":
            out = {r[0]: f"{r[1]}: {r[3]}" for r in rows if r[3] is not None}
        return by, out
    names: dict[str, set[str]] = {k: set() for k in _KINDS}
    for kind, name in conn.execute("SELECT DISTINCT entity_kind, name FROM attributes"):
        if kind in names:
            names[kind].add(name)
    kind, _, attr = by.rpartition(":")
    owners = [kind] if kind in _KINDS and attr in names[kind] else []
    if not kind:
        owners = [k for k in _KINDS if attr in names[k]]
    if not owners:
        known = sorted(f"{k}:{n}" for k in _KINDS for n in names[k])
        raise KodebokError(
            f"unknown grouping '{by}': use case, document, speaker or an attribute"
            + (f" ({', '.join(known[:12])})" if known else " (the project has no attributes)")
        )
    if len(owners) > 1:
        forms = ", ".join(f"'{k}:{attr}'" for k in owners)
        raise KodebokError(
            f"attribute '{attr}' exists on more than one kind; write {forms}",
            code="nlp.attribute_exists_more_than",
            attr=attr,
            forms=forms,
        )
    owner = owners[0]
    values = {
        entity: value
        for entity, value in conn.execute(
            "SELECT entity_id, value FROM attributes WHERE entity_kind = ? AND name = ?",
            (owner, attr),
        )
        if value not in (None, "")
    }
    position = {"speaker": 4, "document": 5, "case": 6}[owner]
    return f"{owner}:{attr}", {
        r[0]: str(values[r[position]]) for r in rows if r[position] in values
    }
