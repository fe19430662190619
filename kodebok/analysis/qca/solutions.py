"""Complex, parsimonious and intermediate solutions with all equally minimal models, as R's minimize()."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kodebok.analysis.qca.fit import Fit, model_fit
from kodebok.analysis.qca.formula import Implicant, condition_bit, term_text
from kodebok.analysis.qca.minimize import (
    MAX_MODELS,
    chart,
    cube_primes,
    minimal_covers,
    qmc_primes,
)
from kodebok.analysis.qca.truth_table import TruthTable
from kodebok.errors import AnalysisError

SOLUTION_KINDS = ("complex", "parsimonious", "intermediate")


@dataclass(frozen=True)
class Model:
    """One minimal model: its terms in R's order, fit, and the remainders it relies on.

    ``simplifying_assumptions`` are the row numbers of remainders inside the model's terms
    (none for a complex model). ``source`` names the complex and parsimonious models an
    intermediate model was derived from (``C1P1``), as R prints it.
    """

    label: str
    terms: tuple[Implicant, ...]
    texts: tuple[str, ...]
    fit: Fit
    terms_fit: tuple[Fit, ...]
    simplifying_assumptions: tuple[int, ...]
    source: str | None = None
    easy_counterfactuals: tuple[int, ...] = ()

    @property
    def formula(self) -> str:
        """The model in R's syntax, terms joined by `` + ``."""
        return " + ".join(self.texts)


@dataclass(frozen=True)
class Solution:
    """All equally minimal models of one kind for the truth table's outcome."""

    kind: str
    truth_table: TruthTable
    models: tuple[Model, ...]

    @property
    def essential(self) -> list[str]:
        """Terms that are in every model (R's essential prime implicants)."""
        if not self.models:
            return []
        common = set(self.models[0].texts).intersection(*(m.texts for m in self.models[1:]))
        return [t for t in self.models[0].texts if t in common]

    def lines(self) -> list[str]:
        """``M1: ...`` lines as R prints them (with ``From C1P1:`` headers for intermediate)."""
        out: list[str] = []
        source = None
        for model in self.models:
            if model.source and model.source != source:
                source = model.source
                out.append(f"From {source}:")
            out.append(f"{model.label}: {model.formula}")
        return out


def _positive_and_negative(tt: TruthTable) -> tuple[list[int], list[int]]:
    positive = tt.configurations("1")
    if not positive:
        raise AnalysisError(
            f"No truth-table row has OUT = 1 for {tt.outcome}, so there is nothing to explain "
            "(check the outcome, or lower --incl-cut or --n-cut)",
            code="qca.solutions.truth_table_row_has",
            tt_outcome=tt.outcome,
        )
    negative = tt.configurations("0") + tt.configurations("C")
    return positive, sorted(negative)


# small: a term of few literals over many conditions holds tens of thousands of configurations
@lru_cache(maxsize=64)
def _cube_members(term: Implicant, n: int) -> frozenset[int]:
    """The configurations inside a term (cached: many models share their terms)."""
    free = ((1 << n) - 1) & ~term.care
    members = []
    sub = free
    while True:
        members.append(term.value | sub)
        if sub == 0:
            return frozenset(members)
        sub = (sub - 1) & free


def _remainders_used(terms: Sequence[Implicant], positive: set[int], n: int) -> list[int]:
    """Configurations inside the terms that are not positive rows (R's simplifying assumptions)."""
    inside: set[int] = set()
    for term in terms:
        inside.update(_cube_members(term, n))
    return sorted(inside - positive)


def _solve(
    primes: Sequence[Implicant], positive: Sequence[int], max_models: int
) -> list[tuple[Implicant, ...]]:
    """All minimal covers of the positive rows; terms covering none of them are left out first."""
    cover = chart(primes, positive)
    useful = [k for k, mask in enumerate(cover) if mask]
    covers = minimal_covers([cover[k] for k in useful], len(positive), max_models)
    return [tuple(primes[useful[k]] for k in combo) for combo in covers]


def _build_models(
    tt: TruthTable,
    term_sets: Sequence[tuple[Implicant, ...]],
    source: str | None = None,
    easy: Sequence[int] = (),
) -> list[Model]:
    conditions = tt.conditions
    positive = set(tt.configurations("1"))
    models = []
    for k, terms in enumerate(term_sets, start=1):
        fit, terms_fit = model_fit(terms, tt.data)
        used = _remainders_used(terms, positive, len(conditions))
        models.append(
            Model(
                label=f"M{k}",
                terms=terms,
                texts=tuple(term_text(t, conditions) for t in terms),
                fit=fit,
                terms_fit=tuple(terms_fit),
                simplifying_assumptions=tuple(c + 1 for c in used),
                source=source,
                easy_counterfactuals=tuple(c + 1 for c in easy),
            )
        )
    return models


def _complex_sets(tt: TruthTable, max_models: int) -> list[tuple[Implicant, ...]]:
    positive, _ = _positive_and_negative(tt)
    return _solve(qmc_primes(positive, len(tt.conditions)), positive, max_models)


def _parsimonious_sets(tt: TruthTable, max_models: int) -> list[tuple[Implicant, ...]]:
    positive, negative = _positive_and_negative(tt)
    if not negative:
        raise AnalysisError(
            f"No truth-table row is negative for {tt.outcome}: with the remainders included "
            "every condition is minimised away (the solution would be the constant 1)",
            code="qca.solutions.truth_table_row_negative",
            tt_outcome=tt.outcome,
        )
    return _solve(cube_primes(positive, negative, len(tt.conditions)), positive, max_models)


def complex_solution(tt: TruthTable, max_models: int = MAX_MODELS) -> Solution:
    """The conservative solution: remainders are treated as negative."""
    return Solution("complex", tt, tuple(_build_models(tt, _complex_sets(tt, max_models))))


def parsimonious_solution(tt: TruthTable, max_models: int = MAX_MODELS) -> Solution:
    """The most parsimonious solution: any remainder may be assumed positive."""
    sets = _parsimonious_sets(tt, max_models)
    return Solution("parsimonious", tt, tuple(_build_models(tt, sets)))


def parse_dir_exp(text: str, conditions: Sequence[str]) -> dict[str, int | None]:
    """Read ``DEV=1,URB=0,LIT=-`` (``-`` = no expectation) into a dict for intermediate solutions."""
    result: dict[str, int | None] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or value not in ("1", "0", "-"):
            raise AnalysisError(
                f"Directional expectation {item!r} should be COND=1, COND=0 or COND=-",
                code="qca.solutions.directional_expectation_should_cond",
                item=repr(item),
            )
        if name not in conditions:
            raise AnalysisError(
                f"Directional expectation for unknown condition {name!r}; "
                f"conditions are {', '.join(conditions)}",
                code="qca.solutions.directional_expectation_unknown_condition",
                name=repr(name),
                conditions=", ".join(conditions),
            )
        result[name] = None if value == "-" else int(value)
    return result


def _intermediate_term(
    comp: Implicant, pars: Implicant, expectations: Mapping[int, int], n: int
) -> Implicant:
    """Drop the complex term's literals that the parsimonious term lacks and that go against
    the directional expectation (easy counterfactuals); keep the rest."""
    care, value = comp.care, comp.value
    for index, expected in expectations.items():
        bit = condition_bit(index, n)
        if comp.care & bit and not pars.care & bit and bool(comp.value & bit) != bool(expected):
            care &= ~bit
            value &= ~bit
    return Implicant(care, value)


def intermediate_solution(
    tt: TruthTable, dir_exp: Mapping[str, int | None], max_models: int = MAX_MODELS
) -> Solution:
    """Intermediate solutions from directional expectations (Ragin & Sonnett), as R derives them.

    For every pair of a complex model Ci and a parsimonious model Pj: each complex term under a
    parsimonious term loses the literals that contradict an expectation; the remainders of Pj
    inside those reduced terms are the easy counterfactuals, and ON rows plus easy
    counterfactuals are minimised like a complex solution. With no expectations (or no
    remainders used) every pair gives the complex models, as in R.
    """
    conditions = tt.conditions
    n = len(conditions)
    unknown = [name for name in dir_exp if name not in conditions]
    if unknown:
        raise AnalysisError(
            f"Directional expectations for unknown conditions: {unknown}",
            code="qca.solutions.directional_expectations_unknown_conditions",
            unknown=unknown,
        )
    expectations = {
        conditions.index(name): value for name, value in dir_exp.items() if value is not None
    }
    complex_sets = _complex_sets(tt, max_models)
    pars_sets = _parsimonious_sets(tt, max_models)
    positive, _ = _positive_and_negative(tt)
    positive_set = set(positive)
    assumptions = [_remainders_used(p, positive_set, n) for p in pars_sets]
    models: list[Model] = []
    for ci, comp_terms in enumerate(complex_sets, start=1):
        for pj, pars_terms in enumerate(pars_sets, start=1):
            source = f"C{ci}P{pj}"
            if not expectations or not any(assumptions):
                models += _build_models(tt, [comp_terms], source)
                continue
            reduced = [
                _intermediate_term(comp, pars, expectations, n)
                for comp in comp_terms
                for pars in pars_terms
                if pars.care & ~comp.care == 0 and comp.value & pars.care == pars.value
            ]
            easy = [c for c in assumptions[pj - 1] if any(t.covers(c) for t in reduced)]
            primes = qmc_primes(positive + easy, n)
            models += _build_models(tt, _solve(primes, positive, max_models), source, easy)
    return Solution("intermediate", tt, tuple(models))


def minimize(
    tt: TruthTable,
    solution: str = "complex",
    dir_exp: Mapping[str, int | None] | None = None,
    max_models: int = MAX_MODELS,
) -> Solution:
    """Minimise a truth table to the chosen kind of solution (complex, parsimonious, intermediate)."""
    if solution == "complex":
        return complex_solution(tt, max_models)
    if solution == "parsimonious":
        return parsimonious_solution(tt, max_models)
    if solution == "intermediate":
        if dir_exp is None:
            raise AnalysisError(
                "An intermediate solution needs directional expectations",
                code="qca.solutions.intermediate_solution_needs_directional",
            )
        return intermediate_solution(tt, dir_exp, max_models)
    raise AnalysisError(
        f"Unknown solution {solution!r}; choose one of {', '.join(SOLUTION_KINDS)}",
        code="qca.solutions.unknown_solution_choose_one",
        solution=repr(solution),
        solution_kinds=", ".join(SOLUTION_KINDS),
    )


def _fit_json(fit: Fit) -> dict[str, float | None]:
    return {"inclS": fit.incl_s, "PRI": fit.pri, "covS": fit.cov_s}


def solution_json(solution: Solution) -> dict[str, Any]:
    """The JSON document of spec/cli.md (plus labels, sources and simplifying assumptions)."""
    tt = solution.truth_table
    models = []
    for model in solution.models:
        entry: dict[str, Any] = {"label": model.label}
        if model.source:
            entry["from"] = model.source
        entry["formula"] = model.formula
        entry["terms"] = list(model.texts)
        entry.update(_fit_json(model.fit))
        entry["terms_fit"] = [
            {"term": text, **_fit_json(fit), "covU": fit.cov_u}
            for text, fit in zip(model.texts, model.terms_fit, strict=True)
        ]
        entry["simplifying_assumptions"] = list(model.simplifying_assumptions)
        if solution.kind == "intermediate":
            entry["easy_counterfactuals"] = list(model.easy_counterfactuals)
        models.append(entry)
    return {
        "solution": solution.kind,
        "outcome": tt.outcome,
        "conditions": list(tt.conditions),
        "incl_cut": list(tt.incl_cut),
        "n_cut": tt.n_cut,
        "models": models,
        "essential": solution.essential,
        "warnings": list(tt.warnings),
    }
