"""Presence per case and code: the rule's counts in one GROUP BY, overrides with provenance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kodebok.analysis.presence import (
    CaseCodeCounts,
    CaseFacts,
    Override,
    PresenceRule,
    PresenceTable,
    parse_condition,
    presence_table,
)
from kodebok.analysis.tally import distinct_counts
from kodebok.errors import AnalysisError
from kodebok.models import Code
from kodebok.notes import Change
from kodebok.services.analysis.counts import (
    Filters,
    load_codings,
    lookup,
    tuples,
    with_ancestors,
)
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
    """Codings, distinct informants and coded informant turns per (case, code), with numpy."""
    codings = load_codings(project, f)
    if codings is None:
        return {}
    code, doc, seg, _, _ = codings
    case = lookup(tuples(project, "SELECT id, case_id FROM documents"), doc)
    has_case = case > 0
    code, seg, case = code[has_case], seg[has_case], case[has_case]
    if rollup:
        code, seg, case = with_ancestors(project, code, seg, case)
    # an informant is a person when the speaker is tied to one (two interviews, one person)
    informants: dict[tuple[str, int], int] = {}
    turns: list[tuple[int, int]] = []
    speakers: list[tuple[int, int]] = []
    for seg_id, speaker, person, interviewer in tuples(
        project,
        "SELECT s.id, s.speaker_id, sp.person_id, sp.interviewer FROM segments s "
        "LEFT JOIN speakers sp ON sp.id = s.speaker_id",
    ):
        if interviewer:
            continue
        turns.append((seg_id, seg_id))
        if speaker is not None:
            who = ("person", person) if person is not None else ("speaker", speaker)
            speakers.append((seg_id, informants.setdefault(who, len(informants) + 1)))
    width = int(code.max(initial=0)) + 1
    cells = case * width + code
    labels, n_codings = np.unique(cells, return_counts=True)
    out = {
        (int(c) // width, int(c) % width): [int(n), 0, 0]
        for c, n in zip(labels, n_codings, strict=True)
    }
    for column, items in ((1, lookup(speakers, seg)), (2, lookup(turns, seg))):
        for c, n in zip(*distinct_counts(cells, items), strict=True):
            out[(int(c) // width, int(c) % width)][column] = int(n)
    return {key: CaseCodeCounts(*values) for key, values in out.items()}


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
            raise AnalysisError(
                f"no case attribute '{cond.attribute}'; case attributes: {hint}",
                code="qca.no_attribute",
                name=cond.attribute,
                known=sorted(known),
            )
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
    with project.operation(
        coder, "presence", Change("set_presence", case=c.name, code=k.path)
    ) as op:
        if row:
            op.update("presence_overrides", int(row[0]), values)
        else:
            op.insert("presence_overrides", {"case_id": c.id, "code_id": k.id, **values})
    return Override(value, note, coder, at)


def clear_presence(project: Project, case: str, code: str, *, coder: str) -> bool:
    """Remove a manual value so the rule decides again; False when there was none."""
    c = q.case(project, case)
    k = q.code(project, code)
    what = Change("clear_presence", case=c.name, code=k.path)
    with project.operation(coder, "presence", what) as op:
        removed = op.delete_where("presence_overrides", "case_id = ? AND code_id = ?", (c.id, k.id))
    return bool(removed)
