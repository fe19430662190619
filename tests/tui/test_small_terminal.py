"""At 80×24: the agreement screen's footer keeps the keys to the other analyses, and the side
panel that a suggestion key opens closes again once it has served."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kodebok.services.codes import create_code
from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.tui.app import make_app
from kodebok.tui.screens.agreement import AgreementScreen
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.screens.help import HelpScreen
from kodebok.tui.widgets.suggestions import SuggestionPanel
from tests.tui.conftest import CODER, rows, screen_text

pytestmark = pytest.mark.anyio

SMALL = (80, 24)


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


@pytest.mark.parametrize(
    ("language", "keys", "long_words"),
    [
        (
            "nb",
            ("M Matrise", "P Til stede", "Q QCA", "k Behold", "d Fjern"),
            "Behold koden for begge",
        ),
        ("en", ("M Matrix", "P Presence", "Q QCA", "k Keep", "d Drop"), "Keep the code for both"),
    ],
)
async def test_the_agreement_footer_shows_every_screen_key_at_80x24(
    tui_project: Path, language: str, keys: tuple[str, ...], long_words: str
) -> None:
    with Project.open(tui_project) as p:
        code_segment(p, "nordvik_radmann", 3, "Helhetsperspektiv", coder=CODER)
    app = make_app(tui_project, coder=CODER, language=language)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, AgreementScreen), "agreement screen")
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        for key in keys:
            assert key in footer, footer
        await pilot.press("Q")  # the key in the footer works
        await until(pilot, lambda: type(app.screen).__name__ == "QcaScreen", "QCA screen")
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, AgreementScreen), "agreement again")
        await pilot.press("question_mark")  # help still says it in whole words
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        await pilot.pause()
        assert long_words in screen_text(app)


def suggestions_on(path: Path) -> None:
    """Suggestions switched on, and a code that the second segment suggests."""
    with Project.open(path) as project:
        project.set_setting("tui.suggestions", "on")
        create_code(
            project,
            "Planer",
            coder=CODER,
            keywords=("kommuneplan", "handlingsplan", "lederavtaler"),
        )


def my_codings(path: Path) -> list[tuple[int, str]]:
    return rows(
        path,
        "SELECT s.idx, c.name FROM codings k JOIN segments s ON s.id = k.segment_id "
        "JOIN codes c ON c.id = k.code_id WHERE k.coder = ? ORDER BY s.idx",
        (CODER,),
    )


async def open_suggestions(app: Any, pilot: Any) -> SuggestionPanel:
    """On the second segment, press a: the side panel opens with its suggestions."""
    screen = app.screen
    assert isinstance(screen, CodingScreen)
    assert not screen.query_one("#side").display
    await pilot.press("a")
    await pilot.pause()
    assert screen.query_one("#side").display
    panel = screen.query_one(SuggestionPanel)
    await until(pilot, lambda: not panel.loading and bool(panel.suggestions), "suggestions")
    await pilot.pause()
    return panel


async def test_the_side_panel_a_opened_closes_after_accepting_at_80x24(tui_project: Path) -> None:
    suggestions_on(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        await pilot.press("j")
        panel = await open_suggestions(app, pilot)
        best = panel.suggestions[0].code
        await pilot.press("a")
        await until(pilot, lambda: bool(my_codings(tui_project)), "the coding")
        await until(pilot, lambda: not app.screen.query_one("#side").display, "panel closed")
        assert my_codings(tui_project) == [(1, best)]
        assert "Planer" in screen_text(app)  # the transcript has its width back, with the chip


async def test_esc_closes_the_side_panel_a_opened_and_stays_on_the_document(
    tui_project: Path,
) -> None:
    suggestions_on(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        await pilot.press("j")
        await open_suggestions(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert not app.screen.query_one("#side").display
        await pilot.press("escape")  # the next Esc goes back, as always
        await until(pilot, lambda: not isinstance(app.screen, CodingScreen), "the library")


async def test_rejecting_closes_it_too_and_b_keeps_it_open(tui_project: Path) -> None:
    suggestions_on(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        await pilot.press("j")
        await open_suggestions(app, pilot)
        await pilot.press("r")
        await until(pilot, lambda: not app.screen.query_one("#side").display, "panel closed")
        assert rows(tui_project, "SELECT accepted FROM suggestion_feedback") == [(0,)]
        # b is the researcher's own choice: the panel then stays after a suggestion is taken
        await pilot.press("b")
        await pilot.pause()
        assert app.screen.query_one("#side").display
        await pilot.press("j", "j", "a")  # segment #4 suggests Medvirkning
        await until(pilot, lambda: bool(my_codings(tui_project)), "the coding")
        await pilot.pause()
        assert app.screen.query_one("#side").display
