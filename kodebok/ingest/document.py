"""Read one file of any supported format into a ParsedDocument; list importable files."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from kodebok.errors import DocumentReadError
from kodebok.ingest.frontmatter import interviewer_labels, normalise_language, split_front_matter
from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.ingest.office import read_docx, read_odt, read_rtf
from kodebok.ingest.pdf import looks_hard_wrapped, read_pdf, repair_pdf_text
from kodebok.ingest.segment import segment_paragraphs, segment_transcript
from kodebok.ingest.subtitles import read_subtitles
from kodebok.ingest.text import decode_bytes, normalise_text

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    {".txt", ".md", ".docx", ".odt", ".rtf", ".pdf", ".vtt", ".srt"}
)

# A transcript of a two-hour interview is 100–200 KB; 20 MB is some 3 million words, more than
# a hundred such interviews in one file. Import holds a file's text several times over (bytes,
# text, segments, features), so the limit is what keeps memory bounded (a 200 MB file took
# 2.3 GB and 2½ minutes). Word, OpenDocument and PDF files may be large for their pictures:
# their file limit is higher and the text they hold has the transcript limit.
MAX_TEXT_BYTES = 20 * 1024 * 1024
_TEXT_SUFFIXES = frozenset({".txt", ".md", ".vtt", ".srt", ".rtf"})
_MAX_FILE_BYTES = 200 * 1024 * 1024
_FOCUS_GROUP_SPEAKERS = 4

_WORDS = re.compile(r"[^\W\d_]+")
# Marker words for the language guess; common in one written standard and rare in the other.
_NYNORSK_MARKERS = "ikkje eg kva korleis dei ein eit frå skule berre mykje tilsette"
_BOKMAAL_MARKERS = "ikke jeg hva hvordan de en et fra skole bare mye ansatte"
_NYNORSK = frozenset(_NYNORSK_MARKERS.split())
_BOKMAAL = frozenset(_BOKMAAL_MARKERS.split())


def read_document(path: Path, *, name: str | None = None) -> ParsedDocument:
    """Read ``path`` (format chosen by extension) into normalised text, turns and metadata.

    Every problem with the file raises DocumentReadError with a message that names the file.
    """
    source = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        what = f"'{suffix}' files" if suffix else "files without an extension"
        raise DocumentReadError(
            f"{source}: cannot import {what} (supported: {supported})",
            code="ingest.import_supported",
            source=source,
            what=what,
            supported=supported,
        )
    _check_file(path, source, MAX_TEXT_BYTES if suffix in _TEXT_SUFFIXES else _MAX_FILE_BYTES)

    text, metadata, timed = _read_text(path, suffix, source)
    if suffix not in _TEXT_SUFFIXES:
        _check_text_size(text, source)
    if not text.strip():
        raise DocumentReadError(
            f"{source}: the file contains no text", code="ingest.file_contains_text", source=source
        )

    if timed is not None:
        turns, interviewers = timed
    else:
        speakers = metadata.get("speakers") or {}
        turns, interviewers = segment_transcript(text, known_labels=list(speakers))
        # Word and OpenDocument paragraphs are real ones; plain text may be a pasted PDF.
        plain = suffix in (".txt", ".md")
        if plain and not any(t.speaker for t in turns) and looks_hard_wrapped(text):
            text = repair_pdf_text(text)
            turns = segment_paragraphs(text)
    declared = interviewer_labels(metadata)
    used = {t.speaker for t in turns if t.speaker}
    folded = {label.casefold() for label in declared}
    interviewers |= {label for label in used if label.casefold() in folded}

    return ParsedDocument(
        name=name or path.stem,
        source=source,
        kind=str(metadata.get("kind") or _guess_kind(turns, interviewers)),
        text=text,
        turns=tuple(turns),
        metadata=metadata,
        interviewers=frozenset(interviewers),
        language=normalise_language(metadata["language"])
        if metadata.get("language")
        else guess_language(text),
    )


def _read_text(
    path: Path, suffix: str, source: str
) -> tuple[str, dict[str, Any], tuple[list[Turn], frozenset[str]] | None]:
    """Normalised text and front matter of a file; subtitles also bring their timed turns."""
    if suffix in (".txt", ".md"):
        text = normalise_text(decode_bytes(_read_bytes(path, source), source))
        metadata, text = split_front_matter(text, source)
        return text, metadata, None
    if suffix in (".vtt", ".srt"):
        raw = normalise_text(decode_bytes(_read_bytes(path, source), source))
        text, turns, interviewers = read_subtitles(raw, source, suffix[1:])
        return text, {}, (turns, interviewers)
    if suffix == ".docx":
        return normalise_text(read_docx(path, source)), {}, None
    if suffix == ".odt":
        return normalise_text(read_odt(path, source)), {}, None
    if suffix == ".rtf":
        return normalise_text(read_rtf(_read_bytes(path, source), source)), {}, None
    raw = normalise_text(read_pdf(path, source))
    return normalise_text(repair_pdf_text(raw)), {}, None


def iter_supported_files(folder: Path) -> list[Path]:
    """Importable files directly in ``folder`` (not in subfolders), sorted by name.

    Hidden files and Word's lock files (``~$name.docx``) are skipped.
    """
    if not folder.is_dir():
        raise DocumentReadError(f"{folder}: not a folder", code="ingest.folder", folder=folder)
    try:
        entries = list(folder.iterdir())
    except OSError as exc:
        raise DocumentReadError(
            f"{folder}: cannot list the folder ({exc.strerror})",
            code="ingest.list_folder",
            folder=folder,
            strerror=exc.strerror,
        ) from None
    return sorted(
        (
            p
            for p in entries
            if p.suffix.lower() in SUPPORTED_EXTENSIONS
            and not p.name.startswith((".", "~$"))
            and p.is_file()
        ),
        key=lambda p: (p.name.casefold(), p.name),
    )


def guess_language(text: str) -> str:
    """ "nn" when nynorsk marker words outnumber bokmål ones, else "nb" (a cheap guess)."""
    counts = Counter(w for w in _WORDS.findall(text.casefold()) if w in _NYNORSK or w in _BOKMAAL)
    nynorsk = sum(n for w, n in counts.items() if w in _NYNORSK)
    bokmaal = sum(n for w, n in counts.items() if w in _BOKMAAL)
    return "nn" if nynorsk > bokmaal else "nb"


def _guess_kind(turns: list[Turn], interviewers: frozenset[str]) -> str:
    speakers = {t.speaker for t in turns if t.speaker}
    if not speakers:
        return "dokument"
    if len(speakers - interviewers) >= _FOCUS_GROUP_SPEAKERS:
        return "fokusgruppe"
    return "intervju"


def _size(size: int) -> str:
    """A file size as people say it: '200 MB', '20.5 MB', '800 KB'."""
    if size >= 1024 * 1024:
        mb = size / (1024 * 1024)
        return f"{mb:.0f} MB" if mb >= 100 or mb == int(mb) else f"{mb:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _check_text_size(text: str, source: str) -> None:
    """Refuse the text of a Word, OpenDocument or PDF file above the transcript limit."""
    if len(text) <= MAX_TEXT_BYTES // 4:
        return  # at most 4 bytes a character: below the limit whatever the characters
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise DocumentReadError(
            f"{source} holds {_size(size)} of text; kodebok imports transcripts up to "
            f"{_size(MAX_TEXT_BYTES)} — split it into parts",
            code="ingest.holds_text_kodebok_imports",
            source=source,
            size=_size(size),
            size_2=_size(MAX_TEXT_BYTES),
        )


def _check_file(path: Path, source: str, limit: int) -> None:
    """Fail early, with the real reason, before a library reports it as a damaged file."""
    try:
        stat = path.stat()
        if not path.is_dir():
            with path.open("rb") as handle:
                handle.read(1)
    except FileNotFoundError:
        raise DocumentReadError(
            f"{source}: file not found ({path})", code="ingest.file_found", source=source, path=path
        ) from None
    except OSError as exc:
        raise DocumentReadError(
            f"{source}: cannot read the file ({exc.strerror})",
            code="ingest.read_file",
            source=source,
            strerror=exc.strerror,
        ) from None
    if path.is_dir():
        raise DocumentReadError(
            f"{source}: is a folder, not a file", code="ingest.folder_file", source=source
        )
    if stat.st_size == 0:
        raise DocumentReadError(
            f"{source}: the file is empty", code="ingest.file_empty", source=source
        )
    if stat.st_size > limit:
        what = "transcripts" if limit == MAX_TEXT_BYTES else f"{path.suffix.lower()} files"
        raise DocumentReadError(
            f"{source} is {_size(stat.st_size)}; kodebok imports {what} up to {_size(limit)}"
            " — split it into parts",
            code="ingest.kodebok_imports_up_split",
            source=source,
            size=_size(stat.st_size),
            what=what,
            size_2=_size(limit),
        )


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocumentReadError(
            f"{source}: cannot read the file ({exc.strerror})",
            code="ingest.read_file",
            source=source,
            strerror=exc.strerror,
        ) from None
