"""Truth table and parsimonious minimisation stay fast at thesis-sized data (12 conditions, 60 cases)."""

from __future__ import annotations

from kodebok.analysis.qca.bench import benchmark_qca, random_data


def test_twelve_conditions_sixty_cases_take_under_two_seconds() -> None:
    for seed in range(3):
        result = benchmark_qca(12, 60, seed)
        assert result["truth_table_s"] + result["parsimonious_s"] < 2.0, result
        assert result["parsimonious_models"] >= 1


def test_the_outcome_rule_is_found_when_the_data_follow_it() -> None:
    from kodebok.analysis.qca import minimize, truth_table

    tt = truth_table(random_data(6, 200, seed=3))
    (model,) = minimize(tt, "parsimonious").models
    assert set(model.texts) == {"C1*C2", "~C3*C4"}
