"""Writing many segments (or their lemmas) at once, at a cost SQLite's full-text indexes allow.

The triggers feed every new or changed segment to two FTS5 indexes (text, lemmas). FTS5 writes
its pending terms out to the index at the end of every statement, so rows written one
statement each (``executemany``) leave one small index segment per row to be merged later:
about three times the work of the same rows in one statement. Rows therefore go to a
temporary table first and into ``segments`` with a single statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

COLUMNS = ("document_id", "idx", "start", "end", "speaker_id", "t_start", "t_end", "text", "lemmas")
_TEMP = "kodebok_new_segments"


def insert_segments(conn: sqlite3.Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert segment rows (values in ``COLUMNS`` order) with one statement on ``segments``.

    Runs inside the caller's transaction; the rows keep their order, so ids increase with it.
    """
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_TEMP} ({columns})")
    try:
        conn.executemany(
            f"INSERT INTO temp.{_TEMP} VALUES ({', '.join('?' for _ in COLUMNS)})", rows
        )
        conn.execute(
            f"INSERT INTO segments({columns}) SELECT {columns} FROM temp.{_TEMP} ORDER BY rowid"
        )
    finally:
        conn.execute(f"DELETE FROM temp.{_TEMP}")


def update_lemmas(conn: sqlite3.Connection, rows: Iterable[tuple[int, str]]) -> None:
    """Set (segment id, lemmas) pairs with one UPDATE on ``segments`` (in the caller's
    transaction)."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS kodebok_new_lemmas "
        "(id INTEGER PRIMARY KEY, lemmas TEXT NOT NULL)"
    )
    try:
        conn.executemany("INSERT INTO temp.kodebok_new_lemmas (id, lemmas) VALUES (?, ?)", rows)
        conn.execute(
            "UPDATE segments SET lemmas = "
            "(SELECT n.lemmas FROM temp.kodebok_new_lemmas n WHERE n.id = segments.id) "
            "WHERE id IN (SELECT id FROM temp.kodebok_new_lemmas)"
        )
    finally:
        conn.execute("DELETE FROM temp.kodebok_new_lemmas")
