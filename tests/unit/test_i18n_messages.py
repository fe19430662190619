"""Typed messages (code + parameters) rendered by the catalogue; one decimal formatter."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest

from kodebok.analysis.qca import data_table_from_presence
from kodebok.errors import AnalysisError
from kodebok.i18n import current_language, number, percent, render, set_language
from kodebok.notes import Note


@pytest.fixture
def language() -> Iterator[None]:
    before = current_language()
    yield
    set_language(before)


def test_numbers_have_the_languages_decimal_mark(language: None) -> None:
    set_language("nb")
    assert (number(0.9114), number(1.0, 2), percent(0.125), number(None)) == (
        "0,911",
        "1,00",
        "12,5 %",
        "–",
    )
    set_language("en")
    assert (number(0.9114), percent(0.125), percent(None)) == ("0.911", "12.5 %", "–")


def test_qca_notes_are_english_text_and_render_in_the_ui_language(language: None) -> None:
    table, messages = data_table_from_presence(
        ["A", "B", "C"],
        {"x": [1, 1, None], "y": [0, 1, 1]},
        "y",
    )
    left_out, constant = messages
    assert left_out == "case 'C' left out: not reported for x"  # the CLI's text is unchanged
    assert isinstance(left_out, Note)
    assert left_out.code == "qca.left_out"
    assert constant.startswith("condition 'x' has the same value")
    set_language("nb")
    assert render(left_out) == "Casen «C» er utelatt: ikke rapportert for x"
    assert render(constant).startswith("Betingelsen «x» har samme verdi i alle caser")
    set_language("en")
    assert render(left_out) == "Case “C” left out: not reported for x"
    assert pickle.loads(pickle.dumps(left_out)).params == {"case": "C", "names": ["x"]}
    assert table.cases == ("A", "B")


def test_errors_with_a_code_render_from_the_catalogue_others_keep_their_text(
    language: None,
) -> None:
    set_language("nb")
    coded = AnalysisError("the project has no cases; ...", code="qca.no_cases")
    assert render(coded).startswith("Prosjektet har ingen caser")
    plain = AnalysisError("something else")
    assert render(plain) == "something else"
    assert render(Note("no.such.code", "kept as written")) == "kept as written"
