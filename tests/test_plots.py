"""Figures: each takes its tidy frame, draws on the given Axes, and rejects bad input clearly."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from coprodlib import plots  # noqa: E402


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


def test_family_bars_stack_to_one():
    prof = pd.DataFrame(
        {
            "role_group": ["a", "a", "b", "b"],
            "family": ["x", "y", "x", "y"],
            "share": [0.25, 0.75, 0.5, 0.5],
        }
    )
    ax = plots.family_bars(prof, labels={})
    right_edges = {}
    for bar in ax.patches:
        y = round(bar.get_y(), 6)
        right_edges[y] = max(right_edges.get(y, 0), bar.get_x() + bar.get_width())
    assert sorted(right_edges.values()) == pytest.approx([1.0, 1.0])


def test_forest_plot_log_scale_with_reference_line():
    res = pd.DataFrame(
        {
            "outcome": ["a", "a"],
            "term": ["x", "y"],
            "odds_ratio": [2.0, 0.5],
            "ci_low": [1.2, 0.3],
            "ci_high": [3.1, 0.9],
        }
    )
    ax = plots.forest_plot(res)
    assert ax.get_xscale() == "log"
    assert any(np.allclose(line.get_xdata(), [1.0, 1.0]) for line in ax.lines)


@pytest.mark.parametrize(
    "call",
    [
        lambda co: plots.cooccurrence_heatmap(co, x="strategy", y="tensions"),
        lambda co: plots.cooccurrence_heatmap(co.iloc[:0], x="strategy", y="tension"),
        lambda co: plots.alluvial(co, columns=["tension"], weight="n"),
        lambda co: plots.family_bars(co, x="role"),
    ],
)
def test_bad_input_is_named(co, call):
    with pytest.raises(ValueError, match=r"column|empty|at least two"):
        call(co)


def test_plots_do_not_change_global_style(co):
    before = dict(matplotlib.rcParams)
    plots.cooccurrence_heatmap(co, x="strategy", y="tension")
    assert dict(matplotlib.rcParams) == before
