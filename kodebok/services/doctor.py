"""``kodebok doctor``: versions, NLP pipeline, schema version, integrity; and restoring backups."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kodebok import __version__
from kodebok.errors import (
    KodebokError,
    ProjectCorrupt,
    ProjectLocked,
    ProjectReadOnly,
    is_locked_error,
)
from kodebok.fileio import SIDE_SUFFIXES, atomic_path, backup_dir, is_sqlite_file
from kodebok.store import Project
from kodebok.store.backup import backup_project, database_problem, ensure_not_in_use
from kodebok.store.project import check_path
from kodebok.store.schema import SCHEMA_VERSION, VIEWS


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def diagnose(path: Path) -> dict[str, Any]:
    """A dictionary of facts about the installation and the project.

    ``report["problems"]`` lists what is wrong (integrity, segments without NLP features);
    ``kodebok doctor`` exits 1 when it is not empty.
    """
    report: dict[str, Any] = {
        "kodebok": __version__,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": _version("textual"),
        "spacy": _version("spacy"),
    }
    from kodebok.nlp.pipeline import describe_pipeline

    report["nlp_pipeline"] = describe_pipeline()
    report["project"] = str(path)
    problems: list[str] = []
    exists, _ = check_path(path)
    if not exists:
        report["project_status"] = "no project file"
        report["problems"] = problems
        return report
    try:
        project = Project.open(path)
    except ProjectCorrupt as exc:
        report["project_status"] = "damaged"
        problems.append(exc.message)
        report["problems"] = problems
        return report
    except ProjectReadOnly as exc:
        report["project_status"] = exc.message
        report["problems"] = problems
        return report
    try:
        report["schema_version"] = f"{project.schema_version()} (this kodebok: {SCHEMA_VERSION})"
        try:
            check = [
                " ".join(str(r[0]).split())
                for r in project.conn.execute("PRAGMA integrity_check(20)")
            ]
            fk = list(project.conn.execute("PRAGMA foreign_key_check"))
        except sqlite3.DatabaseError as exc:
            check, fk = [f"the check itself failed ({exc})"], []
        report["integrity"] = (
            "ok"
            if check == ["ok"] and not fk
            else "; ".join(
                ([] if check == ["ok"] else check)
                + [f"foreign key problem in {r[0]} (row {r[1]})" for r in fk[:20]]
            )
        )
        if report["integrity"] != "ok":
            problems.append(f"{path}: integrity check failed: {report['integrity']}")
        db = project.db  # sqlite-utils: the tables and views as the project file has them
        for table in ("documents", "segments", "codes", "codings", "cases", "memos"):
            report[table] = db[table].count
        views = set(db.view_names())
        report["views"] = ", ".join(v for v in VIEWS if v in views)
        missing_views = [v for v in VIEWS if v not in views]
        if missing_views:
            problems.append(
                f"{path}: the views {', '.join(missing_views)} are missing (schema "
                f"{SCHEMA_VERSION} has them; kodebok does not read them, sqlite-utils and "
                "Datasette users do); restore a backup (kodebok restore) to get them back"
            )
        missing = project.conn.execute(
            "SELECT d.name, COUNT(*) FROM segments s JOIN documents d ON d.id = s.document_id "
            "WHERE s.lemmas IS NULL GROUP BY d.id ORDER BY d.name"
        ).fetchall()
        count = sum(int(r[1]) for r in missing)
        report["missing_features"] = count
        if count:
            names = ", ".join(f"{r[0]} ({r[1]})" for r in missing[:5])
            more = f" and {len(missing) - 5} more documents" if len(missing) > 5 else ""
            problems.append(
                f"{count} segments have no NLP features (lemmas) in {names}{more}; "
                "'kodebok suggest' or 'kodebok themes' computes them"
            )
        report["size_bytes"] = path.stat().st_size
    except sqlite3.DatabaseError as exc:
        problems.append(f"{path}: the project file is damaged ({exc})")
    finally:
        project.close()
    report["problems"] = problems
    return report


@dataclass(frozen=True)
class RestoreResult:
    """What ``restore_backup`` did: the backup restored, where the replaced state went."""

    backup: Path
    saved: Path | None  # a backup (VACUUM INTO) of the replaced project
    damaged_copy: Path | None  # a byte copy of a replaced file that was not a sound project


def restore_backup(path: Path, backup: Path) -> RestoreResult:
    """Replace the project file with a backup, after checking the backup.

    The backup must pass SQLite's integrity check and be a kodebok project, else nothing is
    touched (KodebokError, exit 2). The current project is backed up first; when it is not a
    readable project any more, a byte copy of it is kept in the backup folder instead. The
    backup is copied to a temporary file beside the project and renamed into place.
    """
    path, backup = Path(path), Path(backup)
    problem = database_problem(backup)
    if problem is not None:
        raise KodebokError(f"{backup}: cannot restore it, {problem}; the project is unchanged")
    if path.is_dir():
        raise KodebokError(f"{path}: is a folder, not a project file; nothing restored")
    if path.exists() and os.path.samefile(path, backup):
        raise KodebokError(f"{backup}: is the project itself; nothing to restore")
    saved: Path | None = None
    damaged: Path | None = None
    if is_sqlite_file(path):
        ensure_not_in_use(path)
    if path.exists():
        # a locked project (ProjectLocked) or a full disk (OutputError) stops the restore here;
        # only a file that is not a readable project any more is replaced without a backup
        try:
            project = Project.open(path)
            try:
                saved = backup_project(project, reason="before-restore")
            finally:
                project.close()
        except ProjectCorrupt:
            damaged = _keep_damaged(path)
        except sqlite3.DatabaseError as exc:
            if is_locked_error(exc):
                raise ProjectLocked(f"{path}: the project is locked by another program") from exc
            damaged = _keep_damaged(path)
    for suffix in SIDE_SUFFIXES:  # a WAL of the old file must never be applied to the new one
        Path(str(path) + suffix).unlink(missing_ok=True)
    with atomic_path(path) as tmp:
        shutil.copyfile(backup, tmp)
    return RestoreResult(backup, saved, damaged)


def _keep_damaged(path: Path) -> Path:
    """Copy an unreadable project file (and its WAL, if any) into the backup folder."""
    folder = backup_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{path.stem}-{stamp}-replaced-by-restore.damaged"
    for suffix in ("", "-wal"):
        source = Path(str(path) + suffix)
        if source.exists():
            with atomic_path(Path(str(target) + suffix)) as tmp:
                shutil.copyfile(source, tmp)
    return target
