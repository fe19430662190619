"""``kodebok qca`` on fuzzy data (LF.csv): read as fuzzy with a note, R's numbers in every report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kodebok.cli.qca import qca

DATA = Path(__file__).resolve().parents[1] / "data" / "qca_fuzzy"
LF = str(DATA / "LF.csv")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(qca, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_table_from_fuzzy_csv_keeps_memberships_and_says_fuzzy() -> None:
    code, out, err = run("table", "--from", LF, "--outcome", "SURV")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "case,DEV,URB,LIT,IND,STB,SURV"
    assert lines[1] == "AU,0.81,0.12,0.99,0.73,0.43,0.05"
    assert "read as fuzzy" in err


def test_truth_table_json_from_fuzzy_csv() -> None:
    code, out, _ = run(
        "truth-table", "--from", LF, "--outcome", "SURV", "--incl-cut", "0.8", "--format", "json"
    )
    assert code == 0
    doc = json.loads(out)
    rows = {r["row"]: r for r in doc["rows"]}
    assert sorted(rows) == [1, 2, 5, 6, 22, 23, 24, 31, 32]
    assert rows[22]["OUT"] == "1"
    assert rows[24]["OUT"] == "0"
    assert round(rows[22]["incl"], 3) == 0.804
    assert round(rows[22]["PRI"], 3) == 0.719
    assert rows[32]["cases"] == ["BE", "CZ", "NL", "UK"]
    assert any("read as fuzzy" in w for w in doc["warnings"])
    assert doc["contradictions"] == []


def test_truth_table_markdown_notes_fuzzy_data() -> None:
    code, out, _ = run("truth-table", "--from", LF, "--outcome", "SURV", "--incl-cut", "0.8")
    assert code == 0
    assert "| 32 | 1 | 1 | 1 | 1 | 1 | 1 | 4 | 0.904 | 0.886 | BE, CZ, NL, UK |" in out
    assert "- Merk: LF.csv has memberships between 0 and 1" in out


def test_minimize_fuzzy_parsimonious_json() -> None:
    code, out, _ = run(
        "minimize",
        "--from",
        LF,
        "--outcome",
        "SURV",
        "--incl-cut",
        "0.8",
        "--solution",
        "parsimonious",
        "--format",
        "json",
    )
    assert code == 0
    model = json.loads(out)["models"][0]
    assert model["formula"] == "DEV*~IND + URB*STB"
    assert [round(model[k], 3) for k in ("inclS", "PRI", "covS")] == [0.850, 0.819, 0.714]
    covu = [round(t["covU"], 3) for t in model["terms_fit"]]
    assert covu == [0.194, 0.430]


def test_minimize_fuzzy_intermediate() -> None:
    code, out, err = run(
        "minimize",
        "--from",
        LF,
        "--outcome",
        "SURV",
        "--incl-cut",
        "0.8",
        "--solution",
        "intermediate",
        "--dir-exp",
        "DEV=1,URB=1,LIT=1,IND=1,STB=1",
    )
    assert code == 0, err
    assert "M1: DEV*URB*LIT*STB + DEV*LIT*~IND*STB → SURV" in out


def test_necessity_super_subset_markdown_and_json() -> None:
    args = ["necessity", "--from", LF, "--outcome", "SURV", "--super-subset"]
    code, out, _ = run(*args, "--incl-cut", "0.9", "--cov-cut", "0.6")
    assert code == 0
    assert "| LIT*STB | 0.915 | 0.800 | 0.793 |" in out
    assert "| DEV + URB + IND | 0.903 | 0.704 | 0.716 |" in out
    code, out, _ = run(*args, "--incl-cut", "0.9", "--cov-cut", "0.6", "--format", "json")
    doc = json.loads(out)
    assert [e["expression"] for e in doc["expressions"]] == [
        "LIT",
        "STB",
        "LIT*STB",
        "DEV + URB + IND",
    ]
    assert doc["expressions"][3]["kind"] == "or"


def test_necessity_cut_offs_need_super_subset() -> None:
    code, _, err = run("necessity", "--from", LF, "--outcome", "SURV", "--incl-cut", "0.9")
    assert code != 0
    assert "--super-subset" in err
    assert "Traceback" not in err


def test_single_condition_necessity_on_fuzzy_data() -> None:
    code, out, _ = run("necessity", "--from", LF, "--outcome", "SURV", "--format", "json")
    assert code == 0
    rows = {r["condition"]: r for r in json.loads(out)["conditions"]}
    assert round(rows["LIT"]["inclN"], 3) == 0.991
    assert round(rows["STB"]["covN"], 3) == 0.707


def test_shared_file_with_text_labels_is_a_clear_error() -> None:
    code, _, err = run(
        "table", "--from", str(DATA / "LF_shared_with_labels.csv"), "--outcome", "SURV"
    )
    assert code != 0
    assert "line 3" in err
    assert "'IND'" in err
    assert "'Industrialized'" in err
    assert "Traceback" not in err
