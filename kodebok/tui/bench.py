"""TUI timings with Pilot: open-to-first-paint and keystroke latency (``kodebok bench`` calls it).

Run as a script to try it on a generated 20,000-word, 1,500-segment transcript::

    python -m kodebok.tui.bench [--presses 200]
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kodebok.ingest.model import ParsedDocument, Turn

PAINT_TIMEOUT = 5.0

_WORDS = [
    "kommunen",
    "styringssystem",
    "medvirkning",
    "rådmannen",
    "lederavtaler",
    "tertialrapport",
    "handlingsplan",
    "økonomiplan",
    "tillitsvalgte",
    "oppslutning",
    "resultatene",
    "enhetsleder",
    "formannskapet",
    "kommunestyret",
    "brukerundersøkelse",
    "medarbeiderundersøkelse",
    "forankring",
    "eierskap",
    "rapportering",
    "indikatorer",
    "målene",
    "skolen",
    "barnehagen",
    "omsorg",
    "ansatte",
    "politikerne",
    "ledergruppa",
    "årshjul",
    "KOSTRA",
]
_SMALL = [
    "og",
    "det",
    "er",
    "vi",
    "som",
    "har",
    "med",
    "på",
    "i",
    "en",
    "til",
    "at",
    "de",
    "så",
    "men",
    "ikke",
    "var",
    "for",
    "kan",
]


def synthetic_transcript(
    segments: int = 1500, words: int = 20_000, seed: int = 7, name: str = "lang_intervju"
) -> ParsedDocument:
    """A long interview (interviewer and informant turns, timestamps) for timing the view."""
    rng = random.Random(seed)
    per_turn = [
        max(2, int(rng.gauss(words / segments, words / segments / 2))) for _ in range(segments)
    ]
    scale = words / sum(per_turn)
    text = ""
    turns: list[Turn] = []
    for i, n in enumerate(per_turn):
        speaker = "I" if i % 2 == 0 else "IP"
        count = max(2, round(n * scale))
        said = " ".join(
            rng.choice(_WORDS) if rng.random() < 0.35 else rng.choice(_SMALL) for _ in range(count)
        )
        said = said[0].upper() + said[1:] + "."
        start = len(text) + len(speaker) + 2
        text += f"{speaker}: {said}\n\n"
        turns.append(Turn(start, start + len(said), speaker, t_start=float(i * 6)))
    return ParsedDocument(
        name=name,
        source=f"{name}.txt",
        kind="intervju",
        text=text,
        turns=tuple(turns),
        interviewers=frozenset({"I"}),
    )


def _stats(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"median_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0, "n": 0}
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(ordered[-1], 2),
        "n": len(ordered),
    }


async def _painted(view: Any) -> None:
    """Wait until the transcript has drawn at least one line since ``painted`` was reset."""
    deadline = time.perf_counter() + PAINT_TIMEOUT
    while not view.painted and time.perf_counter() < deadline:
        await asyncio.sleep(0)


def _count(project: Any, coder: str) -> int:
    from kodebok.services.lookup import codings_by

    return codings_by(project, coder)


async def _key(app: Any, view: Any, key: str, done: Any) -> float:
    """Milliseconds from a key event to its effect (``done()``) being painted on screen.

    The key goes straight to the driver: Pilot.press waits for the process to go idle in
    20 ms steps, which would measure the test harness instead of the app.
    """
    from textual import events

    changes = view.changes
    t0 = time.perf_counter()
    app._driver.send_message(events.Key(key, key))
    deadline = t0 + PAINT_TIMEOUT

    def painted() -> bool:
        # the change made by this key (not an earlier one) has reached the screen
        return bool(view.changes > changes and view.painted_change == view.changes and done())

    while not painted() and time.perf_counter() < deadline:
        await asyncio.sleep(0)
    return (time.perf_counter() - t0) * 1000


async def measure_tui(
    project_path: Path, document: str, coder: str, presses: int = 200
) -> dict[str, Any]:
    """Open the coding screen headless on ``document`` and time it and key presses.

    Returns ``open_ms`` (app start to the first painted transcript), and median/p95 for
    ``move`` (``j``) and ``code`` (``1``: the coding is in the database and the segment
    repainted). Needs a code with shortcut 1 for the coding part (skipped otherwise).
    """
    from kodebok.tui.app import make_app
    from kodebok.tui.screens.coding import CodingScreen
    from kodebok.tui.widgets.transcript import TranscriptView

    started = time.perf_counter()
    app = make_app(Path(project_path), coder=coder, document=document)
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = started + 30
        while not isinstance(app.screen, CodingScreen) and time.perf_counter() < deadline:
            await asyncio.sleep(0.001)
        if not isinstance(app.screen, CodingScreen):
            raise RuntimeError(f"the coding screen for '{document}' did not open")
        view = app.screen.query_one(TranscriptView)
        await _painted(view)
        open_ms = (time.perf_counter() - started) * 1000
        can_code = "1" in app.session.by_shortcut
        project = app.session.project
        moves: list[float] = []
        codings: list[float] = []
        for _ in range(presses):
            target = min(view.current + 1, len(view.segments) - 1)
            moves.append(await _key(app, view, "j", lambda t=target: view.current == t))
            if can_code:
                before = _count(project, coder)
                codings.append(
                    await _key(app, view, "1", lambda b=before: _count(project, coder) > b)
                )
        await pilot.pause()
        coded = _count(project, coder)
        segments = len(view.segments)
    result: dict[str, Any] = {
        "open_ms": round(open_ms, 1),
        "segments": segments,
        "move": _stats(moves),
        "codings_in_db": int(coded),
    }
    if codings:
        result["code"] = _stats(codings)
    return result


def build_bench_project(folder: Path) -> tuple[Path, str]:
    """A project with the synthetic transcript and a code on shortcut 1."""
    from kodebok.services.codes import create_code
    from kodebok.services.documents import store_parsed
    from kodebok.services.project import create_project

    path = folder / "bench.kodebok"
    doc = synthetic_transcript()
    with create_project(path) as project:
        store_parsed(project, doc)
        create_code(project, "Styringssystem", coder="bench", shortcut="1", color="#4e79a7")
        create_code(project, "Medvirkning", coder="bench", shortcut="2", color="#59a14f")
    return path, doc.name


def main(argv: list[str] | None = None) -> None:
    """Generate the long transcript, measure, and print the figures as JSON."""
    args = argv if argv is not None else sys.argv[1:]
    presses = int(args[args.index("--presses") + 1]) if "--presses" in args else 200
    with tempfile.TemporaryDirectory() as tmp:
        path, name = build_bench_project(Path(tmp))
        result = asyncio.run(measure_tui(path, name, "bench", presses=presses))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
