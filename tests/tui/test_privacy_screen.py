"""The privacy view: reached by a key, lists findings per document, highlights them, adds one
to the pseudonym map with one key, and runs the deep pass in a worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from kodebok.ingest.document import read_document
from kodebok.services.documents import store_parsed
from kodebok.store import Project
from kodebok.tui.app import KodebokApp
from kodebok.tui.screens.privacy import CONTACT_STYLE, STYLES, PrivacyScreen, highlighted
from tests.tui.conftest import rows, screen_text

pytestmark = pytest.mark.anyio

PLANTED = Path(__file__).parent.parent / "data" / "privacy" / "fjellbygd_helseleder.txt"
SIZE = (140, 45)


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "personvern.kodebok"
    with Project.create(path) as project:
        store_parsed(project, read_document(PLANTED))
    return path


async def _wait_for_findings(app: KodebokApp, pilot: object) -> PrivacyScreen:
    screen = app.screen
    assert isinstance(screen, PrivacyScreen)
    for _ in range(200):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        if not screen.loading:
            break
    return screen


async def test_privacy_view_lists_findings_and_maps_one_with_a_key(tmp_path: Path) -> None:
    path = _project(tmp_path)
    app = KodebokApp(path, coder="kari", language="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")  # the library's help lists the key
        await pilot.pause()
        assert "Privacy" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("V")
        screen = await _wait_for_findings(app, pilot)
        docs = screen.query_one("#privacy-documents", DataTable)
        assert docs.row_count == 1
        findings = screen.query_one("#privacy-findings", DataTable)
        matches = [findings.get_row_at(i)[2] for i in range(findings.row_count)]
        for planted in ("Ingrid Solberg", "ole hansen", "SIGRID BAKKEN", "912 34 567"):
            assert planted in matches
        # the transcript around the highlighted finding, with the finding styled
        view = screen.query_one("#privacy-text", Static)
        shown = view.render()
        assert "Ingrid Solberg" in str(shown)
        target = matches.index("ole hansen")
        findings.focus()
        await pilot.press(*(["down"] * target))
        await pilot.pause()
        assert screen.selected_finding() == ("person", "ole hansen")
        await pilot.press("p")
        await pilot.pause()
        assert rows(path, "SELECT real, pseudonym, kind FROM pseudonyms") == [
            ("ole hansen", "Person 1", "person")
        ]
        assert findings.get_row_at(target)[4] == "✓"
        # the next name gets the next number; the map is journaled (undo takes it out)
        await pilot.press("up")
        await pilot.pause()
        _kind, match = screen.selected_finding() or ("", "")
        await pilot.press("p")
        await pilot.pause()
        assert len(rows(path, "SELECT real FROM pseudonyms")) == 2
        assert rows(path, "SELECT pseudonym FROM pseudonyms WHERE real = ?", (match,))
        await pilot.press("u")
        await pilot.pause()
        assert rows(path, "SELECT real FROM pseudonyms") == [("ole hansen",)]


async def test_privacy_view_runs_the_deep_pass_in_a_worker(tmp_path: Path) -> None:
    path = _project(tmp_path)
    app = KodebokApp(path, coder="kari", language="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("V")
        await _wait_for_findings(app, pilot)
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await _wait_for_findings(app, pilot)
        segments = rows(path, "SELECT COUNT(*) FROM segments")[0][0]
        assert rows(path, "SELECT COUNT(*) FROM segment_nlp")[0][0] == segments > 0
        lemmas = rows(path, "SELECT lemmas FROM segment_nlp ORDER BY segment_id LIMIT 1")[0][0]
        assert lemmas.split()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PrivacyScreen)


def test_findings_are_highlighted_by_kind_in_the_shown_lines() -> None:
    text = "IP: Kari ringte 912 34 567.\nI: Takk."
    shown = highlighted(text, [(4, 8, "person"), (16, 26, "phone")], 0, 28)
    assert shown.plain == text[:28]
    styles = {(s.start, s.end): str(s.style) for s in shown.spans}
    assert styles[(4, 8)] == STYLES["person"]
    assert styles[(16, 26)] == CONTACT_STYLE
    # a window that starts inside the text shifts the spans
    window = highlighted(text, [(4, 8, "person")], 4, 20)
    assert [(s.start, s.end) for s in window.spans] == [(0, 4)]
