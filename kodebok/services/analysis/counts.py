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
from kodebok.analysis.groups import Grouping
from kodebok.analysis.matrix import (
    PERCENTS,
    UNITS,
    Matrix,
    build_matrix,
    word_starts,
    words_between,
)
from kodebok.errors import AnalysisError
from kodebok.services.analysis.groups import columns, grouping, key_sql
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

    def coder_sql(self) -> tuple[str, list[object]]:
        """WHERE conditions on codings ``k`` alone (status and coder)."""
        if self.coder:
            return "k.status != 'orphaned' AND k.coder = ?", [self.coder]
        return "k.status != 'orphaned'", []

    def documents_sql(self) -> tuple[str, list[object]]:
        """WHERE conditions on documents ``d``."""
        if not self.kinds:
            return "1", []
        return f"d.kind IN ({', '.join('?' for _ in self.kinds)})", list(self.kinds)


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
    codes = q.codes(project)
    counts = _matrix_counts(project, g, unit, rollup, f)
    if unit == "codings":
        # every coding has one code, so a group's codings are its row sums (roots when rolled up)
        rows = {c.id for c in codes if not rollup or c.parent_id is None}
        sizes: dict[int | str | None, int] = defaultdict(int)
        for (row, key), value in counts.items():
            if row in rows:
                sizes[key] += value
    else:
        sizes = _group_sizes(project, g, unit, f)
    with_none = any(key is None for _, key in counts) or None in sizes
    groups = columns(project, g, f, with_none)
    return build_matrix(
        codes, groups, counts, sizes, grouping=g, unit=unit, percent=percent, rollup=rollup
    )


@dataclass(frozen=True)
class CodedRows:
    """SQL over the filtered codings ``k`` with small per-document and per-segment maps.

    ``dm`` (id, case_id, g) and ``sm`` (id, speaker_id, g) are materialised once, so a group key
    from an attribute is looked up per document or segment rather than per coding, and codings
    are read in table order (through the code index SQLite would jump around the table).
    """

    ctes: tuple[str, ...]
    from_where: str
    params: tuple[object, ...]
    key: str

    def with_clause(self, *extra: str) -> str:
        """``WITH RECURSIVE ...`` for these maps plus ``extra`` CTEs ('' when there are none)."""
        ctes = [*self.ctes, *extra]
        return ("WITH RECURSIVE " + ", ".join(ctes)) if ctes else ""


def coded_rows(
    f: Filters, g: Grouping | None = None, *, documents: bool = False, segments: bool = False
) -> CodedRows:
    """Filtered codings joined to the maps they need; ``key`` is the group key expression.

    ``dm``: id, case_id, g. ``sm``: id, speaker_id, g, informant (a person counts once).
    """
    documents = documents or bool(f.kinds) or (g is not None and g.kind != "speaker")
    segments = segments or (g is not None and g.kind == "speaker")
    ctes: list[str] = []
    params: list[object] = []
    joins = ""
    if documents:
        doc_key, doc_params = key_sql(g, "NULL") if g and g.kind != "speaker" else ("NULL", [])
        where, where_params = f.documents_sql()
        ctes.append(
            f"dm AS MATERIALIZED (SELECT d.id, d.case_id, {doc_key} AS g FROM documents d "
            f"WHERE {where})"
        )
        params += doc_params + where_params
        joins += " JOIN dm ON dm.id = k.document_id"
    if segments:
        spk_key, spk_params = (
            key_sql(g, "s.speaker_id") if g and g.kind == "speaker" else ("NULL", [])
        )
        # a speaker tied to a person counts as that person: one informant interviewed twice is one
        ctes.append(
            f"sm AS MATERIALIZED (SELECT s.id, s.speaker_id, {spk_key} AS g, "
            "CASE WHEN sp.person_id IS NOT NULL THEN -sp.person_id ELSE s.speaker_id END "
            "AS informant FROM segments s LEFT JOIN speakers sp ON sp.id = s.speaker_id)"
        )
        params += spk_params
        joins += " LEFT JOIN sm ON sm.id = k.segment_id"
    where, where_params = f.coder_sql()
    key = "NULL" if g is None else ("sm.g" if g.kind == "speaker" else "dm.g")
    return CodedRows(
        tuple(ctes),
        f"FROM codings k NOT INDEXED{joins} WHERE {where}",
        (*params, *where_params),
        key,
    )


def _coded_rows_sql(
    g: Grouping, unit: str, rollup: bool, f: Filters
) -> tuple[str, str, list[object]]:
    """(WITH prefix, SELECT …, params) over codings with row code ``row_id`` and group key ``g``."""
    rows = coded_rows(f, g, documents=unit == "cases", segments=unit == "speakers")
    cases = "dm.case_id" if "dm AS" in " ".join(rows.ctes) else "NULL"
    speakers = "sm.speaker_id" if "sm AS" in " ".join(rows.ctes) else "NULL"
    join = " JOIN cmap m ON m.code_id = k.code_id" if rollup else ""
    from_where = rows.from_where.replace(" WHERE ", f"{join} WHERE ", 1)
    body = (
        f"SELECT {'m.row_id' if rollup else 'k.code_id'} AS row_id, {rows.key} AS g, "
        f'k.document_id, k.segment_id, k.start, k."end", {cases} AS case_id, '
        f"{speakers} AS spk {from_where}"
    )
    prefix = rows.with_clause(*([_ROLLUP_CTE] if rollup else []))
    return prefix, body, list(rows.params)


def _matrix_counts(
    project: Project, g: Grouping, unit: str, rollup: bool, f: Filters
) -> dict[tuple[int, int | str | None], int]:
    prefix, body, params = _coded_rows_sql(g, unit, rollup, f)
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


def _texts(project: Project) -> dict[int, str]:
    return {r[0]: r[1] for r in project.conn.execute("SELECT id, text FROM documents")}


def _coded_words(
    project: Project, prefix: str, body: str, params: list[object]
) -> dict[tuple[int, int | str | None], int]:
    """Words in the union of spans per (code, group, document), merged while SQLite streams them
    in order, so no span list is ever built."""
    sql = (
        f'{prefix} SELECT row_id, g, document_id, start, "end" FROM ({body}) '
        "ORDER BY row_id, g, document_id, start"
    )
    texts = _texts(project)
    out: dict[tuple[int, int | str | None], int] = defaultdict(int)
    current: tuple[int, int | str | None, int] | None = None
    text, a, b = "", 0, 0
    starts: tuple[int, ...] = ()
    # the same span (a whole segment, mostly) recurs under several codes and parents
    seen: dict[tuple[int, int, int], int] = {}

    def words(doc: int, a: int, b: int) -> int:
        n = seen.get((doc, a, b))
        if n is None:
            n = seen[(doc, a, b)] = words_between(text, a, b, starts)
        return n

    for row_id, key, doc, start, end in project.conn.execute(sql, params):
        here = (row_id, key, doc)
        if here != current or start > b:
            if current is not None:
                out[(current[0], current[1])] += words(current[2], a, b)
            if here != current:
                current, text = here, texts[doc]
                starts = word_starts(text)
            a, b = start, end
        elif end > b:
            b = end
    if current is not None:
        out[(current[0], current[1])] += words(current[2], a, b)
    return {k: v for k, v in out.items() if v}


def _group_sizes(
    project: Project, g: Grouping, unit: str, f: Filters
) -> dict[int | str | None, int]:
    """N per group in the unit: segments, documents, cases, speakers or words (in segments)."""
    conn = project.conn
    where, params = f.documents_sql()
    if unit == "speakers":
        key, kp = key_sql(g, "sp.id")
        sql = (
            f"SELECT {key} AS g, COUNT(*) FROM speakers sp JOIN documents d "
            f"ON d.id = sp.document_id WHERE {where} GROUP BY g"
        )
        return {r[0]: r[1] for r in conn.execute(sql, kp + params)}
    if unit in ("documents", "cases") and g.kind != "speaker":
        key, kp = key_sql(g, "NULL")
        count = "COUNT(*)" if unit == "documents" else "COUNT(DISTINCT d.case_id)"
        sql = f"SELECT {key} AS g, {count} FROM documents d WHERE {where} GROUP BY g"
        return {r[0]: r[1] for r in conn.execute(sql, kp + params)}
    key, kp = key_sql(g, "s.speaker_id")
    from_ = f"FROM segments s JOIN documents d ON d.id = s.document_id WHERE {where}"
    if unit == "words":
        texts = _texts(project)
        out: dict[int | str | None, int] = defaultdict(int)
        sql = f'SELECT {key}, s.document_id, s.start, s."end" {from_}'
        for key_value, doc, start, end in conn.execute(sql, kp + params):
            out[key_value] += words_between(texts[doc], start, end)
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
    rows = coded_rows(f, documents=unit == "case")
    params = list(rows.params)
    if unit == "overlap":
        sql = f'{rows.with_clause()} SELECT k.document_id, k.start, k."end", k.code_id {rows.from_where}'
        counts = overlap_pairs((r[0], r[1], r[2], r[3]) for r in project.conn.execute(sql, params))
    else:
        col = {"segment": "k.segment_id", "document": "k.document_id", "case": "dm.case_id"}[unit]
        # each unordered pair once (a <= b), mirrored below: half the rows of a full self-join
        units = (
            f"u AS (SELECT DISTINCT {col} AS unit, k.code_id AS code {rows.from_where} "
            f"AND {col} IS NOT NULL)"
        )
        sql = (
            f"{rows.with_clause(units)} SELECT a.code, b.code, COUNT(*) FROM u a "
            "JOIN u b ON a.unit = b.unit AND a.code <= b.code GROUP BY a.code, b.code"
        )
        counts = {}
        for a, b, n in project.conn.execute(sql, params):
            counts[(a, b)] = counts[(b, a)] = n
    return build_cooccurrence(q.codes(project), unit, counts)
