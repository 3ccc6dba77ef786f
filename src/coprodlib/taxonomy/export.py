"""The codebook written out: REFI-QDA ``.qdc`` (through :mod:`coprodlib.taxonomy.qdc`), a CSV
table, or a Markdown appendix (``docs/codebook.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._io import write_bytes_atomic
from .codebook import Codebook, get_codebook
from .records import EXPORT_FORMATS, is_missing, quoted

__all__ = ["codebook_markdown", "export_codebook", "write_codebook_markdown"]


def _md_cell(value: Any) -> str:
    if is_missing(value):
        return ""
    return str(value).replace("|", "\\|").replace("\n", " ")


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
        lines += [f"## {label} (`{dim}`)", ""]
        desc = info.at[dim, "description"] if dim in info.index else None
        src = info.at[dim, "source"] if dim in info.index else None
        if not is_missing(desc):
            lines += [str(desc) + (f" [{src}]" if not is_missing(src) else ""), ""]
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
        table["id"] = "`" + table["id"].astype(str) + "`"
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.to_numpy()]
        lines.append("")
    lines += ["## References", ""]
    lines += [f"- **{k}**: {c}" for k, c in cb.references[["key", "citation"]].to_numpy()]
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
        data = cb.frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    else:
        data = codebook_markdown(cb).encode("utf-8")
    return write_bytes_atomic(path, data)


def write_codebook_markdown(path: Path | str | None = None) -> Path:
    """Regenerate ``docs/codebook.md`` (or ``path``) from the shipped codebook."""
    from ..paths import project_root

    target = Path(path) if path is not None else project_root() / "docs" / "codebook.md"
    return write_bytes_atomic(target, codebook_markdown().encode("utf-8"))
