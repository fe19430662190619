"""SVG snapshots of the library, coding, codebook and search screens at 120×40, and of the
coding, agreement and matrix screens at 80×24 (chips, footer, coder columns and decimal
commas on a small terminal).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
The coding-screen SVG is the picture the README shows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kodebok.tui.app import make_app
from tests.tui.conftest import CODER

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _colours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots show the codes' colours (the rest of the suite runs with NO_COLOR)."""
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(autouse=True)
def _in_project_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Titles show the project's path relative to the working folder: the same on every run."""
    monkeypatch.chdir(tmp_path)


async def _settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_library(tui_project: Path, snap_compare: Callable[..., bool]) -> None:
    app = make_app(tui_project, coder=CODER)
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_snapshot_coding(tui_project: Path, snap_compare: Callable[..., bool]) -> None:
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    assert snap_compare(app, terminal_size=SIZE, press=["j", "1", "j", "j", "v", "l", "l"])


def test_snapshot_codebook(tui_project: Path, snap_compare: Callable[..., bool]) -> None:
    app = make_app(tui_project, coder=CODER)
    assert snap_compare(app, terminal_size=SIZE, press=["b", "down"])


def test_snapshot_search(tui_project: Path, snap_compare: Callable[..., bool]) -> None:
    app = make_app(tui_project, coder=CODER)

    async def search(pilot: Any) -> None:
        await pilot.press("slash", *"styringssystem*", "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=search)


SMALL = (80, 24)


def test_snapshot_coding_80x24(tui_project: Path, snap_compare: Callable[..., bool]) -> None:
    from kodebok.services.codes import create_code
    from kodebok.services.coding import code_segment
    from kodebok.store import Project
    from tests.tui.conftest import OTHER

    with Project.open(tui_project) as project:
        create_code(project, "Ledelse/Fremmer", coder=CODER, color="#edc948")
        create_code(project, "Oppslutning og lojalitet/Fremmer", coder=CODER, color="#76b7b2")
        code_segment(project, "nordvik_radmann", 3, "Ledelse/Fremmer", coder=CODER)
        code_segment(project, "nordvik_radmann", 3, "Oppslutning og lojalitet/Fremmer", coder=OTHER)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    assert snap_compare(app, terminal_size=SMALL, press=["j", "1", "2"])


def test_snapshot_agreement_80x24(tui_project: Path, snap_compare: Callable[..., bool]) -> None:
    from kodebok.services.codes import create_code
    from kodebok.services.coding import code_segment
    from kodebok.store import Project
    from tests.tui.conftest import OTHER

    long = "Praksis/Medvirkning/Tillitsvalgte i partssamarbeidet"
    with Project.open(tui_project) as project:
        create_code(project, long, coder=CODER)
        code_segment(project, "nordvik_radmann", 3, long, coder=CODER)
        code_segment(project, "nordvik_radmann", 5, long, coder=OTHER)
        code_segment(project, "nordvik_radmann", 1, "Helhetsperspektiv", coder=CODER)

    async def agreement(pilot: Any) -> None:
        await pilot.press("A")
        await _settle(pilot)

    app = make_app(tui_project, coder=CODER)
    assert snap_compare(app, terminal_size=SMALL, run_before=agreement)


def test_snapshot_matrix_80x24(tui_project: Path, snap_compare: Callable[..., bool]) -> None:
    """The matrix on a small terminal: settings line, heat table, N row, footer with P, Q, A."""
    from kodebok.services.coding import code_segment
    from kodebok.store import Project

    project = Project.open(tui_project)
    try:
        for document, idx, code in [
            ("nordvik_radmann", 1, "Helhetsperspektiv"),
            ("nordvik_radmann", 3, "Praksis/Initiering"),
            ("nordvik_radmann", 5, "Praksis/Medvirkning"),
            ("fjellbygd_ordforar", 1, "Praksis/Medvirkning"),
            ("fjellbygd_ordforar", 3, "Styringssystem"),
        ]:
            code_segment(project, document, idx, code, coder=CODER)
    finally:
        project.close()
    app = make_app(tui_project, coder=CODER)

    async def matrix(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("M")
        await _settle(pilot)
        await pilot.press("p")  # row percentages: "n (x,x %)" with a decimal comma
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=matrix)
