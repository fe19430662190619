"""Bad input gives one clear line on stderr, exit 1 or 2, and leaves the project untouched."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

GOOD = "I: Hvordan startet dere?\nIP: Rådmannen tok initiativet til styringskortet.\n"


@pytest.fixture
def seeded(tmp_path: Path, cli: Callable[..., Result]) -> Path:
    good = tmp_path / "bra.txt"
    good.write_text(GOOD, encoding="utf-8")
    assert cli("import", str(good)).exit_code == 0
    return tmp_path


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "binary.txt": (bytes(range(256)) * 20, "binary"),
    "tom.txt": (b"", "empty"),
    "utf16.txt": ("Intervju om styring og medvirkning i kommunen".encode("utf-16-le"), ""),
    "ikke_zip.docx": (b"Dette er ikke en zip-fil i det hele tatt", "docx"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_fails_cleanly_and_changes_nothing(
    name: str,
    seeded: Path,
    cli: Callable[..., Result],
    project_path: Path,
    checksum: Callable[[Path], str],
) -> None:
    data, _ = BAD_FILES[name]
    bad = seeded / name
    bad.write_bytes(data)
    before = checksum(project_path)
    result = cli("import", str(bad))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert name in errors[0]
    assert checksum(project_path) == before


def test_a_folder_with_one_bad_file_imports_the_rest(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    folder = tmp_path / "mappe"
    folder.mkdir()
    (folder / "a.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b.txt").write_text(GOOD.replace("Rådmannen", "Ordføreren"), encoding="utf-8")
    (folder / "c.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = cli("import", str(folder))
    assert result.exit_code == 1
    assert "a: 2 segments" in result.output
    assert "b: 2 segments" in result.output
    assert "c.txt" in result.output


def test_cp1252_text_is_read_with_norwegian_letters(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    path = tmp_path / "gammel.txt"
    path.write_bytes(
        "I: Hvordan?\r\nIP: Rådmannen og ordføreren var enige om målene.\r\n".encode("cp1252")
    )
    assert cli("import", str(path)).exit_code == 0
    assert "Rådmannen og ordføreren" in cli("segments").output


def test_a_locked_project_is_refused_with_a_message(
    seeded: Path,
    cli: Callable[..., Result],
    project_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KODEBOK_BUSY_TIMEOUT", "0.2")
    holder = sqlite3.connect(str(project_path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        other = seeded / "annen.txt"
        other.write_text(GOOD.replace("Rådmannen", "Kommunalsjefen"), encoding="utf-8")
        result = cli("import", str(other))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2
    assert "locked by another program" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_document_names_the_nearest(seeded: Path, cli: Callable[..., Result]) -> None:
    result = cli("segments", "--doc", "bar")
    assert result.exit_code == 2
    assert "unknown document 'bar'" in result.output
    assert "'bra'" in result.output
