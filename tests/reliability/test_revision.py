"""Importing a revised transcript re-anchors codings: moved, flagged for review, or orphaned."""

from __future__ import annotations

import random
from pathlib import Path

from kodebok.services import codes, coding
from kodebok.services.documents import ImportOptions
from kodebok.services.importing import import_file
from kodebok.store import Project

SENTENCES = [
    "Vi innførte styringskort for alle enhetene i kommunen i 2019.",
    "Tillitsvalgte ble involvert tidlig gjennom partssamarbeidet.",
    "Rapporteringen skjer hvert tertial til formannskapet og kommunestyret.",
    "Lederavtalene gjør ansvaret tydeligere for enhetslederne.",
    "Brukerundersøkelsene gir oss et ganske godt bilde av tjenestene.",
    "Det er krevende å finne tid til analyse i en liten kommune som vår.",
    "Oppslutningen om systemet varierer en del mellom sektorene.",
    "Kommunedirektøren har vært en tydelig pådriver for hele arbeidet.",
    "Vi bruker KOSTRA-tall og Kommunebarometeret når vi sammenligner oss.",
    "Medarbeiderundersøkelsen ble gjennomført høsten 2022 med god svarprosent.",
]


def _transcript(rng: random.Random, words: int = 4000) -> str:
    lines = ["---", "case: Nordvik", "speakers:", "  I: {interviewer: true}", "---"]
    count = 0
    turn = 0
    while count < words:
        turn += 1
        lines.append(f"I: Spørsmål nummer {turn}, kan du utdype?")
        answer = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 8)))
        lines.append(f"IP: Svar {turn}. {answer}")
        count += len(answer.split()) + 6
    return "\n".join(lines) + "\n"


def _revise(text: str, rng: random.Random) -> tuple[str, list[str], list[str]]:
    """20 realistic edits: 10 word corrections, 3 removed passages, 4 added, 3 re-wraps."""
    lines = text.split("\n")
    body = [i for i, line in enumerate(lines) if line.startswith("IP: Svar")]
    chosen = rng.sample(body, 20)
    removed: list[str] = []
    added: list[str] = []
    for n, i in enumerate(chosen):
        line = lines[i]
        if n < 10:  # a corrected word
            lines[i] = (
                line.replace("kommunen", "kommuna", 1)
                .replace("ganske", "veldig", 1)
                .replace("tydelig", "klar", 1)
            )
        elif n < 13:  # a whole answer removed (e.g. off the record)
            removed.append(line[4:])
            lines[i] = "IP: (Informanten ba om at dette ble strøket.)"
        elif n < 17:  # a passage added to an answer
            extra = " Det vil jeg legge til i ettertid: vi evaluerer ordningen neste år."
            added.append(extra)
            lines[i] = line + extra
        else:  # hard line break inserted, as when a transcriber re-wraps the text
            cut = line.find(" ", len(line) // 2)
            lines[i] = line[:cut] + "\n" + line[cut + 1 :]
    return "\n".join(lines), removed, added


def test_a_realistic_revision_keeps_every_coding(tmp_path: Path, project: Project) -> None:
    rng = random.Random(7)
    original = _transcript(rng)
    path = tmp_path / "nordvik_radmann.txt"
    path.write_text(original, encoding="utf-8")
    import_file(project, path)
    codes.create_code(project, "Styring", coder="kari")
    codes.create_code(project, "Ledelse", coder="kari")
    segs = project.conn.execute(
        "SELECT s.idx, s.text FROM segments s JOIN speakers sp ON sp.id = s.speaker_id "
        "WHERE sp.interviewer = 0 ORDER BY s.idx"
    ).fetchall()
    for idx, seg_text in segs:
        coding.code_segment(project, "nordvik_radmann", idx, "Styring", coder="kari")
        if "Lederavtalene" in seg_text:
            seg = project.conn.execute(
                "SELECT start FROM segments WHERE idx = ?", (idx,)
            ).fetchone()[0]
            at = seg + seg_text.index("Lederavtalene")
            coding.code_segment(
                project,
                "nordvik_radmann",
                idx,
                "Ledelse",
                coder="kari",
                span=(at, at + len("Lederavtalene gjør ansvaret tydeligere")),
            )
    before = coding.export_codings(project)
    revised, removed, _ = _revise(original, rng)
    path.write_text(revised, encoding="utf-8")
    result = import_file(project, path, ImportOptions(update=True))
    after = coding.export_codings(project)
    details = result.details
    assert len(after) == len(before), "no coding may be dropped"
    from rapidfuzz import fuzz

    flagged = {(o["old_start"], o["old_end"]) for o in details["orphaned"] + details["review"]}
    assert len(details["orphaned"]) >= 1
    for b in before:
        if b["text"] in removed:  # a coding on a deleted answer is never silently "ok"
            assert (b["start"], b["end"]) in flagged
    old_text = {(b["code"], b["start"]): b["text"] for b in before}
    assert len(old_text) == len(before)
    for row in after:
        assert row["status"] in ("ok", "review", "orphaned")
        if row["status"] == "ok":  # ok only with the coded text unchanged (up to whitespace)
            assert any(
                row["text"].split() == t.split()
                for (c, _), t in old_text.items()
                if c == row["code"]
            )
        elif row["status"] == "review":
            assert any(
                fuzz.ratio(row["text"], t) >= 60
                for (c, _), t in old_text.items()
                if c == row["code"]
            )
    # the removed answers' codings are orphans with their text, not moved onto a similar answer
    orphaned = sorted(r["text"] for r in after if r["status"] == "orphaned")
    assert len([t for t in removed if t in old_text.values()]) == 3
    assert sorted(t for t in removed if t in old_text.values()) == [
        t for t in orphaned if t in removed
    ]
    assert all(r["text"] for r in after)
    print(
        f"\nrevision: {len(before)} codings; {details['unchanged']} unchanged, "
        f"{details['moved']} moved, {len(details['review'])} need review, "
        f"{len(details['orphaned'])} orphaned"
    )
