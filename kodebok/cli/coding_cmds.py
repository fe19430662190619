"""Commands for the codebook and for coding: codebook, code, uncode, codings, memo."""

from __future__ import annotations

from pathlib import Path

import click

from kodebok.cli.common import (
    coder_option,
    csv_text,
    echo_json,
    format_from,
    open_project,
    output_option,
    table_text,
    write_output,
)
from kodebok.cli.params import COUNT


@click.group("codebook")
def codebook_group() -> None:
    """Import, export, show and edit the project's codebook."""


@codebook_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Make the file the project's codebook: codes not in it are removed with their "
    "codings (asks first; a backup is written first).",
)
@click.option(
    "--yes",
    is_flag=True,
    help="With --replace: do not ask before deleting codings (needed without a terminal).",
)
@coder_option
@click.pass_context
def codebook_import(ctx: click.Context, file: Path, replace: bool, yes: bool, coder: str) -> None:
    """Read a codebook (.yaml/.yml, .csv, .md, .qdc) and merge it into the codes by path."""
    from kodebok.codebook import read_codebook
    from kodebok.errors import KodebokError
    from kodebok.services.codes import apply_codebook, replace_losses

    with open_project(ctx) as project:
        book = read_codebook(file)
        if replace and not yes:
            n_codes, n_codings = replace_losses(project, book)
            if n_codings:
                what = (
                    f"{n_codings} codings would be deleted with the {n_codes} codes that are "
                    f"not in {file.name}"
                )
                if not _interactive():
                    raise KodebokError(
                        f"{file.name}: --replace: {what}; nothing changed (run again with --yes "
                        "to delete them, or without --replace to merge the codebook)"
                    )
                click.confirm(f"{what}. Replace the codebook?", abort=True, err=True)
        r = apply_codebook(project, book, replace=replace, coder=coder, source=file.name)
    msg = f"{file.name}: {r.created} codes created, {r.updated} updated"
    if replace:
        msg += f", {r.removed} removed ({r.removed_codings} codings with them)"
    click.echo(msg)


def _interactive() -> bool:
    """Whether a person can answer a question (stdin is a terminal)."""
    import sys

    return sys.stdin is not None and sys.stdin.isatty()


@codebook_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv", "md", "qdc"]), default=None)
@output_option()
@click.pass_context
def codebook_export(ctx: click.Context, fmt: str | None, output: Path | None) -> None:
    """Write the codebook (format from --format or the file extension; default YAML)."""
    from kodebok.codebook import format_codebook
    from kodebok.services.codes import project_codebook

    chosen = format_from(fmt, output, "yaml", ["yaml", "csv", "md", "qdc"])
    with open_project(ctx) as project:
        book = project_codebook(project)
    write_output(format_codebook(book, chosen), output)


@codebook_group.command("show")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def codebook_show(ctx: click.Context, fmt: str) -> None:
    """The code tree with coding counts."""
    from kodebok.services.codes import code_tree

    with open_project(ctx) as project:
        tree = code_tree(project)
    if fmt == "json":
        echo_json(
            [
                {
                    "id": t.code.id,
                    "path": t.code.path,
                    "name": t.code.name,
                    "description": t.code.description,
                    "keywords": list(t.code.keywords),
                    "color": t.code.color,
                    "shortcut": t.code.shortcut,
                    "codings": t.codings,
                    "segments": t.segments,
                    "documents": t.documents,
                    "codings_with_children": t.total_codings,
                }
                for t in tree
            ]
        )
        return
    if not tree:
        click.echo("No codes yet. Import a codebook with: kodebok codebook import FILE.yaml")
        return
    for t in tree:
        key = f"[{t.code.shortcut}] " if t.code.shortcut else ""
        total = f" ({t.total_codings} with children)" if t.total_codings != t.codings else ""
        click.echo(f"{'  ' * t.depth}{key}{t.code.name}  {t.codings}{total}")


@codebook_group.command("add")
@click.argument("path")
@click.option("--description", default=None)
@click.option("--keywords", default=None, help="Comma-separated keywords.")
@click.option("--color", default=None)
@click.option("--shortcut", default=None)
@coder_option
@click.pass_context
def codebook_add(
    ctx: click.Context,
    path: str,
    description: str | None,
    keywords: str | None,
    color: str | None,
    shortcut: str | None,
    coder: str,
) -> None:
    """Create a code (Parent/Child creates missing parents)."""
    from kodebok.services.codes import create_code

    kws = [k.strip() for k in keywords.split(",") if k.strip()] if keywords else None
    with open_project(ctx) as project:
        code = create_code(
            project,
            path,
            coder=coder,
            description=description,
            keywords=kws,
            color=color,
            shortcut=shortcut,
        )
    click.echo(f"Created {code.path}")


@codebook_group.command("rename")
@click.argument("code")
@click.argument("new_name")
@coder_option
@click.pass_context
def codebook_rename(ctx: click.Context, code: str, new_name: str, coder: str) -> None:
    """Rename a code."""
    from kodebok.services.codes import rename_code

    with open_project(ctx) as project:
        result = rename_code(project, code, new_name, coder=coder)
    click.echo(f"Renamed to {result.path}")


@codebook_group.command("move")
@click.argument("code")
@click.argument("parent", required=False)
@coder_option
@click.pass_context
def codebook_move(ctx: click.Context, code: str, parent: str | None, coder: str) -> None:
    """Move a code under PARENT (or to the top level when PARENT is left out)."""
    from kodebok.services.codes import move_code

    with open_project(ctx) as project:
        result = move_code(project, code, parent, coder=coder)
    click.echo(f"Moved to {result.path}")


@codebook_group.command("merge")
@click.argument("source")
@click.argument("target")
@coder_option
@click.pass_context
def codebook_merge(ctx: click.Context, source: str, target: str, coder: str) -> None:
    """Merge SOURCE into TARGET: its codings, children and memos follow."""
    from kodebok.services.codes import merge_codes

    with open_project(ctx) as project:
        moved = merge_codes(project, source, target, coder=coder)
    click.echo(f"Merged {source} into {target}: {moved} codings moved")


@codebook_group.command("delete")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@coder_option
@click.pass_context
def codebook_delete(ctx: click.Context, code: str, yes: bool, coder: str) -> None:
    """Delete a code, its children and their codings (undo brings them back)."""
    import sys

    from kodebok.errors import KodebokError
    from kodebok.services.codes import count_codings_under, delete_code

    with open_project(ctx) as project:
        found, n = count_codings_under(project, code)
        if not yes and n:
            if not sys.stdin.isatty():
                raise KodebokError(
                    f"'{found.path}' has {n} codings and there is no terminal to confirm "
                    "deleting them; add --yes to delete without asking (nothing was deleted)"
                )
            if not click.confirm(f"Delete '{found.path}' and its {n} codings?"):
                click.echo("Nothing deleted.", err=True)
                ctx.exit(1)
        removed = delete_code(project, code, coder=coder)
    click.echo(f"Deleted {found.path} and {removed} codings")


@click.command("code")
@click.argument("document")
@click.argument("number", type=int)
@click.argument("code")
@click.option(
    "--span", help="START:END character offsets in the document instead of the whole segment."
)
@click.option("--memo", default="", help="A memo on this coding.")
@coder_option
@click.pass_context
def code_cmd(
    ctx: click.Context,
    document: str,
    number: int,
    code: str,
    span: str | None,
    memo: str,
    coder: str,
) -> None:
    """Code segment NUMBER of DOCUMENT (or a span of the document) with CODE.

    NUMBER is the segment's number as the coding screen shows it (#1 is the first turn) and
    as `kodebok segments` lists it.
    """
    from kodebok.services.coding import code_segment, parse_span

    with open_project(ctx) as project:
        result = code_segment(
            project,
            document,
            number - 1,
            code,
            coder=coder,
            span=parse_span(span) if span else None,
            memo=memo,
        )
    state = "coded" if result.created else "already coded"
    click.echo(f"{document} #{number} {state} with {result.code.path} ({coder})")


@click.command("uncode")
@click.argument("document")
@click.argument("number", type=int)
@click.argument("code")
@coder_option
@click.pass_context
def uncode_cmd(ctx: click.Context, document: str, number: int, code: str, coder: str) -> None:
    """Remove your coding with CODE from segment NUMBER of DOCUMENT (#1 is the first turn)."""
    from kodebok.services.coding import uncode

    with open_project(ctx) as project:
        n = uncode(project, document, number - 1, code, coder=coder)
    click.echo(f"Removed {n} coding{'s' if n != 1 else ''}")


@click.group("codings")
def codings_group() -> None:
    """Export or import codings as a table."""


@codings_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None)
@output_option()
@click.option(
    "--decimal",
    type=click.Choice([".", ","]),
    default=".",
    help="',' writes a Norwegian Excel CSV (';' between fields).",
)
@click.option(
    "--pseudonymise",
    is_flag=True,
    help="Replace personal data in text, memo and names (the pseudonym map, then numbered "
    "placeholders such as 'Person 3' that are added to it; [telefon], [e-post] …).",
)
@coder_option
@click.pass_context
def codings_export(
    ctx: click.Context,
    fmt: str | None,
    output: Path | None,
    decimal: str,
    pseudonymise: bool,
    coder: str,
) -> None:
    """All codings: document, segment_idx, number, start, end, code, coder, origin, memo, text,
    status.

    segment_idx is 0-based (as the database stores it), number 1-based (the #N of the coding
    screen and of `kodebok code`); both are empty for a coding of a free span.

    status is ok, review (its text changed in a revised transcript) or orphaned (its text is
    gone; text is then the text it had).
    """
    from kodebok.services.coding import CODING_COLUMNS, export_codings

    chosen = format_from(fmt, output, "csv", ["csv", "json"])
    with open_project(ctx) as project:
        rows = export_codings(project)
        if pseudonymise:
            from kodebok.services.privacy import pseudonymise_codings

            rows = pseudonymise_codings(project, rows, coder=coder)
    if chosen == "json":
        import json

        write_output(
            json.dumps(
                [{k: r[k] for k in CODING_COLUMNS} for r in rows], ensure_ascii=False, indent=2
            )
            + "\n",
            output,
        )
    else:
        write_output(
            csv_text(
                CODING_COLUMNS, [[r[k] for k in CODING_COLUMNS] for r in rows], decimal=decimal
            ),
            output,
        )


@codings_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--create-codes", is_flag=True, help="Create codes that are not in the codebook.")
@coder_option
@click.pass_context
def codings_import(ctx: click.Context, file: Path, create_codes: bool, coder: str) -> None:
    """Add codings from a table: document, number or segment_idx, code[, coder, start, end, memo].

    number is 1-based (the #N of the coding screen), segment_idx 0-based (as `codings export`
    writes it next to number); a table may have either or both (they must then agree).
    """
    from kodebok.services.coding import import_codings_table

    with open_project(ctx) as project:
        r = import_codings_table(project, file, coder=coder, create_codes=create_codes)
    msg = f"{file.name}: {r.added} codings added, {r.existing} already there"
    if r.created_codes:
        msg += f"; new codes: {', '.join(r.created_codes)}"
    click.echo(msg)


@click.command("memo")
@click.argument("document")
@click.argument("number", type=int, required=False)
@click.option("--text", "text", required=True, help="The memo text ('' removes your memo).")
@coder_option
@click.pass_context
def memo_cmd(ctx: click.Context, document: str, number: int | None, text: str, coder: str) -> None:
    """Write your memo on DOCUMENT, or on its segment NUMBER (#1 is the first turn).

    A memo is a free note of your own (an idea, a doubt, why you coded as you did), kept in the
    project beside the text it is about; `--text ''` removes it. Memos go with the project into
    `export qdpx` and `merge`.
    """
    from kodebok.services import lookup
    from kodebok.services.coding import write_memo

    with open_project(ctx) as project:
        doc = lookup.document(project, document)
        if number is None:
            write_memo(project, "document", doc.id, text, coder=coder)
        else:
            seg = lookup.segment(project, doc.id, number - 1)
            write_memo(project, "segment", seg.id, text, coder=coder)
    click.echo("Memo saved" if text.strip() else "Memo removed")


@click.command("history")
@click.option("--limit", type=COUNT, default=20, show_default=True)
@click.pass_context
def history_cmd(ctx: click.Context, limit: int) -> None:
    """The journal: recent changes by every coder, newest first."""
    from kodebok.i18n import journal_text
    from kodebok.services.project import ui_language

    with open_project(ctx) as project:
        language = ui_language(project)
        entries = project.journal(limit=limit)
    click.echo(
        table_text(
            ["id", "at", "coder", "state", "change"],
            [[e.id, e.at, e.coder, e.state, journal_text(e, language)] for e in entries],
        )
    )


COMMANDS = [codebook_group, code_cmd, uncode_cmd, codings_group, memo_cmd, history_cmd]
