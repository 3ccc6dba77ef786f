"""Statistics at the edges: constant, empty and tiny inputs, and small-sample p-values.

Each test pins a case where the earlier code gave a wrong or silent answer (issue 15, item
12). Reference values come from scipy and statsmodels, from hand calculation shown in the
comments, from a full enumeration of all orderings, or from a published example (cited).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from coprodlib.analysis.contingency import compare_groups, crosstab_test
from coprodlib.analysis.scales import item_stats, scale_reliability
from coprodlib.analysis.survey_models import choice_models, group_difference, trait_correlations
from coprodlib.errors import DataError

# --------------------------------------------------------------------------- correlations


@pytest.fixture
def traits() -> pd.DataFrame:
    rng = np.random.default_rng(15)
    a = rng.normal(size=30)
    return pd.DataFrame(
        {
            "a": a,
            "flat": 3.0,  # the same for everybody
            "c": a + rng.normal(size=30),
            "empty": np.nan,  # never answered
            "d": rng.normal(size=30),
        }
    )


def test_constant_or_empty_column_keeps_exactly_the_requested_pairs(traits) -> None:
    cols = ["a", "flat", "c", "empty", "d"]
    table = trait_correlations(traits, cols)
    pairs = [[x, y] for i, x in enumerate(cols) for y in cols[i + 1 :]]
    assert table[["x", "y"]].values.tolist() == pairs  # all 10 pairs, no others
    bad = table["x"].isin(["flat", "empty"]) | table["y"].isin(["flat", "empty"])
    assert table.loc[bad, ["r", "pval", "p_adjusted", "ci_low"]].isna().all().all()
    assert table.loc[bad, "note"].str.len().gt(0).all()
    flat = table[(table["x"] == "a") & (table["y"] == "flat")].iloc[0]
    assert "'flat' is 3" in flat["note"] and "constant" in flat["note"]
    empty = table[(table["x"] == "a") & (table["y"] == "empty")].iloc[0]
    assert "'empty' has no values" in empty["note"] and empty["n"] == 0
    good = table[~bad]
    assert good[["x", "y"]].values.tolist() == [["a", "c"], ["a", "d"], ["c", "d"]]
    assert (good["note"] == "").all()
    ref = [stats.pearsonr(traits[x], traits[y]) for x, y in good[["x", "y"]].values]
    assert good["r"].tolist() == pytest.approx([r.statistic for r in ref])
    p = [r.pvalue for r in ref]
    assert good["pval"].tolist() == pytest.approx(p)
    # Holm over the three tests computed, not over ten and not over some other set
    assert good["p_adjusted"].tolist() == pytest.approx(multipletests(p, method="holm")[1])


def test_two_columns_one_constant_is_a_note_not_other_columns(traits) -> None:
    table = trait_correlations(traits, ["flat", "a"])
    assert table[["x", "y"]].values.tolist() == [["flat", "a"]]
    assert np.isnan(table.loc[0, "r"]) and "constant" in table.loc[0, "note"]


# Spearman on n = 10 untied ranks: y swaps ranks 1 and 3 and ranks 4 and 6, so the sum of
# squared rank differences is S = 4 * 2**2 = 16 and rho = 1 - 6 S / (n**3 - n) = 0.903030.
SPEARMAN_X = np.arange(1, 11)
SPEARMAN_Y = np.array([3, 2, 1, 6, 5, 4, 7, 8, 9, 10])


def test_spearman_exact_p_for_a_small_untied_sample() -> None:
    df = pd.DataFrame({"x": SPEARMAN_X, "y": SPEARMAN_Y})
    row = trait_correlations(df, ["x", "y"], method="spearman").iloc[0]
    assert row["r"] == pytest.approx(1 - 6 * 16 / 990)
    # t approximation, which the earlier code always used: 0.000344 (scipy.stats.spearmanr)
    assert stats.spearmanr(SPEARMAN_X, SPEARMAN_Y).pvalue == pytest.approx(3.436122e-4)
    # exact: listing all 10! = 3,628,800 orderings of y (itertools.permutations, run once
    # while writing this test), 1,465 have S <= 16, so two-sided p = 2 * 1465 / 10!.
    # R's cor.test gives 0.000880 here: for n > 9 it uses the Edgeworth series of AS 89,
    # an approximation, not the exact distribution.
    assert row["p_method"] == "exact"
    assert row["pval"] == pytest.approx(2 * 1465 / math.factorial(10), rel=1e-12)
    assert row["pval"] == pytest.approx(8.074295e-4)


def test_spearman_exact_p_matches_published_and_enumerated_values() -> None:
    # Published: the pspearman R package (Savicky), ?pspearman example,
    # pspearman(36, 10, approximation = "exact") = 0.005265377 = P(S <= 36) for n = 10.
    # An ordering with S = 36: swap ranks 1 and 4 (3**2 + 3**2 = 18) and ranks 6 and 9 (18).
    y = np.array([4, 2, 3, 1, 5, 9, 7, 8, 6, 10])
    assert ((SPEARMAN_X - y) ** 2).sum() == 36
    df = pd.DataFrame({"x": SPEARMAN_X, "y": y})
    row = trait_correlations(df, ["x", "y"], method="spearman").iloc[0]
    assert row["pval"] == pytest.approx(2 * 0.005265377, rel=1e-7)
    # scipy's own exact machinery: a permutation test over all 7! orderings of x against y,
    # with Pearson's r of the ranks (Spearman's rho; x and y are ranks already) as statistic
    rng = np.random.default_rng(3)
    for _ in range(3):
        x, y = rng.permutation(7) + 1.0, rng.permutation(7) + 1.0

        def rho(a, axis=-1, y=y):
            a = a - a.mean(axis=axis, keepdims=True)
            b = y - y.mean()
            return (a * b).sum(axis=axis) / np.sqrt((a * a).sum(axis=axis) * (b * b).sum())

        ref = stats.permutation_test(
            (x,), rho, permutation_type="pairings", n_resamples=np.inf, vectorized=True
        )
        got = trait_correlations(pd.DataFrame({"x": x, "y": y}), ["x", "y"], method="spearman")
        assert got.loc[0, "pval"] == pytest.approx(ref.pvalue, rel=1e-9)


def test_spearman_with_ties_or_a_large_sample_uses_the_t_approximation() -> None:
    tied = pd.DataFrame({"x": [1, 2, 2, 3, 4, 5, 6, 7], "y": [2, 1, 3, 3, 5, 4, 8, 7]})
    row = trait_correlations(tied, ["x", "y"], method="spearman").iloc[0]
    assert row["p_method"] == "t"
    assert row["pval"] == pytest.approx(stats.spearmanr(tied["x"], tied["y"]).pvalue)
    rng = np.random.default_rng(4)
    big = pd.DataFrame({"x": rng.normal(size=40), "y": rng.normal(size=40)})
    row = trait_correlations(big, ["x", "y"], method="spearman").iloc[0]
    assert row["p_method"] == "t"
    assert row["pval"] == pytest.approx(stats.spearmanr(big["x"], big["y"]).pvalue)
    pearson = trait_correlations(big, ["x", "y"]).iloc[0]
    assert pearson["p_method"] == "t"


def test_spearman_interval_uses_the_bonett_wright_standard_error() -> None:
    # Bonett & Wright (2000), Psychometrika 65(1), 23-28: se(atanh(rho)) = sqrt((1 + rho**2 / 2)
    # / (n - 3)). By hand for rho = 0.9030303, n = 10: se = sqrt(1.407727 / 7) = 0.448447;
    # atanh(rho) = 1.488402; 1.959964 * se = 0.878940; tanh(0.609462) = 0.543749 and
    # tanh(2.367342) = 0.982583. (Fisher's 1 / sqrt(n - 3) would give 0.633718 to 0.977103.)
    df = pd.DataFrame({"x": SPEARMAN_X, "y": SPEARMAN_Y})
    row = trait_correlations(df, ["x", "y"], method="spearman").iloc[0]
    assert row["ci_low"] == pytest.approx(0.543749, abs=1e-6)
    assert row["ci_high"] == pytest.approx(0.982583, abs=1e-6)


# --------------------------------------------------------------------------- group differences


@pytest.fixture
def roles() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    role = np.repeat(["citizen", "servant", "third"], 10)
    return pd.DataFrame(
        {
            "role": role,
            "trust": rng.normal(size=30) + (role == "citizen"),
            "flat": 4.0,
            "efficacy": rng.normal(size=30),
        }
    )


@pytest.mark.parametrize("parametric", [True, False])
def test_a_constant_outcome_does_not_lose_the_others(roles, parametric) -> None:
    table = group_difference(roles, ["trust", "flat", "efficacy"], "role", parametric=parametric)
    assert table["dv"].tolist() == ["trust", "flat", "efficacy"]
    flat = table.iloc[1]
    assert np.isnan(flat["statistic"]) and np.isnan(flat["pval"]) and np.isnan(flat["effect_size"])
    assert "'flat' is 4 for all 30 respondents" in flat["note"]
    test = stats.f_oneway if parametric else stats.kruskal
    for i, column in ((0, "trust"), (2, "efficacy")):
        ref = test(*[g[column].to_numpy() for _, g in roles.groupby("role")])
        assert table.loc[i, "statistic"] == pytest.approx(ref.statistic)
        assert table.loc[i, "pval"] == pytest.approx(ref.pvalue)
        assert table.loc[i, "note"] == ""


def test_an_outcome_present_in_one_group_only_is_a_note(roles) -> None:
    data = roles.copy()
    data.loc[data["role"] != "citizen", "efficacy"] = np.nan
    table = group_difference(data, ["trust", "efficacy"], "role")
    assert table.loc[0, "pval"] == pytest.approx(
        stats.f_oneway(*[g["trust"].to_numpy() for _, g in roles.groupby("role")]).pvalue
    )
    assert np.isnan(table.loc[1, "pval"]) and "fewer than 2 groups" in table.loc[1, "note"]
    assert table.loc[1, "n_dropped"] == 20


def test_a_single_level_is_named_in_plain_values(roles) -> None:
    with pytest.raises(DataError, match="at least 2 groups") as err:
        group_difference(roles.assign(role=1), "trust", "role")
    assert "found [1]" in str(err.value) and "np." not in str(err.value)
    with pytest.raises(DataError, match="at least 2 different choices") as err:
        choice_models(roles.assign(choice=2), "choice", "trust")
    assert "found [2]" in str(err.value) and "np." not in str(err.value)


# --------------------------------------------------------------------------- Cronbach's alpha

# Two items that vary and one that does not. By hand: var(q1) = var(q2) = 2.0, var(q1 + q2) =
# 7.2, so alpha = 2 / 1 * (1 - 4 / 7.2) = 8 / 9 = 0.888889 on q1, q2. With the constant q3 the
# same sums give 3 / 2 * (1 - 4 / 7.2) = 2 / 3: lower by the factor (k + 1)(k - 1) / k**2.
CONSTANT_ITEM = pd.DataFrame(
    {"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 1, 4, 3, 5, 3], "q3": [4, 4, 4, 4, 4, 4]}
)


def test_zero_variance_item_is_left_out_of_alpha_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="q3 got the same answer from all 6 respondents"):
        table = scale_reliability(CONSTANT_ITEM, ["q1", "q2", "q3"])
    row = table.iloc[0]
    assert row["alpha"] == pytest.approx(8 / 9, rel=1e-12)
    reduced = float(pg.cronbach_alpha(data=CONSTANT_ITEM[["q1", "q2"]])[0])
    assert row["alpha"] == pytest.approx(reduced, rel=1e-12)
    assert (row["n_items"], row["excluded"], row["n"]) == (2, "q3", 6)
    # the interval belongs to the two-item alpha: Feldt's F interval with df (5, 5)
    low = 1 - (1 - 8 / 9) * stats.f.isf(0.025, 5, 5)
    assert row["ci_low"] == pytest.approx(low)


def test_zero_variance_item_in_item_stats() -> None:
    with pytest.warns(UserWarning, match="left out of alpha"):
        table = item_stats(CONSTANT_ITEM, ["q1", "q2", "q3"])
    assert table["item"].tolist() == ["q1", "q2", "q3"]
    q3 = table.iloc[2]
    assert (q3["mean"], q3["sd"]) == (4.0, 0.0)
    assert np.isnan(q3["item_total_r"]) and np.isnan(q3["alpha_if_deleted"])
    # item-total r of q1 is its correlation with q2 alone: cov / sd sd = 1.6 / 2 = 0.8
    assert table.loc[0, "item_total_r"] == pytest.approx(0.8)


def test_items_that_vary_with_a_constant_total_say_so() -> None:
    mirrored = pd.DataFrame({"a": [1, 2, 3, 4], "b": [5, 4, 3, 2]})  # b = 6 - a
    with pytest.raises(DataError) as err:
        scale_reliability(mirrored, ["a", "b"])
    message = str(err.value)
    assert "the items vary" in message and "the same total (6)" in message
    assert "reversed" in message and err.value.problems[0].kind == "no_variance"
    flat = pd.DataFrame({"a": [2, 2, 2], "b": [3, 3, 3], "c": [1, 2, 3]})
    with (
        pytest.raises(DataError, match="at least 2 items whose answers vary") as err,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")  # an error, not a warning followed by an error
        scale_reliability(flat, ["a", "b", "c"])
    assert "a, b got the same answer" in str(err.value)


# --------------------------------------------------------------------------- counts

COUNTED = pd.DataFrame(
    {
        "gender": ["female", "female", "male", "male"],
        "party": ["democrat", "republican", "democrat", "republican"],
        "n": [30, 12, np.nan, 25],
    },
    index=["r1", "r2", "r3", "r4"],
)


def test_a_missing_count_is_an_error_naming_row_and_column() -> None:
    with pytest.raises(DataError) as err:
        crosstab_test(COUNTED, "gender", "party", count="n")
    problem = err.value.problems[0]
    assert (problem.index, problem.column, len(err.value.problems)) == ("r3", "n", 1)
    assert "index 'r3', column 'n'" in str(err.value) and "empty" in str(err.value)
    with pytest.raises(DataError, match="index 'r3', column 'n'"):
        compare_groups(COUNTED.assign(case="a"), "gender", "party", by="case", count="n")


def test_a_missing_count_on_a_row_left_out_is_not_an_error() -> None:
    # the row without a party is not counted anywhere, so its empty count does not matter
    data = COUNTED.assign(party=["democrat", "republican", None, "republican"])
    data.loc["r5"] = ["male", "democrat", 20]
    res = crosstab_test(data, "gender", "party", count="n")
    assert res.observed.loc["male", "democrat"] == 20
