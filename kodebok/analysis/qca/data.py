"""The QCA data table: cases × conditions plus an outcome, crisp (0/1) or fuzzy ([0, 1]), and CSV."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kodebok.analysis.qca.calibrate import Anchors, calibrate_fuzzy, parse_thresholds
from kodebok.errors import AnalysisError
from kodebok.notes import Note
from kodebok.tabular import csv_text

_TRANSLIT = str.maketrans({"æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})


@dataclass(frozen=True)
class DataTable:
    """One row per case: 0/1 per condition (in column order) and 0/1 for the outcome.

    A fuzzy table also holds the memberships in [0, 1] (``fuzzy_values``, ``fuzzy_outcome``);
    ``values`` and ``outcome_values`` are then the crisp images (membership > 0.5), which
    place each case in its truth-table row.
    """

    cases: tuple[str, ...]
    conditions: tuple[str, ...]
    outcome: str
    values: tuple[tuple[int, ...], ...]
    outcome_values: tuple[int, ...]
    warnings: tuple[str, ...] = field(default=(), compare=False)
    fuzzy_values: tuple[tuple[float, ...], ...] | None = None
    fuzzy_outcome: tuple[float, ...] | None = None

    @property
    def is_fuzzy(self) -> bool:
        """Whether the table holds fuzzy memberships (not only 0 and 1)."""
        return self.fuzzy_values is not None

    def memberships(self) -> tuple[tuple[float, ...], ...]:
        """Each case's membership per condition (0.0/1.0 for crisp tables)."""
        if self.fuzzy_values is not None:
            return self.fuzzy_values
        return tuple(tuple(float(v) for v in row) for row in self.values)

    def outcome_memberships(self) -> tuple[float, ...]:
        """Each case's membership in the outcome (0.0/1.0 for crisp tables)."""
        if self.fuzzy_outcome is not None:
            return self.fuzzy_outcome
        return tuple(float(y) for y in self.outcome_values)

    def configuration(self, case_index: int) -> int:
        """The case's configuration as an integer, first condition the highest bit."""
        number = 0
        for value in self.values[case_index]:
            number = number * 2 + value
        return number

    def negated(self) -> DataTable:
        """The same table explaining the absence of the outcome (``~OUTCOME``)."""
        name = self.outcome[1:] if self.outcome.startswith("~") else f"~{self.outcome}"
        flipped = tuple(1 - y for y in self.outcome_values)
        if self.fuzzy_outcome is not None:
            fuzzy = tuple(round(1 - y, 12) for y in self.fuzzy_outcome)
            crisp = tuple(int(y > 0.5) for y in fuzzy)
            return replace(self, outcome=name, outcome_values=crisp, fuzzy_outcome=fuzzy)
        return replace(self, outcome=name, outcome_values=flipped)

    def constant_conditions(self) -> list[str]:
        """Conditions with the same value in every case (they cannot explain anything)."""
        rows = self.memberships()
        return [name for i, name in enumerate(self.conditions) if len({r[i] for r in rows}) < 2]


def ascii_name(name: str) -> str:
    """A column name R accepts without quoting: ASCII letters, digits and ``_``, not a digit first.

    Norwegian letters are transliterated (ø → o, æ → ae, å → a) before other accents are dropped.
    """
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLIT))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if not text:
        text = "X"
    if text[0].isdigit():
        text = f"X{text}"
    return text


def _read_text(path_or_text: str | Path) -> tuple[str, str]:
    """The CSV text and a name for messages: a Path or an existing file path is read from disk."""
    if isinstance(path_or_text, Path) or (
        "\n" not in path_or_text and path_or_text.strip() and Path(path_or_text).is_file()
    ):
        path = Path(path_or_text)
        try:
            return path.read_text(encoding="utf-8-sig"), path.name
        except OSError as exc:
            raise AnalysisError(
                f"Cannot read {path}: {exc.strerror or exc}",
                code="qca.data.read",
                path=path,
                value=exc.strerror or exc,
            ) from exc
        except UnicodeDecodeError as exc:
            raise AnalysisError(
                f"{path.name} is not UTF-8 text", code="qca.data.utf_text", path_name=path.name
            ) from exc
    return path_or_text.lstrip("\ufeff"), "the data table"


def read_data_csv(
    path_or_text: str | Path,
    outcome: str,
    calibrate: Mapping[str, Anchors | str] | None = None,
) -> DataTable:
    """Read ``case,COND1,...,OUTCOME`` (``,`` or ``;`` separated) into a data table.

    Every column except the first (case names) and the outcome is a condition, in file order.
    Values are set memberships: a table of only 0 and 1 is crisp, any value strictly between
    (``0.73``; a decimal comma works with ``;`` separators) makes it fuzzy, which a note in
    ``table.warnings`` says. Columns named in ``calibrate`` hold raw numbers instead and are
    calibrated by the direct method with their anchors (memberships rounded to 4 decimals, as
    ``round(calibrate(x, type = "fuzzy", thresholds = ...), 4)`` in R). Errors name the line,
    case and column; a condition that is constant across cases is only a warning, because R
    accepts it too (it never enters a solution).
    """
    text, source = _read_text(path_or_text)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise AnalysisError(f"{source} is empty", code="qca.data.empty", source=source)
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = _checked_header(rows[0], outcome, source)
    outcome_col = header.index(outcome)
    condition_cols = [c for c in range(1, len(header)) if c != outcome_col]
    anchors = _calibrated_columns(calibrate or {}, header, source)
    cases: list[str] = []
    cell_rows: list[dict[int, float]] = []
    seen: dict[str, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        case = _case_name(row, header, line_no, seen, source)
        cell_rows.append(
            {
                c: _membership(row, c, header, line_no, source, raw=c in anchors)
                for c in range(1, len(header))
            }
        )
        cases.append(case)
    if not cases:
        raise AnalysisError(
            f"{source} has a header but no cases",
            code="qca.data.has_header_but_cases",
            source=source,
        )
    for column, column_anchors in anchors.items():
        memberships = calibrate_fuzzy([r[column] for r in cell_rows], column_anchors)
        for r, m in zip(cell_rows, memberships, strict=True):
            r[column] = round(m, 4)
    values = [tuple(r[c] for c in condition_cols) for r in cell_rows]
    outcome_values = [r[outcome_col] for r in cell_rows]
    conditions = tuple(header[c] for c in condition_cols)
    table = make_data_table(tuple(cases), conditions, outcome, values, outcome_values)
    notes = list(table.warnings)
    if table.is_fuzzy:
        notes.insert(
            0,
            Note(
                "qca.fuzzy_data",
                f"{source} has memberships between 0 and 1, so it is read as fuzzy-set data",
                source=source,
            ),
        )
    return replace(table, warnings=tuple(notes))


def make_data_table(
    cases: Sequence[str],
    conditions: Sequence[str],
    outcome: str,
    values: Sequence[Sequence[float]],
    outcome_values: Sequence[float],
) -> DataTable:
    """A crisp table when every membership is 0 or 1, otherwise a fuzzy one.

    Memberships must lie in [0, 1]; constant conditions become warnings.
    """
    for case, row, y in zip(cases, values, outcome_values, strict=True):
        for name, v in zip((*conditions, outcome), (*row, y), strict=True):
            if not (math.isfinite(v) and 0 <= v <= 1):
                raise AnalysisError(
                    f"Case {case!r}, {name!r}: membership {v:g} must lie between 0 and 1",
                    code="qca.data.case_membership_lie_between",
                    case=repr(case),
                    name=repr(name),
                    v=format(v, "g"),
                )
    crisp = all(v in (0, 1) for row in values for v in row) and all(
        y in (0, 1) for y in outcome_values
    )
    if crisp:
        table = DataTable(
            cases=tuple(cases),
            conditions=tuple(conditions),
            outcome=outcome,
            values=tuple(tuple(int(v) for v in row) for row in values),
            outcome_values=tuple(int(y) for y in outcome_values),
        )
    else:
        table = DataTable(
            cases=tuple(cases),
            conditions=tuple(conditions),
            outcome=outcome,
            values=tuple(tuple(int(v > 0.5) for v in row) for row in values),
            outcome_values=tuple(int(y > 0.5) for y in outcome_values),
            fuzzy_values=tuple(tuple(float(v) for v in row) for row in values),
            fuzzy_outcome=tuple(float(y) for y in outcome_values),
        )
    return replace(table, warnings=tuple(_constant_warnings(table)))


def _calibrated_columns(
    calibrate: Mapping[str, Anchors | str], header: list[str], source: str
) -> dict[int, Anchors]:
    """Column index → anchors for the columns to calibrate; unknown names are errors."""
    out: dict[int, Anchors] = {}
    for name, spec in calibrate.items():
        if name not in header[1:]:
            raise AnalysisError(
                f"{source}: no column {name!r} to calibrate; columns are {', '.join(header[1:])}",
                code="qca.data.column_calibrate_columns",
                source=source,
                name=repr(name),
                header=", ".join(header[1:]),
            )
        out[header.index(name)] = parse_thresholds(spec) if isinstance(spec, str) else spec
    return out


def _checked_header(row: list[str], outcome: str, source: str) -> list[str]:
    """The column names: a case column, at least one condition and the outcome, none twice."""
    header = [h.strip() for h in row]
    if len(header) < 3:
        raise AnalysisError(
            f"{source}: need a case column, at least one condition and the outcome; "
            f"found columns {', '.join(header) or '(none)'}",
            code="qca.data.need_case_column_least",
            source=source,
            value=", ".join(header) or "(none)",
        )
    if outcome not in header[1:]:
        raise AnalysisError(
            f"{source}: no outcome column {outcome!r}; columns are {', '.join(header[1:])}",
            code="qca.data.outcome_column_columns",
            source=source,
            outcome=repr(outcome),
            header=", ".join(header[1:]),
        )
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise AnalysisError(
            f"{source}: column names used twice: {', '.join(duplicates)}",
            code="qca.data.column_names_used_twice",
            source=source,
            duplicates=", ".join(duplicates),
        )
    return header


def _case_name(
    row: list[str], header: list[str], line_no: int, seen: dict[str, int], source: str
) -> str:
    """The row's case name: present, not seen before (``seen`` maps names to their lines)."""
    if len(row) != len(header):
        raise AnalysisError(
            f"{source}, line {line_no}: {len(row)} values but {len(header)} columns",
            code="qca.data.line_values_but_columns",
            source=source,
            line_no=line_no,
            n_row=len(row),
            n_header=len(header),
        )
    case = row[0].strip()
    if not case:
        raise AnalysisError(
            f"{source}, line {line_no}: the case name is empty",
            code="qca.data.line_case_name_empty",
            source=source,
            line_no=line_no,
        )
    if case in seen:
        raise AnalysisError(
            f"{source}, line {line_no}: case {case!r} already on line {seen[case]}",
            code="qca.data.line_case_already_line",
            source=source,
            line_no=line_no,
            case=repr(case),
            seen=seen[case],
        )
    seen[case] = line_no
    return case


def _membership(
    row: list[str], column: int, header: list[str], line_no: int, source: str, raw: bool = False
) -> float:
    """A cell as a membership in [0, 1] (any number with ``raw``, for calibration); anything
    else names line, case and column."""
    text = row[column].strip()
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if raw and not math.isfinite(value):
        shown = repr(text) if text else "an empty value"
        raise AnalysisError(
            f"{source}, line {line_no}: case {row[0].strip()!r}, column "
            f"{header[column]!r} has {shown}; calibration needs a number",
            code="qca.data.line_case_column_has",
            source=source,
            line_no=line_no,
            strip=repr(row[0].strip()),
            header=repr(header[column]),
            shown=shown,
        )
    if not raw and not (math.isfinite(value) and 0 <= value <= 1):
        shown = repr(text) if text else "an empty value"
        raise AnalysisError(
            f"{source}, line {line_no}: case {row[0].strip()!r}, column "
            f"{header[column]!r} has {shown}; QCA needs a set membership: 0 or 1 for "
            "crisp sets, a number from 0 to 1 for fuzzy sets",
            code="qca.data.line_case_column_has_2",
            source=source,
            line_no=line_no,
            strip=repr(row[0].strip()),
            header=repr(header[column]),
            shown=shown,
        )
    return value


def _constant_warnings(table: DataTable) -> list[str]:
    return [
        Note(
            "qca.constant",
            f"condition {name!r} has the same value in every case and cannot explain the outcome",
            name=name,
        )
        for name in table.constant_conditions()
    ]


def format_data_csv(table: DataTable) -> str:
    """The table as R-ready CSV (``read.csv(f, row.names = 1)``): ``case,COND1,...,OUTCOME``.

    Column names are made ASCII (see :func:`ascii_name`); two names that become equal get a
    numeric suffix so R keeps them apart.
    """
    names: list[str] = []
    for name in (*table.conditions, table.outcome):
        base = ascii_name(name)
        candidate, k = base, 2
        while candidate in names or candidate == "case":
            candidate, k = f"{base}_{k}", k + 1
        names.append(candidate)
    if table.is_fuzzy:
        rows: list[list[object]] = [
            [case, *(f"{v:.10g}" for v in row), f"{y:.10g}"]
            for case, row, y in zip(
                table.cases, table.memberships(), table.outcome_memberships(), strict=True
            )
        ]
    else:
        rows = [
            [case, *row, y]
            for case, row, y in zip(table.cases, table.values, table.outcome_values, strict=True)
        ]
    return csv_text(["case", *names], rows)


def data_table_from_presence(
    cases: Sequence[str],
    columns: Mapping[str, Sequence[float | None]],
    outcome: str,
    keep_unreported: bool = False,
) -> tuple[DataTable, list[str]]:
    """Build a data table from three-valued presence (1, 0, None = not reported).

    ``columns`` maps each condition and the outcome to one value per case; a calibrated
    column holds memberships between 0 and 1 instead, which makes the table fuzzy. A case with any
    unreported value is left out (silence is not absence) and named in the returned messages;
    with ``keep_unreported`` it stays in and the unreported values count as absent (0).
    """
    if outcome not in columns:
        raise AnalysisError(
            f"No outcome column {outcome!r}; columns are {', '.join(columns)}",
            code="qca.data.outcome_column_columns_2",
            outcome=repr(outcome),
            columns=", ".join(columns),
        )
    for name, column in columns.items():
        if len(column) != len(cases):
            raise AnalysisError(
                f"Column {name!r} has {len(column)} values for {len(cases)} cases",
                code="qca.data.column_has_values_cases",
                name=repr(name),
                n_column=len(column),
                n_cases=len(cases),
            )
    if len(set(cases)) != len(cases):
        twice = sorted({c for c in cases if list(cases).count(c) > 1})
        raise AnalysisError(
            f"Case names used twice: {', '.join(twice)}",
            code="qca.data.case_names_used_twice",
            twice=", ".join(twice),
        )
    conditions = tuple(name for name in columns if name != outcome)
    if not conditions:
        raise AnalysisError(
            "At least one condition besides the outcome is needed",
            code="qca.data.least_one_condition_besides",
        )
    kept_cases: list[str] = []
    values: list[tuple[float, ...]] = []
    outcome_values: list[float] = []
    messages: list[str] = []
    for k, case in enumerate(cases):
        missing = [name for name in (*conditions, outcome) if columns[name][k] is None]
        bad = [name for name in (*conditions, outcome) if not _membership_or_none(columns[name][k])]
        if bad:
            raise AnalysisError(
                f"Case {case!r}: {', '.join(bad)} must be 1, 0, a membership between 0 and 1 "
                "or not reported",
                code="qca.data.case_membership_between_reported",
                case=repr(case),
                bad=", ".join(bad),
            )
        if missing and not keep_unreported:
            messages.append(
                Note(
                    "qca.left_out",
                    f"case {case!r} left out: not reported for {', '.join(missing)}",
                    case=case,
                    names=missing,
                )
            )
            continue
        if missing:
            messages.append(
                Note(
                    "qca.counted_absent",
                    f"case {case!r}: not reported for {', '.join(missing)}, counted as absent (0)",
                    case=case,
                    names=missing,
                )
            )
        values.append(tuple(float(columns[name][k] or 0) for name in conditions))
        outcome_values.append(float(columns[outcome][k] or 0))
        kept_cases.append(case)
    if not kept_cases:
        raise AnalysisError(
            "No case has reported values for every condition and the outcome",
            code="qca.no_complete_case",
        )
    table = make_data_table(kept_cases, conditions, outcome, values, outcome_values)
    return table, messages + list(table.warnings)


def _membership_or_none(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, int | float):
        return False
    return math.isfinite(value) and 0 <= value <= 1
