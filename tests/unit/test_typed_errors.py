"""Front ends decide on an error's type or code, never on its text (issue 19)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from kodebok.errors import ProjectLocked, is_locked_error
from kodebok.services.importing import import_paths
from kodebok.store import Project
from tests.tui.conftest import build_project

ROOT = Path(__file__).resolve().parents[2]


def test_a_real_lock_is_recognised_by_its_sqlite_code(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(str(path), timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught:
            other.execute("BEGIN IMMEDIATE")
        assert is_locked_error(caught.value)
        with pytest.raises(sqlite3.OperationalError) as missing:
            other.execute("SELECT * FROM no_such_table")
        assert not is_locked_error(missing.value)
    finally:
        other.close()
        holder.execute("ROLLBACK")
        holder.close()


def test_the_code_decides_over_the_message() -> None:
    busy_snapshot = sqlite3.OperationalError("something else entirely")
    busy_snapshot.sqlite_errorcode = 5 | (2 << 8)  # type: ignore[attr-defined]
    assert is_locked_error(busy_snapshot)
    named_locked = sqlite3.OperationalError("table 'locked_items' has no column x")
    named_locked.sqlite_errorcode = 1  # type: ignore[attr-defined]  # SQLITE_ERROR
    assert not is_locked_error(named_locked)
    # raised by Python code (no SQLite code): its message is all there is
    assert is_locked_error(sqlite3.OperationalError("database is locked"))
    assert not is_locked_error(ValueError("database is locked"))


def test_a_locked_project_refuses_a_write_with_project_locked(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Project.open(path, busy_timeout=0) as p, pytest.raises(ProjectLocked):
            p.set_setting("language", "en")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_revised_document_fails_the_import_with_a_code(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    revised = tmp_path / "nordvik_radmann.txt"
    revised.write_text("I: Noe annet?\n\nIP: Ja, helt annet.\n", encoding="utf-8")
    with Project.open(path) as p:
        [result] = import_paths(p, [revised], nlp=False)
    assert (result.status, result.code) == ("failed", "import.revised")


def test_no_front_end_or_service_decides_on_the_text_of_an_error() -> None:
    # a string looked for in an error's message; SQLite's lock words anywhere but in errors.py
    pattern = re.compile(r'"[^"]*" in (?:\w+\.message|str\(\w+\))|"(?:locked|busy)" in')
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / "kodebok").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line) and path.name != "errors.py"
    ]
    assert found == []
