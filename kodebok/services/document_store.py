"""Writing a parsed document's rows: its speakers, segments (with lemmas) and attributes.

Shared by :mod:`kodebok.services.documents` (a new document) and
:mod:`kodebok.services.revision` (a revised one), which both sit above this module; it
imports neither, so the two do not import each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kodebok.errors import KodebokError
from kodebok.ingest.model import ParsedDocument
from kodebok.store import Project
from kodebok.store.segments import insert_segments

SegmentLemmas = Callable[[Sequence[str], str | None], list[str]]


@dataclass
class ImportResult:
    """What happened to one file: imported, unchanged, updated or failed (with a message)."""

    source: str
    status: str
    name: str = ""
    segments: int = 0
    speakers: int = 0
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    # the failure's KodebokError code, for front ends that act on it ("import.revised")
    code: str = ""
    # its parameters, so the TUI can say it in its own language (kodebok.i18n.render); left out
    # of the CLI's JSON, which keeps the English ``message``
    params: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class ImportOptions:
    """What the researcher chose for an import, passed from the front end to store_parsed.

    ``case``, ``kind`` and ``language`` override the file's front matter; ``attributes`` are
    added to it; ``update`` lets a revised text replace a document of the same name;
    ``coder`` is who the journal names (empty: "import").
    """

    case: str | None = None
    kind: str | None = None
    attributes: dict[str, str] | None = None
    language: str | None = None
    update: bool = False
    coder: str = ""


def sha256_text(text: str) -> str:
    """Content hash of a normalised text (documents are matched by it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def segment_lemmas(
    parsed: ParsedDocument, language: str | None, features: SegmentLemmas | None
) -> tuple[Sequence[str | None], str | None]:
    """The lemmas of a parsed document's segments, computed before its transaction so they
    are stored with the segments (and the features stamp they were made with).

    Without ``features``, or when the NLP layer fails, every segment gets None: the import's
    NLP pass after the transaction tries again and reports why.
    """
    none: list[str | None] = [None] * len(parsed.turns)
    if features is None:
        return none, None
    try:
        lemmas = features([parsed.text[t.start : t.end] for t in parsed.turns], language)
        from kodebok.nlp.stamp import features_stamp

        return list(lemmas), features_stamp()
    except Exception:  # the NLP pass after the import tries again and reports the cause
        return none, None


def _with_default_speaker(parsed: ParsedDocument) -> ParsedDocument:
    """A document without labels but with ``speaker:`` in its front matter is that person's.

    An intervjurapport is the informant's account and a self-report is the kommune's, so its
    paragraphs count for that speaker's role in matrices and quotes.
    """
    label = parsed.metadata.get("speaker")
    if not isinstance(label, str) or not label.strip():
        return parsed
    if any(t.speaker for t in parsed.turns):
        return parsed
    from dataclasses import replace

    turns = tuple(replace(t, speaker=label.strip()) for t in parsed.turns)
    return replace(parsed, turns=turns)


def _insert_speakers(project: Project, doc_id: int, parsed: ParsedDocument) -> dict[str, int]:
    """One speaker row per label; attributes from front matter ``speakers:``."""
    conn = project.conn
    declared = parsed.metadata.get("speakers")
    declared = declared if isinstance(declared, dict) else {}
    labels: list[str] = []
    for turn in parsed.turns:
        if turn.speaker is not None and turn.speaker not in labels:
            labels.append(turn.speaker)
    ids: dict[str, int] = {}
    for label in labels:
        attrs = declared.get(label)
        attrs = attrs if isinstance(attrs, dict) else {}
        interviewer = label in parsed.interviewers or bool(attrs.get("interviewer"))
        cur = conn.execute(
            "INSERT INTO speakers(document_id, label, interviewer) VALUES (?,?,?)",
            (doc_id, label, int(interviewer)),
        )
        sid = int(cur.lastrowid or 0)
        ids[label] = sid
        for key, value in attrs.items():
            if key != "interviewer" and value is not None:
                set_attribute(project, "speaker", sid, str(key), str(value))
    return ids


def _insert_segments(
    project: Project,
    doc_id: int,
    parsed: ParsedDocument,
    speaker_ids: dict[str, int],
    lemmas: Sequence[str | None],
) -> None:
    rows = [
        (
            doc_id,
            idx,
            t.start,
            t.end,
            speaker_ids.get(t.speaker) if t.speaker is not None else None,
            t.t_start,
            t.t_end,
            parsed.text[t.start : t.end],
            lemma,
        )
        for idx, (t, lemma) in enumerate(zip(parsed.turns, lemmas, strict=True))
    ]
    insert_segments(project.conn, rows)


def set_attribute(project: Project, kind: str, entity_id: int, name: str, value: str) -> None:
    """Set (or with an empty value, clear) one attribute of a case, document or speaker."""
    name = name.strip()
    if not name:
        raise KodebokError("an attribute needs a name", code="document_store.attribute_needs_name")
    with project.transaction() as conn:
        if value == "":
            conn.execute(
                "DELETE FROM attributes WHERE entity_kind=? AND entity_id=? AND name=?",
                (kind, entity_id, name),
            )
            return
        conn.execute(
            "INSERT INTO attributes(entity_kind, entity_id, name, value, type) VALUES (?,?,?,?,?) "
            "ON CONFLICT(entity_kind, entity_id, name) DO UPDATE SET value = excluded.value, "
            "type = excluded.type",
            (kind, entity_id, name, value, _attribute_type(value)),
        )


def _attribute_type(value: str) -> str:
    try:
        int(value)
        return "integer"
    except ValueError:
        pass
    try:
        float(value.replace(",", "."))
        return "number"
    except ValueError:
        return "text"
