"""The ``kodebok`` command line: thin click commands over kodebok.services (spec/cli.md)."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from kodebok import __version__
from kodebok.errors import KodebokError, is_locked_error


class KodebokGroup(click.Group):
    """A group that shows KodebokError as one line on stderr (no traceback) with its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KodebokError as exc:
            for line in exc.message.splitlines() or ["error"]:
                click.echo(f"Error: {line}", err=True)
            sys.exit(exc.exit_code)
        except sqlite3.OperationalError as exc:
            if is_locked_error(exc):
                click.echo(
                    "Error: the project is locked by another program writing to it "
                    "(another kodebok?); try again when it has finished",
                    err=True,
                )
                sys.exit(2)
            from kodebok.services.project import read_only_error

            path = Path((ctx.obj or {}).get("project") or "kodebok.db")
            read_only = read_only_error(exc, path)
            if read_only is not None:
                click.echo(f"Error: {read_only.message}", err=True)
                sys.exit(read_only.exit_code)
            _crash(exc)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # the last line of defence: no traceback on the terminal
            _crash(exc)


def _crash(exc: BaseException) -> None:
    """Write the traceback to a crash report, print one line naming it, and exit 1."""
    from kodebok.crash import write_crash_report

    report = write_crash_report(exc, sys.argv)
    what = f"{type(exc).__name__}: {str(exc)[:200]}".replace("\n", " ")
    if report is None:
        click.echo(
            f"Error: unexpected failure ({what}); no crash report could be written", err=True
        )
    else:
        click.echo(f"Error: unexpected failure ({what}); report written to {report}", err=True)
    sys.exit(1)


@click.group(
    cls=KodebokGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "-p",
    "--project",
    type=click.Path(path_type=Path),
    default=None,
    help="Project file (default: $KODEBOK_PROJECT, else ./kodebok.db).",
)
@click.version_option(__version__, prog_name="kodebok")
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """kodebok: code interview transcripts from the keyboard, compare cases, export QCA tables.

    Run without a command to open the coding workspace on the project.
    """
    from kodebok.services.project import default_project_path

    ctx.ensure_object(dict)
    ctx.obj["project"] = project or default_project_path()
    if ctx.invoked_subcommand is None:
        from kodebok.cli.project_cmds import run_tui

        run_tui(ctx, ctx.obj["project"], coder=None)


def _register() -> None:
    """Add every command module's COMMANDS; each module is imported by name, so a missing or
    misspelt one fails at import (and the test over docs/cli.md), never drops commands."""
    from kodebok.cli import (
        analysis_cmds,
        bench_cmds,
        coding_cmds,
        deep_cmds,
        document_cmds,
        exchange_cmds,
        nlp_cmds,
        privacy_cmds,
        project_cmds,
        qca,
        search_cmds,
        team_cmds,
    )

    for module in (
        project_cmds,
        document_cmds,
        coding_cmds,
        qca,
        analysis_cmds,
        nlp_cmds,
        search_cmds,
        team_cmds,
        exchange_cmds,
        bench_cmds,
        privacy_cmds,
        deep_cmds,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_register()


def run() -> None:
    """Console-script entry point."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    try:
        main(prog_name="kodebok")
    except Exception as exc:  # outside a command (e.g. while reading the main options)
        _crash(exc)
