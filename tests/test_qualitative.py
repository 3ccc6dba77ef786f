"""Co-occurrence, the tension -> strategy -> effect chain, profiles and aggregation.

Every expected number is worked out by hand from the small datasets built here; the working is
in the comments next to each assertion.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.taxonomy.codebook import get_codebook

T1, T2 = "inclusiveness_vs_accountability", "productivity_vs_diversity"
S1, S2 = "bias", "compromising"  # bias favours one value (trade-off); compromising both (balancing)
E1, E2 = "value_failure", "value_realised"  # undesired, desired


def make_dataset(codings, segments, participants, cases=None):
    seg = pd.DataFrame(segments)
    if cases is None:
        cases = pd.DataFrame({"case_id": sorted(seg["case_id"].unique())})
    return SimpleNamespace(
        codings=pd.DataFrame(codings, columns=["segment_id", "code"]),
        segments=seg,
        participants=pd.DataFrame(participants, columns=["participant_id", "case_id", "role"]),
        cases=cases,
        codebook=get_codebook(),
    )


@pytest.fixture
def small():
    # s1: T1 S1 | s2: T1 S2 | s3: T2 S1 | s4: T1 S1 | s5: T2
    codings = [
        ("s1", T1), ("s1", S1),
        ("s2", T1), ("s2", S2),
        ("s3", T2), ("s3", S1),
        ("s4", T1), ("s4", S1),
        ("s5", T2),
    ]  # fmt: skip
    segments = {
        "segment_id": ["s1", "s2", "s3", "s4", "s5"],
        "case_id": ["A", "A", "B", "B", "B"],
        "participant_id": ["p1", "p1", "p2", "p3", "p3"],
    }
    participants = [("p1", "A", "citizen"), ("p2", "B", "professional"), ("p3", "B", "citizen")]
    return make_dataset(codings, segments, participants)


def _cell(frame, a, b):
    cols = list(frame.columns[:2])
    row = frame[(frame[cols[0]] == a) & (frame[cols[1]] == b)]
    assert len(row) == 1
    return int(row["n"].iloc[0]), float(row["c"].iloc[0])


def test_cooccurrence_counts_and_c_coefficient(small):
    co = cp.cooccurrence(small, [T1, T2], [S1, S2])
    assert list(co.columns) == ["code_a", "code_b", "n", "c"]
    # T1 on s1,s2,s4 (3); S1 on s1,s3,s4 (3); both on s1,s4 (2): c = 2 / (3 + 3 - 2) = 0.5
    assert _cell(co, T1, S1) == (2, 0.5)
    # T1 (3) and S2 (s2 only, 1) meet on s2: c = 1 / (3 + 1 - 1) = 1/3
    n, c = _cell(co, T1, S2)
    assert n == 1 and c == pytest.approx(1 / 3)
    # T2 on s3,s5 (2); with S1 (3) on s3: c = 1 / (2 + 3 - 1) = 0.25
    assert _cell(co, T2, S1) == (1, 0.25)
    # T2 and S2 never meet
    assert _cell(co, T2, S2) == (0, 0.0)


def test_cooccurrence_dimension_names_and_all_pairs(small):
    co = cp.cooccurrence(small, "tension", "strategy")
    assert list(co.columns) == ["tension", "strategy", "n", "c"]
    n_tensions = (small.codebook.frame["dimension"] == "tension").sum()
    n_strategies = (small.codebook.frame["dimension"] == "strategy").sum()
    assert len(co) == n_tensions * n_strategies  # zeros included, for heatmaps
    assert co["n"].sum() == 2 + 1 + 1  # every (tension, strategy) meeting counted once


def test_cooccurrence_participant_and_case_units(small):
    # participants: p1 has T1,S1,S2 (s1,s2); p2 has T2,S1 (s3); p3 has T1,S1,T2 (s4,s5)
    co = cp.cooccurrence(small, [T1, T2], [S1, S2], unit="participant")
    # T1 in p1,p3 (2); S1 in p1,p2,p3 (3); both p1,p3 (2): c = 2 / (2 + 3 - 2) = 2/3
    n, c = _cell(co, T1, S1)
    assert n == 2 and c == pytest.approx(2 / 3)
    # T2 in p2,p3 (2); S2 in p1 (1): never together
    assert _cell(co, T2, S2) == (0, 0.0)
    # cases: A has T1,S1,S2; B has T1,S1,T2. T2 with S1 in B only: c = 1 / (1 + 2 - 1) = 0.5
    co_case = cp.cooccurrence(small, [T1, T2], [S1, S2], unit="case")
    assert _cell(co_case, T2, S1) == (1, 0.5)
    assert _cell(co_case, T1, S1) == (2, 1.0)


def test_cooccurrence_overlapping_segments():
    # document d1: s1 [0,10) T1 and s2 [5,15) S1 overlap; s3 [15,20) T2+S2 only touches s2
    # (end exclusive), so it stays on its own. document d2: s4 [0,10) T1 and s5 [0,5) S1 overlap.
    codings = [("s1", T1), ("s2", S1), ("s3", T2), ("s3", S2), ("s4", T1), ("s5", S1)]
    segments = {
        "segment_id": ["s1", "s2", "s3", "s4", "s5"],
        "case_id": ["A"] * 5,
        "participant_id": ["p1"] * 5,
        "document_id": ["d1", "d1", "d1", "d2", "d2"],
        "start": [0, 5, 15, 0, 0],
        "end": [10, 15, 20, 10, 5],
    }
    ds = make_dataset(codings, segments, [("p1", "A", "citizen")])
    plain = cp.cooccurrence(ds, [T1, T2], [S1, S2])
    assert _cell(plain, T1, S1) == (0, 0.0)  # never on the same segment
    merged = cp.cooccurrence(ds, [T1, T2], [S1, S2], overlap=True)
    # units {s1,s2}, {s3}, {s4,s5}: T1 in 2, S1 in 2, both in 2 -> c = 2 / (2 + 2 - 2) = 1
    assert _cell(merged, T1, S1) == (2, 1.0)
    assert _cell(merged, T2, S2) == (1, 1.0)
    assert _cell(merged, T1, S2) == (0, 0.0)


def test_cooccurrence_same_dimension_names(small):
    co = cp.cooccurrence(small, "strategy", "strategy")
    assert list(co.columns[:2]) == ["strategy_a", "strategy_b"]
    diag = co[(co["strategy_a"] == S1) & (co["strategy_b"] == S1)]
    assert int(diag["n"].iloc[0]) == 3 and float(diag["c"].iloc[0]) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": "tensions", "cols": "strategy"}, "not a codebook dimension"),
        ({"rows": ["no_such_code"], "cols": "strategy"}, "no_such_code"),
        ({"rows": [], "cols": "strategy"}, "empty"),
        ({"rows": "tension", "cols": "strategy", "unit": "sentence"}, "unit='sentence'"),
        ({"rows": "tension", "cols": "strategy", "unit": "case", "overlap": True}, "overlap"),
    ],
)
def test_cooccurrence_rejects_bad_arguments(small, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cp.cooccurrence(small, **kwargs)


def test_cooccurrence_overlap_needs_offsets(small):
    with pytest.raises(cp.DataError, match="offsets"):
        cp.cooccurrence(small, "tension", "strategy", overlap=True)


def test_cooccurrence_empty_selection(small):
    with pytest.raises(cp.DataError, match="no codings"):
        cp.cooccurrence(small, ["user_vs_collective_value"], ["hybridization"])


@pytest.fixture
def chained():
    # s1, s2: T1 -> S1 -> E1 ; s3: T2 -> S2 (no effect) ; s4: T1 -> S2 -> E2
    codings = [
        ("s1", T1), ("s1", S1), ("s1", E1),
        ("s2", T1), ("s2", S1), ("s2", E1),
        ("s3", T2), ("s3", S2),
        ("s4", T1), ("s4", S2), ("s4", E2),
    ]  # fmt: skip
    segments = {
        "segment_id": ["s1", "s2", "s3", "s4"],
        "case_id": ["A", "B", "B", "B"],
        "participant_id": ["p1", "p2", "p2", "p3"],
    }
    participants = [("p1", "A", "citizen"), ("p2", "B", "citizen"), ("p3", "B", "professional")]
    return make_dataset(codings, segments, participants)


def test_chain_counts_paths(chained):
    paths = cp.chain(chained, strategy_level="strategy")
    assert list(paths.columns) == ["tension", "strategy", "effect", "n"]
    as_tuples = {
        (r.tension, r.strategy, None if pd.isna(r.effect) else r.effect): r.n
        for r in paths.itertuples()
    }
    assert as_tuples == {(T1, S1, E1): 2, (T2, S2, None): 1, (T1, S2, E2): 1}


def test_chain_by_case_and_family(chained):
    paths = cp.chain(chained, by="case", strategy_level="family")
    assert list(paths.columns) == ["case_id", "tension", "strategy", "effect", "n"]
    b = paths[paths["case_id"] == "B"]
    # in case B: s2 T1-bias(trade_off)-E1, s3 T2-compromising(balancing)-none, s4 T1-balancing-E2
    assert set(b["strategy"]) == {"trade_off", "balancing"}
    assert b["n"].sum() == 3
    by_role = cp.chain(chained, by="role_group")
    assert set(by_role["role_group"]) == {"citizen_coproducer", "public_servant"}


def test_strategy_profile_shares(chained):
    prof = cp.strategy_profile(chained, by="role_group")
    # citizens (p1, p2): s1 bias, s2 bias, s3 compromising -> trade_off 2/3, balancing 1/3
    cit = prof[prof["role_group"] == "citizen_coproducer"].set_index("family")
    assert cit.loc["trade_off", "share"] == pytest.approx(2 / 3)
    assert cit.loc["balancing", "share"] == pytest.approx(1 / 3)
    assert cit.loc["avoidance", "n"] == 0  # every family listed, zero where none was coded
    assert prof.groupby("role_group")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_aggregation_shares(chained):
    agg = cp.aggregation(chained).set_index("case_id")
    # case A: one strategy (bias, one-sided) and one effect (value_failure, undesired)
    assert agg.loc["A", "share_one_sided"] == 1.0
    assert agg.loc["A", "share_undesired"] == 1.0
    # case B: bias, compromising, compromising -> 1/3 one-sided; effects E1, E2 -> 1/2 undesired
    assert agg.loc["B", "share_one_sided"] == pytest.approx(1 / 3)
    assert agg.loc["B", "share_undesired"] == pytest.approx(0.5)


def test_aggregation_test_matches_scipy_and_needs_three_cases():
    from scipy import stats

    table = pd.DataFrame(
        {
            "case_id": list("ABCDE"),
            "share_one_sided": [0.1, 0.4, 0.35, 0.8, 0.6],
            "share_undesired": [0.2, 0.3, 0.5, 0.7, 0.65],
        }
    )
    res = cp.aggregation_test(table)
    # ranks x: 1 3 2 5 4; ranks y: 1 2 3 5 4; d^2 = 0+1+1+0+0 = 2; rho = 1 - 6*2/(5*24) = 0.9
    assert res["rho"].iloc[0] == pytest.approx(0.9)
    assert res["pval"].iloc[0] == pytest.approx(
        stats.spearmanr([1, 3, 2, 5, 4], [1, 2, 3, 5, 4]).pvalue
    )
    assert "few" in res["caveat"].iloc[0] or "handful" in res["caveat"].iloc[0]
    two = cp.aggregation_test(table.head(2))
    assert np.isnan(two["rho"].iloc[0]) and two["n_cases"].iloc[0] == 2


def test_no_python_loop_needed_for_large_input():
    """A smoke check that co-occurrence scales: 200k codings count in well under a few seconds."""
    rng = np.random.default_rng(1)
    n_seg = 50_000
    tensions = (get_codebook().frame.query("dimension == 'tension'")["id"]).to_numpy()
    strategies = (get_codebook().frame.query("dimension == 'strategy'")["id"]).to_numpy()
    seg_ids = np.array([f"s{i}" for i in range(n_seg)])
    codings = pd.DataFrame(
        {
            "segment_id": np.r_[seg_ids, seg_ids],
            "code": np.r_[rng.choice(tensions, n_seg), rng.choice(strategies, n_seg)],
        }
    )
    segments = {
        "segment_id": seg_ids,
        "case_id": rng.choice(["A", "B"], n_seg),
        "participant_id": rng.choice(["p1", "p2"], n_seg),
    }
    ds = make_dataset(codings, segments, [("p1", "A", "citizen"), ("p2", "B", "citizen")])
    co = cp.cooccurrence(ds, "tension", "strategy")
    assert co["n"].sum() == n_seg  # each segment has exactly one tension and one strategy


def test_cooccurrence_at_root_level_counts_families() -> None:
    """count_as="root" counts a family on every segment coded with it or a strategy under it;
    the reference is a plain merge of tension and strategy codings on the segment."""
    ds = cp.load()
    got = cp.cooccurrence(ds, "tension", "strategy", count_as="root")
    assert list(got["strategy"].cat.categories) == [
        "avoidance",
        "escalation",
        "trade_off",
        "balancing",
    ]
    tensions = cp.codings_of(ds, "tension")[["segment_id", "code"]]
    families = cp.codings_of(ds, "strategy")[["segment_id", "family"]]
    pairs = tensions.merge(families, on="segment_id").drop_duplicates()
    expected = pairs.groupby(["code", "family"]).size()
    got = got.set_index(["tension", "strategy"])["n"]
    for (tension, family), n in expected.items():
        assert got[(tension, family)] == n
    assert got.sum() == expected.sum()
    with pytest.raises(ValueError, match="count_as"):
        cp.cooccurrence(ds, "tension", "strategy", count_as="family")


def test_old_spellings_of_the_options_still_work_and_warn() -> None:
    ds = cp.load()
    new = cp.cooccurrence(ds, "tension", "strategy", unit="case", count_as="root")
    with pytest.warns(DeprecationWarning) as caught:
        old = cp.cooccurrence(ds, "tension", "strategy", "case", level="root")
    assert {str(w.message).split("(): ")[1][:12] for w in caught} == {
        "pass unit= b",
        "level= is no",
    }
    pd.testing.assert_frame_equal(old, new)
    with pytest.warns(DeprecationWarning, match="strategy_level"):
        old_chain = cp.chain(ds, level="strategy")
    pd.testing.assert_frame_equal(old_chain, cp.chain(ds, strategy_level="strategy"))
    with pytest.warns(DeprecationWarning, match="strategy_level"):
        old_profile = cp.strategy_profile(ds, by="role", level="strategy")
    pd.testing.assert_frame_equal(
        old_profile, cp.strategy_profile(ds, by="role", strategy_level="strategy")
    )
    with pytest.raises(TypeError, match="both"):
        cp.chain(ds, level="family", strategy_level="family")


def test_chain_and_strategy_profile_share_one_default() -> None:
    ds = cp.load()
    assert "family" in cp.strategy_profile(ds, by="role").columns
    families = set(cp.get_codebook().frame.query("dimension == 'strategy' and parent.isna()")["id"])
    assert set(cp.chain(ds)["strategy"].dropna()) <= families
    assert set(cp.strategy_profile(ds, by="role")["family"]) <= families


def test_example_segments_keep_one_schema_and_refuse_a_dataset_without_text() -> None:
    ds = cp.load()
    quotes = cp.example_segments(ds, n=1)
    assert list(quotes.columns) == ["code", "segment_id", "participant_id", "role", "text"]
    redacted = dataclasses.replace(ds, segments=ds.segments.assign(text=pd.NA))
    with pytest.raises(cp.DataError, match="segments.csv.*--keep-text"):
        cp.example_segments(redacted)


# --------------------------------------------------------------------------- thin data


@pytest.fixture
def strategies_only():
    # one case, one role, strategies and no tension, value or effect: s1 bias, s2 compromising
    codings = [("s1", S1), ("s2", S2)]
    segments = {"segment_id": ["s1", "s2"], "case_id": ["A", "A"], "participant_id": ["p1", "p1"]}
    return make_dataset(codings, segments, [("p1", "A", "citizen")])


def test_analyses_on_strategies_alone_say_what_is_missing(strategies_only) -> None:
    ds = strategies_only
    # every tension x strategy pair is 0: the table is complete, and nothing co-occurs
    co = cp.cooccurrence(ds, "tension", "strategy", count_as="root")
    assert len(co) == 7 * 4 and co["n"].sum() == 0
    assert (co["c"].dropna() == 0).all()
    with pytest.raises(cp.DataError, match="coded together"):
        cp.plots.cooccurrence_heatmap(co, x="strategy", y="tension")
    paths = cp.chain(ds)
    assert paths["tension"].isna().all() and paths["effect"].isna().all()
    assert paths["strategy"].tolist() == ["balancing", "trade_off"]  # one each, n = 1
    with pytest.raises(cp.DataError, match="no codings of 'tension'"):
        cp.dimension_counts(ds, "tension")
    agg = cp.aggregation(ds)
    # bias favours one value, compromising both: 1/2; no effect, so no share of undesired
    assert agg.loc[0, "share_one_sided"] == 0.5 and np.isnan(agg.loc[0, "share_undesired"])
    test = cp.aggregation_test(agg)
    assert test.loc[0, "n_cases"] == 0 and np.isnan(test.loc[0, "rho"])
    with pytest.raises(cp.DataError, match="no point to draw"):
        cp.plots.aggregation_plot(agg)


def test_analyses_on_codes_outside_the_taxonomy_are_data_errors() -> None:
    # a project whose codes are all local: nothing to count as a tension, strategy or effect
    segments = {"segment_id": ["s1"], "case_id": ["A"], "participant_id": ["p1"]}
    ds = make_dataset([("s1", "value_realised")], segments, [("p1", "A", "citizen")])
    ds.codings["code"] = "my_local_code"
    with pytest.raises(cp.DataError, match="no tension, strategy or effect"):
        cp.chain(ds)
    with pytest.raises(cp.DataError, match="no codings of rows='tension' or cols='strategy'"):
        cp.cooccurrence(ds, "tension", "strategy")
    with pytest.raises(cp.DataError, match="no codings of 'strategy'"):
        cp.strategy_profile(ds, by="role")
    assert cp.codings_of(ds)["dimension"].isna().all()
