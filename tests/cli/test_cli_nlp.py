"""``kodebok suggest`` and ``kodebok themes`` as spec/cli.md describes them."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from kodebok.store import Project

DATA = Path(__file__).resolve().parent.parent / "data" / "nlp"
Cli = Callable[..., Result]


@pytest.fixture
def built(project_path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("nlp_fixture", DATA / "fixture_project.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Project.open(project_path) as project:
        module.build(project)
    return project_path


def test_suggest_json_lines_follow_the_contract(cli: Cli, built: Path) -> None:
    result = cli("suggest", "--doc", "storsjo_ordforer", "--top", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["idx"] for line in lines] == [1, 3, 5, 7, 9]
    for line in lines:
        assert set(line) == {"segment", "document", "idx", "number", "suggestions"}
        assert line["number"] == line["idx"] + 1
        assert line["document"] == "storsjo_ordforer"
        assert len(line["suggestions"]) <= 2
        scores = [s["score"] for s in line["suggestions"]]
        assert scores == sorted(scores, reverse=True)
        for s in line["suggestions"]:
            assert set(s) == {"code", "score", "source", "why"}
            assert s["source"] in ("codebook", "learned", "vectors")
            assert 0.0 <= s["score"] <= 1.0
            assert all(isinstance(w, str) for w in s["why"])
    assert lines[2]["suggestions"][0]["code"] == "Metoder/Lederavtaler"


def test_suggest_one_segment_as_text(cli: Cli, built: Path) -> None:
    # --segment is the segment's number in --doc (#10 is idx 9), as the coding screen shows it
    result = cli("suggest", "--doc", "storsjo_ordforer", "--segment", "10")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "storsjo_ordforer #10"
    assert "Metoder/Undersøkelser" in result.stdout
    assert "[learned]" in result.stdout


def test_suggest_segment_needs_its_document(cli: Cli, built: Path) -> None:
    result = cli("suggest", "--segment", "10")
    assert result.exit_code == 2
    assert "--segment NUMBER needs --doc DOC" in result.stderr


def test_suggest_uncoded_lists_only_uncoded_segments(cli: Cli, built: Path) -> None:
    result = cli("suggest", "--uncoded", "--format", "json")
    docs = {(o["document"], o["idx"]) for o in map(json.loads, result.stdout.splitlines())}
    assert ("storsjo_ordforer", 1) in docs
    assert ("nordvik_radmann", 1) not in docs


def test_suggest_unknown_document_exits_2_with_a_hint(cli: Cli, built: Path) -> None:
    result = cli("suggest", "--doc", "storsjo_ordfører")
    assert result.exit_code == 2
    assert "storsjo_ordforer" in result.stderr
    assert "Traceback" not in result.output


def test_suggest_without_codes_exits_2(cli: Cli, project_path: Path) -> None:
    result = cli("suggest")
    assert result.exit_code == 2
    assert "no codes" in result.stderr


def test_suggest_evaluate_reports_baseline_and_suggesters(cli: Cli, built: Path) -> None:
    text = cli("suggest", "--evaluate", "--folds", "3")
    assert text.exit_code == 0, text.output
    assert "baseline" in text.stdout
    assert "combined" in text.stdout
    assert "recall@3" in text.stdout
    report = json.loads(cli("suggest", "--evaluate", "--format", "json").stdout)
    assert {"baseline", "combined"} <= set(report["results"])


def test_themes_json_md_and_text(cli: Cli, built: Path) -> None:
    report = json.loads(cli("themes", "--by", "case", "--top", "3", "--format", "json").stdout)
    assert report["by"] == "case"
    assert len(report["groups"]) == 4
    term = report["groups"][0]["terms"][0]
    assert set(term) == {"term", "count", "count_rest", "log_odds", "z"}
    md = cli("themes", "--by", "document", "--format", "md").stdout
    assert md.startswith("## ")
    assert "| term |" in md
    text = cli("themes").stdout.splitlines()
    heads = [line.split() for line in text if line.startswith("  term ")]
    assert heads
    assert all(h == ["term", "n", "others", "z"] for h in heads)
    assert "others: in all other groups" in "\n".join(text[:3])


def test_themes_keep_names_is_accepted(cli: Cli, built: Path) -> None:
    result = cli("themes", "--keep-names", "--top", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["groups"]) == 4


def test_themes_clusters(cli: Cli, built: Path) -> None:
    result = cli("themes", "--clusters", "-k", "2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clusters"]
    assert "segments" in cli("themes", "--clusters").stdout


def test_themes_with_an_unknown_attribute_exits_2(cli: Cli, built: Path) -> None:
    result = cli("themes", "--by", "fylke")
    assert result.exit_code == 2
    assert "unknown grouping" in result.stderr


def test_suggest_on_a_missing_project_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("suggest", project=tmp_path / "finnes-ikke.kodebok")
    assert result.exit_code == 2
    assert "finnes-ikke.kodebok" in result.stderr
    assert "Traceback" not in result.output
