"""Privacy: finding personal data in documents and exports, and the pseudonymisation map."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kodebok.errors import KodebokError
from kodebok.notes import Change
from kodebok.store import Project, now_iso
from kodebok.store import queries as q

if TYPE_CHECKING:
    from kodebok.analysis.privacy import Finding

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
        raise KodebokError("both the real name and the pseudonym are needed")
    if kind not in KINDS:
        raise KodebokError(f"kind must be one of {', '.join(KINDS)}")
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
            raise KodebokError(f"'{real}' is not in the pseudonymisation map")


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


def _context(text: str, start: int, end: int) -> str:
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right < 0 else right
    lo, hi = max(left, start - 40), min(right, end + 40)
    return ("…" if lo > left else "") + text[lo:hi] + ("…" if hi < right else "")


def check_documents(project: Project, documents: list[str] | None = None) -> list[PrivacyHit]:
    """Likely personal data in the project's documents."""
    from kodebok.analysis.privacy import find_personal_data

    known = _known_names(project)
    hits: list[PrivacyHit] = []
    docs = [q.document(project, d) for d in documents] if documents else q.documents(project)
    for doc in docs:
        for f in _with_ner(doc.text, find_personal_data(doc.text, known=known)):
            hits.append(
                PrivacyHit(
                    doc.name, f.line, f.kind, f.match, f.reason, _context(doc.text, f.start, f.end)
                )
            )
    return hits


def _with_ner(text: str, findings: list[Finding]) -> list[Finding]:
    """Add person and place entities from the NLP pipeline when it has a named-entity model."""
    from kodebok.analysis.privacy import Finding
    from kodebok.services.nlp import named_entities

    out = list(findings)
    taken = [(f.start, f.end) for f in findings]
    try:
        entities = named_entities(text)
    except Exception:  # the NER is a bonus; the gazetteer result stands on its own
        return out
    for start, end, label in entities:
        if any(s < end and start < e for s, e in taken):
            continue
        kind = "person" if label in ("PER", "PERSON") else "place"
        out.append(
            Finding(
                kind,
                text[start:end],
                start,
                end,
                text.count("\n", 0, start) + 1,
                f"navnegjenkjenning ({label})",
            )
        )
    return sorted(out, key=lambda f: f.start)


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
                "\t".join("" if v is None else str(v) for v in row)
                for sheet in book.worksheets
                for row in sheet.iter_rows(values_only=True)
            ]
            book.close()
            return "\n".join(rows)
        if suffix == ".qdpx":
            import zipfile

            with zipfile.ZipFile(path) as zf:
                return "\n".join(
                    zf.read(n).decode("utf-8", errors="replace")
                    for n in zf.namelist()
                    if n.endswith((".qde", ".txt"))
                )
        return path.read_text(encoding="utf-8", errors="replace")
    except Exception as exc:  # a damaged export is reported, not a crash of the whole check
        raise KodebokError(f"{path}: cannot read this export ({exc})") from exc


def check_exports(project: Project | None, folder: Path) -> list[PrivacyHit]:
    """Likely personal data in exported files under ``folder``."""
    from kodebok.analysis.privacy import find_personal_data

    if not folder.exists():
        raise KodebokError(f"{folder}: no such folder or file")
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
    hits: list[PrivacyHit] = []
    for path in files:
        text = export_text(path)
        for f in find_personal_data(text, known=known):
            hits.append(
                PrivacyHit(
                    str(path), f.line, f.kind, f.match, f.reason, _context(text, f.start, f.end)
                )
            )
    return hits
