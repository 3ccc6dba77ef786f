"""An interactive explorer of a dataset's codings for JupyterLab (``cp.explore(ds)``).

The explorer is an ipywidgets box: the analyst picks cases, two codebook dimensions, the unit
of co-occurrence and the strategy level, and sees at once the co-occurrence heatmap (one
button per pair of codes, the count on it) and the tension -> strategy -> effect chains of
the selection. Clicking a cell lists the segments behind it. The numbers come from
:class:`~coprodlib.explorer.model.ExplorerModel`, which reads the dataset once and counts as
:func:`coprodlib.cooccurrence` and :func:`coprodlib.chain` do, fast enough for a million
codings.

Everything the dataset supplies (ids, labels, roles, texts) reaches the page as text: the
buttons, labels and menus of ipywidgets show text as text, and the two HTML tables escape
every value with :func:`html.escape`, so no value of a dataset can become markup.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from ..analysis.describe import studies_of
from ..analysis.qualitative import STRATEGY_LEVELS
from ..contract.dataset import Dataset
from ..errors import fail
from .model import ExplorerModel

__all__ = ["Explorer", "explore", "quotes_allowed"]

#: Rows shown at most in the table of a cell's segments and in the chain table.
MAX_SEGMENTS = 100
MAX_PATHS = 15
#: Codes shown at most along each axis of the heatmap: the most coded ones (a project's local
#: codes may be hundreds, and a grid of hundreds by hundreds of cells would stall the page).
MAX_AXIS_CODES = 40

#: A sequential blue scale (ColorBrewer "Blues", 9 classes), light to dark.
_BLUES = (
    "#f7fbff",
    "#deebf7",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#08519c",
    "#08306b",
)
_PROMPT = "<p><em>Click a cell of the heatmap to list its segments.</em></p>"
_NONE = "\u2014"  # shown for a chain step that is not coded

_STYLE = """<style>
.coprod-explorer table.coprod-table {border-collapse: collapse; font-size: 12px;}
.coprod-explorer table.coprod-table th, .coprod-explorer table.coprod-table td {
  border-bottom: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top;}
.coprod-explorer table.coprod-table td.num {text-align: right;}
.coprod-explorer .coprod-colhead {writing-mode: vertical-rl; transform: rotate(180deg);
  white-space: nowrap; font-size: 11px; line-height: 1.1; margin: 0 auto;}
.coprod-explorer .coprod-scroll {max-height: 320px; overflow: auto;}
.coprod-explorer .coprod-cell button, .coprod-explorer button.coprod-cell {padding: 0;}
</style>"""


def quotes_allowed(dataset: Dataset) -> bool:
    """Whether the dataset keeps any segment text that could be quoted.

    A dataset keeps text only when it was made with it: an import keeps segment text with
    ``--keep-text`` and leaves it out otherwise (redacted, or never read), so a dataset
    without text has said no to quotes.

    Examples
    --------
    >>> import coprodlib as cp
    >>> from coprodlib.explorer.widget import quotes_allowed
    >>> quotes_allowed(cp.load())
    True
    """
    segments = dataset.segments
    if "text" not in segments.columns:
        return False
    text = segments["text"].dropna().astype(str)
    return bool(len(text)) and bool(text.str.strip().ne("").any())


def _quotes_setting(dataset: Dataset, quotes: bool | None) -> bool:
    if quotes is not None and not isinstance(quotes, bool):
        raise TypeError(f"quotes must be True, False or None, not {type(quotes).__name__}")
    allowed = quotes_allowed(dataset)
    if quotes and not allowed:
        raise fail(
            "segments.csv",
            "segment text to quote for quotes=True; this dataset keeps none (import with "
            "--keep-text to keep it), so use quotes=None or quotes=False",
            kind="no_text",
            column="text",
        )
    return allowed if quotes is None else quotes


class Explorer(widgets.VBox):
    """The explorer widget that :func:`explore` returns; see there.

    The controls are the attributes ``cases_widget``, ``x_widget``, ``y_widget``,
    ``unit_widget`` and ``level_widget`` (and ``studies_widget`` in a dataset of several
    studies, which chooses their cases; ``None`` otherwise); setting their ``value`` updates the view as a click
    does. ``counts``, ``chain_table`` and ``segment_table`` hold the frames shown,
    ``cell`` the (x code, y code) chosen (``None`` before a click) and ``last_update`` the
    seconds the last update took.
    """

    def __init__(
        self,
        model: ExplorerModel,
        *,
        cases: list[str],
        x: str,
        y: str,
        unit: str,
        strategy_level: str,
        quotes: bool,
    ) -> None:
        self.model = model
        self.quotes = quotes
        self.cell: tuple[str, str] | None = None
        self.counts = pd.DataFrame()
        self.chain_table = pd.DataFrame()
        self.segment_table = pd.DataFrame()
        self.last_update = 0.0
        self._buttons: dict[tuple[int, int], widgets.Button] = {}
        self._where: dict[str, tuple[int, int]] = {}
        self._place: dict[str, str] = {}
        self._pools: dict[str, list[widgets.Widget]] = {"heads": [], "names": [], "cells": []}
        self._corner = widgets.HTML("")
        # shared by the cells: one style per colour step, one layout for plain and chosen
        self._styles = [
            widgets.ButtonStyle(
                button_color="#ffffff" if k == 0 else colour,
                text_color="#ffffff" if k >= 5 else "#222222",
            )
            for k, colour in enumerate(_BLUES)
        ]
        self._layouts = {
            False: widgets.Layout(width="48px", height="30px", border="1px solid #eee"),
            True: widgets.Layout(width="48px", height="30px", border="2px solid #d62728"),
        }
        self._shape: tuple[str, str, str] | None = None
        self._cut: dict[str, tuple[int, int]] = {}  # axis -> (codes shown, codes coded)
        ds = model.dataset
        titles = ds.cases.set_index(ds.cases["case_id"].astype(str)).get("title")
        options = [
            (f"{c}: {titles.get(c)}" if titles is not None and pd.notna(titles.get(c)) else c, c)
            for c in model.case_ids
        ]
        dims = model.coded_dimensions()
        self.cases_widget = widgets.SelectMultiple(
            options=options,
            value=tuple(cases),
            rows=min(8, max(len(options), 2)),
            description="Cases",
            layout=widgets.Layout(width="420px"),
        )
        self.studies_widget = self._studies_control(ds)
        self.x_widget = widgets.Dropdown(options=dims, value=x, description="Columns (x)")
        self.y_widget = widgets.Dropdown(options=dims, value=y, description="Rows (y)")
        self.unit_widget = widgets.Dropdown(
            options=model.unit_choices(), value=unit, description="Unit"
        )
        self.level_widget = widgets.ToggleButtons(
            options=list(STRATEGY_LEVELS), value=strategy_level, description="Strategies"
        )
        self.level_widget.style.button_width = "80px"
        for name, control in self._controls().items():
            control.add_class(f"coprod-{name}")
            control.observe(self._changed, names="value")
        self.status = widgets.HTML()
        self.status.add_class("coprod-status")
        self.grid = widgets.GridBox(layout=widgets.Layout(grid_gap="2px", align_items="flex-end"))
        self.grid.add_class("coprod-heatmap")
        self.chain_html = widgets.HTML()
        self.chain_html.add_class("coprod-chain")
        self.segments_html = widgets.HTML(_PROMPT)
        self.segments_html.add_class("coprod-segments")
        header = widgets.HTML(_STYLE + _header(ds, quotes))
        choices = widgets.VBox([self.x_widget, self.y_widget, self.unit_widget, self.level_widget])
        super().__init__(
            [
                header,
                widgets.HBox(
                    [self.cases_widget, choices]
                    if self.studies_widget is None
                    else [widgets.VBox([self.studies_widget, self.cases_widget]), choices]
                ),
                self.status,
                widgets.HBox(
                    [self.grid, self.chain_html],
                    layout=widgets.Layout(flex_flow="row wrap", grid_gap="24px"),
                ),
                self.segments_html,
            ]
        )
        self.add_class("coprod-explorer")
        model.prepare()
        self.refresh("start")

    def _studies_control(self, ds: Dataset) -> widgets.SelectMultiple | None:
        """A choice of studies in a pooled dataset (cases.csv names two or more): choosing
        studies chooses their cases; ``None`` for a dataset of one study."""
        studies = studies_of(ds)
        if len(studies) < 2:
            return None
        study = ds.cases.astype({"case_id": str}).set_index("case_id")["study"].astype(str)
        control = widgets.SelectMultiple(
            options=studies,
            value=tuple(studies),
            rows=min(4, len(studies)),
            description="Studies",
            layout=widgets.Layout(width="420px"),
        )
        control.add_class("coprod-studies")

        def chosen(change: dict[str, Any]) -> None:
            keep = set(change["new"])
            self.cases_widget.value = tuple(c for c in self.model.case_ids if study.get(c) in keep)

        control.observe(chosen, names="value")
        return control

    # ----------------------------------------------------------------- state

    def _controls(self) -> dict[str, widgets.ValueWidget]:
        return {
            "cases": self.cases_widget,
            "x": self.x_widget,
            "y": self.y_widget,
            "unit": self.unit_widget,
            "level": self.level_widget,
        }

    @property
    def selection(self) -> dict[str, Any]:
        """The current choices: ``cases`` (list), ``x``, ``y``, ``unit``, ``strategy_level``."""
        return {
            "cases": list(self.cases_widget.value),
            "x": self.x_widget.value,
            "y": self.y_widget.value,
            "unit": self.unit_widget.value,
            "strategy_level": self.level_widget.value,
        }

    def _changed(self, change: dict[str, Any]) -> None:
        owner = next(k for k, w in self._controls().items() if w is change["owner"])
        self.refresh(owner)

    # ----------------------------------------------------------------- updates

    def refresh(self, kind: str = "refresh") -> None:
        """Recount everything for the current choices and redraw (``kind`` names the change
        for the status line)."""
        start = time.perf_counter()
        sel = self.selection
        cases = [c for c in self.model.case_ids if c in set(sel["cases"])]
        level = sel["strategy_level"]
        ax = self.model.axis(sel["x"], level)
        ay = self.model.axis(sel["y"], level)
        if cases:
            self.counts = self.model.cooccurrence(
                cases, sel["x"], sel["y"], unit=sel["unit"], strategy_level=level
            )
            self.chain_table = self.model.chain(cases, strategy_level=level)
        else:
            self.counts = self.counts.iloc[0:0]
            self.chain_table = self.chain_table.iloc[0:0]
        if self.cell is not None and (self.cell[0] not in ax.ids or self.cell[1] not in ay.ids):
            self.cell = None
            self.segment_table = pd.DataFrame()
            self.segments_html.value = _PROMPT
        self._draw_heatmap(ax.ids, ay.ids, sel, cases)
        self.chain_html.value = self._chain_page()
        self._list_segments(cases)
        self.last_update = time.perf_counter() - start
        n_seg = int(
            np.isin(self.model.segment_case, [self.model.case_ids.index(c) for c in cases]).sum()
        )
        self.status.value = (
            f"<p>{len(cases)} of {len(self.model.case_ids)} cases, {n_seg:,} segments; "
            f"cells count {html.escape(sel['unit'])}s holding both codes "
            f"<small>(updated after {html.escape(kind)} in {self.last_update:.2f} s)</small></p>"
        )
        cut = [f"the {n} most coded of {total} codes along the {along}"
               for along, (n, total) in self._cut.items() if total > n]  # fmt: skip
        if cut:
            self.status.value += f"<p><small>Showing {' and '.join(cut)}.</small></p>"

    def _shown_codes(self, ids: list[str], dimension: str, level: str, along: str) -> list[int]:
        """Positions along an axis of the codes coded somewhere in the dataset (the others
        would be empty rows whatever the selection), at most :data:`MAX_AXIS_CODES` of them:
        the most coded in the whole dataset, so the grid stays the same as cases change."""
        pos = self.model.axis(dimension, level).of_entry[self.model.pair_entry]
        coded = np.bincount(pos[pos >= 0], minlength=len(ids))
        used = np.flatnonzero(coded)
        self._cut[along] = (min(len(used), MAX_AXIS_CODES), len(used))
        if len(used) > MAX_AXIS_CODES:
            used = np.sort(used[np.argsort(-coded[used], kind="stable")[:MAX_AXIS_CODES]])
        return [int(i) for i in used]

    def _draw_heatmap(
        self, x_ids: list[str], y_ids: list[str], sel: dict[str, Any], cases: list[str]
    ) -> None:
        level = sel["strategy_level"]
        shape = (sel["x"], sel["y"], level if "strategy" in (sel["x"], sel["y"]) else "")
        if shape != self._shape:
            cols = self._shown_codes(x_ids, sel["x"], level, "columns")
            rows = self._shown_codes(y_ids, sel["y"], level, "rows")
            self._build_grid(x_ids, y_ids, rows, cols)
            self._shape = shape
        size = (len(x_ids), len(y_ids))
        both = self.counts["n"].to_numpy().reshape(size) if cases else np.zeros(size, int)
        c = self.counts["c"].to_numpy().reshape(size) if cases else np.full(size, np.nan)
        shown = [int(both[i, j]) for j, i in self._buttons]  # the scale of the cells shown
        top = max(max(shown, default=0), 1)
        labels = self.model.labels
        for (j, i), button in self._buttons.items():
            n = int(both[i, j])
            step = 0 if n == 0 else min(1 + int(np.ceil(n / top * 7)), len(_BLUES) - 1)
            cval = "" if np.isnan(c[i, j]) else f", c = {c[i, j]:.2f}"
            with button.hold_sync():
                button.description = str(n)
                button.style = self._styles[step]
                button.tooltip = (
                    f"{labels.get(y_ids[j], y_ids[j])} \u00d7 {labels.get(x_ids[i], x_ids[i])}: "
                    f"n = {n}{cval}"
                )
                chosen = self.cell == (x_ids[i], y_ids[j])
                button.layout = self._layouts[chosen]

    def _pooled(self, pool: list[widgets.Widget], n: int, make: Any) -> list[widgets.Widget]:
        """``n`` widgets of a pool, made only when the pool has too few (widgets are slow to
        make: a grid of values by values would take seconds to build anew)."""
        while len(pool) < n:
            pool.append(make())
        return pool[:n]

    def _build_grid(
        self, x_ids: list[str], y_ids: list[str], rows: list[int], cols: list[int]
    ) -> None:
        labels = self.model.labels
        if not cols or not rows:
            self._buttons = {}
            self.grid.children = [widgets.HTML("<p>No codings of these dimensions.</p>")]
            return
        heads = self._pooled(self._pools["heads"], len(cols), widgets.HTML)
        for head, i in zip(heads, cols, strict=True):
            text = html.escape(labels.get(x_ids[i], x_ids[i]))
            head.value = f'<div class="coprod-colhead">{text}</div>'
        names = self._pooled(
            self._pools["names"],
            len(rows),
            lambda: widgets.Label(layout=widgets.Layout(justify_content="flex-end")),
        )
        for name, j in zip(names, rows, strict=True):
            name.value = labels.get(y_ids[j], y_ids[j])
        buttons = self._pooled(self._pools["cells"], len(rows) * len(cols), self._new_button)
        self._buttons, self._where = {}, {}
        children: list[widgets.Widget] = [self._corner, *heads]
        cells = iter(buttons)
        for j, name in zip(rows, names, strict=True):
            children.append(name)
            for i in cols:
                button = next(cells)
                place = f"coprod-cell-{j}-{i}"  # the class of its place in the grid
                if self._place.get(button.model_id, place) != place:
                    button.remove_class(self._place[button.model_id])
                button.add_class(place)
                self._place[button.model_id] = place
                self._buttons[(j, i)] = button
                self._where[button.model_id] = (i, j)
                children.append(button)
        self.grid.children = children
        self.grid.layout.grid_template_columns = f"max-content repeat({max(len(cols), 1)}, 48px)"

    def _new_button(self) -> widgets.Button:
        button = widgets.Button(layout=self._layouts[False], style=self._styles[0])
        button.add_class("coprod-cell")
        button.on_click(self._clicked)
        return button

    def _clicked(self, button: widgets.Button) -> None:
        i, j = self._where[button.model_id]
        level = self.level_widget.value
        x_ids = self.model.axis(self.x_widget.value, level).ids
        y_ids = self.model.axis(self.y_widget.value, level).ids
        self.select_cell(x_ids[i], y_ids[j])

    def select_cell(self, x_code: str, y_code: str) -> None:
        """Choose the heatmap cell of ``x_code`` (a column) and ``y_code`` (a row) and list
        its segments, as a click on it does."""
        start = time.perf_counter()
        sel = self.selection
        level = sel["strategy_level"]
        for code, argument, dim in ((x_code, "x_code", sel["x"]), (y_code, "y_code", sel["y"])):
            ids = self.model.axis(dim, level).ids
            if code not in ids:
                raise ValueError(
                    f"{argument}={code!r} is not a code along the {dim!r} axis; use one of "
                    f"{', '.join(ids)}"
                )
        previous, self.cell = self.cell, (x_code, y_code)
        x_ids = self.model.axis(sel["x"], level).ids
        y_ids = self.model.axis(sel["y"], level).ids
        for cell in (previous, self.cell):
            if cell is None:
                continue
            button = self._buttons.get((y_ids.index(cell[1]), x_ids.index(cell[0])))
            if button is not None:
                button.layout = self._layouts[cell == self.cell]
        self._list_segments([c for c in self.model.case_ids if c in set(sel["cases"])])
        self.last_update = time.perf_counter() - start

    def _list_segments(self, cases: list[str]) -> None:
        if self.cell is None:
            return
        sel = self.selection
        x_code, y_code = self.cell
        labels = self.model.labels
        self.segment_table = (
            self.model.segments(
                cases,
                sel["x"],
                sel["y"],
                x_code,
                y_code,
                unit=sel["unit"],
                strategy_level=sel["strategy_level"],
                text=self.quotes,
            )
            if cases
            else pd.DataFrame(columns=["segment_id", "case_id", "participant_id", "role"])
        )
        title = (
            f"{labels.get(y_code, y_code)} \u00d7 {labels.get(x_code, x_code)}, by "
            f"{sel['unit']}: {len(self.segment_table):,} segments"
        )
        self.segments_html.value = _segments_page(
            self.segment_table, title, sel["unit"], labels, self.quotes
        )

    def _chain_page(self) -> str:
        table = self.chain_table
        labels = self.model.labels
        head = (
            f"<h4>Chains: tension \u2192 strategy ({html.escape(self.level_widget.value)}) "
            f"\u2192 effect</h4>"
        )
        if table.empty:
            return head + "<p>No tension, strategy or effect coded in the selection.</p>"
        shown = table.head(MAX_PATHS)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(_NONE if pd.isna(v) else labels.get(v, str(v)))}</td>"
                for v in (r.tension, r.strategy, r.effect)
            )
            + f'<td class="num">{int(r.n):,}</td></tr>'
            for r in shown.itertuples()
        )
        more = (
            f"<p><small>The {MAX_PATHS} most frequent of {len(table):,} paths "
            f"({int(table['n'].sum()):,} in all; {_NONE}: none coded).</small></p>"
        )
        return (
            head + '<div class="coprod-scroll"><table class="coprod-table"><thead><tr><th>Tension'
            "</th><th>Strategy</th><th>Effect</th><th>n</th></tr></thead><tbody>"
            + body
            + "</tbody></table></div>"
            + more
        )


def _header(dataset: Dataset, quotes: bool) -> str:
    flag = " <strong>SYNTHETIC data.</strong>" if dataset.synthetic else ""
    text = "segment text shown" if quotes else "segment text hidden"
    return (
        f"<h3>Explorer: {html.escape(dataset.title)}</h3>"
        f"<p>Pick cases (Ctrl- or Shift-click for several) and dimensions; click a cell "
        f"to list its segments ({text}).{flag}</p>"
    )


def _segments_page(
    table: pd.DataFrame, title: str, unit: str, labels: dict[str, str], quotes: bool
) -> str:
    columns = ["segment_id", "case_id", "participant_id", "role"]
    heads = ["Segment", "Case", "Participant", "Role"]
    if unit != "segment":
        columns.append("coded")
        heads.append("Coded with")
    if quotes and "text" in table.columns:
        columns.append("text")
        heads.append("Text")
    shown = table.head(MAX_SEGMENTS)
    rows = []
    for record in shown[columns].itertuples(index=False):
        cells = []
        for name, value in zip(columns, record, strict=True):
            if pd.isna(value):
                value = ""
            elif name == "coded" and value != "both":
                value = labels.get(value, value)
            cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append(f'<tr class="coprod-segment">{"".join(cells)}</tr>')
    note = (
        f"<p><small>The first {MAX_SEGMENTS} of {len(table):,}.</small></p>"
        if len(table) > MAX_SEGMENTS
        else ""
    )
    head = "".join(f"<th>{h}</th>" for h in heads)
    return (
        f"<h4>{html.escape(title)}</h4>"
        f'<div class="coprod-scroll"><table class="coprod-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}"
    )


def explore(
    dataset: Dataset,
    *,
    cases: str | Sequence[str] | None = None,
    x: str | None = None,
    y: str | None = None,
    unit: str = "segment",
    strategy_level: str = "family",
    quotes: bool | None = None,
) -> Explorer:
    """Explore co-occurrences, chains and the segments behind them, in JupyterLab.

    Shows the co-occurrence heatmap of two codebook dimensions (the counts of
    :func:`coprodlib.cooccurrence`, derived tensions included) and the tension -> strategy
    -> effect chains (as :func:`coprodlib.chain` counts them) for the chosen cases; both
    update on every change of a control. A click on a heatmap cell lists the segments
    behind it (segment, case, participant, role, and the text when quotes are shown).

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load`.
    cases : str or list of str, optional
        The cases chosen at the start; all by default.
    x, y : str, optional
        The codebook dimensions along the columns and the rows (``"tension"``,
        ``"strategy"``, ``"effect"``, ``"value"``, ...); only dimensions with codings in the
        dataset are offered. By default tension and strategy, or where the dataset has no
        codings of those, the first dimensions it has (the ``local`` codes of a project
        imported before its codes were mapped, say).
    unit : {"segment", "participant", "document", "case"}
        The unit of co-occurrence, as in :func:`coprodlib.cooccurrence`.
    strategy_level : {"family", "strategy"}
        Strategies by their family or as coded, in the heatmap and the chains.
    quotes : bool, optional
        Whether a cell's segments are listed with their text. ``None`` follows the dataset:
        text is shown when the dataset keeps any (an import keeps it only with
        ``--keep-text``); ``False`` hides it; ``True`` asks for it and is a DataError when
        the dataset keeps none.

    Returns
    -------
    Explorer
        An ipywidgets ``VBox``; display it (the last line of a cell) to use it.

    Raises
    ------
    DataError
        When ``cases`` names a case the dataset lacks, or ``quotes=True`` finds no text.
    ValueError
        When ``x``, ``y``, ``unit`` or ``strategy_level`` is not one of its choices.
    TypeError
        When ``dataset`` is not a Dataset or ``quotes`` not a bool or None.

    Examples
    --------
    >>> import coprodlib as cp
    >>> from coprodlib.explorer.widget import explore
    >>> view = explore(cp.load(), y="effect", unit="participant")
    >>> view.unit_widget.value = "case"  # as choosing it in the menu does
    >>> view.counts.equals(cp.cooccurrence(cp.load(), "tension", "effect", unit="case"))
    True
    """
    if not isinstance(dataset, Dataset):
        raise TypeError(f"dataset must be a coprodlib Dataset, not {type(dataset).__name__}")
    shown = _quotes_setting(dataset, quotes)
    model = ExplorerModel(dataset)
    chosen = model.check_cases(cases)
    if not chosen:
        raise ValueError("cases= is an empty list; name at least one case, or None for all")
    explorer_dims = model.coded_dimensions()
    x, y = _default_dimensions(explorer_dims, x, y)
    for argument, value in (
        ("x", x),
        ("y", y),
        ("unit", unit),
        ("strategy_level", strategy_level),
    ):
        model.check_choice(argument, value)
    for argument, value in (("x", x), ("y", y)):
        if value not in explorer_dims:
            raise ValueError(
                f"{argument}={value!r} has no codings in this dataset; use one of "
                f"{', '.join(explorer_dims)}"
            )
    return Explorer(
        model,
        cases=chosen,
        x=x,
        y=y,
        unit=unit,
        strategy_level=strategy_level,
        quotes=shown,
    )


def _default_dimensions(coded: list[str], x: str | None, y: str | None) -> tuple[str, str]:
    """``x`` and ``y``, or for one not given the first coded dimension the other is not:
    tension for ``x`` and strategy for ``y`` when coded, then tension, strategy, effect and
    the others in codebook order."""
    if x is not None and y is not None:
        return x, y
    if not coded:
        raise ValueError("the dataset has no codings of any codebook dimension to explore")

    def first(preferred: str, other: str | None) -> str:
        ranked = dict.fromkeys([preferred, "tension", "strategy", "effect", *coded])
        return next((d for d in ranked if d in coded and d != other), other or coded[0])

    x = x if x is not None else first("tension", y)
    return x, y if y is not None else first("strategy", x)
