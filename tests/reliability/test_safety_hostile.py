"""Hostile and odd files are refused quickly, with a clear message, and leave the project as it was.

Every test starts from a copy of the demo project, imports a file built in ``tmp_path`` through
the CLI, and checks the exit code, the message, the project's integrity and that its codings
(indeed all its tables) are unchanged.
"""

from __future__ import annotations

import itertools
import time
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
