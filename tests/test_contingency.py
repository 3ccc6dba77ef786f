"""Chi-square tests of independence, residuals, exact p-values and multiple-comparison corrections.

Reference values come from a textbook (Agresti 2007) or from independent implementations
(scipy, statsmodels, or an exact enumeration written out in this file); each is cited where used.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from coprodlib.analysis.contingency import (
    STATS_COLUMNS,
    adjust_pvalues,
    compare_groups,
    crosstab_test,
)
from coprodlib.errors import DataError

# Agresti, A. (2007). An Introduction to Categorical Data Analysis, 2nd ed., Wiley.
# Table 2.5: party identification by gender (General Social Survey), with expected counts, and
# the standardized (adjusted) residuals discussed with it in Sec. 2.4. Published values:
# X2 = 30.1 on df = 2; standardized residuals 4.50, 0.70, -5.32 (females) and -4.50, -0.70,
# 5.32 (males). Every value was also recomputed independently before use: n = 2757, row
# totals 1557 / 1200, column totals 1246 / 566 / 945, E = row x column / n (e.g. 1557 x 1246 /
# 2757 = 703.67), X2 = 30.070; residuals (O - E) / sqrt(E (1 - row/n)(1 - col/n)).
PARTY = pd.DataFrame(
    {
        "gender": ["female"] * 3 + ["male"] * 3,
        "party": ["democrat", "independent", "republican"] * 2,
        "n": [762, 327, 468, 484, 239, 477],
    }
)


@pytest.fixture(scope="module")
def party():
    return crosstab_test(PARTY, "gender", "party", count="n")


def test_agresti_party_by_gender_chi_square(party):
    row = party.stats.iloc[0]
    assert list(party.stats.columns) == STATS_COLUMNS
    assert row["n"] == 2757
    assert row["chi2"] == pytest.approx(30.07, abs=0.005)
    assert row["dof"] == 2
    # p-value of X2 = 30.070 on 2 df, from scipy's chi-square distribution (independent)
    assert row["pval"] == pytest.approx(stats.chi2.sf(30.070149, 2), rel=1e-5)
    # Cramer's V = sqrt(X2 / (n (min(2, 3) - 1))) = sqrt(30.070 / 2757) = 0.1044
    assert row["cramer_v"] == pytest.approx(math.sqrt(30.070149 / 2757), rel=1e-6)
    assert not row["exact"] and row["exact_method"] == "" and np.isnan(row["exact_pval"])
    assert row["small_expected"] == 0.0


def test_agresti_party_by_gender_expected_and_residuals(party):
    # row total x column total / n, worked by hand (1557 x 1246 / 2757 = 703.67, ...)
    expected = [[703.67, 319.65, 533.68], [542.33, 246.35, 411.32]]
    np.testing.assert_allclose(party.expected.to_numpy(), expected, atol=0.006)
    residuals = [[4.50, 0.70, -5.32], [-4.50, -0.70, 5.32]]  # Agresti (2007), Sec. 2.4
    np.testing.assert_allclose(party.residuals.to_numpy(), residuals, atol=0.005)
    assert list(party.residuals.index) == ["female", "male"]
    assert list(party.residuals.columns) == ["democrat", "independent", "republican"]
    assert party.residuals.index.name == "gender" and party.residuals.columns.name == "party"
    assert party.observed.loc["male", "republican"] == 477


def test_one_row_per_observation_equals_precounted(party):
    long = PARTY.loc[PARTY.index.repeat(PARTY["n"]), ["gender", "party"]]
    res = crosstab_test(long.sample(frac=1, random_state=3), "gender", "party")
    pd.testing.assert_frame_equal(res.stats, party.stats)
    pd.testing.assert_frame_equal(res.observed, party.observed)


def test_residuals_and_cramer_v_match_statsmodels_and_scipy():
    # Independent implementations: statsmodels' Table.standardized_resids are the adjusted
    # residuals (O - E) / sqrt(E (1 - p_row) (1 - p_col)); scipy's association(cramer).
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {"a": rng.choice(list("xyz"), 300, p=[0.5, 0.3, 0.2]), "b": rng.choice(list("pqrs"), 300)}
    )
    res = crosstab_test(df, "a", "b", exact=False)
    table = pd.crosstab(df["a"], df["b"])
    np.testing.assert_allclose(
        res.residuals.to_numpy(), Table(table).standardized_resids.to_numpy(), rtol=1e-10
    )
    assert res.stats.loc[0, "cramer_v"] == pytest.approx(
        stats.contingency.association(table.to_numpy(), method="cramer"), rel=1e-10
    )
    assert res.stats.loc[0, "chi2"] == pytest.approx(
        stats.chi2_contingency(table.to_numpy(), correction=False).statistic, rel=1e-10
    )


def test_statistic_equals_pingouin_on_one_row_per_observation(party):
    # an independent implementation: pingouin's chi2_independence on the 2,757 observations
    # written out one row each (what the library did itself before it used the table)
    import warnings

    import pingouin as pg

    long = PARTY.loc[PARTY.index.repeat(PARTY["n"]), ["gender", "party"]].astype(object)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, _, tests = pg.chi2_independence(long, "gender", "party", correction=False)
    ref = tests.set_index("test").loc["pearson"]
    row = party.stats.iloc[0]
    for ours, theirs in (
        ("chi2", "chi2"),
        ("dof", "dof"),
        ("pval", "pval"),
        ("cramer_v", "cramer"),
    ):
        assert row[ours] == pytest.approx(ref[theirs], rel=1e-10)
    pd.testing.assert_frame_equal(
        party.expected,
        expected.reindex(index=party.expected.index, columns=party.expected.columns),
        check_exact=False,
        rtol=1e-10,
        check_names=False,
        check_dtype=False,
    )


def test_fisher_tea_tasting_two_by_two():
    # Fisher's tea-tasting experiment, [[3, 1], [1, 3]], as used in Agresti (2007), Sec. 2.6
    # (small-sample tests): one-sided P = 0.243. Verified by hand: the hypergeometric
    # probabilities of n11 = 0..4 are 1, 16, 36, 16, 1 (/ 70), so the one-sided P is 17 / 70 =
    # 0.243 and the two-sided P (tables as or less likely) is (1 + 16 + 16 + 1) / 70 = 0.486.
    tea = pd.DataFrame(
        {"poured": ["milk", "milk", "tea", "tea"], "guess": ["milk", "tea"] * 2, "n": [3, 1, 1, 3]}
    )
    row = crosstab_test(tea, "poured", "guess", count="n").stats.iloc[0]
    assert row["exact"]  # every expected count is 2 < 5
    assert row["exact_method"] == "fisher"
    assert row["exact_pval"] == pytest.approx(34 / 70, rel=1e-12)
    assert row["min_expected"] == 2.0 and row["small_expected"] == 1.0
    assert row["chi2"] == pytest.approx(2.0)  # no Yates correction: 4 x 1^2 / 2


def _exact_chi2_pvalue(table: np.ndarray) -> float:
    """Exact conditional p-value of Pearson's X2 for a 2 x c table, by enumerating every table
    with the observed margins and its multivariate hypergeometric probability (independent
    of the Monte-Carlo code under test)."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    n = table.sum()

    def x2(t):
        e = np.outer(t.sum(axis=1), t.sum(axis=0)) / n
        return ((t - e) ** 2 / e).sum()

    observed = x2(table)
    const = math.prod(math.factorial(r) for r in rows) * math.prod(math.factorial(c) for c in cols)
    p = 0.0
    for first in itertools.product(*(range(c + 1) for c in cols)):
        if sum(first) != rows[0]:
            continue
        t = np.array([first, cols - np.array(first)])
        prob = const / (math.factorial(n) * math.prod(math.factorial(int(v)) for v in t.ravel()))
        if x2(t) >= observed - 1e-9:
            p += prob
    return p


def test_monte_carlo_p_value_close_to_exact_enumeration():
    table = np.array([[3, 1, 0], [0, 2, 3]])
    df = pd.DataFrame(
        {
            "g": np.repeat(["a", "a", "a", "b", "b", "b"], table.ravel()),
            "v": np.repeat(["p", "q", "r"] * 2, table.ravel()),
        }
    )
    res = crosstab_test(df, "g", "v", n_resamples=10000, seed=1)
    row = res.stats.iloc[0]
    exact = _exact_chi2_pvalue(table)
    assert row["exact"] and row["exact_method"] == "monte-carlo"
    # 10000 resamples: standard error about sqrt(p (1 - p) / 10000) < 0.005
    assert row["exact_pval"] == pytest.approx(exact, abs=0.02)
    assert row["pval"] != pytest.approx(exact, abs=0.02)  # the asymptotic p differs here
    # seeded: the same seed gives the same p-value
    again = crosstab_test(df, "g", "v", n_resamples=10000, seed=1).stats.loc[0, "exact_pval"]
    assert again == row["exact_pval"]


def test_exact_options():
    df = pd.DataFrame({"g": list("aabbccaabbcc") * 10, "v": list("pqpqpqqpqppq") * 10})
    assert not crosstab_test(df, "g", "v").stats.loc[0, "exact"]  # all expected >= 5
    forced = crosstab_test(df, "g", "v", exact=True, n_resamples=200).stats.iloc[0]
    assert forced["exact"] and forced["exact_method"] == "monte-carlo"
    small = df.iloc[:12]
    never = crosstab_test(small, "g", "v", exact=False).stats.iloc[0]
    assert not never["exact"] and np.isnan(never["exact_pval"])
    assert never["small_expected"] == 1.0  # every expected count is 2


def test_empty_levels_dropped_and_category_order_kept():
    df = pd.DataFrame(
        {
            "role": pd.Categorical(
                ["professional", "citizen", "citizen", "professional"] * 3,
                categories=["professional", "third_party", "citizen"],
            ),
            "family": ["avoidance", "balancing", "escalation", "balancing"] * 3,
            "n": [1, 2, 3, 4] * 3,
        }
    )
    df.loc[0, "role"] = None  # missing values are left out
    res = crosstab_test(df, "role", "family", count="n")
    assert list(res.observed.index) == ["professional", "citizen"]  # third_party: no data
    assert list(res.observed.columns) == ["avoidance", "balancing", "escalation"]
    # professional: avoidance 1 x 2 rows left (one went missing), balancing 4 x 3 rows
    assert res.observed.loc["professional"].tolist() == [2, 12, 0]
    assert res.stats.loc[0, "n"] == 2 + 12 + 6 + 9


def test_cells_long_form(party):
    cells = party.cells()
    assert list(cells.columns) == ["gender", "party", "observed", "expected", "residual"]
    assert len(cells) == 6
    row = cells[(cells.gender == "female") & (cells.party == "democrat")].iloc[0]
    assert row["observed"] == 762 and row["residual"] == pytest.approx(4.50, abs=0.005)


def test_adjust_pvalues_by_hand():
    p = [0.01, 0.04, 0.03, 0.005]
    # Holm: sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04;
    # running maximum -> 0.02, 0.03, 0.06, 0.06; back in input order:
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.03, 0.06, 0.06, 0.02])
    # Benjamini-Hochberg: p x 4 / rank -> 0.02, 0.02, 0.04, 0.04; running minimum from the top
    np.testing.assert_allclose(adjust_pvalues(p, "fdr_bh"), [0.02, 0.04, 0.04, 0.02])
    # Bonferroni: p x 4, capped at 1
    np.testing.assert_allclose(adjust_pvalues(p, "bonferroni"), [0.04, 0.16, 0.12, 0.02])
    series = pd.Series([0.01, np.nan, 0.04], index=["a", "b", "c"])
    out = adjust_pvalues(series, "bonferroni")  # the missing p-value is not a test: m = 2
    assert list(out.index) == ["a", "b", "c"]
    np.testing.assert_allclose(out.to_numpy(), [0.02, np.nan, 0.08])
    with pytest.raises(ValueError, match="method='tukey'"):
        adjust_pvalues(p, "tukey")


@pytest.mark.parametrize("seed", range(8))
def test_holm_equals_statsmodels_to_the_bit(seed):
    # Holm is computed in coprodlib (statsmodels' own runs gc.collect() on every call); the
    # result must be statsmodels' exactly: ties, values that reach the cap of 1, one test
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    p = rng.choice([0.001, 0.01, 0.02, 0.049, 0.3, 0.5, 1.0], size=n)  # many ties
    p = np.where(rng.random(n) < 0.5, rng.random(n), p)
    out = adjust_pvalues(p, "holm")
    assert out.tobytes() == multipletests(p, method="holm")[1].tobytes()


def test_holm_runs_no_garbage_collection(monkeypatch):
    import gc

    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append(a) or 0)
    adjust_pvalues([0.01, 0.04, 0.03], "holm")
    adjust_pvalues(pd.Series([0.2, np.nan, 0.01]), "holm")
    assert calls == []


def test_compare_groups_one_test_per_group_with_holm():
    rng = np.random.default_rng(11)
    df = pd.DataFrame(
        {
            "case": np.repeat(["c1", "c2", "c3"], 80),
            "role": rng.choice(["citizen", "professional"], 240),
            "family": rng.choice(["avoidance", "balancing", "escalation"], 240),
        }
    )
    df.loc[df.case == "c3", "role"] = "citizen"  # c3 cannot be tested: one role only
    table = compare_groups(df, "role", "family", by="case")
    assert list(table.columns) == ["case", *STATS_COLUMNS, "p_adjusted"]
    assert table["case"].tolist() == ["c1", "c2", "c3"]
    for case in ("c1", "c2"):
        single = crosstab_test(df[df.case == case], "role", "family").stats.iloc[0]
        got = table.set_index("case").loc[case]
        assert got["chi2"] == pytest.approx(single["chi2"])
        assert got["n"] == 80
    c3 = table.set_index("case").loc["c3"]
    assert c3["n"] == 80 and np.isnan(c3["chi2"]) and np.isnan(c3["p_adjusted"])
    # Holm over the two testable groups, by hand: smaller p x 2, larger p x 1 (then monotone)
    p = table["pval"].iloc[:2].to_numpy()
    lo, hi = np.argsort(p)
    assert table["p_adjusted"].iloc[lo] == pytest.approx(min(1, 2 * p[lo]))
    assert table["p_adjusted"].iloc[hi] == pytest.approx(max(min(1, 2 * p[lo]), p[hi]))


# --------------------------------------------------------------------------- bad input


def test_unknown_column_is_a_clear_data_error():
    with pytest.raises(DataError) as err:
        crosstab_test(PARTY, "gendr", "party", count="n")
    message = str(err.value)
    assert "gendr" in message and "did you mean 'gender'" in message and "x=" in message
    assert not isinstance(err.value, KeyError)
    assert err.value.problems[0].kind == "missing_column"


def test_empty_selection_and_single_level():
    empty = PARTY.assign(gender=None)
    with pytest.raises(DataError, match="at least one observation"):
        crosstab_test(empty, "gender", "party", count="n")
    with pytest.raises(DataError, match="at least 2 levels") as err:
        crosstab_test(PARTY[PARTY.gender == "female"], "gender", "party", count="n")
    assert err.value.problems[0].column == "gender"
    zero = PARTY.assign(n=[762, 327, 0, 484, 239, 0])  # republican column empty -> dropped
    res = crosstab_test(zero, "gender", "party", count="n")
    assert list(res.observed.columns) == ["democrat", "independent"]


def test_bad_counts_name_the_row():
    bad = PARTY.assign(n=[762, 327, -4, 484, 2.5, 477])
    with pytest.raises(DataError) as err:
        crosstab_test(bad, "gender", "party", count="n")
    assert [p.index for p in err.value.problems] == [2, 4]  # the 3rd and 5th rows' labels
    assert all(p.row is None for p in err.value.problems)  # a frame has no spreadsheet lines
    relabelled = bad.set_axis([f"r{i}" for i in range(6)])
    with pytest.raises(DataError, match="index 'r2'"):
        crosstab_test(relabelled, "gender", "party", count="n")
    assert "whole, non-negative number" in str(err.value)


def test_wrong_arguments():
    with pytest.raises(ValueError, match="exact='sometimes'"):
        crosstab_test(PARTY, "gender", "party", count="n", exact="sometimes")
    with pytest.raises(ValueError, match="two different columns"):
        crosstab_test(PARTY, "party", "party")
    with pytest.raises(ValueError, match="n_resamples=0"):
        crosstab_test(PARTY, "gender", "party", count="n", n_resamples=0)
    with pytest.raises(TypeError, match="DataFrame"):
        crosstab_test(PARTY.to_dict(), "gender", "party")
    with pytest.raises(DataError, match="did you mean 'case'"):
        compare_groups(PARTY.assign(case="a"), "gender", "party", by="cases", count="n")


def test_compare_groups_vectorised_equals_one_test_per_group() -> None:
    """The stacked (all groups at once) statistics equal crosstab_test's, which come from
    pingouin.chi2_independence: an independent implementation of the same test."""
    rng = np.random.default_rng(11)
    n = 3000
    df = pd.DataFrame(
        {
            "study": rng.choice(["s1", "s2"], n),
            "case": rng.choice([f"c{i:02d}" for i in range(12)], n),
            "role": rng.choice(["citizen", "servant", "third"], n, p=[0.5, 0.4, 0.1]),
            "family": rng.choice(["avoid", "escalate", "trade", "balance"], n),
        }
    )
    df.loc[df["case"] == "c00", "role"] = "citizen"  # one role only: not testable
    df = df[~((df["case"] == "c01") & (df.index % 5 != 0))]  # a small case: exact p needed
    table = compare_groups(df, "role", "family", by=["study", "case"])
    assert len(table) == df.groupby(["study", "case"]).ngroups
    for row in table.itertuples(index=False):
        group = df[(df["study"] == row.study) & (df["case"] == row.case)]
        if row.case == "c00":
            assert np.isnan(row.chi2) and pd.isna(row.dof) and row.n == len(group)
            continue
        ref = crosstab_test(group, "role", "family").stats.iloc[0]
        for col in ("n", "chi2", "dof", "pval", "cramer_v", "min_expected", "small_expected"):
            assert float(getattr(row, col)) == pytest.approx(float(ref[col]), rel=1e-9), col
        assert row.exact == ref["exact"] and row.exact_method == ref["exact_method"]
        if ref["exact"]:
            assert row.exact_pval == pytest.approx(ref["exact_pval"])
    assert table.loc[table["case"] == "c01", "exact"].all()
