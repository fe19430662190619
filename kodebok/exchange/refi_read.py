"""Reading REFI-QDA projects (.qdpx) safely: no path traversal, no entities, bounded size."""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from lxml import etree

from kodebok import safe_xml
from kodebok.errors import ExchangeError
from kodebok.exchange.refi_model import (
    EXTENSION_FORMAT,
    EXTENSION_MEMBER,
    NAMESPACE,
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSet,
    RefiSource,
)
from kodebok.textnorm import PositionMap, nfc_with_positions

# Limits on what an archive may make kodebok unpack. The declared sizes are checked over all
# members together before anything is read (48 members of 9.9 MB each passed checks made one
# member at a time: 2 minutes and 1.5 GB); the bytes really inflated are counted while reading,
# since declared sizes can be forged.
MAX_TOTAL_BYTES = 512 * 2**20  # declared, all members; a real project with audio is rarely larger
MAX_RATIO = 100  # declared / compressed, all members; text compresses 3–20×, a zip bomb ~1000×
_RATIO_FLOOR = 8 * 2**20  # archives declaring less than this cannot hurt, whatever their ratio
MAX_TEXT_BYTES = 100 * 2**20  # really inflated: project.qde and the text sources together
MAX_SOURCE_BYTES = 20 * 2**20  # one text source, as for one imported transcript
MAX_QDE_BYTES = 32 * 2**20  # project.qde, parsed whole by lxml; a large real one is a few MB
_NS = f"{{{NAMESPACE}}}"
_CRLF = re.compile("\r\n")


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size / 2**10:.0f} KB"


def _safe_members(zf: zipfile.ZipFile, source: str) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    declared = compressed = 0
    for info in zf.infolist():
        name = info.filename.replace("\\", "/")
        path = PurePosixPath(name)
        if name.startswith("/") or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            raise ExchangeError(
                f"{source}: refused: the archive entry '{info.filename}' points outside the archive"
            )
        declared += info.file_size
        compressed += info.compress_size
        members[name] = info
    if declared > MAX_TOTAL_BYTES:
        raise ExchangeError(
            f"{source}: refused: its {len(members)} files unpack to {_mb(declared)}; "
            f"kodebok reads .qdpx archives up to {_mb(MAX_TOTAL_BYTES)}"
        )
    if declared > _RATIO_FLOOR and declared > MAX_RATIO * max(compressed, 1):
        raise ExchangeError(
            f"{source}: refused: {_mb(compressed)} of compressed data would unpack to "
            f"{_mb(declared)} (more than {MAX_RATIO}×; a zip bomb?)"
        )
    return members


class _Inflater:
    """Reads members of one archive, counting the bytes really inflated against the limits."""

    def __init__(self, zf: zipfile.ZipFile, source: str) -> None:
        self.zf = zf
        self.source = source
        self.left = MAX_TEXT_BYTES

    def read(self, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
        where = f"{self.source}: '{info.filename}'"
        if info.file_size > limit:
            raise ExchangeError(
                f"{where} is {_mb(info.file_size)}; kodebok imports {what} up to {_mb(limit)}"
            )
        if info.file_size > self.left:
            raise ExchangeError(
                f"{self.source}: refused: the texts in the archive unpack to more than "
                f"{_mb(MAX_TEXT_BYTES)}"
            )
        out = bytearray()
        try:
            with self.zf.open(info) as fh:
                # stop one byte past the declared size: a forged header cannot make us inflate more
                while chunk := fh.read(min(1 << 20, info.file_size + 1 - len(out))):
                    out += chunk
                    if len(out) > info.file_size:
                        raise ExchangeError(f"{where} is larger than its declared size (forged?)")
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ExchangeError(
                f"{where} is damaged or its sizes are forged ({_reason(exc)})"
            ) from None
        except (NotImplementedError, RuntimeError) as exc:
            # unknown compression methods, encrypted members
            raise ExchangeError(f"{where} cannot be read ({exc})") from None
        if len(out) != info.file_size:
            raise ExchangeError(
                f"{where} is damaged or its sizes are forged "
                f"({len(out)} bytes instead of the declared {info.file_size})"
            )
        self.left -= len(out)
        return bytes(out)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "CRC" in text:
        return "the checksum does not match"
    if isinstance(exc, EOFError):
        return "the compressed data ends early"
    return text


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse XML with the one safe reader (entities, DTDs and network off, size bounded)."""
    try:
        return safe_xml.parse(data, max_bytes=MAX_QDE_BYTES)
    except safe_xml.XmlRefused as exc:
        where = f"{source}, line {exc.line}" if exc.line > 1 else source
        raise ExchangeError(f"{where}: refused: {exc.problem}") from None


def read_qdpx(data: bytes, source: str) -> RefiProject:
    """Read a .qdpx archive into a RefiProject.

    Anything wrong with the archive (not a zip, truncated, damaged, forged sizes, too large
    or too compressed) raises ExchangeError naming the archive and, where it applies, the
    member. Member names are matched without regard to case (NVivo writes ``Sources/``), and
    the project file may have any name ending in ``.qde`` (ATLAS.ti names it after the project).
    """
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
        raise ExchangeError(
            f"{source}: not a .qdpx file (not a zip archive, or a damaged or truncated one)"
        ) from exc
    with zf:
        members = _safe_members(zf, source)
        folded = {name.casefold(): info for name, info in members.items()}
        inflater = _Inflater(zf, source)
        qdes = sorted(n for n in members if n.lower().endswith(".qde"))
        qde = next((n for n in qdes if n.lower() == "project.qde"), qdes[0] if qdes else None)
        if qde is None:
            raise ExchangeError(f"{source}: no project.qde inside")
        root = parse_xml(
            inflater.read(members[qde], MAX_QDE_BYTES, "project files"), f"{source}:{qde}"
        )
        if root.tag != _NS + "Project":
            raise ExchangeError(
                f"{source}: the .qde is not a REFI-QDA project (root element {root.tag})"
            )

        def load_text(path: str | None) -> str | None:
            if not path:
                return None
            if path.startswith("internal://"):
                name = path.removeprefix("internal://")
            elif "://" in path or path.startswith(("/", "\\")) or ":" in path[:3]:
                return None  # relative://, file:// and absolute paths point outside the archive
            else:
                name = path  # qc 1.3 writes the bare file name

            for candidate in (f"sources/{name}", name):
                info = folded.get(candidate.casefold())
                if info is not None:
                    return decode_source(inflater.read(info, MAX_SOURCE_BYTES, "texts"))
            return None

        project = _project(root, load_text, source)
        side = folded.get(EXTENSION_MEMBER.casefold())
        if side is not None:
            project.extension = _extension(
                inflater.read(side, MAX_QDE_BYTES, "project files"), f"{source}:{side.filename}"
            )
        return project


def _extension(data: bytes, where: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ExchangeError(f"{where}: not valid JSON ({exc})") from None
    if not isinstance(value, dict) or value.get("format") != EXTENSION_FORMAT:
        return {}  # someone else's file of that name: ignored like other unknown members
    return value


def decode_source(data: bytes) -> str:
    """Source text as REFI positions count it: UTF-8 without BOM (cp1252 as a fallback)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    return [c for c in el if c.tag == _NS + tag]


def _child_text(el: etree._Element, tag: str) -> str:
    found = _children(el, tag)
    return (found[0].text or "") if found else ""


def _refs(el: etree._Element, tag: str = "NoteRef") -> list[str]:
    return [c.get("targetGUID", "") for c in _children(el, tag)]


def _variables(el: etree._Element, names: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for vv in _children(el, "VariableValue"):
        ref = _children(vv, "VariableRef")
        if not ref:
            continue
        name = names.get(ref[0].get("targetGUID", ""))
        if name is None:
            continue
        for c in vv:
            if c.tag != _NS + "VariableRef" and c.text is not None:
                out[name] = c.text.strip()
    return out


def _code(el: etree._Element) -> RefiCode:
    # names are kept as written: a '/' in a name is a path separator, applied by the importer
    return RefiCode(
        guid=el.get("guid", ""),
        name=el.get("name") or "uten navn",
        description=_child_text(el, "Description"),
        color=el.get("color"),
        children=[_code(c) for c in _children(el, "Code")],
        note_guids=_refs(el),
    )


def _coding(c: etree._Element, default_user: str | None) -> RefiCoding:
    return RefiCoding(
        guid=c.get("guid", ""),
        code_guid=(_refs(c, "CodeRef") or [""])[0],
        user_guid=c.get("creatingUser") or default_user,
        created=c.get("creationDateTime"),
        note_guids=_refs(c),
    )


def _selection(sel: etree._Element, src: RefiSource, source: str) -> RefiSelection:
    try:
        start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError as exc:
        raise ExchangeError(
            f"{source}: selection {sel.get('guid')} in '{src.name}' has no valid positions"
        ) from exc
    return RefiSelection(
        guid=sel.get("guid", ""),
        start=min(start, end),
        end=max(start, end),
        user_guid=sel.get("creatingUser"),
        created=sel.get("creationDateTime"),
        codings=[_coding(c, sel.get("creatingUser")) for c in _children(sel, "Coding")],
        note_guids=_refs(sel),
    )


_TEXT_ELEMENTS = ("TextSource", "PDFSource", "DocumentSource")


def _path_name(s: etree._Element, text_el: etree._Element | None) -> str:
    """A source without a name is called after its file (qc 1.3 writes no names)."""
    for el in (s, text_el):
        path = el.get("plainTextPath") or el.get("path") if el is not None else None
        if path:
            return PurePosixPath(path.split("://", 1)[-1]).name
    return ""


def _source(
    s: etree._Element,
    loader: Callable[[str | None], str | None],
    var_names: dict[str, str],
    source: str,
) -> RefiSource:
    """A text source; a PDF or document source is read through its plain-text Representation."""
    kind = etree.QName(s).localname
    text_el = s if kind == "TextSource" else next(iter(_children(s, "Representation")), None)
    name = s.get("name") or _path_name(s, text_el) or s.get("guid", "")
    if text_el is None:
        raise ExchangeError(
            f"{source}: {kind} '{name}' has no plain-text Representation; kodebok reads "
            "PDF and document sources through the text the other program extracted"
        )
    text = loader(text_el.get("plainTextPath"))
    if text is None and _children(text_el, "PlainTextContent"):
        text = _child_text(text_el, "PlainTextContent")
    if text is None:
        raise ExchangeError(
            f"{source}: text source '{name}' has no plain text "
            f"(looked for {text_el.get('plainTextPath') or 'PlainTextContent'})"
        )
    src = RefiSource(
        guid=s.get("guid", ""),
        name=name,
        text=text,
        user_guid=s.get("creatingUser"),
        created=s.get("creationDateTime"),
        variables=_variables(s, var_names) | _variables(text_el, var_names),
        note_guids=_refs(s) + (_refs(text_el) if text_el is not s else []),
        description=_child_text(s, "Description"),
        element=kind,
    )
    src.selections = [
        _selection(sel, src, source) for sel in _children(text_el, "PlainTextSelection")
    ]
    src.codings = [_coding(c, s.get("creatingUser")) for c in _children(text_el, "Coding")]
    if text_el is not s:
        src.codings += [_coding(c, s.get("creatingUser")) for c in _children(s, "Coding")]
        src.skipped_selections = len(_children(s, "PDFSelection"))
    return src


def _cases(root: etree._Element, var_names: dict[str, str]) -> list[RefiCase]:
    return [
        RefiCase(
            guid=c.get("guid", ""),
            name=c.get("name") or c.get("guid", ""),
            description=_child_text(c, "Description"),
            variables=_variables(c, var_names),
            source_guids=_refs(c, "SourceRef"),
            selection_guids=_refs(c, "SelectionRef"),
        )
        for cases in _children(root, "Cases")
        for c in _children(cases, "Case")
    ]


def _project(
    root: etree._Element, loader: Callable[[str | None], str | None], source: str
) -> RefiProject:
    project = RefiProject(
        name=root.get("name", ""),
        created=root.get("creationDateTime"),
        origin=root.get("origin", ""),
    )
    for users in _children(root, "Users"):
        for u in _children(users, "User"):
            project.users[u.get("guid", "")] = u.get("name") or u.get("id") or "ukjent"
    for book in _children(root, "CodeBook"):
        for codes in _children(book, "Codes"):
            project.codes.extend(_code(c) for c in _children(codes, "Code"))
    var_names: dict[str, str] = {}
    for variables in _children(root, "Variables"):
        for v in _children(variables, "Variable"):
            var_names[v.get("guid", "")] = v.get("name", "")
            project.variables[v.get("name", "")] = v.get("typeOfVariable", "Text")
    project.cases = _cases(root, var_names)
    for sources in _children(root, "Sources"):
        for s in sources:
            if not isinstance(s.tag, str):
                continue
            kind = etree.QName(s).localname
            if kind in _TEXT_ELEMENTS and (kind == "TextSource" or _children(s, "Representation")):
                project.sources.append(_source(s, loader, var_names, source))
            else:
                project.skipped_sources.append(f"{kind} '{s.get('name') or s.get('guid')}'")
    for notes in _children(root, "Notes"):
        for n in _children(notes, "Note"):
            project.notes.append(
                RefiNote(
                    guid=n.get("guid", ""),
                    name=n.get("name", ""),
                    text=_child_text(n, "PlainTextContent")
                    or (loader(n.get("plainTextPath")) or ""),
                    user_guid=n.get("creatingUser"),
                    created=n.get("creationDateTime"),
                )
            )
    for sets in _children(root, "Sets"):
        for st in _children(sets, "Set"):
            project.sets.append(
                RefiSet(
                    guid=st.get("guid", ""),
                    name=st.get("name") or st.get("guid", ""),
                    description=_child_text(st, "Description"),
                    source_guids=[m.get("targetGUID", "") for m in _children(st, "MemberSource")],
                    code_guids=[m.get("targetGUID", "") for m in _children(st, "MemberCode")],
                )
            )
    project.project_note_guids = _refs(root)
    return project


def utf16_positions(text: str) -> list[int] | None:
    """UTF-16 code unit → character index, for text with characters beyond the BMP (emoji);
    None when the two counts agree. NVivo counts selection positions in UTF-16 units."""
    if text.isascii() or all(ord(ch) <= 0xFFFF for ch in text):
        return None
    out: list[int] = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(i)  # a surrogate pair's second unit: inside the character
    out.append(len(text))
    return out


def normalised_positions(original: str) -> tuple[str, PositionMap]:
    """The text normalised as kodebok stores it, and a map from original to new positions.

    REFI positions index the source as written; kodebok drops a leading BOM, turns CRLF and CR
    into LF and applies NFC. The map answers ``pos[p]`` for 0 <= p <= len(original) and takes
    memory only where positions shift (linear time, also for decomposed text).
    """
    starts: list[int] = []
    values: list[int] = []
    shift = 0  # characters dropped so far
    if original.startswith("\ufeff"):
        starts.append(1)
        values.append(0)
        shift = 1
    for match in _CRLF.finditer(original):
        # '\r' and '\n' of a pair both map to the one '\n'; what follows moves back by one
        cr = match.start()
        starts += [cr + 1, cr + 2]
        values += [cr - shift, cr + 1 - shift]
        shift += 1
    text = original[1:] if original.startswith("\ufeff") else original
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    nfc, after = nfc_with_positions(text)
    return nfc, PositionMap(len(original), starts, values, then=after)
