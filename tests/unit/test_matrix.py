"""Code × group matrices: units, roll-up, percentages, "n (%)" cells, N row, groups of every kind."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kodebok.analysis.groups import Grouping, natural_key, resolve_grouping
from kodebok.analysis.matrix import coded_words, matrix_json, matrix_table, merge_spans, percentages
from kodebok.errors import AnalysisError
from kodebok.services import analysis
from kodebok.store import Project

NORDVIK = [
    ("IP", "Vi innførte styringskort i 2019."),
    ("I", "Hvem tok initiativet?"),
    ("IP", "Rådmannen i Nordvik tok initiativet, og Kari Hansen hjalp til."),
]
FJELLBYGD = [
    ("Rektor", "Tillitsvalgte var med fra starten."),
    ("Kari", "Styringskortet er for tungt i Fjellbygd."),
]


def add(conn: sqlite3.Connection, table: str, **values: Any) -> int:
    """Insert one row and return its id."""
    cols = ", ".join(f'"{c}"' for c in values)
    marks = ", ".join("?" for _ in values)
    cur = conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))
    return int(cur.lastrowid or 0)


def build_small_project(path: Path) -> None:
    """Two kommuner with interviews, one without documents, and a note without a kommune.

    Codes: Styring (Styringskort, Initiativ), Medvirkning. Segment 0 of Nordvik is coded
    Styringskort by two coders and Initiativ on a part of it.
    """
    project = Project.create(path)
    c = project.conn
    c.execute("BEGIN")
    nordvik = add(c, "cases", name="Nordvik")
    fjell = add(c, "cases", name="Fjellbygd")
    add(c, "cases", name="Sjøby")
    for case, size in ((nordvik, "3001–8000"), (fjell, "≤3000")):
        add(c, "attributes", entity_kind="case", entity_id=case, name="storrelse", value=size)
    styring = add(c, "codes", name="Styring", position=0)
    codes = {
        "Styring": styring,
        "Styring/Styringskort": add(c, "codes", name="Styringskort", parent_id=styring),
        "Styring/Initiativ": add(c, "codes", name="Initiativ", parent_id=styring, position=1),
        "Medvirkning": add(c, "codes", name="Medvirkning", position=1),
    }
    segs: dict[tuple[str, int], tuple[int, int, int, int]] = {}
    documents = (
        ("nordvik_radmann", nordvik, NORDVIK, "intervju"),
        ("fjellbygd_rektor", fjell, FJELLBYGD, "intervju"),
        ("notat", None, [("", "Et notat uten kommune.")], "styringsdokument"),
    )
    for name, case, turns, kind in documents:
        lines = [f"{label}: {text}" if label else text for label, text in turns]
        doc = add(
            c,
            "documents",
            name=name,
            kind=kind,
            case_id=case,
            text="\n".join(lines),
            sha256=name,
            imported_at="2024-01-01",
        )
        speakers: dict[str, int] = {}
        pos = 0
        for i, ((label, _), line) in enumerate(zip(turns, lines, strict=True)):
            if label and label not in speakers:
                speakers[label] = add(
                    c, "speakers", document_id=doc, label=label, interviewer=int(label == "I")
                )
            seg = add(
                c,
                "segments",
                document_id=doc,
                idx=i,
                start=pos,
                end=pos + len(line),
                speaker_id=speakers.get(label),
                text=line,
            )
            segs[(name, i)] = (doc, seg, pos, pos + len(line))
            pos += len(line) + 1
        if case is not None:
            add(
                c,
                "attributes",
                entity_kind="document",
                entity_id=doc,
                name="date",
                value="2023-10-12",
            )
    spk = {r[1]: r[0] for r in c.execute("SELECT id, label FROM speakers")}
    for label, name, value in (
        ("IP", "role", "rådmann"),
        ("IP", "level", "administrativ"),
        ("Rektor", "role", "rektor"),
        ("Rektor", "level", "tjenesteledere"),
    ):
        add(c, "attributes", entity_kind="speaker", entity_id=spk[label], name=name, value=value)

    def code(
        doc: str, idx: int, path: str, coder: str = "ane", span: tuple[int, int] | None = None
    ) -> None:
        d, s, a, b = segs[(doc, idx)]
        if span:
            a, b = a + span[0], a + span[1]
        add(
            c,
            "codings",
            document_id=d,
            segment_id=s,
            start=a,
            end=b,
            code_id=codes[path],
            coder=coder,
            created_at="2024-01-01",
        )

    code("nordvik_radmann", 0, "Styring/Styringskort")
    code("nordvik_radmann", 0, "Styring/Styringskort", coder="bo")
    code("nordvik_radmann", 0, "Styring/Initiativ", span=(4, 12))
    code("nordvik_radmann", 2, "Styring/Initiativ")
    code("fjellbygd_rektor", 0, "Medvirkning")
    code("fjellbygd_rektor", 1, "Styring/Styringskort")
    code("notat", 0, "Styring")
    c.execute("COMMIT")
    project.close()


@pytest.fixture
def small(tmp_path: Path) -> Project:
    path = tmp_path / "liten.kodebok"
    build_small_project(path)
    project = Project.open(path)
    yield project  # type: ignore[misc]
    project.close()


def _row(m: Any, code: str) -> tuple[int, ...]:
    return next(r.values for r in m.rows if r.code == code)


def test_matrix_by_case_keeps_empty_groups_and_codes_and_adds_a_no_case_group(
    small: Project,
) -> None:
    m = analysis.matrix(small, "case", "codings")
    assert [g.label for g in m.columns] == ["Fjellbygd", "Nordvik", "Sjøby", "(ingen)"]
    assert _row(m, "Styring") == (0, 0, 0, 1)
    assert _row(m, "Styring/Styringskort") == (1, 2, 0, 0)
    assert _row(m, "Medvirkning") == (1, 0, 0, 0)
    assert m.n == (2, 4, 0, 1)  # all codings per group; Sjøby has no documents


def test_rollup_counts_a_segment_once_per_parent(small: Project) -> None:
    m = analysis.matrix(small, "case", "segments", rollup=True)
    # Nordvik segment 0 has Styringskort twice and Initiativ: one segment for Styring
    assert _row(m, "Styring") == (1, 2, 0, 1)
    codings = analysis.matrix(small, "case", "codings", rollup=True)
    assert _row(codings, "Styring") == (1, 4, 0, 1)


def test_n_row_holds_group_sizes_in_the_chosen_unit(small: Project) -> None:
    assert analysis.matrix(small, "case", "segments").n == (2, 3, 0, 1)
    assert analysis.matrix(small, "case", "documents").n == (1, 1, 0, 1)
    # informants only: Nordvik's interviewer is not a speaker "with the code" nor in N
    assert analysis.matrix(small, "case", "speakers").n == (2, 1, 0)
    words = analysis.matrix(small, "case", "words")
    assert words.n[1] == 6 + 4 + 11  # words of Nordvik's segments, labels included


def test_column_percentages_are_of_the_group_n_and_row_percentages_of_the_row_total(
    small: Project,
) -> None:
    col = analysis.matrix(small, "case", "segments", "column")
    row = next(r for r in col.rows if r.code == "Styring/Initiativ")
    assert row.percents == (0.0, pytest.approx(200 / 3), None, 0.0)
    rowp = analysis.matrix(small, "case", "codings", "row")
    sk = next(r for r in rowp.rows if r.code == "Styring/Styringskort")
    assert sk.percents == (pytest.approx(100 / 3), pytest.approx(200 / 3), 0.0, 0.0)
    assert percentages([0, 0], [0, 0], "row") == (None, None)


def test_n_percent_cells_and_the_n_row_in_table_output(small: Project) -> None:
    m = analysis.matrix(small, "case", "segments", "column")
    headers, rows = matrix_table(m)
    assert headers == ["code", "Fjellbygd", "Nordvik", "Sjøby", "(ingen)"]
    initiativ = next(r for r in rows if r[0] == "Styring/Initiativ")
    assert initiativ[1:] == ["0 (0.0 %)", "2 (66.7 %)", "0 (–)", "0 (0.0 %)"]
    assert rows[-1] == ["N", 2, 3, 0, 1]
    _, norsk = matrix_table(m, decimal=",")
    assert next(r for r in norsk if r[0] == "Styring/Initiativ")[2] == "2 (66,7 %)"


def test_attribute_groups_from_cases_documents_and_speakers(small: Project) -> None:
    by_size = analysis.matrix(small, "storrelse", "documents")
    assert by_size.grouping == Grouping("case", "storrelse")
    assert [g.label for g in by_size.columns] == ["≤3000", "3001–8000", "(ingen verdi)"]
    by_date = analysis.matrix(small, "date", "codings")
    assert by_date.grouping == Grouping("document", "date")
    assert [g.label for g in by_date.columns] == ["2023-10-12", "(ingen verdi)"]
    by_level = analysis.matrix(small, "level", "speakers")
    assert by_level.grouping == Grouping("speaker", "level")
    assert _row(by_level, "Styring/Initiativ") == (1, 0, 0)
    assert _row(by_level, "Medvirkning") == (0, 1, 0)
    assert matrix_json(by_level)["entity"] == "speaker"


def test_ambiguous_attribute_needs_the_prefix_form() -> None:
    available = {"case": ["level"], "speaker": ["level", "role"], "document": []}
    with pytest.raises(AnalysisError, match="'case:level', 'speaker:level'"):
        resolve_grouping("level", available)
    assert resolve_grouping("speaker:level", available) == Grouping("speaker", "level")
    with pytest.raises(AnalysisError, match="available: case, document, speaker, case:level"):
        resolve_grouping("kjønn", available)


def test_coded_words_count_overlapping_codings_once(small: Project) -> None:
    assert merge_spans([(5, 9), (0, 3), (3, 4), (8, 12)]) == [(0, 4), (5, 12)]
    assert coded_words("vi innførte styringskort", [(0, 11), (3, 24), (0, 2)]) == 3
    m = analysis.matrix(small, "document", "words")
    # Styringskort coded twice on "IP: Vi innførte styringskort i 2019." (6 words) counts 6
    assert (
        _row(m, "Styring/Styringskort")[
            m.columns.index(next(g for g in m.columns if g.label == "nordvik_radmann"))
        ]
        == 6
    )


def test_filters_by_coder_and_document_kind(small: Project) -> None:
    bo = analysis.matrix(small, "case", "codings", filters=analysis.Filters(coder="bo"))
    assert _row(bo, "Styring/Styringskort") == (0, 1, 0)
    interviews = analysis.matrix(
        small, "document", "codings", filters=analysis.Filters(kinds=("intervju",))
    )
    assert [g.label for g in interviews.columns] == ["fjellbygd_rektor", "nordvik_radmann"]


def test_groups_sort_naturally() -> None:
    values = ["10", "2", "Kommune 10", "Kommune 9"]
    assert sorted(values, key=natural_key) == ["2", "10", "Kommune 9", "Kommune 10"]
    bands = ["≥30001", "3001–8000", "under 1000", "≤3000", "8001–30000", "over 50 000"]
    assert sorted(bands, key=natural_key) == [
        "under 1000",
        "≤3000",
        "3001–8000",
        "8001–30000",
        "≥30001",
        "over 50 000",
    ]


def test_json_has_the_spec_shape(small: Project) -> None:
    data = matrix_json(analysis.matrix(small, "case", "codings", "column"))
    assert set(data) >= {"columns", "rows", "n"}
    assert data["rows"][0] == {
        "code": "Styring",
        "values": [0, 0, 0, 1],
        "depth": 0,
        "percent": [0.0, 0.0, None, 100.0],
    }


def test_document_kind_groups_like_a_document_attribute(small: Project) -> None:
    m = analysis.matrix(small, "kind", "documents")
    assert m.grouping == Grouping("document", "kind")
    assert [g.label for g in m.columns] == ["intervju", "styringsdokument"]
    assert _row(m, "Styring") == (0, 1)
    assert m.n == (2, 1)
