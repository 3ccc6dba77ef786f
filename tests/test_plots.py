"""Figures: each takes its tidy frame and one vocabulary of options, draws on the given Axes (or
returns its own Figure), shows labels instead of ids, and rejects bad input with DataError."""

from __future__ import annotations

import inspect
import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from coprodlib import plots  # noqa: E402
from coprodlib.errors import DataError  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def co():
    return pd.DataFrame(
        {
            "tension": ["inclusiveness_vs_accountability"] * 2 + ["productivity_vs_diversity"] * 2,
            "strategy": ["bias", "compromising"] * 2,
            "n": [3, 1, 0, 2],
        }
    )


@pytest.fixture
def frames(co):
    """One small frame per plot function, with ids that the LABELS below relabel."""
    survey = pd.DataFrame(
        {
            "vignette": ["control", "conflict"] * 4,
            "role": ["citizen"] * 4 + ["public_servant"] * 4,
            "coping_choice": ["avoidance", "balancing", "escalation", "balancing"] * 2,
            "self_efficacy": [1.0, 2.0, 3.0, 4.0, 2.5, 3.5, 1.5, 2.0],
            "generalised_trust": [3.0, 2.0, 4.0, 1.0, 2.0, 3.0, 3.5, 1.0],
        }
    )
    profile = pd.DataFrame(
        {
            "role_group": ["citizen", "citizen", "public_servant", "public_servant"],
            "family": ["avoidance", "balancing"] * 2,
            "share": [0.25, 0.75, 0.5, 0.5],
        }
    )
    return {
        "cooccurrence_heatmap": co,
        "residual_heatmap": pd.DataFrame(
            [[2.5, -2.5], [-1.0, 1.0]],
            index=pd.Index(["inclusiveness_vs_accountability", "productivity_vs_diversity"]),
            columns=pd.Index(["bias", "compromising"]),
        ),
        "alluvial": pd.DataFrame(
            {
                "tension": ["productivity_vs_diversity", "productivity_vs_diversity", "t2"],
                "strategy": ["bias", "compromising", "bias"],
                "effect": ["value_failure", "value_failure", None],
                "n": [2, 1, 1],
            }
        ),
        "family_bars": profile,
        "small_multiples_figure": pd.concat(
            [profile.assign(case_id="case_a"), profile.assign(case_id="case_b")]
        ),
        "aggregation_plot": pd.DataFrame(
            {
                "case_id": ["case_a", "case_b", "case_c"],
                "share_one_sided": [0.2, 0.5, None],
                "share_undesired": [0.4, 0.9, 0.3],
            }
        ),
        "forest_plot": pd.DataFrame(
            {
                "outcome": ["escalation", "escalation"],
                "term": ["self_efficacy", "generalised_trust"],
                "odds_ratio": [2.0, 0.5],
                "ci_low": [1.2, 0.3],
                "ci_high": [3.1, 0.9],
            }
        ),
        "choice_shares": survey,
        "trait_distributions_figure": survey,
        "xy_plot": pd.DataFrame(
            {
                "solution": [0.2, 0.8, 0.6],
                "outcome": [0.4, 0.7, 0.9],
                "case_type": ["irrelevant", "typical", "typical"],
            },
            index=pd.Index(["case_a", "case_b", "case_c"], name="case_id"),
        ),
    }


#: Each function with the options of a typical call, in the new vocabulary.
CALLS = {
    "cooccurrence_heatmap": {"x": "strategy", "y": "tension"},
    "residual_heatmap": {},
    "alluvial": {},
    "family_bars": {},
    "small_multiples_figure": {"col": "case_id", "y": "role_group", "hue": "family"},
    "aggregation_plot": {},
    "forest_plot": {},
    "choice_shares": {"y": "vignette"},
    "trait_distributions_figure": {"y": ["self_efficacy", "generalised_trust"]},
    "xy_plot": {},
}
FIGURE_LEVEL = ["small_multiples_figure", "trait_distributions_figure"]
AXES_LEVEL = [name for name in CALLS if name not in FIGURE_LEVEL]

#: Every keyword of before the one vocabulary, and its new name.
OLD_KEYWORDS = [
    ("cooccurrence_heatmap", "value", "weights"),
    ("residual_heatmap", "residuals", "data"),
    ("alluvial", "columns", "x"),
    ("alluvial", "weight", "weights"),
    ("family_bars", "x", "y"),
    ("family_bars", "weight", "weights"),
    ("small_multiples_figure", "x", "y"),
    ("small_multiples_figure", "weight", "weights"),
    ("aggregation_plot", "label", "text"),
    ("forest_plot", "estimate", "x"),
    ("forest_plot", "low", "xmin"),
    ("forest_plot", "high", "xmax"),
    ("forest_plot", "term", "y"),
    ("forest_plot", "outcome", "hue"),
    ("choice_shares", "by", "y"),
    ("choice_shares", "choice", "hue"),
    ("trait_distributions_figure", "traits", "y"),
    ("trait_distributions_figure", "by", "x"),
]


def draw(name, frames, **options):
    return getattr(plots, name)(frames[name], **{**CALLS[name], **options})


def pixels(result) -> np.ndarray:
    buffer = io.BytesIO()
    getattr(result, "figure", result).savefig(buffer, format="png", dpi=30)
    buffer.seek(0)
    return plt.imread(buffer)


def shown_text(name, result) -> list[str]:
    """The tick labels, titles, legend entries and annotations a figure shows."""
    fig = getattr(result, "figure", result)
    fig.canvas.draw()
    texts = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    for ax in fig.axes:
        texts += [t.get_text() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]]
        texts += [t.get_text() for t in ax.texts] + [ax.get_title()]
        if ax.get_legend() is not None:
            texts += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t.replace("\n", " ") for t in texts]  # long labels wrap


# --- what each figure draws ---------------------------------------------------------------


def test_heatmap_draws_on_given_axes_with_codebook_labels(co):
    fig, ax = plt.subplots()
    out = plots.cooccurrence_heatmap(co, x="strategy", y="tension", ax=ax)
    assert out is ax
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "bias" not in ticks  # labels, not ids
    assert len(ticks) == 2
    annotations = sorted(t.get_text() for t in ax.texts)
    assert annotations == ["0", "1", "2", "3"]


def test_residual_heatmap_is_centred_on_zero():
    res = pd.DataFrame([[2.5, -2.5], [-1.0, 1.0]], index=["a", "b"], columns=["x", "y"])
    ax = plots.residual_heatmap(res, labels={})
    mesh = ax.collections[0]
    assert mesh.norm.vmin == -mesh.norm.vmax == pytest.approx(-2.5)


def test_alluvial_bands_match_flows():
    paths = pd.DataFrame(
        {
            "tension": ["t1", "t1", "t2"],
            "strategy": ["s1", "s2", "s1"],
            "effect": ["e1", "e1", None],
            "n": [2, 1, 1],
        }
    )
    ax = plots.alluvial(paths, labels={})
    # bands: t1-s1, t1-s2, t2-s1 between the first columns; s1-e1, s2-e1, s1-(none) after
    # 6 blocks (t1 t2 | s1 s2 | e1 none) and 3 + 3 bands
    assert len(ax.patches) == 6 + 6
    labels = {t.get_text() for t in ax.texts}
    assert "(none)" in labels


def test_alluvial_hue_colours_bands_by_another_column():
    paths = pd.DataFrame(
        {"tension": ["t1", "t1"], "strategy": ["s1", "s2"], "effect": ["e1", "e2"], "n": [1, 1]}
    )
    by_first = plots.alluvial(paths, labels={})
    by_strategy = plots.alluvial(paths, hue="strategy", labels={})

    def band_colours(ax):
        return {tuple(p.get_facecolor()) for p in ax.patches if type(p).__name__ == "PathPatch"}

    assert len(band_colours(by_first)) == 1  # one tension
    assert len(band_colours(by_strategy)) == 2  # two strategies


def test_family_bars_stack_to_one(frames):
    ax = plots.family_bars(frames["family_bars"], labels={})
    right_edges = {}
    for bar in ax.patches:
        y = round(bar.get_y(), 6)
        right_edges[y] = max(right_edges.get(y, 0), bar.get_x() + bar.get_width())
    assert sorted(right_edges.values()) == pytest.approx([1.0, 1.0])
    assert ax.get_xlabel() == "share" and ax.get_ylabel() == "role group"


def test_forest_plot_log_scale_with_reference_line(frames):
    ax = plots.forest_plot(frames["forest_plot"])
    assert ax.get_xscale() == "log"
    assert any(np.allclose(line.get_xdata(), [1.0, 1.0]) for line in ax.lines)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Escalation: Self-efficacy", "Escalation: Generalised trust"]
    alone = plots.forest_plot(frames["forest_plot"], hue=None)
    assert [t.get_text() for t in alone.get_yticklabels()] == ["Self-efficacy", "Generalised trust"]


def test_choice_shares_stack_to_one_per_group(frames):
    ax = plots.choice_shares(frames["choice_shares"], y="role")
    assert ax.get_ylabel() == "role"
    right = [bar.get_x() + bar.get_width() for bar in ax.patches]
    assert max(right) == pytest.approx(1.0)


def test_survey_plots_show_codebook_labels_and_words_by_default(frames):
    """Coping choices, roles and traits are codebook ids: the survey plots show their labels,
    and write other values (a vignette condition) as words."""
    survey = frames["choice_shares"].replace({"vignette": {"control": "no_conflict"}})
    shown = shown_text("choice_shares", plots.choice_shares(survey, y="role"))
    assert {"Avoidance", "Balancing", "Escalation", "Public servant"} <= set(shown)
    assert "avoidance" not in shown and "public_servant" not in shown
    assert "no conflict" in shown_text("choice_shares", plots.choice_shares(survey, y="vignette"))
    fig = plots.trait_distributions_figure(survey, y=["generalised_trust", "self_efficacy"])
    assert "Avoidance" in shown_text("trait_distributions_figure", fig)
    assert [ax.get_title() for ax in fig.axes] == ["Generalised trust", "Self-efficacy"]


def test_forest_plot_writes_model_terms_as_variable_and_level():
    models = pd.DataFrame(
        {"outcome": ["balancing"] * 3, "odds_ratio": [1.1, 1.3, 0.9], "ci_low": [0.5] * 3,
         "ci_high": [2.4] * 3,
         "term": ["role[T.community_member]", "C(vignette, Treatment('control'))[T.conflict]",
                  "Intercept"]}
    )  # fmt: skip
    ticks = [t.get_text() for t in plots.forest_plot(models).get_yticklabels()]
    assert ticks == ["Balancing: role: Community member", "Balancing: vignette: conflict",
                     "Balancing: Intercept"]  # fmt: skip


@pytest.mark.parametrize("name", FIGURE_LEVEL)
def test_figure_level_plots_return_their_figure(frames, name):
    result = draw(name, frames)
    assert isinstance(result, Figure)
    assert result.figure is result  # notebooks save `grid.figure`
    assert "ax" not in inspect.signature(getattr(plots, name)).parameters


@pytest.mark.parametrize("name", AXES_LEVEL)
def test_axes_level_plots_return_the_axes_they_were_given(frames, name):
    fig, ax = plt.subplots()
    assert draw(name, frames, ax=ax) is ax
    assert len(fig.axes) >= 1 and fig.axes[0] is ax


@pytest.mark.parametrize("name", list(CALLS))
def test_every_plot_takes_data_first_and_options_by_keyword(name):
    params = list(inspect.signature(getattr(plots, name)).parameters.values())
    assert params[0].name == "data"
    assert all(p.kind is p.KEYWORD_ONLY for p in params[1:])
    assert "labels" in {p.name for p in params}


@pytest.mark.parametrize("name", list(CALLS))
def test_name_and_first_docstring_line_say_what_is_returned(name):
    first = inspect.getdoc(getattr(plots, name)).splitlines()[0]
    returned = "Figure" if name.endswith("_figure") else "Axes"
    assert first.endswith(f"return the {returned}.")
    assert "Returns" in inspect.getdoc(getattr(plots, name))


# --- labels ---------------------------------------------------------------------------------

LABELS = {
    "bias": "Bias!",
    "productivity_vs_diversity": "Productivity vs diversity!",
    "citizen": "Citizen!",
    "avoidance": "Avoidance!",
    "case_a": "Case A!",
    "self_efficacy": "Self-efficacy!",
    "escalation": "Escalation!",
}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("cooccurrence_heatmap", "bias"),
        ("cooccurrence_heatmap", "productivity_vs_diversity"),
        ("residual_heatmap", "bias"),
        ("alluvial", "productivity_vs_diversity"),
        ("family_bars", "citizen"),
        ("family_bars", "avoidance"),
        ("small_multiples_figure", "citizen"),
        ("small_multiples_figure", "case_a"),
        ("aggregation_plot", "case_a"),
        ("xy_plot", "case_a"),
        ("forest_plot", "self_efficacy"),
        ("choice_shares", "avoidance"),
        ("trait_distributions_figure", "avoidance"),
        ("trait_distributions_figure", "self_efficacy"),
    ],
)
def test_every_plot_shows_labels_instead_of_ids(frames, name, code):
    shown = " | ".join(shown_text(name, draw(name, frames, labels=LABELS)))
    assert LABELS[code] in shown
    assert code not in shown.replace(LABELS[code], "")


def test_forest_plot_labels_terms_and_outcomes(frames):
    ax = plots.forest_plot(frames["forest_plot"], labels=LABELS)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["Escalation!: Self-efficacy!", "Escalation!: generalised trust"]


def test_labels_may_be_a_codebook(co):
    import coprodlib as cp

    ax = plots.cooccurrence_heatmap(co, x="strategy", y="tension", labels=cp.get_codebook())
    assert cp.get_codebook().get("bias").label in [t.get_text() for t in ax.get_xticklabels()]


# --- old spellings --------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "old", "new"), OLD_KEYWORDS)
def test_old_keywords_still_work_and_name_the_replacement(frames, name, old, new):
    function = getattr(plots, name)
    options = dict(CALLS[name])
    value = options.pop(new, None)
    if new == "data":
        value = frames[name]
    elif value is None:
        value = inspect.signature(function).parameters[new].default
    positional = () if new == "data" else (frames[name],)
    with pytest.warns(DeprecationWarning, match=rf"{name}\(\): {old}= is now called {new}="):
        result = function(*positional, **{old: value}, **options)
    expected = function(*positional, **{new: value}, **options)
    assert np.array_equal(pixels(result), pixels(expected))


@pytest.mark.parametrize(
    "call",
    [
        lambda f: plots.choice_shares(f["choice_shares"], by="role", y="role"),
        lambda f: plots.forest_plot(f["forest_plot"], estimate="odds_ratio", x="odds_ratio"),
        lambda f: plots.residual_heatmap(f["residual_heatmap"], residuals=f["residual_heatmap"]),
        lambda f: plots.family_bars(f["family_bars"], weight="share", weights="share"),
    ],
)
def test_old_and_new_keyword_together_is_a_type_error(frames, call):
    with pytest.raises(TypeError, match="both"):
        call(frames)


@pytest.mark.parametrize(
    ("old", "new", "call"),
    [
        (
            "small_multiples",
            "small_multiples_figure",
            lambda f: plots.small_multiples(
                f["small_multiples_figure"], col="case_id", y="role_group", hue="family"
            ),
        ),
        (
            "trait_distributions",
            "trait_distributions_figure",
            lambda f: plots.trait_distributions(f["choice_shares"], y=["self_efficacy"]),
        ),
    ],
)
def test_old_function_names_still_work_and_name_the_new_one(frames, old, new, call):
    with pytest.warns(DeprecationWarning, match=rf"{old}\(\) is now called {new}\(\)"):
        assert isinstance(call(frames), Figure)
    assert old not in plots.__all__


def test_old_function_name_with_old_keywords_as_the_notebooks_call_it(frames):
    with pytest.warns(DeprecationWarning) as caught:
        plots.trait_distributions(
            frames["choice_shares"], traits=["self_efficacy"], by="coping_choice"
        )
    messages = " ".join(str(w.message) for w in caught)
    assert "traits= is now called y=" in messages and "by= is now called x=" in messages


@pytest.mark.parametrize("name", list(CALLS))
def test_the_new_vocabulary_does_not_warn(frames, name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw(name, frames)
    assert [str(w.message) for w in caught if "now called" in str(w.message)] == []


def test_docstrings_list_the_old_spellings():
    doc = inspect.getdoc(plots.forest_plot)
    assert "``estimate=`` (now ``x=``)" in doc
    assert doc.index("Notes") < doc.index("Examples")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "argument", "options"),
    [
        ("cooccurrence_heatmap", "y", {"y": "no_such_column"}),
        ("cooccurrence_heatmap", "weights", {"weights": "no_such_column"}),
        ("alluvial", "x", {"x": ["tension", "no_such_column"]}),
        ("alluvial", "hue", {"hue": "no_such_column"}),
        ("family_bars", "hue", {"hue": "no_such_column"}),
        ("small_multiples_figure", "col", {"col": "no_such_column"}),
        ("aggregation_plot", "text", {"text": "no_such_column"}),
        ("xy_plot", "hue", {"hue": "no_such_column"}),
        ("forest_plot", "xmin", {"xmin": "no_such_column"}),
        ("choice_shares", "y", {"y": "no_such_column"}),
        ("trait_distributions_figure", "y", {"y": ["self_efficacy", "no_such_column"]}),
        ("trait_distributions_figure", "x", {"x": "no_such_column"}),
    ],
)
def test_missing_column_is_a_data_error_naming_argument_column_and_table(
    frames, name, argument, options
):
    frames[name] = frames[name].copy()
    frames[name].attrs["file"] = "table.csv"
    with pytest.raises(DataError) as caught:
        draw(name, frames, **options)
    (problem,) = caught.value.problems
    assert problem.column == "no_such_column"
    assert problem.file == "table.csv"
    assert f"{argument}=" in str(caught.value)


def test_missing_column_reached_through_an_old_keyword_is_a_data_error(frames):
    with pytest.warns(DeprecationWarning), pytest.raises(DataError, match="'rank'"):
        plots.choice_shares(frames["choice_shares"], by="rank")


@pytest.mark.parametrize("name", list(CALLS))
def test_empty_data_is_a_data_error(frames, name):
    frames[name] = frames[name].iloc[:0]
    with pytest.raises(DataError, match="at least one row"):
        draw(name, frames)


def test_aggregation_without_any_complete_case_is_a_data_error(frames):
    agg = frames["aggregation_plot"].assign(share_undesired=None)
    with pytest.raises(DataError, match="no point to draw"):
        plots.aggregation_plot(agg)


def test_heatmap_of_counts_that_are_all_zero_is_a_data_error_before_any_figure(co):
    # tensions and strategies coded, never on one segment: every cell is 0, and seaborn's
    # heatmap used to fail with "zero-size array to reduction operation fmin"
    zeros = co.assign(n=0)
    zeros.attrs["file"] = "tension_strategy"
    figures_before = plt.get_fignums()
    with pytest.raises(DataError) as caught:
        plots.cooccurrence_heatmap(zeros, x="strategy", y="tension")
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.kind) == ("tension_strategy", "n", "empty")
    assert "tension and strategy coded together" in problem.expected
    assert plt.get_fignums() == figures_before


def test_heatmap_of_a_real_table_without_strategies_is_a_data_error():
    # a case that codes tensions but no strategy: cooccurrence gives zeros, the plot says why
    import dataclasses

    import coprodlib as cp

    case = cp.select_cases(cp.load(), "de_city_marketing")
    dims = case.codebook.dimensions_of(case.codings["code"].astype(str))
    thin = dataclasses.replace(case, codings=case.codings[(dims == "tension").to_numpy()])
    co = cp.cooccurrence(thin, "tension", "strategy")
    assert co["n"].sum() == 0
    with pytest.raises(DataError, match="coded together"):
        plots.cooccurrence_heatmap(co, x="strategy", y="tension")


def test_data_that_is_not_a_frame_is_a_type_error():
    with pytest.raises(TypeError, match="DataFrame"):
        plots.family_bars([{"role_group": "a"}])


@pytest.mark.parametrize(
    "call",
    [
        lambda f: plots.alluvial(f["alluvial"], x=["tension"]),
        lambda f: plots.trait_distributions_figure(f["choice_shares"], y=[]),
    ],
)
def test_option_values_that_make_no_sense_are_value_errors(frames, call):
    with pytest.raises(ValueError, match="at least") as caught:
        call(frames)
    assert not isinstance(caught.value, DataError)


def test_plots_do_not_change_global_style(frames):
    before = dict(matplotlib.rcParams)
    for name in CALLS:
        draw(name, frames)
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("missing", [np.nan, None, "n/a"])
def test_a_missing_weight_is_an_error_not_a_zero(missing):
    frame = pd.DataFrame(
        {"tension": ["t1", "t1", "t2"], "strategy": ["s1", "s2", "s1"], "n": [3, missing, 2]}
    )
    with pytest.raises(DataError, match=r"column 'n'.*a number in every row of weights="):
        plots.cooccurrence_heatmap(frame, x="strategy", y="tension")
    shares = pd.DataFrame({"role": ["a", "b"], "family": ["x", "x"], "share": [0.5, missing]})
    with pytest.raises(DataError, match="weights="):
        plots.family_bars(shares, y="role", hue="family")


# --- colours, sizes, overlaps ---------------------------------------------------------------


def bar_colours(ax) -> dict[str, tuple]:
    """{legend label: colour} of a bar chart's stacked categories."""
    return {c.get_label(): tuple(c.patches[0].get_facecolor()) for c in ax.containers}


def test_a_code_has_one_colour_whatever_subset_a_plot_shows(frames):
    """Balancing is the second category of the first plot and the first of the second; before,
    colours went by position, so it changed colour between the two."""
    from matplotlib.colors import to_rgba

    two = plots.family_bars(frames["family_bars"])
    one = plots.family_bars(frames["family_bars"].query("family == 'balancing'"))
    assert bar_colours(one)["Balancing"] == bar_colours(two)["Balancing"]
    survey = plots.choice_shares(frames["choice_shares"], y="role")  # coping choices: the same
    assert bar_colours(survey)["Balancing"] == bar_colours(two)["Balancing"]
    assert bar_colours(two)["Avoidance"] != bar_colours(two)["Balancing"]
    assert bar_colours(two)["Balancing"] == to_rgba(plots.code_colours()["balancing"])


def test_small_multiples_keep_colours_and_list_every_code_in_the_legend(frames):
    data = pd.concat([
        frames["family_bars"].assign(case_id="case_a"),
        frames["family_bars"].query("family == 'balancing'").assign(case_id="case_b"),
        pd.DataFrame({"role_group": ["citizen"], "family": ["escalation"], "share": [1.0],
                      "case_id": ["case_c"]}),
    ])  # fmt: skip
    fig = plots.small_multiples_figure(data, col="case_id", y="role_group", hue="family")
    first, second = (bar_colours(ax) for ax in fig.axes[:2])
    assert first["Balancing"] == second["Balancing"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert sorted(legend) == ["Avoidance", "Balancing", "Escalation"]


def test_strategies_of_one_family_share_a_hue_family():
    from matplotlib.colors import rgb_to_hsv, to_rgb

    colours = plots.code_colours()
    assert len(set(colours.values()) & {colours[c] for c in ("avoidance", "escalation")}) == 2
    hue = [rgb_to_hsv(to_rgb(colours[c]))[0] for c in ("balancing", "casuistry", "hybridization")]
    assert max(hue) - min(hue) < 0.05
    tensions = [c for c in colours if c.endswith(("_vs_accountability", "_vs_diversity"))]
    assert len({colours[c] for c in tensions}) == len(tensions)


@pytest.mark.parametrize("name", list(CALLS))
def test_every_text_is_at_least_9_points(frames, name):
    """The pages show a figure at its size in inches (see test_figures for that), so a
    text's size in points is its size on the page."""
    from matplotlib.text import Text

    fig = getattr(draw(name, frames), "figure", None)
    fig.canvas.draw()
    sizes = {t.get_text(): t.get_fontsize() for t in fig.findobj(Text)
             if t.get_text().strip() and t.get_visible()}  # fmt: skip
    assert sizes and min(sizes.values()) >= 9, sizes


def test_heatmap_grows_with_its_rows_and_columns():
    def table(rows: int, cols: int) -> pd.DataFrame:
        cells = [(f"t{i}", f"s{j}", 1) for i in range(rows) for j in range(cols)]
        return pd.DataFrame(cells, columns=["tension", "strategy", "n"])

    small = plots.cooccurrence_heatmap(table(2, 2), x="strategy", y="tension").figure
    tall = plots.cooccurrence_heatmap(table(12, 2), x="strategy", y="tension").figure
    wide = plots.cooccurrence_heatmap(table(2, 12), x="strategy", y="tension").figure
    assert tall.get_figheight() >= small.get_figheight() + 10 * 0.4
    assert wide.get_figwidth() >= small.get_figwidth() + 10 * 0.5
    residuals = pd.DataFrame(np.zeros((10, 3)), index=[f"r{i}" for i in range(10)])
    assert plots.residual_heatmap(residuals).figure.get_figheight() > small.get_figheight()


def test_long_labels_wrap():
    long = "Relationship between administrators and their environment"
    ax = plots.family_bars(pd.DataFrame({"role_group": [long], "family": ["bias"], "share": [1]}))
    assert "\n" in ax.get_yticklabels()[0].get_text()


def test_case_labels_in_the_scatter_do_not_overlap():
    cases = pd.DataFrame(
        {"case_id": [f"case_{i}" for i in range(6)], "share_one_sided": [0.5, 0.51, 0.5, 0.52,
         0.49, 0.9], "share_undesired": [0.5, 0.5, 0.51, 0.5, 0.49, 0.1]}
    )  # fmt: skip
    ax = plots.aggregation_plot(cases)
    from matplotlib.text import Text

    renderer = ax.figure.canvas.get_renderer()
    for note in ax.texts:
        note.update_positions(renderer)
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]  # the text, not its line
    assert len(boxes) == 6
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    assert overlapping == []


# --- the XY plot of a QCA solution -----------------------------------------------------------


def test_xy_plot_titles_consistency_and_coverage_worked_by_hand(frames):
    # sum(min(X, Y)) = 0.2 + 0.7 + 0.6 = 1.5; over sum(X) = 1.6 -> 0.9375, over sum(Y) = 2.0
    ax = plots.xy_plot(frames["xy_plot"])
    assert ax.get_title() == "consistency 0.94, coverage 0.75"
    (diagonal,) = ax.lines[:1]
    assert list(diagonal.get_xdata()) == [0, 1] and list(diagonal.get_ydata()) == [0, 1]


def test_xy_plot_colours_each_case_type_and_names_it_in_the_legend(frames):
    ax = plots.xy_plot(frames["xy_plot"])
    from matplotlib.colors import to_hex

    colours = {c.get_label(): to_hex(c.get_facecolor()[0]) for c in ax.collections}
    assert colours == {  # the types in the words of the tables and sentences
        "neither": plots.CASE_TYPE_COLOURS["irrelevant"].lower(),
        "typical": plots.CASE_TYPE_COLOURS["typical"].lower(),
    }
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["neither", "typical"]
    points = {tuple(o) for c in ax.collections for o in c.get_offsets().tolist()}
    assert points == {(0.2, 0.4), (0.8, 0.7), (0.6, 0.9)}


def test_xy_plot_writes_cases_on_the_right_to_the_left_of_their_point(frames):
    ax = plots.xy_plot(frames["xy_plot"], hue=None)
    where = {t.get_text(): t.get_horizontalalignment() for t in ax.texts}
    assert where == {"case_a": "left", "case_b": "right", "case_c": "left"}
    assert ax.get_legend() is None


def test_xy_plot_of_raw_values_asks_for_calibration_first(frames):
    raw = frames["xy_plot"].assign(solution=[0.2, 3.0, 0.6])
    raw.attrs["file"] = "cases.csv"
    with pytest.raises(DataError, match="calibrate") as caught:
        plots.xy_plot(raw)
    (problem,) = caught.value.problems
    assert (problem.column, problem.index, problem.value) == ("solution", "case_b", 3.0)


def test_code_colours_mix_as_matplotlib_does_and_members_shade_their_family_s_hue():
    # the plain arithmetic on #rrggbb against matplotlib's own colour conversion, for every
    # hue and shade the codebook's colours are made of
    from matplotlib.colors import to_hex, to_rgb

    from coprodlib.taxonomy import colours

    for hue in colours.HUES:
        for t in colours.SHADES:
            base = np.array(to_rgb(hue))
            mixed = base + t * (1.0 - base) if t >= 0 else base * (1.0 + t)
            assert colours._shade(hue, t) == to_hex(mixed)
    shipped = colours.code_colours()
    frame = cp_codebook().frame
    assert set(shipped) == set(frame["id"])
    members = frame.loc[frame["family"] == "balancing", "id"].tolist()
    assert shipped[members[0]] in [h.lower() for h in colours.HUES]  # the first: the pure hue
    hue = shipped[members[0]]
    assert all(shipped[m] in {colours._shade(hue, t) for t in colours.SHADES} for m in members)


def cp_codebook():
    import coprodlib as cp

    return cp.get_codebook()


def test_xy_plot_shows_a_case_without_a_type_as_none(frames):
    data = frames["xy_plot"].assign(case_type=pd.Categorical(["typical", None, "typical"]))
    ax = plots.xy_plot(data)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["typical", "(none)"]


def test_xy_plot_labels_keep_off_the_other_cases_points():
    # cases crowded near the top right, as typical cases are: no name may cover another point
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    data = pd.DataFrame(
        {"solution": [0.57, 0.64, 0.9, 0.95, 0.61, 0.7], "outcome": [0.98, 0.96, 0.97, 0.9, 0.62, 0.97],
         "case_type": "typical"},
        index=[f"case_number_{i}" for i in range(6)],
    )  # fmt: skip
    ax = plots.xy_plot(data)
    renderer = ax.figure.canvas.get_renderer()
    for note in ax.texts:
        note.update_positions(renderer)
    boxes = {t.get_text(): Text.get_window_extent(t, renderer) for t in ax.texts}
    assert len(boxes) == 6
    for name, (px, py) in zip(
        data.index, zip(data["solution"], data["outcome"], strict=True), strict=True
    ):
        dot = Bbox.from_bounds(*(ax.transData.transform((px, py)) - 3), 6, 6)
        covering = [other for other, box in boxes.items() if other != name and box.overlaps(dot)]
        assert covering == [], f"{covering} cover the point of {name}"
    names = list(boxes.values())
    assert not any(a.overlaps(b) for i, a in enumerate(names) for b in names[i + 1 :])
