"""Storing a parsed document, and listing documents, segments and speakers.

The import command itself (files and folders, by format) is :mod:`kodebok.services.importing`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kodebok.errors import DocumentReadError, KodebokError
from kodebok.ingest.model import ParsedDocument
from kodebok.models import Segment
from kodebok.notes import Change
from kodebok.services.document_store import (
    ImportOptions as ImportOptions,
)
from kodebok.services.document_store import (
    ImportResult as ImportResult,
)
from kodebok.services.document_store import (
    SegmentLemmas as SegmentLemmas,
)
from kodebok.services.document_store import (
    _insert_segments,
    _insert_speakers,
    _with_default_speaker,
    segment_lemmas,
)
from kodebok.services.document_store import (
    set_attribute as set_attribute,
)
from kodebok.services.document_store import (
    sha256_text as sha256_text,
)
from kodebok.services.workspace import Progress, coding_progress, document_words
from kodebok.store import Project, now_iso
from kodebok.store import queries as q

# Front-matter keys that are columns or structure, not free document attributes.
_STRUCTURAL_KEYS = {"case", "kind", "language", "speakers", "speaker", "name"}


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to import: files as given, folders expanded to the supported files inside them."""
    from kodebok.ingest import iter_supported_files

    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(iter_supported_files(p))
        else:
            out.append(p)
    return out


def read_any(path: Path) -> ParsedDocument:
    """Read one file with the ingest layer, turning OS errors into DocumentReadError."""
    from kodebok.ingest import read_document

    if not path.exists():
        raise DocumentReadError(f"{path}: no such file", code="documents.such_file", path=path)
    try:
        return read_document(path)
    except OSError as exc:
        raise DocumentReadError(
            f"{path}: cannot read the file ({exc.strerror})",
            code="documents.read_file",
            path=path,
            strerror=exc.strerror,
        ) from exc


def store_parsed(
    project: Project,
    parsed: ParsedDocument,
    options: ImportOptions | None = None,
    *,
    features: SegmentLemmas | None = None,
    same_text_ok: bool = False,
) -> ImportResult:
    """Store a parsed document (new, unchanged or revised), as ``options`` say.

    A text already in the project is "unchanged", unless ``same_text_ok`` (a REFI-QDA project
    may hold two sources with the same text, each with its own codings).

    With ``features``, a new document's segments are stored with their lemmas, so SQLite's
    full-text index reads each segment once; if the NLP layer fails they are stored without,
    and the import's NLP pass tries again and reports why.
    """
    opts = options or ImportOptions()
    if not parsed.text.strip():
        raise DocumentReadError(
            f"{parsed.source}: the document has no text",
            code="documents.document_has_text",
            parsed_source=parsed.source,
        )
    sha = sha256_text(parsed.text)
    same = None if same_text_ok else q.document_by_sha(project, sha)
    if same is not None:
        return ImportResult(
            parsed.source,
            "unchanged",
            same.name,
            message=f"already imported as '{same.name}' (same text)",
        )
    name = parsed.name
    existing = project.conn.execute("SELECT id FROM documents WHERE name = ?", (name,)).fetchone()
    if existing is not None:
        if not opts.update:
            raise DocumentReadError(
                f"{parsed.source}: a document named '{name}' with different text is already in "
                "the project; use --update to import the revised version (codings are kept)",
                code="import.revised",
                name=name,
            )
        from kodebok.services.revision import update_document

        return update_document(
            project, int(existing[0]), parsed, coder=opts.coder, features=features
        )
    meta = dict(parsed.metadata)
    parsed = _with_default_speaker(parsed)
    case_name = opts.case or _str_or_none(meta.get("case"))
    doc_kind = opts.kind or _str_or_none(meta.get("kind")) or parsed.kind
    doc_lang = opts.language or _str_or_none(meta.get("language")) or parsed.language or "nb"
    lemmas, stamp = segment_lemmas(parsed, doc_lang, features)
    # journaled with capture, so that undo removes the document with everything it brought
    # (segments, speakers, case, attributes); inside a .qdpx import this joins its operation
    what = Change("import_document", name=name)
    with project.operation(opts.coder or "import", "import", what, capture=True):
        conn = project.conn
        if stamp is not None:  # a new project's lemmas are current (an older stamp stays)
            from kodebok.nlp.stamp import FEATURES_SETTING

            conn.execute(
                "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)",
                (FEATURES_SETTING, stamp),
            )
        case_id = ensure_case(project, case_name) if case_name else None
        cur = conn.execute(
            "INSERT INTO documents(name, kind, language, case_id, text, sha256, source, "
            "imported_at, metadata) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                name,
                doc_kind,
                doc_lang,
                case_id,
                parsed.text,
                sha,
                Path(parsed.source).name,
                now_iso(),
                json.dumps(_jsonable(meta), ensure_ascii=False),
            ),
        )
        doc_id = int(cur.lastrowid or 0)
        speaker_ids = _insert_speakers(project, doc_id, parsed)
        _insert_segments(project, doc_id, parsed, speaker_ids, lemmas)
        doc_attrs = {
            k: str(v)
            for k, v in meta.items()
            if k not in _STRUCTURAL_KEYS and not isinstance(v, dict | list)
        }
        doc_attrs.update(opts.attributes or {})
        for key, value in doc_attrs.items():
            set_attribute(project, "document", doc_id, key, value)
    return ImportResult(parsed.source, "imported", name, len(parsed.turns), len(speaker_ids))


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


STANDARD_KINDS = ("intervju", "fokusgruppe", "egenrapport", "intervjurapport", "dokument")
"""Document kinds kodebok itself uses or guesses; a project may add its own (--new-kind)."""


def known_kinds(project: Project) -> list[str]:
    """The standard kinds and every kind a document in the project has."""
    rows = project.conn.execute("SELECT DISTINCT kind FROM documents WHERE kind IS NOT NULL")
    return sorted(set(STANDARD_KINDS) | {str(r[0]) for r in rows if r[0]})


def check_kind(project: Project, kind: str, *, allow_new: bool = False) -> str:
    """Refuse an empty kind, a known kind in other letters, and a new kind without ``allow_new``.

    Kinds are compared exactly (matrix groups, --kind filters): 'Intervju' beside 'intervju'
    would split one group in two, and a typo would make a group of one.
    """
    problem = kind_problem(kind, known_kinds(project), allow_new=allow_new, what="--kind")
    if problem:
        raise KodebokError(problem)
    return kind


def kind_problem(
    kind: str, known: Sequence[str], *, allow_new: bool, what: str = "kind"
) -> str | None:
    """Why ``kind`` is refused given the ``known`` kinds (see check_kind), or None."""
    from kodebok.store.queries import nearest

    if not kind.strip():
        return f"{what} is empty; known kinds: {', '.join(known)}"
    if kind in known:
        return None
    same = [k for k in known if k.casefold() == kind.strip().casefold()]
    if same:
        return (
            f"{what} {kind!r}: the project writes this kind as {same[0]!r}; use that spelling "
            "(kinds are compared exactly)"
        )
    if allow_new:
        return None
    near = nearest(kind, known)
    hint = f"did you mean {', '.join(repr(n) for n in near)}? " if near else ""
    return (
        f"{what} {kind!r} is not a kind this project knows ({', '.join(known)}); {hint}"
        "add --new-kind to introduce it"
    )


def ensure_case(project: Project, name: str) -> int:
    """The id of the case with this name, creating it if needed."""
    name = name.strip()
    if not name:
        raise KodebokError("a case needs a name", code="documents.case_needs_name")
    with project.transaction() as conn:
        row = conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row[0])
        cur = conn.execute("INSERT INTO cases(name) VALUES (?)", (name,))
        return int(cur.lastrowid or 0)


@dataclass(frozen=True)
class DocumentSummary:
    """One line of ``kodebok documents``.

    ``coded_segments`` of ``informant_segments`` is the document's progress
    (:class:`kodebok.services.workspace.Progress`, as the TUI's library shows it), ``words``
    the words of its segments (:func:`kodebok.services.workspace.document_words`).
    """

    id: int
    name: str
    case: str | None
    kind: str
    language: str
    segments: int
    speakers: int
    codings: int
    informant_segments: int
    coded_segments: int
    words: int

    @property
    def progress(self) -> Progress:
        """Coded informant turns of all informant turns."""
        return Progress(self.coded_segments, self.informant_segments)


def list_documents(project: Project, coder: str | None = None) -> list[DocumentSummary]:
    """Documents with their case, kind and counts; progress counts ``coder``'s codings if given."""
    rows = project.conn.execute(
        """
        SELECT d.id, d.name, c.name AS case_name, d.kind, d.language,
          (SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id) AS n_segments,
          (SELECT COUNT(*) FROM speakers s WHERE s.document_id = d.id) AS n_speakers,
          (SELECT COUNT(*) FROM codings k WHERE k.document_id = d.id) AS n_codings
        FROM documents d LEFT JOIN cases c ON c.id = d.case_id
        ORDER BY c.name IS NULL, c.name, d.name
        """
    ).fetchall()
    progress = coding_progress(project, coder)
    words = document_words(project)
    return [
        DocumentSummary(
            r["id"],
            r["name"],
            r["case_name"],
            r["kind"],
            r["language"],
            r["n_segments"],
            r["n_speakers"],
            r["n_codings"],
            progress.get(r["id"], Progress(0, 0)).total,
            progress.get(r["id"], Progress(0, 0)).coded,
            words.get(r["id"], 0),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class SegmentRow:
    """One line of ``kodebok segments``."""

    id: int
    document: str
    idx: int
    speaker: str | None
    interviewer: bool
    start: int
    end: int
    text: str
    t_start: float | None


def list_segments(project: Project, document: str | None = None) -> list[SegmentRow]:
    """Segments of one document (or all), in order, with speaker labels."""
    sql = (
        'SELECT s.id, d.name, s.idx, sp.label, sp.interviewer, s.start, s."end", s.text, '
        "s.t_start FROM segments s JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN speakers sp ON sp.id = s.speaker_id"
    )
    params: tuple[Any, ...] = ()
    if document is not None:
        doc = q.document(project, document)
        sql += " WHERE s.document_id = ?"
        params = (doc.id,)
    sql += " ORDER BY d.name, s.idx"
    return [
        SegmentRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8])
        for r in project.conn.execute(sql, params)
    ]


def delete_document(project: Project, document: str) -> int:
    """Delete a document with its segments, speakers and codings; returns codings removed."""
    from kodebok.store.backup import backup_project

    doc = q.document(project, document)
    n = project.conn.execute(
        "SELECT COUNT(*) FROM codings WHERE document_id = ?", (doc.id,)
    ).fetchone()[0]
    backup_project(project, reason=f"before-delete-{doc.name}")
    with project.transaction() as conn:
        conn.execute("DELETE FROM documents WHERE id = ?", (doc.id,))
    return int(n)


def segment_at(project: Project, document: str, number: int) -> Segment:
    """Turn ``number`` of a document as people read and type it (1-based, the ``#N`` of the
    coding screen); an unknown document or number is an error naming the range."""
    doc = q.document(project, document)
    return q.segment(project, doc.id, number - 1)
