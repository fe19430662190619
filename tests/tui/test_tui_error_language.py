"""Errors in the TUI speak its language: Norwegian by default, English with KODEBOK_LANG=en.

Each error is pressed through real keys; the screen shows the catalogue's text
(kodebok.i18n.render), while the database stays unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kodebok.tui.app import KodebokApp, make_app
from kodebok.tui.dialogs.picker import CodePicker
from kodebok.tui.dialogs.simple import TextInputDialog
from kodebok.tui.screens.codebook import CodebookScreen
from kodebok.tui.screens.coding import CodingScreen
from kodebok.tui.widgets.code_tree import CodeTree
from tests.tui.conftest import CODER, rows, screen_text

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


@pytest.fixture(params=["nb", "en"])
def language(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """nb: the default (no choice anywhere); en: chosen with KODEBOK_LANG, as a user would."""
    if request.param == "en":
        monkeypatch.setenv("KODEBOK_LANG", "en")
    else:
        monkeypatch.delenv("KODEBOK_LANG", raising=False)
    return str(request.param)


def notices(app: KodebokApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def wait_for_notice(app: KodebokApp, pilot: object, text: str) -> None:
    for _ in range(200):
        if any(text in n for n in notices(app)):
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError(f"no notice with {text!r} in {notices(app)}")


def code_count(path: Path) -> int:
    return int(rows(path, "SELECT COUNT(*) FROM codes")[0][0])


async def test_the_picker_refuses_a_code_too_deep(tui_project: Path, language: str) -> None:
    path = "/".join("abcdefghijklmnopqrstu")  # 21 levels
    expected = {
        "nb": f"koden «{path}» ville ligge 21 nivåer dypt; høyst 20 nivåer er tillatt",
        "en": f"code '{path}' would be 21 levels deep; at most 20 levels are allowed",
    }[language]
    before = code_count(tui_project)
    app = make_app(tui_project, coder=CODER, document="nordvik_radmann")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*path, "enter")
        await wait_for_notice(app, pilot, expected)
    assert code_count(tui_project) == before
    assert rows(tui_project, "SELECT COUNT(*) FROM codings WHERE coder = ?", (CODER,)) == [(0,)]


async def test_the_codebook_refuses_a_duplicate_code(tui_project: Path, language: str) -> None:
    expected = {
        "nb": "koden «Styringssystem» finnes allerede",
        "en": "code 'Styringssystem' exists already",
    }[language]
    before = code_count(tui_project)
    app = make_app(tui_project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        await pilot.press("N")
        await pilot.pause()
        assert isinstance(app.screen, TextInputDialog)
        await pilot.press(*"Styringssystem", "enter")
        await wait_for_notice(app, pilot, expected)
    assert code_count(tui_project) == before


async def test_the_codebook_refuses_to_merge_a_code_into_its_child(
    tui_project: Path, language: str
) -> None:
    expected = {
        "nb": "kan ikke slå «Praksis» sammen med sin egen underkode «Praksis/Initiering»",
        "en": "cannot merge 'Praksis' into its own child 'Praksis/Initiering'",
    }[language]
    app = make_app(tui_project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        tree = app.screen.query_one(CodeTree)
        code = next(c for c in app.session.codes if c.name == "Praksis")
        tree.select_code(code.id)
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"Praksis/Initiering", "enter")
        await pilot.pause()
        if not isinstance(app.screen, CodebookScreen):  # a confirmation first
            await pilot.press("y")
        await app.workers.wait_for_complete()
        await wait_for_notice(app, pilot, expected)
    assert rows(tui_project, "SELECT COUNT(*) FROM codes WHERE name = 'Praksis'") == [(1,)]


@pytest.mark.parametrize(
    ("content", "texts"),
    [
        (
            b"",
            {
                "nb": "elvestad_rektor.txt: filen er tom",
                "en": "elvestad_rektor.txt: the file is empty",
            },
        ),
        (
            b"\x01\x02\x03\x04abc" * 64,
            {
                "nb": "elvestad_rektor.txt: ser ut som en binærfil, ikke tekst",
                "en": "elvestad_rektor.txt: looks like a binary file, not text",
            },
        ),
        (
            "I: Hvordan går det?\n\nR: Bra, takk. Vi går gjennom prøvene.\n".encode("utf-16-le"),
            {
                "nb": "elvestad_rektor.txt: ser ut som UTF-16-tekst uten byte order mark",
                "en": "elvestad_rektor.txt: looks like UTF-16 text without a byte order mark",
            },
        ),
    ],
    ids=["empty", "binary", "encoding"],
)
async def test_importing_a_file_that_cannot_be_read_says_why_in_the_ui_language(
    empty_project: Path, tmp_path: Path, language: str, content: bytes, texts: dict[str, str]
) -> None:
    source = tmp_path / "elvestad_rektor.txt"
    source.write_bytes(content)
    app = make_app(empty_project, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, TextInputDialog)
        await pilot.press(*str(source), "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await wait_for_notice(app, pilot, texts[language])
    assert rows(empty_project, "SELECT COUNT(*) FROM documents") == [(0,)]


async def test_a_file_that_is_not_a_project_is_named_in_the_ui_language(
    tmp_path: Path, language: str
) -> None:
    bad = tmp_path / "ikke.kodebok"
    bad.write_bytes(b"this is not sqlite at all" * 10)
    expected = {
        "nb": "ikke et kodebok-prosjekt (ikke en SQLite-database)",
        "en": "not a kodebok project (not an SQLite database)",
    }[language]
    app = make_app(bad, coder=CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = " ".join(screen_text(app).split())
        assert expected in shown, shown
        other = "not a kodebok project" if language == "nb" else "ikke et kodebok-prosjekt"
        assert other not in shown
