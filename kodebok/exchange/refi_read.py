"""Reading REFI-QDA projects (.qdpx) safely: no path traversal, no entities, bounded size."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath

from lxml import etree

from kodebok.errors import ExchangeError
from kodebok.exchange.refi_model import (
    NAMESPACE,
    RefiCase,
    RefiCode,
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
)
from kodebok.textnorm import PositionMap, nfc_with_positions

MAX_TOTAL_BYTES = 512 * 1024 * 1024  # decompressed; a real project with audio is rarely larger
MAX_RATIO = 200  # compressed → decompressed; text compresses ~5–10×, a zip bomb ~1000×
_NS = f"{{{NAMESPACE}}}"
_CRLF = re.compile("\r\n")


def _safe_members(zf: zipfile.ZipFile, source: str) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in zf.infolist():
        name = info.filename.replace("\\", "/")
        path = PurePosixPath(name)
        if name.startswith("/") or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            raise ExchangeError(
                f"{source}: refused: the archive entry '{info.filename}' points outside the archive"
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ExchangeError(
                f"{source}: refused: the archive unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB"
            )
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and info.file_size > 10 * 2**20
        ):
            raise ExchangeError(
                f"{source}: refused: '{info.filename}' is compressed suspiciously "
                "well (a zip bomb?)"
            )
        members[name] = info
    return members


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> bytes:
    # read in chunks and stop at the declared size: a forged header cannot make us inflate more
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            out += chunk
            if len(out) > info.file_size or len(out) > MAX_TOTAL_BYTES:
                raise ExchangeError(f"{source}: refused: '{info.filename}' is larger than declared")
    return bytes(out)


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse XML with entities, DTDs and network access off."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExchangeError(f"{source}: not well-formed XML ({exc})") from exc
    if root is None:
        raise ExchangeError(f"{source}: empty XML document")
    for el in root.iter():
        if isinstance(el, etree._Entity):
            raise ExchangeError(f"{source}: refused: the XML uses entities")
    return root


def read_qdpx(data: bytes, source: str) -> RefiProject:
    """Read a .qdpx archive into a RefiProject."""
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ExchangeError(f"{source}: not a .qdpx file (not a zip archive)") from exc
    with zf:
        members = _safe_members(zf, source)
        qde = next((n for n in members if n.lower().endswith(".qde")), None)
        if qde is None:
            raise ExchangeError(f"{source}: no project.qde inside")
        root = parse_xml(_read_member(zf, members[qde], source), f"{source}:{qde}")
        if root.tag != _NS + "Project":
            raise ExchangeError(
                f"{source}: the .qde is not a REFI-QDA project (root element {root.tag})"
            )

        def load_text(path: str | None) -> str | None:
            if not path:
                return None
            name = path.split("internal://", 1)[-1]
            for candidate in (f"sources/{name}", name):
                if candidate in members:
                    return decode_source(_read_member(zf, members[candidate], source))
            return None

        return _project(root, load_text, source)


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

    def code(el: etree._Element) -> RefiCode:
        return RefiCode(
            guid=el.get("guid", ""),
            name=(el.get("name") or "uten navn").replace("/", "-"),
            description=_child_text(el, "Description"),
            color=el.get("color"),
            children=[code(c) for c in _children(el, "Code")],
            note_guids=_refs(el),
        )

    for book in _children(root, "CodeBook"):
        for codes in _children(book, "Codes"):
            project.codes.extend(code(c) for c in _children(codes, "Code"))
    var_names: dict[str, str] = {}
    for variables in _children(root, "Variables"):
        for v in _children(variables, "Variable"):
            var_names[v.get("guid", "")] = v.get("name", "")
            project.variables[v.get("name", "")] = v.get("typeOfVariable", "Text")
    for cases in _children(root, "Cases"):
        for c in _children(cases, "Case"):
            project.cases.append(
                RefiCase(
                    guid=c.get("guid", ""),
                    name=c.get("name") or c.get("guid", ""),
                    description=_child_text(c, "Description"),
                    variables=_variables(c, var_names),
                    source_guids=_refs(c, "SourceRef"),
                )
            )
    for sources in _children(root, "Sources"):
        for s in _children(sources, "TextSource"):
            text = loader(s.get("plainTextPath"))
            if text is None and _children(s, "PlainTextContent"):
                text = _child_text(s, "PlainTextContent")
            if text is None:
                raise ExchangeError(
                    f"{source}: text source '{s.get('name')}' has no plain text "
                    f"(looked for {s.get('plainTextPath') or 'PlainTextContent'})"
                )
            src = RefiSource(
                guid=s.get("guid", ""),
                name=s.get("name") or s.get("guid", ""),
                text=text,
                user_guid=s.get("creatingUser"),
                created=s.get("creationDateTime"),
                variables=_variables(s, var_names),
                note_guids=_refs(s),
                description=_child_text(s, "Description"),
            )
            for sel in _children(s, "PlainTextSelection"):
                try:
                    start, end = int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
                except ValueError as exc:
                    raise ExchangeError(
                        f"{source}: selection {sel.get('guid')} in "
                        f"'{src.name}' has no valid positions"
                    ) from exc
                codings = [
                    RefiCoding(
                        guid=c.get("guid", ""),
                        code_guid=(_refs(c, "CodeRef") or [""])[0],
                        user_guid=c.get("creatingUser") or sel.get("creatingUser"),
                        created=c.get("creationDateTime"),
                        note_guids=_refs(c),
                    )
                    for c in _children(sel, "Coding")
                ]
                src.selections.append(
                    RefiSelection(
                        guid=sel.get("guid", ""),
                        start=start,
                        end=end,
                        user_guid=sel.get("creatingUser"),
                        created=sel.get("creationDateTime"),
                        codings=codings,
                        note_guids=_refs(sel),
                    )
                )
            project.sources.append(src)
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
    project.project_note_guids = _refs(root)
    return project


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
