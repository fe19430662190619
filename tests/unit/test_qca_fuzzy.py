"""Fuzzy-set QCA: calibration, reading fuzzy tables, fuzzy truth tables and fit."""

from __future__ import annotations

import math

import pytest

from kodebok.analysis.qca import (
    calibrate_crisp,
    calibrate_fuzzy,
    format_data_csv,
    make_data_table,
    minimize,
    parse_thresholds,
    read_data_csv,
    super_subset,
    truth_table,
)
from kodebok.analysis.qca.fit import model_fit
from kodebok.analysis.qca.formula import parse_term
from kodebok.errors import AnalysisError, KodebokError


def test_anchors_get_the_memberships_of_idm():
    got = calibrate_fuzzy([2000, 8000, 20000], "e=2000, c=8000, i=20000")
    assert got == pytest.approx([0.05, 0.5, 0.95])
    assert calibrate_fuzzy([20000], "e=2000,c=8000,i=20000", idm=0.99)[0] == pytest.approx(0.99)


def test_decreasing_anchors_mirror_increasing_ones():
    up = calibrate_fuzzy([1, 4, 5, 7, 12], "e=1, c=5, i=9")
    down = calibrate_fuzzy([9, 6, 5, 3, -2], "e=9, c=5, i=1")
    assert down == pytest.approx(up)
    assert down[0] == pytest.approx(0.05)
    assert down[2] == pytest.approx(0.5)
    assert calibrate_fuzzy([11], "e=10, c=5, i=2")[0] < 0.05


def test_log_odds_are_linear_on_each_side_of_the_crossover():
    values = calibrate_fuzzy([550, 700, 850, 1000, 450], "e=350,c=550,i=850")
    log_odds = [math.log(v / (1 - v)) for v in values]
    full = math.log(19)
    assert log_odds == pytest.approx([0, full / 2, full, 1.5 * full, -full / 2])


def test_extreme_values_do_not_overflow():
    low, high = calibrate_fuzzy([-1e9, 1e9], "e=0,c=1,i=2")
    assert 0 <= low < 1e-12
    assert 1 - 1e-12 < high <= 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("e=1, c=2", "lack i"),
        ("e=1, c=2, i=3, c=4", "twice"),
        ("e=1, x=2, i=3", "e=NUMBER"),
        ("e=1, c=abc, i=3", "not a number"),
        ("e=1, c=5, i=3", "strictly between"),
        ("e=1, c=1, i=3", "strictly between"),
    ],
)
def test_bad_thresholds_say_what_is_wrong(text, fragment):
    with pytest.raises(KodebokError, match=fragment):
        parse_thresholds(text)


def test_thresholds_accept_any_order_and_decimal_comma():
    a = parse_thresholds("i=0,9; c=0,5; e=0,1")
    assert (a.exclusion, a.crossover, a.inclusion) == (0.1, 0.5, 0.9)
    assert a.increasing


def test_crisp_calibration_counts_reached_thresholds():
    assert calibrate_crisp([1, 5, 5.5, 9, 10], [5]) == [0, 1, 1, 1, 1]
    assert calibrate_crisp([1, 5, 7, 9], [5, 8]) == [0, 1, 1, 2]
    with pytest.raises(AnalysisError, match="increase"):
        calibrate_crisp([1], [5, 3])


def test_csv_with_decimal_commas_and_semicolons_is_fuzzy():
    text = "case;A;B;Y\nk1;0,8;0,2;0,9\nk2;0,3;0,7;0,1\nk3;1;0;1\n"
    data = read_data_csv(text, "Y")
    assert data.is_fuzzy
    assert data.values == ((1, 0), (0, 1), (1, 0))
    assert data.memberships()[0] == (0.8, 0.2)
    assert "read as fuzzy" in data.warnings[0]


def test_crisp_csv_stays_crisp_without_a_note():
    data = read_data_csv("case,A,Y\nk1,1,1\nk2,0,0\n", "Y")
    assert not data.is_fuzzy
    assert data.warnings == ()
    assert data.values == ((1,), (0,))


@pytest.mark.parametrize("cell", ["1.2", "-0.1", "yes", "", "nan"])
def test_a_value_outside_0_1_names_line_case_and_column(cell):
    with pytest.raises(AnalysisError) as info:
        read_data_csv(f"case,A,Y\nk1,0.4,1\nk2,{cell},0\n", "Y")
    message = str(info.value)
    assert "line 3" in message
    assert "'k2'" in message
    assert "'A'" in message


def test_fuzzy_table_round_trips_through_r_csv():
    data = read_data_csv("case,A,Y\nk1,0.25,0.9\nk2,0.1234567,0.1\n", "Y")
    text = format_data_csv(data)
    assert "k1,0.25,0.9" in text
    assert read_data_csv(text, "Y").memberships() == data.memberships()


def _small():
    return make_data_table(
        ["a", "b", "c", "d"],
        ["X", "Z"],
        "Y",
        [[0.9, 0.2], [0.7, 0.6], [0.2, 0.8], [0.1, 0.1]],
        [0.8, 0.6, 0.3, 0.2],
    )


def test_row_fit_by_hand():
    # row 3 = X*~Z: memberships min(X, 1-Z) = 0.8, 0.4, 0.2, 0.1; Y = 0.8, 0.6, 0.3, 0.2
    tt = truth_table(_small(), incl_cut=0.8)
    row = next(r for r in tt.rows if r.row == 3)
    both = 0.8 + 0.4 + 0.2 + 0.1
    overlap = min(0.8, 0.8, 0.2) + min(0.4, 0.6, 0.4) + min(0.2, 0.3, 0.7) + min(0.1, 0.2, 0.8)
    assert row.n == 1
    assert row.cases == ("a",)
    assert row.incl == pytest.approx(both / 1.5)
    assert row.pri == pytest.approx((both - overlap) / (1.5 - overlap))
    assert row.out == "1"


def test_model_fit_and_unique_coverage_by_hand():
    data = _small()
    x_term, z_term = parse_term("X", data.conditions), parse_term("Z", data.conditions)
    fit, terms = model_fit([x_term, z_term], data)
    ys = [0.8, 0.6, 0.3, 0.2]
    union = [0.9, 0.7, 0.8, 0.1]
    assert fit.incl_s == pytest.approx(sum(map(min, union, ys)) / sum(union))
    assert fit.cov_s == pytest.approx(sum(map(min, union, ys)) / sum(ys))
    # covU(X) = covS(model) - covS(Z alone)
    z_alone = sum(map(min, [0.2, 0.6, 0.8, 0.1], ys)) / sum(ys)
    assert terms[0].cov_u == pytest.approx(fit.cov_s - z_alone)


def test_half_membership_belongs_to_no_row_and_is_noted():
    data = make_data_table(["a", "b", "c"], ["X"], "Y", [[0.5], [0.9], [0.1]], [0.7, 0.8, 0.2])
    tt = truth_table(data, incl_cut=0.8, complete=True)
    assert sum(r.n for r in tt.rows) == 2
    assert all("a" not in r.cases for r in tt.rows)
    assert any("'a'" in w and "0.5" in w for w in tt.warnings)


def test_negated_fuzzy_outcome_flips_memberships():
    data = _small().negated()
    assert data.outcome == "~Y"
    assert data.outcome_memberships() == pytest.approx((0.2, 0.4, 0.7, 0.8))
    assert data.outcome_values == (0, 0, 1, 1)
    solution = minimize(truth_table(data, incl_cut=0.7), "complex")
    assert solution.models


def test_fuzzy_table_without_a_consistent_row_says_so():
    data = make_data_table(["a", "b"], ["X"], "Y", [[0.9], [0.1]], [0.1, 0.2])
    with pytest.raises(AnalysisError, match="No truth-table row has OUT = 1"):
        minimize(truth_table(data, incl_cut=0.8), "complex")


def test_super_subset_checks_cut_offs():
    with pytest.raises(AnalysisError, match=r"incl\.cut"):
        super_subset(_small(), incl_cut=1.5)


def test_out_of_range_membership_in_make_data_table():
    with pytest.raises(AnalysisError, match=r"'b'.*'X'.*between 0 and 1"):
        make_data_table(["a", "b"], ["X"], "Y", [[0.2], [1.3]], [0.0, 1.0])
