"""Presence per case and code: the rule's counts in one GROUP BY, overrides with provenance."""

from __future__ import annotations

from collections.abc import Sequence

from kodebok.analysis.presence import (
    CaseCodeCounts,
    CaseFacts,
    Override,
    PresenceRule,
    PresenceTable,
    parse_condition,
    presence_table,
)
from kodebok.errors import AnalysisError
from kodebok.models import Code
from kodebok.services.analysis.counts import _ROLLUP_CTE, Filters, coded_rows
from kodebok.store import Project, now_iso
from kodebok.store import queries as q


def resolve_codes(project: Project, refs: Sequence[str] | None) -> list[Code]:
    """Codes by path or unique name (UnknownItem with nearest matches); all codes when None."""
    all_codes = q.codes(project)
    if not refs:
        return all_codes
    return [q.code(project, ref, all_codes) for ref in refs]


def _case_facts(project: Project, f: Filters) -> list[CaseFacts]:
    where, params = f.documents_sql()
    sql = f"""
        SELECT c.id, c.name,
            (SELECT COUNT(*) FROM documents d WHERE d.case_id = c.id AND {where}),
            (SELECT COUNT(*) FROM segments s JOIN documents d ON d.id = s.document_id
             LEFT JOIN speakers sp ON sp.id = s.speaker_id
             WHERE d.case_id = c.id AND {where} AND COALESCE(sp.interviewer, 0) = 0)
        FROM cases c"""
    rows = [CaseFacts(r[0], r[1], r[2], r[3]) for r in project.conn.execute(sql, params + params)]
    return sorted(rows, key=lambda c: c.name)


def _rule_counts(
    project: Project, rollup: bool, f: Filters
) -> dict[tuple[int, int], CaseCodeCounts]:
    rows = coded_rows(f, documents=True, segments=True)
    row = "m.row_id" if rollup else "k.code_id"
    from_where = rows.from_where
    if rollup:
        from_where = from_where.replace(
            " WHERE ", " JOIN cmap m ON m.code_id = k.code_id WHERE ", 1
        )
    sql = (
        rows.with_clause(*([_ROLLUP_CTE] if rollup else []))
        + f" SELECT dm.case_id, {row}, COUNT(*), COUNT(DISTINCT sm.informant),"
        f" COUNT(DISTINCT sm.informant_turn) {from_where} AND dm.case_id IS NOT NULL"
        f" GROUP BY dm.case_id, {row}"
    )
    return {
        (r[0], r[1]): CaseCodeCounts(r[2], r[3], r[4])
        for r in project.conn.execute(sql, list(rows.params))
    }


def overrides(project: Project) -> dict[tuple[int, int], Override]:
    """Every manual presence value, by (case id, code id)."""
    return {
        (r[0], r[1]): Override(r[2], r[3], r[4], r[5])
        for r in project.conn.execute(
            "SELECT case_id, code_id, value, note, author, at FROM presence_overrides"
        )
    }


def presence(
    project: Project,
    codes: Sequence[str] | None = None,
    rule: PresenceRule | None = None,
    *,
    rollup: bool = True,
    filters: Filters | None = None,
) -> PresenceTable:
    """Cases × codes in three values; a parent code counts its children's codings (rollup)."""
    chosen = resolve_codes(project, codes)
    f = filters or Filters()
    return presence_table(
        rule or PresenceRule(),
        _case_facts(project, f),
        [(c.id, c.path) for c in chosen],
        _rule_counts(project, rollup, f),
        overrides(project),
    )


def presence_columns(
    project: Project,
    codes: list[str],
    rule: PresenceRule | None = None,
    *,
    rollup: bool = True,
    filters: Filters | None = None,
) -> tuple[list[str], dict[str, list[int | None]]]:
    """For QCA: case names and one column of 1/0/None per code, keyed by the code as given."""
    table = presence(project, codes, rule, rollup=rollup, filters=filters)
    columns = {ref: [row[j].value for row in table.cells] for j, ref in enumerate(codes)}
    return list(table.cases), columns


def attribute_condition(project: Project, expr: str) -> tuple[list[str], list[int | None]]:
    """For QCA: a crisp condition from a case attribute (``innbyggere>=8000``), None when unset."""
    cond = parse_condition(expr)
    cases = q.cases(project)
    known = {name for c in cases for name in c.attributes}
    if cond.attribute not in known:
        folded = {n.casefold(): n for n in known}
        if cond.attribute.casefold() not in folded:
            hint = ", ".join(sorted(known)) or "none"
            raise AnalysisError(f"no case attribute '{cond.attribute}'; case attributes: {hint}")
        cond = type(cond)(folded[cond.attribute.casefold()], cond.op, cond.value)
    return [c.name for c in cases], [cond.evaluate(c.attributes.get(cond.attribute)) for c in cases]


def set_presence(
    project: Project, case: str, code: str, value: int | None, *, note: str = "", coder: str
) -> Override:
    """Store a manual value (1, 0 or None = not reported) for a cell, with note, author, time."""
    c = q.case(project, case)
    k = q.code(project, code)
    row = project.conn.execute(
        "SELECT id FROM presence_overrides WHERE case_id = ? AND code_id = ?", (c.id, k.id)
    ).fetchone()
    at = now_iso()
    values = {"value": value, "note": note, "author": coder, "at": at}
    with project.operation(coder, "presence", f"Presence {c.name} × {k.path}") as op:
        if row:
            op.update("presence_overrides", int(row[0]), values)
        else:
            op.insert("presence_overrides", {"case_id": c.id, "code_id": k.id, **values})
    return Override(value, note, coder, at)


def clear_presence(project: Project, case: str, code: str, *, coder: str) -> bool:
    """Remove a manual value so the rule decides again; False when there was none."""
    c = q.case(project, case)
    k = q.code(project, code)
    with project.operation(coder, "presence", f"Clear presence {c.name} × {k.path}") as op:
        removed = op.delete_where("presence_overrides", "case_id = ? AND code_id = ?", (c.id, k.id))
    return bool(removed)
