"""Importing a revised transcript from the TUI asks first, then moves the codings."""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.services.codes import create_code
from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.tui.app import make_app
from kodebok.tui.dialogs.simple import ConfirmDialog, TextInputDialog
from tests.tui.conftest import CODER, rows

# Textual runs on asyncio: every async test here runs through anyio's plugin
pytestmark = pytest.mark.anyio

SIZE = (120, 40)
ORIGINAL = "I: Hvordan brukes resultatene?\nR: Vi går gjennom nasjonale prøver hver høst.\n"
REVISED = (
    "I: Hvordan brukes egentlig resultatene?\nR: Vi går nøye gjennom nasjonale prøver "
    "hver høst, sammen med lærerne.\n"
)


async def _import(pilot, app, path: Path) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(app.screen, TextInputDialog)
    await pilot.press(*str(path), "enter")
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_revised_transcript_is_imported_after_confirming(
    empty_project: Path, tmp_path: Path
) -> None:
    doc = tmp_path / "elvestad_rektor.txt"
    doc.write_text(ORIGINAL, encoding="utf-8")
    app = make_app(empty_project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await _import(pilot, app, doc)
        with Project.open(empty_project) as project:
            create_code(project, "Resultater", coder=CODER)
            code_segment(project, "elvestad_rektor", 1, "Resultater", coder=CODER)
        doc.write_text(REVISED, encoding="utf-8")
        await _import(pilot, app, doc)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
    text = rows(empty_project, "SELECT text FROM documents")[0][0]
    assert "sammen med lærerne" in text
    start, end = rows(empty_project, 'SELECT start, "end" FROM codings')[0]
    assert text[start:end].startswith("Vi går nøye gjennom nasjonale prøver")
