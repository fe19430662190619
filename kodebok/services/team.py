"""Team work: merging another coder's copy of a project, and intercoder agreement."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kodebok.errors import KodebokError
from kodebok.notes import Change
from kodebok.services.codes import ensure_code_path
from kodebok.services.coding import add_coding, segment_for_span
from kodebok.services.documents import ensure_case, set_attribute
from kodebok.store import Project
from kodebok.store import queries as q
from kodebok.store.segments import insert_segments


@dataclass
class MergeReport:
    """What a merge added, skipped, and where the two copies disagree."""

    documents_added: list[str] = field(default_factory=list)
    documents_matched: int = 0
    codes_added: list[str] = field(default_factory=list)
    cases_added: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_skipped: int = 0
    memos_added: int = 0
    overrides_added: int = 0
    attributes_added: int = 0
    conflicts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data (for --format json)."""
        return dict(self.__dict__)


def merge_project(project: Project, other_path: Path, *, coder: str) -> MergeReport:
    """Bring documents, codes, codings, memos and overrides from another copy into this one.

    Documents are matched by content hash and codes by path; every coding keeps its coder.
    Merging the same copy twice adds nothing. Conflicts are reported, never overwritten.
    """
    from kodebok.store.backup import backup_project

    if Path(other_path).resolve() == project.path.resolve():
        raise KodebokError(
            "cannot merge a project into itself", code="team.merge_project_into_itself"
        )
    other = Project.open(other_path)
    report = MergeReport()
    try:
        backup_project(project, reason="before-merge")
        # capture: undo removes every row the merge wrote (documents, segments, speakers,
        # cases, attributes, codes, codings, memos, overrides), not only the codings
        with project.operation(
            coder, "merge", Change("merge_project", file=Path(other_path).name), capture=True
        ) as op:
            case_map = _merge_cases(project, other, report)
            doc_map = _merge_documents(project, other, case_map, report)
            code_map = _merge_codes(op, project, other, report)
            _merge_codings(op, project, other, doc_map, code_map, report)
            _merge_memos(op, project, other, doc_map, code_map, case_map, report)
            _merge_overrides(op, project, other, code_map, case_map, report)
    finally:
        other.close()
    return report


def _merge_cases(project: Project, other: Project, report: MergeReport) -> dict[int, int]:
    mine = {c.name: c for c in q.cases(project)}
    out: dict[int, int] = {}
    for case in q.cases(other):
        if case.name not in mine:
            report.cases_added.append(case.name)
        case_id = ensure_case(project, case.name)
        out[case.id] = case_id
        here = mine[case.name].attributes if case.name in mine else {}
        for key, value in case.attributes.items():
            if key not in here:
                set_attribute(project, "case", case_id, key, value)
                report.attributes_added += 1
            elif here[key] != value:
                report.conflicts.append(
                    f"case '{case.name}': attribute {key} is '{here[key]}' here and "
                    f"'{value}' in the other copy (kept '{here[key]}')"
                )
    return out


def _merge_documents(
    project: Project, other: Project, case_map: dict[int, int], report: MergeReport
) -> dict[int, tuple[int, dict[int, int]]]:
    """Other document id → (my document id, other segment id → my segment id)."""
    conn = project.conn
    out: dict[int, tuple[int, dict[int, int]]] = {}
    taken: set[int] = set()
    for doc in q.documents(other):
        # matched by text; two documents with the same text stay two: each takes one of mine
        # with that text not yet taken by this merge (its own name first), else is copied
        same = conn.execute(
            "SELECT id, name FROM documents WHERE sha256 = ? ORDER BY id", (doc.sha256,)
        ).fetchall()
        free = [r for r in same if r["id"] not in taken]
        mine = next((r for r in free if r["name"] == doc.name), free[0] if free else None)
        if mine is None:
            name = doc.name
            clash = conn.execute("SELECT id FROM documents WHERE name = ?", (name,)).fetchone()
            if clash and not same:
                report.conflicts.append(
                    f"document '{doc.name}': different text in the two copies; its codings "
                    "from the other copy were not merged (import the revision first)"
                )
                continue
            n = 1
            while clash:
                n += 1
                name = f"{doc.name} ({n})"
                clash = conn.execute("SELECT 1 FROM documents WHERE name = ?", (name,)).fetchone()
            my_id = _copy_document(project, other, doc.id, case_map, name)
            report.documents_added.append(name)
        else:
            my_id = int(mine["id"])
            report.documents_matched += 1
        taken.add(my_id)
        seg_map: dict[int, int] = {}
        mine_segs = {(s.start, s.end): s.id for s in q.segments(project, my_id)}
        for s in q.segments(other, doc.id):
            found = mine_segs.get((s.start, s.end)) or segment_for_span(
                project, my_id, s.start, s.end
            )
            if found is not None:
                seg_map[s.id] = found
        out[doc.id] = (my_id, seg_map)
    return out


def _copy_document(
    project: Project, other: Project, doc_id: int, case_map: dict[int, int], name: str
) -> int:
    conn = project.conn
    row = dict(other.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone())
    row.pop("id")
    row["name"] = name
    row["case_id"] = case_map.get(row["case_id"]) if row["case_id"] else None
    cols = list(row)
    cur = conn.execute(
        f"INSERT INTO documents ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [row[c] for c in cols],
    )
    new_id = int(cur.lastrowid or 0)
    speaker_map: dict[int, int] = {}
    for sp in other.conn.execute("SELECT * FROM speakers WHERE document_id = ?", (doc_id,)):
        cur = conn.execute(
            "INSERT INTO speakers(document_id, label, interviewer) VALUES (?,?,?)",
            (new_id, sp["label"], sp["interviewer"]),
        )
        speaker_map[sp["id"]] = int(cur.lastrowid or 0)
    for kind, old, new in [("document", doc_id, new_id)] + [
        ("speaker", o, n) for o, n in speaker_map.items()
    ]:
        for a in other.conn.execute(
            "SELECT name, value FROM attributes WHERE entity_kind = ? AND entity_id = ?",
            (kind, old),
        ):
            set_attribute(project, kind, new, a["name"], a["value"] or "")
    insert_segments(
        conn,
        [
            (
                new_id,
                s["idx"],
                s["start"],
                s["end"],
                speaker_map.get(s["speaker_id"]),
                s["t_start"],
                s["t_end"],
                s["text"],
                s["lemmas"],
            )
            for s in other.conn.execute(
                "SELECT * FROM segments WHERE document_id = ? ORDER BY idx", (doc_id,)
            )
        ],
    )
    return new_id


def _merge_codes(op: Any, project: Project, other: Project, report: MergeReport) -> dict[int, int]:
    mine = {c.path: c for c in q.codes(project)}
    mine_by_name: dict[str, list[str]] = {}
    for c in mine.values():
        mine_by_name.setdefault(c.name, []).append(c.path)
    out: dict[int, int] = {}
    for c in q.codes(other):
        if c.path not in mine:
            elsewhere = [p for p in mine_by_name.get(c.name, []) if p != c.path]
            if elsewhere:
                report.conflicts.append(
                    f"code '{c.name}' is under '{c.path}' in the other copy but at "
                    f"{', '.join(repr(p) for p in elsewhere)} here (kept both)"
                )
            report.codes_added.append(c.path)
        code_id, _ = ensure_code_path(
            op,
            c.path,
            description=c.description,
            keywords=list(c.keywords),
            color=c.color or "",
            shortcut=None,
        )
        out[c.id] = code_id
    return out


def _merge_codings(
    op: Any,
    project: Project,
    other: Project,
    doc_map: dict[int, tuple[int, dict[int, int]]],
    code_map: dict[int, int],
    report: MergeReport,
) -> None:
    for row in other.conn.execute("SELECT * FROM codings ORDER BY id"):
        if row["document_id"] not in doc_map:
            report.codings_skipped += 1
            continue
        my_doc, seg_map = doc_map[row["document_id"]]
        seg = seg_map.get(row["segment_id"]) if row["segment_id"] else None
        _, created = add_coding(
            op,
            document_id=my_doc,
            segment_id=seg,
            start=row["start"],
            end=row["end"],
            code_id=code_map[row["code_id"]],
            coder=row["coder"],
            memo=row["memo"],
            origin=row["origin"] if row["origin"] != "manual" else "merge",
            # a coding the other copy flagged after a revision stays flagged with its old text
            status=row["status"],
            anchor_text=row["anchor_text"],
        )
        if created:
            report.codings_added += 1


def _merge_memos(
    op: Any,
    project: Project,
    other: Project,
    doc_map: dict[int, tuple[int, dict[int, int]]],
    code_map: dict[int, int],
    case_map: dict[int, int],
    report: MergeReport,
) -> None:
    for m in other.conn.execute("SELECT * FROM memos ORDER BY id"):
        target = m["target_id"]
        kind = m["target_kind"]
        if kind == "document":
            target = doc_map.get(target, (None, {}))[0]
        elif kind == "segment":
            target = next((segs[target] for _, segs in doc_map.values() if target in segs), None)
        elif kind == "code":
            target = code_map.get(target)
        elif kind == "case":
            target = case_map.get(target)
        elif kind == "coding":
            continue  # coding memos travel on the coding itself
        if kind != "project" and target is None:
            continue
        case_id = case_map.get(m["case_id"]) if m["case_id"] else None
        code_id = code_map.get(m["code_id"]) if m["code_id"] else None
        exists = project.conn.execute(
            "SELECT 1 FROM memos WHERE target_kind = ? AND target_id IS ? AND author = ? "
            "AND text = ? AND case_id IS ? AND code_id IS ?",
            (kind, target, m["author"], m["text"], case_id, code_id),
        ).fetchone()
        if exists:
            continue
        op.insert(
            "memos",
            {
                "target_kind": kind,
                "target_id": target,
                "case_id": case_id,
                "code_id": code_id,
                "text": m["text"],
                "author": m["author"],
                "created_at": m["created_at"],
                "updated_at": m["updated_at"],
            },
        )
        report.memos_added += 1


def _merge_overrides(
    op: Any,
    project: Project,
    other: Project,
    code_map: dict[int, int],
    case_map: dict[int, int],
    report: MergeReport,
) -> None:
    for o in other.conn.execute("SELECT * FROM presence_overrides"):
        case_id, code_id = case_map[o["case_id"]], code_map[o["code_id"]]
        here = project.conn.execute(
            "SELECT value, author FROM presence_overrides WHERE case_id = ? AND code_id = ?",
            (case_id, code_id),
        ).fetchone()
        if here is None:
            op.insert(
                "presence_overrides",
                {
                    "case_id": case_id,
                    "code_id": code_id,
                    "value": o["value"],
                    "note": o["note"],
                    "author": o["author"],
                    "at": o["at"],
                },
            )
            report.overrides_added += 1
        elif here["value"] != o["value"]:
            report.conflicts.append(
                f"presence override for case {case_id}, code {code_id}: {here['value']} here "
                f"({here['author']}), {o['value']} in the other copy ({o['author']}); kept this one"
            )


@dataclass(frozen=True)
class AgreementData:
    """Units and codings gathered for an agreement computation."""

    coders: list[str]
    units: list[int]
    codes: list[str]
    applied: dict[str, dict[str, set[int]]]
    unit_info: dict[int, tuple[str, int, str]]
    documents: list[str]


def agreement_data(
    project: Project,
    coders: list[str],
    codes: list[str] | None = None,
    include_interviewer: bool = False,
) -> AgreementData:
    """Segments of the documents every coder worked on, and who applied which code where."""
    if len(coders) < 2:
        raise KodebokError(
            "agreement needs at least two coders (--coders A,B)",
            code="team.agreement_needs_least_two",
        )
    known = set(q.coders(project))
    missing = [c for c in coders if c not in known]
    if missing:
        raise KodebokError(
            f"no codings by {', '.join(missing)}; coders in this project: "
            f"{', '.join(sorted(known)) or 'none'}",
            code="team.codings_coders_project",
            missing=", ".join(missing),
            value=", ".join(sorted(known)) or "none",
        )
    marks = ",".join("?" for _ in coders)
    docs = [
        r[0]
        for r in project.conn.execute(
            f"SELECT document_id FROM codings WHERE coder IN ({marks}) GROUP BY document_id "
            f"HAVING COUNT(DISTINCT coder) = ?",
            (*coders, len(coders)),
        )
    ]
    if not docs:
        raise KodebokError(
            f"{' and '.join(coders)} have not coded any document in common",
            code="team.have_coded_any_document",
            coders=" and ".join(coders),
        )
    all_codes = q.codes(project)
    paths = {c.id: c.path for c in all_codes}
    chosen = (
        [q.code(project, c, all_codes).path for c in codes]
        if codes
        else [c.path for c in all_codes]
    )
    dmarks = ",".join("?" for _ in docs)
    unit_rows = project.conn.execute(
        f"SELECT s.id, d.name, s.idx, s.text FROM segments s JOIN documents d "
        f"ON d.id = s.document_id LEFT JOIN speakers sp ON sp.id = s.speaker_id "
        f"WHERE s.document_id IN ({dmarks}) "
        + ("" if include_interviewer else "AND COALESCE(sp.interviewer, 0) = 0 ")
        + "ORDER BY d.name, s.idx",
        docs,
    ).fetchall()
    units = [r[0] for r in unit_rows]
    unit_set = set(units)
    applied: dict[str, dict[str, set[int]]] = {}
    for r in project.conn.execute(
        f"SELECT code_id, coder, segment_id FROM codings WHERE coder IN ({marks}) "
        f"AND document_id IN ({dmarks}) AND segment_id IS NOT NULL",
        (*coders, *docs),
    ):
        if r[2] in unit_set and paths[r[0]] in chosen:
            applied.setdefault(paths[r[0]], {}).setdefault(r[1], set()).add(r[2])
    names = dict(
        project.conn.execute(
            f"SELECT id, name FROM documents WHERE id IN ({dmarks})", docs
        ).fetchall()
    )
    return AgreementData(
        coders=coders,
        units=units,
        codes=chosen,
        applied=applied,
        unit_info={r[0]: (r[1], r[2], r[3]) for r in unit_rows},
        documents=sorted(names.values()),
    )


def agreement_report(
    project: Project, coders: list[str], codes: list[str] | None = None
) -> dict[str, Any]:
    """Agreement per code and overall, plus the disagreements, as plain data."""
    from kodebok.analysis.agreement import agreement

    data = agreement_data(project, coders, codes)
    rows, overall, disagreements = agreement(data.coders, data.units, data.applied, data.codes)

    def row(r: Any) -> dict[str, Any]:
        return {
            "code": r.code,
            "percent": round(r.percent, 4),
            "kappa": None if r.kappa is None else round(r.kappa, 4),
            "alpha": None if r.alpha is None else round(r.alpha, 4),
            "n_units": r.n_units,
            "positives": r.positives,
        }

    return {
        "coders": data.coders,
        "documents": data.documents,
        "codes": [row(r) for r in rows],
        "overall": row(overall),
        "disagreements": [
            {
                "document": data.unit_info[d.unit][0],
                "idx": data.unit_info[d.unit][1],
                "number": data.unit_info[d.unit][1] + 1,
                "segment": d.unit,
                "code": d.code,
                "with": list(d.coders_with),
                "without": list(d.coders_without),
                "text": data.unit_info[d.unit][2],
            }
            for d in disagreements
        ],
    }


def resolve_disagreement(
    project: Project, segment_id: int, code: str, keep: str, *, coders: list[str], coder: str
) -> str:
    """Resolve one disagreement: ``keep='with'`` copies the code to all coders, 'without' removes it.

    Recorded in the journal (undoable) and as a memo on the segment.
    """
    from kodebok.services.coding import code_whole_segment, segment_change, write_memo

    the_code = q.code(project, code)
    seg = q.segment_by_id(project, segment_id)
    what = segment_change(project, "resolve", seg, code=the_code.path)
    with project.operation(coder, "resolve", what) as op:
        if keep == "with":
            for c in coders:
                code_whole_segment(op, seg, the_code.id, coder=c, origin="merge")
            verdict = "beholdt"
        elif keep == "without":
            op.delete_where(
                "codings",
                "segment_id = ? AND code_id = ? AND coder IN ("
                + ",".join("?" for _ in coders)
                + ")",
                (seg.id, the_code.id, *coders),
            )
            verdict = "fjernet"
        else:
            raise KodebokError("keep must be 'with' or 'without'", code="team.keep_without")
        write_memo(
            project,
            "segment",
            seg.id,
            f"Uenighet om {the_code.path} avgjort: {verdict} av {coder} "
            f"(kodere: {', '.join(coders)})",
            coder=coder,
        )
    return verdict


def resolve_disagreement_at(
    project: Project,
    document: str,
    number: int,
    code: str,
    keep: str,
    *,
    coders: list[str],
    coder: str,
) -> tuple[str, str]:
    """``resolve_disagreement`` on turn ``number`` (1-based, as people read it) of a document;
    returns the document's name and the verdict."""
    from kodebok.services.documents import segment_at

    seg = segment_at(project, document, number)
    verdict = resolve_disagreement(project, seg.id, code, keep, coders=coders, coder=coder)
    return q.document(project, seg.document_id).name, verdict
