"""Codebook files: the ready codebooks in codebooks/, reading and writing by extension."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.codebook import (
    Codebook,
    CodeSpec,
    format_codebook,
    parse_csv_codebook,
    parse_markdown_codebook,
    parse_qdc_codebook,
    parse_yaml_codebook,
    read_codebook,
    write_codebook,
)
from kodebok.errors import CodebookError

ROOT = Path(__file__).resolve().parent.parent.parent
READY = sorted((ROOT / "codebooks").glob("*.yaml"))


def test_there_are_three_ready_codebooks() -> None:
    assert [p.name for p in READY] == [
        "kapasitetsbygging_oppvekstnettverk.yaml",
        "kommunekompasset.yaml",
        "malstyring_intervjuguide.yaml",
    ]


@pytest.mark.parametrize("path", READY, ids=lambda p: p.stem)
def test_every_ready_code_has_a_description_and_three_to_eight_keywords(path: Path) -> None:
    cb = read_codebook(path)
    assert cb.name
    assert cb.description
    for code_path, spec in cb.walk():
        assert spec.description, code_path
        assert 3 <= len(spec.keywords) <= 8, code_path
    for spec in cb.codes:
        assert spec.color is not None, spec.name


@pytest.mark.parametrize("path", READY, ids=lambda p: p.stem)
def test_ready_codebooks_have_shortcuts_from_one_up_without_gaps(path: Path) -> None:
    keys = sorted(spec.shortcut for _, spec in read_codebook(path).walk() if spec.shortcut)
    assert keys == [str(n) for n in range(1, len(keys) + 1)]
    assert len(keys) >= 8


@pytest.mark.parametrize("path", READY, ids=lambda p: p.stem)
def test_ready_codebooks_survive_every_format(path: Path) -> None:
    cb = read_codebook(path)
    expected = [(p, s.description, s.keywords, s.color) for p, s in cb.walk()]
    for fmt, parse in [
        ("yaml", parse_yaml_codebook),
        ("csv", parse_csv_codebook),
        ("md", parse_markdown_codebook),
    ]:
        again = parse(format_codebook(cb, fmt), f"ut.{fmt}")
        assert [(p, s.description, s.keywords, s.color) for p, s in again.walk()] == expected
    again = parse_qdc_codebook(format_codebook(cb, "qdc").encode(), "ut.qdc")
    assert [(p, s.description, s.keywords, s.color) for p, s in again.walk()] == expected


def test_kommunekompasset_has_four_perspectives_eight_areas_and_their_sub_criteria() -> None:
    cb = read_codebook(ROOT / "codebooks" / "kommunekompasset.yaml")
    assert [p.name for p in cb.codes] == [
        "A. Demokrati og samfunnsutvikling",
        "B. Styring og effektivitet",
        "C. Tjenestekvalitet",
        "D. Organisasjonskvalitet",
    ]
    areas = [area for perspective in cb.codes for area in perspective.children]
    assert [a.name for a in areas] == [
        "1 Offentlighet og demokrati",
        "2 Kommunen som samfunnsutvikler",
        "3 Styring og kontroll",
        "4 Resultatfokus og effektivitet",
        "5 Bruker- og serviceorientering",
        "6 Kvalitetsutvikling og innovasjon",
        "7 Kommunen som arbeidsgiver",
        "8 Lederskap, ansvar og delegering",
    ]
    per_area = {5: (1, 4, 5), 4: (2, 3, 6, 7, 8)}
    for number, area in enumerate(areas, start=1):
        criteria = [c for c in area.children if c.name[0].isdigit()]
        expected = 5 if number in per_area[5] else 4
        assert len(criteria) == expected, area.name
        assert all(c.name.startswith(f"{number}.") for c in criteria)
        assert sum(c.metadata["poeng"] for c in criteria) == 100 == area.metadata["poeng"]
        assert [c.name for c in area.children[len(criteria) :]] == [
            "Styrke",
            "Utfordring",
            "Svakhet",
        ]
        assert area.shortcut == str(number)
    names = {spec.name for _, spec in cb.walk()}
    assert "3.2 Politisk styring" in names
    assert "8.3 Intern kommunikasjon og ledelsesinformasjon" in names
    assert cb.metadata["poeng_totalt"] == 800


def test_malstyring_follows_the_interview_guide() -> None:
    cb = read_codebook(ROOT / "codebooks" / "malstyring_intervjuguide.yaml")
    codes = dict(cb.walk())
    for path in [
        "Helhetsperspektiv",
        "Styringssystem",
        "Praksis/Initiering/Politisk initiert",
        "Praksis/Initiering/Administrativt initiert",
        "Praksis/Initiering/Statlig initiert",
        "Praksis/Ansvar for gjennomføring",
        "Praksis/Medvirkning/Tillitsvalgte",
        "Praksis/Medvirkning/Ansatte",
        "Praksis/Medvirkning/Politikere",
        "Metoder/Analyseverktøy",
        "Metoder/Rapportering",
        "Metoder/Bruker- og medarbeiderundersøkelser",
        "Metoder/Lederavtaler",
        "Oppslutning og lojalitet/Fremmer",
        "Oppslutning og lojalitet/Hemmer",
        "Ledelse/Fremmer",
        "Ledelse/Hemmer",
    ]:
        assert path in codes, path
    keywords = {k for spec in codes.values() for k in spec.keywords}
    for word in ["styringskort", "tertialrapport", "KOSTRA", "årshjul", "10-faktor"]:
        assert word in keywords
    assert sum(1 for s in codes.values() if s.shortcut) == 9


def test_kapasitetsbygging_has_the_network_themes() -> None:
    cb = read_codebook(ROOT / "codebooks" / "kapasitetsbygging_oppvekstnettverk.yaml")
    top = [spec.name for spec in cb.codes]
    for name in [
        "Involvering",
        "Forankring",
        "Partssamarbeid",
        "Kompetanse",
        "Tid",
        "Kapasitet",
        "Struktur",
        "Ledelse",
        "Nettverk",
        "UH-samarbeid",
        "Eierskap",
    ]:
        assert name in top


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".csv", ".md", ".qdc"])
def test_write_then_read_by_extension(tmp_path: Path, suffix: str) -> None:
    cb = Codebook(
        name="Å",
        codes=[CodeSpec("Ærlighet", "æøå", ("øy",), "#112233", children=[CodeSpec("Ål")])],
    )
    path = tmp_path / f"kodebok{suffix}"
    write_codebook(cb, path)
    again = read_codebook(path)
    assert [(p, s.description, s.keywords, s.color) for p, s in again.walk()] == [
        ("Ærlighet", "æøå", ("øy",), "#112233"),
        ("Ærlighet/Ål", "", (), None),
    ]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_csv_is_written_with_a_bom_for_excel(tmp_path: Path) -> None:
    path = tmp_path / "kodebok.csv"
    write_codebook(Codebook(codes=[CodeSpec("Økonomi")]), path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfpath,")


def test_explicit_format_wins_over_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "kodebok.txt"
    write_codebook(Codebook(codes=[CodeSpec("A")]), path, fmt="md")
    assert path.read_text(encoding="utf-8") == "- A\n"


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "kodebok.yaml"
    path.write_bytes("- Økonomi\n".encode("utf-16"))
    assert read_codebook(path).codes == [CodeSpec("Økonomi")]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("kodebok.txt", b"- A\n", "kodebok.txt: unknown codebook format '.txt'"),
        ("mangler.yaml", None, "mangler.yaml: cannot read the file"),
        ("binær.md", b"- A\n- B\x00\n", "binær.md, line 2: not a text file"),
        ("tom.csv", b"\xef\xbb\xbf", "tom.csv, line 1: the file is empty"),
    ],
)
def test_file_errors_name_the_file(
    tmp_path: Path, name: str, data: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(CodebookError) as err:
        read_codebook(path)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    ("book", "message"),
    [
        (Codebook(codes=[CodeSpec("A/B")]), "code 'A/B': the name 'A/B' contains '/'"),
        (Codebook(codes=[CodeSpec("")]), "code '': a code has no name"),
        (Codebook(codes=[CodeSpec("A", color="red")]), "code 'A': invalid colour 'red'"),
        (Codebook(codes=[CodeSpec("A"), CodeSpec("A")]), "two codes named 'A' at the top level"),
    ],
)
def test_a_codebook_that_could_not_be_read_back_is_not_written(
    book: Codebook, message: str
) -> None:
    with pytest.raises(CodebookError) as err:
        format_codebook(book, "yaml")
    assert str(err.value).startswith("cannot write the codebook")
    assert message in str(err.value)


def test_unknown_output_format_is_an_error() -> None:
    with pytest.raises(CodebookError, match="unknown codebook format 'docx'"):
        format_codebook(Codebook(), "docx")
