"""Crash reports: the traceback of an unexpected failure, written to a file instead of the screen."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path


def crash_dir() -> Path:
    """``$XDG_STATE_HOME/kodebok`` (default ``~/.local/state/kodebok``)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "kodebok"


def crash_report_text(exc: BaseException, argv: Sequence[str]) -> str:
    """What a crash report holds: versions, the command line and the full traceback."""
    from kodebok import __version__

    return "".join(
        [
            f"kodebok {__version__} crash report, {datetime.now(UTC).isoformat()}\n",
            f"python {sys.version.split()[0]} on {platform.platform()}\n",
            f"argv: {list(argv)!r}\n\n",
            *traceback.format_exception(type(exc), exc, exc.__traceback__),
        ]
    )


def write_crash_report(exc: BaseException, argv: Sequence[str]) -> Path | None:
    """Write a crash report (state folder, else the temp folder); its path, or None if neither works.

    The report may name files and hold parts of the command line; it stays on this machine.
    """
    text = crash_report_text(exc, argv)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    for folder in (crash_dir(), Path(tempfile.gettempdir()) / "kodebok"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"crash-{stamp}.txt"
            with target.open("x", encoding="utf-8") as fh:
                fh.write(text)
            return target
        except OSError:
            continue
    return None
