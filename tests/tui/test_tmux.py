"""The real program in a real terminal (tmux): open a project, code a segment through the picker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.tui.conftest import rows

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TIMEOUT = 30.0


def kodebok_command() -> str:
    """The installed ``kodebok`` script beside this Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("kodebok")
    found = str(beside) if beside.exists() else shutil.which("kodebok")
    if found is None:
        pytest.skip("the kodebok command is not installed")
    return found


class Tmux:
    """One tmux server on a private socket, so the test never touches the user's sessions."""

    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.session = "kodebok"

    def run(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return done.stdout

    def start(self, command: str) -> None:
        self.run("new-session", "-d", "-s", self.session, "-x", "120", "-y", "40", command)
        # some tmux versions size a detached session from default-size (80×24) instead
        self.run("resize-window", "-t", self.session, "-x", "120", "-y", "40")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def literal(self, text: str) -> None:
        self.run("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def wait_for(self, condition: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{text}")
            time.sleep(0.2)

    def kill(self) -> None:
        self.run("kill-server")


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    server = Tmux(f"kodebok-test-{os.getpid()}-{time.monotonic_ns()}")
    try:
        yield server
    finally:
        server.kill()


def test_real_program_codes_a_segment_through_the_picker(tui_project: Path, tmux: Tmux) -> None:
    command = f"env KODEBOK_CODER=test {kodebok_command()} -p {tui_project} open"
    tmux.start(command)
    tmux.wait_for(lambda s: "nordvik_radmann" in s and "Bibliotek" in s, "the library")
    time.sleep(0.5)  # the first frame can be drawn before the app reads keys

    tmux.keys("f")
    tmux.literal("nordvik")
    tmux.wait_for(lambda s: "fjellbygd_ordforar" not in s, "the filtered library")
    tmux.keys("Enter")
    time.sleep(0.3)
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "segment 1/6" in s, "the coding screen")

    tmux.keys("j")
    tmux.wait_for(lambda s: "segment 2/6" in s, "the second segment")
    tmux.keys("c")
    tmux.wait_for(lambda s: "Velg kode" in s, "the code picker")
    tmux.literal("medvirk")
    time.sleep(0.3)
    tmux.keys("Enter")
    screen = tmux.wait_for(lambda s: "■ Medvirkning" in s, "the new code chip")

    assert "koder: test" in screen
    deadline = time.monotonic() + TIMEOUT
    found: list[tuple[object, ...]] = []
    while not found and time.monotonic() < deadline:
        found = rows(
            tui_project,
            "SELECT s.idx, c.name FROM codings k JOIN codes c ON c.id = k.code_id "
            "JOIN segments s ON s.id = k.segment_id WHERE k.coder = 'test'",
        )
        time.sleep(0.1)
    assert found == [(1, "Medvirkning")]

    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Bibliotek" in s, "the library again")
    tmux.keys("q")


def test_a_number_read_on_the_coding_screen_codes_the_same_turn_from_the_cli(
    tui_project: Path, tmux: Tmux
) -> None:
    """A student reads `IP  #4` on the screen and types `kodebok code DOC 4 CODE`."""
    import re

    kodebok = kodebok_command()
    tmux.start(f"env KODEBOK_CODER=test {kodebok} -p {tui_project} open")
    tmux.wait_for(lambda s: "nordvik_radmann" in s and "Bibliotek" in s, "the library")
    time.sleep(0.5)  # the first frame can be drawn before the app reads keys
    tmux.keys("f")
    tmux.literal("nordvik")
    tmux.wait_for(lambda s: "fjellbygd_ordforar" not in s, "the filtered library")
    tmux.keys("Enter")
    time.sleep(0.3)
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "segment 1/6" in s, "the coding screen")
    tmux.keys("j", "j", "j")
    screen = tmux.wait_for(lambda s: "segment 4/6" in s, "the fourth segment")

    # the current segment is the one marked ▌ in the margin: its header and its first line
    marked = [line[1:].strip() for line in screen.splitlines() if line.startswith("▌")]
    header = re.fullmatch(r"(\S+)\s+#(\d+)\b.*", marked[0].split("▏")[0].strip())
    assert header is not None, screen
    speaker, number = header.group(1), header.group(2)
    first_words = marked[1].split("▏")[0].strip()
    assert speaker == "IP"
    assert first_words

    typed = subprocess.run(
        [kodebok, "-p", str(tui_project), "code", "nordvik_radmann", number, "Medvirkning"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KODEBOK_CODER": "student"},
        check=False,
    )
    assert typed.returncode == 0, typed.stderr
    assert typed.stdout == f"nordvik_radmann #{number} coded with Praksis/Medvirkning (student)\n"
    coded = rows(
        tui_project,
        "SELECT s.idx, sp.label, d.text FROM codings k JOIN segments s ON s.id = k.segment_id "
        "JOIN speakers sp ON sp.id = s.speaker_id JOIN documents d ON d.id = k.document_id "
        "WHERE k.coder = 'student'",
    )
    assert len(coded) == 1
    idx, label, _ = coded[0]
    assert (idx + 1, label) == (int(number), speaker)
    text = rows(
        tui_project,
        'SELECT substr(d.text, s.start + 1, s."end" - s.start) FROM segments s '
        "JOIN documents d ON d.id = s.document_id WHERE d.name = 'nordvik_radmann' AND s.idx = ?",
        (idx,),
    )[0][0]
    assert text.startswith(first_words)

    undone = subprocess.run(
        [kodebok, "-p", str(tui_project), "undo"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KODEBOK_CODER": "student"},
        check=False,
    )
    assert undone.stdout == f"Angret: Kode nordvik_radmann #{number} med Praksis/Medvirkning\n"
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Bibliotek" in s, "the library again")
    tmux.keys("q")
