"""The crisp QCA data table: cases × conditions (0/1) plus an outcome, read from and written to CSV."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kodebok.errors import AnalysisError
from kodebok.notes import Note
from kodebok.tabular import csv_text

_TRANSLIT = str.maketrans({"æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})


@dataclass(frozen=True)
class DataTable:
    """One row per case: 0/1 per condition (in column order) and 0/1 for the outcome."""

    cases: tuple[str, ...]
    conditions: tuple[str, ...]
    outcome: str
    values: tuple[tuple[int, ...], ...]
    outcome_values: tuple[int, ...]
    warnings: tuple[str, ...] = field(default=(), compare=False)

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
        return replace(self, outcome=name, outcome_values=flipped)

    def constant_conditions(self) -> list[str]:
        """Conditions with the same value in every case (they cannot explain anything)."""
        return [
            name
            for i, name in enumerate(self.conditions)
            if len({row[i] for row in self.values}) < 2
        ]


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


def read_data_csv(path_or_text: str | Path, outcome: str) -> DataTable:
    """Read ``case,COND1,...,OUTCOME`` (``,`` or ``;`` separated) into a data table.

    Every column except the first (case names) and the outcome is a condition, in file order.
    Errors name the line, case and column; a condition that is constant across cases is only a
    warning in ``table.warnings``, because R accepts it too (it never enters a solution).
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
    cases: list[str] = []
    values: list[tuple[int, ...]] = []
    outcome_values: list[int] = []
    seen: dict[str, int] = {}
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        case = _case_name(row, header, line_no, seen, source)
        cells = {c: _crisp(row, c, header, line_no, source) for c in range(1, len(header))}
        values.append(tuple(cells[c] for c in condition_cols))
        outcome_values.append(cells[outcome_col])
        cases.append(case)
    if not cases:
        raise AnalysisError(
            f"{source} has a header but no cases",
            code="qca.data.has_header_but_cases",
            source=source,
        )
    table = DataTable(
        cases=tuple(cases),
        conditions=tuple(header[c] for c in condition_cols),
        outcome=outcome,
        values=tuple(values),
        outcome_values=tuple(outcome_values),
    )
    return replace(table, warnings=tuple(_constant_warnings(table)))


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


def _crisp(row: list[str], column: int, header: list[str], line_no: int, source: str) -> int:
    """A condition's or the outcome's cell as 0 or 1; anything else names line, case, column."""
    raw = row[column].strip()
    if raw not in ("0", "1"):
        shown = repr(raw) if raw else "an empty value"
        raise AnalysisError(
            f"{source}, line {line_no}: case {row[0].strip()!r}, column "
            f"{header[column]!r} has {shown}; crisp-set QCA needs 0 or 1",
            code="qca.data.line_case_column_has",
            source=source,
            line_no=line_no,
            strip=repr(row[0].strip()),
            header=repr(header[column]),
            shown=shown,
        )
    return int(raw)


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
    rows = [
        [case, *row, y]
        for case, row, y in zip(table.cases, table.values, table.outcome_values, strict=True)
    ]
    return csv_text(["case", *names], rows)


def data_table_from_presence(
    cases: Sequence[str],
    columns: Mapping[str, Sequence[int | None]],
    outcome: str,
    keep_unreported: bool = False,
) -> tuple[DataTable, list[str]]:
    """Build a data table from three-valued presence (1, 0, None = not reported).

    ``columns`` maps each condition and the outcome to one value per case. A case with any
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
    values: list[tuple[int, ...]] = []
    outcome_values: list[int] = []
    messages: list[str] = []
    for k, case in enumerate(cases):
        missing = [name for name in (*conditions, outcome) if columns[name][k] is None]
        bad = [name for name in (*conditions, outcome) if columns[name][k] not in (None, 0, 1)]
        if bad:
            raise AnalysisError(
                f"Case {case!r}: {', '.join(bad)} must be 1, 0 or not reported",
                code="qca.data.case_reported",
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
        values.append(tuple(int(columns[name][k] or 0) for name in conditions))
        outcome_values.append(int(columns[outcome][k] or 0))
        kept_cases.append(case)
    if not kept_cases:
        raise AnalysisError(
            "No case has reported values for every condition and the outcome",
            code="qca.no_complete_case",
        )
    table = DataTable(tuple(kept_cases), conditions, outcome, tuple(values), tuple(outcome_values))
    warnings = _constant_warnings(table)
    return replace(table, warnings=tuple(warnings)), messages + warnings
