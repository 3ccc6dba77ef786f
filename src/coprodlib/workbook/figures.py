"""Figures of the notebooks: saved for a paper (SVG and a 300 dpi PNG) and shown in the page as
a numbered HTML ``<figure>`` with alt text and a caption.

The page shows a figure at its size in inches (96 CSS pixels to the inch, the CSS inch), so a
label of 9 pt in the figure is 9 pt on the page. Figures are numbered per notebook:
``setup_notebook()`` starts the count again with :func:`reset_figure_numbers`.
"""

from __future__ import annotations

import base64
import html
import io
import os
import struct
from pathlib import Path
from typing import Any

from .._io import write_bytes_atomic
from ..paths import project_root

__all__ = [
    "DPI",
    "PX_PER_INCH",
    "save_figure",
    "show_figure",
    "figure_html",
    "default_alt",
    "reset_figure_numbers",
    "png_size",
]

#: The resolution of the saved PNG (dots per inch), as journals ask for line art with text.
DPI = 300
#: CSS pixels per inch: the page shows a figure at this many pixels per inch of its size.
PX_PER_INCH = 96

_numbers = {"next": 1}


def reset_figure_numbers() -> None:
    """Start numbering figures at 1 again (at the start of each notebook)."""
    _numbers["next"] = 1


def _folder(output_dir: str | os.PathLike[str] | None) -> Path | None:
    """The output folder as ``notebook.output_folder`` resolves it (relative paths from the
    project root); kept here because ``notebook`` imports this module."""
    if output_dir is None or str(output_dir) == "":
        return None
    path = Path(output_dir).expanduser()
    return path if path.is_absolute() else project_root() / path


def _render(fig: Any, fmt: str) -> bytes:
    """The figure in ``fmt`` ("png" or "svg"), cropped to what it draws, without a date or a
    software stamp, so that equal figures give equal files."""
    import matplotlib as mpl

    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    buf = io.BytesIO()
    with mpl.rc_context({"svg.hashsalt": "coprod", "svg.fonttype": "none"}):
        fig.savefig(buf, format=fmt, dpi=DPI, bbox_inches="tight", metadata=metadata)
    return buf.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """The width and height in pixels of a PNG, read from its header.

    Parameters
    ----------
    png : bytes
        A PNG file.

    Returns
    -------
    tuple of int
        ``(width, height)``.
    """
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def save_figure(fig: Any, name: str, output_dir: str | os.PathLike[str] | None) -> bytes:
    """Save a figure as ``<output_dir>/figures/<name>.svg`` and ``<name>.png`` (when set).

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.
    name : str
        The file name without suffix.
    output_dir : path or None
        The notebook's output folder; ``None`` or ``""`` saves nothing.

    Returns
    -------
    bytes
        The PNG (300 dpi), so a caller can show the very image that was saved.

    Raises
    ------
    DataError
        When a file cannot be written (see :func:`coprodlib._io.write_bytes_atomic`).
    """
    png = _render(fig, "png")
    folder = _folder(output_dir)
    if folder is not None:
        write_bytes_atomic(folder / "figures" / f"{name}.svg", _render(fig, "svg"))
        write_bytes_atomic(folder / "figures" / f"{name}.png", png)
    return png


def default_alt(fig: Any) -> str:
    """A short description of a figure from its titles and axis labels, for the alt text.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.

    Returns
    -------
    str
        E.g. ``"Chart: strategies; horizontal axis: share; vertical axis: role"``.
    """
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    title = fig.get_suptitle()
    parts = [f"Chart: {title}" if title else "Chart"]
    if len(axes) > 1:
        parts[0] += f" in {len(axes)} panels"
        titles = [ax.get_title() for ax in axes if ax.get_title()]
        if titles:
            parts.append("panels: " + ", ".join(titles))
    if axes:
        first = axes[0]
        if len(axes) == 1 and first.get_title():
            parts[0] += f": {first.get_title()}"
        if first.get_xlabel():
            parts.append(f"horizontal axis: {first.get_xlabel()}")
        if first.get_ylabel():
            parts.append(f"vertical axis: {first.get_ylabel()}")
    return "; ".join(parts)


def figure_html(png: bytes, *, number: int, caption: str, alt: str) -> str:
    """A figure as an HTML ``<figure>``: the PNG embedded at its size in inches, its alt text
    and its numbered caption, both escaped.

    Parameters
    ----------
    png : bytes
        The PNG at :data:`DPI`.
    number : int
        The figure's number in its notebook.
    caption, alt : str
        The caption (after "Figure N.") and the alt text, as plain text.

    Returns
    -------
    str
        The HTML.
    """
    width = round(png_size(png)[0] * PX_PER_INCH / DPI)
    data = base64.b64encode(png).decode("ascii")
    text = f" {html.escape(caption)}" if caption else ""
    return (
        f'<figure class="coprod-figure">'
        f'<img src="data:image/png;base64,{data}" width="{width}" '
        f'alt="{html.escape(alt, quote=True)}">'
        f"<figcaption><strong>Figure {number}.</strong>{text}</figcaption></figure>"
    )


def show_figure(
    fig: Any,
    name: str,
    output_dir: str | os.PathLike[str] | None,
    *,
    caption: str | None = None,
    alt: str | None = None,
) -> None:
    """Save a figure (:func:`save_figure`) and show it as a numbered figure with its caption.

    The figure is rendered once (the PNG saved is the PNG shown), then closed, so nothing
    draws it again. The page gets an HTML ``<figure>`` (see :func:`figure_html`); the plain
    text of the output is ``Figure N. caption`` alone, so that the notebook's recorded
    outputs do not change with the pixels.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.
    name : str
        The file name without suffix.
    output_dir : path or None
        The notebook's output folder; ``None`` or ``""`` saves nothing.
    caption : str, optional
        The caption after "Figure N."; by default the figure's title, if any.
    alt : str, optional
        The alt text; by default built from the titles and axis labels (:func:`default_alt`).
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    png = save_figure(fig, name, output_dir)
    number = _numbers["next"]
    _numbers["next"] += 1
    if caption is None:
        caption = fig.get_suptitle()
    alt_text = alt if alt is not None else default_alt(fig)
    plt.close(fig)
    page = figure_html(png, number=number, caption=caption, alt=alt_text)
    plain = f"Figure {number}. {caption}".rstrip()
    display({"text/plain": plain, "text/html": page}, raw=True)
