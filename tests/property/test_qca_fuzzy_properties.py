"""The fuzzy QCA path against the crisp one (equal to R on 482 random analyses).

Memberships of exactly 0 and 1 are a special case of fuzzy data: a table of them pushed
through the fuzzy formulas (truth-table incl and PRI over all cases, min/max memberships
for terms and models) must give the crisp results row by row and term by term. And for any
fuzzy table, the fit of a solution must equal a direct recomputation from the memberships.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kodebok.analysis.qca import DataTable, minimize, necessity, super_subset, truth_table
from kodebok.errors import AnalysisError

CONDITIONS = ("A", "B", "C", "D")


@st.composite
def crisp_tables(draw: st.DrawFn) -> DataTable:
    k = draw(st.integers(2, 4))
    n = draw(st.integers(3, 12))
    rows = draw(st.lists(st.tuples(*[st.integers(0, 1)] * k), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    return DataTable(
        cases=tuple(f"k{i}" for i in range(n)),
        conditions=CONDITIONS[:k],
        outcome="Y",
        values=tuple(rows),
        outcome_values=tuple(ys),
    )


def as_fuzzy(data: DataTable) -> DataTable:
    """The same 0/1 table, but held as memberships so every fuzzy code path runs."""
    return replace(
        data,
        fuzzy_values=tuple(tuple(float(v) for v in row) for row in data.values),
        fuzzy_outcome=tuple(float(y) for y in data.outcome_values),
    )


def _fits(solution):
    out = []
    for model in solution.models:
        out.append((model.formula, model.fit, model.terms_fit))
    return out


def _close(a, b):
    if a is None or b is None:
        return a is b
    return a == pytest.approx(b, abs=1e-12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=crisp_tables(), cut=st.sampled_from([1.0, 0.75, 0.6]))
def test_zero_one_memberships_give_the_crisp_results(data: DataTable, cut: float) -> None:
    fuzzy = as_fuzzy(data)
    assert fuzzy.is_fuzzy
    crisp_tt, fuzzy_tt = truth_table(data, cut), truth_table(fuzzy, cut)
    for a, b in zip(crisp_tt.rows, fuzzy_tt.rows, strict=True):
        assert (a.row, a.n, a.cases, a.out) == (b.row, b.n, b.cases, b.out)
        assert _close(a.incl, b.incl)
        assert _close(a.pri, b.pri)
    for kind in ("complex", "parsimonious"):
        try:
            expected = _fits(minimize(crisp_tt, kind))
        except AnalysisError as exc:
            with pytest.raises(AnalysisError, match=str(exc)[:30].replace("(", r"\(")):
                minimize(fuzzy_tt, kind)
            continue
        got = _fits(minimize(fuzzy_tt, kind))
        assert [g[0] for g in got] == [e[0] for e in expected]
        for (_, fit_e, terms_e), (_, fit_g, terms_g) in zip(expected, got, strict=True):
            for fe, fg in [(fit_e, fit_g), *zip(terms_e, terms_g, strict=True)]:
                for field in ("incl_s", "pri", "cov_s", "cov_u"):
                    assert _close(getattr(fe, field), getattr(fg, field)), field
    for a, b in zip(necessity(data), necessity(fuzzy), strict=True):
        assert a == b


@st.composite
def fuzzy_tables(draw: st.DrawFn) -> DataTable:
    k = draw(st.integers(2, 4))
    n = draw(st.integers(3, 12))
    member = st.sampled_from([0.0, 0.05, 0.2, 0.33, 0.45, 0.55, 0.67, 0.8, 0.95, 1.0])
    rows = draw(st.lists(st.tuples(*[member] * k), min_size=n, max_size=n))
    ys = draw(st.lists(member, min_size=n, max_size=n))
    return DataTable(
        cases=tuple(f"k{i}" for i in range(n)),
        conditions=CONDITIONS[:k],
        outcome="Y",
        values=tuple(tuple(int(v > 0.5) for v in row) for row in rows),
        outcome_values=tuple(int(y > 0.5) for y in ys),
        fuzzy_values=tuple(rows),
        fuzzy_outcome=tuple(ys),
    )


def _membership(text: str, conditions, row) -> float:
    """Recompute a term's membership from its printed form (``A*~C``)."""
    values = []
    for literal in text.split("*"):
        name = literal.lstrip("~")
        x = row[conditions.index(name)]
        values.append(1 - x if literal.startswith("~") else x)
    return min(values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=fuzzy_tables(), cut=st.sampled_from([0.9, 0.8, 0.7]))
def test_fit_equals_a_recount_from_the_printed_formula(data: DataTable, cut: float) -> None:
    tt = truth_table(data, cut)
    assert sum(r.n for r in tt.rows) == len(data.cases)  # no 0.5 in these memberships
    for r in tt.rows:
        assert r.pri is None or r.incl is None or r.pri <= r.incl + 1e-12
    try:
        solution = minimize(tt, "parsimonious")
    except AnalysisError:
        return
    ys = data.outcome_memberships()
    rows = data.memberships()
    for model in solution.models:
        xs = [max(_membership(t, data.conditions, row) for t in model.texts) for row in rows]
        both = sum(min(x, y) for x, y in zip(xs, ys, strict=True))
        if sum(xs):
            assert model.fit.incl_s == pytest.approx(both / sum(xs))
        if sum(ys):
            assert model.fit.cov_s == pytest.approx(both / sum(ys))


@settings(max_examples=100, deadline=None)
@given(data=fuzzy_tables(), cut=st.sampled_from([0.9, 0.8, 0.6]))
def test_super_subset_expressions_pass_their_cut_offs(data: DataTable, cut: float) -> None:
    rows = super_subset(data, incl_cut=cut, cov_cut=0.5)
    ys = data.outcome_memberships()
    for r in rows:
        assert r.incl_n >= cut - 1e-8
        assert r.cov_n >= 0.5 - 1e-8
        joiner = "*" if r.kind == "and" else " + "
        combine = min if r.kind == "and" else max
        xs = [
            combine(
                (
                    row[data.conditions.index(lit.lstrip("~"))]
                    if not lit.startswith("~")
                    else 1 - row[data.conditions.index(lit[1:])]
                )
                for lit in r.expression.split(joiner)
            )
            for row in data.memberships()
        ]
        both = sum(min(x, y) for x, y in zip(xs, ys, strict=True))
        assert r.incl_n == pytest.approx(both / sum(ys))
    # a disjunction never merely extends an expression found with fewer conditions
    found = [set(r.expression.replace(" + ", "*").split("*")) for r in rows]
    for i, r in enumerate(rows):
        if r.kind == "or":
            mine = set(r.expression.split(" + "))
            assert not any(
                other < mine for j, other in enumerate(found) if j != i and len(other) < len(mine)
            )
