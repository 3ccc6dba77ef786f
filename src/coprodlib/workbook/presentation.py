"""Tables as a reader of the report sees them: one presentation step for every table shown.

The analyses return tidy frames with ids, full precision and the columns a test needs
internally. :func:`display_table` turns such a frame into the table a paper prints: codebook
labels instead of ids, numbers written by kind (:mod:`coprodlib.workbook.formatting`), no
index, internal columns left out, a caption above and notes below, and an en dash with a
footnote where a value was not computed. The frame itself is not changed; the CSV saved beside
the report keeps every column at full precision.
"""

from __future__ import annotations

import hashlib
import html
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..analysis.qca.case_types import CASE_TYPE_LABELS
from .formatting import MISSING, format_value, is_missing, kind_of

__all__ = [
    "DisplayTable",
    "HEADER_LABELS",
    "ID_COLUMNS",
    "INTERNAL_COLUMNS",
    "NOT_COMPUTED",
    "TableLayout",
    "cell_text",
    "display_table",
    "id_label",
    "sentence_list",
    "table_layout",
]

#: Columns whose values are ids a reader knows by their label (codebook ids, roles, terms).
ID_COLUMNS = frozenset(
    {
        "code",
        "tension",
        "strategy",
        "family",
        "effect",
        "value",
        "role",
        "role_group",
        "phase",
        "level",
        "mode",
        "logic",
        "dimension",
        "term",
        "outcome",
        "choice",
        "scale",
        "trait",
        "dv",
        "x",
        "y",
    }
)

#: Columns an analysis keeps for itself or for the CSV, left out of a displayed table unless
#: ``columns=`` asks for them.
INTERNAL_COLUMNS = frozenset({"small_expected", "exact", "exact_method", "caveat"})

#: The header of each known column; any other column gets its name in words.
HEADER_LABELS: dict[str, str] = {
    "case_id": "Case",
    "title": "Title",
    "country": "Country",
    "phase": "Phase",
    "field": "Field",
    "value": "Value",
    "role": "Role",
    "role_group": "Role group",
    "code": "Code",
    "label": "Code",
    "tension": "Tension",
    "x": "Variable",
    "y": "With",
    "scale": "Scale",
    "item": "Item",
    "mean": "M",
    "sd": "SD",
    "item_total_r": "Corrected item-total r",
    "alpha_if_deleted": "\u03b1 if deleted",
    "dv": "Trait",
    "statistic": "Statistic",
    "effect_size": "Effect size",
    "n_items": "Items",
    "n_units": "Units",
    "percent_agreement": "Agreement",
    "coder": "Coder",
    "strategy": "Strategy",
    "family": "Strategy family",
    "effect": "Effect",
    "desired": "Desired or undesired",
    "dimension": "Dimension",
    "n": "N",
    "n_participants": "Participants",
    "n_segments": "Segments",
    "n_codings": "Codings",
    "codes_used": "Codes used",
    "codes_available": "Codes in codebook",
    "share": "Share",
    "chi2": "\u03c7\u00b2",
    "dof": "df",
    "df1": "df1",
    "df2": "df2",
    "pval": "p",
    "exact_pval": "Exact p",
    "p_adjusted": "Adjusted p (Holm)",
    "cramer_v": "Cram\u00e9r's V",
    "min_expected": "Smallest expected count",
    "c": "c",
    "segment_id": "Segment",
    "participant_id": "Participant",
    "text": "Text",
    "n_strategies": "Strategies coded",
    "n_one_sided": "One-sided",
    "share_one_sided": "Share one-sided",
    "n_effects": "Effects coded",
    "n_undesired": "Undesired",
    "share_undesired": "Share undesired",
    "n_cases": "Cases",
    "rho": "Spearman's \u03c1",
    "outcome": "Choice",
    "term": "Term",
    "odds_ratio": "OR",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "n_dropped": "Rows dropped",
    "alpha": "\u03b1",
    "kappa": "\u03ba",
    "r": "r",
    "file": "File",
    "column": "Column",
    "kind": "Kind",
    "n_problems": "Problems",
    "example": "Example",
}

#: The footnote of a dash when the caller gives no reason of its own.
NOT_COMPUTED = "not computed"

#: Id columns whose ids, when no label is known, are written in words (``public_manager`` ->
#: ``Public manager``); codes keep their own text.
_WORDED = frozenset({"role", "role_group", "dimension", "term", "outcome", "choice", "desired"})

_TERM = re.compile(r"^(?P<var>[^\[\]]+)\[T\.(?P<level>.*)\]$")
_SNAKE_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_NUMERIC_KINDS = frozenset({"count", "share", "stat", "bounded", "p", "int"})
_WRAP = 60  # characters per line of a long text cell in the plain-text table


def _words(name: str) -> str:
    """An id in words: ``community_member`` -> ``Community member``."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def id_label(value: Any, labels: Any = None, *, words: bool = True) -> str:
    """The label a reader sees for one id: codebook label, model term, or the id in words.

    Parameters
    ----------
    value : object
        An id from a table (``"bias"``, ``"community_member"``, ``"role[T.citizen]"``).
    labels : Codebook or mapping, optional
        A :class:`~coprodlib.Codebook` or a mapping from id to label, looked up first.

    Returns
    -------
    str
        The label; a model term ``var[T.level]`` reads ``"Var: Level"``; a lower-case
        snake_case id the labels do not know is written in words; anything else (a user's own
        code ``"Team A"``) stays as it is. A missing value stays missing (``"–"``).
        With ``words=False`` only codebook labels and model terms are applied.

    Examples
    --------
    >>> from coprodlib.workbook.presentation import id_label
    >>> id_label("role[T.community_member]"), id_label("public_manager"), id_label("Team A")
    ('Role: Community member', 'Public manager', 'Team A')
    """
    if is_missing(value):
        return MISSING
    text = str(value)
    found = _lookup(text, labels)
    if found is not None:
        return found
    term = _TERM.match(text)
    if term:
        return f"{id_label(term['var'], labels)}: {id_label(term['level'], labels)}"
    return _words(text) if words and _SNAKE_ID.match(text) else text


def _lookup(text: str, labels: Any) -> str | None:
    if labels is None:
        return None
    if isinstance(labels, Mapping):
        found = labels.get(text)
        return None if found is None else str(found)
    if text in labels:  # a Codebook
        return str(labels.labels([text]).iloc[0])
    return None


def _label_map(labels: Any) -> Any:
    """A Codebook as a mapping from each of its ids to its label, in one step; any other
    ``labels`` as it is.

    Looking up one id in a Codebook builds a Series, a few milliseconds; a table looks up
    every cell of its id columns, so a table of a hundred cells paid a tenth of a second.
    The mapping gives each id the label :func:`_lookup` would give it from the Codebook.
    """
    if labels is None or isinstance(labels, Mapping) or not hasattr(labels, "ids"):
        return labels
    ids = labels.ids()
    return dict(zip(ids, (str(x) for x in labels.labels(ids).tolist()), strict=True))


@dataclass(frozen=True)
class TableLayout:
    """Which columns a displayed table shows, in order, with the kind and header of each."""

    columns: list[str]
    kinds: dict[str, str]
    headers: dict[str, str]


def _flat(frame: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """The frame with its index as columns (unless a plain range) and one-level string names."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame(name=frame.name if frame.name is not None else "value")
    out = frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(p) for p in c if str(p) != "") for c in out.columns]
    plain = isinstance(out.index, pd.RangeIndex) and out.index.name is None
    if not plain:
        out = out.reset_index()
    out.columns = [str(c) for c in out.columns]
    return out


def table_layout(
    frame: pd.DataFrame | pd.Series,
    *,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    labels: Any = None,
) -> TableLayout:
    """The display columns of ``frame`` with their kinds and headers (see :func:`display_table`).

    Parameters
    ----------
    frame : DataFrame or Series
        The analysis frame; a non-range index counts as columns.
    columns : sequence of str, optional
        The columns to show, in order; by default every column but the internal ones
        (:data:`INTERNAL_COLUMNS`), and ``code`` when a ``label`` column says the same.
    kinds : mapping, optional
        The kind of some columns, over :func:`coprodlib.workbook.formatting.kind_of`.
    headers : mapping, optional
        The header of some columns, over :data:`HEADER_LABELS`.
    labels : Codebook or mapping, optional
        Labels for column names that are ids (a wide table with one column per code).

    Returns
    -------
    TableLayout

    Raises
    ------
    ValueError
        When ``columns`` names a column the frame does not have.
    """
    flat = _flat(frame)
    labels = _label_map(labels)
    if columns is None:
        shown = [c for c in flat.columns if c not in INTERNAL_COLUMNS]
        if "label" in shown and "code" in shown:
            shown.remove("code")
    else:
        shown = [str(c) for c in columns]
        missing = [c for c in shown if c not in flat.columns]
        if missing:
            have = ", ".join(map(str, flat.columns))
            raise ValueError(f"columns {missing} are not in the table; it has: {have}")
    kinds = dict(kinds or {})
    headers = dict(headers or {})
    out_kinds = {c: kinds.get(c) or kind_of(c, flat[c]) for c in shown}
    out_headers = {c: headers.get(c) or HEADER_LABELS.get(c) or id_label(c, labels) for c in shown}
    return TableLayout(shown, out_kinds, out_headers)


#: Columns whose values have fixed words of their own, whatever labels a table is given.
_COLUMN_WORDS: dict[str, Mapping[str, str]] = {"case_type": CASE_TYPE_LABELS}


def cell_text(value: Any, kind: str, column: str, labels: Any) -> str:
    """One cell as a reader sees it: an id column's value as its label (or fixed words, for
    the case types), a flag as yes or no, a number written by its kind.

    Examples
    --------
    >>> from coprodlib.workbook.presentation import cell_text
    >>> cell_text("deviant_coverage", "text", "case_type", None), cell_text(0.5, "share", "x", None)
    ('deviant for coverage', '50.0%')
    """
    if kind == "text" and column in _COLUMN_WORDS and not is_missing(value):
        return _COLUMN_WORDS[column].get(str(value), str(value))
    if kind == "text" and column in ID_COLUMNS:
        return id_label(value, labels, words=column in _WORDED)
    if kind == "text" and isinstance(value, bool):
        return "yes" if value else "no"
    return format_value(value, kind)


@dataclass
class DisplayTable:
    """A table ready for a reader: formatted cells, headers, caption and notes.

    It shows as an HTML table in a notebook or page (``_repr_html_``) and as a plain-text
    table with long text wrapped, never cut, in ``text/plain`` (``repr``).
    """

    cells: pd.DataFrame
    headers: dict[str, str]
    kinds: dict[str, str]
    caption: str | None = None
    note: str | None = None
    footnotes: list[str] = field(default_factory=list)

    def _notes(self) -> list[str]:
        lines = [f"Note. {self.note}"] if self.note else []
        return lines + self.footnotes

    def to_html(self) -> str:
        """The table as HTML: every value escaped, no index, numbers right-aligned."""
        digest = hashlib.sha1(repr(self).encode("utf-8")).hexdigest()[:10]
        styler = self.cells.style
        styler.set_uuid(f"coprod{digest}")
        styler.cell_ids = False
        styler.hide(axis="index")
        styler.format(lambda v: html.escape(str(v)))
        styler.format_index(lambda c: html.escape(self.headers[c]), axis=1)
        numeric = [c for c in self.cells.columns if self.kinds[c] in _NUMERIC_KINDS]
        styles = [
            {"selector": "th, td", "props": "text-align: left; vertical-align: top;"},
            {"selector": "caption", "props": "text-align: left; font-style: italic;"},
        ]
        for c in numeric:
            at = self.cells.columns.get_loc(c)
            styles.append({"selector": f".col{at}", "props": "text-align: right;"})
        styler.set_table_styles(styles)
        if self.caption:
            styler.set_caption(html.escape(self.caption))
        body = styler.to_html()
        notes = "".join(
            f'<p class="table-note" style="font-size: 0.9em">{html.escape(n)}</p>'
            for n in self._notes()
        )
        return f'<div class="coprod-table">{body}{notes}</div>'

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        cols = list(self.cells.columns)
        right = {c: self.kinds[c] in _NUMERIC_KINDS for c in cols}

        def lines(text: str) -> list[str]:
            return textwrap.wrap(text, _WRAP, break_long_words=False) or [""]

        head = [lines(self.headers[c]) for c in cols]
        body = [[lines(v) for v in row] for row in self.cells.itertuples(index=False)]
        widths = [
            max(len(x) for cell in [head[i], *(r[i] for r in body)] for x in cell)
            for i in range(len(cols))
        ]

        def render(row: list[list[str]]) -> list[str]:
            height = max(len(cell) for cell in row)
            out = []
            for k in range(height):
                parts = []
                for i, cell in enumerate(row):
                    text = cell[k] if k < len(cell) else ""
                    parts.append(text.rjust(widths[i]) if right[cols[i]] else text.ljust(widths[i]))
                out.append("  ".join(parts).rstrip())
            return out

        rule = "  ".join("-" * w for w in widths)
        out = [self.caption] if self.caption else []
        out += render(head) + [rule]
        for row in body:
            out += render(row)
        out += self._notes()
        return "\n".join(out)


def display_table(
    frame: pd.DataFrame | pd.Series,
    *,
    labels: Any = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    caption: str | None = None,
    note: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> DisplayTable:
    """The table a reader sees: labels for ids, numbers by kind, no index, only what matters.

    Parameters
    ----------
    frame : DataFrame or Series
        An analysis frame; it is not changed. A non-range index is shown as columns.
    labels : Codebook or mapping, optional
        Labels for ids (usually ``ds.codebook``) in the id columns (:data:`ID_COLUMNS`) and in
        column names; model terms ``role[T.citizen]`` read ``Role: Citizen``.
    columns : sequence of str, optional
        The columns to show, in this order; by default all but :data:`INTERNAL_COLUMNS`.
    kinds : mapping, optional
        The kind of some columns (``"count"``, ``"share"``, ``"stat"``, ``"bounded"``, ``"p"``,
        ``"int"``, ``"text"``); the others follow ``formatting.kind_of``.
    notes : mapping, optional
        Per column, why a value may be missing there; the footnote of its dashes. A column
        without an entry gets "not computed".
    caption : str, optional
        The title above the table.
    note : str, optional
        A general note below it ("Note. ...").
    headers : mapping, optional
        Column headers over the built-in ones (:data:`HEADER_LABELS`).

    Returns
    -------
    DisplayTable
        Renders as HTML in a notebook; its ``repr`` is a readable plain-text table.

    Examples
    --------
    >>> import pandas as pd
    >>> from coprodlib.workbook.presentation import display_table
    >>> t = display_table(pd.DataFrame({"role": ["public_manager"], "pval": [0.0004]}))
    >>> print(repr(t))
    Role                 p
    --------------  ------
    Public manager  < .001
    """
    flat = _flat(frame)
    labels = _label_map(labels)
    layout = table_layout(flat, columns=columns, kinds=kinds, headers=headers, labels=labels)
    cells = pd.DataFrame(
        {
            c: [cell_text(v, layout.kinds[c], c, labels) for v in flat[c].tolist()]
            for c in layout.columns
        },
        index=pd.RangeIndex(len(flat)),
        dtype=object,
    )
    reasons = dict(notes or {})
    footnotes = []
    for c in layout.columns:
        if (cells[c] == MISSING).any():
            footnotes.append(f"{MISSING} {layout.headers[c]}: {reasons.get(c, NOT_COMPUTED)}.")
    return DisplayTable(cells, layout.headers, layout.kinds, caption, note, footnotes)


def sentence_list(
    frame: pd.DataFrame,
    text: Callable[[Any], str],
    *,
    by: str | Sequence[str],
    labels: Any = None,
    words: bool | None = None,
    sep: str = ", ",
) -> str:
    """One sentence per row of a table of tests, as a Markdown list led by each row's label.

    Parameters
    ----------
    frame : DataFrame
        A frame with one test per row (per case, per scale, per pair of traits, ...).
    text : callable
        The sentence of one row, e.g. :func:`coprodlib.workbook.apa.chi_square_text`.
    by : str or sequence of str
        The column naming each row's test (``"case_id"``, ``"scale"``), or several (a pair of
        traits ``["x", "y"]``, joined by ``sep``); each value is labelled like an id
        (:func:`id_label`) and escaped for Markdown.
    labels : Codebook or mapping, optional
        Labels for the ``by`` values.
    words : bool, optional
        Whether a snake_case value without a label is written in words (``self_efficacy`` ->
        ``Self efficacy``); by default only for the id columns that read so (roles, terms).
    sep : str
        What joins the labels when ``by`` names several columns.

    Returns
    -------
    str
        ``"- Label: sentence"`` lines; empty for an empty frame.
    """
    from ..taxonomy.export import markdown_text

    columns = [by] if isinstance(by, str) else list(by)
    labels = _label_map(labels)

    def name(row: Any) -> str:
        parts = []
        for column in columns:
            worded = column in _WORDED if words is None else words
            parts.append(markdown_text(id_label(row[column], labels, words=worded)))
        return sep.join(parts)

    return "\n".join(f"- {name(row)}: {text(row)}" for _, row in frame.iterrows())
