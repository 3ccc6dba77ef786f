"""Helpers the notebooks call: display settings, saving tables and figures where the runner
asks for them, checking parameters, the synthetic-data banner, and report sections that turn a
:class:`~coprodlib.DataError` into a note."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import write_bytes_atomic, write_export_csv
from ..errors import DataError
from ..paths import project_root
from .pages import SYNTHETIC_NOTE

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "setup_notebook",
    "save_table",
    "save_figure",
    "synthetic_banner",
    "output_folder",
    "show_figure",
    "check_parameter",
    "as_flag",
    "report_section",
]


def setup_notebook() -> None:
    """Display settings shared by every notebook, so outputs are stable and readable.

    Sets pandas' float precision and table size, and the matplotlib figure size and
    resolution. Call it once in a notebook's first code cell; nothing else in the library
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


def output_folder(output_dir: str | os.PathLike[str] | None) -> Path | None:
    """Resolve a notebook's ``output_dir`` parameter (relative paths from the project root)."""
    if output_dir is None or str(output_dir) == "":
        return None

    p = Path(output_dir).expanduser()
    return p if p.is_absolute() else project_root() / p


def save_table(frame: Any, name: str, output_dir: str | os.PathLike[str] | None) -> Any:
    """Save ``frame`` as ``<output_dir>/tables/<name>.csv`` (when an output folder is set).

    The file is meant to be opened in a spreadsheet, so text that a spreadsheet would run as a
    formula (a title such as ``=HYPERLINK(...)``, in a cell, a column name or an index label)
    is written with a leading apostrophe; numbers are written as they are (see
    :func:`coprodlib._io.neutralise_formulas`). The index is written unless it is a plain
    0, 1, 2, ... range.

    Returns the frame unchanged, so a notebook cell can save and show a table in one line.

    Raises
    ------
    DataError
        When the file cannot be written (see :func:`coprodlib._io.write_bytes_atomic`).
    """
    folder = output_folder(output_dir)
    if folder is not None:
        write_export_csv(frame, folder / "tables" / f"{name}.csv", index=not _plain_index(frame))
    return frame


def _plain_index(frame: Any) -> bool:
    import pandas as pd

    idx = frame.index
    return isinstance(idx, pd.RangeIndex) and idx.name is None


def _png(fig: Any) -> bytes:
    """The figure as PNG bytes, without a software stamp, so that equal figures give equal files."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def save_figure(fig: Any, name: str, output_dir: str | os.PathLike[str] | None) -> bytes:
    """Save a matplotlib figure as ``<output_dir>/figures/<name>.png`` (when set).

    Returns the PNG bytes, so a caller can show the very image that was saved.
    """
    png = _png(fig)
    folder = output_folder(output_dir)
    if folder is not None:
        write_bytes_atomic(folder / "figures" / f"{name}.png", png)
    return png


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


def show_figure(fig: Any, name: str, output_dir: str | os.PathLike[str] | None) -> None:
    """Show a figure in the notebook and save it as ``<output_dir>/figures/<name>.png``.

    The figure is rendered once (the same PNG is saved and shown), then closed, so nothing
    else draws it again and no ``<Figure ...>`` text ends up in the notebook's outputs.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    png = save_figure(fig, name, output_dir)
    dpi = fig.get_dpi() or 100
    display(Image(data=png, width=int(fig.get_figwidth() * dpi)))
    plt.close(fig)


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
