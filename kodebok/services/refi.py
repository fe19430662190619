"""REFI-QDA exchange: the project as a .qdpx for NVivo, MAXQDA, ATLAS.ti, QualCoder, and back.

Export is built in :mod:`kodebok.services.refi_export`. Import keeps the GUIDs of what it
reads (sources, codes, codings and their selections, cases, notes, users, sets), so that a
project that goes NVivo -> kodebok -> NVivo is updated there instead of duplicated, and reads
kodebok's own side file back when the archive has one, so that kodebok -> kodebok loses
nothing. A ``/`` in a code name is a path separator, in .qdpx as in .qdc.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kodebok.codebook.qdc_format import is_guid
from kodebok.errors import ExchangeError, KodebokError
from kodebok.exchange.refi_model import RefiCode, RefiCoding, RefiNote, RefiProject, RefiSource
from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.notes import Change
from kodebok.services.refi_export import ORPHANED_NOTE, Exporter, stored_ids
from kodebok.store import Operation, Project, now_iso

__all__ = ["ORPHANED_NOTE", "QdpxImport", "export_qdpx", "import_qdpx", "validate_qdpx"]

SET_MEMBER_VALUE = "ja"  # the document attribute value that marks a member of a foreign Set


def project_to_refi(
    project: Project, *, with_pseudonyms: bool = False
) -> tuple[RefiProject, dict[str, str]]:
    """The project as REFI data, plus variable name → guid."""
    exporter = Exporter(project, with_pseudonyms=with_pseudonyms)
    refi = exporter.run()
    return refi, exporter.variable_guids


def export_qdpx(
    project: Project,
    *,
    with_pseudonyms: bool = False,
    pseudonymise: bool = False,
    coder: str = "kodebok",
) -> bytes:
    """The project as a .qdpx archive.

    The pseudonym map travels in kodebok's side file only when asked (``with_pseudonyms``).
    With ``pseudonymise`` personal data is replaced in every text and name and the side file is
    left out: it holds speaker labels, memo places and other text that would need its own pass,
    and a pseudonymised archive is for sharing, not for kodebok's own round trip.
    """
    from kodebok.exchange.refi_write import write_qdpx

    if pseudonymise and with_pseudonyms:
        raise KodebokError(
            "--with-pseudonym-map puts real names in the archive; it cannot go with --pseudonymise"
        )
    refi, variable_guids = project_to_refi(project, with_pseudonyms=with_pseudonyms)
    if pseudonymise:
        from kodebok.services.privacy import pseudonymise_refi

        refi = pseudonymise_refi(project, refi, coder=coder)
        refi.extension = {}
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
    sets: int = 0
    warnings: list[str] = field(default_factory=list)


def import_qdpx(project: Project, path: Path, *, coder: str) -> QdpxImport:
    """Import a REFI-QDA project: sources, codes, codings with their users, cases, notes, sets.

    Everything is written in one transaction: a bad archive leaves the project as it was.
    """
    from kodebok.exchange.refi_read import read_qdpx
    from kodebok.store.backup import backup_project

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeError(f"{path}: cannot read ({exc.strerror})") from exc
    refi = read_qdpx(data, path.name)
    report = QdpxImport()
    backup_project(project, reason=f"before-import-{path.stem}")
    # capture: undo removes every row the import wrote (documents, segments, speakers, cases,
    # attributes, codes, codings, memos) and restores what it changed, in one transaction
    with project.operation(
        coder, "import-qdpx", Change("import_qdpx", file=path.name), capture=True
    ) as op:
        _Importer(op, refi, path.name, coder, report).run()
    return report


class _Importer:
    """One import, part by part, inside one journaled operation."""

    def __init__(
        self, op: Operation, refi: RefiProject, archive: str, coder: str, report: QdpxImport
    ) -> None:
        self.op = op
        self.project = op.project
        self.conn = op.conn
        self.refi = refi
        self.archive = archive
        self.coder = coder
        self.report = report
        self.ext: dict[str, Any] = refi.extension
        self.notes = {n.guid: n for n in refi.notes}
        self.code_ids: dict[str, int] = {}
        self.doc_ids: dict[str, int] = {}
        self.case_ids: dict[str, int] = {}
        self.coding_ids: dict[str, int] = {}
        self.coding_notes: set[str] = set()  # notes that became a coding's memo
        # documents made from the side file: their segments are the exporter's, by index
        self.restored: set[int] = set()

    def run(self) -> None:
        self._users()
        if self.ext:
            _restore_persons(self.conn, self.ext.get("persons") or {})
        self._codes(self.refi.codes, "")
        for src in self.refi.sources:
            self._source(src)
        self._cases()
        self._sets()
        if self.ext:
            self._extension_memos()
            self._overrides()
            self._pseudonyms()
        else:
            for g in self.refi.project_note_guids:
                self.report.memos += self._memo("project", None, self.notes.get(g))
        for skipped in self.refi.skipped_sources:
            self.report.warnings.append(f"{skipped} is not text; skipped")

    # -- users and codes ------------------------------------------------------------------

    def _user(self, guid: str | None) -> str:
        return self.refi.users.get(guid or "") or self.coder

    def _users(self) -> None:
        known = stored_ids(self.conn, "user")
        for guid, name in self.refi.users.items():
            if is_guid(guid) and name not in known:
                self._keep_id("user", name, guid)
                known[name] = guid

    def _keep_id(self, kind: str, name: str, guid: str) -> None:
        self.op.insert("refi_ids", {"kind": kind, "name": name, "guid": guid})

    def _codes(self, codes: list[RefiCode], prefix: str) -> None:
        from kodebok.services.codes import ensure_code_path

        ext_codes = self.ext.get("codes", {})
        for c in codes:
            path = "/".join(p for p in [prefix, *code_path_parts(c.name)] if p)
            known = self._by_guid("codes", c.guid)
            if known is not None:
                self.code_ids[c.guid] = known
            else:
                color = c.color.lower() if c.color and len(c.color) == 7 else None
                extra = ext_codes.get(c.guid, {})
                fields: dict[str, Any] = {"description": c.description or None, "color": color}
                if extra:
                    fields |= {
                        "keywords": extra.get("keywords") or [],
                        "shortcut": extra.get("shortcut"),
                        "metadata": extra.get("metadata") or {},
                    }
                code_id, created = ensure_code_path(self.op, path, **fields)
                self.code_ids[c.guid] = code_id
                self.report.codes += created
                self._keep_guid("codes", code_id, c.guid)
                if created and extra.get("position") is not None:
                    self.conn.execute(
                        "UPDATE codes SET position = ? WHERE id = ?", (extra["position"], code_id)
                    )
            if not self.ext:
                for g in c.note_guids:
                    self.report.memos += self._memo(
                        "code", self.code_ids[c.guid], self.notes.get(g)
                    )
            self._codes(c.children, path)

    def _by_guid(self, table: str, guid: str) -> int | None:
        if not guid:
            return None
        row = self.conn.execute(f"SELECT id FROM {table} WHERE guid = ?", (guid,)).fetchone()
        return int(row[0]) if row else None

    def _keep_guid(self, table: str, row_id: int, guid: str) -> None:
        """Remember the GUID a row came with, unless it has one (and no other row has it)."""
        if is_guid(guid) and self._by_guid(table, guid) is None:
            self.conn.execute(
                f"UPDATE {table} SET guid = ? WHERE id = ? AND guid IS NULL", (guid, row_id)
            )

    # -- sources ----------------------------------------------------------------------------

    def _source(self, src: RefiSource) -> None:
        from kodebok.exchange.refi_read import normalised_positions

        text, pos = normalised_positions(src.text)
        if not text.strip():
            self.report.warnings.append(f"source '{src.name}' is empty; skipped")
            return
        doc_id = self._document(src, text)
        self.doc_ids[src.guid] = doc_id
        ext_doc = self.ext.get("documents", {}).get(src.guid)
        if ext_doc is None:
            from kodebok.services.documents import set_attribute

            for key, value in src.variables.items():
                set_attribute(self.project, "document", doc_id, key, value)
            for g in src.note_guids:
                self.report.memos += self._memo("document", doc_id, self.notes.get(g))
        if src.skipped_selections:
            self.report.warnings.append(
                f"{src.skipped_selections} selection(s) on pages of '{src.name}' are regions, "
                "not text; skipped"
            )
        units = self._position_units(src)
        length = len(units) - 1 if units else len(src.text)
        for sel in src.selections:
            if not (0 <= sel.start <= sel.end <= length):
                self.report.warnings.append(
                    f"selection {sel.start}–{sel.end} in '{src.name}' is outside the text; skipped"
                )
                continue
            if units:
                start, end = pos[units[sel.start]], pos[units[sel.end]]
            else:
                start, end = pos[sel.start], pos[sel.end]
            seg = _segment_for(self.project, doc_id, start, end)
            if not self.ext:
                for g in sel.note_guids:
                    if seg is not None:
                        self.report.memos += self._memo("segment", seg, self.notes.get(g))
            for c in sel.codings:
                self._coding(src, doc_id, c, (start, end), seg, sel.guid, sel.created)
        whole = (0, len(text))
        for c in src.codings:
            seg = _segment_for(self.project, doc_id, *whole)
            self._coding(src, doc_id, c, whole, seg, None, c.created)

    def _position_units(self, src: RefiSource) -> list[int] | None:
        """UTF-16 unit → character map when the source's positions count UTF-16 units:
        NVivo's do (a .NET program); others' too when a selection ends past the characters
        but within the units. None when positions count characters, as REFI-QDA says."""
        from kodebok.exchange.refi_read import utf16_positions

        units = utf16_positions(src.text)
        if units is None or self.ext:
            return None
        if self.refi.origin.lower().startswith("nvivo"):
            return units
        ends = [sel.end for sel in src.selections]
        if ends and len(src.text) < max(ends) <= len(units) - 1:
            return units
        return None

    def _document(self, src: RefiSource, text: str) -> int:
        from kodebok.services.documents import ImportOptions, store_parsed

        known = self._by_guid("documents", src.guid)
        if known is not None:
            self.report.unchanged.append(_name_of(self.project, known))
            return known
        ext_doc = self.ext.get("documents", {}).get(src.guid)
        name = ext_doc["name"] if ext_doc else _document_name(src.name)
        # documents are matched by text, but two sources with the same text are two
        # documents: each takes a document of that text not yet taken by this import
        # (the one of its own name first), so importing the archive again adds nothing
        same_id, name, twin = _same_text_document(
            self.project, text, name, set(self.doc_ids.values())
        )
        if same_id is not None:
            self.report.unchanged.append(name)
            self._keep_guid("documents", same_id, src.guid)
            return same_id
        parsed = (
            _parsed_from_extension(name, text, ext_doc, self.archive, src.name)
            if ext_doc
            else _parsed_foreign(name, text, self.archive, src.name)
        )
        result = store_parsed(
            self.project, parsed, ImportOptions(coder=self.coder), same_text_ok=twin
        )
        (self.report.documents if result.status == "imported" else self.report.unchanged).append(
            result.name
        )
        row = self.conn.execute(
            "SELECT id FROM documents WHERE name = ?", (result.name,)
        ).fetchone()
        doc_id = int(row[0])
        self._keep_guid("documents", doc_id, src.guid)
        if ext_doc and result.status == "imported":
            _restore_document(self.conn, doc_id, ext_doc)
            self.restored.add(doc_id)
        return doc_id

    def _coding(
        self,
        src: RefiSource,
        doc_id: int,
        c: RefiCoding,
        span: tuple[int, int],
        seg: int | None,
        selection_guid: str | None,
        created: str | None,
    ) -> None:
        from kodebok.services.coding import add_coding

        if c.code_guid not in self.code_ids:
            self.report.warnings.append(f"a coding in '{src.name}' names an unknown code")
            return
        extra = self.ext.get("codings", {}).get(c.guid)
        start, end = span
        if start == end and not (extra and extra.get("status") == "orphaned"):
            self.report.warnings.append(
                f"an empty selection at {start} in '{src.name}' has codings; skipped"
            )
            return
        if extra:
            memo = extra.get("memo") or ""
            if extra.get("memo_note"):
                self.coding_notes.add(extra["memo_note"])
            if doc_id in self.restored:
                seg = _segment_at(self.conn, doc_id, extra.get("segment"), seg)
        else:
            memo = " ".join(self.notes[g].text for g in c.note_guids if g in self.notes)
        coding_id, made = add_coding(
            self.op,
            document_id=doc_id,
            segment_id=seg,
            start=start,
            end=end,
            code_id=self.code_ids[c.code_guid],
            coder=self._user(c.user_guid),
            memo=memo,
            origin=extra.get("origin", "import") if extra else "import",
            status=extra.get("status", "ok") if extra else "ok",
            anchor_text=extra.get("anchor_text") if extra else None,
        )
        self.report.codings += made
        self.coding_ids[c.guid] = coding_id
        if made:
            stamp = (extra or {}).get("created_at") or c.created or created
            if stamp:
                self.conn.execute(
                    "UPDATE codings SET created_at = ? WHERE id = ?", (stamp, coding_id)
                )
            if is_guid(selection_guid):
                self.conn.execute(
                    "UPDATE codings SET selection_guid = ? WHERE id = ?",
                    (selection_guid, coding_id),
                )
            self._keep_guid("codings", coding_id, c.guid)

    # -- cases and sets -----------------------------------------------------------------------

    def _cases(self) -> None:
        from kodebok.services.documents import ensure_case, set_attribute

        ext_cases = self.ext.get("cases", {})
        speakers = set(self.ext.get("speaker_cases", []))  # in the side file already
        for case in self.refi.cases:
            if case.guid in speakers:
                continue
            case_id = self._by_guid("cases", case.guid) or ensure_case(self.project, case.name)
            self._keep_guid("cases", case_id, case.guid)
            self.case_ids[case.guid] = case_id
            self.report.cases += 1
            if case.description:
                self.conn.execute(
                    "UPDATE cases SET memo = ? WHERE id = ?", (case.description, case_id)
                )
            if case.guid in ext_cases:
                _put_attributes(self.conn, "case", case_id, ext_cases[case.guid]["attributes"])
            else:
                for key, value in case.variables.items():
                    set_attribute(self.project, "case", case_id, key, value)
            for g in case.source_guids:
                if g in self.doc_ids:
                    self.conn.execute(
                        "UPDATE documents SET case_id = ? WHERE id = ?", (case_id, self.doc_ids[g])
                    )

    def _sets(self) -> None:
        """A foreign Set of sources becomes a document attribute named after it (value
        ``ja`` on its members), usable in ``matrix --by``; kodebok's own Sets are skipped."""
        from kodebok.services.documents import set_attribute

        own = set(self.ext.get("sets", []))
        known = stored_ids(self.conn, "set")
        for st in self.refi.sets:
            if st.guid in own:
                continue
            members = [self.doc_ids[g] for g in st.source_guids if g in self.doc_ids]
            if st.code_guids and not members:
                self.report.warnings.append(f"the code set '{st.name}' is not kept (no sources)")
                continue
            name = st.name.strip() or st.guid
            for doc_id in members:
                set_attribute(self.project, "document", doc_id, name, SET_MEMBER_VALUE)
            if is_guid(st.guid) and name not in known:
                self._keep_id("set", name, st.guid)
                known[name] = st.guid
            self.report.sets += 1

    # -- memos, overrides, pseudonyms --------------------------------------------------------

    def _memo(
        self, kind: str, target: int | None, note: RefiNote | None, **where: int | None
    ) -> int:
        """Add a note as a memo on a target, unless it is there (by GUID, or by text)."""
        if note is None or not note.text.strip() or note.guid in self.coding_notes:
            return 0
        if self._by_guid("memos", note.guid) is not None:
            return 0
        author = self._user(note.user_guid)
        exists = self.conn.execute(
            "SELECT 1 FROM memos WHERE target_kind = ? AND target_id IS ? AND text = ? "
            "AND author = ?",
            (kind, target, note.text, author),
        ).fetchone()
        if exists:
            return 0
        self.op.insert(
            "memos",
            {
                "target_kind": kind,
                "target_id": target,
                "case_id": where.get("case_id"),
                "code_id": where.get("code_id"),
                "text": note.text,
                "author": author,
                "created_at": note.created or now_iso(),
                "updated_at": where.get("updated_at") or note.created or now_iso(),
                "guid": note.guid
                if is_guid(note.guid) and not self._by_guid("memos", note.guid)
                else None,
            },
        )
        return 1

    def _extension_memos(self) -> None:
        for guid, m in self.ext.get("memos", {}).items():
            note = self.notes.get(guid)
            if note is None:
                continue
            kind = m.get("target_kind", "project")
            target = self._memo_target(kind, m.get("target"))
            if target is None and m.get("target") is not None:
                continue
            note = RefiNote(note.guid, note.name, note.text, note.user_guid, m.get("created_at"))
            self.report.memos += self._memo(
                kind,
                target,
                note,
                case_id=self.case_ids.get(m.get("case") or ""),
                code_id=self.code_ids.get(m.get("code") or ""),
                updated_at=m.get("updated_at"),
            )
            if m.get("author"):
                self.conn.execute("UPDATE memos SET author = ? WHERE guid = ?", (m["author"], guid))

    def _memo_target(self, kind: str, ref: Any) -> int | None:
        if ref is None:
            return None
        if kind == "segment" and isinstance(ref, list) and len(ref) == 2:
            doc = self.doc_ids.get(ref[0])
            return _segment_at(self.conn, doc, ref[1], None) if doc is not None else None
        table = {
            "document": self.doc_ids,
            "code": self.code_ids,
            "case": self.case_ids,
            "coding": self.coding_ids,
        }.get(kind)
        if table is None:
            return int(ref) if isinstance(ref, int) else None
        return table.get(str(ref))

    def _overrides(self) -> None:
        for o in self.ext.get("overrides", []):
            case_id = self.case_ids.get(o.get("case") or "")
            code_id = self.code_ids.get(o.get("code") or "")
            if case_id is None or code_id is None:
                continue
            self.conn.execute(
                "INSERT OR IGNORE INTO presence_overrides(case_id, code_id, value, note, author, "
                "at) VALUES (?,?,?,?,?,?)",
                (case_id, code_id, o.get("value"), o.get("note", ""), o.get("author"), o.get("at")),
            )

    def _pseudonyms(self) -> None:
        for p in self.ext.get("pseudonyms", []):
            self.conn.execute(
                "INSERT OR IGNORE INTO pseudonyms(real, pseudonym, kind, created_at) "
                "VALUES (?,?,?,?)",
                (
                    p["real"],
                    p["pseudonym"],
                    p.get("kind", "other"),
                    p.get("created_at") or now_iso(),
                ),
            )


def code_path_parts(name: str) -> list[str]:
    """The one rule for ``/`` in a code name read from another program: it separates a path
    (Taguette writes ``Ledelse/Fremmer`` for a child code); empty parts are dropped."""
    return [" ".join(p.split()) for p in name.split("/") if p.strip()] or ["uten navn"]


def _name_of(project: Project, doc_id: int) -> str:
    row = project.conn.execute("SELECT name FROM documents WHERE id = ?", (doc_id,)).fetchone()
    return str(row[0])


def _document_name(source_name: str) -> str:
    return Path(source_name).stem if "." in source_name[-6:] else source_name


def _segment_for(project: Project, doc_id: int, start: int, end: int) -> int | None:
    from kodebok.services.coding import segment_for_span

    if start == end:  # an orphaned coding: the segment it is nearest to
        row = project.conn.execute(
            "SELECT id FROM segments WHERE document_id = ? AND start <= ? ORDER BY start DESC "
            "LIMIT 1",
            (doc_id, start),
        ).fetchone()
        return int(row[0]) if row else None
    return segment_for_span(project, doc_id, start, end)


def _segment_at(conn: Any, doc_id: int, idx: Any, default: int | None) -> int | None:
    if not isinstance(idx, int):
        return default
    row = conn.execute(
        "SELECT id FROM segments WHERE document_id = ? AND idx = ?", (doc_id, idx)
    ).fetchone()
    return int(row[0]) if row else default


def _put_attributes(conn: Any, kind: str, entity_id: int, values: dict[str, Any]) -> None:
    """Attributes as they were, with their stored type ({name: [value, type]})."""
    for name, (value, type_) in values.items():
        conn.execute(
            "INSERT INTO attributes(entity_kind, entity_id, name, value, type) VALUES (?,?,?,?,?) "
            "ON CONFLICT(entity_kind, entity_id, name) DO UPDATE SET value = excluded.value, "
            "type = excluded.type",
            (kind, entity_id, name, value, type_),
        )


def _parsed_from_extension(
    name: str, text: str, ext: dict[str, Any], archive: str, source_name: str
) -> ParsedDocument:
    """The document as kodebok had it: its own segments, speakers, kind and language."""
    turns = tuple(
        Turn(int(s[0]), int(s[1]), s[2], s[3], s[4])
        for s in ext.get("segments", [])
        if 0 <= int(s[0]) <= int(s[1]) <= len(text)
    )
    interviewers = frozenset(sp["label"] for sp in ext.get("speakers", []) if sp["interviewer"])
    meta = {k: v for k, v in _metadata(ext).items() if k not in ("speakers", "case")}
    return ParsedDocument(
        name=name,
        source=f"{archive}:{source_name}",
        kind=ext.get("kind") or "dokument",
        text=text,
        turns=turns or tuple(_paragraph_turns(text)),
        metadata=meta,
        interviewers=interviewers,
        language=ext.get("language") or "nb",
    )


def _metadata(ext: dict[str, Any]) -> dict[str, Any]:
    try:
        value = json.loads(ext.get("metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _restore_document(conn: Any, doc_id: int, ext: dict[str, Any]) -> None:
    """What store_parsed cannot know: the document's own source, dates, metadata, speakers
    (also those without turns, with interviewer flag, person and attributes) and attributes."""
    conn.execute(
        "UPDATE documents SET source = ?, imported_at = ?, metadata = ? WHERE id = ?",
        (
            ext.get("source", ""),
            ext.get("imported_at"),
            json.dumps(_metadata(ext), ensure_ascii=False),
            doc_id,
        ),
    )
    conn.execute(
        "DELETE FROM attributes WHERE entity_kind = 'document' AND entity_id = ?", (doc_id,)
    )
    _put_attributes(conn, "document", doc_id, ext.get("attributes") or {})
    for sp in ext.get("speakers", []):
        person_id = None
        if sp.get("person"):
            conn.execute("INSERT OR IGNORE INTO persons(name) VALUES (?)", (sp["person"],))
            person_id = conn.execute(
                "SELECT id FROM persons WHERE name = ?", (sp["person"],)
            ).fetchone()[0]
        row = conn.execute(
            "SELECT id FROM speakers WHERE document_id = ? AND label = ?", (doc_id, sp["label"])
        ).fetchone()
        if row is None:
            speaker_id = conn.execute(
                "INSERT INTO speakers(document_id, label, interviewer, person_id) VALUES (?,?,?,?)",
                (doc_id, sp["label"], int(bool(sp["interviewer"])), person_id),
            ).lastrowid
        else:
            speaker_id = row[0]
            conn.execute(
                "UPDATE speakers SET interviewer = ?, person_id = ? WHERE id = ?",
                (int(bool(sp["interviewer"])), person_id, speaker_id),
            )
        conn.execute(
            "DELETE FROM attributes WHERE entity_kind = 'speaker' AND entity_id = ?",
            (speaker_id,),
        )
        _put_attributes(conn, "speaker", int(speaker_id), sp.get("attributes") or {})


def _restore_persons(conn: Any, persons: dict[str, Any]) -> None:
    for name, attrs in persons.items():
        conn.execute("INSERT OR IGNORE INTO persons(name) VALUES (?)", (name,))
        person_id = conn.execute("SELECT id FROM persons WHERE name = ?", (name,)).fetchone()[0]
        _put_attributes(conn, "person", int(person_id), attrs or {})


def _paragraph_turns(text: str) -> list[Turn]:
    """Paragraphs; lines where blank lines are rare (NVivo writes one paragraph a line, so a
    50-page source would otherwise be a handful of segments)."""
    from kodebok.ingest import segment_paragraphs

    paragraphs = segment_paragraphs(text)
    lines = text.count("\n") + 1
    if len(text) <= _LONG_PARAGRAPH * max(len(paragraphs), 1) or lines < 3 * len(paragraphs):
        return paragraphs
    turns: list[Turn] = []
    start = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            first = start + line.index(stripped[0])
            turns.append(Turn(first, first + len(stripped)))
        start += len(line) + 1
    return turns


_LONG_PARAGRAPH = 3000  # characters, on average: a text of few blank lines
_MIN_TURNS_PER_SPEAKER = 2
_MIN_SPOKEN_SHARE = 0.5
_MIN_LABELLED_LINES = 0.3  # of the non-empty lines


def _parsed_foreign(name: str, text: str, archive: str, source_name: str) -> ParsedDocument:
    """A source from another program: a transcript only when it reads as one, so a paper's
    ``RQ 2:``, ``Model 1:`` or ``Level 1:`` headings invent no speakers; its language guessed."""
    from kodebok.ingest import segment_transcript

    turns, interviewers = segment_transcript(text)
    if not _reads_as_transcript(turns, interviewers, text):
        turns, interviewers = _paragraph_turns(text), frozenset()
    speakers = {t.speaker for t in turns if t.speaker}
    kind = "dokument"
    if speakers:
        kind = "fokusgruppe" if len(speakers - interviewers) >= 3 else "intervju"
    return ParsedDocument(
        name=name,
        source=f"{archive}:{source_name}",
        kind=kind,
        text=text,
        turns=tuple(turns),
        interviewers=interviewers,
        language=guess_source_language(text),
    )


def _reads_as_transcript(turns: list[Turn], interviewers: frozenset[str], text: str) -> bool:
    """Speaker turns that are a dialogue: an interviewer label, or at least two speakers who
    each take two turns, together hold half the text, and open a good share of its lines.
    Headings (``RQ 2:``, ``Model 1:``) come once each; titles repeated in a table dump
    (``Covid: …`` over every row) open few of its lines."""
    counts = Counter(t.speaker for t in turns if t.speaker)
    if not counts:
        return False
    if interviewers & set(counts):
        return True
    talkers = [s for s, n in counts.items() if n >= _MIN_TURNS_PER_SPEAKER]
    spoken = sum(t.end - t.start for t in turns if t.speaker in talkers)
    lines = sum(1 for line in text.split("\n") if line.strip())
    return (
        len(talkers) >= 2
        and spoken >= _MIN_SPOKEN_SHARE * len(text)
        and sum(counts.values()) >= _MIN_LABELLED_LINES * lines
    )


_FEW_WORDS = 20
_MARKER_SHARE = 0.05  # marker words are 20-30 % of running text in their language
_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "is",
        "that",
        "in",
        "it",
        "was",
        "for",
        "with",
        "as",
        "are",
        "this",
        "be",
        "have",
        "not",
        "but",
        "they",
        "on",
        "which",
        "we",
        "what",
        "by",
        "from",
    ]
)
_NORWEGIAN = frozenset(
    [
        "og",
        "det",
        "er",
        "som",
        "ikke",
        "på",
        "av",
        "jeg",
        "til",
        "med",
        "har",
        "vi",
        "den",
        "en",
        "et",
        "å",
        "for",
        "de",
        "så",
        "kan",
        "vil",
        "var",
        "om",
        "eg",
        "ikkje",
        "dei",
        "kva",
        "ein",
    ]
)


def guess_source_language(text: str) -> str:
    """``en`` or ``nb``/``nn`` when their marker words are frequent, else ``und``
    (undetermined: a Hungarian source is neither), for sources from other programs."""
    from kodebok.ingest.document import guess_language

    words = _WORD.findall(text[:200_000].casefold())
    if len(words) < _FEW_WORDS:
        return guess_language(text)
    counts = Counter(words)
    english = sum(n for w, n in counts.items() if w in _ENGLISH)
    norwegian = sum(n for w, n in counts.items() if w in _NORWEGIAN)
    if max(english, norwegian) < _MARKER_SHARE * len(words):
        return "und"
    return "en" if english > norwegian else guess_language(text)


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


def validate_qdpx(data: bytes, xsd_path: Path) -> list[str]:
    """Problems found validating a .qdpx's project.qde against the REFI-QDA schema."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            qde = zf.read("project.qde")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise KodebokError(f"not a .qdpx with project.qde ({exc})") from exc
    from kodebok import safe_xml

    try:
        schema = safe_xml.schema(xsd_path.read_bytes())
        doc = safe_xml.parse(qde)
    except (OSError, safe_xml.XmlRefused) as exc:
        raise KodebokError(f"cannot validate: {exc}") from exc
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
