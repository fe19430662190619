"""Team commands: merge another coder's copy, intercoder agreement, resolving disagreements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kodebok.cli.common import (
    coder_option,
    echo_json,
    open_project,
    output_option,
    write_output,
)


@click.command("merge")
@click.argument("other", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@coder_option
@click.pass_context
def merge_cmd(ctx: click.Context, other: Path, fmt: str, coder: str) -> None:
    """Merge another coder's copy of the project into this one (idempotent)."""
    from kodebok.services.team import merge_project

    with open_project(ctx) as project:
        report = merge_project(project, other, coder=coder)
    if fmt == "json":
        echo_json(report.as_dict())
        return
    click.echo(
        f"Documents: {len(report.documents_added)} added, {report.documents_matched} matched; "
        f"codes added: {len(report.codes_added)}; cases added: {len(report.cases_added)}"
    )
    click.echo(
        f"Codings: {report.codings_added} added, {report.codings_skipped} skipped; memos: "
        f"{report.memos_added}; presence overrides: {report.overrides_added}"
    )
    for conflict in report.conflicts:
        click.echo(f"Conflict: {conflict}")


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value * 100:.1f} %" if percent else f"{value:.3f}"


def agreement_markdown(report: dict[str, Any]) -> str:
    """The agreement report as Markdown: a table per code and the disagreements to resolve."""
    lines = [
        f"# Samsvar mellom kodere: {', '.join(report['coders'])}",
        "",
        f"Dokumenter kodet av alle: {', '.join(report['documents'])}",
        "",
        "| Kode | Enheter | Prosent enighet | Cohens kappa | Krippendorffs alfa |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in [*report["codes"], report["overall"]]:
        lines.append(
            f"| {r['code']} | {r['n_units']} | {_fmt(r['percent'], True)} | "
            f"{_fmt(r['kappa'])} | {_fmt(r['alpha'])} |"
        )
    lines += ["", f"## Uenigheter ({len(report['disagreements'])})", ""]
    for d in report["disagreements"]:
        text = d["text"].replace("\n", " ")
        lines.append(
            f"- **{d['document']} #{d['number']}**, {d['code']}: kodet av "
            f"{', '.join(d['with'])}, ikke av {', '.join(d['without'])}. "
            f"«{text[:160]}{'…' if len(text) > 160 else ''}»"
        )
    return "\n".join(lines) + "\n"


@click.group("agreement", invoke_without_command=True)
@click.option("--coders", help="Comma-separated coder names (at least two).")
@click.option("--codes", help="Comma-separated codes (default: all).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md"]), default="text")
@output_option()
@click.pass_context
def agreement_cmd(
    ctx: click.Context, coders: str | None, codes: str | None, fmt: str, output: Path | None
) -> None:
    """Per code and overall: percent agreement, Cohen's kappa, Krippendorff's alpha."""
    if ctx.invoked_subcommand is not None:
        return
    from kodebok.errors import KodebokError
    from kodebok.services.team import agreement_report

    if not coders:
        raise KodebokError("give the coders to compare with --coders A,B")
    names = [c.strip() for c in coders.split(",") if c.strip()]
    code_list = [c.strip() for c in codes.split(",") if c.strip()] if codes else None
    with open_project(ctx) as project:
        report = agreement_report(project, names, code_list)
    if fmt == "json":
        import json

        write_output(json.dumps(report, ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "md":
        write_output(agreement_markdown(report), output)
    else:
        o = report["overall"]
        rows = [
            f"{r['code'][:40]:<40} {r['n_units']:>6} {_fmt(r['percent'], True):>9} "
            f"{_fmt(r['kappa']):>7} {_fmt(r['alpha']):>7}"
            for r in report["codes"]
        ]
        head = f"{'code':<40} {'units':>6} {'percent':>9} {'kappa':>7} {'alpha':>7}"
        total = (
            f"{'overall':<40} {o['n_units']:>6} {_fmt(o['percent'], True):>9} "
            f"{_fmt(o['kappa']):>7} {_fmt(o['alpha']):>7}"
        )
        write_output(
            "\n".join(
                [
                    head,
                    *rows,
                    total,
                    f"{len(report['disagreements'])} disagreements (see --format md)",
                ]
            )
            + "\n",
            output,
        )


@agreement_cmd.command("resolve")
@click.argument("document")
@click.argument("number", type=int)
@click.argument("code")
@click.argument("keep", type=click.Choice(["with", "without"]))
@click.option("--coders", required=True, help="The coders whose codings are made to agree.")
@coder_option
@click.pass_context
def resolve_cmd(
    ctx: click.Context,
    document: str,
    number: int,
    code: str,
    keep: str,
    coders: str,
    coder: str,
) -> None:
    """Resolve a disagreement on segment NUMBER of DOCUMENT (as the report lists it: DOC #N).

    'with' keeps CODE for all the coders, 'without' removes it from all of them.
    """
    from kodebok.services.team import resolve_disagreement_at

    names = [c.strip() for c in coders.split(",") if c.strip()]
    with open_project(ctx) as project:
        name, verdict = resolve_disagreement_at(
            project, document, number, code, keep, coders=names, coder=coder
        )
    click.echo(f"{name} #{number}, {code}: {verdict}")


COMMANDS = [merge_cmd, agreement_cmd]
