"""One APA-style sentence per result, from one row of an analysis frame, and the thin-data rule.

Each function takes one row (a mapping such as a ``dict`` or a row of ``frame.iterrows()``)
of the frame an analysis returns and gives the statistics as a paper writes them (APA
Publication Manual, 7th ed., sections 6.36-6.46)::

    χ²(6, *N* = 92) = 21.66, *p* = .001, *V* = .34

Writing conventions, the same in every sentence:

- Latin statistic symbols are in Markdown italics (``*p*``, ``*N*``, ``*n*``, ``*r*``,
  ``*F*``, ``*H*``, ``*V*``, ``*OR*``); Greek letters are Unicode and upright (χ², α, κ, η²p,
  ε²), as APA prints them. Nothing else is Markdown, so the sentence reads correctly with the
  asterisks stripped (Word, plain text): ``χ²(6, N = 92) = 21.66, p = .001, V = .34``.
- Numbers are written by :func:`coprodlib.workbook.formatting.format_value`: two decimals,
  no leading zero for quantities that cannot exceed 1, p exact to three decimals or
  ``< .001``.

The thin-data rule (:data:`THIN_DATA_RULE`) is applied by every sentence function: when a
row falls under it, the function returns :func:`thin_data_note` (which says what there is
and why nothing is tested) instead of a sentence with a p-value or an interval. The rule:

1. A test of a contingency table (χ²) needs at least 20 observations, and, unless an exact
   p-value was computed, no more than 20% of its expected counts under 5 and none under 1
   (Cochran's rule, which :func:`coprodlib.crosstab_test` also uses to switch to an exact
   test).
2. A regression (odds ratios) or a comparison of groups (ANOVA, Kruskal-Wallis) needs at
   least 20 respondents and a finite statistic.
3. A correlation, Pearson or rank, needs at least 3 cases with both values (a rank
   correlation across fewer cases is undefined) and variation in both.
4. A reliability coefficient (Cronbach's alpha, Krippendorff's alpha, Cohen's kappa) needs
   at least 20 respondents or double-coded units, and a defined value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from .formatting import format_value, is_missing

__all__ = [
    "MIN_CASES_CORRELATION",
    "MIN_N",
    "THIN_DATA_RULE",
    "agreement_text",
    "alpha_text",
    "anova_text",
    "chi_square_text",
    "correlation_text",
    "kappa_text",
    "odds_ratio_text",
    "p_text",
    "thin_data_note",
]

#: Fewest observations (rows, respondents, double-coded units) for a test or an interval.
MIN_N = 20
#: Fewest cases (pairs of values) for a correlation.
MIN_CASES_CORRELATION = 3
#: Largest share of expected counts under 5 that a χ² test without an exact p-value allows.
MAX_SMALL_EXPECTED = 0.2

#: The thin-data rule as a reader of a report sees it (shown under tables and in the docs).
THIN_DATA_RULE = (
    f"Thin data are described, not tested. A χ² test needs at least {MIN_N} observations and, "
    f"unless an exact p-value was computed, no more than {MAX_SMALL_EXPECTED:.0%} of expected "
    f"counts under 5 and none under 1; odds ratios and group comparisons need at least {MIN_N} "
    f"respondents; a correlation (Pearson or rank) needs at least {MIN_CASES_CORRELATION} cases "
    f"with varying values; a reliability coefficient needs at least {MIN_N} respondents or "
    "double-coded units. Below these limits the report gives the counts and the reason instead "
    "of a p-value or an interval."
)


# --- reading a row -------------------------------------------------------------------------


def _get(row: Mapping[str, Any], key: str) -> Any:
    """``row[key]``, or None when the row has no such key or the value is missing."""
    value = row.get(key) if hasattr(row, "get") else None
    return None if is_missing(value) else value


def _num(row: Mapping[str, Any], key: str) -> float | None:
    value = _get(row, key)
    return None if value is None else float(value)


def _finite(*values: float | None) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _count(row: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = _num(row, key)
        if value is not None:
            return int(value)
    return None


# --- pieces of a sentence ------------------------------------------------------------------


def p_text(p: Any) -> str:
    """The p-value as a sentence gives it: ``*p* = .042``, ``*p* < .001``, ``*p* > .999``.

    Parameters
    ----------
    p : float
        The p-value (0 to 1); missing gives ``*p* = –``.

    Returns
    -------
    str

    Examples
    --------
    >>> from coprodlib.workbook.apa import p_text
    >>> p_text(0.0415), p_text(0.0002)
    ('*p* = .042', '*p* < .001')
    """
    text = format_value(p, "p")
    return f"*p* {text}" if text[0] in "<>" else f"*p* = {text}"


def _ci_text(low: float | None, high: float | None, kind: str, level: float) -> str:
    if not _finite(low, high):
        return ""
    percent = f"{round(level * 100, 4):g}"
    return f", {percent}% CI [{format_value(low, kind)}, {format_value(high, kind)}]"


def _adjusted_text(row: Mapping[str, Any], headline: float | None) -> str:
    """``, adjusted *p* = ...`` when the row has an adjusted p-value that differs."""
    adjusted = _num(row, "p_adjusted")
    if adjusted is None or headline is None:
        return ""
    if format_value(adjusted, "p") == format_value(headline, "p"):
        return ""
    return ", adjusted " + p_text(adjusted)


def _n_text(n: int | None, noun: str) -> str:
    if n is None:
        return f"no {noun}s"
    return f"{format_value(n, 'count')} {noun}{'' if n == 1 else 's'}"


# --- the thin-data rule, one check per kind of row -----------------------------------------


def _headline_p(row: Mapping[str, Any]) -> tuple[float | None, str]:
    """The p-value a χ² row stands on (exact when computed) and the name of its test."""
    exact_p = _num(row, "exact_pval")
    if bool(_get(row, "exact")) and exact_p is not None:
        method = str(_get(row, "exact_method") or "")
        name = {"fisher": "Fisher's exact test", "monte-carlo": "Monte Carlo"}.get(method)
        return exact_p, name or "exact test"
    return _num(row, "pval"), ""


def _thin_chi_square(row: Mapping[str, Any]) -> str | None:
    n = _count(row, "n")
    p, exact_name = _headline_p(row)
    if n is None or n < MIN_N:
        return f"{_n_text(n, 'observation')}, fewer than {MIN_N}; χ² is not tested"
    if not _finite(_num(row, "chi2"), p):
        return f"{_n_text(n, 'observation')} and no table to test (one row or column); χ² is not tested"
    small, lowest = _num(row, "small_expected"), _num(row, "min_expected")
    too_small = (small is not None and small > MAX_SMALL_EXPECTED) or (
        lowest is not None and lowest < 1
    )
    if too_small and not exact_name:
        share = format_value(small, "share") if small is not None else "some"
        return (
            f"{_n_text(n, 'observation')}; {share} of expected counts are under 5 and no exact "
            "p-value was computed, so χ² is not tested"
        )
    return None


def _thin_model(row: Mapping[str, Any], subject: str) -> str | None:
    n = _count(row, "n")
    if n is None or n < MIN_N:
        return f"{_n_text(n, 'respondent')}, fewer than {MIN_N}; {subject} is not tested"
    return None


def _thin_odds_ratio(row: Mapping[str, Any]) -> str | None:
    thin = _thin_model(row, "the odds ratio")
    if thin:
        return thin
    if not _finite(*(_num(row, k) for k in ("odds_ratio", "ci_low", "ci_high", "pval"))):
        return (
            f"{_n_text(_count(row, 'n'), 'respondent')}; the odds ratio could not be estimated "
            "(a group where every respondent made the same choice)"
        )
    return None


def _thin_group_difference(row: Mapping[str, Any]) -> str | None:
    thin = _thin_model(row, "the group difference")
    if thin:
        return thin
    if not _finite(_num(row, "statistic"), _num(row, "pval")):
        reason = str(_get(row, "note") or "the test could not be computed")
        return f"{_n_text(_count(row, 'n'), 'respondent')}; not tested: {reason}"
    return None


def _thin_correlation(row: Mapping[str, Any]) -> str | None:
    n = _count(row, "n", "n_cases")
    if n is None or n < MIN_CASES_CORRELATION:
        return (
            f"{_n_text(n, 'case')} with both values; a correlation needs at least "
            f"{MIN_CASES_CORRELATION}, so none is reported"
        )
    if not _finite(_num(row, "r") if "r" in row else _num(row, "rho")):
        reason = str(_get(row, "note") or "a value does not vary across the cases")
        return f"{_n_text(n, 'case')}; no correlation: {reason}"
    return None


def _thin_reliability(row: Mapping[str, Any], key: str, symbol: str) -> str | None:
    n = _count(row, "n_units", "n")
    noun = "double-coded unit" if "n_units" in row else "respondent"
    if n is None or n < MIN_N:
        value = _num(row, key)
        shown = f"{symbol} = {format_value(value, 'bounded')} from " if _finite(value) else ""
        return f"{shown}{_n_text(n, noun)}, fewer than {MIN_N}; too few to rely on"
    if not _finite(_num(row, key)):
        return f"{_n_text(n, noun)}; {symbol} is undefined (every value the same)"
    return None


def _kind_of_row(row: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], str | None] | None:
    keys = set(row.keys())
    if "chi2" in keys:
        return _thin_chi_square
    if "odds_ratio" in keys:
        return _thin_odds_ratio
    if {"statistic", "df1"} <= keys:
        return _thin_group_difference
    if "r" in keys or "rho" in keys:
        return _thin_correlation
    if "alpha" in keys and "n_units" not in keys:
        return lambda r: _thin_reliability(r, "alpha", "α")
    if "kappa" in keys or "alpha" in keys:
        key, symbol = ("alpha", "α") if _finite(_num(row, "alpha")) else ("kappa", "κ")
        return lambda r: _thin_reliability(r, key, symbol)
    return None


def thin_data_note(row: Mapping[str, Any]) -> str | None:
    """What a report says instead of a test when ``row`` falls under :data:`THIN_DATA_RULE`.

    Parameters
    ----------
    row : mapping
        One row of the frame of :func:`coprodlib.crosstab_test` (``.stats``),
        :func:`coprodlib.compare_groups`, :func:`coprodlib.choice_models`,
        :func:`coprodlib.group_difference`, :func:`coprodlib.trait_correlations`,
        :func:`coprodlib.aggregation_test`, :func:`coprodlib.scale_reliability`,
        :func:`coprodlib.agreement` or :func:`coprodlib.code_agreement`; the kind of result
        is recognised by its columns.

    Returns
    -------
    str or None
        ``"Thin data: ..."`` naming the count and the reason, or None when the row may be
        reported with its test.

    Raises
    ------
    ValueError
        The row has none of the columns of a known analysis.

    Examples
    --------
    >>> from coprodlib.workbook.apa import thin_data_note
    >>> thin_data_note({"n": 2, "r": float("nan"), "pval": float("nan")})
    'Thin data: 2 cases with both values; a correlation needs at least 3, so none is reported.'
    """
    check = _kind_of_row(row)
    if check is None:
        raise ValueError(
            f"a row with the columns {sorted(map(str, row.keys()))} is not a result this "
            "module writes; pass a row of an analysis frame (chi2, odds_ratio, statistic, r, "
            "alpha or kappa)"
        )
    note = check(row)
    return None if note is None else f"Thin data: {note}."


# --- the sentences -------------------------------------------------------------------------


def chi_square_text(row: Mapping[str, Any]) -> str:
    """A χ² test of independence: ``χ²(6, *N* = 92) = 21.66, *p* = .001, *V* = .34``.

    Parameters
    ----------
    row : mapping
        A row of ``crosstab_test(...).stats`` or of :func:`coprodlib.compare_groups`
        (``n``, ``chi2``, ``dof``, ``pval``, ``cramer_v``, ``min_expected``,
        ``small_expected``, ``exact``, ``exact_method``, ``exact_pval``; ``p_adjusted``).

    Returns
    -------
    str
        The sentence; the exact p-value, named, when one was computed; the adjusted p-value
        when it differs; the thin-data note instead under :data:`THIN_DATA_RULE`.
    """
    note = thin_data_note(row)
    if note:
        return note
    p, exact_name = _headline_p(row)
    dof = format_value(_get(row, "dof"), "int")
    n = format_value(_get(row, "n"), "count")
    head = f"χ²({dof}, *N* = {n}) = {format_value(_num(row, 'chi2'), 'stat')}, {p_text(p)}"
    if exact_name:
        head += f" ({exact_name})"
    head += _adjusted_text(row, p)
    v = _num(row, "cramer_v")
    return head + (f", *V* = {format_value(v, 'bounded')}" if _finite(v) else "")


def odds_ratio_text(row: Mapping[str, Any], *, level: float = 0.95) -> str:
    """An odds ratio of a choice model: ``*OR* = 7.24, 95% CI [2.10, 24.95], *p* = .002``.

    Parameters
    ----------
    row : mapping
        A row of :func:`coprodlib.choice_models` (``odds_ratio``, ``ci_low``, ``ci_high``,
        ``pval``, ``n``).
    level : float
        The confidence level the model was fitted with (its ``ci=``).

    Returns
    -------
    str
        The sentence, or the thin-data note under :data:`THIN_DATA_RULE`.
    """
    note = thin_data_note(row)
    if note:
        return note
    ci = _ci_text(_num(row, "ci_low"), _num(row, "ci_high"), "stat", level)
    p = _num(row, "pval")
    return f"*OR* = {format_value(_num(row, 'odds_ratio'), 'stat')}{ci}, {p_text(p)}"


def alpha_text(row: Mapping[str, Any], *, level: float = 0.95) -> str:
    """Cronbach's alpha of a scale: ``α = .78, 95% CI [.74, .82]``.

    Parameters
    ----------
    row : mapping
        A row of :func:`coprodlib.scale_reliability` (``alpha``, ``ci_low``, ``ci_high``,
        ``n``, ``n_items``).
    level : float
        The confidence level of the interval (its ``ci=``).

    Returns
    -------
    str
        The sentence, with the number of items and respondents, or the thin-data note
        under :data:`THIN_DATA_RULE`.
    """
    note = thin_data_note(row)
    if note:
        return note
    ci = _ci_text(_num(row, "ci_low"), _num(row, "ci_high"), "bounded", level)
    text = f"α = {format_value(_num(row, 'alpha'), 'bounded')}{ci}"
    parts = [_n_text(_count(row, "n_items"), "item")] if _get(row, "n_items") is not None else []
    if _get(row, "n_units") is not None:  # Krippendorff's alpha of coders, on units
        parts.append(f"*n* = {format_value(_get(row, 'n_units'), 'count')} units")
    else:
        parts.append(f"*n* = {format_value(_get(row, 'n'), 'count')}")
    return f"{text} ({', '.join(parts)})"


def anova_text(row: Mapping[str, Any]) -> str:
    """A one-way comparison of groups: ``*F*(2, 296) = 1.43, *p* = .242, η²p = .01``.

    Parameters
    ----------
    row : mapping
        A row of :func:`coprodlib.group_difference` (``method``, ``statistic``, ``df1``,
        ``df2``, ``pval``, ``effect_size``, ``n``, ``note``). A Kruskal-Wallis row reads
        ``*H*(2, *N* = 92) = 3.10, *p* = .212, ε² = .03``.

    Returns
    -------
    str
        The sentence, or the thin-data note under :data:`THIN_DATA_RULE`.
    """
    note = thin_data_note(row)
    if note:
        return note
    stat, p = format_value(_num(row, "statistic"), "stat"), p_text(_num(row, "pval"))
    df1 = format_value(_get(row, "df1"), "int")
    if str(_get(row, "method") or "anova") == "kruskal":
        head, symbol = f"*H*({df1}, *N* = {format_value(_get(row, 'n'), 'count')})", "ε²"
    else:
        head, symbol = f"*F*({df1}, {format_value(_get(row, 'df2'), 'int')})", "η²p"
    effect = _num(row, "effect_size")
    tail = f", {symbol} = {format_value(effect, 'bounded')}" if _finite(effect) else ""
    return f"{head} = {stat}, {p}{tail}"


def correlation_text(row: Mapping[str, Any], *, level: float = 0.95) -> str:
    """A correlation: ``*r*(297) = .30, 95% CI [.19, .40], *p* < .001``.

    Parameters
    ----------
    row : mapping
        A row of :func:`coprodlib.trait_correlations` (``method``, ``n``, ``r``,
        ``ci_low``, ``ci_high``, ``pval``, ``p_adjusted``) or of
        :func:`coprodlib.aggregation_test` (``n_cases``, ``rho``, ``pval``), a rank
        correlation across cases. Spearman's coefficient is written ``*r*s``; the degrees
        of freedom are ``n - 2``.
    level : float
        The confidence level of the interval.

    Returns
    -------
    str
        The sentence (without the interval when the row has none), or the thin-data note
        under :data:`THIN_DATA_RULE`.
    """
    note = thin_data_note(row)
    if note:
        return note
    rank = "rho" in row or str(_get(row, "method") or "") == "spearman"
    r = _num(row, "rho") if "rho" in row else _num(row, "r")
    n = _count(row, "n", "n_cases")
    symbol = "*r*s" if rank else "*r*"
    ci = _ci_text(_num(row, "ci_low"), _num(row, "ci_high"), "bounded", level)
    p = _num(row, "pval")
    text = f"{symbol}({format_value(n - 2, 'int')}) = {format_value(r, 'bounded')}{ci}"
    if p is not None:
        text += f", {p_text(p)}" + _adjusted_text(row, p)
    return text + (f", across {_n_text(n, 'case')}" if "n_cases" in row else "")


def kappa_text(row: Mapping[str, Any]) -> str:
    """Cohen's kappa of double coding: ``κ = .60 (*n* = 40 units)``.

    Parameters
    ----------
    row : mapping
        A row of :func:`coprodlib.agreement` or :func:`coprodlib.code_agreement`
        (``kappa``, ``n_units``).

    Returns
    -------
    str
        The sentence, or the thin-data note under :data:`THIN_DATA_RULE`.
    """
    note = _thin_reliability(row, "kappa", "κ")
    if note:
        return f"Thin data: {note}."
    units = format_value(_get(row, "n_units"), "count")
    return f"κ = {format_value(_num(row, 'kappa'), 'bounded')} (*n* = {units} units)"


def agreement_text(row: Mapping[str, Any]) -> str:
    """Agreement of coders: ``Krippendorff's α = .62, κ = .60, 85.0% agreement (*n* = 40 units)``.

    Parameters
    ----------
    row : mapping
        A row of :func:`coprodlib.agreement` or :func:`coprodlib.code_agreement`
        (``alpha``, ``kappa``, ``percent_agreement``, ``n_units``; ``n_coders``).

    Returns
    -------
    str
        The sentence; a coefficient that is undefined (every value the same) is left out
        and said so; the thin-data note under :data:`THIN_DATA_RULE`.
    """
    note = thin_data_note(row)
    if note:
        return note
    alpha, kappa = _num(row, "alpha"), _num(row, "kappa")
    parts = []
    if _finite(alpha):
        parts.append(f"Krippendorff's α = {format_value(alpha, 'bounded')}")
    if _finite(kappa):
        parts.append(f"Cohen's κ = {format_value(kappa, 'bounded')}")
    share = _num(row, "percent_agreement")
    if share is not None:
        parts.append(f"{format_value(share, 'share')} agreement")
    counts = [f"*n* = {format_value(_get(row, 'n_units'), 'count')} units"]
    if _get(row, "n_coders") is not None:
        counts.append(_n_text(_count(row, "n_coders"), "coder"))
    undefined = "" if _finite(alpha) and _finite(kappa) else "; a coefficient is undefined"
    return f"{', '.join(parts)} ({', '.join(counts)}){undefined}"
