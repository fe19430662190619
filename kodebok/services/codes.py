"""The project's codebook: importing, exporting, and editing codes (all journaled)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kodebok.errors import KodebokError, UnknownItem
from kodebok.models import Code
from kodebok.notes import Change
from kodebok.store import Operation, Project
from kodebok.store import queries as q

if TYPE_CHECKING:
    from kodebok.codebook import Codebook

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class CodebookImport:
    """What importing a codebook changed."""

    created: int
    updated: int
    removed: int
    removed_codings: int


MAX_CODE_DEPTH = 20
"""Deepest code path accepted (levels); real codebooks have 2–4."""

MAX_CODE_NAME = 200
"""Longest code name accepted (characters)."""


class CodeNameClash(KodebokError):
    """A code name differs from a sibling's only by case or Unicode normalisation."""


def _check_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise KodebokError("a code needs a name", code="codes.code_needs_name")
    if "/" in name:
        raise KodebokError(
            f"'{name}': '/' is not allowed in a code name (it separates paths)",
            code="codes.allowed_code_name_separates",
            name=name,
        )
    if len(name) > MAX_CODE_NAME:
        raise KodebokError(
            f"'{name[:40]}…': a code name of {len(name)} characters is too long "
            f"(at most {MAX_CODE_NAME}; put the rest in --description)",
            code="codes.code_name_characters_too",
            name=name[:40],
            n_name=len(name),
            max_code_name=MAX_CODE_NAME,
        )
    return name


def _fold(name: str) -> str:
    """A name compared without case and Unicode normalisation ('Ledelse', 'ledelse', NFD)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKD", name).casefold())


def _similar_sibling(
    project: Project, parent_id: int | None, name: str, exclude: int | None = None
) -> str | None:
    """The name of a sibling that differs from ``name`` only by case or normalisation."""
    folded = _fold(name)
    for row in project.conn.execute(
        "SELECT id, name FROM codes WHERE COALESCE(parent_id, 0) = ?", (parent_id or 0,)
    ):
        if row["id"] != exclude and row["name"] != name and _fold(row["name"]) == folded:
            return str(row["name"])
    return None


def _refuse_similar(project: Project, parent_id: int | None, name: str, path: str) -> None:
    twin = _similar_sibling(project, parent_id, name)
    if twin is not None:
        where = "at the top level" if parent_id is None else "beside it"
        raise CodeNameClash(
            f"code '{path}': the name '{name}' differs from the existing code '{twin}' {where} "
            "only by upper/lower case or Unicode form; use the existing name (or rename it "
            "first with 'kodebok codebook rename') so that codings are not split between two codes",
            code="codes.code_name_differs_from",
            path=path,
            name=name,
            twin=twin,
            where=where,
        )


def _depth_of(project: Project, code_id: int | None) -> int:
    """Levels from the top down to ``code_id`` (0 for the top level itself)."""
    depth = 0
    seen: set[int] = set()
    while code_id is not None and code_id not in seen:
        seen.add(code_id)
        row = project.conn.execute(
            "SELECT parent_id FROM codes WHERE id = ?", (code_id,)
        ).fetchone()
        if row is None:
            break
        depth += 1
        code_id = row[0]
    return depth


def _check_depth(levels: int, path: str) -> None:
    if levels > MAX_CODE_DEPTH:
        shown = path if len(path) <= 80 else path[:60] + "…"
        raise KodebokError(
            f"code '{shown}' would be {levels} levels deep; at most {MAX_CODE_DEPTH} levels "
            "are allowed (split the name differently, or use descriptions)",
            code="codes.code_would_levels_deep",
            shown=shown,
            levels=levels,
            max_code_depth=MAX_CODE_DEPTH,
        )


def _next_position(project: Project, parent_id: int | None) -> int:
    row = project.conn.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM codes WHERE COALESCE(parent_id, 0) = ?",
        (parent_id or 0,),
    ).fetchone()
    return int(row[0])


def _find_child(project: Project, parent_id: int | None, name: str) -> int | None:
    row = project.conn.execute(
        "SELECT id FROM codes WHERE COALESCE(parent_id, 0) = ? AND name = ?",
        (parent_id or 0, name),
    ).fetchone()
    return int(row[0]) if row else None


def ensure_code_path(op: Operation, path: str, **fields: Any) -> tuple[int, bool]:
    """The id of the code at ``path`` (creating it and missing parents); (id, created)."""
    parts = [unicodedata.normalize("NFC", p.strip()) for p in path.strip().strip("/").split("/")]
    if not parts or not all(parts):
        shown = path if len(path) <= 80 else path[:60] + "…"
        raise KodebokError(
            f"'{shown}' is not a valid code path", code="codes.valid_code_path", shown=shown
        )
    _check_depth(len(parts), path)
    parent: int | None = None
    created = False
    for i, part in enumerate(parts):
        found = _find_child(op.project, parent, part)
        if found is None:
            name = _check_name(part)
            _refuse_similar(op.project, parent, name, "/".join(parts[: i + 1]))
            values: dict[str, Any] = {
                "parent_id": parent,
                "name": name,
                "position": _next_position(op.project, parent),
            }
            if i == len(parts) - 1:
                values.update(_code_fields(**fields))
            found = op.insert("codes", values)
            created = True
        parent = found
    assert parent is not None
    return parent, created


def _code_fields(
    description: str | None = None,
    keywords: tuple[str, ...] | list[str] | None = None,
    color: str | None = None,
    shortcut: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if description is not None:
        out["description"] = description
    if keywords is not None:
        out["keywords"] = json.dumps(list(keywords), ensure_ascii=False)
    if color is not None:
        if color and not _COLOR.match(color):
            raise KodebokError(
                f"'{color}' is not a colour like #4e79a7", code="codes.colour_like", color=color
            )
        out["color"] = color.lower() or None
    if shortcut is not None:
        if shortcut and len(shortcut) != 1:
            raise KodebokError(
                f"shortcut '{shortcut}' must be a single key",
                code="codes.shortcut_single_key",
                shortcut=shortcut,
            )
        out["shortcut"] = shortcut or None
    if metadata is not None:
        out["metadata"] = json.dumps(metadata, ensure_ascii=False)
    return out


def create_code(project: Project, path: str, *, coder: str, **fields: Any) -> Code:
    """Create a code (and missing parents); an existing path is an error."""
    with project.operation(coder, "create-code", Change("create_code", code=path)) as op:
        code_id, created = ensure_code_path(op, path, **fields)
        if not created:
            raise KodebokError(
                f"code '{path}' exists already", code="codes.code_exists_already", path=path
            )
    return _by_id(project, code_id)


def _by_id(project: Project, code_id: int) -> Code:
    for c in q.codes(project):
        if c.id == code_id:
            return c
    raise UnknownItem(f"no code with id {code_id}", code="codes.code_id", code_id=code_id)


def update_code(project: Project, ref: str, *, coder: str, **fields: Any) -> Code:
    """Change a code's description, keywords, colour or shortcut."""
    code = q.code(project, ref)
    values = _code_fields(**fields)
    if values.get("shortcut"):
        clash = project.conn.execute(
            "SELECT id FROM codes WHERE shortcut = ? AND id != ?", (values["shortcut"], code.id)
        ).fetchone()
        with project.operation(coder, "update-code", Change("update_code", code=code.path)) as op:
            if clash:
                op.update("codes", int(clash[0]), {"shortcut": None})
            op.update("codes", code.id, values)
    elif values:
        with project.operation(coder, "update-code", Change("update_code", code=code.path)) as op:
            op.update("codes", code.id, values)
    return _by_id(project, code.id)


def rename_code(project: Project, ref: str, new_name: str, *, coder: str) -> Code:
    """Rename a code; its codings stay."""
    code = q.code(project, ref)
    new_name = _check_name(new_name)
    if new_name != code.name and _find_child(project, code.parent_id, new_name) is not None:
        raise KodebokError(
            f"a code named '{new_name}' exists already beside '{code.path}'",
            code="codes.code_named_exists_already",
            new_name=new_name,
            code_path=code.path,
        )
    twin = _similar_sibling(project, code.parent_id, new_name, exclude=code.id)
    if twin is not None:
        raise CodeNameClash(
            f"cannot rename '{code.path}' to '{new_name}': it differs from the existing code "
            f"'{twin}' beside it only by upper/lower case or Unicode form; merge the two codes "
            "instead (kodebok codebook merge)",
            code="codes.rename_differs_from_existing",
            code_path=code.path,
            new_name=new_name,
            twin=twin,
        )
    with project.operation(
        coder, "rename-code", Change("rename_code", code=code.path, name=new_name)
    ) as op:
        op.update("codes", code.id, {"name": new_name})
    return _by_id(project, code.id)


def move_code(project: Project, ref: str, new_parent: str | None, *, coder: str) -> Code:
    """Move a code (with its children) under another code, or to the top level."""
    all_codes = q.codes(project)
    code = q.code(project, ref, all_codes)
    parent_id: int | None = None
    if new_parent:
        parent = q.code(project, new_parent, all_codes)
        if parent.id in q.descendants(all_codes, code.id):
            raise KodebokError(
                f"cannot move '{code.path}' under itself or its own child",
                code="codes.move_under_itself_own",
                code_path=code.path,
            )
        parent_id = parent.id
    if _find_child(project, parent_id, code.name) not in (None, code.id):
        raise KodebokError(
            f"a code named '{code.name}' exists already there",
            code="codes.code_named_exists_already_2",
            code_name=code.name,
        )
    twin = _similar_sibling(project, parent_id, code.name, exclude=code.id)
    if twin is not None:
        raise CodeNameClash(
            f"cannot move '{code.path}' there: '{twin}' there differs from '{code.name}' only by "
            "upper/lower case or Unicode form; merge the two codes instead (kodebok codebook merge)",
            code="codes.move_differs_from_only",
            code_path=code.path,
            twin=twin,
            code_name=code.name,
        )
    subtree = set(q.descendants(all_codes, code.id))
    height = max(c.path.count("/") for c in all_codes if c.id in subtree) - code.path.count("/")
    _check_depth(_depth_of(project, parent_id) + 1 + height, code.path)
    with project.operation(coder, "move-code", Change("move_code", code=code.path)) as op:
        op.update(
            "codes",
            code.id,
            {"parent_id": parent_id, "position": _next_position(project, parent_id)},
        )
    return _by_id(project, code.id)


def merge_codes(project: Project, source: str, target: str, *, coder: str) -> int:
    """Merge ``source`` into ``target``: codings, children and memos follow; returns codings moved."""
    all_codes = q.codes(project)
    src = q.code(project, source, all_codes)
    dst = q.code(project, target, all_codes)
    if src.id == dst.id:
        raise KodebokError("cannot merge a code into itself", code="codes.merge_code_into_itself")
    if dst.id in q.descendants(all_codes, src.id):
        raise KodebokError(
            f"cannot merge '{src.path}' into its own child '{dst.path}'",
            code="codes.merge_into_own_child",
            src_path=src.path,
            dst_path=dst.path,
        )
    moved = 0
    conn = project.conn
    with project.operation(
        coder, "merge-codes", Change("merge_codes", code=src.path, into=dst.path)
    ) as op:
        for row in list(conn.execute("SELECT * FROM codings WHERE code_id = ?", (src.id,))):
            dup = conn.execute(
                'SELECT id FROM codings WHERE document_id=? AND start=? AND "end"=? AND code_id=? '
                "AND coder=?",
                (row["document_id"], row["start"], row["end"], dst.id, row["coder"]),
            ).fetchone()
            if dup:
                op.delete("codings", row["id"])
            else:
                op.update("codings", row["id"], {"code_id": dst.id})
                moved += 1
        for child in [c for c in all_codes if c.parent_id == src.id]:
            clash = _find_child(project, dst.id, child.name)
            if clash is not None:
                raise KodebokError(
                    f"cannot merge: both '{src.path}' and '{dst.path}' have a child named "
                    f"'{child.name}'; merge those first",
                    code="codes.merge_both_have_child",
                    src_path=src.path,
                    dst_path=dst.path,
                    child_name=child.name,
                )
            op.update("codes", child.id, {"parent_id": dst.id})
        for table in ("memos", "presence_overrides", "suggestion_feedback"):
            for row in list(conn.execute(f"SELECT id FROM {table} WHERE code_id = ?", (src.id,))):
                if table == "presence_overrides":
                    op.delete(table, row["id"])
                else:
                    op.update(table, row["id"], {"code_id": dst.id})
        op.delete("codes", src.id)
    return moved


def count_codings_under(project: Project, ref: str) -> tuple[Code, int]:
    """A code and the number of codings that deleting it would remove (children included)."""
    all_codes = q.codes(project)
    code = q.code(project, ref, all_codes)
    ids = q.descendants(all_codes, code.id)
    marks = ",".join("?" for _ in ids)
    n = project.conn.execute(
        f"SELECT COUNT(*) FROM codings WHERE code_id IN ({marks})", ids
    ).fetchone()[0]
    return code, int(n)


def delete_code(project: Project, ref: str, *, coder: str) -> int:
    """Delete a code, its children and their codings (undoable); returns codings removed."""
    all_codes = q.codes(project)
    code = q.code(project, ref, all_codes)
    with project.operation(coder, "delete-code", Change("delete_code", code=code.path)) as op:
        return _delete_codes(op, q.descendants(all_codes, code.id))


def _delete_codes(op: Operation, ids: list[int]) -> int:
    removed = 0
    marks = ",".join("?" for _ in ids)
    for table in ("codings", "memos", "presence_overrides", "suggestion_feedback"):
        n = op.delete_where(table, f"code_id IN ({marks})", tuple(ids))
        if table == "codings":
            removed = n
    for code_id in reversed(ids):  # children before parents
        op.delete("codes", code_id)
    return removed


def import_codebook(
    project: Project, path: Path, *, replace: bool = False, coder: str
) -> CodebookImport:
    """Merge a codebook file into the project's codes by path (or replace them)."""
    from kodebok.codebook import read_codebook

    book = read_codebook(path)
    return apply_codebook(project, book, replace=replace, coder=coder, source=path.name)


def replace_losses(project: Project, book: Codebook) -> tuple[int, int]:
    """What ``--replace`` with this codebook would delete: (codes, codings).

    The codes not in the book (by path), with their codings; nothing is written.
    """
    paths = {
        "/".join(p.strip() for p in path.strip().strip("/").split("/")) for path, _ in book.walk()
    }
    stale = [c.id for c in q.codes(project) if c.path not in paths]
    if not stale:
        return 0, 0
    marks = ",".join("?" for _ in stale)
    n = project.conn.execute(
        f"SELECT COUNT(*) FROM codings WHERE code_id IN ({marks})", stale
    ).fetchone()[0]
    return len(stale), int(n)


def apply_codebook(
    project: Project, book: Codebook, *, replace: bool = False, coder: str, source: str = ""
) -> CodebookImport:
    """Merge a parsed codebook into the project (see ``import_codebook``).

    A name clash with an existing code is reported with the file (``source``) it came from.
    """
    try:
        return _apply_codebook(project, book, replace=replace, coder=coder, source=source)
    except CodeNameClash as exc:
        if not source:
            raise
        raise CodeNameClash(
            f"{source}: {exc.message}", code="codes.failed", source=source, text=exc.message
        ) from exc


def _apply_codebook(
    project: Project, book: Codebook, *, replace: bool, coder: str, source: str
) -> CodebookImport:
    created = updated = removed = removed_codings = 0
    if replace:
        from kodebok.store.backup import backup_project

        backup_project(project, reason="before-codebook-replace")
    with project.operation(
        coder, "import-codebook", Change("import_codebook", source=source)
    ) as op:
        seen: set[int] = set()
        for position, (path, spec) in enumerate(book.walk()):
            fields: dict[str, Any] = {
                "description": spec.description,
                "keywords": list(spec.keywords),
                "color": spec.color or "",
                "shortcut": spec.shortcut or "",
            }
            if spec.metadata:
                fields["metadata"] = spec.metadata
            code_id, was_created = ensure_code_path(op, path, **fields)
            seen.add(code_id)
            _keep_guid(op, code_id, spec.guid)
            if was_created:
                created += 1
                continue
            if not replace:
                # merging keeps what the project has and fills in what it lacks
                row = project.conn.execute(
                    "SELECT * FROM codes WHERE id = ?", (code_id,)
                ).fetchone()
                fields = {k: v for k, v in fields.items() if v and not _has_value(row, k)}
            values = _code_fields(**fields)
            if replace:
                values["position"] = position
            if values:
                op.update("codes", code_id, values)
                updated += 1
        if replace:
            stale = [c.id for c in q.codes(project) if c.id not in seen]
            if stale:
                removed_codings = _delete_codes(op, stale)
                removed = len(stale)
    return CodebookImport(created, updated, removed, removed_codings)


def _keep_guid(op: Operation, code_id: int, guid: str | None) -> None:
    """A code read from a .qdc keeps its GUID (unless it has one, or another code has it)."""
    if not guid:
        return
    row = op.conn.execute(
        "SELECT guid, (SELECT COUNT(*) FROM codes WHERE guid = ?) FROM codes WHERE id = ?",
        (guid, code_id),
    ).fetchone()
    if row[0] is None and row[1] == 0:
        op.update("codes", code_id, {"guid": guid})


def _has_value(row: Any, key: str) -> bool:
    value = row[key]
    return bool(value) and value not in ("[]", "{}")


def project_codebook(project: Project, name: str = "") -> Codebook:
    """The project's codes as a Codebook model (for export)."""
    from kodebok.codebook import Codebook, CodeSpec

    book = Codebook(name=name or project.path.stem)
    by_id: dict[int, CodeSpec] = {}
    rows = {r["id"]: r for r in project.conn.execute("SELECT id, metadata, guid FROM codes")}
    for c in q.codes(project):
        spec = CodeSpec(
            name=c.name,
            description=c.description,
            keywords=c.keywords,
            color=c.color,
            shortcut=c.shortcut,
            metadata=json.loads(rows[c.id]["metadata"] or "{}"),
            guid=rows[c.id]["guid"],
        )
        by_id[c.id] = spec
        if c.parent_id is None:
            book.codes.append(spec)
        else:
            by_id[c.parent_id].children.append(spec)
    return book


@dataclass(frozen=True)
class CodeCount:
    """A code with its coding counts (own, and with children)."""

    code: Code
    depth: int
    codings: int
    segments: int
    documents: int
    total_codings: int


def code_tree(project: Project) -> list[CodeCount]:
    """The code tree in order with counts per code."""
    all_codes = q.codes(project)
    counts = {
        r[0]: (r[1], r[2], r[3])
        for r in project.conn.execute(
            "SELECT code_id, COUNT(*), COUNT(DISTINCT segment_id), COUNT(DISTINCT document_id) "
            "FROM codings GROUP BY code_id"
        )
    }
    out: list[CodeCount] = []
    for c in all_codes:
        own = counts.get(c.id, (0, 0, 0))
        total = sum(counts.get(i, (0, 0, 0))[0] for i in q.descendants(all_codes, c.id))
        out.append(CodeCount(c, c.path.count("/"), own[0], own[1], own[2], total))
    return out
