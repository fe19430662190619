"""Matrix and co-occurrence counts: SQL that counts (one GROUP BY per unit), pure code assembles.

Every function here fetches rows and hands them to ``kodebok.analysis``; the counting itself is
done by SQLite. Codings whose anchor was lost in a revision (status 'orphaned') are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kodebok.analysis.cooccurrence import (
    COOCCURRENCE_UNITS,
    Cooccurrence,
    build_cooccurrence,
    overlap_pairs,
)
from kodebok.analysis.groups import (
    Group,
    Grouping,
    attribute_groups,
    natural_key,
    resolve_grouping,
)
from kodebok.analysis.matrix import PERCENTS, UNITS, Matrix, build_matrix, coded_words, count_words
from kodebok.errors import AnalysisError
from kodebok.store import Project
from kodebok.store import queries as q

# Each code mapped to itself and all its ancestors: joining on it counts a child's codings in
# every parent, and COUNT(DISTINCT ...) then counts a segment once per parent.
_ROLLUP_CTE = """cmap(code_id, row_id) AS (
    SELECT id, id FROM codes
    UNION ALL
    SELECT cmap.code_id, c.parent_id FROM cmap JOIN codes c ON c.id = cmap.row_id
    WHERE c.parent_id IS NOT NULL)"""


@dataclass(frozen=True)
class Filters:
    """Which material an analysis looks at: one coder's codings, some document kinds."""

    coder: str | None = None
    kinds: tuple[str, ...] = ()

    def codings_sql(self) -> tuple[str, list[object]]:
        """WHERE conditions on codings ``k`` joined to documents ``d``."""
        sql, params = self.documents_sql()
        sql += " AND k.status != 'orphaned'"
        if self.coder:
            sql += " AND k.coder = ?"
            params.append(self.coder)
        return sql, params

    def documents_sql(self) -> tuple[str, list[object]]:
        """WHERE conditions on documents ``d``."""
        if not self.kinds:
            return "1", []
        return f"d.kind IN ({', '.join('?' for _ in self.kinds)})", list(self.kinds)


# -- groups --------------------------------------------------------------------------------


def available_attributes(project: Project) -> dict[str, list[str]]:
    """Attribute names in use per entity kind (case, document, speaker)."""
    out: dict[str, list[str]] = {"case": [], "document": [], "speaker": []}
    for kind, name in project.conn.execute(
        "SELECT DISTINCT entity_kind, name FROM attributes ORDER BY entity_kind, name"
    ):
        if kind in out:
            out[kind].append(name)
    return out


def grouping(project: Project, by: str) -> Grouping:
    """``--by`` resolved against the project's attributes (AnalysisError lists them)."""
    return resolve_grouping(by, available_attributes(project))


def _key_sql(g: Grouping, speaker: str) -> tuple[str, list[object]]:
    """SQL for a row's group key, given documents ``d`` and the row's speaker id expression."""
    entity = {"case": "d.case_id", "document": "d.id", "speaker": speaker}[g.kind]
    if g.attribute is None:
        return entity, []
    return (
        "(SELECT NULLIF(a.value, '') FROM attributes a WHERE a.entity_kind = ? "
        f"AND a.entity_id = {entity} AND a.name = ?)",
        [g.kind, g.attribute],
    )


def _columns(project: Project, g: Grouping, f: Filters, with_none: bool) -> list[Group]:
    """Every group there is (empty ones too), in natural order; the no-value group when used."""
    conn = project.conn
    where, params = f.documents_sql()
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


# -- matrix --------------------------------------------------------------------------------


def matrix(
    project: Project,
    by: str = "case",
    unit: str = "codings",
    percent: str = "none",
    *,
    rollup: bool = False,
    filters: Filters | None = None,
) -> Matrix:
    """Codes (tree order) × groups, counting ``unit``; see kodebok.analysis.matrix."""
    if unit not in UNITS:
        raise AnalysisError(f"unknown unit '{unit}'; choose one of {', '.join(UNITS)}")
    if percent not in PERCENTS:
        raise AnalysisError(f"percent must be one of {', '.join(PERCENTS)}")
    f = filters or Filters()
    g = grouping(project, by)
    counts = _matrix_counts(project, g, unit, rollup, f)
    sizes = _group_sizes(project, g, unit, f)
    with_none = any(key is None for _, key in counts) or None in sizes
    columns = _columns(project, g, f, with_none)
    return build_matrix(
        q.codes(project),
        columns,
        counts,
        sizes,
        grouping=g,
        unit=unit,
        percent=percent,
        rollup=rollup,
    )


def _coded_rows_sql(g: Grouping, rollup: bool, f: Filters) -> tuple[str, str, list[object]]:
    """(WITH prefix, FROM … WHERE …, params) over codings ``k`` with row code ``row_id`` and key."""
    key, key_params = _key_sql(g, "s.speaker_id")
    where, params = f.codings_sql()
    row = "m.row_id" if rollup else "k.code_id"
    join = " JOIN cmap m ON m.code_id = k.code_id" if rollup else ""
    body = (
        f'SELECT {row} AS row_id, {key} AS g, k.document_id, k.segment_id, k.start, k."end", '
        "d.case_id AS case_id, s.speaker_id AS spk "
        "FROM codings k JOIN documents d ON d.id = k.document_id "
        f"LEFT JOIN segments s ON s.id = k.segment_id{join} WHERE {where}"
    )
    return ("WITH RECURSIVE " + _ROLLUP_CTE if rollup else ""), body, key_params + params


def _matrix_counts(
    project: Project, g: Grouping, unit: str, rollup: bool, f: Filters
) -> dict[tuple[int, int | str | None], int]:
    prefix, body, params = _coded_rows_sql(g, rollup, f)
    if unit == "words":
        return _coded_words(project, prefix, body, params)
    count = {
        "codings": "COUNT(*)",
        "segments": "COUNT(DISTINCT segment_id)",
        "documents": "COUNT(DISTINCT document_id)",
        "cases": "COUNT(DISTINCT case_id)",
        "speakers": "COUNT(DISTINCT spk)",
    }[unit]
    sql = f"{prefix} SELECT row_id, g, {count} FROM ({body}) GROUP BY row_id, g"
    return {(r[0], r[1]): r[2] for r in project.conn.execute(sql, params) if r[2]}


def _coded_words(
    project: Project, prefix: str, body: str, params: list[object]
) -> dict[tuple[int, int | str | None], int]:
    sql = f'{prefix} SELECT DISTINCT row_id, g, document_id, start, "end" FROM ({body})'
    spans: dict[tuple[int, int | str | None, int], list[tuple[int, int]]] = defaultdict(list)
    for row_id, key, doc, start, end in project.conn.execute(sql, params):
        spans[(row_id, key, doc)].append((start, end))
    texts = {
        r[0]: r[1]
        for r in project.conn.execute(
            "SELECT id, text FROM documents WHERE id IN (SELECT DISTINCT document_id FROM codings)"
        )
    }
    out: dict[tuple[int, int | str | None], int] = defaultdict(int)
    for (row_id, key, doc), items in spans.items():
        out[(row_id, key)] += coded_words(texts[doc], items)
    return {k: v for k, v in out.items() if v}


def _group_sizes(
    project: Project, g: Grouping, unit: str, f: Filters
) -> dict[int | str | None, int]:
    """N per group in the unit: all codings, segments, documents, cases, speakers or words."""
    conn = project.conn
    if unit == "codings":
        key, kp = _key_sql(g, "s.speaker_id")
        where, params = f.codings_sql()
        sql = (
            f"SELECT {key} AS g, COUNT(*) FROM codings k JOIN documents d ON d.id = k.document_id "
            f"LEFT JOIN segments s ON s.id = k.segment_id WHERE {where} GROUP BY g"
        )
        return {r[0]: r[1] for r in conn.execute(sql, kp + params)}
    where, params = f.documents_sql()
    if unit == "speakers":
        key, kp = _key_sql(g, "sp.id")
        sql = (
            f"SELECT {key} AS g, COUNT(*) FROM speakers sp JOIN documents d "
            f"ON d.id = sp.document_id WHERE {where} GROUP BY g"
        )
        return {r[0]: r[1] for r in conn.execute(sql, kp + params)}
    if unit in ("documents", "cases") and g.kind != "speaker":
        key, kp = _key_sql(g, "NULL")
        count = "COUNT(*)" if unit == "documents" else "COUNT(DISTINCT d.case_id)"
        sql = f"SELECT {key} AS g, {count} FROM documents d WHERE {where} GROUP BY g"
        return {r[0]: r[1] for r in conn.execute(sql, kp + params)}
    key, kp = _key_sql(g, "s.speaker_id")
    from_ = f"FROM segments s JOIN documents d ON d.id = s.document_id WHERE {where}"
    if unit == "words":
        out: dict[int | str | None, int] = defaultdict(int)
        for key_value, text in conn.execute(f"SELECT {key}, s.text {from_}", kp + params):
            out[key_value] += count_words(text)
        return dict(out)
    count = {
        "segments": "COUNT(*)",
        "documents": "COUNT(DISTINCT s.document_id)",
        "cases": "COUNT(DISTINCT d.case_id)",
    }[unit]
    return {
        r[0]: r[1]
        for r in conn.execute(f"SELECT {key} AS g, {count} {from_} GROUP BY g", kp + params)
    }


# -- co-occurrence -------------------------------------------------------------------------


def cooccurrence(
    project: Project, unit: str = "segment", *, filters: Filters | None = None
) -> Cooccurrence:
    """Code × code co-occurrence; see kodebok.analysis.cooccurrence for what is counted."""
    if unit not in COOCCURRENCE_UNITS:
        raise AnalysisError(f"unknown unit '{unit}'; choose one of {', '.join(COOCCURRENCE_UNITS)}")
    f = filters or Filters()
    where, params = f.codings_sql()
    base = f"FROM codings k JOIN documents d ON d.id = k.document_id WHERE {where}"
    if unit == "overlap":
        rows = project.conn.execute(
            f'SELECT k.document_id, k.start, k."end", k.code_id {base}', params
        )
        counts = overlap_pairs((r[0], r[1], r[2], r[3]) for r in rows)
    else:
        col = {"segment": "k.segment_id", "document": "k.document_id", "case": "d.case_id"}[unit]
        sql = (
            f"WITH u AS (SELECT DISTINCT {col} AS unit, k.code_id AS code {base} "
            f"AND {col} IS NOT NULL) SELECT a.code, b.code, COUNT(*) FROM u a "
            "JOIN u b ON a.unit = b.unit GROUP BY a.code, b.code"
        )
        counts = {(r[0], r[1]): r[2] for r in project.conn.execute(sql, params)}
    return build_cooccurrence(q.codes(project), unit, counts)
