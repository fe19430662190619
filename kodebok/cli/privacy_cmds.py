"""``kodebok privacy-check`` and ``kodebok pseudonyms``: personal data and the pseudonym map."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import click

from kodebok.cli.common import (
    coder_option,
    csv_text,
    echo_json,
    open_project,
    output_option,
    table_text,
    write_output,
)


@click.command("privacy-check")
@click.option(
    "--in",
    "folder",
    type=click.Path(path_type=Path),
    default=None,
    help="Check exported files in this folder (or one file) instead of the documents.",
)
@click.option("--doc", "documents", multiple=True, help="Only these documents.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def privacy_check_cmd(
    ctx: click.Context, folder: Path | None, documents: tuple[str, ...], fmt: str
) -> None:
    """Find likely names, places, phone numbers, e-mail addresses, fødselsnummer, birth dates,
    addresses and postcodes.

    Each finding names its source: ner:LABEL (the pipeline's entities, stored by 'kodebok nlp
    deep' or computed when the pipeline has a recogniser), gazetteer (Norwegian first names,
    surnames, kommuner), capitalisation (a capitalised word that is no dictionary word),
    project (cases and the pseudonym map) or pattern:KIND. Exits 1 when something was found,
    so a script can stop before sharing an export.
    """
    from kodebok.services.privacy import check_documents, check_exports

    if folder is not None:
        try:
            with open_project(ctx) as project:
                hits = check_exports(project, folder)
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            from kodebok.errors import ProjectNotFound

            if not isinstance(exc, ProjectNotFound):
                raise
            hits = check_exports(None, folder)
    else:
        with open_project(ctx) as project:
            hits = check_documents(project, list(documents) or None)
    if fmt == "json":
        echo_json([asdict(h) for h in hits])
    elif not hits:
        click.echo("No likely personal data found.")
    else:
        for h in hits:
            click.echo(
                f"{h.where}:{h.line}: {h.kind}: {h.match!r} ({h.reason}; {h.source}): {h.context}"
            )
        counts = Counter(h.kind for h in hits)
        click.echo(
            f"{len(hits)} findings: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            err=True,
        )
    if hits:
        sys.exit(1)


@click.group("pseudonyms", invoke_without_command=True)
@click.pass_context
def pseudonyms_group(ctx: click.Context) -> None:
    """The pseudonymisation map (real → pseudonym), applied by --pseudonymise on exports.

    The map itself is never part of an export; write it out with 'pseudonyms export -o FILE'.
    """
    if ctx.invoked_subcommand is not None:
        return
    from kodebok.services.privacy import pseudonym_rows

    with open_project(ctx) as project:
        rows = pseudonym_rows(project)
    if not rows:
        click.echo(
            "The map is empty. Add entries with 'kodebok pseudonyms set REAL PSEUDONYM' "
            "or 'kodebok pseudonyms auto'."
        )
        return
    click.echo(
        table_text(
            ["real", "pseudonym", "kind"], [[r["real"], r["pseudonym"], r["kind"]] for r in rows]
        )
    )


@pseudonyms_group.command("set")
@click.argument("real")
@click.argument("pseudonym")
@click.option("--kind", type=click.Choice(["case", "person", "place", "other"]), default="other")
@coder_option
@click.pass_context
def pseudonyms_set(ctx: click.Context, real: str, pseudonym: str, kind: str, coder: str) -> None:
    """Map a real name to a pseudonym."""
    from kodebok.services.privacy import set_pseudonym

    with open_project(ctx) as project:
        set_pseudonym(project, real, pseudonym, kind, coder=coder)
    click.echo(f"{real} → {pseudonym}")


@pseudonyms_group.command("remove")
@click.argument("real")
@coder_option
@click.pass_context
def pseudonyms_remove(ctx: click.Context, real: str, coder: str) -> None:
    """Remove a name from the map."""
    from kodebok.services.privacy import remove_pseudonym

    with open_project(ctx) as project:
        remove_pseudonym(project, real, coder=coder)
    click.echo(f"Removed {real}")


@pseudonyms_group.command("auto")
@click.option("--stem", default="Kommune", show_default=True)
@coder_option
@click.pass_context
def pseudonyms_auto(ctx: click.Context, stem: str, coder: str) -> None:
    """Give every case without a pseudonym one ("Kommune 1" …)."""
    from kodebok.services.privacy import auto_pseudonyms

    with open_project(ctx) as project:
        added = auto_pseudonyms(project, coder=coder, stem=stem)
    for real, pseudo in added.items():
        click.echo(f"{real} → {pseudo}")
    if not added:
        click.echo("Every case has a pseudonym already.")


@pseudonyms_group.command("export")
@output_option(
    required=True,
    help="The file to write the map to (CSV). Keep it away from shared folders.",
)
@click.pass_context
def pseudonyms_export(ctx: click.Context, output: Path) -> None:
    """Write the map itself to a CSV file (only ever on request, by name)."""
    from kodebok.services.privacy import pseudonym_rows

    with open_project(ctx) as project:
        rows = pseudonym_rows(project)
    table = [[r["real"], r["pseudonym"], r["kind"]] for r in rows]
    write_output(csv_text(["real", "pseudonym", "kind"], table), output)


COMMANDS = [privacy_check_cmd, pseudonyms_group]
