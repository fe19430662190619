"""Opening a project file: connection settings, migrations, transactions and the journal."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from kodebok.errors import KodebokError, ProjectCorrupt, ProjectLocked, ProjectNotFound
from kodebok.store.schema import MIGRATIONS, SCHEMA_VERSION

APPLICATION_ID = (
    0x6B6F6462  # "kodb": lets `file` and kodebok tell a project from other SQLite files
)
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
    }
)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


@dataclass(frozen=True)
class JournalEntry:
    """One recorded operation: what it did, by whom, and whether it is undone."""

    id: int
    coder: str
    at: str
    op: str
    description: str
    state: str


class Project:
    """An open project file. One instance per thread: sqlite3 connections must not cross threads."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._depth = 0
        self._operation: Operation | None = None

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path) -> Project:
        """Create a new project file (the caller checks that it does not exist)."""
        path = Path(path)
        if path.parent and not path.parent.exists():
            raise KodebokError(f"{path}: the folder {path.parent} does not exist")
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
            busy_timeout = float(os.environ.get("KODEBOK_BUSY_TIMEOUT") or DEFAULT_BUSY_TIMEOUT)
        if not path.exists():
            raise ProjectNotFound(
                f"{path}: no such project file (create one with 'kodebok init' "
                "or choose one with --project)"
            )
        if path.is_dir():
            raise ProjectCorrupt(f"{path}: is a folder, not a project file")
        with path.open("rb") as fh:
            head = fh.read(16)
        if head and not head.startswith(b"SQLite format 3\x00"):
            raise ProjectCorrupt(f"{path}: not a kodebok project (not an SQLite database)")
        conn = cls._connect(path, busy_timeout)
        project = cls(path, conn)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ProjectCorrupt(f"{path}: the project file is damaged ({exc})") from exc
        if app_id != APPLICATION_ID and tables and "meta" not in tables:
            conn.close()
            raise ProjectCorrupt(f"{path}: an SQLite database, but not a kodebok project")
        project._migrate(new=not tables)
        return project

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
                raise ProjectLocked(f"{path}: could not switch the project to WAL mode ({mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise ProjectLocked(
                    f"{path}: the project is locked by another program (another kodebok?); "
                    "try again when it has finished"
                ) from exc
            raise ProjectCorrupt(f"{path}: cannot open the project ({exc})") from exc
        except sqlite3.DatabaseError as exc:
            raise ProjectCorrupt(f"{path}: the project file is damaged ({exc})") from exc
        return conn

    def _migrate(self, *, new: bool) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise ProjectCorrupt(
                f"{self.path}: made by a newer kodebok (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade kodebok"
            )
        if version == SCHEMA_VERSION:
            return
        if not new:
            from kodebok.store.backup import backup_project

            backup_project(self, reason=f"before-migration-{version}-to-{SCHEMA_VERSION}")
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _split_sql(MIGRATIONS[step]):
                    self.conn.execute(statement)
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
        return int(row[0]) if row else 0

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
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise ProjectLocked(
                    f"{self.path}: the project is locked by another program writing to it "
                    "(another kodebok?); try again when it has finished"
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
                if _is_locked(exc):
                    raise ProjectLocked(f"{self.path}: the project is locked ({exc})") from exc
                raise

    @contextmanager
    def operation(self, coder: str, op: str, description: str) -> Iterator[Operation]:
        """A journaled write: every change made through the yielded Operation can be undone."""
        if self._operation is not None:
            yield self._operation
            return
        with self.transaction():
            operation = Operation(self)
            self._operation = operation
            try:
                yield operation
            finally:
                self._operation = None
            if operation.changes:
                self.conn.execute(
                    "UPDATE journal SET state = 'dropped' WHERE coder = ? AND state = 'undone'",
                    (coder,),
                )
                self.conn.execute(
                    "INSERT INTO journal(coder, at, op, description, changes) VALUES (?,?,?,?,?)",
                    (
                        coder,
                        now_iso(),
                        op,
                        description,
                        json.dumps(operation.changes, ensure_ascii=False),
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
        """Undo this coder's most recent operation; None when there is nothing to undo."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT * FROM journal WHERE coder = ? AND state = 'done' ORDER BY id DESC LIMIT 1",
                (coder,),
            ).fetchone()
            if row is None:
                return None
            changes = json.loads(row["changes"])
            for change in reversed(changes):
                self._apply(change, change.get("after"), change.get("before"), row)
            self.conn.execute("UPDATE journal SET state = 'undone' WHERE id = ?", (row["id"],))
        return _entry(row, "undone")

    def redo(self, coder: str) -> JournalEntry | None:
        """Redo the operation this coder undid last; None when there is nothing to redo."""
        with self.transaction():
            row = self.conn.execute(
                "SELECT * FROM journal WHERE coder = ? AND state = 'undone' "
                "ORDER BY id ASC LIMIT 1",
                (coder,),
            ).fetchone()
            if row is None:
                return None
            for change in json.loads(row["changes"]):
                self._apply(change, change.get("before"), change.get("after"), row)
            self.conn.execute("UPDATE journal SET state = 'done' WHERE id = ?", (row["id"],))
        return _entry(row, "done")

    def _apply(
        self,
        change: dict[str, Any],
        current: dict[str, Any] | None,
        target: dict[str, Any] | None,
        entry: sqlite3.Row,
    ) -> None:
        """Move one row from ``current`` to ``target`` (None = absent).

        The row must be as the journal left it: a row changed since by another coder (or by a
        re-import), an id taken since by a new row, or a row that rows made since refer to
        is a conflict, and the whole undo or redo is refused. Never INSERT OR REPLACE: its
        delete cascades to child rows (undoing the rename of a parent code deleted its child
        codes and all their codings), and over a reused id it overwrote another coder's row.
        A coding whose document was revised since (``import --update``) is a conflict too: its
        offsets point into the old text.
        """
        table = change["table"]
        if table not in JOURNALED_TABLES:
            raise ProjectCorrupt(f"{self.path}: journal entry {entry['id']} names table {table}")
        row_id = int((target or current or {"id": 0})["id"])
        found = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        existing = dict(found) if found is not None else None

        def conflict(reason: str) -> KodebokError:
            return KodebokError(
                f"cannot undo or redo '{entry['description']}': the project has changed since "
                f"({reason})"
            )

        def same(row: dict[str, Any], expected: dict[str, Any]) -> bool:
            return all(row.get(k) == v for k, v in expected.items())

        row = target or current or {}
        if change.get("document_sha") is not None:
            doc = self.conn.execute(
                "SELECT sha256, name FROM documents WHERE id = ?", (row.get("document_id"),)
            ).fetchone()
            if doc is not None and doc[0] != change["document_sha"]:
                raise conflict(f"'{doc[1]}' was revised since; its codings have moved")
        try:
            if target is None:
                if existing is None or current is None:
                    return  # gone already
                if not same(existing, current):
                    raise conflict(f"{table} row {row_id} was changed")
                referrer = self._referrer(table, row_id)
                if referrer:
                    raise conflict(f"{referrer} refers to {table} row {row_id}")
                self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
            elif current is None or existing is None:
                if existing is not None:
                    if same(existing, target):
                        return
                    raise conflict(f"{table} row {row_id} is another row now")
                if current is not None:
                    raise conflict(f"{table} row {row_id} was deleted")
                quoted = ", ".join(f'"{c}"' for c in target)
                marks = ", ".join("?" for _ in target)
                self.conn.execute(
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})", list(target.values())
                )
            else:
                if not same(existing, current):
                    raise conflict(f"{table} row {row_id} was changed")
                cols = [c for c in target if c != "id"]
                if cols:
                    sets = ", ".join(f'"{c}" = ?' for c in cols)
                    self.conn.execute(
                        f"UPDATE {table} SET {sets} WHERE id = ?",
                        [*(target[c] for c in cols), row_id],
                    )
        except sqlite3.IntegrityError as exc:
            raise conflict(str(exc)) from exc

    def _referrer(self, table: str, row_id: int) -> str | None:
        """A row (as 'table row id') whose foreign key points at this row, if there is one."""
        for other in sorted(JOURNALED_TABLES):
            for fk in self.conn.execute(f"PRAGMA foreign_key_list({other})").fetchall():
                if fk["table"] != table or fk["to"] not in ("id", None):
                    continue
                found = self.conn.execute(
                    f'SELECT id FROM {other} WHERE "{fk["from"]}" = ? LIMIT 1', (row_id,)
                ).fetchone()
                if found is not None:
                    return f"{other} row {found[0]}"
        return None

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


def _entry(row: sqlite3.Row, state: str) -> JournalEntry:
    return JournalEntry(row["id"], row["coder"], row["at"], row["op"], row["description"], state)


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

    def _row(self, table: str, row_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return dict(row) if row is not None else None

    def _record(self, change: dict[str, Any]) -> None:
        """Keep a change; a coding's carries the hash of its document's text at this moment."""
        row = change["after"] or change["before"]
        if change["table"] == "codings" and row is not None:
            sha = self.conn.execute(
                "SELECT sha256 FROM documents WHERE id = ?", (row["document_id"],)
            ).fetchone()
            if sha is not None:
                change["document_sha"] = sha[0]
        self.changes.append(change)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert a row and record it; returns its id."""
        cols = list(values)
        quoted = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        cur = self.conn.execute(
            f"INSERT INTO {table} ({quoted}) VALUES ({marks})", [values[c] for c in cols]
        )
        row_id = int(cur.lastrowid or 0)
        self._record({"table": table, "before": None, "after": self._row(table, row_id)})
        return row_id

    def update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        """Update one row by id and record its before and after."""
        before = self._row(table, row_id)
        if before is None:
            return
        sets = ", ".join(f'"{c}" = ?' for c in values)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE id = ?", [*values.values(), row_id])
        self._record({"table": table, "before": before, "after": self._row(table, row_id)})

    def delete(self, table: str, row_id: int) -> bool:
        """Delete one row by id and record it; False when it did not exist."""
        before = self._row(table, row_id)
        if before is None:
            return False
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row_id,))
        self._record({"table": table, "before": before, "after": None})
        return True

    def delete_where(self, table: str, where: str, params: tuple[Any, ...] = ()) -> int:
        """Delete the rows matching ``where`` and record each; returns how many."""
        rows = [dict(r) for r in self.conn.execute(f"SELECT * FROM {table} WHERE {where}", params)]
        for row in rows:
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))
            self._record({"table": table, "before": row, "after": None})
        return len(rows)


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
