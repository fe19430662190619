"""Table and quote writers: CSV (also Norwegian), XLSX, Markdown, HTML and DOCX."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_matrix import build_small_project

from kodebok.exchange import render_quotes, render_table
from kodebok.exchange.tables import (
    Table,
    csv_table,
    heat_colour,
    matrix_to_table,
    presence_to_table,
)
from kodebok.services import analysis
from kodebok.store import Project


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Project]:
    path = tmp_path / "liten.kodebok"
    build_small_project(path)
    with Project.open(path) as project:
        yield project


def test_norwegian_csv_has_decimal_commas_and_semicolons() -> None:
    table = Table(["kode", "Nordvik"], [["Styring", 12.5], ["N", 4]])
    assert csv_table(table) == "kode,Nordvik\nStyring,12.5\nN,4\n"
    assert csv_table(table, decimal=",") == "kode;Nordvik\nStyring;12,5\nN;4\n"


def test_matrix_csv_with_n_percent_cells_in_norwegian(small: Project) -> None:
    m = analysis.matrix(small, "case", "segments", "column")
    text = render_table(matrix_to_table(m, decimal=","), "csv", ",")
    assert isinstance(text, str)
    assert "Styring/Initiativ;0 (0,0 %);2 (66,7 %);0 (–);0 (0,0 %)" in text
    assert text.splitlines()[-1] == "N;2;3;0;1"


def test_xlsx_has_frozen_header_widths_and_a_colour_scale(small: Project) -> None:
    from openpyxl import load_workbook

    data = render_table(matrix_to_table(analysis.matrix(small, "case", "codings")), "xlsx")
    assert isinstance(data, bytes)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "B2"
    assert ws["A1"].value == "code"
    assert ws["A1"].font.bold
    assert ws.column_dimensions["A"].width >= len("Styring/Styringskort")
    ranges = [str(r.sqref) for r in ws.conditional_formatting]
    assert ranges == ["B2:E5"]  # the body, not the N row
    assert [c.value for c in ws[6]][:5] == ["N", 2, 4, 0, 1]


def test_xlsx_with_text_cells_gets_fixed_heat_fills(small: Project) -> None:
    from openpyxl import load_workbook

    m = analysis.matrix(small, "case", "codings", "column")
    ws = load_workbook(io.BytesIO(render_table(matrix_to_table(m), "xlsx"))).active  # type: ignore[arg-type]
    assert ws["C3"].value == "2 (50.0 %)"
    assert ws["C3"].fill.start_color.rgb.endswith("F08C3C") or ws["C3"].fill.fill_type == "solid"


def test_markdown_table_for_a_thesis(small: Project) -> None:
    text = render_table(
        presence_to_table(analysis.presence(small, ["Medvirkning"]), marks=True), "md"
    )
    assert "| case | Medvirkning |" in text
    assert "| Fjellbygd | ✓ |" in text
    assert "| Nordvik | – |" in text
    assert "| Sjøby | ? |" in text


def test_html_is_self_contained_with_heat_colours(small: Project) -> None:
    html = render_table(matrix_to_table(analysis.matrix(small, "case", "codings")), "html")
    assert isinstance(html, str)
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html
    assert "<table>" in html
    assert "<th>Nordvik</th>" in html
    assert "background:#F08C3C" in html  # the largest count
    assert "<script" not in html
    assert "http" not in html
    assert heat_colour(0, (0, 4)) == "FFFFFF"


def test_docx_quote_bank_has_headings_and_block_quotes(small: Project) -> None:
    from docx import Document

    data = render_quotes(analysis.quotes(small, ["Styring"], pseudonymise=True), "docx")
    assert isinstance(data, bytes)
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Styring", "Styring/Styringskort", "Styring/Initiativ"]
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert any(q.endswith("(rådmann, Kommune 2)") for q in quotes)
    assert not any("Nordvik" in q for q in quotes)


def test_quote_bank_in_markdown_html_and_csv(small: Project) -> None:
    sections = analysis.quotes(small, ["Medvirkning"])
    md = render_quotes(sections, "md")
    assert "## Medvirkning" in md
    assert "> Rektor: Tillitsvalgte var med fra starten." in md
    assert "> — (rektor, Fjellbygd)" in md
    html = render_quotes(sections, "html")
    assert "<blockquote>" in html
    assert "<cite>(rektor, Fjellbygd)</cite>" in html
    csv = render_quotes(sections, "csv")
    assert csv.splitlines()[0] == "code,group,case,document,speaker,attribution,text"
