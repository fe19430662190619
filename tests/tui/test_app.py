"""The app as a whole: locked projects, small terminals, help, palette, language, big transcripts."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from kodebok.services.documents import store_parsed
from kodebok.store import Project
from kodebok.tui.app import make_app
from kodebok.tui.bench import measure_tui, synthetic_transcript
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.screens.help import HelpScreen
from kodebok.tui.screens.library import LibraryScreen
from kodebok.tui.widgets.transcript import TranscriptView, wrap_words
from tests.tui.conftest import CODER, Notices, rows, screen_text

# Textual runs on asyncio: every async test here runs through anyio's plugin
pytestmark = pytest.mark.anyio

SIZE = (120, 40)


async def test_a_write_while_another_program_holds_the_lock_is_retried(
    tui_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    notices = Notices(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        other = sqlite3.connect(str(tui_project), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("j", "1")
            await pilot.pause()
            assert "låst av et annet program" in notices.text()
        finally:
            other.execute("ROLLBACK")
            other.close()
        await pilot.pause(1.5)
        assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(1,)]
        assert "ledig igjen" in notices.text()


async def test_opening_a_locked_project_shows_a_message_and_retries(tui_project: Path) -> None:
    other = sqlite3.connect(str(tui_project), isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    app = make_app(tui_project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        try:
            deadline = time.monotonic() + 5
            while "låst av et annet program" not in " ".join(screen_text(app).split()):
                assert time.monotonic() < deadline, screen_text(app)
                await pilot.pause(0.1)
            assert not isinstance(app.screen, LibraryScreen)
        finally:
            other.execute("ROLLBACK")
            other.close()
        deadline = time.monotonic() + 5
        while not isinstance(app.screen, LibraryScreen) and time.monotonic() < deadline:
            await pilot.pause(0.2)
        assert isinstance(app.screen, LibraryScreen)


async def test_a_damaged_file_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "ikke.kodebok"
    bad.write_bytes(b"this is not sqlite at all" * 10)
    app = make_app(bad, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Kan ikke åpne prosjektet" in screen_text(app)


async def test_80_by_24_terminal_still_works(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert not app.screen.query_one("#side").display  # the code panel gives way
        await pilot.press("j", "1")
        await pilot.pause()
        assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(1,)]
        text = screen_text(app)
        assert "■ Helhetsper" in text
        assert all(len(line) <= 80 for line in text.splitlines())
        await pilot.press("b")
        await pilot.pause()
        assert app.screen.query_one("#side").display


async def test_question_mark_shows_the_keys_of_the_screen(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for expected in ("Neste ukodet", "Notat", "Velg ord", "Angre", "Gjør om", "1–9"):
            assert expected in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)


async def test_command_palette_applies_a_code(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"Kod segmentet med Initiering")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert rows(
            tui_project,
            "SELECT c.name FROM codings k JOIN codes c ON c.id = k.code_id WHERE k.coder = ?",
            (CODER,),
        ) == [("Initiering",)]


async def test_english_ui_when_chosen(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, language="en", document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "coder: kari" in text
        assert "Next uncoded" in text
    from kodebok.i18n import set_language

    set_language("nb")


async def test_a_1500_segment_transcript_renders_only_what_is_visible(tmp_path: Path) -> None:
    path = tmp_path / "stor.kodebok"
    with Project.create(path) as project:
        store_parsed(project, synthetic_transcript(name="lang"))
    app = make_app(path, coder=CODER, document="lang")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(TranscriptView)
        assert len(view.segments) == 1500
        assert view.built_segments < 20  # segment lines are built only for what was shown
        await pilot.press("G")
        await pilot.pause()
        assert view.current == 1499
        assert "#1500" in screen_text(app)
        assert "02:29:54" in screen_text(app)  # t_start of the last turn (6 s apart)
        assert view.built_segments < 40


def test_wrap_words_keeps_lines_within_the_width() -> None:
    text = "Det va ingen samanheng mellom ka me sa i kommuneplanen og ka me faktisk gjorde"
    import re

    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    for width in (10, 20, 37):
        for first, end in wrap_words(words, width):
            line = " ".join(text[s:e] for s, e in words[first:end])
            assert len(line) <= width or end - first == 1


def test_synthetic_transcript_has_the_benchmark_size() -> None:
    doc = synthetic_transcript()
    assert len(doc.turns) == 1500
    assert 19_000 <= len(doc.text.split()) - 1500 <= 21_000  # minus the speaker labels


async def test_measure_tui_reports_open_time_and_key_latency(tmp_path: Path) -> None:
    from kodebok.tui.bench import build_bench_project

    path, name = build_bench_project(tmp_path)
    result = await measure_tui(path, name, "bench", presses=5)
    assert result["segments"] == 1500
    assert result["codings_in_db"] == 5
    assert result["move"]["n"] == 5
    assert result["code"]["n"] == 5
    assert result["open_ms"] > 0
    assert result["move"]["median_ms"] > 0


async def test_command_palette_lists_the_screen_actions(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"Notat")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "MemoDialog"


async def test_a_document_without_segments_does_not_break_the_coding_screen(
    tmp_path: Path,
) -> None:
    from kodebok.ingest.model import ParsedDocument

    path = tmp_path / "tom.kodebok"
    with Project.create(path) as project:
        store_parsed(
            project,
            ParsedDocument(
                name="tom", source="tom.txt", kind="intervju", text="(ingen tale)", turns=()
            ),
        )
    app = make_app(path, coder=CODER, document="tom")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "c", "1", "x", "m", "v", "n", "G", "pagedown")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert "segment 0/0" in screen_text(app)


async def test_resizing_to_80_columns_hides_the_code_panel(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#side").display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.screen.query_one("#side").display
        await pilot.press("j", "1")
        await pilot.pause()
        assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(1,)]
