"""Frozen dataclasses for the things a researcher works with: documents, segments, codes, codings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    """A unit of comparison, usually a kommune."""

    id: int
    name: str
    memo: str = ""
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """An imported transcript or document; ``text`` is the normalised full text."""

    id: int
    name: str
    kind: str
    language: str
    case_id: int | None
    text: str
    sha256: str
    source: str
    imported_at: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Speaker:
    """A speaker label as written in one document; interviewer turns are usually not coded."""

    id: int
    document_id: int
    label: str
    interviewer: bool = False
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Segment:
    """One speaker turn (transcripts) or paragraph (documents): ``text[start:end]`` of its document."""

    id: int
    document_id: int
    idx: int
    start: int
    end: int
    speaker_id: int | None
    text: str
    t_start: float | None = None
    t_end: float | None = None


@dataclass(frozen=True)
class Code:
    """A code in the codebook tree; ``path`` is the names from the root joined by '/'."""

    id: int
    parent_id: int | None
    name: str
    path: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    color: str | None = None
    shortcut: str | None = None
    position: int = 0


@dataclass(frozen=True)
class Coding:
    """A code applied to a span of a document by one coder."""

    id: int
    document_id: int
    segment_id: int | None
    start: int
    end: int
    code_id: int
    coder: str
    origin: str = "manual"
    memo: str = ""
    created_at: str = ""
    status: str = "ok"  # ok | review | orphaned (after a revised version of the document)
    anchor_text: str | None = None  # the coded text, for review and orphaned codings
