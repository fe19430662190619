"""Word processor files to plain text: .docx (python-docx), .odt (odfpy) and .rtf (striprtf)."""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kodebok.errors import DocumentReadError
from kodebok.ingest.labels import match_label

# Untrusted archives: refuse zip bombs before a library inflates them.
_MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # all parts together, pictures included
_MAX_ZIP_ENTRIES = 20_000
# The XML part with the text is parsed whole into memory (python-docx, odfpy); a transcript's is
# a few MB, and 64 MB of XML already holds more text than the transcript limit.
_MAX_TEXT_PART_BYTES = 64 * 1024 * 1024
_TEXT_PARTS = {".docx": "word/document.xml", ".odt": "content.xml"}
# Unpacked ÷ packed over all parts: XML compresses 5–20×, a zip bomb 1000×.
_MAX_RATIO = 100
_RATIO_FLOOR = 8 * 1024 * 1024
_TIMESTAMP = re.compile(r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?")
_RTF_CODEPAGE = re.compile(rb"\\ansicpg(\d{3,5})")

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Text in every run of a paragraph, except deleted or moved-away text and text boxes.
_DOCX_TEXT_XPATH = (
    "(.//w:r/w:t | .//w:r/w:tab | .//w:r/w:br | .//w:r/w:cr | .//w:r/w:noBreakHyphen"
    " | .//w:r/w:ptab)"
    "[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]"
)
_DOCX_SPECIAL = {"tab": "\t", "ptab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
# Deleted text kept for change tracking, and footnotes, would break sentences in two.
_ODT_SKIP = {(_TEXT_NS, "tracked-changes"), (_TEXT_NS, "note"), (_TEXT_NS, "sequence-decls")}


def read_docx(path: Path, source: str) -> str:
    """Paragraphs and table rows of a .docx in document order, separated by blank lines."""
    _check_zip(path, source, ".docx")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                for row in item.rows:
                    blocks.extend(_row_blocks(_distinct_cells(row.cells)))
            else:
                blocks.append(_docx_paragraph_text(item._p))
    except DocumentReadError:
        raise
    except Exception as exc:  # python-docx raises KeyError, BadZipFile, lxml errors, ...
        raise DocumentReadError(
            f"{source}: not a valid .docx ({_describe(exc)})",
            code="ingest.valid_docx",
            source=source,
            describe=_describe(exc),
        ) from None
    return _join_blocks(blocks)


def read_odt(path: Path, source: str) -> str:
    """Headings, paragraphs and table rows of an .odt in document order."""
    _check_zip(path, source, ".odt")
    from odf.opendocument import load

    try:
        document = load(str(path))
        blocks: list[str] = []
        _walk_odt(document.text, blocks)
    except Exception as exc:  # odfpy raises KeyError, BadZipFile, SAX errors, ...
        raise DocumentReadError(
            f"{source}: not a valid .odt ({_describe(exc)})",
            code="ingest.valid_odt",
            source=source,
            describe=_describe(exc),
        ) from None
    return _join_blocks(blocks)


def read_rtf(data: bytes, source: str) -> str:
    """The text of an RTF file, in the code page it declares (Windows-1252 by default)."""
    if not data.lstrip().startswith(b"{\\rtf"):
        raise DocumentReadError(
            f"{source}: not a valid .rtf (it does not start with '{{\\rtf')",
            code="ingest.valid_rtf_does_start",
            source=source,
        )
    from striprtf import striprtf

    # striprtf has no type hints; name the one signature we rely on.
    rtf_to_text: Callable[..., str] = striprtf.rtf_to_text
    codepage = _RTF_CODEPAGE.search(data[:4096])
    encoding = f"cp{int(codepage.group(1))}" if codepage else "cp1252"
    try:
        # RTF itself is 7-bit; latin-1 maps every byte, the escapes carry the real characters.
        text = rtf_to_text(data.decode("latin-1"), encoding=encoding, errors="strict")
    except (UnicodeDecodeError, LookupError) as exc:
        raise DocumentReadError(
            f"{source}: cannot decode the RTF text ({exc})",
            code="ingest.decode_rtf_text",
            source=source,
            exc=str(exc),
        ) from None
    except Exception as exc:  # striprtf is a hand-written parser; damaged files surprise it
        raise DocumentReadError(
            f"{source}: not a valid .rtf ({_describe(exc)})",
            code="ingest.valid_rtf",
            source=source,
            describe=_describe(exc),
        ) from None
    return text


def _check_zip(path: Path, source: str, kind: str) -> None:
    if not zipfile.is_zipfile(path):
        raise DocumentReadError(
            f"{source}: not a valid {kind} (not a zip archive)",
            code="ingest.valid_zip_archive",
            source=source,
            kind=kind,
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentReadError(
            f"{source}: not a valid {kind} ({exc})",
            code="ingest.valid",
            source=source,
            kind=kind,
            exc=str(exc),
        ) from None
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if len(infos) > _MAX_ZIP_ENTRIES or unpacked > _MAX_UNZIPPED_BYTES:
        raise DocumentReadError(
            f"{source}: too large when unpacked; refusing to open it",
            code="ingest.too_large_when_unpacked",
            source=source,
        )
    if unpacked > _RATIO_FLOOR and unpacked > _MAX_RATIO * max(packed, 1):
        raise DocumentReadError(
            f"{source}: refused: {packed // 1024} KB of compressed data would unpack to "
            f"{unpacked // (1024 * 1024)} MB (a zip bomb?)",
            code="ingest.refused_kb_compressed_data",
            source=source,
            value=packed // 1024,
            value_2=unpacked // (1024 * 1024),
        )
    text_part = _TEXT_PARTS.get(kind)
    for info in infos:
        if info.filename == text_part and info.file_size > _MAX_TEXT_PART_BYTES:
            raise DocumentReadError(
                f"{source}: its text part ({text_part}) is {info.file_size // (1024 * 1024)} MB "
                f"of XML; kodebok reads up to {_MAX_TEXT_PART_BYTES // (1024 * 1024)} MB — "
                "split the document into parts",
                code="ingest.text_part_mb_xml",
                source=source,
                text_part=text_part,
                value=info.file_size // (1024 * 1024),
                value_2=_MAX_TEXT_PART_BYTES // (1024 * 1024),
            )


def _describe(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return "damaged or truncated zip archive"
    if isinstance(exc, KeyError):
        return f"a required part is missing: {exc}"
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _docx_paragraph_text(p: Any) -> str:
    """A paragraph's text as if all tracked changes were accepted.

    python-docx's ``Paragraph.text`` skips runs inside insertions, content controls and
    smart tags; transcripts corrected by the informant are full of tracked insertions.
    """
    parts: list[str] = []
    for node in _docx_text_nodes()(p):
        tag = node.tag.rsplit("}", 1)[-1]
        if tag == "t":
            parts.append(node.text or "")
        else:
            parts.append(_DOCX_SPECIAL[tag])
    return "".join(parts)


@functools.cache
def _docx_text_nodes() -> Any:
    """A compiled XPath for text-bearing nodes (compiling once is 30x faster than per call)."""
    from lxml import etree

    return etree.XPath(_DOCX_TEXT_XPATH, namespaces={"w": _W_NS})


def _distinct_cells(cells: Sequence[Any]) -> list[str]:
    """Cell texts of a row, once per cell: python-docx repeats merged cells."""
    seen: set[int] = set()
    texts: list[str] = []
    for cell in cells:
        key = id(cell._tc)
        if key not in seen:
            seen.add(key)
            texts.append("\n".join(_docx_paragraph_text(p._p) for p in cell.paragraphs))
    return texts


def _row_blocks(cells: list[str]) -> list[str]:
    """A table row as text: ``Label: text`` for transcript tables, else one block per cell.

    Transcription services often deliver a table with columns (time,) speaker, text.
    """
    cells = [c.strip() for c in cells]
    filled = [c for c in cells if c]
    if len(filled) in (2, 3):
        *head, spoken = filled
        label = head[-1].removesuffix(":").strip()
        timestamp = head[0] if len(head) == 2 else None
        looks_like_label = (
            "\n" not in label and ":" not in label and match_label(label + ": x") is not None
        )
        if looks_like_label and (timestamp is None or _TIMESTAMP.fullmatch(timestamp)):
            prefix = f"[{timestamp.strip('[]()')}] " if timestamp else ""
            return [f"{prefix}{label}: {spoken}"]
    return filled


def _walk_odt(node: Any, blocks: list[str]) -> None:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname is None or qname in _ODT_SKIP:
            continue
        if qname in ((_TEXT_NS, "p"), (_TEXT_NS, "h")):
            blocks.append("".join(_odt_text(child)))
        elif qname == (_TABLE_NS, "table-row"):
            cells: list[str] = []
            for cell in child.childNodes:
                if getattr(cell, "qname", None) == (_TABLE_NS, "table-cell"):
                    parts: list[str] = []
                    _walk_odt(cell, parts)
                    cells.append("\n".join(parts))
            blocks.extend(_row_blocks(cells))
        else:
            _walk_odt(child, blocks)


def _odt_text(node: Any) -> Iterator[str]:
    """Text of a paragraph with <text:s>, tabs and line breaks spelled out."""
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname is None:
            yield str(getattr(child, "data", ""))
        elif qname in _ODT_SKIP:
            continue
        elif qname == (_TEXT_NS, "s"):
            count = str(child.getAttribute("c") or "1")
            # Capped: a hostile file could ask for a billion spaces.
            yield " " * min(int(count) if count.isdigit() else 1, 100)
        elif qname == (_TEXT_NS, "tab"):
            yield "\t"
        elif qname == (_TEXT_NS, "line-break"):
            yield "\n"
        else:
            yield from _odt_text(child)


def _join_blocks(blocks: list[str]) -> str:
    # Paragraphs become blank-line separated, so documents without speakers split on them.
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip())
