"""What a reader hands to segmentation: plain text plus optional structure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Turn:
    """One segment to be: a speaker turn or a paragraph, as character offsets into ``text``.

    ``speaker`` is the label as written (``None`` for a paragraph without a speaker).
    """

    start: int
    end: int
    speaker: str | None = None
    t_start: float | None = None
    t_end: float | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """A document read from a file: normalised text, its turns, and metadata from the file.

    ``text`` is normalised (BOM removed, newlines ``\\n``, NFC) and every ``Turn`` indexes it.
    ``metadata`` holds front matter (case, kind, date, language, speakers: {label: {attr: value}}).
    ``interviewers`` are the labels recognised as interviewer turns.
    """

    name: str
    source: str
    kind: str
    text: str
    turns: tuple[Turn, ...]
    metadata: dict[str, Any] = field(default_factory=dict)
    interviewers: frozenset[str] = frozenset()
    language: str | None = None
