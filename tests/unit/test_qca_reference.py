"""QCA results equal R's QCA 3.23 on the reference data sets (tests/data/qca)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kodebok.analysis.qca import (
    Solution,
    minimize,
    parse_dir_exp,
    read_data_csv,
    truth_table,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "qca"
OUTCOMES = {
    "LC": "SURV",
    "Krook": "WNP",
    "HC": "VOTE",
    "d.Kil": "RT",
    "Rokkan": "S",
    "d.educate": "E",
}


@dataclass
class Expected:
    """One section of expected_R_QCA_3.23.txt: a data set at one incl.cut."""

    name: str
    outcome: str
    incl_cut: float
    rows: dict[int, dict[str, object]] = field(default_factory=dict)
    models: dict[str, list[list[str]]] = field(default_factory=dict)
    # POF lines (only printed by R for single-model solutions): term -> fit values
    term_fit: dict[str, dict[str, dict[str, float | None]]] = field(default_factory=dict)
    solution_fit: dict[str, dict[str, float | None]] = field(default_factory=dict)


def _value(text: str) -> float | None:
    return None if text == "NA" else float(text)


def _fields(parts: list[str]) -> dict[str, str]:
    return dict(part.split("=", 1) for part in parts)


def parse_expected(path: Path) -> list[Expected]:
    """Read R's output as written by the reference script (TT, SOL, POF, SOLPOF lines)."""
    sections: list[Expected] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if line.startswith("## "):
            m = re.match(r"## (\S+) outcome=(\S+) incl\.cut=(\S+)", line)
            assert m, line
            sections.append(Expected(m.group(1), m.group(2), float(m.group(3))))
            continue
        current = sections[-1]
        kind, rest = line.split(" ", 1)
        if kind == "TT":
            # case names may contain spaces ("Great Britain"), so cases= is split off first
            head, cases = rest.split(" cases=", 1)
            number, config, *parts = head.split(" ")
            values = {**_fields(parts), "cases": cases}
            current.rows[int(number)] = {
                "configuration": config,
                "OUT": values["OUT"],
                "n": int(values["n"]),
                "incl": _value(values["incl"]),
                "PRI": _value(values["PRI"]),
                "cases": [c for c in values["cases"].split(",") if c],
            }
        elif kind == "SOL":
            sol, _label, formula = rest.split(" ", 2)
            current.models.setdefault(sol, []).append(formula.split(" + "))
        elif kind == "POF":
            sol, term, *parts = rest.split(" ")
            values = _fields(parts)
            current.term_fit.setdefault(sol, {})[term] = {k: _value(v) for k, v in values.items()}
        elif kind == "SOLPOF":
            sol, *parts = rest.split(" ")
            current.solution_fit[sol] = {k: _value(v) for k, v in _fields(parts).items()}
        else:
            raise AssertionError(f"unknown line: {line}")
    return sections


EXPECTED = parse_expected(DATA / "expected_R_QCA_3.23.txt")
IDS = [f"{e.name}-incl{e.incl_cut:g}" for e in EXPECTED]


def test_reference_file_has_every_data_set_at_both_cuts() -> None:
    assert {(e.name, e.incl_cut) for e in EXPECTED} == {
        (name, cut) for name in OUTCOMES for cut in (1.0, 0.75)
    }


def _truth_table(expected: Expected):  # type: ignore[no-untyped-def]
    data = read_data_csv(DATA / f"{expected.name}.csv", expected.outcome)
    return truth_table(data, incl_cut=expected.incl_cut, complete=True)


@pytest.mark.parametrize("expected", EXPECTED, ids=IDS)
def test_truth_table_equals_r(expected: Expected) -> None:
    tt = _truth_table(expected)
    assert [r.row for r in tt.rows] == sorted(expected.rows)
    for row in tt.rows:
        want = expected.rows[row.row]
        got = {
            "configuration": "".join(map(str, row.values)),
            "OUT": row.out,
            "n": row.n,
            "incl": None if row.incl is None else round(row.incl, 3),
            "PRI": None if row.pri is None else round(row.pri, 3),
            "cases": list(row.cases),
        }
        assert got == want, f"row {row.row}"


def _model_sets(solution: Solution) -> set[frozenset[str]]:
    return {frozenset(m.texts) for m in solution.models}


@pytest.mark.parametrize("expected", EXPECTED, ids=IDS)
@pytest.mark.parametrize("kind", ["C", "P"])
def test_models_equal_r_including_order(expected: Expected, kind: str) -> None:
    solution = minimize(_truth_table(expected), "complex" if kind == "C" else "parsimonious")
    want = expected.models[kind]
    assert _model_sets(solution) == {frozenset(m) for m in want}
    # R numbers models and orders terms in a definite way; we reproduce it exactly
    assert [list(m.texts) for m in solution.models] == want


def _close(got: float | None, want: float | None) -> bool:
    if want is None or got is None:
        return got is want
    return abs(got - want) < 0.0006


@pytest.mark.parametrize("expected", EXPECTED, ids=IDS)
@pytest.mark.parametrize("kind", ["C", "P"])
def test_fit_equals_r(expected: Expected, kind: str) -> None:
    solution = minimize(_truth_table(expected), "complex" if kind == "C" else "parsimonious")
    if kind not in expected.term_fit:
        pytest.skip("R prints no per-term fit for several models (Krook P)")
    (model,) = solution.models
    for text, fit in zip(model.texts, model.terms_fit, strict=True):
        want = expected.term_fit[kind][text]
        for key, got in (
            ("inclS", fit.incl_s),
            ("PRI", fit.pri),
            ("covS", fit.cov_s),
            ("covU", fit.cov_u),
        ):
            assert _close(got, want[key]), (text, key, got, want[key])
    want_model = expected.solution_fit[kind]
    assert _close(model.fit.incl_s, want_model["inclS"])
    assert _close(model.fit.pri, want_model["PRI"])
    assert _close(model.fit.cov_s, want_model["covS"])


def _lc(negate: bool = False):  # type: ignore[no-untyped-def]
    data = read_data_csv(DATA / "LC.csv", "SURV")
    return truth_table(data.negated() if negate else data)


def _r_models(section: str) -> list[list[str]]:
    """Models after a heading line in LC_intermediate_and_negated_R.txt, arrows stripped."""
    text = (DATA / "LC_intermediate_and_negated_R.txt").read_text(encoding="utf-8")
    return [
        m.group(1).split(" + ")
        for m in re.finditer(r"M\d+:\s+(.*?)\s+<->\s+" + re.escape(section), text)
    ]


def test_lc_intermediate_solution_equals_r() -> None:
    tt = _lc()
    solution = minimize(
        tt, "intermediate", parse_dir_exp("DEV=1,URB=1,LIT=1,IND=1,STB=1", tt.conditions)
    )
    assert solution.lines() == ["From C1P1:", "M1: DEV*LIT*STB"]
    assert [list(m.texts) for m in solution.models] == _r_models("SURV")
    # the only easy counterfactual is the remainder DEV*URB*LIT*~IND*STB (row 30)
    assert solution.models[0].easy_counterfactuals == (30,)


def test_lc_negated_outcome_equals_r() -> None:
    tt = _lc(negate=True)
    assert tt.outcome == "~SURV"
    complex_models = [list(m.texts) for m in minimize(tt, "complex").models]
    pars_models = [list(m.texts) for m in minimize(tt, "parsimonious").models]
    assert [*complex_models, *pars_models] == _r_models("~SURV")
    assert complex_models == [["~DEV*~URB*~IND", "DEV*LIT*IND*~STB"]]
    assert pars_models == [["~DEV", "~STB"]]


def test_lc_parsimonious_simplifying_assumptions_are_the_remainders_inside_dev_stb() -> None:
    (model,) = minimize(_lc(), "parsimonious").models
    # DEV*STB covers rows 18..32 with DEV=1, STB=1; rows 22, 24 and 32 are observed positives
    assert model.simplifying_assumptions == (18, 20, 26, 28, 30)


def test_krook_parsimonious_unique_coverage_is_computed_within_each_model() -> None:
    data = read_data_csv(DATA / "Krook.csv", "WNP")
    m1, m2 = minimize(truth_table(data), "parsimonious").models
    unique1 = {t: f.cov_u for t, f in zip(m1.texts, m1.terms_fit, strict=True)}
    unique2 = {t: f.cov_u for t, f in zip(m2.texts, m2.terms_fit, strict=True)}
    # ES*WM is in both models but shares different cases with the other terms of each
    assert unique1["WS"] == pytest.approx(2 / 11)
    assert unique2["WM*LP"] == pytest.approx(1 / 11)
    assert unique1["~ES*LP"] == pytest.approx(1 / 11)
