"""The layers and the command list hold: import contracts, no cycles, every command registered."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

from kodebok.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _documented() -> tuple[set[str], set[tuple[str, str]]]:
    """Commands and ``group sub`` pairs named in the first column of docs/cli.md's table."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    commands: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for line in table.splitlines():
        if not line.startswith("| `kodebok"):
            continue
        first = line.split(" | ", 1)[0]
        for name, sub in re.findall(r"`kodebok ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", first):
            commands.add(name)
            if sub:
                pairs.add((name, sub))
    return commands, pairs


def test_every_documented_command_is_registered_and_every_registered_one_documented() -> None:
    documented, _ = _documented()
    assert len(documented) > 25  # the table was found and read
    assert set(main.commands) == documented


def test_documented_subcommands_exist() -> None:
    _, pairs = _documented()
    assert ("codebook", "import") in pairs
    for group, sub in sorted(pairs):
        command = main.commands[group]
        assert isinstance(command, click.Group), f"{group} is documented with subcommands"
        assert sub in command.commands, f"kodebok {group} {sub} is documented but not registered"


def test_a_command_module_that_fails_to_import_fails_loudly() -> None:
    """No optional-import scaffolding: a broken command module is an ImportError, not a
    silently smaller command list."""
    code = (
        "import sys\n"
        "sys.modules['kodebok.cli.search_cmds'] = None\n"  # makes importing it raise
        "import kodebok.cli\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode != 0
    assert "kodebok.cli.search_cmds" in done.stderr


def test_import_contracts_hold() -> None:
    """The layers, the front ends' distance from the store and the absence of import cycles
    (the contracts in pyproject.toml, as `lint-imports` checks them)."""
    lint = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint), "--no-cache"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:]
    for contract in ("Layers:", "No import cycles", "no kodebok.store in cli or tui"):
        assert contract in done.stdout.replace("\n", " ")


def test_readme_links_only_to_files_in_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    assert "docs/architecture.md" in targets
    for target in targets:
        assert "://" not in target, f"README links outside the repository: {target}"
        assert (ROOT / target.split("#", 1)[0]).is_file(), f"README links to a missing {target}"
