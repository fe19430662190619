"""The command line and the TUI show the same numbers for the same project.

Progress, word counts and QCA solutions each have one definition in the services; these tests
run both front ends on one project (CliRunner and App.run_test() with real key presses) and
compare what they show with each other and with a count made here from the fixture's text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Static

from kodebok.cli import main
from kodebok.services.coding import code_segment
from kodebok.store import Project
from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.screens.matrix import MatrixScreen
from kodebok.tui.screens.qca import QcaScreen
from tests.tui.conftest import CODER, FJELLBYGD, NORDVIK, build_project

pytestmark = pytest.mark.anyio

SIZE = (140, 40)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The TUI fixture; kari codes an interviewer turn (#1), one informant turn (#2) in Nordvik.

    ola already coded Nordvik #2 (build_project). The interviewer turn must not count as
    progress, and the turn coded by both counts once.
    """
    path = build_project(tmp_path / "same.kodebok")
    with Project.open(path) as p:
        code_segment(p, "nordvik_radmann", 0, "Helhetsperspektiv", coder=CODER)
        code_segment(p, "nordvik_radmann", 1, "Helhetsperspektiv", coder=CODER)
    return path


def run_cli(path: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["-p", str(path), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


async def settle(app: KodebokApp, pilot: object) -> None:
    for _ in range(2):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


def table_rows(app: KodebokApp, selector: str) -> list[list[str]]:
    widget = app.screen.query_one(selector, DataTable)
    return [[str(cell).strip() for cell in widget.get_row_at(i)] for i in range(widget.row_count)]


def said_words(turns: list[tuple[str, str]]) -> int:
    """Words said in the fixture's turns, counted here (speaker labels are not words)."""
    return sum(len(re.findall(r"\w+", said)) for _, said in turns)


async def test_progress_is_the_same_in_documents_and_the_library(project: Path) -> None:
    docs = json.loads(run_cli(project, "documents", "--coder", CODER, "--format", "json"))
    by_name = {d["name"]: d for d in docs}
    # Nordvik: three informant turns, kari coded one (her interviewer-turn coding is no
    # progress); Fjellbygd: two informant turns, none coded by kari
    assert (
        by_name["nordvik_radmann"]["coded_segments"],
        by_name["nordvik_radmann"]["informant_segments"],
    ) == (1, 3)
    assert (
        by_name["fjellbygd_ordforar"]["coded_segments"],
        by_name["fjellbygd_ordforar"]["informant_segments"],
    ) == (0, 2)
    text = run_cli(project, "documents", "--coder", CODER)
    assert "1/3 (33 %)" in text
    assert "0/2 (0 %)" in text
    # anyone's codings: ola's coding is on the same turn, so still one of three
    anyone = json.loads(run_cli(project, "documents", "--format", "json"))
    assert {d["name"]: d["coded_segments"] for d in anyone} == {
        "nordvik_radmann": 1,
        "fjellbygd_ordforar": 0,
    }

    app = make_app(project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = {row[1]: row[3] for row in table_rows(app, "#documents")}
    assert shown == {"nordvik_radmann": "1/3 (33 %)", "fjellbygd_ordforar": "0/2 (0 %)"}


async def test_words_are_the_same_in_documents_and_the_matrix(project: Path) -> None:
    expected = {"nordvik_radmann": said_words(NORDVIK), "fjellbygd_ordforar": said_words(FJELLBYGD)}
    assert expected["nordvik_radmann"] > 40  # a real count, not a constant
    docs = json.loads(run_cli(project, "documents", "--format", "json"))
    assert {d["name"]: d["words"] for d in docs} == expected
    csv_lines = run_cli(project, "documents", "--format", "csv").splitlines()
    assert csv_lines[0].endswith(",informant_segments,coded_segments,words")

    app = make_app(project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, MatrixScreen)
        for _ in range(5):  # codings → segments → documents → cases → speakers → words
            await pilot.press("e")
            await settle(app, pilot)
        assert app.screen.unit == "words"
        widget = app.screen.query_one("#matrix-table", DataTable)
        headers = [str(c.label).strip() for c in widget.ordered_columns]
        n_row = next(r for r in table_rows(app, "#matrix-table") if r[0].startswith("N ("))
    by_case = dict(zip(headers[1:], n_row[1:], strict=False))
    assert by_case["Nordvik"] == str(expected["nordvik_radmann"])
    assert by_case["Fjellbygd"] == str(expected["fjellbygd_ordforar"])


async def test_qca_solutions_are_the_same_in_cli_and_tui(project: Path) -> None:
    with Project.open(project) as p:
        code_segment(p, "nordvik_radmann", 3, "Styringssystem", coder=CODER)
    args = ["--conditions", "Helhetsperspektiv", "--outcome", "Styringssystem", "--format", "json"]
    cli_fit = {}
    for kind in ("complex", "parsimonious"):
        found = json.loads(run_cli(project, "qca", "minimize", "--solution", kind, *args))
        model = found["models"][0]
        cli_fit[kind] = (model["formula"], model["inclS"], model["covS"])

    app = make_app(project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("Q")
        await settle(app, pilot)
        assert isinstance(app.screen, QcaScreen)
        await pilot.press("space", "down", "o")  # condition Helhetsperspektiv, outcome Styring…
        await settle(app, pilot)
        shown = str(app.screen.query_one("#qca-solutions", Static).render())
    # Nordvik has both codes, Fjellbygd neither: the condition is sufficient and covers all
    assert cli_fit["complex"] == ("Helhetsperspektiv", 1.0, 1.0)
    for formula, incl, cov in cli_fit.values():
        expected = f"{formula}   inclS {incl:.3f}  PRI".replace(".", ",")
        assert expected in shown
        assert f"covS {cov:.3f}".replace(".", ",") in shown
