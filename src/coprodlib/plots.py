"""Static figures (matplotlib / seaborn) for the workbook's tables.

Every function takes the tidy frame an analysis returned as ``data``, first, and the rest as
keyword-only options in one vocabulary, after seaborn: ``x`` and ``y`` name the columns behind
the horizontal and vertical axis (the bar charts are horizontal, so their groups are ``y``),
``hue`` the column that sets the colour (in :func:`forest_plot`, that tells the models apart),
``col`` the column with one panel per value, ``weights`` the count or share column that is
summed, ``ax`` the matplotlib Axes to draw on (a new figure when omitted). ``labels`` turns ids
into text: a :class:`~coprodlib.taxonomy.codebook.Codebook`, a mapping ``{id: label}``, or
``None``, which is the shipped codebook where the ids are codebook ids (the plots of coded
data) and the values as they are in :func:`aggregation_plot` and the survey plots.

The name says what a function returns: those ending in ``_figure`` draw several panels on a
figure of their own and return the matplotlib Figure; all others draw on one Axes and return
it. A column the arguments name but ``data`` lacks, and empty data, raise
:class:`~coprodlib.errors.DataError`; option values that make no sense raise
:class:`ValueError`. The keywords of before this vocabulary (``weight=``, ``by=``, ...) and
the names ``small_multiples`` and ``trait_distributions`` still work, with a
:class:`DeprecationWarning` naming the replacement. Nothing here changes matplotlib's global
settings.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from ._checks import data_label, legacy_arguments, require_columns, require_frame
from .errors import DataError, Problem, fail

if TYPE_CHECKING:
    from .taxonomy.codebook import Codebook

    Labels = Codebook | Mapping[str, str] | None

__all__ = [
    "cooccurrence_heatmap",
    "residual_heatmap",
    "alluvial",
    "family_bars",
    "small_multiples_figure",
    "aggregation_plot",
    "forest_plot",
    "choice_shares",
    "trait_distributions_figure",
]

F = TypeVar("F", bound=Callable[..., Any])


def _old_name(function: F, old: str) -> F:
    """The function under its name of before, warning that it has a new one."""

    @functools.wraps(function)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"coprodlib.plots.{old}() is now called {function.__name__}(); it returns a Figure",
            DeprecationWarning,
            stacklevel=2,
        )
        return function(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated name of :func:`{function.__name__}`."
    return alias  # type: ignore[return-value]


def _axes(ax: Any, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def _labeller(labels: Labels, *, codebook_ids: bool = True) -> Callable[[Any], str]:
    """A function id -> readable label. ``labels`` may be a mapping or a Codebook; ``None``
    is the shipped codebook when the ids are codebook ids, else no relabelling."""
    if labels is None and codebook_ids:
        from .taxonomy.codebook import get_codebook

        labels = get_codebook()
    if hasattr(labels, "frame"):
        labels = dict(zip(labels.frame["id"], labels.frame["label"], strict=True))
    mapping = dict(labels or {})

    def label(code: Any) -> str:
        if code is None or (isinstance(code, float) and np.isnan(code)) or code is pd.NA:
            return "(none)"
        return str(mapping.get(str(code), code))

    return label


def _require(data: Any, function: str, **columns: str | Sequence[str] | None) -> pd.DataFrame:
    """``data``, if a non-empty DataFrame with every column the arguments name (one or a
    sequence each; ``None`` is skipped), else a DataError naming argument, column and table."""
    require_frame(data, function)
    problems = []
    for argument, names in columns.items():
        for column in [names] if names is None or isinstance(names, str) else names:
            try:
                require_columns(data, {argument: column})
            except DataError as error:
                problems += error.problems
    if problems:
        raise DataError(problems)
    if data.empty:
        raise fail(data_label(data), f"data= to hold at least one row for {function}()", "empty")
    weights = columns.get("weights")
    if isinstance(weights, str):
        _check_weights(data, weights)
    return data


def _check_weights(data: pd.DataFrame, weights: str) -> None:
    """Weights are summed: a missing or non-numeric weight must not count as zero."""
    values = pd.to_numeric(data[weights], errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        first = int(bad.argmax())
        raise DataError(
            Problem(
                file=data_label(data),
                index=data.index[first],
                column=weights,
                value=data[weights].iloc[first],
                expected=f"a number in every row of weights= ({bad.sum()} row(s) empty or "
                "not a number; write 0 for a cell with no observations)",
                kind="missing_value",
            )
        )


def _words(column: str) -> str:
    """A column name as words for a message: ``role_group`` -> ``role group``."""
    return column.replace("_", " ")


def _tilt_xticks(ax: Any) -> None:
    ax.tick_params(axis="x", rotation=45)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")


@legacy_arguments(renamed=dict(value="weights"))
def cooccurrence_heatmap(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    weights: str = "n",
    labels: Labels = None,
    annot: bool = True,
    cmap: str = "Blues",
    fmt: str | None = None,
    ax: Any = None,
) -> Any:
    """Draw a long co-occurrence table as an annotated heatmap; return the Axes.

    Parameters
    ----------
    data : DataFrame
        One row per pair of codes, e.g. from :func:`~coprodlib.cooccurrence`.
    x, y : str
        The columns whose values become the heatmap's columns (``x``) and rows (``y``).
    weights : str, default "n"
        The column summed into each cell. With the default (a count), rows and columns
        without any co-occurrence are left out; when no cell is left (nothing occurs
        together), a :class:`~coprodlib.errors.DataError` says so before anything is drawn.
    labels : Codebook, mapping or None
        Labels for the ids on both axes; ``None`` uses the shipped codebook.
    annot : bool, default True
        Write each cell's value into it.
    cmap : str, default "Blues"
        A matplotlib colormap name.
    fmt : str, optional
        Format of the annotations; integers by default for integer cells, else two decimals.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the table when omitted.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Examples
    --------
    >>> import coprodlib as cp
    >>> co = cp.cooccurrence(cp.load(), "tension", "strategy")
    >>> ax = cp.plots.cooccurrence_heatmap(co, x="strategy", y="tension")
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('strategy', 'tension')
    """
    import seaborn as sns

    _require(data, "cooccurrence_heatmap", x=x, y=y, weights=weights)
    label = _labeller(labels)
    matrix = data.pivot_table(index=y, columns=x, values=weights, aggfunc="sum", observed=False)
    if weights == "n":
        matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
    if matrix.empty or matrix.isna().all(axis=None):
        # checked before a figure exists: an empty matrix would reach seaborn's colour scale
        raise fail(
            data_label(data),
            f"at least one {_words(y)} and {_words(x)} coded together "
            f"(every value of {weights!r} is 0 or missing: there is no cell to draw)",
            "empty",
            column=weights,
        )
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
        cbar_kws={"label": weights},
        xticklabels=[label(c) for c in matrix.columns],
        yticklabels=[label(c) for c in matrix.index],
    )
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.replace("_", " "))
    _tilt_xticks(ax)
    return ax


@legacy_arguments(renamed=dict(residuals="data"))
def residual_heatmap(
    data: pd.DataFrame,
    *,
    labels: Labels = None,
    annot: bool = True,
    limit: float | None = None,
    ax: Any = None,
) -> Any:
    """Draw the adjusted residuals of a contingency table as a heatmap; return the Axes.

    The palette diverges around 0: cells beyond about +/-1.96 hold more (red) or fewer (blue)
    observations than independence of the two variables predicts.

    Parameters
    ----------
    data : DataFrame
        The wide ``.residuals`` frame of :func:`~coprodlib.crosstab_test`; its index and
        columns name the axes.
    labels : Codebook, mapping or None
        Labels for the row and column ids; ``None`` uses the shipped codebook.
    annot : bool, default True
        Write each residual into its cell.
    limit : float, optional
        The colour scale runs from -limit to +limit; by default the largest absolute residual,
        at least 2.
    ax : matplotlib Axes, optional
        Where to draw; a new figure sized to the table when omitted.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.
    """
    import seaborn as sns

    _require(data, "residual_heatmap")
    label = _labeller(labels)
    values = data.astype(float)
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
    _tilt_xticks(ax)
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


@legacy_arguments(renamed=dict(columns="x", weight="weights"))
def alluvial(
    data: pd.DataFrame,
    *,
    x: Sequence[str] = ("tension", "strategy", "effect"),
    hue: str | None = None,
    weights: str = "n",
    labels: Labels = None,
    min_share: float = 0.0,
    gap: float = 0.02,
    ax: Any = None,
) -> Any:
    """Draw paths through several columns as an alluvial (Sankey-like) diagram; return the Axes.

    Each column of ``x`` is a station along the horizontal axis that stacks its categories as
    blocks as high as their total weight; bands as wide as the weight flowing between two
    neighbouring stations connect them. Rows with a missing category show as "(none)".

    Parameters
    ----------
    data : DataFrame
        One row per path with its weight, e.g. from :func:`~coprodlib.chain`.
    x : sequence of str, default ("tension", "strategy", "effect")
        The columns, from left to right; at least two.
    hue : str, optional
        The column that colours the bands; the first column of ``x`` by default.
    weights : str, default "n"
        The column with each path's count.
    labels : Codebook, mapping or None
        Labels for the category ids; ``None`` uses the shipped codebook.
    min_share : float, default 0
        Leave out paths whose share of the total weight is below this (say so in the
        caption when you use it).
    gap : float, default 0.02
        The space between the blocks of a station, as a share of the height.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.
    """
    import matplotlib.pyplot as plt

    columns = [x] if isinstance(x, str) else list(x)
    _require(data, "alluvial", x=columns, hue=hue, weights=weights)
    if len(columns) < 2:
        raise ValueError("alluvial: x needs at least two column names")
    label = _labeller(labels)
    colour_by = hue if hue is not None else columns[0]
    keep = list(dict.fromkeys([*columns, colour_by]))
    frame = data[[*keep, weights]].copy()
    for col in keep:
        frame[col] = frame[col].astype("object").where(frame[col].notna(), "(none)").astype(str)
    frame = frame.groupby(keep, sort=False)[weights].sum().reset_index()
    total = frame[weights].sum()
    if total <= 0:
        raise fail(data_label(data), f"weights= ({weights!r}) to hold a positive total", "empty")
    frame = frame[frame[weights] / total >= min_share]
    total = frame[weights].sum()
    ax = _axes(ax, (9.0, 5.5))
    palette = plt.get_cmap("tab10")
    firsts = list(dict.fromkeys(frame.sort_values(colour_by)[colour_by]))
    colour = {cat: palette(i % 10) for i, cat in enumerate(firsts)}

    # block positions: categories of each column stacked top-down by descending weight
    blocks: list[dict[str, tuple[float, float]]] = []
    for col in columns:
        sizes = frame.groupby(col)[weights].sum().sort_values(ascending=False, kind="mergesort")
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
        keys = list(dict.fromkeys([colour_by, left, right]))  # the colour may be `left`
        flows = frame.groupby(keys, sort=False)[weights].sum().reset_index()
        flows["src_rank"] = flows[left].map({c: k for k, c in enumerate(blocks[i])})
        flows["dst_rank"] = flows[right].map({c: k for k, c in enumerate(blocks[i + 1])})
        # bands leave each block in the order of their targets, and enter in source order
        flows = flows.sort_values(["src_rank", "dst_rank"], kind="mergesort")
        out_cursor = {c: blocks[i][c][1] for c in blocks[i]}
        in_cursor = {c: blocks[i + 1][c][1] for c in blocks[i + 1]}
        sizes = frame.groupby(left)[weights].sum()
        unit = {c: (hi - lo) / sizes[c] for c, (lo, hi) in blocks[i].items()}
        for row in flows.itertuples(index=False):  # one band per flow, not per segment
            src, dst = str(getattr(row, left)), str(getattr(row, right))
            h = getattr(row, weights) * unit[src]
            y0 = (out_cursor[src], out_cursor[src] - h)
            y1 = (in_cursor[dst], in_cursor[dst] - h)
            out_cursor[src] -= h
            in_cursor[dst] -= h
            band_colour = colour[str(getattr(row, colour_by))]
            _band(ax, i + width / 2, i + 1 - width / 2, y0, y1, band_colour)
    ax.set_xlim(-0.9, len(columns) - 0.1)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks(range(len(columns)), [c.replace("_", " ") for c in columns])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return ax


@legacy_arguments(renamed=dict(x="y", weight="weights"))
def family_bars(
    data: pd.DataFrame,
    *,
    y: str = "role_group",
    hue: str = "family",
    weights: str = "share",
    labels: Labels = None,
    ax: Any = None,
) -> Any:
    """Draw shares as stacked horizontal bars, one bar per group; return the Axes.

    Parameters
    ----------
    data : DataFrame
        One row per group and category with its share, e.g. from
        :func:`~coprodlib.strategy_profile`.
    y : str, default "role_group"
        The column with the groups, one bar each, top to bottom.
    hue : str, default "family"
        The column with the categories stacked inside each bar, one colour each.
    weights : str, default "share"
        The column with the length of each segment; its name labels the horizontal axis.
    labels : Codebook, mapping or None
        Labels for the group and category ids; ``None`` uses the shipped codebook.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> shares = pd.DataFrame(
    ...     {"role_group": ["citizen", "citizen"], "family": ["avoidance", "balancing"],
    ...      "share": [0.4, 0.6]}
    ... )
    >>> ax = cp.plots.family_bars(shares)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Avoidance', 'Balancing']
    """
    import matplotlib.pyplot as plt

    _require(data, "family_bars", y=y, hue=hue, weights=weights)
    label = _labeller(labels)
    wide = data.pivot_table(index=y, columns=hue, values=weights, aggfunc="sum", observed=False)
    wide = wide.fillna(0.0)
    ax = _axes(ax, (7.0, 1.2 + 0.5 * len(wide)))
    left = np.zeros(len(wide))
    palette = plt.get_cmap("Set2")
    for k, col in enumerate(wide.columns):
        vals = wide[col].to_numpy(dtype=float)
        ax.barh(
            [label(i) for i in wide.index], vals, left=left, color=palette(k % 8), label=label(col)
        )
        left += vals
    ax.set_xlabel(weights)
    ax.set_ylabel(y.replace("_", " "))
    ax.invert_yaxis()
    ax.legend(
        title=hue.replace("_", " "), bbox_to_anchor=(1.02, 1), loc="upper left", frameon=False
    )
    return ax


@legacy_arguments(renamed=dict(x="y", weight="weights"))
def small_multiples_figure(
    data: pd.DataFrame,
    *,
    col: str,
    y: str,
    hue: str,
    weights: str = "share",
    col_wrap: int = 3,
    labels: Labels = None,
) -> Any:
    """Draw one panel of :func:`family_bars` per value of ``col``; return the Figure.

    The panels share their axes and one legend below them. ``small_multiples`` is the old
    name of this function; it still works, with a DeprecationWarning.

    Parameters
    ----------
    data : DataFrame
        As for :func:`family_bars`, with the column ``col`` besides.
    col : str
        The column with one panel per value (e.g. ``"case_id"``), in order of appearance.
    y, hue, weights
        As for :func:`family_bars`: the groups, the stacked categories, the segment lengths.
    col_wrap : int, default 3
        Panels per row.
    labels : Codebook, mapping or None
        Labels for the ids of the groups, categories and panels; ``None`` uses the shipped
        codebook.

    Returns
    -------
    matplotlib Figure
        The figure with all panels (a figure-level plot: it takes no ``ax=``).
    """
    import matplotlib.pyplot as plt

    _require(data, "small_multiples_figure", col=col, y=y, hue=hue, weights=weights)
    label = _labeller(labels)
    panels = list(dict.fromkeys(data[col].astype(str)))
    ncols = max(1, min(col_wrap, len(panels)))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols, 2.4 * nrows), sharex=True, sharey=True, squeeze=False
    )
    for ax, panel in zip(axes.ravel(), panels, strict=False):
        part = data[data[col].astype(str) == panel]
        family_bars(part, y=y, hue=hue, weights=weights, labels=labels, ax=ax)
        ax.set_title(label(panel), fontsize=9)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    handles, names = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 5), frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


@legacy_arguments(renamed=dict(label="text"))
def aggregation_plot(
    data: pd.DataFrame,
    *,
    x: str = "share_one_sided",
    y: str = "share_undesired",
    text: str = "case_id",
    labels: Labels = None,
    ax: Any = None,
) -> Any:
    """Scatter one-sided coping against undesired effects, a point per case; return the Axes.

    Cases without strategies or without effects (a missing share) are left out.

    Parameters
    ----------
    data : DataFrame
        One row per case, e.g. from :func:`~coprodlib.aggregation`.
    x, y : str
        The columns with the shares on the horizontal and the vertical axis.
    text : str, default "case_id"
        The column whose value is written beside each point.
    labels : Codebook, mapping or None
        Labels for the values of ``text``; ``None`` writes them as they are.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.
    """
    _require(data, "aggregation_plot", x=x, y=y, text=text)
    label = _labeller(labels, codebook_ids=False)
    table = data_label(data)
    data = data.dropna(subset=[x, y])
    if data.empty:
        raise fail(
            table,
            "at least one case with both strategies and effects coded (both shares present); "
            "there is no point to draw",
            "empty",
        )
    ax = _axes(ax, (5.5, 4.5))
    ax.scatter(data[x], data[y], s=40, color="C0")
    for row in data[[x, y, text]].itertuples(index=False):  # one label per case
        ax.annotate(
            label(row[2]), (row[0], row[1]), xytext=(4, 4), textcoords="offset points", fontsize=8
        )
    ax.set_xlabel("share of coping that favours one value")
    ax.set_ylabel("share of effects that are undesired")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    return ax


@legacy_arguments(renamed=dict(estimate="x", low="xmin", high="xmax", term="y", outcome="hue"))
def forest_plot(
    data: pd.DataFrame,
    *,
    x: str = "odds_ratio",
    y: str = "term",
    hue: str | None = "outcome",
    xmin: str = "ci_low",
    xmax: str = "ci_high",
    labels: Labels = None,
    ax: Any = None,
) -> Any:
    """Draw odds ratios with their 95% confidence intervals as a forest plot; return the Axes.

    The horizontal axis is logarithmic with a reference line at 1 (no effect); one row per
    line of ``data``, top to bottom.

    Parameters
    ----------
    data : DataFrame
        One row per model term, e.g. from :func:`~coprodlib.choice_models`.
    x : str, default "odds_ratio"
        The column with the estimates.
    y : str, default "term"
        The column with the terms that label the rows.
    hue : str or None, default "outcome"
        The column that tells the models apart (the outcome of a multinomial logit); its value
        prefixes each row's label as ``outcome: term``. The points keep one colour. ``None``:
        the terms alone.
    xmin, xmax : str, default "ci_low", "ci_high"
        The columns with the lower and upper ends of the intervals.
    labels : Codebook, mapping or None
        Labels for the terms and outcomes; ``None`` writes them as they are.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> models = pd.DataFrame(
    ...     {"outcome": ["escalation"] * 2, "term": ["self_efficacy", "generalised_trust"],
    ...      "odds_ratio": [1.8, 0.7], "ci_low": [1.1, 0.5], "ci_high": [2.9, 1.0]}
    ... )
    >>> ax = cp.plots.forest_plot(models, labels={"self_efficacy": "Self-efficacy"})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['escalation: Self-efficacy', 'escalation: generalised_trust']
    """
    _require(data, "forest_plot", x=x, xmin=xmin, xmax=xmax, y=y, hue=hue)
    label = _labeller(labels, codebook_ids=False)
    cols = [x, xmin, xmax, y] + ([hue] if hue else [])
    frame = data[cols].reset_index(drop=True)
    names = [label(term) for term in frame[y]]
    if hue:
        names = [f"{label(model)}: {name}" for model, name in zip(frame[hue], names, strict=True)]
    ax = _axes(ax, (6.5, 0.8 + 0.3 * len(frame)))
    ypos = np.arange(len(frame))[::-1]
    err = np.vstack([frame[x] - frame[xmin], frame[xmax] - frame[x]])
    ax.errorbar(frame[x], ypos, xerr=err, fmt="o", color="C0", ecolor="0.4", capsize=2, ms=4)
    ax.axvline(1.0, color="0.3", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(ypos, names)
    ax.set_xlabel("odds ratio (95% CI, log scale)")
    return ax


@legacy_arguments(renamed=dict(by="y", choice="hue"))
def choice_shares(
    data: pd.DataFrame,
    *,
    y: str,
    hue: str = "coping_choice",
    labels: Labels = None,
    ax: Any = None,
) -> Any:
    """Draw each group's shares of the choices as stacked horizontal bars; return the Axes.

    Parameters
    ----------
    data : DataFrame
        One row per respondent, e.g. ``Dataset.survey``.
    y : str
        The column with the groups (the vignette condition, the role), one bar each.
    hue : str, default "coping_choice"
        The column with the choice made; its shares are stacked inside each bar.
    labels : Codebook, mapping or None
        Labels for the group and choice values; ``None`` writes them as they are.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
        The Axes drawn on.
    """
    _require(data, "choice_shares", y=y, hue=hue)
    shares = data.groupby([y, hue], observed=True).size().rename("n").reset_index()
    shares["share"] = shares["n"] / shares.groupby(y, observed=True)["n"].transform("sum")
    labels = {} if labels is None else labels
    return family_bars(shares, y=y, hue=hue, weights="share", labels=labels, ax=ax)


@legacy_arguments(renamed=dict(traits="y", by="x"))
def trait_distributions_figure(
    data: pd.DataFrame,
    *,
    y: str | Sequence[str],
    x: str = "coping_choice",
    labels: Labels = None,
) -> Any:
    """Draw box plots of trait scores by choice, one panel per trait; return the Figure.

    ``trait_distributions`` is the old name of this function; it still works, with a
    DeprecationWarning.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the trait scores, e.g. ``Dataset.survey`` joined with
        :func:`~coprodlib.scale_scores`.
    y : str or sequence of str
        The score columns, one panel each, scores on the vertical axis.
    x : str, default "coping_choice"
        The column with the groups, one box each along the horizontal axis, in sorted order.
    labels : Codebook, mapping or None
        Labels for the group values and the trait names (the panel titles); ``None`` writes
        them as they are.

    Returns
    -------
    matplotlib Figure
        The figure with all panels (a figure-level plot: it takes no ``ax=``).
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    traits = [y] if isinstance(y, str) else list(y)
    _require(data, "trait_distributions_figure", y=traits, x=x)
    if not traits:
        raise ValueError("trait_distributions_figure: y needs at least one column name")
    label = _labeller(labels, codebook_ids=False)
    long = data.melt(id_vars=[x], value_vars=traits, var_name="trait", value_name="score")
    fig, axes = plt.subplots(
        1, len(traits), figsize=(3.2 * len(traits), 3.6), sharey=True, squeeze=False
    )
    order = sorted(long[x].dropna().astype(str).unique())
    long[x] = long[x].astype("object").map(label, na_action="ignore")
    order = [label(group) for group in order]
    for ax, trait in zip(axes.ravel(), traits, strict=True):
        part = long[long["trait"] == trait]
        sns.boxplot(data=part, x=x, y="score", order=order, ax=ax, color="0.85", fliersize=2)
        title = label(trait)
        ax.set_title(trait.replace("_", " ") if title == trait else title, fontsize=9)
        ax.set_xlabel("")
        ax.tick_params(axis="x", rotation=60)
    fig.tight_layout()
    return fig


small_multiples = _old_name(small_multiples_figure, "small_multiples")
trait_distributions = _old_name(trait_distributions_figure, "trait_distributions")
