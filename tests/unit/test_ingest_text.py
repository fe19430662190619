"""Encoding detection and text normalisation of the ingest layer."""

from __future__ import annotations

import codecs
import random

import pytest

from kodebok.errors import DocumentReadError
from kodebok.ingest import decode_bytes, normalise_text

NORSK = "Rådmannen sa at økonomiplanen og årshjulet må henge sammen. Æ, Ø og Å også."


def test_normalise_text_removes_bom_and_unifies_newlines() -> None:
    assert normalise_text("\ufeffI: Hei\r\nIP: Hallo\rslutt") == "I: Hei\nIP: Hallo\nslutt"


def test_normalise_text_composes_decomposed_letters() -> None:
    decomposed = "a\u030arshjul"  # "å" as a + combining ring, as macOS file names have it
    assert normalise_text(decomposed) == "årshjul"
    assert len(normalise_text(decomposed)) == 7


def test_utf8_is_decoded() -> None:
    assert decode_bytes(NORSK.encode("utf-8"), "a.txt") == NORSK


def test_utf8_with_bom_is_decoded_without_the_bom() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + NORSK.encode("utf-8"), "a.txt") == NORSK


def test_utf16_with_bom_is_decoded() -> None:
    assert decode_bytes(NORSK.encode("utf-16"), "a.txt") == NORSK


def test_windows_1252_with_norwegian_letters_is_decoded() -> None:
    data = ("I: Hvordan går det med styringskortet?\r\n" + NORSK + " «Sitat» – ferdig.").encode(
        "cp1252"
    )
    text = decode_bytes(data, "gammel.txt")
    assert "økonomiplanen" in text
    assert "«Sitat» – ferdig." in text


def test_crlf_survives_decoding_and_is_normalised_afterwards() -> None:
    text = decode_bytes("I: Hei\r\nIP: Hallo\r\n".encode("cp1252"), "a.txt")
    assert normalise_text(text) == "I: Hei\nIP: Hallo\n"


def test_empty_file_is_rejected_with_its_name() -> None:
    with pytest.raises(DocumentReadError, match=r"^intervju3.txt: the file is empty$"):
        decode_bytes(b"", "intervju3.txt")


def test_utf16_without_bom_is_rejected_not_turned_into_mojibake() -> None:
    data = NORSK.encode("utf-16-le")
    with pytest.raises(DocumentReadError, match=r"^b.txt: looks like UTF-16 .*byte order mark"):
        decode_bytes(data, "b.txt")


def test_binary_file_renamed_to_txt_is_rejected() -> None:
    data = random.Random(7).randbytes(4096)
    with pytest.raises(DocumentReadError, match=r"^x.txt: looks like a binary file, not text$"):
        decode_bytes(data, "x.txt")


def test_binary_without_nul_bytes_is_rejected_by_its_control_bytes() -> None:
    data = bytes(b for b in random.Random(3).randbytes(4096) if b != 0)
    with pytest.raises(DocumentReadError, match="binary"):
        decode_bytes(data, "x.txt")


def test_pdf_renamed_to_txt_is_named_as_pdf() -> None:
    with pytest.raises(DocumentReadError, match="looks like a PDF file"):
        decode_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "rapport.txt")


def test_random_high_bytes_are_neither_utf8_nor_windows_1252() -> None:
    rng = random.Random(1)
    data = bytes(rng.randrange(0xA0, 0x100) for _ in range(400))
    with pytest.raises(
        DocumentReadError,
        match=r"^b.txt: cannot decode the text \(neither UTF-8 nor Windows-1252\)$",
    ):
        decode_bytes(data, "b.txt")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет, как дела? Всё хорошо у нас в городе, спасибо.", "cp1251"),
        ("Καλημέρα, τι κάνεις; Όλα καλά στην πόλη μας.", "cp1253"),
        ("日本語のテキストです。これは試験です。", "shift_jis"),
    ],
)
def test_other_eight_bit_encodings_are_rejected(text: str, encoding: str) -> None:
    with pytest.raises(DocumentReadError, match="cannot decode the text"):
        decode_bytes(text.encode(encoding), "annen.txt")


def test_utf8_with_a_few_broken_bytes_is_reported_as_mixed_encodings() -> None:
    data = NORSK.encode("utf-8") + b" og s\xe5 videre " + NORSK.encode("utf-8")
    with pytest.raises(DocumentReadError, match="mix encodings"):
        decode_bytes(data, "blanding.txt")


def test_random_bytes_after_a_utf16_bom_are_rejected() -> None:
    data = codecs.BOM_UTF16_LE + random.Random(5).randbytes(2000)
    with pytest.raises(
        DocumentReadError, match=r"^rar.txt: starts with a UTF-16-LE byte order mark"
    ):
        decode_bytes(data, "rar.txt")
