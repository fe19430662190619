"""REFI-QDA exchange: the project as a .qdpx for NVivo, MAXQDA, ATLAS.ti, QualCoder, and back."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kodebok import __version__
from kodebok.errors import ExchangeError, KodebokError
from kodebok.exchange.refi_model import (
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
    stable_guid,
)
from kodebok.models import Coding
from kodebok.store import Project, now_iso
from kodebok.store import queries as q

_TYPES = {"integer": "Integer", "number": "Float", "text": "Text"}


def _iso(ts: str | None) -> str | None:
    """REFI wants xsd:dateTime; our timestamps already are, with a UTC offset."""
    return ts or None


def project_to_refi(project: Project) -> tuple[RefiProject, dict[str, str]]:
    """The project as REFI data, plus variable name → guid."""
    conn = project.conn
    refi = RefiProject(name=project.path.stem, created=now_iso(), origin=f"kodebok {__version__}")
    users = sorted(
        {
            r[0]
            for r in conn.execute(
                "SELECT coder FROM codings UNION SELECT author FROM memos "
                "UNION SELECT author FROM presence_overrides"
            )
        }
    )
    user_guid = {u: stable_guid("user", u) for u in users}
    refi.users = {g: u for u, g in user_guid.items()}
    all_codes = q.codes(project)
    code_guid = {c.id: stable_guid("code", c.path) for c in all_codes}
    by_id: dict[int, RefiCode] = {}
    for c in all_codes:
        rc = RefiCode(guid=code_guid[c.id], name=c.name, description=c.description, color=c.color)
        by_id[c.id] = rc
        (by_id[c.parent_id].children if c.parent_id else refi.codes).append(rc)
    memos = [dict(r) for r in conn.execute("SELECT * FROM memos ORDER BY id")]
    note_for: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    for m in memos:
        guid = stable_guid("memo", str(m["id"]), m["created_at"])
        name = f"Notat ({m['target_kind']})"
        refi.notes.append(
            RefiNote(
                guid=guid,
                name=name,
                text=m["text"],
                user_guid=user_guid.get(m["author"]),
                created=_iso(m["created_at"]),
            )
        )
        note_for[(m["target_kind"], m["target_id"])].append(guid)
    for kind, target in list(note_for):
        if kind == "code" and target in by_id:
            by_id[target].note_guids.extend(note_for[(kind, target)])
        elif kind in ("project", "case", "cell"):
            refi.project_note_guids.extend(note_for[(kind, target)])
    variable_guids: dict[str, str] = {}
    for r in conn.execute(
        "SELECT name, type FROM attributes WHERE entity_kind IN "
        "('case', 'document') GROUP BY name ORDER BY name"
    ):
        refi.variables[r[0]] = _TYPES.get(r[1], "Text")
        variable_guids[r[0]] = stable_guid("variable", r[0])
    docs = q.documents(project)
    doc_attrs = q.attributes_of(project, "document", [d.id for d in docs])
    doc_guid = {d.id: stable_guid("source", d.sha256, d.name) for d in docs}
    seg_notes = {r[0]: r[1] for r in conn.execute("SELECT id, document_id FROM segments")}
    for d in docs:
        src = RefiSource(
            guid=doc_guid[d.id],
            name=d.name,
            text=d.text,
            created=d.imported_at,
            variables=doc_attrs[d.id],
            note_guids=list(note_for.get(("document", d.id), [])),
            description=json.dumps({"kind": d.kind, "language": d.language}, ensure_ascii=False),
        )
        selections: dict[tuple[int, int], RefiSelection] = {}
        for k in q.codings(project, document_id=d.id):
            key = (k.start, k.end)
            if key not in selections:
                selections[key] = RefiSelection(
                    guid=stable_guid("selection", doc_guid[d.id], str(k.start), str(k.end)),
                    start=k.start,
                    end=k.end,
                    user_guid=user_guid.get(k.coder),
                    created=_iso(k.created_at),
                )
                if k.segment_id is not None:
                    selections[key].note_guids.extend(note_for.get(("segment", k.segment_id), []))
            coding_notes: list[str] = []
            note = _coding_note(k)
            if note:
                guid = stable_guid("coding-memo", str(k.id))
                refi.notes.append(
                    RefiNote(
                        guid=guid,
                        name="Notat (koding)",
                        text=note,
                        user_guid=user_guid.get(k.coder),
                        created=_iso(k.created_at),
                    )
                )
                coding_notes.append(guid)
            selections[key].codings.append(
                RefiCoding(
                    guid=stable_guid("coding", str(k.id), k.coder),
                    code_guid=code_guid[k.code_id],
                    user_guid=user_guid.get(k.coder),
                    created=_iso(k.created_at),
                    note_guids=coding_notes,
                )
            )
        # memos on uncoded segments travel as selections without codings
        for seg_id, doc_id in seg_notes.items():
            if doc_id == d.id and ("segment", seg_id) in note_for:
                seg = q.segment_by_id(project, seg_id)
                key = (seg.start, seg.end)
                if key not in selections:
                    selections[key] = RefiSelection(
                        guid=stable_guid("selection", doc_guid[d.id], str(seg.start), str(seg.end)),
                        start=seg.start,
                        end=seg.end,
                        user_guid=None,
                        created=None,
                        note_guids=list(note_for[("segment", seg_id)]),
                    )
        src.selections = sorted(selections.values(), key=lambda s: (s.start, s.end))
        refi.sources.append(src)
    for case in q.cases(project):
        refi.cases.append(
            RefiCase(
                guid=stable_guid("case", case.name),
                name=case.name,
                description=case.memo,
                variables=dict(case.attributes),
                source_guids=[doc_guid[d.id] for d in docs if d.case_id == case.id],
            )
        )
    return refi, variable_guids


def _coding_note(k: Coding) -> str:
    """A coding's memo; an orphaned coding (a zero-length selection: its text is gone from the
    revised document) says so and keeps the text it coded."""
    if k.status != "orphaned" or not k.anchor_text:
        return k.memo
    orphan = f"{ORPHANED_NOTE} «{k.anchor_text.strip()}»"
    return f"{k.memo}\n\n{orphan}" if k.memo else orphan


ORPHANED_NOTE = "[orphaned] The coded text is no longer in the revised document. It was:"


def export_qdpx(project: Project, *, pseudonymise: bool = False, coder: str = "kodebok") -> bytes:
    """The project as a .qdpx archive (with personal data replaced when ``pseudonymise``)."""
    from kodebok.exchange.refi_write import write_qdpx

    refi, variable_guids = project_to_refi(project)
    if pseudonymise:
        from kodebok.services.privacy import pseudonymise_refi

        refi = pseudonymise_refi(project, refi, coder=coder)
    return write_qdpx(refi, variable_guids)


@dataclass
class QdpxImport:
    """What importing a .qdpx did."""

    documents: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    codes: int = 0
    codings: int = 0
    cases: int = 0
    memos: int = 0
    warnings: list[str] = field(default_factory=list)


def import_qdpx(project: Project, path: Path, *, coder: str) -> QdpxImport:
    """Import a REFI-QDA project: sources, codes, codings with their users, cases, notes.

    Everything is written in one transaction: a bad archive leaves the project as it was.
    """
    from kodebok.exchange.refi_read import normalised_positions, read_qdpx
    from kodebok.ingest import segment_paragraphs, segment_transcript
    from kodebok.ingest.model import ParsedDocument
    from kodebok.services.codes import ensure_code_path
    from kodebok.services.coding import add_coding, segment_for_span
    from kodebok.services.documents import ensure_case, set_attribute, store_parsed

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read ({exc.strerror})") from exc
    refi = read_qdpx(data, path.name)
    report = QdpxImport()
    notes = {n.guid: n for n in refi.notes}
    from kodebok.store.backup import backup_project

    backup_project(project, reason=f"before-import-{path.stem}")
    # capture: undo removes every row the import wrote (documents, segments, speakers, cases,
    # attributes, codes, codings, memos) and restores what it changed, in one transaction
    with project.operation(coder, "import-qdpx", f"Importer {path.name}", capture=True) as op:
        code_ids: dict[str, int] = {}

        def add_codes(codes: list[RefiCode], prefix: str) -> None:
            for c in codes:
                p = f"{prefix}/{c.name}" if prefix else c.name
                color = c.color if c.color and len(c.color) == 7 else None
                code_ids[c.guid], created = ensure_code_path(
                    op, p, description=c.description or None, color=color
                )
                report.codes += created
                for g in c.note_guids:
                    _memo(op, "code", code_ids[c.guid], notes.get(g), refi, coder)
                    report.memos += g in notes
                add_codes(c.children, p)

        add_codes(refi.codes, "")
        doc_ids: dict[str, int] = {}
        for src in refi.sources:
            text, pos = normalised_positions(src.text)
            if not text.strip():
                report.warnings.append(f"source '{src.name}' is empty; skipped")
                continue
            turns, interviewers = segment_transcript(text)
            if not any(t.speaker for t in turns):
                turns, interviewers = segment_paragraphs(text), frozenset()
            kind, language = "intervju" if any(t.speaker for t in turns) else "dokument", "nb"
            try:
                meta = json.loads(src.description) if src.description.startswith("{") else {}
                kind, language = meta.get("kind", kind), meta.get("language", language)
            except ValueError:
                pass
            name = Path(src.name).stem if "." in src.name[-6:] else src.name
            # documents are matched by text, but two sources with the same text are two
            # documents: each takes a document of that text not yet taken by this import
            # (the one of its own name first), so importing the archive again adds nothing
            same_id, name, twin = _same_text_document(project, text, name, set(doc_ids.values()))
            if same_id is not None:
                doc_id = same_id
                report.unchanged.append(name)
            else:
                result = store_parsed(
                    project,
                    ParsedDocument(
                        name=name,
                        source=f"{path.name}:{src.name}",
                        kind=kind,
                        text=text,
                        turns=tuple(turns),
                        interviewers=interviewers,
                        language=language,
                    ),
                    coder=coder,
                    same_text_ok=twin,
                )
                (report.documents if result.status == "imported" else report.unchanged).append(
                    result.name
                )
                doc_id = q.document(project, result.name).id
            doc_ids[src.guid] = doc_id
            for key, value in src.variables.items():
                set_attribute(project, "document", doc_id, key, value)
            for g in src.note_guids:
                report.memos += _memo(op, "document", doc_id, notes.get(g), refi, coder)
            for sel in src.selections:
                if not (0 <= sel.start < sel.end <= len(src.text)):
                    report.warnings.append(
                        f"selection {sel.start}–{sel.end} in '{src.name}' is outside the text; "
                        "skipped"
                    )
                    continue
                start, end = pos[sel.start], pos[sel.end]
                seg = segment_for_span(project, doc_id, start, end)
                for g in sel.note_guids:
                    if seg is not None:
                        report.memos += _memo(op, "segment", seg, notes.get(g), refi, coder)
                for c in sel.codings:
                    if c.code_guid not in code_ids:
                        report.warnings.append(f"a coding in '{src.name}' names an unknown code")
                        continue
                    who = (
                        refi.users.get(c.user_guid or "")
                        or refi.users.get(sel.user_guid or "")
                        or coder
                    )
                    memo = " ".join(notes[g].text for g in c.note_guids if g in notes)
                    _, created = add_coding(
                        op,
                        document_id=doc_id,
                        segment_id=seg,
                        start=start,
                        end=end,
                        code_id=code_ids[c.code_guid],
                        coder=who,
                        memo=memo,
                        origin="import",
                    )
                    report.codings += created
        for case in refi.cases:
            case_id = ensure_case(project, case.name)
            report.cases += 1
            if case.description:
                op.conn.execute(
                    "UPDATE cases SET memo = ? WHERE id = ?", (case.description, case_id)
                )
            for key, value in case.variables.items():
                set_attribute(project, "case", case_id, key, value)
            for g in case.source_guids:
                if g in doc_ids:
                    op.conn.execute(
                        "UPDATE documents SET case_id = ? WHERE id = ?", (case_id, doc_ids[g])
                    )
        for g in refi.project_note_guids:
            report.memos += _memo(op, "project", None, notes.get(g), refi, coder)
    return report


def _same_text_document(
    project: Project, text: str, name: str, taken: set[int]
) -> tuple[int | None, str, bool]:
    """(a document with this text not in ``taken``, the name to use, whether a twin is made).

    With no such document the source becomes a new document; when documents with the same
    text exist but are all taken by other sources of this import, the new one is a twin and
    gets a free name (``name``, else ``name (2)``, ``name (3)`` …).
    """
    from kodebok.services.documents import sha256_text

    rows = project.conn.execute(
        "SELECT id, name FROM documents WHERE sha256 = ? ORDER BY id", (sha256_text(text),)
    ).fetchall()
    free = [r for r in rows if r["id"] not in taken]
    if free:
        mine = next((r for r in free if r["name"] == name), free[0])
        return int(mine["id"]), str(mine["name"]), False
    if not rows:
        return None, name, False
    candidate, n = name, 1
    while project.conn.execute("SELECT 1 FROM documents WHERE name = ?", (candidate,)).fetchone():
        n += 1
        candidate = f"{name} ({n})"
    return None, candidate, True


def _memo(
    op: object, kind: str, target: int | None, note: RefiNote | None, refi: RefiProject, coder: str
) -> int:
    from kodebok.store import Operation

    if note is None or not note.text.strip() or not isinstance(op, Operation):
        return 0
    author = refi.users.get(note.user_guid or "") or coder
    exists = op.conn.execute(
        "SELECT 1 FROM memos WHERE target_kind = ? AND target_id IS ? AND text = ? AND author = ?",
        (kind, target, note.text, author),
    ).fetchone()
    if exists:
        return 0
    op.insert(
        "memos",
        {
            "target_kind": kind,
            "target_id": target,
            "text": note.text,
            "author": author,
            "created_at": note.created or now_iso(),
            "updated_at": note.created or now_iso(),
        },
    )
    return 1


def validate_qdpx(data: bytes, xsd_path: Path) -> list[str]:
    """Problems found validating a .qdpx's project.qde against the REFI-QDA schema."""
    import io
    import zipfile

    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            qde = zf.read("project.qde")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise KodebokError(f"not a .qdpx with project.qde ({exc})") from exc
    schema = etree.XMLSchema(etree.parse(str(xsd_path)))
    doc = etree.fromstring(qde, etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
