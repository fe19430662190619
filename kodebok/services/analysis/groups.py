"""Groups for comparisons in a project: attributes in use, group keys in SQL, every column."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kodebok.analysis.groups import (
    Group,
    Grouping,
    attribute_groups,
    natural_key,
    resolve_grouping,
)
from kodebok.store import Project

if TYPE_CHECKING:
    from kodebok.services.analysis.filters import Filters

# Columns of the documents table that group like document attributes (``--by kind``); they
# win over attributes of the same name, which import never writes.
DOCUMENT_FIELDS = ("kind", "language")


def available_attributes(project: Project) -> dict[str, list[str]]:
    """Attribute names in use per entity kind (case, document, speaker), with document fields."""
    out: dict[str, list[str]] = {"case": [], "document": [], "speaker": []}
    for kind, name in project.conn.execute(
        "SELECT DISTINCT entity_kind, name FROM attributes ORDER BY entity_kind, name"
    ):
        if kind in out and name not in out[kind]:
            out[kind].append(name)
    if project.conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone():
        out["document"] = sorted(set(out["document"]) | set(DOCUMENT_FIELDS))
    return out


def grouping(project: Project, by: str) -> Grouping:
    """``--by`` resolved against the project's attributes (AnalysisError lists them)."""
    return resolve_grouping(by, available_attributes(project))


def key_sql(g: Grouping, speaker: str, document: str = "d.id") -> tuple[str, list[object]]:
    """SQL for a row's group key, given documents ``d`` and the row's speaker id expression."""
    if g.kind == "document" and g.attribute in DOCUMENT_FIELDS:
        return f"NULLIF(d.{g.attribute}, '')", []
    entity = {"case": "d.case_id", "document": document, "speaker": speaker}[g.kind]
    if g.attribute is None:
        return entity, []
    return (
        "(SELECT NULLIF(a.value, '') FROM attributes a WHERE a.entity_kind = ? "
        f"AND a.entity_id = {entity} AND a.name = ?)",
        [g.kind, g.attribute],
    )


def columns(project: Project, g: Grouping, f: Filters, with_none: bool) -> list[Group]:
    """Every group there is (empty ones too), in natural order; the no-value group when used."""
    conn = project.conn
    where, params = f.documents_sql()
    if g.kind == "document" and g.attribute in DOCUMENT_FIELDS:
        sql = f"SELECT DISTINCT d.{g.attribute} FROM documents d WHERE {where}"
        return attribute_groups([r[0] for r in conn.execute(sql, params)], with_none)
    if g.attribute is not None:
        if g.kind == "case":
            sql = "SELECT value FROM attributes WHERE entity_kind = 'case' AND name = ?"
            values = [r[0] for r in conn.execute(sql, (g.attribute,))]
        else:
            ent = "d.id" if g.kind == "document" else "sp.id"
            sql = (
                f"SELECT DISTINCT a.value FROM attributes a JOIN documents d ON {ent} = a.entity_id"
                + (" JOIN speakers sp ON sp.document_id = d.id" if g.kind == "speaker" else "")
                + f" WHERE a.entity_kind = ? AND a.name = ? AND {where}"
            )
            values = [r[0] for r in conn.execute(sql, [g.kind, g.attribute, *params])]
        return attribute_groups(values, with_none)
    if g.kind == "case":
        rows = [(r[0], r[1]) for r in conn.execute("SELECT id, name FROM cases")]
    elif g.kind == "document":
        rows = [
            (r[0], r[1])
            for r in conn.execute(f"SELECT id, name FROM documents d WHERE {where}", params)
        ]
    else:
        sql = (
            "SELECT sp.id, sp.label || ' (' || d.name || ')' FROM speakers sp "
            f"JOIN documents d ON d.id = sp.document_id WHERE {where}"
        )
        rows = [(r[0], r[1]) for r in conn.execute(sql, params)]
    rows.sort(key=lambda r: (natural_key(r[1]), r[1], r[0]))
    groups = [Group(i, label) for i, label in rows]
    if with_none:
        groups.append(Group(None, "(ingen)"))
    return groups
