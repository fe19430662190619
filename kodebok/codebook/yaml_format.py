"""The native YAML codebook: parsing with line numbers from composed nodes, and writing."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kodebok.codebook.model import (
    MAX_DEPTH,
    Codebook,
    CodeSpec,
    check_tree,
    clean_color,
    clean_keywords,
    clean_name,
    clean_shortcut,
    fail,
    json_safe,
    split_keyword_cell,
)
from kodebok.safe_yaml import YamlRefused, compose_yaml

_NULL = "tag:yaml.org,2002:null"
_CODE_KEYS = ("name", "description", "keywords", "color", "shortcut", "children")
_BOOK_KEYS = ("name", "description", "codes")
# Norwegian key names a researcher may write by hand; kodebok always writes the English ones
_CODE_ALIASES = {
    "navn": "name",
    "beskrivelse": "description",
    "definisjon": "description",
    "nøkkelord": "keywords",
    "stikkord": "keywords",
    "farge": "color",
    "colour": "color",
    "hurtigtast": "shortcut",
    "underkoder": "children",
}
_BOOK_ALIASES = {"navn": "name", "beskrivelse": "description", "koder": "codes"}
_CODE_ALIASES.update((key, key) for key in _CODE_KEYS)
_BOOK_ALIASES.update((key, key) for key in _BOOK_KEYS)


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


class _Parser:
    """Walks the composed YAML node tree of one file, remembering the line of every code."""

    def __init__(self, text: str, source: str) -> None:
        self.text_lines = text.splitlines()
        self.source = source
        self.lines: dict[int, int] = {}
        self.seen: set[int] = set()
        self.budget = [100_000]

    def error(self, node: Node, problem: str) -> Exception:
        return fail(self.source, _line(node), problem)

    def enter(self, node: Node) -> None:
        # an alias makes the same node appear twice; codebooks never need that, and it
        # is how recursive and exponentially large documents are built
        if id(node) in self.seen:
            raise self.error(node, "anchors and aliases (& and *) are not supported here")
        self.seen.add(id(node))

    def pairs(self, node: MappingNode, aliases: dict[str, str]) -> dict[str, tuple[Node, Node]]:
        out: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                raise self.error(key, "a key must be a plain word")
            raw = str(key.value)
            name = aliases.get(raw.casefold(), raw)
            if name in out:
                raise self.error(key, f"the key '{name}' appears twice")
            out[name] = (key, value)
        return out

    def text(self, key: Node, node: Node, what: str) -> str:
        if not isinstance(node, ScalarNode):
            raise self.error(key, f"{what} must be text, not a list or mapping")
        return "" if node.tag == _NULL else str(node.value)

    def book(self, root: Node) -> Codebook:
        if isinstance(root, SequenceNode):
            return Codebook(codes=self.codes(root, 1))
        if not isinstance(root, MappingNode):
            raise self.error(root, "not a codebook: expected 'codes:' with a list of codes")
        fields = self.pairs(root, _BOOK_ALIASES)
        if "codes" not in fields:
            raise self.error(root, "not a codebook: there is no 'codes:' list")
        key, codes_node = fields["codes"]
        book = Codebook(
            name=" ".join(self.text(*fields["name"], "the codebook name").split())
            if "name" in fields
            else "",
            description=self.text(*fields["description"], "the description").strip()
            if "description" in fields
            else "",
            metadata=self.metadata(fields, _BOOK_KEYS),
        )
        if isinstance(codes_node, ScalarNode) and codes_node.tag == _NULL:
            return book
        if not isinstance(codes_node, SequenceNode):
            raise self.error(key, "'codes' must be a list of codes")
        book.codes = self.codes(codes_node, 1)
        return book

    def codes(self, node: SequenceNode, depth: int) -> list[CodeSpec]:
        self.enter(node)
        if depth > MAX_DEPTH:
            raise self.error(node, f"codes nested more than {MAX_DEPTH} deep")
        return [self.code(item, depth) for item in node.value]

    def code(self, node: Node, depth: int) -> CodeSpec:
        if isinstance(node, ScalarNode):
            spec = CodeSpec(name=self.name(node, node))
            self.lines[id(spec)] = _line(node)
            return spec
        if not isinstance(node, MappingNode):
            raise self.error(node, "expected a code (a name, or a mapping with 'name:')")
        self.enter(node)
        fields = self.pairs(node, _CODE_ALIASES)
        if "name" not in fields:
            raise self.error(node, "a code has no name (add 'name:')")
        name_key, name_node = fields["name"]
        spec = CodeSpec(name=self.name(name_key, name_node))
        self.lines[id(spec)] = _line(name_key)
        if "description" in fields:
            spec.description = self.text(*fields["description"], "the description").strip()
        if "keywords" in fields:
            spec.keywords = self.keywords(*fields["keywords"])
        if "color" in fields:
            spec.color = self.checked(clean_color, *fields["color"], "the colour")
        if "shortcut" in fields:
            spec.shortcut = self.checked(clean_shortcut, *fields["shortcut"], "the shortcut")
        if "children" in fields:
            key, children = fields["children"]
            if isinstance(children, SequenceNode):
                spec.children = self.codes(children, depth + 1)
            elif not (isinstance(children, ScalarNode) and children.tag == _NULL):
                raise self.error(key, "'children' must be a list of codes")
        spec.metadata = self.metadata(fields, _CODE_KEYS)
        return spec

    def name(self, key: Node, node: Node) -> str:
        raw = self.text(key, node, "the name")
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            raw = ""
        try:
            return clean_name(raw)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def checked(self, clean: Any, key: Node, node: Node, what: str) -> str | None:
        raw = self.text(key, node, what)
        if isinstance(node, ScalarNode) and node.tag == _NULL:
            line = int(key.start_mark.line)
            rest = (
                self.text_lines[line][key.end_mark.column :] if line < len(self.text_lines) else ""
            )
            if "#" in rest and what == "the colour":
                # an unquoted '#4e79a7' starts a YAML comment, leaving the value empty
                raise self.error(key, 'put the colour in quotes, e.g. color: "#4e79a7"')
            return None
        try:
            return str(clean(raw))
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def keywords(self, key: Node, node: Node) -> tuple[str, ...]:
        if isinstance(node, ScalarNode):
            return () if node.tag == _NULL else split_keyword_cell(str(node.value))
        if not isinstance(node, SequenceNode):
            raise self.error(key, "keywords must be a list, e.g. [styringskort, årshjul]")
        words: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode):
                raise self.error(item, "a keyword must be a word or phrase, not a list")
            if item.tag != _NULL:
                words.append(str(item.value))
        return clean_keywords(words)

    def metadata(self, fields: dict[str, tuple[Node, Node]], known: tuple[str, ...]) -> Any:
        out: dict[str, Any] = {}
        for name, (key, node) in fields.items():
            if name not in known:
                try:
                    out[name] = json_safe(self.plain(node), self.budget)
                except ValueError as exc:
                    raise self.error(key, str(exc)) from None
        return out

    def plain(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            try:
                return yaml.SafeLoader("").construct_object(node)
            except (yaml.YAMLError, ValueError):
                return node.value  # an unknown tag or odd scalar: keep the text as written
        self.enter(node)
        if isinstance(node, SequenceNode):
            return [self.plain(item) for item in node.value]
        return {str(self.plain(k)): self.plain(v) for k, v in node.value}


def _tab_line(text: str, upto: int) -> int | None:
    for number, line in enumerate(text.splitlines()[: upto + 1], start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            return number
    return None


def parse_yaml_codebook(text: str, source: str) -> Codebook:
    """Parse a YAML codebook: ``codes:`` with nested ``children``, or just a list of names.

    A code may be a bare name. Norwegian keys (``navn``, ``beskrivelse``, ``nøkkelord``,
    ``farge``, ``hurtigtast``, ``underkoder``, ``koder``) are read as their English names.
    Other keys are kept in ``metadata`` (as plain JSON values: dates become ISO text).
    """
    text = text.removeprefix("\ufeff")
    try:
        root = compose_yaml(text)
    except YamlRefused as exc:
        raise fail(source, exc.line, exc.problem) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = int(mark.line) if mark is not None else 0
        tab = _tab_line(text, line)
        if tab is not None:
            raise fail(source, tab, "tab used for indentation; use spaces") from None
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise fail(source, line + 1, f"not valid YAML ({problem})") from None
    except RecursionError:
        raise fail(source, None, "the YAML is nested too deeply") from None
    if root is None:
        raise fail(source, 1, "the file is empty")
    parser = _Parser(text, source)
    book = parser.book(root)
    check_tree(book.codes, source, lambda spec: parser.lines.get(id(spec)))
    return book


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


class _Flow(list[str]):
    """A list written on one line: ``[a, b, c]``."""


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


class _Quoted(str):
    """A string written in double quotes (colours and shortcuts, as in the spec's examples)."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # folded style wraps long paragraphs and keeps blank lines between them readable
    style = '"' if isinstance(data, _Quoted) else (">" if "\n" in data else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=style)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Quoted, _represent_str)


def _code_dict(spec: CodeSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"name": spec.name}
    if spec.description:
        out["description"] = spec.description
    if spec.keywords:
        out["keywords"] = _Flow(spec.keywords)
    if spec.color:
        out["color"] = _Quoted(spec.color)
    if spec.shortcut:
        out["shortcut"] = _Quoted(spec.shortcut)
    out.update((k, v) for k, v in spec.metadata.items() if k not in _CODE_KEYS)
    if spec.children:
        out["children"] = [_code_dict(child) for child in spec.children]
    return out


def format_yaml_codebook(cb: Codebook) -> str:
    """Write a codebook as YAML in the native layout (keywords on one line, lists indented)."""
    doc: dict[str, Any] = {}
    if cb.name:
        doc["name"] = cb.name
    if cb.description:
        doc["description"] = cb.description
    doc.update((k, v) for k, v in cb.metadata.items() if k not in _BOOK_KEYS)
    doc["codes"] = [_code_dict(spec) for spec in cb.codes]
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88, indent=2)
