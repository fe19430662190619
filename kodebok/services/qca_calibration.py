"""Fuzzy QCA conditions calibrated from the project: a measure per case and three anchors.

``innbyggere:e=2000,c=8000,i=20000`` calibrates a numeric case attribute by the direct method;
``codings(CODE):e=0,c=2,i=6`` the number of codings of a code in the case,
``informants(CODE):...`` the number of different informants with the code,
``share(CODE):e=0,c=0.2,i=0.5`` the share of the case's informant turns coded with it, and
``words(CODE):...`` the words coded with it in the case (overlapping codings counted once).
Code measures include the codings of the code's children, as presence does.
A case without documents (for code measures) or without the attribute is not reported (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kodebok.analysis.presence import PresenceRule
from kodebok.analysis.qca import Anchors, ascii_name, calibrate_fuzzy, parse_thresholds
from kodebok.errors import AnalysisError
from kodebok.store import Project
from kodebok.store import queries as q

CODE_MEASURES = ("codings", "informants", "share", "words")
_SPEC = re.compile(r"^\s*(?P<measure>.+?)\s*:\s*(?P<thresholds>[eciECI]\s*=.*)$")
_CODE_MEASURE = re.compile(r"^(?P<kind>[A-Za-z]+)\((?P<code>.+)\)$")


@dataclass(frozen=True)
class Calibration:
    """What to measure (``kind`` is ``attribute`` or a code measure) and the anchors."""

    spec: str
    kind: str
    target: str
    anchors: Anchors

    @property
    def column(self) -> str:
        """An R column name: the attribute, or the measure and the code (``codings_Ledelse``)."""
        if self.kind == "attribute":
            return ascii_name(self.target)
        return ascii_name(f"{self.kind}_{self.target}")


def is_calibration(spec: str) -> bool:
    """``MEASURE:e=…,c=…,i=…`` rather than a code or an attribute test."""
    return bool(_SPEC.match(spec))


def parse_calibration(spec: str) -> Calibration:
    """Read ``MEASURE:e=…,c=…,i=…``; the measure is an attribute or ``codings(CODE)`` etc."""
    match = _SPEC.match(spec)
    if not match:
        raise AnalysisError(
            f"cannot read the calibration {spec!r}; write e.g. "
            "'innbyggere:e=2000,c=8000,i=20000' or 'codings(Ledelse):e=0,c=2,i=6'"
        )
    measure = match["measure"].strip()
    anchors = parse_thresholds(match["thresholds"])
    code_match = _CODE_MEASURE.match(measure)
    if code_match:
        kind = code_match["kind"].lower()
        if kind not in CODE_MEASURES:
            raise AnalysisError(
                f"unknown measure {code_match['kind']!r} in {spec!r}; "
                f"use {', '.join(f'{m}(CODE)' for m in CODE_MEASURES)} or a case attribute"
            )
        return Calibration(spec, kind, code_match["code"].strip(), anchors)
    return Calibration(spec, "attribute", measure, anchors)


def _number(text: str) -> float | None:
    """A number as Norwegians write it ("8 000", "12,5"), None when it is not one."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def _attribute_values(
    project: Project, name: str, spec: str
) -> tuple[list[str], list[float | None]]:
    cases = q.cases(project)
    known = {n for c in cases for n in c.attributes}
    if name not in known:
        folded = {n.casefold(): n for n in known}
        if name.casefold() not in folded:
            raise AnalysisError(
                f"no case attribute '{name}'; case attributes: {', '.join(sorted(known)) or 'none'}",
                code="qca.no_attribute",
                name=name,
                known=sorted(known),
            )
        name = folded[name.casefold()]
    values: list[float | None] = []
    for case in cases:
        raw = case.attributes.get(name)
        if raw is None or not raw.strip():
            values.append(None)
            continue
        number = _number(raw)
        if number is None:
            raise AnalysisError(
                f"{spec!r}: case {case.name!r} has {name} = {raw!r}, which is not a number",
                code="qca.not_a_number",
                condition=spec,
                value=raw,
            )
        values.append(number)
    return [c.name for c in cases], values


def _code_values(
    project: Project, calibration: Calibration, rule: PresenceRule | None
) -> tuple[list[str], list[float | None]]:
    from kodebok.services.analysis import matrix, presence

    table = presence(project, [calibration.target], rule)
    words: dict[str, int] = {}
    if calibration.kind == "words":
        code = q.code(project, calibration.target)
        counted = matrix(project, by="case", unit="words", rollup=True)
        row = next(r for r in counted.rows if r.code_id == code.id)
        words = {g.label: n for g, n in zip(counted.columns, row.values, strict=True)}
    values: list[float | None] = []
    for case, cells in zip(table.cases, table.cells, strict=True):
        cell = cells[0]
        if cell.source == "no-documents":
            values.append(None)
        elif calibration.kind == "codings":
            values.append(float(cell.counts.codings))
        elif calibration.kind == "informants":
            values.append(float(cell.counts.speakers))
        elif calibration.kind == "words":
            values.append(float(words.get(case, 0)))
        else:
            values.append(cell.share)
    return list(table.cases), values


def measure(
    project: Project, calibration: Calibration, rule: PresenceRule | None = None
) -> tuple[list[str], list[float | None]]:
    """Case names and the raw measure per case (None: not reported)."""
    if calibration.kind == "attribute":
        return _attribute_values(project, calibration.target, calibration.spec)
    return _code_values(project, calibration, rule)


def calibrated_column(
    project: Project, calibration: Calibration, rule: PresenceRule | None = None
) -> tuple[list[str], list[float | None]]:
    """Case names and the calibrated membership per case (None where not reported)."""
    cases, raw = measure(project, calibration, rule)
    known = [v for v in raw if v is not None]
    memberships = iter(calibrate_fuzzy(known, calibration.anchors))
    return cases, [None if v is None else round(next(memberships), 4) for v in raw]
