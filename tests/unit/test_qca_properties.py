"""Properties of minimisation on small random truth tables (hypothesis)."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from kodebok.analysis.qca import DataTable, minimize, truth_table
from kodebok.analysis.qca.formula import Implicant, r_order
from kodebok.analysis.qca.minimize import chart, cube_primes, minimal_covers, qmc_primes


@st.composite
def small_tables(draw: st.DrawFn) -> tuple[int, list[int], list[int]]:
    """A number of conditions (1–5) and disjoint positive and negative configurations."""
    n = draw(st.integers(1, 5))
    labels = draw(st.lists(st.sampled_from("10?"), min_size=2**n, max_size=2**n))
    positive = [c for c, lab in enumerate(labels) if lab == "1"]
    negative = [c for c, lab in enumerate(labels) if lab == "0"]
    return n, positive, negative


def _all_implicants(n: int, allowed: set[int]) -> list[Implicant]:
    """Every term (not only primes) whose configurations are all allowed."""
    terms = []
    for care in range(2**n):
        for value in range(2**n):
            if value & ~care:
                continue
            term = Implicant(care, value)
            if all(c in allowed for c in range(2**n) if term.covers(c)):
                terms.append(term)
    return terms


def _smallest_cover_by_brute_force(terms: list[Implicant], positive: list[int]) -> int:
    """Exhaustive search over all implicants: any cover holds a term through the first row
    still uncovered, so trying each such term in turn misses no cover."""

    def exists(uncovered: list[int], room: int) -> bool:
        if not uncovered:
            return True
        if room == 0:
            return False
        through = [t for t in terms if t.covers(uncovered[0])]
        return any(exists([p for p in uncovered if not t.covers(p)], room - 1) for t in through)

    size = 0
    while not exists(positive, size):
        size += 1
    return size


def _check_models(
    n: int, positive: list[int], negative: list[int], primes: list[Implicant], forbidden: set[int]
) -> None:
    covers = minimal_covers(chart(primes, positive), len(positive))
    assert covers, "a cover always exists"
    allowed = set(range(2**n)) - forbidden
    best = _smallest_cover_by_brute_force(_all_implicants(n, allowed), positive)
    for combo in covers:
        model = [primes[k] for k in combo]
        assert all(any(t.covers(p) for t in model) for p in positive)
        assert not any(t.covers(q) for t in model for q in forbidden)
        assert len(model) == best
    assert covers == sorted(set(covers))


@settings(max_examples=150, deadline=None)
@given(small_tables())
def test_parsimonious_models_cover_every_positive_row_no_negative_and_are_smallest(
    table: tuple[int, list[int], list[int]],
) -> None:
    n, positive, negative = table
    if not positive or not negative:
        return
    primes = cube_primes(positive, negative, n)
    _check_models(n, positive, negative, primes, set(negative))


@settings(max_examples=150, deadline=None)
@given(small_tables())
def test_complex_models_cover_every_positive_row_and_nothing_else_and_are_smallest(
    table: tuple[int, list[int], list[int]],
) -> None:
    n, positive, _ = table
    if not positive:
        return
    primes = qmc_primes(positive, n)
    _check_models(n, positive, [], primes, set(range(2**n)) - set(positive))


@settings(max_examples=100, deadline=None)
@given(small_tables())
def test_every_minimal_cover_is_listed(table: tuple[int, list[int], list[int]]) -> None:
    n, positive, negative = table
    if not positive or not negative:
        return
    primes = cube_primes(positive, negative, n)
    cover = chart(primes, positive)
    found = set(minimal_covers(cover, len(positive)))
    size = len(next(iter(found)))
    target = (1 << len(positive)) - 1
    everything = set()
    for combo in combinations(range(len(primes)), size):
        mask = 0
        for k in combo:
            mask |= cover[k]
        if mask == target:
            everything.add(combo)
    assert found == everything


@settings(max_examples=100, deadline=None)
@given(small_tables())
def test_r_order_is_a_permutation(table: tuple[int, list[int], list[int]]) -> None:
    n, positive, _ = table
    primes = qmc_primes(positive, n) if positive else []
    assert sorted(r_order(primes, n)) == list(range(len(primes)))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.data())
def test_solution_fit_is_perfect_without_contradictions(n: int, data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.integers(0, 2**n - 1), min_size=2, max_size=12))
    outcome_of = {c: data.draw(st.integers(0, 1)) for c in set(rows)}
    if len(set(outcome_of.values())) < 2:
        return
    table = DataTable(
        cases=tuple(f"K{k}" for k in range(len(rows))),
        conditions=tuple(f"C{i}" for i in range(n)),
        outcome="Y",
        values=tuple(tuple(int(b) for b in format(c, f"0{n}b")) for c in rows),
        outcome_values=tuple(outcome_of[c] for c in rows),
    )
    tt = truth_table(table)
    for kind in ("complex", "parsimonious"):
        for model in minimize(tt, kind).models:
            assert model.fit.incl_s == 1.0
            assert model.fit.cov_s == 1.0
