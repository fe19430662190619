"""Opening a project file: connection settings, migrations, transactions and the journal."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlite_utils

from kodebok.errors import (
    KodebokError,
    ProjectCorrupt,
    ProjectLocked,
    ProjectNotFound,
    ProjectReadOnly,
    is_locked_error,
)
from kodebok.i18n import change_text, refusal_text
from kodebok.notes import Change
from kodebok.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

DEFAULT_BUSY_TIMEOUT = 5.0

# Tables whose rows the journal can restore; every one has an integer ``id`` primary key.
JOURNALED_TABLES = frozenset(
    {
        "codings",
        "codes",
        "memos",
        "presence_overrides",
        "attributes",
        "cases",
        "documents",
        "speakers",
        "segments",
        "suggestion_feedback",
        "persons",
        "refi_ids",
        "pseudonyms",  # the pseudonymisation map is journaled (services.privacy)
    }
)

# A coder's next operation to undo (the latest done) and to redo (the earliest undone).
_NEXT_TO_UNDO = "SELECT * FROM journal WHERE coder = ? AND state = 'done' ORDER BY id DESC LIMIT 1"
_NEXT_TO_REDO = "SELECT * FROM journal WHERE coder = ? AND state = 'undone' ORDER BY id ASC LIMIT 1"


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def is_read_only_error(exc: BaseException) -> bool:
    """True for SQLite's 'attempt to write a readonly database' (and its kin)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("readonly" in text or "read-only" in text)


def read_only_message(path: Path) -> str:
    """The message for a write refused because the project file or its folder is read-only."""
    return (
        f"{path}: the project is read-only (the file or its folder cannot be written); "
        "reading works, changes need write access (or work on a copy)"
    )


def busy_timeout_from_env() -> float:
    """``$KODEBOK_BUSY_TIMEOUT`` in seconds (default 5); KodebokError when it is not a number."""
    raw = os.environ.get("KODEBOK_BUSY_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        value = float("nan")
    if not (0 <= value <= 24 * 3600):  # also false for nan and inf
        raise KodebokError(
            f"KODEBOK_BUSY_TIMEOUT={raw[:40]!r} is not a number of seconds between 0 and 86400 "
            "(e.g. KODEBOK_BUSY_TIMEOUT=5); fix or unset the variable",
            code="project.kodebok_busy_timeout_number",
            raw=repr(raw[:40]),
        )
    return value


def check_path(path: Path) -> tuple[bool, bool]:
    """(exists, is_dir) of a project path, with a clear message for names the OS refuses."""
    try:
        return path.exists(), path.is_dir()
    except OSError as exc:
        import errno

        if exc.errno == errno.ENAMETOOLONG:
            raise KodebokError(
                f"{str(path)[:80]}…: the project file name is too long for the file system "
                f"({len(path.name)} characters in its name, {len(str(path))} in the path; "
                "most systems allow 255 per name)",
                code="project.project_file_name_too",
                path=str(path)[:80],
                n_path_name=len(path.name),
                n_path=len(str(path)),
            ) from exc
        raise KodebokError(
            f"{path}: cannot use this project path ({exc.strerror or exc})",
            code="project.use_project_path",
            path=path,
            value=exc.strerror or exc,
        ) from exc


def _writable(path: Path) -> bool:
    """Whether this process can write the project file and create files beside it (WAL)."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


@cache
def expected_tables(version: int) -> frozenset[str]:
    """The tables a project of schema ``version`` has (built once in memory from MIGRATIONS)."""
    conn = sqlite3.connect(":memory:")
    try:
        for step in range(version):
            for statement in _split_sql(MIGRATIONS[step]):
                conn.execute(statement)
        return frozenset(
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        )
    finally:
        conn.close()


@dataclass(frozen=True)
class JournalEntry:
    """One recorded operation: what it did, by whom, and whether it is undone."""

    id: int
    coder: str
    at: str
    op: str
    description: str
    state: str
    # the message code and parameters the front ends render in their language (``"op"`` is
    # the code); None for rows written before schema 4, which show their ``description``
    params: dict[str, Any] | None = None
    # how many rows of each counted kind an undo or redo moved (``change_counts``); empty when
    # the operation changed one row at most, or the entry comes from a listing
    counts: dict[str, int] = field(default_factory=dict)


class Project:
    """An open project file. One instance per thread: sqlite3 connections must not cross threads."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._depth = 0
        self._operation: Operation | None = None
        self.read_only = False

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> Project:
        """Create a new project file (the caller checks that it does not exist)."""
        path = Path(path)
        check_path(path)
        if path.parent and not path.parent.exists():
            raise KodebokError(
                f"{path}: the folder {path.parent} does not exist",
                code="project.folder_does_exist",
                path=path,
                path_parent=path.parent,
            )
        if not os.access(path.parent if str(path.parent) else Path("."), os.W_OK):
            raise ProjectReadOnly(
                f"{path}: cannot create the project, the folder {path.parent} is read-only",
                code="project.create_project_folder_read",
                path=path,
                path_parent=path.parent,
            )
        conn = cls._connect(path, DEFAULT_BUSY_TIMEOUT)
        project = cls(path, conn)
        project._migrate(new=True)
        return project

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float | None = None) -> Project:
        """Open an existing project, migrating its schema if it is older than this kodebok.

        A writer waits up to ``busy_timeout`` seconds (default ``$KODEBOK_BUSY_TIMEOUT`` or 5)
        for another writer to finish before giving up with ProjectLocked.
        """
        path = Path(path)
        if busy_timeout is None:
            busy_timeout = busy_timeout_from_env()
        exists, is_dir = check_path(path)
        if not exists:
            raise ProjectNotFound(
                f"{path}: no such project file (create one with 'kodebok init' "
                "or choose one with --project)",
                code="project.such_project_file_create",
                path=path,
            )
        if is_dir:
            raise ProjectCorrupt(
                f"{path}: is a folder, not a project file",
                code="project.folder_project_file",
                path=path,
            )
        try:
            with path.open("rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise ProjectCorrupt(
                f"{path}: cannot read the project ({exc.strerror or exc})",
                code="project.read_project",
                path=path,
                value=exc.strerror or exc,
            ) from exc
        if head and not head.startswith(b"SQLite format 3\x00"):
            raise ProjectCorrupt(
                f"{path}: not a kodebok project (not an SQLite database)",
                code="project.kodebok_project_sqlite_database",
                path=path,
            )
        read_only = not _writable(path)
        if read_only:
            conn = cls._connect_read_only(path, busy_timeout)
        else:
            conn = cls._connect(path, busy_timeout)
        project = cls(path, conn)
        project.read_only = read_only
        try:
            project._check_and_migrate()
        except BaseException:
            conn.close()
            raise
        return project

    def _check_and_migrate(self) -> None:
        """Refuse files that are not (or no longer) kodebok projects; migrate older ones."""
        path, conn = self.path, self.conn
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
        except sqlite3.DatabaseError as exc:
            raise ProjectCorrupt(
                f"{path}: the project file is damaged ({exc})",
                code="project.project_file_damaged",
                path=path,
                exc=str(exc),
            ) from exc
        if app_id != APPLICATION_ID and tables and "meta" not in tables:
            raise ProjectCorrupt(
                f"{path}: an SQLite database, but not a kodebok project",
                code="project.sqlite_database_but_kodebok",
                path=path,
            )
        if not tables:
            if self.read_only:
                raise ProjectReadOnly(
                    f"{path}: an empty project file that is read-only; it cannot be set up",
                    code="project.empty_project_file_read",
                    path=path,
                )
            self._migrate(new=True)
            return
        if "meta" not in tables:
            raise ProjectCorrupt(
                f"{path}: damaged kodebok project: its 'meta' table is missing, so its schema "
                "version is unknown; restore a backup (kodebok restore)",
                code="project.damaged_kodebok_project_meta",
                path=path,
            )
        version = self.schema_version()
        if version == 0:
            raise ProjectCorrupt(
                f"{path}: damaged kodebok project: the 'meta' table has no schema_version row; "
                "restore a backup (kodebok restore)",
                code="project.damaged_kodebok_project_meta_2",
                path=path,
            )
        if version <= SCHEMA_VERSION:
            missing = sorted(expected_tables(version) - tables)
            if missing:
                raise ProjectCorrupt(
                    f"{path}: damaged kodebok project: table{'s' if len(missing) > 1 else ''} "
                    + ", ".join(missing)
                    + f" missing (schema {version}); nothing was changed; restore a backup "
                    "(kodebok restore)",
                    code="project.tables_missing",
                    path=path,
                    tables=missing,
                    version=version,
                )
        if self.read_only and version < SCHEMA_VERSION:
            raise ProjectReadOnly(
                f"{path}: the project is read-only and was made by an older kodebok (schema "
                f"{version}, this one uses {SCHEMA_VERSION}); it must be upgraded once with "
                "write access",
                code="project.project_read_only_was",
                path=path,
                version=version,
                schema_version=SCHEMA_VERSION,
            )
        self._migrate(new=False)

    @staticmethod
    def _connect_read_only(path: Path, busy_timeout: float) -> sqlite3.Connection:
        """Open a project that cannot be written: ``immutable=1`` or ``mode=ro``.

        Without a -wal file beside it no writer has the project open, and ``immutable=1`` reads
        it without creating -shm/-wal files (which would be left behind, owned by this user).
        With a -wal file its content must be read too, which ``mode=ro`` does (SQLite needs the
        -shm file for that; in a read-only folder it falls back to reading the file alone).
        """
        uri = path.resolve().as_uri()
        last: sqlite3.Error | None = None
        wal = path.with_name(path.name + "-wal")
        order = ("mode=ro", "immutable=1") if wal.exists() else ("immutable=1", "mode=ro")
        for flags in order:
            conn: sqlite3.Connection | None = None
            try:
                conn = sqlite3.connect(
                    f"{uri}?{flags}", uri=True, timeout=busy_timeout, isolation_level=None
                )
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                if conn is not None:
                    conn.close()
                if is_locked_error(exc):
                    raise ProjectLocked(
                        f"{path}: the project is locked by another program (another kodebok?); "
                        "try again when it has finished",
                        code="project.project_locked_another_program",
                        path=path,
                    ) from exc
                last = exc
            except sqlite3.DatabaseError as exc:
                if conn is not None:
                    conn.close()
                raise ProjectCorrupt(
                    f"{path}: the project file is damaged ({exc})",
                    code="project.project_file_damaged",
                    path=path,
                    exc=str(exc),
                ) from exc
        raise ProjectReadOnly(
            f"{path}: the project is read-only and cannot be opened ({last})",
            code="project.project_read_only_opened",
            path=path,
            last=str(last),
        )

    @staticmethod
    def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
        try:
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer takes the
            # lock up front instead of failing half way through an operation.
            conn = sqlite3.connect(
                str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=True
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ProjectLocked(
                    f"{path}: could not switch the project to WAL mode ({mode})",
                    code="project.could_switch_project_wal",
                    path=path,
                    mode=mode,
                )
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.OperationalError as exc:
            if is_locked_error(exc):
                raise ProjectLocked(
                    f"{path}: the project is locked by another program (another kodebok?); "
                    "try again when it has finished",
                    code="project.project_locked_another_program",
                    path=path,
                ) from exc
            raise ProjectCorrupt(
                f"{path}: cannot open the project ({exc})",
                code="project.open_project",
                path=path,
                exc=str(exc),
            ) from exc
        except sqlite3.DatabaseError as exc:
            raise ProjectCorrupt(
                f"{path}: the project file is damaged ({exc})",
                code="project.project_file_damaged",
                path=path,
                exc=str(exc),
            ) from exc
        return conn

    def _migrate(self, *, new: bool) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise ProjectCorrupt(
                f"{self.path}: made by a newer kodebok (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade kodebok",
                code="project.made_newer_kodebok_schema",
                path=self.path,
                version=version,
                schema_version=SCHEMA_VERSION,
            )
        if version == SCHEMA_VERSION:
            return
        backup: Path | None = None
        if not new:
            from kodebok.store.backup import backup_project

            try:
                backup = backup_project(
                    self, reason=f"before-migration-{version}-to-{SCHEMA_VERSION}"
                )
            except (OSError, sqlite3.Error) as exc:
                raise KodebokError(
                    f"{self.path}: the project needs an upgrade (schema {version} to "
                    f"{SCHEMA_VERSION}), but the backup before it could not be written ({exc}); "
                    "nothing was changed",
                    code="project.project_needs_upgrade_schema",
                    path=self.path,
                    version=version,
                    schema_version=SCHEMA_VERSION,
                    exc=str(exc),
                ) from exc
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _split_sql(MIGRATIONS[step]):
                    try:
                        self.conn.execute(statement)
                    except sqlite3.OperationalError as exc:
                        if is_locked_error(exc) or is_read_only_error(exc):
                            raise
                        done = (
                            "nothing was changed"
                            if step == version
                            else f"the file is now at schema {step}"
                        )
                        saved = f"; the backup from before is {backup}" if backup else ""
                        raise ProjectCorrupt(
                            f"{self.path}: damaged kodebok project: upgrading it from schema "
                            f"{step} to {step + 1} failed ({exc}), so its tables do not match "
                            f"its recorded schema version; {done}{saved}",
                            code="project.damaged_kodebok_project_upgrading",
                            path=self.path,
                            step=step,
                            value=step + 1,
                            exc=str(exc),
                            done=done,
                            saved=saved,
                        ) from exc
                if step == 0:
                    self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self.conn.execute(
                        "INSERT INTO meta(key, value) VALUES ('created_at', ?)", (now_iso(),)
                    )
                self.conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                    (str(step + 1),),
                )

    def schema_version(self) -> int:
        """The schema version recorded in the file (0 for an empty database)."""
        try:
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.OperationalError:
            return 0
        if not row:
            return 0
        text = str(row[0]).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise ProjectCorrupt(
                f"{self.path}: damaged kodebok project: meta.schema_version is {text[:40]!r}, "
                "not a schema number; restore a backup (kodebok restore)",
                code="project.damaged_kodebok_project_meta_3",
                path=self.path,
                text=repr(text[:40]),
            )
        return int(text)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE); nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        if self.read_only:
            raise ProjectReadOnly(
                read_only_message(self.path), code="project.read_only", path=self.path
            )
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_read_only_error(exc):
                raise ProjectReadOnly(
                    read_only_message(self.path), code="project.read_only", path=self.path
                ) from exc
            if is_locked_error(exc):
                raise ProjectLocked(
                    f"{self.path}: the project is locked by another program writing to it "
                    "(another kodebok?); try again when it has finished",
                    code="project.project_locked_another_program_2",
                    path=self.path,
                ) from exc
            raise
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._depth = 0
            self.conn.execute("ROLLBACK")
            raise
        else:
            self._depth = 0
            try:
                self.conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self.conn.execute("ROLLBACK")
                if is_read_only_error(exc):
                    raise ProjectReadOnly(
                        read_only_message(self.path), code="project.read_only", path=self.path
                    ) from exc
                if is_locked_error(exc):
                    raise ProjectLocked(
                        f"{self.path}: the project is locked ({exc})",
                        code="project.project_locked",
                        path=self.path,
                        exc=str(exc),
                    ) from exc
                raise

    @contextmanager
    def operation(
        self, coder: str, op: str, description: str | Change, *, capture: bool = False
    ) -> Iterator[Operation]:
        """A journaled write: every change made through the yielded Operation can be undone.

        ``description`` says what the operation does: a :class:`kodebok.notes.Change` (a
        message code and its parameters, stored language-neutrally in ``journal.params`` and
        rendered by the CLI and TUI in their language; ``journal.description`` gets the English
        text for people reading the file with sqlite3), or plain text, shown as it is.

        With ``capture``, every row change in a journaled table is recorded, however it is
        made (plain SQL, helpers that know nothing of the journal, foreign-key cascades), so
        that bulk operations such as imports and merges are undone whole. A nested call joins
        the outer operation (switching it to capturing from then on when asked).
        """
        if self._operation is not None:
            if capture:
                self._operation.start_capture()
            yield self._operation
            return
        with self.transaction():
            operation = Operation(self)
            self._operation = operation
            try:
                if capture:
                    operation.start_capture()
                yield operation
                operation.stop_capture()
            finally:
                self._operation = None
                if operation.capturing:  # the body failed: the rollback drops the triggers
                    operation.capturing = False
            if operation.changes:
                self.conn.execute(
                    "UPDATE journal SET state = 'dropped' WHERE coder = ? AND state = 'undone'",
                    (coder,),
                )
                params = None
                text = description
                if isinstance(description, Change):
                    params = json.dumps(description.as_json(), ensure_ascii=False)
                    text = change_text(description.as_json(), "en")
                self.conn.execute(
                    "INSERT INTO journal(coder, at, op, description, changes, params) "
                    "VALUES (?,?,?,?,?,?)",
                    (
                        coder,
                        now_iso(),
                        op,
                        text,
                        json.dumps(operation.changes, ensure_ascii=False),
                        params,
                    ),
                )

    # -- settings ------------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A project setting (e.g. UI language), or ``default``."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a project setting."""
        with self.transaction():
            self.conn.execute(
                "INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value)
            )

    # -- undo / redo ---------------------------------------------------------------------

    def undo(self, coder: str) -> JournalEntry | None:
        """Undo this coder's most recent operation; None when there is nothing to undo.

        The whole operation is undone in one transaction, or nothing is: when a later change
        (by anyone) touched a row the operation wrote, or depends on one it added, undo
        refuses with a KodebokError naming the row and the way out.
        """
        return self._step(coder, undo=True)

    def redo(self, coder: str) -> JournalEntry | None:
        """Redo the operation this coder undid last; None when there is nothing to redo."""
        return self._step(coder, undo=False)

    def _step(self, coder: str, *, undo: bool) -> JournalEntry | None:
        """Undo the coder's latest done operation, or redo its earliest undone one, in one
        transaction: undo writes each change's ``before`` back, last change first; redo writes
        each ``after`` again, in order."""
        with self.transaction():
            row = self.conn.execute(_NEXT_TO_UNDO if undo else _NEXT_TO_REDO, (coder,)).fetchone()
            if row is None:
                return None
            changes = json.loads(row["changes"])
            old, new = ("after", "before") if undo else ("before", "after")
            moves = [
                (c["table"], c.get(old), c.get(new), c.get("document_sha"))
                for c in (reversed(changes) if undo else changes)
            ]
            self._replay(row, moves, undo=undo)
            state = "undone" if undo else "done"
            self.conn.execute("UPDATE journal SET state = ? WHERE id = ?", (state, row["id"]))
        return _entry(row, state, changes)

    def _replay(
        self,
        entry: sqlite3.Row,
        moves: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, str | None]],
        *,
        undo: bool,
    ) -> None:
        """Move rows from their recorded state to the other one, checking every step.

        Each row must be exactly as the journal left it; the statements run with capture on,
        so a side effect the journal does not know of (a cascade deleting a later coding, a
        reference set to NULL) is caught too. Either way the caller's transaction rolls back.
        """
        capture = _Capture(self.conn)
        capture.start()
        try:
            for table, current, target, document_sha in moves:
                ref = current if current is not None else target
                if ref is None:
                    continue
                if document_sha is not None:
                    self._check_document_unrevised(table, ref, document_sha, entry, undo)
                self._apply(table, _decode(current), _decode(target), entry, undo=undo)
                for other, before, _after in capture.collect():
                    if before is None or (other, before["id"]) == (table, ref["id"]):
                        continue  # the row itself (an insert is always the row itself)
                    self._refuse(
                        entry,
                        undo,
                        "depends",
                        item=_item(self.conn, other, before),
                        other=_item(self.conn, table, ref),
                    )
        finally:
            capture.stop()

    def _apply(
        self,
        table: str,
        current: dict[str, Any] | None,
        target: dict[str, Any] | None,
        entry: sqlite3.Row,
        *,
        undo: bool = True,
    ) -> None:
        """Move one row from ``current`` to ``target`` (None = absent), after checking it."""
        if table not in JOURNALED_TABLES:
            raise ProjectCorrupt(
                f"{self.path}: journal entry {entry['id']} names table {table}",
                code="project.journal_entry_names_table",
                path=self.path,
                entry=entry["id"],
                table=table,
            )
        ref = current if current is not None else target
        assert ref is not None
        found = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (ref["id"],)).fetchone()
        if current is None and found is not None:
            self._refuse(entry, undo, "added", item=_item(self.conn, table, dict(found)))
        if current is not None:
            if found is None:
                self._refuse(entry, undo, "removed", item=_item(self.conn, table, current))
            changed = _differs(table, dict(found), current)
            if changed:
                self._refuse(
                    entry,
                    undo,
                    "changed",
                    item=_item(self.conn, table, dict(found)),
                    columns=changed,
                )
        if target is None and undo:  # a redo deletes only what the operation itself deleted
            self._check_unreferenced(table, ref, entry, undo)
        try:
            if target is None:
                self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (ref["id"],))
            elif current is None:
                cols = list(target)
                quoted = ", ".join(f'"{c}"' for c in cols)
                marks = ", ".join("?" for _ in cols)
                self.conn.execute(
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})", [target[c] for c in cols]
                )
            else:
                # an UPDATE, never INSERT OR REPLACE: a replace deletes the row first, and the
                # foreign keys' ON DELETE CASCADE would take its codings with it
                cols = [c for c in target if c != "id"]
                sets = ", ".join(f'"{c}" = ?' for c in cols)
                self.conn.execute(
                    f"UPDATE {table} SET {sets} WHERE id = ?",
                    [*(target[c] for c in cols), ref["id"]],
                )
        except sqlite3.IntegrityError as exc:
            self._refuse(entry, undo, "not_allowed", detail=str(exc))

    def _check_document_unrevised(
        self, table: str, row: dict[str, Any], document_sha: str, entry: sqlite3.Row, undo: bool
    ) -> None:
        """Refuse to move a coding whose document was revised (``import --update``) since.

        Its recorded offsets point into the old text: put back, it would cover other words.
        """
        doc = self.conn.execute(
            "SELECT sha256, name FROM documents WHERE id = ?", (row.get("document_id"),)
        ).fetchone()
        if doc is not None and doc[0] != document_sha:
            self._refuse(entry, undo, "revised", item=_item(self.conn, table, row), doc=str(doc[1]))

    def _check_unreferenced(
        self, table: str, row: dict[str, Any], entry: sqlite3.Row, undo: bool
    ) -> None:
        """Refuse to delete a row that an attribute or memo still names.

        Attributes and memos name their case, document, code … by kind and id, without a
        foreign key, so no cascade would show them; the operation's own ones are gone by now
        (they were written after what they describe, and are undone before it).
        """
        kind = _REFERENCED.get(table)
        if kind is None:
            return
        checks = [
            ("attributes", "entity_kind = ? AND entity_id = ?"),
            ("memos", "target_kind = ? AND target_id = ?"),
        ]
        for other, where in checks:
            found = self.conn.execute(
                f"SELECT * FROM {other} WHERE {where} LIMIT 1", (kind, row["id"])
            ).fetchone()
            if found is not None:
                self._refuse(
                    entry,
                    undo,
                    "depends",
                    item=_item(self.conn, other, dict(found)),
                    other=_item(self.conn, table, row),
                )

    def _refuse(self, entry: sqlite3.Row, undo: bool, reason: str, **details: Any) -> None:
        """Stop an undo or redo: nothing of it is applied (the transaction rolls back).

        The error carries code ``journal.refused`` with the operation, the reason (added,
        removed, changed, depends, revised, not_allowed) and the rows it names as data, so the
        TUI says it in its language (:func:`kodebok.i18n.refusal_text`); its message is English.
        """
        from kodebok.store.backup import backup_before

        backup = backup_before(self.path, entry["at"]) if undo else None
        params: dict[str, Any] = {
            "undo": undo,
            "what": _params(entry),
            "description": str(entry["description"]),
            "reason": reason,
            "backup": str(backup) if backup is not None else None,
            **details,
        }
        raise KodebokError(refusal_text(params, "en"), code="journal.refused", **params)

    def journal(self, coder: str | None = None, limit: int = 50) -> list[JournalEntry]:
        """The most recent journal entries, newest first (all coders when coder is None)."""
        sql = "SELECT * FROM journal"
        params: list[Any] = []
        if coder is not None:
            sql += " WHERE coder = ?"
            params.append(coder)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [_entry(r, r["state"]) for r in self.conn.execute(sql, params)]


def _entry(
    row: sqlite3.Row, state: str, changes: list[dict[str, Any]] | None = None
) -> JournalEntry:
    """A journal row; with its ``changes``, the entry counts how much it changed."""
    return JournalEntry(
        row["id"],
        row["coder"],
        row["at"],
        row["op"],
        row["description"],
        state,
        _params(row),
        change_counts(changes) if changes is not None else {},
    )


def _params(row: sqlite3.Row) -> dict[str, Any] | None:
    """The row's message parameters; None for old rows (and unreadable ones: their text stays)."""
    raw = row["params"]
    if not raw:
        return None
    try:
        params = json.loads(raw)
    except ValueError:
        return None
    return params if isinstance(params, dict) and isinstance(params.get("op"), str) else None


# the kinds of rows an undo or redo message counts, in this order
COUNTED_TABLES = ("documents", "cases", "codes", "codings", "memos")


def change_counts(changes: list[dict[str, Any]]) -> dict[str, int]:
    """How much an operation changed: distinct rows per counted table (``COUNTED_TABLES``).

    Empty for an operation that changed one row at most (its description says all there is);
    the front ends say it in their language ("17 dokumenter, 724 kodinger").
    """
    rows: dict[str, set[Any]] = {}
    for change in changes:
        ref = change.get("after") or change.get("before") or {}
        rows.setdefault(change.get("table", ""), set()).add(ref.get("id"))
    if sum(len(ids) for ids in rows.values()) <= 1:
        return {}
    return {table: len(rows[table]) for table in COUNTED_TABLES if rows.get(table)}


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies (BEGIN ... END;) whole."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


class Operation:
    """Records row changes made inside ``Project.operation`` so that they can be undone."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.conn = project.conn
        self.changes: list[dict[str, Any]] = []
        self.capturing = False
        self._capture = _Capture(project.conn)

    def start_capture(self) -> None:
        """From now on record every row change in the journaled tables, however it is made."""
        if not self.capturing:
            self._capture.start()
            self.capturing = True

    def stop_capture(self) -> None:
        """Add the captured changes to this operation's record and stop capturing."""
        if self.capturing:
            self.changes.extend(
                {"table": table, "before": before, "after": after}
                for table, before, after in self._capture.collect()
            )
            self._capture.stop()
            self.capturing = False

    def _record(self, table: str, before: Any, after: Any) -> None:
        """Keep a change; a coding's carries the hash of its document's text at this moment,
        so that undo and redo can tell when the document was revised in between."""
        if self.capturing:  # when capturing, the triggers record it
            return
        change: dict[str, Any] = {"table": table, "before": before, "after": after}
        row = after or before
        if table == "codings" and row is not None:
            sha = self.conn.execute(
                "SELECT sha256 FROM documents WHERE id = ?", (row["document_id"],)
            ).fetchone()
            if sha is not None:
                change["document_sha"] = sha[0]
        self.changes.append(change)

    def _row(self, table: str, row_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return dict(row) if row is not None else None

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert a row and record it; returns its id."""
        cols = list(values)
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({quoted}) VALUES ({marks})", [values[c] for c in cols]
        )
        row_id = int(cur.lastrowid or 0)
        if not self.capturing:
            self._record(table, None, self._row(table, row_id))
        return row_id

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        """Update one row by id and record its before and after."""
        before = self._row(table, row_id)
        if before is None:
            return
        sets = ", ".join(f'"{c}" = ?' for c in values)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*values.values(), row_id])
        if not self.capturing:
            self._record(table, before, self._row(table, row_id))

    def delete(self, table: str, row_id: int) -> bool:
        """Delete one row by id and record it; False when it did not exist."""
        before = self._row(table, row_id)
        if before is None:
            return False
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        self._record(table, before, None)
        return True

    def delete_where(self, table: str, where: str, params: tuple[Any, ...] = ()) -> int:
        """Delete the rows matching ``where`` and record each; returns how many."""
        rows = [dict(r) for r in self.conn.execute(f"SELECT * FROM {table} WHERE {where}", params)]
        for row in rows:
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))
            self._record(table, row, None)
        return len(rows)


_CAPTURE = "kodebok_capture"
_STATE = "kodebok_capture_state"


def _json_row(columns: list[str], ref: str) -> str:
    """SQL for a row as a JSON object; REAL values as {"real": "%.17g"} so they stay exact."""
    parts = []
    for c in columns:
        col = f'{ref}."{c}"'
        parts.append(
            f"'{c}', CASE WHEN typeof({col}) = 'real' "
            f"THEN json_object('real', printf('%!.17g', {col})) ELSE {col} END"
        )
    return "json_object(" + ", ".join(parts) + ")"


class _Capture:
    """Temporary triggers that log every row change of the journaled tables (this connection).

    They live in the ``temp`` schema: other connections never see them. They are made once per
    connection and switched on and off through a one-row temp table (its WHEN clause), because
    creating and dropping triggers changes the schema and makes SQLite prepare every statement
    again: per imported file that cost more than the import itself. A rollback of the
    transaction that made them removes them (they are made again), and a rollback of a capture
    switches it off again.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _installed(self) -> bool:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM temp.sqlite_master WHERE type = 'trigger' AND name GLOB ?",
            (f"{_CAPTURE}_*",),
        ).fetchone()
        return int(row[0]) == 3 * len(JOURNALED_TABLES)

    def _install(self) -> None:
        conn = self.conn
        conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_CAPTURE} "
            "(seq INTEGER PRIMARY KEY, tbl TEXT NOT NULL, before TEXT, after TEXT)"
        )
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STATE} (active INTEGER NOT NULL)")
        if conn.execute(f"SELECT COUNT(*) FROM temp.{_STATE}").fetchone()[0] == 0:
            conn.execute(f"INSERT INTO temp.{_STATE}(active) VALUES (0)")
        for table in sorted(JOURNALED_TABLES):
            cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
            for event, before, after in (
                ("insert", "NULL", _json_row(cols, "NEW")),
                ("update", _json_row(cols, "OLD"), _json_row(cols, "NEW")),
                ("delete", _json_row(cols, "OLD"), "NULL"),
            ):
                conn.execute(
                    f"CREATE TEMP TRIGGER IF NOT EXISTS {_CAPTURE}_{table}_{event} "
                    f"AFTER {event.upper()} ON main.{table} "
                    f"WHEN (SELECT active FROM temp.{_STATE}) BEGIN "
                    f"INSERT INTO {_CAPTURE}(tbl, before, after) "
                    f"VALUES ('{table}', {before}, {after}); END"
                )

    def start(self) -> None:
        if not self._installed():
            self._install()
        self.conn.execute(f"DELETE FROM temp.{_CAPTURE}")
        self.conn.execute(f"UPDATE temp.{_STATE} SET active = 1")

    def collect(self) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
        """The changes logged so far, in order (and the log emptied)."""
        rows = self.conn.execute(
            f"SELECT tbl, before, after FROM temp.{_CAPTURE} ORDER BY seq"
        ).fetchall()
        self.conn.execute(f"DELETE FROM temp.{_CAPTURE}")
        return [
            (
                str(r[0]),
                _decode(json.loads(r[1])) if r[1] is not None else None,
                _decode(json.loads(r[2])) if r[2] is not None else None,
            )
            for r in rows
        ]

    def stop(self) -> None:
        if self._installed():
            self.conn.execute(f"UPDATE temp.{_STATE} SET active = 0")
            self.conn.execute(f"DELETE FROM temp.{_CAPTURE}")


def _decode(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A journaled row with exact REAL values ({"real": "1.5"} → 1.5)."""
    if row is None:
        return None
    return {
        k: float(v["real"]) if isinstance(v, dict) and "real" in v else v for k, v in row.items()
    }


# Derived columns that are recomputed outside the journal (the NLP pass writes lemmas).
_DERIVED = {"segments": {"lemmas"}}


def _differs(table: str, found: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """Columns in which a row differs from its journaled state (derived columns aside)."""
    skip = _DERIVED.get(table, set())
    return [k for k, v in expected.items() if k in found and k not in skip and found[k] != v]


# Tables whose rows attributes (entity_kind) or memos (target_kind) name by kind and id.
_REFERENCED = {
    "documents": "document",
    "cases": "case",
    "speakers": "speaker",
    "persons": "person",
    "codes": "code",
    "codings": "coding",
    "segments": "segment",
}

_NAMED = {
    "documents": ("document", "name"),
    "codes": ("code", "name"),
    "cases": ("case", "name"),
    "persons": ("person", "name"),
    "speakers": ("speaker", "label"),
    "attributes": ("attribute", "name"),
}


def _name_of(conn: sqlite3.Connection, table: str, row_id: Any) -> str | None:
    """The name of a document or code by id, when it is (still) there."""
    if row_id is None:
        return None
    row = conn.execute(f"SELECT name FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return str(row[0]) if row else None


def _item(conn: sqlite3.Connection, table: str, row: dict[str, Any] | None) -> dict[str, Any]:
    """A row as a message names it, as data (``kodebok.i18n.item_text`` says it)."""
    row = row or {}
    if table in _NAMED:
        kind, key = _NAMED[table]
        return {"kind": kind, "name": row.get(key), "id": row.get("id")}
    document = _name_of(conn, "documents", row.get("document_id"))
    if table == "codings":
        code = _name_of(conn, "codes", row.get("code_id"))
        return {
            "kind": "coding",
            "coder": row.get("coder"),
            "code": code,
            "doc": document,
            "id": row.get("id"),
        }
    if table == "segments":
        idx = row.get("idx")
        number = idx + 1 if isinstance(idx, int) else "?"
        return {"kind": "segment", "number": number, "doc": document}
    if table == "memos":
        return {"kind": "memo", "author": row.get("author"), "id": row.get("id")}
    if table == "presence_overrides":
        return {"kind": "presence", "author": row.get("author"), "id": row.get("id")}
    return {"kind": "row", "table": table, "id": row.get("id")}


def wait_for_unlock(path: Path, seconds: float) -> bool:
    """Poll until a write lock on ``path`` can be taken; True when it could within ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            conn = sqlite3.connect(str(path), timeout=0.1, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                return True
            finally:
                conn.close()
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
