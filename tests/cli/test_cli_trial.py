"""What a student's trial of the CLI turned up: quotes with nothing to quote, memo's help,
undo messages that say what and how much, search and suggest in the TUI's numbers."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from click.testing import Result


def _count(project: Path, sql: str) -> int:
    conn = sqlite3.connect(project)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def test_quotes_with_nothing_to_quote_says_so_and_writes_nothing(
    demo_project: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    assert cli("codebook", "add", "Tom kode", project=demo_project).exit_code == 0
    out = tmp_path / "sitater.docx"
    result = cli(
        "quotes", "--code", "Tom kode", "--format", "docx", "-o", str(out), project=demo_project
    )
    assert result.exit_code == 2
    assert result.stderr == "Error: nothing to quote: no coded text for Tom kode; nothing written\n"
    assert not out.exists()
    as_json = cli("quotes", "--code", "Tom kode", "--format", "json", project=demo_project)
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == []
    assert "Note: nothing to quote" in as_json.stderr
    # with something to quote, nothing changes
    assert cli("quotes", "--code", "Lederavtaler", project=demo_project).exit_code == 0


def test_memo_help_describes_memos(cli: Callable[..., Result]) -> None:
    text = cli("memo", "--help").output
    assert "DOCUMENT [NUMBER]" in text
    assert "A memo is a free note of your own" in text
    assert "#1 is the first turn" in text


def test_undo_of_a_qdpx_import_names_what_and_how_much(
    demo_project: Path, cli: Callable[..., Result], tmp_path: Path
) -> None:
    archive = tmp_path / "nordvik.qdpx"
    assert cli("export", "qdpx", str(archive), project=demo_project).exit_code == 0
    documents = _count(demo_project, "SELECT COUNT(*) FROM documents")
    codings = _count(demo_project, "SELECT COUNT(*) FROM codings")
    fresh = tmp_path / "ny.kodebok"
    assert cli("init", project=fresh).exit_code == 0
    assert cli("import", str(archive), project=fresh).exit_code == 0
    cases = _count(fresh, "SELECT COUNT(*) FROM cases")
    codes = _count(fresh, "SELECT COUNT(*) FROM codes")
    undo = cli("undo", project=fresh)
    assert undo.output == (
        f"Angret: Importer nordvik.qdpx ({documents} dokumenter, {cases} caser, {codes} koder, "
        f"{codings} kodinger)\n"
    )
    assert _count(fresh, "SELECT COUNT(*) FROM documents") == 0
    redo = cli("redo", project=fresh)
    assert redo.output == undo.output.replace("Angret", "Gjort om igjen")


def test_undo_of_one_coding_names_the_segment_by_its_number(
    demo_project: Path, cli: Callable[..., Result]
) -> None:
    assert cli("code", "nordvik_rektor", "4", "Lederavtaler", project=demo_project).exit_code == 0
    assert cli("uncode", "nordvik_rektor", "4", "Lederavtaler", project=demo_project).exit_code == 0
    undo = cli("undo", project=demo_project).output
    assert undo == "Angret: Fjern Metoder/Lederavtaler fra nordvik_rektor #4\n"
    history = cli("history", "--limit", "2", project=demo_project).output
    assert "Kode nordvik_rektor #4 med Metoder/Lederavtaler" in history


def test_search_and_suggest_text_use_the_number(
    demo_project: Path, cli: Callable[..., Result]
) -> None:
    hits = cli("search", "lederavtalen", "--format", "json", project=demo_project)
    found = json.loads(hits.stdout)
    assert found
    assert all(h["number"] == h["idx"] + 1 for h in found)
    text = cli("search", "lederavtalen", project=demo_project).stdout.splitlines()
    assert text[0].split()[:2] == ["document", "number"]
    first = found[0]
    assert any(line.split()[:2] == [first["document"], f"#{first['number']}"] for line in text[2:])
    segs = json.loads(
        cli("segments", "--doc", first["document"], "--format", "json", project=demo_project).stdout
    )
    assert segs[first["idx"]]["number"] == first["number"]
    assert first["match"].lower() in segs[first["idx"]]["text"].lower()
