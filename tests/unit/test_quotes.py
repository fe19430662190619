"""The quote bank: attribution templates, sorting by case, pseudonymisation of cases and names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_matrix import build_small_project

from kodebok.analysis.quotes import (
    Quote,
    attribution,
    looks_like_name,
    pseudonym_mapping,
    pseudonymise,
    pseudonymise_quote,
    quote_sections,
    scrub_personal_data,
)
from kodebok.errors import AnalysisError
from kodebok.services import analysis
from kodebok.store import Project


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Project]:
    path = tmp_path / "liten.kodebok"
    build_small_project(path)
    with Project.open(path) as project:
        yield project


def _quote(**kw: object) -> Quote:
    base: dict[str, object] = {
        "code": "Styring",
        "text": "Vi innførte styringskort.",
        "case": "Nordvik",
        "document": "nordvik_radmann",
        "speaker": "IP",
        "start": 0,
        "fields": {"role": "Rådmann", "level": "administrativ", "date": "2023-10-12"},
    }
    base.update(kw)
    return Quote(**base)  # type: ignore[arg-type]


def test_attribution_fills_any_field_and_drops_missing_ones() -> None:
    q = _quote()
    assert attribution(q) == "(Rådmann, Nordvik)"
    assert attribution(q, "({level}, {case}, {date})") == "(administrativ, Nordvik, 2023-10-12)"
    assert attribution(q, "«{speaker}» i {document}") == "«IP» i nordvik_radmann"
    assert attribution(_quote(fields={}), "({role}, {fylke}, {case})") == "(IP, Nordvik)"
    assert attribution(_quote(case="", speaker="", fields={})) == "(nordvik_radmann)"


def test_pseudonymise_replaces_names_genitives_and_compounds() -> None:
    mapping = {"Nordvik": "Kommune 2", "Kari": "[navn]", "Os": "Kommune 3"}
    text = "Nordviks rådmann og Kari snakket om Nordvikveien i Os, ikke i Oslo."
    assert pseudonymise(text, mapping) == (
        "Kommune 2s rådmann og [navn] snakket om Kommune 2-veien i Kommune 3, ikke i Oslo."
    )


def test_pseudonymise_catches_names_in_capitals_and_long_names_in_lower_case() -> None:
    mapping = {"Nordvik": "Kommune 2", "Nes": "Kommune 3"}
    text = "RAPPORT FRA NORDVIK. Vi i nordvik bor ved et nes, NES ligger nord."
    assert pseudonymise(text, mapping) == (
        "RAPPORT FRA Kommune 2. Vi i Kommune 2 bor ved et nes, Kommune 3 ligger nord."
    )


def test_scrubbing_finds_names_that_are_not_speaker_labels() -> None:
    text = "Det var Anne Marit som tok initiativet; ring 22 33 44 55 i dag."
    assert scrub_personal_data(text) == "Det var [navn] som tok initiativet; ring [telefon] i dag."


def test_document_names_lose_the_kommune_also_without_ae_oe_aa() -> None:
    quote = pseudonymise_quote(
        _quote(document="storsjo_rektor", case="Storsjø"), {"Storsjø": "Kommune 4"}
    )
    assert quote.document == "kommune_4_rektor"
    assert quote.case == "Kommune 4"


def test_cases_become_numbered_kommuner_in_name_order_and_the_project_map_wins() -> None:
    mapping = pseudonym_mapping(["Nordvik", "Fjellbygd", "Åsen"], ["IP", "Kari", "Leder 2"])
    assert mapping["Fjellbygd"] == "Kommune 1"
    assert mapping["Nordvik"] == "Kommune 2"
    assert mapping["Kari"] == "[navn]"
    assert "IP" not in mapping
    assert "Leder 2" not in mapping
    own = pseudonym_mapping(["Nordvik", "Fjellbygd"], [], {"Nordvik": "Kommune 1"})
    assert own == {"Nordvik": "Kommune 1", "Fjellbygd": "Kommune 2"}


def test_speaker_labels_that_look_like_names() -> None:
    assert looks_like_name("Kari")
    assert looks_like_name("Ola Hansen")
    for label in ("IP", "I", "Informant 3", "Leder 1", "SPEAKER_00", "Rektor", "rådmann"):
        assert not looks_like_name(label), label


def test_quotes_are_sorted_by_case_and_grouped_by_code(small: Project) -> None:
    sections = analysis.quotes(small, ["Styring"])
    assert [s.code for s in sections] == ["Styring", "Styring/Styringskort", "Styring/Initiativ"]
    kort = sections[1]
    assert [q.case for q, _ in kort.quotes] == ["Fjellbygd", "Nordvik"]  # two coders, one quote
    assert kort.quotes[1][1] == "(rådmann, Nordvik)"


def test_pseudonymised_quotes_leave_no_real_case_or_name(small: Project) -> None:
    sections = analysis.quotes(small, ["Styring"], by="case", pseudonymise=True)
    text = " ".join(f"{q.text} {a} {q.document} {s.group}" for s in sections for q, a in s.quotes)
    for real in ("Nordvik", "Fjellbygd", "Kari"):
        assert real not in text
    # a name the map does not have gets a numbered placeholder, recorded in the map
    assert "Rådmannen i Kommune 2 tok initiativet, og Person 1 hjalp til" in text
    rows = small.conn.execute("SELECT pseudonym, kind FROM pseudonyms WHERE real = 'Kari Hansen'")
    assert [tuple(r) for r in rows] == [("Person 1", "person")]
    assert "(rådmann, Kommune 2)" in text
    assert "([navn], Kommune 1)" in text
    assert {s.group for s in sections} >= {"Kommune 1", "Kommune 2"}


def test_project_pseudonym_table_is_used(small: Project) -> None:
    small.conn.execute(
        "INSERT INTO pseudonyms(real, pseudonym, kind, created_at) "
        "VALUES ('Nordvik', 'Kystkommunen', 'case', '2024')"
    )
    sections = analysis.quotes(small, ["Styring/Initiativ"], pseudonymise=True)
    assert all(q.case == "Kystkommunen" for s in sections for q, _ in s.quotes)


def test_bad_template_is_a_clear_error(small: Project) -> None:
    with pytest.raises(AnalysisError, match="template"):
        analysis.quotes(small, ["Styring"], template="({role")


def test_sections_follow_code_order_then_group() -> None:
    quotes = [
        _quote(code="B", group="2"),
        _quote(code="A", group="10"),
        _quote(code="A", group="2"),
    ]
    sections = quote_sections(quotes, code_order=["B", "A"])
    assert [(s.code, s.group) for s in sections] == [("B", "2"), ("A", "2"), ("A", "10")]


def test_quotes_of_one_matrix_cell(small: Project) -> None:
    sections = analysis.quotes(small, ["Styring/Styringskort"], by="case", group="Nordvik")
    assert [(s.group, len(s.quotes)) for s in sections] == [("Nordvik", 1)]
