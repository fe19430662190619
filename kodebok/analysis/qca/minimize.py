"""Boolean minimisation: prime implicants and every minimal cover of the positive rows.

Two prime-implicant searches mirror the two R uses: :func:`qmc_primes` (Quine–McCluskey on
a set of configurations, for complex and intermediate solutions) and :func:`cube_primes`
(terms that avoid the negative rows, remainders free, for parsimonious solutions). Both
return terms in R's order, because R numbers models and lists terms in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import product

from kodebok.analysis.qca.formula import Implicant, condition_bit, minterm, r_order
from kodebok.errors import AnalysisError

MAX_MODELS = 10_000
# nodes of the cover search before giving up (about a few seconds)
MAX_SEARCH_STEPS = 1_000_000
# The parsimonious search works on a bit set with one bit per subset of conditions.
MAX_CUBE_CONDITIONS = 22


def qmc_primes(configurations: Sequence[int], n_conditions: int) -> list[Implicant]:
    """All prime implicants of a set of configurations (classic Quine–McCluskey), in R's order.

    Merging follows R's pass order (pairs in index order, new terms first, unmerged terms after)
    so that :func:`r_order` sees the same incoming order as R does.
    """
    current = [minterm(c, n_conditions) for c in dict.fromkeys(configurations)]
    while len(current) > 1:
        position = {term: k for k, term in enumerate(current)}
        first_pair: dict[Implicant, tuple[int, int]] = {}
        merged = [False] * len(current)
        for i, term in enumerate(current):
            care = term.care
            while care:
                bit = care & -care
                care ^= bit
                j = position.get(Implicant(term.care, term.value ^ bit), -1)
                if j > i:
                    merged[i] = merged[j] = True
                    new = Implicant(term.care & ~bit, term.value & ~bit)
                    if new not in first_pair or (i, j) < first_pair[new]:
                        first_pair[new] = (i, j)
        if not first_pair:
            break
        found = sorted(first_pair, key=first_pair.__getitem__)
        current = found + [t for k, t in enumerate(current) if not merged[k]]
    return [current[k] for k in r_order(current, n_conditions)]


@lru_cache(maxsize=4)
def _with_condition(n_conditions: int) -> tuple[int, ...]:
    """Per condition bit b: a bit set over all 2^n condition subsets, set where the subset has b."""
    size = 1 << n_conditions
    result = []
    for b in range(n_conditions):
        half = 1 << b
        block = ((1 << half) - 1) << half
        repeat = ((1 << size) - 1) // ((1 << (2 * half)) - 1)
        result.append(block * repeat)
    return tuple(result)


def _all_cube_primes(positive: Sequence[int], negative: Sequence[int], n: int) -> set[Implicant]:
    """Every prime implicant that covers a positive configuration and no negative one.

    A term through positive row p avoids negative row q iff its conditions include one where p
    and q differ, so the primes through p are the minimal condition sets hitting every p XOR q.
    Those sets are found for all 2^n subsets at once with integer bit sets (bit S = subset S).
    """
    with_cond = _with_condition(n)
    everything = (1 << (1 << n)) - 1
    primes: set[Implicant] = set()
    for p in positive:
        hitting = everything
        for q in negative:
            diff = p ^ q
            hits = 0
            for b in range(n):
                if diff >> b & 1:
                    hits |= with_cond[b]
            hitting &= hits
        not_minimal = 0
        for b in range(n):
            has_b = with_cond[b]
            not_minimal |= ((hitting & ~has_b) << (1 << b)) & has_b
        minimal = hitting & ~not_minimal
        while minimal:
            low = minimal & -minimal
            minimal ^= low
            care = low.bit_length() - 1
            primes.add(Implicant(care, p & care))
    return primes


def cube_primes(positive: Sequence[int], negative: Sequence[int], n: int) -> list[Implicant]:
    """Prime implicants with remainders as don't-cares, as R's CCubes search reports them.

    R searches by number of literals and stops once a cover exists and two further levels in a
    row brought no new prime implicant; primes beyond that level are not reported, so they are
    dropped here too. The order is R's: discovery order (literals, conditions used, first
    positive row covered), then :func:`r_order`.
    """
    if n > MAX_CUBE_CONDITIONS:
        raise AnalysisError(
            f"Parsimonious minimisation supports up to {MAX_CUBE_CONDITIONS} conditions, got {n}",
            code="qca.too_many_conditions",
            n=n,
            limit=MAX_CUBE_CONDITIONS,
        )
    primes = _all_cube_primes(positive, negative, n)
    rows = list(positive)
    everything = (1 << len(rows)) - 1

    def chart_row(term: Implicant) -> int:
        return sum(1 << r for r, c in enumerate(rows) if term.covers(c))

    by_level: dict[int, list[Implicant]] = {}
    for term in primes:
        by_level.setdefault(term.literals, []).append(term)
    kept: list[Implicant] = []
    covered = 0
    idle_levels = 0
    for level in range(1, n + 1):
        new = by_level.get(level, [])
        kept += new
        for term in new:
            covered |= chart_row(term)
        if kept and covered == everything:
            idle_levels = 0 if new else idle_levels + 1
        if idle_levels > 1:
            break

    def discovery(term: Implicant) -> tuple[int, tuple[int, ...], int]:
        used = tuple(i for i in range(n) if term.care & condition_bit(i, n))
        first = next(r for r, c in enumerate(rows) if term.covers(c))
        return term.literals, used, first

    kept.sort(key=discovery)
    return [kept[k] for k in r_order(kept, n)]


def chart(terms: Sequence[Implicant], rows: Sequence[int]) -> list[int]:
    """The prime-implicant chart: per term, a bit mask of the rows (by position) it covers."""
    return [sum(1 << r for r, c in enumerate(rows) if t.covers(c)) for t in terms]


def minimal_covers(
    cover: Sequence[int],
    n_rows: int,
    max_models: int = MAX_MODELS,
    max_steps: int = MAX_SEARCH_STEPS,
) -> list[tuple[int, ...]]:
    """Every smallest set of chart rows (terms) covering all columns, as R's solveChart finds them.

    Returns index tuples in ascending order, the list sorted like R's enumeration of
    combinations. Terms covering the same columns are searched once and expanded at the end.
    Branch and bound: branch on the column with the fewest candidates, each branch forbidding
    the candidates tried before it (so every cover is met once), pruned by a lower bound from
    columns that share no candidate. A chart too large to search raises AnalysisError.
    """
    target = (1 << n_rows) - 1
    reachable = 0
    for mask in cover:
        reachable |= mask
    if reachable & target != target:
        raise AnalysisError(
            "The positive rows cannot be covered by the prime implicants", code="qca.no_cover"
        )
    if n_rows == 0:
        return [()]
    groups: dict[int, list[int]] = {}
    for t, mask in enumerate(cover):
        if mask & target:
            groups.setdefault(mask & target, []).append(t)
    masks = list(groups)
    search = _CoverSearch(masks, n_rows, max_steps)
    size = max(1, search.lower_bound(search.target, search.everyone))
    while not search.run(search.target, search.everyone, size, None):
        size += 1
    found: list[tuple[int, ...]] = []
    search.run(search.target, search.everyone, size, found)
    total = 0
    for combo in found:
        count = 1
        for k in combo:
            count *= len(groups[masks[k]])
        total += count
    if total > max_models:
        raise AnalysisError(
            f"{total} equally minimal models (more than {max_models}); the data do not "
            "support a readable solution (use fewer conditions or more cases)",
            code="qca.too_many_models",
            n=total,
            limit=max_models,
        )
    models = [
        tuple(sorted(choice))
        for combo in found
        for choice in product(*(groups[masks[k]] for k in combo))
    ]
    return sorted(models)


class _CoverSearch:
    """Depth-first search over a prime-implicant chart held as integer bit masks."""

    def __init__(self, cover: Sequence[int], n_rows: int, max_steps: int) -> None:
        self.cover = list(cover)
        self.everyone = (1 << len(cover)) - 1
        self.steps_left = max_steps
        self.size_text = f"{len(cover)} distinct prime implicants for {n_rows} positive rows"
        # per column: the terms covering it, as a bit mask over term indices
        column_terms = [0] * n_rows
        for t, mask in enumerate(cover):
            rest = mask
            while rest:
                low = rest & -rest
                rest ^= low
                column_terms[low.bit_length() - 1] |= 1 << t
        self.column_terms = column_terms
        # a column whose candidates include all of another column's is covered whenever that
        # one is, so only the other needs to be searched (the set of covers stays the same)
        self.target = 0
        for c, terms in enumerate(column_terms):
            dominated = any(
                d != c and other & terms == other and (other != terms or d < c)
                for d, other in enumerate(column_terms)
            )
            if not dominated:
                self.target |= 1 << c
        self.scarce_first = sorted(
            ((1 << c, terms) for c, terms in enumerate(column_terms) if self.target >> c & 1),
            key=lambda item: item[1].bit_count(),
        )

    def lower_bound(self, uncovered: int, allowed: int, stop: int = 1 << 30) -> int:
        """Columns whose candidate terms are pairwise disjoint each need their own term.

        Columns are tried scarcest first (fixed order), which finds more disjoint ones; the
        count stops early once it exceeds ``stop``.
        """
        bound, used = 0, 0
        for bit, terms in self.scarce_first:
            if uncovered & bit:
                terms &= allowed
                if not terms:
                    return 1 << 30
                if not terms & used:
                    bound += 1
                    if bound > stop:
                        return bound
                    used |= terms
        return bound

    def _last_term(
        self,
        uncovered: int,
        allowed: int,
        found: list[tuple[int, ...]] | None,
        chosen: tuple[int, ...],
    ) -> bool:
        """With one term left, the covers are the allowed terms that cover all that is left."""
        low = uncovered & -uncovered
        candidates = self.column_terms[low.bit_length() - 1] & allowed
        any_found = False
        while candidates:
            bit = candidates & -candidates
            candidates ^= bit
            t = bit.bit_length() - 1
            if self.cover[t] & uncovered == uncovered:
                any_found = True
                if found is None:
                    return True
                self.run(0, allowed, 0, found, (*chosen, t))
        return any_found

    def run(
        self,
        uncovered: int,
        allowed: int,
        room: int,
        found: list[tuple[int, ...]] | None,
        chosen: tuple[int, ...] = (),
    ) -> bool:
        """Look for covers with at most ``room`` more terms; collect them all into ``found``,
        or (with ``found`` None) stop at the first. Returns whether one was found."""
        self.steps_left -= 1
        if self.steps_left < 0:
            raise AnalysisError(
                f"The prime implicant chart is too large to list every minimal model "
                f"({self.size_text}); use fewer conditions, more cases or a higher --n-cut",
                code="qca.minimize.prime_implicant_chart_too",
                size_text=self.size_text,
            )
        if not uncovered:
            if found is not None:
                found.append(tuple(sorted(chosen)))
            return True
        if room <= 0 or self.lower_bound(uncovered, allowed, room) > room:
            return False
        if room == 1:
            return self._last_term(uncovered, allowed, found, chosen)
        best = 0
        best_count = 1 << 30
        rest = uncovered
        while rest:
            low = rest & -rest
            rest ^= low
            terms = self.column_terms[low.bit_length() - 1] & allowed
            count = terms.bit_count()
            if count < best_count:
                best, best_count = terms, count
                if count <= 1:
                    break
        any_found = False
        while best:
            low = best & -best
            best ^= low
            t = low.bit_length() - 1
            if self.run(uncovered & ~self.cover[t], allowed, room - 1, found, (*chosen, t)):
                any_found = True
                if found is None:
                    return True
            allowed &= ~low
        return any_found
