"""Bytes to normalised text: encoding detection (UTF-8, then Windows-1252) and normalisation."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from kodebok.errors import DocumentReadError
from kodebok.textnorm import nfc

# Signatures of files people drop into a transcript folder by mistake; naming the real type
# is more helpful than "cannot decode".
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a zip archive (a .docx or .odt saved with the wrong extension?)"),
    (b"{\\rtf", "an RTF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Excel (.doc/.xls) file"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control bytes that never occur in text files (tab, newlines, form feed and SUB excluded).
_CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0e-\x19\x1b-\x1f\x7f]")
# Well-formed UTF-8 multi-byte sequences: a file full of these that still fails to decode as
# UTF-8 is UTF-8 with a few broken bytes (mixed encodings), not Windows-1252.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")

# Non-ASCII characters a Norwegian Windows-1252 text plausibly contains: Nordic and common
# Western letters in names and loanwords, typographic punctuation, a few symbols.
_EXPECTED_NON_ASCII = frozenset("æøåÆØÅéÉèÈêëüÜöÖäÄáàóòôíñçÇ«»–—‘’‚“”„…•·§°€´×½¼¾²³\u00a0\u00ad")


def normalise_text(text: str) -> str:
    """Return ``text`` with a leading BOM removed, newlines as ``\\n`` and Unicode in NFC."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return nfc(text)


def decode_bytes(data: bytes, source: str) -> str:
    """Decode a text file's bytes: UTF-8 (with or without BOM), else Windows-1252.

    Raises DocumentReadError (naming ``source``) for empty or binary data, UTF-16 without a
    byte order mark, and bytes that are plausible as neither encoding, rather than returning
    mojibake. The result is not yet normalised.
    """
    if not data:
        raise DocumentReadError(
            f"{source}: the file is empty", code="ingest.file_empty", source=source
        )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            name = encoding.upper()
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentReadError(
                    f"{source}: starts with a {name} byte order mark but is not "
                    f"valid {name} (byte {exc.start + len(bom)})",
                    code="ingest.starts_byte_order_mark_2",
                    source=source,
                    name=name,
                    value=exc.start + len(bom),
                ) from None
            if encoding != "utf-8" and not _is_latin_text(text):
                # Any even number of bytes decodes as UTF-16: check that it reads as text.
                raise DocumentReadError(
                    f"{source}: starts with a {name} byte order mark but does not read as text",
                    code="ingest.starts_byte_order_mark",
                    source=source,
                    name=name,
                )
            return text
    _reject_binary(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    in_sequences = sum(len(seq) for seq in _UTF8_SEQUENCE.findall(data))
    if in_sequences * 2 >= len(_HIGH_BYTE.findall(data)):
        raise DocumentReadError(
            f"{source}: mostly UTF-8 but with invalid bytes (at byte {utf8_error.start}); "
            "the file seems to mix encodings, save it again as UTF-8",
            code="ingest.mostly_utf_but_invalid",
            source=source,
            utf8_error_start=utf8_error.start,
        )
    decoded = _decode_windows_1252(data)
    if decoded is None:
        raise DocumentReadError(
            f"{source}: cannot decode the text (neither UTF-8 nor Windows-1252)",
            code="ingest.decode_text_neither_utf",
            source=source,
        )
    return decoded


def _reject_binary(data: bytes, source: str) -> None:
    """Raise if ``data`` is clearly not a text file (NUL bytes, control bytes, known magic)."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise DocumentReadError(
                f"{source}: looks like {what}, not text",
                code="ingest.looks_like_text",
                source=source,
                what=what,
            )
    sample = data[:65536]
    nul = sample.count(0)
    if nul:
        # UTF-16 without a BOM: ASCII characters leave a NUL in every other byte.
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if max(even, odd) >= len(sample) // 2 * 0.3 and min(even, odd) <= max(even, odd) * 0.1:
            raise DocumentReadError(
                f"{source}: looks like UTF-16 text without a byte order mark; "
                "save it as UTF-8 and import it again",
                code="ingest.looks_like_utf_text",
                source=source,
            )
        controls = len(_CONTROL_BYTES.findall(sample))
        if nul <= max(2, len(sample) // 1000) and controls <= max(2, len(sample) // 100):
            # a text file with a few NUL bytes: damaged, or text pasted with a binary part
            raise DocumentReadError(
                f"{source}: contains NUL bytes (the first at byte {data.index(0)}), which text "
                "files never have; the file is damaged or not a text file",
                code="ingest.contains_nul_bytes_first",
                source=source,
                index=data.index(0),
            )
        raise DocumentReadError(
            f"{source}: looks like a binary file, not text",
            code="ingest.looks_like_binary_file",
            source=source,
        )
    if len(_CONTROL_BYTES.findall(sample)) > max(2, len(sample) // 100):
        raise DocumentReadError(
            f"{source}: looks like a binary file, not text",
            code="ingest.looks_like_binary_file",
            source=source,
        )


def _is_latin_text(text: str) -> bool:
    """True when nearly all characters are Latin letters, punctuation or whitespace."""
    sample = text[:20000]
    if not sample:
        return True
    latin = sum(
        1
        for ch in sample
        if (ch >= " " or ch in "\t\n\r\f") and (ord(ch) < 0x250 or 0x2000 <= ord(ch) < 0x2070)
    )
    return latin >= 0.9 * len(sample)


def _decode_windows_1252(data: bytes) -> str | None:
    """Decode as Windows-1252 if the result is plausible Norwegian/Western text, else None."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        # Bytes undefined in cp1252 are C1 controls in latin-1: not text either.
        return None
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return text
    letters = sum(1 for ch in text if ch.isalpha())
    unexpected = sum(1 for ch in non_ascii if ch not in _EXPECTED_NON_ASCII)
    # Real Norwegian has a few æøå among mostly ASCII letters; another 8-bit encoding read as
    # cp1252 (Cyrillic, Greek, CJK) turns most letters into unusual accented ones.
    if letters == 0 or len(non_ascii) > max(3, 0.3 * letters) or unexpected > 0.3 * len(non_ascii):
        return None
    match = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    if match is None or match.chaos > 0.3:
        return None
    return text
