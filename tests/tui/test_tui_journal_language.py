"""Undo and redo in the TUI name what they undid in the UI language, with how much it changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.services.codes import delete_code
from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.widgets.transcript import TranscriptView
from tests.tui.conftest import CODER, rows

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


def notices(app: KodebokApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def wait_for_notice(app: KodebokApp, pilot: object, text: str) -> None:
    for _ in range(200):
        if text in notices(app):
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError(f"no notice {text!r} in {notices(app)}")


@pytest.mark.parametrize(
    ("language", "undone", "redone", "text"),
    [
        ("en", "Undone", "Redone", "Code nordvik_radmann #{n} with Helhetsperspektiv"),
        ("nb", "Angret", "Gjort om igjen", "Kode nordvik_radmann #{n} med Helhetsperspektiv"),
    ],
)
async def test_undo_and_redo_of_a_coding_by_key_say_it_in_the_ui_language(
    tui_project: Path, language: str, undone: str, redone: str, text: str
) -> None:
    app = make_app(tui_project, coder=CODER, language=language, document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("j", "1")  # the next segment, coded with the code on key 1
        await pilot.pause()
        coded = rows(
            tui_project,
            "SELECT s.idx FROM codings k JOIN segments s ON s.id = k.segment_id WHERE k.coder = ?",
            (CODER,),
        )
        assert len(coded) == 1
        what = text.format(n=coded[0][0] + 1)
        app.clear_notifications()
        await pilot.press("u")
        await wait_for_notice(app, pilot, f"{undone}: {what}")
        assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(0,)]
        await pilot.press("ctrl+r")
        await wait_for_notice(app, pilot, f"{redone}: {what}")
        assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(1,)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Undone: Delete code Praksis (3 codes, 2 codings)"),
        ("nb", "Angret: Slett kode Praksis (3 koder, 2 kodinger)"),
    ],
)
async def test_undo_of_a_large_operation_names_it_and_how_much(
    tui_project: Path, language: str, expected: str
) -> None:
    with Project.open(tui_project) as p:
        code_segment(p, "nordvik_radmann", 5, "Praksis/Medvirkning", coder=CODER)
        code_segment(p, "fjellbygd_ordforar", 1, "Praksis/Initiering", coder=CODER)
        delete_code(p, "Praksis", coder=CODER)
    app = make_app(tui_project, coder=CODER, language=language)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("u")
        await wait_for_notice(app, pilot, expected)
    assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name LIKE 'Praksis%'") == [(1,)]
    assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(2,)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Undone: New code Ledelse on nordvik_radmann #{n} (1 code, 1 coding)"),
        ("nb", "Angret: Ny kode Ledelse på nordvik_radmann #{n} (1 kode, 1 koding)"),
    ],
)
async def test_undo_of_a_new_code_made_while_coding_names_code_and_segment(
    tui_project: Path, language: str, expected: str
) -> None:
    app = make_app(tui_project, coder=CODER, language=language, document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "c", *"Ledelse", "enter")
        await pilot.pause()
        number = app.screen.query_one(TranscriptView).current + 1
        assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Ledelse'") == [(1,)]
        app.clear_notifications()
        await pilot.press("u")
        await wait_for_notice(app, pilot, expected.format(n=number))
        assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Ledelse'") == [(0,)]


async def test_switching_the_language_switches_the_undo_message(tui_project: Path) -> None:
    """The journal keeps no language: an operation done in Norwegian is undone in English."""
    with Project.open(tui_project) as p:
        code_segment(p, "fjellbygd_ordforar", 3, "Styringssystem", coder=CODER)
    app = make_app(tui_project, coder=CODER, language="nb")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_language("en")
        await pilot.pause()
        await pilot.press("u")
        await wait_for_notice(app, pilot, "Undone: Code fjellbygd_ordforar #4 with Styringssystem")


@pytest.mark.parametrize(
    ("language", "start", "reason"),
    [
        ("nb", "Kan ikke angre «Ny kode Økonomi»: ", "avhenger av koden «Økonomi»"),
        ("en", "cannot undo 'New code Økonomi': ", "depends on code 'Økonomi'"),
    ],
)
async def test_a_refused_undo_is_explained_in_the_ui_language(
    tui_project: Path, language: str, start: str, reason: str
) -> None:
    from kodebok.services.codes import create_code
    from tests.tui.conftest import OTHER

    with Project.open(tui_project) as p:
        create_code(p, "Økonomi", coder=CODER)
        code_segment(p, "nordvik_radmann", 3, "Økonomi", coder=OTHER)
    app = make_app(tui_project, coder=CODER, language=language)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("u")
        for _ in range(200):
            if any(m.startswith(start) for m in notices(app)):
                break
            await pilot.pause(0.05)
        [message] = [m for m in notices(app) if m.startswith(start)]
        assert reason in message
    assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Økonomi'") == [(1,)]
