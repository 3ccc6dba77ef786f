"""Analysis of necessity: which conditions (or their absence) every instance of the outcome has.

For each condition ``X`` and, by default, its negation ``~X``:

* ``incl``: consistency of necessity, ``sum(min(X, Y)) / sum(Y)`` (how far ``Y`` is a subset
  of ``X``);
* ``ron``: relevance of necessity (Schneider & Wagemann 2012), ``sum(1-X) / sum(1-min(X, Y))``,
  low for a trivial condition that nearly every case has;
* ``cov``: coverage of necessity, ``sum(min(X, Y)) / sum(X)``.

These are the ``inclN``, ``RoN`` and ``covN`` of R QCA's ``pof(..., relation = "necessity")``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..._checks import require_frame
from .measures import (
    check_memberships,
    necessity_consistency,
    necessity_coverage,
    outcome_membership,
    relevance_of_necessity,
)
from .truth_table import check_conditions

__all__ = ["NECESSITY_COLUMNS", "necessity"]

#: Column order of the table :func:`necessity` returns.
NECESSITY_COLUMNS = ["condition", "incl", "ron", "cov"]


def necessity(
    data: pd.DataFrame,
    *,
    outcome: str,
    conditions: Sequence[str],
    negated: bool = True,
    sort: bool = True,
) -> pd.DataFrame:
    """Consistency, relevance and coverage of each condition as necessary for the outcome.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships, one row per case.
    outcome : str
        The outcome's column; ``"~OUT"`` for its negation.
    conditions : list of str
        The condition columns.
    negated : bool, default True
        Also test the absence of each condition (``~X``).
    sort : bool, default True
        Most consistent first (ties by relevance, then in the order given); ``False`` keeps the
        conditions in the order given, each followed by its negation.

    Returns
    -------
    DataFrame
        Columns ``condition`` (``"X"`` or ``"~X"``), ``incl``, ``ron``, ``cov``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 1, 0], "B": [1, 0, 0, 1], "Y": [1, 1, 0, 0]})
    >>> necessity(d, outcome="Y", conditions=["A", "B"]).round(3)
      condition  incl    ron    cov
    0         A   1.0  0.500  0.667
    1         B   0.5  0.667  0.500
    2        ~B   0.5  0.667  0.500
    3        ~A   0.0  0.750  0.000
    """
    function = "necessity"
    require_frame(data, function)
    names = check_conditions(data, conditions, function)
    _, y = outcome_membership(data, outcome, function=function)
    values = check_memberships(data, names, function=function)
    rows = []
    for name in names:
        x = values[name].to_numpy()
        variants = [(name, x)] + ([(f"~{name}", 1.0 - x)] if negated else [])
        for label, member in variants:
            rows.append(
                {
                    "condition": label,
                    "incl": necessity_consistency(member, y),
                    "ron": relevance_of_necessity(member, y),
                    "cov": necessity_coverage(member, y),
                }
            )
    result = pd.DataFrame(rows, columns=NECESSITY_COLUMNS)
    if sort:
        result = result.sort_values(["incl", "ron"], ascending=False, kind="stable").reset_index(
            drop=True
        )
    return result
