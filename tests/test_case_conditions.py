"""cp.case_conditions: the coded shares per case, against counts made here from the CSV files
with the csv module and the codebook file (an independent reading of the same data)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml

import coprodlib as cp

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
CODEBOOK = ROOT / "src" / "coprodlib" / "taxonomy" / "codebook.yaml"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DEMO / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _entries() -> dict[str, dict]:
    raw = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    return {e["id"]: e for e in raw["entries"]}


def _inherited(entries: dict[str, dict], code: str, key: str):
    entry = entries[code]
    while key not in entry and entry.get("parent") in entries:
        entry = entries[entry["parent"]]
    return entry.get(key)


def _root(entries: dict[str, dict], code: str) -> str:
    while entries[code].get("parent") in entries and (
        entries[entries[code]["parent"]]["dimension"] == entries[code]["dimension"]
    ):
        code = entries[code]["parent"]
    return code


def _by_hand() -> dict[str, dict[str, float]]:
    entries = _entries()
    seg_case = {r["segment_id"]: r["case_id"] for r in _rows("segments")}
    seg_part = {r["segment_id"]: r["participant_id"] for r in _rows("segments")}
    role = {r["participant_id"]: r["role"] for r in _rows("participants")}
    once = {(r["segment_id"], r["code"]) for r in _rows("codings")}  # a code once per segment
    counts: dict[str, Counter] = {}
    for seg, code in once:
        c = counts.setdefault(seg_case[seg], Counter())
        dim = entries[code]["dimension"]
        c["codings"] += 1
        # citizen co-producers: the roles under citizen_coproducer in the codebook
        if _root(entries, role[seg_part[seg]]) == "citizen_coproducer":
            c["citizen"] += 1
        if dim == "strategy":
            c["strategies"] += 1
            c["one"] += _inherited(entries, code, "favours") == "one"
            c["escalation"] += _root(entries, code) == "escalation"
        if dim == "effect":
            c["effects"] += 1
            c["undesired"] += _inherited(entries, code, "desired") is False
    return {
        case: {
            "share_one_sided": c["one"] / c["strategies"],
            "share_citizen": c["citizen"] / c["codings"],
            "share_escalation": c["escalation"] / c["strategies"],
            "share_undesired": c["undesired"] / c["effects"],
            "n_codings": c["codings"],
        }
        for case, c in counts.items()
    }


def test_shares_equal_counts_made_from_the_files():
    table = cp.case_conditions(cp.load(DEMO))
    expected = _by_hand()
    assert sorted(table.index) == sorted(expected)
    for case, want in expected.items():
        for column, value in want.items():
            assert table.loc[case, column] == pytest.approx(value), (case, column)


def test_form_columns_and_order():
    table = cp.case_conditions(cp.load(DEMO))
    assert table.columns.tolist() == [
        "study",
        "phase",
        "level",
        "mode",
        "logic",
        "n_codings",
        "n_strategies",
        "n_effects",
        *cp.CASE_MEASURES,
    ]
    cases = {r["case_id"]: r for r in _rows("cases")}
    for case in table.index:
        assert table.loc[case, "mode"] == cases[case]["mode"]


def test_a_case_without_strategies_has_missing_shares_not_zero():
    ds = cp.load(DEMO)
    segs = ds.segments[ds.segments["case_id"] == "de_employment"]["segment_id"]
    codes = ds.codebook.dimensions_of(ds.codings["code"].astype(str))
    keep = ~(ds.codings["segment_id"].isin(segs) & np.isin(codes, ["strategy"]))
    ds.codings = ds.codings[keep]
    table = cp.case_conditions(ds)
    assert table.loc["de_employment", "n_strategies"] == 0
    assert np.isnan(table.loc["de_employment", "share_one_sided"])
    assert np.isnan(table.loc["de_employment", "share_escalation"])
    assert table.loc["be_elderly_care", "share_one_sided"] > 0


def test_case_sets_calibrate_measures_and_categories_as_told():
    table = cp.case_conditions(cp.load(DEMO))
    sets = cp.case_sets(
        table,
        sets={"ONESIDED": "share_one_sided", "CEREMONIAL": "logic:ceremonial"},
        anchors={"share_one_sided": (0.5, 0.7, 0.9)},
    )
    # the direct method by hand (Ragin 2008): log odds 3 * (x - c) / (i - c) above the
    # crossover, scaled so that the inclusion anchor gives 0.95: log(0.95 / 0.05) = 2.944
    x = table.loc["be_elderly_care", "share_one_sided"]
    odds = np.log(0.95 / 0.05) * (x - 0.7) / (0.9 - 0.7)
    assert sets.loc["be_elderly_care", "ONESIDED"] == pytest.approx(1 / (1 + np.exp(-odds)))
    ceremonial = table["logic"].eq("ceremonial").astype(int)
    assert sets["CEREMONIAL"].tolist() == ceremonial.tolist()
    info = sets.attrs["calibration"].set_index("set")
    assert info.loc["ONESIDED", "crossover"] == 0.7
    assert info.loc["CEREMONIAL", "calibration"] == "crisp (category)"
    crisp = cp.case_sets(table, sets={"ONESIDED": "share_one_sided"}, calibration="crisp")
    assert (
        crisp["ONESIDED"].tolist()
        == (table["share_one_sided"] >= cp.DEFAULT_ANCHORS["share_one_sided"][1])
        .astype(int)
        .tolist()
    )


def test_case_sets_leave_out_a_case_without_the_measure_and_say_so():
    ds = cp.load(DEMO)
    segs = ds.segments[ds.segments["case_id"] == "de_employment"]["segment_id"]
    codes = ds.codebook.dimensions_of(ds.codings["code"].astype(str))
    ds.codings = ds.codings[~(ds.codings["segment_id"].isin(segs) & np.isin(codes, ["strategy"]))]
    sets = cp.case_sets(cp.case_conditions(ds), sets={"ONESIDED": "share_one_sided"})
    assert "de_employment" not in sets.index and sets.attrs["dropped"] == ["de_employment"]
    assert "de_employment" in cp.qca_cases_text(sets, conditions=["ONESIDED"])


@pytest.mark.parametrize(
    ("sets", "kwargs", "match"),
    [
        ({"A": "share_nothing"}, {}, "a measure of the table"),
        ({"A": "colour:red"}, {}, "a column of the table"),
        ({"A": "share_one_sided"}, {"anchors": {"share_one_sided": (0.1, 0.2)}}, "three anchors"),
        ({"A": "share_one_sided"}, {"calibration": "fuzzy-ish"}, "fuzzy, crisp"),
        ({}, {}, "non-empty"),
        # a typo would otherwise make a set no case is in, or leave the default anchors on
        ({"A": "mode:enhancd"}, {}, r"a mode of the codebook \(consumer, "),
        ({"A": "study:aschoff2018"}, {}, r"a value some case has in study \(aschhoff2018, "),
        ({"A": "share_citizen"}, {"anchors": {"share_citzen": (0.2, 0.5, 0.8)}}, "a column"),
        ({"A": "share_citizen"}, {"anchors": {"share_citizen": ("low", 0.5, 0.8)}}, "as numbers"),
        ({"A": "share_citizen"}, {"anchors": {"share_citizen": 0.5}}, "as numbers"),
        ({"A": "share_citizen"}, {"anchors": {"share_citizen": (0.2, None, 0.8)}}, "as numbers"),
    ],
)
def test_case_sets_refuse_what_they_cannot_calibrate(sets, kwargs, match):
    table = cp.case_conditions(cp.load(DEMO))
    with pytest.raises((cp.DataError, ValueError, TypeError), match=match):
        cp.case_sets(table, sets=sets, **kwargs)


#: Two conditions (a measure and a category) and the outcome, for the robustness tests.
ROBUST_SETS = {
    "ONESIDED": "share_one_sided",
    "HANDSON": "logic:hands-on",
    "UNDESIRED": "share_undesired",
}


def _robustness(table, *, shift: float):
    return cp.calibration_robustness(
        table,
        sets=ROBUST_SETS,
        outcome="UNDESIRED",
        conditions=["ONESIDED", "HANDSON"],
        shift=shift,
    )


def test_calibration_robustness_moves_one_measure_at_a_time():
    table = cp.case_conditions(cp.load(DEMO))
    out = _robustness(table, shift=0.1)
    # the category has no anchors: the first row, then two rows per measure
    assert out["set"].tolist() == ["(as given)", "ONESIDED", "ONESIDED", "UNDESIRED", "UNDESIRED"]
    crossover = cp.DEFAULT_ANCHORS["share_one_sided"][1]
    assert out["crossover"].iloc[1:3].tolist() == pytest.approx([crossover - 0.1, crossover + 0.1])
    # one moved row, recomputed here: the anchors of that measure alone moved
    moved = {"share_one_sided": tuple(a + 0.1 for a in cp.DEFAULT_ANCHORS["share_one_sided"])}
    again = cp.minimize(
        cp.case_sets(table, sets=ROBUST_SETS, anchors=moved),
        outcome="UNDESIRED",
        conditions=["ONESIDED", "HANDSON"],
        solutions=["conservative"],
    )
    assert out.loc[2, "expression"] == " | ".join(sorted(set(again["expression"])))
    assert out["same"].tolist() == (out["expression"] == out.loc[0, "expression"]).tolist()


def test_an_anchor_moved_past_every_case_takes_the_condition_out_of_the_solution():
    table = cp.case_conditions(cp.load(DEMO))
    # share_one_sided is at most 0.89 in the demo; a crossover of 0.65 + 0.4 puts every case
    # out of ONESIDED, so no sufficient path can require its presence
    out = _robustness(table, shift=0.4)
    up = out[(out["set"] == "ONESIDED") & (out["shift"] > 0)].iloc[0]
    paths = [p.strip() for p in up["expression"].split("+")] if up["expression"] else []
    assert all("~ONESIDED" in p or "ONESIDED" not in p for p in paths)
    assert not up["same"]


def test_the_columns_stay_the_same_when_cases_csv_names_no_study():
    ds = cp.load(DEMO)
    ds.cases = ds.cases.drop(columns="study")
    table = cp.case_conditions(ds)
    assert table.columns.tolist() == cp.case_conditions(cp.load(DEMO)).columns.tolist()
    assert table["study"].isna().all()


def test_with_no_case_to_analyse_necessity_and_robustness_say_so():
    # every case lacks the strategy shares (no strategy coded): no case enters the sets
    table = cp.case_conditions(cp.load(DEMO)).assign(share_one_sided=float("nan"))
    sets = cp.case_sets(table, sets=ROBUST_SETS)
    assert sets.empty and len(sets.attrs["dropped"]) == len(table)
    with pytest.raises(cp.DataError, match="at least one case"):
        cp.necessity(sets, outcome="UNDESIRED", conditions=["ONESIDED", "HANDSON"])
    with pytest.raises(cp.DataError, match="at least one case with every measure"):
        cp.calibration_robustness(
            table, sets=ROBUST_SETS, outcome="UNDESIRED", conditions=["ONESIDED", "HANDSON"]
        )


@pytest.mark.parametrize("shift", [0, -0.05, "0.05", True, float("nan"), float("inf")])
def test_a_robustness_shift_that_is_no_positive_number_is_refused(shift):
    table = cp.case_conditions(cp.load(DEMO))
    with pytest.raises(ValueError, match="shift must be a positive number"):
        _robustness(table, shift=shift)


def test_a_form_value_the_cases_hold_is_a_set_even_outside_the_codebook():
    # cases.csv may say logic "unknown" (the contract allows it); a set of those cases is fine
    table = cp.case_conditions(cp.load(DEMO))
    table.loc[table.index[0], "logic"] = "unknown"
    sets = cp.case_sets(table, sets={"U": "logic:unknown"})
    assert sets["U"].tolist() == [1] + [0] * (len(table) - 1)


def test_anchors_written_as_one_text_are_refused():
    table = cp.case_conditions(cp.load(DEMO))
    with pytest.raises(cp.DataError, match="as numbers"):
        cp.case_sets(table, sets={"A": "share_citizen"}, anchors={"share_citizen": "159"})


def test_a_numpy_number_is_a_shift():
    import numpy as np

    table = cp.case_conditions(cp.load(DEMO))
    out = _robustness(table, shift=np.float64(0.05))
    assert out["shift"].abs().max() == pytest.approx(0.05)
