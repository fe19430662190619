"""Plain data for a REFI-QDA project, shared by the .qdpx reader and writer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

NAMESPACE = "urn:QDA-XML:project:1.0"
# kodebok's side file inside a .qdpx: other programs ignore files they do not know
EXTENSION_MEMBER = "kodebok/kodebok.json"
EXTENSION_FORMAT = "kodebok-refi-extension"
_GUID_ROOT = uuid.UUID("5b0f7f3e-2c1a-4e8b-9a53-6b6f64626f6b")


def stable_guid(*parts: str) -> str:
    """A GUID derived from names (uuid5), so that exporting twice gives the same GUIDs."""
    return str(uuid.uuid5(_GUID_ROOT, "\x1f".join(parts)))


@dataclass
class RefiCode:
    """A code with its children."""

    guid: str
    name: str
    description: str = ""
    color: str | None = None
    children: list[RefiCode] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiCoding:
    """One code applied to a selection by one user."""

    guid: str
    code_guid: str
    user_guid: str | None
    created: str | None
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    """A character span of a text source with the codings on it."""

    guid: str
    start: int
    end: int
    user_guid: str | None
    created: str | None
    codings: list[RefiCoding] = field(default_factory=list)
    note_guids: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    """A text source: its plain text and coded selections."""

    guid: str
    name: str
    text: str
    user_guid: str | None = None
    created: str | None = None
    selections: list[RefiSelection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    note_guids: list[str] = field(default_factory=list)
    description: str = ""
    element: str = "TextSource"  # as read: TextSource, PDFSource, DocumentSource
    # codings on the whole source (a TextSource's own Coding elements)
    codings: list[RefiCoding] = field(default_factory=list)
    skipped_selections: int = 0  # selections in units kodebok cannot place (PDF regions)


@dataclass
class RefiSet:
    """A named set of sources and codes (MAXQDA's and ATLAS.ti's document groups)."""

    guid: str
    name: str
    description: str = ""
    source_guids: list[str] = field(default_factory=list)
    code_guids: list[str] = field(default_factory=list)


@dataclass
class RefiCase:
    """A case with its variable values and sources."""

    guid: str
    name: str
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    source_guids: list[str] = field(default_factory=list)
    selection_guids: list[str] = field(default_factory=list)  # a speaker's turns


@dataclass
class RefiNote:
    """A note (memo) with its text and author."""

    guid: str
    name: str
    text: str
    user_guid: str | None = None
    created: str | None = None


@dataclass
class RefiProject:
    """Everything kodebok exchanges through a .qdpx file."""

    name: str
    users: dict[str, str] = field(default_factory=dict)  # guid → name
    codes: list[RefiCode] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # name → Text|Integer|Float|…
    cases: list[RefiCase] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    project_note_guids: list[str] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    created: str | None = None
    origin: str = ""
    # kodebok's own side file in the archive (speakers, segments, origins …); {} from others
    extension: dict[str, Any] = field(default_factory=dict)
    skipped_sources: list[str] = field(default_factory=list)  # audio, video, pictures …

    def code_paths(self) -> dict[str, str]:
        """Code guid → path (names joined with '/')."""
        out: dict[str, str] = {}

        def visit(codes: list[RefiCode], prefix: str) -> None:
            for c in codes:
                path = f"{prefix}/{c.name}" if prefix else c.name
                out[c.guid] = path
                visit(c.children, path)

        visit(self.codes, "")
        return out
