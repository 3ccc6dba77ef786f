"""The cases behind a solution: which are typical of it and which deviate from it.

A QCA result is read back into the cases (Schneider & Rohlfing 2013). Against a solution term
``S`` and the outcome ``Y`` every case falls in one of four groups, by which side of 0.5 its
memberships lie on:

* ``typical``: in ``S`` and in ``Y`` (the cases the solution explains);
* ``deviant_consistency``: in ``S`` but not in ``Y`` (the solution says the outcome should be
  there and it is not; these cases lower its consistency);
* ``deviant_coverage``: in ``Y`` but not in ``S`` (the outcome comes about otherwise; these
  lower its coverage);
* ``irrelevant``: in neither.

A membership of exactly 0.5 is on no side: such a case is ``ambiguous``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._checks import require_frame
from .measures import membership, outcome_membership

__all__ = ["CASE_TYPES", "CASE_TYPE_LABELS", "solution_cases"]

#: The groups of :func:`solution_cases`, in the order a table lists them.
CASE_TYPES = ("typical", "deviant_consistency", "deviant_coverage", "irrelevant", "ambiguous")
#: Each group in words, as tables, figures and sentences name it.
CASE_TYPE_LABELS = {
    "typical": "typical",
    "deviant_consistency": "deviant for consistency",
    "deviant_coverage": "deviant for coverage",
    "irrelevant": "neither",
    "ambiguous": "on a crossover",
}


def solution_cases(data: pd.DataFrame, *, expression: str, outcome: str) -> pd.DataFrame:
    """Each case's membership in a solution and in the outcome, and its type.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships, one row per case (the index names the cases).
    expression : str
        A solution or one of its paths, e.g. ``"A*~B + C"`` (the ``expression`` or ``term``
        column of :func:`coprodlib.minimize`).
    outcome : str
        The outcome's column; ``"~OUT"`` for its absence.

    Returns
    -------
    DataFrame
        Indexed like ``data``, columns ``solution`` (the case's membership in
        ``expression``), ``outcome`` (in the outcome) and ``case_type`` (one of
        :data:`CASE_TYPES`), sorted by type in that order, then by case.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0], "Y": [1, 0, 1, 0]}, index=["w", "x", "y", "z"])
    >>> solution_cases(d, expression="A", outcome="Y")["case_type"].to_dict()
    {'w': 'typical', 'x': 'deviant_consistency', 'y': 'deviant_coverage', 'z': 'irrelevant'}
    """
    require_frame(data, "solution_cases")
    _, y = outcome_membership(data, outcome, function="solution_cases")
    s = membership(data, expression).to_numpy(dtype=float)
    yv = y.to_numpy(dtype=float)
    kinds = np.select(
        [
            (s == 0.5) | (yv == 0.5),
            (s > 0.5) & (yv > 0.5),
            (s > 0.5) & (yv < 0.5),
            (s < 0.5) & (yv > 0.5),
        ],
        ["ambiguous", "typical", "deviant_consistency", "deviant_coverage"],
        default="irrelevant",
    )
    out = pd.DataFrame({"solution": s, "outcome": yv, "case_type": kinds}, index=data.index)
    order = out["case_type"].map({k: i for i, k in enumerate(CASE_TYPES)})
    by_case = pd.Series(out.index.astype(str), index=out.index)
    return out.assign(_o=order, _c=by_case).sort_values(["_o", "_c"]).drop(columns=["_o", "_c"])
