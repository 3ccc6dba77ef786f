"""``cp.explore`` without a browser: its numbers against the analyses, its checks, its HTML.

The independent check of every count is the pandas path of the library itself:
``cp.cooccurrence`` and ``cp.chain`` on ``cp.select_cases`` of the same cases (for strategy
families, on a copy of the dataset whose strategy codings are replaced by their family, so
that ``cp.cooccurrence`` counts families as codes), and ``cp.codings_of`` for the segments
behind a cell. The explorer's model counts with numpy arrays read once; these tests ask that
it give the very same tables on the demo, for several selections, dimensions, units and
strategy levels, and on a dataset with derived tensions.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.explorer.model import ExplorerModel
from coprodlib.explorer.widget import explore, quotes_allowed

DS = cp.load()
MODEL = ExplorerModel(DS)
CASES = DS.case_ids
SELECTIONS = [CASES, CASES[:1], CASES[1:4], [CASES[0], CASES[-1]]]
PAIRS = [
    ("tension", "strategy"),
    ("tension", "effect"),
    ("strategy", "effect"),
    ("effect", "effect"),
]


def by_family(ds: cp.Dataset) -> cp.Dataset:
    """The dataset with every strategy coding replaced by its family."""
    entries = ds.codebook.frame.set_index("id")
    family = entries["family"].where(entries["dimension"] == "strategy")
    codes = ds.codings["code"].astype(str)
    return dataclasses.replace(ds, codings=ds.codings.assign(code=codes.map(family).fillna(codes)))


def expected_counts(ds: cp.Dataset, cases, x, y, unit, level) -> pd.DataFrame:
    sub = cp.select_cases(ds, cases)
    if level == "family":
        sub = by_family(sub)
    table = cp.cooccurrence(sub, x, y, unit=unit)
    if level == "family":  # the family codes only, as the explorer's axes hold them
        families = list(dict.fromkeys(ds.codebook.frame["family"].dropna()))
        for col, dim in zip(table.columns[:2], (x, y), strict=True):
            if dim == "strategy":
                table = table[table[col].isin(families)]
                table[col] = table[col].cat.set_categories(families)
        table = table.reset_index(drop=True)
    return table


@pytest.mark.parametrize("cases", SELECTIONS, ids=["all", "one", "three", "ends"])
@pytest.mark.parametrize("unit", list(cp.UNITS))
def test_counts_equal_cooccurrence(cases, unit) -> None:
    for x, y in PAIRS:
        for level in cp.STRATEGY_LEVELS:
            got = MODEL.cooccurrence(cases, x, y, unit=unit, strategy_level=level)
            want = expected_counts(DS, cases, x, y, unit, level)
            pd.testing.assert_frame_equal(got, want, obj=f"{x} x {y}, {unit}, {level}")


@pytest.mark.parametrize("cases", SELECTIONS, ids=["all", "one", "three", "ends"])
@pytest.mark.parametrize("level", list(cp.STRATEGY_LEVELS))
def test_chain_equals_chain(cases, level) -> None:
    want = cp.chain(cp.select_cases(DS, cases), strategy_level=level)
    pd.testing.assert_frame_equal(MODEL.chain(cases, strategy_level=level), want)


def test_segments_of_a_cell_are_those_coded_with_both() -> None:
    cases = CASES[:3]
    long = cp.codings_of(cp.select_cases(DS, cases))
    table = MODEL.cooccurrence(cases, "tension", "effect", strategy_level="strategy")
    for row in table[table["n"] > 0].head(5).itertuples(index=False):
        t, e, n = row[0], row[1], row[2]
        listed = MODEL.segments(cases, "tension", "effect", t, e)
        both = set(long.loc[long["code"] == t, "segment_id"]) & set(
            long.loc[long["code"] == e, "segment_id"]
        )
        assert sorted(listed["segment_id"]) == sorted(both) and len(both) == n
        assert set(listed["coded"]) == {"both"}
        assert list(listed.columns) == ["segment_id", "case_id", "participant_id", "role", "coded"]


def test_segments_of_a_cell_by_participant() -> None:
    cases = CASES[:2]
    long = cp.codings_of(cp.select_cases(DS, cases))
    t, f = "user_vs_collective_value", "escalation"
    has_t = set(long.loc[long["code"] == t, "participant_id"])
    has_f = set(long.loc[long["family"] == f, "participant_id"])
    people = has_t & has_f
    carry = long[
        long["participant_id"].isin(people) & ((long["code"] == t) | (long["family"] == f))
    ]
    listed = MODEL.segments(cases, "tension", "strategy", t, f, unit="participant", text=True)
    assert sorted(listed["segment_id"]) == sorted(set(carry["segment_id"]))
    roles = DS.participants.set_index("participant_id")["role"]
    assert (listed["role"] == listed["participant_id"].map(roles)).all()
    texts = DS.segments.set_index("segment_id")["text"]
    assert (listed["text"] == listed["segment_id"].map(texts)).all()


def test_derived_tensions_are_counted_as_cooccurrence_counts_them() -> None:
    # rewrite some tension codings as the tension's two values: these segments count as the
    # tension only by the derivation rule (analysis/derived.py)
    entries = DS.codebook.frame.set_index("id")
    codings = DS.codings.assign(
        code=DS.codings["code"].astype(str), segment_id=DS.codings["segment_id"].astype(str)
    )
    tension_rows = codings.index[codings["code"].map(entries["dimension"]) == "tension"][::3]
    values = codings.loc[tension_rows].copy()
    values_b = values.copy()
    values["code"] = values["code"].map(entries["value_a"])
    values_b["code"] = values_b["code"].map(entries["value_b"])
    codings = pd.concat([codings.drop(tension_rows), values, values_b], ignore_index=True)
    ds = dataclasses.replace(DS, codings=codings)
    assert len(cp.derived_tensions(ds)) == len(tension_rows)  # the rule applies to each
    model = ExplorerModel(ds)
    for unit in ("segment", "case"):
        for cases in (CASES, CASES[2:4]):
            got = model.cooccurrence(cases, "tension", "effect", unit=unit)
            want = cp.cooccurrence(cp.select_cases(ds, cases), "tension", "effect", unit=unit)
            pd.testing.assert_frame_equal(got, want)
    assert int(got["n"].sum()) > 0
    pd.testing.assert_frame_equal(model.chain(CASES), cp.chain(ds))


# --------------------------------------------------------------------------- the widget


def test_widget_updates_on_every_control() -> None:
    view = explore(DS)
    pd.testing.assert_frame_equal(
        view.counts, expected_counts(DS, CASES, "tension", "strategy", "segment", "family")
    )
    view.cases_widget.value = tuple(CASES[:2])
    view.y_widget.value = "effect"
    view.unit_widget.value = "document"
    pd.testing.assert_frame_equal(
        view.counts, expected_counts(DS, CASES[:2], "tension", "effect", "document", "family")
    )
    view.y_widget.value = "strategy"
    view.level_widget.value = "strategy"
    pd.testing.assert_frame_equal(
        view.counts, expected_counts(DS, CASES[:2], "tension", "strategy", "document", "strategy")
    )
    pd.testing.assert_frame_equal(
        view.chain_table, cp.chain(cp.select_cases(DS, CASES[:2]), strategy_level="strategy")
    )
    assert "2 of 6 cases" in view.status.value


def test_a_cell_lists_its_segments_and_text_follows_quotes() -> None:
    shown = explore(DS, cases=CASES[:3], y="effect")  # quotes=None: the demo keeps text
    top = shown.counts.loc[shown.counts["n"].idxmax()]
    shown.select_cell(top["tension"], top["effect"])
    assert len(shown.segment_table) == top["n"]
    assert "text" in shown.segment_table.columns and "<th>Text</th>" in shown.segments_html.value
    hidden = explore(DS, cases=CASES[:3], y="effect", quotes=False)
    hidden.select_cell(top["tension"], top["effect"])
    assert "text" not in hidden.segment_table.columns
    assert "<th>Text</th>" not in hidden.segments_html.value
    assert list(hidden.segment_table["segment_id"]) == list(shown.segment_table["segment_id"])
    hidden.unit_widget.value = "case"  # the listing follows the unit
    assert len(hidden.segment_table) > top["n"]
    hidden.x_widget.value = "effect"  # the cell is gone from the axes: listing cleared
    assert hidden.cell is None and hidden.segment_table.empty


def test_quotes_follow_the_dataset() -> None:
    no_text = dataclasses.replace(DS, segments=DS.segments.drop(columns="text"))
    assert quotes_allowed(DS) and not quotes_allowed(no_text)
    assert explore(no_text).quotes is False and explore(DS).quotes is True
    with pytest.raises(cp.DataError, match="keeps none"):
        explore(no_text, quotes=True)
    with pytest.raises(TypeError, match="quotes must be"):
        explore(DS, quotes="yes")


def test_values_from_the_dataset_are_escaped() -> None:
    evil = "<script>alert(1)</script>"
    parts = DS.participants.assign(role=evil)
    segs = DS.segments.assign(text=evil + " & more")
    view = explore(dataclasses.replace(DS, participants=parts, segments=segs))
    top = view.counts.loc[view.counts["n"].idxmax()]
    view.select_cell(top["tension"], top["strategy"])
    page = view.segments_html.value
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"x": "tensions"}, ValueError, r"x='tensions' is not a codebook dimension; use one of"),
        ({"y": "value"}, ValueError, r"y='value' has no codings in this dataset; use one of"),
        ({"unit": "sentence"}, ValueError, r"unit='sentence' is not supported; use one of segment"),
        ({"strategy_level": "root"}, ValueError, r"strategy_level='root' is not supported"),
        ({"cases": ["nowhere"]}, cp.DataError, r"found 'nowhere'; expected cases= to name"),
        ({"cases": []}, ValueError, r"cases= is an empty list"),
    ],
)
def test_bad_arguments_name_the_argument_and_the_choices(kwargs, error, message) -> None:
    with pytest.raises(error, match=message):
        explore(DS, **kwargs)


def test_not_a_dataset() -> None:
    with pytest.raises(TypeError, match="dataset must be a coprodlib Dataset"):
        explore(DS.codings)


def test_select_cell_checks_the_codes() -> None:
    view = explore(DS)
    with pytest.raises(ValueError, match=r"y_code='bias' is not a code along the 'strategy'"):
        view.select_cell("inclusiveness_vs_accountability", "bias")  # a strategy, not a family


def test_no_case_chosen_shows_zeros_and_no_chain() -> None:
    view = explore(DS, y="effect")
    view.select_cell("inclusiveness_vs_accountability", view.model.axis("effect").ids[0])
    view.cases_widget.value = ()
    assert view.counts.empty and view.chain_table.empty and view.segment_table.empty
    assert "0 of 6 cases" in view.status.value
    assert "No tension, strategy or effect coded" in view.chain_html.value
    view.cases_widget.value = tuple(CASES)
    assert int(view.counts["n"].sum()) > 0


def test_choosing_studies_chooses_their_cases_in_a_pooled_dataset(tmp_path):
    from coprodlib.importers.pooling import pool_datasets

    pooled = cp.load(pool_datasets([DS.path, DS.path.parent / "demo2"], to=tmp_path / "p").path)
    view = explore(pooled, strategy_level="strategy")  # cp.cooccurrence counts strategies
    assert view.studies_widget.options == ("demo", "demo2")
    view.studies_widget.value = ("demo2",)
    assert view.selection["cases"] == [c for c in pooled.case_ids if c.startswith("demo2_")]
    sub = cp.select_cases(pooled, view.selection["cases"])
    expected = cp.cooccurrence(sub, "tension", "strategy")
    got = view.counts.set_index(["tension", "strategy"])["n"]
    want = expected.set_index(["tension", "strategy"])["n"]
    assert got.reindex(want.index).tolist() == want.tolist()
    # the demo names two imitated studies in cases.csv; a dataset without the column has none
    assert explore(DS).studies_widget.options == ("aschhoff2018", "jaspers2021d")
    no_study = cp.load(DS.path)
    no_study.cases = no_study.cases.drop(columns="study")
    assert explore(no_study).studies_widget is None


def _local_codes_only(root, n_codes: int):
    """The demo's segments with every coding replaced by one of ``n_codes`` local codes (a
    project imported before its codes were mapped); code i is used on i + 1 segments, so
    the most coded are the last ones."""
    import shutil

    folder = root / "local"
    shutil.copytree(DS.path, folder)
    segments = pd.read_csv(folder / "segments.csv", dtype=str)["segment_id"]
    rows = [(segments[(i * 7 + k) % len(segments)], f"mine_{i:03d}")
            for i in range(n_codes) for k in range(i + 1)]  # fmt: skip
    pd.DataFrame(rows, columns=["segment_id", "code"]).drop_duplicates().to_csv(
        folder / "codings.csv", index=False
    )
    pd.DataFrame(
        {"id": [f"mine_{i:03d}" for i in range(n_codes)],
         "label": [f"Mine {i}" for i in range(n_codes)], "dimension": "local"}
    ).to_csv(folder / "codebook_extension.csv", index=False)  # fmt: skip
    (folder / "double_coding.csv").unlink()
    return folder


def test_a_project_of_local_codes_opens_on_them_and_shows_the_most_coded(tmp_path) -> None:
    from coprodlib.explorer import widget

    ds = cp.load(_local_codes_only(tmp_path, widget.MAX_AXIS_CODES + 20))
    view = explore(ds)  # tension and strategy have no codings: local x local instead
    assert (view.selection["x"], view.selection["y"]) == ("local", "local")
    assert len(view._buttons) == widget.MAX_AXIS_CODES**2
    shown = {view.model.axis("local").ids[i] for _, i in view._buttons}
    expected = {f"mine_{i:03d}" for i in range(20, widget.MAX_AXIS_CODES + 20)}
    assert shown == expected  # the 40 most coded: codes 20 to 59
    assert f"the {widget.MAX_AXIS_CODES} most coded of 60 codes along the columns" in (
        view.status.value
    )
    counts = cp.cooccurrence(ds, "local", "local")
    assert view.counts["n"].tolist() == counts["n"].tolist()  # every pair still counted
    with pytest.raises(ValueError, match="x='tension' has no codings in this dataset"):
        explore(ds, x="tension")


@pytest.mark.parametrize(
    ("coded", "x", "y", "chosen"),
    [
        (["tension", "strategy", "effect"], None, None, ("tension", "strategy")),
        (["tension", "strategy", "effect"], "effect", None, ("effect", "strategy")),
        (["tension", "strategy", "effect"], None, "tension", ("strategy", "tension")),
        (["effect", "local"], None, None, ("effect", "local")),
        (["local"], None, None, ("local", "local")),
    ],
)
def test_dimensions_not_given_are_the_first_coded_ones(coded, x, y, chosen) -> None:
    from coprodlib.explorer.widget import _default_dimensions

    assert _default_dimensions(coded, x, y) == chosen
