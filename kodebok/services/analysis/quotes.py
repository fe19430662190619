"""The quote bank over a project: coded passages with attribution fields, optionally pseudonymised."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Sequence

from kodebok.analysis.quotes import (
    DEFAULT_TEMPLATE,
    Quote,
    QuoteSection,
    pseudonym_mapping,
    pseudonymise_quotes,
    quote_sections,
    template_fields,
)
from kodebok.errors import AnalysisError, KodebokError
from kodebok.services.analysis.counts import Filters
from kodebok.services.analysis.groups import columns, grouping, key_sql
from kodebok.store import Project
from kodebok.store import queries as q


def _attributes(project: Project, kind: str) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for entity, name, value in project.conn.execute(
        "SELECT entity_id, name, value FROM attributes WHERE entity_kind = ?", (kind,)
    ):
        if value not in (None, ""):
            out.setdefault(entity, {})[name] = str(value)
    return out


BUILTIN_FIELDS = ("case", "document", "speaker", "role", "code", "group", "kind")


def template_field_names(project: Project) -> list[str]:
    """Every field an attribution template can use in this project (attributes included)."""
    names = {n.casefold() for n in BUILTIN_FIELDS}
    names.update(
        str(r[0]).casefold()
        for r in project.conn.execute(
            "SELECT DISTINCT name FROM attributes WHERE entity_kind IN "
            "('case', 'document', 'speaker') AND value IS NOT NULL AND value != ''"
        )
    )
    for (meta,) in project.conn.execute("SELECT DISTINCT metadata FROM documents"):
        try:
            data = json.loads(meta or "{}")
        except ValueError:
            continue
        if isinstance(data, dict):
            names.update(
                str(k).casefold() for k, v in data.items() if isinstance(v, str | int | float)
            )
    return sorted(names)


def check_template(project: Project, template: str) -> None:
    """Refuse a template naming a field no quote can fill (it would print as nothing)."""
    available = template_field_names(project)
    for name in template_fields(template):
        if name.casefold() not in available:
            near = q.nearest(name, available)
            hint = f"did you mean {', '.join('{' + n + '}' for n in near)}? " if near else ""
            raise AnalysisError(
                f"--template '{template}': unknown field {{{name}}}; {hint}"
                f"available fields: {', '.join('{' + n + '}' for n in available)}",
                code="quotes.template_unknown_field_available",
                template=template,
                name=name,
                hint=hint,
                items=", ".join("{" + n + "}" for n in available),
            )


def _texts(project: Project, ids: set[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    chosen = sorted(ids)
    for i in range(0, len(chosen), 500):  # SQLite caps the number of parameters
        part = chosen[i : i + 500]
        sql = f"SELECT id, text FROM documents WHERE id IN ({', '.join('?' for _ in part)})"
        out.update((r[0], r[1]) for r in project.conn.execute(sql, part))
    return out


def _detector_pseudonymised(
    project: Project, out: list[Quote], mapping: dict[str, str]
) -> list[Quote]:
    """Quote texts with everything privacy-check finds replaced (the map's pseudonyms, then
    numbered placeholders that are added to the map, so exports agree with each other)."""
    from dataclasses import replace

    from kodebok.services.privacy import Pseudonymiser
    from kodebok.services.project import default_coder

    p = Pseudonymiser.for_project(project, mapping)
    memo: dict[tuple[str, int, str], str] = {}
    result = []
    for qt in out:
        key = (qt.document, qt.start, qt.text)
        text = memo.get(key)
        if text is None:
            text = memo[key] = p.text_in(qt.document, qt.start, qt.text)
        result.append(replace(qt, text=text))
    # a read-only project: the placeholders hold for this export only
    with contextlib.suppress(sqlite3.Error, KodebokError):
        p.save(coder=default_coder())
    return result


def _pseudonym_table(project: Project) -> dict[str, str]:
    """The project's own map (table ``pseudonyms``) when this schema has one."""
    try:
        return {r[0]: r[1] for r in project.conn.execute("SELECT real, pseudonym FROM pseudonyms")}
    except sqlite3.OperationalError:  # an older schema without the table: nothing to apply
        return {}


# How a quote whose text a revision removed is marked (``Filters(orphans=True)`` only).
ORPHANED_MARK = "[orphaned: no longer in the revised transcript]"


def orphaned_count(
    project: Project,
    codes: Sequence[str] | None = None,
    *,
    subcodes: bool = True,
    filters: Filters | None = None,
) -> int:
    """How many codings of these codes are orphaned (left out of quotes unless asked for)."""
    all_codes = q.codes(project)
    chosen = [q.code(project, ref, all_codes) for ref in codes] if codes else all_codes
    ids: set[int] = set()
    for c in chosen:
        ids.update(q.descendants(all_codes, c.id) if subcodes else [c.id])
    if not ids:
        return 0
    f = filters or Filters()
    where, params = f.documents_sql()
    if f.coder:
        where += " AND k.coder = ?"
        params.append(f.coder)
    sql = (
        "SELECT COUNT(*) FROM codings k JOIN documents d ON d.id = k.document_id "
        f"WHERE k.status = 'orphaned' AND k.code_id IN ({', '.join('?' for _ in ids)}) "
        f"AND {where}"
    )
    return int(project.conn.execute(sql, [*ids, *params]).fetchone()[0])


def quotes(
    project: Project,
    codes: Sequence[str] | None = None,
    *,
    by: str | None = None,
    template: str = DEFAULT_TEMPLATE,
    pseudonymise: bool = False,
    subcodes: bool = True,
    group: str | None = None,
    filters: Filters | None = None,
) -> list[QuoteSection]:
    """Quotes per code (with its subcodes unless ``subcodes=False``) and group, sorted by case.

    The same passage coded by several coders appears once. ``group`` keeps one column's quotes
    (a matrix cell: code × group label, as the matrix shows it before pseudonymisation).
    """
    check_template(project, template)  # a malformed template fails before any work
    all_codes = q.codes(project)
    chosen = [q.code(project, ref, all_codes) for ref in codes] if codes else all_codes
    ids: set[int] = set()
    for c in chosen:
        ids.update(q.descendants(all_codes, c.id) if subcodes else [c.id])
    f = filters or Filters()
    g = grouping(project, by) if by else None
    key, key_params = key_sql(g, "s.speaker_id") if g else ("NULL", [])
    where, params = f.codings_sql()
    marks = ", ".join("?" for _ in ids)
    sql = f"""
        SELECT k.code_id, k.document_id, k.start, k."end",
               NULL, d.name, d.kind, d.metadata,
               c.name, c.id, sp.id, sp.label, {key},
               MAX(CASE WHEN k.status = 'orphaned' THEN k.anchor_text END)
        FROM codings k JOIN documents d ON d.id = k.document_id
        LEFT JOIN cases c ON c.id = d.case_id
        LEFT JOIN segments s ON s.id = k.segment_id
        LEFT JOIN speakers sp ON sp.id = s.speaker_id
        WHERE k.code_id IN ({marks}) AND {where}
        GROUP BY k.code_id, k.document_id, k.start, k."end"
    """
    cursor = project.conn.cursor()
    cursor.row_factory = None  # plain tuples: 10,000s of rows
    rows = cursor.execute(sql, [*key_params, *ids, *params]).fetchall()
    # each document's text read once and sliced here (substr in SQL reads it for every coding)
    texts = _texts(project, {r[1] for r in rows})
    paths = {c.id: c.path for c in all_codes}
    labels: dict[object, str] = {}
    if g is not None:
        keys = {r[12] for r in rows}
        labels = {grp.key: grp.label for grp in columns(project, g, f, None in keys)}
    case_attrs = _attributes(project, "case")
    doc_attrs = _attributes(project, "document")
    spk_attrs = _attributes(project, "speaker")
    out = []
    for r in rows:
        fields: dict[str, str] = {"kind": r[6]}
        meta = json.loads(r[7] or "{}")
        fields.update({k: str(v) for k, v in meta.items() if isinstance(v, str | int | float)})
        for attrs in (case_attrs.get(r[9] or -1), doc_attrs.get(r[1]), spk_attrs.get(r[10] or -1)):
            fields.update(attrs or {})
        out.append(
            Quote(
                code=paths[r[0]],
                text=(
                    f"{r[13].strip()} {ORPHANED_MARK}"
                    if r[13] is not None
                    else texts[r[1]][r[2] : r[3]].strip()
                ),
                case=r[8] or "",
                document=r[5],
                speaker=r[11] or "",
                start=r[2],
                end=r[3],
                fields=fields,
                group=labels.get(r[12], "") if g is not None else "",
            )
        )
    if group is not None:
        out = [qt for qt in out if qt.group == group]
    if pseudonymise:
        labels_in_use = {qt.speaker for qt in out if qt.speaker}
        case_names = [c.name for c in q.cases(project)]
        mapping = pseudonym_mapping(case_names, labels_in_use, _pseudonym_table(project))
        out = _detector_pseudonymised(project, out, mapping)
        out = pseudonymise_quotes(out, mapping, scrub=False)
    return quote_sections(out, template, [c.path for c in all_codes])
