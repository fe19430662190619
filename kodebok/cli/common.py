"""Shared pieces of the command line: the project in the context, output, progress."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kodebok.fileio import atomic_write, check_output_path
from kodebok.services.project import Project

# the one CSV writer, re-exported for the commands
from kodebok.tabular import csv_text as csv_text


def project_path(ctx: click.Context) -> Path:
    """The project path chosen with --project (or its default)."""
    obj = ctx.find_root().obj or {}
    return Path(obj.get("project") or "kodebok.db")


@contextmanager
def open_project(ctx: click.Context) -> Iterator[Project]:
    """Open the context's project for one command and close it afterwards."""
    from kodebok.services.project import open_project as _open

    project = _open(project_path(ctx))
    try:
        yield project
    finally:
        project.close()


def coder_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--coder NAME`` (default $KODEBOK_CODER, else the login name)."""
    from kodebok.services.project import check_coder, default_coder

    return click.option(
        "--coder",
        default=default_coder,
        callback=lambda _ctx, _param, value: check_coder(value),
        show_default="$KODEBOK_CODER or login name",
        help="Who makes these codings.",
    )(f)


def echo_json(data: Any) -> None:
    """Print one JSON document to stdout."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table_text(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table for the terminal."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def output_option(
    *, required: bool = False, help: str | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``-o``/``--output`` option of every command that writes a file: checked before any
    work is done (never the project, another database or a folder), not checked for
    readability (an output need not exist, and a project's -shm may vanish between checks)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, readable=False),
        default=None,
        required=required,
        callback=checked_output,
        help=help,
    )


def checked_output(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Click callback for ``-o``/output paths: refuse the project, a database or a folder
    before any work is done (the same check runs again when the file is written)."""
    if value is not None:
        check_output_path(value, project_path(ctx))
    return value


def write_output(text: str | bytes, output: Path | None) -> None:
    """Write to a file (atomically: a temporary file beside it, then a rename) or to stdout.

    The output path is refused (OutputError, exit 2) when it is the open project, a file of
    its, any SQLite database or a folder: see :func:`kodebok.fileio.check_output_path`.
    """
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
        else:
            click.echo(text, nl=not text.endswith("\n"))
        return
    ctx = click.get_current_context(silent=True)
    check_output_path(output, project_path(ctx) if ctx is not None else None)
    atomic_write(output, text)
    click.echo(f"Wrote {output}", err=True)


def format_from(fmt: str | None, output: Path | None, default: str, allowed: Sequence[str]) -> str:
    """The output format: --format, else the -o file's extension, else ``default``."""
    if fmt:
        return fmt
    if output is not None:
        ext = output.suffix.lower().lstrip(".")
        ext = {"markdown": "md", "htm": "html", "yml": "yaml", "jsonl": "json"}.get(ext, ext)
        if ext in allowed:
            return ext
    return default


class Progress:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self._bar: Any = None

    def __call__(self, done: int, total: int, item: str) -> None:
        if not self.enabled or total <= 1:
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)
        if done >= total:
            self._bar.__exit__(None, None, None)
