"""The privacy detector: every planted identifier is found, with its source; offsets remap."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.analysis.privacy import (
    find_personal_data,
    remap_offset,
    replace_spans,
    valid_national_id,
)

PLANTED_FILE = Path(__file__).parent.parent / "data" / "privacy" / "fjellbygd_helseleder.txt"
# (kind, text) of every identifier planted in the fictional transcript
PLANTED = [
    ("person", "Ingrid Solberg"),
    ("birthdate", "født 3. mai 1975"),
    ("national-id", "150372 10029"),
    ("person", "ole hansen"),
    ("person", "SIGRID BAKKEN"),
    ("org", "Bakkeli skole"),
    ("person", "Astrid"),
    ("phone", "912 34 567"),
    ("phone", "+47 22 33 44 55"),
    ("phone", "48123456"),
    ("email", "ingrid.solberg@fjellbygd.kommune.no"),
    ("address", "Fjellvegen 12B"),
    ("address", "Storgata 5"),
    ("postcode", "7030 Trondheim"),
    ("org", "Hansen Bygg AS"),
]


def planted_text() -> str:
    return PLANTED_FILE.read_text(encoding="utf-8")


def test_every_planted_identifier_is_found_with_its_kind_and_source() -> None:
    found = find_personal_data(planted_text(), known={"Fjellbygd": "case"})
    pairs = {(f.kind, f.match) for f in found}
    for kind, match in PLANTED:
        assert (kind, match) in pairs, (kind, match)
    assert all(f.source for f in found)
    by_match = {f.match: f.source for f in found}
    assert by_match["150372 10029"] == "pattern:national-id"
    assert by_match["912 34 567"] == "pattern:phone"
    assert by_match["ole hansen"] == "gazetteer"
    assert "project" in by_match["Fjellbygd"]


def test_fodselsnummer_needs_both_check_digits() -> None:
    assert valid_national_id("15037210029")
    assert not valid_national_id("15037210028")  # second check digit wrong
    assert not valid_national_id("15037210019")  # first check digit wrong
    assert not valid_national_id("45137210029")  # no such date
    text = "Nummeret 15037210028 er feil, 15037210029 er riktig."
    kinds = {(f.kind, f.match) for f in find_personal_data(text)}
    assert ("national-id", "15037210029") in kinds
    assert not any(m == "15037210028" and k == "national-id" for k, m in kinds)


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("Ring 41 23 45 67 i morgen.", "phone", "41 23 45 67"),
        ("Ring 0047 41234567 i morgen.", "phone", "0047 41234567"),
        ("Hun er fødd 12.03.1968 og bor her.", "birthdate", "fødd 12.03.1968"),
        ("Adressen er Kongens gate 14 A.", "address", "Kongens gate 14 A"),
        ("Vi bor i fjellvegen 12b no.", "address", "fjellvegen 12b"),
        ("Send det til 8800 SANDNESSJØEN.", "postcode", "8800 SANDNESSJØEN"),
        ("Hun jobber på Bakkeli barnehage i bygda.", "org", "Bakkeli barnehage"),
        ("Vi snakket med Sigrid om saken.", "person", "Sigrid"),
        ("Og så kom Stoltenberg inn.", "name", "Stoltenberg"),
    ],
)
def test_forms_of_personal_data(text: str, kind: str, match: str) -> None:
    assert (kind, match) in {(f.kind, f.match) for f in find_personal_data(text)}


def test_ordinary_words_and_identifiers_are_left_alone() -> None:
    text = (
        "Det var et godt år. Budsjettet økte med 12 prosent i 2019. "
        "Id 4f3a2b1c-12345678-9abc og posisjon 12345678901234 er ikke telefonnumre. "
        "NAV og IKT er forkortelser."
    )
    assert find_personal_data(text) == []


def test_entities_from_a_recogniser_join_and_are_named_as_source() -> None:
    text = "Tone kom inn. Det var sent."  # a lone ordinary word at a sentence start
    assert find_personal_data(text) == []
    found = find_personal_data(text, entities=[(0, 4, "PER")])
    assert [(f.kind, f.match, f.source) for f in found] == [("person", "Tone", "ner:PER")]
    merged = find_personal_data("Vi møtte Kari Nordmann.", entities=[(9, 22, "PER")])
    assert [(f.match, f.source) for f in merged] == [("Kari Nordmann", "ner:PER+gazetteer")]


def test_allowed_words_and_numbered_labels_are_no_names() -> None:
    text = "Vi brukte Styringskortet. Så kom Person 3 og Kommune 2 med innspill."
    assert [f.match for f in find_personal_data(text)] == ["Styringskortet"]
    assert find_personal_data(text, allowed={"styringskortet"}) == []


def test_replace_spans_and_remap_offsets() -> None:
    text = "Kari bor i Storgata 5 nå."
    new, edits = replace_spans(text, [(11, 21, "[adresse]"), (0, 4, "Person 1")])
    assert new == "Person 1 bor i [adresse] nå."
    # a selection of "bor i Storgata 5" moves onto "bor i [adresse]"
    start, end = remap_offset(5, edits, is_end=False), remap_offset(21, edits, is_end=True)
    assert new[start:end] == "bor i [adresse]"
    # a selection inside a replaced name covers its whole pseudonym
    assert new[remap_offset(1, edits, is_end=False) : remap_offset(3, edits, is_end=True)] == (
        "Person 1"
    )
    assert remap_offset(len(text), edits, is_end=True) == len(new)


@pytest.mark.parametrize(
    "text",
    [
        "[Intervjuer] Kan du først fortelle litt om skolen?",
        "[00:15:49] Intervjuar: Tusen takk for samtalen.",
        "[00:00:25] Tillitsvald: Takk sjølv. Det var kjekt.",
        "**Utvalsleiar:** Ja. Eg er leiar i hovudutvalet.",
        "00:20:19 Ordfører: Bare at vi ikke er ferdige.",
        "R: Bare at jeg ikke er imot mål og resultater.",
        "IP: Det var sånn. (latter) Jeg er glad i jobben min.",
        "- Det var sånn, sa hun. Vi laget en KOSTRA-analyse.",
    ],
)
def test_transcript_markup_is_no_name(text: str) -> None:
    assert find_personal_data(text) == []


def test_names_in_transcript_markup_are_still_found() -> None:
    found = {
        (f.kind, f.match) for f in find_personal_data("[Kari Hansen] Ja. (pause) Odd-Bjørn kom.")
    }
    assert ("person", "Kari Hansen") in found
    assert ("person", "Odd-Bjørn") in found


def test_a_name_found_once_is_found_everywhere_in_the_text() -> None:
    text = "Vi snakket med Sagbakken i går. Sagbakken sa nei til det."
    found = [(f.match, f.source) for f in find_personal_data(text)]
    assert found == [("Sagbakken", "capitalisation"), ("Sagbakken", "repeated")]
    alone = find_personal_data("Sagbakken sa nei til det.")
    assert alone == []  # at a sentence start, alone, a compound-like name says nothing


def test_recogniser_entities_on_markup_and_ordinary_words_are_dropped() -> None:
    text = "Intervjuer (00:01:10): Hva gjør hjemmetjenesten?\nSPEAKER_00: Vi ringte a Tone Moe."
    entities = [
        (0, 10, "PER"),  # a speaker label
        (32, 47, "ORG"),  # an ordinary word in lower case
        (49, 59, "LOC"),  # a machine speaker label
        (71, 72, "PER"),  # a single letter (dialect "a" = she)
        (73, 81, "PER"),  # a name
    ]
    found = [(f.kind, f.match, f.source) for f in find_personal_data(text, entities=entities)]
    assert found == [("person", "Tone Moe", "ner:PER+gazetteer")]
