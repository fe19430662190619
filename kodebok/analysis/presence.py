"""Three-valued presence (1 present, 0 known absent, None not reported) of codes per case (pure).

A cell's value comes from, in this order:
1. a manual override (value 1, 0 or None, with note, author and time);
2. the rule: 1 when every threshold given is met (at least k codings, k distinct informants,
   a share of the case's informant turns); interviewers and their turns are not counted, as
   their questions would otherwise dilute the share and add a "speaker" to every case;
3. otherwise 0 when the case has at least one document (of the chosen kinds): silence in
   material that was collected counts as absence. With ``absent_as_unreported`` such cells are
   None instead, for material like self-reports where silence says nothing;
4. None when the case has no documents: nothing was collected, so nothing is known.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kodebok.errors import AnalysisError


@dataclass(frozen=True)
class PresenceRule:
    """Thresholds that make a code present in a case; all given thresholds must be met."""

    min_codings: int | None = None
    min_speakers: int | None = None
    min_share: float | None = None  # of the case's informant turns, 0–1
    absent_as_unreported: bool = False

    def describe(self) -> str:
        """The rule in words, for table notes."""
        parts = []
        if self.min_codings is not None:
            parts.append(f"≥{self.min_codings} codings")
        if self.min_speakers is not None:
            parts.append(f"≥{self.min_speakers} informants")
        if self.min_share is not None:
            parts.append(f"≥{self.min_share:.0%} of informant turns")
        return " and ".join(parts) or "≥1 coding"


@dataclass(frozen=True)
class CaseCodeCounts:
    """What the rule looks at for one case and code."""

    codings: int = 0
    speakers: int = 0  # distinct informants (a person counts once; no interviewers)
    segments: int = 0  # coded informant turns


@dataclass(frozen=True)
class CaseFacts:
    """What the rule needs to know about a case: its documents and informant turns (segments
    not spoken by an interviewer) of the chosen kinds."""

    case_id: int
    name: str
    documents: int
    segments: int


@dataclass(frozen=True)
class Override:
    """A researcher's manual value for a cell."""

    value: int | None
    note: str
    author: str
    at: str


@dataclass(frozen=True)
class PresenceCell:
    """A value with where it came from: ``override``, ``rule`` or ``no-documents``."""

    value: int | None
    source: str
    counts: CaseCodeCounts = field(default_factory=CaseCodeCounts)
    share: float | None = None
    override: Override | None = None

    def as_json(self) -> dict[str, object]:
        """Value and provenance for ``--format json``."""
        out: dict[str, object] = {"value": self.value, "source": self.source}
        out["codings"] = self.counts.codings
        out["speakers"] = self.counts.speakers
        out["segments"] = self.counts.segments
        out["share"] = None if self.share is None else round(self.share, 4)
        if self.override is not None:
            out.update(note=self.override.note, author=self.override.author, at=self.override.at)
        return out


@dataclass(frozen=True)
class PresenceTable:
    """Cases (rows) × codes (columns)."""

    rule: PresenceRule
    cases: tuple[str, ...]
    codes: tuple[str, ...]
    cells: tuple[tuple[PresenceCell, ...], ...]


def rule_value(rule: PresenceRule, counts: CaseCodeCounts, facts: CaseFacts) -> PresenceCell:
    """The value of a cell by the rule alone."""
    share = counts.segments / facts.segments if facts.segments else None
    if facts.documents == 0:
        return PresenceCell(None, "no-documents", counts, share)
    met = counts.codings >= 1
    if rule.min_codings is not None:
        met = met and counts.codings >= rule.min_codings
    if rule.min_speakers is not None:
        met = met and counts.speakers >= rule.min_speakers
    if rule.min_share is not None:
        met = met and share is not None and share >= rule.min_share
    if met:
        return PresenceCell(1, "rule", counts, share)
    return PresenceCell(None if rule.absent_as_unreported else 0, "rule", counts, share)


def presence_table(
    rule: PresenceRule,
    cases: Sequence[CaseFacts],
    codes: Sequence[tuple[int, str]],
    counts: Mapping[tuple[int, int], CaseCodeCounts],
    overrides: Mapping[tuple[int, int], Override],
) -> PresenceTable:
    """Evaluate every (case, code) cell; overrides win over the rule."""
    rows = []
    for case in cases:
        row = []
        for code_id, _ in codes:
            cell = rule_value(rule, counts.get((case.case_id, code_id), CaseCodeCounts()), case)
            manual = overrides.get((case.case_id, code_id))
            if manual is not None:
                cell = PresenceCell(manual.value, "override", cell.counts, cell.share, manual)
            row.append(cell)
        rows.append(tuple(row))
    return PresenceTable(
        rule, tuple(c.name for c in cases), tuple(p for _, p in codes), tuple(rows)
    )


def parse_presence_value(text: str) -> int | None:
    """``1``, ``0`` or ``-`` (not reported) as typed on the command line."""
    value = text.strip().lower()
    if value in ("1", "ja", "yes", "true"):
        return 1
    if value in ("0", "nei", "no", "false"):
        return 0
    if value in ("-", "", "?", "none", "null"):
        return None
    raise AnalysisError(
        f"presence value must be 1, 0 or - (not reported), not '{text}'",
        code="presence.presence_value_reported",
        text=text,
    )


_CONDITION = re.compile(r"^\s*([^<>=!]+?)\s*(>=|<=|!=|==|=|>|<)\s*(.*?)\s*$")


@dataclass(frozen=True)
class AttributeCondition:
    """A crisp condition from a case attribute: ``innbyggere>=8000``, ``organisering=tonivå``."""

    attribute: str
    op: str
    value: str

    def evaluate(self, raw: str | None) -> int | None:
        """1 or 0 for a case's attribute value; None when the case has no value."""
        if raw is None or raw.strip() == "":
            return None
        left, right = _number(raw), _number(self.value)
        if left is not None and right is not None:
            return int(_compare(left, self.op, right))
        if self.op not in ("=", "==", "!="):
            raise AnalysisError(
                f"'{self.attribute}{self.op}{self.value}': '{raw}' is not a number",
                code="qca.not_a_number",
                condition=f"{self.attribute}{self.op}{self.value}",
                value=raw,
            )
        same = raw.strip().casefold() == self.value.strip().casefold()
        return int(same != (self.op == "!="))


def _compare(a: float, op: str, b: float) -> bool:
    if op in ("=", "=="):
        return a == b
    return {"!=": a != b, ">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b}[op]


def parse_condition(expr: str) -> AttributeCondition:
    """Parse ``name OP value`` with OP one of = == != > < >= <=."""
    m = _CONDITION.match(expr)
    if not m or not m.group(3):
        raise AnalysisError(
            f"cannot read condition '{expr}'; write e.g. 'innbyggere>=8000' or "
            "'organisering=tonivå'",
            code="qca.bad_condition",
            condition=expr,
        )
    return AttributeCondition(m.group(1), m.group(2), m.group(3))


def _number(text: str) -> float | None:
    """Numbers as Norwegians write them: "8 000", "8000", "12,5"."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None
