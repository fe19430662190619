"""Builds the small NLP test project: four hand-written interviews, a codebook and codings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.services.codes import create_code
from kodebok.services.coding import code_segment
from kodebok.services.documents import ImportOptions, store_parsed
from kodebok.store import Project

HERE = Path(__file__).resolve().parent
LANGUAGES = {"fjellbygd_kommunedirektor": "nn"}
CASES = {
    "nordvik_radmann": "Nordvik",
    "fjellbygd_kommunedirektor": "Fjellbygd",
    "elvestad_enhetsleder": "Elvestad",
    "storsjo_ordforer": "Storsjø",
}


def parsed(name: str, text: str, language: str = "nb") -> ParsedDocument:
    """A transcript whose lines are ``LABEL: text`` turns (``I`` is the interviewer)."""
    body = ""
    turns: list[Turn] = []
    for line in text.strip().splitlines():
        label, _, said = line.partition(": ")
        start = len(body)
        body += said
        turns.append(Turn(start, len(body), label))
        body += "\n\n"
    return ParsedDocument(
        name=name,
        source=f"{name}.txt",
        kind="intervju",
        text=body,
        turns=tuple(turns),
        interviewers=frozenset({"I"}),
        language=language,
    )


def add_document(project: Project, name: str, text: str, language: str = "nb") -> None:
    """Store one transcript without the NLP pass (tests run it themselves)."""
    store_parsed(project, parsed(name, text, language), ImportOptions(case=CASES.get(name)))


def add_codes(project: Project) -> None:
    """The test codebook (one code without description, one without anything but a name)."""
    for spec in json.loads((HERE / "codes.json").read_text(encoding="utf-8")):
        create_code(
            project,
            spec["path"],
            coder="tester",
            description=spec.get("description", ""),
            keywords=spec.get("keywords", []),
        )


def build(project: Project, *, codings: bool = True) -> None:
    """All four interviews, the codebook and (optionally) the codings."""
    for path in sorted(HERE.glob("*.txt")):
        add_document(
            project, path.stem, path.read_text(encoding="utf-8"), LANGUAGES.get(path.stem, "nb")
        )
    add_codes(project)
    if codings:
        with (HERE / "codings.csv").open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                code_segment(
                    project, row["document"], int(row["segment_idx"]), row["code"], coder="tester"
                )
