"""Boolean minimisation: Quine-McCluskey prime implicants and an exact prime implicant chart.

A *term* (implicant) is a tuple with one entry per condition: ``1`` the condition present,
``0`` absent, ``-1`` free (the condition does not appear). A *minterm* is a term without free
entries: one corner of the truth table. A term covers a minterm when they agree on every entry
the term fixes.

:func:`prime_implicants` merges terms that differ in exactly one fixed entry until nothing
merges (Quine 1952, McCluskey 1956); what never merged is prime. :func:`minimal_covers` then
solves the prime implicant chart exactly: the essential primes (the only cover of some
minterm) are in every solution, and every smallest set of further primes that covers the rest
is listed, so that a chart with ties gives several models, as R QCA does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .measures import format_term

__all__ = [
    "Term",
    "prime_implicants",
    "covers",
    "minimal_covers",
    "term_literals",
    "term_text",
    "term_order",
    "model_order",
    "boolean_minimize",
    "MAX_COMBINATIONS",
    "DENSE_CONDITIONS",
]

Term = tuple[int, ...]

#: The most branches the exact search of a prime implicant chart may visit.
MAX_COMBINATIONS = 2_000_000
#: Up to this many conditions, :func:`prime_implicants` may work on an array of all 3**k
#: terms (16 conditions: 43 million cells, about 0.6 GB at the peak).
DENSE_CONDITIONS = 16


def prime_implicants(
    minterms: Iterable[Sequence[int]], *, covering: Iterable[Sequence[int]] | None = None
) -> list[Term]:
    """The prime implicants of a set of minterms (0/1 patterns), in :func:`term_order`.

    With ``covering``, only the primes that cover at least one of those minterms (the
    positive configurations, when remainders are among ``minterms``).

    Up to :data:`DENSE_CONDITIONS` conditions, and when the minterms are many (an eighth of
    all corners or more, or any number up to 10 conditions), every term is looked at at once
    (see :func:`_dense_primes`); otherwise terms are merged pairwise as Quine and McCluskey
    did. Both give the same primes.

    Examples
    --------
    >>> prime_implicants([(0, 1), (1, 1), (1, 0)])
    [(1, -1), (-1, 1)]
    >>> prime_implicants([(0, 1), (1, 1), (1, 0)], covering=[(0, 1)])
    [(-1, 1)]
    """
    current = {tuple(int(v) for v in m) for m in minterms}
    wanted = None if covering is None else {tuple(int(v) for v in m) for m in covering}
    if not current or wanted is not None and not wanted:
        return []
    k = len(next(iter(current)))
    if any(len(m) != k or not set(m) <= {0, 1} for m in current | (wanted or set())):
        raise ValueError("prime_implicants: minterms must be 0/1 patterns of one length")
    # the array costs 3**k whatever the minterms: worth it when they are many (the
    # remainders of a parsimonious solution), not for a few positive rows
    if k <= DENSE_CONDITIONS and (k <= 10 or 8 * len(current) >= 2**k):
        return sorted(_dense_primes(current, k, wanted), key=term_order)
    primes = _merged_primes(current)
    if wanted is not None:
        primes = {p for p in primes if any(covers(p, m) for m in wanted)}
    return sorted(primes, key=term_order)


def _dense_primes(minterms: set[Term], k: int, covering: set[Term] | None) -> list[Term]:
    """The primes from an array with one cell per term (3**k): along each condition, index 0
    is absent, 1 present and 2 free. Summing the 0 and 1 cells into the 2 cell, one condition
    after another, gives every term the number of minterms it covers; a term is an implicant
    when that is all of its 2**free corners, and prime when freeing any fixed condition makes
    it none."""
    import numpy as np

    def at(axis: int, value: int) -> tuple[slice, ...]:  # the cells with this entry there
        index = [slice(None)] * k
        index[axis] = slice(value, value + 1)
        return tuple(index)

    def covered(patterns: set[Term]) -> np.ndarray:
        count = np.zeros((3,) * k, dtype=np.int32)
        count[tuple(np.array(sorted(patterns), dtype=np.intp).T)] = 1
        for axis in range(k):
            count[at(axis, 2)] = count[at(axis, 0)] + count[at(axis, 1)]
        return count

    n = covered(minterms)
    free = sum(
        (np.arange(3) == 2).astype(np.int32).reshape((1,) * a + (3,) + (1,) * (k - a - 1))
        for a in range(k)
    )
    implicant = n == (1 << free)
    prime = implicant.copy()
    for axis in range(k):
        freed = implicant[at(axis, 2)]  # the term with this condition left free
        prime[at(axis, 0)] &= ~freed
        prime[at(axis, 1)] &= ~freed
    if covering is not None:
        prime &= covered(covering) > 0
    return [tuple(-1 if v == 2 else int(v) for v in row) for row in np.argwhere(prime)]


def _merged_primes(current: set[Term]) -> set[Term]:
    """Quine-McCluskey: merge terms that differ in one fixed entry until nothing merges."""
    primes: set[Term] = set()
    while current:
        merged: set[Term] = set()
        used: set[Term] = set()
        for term in current:
            for i, value in enumerate(term):
                if value == -1:
                    continue
                partner = term[:i] + (1 - value,) + term[i + 1 :]
                if partner in current:
                    merged.add(term[:i] + (-1,) + term[i + 1 :])
                    used.add(term)
        primes |= current - used
        current = merged
    return primes


def covers(term: Sequence[int], minterm: Sequence[int]) -> bool:
    """Whether ``term`` covers ``minterm`` (agrees on every entry it fixes).

    Examples
    --------
    >>> covers((1, -1), (1, 0)), covers((1, -1), (0, 0))
    (True, False)
    """
    return all(t == -1 or t == m for t, m in zip(term, minterm, strict=True))


def term_literals(term: Sequence[int]) -> int:
    """The number of conditions a term fixes."""
    return sum(1 for v in term if v != -1)


def term_order(term: Sequence[int]) -> tuple:
    """Sort key of terms: fewer literals first, then condition by condition present, absent,
    free (the order in which R QCA prints the terms of a model)."""
    rank = {1: 0, 0: 1, -1: 2}
    return (term_literals(term), tuple(rank[v] for v in term))


def model_order(model: Sequence[Term]) -> tuple:
    """Sort key of models: fewer literals in all, then fewer terms, then their terms."""
    return (sum(term_literals(t) for t in model), len(model), [term_order(t) for t in model])


def term_text(term: Sequence[int], conditions: Sequence[str]) -> str:
    """A term in R QCA's notation, ``"1"`` for the term that fixes nothing.

    Examples
    --------
    >>> term_text((1, -1, 0), ["A", "B", "C"])
    'A*~C'
    """
    return format_term(
        [(name, v == 1) for name, v in zip(conditions, term, strict=True) if v != -1]
    )


def minimal_covers(primes: Sequence[Term], minterms: Iterable[Sequence[int]]) -> list[list[Term]]:
    """Every smallest set of ``primes`` that covers all ``minterms``, each in term order.

    Parameters
    ----------
    primes : sequence of terms
        The candidate implicants (rows of the chart).
    minterms : iterable of 0/1 patterns
        The configurations to explain (columns of the chart).

    Returns
    -------
    list of list of terms
        The models, in :func:`model_order`; ``[[]]`` when there is nothing to cover.

    Raises
    ------
    ValueError
        When a minterm is covered by no prime, or the exact search would visit more than
        :data:`MAX_COMBINATIONS` branches.

    Examples
    --------
    >>> minimal_covers([(1, -1), (-1, 1), (0, -1)], [(1, 1), (0, 1)])
    [[(-1, 1)]]
    """
    columns = [tuple(int(v) for v in m) for m in minterms]
    if not columns:
        return [[]]
    rows = [tuple(p) for p in primes]
    masks = [sum(1 << j for j, m in enumerate(columns) if covers(p, m)) for p in rows]
    options = [[i for i, mask in enumerate(masks) if mask >> j & 1] for j in range(len(columns))]
    missing = [columns[j] for j, who in enumerate(options) if not who]
    if missing:
        raise ValueError(f"minimal_covers: no prime implicant covers {missing[0]}")
    essential = sorted({who[0] for who in options if len(who) == 1})
    done = 0
    for i in essential:
        done |= masks[i]
    rest = ((1 << len(columns)) - 1) & ~done
    found = _smallest_covers(masks, options, rest)
    models = [sorted((rows[i] for i in essential + combo), key=term_order) for combo in found]
    return sorted(models, key=model_order)


def _smallest_covers(masks: list[int], options: list[list[int]], rest: int) -> list[list[int]]:
    """All covers of the bits in ``rest`` by the fewest masks: a branch and bound that always
    branches on the uncovered column with the fewest primes able to cover it."""
    widest = max((bin(m & rest).count("1") for m in masks), default=1) or 1
    best = [bin(rest).count("1")]  # one prime per column always suffices
    found: set[frozenset[int]] = set()
    visits = [0]

    def search(chosen: tuple[int, ...], uncovered: int) -> None:
        visits[0] += 1
        if visits[0] > MAX_COMBINATIONS:
            raise ValueError(
                "minimal_covers: the prime implicant chart is too large for an exact search; "
                "use fewer conditions or a higher n_cut"
            )
        if not uncovered:
            if len(chosen) < best[0]:
                best[0] = len(chosen)
                found.clear()
            found.add(frozenset(chosen))
            return
        if len(chosen) + -(-bin(uncovered).count("1") // widest) > best[0]:
            return
        column = min(
            (j for j in range(uncovered.bit_length()) if uncovered >> j & 1),
            key=lambda j: len(options[j]),
        )
        for i in options[column]:
            search((*chosen, i), uncovered & ~masks[i])

    search((), rest)
    return sorted(sorted(c) for c in found)


def boolean_minimize(
    positives: Iterable[Sequence[int]],
    *,
    conditions: Sequence[str],
    dont_cares: Iterable[Sequence[int]] = (),
) -> list[str]:
    """The minimal sums of products of a Boolean function, as expressions.

    Parameters
    ----------
    positives : iterable of 0/1 patterns
        The configurations where the function is 1 (each as long as ``conditions``).
    conditions : sequence of str
        Names of the conditions, in the order of the patterns.
    dont_cares : iterable of 0/1 patterns, optional
        Configurations that may be used to simplify but need not be covered (in QCA: the
        logical remainders of the parsimonious solution).

    Returns
    -------
    list of str
        One expression per minimal model, e.g. ``["A*~B + C"]``.

    Examples
    --------
    >>> boolean_minimize([(1, 0, 0), (1, 0, 1), (1, 1, 1)], conditions=["A", "B", "C"])
    ['A*~B + A*C']
    >>> boolean_minimize([(1, 0, 0), (1, 0, 1), (1, 1, 1)], conditions=["A", "B", "C"],
    ...                  dont_cares=[(1, 1, 0)])
    ['A']
    """
    names = list(conditions)
    pos = [tuple(int(v) for v in p) for p in positives]
    dc = [tuple(int(v) for v in p) for p in dont_cares]
    for pattern in pos + dc:
        if len(pattern) != len(names) or any(v not in (0, 1) for v in pattern):
            raise ValueError(
                f"boolean_minimize: {pattern} is not a 0/1 pattern of {len(names)} conditions"
            )
    if not pos:
        raise ValueError("boolean_minimize: there is no positive configuration to explain")
    primes = [p for p in prime_implicants(pos + dc) if any(covers(p, m) for m in pos)]
    return [" + ".join(term_text(t, names) for t in model) for model in minimal_covers(primes, pos)]
