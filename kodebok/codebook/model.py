"""The codebook model (CodeSpec, Codebook) and the checks every codebook format shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kodebok.errors import CodebookError

#: codes nested deeper than this are almost certainly a mistake (or a hostile file)
MAX_DEPTH = 32
#: more codes than this in one codebook is not a codebook
MAX_CODES = 50_000

_HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


@dataclass
class CodeSpec:
    """One code in a codebook file, before it is in a project; unknown keys live in ``metadata``."""

    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    color: str | None = None
    shortcut: str | None = None
    children: list[CodeSpec] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    guid: str | None = None  # REFI-QDA identity, kept from a .qdc or the project's codes


@dataclass
class Codebook:
    """A named tree of codes; ``metadata`` keeps unknown top-level keys of a YAML codebook."""

    name: str = ""
    description: str = ""
    codes: list[CodeSpec] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    def walk(self) -> Iterator[tuple[str, CodeSpec]]:
        """Yield ``(path, spec)`` for every code, depth-first in file order (parents first)."""
        stack: list[tuple[str, CodeSpec]] = [(c.name, c) for c in reversed(self.codes)]
        while stack:
            path, spec = stack.pop()
            yield path, spec
            stack.extend((f"{path}/{c.name}", c) for c in reversed(spec.children))


def fail(source: str, line: int | None, problem: str) -> CodebookError:
    """Build the error every parser raises: ``"<file>, line <n>: <problem>"``."""
    where = f"{source}, line {line}" if line is not None else source
    return CodebookError(f"{where}: {problem}")


def clean_name(raw: str) -> str:
    """Return a code name with whitespace collapsed; ValueError says why it is not a valid name."""
    name = " ".join(raw.split())
    if not name:
        raise ValueError("a code has no name")
    if not name.isprintable():
        raise ValueError(f"the name '{name!r}' contains a control character")
    if "/" in name:
        raise ValueError(f"the name '{name}' contains '/', which separates paths; use another sign")
    return name


def clean_color(raw: str) -> str:
    """Normalise ``#RGB``/``#RRGGBB`` (with or without ``#``) to lowercase ``#rrggbb``."""
    match = _HEX_COLOR.fullmatch(raw.strip())
    if match is None:
        raise ValueError(f'invalid colour \'{raw}\'; write it as "#rrggbb", e.g. "#4e79a7"')
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return "#" + digits


def clean_shortcut(raw: str) -> str:
    """Return a shortcut key: exactly one visible character."""
    key = raw.strip()
    if len(key) != 1 or not key.isprintable():
        raise ValueError(f"invalid shortcut '{raw}'; a shortcut is one key, e.g. \"1\"")
    return key


def clean_keywords(raw: Iterable[str]) -> tuple[str, ...]:
    """Split on ``;``, collapse whitespace, drop empty and repeated keywords, keep order."""
    out: list[str] = []
    for item in raw:
        for part in item.split(";"):
            word = " ".join(part.split())
            if word and word not in out:
                out.append(word)
    return tuple(out)


def split_keyword_cell(cell: str) -> tuple[str, ...]:
    """Keywords written in one cell or line: ``;``-separated, or ``,``-separated when no ``;``."""
    return clean_keywords(cell.split(";") if ";" in cell else cell.split(","))


def check_tree(
    codes: list[CodeSpec], source: str, line_of: Callable[[CodeSpec], int | None]
) -> None:
    """Raise CodebookError for duplicate sibling names (case-insensitive) or shortcuts."""
    shortcuts: dict[str, str] = {}
    count = 0

    def visit(siblings: list[CodeSpec], parent: str, depth: int) -> None:
        nonlocal count
        if depth > MAX_DEPTH and siblings:
            raise fail(source, line_of(siblings[0]), f"codes nested more than {MAX_DEPTH} deep")
        seen: set[str] = set()
        for spec in siblings:
            count += 1
            if count > MAX_CODES:
                raise fail(source, line_of(spec), f"more than {MAX_CODES} codes")
            key = spec.name.casefold()
            if key in seen:
                where = f"under '{parent}'" if parent else "at the top level"
                raise fail(source, line_of(spec), f"two codes named '{spec.name}' {where}")
            seen.add(key)
            path = f"{parent}/{spec.name}" if parent else spec.name
            if spec.shortcut is not None:
                other = shortcuts.get(spec.shortcut)
                if other is not None:
                    raise fail(
                        source,
                        line_of(spec),
                        f"shortcut '{spec.shortcut}' is used by both '{other}' and '{path}'",
                    )
                shortcuts[spec.shortcut] = path
            visit(spec.children, path, depth + 1)

    visit(codes, "", 1)


def check_for_writing(cb: Codebook) -> None:
    """Raise CodebookError if a codebook built in code could not be read back."""
    for path, spec in cb.walk():
        try:
            clean_name(spec.name)
            if spec.color is not None:
                clean_color(spec.color)
            if spec.shortcut is not None:
                clean_shortcut(spec.shortcut)
        except ValueError as exc:
            raise CodebookError(
                f"cannot write the codebook: code '{path}': {exc}",
                code="codebook.write_codebook_code",
                path=path,
                exc=str(exc),
            ) from None
    check_tree(cb.codes, "cannot write the codebook", lambda _spec: None)


def json_safe(value: Any, budget: list[int]) -> Any:
    """Turn parsed metadata into plain JSON types (dates become ISO strings); bounded in size."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("metadata is too large")
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v, budget) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v, budget) for v in value]
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
