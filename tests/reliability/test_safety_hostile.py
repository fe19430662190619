"""Hostile and odd files are refused quickly, with a clear message, and leave the project as it was.

Every test starts from a copy of the demo project, imports a file built in ``tmp_path`` through
the CLI, and checks the exit code, the message, the project's integrity and that its codings
(indeed all its tables) are unchanged.
"""

from __future__ import annotations

import itertools
import random
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import codings_snapshot, integrity_ok, table_checksum


@dataclass
class Demo:
    """A copy of the demo project with its state before the test."""

    path: Path
    codings: list[tuple[object, ...]]
    checksum: str

    def run(self, *args: str) -> Result:
        from kodebok.cli import main

        return CliRunner().invoke(main, ["-p", str(self.path), *args], catch_exceptions=False)

    def assert_unchanged(self) -> None:
        assert integrity_ok(self.path)
        assert codings_snapshot(self.path) == self.codings
        assert table_checksum(self.path) == self.checksum


@pytest.fixture
def demo(demo_project: Path) -> Iterator[Demo]:
    yield Demo(demo_project, codings_snapshot(demo_project), table_checksum(demo_project))


def _refused(demo: Demo, path: Path, *needles: str, seconds: float = 3.0) -> Result:
    """Import ``path``; it must fail with exit 2 within ``seconds``, naming the file and ``needles``."""
    began = time.perf_counter()
    result = demo.run("import", str(path))
    took = time.perf_counter() - began
    assert result.exit_code == 2, result.output
    assert path.name in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert took < seconds, f"took {took:.1f} s"
    demo.assert_unchanged()
    return result


TURNS = "I: Hvordan jobber dere med mål?\n\nIP: Vi har styringskort.\n"


# --- YAML front matter: the same loader as codebooks -------------------------------------


def _alias_bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in itertools.pairwise("abcdefghijklmnop"[:levels]):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines)


def test_front_matter_alias_bomb_is_refused_at_once(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "bombe.txt"
    path.write_text(f"---\n{_alias_bomb()}\n---\n\n{TURNS}", encoding="utf-8")
    # the first alias is on line 3 of the file
    _refused(demo, path, "bombe.txt, line 3", "aliases", seconds=1.0)


def test_front_matter_recursive_alias_gives_a_clear_error(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "rekursiv.txt"
    path.write_text(f"---\ntittel: x\na: &a [*a]\n---\n\n{TURNS}", encoding="utf-8")
    _refused(demo, path, "rekursiv.txt, line 3", "aliases (& and *) are not supported")


def test_front_matter_nested_too_deeply_is_refused(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "dyp.txt"
    path.write_text(f"---\na: {'[' * 5000}1{']' * 5000}\n---\n\n{TURNS}", encoding="utf-8")
    _refused(demo, path, "dyp.txt, line 2", "nested more than")


def test_front_matter_without_aliases_still_imports(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "vanlig.txt"
    path.write_text(
        f"---\nkommune: Nordvik\ndato: 2024-03-01\nspeakers:\n  IP: {{role: rektor}}\n---\n\n"
        f"{TURNS}",
        encoding="utf-8",
    )
    result = demo.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert integrity_ok(demo.path)
    assert codings_snapshot(demo.path) == demo.codings


def test_codebook_and_front_matter_share_one_loader(tmp_path: Path) -> None:
    """The codebook parser refuses the same bomb through the same loader, just as fast."""
    from kodebok.codebook import parse_yaml_codebook
    from kodebok.errors import CodebookError

    began = time.perf_counter()
    with pytest.raises(CodebookError, match=r"bok\.yaml, line 2: anchors and aliases"):
        parse_yaml_codebook(f"{_alias_bomb()}\ncodes: [A]\n", "bok.yaml")
    assert time.perf_counter() - began < 1.0


# --- NFC in linear time ------------------------------------------------------------------


def _quadratic_positions(original: str) -> tuple[str, list[int]]:
    """The old mapping (NFC of every prefix), as the reference on small inputs."""
    text = original.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    mapping: list[int] = []
    pos, i = 0, 0
    while i < len(original):
        mapping.append(pos)
        if original[i] == "\r" and original[i + 1 : i + 2] == "\n":
            mapping.append(pos)
            i += 1
        if not (i == 0 and original[0] == "\ufeff"):
            pos += 1
        i += 1
    mapping.append(pos)
    prefix = [len(unicodedata.normalize("NFC", text[:k])) for k in range(len(text) + 1)]
    return unicodedata.normalize("NFC", text), [prefix[p] for p in mapping]


def test_positions_equal_the_prefix_definition_on_odd_text() -> None:
    from kodebok.exchange.refi_read import normalised_positions

    rng = random.Random(15)
    alphabet = "ae o\r\n\ufeff\u0301\u0300\u0316\u0323\u030a\u212b\u00e5\u1100\u1161\u11a8\u0344"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        expected_text, expected = _quadratic_positions(text)
        got_text, got = normalised_positions(text)
        assert got_text == expected_text
        assert [got[p] for p in range(len(text) + 1)] == expected, repr(text)


def test_decomposed_text_normalises_in_linear_time() -> None:
    from kodebok.exchange.refi_read import normalised_positions
    from kodebok.textnorm import nfc

    nfd = "e\u0301" * 100_000  # 200 000 characters, every second one an accent
    normalised_positions("e\u0301")  # the character tables are built once per process
    began = time.perf_counter()
    text, pos = normalised_positions(nfd)
    took = time.perf_counter() - began
    assert text == "é" * 100_000 and pos[200_000] == 100_000 and (pos[2], pos[3]) == (1, 2)
    assert took < 1.5, f"took {took:.2f} s"  # prefix by prefix it takes minutes
    # mixed-order accents: unicodedata's insertion sort alone takes 20 s on this
    marks = "a" + "\u0301\u0316" * 80_000
    began = time.perf_counter()
    assert nfc(marks) == unicodedata.normalize("NFC", "a" + "\u0316" * 80_000 + "\u0301" * 80_000)
    assert time.perf_counter() - began < 1.5


def test_transcript_with_a_hundred_thousand_stacked_accents_imports(
    demo: Demo, tmp_path: Path
) -> None:
    path = tmp_path / "aksenter.txt"
    accents = "\u0301\u0316" * 50_000
    path.write_text(f"{TURNS}IP: Ja{accents}.\n", encoding="utf-8")
    began = time.perf_counter()
    result = demo.run("import", str(path))
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - began < 5
    assert integrity_ok(demo.path) and codings_snapshot(demo.path) == demo.codings
