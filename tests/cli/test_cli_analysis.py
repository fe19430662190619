"""Command-line contract of matrix, cooccurrence, presence (and presence set) and quotes."""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_matrix import build_small_project

Run = Callable[..., Result]


@pytest.fixture
def small(tmp_path: Path, cli: Run) -> Run:
    """The CLI bound to the small Norwegian project."""
    path = tmp_path / "liten.kodebok"
    build_small_project(path)

    def run(*args: str) -> Result:
        return cli(*args, project=path)

    return run


def test_matrix_json_has_the_spec_shape(small: Run) -> None:
    result = small("matrix", "--by", "storrelse", "--unit", "documents", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["columns"] == ["≤3000", "3001–8000", "(ingen verdi)"]
    assert data["rows"][1]["code"] == "Styring/Styringskort"
    assert data["rows"][1]["values"] == [1, 1, 0]
    assert data["n"] == [1, 1, 1]
    assert data["entity"] == "case"
    assert data["unit"] == "documents"


def test_matrix_by_speaker_attribute_with_percent_and_rollup(small: Run) -> None:
    result = small(
        "matrix",
        "--by",
        "speaker:level",
        "--unit",
        "segments",
        "--percent",
        "column",
        "--rollup",
        "--format",
        "json",
    )
    data = json.loads(result.output)
    styring = data["rows"][0]
    assert styring["values"] == [2, 0, 2]
    assert styring["percent"][0] == 100.0


def test_bad_by_exits_2_and_lists_the_attributes(small: Run) -> None:
    result = small("matrix", "--by", "fylke")
    assert result.exit_code == 2
    assert "unknown grouping 'fylke'" in result.stderr
    assert "case:storrelse" in result.stderr
    assert "speaker:level" in result.stderr


def test_unknown_code_exits_2_with_nearest_matches(small: Run) -> None:
    result = small("presence", "--codes", "Styringskrot")
    assert result.exit_code == 2
    assert "did you mean" in result.stderr
    assert "'Styring/Styringskort'" in result.stderr
    assert small("quotes", "--code", "Medvirk").exit_code == 2


def test_output_file_format_follows_the_extension(small: Run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "matrise.xlsx"
    result = small("matrix", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert load_workbook(out).active.freeze_panes == "B2"
    md = tmp_path / "matrise.md"
    small("matrix", "--percent", "row", "-o", str(md))
    assert "| code | Fjellbygd |" in md.read_text(encoding="utf-8")


def test_norwegian_csv(small: Run) -> None:
    result = small("matrix", "--percent", "column", "--format", "csv", "--decimal", ",")
    assert result.output.splitlines()[0] == "code;Fjellbygd;Nordvik;Sjøby;(ingen)"
    assert "50,0 %" in result.output


def test_cooccurrence_json(small: Run, tmp_path: Path) -> None:
    data = json.loads(small("cooccurrence", "--unit", "overlap", "--format", "json").output)
    assert data["unit"] == "overlap"
    assert data["columns"][0] == "Styring"
    assert {"code", "values"} <= set(data["rows"][0])
    # counted here pair by pair: codings of two codes whose spans share a character
    conn = sqlite3.connect(str(tmp_path / "liten.kodebok"))
    codings = conn.execute(
        'SELECT k.document_id, k.start, k."end", c.id FROM codings k JOIN codes c '
        "ON c.id = k.code_id"
    ).fetchall()
    paths = dict(conn.execute("SELECT id, name FROM codes").fetchall())
    parents = dict(conn.execute("SELECT id, parent_id FROM codes").fetchall())
    conn.close()

    def path(code: int) -> str:
        parent = parents[code]
        return paths[code] if parent is None else f"{path(parent)}/{paths[code]}"

    expected: dict[tuple[str, str], int] = {}
    for i, (doc_a, start_a, end_a, code_a) in enumerate(codings):
        for doc_b, start_b, end_b, code_b in codings[i + 1 :]:
            if code_a != code_b and doc_a == doc_b and max(start_a, start_b) < min(end_a, end_b):
                for key in ((path(code_a), path(code_b)), (path(code_b), path(code_a))):
                    expected[key] = expected.get(key, 0) + 1
    assert expected  # the small project has overlapping codings of different codes
    shown = {
        (row["code"], column): value
        for row in data["rows"]
        for column, value in zip(data["columns"], row["values"], strict=True)
        if row["code"] != column
    }
    assert {k: v for k, v in shown.items() if v} == expected


def test_presence_csv_uses_1_0_and_empty(small: Run) -> None:
    result = small("presence", "--codes", "Medvirkning,Styring/Initiativ", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "case,Medvirkning,Styring/Initiativ",
        "Fjellbygd,1,0",
        "Nordvik,0,1",
        "Sjøby,,",
    ]


def test_presence_set_with_note_wins_and_json_shows_provenance(small: Run) -> None:
    result = small(
        "presence",
        "set",
        "Nordvik",
        "Medvirkning",
        "1",
        "--note",
        "Nevnt i e-post",
        "--coder",
        "ane",
    )
    assert result.exit_code == 0, result.output
    small("presence", "set", "Fjellbygd", "Medvirkning", "-", "--coder", "bo")
    data = json.loads(small("presence", "--codes", "Medvirkning", "--format", "json").output)
    rows = {c["case"]: c for c in data["cases"]}
    assert rows["Nordvik"]["values"] == [1]
    cell = rows["Nordvik"]["cells"][0]
    assert cell["source"] == "override"
    assert cell["note"] == "Nevnt i e-post"
    assert cell["author"] == "ane"
    assert cell["at"]
    assert rows["Fjellbygd"]["values"] == [None]
    assert rows["Sjøby"]["cells"][0]["source"] == "no-documents"
    assert small("presence", "set", "Nordvik", "Medvirkning", "clear").exit_code == 0
    small("presence", "set", "Fjellbygd", "Medvirkning", "--clear")
    data = json.loads(small("presence", "--codes", "Medvirkning", "--format", "json").output)
    assert [c["values"] for c in data["cases"]] == [[1], [0], [None]]


def test_presence_set_bad_value_or_case_exits_2(small: Run) -> None:
    assert small("presence", "set", "Nordvik", "Medvirkning", "kanskje").exit_code == 2
    result = small("presence", "set", "Nordvk", "Medvirkning", "1")
    assert result.exit_code == 2
    assert "Nordvik" in result.stderr


def test_presence_thresholds_and_markdown(small: Run) -> None:
    result = small(
        "presence", "--codes", "Styring/Initiativ", "--min-codings", "2", "--format", "md"
    )
    assert "| Nordvik | ✓ |" in result.output
    assert "| Fjellbygd | – |" in result.output
    result = small(
        "presence",
        "--codes",
        "Styring/Initiativ",
        "--min-share",
        "50%",
        "--absent-as-unreported",
        "--format",
        "csv",
    )
    assert result.output.splitlines()[1:] == ["Fjellbygd,", "Nordvik,1", "Sjøby,"]


def test_quotes_markdown_pseudonymised(small: Run) -> None:
    result = small(
        "quotes", "--code", "Styring", "--pseudonymise", "--template", "({level}, {case})"
    )
    assert result.exit_code == 0, result.output
    assert "Nordvik" not in result.output
    assert "Kari" not in result.output
    assert "> — (administrativ, Kommune 2)" in result.output


def test_quotes_docx_to_file(small: Run, tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "sitater.docx"
    assert small("quotes", "--by", "case", "-o", str(out)).exit_code == 0
    doc = Document(io.BytesIO(out.read_bytes()))
    assert any(p.style.name == "Quote" for p in doc.paragraphs)
