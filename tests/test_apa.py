"""APA sentences from the analyses' rows (coprodlib.workbook.apa), and the thin-data rule.

Every number a sentence shows is checked against a value computed here independently: scipy
(chi2_contingency, fisher_exact, f_oneway, kruskal, pearsonr, spearmanr), scikit-learn's
cohen_kappa_score, or a textbook formula (Cramer's V, the cross-product odds ratio and its
Woolf interval, Cronbach's alpha with Feldt's interval, Krippendorff's nominal alpha). The
expected text is written with Python's own formatting, not with the module's formatter.
"""

from __future__ import annotations

import re
from html import unescape

import mistune
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import cohen_kappa_score

import coprodlib as cp
from coprodlib.workbook import apa


def two(x: float) -> str:
    """Two decimals, as APA writes a statistic."""
    return f"{x:.2f}"


def bare(x: float) -> str:
    """Two decimals without the leading zero (APA 7th ed., 6.36)."""
    return f"{x:.2f}".replace("0.", ".", 1)


def p3(p: float) -> str:
    """APA p: three decimals, no leading zero, < .001 below (APA 7th ed., 6.44)."""
    return "< .001" if p < 0.001 else "= " + f"{p:.3f}"[1:]


def plain(sentence: str) -> str:
    """The sentence with its Markdown stripped, as Word or plain text shows it."""
    return sentence.replace("*", "")


def frame_from_table(table: list[list[int]]) -> pd.DataFrame:
    """A long frame with a count column from a table of counts."""
    rows = [
        {"x": f"r{i}", "y": f"c{j}", "w": count}
        for i, line in enumerate(table)
        for j, count in enumerate(line)
    ]
    return pd.DataFrame(rows)


# --- chi-square ----------------------------------------------------------------------------

TABLE = [[20, 10, 5], [8, 15, 22]]


def test_chi_square_sentence_matches_scipy_and_hand_computed_v():
    row = cp.crosstab_test(frame_from_table(TABLE), "x", "y", count="w").stats.iloc[0]
    ref = stats.chi2_contingency(np.array(TABLE), correction=False)
    n = sum(map(sum, TABLE))
    v = np.sqrt(ref.statistic / (n * (min(2, 3) - 1)))  # Cramer's V by hand
    expected = (
        f"χ²({ref.dof}, *N* = {n}) = {two(ref.statistic)}, *p* {p3(ref.pvalue)}, *V* = {bare(v)}"
    )
    assert apa.chi_square_text(row) == expected
    assert plain(expected).startswith("χ²(2, N = 80) = ")


def test_chi_square_reports_fishers_exact_p_when_expected_counts_are_small():
    table = [[12, 2], [3, 8]]  # N = 25, one expected count of four under 5
    row = cp.crosstab_test(frame_from_table(table), "x", "y", count="w").stats.iloc[0]
    assert bool(row["exact"])
    fisher = stats.fisher_exact(np.array(table)).pvalue
    text = apa.chi_square_text(row)
    assert f"*p* {p3(fisher)} (Fisher's exact test)" in text
    assert apa.thin_data_note(row) is None


def test_compare_groups_row_gives_the_adjusted_p():
    tables = {"a": [[15, 10, 6], [8, 12, 15]], "b": [[10, 12, 9], [11, 9, 14]]}
    frame = pd.concat([frame_from_table(t).assign(case=case) for case, t in tables.items()])
    rows = cp.compare_groups(frame, "x", "y", by="case", count="w")
    raw = [stats.chi2_contingency(np.array(t), correction=False).pvalue for t in tables.values()]
    holm = min(1.0, 2 * min(raw))  # Holm (1979), two tests: the smaller p times 2
    text = apa.chi_square_text(rows.iloc[0])
    assert text.startswith("χ²(2, *N* = 66) = ")
    assert f"*p* {p3(raw[0])}, adjusted *p* {p3(holm)}, *V* = " in text
    # the larger p stays as it is under Holm, so no adjusted p is repeated
    assert "adjusted" not in apa.chi_square_text(rows.iloc[1])


@pytest.mark.parametrize(("n", "thin"), [(19, True), (20, False)])
def test_chi_square_needs_twenty_observations(n, thin):
    table = [[7, 3], [3, 7]] if n == 20 else [[7, 3], [3, 6]]
    row = cp.crosstab_test(frame_from_table(table), "x", "y", count="w").stats.iloc[0]
    text = apa.chi_square_text(row)
    assert ("*p*" not in text) is thin
    if thin:
        assert text == apa.thin_data_note(row)
        assert "19 observations, fewer than 20" in text
    else:
        ref = stats.chi2_contingency(np.array(table), correction=False)
        assert text.startswith(f"χ²(1, *N* = 20) = {two(ref.statistic)}, *p* {p3(ref.pvalue)}")


@pytest.mark.parametrize(("small", "thin"), [(0.2, False), (0.25, True)])
def test_chi_square_small_expected_counts_without_exact_p(small, thin):
    row = cp.crosstab_test(frame_from_table(TABLE), "x", "y", count="w", exact=False).stats
    row = row.iloc[0].to_dict() | {"small_expected": small, "min_expected": 2.0}
    note = apa.thin_data_note(row)
    assert (note is not None) is thin
    if thin:
        assert "25.0% of expected counts are under 5" in note
        assert apa.chi_square_text(row) == note


@pytest.mark.parametrize(("lowest", "thin"), [(0.99, True), (1.0, False)])
def test_chi_square_expected_count_under_one_without_exact_p(lowest, thin):
    row = cp.crosstab_test(frame_from_table(TABLE), "x", "y", count="w", exact=False).stats
    row = row.iloc[0].to_dict() | {"small_expected": 0.1, "min_expected": lowest}
    assert (apa.thin_data_note(row) is not None) is thin


def test_untestable_group_of_compare_groups_gets_a_note():
    frame = pd.concat(
        [
            frame_from_table(TABLE).assign(case="a"),
            pd.DataFrame(
                {"x": ["r0"] * 3, "y": ["c0", "c1", "c2"], "w": [10, 10, 10], "case": "b"}
            ),
        ]
    )
    rows = cp.compare_groups(frame, "x", "y", by="case", count="w")
    text = apa.chi_square_text(rows.iloc[1])
    assert text.startswith("Thin data: 30 observations and no table to test")
    assert "nan" not in text.lower() and "<NA>" not in text


# --- odds ratios ---------------------------------------------------------------------------


def choice_frame(a: int, b: int, c: int, d: int) -> pd.DataFrame:
    """a, b: group g1 choosing yes, no; c, d: group g2 choosing yes, no."""
    cells = [("g1", "yes", a), ("g1", "no", b), ("g2", "yes", c), ("g2", "no", d)]
    return pd.DataFrame([{"group": g, "choice": ch} for g, ch, k in cells for _ in range(k)])


def test_odds_ratio_matches_the_cross_product_and_woolf_interval():
    a, b, c, d = 18, 7, 9, 21  # g2 vs g1 choosing "yes"
    frame = choice_frame(a, b, c, d)
    table = cp.choice_models(frame, "choice", "group", kind="binary")
    row = table[(table["outcome"] == "yes") & (table["term"] == "group[T.g2]")].iloc[0]
    odds = (c / d) / (a / b)  # textbook: ratio of the odds (Agresti 2013, 2.3)
    se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)  # Woolf
    low, high = np.exp(np.log(odds) + np.array([-1, 1]) * stats.norm.ppf(0.975) * se)
    p = 2 * stats.norm.sf(abs(np.log(odds)) / se)
    expected = f"*OR* = {two(odds)}, 95% CI [{two(low)}, {two(high)}], *p* {p3(p)}"
    assert apa.odds_ratio_text(row) == expected


@pytest.mark.parametrize(("n", "thin"), [(19, True), (20, False)])
def test_odds_ratio_needs_twenty_respondents(n, thin):
    frame = choice_frame(6, 4, 3, 7) if n == 20 else choice_frame(6, 4, 3, 6)
    table = cp.choice_models(frame, "choice", "group", kind="binary")
    row = table[(table["outcome"] == "yes") & (table["term"] == "group[T.g2]")].iloc[0]
    text = apa.odds_ratio_text(row)
    assert text.startswith("Thin data: 19 respondents") is thin
    assert ("*OR* = " in text) is not thin


def test_odds_ratio_without_an_interval_is_not_reported():
    row = {"odds_ratio": np.inf, "ci_low": np.nan, "ci_high": np.inf, "pval": 0.99, "n": 40}
    assert apa.odds_ratio_text(row).startswith("Thin data: 40 respondents; the odds ratio could")


# --- Cronbach's alpha ----------------------------------------------------------------------


def likert(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    items = {f"i{k}": np.clip(np.round(3 + trait + rng.normal(size=n)), 1, 5) for k in range(4)}
    return pd.DataFrame(items)


def test_alpha_sentence_matches_the_formula_and_feldt_interval():
    items = likert(60)
    k, n = items.shape[1], len(items)
    alpha = k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    low = 1 - (1 - alpha) * stats.f.isf(0.025, n - 1, (n - 1) * (k - 1))  # Feldt (1965)
    high = 1 - (1 - alpha) * stats.f.isf(0.975, n - 1, (n - 1) * (k - 1))
    row = cp.scale_reliability(items, list(items.columns)).iloc[0]
    expected = f"α = {bare(alpha)}, 95% CI [{bare(low)}, {bare(high)}] (4 items, *n* = 60)"
    assert apa.alpha_text(row) == expected


@pytest.mark.parametrize(("n", "thin"), [(19, True), (20, False)])
def test_alpha_needs_twenty_respondents(n, thin):
    row = cp.scale_reliability(likert(n), ["i0", "i1", "i2", "i3"]).iloc[0]
    text = apa.alpha_text(row)
    assert ("CI [" not in text) is thin
    if thin:
        assert re.fullmatch(
            r"Thin data: α = -?\.\d\d from 19 respondents, fewer than 20; .*\.", text
        )


# --- group differences ---------------------------------------------------------------------


def groups_frame(sizes: tuple[int, ...], seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "role": np.repeat([f"g{i}" for i in range(len(sizes))], sizes),
            "trust": np.concatenate([rng.normal(i * 0.4, 1, size=s) for i, s in enumerate(sizes)]),
        }
    )


def test_anova_sentence_matches_scipy_and_hand_computed_eta():
    frame = groups_frame((30, 32, 28))
    row = cp.group_difference(frame, "trust", "role").iloc[0]
    samples = [g["trust"].to_numpy() for _, g in frame.groupby("role")]
    ref = stats.f_oneway(*samples)
    grand = frame["trust"].mean()
    ss_between = sum(len(s) * (s.mean() - grand) ** 2 for s in samples)
    eta = ss_between / ((frame["trust"] - grand) ** 2).sum()
    expected = f"*F*(2, 87) = {two(ref.statistic)}, *p* {p3(ref.pvalue)}, η²p = {bare(eta)}"
    assert apa.anova_text(row) == expected


def test_kruskal_sentence_matches_scipy():
    frame = groups_frame((30, 32, 28))
    row = cp.group_difference(frame, "trust", "role", parametric=False).iloc[0]
    ref = stats.kruskal(*[g["trust"].to_numpy() for _, g in frame.groupby("role")])
    epsilon = ref.statistic / (len(frame) - 1)  # Tomczak & Tomczak (2014)
    expected = (
        f"*H*(2, *N* = 90) = {two(ref.statistic)}, *p* {p3(ref.pvalue)}, ε² = {bare(epsilon)}"
    )
    assert apa.anova_text(row) == expected


@pytest.mark.parametrize(("sizes", "thin"), [((10, 9), True), ((10, 10), False)])
def test_group_difference_needs_twenty_respondents(sizes, thin):
    row = cp.group_difference(groups_frame(sizes), "trust", "role").iloc[0]
    text = apa.anova_text(row)
    assert text.startswith("Thin data: 19 respondents, fewer than 20") is thin
    assert text.startswith("*F*(1, 18) = ") is not thin


def test_group_difference_without_a_statistic_gives_its_reason():
    frame = groups_frame((15, 15)).assign(trust=3.0)
    row = cp.group_difference(frame, "trust", "role").iloc[0]
    text = apa.anova_text(row)
    assert text.startswith("Thin data: 30 respondents; not tested: 'trust' is 3 for all 30")
    assert "nan" not in text.lower()


# --- correlations --------------------------------------------------------------------------


def test_pearson_sentence_matches_scipy():
    rng = np.random.default_rng(11)
    x = rng.normal(size=80)
    frame = pd.DataFrame({"a": x, "b": 0.4 * x + rng.normal(size=80)})
    row = cp.trait_correlations(frame, ["a", "b"]).iloc[0]
    ref = stats.pearsonr(frame["a"], frame["b"])
    ci = ref.confidence_interval(0.95)  # Fisher's z interval
    expected = f"*r*(78) = {bare(ref.statistic)}, 95% CI [{bare(ci.low)}, {bare(ci.high)}], *p* {p3(ref.pvalue)}"
    assert apa.correlation_text(row) == expected
    assert plain(expected).startswith("r(78) = .")


def test_spearman_sentence_is_marked_as_rank_correlation():
    rng = np.random.default_rng(12)
    frame = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    row = cp.trait_correlations(frame, ["a", "b"], method="spearman").iloc[0]
    ref = stats.spearmanr(frame["a"], frame["b"])
    assert apa.correlation_text(row).startswith(f"*r*s(38) = {bare(ref.statistic)}, 95% CI [")


@pytest.mark.parametrize(("n", "thin"), [(2, True), (3, False)])
def test_correlation_needs_three_cases(n, thin):
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0][:n], "b": [2.0, 1.0, 3.0][:n]})
    row = cp.trait_correlations(frame, ["a", "b"]).iloc[0]
    text = apa.correlation_text(row)
    assert text.startswith("Thin data: 2 cases with both values") is thin
    if not thin:
        ref = stats.pearsonr(frame["a"], frame["b"])
        assert (
            text == f"*r*(1) = {bare(ref.statistic)}, *p* {p3(ref.pvalue)}"
        )  # no interval at n = 3


@pytest.mark.parametrize(("n_cases", "thin"), [(2, True), (3, False), (6, False)])
def test_aggregation_test_sentence_and_its_thin_cases(n_cases, thin):
    table = cp.aggregation(cp.load()).head(n_cases)
    row = cp.aggregation_test(table).iloc[0]
    text = apa.correlation_text(row)
    assert "nan" not in text.lower()
    if thin:
        assert text == (
            "Thin data: 2 cases with both values; a correlation needs at least 3, so none is "
            "reported."
        )
    elif np.isfinite(row["rho"]):
        ref = stats.spearmanr(table["share_one_sided"], table["share_undesired"])
        expected = f"*r*s({n_cases - 2}) = {bare(ref.statistic)}, *p* {p3(ref.pvalue)}, across {n_cases} cases"
        assert text == expected
    else:  # three cases where a share does not vary
        assert text.startswith(f"Thin data: {n_cases} cases; no correlation")


# --- agreement of coders -------------------------------------------------------------------


def double_coding(n_units: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = rng.choice(["bias", "cycling", "trust"], size=n_units)
    second = np.where(
        rng.random(n_units) < 0.75, first, rng.choice(["bias", "cycling", "trust"], size=n_units)
    )
    units = [f"s{i:03d}" for i in range(n_units)]
    return pd.DataFrame(
        {
            "segment_id": units * 2,
            "coder": ["ann"] * n_units + ["bob"] * n_units,
            "code": np.concatenate([first, second]),
        }
    )


def krippendorff_nominal(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha, nominal, two coders, no missing values (Krippendorff 2011)."""
    values = np.concatenate([a, b])
    n = len(values)
    counts = pd.Series(values).value_counts().to_numpy()
    disagreeing_pairs = 2 * (a != b).sum()  # each unit adds o_ck and o_kc
    expected = (n * n - (counts**2).sum()) / (n - 1)
    return 1 - disagreeing_pairs / expected


def test_agreement_sentence_matches_sklearn_and_the_alpha_formula():
    data = double_coding(40)
    a = data["code"].to_numpy()[:40]
    b = data["code"].to_numpy()[40:]
    kappa = cohen_kappa_score(a, b)
    alpha = krippendorff_nominal(a, b)
    share = (a == b).mean() * 100
    row = cp.agreement(data).iloc[0]
    expected = (
        f"Krippendorff's α = {bare(alpha)}, Cohen's κ = {bare(kappa)}, {share:.1f}% agreement "
        "(*n* = 40 units, 2 coders)"
    )
    assert apa.agreement_text(row) == expected
    assert apa.kappa_text(row) == f"κ = {bare(kappa)} (*n* = 40 units)"


@pytest.mark.parametrize(("n_units", "thin"), [(19, True), (20, False)])
def test_agreement_needs_twenty_double_coded_units(n_units, thin):
    row = cp.agreement(double_coding(n_units)).iloc[0]
    for text in (apa.agreement_text(row), apa.kappa_text(row)):
        assert text.startswith("Thin data: ") is thin
        if thin:
            assert "from 19 double-coded units, fewer than 20" in text


def test_code_agreement_rows_on_the_demo_double_coding():
    table = cp.code_agreement(cp.load().double_coding)
    for _, row in table.iterrows():
        text = apa.agreement_text(row)
        assert "nan" not in text.lower() and "np." not in text
        kappa = row["kappa"]
        if row["n_units"] >= 20 and np.isfinite(kappa):
            assert f"Cohen's κ = {bare(kappa)}" in text


# --- the rule and the writing conventions --------------------------------------------------


def test_thin_data_rule_is_documented_with_its_thresholds():
    for piece in ("20 observations", "20% of expected", "3 cases", "exact p-value"):
        assert piece in apa.THIN_DATA_RULE
    doc = " ".join(apa.__doc__.split())
    for piece in ("at least 20 observations", "20% of its expected counts", "at least 3 cases"):
        assert piece in doc


def test_unknown_row_is_a_clear_error():
    with pytest.raises(ValueError, match="not a result this module writes"):
        apa.thin_data_note({"mean": 3.0})


def test_sentences_render_as_markdown_and_read_without_it():
    rows = [
        (
            apa.chi_square_text,
            cp.crosstab_test(frame_from_table(TABLE), "x", "y", count="w").stats.iloc[0],
        ),
        (apa.anova_text, cp.group_difference(groups_frame((30, 30)), "trust", "role").iloc[0]),
        (apa.alpha_text, cp.scale_reliability(likert(40), ["i0", "i1", "i2"]).iloc[0]),
        (apa.correlation_text, cp.aggregation_test(cp.aggregation(cp.load())).iloc[0]),
        (apa.agreement_text, cp.agreement(double_coding(40)).iloc[0]),
    ]
    for function, row in rows:
        text = function(row)
        html = mistune.html(text)
        # the only markup is italics of single symbols; the text under it is the plain text
        assert set(re.findall(r"</?(\w+)", html)) <= {"p", "em"}
        assert all(len(m) <= 2 for m in re.findall(r"<em>(.*?)</em>", html))
        shown = unescape(re.sub(r"<[^>]+>", "", html)).strip()
        assert shown == plain(text)
        assert "*" not in shown and "_" not in shown


def test_interval_level_and_alpha_of_coders():
    rng = np.random.default_rng(4)
    x = rng.normal(size=50)
    frame = pd.DataFrame({"a": x, "b": x + rng.normal(size=50)})
    row = cp.trait_correlations(frame, ["a", "b"], ci=0.9).iloc[0]
    ci = stats.pearsonr(frame["a"], frame["b"]).confidence_interval(0.9)
    assert f", 90% CI [{bare(ci.low)}, {bare(ci.high)}], " in apa.correlation_text(row, level=0.9)
    assert ", 97.5% CI [" in apa.correlation_text(row, level=0.975)
    coders = cp.agreement(double_coding(40)).iloc[0]
    assert apa.alpha_text(coders).endswith("(*n* = 40 units)")
