"""Importing a revised version of a document: codings are re-anchored on the new text.

Offsets move with an alignment of old and new text (rapidfuzz's Indel opcodes); a coding
whose text changed a little is kept and marked "review"; one whose text is gone is kept as
"orphaned" with its old text. Nothing is dropped silently.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kodebok.store import Project, now_iso

if TYPE_CHECKING:
    from kodebok.ingest.model import ParsedDocument
    from kodebok.services.documents import ImportResult

GOOD = 90.0  # similarity (0–100) at or above which a moved coding needs no review
WEAK = 60.0  # below this the aligned text is not the coded text any more


@dataclass
class Reanchoring:
    """What happened to the codings of a revised document."""

    unchanged: int = 0
    moved: int = 0
    review: list[dict[str, Any]] = field(default_factory=list)
    orphaned: list[dict[str, Any]] = field(default_factory=list)


class OffsetMap:
    """Maps character offsets in an old text to offsets in a new text."""

    def __init__(self, old: str, new: str) -> None:
        from rapidfuzz.distance import Indel

        self._blocks: list[tuple[int, int, int]] = []  # (old_start, old_end, new_start) equal runs
        for op in Indel.opcodes(old, new):
            if op.tag == "equal":
                self._blocks.append((int(op.src_start), int(op.src_end), int(op.dest_start)))
        self._starts = [b[0] for b in self._blocks]

    def map(self, pos: int, *, right: bool) -> int:
        """New offset for an old offset; inside an edit it snaps to the edit's edge."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0:
            o1, o2, n1 = self._blocks[i]
            if pos < o2 or (pos == o2 and not right):
                return n1 + (pos - o1)
        if right:
            # an end inside a deleted stretch snaps back to the end of the equal run before it
            if i >= 0:
                o1, o2, n1 = self._blocks[i]
                return n1 + (o2 - o1)
            return 0
        nxt = i + 1
        if nxt < len(self._blocks):
            return self._blocks[nxt][2]
        last = self._blocks[-1] if self._blocks else (0, 0, 0)
        return last[2] + (last[1] - last[0])


def reanchor(old: str, new: str, spans: list[tuple[int, int]]) -> list[tuple[int, int, float]]:
    """New (start, end, similarity 0–100) for each old span; similarity 0 means not found.

    The alignment places a span; when the text there no longer matches, the span's old text is
    looked for near its old place first and then anywhere (a passage moved as a whole). A span
    found far away never counts as a good match: it scores at most just under GOOD, so it is
    flagged for review.
    """
    from rapidfuzz import fuzz

    mapping = OffsetMap(old, new)
    out: list[tuple[int, int, float]] = []
    for start, end in spans:
        old_text = old[start:end]
        ns, ne = mapping.map(start, right=False), mapping.map(end, right=True)
        score = fuzz.ratio(old_text, new[ns:ne]) if ne > ns else 0.0
        if score < WEAK and old_text.strip():
            margin = 2 * len(old_text) + 200
            lo = max(0, ns - margin)
            near = fuzz.partial_ratio_alignment(old_text, new[lo : ne + margin], score_cutoff=WEAK)
            if near is not None and near.score > score:
                ns, ne, score = lo + near.dest_start, lo + near.dest_end, near.score
            else:
                far = fuzz.partial_ratio_alignment(old_text, new, score_cutoff=WEAK)
                if far is not None and far.score > score:
                    ns, ne, score = far.dest_start, far.dest_end, min(far.score, GOOD - 0.1)
        out.append((ns, ne, score) if score >= WEAK else (ns, ns, 0.0))
    return out


def update_document(
    project: Project, document_id: int, parsed: ParsedDocument, *, coder: str = ""
) -> ImportResult:
    """Replace a document's text and segments with a revised version, re-anchoring codings."""
    from kodebok.services.documents import (
        ImportResult,
        _insert_segments,
        _insert_speakers,
        sha256_text,
    )
    from kodebok.store.backup import backup_project

    conn = project.conn
    old = conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
    codings = [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM codings WHERE document_id = ? ORDER BY id", (document_id,)
        )
    ]
    backup_project(project, reason=f"before-update-{old['name']}")
    placed = reanchor(old["text"], parsed.text, [(c["start"], c["end"]) for c in codings])
    report = Reanchoring()
    # journaled with capture: undo brings the old text, segments, speakers and codings back
    with project.operation(
        coder or "import", "import-update", f"Ny versjon av {old['name']}", capture=True
    ):
        old_speakers = {
            r["label"]: r
            for r in conn.execute("SELECT * FROM speakers WHERE document_id = ?", (document_id,))
        }
        old_speaker_attrs = {
            label: [
                (a["name"], a["value"], a["type"])
                for a in conn.execute(
                    "SELECT * FROM attributes WHERE entity_kind = 'speaker' AND entity_id = ?",
                    (row["id"],),
                )
            ]
            for label, row in old_speakers.items()
        }
        conn.execute("DELETE FROM segments WHERE document_id = ?", (document_id,))
        conn.execute("DELETE FROM speakers WHERE document_id = ?", (document_id,))
        conn.execute(
            "UPDATE documents SET text = ?, sha256 = ?, imported_at = ?, metadata = ? WHERE id = ?",
            (
                parsed.text,
                sha256_text(parsed.text),
                now_iso(),
                json.dumps(
                    {**json.loads(old["metadata"] or "{}"), **_plain(parsed.metadata)},
                    ensure_ascii=False,
                ),
                document_id,
            ),
        )
        speaker_ids = _insert_speakers(project, document_id, parsed)
        for label, attrs in old_speaker_attrs.items():
            if label in speaker_ids:
                for name, value, typ in attrs:
                    conn.execute(
                        "INSERT OR IGNORE INTO attributes(entity_kind, entity_id, name, value, "
                        "type) VALUES ('speaker', ?, ?, ?, ?)",
                        (speaker_ids[label], name, value, typ),
                    )
        # lemmas are computed after the update by the import's NLP pass
        _insert_segments(project, document_id, parsed, speaker_ids, [None] * len(parsed.turns))
        from kodebok.services.coding import segment_for_span

        for coding, (ns, ne, score) in zip(codings, placed, strict=True):
            old_text = old["text"][coding["start"] : coding["end"]]
            item = {
                "code_id": coding["code_id"],
                "coder": coding["coder"],
                "old_start": coding["start"],
                "old_end": coding["end"],
                "new_start": ns,
                "new_end": ne,
                "score": round(score, 1),
                "text": old_text,
            }
            if score == 0.0:
                status = "orphaned"
                report.orphaned.append(item)
            elif score < GOOD:
                status = "review"
                report.review.append(item)
            else:
                status = "ok"
                if (ns, ne) == (coding["start"], coding["end"]):
                    report.unchanged += 1
                else:
                    report.moved += 1
            if _taken(conn, document_id, ns, ne, coding) and status != "orphaned":
                # the place it maps to already has this code by this coder: never merge two
                # codings silently; keep this one as an orphan with its old text
                if status == "review":
                    report.review.remove(item)
                elif (ns, ne) == (coding["start"], coding["end"]):
                    report.unchanged -= 1
                else:
                    report.moved -= 1
                status, ne = "orphaned", ns
                report.orphaned.append(item)
            if status == "orphaned":
                # orphans are zero-length points; nudge past another orphan at the same point
                while _taken(conn, document_id, ns, ns, coding):
                    ns += 1
                ne = ns
            seg = segment_for_span(project, document_id, ns, ne) if ne > ns else None
            conn.execute(
                'UPDATE codings SET start = ?, "end" = ?, segment_id = ?, status = ?, '
                "anchor_text = ? WHERE id = ?",
                (ns, ne, seg, status, old_text if status != "ok" else None, coding["id"]),
            )
    return ImportResult(
        parsed.source,
        "updated",
        old["name"],
        len(parsed.turns),
        len(speaker_ids),
        message=(
            f"{report.unchanged} codings unchanged, {report.moved} moved, "
            f"{len(report.review)} need review, {len(report.orphaned)} orphaned"
        ),
        details={
            "unchanged": report.unchanged,
            "moved": report.moved,
            "review": report.review,
            "orphaned": report.orphaned,
        },
    )


def _taken(conn: Any, document_id: int, start: int, end: int, coding: dict[str, Any]) -> bool:
    """Whether another coding has this exact span, code and coder."""
    return (
        conn.execute(
            'SELECT 1 FROM codings WHERE document_id=? AND start=? AND "end"=? AND code_id=? '
            "AND coder=? AND id != ?",
            (document_id, start, end, coding["code_id"], coding["coder"], coding["id"]),
        ).fetchone()
        is not None
    )


def _plain(meta: dict[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(meta, default=str))
    return plain
