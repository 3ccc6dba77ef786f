"""Tests of independence on contingency tables, with cell residuals and small-sample p-values.

The functions here take any long DataFrame (one row per observation, or one row per cell with
a count column) and two column names. They answer "is the distribution of ``y`` the same in
every level of ``x``?" (strategy family by role, tension by phase, choice by vignette, ...).

Errors follow one rule across the analysis wing (:mod:`coprodlib.analysis`)
and the plots:

* :class:`TypeError` when an argument has the wrong type (``data`` is not a DataFrame);
* :class:`ValueError` when an option has a value the function does not offer
  (``exact="sometimes"``, ``method="foo"``);
* :class:`coprodlib.DataError` when the *data* cannot answer the question: a named column is
  missing, nothing is left after dropping missing values, a variable has fewer than two
  levels, counts are negative. ``DataError`` subclasses ``ValueError``, so ``except ValueError``
  catches both kinds.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import data_label, levels_of, require_columns, require_frame
from ..errors import DataError, Problem

__all__ = [
    "CrosstabResult",
    "crosstab_test",
    "compare_groups",
    "adjust_pvalues",
    "STATS_COLUMNS",
    "P_ADJUST_METHODS",
]

#: Column order of :attr:`CrosstabResult.stats`.
STATS_COLUMNS = [
    "x",
    "y",
    "n",
    "chi2",
    "dof",
    "pval",
    "cramer_v",
    "min_expected",
    "small_expected",
    "exact",
    "exact_method",
    "exact_pval",
]

#: Multiple-comparison corrections accepted by :func:`adjust_pvalues` (statsmodels names).
P_ADJUST_METHODS = ("holm", "bonferroni", "fdr_bh", "fdr_by", "sidak", "holm-sidak", "none")


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class CrosstabResult:
    """The outcome of :func:`crosstab_test`.

    Attributes
    ----------
    observed : DataFrame
        Counts; the levels of ``x`` as index, of ``y`` as columns.
    expected : DataFrame
        Counts expected under independence (row total x column total / n).
    residuals : DataFrame
        Adjusted standardized residuals [Agresti 2007, sec. 2.4.5]:
        ``(O - E) / sqrt(E (1 - row share) (1 - column share))``. Under independence each is
        roughly standard normal, so cells beyond +/-1.96 hold notably more (or fewer)
        observations than independence predicts.
    stats : DataFrame
        One row with the columns of :data:`STATS_COLUMNS`.
    """

    observed: pd.DataFrame
    expected: pd.DataFrame
    residuals: pd.DataFrame
    stats: pd.DataFrame

    def cells(self) -> pd.DataFrame:
        """One row per cell: ``x`` level, ``y`` level, ``observed``, ``expected``, ``residual``."""
        x, y = self.observed.index.name, self.observed.columns.name
        frames = {
            "observed": self.observed,
            "expected": self.expected,
            "residual": self.residuals,
        }
        long = pd.concat({k: v.stack() for k, v in frames.items()}, axis=1)
        return long.rename_axis([x, y]).reset_index()

    def __repr__(self) -> str:
        row = self.stats.iloc[0]
        p = f"exact p = {row['exact_pval']:.4g} ({row['exact_method']})" if row["exact"] else ""
        return (
            f"CrosstabResult({row['x']} x {row['y']}: {self.observed.shape[0]}x"
            f"{self.observed.shape[1]} table, n = {row['n']}, chi2 = {row['chi2']:.4g}, "
            f"dof = {row['dof']}, p = {row['pval']:.4g}, V = {row['cramer_v']:.3f}"
            + (f", {p}" if p else "")
            + ")"
        )


# --------------------------------------------------------------------------- the test


def _count_weights(data: pd.DataFrame, count: Hashable, positions: np.ndarray) -> np.ndarray:
    """The ``count`` column at the given row positions as whole numbers >= 0.

    An empty count is an error, not zero: a row that stands for no observations says so
    with 0, and a blank cell is more often a value lost on the way.

    Raises
    ------
    DataError
        Naming up to 20 rows whose count is empty or not a whole, non-negative number.
    """
    raw = data[count].iloc[positions]
    weights = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    empty = raw.isna().to_numpy()
    bad = ~np.isfinite(weights) | (weights < 0) | (weights != np.round(weights))
    if bad.any():
        expected = "a whole, non-negative number of observations (count=)"
        raise DataError(
            [
                Problem(
                    file=data_label(data),
                    index=data.index[positions[i]],
                    column=str(count),
                    value=None if empty[i] else raw.iat[i],
                    expected=(
                        f"{expected}; the cell is empty (write 0 for a row with no observations)"
                        if empty[i]
                        else expected
                    ),
                    kind="missing" if empty[i] else "invalid",
                )
                for i in np.flatnonzero(bad)[:20]
            ]
        )
    return weights.astype("int64")


def _observed_table(
    data: pd.DataFrame, x: Hashable, y: Hashable, count: Hashable | None
) -> pd.DataFrame:
    """Cross-tabulate ``x`` by ``y`` (summing ``count``), dropping empty rows and columns."""
    cols = [x, y] if count is None else [x, y, count]
    frame = data[cols].reset_index(drop=True).dropna(subset=[x, y])  # index = position
    if count is None:
        weights = pd.Series(1, index=frame.index, dtype="int64")
    else:
        positions = frame.index.to_numpy()
        weights = pd.Series(_count_weights(data, count, positions), index=frame.index)
    if frame.empty or int(weights.sum()) == 0:
        raise DataError(
            Problem(
                file=data_label(data),
                column=f"{x}, {y}",
                expected=f"at least one observation with both {x!r} and {y!r} present",
                kind="empty",
            )
        )
    row_levels = levels_of(frame[x])
    col_levels = levels_of(frame[y])
    keyed = pd.DataFrame({"x": frame[x].to_numpy(), "y": frame[y].to_numpy(), "w": weights})
    table = keyed.groupby(["x", "y"], sort=False)["w"].sum().unstack(fill_value=0)
    table = table.reindex(index=row_levels, columns=col_levels, fill_value=0)
    table = table.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0].astype("int64")
    table.index.name, table.columns.name = x, y
    for argument, column, levels in (("x", x, table.index), ("y", y, table.columns)):
        if len(levels) < 2:
            raise DataError(
                Problem(
                    file=data_label(data),
                    column=str(column),
                    value=list(levels),
                    expected=(
                        f"at least 2 levels with observations in {argument}={column!r} "
                        "to test independence; choose another column or widen the selection"
                    ),
                    kind="too_few_levels",
                )
            )
    return table


def _pearson(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    """Pearson chi-square (no continuity correction), expected counts and Cramer's V, from
    scipy's ``chi2_contingency`` on the counted table itself."""
    n = int(table.to_numpy().sum())
    res = stats.chi2_contingency(table.to_numpy(), correction=False)
    expected = pd.DataFrame(res.expected_freq, index=table.index, columns=table.columns)
    expected.index.name, expected.columns.name = table.index.name, table.columns.name
    pearson = {
        "chi2": float(res.statistic),
        "dof": int(res.dof),
        "pval": float(res.pvalue),
        "cramer": float(np.sqrt(res.statistic / (n * (min(table.shape) - 1)))),
    }
    return expected.astype(float), pearson


def crosstab_test(
    data: pd.DataFrame,
    x: Hashable,
    y: Hashable,
    *,
    count: Hashable | None = None,
    exact: bool | str = "auto",
    n_resamples: int = 10000,
    seed: int = 0,
) -> CrosstabResult:
    """Chi-square test of independence of two categorical columns, with adjusted residuals.

    Parameters
    ----------
    data : DataFrame
        Long form: one row per observation, or one row per combination with a ``count``
        column. Rows missing ``x`` or ``y`` are left out.
    x, y : str
        Column names. The levels of ``x`` become the rows of the tables, those of ``y`` the
        columns; categorical columns keep their category order, others are sorted. Levels
        without any observation are dropped.
    count : str, optional
        Column holding the number of observations each row stands for (whole numbers >= 0;
        an empty count, on a row whose ``x`` and ``y`` are present, is an error, not zero).
    exact : {"auto", True, False}
        Whether to add a p-value that does not rely on the large-sample chi-square
        approximation: Fisher's exact test for a 2x2 table, otherwise a Monte-Carlo p-value
        of the Pearson statistic over random tables with the observed margins (scipy's
        ``chi2_contingency`` with ``MonteCarloMethod``). ``"auto"`` does so when more than 20%
        of the expected counts are below 5 or any is below 1 (Cochran's rule).
    n_resamples : int
        Number of random tables for the Monte-Carlo p-value.
    seed : int
        Seed of the random generator, so that the Monte-Carlo p-value is reproducible.

    Returns
    -------
    CrosstabResult
        ``.observed``, ``.expected``, ``.residuals`` (adjusted standardized residuals) and
        ``.stats``, a one-row DataFrame with the columns ``x``, ``y``, ``n``, ``chi2``,
        ``dof``, ``pval``, ``cramer_v``, ``min_expected``, ``small_expected`` (share of cells
        with an expected count below 5), ``exact`` (whether an exact or Monte-Carlo p-value
        was computed), ``exact_method`` (``"fisher"``, ``"monte-carlo"`` or ``""``) and
        ``exact_pval`` (NaN when not computed).

    Notes
    -----
    ``chi2`` is Pearson's statistic *without* Yates' continuity correction, for every table
    size, so that 2x2 and larger tables are treated alike and Cramér's V and the residuals
    agree with the statistic; for small 2x2 tables, use the Fisher p-value instead. The
    statistic comes from scipy's ``chi2_contingency`` on the counted table (the tests check
    it against published values and against :func:`pingouin.chi2_independence`). Cramér's V is
    ``sqrt(chi2 / (n (min(rows, columns) - 1)))``.

    Raises
    ------
    DataError
        A column is missing, no row has both values, a count is empty or not a whole number
        >= 0, or ``x`` or ``y`` has fewer than two levels with observations.
    ValueError
        ``exact`` or ``n_resamples`` has a value not offered, or ``x`` equals ``y``.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"role": ["citizen"] * 4 + ["professional"] * 4,
    ...                    "family": ["avoidance", "avoidance", "avoidance", "balancing",
    ...                               "balancing", "balancing", "balancing", "avoidance"]})
    >>> res = cp.crosstab_test(df, "role", "family")
    >>> res.observed.loc["citizen", "avoidance"]
    np.int64(3)
    >>> res.stats[["chi2", "dof", "exact_method"]].to_dict("records")
    [{'chi2': 2.0, 'dof': 1, 'exact_method': 'fisher'}]
    """
    require_frame(data, "crosstab_test")
    if exact not in ("auto", True, False):
        raise ValueError(f"exact={exact!r} is not offered; use 'auto', True or False")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)):
        raise ValueError(f"n_resamples={n_resamples!r}: give a whole number such as 10000")
    if n_resamples < 1:
        raise ValueError(f"n_resamples={n_resamples!r}: give at least 1 (10000 is usual)")
    if x == y:
        raise ValueError(f"x and y are both {x!r}; give two different columns")
    require_columns(data, {"x": x, "y": y, "count": count})

    observed = _observed_table(data, x, y, count)
    expected, pearson = _pearson(observed)
    o = observed.to_numpy(dtype=float)
    e = expected.to_numpy()
    n = int(o.sum())
    row_share = o.sum(axis=1, keepdims=True) / n
    col_share = o.sum(axis=0, keepdims=True) / n
    residuals = pd.DataFrame(
        (o - e) / np.sqrt(e * (1 - row_share) * (1 - col_share)),
        index=observed.index,
        columns=observed.columns,
    )

    small = float((e < 5).mean())
    use_exact = bool(exact) if exact != "auto" else bool(small > 0.2 or (e < 1).any())
    method, exact_p = "", np.nan
    if use_exact:
        if o.shape == (2, 2):
            method = "fisher"
            exact_p = float(stats.fisher_exact(observed.to_numpy()).pvalue)
        else:
            method = "monte-carlo"
            mc = stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
            exact_p = float(
                stats.chi2_contingency(observed.to_numpy(), correction=False, method=mc).pvalue
            )

    row = {
        "x": str(x),
        "y": str(y),
        "n": n,
        "chi2": float(pearson["chi2"]),
        "dof": int(pearson["dof"]),
        "pval": float(pearson["pval"]),
        "cramer_v": float(pearson["cramer"]),
        "min_expected": float(e.min()),
        "small_expected": small,
        "exact": use_exact,
        "exact_method": method,
        "exact_pval": exact_p,
    }
    return CrosstabResult(
        observed=observed,
        expected=expected,
        residuals=residuals,
        stats=pd.DataFrame([row], columns=STATS_COLUMNS),
    )


# --------------------------------------------------------------------------- many tables


def adjust_pvalues(pvals: Any, method: str = "holm") -> Any:
    """Correct p-values for testing many hypotheses at once.

    Parameters
    ----------
    pvals : array-like or Series
        p-values; missing values stay missing and do not count as tests.
    method : str
        ``"holm"`` (Holm-Bonferroni step-down, controls the family-wise error rate; default),
        ``"bonferroni"``, ``"fdr_bh"`` (Benjamini-Hochberg false discovery rate), ``"fdr_by"``,
        ``"sidak"``, ``"holm-sidak"`` or ``"none"``. Computed by
        :func:`statsmodels.stats.multitest.multipletests`, except Holm's, which is computed
        here with the very same arithmetic (see :func:`_holm`).

    Returns
    -------
    ndarray or Series
        Adjusted p-values in the input's order (a Series keeps its index).

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.adjust_pvalues([0.01, 0.04, 0.03, 0.005], method="holm").round(3).tolist()
    [0.03, 0.06, 0.06, 0.02]
    """
    if method not in P_ADJUST_METHODS:
        raise ValueError(
            f"method={method!r} is not offered; use one of {', '.join(P_ADJUST_METHODS)}"
        )
    index = pvals.index if isinstance(pvals, pd.Series) else None
    try:
        p = np.asarray(pvals, dtype=float).ravel()
    except (TypeError, ValueError) as err:
        raise ValueError(f"pvals must be numbers between 0 and 1: {err}") from None
    ok = ~np.isnan(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        raise ValueError("pvals must lie between 0 and 1")
    out = p.copy()
    if method == "holm" and ok.any():
        out[ok] = _holm(p[ok])
    elif method != "none" and ok.any():
        from statsmodels.stats.multitest import multipletests

        out[ok] = multipletests(p[ok], method=method)[1]
    return pd.Series(out, index=index, name="p_adjusted") if index is not None else out


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of the p-values ``p`` (no missing values), in their order.

    The same operations, in the same order, as ``multipletests(p, method="holm")[1]`` of
    statsmodels, so the results are equal to the last bit; but without the
    :func:`gc.collect` that statsmodels runs on every Holm call, which costs a tenth of a
    second and more in a notebook's kernel full of objects (and in a forked kernel touches
    every page it shares with its parent).
    """
    order = np.argsort(p)
    adjusted = np.maximum.accumulate(np.take(p, order) * np.arange(len(p), 0, -1))
    adjusted[adjusted > 1] = 1
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def _stacked_pearson(
    data: pd.DataFrame, by_cols: list[Hashable], x: Hashable, y: Hashable, count: Hashable | None
) -> pd.DataFrame:
    """Pearson's test for every group at once: one (groups x rows x columns) array of counts.

    Gives, per group, the statistics :func:`crosstab_test` reports without an exact p-value
    (the same formulas, vectorised over groups), whether Cochran's rule asks for an exact one,
    and the row labels of the group so that those few groups can be tested one by one.
    """
    cols = [*by_cols, x, y] + ([count] if count is not None else [])
    keep = np.flatnonzero(data[[*by_cols, x, y]].notna().all(axis=1).to_numpy())
    frame = data[cols].iloc[keep].reset_index(drop=True)
    if count is not None:
        w = _count_weights(data, count, keep).astype(float)
    else:
        w = np.ones(len(frame))
    grouper = frame.groupby(by_cols, sort=True, observed=True)
    g = grouper.ngroup().to_numpy()
    members = grouper.indices  # group key -> positions in frame, in sorted key order
    keys = [k if isinstance(k, tuple) else (k,) for k in members]
    row_levels, col_levels = levels_of(frame[x]), levels_of(frame[y])
    xi = pd.Categorical(frame[x], categories=row_levels).codes
    yi = pd.Categorical(frame[y], categories=col_levels).codes
    n_g, n_r, n_c = len(keys), len(row_levels), len(col_levels)
    flat = (g * n_r + xi) * n_c + yi
    obs = np.bincount(flat, weights=w, minlength=n_g * n_r * n_c).reshape(n_g, n_r, n_c)
    rows, columns = obs.sum(axis=2), obs.sum(axis=1)
    n = rows.sum(axis=1)
    r_nz, c_nz = (rows > 0).sum(axis=1), (columns > 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        exp = rows[:, :, None] * columns[:, None, :] / n[:, None, None]
        cell = (rows > 0)[:, :, None] & (columns > 0)[:, None, :]
        chi2 = np.where(cell, (obs - exp) ** 2 / np.where(cell, exp, 1.0), 0.0).sum(axis=(1, 2))
        dof = (r_nz - 1) * (c_nz - 1)
        testable = (r_nz >= 2) & (c_nz >= 2)
        pval = np.where(testable, stats.chi2.sf(chi2, np.maximum(dof, 1)), np.nan)
        cramer = np.sqrt(chi2 / (n * (np.minimum(r_nz, c_nz) - 1)))
        n_cells = cell.sum(axis=(1, 2))
        small = (cell & (exp < 5)).sum(axis=(1, 2)) / n_cells
        min_exp = np.where(cell, exp, np.inf).min(axis=(1, 2))
    index = pd.MultiIndex.from_tuples(keys, names=by_cols)
    out = pd.DataFrame(
        {
            "x": str(x),
            "y": str(y),
            "n": n.astype("int64"),
            "chi2": np.where(testable, chi2, np.nan),
            "dof": pd.array(np.where(testable, dof, 0), dtype="Int64"),
            "pval": pval,
            "cramer_v": np.where(testable, cramer, np.nan),
            "min_expected": np.where(testable, min_exp, np.nan),
            "small_expected": np.where(testable, small, np.nan),
            "exact": False,
            "exact_method": "",
            "exact_pval": np.nan,
            "testable": testable,
            "needs_exact": testable & ((small > 0.2) | (min_exp < 1)),
        },
        index=index,
    )
    out.loc[~testable, "dof"] = pd.NA
    out["rows"] = [keep[pos] for pos in members.values()]  # positions in data
    return out


def compare_groups(
    data: pd.DataFrame,
    x: Hashable,
    y: Hashable,
    *,
    by: Hashable | Sequence[Hashable],
    method: str = "holm",
    count: Hashable | None = None,
    exact: bool | str = "auto",
    n_resamples: int = 10000,
    seed: int = 0,
) -> pd.DataFrame:
    """One :func:`crosstab_test` of ``x`` by ``y`` per group of ``by``, with adjusted p-values.

    Parameters
    ----------
    data, x, y, count, exact, n_resamples, seed
        As for :func:`crosstab_test`.
    by : str or list of str
        Column(s) whose groups each get their own table (e.g. ``"case_id"``).
    method : str
        Multiple-comparison correction, see :func:`adjust_pvalues`.

    Returns
    -------
    DataFrame
        One row per group (sorted): the ``by`` column(s), then :data:`STATS_COLUMNS`, then
        ``p_adjusted``: the correction applied to each group's headline p-value, i.e.
        ``exact_pval`` where an exact or Monte-Carlo p-value was computed and ``pval``
        otherwise. Groups whose table cannot be tested (fewer than two levels of ``x`` or
        ``y``) keep their row with their ``n`` and missing statistics, and do not count as
        tests.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"case": ["a"] * 8 + ["b"] * 8,
    ...                    "role": ["citizen", "professional"] * 8,
    ...                    "family": ["avoidance"] * 6 + ["balancing"] * 10})
    >>> cp.compare_groups(df, "role", "family", by="case")[["case", "n", "p_adjusted"]]
      case  n  p_adjusted
    0    a  8         1.0
    1    b  8         NaN
    """
    require_frame(data, "compare_groups")
    by_cols = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
    if not by_cols:
        raise ValueError("by must name at least one column, e.g. by='case_id'")
    if method not in P_ADJUST_METHODS:
        raise ValueError(
            f"method={method!r} is not offered; use one of {', '.join(P_ADJUST_METHODS)}"
        )
    require_columns(data, {"x": x, "y": y, "count": count})
    require_columns(
        data, {f"by[{i}]" if len(by_cols) > 1 else "by": c for i, c in enumerate(by_cols)}
    )

    stacked = _stacked_pearson(data, by_cols, x, y, count)
    rows = []
    for i, key in enumerate(stacked.index):
        row = stacked.iloc[[i]].reset_index(drop=True)
        needs_exact = bool(exact) if exact != "auto" else bool(row["needs_exact"].iat[0])
        if row["testable"].iat[0] and needs_exact:
            group = data.iloc[stacked["rows"].iat[i]]
            row = crosstab_test(
                group, x, y, count=count, exact=exact, n_resamples=n_resamples, seed=seed
            ).stats
        else:
            row = row[STATS_COLUMNS].copy()
        for column, value in zip(by_cols, key, strict=True):
            row[column] = value
        rows.append(row)
    if not rows:
        raise DataError(
            Problem(
                file=data_label(data),
                column=", ".join(map(str, by_cols)),
                expected="at least one group with a value in the by= column(s)",
                kind="empty",
            )
        )
    table = pd.concat(rows, ignore_index=True)[[*by_cols, *STATS_COLUMNS]]
    table = table.astype({"exact": bool, "dof": "Int64"})
    headline = table["exact_pval"].where(table["exact"], table["pval"])
    table["p_adjusted"] = adjust_pvalues(headline.to_numpy(dtype=float), method=method)
    return table
