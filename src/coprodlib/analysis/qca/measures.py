"""Set memberships and the measures of fit of QCA: sufficiency, necessity and their coverage.

A *set* here is a column of membership scores between 0 and 1 (crisp sets hold only 0 and 1).
The negation of a set is ``1 - x``, the intersection of sets their element-wise minimum and the
union their maximum (Ragin 2008). Expressions are written in the notation of the R package QCA
(Dusa 2019): ``*`` for AND, ``+`` for OR and ``~`` for NOT, so ``"DEV*~IND + URB*STB"`` reads
"developed and not industrial, or urban and stable". Condition names are matched exactly (case
matters); ``~`` alone marks absence.

The measures, for a condition (or expression) ``X`` and an outcome ``Y``:

* consistency of sufficiency (inclusion) ``sum(min(X, Y)) / sum(X)``;
* coverage of sufficiency ``sum(min(X, Y)) / sum(Y)``;
* proportional reduction in inconsistency (PRI)
  ``(sum(min(X, Y)) - sum(min(X, Y, 1-Y))) / (sum(X) - sum(min(X, Y, 1-Y)))``;
* consistency of necessity ``sum(min(X, Y)) / sum(Y)`` and its coverage
  ``sum(min(X, Y)) / sum(X)``;
* relevance of necessity (RoN, Schneider & Wagemann 2012)
  ``sum(1 - X) / sum(1 - min(X, Y))``.

A ratio whose denominator is zero is ``nan`` (no evidence either way), never a division error.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import data_label, require_columns, require_frame
from ...errors import DataError, Problem

__all__ = [
    "Literal",
    "parse_expression",
    "format_term",
    "outcome_membership",
    "check_memberships",
    "membership",
    "sufficiency_consistency",
    "sufficiency_coverage",
    "pri",
    "necessity_consistency",
    "necessity_coverage",
    "relevance_of_necessity",
]

#: One literal of a term: the condition's name and whether it is present (``False`` for ``~``).
Literal = tuple[str, bool]

_NAME = re.compile(r"^[^\s*+~()]+$")


def parse_expression(expression: str) -> list[list[Literal]]:
    """A sum-of-products expression as its terms, each a list of ``(name, present)`` literals.

    Parameters
    ----------
    expression : str
        Terms joined by ``+``, literals within a term joined by ``*``, a leading ``~`` for
        absence, e.g. ``"A*~B + C"``.

    Returns
    -------
    list of list of tuple
        One list per term, in the order written.

    Examples
    --------
    >>> parse_expression("DEV*~IND + URB*STB")
    [[('DEV', True), ('IND', False)], [('URB', True), ('STB', True)]]
    """
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError(
            f"expression must be a non-empty string like 'A*~B + C', not {expression!r}"
        )
    terms: list[list[Literal]] = []
    for raw_term in expression.split("+"):
        literals: list[Literal] = []
        for raw in raw_term.split("*"):
            text = raw.strip()
            present = True
            while text.startswith("~"):
                present = not present
                text = text[1:].strip()
            if not _NAME.match(text):
                raise ValueError(
                    f"expression {expression!r}: {raw.strip()!r} is not a condition name; write "
                    "terms like 'A*~B' joined by ' + '"
                )
            literals.append((text, present))
        terms.append(literals)
    return terms


def format_term(literals: Sequence[Literal]) -> str:
    """A term written in R QCA's notation; the empty term (everything) is ``"1"``.

    Examples
    --------
    >>> format_term([("DEV", True), ("IND", False)])
    'DEV*~IND'
    """
    if not literals:
        return "1"
    return "*".join(name if present else f"~{name}" for name, present in literals)


def outcome_membership(data: pd.DataFrame, outcome: str, *, function: str) -> tuple[str, pd.Series]:
    """The outcome's column name (without ``~``) and its membership, negated for ``"~OUT"``."""
    if not isinstance(outcome, str) or not outcome.strip():
        raise TypeError(f"{function}: outcome must name a column, e.g. 'SURV' or '~SURV'")
    name = outcome.strip()
    negated = False
    while name.startswith("~"):
        negated = not negated
        name = name[1:].strip()
    require_columns(data, {"outcome": name})
    values = check_memberships(data, [name], function=function)[name]
    return name, (1.0 - values) if negated else values


def check_memberships(
    data: pd.DataFrame, columns: Sequence[Hashable], *, function: str
) -> pd.DataFrame:
    """The named columns as floats, after checking that each holds scores in [0, 1].

    Raises :class:`~coprodlib.errors.DataError` naming the column, the first offending row
    and value, and what would work (calibrate the raw values first), for text, missing values
    and numbers outside the unit interval.
    """
    require_frame(data, function)
    require_columns(data, {f"column {c!r}": c for c in columns})
    problems = []
    out = {}
    for column in columns:
        raw = data[column]
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna() | (values < 0) | (values > 1)
        if bad.any():
            where = bad[bad].index[0]
            value = raw.loc[where]
            if isinstance(value, pd.Series):  # duplicated index label
                value = value.iloc[0]
            problems.append(
                Problem(
                    file=data_label(data),
                    index=where,
                    column=str(column),
                    value=value,
                    expected=f"{function}: set membership scores between 0 and 1, no missing "
                    "values (calibrate raw values with calibrate_crisp/calibrate_fuzzy first)",
                    kind="not_membership",
                )
            )
            continue
        out[column] = values.astype(float)
    if problems:
        raise DataError(problems)
    return pd.DataFrame(out, index=data.index)


def membership(data: pd.DataFrame, expression: str) -> pd.Series:
    """Each case's membership in a sum-of-products expression (fuzzy AND = min, OR = max).

    Parameters
    ----------
    data : DataFrame
        Calibrated conditions, one row per case.
    expression : str
        For example ``"A*~B + C"``; every name must be a column of ``data``.

    Returns
    -------
    Series
        Named after the expression, indexed like ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [0.9, 0.2], "B": [0.3, 0.6], "C": [0.1, 0.4]})
    >>> membership(d, "A*~B + C").round(2).tolist()
    [0.7, 0.4]
    """
    terms = parse_expression(expression)
    names = list(dict.fromkeys(name for term in terms for name, _ in term))
    values = check_memberships(data, names, function="membership")
    result = np.zeros(len(data))
    for term in terms:
        part = np.ones(len(data))
        for name, present in term:
            column = values[name].to_numpy()
            part = np.minimum(part, column if present else 1.0 - column)
        result = np.maximum(result, part)
    return pd.Series(result, index=data.index, name=expression)


def _arrays(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if xa.shape != ya.shape or xa.ndim != 1:
        raise ValueError(f"x and y must be 1-D and of equal length, not {xa.shape} and {ya.shape}")
    return xa, ya


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def sufficiency_consistency(x: Any, y: Any) -> float:
    """Consistency (inclusion) of ``X`` as sufficient for ``Y``: ``sum(min(X, Y)) / sum(X)``.

    Examples
    --------
    >>> sufficiency_consistency([0.8, 0.6, 0.1], [0.9, 0.4, 0.7])
    0.8666666666666668
    """
    xa, ya = _arrays(x, y)
    return _ratio(np.minimum(xa, ya).sum(), xa.sum())


def sufficiency_coverage(x: Any, y: Any) -> float:
    """Coverage of ``Y`` by a sufficient ``X``: ``sum(min(X, Y)) / sum(Y)``.

    Examples
    --------
    >>> sufficiency_coverage([1, 1, 0, 0], [1, 0, 1, 0])
    0.5
    """
    xa, ya = _arrays(x, y)
    return _ratio(np.minimum(xa, ya).sum(), ya.sum())


def pri(x: Any, y: Any) -> float:
    """Proportional reduction in inconsistency of ``X`` as sufficient for ``Y``.

    The share of ``X``'s consistency that does not also hold for ``~Y``:
    ``(sum(min(X, Y)) - sum(min(X, Y, 1-Y))) / (sum(X) - sum(min(X, Y, 1-Y)))``.

    Examples
    --------
    >>> round(pri([0.8, 0.6, 0.1], [0.9, 0.4, 0.7]), 4)
    0.7778
    """
    xa, ya = _arrays(x, y)
    both = np.minimum(np.minimum(xa, ya), 1.0 - ya).sum()
    return _ratio(np.minimum(xa, ya).sum() - both, xa.sum() - both)


def necessity_consistency(x: Any, y: Any) -> float:
    """Consistency of ``X`` as necessary for ``Y``: ``sum(min(X, Y)) / sum(Y)``.

    Examples
    --------
    >>> necessity_consistency([1, 1, 0], [1, 0, 0])
    1.0
    """
    xa, ya = _arrays(x, y)
    return _ratio(np.minimum(xa, ya).sum(), ya.sum())


def necessity_coverage(x: Any, y: Any) -> float:
    """Coverage of a necessary ``X`` (how trivial it is): ``sum(min(X, Y)) / sum(X)``.

    Examples
    --------
    >>> necessity_coverage([1, 1, 0], [1, 0, 0])
    0.5
    """
    xa, ya = _arrays(x, y)
    return _ratio(np.minimum(xa, ya).sum(), xa.sum())


def relevance_of_necessity(x: Any, y: Any) -> float:
    """Relevance of necessity (Schneider & Wagemann 2012): ``sum(1-X) / sum(1 - min(X, Y))``.

    Near 0 when ``X`` is a trivial necessary condition (nearly every case is in ``X``),
    1 when ``X`` and ``Y`` coincide.

    Examples
    --------
    >>> relevance_of_necessity([1, 1, 0, 0], [1, 0, 0, 0])
    0.6666666666666666
    """
    xa, ya = _arrays(x, y)
    return _ratio((1.0 - xa).sum(), (1.0 - np.minimum(xa, ya)).sum())
