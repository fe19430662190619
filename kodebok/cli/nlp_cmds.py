"""``kodebok suggest`` and ``kodebok themes``: code suggestions, their evaluation, and themes."""

from __future__ import annotations

import json
from typing import Any

import click

from kodebok.cli.common import Progress, echo_json, open_project
from kodebok.cli.params import COUNT, SafeInt


@click.command("suggest")
@click.option("--doc", "document", default=None, help="Only this document (name or id).")
@click.option(
    "--segment",
    "number",
    type=COUNT,
    default=None,
    help="Only segment NUMBER of --doc (#1 is the first turn, as on the coding screen).",
)
@click.option("--top", type=COUNT, default=3, show_default=True, help="Suggestions per segment.")
@click.option("--uncoded", is_flag=True, help="Only segments nobody has coded yet.")
@click.option(
    "--interviewer", "include_interviewer", is_flag=True, help="Suggest for interviewer turns too."
)
@click.option("--evaluate", "run_evaluation", is_flag=True, help="Measure the suggestions instead.")
@click.option(
    "--folds", type=SafeInt(min=2), default=5, show_default=True, help="Folds for --evaluate."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def suggest_cmd(
    ctx: click.Context,
    document: str | None,
    number: int | None,
    top: int,
    uncoded: bool,
    include_interviewer: bool,
    run_evaluation: bool,
    folds: int,
    fmt: str,
) -> None:
    """Suggest codes per segment (codebook words, codes learned from your codings, vectors).

    JSON is JSON Lines: one object per segment with its suggestions, best first. With
    --evaluate, codings are split by document into training and test folds, and top-1, top-3
    and recall@3 per code are reported next to a baseline that always suggests the most
    frequent codes.
    """
    from kodebok.errors import KodebokError
    from kodebok.services import nlp
    from kodebok.services.documents import segment_at

    with open_project(ctx) as project:
        segment_id = None
        if number is not None:
            if document is None:
                raise KodebokError(
                    "--segment NUMBER needs --doc DOC: it is the segment's number in that document"
                )
            segment_id = segment_at(project, document, number).id
        if run_evaluation:
            report = nlp.evaluate(project, folds=folds, top=max(3, top))
            if fmt == "json":
                echo_json(report)
            else:
                click.echo(_evaluation_text(report))
            return
        results = nlp.suggest(
            project,
            document=document,
            segment_id=segment_id,
            top=top,
            uncoded=uncoded,
            include_interviewer=include_interviewer,
            progress=Progress("Lemmas"),
        )
        n = 0
        for item in results:
            n += 1
            if fmt == "json":
                click.echo(json.dumps(item, ensure_ascii=False))
            else:
                click.echo(_suggestion_text(item))
        if n == 0:
            click.echo("No segments to suggest for", err=True)


def _suggestion_text(item: dict[str, Any]) -> str:
    head = f"{item['document']} #{item['number']}"
    if not item["suggestions"]:
        return f"{head}: –"
    lines = [head]
    for s in item["suggestions"]:
        why = "; ".join(s["why"])
        lines.append(f"  {s['score']:.2f}  {s['code']}  [{s['source']}]  {why}")
    return "\n".join(lines)


def _evaluation_text(report: dict[str, Any]) -> str:
    results: dict[str, Any] = report["results"]
    lines = [
        f"{report['test_segments']} coded segments in {report['documents']} documents, "
        f"{report['folds']} folds by document",
        "",
        f"{'suggester':<10} {'top-1':>7} {'top-3':>7} {'recall@3':>9}",
    ]
    for name, r in results.items():
        lines.append(
            f"{name:<10} {r['top1']:>7.1%} {r['top3']:>7.1%} {r['macro_recall_at_3']:>9.1%}"
        )
    lines += ["", "recall@3 per code (n, combined, baseline):"]
    combined = results.get("combined", {}).get("recall_at_3", {})
    baseline = results.get("baseline", {}).get("recall_at_3", {})
    for code, n in sorted(report["support"].items(), key=lambda kv: -kv[1]):
        lines.append(
            f"  {code:<50} {n:>4}  {combined.get(code, 0):>6.1%}  {baseline.get(code, 0):>6.1%}"
        )
    return "\n".join(lines)


@click.command("themes")
@click.option(
    "--by", default="case", show_default=True, help="case, document, speaker or an attribute."
)
@click.option("--top", type=COUNT, default=15, show_default=True, help="Terms per group.")
@click.option("--clusters", "show_clusters", is_flag=True, help="Candidate new codes instead.")
@click.option(
    "-k", "--k", "k", type=COUNT, default=None, help="Number of clusters (default: auto)."
)
@click.option(
    "--keep-names",
    is_flag=True,
    help="Also list names of kommuner and people (left out by default).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text")
@click.pass_context
def themes_cmd(
    ctx: click.Context,
    by: str,
    top: int,
    show_clusters: bool,
    k: int | None,
    keep_names: bool,
    fmt: str,
) -> None:
    """Distinctive terms per group (weighted log-odds with an informative Dirichlet prior).

    --clusters groups the uncoded informant segments by their words (k-means on TF-IDF) and
    labels each cluster with its top terms: candidates for new codes.
    """
    from kodebok.errors import KodebokError
    from kodebok.services import nlp

    if k is not None and k < 1:
        raise KodebokError("-k must be at least 1")
    with open_project(ctx) as project:
        if show_clusters:
            report = nlp.clusters(project, k=k, top=top)
            if fmt == "json":
                echo_json(report)
            else:
                click.echo(_clusters_text(report, md=fmt == "md"))
            return
        report = nlp.themes(project, by=by, top=top, keep_names=keep_names)
    if fmt == "json":
        echo_json(report)
    else:
        click.echo(_themes_text(report, md=fmt == "md"))


def _themes_text(report: dict[str, Any], *, md: bool) -> str:
    lines: list[str] = []
    if not md:
        lines += [
            "n: times the term is used in the group; others: in all other groups; z: how much",
            "more the group uses it than the others (weighted log-odds; above 2 is notable)",
            "",
        ]
    for g in report["groups"]:
        title = f"{g['group']} ({g['segments']} segments, {g['tokens']} words)"
        if md:
            lines += [f"## {title}", "", "| term | n | n other groups | z |", "|---|--:|--:|--:|"]
            lines += [
                f"| {t['term']} | {t['count']} | {t['count_rest']} | {_comma(t['z'])} |"
                for t in g["terms"]
            ]
        else:
            lines.append(title)
            lines.append(f"  {'term':<30} {'n':>5} {'others':>6}  {'z':>6}")
            lines += [
                f"  {t['term']:<30} {t['count']:>5} {t['count_rest']:>6}  {t['z']:>6.2f}"
                for t in g["terms"]
            ]
        lines.append("")
    return "\n".join(lines).rstrip()


def _clusters_text(report: dict[str, Any], *, md: bool) -> str:
    lines = [f"{report['segments']} uncoded informant segments", ""]
    for i, c in enumerate(report["clusters"], start=1):
        head = f"{i}. {c['label']} ({c['size']} segments): {', '.join(c['terms'])}"
        lines.append(f"## {head}" if md else head)
        for ex in c["examples"]:
            lines.append(f"  - {ex['document']} #{ex['number']}: {ex['text']}")
        lines.append("")
    return "\n".join(lines).rstrip()


def _comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


COMMANDS = [suggest_cmd, themes_cmd]
