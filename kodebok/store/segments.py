"""Writing many segments at once, at the cost SQLite's full-text indexes make reasonable.

The insert trigger feeds every new segment to two FTS5 indexes (text, lemmas). FTS5 writes its
pending terms out to the index at the end of every statement, so rows inserted one statement
each (``executemany``) leave one small index segment per row to be merged later: about three
times the work of the same rows in one statement. Rows therefore go to a temporary table first
and into ``segments`` with a single ``INSERT … SELECT``.
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
