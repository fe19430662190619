"""Privacy: personal data is found in documents and exports; pseudonyms replace real names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from kodebok.analysis.privacy import (
    find_personal_data,
    pseudonymise,
    pseudonymise_identifier,
)

TEXT = (
    "IP: Jeg snakket med Kari Nordmann om dette i fjor.\n"
    "IP: Ring meg på 912 34 567 eller skriv til kari.nordmann@nordvik.kommune.no.\n"
    "IP: Hun er født 12.03.1968 og har jobbet i Molde og senere hos oss.\n"
    "IP: Time etter time satt vi med tallene. Vi samarbeider med Hamar.\n"
)


def test_detector_finds_names_contacts_dates_and_places() -> None:
    found = {(f.kind, f.match) for f in find_personal_data(TEXT)}
    assert ("person", "Kari Nordmann") in found
    assert ("phone", "912 34 567") in found
    assert ("email", "kari.nordmann@nordvik.kommune.no") in found
    assert any(kind == "birthdate" and "12.03.1968" in m for kind, m in found)
    assert ("place", "Molde") in found
    assert ("place", "Hamar") in found


def test_ambiguous_place_names_at_sentence_start_are_not_flagged() -> None:
    found = find_personal_data(TEXT)
    assert not any(f.match == "Time" for f in found)


def test_findings_carry_line_numbers() -> None:
    lines = {f.match: f.line for f in find_personal_data(TEXT)}
    assert lines["Kari Nordmann"] == 1
    assert lines["912 34 567"] == 2


def test_known_project_names_are_found() -> None:
    found = find_personal_data("Vi i Fjellbygd gjorde det annerledes.", known={"Fjellbygd": "case"})
    assert [(f.kind, f.match) for f in found] == [("case", "Fjellbygd")]


def test_pseudonymise_replaces_whole_words_longest_first() -> None:
    mapping = {"Nordvik": "Kommune 1", "Nordvik skole": "Skole A"}
    text = "Nordvik skole ligger i Nordvik. Nordviks folk og Nordvikveien."
    assert pseudonymise(text, mapping) == (
        "Skole A ligger i Kommune 1. Kommune 1s folk og Nordvikveien."
    )


def test_identifiers_lose_their_real_names() -> None:
    assert pseudonymise_identifier("nordvik_radmann", {"Nordvik": "Kommune 1"}) == (
        "kommune_1_radmann"
    )


def test_cli_privacy_check_and_pseudonymised_export(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    doc = tmp_path / "nordvik_radmann.txt"
    doc.write_text(
        "---\ncase: Nordvik\n---\nI: Hvem?\nIP: Rådmann Per Hansen i Nordvik "
        "bestemte det. Ring 22 33 44 55.\n",
        encoding="utf-8",
    )
    assert cli("import", str(doc)).exit_code == 0
    check = cli("privacy-check", "--format", "json")
    assert check.exit_code == 1
    kinds = {(h["kind"], h["match"]) for h in json.loads(check.output)}
    assert ("person", "Per Hansen") in kinds
    assert ("case", "Nordvik") in kinds
    assert cli("codebook", "add", "Initiering").exit_code == 0
    assert cli("code", "nordvik_radmann", "2", "Initiering").exit_code == 0
    assert cli("pseudonyms", "auto").exit_code == 0
    assert cli("pseudonyms", "set", "Per Hansen", "[rådmannen]", "--kind", "person").exit_code == 0
    out = tmp_path / "eksport"
    out.mkdir()
    assert cli("codings", "export", "--pseudonymise", "-o", str(out / "k.csv")).exit_code == 0
    exported = (out / "k.csv").read_text(encoding="utf-8")
    assert "Nordvik" not in exported
    assert "nordvik" not in exported
    assert "Per Hansen" not in exported
    assert "Kommune 1" in exported
    assert "22 33 44 55" not in exported
    assert "[telefon]" in exported
    leftovers = cli("privacy-check", "--in", str(out), "--format", "json")
    assert leftovers.exit_code == 0, leftovers.output
    assert json.loads(leftovers.output) == []
    mapfile = tmp_path / "kart.csv"
    assert cli("pseudonyms", "export", "-o", str(mapfile)).exit_code == 0
    assert "Nordvik,Kommune 1,case" in mapfile.read_text(encoding="utf-8")


def test_words_after_quotation_marks_start_a_sentence() -> None:
    # found on the demo: «Er du fornøgd», ".» Det sat." were names, and then every "Det"
    for text in (
        "Det var spørsmål som «Er du fornøgd med tenesta» i skjemaet.",
        "Så var dei ikkje verdt noko.» Det sat.",
        "Målet heitte «Ein attraktiv arbeidsgjevar» i planen.",
    ):
        assert find_personal_data(text) == [], text


def test_a_map_entry_that_is_also_a_word_matches_only_as_written() -> None:
    # "Kommunen" once taken for a name must not make every "kommunen" a placeholder
    text = "Kommunen er organisert slik. Men kommunen har andre planar, og Andre seier nei."
    found = find_personal_data(text, known={"Kommunen": "other", "Andre": "other"})
    project = [(f.match, f.start) for f in found if "project" in f.source]
    assert project == [("Kommunen", 0), ("Andre", text.index("Andre seier"))]
    # a name that is no word still matches in any case
    found = find_personal_data("nordvik og NORDVIK", known={"Nordvik": "case"})
    assert [f.match for f in found if "project" in f.source] == ["nordvik", "NORDVIK"]
