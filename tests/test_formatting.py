"""Numbers as a paper prints them (coprodlib.workbook.formatting).

The rules are those of the APA Publication Manual, 7th edition: section 6.36 (no zero before
the decimal point for a value that cannot exceed 1, such as a correlation, a proportion or a
p-value) and section 6.44 (report exact p-values to two or three decimals, and p < .001 for
smaller ones). Rounding is half-up on the decimal value, as a reader rounds by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coprodlib.workbook.formatting import KINDS, KINDS_BY_COLUMN, format_value, kind_of

EN_DASH = "\u2013"


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.0004, "< .001"),  # APA 6.44: below .001 as p < .001
        (0.000999, "< .001"),  # rounds to .001 but is below it
        (0.001, ".001"),
        (0.0415, ".042"),  # half-up (half-even would also give .042)
        (0.0425, ".043"),  # half-up; format(0.0425, ".3f") gives 0.042 (binary half-even)
        (0.0125, ".013"),
        (0.05, ".050"),  # three decimals, trailing zero kept
        (0.5, ".500"),
        (0.999, ".999"),
        (0.9994, "> .999"),  # above .999, though it would round to .999
        (0.9996, "> .999"),
        (1.0, "> .999"),
        (0.0, "< .001"),
        (np.float64(0.042), ".042"),
        (float("nan"), EN_DASH),
        (None, EN_DASH),
        (pd.NA, EN_DASH),
    ],
)
def test_p_values_follow_apa(p, text):
    assert format_value(p, "p") == text


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234, "count", "1,234"),
        (np.int64(1234567), "count", "1,234,567"),
        (92.0, "count", "92"),
        (0, "count", "0"),
        (0.425, "share", "42.5%"),
        (np.float64(0.3333333), "share", "33.3%"),
        (0.0, "share", "0.0%"),
        (1.0, "share", "100.0%"),
        (0.00125, "share", "0.1%"),  # 0.125 half-up
        (21.655, "stat", "21.66"),  # half-up on the decimal value
        (-0.35, "stat", "-0.35"),
        (-0.001, "stat", "0.00"),  # no negative zero
        (7.2431, "stat", "7.24"),
        (float("inf"), "stat", "\u221e"),
        (0.34, "bounded", ".34"),  # APA 6.36: no leading zero
        (-0.054, "bounded", "-.05"),
        (1.0, "bounded", "1.00"),
        (-1, "bounded", "-1.00"),
        (-0.004, "bounded", ".00"),
        (2024, "int", "2024"),  # no separator for years
        (296.0, "int", "296"),
        (np.int64(6), "int", "6"),
        (296.426, "int", "296.43"),  # a fractional (Welch) df keeps two decimals
        ("citizen", "text", "citizen"),
        (3, "text", "3"),
        ("", "text", ""),
    ],
)
def test_kinds(value, kind, text):
    assert format_value(value, kind) == text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, np.float32("nan")])
def test_missing_is_an_en_dash_for_every_kind(kind, missing):
    assert format_value(missing, kind) == EN_DASH


def test_numpy_values_never_show_their_repr():
    for kind in ("count", "stat", "bounded", "p", "int", "share"):
        assert "np." not in format_value(np.float64(0.5), kind)


def test_wrong_kind_and_wrong_values_are_clear():
    with pytest.raises(ValueError, match="kind='pvalue' is not offered"):
        format_value(0.1, "pvalue")
    with pytest.raises(ValueError, match="between 0 and 1"):
        format_value(1.5, "p")
    with pytest.raises(TypeError, match="formats numbers"):
        format_value("abc", "stat")
    with pytest.raises(TypeError, match="formats numbers"):
        format_value(True, "count")


def test_kinds_by_column_cover_the_interface():
    expected = {
        "n": "count",
        "share": "share",
        "pval": "p",
        "p_adjusted": "p",
        "exact_pval": "p",
        "chi2": "stat",
        "statistic": "stat",
        "odds_ratio": "stat",
        "ci_low": "stat",
        "ci_high": "stat",
        "cramer_v": "bounded",
        "r": "bounded",
        "alpha": "bounded",
        "kappa": "bounded",
        "dof": "int",
        "df1": "int",
        "df2": "int",
    }
    assert {k: KINDS_BY_COLUMN[k] for k in expected} == expected
    assert set(KINDS_BY_COLUMN.values()) <= set(KINDS)


def test_kind_of_uses_the_mapping_then_the_values():
    assert kind_of("pval", pd.Series([0.5, 0.01])) == "p"
    assert kind_of("age", pd.Series([31, 45])) == "count"
    assert kind_of("age", pd.Series([31, None], dtype="Int64")) == "count"
    assert kind_of("score", pd.Series([3.5, 4.25])) == "stat"
    assert kind_of("role", pd.Series(["citizen", "professional"])) == "text"
    assert kind_of("flag", pd.Series([True, False])) == "text"
    assert kind_of("unknown") == "text"


def test_known_name_over_words_is_text():
    # a problem table (Problem.as_dict) has a text column "expected"; a user's "n" of words
    assert kind_of("expected", pd.Series(["a two-letter code"])) == "text"
    assert kind_of("n", pd.Series(["many", "few"])) == "text"
    assert kind_of("n", pd.Series([3, None], dtype=object)) == "count"
    assert kind_of("pval", pd.Series([], dtype=float)) == "p"
