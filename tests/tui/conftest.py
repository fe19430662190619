"""A small, deterministic project for TUI tests, and helpers to read the screen and database."""

from __future__ import annotations

import html
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.services.codes import create_code
from kodebok.services.coding import code_segment
from kodebok.services.documents import store_parsed
from kodebok.store import Project

CODER = "kari"
OTHER = "ola"

NORDVIK = [
    ("I", "Kan du fortelle om styringssystemet i kommunen?"),
    (
        "IP",
        "Vi har et enkelt styringssystem med kommuneplan, handlingsplan og lederavtaler. "
        "Det henger sammen fra toppen og ned til enhetene.",
    ),
    ("I", "Hvem tok initiativet?"),
    (
        "IP",
        "Det var rådmannen. Politikerne fikk det presentert, men de eide det ikke. "
        "Tillitsvalgte var ikke med på å utforme noe.",
    ),
    ("I", "Hva med medvirkning fra de ansatte?"),
    ("IP", "Det var opp til hver enhetsleder. Noen tok det med inn i personalet."),
]

FJELLBYGD = [
    ("I", "Korleis vart reforma forankra?"),
    (
        "IP",
        "Ordføraren og formannskapet dreiv det fram. Det var brei medverknad i partssamarbeidet.",
    ),
    ("I", "Og tillitsvalde?"),
    ("IP", "Dei var med frå første dag, og det gav oppslutning om styringssystemet."),
]


def parsed(name: str, case: str, turns: list[tuple[str, str]]) -> ParsedDocument:
    """A transcript as the ingest layer would hand it over."""
    text = ""
    spans: list[Turn] = []
    for speaker, said in turns:
        line = f"{speaker}: {said}"
        start = len(text) + len(speaker) + 2
        text += line + "\n\n"
        spans.append(Turn(start, start + len(said), speaker))
    return ParsedDocument(
        name=name,
        source=f"{name}.txt",
        kind="intervju",
        text=text,
        turns=tuple(spans),
        metadata={"case": case, "wave": "høst 2023"},
        interviewers=frozenset({"I"}),
    )


def build_project(path: Path) -> Path:
    """Two interviews in two cases, four codes (two with shortcuts), one coding by another coder."""
    project = Project.create(path)
    try:
        store_parsed(project, parsed("nordvik_radmann", "Nordvik", NORDVIK))
        store_parsed(project, parsed("fjellbygd_ordforar", "Fjellbygd", FJELLBYGD))
        create_code(
            project,
            "Helhetsperspektiv",
            coder=CODER,
            color="#4e79a7",
            shortcut="1",
            description="Sammenheng mellom mål på alle nivå",
        )
        create_code(project, "Styringssystem", coder=CODER, color="#f28e2b", shortcut="2")
        create_code(
            project,
            "Praksis/Medvirkning",
            coder=CODER,
            color="#59a14f",
            keywords=("medvirkning", "involvering", "tillitsvalgte"),
        )
        create_code(project, "Praksis/Initiering", coder=CODER, color="#e15759")
        code_segment(project, "nordvik_radmann", 1, "Styringssystem", coder=OTHER)
    finally:
        project.close()
    return path


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"


@pytest.fixture
def tui_project(tmp_path: Path) -> Path:
    """Path of the deterministic fixture project."""
    return build_project(tmp_path / "tui.kodebok")


@pytest.fixture
def empty_project(tmp_path: Path) -> Path:
    """Path of a project with nothing in it."""
    path = tmp_path / "empty.kodebok"
    Project.create(path).close()
    return path


def rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Query the project file with a separate connection (what another program would see)."""
    conn = sqlite3.connect(str(path))
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


# one run of text in Rich's SVG export: its column (x) and row (y) in pixels, then the text
_SVG_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', re.S)
_SVG_CELL_WIDTH = 12.2  # Rich's export: font size 20 × 0.61 per cell


def screen_text(app: Any) -> str:
    """Everything on the terminal as plain text, one line per row.

    Read from the public screenshot (``App.export_screenshot``): runs of text placed by their
    cell column, non-breaking spaces as spaces.
    """
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, content in _SVG_TEXT.findall(app.export_screenshot()):
        rows.setdefault(float(y), []).append((float(x), html.unescape(content)))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, content in sorted(rows[y]):
            line = line.ljust(round(x / _SVG_CELL_WIDTH)) + content.replace("\xa0", " ")
        lines.append(line.rstrip())
    return "\n".join(lines)


class Notices:
    """Every notification the app shows, recorded through its public ``notify``."""

    def __init__(self, app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.messages: list[str] = []
        shown = app.notify

        def notify(message: str, *args: Any, **kwargs: Any) -> Any:
            self.messages.append(str(message))
            return shown(message, *args, **kwargs)

        monkeypatch.setattr(app, "notify", notify)

    def text(self) -> str:
        """All messages so far, one per line."""
        return "\n".join(self.messages)
