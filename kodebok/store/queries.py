"""Read queries that return models, and name resolution with nearest-match hints."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from kodebok.errors import UnknownItem
from kodebok.models import Case, Code, Coding, Document, Segment, Speaker
from kodebok.store.project import Project

M = TypeVar("M", Code, Coding, Document, Segment)

SQLITE_INT_MAX = 2**63 - 1  # SQLite's INTEGER is 64-bit signed; a larger Python int overflows


def fits_sqlite(value: int) -> bool:
    """True when ``value`` can be bound as an SQLite INTEGER (else sqlite3 raises OverflowError)."""
    return -SQLITE_INT_MAX - 1 <= value <= SQLITE_INT_MAX


def as_id(ref: str | int) -> int | None:
    """``ref`` as a row id when it is a plain ASCII number that fits SQLite, else None."""
    if isinstance(ref, int):
        return ref if fits_sqlite(ref) else None
    text = str(ref)
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if fits_sqlite(value) else None


def _short(value: int) -> str:
    """A number for a message, shortened when it is absurdly long."""
    text = str(value)
    return text if len(text) <= 20 else f"{text[:12]}…({len(text)} digits)"


def nearest(name: str, choices: Iterable[str], limit: int = 3) -> list[str]:
    """The choices most similar to ``name`` (for 'did you mean' hints)."""
    from rapidfuzz import fuzz, process, utils

    found = process.extract(
        name, list(choices), scorer=fuzz.WRatio, processor=utils.default_process, limit=limit
    )
    return [str(choice) for choice, score, _ in found if score >= 50]


def _model(cls: type[M], row: sqlite3.Row, **computed: Any) -> M:
    """A model from a row whose columns have its fields' names; ``computed`` gives the fields
    that are not stored as they are (JSON, paths)."""
    return cls(
        **{f.name: computed[f.name] if f.name in computed else row[f.name] for f in fields(cls)}
    )


def _hint(kind: str, name: str, choices: Iterable[str]) -> str:
    near = nearest(name, choices)
    message = f"unknown {kind} '{name}'"
    if near:
        message += "; did you mean " + ", ".join(f"'{n}'" for n in near) + "?"
    return message


# -- documents -----------------------------------------------------------------------------


def _document(row: sqlite3.Row) -> Document:
    return _model(Document, row, metadata=json.loads(row["metadata"] or "{}"))


def documents(project: Project) -> list[Document]:
    """All documents, by name."""
    return [_document(r) for r in project.conn.execute("SELECT * FROM documents ORDER BY name")]


def document(project: Project, ref: str | int) -> Document:
    """A document by name or id; UnknownItem with nearest names otherwise."""
    conn = project.conn
    row = conn.execute("SELECT * FROM documents WHERE name = ?", (str(ref),)).fetchone()
    if row is None and (row_id := as_id(ref)) is not None:
        row = conn.execute("SELECT * FROM documents WHERE id = ?", (row_id,)).fetchone()
    if row is None:
        names = [r[0] for r in conn.execute("SELECT name FROM documents")]
        raise UnknownItem(
            _hint("document", str(ref), names),
            code="lookup.unknown_document_near"
            if (near := nearest(str(ref), names))
            else "lookup.unknown_document",
            name=str(ref),
            near=near,
        )
    return _document(row)


def document_by_sha(project: Project, sha256: str) -> Document | None:
    """The document with this normalised-text hash, if any."""
    row = project.conn.execute("SELECT * FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
    return _document(row) if row else None


# -- segments and speakers -----------------------------------------------------------------


def _segment(row: sqlite3.Row) -> Segment:
    return _model(Segment, row)


def segments(project: Project, document_id: int) -> list[Segment]:
    """The segments of one document in order."""
    return [
        _segment(r)
        for r in project.conn.execute(
            "SELECT * FROM segments WHERE document_id = ? ORDER BY idx", (document_id,)
        )
    ]


def segment(project: Project, document_id: int, idx: int) -> Segment:
    """One segment by its 0-based index in a document.

    The error names the segment by its number (``idx + 1``, the ``#N`` people read and type)
    and the range of numbers the document has.
    """
    row = None
    if fits_sqlite(idx):
        row = project.conn.execute(
            "SELECT * FROM segments WHERE document_id = ? AND idx = ?", (document_id, idx)
        ).fetchone()
    if row is None:
        n = project.conn.execute(
            "SELECT COUNT(*) FROM segments WHERE document_id = ?", (document_id,)
        ).fetchone()[0]
        name = project.conn.execute(
            "SELECT name FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        where = f"'{name[0]}'" if name else "this document"
        numbered = f"numbered 1–{n}" if n else "none"
        raise UnknownItem(
            f"no segment {_short(idx + 1)} in {where} (it has {n} segments, {numbered})",
            code="queries.segment_has_segments",
            short=_short(idx + 1),
            where=where,
            n=n,
            numbered=numbered,
        )
    return _segment(row)


def segment_by_id(project: Project, segment_id: int) -> Segment:
    """One segment by id."""
    if not fits_sqlite(segment_id):
        raise UnknownItem(
            f"no segment with id {_short(segment_id)}",
            code="queries.segment_id",
            short=_short(segment_id),
        )
    row = project.conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
    if row is None:
        raise UnknownItem(
            f"no segment with id {segment_id}", code="queries.segment_id_2", segment_id=segment_id
        )
    return _segment(row)


def attributes_of(project: Project, kind: str, ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Attributes per entity id for entities of one kind (case, document, speaker, person)."""
    out: dict[int, dict[str, str]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = project.conn.execute(
        "SELECT entity_id, name, value FROM attributes WHERE entity_kind = ?", (kind,)
    )
    for r in rows:
        if r["entity_id"] in out:
            out[r["entity_id"]][r["name"]] = r["value"] if r["value"] is not None else ""
    return out


def speakers(project: Project, document_id: int | None = None) -> list[Speaker]:
    """Speakers of one document, or of all documents, with their attributes."""
    sql = "SELECT * FROM speakers"
    params: tuple[int, ...] = ()
    if document_id is not None:
        sql += " WHERE document_id = ?"
        params = (document_id,)
    rows = list(project.conn.execute(sql + " ORDER BY document_id, id", params))
    attrs = attributes_of(project, "speaker", [r["id"] for r in rows])
    return [
        Speaker(r["id"], r["document_id"], r["label"], bool(r["interviewer"]), attrs[r["id"]])
        for r in rows
    ]


# -- cases ---------------------------------------------------------------------------------


def cases(project: Project) -> list[Case]:
    """All cases with their attributes, by name."""
    rows = list(project.conn.execute("SELECT * FROM cases ORDER BY name"))
    attrs = attributes_of(project, "case", [r["id"] for r in rows])
    return [Case(r["id"], r["name"], r["memo"], attrs[r["id"]]) for r in rows]


def case(project: Project, ref: str | int) -> Case:
    """A case by name or id."""
    conn = project.conn
    row = conn.execute("SELECT * FROM cases WHERE name = ?", (str(ref),)).fetchone()
    if row is None and (row_id := as_id(ref)) is not None:
        row = conn.execute("SELECT * FROM cases WHERE id = ?", (row_id,)).fetchone()
    if row is None:
        raise UnknownItem(
            _hint(
                "case", str(ref), cases := [r[0] for r in conn.execute("SELECT name FROM cases")]
            ),
            code="lookup.unknown_case_near"
            if (near := nearest(str(ref), cases))
            else "lookup.unknown_case",
            name=str(ref),
            near=near,
        )
    attrs = attributes_of(project, "case", [row["id"]])
    return Case(row["id"], row["name"], row["memo"], attrs[row["id"]])


# -- codes ---------------------------------------------------------------------------------


def codes(project: Project) -> list[Code]:
    """All codes in tree order (depth first, by position), each with its path."""
    rows = list(project.conn.execute("SELECT * FROM codes ORDER BY position, id"))
    children: dict[int | None, list[sqlite3.Row]] = {}
    for r in rows:
        children.setdefault(r["parent_id"], []).append(r)
    out: list[Code] = []
    # Depth first with an explicit stack: a very deep tree (a file with a 1,000-level path)
    # must not hit Python's recursion limit.
    stack: list[tuple[sqlite3.Row, str]] = [(r, "") for r in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        r, prefix = stack.pop()
        if r["id"] in seen:
            continue
        seen.add(r["id"])
        path = f"{prefix}/{r['name']}" if prefix else r["name"]
        out.append(_model(Code, r, path=path, keywords=tuple(json.loads(r["keywords"]))))
        stack.extend((child, path) for child in reversed(children.get(r["id"], [])))
    return out


def code(project: Project, ref: str, all_codes: list[Code] | None = None) -> Code:
    """A code by path, by bare name when unique, or by id; UnknownItem with hints otherwise."""
    items = all_codes if all_codes is not None else codes(project)
    ref = ref.strip().strip("/")
    for c in items:
        if c.path == ref:
            return c
    by_name = [c for c in items if c.name == ref]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise UnknownItem(
            f"code name '{ref}' is ambiguous: "
            + ", ".join(f"'{c.path}'" for c in by_name)
            + "; give the full path",
            code="lookup.ambiguous_code",
            name=ref,
            paths=[c.path for c in by_name],
        )
    tail = [c for c in items if c.path.endswith("/" + ref)]
    if len(tail) == 1:  # a unique end of a path: "Medvirkning/Tillitsvalgte"
        return tail[0]
    folded = [
        c
        for c in items
        if c.path.casefold() == ref.casefold() or c.name.casefold() == ref.casefold()
    ]
    if len(folded) == 1:
        return folded[0]
    if (code_id := as_id(ref)) is not None:
        for c in items:
            if c.id == code_id:
                return c
    raise UnknownItem(
        _hint("code", ref, paths := [c.path for c in items]),
        code="lookup.unknown_code_near" if (near := nearest(ref, paths)) else "lookup.unknown_code",
        name=ref,
        near=near,
    )


def descendants(all_codes: Sequence[Code], code_id: int) -> list[int]:
    """Ids of a code and all codes below it."""
    kids: dict[int | None, list[int]] = {}
    for c in all_codes:
        kids.setdefault(c.parent_id, []).append(c.id)
    out: list[int] = []
    stack = [code_id]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(kids.get(current, []))
    return out


# -- codings -------------------------------------------------------------------------------


def _coding(row: sqlite3.Row) -> Coding:
    return _model(Coding, row)


def codings(
    project: Project,
    *,
    document_id: int | None = None,
    segment_id: int | None = None,
    code_id: int | None = None,
    coder: str | None = None,
) -> list[Coding]:
    """Codings filtered by document, segment, code and coder, in document order."""
    where: list[str] = []
    params: list[object] = []
    for col, val in (
        ("document_id", document_id),
        ("segment_id", segment_id),
        ("code_id", code_id),
        ("coder", coder),
    ):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    sql = "SELECT * FROM codings"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += ' ORDER BY document_id, start, "end", id'
    return [_coding(r) for r in project.conn.execute(sql, params)]


def coders(project: Project) -> list[str]:
    """Everyone who has codings in the project."""
    return [r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings ORDER BY coder")]
