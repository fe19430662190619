"""``kodebok doctor``: versions, NLP pipeline, schema version, integrity; and restoring backups."""

from __future__ import annotations

import importlib.metadata
import platform
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from kodebok import __version__
from kodebok.errors import KodebokError, ProjectCorrupt, ProjectReadOnly
from kodebok.store import Project
from kodebok.store.backup import backup_project
from kodebok.store.project import check_path
from kodebok.store.schema import SCHEMA_VERSION


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def diagnose(path: Path) -> dict[str, Any]:
    """A dictionary of facts about the installation and the project."""
    report: dict[str, Any] = {
        "kodebok": __version__,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": _version("textual"),
        "spacy": _version("spacy"),
    }
    try:
        from kodebok.nlp.pipeline import describe_pipeline  # type: ignore[import-not-found,import-untyped,unused-ignore,attr-defined]

        report["nlp_pipeline"] = describe_pipeline()
    except ModuleNotFoundError:
        report["nlp_pipeline"] = "not available (kodebok.nlp missing)"
    report["project"] = str(path)
    exists, _ = check_path(path)
    if not exists:
        report["project_status"] = "no project file"
        return report
    try:
        project = Project.open(path)
    except (ProjectCorrupt, ProjectReadOnly) as exc:
        report["project_status"] = exc.message
        return report
    try:
        report["schema_version"] = f"{project.schema_version()} (this kodebok: {SCHEMA_VERSION})"
        check = [r[0] for r in project.conn.execute("PRAGMA integrity_check")]
        fk = list(project.conn.execute("PRAGMA foreign_key_check"))
        report["integrity"] = (
            "ok"
            if check == ["ok"] and not fk
            else "; ".join(check + [f"foreign key problem in {r[0]}" for r in fk])
        )
        for table in ("documents", "segments", "codes", "codings", "cases", "memos"):
            report[table] = project.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        report["size_bytes"] = path.stat().st_size
    finally:
        project.close()
    return report


def _copy_damaged(path: Path) -> Path:
    """Copy a project file that cannot be opened into its backup folder, byte for byte."""
    from datetime import UTC, datetime

    from kodebok.store.backup import backup_dir

    folder = backup_dir(path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = folder / f"{path.stem}-{stamp}-damaged-before-restore.db"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    except OSError as exc:
        raise KodebokError(
            f"{path}: cannot keep a copy of the damaged project before restoring ({exc}); "
            "nothing was changed"
        ) from exc
    return target


def restore_backup(path: Path, backup: Path) -> Path:
    """Replace the project file with a backup; returns the backup of the state replaced."""
    try:
        candidate = Project.open(backup)
    except KodebokError as exc:
        raise KodebokError(f"{backup}: not a usable kodebok backup ({exc.message})") from exc
    candidate.close()
    saved = backup
    if path.exists():
        try:
            project = Project.open(path)
        except ProjectCorrupt:
            # too damaged to open (e.g. its meta table is gone): keep its bytes as they are
            saved = _copy_damaged(path)
        else:
            try:
                saved = backup_project(project, reason="before-restore")
            finally:
                project.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    tmp = path.with_name(path.name + ".restoring")
    shutil.copyfile(backup, tmp)
    tmp.replace(path)
    return saved
