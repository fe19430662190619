"""Commands about the project as a whole: init, open, doctor, undo, redo, backup, restore."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import click

from kodebok import __version__
from kodebok.cli.common import coder_option, echo_json, open_project, project_path


def run_tui(ctx: click.Context, path: Path, coder: str | None) -> None:
    """Open the TUI on a project (an absent project is an error, as for every command)."""
    from kodebok.services.project import default_coder
    from kodebok.services.project import open_project as _open

    _open(path).close()  # fail early, with the CLI's message, if the project is missing/locked
    from kodebok.tui.app import make_app

    app = make_app(path, coder=coder or default_coder())
    click.echo(f"kodebok: {Path(path).resolve()}", err=True)  # which file, before the UI hides it
    app.run()


@click.command("init")
@click.pass_context
def init_cmd(ctx: click.Context) -> None:
    """Create an empty project (never overwrites an existing one)."""
    from kodebok.services.project import init_project

    path = project_path(ctx)
    project, created = init_project(path)
    project.close()
    if created:
        click.echo(f"Created project {path}")
    else:
        click.echo(f"Project {path} exists already; nothing changed")


@click.command("open")
@coder_option
@click.pass_context
def open_cmd(ctx: click.Context, coder: str) -> None:
    """Open the coding workspace (TUI) on the project."""
    run_tui(ctx, project_path(ctx), coder)


@click.command("doctor")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def doctor_cmd(ctx: click.Context, fmt: str) -> None:
    """Versions, NLP pipeline in use, project schema version and an integrity check.

    Exits 1 when it finds a problem (integrity or foreign key check failed, a damaged file,
    segments without NLP features); each problem is one 'Problem: ...' line on stderr.
    """
    from kodebok.services.doctor import diagnose

    report = diagnose(project_path(ctx))
    problems = report.get("problems") or []
    if fmt == "json":
        echo_json(report)
    else:
        for key, value in report.items():
            if key != "problems":
                click.echo(f"{key:<18} {value}")
    for problem in problems:
        click.echo(f"Problem: {problem}", err=True)
    if problems:
        ctx.exit(1)


def _step(ctx: click.Context, coder: str, redo: bool) -> None:
    """Undo or redo this coder's last change and say which."""
    from kodebok.i18n import journal_text, tr
    from kodebok.services.project import ui_language

    with open_project(ctx) as project:
        language = ui_language(project)
        entry = project.redo(coder) if redo else project.undo(coder)
    if entry is None:
        click.echo(tr(language, "cli.nothing_redo" if redo else "cli.nothing_undo", coder=coder))
    else:
        what = journal_text(entry, language)
        click.echo(tr(language, "cli.redid" if redo else "cli.undid", what=what))


@click.command("undo")
@coder_option
@click.pass_context
def undo_cmd(ctx: click.Context, coder: str) -> None:
    """Undo the last change by this coder."""
    _step(ctx, coder, redo=False)


@click.command("redo")
@coder_option
@click.pass_context
def redo_cmd(ctx: click.Context, coder: str) -> None:
    """Redo the last change this coder undid."""
    _step(ctx, coder, redo=True)


@click.command("backup")
@click.pass_context
def backup_cmd(ctx: click.Context) -> None:
    """Write a backup copy of the project (VACUUM INTO) beside it."""
    from kodebok.services.project import manual_backup

    with open_project(ctx) as project:
        target = manual_backup(project)
    click.echo(str(target))


@click.command("restore")
@click.argument("backup", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_context
def restore_cmd(ctx: click.Context, backup: Path) -> None:
    """Replace the project with a backup (the current state is backed up first).

    The backup must pass SQLite's integrity check and be a kodebok project; otherwise nothing
    is changed (exit 2). A current file that is no longer a readable project is kept as a copy.
    """
    from kodebok.services.doctor import restore_backup

    result = restore_backup(project_path(ctx), backup)
    if result.saved is not None:
        click.echo(f"Restored {backup}; the previous state is in {result.saved}")
    elif result.damaged_copy is not None:
        click.echo(
            f"Restored {backup}; the previous file was not a readable project, "
            f"a copy of it is in {result.damaged_copy}"
        )
    else:
        click.echo(f"Restored {backup} (there was no project file before)")


@click.command("demo")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where to build the demo project (default: a new temporary folder).",
)
@click.option("--no-tui", is_flag=True, help="Only build the project and print its path.")
@click.pass_context
def demo_cmd(ctx: click.Context, folder: Path | None, no_tui: bool) -> None:
    """Build a demo project from the sample corpus and open it."""
    from kodebok.cli.common import Progress
    from kodebok.services.demo import CODERS, build_demo

    report = build_demo(folder, progress=Progress("Building demo"))
    for problem in report.failed:
        click.echo(f"Warning: {problem}", err=True)
    click.echo(str(report.path))
    click.echo(
        f"{report.documents} documents, {report.words} words, codings: "
        + ", ".join(f"{k} {v}" for k, v in report.codings.items())
        + f" ({report.seconds:.1f} s)",
        err=True,
    )
    if not no_tui:
        run_tui(ctx, report.path, coder=CODERS[0])


def version_line() -> str:
    """kodebok and Python versions."""
    return f"kodebok {__version__}, Python {platform.python_version()} ({sys.platform})"


COMMANDS = [init_cmd, open_cmd, demo_cmd, doctor_cmd, undo_cmd, redo_cmd, backup_cmd, restore_cmd]
