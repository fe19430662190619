"""Codebooks: the model, and reading and writing them as YAML, CSV, Markdown and REFI-QDA QDC."""

from __future__ import annotations

import copy
from pathlib import Path

from kodebok.codebook.csv_format import format_csv_codebook, parse_csv_codebook
from kodebok.codebook.md_format import format_markdown_codebook, parse_markdown_codebook
from kodebok.codebook.model import (
    Codebook,
    CodeSpec,
    check_for_writing,
    clean_keywords,
    fail,
)
from kodebok.codebook.qdc_format import code_guid, format_qdc_codebook, parse_qdc_codebook
from kodebok.codebook.yaml_format import format_yaml_codebook, parse_yaml_codebook
from kodebok.errors import CodebookError, OutputError
from kodebok.fileio import atomic_write

__all__ = [
    "FORMATS",
    "CodeSpec",
    "Codebook",
    "code_guid",
    "decode_text",
    "format_codebook",
    "parse_csv_codebook",
    "parse_markdown_codebook",
    "parse_qdc_codebook",
    "parse_yaml_codebook",
    "read_codebook",
    "write_codebook",
]

#: format name -> file extensions (the first is the one written)
FORMATS: dict[str, tuple[str, ...]] = {
    "yaml": (".yaml", ".yml"),
    "csv": (".csv",),
    "md": (".md", ".markdown"),
    "qdc": (".qdc", ".xml"),
}
_ALIASES = {"yml": "yaml", "markdown": "md"}
MAX_FILE_BYTES = 20_000_000


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    for fmt, suffixes in FORMATS.items():
        if suffix in suffixes:
            return fmt
    raise CodebookError(
        f"{path.name}: unknown codebook format '{suffix or path.name}'; "
        "use .yaml, .csv, .md or .qdc",
        code="codebook.unknown_codebook_format_use",
        path_name=path.name,
        value=suffix or path.name,
    )


def _fmt(fmt: str) -> str:
    name = _ALIASES.get(fmt.lower().lstrip("."), fmt.lower().lstrip("."))
    if name not in FORMATS:
        raise CodebookError(
            f"unknown codebook format '{fmt}'; use yaml, csv, md or qdc",
            code="codebook.unknown_codebook_format_use_2",
            fmt=fmt,
        )
    return name


def decode_text(data: bytes, source: str) -> str:
    """Decode a text codebook: UTF-8 (with or without BOM) or UTF-16 with BOM, else an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise fail(source, 1, "the file says UTF-16 but is not") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise fail(
            source,
            line,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
        ) from None
    if "\x00" in text:
        raise fail(source, text[: text.index("\x00")].count("\n") + 1, "not a text file")
    return text


def read_codebook(path: Path) -> Codebook:
    """Read a codebook file; the format comes from the extension (.yaml/.yml, .csv, .md, .qdc)."""
    path = Path(path)
    fmt = _format_of(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CodebookError(
                f"{path.name}: the file is too large for a codebook",
                code="codebook.file_too_large_codebook",
                path_name=path.name,
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CodebookError(
            f"{path.name}: cannot read the file ({exc.strerror})",
            code="codebook.read_file",
            path_name=path.name,
            strerror=exc.strerror,
        ) from None
    if fmt == "qdc":
        return parse_qdc_codebook(data, path.name)
    text = decode_text(data, path.name)
    if fmt == "csv":
        return parse_csv_codebook(text, path.name)
    if fmt == "md":
        return parse_markdown_codebook(text, path.name)
    return parse_yaml_codebook(text, path.name)


def format_codebook(cb: Codebook, fmt: str) -> str:
    """Write a codebook to text in ``fmt`` (yaml, csv, md or qdc); checks it can be read back."""
    name = _fmt(fmt)
    check_for_writing(cb)
    cb = copy.deepcopy(cb)
    for _, spec in cb.walk():
        # every format reads ';' as a keyword separator, so write what will be read back
        spec.keywords = clean_keywords(spec.keywords)
    if name == "csv":
        return format_csv_codebook(cb)
    if name == "md":
        return format_markdown_codebook(cb)
    if name == "qdc":
        return format_qdc_codebook(cb)
    return format_yaml_codebook(cb)


def write_codebook(cb: Codebook, path: Path, fmt: str | None = None) -> None:
    """Write a codebook file atomically; ``fmt`` defaults to the one the extension names.

    CSV is written with a UTF-8 BOM so that Excel shows æøå correctly.
    """
    path = Path(path)
    name = _fmt(fmt) if fmt is not None else _format_of(path)
    text = format_codebook(cb, name)
    data = text.encode("utf-8-sig" if name == "csv" else "utf-8")
    try:
        atomic_write(path, data)
    except OutputError as exc:
        raise CodebookError(exc.message) from None
