"""Writing a REFI-QDA project (.qdpx: a zip with project.qde and sources/<guid>.txt).

What REFI-QDA has no element for (speakers, segments, origins …) goes to a side file,
``kodebok/kodebok.json``, that other programs ignore; the writer only serialises it.
"""

from __future__ import annotations

import io
import json
import zipfile

from lxml import etree

from kodebok.exchange.refi_model import (
    EXTENSION_MEMBER,
    NAMESPACE,
    RefiCode,
    RefiNote,
    RefiProject,
    RefiSet,
    RefiSource,
)

_NS = f"{{{NAMESPACE}}}"


def _el(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    return etree.SubElement(parent, _NS + tag, {k: v for k, v in attrs.items() if v is not None})


def _text(parent: etree._Element, tag: str, text: str) -> None:
    _el(parent, tag).text = text


def _note_refs(parent: etree._Element, guids: list[str]) -> None:
    for g in guids:
        _el(parent, "NoteRef", targetGUID=g)


def _variable_values(
    parent: etree._Element, values: dict[str, str], project: RefiProject, guids: dict[str, str]
) -> None:
    for name, value in values.items():
        vv = _el(parent, "VariableValue")
        _el(vv, "VariableRef", targetGUID=guids[name])
        kind = project.variables.get(name, "Text")
        tag = {"Integer": "IntegerValue", "Float": "FloatValue"}.get(kind, "TextValue")
        _text(vv, tag, value)


def project_xml(project: RefiProject, variable_guids: dict[str, str]) -> bytes:
    """The project.qde document, its parts in the order the schema wants them."""
    root = etree.Element(_NS + "Project", nsmap={None: NAMESPACE})
    root.set("name", project.name)
    if project.origin:
        root.set("origin", project.origin)
    if project.created:
        root.set("creationDateTime", project.created)
    if project.users:
        users = _el(root, "Users")
        for guid, name in project.users.items():
            _el(users, "User", guid=guid, name=name)
    if project.codes:
        codes = _el(_el(root, "CodeBook"), "Codes")
        for code in project.codes:
            _code(codes, code)
    if project.variables:
        variables = _el(root, "Variables")
        for name, kind in project.variables.items():
            _el(variables, "Variable", guid=variable_guids[name], name=name, typeOfVariable=kind)
    if project.cases:
        _cases(_el(root, "Cases"), project, variable_guids)
    if project.sources:
        sources = _el(root, "Sources")
        for src in project.sources:
            _source(sources, src, project, variable_guids)
    if project.notes:
        _notes(_el(root, "Notes"), project.notes)
    if project.sets:
        _sets(_el(root, "Sets"), project.sets)
    _note_refs(root, project.project_note_guids)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def _code(parent: etree._Element, code: RefiCode) -> None:
    el = _el(parent, "Code", guid=code.guid, name=code.name, isCodable="true", color=code.color)
    if code.description:
        _text(el, "Description", code.description)
    _note_refs(el, code.note_guids)
    for child in code.children:
        _code(el, child)


def _cases(parent: etree._Element, project: RefiProject, variable_guids: dict[str, str]) -> None:
    for case in project.cases:
        el = _el(parent, "Case", guid=case.guid, name=case.name)
        if case.description:
            _text(el, "Description", case.description)
        _variable_values(el, case.variables, project, variable_guids)
        for guid in case.source_guids:
            _el(el, "SourceRef", targetGUID=guid)
        for guid in case.selection_guids:
            _el(el, "SelectionRef", targetGUID=guid)


def _source(
    parent: etree._Element, src: RefiSource, project: RefiProject, variable_guids: dict[str, str]
) -> None:
    el = _el(
        parent,
        "TextSource",
        guid=src.guid,
        name=src.name,
        plainTextPath=f"internal://{src.guid}.txt",
        creatingUser=src.user_guid,
        creationDateTime=src.created,
    )
    if src.description:
        _text(el, "Description", src.description)
    for sel in src.selections:
        s_el = _el(
            el,
            "PlainTextSelection",
            guid=sel.guid,
            name=src.text[sel.start : sel.end][:60],
            startPosition=str(sel.start),
            endPosition=str(sel.end),
            creatingUser=sel.user_guid,
            creationDateTime=sel.created,
        )
        for coding in sel.codings:
            c_el = _el(
                s_el,
                "Coding",
                guid=coding.guid,
                creatingUser=coding.user_guid,
                creationDateTime=coding.created,
            )
            _el(c_el, "CodeRef", targetGUID=coding.code_guid)
            _note_refs(c_el, coding.note_guids)
        _note_refs(s_el, sel.note_guids)
    _note_refs(el, src.note_guids)
    _variable_values(el, src.variables, project, variable_guids)


def _notes(parent: etree._Element, notes: list[RefiNote]) -> None:
    for note in notes:
        el = _el(
            parent,
            "Note",
            guid=note.guid,
            name=note.name,
            creatingUser=note.user_guid,
            creationDateTime=note.created,
        )
        _text(el, "PlainTextContent", note.text)


def _sets(parent: etree._Element, sets: list[RefiSet]) -> None:
    for st in sets:
        el = _el(parent, "Set", guid=st.guid, name=st.name)
        if st.description:
            _text(el, "Description", st.description)
        for guid in st.code_guids:
            _el(el, "MemberCode", targetGUID=guid)
        for guid in st.source_guids:
            _el(el, "MemberSource", targetGUID=guid)


def write_qdpx(project: RefiProject, variable_guids: dict[str, str]) -> bytes:
    """The .qdpx archive as bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", project_xml(project, variable_guids))
        for src in project.sources:
            zf.writestr(f"sources/{src.guid}.txt", src.text.encode("utf-8"))
        if project.extension:
            side = json.dumps(project.extension, ensure_ascii=False, indent=1, sort_keys=True)
            zf.writestr(EXTENSION_MEMBER, side.encode("utf-8"))
    return buf.getvalue()
