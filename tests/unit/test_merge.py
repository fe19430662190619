"""Merging coders' copies: same result as coding in one project, idempotent, conflicts reported."""

from __future__ import annotations

import shutil
from pathlib import Path

from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.services import codes, coding
from kodebok.services.documents import set_attribute, store_parsed
from kodebok.services.team import agreement_report, merge_project
from kodebok.store import Project


def _doc(name: str, lines: list[str], case: str = "Nordvik") -> ParsedDocument:
    text = "\n".join(lines)
    turns = []
    pos = 0
    for line in lines:
        label, _, rest = line.partition(": ")
        start = pos + len(label) + 2
        turns.append(Turn(start, start + len(rest), label))
        pos += len(line) + 1
    return ParsedDocument(
        name, f"{name}.txt", "intervju", text, tuple(turns), {"case": case}, frozenset({"I"}), "nb"
    )


DOC_A = _doc(
    "nordvik_rektor",
    [
        "I: Hvordan brukes styringskortet?",
        "IP: Vi rapporterer hvert tertial.",
        "IP: Tillitsvalgte var ikke med.",
        "IP: Lederavtalen min er konkret.",
    ],
)
DOC_B = _doc(
    "elvestad_rektor",
    ["I: Og dere?", "IP: Vi har partssamarbeid.", "IP: Brukerundersøkelsen er viktig."],
    case="Elvestad",
)


def _base(path: Path) -> Path:
    project = Project.create(path)
    store_parsed(project, DOC_A)
    store_parsed(project, DOC_B)
    for p in ("Rapportering", "Medvirkning/Tillitsvalgte", "Lederavtaler"):
        codes.create_code(project, p, coder="lead")
    project.close()
    return path


KARI = [
    ("nordvik_rektor", 1, "Rapportering"),
    ("nordvik_rektor", 2, "Tillitsvalgte"),
    ("elvestad_rektor", 1, "Tillitsvalgte"),
]
OLA = [
    ("nordvik_rektor", 1, "Rapportering"),
    ("nordvik_rektor", 3, "Lederavtaler"),
    ("elvestad_rektor", 1, "Tillitsvalgte"),
    ("elvestad_rektor", 2, "Rapportering"),
]


def _code(path: Path, coder: str, items: list[tuple[str, int, str]]) -> None:
    project = Project.open(path)
    for doc, idx, code in items:
        coding.code_segment(project, doc, idx, code, coder=coder)
    project.close()


def _codings(path: Path) -> set[tuple[object, ...]]:
    project = Project.open(path)
    rows = {
        (r["document"], r["segment_idx"], r["start"], r["end"], r["code"], r["coder"])
        for r in coding.export_codings(project)
    }
    project.close()
    return rows


def test_merging_two_copies_equals_coding_in_one(tmp_path: Path) -> None:
    base = _base(tmp_path / "base.kodebok")
    kari, ola, single = (tmp_path / f"{n}.kodebok" for n in ("kari", "ola", "single"))
    for target in (kari, ola, single):
        shutil.copy(base, target)
    _code(kari, "kari", KARI)
    _code(ola, "ola", OLA)
    _code(single, "kari", KARI)
    _code(single, "ola", OLA)
    project = Project.open(kari)
    report = merge_project(project, ola, coder="kari")
    assert report.codings_added == len(OLA)
    assert report.conflicts == []
    again = merge_project(project, ola, coder="kari")
    assert again.codings_added == 0
    assert again.documents_added == []
    project.close()
    assert _codings(kari) == _codings(single)


def test_merge_brings_new_documents_codes_and_cases(tmp_path: Path) -> None:
    mine = Project.create(tmp_path / "mine.kodebok")
    store_parsed(mine, DOC_A)
    mine.close()
    theirs = Project.create(tmp_path / "theirs.kodebok")
    store_parsed(theirs, DOC_A)
    store_parsed(theirs, DOC_B)
    codes.create_code(theirs, "Medvirkning/Partssamarbeid", coder="ola")
    coding.code_segment(theirs, "elvestad_rektor", 1, "Partssamarbeid", coder="ola")
    set_attribute(theirs, "case", 2, "fylke", "Innlandet")
    coding.write_memo(theirs, "document", 2, "Viktig intervju", coder="ola")
    theirs.close()
    project = Project.open(tmp_path / "mine.kodebok")
    report = merge_project(project, tmp_path / "theirs.kodebok", coder="kari")
    assert report.documents_added == ["elvestad_rektor"]
    assert "Medvirkning/Partssamarbeid" in report.codes_added
    assert report.memos_added == 1
    rows = coding.export_codings(project)
    assert [(r["document"], r["code"], r["coder"]) for r in rows] == [
        ("elvestad_rektor", "Medvirkning/Partssamarbeid", "ola")
    ]
    project.close()


def test_conflicts_are_reported_not_overwritten(tmp_path: Path) -> None:
    mine = Project.create(tmp_path / "mine.kodebok")
    store_parsed(mine, DOC_A)
    codes.create_code(mine, "Styring/Lederavtaler", coder="kari")
    mine.close()
    theirs = Project.create(tmp_path / "theirs.kodebok")
    changed = _doc(
        "nordvik_rektor", ["I: Hvordan brukes styringskortet?", "IP: Vi rapporterer hver måned."]
    )
    store_parsed(theirs, changed)
    codes.create_code(theirs, "Ledelse/Lederavtaler", coder="ola")
    theirs.close()
    project = Project.open(tmp_path / "mine.kodebok")
    report = merge_project(project, tmp_path / "theirs.kodebok", coder="kari")
    text = "\n".join(report.conflicts)
    assert "document 'nordvik_rektor': different text" in text
    assert "code 'Lederavtaler'" in text
    project.close()


def test_agreement_over_documents_both_coded(tmp_path: Path) -> None:
    base = _base(tmp_path / "p.kodebok")
    _code(base, "kari", KARI)
    _code(base, "ola", OLA)
    project = Project.open(base)
    report = agreement_report(project, ["kari", "ola"])
    assert report["documents"] == ["elvestad_rektor", "nordvik_rektor"]
    by_code = {r["code"]: r for r in report["codes"]}
    # 5 informant segments; Rapportering: kari {n1}, ola {n1, e2} → 4/5 agree
    assert by_code["Rapportering"]["percent"] == 0.8
    assert by_code["Rapportering"]["n_units"] == 5
    assert len(report["disagreements"]) == 3
    project.close()


def test_a_coding_flagged_for_review_stays_flagged_after_a_merge(tmp_path: Path) -> None:
    # merged codings used to arrive as 'ok' without their old text
    mine = _base(tmp_path / "mine.kodebok")
    other = tmp_path / "other.kodebok"
    shutil.copy(mine, other)
    with Project.open(other) as p:
        coding.code_segment(p, "nordvik_rektor", 1, "Rapportering", coder="ola")
        p.conn.execute(
            "UPDATE codings SET status = 'review', anchor_text = 'Vi rapporterte hvert tertial.'"
        )
    with Project.open(mine) as p:
        merge_project(p, other, coder="kari")
        rows = p.conn.execute("SELECT coder, status, anchor_text FROM codings").fetchall()
    assert [tuple(r) for r in rows] == [("ola", "review", "Vi rapporterte hvert tertial.")]
