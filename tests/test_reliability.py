"""Intercoder reliability: Krippendorff's alpha, Cohen's kappa, percent and per-code agreement.

Reference values: Krippendorff's published worked example, a hand-verified Cohen's kappa
example, scikit-learn's ``cohen_kappa_score`` and a coincidence-matrix computation written out
here as independent implementations, and small hand-built data whose answers are worked out
in the comments.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from coprodlib.analysis.reliability import agreement, code_agreement, code_decisions, cohen_kappa
from coprodlib.errors import DataError

NAN = np.nan

# Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School for
# Communication, University of Pennsylvania (Departmental Papers 43), example C: 4 observers,
# 12 units, values 1-5, missing data. Published: nominal alpha = 0.743, ordinal 0.815,
# interval 0.849, ratio 0.797. Unit 12 has a single value (not pairable).
KRIPP = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)


@pytest.fixture(scope="module")
def kripp_long():
    wide = pd.DataFrame(KRIPP, index=["A", "B", "C", "D"], columns=range(1, 13))
    long = wide.rename_axis("coder").reset_index().melt("coder", var_name="unit", value_name="v")
    return long  # missing values stay as NaN rows: "missing allowed"


def _nominal_alpha_by_hand(matrix: np.ndarray) -> float:
    """Nominal alpha from the coincidence matrix (Krippendorff 2011, sec. C), written out."""
    values = np.unique(matrix[~np.isnan(matrix)])
    o = np.zeros((values.size, values.size))
    for unit in matrix.T:
        present = unit[~np.isnan(unit)]
        m = present.size
        if m < 2:
            continue
        for i, j in itertools.permutations(range(m), 2):
            o[np.searchsorted(values, present[i]), np.searchsorted(values, present[j])] += 1 / (
                m - 1
            )
    n_c = o.sum(axis=1)
    n = n_c.sum()
    disagree = o.sum() - np.trace(o)
    expected = (n * n - (n_c**2).sum()) / (n - 1)
    return 1 - disagree / expected


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_published_example(kripp_long, level, published):
    table = agreement(kripp_long, unit="unit", coder="coder", code="v", measurement=level)
    assert list(table.columns) == ["alpha", "kappa", "percent_agreement", "n_units", "n_coders"]
    assert table.loc[0, "alpha"] == pytest.approx(published, abs=0.0005)
    assert table.loc[0, "n_units"] == 11  # unit 12 has one value only
    assert table.loc[0, "n_coders"] == 4


def test_nominal_alpha_equals_coincidence_matrix_by_hand(kripp_long):
    table = agreement(kripp_long, unit="unit", coder="coder", code="v")
    assert table.loc[0, "alpha"] == pytest.approx(_nominal_alpha_by_hand(KRIPP), rel=1e-12)


def test_percent_agreement_and_mean_pairwise_kappa(kripp_long):
    table = agreement(kripp_long, unit="unit", coder="coder", code="v")
    # Pairable units 1-11; all coders agree on units 1, 3, 4, 5, 7, 9, 10, 11 -> 8 / 11.
    assert table.loc[0, "percent_agreement"] == pytest.approx(8 / 11)
    # Mean of Cohen's kappa over the 6 coder pairs on their shared units, by scikit-learn.
    kappas = []
    for a, b in itertools.combinations(range(4), 2):
        both = ~np.isnan(KRIPP[a]) & ~np.isnan(KRIPP[b])
        kappas.append(cohen_kappa_score(KRIPP[a][both], KRIPP[b][both]))
    assert table.loc[0, "kappa"] == pytest.approx(np.mean(kappas), rel=1e-12)


# Cohen's kappa, worked example of 50 proposals rated yes/no by two readers (the example in the
# Wikipedia article "Cohen's kappa"): yes/yes 20, yes/no 5, no/yes 10, no/no 15. Verified by
# hand: p_o = (20 + 15) / 50 = 0.7; reader A says yes 25/50, reader B 30/50, so
# p_e = 0.5 x 0.6 + 0.5 x 0.4 = 0.5 and kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
PROPOSALS = pd.DataFrame(
    {
        "a": ["yes"] * 25 + ["no"] * 25,
        "b": ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15,
    }
)


def test_cohen_kappa_textbook_example():
    assert cohen_kappa(PROPOSALS, "a", "b") == pytest.approx(0.4, abs=1e-12)
    assert cohen_kappa_score(PROPOSALS["a"], PROPOSALS["b"]) == pytest.approx(0.4)


def test_agreement_two_coders_matches_textbook_kappa():
    long = PROPOSALS.rename_axis("unit").reset_index().melt("unit", var_name="coder")
    table = agreement(long, unit="unit", code="value")
    assert table.loc[0, "kappa"] == pytest.approx(0.4)
    assert table.loc[0, "percent_agreement"] == pytest.approx(0.7)
    assert table.loc[0, "n_units"] == 50 and table.loc[0, "n_coders"] == 2


def test_cohen_kappa_against_sklearn_with_missing():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"a": rng.choice(list("pqr"), 120), "b": rng.choice(list("pqrs"), 120)})
    df.loc[::7, "b"] = None
    kept = df.dropna()
    assert cohen_kappa(df, "a", "b") == pytest.approx(cohen_kappa_score(kept["a"], kept["b"]))


def test_agreement_by_group(kripp_long):
    kripp_long = kripp_long.assign(half=np.where(kripp_long["unit"] <= 6, "first", "second"))
    table = agreement(kripp_long, unit="unit", coder="coder", code="v", by="half")
    assert list(table.columns) == [
        "half", "alpha", "kappa", "percent_agreement", "n_units", "n_coders",
    ]  # fmt: skip
    assert table["half"].tolist() == ["first", "second"]
    first = KRIPP[:, :6]
    assert table.loc[0, "alpha"] == pytest.approx(_nominal_alpha_by_hand(first), rel=1e-12)
    assert table["n_units"].tolist() == [6, 5]


def test_ordered_categorical_for_ordinal_level():
    labels = ["low", "mid", "high"]
    long = pd.DataFrame(
        {
            "unit": [1, 1, 2, 2, 3, 3, 4, 4],
            "coder": ["x", "y"] * 4,
            "v": pd.Categorical(
                ["low", "low", "mid", "high", "high", "high", "mid", "mid"],
                categories=labels,
                ordered=True,
            ),
        }
    )
    as_numbers = long.assign(v=long["v"].cat.codes)
    a = agreement(long, unit="unit", code="v", measurement="ordinal")
    b = agreement(as_numbers, unit="unit", code="v", measurement="ordinal")
    assert a.loc[0, "alpha"] == pytest.approx(b.loc[0, "alpha"])


# ----------------------------------------------------------------- several codes per segment

# Two coders, four segments (worked out by hand):
#   ann: s1 {bias}, s2 {bias, cycling}, s3 {cycling}, s4 {} (a row with no code)
#   bob: s1 {bias}, s2 {bias},          s3 {bias},    s4 {cycling}
# bias:    ann 1 1 0 0 / bob 1 1 1 0 -> agree on 3 of 4; p_o = .75, p_e = .5 x .75 + .5 x .25
#          = .5, kappa = .5; nominal alpha: n = 8 values (five 1s, three 0s), one disagreeing
#          unit contributes o_01 = o_10 = 1, alpha = 1 - (n - 1) x 2 / (2 x 5 x 3) = 8 / 15.
# cycling: ann 0 1 1 0 / bob 0 0 0 1 -> agree on 1 of 4; p_o = .25, p_e = .5 x .25 + .5 x .75
#          = .5, kappa = -.5; three 1s, five 0s, three disagreeing units:
#          alpha = 1 - 7 x 6 / (2 x 3 x 5) = -0.4.
DOUBLE = pd.DataFrame(
    {
        "segment_id": ["s1", "s2", "s2", "s3", "s4", "s1", "s2", "s3", "s4"],
        "coder": ["ann"] * 5 + ["bob"] * 4,
        "code": ["bias", "bias", "cycling", "cycling", None, "bias", "bias", "bias", "cycling"],
    }
)


def test_code_decisions_present_absent():
    decisions = code_decisions(DOUBLE)
    assert list(decisions.columns) == ["segment_id", "coder", "code", "present"]
    assert len(decisions) == 2 * 4 * 2  # coders x segments x codes
    ann_bias = decisions.query("coder == 'ann' and code == 'bias'")["present"].tolist()
    assert ann_bias == [1, 1, 0, 0]  # s4 was looked at (row without a code): absent, not missing
    dropped_bob_s3 = DOUBLE.drop(index=7)  # bob never coded s3 -> no decision (missing)
    decisions = code_decisions(dropped_bob_s3)
    assert not ((decisions.coder == "bob") & (decisions.segment_id == "s3")).any()


def test_code_agreement_worked_by_hand():
    table = code_agreement(DOUBLE)
    assert list(table.columns) == [
        "code", "alpha", "kappa", "percent_agreement", "n_units", "n_coded",
    ]  # fmt: skip
    table = table.set_index("code")
    assert table.loc["bias", "kappa"] == pytest.approx(0.5)
    assert table.loc["cycling", "kappa"] == pytest.approx(-0.5)
    assert table.loc["bias", "alpha"] == pytest.approx(8 / 15)
    assert table.loc["cycling", "alpha"] == pytest.approx(-0.4)
    assert table.loc["bias", "percent_agreement"] == pytest.approx(0.75)
    assert table.loc["cycling", "percent_agreement"] == pytest.approx(0.25)
    assert table["n_units"].tolist() == [4, 4]
    assert table.loc["bias", "n_coded"] == 3 and table.loc["cycling", "n_coded"] == 3


def test_code_agreement_by_code_attribute_and_by_unit_attribute():
    dims = {"bias": "strategy", "cycling": "strategy", "withdrawal": "effect"}
    extra = pd.DataFrame(
        {"segment_id": ["s2", "s2"], "coder": ["ann", "bob"], "code": ["withdrawal"] * 2}
    )
    data = pd.concat([DOUBLE, extra], ignore_index=True)
    data["dimension"] = data["code"].map(dims)
    table = code_agreement(data.dropna(subset=["code"]), by="dimension")
    assert table[["dimension", "code"]].values.tolist() == [
        ["effect", "withdrawal"], ["strategy", "bias"], ["strategy", "cycling"],
    ]  # fmt: skip
    # withdrawal: both coders apply it on s2 only; absent on s1, s3 (s4 dropped with its empty
    # row: ann never coded it once the no-code row is gone, so s4 is not pairable)
    w = table.set_index("code").loc["withdrawal"]
    assert w["percent_agreement"] == 1.0 and w["n_units"] == 3 and w["n_coded"] == 1
    # by an attribute of the unit: each case is its own reliability sample
    data["case"] = data["segment_id"].map({"s1": "a", "s2": "a", "s3": "b", "s4": "b"})
    by_case = code_agreement(data, by="case").set_index(["case", "code"])
    assert by_case.loc[("a", "bias"), "percent_agreement"] == 1.0
    assert by_case.loc[("b", "bias"), "percent_agreement"] == 0.5


def test_pooled_agreement_on_decisions():
    decisions = code_decisions(DOUBLE)
    pooled = agreement(decisions, unit=["segment_id", "code"], code="present")
    # 8 (segment, code) units: agree on 3 of 4 for bias, 1 of 4 for cycling -> 4 / 8
    assert pooled.loc[0, "percent_agreement"] == pytest.approx(0.5)
    assert pooled.loc[0, "n_units"] == 8


# --------------------------------------------------------------------------- bad input


def test_unknown_columns_and_levels():
    with pytest.raises(DataError, match="did you mean 'coder'") as err:
        agreement(DOUBLE, coder="coders")
    assert not isinstance(err.value, KeyError)
    with pytest.raises(ValueError, match="measurement=.categorical."):
        agreement(DOUBLE, measurement="categorical")
    with pytest.raises(DataError, match="segment"):
        code_agreement(DOUBLE, unit="segment")
    with pytest.raises(TypeError, match="DataFrame"):
        agreement([1, 2, 3])


def test_several_values_per_unit_point_to_code_agreement():
    with pytest.raises(DataError, match="code_agreement") as err:
        agreement(DOUBLE)
    problem = err.value.problems[0]
    assert problem.row is None and problem.index == 2  # second value of ann on s2
    assert "data, index 2, column 'code'" in str(problem)


def test_no_pairable_units_and_empty_data():
    single = pd.DataFrame({"segment_id": ["s1", "s2"], "coder": ["ann", "bob"], "code": ["a", "b"]})
    with pytest.raises(DataError, match="two or more coders"):
        agreement(single)
    with pytest.raises(DataError, match="at least one row"):
        agreement(single.assign(code=None))
    with pytest.raises(DataError, match="number for measurement='interval'"):
        agreement(single, measurement="interval")
    with pytest.raises(DataError, match="applied code"):
        code_agreement(single.assign(code=None))


def test_undefined_statistics_are_missing_not_errors():
    same = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2"], "coder": ["a", "b"] * 2,
                         "code": ["x"] * 4})  # fmt: skip
    table = agreement(same)
    assert np.isnan(table.loc[0, "alpha"]) and np.isnan(table.loc[0, "kappa"])
    assert table.loc[0, "percent_agreement"] == 1.0


def test_old_spellings_of_the_options_still_work_and_warn(kripp_long) -> None:
    new = agreement(kripp_long, "unit", "coder", "v", measurement="ordinal")
    with pytest.warns(DeprecationWarning, match="measurement"):
        old = agreement(kripp_long, "unit", "coder", "v", level="ordinal")
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(DeprecationWarning, match="by name"):
        positional = agreement(kripp_long, "unit", "coder", "v", "ordinal")
    pd.testing.assert_frame_equal(positional, new)
