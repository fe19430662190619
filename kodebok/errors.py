"""Errors a researcher can see: every expected failure is a KodebokError with a clear message."""

from __future__ import annotations

import sqlite3

# SQLite's primary result codes for "another connection holds the lock" (extended codes such as
# SQLITE_BUSY_SNAPSHOT keep them in their low byte): https://sqlite.org/rescode.html
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


class KodebokError(Exception):
    """Base class of every user-facing failure; the CLI and TUI show its message without traceback.

    ``exit_code`` follows spec/cli.md: 2 for usage or input errors where nothing changed.
    """

    exit_code: int = 2

    def __init__(self, message: str, *, code: str = "", **params: object) -> None:
        """``message`` in English; ``code`` and ``params`` let the TUI say it in its language."""
        super().__init__(message)
        self.message = message
        self.code = code
        self.params = params

    def __str__(self) -> str:
        return self.message


class ProjectNotFound(KodebokError):
    """The project file does not exist."""


class ProjectLocked(KodebokError):
    """Another process holds the write lock on the project file for too long."""


class ProjectReadOnly(KodebokError):
    """The project file (or its folder) cannot be written; reading still works."""


class ProjectCorrupt(KodebokError):
    """The file is not a kodebok project, or is damaged."""


class DocumentReadError(KodebokError):
    """A file could not be read or imported (names the file and the problem)."""


class CodebookError(KodebokError):
    """A codebook file is malformed (names file, line and problem)."""


class UnknownItem(KodebokError):
    """A document, code, case, speaker or segment named by the user does not exist or is ambiguous."""


class AnalysisError(KodebokError):
    """An analysis cannot be computed from the given data (e.g. QCA with no cases)."""


class ExchangeError(KodebokError):
    """An exchange file (REFI-QDA, table) is malformed or unsafe."""


class OutputError(KodebokError):
    """A file cannot be written, or kodebok refuses to write it there (the project, a database)."""


def is_locked_error(exc: BaseException) -> bool:
    """Whether a sqlite3 error means "the project is locked or busy" (another writer holds it).

    The one place that decides it, for the store, the services, the CLI and the TUI: by SQLite's
    result code (SQLITE_BUSY, SQLITE_LOCKED and their extended codes), and by the message only
    for an error without a code (raised by Python code, not by SQLite).
    """
    if not isinstance(exc, sqlite3.Error):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text
