"""The sample corpus and ready codebooks: every file reads, with the speakers it should have."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.codebook import read_codebook
from kodebok.ingest import iter_supported_files, read_document

ROOT = Path(__file__).resolve().parents[2]
TRANSCRIPTS = ROOT / "transcripts"

# file stem → (speaker labels, interviewer labels)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "nordvik_radmann": ({"I", "IP"}, {"I"}),
    "nordvik_rektor": ({"Intervjuer", "Rektor"}, {"Intervjuer"}),
    "nordvik_tillitsvalgt": ({"Intervjuer", "Hovedtillitsvalgt"}, {"Intervjuer"}),
    "nordvik_egenrapport_2023": (set(), set()),
    "fjellbygd_kommunedirektor": ({"I", "IP"}, {"I"}),
    "fjellbygd_utvalsleiar": ({"Intervjuar", "Utvalsleiar"}, {"Intervjuar"}),
    "fjellbygd_fokusgruppe_leiarar": (
        {"Moderator", *(f"Leder {i}" for i in range(1, 7))},
        {"Moderator"},
    ),
    "fjellbygd_tillitsvald": ({"Intervjuar", "Tillitsvald"}, {"Intervjuar"}),
    # subtitles carry no roles: speakers.csv marks SPEAKER_00 as the interviewer at import
    "elvestad_kommunalsjef": ({"SPEAKER_00", "SPEAKER_01"}, set()),
    "elvestad_ordforer": ({"Intervjuer", "Ordfører"}, {"Intervjuer"}),
    "elvestad_rektor": ({"Intervjuer", "Rektor"}, {"Intervjuer"}),
    "elvestad_tillitsvalgt": ({"Intervjuer", "Tillitsvalgt"}, {"Intervjuer"}),
    "storsjo_kommunedirektor": ({"I", "IP"}, {"I"}),
    "storsjo_kommunalsjef": ({"INTERVJUER", "KOMMUNALSJEF"}, {"INTERVJUER"}),
    "storsjo_rektor": ({"I", "R"}, {"I"}),
    "storsjo_utvalgsleder": ({"SPEAKER_00", "SPEAKER_01"}, set()),
    "storsjo_intervjurapport_enhetsleder": (set(), set()),  # speaker: set at import
}


def test_the_corpus_has_every_planned_document() -> None:
    stems = {p.stem for p in iter_supported_files(TRANSCRIPTS)} - {"README", "PLAN"}
    assert stems == set(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_each_transcript_reads_with_its_speakers(stem: str) -> None:
    path = next(p for p in iter_supported_files(TRANSCRIPTS) if p.stem == stem)
    doc = read_document(path)
    labels = {t.speaker for t in doc.turns if t.speaker}
    speakers, interviewers = EXPECTED[stem]
    assert labels == speakers
    front = doc.metadata.get("speakers") or {}
    marked = set(doc.interviewers) | {
        k for k, v in front.items() if isinstance(v, dict) and v.get("interviewer")
    }
    assert interviewers <= marked
    assert len(doc.text.split()) > 900
    assert len(doc.turns) >= 10


@pytest.mark.parametrize(
    "name",
    [
        "kommunekompasset.yaml",
        "malstyring_intervjuguide.yaml",
        "kapasitetsbygging_oppvekstnettverk.yaml",
    ],
)
def test_every_shipped_codebook_loads(name: str) -> None:
    book = read_codebook(ROOT / "codebooks" / name)
    paths = [p for p, _ in book.walk()]
    assert len(paths) >= 20
    assert all(spec.description for _, spec in book.walk())
