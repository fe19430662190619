"""WebVTT and SRT transcripts: cues merged into speaker turns with timestamps."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.errors import DocumentReadError
from kodebok.ingest import read_document

DATA = Path(__file__).resolve().parent.parent / "data" / "ingest"


def test_vtt_consecutive_cues_of_one_speaker_become_one_turn() -> None:
    doc = read_document(DATA / "whisper.vtt")
    assert [(t.speaker, doc.text[t.start : t.end], t.t_start, t.t_end) for t in doc.turns] == [
        ("SPEAKER_00", "Kan du fortelle om lederavtalene?", 1.0, 4.5),
        ("SPEAKER_01", "Ja. Vi fikk dem i 2020. De følges opp i medarbeidersamtalen.", 5.0, 12.75),
        ("SPEAKER_00", "Og hvordan fungerer det?", 13.0, 15.0),
        ("SPEAKER_01", "Det fungerer godt, synes jeg.", 15.5, 19.25),
    ]
    assert doc.kind == "intervju"


def test_vtt_text_is_readable_lines_with_timestamp_and_label() -> None:
    doc = read_document(DATA / "whisper.vtt")
    assert doc.text.split("\n\n")[1] == (
        "[00:00:05] SPEAKER_01: Ja. Vi fikk dem i 2020. De følges opp i medarbeidersamtalen."
    )


def test_srt_cues_are_merged_the_same_way() -> None:
    doc = read_document(DATA / "whisper.srt")
    assert [(t.speaker, doc.text[t.start : t.end], t.t_start, t.t_end) for t in doc.turns] == [
        ("SPEAKER_00", "Hvordan startet arbeidet?", 1.0, 3.0),
        ("SPEAKER_01", "Det startet med en ståstedsanalyse. Så kom styringskortene.", 3.5, 9.4),
    ]


def test_vtt_voice_names_and_interviewer(tmp_path: Path) -> None:
    path = tmp_path / "samtale.vtt"
    path.write_text(
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:02.000\n<v Intervjuer>Velkommen.</v>\n\n"
        "00:00:02.500 --> 00:00:04.000\n<v Kari Nordmann>Takk, <i>veldig</i> hyggelig.</v>\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == [
        ("Intervjuer", "Velkommen."),
        ("Kari Nordmann", "Takk, veldig hyggelig."),
    ]
    assert doc.interviewers == frozenset({"Intervjuer"})


def test_cues_without_speakers_are_grouped_until_a_pause(tmp_path: Path) -> None:
    path = tmp_path / "uten.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nFørste setning.\n\n"
        "2\n00:00:02,100 --> 00:00:03,000\nAndre setning.\n\n"
        "3\n00:00:08,000 --> 00:00:09,000\nEtter en lang pause.\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert [(t.speaker, doc.text[t.start : t.end]) for t in doc.turns] == [
        (None, "Første setning. Andre setning."),
        (None, "Etter en lang pause."),
    ]
    assert doc.kind == "dokument"


def test_vtt_in_windows_1252_with_crlf_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gammel.vtt"
    path.write_bytes(
        "WEBVTT\r\n\r\n00:00:01.000 --> 00:00:02.000\r\nIP: Økonomien er stram.\r\n".encode(
            "cp1252"
        )
    )
    doc = read_document(path)
    assert doc.text == "[00:00:01] IP: Økonomien er stram."


def test_malformed_vtt_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "feil.vtt"
    path.write_text("Dette er ikke en undertekstfil.\n", encoding="utf-8")
    with pytest.raises(DocumentReadError, match=r"^feil.vtt: "):
        read_document(path)


def test_srt_without_cues_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "tom.srt"
    path.write_text("bare tekst\nher\n", encoding="utf-8")
    with pytest.raises(DocumentReadError, match=r"^tom.srt: "):
        read_document(path)
