"""Library, codebook editor, cases and search screens, driven by keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static

from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.dialogs.picker import CodePicker
from kodebok.tui.dialogs.simple import ConfirmDialog, TextInputDialog
from kodebok.tui.screens.cases import CasesScreen
from kodebok.tui.screens.codebook import CodebookScreen
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.screens.library import LibraryScreen
from kodebok.tui.screens.search import SearchScreen
from kodebok.tui.widgets.code_tree import CodeTree
from kodebok.tui.widgets.transcript import TranscriptView
from tests.tui.conftest import CODER, OTHER, rows

# Textual runs on asyncio: every async test here runs through anyio's plugin
pytestmark = pytest.mark.anyio

SIZE = (120, 40)


def app_for(path: Path) -> KodebokApp:
    return make_app(path, coder=CODER)


def table_rows(app: KodebokApp, selector: str = "#documents") -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def tree_labels(app: KodebokApp) -> list[str]:
    tree = app.screen.query_one(CodeTree)
    out: list[str] = []

    def walk(node: object) -> None:
        for child in getattr(node, "children", []):
            out.append(str(child.label))
            walk(child)

    walk(tree.root)
    return out


async def go_to_code(pilot: object, app: KodebokApp, name: str) -> None:
    """Move the codebook tree's cursor to a code by name."""
    tree = app.screen.query_one(CodeTree)
    code = next(c for c in app.session.codes if c.name == name)
    tree.select_code(code.id)
    await pilot.pause()  # type: ignore[attr-defined]


# -- library -------------------------------------------------------------------------------


async def test_library_groups_documents_by_case_with_progress(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        table = table_rows(app)
        assert [r[1] for r in table] == ["fjellbygd_ordforar", "nordvik_radmann"]
        assert table[0][0] == "Fjellbygd"
        assert table[1][0] == "Nordvik"
        assert table[1][4] == "I, IP"
        assert table[1][3] == "0/3 (0 %)"  # the coder's own progress: ola's coding is not hers
        assert "wave=høst 2023" in table[1][5]


async def test_library_filters_as_you_type_and_enter_opens(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"nordvik")
        await pilot.pause()
        assert [r[1] for r in table_rows(app)] == ["nordvik_radmann"]
        await pilot.press("enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.document_name == "nordvik_radmann"


async def test_library_progress_follows_coding(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("j", "1", "escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert table_rows(app)[1][3] == "1/3 (33 %)"


async def test_empty_project_shows_how_to_import(empty_project: Path) -> None:
    app = app_for(empty_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        help_text = str(app.screen.query_one("#library-empty", Static).content)
        assert "kodebok import" in help_text
        assert "kodebok codebook import codebooks/" in help_text
        assert app.screen.query_one("#library-empty").display


async def test_i_imports_a_folder_in_a_worker(empty_project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "elvestad_rektor.txt").write_text(
        "I: Hvordan brukes resultatene?\n\nR: Vi går gjennom nasjonale prøver hver høst.\n",
        encoding="utf-8",
    )
    app = app_for(empty_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, TextInputDialog)
        await pilot.press(*str(folder), "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert rows(empty_project, "SELECT name FROM documents") == [("elvestad_rektor",)]
        assert [r[1] for r in table_rows(app)] == ["elvestad_rektor"]
        assert not app.screen.query_one("#library-empty").display


# -- codebook editor -----------------------------------------------------------------------


async def test_codebook_merge_moves_codings(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        await go_to_code(pilot, app, "Styringssystem")
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"Helhet", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert rows(
            tui_project, "SELECT c.name, k.coder FROM codings k JOIN codes c ON c.id = k.code_id"
        ) == [("Helhetsperspektiv", OTHER)]
        assert not any("Styringssystem" in label for label in tree_labels(app))
        await pilot.press("u")
        await pilot.pause()
        assert any("Styringssystem" in label for label in tree_labels(app))


async def test_codebook_delete_says_how_many_codings_and_removes_them(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await go_to_code(pilot, app, "Styringssystem")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "1 kodinger" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert rows(tui_project, "SELECT COUNT(*) FROM codings") == [(1,)]
        await pilot.press("d", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert rows(tui_project, "SELECT COUNT(*) FROM codings") == [(0,)]
        assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Styringssystem'") == [
            (0,)
        ]


async def test_codebook_create_rename_and_move_by_cut_and_paste(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b", "N")
        await pilot.press(*"Ledelse", "enter")
        await pilot.pause()
        assert rows(tui_project, "SELECT parent_id FROM codes WHERE name = 'Ledelse'") == [(None,)]
        await go_to_code(pilot, app, "Ledelse")
        await pilot.press("n", *"Fremmer", "enter")
        await pilot.pause()
        await go_to_code(pilot, app, "Fremmer")
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#text-input-field").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"Styrke", "enter")
        await pilot.pause()
        paths = {c.path for c in app.session.codes}
        assert "Ledelse/Styrke" in paths
        await go_to_code(pilot, app, "Initiering")
        await pilot.press("x")
        await go_to_code(pilot, app, "Ledelse")
        await pilot.press("p")
        await pilot.pause()
        assert "Ledelse/Initiering" in {c.path for c in app.session.codes}


async def test_codebook_edits_shortcut_description_keywords_colour(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await go_to_code(pilot, app, "Initiering")
        for key, value in (("s", "7"), ("e", "Hvem tok initiativet"), ("C", "#123456")):
            await pilot.press(key)
            await pilot.pause()
            app.screen.query_one("#text-input-field").value = value  # type: ignore[attr-defined]
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
        app.screen.query_one("#text-input-field").value = "initiativ, tok initiativet"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert rows(
            tui_project,
            "SELECT shortcut, description, color, keywords FROM codes WHERE name = 'Initiering'",
        ) == [("7", "Hvem tok initiativet", "#123456", '["initiativ", "tok initiativet"]')]
        details = str(app.screen.query_one("#code-details", Static).content)
        assert "Hvem tok initiativet" in details


# -- cases ---------------------------------------------------------------------------------


async def test_cases_screen_sets_attributes_assigns_documents_and_speaker_roles(
    tui_project: Path,
) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CasesScreen)
        assert [r[0] for r in table_rows(app, "#cases-table")] == ["Fjellbygd", "Nordvik"]
        await pilot.press("e", *"innbyggere=6800", "enter")
        await pilot.pause()
        assert rows(
            tui_project, "SELECT name, value FROM attributes WHERE entity_kind = 'case'"
        ) == [("innbyggere", "6800")]
        assert table_rows(app, "#cases-table")[0][1:] == ["1", "innbyggere=6800"]
        await pilot.press("tab")
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("down", "enter")  # Fjellbygd's document to Nordvik
        await pilot.pause()
        assert rows(
            tui_project,
            "SELECT c.name FROM documents d JOIN cases c ON c.id = d.case_id "
            "WHERE d.name = 'fjellbygd_ordforar'",
        ) == [("Nordvik",)]
        assert [r[1] for r in table_rows(app, "#cases-table")] == ["0", "2"]
        await pilot.press("tab", "down", "s", *"role=ordfører, level=politisk", "enter")
        await pilot.pause()
        assert rows(
            tui_project,
            "SELECT a.name, a.value FROM attributes a JOIN speakers s ON s.id = a.entity_id "
            "WHERE a.entity_kind = 'speaker' AND s.label = 'IP' ORDER BY a.name",
        ) == [("level", "politisk"), ("role", "ordfører")]


# -- search --------------------------------------------------------------------------------


async def test_search_shows_hits_in_context_and_enter_jumps_to_the_segment(
    tui_project: Path,
) -> None:
    app = make_app(tui_project, coder=CODER, document="fjellbygd_ordforar")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"tillitsvalgte", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        hits = app.screen.query_one(OptionList)
        assert hits.option_count == 1
        assert "nordvik_radmann #4" in str(hits.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        assert app.screen.document_name == "nordvik_radmann"
        assert app.screen.query_one(TranscriptView).current == 3


async def test_code_all_hits_is_one_operation_and_one_undo(tui_project: Path) -> None:
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"styringssystem*")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(OptionList).option_count == 3
        await pilot.press("ctrl+k")
        await pilot.pause()
        await pilot.press(*"Helhet", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "3" in app.screen.question
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(3,)]
        await pilot.press("escape", "u")
        await pilot.pause()
        assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(0,)]
