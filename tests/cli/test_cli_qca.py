"""``kodebok qca`` commands on the Lipset data (LC.csv), run standalone through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kodebok.cli.qca import qca

LC = str(Path(__file__).resolve().parents[1] / "data" / "qca" / "LC.csv")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(qca, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_truth_table_json_has_r_rows() -> None:
    code, out, _ = run("truth-table", "--from", LC, "--outcome", "SURV", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["conditions"] == ["DEV", "URB", "LIT", "IND", "STB"]
    rows = {r["row"]: r for r in doc["rows"]}
    assert sorted(rows) == [1, 2, 5, 6, 22, 23, 24, 31, 32]
    assert rows[32] == {
        "row": 32,
        "configuration": "11111",
        "values": {"DEV": 1, "URB": 1, "LIT": 1, "IND": 1, "STB": 1},
        "OUT": "1",
        "n": 4,
        "incl": 1.0,
        "PRI": 1.0,
        "cases": ["BE", "CZ", "NL", "UK"],
    }
    assert doc["contradictions"] == []


def test_complete_truth_table_lists_remainders_with_null_incl() -> None:
    code, out, _ = run(
        "truth-table", "--from", LC, "--outcome", "SURV", "--complete", "--format", "json"
    )
    rows = json.loads(out)["rows"]
    assert code == 0
    assert len(rows) == 32
    assert rows[2] == {**rows[2], "OUT": "?", "n": 0, "incl": None, "PRI": None, "cases": []}


def test_truth_table_markdown_and_csv() -> None:
    code, out, _ = run("truth-table", "--from", LC, "--outcome", "SURV", "--decimal", ",")
    assert code == 0
    assert "| Rad | DEV | URB | LIT | IND | STB | OUT | n | incl | PRI | Caser |" in out
    assert "| 32 | 1 | 1 | 1 | 1 | 1 | 1 | 4 | 1,000 | 1,000 | BE, CZ, NL, UK |" in out
    code, out, _ = run("truth-table", "--from", LC, "--outcome", "SURV", "--format", "csv")
    assert out.splitlines()[0] == "row,DEV,URB,LIT,IND,STB,OUT,n,incl,PRI,cases"
    assert "32,1,1,1,1,1,1,4,1,1,BE;CZ;NL;UK" in out


def test_minimize_parsimonious_json_shape_and_values() -> None:
    code, out, _ = run(
        "minimize", "--from", LC, "--outcome", "SURV", "--solution", "parsimonious",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["solution"] == "parsimonious"
    (model,) = doc["models"]
    assert model["terms"] == ["DEV*STB"]
    assert (model["inclS"], model["PRI"], model["covS"]) == (1.0, 1.0, 1.0)
    assert model["terms_fit"] == [
        {"term": "DEV*STB", "inclS": 1.0, "PRI": 1.0, "covS": 1.0, "covU": None}
    ]
    assert model["simplifying_assumptions"] == [18, 20, 26, 28, 30]


def test_minimize_complex_is_the_default() -> None:
    code, out, _ = run("minimize", "--from", LC, "--outcome", "SURV", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["solution"] == "complex"
    (model,) = doc["models"]
    assert model["terms"] == ["DEV*~URB*LIT*STB", "DEV*LIT*IND*STB"]
    fits = {f["term"]: f for f in model["terms_fit"]}
    assert fits["DEV*~URB*LIT*STB"]["covS"] == pytest.approx(0.5)
    assert fits["DEV*~URB*LIT*STB"]["covU"] == pytest.approx(0.25)
    assert fits["DEV*LIT*IND*STB"]["covU"] == pytest.approx(0.5)


def test_minimize_intermediate_with_directional_expectations() -> None:
    code, out, _ = run(
        "minimize", "--from", LC, "--outcome", "SURV", "--solution", "intermediate",
        "--dir-exp", "DEV=1,URB=1,LIT=1,IND=1,STB=1", "--format", "json",
    )  # fmt: skip
    assert code == 0
    (model,) = json.loads(out)["models"]
    assert (model["from"], model["terms"]) == ("C1P1", ["DEV*LIT*STB"])
    assert model["easy_counterfactuals"] == [30]


def test_minimize_negated_outcome() -> None:
    code, out, _ = run(
        "minimize", "--from", LC, "--outcome", "SURV", "--negate", "--solution", "parsimonious",
        "--format", "json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0
    assert doc["outcome"] == "~SURV"
    assert [m["terms"] for m in doc["models"]] == [["~DEV", "~STB"]]


def test_minimize_markdown_for_a_thesis() -> None:
    code, out, _ = run("minimize", "--from", LC, "--outcome", "SURV", "--solution", "parsimonious")
    assert code == 0
    assert "M1: DEV*STB → SURV" in out
    assert "| Term | inclS | PRI | covS | covU |" in out
    assert "| DEV*STB | 1.000 | 1.000 | 1.000 | - |" in out


def test_necessity_json() -> None:
    code, out, _ = run("necessity", "--from", LC, "--outcome", "SURV", "--format", "json")
    assert code == 0
    rows = {r["condition"]: r for r in json.loads(out)["conditions"]}
    assert list(rows)[:2] == ["DEV", "~DEV"]
    assert rows["DEV"]["inclN"] == 1.0
    assert rows["DEV"]["covN"] == pytest.approx(0.8)
    assert rows["DEV"]["RoN"] == pytest.approx(0.8)
    assert rows["~STB"]["inclN"] == 0.0


def test_output_file_follows_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "losning.json"
    code, _, err = run("minimize", "--from", LC, "--outcome", "SURV", "-o", str(target))
    assert code == 0
    assert "Wrote" in err
    assert json.loads(target.read_text(encoding="utf-8"))["solution"] == "complex"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--outcome", "NOPE"], "no outcome column 'NOPE'"),
        (["--outcome", "SURV", "--solution", "intermediate"], "needs --dir-exp"),
        (["--outcome", "SURV", "--dir-exp", "DEV=1"], "only to --solution intermediate"),
        (
            ["--outcome", "SURV", "--solution", "intermediate", "--dir-exp", "RICH=1"],
            "unknown condition 'RICH'",
        ),
        (["--outcome", "SURV", "--incl-cut", "x"], "--incl-cut takes a number"),
    ],
)
def test_expected_errors_exit_2_with_one_line_on_stderr(args: list[str], message: str) -> None:
    code, out, err = run("minimize", "--from", LC, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("Error: ")
    assert message in err
    assert "Traceback" not in err


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("truth-table", "--from", str(tmp_path / "nope.csv"), "--outcome", "Y")
    assert code == 2
    assert "Error" in err
