"""Bad and awkward QCA input gives clear messages (data table, presence, truth table, minimisation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.analysis.qca import (
    data_table_from_presence,
    format_data_csv,
    minimize,
    read_data_csv,
    truth_table,
)
from kodebok.analysis.qca.formula import parse_term, term_text
from kodebok.errors import AnalysisError

DATA = Path(__file__).resolve().parents[1] / "data" / "qca"

KOMMUNER = """case,LEDELSE,KOMPETANSE,TID,LYKTES
Kommune 1,1,1,0,1
Kommune 2,1,0,0,0
Kommune 3,0,1,1,0
Kommune 4,1,1,1,1
"""


def test_reads_a_table_from_text_or_a_file(tmp_path: Path) -> None:
    path = tmp_path / "kommuner.csv"
    path.write_text(KOMMUNER, encoding="utf-8")
    from_text = read_data_csv(KOMMUNER, "LYKTES")
    from_file = read_data_csv(path, "LYKTES")
    assert from_text == from_file
    assert from_file.conditions == ("LEDELSE", "KOMPETANSE", "TID")
    assert from_file.cases[0] == "Kommune 1"
    assert from_file.warnings == ()


def test_semicolon_tables_from_norwegian_excel_are_read() -> None:
    table = read_data_csv(KOMMUNER.replace(",", ";"), "LYKTES")
    assert table.outcome_values == (1, 0, 0, 1)


def test_outcome_may_be_any_column() -> None:
    table = read_data_csv(KOMMUNER, "TID")
    assert table.conditions == ("LEDELSE", "KOMPETANSE", "LYKTES")


def test_missing_outcome_column_lists_the_columns() -> None:
    with pytest.raises(AnalysisError, match=r"no outcome column 'RESULTAT'.*LEDELSE"):
        read_data_csv(KOMMUNER, "RESULTAT")


def test_values_other_than_0_and_1_name_line_case_and_column() -> None:
    text = KOMMUNER.replace("Kommune 3,0,1,1,0", "Kommune 3,0,ja,1,0")
    with pytest.raises(AnalysisError) as err:
        read_data_csv(text, "LYKTES")
    message = str(err.value)
    assert "line 4" in message
    assert "Kommune 3" in message
    assert "KOMPETANSE" in message
    assert "'ja'" in message


def test_an_empty_cell_is_not_silently_zero() -> None:
    text = KOMMUNER.replace("Kommune 2,1,0,0,0", "Kommune 2,1,,0,0")
    with pytest.raises(AnalysisError, match=r"line 3.*Kommune 2.*KOMPETANSE.*empty value"):
        read_data_csv(text, "LYKTES")


def test_duplicate_case_names_are_refused_with_both_lines() -> None:
    text = KOMMUNER + "Kommune 1,0,0,0,0\n"
    with pytest.raises(AnalysisError, match="line 6: case 'Kommune 1' already on line 2"):
        read_data_csv(text, "LYKTES")


def test_a_row_with_too_few_values_is_named() -> None:
    with pytest.raises(AnalysisError, match="line 3: 4 values but 5 columns"):
        read_data_csv(KOMMUNER.replace("Kommune 2,1,0,0,0", "Kommune 2,1,0,0"), "LYKTES")


def test_constant_condition_is_a_warning_not_an_error() -> None:
    text = KOMMUNER.replace("Kommune 3,0,1,1,0", "Kommune 3,1,1,1,0")
    table = read_data_csv(text, "LYKTES")
    assert table.constant_conditions() == ["LEDELSE"]
    assert any("LEDELSE" in w for w in table.warnings)
    # it never enters a solution, as in R
    tt = truth_table(table)
    assert any("LEDELSE" in w for w in tt.warnings)
    for model in minimize(tt, "parsimonious").models:
        assert all("LEDELSE" not in text for text in model.texts)


def test_no_positive_rows_is_a_clear_error() -> None:
    table = read_data_csv(KOMMUNER.replace(",1\n", ",0\n"), "LYKTES")
    tt = truth_table(table)
    with pytest.raises(AnalysisError, match="nothing to explain"):
        minimize(tt, "complex")


def test_no_negative_rows_means_no_parsimonious_solution() -> None:
    table = read_data_csv(KOMMUNER.replace(",0\n", ",1\n"), "LYKTES")
    tt = truth_table(table)
    with pytest.raises(AnalysisError, match="constant 1"):
        minimize(tt, "parsimonious")
    # the complex solution still exists: the observed rows themselves
    assert minimize(tt, "complex").models


def test_contradictory_rows_are_listed_with_their_cases_and_follow_the_cut() -> None:
    text = KOMMUNER + "Kommune 5,1,1,0,0\nKommune 6,1,1,0,1\nKommune 7,1,1,0,1\n"
    table = read_data_csv(text, "LYKTES")
    strict = truth_table(table)
    (row,) = strict.contradictions
    assert row.row == 7  # 110 → 1 + 6
    assert row.cases == ("Kommune 1", "Kommune 5", "Kommune 6", "Kommune 7")
    assert row.positive_cases == ("Kommune 1", "Kommune 6", "Kommune 7")
    assert row.incl == pytest.approx(0.75)
    assert row.out == "0"
    assert any("contradictory" in w and "Kommune 5" in w for w in strict.warnings)
    lenient = {r.row: r.out for r in truth_table(table, incl_cut=0.75).rows}
    assert lenient[7] == "1"
    two_cuts = {r.row: r.out for r in truth_table(table, incl_cut=(0.8, 0.6)).rows}
    assert two_cuts[7] == "C"


def test_n_cut_turns_thin_rows_into_remainders() -> None:
    tt = truth_table(read_data_csv(DATA / "LC.csv", "SURV"), n_cut=2)
    outs = {r.row: r.out for r in tt.rows}
    assert outs[6] == "?"
    assert outs[23] == "?"
    assert outs[22] == "1"


def test_bad_cut_offs_are_refused() -> None:
    table = read_data_csv(KOMMUNER, "LYKTES")
    with pytest.raises(AnalysisError, match="between 0 and 1"):
        truth_table(table, incl_cut=1.5)
    with pytest.raises(AnalysisError, match="must not exceed"):
        truth_table(table, incl_cut=(0.6, 0.8))
    with pytest.raises(AnalysisError, match=r"n\.cut"):
        truth_table(table, n_cut=0)


def test_remainder_rows_have_no_incl_and_pri() -> None:
    tt = truth_table(read_data_csv(KOMMUNER, "LYKTES"), complete=True)
    assert len(tt.rows) == 8
    remainder = tt.rows[0]
    assert remainder.out == "?"
    assert remainder.n == 0
    assert remainder.incl is None
    assert remainder.pri is None


def test_r_ready_csv_has_ascii_names_and_round_trips() -> None:
    table = read_data_csv("case,Økonomi,Støtte fra ledelse,Utfall\nA,1,0,1\nB,0,1,0\n", "Utfall")
    text = format_data_csv(table)
    assert text.splitlines()[0] == "case,Okonomi,Stotte_fra_ledelse,Utfall"
    assert read_data_csv(text, "Utfall").values == table.values


def test_presence_leaves_out_unreported_cases_and_says_which() -> None:
    table, messages = data_table_from_presence(
        ["Kommune 1", "Kommune 2", "Kommune 3"],
        {"LEDELSE": [1, None, 0], "TID": [1, 0, 1], "LYKTES": [1, 0, None]},
        outcome="LYKTES",
    )
    assert table.cases == ("Kommune 1",)
    assert any("Kommune 2" in m and "LEDELSE" in m for m in messages)
    assert any("Kommune 3" in m and "LYKTES" in m for m in messages)


def test_presence_can_count_unreported_as_absent() -> None:
    table, messages = data_table_from_presence(
        ["Kommune 1", "Kommune 2"],
        {"LEDELSE": [1, None], "LYKTES": [1, 0]},
        outcome="LYKTES",
        keep_unreported=True,
    )
    assert table.values == ((1,), (0,))
    assert any("counted as absent" in m for m in messages)


def test_presence_rejects_values_other_than_1_0_or_none() -> None:
    with pytest.raises(AnalysisError, match="Kommune 1"):
        data_table_from_presence(["Kommune 1"], {"A": [2], "Y": [1]}, outcome="Y")


def test_terms_are_written_and_read_in_r_syntax() -> None:
    conditions = ("DEV", "URB", "LIT", "IND", "STB")
    term = parse_term("DEV*~URB*STB", conditions)
    assert term_text(term, conditions) == "DEV*~URB*STB"
    with pytest.raises(AnalysisError, match="Unknown condition"):
        parse_term("DEV*RICH", conditions)


def test_a_chart_too_large_to_search_fails_with_a_clear_message() -> None:
    from kodebok.analysis.qca.minimize import minimal_covers

    # eight rows, each coverable by any of many overlapping terms
    cover = [(1 << a) | (1 << b) for a in range(8) for b in range(a + 1, 8)]
    with pytest.raises(AnalysisError, match="too large to list every minimal model"):
        minimal_covers(cover, 8, max_steps=5)
    with pytest.raises(AnalysisError, match="equally minimal models"):
        minimal_covers(cover, 8, max_models=10)
    assert len(minimal_covers(cover, 8)) == 105  # perfect matchings of 8 rows: 7·5·3·1
