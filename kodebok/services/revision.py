"""Importing a revised version of a document: codings are re-anchored on the new text.

Each coding is looked for by its text first: an occurrence of exactly that text (up to
whitespace) keeps the coding ``ok``; with several occurrences the one in the segment that
took the old segment's place (or the nearest to where the old text would now be) wins. Only
when the text is gone does an alignment of old and new text (rapidfuzz's Indel opcodes and
partial alignment) place it, and then the coding is marked ``review``: its text changed. A
coding whose text is gone is kept as ``orphaned``. Nothing is dropped silently.

A coding never stretches over segments it did not cover (an interviewer's question inserted
into or moved next to an answer stays out of the answer's coding). ``anchor_text`` keeps the
text as it was coded, so a later revision that brings it back (a revert to the original file)
puts the coding back exactly, ``ok`` again.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kodebok.errors import KodebokError
from kodebok.notes import Change
from kodebok.store import Project, now_iso

if TYPE_CHECKING:
    from kodebok.ingest.model import ParsedDocument
    from kodebok.services.document_store import ImportResult, SegmentLemmas

GOOD = 90.0  # partial-alignment score (0–100) at which a remnant of the text still counts
WEAK = 60.0  # below this similarity the placed text is not the coded text any more

OK, REVIEW, ORPHANED = "ok", "review", "orphaned"


def same_text(a: str, b: str) -> bool:
    """Whether two texts are equal up to whitespace (line breaks, runs of spaces, ends)."""
    return a.split() == b.split()


@dataclass
class Reanchoring:
    """What happened to the codings of a revised document."""

    unchanged: int = 0
    moved: int = 0
    restored: int = 0
    review: list[dict[str, Any]] = field(default_factory=list)
    orphaned: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Seg:
    """A segment's place in a text, with its speaker's label."""

    start: int
    end: int
    speaker: str | None


@dataclass(frozen=True)
class Anchor:
    """A coding as it stands before the revision."""

    start: int
    end: int
    status: str
    anchor_text: str | None


@dataclass(frozen=True)
class Placement:
    """Where a coding goes in the new text and with which status."""

    start: int
    end: int
    status: str
    score: float
    whole: bool = False  # whole segments placed on the whole segments that replaced them


class OffsetMap:
    """Maps character offsets in an old text to offsets in a new text.

    ``anchors`` are stretches known to correspond, (old_start, old_end, new_start, new_end),
    in the same order in both texts (unchanged segments): only the stretches between them are
    aligned character by character. The alignment costs about the product of the lengths it
    compares, so a long transcript with a few edits is aligned in pieces, not as a whole.
    """

    def __init__(
        self, old: str, new: str, anchors: Sequence[tuple[int, int, int, int]] = ()
    ) -> None:
        from rapidfuzz.distance import Indel

        self._blocks: list[tuple[int, int, int]] = []  # (old_start, old_end, new_start) equal runs

        def align(o0: int, o1: int, n0: int, n1: int) -> None:
            a, b = old[o0:o1], new[n0:n1]
            if a == b:
                if a:
                    self._blocks.append((o0, o1, n0))
                return
            for op in Indel.opcodes(a, b):
                if op.tag == "equal" and op.src_end > op.src_start:
                    self._blocks.append(
                        (o0 + int(op.src_start), o0 + int(op.src_end), n0 + int(op.dest_start))
                    )

        po = pn = 0
        for os_, oe, ns, ne in anchors:
            align(po, os_, pn, ns)
            align(os_, oe, ns, ne)
            po, pn = oe, ne
        align(po, len(old), pn, len(new))
        self._starts = [b[0] for b in self._blocks]

    def blocks_between(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """The equal runs (old_start, old_end, new_start) that overlap old [start, end)."""
        i = max(0, bisect.bisect_right(self._starts, start) - 1)
        out = []
        while i < len(self._blocks) and self._blocks[i][0] < end:
            if self._blocks[i][1] > start:
                out.append(self._blocks[i])
            i += 1
        return out

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


class Spaced:
    """A text read with every run of whitespace as one space, to find passages in it up to
    whitespace (a re-wrapped line, a double space removed) with plain string search."""

    def __init__(self, text: str) -> None:
        self.text = text
        parts: list[str] = []
        where: list[int] = []  # offset in ``text`` of each character of the spaced text
        for m in re.finditer(r"\S+", text):
            if parts:
                parts.append(" ")
                where.append(m.start() - 1)
            parts.append(m.group())
            where.extend(range(m.start(), m.end()))
        self.spaced = "".join(parts)
        self._where = where

    def occurrences(self, needle: str) -> list[tuple[int, int]]:
        """Every (start, end) where ``needle`` occurs up to whitespace (overlapping ones too).

        Leading or trailing whitespace of the needle is kept where the text has the same.
        """
        key = " ".join(needle.split())
        if not key:
            return []
        lead = needle[: len(needle) - len(needle.lstrip())]
        trail = needle[len(needle.rstrip()) :]
        text = self.text
        out: list[tuple[int, int]] = []
        pos = self.spaced.find(key)
        while pos >= 0:
            s, e = self._where[pos], self._where[pos + len(key) - 1] + 1
            if lead and text[max(0, s - len(lead)) : s] == lead:
                s -= len(lead)
            if trail and text[e : e + len(trail)] == trail:
                e += len(trail)
            out.append((s, e))
            pos = self.spaced.find(key, pos + 1)
        return out


def _increasing(pairs: dict[int, int]) -> list[tuple[int, int]]:
    """The longest chain of (old, new) pairs in the same order in both (a swap drops out)."""
    items = sorted(pairs.items())
    tails: list[int] = []
    tail_at: list[int] = []
    before = [-1] * len(items)
    for k, (_, n) in enumerate(items):
        p = bisect.bisect_left(tails, n)
        if p == len(tails):
            tails.append(n)
            tail_at.append(k)
        else:
            tails[p], tail_at[p] = n, k
        before[k] = tail_at[p - 1] if p > 0 else -1
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(items[k])
        k = before[k]
    return chain[::-1]


class Reanchorer:
    """Places old codings in a revised text (pure: texts and segment spans in, placements out)."""

    def __init__(self, old: str, new: str, old_segs: Sequence[Seg], new_segs: Sequence[Seg]):
        self.old, self.new = old, new
        self.old_segs, self.new_segs = list(old_segs), list(new_segs)
        self._new_starts = [s.start for s in self.new_segs]
        self._old_starts = [s.start for s in self.old_segs]
        self.pairs = self._pair_segments()
        anchors = [
            (
                self.old_segs[i].start,
                self.old_segs[i].end,
                self.new_segs[j].start,
                self.new_segs[j].end,
            )
            for i, j in _increasing(self.pairs)
        ]
        self.mapping = OffsetMap(old, new, anchors)
        # segments unchanged or edited, wherever they went: old index -> new index
        self.match = {**self._similar_segments(), **self.pairs}
        self._matched = set(self.match.values())
        self.spaced = Spaced(new)
        self._images: dict[int, list[int]] = {}
        self._claimed: dict[int, set[int]] | None = None

    def _pair_segments(self) -> dict[int, int]:
        """Old segment index -> new segment index for segments whose text is unchanged and
        unique in both versions (a moved or swapped answer is found where it went)."""

        def keyed(text: str, segs: list[Seg]) -> dict[str, list[int]]:
            out: dict[str, list[int]] = {}
            for i, s in enumerate(segs):
                out.setdefault(" ".join(text[s.start : s.end].split()), []).append(i)
            return out

        old_keys, new_keys = keyed(self.old, self.old_segs), keyed(self.new, self.new_segs)
        return {
            idx[0]: new_keys[k][0]
            for k, idx in old_keys.items()
            if k and len(idx) == 1 and len(new_keys.get(k, [])) == 1
        }

    def _similar_segments(self) -> dict[int, int]:
        """Old -> new index for edited segments: each old segment without an unchanged twin
        goes to the most similar new one of the same speaker that has none either (best
        pairs first, similarity at least WEAK), so an answer edited and moved is followed."""
        from rapidfuzz import fuzz, process

        taken = set(self.pairs.values())
        old_free = [i for i in range(len(self.old_segs)) if i not in self.pairs]
        new_free = [j for j in range(len(self.new_segs)) if j not in taken]
        if not old_free or not new_free:
            return {}
        scores = process.cdist(
            [self.old[self.old_segs[i].start : self.old_segs[i].end] for i in old_free],
            [self.new[self.new_segs[j].start : self.new_segs[j].end] for j in new_free],
            scorer=fuzz.ratio,
            score_cutoff=WEAK,
        )
        import numpy as np

        rows, cols = np.nonzero(scores >= WEAK)
        found = sorted(
            (-float(scores[a, b]), old_free[a], new_free[b])
            for a, b in zip(rows.tolist(), cols.tolist(), strict=True)
            if self.old_segs[old_free[a]].speaker == self.new_segs[new_free[b]].speaker
        )
        out: dict[int, int] = {}
        used: set[int] = set()
        for _, i, j in found:
            if i not in out and j not in used:
                out[i] = j
                used.add(j)
        return out

    def _old_index(self, pos: int) -> int | None:
        i = bisect.bisect_right(self._old_starts, pos) - 1
        if i >= 0 and pos < self.old_segs[i].end:
            return i
        return None

    def _covered(self, segs: list[Seg], start: int, end: int) -> list[int]:
        """Indexes of the segments (in text order, not overlapping) that overlap [start, end)."""
        starts = self._old_starts if segs is self.old_segs else self._new_starts
        i = max(0, bisect.bisect_right(starts, start) - 1)
        out: list[int] = []
        while i < len(segs) and segs[i].start < end:
            if segs[i].end > start:
                out.append(i)
            i += 1
        return out

    def _claims(self) -> dict[int, set[int]]:
        """New segment -> the old segments whose text it holds (computed once, on demand)."""
        if self._claimed is None:
            self._claimed = {}
            for i in range(len(self.old_segs)):
                for j in self._image(i):
                    self._claimed.setdefault(j, set()).add(i)
        return self._claimed

    def _image(self, i: int) -> list[int]:
        """New segments that hold what old segment ``i`` held."""
        cached = self._images.get(i)
        if cached is None:
            cached = self._images[i] = self._find_image(i)
        return cached

    def _find_image(self, i: int) -> list[int]:
        if i in self.match:
            return [self.match[i]]
        seg = self.old_segs[i]
        share: dict[int, int] = {}  # new segment -> characters of old segment i it kept
        for o1, o2, n1 in self.mapping.blocks_between(seg.start, seg.end):
            lo, hi = n1 + (max(o1, seg.start) - o1), n1 + (min(o2, seg.end) - o1)
            k = max(0, bisect.bisect_right(self._new_starts, lo) - 1)
            while k < len(self.new_segs) and self.new_segs[k].start < hi:
                seg_new = self.new_segs[k]
                overlap = min(hi, seg_new.end) - max(lo, seg_new.start)
                if overlap > 0:
                    share[k] = share.get(k, 0) + overlap
                k += 1
        for k in set(share) & self._matched:  # that is another old segment's new place
            del share[k]
        if not share:
            return []
        top = max(share, key=lambda k: (share[k], -k))
        # the new segments made mostly of this segment's text (an answer split in two), and
        # the one that kept most of it; never one that merely shares a few letters
        found = sorted(
            k
            for k, n in share.items()
            if k == top or n >= 0.5 * (self.new_segs[k].end - self.new_segs[k].start)
        )
        same_speaker = [j for j in found if self.new_segs[j].speaker == seg.speaker]
        return same_speaker or found

    def expected(self, pos: int) -> int:
        """Where an old offset should be in the new text (following a moved segment)."""
        i = self._old_index(pos)
        if i is not None and i in self.match:
            seg = self.new_segs[self.match[i]]
            return min(seg.start + (pos - self.old_segs[i].start), seg.end)
        return self.mapping.map(pos, right=False)

    def place(self, coding: Anchor) -> Placement:
        """The new place and status of one coding."""
        current = self.old[coding.start : coding.end]
        target = (
            coding.anchor_text
            if coding.status != OK and coding.anchor_text is not None
            else current
        )
        covered = self._covered(self.old_segs, coding.start, coding.end)
        allowed: set[int] | None = None  # None: a span outside every segment, no constraint
        if covered:
            allowed = set()
            for i in covered:
                allowed.update(self._image(i))
        expected = self.expected(coding.start)
        # 1. the text as coded, found as it is (up to whitespace): ok
        found = self._best(self.spaced.occurrences(target), allowed, expected)
        if found is not None:
            return Placement(found[0], found[1], OK, 100.0)
        if coding.status == ORPHANED:
            return Placement(expected, expected, ORPHANED, 0.0)
        if not current.strip():  # a point or blank span: it goes where its place went
            ns = self.mapping.map(coding.start, right=False)
            ne = max(ns, self.mapping.map(coding.end, right=True))
            return Placement(ns, ne, OK if same_text(self.new[ns:ne], target) else REVIEW, 100.0)
        # 2. the text it has now (a coding already in review), found as it is
        if current != target:
            found = self._best(self.spaced.occurrences(current), allowed, expected)
            if found is not None:
                return Placement(found[0], found[1], REVIEW, 100.0)
        # 3. an alignment: the text changed, so the coding needs review (or is lost)
        return self._align(coding, current, target, covered, allowed, expected)

    def _best(
        self, spans: list[tuple[int, int]], allowed: set[int] | None, expected: int
    ) -> tuple[int, int] | None:
        if not spans:
            return None

        def inside(span: tuple[int, int]) -> bool:
            if allowed is None:
                return True
            segs = self._covered(self.new_segs, span[0], span[1])
            return bool(segs) and all(j in allowed for j in segs)

        return min(spans, key=lambda sp: (not inside(sp), abs(sp[0] - expected), sp[0]))

    def _clip(self, start: int, end: int, allowed: set[int] | None) -> tuple[int, int] | None:
        """The span cut to the run of allowed segments it overlaps most (None: none)."""
        if allowed is None:
            return (start, end)
        segs = self._covered(self.new_segs, start, end)
        if segs and all(j in allowed for j in segs):
            return (start, end)
        best: tuple[int, int, int] | None = None  # (overlap, start, end)
        run: list[int] = []
        for j in [*segs, None]:
            if j is not None and j in allowed and (not run or j == run[-1] + 1):
                run.append(j)
                continue
            if run:
                s = max(start, self.new_segs[run[0]].start)
                e = min(end, self.new_segs[run[-1]].end)
                if e > s and (best is None or e - s > best[0]):
                    best = (e - s, s, e)
            run = [j] if j is not None and j in allowed else []
        return None if best is None else (best[1], best[2])

    def _whole_segments(
        self, coding: Anchor, covered: list[int], allowed: set[int] | None
    ) -> tuple[int, int] | None:
        """A coding of whole segments stays one of the whole segments that replaced them."""
        if not covered or not allowed:
            return None
        first, last = self.old_segs[covered[0]], self.old_segs[covered[-1]]
        if (coding.start, coding.end) != (first.start, last.end):
            return None
        run = sorted(allowed)
        if run != list(range(run[0], run[-1] + 1)) or len(run) != len(covered):
            return None
        return (self.new_segs[run[0]].start, self.new_segs[run[-1]].end)

    def _align(
        self,
        coding: Anchor,
        current: str,
        target: str,
        covered: list[int],
        allowed: set[int] | None,
        expected: int,
    ) -> Placement:
        from rapidfuzz import fuzz

        candidates: list[tuple[int, int, float]] = []  # (start, end, partial score)
        whole = self._whole_segments(coding, covered, allowed)
        if whole is not None:
            text = self.new[whole[0] : whole[1]]
            candidates.append((*whole, float(fuzz.partial_ratio(current, text))))
        mapped = self._clip(
            self.mapping.map(coding.start, right=False),
            self.mapping.map(coding.end, right=True),
            allowed,
        )
        if mapped is not None and mapped[1] > mapped[0]:
            candidates.append((*mapped, 0.0))
        if allowed:
            lo = min(self.new_segs[j].start for j in allowed)
            hi = max(self.new_segs[j].end for j in allowed)
            hit = fuzz.partial_ratio_alignment(current, self.new[lo:hi], score_cutoff=WEAK)
            if hit is not None:
                span = self._clip(lo + hit.dest_start, lo + hit.dest_end, allowed)
                if span is not None and span[1] > span[0]:
                    candidates.append((*span, float(hit.score)))
        best = self._pick(candidates, current, target, whole)
        if best is not None and (best.status == OK or best.score >= GOOD or best.whole):
            return best
        # found elsewhere (a passage moved and edited): only in segments of its own speakers
        # that hold no other old segment's text. A passage like it in another answer that was
        # there before is not where this one went. (The whole text is searched last: slow.)
        hit = fuzz.partial_ratio_alignment(current, self.new, score_cutoff=WEAK)
        if hit is not None:
            span_segs = self._covered(self.new_segs, hit.dest_start, hit.dest_end)
            ok_segs: set[int] | None = None
            if covered:
                speakers = {self.old_segs[i].speaker for i in covered}
                claims = self._claims()
                ok_segs = {
                    j
                    for j in span_segs
                    if self.new_segs[j].speaker in speakers and claims.get(j, set()) <= set(covered)
                }
            far = self._clip(hit.dest_start, hit.dest_end, ok_segs) if ok_segs != set() else None
            if far is not None and far[1] > far[0]:
                found = self._pick([(*far, float(hit.score))], current, target, None)
                if found is not None and (best is None or found.score > best.score):
                    best = found
        return best or Placement(expected, expected, ORPHANED, 0.0)

    def _pick(
        self,
        candidates: list[tuple[int, int, float]],
        current: str,
        target: str,
        whole: tuple[int, int] | None,
    ) -> Placement | None:
        """The best usable candidate (start, end, partial score): the text as coded (ok), or
        the whole segments that replaced coded whole segments, or the most similar text."""
        from rapidfuzz import fuzz

        best: Placement | None = None
        for s, e, partial in candidates:
            text = self.new[s:e]
            score = float(fuzz.ratio(current, text))
            if same_text(text, target):
                return Placement(s, e, OK, 100.0)
            # a remnant of a cut passage (a truncated quote) scores low on the whole text
            usable = score >= WEAK or (partial >= GOOD and len(text.strip()) >= 20)
            if usable and whole is not None and (s, e) == whole:
                return Placement(s, e, REVIEW, score, whole=True)  # the answer stays whole
            if usable and (best is None or score > best.score):
                best = Placement(s, e, REVIEW, score)
        return best


def update_document(
    project: Project,
    document_id: int,
    parsed: ParsedDocument,
    *,
    coder: str = "",
    features: SegmentLemmas | None = None,
) -> ImportResult:
    """Replace a document's text and segments with a revised version, re-anchoring codings.

    With ``features`` the new segments are stored with their lemmas in the same transaction,
    so a crash or kill leaves either the old version or the new one with its features.
    """
    from kodebok.services.document_store import (
        _insert_segments,
        _with_default_speaker,
        segment_lemmas,
    )
    from kodebok.store.backup import backup_project

    parsed = _with_default_speaker(parsed)
    old, codings, old_segs = _old_version(project, document_id)
    new_segs = [Seg(t.start, t.end, t.speaker) for t in parsed.turns]
    placer = Reanchorer(old["text"], parsed.text, old_segs, new_segs)
    placed = [
        placer.place(Anchor(c["start"], c["end"], c["status"], c["anchor_text"])) for c in codings
    ]
    placed = _resolve_clashes(codings, placed, len(parsed.text))
    lemmas, stamp = segment_lemmas(parsed, old["language"], features)
    backup_project(project, reason=f"before-update-{old['name']}")
    # journaled with capture: undo brings the old text, segments, speakers and codings back
    with project.operation(
        coder or "import", "import-update", Change("import_update", name=old["name"]), capture=True
    ):
        speaker_ids = _replace_text(project, old, parsed, stamp)
        _insert_segments(project, document_id, parsed, speaker_ids, lemmas)
        report = _move_codings(project, document_id, old["text"], codings, placed)
    return _update_result(parsed, old["name"], len(speaker_ids), report)


def _old_version(project: Project, document_id: int) -> tuple[Any, list[dict[str, Any]], list[Seg]]:
    """The document's row, its codings and its segments before the revision."""
    conn = project.conn
    old = conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
    codings = [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM codings WHERE document_id = ? ORDER BY id", (document_id,)
        )
    ]
    old_segs = [
        Seg(r[0], r[1], r[2])
        for r in conn.execute(
            'SELECT s.start, s."end", sp.label FROM segments s '
            "LEFT JOIN speakers sp ON sp.id = s.speaker_id WHERE s.document_id = ? ORDER BY s.idx",
            (document_id,),
        )
    ]
    return old, codings, old_segs


def _replace_text(
    project: Project, old: Any, parsed: ParsedDocument, stamp: str | None
) -> dict[str, int]:
    """The new text and speakers in place of the old (a speaker keeps its attributes by label);
    the old segments are deleted. Returns the new speakers' ids by label."""
    from kodebok.services.document_store import _insert_speakers, sha256_text

    conn = project.conn
    document_id = old["id"]
    old_speaker_attrs = {
        r["label"]: [
            (a["name"], a["value"], a["type"])
            for a in conn.execute(
                "SELECT * FROM attributes WHERE entity_kind = 'speaker' AND entity_id = ?",
                (r["id"],),
            )
        ]
        for r in conn.execute("SELECT * FROM speakers WHERE document_id = ?", (document_id,))
    }
    conn.execute("DELETE FROM segments WHERE document_id = ?", (document_id,))
    conn.execute("DELETE FROM speakers WHERE document_id = ?", (document_id,))
    metadata = {**json.loads(old["metadata"] or "{}"), **_plain(parsed.metadata)}
    conn.execute(
        "UPDATE documents SET text = ?, sha256 = ?, imported_at = ?, metadata = ? WHERE id = ?",
        (
            parsed.text,
            sha256_text(parsed.text),
            now_iso(),
            json.dumps(metadata, ensure_ascii=False),
            document_id,
        ),
    )
    if stamp is not None:
        from kodebok.nlp.stamp import FEATURES_SETTING

        conn.execute(
            "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)", (FEATURES_SETTING, stamp)
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
    return speaker_ids


def _move_codings(
    project: Project,
    document_id: int,
    old_text: str,
    codings: list[dict[str, Any]],
    placed: list[Placement],
) -> Reanchoring:
    """Put every coding where it was placed in the new text, and say what happened to each."""
    from kodebok.services.coding import segment_for_span

    conn = project.conn
    report = Reanchoring()
    # park every coding of the document off the text first, so that codings trading
    # places (swapped answers) never meet the unique (span, code, coder) constraint
    conn.execute(
        'UPDATE codings SET start = -id, "end" = -id WHERE document_id = ?', (document_id,)
    )
    for coding, place in zip(codings, placed, strict=True):
        anchor = (
            coding["anchor_text"]
            if coding["status"] != OK and coding["anchor_text"] is not None
            else old_text[coding["start"] : coding["end"]]
        )
        _report_placement(report, coding, place, anchor)
        seg = (
            segment_for_span(project, document_id, place.start, place.end)
            if place.end > place.start
            else None
        )
        conn.execute(
            'UPDATE codings SET start = ?, "end" = ?, segment_id = ?, status = ?, '
            "anchor_text = ? WHERE id = ?",
            (
                place.start,
                place.end,
                seg,
                place.status,
                anchor if place.status != OK else None,
                coding["id"],
            ),
        )
    return report


def _report_placement(
    report: Reanchoring, coding: dict[str, Any], place: Placement, anchor: str
) -> None:
    """Count a coding as unchanged, moved or restored, or list it for review or as orphaned."""
    item = {
        "code_id": coding["code_id"],
        "coder": coding["coder"],
        "old_start": coding["start"],
        "old_end": coding["end"],
        "new_start": place.start,
        "new_end": place.end,
        "score": round(place.score, 1),
        "text": anchor,
    }
    if place.status == ORPHANED:
        report.orphaned.append(item)
    elif place.status == REVIEW:
        report.review.append(item)
    elif coding["status"] != OK:
        report.restored += 1
    elif (place.start, place.end) == (coding["start"], coding["end"]):
        report.unchanged += 1
    else:
        report.moved += 1


def _update_result(
    parsed: ParsedDocument, name: str, speakers: int, report: Reanchoring
) -> ImportResult:
    """The import result of a revision: its counts in a message and in the details."""
    from kodebok.services.document_store import ImportResult

    return ImportResult(
        parsed.source,
        "updated",
        name,
        len(parsed.turns),
        speakers,
        message=(
            f"{report.unchanged} codings unchanged, {report.moved} moved, "
            + (f"{report.restored} restored, " if report.restored else "")
            + f"{len(report.review)} need review, {len(report.orphaned)} orphaned"
        ),
        details={
            "unchanged": report.unchanged,
            "moved": report.moved,
            "restored": report.restored,
            "review": report.review,
            "orphaned": report.orphaned,
        },
    )


def _resolve_clashes(
    codings: list[dict[str, Any]], placed: list[Placement], length: int
) -> list[Placement]:
    """Two codings with the same code and coder never end on one span: the one that found its
    text exactly keeps it, the other is kept as an orphan (never merged silently); orphans are
    zero-length points inside the new text (``length`` characters), nudged past each other."""
    rank = {OK: 0, REVIEW: 1, ORPHANED: 2}
    order = sorted(range(len(codings)), key=lambda k: (rank[placed[k].status], codings[k]["id"]))
    taken: set[tuple[int, int, int, str]] = set()
    out = list(placed)
    for k in order:
        p = placed[k]
        key = (p.start, p.end, codings[k]["code_id"], codings[k]["coder"])
        if p.status != ORPHANED and key not in taken:
            taken.add(key)
            continue
        start = min(max(p.start, 0), length)
        # the first free point at or after its place, else before it: never past the text's end
        free = (
            pos
            for pos in itertools.chain(range(start, length + 1), range(start - 1, -1, -1))
            if (pos, pos, codings[k]["code_id"], codings[k]["coder"]) not in taken
        )
        pos = next(free, None)
        if pos is None:
            raise KodebokError(
                f"the revised text ({length} characters) is too short to keep every orphaned "
                f"coding of one code and coder as its own point; nothing was changed",
                code="revision.revised_text_characters_too",
                length=length,
            )
        taken.add((pos, pos, codings[k]["code_id"], codings[k]["coder"]))
        out[k] = Placement(pos, pos, ORPHANED, 0.0)
    return out


def _plain(meta: dict[str, Any]) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(meta, default=str))
    return plain
