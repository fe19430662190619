"""Thesis-sized QCA data (12 conditions, 60 cases) is minimised; how fast is ``kodebok bench``'s
qca stage (limit 2 s), not an assertion here that a busy machine makes flaky."""

from __future__ import annotations

from kodebok.analysis.qca import complex_solution, minimize, parsimonious_solution, truth_table
from kodebok.analysis.qca.bench import benchmark_qca, random_data


def test_twelve_conditions_sixty_cases_are_minimised() -> None:
    for seed in range(3):
        data = random_data(12, 60, seed)
        tt = truth_table(data)
        # every case lies in one configuration, and configurations are at most the cases
        assert sum(row.n for row in tt.rows) == len(data.cases) == 60
        pars = parsimonious_solution(tt)
        assert pars.models
        assert complex_solution(tt).models
        result = benchmark_qca(12, 60, seed)
        assert result["parsimonious_models"] == len(pars.models)


def test_the_outcome_rule_is_found_when_the_data_follow_it() -> None:
    tt = truth_table(random_data(6, 200, seed=3))
    (model,) = minimize(tt, "parsimonious").models
    assert set(model.texts) == {"C1*C2", "~C3*C4"}
