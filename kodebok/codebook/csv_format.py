"""Codebooks as CSV: one row per code, the hierarchy in a ``path`` column (or ``name`` + ``parent``).

Reading accepts ``,`` or ``;`` as separator (whichever the header uses) and column names in
English or Norwegian (``path``/``sti``/``tag`` as Taguette writes it, ``description``/``beskrivelse``, ``keywords``/``nøkkelord``,
``color``/``farge``, ``shortcut``/``hurtigtast``). A path ``A/B`` without a row for ``A`` creates
``A``. Instead of ``path`` a file may have ``name`` and ``parent`` columns, where ``parent`` is
the parent's name (or its path when the name is not unique). Keywords are ``;``-separated
(``,``-separated when the cell has no ``;``). Other columns become metadata (text values).
The codebook's own name and description have no place in CSV and are not written.
"""

from __future__ import annotations

import csv
import io
import json
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

_COLUMNS = {
    "path": ("path", "sti", "kode", "code", "tag"),  # tag: Taguette's codebook export
    "name": ("name", "navn"),
    "parent": ("parent", "forelder", "overordnet"),
    "description": ("description", "beskrivelse", "definisjon"),
    "keywords": ("keywords", "nøkkelord", "stikkord"),
    "color": ("color", "colour", "farge"),
    "shortcut": ("shortcut", "hurtigtast"),
}
_ALIAS = {alias: field for field, aliases in _COLUMNS.items() for alias in aliases}


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    metadata: dict[str, str] = field(default_factory=dict)


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _read_rows(text: str, source: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text), strict=True)
    rows: list[_Row] = []
    header: list[str] | None = None
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = _header(record, source, line)
                continue
            if len(record) > len(header):
                raise fail(
                    source, line, f"the row has {len(record)} cells but the header {len(header)}"
                )
            row = _Row(line, {})
            record += [""] * (len(header) - len(record))
            for column, cell in zip(header, record, strict=True):
                value = cell.strip()
                if not column:
                    continue  # a column without a header (Excel leaves these): ignored
                if column.startswith("meta:"):
                    if value:
                        row.metadata[column[5:]] = value
                else:
                    row.cells[column] = value
            rows.append(row)
    except csv.Error as exc:
        raise fail(source, reader.line_num or 1, f"not valid CSV ({exc})") from None
    if header is None:
        raise fail(source, 1, "the file is empty")
    return rows


def _header(record: list[str], source: str, line: int) -> list[str]:
    columns: list[str] = []
    for cell in record:
        name = cell.strip().removeprefix("\ufeff")
        column = _ALIAS.get(name.casefold(), f"meta:{name}") if name else ""
        if column and column in columns:
            raise fail(source, line, f"the column '{name}' appears twice in the header")
        columns.append(column)
    if "path" not in columns and "name" not in columns:
        raise fail(
            source,
            line,
            "the first row must be a header with a 'path' column "
            "(path, description, keywords, color)",
        )
    return columns


def _parts(path: str, source: str, line: int) -> tuple[str, ...]:
    if not path:
        raise fail(source, line, "a code has no name (the path is empty)")
    try:
        return tuple(clean_name(part) for part in path.split("/"))
    except ValueError:
        raise fail(source, line, f"the path '{path}' has an empty name between '/'") from None


def _parent_paths(rows: list[_Row], source: str) -> list[tuple[str, ...]]:
    """Resolve ``name`` + ``parent`` rows to paths, reporting unknown parents and cycles."""
    names: list[str] = []
    for row in rows:
        try:
            names.append(clean_name(row.cells.get("name", "")))
        except ValueError as exc:
            raise fail(source, row.line, str(exc)) from None
    by_name: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        by_name.setdefault(name.casefold(), []).append(index)
    paths: dict[int, tuple[str, ...]] = {}
    chain: list[int] = []

    def resolve(index: int) -> tuple[str, ...]:
        if index in paths:
            return paths[index]
        row = rows[index]
        if index in chain:
            cycle = " → ".join(names[i] for i in [*chain[chain.index(index) :], index])
            raise fail(source, row.line, f"the parents form a cycle: {cycle}")
        if len(chain) > MAX_DEPTH:
            raise fail(source, row.line, f"codes nested more than {MAX_DEPTH} deep")
        parent = row.cells.get("parent", "")
        if not parent:
            paths[index] = (names[index],)
            return paths[index]
        chain.append(index)
        wanted = _parts(parent, source, row.line)
        candidates = by_name.get(wanted[-1].casefold(), [])
        if len(wanted) > 1:
            folded = tuple(p.casefold() for p in wanted)
            candidates = [c for c in candidates if _fold(resolve(c)) == folded]
        if not candidates:
            raise fail(source, row.line, f"the parent '{parent}' of '{names[index]}' is unknown")
        if len(candidates) > 1:
            raise fail(
                source,
                row.line,
                f"the parent '{parent}' of '{names[index]}' is ambiguous; write its path",
            )
        paths[index] = (*resolve(candidates[0]), names[index])
        chain.pop()
        return paths[index]

    return [resolve(index) for index in range(len(rows))]


def _fold(path: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.casefold() for p in path)


def parse_csv_codebook(text: str, source: str) -> Codebook:
    """Parse a CSV codebook (see the module docstring for the columns)."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise fail(source, 1, "the file is empty")
    rows = _read_rows(text, source)
    if not rows or "path" in rows[0].cells:
        paths = [_parts(row.cells.get("path", ""), source, row.line) for row in rows]
    else:
        paths = _parent_paths(rows, source)
    book = Codebook()
    nodes: dict[tuple[str, ...], CodeSpec] = {}
    explicit: set[tuple[str, ...]] = set()
    lines: dict[int, int] = {}
    for row, path in zip(rows, paths, strict=True):
        if len(path) > MAX_DEPTH:
            raise fail(source, row.line, f"codes nested more than {MAX_DEPTH} deep")
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in nodes:
                nodes[key] = CodeSpec(name=key[-1])
                lines[id(nodes[key])] = row.line
                siblings = nodes[key[:-1]].children if depth > 1 else book.codes
                siblings.append(nodes[key])
        if path in explicit:
            where = f"under '{'/'.join(path[:-1])}'" if len(path) > 1 else "at the top level"
            raise fail(source, row.line, f"two codes named '{path[-1]}' {where}")
        explicit.add(path)
        spec = nodes[path]
        lines[id(spec)] = row.line
        _fill(spec, row, source)
    check_tree(book.codes, source, lambda spec: lines.get(id(spec)))
    return book


def _fill(spec: CodeSpec, row: _Row, source: str) -> None:
    cells = row.cells
    spec.description = cells.get("description", "")
    spec.keywords = split_keyword_cell(cells.get("keywords", ""))
    try:
        spec.color = clean_color(cells["color"]) if cells.get("color") else None
        spec.shortcut = clean_shortcut(cells["shortcut"]) if cells.get("shortcut") else None
    except ValueError as exc:
        raise fail(source, row.line, str(exc)) from None
    spec.metadata = dict(row.metadata)


def format_csv_codebook(cb: Codebook) -> str:
    """Write a codebook as CSV: ``path, description, keywords, color`` (+ shortcut, metadata)."""
    codes = list(cb.walk())
    header = ["path", "description", "keywords", "color"]
    if any(spec.shortcut for _, spec in codes):
        header.append("shortcut")
    extra: list[str] = []
    for _, spec in codes:
        extra.extend(k for k in spec.metadata if k not in extra and k.casefold() not in _ALIAS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header + extra)
    for path, spec in codes:
        row = [path, spec.description, "; ".join(spec.keywords), spec.color or ""]
        if "shortcut" in header:
            row.append(spec.shortcut or "")
        for key in extra:
            value = spec.metadata.get(key)
            if value is None:
                row.append("")
            else:
                row.append(
                    value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                )
        writer.writerow(row)
    return out.getvalue()
