"""``kodebok bench``: the performance benchmark over a generated corpus."""

from __future__ import annotations

import sys

import click

from kodebok.cli.common import echo_json


@click.command("bench")
@click.option(
    "--scale", type=click.Choice(["small", "medium", "large"]), default="small", show_default=True
)
@click.option("--stages", help="Comma-separated stage names (import and codings always run).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def bench_cmd(scale: str, stages: str | None, fmt: str) -> None:
    """Measure the whole path (import … TUI) on a seeded synthetic corpus in a temporary folder."""
    from kodebok.bench.runner import format_table, run_bench

    chosen = [s.strip() for s in stages.split(",") if s.strip()] if stages else None

    def progress(name: str) -> None:
        if sys.stderr.isatty():
            click.echo(f"… {name}", err=True)

    report = run_bench(scale, chosen, progress=progress)
    if fmt == "json":
        echo_json(report)
    else:
        click.echo(format_table(report))
    if any(s["status"] == "failed" for s in report["stages"]):
        sys.exit(1)


COMMANDS = [bench_cmd]
