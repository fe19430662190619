"""Backups of the project file with VACUUM INTO, kept beside it in a .backups folder.

A backup is named ``STEM-YYYYMMDDTHHMMSSffffff-REASON.db`` (UTC). Three kinds are kept by
rules of their own, so a burst of one kind never pushes out another:

- ``daily`` (the first open of a day): every one from the last ``KEEP_DAILY_DAYS`` days, and
  at least the newest ``KEEP_DAILY_DAYS`` of them however old;
- ``manual`` (``kodebok backup``): the newest ``KEEP_BACKUPS``;
- operation backups (before a merge, a migration, a restore, a codebook replace …): the newest
  ``KEEP_BACKUPS``.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from kodebok.errors import ProjectCorrupt, ProjectLocked, is_locked_error
from kodebok.fileio import atomic_path
from kodebok.fileio import backup_dir as backup_dir


class OpenProject(Protocol):
    """What a backup needs of an open project (kodebok.store.project.Project has both);
    backup does not import the project module, which imports backup."""

    path: Path
    conn: sqlite3.Connection


KEEP_BACKUPS = 10
KEEP_DAILY_DAYS = 7
DAILY = "daily"
MANUAL = "manual"

_STAMP = "%Y%m%dT%H%M%S%f"
_NAME = re.compile(r"-(\d{8}T\d{12})-(.+)\.db$")


def backup_project(project: OpenProject, reason: str = MANUAL, keep: int = KEEP_BACKUPS) -> Path:
    """Write a consistent copy of the project (VACUUM INTO a temporary file, renamed into place
    when complete) and prune old backups of the same kind; returns its path."""
    folder = backup_dir(project.path)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    safe_reason = re.sub(r"[^A-Za-z0-9_.-]+", "-", reason)[:60]
    target = folder / f"{project.path.stem}-{now.strftime(_STAMP)}-{safe_reason}.db"
    with atomic_path(target) as tmp:
        try:
            project.conn.execute("VACUUM INTO ?", (str(tmp),))
        except sqlite3.OperationalError as exc:
            if is_locked_error(exc):
                raise ProjectLocked(
                    f"{project.path}: cannot back it up, another program holds it ({exc})",
                    code="backup.back_up_another_program",
                    project_path=project.path,
                    exc=str(exc),
                ) from exc
            raise ProjectCorrupt(
                f"{project.path}: cannot back it up ({exc})",
                code="backup.back_up",
                project_path=project.path,
                exc=str(exc),
            ) from exc
        except sqlite3.DatabaseError as exc:
            raise ProjectCorrupt(
                f"{project.path}: cannot back it up, it is damaged ({exc})",
                code="backup.back_up_damaged",
                project_path=project.path,
                exc=str(exc),
            ) from exc
    prune_backups(project.path, keep=keep, now=now)
    return target


def backup_kind(path: Path) -> str:
    """``daily``, ``manual`` or ``operation``, from a backup's file name."""
    match = _NAME.search(path.name)
    reason = match.group(2) if match else ""
    return reason if reason in (DAILY, MANUAL) else "operation"


def backup_time(path: Path) -> datetime | None:
    """When a backup was taken (UTC), from its file name."""
    match = _NAME.search(path.name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def backups_to_prune(
    backups: list[Path], *, keep: int = KEEP_BACKUPS, now: datetime | None = None
) -> list[Path]:
    """The backups the retention rules let go (``backups`` oldest first)."""
    now = now or datetime.now(UTC)
    prune: list[Path] = []
    kinds: dict[str, list[Path]] = {}
    for path in backups:
        kinds.setdefault(backup_kind(path), []).append(path)
    for kind, paths in kinds.items():
        if kind == DAILY:
            recent = now - timedelta(days=KEEP_DAILY_DAYS)
            for i, path in enumerate(paths):
                taken = backup_time(path)
                newest_few = i >= len(paths) - KEEP_DAILY_DAYS
                if not newest_few and taken is not None and taken < recent:
                    prune.append(path)
        elif keep > 0:
            prune.extend(paths[:-keep])
    return prune


def prune_backups(
    project_path: Path, *, keep: int = KEEP_BACKUPS, now: datetime | None = None
) -> list[Path]:
    """Remove the backups the retention rules let go; returns them."""
    gone = backups_to_prune(list_backups(project_path), keep=keep, now=now)
    for old in gone:
        old.unlink(missing_ok=True)
    return gone


def list_backups(project_path: Path, kind: str | None = None) -> list[Path]:
    """Existing backups of a project (only those of ``kind`` if given), oldest first."""
    found = sorted(
        backup_dir(project_path).glob(f"{project_path.stem}-*.db"),
        key=lambda p: (backup_time(p) or datetime.min.replace(tzinfo=UTC), p.name),
    )
    return [p for p in found if kind is None or backup_kind(p) == kind]


def database_problem(path: Path) -> str | None:
    """Why the file at ``path`` is not a sound kodebok project, or None if it is one.

    Read-only (the file is opened immutable: no journal, no WAL, no migration): SQLite's
    ``integrity_check`` and ``foreign_key_check``, kodebok's application id or meta table,
    a schema version this kodebok knows, and the core tables.
    """
    from urllib.parse import quote

    from kodebok.fileio import is_sqlite_file
    from kodebok.store.schema import APPLICATION_ID, SCHEMA_VERSION

    path = Path(path)
    if not path.is_file():
        return "no such file"
    if not is_sqlite_file(path):
        return "not an SQLite database"
    uri = "file:" + quote(str(path.resolve())) + "?immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        return f"cannot be opened ({exc})"
    try:
        check = [" ".join(str(r[0]).split()) for r in conn.execute("PRAGMA integrity_check(5)")]
        if check != ["ok"]:
            return "fails SQLite's integrity check (" + "; ".join(check)[:300] + ")"
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            return f"fails the foreign key check ({len(fk)} broken references, e.g. in {fk[0][0]})"
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master")}
        if app_id != APPLICATION_ID and "meta" not in tables:
            return "an SQLite database, but not a kodebok project"
        missing = {"meta", "documents", "segments", "codes", "codings"} - tables
        if missing:
            return "not a complete kodebok project (no table " + ", ".join(sorted(missing)) + ")"
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else 0
        if not 0 < version <= SCHEMA_VERSION:
            return f"schema version {version} unknown to this kodebok (it knows {SCHEMA_VERSION})"
    except sqlite3.DatabaseError as exc:
        return f"damaged ({exc})"
    finally:
        conn.close()
    return None


def ensure_not_in_use(path: Path, timeout: float = 2.0) -> None:
    """Raise ProjectLocked when another connection (a kodebok TUI, a running command, a
    sqlite3 shell) has the database at ``path`` open, so it must not be replaced under it.

    An exclusive lock in exclusive locking mode is only granted when no other connection holds
    the file; it is given back at once.
    """
    try:
        conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None)
    except sqlite3.Error:
        return  # not openable as a database: nobody can be using it as one
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if is_locked_error(exc):
            raise ProjectLocked(
                f"{path}: the project is open in another program (a kodebok window?); "
                "close it and try again",
                code="backup.project_open_another_program",
                path=path,
            ) from exc
    except sqlite3.DatabaseError:
        pass  # damaged: the restore replaces it
    finally:
        conn.close()


def backup_before(project_path: Path, at: str) -> Path | None:
    """The newest backup of a project written before the time ``at`` (ISO 8601), if any."""
    try:
        limit = datetime.fromisoformat(at).astimezone(UTC).replace(microsecond=0)
    except ValueError:
        return None
    found: Path | None = None
    for path in list_backups(project_path):
        when = backup_time(path)
        if when is not None and when.replace(microsecond=0) <= limit:
            found = path
    return found
