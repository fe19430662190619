"""``kodebok matrix``, ``cooccurrence``, ``presence`` (and ``presence set``) and ``quotes``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kodebok.cli.common import (
    coder_option,
    format_from,
    open_project,
    output_option,
    table_text,
    write_output,
)
from kodebok.cli.params import COUNT
from kodebok.errors import KodebokError

TABLE_CHOICES = ["csv", "xlsx", "md", "html", "json", "text"]


def _filters(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--coder`` (only this coder's codings), ``--kind`` (document kinds), ``--decimal``."""
    f = click.option(
        "--decimal",
        type=click.Choice([".", ","]),
        default=".",
        help="Decimal mark in csv/md/html; ',' also makes CSV ';'-separated (Norwegian Excel).",
    )(f)
    f = click.option(
        "--kind", "kinds", multiple=True, help="Only documents of this kind (repeatable)."
    )(f)
    return click.option("--coder", default=None, help="Only this coder's codings.")(f)


def _output(f: Callable[..., Any]) -> Callable[..., Any]:
    f = output_option(help="Write to FILE.")(f)
    return click.option("--format", "fmt", type=click.Choice(TABLE_CHOICES), default=None)(f)


def _make_filters(coder: str | None, kinds: tuple[str, ...]) -> Any:
    """The filters, refused when they would silently select nothing (empty or unknown values)."""
    from kodebok.services.analysis import Filters, check_filters

    filters = Filters(coder=coder, kinds=tuple(kinds))
    if coder is not None or kinds:
        with open_project(click.get_current_context()) as project:
            check_filters(project, filters)
    return filters


def _emit_table(table: Any, fmt: str, decimal: str, output: Path | None) -> None:
    from kodebok.exchange import render_table

    if fmt == "text":
        write_output(table_text(table.headers, table.rows) + "\n", output)
    else:
        write_output(render_table(table, fmt, decimal), output)


@click.command("matrix")
@click.option(
    "--by",
    default="case",
    show_default=True,
    help="case, document, speaker, or an attribute (kind:name when the name is on several kinds).",
)
@click.option(
    "--unit",
    type=click.Choice(["codings", "segments", "documents", "cases", "speakers", "words"]),
    default="codings",
    show_default=True,
)
@click.option(
    "--percent", type=click.Choice(["none", "row", "column"]), default="none", show_default=True
)
@click.option(
    "--cells",
    type=click.Choice(["both", "count", "percent"]),
    default="both",
    help="With --percent: 'n (%)' cells, counts only or percentages only.",
)
@click.option("--rollup", is_flag=True, help="Count subcodes in their parents (a segment once).")
@_filters
@_output
@click.pass_context
def matrix_cmd(
    ctx: click.Context,
    by: str,
    unit: str,
    percent: str,
    cells: str,
    rollup: bool,
    coder: str | None,
    kinds: tuple[str, ...],
    decimal: str,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Code × group table with group sizes (N) in the same unit.

    \b
    Units: codings; coded segments; documents, cases or speakers with the code;
    coded words (the union of coded spans, overlaps once). N is the group's size in
    the unit: all its codings, segments, documents, cases, speakers or words.
    --percent column: of the group's N; --percent row: of the row total.
    Every code and every group is kept, also when empty; '(ingen verdi)' holds
    what has no value for the attribute.
    """
    from kodebok.analysis.matrix import matrix_json
    from kodebok.exchange.tables import matrix_to_table
    from kodebok.services.analysis import matrix

    fmt = format_from(fmt, output, "text", TABLE_CHOICES)
    with open_project(ctx) as project:
        result = matrix(
            project, by, unit, percent, rollup=rollup, filters=_make_filters(coder, kinds)
        )
    if fmt == "json":
        write_output(_json_text(matrix_json(result)), output)
        return
    _emit_table(matrix_to_table(result, cells, decimal), fmt, decimal, output)


def _json_text(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


@click.command("cooccurrence")
@click.option(
    "--unit",
    type=click.Choice(["segment", "overlap", "document", "case"]),
    default="segment",
    show_default=True,
)
@_filters
@_output
@click.pass_context
def cooccurrence_cmd(
    ctx: click.Context,
    unit: str,
    coder: str | None,
    kinds: tuple[str, ...],
    decimal: str,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Code × code table: units where both codes occur (overlap: pairs of overlapping codings)."""
    from kodebok.analysis.cooccurrence import cooccurrence_json
    from kodebok.exchange.tables import cooccurrence_to_table
    from kodebok.services.analysis import cooccurrence

    fmt = format_from(fmt, output, "text", TABLE_CHOICES)
    with open_project(ctx) as project:
        table = cooccurrence(project, unit, filters=_make_filters(coder, kinds))
    if fmt == "json":
        write_output(_json_text(cooccurrence_json(table)), output)
        return
    _emit_table(cooccurrence_to_table(table), fmt, decimal, output)


def _share(text: str | None) -> float | None:
    if text is None:
        return None
    raw = text.strip().replace(",", ".")
    try:
        value = float(raw.rstrip("%")) / (100 if raw.endswith("%") else 1)
    except ValueError as exc:
        raise KodebokError(f"--min-share: '{text}' is not a share (write 0.2 or 20%)") from exc
    if not 0 <= value <= 1:
        raise KodebokError(f"--min-share: {text} is not between 0 and 1 (or 0% and 100%)")
    return value


@click.group("presence", invoke_without_command=True)
@click.option("--codes", default=None, help="Comma-separated codes (default: all).")
@click.option("--min-codings", type=COUNT, default=None)
@click.option(
    "--min-speakers",
    type=COUNT,
    default=None,
    help="At least K informants (interviewers not counted; a person counts once).",
)
@click.option(
    "--min-share",
    default=None,
    help="Share of the case's informant turns, interviewers' turns left out (0.2 or 20%).",
)
@click.option(
    "--absent-as-unreported",
    is_flag=True,
    help="Leave cells empty (not reported) instead of 0 when the rule is not met.",
)
@click.option(
    "--rollup/--no-rollup", default=True, show_default=True, help="Subcodes count for parents."
)
@_filters
@_output
@click.pass_context
def presence_group(
    ctx: click.Context,
    codes: str | None,
    min_codings: int | None,
    min_speakers: int | None,
    min_share: str | None,
    absent_as_unreported: bool,
    rollup: bool,
    coder: str | None,
    kinds: tuple[str, ...],
    decimal: str,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Case × code in three values: 1 present, 0 absent, empty = not reported.

    1 when the rule is met (all thresholds given; default: at least one coding); 0 when the case
    has documents (of the chosen kinds) but the rule is not met: silence in an interview about
    the theme counts as absence; use --absent-as-unreported for material such as self-reports,
    where silence says nothing. Empty when the case has no documents. Manual values
    ('presence set') win; --format json shows each cell's source, counts, note, author, time.
    """
    if ctx.invoked_subcommand is not None:
        return
    from kodebok.analysis.presence import PresenceRule
    from kodebok.exchange.tables import presence_to_table
    from kodebok.services.analysis import presence

    rule = PresenceRule(min_codings, min_speakers, _share(min_share), absent_as_unreported)
    refs = [c.strip() for c in codes.split(",") if c.strip()] if codes else None
    fmt = format_from(fmt, output, "text", TABLE_CHOICES)
    with open_project(ctx) as project:
        table = presence(project, refs, rule, rollup=rollup, filters=_make_filters(coder, kinds))
    if fmt == "json":
        data = {
            "rule": rule.describe(),
            "codes": list(table.codes),
            "cases": [
                {
                    "case": case,
                    "values": [c.value for c in cells],
                    "cells": [c.as_json() for c in cells],
                }
                for case, cells in zip(table.cases, table.cells, strict=True)
            ],
        }
        write_output(_json_text(data), output)
        return
    _emit_table(presence_to_table(table, marks=fmt in ("md", "html", "text")), fmt, decimal, output)


@presence_group.command("set")
@click.argument("case")
@click.argument("code")
@click.argument("value", required=False)
@click.option("--note", default="", help="Why (kept with the value).")
@click.option("--clear", is_flag=True, help="Remove the manual value; the rule decides again.")
@coder_option
@click.pass_context
def presence_set_cmd(
    ctx: click.Context,
    case: str,
    code: str,
    value: str | None,
    note: str,
    clear: bool,
    coder: str,
) -> None:
    """Set a cell by hand: 1, 0 or - (not reported); 'clear' or --clear removes it."""
    from kodebok.analysis.presence import parse_presence_value
    from kodebok.services.analysis import clear_presence, set_presence

    if clear or (value or "").strip().lower() == "clear":
        with open_project(ctx) as project:
            removed = clear_presence(project, case, code, coder=coder)
        click.echo("Removed the manual value." if removed else "There was no manual value.")
        return
    if value is None:
        raise KodebokError("give a value: 1, 0 or - (not reported), or --clear")
    parsed = parse_presence_value(value)
    with open_project(ctx) as project:
        set_presence(project, case, code, parsed, note=note, coder=coder)
    shown = {1: "1 (present)", 0: "0 (absent)", None: "- (not reported)"}[parsed]
    click.echo(f"{case} × {code}: {shown}")


QUOTE_CHOICES = ["md", "docx", "html", "csv", "json"]


@click.command("quotes")
@click.option("--code", "codes", multiple=True, help="Code (repeatable; default: all codes).")
@click.option("--by", default=None, help="Group quotes by case, document, speaker or an attribute.")
@click.option(
    "--template", default="({role}, {case})", show_default=True, help="Attribution template."
)
@click.option(
    "--pseudonymise",
    "--pseudonymize",
    is_flag=True,
    help="Cases become 'Kommune 1..n'; personal data privacy-check finds in the text becomes "
    "pseudonyms, numbered placeholders ('Person 3', added to the map) or [telefon] ….",
)
@click.option("--no-subcodes", is_flag=True, help="Only the code itself, not codes below it.")
@click.option(
    "--orphans",
    is_flag=True,
    help="Also codings whose text a revised transcript removed: their old text, marked orphaned.",
)
@_filters
@click.option("--format", "fmt", type=click.Choice(QUOTE_CHOICES), default=None)
@output_option()
@click.pass_context
def quotes_cmd(
    ctx: click.Context,
    codes: tuple[str, ...],
    by: str | None,
    template: str,
    pseudonymise: bool,
    no_subcodes: bool,
    orphans: bool,
    coder: str | None,
    kinds: tuple[str, ...],
    decimal: str,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Quote bank: coded text per code (and group) with attributions, sorted by case.

    Codings whose text a revised transcript removed (orphaned) are left out, with a note on
    stderr; --orphans includes them with their old text, marked as orphaned.
    """
    from dataclasses import replace

    from kodebok.exchange import render_quotes
    from kodebok.services.analysis import quotes
    from kodebok.services.analysis.quotes import ORPHANED_MARK, orphaned_count

    fmt = format_from(fmt, output, "md", QUOTE_CHOICES)
    filters = replace(_make_filters(coder, kinds), orphans=orphans)
    with open_project(ctx) as project:
        sections = quotes(
            project,
            list(codes) or None,
            by=by,
            template=template,
            pseudonymise=pseudonymise,
            subcodes=not no_subcodes,
            filters=filters,
        )
        left_out = (
            0
            if orphans
            else orphaned_count(
                project, list(codes) or None, subcodes=not no_subcodes, filters=filters
            )
        )
    if left_out:
        click.echo(
            f"Note: {left_out} orphaned codings left out (their text is gone from the revised "
            "transcript); --orphans includes them with their old text",
            err=True,
        )
    if not any(s.quotes for s in sections):
        which = ", ".join(codes) if codes else "any code"
        why = f"no coded text for {which}"
        if coder or kinds:
            why += " with these filters (--coder, --kind)"
        if fmt != "json":
            from kodebok.errors import KodebokError

            raise KodebokError(f"nothing to quote: {why}; nothing written")
        click.echo(f"Note: nothing to quote: {why}", err=True)
    if fmt == "json":
        data = [
            {
                "code": s.code,
                "group": s.group,
                "quotes": [
                    {
                        "text": q.text,
                        "attribution": a,
                        "case": q.case,
                        "document": q.document,
                        "status": "orphaned" if q.text.endswith(ORPHANED_MARK) else "ok",
                    }
                    for q, a in s.quotes
                ],
            }
            for s in sections
        ]
        write_output(_json_text(data), output)
        return
    write_output(render_quotes(sections, fmt, decimal), output)


COMMANDS = [matrix_cmd, cooccurrence_cmd, presence_group, quotes_cmd]
