"""Automatic transcripts (WebVTT, SRT): cues merged into speaker turns with timestamps."""

from __future__ import annotations

import io
from dataclasses import dataclass

from kodebok.errors import DocumentReadError
from kodebok.ingest.labels import find_label_lines, is_interviewer_label
from kodebok.ingest.model import Turn

# Cues without a speaker are grouped into paragraphs, split at a pause this long (seconds)
# or once the paragraph is this long (characters) and a sentence ends.
_PAUSE = 2.0
_PARAGRAPH_CHARS = 600


@dataclass(slots=True)
class _Cue:
    start: float
    end: float
    speaker: str | None
    text: str


def read_subtitles(text: str, source: str, fmt: str) -> tuple[str, list[Turn], frozenset[str]]:
    """Document text, turns and interviewer labels from WebVTT (``fmt="vtt"``) or SRT text.

    Consecutive cues by the same speaker (a ``<v Name>`` voice tag or a leading
    ``SPEAKER_00:``/``Name:``) become one turn from the first cue's start to the last cue's end.
    The text is one line per turn, ``[hh:mm:ss] Label: words``; turn spans cover the words.
    """
    cues = _parse(text, source, fmt)
    if not cues:
        raise DocumentReadError(
            f"{source}: no subtitle cues found; is it a valid .{fmt} file?",
            code="ingest.subtitle_cues_found_valid",
            source=source,
            fmt=fmt,
        )
    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for group in _group(cues):
        speaker = group[0].speaker
        prefix = f"[{_clock(group[0].start)}] " + (f"{speaker}: " if speaker else "")
        words = " ".join(c.text for c in group)
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(prefix + words)
        start = pos + len(prefix)
        pos = start + len(words)
        turns.append(Turn(start, pos, speaker, group[0].start, group[-1].end))
    speakers = {t.speaker for t in turns if t.speaker}
    interviewers = frozenset(s for s in speakers if is_interviewer_label(s))
    return "".join(parts), turns, interviewers


def _parse(text: str, source: str, fmt: str) -> list[_Cue]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        captions = webvtt.WebVTT.from_buffer(io.StringIO(text), format=fmt).captions
        raw = [
            (
                c.start_time.in_milliseconds() / 1000,
                c.end_time.in_milliseconds() / 1000,
                c.voice,
                " ".join(c.text.split()),
            )
            for c in captions
        ]
    except (MalformedFileError, MalformedCaptionError) as exc:
        raise DocumentReadError(
            f"{source}: not a valid .{fmt} file ({exc})",
            code="ingest.valid_file",
            source=source,
            fmt=fmt,
            exc=str(exc),
        ) from None
    except Exception as exc:  # webvtt-py raises plain errors on odd input too
        raise DocumentReadError(
            f"{source}: not a valid .{fmt} file ({type(exc).__name__}: {exc})",
            code="ingest.valid_file_2",
            source=source,
            fmt=fmt,
            error_type=type(exc).__name__,
            exc=str(exc),
        ) from None
    texts = [r[3] for r in raw]
    # Labels written in the cue text share the transcript rules; cue texts act as lines.
    labelled = find_label_lines(texts, known=[r[2] for r in raw if r[2]])
    cues: list[_Cue] = []
    for i, (start, end, voice, words) in enumerate(raw):
        speaker = voice.strip() if voice else None
        found = labelled.get(i)
        if found is not None and (speaker is None or found.label == speaker):
            speaker = found.label
            words = words[found.text_start :].strip()
        if words:
            cues.append(_Cue(start, end, speaker, words))
    return cues


def _group(cues: list[_Cue]) -> list[list[_Cue]]:
    groups: list[list[_Cue]] = []
    length = 0
    for cue in cues:
        if groups and _continues(groups[-1][-1], cue, length):
            groups[-1].append(cue)
            length += len(cue.text) + 1
        else:
            groups.append([cue])
            length = len(cue.text)
    return groups


def _continues(prev: _Cue, cue: _Cue, length: int) -> bool:
    if prev.speaker != cue.speaker:
        return False
    if cue.speaker is not None:
        return True
    if cue.start - prev.end >= _PAUSE:
        return False
    return not (length >= _PARAGRAPH_CHARS and prev.text.endswith((".", "!", "?", "…")))


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
