"""Codebooks as Markdown: a nested bullet list ``- Name: description``.

The layout read and written::

    # Mål- og resultatstyring            <- optional title: the codebook name
                                         <- text before the list: its description
    - Helhetsperspektiv: Hvordan informanten ser kommunen som helhet.
      More description on indented lines.
      Nøkkelord: helhet; demografi
      Farge: #4e79a7
      Hurtigtast: 1
      - Demografi: Befolkningsutvikling ...

Bullets may be ``-``, ``*`` or ``+``, nested by 2 or 4 spaces (any consistent indent). An
indented line under a bullet continues its description, unless it starts with ``Nøkkelord:``
(or ``Keywords:``), ``Farge:`` (``Color:``) or ``Hurtigtast:`` (``Shortcut:``). A name may be
written in bold (``**Name**: ...``). In a name, ``\\`` escapes the next character (``\\:`` for a
colon followed by a space); a description line that would look like a bullet or a field starts
with ``\\``. Metadata is not kept in Markdown; blank lines in a description survive as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kodebok.codebook.model import (
    MAX_DEPTH,
    Codebook,
    CodeSpec,
    check_tree,
    clean_color,
    clean_name,
    clean_shortcut,
    fail,
    split_keyword_cell,
)

_BULLET = re.compile(r"([-*+])(?:\s+(.*))?")
_FIELD = re.compile(r"([^\W\d_]+)\s*:\s*(.*)")
_FIELDS = {
    "nøkkelord": "keywords",
    "keywords": "keywords",
    "stikkord": "keywords",
    "farge": "color",
    "color": "color",
    "colour": "color",
    "hurtigtast": "shortcut",
    "shortcut": "shortcut",
}


@dataclass
class _Open:
    """A bullet whose lines are still being read."""

    indent: int
    spec: CodeSpec
    lines: list[str] = field(default_factory=list)
    child_indent: int | None = None
    blank: bool = False


def _split_bullet(text: str) -> tuple[str, str]:
    """Split ``Name: description``; ``\\`` escapes the next character of the name."""
    chars: list[str] = []
    description = ""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            chars.append(text[index + 1])
            index += 2
            continue
        if char == ":" and (index + 1 == len(text) or text[index + 1].isspace()):
            description = text[index + 1 :]
            break
        chars.append(char)
        index += 1
    name = "".join(chars).strip()
    if not text.startswith("\\"):  # an escaped start keeps bold marks as written
        for mark in ("**", "__"):
            if len(name) > 4 and name.startswith(mark) and name.endswith(mark):
                name = name[2:-2]
    return name, description.strip()


class _Parser:
    """Reads the lines of one Markdown file into a Codebook."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.book = Codebook()
        self.stack: list[_Open] = []
        self.base: int | None = None
        self.lines: dict[int, int] = {}
        self.intro: list[str] = []

    def feed(self, number: int, line: str) -> None:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            raise fail(self.source, number, "tab used for indentation; use spaces")
        if not stripped:
            if self.stack:
                self.stack[-1].blank = True
            elif self.intro:
                self.intro.append("")
            return
        bullet = _BULLET.fullmatch(stripped)
        if bullet is not None:
            self.bullet(number, indent, bullet.group(2) or "")
        elif self.stack and indent > self.stack[-1].indent:
            self.more(number, stripped)
        elif self.base is not None:
            raise fail(self.source, number, "expected '- Name: description' or an indented line")
        elif stripped.startswith("#"):
            heading = stripped.lstrip("#")
            if stripped.startswith("# ") and not self.book.name and not self.intro:
                self.book.name = " ".join(heading.split())
            else:
                raise fail(self.source, number, "only one '# Title' heading, before the list")
        else:
            self.intro.append(stripped[1:] if stripped.startswith("\\") else stripped)

    def bullet(self, number: int, indent: int, text: str) -> None:
        while self.stack and self.stack[-1].indent > indent:
            self.close()
        if self.stack and self.stack[-1].indent == indent:
            self.close()
        if self.base is None:
            self.base = indent
        parent = self.stack[-1] if self.stack else None
        expected = self.base if parent is None else parent.child_indent
        if expected is not None and indent != expected:
            raise fail(
                self.source,
                number,
                f"the bullet is indented {indent} spaces, but its list uses {expected}",
            )
        if len(self.stack) >= MAX_DEPTH:
            raise fail(self.source, number, f"codes nested more than {MAX_DEPTH} deep")
        name, description = _split_bullet(text)
        try:
            spec = CodeSpec(name=clean_name(name), description=description)
        except ValueError as exc:
            raise fail(self.source, number, str(exc)) from None
        self.lines[id(spec)] = number
        if parent is None:
            self.book.codes.append(spec)
        else:
            parent.child_indent = indent
            parent.spec.children.append(spec)
        self.stack.append(_Open(indent, spec, [description] if description else []))

    def more(self, number: int, text: str) -> None:
        current = self.stack[-1]
        if current.child_indent is not None:
            raise fail(self.source, number, "a description line must come before the sub-codes")
        spec = current.spec
        match = _FIELD.fullmatch(text)
        key = _FIELDS.get(match.group(1).casefold()) if match else None
        if match is not None and key is not None:
            value = match.group(2).strip()
            try:
                if key == "keywords":
                    spec.keywords = split_keyword_cell(value)
                elif key == "color":
                    spec.color = clean_color(value) if value else None
                else:
                    spec.shortcut = clean_shortcut(value) if value else None
            except ValueError as exc:
                raise fail(self.source, number, str(exc)) from None
            return
        if current.blank and current.lines:
            current.lines.append("")
        current.blank = False
        current.lines.append(text[1:] if text.startswith("\\") else text)

    def close(self) -> None:
        done = self.stack.pop()
        done.spec.description = "\n".join(done.lines).strip()

    def finish(self) -> Codebook:
        while self.stack:
            self.close()
        self.book.description = "\n".join(self.intro).strip()
        if self.base is None and not self.book.name:
            raise fail(self.source, 1, "not a codebook: no '- Name: description' bullets")
        check_tree(self.book.codes, self.source, lambda spec: self.lines.get(id(spec)))
        return self.book


def parse_markdown_codebook(text: str, source: str) -> Codebook:
    """Parse a Markdown codebook (see the module docstring for the layout)."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise fail(source, 1, "the file is empty")
    parser = _Parser(source)
    for number, line in enumerate(text.split("\n"), start=1):
        parser.feed(number, line.rstrip("\r"))
    return parser.finish()


def _escape_line(line: str) -> str:
    first = line.strip()
    if _BULLET.fullmatch(first) or first.startswith(("\\", "#")):
        return "\\" + first
    match = _FIELD.fullmatch(first)
    if match is not None and match.group(1).casefold() in _FIELDS:
        return "\\" + first
    return first


def _write(spec: CodeSpec, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    lines = spec.description.split("\n") if spec.description else []
    name = spec.name.replace("\\", "\\\\").replace(":", "\\:")
    if name.startswith(("**", "__")):
        name = "\\" + name
    first = lines.pop(0).strip() if lines else ""
    out.append(f"{pad}- {name}: {first}" if first else f"{pad}- {name}")
    for line in lines:
        out.append(f"{pad}  {_escape_line(line)}" if line.strip() else "")
    if spec.keywords:
        out.append(f"{pad}  Nøkkelord: {'; '.join(spec.keywords)}")
    if spec.color:
        out.append(f"{pad}  Farge: {spec.color}")
    if spec.shortcut:
        out.append(f"{pad}  Hurtigtast: {spec.shortcut}")
    for child in spec.children:
        _write(child, depth + 1, out)


def format_markdown_codebook(cb: Codebook) -> str:
    """Write a codebook as Markdown (see the module docstring for the layout)."""
    out: list[str] = []
    if cb.name:
        out += [f"# {cb.name}", ""]
    if cb.description:
        out += [_escape_line(line) if line.strip() else "" for line in cb.description.split("\n")]
        out.append("")
    for spec in cb.codes:
        _write(spec, 0, out)
    return "\n".join(out) + "\n"
