"""Read queries the coding workspace needs: library rows, a document's view, recent codes."""

from __future__ import annotations

from dataclasses import dataclass, field

from kodebok.store import Project
from kodebok.store import queries as q
from kodebok.tabular import count_words


@dataclass(frozen=True)
class Progress:
    """How far coding has come in a document: coded informant turns of all informant turns.

    This is the one definition of progress (``kodebok documents`` and the TUI's library show
    it): a researcher codes what the informants said, so interviewer turns count neither as
    coded nor in the total, and a turn with several codings counts once. With a coder, only
    that coder's codings count (each coder's own progress when a team double-codes).
    """

    coded: int
    total: int

    @property
    def share(self) -> float | None:
        """Coded turns as a share of informant turns (None without informant turns)."""
        return self.coded / self.total if self.total else None

    def text(self) -> str:
        """``coded/total (percent %)``, or ``–`` for a document without informant turns."""
        if not self.total:
            return "–"
        return f"{self.coded}/{self.total} ({round(100 * self.coded / self.total)} %)"


def coding_progress(project: Project, coder: str | None = None) -> dict[int, Progress]:
    """Progress per document id (see :class:`Progress`); documents without turns are absent."""
    return {
        r[0]: Progress(r[2], r[1])
        for r in project.conn.execute(
            """
            SELECT s.document_id, COUNT(*),
                   COUNT(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM codings k WHERE k.segment_id = s.id
                       AND (? IS NULL OR k.coder = ?)))
            FROM segments s LEFT JOIN speakers sp ON sp.id = s.speaker_id
            WHERE COALESCE(sp.interviewer, 0) = 0
            GROUP BY s.document_id
            """,
            (coder, coder),
        )
    }


def document_words(project: Project) -> dict[int, int]:
    """Words per document id: the words of its segments (what was said, every speaker).

    The one word count (:func:`kodebok.tabular.count_words`, the matrix's word unit too):
    speaker labels, front matter and blank lines between turns are not words of the
    document. Documents without segments are absent.
    """
    words: dict[int, int] = {}
    for doc_id, text in project.conn.execute("SELECT document_id, text FROM segments"):
        words[doc_id] = words.get(doc_id, 0) + count_words(text)
    return words


@dataclass(frozen=True)
class LibraryRow:
    """One document in the library: case, kind, speakers, coding progress and attributes."""

    id: int
    name: str
    case: str | None
    kind: str
    speakers: tuple[str, ...]
    progress: Progress
    attributes: dict[str, str] = field(default_factory=dict)


def library(project: Project, coder: str | None = None) -> list[LibraryRow]:
    """Every document with its case, progress and attributes, grouped by case then name.

    With ``coder``, progress counts that coder's codings only; otherwise anyone's.
    """
    conn = project.conn
    speakers: dict[int, list[str]] = {}
    for r in conn.execute("SELECT document_id, label FROM speakers ORDER BY id"):
        speakers.setdefault(r[0], []).append(r[1])
    progress = coding_progress(project, coder)
    rows = conn.execute(
        "SELECT d.id, d.name, c.name, d.kind FROM documents d "
        "LEFT JOIN cases c ON c.id = d.case_id ORDER BY c.name IS NULL, c.name, d.name"
    ).fetchall()
    attrs = q.attributes_of(project, "document", [r[0] for r in rows])
    return [
        LibraryRow(
            r[0],
            r[1],
            r[2],
            r[3],
            tuple(speakers.get(r[0], [])),
            progress.get(r[0], Progress(0, 0)),
            attrs[r[0]],
        )
        for r in rows
    ]


@dataclass
class ViewSegment:
    """A segment as the transcript view shows it (mutable: codings change while coding)."""

    id: int
    idx: int
    start: int
    end: int
    text: str
    speaker: str | None
    interviewer: bool
    t_start: float | None
    codings: list[ViewCoding] = field(default_factory=list)
    has_memo: bool = False


@dataclass(frozen=True)
class ViewCoding:
    """A coding on a segment: which code, by whom, over which document span."""

    id: int
    code_id: int
    coder: str
    start: int
    end: int


def document_view(project: Project, document_id: int) -> list[ViewSegment]:
    """The segments of a document with speakers, codings and memo flags, in three queries."""
    conn = project.conn
    segs = [
        ViewSegment(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7])
        for r in conn.execute(
            'SELECT s.id, s.idx, s.start, s."end", s.text, sp.label, '
            "COALESCE(sp.interviewer, 0), s.t_start FROM segments s "
            "LEFT JOIN speakers sp ON sp.id = s.speaker_id WHERE s.document_id = ? ORDER BY s.idx",
            (document_id,),
        )
    ]
    by_id = {s.id: s for s in segs}
    for r in conn.execute(
        'SELECT id, segment_id, code_id, coder, start, "end" FROM codings '
        "WHERE document_id = ? AND segment_id IS NOT NULL ORDER BY id",
        (document_id,),
    ):
        seg = by_id.get(r[1])
        if seg is not None:
            seg.codings.append(ViewCoding(r[0], r[2], r[3], r[4], r[5]))
    for r in conn.execute(
        "SELECT DISTINCT m.target_id FROM memos m JOIN segments s ON s.id = m.target_id "
        "WHERE m.target_kind = 'segment' AND s.document_id = ?",
        (document_id,),
    ):
        if r[0] in by_id:
            by_id[r[0]].has_memo = True
    return segs


def segment_codings(project: Project, segment_id: int) -> list[ViewCoding]:
    """The codings on one segment (after a change, to refresh just that segment)."""
    return [
        ViewCoding(r[0], r[1], r[2], r[3], r[4])
        for r in project.conn.execute(
            'SELECT id, code_id, coder, start, "end" FROM codings WHERE segment_id = ? ORDER BY id',
            (segment_id,),
        )
    ]


def segment_has_memo(project: Project, segment_id: int) -> bool:
    """Whether anyone wrote a memo on this segment."""
    row = project.conn.execute(
        "SELECT 1 FROM memos WHERE target_kind = 'segment' AND target_id = ? LIMIT 1",
        (segment_id,),
    ).fetchone()
    return row is not None


def segment_memo(project: Project, segment_id: int, author: str) -> str:
    """This author's memo on a segment ('' when there is none)."""
    row = project.conn.execute(
        "SELECT text FROM memos WHERE target_kind = 'segment' AND target_id = ? AND author = ? "
        "AND case_id IS NULL AND code_id IS NULL",
        (segment_id, author),
    ).fetchone()
    return str(row[0]) if row else ""


def recent_code_ids(project: Project, coder: str, limit: int = 10) -> list[int]:
    """The codes this coder applied most recently, newest first."""
    return [
        int(r[0])
        for r in project.conn.execute(
            "SELECT code_id FROM codings WHERE coder = ? GROUP BY code_id "
            "ORDER BY MAX(id) DESC LIMIT ?",
            (coder, limit),
        )
    ]


def document_ids_by_name(project: Project) -> dict[str, int]:
    """Document names to ids (for jumping from a search hit or the command palette)."""
    return {r[1]: r[0] for r in project.conn.execute("SELECT id, name FROM documents")}


def speaker_rows(project: Project) -> list[tuple[int, str, str, bool, dict[str, str]]]:
    """Every speaker: (id, document name, label, interviewer, attributes), by document."""
    rows = project.conn.execute(
        "SELECT sp.id, d.name, sp.label, sp.interviewer FROM speakers sp "
        "JOIN documents d ON d.id = sp.document_id ORDER BY d.name, sp.id"
    ).fetchall()
    attrs = q.attributes_of(project, "speaker", [r[0] for r in rows])
    return [(r[0], r[1], r[2], bool(r[3]), attrs[r[0]]) for r in rows]


def code_keywords(raw: str) -> list[str]:
    """Keywords from a comma-separated line as typed in the codebook editor."""
    return [k.strip() for k in raw.split(",") if k.strip()]


def keywords_text(keywords: tuple[str, ...]) -> str:
    """Keywords as one comma-separated line (the inverse of ``code_keywords``)."""
    return ", ".join(keywords)
