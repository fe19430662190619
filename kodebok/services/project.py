"""Creating and opening projects, and who the current coder is."""

from __future__ import annotations

import getpass
import os
import sqlite3
from pathlib import Path

from kodebok.errors import KodebokError, ProjectLocked, ProjectReadOnly
from kodebok.store import Project
from kodebok.store.project import (
    check_path,
    is_read_only_error,
    read_only_message,
    wait_for_unlock,
)
from kodebok.store.queries import SQLITE_INT_MAX

# The front ends hold an open project as this type; they import it from here, never from store.
__all__ = ["SQLITE_INT_MAX", "Project", "wait_for_unlock"]

DEFAULT_PROJECT = "kodebok.db"


def default_project_path() -> Path:
    """``$KODEBOK_PROJECT``, else ``./kodebok.db``."""
    return Path(os.environ.get("KODEBOK_PROJECT") or DEFAULT_PROJECT)


def default_coder() -> str:
    """``$KODEBOK_CODER``, else the login name."""
    env = os.environ.get("KODEBOK_CODER")
    if env is not None:
        if not env.strip():
            raise KodebokError(
                "KODEBOK_CODER is set but empty; set it to your name (export KODEBOK_CODER=kari) "
                "or unset it to use the login name",
                code="project.kodebok_coder_set_but",
            )
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "coder"


def ui_language(project: Project) -> str:
    """The language the CLI and TUI speak for this project: ``$KODEBOK_LANG``, else the
    project's ``language`` setting (chosen in the TUI), else Norwegian (kodebok.i18n)."""
    from kodebok.i18n import resolve_language

    return resolve_language(None, project.get_setting("language"))


def check_coder(name: str) -> str:
    """A coder name as given; KodebokError when it is empty (codings by '' skew agreement)."""
    if not name.strip():
        raise KodebokError(
            "--coder is empty; give your name (e.g. --coder kari), or leave the option out "
            "to use $KODEBOK_CODER or the login name",
            code="project.coder_empty_give_your",
        )
    return name


def create_project(path: Path) -> Project:
    """Create a new, empty project file (the caller checks that there is none yet)."""
    return Project.create(path)


def init_project(path: Path) -> tuple[Project, bool]:
    """Create a project unless it exists; returns (project, created)."""
    exists, _ = check_path(path)
    if exists:
        return Project.open(path), False
    return Project.create(path), True


def open_project(
    path: Path,
    *,
    wait: float = 0.0,
    daily_backup: bool = True,
    busy_timeout: float | None = None,
) -> Project:
    """Open an existing project; with ``wait`` seconds, retry while another writer holds it.

    The first open of a day writes a backup copy (VACUUM INTO) beside the project, unless
    ``daily_backup`` is off (the TUI's own and its workers' connections). ``busy_timeout`` is
    how long a write waits for another writer (default ``$KODEBOK_BUSY_TIMEOUT`` or 5 s).
    """
    try:
        project = Project.open(path, busy_timeout=busy_timeout)
    except ProjectLocked:
        if not (wait and wait_for_unlock(path, wait)):
            raise
        project = Project.open(path, busy_timeout=busy_timeout)
    if daily_backup and not project.read_only:
        backup_if_due(project)
    return project


def backup_if_due(project: Project, max_age_hours: float = 24.0) -> Path | None:
    """Take the daily backup when the newest daily backup is older than ``max_age_hours``.

    Only daily backups count: backups taken before operations (merges, restores …) are kept
    by a rule of their own and pruned separately (see kodebok.store.backup).
    """
    import sqlite3
    from datetime import UTC, datetime

    from kodebok.errors import KodebokError
    from kodebok.store.backup import DAILY, backup_project, backup_time, list_backups

    daily = list_backups(project.path, kind=DAILY)
    if daily:
        taken = backup_time(daily[-1]) or datetime.fromtimestamp(daily[-1].stat().st_mtime, UTC)
        if (datetime.now(UTC) - taken).total_seconds() < max_age_hours * 3600:
            return None
    row = project.conn.execute(
        "SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM codes)"
    ).fetchone()
    if not row[0]:
        return None  # an empty project has nothing to lose
    try:
        return backup_project(project, reason=DAILY)
    except (OSError, sqlite3.Error, KodebokError):
        return None  # a read-only folder must not stop the researcher from working


def manual_backup(project: Project) -> Path:
    """``kodebok backup``: a copy of the project beside it; a folder that cannot be written is
    a read-only error naming it."""
    from kodebok.store.backup import backup_dir, backup_project

    try:
        return backup_project(project, reason="manual")
    except OSError as exc:
        raise ProjectReadOnly(
            f"{backup_dir(project.path)}: cannot write the backup there "
            f"({exc.strerror or exc}); the folder may be read-only",
            code="project.write_backup_folder_may",
            backup_dir=backup_dir(project.path),
            value=exc.strerror or exc,
        ) from exc


def read_only_error(exc: sqlite3.OperationalError, path: Path) -> ProjectReadOnly | None:
    """The user's error for SQLite's "attempt to write a readonly database" on ``path``."""
    return ProjectReadOnly(read_only_message(path)) if is_read_only_error(exc) else None
