"""Static figures (matplotlib / seaborn) for the workbook's tables.

Every function takes the tidy frame an analysis returned (``data=``), keyword-only options,
draws on ``ax=`` (a new figure when omitted) and returns that Axes; multi-panel figures return
the Figure. Axis labels use the codebook's labels, not ids. Nothing here changes matplotlib's
global settings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = [
    "cooccurrence_heatmap",
    "residual_heatmap",
    "alluvial",
    "family_bars",
    "small_multiples",
    "aggregation_plot",
    "forest_plot",
    "choice_shares",
    "trait_distributions",
]


def _axes(ax: Any, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _labeller(labels: Mapping[str, str] | Any | None):
    """A function id -> readable label; ``labels`` may be a mapping or a Codebook."""
    if labels is None:
        from .taxonomy.codebook import get_codebook

        labels = get_codebook()
    if hasattr(labels, "frame"):
        frame = labels.frame
        labels = dict(zip(frame["id"], frame["label"], strict=True))
    mapping = dict(labels)

    def label(code: Any) -> str:
        if code is None or (isinstance(code, float) and np.isnan(code)) or code is pd.NA:
            return "(none)"
        return str(mapping.get(str(code), code))

    return label


def _require(data: pd.DataFrame, columns: Sequence[str], function: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{function}: data must be a pandas DataFrame, got {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{function}: data has no column(s) {', '.join(map(repr, missing))}; "
            f"its columns are {', '.join(map(str, data.columns))}"
        )
    if data.empty:
        raise ValueError(f"{function}: data is empty; there is nothing to draw")


def cooccurrence_heatmap(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str = "n",
    ax: Any = None,
    annot: bool = True,
    labels: Mapping[str, str] | Any | None = None,
    cmap: str = "Blues",
    fmt: str | None = None,
) -> Any:
    """Annotated heatmap of a long co-occurrence table (e.g. from :func:`cooccurrence`).

    Examples
    --------
    >>> import coprodlib as cp
    >>> co = cp.cooccurrence(cp.load(), "tension", "strategy")
    >>> ax = cp.plots.cooccurrence_heatmap(co, x="strategy", y="tension")
    """
    import seaborn as sns

    _require(data, [x, y, value], "cooccurrence_heatmap")
    label = _labeller(labels)
    matrix = data.pivot_table(index=y, columns=x, values=value, aggfunc="sum", observed=False)
    matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0] if value == "n" else matrix
    ax = _axes(ax, (1.2 + 0.6 * matrix.shape[1], 1.0 + 0.45 * matrix.shape[0]))
    if fmt is None:
        fmt = "d" if np.issubdtype(matrix.to_numpy().dtype, np.integer) else ".2f"
    sns.heatmap(
        matrix,
        ax=ax,
        annot=annot,
        fmt=fmt,
        cmap=cmap,
        linewidths=0.5,
        cbar_kws={"label": value},
        xticklabels=[label(c) for c in matrix.columns],
        yticklabels=[label(c) for c in matrix.index],
    )
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.replace("_", " "))
    ax.tick_params(axis="x", rotation=45)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    return ax


def residual_heatmap(
    residuals: pd.DataFrame,
    *,
    ax: Any = None,
    annot: bool = True,
    labels: Mapping[str, str] | Any | None = None,
    limit: float | None = None,
) -> Any:
    """Adjusted standardized residuals of a contingency table, diverging palette centred on 0.

    Cells beyond about +/-1.96 hold more (or fewer) observations than independence predicts.
    ``residuals`` is the wide ``.residuals`` frame of :func:`crosstab_test`.
    """
    import seaborn as sns

    if not isinstance(residuals, pd.DataFrame) or residuals.empty:
        raise ValueError("residual_heatmap: residuals must be a non-empty DataFrame (.residuals)")
    label = _labeller(labels)
    values = residuals.astype(float)
    bound = limit if limit is not None else max(2.0, float(np.nanmax(np.abs(values.to_numpy()))))
    ax = _axes(ax, (1.5 + 0.7 * values.shape[1], 1.0 + 0.5 * values.shape[0]))
    sns.heatmap(
        values,
        ax=ax,
        annot=annot,
        fmt=".1f",
        cmap="RdBu_r",
        center=0,
        vmin=-bound,
        vmax=bound,
        linewidths=0.5,
        cbar_kws={"label": "adjusted residual"},
        xticklabels=[label(c) for c in values.columns],
        yticklabels=[label(c) for c in values.index],
    )
    ax.set_xlabel(str(values.columns.name or "").replace("_", " "))
    ax.set_ylabel(str(values.index.name or "").replace("_", " "))
    ax.tick_params(axis="x", rotation=45)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    return ax


def _band(
    ax: Any, x0: float, x1: float, y0: tuple[float, float], y1: tuple[float, float], color: Any
) -> None:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    xm = (x0 + x1) / 2
    verts = [
        (x0, y0[0]), (xm, y0[0]), (xm, y1[0]), (x1, y1[0]),
        (x1, y1[1]), (xm, y1[1]), (xm, y0[1]), (x0, y0[1]), (x0, y0[0]),
    ]  # fmt: skip
    codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4,
             MPath.LINETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.CLOSEPOLY]  # fmt: skip
    ax.add_patch(PathPatch(MPath(verts, codes), facecolor=color, edgecolor="none", alpha=0.45))


def alluvial(
    data: pd.DataFrame,
    *,
    columns: Sequence[str] = ("tension", "strategy", "effect"),
    weight: str = "n",
    ax: Any = None,
    labels: Mapping[str, str] | Any | None = None,
    min_share: float = 0.0,
    gap: float = 0.02,
) -> Any:
    """Alluvial (Sankey-like) diagram of paths through several columns, e.g. :func:`chain`.

    Each column stacks its categories as blocks whose heights are their total weight; bands
    connect neighbouring columns with widths equal to the weight flowing between them, coloured
    by the first column. Rows with a missing category show as "(none)". Paths whose share of the
    total is below ``min_share`` are left out (say so in the caption when you use it).
    """
    import matplotlib.pyplot as plt

    columns = list(columns)
    _require(data, [*columns, weight], "alluvial")
    if len(columns) < 2:
        raise ValueError("alluvial: columns needs at least two column names")
    label = _labeller(labels)
    frame = data[[*columns, weight]].copy()
    for col in columns:
        frame[col] = frame[col].astype("object").where(frame[col].notna(), "(none)").astype(str)
    frame = frame.groupby(columns, sort=False)[weight].sum().reset_index()
    total = frame[weight].sum()
    if total <= 0:
        raise ValueError("alluvial: all weights are zero; there is nothing to draw")
    frame = frame[frame[weight] / total >= min_share]
    total = frame[weight].sum()
    ax = _axes(ax, (9.0, 5.5))
    palette = plt.get_cmap("tab10")
    firsts = list(dict.fromkeys(frame.sort_values(columns[0])[columns[0]]))
    colour = {cat: palette(i % 10) for i, cat in enumerate(firsts)}

    # block positions: categories of each column stacked top-down by descending weight
    blocks: list[dict[str, tuple[float, float]]] = []
    for col in columns:
        sizes = frame.groupby(col)[weight].sum().sort_values(ascending=False, kind="mergesort")
        n_gap = gap * (len(sizes) - 1)
        scale = (1 - n_gap) / total
        pos: dict[str, tuple[float, float]] = {}
        top = 1.0
        for cat, size in sizes.items():
            height = size * scale
            pos[str(cat)] = (top - height, top)
            top -= height + gap
        blocks.append(pos)

    width = 0.06
    for i, pos in enumerate(blocks):
        for cat, (lo, hi) in pos.items():
            ax.add_patch(plt.Rectangle((i - width / 2, lo), width, hi - lo, color="0.35"))
            ha, dx = ("right", -width) if i == 0 else ("left", width)
            ax.text(i + dx, (lo + hi) / 2, label(cat), ha=ha, va="center", fontsize=8)
    # bands between neighbouring columns, stacked inside each block in a stable order
    for i in range(len(columns) - 1):
        left, right = columns[i], columns[i + 1]
        keys = list(dict.fromkeys([columns[0], left, right]))  # the first column may be `left`
        flows = frame.groupby(keys, sort=False)[weight].sum().reset_index()
        flows["src_rank"] = flows[left].map({c: k for k, c in enumerate(blocks[i])})
        flows["dst_rank"] = flows[right].map({c: k for k, c in enumerate(blocks[i + 1])})
        # bands leave each block in the order of their targets, and enter in source order
        flows = flows.sort_values(["src_rank", "dst_rank"], kind="mergesort")
        out_cursor = {c: blocks[i][c][1] for c in blocks[i]}
        in_cursor = {c: blocks[i + 1][c][1] for c in blocks[i + 1]}
        sizes = frame.groupby(left)[weight].sum()
        unit = {c: (hi - lo) / sizes[c] for c, (lo, hi) in blocks[i].items()}
        for row in flows.itertuples(index=False):  # one band per flow, not per segment
            src, dst, w = str(getattr(row, left)), str(getattr(row, right)), getattr(row, weight)
            h = w * unit[src]
            y0 = (out_cursor[src], out_cursor[src] - h)
            y1 = (in_cursor[dst], in_cursor[dst] - h)
            out_cursor[src] -= h
            in_cursor[dst] -= h
            _band(
                ax, i + width / 2, i + 1 - width / 2, y0, y1, colour[str(getattr(row, columns[0]))]
            )
    ax.set_xlim(-0.9, len(columns) - 0.1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(range(len(columns)), [c.replace("_", " ") for c in columns])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax


def family_bars(
    data: pd.DataFrame,
    *,
    x: str = "role_group",
    hue: str = "family",
    weight: str = "share",
    ax: Any = None,
    labels: Mapping[str, str] | Any | None = None,
) -> Any:
    """Stacked horizontal bars of shares (e.g. strategy families by role), one bar per group."""
    _require(data, [x, hue, weight], "family_bars")
    label = _labeller(labels)
    wide = data.pivot_table(index=x, columns=hue, values=weight, aggfunc="sum", observed=False)
    wide = wide.fillna(0.0)
    ax = _axes(ax, (7.0, 1.2 + 0.5 * len(wide)))
    left = np.zeros(len(wide))
    import matplotlib.pyplot as plt

    palette = plt.get_cmap("Set2")
    for k, col in enumerate(wide.columns):
        vals = wide[col].to_numpy(dtype=float)
        ax.barh(
            [label(i) for i in wide.index], vals, left=left, color=palette(k % 8), label=label(col)
        )
        left += vals
    ax.set_xlabel(weight)
    ax.set_ylabel(x.replace("_", " "))
    ax.invert_yaxis()
    ax.legend(
        title=hue.replace("_", " "), bbox_to_anchor=(1.02, 1), loc="upper left", frameon=False
    )
    return ax


def small_multiples(
    data: pd.DataFrame,
    *,
    col: str,
    x: str,
    hue: str,
    weight: str = "share",
    col_wrap: int = 3,
    labels: Mapping[str, str] | Any | None = None,
) -> Any:
    """One stacked-bar panel per ``col`` value (e.g. per case), sharing axes; returns the Figure."""
    import matplotlib.pyplot as plt

    _require(data, [col, x, hue, weight], "small_multiples")
    panels = list(dict.fromkeys(data[col].astype(str)))
    ncols = max(1, min(col_wrap, len(panels)))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols, 2.4 * nrows), sharex=True, sharey=True, squeeze=False
    )
    for ax, panel in zip(axes.ravel(), panels, strict=False):
        family_bars(
            data[data[col].astype(str) == panel], x=x, hue=hue, weight=weight, ax=ax, labels=labels
        )
        ax.set_title(str(panel), fontsize=9)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    handles, names = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 5), frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def aggregation_plot(
    data: pd.DataFrame,
    *,
    x: str = "share_one_sided",
    y: str = "share_undesired",
    label: str = "case_id",
    ax: Any = None,
) -> Any:
    """Scatter of one-sided coping against undesired effects, one labelled point per case.

    Cases without strategies or without effects (a missing share) are left out.
    """
    _require(data, [x, y, label], "aggregation_plot")
    data = data.dropna(subset=[x, y])
    if data.empty:
        raise DataError(
            "aggregation_plot: no case has both strategies and effects coded, so there is no "
            "point to draw"
        )
    ax = _axes(ax, (5.5, 4.5))
    ax.scatter(data[x], data[y], s=40, color="C0")
    for row in data[[x, y, label]].itertuples(index=False):  # one label per case
        ax.annotate(
            str(row[2]), (row[0], row[1]), xytext=(4, 4), textcoords="offset points", fontsize=8
        )
    ax.set_xlabel("share of coping that favours one value")
    ax.set_ylabel("share of effects that are undesired")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    return ax


def forest_plot(
    data: pd.DataFrame,
    *,
    estimate: str = "odds_ratio",
    low: str = "ci_low",
    high: str = "ci_high",
    term: str = "term",
    outcome: str | None = "outcome",
    ax: Any = None,
) -> Any:
    """Odds ratios with 95% confidence intervals on a log scale, reference line at 1."""
    cols = [estimate, low, high, term] + ([outcome] if outcome else [])
    _require(data, cols, "forest_plot")
    frame = data[cols].reset_index(drop=True)
    names = (
        frame[outcome].astype(str) + ": " + frame[term].astype(str)
        if outcome
        else frame[term].astype(str)
    )
    ax = _axes(ax, (6.5, 0.8 + 0.3 * len(frame)))
    ypos = np.arange(len(frame))[::-1]
    err = np.vstack([frame[estimate] - frame[low], frame[high] - frame[estimate]])
    ax.errorbar(frame[estimate], ypos, xerr=err, fmt="o", color="C0", ecolor="0.4", capsize=2, ms=4)
    ax.axvline(1.0, color="0.3", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(ypos, names)
    ax.set_xlabel("odds ratio (95% CI, log scale)")
    return ax


def choice_shares(
    data: pd.DataFrame,
    *,
    by: str,
    choice: str = "coping_choice",
    ax: Any = None,
) -> Any:
    """Stacked bars of coping-choice shares within each level of ``by`` (condition, role)."""
    _require(data, [by, choice], "choice_shares")
    shares = data.groupby([by, choice], observed=True).size().rename("n").reset_index()
    shares["share"] = shares["n"] / shares.groupby(by, observed=True)["n"].transform("sum")
    return family_bars(shares, x=by, hue=choice, weight="share", ax=ax, labels={})


def trait_distributions(
    data: pd.DataFrame,
    *,
    traits: Sequence[str],
    by: str = "coping_choice",
) -> Any:
    """Box plots of each trait score by coping choice, one panel per trait; returns the Figure."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    _require(data, [*traits, by], "trait_distributions")
    long = data.melt(id_vars=[by], value_vars=list(traits), var_name="trait", value_name="score")
    fig, axes = plt.subplots(
        1, len(traits), figsize=(3.2 * len(traits), 3.6), sharey=True, squeeze=False
    )
    order = sorted(long[by].dropna().astype(str).unique())
    for ax, trait in zip(axes.ravel(), traits, strict=True):
        part = long[long["trait"] == trait]
        sns.boxplot(data=part, x=by, y="score", order=order, ax=ax, color="0.85", fliersize=2)
        ax.set_title(trait.replace("_", " "), fontsize=9)
        ax.set_xlabel("")
        ax.tick_params(axis="x", rotation=60)
    fig.tight_layout()
    return fig
