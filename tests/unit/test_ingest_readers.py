"""read_document for every format, front matter, document kind and language, and file errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kodebok.errors import DocumentReadError
from kodebok.ingest import SUPPORTED_EXTENSIONS, iter_supported_files, read_document
from kodebok.ingest.model import ParsedDocument

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"


def spoken(doc: ParsedDocument) -> list[tuple[str | None, str]]:
    return [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns]


def test_front_matter_becomes_metadata_and_is_not_part_of_the_text() -> None:
    doc = read_document(DATA / "intervju_nordvik.txt")
    assert doc.name == "intervju_nordvik"
    assert doc.source == "intervju_nordvik.txt"
    assert doc.metadata["case"] == "Kommune Nordvik"
    assert doc.metadata["date"] == "2023-10-12"
    assert doc.metadata["mode"] == "individuell"
    assert doc.metadata["speakers"]["IP"] == {"role": "rådmann", "level": "administrativ"}
    assert doc.text.startswith("Intervju med rådmannen")
    assert "---" not in doc.text
    assert doc.kind == "intervju"
    assert doc.language == "nb"
    assert doc.interviewers == frozenset({"I"})


def test_interview_turns_keep_backchannels_and_colons_in_sentences() -> None:
    doc = read_document(DATA / "intervju_nordvik.txt")
    assert spoken(doc)[0] == (None, "Intervju med rådmannen i Nordvik kommune")
    assert [s for s, _ in spoken(doc)[1:]] == ["I", "IP", "I", "IP"]
    answer = spoken(doc)[2][1]
    assert "Det er sånn: vi må ha\nmål" in answer
    assert answer.endswith("Merk: dette var før koronaen.")
    assert "(latter)" in spoken(doc)[4][1]


def test_front_matter_marks_interviewer_with_any_label(tmp_path: Path) -> None:
    path = tmp_path / "samtale.txt"
    path.write_text(
        "---\nspeakers:\n  Ola: {interviewer: true}\n  Kari: {role: rektor}\n---\n"
        "Ola: Velkommen.\nKari: Takk.\n",
        encoding="utf-8",
    )
    doc = read_document(path, name="Samtale med rektor")
    assert doc.name == "Samtale med rektor"
    assert doc.interviewers == frozenset({"Ola"})
    assert spoken(doc) == [("Ola", "Velkommen."), ("Kari", "Takk.")]


def test_malformed_front_matter_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "feil.txt"
    path.write_text("---\ncase: Nordvik\nspeakers: [IP: {role\n---\nI: Hei.\n", encoding="utf-8")
    with pytest.raises(DocumentReadError, match=r"^feil.txt, line [34]: malformed front matter"):
        read_document(path)


def test_unclosed_front_matter_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "åpen.txt"
    path.write_text("---\ncase: Nordvik\nI: Hei.\n", encoding="utf-8")
    with pytest.raises(DocumentReadError, match="never closed"):
        read_document(path)


def test_front_matter_kind_and_language_win_over_guesses(tmp_path: Path) -> None:
    path = tmp_path / "rapport.md"
    path.write_text("---\nkind: egenrapport\nlanguage: nynorsk\n---\nIkke noe her.\n", "utf-8")
    doc = read_document(path)
    assert (doc.kind, doc.language) == ("egenrapport", "nn")


def test_focus_group_with_four_informants_is_kind_fokusgruppe() -> None:
    doc = read_document(DATA / "fokusgruppe_ledere.txt")
    assert doc.kind == "fokusgruppe"
    assert doc.interviewers == frozenset({"Moderator"})
    assert {s for s, _ in spoken(doc)} == {
        None,
        "Moderator",
        "Leder 1",
        "Leder 2",
        "Leder 3",
        "Leder 4",
        "Informant 3",
    }


def test_text_without_labels_is_kind_dokument_and_split_into_paragraphs() -> None:
    doc = read_document(DATA / "dokument_uten_etiketter.txt")
    assert doc.kind == "dokument"
    assert [s for s, _ in spoken(doc)] == [None, None, None]


def test_nynorsk_is_guessed_from_marker_words() -> None:
    doc = read_document(DATA / "nynorsk_intervju.txt")
    assert doc.language == "nn"
    assert doc.interviewers == frozenset({"Intervjuar"})


def test_markdown_timestamps_and_bold_labels() -> None:
    doc = read_document(DATA / "tidsstempler.md")
    assert [(t.speaker, t.t_start) for t in doc.turns] == [
        (None, None),
        ("Intervjuer", 5.0),
        ("Ordfører", None),
        ("Rådmann", 41.0),
        ("Rådmann", 70.0),
        ("Ordfører", 90.0),
    ]


def test_hard_wrapped_text_file_is_repaired_into_paragraphs(tmp_path: Path) -> None:
    lines = [
        "Kommunen har i løpet av året arbeidet systematisk med å utvikle et helhetlig",
        "styringssystem for oppvekstsektoren, og rapporterer til kommunestyret hvert",
        "tertial. Enhetslederne har lederavtaler som følges opp i medarbeidersamtaler",
        "med kommunalsjefen, og resultatene fra nasjonale prøver og brukerundersøkelser",
        "drøftes i ledermøtene. Arbeidet er forankret i virksomhetsplanen for hver",
        "enhet.",
        "",
        "Det andre avsnittet handler om kompetanseutvikling for lærere og ledere i",
        "skolene, og om samarbeidet med universitets- og høgskolesektoren om videre-",
        "utdanning.",
    ]
    path = tmp_path / "utdrag.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = read_document(path)
    assert len(doc.turns) == 2
    assert "\n" not in doc.text[doc.turns[0].start : doc.turns[0].end]
    assert doc.text.endswith("om videreutdanning.")


def test_windows_1252_crlf_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gammel.txt"
    path.write_bytes("I: Hvordan går det?\r\nIP: Økonomien er stram.\r\n".encode("cp1252"))
    doc = read_document(path)
    assert spoken(doc) == [("I", "Hvordan går det?"), ("IP", "Økonomien er stram.")]


def test_docx_paragraphs_and_transcript_table_rows(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Intervju med enhetsleder")
    document.add_paragraph("I: Hva betyr lederavtalen for deg?")
    document.add_paragraph("IP: Den gir en retning.")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(
        table.rows,
        [("00:01:10", "I", "Og i praksis?"), ("00:01:15", "IP:", "Mindre enn før.")],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    path = tmp_path / "enhetsleder.docx"
    document.save(str(path))
    doc = read_document(path)
    assert spoken(doc) == [
        (None, "Intervju med enhetsleder"),
        ("I", "Hva betyr lederavtalen for deg?"),
        ("IP", "Den gir en retning."),
        ("I", "Og i praksis?"),
        ("IP", "Mindre enn før."),
    ]
    assert [t.t_start for t in doc.turns[3:]] == [70.0, 75.0]


def test_docx_without_labels_gives_one_paragraph_per_word_paragraph(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Styringskort 2024", level=1)
    document.add_paragraph("Mål: Alle elever skal oppleve mestring.")
    document.add_paragraph("Tiltak: Felles plan for vurdering for læring.")
    path = tmp_path / "styringskort.docx"
    document.save(str(path))
    doc = read_document(path)
    assert [s for s, _ in spoken(doc)] == [None, None, None]
    assert doc.kind == "dokument"


def test_docx_that_is_not_a_zip_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_text("Dette er bare tekst.", encoding="utf-8")
    with pytest.raises(
        DocumentReadError, match=r"^a.docx: not a valid .docx \(not a zip archive\)$"
    ):
        read_document(path)


def test_truncated_docx_is_reported(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("IP: Dette blir kuttet.")
    whole = tmp_path / "hel.docx"
    document.save(str(whole))
    path = tmp_path / "kuttet.docx"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(DocumentReadError, match=r"^kuttet.docx: not a valid .docx"):
        read_document(path)


def test_zip_that_is_not_a_word_document_is_reported(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "arkiv.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("les meg.txt", "hei")
    with pytest.raises(DocumentReadError, match=r"^arkiv.docx: not a valid .docx"):
        read_document(path)


def test_odt_headings_paragraphs_and_spaces(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P, S

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Intervju med styrer"))
    document.text.addElement(P(text="I: Hvordan jobber dere med kvalitet?"))
    answer = P(text="IP: Vi har")
    answer.addElement(S(c=2))
    answer.addText("en plan.")
    document.text.addElement(answer)
    path = tmp_path / "styrer.odt"
    document.save(str(path))
    doc = read_document(path)
    assert spoken(doc) == [
        (None, "Intervju med styrer"),
        ("I", "Hvordan jobber dere med kvalitet?"),
        ("IP", "Vi har  en plan."),
    ]


def test_odt_that_is_not_a_zip_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "b.odt"
    path.write_bytes(b"\x00\x01\x02 ikke odt")
    with pytest.raises(DocumentReadError, match=r"^b.odt: not a valid .odt \(not a zip archive\)$"):
        read_document(path)


def test_rtf_with_norwegian_escapes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "referat.rtf"
    path.write_bytes(
        rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Calibri;}}"
        rb"\f0 I: Hvordan g\'e5r det?\par IP: Det g\'e5r fint med \'f8konomien.\par}"
    )
    doc = read_document(path)
    assert spoken(doc) == [("I", "Hvordan går det?"), ("IP", "Det går fint med økonomien.")]


def test_rtf_that_is_not_rtf_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.rtf"
    path.write_text("Bare tekst", encoding="utf-8")
    with pytest.raises(DocumentReadError, match=r"^c.rtf: not a valid .rtf"):
        read_document(path)


def test_empty_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "intervju3.txt"
    path.write_bytes(b"")
    with pytest.raises(DocumentReadError, match=r"^intervju3.txt: the file is empty$"):
        read_document(path)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".vtt"])
def test_whitespace_only_file_is_reported(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"tom{suffix}"
    path.write_text(" \n\t\r\n  \n", encoding="utf-8")
    with pytest.raises(DocumentReadError, match=rf"^tom{suffix}: "):
        read_document(path)


def test_binary_file_renamed_to_txt_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(DocumentReadError, match=r"^x.txt: looks like a binary file, not text$"):
        read_document(path)


def test_unsupported_extension_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "opptak.mp3"
    path.write_bytes(b"ID3")
    with pytest.raises(DocumentReadError, match=r"^opptak.mp3: cannot import '.mp3' files"):
        read_document(path)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DocumentReadError, match=r"^borte.txt: file not found"):
        read_document(tmp_path / "borte.txt")


def test_extension_is_matched_case_insensitively(tmp_path: Path) -> None:
    path = tmp_path / "INTERVJU.TXT"
    shutil.copy(DATA / "nynorsk_intervju.txt", path)
    assert read_document(path).name == "INTERVJU"


def test_supported_extensions_are_the_documented_ones() -> None:
    assert {".txt", ".md", ".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt"} == SUPPORTED_EXTENSIONS


def test_iter_supported_files_is_sorted_flat_and_skips_hidden_and_lock_files(
    tmp_path: Path,
) -> None:
    for name in ["b.docx", "A.txt", "c.PDF", ".skjult.txt", "~$b.docx", "lyd.mp3", "d.qdpx"]:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "undermappe").mkdir()
    (tmp_path / "undermappe" / "e.txt").write_bytes(b"x")
    (tmp_path / "mappe.txt").mkdir()
    assert [p.name for p in iter_supported_files(tmp_path)] == ["A.txt", "b.docx", "c.PDF"]


def test_iter_supported_files_on_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentReadError, match="not a folder"):
        iter_supported_files(tmp_path / "finnes-ikke")


def test_docx_tracked_changes_read_as_accepted(tmp_path: Path) -> None:
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    paragraph = document.add_paragraph("IP: Vi har ")
    paragraph._p.append(
        parse_xml(f'<w:ins {w} w:id="1" w:author="Kari"><w:r><w:t>ikke </w:t></w:r></w:ins>')
    )
    paragraph._p.append(
        parse_xml(
            f'<w:del {w} w:id="2" w:author="Kari"><w:r><w:delText>alltid </w:delText></w:r></w:del>'
        )
    )
    paragraph.add_run("hatt lederavtaler.")
    document.add_paragraph("I: Takk.")
    path = tmp_path / "korrigert.docx"
    document.save(str(path))
    doc = read_document(path)
    assert spoken(doc)[0] == ("IP", "Vi har ikke hatt lederavtaler.")


def test_odt_transcript_table_rows_become_turns(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentText()
    table = Table(name="Transkripsjon")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for label, words in [("Intervjuer", "Hvem tok initiativet?"), ("Rektor", "Det gjorde vi.")]:
        row = TableRow()
        for value in (label, words):
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    path = tmp_path / "tabell.odt"
    document.save(str(path))
    doc = read_document(path)
    assert spoken(doc) == [("Intervjuer", "Hvem tok initiativet?"), ("Rektor", "Det gjorde vi.")]
    assert doc.interviewers == frozenset({"Intervjuer"})


def test_docx_data_table_cells_are_read_row_by_row(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Resultater fra nasjonale prøver")
    table = document.add_table(rows=2, cols=4)
    values = [("Skole", "2021", "2022", "2023"), ("Nordvik skole", "48", "50", "51")]
    for row, cells in zip(table.rows, values, strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    merged = table.add_row()
    merged.cells[0].merge(merged.cells[3])
    merged.cells[0].text = "Kilde: Skoleporten"
    path = tmp_path / "tabell.docx"
    document.save(str(path))
    doc = read_document(path)
    texts = [t for _, t in spoken(doc)]
    assert texts[:5] == ["Resultater fra nasjonale prøver", "Skole", "2021", "2022", "2023"]
    assert texts.count("Kilde: Skoleporten") == 1
    assert doc.kind == "dokument"


def test_short_paragraphs_separated_by_blank_lines_are_not_joined(tmp_path: Path) -> None:
    items = [
        "Tiltak i handlingsplanen",
        "Styringskort for hver enhet",
        "Årlig ståstedsanalyse",
        "Lederavtaler med alle enhetsledere",
        "Tertialrapport til kommunestyret",
        "Brukerundersøkelse i barnehagene",
        "Medarbeiderundersøkelse annethvert år",
        "Felles årshjul for oppvekst",
    ]
    path = tmp_path / "tiltak.txt"
    path.write_text("\n\n".join(items) + "\n", encoding="utf-8")
    doc = read_document(path)
    assert [t for _, t in spoken(doc)] == items


def test_docx_line_breaks_and_tabs_inside_a_paragraph_are_kept(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph()
    run = paragraph.add_run("IP: Første linje")
    run.add_break()
    run.add_text("andre linje")
    run.add_tab()
    run.add_text("etter tab.")
    document.add_paragraph("I: Takk.")
    path = tmp_path / "linjeskift.docx"
    document.save(str(path))
    assert spoken(read_document(path))[0] == ("IP", "Første linje\nandre linje\tetter tab.")


def test_unreadable_file_is_reported_as_unreadable_not_damaged(tmp_path: Path) -> None:
    import os

    path = tmp_path / "låst.docx"
    path.write_bytes(b"PK\x03\x04")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # running as root: permissions are not enforced
            pytest.skip("file permissions are not enforced for this user")
        with pytest.raises(DocumentReadError, match=r"^låst.docx: cannot read the file"):
            read_document(path)
    finally:
        path.chmod(0o600)
