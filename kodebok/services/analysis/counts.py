"""Matrix and co-occurrence counts: the codings read once as integer columns, counted with numpy.

SQLite filters and hands over plain tuples; ``kodebok.analysis.tally`` counts (distinct items
per cell, words in the union of spans, code pairs per unit) and ``kodebok.analysis`` assembles
the tables. Codings whose anchor was lost in a revision (status 'orphaned') are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

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
    GroupKey,
    Matrix,
    build_matrix,
)
from kodebok.analysis.tally import Ints, WordIndex, distinct_counts, shared_units
from kodebok.errors import AnalysisError
from kodebok.services.analysis.filters import Filters as Filters
from kodebok.services.analysis.groups import columns, grouping, key_sql
from kodebok.store import Project
from kodebok.store import queries as q


def check_filters(project: Project, filters: Filters) -> None:
    """Refuse filters that would silently select nothing: an empty or unknown coder or kind."""
    from kodebok.store.queries import nearest

    if filters.coder is not None:
        if not filters.coder.strip():
            raise AnalysisError(
                "--coder is empty; give a coder's name, or leave the option out for all coders",
                code="counts.coder_empty_give_coder",
            )
        coders = [r[0] for r in project.conn.execute("SELECT DISTINCT coder FROM codings")]
        if filters.coder not in coders:
            near = nearest(filters.coder, coders)
            hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
            raise AnalysisError(
                f"--coder {filters.coder!r}: no codings by this coder (coders in this project: "
                f"{', '.join(sorted(coders)) or 'none yet'}){hint}",
                code="counts.coder_codings_coder_coders",
                filters_coder=repr(filters.coder),
                value=", ".join(sorted(coders)) or "none yet",
                hint=hint,
            )
    if filters.kinds:
        kinds = [r[0] for r in project.conn.execute("SELECT DISTINCT kind FROM documents")]
        for kind in filters.kinds:
            if kind not in kinds:
                near = nearest(kind, [k for k in kinds if k])
                hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
                raise AnalysisError(
                    f"--kind {kind!r}: no documents of this kind (kinds in this project: "
                    f"{', '.join(sorted(k for k in kinds if k)) or 'none'}){hint}",
                    code="counts.kind_documents_kind_kinds",
                    kind=repr(kind),
                    value=", ".join(sorted(k for k in kinds if k)) or "none",
                    hint=hint,
                )


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
        raise AnalysisError(
            f"unknown unit '{unit}'; choose one of {', '.join(UNITS)}",
            code="counts.unknown_unit_choose_one",
            unit=unit,
            units=", ".join(UNITS),
        )
    if percent not in PERCENTS:
        raise AnalysisError(
            f"percent must be one of {', '.join(PERCENTS)}",
            code="counts.percent_one",
            percents=", ".join(PERCENTS),
        )
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


def _matrix_counts(
    project: Project, g: Grouping, unit: str, rollup: bool, f: Filters
) -> dict[tuple[int, GroupKey], int]:
    """Counts per (code, group key) in ``unit``.

    The codings are read once as integers; their group keys come from small per-document or
    per-segment maps, a rolled-up parent gets a copy of each of its descendants' codings, and
    numpy counts (distinct items per cell, or words in the union of spans). This is several
    times faster than letting SQLite join and GROUP BY 150,000 codings.
    """
    codings = load_codings(project, f)
    if codings is None:
        return {}
    code, doc, seg, start, end = codings
    keys, by_speaker = _keys(project, g)
    entity = doc
    if by_speaker:
        sql = "SELECT id, speaker_id FROM segments WHERE speaker_id IS NOT NULL"
        entity = lookup(tuples(project, sql), seg)
    values, groups = _group_ids(keys, entity)
    if rollup:
        code, doc, seg, start, end, groups = with_ancestors(
            project, code, doc, seg, start, end, groups
        )
    cells = code * len(values) + groups
    if unit == "words":
        index = _word_index(project)
        labels, totals = index.union_count(
            cells, index.positions(doc, start), index.positions(doc, end)
        )
    elif unit == "codings":
        labels, totals = np.unique(cells, return_counts=True)
    else:
        if unit == "segments":
            items = seg
        elif unit == "documents":
            items = doc
        elif unit == "cases":
            items = lookup(tuples(project, "SELECT id, case_id FROM documents"), doc)
        else:
            # interviewers are not counted: "speakers with the code" are informants
            sql = (
                "SELECT s.id, s.speaker_id FROM segments s JOIN speakers sp "
                "ON sp.id = s.speaker_id WHERE sp.interviewer = 0"
            )
            items = lookup(tuples(project, sql), seg)
        labels, totals = distinct_counts(cells, items)
    width = len(values)
    return {
        (int(label) // width, values[int(label) % width]): int(n)
        for label, n in zip(labels, totals, strict=True)
        if n
    }


def load_codings(project: Project, f: Filters) -> tuple[Ints, Ints, Ints, Ints, Ints] | None:
    """The filtered codings as integer columns: code, document, segment (0: none), start, end."""
    where, params = f.coder_sql()
    rows = tuples(
        project,
        'SELECT k.code_id, k.document_id, COALESCE(k.segment_id, 0), k.start, k."end" '
        f"FROM codings k WHERE {where}",
        params,
    )
    if not rows:
        return None
    code, doc, seg, start, end = np.array(rows, np.int64).T
    if f.kinds:
        where, params = f.documents_sql()
        kept = [
            r[0] for r in tuples(project, f"SELECT d.id FROM documents d WHERE {where}", params)
        ]
        keep = np.isin(doc, np.array(kept, np.int64))
        code, doc, seg, start, end = code[keep], doc[keep], seg[keep], start[keep], end[keep]
    return code, doc, seg, start, end


def lookup(pairs: Iterable[tuple[int, int | None]], ids: Ints) -> Ints:
    """``ids`` mapped through (id, value) pairs; 0 for ids with no value (or None)."""
    table = np.zeros(max(int(ids.max(initial=0)), 0) + 1, np.int64)
    for key, value in pairs:
        if value is not None and key < len(table):
            table[key] = value
    return table[ids]


def tuples(project: Project, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """All rows as plain tuples (much cheaper than sqlite3.Row for 100,000s of rows)."""
    cursor = project.conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params).fetchall()


# The last word index built, with a stamp of the database it was built from: a matrix needs it
# twice (counts and N), and the TUI asks again whenever a setting changes. Any write through
# this connection (total_changes) or another one (data_version) makes a new stamp, and so does
# another project file or another document text (sha256).
_word_index_cache: list[tuple[tuple[object, ...], WordIndex]] = []


def _word_index(project: Project) -> WordIndex:
    """Word boundaries of every document (rebuilt after any change to the project)."""
    conn = project.conn
    stamp = (
        str(project.path),
        id(conn),
        conn.total_changes,
        conn.execute("PRAGMA data_version").fetchone()[0],
        tuple(tuples(project, "SELECT id, sha256 FROM documents ORDER BY id")),
    )
    if _word_index_cache and _word_index_cache[0][0] == stamp:
        return _word_index_cache[0][1]
    index = WordIndex(tuples(project, "SELECT id, text FROM documents"))
    _word_index_cache[:] = [(stamp, index)]
    return index


def _keys(project: Project, g: Grouping) -> tuple[dict[int, GroupKey], bool]:
    """Group key per speaker (for speaker groupings, then True) or per document."""
    if g.kind != "speaker":
        key, kp = key_sql(g, "NULL")
        return dict(tuples(project, f"SELECT d.id, {key} FROM documents d", kp)), False
    key, kp = key_sql(g, "sp.id")
    sql = f"SELECT sp.id, {key} FROM speakers sp JOIN documents d ON d.id = sp.document_id"
    return dict(tuples(project, sql, kp)), True


def _group_ids(keys: dict[int, GroupKey], entity: Ints) -> tuple[list[GroupKey], Ints]:
    """The distinct group keys (None first) and each row's index among them (0: no key)."""
    values: list[GroupKey] = [None, *{v for v in keys.values() if v is not None}]
    gid = {v: i for i, v in enumerate(values)}
    return values, lookup(((e, gid[v]) for e, v in keys.items()), entity)


def with_ancestors(project: Project, code: Ints, *columns: Ints) -> tuple[Ints, ...]:
    """The rows again under each ancestor of their code (a roll-up into parents)."""
    pairs = tuples(project, "SELECT id, COALESCE(parent_id, 0) FROM codes")
    parent = np.zeros(max((i for i, _ in pairs), default=0) + 1, np.int64)
    for i, p in pairs:
        parent[i] = p
    codes, picks = [code], [np.arange(len(code))]
    current, pick = code, picks[0]
    while len(current):
        up = parent[current]
        has = up > 0
        current, pick = up[has], pick[has]
        codes.append(current)
        picks.append(pick)
    rows = np.concatenate(picks)
    return (np.concatenate(codes), *(c[rows] for c in columns))


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
            f"ON d.id = sp.document_id WHERE {where} AND sp.interviewer = 0 GROUP BY g"
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
        rows = tuples(
            project,
            'SELECT COALESCE(s.speaker_id, 0), s.document_id, s.start, s."end" '
            f"FROM segments s JOIN documents d ON d.id = s.document_id WHERE {where}",
            params,
        )
        if not rows:
            return {}
        speaker, doc, start, end = np.array(rows, np.int64).T
        index = _word_index(project)
        words = index.count(index.positions(doc, start), index.positions(doc, end))
        keys, by_speaker = _keys(project, g)
        values, groups = _group_ids(keys, speaker if by_speaker else doc)
        totals = np.bincount(groups, weights=words, minlength=len(values))
        present = np.bincount(groups, minlength=len(values)) > 0
        return {values[i]: int(totals[i]) for i in np.flatnonzero(present).tolist()}
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
        raise AnalysisError(
            f"unknown unit '{unit}'; choose one of {', '.join(COOCCURRENCE_UNITS)}",
            code="counts.unknown_unit_choose_one_2",
            unit=unit,
            cooccurrence_units=", ".join(COOCCURRENCE_UNITS),
        )
    f = filters or Filters()
    codings = load_codings(project, f)
    counts: dict[tuple[int, int], int] = {}
    if codings is not None:
        code, doc, seg, start, end = codings
        if unit == "overlap":
            counts = overlap_pairs(
                zip(doc.tolist(), start.tolist(), end.tolist(), code.tolist(), strict=True)
            )
        elif unit == "segment":
            counts = shared_units(seg, code)
        elif unit == "document":
            counts = shared_units(doc, code)
        else:
            cases = lookup(tuples(project, "SELECT id, case_id FROM documents"), doc)
            counts = shared_units(cases, code)
    return build_cooccurrence(q.codes(project), unit, counts)
