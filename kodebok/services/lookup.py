"""Finding a project's items by name or id, for the front ends.

The CLI and the TUI never import :mod:`kodebok.store` (an import-linter contract in
pyproject.toml); what they read of documents, segments, speakers, cases and codes comes from
here. An unknown name raises :class:`kodebok.errors.UnknownItem` with the nearest names.
"""

from __future__ import annotations

from kodebok.models import Case, Code, Document, Segment, Speaker
from kodebok.store import Project
from kodebok.store import queries as q


def document(project: Project, ref: str | int) -> Document:
    """A document by name or id."""
    return q.document(project, ref)


def documents(project: Project) -> list[Document]:
    """All documents, by name."""
    return q.documents(project)


def segment(project: Project, document_id: int, idx: int) -> Segment:
    """One segment by its 0-based index (the error names it by its number, ``idx + 1``)."""
    return q.segment(project, document_id, idx)


def speakers(project: Project, document_id: int | None = None) -> list[Speaker]:
    """Speakers of one document, or of all documents, with their attributes."""
    return q.speakers(project, document_id)


def case(project: Project, ref: str | int) -> Case:
    """A case by name or id."""
    return q.case(project, ref)


def cases(project: Project) -> list[Case]:
    """All cases with their attributes, by name."""
    return q.cases(project)


def code(project: Project, ref: str, all_codes: list[Code] | None = None) -> Code:
    """A code by path, by bare name when unique, or by id."""
    return q.code(project, ref, all_codes)


def codes(project: Project) -> list[Code]:
    """All codes in tree order, each with its path."""
    return q.codes(project)


def coders_by_codings(project: Project) -> list[str]:
    """Coders, the one with most codings first."""
    return [
        r[0]
        for r in project.conn.execute(
            "SELECT coder FROM codings GROUP BY coder ORDER BY COUNT(*) DESC, coder"
        )
    ]


def codings_by(project: Project, coder: str) -> int:
    """How many codings one coder has made."""
    row = project.conn.execute("SELECT COUNT(*) FROM codings WHERE coder = ?", (coder,)).fetchone()
    return int(row[0])


def documents_per_case(project: Project) -> dict[str, int]:
    """Each case's name with the number of its documents (0 for a case without any)."""
    rows = project.conn.execute(
        "SELECT c.name, COUNT(d.id) FROM cases c LEFT JOIN documents d ON d.case_id = c.id "
        "GROUP BY c.id"
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def segments_per_speaker(project: Project) -> dict[int | None, int]:
    """Each speaker id with the number of its segments (None: segments without a speaker)."""
    return dict(
        project.conn.execute("SELECT speaker_id, COUNT(*) FROM segments GROUP BY speaker_id")
    )


def segment_at_offset(project: Project, document_id: int, offset: int) -> int | None:
    """The id of the first segment of a document that holds character ``offset``, if any."""
    found = project.conn.execute(
        'SELECT id FROM segments WHERE document_id = ? AND start <= ? AND "end" > ? '
        "ORDER BY idx LIMIT 1",
        (document_id, offset, offset),
    ).fetchone()
    return int(found[0]) if found else None
