"""The UI thread's open project, the coder, and a cache of the codebook for fast lookups."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kodebok.models import Code
from kodebok.services import lookup
from kodebok.services.codes import CodeCount, code_tree
from kodebok.services.project import Project, open_project

# Codes without a colour of their own get one of these, chosen by id so it never changes.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)

# The UI connection waits only briefly for another writer: a longer wait would freeze the
# screen, and the app retries a locked write itself (see KodebokApp.write).
UI_BUSY_TIMEOUT = 0.3


def short_labels(codes: list[Code]) -> dict[int, str]:
    """Each code's name, or the shortest end of its path that no other code shares.

    ``Fremmer`` under both ``Oppslutning og lojalitet`` and ``Ledelse`` becomes
    ``Oppslutning og lojalitet/Fremmer`` and ``Ledelse/Fremmer``; a unique name stays as it is.
    """
    parts = {c.id: tuple(c.path.split("/")) for c in codes}
    ends = Counter(p[-k:] for p in parts.values() for k in range(1, len(p) + 1))
    labels: dict[int, str] = {}
    for code_id, mine in parts.items():
        k = 1
        while k < len(mine) and ends[mine[-k:]] > 1:
            k += 1
        labels[code_id] = "/".join(mine[-k:])
    return labels


@dataclass
class Session:
    """What every screen shares: the project connection (UI thread only), coder and codes."""

    path: Path
    project: Project
    coder: str
    codes: list[Code] = field(default_factory=list)
    by_id: dict[int, Code] = field(default_factory=dict)
    by_shortcut: dict[str, Code] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)  # short_labels, for gutter chips
    recent: list[int] = field(default_factory=list)
    # Bumped by changes that other screens must see (undo, codebook edits, imports).
    generation: int = 0

    @classmethod
    def open(cls, path: Path, coder: str) -> Session:
        """Open the project for the UI thread (raises ProjectLocked / ProjectCorrupt)."""
        project = open_project(path, busy_timeout=UI_BUSY_TIMEOUT, daily_backup=False)
        session = cls(path, project, coder)
        session.reload_codes()
        from kodebok.services.workspace import recent_code_ids

        session.recent = recent_code_ids(project, coder)
        return session

    def reload_codes(self) -> None:
        """Re-read the codebook after it changed."""
        self.codes = lookup.codes(self.project)
        self.by_id = {c.id: c for c in self.codes}
        self.by_shortcut = {c.shortcut: c for c in self.codes if c.shortcut}
        self.labels = short_labels(self.codes)

    def tree(self) -> list[CodeCount]:
        """The code tree with coding counts."""
        return code_tree(self.project)

    def color(self, code_id: int) -> str:
        """The code's colour, or a stable one from the palette."""
        code = self.by_id.get(code_id)
        if code is not None and code.color:
            return code.color
        return PALETTE[code_id % len(PALETTE)]

    def used(self, code_id: int) -> None:
        """Remember that a code was just applied (the picker lists recent codes first)."""
        if code_id in self.recent:
            self.recent.remove(code_id)
        self.recent.insert(0, code_id)
        del self.recent[20:]

    def changed(self) -> None:
        """Note a change that screens other than the current one must reload for."""
        self.reload_codes()
        self.generation += 1

    def colors(self) -> dict[int, str]:
        """Every code's display colour."""
        return {c.id: self.color(c.id) for c in self.codes}

    def close(self) -> None:
        """Close the UI connection."""
        self.project.close()
