"""Calibration of raw values into set memberships: crisp by thresholds, fuzzy by the direct
method of Ragin (2008).

The direct method places three qualitative anchors on the raw scale: full exclusion, the
crossover (maximum ambiguity) and full inclusion. A value's distance from the crossover is
scaled to log odds of membership so that the inclusion anchor maps to ``idm`` (0.95 by
default, as in the R package QCA) and the exclusion anchor to ``1 - idm``. Ragin (2008) and
his fsQCA software put the anchors at log odds of exactly +-3, i.e. ``idm = 1 / (1 + exp(-3))``
(0.9526); that convention is the one that reproduces the fuzzy Lipset data ``LF`` shipped with
R QCA from its raw data. The log odds are

* above the crossover ``log_odds = L * (x - c) / (i - c)``,
* below it ``log_odds = L * (x - c) / (c - e)``,

with ``L = log(idm / (1 - idm))`` and membership ``1 / (1 + exp(-log_odds))``. When the
inclusion anchor lies below the exclusion anchor the set is decreasing (fewer cabinets, more
stability): the same formula with the scale reversed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import data_label, require_columns, require_frame
from ...errors import DataError, Problem, fail

__all__ = ["calibrate_crisp", "calibrate_fuzzy", "calibrate"]


def _numeric(values: Any, argument: str, function: str) -> tuple[np.ndarray, pd.Index | None, Any]:
    """The values as floats, with the index and name of a Series; DataError on text."""
    if isinstance(values, pd.DataFrame):
        raise TypeError(
            f"{function}: {argument} must be one column (a Series or a list), not a DataFrame"
        )
    series = (
        values
        if isinstance(values, pd.Series)
        else pd.Series(np.asarray(values, dtype=object).ravel())
    )
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        where = bad[bad].index[0]
        raise DataError(
            Problem(
                file=str(series.name) if series.name is not None else argument,
                index=where,
                value=series.loc[where],
                expected=f"{function}: numbers in {argument} (raw values such as 550 or 33.4; "
                "recode text categories to numbers first)",
                kind="not_numeric",
            )
        )
    index = values.index if isinstance(values, pd.Series) else None
    name = values.name if isinstance(values, pd.Series) else None
    return converted.to_numpy(dtype=float), index, name


def _wrap(result: np.ndarray, index: pd.Index | None, name: Any) -> pd.Series | np.ndarray:
    return pd.Series(result, index=index, name=name) if index is not None else result


def _anchor(value: Any, argument: str, function: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise fail(
            function,
            f"{argument}= to be a number on the raw scale, e.g. {argument}=550",
            kind="bad_anchor",
            value=value,
        )
    number = float(value)
    if not math.isfinite(number):
        raise fail(function, f"{argument}= to be a finite number", kind="bad_anchor", value=value)
    return number


def calibrate_crisp(
    values: Any, *, thresholds: float | Sequence[float], decreasing: bool = False
) -> pd.Series | np.ndarray:
    """Crisp memberships: 1 at or above a threshold, 0 below (several thresholds: 0, 1, 2, ...).

    Parameters
    ----------
    values : Series or array-like
        Raw numbers; missing values stay missing.
    thresholds : float or sequence of float
        One threshold gives a binary crisp set; ``k`` thresholds give the multi-value levels
        0 to ``k`` (the number of thresholds at or below the value), as R QCA's
        ``calibrate(type = "crisp")``.
    decreasing : bool, default False
        Count the thresholds above the value instead, so that low raw values are in the
        set (for one threshold: 1 below it, 0 at or above it).

    Returns
    -------
    Series or ndarray
        A Series (same index and name) for a Series, else an array; integers unless a value
        was missing.

    Examples
    --------
    >>> calibrate_crisp([320, 550, 1098], thresholds=550).tolist()
    [0, 1, 1]
    >>> calibrate_crisp([4, 10, 21], thresholds=10, decreasing=True).tolist()
    [1, 0, 0]
    >>> calibrate_crisp([320, 600, 900], thresholds=[550, 850]).tolist()
    [0, 1, 2]
    """
    function = "calibrate_crisp"
    x, index, name = _numeric(values, "values", function)
    cuts = np.atleast_1d(np.asarray(thresholds, dtype=object))
    numbers = sorted(_anchor(t, "thresholds", function) for t in cuts)
    if not numbers:
        raise fail(
            function, "thresholds= to hold at least one number", kind="bad_anchor", value=thresholds
        )
    cut = np.asarray(numbers)
    if decreasing:
        levels = (x[:, None] < cut[None, :]).sum(axis=1).astype(float)
    else:
        levels = (x[:, None] >= cut[None, :]).sum(axis=1).astype(float)
    missing = np.isnan(x)
    levels[missing] = np.nan
    result = levels if missing.any() else levels.astype(int)
    return _wrap(result, index, name)


def calibrate_fuzzy(
    values: Any,
    *,
    exclusion: float,
    crossover: float,
    inclusion: float,
    idm: float = 0.95,
) -> pd.Series | np.ndarray:
    """Fuzzy memberships by the direct method (logistic, Ragin 2008).

    Parameters
    ----------
    values : Series or array-like
        Raw numbers; missing values stay missing.
    exclusion, crossover, inclusion : float
        The anchors on the raw scale. Increasing set: ``exclusion < crossover < inclusion``;
        decreasing set: ``inclusion < crossover < exclusion``.
    idm : float, default 0.95
        The membership at the inclusion anchor (``1 - idm`` at the exclusion anchor), between
        0.5 and 1.

    Returns
    -------
    Series or ndarray
        Memberships between 0 and 1, a Series (same index and name) for a Series.

    Examples
    --------
    >>> calibrate_fuzzy([400, 550, 900], exclusion=400, crossover=550, inclusion=900).round(3).tolist()
    [0.05, 0.5, 0.95]
    >>> calibrate_fuzzy([4, 9.5, 21], exclusion=15, crossover=9.5, inclusion=5).round(3).tolist()
    [0.973, 0.5, 0.002]
    """
    function = "calibrate_fuzzy"
    e = _anchor(exclusion, "exclusion", function)
    c = _anchor(crossover, "crossover", function)
    i = _anchor(inclusion, "inclusion", function)
    if isinstance(idm, bool) or not isinstance(idm, (int, float)) or not 0.5 < idm < 1:
        raise ValueError(
            f"{function}: idm must be a number between 0.5 and 1 (exclusive), not {idm!r}"
        )
    if not (e < c < i or i < c < e):
        raise fail(
            function,
            "anchors in order: exclusion < crossover < inclusion for an increasing set, or "
            "inclusion < crossover < exclusion for a decreasing one",
            kind="bad_anchor",
            value={"exclusion": e, "crossover": c, "inclusion": i},
        )
    x, index, name = _numeric(values, "values", function)
    scale = math.log(idm / (1.0 - idm))
    with np.errstate(over="ignore", invalid="ignore"):
        if i > c:
            odds = np.where(x >= c, scale * (x - c) / (i - c), scale * (x - c) / (c - e))
        else:
            odds = np.where(x <= c, scale * (c - x) / (c - i), scale * (c - x) / (e - c))
        result = 1.0 / (1.0 + np.exp(-odds))
    return _wrap(result, index, name)


_FUZZY_KEYS = {"exclusion", "crossover", "inclusion", "idm"}
_CRISP_KEYS = {"thresholds", "decreasing"}


def calibrate(data: pd.DataFrame, *, conditions: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """A copy of ``data`` with the named columns calibrated, each by its own specification.

    Parameters
    ----------
    data : DataFrame
        Raw values, one row per case.
    conditions : mapping
        Column name to a specification: ``{"thresholds": 550}`` (crisp, optionally
        ``"decreasing": True``) or ``{"exclusion": 400, "crossover": 550, "inclusion": 900}``
        (fuzzy, optionally ``"idm"``). Columns not named are kept as they are.

    Returns
    -------
    DataFrame
        Same index and column order as ``data``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"DEV": [320, 720, 1098], "STB": [19, 10, 4]}, index=["PT", "AU", "BE"])
    >>> calibrate(raw, conditions={
    ...     "DEV": {"exclusion": 400, "crossover": 550, "inclusion": 900},
    ...     "STB": {"thresholds": 10, "decreasing": True},
    ... }).round(2)
         DEV  STB
    PT  0.01    0
    AU  0.81    0
    BE  0.99    1
    """
    function = "calibrate"
    require_frame(data, function)
    if not isinstance(conditions, Mapping) or not conditions:
        raise TypeError(
            f"{function}: conditions must be a non-empty dict of column -> specification"
        )
    require_columns(data, {f"conditions[{name!r}]": name for name in conditions})
    out = data.copy()
    for name, spec in conditions.items():
        if not isinstance(spec, Mapping):
            raise TypeError(
                f"{function}: the specification of {name!r} must be a dict, not {type(spec).__name__}"
            )
        keys = set(spec)
        try:
            if keys and keys <= _CRISP_KEYS and "thresholds" in keys:
                out[name] = calibrate_crisp(data[name], **spec)
            elif {"exclusion", "crossover", "inclusion"} <= keys <= _FUZZY_KEYS:
                out[name] = calibrate_fuzzy(data[name], **spec)
            else:
                raise ValueError(
                    f"{function}: the specification of {name!r} has keys {sorted(keys)}; use "
                    "{'thresholds': ...} (crisp, optionally 'decreasing') or {'exclusion': ..., "
                    "'crossover': ..., 'inclusion': ...} (fuzzy, optionally 'idm')"
                )
        except DataError as error:
            problems = [
                Problem(
                    file=data_label(data),
                    index=p.index,
                    column=name,
                    value=p.value,
                    expected=p.expected,
                    kind=p.kind,
                )
                for p in error.problems
            ]
            raise DataError(problems) from None
    return out
