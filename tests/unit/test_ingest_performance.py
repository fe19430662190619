"""A long transcript is read whole: every turn found, with its speaker label.

How fast (0.1 s of CPU time for 20,000 words) is ``kodebok bench``'s input-limits stage: as a
test assertion it failed on a busy machine.
"""

from __future__ import annotations

from pathlib import Path

from kodebok.bench.stages import long_transcript
from kodebok.ingest import read_document


def test_twenty_thousand_word_transcript_reads_every_turn(tmp_path: Path) -> None:
    text = long_transcript(20_000)
    path = tmp_path / "langt.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    lines = text.splitlines()[2:]  # a title and a blank line, then one turn per line
    title, *turns = doc.turns
    assert title.speaker is None
    assert doc.text[title.start : title.end] == text.splitlines()[0]
    assert len(turns) == len(lines) > 1500
    assert {t.speaker for t in turns} == {"I", "IP", "Leder 2", "Rådmann"}
    said = [line.split(": ", 1)[1] for line in lines]
    assert [doc.text[t.start : t.end] for t in turns] == said
