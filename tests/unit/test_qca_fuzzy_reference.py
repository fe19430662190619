"""Fuzzy-set QCA equals R's QCA 3.23 on the Lipset data (tests/data/qca_fuzzy)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from kodebok.analysis.qca import (
    minimize,
    necessity,
    parse_dir_exp,
    read_data_csv,
    truth_table,
)
from kodebok.analysis.qca.calibrate import calibrate_fuzzy
from kodebok.analysis.qca.fit import fuzzy_memberships
from kodebok.analysis.qca.supersubset import super_subset
from kodebok.errors import AnalysisError

DATA = Path(__file__).resolve().parents[1] / "data" / "qca_fuzzy"
EXPECTED = (DATA / "expected_R_QCA_3.23_fuzzy_LF.txt").read_text(encoding="utf-8")


def _section(title: str) -> list[str]:
    """The lines of the printout after a ``#...`` heading up to the next heading."""
    lines = EXPECTED.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("#") and title in line)
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        body.append(line)
    return body


def _lf():
    return read_data_csv(DATA / "LF.csv", "SURV")


def _r_truth_table() -> list[list[str]]:
    rows = []
    for line in _section("LF outcome=SURV"):
        parts = line.split()
        if parts and parts[0].isdigit() and len(parts) == 11:
            rows.append(parts)
    return rows


def test_lf_is_read_as_fuzzy_with_a_note():
    data = _lf()
    assert data.is_fuzzy
    assert any("read as fuzzy" in w for w in data.warnings)
    assert data.values[0] == (1, 0, 1, 1, 0)  # AU: DEV 0.81, URB 0.12, LIT 0.99, IND 0.73, STB 0.43


def test_truth_table_equals_r():
    expected = _r_truth_table()
    assert len(expected) == 9
    tt = truth_table(_lf(), incl_cut=0.8)
    assert len(tt.rows) == len(expected)
    for row, r in zip(tt.rows, expected, strict=True):
        assert row.row == int(r[0])
        assert "".join(map(str, row.values)) == "".join(r[1:6])
        assert row.out == r[6]
        assert row.n == int(r[7])
        assert row.incl == pytest.approx(float(r[8]), abs=5e-4)
        assert row.pri == pytest.approx(float(r[9]), abs=5e-4)
        assert ",".join(row.cases) == r[10]


def test_two_inclusion_cuts_mark_rows_in_between_c():
    tt = truth_table(_lf(), incl_cut=(0.8, 0.7))
    outs = {r.row: r.out for r in tt.rows}
    assert outs[22] == "1"
    assert outs[32] == "1"
    assert outs[24] == "C"  # incl 0.709 lies between 0.7 and 0.8
    assert outs[31] == "0"


def test_n_cut_makes_rare_rows_remainders():
    tt = truth_table(_lf(), incl_cut=0.8, n_cut=2)
    outs = {r.row: r.out for r in tt.rows}
    assert outs[6] == "?"
    assert outs[23] == "?"
    assert outs[31] == "?"
    assert outs[32] == "1"


def _r_solution(title: str) -> tuple[str, dict[str, list[float]], list[float], dict[str, str]]:
    body = _section(title)
    formula = next(line for line in body if line.startswith("M1:"))
    formula = formula.removeprefix("M1:").split("->")[0].strip()
    terms: dict[str, list[float]] = {}
    cases: dict[str, str] = {}
    model: list[float] = []
    for line in body:
        parts = line.split()
        if len(parts) >= 6 and parts[0].isdigit():
            terms[parts[1]] = [float(v) for v in parts[2:6]]
            cases[parts[1]] = parts[6] if len(parts) > 6 else ""
        elif len(parts) == 4 and parts[0] == "M1":
            model = [float(v) for v in parts[1:]]
    return formula, terms, model, cases


@pytest.mark.parametrize(
    ("kind", "title"), [("complex", "include=''"), ("parsimonious", "include='?'")]
)
def test_solutions_and_fit_equal_r(kind, title):
    formula, terms, model_fit, cases = _r_solution(title)
    data = _lf()
    solution = minimize(truth_table(data, incl_cut=0.8), kind)
    assert len(solution.models) == 1
    model = solution.models[0]
    assert model.formula == formula
    fit = model.fit
    assert [fit.incl_s, fit.pri, fit.cov_s] == pytest.approx(model_fit, abs=5e-4)
    assert list(model.texts) == list(terms)
    for term, text, tfit in zip(model.terms, model.texts, model.terms_fit, strict=True):
        got = [tfit.incl_s, tfit.pri, tfit.cov_s, tfit.cov_u]
        assert got == pytest.approx(terms[text], abs=5e-4), text
        members = fuzzy_memberships(term, data)
        inside = [c for c, x in zip(data.cases, members, strict=True) if x > 0.5]
        assert ",".join(inside) == cases[text]


def test_super_subset_equals_r():
    expected = []
    for line in _section("necessity"):
        match = re.match(r"\s*\d+\s+(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$", line)
        if match:
            expected.append((match[1], *(float(match[k]) for k in (2, 3, 4))))
    assert len(expected) == 4
    rows = super_subset(_lf(), incl_cut=0.9, cov_cut=0.6)
    assert [r.expression for r in rows] == [e[0] for e in expected]
    for row, e in zip(rows, expected, strict=True):
        assert [row.incl_n, row.ro_n, row.cov_n] == pytest.approx(e[1:], abs=5e-4)
    assert [r.kind for r in rows] == ["and", "and", "and", "or"]


def test_super_subset_leaves_out_disjunctions_that_extend_a_found_condition():
    rows = super_subset(_lf(), incl_cut=0.9, cov_cut=0.6)
    texts = {r.expression for r in rows}
    # LIT is necessary, so LIT + DEV is too, but says nothing new
    assert "DEV + LIT" not in texts
    stricter = super_subset(_lf(), incl_cut=0.95, cov_cut=0.6)
    assert [r.expression for r in stricter] == ["LIT"]


def test_single_condition_necessity_on_fuzzy_data_agrees_with_super_subset():
    data = _lf()
    by_name = {r.condition: r for r in necessity(data)}
    for row in super_subset(data, incl_cut=0.9, cov_cut=0.6):
        if row.kind == "and" and len(row.literals) == 1:
            single = by_name[row.expression]
            assert single.incl_n == pytest.approx(row.incl_n)
            assert single.ro_n == pytest.approx(row.ro_n)
            assert single.cov_n == pytest.approx(row.cov_n)


def _r_vector(title: str) -> list[float]:
    values = []
    for line in _section(title):
        values += [float(v) for v in re.sub(r"\[\d+\]", " ", line).split()]
    return values


@pytest.mark.parametrize(
    ("column", "thresholds", "title"),
    [
        (1, "e=350, c=550, i=850", "calibrate LR DEV"),
        (2, "e=25, c=50, i=75", "calibrate LR URB"),
    ],
)
def test_calibration_equals_r_to_4_decimals(column, thresholds, title):
    rows = list(csv.reader((DATA / "LR.csv").open(encoding="utf-8")))[1:]
    raw = [float(r[column]) for r in rows]
    expected = _r_vector(title)
    assert len(expected) == len(raw) == 18
    got = calibrate_fuzzy(raw, thresholds)
    assert [round(v, 4) for v in got] == pytest.approx(expected, abs=1e-9)


def test_shared_copy_with_text_labels_fails_naming_line_case_and_column():
    with pytest.raises(AnalysisError) as info:
        read_data_csv(DATA / "LF_shared_with_labels.csv", "SURV")
    message = str(info.value)
    assert "line 3" in message
    assert "'BE'" in message
    assert "'IND'" in message
    assert "'Industrialized'" in message


def test_intermediate_solution_equals_r_documentation():
    lines = (DATA / "expected_R_QCA_docs_LF_intermediate.txt").read_text(encoding="utf-8")
    body = lines.splitlines()
    formula = next(x for x in body if x.startswith("M1:")).removeprefix("M1:").split("=>")[0]
    terms = {}
    model_fit = []
    for line in body:
        parts = line.split()
        if len(parts) == 7 and parts[0].isdigit():
            terms[parts[1]] = ([float(v) for v in parts[2:6]], parts[6])
        elif len(parts) == 4 and parts[0] == "M1":
            model_fit = [float(v) for v in parts[1:]]
    data = _lf()
    expectations = parse_dir_exp("DEV=1,URB=1,LIT=1,IND=1,STB=1", data.conditions)
    solution = minimize(truth_table(data, incl_cut=0.8), "intermediate", expectations)
    assert solution.lines() == ["From C1P1:", f"M1: {formula.strip()}"]
    model = solution.models[0]
    assert [model.fit.incl_s, model.fit.pri, model.fit.cov_s] == pytest.approx(model_fit, abs=5e-4)
    for term, text, fit in zip(model.terms, model.texts, model.terms_fit, strict=True):
        expected, cases = terms[text]
        assert [fit.incl_s, fit.pri, fit.cov_s, fit.cov_u] == pytest.approx(expected, abs=5e-4)
        inside = [
            c for c, x in zip(data.cases, fuzzy_memberships(term, data), strict=True) if x > 0.5
        ]
        assert ",".join(inside) == cases
