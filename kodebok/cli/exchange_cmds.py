"""``kodebok export``: REFI-QDA project exchange with other QDA programs."""

from __future__ import annotations

from pathlib import Path

import click

from kodebok.cli.common import checked_output, open_project, write_output


@click.group("export")
def export_group() -> None:
    """Export the project for other programs (REFI-QDA .qdpx)."""


@export_group.command("qdpx")
@click.argument("file", type=click.Path(path_type=Path, readable=False), callback=checked_output)
@click.option(
    "--with-pseudonym-map",
    is_flag=True,
    help="Also put the pseudonym map (real name -> pseudonym) in kodebok's side file.",
)
@click.pass_context
def export_qdpx_cmd(ctx: click.Context, file: Path, with_pseudonym_map: bool) -> None:
    """REFI-QDA project export (NVivo, MAXQDA, ATLAS.ti, QualCoder read it)."""
    from kodebok.services.refi import export_qdpx

    with open_project(ctx) as project:
        data = export_qdpx(project, with_pseudonyms=with_pseudonym_map)
    write_output(data, file)


COMMANDS = [export_group]
