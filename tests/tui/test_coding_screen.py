"""The coding screen, driven by real key presses: the database and the screen must agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.dialogs.picker import ChoiceDialog, CodePicker
from kodebok.tui.dialogs.simple import MemoDialog
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.widgets.transcript import TranscriptView
from tests.tui.conftest import CODER, Notices, rows, screen_text

# Textual runs on asyncio: every async test here runs through anyio's plugin
pytestmark = pytest.mark.anyio

SIZE = (120, 40)


def app_on(path: Path, document: str = "nordvik_radmann") -> KodebokApp:
    """The app opened straight on a document's coding screen."""
    return make_app(path, coder=CODER, document=document)


def my_codings(path: Path) -> list[tuple[int, str]]:
    """(segment idx, code name) of the test coder's codings."""
    return rows(
        path,
        "SELECT s.idx, c.name FROM codings k JOIN segments s ON s.id = k.segment_id "
        "JOIN codes c ON c.id = k.code_id WHERE k.coder = ? ORDER BY s.idx, c.name",
        (CODER,),
    )


def view(app: KodebokApp) -> TranscriptView:
    return app.screen.query_one(TranscriptView)


def transcript_text(app: KodebokApp) -> str:
    """The visible lines of the transcript (not the code tree beside it)."""
    v = view(app)
    return "\n".join(v.render_line(y).text for y in range(v.size.height))


async def test_digit_applies_the_code_with_that_shortcut(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("j", "1")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Helhetsperspektiv")]
        assert "■ Helhetsperspektiv" in transcript_text(app)


async def test_picker_and_enter_code_the_segment(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j", "c")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"medvirk", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert my_codings(tui_project) == [(3, "Medvirkning")]
        assert "■ Medvirkning" in transcript_text(app)


async def test_picker_finds_codes_by_keyword(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "enter")
        await pilot.press(*"involvering", "enter")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Medvirkning")]


async def test_typing_a_new_name_creates_the_code_and_one_undo_removes_both(
    tui_project: Path,
) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "c", *"Ledelse", "enter")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Ledelse")]
        assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Ledelse'") == [(1,)]
        assert "Ledelse" in transcript_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert my_codings(tui_project) == []
        assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Ledelse'") == [(0,)]


async def test_u_undoes_and_ctrl_r_redoes(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "2")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Styringssystem")]
        await pilot.press("u")
        await pilot.pause()
        assert my_codings(tui_project) == []
        assert view(app).segments[1].codings[0].coder != CODER  # only ola's coding is left
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Styringssystem")]
        assert "■ Styringssystem" in transcript_text(app)


async def test_x_removes_the_only_code(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "1")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert my_codings(tui_project) == []
        assert "■ Helhetsperspektiv" not in transcript_text(app)


async def test_x_asks_which_code_when_there_are_several(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "1", "2", "x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Helhetsperspektiv")]


async def test_m_writes_a_memo_on_the_segment(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "m")
        await pilot.pause()
        assert isinstance(app.screen, MemoDialog)
        await pilot.press(*"Sterk rådmann", "ctrl+s")
        await pilot.pause()
        memos = rows(tui_project, "SELECT target_kind, text, author FROM memos")
        assert memos == [("segment", "Sterk rådmann", CODER)]
        assert "✎" in transcript_text(app)


async def test_v_selects_words_and_enter_codes_the_span(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "v", "l", "l", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"styring", "enter")
        await pilot.pause()
        text = rows(
            tui_project,
            'SELECT substr(d.text, k.start + 1, k."end" - k.start) FROM codings k '
            "JOIN documents d ON d.id = k.document_id WHERE k.coder = ?",
            (CODER,),
        )
        assert text == [("Vi har et",)]
        assert view(app).selection is None


async def test_span_keys_grow_and_shrink_the_selection(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "v", "right", "right", "right", "left")
        assert view(app).selection == (0, 2)
        await pilot.press("L")
        assert view(app).selection == (1, 2)
        await pilot.press("escape")
        assert view(app).selection is None
        assert isinstance(app.screen, CodingScreen)


async def test_n_and_p_jump_between_uncoded_informant_segments(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert view(app).current == 1  # segment 0 is the interviewer
        await pilot.press("1", "n")
        assert view(app).current == 3
        await pilot.press("n")
        assert view(app).current == 5
        await pilot.press("p", "p")
        assert view(app).current == 3  # segment 1 is coded already, so nothing before 3


async def test_movement_keys(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("G")
        assert view(app).current == 5
        await pilot.press("g")
        assert view(app).current == 0
        await pilot.press("down", "down", "up")
        assert view(app).current == 1
        await pilot.press("pagedown")
        assert view(app).current > 1
        await pilot.press("pageup")
        assert view(app).current <= 1
        assert "segment" in screen_text(app)


async def test_status_line_shows_document_segment_coder_language(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        await pilot.pause()
        last_lines = screen_text(app).splitlines()[-2]
        assert "nordvik_radmann" in last_lines
        assert "segment 3/6" in last_lines
        assert f"koder: {CODER}" in last_lines
        assert "språk: bokmål" in last_lines  # the document's language, not the UI's


async def test_interviewer_and_other_coders_are_shown_and_o_hides_others(
    tui_project: Path,
) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "◇ Styringssystem · ola" in transcript_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert "◇ Styringssystem" not in transcript_text(app)
        assert "andre skjult" in screen_text(app)
        await pilot.press("o")
        await pilot.pause()
        assert "◇ Styringssystem · ola" in transcript_text(app)


async def test_enter_in_the_code_tree_applies_that_code(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "tab")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Styringssystem")]


async def test_escape_goes_back_to_the_library(tui_project: Path) -> None:
    app = app_on(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_a_digit_without_a_code_only_warns(
    tui_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_on(tui_project)
    notices = Notices(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "9")
        await pilot.pause()
        assert my_codings(tui_project) == []
        assert "Ingen kode har hurtigtasten 9" in notices.text()
