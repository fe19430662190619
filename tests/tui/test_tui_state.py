"""The screen shows what the database has, chips say which code, keys are never lost (is18).

Races are reproduced with ``burst``: key events queued all at once, as a terminal delivers
them while the app is busy, instead of Pilot's one-key-then-wait.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import DataTable

from kodebok.services.codes import create_code
from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.screens.library import LibraryScreen
from kodebok.tui.session import short_labels
from kodebok.tui.widgets.code_tree import CodeTree
from kodebok.tui.widgets.suggestions import SuggestionPanel
from kodebok.tui.widgets.transcript import TranscriptView, chip_text, shorten_path
from tests.tui.conftest import CODER, OTHER, rows, screen_text

pytestmark = pytest.mark.anyio

WIDE = (120, 40)
SMALL = (80, 24)


def my_codings(path: Path) -> list[tuple[int, str, str]]:
    """(segment idx, code path, origin) of the test coder's codings in nordvik_radmann."""
    return rows(
        path,
        "SELECT s.idx, c.name, k.origin FROM codings k JOIN segments s ON s.id = k.segment_id "
        "JOIN codes c ON c.id = k.code_id JOIN documents d ON d.id = k.document_id "
        "WHERE k.coder = ? AND d.name = 'nordvik_radmann' ORDER BY s.idx, c.name",
        (CODER,),
    )


def transcript_text(app: KodebokApp) -> str:
    v = app.screen.query_one(TranscriptView)
    return "\n".join(v.render_line(y).text for y in range(v.size.height))


async def burst(app: KodebokApp, *keys: str) -> None:
    """Queue every key at once (no waiting between them), then let the app work them off."""
    for key in keys:
        char = key if len(key) == 1 else ("\r" if key == "enter" else None)
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)


async def until(
    pilot: Any, condition: Callable[[], bool], what: str | Callable[[], str], seconds: float = 60
) -> None:
    """Wait (in small pauses) until ``condition`` holds; the machine may be slow and loaded."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what() if callable(what) else what}")


def suggestions_on(path: Path) -> Path:
    """The panel open from the start, and a code that segment 1 suggests (segment 3: Medvirkning)."""
    with Project.open(path) as project:
        project.set_setting("tui.suggestions", "on")
        create_code(
            project,
            "Planer",
            coder=CODER,
            keywords=("kommuneplan", "handlingsplan", "lederavtaler"),
        )
    return path


# -- the screen shows what the database has --------------------------------------------------


async def test_undo_and_redo_update_the_gutter_at_once(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "1")
        await pilot.pause()
        assert "■ Helhetsperspektiv" in transcript_text(app)
        await pilot.press("u")  # undo a coding
        await pilot.pause()
        assert my_codings(tui_project) == []
        assert "■ Helhetsperspektiv" not in transcript_text(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Helhetsperspektiv", "manual")]
        assert "■ Helhetsperspektiv" in transcript_text(app)
        await pilot.press("x")  # a removal, undone
        await pilot.pause()
        assert "■ Helhetsperspektiv" not in transcript_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Helhetsperspektiv", "manual")]
        assert "■ Helhetsperspektiv" in transcript_text(app)
        assert app.screen.query_one(TranscriptView).current == 1  # no j/k needed


async def test_undo_of_create_and_apply_clears_chip_and_tree(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "c", *"Ledelse", "enter")
        await pilot.pause()
        assert "■ Ledelse" in transcript_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Ledelse'") == [(0,)]
        assert "Ledelse" not in screen_text(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Ledelse", "manual")]
        assert "■ Ledelse" in transcript_text(app)


def test_counts_are_never_cut_from_code_names() -> None:
    # the label logic alone: the name gives way, the shortcut next, the count never
    assert shorten_path("Administrativt initiert", 10) == "Administr…"
    assert chip_text("Oppslutning og lojalitet/Fremmer", "", 22) == "Oppslutning o…/Fremmer"
    assert chip_text("Ledelse/Fremmer", OTHER, 22) == "Ledelse/Fremmer · ola"
    assert chip_text("Oppslutning og lojalitet/Fremmer", OTHER, 22).endswith("…/Fremmer · ola")
    assert chip_text("Styringssystem", "a_very_long_coder_name", 14).startswith("Styr")
    assert len(chip_text("Styringssystem", "a_very_long_coder_name", 14)) == 14


async def test_code_tree_counts_are_whole_in_a_narrow_panel(tui_project: Path) -> None:
    with Project.open(tui_project) as project:
        create_code(project, "Praksis/Initiering/Administrativt initiert", coder=CODER)
        for doc, n in (("nordvik_radmann", 6), ("fjellbygd_ordforar", 4)):
            for idx in range(n):
                code_segment(project, doc, idx, "Administrativt initiert", coder=CODER)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    for size in (WIDE, SMALL):
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            if size == SMALL:
                await pilot.press("b")  # the side panel is hidden at 80 columns
                await pilot.pause()
            tree = app.screen.query_one(CodeTree)
            lines = [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]
            line = next(x for x in lines if "Administr" in x)
            assert line.endswith(" 10"), line
            assert line.rstrip().endswith("… 10") or "Administrativt initiert 10" in line
            assert any(x.endswith("Praksis 10") for x in lines)  # counts include children
        app = make_app(tui_project, coder=CODER, document="nordvik_radmann")


# -- chips say which code ---------------------------------------------------------------------


def test_short_labels_add_the_parent_only_where_a_name_repeats() -> None:
    from kodebok.models import Code

    codes = [
        Code(1, None, "Ledelse", "Ledelse"),
        Code(2, 1, "Fremmer", "Ledelse/Fremmer"),
        Code(3, None, "Oppslutning og lojalitet", "Oppslutning og lojalitet"),
        Code(4, 3, "Fremmer", "Oppslutning og lojalitet/Fremmer"),
        Code(5, 3, "Hemmer", "Oppslutning og lojalitet/Hemmer"),
    ]
    assert short_labels(codes) == {
        1: "Ledelse",
        2: "Ledelse/Fremmer",
        3: "Oppslutning og lojalitet",
        4: "Oppslutning og lojalitet/Fremmer",
        5: "Hemmer",
    }


@pytest.mark.parametrize("size", [WIDE, SMALL])
async def test_chips_tell_same_named_codes_apart_and_keep_the_coder(
    tui_project: Path, size: tuple[int, int]
) -> None:
    with Project.open(tui_project) as project:
        create_code(project, "Ledelse/Fremmer", coder=CODER)
        create_code(project, "Oppslutning og lojalitet/Fremmer", coder=CODER)
        code_segment(project, "nordvik_radmann", 1, "Ledelse/Fremmer", coder=CODER)
        code_segment(project, "nordvik_radmann", 1, "Oppslutning og lojalitet/Fremmer", coder=OTHER)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        text = transcript_text(app)
        assert "■ Ledelse/Fremmer" in text
        assert "…/Fremmer · ola" in text or "Oppslutning og lojalitet/Fremmer · ola" in text
        assert "◇ Styringssystem · ola" in text  # the fixture's other coding, coder in view


# -- keys are never swallowed or misdirected ------------------------------------------------


async def test_a_right_after_opening_accepts_the_current_segments_best(tui_project: Path) -> None:
    suggestions_on(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        await burst(app, "j", "a")  # before any suggestion has arrived
        await until(pilot, lambda: bool(my_codings(tui_project)), "the a to be done", 90)
        panel = app.screen.query_one(SuggestionPanel)
        await until(pilot, lambda: not panel.loading, "suggestions again", 90)
        assert my_codings(tui_project) == [(1, "Planer", "suggestion")]
        assert "■ Planer" in transcript_text(app)


async def test_a_after_moving_never_takes_the_previous_segments_suggestion(
    tui_project: Path,
) -> None:
    suggestions_on(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        panel = screen.query_one(SuggestionPanel)
        await pilot.press("j")
        await until(pilot, lambda: panel.segment_id == screen.view.segments[1].id, "seg 1")
        await until(pilot, lambda: not panel.loading, "suggestions for segment 1", 90)
        first = [s.code for s in panel.suggestions]
        await burst(app, "j", "j", "a")  # segment 3, while segment 1's list is on screen
        await until(pilot, lambda: bool(my_codings(tui_project)), "the a to be done", 90)
        coded = my_codings(tui_project)
        assert [idx for idx, _, _ in coded] == [3]
        await until(pilot, lambda: not panel.loading, "suggestions for segment 3", 90)
        assert panel.segment_id == screen.view.segments[3].id
        assert first[0] == "Planer"
        assert coded == [(3, "Medvirkning", "suggestion")]  # segment 3's best, not segment 1's


async def test_s_and_a_digit_right_after_moving_take_that_segments_nth(tui_project: Path) -> None:
    suggestions_on(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        await burst(app, "j", "j", "j", "s", "1")  # the 1 is the suggestion, not shortcut 1
        await until(pilot, lambda: bool(my_codings(tui_project)), "the s 1 to be done", 90)
        await pilot.pause()
        assert my_codings(tui_project) == [(3, "Medvirkning", "suggestion")]


async def test_keys_typed_into_the_picker_before_it_opened_reach_it(tui_project: Path) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        await burst(app, "j", "c", *"medvirk", "enter")  # m would be "memo" on the transcript
        await until(pilot, lambda: bool(my_codings(tui_project)), "the picker's Enter", 30)
        await pilot.pause()
        assert my_codings(tui_project) == [(1, "Medvirkning", "manual")]
        assert isinstance(app.screen, CodingScreen)


async def test_library_filter_and_enter_after_escape_open_the_filtered_document(
    tui_project: Path,
) -> None:
    app = make_app(tui_project, coder=CODER)
    async with app.run_test(size=WIDE) as pilot:
        await until(
            pilot,
            lambda: (
                isinstance(app.screen, LibraryScreen)
                and bool(app.screen.query(DataTable))
                and app.screen.query_one(DataTable).row_count == 2
            ),
            "the library's rows",
        )
        await pilot.press("enter")  # the first row: fjellbygd_ordforar
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        assert app.screen.document_name == "fjellbygd_ordforar"  # type: ignore[attr-defined]
        await burst(app, "escape", "escape", "f", *"nordvik", "enter", "enter")
        # the burst is queued, not handled yet: wait for where it must end, not for any screen
        await until(
            pilot,
            lambda: getattr(app.screen, "document_name", "") == "nordvik_radmann",
            lambda: (
                f"nordvik_radmann to open; on screen: {app.screen_stack}, "
                f"{getattr(app.screen, 'document_name', '')}"
            ),
            30,
        )
        await pilot.pause()
        assert isinstance(app.screen_stack[-2], LibraryScreen)  # no import dialog in between
        assert len(app.screen_stack) == 3


# -- small terminals ---------------------------------------------------------------------------


async def test_a_at_80x24_first_shows_the_suggestions_then_accepts(tui_project: Path) -> None:
    suggestions_on(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SMALL) as pilot:
        await until(pilot, lambda: isinstance(app.screen, CodingScreen), "coding screen")
        screen = app.screen
        panel = screen.query_one(SuggestionPanel)
        assert not screen.query_one("#side").display  # the panel is out of sight
        await pilot.press("j", "a")
        await pilot.pause()
        assert screen.query_one("#side").display
        await until(pilot, lambda: not panel.loading and bool(panel.suggestions), "suggestions")
        await pilot.pause()
        assert my_codings(tui_project) == []  # nothing accepted unseen
        best = panel.suggestions[0].code
        assert best.split("/")[-1] in screen_text(app)
        await pilot.press("a")
        await pilot.pause()
        assert [(i, c) for i, c, _ in my_codings(tui_project)] == [(1, best.split("/")[-1])]


@pytest.mark.parametrize("document", [None, "nordvik_radmann"])
async def test_footer_keeps_help_at_80x24(tui_project: Path, document: str | None) -> None:
    app = make_app(tui_project, coder=CODER, document=document)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert "? Hjelp" in screen_text(app).splitlines()[-1]


async def test_agreement_keeps_its_coder_columns_at_80x24(tui_project: Path) -> None:
    with Project.open(tui_project) as project:
        long = "Praksis/Medvirkning/En svært lang kode om medvirkning fra tillitsvalgte"
        create_code(project, long, coder=CODER)
        code_segment(project, "nordvik_radmann", 3, long, coder=CODER)
        code_segment(project, "nordvik_radmann", 1, "Styringssystem", coder=CODER)
        code_segment(project, "fjellbygd_ordforar", 1, long, coder=OTHER)
    app = make_app(tui_project, coder=CODER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("A")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "Ikke kodet av" in text
        line = next(x for x in text.splitlines() if x.lstrip().startswith("nordvik_radmann"))
        assert "En svært lang" in line
        assert CODER in line
        assert OTHER in line
        positives = next(x for x in text.splitlines() if x.lstrip().startswith("Styringssystem"))
        assert f"{CODER} 1, {OTHER} 1" in positives
