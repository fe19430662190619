"""The truth table: one row per configuration with n, incl, PRI, cases and OUT, as R's truthTable().

Crisp and fuzzy data alike: a case belongs to the row where its membership exceeds 0.5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kodebok.analysis.qca.data import DataTable
from kodebok.analysis.qca.formula import configuration_text
from kodebok.errors import AnalysisError
from kodebok.notes import Note

# R compares consistency with its cut-offs with a tolerance; so do we, so 0.75 >= 0.75 holds.
TOLERANCE = 1e-9
MAX_COMPLETE_CONDITIONS = 20


@dataclass(frozen=True)
class TruthRow:
    """One configuration: R's row number (1 + binary value), its cases and its outcome value OUT.

    ``incl`` and ``pri`` are None for a row without cases (R prints ``-``). OUT is ``"1"``,
    ``"0"``, ``"C"`` (between the two inclusion cut-offs) or ``"?"`` (a remainder: fewer than
    n.cut cases).
    """

    row: int
    configuration: int
    values: tuple[int, ...]
    n: int
    incl: float | None
    pri: float | None
    cases: tuple[str, ...]
    positive_cases: tuple[str, ...]
    out: str

    @property
    def contradictory(self) -> bool:
        """Cases both with and without the outcome share this configuration."""
        return 0 < len(self.positive_cases) < self.n


@dataclass(frozen=True)
class TruthTable:
    """All rows (or the observed ones) with the settings that produced OUT."""

    data: DataTable
    rows: tuple[TruthRow, ...]
    incl_cut: tuple[float, float]
    n_cut: int
    pri_cut: float
    complete: bool
    warnings: tuple[str, ...] = field(default=())

    @property
    def conditions(self) -> tuple[str, ...]:
        """Condition names in data order."""
        return self.data.conditions

    @property
    def outcome(self) -> str:
        """Outcome name (``~NAME`` for the negated outcome)."""
        return self.data.outcome

    def configurations(self, out: str) -> list[int]:
        """Configurations of the observed rows with this OUT value, in row order."""
        return [r.configuration for r in self._observed() if r.out == out]

    def _observed(self) -> list[TruthRow]:
        return [r for r in self.rows if r.n > 0]

    @property
    def contradictions(self) -> list[TruthRow]:
        """Rows whose cases disagree on the outcome."""
        return [r for r in self.rows if r.contradictory]


def _cut_pair(incl_cut: float | Sequence[float]) -> tuple[float, float]:
    """R's incl.cut: one value, or (ic1, ic0) where rows in between get OUT "C"."""
    if isinstance(incl_cut, int | float):
        pair = (float(incl_cut), float(incl_cut))
    else:
        values = [float(v) for v in incl_cut]
        if len(values) == 1:
            values = values * 2
        if len(values) != 2:
            raise AnalysisError(
                "incl.cut takes one value or two (for 1 and for 0)",
                code="qca.truth_table.incl_cut_takes_one",
            )
        pair = (values[0], values[1])
    if not all(0 <= v <= 1 for v in pair):
        raise AnalysisError(
            f"incl.cut must lie between 0 and 1, got {pair}",
            code="qca.truth_table.incl_cut_lie_between",
            pair=pair,
        )
    if pair[1] > pair[0]:
        raise AnalysisError(
            f"The second incl.cut ({pair[1]}) must not exceed the first ({pair[0]})",
            code="qca.truth_table.second_incl_cut_exceed",
            pair=pair[1],
            pair_2=pair[0],
        )
    return pair


def _row(
    data: DataTable,
    config: int,
    idx: list[int],
    cuts: tuple[float, float],
    n_cut: int,
    pri_cut: float,
) -> TruthRow:
    """One configuration's row: its cases (indexes ``idx``), incl, PRI and OUT."""
    ic1, ic0 = cuts
    cases = tuple(data.cases[k] for k in idx)
    positive = tuple(data.cases[k] for k in idx if data.outcome_values[k] == 1)
    incl = pri = None
    if data.is_fuzzy and idx:
        incl, pri = fuzzy_row_fit(data, config)
    elif idx:
        incl = len(positive) / len(idx)
        pri = incl
    if len(idx) < n_cut or incl is None or pri is None:
        out = "?"
    elif incl >= ic1 - TOLERANCE and pri >= pri_cut - TOLERANCE:
        out = "1"
    elif incl >= ic0 - TOLERANCE and ic0 < ic1:
        out = "C"
    else:
        out = "0"
    n = len(data.conditions)
    values = tuple(int(ch) for ch in configuration_text(config, n))
    return TruthRow(config + 1, config, values, len(idx), incl, pri, cases, positive, out)


def row_memberships(data: DataTable, config: int) -> list[float]:
    """Each case's membership in a truth-table row: the minimum over the conditions of the
    membership (condition present in the row) or non-membership (absent)."""
    n = len(data.conditions)
    bits = [config >> (n - 1 - i) & 1 for i in range(n)]
    return [
        min((x if b else 1 - x) for x, b in zip(row, bits, strict=True)) if n else 1.0
        for row in data.memberships()
    ]


def fuzzy_row_fit(data: DataTable, config: int) -> tuple[float | None, float | None]:
    """inclS and PRI of a truth-table row over all cases (fuzzy formulas).

    inclS = Σmin(X,Y)/ΣX; PRI = (Σmin(X,Y) − Σmin(X,Y,1−Y)) / (ΣX − Σmin(X,Y,1−Y)).
    """
    xs = row_memberships(data, config)
    ys = data.outcome_memberships()
    sum_x = sum(xs)
    both = sum(min(x, y) for x, y in zip(xs, ys, strict=True))
    overlap = sum(min(x, y, 1 - y) for x, y in zip(xs, ys, strict=True))
    incl = both / sum_x if sum_x else None
    pri = (both - overlap) / (sum_x - overlap) if sum_x - overlap else None
    return incl, pri


def _half_memberships(data: DataTable) -> tuple[set[int], list[Note]]:
    """Cases with a condition membership of exactly 0.5: they belong to no row (R warns too)."""
    left: set[int] = set()
    notes: list[Note] = []
    for k, row in enumerate(data.memberships()):
        names = [name for name, x in zip(data.conditions, row, strict=True) if x == 0.5]
        if names:
            left.add(k)
            notes.append(
                Note(
                    "qca.half_membership",
                    f"case {data.cases[k]!r} has membership 0.5 in {', '.join(names)} and "
                    "belongs to no truth-table row (fuzzy conditions should avoid 0.5)",
                    case=data.cases[k],
                    names=names,
                )
            )
    return left, notes


def _contradiction(row: TruthRow, n: int) -> Note:
    """The note on a row whose cases disagree on the outcome."""
    negative = [c for c in row.cases if c not in row.positive_cases]
    configuration = configuration_text(row.configuration, n)
    return Note(
        "qca.contradictory",
        f"row {row.row} ({configuration}) is contradictory: "
        f"{', '.join(row.positive_cases)} with the outcome, "
        f"{', '.join(negative)} without; OUT = {row.out}",
        row=row.row,
        configuration=configuration,
        positive=row.positive_cases,
        negative=negative,
        out=row.out,
    )


def truth_table(
    data: DataTable,
    incl_cut: float | Sequence[float] = 1.0,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    complete: bool = False,
) -> TruthTable:
    """Build the truth table of a crisp or fuzzy data table.

    Crisp cases are full members of exactly one row, so n counts the cases in a row, incl is
    the share of them with the outcome and PRI equals incl (the fuzzy correction term is zero).
    Fuzzy cases are counted in the row where their membership exceeds 0.5, and incl and PRI
    use every case's membership in the row (see :func:`fuzzy_row_fit`).
    OUT is "1" when incl ≥ ic1 and PRI ≥ pri_cut, "C" when only incl ≥ ic0, otherwise "0";
    rows with fewer than ``n_cut`` cases are remainders "?". Without ``complete`` only rows
    with cases are listed; remainders still exist for minimisation either way.
    """
    ic1, ic0 = _cut_pair(incl_cut)
    if n_cut < 1:
        raise AnalysisError(
            f"n.cut must be at least 1, got {n_cut}",
            code="qca.truth_table.cut_least_got",
            n_cut=n_cut,
        )
    n = len(data.conditions)
    if complete and n > MAX_COMPLETE_CONDITIONS:
        raise AnalysisError(
            f"A complete truth table of {n} conditions has {2**n} rows; "
            f"list only observed rows (no --complete) above {MAX_COMPLETE_CONDITIONS}",
            code="qca.truth_table.complete_truth_table_conditions",
            n=n,
            value=2**n,
            max_complete_conditions=MAX_COMPLETE_CONDITIONS,
        )
    members: dict[int, list[int]] = {}
    left_out, half_notes = _half_memberships(data) if data.is_fuzzy else (set(), [])
    for k in range(len(data.cases)):
        if k not in left_out:
            members.setdefault(data.configuration(k), []).append(k)
    configurations = range(2**n) if complete else sorted(members)
    rows = [
        _row(data, config, members.get(config, []), (ic1, ic0), n_cut, pri_cut)
        for config in configurations
    ]
    if data.is_fuzzy:
        # fuzzy rows are judged by inclS and PRI; cases on both sides of 0.5 are expected
        warnings = [*data.warnings, *half_notes]
    else:
        warnings = [*data.warnings, *(_contradiction(r, n) for r in rows if r.contradictory)]
    return TruthTable(data, tuple(rows), (ic1, ic0), n_cut, pri_cut, complete, tuple(warnings))
