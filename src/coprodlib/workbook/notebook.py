"""Helpers the notebooks call: display settings, saving tables and figures where the runner
asks for them, checking parameters, the synthetic-data banner, and report sections that turn a
:class:`~coprodlib.DataError` into a note."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import write_bytes_atomic, write_export_csv
from ..errors import DataError
from ..paths import project_root
from .pages import SYNTHETIC_NOTE
from .presentation import display_table, table_layout

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "setup_notebook",
    "save_table",
    "show_table",
    "synthetic_banner",
    "output_folder",
    "check_parameter",
    "as_flag",
    "report_section",
]


def setup_notebook() -> None:
    """Display settings shared by every notebook, so outputs are stable and readable.

    Sets pandas' float precision and table size, and the matplotlib figure size and
    resolution, and starts the figure numbers at 1. Call it once in a notebook's first code cell; nothing else in the library
    changes global state.
    """
    import matplotlib as mpl
    import pandas as pd

    pd.set_option("display.precision", 3)
    pd.set_option("display.max_rows", 60)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 120)
    mpl.rcParams["figure.dpi"] = 100
    mpl.rcParams["savefig.dpi"] = 150
    mpl.rcParams["figure.figsize"] = (7.0, 4.5)
    # stable SVG/PNG metadata: no creation date in saved files
    mpl.rcParams["svg.hashsalt"] = "coprod"
    # labels come from the data: a "$" in a title or role is a dollar sign, never mathtext
    # (which would render it, or fail on an unbalanced one)
    mpl.rcParams["text.parse_math"] = False
    from .figures import reset_figure_numbers

    reset_figure_numbers()  # "Figure 1." is the first figure of this notebook


def output_folder(output_dir: str | os.PathLike[str] | None) -> Path | None:
    """Resolve a notebook's ``output_dir`` parameter (relative paths from the project root)."""
    if output_dir is None or str(output_dir) == "":
        return None

    p = Path(output_dir).expanduser()
    return p if p.is_absolute() else project_root() / p


def save_table(
    frame: Any,
    name: str,
    output_dir: str | os.PathLike[str] | None,
    *,
    caption: str | None = None,
    note: str | None = None,
    sentence: str | None = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """Save ``frame`` as ``<output_dir>/tables/<name>.csv`` and ``<name>.json`` (when set).

    The CSV holds the complete frame (every column, full precision, ids as they are) and is
    meant to be opened in a spreadsheet, so text that a spreadsheet would run as a formula (a
    title such as ``=HYPERLINK(...)``, in a cell, a column name or an index label) is written
    with a leading apostrophe; numbers are written as they are (see
    :func:`coprodlib._io.neutralise_formulas`). The index is written unless it is a plain
    0, 1, 2, ... range.

    The JSON beside it says how the table goes into a paper: ``name``, ``caption``, ``note``,
    ``sentence`` (the APA sentence of a test), ``columns`` (the display columns in order),
    ``kinds`` (the number format of each, see :mod:`coprodlib.workbook.formatting`) and
    ``labels`` (the header of each), UTF-8 with sorted keys.

    Parameters
    ----------
    frame : DataFrame or Series
        The analysis frame.
    name : str
        The file name without suffix.
    output_dir : path or None
        The notebook's output folder; ``None`` or ``""`` saves nothing.
    caption, note, sentence : str, optional
        The table's title, its general note and the sentence reporting its test.
    columns : sequence of str, optional
        The display columns, in order (default as in :func:`coprodlib.display_table`).
    kinds : mapping, optional
        The kind of some display columns, over the default.
    headers : mapping, optional
        The header of some display columns, over the default (the sidecar's ``labels``).

    Returns
    -------
    The frame unchanged, so a notebook cell can save and show a table in one line.

    Raises
    ------
    DataError
        When a file cannot be written (see :func:`coprodlib._io.write_bytes_atomic`).
    ValueError
        When ``columns`` names a column the frame does not have.
    """
    layout = table_layout(frame, columns=columns, kinds=kinds, headers=headers)
    folder = output_folder(output_dir)
    if folder is not None:
        write_export_csv(frame, folder / "tables" / f"{name}.csv", index=not _plain_index(frame))
        sidecar = {
            "name": name,
            "caption": caption,
            "note": note,
            "sentence": sentence,
            "columns": layout.columns,
            "kinds": layout.kinds,
            "labels": layout.headers,
        }
        text = json.dumps(sidecar, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
        write_bytes_atomic(folder / "tables" / f"{name}.json", text.encode("utf-8"))
    return frame


def show_table(
    frame: Any,
    name: str,
    output_dir: str | os.PathLike[str] | None,
    *,
    caption: str,
    note: str | None = None,
    sentence: str | None = None,
    labels: Any = None,
    columns: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Save a table (:func:`save_table`) and show it as a reader sees it, its sentence below.

    Parameters
    ----------
    frame, name, output_dir, caption, note, sentence, columns, kinds, headers
        As in :func:`save_table`; the caption is required, since every shown table has one.
    labels : Codebook or mapping, optional
        Labels for ids, as in :func:`coprodlib.display_table`.
    notes : mapping, optional
        Per column, why a value may be missing there (the footnote of its dashes).

    Returns
    -------
    None
        The table is displayed (and the sentence, when given, under it); nothing is returned,
        so a call that ends a cell does not show the table a second time.
    """
    from IPython.display import Markdown, display

    layout = table_layout(frame, columns=columns, kinds=kinds, headers=headers, labels=labels)
    save_table(
        frame,
        name,
        output_dir,
        caption=caption,
        note=note,
        sentence=sentence,
        columns=layout.columns,
        kinds=layout.kinds,
        headers=layout.headers,
    )
    table = display_table(
        frame,
        labels=labels,
        columns=layout.columns,
        kinds=layout.kinds,
        notes=notes,
        caption=caption,
        note=note,
        headers=layout.headers,
    )
    display(table)
    if sentence:
        display(Markdown(sentence))


def _plain_index(frame: Any) -> bool:
    import pandas as pd

    idx = frame.index
    return isinstance(idx, pd.RangeIndex) and idx.name is None


def as_flag(value: Any) -> bool:
    """A yes/no notebook parameter as a bool: only ``True`` or the text ``"true"`` mean yes.

    Papermill passes ``-p show_quotes false`` as the text ``"false"``, which Python would
    treat as true; anything but a clear yes counts as no, so privacy settings fail closed.

    Examples
    --------
    >>> import coprodlib as cp
    >>> [cp.as_flag(v) for v in (True, "True", "true", False, "False", "false", "yes", 1)]
    [True, True, True, False, False, False, False, False]
    """
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def check_parameter(name: str, value: Any, allowed: Sequence[Any]) -> None:
    """Stop a notebook at its first cell when a parameter has a value it does not offer.

    Raises
    ------
    ValueError
        Naming the parameter, the value given and the values that work.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.check_parameter("unit", "person", ["segment", "participant", "case"])
    Traceback (most recent call last):
    ...
    ValueError: parameter unit='person' is not offered; use one of 'segment', 'participant', 'case'
    """
    if value not in list(allowed):
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"parameter {name}={value!r} is not offered; use one of {options}")


def synthetic_banner(ds: Dataset) -> Any:
    """A Markdown banner for notebooks built on synthetic data (an empty one otherwise)."""
    from IPython.display import Markdown

    if getattr(ds, "synthetic", False):
        return Markdown(f"> **{SYNTHETIC_NOTE}**")
    return Markdown("")


@contextlib.contextmanager
def report_section(title: str) -> Iterator[None]:
    """Run one section of a report; when the data cannot support it, show why and go on.

    A case with no coded tensions, or a table with a single role, cannot give a tension
    table or a test of association: the analysis raises :class:`~coprodlib.DataError`. Inside
    this block such an error becomes a short note in the report, so one thin section does not
    take the whole report down. Any other exception (a bug) still stops the notebook.

    Examples
    --------
    >>> import coprodlib as cp
    >>> with cp.report_section("Effects"):
    ...     raise cp.DataError("the dataset has no codings of 'effect'")
    <IPython.core.display.Markdown object>
    """
    from IPython.display import Markdown, display

    from ..taxonomy.export import markdown_text

    try:
        yield
    except DataError as err:
        # the message may quote the data (ids, labels): escaped, like every value from a dataset
        first = err.problems[0].expected if err.problems else str(err)
        more = f" (and {len(err.problems) - 1} more problems)" if len(err.problems) > 1 else ""
        note = f"The data cannot support it: {markdown_text(first)}{more}."
        display(Markdown(f"> **{markdown_text(title)}: not shown.** {note}"))
