"""Shared fixtures: fresh projects, a CLI runner bound to a project, table checksums."""

from __future__ import annotations

import gc
import hashlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings

from kodebok.store import Project

# No per-example deadline anywhere: the suite runs on two busy cores, where hypothesis's default
# 200 ms deadline fails tests for the machine's load rather than for kodebok (tests that care
# about speed say so themselves; `kodebok bench` measures it)
settings.register_profile("kodebok", deadline=None)
settings.load_profile("kodebok")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Collect the session's garbage before the worker reports that it has finished.

    pytest's cleanup calls gc.collect() five times after the session; in an xdist worker that
    is after it told the controller it was done, and execnet sends the worker a SIGINT when it
    is still busy 5 s later. On a loaded machine with a large heap (spaCy pipelines, Textual
    apps) the collections took longer, and the KeyboardInterrupt landed in hypothesis's gc
    callback: "Exception ignored in gc_callback ... KeyboardInterrupt" after a green run.
    Collecting here, then freezing what survives, makes those later collections cheap.
    """
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    if os.environ.get("KODEBOK_GC_TRACE"):
        print(
            f"[gc] final collection {time.perf_counter() - started:.2f} s, "
            f"{gc.get_freeze_count()} objects frozen",
            file=sys.stderr,
        )


ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's project, coder or language settings."""
    for var in ("KODEBOK_PROJECT", "KODEBOK_CODER", "KODEBOK_LANG", "KODEBOK_SPACY_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("KODEBOK_CODER", "tester")


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """Path of a new, empty project file."""
    path = tmp_path / "prosjekt.kodebok"
    Project.create(path).close()
    return path


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    """An open, empty project."""
    p = Project.open(project_path)
    yield p
    p.close()


@pytest.fixture
def cli(project_path: Path) -> Callable[..., Result]:
    """Run `kodebok -p PROJECT args...` through click's CliRunner."""
    from kodebok.cli import main

    def run(*args: str, input: str | None = None, project: Path | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(
            main, ["-p", str(project or project_path), *args], input=input, catch_exceptions=False
        )

    return run


def table_checksum(path: Path) -> str:
    """A hash of every row of every table: equal before and after means nothing changed."""
    conn = sqlite3.connect(str(path))
    try:
        digest = hashlib.sha256()
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'segments_fts%' ORDER BY name"
            )
        ]
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                digest.update(repr(tuple(row)).encode())
        return digest.hexdigest()
    finally:
        conn.close()


@pytest.fixture
def checksum() -> Callable[[Path], str]:
    """The table_checksum function as a fixture."""
    return table_checksum


@pytest.fixture(scope="session")
def _demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project, built once per test process; tests get copies of it."""
    from kodebok.services.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-master")
    report = build_demo(folder)
    assert not report.failed, report.failed
    return report.path


@pytest.fixture
def demo_project(_demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo project (17 interviews, codebook, codings by two coders)."""
    target = tmp_path / "demo" / "demo.kodebok"
    target.parent.mkdir()
    src = sqlite3.connect(str(_demo_master))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def integrity_ok(path: Path) -> bool:
    """SQLite's integrity check and foreign-key check both pass on the project file."""
    conn = sqlite3.connect(str(path))
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return ok and not conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()


def codings_snapshot(path: Path) -> list[tuple[object, ...]]:
    """Every coding as (document name, start, end, code id, coder, memo), sorted."""
    conn = sqlite3.connect(str(path))
    try:
        rows = conn.execute(
            'SELECT d.name, c.start, c."end", c.code_id, c.coder, c.memo '
            "FROM codings c JOIN documents d ON d.id = c.document_id"
        ).fetchall()
    finally:
        conn.close()
    return sorted(rows, key=repr)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write a text fixture file and return its path."""
    path.write_text(text, encoding=encoding)
    return path


os.environ.setdefault("NO_COLOR", "1")
