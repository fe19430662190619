"""What a bench stage is given and may raise; shared by the runner and the stages.

Kept apart from :mod:`kodebok.bench.runner` so that the stages do not import the runner that
imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kodebok.bench.generator import Scale


class StageUnavailable(Exception):
    """The feature a stage measures is not in this installation."""


@dataclass
class BenchContext:
    """What a stage gets: the scale, a work folder and the project built by earlier stages."""

    scale: Scale
    folder: Path
    project: Path
    seed: int = 2026


StageFn = Callable[[BenchContext], dict[str, Any]]
