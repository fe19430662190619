"""`kodebok demo` builds a project that looks like real work: 16+ documents, cases, two coders."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kodebok.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(
        main, ["demo", "--dir", str(folder), "--no-tui"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip().splitlines()[0])
    assert path.exists()
    return path


def _json(demo: Path, *args: str) -> object:
    result = CliRunner().invoke(main, ["-p", str(demo), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_has_documents_with_segments_and_speakers(demo: Path) -> None:
    docs = _json(demo, "documents", "--format", "json")
    assert isinstance(docs, list)
    assert len(docs) >= 16
    for d in docs:
        assert d["segments"] > 0, d["name"]
        assert d["speakers"] > 0, d["name"]
        assert d["case"], d["name"]


def test_demo_cases_carry_attributes(demo: Path) -> None:
    cases = _json(demo, "cases", "--format", "json")
    assert isinstance(cases, list)
    assert len(cases) == 4
    for c in cases:
        assert {"fylke", "innbyggere", "organisering", "oppfolgingskommune"} <= set(c["attributes"])
    # the values are the demo material's case table, read here with the csv module
    table = Path(__file__).resolve().parents[2] / "transcripts" / "cases.csv"
    with table.open(encoding="utf-8-sig", newline="") as fh:
        expected = {row.pop("case"): row for row in csv.DictReader(fh)}
    assert {c["name"]: c["attributes"] for c in cases} == expected


def test_demo_documents_progress_and_words_are_counted_from_the_material(demo: Path) -> None:
    import re
    import sqlite3

    docs = _json(demo, "documents", "--format", "json")
    assert isinstance(docs, list)
    conn = sqlite3.connect(str(demo))
    for d in docs:
        said = conn.execute(
            "SELECT s.text, COALESCE(sp.interviewer, 0), "
            "EXISTS (SELECT 1 FROM codings k WHERE k.segment_id = s.id) FROM segments s "
            "LEFT JOIN speakers sp ON sp.id = s.speaker_id JOIN documents x "
            "ON x.id = s.document_id WHERE x.name = ?",
            (d["name"],),
        ).fetchall()
        assert d["words"] == sum(len(re.findall(r"\w+", text)) for text, _, _ in said)
        informant = [coded for _, interviewer, coded in said if not interviewer]
        assert d["informant_segments"] == len(informant) <= d["segments"]
        assert d["coded_segments"] == sum(informant)
    conn.close()


def test_two_coders_share_at_least_three_documents(demo: Path) -> None:
    rows = _json(demo, "codings", "export", "--format", "json")
    assert isinstance(rows, list)
    by_coder: dict[str, set[str]] = {}
    for r in rows:
        by_coder.setdefault(r["coder"], set()).add(r["document"])
    assert set(by_coder) == {"kari", "ola"}
    assert len(by_coder["kari"] & by_coder["ola"]) >= 3
    spans = [r for r in rows if r["coder"] == "ola"]
    assert any(r["text"] != "" and r["segment_idx"] is not None for r in spans)


def test_subtitle_interviewers_are_marked(demo: Path) -> None:
    speakers = _json(demo, "speakers", "--format", "json")
    assert isinstance(speakers, list)
    sp = {(s["document"], s["label"]): s for s in speakers}
    assert sp[("elvestad_kommunalsjef", "SPEAKER_00")]["interviewer"] is True
    assert sp[("elvestad_kommunalsjef", "SPEAKER_01")]["attributes"]["role"] == "kommunalsjef"


def test_demo_refuses_to_overwrite(demo: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--dir", str(demo.parent), "--no-tui"])
    assert result.exit_code == 2
    assert "exists already" in result.output
