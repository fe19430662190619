"""``python -m kodebok``: the same as the ``kodebok`` command."""

from kodebok.cli import run

run()
