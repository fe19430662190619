"""Applying and removing codes, memos, and codings tables in and out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kodebok.errors import KodebokError, UnknownItem
from kodebok.models import Code, Document, Segment
from kodebok.notes import Change
from kodebok.services.codes import ensure_code_path
from kodebok.store import Operation, Project, now_iso
from kodebok.store import queries as q

ORIGINS = ("manual", "suggestion", "autocode", "import", "merge")


@dataclass(frozen=True)
class CodingResult:
    """The outcome of applying one code: the coding id and whether it was new."""

    coding_id: int
    created: bool
    code: Code
    segment: Segment | None


def parse_span(span: str) -> tuple[int, int]:
    """``START:END`` character offsets."""
    try:
        start_s, end_s = span.split(":", 1)
        start, end = int(start_s), int(end_s)
    except ValueError as exc:
        raise KodebokError(
            f"span '{span}' must be START:END, e.g. 120:188",
            code="coding.span_start_end",
            span=span,
        ) from exc
    if start < 0 or end <= start:
        raise KodebokError(
            f"span '{span}': END must be greater than START, both ≥ 0",
            code="coding.span_end_greater_than",
            span=span,
        )
    return start, end


def segment_for_span(project: Project, document_id: int, start: int, end: int) -> int | None:
    """The segment that contains most of a span (None if it touches no segment)."""
    row = project.conn.execute(
        'SELECT id, MIN("end", ?) - MAX(start, ?) AS overlap FROM segments '
        'WHERE document_id = ? AND start < ? AND "end" > ? ORDER BY overlap DESC, idx LIMIT 1',
        (end, start, document_id, end, start),
    ).fetchone()
    return int(row[0]) if row else None


def add_coding(
    op: Operation,
    *,
    document_id: int,
    segment_id: int | None,
    start: int,
    end: int,
    code_id: int,
    coder: str,
    memo: str = "",
    origin: str = "manual",
    status: str = "ok",
    anchor_text: str | None = None,
) -> tuple[int, bool]:
    """Insert a coding unless the same one exists; (id, created).

    ``status`` and ``anchor_text`` carry a coding's re-anchoring state (review, orphaned and
    its old text) when it comes from another copy of the project.
    """
    row = op.conn.execute(
        'SELECT id FROM codings WHERE document_id=? AND start=? AND "end"=? AND code_id=? '
        "AND coder=?",
        (document_id, start, end, code_id, coder),
    ).fetchone()
    if row:
        return int(row[0]), False
    coding_id = op.insert(
        "codings",
        {
            "document_id": document_id,
            "segment_id": segment_id,
            "start": start,
            "end": end,
            "code_id": code_id,
            "coder": coder,
            "memo": memo,
            "origin": origin,
            "status": status,
            "anchor_text": anchor_text,
            "created_at": now_iso(),
        },
    )
    return coding_id, True


def code_whole_segment(
    op: Operation, seg: Segment, code_id: int, *, coder: str, origin: str
) -> tuple[int, bool]:
    """Inside an operation: code all of one segment (accepting a suggestion, resolving a
    disagreement); (coding id, created)."""
    return add_coding(
        op,
        document_id=seg.document_id,
        segment_id=seg.id,
        start=seg.start,
        end=seg.end,
        code_id=code_id,
        coder=coder,
        origin=origin,
    )


def segment_change(project: Project, op: str, seg: Segment | int, **params: object) -> Change:
    """A journal message about one segment (or segment id): its document's name and number.

    Never a row id: people read ``nordvik_rektor #4``.
    """
    if isinstance(seg, int):
        seg = q.segment_by_id(project, seg)
    row = project.conn.execute(
        "SELECT name FROM documents WHERE id = ?", (seg.document_id,)
    ).fetchone()
    return Change(op, doc=row[0] if row else "?", number=seg.idx + 1, **params)


def _code_path(project: Project, code_id: int) -> str:
    """A code's path for a message (its id when it is gone)."""
    for c in q.codes(project):
        if c.id == code_id:
            return c.path
    return f"#{code_id}"


def code_segment(
    project: Project,
    document: str,
    idx: int,
    code: str,
    *,
    coder: str,
    span: tuple[int, int] | None = None,
    memo: str = "",
    origin: str = "manual",
) -> CodingResult:
    """Code a whole segment, or a span of the document, with a code.

    ``idx`` is the 0-based index the database stores; people read and type ``idx + 1``.
    """
    doc = q.document(project, document)
    the_code = q.code(project, code)
    seg = q.segment(project, doc.id, idx)
    if span is None:
        start, end = seg.start, seg.end
        segment_id: int | None = seg.id
    else:
        start, end = span
        if end > len(doc.text):
            raise KodebokError(
                f"span {start}:{end} is beyond the end of '{doc.name}' ({len(doc.text)} characters)",
                code="coding.span_beyond_end_characters",
                start=start,
                end=end,
                doc_name=doc.name,
                n_doc_text=len(doc.text),
            )
        segment_id = segment_for_span(project, doc.id, start, end)
    what = Change("code_segment", doc=doc.name, number=idx + 1, code=the_code.path)
    with project.operation(coder, "code", what) as op:
        coding_id, created = add_coding(
            op,
            document_id=doc.id,
            segment_id=segment_id,
            start=start,
            end=end,
            code_id=the_code.id,
            coder=coder,
            memo=memo,
            origin=origin,
        )
    return CodingResult(coding_id, created, the_code, seg)


def code_segment_id(
    project: Project,
    segment_id: int,
    code_id: int,
    *,
    coder: str,
    span: tuple[int, int] | None = None,
    origin: str = "manual",
) -> tuple[int, bool]:
    """Code a segment by ids (the TUI's fast path); (coding id, created)."""
    seg = q.segment_by_id(project, segment_id)
    start, end = span if span is not None else (seg.start, seg.end)
    what = segment_change(project, "code_segment", seg, code=_code_path(project, code_id))
    with project.operation(coder, "code", what) as op:
        return add_coding(
            op,
            document_id=seg.document_id,
            segment_id=seg.id,
            start=start,
            end=end,
            code_id=code_id,
            coder=coder,
            origin=origin,
        )


def uncode_segment_id(project: Project, segment_id: int, code_id: int, *, coder: str) -> int:
    """Remove this coder's codings of a code on a segment; returns how many."""
    seg = q.segment_by_id(project, segment_id)
    what = segment_change(project, "uncode_segment", seg, code=_code_path(project, code_id))
    with project.operation(coder, "uncode", what) as op:
        return op.delete_where(
            "codings", "segment_id = ? AND code_id = ? AND coder = ?", (segment_id, code_id, coder)
        )


def uncode(project: Project, document: str, idx: int, code: str, *, coder: str) -> int:
    """Remove this coder's codings of a code on a segment (``kodebok uncode``)."""
    doc = q.document(project, document)
    the_code = q.code(project, code)
    seg = q.segment(project, doc.id, idx)
    n = uncode_segment_id(project, seg.id, the_code.id, coder=coder)
    if n == 0:
        raise UnknownItem(
            f"'{doc.name}' #{idx + 1} has no coding '{the_code.path}' by {coder}",
            code="coding.has_coding",
            doc_name=doc.name,
            value=idx + 1,
            the_code_path=the_code.path,
            coder=coder,
        )
    return n


def set_coding_memo(project: Project, coding_id: int, memo: str, *, coder: str) -> None:
    """Set the memo of one coding."""
    row = project.conn.execute(
        'SELECT d.name, s.idx, k.code_id, k.start, k."end" FROM codings k '
        "JOIN documents d ON d.id = k.document_id LEFT JOIN segments s ON s.id = k.segment_id "
        "WHERE k.id = ?",
        (coding_id,),
    ).fetchone()
    if row is None:
        raise UnknownItem(
            "that coding is gone (undone or removed)", code="coding.coding_gone_undone_removed"
        )
    where = f"#{row[1] + 1}" if row[1] is not None else f"{row[3]}:{row[4]}"
    what = Change("memo_coding", code=_code_path(project, row[2]), doc=row[0], where=where)
    with project.operation(coder, "memo", what) as op:
        op.update("codings", coding_id, {"memo": memo})


def _memo_description(project: Project, target_kind: str, target_id: int | None) -> Change:
    """The journal's name for a memo change: on which document or segment (never a row id)."""
    if target_kind == "segment" and target_id is not None:
        try:
            return segment_change(project, "memo_segment", q.segment_by_id(project, target_id))
        except UnknownItem:
            pass
    if target_kind == "document" and target_id is not None:
        row = project.conn.execute(
            "SELECT name FROM documents WHERE id = ?", (target_id,)
        ).fetchone()
        if row:
            return Change("memo_document", doc=row[0])
    return Change("memo_other", kind=target_kind)


def write_memo(
    project: Project,
    target_kind: str,
    target_id: int | None,
    text: str,
    *,
    coder: str,
    case_id: int | None = None,
    code_id: int | None = None,
) -> int:
    """Create or replace this author's memo on a target (segment, document, code, case, cell)."""
    conn = project.conn
    row = conn.execute(
        "SELECT id FROM memos WHERE target_kind = ? AND target_id IS ? AND author = ? "
        "AND case_id IS ? AND code_id IS ?",
        (target_kind, target_id, coder, case_id, code_id),
    ).fetchone()
    with project.operation(coder, "memo", _memo_description(project, target_kind, target_id)) as op:
        if row and not text.strip():
            op.delete("memos", int(row[0]))
            return int(row[0])
        if row:
            op.update("memos", int(row[0]), {"text": text, "updated_at": now_iso()})
            return int(row[0])
        return op.insert(
            "memos",
            {
                "target_kind": target_kind,
                "target_id": target_id,
                "case_id": case_id,
                "code_id": code_id,
                "text": text,
                "author": coder,
                "created_at": now_iso(),
                "updated_at": now_iso(),
            },
        )


def memos_for(project: Project, target_kind: str, target_id: int | None) -> list[dict[str, Any]]:
    """Memos on one target, oldest first."""
    return [
        dict(r)
        for r in project.conn.execute(
            "SELECT * FROM memos WHERE target_kind = ? AND target_id IS ? ORDER BY id",
            (target_kind, target_id),
        )
    ]


CODING_COLUMNS = [
    "document",
    "segment_idx",  # 0-based, as the database stores it (for scripts)
    "number",  # 1-based: the #N people read in the TUI and type in `kodebok code`
    "start",
    "end",
    "code",
    "coder",
    "origin",
    "memo",
    "text",
    "status",  # ok | review (text changed in a revision) | orphaned (text gone; its old text)
]


def export_codings(project: Project) -> list[dict[str, Any]]:
    """All codings as rows with the columns of ``kodebok codings export``.

    An orphaned coding (its text gone in a revision) shows the text it had, with its status.
    """
    paths = {c.id: c.path for c in q.codes(project)}
    rows = project.conn.execute(
        'SELECT d.name, s.idx, k.start, k."end", k.code_id, k.coder, k.origin, k.memo, '
        "CASE WHEN k.status = 'orphaned' AND k.anchor_text IS NOT NULL THEN k.anchor_text "
        'ELSE substr(d.text, k.start + 1, k."end" - k.start) END AS text, k.status '
        "FROM codings k JOIN documents d ON d.id = k.document_id "
        "LEFT JOIN segments s ON s.id = k.segment_id ORDER BY d.name, k.start, k.id"
    )
    return [
        {
            "document": r[0],
            "segment_idx": r[1],
            "number": None if r[1] is None else r[1] + 1,
            "start": r[2],
            "end": r[3],
            "code": paths.get(r[4], ""),
            "coder": r[5],
            "origin": r[6],
            "memo": r[7],
            "text": r[8],
            "status": r[9],
        }
        for r in rows
    ]


@dataclass(frozen=True)
class CodingsImport:
    """What ``codings import`` did."""

    added: int
    existing: int
    created_codes: list[str]


def import_codings_table(
    project: Project, path: Path, *, coder: str, create_codes: bool = False
) -> CodingsImport:
    """Add codings from a CSV (document, number or segment_idx, code[, coder, start, end, memo]).

    ``number`` is the 1-based segment number people read (``#N``); ``segment_idx`` the 0-based
    index the database stores (and ``codings export`` writes next to it). When a table has
    both, they must agree. All rows are checked first; any bad row fails the whole import with
    its line number, so a table is applied completely or not at all.
    """
    reader = _codings_reader(path)
    table = _CodingsTable(project, q.codes(project), create_codes, coder)
    planned: list[_PlannedCoding] = []
    problems: list[str] = []
    for line_no, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        try:
            planned.append(_plan_row(table, row))
        except KodebokError as exc:
            problems.append(f"{path.name}, line {line_no}: {exc.message}")
    if problems:
        raise KodebokError(
            "\n".join(problems[:20])
            + (f"\n… and {len(problems) - 20} more" if len(problems) > 20 else "")
        )
    added = existing = 0
    with project.operation(coder, "import-codings", Change("import_codings", file=path.name)) as op:
        for plan in planned:
            code_id = plan.code_id
            if code_id is None:
                code_id, _ = ensure_code_path(op, plan.code_path)
            _, created = add_coding(
                op,
                document_id=plan.document_id,
                segment_id=plan.segment_id,
                start=plan.start,
                end=plan.end,
                code_id=code_id,
                coder=plan.coder,
                memo=plan.memo,
                origin="import",
            )
            added += created
            existing += not created
    return CodingsImport(added, existing, table.new_codes)


def _codings_reader(path: Path) -> csv.DictReader[str]:
    """A reader over a codings table, its columns checked (``,`` or ``;`` separated)."""
    from kodebok.ingest import decode_bytes

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KodebokError(
            f"{path}: cannot read ({exc.strerror})",
            code="coding.read",
            path=path,
            strerror=exc.strerror,
        ) from exc
    text = decode_bytes(data, path.name)
    sample = text[:2000]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    missing = {"document", "code"} - set(fields)
    if not {"number", "segment_idx"} & set(fields):
        missing.add("number (1-based) or segment_idx (0-based)")
    if missing:
        raise KodebokError(
            f"{path.name}: missing column(s) {', '.join(sorted(missing))}; "
            "expected document, number or segment_idx, code[, coder, start, end, memo]",
            code="coding.missing_column_expected_document",
            path_name=path.name,
            missing=", ".join(sorted(missing)),
        )
    return reader


@dataclass
class _CodingsTable:
    """What every row of a codings table is checked against, and what checking collects."""

    project: Project
    all_codes: list[Code]
    create_codes: bool
    coder: str
    new_codes: list[str] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)

    def document(self, name: str) -> Document:
        """A document by name or id, looked up once per table."""
        if name not in self.documents:
            self.documents[name] = q.document(self.project, name)
        return self.documents[name]


@dataclass(frozen=True)
class _PlannedCoding:
    """One checked row: where the coding goes; ``code_id`` is None for a code to create."""

    document_id: int
    segment_id: int
    start: int
    end: int
    code_id: int | None
    code_path: str
    coder: str
    memo: str


def _row_idx(row: dict[str, str]) -> int:
    """The 0-based index a table row names: from ``number`` (1-based) or ``segment_idx``."""
    found: dict[str, int] = {}
    for column in ("number", "segment_idx"):
        value = row.get(column, "")
        if not value:
            continue
        try:
            found[column] = int(value)
        except ValueError as exc:
            raise KodebokError(
                f"{column} '{value}' is not a whole number",
                code="coding.whole_number",
                column=column,
                value=value,
            ) from exc
    if not found:
        raise KodebokError(
            "no segment: give number (1-based) or segment_idx (0-based)",
            code="coding.segment_give_number_based",
        )
    if "number" in found and "segment_idx" in found and found["number"] != found["segment_idx"] + 1:
        raise KodebokError(
            f"number {found['number']} and segment_idx {found['segment_idx']} name different "
            "segments (number is 1-based, segment_idx 0-based: number = segment_idx + 1)",
            code="coding.number_segment_idx_name",
            found=found["number"],
            found_2=found["segment_idx"],
        )
    return found["number"] - 1 if "number" in found else found["segment_idx"]


def _plan_row(table: _CodingsTable, row: dict[str, str]) -> _PlannedCoding:
    """Check one row: its document, segment, code (or a code to create) and span."""
    project = table.project
    doc = table.document(row.get("document", ""))
    idx = _row_idx(row)
    try:
        seg = q.segment(project, doc.id, idx)
    except UnknownItem as exc:
        if row.get("number"):
            raise
        n = len(q.segments(project, doc.id))
        raise UnknownItem(
            f"segment_idx {row.get('segment_idx')} is not in '{doc.name}' (segment_idx counts "
            f"from 0: it has {n} segments, segment_idx 0–{n - 1})",
            code="coding.segment_idx_segment_idx",
            get=row.get("segment_idx"),
            doc_name=doc.name,
            n=n,
            value=n - 1,
        ) from exc
    code_path = row.get("code", "").strip("/")
    code_id: int | None
    try:
        code_id = q.code(project, code_path, table.all_codes).id
    except UnknownItem:
        if not table.create_codes:
            raise
        code_id = None
        if code_path not in table.new_codes:
            table.new_codes.append(code_path)
    start, end = seg.start, seg.end
    if row.get("start") and row.get("end"):
        start, end = parse_span(f"{row['start']}:{row['end']}")
        if end > len(doc.text):
            raise KodebokError(
                f"span {start}:{end} is beyond the end of '{doc.name}'",
                code="coding.span_beyond_end",
                start=start,
                end=end,
                doc_name=doc.name,
            )
    return _PlannedCoding(
        doc.id,
        seg.id,
        start,
        end,
        code_id,
        code_path,
        row.get("coder") or table.coder,
        row.get("memo", ""),
    )


def codings_on_segments(
    project: Project, segment_ids: Iterable[int]
) -> dict[int, list[tuple[int, str, int, int, int]]]:
    """Per segment: (code_id, coder, start, end, coding_id) of its codings."""
    ids = list(segment_ids)
    out: dict[int, list[tuple[int, str, int, int, int]]] = {i: [] for i in ids}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" for _ in chunk)
        for r in project.conn.execute(
            f'SELECT segment_id, code_id, coder, start, "end", id FROM codings '
            f"WHERE segment_id IN ({marks}) ORDER BY id",
            chunk,
        ):
            out[r[0]].append((r[1], r[2], r[3], r[4], r[5]))
    return out


def create_code_and_code(
    project: Project,
    path: str,
    segment_id: int,
    *,
    coder: str,
    span: tuple[int, int] | None = None,
) -> Code:
    """Create a code and code a segment (or a span in it) with it, as one undoable operation."""
    from kodebok.services.codes import create_code

    what = segment_change(project, "create_code_and_code", segment_id, code=path)
    with project.operation(coder, "create-code", what):
        code = create_code(project, path, coder=coder)
        code_segment_id(project, segment_id, code.id, coder=coder, span=span)
    return code
