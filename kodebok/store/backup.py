"""Backups of the project file with VACUUM INTO, kept beside it in a .backups folder."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kodebok.store.project import Project

KEEP_BACKUPS = 10


def backup_dir(project_path: Path) -> Path:
    """Where backups of ``project_path`` live."""
    return project_path.parent / f".{project_path.name}.backups"


def backup_project(project: Project, reason: str = "manual", keep: int = KEEP_BACKUPS) -> Path:
    """Write a consistent copy of the project (VACUUM INTO) and prune old ones; returns its path."""
    folder = backup_dir(project.path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    safe_reason = re.sub(r"[^A-Za-z0-9_.-]+", "-", reason)[:60]
    target = folder / f"{project.path.stem}-{stamp}-{safe_reason}.db"
    project.conn.execute("VACUUM INTO ?", (str(target),))
    backups = sorted(folder.glob(f"{project.path.stem}-*.db"))
    for old in backups[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    return target


def list_backups(project_path: Path) -> list[Path]:
    """Existing backups of a project, oldest first."""
    return sorted(backup_dir(project_path).glob(f"{project_path.stem}-*.db"))


def backup_before(project_path: Path, at: str) -> Path | None:
    """The newest backup of a project written before the time ``at`` (ISO 8601), if any."""
    try:
        limit = datetime.fromisoformat(at).astimezone(UTC).replace(microsecond=0, tzinfo=None)
    except ValueError:
        return None
    found: Path | None = None
    for path in list_backups(project_path):
        stamp = path.stem[len(project_path.stem) + 1 :].split("-", 1)[0]
        try:
            when = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(microsecond=0)
        except ValueError:
            continue
        if when <= limit:
            found = path
    return found
