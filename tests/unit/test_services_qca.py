"""services.qca: the one QCA pipeline both front ends call (data table → truth table → solutions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kodebok.errors import AnalysisError
from kodebok.services.coding import code_segment
from kodebok.services.qca import check_solutions, load_data_table, project_qca, run_qca
from kodebok.store import Project
from tests.tui.conftest import CODER, build_project

LC = Path(__file__).resolve().parents[1] / "data" / "qca" / "LC.csv"


def no_project() -> Iterator[Project]:
    raise AssertionError("a table from a file must not open the project")


@pytest.mark.parametrize(
    ("kinds", "dir_exp", "message"),
    [
        (["intermediate"], None, "needs --dir-exp"),
        (["complex"], "DEV=1", "only to --solution intermediate"),
        (["simplest"], None, "no solution 'simplest'"),
    ],
)
def test_the_solution_rules(kinds: list[str], dir_exp: str | None, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        check_solutions(kinds, dir_exp)


def test_a_file_or_the_project_not_both() -> None:
    with pytest.raises(AnalysisError, match="either --from FILE or --conditions"):
        load_data_table(LC, ["DEV"], "SURV", contextmanager(no_project))
    with pytest.raises(AnalysisError, match=r"give --from FILE\.csv, or --conditions"):
        load_data_table(None, None, "SURV", contextmanager(no_project))


def test_a_table_from_a_file_runs_through_to_the_intermediate_solution() -> None:
    data, notes = load_data_table(LC, None, "SURV", contextmanager(no_project))
    assert notes == []
    assert len(data.cases) == 18
    assert data.conditions[0] == "DEV"
    # counted here from the file: cases with the outcome
    rows = LC.read_text(encoding="utf-8").splitlines()[1:]
    assert sum(data.outcome_values) == sum(line.endswith(",1") for line in rows) == 8
    run = run_qca(
        data,
        solutions=["complex", "intermediate"],
        dir_exp="DEV=1,URB=1,LIT=1,IND=1,STB=1",
    )
    assert sum(row.n for row in run.truth.rows) == 18
    complex_, intermediate = run.solutions
    assert (complex_.kind, intermediate.kind) == ("complex", "intermediate")
    assert intermediate.models[0].texts == ("DEV*LIT*STB",)
    negated, _ = load_data_table(LC, None, "SURV", contextmanager(no_project), negate=True)
    assert sum(negated.outcome_values) == 18 - 8


def test_the_project_pipeline_keeps_the_tables_when_minimisation_fails(tmp_path: Path) -> None:
    path = build_project(tmp_path / "p.kodebok")
    with Project.open(path) as project:
        code_segment(project, "nordvik_radmann", 3, "Helhetsperspektiv", coder=CODER)
        # Styringssystem is coded in Nordvik only (by ola): the condition explains it
        run = project_qca(project, ["Helhetsperspektiv"], "Styringssystem")
        assert run.error is None
        assert [m.texts for s in run.solutions for m in s.models] == [
            ("Helhetsperspektiv",),
            ("Helhetsperspektiv",),
        ]
        # no case has the outcome: no solution, but the data and truth tables are there
        failed = project_qca(project, ["Helhetsperspektiv"], "Praksis/Initiering")
    assert failed.error is not None
    assert failed.solutions == []
    assert failed.data.cases == ("Fjellbygd", "Nordvik")
    assert len(failed.truth.rows) == 2
