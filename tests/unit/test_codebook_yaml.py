"""The native YAML codebook: what it accepts, and errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.codebook import (
    Codebook,
    CodeSpec,
    format_codebook,
    parse_yaml_codebook,
    read_codebook,
)
from kodebok.errors import CodebookError

DATA = Path(__file__).resolve().parent.parent / "data" / "codebook"


def paths(cb: Codebook) -> list[str]:
    return [path for path, _ in cb.walk()]


def test_yaml_codebook_reads_hierarchy_in_file_order() -> None:
    cb = read_codebook(DATA / "intervjuguide.yaml")
    assert cb.name == "Styring i Ørsta og Våler"
    assert cb.description == "Temaer fra en kort intervjuguide."
    assert paths(cb) == [
        "Helhetsperspektiv",
        "Praksis",
        "Praksis/Initiering",
        "Praksis/Initiering/Politisk initiert",
        "Praksis/Initiering/Administrativt initiert",
        "Praksis/Medvirkning",
        "Økonomi og årshjul",
    ]


def test_yaml_codebook_reads_fields_and_normalises_colours() -> None:
    cb = read_codebook(DATA / "intervjuguide.yaml")
    codes = dict(cb.walk())
    helhet = codes["Helhetsperspektiv"]
    assert helhet.description == "Hvordan informanten ser kommunen som helhet."
    assert helhet.keywords == ("helhet", "by og land", "sammenheng")
    assert helhet.color == "#4e79a7"
    assert helhet.shortcut == "1"
    assert codes["Praksis/Initiering/Administrativt initiert"].shortcut == "2"
    medvirkning = codes["Praksis/Medvirkning"]
    assert medvirkning.description == "Hvem som fikk være med, og hvordan."
    assert medvirkning.keywords == ("tillitsvalgte", "partssamarbeid")


def test_unknown_keys_are_kept_as_metadata_and_written_back() -> None:
    cb = read_codebook(DATA / "intervjuguide.yaml")
    codes = dict(cb.walk())
    assert cb.metadata == {"versjon": 2}
    assert codes["Helhetsperspektiv"].metadata == {"kilde": "intervjuguide høst 2023"}
    assert codes["Praksis/Medvirkning"].metadata == {"eksempler": ["«Vi ble tatt med for sent.»"]}
    again = parse_yaml_codebook(format_codebook(cb, "yaml"), "ut.yaml")
    assert again == cb


def test_a_plain_list_of_names_is_a_codebook() -> None:
    cb = parse_yaml_codebook("- Helhetsperspektiv\n- Ledelse\n- Rapportering\n", "liste.yaml")
    assert cb.name == ""
    assert paths(cb) == ["Helhetsperspektiv", "Ledelse", "Rapportering"]


def test_names_that_yaml_would_read_as_booleans_or_numbers_stay_text() -> None:
    cb = parse_yaml_codebook("codes:\n  - No\n  - name: 2020\n  - name: yes\n", "k.yaml")
    assert paths(cb) == ["No", "2020", "yes"]


def test_empty_codes_list_is_an_empty_codebook() -> None:
    assert parse_yaml_codebook("name: Tom\ncodes:\n", "k.yaml") == Codebook(name="Tom")


def test_short_colours_and_strings_of_keywords_are_accepted() -> None:
    text = 'codes:\n  - name: A\n    color: "#ABC"\n    keywords: "styringskort, årshjul"\n'
    spec = parse_yaml_codebook(text, "k.yaml").codes[0]
    assert spec.color == "#aabbcc"
    assert spec.keywords == ("styringskort", "årshjul")


def test_duplicate_sibling_names_name_the_line_and_parent() -> None:
    with pytest.raises(CodebookError) as err:
        read_codebook(DATA / "duplikat.yaml")
    assert str(err.value) == "duplikat.yaml, line 14: two codes named 'Medvirkning' under 'Praksis'"


def test_tab_indentation_is_reported_on_its_line() -> None:
    with pytest.raises(CodebookError) as err:
        read_codebook(DATA / "tabulator.yaml")
    assert str(err.value) == "tabulator.yaml, line 7: tab used for indentation; use spaces"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("# bare en kommentar\n\n", "line 1: the file is empty"),
        (
            "codes:\n  - name: A\n  - description: uten navn\n",
            "line 3: a code has no name (add 'name:')",
        ),
        ("codes:\n  - name:\n", "line 2: a code has no name"),
        (
            "codes:\n  - name: A\n    children:\n      - name: Mål/resultat\n",
            "line 4: the name 'Mål/resultat' contains '/', which separates paths",
        ),
        (
            "codes:\n  - name: A\n    color: blå\n",
            "line 3: invalid colour 'blå'; write it as \"#rrggbb\"",
        ),
        (
            "codes:\n  - name: A\n    color: #4e79a7\n",
            'line 3: put the colour in quotes, e.g. color: "#4e79a7"',
        ),
        (
            "codes:\n  - name: A\n    shortcut: 1\n  - name: B\n    shortcut: '1'\n",
            "line 4: shortcut '1' is used by both 'A' and 'B'",
        ),
        ("codes:\n  - name: A\n    shortcut: ab\n", "line 3: invalid shortcut 'ab'"),
        ("codes:\n  - name: A\n  - name: a\n", "line 3: two codes named 'a' at the top level"),
        ("Helhetsperspektiv\n", "line 1: not a codebook: expected 'codes:'"),
        ("name: Bare et navn\n", "line 1: not a codebook: there is no 'codes:' list"),
        ("codes: Helhetsperspektiv\n", "line 1: 'codes' must be a list of codes"),
        ("codes:\n  - [A, B]\n", "line 2: expected a code (a name, or a mapping with 'name:')"),
        ("codes:\n  - name: A\n    children: B\n", "line 3: 'children' must be a list of codes"),
        ("codes:\n  - name: A\n    name: B\n", "line 3: the key 'name' appears twice"),
        ("codes:\n  - name: A\n    description: [x]\n", "line 3: the description must be text"),
        ("codes:\n  - name: A\n    keywords: {a: 1}\n", "line 3: keywords must be a list"),
        ("codes:\n  - name: [A\n", "line 3: not valid YAML"),
        ("codes:\n  - &a {name: A, children: [*a]}\n", "line 2: anchors and aliases"),
    ],
)
def test_errors_name_file_line_and_problem(text: str, message: str) -> None:
    with pytest.raises(CodebookError) as err:
        parse_yaml_codebook(text, "codebook.yaml")
    assert str(err.value).startswith(f"codebook.yaml, {message}")


def test_yaml_written_by_kodebok_is_indented_with_one_line_keywords() -> None:
    cb = Codebook(
        name="Test",
        codes=[
            CodeSpec(
                "Rapportering",
                "Tertialrapporter.",
                ("tertialrapport", "KOSTRA"),
                "#e15759",
                "6",
                children=[CodeSpec("Årsmelding")],
            )
        ],
    )
    assert format_codebook(cb, "yaml") == (
        "name: Test\n"
        "codes:\n"
        "  - name: Rapportering\n"
        "    description: Tertialrapporter.\n"
        "    keywords: [tertialrapport, KOSTRA]\n"
        '    color: "#e15759"\n'
        '    shortcut: "6"\n'
        "    children:\n"
        "      - name: Årsmelding\n"
    )


def test_norwegian_keys_are_read_as_their_english_names() -> None:
    text = (
        "navn: Kodebok\nkoder:\n  - navn: Ledelse\n    beskrivelse: Lederens rolle.\n"
        "    nøkkelord: [leder, leiing]\n    farge: '#edc948'\n    hurtigtast: '9'\n"
        "    underkoder:\n      - Fremmer\n"
    )
    cb = parse_yaml_codebook(text, "k.yaml")
    assert cb.name == "Kodebok"
    assert cb.codes == [
        CodeSpec(
            "Ledelse", "Lederens rolle.", ("leder", "leiing"), "#edc948", "9", [CodeSpec("Fremmer")]
        )
    ]


def test_keywords_with_semicolons_are_written_as_separate_keywords() -> None:
    cb = Codebook(codes=[CodeSpec("A", keywords=("a; b", "  c  ", "a"))])
    assert parse_yaml_codebook(format_codebook(cb, "yaml"), "k").codes[0].keywords == (
        "a",
        "b",
        "c",
    )
