"""Bad input of any kind gives a DocumentReadError, never another exception."""

from __future__ import annotations

import tempfile
from pathlib import Path

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_pdf import make_pdf  # tests/unit is on sys.path (rootdir-relative import)

from kodebok.errors import DocumentReadError
from kodebok.ingest import read_document, segment_transcript


def _valid_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("I: Hvordan startet arbeidet med styringskortet?")
    document.add_paragraph("IP: Med en ståstedsanalyse i alle enhetene.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.docx"
        document.save(str(path))
        return path.read_bytes()


VALID = {
    ".docx": _valid_docx(),
    ".pdf": make_pdf([["I: Hvordan startet det?", "IP: Med en ståstedsanalyse."]]),
    ".rtf": rb"{\rtf1\ansi I: Hvordan g\'e5r det?\par IP: Fint.\par}",
    ".vtt": b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v IP>Hei.\n",
    ".srt": b"1\n00:00:01,000 --> 00:00:02,000\nIP: Hei.\n",
    ".txt": b"---\ncase: Nordvik\n---\nI: Hei.\nIP: Hallo.\n",
}


def _read(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fil{suffix}"
        path.write_bytes(data)
        try:
            doc = read_document(path)
        except DocumentReadError as exc:
            assert str(exc).startswith(f"fil{suffix}")
            return
        for turn in doc.turns:
            assert 0 <= turn.start < turn.end <= len(doc.text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from(sorted(VALID)), data=st.binary(max_size=2000))
def test_random_bytes_in_any_format_raise_only_document_read_error(
    suffix: str, data: bytes
) -> None:
    _read(suffix, data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suffix=st.sampled_from(sorted(VALID)), cut=st.floats(0, 1), flips=st.data())
def test_damaged_valid_files_raise_only_document_read_error(
    suffix: str, cut: float, flips: st.DataObject
) -> None:
    data = bytearray(VALID[suffix][: max(1, int(len(VALID[suffix]) * cut))])
    for _ in range(flips.draw(st.integers(0, 4))):
        i = flips.draw(st.integers(0, len(data) - 1))
        data[i] = flips.draw(st.integers(0, 255))
    _read(suffix, bytes(data))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("IP:R [](0123456789)*#\n Ååæø.-_Kari")), max_size=300))
def test_turns_always_index_the_text_in_order(text: str) -> None:
    turns, _ = segment_transcript(text)
    previous_end = 0
    for turn in turns:
        assert previous_end <= turn.start < turn.end <= len(text)
        assert text[turn.start : turn.end] == text[turn.start : turn.end].strip()
        previous_end = turn.end
