"""Bad input never ends in a traceback, and input that would skew results is refused with a hint.

Every test starts from a private copy of the demo project and checks, besides the exit code and
the message, that the project still passes SQLite's integrity check and that its codings are
unchanged (or changed exactly as intended).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kodebok.cli import main
from kodebok.store.schema import SCHEMA_VERSION
from tests.conftest import codings_snapshot, integrity_ok, table_checksum

HUGE = "99999999999999999999999"  # > 2**63 - 1: sqlite3 raises OverflowError on it


def run(project: Path, *args: str, input: str | None = None) -> Result:
    """``kodebok -p PROJECT args...``; an uncaught exception fails the test (no traceback)."""
    return CliRunner().invoke(
        main, ["-p", str(project), *args], input=input, catch_exceptions=False
    )


def errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def demo(demo_project: Path) -> Iterator[tuple[Path, str, list[tuple[object, ...]]]]:
    """The demo copy with its table checksum and codings before the test."""
    return demo_project, table_checksum(demo_project), codings_snapshot(demo_project)


def assert_unchanged(project: Path, before: str) -> None:
    assert integrity_ok(project)
    assert table_checksum(project) == before


# -- no tracebacks, ever -------------------------------------------------------------------


@pytest.mark.parametrize("group", ["cases", "documents", "speakers"])
def test_a_folder_given_to_a_table_import_is_an_error(
    demo: tuple[Path, str, list[tuple[object, ...]]], tmp_path: Path, group: str
) -> None:
    project, before, _ = demo
    folder = tmp_path / "tabeller"
    folder.mkdir()
    result = run(project, group, "import", str(folder))
    assert result.exit_code == 2
    assert errors(result) == [f"Error: {folder}: is a folder; give a .csv or .xlsx file"]
    assert_unchanged(project, before)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("code", "nordvik_rektor", HUGE, "Helhetsperspektiv"),
            "no segment 999999999999…(23 digits) in 'nordvik_rektor' (it has",
        ),
        (("uncode", "nordvik_rektor", HUGE, "Helhetsperspektiv"), "no segment 999999999999…"),
        (("memo", "nordvik_rektor", HUGE, "--text", "x"), "no segment 999999999999…"),
        (("code", HUGE, "1", "Helhetsperspektiv"), f"unknown document '{HUGE}'"),
        (("code", "nordvik_rektor", "1", HUGE), f"unknown code '{HUGE}'"),
        (("cases", "set", HUGE, "k=v"), f"unknown case '{HUGE}'"),
        (("history", "--limit", HUGE), "Invalid value for '--limit'"),
        (("search", "skole", "--limit", HUGE), "Invalid value for '--limit'"),
        (
            ("suggest", "--doc", "nordvik_rektor", "--segment", HUGE),
            "Invalid value for '--segment'",
        ),
        (("suggest", "--top", HUGE), "Invalid value for '--top'"),
        (("themes", "--clusters", "-k", HUGE), "Invalid value for '-k' / '--k'"),
        (("presence", "--min-codings", HUGE), "Invalid value for '--min-codings'"),
        (
            ("qca", "truth-table", "--conditions", "Styringssystem", "--n-cut", HUGE),
            "Invalid value for '--n-cut'",
        ),
        (
            (
                "agreement",
                "resolve",
                "nordvik_rektor",
                HUGE,
                "Helhetsperspektiv",
                "with",
                "--coders",
                "kari,ola",
            ),
            "no segment 999999999999…",
        ),
    ],
)
def test_integers_too_large_for_sqlite_are_errors(
    demo: tuple[Path, str, list[tuple[object, ...]]], args: tuple[str, ...], expected: str
) -> None:
    project, before, _ = demo
    result = run(project, *args)
    assert result.exit_code == 2, result.output
    assert len(errors(result)) == 1
    assert expected in errors(result)[0]
    assert "Traceback" not in result.output
    assert_unchanged(project, before)


def test_the_segment_message_names_the_range(
    demo: tuple[Path, str, list[tuple[object, ...]]],
) -> None:
    project, before, _ = demo
    result = run(project, "code", "nordvik_rektor", HUGE, "Helhetsperspektiv")
    conn = sqlite3.connect(project)
    n = conn.execute(
        "SELECT COUNT(*) FROM segments s JOIN documents d ON d.id = s.document_id "
        "WHERE d.name = 'nordvik_rektor'"
    ).fetchone()[0]
    conn.close()
    assert errors(result)[0].endswith(f"(it has {n} segments, numbered 1–{n})")
    assert_unchanged(project, before)


def test_a_project_file_name_over_255_characters_is_an_error(
    demo: tuple[Path, str, list[tuple[object, ...]]], tmp_path: Path
) -> None:
    project, before, _ = demo
    long_path = tmp_path / ("p" * 300 + ".kodebok")
    for args in (("documents",), ("init",)):
        result = run(long_path, *args)
        assert result.exit_code == 2
        (line,) = errors(result)
        assert "the project file name is too long for the file system" in line
        assert "(308 characters in its name" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]
    assert_unchanged(project, before)


def _damage(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "UPDATE meta SET value = '999' WHERE key = 'schema_version'",
            f"made by a newer kodebok (schema 999, this one knows {SCHEMA_VERSION}); upgrade kodebok",
        ),
        (
            "UPDATE meta SET value = 'abc' WHERE key = 'schema_version'",
            "meta.schema_version is 'abc', not a schema number",
        ),
        (
            "DELETE FROM meta WHERE key = 'schema_version'",
            "the 'meta' table has no schema_version row",
        ),
        ("DROP TABLE meta", "its 'meta' table is missing"),
        (
            "DROP TABLE codings",
            f"table codings missing (schema {SCHEMA_VERSION}); nothing was changed",
        ),
    ],
)
def test_damaged_meta_is_a_clear_error_and_the_file_is_untouched(
    demo_project: Path, sql: str, expected: str
) -> None:
    _damage(demo_project, sql)
    before = file_hash(demo_project)
    for args in (("documents",), ("code", "nordvik_rektor", "1", "Helhetsperspektiv")):
        result = run(demo_project, *args)
        assert result.exit_code == 2
        (line,) = errors(result)
        assert line.startswith(f"Error: {demo_project}: ")
        assert expected in line
    assert file_hash(demo_project) == before
    assert not (demo_project.parent / f".{demo_project.name}.backups").exists()


def test_an_older_schema_number_on_newer_tables_fails_the_migration_cleanly(
    demo_project: Path,
) -> None:
    _damage(demo_project, "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    before = table_checksum(demo_project)
    codings = codings_snapshot(demo_project)
    result = run(demo_project, "documents")
    assert result.exit_code == 2
    (line,) = errors(result)
    assert "upgrading it from schema 2 to 3 failed" in line
    assert "nothing was changed; the backup from before is" in line
    assert integrity_ok(demo_project)
    assert table_checksum(demo_project) == before
    assert codings_snapshot(demo_project) == codings


def test_a_project_with_damaged_meta_can_be_diagnosed_and_restored(demo_project: Path) -> None:
    good = run(demo_project, "backup")
    assert good.exit_code == 0
    backup = Path(good.stdout.strip())
    codings = codings_snapshot(demo_project)
    _damage(demo_project, "DROP TABLE meta")
    damaged = file_hash(demo_project)
    doctor = run(demo_project, "doctor")
    assert doctor.exit_code == 1  # doctor reports the damage and exits 1
    assert "its 'meta' table is missing" in doctor.output
    restored = run(demo_project, "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    (kept,) = (demo_project.parent / f".{demo_project.name}.backups").glob("*damaged*")
    assert file_hash(kept) == damaged
    assert run(demo_project, "documents").exit_code == 0
    assert codings_snapshot(demo_project) == codings
    assert integrity_ok(demo_project)


READS = [
    ("documents",),
    ("segments", "--doc", "nordvik_rektor"),
    ("matrix",),
    ("codebook", "show"),
    ("history",),
]
WRITES = [
    ("code", "nordvik_rektor", "1", "Helhetsperspektiv"),
    ("codebook", "add", "Ny kode"),
    ("cases", "set", "Nordvik", "fylke=Troms"),
    ("presence", "set", "Nordvik", "Helhetsperspektiv", "1"),
    ("undo", "--coder", "kari"),
]


@pytest.fixture
def not_writable(demo_project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo copy as a user sees it who may not write the file or its folder."""
    real_access = os.access
    folder = demo_project.parent

    def access(path: object, mode: int, **kwargs: object) -> bool:
        target = Path(str(path)).resolve()
        if mode & os.W_OK and (target == folder.resolve() or target.parent == folder.resolve()):
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    return demo_project


def test_a_read_only_project_reads_and_refuses_writes(not_writable: Path) -> None:
    project = not_writable
    before = table_checksum(project)
    for args in READS:
        result = run(project, *args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.strip()
    for args in WRITES:
        result = run(project, *args)
        assert result.exit_code == 2, (args, result.output)
        assert errors(result) == [
            f"Error: {project}: the project is read-only (the file or its folder cannot be "
            "written); reading works, changes need write access (or work on a copy)"
        ]
    assert_unchanged(project, before)
    # opened read-only: no daily backup, no -wal or -shm left beside it
    assert sorted(p.name for p in project.parent.iterdir()) == [project.name]


def test_sqlites_own_read_only_error_says_read_only(demo_project: Path) -> None:
    """A write that reaches SQLite on a read-only connection is reported as read-only too."""
    from kodebok.store import Project

    before = table_checksum(demo_project)
    with Project.open(demo_project) as project:
        project.conn.execute("PRAGMA query_only = ON")
        from kodebok.errors import ProjectReadOnly
        from kodebok.services.codes import create_code

        with pytest.raises(ProjectReadOnly, match="the project is read-only"):
            create_code(project, "Ny kode", coder="tester")
    assert_unchanged(demo_project, before)


def _setpriv() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    return shutil.which("setpriv")


@pytest.mark.skipif(_setpriv() is None, reason="needs root and setpriv to run as another user")
@pytest.mark.parametrize("folder_mode", [0o555, 0o777])
def test_a_really_read_only_project_as_another_user(demo_project: Path, folder_mode: int) -> None:
    """As user nobody: a 0444 file in a read-only (0555) or writable (0777) folder."""
    folder = Path(tempfile.mkdtemp(prefix="kodebok-ro-"))
    try:
        project = folder / "ro.kodebok"
        shutil.copyfile(demo_project, project)
        before = table_checksum(project)
        os.chmod(project, 0o444)
        os.chmod(folder, folder_mode)
        env = {**os.environ, "HOME": str(folder), "KODEBOK_CODER": "tester"}
        root = Path(__file__).resolve().parents[2]

        def kodebok(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [
                    str(_setpriv()),
                    "--reuid=nobody",
                    "--regid=nogroup",
                    "--clear-groups",
                    sys.executable,
                    "-c",
                    "from kodebok.cli import run; run()",
                    "-p",
                    str(project),
                    *args,
                ],
                capture_output=True,
                text=True,
                env=env,
                cwd=str(root),
                timeout=120,
            )

        probe = kodebok("--version")
        if probe.returncode != 0:
            pytest.skip(f"user nobody cannot run this kodebok: {probe.stderr.strip()[:200]}")
        for args in READS:
            result = kodebok(*args)
            assert result.returncode == 0, (args, result.stderr)
            assert result.stdout.strip()
        for args in WRITES[:3]:
            result = kodebok(*args)
            assert result.returncode == 2, (args, result.stderr)
            assert "the project is read-only" in result.stderr
            assert "Traceback" not in result.stderr
        assert_unchanged(project, before)
        assert sorted(p.name for p in folder.iterdir()) == ["ro.kodebok"]
    finally:
        os.chmod(folder, 0o755)
        shutil.rmtree(folder)


def test_a_1000_level_code_path_is_refused(
    demo: tuple[Path, str, list[tuple[object, ...]]],
) -> None:
    project, before, _ = demo
    path = "/".join(f"n{i}" for i in range(1000))
    result = run(project, "codebook", "add", path)
    assert result.exit_code == 2
    (line,) = errors(result)
    assert "would be 1000 levels deep; at most 20 levels are allowed" in line
    result = run(project, "codebook", "add", "x" * 300)
    assert result.exit_code == 2
    assert "a code name of 300 characters is too long (at most 200" in errors(result)[0]
    assert_unchanged(project, before)
    ok = run(project, "codebook", "add", "/".join(f"n{i}" for i in range(20)))
    assert ok.exit_code == 0


def test_codebook_show_works_on_an_existing_1000_level_tree(demo_project: Path) -> None:
    conn = sqlite3.connect(demo_project)
    parent = None
    for i in range(1000):
        cur = conn.execute(
            "INSERT INTO codes(parent_id, name, position) VALUES (?, ?, 100)", (parent, f"d{i}")
        )
        parent = cur.lastrowid
    conn.commit()
    conn.close()
    before = table_checksum(demo_project)
    codings = codings_snapshot(demo_project)
    result = run(demo_project, "codebook", "show")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "  " * 999 + "d999  0"
    assert run(demo_project, "codebook", "show", "--format", "json").exit_code == 0
    moved = run(demo_project, "codebook", "move", "Helhetsperspektiv", "d50")
    assert moved.exit_code == 2
    assert "at most 20 levels are allowed" in errors(moved)[0]
    assert table_checksum(demo_project) == before
    assert codings_snapshot(demo_project) == codings
    assert integrity_ok(demo_project)


def test_a_busy_timeout_that_is_not_a_number_is_an_error(
    demo: tuple[Path, str, list[tuple[object, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, before, _ = demo
    monkeypatch.setenv("KODEBOK_BUSY_TIMEOUT", "abc")
    for args in (("documents",), ("code", "nordvik_rektor", "1", "Helhetsperspektiv")):
        result = run(project, *args)
        assert result.exit_code == 2
        assert errors(result) == [
            "Error: KODEBOK_BUSY_TIMEOUT='abc' is not a number of seconds between 0 and 86400 "
            "(e.g. KODEBOK_BUSY_TIMEOUT=5); fix or unset the variable"
        ]
    monkeypatch.setenv("KODEBOK_BUSY_TIMEOUT", "2,5")  # a Norwegian decimal comma is fine
    assert run(project, "documents").exit_code == 0
    assert_unchanged(project, before)


def test_codebook_delete_without_a_terminal_needs_yes(
    demo: tuple[Path, str, list[tuple[object, ...]]],
) -> None:
    project, before, codings = demo
    result = run(project, "codebook", "delete", "Ledelse")
    assert result.exit_code == 2
    (line,) = errors(result)
    assert "there is no terminal to confirm deleting them; add --yes" in line
    assert "'Ledelse' has" in line
    assert_unchanged(project, before)
    conn = sqlite3.connect(project)
    ids = {
        r[0]
        for r in conn.execute(
            "WITH RECURSIVE t(id) AS (SELECT id FROM codes WHERE name = 'Ledelse' AND "
            "parent_id IS NULL UNION ALL SELECT c.id FROM codes c JOIN t ON c.parent_id = t.id) "
            "SELECT id FROM t"
        )
    }
    conn.close()
    deleted = run(project, "codebook", "delete", "Ledelse", "--yes")
    assert deleted.exit_code == 0
    assert codings_snapshot(project) == [c for c in codings if c[3] not in ids]
    assert integrity_ok(project)


def test_an_unexpected_failure_writes_a_crash_report(
    demo: tuple[Path, str, list[tuple[object, ...]]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from kodebok.services import documents

    project, before, _ = demo

    def broken(project: object, coder: str | None = None) -> list[object]:
        raise RuntimeError("boom in list_documents")

    monkeypatch.setattr(documents, "list_documents", broken)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    result = run(project, "documents")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    reports = list((tmp_path / "state" / "kodebok").glob("crash-*.txt"))
    assert len(reports) == 1
    assert line == (
        "Error: unexpected failure (RuntimeError: boom in list_documents); "
        f"report written to {reports[0]}"
    )
    text = reports[0].read_text(encoding="utf-8")
    assert text.startswith("kodebok ")
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: boom in list_documents" in text
    assert "argv:" in text
    assert "python " in text
    assert_unchanged(project, before)


def test_the_crash_report_falls_back_to_the_temp_folder(
    demo: tuple[Path, str, list[tuple[object, ...]]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from kodebok.services import documents

    project, before, _ = demo

    def broken(project: object, coder: str | None = None) -> list[object]:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(documents, "list_documents", broken)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    result = run(project, "documents")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    (report,) = (tmp_path / "tmp" / "kodebok").glob("crash-*.txt")
    assert line.endswith(f"report written to {report}")
    assert "OperationalError: disk I/O error" in line
    assert_unchanged(project, before)


# -- silently accepted input that skews results --------------------------------------------


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("codebook", "add", "ledelse"),
            "the name 'ledelse' differs from the existing code 'Ledelse' at the top level only "
            "by upper/lower case or Unicode form",
        ),
        (
            ("codebook", "add", "Ledelse/HEMMER"),
            "differs from the existing code 'Hemmer' beside it",
        ),
        (
            ("codebook", "add", "Metoder/" + _nfd("Bruker- og medarbeiderundersøkelser")),
            "code 'Metoder/Bruker- og medarbeiderundersøkelser' exists already",
        ),
        (
            ("codebook", "rename", "Ledelse/Hemmer", "fremmer"),
            "cannot rename 'Ledelse/Hemmer' to 'fremmer': it differs from the existing code "
            "'Fremmer'",
        ),
        (
            ("codebook", "move", "Metoder/Analyseverktøy", "Praksis"),
            None,  # no twin there: allowed (checked below as a control)
        ),
    ],
)
def test_code_names_differing_only_by_case_or_unicode_form_are_refused(
    demo: tuple[Path, str, list[tuple[object, ...]]], args: tuple[str, ...], expected: str | None
) -> None:
    project, before, codings = demo
    result = run(project, *args)
    if expected is None:
        assert result.exit_code == 0
        assert codings_snapshot(project) == codings
        return
    assert result.exit_code == 2
    (line,) = errors(result)
    assert expected in line
    assert_unchanged(project, before)


def test_a_name_stored_in_nfd_is_found_as_a_twin(demo_project: Path) -> None:
    stored = _nfd("Årsplan")
    assert stored != "Årsplan"  # Å decomposes into A and a combining ring
    conn = sqlite3.connect(demo_project)
    conn.execute("INSERT INTO codes(parent_id, name, position) VALUES (NULL, ?, 99)", (stored,))
    conn.commit()
    conn.close()
    before = table_checksum(demo_project)
    for name in ("Årsplan", "årsplan"):
        result = run(demo_project, "codebook", "add", name)
        assert result.exit_code == 2
        (line,) = errors(result)
        assert f"differs from the existing code '{stored}' at the top level" in line
    assert table_checksum(demo_project) == before
    added = run(demo_project, "codebook", "add", "Praksis/Årsplan")
    assert added.exit_code == 0
    after_add = table_checksum(demo_project)
    clash = run(demo_project, "codebook", "move", "Praksis/Årsplan")
    assert clash.exit_code == 2
    assert "merge the two codes instead" in errors(clash)[0]
    assert table_checksum(demo_project) == after_add != before
    assert integrity_ok(demo_project)


def test_codebook_and_codings_imports_refuse_case_twins(
    demo: tuple[Path, str, list[tuple[object, ...]]], tmp_path: Path
) -> None:
    project, before, _ = demo
    book = tmp_path / "bok.yaml"
    book.write_text("codes:\n  - name: Nytt\n  - name: Ledelse\n  - name: ledelse\n")
    result = run(project, "codebook", "import", str(book))
    assert result.exit_code == 2
    assert errors(result) == ["Error: bok.yaml, line 4: two codes named 'ledelse' at the top level"]
    merge = tmp_path / "merge.yaml"
    merge.write_text("codes:\n  - name: Nytt\n  - name: ledelse\n")
    result = run(project, "codebook", "import", str(merge))
    assert result.exit_code == 2
    (line,) = errors(result)
    assert line.startswith("Error: merge.yaml: code 'ledelse': the name 'ledelse' differs")
    table = tmp_path / "codings.csv"
    table.write_text("document,segment_idx,code\nnordvik_rektor,1,ledelse/Ny\n")
    result = run(project, "codings", "import", str(table), "--create-codes")
    assert result.exit_code == 2
    assert "differs from the existing code 'Ledelse'" in errors(result)[0]
    assert_unchanged(project, before)


def test_an_unknown_import_kind_needs_new_kind(
    demo: tuple[Path, str, list[tuple[object, ...]]], tmp_path: Path
) -> None:
    project, before, codings = demo
    doc = tmp_path / "ny_samtale.txt"
    doc.write_text("I: Hvordan går det?\nIP: Det går bra med styringen.\n", encoding="utf-8")
    typo = run(project, "import", str(doc), "--kind", "intervjuu")
    assert typo.exit_code == 2
    assert errors(typo) == [
        "Error: --kind 'intervjuu' is not a kind this project knows (dokument, egenrapport, "
        "fokusgruppe, intervju, intervjurapport); did you mean 'intervju', 'intervjurapport'? "
        "add --new-kind to introduce it"
    ]
    capital = run(project, "import", str(doc), "--kind", "Intervju")
    assert capital.exit_code == 2
    assert "the project writes this kind as 'intervju'" in errors(capital)[0]
    assert run(project, "import", str(doc), "--kind", "").exit_code == 2
    assert_unchanged(project, before)
    new = run(project, "import", str(doc), "--kind", "feltsamtale", "--new-kind")
    assert new.exit_code == 0, new.output
    assert codings_snapshot(project) == codings
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT kind FROM documents WHERE name = 'ny_samtale'").fetchone() == (
        "feltsamtale",
    )
    conn.close()
    assert integrity_ok(project)


def test_a_documents_table_with_an_unknown_kind_needs_new_kind(
    demo: tuple[Path, str, list[tuple[object, ...]]], tmp_path: Path
) -> None:
    project, before, codings = demo
    table = tmp_path / "dokumenter.csv"
    table.write_text("document,kind\nnordvik_rektor,intervju\nelvestad_rektor,Intervju\n")
    result = run(project, "documents", "import", str(table))
    assert result.exit_code == 2
    assert errors(result) == [
        "Error: dokumenter.csv, line 3: kind 'Intervju': the project writes this kind as "
        "'intervju'; use that spelling (kinds are compared exactly)"
    ]
    table.write_text("document,kind\nnordvik_rektor,feltsamtale\nelvestad_rektor,Feltsamtale\n")
    result = run(project, "documents", "import", str(table))
    assert result.exit_code == 2
    assert "line 2: kind 'feltsamtale' is not a kind this project knows" in errors(result)[0]
    assert "add --new-kind to introduce it" in errors(result)[0]
    result = run(project, "documents", "import", str(table), "--new-kind")
    assert result.exit_code == 2  # the second row writes the new kind in other letters
    assert (
        "line 3: kind 'Feltsamtale': the project writes this kind as 'feltsamtale'"
        in (errors(result)[0])
    )
    assert_unchanged(project, before)
    table.write_text("document,kind\nnordvik_rektor,feltsamtale\nelvestad_rektor,feltsamtale\n")
    assert run(project, "documents", "import", str(table), "--new-kind").exit_code == 0
    assert codings_snapshot(project) == codings
    assert integrity_ok(project)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("matrix", "--kind", "intervjuu"),
            "--kind 'intervjuu': no documents of this kind (kinds in this project: egenrapport, "
            "fokusgruppe, intervju, intervjurapport); did you mean 'intervju'",
        ),
        (("quotes", "--kind", "Intervju"), "--kind 'Intervju': no documents of this kind"),
        (("matrix", "--coder", ""), "--coder is empty; give a coder's name"),
        (
            ("presence", "--coder", "kary"),
            "--coder 'kary': no codings by this coder (coders in this project: kari, ola); "
            "did you mean 'kari'?",
        ),
        (
            ("code", "nordvik_rektor", "1", "Helhetsperspektiv", "--coder", ""),
            "--coder is empty; give your name",
        ),
        (
            ("quotes", "--template", "({rolle}, {case})"),
            "--template '({rolle}, {case})': unknown field {rolle}; did you mean {role}",
        ),
        (
            ("cases", "set", "Nordvk", "fylke=Troms"),
            "unknown case 'Nordvk'; did you mean 'Nordvik'? (add --create to make a new case "
            "named 'Nordvk')",
        ),
    ],
)
def test_values_that_would_silently_select_nothing_are_errors(
    demo: tuple[Path, str, list[tuple[object, ...]]], args: tuple[str, ...], expected: str
) -> None:
    project, before, _ = demo
    result = run(project, *args)
    assert result.exit_code == 2, result.output
    (line,) = errors(result)
    assert expected in line
    assert not result.stdout
    assert_unchanged(project, before)


def test_the_template_error_lists_the_available_fields(
    demo: tuple[Path, str, list[tuple[object, ...]]],
) -> None:
    project, before, _ = demo
    (line,) = errors(run(project, "quotes", "--template", "{rolle}"))
    listed = line.split("available fields: ")[1].split(", ")
    for name in ("{case}", "{document}", "{speaker}", "{role}", "{kind}", "{fylke}"):
        assert name in listed
    ok = run(project, "quotes", "--code", "Helhetsperspektiv", "--template", "({Fylke}, {kind})")
    assert ok.exit_code == 0
    assert "— (Innlandet, intervju)" in ok.stdout
    assert_unchanged(project, before)


def test_an_empty_kodebok_coder_is_an_error(
    demo: tuple[Path, str, list[tuple[object, ...]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, before, _ = demo
    monkeypatch.setenv("KODEBOK_CODER", "")
    result = run(project, "code", "nordvik_rektor", "1", "Helhetsperspektiv")
    assert result.exit_code == 2
    assert errors(result) == [
        "Error: KODEBOK_CODER is set but empty; set it to your name (export KODEBOK_CODER=kari) "
        "or unset it to use the login name"
    ]
    assert_unchanged(project, before)


def test_cases_set_on_a_new_case_needs_create(
    demo: tuple[Path, str, list[tuple[object, ...]]],
) -> None:
    project, before, codings = demo
    assert run(project, "cases", "set", "Sjøby", "fylke=Troms").exit_code == 2
    assert_unchanged(project, before)
    result = run(project, "cases", "set", "Sjøby", "fylke=Troms", "--create")
    assert result.exit_code == 0
    assert result.stdout == "Sjøby: fylke=Troms\n"
    existing = run(project, "cases", "set", "Nordvik", "fylke=Troms")
    assert existing.exit_code == 0
    assert codings_snapshot(project) == codings
    assert integrity_ok(project)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_tui_shows_an_existing_1000_level_tree(demo_project: Path) -> None:
    from kodebok.services.codes import MAX_CODE_DEPTH
    from kodebok.tui.app import make_app
    from kodebok.tui.widgets.code_tree import CodeTree

    conn = sqlite3.connect(demo_project)
    parent = None
    for i in range(1000):
        cur = conn.execute(
            "INSERT INTO codes(parent_id, name, position) VALUES (?, ?, 100)", (parent, f"d{i}")
        )
        parent = cur.lastrowid
    conn.commit()
    conn.close()
    before = table_checksum(demo_project)
    app = make_app(demo_project, coder="kari", document="nordvik_rektor")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(CodeTree)
        assert tree.last_line >= 1000  # every code has a line (Textual built them all)
        deepest = max(len(line.path) for line in tree._tree_lines)
        assert deepest == MAX_CODE_DEPTH
    assert app.return_code in (None, 0)
    assert_unchanged(demo_project, before)
