"""Matrix, co-occurrence and presence equal a plain-loop recount over random projects.

Each example builds a project directly in SQLite (hierarchical codes, overlapping codings by
several coders, free spans, orphaned codings, cases without documents, documents without a
case, speakers with and without attributes and persons) and recomputes every unit with Python
loops over the inserted rows, not with the SQL under test.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kodebok.analysis.matrix import UNITS
from kodebok.analysis.presence import PresenceRule
from kodebok.services import analysis
from kodebok.store import Project

WORDS = ["vi", "styring", "kort", "år", "2019", "Kari", "og", "rådmann,", "ikkje"]
KINDS = ["intervju", "egenrapport"]


@dataclass
class World:
    """The rows a test inserted, kept as plain Python for the recount."""

    cases: dict[int, str] = field(default_factory=dict)
    attrs: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)
    codes: dict[int, tuple[int | None, str, int]] = field(default_factory=dict)  # parent, name, pos
    docs: dict[int, dict[str, Any]] = field(default_factory=dict)
    segs: dict[int, dict[str, Any]] = field(default_factory=dict)
    speakers: dict[int, dict[str, Any]] = field(default_factory=dict)
    codings: list[dict[str, Any]] = field(default_factory=list)
    overrides: dict[tuple[int, int], int | None] = field(default_factory=dict)


def _add(conn: sqlite3.Connection, table: str, **values: Any) -> int:
    cols = ", ".join(f'"{c}"' for c in values)
    marks = ", ".join("?" for _ in values)
    return int(
        conn.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values())
        ).lastrowid
        or 0
    )


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    """A random project description (built into SQLite by ``build``)."""
    n_cases = draw(st.integers(0, 4))
    n_codes = draw(st.integers(1, 5))
    parents = [
        draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None for i in range(n_codes)
    ]
    docs = []
    for _ in range(draw(st.integers(1, 4))):
        segs = [
            (
                draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)),
                draw(st.integers(-1, 2)),
            )
            for _ in range(draw(st.integers(1, 4)))
        ]
        docs.append(
            {
                "case": draw(st.one_of(st.none(), st.integers(0, n_cases - 1)))
                if n_cases
                else None,
                "kind": draw(st.sampled_from(KINDS)),
                "segs": segs,
                "speakers": draw(st.integers(0, 3)),
                # the document's first speaker is the interviewer
                "interviewer": draw(st.booleans()),
                "year": draw(st.sampled_from([None, "2022", "2023"])),
                "grp": draw(st.sampled_from([None, "x", "y"])),
            }
        )
    return {
        "cases": [
            (
                draw(st.sampled_from([None, "liten", "stor", ""])),
                draw(st.sampled_from([None, "x", "z"])),
            )
            for _ in range(n_cases)
        ],
        "parents": parents,
        "docs": docs,
        "speaker_attrs": draw(
            st.lists(
                st.tuples(
                    st.sampled_from([None, "politisk", "adm"]),
                    st.sampled_from([None, "x", "w"]),
                    st.booleans(),
                ),
                min_size=12,
                max_size=12,
            )
        ),
        "codings": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 100),  # document
                    st.integers(-1, 100),  # segment (-1: a free span)
                    st.integers(0, 40),
                    st.integers(1, 40),
                    st.integers(0, n_codes - 1),
                    st.sampled_from(["ane", "bo"]),
                    st.integers(0, 9),  # 0: orphaned
                ),
                max_size=14,
            )
        ),
        "overrides": draw(
            st.lists(
                st.tuples(st.integers(0, 10), st.integers(0, 10), st.sampled_from([1, 0, None])),
                max_size=3,
            )
        ),
    }


def build(path: Path, spec: dict[str, Any]) -> World:  # noqa: C901 - plain reference code
    """Insert the described project and return its rows."""
    w = World()
    project = Project.create(path)
    conn = project.conn
    conn.execute("BEGIN")
    case_ids = []
    for i, (size, grp) in enumerate(spec["cases"]):
        cid = _add(conn, "cases", name=f"Kommune {chr(65 + i)}")
        w.cases[cid] = f"Kommune {chr(65 + i)}"
        case_ids.append(cid)
        for name, value in (("region", size), ("grp", grp)):
            if value is not None:
                _add(conn, "attributes", entity_kind="case", entity_id=cid, name=name, value=value)
                w.attrs.setdefault(("case", cid), {})[name] = value
    code_ids: list[int] = []
    for i, parent in enumerate(spec["parents"]):
        pid = code_ids[parent] if parent is not None else None
        cid = _add(conn, "codes", name=f"K{i}", parent_id=pid, position=(i * 7) % 3)
        w.codes[cid] = (pid, f"K{i}", (i * 7) % 3)
        code_ids.append(cid)
    person = _add(conn, "persons", name="Informant A")
    spk_attr = iter(spec["speaker_attrs"])
    for n, d in enumerate(spec["docs"]):
        texts = [" ".join(words) for words, _ in d["segs"]]
        text = "\n".join(texts)
        case = case_ids[d["case"]] if d["case"] is not None else None
        did = _add(
            conn,
            "documents",
            name=f"dok{n}",
            kind=d["kind"],
            case_id=case,
            text=text,
            sha256=str(n),
            imported_at="2024",
        )
        w.docs[did] = {"case": case, "kind": d["kind"], "text": text, "name": f"dok{n}"}
        for name in ("year", "grp"):
            if d[name] is not None:
                _add(
                    conn,
                    "attributes",
                    entity_kind="document",
                    entity_id=did,
                    name=name,
                    value=d[name],
                )
                w.attrs.setdefault(("document", did), {})[name] = d[name]
        spk_ids = []
        for k in range(d["speakers"]):
            level, grp, is_person = next(spk_attr)
            sid = _add(
                conn,
                "speakers",
                document_id=did,
                label=f"IP{k}",
                person_id=person if is_person else None,
                interviewer=int(k == 0 and d["interviewer"]),
            )
            w.speakers[sid] = {
                "doc": did,
                "label": f"IP{k}",
                "person": person if is_person else None,
                "interviewer": k == 0 and d["interviewer"],
            }
            spk_ids.append(sid)
            for name, value in (("level", level), ("grp", grp)):
                if value is not None:
                    _add(
                        conn,
                        "attributes",
                        entity_kind="speaker",
                        entity_id=sid,
                        name=name,
                        value=value,
                    )
                    w.attrs.setdefault(("speaker", sid), {})[name] = value
        pos = 0
        for idx, ((_, who), seg_text) in enumerate(zip(d["segs"], texts, strict=True)):
            speaker = spk_ids[who] if 0 <= who < len(spk_ids) else None
            sid = _add(
                conn,
                "segments",
                document_id=did,
                idx=idx,
                start=pos,
                end=pos + len(seg_text),
                speaker_id=speaker,
                text=seg_text,
            )
            w.segs[sid] = {
                "doc": did,
                "start": pos,
                "end": pos + len(seg_text),
                "speaker": speaker,
                "text": seg_text,
            }
            pos += len(seg_text) + 1
    doc_ids = list(w.docs)
    seen = set()
    for doc_n, seg_n, a, length, code_n, coder, status in spec["codings"]:
        did = doc_ids[doc_n % len(doc_ids)]
        segs = [s for s, v in w.segs.items() if v["doc"] == did]
        if seg_n < 0:
            seg, lo, hi = None, 0, len(w.docs[did]["text"])
        else:
            seg = segs[seg_n % len(segs)]
            lo, hi = w.segs[seg]["start"], w.segs[seg]["end"]
        if hi <= lo:
            continue
        start = lo + a % (hi - lo)
        end = min(hi, start + length)
        key = (did, start, end, code_ids[code_n], coder)
        if key in seen:
            continue
        seen.add(key)
        st_ = "orphaned" if status == 0 else "ok"
        _add(
            conn,
            "codings",
            document_id=did,
            segment_id=seg,
            start=start,
            end=end,
            code_id=code_ids[code_n],
            coder=coder,
            status=st_,
            created_at="2024",
        )
        w.codings.append(
            {
                "doc": did,
                "seg": seg,
                "start": start,
                "end": end,
                "code": code_ids[code_n],
                "coder": coder,
                "status": st_,
            }
        )
    for case_n, code_n, value in spec["overrides"]:
        if case_ids:
            key = (case_ids[case_n % len(case_ids)], code_ids[code_n % len(code_ids)])
            if key not in w.overrides:
                _add(
                    conn,
                    "presence_overrides",
                    case_id=key[0],
                    code_id=key[1],
                    value=value,
                    author="ane",
                    at="2024",
                )
                w.overrides[key] = value
    conn.execute("COMMIT")
    project.close()
    return w


# -- the independent recount ---------------------------------------------------------------


def ancestors(w: World, code: int, rollup: bool) -> list[int]:
    out = [code]
    while rollup and w.codes[out[-1]][0] is not None:
        out.append(w.codes[out[-1]][0])  # type: ignore[arg-type]
    return out


def tree_paths(w: World) -> list[str]:
    out: list[str] = []

    def visit(parent: int | None, prefix: str) -> None:
        kids = sorted((v[2], k) for k, v in w.codes.items() if v[0] == parent)
        for _, k in kids:
            path = f"{prefix}/{w.codes[k][1]}" if prefix else w.codes[k][1]
            out.append(path)
            visit(k, path)

    visit(None, "")
    return out


def code_path(w: World, code: int) -> str:
    names = [w.codes[c][1] for c in ancestors(w, code, True)]
    return "/".join(reversed(names))


def attr(w: World, kind: str, entity: int | None, name: str) -> str | None:
    if entity is None:
        return None
    if kind == "document" and name == "kind":
        return str(w.docs[entity]["kind"])
    value = w.attrs.get((kind, entity), {}).get(name)
    return value or None


def key_of(w: World, by: tuple[str, str | None], doc: int, speaker: int | None) -> Any:
    kind, name = by
    entity = {"case": w.docs[doc]["case"], "document": doc, "speaker": speaker}[kind]
    return entity if name is None else attr(w, kind, entity, name)


def label_of(w: World, by: tuple[str, str | None], key: Any) -> str:
    kind, name = by
    if key is None:
        return "(ingen)" if name is None else "(ingen verdi)"
    if name is not None:
        return str(key)
    if kind == "case":
        return w.cases[key]
    if kind == "document":
        return str(w.docs[key]["name"])
    sp = w.speakers[key]
    return f"{sp['label']} ({w.docs[sp['doc']]['name']})"


WORD = re.compile(r"\w+")


def expected_matrix(  # noqa: C901 - the independent recount, one branch per unit
    w: World,
    by: tuple[str, str | None],
    unit: str,
    rollup: bool,
    coder: str | None,
    kinds: tuple[str, ...],
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    docs = {d for d, v in w.docs.items() if not kinds or v["kind"] in kinds}
    codings = [
        c
        for c in w.codings
        if c["doc"] in docs and c["status"] == "ok" and (coder is None or c["coder"] == coder)
    ]
    cells: dict[tuple[int, Any], Any] = defaultdict(set)
    masks: dict[tuple[int, Any, int], set[int]] = defaultdict(set)
    for c in codings:
        spk = w.segs[c["seg"]]["speaker"] if c["seg"] is not None else None
        key = key_of(w, by, c["doc"], spk)
        for row in ancestors(w, c["code"], rollup):
            item = {
                "codings": id(c),
                "segments": c["seg"],
                "documents": c["doc"],
                "cases": w.docs[c["doc"]]["case"],
                "speakers": spk if spk is not None and not w.speakers[spk]["interviewer"] else None,
                "words": None,
            }[unit]
            if unit == "words":
                masks[(row, key, c["doc"])].update(range(c["start"], c["end"]))
            elif item is not None:
                cells[(row, key)].add(item)
    counts: dict[tuple[int, Any], int] = {k: len(v) for k, v in cells.items()}
    for (row, key, doc), chars in masks.items():
        # a word counts once when any of its characters is coded (a word coded at its first
        # and at its last letter by two separate codings is one coded word)
        touched = sum(
            1 for m in WORD.finditer(w.docs[doc]["text"]) if chars.intersection(range(*m.span()))
        )
        counts[(row, key)] = counts.get((row, key), 0) + touched
    counts = {k: v for k, v in counts.items() if v}
    # N: the unit's own universe, grouped the same way
    universe: dict[Any, set[Any]] = defaultdict(set)
    word_n: dict[Any, int] = defaultdict(int)
    if unit == "codings":
        for c in codings:
            spk = w.segs[c["seg"]]["speaker"] if c["seg"] is not None else None
            universe[key_of(w, by, c["doc"], spk)].add(id(c))
    elif unit == "speakers":
        for s, v in w.speakers.items():
            if v["doc"] in docs and not v["interviewer"]:  # informants only
                universe[key_of(w, by, v["doc"], s)].add(s)
    elif unit in ("documents", "cases") and by[0] != "speaker":
        for d in docs:
            item = d if unit == "documents" else w.docs[d]["case"]
            bucket = universe[key_of(w, by, d, None)]
            if item is not None:
                bucket.add(item)
    else:
        for s, v in w.segs.items():
            if v["doc"] not in docs:
                continue
            key = key_of(w, by, v["doc"], v["speaker"])
            item = {
                "segments": s,
                "documents": v["doc"],
                "cases": w.docs[v["doc"]]["case"],
                "words": s,
            }[unit]
            bucket = universe[key]
            if item is not None:
                bucket.add(item)
            if unit == "words":
                word_n[key] += len(WORD.findall(v["text"]))
    sizes = dict(word_n) if unit == "words" else {k: len(v) for k, v in universe.items()}
    if unit == "words":
        for k in universe:
            sizes.setdefault(k, 0)
    # columns: every group there is, plus the no-value group when something has no value
    kind, name = by
    if kind == "case":
        entities = list(w.cases)
    elif kind == "document":
        entities = list(docs)
    else:
        entities = [s for s, v in w.speakers.items() if v["doc"] in docs]
    keys: set[Any] = (
        set(entities) if name is None else {attr(w, kind, e, name) for e in entities} - {None}
    )
    if None in sizes or any(k is None for _, k in counts):
        keys.add(None)
    table = {
        label_of(w, by, k): {code_path(w, c): counts.get((c, k), 0) for c in w.codes} for k in keys
    }
    return table, {label_of(w, by, k): sizes.get(k, 0) for k in keys}


GROUPINGS = [
    ("case", ("case", None)),
    ("document", ("document", None)),
    ("speaker", ("speaker", None)),
    ("region", ("case", "region")),
    ("year", ("document", "year")),
    ("kind", ("document", "kind")),
    ("level", ("speaker", "level")),
    ("case:grp", ("case", "grp")),
    ("document:grp", ("document", "grp")),
    ("speaker:grp", ("speaker", "grp")),
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    spec=worlds(), coder=st.sampled_from([None, "ane"]), kinds=st.sampled_from([(), ("intervju",)])
)
def test_every_matrix_unit_equals_a_plain_recount(
    spec: dict[str, Any], coder: str | None, kinds: tuple[str, ...]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        w = build(Path(tmp) / "p.kodebok", spec)
        with Project.open(Path(tmp) / "p.kodebok") as project:
            names = analysis.available_attributes(project)
            for by, grouping in GROUPINGS:
                kind, attr_name = grouping
                if attr_name is not None and attr_name not in names[kind]:
                    continue
                for unit in UNITS:
                    for rollup in (False, True):
                        m = analysis.matrix(
                            project, by, unit, rollup=rollup, filters=analysis.Filters(coder, kinds)
                        )
                        got = {
                            g.label: {r.code: r.values[j] for r in m.rows}
                            for j, g in enumerate(m.columns)
                        }
                        got_n = {g.label: m.n[j] for j, g in enumerate(m.columns)}
                        want, want_n = expected_matrix(w, grouping, unit, rollup, coder, kinds)
                        assert got == want, (by, unit, rollup)
                        assert got_n == want_n, (by, unit, rollup)
                        assert [r.code for r in m.rows] == tree_paths(w)
                        assert len({g.label for g in m.columns}) == len(m.columns)


def expected_cooccurrence(w: World, unit: str, coder: str | None) -> dict[tuple[str, str], int]:
    codings = [
        c for c in w.codings if c["status"] == "ok" and (coder is None or c["coder"] == coder)
    ]
    out: dict[tuple[str, str], int] = defaultdict(int)
    if unit == "overlap":
        for c in codings:
            out[(code_path(w, c["code"]),) * 2] += 1
        for i, a in enumerate(codings):
            for b in codings[i + 1 :]:
                if (
                    a["doc"] == b["doc"]
                    and a["code"] != b["code"]
                    and a["start"] < b["end"]
                    and b["start"] < a["end"]
                ):
                    out[(code_path(w, a["code"]), code_path(w, b["code"]))] += 1
                    out[(code_path(w, b["code"]), code_path(w, a["code"]))] += 1
        return dict(out)
    by_unit: dict[Any, set[int]] = defaultdict(set)
    for c in codings:
        u = {"segment": c["seg"], "document": c["doc"], "case": w.docs[c["doc"]]["case"]}[unit]
        if u is not None:
            by_unit[u].add(c["code"])
    for codes in by_unit.values():
        for a in codes:
            for b in codes:
                out[(code_path(w, a), code_path(w, b))] += 1
    return dict(out)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=worlds(), coder=st.sampled_from([None, "bo"]))
def test_cooccurrence_equals_a_plain_recount(spec: dict[str, Any], coder: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        w = build(Path(tmp) / "p.kodebok", spec)
        with Project.open(Path(tmp) / "p.kodebok") as project:
            for unit in ("segment", "overlap", "document", "case"):
                table = analysis.cooccurrence(project, unit, filters=analysis.Filters(coder))
                got = {
                    (a, b): v
                    for a, values in zip(table.codes, table.counts, strict=True)
                    for b, v in zip(table.codes, values, strict=True)
                    if v
                }
                assert got == expected_cooccurrence(w, unit, coder), unit
                assert list(table.codes) == tree_paths(w)


def asked(w: World, seg: int) -> bool:
    """Is the segment an interviewer's turn?"""
    spk = w.segs[seg]["speaker"]
    return spk is not None and bool(w.speakers[spk]["interviewer"])


def expected_presence(
    w: World, rule: PresenceRule, rollup: bool, kinds: tuple[str, ...]
) -> dict[tuple[str, str], tuple[int | None, str]]:
    out = {}
    for case, name in w.cases.items():
        docs = [
            d for d, v in w.docs.items() if v["case"] == case and (not kinds or v["kind"] in kinds)
        ]
        # interviewers' turns are not the case's material: the share is of informant turns
        segs = [s for s, v in w.segs.items() if v["doc"] in docs and not asked(w, s)]
        for code in w.codes:
            hits = [
                c
                for c in w.codings
                if c["doc"] in docs
                and c["status"] == "ok"
                and code in ancestors(w, c["code"], rollup)
            ]
            informants = set()
            for c in hits:
                spk = w.segs[c["seg"]]["speaker"] if c["seg"] is not None else None
                if spk is not None and not w.speakers[spk]["interviewer"]:
                    person = w.speakers[spk]["person"]
                    informants.add(("p", person) if person is not None else ("s", spk))
            coded_segs = {c["seg"] for c in hits if c["seg"] is not None and not asked(w, c["seg"])}
            met = len(hits) >= max(1, rule.min_codings or 1)
            if rule.min_speakers is not None:
                met = met and len(informants) >= rule.min_speakers
            if rule.min_share is not None:
                met = met and bool(segs) and len(coded_segs) / len(segs) >= rule.min_share
            if (case, code) in w.overrides:
                value, source = w.overrides[(case, code)], "override"
            elif not docs:
                value, source = None, "no-documents"
            elif met:
                value, source = 1, "rule"
            else:
                value, source = (None if rule.absent_as_unreported else 0), "rule"
            out[(name, code_path(w, code))] = (value, source)
    return out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    spec=worlds(),
    min_codings=st.sampled_from([None, 1, 2, 3]),
    min_speakers=st.sampled_from([None, 1, 2]),
    min_share=st.sampled_from([None, 0.25, 0.5]),
    unreported=st.booleans(),
    rollup=st.booleans(),
    kinds=st.sampled_from([(), ("egenrapport",)]),
)
def test_presence_equals_a_plain_recount(
    spec: dict[str, Any],
    min_codings: int | None,
    min_speakers: int | None,
    min_share: float | None,
    unreported: bool,
    rollup: bool,
    kinds: tuple[str, ...],
) -> None:
    rule = PresenceRule(min_codings, min_speakers, min_share, unreported)
    with tempfile.TemporaryDirectory() as tmp:
        w = build(Path(tmp) / "p.kodebok", spec)
        with Project.open(Path(tmp) / "p.kodebok") as project:
            table = analysis.presence(
                project, None, rule, rollup=rollup, filters=analysis.Filters(None, kinds)
            )
            got = {
                (case, code): (cell.value, cell.source)
                for case, cells in zip(table.cases, table.cells, strict=True)
                for code, cell in zip(table.codes, cells, strict=True)
            }
            assert got == expected_presence(w, rule, rollup, kinds)
            assert list(table.cases) == sorted(w.cases.values())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=worlds(), coder=st.sampled_from([None, "ane"]))
def test_quote_bank_holds_each_coded_passage_once(spec: dict[str, Any], coder: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        w = build(Path(tmp) / "p.kodebok", spec)
        with Project.open(Path(tmp) / "p.kodebok") as project:
            sections = analysis.quotes(project, filters=analysis.Filters(coder))
            got = sorted(
                (s.code, q.document, q.start, q.end, q.text) for s in sections for q, _ in s.quotes
            )
    want = sorted(
        {
            (
                code_path(w, c["code"]),
                w.docs[c["doc"]]["name"],
                c["start"],
                c["end"],
                w.docs[c["doc"]]["text"][c["start"] : c["end"]].strip(),
            )
            for c in w.codings
            if c["status"] == "ok" and (coder is None or c["coder"] == coder)
        }
    )
    assert got == want
