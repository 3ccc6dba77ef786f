"""The truth table of QCA: every configuration of the conditions, its cases and its verdict.

With ``k`` conditions there are ``2**k`` configurations (the corners of the property space).
A case belongs to the corner where its membership is above 0.5, which for crisp sets is simply
its row of 0s and 1s; a case with a membership of exactly 0.5 in some condition belongs to no
corner and is left out with a warning (R QCA does the same).

For each corner ``r`` with membership ``m_r = min`` over the conditions of ``x`` (present) or
``1 - x`` (absent), over *all* cases:

* ``n``: the cases in the corner;
* ``incl``: consistency of the corner as sufficient for the outcome,
  ``sum(min(m_r, Y)) / sum(m_r)``;
* ``pri``: proportional reduction in inconsistency (see :func:`.measures.pri`);
* ``out``, the verdict, following R QCA's ``truthTable()``: ``"?"`` for a logical remainder
  (fewer than ``n_cut`` cases); else ``"1"`` when ``incl >= incl_cut`` and ``pri >= pri_cut``;
  ``"C"`` (contradiction) when a second, lower cut is given, ``incl_cut=(0.9, 0.7)``, and
  ``0.7 <= incl < 0.9``; else ``"0"``. With one cut there are no ``"C"`` rows: a crisp row
  whose cases disagree has ``incl < 1`` and is ``"0"`` under the default crisp cut of 1.
  Comparisons allow a tolerance of 1e-10, so a consistency printed as 0.8 passes a cut of 0.8.

The row label ``row`` is the corner's number as R QCA numbers it: 1 + the binary number the
0/1 pattern spells, the first condition being the most significant digit.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import data_label, require_columns, require_frame
from ...errors import fail
from .measures import check_memberships, outcome_membership

__all__ = [
    "TRUTH_TABLE_COLUMNS",
    "truth_table",
    "corner_memberships",
    "case_labels",
    "check_conditions",
    "parse_cuts",
]

#: Columns after the conditions, in order.
TRUTH_TABLE_COLUMNS = ["out", "n", "incl", "pri", "cases"]

#: Tolerance of the cut comparisons (R QCA's ``agteb``).
TOLERANCE = 1e-10

#: Conditions above this make ``2**k`` corners too many to list.
MAX_CONDITIONS = 16


def parse_cuts(incl_cut: Any) -> tuple[float, float]:
    """``(cut for 1, lower cut for C)`` from ``incl_cut`` (a number or a pair)."""
    cuts = list(incl_cut) if isinstance(incl_cut, (list, tuple)) else [incl_cut]
    if not 1 <= len(cuts) <= 2 or any(
        isinstance(c, bool) or not isinstance(c, (int, float)) or not 0 <= c <= 1 for c in cuts
    ):
        raise ValueError(
            f"incl_cut must be a number between 0 and 1, or a pair (cut for '1', cut for 'C'), "
            f"not {incl_cut!r}"
        )
    ic1 = float(cuts[0])
    ic0 = float(cuts[1]) if len(cuts) == 2 else ic1
    if ic0 > ic1:
        raise ValueError(f"incl_cut: the second cut ({ic0}) must not exceed the first ({ic1})")
    return ic1, ic0


def case_labels(data: pd.DataFrame, case_column: Hashable | None) -> list[str]:
    """Case names as text: the values of ``case_column``, else the index."""
    if case_column is None:
        return [str(v) for v in data.index]
    require_columns(data, {"case_column": case_column})
    return [str(v) for v in data[case_column]]


def corner_memberships(values: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """Memberships (cases x corners) of each case in each 0/1 pattern (corners x conditions)."""
    present = values[:, None, :]
    chosen = np.where(patterns[None, :, :] == 1, present, 1.0 - present)
    return chosen.min(axis=2)


def check_conditions(data: pd.DataFrame, conditions: Sequence[str], function: str) -> list[str]:
    """The condition names as a list, checked: present, distinct, not too many; and the
    data has at least one case."""
    if isinstance(conditions, str) or not isinstance(conditions, Sequence) or not conditions:
        raise TypeError(f"{function}: conditions must be a list of column names, e.g. ['A', 'B']")
    names = list(conditions)
    if len(set(names)) != len(names):
        raise ValueError(f"{function}: conditions name a column twice: {names}")
    if len(names) > MAX_CONDITIONS:
        raise ValueError(
            f"{function}: {len(names)} conditions give 2**{len(names)} configurations; "
            f"at most {MAX_CONDITIONS} are supported"
        )
    require_columns(data, {f"conditions[{i}]": c for i, c in enumerate(names)})
    if len(data) == 0:
        raise fail(data_label(data), f"{function}: at least one case (row)", kind="empty")
    return names


def truth_table(
    data: pd.DataFrame,
    *,
    outcome: str,
    conditions: Sequence[str],
    incl_cut: float | tuple[float, float] = 0.8,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    case_column: Hashable | None = None,
    complete: bool = False,
) -> pd.DataFrame:
    """The truth table of calibrated data: one row per configuration present.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships (crisp 0/1 or fuzzy in [0, 1]), one row per case.
    outcome : str
        The outcome's column; ``"~OUT"`` analyses its negation.
    conditions : list of str
        The condition columns, in the order of the table.
    incl_cut : float or (float, float), default 0.8
        Consistency needed for ``out = "1"``; a pair ``(c1, c0)`` also marks
        ``c0 <= incl < c1`` as contradictions ``"C"``. Use 1 for crisp data as R QCA does.
    n_cut : int, default 1
        Cases a configuration needs to be rated; with fewer it is a logical remainder
        (``out = "?"``).
    pri_cut : float, default 0
        PRI needed, besides ``incl_cut``, for ``out = "1"``.
    case_column : str, optional
        The column of case names; by default the index.
    complete : bool, default False
        Also list the corners without cases (``n = 0``, ``incl`` and ``pri`` missing).

    Returns
    -------
    DataFrame
        Indexed by ``row`` (R QCA's corner number), columns: the conditions (0/1), then
        ``out`` (``"1"``, ``"0"``, ``"C"`` or ``"?"``), ``n``, ``incl``, ``pri`` and
        ``cases`` (names joined by ``", "``). ``attrs`` records the outcome and the cuts.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0], "B": [1, 0, 1, 1], "Y": [1, 1, 0, 1]},
    ...                  index=["w", "x", "y", "z"])
    >>> truth_table(d, outcome="Y", conditions=["A", "B"], incl_cut=1)  # doctest: +NORMALIZE_WHITESPACE
         A  B out  n  incl  pri cases
    row
    2    0  1   0  2   0.5  0.5  y, z
    3    1  0   1  1   1.0  1.0     x
    4    1  1   1  1   1.0  1.0     w
    """
    function = "truth_table"
    require_frame(data, function)
    names = check_conditions(data, conditions, function)
    ic1, ic0 = parse_cuts(incl_cut)
    if isinstance(n_cut, bool) or not isinstance(n_cut, (int, np.integer)) or n_cut < 1:
        raise ValueError(f"{function}: n_cut must be a whole number of cases >= 1, not {n_cut!r}")
    if isinstance(pri_cut, bool) or not isinstance(pri_cut, (int, float)) or not 0 <= pri_cut <= 1:
        raise ValueError(f"{function}: pri_cut must be a number between 0 and 1, not {pri_cut!r}")
    outcome_name, y_series = outcome_membership(data, outcome, function=function)
    if outcome_name in names:
        raise ValueError(f"{function}: the outcome {outcome_name!r} is also among the conditions")
    values = check_memberships(data, names, function=function).to_numpy()
    y = y_series.to_numpy()
    labels = case_labels(data, case_column)

    k = len(names)
    on_half = np.isclose(values, 0.5).any(axis=1)
    if on_half.any():
        dropped = [labels[i] for i in np.flatnonzero(on_half)]
        warnings.warn(
            f"{function}: cases with a membership of exactly 0.5 belong to no configuration "
            f"and are left out of n and cases: {', '.join(dropped)}",
            UserWarning,
            stacklevel=2,
        )
    bits = (values > 0.5).astype(int)
    weights = 2 ** np.arange(k - 1, -1, -1)
    corner_of_case = bits @ weights
    counts = np.bincount(corner_of_case[~on_half], minlength=2**k)
    rows = np.arange(2**k) if complete else np.flatnonzero(counts > 0)
    patterns = (rows[:, None] // weights[None, :]) % 2
    m = corner_memberships(values, patterns)
    both = np.minimum(m, y[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        incl = both.sum(axis=0) / m.sum(axis=0)
        overlap = np.minimum(both, 1.0 - y[:, None]).sum(axis=0)
        pri_values = (both.sum(axis=0) - overlap) / (m.sum(axis=0) - overlap)
    n = counts[rows]
    out = np.full(len(rows), "?", dtype=object)
    rated = n >= n_cut
    positive = (incl >= ic1 - TOLERANCE) & (pri_values >= pri_cut - TOLERANCE)
    contradiction = (incl < ic1 - TOLERANCE) & (incl >= ic0 - TOLERANCE)
    out[rated] = "0"
    out[rated & positive] = "1"
    out[rated & ~positive & contradiction] = "C"
    incl = np.where(n > 0, incl, np.nan)
    pri_values = np.where(n > 0, pri_values, np.nan)
    members: dict[int, list[str]] = {}
    for i in np.flatnonzero(~on_half):
        members.setdefault(int(corner_of_case[i]), []).append(labels[i])
    table = pd.DataFrame(patterns, columns=names, index=pd.Index(rows + 1, name="row"))
    table["out"] = out
    table["n"] = n.astype(int)
    table["incl"] = incl
    table["pri"] = pri_values
    table["cases"] = [", ".join(members.get(int(r), [])) for r in rows]
    table.attrs.update(
        {
            "outcome": outcome.strip(),
            "conditions": names,
            "incl_cut": (ic1, ic0),
            "n_cut": int(n_cut),
        }
    )
    return table
