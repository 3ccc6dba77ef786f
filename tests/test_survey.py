"""Survey design, answer checks, scale scores and reliability, choice models and group effects.

Reference values come from independent implementations (Cronbach's formula written out here,
numpy, scipy, statsmodels fits built through its formula interface, a Newton-Raphson logistic
fit written out here) or from hand calculation shown in the comments.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

import coprodlib as cp
from coprodlib.analysis.scales import item_stats, scale_reliability, scale_scores
from coprodlib.analysis.survey_models import (
    choice_models,
    condition_effects,
    group_difference,
    trait_correlations,
)
from coprodlib.contract.survey_design import Scale, SurveyDesign, check_survey, read_survey_design
from coprodlib.errors import DataError

SCALES_YML = """\
likert: {low: 1, high: 5}
scales:
  external_efficacy:
    label: External efficacy
    items: [ee1, ee2, ee3, ee4]
    reversed: [ee3]
    min_answered: 3
  trust:
    items: [tr1, tr2]
    low: 0
    high: 10
conditions: {column: vignette, levels: [control, conflict]}
choices: {column: coping_choice, levels: [avoidance, escalation, balancing]}
"""


@pytest.fixture
def design(tmp_path):
    path = tmp_path / "demo" / "scales.yml"
    path.parent.mkdir()
    path.write_text(SCALES_YML)
    return read_survey_design(path)


def _write(tmp_path, text):
    path = tmp_path / "scales.yml"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- scales.yml


def test_read_survey_design(design):
    ee = design.scales["external_efficacy"]
    assert ee == Scale(
        name="external_efficacy",
        items=("ee1", "ee2", "ee3", "ee4"),
        reversed=("ee3",),
        low=1,
        high=5,
        min_answered=3,
        label="External efficacy",
    )
    trust = design.scales["trust"]
    assert (trust.low, trust.high, trust.min_answered, trust.label) == (0, 10, 2, "trust")
    assert design.conditions == ["control", "conflict"]
    assert design.choice_column == "coping_choice"
    assert design.choices == ["avoidance", "escalation", "balancing"]
    assert design.items == ["ee1", "ee2", "ee3", "ee4", "tr1", "tr2"]


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (SCALES_YML.replace("reversed: [ee3]", "reversed: [ee9]"),
         "scales.external_efficacy.reversed", "items of this scale"),
        (SCALES_YML.replace("min_answered: 3", "min_answered: 7"),
         "scales.external_efficacy.min_answered", "from 1 to the number of items (4)"),
        (SCALES_YML.replace("    low: 0", "    low: 10"), "scales.trust.high", "above low"),
        (SCALES_YML.replace("label: External", "lable: External"),
         "scales.external_efficacy.lable", "did you mean 'label'"),
        (SCALES_YML.replace("likert: {low: 1, high: 5}", "likert: {low: 1}"),
         "scales.external_efficacy.high", "likert: {low: 1, high: 5}"),
        (SCALES_YML.replace("items: [tr1, tr2]", "items: []"), "scales.trust.items",
         "non-empty list"),
        (SCALES_YML.replace("levels: [control, conflict]", "levels: control"),
         "conditions.levels", "non-empty list"),
        ("likert: {low: 1, high: 5}\n", "scales", "mapping from scale name"),
    ],
)  # fmt: skip
def test_read_survey_design_rejects_malformed(tmp_path, text, key, words):
    with pytest.raises(DataError) as err:
        read_survey_design(_write(tmp_path, text))
    problem = next(p for p in err.value.problems if p.column == key)
    assert words in problem.expected
    assert problem.file.endswith("scales.yml")


def test_read_survey_design_bad_yaml_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="row 3") as err:
        read_survey_design(_write(tmp_path, "scales:\n  a: {items: [x, y]\n  b: 1\n"))
    assert err.value.problems[0].kind == "syntax"
    with pytest.raises(DataError, match="scales.yml file"):
        read_survey_design(tmp_path / "nowhere" / "scales.yml")


def test_scale_rejects_inconsistent_definition():
    with pytest.raises(ValueError, match="reversed names"):
        Scale("s", ["a", "b"], reversed=["c"])
    with pytest.raises(ValueError, match="min_answered=3"):
        Scale("s", ["a", "b"], min_answered=3)
    with pytest.raises(ValueError, match="low=5"):
        Scale("s", ["a", "b"], low=5, high=1)


# --------------------------------------------------------------------------- check_survey


def test_check_survey_clean_data_has_no_problems(design):
    survey = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2"],
            "vignette": ["control", "conflict"],
            "coping_choice": ["avoidance", None],  # missing answers are allowed
            **{i: [1, 5] for i in ["ee1", "ee2", "ee3"]},
            "ee4": [None, 2],
            "tr1": [0, 10],
            "tr2": [7, 3],
        }
    )
    assert check_survey(survey, design) == []


def test_check_survey_finds_each_kind_of_problem(design):
    survey = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2", "r1", "r4"],
            "vignette": ["control", "confict", "conflict", "control"],
            "coping_choice": ["avoidance", "balancing", "dropping_out", "balancing"],
            "ee1": [1, 2, 3, 4],
            "ee2": ["2", "abc", "4", "5"],
            "ee3": [1, 6, 0, 2],
            "tr1": [0, 10, 11, 3],
            "tr2": [1, 2, 3, 4],
        }
    )
    problems = check_survey(survey, design)
    found = {(p.kind, p.column, p.row, p.value) for p in problems}
    assert ("missing_column", "ee4", None, None) in found
    assert ("not_numeric", "ee2", 3, "abc") in found  # 2nd data row = spreadsheet line 3
    assert ("out_of_range", "ee3", 3, 6) in found
    assert ("out_of_range", "ee3", 4, 0) in found
    assert ("out_of_range", "tr1", 4, 11) in found  # trust runs 0-10: 10 is fine, 11 is not
    assert ("unknown_level", "vignette", 3, "confict") in found
    assert ("unknown_level", "coping_choice", 4, "dropping_out") in found
    assert ("duplicate", "respondent_id", 4, "r1") in found
    assert len(problems) == 8
    dup = next(p for p in problems if p.kind == "duplicate")
    assert "row 2" in dup.expected  # where the id was first used


def test_check_survey_caps_problems_per_column(design):
    n = 30
    survey = pd.DataFrame(
        {"respondent_id": [f"r{i}" for i in range(n)], **{i: [9] * n for i in design.items}}
    ).assign(vignette="control", coping_choice="avoidance")
    problems = check_survey(survey, design, max_per_column=3)
    ee1 = [p for p in problems if p.column == "ee1"]
    assert [p.row for p in ee1[:3]] == [2, 3, 4]
    assert "27 more rows" in ee1[3].expected and ee1[3].row is None
    assert len(ee1) == 4


# --------------------------------------------------------------------------- scale scores


def test_scale_scores_reverse_coding_and_min_answered():
    ee = Scale("ee", ["a", "b", "c", "d"], reversed=["c"], min_answered=3)
    survey = pd.DataFrame(
        {"a": [4, 5, 1, None], "b": [4, None, 1, None], "c": [2, 1, 5, 3], "d": [5, 5, None, 2]},
        index=[10, 11, 12, 13],
    )
    scores = scale_scores(survey, ee)
    # by hand, c reversed as 1 + 5 - c:
    # row 10: (4 + 4 + 4 + 5) / 4 = 4.25; row 11: (5 + 5 + 5) / 3 = 5.0;
    # row 12: (1 + 1 + 1) / 3 = 1.0; row 13: two answers < 3 -> missing
    assert list(scores.index) == [10, 11, 12, 13]
    np.testing.assert_allclose(scores["ee"].to_numpy(), [4.25, 5.0, 1.0, np.nan])


def test_scale_scores_bad_input(design):
    survey = pd.DataFrame({"ee1": [1, 7], "ee2": [1, 2], "ee3": ["x", 2], "ee4": [1, 1]})
    with pytest.raises(DataError) as err:
        scale_scores(survey, design)  # trust items missing, ee1 out of range, ee3 not numeric
    kinds = {(p.kind, p.column) for p in err.value.problems}
    assert {("missing_column", "tr1"), ("missing_column", "tr2")} <= kinds
    assert ("out_of_range", "ee1") in kinds and ("not_numeric", "ee3") in kinds
    assert "an answer from 1 to 5" in str(err.value)
    sparse = pd.DataFrame({"ee1": [1, None], "ee2": [2, None], "ee3": [None, 3], "ee4": [None, 4]})
    with pytest.raises(DataError, match="too few answers") as err:
        scale_scores(sparse, design.scales["external_efficacy"])
    assert err.value.problems[0].kind == "too_few_answers"
    with pytest.raises(TypeError, match="SurveyDesign"):
        scale_scores(sparse, "external_efficacy")


# --------------------------------------------------------------------------- reliability

ITEMS = pd.DataFrame(
    {
        "q1": [4, 5, 3, 2, 4, 5, 1, 3, 4, 2],
        "q2": [4, 4, 3, 1, 5, 5, 2, 3, 3, 2],
        "q3": [5, 4, 2, 2, 4, 4, 1, 4, 4, 1],
        "q4": [3, 5, 3, 2, 3, 4, 2, 2, 5, 3],
    }
)


def _cronbach(frame: pd.DataFrame) -> float:
    """Cronbach (1951): k / (k - 1) (1 - sum of item variances / variance of the total)."""
    k = frame.shape[1]
    return k / (k - 1) * (1 - frame.var(ddof=1).sum() / frame.sum(axis=1).var(ddof=1))


def test_scale_reliability_against_cronbach_formula():
    table = scale_reliability(ITEMS, ["q1", "q2", "q3", "q4"])
    assert list(table.columns) == [
        "scale", "alpha", "ci_low", "ci_high", "n", "n_items", "excluded",
    ]  # fmt: skip
    assert table.loc[0, "excluded"] == ""  # every item varies
    assert table["scale"].isna().all()  # a plain list of items has no scale name
    assert table.loc[0, "alpha"] == pytest.approx(_cronbach(ITEMS), rel=1e-12)
    assert (table.loc[0, "n"], table.loc[0, "n_items"]) == (10, 4)
    # pingouin's own interval (rounded by pingouin to 3 decimals)
    _, ci = pg.cronbach_alpha(data=ITEMS)
    assert table.loc[0, "ci_low"] == pytest.approx(ci[0], abs=5.1e-4)
    assert table.loc[0, "ci_high"] == pytest.approx(ci[1], abs=5.1e-4)
    assert table.loc[0, "ci_low"] < table.loc[0, "alpha"] < table.loc[0, "ci_high"]


def test_scale_reliability_listwise_and_reversed_items():
    with_gaps = ITEMS.astype(float)
    with_gaps.loc[[1, 6], "q2"] = np.nan
    table = scale_reliability(with_gaps, ["q1", "q2", "q3", "q4"])
    assert table.loc[0, "n"] == 8
    assert table.loc[0, "alpha"] == pytest.approx(_cronbach(with_gaps.dropna()), rel=1e-12)
    flipped = ITEMS.assign(q3=6 - ITEMS["q3"])  # q3 worded the other way round
    scale = Scale("s", ["q1", "q2", "q3", "q4"], reversed=["q3"])
    assert scale_reliability(flipped, scale).loc[0, "alpha"] == pytest.approx(_cronbach(ITEMS))
    design = SurveyDesign(scales={"s": scale, "t": Scale("t", ["q1", "q2"])})
    both = scale_reliability(flipped, design)
    assert both["scale"].tolist() == ["s", "t"]
    assert both.loc[1, "alpha"] == pytest.approx(_cronbach(ITEMS[["q1", "q2"]]))


def test_item_stats_against_independent_formulas():
    table = item_stats(ITEMS, ["q1", "q2", "q3", "q4"])
    assert list(table.columns) == [
        "scale",
        "item",
        "mean",
        "sd",
        "item_total_r",
        "alpha_if_deleted",
    ]
    for i, item in enumerate(ITEMS.columns):
        rest = ITEMS.drop(columns=item)
        assert table.loc[i, "item"] == item
        assert table.loc[i, "mean"] == pytest.approx(ITEMS[item].mean())
        assert table.loc[i, "sd"] == pytest.approx(ITEMS[item].std(ddof=1))
        r = np.corrcoef(ITEMS[item], rest.sum(axis=1))[0, 1]
        assert table.loc[i, "item_total_r"] == pytest.approx(r, rel=1e-10)
        assert table.loc[i, "alpha_if_deleted"] == pytest.approx(_cronbach(rest), rel=1e-10)


def test_reliability_bad_input():
    with pytest.raises(DataError, match="did you mean 'q1'"):
        scale_reliability(ITEMS, ["q1", "q2", "q11"])
    with pytest.raises(ValueError, match="at least two item"):
        scale_reliability(ITEMS, ["q1"])
    few = ITEMS.astype(float)
    few.loc[2:, "q1"] = np.nan
    with pytest.raises(DataError, match="at least 3 respondents") as err:
        item_stats(few, ["q1", "q2"])
    assert err.value.problems[0].kind == "too_few_answers"
    with pytest.raises(DataError, match="a number") as err:
        scale_reliability(ITEMS.assign(q2=ITEMS["q2"].astype(str).replace("3", "three")),
                          ["q1", "q2"])  # fmt: skip
    assert err.value.problems[0].row == 4  # first "three": 3rd data row
    with pytest.raises(DataError, match="an answer from 1 to 5"):
        scale_reliability(ITEMS.assign(q4=ITEMS["q4"] + 3), Scale("s", list(ITEMS.columns)))


# --------------------------------------------------------------------------- choice models


@pytest.fixture(scope="module")
def choices():
    """Seeded synthetic survey: external efficacy raises trade-off vs avoidance."""
    rng = np.random.default_rng(2021)
    n = 400
    df = pd.DataFrame(
        {
            "external_efficacy": rng.normal(3, 0.8, n),
            "trust": rng.normal(3, 0.8, n),
            "role": rng.choice(["citizen", "public_servant", "third_party"], n),
        }
    )
    util = np.column_stack(
        [
            np.zeros(n),  # avoidance
            -2.5 + 0.9 * df["external_efficacy"],  # trade_off
            -0.5 + 0.4 * (df["role"] == "citizen"),  # escalation
        ]
    )
    prob = np.exp(util) / np.exp(util).sum(axis=1, keepdims=True)
    pick = (rng.random(n)[:, None] > prob.cumsum(axis=1)).sum(axis=1)
    df["coping_choice"] = np.array(["avoidance", "trade_off", "escalation"])[pick]
    return df


def test_multinomial_equals_statsmodels_formula_fit(choices):
    res = choice_models(
        choices, "coping_choice", ["external_efficacy", "trust"], covariates="role",
        reference="avoidance",
    )  # fmt: skip
    assert list(res.columns) == [
        "model", "outcome", "reference", "term", "baseline", "coef", "se", "odds_ratio", "ci_low", "ci_high", "pval", "n",
        "n_dropped",
    ]  # fmt: skip
    # Reference fit built independently through statsmodels' formula interface; outcome codes
    # ordered so that avoidance (0) is the base category.
    codes = choices["coping_choice"].map({"avoidance": 0, "escalation": 1, "trade_off": 2})
    ref = smf.mnlogit("y ~ external_efficacy + trust + C(role)", choices.assign(y=codes)).fit(
        disp=0
    )
    ci = ref.conf_int()
    for j, outcome in enumerate(["escalation", "trade_off"]):
        got = res[res.outcome == outcome].set_index("term")
        names = {
            "Intercept": "Intercept",
            "external_efficacy": "external_efficacy",
            "trust": "trust",
            "role[T.public_servant]": "C(role)[T.public_servant]",
            "role[T.third_party]": "C(role)[T.third_party]",
        }
        assert list(got.index) == list(names)
        for term, ref_term in names.items():
            assert got.loc[term, "coef"] == pytest.approx(ref.params.loc[ref_term, j], abs=1e-6)
            assert got.loc[term, "se"] == pytest.approx(ref.bse.loc[ref_term, j], abs=1e-6)
            assert got.loc[term, "pval"] == pytest.approx(ref.pvalues.loc[ref_term, j], abs=1e-6)
            lo, hi = ci.loc[(str(j + 1), ref_term)]
            assert got.loc[term, "ci_low"] == pytest.approx(np.exp(lo), rel=1e-6)
            assert got.loc[term, "ci_high"] == pytest.approx(np.exp(hi), rel=1e-6)
    assert list(res.columns[:5]) == ["model", "outcome", "reference", "term", "baseline"]
    assert set(res["model"]) == {"multinomial"} and set(res["reference"]) == {"avoidance"}
    assert set(res["baseline"].dropna()) == {"citizen"}
    assert res.loc[res["term"].str.startswith("role["), "baseline"].notna().all()
    # the simulated effect is recovered: trade-off more likely with external efficacy
    te = res.set_index(["outcome", "term"]).loc[("trade_off", "external_efficacy")]
    assert te["odds_ratio"] > 1 and te["pval"] < 0.001


def test_multinomial_on_statsmodels_anes96():
    # statsmodels ships the 1996 American National Election Study extract; its MNLogit example
    # models party identification (PID, 7 levels) on these regressors.
    data = sm.datasets.anes96.load_pandas().data
    exog = ["logpopul", "selfLR", "age", "educ", "income"]
    res = choice_models(data, "PID", exog)
    ref = sm.MNLogit(data["PID"], sm.add_constant(data[exog])).fit(disp=0)
    assert res["outcome"].unique().tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    np.testing.assert_allclose(res["coef"].to_numpy(), ref.params.to_numpy().T.ravel(), atol=1e-6)
    np.testing.assert_allclose(res["se"].to_numpy(), ref.bse.to_numpy().T.ravel(), atol=1e-6)
    assert (res["n"] == 944).all() and (res["n_dropped"] == 0).all()


def _newton_logit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logistic regression by Newton-Raphson, written out (independent)."""
    beta = np.zeros(X.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-X @ beta))
        info = X.T @ (X * (p * (1 - p))[:, None])
        step = np.linalg.solve(info, X.T @ (y - p))
        beta += step
        if np.abs(step).max() < 1e-12:
            break
    p = 1 / (1 + np.exp(-X @ beta))
    info = X.T @ (X * (p * (1 - p))[:, None])
    return beta, np.sqrt(np.diag(np.linalg.inv(info)))


def test_binary_models_equal_newton_raphson_and_report_dropped_rows(choices):
    data = choices.copy()
    data.loc[[3, 50], "trust"] = np.nan
    data.loc[7, "coping_choice"] = None
    res = choice_models(data, "coping_choice", ["external_efficacy", "trust"], kind="binary",
                        covariates=["role"], baselines={"role": "public_servant"})  # fmt: skip
    assert (res["n"] == 397).all() and (res["n_dropped"] == 3).all()
    assert res["outcome"].unique().tolist() == ["avoidance", "escalation", "trade_off"]
    complete = data.dropna()
    X = np.column_stack(
        [
            np.ones(len(complete)),
            complete["external_efficacy"],
            complete["trust"],
            complete["role"] == "citizen",
            complete["role"] == "third_party",
        ]
    ).astype(float)
    for outcome in ["avoidance", "escalation", "trade_off"]:
        beta, se = _newton_logit(X, (complete["coping_choice"] == outcome).to_numpy(float))
        got = res[res.outcome == outcome]
        assert got["term"].tolist() == [
            "Intercept", "external_efficacy", "trust", "role[T.citizen]", "role[T.third_party]",
        ]  # fmt: skip
        np.testing.assert_allclose(got["coef"], beta, atol=1e-6)
        np.testing.assert_allclose(got["se"], se, atol=1e-6)
        np.testing.assert_allclose(got["odds_ratio"], np.exp(beta), rtol=1e-6)
        z = stats.norm.ppf(0.975)
        np.testing.assert_allclose(got["ci_low"], np.exp(beta - z * se), rtol=1e-6)
        np.testing.assert_allclose(got["ci_high"], np.exp(beta + z * se), rtol=1e-6)
        np.testing.assert_allclose(got["pval"], 2 * stats.norm.sf(np.abs(beta / se)), atol=1e-8)


def test_choice_models_bad_input(choices):
    with pytest.raises(DataError, match="did you mean 'external_efficacy'"):
        choice_models(choices, "coping_choice", ["external_eficacy"])
    with pytest.raises(DataError, match="reference= to be one of"):
        choice_models(choices, "coping_choice", "trust", reference="balancing")
    with pytest.raises(DataError, match="at least 2 different choices"):
        choice_models(choices.assign(coping_choice="avoidance"), "coping_choice", "trust")
    with pytest.raises(ValueError, match="kind='ordinal'"):
        choice_models(choices, "coping_choice", "trust", kind="ordinal")
    with pytest.raises(DataError, match="trust_copy") as err:  # collinear with trust
        choice_models(choices.assign(trust_copy=choices["trust"] * 2), "coping_choice",
                      ["trust", "trust_copy"])  # fmt: skip
    assert err.value.problems[0].kind == "collinear"
    with pytest.raises(DataError, match="at least 2 levels") as err:
        choice_models(choices.assign(role="citizen"), "coping_choice", ["trust", "role"])
    assert err.value.problems[0].column == "role"
    with pytest.raises(ValueError, match="baselines names"):
        choice_models(choices, "coping_choice", "trust", baselines={"role": "citizen"})


def test_perfect_separation_is_a_clear_error(choices):
    separated = choices.assign(flag=(choices["coping_choice"] == "trade_off").astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no statsmodels warning may leak either
        with pytest.raises(DataError, match="separation") as err:
            choice_models(separated, "coping_choice", ["trust", "flag"], kind="binary")
    assert err.value.problems[0].kind == "separation"
    with pytest.raises(DataError, match="separation"):
        choice_models(separated, "coping_choice", ["trust", "flag"])


# --------------------------------------------------------------------------- group effects


def test_group_difference_anova_and_kruskal_against_scipy(choices):
    groups = [g["trust"].to_numpy() for _, g in choices.groupby("role")]
    anova = group_difference(choices, "trust", "role").iloc[0]
    f = stats.f_oneway(*groups)
    assert anova["statistic"] == pytest.approx(f.statistic) and anova["pval"] == pytest.approx(
        f.pvalue
    )
    assert (anova["df1"], anova["df2"], anova["n_groups"]) == (2, 397, 3)
    # eta squared by hand: between-group sum of squares / total sum of squares
    grand = choices["trust"].mean()
    ssb = sum(len(g) * (g.mean() - grand) ** 2 for g in groups)
    sst = ((choices["trust"] - grand) ** 2).sum()
    assert anova["effect_size"] == pytest.approx(ssb / sst) and anova["effect_measure"] == "np2"
    kw = group_difference(choices, ["trust", "external_efficacy"], "role", parametric=False)
    h = stats.kruskal(*groups)
    assert kw.loc[0, "statistic"] == pytest.approx(h.statistic)
    assert kw.loc[0, "pval"] == pytest.approx(h.pvalue)
    # epsilon squared (Tomczak & Tomczak 2014): H / ((n^2 - 1) / (n + 1)) = H / (n - 1)
    assert kw.loc[0, "effect_size"] == pytest.approx(h.statistic / 399)
    assert kw["dv"].tolist() == ["trust", "external_efficacy"] and np.isnan(kw.loc[0, "df2"])


def test_group_difference_bad_input(choices):
    with pytest.raises(DataError, match="numeric column"):
        group_difference(choices, "role", "coping_choice")
    with pytest.raises(DataError, match="at least 2 groups"):
        group_difference(choices.assign(role="citizen"), "trust", "role")
    with pytest.raises(DataError, match="did you mean 'role'"):
        group_difference(choices, "trust", "roles")


def test_trait_correlations_against_scipy(choices):
    cols = ["external_efficacy", "trust"]
    data = choices.copy()
    data.loc[:9, "trust"] = np.nan  # pairwise deletion
    table = trait_correlations(data, cols)
    assert list(table.columns) == [
        "x", "y", "method", "n", "r", "ci_low", "ci_high", "pval", "p_adjusted", "p_method",
        "note",
    ]  # fmt: skip
    both = data.dropna()
    ref = stats.pearsonr(both["external_efficacy"], both["trust"])
    ci = ref.confidence_interval(0.95)  # scipy: Fisher z interval
    row = table.iloc[0]
    assert row["n"] == 390
    assert row["r"] == pytest.approx(ref.statistic) and row["pval"] == pytest.approx(ref.pvalue)
    assert row["ci_low"] == pytest.approx(ci.low) and row["ci_high"] == pytest.approx(ci.high)
    rho = trait_correlations(data, cols, method="spearman").iloc[0]
    assert rho["r"] == pytest.approx(stats.spearmanr(both["external_efficacy"], both["trust"])[0])
    three = trait_correlations(choices.assign(z=choices["trust"] ** 2), [*cols, "z"])
    assert three[["x", "y"]].values.tolist() == [
        ["external_efficacy", "trust"], ["external_efficacy", "z"], ["trust", "z"],
    ]  # fmt: skip
    assert (three["p_adjusted"] >= three["pval"]).all()
    with pytest.raises(DataError, match="numeric column"):
        trait_correlations(choices, ["trust", "role"])


def test_condition_effects_uses_crosstab_test(design):
    df = pd.DataFrame(
        {
            "vignette": ["control"] * 10 + ["conflict"] * 10,
            "coping_choice": ["balancing"] * 8 + ["avoidance"] * 2
            + ["balancing"] * 3 + ["avoidance"] * 7,
            "role": ["citizen", "professional"] * 10,
        }
    )  # fmt: skip
    row = condition_effects(df, design).iloc[0]
    # by hand: expected 5.5 / 4.5 per row; X2 = sum (O - E)^2 / E = 2 x (2.5^2/5.5 + 2.5^2/4.5)
    assert row["chi2"] == pytest.approx(2 * (2.5**2 / 5.5 + 2.5**2 / 4.5))
    assert (row["x"], row["y"]) == ("vignette", "coping_choice")
    per_role = condition_effects(df, by="role")
    assert per_role["role"].tolist() == ["citizen", "professional"]
    assert "p_adjusted" in per_role.columns


def test_trait_effects_adjusts_over_trait_terms_only() -> None:
    from statsmodels.stats.multitest import multipletests

    models = pd.DataFrame(
        {
            "outcome": ["a"] * 3 + ["b"] * 3,
            "term": ["Intercept", "t1", "t2"] * 2,
            "odds_ratio": [1.0, 2.0, 0.9, 1.0, 1.2, 0.5],
            "ci_low": [0.5, 1.2, 0.5, 0.5, 0.7, 0.3],
            "ci_high": [2.0, 3.3, 1.6, 2.0, 2.1, 0.8],
            "pval": [0.9, 0.004, 0.6, 0.8, 0.03, 0.012],
            "n": [50] * 6,
        }
    )
    out = cp.trait_effects(models, ["t1", "t2"])
    assert out["term"].tolist() == ["t1", "t2", "t1", "t2"]
    # reference: statsmodels' Holm step-down on the four trait p-values alone
    expected = multipletests([0.004, 0.6, 0.03, 0.012], method="holm")[1]
    np.testing.assert_allclose(out["p_adjusted"], expected)
    assert out["significant"].tolist() == [True, False, False, True]
    with pytest.raises(cp.DataError, match="t3"):
        cp.trait_effects(models, ["t3"])


def test_demo_survey_recovers_the_modelled_pattern() -> None:
    """The synthetic demo's model: external efficacy lowers avoidance and raises trading off;
    self-efficacy and trust have no effect [jaspers2021d]. With p-values adjusted (Holm) over
    the trait terms, the multinomial model against avoidance finds external efficacy and no
    other trait; the per-choice models find external efficacy against avoidance and for
    trading off. (A 300-respondent sample can still show a chance effect of a trait the model
    leaves out; the notebook reports whatever the models find.)"""
    ds = cp.load()
    design = ds.survey_design
    survey = ds.survey.join(cp.scale_scores(ds.survey, design))
    traits = list(design.scales)
    covariates = ["role", "vignette"]
    multi = cp.choice_models(
        survey, "coping_choice", traits, reference="avoidance", covariates=covariates
    )
    found = cp.trait_effects(multi, traits).query("significant")
    assert set(found["term"]) == {"external_efficacy"}
    assert "trade_off" in set(found["outcome"])
    assert (found["odds_ratio"] > 1).all()  # every other choice over avoidance rises with it
    binary = cp.choice_models(survey, "coping_choice", traits, kind="binary", covariates=covariates)
    effects = cp.trait_effects(binary, traits).set_index(["outcome", "term"])
    for outcome, direction in (("avoidance", -1), ("trade_off", 1)):
        row = effects.loc[(outcome, "external_efficacy")]
        assert row["significant"] and np.sign(np.log(row["odds_ratio"])) == direction
