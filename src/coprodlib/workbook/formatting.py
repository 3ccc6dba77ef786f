"""Numbers as a paper prints them: one formatter per kind of value, and the kind of each column.

A *kind* says how a value is written in a table or sentence meant for a paper (APA
Publication Manual, 7th ed., sections 6.36 and 6.44):

``"count"``
    a whole number with a thousands separator: ``1,234``;
``"share"``
    a proportion (0 to 1) written as a percentage with one decimal: ``0.425`` -> ``42.5%``;
``"stat"``
    a statistic that can exceed 1, two decimals: ``21.66``, ``-0.35``;
``"bounded"``
    a quantity that cannot exceed 1 in size (r, Cramer's V, alpha, kappa, a proportion), two
    decimals and no leading zero: ``.34``, ``-.05``, ``1.00``;
``"p"``
    a p-value, three decimals and no leading zero: ``.042``; ``< .001`` below .001 and
    ``> .999`` above .999;
``"int"``
    a whole number without separator (years, degrees of freedom): ``2024``, ``296``; a
    fractional value (a Welch df) keeps two decimals;
``"text"``
    the value as it is, as a string.

A missing value (None, NaN, ``pd.NA``, NaT) is an en dash ``–`` whatever the kind.

Rounding is half-up on the decimal value as Python prints it (``0.0425`` -> ``.043``,
``0.125`` -> ``0.13``), as a reader rounding by hand would, not the binary half-even of
``format()``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "format_cell",
    "KINDS",
    "KINDS_BY_COLUMN",
    "MISSING",
    "format_value",
    "is_missing",
    "kind_of",
]

#: What a missing value is written as, in every kind.
MISSING = "\u2013"

#: The kinds :func:`format_value` knows.
KINDS = ("count", "share", "stat", "bounded", "p", "int", "text")

#: The kind of each column name the analyses' frames use.
KINDS_BY_COLUMN: dict[str, str] = {
    # counts
    "n": "count",
    "n_cases": "count",
    "n_participants": "count",
    "n_segments": "count",
    "n_codings": "count",
    "n_units": "count",
    "n_coders": "count",
    "n_coded": "count",
    "n_items": "count",
    "n_dropped": "count",
    "n_groups": "count",
    "n_strategies": "count",
    "n_one_sided": "count",
    "n_effects": "count",
    "n_undesired": "count",
    "n_problems": "count",
    # proportions shown as percentages
    "share": "share",
    "share_one_sided": "share",
    "share_undesired": "share",
    "percent_agreement": "share",
    "small_expected": "share",
    # p-values
    "pval": "p",
    "p_adjusted": "p",
    "exact_pval": "p",
    # statistics that can exceed 1
    "chi2": "stat",
    "statistic": "stat",
    "coef": "stat",
    "se": "stat",
    "odds_ratio": "stat",
    "ci_low": "stat",
    "ci_high": "stat",
    "min_expected": "stat",
    # quantities bounded by 1
    "cramer_v": "bounded",
    "c": "bounded",
    "item_total_r": "bounded",
    "alpha_if_deleted": "bounded",
    "r": "bounded",
    "rho": "bounded",
    "alpha": "bounded",
    "kappa": "bounded",
    "effect_size": "bounded",
    # whole numbers without separator
    "dof": "int",
    "df1": "int",
    "df2": "int",
    "year": "int",
}


#: What :func:`pandas.api.types.infer_dtype` calls a column of numbers (or of nothing).
_NUMBERS = {"integer", "floating", "mixed-integer-float", "decimal", "empty"}


def is_missing(value: Any) -> bool:
    """Whether ``value`` is a missing scalar (None, NaN, ``pd.NA``, NaT).

    Parameters
    ----------
    value : object
        Any value; containers count as present.

    Returns
    -------
    bool
    """
    if value is None:
        return True
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return bool(missing) if isinstance(missing, (bool, np.bool_)) else False


def _number(value: Any, kind: str) -> float:
    """The value as a float, or a TypeError naming the kind that wanted a number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"kind {kind!r} formats numbers; got {value!r} ({type(value).__name__})")
    return float(value)


def _rounded(value: float, places: int) -> str:
    """``value`` rounded half-up to ``places`` decimals, as a plain string (``-0.00`` -> ``0.00``)."""
    quantum = Decimal(1).scaleb(-places)
    text = str(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]
    return text


def _no_leading_zero(text: str) -> str:
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def _infinite(value: float) -> str:
    return "\u221e" if value > 0 else "-\u221e"


def _format_p(value: float) -> str:
    if not 0 <= value <= 1:
        raise ValueError(f"a p-value lies between 0 and 1; got {value!r}")
    if value < 0.001:
        return "< .001"
    if value > 0.999:
        return "> .999"
    return _no_leading_zero(_rounded(value, 3))


def _format_whole(value: float, separator: bool) -> str:
    if math.isinf(value):
        return _infinite(value)
    if value != round(value):
        return _rounded(value, 2)
    whole = int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{whole:,}" if separator else str(whole)


def format_value(value: Any, kind: str) -> str:
    """A value written as a paper prints it (APA 7th ed., sections 6.36 and 6.44).

    Parameters
    ----------
    value : object
        The value: a number for every kind but ``"text"``; missing values are allowed.
    kind : {"count", "share", "stat", "bounded", "p", "int", "text"}
        How to write it, see the module's description.

    Returns
    -------
    str
        The text; ``"–"`` (en dash) for a missing value.

    Raises
    ------
    ValueError
        ``kind`` is not one of :data:`KINDS`, or a p-value lies outside 0 to 1.
    TypeError
        A numeric kind got something that is not a number.

    Examples
    --------
    >>> from coprodlib.workbook.formatting import format_value
    >>> [format_value(v, k) for v, k in [(1234, "count"), (0.425, "share"), (0.0425, "p")]]
    ['1,234', '42.5%', '.043']
    >>> format_value(-0.054, "bounded"), format_value(float("nan"), "stat")
    ('-.05', '–')
    """
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not offered; use one of {', '.join(KINDS)}")
    if is_missing(value):
        return MISSING
    if kind == "text":
        return str(value)
    number = _number(value, kind)
    if kind == "p":
        return _format_p(number)
    if kind in ("count", "int"):
        return _format_whole(number, separator=kind == "count")
    if math.isinf(number):
        return _infinite(number)
    if kind == "share":
        return _rounded(number * 100, 1) + "%"
    text = _rounded(number, 2)
    return _no_leading_zero(text) if kind == "bounded" else text


def kind_of(column: Hashable, series: pd.Series | None = None) -> str:
    """The kind of a column: from :data:`KINDS_BY_COLUMN`, else guessed from its values.

    Parameters
    ----------
    column : str
        The column's name.
    series : Series, optional
        Its values, for a name the mapping does not know: whole-number dtypes are
        ``"count"``, other numbers ``"stat"``, anything else (booleans too) ``"text"``. A
        known name whose values are not numbers is ``"text"``.

    Returns
    -------
    str
        One of :data:`KINDS`.

    Examples
    --------
    >>> import pandas as pd
    >>> from coprodlib.workbook.formatting import kind_of
    >>> kind_of("pval"), kind_of("age", pd.Series([31, 45])), kind_of("role", pd.Series(["a"]))
    ('p', 'count', 'text')
    """
    known = KINDS_BY_COLUMN.get(str(column))
    if series is None:
        return known or "text"
    if known is not None:
        # a known name over values that are not numbers (a user's own "n" or "r" column of
        # words) is text, so that formatting it cannot fail
        numeric = known == "text" or pd.api.types.infer_dtype(series, skipna=True) in _NUMBERS
        return known if numeric else "text"
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "text"
    if pd.api.types.is_integer_dtype(dtype):
        return "count"
    if pd.api.types.is_float_dtype(dtype):
        return "stat"
    return "text"


_NUMERIC_KINDS = frozenset({"count", "share", "stat", "bounded", "p", "int"})


def format_cell(text: str, kind: str) -> str:
    """A table cell read back as text (from a CSV), written by kind; text that is not a
    number in a numeric column stays as it is, and an empty cell is the en dash.

    Examples
    --------
    >>> format_cell("0.00042", "p"), format_cell("", "count"), format_cell("n/a", "stat")
    ('< .001', '–', 'n/a')
    """
    if text == "":
        return MISSING
    if kind not in _NUMERIC_KINDS:
        return " ".join(text.split())
    try:
        return format_value(float(text), kind)
    except (TypeError, ValueError):
        return " ".join(text.split())
