"""Commands for material: import, documents, segments, cases and speakers."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from kodebok.cli.common import (
    Progress,
    coder_option,
    csv_text,
    echo_json,
    open_project,
    table_text,
)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--case", help="Tie the documents to this case (created if needed).")
@click.option(
    "--kind",
    help="Document kind: intervju, fokusgruppe, egenrapport, dokument … "
    "(a kind new to the project needs --new-kind).",
)
@click.option(
    "--new-kind", is_flag=True, help="Allow a --kind that no document in the project has yet."
)
@click.option(
    "--attr", "attrs", multiple=True, metavar="KEY=VALUE", help="Document attribute (repeatable)."
)
@click.option("--language", type=click.Choice(["nb", "nn"]), help="Language of the documents.")
@click.option(
    "--update",
    is_flag=True,
    help="Import a revised version of a document with the same name; codings are "
    "re-anchored on the new text.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@coder_option
@click.pass_context
def import_cmd(
    ctx: click.Context,
    files: tuple[Path, ...],
    case: str | None,
    kind: str | None,
    new_kind: bool,
    attrs: tuple[str, ...],
    language: str | None,
    update: bool,
    fmt: str,
    coder: str,
) -> None:
    """Import documents (a folder imports every supported file in it; .qdpx: REFI-QDA)."""
    from kodebok.services.cases import parse_assignments
    from kodebok.services.documents import ImportOptions, check_kind
    from kodebok.services.importing import import_paths

    attributes = parse_assignments(attrs)
    with open_project(ctx) as project:
        if kind is not None:
            check_kind(project, kind, allow_new=new_kind)
        options = ImportOptions(case, kind, attributes, language, update, coder)
        results = import_paths(project, list(files), options, progress=Progress("Importing"))
    if fmt == "json":
        echo_json([{k: v for k, v in asdict(r).items() if k != "params"} for r in results])
    failed = 0
    for r in results:
        if r.status == "failed":
            failed += 1
            click.echo(f"Error: {r.message}", err=True)
        elif fmt == "text":
            if r.status == "imported" and r.source.lower().endswith(".qdpx"):
                click.echo(f"{Path(r.source).name}: {r.message}")
            elif r.status == "imported":
                click.echo(f"{r.name}: {r.segments} segments, {r.speakers} speakers")
            elif r.status == "updated":
                click.echo(f"{r.name}: updated, {r.segments} segments; {r.message}")
            else:
                click.echo(f"{Path(r.source).name}: unchanged, {r.message}")
    for r in results:
        if r.details.get("nlp_warning"):
            click.echo(
                f"Warning: NLP features not computed ({r.details['nlp_warning']}); "
                "suggestions will compute them later",
                err=True,
            )
    if not results:
        click.echo("Error: no supported files found", err=True)
        sys.exit(2)
    if failed:
        sys.exit(2 if failed == len(results) else 1)


@click.group("documents", invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
@click.option(
    "--coder",
    default=None,
    help="Progress counts this coder's codings only (default: anyone's).",
)
@click.pass_context
def documents_cmd(ctx: click.Context, fmt: str, coder: str | None) -> None:
    """List documents: id, name, case, kind, segments, speakers, codings, progress, words.

    progress is the informant turns with a coding of all informant turns (interviewer turns
    are not counted), as the TUI's library shows it; words are the words said in the
    document's turns (speaker labels are not words). Subcommand: import.
    """
    if ctx.invoked_subcommand is not None:
        return
    from kodebok.services.documents import list_documents

    with open_project(ctx) as project:
        docs = list_documents(project, coder)
    if fmt == "json":
        echo_json([asdict(d) for d in docs])
        return
    headers = ["id", "name", "case", "kind", "segments", "speakers", "codings"]
    rows = [[d.id, d.name, d.case or "", d.kind, d.segments, d.speakers, d.codings] for d in docs]
    if fmt == "csv":
        headers += ["informant_segments", "coded_segments", "words"]
        for row, d in zip(rows, docs, strict=True):
            row += [d.informant_segments, d.coded_segments, d.words]
        click.echo(csv_text(headers, rows), nl=False)
    elif not docs:
        click.echo("No documents yet. Import some with: kodebok import FILE_OR_FOLDER")
    else:
        for row, d in zip(rows, docs, strict=True):
            row += [d.progress.text(), d.words]
        click.echo(table_text([*headers, "progress", "words"], rows))


@documents_cmd.command("import")
@click.argument("table", type=click.Path(path_type=Path))
@click.option(
    "--new-kind", is_flag=True, help="Allow kinds that no document in the project has yet."
)
@click.pass_context
def documents_import(ctx: click.Context, table: Path, new_kind: bool) -> None:
    """Set case, kind, language and attributes of documents from a table (document, case, …)."""
    from kodebok.services.cases import import_documents_table

    with open_project(ctx) as project:
        result = import_documents_table(project, table, new_kinds=new_kind)
    click.echo(f"{result.rows} documents updated; attributes: " + ", ".join(result.attributes))


@click.command("segments")
@click.option("--doc", "document", help="Only this document (name or id).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
@click.pass_context
def segments_cmd(ctx: click.Context, document: str | None, fmt: str) -> None:
    """List segments: id, document, idx, number, speaker, start, end, text.

    number is the segment's number as people read it (#1 is the first turn, as on the coding
    screen, and as `kodebok code DOC NUMBER CODE` takes it); idx is the 0-based index the
    database stores, and id the row id.
    """
    from kodebok.services.documents import list_segments

    with open_project(ctx) as project:
        segs = list_segments(project, document)
    keys = ["id", "document", "idx", "number", "speaker", "start", "end", "text"]
    rows = [[s.id, s.document, s.idx, s.idx + 1, s.speaker, s.start, s.end, s.text] for s in segs]
    if fmt == "json":
        echo_json([dict(zip(keys, r, strict=True)) for r in rows])
    elif fmt == "csv":
        click.echo(csv_text(keys, rows), nl=False)
    else:
        for s in segs:
            text = s.text.replace("\n", " ")
            who = f"{s.speaker}: " if s.speaker else ""
            click.echo(
                f"{s.document} #{s.idx + 1}  {who}{text[:100]}{'…' if len(text) > 100 else ''}"
            )


@click.group("cases", invoke_without_command=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
@click.pass_context
def cases_group(ctx: click.Context, fmt: str) -> None:
    """List cases with their attributes (subcommands: set, import, assign)."""
    if ctx.invoked_subcommand is not None:
        return
    from kodebok.services import lookup

    with open_project(ctx) as project:
        cases = lookup.cases(project)
        n_docs = lookup.documents_per_case(project)
    if fmt == "json":
        echo_json(
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "documents": n_docs.get(c.name, 0),
                    "attributes": c.attributes,
                }
                for c in cases
            ]
        )
        return
    keys = sorted({k for c in cases for k in c.attributes})
    headers = ["case", "documents", *keys]
    rows = [
        [c.name, n_docs.get(c.name, 0), *[c.attributes.get(k, "") for k in keys]] for c in cases
    ]
    if fmt == "csv":
        click.echo(csv_text(headers, rows), nl=False)
    elif not cases:
        click.echo("No cases yet. Add some with: kodebok cases import cases.csv")
    else:
        click.echo(table_text(headers, rows))


@cases_group.command("set")
@click.argument("case")
@click.argument("values", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.option("--create", is_flag=True, help="Create the case when it does not exist yet.")
@click.pass_context
def cases_set(ctx: click.Context, case: str, values: tuple[str, ...], create: bool) -> None:
    """Set attributes of a case (--create makes a new one); an empty value removes the attribute."""
    from kodebok.services.cases import parse_assignments, set_case_attributes

    assignments = parse_assignments(values)
    with open_project(ctx) as project:
        result = set_case_attributes(project, case, assignments, create=create)
    click.echo(f"{result.name}: " + ", ".join(f"{k}={v}" for k, v in result.attributes.items()))


@cases_group.command("import")
@click.argument("table", type=click.Path(path_type=Path))
@click.pass_context
def cases_import(ctx: click.Context, table: Path) -> None:
    """Import cases from a .csv/.xlsx: first column the case, other columns attributes."""
    from kodebok.services.cases import import_cases_table

    with open_project(ctx) as project:
        result = import_cases_table(project, table)
    click.echo(
        f"{result.rows} cases ({len(result.created)} new), attributes: "
        + ", ".join(result.attributes)
    )


@cases_group.command("assign")
@click.argument("document")
@click.argument("case")
@click.pass_context
def cases_assign(ctx: click.Context, document: str, case: str) -> None:
    """Tie a document to a case ('-' unties it)."""
    from kodebok.services.cases import assign_document

    with open_project(ctx) as project:
        assign_document(project, document, case)
    click.echo(f"{document} → {case}")


@click.group("speakers", invoke_without_command=True)
@click.option("--doc", "document", help="Only this document.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def speakers_group(ctx: click.Context, document: str | None, fmt: str) -> None:
    """List speakers with their attributes (subcommands: import, set)."""
    if ctx.invoked_subcommand is not None:
        return
    from kodebok.services import lookup

    with open_project(ctx) as project:
        doc_id = lookup.document(project, document).id if document else None
        names = {d.id: d.name for d in lookup.documents(project)}
        speakers = lookup.speakers(project, doc_id)
        counts = lookup.segments_per_speaker(project)
    if fmt == "json":
        echo_json(
            [
                {
                    "id": s.id,
                    "document": names[s.document_id],
                    "label": s.label,
                    "interviewer": s.interviewer,
                    "segments": counts.get(s.id, 0),
                    "attributes": s.attributes,
                }
                for s in speakers
            ]
        )
        return
    keys = sorted({k for s in speakers for k in s.attributes})
    rows = [
        [
            names[s.document_id],
            s.label,
            "ja" if s.interviewer else "",
            counts.get(s.id, 0),
            *[s.attributes.get(k, "") for k in keys],
        ]
        for s in speakers
    ]
    click.echo(table_text(["document", "label", "interviewer", "segments", *keys], rows))


@speakers_group.command("import")
@click.argument("table", type=click.Path(path_type=Path))
@click.pass_context
def speakers_import(ctx: click.Context, table: Path) -> None:
    """Import speaker attributes from a table: document, label, attribute..."""
    from kodebok.services.cases import import_speakers_table

    with open_project(ctx) as project:
        result = import_speakers_table(project, table)
    click.echo(f"{result.rows} speakers, attributes: " + ", ".join(result.attributes))


@speakers_group.command("set")
@click.argument("document")
@click.argument("label")
@click.argument("values", nargs=-1, required=True, metavar="KEY=VALUE...")
@click.pass_context
def speakers_set(ctx: click.Context, document: str, label: str, values: tuple[str, ...]) -> None:
    """Set attributes of a speaker (role, level, interviewer=ja …)."""
    from kodebok.services.cases import parse_assignments, set_speaker_attributes

    with open_project(ctx) as project:
        set_speaker_attributes(project, document, label, parse_assignments(values))
    click.echo(f"{document} {label}: updated")


COMMANDS = [import_cmd, documents_cmd, segments_cmd, cases_group, speakers_group]
