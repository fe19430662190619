"""``kodebok search``: full-text search over segments, optionally coding every hit."""

from __future__ import annotations

import click

from kodebok.cli.common import coder_option, echo_json, open_project, table_text
from kodebok.cli.params import COUNT


@click.command("search")
@click.argument("query")
@click.option(
    "--fuzzy",
    is_flag=True,
    help="Approximate matching (spelling, dialect, compounds, same lemma or stem); "
    "a query starting with ~ is fuzzy too.",
)
@click.option("--doc", "document", default=None, help="Only this document (name or id).")
@click.option("--code", "code", default=None, help="Code every hit's segment with this code.")
@click.option(
    "--limit", type=COUNT, default=1000, show_default=True, help="At most this many hits."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@coder_option
@click.pass_context
def search_cmd(
    ctx: click.Context,
    query: str,
    fuzzy: bool,
    document: str | None,
    code: str | None,
    limit: int,
    fmt: str,
    coder: str,
) -> None:
    """Full-text search (words, lemmas, prefixes with *, phrases in quotes); --code codes every hit.

    Coding all hits is one operation: one `kodebok undo` removes every coding it made.
    """
    from kodebok.services.search import code_all_hits, missing_lemmas, search

    with open_project(ctx) as project:
        if code:
            hits, result = code_all_hits(
                project, query, code, coder=coder, fuzzy=fuzzy, document=document
            )
            click.echo(
                f"Coded {result.added} segments with {result.code.path} "
                f"({result.existing} had it already)",
                err=True,
            )
        else:
            hits = search(project, query, fuzzy=fuzzy, document=document, limit=limit)
        unlemmatised = 0 if fuzzy else missing_lemmas(project)
    if unlemmatised:
        click.echo(
            f"Warning: {unlemmatised} segments have no lemmas (the NLP features could not be "
            "computed); words are matched only as written there",
            err=True,
        )
    if fmt == "json":
        echo_json([h.as_json() for h in hits])
        return
    if not hits:
        click.echo("No hits", err=True)
        return
    rows = [(h.document, f"#{h.idx + 1}", h.speaker or "", h.snippet) for h in hits]
    click.echo(table_text(["document", "number", "speaker", "snippet"], rows))
    click.echo(f"{len(hits)} hits", err=True)


COMMANDS = [search_cmd]
