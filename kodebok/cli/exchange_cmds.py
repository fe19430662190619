"""``kodebok export``: REFI-QDA project exchange with other QDA programs."""

from __future__ import annotations

from pathlib import Path

import click

from kodebok.cli.common import checked_output, coder_option, open_project, write_output


@click.group("export")
def export_group() -> None:
    """Export the project for other programs (REFI-QDA .qdpx)."""


@export_group.command("qdpx")
@click.argument("file", type=click.Path(path_type=Path, readable=False), callback=checked_output)
@click.option(
    "--pseudonymise",
    "--pseudonymize",
    is_flag=True,
    help="Replace personal data in texts and names (the map, then numbered placeholders).",
)
@click.option(
    "--with-pseudonym-map",
    is_flag=True,
    help="Also put the pseudonym map (real name -> pseudonym) in kodebok's side file.",
)
@coder_option
@click.pass_context
def export_qdpx_cmd(
    ctx: click.Context, file: Path, pseudonymise: bool, with_pseudonym_map: bool, coder: str
) -> None:
    """REFI-QDA project export (NVivo, MAXQDA, ATLAS.ti, QualCoder read it).

    With --pseudonymise, names, places, phone numbers, e-mail addresses … that privacy-check
    finds are replaced in every text, and each coded selection is moved onto the new text.
    Names not yet in the pseudonym map get placeholders ("Person 3") that are added to it.
    A pseudonymised archive leaves out kodebok's side file (speaker labels, segments, memos'
    places, the pseudonym map), so --with-pseudonym-map cannot go with it.
    """
    from kodebok.services.refi import export_qdpx

    with open_project(ctx) as project:
        data = export_qdpx(
            project,
            pseudonymise=pseudonymise,
            with_pseudonyms=with_pseudonym_map,
            coder=coder,
        )
    write_output(data, file)


COMMANDS = [export_group]
