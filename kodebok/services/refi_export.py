"""The project as REFI-QDA data (the .qdpx writer's input), with kodebok's own side file.

Identity: every source, code, coding, selection, case, memo and user is written with the GUID
it came with (from a .qdpx it was imported from) or, failing that, a GUID derived from what it
is (uuid5), so exporting twice gives the same GUIDs and a code has the same GUID in .qdc and
.qdpx. What REFI-QDA has elements for uses them: Cases with Variables, Notes, Sets and
readable Descriptions. What it has none for (speakers, segments, code keywords and shortcuts,
coding origins and states, where a memo sits, presence overrides, and the pseudonym map when
asked) goes to ``kodebok/kodebok.json`` inside the archive, which other programs ignore.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Any

from kodebok import __version__
from kodebok.codebook.qdc_format import code_guid
from kodebok.exchange.refi_model import (
    EXTENSION_FORMAT,
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSet,
    RefiSource,
    stable_guid,
)
from kodebok.store import Project, now_iso

_TYPES = {"integer": "Integer", "number": "Float", "text": "Text"}
ORPHANED_NOTE = "[orphaned] The coded text is no longer in the revised document. It was:"
# memo targets REFI-QDA can hold a NoteRef for; others hang on the project (and the side file
# says where they belong)
_KIND_NAMES = {
    "intervju": "interview",
    "fokusgruppe": "focus group",
    "dokument": "document",
}


class Exporter:
    """Builds the RefiProject of one kodebok project, part by part."""

    def __init__(self, project: Project, *, with_pseudonyms: bool = False) -> None:
        self.project = project
        self.conn: sqlite3.Connection = project.conn
        self.with_pseudonyms = with_pseudonyms
        self.refi = RefiProject(
            name=project.path.stem, created=now_iso(), origin=f"kodebok {__version__}"
        )
        self.ext: dict[str, Any] = {"format": EXTENSION_FORMAT, "version": 1}
        self.variable_guids: dict[str, str] = {}
        self.user_guid: dict[str, str] = {}
        self.code_guid: dict[int, str] = {}
        self.doc_guid: dict[int, str] = {}
        self.case_guid: dict[int, str] = {}
        self.coding_guid: dict[int, str] = {}
        self.segment_ref: dict[int, tuple[int, int]] = {}  # segment id → (document id, idx)
        self.codes_by_id: dict[int, RefiCode] = {}
        self.notes_on: dict[tuple[str, int | None], list[str]] = defaultdict(list)
        self.speaker_cases: list[str] = []
        self._speaker_attrs: dict[int, dict[str, list[Any]]] | None = None

    def run(self) -> RefiProject:
        self._users()
        self._codes()
        self._variables()
        self._documents_and_cases()
        self._memos()
        self._sources()
        self._cases()
        self._sets()
        self._overrides()
        if self.with_pseudonyms:
            self.ext["pseudonyms"] = [
                {k: r[k] for k in ("real", "pseudonym", "kind", "created_at")}
                for r in self.conn.execute("SELECT * FROM pseudonyms ORDER BY id")
            ]
        self.refi.extension = self.ext
        return self.refi

    # -- parts -----------------------------------------------------------------------------

    def _users(self) -> None:
        names = sorted(
            {
                r[0]
                for r in self.conn.execute(
                    "SELECT coder FROM codings UNION SELECT author FROM memos "
                    "UNION SELECT author FROM presence_overrides"
                )
            }
        )
        known = stored_ids(self.conn, "user")
        names = sorted(set(names) | set(known))  # users of an imported file stay, coding or not
        self.user_guid = {u: str(known.get(u) or stable_guid("user", u)) for u in names}
        self.refi.users = {g: u for u, g in self.user_guid.items()}

    def _codes(self) -> None:
        rows = self.conn.execute(
            "SELECT id, parent_id, name, description, keywords, color, shortcut, position, "
            "metadata, guid FROM codes ORDER BY COALESCE(parent_id, 0), position, id"
        ).fetchall()
        paths: dict[int, str] = {}
        by_parent: dict[int | None, list[sqlite3.Row]] = defaultdict(list)
        for r in rows:
            by_parent[r["parent_id"]].append(r)
        ext_codes: dict[str, Any] = {}

        def visit(parent: int | None, prefix: str, siblings: list[RefiCode]) -> None:
            for r in by_parent.get(parent, []):
                path = f"{prefix}/{r['name']}" if prefix else r["name"]
                paths[r["id"]] = path
                guid = r["guid"] or code_guid(path)
                self.code_guid[r["id"]] = guid
                code = RefiCode(
                    guid=guid, name=r["name"], description=r["description"], color=r["color"]
                )
                self.codes_by_id[r["id"]] = code
                siblings.append(code)
                ext_codes[guid] = {
                    "keywords": json.loads(r["keywords"] or "[]"),
                    "shortcut": r["shortcut"],
                    "metadata": json.loads(r["metadata"] or "{}"),
                    "position": r["position"],
                }
                visit(r["id"], path, code.children)

        visit(None, "", self.refi.codes)
        self.ext["codes"] = ext_codes

    def _variables(self) -> None:
        for r in self.conn.execute(
            "SELECT name, MIN(type) FROM attributes WHERE entity_kind IN "
            "('case', 'document', 'speaker') GROUP BY name ORDER BY name"
        ):
            self.refi.variables[r[0]] = _TYPES.get(r[1], "Text")
            self.variable_guids[r[0]] = stable_guid("variable", r[0])

    def _documents_and_cases(self) -> None:
        for r in self.conn.execute("SELECT id, name, sha256, guid FROM documents ORDER BY id"):
            self.doc_guid[r["id"]] = r["guid"] or stable_guid("source", r["sha256"], r["name"])
        for r in self.conn.execute("SELECT id, name, guid FROM cases ORDER BY id"):
            self.case_guid[r["id"]] = r["guid"] or stable_guid("case", r["name"])
        for r in self.conn.execute("SELECT id, document_id, idx FROM segments"):
            self.segment_ref[r["id"]] = (r["document_id"], r["idx"])
        for r in self.conn.execute("SELECT id, coder, guid FROM codings"):
            self.coding_guid[r["id"]] = r["guid"] or stable_guid("coding", str(r["id"]), r["coder"])

    def _memos(self) -> None:
        ext_memos: dict[str, Any] = {}
        for m in self.conn.execute("SELECT * FROM memos ORDER BY id"):
            guid = m["guid"] or stable_guid("memo", str(m["id"]), m["created_at"])
            kind, target = m["target_kind"], m["target_id"]
            self.refi.notes.append(
                RefiNote(
                    guid=guid,
                    name=_memo_name(kind),
                    text=m["text"],
                    user_guid=self.user_guid.get(m["author"]),
                    created=m["created_at"] or None,
                )
            )
            ext_memos[guid] = {
                "target_kind": kind,
                "target": self._memo_target(kind, target),
                "case": self.case_guid.get(m["case_id"]) if m["case_id"] else None,
                "code": self.code_guid.get(m["code_id"]) if m["code_id"] else None,
                "author": m["author"],
                "created_at": m["created_at"],
                "updated_at": m["updated_at"],
            }
            if kind == "code" and target in self.codes_by_id:
                self.codes_by_id[target].note_guids.append(guid)
            elif kind in ("document", "segment"):
                self.notes_on[(kind, target)].append(guid)
            else:  # project, case, cell, coding memos: on the project
                self.refi.project_note_guids.append(guid)
        self.ext["memos"] = ext_memos

    def _memo_target(self, kind: str, target: int | None) -> Any:
        if target is None:
            return None
        if kind == "document":
            return self.doc_guid.get(target)
        if kind == "code":
            return self.code_guid.get(target)
        if kind == "case":
            return self.case_guid.get(target)
        if kind == "coding":
            return self.coding_guid.get(target)
        if kind == "segment" and target in self.segment_ref:
            doc, idx = self.segment_ref[target]
            return [self.doc_guid[doc], idx]
        return target

    def _sources(self) -> None:
        docs = self.conn.execute("SELECT * FROM documents ORDER BY id").fetchall()
        attrs = _attributes(self.conn, "document")
        ext_docs: dict[str, Any] = {}
        ext_codings: dict[str, Any] = {}
        for d in docs:
            guid = self.doc_guid[d["id"]]
            src = RefiSource(
                guid=guid,
                name=d["name"],
                text=d["text"],
                created=d["imported_at"] or None,
                variables={k: v for k, (v, _) in attrs.get(d["id"], {}).items()},
                note_guids=list(self.notes_on.get(("document", d["id"]), [])),
                description=_description(d),
            )
            src.selections = self._selections(d["id"], guid, d["text"], ext_codings)
            self._speaker_cases(d, src)
            self.refi.sources.append(src)
            ext_docs[guid] = self._document_extension(d, attrs.get(d["id"], {}))
        self.ext["documents"] = ext_docs
        self.ext["codings"] = ext_codings
        self.ext["speaker_cases"] = self.speaker_cases
        self.ext["persons"] = {
            p["name"]: _attributes(self.conn, "person").get(p["id"], {})
            for p in self.conn.execute("SELECT id, name FROM persons ORDER BY id")
        }

    def speaker_attrs(self) -> dict[int, dict[str, list[Any]]]:
        if self._speaker_attrs is None:
            self._speaker_attrs = _attributes(self.conn, "speaker")
        return self._speaker_attrs

    def _speaker_cases(self, d: sqlite3.Row, src: RefiSource) -> None:
        """Each speaker as a Case of its turns (a selection per segment), with its attributes
        as Variables: other programs show who said what, with role and level."""
        attrs = self.speaker_attrs()
        by_span = {(s.start, s.end): s.guid for s in src.selections}
        turns: dict[int, list[str]] = defaultdict(list)
        for seg in self.conn.execute(
            'SELECT idx, start, "end", speaker_id FROM segments WHERE document_id = ? '
            "AND speaker_id IS NOT NULL ORDER BY idx",
            (d["id"],),
        ):
            guid = by_span.get((seg["start"], seg["end"]))
            if guid is None:
                guid = stable_guid("segment", src.guid, str(seg["idx"]))
                src.selections.append(
                    RefiSelection(
                        guid=guid, start=seg["start"], end=seg["end"], user_guid=None, created=None
                    )
                )
                by_span[(seg["start"], seg["end"])] = guid
            turns[seg["speaker_id"]].append(guid)
        src.selections.sort(key=lambda s: (s.start, s.end, s.guid))
        for sp in self.conn.execute(
            "SELECT id, label, interviewer FROM speakers WHERE document_id = ? ORDER BY id",
            (d["id"],),
        ):
            guid = stable_guid("speaker", src.guid, sp["label"])
            self.speaker_cases.append(guid)
            self.refi.cases.append(
                RefiCase(
                    guid=guid,
                    name=f"{d['name']}: {sp['label']}",
                    description="Interviewer" if sp["interviewer"] else "Speaker",
                    variables={k: v for k, (v, _) in attrs.get(sp["id"], {}).items()},
                    selection_guids=turns.get(sp["id"], []),
                )
            )

    def _document_extension(self, d: sqlite3.Row, attrs: dict[str, Any]) -> dict[str, Any]:
        doc_id = d["id"]
        speaker_attrs = self.speaker_attrs()
        speakers = self.conn.execute(
            "SELECT s.id, s.label, s.interviewer, p.name AS person FROM speakers s "
            "LEFT JOIN persons p ON p.id = s.person_id WHERE s.document_id = ? ORDER BY s.id",
            (doc_id,),
        ).fetchall()
        labels = {s["id"]: s["label"] for s in speakers}
        segments = self.conn.execute(
            'SELECT start, "end", speaker_id, t_start, t_end FROM segments '
            "WHERE document_id = ? ORDER BY idx",
            (doc_id,),
        ).fetchall()
        return {
            "name": d["name"],
            "kind": d["kind"],
            "language": d["language"],
            "source": d["source"],
            "imported_at": d["imported_at"],
            "metadata": d["metadata"] or "{}",  # as stored: JSON text, keys in their order
            "attributes": attrs,
            "case": self.case_guid.get(d["case_id"]) if d["case_id"] else None,
            "segments": [
                [s["start"], s["end"], labels.get(s["speaker_id"]), s["t_start"], s["t_end"]]
                for s in segments
            ],
            "speakers": [
                {
                    "label": s["label"],
                    "interviewer": bool(s["interviewer"]),
                    "person": s["person"],
                    "attributes": speaker_attrs.get(s["id"], {}),
                }
                for s in speakers
            ],
        }

    def _selections(
        self, doc_id: int, doc_guid: str, text: str, ext_codings: dict[str, Any]
    ) -> list[RefiSelection]:
        selections: dict[str, RefiSelection] = {}
        for k in self.conn.execute(
            'SELECT * FROM codings WHERE document_id = ? ORDER BY start, "end", id', (doc_id,)
        ):
            sel_guid = k["selection_guid"] or stable_guid(
                "selection", doc_guid, str(k["start"]), str(k["end"])
            )
            sel = selections.get(sel_guid)
            if sel is None:
                sel = selections[sel_guid] = RefiSelection(
                    guid=sel_guid,
                    start=k["start"],
                    end=k["end"],
                    user_guid=self.user_guid.get(k["coder"]),
                    created=k["created_at"] or None,
                )
                if k["segment_id"] is not None:
                    sel.note_guids.extend(self.notes_on.get(("segment", k["segment_id"]), []))
            guid = self.coding_guid[k["id"]]
            notes: list[str] = []
            memo = _coding_note(k["memo"], k["status"], k["anchor_text"])
            if memo:
                note_guid = stable_guid("coding-memo", guid)
                self.refi.notes.append(
                    RefiNote(
                        guid=note_guid,
                        name="Notat (koding)",
                        text=memo,
                        user_guid=self.user_guid.get(k["coder"]),
                        created=k["created_at"] or None,
                    )
                )
                notes.append(note_guid)
            sel.codings.append(
                RefiCoding(
                    guid=guid,
                    code_guid=self.code_guid[k["code_id"]],
                    user_guid=self.user_guid.get(k["coder"]),
                    created=k["created_at"] or None,
                    note_guids=notes,
                )
            )
            ext_codings[guid] = {
                "origin": k["origin"],
                "status": k["status"],
                "anchor_text": k["anchor_text"],
                "memo": k["memo"],
                "memo_note": notes[0] if notes else None,
                "segment": self.segment_ref[k["segment_id"]][1]
                if k["segment_id"] in self.segment_ref
                else None,
                "created_at": k["created_at"],
            }
        self._uncoded_segment_notes(doc_id, doc_guid, selections)
        return sorted(selections.values(), key=lambda s: (s.start, s.end, s.guid))

    def _uncoded_segment_notes(
        self, doc_id: int, doc_guid: str, selections: dict[str, RefiSelection]
    ) -> None:
        """Memos on segments nobody coded travel as selections without codings."""
        placed = {g for s in selections.values() for g in s.note_guids}
        for (kind, seg_id), guids in self.notes_on.items():
            if kind != "segment" or seg_id not in self.segment_ref:
                continue
            if self.segment_ref[seg_id][0] != doc_id or all(g in placed for g in guids):
                continue
            row = self.conn.execute(
                'SELECT start, "end" FROM segments WHERE id = ?', (seg_id,)
            ).fetchone()
            guid = stable_guid("selection", doc_guid, str(row[0]), str(row[1]))
            sel = selections.setdefault(
                guid,
                RefiSelection(guid=guid, start=row[0], end=row[1], user_guid=None, created=None),
            )
            sel.note_guids.extend(g for g in guids if g not in placed)

    def _cases(self) -> None:
        attrs = _attributes(self.conn, "case")
        docs_of: dict[int, list[str]] = defaultdict(list)
        for r in self.conn.execute(
            "SELECT id, case_id FROM documents WHERE case_id IS NOT NULL ORDER BY id"
        ):
            docs_of[r["case_id"]].append(self.doc_guid[r["id"]])
        ext_cases: dict[str, Any] = {}
        for c in self.conn.execute("SELECT id, name, memo FROM cases ORDER BY id"):
            guid = self.case_guid[c["id"]]
            values = attrs.get(c["id"], {})
            self.refi.cases.append(
                RefiCase(
                    guid=guid,
                    name=c["name"],
                    description=c["memo"],
                    variables={k: v for k, (v, _) in values.items()},
                    source_guids=docs_of.get(c["id"], []),
                )
            )
            ext_cases[guid] = {"name": c["name"], "attributes": values}
        self.ext["cases"] = ext_cases

    def _sets(self) -> None:
        """kodebok's groupings as Sets: by case, by kind, by each document attribute value;
        a foreign Set imported as a document attribute goes back as that Set."""
        foreign = stored_ids(self.conn, "set")
        groups: dict[str, list[str]] = defaultdict(list)
        own: dict[str, str] = {}
        for d in self.conn.execute(
            "SELECT d.id, d.kind, c.name AS case_name FROM documents d "
            "LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.id"
        ):
            if d["case_name"]:
                groups[f"case: {d['case_name']}"].append(self.doc_guid[d["id"]])
            groups[f"kind: {d['kind']}"].append(self.doc_guid[d["id"]])
        for r in self.conn.execute(
            "SELECT entity_id, name, value FROM attributes WHERE entity_kind = 'document' "
            "ORDER BY name, value, entity_id"
        ):
            guid = self.doc_guid.get(r["entity_id"])
            if guid is None:
                continue
            if r["name"] in foreign:
                groups[r["name"]].append(guid)
                own[r["name"]] = str(foreign[r["name"]])
            else:
                groups[f"{r['name']}: {r['value']}"].append(guid)
        made = []
        for name, members in groups.items():
            guid = own.get(name) or stable_guid("set", name)
            if name not in own:
                made.append(guid)
            self.refi.sets.append(RefiSet(guid=guid, name=name, source_guids=members))
        self.ext["sets"] = made

    def _overrides(self) -> None:
        self.ext["overrides"] = [
            {
                "case": self.case_guid.get(r["case_id"]),
                "code": self.code_guid.get(r["code_id"]),
                "value": r["value"],
                "note": r["note"],
                "author": r["author"],
                "at": r["at"],
            }
            for r in self.conn.execute("SELECT * FROM presence_overrides ORDER BY id")
        ]


def stored_ids(conn: sqlite3.Connection, kind: str) -> dict[str, str]:
    """name → GUID kept from imported files, for coders (``user``) or foreign Sets (``set``)."""
    return {
        r[0]: r[1] for r in conn.execute("SELECT name, guid FROM refi_ids WHERE kind = ?", (kind,))
    }


def _attributes(conn: sqlite3.Connection, kind: str) -> dict[int, dict[str, list[Any]]]:
    """entity id → {name: [value, type]} for one entity kind."""
    out: dict[int, dict[str, list[Any]]] = defaultdict(dict)
    for r in conn.execute(
        "SELECT entity_id, name, value, type FROM attributes WHERE entity_kind = ? "
        "ORDER BY entity_id, name",
        (kind,),
    ):
        out[r["entity_id"]][r["name"]] = [r["value"], r["type"]]
    return out


def _memo_name(kind: str) -> str:
    return f"Notat ({kind})"


def _description(d: sqlite3.Row) -> str:
    """A TextSource description people can read in other programs (not a data blob)."""
    kind = _KIND_NAMES.get(d["kind"], d["kind"])
    parts = [f"{kind.capitalize()}, language {d['language']}"]
    if d["source"]:
        parts.append(f"imported from {d['source']}")
    return "; ".join(parts) + "."


def _coding_note(memo: str, status: str, anchor: str | None) -> str:
    """A coding's memo; an orphaned coding (a zero-length selection: its text is gone from the
    revised document) says so and keeps the text it coded."""
    if status != "orphaned" or not anchor:
        return memo
    orphan = f"{ORPHANED_NOTE} «{anchor.strip()}»"
    return f"{memo}\n\n{orphan}" if memo else orphan
