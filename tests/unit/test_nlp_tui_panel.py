"""The coding screen's suggestion panel, driven by key presses (a, s + digit, r)."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest

from kodebok.store import Project

DATA = Path(__file__).resolve().parent.parent / "data" / "nlp"
SIZE = (120, 40)
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"


@pytest.fixture
def built(project_path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("nlp_fixture", DATA / "fixture_project.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Project.open(project_path) as project:
        module.build(project)
    return project_path


def codings(path: Path) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(str(path))
    try:
        return list(
            conn.execute(
                "SELECT s.idx, c.name, k.origin FROM codings k JOIN segments s ON s.id = "
                "k.segment_id JOIN codes c ON c.id = k.code_id JOIN documents d ON "
                "d.id = k.document_id WHERE d.name = 'storsjo_ordforer' ORDER BY s.idx"
            )
        )
    finally:
        conn.close()


async def wait_for_suggestions(pilot: object, panel: object) -> None:
    for _ in range(100):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if not panel.loading:  # type: ignore[attr-defined]
            return
    raise AssertionError("suggestions never arrived")


async def test_first_a_opens_the_panel_then_a_accepts_the_best(built: Path) -> None:
    from kodebok.tui.app import make_app
    from kodebok.tui.widgets.suggestions import SuggestionPanel

    app = make_app(built, coder="tester", document="storsjo_ordforer")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(SuggestionPanel)
        assert not panel.shown  # hidden until asked for: the screen looks as before
        await pilot.press("j", "j", "j", "j", "j", "a")  # segment 5: lederavtaler
        assert panel.shown
        await wait_for_suggestions(pilot, panel)
        assert panel.suggestions[0].code == "Metoder/Lederavtaler"
        await pilot.press("a")
        await pilot.pause()
        assert codings(built) == [(5, "Lederavtaler", "suggestion")]


async def test_s_then_digit_accepts_the_nth_and_r_rejects(built: Path) -> None:
    from kodebok.tui.app import make_app
    from kodebok.tui.widgets.suggestions import SuggestionPanel

    app = make_app(built, coder="tester", document="storsjo_ordforer")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(SuggestionPanel)
        await pilot.press("j", "j", "j", "j", "j", "j", "j", "j", "j", "s")  # segment 9
        await wait_for_suggestions(pilot, panel)
        best = panel.suggestions[0].code
        await pilot.press("r")
        await pilot.pause()
        await wait_for_suggestions(pilot, panel)
        assert best not in [s.code for s in panel.suggestions]
        second = panel.nth(1)
        assert second is not None
        await pilot.press("s", "1")
        await pilot.pause()
        assert codings(built) == [(9, second.code.split("/")[-1], "suggestion")]
    with Project.open(built) as project:
        assert project.get_setting("tui.suggestions") == "on"  # open next time too
