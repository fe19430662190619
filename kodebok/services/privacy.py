"""Privacy: finding personal data in documents and exports, and the pseudonymisation map."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kodebok.errors import KodebokError
from kodebok.notes import Change
from kodebok.store import Project, now_iso
from kodebok.store import queries as q

if TYPE_CHECKING:
    from kodebok.analysis.privacy import Finding
    from kodebok.exchange.refi_model import RefiProject

KINDS = ("case", "person", "place", "other")
_TEXT_EXPORTS = {
    ".csv",
    ".md",
    ".txt",
    ".html",
    ".htm",
    ".json",
    ".jsonl",
    ".yaml",
    ".yml",
    ".qde",
    ".xml",
}


@dataclass(frozen=True)
class PrivacyHit:
    """A finding with where it was: a document (and segment) or an exported file."""

    where: str
    line: int
    kind: str
    match: str
    reason: str
    context: str
    source: str = ""


def pseudonym_map(project: Project) -> dict[str, str]:
    """The project's real → pseudonym map."""
    return {r[0]: r[1] for r in project.conn.execute("SELECT real, pseudonym FROM pseudonyms")}


def pseudonym_rows(project: Project) -> list[dict[str, str]]:
    """The map with kinds, for listing."""
    return [
        dict(r)
        for r in project.conn.execute(
            "SELECT real, pseudonym, kind, created_at FROM pseudonyms ORDER BY kind, real"
        )
    ]


def set_pseudonym(
    project: Project, real: str, pseudonym: str, kind: str = "other", *, coder: str
) -> None:
    """Add or change one entry of the map (journaled)."""
    real, pseudonym = real.strip(), pseudonym.strip()
    if not real or not pseudonym:
        raise KodebokError(
            "both the real name and the pseudonym are needed",
            code="privacy.both_real_name_pseudonym",
        )
    if kind not in KINDS:
        raise KodebokError(
            f"kind must be one of {', '.join(KINDS)}",
            code="privacy.kind_one",
            kinds=", ".join(KINDS),
        )
    row = project.conn.execute("SELECT id FROM pseudonyms WHERE real = ?", (real,)).fetchone()
    with project.operation(coder, "pseudonym", Change("set_pseudonym", real=real)) as op:
        if row:
            op.update("pseudonyms", int(row[0]), {"pseudonym": pseudonym, "kind": kind})
        else:
            op.insert(
                "pseudonyms",
                {"real": real, "pseudonym": pseudonym, "kind": kind, "created_at": now_iso()},
            )


def remove_pseudonym(project: Project, real: str, *, coder: str) -> None:
    """Remove one entry of the map."""
    with project.operation(coder, "pseudonym", Change("remove_pseudonym", real=real)) as op:
        if not op.delete_where("pseudonyms", "real = ?", (real,)):
            raise KodebokError(
                f"'{real}' is not in the pseudonymisation map",
                code="privacy.pseudonymisation_map",
                real=real,
            )


def auto_pseudonyms(project: Project, *, coder: str, stem: str = "Kommune") -> dict[str, str]:
    """Give every case without a pseudonym the next free "Kommune n"; returns what was added."""
    from kodebok.analysis.privacy import numbered_pseudonyms

    current = pseudonym_map(project)
    cases = [c.name for c in q.cases(project)]
    wanted = numbered_pseudonyms(cases, stem)
    used = set(current.values())
    added: dict[str, str] = {}
    n = len(cases)
    for name in sorted(cases):
        if name in current:
            continue
        pseudo = wanted[name]
        while pseudo in used:
            n += 1
            pseudo = f"{stem} {n}"
        used.add(pseudo)
        added[name] = pseudo
    for name, pseudo in added.items():
        set_pseudonym(project, name, pseudo, "case", coder=coder)
    return added


def apply_pseudonyms(project: Project, text: str) -> str:
    """``text`` with every real name of the map replaced."""
    from kodebok.analysis.privacy import pseudonymise

    return pseudonymise(text, pseudonym_map(project))


def _known_names(project: Project) -> dict[str, str]:
    known = {c.name: "case" for c in q.cases(project)}
    for real, kind in project.conn.execute("SELECT real, kind FROM pseudonyms"):
        known.setdefault(real, kind)
    return known


def allowed_words(project: Project) -> set[str]:
    """Words that are no names in this project's exports: the words of its code names and of
    its pseudonyms ("Kommune 1", "[rådmannen]")."""
    words: set[str] = set()
    for c in q.codes(project):
        words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", c.name))
    for (pseudo,) in project.conn.execute("SELECT pseudonym FROM pseudonyms"):
        words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", str(pseudo)))
    return words


def _context(text: str, start: int, end: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right < 0 else right
    lo, hi = max(left, start - 40), min(right, end + 40)
    return ("…" if lo > left else "") + text[lo:hi] + ("…" if hi < right else "")


def stored_entities(project: Project, document_id: int) -> list[tuple[int, int, str]] | None:
    """Entities of a document from the deep pass (document offsets), or None when the deep
    pass has not run over all of its segments with a pipeline that has NER."""
    try:
        rows = project.conn.execute(
            "SELECT s.start, n.entities, n.pipeline FROM segments s "
            "LEFT JOIN segment_nlp n ON n.segment_id = s.id WHERE s.document_id = ?",
            (document_id,),
        ).fetchall()
    except sqlite3.OperationalError:  # a schema before the deep pass
        return None
    if not rows or any(r[1] is None or not str(r[2]).endswith("+ner") for r in rows):
        return None
    out: list[tuple[int, int, str]] = []
    for start, entities, _ in rows:
        out.extend(
            (start + int(s), start + int(e), str(label)) for s, e, label in json.loads(entities)
        )
    return sorted(out)


def entities_for(project: Project, document_id: int, text: str) -> list[tuple[int, int, str]]:
    """Named entities of a document: stored by the deep pass, else from the pipeline's NER when
    it has one (none with the built-in pipeline)."""
    stored = stored_entities(project, document_id)
    if stored is not None:
        return stored
    return _live(text)


def _live(text: str) -> list[tuple[int, int, str]]:
    from kodebok.services.deep import live_entities

    try:
        found = live_entities([text])
    except KodebokError:
        raise
    except Exception:  # the NER is a bonus; gazetteers and patterns stand on their own
        return []
    return found[0] if found else []


def document_findings(project: Project, document_id: int) -> list[Finding]:
    """Every likely piece of personal data in one document (NER ∪ gazetteers ∪ patterns)."""
    from kodebok.analysis.privacy import find_personal_data

    doc = q.document(project, str(document_id))
    return find_personal_data(
        doc.text, known=_known_names(project), entities=entities_for(project, doc.id, doc.text)
    )


def check_documents(project: Project, documents: list[str] | None = None) -> list[PrivacyHit]:
    """Likely personal data in the project's documents."""
    from kodebok.analysis.privacy import find_personal_data

    known = _known_names(project)
    hits: list[PrivacyHit] = []
    docs = [q.document(project, d) for d in documents] if documents else q.documents(project)
    for doc in docs:
        entities = entities_for(project, doc.id, doc.text)
        for f in find_personal_data(doc.text, known=known, entities=entities):
            hits.append(
                PrivacyHit(
                    doc.name,
                    f.line,
                    f.kind,
                    f.match,
                    f.reason,
                    _context(doc.text, f.start, f.end),
                    f.source,
                )
            )
    return hits


def export_text(path: Path) -> str:
    """The text of an exported file (csv, md, html, json, docx, xlsx, qdpx …)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            from docx import Document

            doc = Document(str(path))
            parts = [p.text for p in doc.paragraphs]
            for table in doc.tables:
                parts.extend(cell.text for row in table.rows for cell in row.cells)
            return "\n".join(parts)
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            rows = [
                " | ".join("" if v is None else str(v) for v in row)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            ]
            book.close()
            return "\n".join(rows)
        if suffix == ".qdpx":
            import zipfile

            with zipfile.ZipFile(path) as zf:
                return "\n".join(
                    _qde_text(zf.read(n), f"{path}:{n}")
                    if n.endswith(".qde")
                    else zf.read(n).decode("utf-8", errors="replace")
                    for n in zf.namelist()
                    if n.endswith((".qde", ".txt"))
                )
        if suffix == ".qde":
            return _qde_text(path.read_bytes(), str(path))
        text = path.read_text(encoding="utf-8", errors="replace")
        if suffix in (".csv", ".tsv"):
            return _table_text(text)
        if suffix in (".html", ".htm"):
            return _html_text(text)
        return text
    except Exception as exc:  # a damaged export is reported, not a crash of the whole check
        raise KodebokError(
            f"{path}: cannot read this export ({exc})",
            code="privacy.read_export",
            path=path,
            exc=str(exc),
        ) from exc


def _html_text(text: str) -> str:
    """The text of an HTML export, a line per block: a word after ``<p>`` starts a sentence
    (and tags and attributes are no text a person wrote)."""
    from html.parser import HTMLParser

    blocks = {"p", "div", "br", "li", "tr", "td", "th", "title", "blockquote", "footer"}
    blocks |= {f"h{i}" for i in range(1, 7)}
    parts: list[str] = []

    hidden = {"style", "script"}  # a stylesheet's words ("sans-serif") are nobody's text
    inside: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in hidden:
                inside.append(tag)
            if tag in blocks:
                parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in hidden and inside:
                inside.pop()
            if tag in blocks:
                parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not inside:
                parts.append(data)

    parser = Collect(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    return "".join(parts)


def _table_text(text: str) -> str:
    """A CSV file as one line per row with cells apart (" | "), so that each cell starts
    like a sentence: a capitalised first word of a cell is no name by its capital alone."""
    import csv
    import io

    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    if "\t" in sample and sample.count("\t") > sample.count(delimiter):
        delimiter = "\t"
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        return text
    return "\n".join(" | ".join(cell.replace("\n", " ") for cell in row) for row in rows)


# REFI-QDA attributes that hold identifiers, offsets and dates, not text a person wrote
_QDE_MACHINE_ATTRIBUTES = frozenset(
    {
        "guid",
        "targetGUID",
        "creatingUser",
        "modifyingUser",
        "creationDateTime",
        "modifiedDateTime",
        "startPosition",
        "endPosition",
        "plainTextPath",
        "richTextPath",
        "path",
        "color",
        "isCodable",
        "typeOfVariable",
        "basePath",
        "xmlns",
    }
)


def _qde_text(data: bytes, source: str) -> str:
    """The text of a REFI-QDA project file a person could read: names, descriptions, notes and
    variable values, one per line; not its GUIDs, offsets or dates (they look like phone
    numbers and birth dates to the detector)."""
    from kodebok.exchange.refi_read import parse_xml

    root = parse_xml(data, source)
    lines: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        # a selection's name is the first 60 characters of its text, cut anywhere ("Vir…"):
        # the text itself is checked in the source
        selection = el.tag.endswith("PlainTextSelection")
        for name, value in el.attrib.items():
            if selection and name == "name":
                continue
            if name not in _QDE_MACHINE_ATTRIBUTES and value.strip():
                lines.append(value)
        if el.text and el.text.strip():
            lines.append(el.text.strip())
    return "\n".join(lines)


def check_exports(project: Project | None, folder: Path) -> list[PrivacyHit]:
    """Likely personal data in exported files under ``folder``."""
    from kodebok.analysis.privacy import find_personal_data

    if not folder.exists():
        raise KodebokError(
            f"{folder}: no such folder or file", code="privacy.such_folder_file", folder=folder
        )
    files = (
        [folder]
        if folder.is_file()
        else sorted(
            p
            for p in folder.rglob("*")
            if p.is_file() and p.suffix.lower() in _TEXT_EXPORTS | {".docx", ".xlsx", ".qdpx"}
        )
    )
    known = _known_names(project) if project is not None else {}
    allowed = allowed_words(project) if project is not None else set()
    hits: list[PrivacyHit] = []
    for path in files:
        text = export_text(path)
        for f in find_personal_data(text, known=known, allowed=allowed, entities=_live(text)):
            hits.append(
                PrivacyHit(
                    str(path),
                    f.line,
                    f.kind,
                    f.match,
                    f.reason,
                    _context(text, f.start, f.end),
                    f.source,
                )
            )
    return hits


# -- pseudonymisation with the detector ------------------------------------------------------


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class Pseudonymiser:
    """Replaces personal data in the texts of one export, the same way everywhere.

    Names in the pseudonym map become their pseudonyms; every other name the detector finds
    gets the next free numbered placeholder ("Person 3", "Sted 2", "Virksomhet 1", "Navn 4")
    that ``save`` records in the map, so the same person has the same placeholder in every
    export; contact data and identifiers become ``[telefon]``, ``[e-post]``,
    ``[fødselsnummer]`` …
    """

    project: Project
    mapping: dict[str, str] = field(default_factory=dict)
    added: dict[str, tuple[str, str]] = field(default_factory=dict)  # real → (pseudonym, kind)
    _by_key: dict[str, str] = field(default_factory=dict)
    _known: dict[str, str] = field(default_factory=dict)
    _allowed: set[str] = field(default_factory=set)
    _numbers: dict[str, int] = field(default_factory=dict)
    _documents: dict[str, tuple[str, list[tuple[int, int, str]]] | None] = field(
        default_factory=dict
    )

    @classmethod
    def for_project(cls, project: Project, mapping: dict[str, str] | None = None) -> Pseudonymiser:
        """A pseudonymiser with the project's map (or ``mapping``, a superset of it)."""
        from kodebok.analysis.quotes import pseudonym_mapping

        table = pseudonym_map(project)
        # cases without an entry get "Kommune n" as in quotes, and keep it (recorded by save)
        full = pseudonym_mapping([c.name for c in q.cases(project)], [], table)
        full.update(mapping or {})
        self = cls(project, full)
        for real, pseudo in full.items():
            if real not in table and real in {c.name for c in q.cases(project)}:
                self.added[real] = (pseudo, "case")
        self._by_key = {_key(real): pseudo for real, pseudo in full.items()}
        self._known = _known_names(project)
        self._allowed = allowed_words(project)
        for real in full:
            self._known.setdefault(real, "other")
        for pseudo in full.values():
            m = re.fullmatch(r"(.+) (\d+)", pseudo)
            if m:
                stem, n = m.group(1), int(m.group(2))
                self._numbers[stem] = max(self._numbers.get(stem, 0), n)
        return self

    def pseudonym(self, real: str, kind: str) -> str:
        """The pseudonym of a name: from the map, else a new numbered placeholder."""
        from kodebok.analysis.privacy import PSEUDONYM_STEMS

        key = _key(real)
        found = self._by_key.get(key)
        if found is not None:
            return found
        if key.endswith("s") and key[:-1] in self._by_key:
            return self._by_key[key[:-1]] + "s"  # genitive: Nordviks → Kommune 1s
        for known, pseudo in self._by_key.items():
            # "Fjellbygd kommune" → "Kommune 1"; "Nordvik skole" → "Kommune 1 skole"
            rest = real[len(known) :]
            if key.startswith(known + " ") and rest.islower():
                return pseudo if rest.strip().casefold() in pseudo.casefold() else pseudo + rest
        stem, map_kind = PSEUDONYM_STEMS.get(kind, ("Navn", "other"))
        n = self._numbers.get(stem, 0) + 1
        self._numbers[stem] = n
        pseudo = f"{stem} {n}"
        self._by_key[key] = pseudo
        self.mapping[real] = pseudo
        self.added[real] = (pseudo, map_kind)
        return pseudo

    def edit(
        self, text: str, entities: list[tuple[int, int, str]] | None = None
    ) -> tuple[str, list[tuple[int, int, int, int]]]:
        """The text with every finding replaced, and the edits (for remapping offsets)."""
        from kodebok.analysis.privacy import PLACEHOLDERS, find_personal_data, replace_spans

        if not text:
            return text, []
        spans = []
        found = find_personal_data(
            text,
            known=self._known,
            entities=_live(text) if entities is None else entities,
            allowed=self._allowed,
        )
        for f in found:
            new = PLACEHOLDERS.get(f.kind) or self.pseudonym(f.match, f.kind)
            spans.append((f.start, f.end, new))
        return replace_spans(text, spans)

    def text(self, text: str, entities: list[tuple[int, int, str]] | None = None) -> str:
        """The text with every finding replaced."""
        return self.edit(text, entities)[0]

    def _remember_names(self, text: str, entities: list[tuple[int, int, str]]) -> None:
        """Names found anywhere in a document are names in every passage of it (one passage
        may have a name only at a sentence start, where a capital says nothing)."""
        from kodebok.analysis.privacy import NAME_KINDS, find_personal_data

        for f in find_personal_data(
            text, known=self._known, entities=entities, allowed=self._allowed
        ):
            if f.kind in NAME_KINDS and "\n" not in f.match and len(f.match) >= 3:
                self._known.setdefault(f.match, f.kind)

    def text_in(self, document: str, start: int, text: str) -> str:
        """``text``, a passage of ``document`` from about ``start``, with every finding
        replaced; the document's entities (stored by the deep pass, or found once for the
        whole document) serve every passage of it."""
        if document not in self._documents:
            try:
                doc = q.document(self.project, document)
            except KodebokError:
                self._documents[document] = None
            else:
                entities = entities_for(self.project, doc.id, doc.text)
                self._documents[document] = (doc.text, entities)
                self._remember_names(doc.text, entities)
        found = self._documents[document]
        at = found[0].find(text, max(0, start - 1)) if found is not None and text else -1
        if found is None or at < 0:
            return self.text(text)  # an orphaned passage: no longer in the document
        end = at + len(text)
        return self.text(
            text, [(s - at, e - at, lab) for s, e, lab in found[1] if at <= s and e <= end]
        )

    def identifier(self, name: str) -> str:
        """A document name (``nordvik_radmann``) without the real names of the map."""
        from kodebok.analysis.privacy import pseudonymise_identifier
        from kodebok.analysis.quotes import ascii_fold

        mapping = dict(self.mapping)
        for real, pseudo in self.mapping.items():
            mapping.setdefault(ascii_fold(real), pseudo)
        return pseudonymise_identifier(name, mapping)

    def save(self, *, coder: str) -> int:
        """Record the new placeholders in the pseudonym map (one journaled operation)."""
        if not self.added:
            return 0
        existing = {r[0] for r in self.project.conn.execute("SELECT real FROM pseudonyms")}
        rows = [(r, p, k) for r, (p, k) in self.added.items() if r not in existing]
        if rows:
            with self.project.operation(
                coder, "pseudonym", Change("add_pseudonyms", n=len(rows))
            ) as op:
                for real, pseudo, kind in rows:
                    op.insert(
                        "pseudonyms",
                        {"real": real, "pseudonym": pseudo, "kind": kind, "created_at": now_iso()},
                    )
        self.added.clear()
        return len(rows)


def pseudonymise_codings(
    project: Project, rows: list[dict[str, Any]], *, coder: str
) -> list[dict[str, Any]]:
    """Rows of ``export_codings`` with text, memo and document name pseudonymised."""
    p = Pseudonymiser.for_project(project)
    for r in rows:
        r["text"] = p.text_in(
            str(r["document"]), int(r.get("start") or 0), str(r.get("text") or "")
        )
        r["memo"] = p.text(str(r.get("memo") or ""))
        r["document"] = p.identifier(str(r["document"]))
    p.save(coder=coder)
    return rows


def pseudonymise_refi(project: Project, refi: RefiProject, *, coder: str) -> RefiProject:
    """A REFI-QDA project with personal data replaced in source texts, names, descriptions,
    notes and variable values; every selection's offsets remapped onto the new text."""
    from kodebok.analysis.privacy import remap_offset

    p = Pseudonymiser.for_project(project)
    for case in refi.cases:
        if case.selection_guids:  # a speaker as a case of its turns: its label, pseudonymised
            case.name = p.text(case.name)
        elif case.name:
            case.name = p.pseudonym(case.name, "case")
        case.description = p.text(case.description)
        case.variables = {k: p.text(v) for k, v in case.variables.items()}
    for src in refi.sources:
        text, edits = p.edit(src.text)
        for sel in src.selections:
            start = remap_offset(sel.start, edits, is_end=False)
            end = remap_offset(sel.end, edits, is_end=True)
            sel.start, sel.end = start, max(start, end)
        src.text = text
        src.name = p.identifier(src.name)
        src.description = p.text(src.description)
        src.variables = {k: p.text(v) for k, v in src.variables.items()}
    for note in refi.notes:
        note.text = p.text(note.text)
        note.name = p.text(note.name)
    for group in refi.sets:  # groupings are named after cases and attribute values
        group.name = p.text(group.name)
        group.description = p.text(group.description)
    refi.name = p.identifier(refi.name)
    p.save(coder=coder)
    return refi


def add_finding_to_map(project: Project, real: str, kind: str, *, coder: str) -> str:
    """Put one finding in the pseudonym map (the privacy view's one key); returns its
    pseudonym: the one it has already, or the next free "Person n", "Sted n" … for its kind
    (contact data gets its bracketed placeholder)."""
    from kodebok.analysis.privacy import PLACEHOLDERS, PSEUDONYM_STEMS

    p = Pseudonymiser.for_project(project)
    p.added.clear()  # only this finding is written
    if _key(real) in {_key(r) for r in pseudonym_map(project)}:
        return p.pseudonym(real, kind)
    if kind in PLACEHOLDERS:
        set_pseudonym(project, real, PLACEHOLDERS[kind], "other", coder=coder)
        return PLACEHOLDERS[kind]
    pseudonym = p.pseudonym(real, kind)
    if real in p.added:
        p.save(coder=coder)
    else:  # a case's "Kommune n", or a name the map has in a longer form
        set_pseudonym(
            project, real, pseudonym, PSEUDONYM_STEMS.get(kind, ("", "other"))[1], coder=coder
        )
    return pseudonym
