"""Segmentation: normalised text into speaker turns, or into paragraphs when there are none."""

from __future__ import annotations

import re
from collections.abc import Collection

from kodebok.ingest.labels import bare_timestamp, find_label_lines, is_interviewer_label
from kodebok.ingest.model import Turn

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_MARKDOWN_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")


def segment_paragraphs(text: str, *, offset: int = 0, end: int | None = None) -> list[Turn]:
    """Blank-line separated paragraphs of ``text`` as turns without a speaker.

    ``offset``/``end`` restrict the work to ``text[offset:end]`` without copying it; spans are
    trimmed of surrounding whitespace and empty paragraphs are left out.
    """
    stop = len(text) if end is None else end
    turns: list[Turn] = []
    start = offset
    for brk in _PARAGRAPH_BREAK.finditer(text, offset, stop):
        _append_trimmed(turns, text, start, brk.start(), None, None)
        start = brk.end()
    _append_trimmed(turns, text, start, stop, None, None)
    return turns


def segment_transcript(
    text: str, *, known_labels: Collection[str] = ()
) -> tuple[list[Turn], frozenset[str]]:
    """Speaker turns of a transcript, and the labels recognised as interviewers.

    A turn runs from its label line to the next label line; its span is the spoken text after
    the label and timestamp. Text before the first label, and markdown headings between turns,
    become paragraphs without a speaker. Without any labels the whole text is paragraphs.
    A timestamp alone on a line ends the turn before it and dates the label after it (or, with
    no label, starts a new turn of the same speaker).
    ``known_labels`` (e.g. from front matter) are accepted as labels wherever they start a line.
    """
    lines = text.split("\n")
    labelled = find_label_lines(lines, known_labels)
    if not labelled:
        return segment_paragraphs(text), frozenset()

    turns: list[Turn] = []
    # The open region: where it starts in text, its speaker and timestamp (None = paragraphs).
    region_start = 0
    speaker: str | None = None
    t_start: float | None = None
    # A timestamp alone on its line dates what follows: the next label, or the rest of the turn.
    pending: float | None = None
    pos = 0
    for i, line in enumerate(lines):
        found = labelled.get(i)
        if found is not None:
            _close(turns, text, region_start, pos, speaker, t_start)
            region_start, speaker = pos + found.text_start, found.label
            t_start = found.t_start if found.t_start is not None else pending
            pending = None
        elif (stamp := bare_timestamp(line)) is not None:
            _close(turns, text, region_start, pos, speaker, t_start)
            region_start, t_start, pending = pos + len(line), stamp, stamp
        elif speaker is not None and _MARKDOWN_HEADING.match(line):
            _close(turns, text, region_start, pos, speaker, t_start)
            region_start, speaker, t_start, pending = pos, None, None, None
        elif line.strip():
            pending = None
        pos += len(line) + 1
    _close(turns, text, region_start, len(text), speaker, t_start)

    speakers = {t.speaker for t in turns if t.speaker is not None}
    interviewers = frozenset(s for s in speakers if is_interviewer_label(s))
    return _with_end_times(turns), interviewers


def _close(
    turns: list[Turn], text: str, start: int, end: int, speaker: str | None, t_start: float | None
) -> None:
    if start >= end:
        return
    if speaker is None:
        turns.extend(segment_paragraphs(text, offset=start, end=end))
    else:
        _append_trimmed(turns, text, start, end, speaker, t_start)


def _append_trimmed(
    turns: list[Turn], text: str, start: int, end: int, speaker: str | None, t_start: float | None
) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # A label with nothing said (e.g. "I:" directly followed by the next label) is no segment.
    if end > start:
        turns.append(Turn(start=start, end=end, speaker=speaker, t_start=t_start))


def _with_end_times(turns: list[Turn]) -> list[Turn]:
    """Give each timed turn the next timed turn's start as its end."""
    result = list(turns)
    next_start: float | None = None
    for i in range(len(result) - 1, -1, -1):
        turn = result[i]
        if turn.t_start is not None:
            if next_start is not None and turn.t_end is None:
                result[i] = Turn(turn.start, turn.end, turn.speaker, turn.t_start, next_start)
            next_start = turn.t_start
    return result
