"""Three-valued presence: the rule, cases without documents, overrides with provenance, QCA hooks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_matrix import build_small_project

from kodebok.analysis.presence import (
    CaseCodeCounts,
    CaseFacts,
    PresenceRule,
    PresenceTable,
    parse_condition,
    parse_presence_value,
    rule_value,
)
from kodebok.errors import AnalysisError, UnknownItem
from kodebok.services import analysis
from kodebok.store import Project


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Project]:
    path = tmp_path / "liten.kodebok"
    build_small_project(path)
    with Project.open(path) as project:
        yield project


def _values(table: PresenceTable) -> dict[tuple[str, str], int | None]:
    return {
        (case, code): cell.value
        for case, cells in zip(table.cases, table.cells, strict=True)
        for code, cell in zip(table.codes, cells, strict=True)
    }


def test_present_absent_and_not_reported(small: Project) -> None:
    values = _values(analysis.presence(small, ["Medvirkning", "Styring/Initiativ"]))
    assert values[("Fjellbygd", "Medvirkning")] == 1
    assert values[("Nordvik", "Medvirkning")] == 0  # interviewed, never mentioned
    assert values[("Sjøby", "Medvirkning")] is None  # no documents: nothing is known


def test_absent_as_unreported_leaves_silence_empty(small: Project) -> None:
    rule = PresenceRule(absent_as_unreported=True)
    values = _values(analysis.presence(small, ["Medvirkning"], rule))
    assert values[("Nordvik", "Medvirkning")] is None
    assert values[("Fjellbygd", "Medvirkning")] == 1


def test_thresholds_on_codings_speakers_and_share(small: Project) -> None:
    facts = CaseFacts(1, "Nordvik", documents=1, segments=4)
    counts = CaseCodeCounts(codings=3, speakers=1, segments=2)
    assert rule_value(PresenceRule(min_codings=3), counts, facts).value == 1
    assert rule_value(PresenceRule(min_codings=4), counts, facts).value == 0
    assert rule_value(PresenceRule(min_speakers=2), counts, facts).value == 0
    assert rule_value(PresenceRule(min_share=0.5), counts, facts).value == 1
    assert rule_value(PresenceRule(min_share=0.6), counts, facts).share == 0.5
    assert rule_value(PresenceRule(), CaseCodeCounts(), CaseFacts(2, "X", 0, 0)).source == (
        "no-documents"
    )


def test_rollup_makes_a_parent_present_through_its_children(small: Project) -> None:
    values = _values(analysis.presence(small, ["Styring"]))
    assert values[("Fjellbygd", "Styring")] == 1
    assert (
        _values(analysis.presence(small, ["Styring"], rollup=False))[("Fjellbygd", "Styring")] == 0
    )


def test_override_wins_and_says_who_why_and_when(small: Project) -> None:
    analysis.set_presence(
        small, "Nordvik", "Medvirkning", 1, note="Nevnt etter intervjuet", coder="ane"
    )
    analysis.set_presence(small, "Sjøby", "Medvirkning", 0, coder="bo")
    table = analysis.presence(small, ["Medvirkning"])
    cell = table.cells[table.cases.index("Nordvik")][0]
    assert cell.value == 1
    assert cell.source == "override"
    assert cell.override is not None
    assert cell.override.note == "Nevnt etter intervjuet"
    assert cell.override.author == "ane"
    assert cell.override.at
    assert cell.counts.codings == 0  # what the rule saw stays visible
    data = cell.as_json()
    assert data["source"] == "override"
    assert data["author"] == "ane"
    assert table.cells[table.cases.index("Sjøby")][0].value == 0


def test_override_to_not_reported_and_clearing_it(small: Project) -> None:
    analysis.set_presence(small, "Fjellbygd", "Medvirkning", None, note="Uklart", coder="ane")
    table = analysis.presence(small, ["Medvirkning"])
    cell = table.cells[table.cases.index("Fjellbygd")][0]
    assert (cell.value, cell.source) == (None, "override")
    assert analysis.clear_presence(small, "Fjellbygd", "Medvirkning", coder="ane")
    assert not analysis.clear_presence(small, "Fjellbygd", "Medvirkning", coder="ane")
    assert analysis.presence(small, ["Medvirkning"]).cells[0][0].source == "rule"


def test_unknown_code_lists_nearest_matches(small: Project) -> None:
    with pytest.raises(UnknownItem, match="Medvirkning"):
        analysis.presence(small, ["Medvirkn"])


def test_presence_columns_for_qca(small: Project) -> None:
    cases, columns = analysis.presence_columns(small, ["Styringskort", "Medvirkning"])
    assert cases == ["Fjellbygd", "Nordvik", "Sjøby"]
    assert columns == {"Styringskort": [1, 1, None], "Medvirkning": [1, 0, None]}


def test_attribute_condition_with_thresholds(small: Project) -> None:
    small.conn.execute(
        "INSERT INTO attributes(entity_kind, entity_id, name, value) "
        "SELECT 'case', id, 'innbyggere', CASE name WHEN 'Nordvik' THEN '12 500' ELSE '2900' END "
        "FROM cases WHERE name != 'Sjøby'"
    )
    assert analysis.attribute_condition(small, "innbyggere>=8000") == (
        ["Fjellbygd", "Nordvik", "Sjøby"],
        [0, 1, None],
    )
    assert analysis.attribute_condition(small, "storrelse=≤3000")[1] == [1, 0, None]
    with pytest.raises(AnalysisError, match="case attributes: innbyggere, storrelse"):
        analysis.attribute_condition(small, "folketall>1")


def test_parsing_values_and_conditions() -> None:
    assert [parse_presence_value(v) for v in ("1", "0", "-")] == [1, 0, None]
    with pytest.raises(AnalysisError):
        parse_presence_value("kanskje")
    cond = parse_condition("organisering = tonivå")
    assert (cond.attribute, cond.op, cond.value) == ("organisering", "=", "tonivå")
    assert cond.evaluate("Tonivå") == 1
    assert cond.evaluate("trenivå") == 0
    assert parse_condition("innbyggere<=8000").evaluate("8 000") == 1
    with pytest.raises(AnalysisError):
        parse_condition("innbyggere")
    with pytest.raises(AnalysisError, match="not a number"):
        parse_condition("organisering>3").evaluate("tonivå")
