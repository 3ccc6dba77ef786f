"""Static figures (matplotlib / seaborn) for the workbook's tables.

Every function takes the tidy frame an analysis returned as ``data``, first, and the rest as
keyword-only options in one vocabulary, after seaborn: ``x`` and ``y`` name the columns behind
the horizontal and vertical axis (the bar charts are horizontal: their groups are ``y``), ``hue``
the column that sets the colour (in :func:`forest_plot` it tells the models apart), ``col`` the
column with one panel per value, ``weights`` the count or share column summed, ``ax`` the
Axes to draw on (a new figure when omitted). ``labels`` turns ids into text: a
:class:`~coprodlib.taxonomy.codebook.Codebook`, a mapping ``{id: label}``, or ``None``, the
shipped codebook (case ids are no codebook ids); the survey plots write other values as words.

Functions ending in ``_figure`` draw several panels on a figure of their own and return the
Figure; all others draw on one Axes and return it. A column the arguments name but ``data``
lacks, and empty data, raise :class:`~coprodlib.errors.DataError`; option values that make no
sense raise :class:`ValueError`. Older keywords (``weight=``, ``by=``, ...) and the names
``small_multiples`` and ``trait_distributions`` still work, with a :class:`DeprecationWarning`
naming the replacement. Nothing changes matplotlib's global settings. A code has one colour on
every figure (:func:`code_colours`); text is at least 9 pt at the size a page shows (see
``workbook.figures``); long labels wrap; heatmaps grow with the table.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._checks import data_label, legacy_arguments, renamed_function, require_data
from .errors import fail
from .taxonomy.colours import HUES, NO_CODE, code_colours

if TYPE_CHECKING:
    from .taxonomy.codebook import Codebook

    Labels = Codebook | Mapping[str, str] | None

__all__ = ["code_colours", "cooccurrence_heatmap", "residual_heatmap", "alluvial", "family_bars",
           "small_multiples_figure", "aggregation_plot", "xy_plot", "forest_plot", "choice_shares",
           "trait_distributions_figure", "CASE_TYPE_COLOURS"]  # fmt: skip

SMALL = 9  # points: the smallest text a figure writes (the pages show figures at their size)


def _colours(values: Iterable[Any], labels: Labels, palette: Mapping[Any, Any] | None) -> dict:
    """Each value's colour: ``palette``'s, its codebook entry's, or a hue in sorted order."""
    known: dict[str, Any] = {"(none)": NO_CODE}
    known.update(code_colours(labels if hasattr(labels, "frame") else None))  # type: ignore[arg-type]
    known.update({str(k): v for k, v in (palette or {}).items()})
    values = list(dict.fromkeys(str(v) for v in values))
    rest = sorted(v for v in values if v not in known)
    return {v: known[v] if v in known else HUES[rest.index(v) % len(HUES)] for v in values}


def _wrap(text: str, width: int = 24) -> str:
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _axes(ax: Any, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    import matplotlib.pyplot as plt

    return ax if ax is not None else plt.subplots(figsize=figsize)[1]


def _labeller(
    labels: Labels, *, codebook_ids: bool = True, words: bool = False
) -> Callable[[Any], str]:
    """A function id -> label from a mapping or a Codebook (``None``: the shipped one if
    ``codebook_ids``); without a label, the id as it is, or as words if ``words``."""
    if labels is None and codebook_ids:
        from .taxonomy.codebook import get_codebook

        labels = get_codebook()
    if hasattr(labels, "frame"):
        labels = dict(zip(labels.frame["id"], labels.frame["label"], strict=True))
    mapping = dict(labels or {})

    def label(code: Any) -> str:
        if code is None or (isinstance(code, float) and np.isnan(code)) or code is pd.NA:
            return "(none)"
        text = mapping.get(str(code))
        return str(text) if text is not None else _words(str(code)) if words else str(code)

    return label


def _term_label(term: Any, label: Callable[[Any], str]) -> str:
    """A model term as words: ``role[T.public_servant]`` -> ``role: public servant``."""
    found = re.fullmatch(r"(?:C\()?([^,()\[\]]+)(?:,[^\[]*)?\)?\[T\.(.+)\]", str(term))
    return label(term) if found is None else f"{label(found[1])}: {label(found[2])}"


def _words(column: str) -> str:
    """A column name as words for a message: ``role_group`` -> ``role group``."""
    return column.replace("_", " ")


def _heatmap(values: pd.DataFrame, ax: Any, label: Callable, xy: tuple[str, str], **kw: Any) -> Any:
    """``values`` as a seaborn heatmap with wrapped labels; the x tick labels tilted."""
    import seaborn as sns

    ticks = {f"{a}ticklabels": [_wrap(label(c)) for c in v] for a, v in
             (("x", values.columns), ("y", values.index))}  # fmt: skip
    sns.heatmap(values, ax=ax, linewidths=0.5, **ticks, **kw)
    ax.set(xlabel=_words(xy[0]), ylabel=_words(xy[1]))
    ax.tick_params(axis="x", rotation=45)
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    return ax


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
        The column summed into each cell. With the default (a count), rows and columns without
        co-occurrence are left out; a DataError says so before drawing when no cell is left.
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
    """
    require_data(data, "cooccurrence_heatmap", x=x, y=y, weights=weights)
    label = _labeller(labels)
    matrix = data.pivot_table(index=y, columns=x, values=weights, aggfunc="sum", observed=False)
    if weights == "n":
        matrix = matrix.loc[matrix.sum(axis=1) > 0, matrix.sum(axis=0) > 0]
    if matrix.empty or matrix.isna().all(axis=None):
        # checked before a figure exists: an empty matrix would reach seaborn's colour scale
        raise fail(data_label(data), f"at least one {_words(y)} and {_words(x)} coded together "
                   f"(every value of {weights!r} is 0 or missing: there is no cell to draw)",
                   "empty", column=weights)  # fmt: skip
    ax = _axes(ax, (1.2 + 0.6 * matrix.shape[1], 1.0 + 0.45 * matrix.shape[0]))
    fmt = fmt or ("d" if np.issubdtype(matrix.to_numpy().dtype, np.integer) else ".2f")
    kw = dict(annot=annot, fmt=fmt, cmap=cmap, cbar_kws={"label": weights})
    return _heatmap(matrix, ax, label, (x, y), **kw)


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
    """
    require_data(data, "residual_heatmap")
    label = _labeller(labels)
    values = data.astype(float)
    bound = limit if limit is not None else max(2.0, float(np.nanmax(np.abs(values.to_numpy()))))
    ax = _axes(ax, (1.5 + 0.7 * values.shape[1], 1.0 + 0.5 * values.shape[0]))
    kw = dict(annot=annot, fmt=".1f", cmap="RdBu_r", center=0, vmin=-bound, vmax=bound)
    names = (str(values.columns.name or ""), str(values.index.name or ""))
    return _heatmap(values, ax, label, names, cbar_kws={"label": "adjusted residual"}, **kw)


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
    codes = [MPath.MOVETO, *[MPath.CURVE4] * 3, MPath.LINETO, *[MPath.CURVE4] * 3, MPath.CLOSEPOLY]
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
    palette: Mapping[str, Any] | None = None,
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
        Leave out paths below this share of the total weight (say so in the caption).
    gap : float, default 0.02
        The space between the blocks of a station, as a share of the height.
    palette : mapping, optional
        ``{value: colour}`` for the bands; by default :func:`code_colours`.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    columns = [x] if isinstance(x, str) else list(x)
    require_data(data, "alluvial", x=columns, hue=hue, weights=weights)
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
    ax = _axes(ax, (9.0, max(5.5, 1.0 + 0.4 * max(frame[c].nunique() for c in columns))))
    colour = _colours(frame.sort_values(colour_by)[colour_by], labels, palette)
    # block positions: categories of each column stacked top-down by descending weight
    blocks: list[dict[str, tuple[float, float]]] = []
    for col in columns:
        sizes = frame.groupby(col)[weights].sum().sort_values(ascending=False, kind="mergesort")
        scale, top, pos = (1 - gap * (len(sizes) - 1)) / total, 1.0, {}
        for cat, size in sizes.items():
            pos[str(cat)] = (top - size * scale, top)
            top -= size * scale + gap
        blocks.append(pos)
    width = 0.06
    for i, pos in enumerate(blocks):
        for cat, (lo, hi) in pos.items():
            ax.add_patch(plt.Rectangle((i - width / 2, lo), width, hi - lo, color="0.35"))
            ha, dx = ("right", -width) if i == 0 else ("left", width)
            ax.text(i + dx, (lo + hi) / 2, _wrap(label(cat)), ha=ha, va="center", fontsize=SMALL)
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
            y0, y1 = (out_cursor[src], out_cursor[src] - h), (in_cursor[dst], in_cursor[dst] - h)
            out_cursor[src], in_cursor[dst] = out_cursor[src] - h, in_cursor[dst] - h
            _band(
                ax, i + width / 2, i + 1 - width / 2, y0, y1, colour[str(getattr(row, colour_by))]
            )
    ax.set(xlim=(-0.9, len(columns) - 0.1), ylim=(-0.02, 1.02))
    ax.set_xticks(range(len(columns)), [c.replace("_", " ") for c in columns])
    ax.set_yticks([])
    ax.spines[["left", "right", "top"]].set_visible(False)
    return ax


@legacy_arguments(renamed=dict(x="y", weight="weights"))
def family_bars(
    data: pd.DataFrame,
    *,
    y: str = "role_group",
    hue: str = "family",
    weights: str = "share",
    labels: Labels = None,
    palette: Mapping[str, Any] | None = None,
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
    palette : mapping, optional
        ``{category: colour}``; by default :func:`code_colours`, so a code has one colour on
        every figure.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
    """
    require_data(data, "family_bars", y=y, hue=hue, weights=weights)
    label = _labeller(labels)
    wide = data.pivot_table(index=y, columns=hue, values=weights, aggfunc="sum", observed=False)
    wide = wide.fillna(0.0)
    ax = _axes(ax, (7.0, 1.2 + 0.5 * len(wide)))
    left = np.zeros(len(wide))
    colour = _colours(wide.columns, labels, palette)
    for col in wide.columns:
        vals = wide[col].to_numpy(dtype=float)
        names = [_wrap(label(i)) for i in wide.index]
        ax.barh(names, vals, left=left, color=colour[str(col)], label=_wrap(label(col)))
        left += vals
    ax.set(xlabel=weights, ylabel=_words(y))
    ax.invert_yaxis()
    ax.legend(title=_words(hue), bbox_to_anchor=(1.02, 1), loc="upper left", frameon=False)
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
        Labels for the groups, categories and panels; ``None`` uses the shipped codebook.

    Returns
    -------
    matplotlib Figure
        All panels (a figure-level plot: it takes no ``ax=``).
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    require_data(data, "small_multiples_figure", col=col, y=y, hue=hue, weights=weights)
    label = _labeller(labels)
    colour = _colours(data[hue], labels, None)  # from all panels: a code keeps its colour
    panels = list(dict.fromkeys(data[col].astype(str)))
    ncols = max(1, min(col_wrap, len(panels)))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols, 2.4 * nrows), sharex=True, sharey=True, squeeze=False
    )
    for ax, panel in zip(axes.ravel(), panels, strict=False):
        part = data[data[col].astype(str) == panel]
        family_bars(part, y=y, hue=hue, weights=weights, labels=labels, palette=colour, ax=ax)
        ax.set_title(_wrap(label(panel), 40), fontsize=10)
        ax.get_legend().remove()  # one legend for all panels, below
    for ax in axes.ravel()[len(panels) :]:
        ax.set_visible(False)
    handles = [Patch(color=c, label=_wrap(label(v))) for v, c in colour.items()]  # every code
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 4), frameon=False)
    below = (0.25 + 0.3 * np.ceil(len(handles) / 4)) / fig.get_figheight()  # the legend's rows
    fig.tight_layout(rect=(0, min(0.4, below), 1, 1))
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
    """
    require_data(data, "aggregation_plot", x=x, y=y, text=text)
    label = _labeller(labels, codebook_ids=False)
    table = data_label(data)
    data = data.dropna(subset=[x, y])
    if data.empty:
        raise fail(table, "at least one case with both strategies and effects coded (both shares "
                   "present); there is no point to draw", "empty")  # fmt: skip
    ax = _axes(ax, (5.5, 4.5))
    ax.scatter(data[x], data[y], s=40, color="C0")
    ax.set(xlabel="share of coping that favours one value", xlim=(-0.02, 1.02),
           ylabel="share of effects that are undesired", ylim=(-0.02, 1.02))  # fmt: skip
    notes = [
        ax.annotate(label(t), (px, py), xytext=(4, 4), textcoords="offset points", fontsize=SMALL)
        for px, py, t in data[[x, y, text]].itertuples(index=False)  # one label per case
    ]
    _spread(ax, notes)
    return ax


def _spread(ax: Any, notes: list[Any]) -> None:
    """Move labels up, lowest first, until none overlaps another label or another label's
    point; a moved one gets a line back to its point."""
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    fig, placed, renderer = ax.figure, [], ax.figure.canvas.get_renderer()
    dots = [Bbox.from_bounds(*(ax.transData.transform(n.xy) - 4), 8, 8) for n in notes]

    def extent(note: Any) -> Any:  # the text's box, without the line
        note.update_positions(renderer)
        return Text.get_window_extent(note, renderer)

    for k in sorted(range(len(notes)), key=lambda i: (notes[i].xy[1], notes[i].xy[0])):
        note, others = notes[k], placed + dots[:k] + dots[k + 1 :]
        box, moved = extent(note), False
        for _ in range(len(others) + 1):
            if (hit := next((b for b in others if box.overlaps(b)), None)) is None:
                break
            note.xyann = (note.xyann[0], note.xyann[1] + (hit.y1 - box.y0 + 1) * 72 / fig.dpi)
            box, moved = extent(note), True
        if moved:  # the same label again, now with a thin line back to its point
            note.remove()
            line = {"arrowstyle": "-", "color": "0.4", "lw": 0.7}
            note = ax.annotate(note.get_text(), note.xy, xytext=note.xyann, fontsize=SMALL,
                               textcoords="offset points", arrowprops=line,
                               ha=note.get_horizontalalignment())  # fmt: skip
            box = extent(note)
        placed.append(box)


#: The colour of each case type of :func:`~coprodlib.solution_cases` on :func:`xy_plot`.
CASE_TYPE_COLOURS = {"typical": "#117733", "deviant_consistency": "#CC6677",
                     "deviant_coverage": "#DDCC77", "irrelevant": NO_CODE, "ambiguous": "#332288"}  # fmt: skip


def xy_plot(data: pd.DataFrame, *, x: str = "solution", y: str = "outcome",
            hue: str | None = "case_type", text: str | None = None, labels: Labels = None,
            ax: Any = None) -> Any:  # fmt: skip
    """Plot each case's membership in a solution against the outcome's; return the Axes.

    The XY plot of set-theoretic analysis (Ragin 2008; Schneider & Wagemann 2012): cases on or
    above the diagonal agree with the solution being sufficient for the outcome; the lines at 0.5
    part the types of :func:`~coprodlib.solution_cases`; the title gives consistency and coverage.

    Parameters
    ----------
    data : DataFrame
        One row per case, e.g. from :func:`~coprodlib.solution_cases`.
    x, y : str, default "solution", "outcome"
        The columns with the memberships (0 to 1) in the solution and in the outcome.
    hue : str or None, default "case_type"
        The column that colours the points (:data:`CASE_TYPE_COLOURS`); None: one colour.
    text, labels : str or None, mapping or None
        The column written beside each point (None: the index, the case ids), and its labels.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
    """
    from .analysis.qca import case_types, measures

    require_data(data, "xy_plot", x=x, y=y, hue=hue, text=text)
    scores = measures.check_memberships(data, [x, y], function="xy_plot")
    xs, ys = scores[x].to_numpy(), scores[y].to_numpy()
    groups = pd.Series("", index=data.index) if hue is None else data[hue].astype("string")
    groups = groups.fillna("(none)")
    ax = _axes(ax, (4.6 + min(len(data), 30) * 0.1,) * 2)  # room for the labels of more cases
    ax.plot([0, 1], [0, 1], color="0.55", lw=0.8, zorder=0)
    for line in (ax.axhline, ax.axvline):  # the crossovers
        line(0.5, color="0.8", lw=0.6, zorder=0)
    for i, group in enumerate(dict.fromkeys(groups)):
        on = (groups == group).to_numpy()
        colour = CASE_TYPE_COLOURS.get(group, HUES[i % len(HUES)]) if hue else "C0"
        name = case_types.CASE_TYPE_LABELS.get(group, _words(group))  # case types in words
        ax.scatter(xs[on], ys[on], s=40, color=colour, label=name or None, zorder=2)
    if hue is not None:
        ax.legend(title=_words(hue), fontsize=SMALL, title_fontsize=SMALL, frameon=False,
                  loc="upper left", bbox_to_anchor=(1.02, 1.0))  # fmt: skip
    incl, cov = measures.sufficiency_consistency(xs, ys), measures.sufficiency_coverage(xs, ys)
    ax.set_title(f"consistency {incl:.2f}, coverage {cov:.2f}", fontsize=SMALL + 1)
    ax.set(xlim=(-0.03, 1.03), ylim=(-0.03, 1.15), yticks=np.linspace(0, 1, 6), aspect="equal",
           xlabel=f"membership in {_words(x)}", ylabel=f"membership in {_words(y)}")  # fmt: skip
    label = _labeller(labels, codebook_ids=False)
    names = data.index if text is None else data[text]
    notes = []
    for px, py, name in zip(xs, ys, names, strict=True):
        left = px > 0.7  # a point on the right has its name written to its left
        notes.append(ax.annotate(label(name), (px, py), xytext=(-4 if left else 4, 4),
                                 textcoords="offset points", ha="right" if left else "left",
                                 fontsize=SMALL))  # fmt: skip
    _spread(ax, notes)
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
        prefixes each row's label as ``outcome: term`` and sets the colour of its point (that
        of the codebook entry for a coping choice). ``None``: the terms alone.
    xmin, xmax : str, default "ci_low", "ci_high"
        The columns with the lower and upper ends of the intervals.
    labels : Codebook, mapping or None
        Labels for the terms and outcomes; ``None`` uses the shipped codebook. A value without
        a label is written as words, and a term of a categorical variable as the variable and
        its level (``role[T.public_servant]`` as ``role: public servant``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> models = pd.DataFrame({"outcome": ["escalation"] * 2, "term": ["self_efficacy", "x_y"],
    ...                        "odds_ratio": [1.8, 0.7], "ci_low": [1, 0.5], "ci_high": [3, 1]})
    >>> [t.get_text() for t in cp.plots.forest_plot(models).get_yticklabels()]
    ['Escalation: Self-efficacy', 'Escalation: x y']
    """
    require_data(data, "forest_plot", x=x, xmin=xmin, xmax=xmax, y=y, hue=hue)
    label = _labeller(labels, words=True)
    frame = data[[x, xmin, xmax, y] + ([hue] if hue else [])].reset_index(drop=True)
    names = [_term_label(term, label) for term in frame[y]]
    if hue:
        names = [f"{label(model)}: {name}" for model, name in zip(frame[hue], names, strict=True)]
    ax = _axes(ax, (6.5, 0.8 + 0.3 * len(frame)))
    ypos = np.arange(len(frame))[::-1]
    err = np.vstack([frame[x] - frame[xmin], frame[xmax] - frame[x]])
    colour = _colours(frame[hue], labels, None) if hue else {}
    dots = [colour.get(str(m), "C0") for m in (frame[hue] if hue else frame[y])]
    ax.errorbar(frame[x], ypos, xerr=err, fmt="none", ecolor="0.4", capsize=2)
    ax.scatter(frame[x], ypos, c=dots, s=20, zorder=3)
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
        Labels for the group and choice values; ``None``: the shipped codebook (choices are
        strategy ids, in their colours of every figure), other values as words.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes
    """
    require_data(data, "choice_shares", y=y, hue=hue)
    shares = data.groupby([y, hue], observed=True).size().rename("n").reset_index()
    shares["share"] = shares["n"] / shares.groupby(y, observed=True)["n"].transform("sum")
    label = _labeller(labels, words=True)
    names = {str(v): label(v) for v in pd.concat([shares[y], shares[hue]]).astype(str)}
    colour = _colours(shares[hue], labels, None)
    return family_bars(shares, y=y, hue=hue, weights="share", labels=names, palette=colour, ax=ax)


@legacy_arguments(renamed=dict(traits="y", by="x"))
def trait_distributions_figure(
    data: pd.DataFrame,
    *,
    y: str | Sequence[str],
    x: str = "coping_choice",
    labels: Labels = None,
) -> Any:
    """Draw box plots of trait scores by choice, one panel per trait; return the Figure.

    ``trait_distributions`` is its old name; it still works, with a DeprecationWarning.

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
        Labels for the groups and traits (the panel titles); ``None``: the shipped codebook,
        other values as words. The boxes take the colours of the codebook entries.

    Returns
    -------
    matplotlib Figure
        All panels (a figure-level plot: it takes no ``ax=``).
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    traits = [y] if isinstance(y, str) else list(y)
    require_data(data, "trait_distributions_figure", y=traits, x=x)
    if not traits:
        raise ValueError("trait_distributions_figure: y needs at least one column name")
    label = _labeller(labels, words=True)
    long = data.melt(id_vars=[x], value_vars=traits, var_name="trait", value_name="score")
    fig, axes = plt.subplots(
        1, len(traits), figsize=(3.2 * len(traits), 3.6), sharey=True, squeeze=False
    )
    order = sorted(long[x].dropna().astype(str).unique())
    colour = {label(k): c for k, c in _colours(order, labels, None).items()}
    long[x] = long[x].astype("object").map(label, na_action="ignore")
    order = [label(group) for group in order]
    for ax, trait in zip(axes.ravel(), traits, strict=True):
        part = long[long["trait"] == trait]
        sns.boxplot(data=part, x=x, y="score", hue=x, order=order, hue_order=order, ax=ax,
                    palette=colour, legend=False, fliersize=2)  # fmt: skip
        ax.set_title(_wrap(label(trait), 30), fontsize=10)
        ax.set_xlabel("")
        ax.tick_params(axis="x", rotation=60)
    fig.tight_layout()
    return fig


_OLD = {"module": "coprodlib.plots", "note": "; it returns a Figure"}
small_multiples = renamed_function(small_multiples_figure, "small_multiples", **_OLD)
trait_distributions = renamed_function(trait_distributions_figure, "trait_distributions", **_OLD)
