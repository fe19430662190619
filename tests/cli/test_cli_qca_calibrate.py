"""``--calibrate``: fuzzy conditions from case attributes and code measures in the project."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from kodebok.analysis.qca import calibrate_fuzzy

DOCS = {
    "a": ("Alfa", ["Vi rapporterer mye.", "Vi rapporterer igjen.", "Og rapporterer."]),
    "b": ("Beta", ["Vi rapporterer av og til.", "Ingenting her."]),
    "c": ("Gamma", ["Ingen av delene.", "Heller ikke her."]),
    "d": ("Delta", ["Vi rapporterer.", "Oppslutning er stor."]),
}
SIZES = {"Alfa": "9 000", "Beta": "2000", "Gamma": "25000", "Delta": "500"}


def _project(tmp_path: Path, cli: Callable[..., Result]) -> None:
    for name, (case, lines) in DOCS.items():
        body = "\n".join(f"IP: {line}" for line in lines)
        path = tmp_path / f"{name}.txt"
        path.write_text(f"---\ncase: {case}\n---\nI: Spørsmål?\n{body}\n", encoding="utf-8")
        assert cli("import", str(path)).exit_code == 0
    for code in ("Rapportering", "Oppslutning"):
        assert cli("codebook", "add", code).exit_code == 0
    for name, (_, lines) in DOCS.items():
        for k, line in enumerate(lines, start=2):
            if "rapporterer" in line:
                assert cli("code", name, str(k), "Rapportering").exit_code == 0
        if name in ("a", "d"):
            assert cli("code", name, "2", "Oppslutning").exit_code == 0
    for case, size in SIZES.items():
        assert cli("cases", "set", case, f"innbyggere={size}").exit_code == 0


def _table(result: Result) -> dict[str, list[str]]:
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    rows = {line.split(",")[0]: line.split(",")[1:] for line in lines[1:]}
    return {"header": lines[0].split(","), **rows}


def test_attribute_and_code_measures_are_calibrated(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _project(tmp_path, cli)
    table = _table(
        cli(
            "qca",
            "table",
            "--calibrate",
            "innbyggere:e=2000,c=8000,i=20000",
            "--calibrate",
            "codings(Rapportering):e=0,c=1.5,i=3",
            "--outcome",
            "Oppslutning",
        )
    )
    assert table["header"] == ["case", "innbyggere", "codings_Rapportering", "Oppslutning"]
    sizes = calibrate_fuzzy([9000, 2000, 25000, 500], "e=2000,c=8000,i=20000")
    codings = calibrate_fuzzy([3, 1, 0, 1], "e=0,c=1.5,i=3")
    for k, case in enumerate(["Alfa", "Beta", "Gamma", "Delta"]):
        size, count, outcome = (float(v) for v in table[case])
        assert size == pytest.approx(sizes[k], abs=5e-5)
        assert count == pytest.approx(codings[k], abs=5e-5)
        assert outcome == (1.0 if case in ("Alfa", "Delta") else 0.0)
    assert float(table["Beta"][0]) == pytest.approx(0.05, abs=5e-5)  # at the exclusion anchor


def test_calibrated_outcome_and_crisp_conditions_mix(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    _project(tmp_path, cli)
    result = cli(
        "qca",
        "truth-table",
        "--conditions",
        "Oppslutning",
        "--calibrate",
        "innbyggere:e=2000,c=8000,i=20000",
        "--outcome",
        "share(Rapportering):e=0,c=0.4,i=0.9",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["conditions"] == ["Oppslutning", "innbyggere"]
    assert doc["outcome"] == "share_Rapportering"
    rows = {r["row"]: r for r in doc["rows"]}
    assert rows[4]["cases"] == ["Alfa"]  # Oppslutning 1, innbyggere 9000 > crossover
    assert rows[2]["cases"] == ["Gamma"]


def test_bad_calibrations_are_clear_errors(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _project(tmp_path, cli)
    cases = [
        ("innbyggere:e=2000,c=8000", "lack i"),
        ("folketall:e=1,c=2,i=3", "no case attribute 'folketall'"),
        ("letters(Rapportering):e=0,c=5,i=9", "unknown measure 'letters'"),
        ("codings(Finnes ikke):e=0,c=1,i=2", "Finnes ikke"),
    ]
    for spec, fragment in cases:
        result = cli("qca", "table", "--calibrate", spec, "--outcome", "Oppslutning")
        assert result.exit_code != 0, spec
        assert fragment in result.output, (spec, result.output)
        assert "Traceback" not in result.output


def test_a_non_number_attribute_names_the_case(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _project(tmp_path, cli)
    assert cli("cases", "set", "Beta", "innbyggere=mange").exit_code == 0
    result = cli(
        "qca",
        "table",
        "--calibrate",
        "innbyggere:e=2000,c=8000,i=20000",
        "--outcome",
        "Oppslutning",
    )
    assert result.exit_code != 0
    assert "'Beta'" in result.output
    assert "not a number" in result.output


def test_from_file_calibrates_raw_columns_like_r(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    lr = Path(__file__).resolve().parents[1] / "data" / "qca_fuzzy" / "LR.csv"
    expected = (lr.parent / "expected_R_QCA_3.23_fuzzy_LF.txt").read_text(encoding="utf-8")
    r_dev = []
    for line in expected.split("calibrate LR DEV")[1].split("####")[0].splitlines()[1:]:
        r_dev += [float(v) for v in line.split("]")[1].split()]
    result = cli(
        "qca",
        "table",
        "--from",
        str(lr),
        "--outcome",
        "SURV",
        "--calibrate",
        "DEV:e=350,c=550,i=850",
        "--calibrate",
        "URB:e=25,c=50,i=75",
        "--calibrate",
        "LIT:e=50,c=75,i=90",
        "--calibrate",
        "IND:e=10,c=20,i=30",
        "--calibrate",
        "STB:e=10,c=5,i=2",
        "--calibrate",
        "SURV:e=-9,c=0,i=10",
    )
    table = _table(result)
    assert table["header"] == ["case", "DEV", "URB", "LIT", "IND", "STB", "SURV"]
    cases = [k for k in table if k != "header"]
    assert len(cases) == 18
    assert [float(table[c][0]) for c in cases] == pytest.approx(r_dev, abs=1e-9)
    assert "read as fuzzy" in result.stderr


def test_from_file_calibration_errors(tmp_path: Path, cli: Callable[..., Result]) -> None:
    data = tmp_path / "d.csv"
    data.write_text("case,A,B,Y\nk1,5,1,1\nk2,x,0,0\n", encoding="utf-8")
    base = ["qca", "table", "--from", str(data), "--outcome", "Y"]
    result = cli(*base, "--calibrate", "A:e=0,c=3,i=6")
    assert result.exit_code != 0
    assert "line 3" in result.output
    assert "'x'" in result.output
    result = cli(*base, "--calibrate", "Q:e=0,c=3,i=6")
    assert result.exit_code != 0
    assert "no column 'Q'" in result.output
    result = cli(*base, "--calibrate", "codings(A):e=0,c=3,i=6")
    assert result.exit_code != 0
    assert "code measures come from the project" in result.output
    result = cli(*base, "--conditions", "A")
    assert result.exit_code != 0
    assert "not both" in result.output
    data.write_text("case,A,B,Y\nk1,5,1,1\nk2,2,0,0\n", encoding="utf-8")
    result = cli(*base)
    assert result.exit_code != 0
    assert "'5'" in result.output


def test_coded_words_and_informants_per_case(tmp_path: Path, cli: Callable[..., Result]) -> None:
    _project(tmp_path, cli)
    table = _table(
        cli(
            "qca",
            "table",
            "--calibrate",
            "words(Rapportering):e=1,c=4,i=7",
            "--calibrate",
            "informants(Rapportering):e=0,c=0.5,i=1",
            "--outcome",
            "Oppslutning",
        )
    )
    assert table["header"] == [
        "case",
        "words_Rapportering",
        "informants_Rapportering",
        "Oppslutning",
    ]
    # coded turns: Alfa 3 + 3 + 2 words, Beta 5, Gamma none, Delta 2; one informant where coded
    words = calibrate_fuzzy([8, 5, 0, 2], "e=1,c=4,i=7")
    informants = calibrate_fuzzy([1, 1, 0, 1], "e=0,c=0.5,i=1")
    for k, case in enumerate(["Alfa", "Beta", "Gamma", "Delta"]):
        assert float(table[case][0]) == pytest.approx(words[k], abs=5e-5), case
        assert float(table[case][1]) == pytest.approx(informants[k], abs=5e-5), case
