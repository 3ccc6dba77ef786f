"""Likert scales: scores, reliability (Cronbach's alpha) and item statistics.

The scales are those declared in ``scales.yml`` (see
:func:`coprodlib.contract.survey_design.read_survey_design`). Omega (McDonald) is not
offered: it needs a factor model, and no well-kept package that provides it is among the
project's dependencies.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import data_label, require_columns, require_frame
from ..contract.survey_design import Scale, SurveyDesign, cell_problems, item_problems, scales_of
from ..errors import DataError, Problem

__all__ = ["scale_scores", "scale_reliability", "item_stats"]


# --------------------------------------------------------------------------- scale scores


def _reverse(numeric: pd.DataFrame, scale: Scale) -> np.ndarray:
    values = numeric[list(scale.items)].to_numpy(dtype=float, copy=True)
    flip = np.isin(scale.items, scale.reversed)
    values[:, flip] = scale.low + scale.high - values[:, flip]
    return values


def _checked_numeric(data: pd.DataFrame, scales: list[Scale], file: str) -> pd.DataFrame:
    problems, numeric = item_problems(data, scales, file, 20)
    if problems:
        raise DataError(problems)
    if numeric.empty:
        raise DataError(Problem(file=file, expected="at least one respondent (row)", kind="empty"))
    return numeric


def scale_scores(
    data: pd.DataFrame, design_or_scales: Any, *, file: str = "survey.csv"
) -> pd.DataFrame:
    """Score each scale as the mean of its answered items, after reverse coding.

    Reversed items are scored ``low + high - answer``. A respondent who answered fewer than
    the scale's ``min_answered`` items gets a missing score.

    Parameters
    ----------
    data : DataFrame
        Survey table, one row per respondent.
    design_or_scales : SurveyDesign, Scale, or dict/list of Scale
        Which scales to score.
    file : str
        File name used in error messages.

    Returns
    -------
    DataFrame
        One column per scale (named after it), on ``data``'s index; join it back with
        ``survey.join(scale_scores(survey, design))``.

    Raises
    ------
    DataError
        An item column is missing, an answer is not a number or outside the Likert range, or
        no respondent answered enough items of some scale to be scored.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> trust = cp.Scale("trust", ["t1", "t2", "t3"], reversed=["t3"], min_answered=2)
    >>> survey = pd.DataFrame({"t1": [4, 5, None], "t2": [4, None, None], "t3": [2, 1, 3]})
    >>> cp.scale_scores(survey, trust)
       trust
    0    4.0
    1    5.0
    2    NaN
    """
    require_frame(data, "scale_scores")
    scales = scales_of(design_or_scales)
    numeric = _checked_numeric(data, scales, file)
    scores = {}
    problems = []
    for scale in scales:
        values = _reverse(numeric, scale)
        answered = (~np.isnan(values)).sum(axis=1)
        total = np.nansum(values, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(answered >= scale.min_answered, total / answered, np.nan)
        if np.isnan(score).all():
            problems.append(
                Problem(
                    file=file,
                    column=", ".join(scale.items),
                    expected=(
                        f"at least one respondent with {scale.min_answered} of the "
                        f"{len(scale.items)} items of scale {scale.name!r} answered "
                        "(too few answers to score it)"
                    ),
                    kind="too_few_answers",
                )
            )
        scores[scale.name] = score
    if problems:
        raise DataError(problems)
    return pd.DataFrame(scores, index=data.index)


# --------------------------------------------------------------------------- reliability


def _item_sets(data: pd.DataFrame, items: Any) -> list[tuple[str | None, pd.DataFrame]]:
    """(scale name or None, complete-case numeric item matrix, reversed where declared)."""
    if isinstance(items, (SurveyDesign, Scale, Mapping)) or (
        isinstance(items, Sequence) and items and all(isinstance(s, Scale) for s in items)
    ):
        scales = scales_of(items)
        numeric = _checked_numeric(data, scales, data_label(data))
        sets = [(s.name, pd.DataFrame(_reverse(numeric, s), columns=list(s.items))) for s in scales]
        single = isinstance(items, Scale)
        return [(None if single else name, frame) for name, frame in sets]
    if isinstance(items, str) or not isinstance(items, Sequence):
        raise TypeError(
            f"items must be a list of column names or a Scale, not {type(items).__name__}"
        )
    items = list(items)
    if len(items) < 2:
        raise ValueError(f"items={items!r}: give at least two item columns")
    require_columns(data, {f"items[{i}]": c for i, c in enumerate(items)})
    frame = data[items].reset_index(drop=True)
    numeric = frame.apply(lambda col: pd.to_numeric(col, errors="coerce")).astype(float)
    bad = frame.notna() & numeric.isna()
    problems = cell_problems(
        bad, frame, {c: "a number or an empty cell" for c in items}, data_label(data),
        "not_numeric", 20,
    )  # fmt: skip
    if problems:
        raise DataError(problems)
    return [(None, numeric)]


def _complete(
    frame: pd.DataFrame, name: str | None, data: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """The respondents who answered every item, and the items that nobody answered differently.

    An item with one answer from everybody has no variance: it adds nothing to the total but
    a constant and, left in, lowers alpha through ``k / (k - 1)``. It is left out with a
    warning; the items that remain must still give a total that varies.
    """
    complete = frame.dropna()
    what = f"scale {name!r}" if name else "these items"
    columns = ", ".join(map(str, frame.columns))
    if len(complete) < 3:
        raise DataError(
            Problem(
                file=data_label(data),
                column=columns,
                value=len(complete),
                expected=f"at least 3 respondents who answered every item of {what}",
                kind="too_few_answers",
            )
        )
    constant = [c for c in complete.columns if complete[c].nunique() <= 1]
    names = ", ".join(map(str, constant))
    varying = complete.drop(columns=constant)
    if varying.shape[1] < 2:
        raise DataError(
            Problem(
                file=data_label(data),
                column=columns,
                expected=(
                    f"at least 2 items whose answers vary between respondents in {what}; "
                    f"{names} got the same answer from all {len(complete)} respondents with "
                    f"complete answers to {what}"
                ),
                kind="no_variance",
            )
        )
    if constant:
        warnings.warn(
            f"{names} got the same answer from all {len(complete)} respondents with complete "
            f"answers to {what}; left out of alpha (an item that does not vary measures "
            "nothing)",
            UserWarning,
            stacklevel=3,
        )
    if np.isclose(varying.sum(axis=1).var(ddof=1), 0.0):
        raise DataError(
            Problem(
                file=data_label(data),
                column=", ".join(map(str, varying.columns)),
                expected=(
                    f"a total score of {what} that varies between respondents: the items vary, "
                    f"but every respondent's answers add up to the same total "
                    f"({varying.sum(axis=1).iloc[0]:g}), so alpha is undefined; is an item "
                    "worded the other way round missing from reversed:?"
                ),
                kind="no_variance",
            )
        )
    return complete, constant


def scale_reliability(data: pd.DataFrame, items: Any, *, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha of a scale with its confidence interval.

    Parameters
    ----------
    data : DataFrame
        Survey table, one row per respondent.
    items : list of str, Scale, SurveyDesign or dict of Scale
        Item columns (taken as they are), or scale definitions (reversed items are reverse
        coded first, and answers are checked against the Likert range).
    ci : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per scale, always led by a ``scale`` column (None for a plain list of items):
        ``alpha``, ``ci_low``, ``ci_high``, ``n`` (respondents who answered every item:
        listwise deletion), ``n_items`` (items that entered alpha) and ``excluded`` (the items
        left out because they do not vary, comma separated; empty when none was).

    Warns
    -----
    UserWarning
        When an item got the same answer from every respondent counted in ``n``: it is left
        out of alpha (and named in ``excluded``), since a constant item lowers alpha through
        the factor ``k / (k - 1)`` without measuring anything.

    Raises
    ------
    DataError
        An item is missing or not a number; fewer than 3 respondents answered every item;
        fewer than 2 items vary; or the items vary but their total does not.

    Notes
    -----
    ``alpha`` is from :func:`pingouin.cronbach_alpha` with listwise deletion, on the items
    that vary. The interval is the F-distribution interval of Feldt that pingouin also uses;
    it is computed here again because pingouin rounds its interval to three decimals.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> cp.scale_reliability(df, ["a", "b", "c"]).drop(columns="excluded").round(3)
      scale  alpha  ci_low  ci_high  n  n_items
    0  None  0.954   0.766    0.995  5        3
    """
    import pingouin as pg

    require_frame(data, "scale_reliability")
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci!r}: give a confidence level between 0 and 1, e.g. 0.95")
    rows = []
    for name, frame in _item_sets(data, items):
        complete, constant = _complete(frame, name, data)
        used = complete.drop(columns=constant)
        n, k = used.shape
        alpha = float(pg.cronbach_alpha(data=used, nan_policy="listwise")[0])
        df1, df2 = n - 1, (n - 1) * (k - 1)
        tail = (1 - ci) / 2
        low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
        high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
        row = {"alpha": alpha, "ci_low": low, "ci_high": high, "n": n, "n_items": k}
        rows.append({"scale": name, **row, "excluded": ", ".join(map(str, constant))})
    return pd.DataFrame(rows)


def item_stats(data: pd.DataFrame, items: Any) -> pd.DataFrame:
    """Per item: mean, standard deviation, corrected item-total correlation, alpha if deleted.

    Parameters
    ----------
    data : DataFrame
        Survey table.
    items : list of str, Scale, SurveyDesign or dict of Scale
        As for :func:`scale_reliability` (reversed items are reverse coded first).

    Returns
    -------
    DataFrame
        One row per item, led by a ``scale`` column (None for a plain list of items): ``item``,
        ``mean``, ``sd``, ``item_total_r`` (Pearson correlation of the item with the sum of
        the *other* items), ``alpha_if_deleted`` (Cronbach's alpha of the remaining items;
        missing for a two-item scale). All on respondents who answered every item and on the
        items that vary, so the figures agree with :func:`scale_reliability`; an item left out
        of alpha because it does not vary keeps its row with its mean, ``sd`` 0 and missing
        ``item_total_r`` and ``alpha_if_deleted`` (with the warning of
        :func:`scale_reliability`).

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> cp.item_stats(df, ["a", "b", "c"]).round(3)
      scale item  mean     sd  item_total_r  alpha_if_deleted
    0  None    a   3.0  1.581         0.970             0.882
    1  None    b   3.4  1.517         0.903             0.933
    2  None    c   3.0  1.225         0.870             0.968
    """
    require_frame(data, "item_stats")
    frames = []
    for name, frame in _item_sets(data, items):
        complete, constant = _complete(frame, name, data)
        used = complete.drop(columns=constant)
        k = used.shape[1]
        cov = used.cov().to_numpy()
        var = np.diag(cov)
        row_sum = cov.sum(axis=1)
        rest_var = cov.sum() - 2 * row_sum + var
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (row_sum - var) / np.sqrt(var * rest_var)
            if k >= 3:
                alpha_del = (k - 1) / (k - 2) * (1 - (np.trace(cov) - var) / rest_var)
            else:
                alpha_del = np.full(k, np.nan)
        table = pd.DataFrame(
            {
                "item": list(used.columns),
                "mean": used.mean().to_numpy(),
                "sd": np.sqrt(var),
                "item_total_r": r,
                "alpha_if_deleted": alpha_del,
            }
        )
        if constant:
            left_out = pd.DataFrame(
                {"item": constant, "mean": complete[constant].mean().to_numpy(), "sd": 0.0}
            )
            table = pd.concat([table, left_out], ignore_index=True)
            order = {c: i for i, c in enumerate(complete.columns)}
            table = table.sort_values("item", key=lambda s: s.map(order), ignore_index=True)
        table.insert(0, "scale", name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
