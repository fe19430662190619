"""kodebok.tabular: the one number format of written tables, the CSV writer, the word count."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from kodebok.analysis.tally import word_bounds
from kodebok.tabular import count_words, csv_text, format_number


def test_floats_get_four_significant_digits_and_never_an_exponent_when_large() -> None:
    assert format_number(0.123456) == "0.1235"
    assert format_number(66.66666) == "66.67"
    assert format_number(12345.6) == "12346"  # not 1.235e+04
    assert format_number(2_500_000.4) == "2500000"
    assert format_number(9999.7) == "10000"  # .4g would say 1e+04
    assert format_number(0.00001234) == "1.234e-05"  # small values are not rounded to 0


def test_cells_that_are_not_floats() -> None:
    assert format_number(None) == ""
    assert format_number(7) == "7"
    assert format_number(True) == "1"
    assert format_number("12.5") == "12.5"  # a string is written as given
    assert format_number(float("nan")) == "nan"


def test_decimal_comma_and_digits() -> None:
    assert format_number(12.5, ",") == "12,5"
    assert format_number(2 / 3, digits=6) == "0.666667"


def test_csv_text_quotes_and_separates_by_the_decimal_mark() -> None:
    rows = [["Nordvik, sør", 0.5, None, 3], ["Fjellbygd", 1234567.0, 2, "a;b"]]
    text = csv_text(["case", "share", "x", "n"], rows)
    assert list(csv.reader(io.StringIO(text))) == [
        ["case", "share", "x", "n"],
        ["Nordvik, sør", "0.5", "", "3"],
        ["Fjellbygd", "1234567", "2", "a;b"],
    ]
    norsk = csv_text(["case", "share"], [["Nordvik", 0.5]], decimal=",")
    assert norsk == "case;share\nNordvik;0,5\n"


def test_count_words_by_hand() -> None:
    assert count_words("") == 0
    assert count_words("IP: Vi har et tonivå-system, 8 000 innbyggere.") == 9
    assert count_words("  ...  – ") == 0
    assert count_words("snake_case er ett ord") == 4


@given(st.text(max_size=200))
def test_count_words_agrees_with_the_matrix_word_index(text: str) -> None:
    starts, ends = word_bounds(text)
    assert count_words(text) == len(starts) == len(ends)
