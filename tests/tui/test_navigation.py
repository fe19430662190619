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
from tests.tui.conftest import CODER, Notices, rows, screen_text

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


# -- screens, settings, path, dialogs ------------------------------------------------------


@pytest.fixture
def coded_project(tui_project: Path) -> Path:
    """The fixture with kari's codings in both cases (ola coded Styringssystem in Nordvik)."""
    from kodebok.services.coding import code_segment
    from kodebok.store import Project

    project = Project.open(tui_project)
    try:
        code_segment(project, "nordvik_radmann", 1, "Styringssystem", coder=CODER)
        code_segment(project, "nordvik_radmann", 3, "Helhetsperspektiv", coder=CODER)
        code_segment(project, "nordvik_radmann", 5, "Praksis/Medvirkning", coder=CODER)
        code_segment(project, "fjellbygd_ordforar", 1, "Praksis/Medvirkning", coder=CODER)
        code_segment(project, "fjellbygd_ordforar", 3, "Praksis/Initiering", coder=CODER)
    finally:
        project.close()
    return tui_project


async def settle(app: KodebokApp, pilot: object) -> None:
    """Let workers finish and their messages arrive."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


def footer_line(app: KodebokApp) -> str:
    return screen_text(app).splitlines()[-1]


async def test_screen_keys_are_in_the_footer_and_switch_between_analyses(
    coded_project: Path,
) -> None:
    from kodebok.tui.screens.matrix import MatrixScreen
    from kodebok.tui.screens.qca import QcaScreen

    app = app_for(coded_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await settle(app, pilot)
        footer = footer_line(app)
        for key, what in (("M", "Matrise"), ("P", "Til stede"), ("Q", "QCA"), ("A", "Enighet")):
            assert f"{key} {what}" in footer, footer
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        await settle(app, pilot)
        footer = footer_line(app)
        assert "M Matrise" not in footer  # not the screen it is on
        for key, what in (("P", "Til stede"), ("Q", "QCA"), ("A", "Enighet")):
            assert f"{key} {what}" in footer, footer
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QcaScreen))
        assert not any(isinstance(s, MatrixScreen) for s in app.screen_stack)  # replaced
        await pilot.press("M")  # M does nothing on the matrix, and switches from QCA
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        await pilot.press("M")
        await settle(app, pilot)
        assert sum(isinstance(s, MatrixScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_matrix_settings_are_kept_in_the_project(coded_project: Path) -> None:
    from kodebok.tui.screens.matrix import MatrixScreen

    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        await settle(app, pilot)
        await pilot.press("e", "p", "r")  # segments, row percentages, roll-up
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        await pilot.press("down", "enter")  # the second grouping: documents
        await settle(app, pilot)
        assert app.screen.by == "document"  # type: ignore[attr-defined]
    stored = rows(coded_project, "SELECT value FROM settings WHERE key = 'tui.matrix'")
    import json

    assert json.loads(stored[0][0]) == {
        "by": "document",
        "unit": "segments",
        "percent": "row",
        "rollup": True,
    }
    app = app_for(coded_project)  # a new session on the same project
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        await settle(app, pilot)
        text = screen_text(app)
        assert "Grupper: Dokument (g)" in text
        assert "enhet: segmenter (e)" in text
        assert "prosent: av raden (p)" in text
        assert "samle underkoder: ja (r)" in text
        assert "fjellbygd_ordforar" in text  # columns are documents
        assert "%)" in text
        assert ",0 %" in text


async def test_qca_settings_are_kept_in_the_project(coded_project: Path) -> None:
    from textual.widgets import SelectionList

    from kodebok.tui.screens.qca import QcaScreen

    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QcaScreen))
        await settle(app, pilot)
        await pilot.press("space")  # Helhetsperspektiv as a condition
        await pilot.press("down", "o")  # Styringssystem as the outcome
        await pilot.press("plus", "left_square_bracket")  # ≥2 codings, incl.cut 0.95
        await settle(app, pilot)
        assert "incl.cut 0,95" in screen_text(app)
    import json

    stored = json.loads(
        rows(coded_project, "SELECT value FROM settings WHERE key = 'tui.qca'")[0][0]
    )
    assert stored == {
        "conditions": ["Helhetsperspektiv"],
        "outcome": "Styringssystem",
        "min_codings": 2,
        "incl_cut": 0.95,
        "added": [],
    }
    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QcaScreen))
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, QcaScreen)
        assert screen.query_one(SelectionList).selected == ["Helhetsperspektiv"]
        assert (screen.outcome, screen.min_codings, screen.incl_cut) == ("Styringssystem", 2, 0.95)
        text = screen_text(app)
        assert "Utfall: Styringssystem (o)" in text
        assert "til stede: ≥2 kodinger" in text
        assert screen.result.data is not None  # computed again from the restored settings


async def test_the_project_path_is_in_titles_and_the_status_line(
    tui_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tui_project.parent.parent)  # the path is shown relative to this folder
    shown = f"{tui_project.parent.name}/{tui_project.name}"
    app = app_for(tui_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert f"Bibliotek  ·  {shown}" in screen_text(app).splitlines()[0]
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CodingScreen))
        await pilot.pause()
        status = screen_text(app).splitlines()[-2]
        assert tui_project.name in status


def test_the_cli_prints_the_project_path_before_the_tui_opens(
    tui_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from kodebok.cli import main

    seen: list[str] = []

    def run(self: KodebokApp) -> None:
        seen.append(str(self.project_path))

    monkeypatch.setattr(KodebokApp, "run", run)
    result = CliRunner().invoke(main, ["-p", str(tui_project), "open"], catch_exceptions=False)
    assert result.exit_code == 0
    assert seen == [str(tui_project)]
    assert f"kodebok: {tui_project.resolve()}" in result.stderr


async def test_a_dialog_opens_beside_the_line_the_eye_is_on(coded_project: Path) -> None:
    from textual.widgets import DataTable

    from kodebok.tui.dialogs.picker import ChoiceDialog, CodePicker
    from kodebok.tui.screens.matrix import MatrixScreen

    app = app_for(coded_project)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("M")
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        await pilot.press("down", "down")
        cursor_y = table.content_region.y + table.header_height + table.cursor_row
        await pilot.press("g")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        box = app.screen.query_one(".dialog")
        await wait_until(pilot, lambda: box.region.y == cursor_y + 1)  # right under the row
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MatrixScreen))
        # on the coding screen the code picker leaves the current segment in view
        await pilot.press("escape", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CodingScreen))
        await settle(app, pilot)
        await pilot.press("j", "j", "j")
        view = app.screen.query_one(TranscriptView)
        from kodebok.tui.dialogs.placement import eye_rows

        top, bottom = eye_rows(app.screen)  # type: ignore[misc]
        assert bottom > top
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CodePicker))
        box = app.screen.query_one(".dialog")
        await wait_until(pilot, lambda: box.region.y >= bottom or box.region.bottom <= top)
        assert view.current == 3


# -- one language at a time ----------------------------------------------------------------


async def test_norwegian_ui_says_everything_in_norwegian(
    coded_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Input as PaletteInput

    from kodebok.tui.screens.agreement import AgreementScreen
    from kodebok.tui.screens.qca import QcaScreen

    conn = __import__("sqlite3").connect(str(coded_project))
    conn.execute("UPDATE documents SET language = 'nn' WHERE name = 'fjellbygd_ordforar'")
    conn.commit()
    conn.close()
    app = app_for(coded_project, "nb")
    notices = Notices(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        # the palette's placeholder
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        placeholder = app.screen.query_one(PaletteInput).placeholder
        assert placeholder.startswith("Søk etter kommandoer")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        # QCA: a condition that never varies is reported in Norwegian
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QcaScreen))
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, QcaScreen)
        options = screen.query_one("#qca-list")
        values = [str(options.get_option_at_index(i).value) for i in range(options.option_count)]  # type: ignore[attr-defined]
        await pilot.press(*["down"] * values.index("Praksis"), "space")  # never coded: constant
        await pilot.press("up", "o")  # Styringssystem as the outcome
        await settle(app, pilot)
        assert screen.outcome == "Styringssystem"
        message = str(screen.query_one("#qca-message").render())
        assert "Betingelsen «Praksis» har samme verdi i alle caser" in message, message
        assert "condition" not in message
        from textual.widgets import DataTable

        truth = screen.query_one("#qca-truth", DataTable)
        cells = [str(c) for i in range(truth.row_count) for c in truth.get_row_at(i)]
        assert "0,500" in cells, cells  # incl of the contradictory row, with a decimal comma
        # agreement: alfa (one spelling) and decimal commas
        await pilot.press("A")
        await wait_until(pilot, lambda: isinstance(app.screen, AgreementScreen))
        await settle(app, pilot)
        text = screen_text(app)
        assert "alfa" in text
        assert "alpha" not in text
        assert "0,0 %" in text or ",0 %" in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        # the status line names the document's language, not the UI's
        await pilot.press("enter")  # the first document: fjellbygd_ordforar (nynorsk)
        await wait_until(pilot, lambda: isinstance(app.screen, CodingScreen))
        await pilot.pause()
        status = screen_text(app).splitlines()[-2]
        assert "fjellbygd_ordforar" in status
        assert "språk: nynorsk" in status
        # undo names the operation in Norwegian
        await pilot.press("1")
        await settle(app, pilot)
        notices.messages.clear()
        await pilot.press("u")
        await settle(app, pilot)
        assert any(
            m.startswith("Angret: Kode fjellbygd_ordforar #") and " med " in m
            for m in notices.messages
        ), notices.messages


async def test_english_ui_says_everything_in_english(coded_project: Path) -> None:
    from kodebok.tui.screens.qca import QcaScreen

    app = app_for(coded_project, "en")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("Q")
        await wait_until(pilot, lambda: isinstance(app.screen, QcaScreen))
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, QcaScreen)
        options = screen.query_one("#qca-list")
        values = [str(options.get_option_at_index(i).value) for i in range(options.option_count)]  # type: ignore[attr-defined]
        await pilot.press(*["down"] * values.index("Praksis"), "space")
        await pilot.press("up", "o")
        await settle(app, pilot)
        message = str(screen.query_one("#qca-message").render())
        assert "Condition “Praksis” has the same value in every case" in message, message
        from textual.widgets import DataTable

        truth = screen.query_one("#qca-truth", DataTable)
        cells = [str(c) for i in range(truth.row_count) for c in truth.get_row_at(i)]
        assert "0.500" in cells, cells
        assert not any("," in c and c[0].isdigit() for c in cells), cells
        await pilot.press("escape", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CodingScreen))
        await pilot.pause()
        assert "language: Bokmål" in screen_text(app).splitlines()[-2]


def test_a_hit_line_cuts_a_long_document_name_but_keeps_the_number_and_speaker() -> None:
    from kodebok.services.search import SearchHit
    from kodebok.tui.screens.search import hit_columns, hit_line

    hits = [
        SearchHit(
            1, 1, "fjellbygd_fokusgruppe_leiarar", 13, "Leder 5", 0, 6, "", "brøyte", "", 90.0
        ),
        SearchHit(2, 2, "nordvik_radmann", 1, None, 0, 6, "om ", "styring", " i", 100.0),
    ]
    columns = hit_columns(hits, 76)
    first, second = (hit_line(h, 76, columns).plain for h in hits)
    assert " #14 " in first
    assert "…" in first.split("#14")[0]
    assert "Leder 5" in first
    # the contexts start in the same column on every line
    assert first.index("Leder 5") + len("Leder 5") < first.index("brøyte")
    assert second.startswith("nordvik_radmann #2")
    assert len(first) <= 76
    assert len(second) <= 76
