"""Grouping variables for comparisons: by case, document, speaker, or an attribute of one of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kodebok.errors import AnalysisError

ENTITY_KINDS = ("case", "document", "speaker")
NO_VALUE = "(ingen verdi)"


@dataclass(frozen=True)
class Grouping:
    """What the columns are: entities of ``kind`` themselves, or the values of ``attribute``."""

    kind: str  # case | document | speaker: the entity the group key comes from
    attribute: str | None = None

    @property
    def label(self) -> str:
        """How the grouping is named in output headers, e.g. ``case:storrelse``."""
        return f"{self.kind}:{self.attribute}" if self.attribute else self.kind


@dataclass(frozen=True)
class Group:
    """One column: its key as stored (an entity id or an attribute value; None = no value)."""

    key: int | str | None
    label: str


def resolve_grouping(by: str, available: Mapping[str, Iterable[str]]) -> Grouping:
    """Turn ``--by`` into a Grouping; ``available`` maps entity kind → attribute names in use.

    ``case``, ``document`` and ``speaker`` group by the entities; any other name is an attribute,
    looked up on cases, documents and speakers. A name found on more than one kind must be
    written ``kind:name``.
    """
    by = by.strip()
    if by in ENTITY_KINDS:
        return Grouping(by)
    names = {kind: set(available.get(kind, ())) for kind in ENTITY_KINDS}
    if ":" in by:
        kind, _, attr = by.partition(":")
        kind = kind.strip()
        if kind in ENTITY_KINDS and attr.strip() in names[kind]:
            return Grouping(kind, attr.strip())
        raise AnalysisError(
            _unknown(by, names), code="groups.unknown_grouping", by=by, available=_available(names)
        )
    owners = [kind for kind in ENTITY_KINDS if by in names[kind]]
    if len(owners) == 1:
        return Grouping(owners[0], by)
    if len(owners) > 1:
        forms = ", ".join(f"'{kind}:{by}'" for kind in owners)
        raise AnalysisError(
            f"attribute '{by}' exists on more than one kind; write {forms}",
            code="groups.attribute_exists_more_than",
            by=by,
            forms=forms,
        )
    folded = [(k, a) for k in ENTITY_KINDS for a in names[k] if a.casefold() == by.casefold()]
    if len(folded) == 1:
        return Grouping(*folded[0])
    raise AnalysisError(
        _unknown(by, names), code="groups.unknown_grouping", by=by, available=_available(names)
    )


def _unknown(by: str, names: Mapping[str, set[str]]) -> str:
    return f"unknown grouping '{by}'; available: " + ", ".join(_available(names))


def _available(names: Mapping[str, set[str]]) -> list[str]:
    parts = ["case", "document", "speaker"]
    for kind in ENTITY_KINDS:
        parts += [f"{kind}:{a}" for a in sorted(names[kind])]
    return parts


# a size band's open end: "≤3000", "under 3000", "≥30001", "over 30000"
_BOUND = re.compile(
    r"\s*(≤|<=|<|under|inntil|opptil|≥|>=|>|over|minst)\s*(\d+(?:[ \u00a0]\d{3})*(?:[.,]\d+)?)",
    re.IGNORECASE,
)
_BELOW = ("≤", "<=", "<", "under", "inntil", "opptil")


def natural_key(value: str) -> tuple[tuple[int, float | str], ...]:
    """Sort key that puts "≤3000" before "3001–8000" before "≥30001", and "2" before "10"."""
    parts: list[tuple[int, float | str]] = []
    bound = _BOUND.match(value)
    if bound:
        number = float(re.sub(r"[ \u00a0]", "", bound.group(2)).replace(",", "."))
        # just below or above the number it names, so the open band sorts next to its neighbour
        parts.append((0, number - 0.5 if bound.group(1).casefold() in _BELOW else number + 0.5))
        value = value[bound.end() :]
    for token in re.findall(r"\d+(?:[.,]\d+)?|\D+", value):
        if token[0].isdigit():
            parts.append((0, float(token.replace(",", "."))))
        else:
            parts.append((1, token.casefold()))
    return tuple(parts)


def attribute_groups(values: Iterable[str | None], with_none: bool) -> list[Group]:
    """Columns for the distinct values of an attribute, in natural order, plus the no-value group."""
    distinct = {v for v in values if v not in (None, "")}
    groups = [Group(v, v) for v in sorted(distinct, key=lambda v: (natural_key(v), v))]
    if with_none:
        groups.append(Group(None, NO_VALUE))
    return groups
