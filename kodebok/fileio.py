"""Writing files safely: one atomic writer and one check of output paths, for every layer.

Every file kodebok writes (exports, codebooks, backups, restored projects) goes through
:func:`atomic_write`, :func:`atomic_file` or :func:`atomic_path`: the content goes to a new,
uniquely named temporary file in the target's folder, is flushed to disk, and only then
renamed over the target (``os.replace``), so a crash or a full disk never leaves half a file
where a good one stood. On any error the temporary file is removed and the target is untouched.

:func:`check_output_path` refuses an output path that is a folder, the open project (or its
``-wal``/``-shm``/``-journal`` files), a file in its backup folder, a ``.kodebok`` file, or any
existing SQLite database: an export must never overwrite a project.

This module sits beside ``kodebok.errors`` at the bottom of the layers and imports nothing else
of kodebok's.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from kodebok.errors import OutputError

SQLITE_HEADER = b"SQLite format 3\x00"
# files SQLite keeps beside a database while it is open or after a crash
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
PROJECT_SUFFIX = ".kodebok"


def backup_dir(project_path: Path) -> Path:
    """Where backups of ``project_path`` live: a hidden folder beside it."""
    project_path = Path(project_path)
    return project_path.parent / f".{project_path.name}.backups"


def is_sqlite_file(path: Path) -> bool:
    """True when ``path`` is an existing file that starts with SQLite's header."""
    try:
        with Path(path).open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(Path(path).expanduser())).resolve(strict=False)


def _same_file(a: Path, b: Path) -> bool:
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def check_output_path(output: Path, project: Path | None = None) -> Path:
    """Return ``output`` if kodebok may write an export there; raise OutputError if not.

    Refused: a folder; the project ``project`` itself, its ``-wal``/``-shm``/``-journal``
    files or anything in its backup folder; a ``.kodebok`` file; any existing SQLite database
    (a project or a backup under another name) and the side files of one. Symlinks and
    relative paths are resolved before comparing.
    """
    output = Path(output)
    if output.is_dir():
        raise OutputError(
            f"{output}: is a folder; give the name of a file to write",
            code="file.folder_give_name_file",
            output=output,
        )
    if project is not None:
        project = Path(project)
        for suffix in ("", *SIDE_SUFFIXES):
            if _same_file(output, Path(str(project) + suffix)):
                what = "the open project" if not suffix else f"the open project's {suffix} file"
                raise OutputError(
                    f"{output}: is {what} ({project}); an export would destroy it. "
                    "Choose another output file",
                    code="file.open_project_side" if suffix else "file.open_project",
                    output=output,
                    suffix=suffix,
                    project=project,
                )
        folder = _resolved(backup_dir(project))
        if folder == _resolved(output).parent or folder in _resolved(output).parents:
            raise OutputError(
                f"{output}: is in the project's backup folder ({backup_dir(project)}); "
                "choose another output file",
                code="file.project_backup_folder_choose",
                output=output,
                backup_dir=backup_dir(project),
            )
    if is_sqlite_file(output):
        raise OutputError(
            f"{output}: is an SQLite database (a kodebok project or a backup?); kodebok does "
            "not overwrite a database with an export. Choose another output file",
            code="file.sqlite_database_kodebok_project",
            output=output,
        )
    if output.suffix.lower() == PROJECT_SUFFIX:
        raise OutputError(
            f"{output}: a {PROJECT_SUFFIX} file is a kodebok project; write the export to a "
            "file with the extension of its format (.csv, .xlsx, .md …)",
            code="file.file_kodebok_project_write",
            output=output,
            project_suffix=PROJECT_SUFFIX,
        )
    for suffix in SIDE_SUFFIXES:
        if output.name.endswith(suffix) and is_sqlite_file(
            output.with_name(output.name[: -len(suffix)])
        ):
            raise OutputError(
                f"{output}: belongs to the SQLite database beside it; choose another output file",
                code="file.belongs_sqlite_database_beside",
                output=output,
            )
    return output


def _problem(path: Path, exc: OSError) -> OutputError:
    parent = path.parent
    if not parent.exists():
        return OutputError(f"{path}: cannot write, the folder {parent} does not exist")
    reason = exc.strerror or str(exc)
    return OutputError(f"{path}: cannot write ({reason})")


def _new_temp(path: Path) -> Path:
    """Create an empty, uniquely named file beside ``path`` (mode 0666 less the umask)."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {path}")


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX; a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _finish(tmp: Path, path: Path) -> None:
    """Give ``tmp`` the mode of the file it replaces, then rename it into place durably."""
    with contextlib.suppress(OSError):
        os.chmod(tmp, path.stat().st_mode & 0o7777)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield the path of a new empty temporary file beside ``path`` for the caller to fill
    (``VACUUM INTO``, a copy, a new database); when the block ends without error the file is
    synced to disk and renamed to ``path``. On error it is removed and ``path`` is untouched.
    """
    path = Path(path)
    try:
        tmp = _new_temp(path)
    except OSError as exc:
        raise _problem(path, exc) from exc
    try:
        yield tmp
        _fsync_file(tmp)
        _finish(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise _problem(path, exc) from exc
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """Yield a binary file open for writing; its content replaces ``path`` when the block
    ends without error (flushed and synced first), and is thrown away otherwise."""
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        yield handle


def atomic_write(path: Path, data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Write ``data`` (text is encoded with ``encoding``) to ``path`` atomically."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    with atomic_file(path) as handle:
        handle.write(raw)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
    for suffix in SIDE_SUFFIXES:  # a database built in the temporary file
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink()
