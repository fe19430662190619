"""Segmentation: normalised text into speaker turns, or into paragraphs when there are none."""

from __future__ import annotations

import re
from collections.abc import Collection

from kodebok.ingest.labels import find_label_lines, is_interviewer_label
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
    pos = 0
    for i, line in enumerate(lines):
        found = labelled.get(i)
        heading = found is None and _MARKDOWN_HEADING.match(line) is not None
        if found is not None or (heading and speaker is not None):
            _close(turns, text, region_start, pos, speaker, t_start)
            if found is not None:
                region_start, speaker, t_start = pos + found.text_start, found.label, found.t_start
            else:
                region_start, speaker, t_start = pos, None, None
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
