"""Navigation people expect (issue 18): search and back, focus, screen keys in the footer,
settings kept per project, the project's path, dialogs; one language at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.screens.library import LibraryScreen
from kodebok.tui.screens.search import SearchScreen
from kodebok.tui.widgets.transcript import TranscriptView
from tests.tui.conftest import CODER, rows, screen_text

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


def app_for(path: Path, language: str = "nb") -> KodebokApp:
    return make_app(path, coder=CODER, language=language)


async def wait_until(pilot: object, condition: object, tries: int = 200) -> None:
    """Pause until ``condition()`` holds (the machine is shared: no fixed sleeps)."""
    for _ in range(tries):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError("condition never held")


async def search_for(pilot: object, app: KodebokApp, query: str) -> OptionList:
    """Type a query on the search screen, press Enter and wait for its hits."""
    await pilot.press(*query, "enter")  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, SearchScreen)
    await wait_until(pilot, lambda: screen.query_one("#search-count").render().plain != "")
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    return screen.query_one(OptionList)


# -- search ---------------------------------------------------------------------------------


async def test_esc_from_a_hit_returns_to_the_results_and_enter_keeps_the_field(
    tui_project: Path,
) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("slash")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        hits = await search_for(pilot, app, "styringssystem*")
        assert hits.option_count == 3
        # Enter searched, and the field still has the focus: typing goes on refining
        assert isinstance(app.focused, Input)
        await pilot.press("down")
        assert app.focused is hits
        second = search.hits[1]
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CodingScreen))
        coding = app.screen
        assert isinstance(coding, CodingScreen)
        await wait_until(pilot, lambda: bool(coding.query_one(TranscriptView).segments))
        assert coding.document_id == second.document_id
        assert coding.query_one(TranscriptView).current == second.idx
        # code the segment from here, then go back to the results
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is search)
        assert app.screen.query_one(Input).value == "styringssystem*"
        assert app.screen.query_one(OptionList).option_count == 3
        assert "3 treff" in screen_text(app)
        # and Esc from the results goes back where the search started
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
    assert rows(
        tui_project,
        "SELECT s.idx FROM codings c JOIN segments s ON s.id = c.segment_id "
        "JOIN codes k ON k.id = c.code_id WHERE c.coder = ? AND k.name = 'Styringssystem'",
        (CODER,),
    ) == [(second.idx,)]


async def test_slash_on_a_segment_opened_from_search_returns_to_the_same_results(
    tui_project: Path,
) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("slash")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        search = app.screen
        await search_for(pilot, app, "rådmannen")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CodingScreen))
        await pilot.press("slash")
        await wait_until(pilot, lambda: app.screen is search)
        assert len(app.screen_stack) == 3  # default, library, search: nothing piles up


BROYTING = [
    ("Moderator", "Korleis merkar de måla i kvardagen?"),
    ("Leder for teknisk drift", "Eg skal bidra med å brøyte vegen til skulen, som før."),
    ("Moderator", "Så det har ikkje endra så mykje?"),
    ("Leder for teknisk drift", "Nei, og det gjer ikkje brøytinga betre heller."),
]


@pytest.fixture
def broyting_project(tui_project: Path) -> Path:
    """The fixture project plus a focus group with a long speaker label."""
    from kodebok.services.documents import store_parsed
    from kodebok.store import Project
    from tests.tui.conftest import parsed

    project = Project.open(tui_project)
    try:
        store_parsed(project, parsed("fjellbygd_fokusgruppe_leiarar", "Fjellbygd", BROYTING))
    finally:
        project.close()
    return tui_project


async def test_fuzzy_search_finds_other_forms_and_shows_speakers_in_their_column(
    broyting_project: Path,
) -> None:
    app = app_for(broyting_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("slash")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        hits = await search_for(pilot, app, "~brøyting")
        lines = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert len(lines) == 2, lines
        assert "brøyte vegen" in lines[0]
        assert "brøytinga" in lines[1]
        # place, speaker and context each in their own column, at the same place on every line
        place = "fjellbygd_fokusgruppe_leiarar #2"
        assert lines[0].startswith(place)
        speaker_at = lines[0].index("Leder for")
        assert lines[1].index("Leder for") == speaker_at
        assert speaker_at > len(place)
        # the speaker is cut with an ellipsis in its own column, not glued to the document name
        assert "Leder for teknisk…" in lines[0] or "Leder for teknisk drift" in lines[0]
