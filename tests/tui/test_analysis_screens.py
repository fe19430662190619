"""Matrix, presence, QCA and agreement screens, opened from the library with real key presses."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, SelectionList, Static

from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.dialogs.quotes import QuotesDialog
from kodebok.tui.screens.agreement import AgreementScreen
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.screens.help import HelpScreen
from kodebok.tui.screens.matrix import MatrixScreen
from kodebok.tui.screens.presence import PresenceScreen
from kodebok.tui.screens.qca import QcaScreen
from tests.tui.conftest import CODER, OTHER, build_project, rows, screen_text

# Textual runs on asyncio: every async test here runs through anyio's plugin
pytestmark = pytest.mark.anyio

SIZE = (120, 40)


@pytest.fixture
def coded_project(tmp_path: Path) -> Path:
    """The TUI fixture with kari's codings in both cases (ola coded Styringssystem in Nordvik)."""
    path = build_project(tmp_path / "analysis.kodebok")
    project = Project.open(path)
    try:
        code_segment(project, "nordvik_radmann", 1, "Styringssystem", coder=CODER)
        code_segment(project, "nordvik_radmann", 3, "Helhetsperspektiv", coder=CODER)
        code_segment(project, "nordvik_radmann", 5, "Praksis/Medvirkning", coder=CODER)
        code_segment(project, "fjellbygd_ordforar", 1, "Praksis/Medvirkning", coder=CODER)
        code_segment(project, "fjellbygd_ordforar", 3, "Praksis/Initiering", coder=CODER)
    finally:
        project.close()
    return path


def app_for(path: Path) -> KodebokApp:
    return make_app(path, coder=CODER)


async def settle(app: KodebokApp, pilot: object) -> None:
    """Let workers finish and their messages arrive."""
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


def table(app: KodebokApp, selector: str) -> list[list[str]]:
    widget = app.screen.query_one(selector, DataTable)
    return [[str(cell).strip() for cell in widget.get_row_at(i)] for i in range(widget.row_count)]


def row_of(cells: list[list[str]], label: str) -> list[str]:
    return next(r for r in cells if r[0] == label)


# -- matrix --------------------------------------------------------------------------------


async def test_matrix_counts_codings_per_case_and_enter_shows_quotes(coded_project: Path) -> None:
    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, MatrixScreen)
        cells = table(app, "#matrix-table")
        assert row_of(cells, "Styringssystem")[1:] == ["0", "2"]  # Fjellbygd, Nordvik
        assert row_of(cells, "N (kodinger)")[1:] == ["2", "4"]
        assert "Fjellbygd" in screen_text(app)
        assert "Nordvik" in screen_text(app)
        # the Nordvik × Styringssystem cell: down one row, right one column
        await pilot.press("down", "right", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, QuotesDialog)
        assert len(app.screen.quotes) == 1  # kari's and ola's coding of one passage: one quote
        assert "enkelt styringssystem" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.document_name == "nordvik_radmann"


async def test_matrix_keys_change_unit_percent_and_export(
    coded_project: Path, tmp_path: Path
) -> None:
    app = app_for(coded_project)
    target = tmp_path / "matrise.csv"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press("e")  # codings → segments: the passage both coded counts once
        await settle(app, pilot)
        assert row_of(table(app, "#matrix-table"), "Styringssystem")[1:] == ["0", "1"]
        await pilot.press("p")  # row percentages
        await settle(app, pilot)
        assert "100,0 %" in row_of(table(app, "#matrix-table"), "Styringssystem")[2]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("end", "ctrl+u", *str(target), "enter")
        await settle(app, pilot)
        assert target.exists()
        assert "Styringssystem" in target.read_text(encoding="utf-8")


async def test_matrix_help_lists_its_keys(coded_project: Path) -> None:
    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Grupper etter" in text
        assert "Eksporter" in text
        assert "Sitatene bak cellen" in text  # Enter, handled by the table
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, MatrixScreen)


# -- presence ------------------------------------------------------------------------------


async def test_presence_shows_checks_and_an_override_is_stored_then_cleared(
    coded_project: Path,
) -> None:
    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("P")
        await settle(app, pilot)
        assert isinstance(app.screen, PresenceScreen)
        cells = table(app, "#presence-table")
        assert row_of(cells, "Styringssystem")[1:] == ["–", "✓"]  # Fjellbygd, Nordvik
        await pilot.press("0")  # on Fjellbygd × Helhetsperspektiv: set absent by hand
        await pilot.pause()
        await pilot.press(*"Ikke nevnt", "enter")
        await settle(app, pilot)
        saved = rows(coded_project, "SELECT value, note, author FROM presence_overrides")
        assert saved == [(0, "Ikke nevnt", CODER)]
        source = str(app.screen.query_one("#presence-source", Static).render())
        assert "Ikke nevnt" in source
        assert CODER in source
        assert row_of(table(app, "#presence-table"), "Helhetsperspektiv")[1] == "–*"
        await pilot.press("c")
        await settle(app, pilot)
        assert rows(coded_project, "SELECT COUNT(*) FROM presence_overrides") == [(0,)]


async def test_presence_threshold_plus_needs_more_codings(coded_project: Path) -> None:
    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("P")
        await settle(app, pilot)
        assert row_of(table(app, "#presence-table"), "Helhetsperspektiv")[2] == "✓"
        await pilot.press("plus")
        await settle(app, pilot)
        cells = table(app, "#presence-table")
        assert row_of(cells, "Helhetsperspektiv")[2] == "–"  # one coding, rule now ≥2
        assert row_of(cells, "Styringssystem")[2] == "✓"  # kari and ola: two codings


# -- QCA -----------------------------------------------------------------------------------


async def test_qca_finds_the_solution_for_chosen_conditions_and_outcome(
    coded_project: Path,
) -> None:
    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await settle(app, pilot)
        assert isinstance(app.screen, QcaScreen)
        assert app.screen.query_one(SelectionList).has_focus
        await pilot.press("space")  # Helhetsperspektiv as a condition
        await pilot.press("down", "o")  # Styringssystem as the outcome
        await settle(app, pilot)
        data = table(app, "#qca-data")
        assert data == [["Fjellbygd", "0", "0"], ["Nordvik", "1", "1"]]
        solutions = str(app.screen.query_one("#qca-solutions", Static).render())
        assert "M1: Helhetsperspektiv" in solutions
        assert "inclS 1,000" in solutions
        assert len(table(app, "#qca-truth")) == 2


async def test_qca_exports_the_data_table_as_csv(coded_project: Path, tmp_path: Path) -> None:
    app = app_for(coded_project)
    target = tmp_path / "qca.csv"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await settle(app, pilot)
        await pilot.press("space", "down", "o")
        await settle(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("end", "ctrl+u", *str(target), "enter")
        await settle(app, pilot)
        assert target.read_text(encoding="utf-8").splitlines() == [
            "case,Helhetsperspektiv,Styringssystem",
            "Fjellbygd,0,0",
            "Nordvik,1,1",
        ]


# -- agreement -----------------------------------------------------------------------------


async def test_agreement_resolving_a_disagreement_changes_codings_and_writes_a_memo(
    coded_project: Path,
) -> None:
    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await settle(app, pilot)
        assert isinstance(app.screen, AgreementScreen)
        assert app.screen.coders == [CODER, OTHER]
        disagreements = table(app, "#agreement-disagreements")
        assert [r[2] for r in disagreements] == ["Helhetsperspektiv", "Praksis/Medvirkning"]
        assert "Det var rådmannen" in screen_text(app)  # the disputed segment's text
        await pilot.press("d")  # drop Helhetsperspektiv: kari's coding goes
        await settle(app, pilot)
        kept = rows(
            coded_project,
            "SELECT COUNT(*) FROM codings k JOIN codes c ON c.id = k.code_id "
            "WHERE c.name = 'Helhetsperspektiv'",
        )
        assert kept == [(0,)]
        memos = rows(coded_project, "SELECT text, author FROM memos")
        assert any("Helhetsperspektiv" in text and author == CODER for text, author in memos)
        assert [r[2] for r in table(app, "#agreement-disagreements")] == ["Praksis/Medvirkning"]
        await pilot.press("k")  # keep Medvirkning: ola gets it too
        await settle(app, pilot)
        both = rows(
            coded_project,
            "SELECT k.coder FROM codings k JOIN codes c ON c.id = k.code_id JOIN documents d "
            "ON d.id = k.document_id WHERE c.name = 'Medvirkning' AND d.name = 'nordvik_radmann' "
            "ORDER BY k.coder",
        )
        assert both == [(CODER,), (OTHER,)]
        assert table(app, "#agreement-disagreements") == []


# -- empty project -------------------------------------------------------------------------


EMPTY_MESSAGES = {
    "M": "ingen koder",
    "P": "ingen caser",
    "Q": "QCA trenger caser og koder",
    "A": "minst to kodere",
}


async def test_analysis_screens_explain_an_empty_project(empty_project: Path) -> None:
    app = app_for(empty_project)
    async with app.run_test(size=SIZE) as pilot:
        for key, message in EMPTY_MESSAGES.items():
            await pilot.press(key)
            await settle(app, pilot)
            assert message in screen_text(app), key
            await pilot.press("escape")
            await pilot.pause()
            assert "Bibliotek" in screen_text(app)


async def test_matrix_without_codings_says_so(tui_project: Path) -> None:
    project = Project.open(tui_project)
    project.conn.execute("DELETE FROM codings")
    project.close()
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await settle(app, pilot)
        assert "Ingen kodinger ennå" in screen_text(app)
