"""Issue 15, output paths and backups: no export overwrites a project, every file is written
atomically, backups are kept by kind, restore checks the backup first, doctor fails loudly.

Every test starts from a private copy of the demo project and checks, besides the exit code and
the message, that the project passes SQLite's integrity check and that its codings are
unchanged (or changed exactly as intended).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kodebok.cli import main
from kodebok.errors import OutputError
from kodebok.fileio import atomic_path, atomic_write, check_output_path
from kodebok.store import Project
from kodebok.store.backup import (
    KEEP_BACKUPS,
    KEEP_DAILY_DAYS,
    backup_dir,
    backup_kind,
    backup_project,
    backups_to_prune,
    list_backups,
)
from kodebok.store.schema import SCHEMA_VERSION
from tests.conftest import ROOT, codings_snapshot, integrity_ok, table_checksum


def run(project: Path, *args: str) -> Result:
    """``kodebok -p PROJECT args...`` through click's CliRunner (stderr kept apart)."""
    return CliRunner().invoke(main, ["-p", str(project), *args], catch_exceptions=False)


def error_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error: ")]


# Every command that writes an output file, with the rest of its arguments; "{out}" is the path.
WRITERS: dict[str, list[str]] = {
    "codings export": ["codings", "export", "-o", "{out}"],
    "quotes": ["quotes", "-o", "{out}"],
    "matrix": ["matrix", "--by", "case", "-o", "{out}"],
    "cooccurrence": ["cooccurrence", "-o", "{out}"],
    "presence": ["presence", "-o", "{out}"],
    "agreement": ["agreement", "--coders", "kari,ola", "-o", "{out}"],
    "codebook export": ["codebook", "export", "-o", "{out}"],
    "pseudonyms export": ["pseudonyms", "export", "-o", "{out}"],
    "qca table": [
        "qca",
        "table",
        "--conditions",
        "Styringssystem,Helhetsperspektiv",
        "--outcome",
        "Metoder",
        "-o",
        "{out}",
    ],
    "export qdpx": ["export", "qdpx", "{out}"],
}


def writer_args(name: str, out: Path | str) -> list[str]:
    return [str(out) if a == "{out}" else a for a in WRITERS[name]]


# -- output paths ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", list(WRITERS))
def test_no_output_command_overwrites_the_open_project(
    command: str, demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_bytes = demo_project.read_bytes()
    before = codings_snapshot(demo_project)
    monkeypatch.chdir(demo_project.parent)
    # the same file named as given, relative, through '..' and through a symlink
    link = demo_project.parent / "codings.csv"
    link.symlink_to(demo_project.name)
    for out in (demo_project, Path(demo_project.name), Path("x/../demo.kodebok"), link):
        result = run(demo_project, *writer_args(command, out))
        assert result.exit_code == 2, (command, out, result.output)
        assert error_lines(result) == [
            f"Error: {out}: is the open project ({demo_project}); an export would destroy it. "
            "Choose another output file"
        ]
        assert "Wrote" not in result.output
    assert demo_project.read_bytes() == before_bytes
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before
    # and the command does write to an ordinary file
    ordinary = demo_project.parent / ("out.qdpx" if command == "export qdpx" else "out.txt")
    result = run(demo_project, *writer_args(command, ordinary))
    assert result.exit_code == 0, result.output
    assert ordinary.stat().st_size > 0
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before


@pytest.mark.parametrize("command", ["codings export", "matrix", "export qdpx"])
def test_other_databases_and_the_projects_own_files_are_refused(
    command: str, demo_project: Path, tmp_path: Path
) -> None:
    before = codings_snapshot(demo_project)
    checksum = table_checksum(demo_project)
    other = tmp_path / "colleague.db"  # another project under a name without .kodebok
    shutil.copyfile(demo_project, other)
    other_bytes = other.read_bytes()
    backup = backup_project(Project.open(demo_project), reason="manual")
    backup_bytes = backup.read_bytes()
    cases = {
        other: "is an SQLite database (a kodebok project or a backup?)",
        backup: "is in the project's backup folder",
        backup_dir(demo_project) / "new.csv": "is in the project's backup folder",
        Path(f"{demo_project}-wal"): "is the open project's -wal file",
        Path(f"{demo_project}-shm"): "is the open project's -shm file",
        Path(f"{other}-journal"): "belongs to the SQLite database beside it",
        tmp_path / "fresh.kodebok": "a .kodebok file is a kodebok project",
        tmp_path: "is a folder; give the name of a file to write",
    }
    for out, message in cases.items():
        result = run(demo_project, *writer_args(command, out))
        assert result.exit_code == 2, (out, result.output)
        lines = error_lines(result)
        assert len(lines) == 1, result.output
        assert lines[0].startswith(f"Error: {out}"), result.output
        assert message in lines[0], lines
    assert other.read_bytes() == other_bytes
    assert backup.read_bytes() == backup_bytes
    assert not (tmp_path / "fresh.kodebok").exists()
    assert not (backup_dir(demo_project) / "new.csv").exists()
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before
    assert table_checksum(demo_project) == checksum


def test_a_hard_link_to_the_project_is_the_project(demo_project: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias.csv"
    os.link(demo_project, alias)
    with pytest.raises(OutputError, match="is the open project"):
        check_output_path(alias, demo_project)
    result = run(demo_project, "codings", "export", "-o", str(alias))
    assert result.exit_code == 2
    assert integrity_ok(demo_project)


def test_the_reported_case_exports_nothing_over_the_project(demo_project: Path) -> None:
    """`kodebok -p s.kodebok codings export -o s.kodebok` used to print 'Wrote s.kodebok'."""
    before = codings_snapshot(demo_project)
    result = run(demo_project, "codings", "export", "-o", str(demo_project))
    assert result.exit_code == 2
    assert "Wrote" not in result.output
    assert not list(demo_project.parent.glob(".*.tmp"))
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before
    # the project still works
    assert run(demo_project, "documents").exit_code == 0


# -- atomic writes --------------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    demo_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = codings_snapshot(demo_project)
    out = tmp_path / "codings.csv"
    out.write_text("the good old export\n", encoding="utf-8")
    out.chmod(0o600)

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kodebok.fileio.os.fsync", full_disk)
    result = run(demo_project, "codings", "export", "-o", str(out))
    assert result.exit_code == 2
    assert error_lines(result) == [f"Error: {out}: cannot write (No space left on device)"]
    assert out.read_text(encoding="utf-8") == "the good old export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codings.csv", "demo"]
    monkeypatch.undo()
    result = run(demo_project, "codings", "export", "-o", str(out))
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("document,segment_idx,number,start,end,code")
    assert out.stat().st_mode & 0o777 == 0o600  # the replaced file's mode is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codings.csv", "demo"]
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before


def test_a_crash_just_before_the_rename_leaves_the_good_file(
    demo_project: Path, tmp_path: Path
) -> None:
    """A real process dies (os._exit) after writing the new content, before renaming it."""
    before = codings_snapshot(demo_project)
    out = tmp_path / "matrix.csv"
    out.write_text("good\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import os, sys
        import kodebok.fileio as fileio
        real = os.replace
        def dies_before_the_export(src, dst):
            if str(dst).endswith("matrix.csv"):
                os._exit(9)
            real(src, dst)  # the daily backup is renamed into place as usual
        fileio.os.replace = dies_before_the_export
        from kodebok.cli import main
        sys.argv = ["kodebok", "-p", {str(demo_project)!r}, "matrix", "-o", {str(out)!r}]
        main()
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 9, proc.stderr
    assert out.read_text(encoding="utf-8") == "good\n"
    leftovers = list(tmp_path.glob(".matrix.csv.*.tmp"))
    assert len(leftovers) == 1
    assert leftovers[0].read_text(encoding="utf-8").startswith("code")
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before


def test_atomic_path_removes_its_temporary_file_on_any_error(tmp_path: Path) -> None:
    target = tmp_path / "backup.db"

    def interrupted_write() -> None:
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted_write()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match=r"the folder .* does not exist"):
        atomic_write(tmp_path / "nowhere" / "x.csv", "a")
    atomic_write(target, "whole")
    assert [p.name for p in tmp_path.iterdir()] == ["backup.db"]


def test_a_backup_that_fails_half_way_leaves_no_file_in_the_backup_folder(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = codings_snapshot(demo_project)
    project = Project.open(demo_project)
    try:
        backup_project(project, reason="manual")
        listed = list_backups(demo_project)

        def crash(fd: int) -> None:
            raise OSError(5, "Input/output error")

        monkeypatch.setattr("kodebok.fileio.os.fsync", crash)
        with pytest.raises(OutputError, match="cannot write"):
            backup_project(project, reason="before-merge")
    finally:
        project.close()
    assert list_backups(demo_project) == listed
    assert sorted(backup_dir(demo_project).iterdir()) == listed
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before


def test_demo_is_built_under_a_temporary_name(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path / "d"), "--no-tui"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["demo.kodebok"]
    assert integrity_ok(tmp_path / "d" / "demo.kodebok")


# -- backups: retention ----------------------------------------------------------------------


def test_eleven_merges_in_a_row_leave_the_daily_backup(demo_project: Path, tmp_path: Path) -> None:
    other = tmp_path / "ola.kodebok"
    shutil.copyfile(demo_project, other)
    conn = sqlite3.connect(other)
    conn.execute("UPDATE codings SET coder = 'ola2' WHERE coder = 'ola'")
    conn.commit()
    conn.close()
    original = codings_snapshot(demo_project)
    added = [r for r in codings_snapshot(other) if r[4] == "ola2"]
    assert added
    for _ in range(11):
        result = run(demo_project, "merge", str(other))
        assert result.exit_code == 0, result.output
    backups = list_backups(demo_project)
    kinds = [backup_kind(b) for b in backups]
    assert kinds.count("daily") == 1  # taken by the first command of the day, still there
    assert kinds.count("operation") == KEEP_BACKUPS  # the 11 before-merge backups, pruned
    daily = next(b for b in backups if backup_kind(b) == "daily")
    assert integrity_ok(daily)
    assert codings_snapshot(daily) == original  # taken before the first merge
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == sorted(original + added, key=repr)


def _name(stem: str, when: datetime, reason: str) -> Path:
    return Path(f"{stem}-{when.strftime('%Y%m%dT%H%M%S%f')}-{reason}.db")


def test_retention_keeps_a_week_of_daily_backups_and_the_last_operation_backups() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    daily = [_name("p", now - timedelta(days=d), "daily") for d in range(20, -1, -1)]
    ops = [_name("p", now - timedelta(minutes=m), "before-merge") for m in range(30, 0, -1)]
    manual = [_name("p", now - timedelta(days=40 + d), "manual") for d in range(3)]
    pruned = set(backups_to_prune(sorted(daily + ops + manual), now=now))
    kept_daily = [p for p in daily if p not in pruned]
    assert kept_daily == daily[-(KEEP_DAILY_DAYS + 1) :]  # today and the 7 days before it
    assert [p for p in ops if p not in pruned] == ops[-KEEP_BACKUPS:]
    assert not pruned & set(manual)  # manual backups are their own kind
    # a project opened rarely keeps its last 7 daily copies however old they are
    rare = [_name("p", now - timedelta(days=30 * m), "daily") for m in range(12, 0, -1)]
    assert backups_to_prune(rare, now=now) == rare[:-KEEP_DAILY_DAYS]


def test_a_recent_operation_backup_does_not_replace_the_daily_one(demo_project: Path) -> None:
    project = Project.open(demo_project)
    backup_project(project, reason="before-merge")
    project.close()
    result = run(demo_project, "documents")
    assert result.exit_code == 0
    assert [backup_kind(b) for b in list_backups(demo_project)] == ["operation", "daily"]
    assert integrity_ok(demo_project)


# -- restore ---------------------------------------------------------------------------------


def _corrupt_copy(source: Path, target: Path, how: str = "index") -> Path:
    """A damaged copy: an index that no longer matches its table (opens fine, fails the
    integrity check), or a page of 'Z's in the middle of the file."""
    shutil.copyfile(source, target)
    if how == "bytes":
        data = bytearray(target.read_bytes())
        mid = len(data) // 2
        data[mid : mid + 4096] = b"\x5a" * 4096
        target.write_bytes(bytes(data))
    else:
        conn = sqlite3.connect(target)
        conn.execute("CREATE INDEX codings_by_memo ON codings(memo)")
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX codings_by_memo ON codings(coder)' "
            "WHERE name = 'codings_by_memo'"
        )
        conn.commit()
        conn.close()
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
    except sqlite3.DatabaseError:
        pass  # so damaged that the check cannot even run
    finally:
        conn.close()
    return target


@pytest.mark.parametrize("how", ["index", "bytes"])
def test_restore_refuses_a_corrupt_backup(how: str, demo_project: Path, tmp_path: Path) -> None:
    before = codings_snapshot(demo_project)
    before_bytes = demo_project.read_bytes()
    bad = _corrupt_copy(demo_project, tmp_path / "bad.db", how)
    result = run(demo_project, "restore", str(bad))
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {bad}: cannot restore it, ")
    assert "integrity check" in lines[0] or "malformed" in lines[0], lines
    assert lines[0].endswith("the project is unchanged")
    assert demo_project.read_bytes() == before_bytes
    assert not backup_dir(demo_project).exists()  # not even a before-restore backup
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text", "not an SQLite database"),
        ("sqlite", "an SQLite database, but not a kodebok project"),
        ("newer", "schema version 99 unknown to this kodebok"),
    ],
)
def test_restore_refuses_what_is_not_a_kodebok_backup(
    content: str, message: str, demo_project: Path, tmp_path: Path
) -> None:
    before = codings_snapshot(demo_project)
    checksum = table_checksum(demo_project)
    candidate = tmp_path / "candidate.db"
    if content == "text":
        candidate.write_text("document,code\n", encoding="utf-8")
    elif content == "sqlite":
        conn = sqlite3.connect(candidate)
        conn.execute("CREATE TABLE t (x)")
        conn.close()
    else:
        shutil.copyfile(demo_project, candidate)
        conn = sqlite3.connect(candidate)
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        conn.commit()
        conn.close()
    result = run(demo_project, "restore", str(candidate))
    assert result.exit_code == 2
    assert error_lines(result) == [
        f"Error: {candidate}: cannot restore it, {message}"
        + (f" (it knows {SCHEMA_VERSION})" if content == "newer" else "")
        + "; the project is unchanged"
    ]
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before
    assert table_checksum(demo_project) == checksum


def test_restore_checks_without_writing_to_the_backup(demo_project: Path) -> None:
    project = Project.open(demo_project)
    backup = backup_project(project, reason="manual")
    project.close()
    backup_bytes = backup.read_bytes()
    before = codings_snapshot(demo_project)
    conn = sqlite3.connect(demo_project)
    conn.execute("DELETE FROM codings WHERE coder = 'kari'")
    conn.commit()
    conn.close()
    assert codings_snapshot(demo_project) != before
    result = run(demo_project, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert backup.read_bytes() == backup_bytes  # checked read-only: no migration, no WAL
    assert not Path(f"{backup}-wal").exists()
    assert codings_snapshot(demo_project) == before
    assert integrity_ok(demo_project)


def test_restore_works_when_the_project_file_is_garbage(demo_project: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.db"
    shutil.copyfile(demo_project, good)
    expected = codings_snapshot(good)
    garbage = b"this was a project before the disk went bad\n" * 100
    demo_project.write_bytes(garbage)
    Path(f"{demo_project}-wal").write_bytes(b"stale wal of the old file")
    Path(f"{demo_project}-shm").write_bytes(b"stale shm")
    assert run(demo_project, "documents").exit_code == 2  # the project cannot be opened

    result = run(demo_project, "restore", str(good))
    assert result.exit_code == 0, result.output
    kept = list(backup_dir(demo_project).glob("*-replaced-by-restore.damaged"))
    assert len(kept) == 1
    assert result.stdout.strip() == (
        f"Restored {good}; the previous file was not a readable project, "
        f"a copy of it is in {kept[0]}"
    )
    assert kept[0].read_bytes() == garbage
    assert Path(f"{kept[0]}-wal").read_bytes() == b"stale wal of the old file"
    assert not Path(f"{demo_project}-shm").exists()
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == expected
    assert run(demo_project, "documents").exit_code == 0
    assert not list(demo_project.parent.glob(".*.tmp"))


def test_restore_works_when_the_project_file_is_a_damaged_database(
    demo_project: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.db"
    shutil.copyfile(demo_project, good)
    expected = codings_snapshot(good)
    _corrupt_copy(good, tmp_path / "broken.db", "bytes")
    shutil.copyfile(tmp_path / "broken.db", demo_project)
    broken = demo_project.read_bytes()
    result = run(demo_project, "restore", str(good))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Restored {good}; the previous")
    kept = [p for p in backup_dir(demo_project).iterdir() if "before-restore" in p.name]
    kept += list(backup_dir(demo_project).glob("*-replaced-by-restore.damaged"))
    assert len(kept) == 1, kept
    if kept[0].suffix == ".damaged":
        assert kept[0].read_bytes() == broken
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == expected


def test_restore_refuses_a_project_another_program_has_open(
    demo_project: Path, tmp_path: Path
) -> None:
    good = tmp_path / "good.db"
    shutil.copyfile(demo_project, good)
    conn = sqlite3.connect(good)
    conn.execute("DELETE FROM codings WHERE coder = 'ola'")
    conn.commit()
    conn.close()
    before = codings_snapshot(demo_project)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(demo_project)!r}, isolation_level=None)\n"
            "c.execute('PRAGMA journal_mode = WAL')\n"
            "c.execute('SELECT COUNT(*) FROM codings').fetchone()\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        result = run(demo_project, "restore", str(good))
    finally:
        holder.communicate("\n", timeout=30)
    assert result.exit_code == 2
    assert error_lines(result) == [
        f"Error: {demo_project}: the project is open in another program (a kodebok window?); "
        "close it and try again"
    ]
    assert not backup_dir(demo_project).exists()
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before
    # once it is closed, the restore goes through
    assert run(demo_project, "restore", str(good)).exit_code == 0
    assert codings_snapshot(demo_project) == codings_snapshot(good)


def test_restore_backs_up_a_healthy_project_first(demo_project: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(demo_project, old)
    conn = sqlite3.connect(old)
    conn.execute("DELETE FROM codings WHERE coder = 'ola'")
    conn.commit()
    conn.close()
    current = codings_snapshot(demo_project)
    result = run(demo_project, "restore", str(old))
    assert result.exit_code == 0, result.output
    saved = [b for b in list_backups(demo_project) if b.name.endswith("-before-restore.db")]
    assert len(saved) == 1
    assert result.stdout.strip() == f"Restored {old}; the previous state is in {saved[0]}"
    assert codings_snapshot(saved[0]) == current
    assert codings_snapshot(demo_project) == codings_snapshot(old)
    assert all(r[4] != "ola" for r in codings_snapshot(demo_project))
    assert integrity_ok(demo_project)


# -- doctor ------------------------------------------------------------------------------------


def test_doctor_exits_0_on_the_healthy_demo(demo_project: Path) -> None:
    result = run(demo_project, "doctor")
    assert result.exit_code == 0, result.output
    assert "integrity          ok" in result.output
    assert "Problem" not in result.stderr


def test_doctor_exits_1_on_an_integrity_problem(demo_project: Path, tmp_path: Path) -> None:
    bad = _corrupt_copy(demo_project, tmp_path / "bad.kodebok")
    result = run(bad, "doctor")
    assert result.exit_code == 1, result.output
    assert f"Problem: {bad}: integrity check failed: " in result.stderr
    assert integrity_ok(demo_project)


def test_doctor_exits_1_on_a_broken_foreign_key(demo_project: Path) -> None:
    conn = sqlite3.connect(demo_project)  # foreign keys are off in a plain connection
    conn.execute("UPDATE codings SET code_id = 9999 WHERE id = (SELECT MIN(id) FROM codings)")
    conn.commit()
    conn.close()
    result = run(demo_project, "doctor", "--format", "json")
    assert result.exit_code == 1
    assert "foreign key problem in codings" in result.stderr
    report = json.loads(result.stdout)
    assert report["integrity"].startswith("foreign key problem in codings (row ")
    assert len(report["problems"]) == 1


def test_doctor_exits_1_when_segments_have_no_nlp_features(demo_project: Path) -> None:
    before = codings_snapshot(demo_project)
    conn = sqlite3.connect(demo_project)
    conn.execute(
        "UPDATE segments SET lemmas = NULL WHERE document_id = "
        "(SELECT id FROM documents WHERE name = 'elvestad_ordforer') AND idx < 3"
    )
    conn.commit()
    conn.close()
    result = run(demo_project, "doctor")
    assert result.exit_code == 1
    assert "Problem: 3 segments have no NLP features (lemmas) in elvestad_ordforer (3)" in (
        result.stderr
    )
    assert "missing_features   3" in result.output
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before


def test_doctor_exits_1_when_the_project_is_not_a_database(demo_project: Path) -> None:
    demo_project.write_bytes(b"garbage" * 100)
    result = run(demo_project, "doctor")
    assert result.exit_code == 1
    assert f"Problem: {demo_project}: not a kodebok project (not an SQLite database)" in (
        result.stderr
    )


# -- the TUI's exports -------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"


def _notes(app: object) -> str:
    return "\n".join(n.message for n in app._notifications)  # type: ignore[attr-defined]


async def _settle(app: object, pilot: object) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]


@pytest.mark.anyio
async def test_the_tui_matrix_export_refuses_the_project(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.tui.app import make_app

    monkeypatch.chdir(demo_project.parent)
    (demo_project.parent / "link.xlsx").symlink_to(demo_project)
    before = codings_snapshot(demo_project)
    app = make_app(demo_project, coder="kari")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("M")
        await _settle(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("end", "ctrl+u", *demo_project.name, "enter")
        await _settle(app, pilot)
        assert f"{demo_project.name}: er det åpne prosjektet" in _notes(app)  # the TUI speaks nb
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("end", "ctrl+u", *"link.xlsx", "enter")
        await _settle(app, pilot)
        assert "link.xlsx: er det åpne prosjektet" in _notes(app)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("end", "ctrl+u", *"matrise.csv", "enter")
        await _settle(app, pilot)
    assert (demo_project.parent / "matrise.csv").read_text(encoding="utf-8").startswith("code")
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before


@pytest.mark.anyio
async def test_the_tui_qca_export_refuses_a_database(demo_project: Path, tmp_path: Path) -> None:
    from kodebok.tui.app import make_app

    other = tmp_path / "other.db"
    shutil.copyfile(demo_project, other)
    other_bytes = other.read_bytes()
    before = codings_snapshot(demo_project)
    app = make_app(demo_project, coder="kari")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("Q")
        await _settle(app, pilot)
        await pilot.press("space", "down", "o")
        await _settle(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("end", "ctrl+u", *str(other), "enter")
        await _settle(app, pilot)
        assert f"{other}: er en SQLite-database" in _notes(app)  # the TUI speaks nb
    assert other.read_bytes() == other_bytes
    assert integrity_ok(demo_project)
    assert codings_snapshot(demo_project) == before
