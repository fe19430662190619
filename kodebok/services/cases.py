"""Cases, their attributes, document–case assignment, and speaker attributes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kodebok.errors import KodebokError, UnknownItem
from kodebok.models import Case
from kodebok.notes import Change
from kodebok.services.documents import ensure_case, kind_problem, known_kinds, set_attribute
from kodebok.store import Project
from kodebok.store import queries as q


def _journaled(project: Project, description: Change, coder: str | None) -> Any:
    """One undoable write of case, document or speaker facts (every row change recorded),
    journaled for ``coder`` (default: ``$KODEBOK_CODER`` or the login name)."""
    from kodebok.services.project import default_coder

    return project.operation(coder or default_coder(), "cases", description, capture=True)


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings as a dict (errors name the bad item)."""
    out: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise KodebokError(f"'{pair}' is not KEY=VALUE", code="cases.key_value", pair=pair)
        key, value = pair.split("=", 1)
        if not key.strip():
            raise KodebokError(
                f"'{pair}' has no attribute name before '='",
                code="cases.has_attribute_name_before",
                pair=pair,
            )
        out[key.strip()] = value.strip()
    return out


def set_case_attributes(
    project: Project,
    case: str,
    values: dict[str, str],
    *,
    coder: str | None = None,
    create: bool = False,
) -> Case:
    """Set attributes of a case; an unknown case is an error (with hints) unless ``create``."""
    try:
        existing: int | None = q.case(project, case).id
    except UnknownItem as exc:
        if not create:
            raise UnknownItem(
                f"{exc.message} (add --create to make a new case named '{case}')",
                code="cases.add_create_make_new",
                text=exc.message,
                case=case,
            ) from exc
        existing = None
    with _journaled(project, Change("set_case_attributes", case=case), coder):
        case_id = existing if existing is not None else ensure_case(project, case)
        for key, value in values.items():
            set_attribute(project, "case", case_id, key, value)
    return q.case(project, case_id)


def assign_document(
    project: Project, document: str, case: str, *, coder: str | None = None
) -> None:
    """Tie a document to a case (creating the case if needed); '-' unties it."""
    doc = q.document(project, document)
    what = (
        Change("unassign_case", doc=doc.name)
        if case == "-"
        else Change("assign_case", doc=doc.name, case=case)
    )
    with _journaled(project, what, coder):
        conn = project.conn
        case_id = None if case == "-" else ensure_case(project, case)
        conn.execute("UPDATE documents SET case_id = ? WHERE id = ?", (case_id, doc.id))


def read_table(path: Path) -> list[list[str]]:
    """Rows of a .csv (',' or ';', UTF-8 with or without BOM, or cp1252) or .xlsx file."""
    try:
        if not path.exists():
            raise KodebokError(f"{path}: no such file", code="cases.such_file", path=path)
        if path.is_dir():
            raise KodebokError(
                f"{path}: is a folder; give a .csv or .xlsx file",
                code="cases.folder_give_csv_xlsx",
                path=path,
            )
        if path.suffix.lower() == ".xlsx":
            return _read_xlsx(path)
        data = path.read_bytes()
    except OSError as exc:
        raise KodebokError(
            f"{path}: cannot read the table ({exc.strerror or exc})",
            code="cases.read_table",
            path=path,
            value=exc.strerror or exc,
        ) from exc
    from kodebok.ingest import decode_bytes

    text = decode_bytes(data, path.name)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return [r for r in rows if any(r)]


def _read_xlsx(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise KodebokError(
            f"{path.name}: not a readable .xlsx file ({exc})",
            code="cases.readable_xlsx_file",
            path_name=path.name,
            exc=str(exc),
        ) from exc
    sheet = book.worksheets[0]
    rows: list[list[str]] = []
    for row in sheet.iter_rows(values_only=True):
        cells = ["" if v is None else _cell(v) for v in row]
        if any(cells):
            rows.append(cells)
    book.close()
    return rows


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class TableImport:
    """Rows applied from an attribute table."""

    rows: int
    attributes: list[str]
    created: list[str]


def import_cases_table(project: Project, path: Path, *, coder: str | None = None) -> TableImport:
    """Cases from a table: first column the case name, the others attributes."""
    rows = read_table(path)
    if len(rows) < 2:
        raise KodebokError(
            f"{path.name}: needs a header row and at least one case",
            code="cases.needs_header_row_least",
            path_name=path.name,
        )
    header = rows[0]
    if any(not h for h in header[1:]):
        raise KodebokError(
            f"{path.name}, line 1: a column has no name",
            code="cases.line_column_has_name",
            path_name=path.name,
        )
    existing = {c.name for c in q.cases(project)}
    created: list[str] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        name = row[0] if row else ""
        if not name:
            raise KodebokError(
                f"{path.name}, line {line}: the first column (case) is empty",
                code="cases.line_first_column_case",
                path_name=path.name,
                line=line,
            )
        if name in seen:
            raise KodebokError(
                f"{path.name}, line {line}: case '{name}' appears twice (also line {seen[name]})",
                code="cases.line_case_appears_twice",
                path_name=path.name,
                line=line,
                name=name,
                seen=seen[name],
            )
        seen[name] = line
    with _journaled(project, Change("import_cases", file=path.name), coder):
        for row in rows[1:]:
            name = row[0]
            if name not in existing:
                created.append(name)
            case_id = ensure_case(project, name)
            for key, value in zip(header[1:], row[1:], strict=False):
                set_attribute(project, "case", case_id, key, value)
    return TableImport(len(rows) - 1, header[1:], created)


def import_speakers_table(project: Project, path: Path, *, coder: str | None = None) -> TableImport:
    """Speaker attributes from a table ``document, label, attribute...``."""
    rows = read_table(path)
    if len(rows) < 2:
        raise KodebokError(
            f"{path.name}: needs a header row and at least one speaker",
            code="cases.needs_header_row_least_2",
            path_name=path.name,
        )
    header = [h.lower() for h in rows[0]]
    if header[:2] != ["document", "label"]:
        raise KodebokError(
            f"{path.name}, line 1: the first columns must be 'document,label'",
            code="cases.line_first_columns_document",
            path_name=path.name,
        )
    plans: list[tuple[int, list[str]]] = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) < 2:
            raise KodebokError(
                f"{path.name}, line {line}: needs document and label",
                code="cases.line_needs_document_label",
                path_name=path.name,
                line=line,
            )
        try:
            doc = q.document(project, row[0])
        except UnknownItem as exc:
            raise KodebokError(
                f"{path.name}, line {line}: {exc.message}",
                code="cases.line",
                path_name=path.name,
                line=line,
                text=exc.message,
            ) from exc
        found = project.conn.execute(
            "SELECT id FROM speakers WHERE document_id = ? AND label = ?", (doc.id, row[1])
        ).fetchone()
        if found is None:
            labels = [s.label for s in q.speakers(project, doc.id)]
            raise KodebokError(
                f"{path.name}, line {line}: '{doc.name}' has no speaker '{row[1]}' "
                f"(it has {', '.join(labels) or 'no speakers'})",
                code="cases.line_has_speaker_has",
                path_name=path.name,
                line=line,
                doc_name=doc.name,
                row=row[1],
                value=", ".join(labels) or "no speakers",
            )
        plans.append((int(found[0]), row))
    with _journaled(project, Change("import_speakers", file=path.name), coder):
        conn = project.conn
        for speaker_id, row in plans:
            for key, value in zip(rows[0][2:], row[2:], strict=False):
                if key.lower() == "interviewer":
                    conn.execute(
                        "UPDATE speakers SET interviewer = ? WHERE id = ?",
                        (int(_truthy(value)), speaker_id),
                    )
                    continue
                set_attribute(project, "speaker", speaker_id, key, value)
                if key.lower() == "role" and value.lower() in INTERVIEWER_ROLES:
                    # a label given the interviewer's role is an interviewer turn (subtitles
                    # name speakers SPEAKER_00, SPEAKER_01: only the table says who asks)
                    conn.execute("UPDATE speakers SET interviewer = 1 WHERE id = ?", (speaker_id,))
    return TableImport(len(plans), rows[0][2:], [])


INTERVIEWER_ROLES = frozenset({"intervjuer", "intervjuar", "interviewer", "moderator", "ordstyrer"})


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "ja", "yes", "true", "x")


def set_speaker_attributes(
    project: Project,
    document: str,
    label: str,
    values: dict[str, str],
    *,
    coder: str | None = None,
) -> None:
    """Set attributes (role, level …) of one speaker label in one document."""
    doc = q.document(project, document)
    row = project.conn.execute(
        "SELECT id FROM speakers WHERE document_id = ? AND label = ?", (doc.id, label)
    ).fetchone()
    if row is None:
        raise UnknownItem(
            f"'{doc.name}' has no speaker '{label}'",
            code="cases.has_speaker",
            doc_name=doc.name,
            label=label,
        )
    what = Change("set_speaker_attributes", speaker=label, doc=doc.name)
    with _journaled(project, what, coder):
        for key, value in values.items():
            if key == "interviewer":
                project.conn.execute(
                    "UPDATE speakers SET interviewer = ? WHERE id = ?",
                    (int(value.lower() in ("1", "ja", "yes", "true")), row[0]),
                )
            else:
                set_attribute(project, "speaker", int(row[0]), key, value)


def import_documents_table(
    project: Project, path: Path, *, coder: str | None = None, new_kinds: bool = False
) -> TableImport:
    """Document facts from a table: ``document, case, kind, language, attribute...``.

    For material whose files cannot carry front matter (Word, PDF, subtitles): the usual
    overview sheet of interviews kept beside a project. A kind the project does not know yet
    is refused unless ``new_kinds`` (see documents.check_kind).
    """
    rows = read_table(path)
    if len(rows) < 2:
        raise KodebokError(
            f"{path.name}: needs a header row and at least one document",
            code="cases.needs_header_row_least_3",
            path_name=path.name,
        )
    header = [h.strip() for h in rows[0]]
    if header[0].lower() != "document":
        raise KodebokError(
            f"{path.name}, line 1: the first column must be 'document'",
            code="cases.line_first_column_document",
            path_name=path.name,
        )
    plans: list[tuple[int, list[str]]] = []
    for line, row in enumerate(rows[1:], start=2):
        try:
            plans.append((q.document(project, row[0]).id, row))
        except UnknownItem as exc:
            raise KodebokError(
                f"{path.name}, line {line}: {exc.message}",
                code="cases.line",
                path_name=path.name,
                line=line,
                text=exc.message,
            ) from exc
    kind_column = next((i for i, h in enumerate(header) if h.lower() == "kind"), None)
    if kind_column is not None:
        known = known_kinds(project)
        for line, (_, row) in enumerate(plans, start=2):
            value = row[kind_column] if kind_column < len(row) else ""
            if not value:
                continue
            problem = kind_problem(value, known, allow_new=new_kinds, what="kind")
            if problem:
                raise KodebokError(
                    f"{path.name}, line {line}: {problem}",
                    code="cases.line_2",
                    path_name=path.name,
                    line=line,
                    problem=problem,
                )
            if value not in known:
                known = sorted({*known, value})
    columns = {"case", "kind", "language"}
    with _journaled(project, Change("import_document_table", file=path.name), coder):
        conn = project.conn
        for doc_id, row in plans:
            for key, value in zip(header[1:], row[1:], strict=False):
                low = key.lower()
                if low == "case":
                    conn.execute(
                        "UPDATE documents SET case_id = ? WHERE id = ?",
                        (ensure_case(project, value) if value else None, doc_id),
                    )
                elif low in ("kind", "language") and value:
                    conn.execute(f"UPDATE documents SET {low} = ? WHERE id = ?", (value, doc_id))
                else:
                    set_attribute(project, "document", doc_id, key, value)
    return TableImport(len(plans), [h for h in header[1:] if h.lower() not in columns], [])
