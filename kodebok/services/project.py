"""Creating and opening projects, and who the current coder is."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from kodebok.errors import ProjectLocked
from kodebok.store import Project
from kodebok.store.project import wait_for_unlock

DEFAULT_PROJECT = "kodebok.db"


def default_project_path() -> Path:
    """``$KODEBOK_PROJECT``, else ``./kodebok.db``."""
    return Path(os.environ.get("KODEBOK_PROJECT") or DEFAULT_PROJECT)


def default_coder() -> str:
    """``$KODEBOK_CODER``, else the login name."""
    env = os.environ.get("KODEBOK_CODER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coder"


def init_project(path: Path) -> tuple[Project, bool]:
    """Create a project unless it exists; returns (project, created)."""
    if path.exists():
        return Project.open(path), False
    return Project.create(path), True


def open_project(path: Path, *, wait: float = 0.0) -> Project:
    """Open an existing project; with ``wait`` seconds, retry while another writer holds it."""
    try:
        return Project.open(path)
    except ProjectLocked:
        if wait and wait_for_unlock(path, wait):
            return Project.open(path)
        raise
