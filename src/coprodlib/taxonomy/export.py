"""The codebook written out: REFI-QDA ``.qdc`` (through :mod:`coprodlib.taxonomy.qdc`), a CSV
table, or a Markdown appendix (``docs/codebook.md``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .._io import neutralise_formulas, write_bytes_atomic
from .codebook import Codebook, get_codebook
from .records import EXPORT_FORMATS, is_missing, quoted

__all__ = [
    "codebook_markdown",
    "export_codebook",
    "latex_escape",
    "markdown_text",
    "write_codebook_markdown",
]

#: Characters that Markdown reads as syntax, each with the text that shows it literally.
_MD_ESCAPES = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "<": "&lt;",
    ">": "&gt;",
}
_MD_SPECIAL = re.compile(r"[\\`*\[\]|<>]")
#: An HTML character reference as CommonMark decodes one (``&amp;``, ``&#106;``, ``&#x6A;``).
_ENTITY = re.compile(r"&(?=(?:[A-Za-z][A-Za-z0-9]{0,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});)")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")


def markdown_text(value: Any) -> str:
    """A value from a dataset as Markdown that shows exactly its text and nothing else.

    HTML tags (``<script>``, ``<img onerror=...>``), autolinks (``<javascript:...>``, and
    bare URLs such as ``http://...``, which renderers would link), character references
    (``&#106;``), links and images (``[x](...)``, ``![](...)``), code
    spans, emphasis marks with ``*`` and table pipes are escaped, and line breaks become
    spaces, so the value stays inside the heading, table cell or sentence it is put in.
    Missing values give an empty string.

    Parameters
    ----------
    value : Any
        A title, id, label, quote or note; it is turned into text with ``str``.

    Returns
    -------
    str
        Markdown (safe inside HTML as well: ``<``, ``>`` and references are escaped).

    Examples
    --------
    >>> from coprodlib.taxonomy.export import markdown_text
    >>> print(markdown_text("Care <img src=x onerror=alert(1)> [go](javascript:alert(1))"))
    Care &lt;img src=x onerror=alert(1)&gt; \\[go\\](javascript:alert(1))
    >>> print(markdown_text("Aschhoff & Vogel, &lt;b&gt;"))
    Aschhoff & Vogel, &amp;lt;b&amp;gt;
    """
    if is_missing(value):
        return ""
    text = _ENTITY.sub("&amp;", str(value))
    text = _MD_SPECIAL.sub(lambda m: _MD_ESCAPES[m.group(0)], text)
    text = text.replace("://", "&#58;//")  # shown as "://", but never turned into a link
    return _LINE_BREAK.sub(" ", text)


def _md_cell(column: str, value: Any) -> str:
    if column == "id" and not is_missing(value):
        return f"`{value}`"  # ids are slugs (records.ID_PATTERN): nothing to escape in a code span
    return markdown_text(value)


def codebook_markdown(cb: Codebook | None = None) -> str:
    """The codebook as Markdown: one table per dimension, then the references.

    Suited to a paper's appendix; ``docs/codebook.md`` is this text for the shipped codebook.
    """
    cb = get_codebook() if cb is None else cb
    frame = cb.frame
    info = cb.dimension_info.set_index("dimension")
    lines = [
        "# The coprod codebook",
        "",
        "<!-- Generated from src/coprodlib/codebook.yaml by "
        "coprodlib.taxonomy.write_codebook_markdown(); do not edit by hand. -->",
        "",
        f"{len(frame)} entries in {len(cb.dimensions)} dimensions. Each entry's id is the code "
        "used in data files; sources are citation keys, listed in full under References.",
        "",
    ]
    for dim in cb.dimensions:
        part = frame[frame["dimension"] == dim]
        label = info.at[dim, "label"] if dim in info.index else dim
        lines += [f"## {markdown_text(label)} (`{dim}`)", ""]
        desc = info.at[dim, "description"] if dim in info.index else None
        src = info.at[dim, "source"] if dim in info.index else None
        if not is_missing(desc):
            # plain brackets: with every bracket in the data escaped, no link can form
            cite = f" [{markdown_text(src)}]" if not is_missing(src) else ""
            lines += [markdown_text(desc) + cite, ""]
        cols = ["id", "label"]
        if part["parent"].notna().any():
            cols.append("parent")
        extra = {
            "tension": ["value_a", "value_b"],
            "strategy": ["family", "favours"],
            "effect": ["desired"],
        }.get(dim, [])
        if dim == "strategy" and part["direction"].notna().any():
            extra = [*extra, "direction"]
        cols += [*extra, "definition", "source"]
        table = part[cols].astype(object).copy()
        if "desired" in table:
            table["desired"] = table["desired"].map({True: "yes", False: "no"})
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        lines += [
            "| " + " | ".join(_md_cell(c, v) for c, v in zip(cols, row, strict=True)) + " |"
            for row in table.to_numpy()
        ]
        lines.append("")
    lines += ["## References", ""]
    refs = cb.references[["key", "citation"]].to_numpy()
    lines += [f"- **{markdown_text(k)}**: {markdown_text(c)}" for k, c in refs]
    return "\n".join(lines) + "\n"


def export_codebook(path: Path | str, *, fmt: str = "qdc", cb: Codebook | None = None) -> Path:
    """Write the codebook as REFI-QDA ``.qdc``, CSV or Markdown.

    Parameters
    ----------
    path : Path
        Output file (folders are created).
    fmt : {"qdc", "csv", "md"}
        ``qdc``: a REFI-QDA codebook for ATLAS.ti, MAXQDA, NVivo, QualCoder (hierarchy as
        nested codes, definitions as descriptions, dimensions as non-codable top-level codes);
        ``csv``: the :func:`codebook` table; ``md``: :func:`codebook_markdown`.
    cb : Codebook, optional
        Codebook to write (default: the shipped one).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib, coprodlib as cp
    >>> out = cp.export_codebook(pathlib.Path(tempfile.mkdtemp()) / "cb.qdc", fmt="qdc")
    >>> out.read_bytes().startswith(b"<?xml")
    True
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"fmt={fmt!r} is not an export format; use one of {quoted(EXPORT_FORMATS)}"
        )
    cb = get_codebook() if cb is None else cb
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name such as {path / 'codebook.qdc'}")
    if fmt == "qdc":
        from .qdc import qdc_bytes

        data = qdc_bytes(cb)
    elif fmt == "csv":
        # a spreadsheet would run a label such as =HYPERLINK(...): neutralised (see _io)
        table = neutralise_formulas(cb.frame)
        data = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    else:
        data = codebook_markdown(cb).encode("utf-8")
    return write_bytes_atomic(path, data)


def write_codebook_markdown(path: Path | str | None = None) -> Path:
    """Regenerate ``docs/codebook.md`` (or ``path``) from the shipped codebook."""
    from ..paths import project_root

    target = Path(path) if path is not None else project_root() / "docs" / "codebook.md"
    return write_bytes_atomic(target, codebook_markdown().encode("utf-8"))


#: Each LaTeX special with the text that prints it; ``[`` and ``]`` are braced because a row
#: beginning with ``[`` would be read as the optional argument of the ``\\`` before it.
_LATEX_SPECIALS = dict(
    zip(
        "\\&%$#_{}~^<>|[]\u2013",
        [r"\textbackslash{}", r"\&", r"\%", r"\$", r"\#", r"\_", r"\{", r"\}"]
        + [r"\textasciitilde{}", r"\textasciicircum{}", r"\textless{}", r"\textgreater{}"]
        + [r"\textbar{}", "{[}", "{]}", "--"],
        strict=True,
    )
)
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def latex_escape(value: Any) -> str:
    """A value as LaTeX text that prints exactly its characters and runs nothing.

    ``& % $ # _ { } ~ ^ \\`` and ``< > | [ ]`` are escaped, the en dash becomes ``--`` and
    line breaks become spaces.

    Examples
    --------
    >>> print(latex_escape("50% & $x_1$"))
    50\\% \\& \\$x\\_1\\$
    """
    text = " ".join(str(value).split())
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], text)
