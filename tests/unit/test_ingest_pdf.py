"""PDF reading and the repair of text extracted from PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.errors import DocumentReadError
from kodebok.ingest import read_document, repair_pdf_text


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF, written by hand, with one text line per list item (Helvetica, WinAnsi)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below once the page numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for lines in pages:
        ops = [b"BT /F1 11 Tf 14 TL 72 770 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(b"(" + escaped.encode("cp1252") + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_ref
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


WRAPPED = """\
Kommunen har i løpet av året arbeidet systematisk med å utvikle et helhetlig
styringssystem for oppvekstsektoren, og rapporterer til kommunestyret hvert
tertial.
Arbeidet med kvalitet i skolen er forankret i virksomhetsplanen for hver enkelt
enhet og følges opp i lederavtalene."""


def test_hard_wrapped_lines_are_joined_into_paragraphs() -> None:
    assert repair_pdf_text(WRAPPED).split("\n\n") == [
        "Kommunen har i løpet av året arbeidet systematisk med å utvikle et helhetlig "
        "styringssystem for oppvekstsektoren, og rapporterer til kommunestyret hvert tertial.",
        "Arbeidet med kvalitet i skolen er forankret i virksomhetsplanen for hver enkelt "
        "enhet og følges opp i lederavtalene.",
    ]


def test_blank_line_between_every_line_is_not_a_paragraph_break() -> None:
    double = "\n\n".join(WRAPPED.split("\n"))
    assert repair_pdf_text(double) == repair_pdf_text(WRAPPED)


def test_double_blank_lines_still_break_paragraphs_in_double_spaced_text() -> None:
    text = "Årsrapport 2023\n\n\n\nKommunen har et\n\nstyringssystem.\n\nDet virker\n\ngodt."
    assert (
        repair_pdf_text(text)
        == "Årsrapport 2023\n\nKommunen har et styringssystem. Det virker godt."
    )


@pytest.mark.parametrize("page_line", ["12", "- 12 -", "– 12 –", "Side 3 av 10", "side 3", "3/10"])
def test_page_number_lines_are_dropped(page_line: str) -> None:
    text = (
        "Kommunen har i løpet av året arbeidet systematisk med å utvikle et helhetlig\n"
        f"{page_line}\n"
        "styringssystem for oppvekstsektoren."
    )
    assert repair_pdf_text(text) == (
        "Kommunen har i løpet av året arbeidet systematisk med å utvikle et helhetlig "
        "styringssystem for oppvekstsektoren."
    )


def test_a_column_of_numbers_from_a_flattened_table_is_kept() -> None:
    text = "Antall elever\n\n120\n134\n151\n\nKilde: GSI"
    assert "120" in repair_pdf_text(text)
    assert "151" in repair_pdf_text(text)


@pytest.mark.parametrize(
    ("first", "second", "joined"),
    [
        ("helhetlig styrings-", "system for skolen.", "helhetlig styringssystem for skolen."),
        ("arbeidet med mål-", "og resultatstyring.", "arbeidet med mål- og resultatstyring."),
        ("helse-", "eller omsorgstjenester.", "helse- eller omsorgstjenester."),
        ("vi bruker KOSTRA-", "tall hvert år.", "vi bruker KOSTRA-tall hvert år."),
        ("kontakt med Nord-", "Norge.", "kontakt med Nord-Norge."),
    ],
)
def test_line_end_hyphenation_is_undone_but_real_hyphens_are_kept(
    first: str, second: str, joined: str
) -> None:
    filler = "Dette er en lang linje som fyller bredden av en vanlig side i rapporten "
    text = f"{filler}{first}\n{second}"
    assert repair_pdf_text(text) == filler + joined


def test_hyphen_inside_a_line_is_untouched() -> None:
    text = "Vi bruker KOSTRA-tall og mål- og resultatstyring."
    assert repair_pdf_text(text) == text


def test_bullets_stay_separate_paragraphs() -> None:
    text = (
        "Tiltakene i planperioden er følgende, og de gjelder for alle enhetene i kommunen:\n"
        "• Styringskort for hver enhet\n"
        "• Årlig ståstedsanalyse med alle ansatte og\n"
        "tillitsvalgte\n"
        "- Lederavtaler\n"
    )
    assert repair_pdf_text(text).split("\n\n") == [
        "Tiltakene i planperioden er følgende, og de gjelder for alle enhetene i kommunen:",
        "• Styringskort for hver enhet",
        "• Årlig ståstedsanalyse med alle ansatte og tillitsvalgte",
        "- Lederavtaler",
    ]


def test_short_heading_line_is_its_own_paragraph() -> None:
    text = "Innledning\n" + WRAPPED
    assert repair_pdf_text(text).split("\n\n")[0] == "Innledning"


def test_speaker_lines_in_a_pdf_transcript_stay_turns() -> None:
    text = "I: Hvordan startet det?\nIP: Med en ståstedsanalyse som alle\nenhetene var med på.\n"
    assert repair_pdf_text(text) == (
        "I: Hvordan startet det?\n\nIP: Med en ståstedsanalyse som alle enhetene var med på."
    )


def test_pdf_document_is_read_repaired_and_segmented(tmp_path: Path) -> None:
    path = tmp_path / "arsrapport.pdf"
    path.write_bytes(
        make_pdf(
            [
                ["Årsrapport 2023", "", *WRAPPED.split("\n")[:3], "1"],
                [*WRAPPED.split("\n")[3:], "Side 2 av 2"],
            ]
        )
    )
    doc = read_document(path)
    assert doc.kind == "dokument"
    assert [doc.text[t.start : t.end] for t in doc.turns] == repair_pdf_text(
        "Årsrapport 2023\n\n" + WRAPPED
    ).split("\n\n")


def test_pdf_transcript_gets_speaker_turns(tmp_path: Path) -> None:
    path = tmp_path / "intervju.pdf"
    path.write_bytes(make_pdf([["I: Hvordan startet det?", "IP: Med en ståstedsanalyse."]]))
    doc = read_document(path)
    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == [
        ("I", "Hvordan startet det?"),
        ("IP", "Med en ståstedsanalyse."),
    ]
    assert doc.interviewers == frozenset({"I"})


def test_pdf_without_text_layer_is_reported_as_scanned(tmp_path: Path) -> None:
    path = tmp_path / "skannet.pdf"
    path.write_bytes(make_pdf([[]]))
    with pytest.raises(DocumentReadError, match=r"^skannet.pdf: .*no text layer \(scanned PDF\?\)"):
        read_document(path)


def test_damaged_pdf_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "skadet.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(DocumentReadError, match=r"^skadet.pdf: "):
        read_document(path)
