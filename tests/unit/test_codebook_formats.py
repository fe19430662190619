"""CSV, Markdown and REFI-QDA codebooks: reading, errors with line numbers, and round trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from kodebok.codebook import (
    Codebook,
    CodeSpec,
    code_guid,
    format_codebook,
    parse_csv_codebook,
    parse_markdown_codebook,
    parse_qdc_codebook,
    parse_yaml_codebook,
    read_codebook,
)
from kodebok.errors import CodebookError

DATA = Path(__file__).resolve().parent.parent / "data" / "codebook"
QDC_NS = "urn:QDA-XML:codebook:1.0"


def sample() -> Codebook:
    """A codebook with hierarchy, æøå, keywords, colours, a shortcut and multi-line text."""
    return Codebook(
        name="Styring i Ørsta",
        description="Temaer fra guiden.\n\nAndre avsnitt.",
        codes=[
            CodeSpec(
                "Helhetsperspektiv",
                "Kommunen som helhet: tjenester og samfunn.",
                ("helhet", "by og land", "sammenheng"),
                "#4e79a7",
                "1",
            ),
            CodeSpec(
                "Praksis",
                "Hvordan arbeidet drives.\nAndre linje.",
                color="#f28e2b",
                children=[
                    CodeSpec(
                        "Initiering",
                        "Hvem tok initiativet?",
                        ("initiativ", "rådmannen"),
                        children=[CodeSpec("Politisk initiert"), CodeSpec("Statlig: KS og Udir")],
                    ),
                    CodeSpec("Medvirkning", "- ikke en punktliste", ("tillitsvalgte",), "#59a14f"),
                ],
            ),
            CodeSpec("Økonomi og årshjul", "Nøkkelord: dette er beskrivelse, ikke nøkkelord"),
        ],
    )


def essentials(cb: Codebook) -> list[tuple[str, str, tuple[str, ...], str | None]]:
    return [(path, s.description, s.keywords, s.color) for path, s in cb.walk()]


PARSERS = {
    "yaml": lambda text: parse_yaml_codebook(text, "ut.yaml"),
    "csv": lambda text: parse_csv_codebook(text, "ut.csv"),
    "md": lambda text: parse_markdown_codebook(text, "ut.md"),
    "qdc": lambda text: parse_qdc_codebook(text.encode("utf-8"), "ut.qdc"),
}


@pytest.mark.parametrize("fmt", ["yaml", "csv", "md", "qdc"])
def test_round_trip_keeps_names_hierarchy_descriptions_keywords_colours_and_order(
    fmt: str,
) -> None:
    book = sample()
    again = PARSERS[fmt](format_codebook(book, fmt))
    assert essentials(again) == essentials(book)


@pytest.mark.parametrize("fmt", ["yaml", "csv", "md"])
def test_round_trip_keeps_shortcuts(fmt: str) -> None:
    again = PARSERS[fmt](format_codebook(sample(), fmt))
    assert [s.shortcut for _, s in again.walk()] == [s.shortcut for _, s in sample().walk()]


@pytest.mark.parametrize("fmt", ["yaml", "md"])
def test_round_trip_keeps_the_codebook_name_and_description(fmt: str) -> None:
    again = PARSERS[fmt](format_codebook(sample(), fmt))
    assert (again.name, again.description) == (sample().name, sample().description)


def test_yaml_round_trip_is_exact() -> None:
    assert parse_yaml_codebook(format_codebook(sample(), "yaml"), "ut.yaml") == sample()


def test_metadata_survives_csv_as_extra_columns() -> None:
    book = Codebook(codes=[CodeSpec("A", metadata={"kilde": "guide", "poeng": 20})])
    text = format_codebook(book, "csv")
    assert text.splitlines()[0] == "path,description,keywords,color,kilde,poeng"
    assert parse_csv_codebook(text, "ut.csv").codes[0].metadata == {"kilde": "guide", "poeng": "20"}


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_with_semicolons_bom_and_implied_parents() -> None:
    cb = read_codebook(DATA / "intervjuguide_semikolon.csv")
    codes = dict(cb.walk())
    assert list(codes) == [
        "Helhetsperspektiv",
        "Praksis",
        "Praksis/Initiering",
        "Praksis/Medvirkning",
        "Økonomi og årshjul",
    ]
    assert codes["Helhetsperspektiv"].keywords == ("helhet", "by og land")
    assert codes["Helhetsperspektiv"].metadata == {"merknad": "fra guiden"}
    assert codes["Praksis"].description == "Hvordan arbeidet drives."
    assert codes["Praksis"].color == "#f28e2b"
    assert codes["Praksis/Medvirkning"].description == "Hvem som fikk være med; og hvordan."
    assert codes["Praksis/Medvirkning"].keywords == ("tillitsvalgte", "partssamarbeid")


def test_csv_with_name_and_parent_columns_builds_the_tree() -> None:
    text = "navn,forelder\nPraksis,\nMedvirkning,Praksis\nTillitsvalgte,Praksis/Medvirkning\n"
    cb = parse_csv_codebook(text, "k.csv")
    assert [p for p, _ in cb.walk()] == [
        "Praksis",
        "Praksis/Medvirkning",
        "Praksis/Medvirkning/Tillitsvalgte",
    ]


def test_csv_cycle_in_parents_is_reported_with_its_line() -> None:
    with pytest.raises(CodebookError) as err:
        read_codebook(DATA / "sykel.csv")
    assert str(err.value) == (
        "sykel.csv, line 4: the parents form a cycle: Rapportering → Analyse → Metoder → Rapportering"
    )


def test_csv_in_latin1_is_refused_with_the_line_of_the_first_bad_byte() -> None:
    with pytest.raises(CodebookError) as err:
        read_codebook(DATA / "latin1.csv")
    assert str(err.value) == (
        "latin1.csv, line 3: not UTF-8 text (byte 0xd8); save the file as UTF-8"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("\ufeff\n\n", "line 1: the file is empty"),
        ("kode\n", None),
        ("beskrivelse,farge\nx,y\n", "line 1: the first row must be a header with a 'path' column"),
        ("path,color\nA,#4e79a7\nA/B,grønn\n", "line 3: invalid colour 'grønn'"),
        ("path\nA\nA//B\n", "line 3: the path 'A//B' has an empty name between '/'"),
        ("path,description\nA,x\n,y\n", "line 3: a code has no name"),
        ("path\nPraksis/Medvirkning\nPraksis/Medvirkning\n", "line 3: two codes named"),
        ("path\nA\na\n", "line 3: two codes named 'a' at the top level"),
        ("path,description\nA,x,y\n", "line 2: the row has 3 cells but the header 2"),
        ('path,description\nA,"uten slutt\n', "line 2: not valid CSV"),
        ("name,parent\nA,\nB,Ukjent\n", "line 3: the parent 'Ukjent' of 'B' is unknown"),
        ("name,parent\nA,\nB,B\n", "line 3: the parents form a cycle: B → B"),
        ("name,parent\nA,C\nB,\nC,A\n", "line 2: the parents form a cycle: A → C → A"),
        ("name,parent\nA,\nB,A\nC,A\nB,C\nD,B\n", "line 6: the parent 'B' of 'D' is ambiguous"),
        ("path,shortcut\nA,1\nB,1\n", "line 3: shortcut '1' is used by both 'A' and 'B'"),
        ("path,sti\nA,B\n", "line 1: the column 'sti' appears twice in the header"),
    ],
)
def test_csv_errors_name_file_line_and_problem(text: str, message: str | None) -> None:
    if message is None:
        assert parse_csv_codebook(text, "k.csv") == Codebook()
        return
    with pytest.raises(CodebookError) as err:
        parse_csv_codebook(text, "codebook.csv")
    assert str(err.value).startswith(f"codebook.csv, {message}")


# --- Markdown ----------------------------------------------------------------------------------


def test_markdown_nested_bullets_with_fields_and_bold_names() -> None:
    cb = read_codebook(DATA / "intervjuguide.md")
    assert cb.name == "Styring i Ørsta og Våler"
    assert cb.description == "Temaer fra en kort intervjuguide."
    codes = dict(cb.walk())
    assert list(codes) == [
        "Helhetsperspektiv",
        "Praksis",
        "Praksis/Initiering",
        "Praksis/Initiering/Politisk initiert",
        "Praksis/Initiering/Administrativt initiert",
        "Praksis/Medvirkning",
        "Økonomi og årshjul",
    ]
    helhet = codes["Helhetsperspektiv"]
    assert (helhet.keywords, helhet.color, helhet.shortcut) == (
        ("helhet", "by og land"),
        "#4e79a7",
        "1",
    )
    assert codes["Praksis/Medvirkning"].description == "Hvem som fikk være med,\nog hvordan."
    assert codes["Praksis/Medvirkning"].keywords == ("tillitsvalgte", "partssamarbeid")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("Bare tekst, ingen liste.\n", "line 1: not a codebook"),
        ("- A\n\t- B\n", "line 2: tab used for indentation; use spaces"),
        ("- A\n    - B\n  - C\n", "line 3: the bullet is indented 2 spaces, but its list uses 4"),
        ("  - A\n- B\n", "line 2: the bullet is indented 0 spaces, but its list uses 2"),
        ("- A\n- Mål/resultat: x\n", "line 2: the name 'Mål/resultat' contains '/'"),
        ("- A\n  Farge: rød\n", "line 2: invalid colour 'rød'"),
        ("- A\n  - B\n  - b\n", "line 3: two codes named 'b' under 'A'"),
        ("- A\n- \n", "line 2: a code has no name"),
        ("- A\nLøs tekst\n", "line 2: expected '- Name: description' or an indented line"),
        ("# Tittel\n## Del 1\n- A\n", "line 2: only one '# Title' heading"),
        ("- A\n  - B\n  mer tekst om A\n", "line 3: expected '- Name: description'"),
        ("- A: x\n  Hurtigtast: 1\n- B\n  Hurtigtast: 1\n", "line 3: shortcut '1' is used"),
    ],
)
def test_markdown_errors_name_file_line_and_problem(text: str, message: str) -> None:
    with pytest.raises(CodebookError) as err:
        parse_markdown_codebook(text, "codebook.md")
    assert str(err.value).startswith(f"codebook.md, {message}")


def test_markdown_written_by_kodebok_reads_like_a_document() -> None:
    text = format_codebook(sample(), "md")
    assert text.startswith("# Styring i Ørsta\n\nTemaer fra guiden.\n\nAndre avsnitt.\n\n")
    assert "- Helhetsperspektiv: Kommunen som helhet: tjenester og samfunn.\n" in text
    assert "  Nøkkelord: helhet; by og land; sammenheng\n  Farge: #4e79a7\n" in text
    assert "    - Statlig\\: KS og Udir\n" in text
    assert "  - Medvirkning: - ikke en punktliste\n" in text


# --- REFI-QDA ----------------------------------------------------------------------------------


def test_qdc_from_another_program_is_read_with_keywords_from_the_description() -> None:
    cb = read_codebook(DATA / "intervjuguide.qdc")
    codes = dict(cb.walk())
    assert list(codes) == [
        "Helhetsperspektiv",
        "Praksis",
        "Praksis/Initiering",
        "Økonomi og årshjul",
    ]
    assert codes["Helhetsperspektiv"].color == "#4e79a7"
    assert codes["Praksis/Initiering"].description == "Hvem som tok initiativet."
    assert codes["Praksis/Initiering"].keywords == ("initiativ", "rådmannen")


def test_qdc_output_is_well_formed_xml_in_the_codebook_namespace() -> None:
    root = etree.fromstring(format_codebook(sample(), "qdc").encode("utf-8"))
    assert root.tag == f"{{{QDC_NS}}}CodeBook"
    codes = root.findall(f".//{{{QDC_NS}}}Code")
    assert [c.get("name") for c in codes][:3] == ["Helhetsperspektiv", "Praksis", "Initiering"]
    assert all(c.get("isCodable") == "true" for c in codes)
    assert codes[2].get("guid") == code_guid("Praksis/Initiering")
    assert codes[0].get("color") == "#4e79a7"


def test_qdc_guids_are_stable_and_distinct() -> None:
    first = format_codebook(sample(), "qdc")
    assert first == format_codebook(sample(), "qdc")
    guids = etree.fromstring(first.encode()).xpath("//@guid")
    assert len(guids) == len(set(guids)) == len(list(sample().walk()))


def test_qdc_codes_validate_against_the_refi_qda_project_schema() -> None:
    xsd_path = Path("/work/shared/data/refi-qda/Project.xsd")
    if not xsd_path.exists():
        pytest.skip("REFI-QDA schema not available")
    schema = etree.XMLSchema(etree.parse(str(xsd_path)))
    codebook = format_codebook(sample(), "qdc").replace(QDC_NS, "urn:QDA-XML:project:1.0")
    codebook = codebook.replace(' origin="kodebok"', "")  # .qdc only: not in Project.xsd
    inner = codebook.split("?>", 1)[1]
    project = (
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="test" origin="kodebok">{inner}</Project>'
    )
    assert schema.validate(etree.fromstring(project.encode())), schema.error_log


def test_qdc_reads_the_codebook_of_a_refi_qda_project() -> None:
    project = (
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
        b'<Code guid="2f1c6a70-1b1e-4b8e-9a41-0b0c2e6d8a11" name="Ledelse" isCodable="true"/>'
        b"</Codes></CodeBook></Project>"
    )
    assert [p for p, _ in parse_qdc_codebook(project, "project.qde").walk()] == ["Ledelse"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "line 1: the file is empty"),
        (b"<CodeBook", "line 1: not valid XML"),
        (b"<CodeBook/>", "line 1: not a REFI-QDA codebook (expected namespace"),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n<Code isCodable="true"/>',
            "line 3: not valid XML",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Codes>\n<Code isCodable="true"/>\n'
            b"</Codes></CodeBook>",
            "line 3: a code has no name",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code name="A" color="blue"/>\n'
            b"</Codes></CodeBook>",
            "line 2: invalid colour 'blue'",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code name="A"/>\n'
            b'<Code name="A"/></Codes></CodeBook>',
            "line 3: two codes named 'A' at the top level",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY x "xx">]>\n'
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
            "line 1: a DOCTYPE is not allowed",
        ),
        (
            b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>',
            "line 1: not a REFI-QDA codebook (no <CodeBook><Codes>)",
        ),
    ],
)
def test_qdc_errors_name_file_line_and_problem(data: bytes, message: str) -> None:
    with pytest.raises(CodebookError) as err:
        parse_qdc_codebook(data, "codebook.qdc")
    assert str(err.value).startswith(f"codebook.qdc, {message}")


def test_qdc_never_reads_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "hemmelig.txt"
    secret.write_text("personopplysninger")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="A" isCodable="true">'
        "<Description>&x;</Description></Code></Codes></CodeBook>"
    ).encode()
    with pytest.raises(CodebookError, match="DOCTYPE"):
        parse_qdc_codebook(data, "codebook.qdc")
