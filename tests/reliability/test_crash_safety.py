"""Killing kodebok mid-operation loses at most that operation; concurrent writers do not corrupt."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kodebok.store import Project

TURN = (
    "IP: Vi har jobbet mye med styringskort og tertialrapportering i kommunen, og "
    "tillitsvalgte har vært med i partssamarbeidet fra starten av.\n"
)


def _kodebok(*args: str, project: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KODEBOK_CODER": "tester", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", "from kodebok.cli import run; run()", "-p", str(project), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(str(path))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _wait_for(predicate: object, seconds: float) -> bool:
    assert callable(predicate)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(str(path), timeout=5)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_during_a_large_import_keeps_finished_files_whole(
    tmp_path: Path, project_path: Path
) -> None:
    folder = tmp_path / "mange"
    folder.mkdir()
    for i in range(120):
        (folder / f"intervju_{i:03d}.txt").write_text(
            f"I: Spørsmål {i}?\n" + TURN * 400, encoding="utf-8"
        )
    proc = _kodebok("import", str(folder), project=project_path)
    assert _wait_for(lambda: _count(project_path, "SELECT COUNT(*) FROM documents") >= 3, 60)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _integrity(project_path) == "ok"
    docs = _count(project_path, "SELECT COUNT(*) FROM documents")
    assert 3 <= docs < 120
    # every document that is there is complete: all 401 segments, no half-written file
    incomplete = _count(
        project_path,
        "SELECT COUNT(*) FROM (SELECT d.id FROM documents d "
        "LEFT JOIN segments s ON s.document_id = d.id "
        "GROUP BY d.id HAVING COUNT(s.id) != 401)",
    )
    assert incomplete == 0
    # and the import can simply be run again: the finished files are skipped
    rerun = _kodebok("import", str(folder), project=project_path)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    assert _count(project_path, "SELECT COUNT(*) FROM documents") == 120


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_during_bulk_coding_leaves_none_of_it(tmp_path: Path, project_path: Path) -> None:
    doc = tmp_path / "lang.txt"
    doc.write_text("I: Start?\n" + TURN * 3000, encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from kodebok.cli import run; run()",
            "-p",
            str(project_path),
            "import",
            str(doc),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from kodebok.cli import run; run()",
            "-p",
            str(project_path),
            "codebook",
            "add",
            "Styring",
        ],
        check=True,
        capture_output=True,
    )
    table = tmp_path / "kodinger.csv"
    with table.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["document", "segment_idx", "code", "coder"])
        for coder in range(12):
            for idx in range(1, 3001):
                w.writerow(["lang", idx, "Styring", f"koder{coder}"])
    before = _count(project_path, "SELECT COUNT(*) FROM codings")
    proc = _kodebok("codings", "import", str(table), project=project_path)
    # wait until the write transaction is under way (the WAL file grows), then kill
    wal = Path(str(project_path) + "-wal")
    _wait_for(lambda: wal.exists() and wal.stat().st_size > 200_000, 60)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _integrity(project_path) == "ok"
    after = _count(project_path, "SELECT COUNT(*) FROM codings")
    assert after in (before, before + 36000)  # all or nothing, never a part
    assert after == before, "the kill came too late to test anything; make the table larger"


def test_two_writers_at_once_do_not_corrupt(tmp_path: Path, project_path: Path) -> None:
    doc = tmp_path / "d.txt"
    doc.write_text("I: Start?\n" + TURN * 200, encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from kodebok.cli import run; run()",
            "-p",
            str(project_path),
            "import",
            str(doc),
        ],
        check=True,
        capture_output=True,
    )
    project = Project.open(project_path)
    from kodebok.services.codes import create_code
    from kodebok.services.coding import code_segment

    create_code(project, "Styring", coder="tui")
    folder = tmp_path / "flere"
    folder.mkdir()
    for i in range(20):
        (folder / f"x{i}.txt").write_text(f"I: {i}?\n" + TURN * 100, encoding="utf-8")
    proc = _kodebok("import", str(folder), project=project_path)
    for idx in range(1, 150):  # the "TUI" codes while the CLI imports
        code_segment(project, "d", idx, "Styring", coder="tui")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert project.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 149
    assert project.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 21
    project.close()


def test_a_lock_that_persists_fails_with_a_message(project_path: Path) -> None:
    holder = sqlite3.connect(str(project_path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        env = {**os.environ, "KODEBOK_BUSY_TIMEOUT": "0.5"}
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from kodebok.cli import run; run()",
                "-p",
                str(project_path),
                "codebook",
                "add",
                "Ny",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2
    assert "locked by another program" in done.stderr
    assert "Traceback" not in done.stderr
