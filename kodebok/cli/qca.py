"""``kodebok qca``: crisp- and fuzzy-set QCA from a data table (truth table, minimisation, necessity)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kodebok.cli import KodebokGroup
from kodebok.cli.common import echo_json, format_from, output_option, write_output
from kodebok.cli.params import SafeInt


# KodebokGroup: errors as one line on stderr also when the group runs without the main group
@click.group("qca", cls=KodebokGroup)
def qca() -> None:
    """Crisp- and fuzzy-set QCA: truth table, Boolean minimisation and necessity, with R's results."""


def _incl_cut(text: str) -> float | tuple[float, float]:
    from kodebok.errors import AnalysisError

    try:
        values = [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise AnalysisError(f"--incl-cut takes a number or two (X,Y), got {text!r}") from exc
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return (values[0], values[1])
    raise AnalysisError(f"--incl-cut takes a number or two (X,Y), got {text!r}")


def _data_options(f: Callable[..., Any], min_codings_range: bool = False) -> Callable[..., Any]:
    """Where the data table comes from: ``--from FILE`` or the project (``--conditions``).

    With ``min_codings_range`` (``qca robustness``) ``--min-codings`` takes a list (``1,2,3``).
    """
    min_codings = (
        click.option(
            "--min-codings",
            default=None,
            help="Presence thresholds to try, comma-separated (1,2,3); the first is the "
            "initial setting. Project data only.",
        )
        if min_codings_range
        else click.option(
            "--min-codings",
            type=SafeInt(min=0),
            default=None,
            help="A code is present with at least K codings in the case.",
        )
    )
    options = [
        click.option("--negate", is_flag=True, help="Explain the absence of the outcome (~OUT)."),
        click.option(
            "--outcome",
            required=True,
            help="Outcome: a column of --from, or a code / attribute test.",
        ),
        click.option(
            "--from",
            "source",
            type=click.Path(path_type=Path, dir_okay=False),
            default=None,
            help="Data table CSV: case,COND1,...,OUTCOME with 0/1 values (crisp) or "
            "memberships from 0 to 1 (fuzzy).",
        ),
        click.option(
            "--conditions",
            default=None,
            help="From the project: codes or attribute tests (innbyggere>=8000), comma-separated.",
        ),
        min_codings,
        click.option(
            "--min-speakers",
            type=SafeInt(min=0),
            default=None,
            help="… and with at least K different informants (not interviewers).",
        ),
        click.option(
            "--min-share",
            type=float,
            default=None,
            help="… and in at least this share (0–1) of the case's informant turns.",
        ),
        click.option(
            "--calibrate",
            "calibrations",
            multiple=True,
            help="From the project, repeatable: a fuzzy condition calibrated by the direct "
            "method from a numeric case attribute or a code measure: "
            "'innbyggere:e=2000,c=8000,i=20000', 'codings(CODE):e=0,c=2,i=6', "
            "'informants(CODE):…', 'share(CODE):e=0,c=0.2,i=0.5', 'words(CODE):…'. "
            "--outcome takes the same. With --from: a column of raw numbers, 'DEV:e=350,c=550,i=850'.",
        ),
        click.option("--names", default=None, help="ASCII column names, comma-separated."),
        click.option(
            "--keep-unreported",
            is_flag=True,
            help="Keep cases with not-reported values (counted as absent).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _tt_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--n-cut", type=SafeInt(min=0), default=1, show_default=True, help="Fewest cases for a row."
    )(f)
    return click.option(
        "--incl-cut",
        default="1",
        show_default=True,
        help="Consistency cut-off for OUT = 1; X,Y also marks rows between Y and X as C.",
    )(f)


def _output_options(formats: list[str], default: str) -> Callable[..., Any]:
    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        f = click.option(
            "--decimal",
            type=click.Choice([".", ","]),
            default=".",
            help="Decimal mark in Markdown (',' for Norwegian text).",
        )(f)
        f = output_option()(f)
        return click.option(
            "--format", "fmt", type=click.Choice(formats), default=None, help=f"Default {default}."
        )(f)

    return decorate


def _load(
    source: Path | None,
    outcome: str,
    negate: bool,
    conditions: str | None = None,
    min_codings: int | None = None,
    min_speakers: int | None = None,
    min_share: float | None = None,
    names: str | None = None,
    keep_unreported: bool = False,
    calibrations: tuple[str, ...] = (),
) -> Any:
    """The data table from a CSV, or calibrated from the project's codings and attributes."""
    from kodebok.analysis.presence import PresenceRule
    from kodebok.cli.common import open_project
    from kodebok.services.qca import load_data_table

    ctx = click.get_current_context()
    data, messages = load_data_table(
        source,
        conditions.split(",") if conditions else None,
        outcome,
        lambda: open_project(ctx),
        rule=PresenceRule(min_codings=min_codings, min_speakers=min_speakers, min_share=min_share),
        names=[n.strip() for n in names.split(",")] if names else None,
        keep_unreported=keep_unreported,
        negate=negate,
        calibrations=calibrations,
    )
    for message in messages:
        click.echo(f"Note: {message}", err=True)
    return data


@qca.command("table")
@_data_options
@output_option()
def table_cmd(output: Path | None, **data: Any) -> None:
    """The data table (case, one column per condition, outcome last) for R.

    Crisp tables hold 0/1; fuzzy ones (a --from file with memberships between 0 and 1, or
    --calibrate) hold memberships, and a note on stderr says the table is fuzzy.
    """
    from kodebok.analysis.qca import format_data_csv

    table = _load(**data)
    if data.get("source") is not None:
        # a file's notes are otherwise part of the reports written from it; here there is none
        for message in table.warnings:
            click.echo(f"Note: {message}", err=True)
    write_output(format_data_csv(table), output)


def _emit(fmt: str, output: Path | None, payload: Any, text: str) -> None:
    if fmt == "json" and output is None:
        echo_json(payload)
    elif fmt == "json":
        import json

        write_output(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", output)
    else:
        write_output(text, output)


@qca.command("truth-table")
@_data_options
@_tt_options
@click.option("--complete", is_flag=True, help="List every configuration, remainders too.")
@_output_options(["json", "md", "csv"], "md")
def truth_table_cmd(
    incl_cut: str,
    n_cut: int,
    complete: bool,
    fmt: str | None,
    output: Path | None,
    decimal: str,
    **data: Any,
) -> None:
    """The truth table: per configuration n, incl, PRI, cases and OUT (1, 0, C or ?)."""
    from kodebok.analysis.qca.report import (
        truth_table_csv,
        truth_table_json,
        truth_table_markdown,
    )
    from kodebok.services.qca import run_qca

    table = _load(**data)
    run = run_qca(table, incl_cut=_incl_cut(incl_cut), n_cut=n_cut, solutions=(), complete=complete)
    tt = run.truth
    chosen = format_from(fmt, output, "md", ["json", "md", "csv"])
    if chosen == "csv":
        write_output(truth_table_csv(tt), output)
        return
    text = truth_table_markdown(tt, decimal) if chosen == "md" else ""
    _emit(chosen, output, truth_table_json(tt) if chosen == "json" else None, text)


@qca.command("minimize")
@_data_options
@_tt_options
@click.option(
    "--solution",
    type=click.Choice(["complex", "parsimonious", "intermediate"]),
    default="complex",
    show_default=True,
)
@click.option(
    "--dir-exp",
    default=None,
    help="Directional expectations for the intermediate solution: COND=1,COND=0,COND=-.",
)
@_output_options(["json", "md"], "md")
def minimize_cmd(
    incl_cut: str,
    n_cut: int,
    solution: str,
    dir_exp: str | None,
    fmt: str | None,
    output: Path | None,
    decimal: str,
    **data: Any,
) -> None:
    """Boolean minimisation: every equally minimal model with inclS, PRI, covS and covU."""
    from kodebok.analysis.qca import solution_json
    from kodebok.analysis.qca.report import solution_markdown
    from kodebok.services.qca import check_solutions, run_qca

    check_solutions([solution], dir_exp)  # before the work of building the table
    run = run_qca(
        _load(**data),
        incl_cut=_incl_cut(incl_cut),
        n_cut=n_cut,
        solutions=[solution],
        dir_exp=dir_exp,
    )
    result = run.solutions[0]
    chosen = format_from(fmt, output, "md", ["json", "md"])
    if chosen == "json":
        _emit("json", output, solution_json(result), "")
    else:
        write_output(solution_markdown(result, decimal), output)


@qca.command("necessity")
@_data_options
@click.option(
    "--super-subset",
    is_flag=True,
    help="Search conjunctions and disjunctions of conditions too (R's superSubset).",
)
@click.option(
    "--incl-cut",
    type=click.FloatRange(0, 1),
    default=1.0,
    show_default=True,
    help="With --super-subset: lowest inclN.",
)
@click.option(
    "--cov-cut",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="With --super-subset: lowest covN.",
)
@_output_options(["json", "md"], "md")
def necessity_cmd(
    super_subset: bool,
    incl_cut: float,
    cov_cut: float,
    fmt: str | None,
    output: Path | None,
    decimal: str,
    **data: Any,
) -> None:
    """Necessity of each condition and its negation: inclN, RoN, covN (crisp or fuzzy)."""
    from kodebok.analysis.qca import necessity_json, super_subset_json
    from kodebok.analysis.qca import super_subset as search
    from kodebok.analysis.qca.report import necessity_markdown, super_subset_markdown
    from kodebok.errors import AnalysisError

    if not super_subset and (incl_cut != 1.0 or cov_cut != 0.0):
        raise AnalysisError("--incl-cut and --cov-cut apply only with --super-subset")
    table = _load(**data)
    chosen = format_from(fmt, output, "md", ["json", "md"])
    if super_subset:
        rows = search(table, incl_cut=incl_cut, cov_cut=cov_cut)
        if chosen == "json":
            _emit("json", output, super_subset_json(rows, table), "")
        else:
            write_output(super_subset_markdown(rows, table, incl_cut, cov_cut, decimal), output)
    elif chosen == "json":
        _emit("json", output, necessity_json(table), "")
    else:
        write_output(necessity_markdown(table, decimal), output)


@qca.command("robustness")
@lambda f: _data_options(f, min_codings_range=True)
@click.option(
    "--incl-cut",
    type=float,
    default=1.0,
    show_default=True,
    help="Consistency cut-off of the initial setting.",
)
@click.option(
    "--incl-cuts",
    default=None,
    help="Cut-offs to try, comma-separated (0.75,0.8,0.9); default the initial ± 0.05 "
    "and ± 0.1 within (0.5, 1].",
)
@click.option("--leave-one-out", is_flag=True, help="Also run with each case left out once.")
@click.option(
    "--calibrate-shift",
    type=float,
    default=None,
    metavar="PCT",
    help="Also run with each --calibrate crossover moved down and up by PCT percent of the "
    "distance between its exclusion and inclusion anchors.",
)
@click.option(
    "--n-cut", type=SafeInt(min=0), default=1, show_default=True, help="Fewest cases for a row."
)
@click.option(
    "--solution",
    type=click.Choice(["complex", "parsimonious", "intermediate"]),
    default="parsimonious",
    show_default=True,
)
@click.option(
    "--dir-exp",
    default=None,
    help="Directional expectations for the intermediate solution: COND=1,COND=0,COND=-.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default=None,
    help="Default text.",
)
@output_option()
def robustness_cmd(
    incl_cut: float,
    incl_cuts: str | None,
    leave_one_out: bool,
    calibrate_shift: float | None,
    n_cut: int,
    solution: str,
    dir_exp: str | None,
    fmt: str | None,
    output: Path | None,
    source: Path | None,
    outcome: str,
    negate: bool,
    conditions: str | None,
    min_codings: str | None,
    min_speakers: int | None,
    min_share: float | None,
    calibrations: tuple[str, ...],
    names: str | None,
    keep_unreported: bool,
) -> None:
    """Robustness: re-run the solution over cut-offs, presence thresholds and left-out cases.

    Reports each term with the number and share of settings whose solution (M1) has it (core
    terms are in all), the settings where the solution changes, and the robustness fit
    (RF_cov, RF_cons, RF_SC_min, RF_SC_max) of Oana and Schneider.
    """
    from kodebok.analysis.presence import PresenceRule
    from kodebok.cli.common import open_project
    from kodebok.services.qca import check_solutions
    from kodebok.services.qca_robustness import (
        parse_incl_cuts,
        parse_min_codings,
        robustness,
        robustness_json,
    )

    check_solutions([solution], dir_exp)
    cuts = parse_incl_cuts(incl_cuts) if incl_cuts else None
    if cuts is None:
        parse_incl_cuts(f"{incl_cut}")  # the initial cut-off is checked the same way
    thresholds = parse_min_codings(min_codings) if min_codings else []
    ctx = click.get_current_context()
    result = robustness(
        source,
        conditions.split(",") if conditions else None,
        outcome,
        lambda: open_project(ctx),
        incl_cut=incl_cut,
        incl_cuts=cuts,
        min_codings=thresholds,
        leave_one_out=leave_one_out,
        calibrate_shift=calibrate_shift,
        n_cut=n_cut,
        solution=solution,
        dir_exp=dir_exp,
        rule=PresenceRule(min_speakers=min_speakers, min_share=min_share),
        names=[n.strip() for n in names.split(",")] if names else None,
        keep_unreported=keep_unreported,
        negate=negate,
        calibrations=calibrations,
    )
    for message in result.messages:
        click.echo(f"Note: {message}", err=True)
    chosen = format_from(fmt, output, "text", ["text", "json", "csv"])
    if chosen == "json":
        _emit("json", output, robustness_json(result), "")
    elif chosen == "csv":
        write_output(_robustness_csv(result), output)
    else:
        write_output(_robustness_text(result), output)


def _number(value: float | None) -> str:
    return "NA" if value is None else f"{value:.3f}"


def _robustness_csv(result: Any) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["term", "settings", "of", "share", "core", "in_initial"])
    for t in result.terms:
        writer.writerow(
            [
                t.term,
                t.settings,
                len(result.results),
                f"{t.share:.4f}",
                int(t.core),
                int(t.in_initial),
            ]
        )
    return out.getvalue()


def _robustness_text(result: Any) -> str:
    n = len(result.results)
    width = max([len("term"), *(len(t.term) for t in result.terms)])
    lines = [
        f"{result.solution} solution, {n} settings; initial ({result.initial.setting.label()}): "
        f"{result.initial.formula}",
        "",
        f"{'term':<{width}}  settings  share  core  initial",
    ]
    for t in result.terms:
        lines.append(
            f"{t.term:<{width}}  {t.settings:>3}/{n:<4}  {t.share:>5.2f}  "
            f"{'yes' if t.core else 'no':<4}  {'yes' if t.in_initial else 'no'}"
        )
    changed = result.changed
    lines += ["", f"Settings where the solution changes: {len(changed)} of {n - 1}"]
    for r in changed:
        lines.append(f"  {r.setting.label()}: {r.formula if not r.error else 'no solution'}")
    lines += [
        "",
        "Robustness fit: " + ", ".join(f"{k} = {_number(v)}" for k, v in result.fit.items()),
    ]
    return "\n".join(lines) + "\n"


COMMANDS = [qca]
