"""`kodebok qca robustness`: terms counted over settings, leave-one-out, the robustness fit."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from kodebok.analysis.qca import minimize, read_data_csv, truth_table
from kodebok.errors import KodebokError
from kodebok.services.qca_robustness import default_incl_cuts, robustness_fit

QCA_DATA = Path(__file__).parent.parent / "data" / "qca"

# A + B explains Y with all four cases; leaving c2 out gives B, leaving c3 out gives A,
# leaving c4 out leaves no negative row (no solution). Counted by hand below.
SMALL = "case,A,B,Y\nc1,1,1,1\nc2,1,0,1\nc3,0,1,1\nc4,0,0,0\n"


def _json(result: Result) -> dict:  # type: ignore[type-arg]
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_leave_one_out_counted_by_hand(tmp_path: Path, cli: Callable[..., Result]) -> None:
    data = tmp_path / "small.csv"
    data.write_text(SMALL, encoding="utf-8")
    out = _json(
        cli(
            "qca",
            "robustness",
            "--from",
            str(data),
            "--outcome",
            "Y",
            "--incl-cuts",
            "1",
            "--leave-one-out",
            "--format",
            "json",
        )
    )
    assert out["initial"]["terms"] == ["A", "B"]
    by_case = {s["left_out"]: s for s in out["settings"]}
    assert next(s["terms"] for s in out["settings"]) == ["A", "B"]
    assert by_case["c1"]["terms"] == ["A", "B"]
    assert not by_case["c1"]["changed"]
    assert by_case["c2"]["terms"] == ["B"]
    assert by_case["c2"]["changed"]
    assert by_case["c3"]["terms"] == ["A"]
    assert by_case["c3"]["changed"]
    assert by_case["c4"]["terms"] == []
    assert by_case["c4"]["error"]
    assert {t["term"]: (t["settings"], t["share"], t["core"]) for t in out["terms"]} == {
        "A": (3, 0.6, False),
        "B": (3, 0.6, False),
    }
    # S_i = A+B = (1,1,1,0); tests A+B, B, A: MinTS = (1,0,0,0), MaxTS = (1,1,1,0), Y = S_i
    # RF_cov = covS(core)/covS(S_i) = (1/3)/1, RF_cons = 1/1, RF_SC_min = 1/3, RF_SC_max = 1
    fit = out["fit"]
    assert fit["RF_cov"] == pytest.approx(1 / 3)
    assert fit["RF_cons"] == pytest.approx(1.0)
    assert fit["RF_SC_min"] == pytest.approx(1 / 3)
    assert fit["RF_SC_max"] == pytest.approx(1.0)


def test_robustness_fit_by_hand_fuzzy() -> None:
    # S_i = (0.8, 0.4), one test (0.6, 0.5), Y = (0.7, 0.2): core = (0.6, 0.4)
    fit = robustness_fit([0.8, 0.4], [[0.6, 0.5]], [0.7, 0.2])
    assert fit["RF_cov"] == pytest.approx(0.8 / 0.9)  # covS: 0.8/0.9 against 0.9/0.9
    assert fit["RF_cons"] == pytest.approx((0.9 / 1.2) / (0.8 / 1.0))
    assert fit["RF_SC_min"] == pytest.approx(1.0 / 1.3)
    assert fit["RF_SC_max"] == pytest.approx(1.0 / 1.3)
    assert robustness_fit([1.0], [], [1.0])["RF_cov"] is None


def test_default_incl_cuts() -> None:
    assert default_incl_cuts(1.0) == [0.9, 0.95, 1.0]
    assert default_incl_cuts(0.8) == [0.7, 0.75, 0.8, 0.85, 0.9]
    assert default_incl_cuts(0.55) == [0.55, 0.6, 0.65]


def _m1_terms(data_text: str, outcome: str, cut: float) -> list[str]:
    try:
        solution = minimize(truth_table(read_data_csv(data_text, outcome), cut), "parsimonious")
    except KodebokError:  # a setting without a solution has no terms
        return []
    return list(solution.models[0].texts)


def test_krook_terms_match_an_independent_loop(tmp_path: Path, cli: Callable[..., Result]) -> None:
    source = QCA_DATA / "Krook.csv"
    out = _json(
        cli(
            "qca",
            "robustness",
            "--from",
            str(source),
            "--outcome",
            "WNP",
            "--incl-cuts",
            "0.75,0.8,0.9",
            "--leave-one-out",
            "--format",
            "json",
        )
    )
    text = source.read_text(encoding="utf-8")
    header, *rows = text.strip().splitlines()
    runs = [_m1_terms(text, "WNP", cut) for cut in (1.0, 0.75, 0.8, 0.9)]
    for row in rows:  # each case left out, by dropping its line from the file
        runs.append(_m1_terms("\n".join([header, *(r for r in rows if r != row)]), "WNP", 1.0))
    assert len(out["settings"]) == len(runs) == 4 + len(rows)
    expected: dict[str, int] = {}
    for terms in runs:
        for term in terms:
            expected[term] = expected.get(term, 0) + 1
    assert {t["term"]: t["settings"] for t in out["terms"]} == expected
    core = {t["term"] for t in out["terms"] if t["core"]}
    assert core == {t for t, k in expected.items() if k == len(runs)}
    assert core  # WS is in every setting
    # the CSV holds the same counts
    table = cli(
        "qca",
        "robustness",
        "--from",
        str(source),
        "--outcome",
        "WNP",
        "--incl-cuts",
        "0.75,0.8,0.9",
        "--leave-one-out",
        "--format",
        "csv",
    )
    assert table.exit_code == 0
    counted = {r["term"]: int(r["settings"]) for r in csv.DictReader(io.StringIO(table.stdout))}
    assert counted == expected
    # the text table names every term and the fit
    plain = cli("qca", "robustness", "--from", str(source), "--outcome", "WNP")
    assert plain.exit_code == 0
    assert "RF_cov" in plain.stdout
    assert "WS" in plain.stdout


def test_bad_incl_cut_is_named(cli: Callable[..., Result]) -> None:
    result = cli(
        "qca",
        "robustness",
        "--from",
        str(QCA_DATA / "Krook.csv"),
        "--outcome",
        "WNP",
        "--incl-cuts",
        "0.8,1.2",
    )
    assert result.exit_code != 0
    assert "'1.2'" in result.output
    assert "Traceback" not in result.output


def test_min_codings_range_refused_with_from(cli: Callable[..., Result]) -> None:
    result = cli(
        "qca",
        "robustness",
        "--from",
        str(QCA_DATA / "Krook.csv"),
        "--outcome",
        "WNP",
        "--min-codings",
        "1,2",
    )
    assert result.exit_code != 0
    assert "--min-codings" in result.output


def test_demo_project_matches_minimize_per_setting(
    demo_project: Path, cli: Callable[..., Result]
) -> None:
    conditions = "Politisk initiert,Lederavtaler,Statlig initiert,Administrativt initiert"
    outcome = "oppfolgingskommune=ja"
    out = _json(
        cli(
            "qca",
            "robustness",
            "--conditions",
            conditions,
            "--outcome",
            outcome,
            "--min-codings",
            "4,2,6",
            "--incl-cuts",
            "0.9,1",
            "--format",
            "json",
            project=demo_project,
        )
    )
    assert out["initial"]["min_codings"] == 4
    assert out["initial"]["incl_cut"] == 1.0
    expected: dict[str, int] = {}
    settings = 0
    for mc in ("4", "2", "6"):
        for cut in ("0.9", "1"):
            settings += 1
            run = cli(
                "qca",
                "minimize",
                "--conditions",
                conditions,
                "--outcome",
                outcome,
                "--min-codings",
                mc,
                "--incl-cut",
                cut,
                "--solution",
                "parsimonious",
                "--format",
                "json",
                project=demo_project,
            )
            if run.exit_code != 0:
                continue  # no solution in this setting
            for term in json.loads(run.stdout)["models"][0]["terms"]:
                expected[term] = expected.get(term, 0) + 1
    assert len(out["settings"]) == settings
    assert {t["term"]: t["settings"] for t in out["terms"]} == expected
    assert any(s["changed"] for s in out["settings"])


LR_ANCHORS = {
    "DEV": (350, 550, 850),
    "URB": (2, 12.5, 25),
    "LIT": (50, 75, 90),
    "IND": (10, 20, 30),
    "STB": (10, 5, 2),
    "SURV": (-9, 0.5, 10),
}


def _calibrate_args(anchors: dict[str, tuple[float, float, float]]) -> list[str]:
    args: list[str] = []
    for column, (e, c, i) in anchors.items():
        args += ["--calibrate", f"{column}:e={e:g},c={c:g},i={i:g}"]
    return args


def test_calibrate_shift_matches_minimize_per_shifted_anchor(
    cli: Callable[..., Result],
) -> None:
    source = str(QCA_DATA.parent / "qca_fuzzy" / "LR.csv")
    base = ["--from", source, "--outcome", "SURV"]
    out = _json(
        cli(
            "qca",
            "robustness",
            *base,
            *_calibrate_args(LR_ANCHORS),
            "--incl-cut",
            "0.8",
            "--incl-cuts",
            "0.8",
            "--calibrate-shift",
            "10",
            "--format",
            "json",
        )
    )
    expected: dict[str, int] = {}
    runs = [dict(LR_ANCHORS)]
    for column, (e, c, i) in LR_ANCHORS.items():
        step = abs(i - e) * 0.1  # 10 % of the distance between the end anchors
        for moved in (c - step, c + step):
            runs.append({**LR_ANCHORS, column: (e, moved, i)})
    for anchors in runs:
        run = cli(
            "qca",
            "minimize",
            *base,
            *_calibrate_args(anchors),
            "--incl-cut",
            "0.8",
            "--solution",
            "parsimonious",
            "--format",
            "json",
        )
        assert run.exit_code == 0, run.output
        for term in json.loads(run.stdout)["models"][0]["terms"]:
            expected[term] = expected.get(term, 0) + 1
    assert len(out["settings"]) == len(runs) == 13
    assert {t["term"]: t["settings"] for t in out["terms"]} == expected
    shifted = [s["calibration"] for s in out["settings"] if s["calibration"]]
    assert "STB:e=10,c=4.2,i=2" in shifted
    assert "DEV:e=350,c=500,i=850" in shifted


def test_calibrate_shift_past_an_anchor_is_refused(cli: Callable[..., Result]) -> None:
    source = str(QCA_DATA.parent / "qca_fuzzy" / "LR.csv")
    result = cli(
        "qca",
        "robustness",
        "--from",
        source,
        "--outcome",
        "SURV",
        *_calibrate_args(LR_ANCHORS),
        "--calibrate-shift",
        "60",
    )
    assert result.exit_code != 0
    assert "DEV:e=350,c=550,i=850" in result.output
