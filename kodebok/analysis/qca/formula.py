"""Implicants as bit masks, written and ordered the way R's QCA package writes and orders them.

An implicant over ``n`` conditions is a pair of integers: ``care`` has a bit for every condition
that appears in the term, ``value`` says which of those appear present (bit set) or negated.
Condition ``i`` (in data order) is bit ``1 << (n - 1 - i)``, so the first condition is the
highest bit and a truth-table row number is ``1 + configuration`` as in R.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from kodebok.errors import AnalysisError


class Implicant(NamedTuple):
    """A conjunction of literals: ``care`` marks the conditions used, ``value`` their values."""

    care: int
    value: int

    def covers(self, configuration: int) -> bool:
        """Whether the configuration (a truth-table row) lies inside this term."""
        return configuration & self.care == self.value

    @property
    def literals(self) -> int:
        """Number of conditions in the term (R's complexity)."""
        return self.care.bit_count()


def condition_bit(index: int, n_conditions: int) -> int:
    """The bit of the condition at ``index`` (data order) in a configuration."""
    return 1 << (n_conditions - 1 - index)


def minterm(configuration: int, n_conditions: int) -> Implicant:
    """The implicant that covers exactly one configuration."""
    return Implicant((1 << n_conditions) - 1, configuration)


def term_text(term: Implicant, conditions: Sequence[str]) -> str:
    """R's syntax: literals in data order joined by ``*``, negation as ``~`` (``DEV*~URB*LIT``)."""
    n = len(conditions)
    parts = []
    for i, name in enumerate(conditions):
        bit = condition_bit(i, n)
        if term.care & bit:
            parts.append(name if term.value & bit else f"~{name}")
    return "*".join(parts) if parts else "1"


def parse_term(text: str, conditions: Sequence[str]) -> Implicant:
    """Read a term written as R writes it (``DEV*~URB``) back into an implicant."""
    n = len(conditions)
    care = value = 0
    for raw in text.split("*"):
        literal = raw.strip()
        negated = literal.startswith("~")
        name = literal[1:] if negated else literal
        if name not in conditions:
            raise AnalysisError(
                f"Unknown condition {name!r} in term {text!r}",
                code="qca.formula.unknown_condition_term",
                name=repr(name),
                text=repr(text),
            )
        bit = condition_bit(list(conditions).index(name), n)
        if care & bit:
            raise AnalysisError(
                f"Condition {name!r} appears twice in term {text!r}",
                code="qca.formula.condition_appears_twice_term",
                name=repr(name),
                text=repr(text),
            )
        care |= bit
        if not negated:
            value |= bit
    return Implicant(care, value)


def configuration_text(configuration: int, n_conditions: int) -> str:
    """The configuration as a 0/1 string, first condition first (``10101``)."""
    return format(configuration, f"0{n_conditions}b") if n_conditions else ""


def _code(term: Implicant, bit: int) -> int:
    """R's matrix code of one condition in a term: 0 absent, 1 negated, 2 present."""
    if not term.care & bit:
        return 0
    return 2 if term.value & bit else 1


def r_order(terms: Sequence[Implicant], n_conditions: int) -> list[int]:
    """Indices of ``terms`` in the order R's QCA lists prime implicants.

    R sorts the implicant matrix column by column from the last condition to the first: a
    stable descending pass (present, negated, absent), then an ascending pass over the leading
    rows that use the condition, so negated comes before present and absent last. When every
    term uses the condition, R's ascending pass stops one row short and leaves the last row
    where the descending pass put it; that is reproduced here because it decides the printed
    order of terms (d.Kil's complex solution shows it). A final stable pass puts fewer literals
    first. The result depends on the incoming order only for such ties, so callers pass terms
    in the order R's algorithms discover them.
    """
    order = list(range(len(terms)))
    for column in reversed(range(n_conditions)):
        bit = condition_bit(column, n_conditions)
        codes = [_code(t, bit) for t in terms]
        order.sort(key=lambda k: -codes[k])
        stop = next((pos for pos, k in enumerate(order) if codes[k] == 0), len(order) - 1)
        order[:stop] = sorted(order[:stop], key=lambda k: codes[k])
    order.sort(key=lambda k: terms[k].literals)
    return order
