"""PDF text: read the text layer with pypdf, and repair hard wraps, page numbers and hyphenation."""

from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path

from kodebok.errors import DocumentReadError
from kodebok.ingest.labels import find_label_lines

_PAGE_NUMBER = re.compile(
    r"\s*(?:[-–—]\s*\d{1,4}\s*[-–—]"
    r"|(?:side|s\.|page|p\.)\s*\d{1,4}(?:\s*(?:av|of|/)\s*\d{1,4})?"
    r"|\d{1,4}\s*(?:/|av|of)\s*\d{1,4})\s*",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"\s*\d{1,4}\s*")
_BULLET = re.compile(r"\s*(?:[•▪◦●○■□–—*·\uf0b7\uf0a7]|-(?=\s)|\d{1,2}[.)](?=\s)|[a-z][)](?=\s))")
_SENTENCE_END = (".", "!", "?", "…", ":", ";", '"', "»", ")")
# "mål- og resultatstyring": a hyphen before a conjunction is a real one, even at a line end.
_CONJUNCTIONS = frozenset({"og", "eller", "samt", "enn", "til", "som", "men", "/"})
_FIRST_WORD = re.compile(r"\S+")


def repair_pdf_text(text: str) -> str:
    """Turn text extracted from a PDF into paragraphs separated by blank lines.

    Joins hard-wrapped lines, copes with a blank line after every line, drops page-number
    lines ("12", "- 12 -", "Side 3 av 10"), undoes end-of-line hyphenation when the next line
    goes on in lower case (but keeps "mål- og" and "KOSTRA-tall"), and keeps bullets and
    speaker-label lines as paragraphs of their own.
    """
    lines = [line.strip() for line in text.replace("\f", "\n").replace("\r", "\n").split("\n")]
    lines = _drop_page_numbers(lines)
    content = [line for line in lines if line]
    if not content:
        return ""
    label_lines = find_label_lines(lines)
    width = sorted(len(line) for line in content)[int(len(content) * 0.9)]
    double_spaced = _is_double_spaced(lines)

    paragraphs: list[list[str]] = []
    blanks = 0
    for i, line in enumerate(lines):
        if not line:
            blanks += 1
            continue
        gap_breaks = blanks >= (2 if double_spaced else 1)
        prev = paragraphs[-1][-1] if paragraphs else ""
        if (
            not paragraphs
            or gap_breaks
            or _BULLET.match(line)
            or i in label_lines
            or _ends_paragraph(prev, line, width)
        ):
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
        blanks = 0
    return "\n\n".join(_join_lines(p) for p in paragraphs)


def looks_hard_wrapped(text: str) -> bool:
    """True if ``text`` reads like a PDF extraction: many short lines that break mid-sentence."""
    content = [line.strip() for line in text.split("\n") if line.strip()]
    if len(content) < 8:
        return False
    width = sorted(len(line) for line in content)[int(len(content) * 0.9)]
    # A line that stops without punctuation while the next goes on in lower case was wrapped;
    # separate paragraphs or list items rarely look like that.
    wrapped = sum(
        1
        for line, following in itertools.pairwise(content)
        if not line.endswith(_SENTENCE_END) and following[0].islower()
    )
    return 30 <= width <= 130 and wrapped >= 0.3 * len(content)


def _drop_page_numbers(lines: list[str]) -> list[str]:
    kept: list[str] = []
    for i, line in enumerate(lines):
        if line and _PAGE_NUMBER.fullmatch(line):
            continue
        if line and _BARE_NUMBER.fullmatch(line):
            # A column of numbers is a flattened table, not page numbers: keep those.
            neighbours = [_neighbour(lines, i, -1), _neighbour(lines, i, 1)]
            if not any(n and _BARE_NUMBER.fullmatch(n) for n in neighbours):
                continue
        kept.append(line)
    return kept


def _neighbour(lines: list[str], i: int, step: int) -> str:
    j = i + step
    while 0 <= j < len(lines):
        if lines[j]:
            return lines[j]
        j += step
    return ""


def _is_double_spaced(lines: list[str]) -> bool:
    """True when most lines are separated by exactly one blank line."""
    gaps: list[int] = []
    blanks = -1
    for line in lines:
        if line:
            if blanks >= 0:
                gaps.append(blanks)
            blanks = 0
        elif blanks >= 0:
            blanks += 1
    return len(gaps) >= 3 and sum(1 for g in gaps if g == 1) >= 0.6 * len(gaps)


def _ends_paragraph(prev: str, line: str, width: int) -> bool:
    """True when ``prev`` stopped short although ``line``'s first word would have fitted."""
    if not prev:
        return False
    first = _FIRST_WORD.match(line)
    first_len = len(first.group()) if first else 0
    if len(prev) + 1 + first_len > 0.8 * width:
        return False
    return prev.endswith(_SENTENCE_END) or line[0].isupper() or line[0].isdigit()


def _join_lines(lines: list[str]) -> str:
    parts = [lines[0]]
    for line in lines[1:]:
        prev = parts[-1]
        if prev.endswith("\u00ad"):
            parts[-1] = prev[:-1]
            parts.append(line)
        elif prev.endswith("-") and len(prev) >= 2 and prev[-2].isalpha():
            first = _FIRST_WORD.match(line)
            word = first.group().casefold().rstrip(",.") if first else ""
            if word in _CONJUNCTIONS:
                parts.append(" " + line)
            elif _is_word_split(prev, line):
                parts[-1] = prev[:-1]
                parts.append(line)
            else:
                parts.append(line)
        else:
            parts.append(" " + line)
    return "".join(parts)


def _is_word_split(prev: str, line: str) -> bool:
    """True when a line-end hyphen only split a word: "styrings-" + "system", not "KOSTRA-tall"."""
    stem = prev.rsplit(None, 1)[-1][:-1]
    return line[0].islower() and not stem.isupper() and "-" not in stem


def read_pdf(path: Path, source: str) -> str:
    """The raw text layer of a PDF, pages joined by newlines (not yet repaired)."""
    # pypdf warns on the logger for every odd object in real-world PDFs; the user cannot act.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentReadError(
                f"{source}: the PDF is password protected",
                code="ingest.pdf_password_protected",
                source=source,
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentReadError:
        raise
    except LimitReachedError:
        # pypdf stops inflating a stream past its own limit (75 MB): a decompression bomb
        raise DocumentReadError(
            f"{source}: refused: a compressed part of the PDF unpacks to more than pypdf "
            "reads (a decompression bomb?)",
            code="ingest.refused_compressed_part_pdf",
            source=source,
        ) from None
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentReadError(
            f"{source}: not a readable PDF ({exc})",
            code="ingest.readable_pdf",
            source=source,
            exc=str(exc),
        ) from None
    except Exception as exc:  # pypdf raises many kinds on damaged files
        raise DocumentReadError(
            f"{source}: not a readable PDF ({type(exc).__name__})",
            code="ingest.readable_pdf_2",
            source=source,
            error_type=type(exc).__name__,
        ) from None
    text = "\n".join(pages)
    if not text.strip():
        raise DocumentReadError(
            f"{source}: the PDF has no text layer (scanned PDF?)",
            code="ingest.pdf_has_text_layer",
            source=source,
        )
    return text
