"""``kodebok nlp deep``: the deep NLP pass (entities, POS tags, lemmas) over all segments."""

from __future__ import annotations

import click

from kodebok.cli.common import Progress, echo_json, open_project
from kodebok.cli.params import SafeInt


@click.group("nlp")
def nlp_group() -> None:
    """The NLP pipeline's deep pass over the project."""


@nlp_group.command("deep")
@click.option("--recompute", is_flag=True, help="Redo segments that already have results.")
@click.option(
    "--processes",
    type=SafeInt(min=1, max=8),
    default=None,
    help="Worker processes (default: two from 100,000 words on a machine with two cores, else one).",
)
@click.option("--status", "show_status", is_flag=True, help="Only say what is stored.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_context
def deep_cmd(
    ctx: click.Context, recompute: bool, processes: int | None, show_status: bool, fmt: str
) -> None:
    """Run the pipeline (KODEBOK_SPACY_MODEL, an installed or kodebok's own trained one) over
    every segment once and store its entities, POS tags and lemmas.

    privacy-check and themes use the stored entities; segments done by the same pipeline are
    skipped, so running it again after an import only does the new segments. Import itself
    never waits for this pass.
    """
    from kodebok.services.deep import deep_status, run_deep

    with open_project(ctx) as project:
        if show_status:
            status = deep_status(project)
            if fmt == "json":
                echo_json(status)
            else:
                pipelines = status["pipelines"]
                assert isinstance(pipelines, dict)
                click.echo(f"{status['segments']} segments")
                for name, n in pipelines.items():
                    click.echo(f"  {n} with results from {name}")
            return
        report = run_deep(
            project, recompute=recompute, processes=processes, progress=Progress("Deep pass")
        )
    data = {
        "pipeline": report.pipeline,
        "ner": report.ner,
        "segments": report.segments,
        "skipped": report.skipped,
        "words": report.words,
        "entities": report.entities,
        "seconds": round(report.seconds, 3),
        "words_per_second": round(report.words_per_second, 1),
    }
    if fmt == "json":
        echo_json(data)
        return
    click.echo(
        f"{report.segments} segments ({report.words} words) in {report.seconds:.1f} s "
        f"({report.words_per_second:,.0f} words/s) with {report.pipeline}; "
        f"{report.entities} entities; {report.skipped} already done"
    )
    if not report.ner:
        click.echo(
            "This pipeline has no named-entity recogniser: privacy-check keeps to gazetteers "
            "and patterns (set KODEBOK_SPACY_MODEL to a trained pipeline).",
            err=True,
        )


COMMANDS = [nlp_group]
