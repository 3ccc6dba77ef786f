"""Models of coping choice in surveys and vignette experiments, and group differences in traits.

Which traits go with which coping choice (multinomial and per-choice logistic models as odds
ratios), how the choice shifts between vignette conditions, and how traits differ between
roles. Errors follow the rule stated in :mod:`coprodlib.analysis.contingency`.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._checks import data_label, legacy_arguments, levels_of, require_columns, require_frame
from ..contract.survey_design import SurveyDesign
from ..errors import DataError, Problem
from .contingency import adjust_pvalues, compare_groups, crosstab_test

__all__ = [
    "choice_models",
    "condition_effects",
    "group_difference",
    "trait_correlations",
    "trait_effects",
    "trait_effects_text",
    "GROUP_DIFFERENCE_COLUMNS",
    "TRAIT_CORRELATION_COLUMNS",
    "SPEARMAN_EXACT_MAX_N",
]


# --------------------------------------------------------------------------- choice models


def _plain_values(values: Sequence[Any]) -> list[Any]:
    """Levels as Python values, so a message lists [1, 2], not [np.int64(1), np.int64(2)]."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _as_list(arg: Any) -> list[Any]:
    if arg is None:
        return []
    if isinstance(arg, str) or not isinstance(arg, Sequence):
        return [arg]
    return list(arg)


def _design_matrix(
    frame: pd.DataFrame,
    terms: list[Hashable],
    baselines: Mapping[Hashable, Any],
    data: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[Hashable, Any]]:
    """Intercept, numeric predictors as they are, categorical ones dummy coded."""
    parts = [pd.DataFrame({"Intercept": np.ones(len(frame))}, index=frame.index)]
    used: dict[Hashable, Any] = {}
    for term in terms:
        column = frame[term]
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if numeric:
            parts.append(column.astype(float).to_frame(str(term)))
            continue
        levels = levels_of(column)
        if len(levels) < 2:
            raise DataError(
                Problem(
                    file=data_label(data),
                    column=str(term),
                    value=_plain_values(levels),
                    expected=(
                        "a predictor with at least 2 levels among the complete rows; a "
                        "constant predictor cannot explain the choice (drop it)"
                    ),
                    kind="too_few_levels",
                )
            )
        base = baselines.get(term, levels[0])
        if base not in levels:
            raise DataError(
                Problem(
                    file=data_label(data),
                    column=str(term),
                    value=base,
                    expected=f"baselines[{term!r}] to be one of the levels {levels}",
                    kind="unknown_level",
                )
            )
        used[term] = base
        order = [base, *[lv for lv in levels if lv != base]]
        cat = pd.Categorical(column, categories=order)
        dummies = pd.get_dummies(cat, drop_first=True, dtype=float)
        dummies.columns = [f"{term}[T.{lv}]" for lv in order[1:]]
        dummies.index = frame.index
        parts.append(dummies)
    return pd.concat(parts, axis=1), used


def _check_rank(X: pd.DataFrame, data: pd.DataFrame) -> None:
    """Raise when a term is constant or a combination of the terms before it."""
    matrix = X.to_numpy()
    if np.linalg.matrix_rank(matrix) == matrix.shape[1]:
        return
    dependent, rank = [], 0
    for j in range(matrix.shape[1]):  # a handful of terms, not rows
        now = np.linalg.matrix_rank(matrix[:, : j + 1])
        if now == rank:
            dependent.append(X.columns[j])
        rank = now
    raise DataError(
        Problem(
            file=data_label(data),
            column=", ".join(dependent),
            expected=(
                "predictors that are not constant and not combinations of each other; "
                f"{', '.join(dependent)} can be written from the terms before it (drop it, or "
                "merge levels)"
            ),
            kind="collinear",
        )
    )


def _fit(model: Any, outcome: str, data: pd.DataFrame) -> Any:
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    hint = (
        "coefficients that can be estimated; some term predicts the outcome "
        f"{outcome!r} (almost) perfectly or an outcome level is too rare (separation). Merge "
        "rare choice or predictor levels, drop the term, or collect more data"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(method="newton", maxiter=200, disp=0)
        except (PerfectSeparationError, np.linalg.LinAlgError) as err:
            raise DataError(
                Problem(file=data_label(data), expected=f"{hint} ({err})", kind="separation")
            ) from None
    separated = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    params = np.asarray(res.params, dtype=float)
    bse = np.asarray(res.bse, dtype=float)
    converged = bool(res.mle_retvals.get("converged", True))
    if separated or not converged or not np.isfinite(params).all() or not np.isfinite(bse).all():
        raise DataError(Problem(file=data_label(data), expected=hint, kind="separation"))
    return res


def _tidy(outcome: Any, terms: Sequence[str], coef, se, pval, z: float) -> pd.DataFrame:
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    return pd.DataFrame(
        {
            "outcome": outcome,
            "term": list(terms),
            "coef": coef,
            "se": se,
            "odds_ratio": np.exp(coef),
            "ci_low": np.exp(coef - z * se),
            "ci_high": np.exp(coef + z * se),
            "pval": np.asarray(pval, dtype=float),
        }
    )


@legacy_arguments(positional=["kind", "reference", "covariates"])
def choice_models(
    data: pd.DataFrame,
    choice: Hashable,
    predictors: Hashable | Sequence[Hashable],
    *,
    covariates: Hashable | Sequence[Hashable] | None = None,
    kind: str = "multinomial",
    reference: Any = None,
    baselines: Mapping[Hashable, Any] | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Logistic models of a categorical choice (a coping strategy) on traits and covariates.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    choice : str
        Column with the chosen option (e.g. ``"coping_choice"``).
    predictors : str or list of str
        Columns of interest (e.g. trait scores). Numeric columns enter as they are; text,
        categorical and boolean columns are dummy coded against a baseline level.
    kind : {"multinomial", "binary"}
        ``"multinomial"``: one multinomial logit (statsmodels ``MNLogit``) with ``reference``
        as base outcome; each coefficient compares an outcome with the reference.
        ``"binary"``: one logistic regression (statsmodels ``Logit``) per choice level, chosen
        vs not chosen, each on all rows.
    reference : optional
        Base outcome of the multinomial model; default the first level (category order, or
        sorted). Ignored for ``kind="binary"``.
    covariates : str or list of str, optional
        Further columns (e.g. ``["role", "vignette"]``), added after ``predictors``.
    baselines : dict, optional
        Baseline level per categorical predictor (``{"role": "citizen"}``); default the first
        level. Terms are named like ``role[T.public_servant]``.
    ci : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per outcome and term, always with these columns in this order: ``model``
        (``kind``), ``outcome`` (the level compared with the reference, or the level modelled
        as chosen), ``reference`` (the base outcome of a multinomial model; missing for
        ``"binary"``), ``term`` (``Intercept`` first), ``baseline`` (for a term of a
        categorical predictor, the level it is compared with; missing otherwise), ``coef`` (log
        odds),
        ``se``, ``odds_ratio`` (``exp(coef)``), ``ci_low``, ``ci_high`` (Wald interval
        ``exp(coef -/+ z se)``), ``pval`` (Wald test), ``n`` (rows used) and ``n_dropped``
        (rows left out because the choice or a predictor was missing).

    Raises
    ------
    DataError
        A column is missing; fewer than two choice levels; an unknown ``reference`` or
        baseline; predictors are collinear; or the fit fails because of (quasi-)perfect
        separation, with advice instead of a statsmodels traceback.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import coprodlib as cp
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"efficacy": rng.normal(size=200)})
    >>> df["choice"] = np.where(rng.random(200) < 1 / (1 + np.exp(-df.efficacy)), "trade_off",
    ...                         "avoidance")
    >>> res = cp.choice_models(df, "choice", "efficacy", kind="binary")
    >>> res[["outcome", "term", "n", "n_dropped"]]
         outcome       term    n  n_dropped
    0  avoidance  Intercept  200          0
    1  avoidance   efficacy  200          0
    2  trade_off  Intercept  200          0
    3  trade_off   efficacy  200          0
    """
    import statsmodels.api as sm

    require_frame(data, "choice_models")
    if kind not in ("multinomial", "binary"):
        raise ValueError(f"kind={kind!r} is not offered; use 'multinomial' or 'binary'")
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci!r}: give a confidence level between 0 and 1, e.g. 0.95")
    terms = list(dict.fromkeys([*_as_list(predictors), *_as_list(covariates)]))
    if not terms:
        raise ValueError("predictors is empty; name at least one column, e.g. 'external_efficacy'")
    if choice in terms:
        raise ValueError(f"choice={choice!r} is also a predictor; a column cannot predict itself")
    baselines = dict(baselines or {})
    stray = [k for k in baselines if k not in terms]
    if stray:
        raise ValueError(
            f"baselines names {stray}, which are not among the predictors or covariates {terms}"
        )
    require_columns(
        data,
        {
            "choice": choice,
            **{f"predictors/covariates[{i}]": t for i, t in enumerate(terms)},
        },
    )
    frame = data[[choice, *terms]]
    complete = frame.dropna()
    n, n_dropped = len(complete), len(frame) - len(complete)
    levels = levels_of(complete[choice])
    if len(levels) < 2:
        raise DataError(
            Problem(
                file=data_label(data),
                column=str(choice),
                value=_plain_values(levels),
                expected=(
                    f"at least 2 different choices among the {n} complete rows "
                    f"({n_dropped} rows dropped for missing values)"
                ),
                kind="too_few_levels",
            )
        )
    if reference is not None and reference not in levels:
        raise DataError(
            Problem(
                file=data_label(data),
                column=str(choice),
                value=reference,
                expected=f"reference= to be one of the choices {levels}",
                kind="unknown_level",
            )
        )
    X, used = _design_matrix(complete, terms, baselines, data)
    _check_rank(X, data)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    choice_values = complete[choice].to_numpy()
    if kind == "multinomial":
        reference = levels[0] if reference is None else reference
        order = [reference, *[lv for lv in levels if lv != reference]]
        y = pd.Categorical(choice_values, categories=order).codes
        res = _fit(sm.MNLogit(y, X), "any", data)
        params, bse, pvals = (np.asarray(a) for a in (res.params, res.bse, res.pvalues))
        tables = [
            _tidy(order[j + 1], X.columns, params[:, j], bse[:, j], pvals[:, j], z)
            for j in range(len(order) - 1)
        ]
    else:
        reference = None
        tables = []
        for level in levels:
            y = (choice_values == level).astype(float)
            res = _fit(sm.Logit(y, X), level, data)
            tables.append(_tidy(level, X.columns, res.params, res.bse, res.pvalues, z))
    table = pd.concat(tables, ignore_index=True).assign(n=n, n_dropped=n_dropped)
    variable = table["term"].str.extract(r"^(.*)\[T\.", expand=False)
    table.insert(0, "model", kind)
    table.insert(2, "reference", reference)
    table.insert(4, "baseline", variable.map({str(k): v for k, v in used.items()}))
    return table


# --------------------------------------------------------------------------- group effects


def condition_effects(
    data: pd.DataFrame,
    design: SurveyDesign | None = None,
    *,
    choice: Hashable | None = None,
    condition: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    exact: bool | str = "auto",
    method: str = "holm",
    n_resamples: int = 10000,
    seed: int = 0,
) -> pd.DataFrame:
    """Does the vignette condition change the coping choice? Chi-square test and Cramér's V.

    Columns come from ``choice``/``condition``, else from ``design``, else the data
    contract's ``coping_choice`` and ``vignette``. Without ``by``: the one-row ``stats`` of
    :func:`coprodlib.crosstab_test` (condition as rows, choice as columns). With ``by``
    (e.g. ``"role"``): one test per group with Holm-adjusted p-values, as
    :func:`coprodlib.compare_groups`. For the table and residuals call ``crosstab_test``.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"vignette": ["control"] * 10 + ["conflict"] * 10,
    ...                    "coping_choice": ["balancing"] * 8 + ["avoidance"] * 2
    ...                                     + ["balancing"] * 3 + ["avoidance"] * 7})
    >>> cp.condition_effects(df)[["n", "chi2", "dof", "cramer_v"]].round(3)
        n   chi2  dof  cramer_v
    0  20  5.051    1     0.503
    """
    choice = choice or (design.choice_column if design else "coping_choice")
    condition = condition or (design.condition_column if design else "vignette")
    if by is None:
        return crosstab_test(
            data, condition, choice, exact=exact, n_resamples=n_resamples, seed=seed
        ).stats
    return compare_groups(
        data,
        condition,
        choice,
        by=by,
        method=method,
        exact=exact,
        n_resamples=n_resamples,
        seed=seed,
    )


def _pingouin_col(frame: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in frame.columns:
            return frame[name]
    raise KeyError(names)  # pragma: no cover - pingouin renamed its columns again


def _numeric_columns(data: pd.DataFrame, columns: list[Hashable]) -> None:
    problems = [
        Problem(
            file=data_label(data),
            column=str(c),
            value=str(data[c].dtype),
            expected="a numeric column (scores or answers)",
            kind="not_numeric",
        )
        for c in columns
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])
    ]
    if problems:
        raise DataError(problems)


GROUP_DIFFERENCE_COLUMNS = [
    "dv", "between", "method", "statistic", "df1", "df2", "pval", "effect_size",
    "effect_measure", "n", "n_groups", "n_dropped", "note",
]  # fmt: skip


def _group_test(frame: pd.DataFrame, column: Hashable, parametric: bool) -> dict[str, Any]:
    """ANOVA or Kruskal-Wallis of ``frame.dv`` by ``frame.g``, or NaN and the reason why not."""
    import pingouin as pg

    n, k = len(frame), frame["g"].nunique()
    method, measure = ("anova", "np2") if parametric else ("kruskal", "epsilon2")
    out = {"method": method, "effect_measure": measure, "statistic": np.nan, "df1": np.nan}
    out |= {"df2": np.nan, "pval": np.nan, "effect_size": np.nan, "n": n, "n_groups": k}
    values = frame["dv"].to_numpy()
    if k < 2:
        return out | {"note": f"fewer than 2 groups with a value of {column!r}; nothing to compare"}
    if np.ptp(values) == 0:
        note = f"{column!r} is {values[0]:g} for all {n} respondents; nothing to compare"
        return out | {"df1": k - 1, "note": note}
    if parametric and n <= k:
        note = f"one respondent per group ({n} in {k} groups) leaves no degrees of freedom"
        return out | {"df1": k - 1, "note": note}
    within = frame.groupby("g")["dv"].transform("mean").to_numpy()
    note = "no variation within the groups" if np.allclose(values, within) else ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if parametric:
            res = pg.anova(data=frame, dv="dv", between="g")
            stat, df2 = float(res["F"].iloc[0]), int(res["ddof2"].iloc[0])
        else:
            res = pg.kruskal(data=frame, dv="dv", between="g")
            stat, df2 = float(res["H"].iloc[0]), np.nan
    effect = float(res["np2"].iloc[0]) if parametric else stat / (n - 1)
    pval = float(_pingouin_col(res, "p_unc", "p-unc").iloc[0])
    out |= {"statistic": stat, "df1": int(res["ddof1"].iloc[0]), "df2": df2, "pval": pval}
    return out | {"effect_size": effect, "note": note}


def group_difference(
    data: pd.DataFrame,
    dv: Hashable | Sequence[Hashable],
    between: Hashable,
    *,
    parametric: bool = True,
) -> pd.DataFrame:
    """Do groups (roles, conditions) differ on a trait? One-way ANOVA or Kruskal-Wallis.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    dv : str or list of str
        Numeric outcome column(s), e.g. trait scores; one row of output per column.
    between : str
        Grouping column.
    parametric : bool
        ``True``: one-way ANOVA (:func:`pingouin.anova`), effect size partial eta squared
        (``np2``; equal to eta squared in a one-way design). ``False``: Kruskal-Wallis
        (:func:`pingouin.kruskal`), effect size epsilon squared ``H / (n - 1)``
        [Tomczak & Tomczak 2014].

    Returns
    -------
    DataFrame
        One row per ``dv``: ``dv``, ``between``, ``method`` (``"anova"`` or ``"kruskal"``),
        ``statistic`` (F or H), ``df1``, ``df2`` (missing for Kruskal-Wallis), ``pval``,
        ``effect_size``, ``effect_measure`` (``"np2"`` or ``"epsilon2"``), ``n`` (rows used),
        ``n_groups``, ``n_dropped`` (rows missing the dv or the group) and ``note``. An
        outcome that cannot be tested (the same value for everybody, fewer than two groups
        with values, one respondent per group) keeps its row with missing statistics and the
        reason in ``note``; the other outcomes are tested as usual. ``note`` is empty for a
        test computed, except "no variation within the groups" (F is then infinite).

    Raises
    ------
    DataError
        A column is missing or not numeric, or ``between`` has fewer than 2 groups.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"role": ["citizen"] * 4 + ["professional"] * 4,
    ...                    "trust": [2, 3, 3, 4, 4, 5, 5, 4]})
    >>> cp.group_difference(df, "trust", "role")[["statistic", "df1", "df2", "effect_size"]]
       statistic  df1  df2  effect_size
    0        9.0    1    6          0.6
    """
    require_frame(data, "group_difference")
    dvs = _as_list(dv)
    if not dvs:
        raise ValueError("dv is empty; name at least one numeric column")
    require_columns(
        data,
        {
            "between": between,
            **{("dv" if len(dvs) == 1 else f"dv[{i}]"): d for i, d in enumerate(dvs)},
        },
    )
    _numeric_columns(data, dvs)
    groups = levels_of(data[between].dropna())
    if len(groups) < 2:
        raise DataError(
            Problem(
                file=data_label(data),
                column=str(between),
                value=_plain_values(groups),
                expected="at least 2 groups to compare",
                kind="too_few_levels",
            )
        )
    rows = []
    for column in dvs:
        sub = data[[column, between]].dropna()
        frame = pd.DataFrame({"dv": sub[column].to_numpy(float), "g": sub[between].to_numpy()})
        frame["g"] = frame["g"].astype(str)
        test = _group_test(frame, column, parametric)
        head = {"dv": str(column), "between": str(between)}
        rows.append(head | test | {"n_dropped": len(data) - len(frame)})
    return pd.DataFrame(rows, columns=GROUP_DIFFERENCE_COLUMNS)


#: Column order of :func:`trait_correlations`.
TRAIT_CORRELATION_COLUMNS = [
    "x", "y", "method", "n", "r", "ci_low", "ci_high", "pval", "p_adjusted", "p_method", "note",
]  # fmt: skip

#: Largest sample for which :func:`trait_correlations` gives Spearman's exact p-value.
SPEARMAN_EXACT_MAX_N = 12


@functools.cache
def _spearman_null(n: int) -> np.ndarray:
    """How many of the ``n!`` orderings of ``n`` ranks give each value of the sum of squared
    rank differences ``S``: the exact null distribution of Spearman's rho without ties.

    Ranks are placed one position at a time; the state is the set of ranks used so far (2**n
    of them), and for each state the counts of the partial sums. That takes well under a
    second for ``n = 12`` (479 million orderings, which could not be listed one by one).
    """
    top = n * (n * n - 1) // 3  # the largest S, of the reversed order
    counts = np.zeros((1 << n, top + 1), dtype=np.int64)
    counts[0, 0] = 1
    masks = np.arange(1 << n)
    used = np.array([m.bit_count() for m in range(1 << n)])
    for position in range(n):
        layer = masks[used == position]
        for rank in range(n):
            src = layer[(layer >> rank) & 1 == 0]
            step = (position - rank) ** 2
            counts[src | (1 << rank), step:] += counts[src, : top + 1 - step]
    return counts[-1].copy()  # not a view, which would keep all 2**n rows alive


def _spearman_exact_p(rank_x: np.ndarray, rank_y: np.ndarray) -> float:
    """Two-sided exact p-value of Spearman's rho from untied ranks: twice the smaller tail of
    ``S = sum (rank_x - rank_y)**2``, at most 1 (the definition of R's ``cor.test``)."""
    counts = _spearman_null(len(rank_x))
    s = int(round(float(((rank_x - rank_y) ** 2).sum())))
    lower, upper = counts[: s + 1].sum(), counts[s:].sum()
    return min(1.0, 2 * min(lower, upper) / counts.sum())


def _correlation(
    x: np.ndarray, y: np.ndarray, names: tuple[str, str], method: str, z: float
) -> dict[str, Any]:
    """r, the interval, the p-value, how it was computed, and a note: one pair of columns."""
    both = ~(np.isnan(x) | np.isnan(y))
    empty = [name for name, v in zip(names, (x, y), strict=True) if np.isnan(v).all()]
    x, y, n = x[both], y[both], int(both.sum())
    row = {"n": n, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan, "pval": np.nan}
    if n < 3:
        note = f"{n} rows with both {names[0]!r} and {names[1]!r}; a correlation needs 3"
        if empty:
            note = f"{empty[0]!r} has no values; a correlation needs 3 rows with both columns"
        return row | {"p_method": "", "note": note}
    constant = [name for name, v in zip(names, (x, y), strict=True) if np.ptp(v) == 0]
    if constant:
        note = (
            f"{constant[0]!r} is {(x if constant[0] == names[0] else y)[0]:g} on all {n} rows "
            "with both columns; a correlation with a constant is undefined"
        )
        return row | {"p_method": "", "note": note}
    if method == "pearson":
        res = stats.pearsonr(x, y)
        r, p, p_method, se2 = float(res.statistic), float(res.pvalue), "t", 1.0
    else:
        rx, ry = stats.rankdata(x), stats.rankdata(y)
        r = float(np.corrcoef(rx, ry)[0, 1])
        untied = len(np.unique(x)) == n and len(np.unique(y)) == n
        if untied and n <= SPEARMAN_EXACT_MAX_N:
            p, p_method = _spearman_exact_p(rx, ry), "exact"
        else:
            p, p_method = float(stats.spearmanr(x, y).pvalue), "t"
        se2 = 1 + r * r / 2  # Bonett & Wright (2000)
    row |= {"r": r, "pval": p, "p_method": p_method, "note": ""}
    if n <= 3:
        return row | {"note": "an interval needs at least 4 rows"}
    with np.errstate(divide="ignore"):
        zr, half = np.arctanh(np.clip(r, -1, 1)), z * np.sqrt(se2 / (n - 3))
    return row | {"ci_low": float(np.tanh(zr - half)), "ci_high": float(np.tanh(zr + half))}


def trait_correlations(
    data: pd.DataFrame,
    columns: Sequence[Hashable],
    *,
    method: str = "pearson",
    padjust: str = "holm",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Pairwise correlations among traits, with confidence intervals and p-values.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    columns : list of str
        Numeric columns (at least two); every pair is correlated on the rows where both are
        present.
    method : {"pearson", "spearman"}
        Correlation coefficient.
    padjust : str
        Correction of the p-values for the number of pairs tested, see
        :func:`coprodlib.adjust_pvalues` (``"none"`` to leave them).
    ci : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per pair of the requested columns, in their order, and no other: ``x``,
        ``y``, ``method``, ``n`` (rows with both), ``r``, ``ci_low``, ``ci_high``, ``pval``,
        ``p_adjusted``, ``p_method`` (``"t"`` or ``"exact"``, see Notes) and ``note``. A pair
        that cannot be correlated (a column constant or empty on the rows with both, fewer
        than 3 such rows) keeps its row with missing values and the reason in ``note``.

    Notes
    -----
    Pearson's r and its p-value (t test with ``n - 2`` degrees of freedom) are
    :func:`scipy.stats.pearsonr`'s. Spearman's rho is Pearson's r of the ranks (mid-ranks for
    ties). Its p-value is exact (``p_method="exact"``: twice the smaller tail of the
    permutation distribution of the sum of squared rank differences, counted over all ``n!``
    orderings) when there are no ties and ``n <=`` :data:`SPEARMAN_EXACT_MAX_N`, and
    otherwise the t approximation of :func:`scipy.stats.spearmanr` (``p_method="t"``). R's
    ``cor.test`` is exact only up to ``n = 9`` and uses the Edgeworth series of AS 89 above,
    so for ``10 <= n <= 12`` its p-values differ slightly from these.

    The interval is ``tanh(atanh(r) -/+ z se)``: for Pearson with Fisher's ``se = 1 /
    sqrt(n - 3)``, for Spearman with Bonett & Wright's (2000) ``se = sqrt((1 + rho**2 / 2)
    / (n - 3))``, since rho varies more than r. It needs ``n >= 4``.

    ``p_adjusted`` corrects over exactly the p-values computed: pairs with a note and no
    p-value do not count as tests.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 4, 3, 2, 2]})
    >>> cp.trait_correlations(df, ["a", "b", "c"])[["x", "y", "n", "r"]].round(2)
       x  y  n     r
    0  a  b  5  0.80
    1  a  c  5 -0.97
    2  b  c  5 -0.73
    """
    require_frame(data, "trait_correlations")
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method={method!r} is not offered; use 'pearson' or 'spearman'")
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci!r}: give a confidence level between 0 and 1, e.g. 0.95")
    columns = list(dict.fromkeys(_as_list(columns)))
    if len(columns) < 2:
        raise ValueError(f"columns={columns!r}: give at least two different numeric columns")
    require_columns(data, {f"columns[{i}]": c for i, c in enumerate(columns)})
    _numeric_columns(data, columns)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    values = {c: data[c].to_numpy(dtype=float, na_value=np.nan) for c in columns}
    rows = [
        {"x": str(a), "y": str(b), "method": method}
        | _correlation(values[a], values[b], (str(a), str(b)), method, z)
        for a, b in itertools.combinations(columns, 2)
    ]
    table = pd.DataFrame(rows)
    table["p_adjusted"] = adjust_pvalues(table["pval"].to_numpy(dtype=float), method=padjust)
    return table[TRAIT_CORRELATION_COLUMNS]


def trait_effects(
    models: pd.DataFrame,
    traits: Hashable | Sequence[Hashable],
    *,
    method: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The trait terms of :func:`choice_models`, with p-values adjusted over all of them.

    Four traits in models of four choices make sixteen tests: at the 5% level, about one of
    them comes out "significant" by chance alone when no trait matters. Adjusting the p-values
    over every trait term of the table (Holm's method by default) keeps that family-wise error
    at ``alpha``.

    Parameters
    ----------
    models : DataFrame
        The output of :func:`choice_models` (``kind="binary"`` or ``"multinomial"``).
    traits : str or list of str
        The predictor terms to keep (e.g. the trait scale names).
    method : str
        Correction, as in :func:`coprodlib.adjust_pvalues`.
    alpha : float
        Level at which an adjusted p-value counts as significant.

    Returns
    -------
    DataFrame
        ``outcome``, ``term``, ``odds_ratio``, ``ci_low``, ``ci_high``, ``pval``,
        ``p_adjusted``, ``significant`` and ``n``; one row per outcome and trait.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> models = pd.DataFrame({"outcome": ["a", "a", "b"], "term": ["Intercept", "t", "t"],
    ...                        "odds_ratio": [1.0, 2.0, 1.1], "ci_low": [0.5, 1.5, 0.8],
    ...                        "ci_high": [2.0, 2.7, 1.5], "pval": [0.5, 0.001, 0.4],
    ...                        "n": [100, 100, 100]})
    >>> cp.trait_effects(models, "t")[["outcome", "p_adjusted", "significant"]]
      outcome  p_adjusted  significant
    0       a       0.002         True
    1       b       0.400        False
    """
    require_frame(models, "trait_effects")
    wanted = [traits] if isinstance(traits, str) else list(traits)
    columns = ["outcome", "term", "odds_ratio", "ci_low", "ci_high", "pval", "n"]
    require_columns(models, {c: c for c in columns})
    unknown = [t for t in wanted if t not in set(models["term"])]
    if unknown:
        raise DataError(
            Problem(
                file=data_label(models),
                column="term",
                value=unknown[0],
                expected=f"a term of the models: {', '.join(map(str, pd.unique(models['term'])))}",
                kind="unknown_term",
            )
        )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r}: give a level between 0 and 1, such as 0.05")
    out = models.loc[models["term"].isin(wanted), columns].reset_index(drop=True)
    out.insert(6, "p_adjusted", adjust_pvalues(out["pval"].to_numpy(dtype=float), method=method))
    out.insert(7, "significant", out["p_adjusted"] < alpha)
    return out


def trait_effects_text(effects: pd.DataFrame, *, reference: Any = None) -> str:
    """One sentence naming the trait effects that hold after correction (from
    :func:`trait_effects`), for a report.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> effects = pd.DataFrame({"outcome": ["trade_off", "balancing"],
    ...                         "term": ["external_efficacy", "self_efficacy"],
    ...                         "odds_ratio": [3.456, 0.9], "significant": [True, False]})
    >>> cp.trait_effects_text(effects, reference="avoidance")
    'Trait effects that hold after the correction: external_efficacy on trade_off vs avoidance (OR 3.46).'
    """
    require_frame(effects, "trait_effects_text")
    require_columns(effects, {c: c for c in ("outcome", "term", "odds_ratio", "significant")})
    found = effects[effects["significant"].astype(bool)]
    from ..taxonomy.export import markdown_text

    versus = f" vs {markdown_text(reference)}" if reference is not None else ""
    listed = "; ".join(
        f"{markdown_text(r.term)} on {markdown_text(r.outcome)}{versus} (OR {r.odds_ratio:.2f})"
        for r in found.itertuples()
    )
    return f"Trait effects that hold after the correction: {listed or 'none'}."
