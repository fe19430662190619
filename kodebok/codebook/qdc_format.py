"""REFI-QDA codebooks (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``), read safely and written.

REFI-QDA codes have a name, a colour and a description, but no keywords or shortcut: keywords
are written as a last description line ``Nøkkelord: a; b`` and read back from it, so they
survive a round trip and stay visible in other programs. Shortcuts, metadata and the codebook's
name and description are not written. Reading also accepts a REFI-QDA project (``project.qde``)
and takes its ``CodeBook``. A code keeps the GUID it came with; others get uuid5 of the code
path, so the same codebook always gets the same GUIDs, the same as in a .qdpx export.
"""

from __future__ import annotations

import re
import uuid

from lxml import etree

from kodebok import safe_xml
from kodebok.codebook.model import (
    MAX_DEPTH,
    Codebook,
    CodeSpec,
    check_tree,
    clean_color,
    clean_name,
    fail,
    split_keyword_cell,
)

NAMESPACE = "urn:QDA-XML:codebook:1.0"
_PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
_GUID_ROOT = uuid.UUID("5b0c3f4e-4d1a-5c2b-9a57-6b6f6465626f")
_KEYWORD_LINE = re.compile(r"(?:nøkkelord|keywords)\s*:\s*(.*)", re.IGNORECASE)
MAX_BYTES = 20_000_000
# characters XML 1.0 cannot hold at all (tab, newline and carriage return are fine)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_GUID = re.compile(
    r"\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?"
)


def is_guid(value: str | None) -> bool:
    """Whether ``value`` is a GUID as REFI-QDA's schema allows it (others are not kept)."""
    return bool(value) and _GUID.fullmatch(value or "") is not None


def code_guid(path: str) -> str:
    """The stable guid kodebok gives the code at ``path`` in REFI-QDA files."""
    return str(uuid.uuid5(_GUID_ROOT, path))


def _parse_xml(data: bytes, source: str) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise fail(source, None, "the file is too large for a codebook")
    try:
        return safe_xml.parse(data, max_bytes=MAX_BYTES)
    except safe_xml.XmlRefused as exc:
        raise fail(source, exc.line, exc.problem) from None


def _line(element: etree._Element) -> int:
    line = element.sourceline
    return line if isinstance(line, int) else 1


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_qdc_codebook(data: bytes, source: str) -> Codebook:
    """Parse a REFI-QDA codebook (or the codebook of a REFI-QDA project) from its bytes."""
    root = _parse_xml(data, source)
    namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
    if namespace not in (NAMESPACE, _PROJECT_NAMESPACE):
        raise fail(source, _line(root), f"not a REFI-QDA codebook (expected namespace {NAMESPACE})")
    codebook = root if _local(root) == "CodeBook" else _child(root, "CodeBook")
    codes = _child(codebook, "Codes") if codebook is not None else None
    if codebook is None or (codes is None and _local(root) != "CodeBook"):
        raise fail(source, _line(root), "not a REFI-QDA codebook (no <CodeBook><Codes>)")
    lines: dict[int, int] = {}
    book = Codebook()
    if codes is not None:
        book.codes = _codes(codes, source, lines, 1, set())
    check_tree(book.codes, source, lambda spec: lines.get(id(spec)))
    return book


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _codes(
    parent: etree._Element, source: str, lines: dict[int, int], depth: int, implicit: set[int]
) -> list[CodeSpec]:
    """The codes under ``parent``. A ``/`` in a name separates a path, as everywhere in
    kodebok: Taguette writes a hierarchy as flat codes named ``Ledelse/Fremmer``, which
    become ``Fremmer`` under ``Ledelse`` (made when no code of that name came first)."""
    out: list[CodeSpec] = []
    for element in parent:
        if _local(element) != "Code":
            continue
        parts = [p for p in (element.get("name") or "").split("/") if p.strip()] or [""]
        if depth + len(parts) - 1 > MAX_DEPTH:
            raise fail(source, _line(element), f"codes nested more than {MAX_DEPTH} deep")
        try:
            names = [clean_name(p) for p in parts]
            color = element.get("color")
            color = clean_color(color) if color else None
        except ValueError as exc:
            raise fail(source, _line(element), str(exc)) from None
        siblings = out
        for name in names[:-1]:
            siblings = _sibling(siblings, name, implicit).children
        spec = CodeSpec(name=names[-1], color=color)
        guid = element.get("guid")
        found = next((c for c in siblings if c.name.casefold() == spec.name.casefold()), None)
        if found is not None and id(found) in implicit:
            spec = found  # made as the parent of an earlier path: this is its own row
            spec.color = color
            implicit.discard(id(found))
        spec.guid = guid if is_guid(guid) else None
        description = _child(element, "Description")
        if description is not None:
            spec.description, spec.keywords = _split_description("".join(description.itertext()))
        spec.children.extend(_codes(element, source, lines, depth + len(names), implicit))
        lines[id(spec)] = _line(element)
        if not any(c is spec for c in siblings):
            siblings.append(spec)
    return out


def _sibling(siblings: list[CodeSpec], name: str, implicit: set[int]) -> CodeSpec:
    """The code ``name`` among ``siblings``, made (and noted in ``implicit``) if missing."""
    for spec in siblings:
        if spec.name.casefold() == name.casefold():
            return spec
    spec = CodeSpec(name=name)
    siblings.append(spec)
    implicit.add(id(spec))
    return spec


def _split_description(text: str) -> tuple[str, tuple[str, ...]]:
    lines = text.strip().split("\n")
    match = _KEYWORD_LINE.fullmatch(lines[-1].strip())
    if match is None:
        return text.strip(), ()
    return "\n".join(lines[:-1]).strip(), split_keyword_cell(match.group(1))


def _element(spec: CodeSpec, path: str) -> etree._Element:
    code = etree.Element(
        f"{{{NAMESPACE}}}Code",
        guid=spec.guid or code_guid(path),
        name=spec.name,
        isCodable="true",
    )
    if spec.color:
        code.set("color", spec.color)
    text = spec.description
    last = text.strip().rsplit("\n", 1)[-1].strip()
    if spec.keywords or _KEYWORD_LINE.fullmatch(last):
        # a description ending in a line that looks like keywords gets a (maybe empty)
        # keyword line after it, so that reading it back does not take its last line
        text = f"{text}\n\nNøkkelord: {'; '.join(spec.keywords)}".strip()
    if text:
        etree.SubElement(code, f"{{{NAMESPACE}}}Description").text = _NOT_XML.sub("", text)
    for child in spec.children:
        code.append(_element(child, f"{path}/{child.name}"))
    return code


def format_qdc_codebook(cb: Codebook) -> str:
    """Write a codebook as a REFI-QDA ``.qdc`` XML document (UTF-8, with declaration)."""
    root = etree.Element(f"{{{NAMESPACE}}}CodeBook", nsmap={None: NAMESPACE}, origin="kodebok")
    codes = etree.SubElement(root, f"{{{NAMESPACE}}}Codes")
    for spec in cb.codes:
        codes.append(_element(spec, spec.name))
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return xml.decode("utf-8")
