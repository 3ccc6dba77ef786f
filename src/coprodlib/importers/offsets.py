"""How a QDA tool counts positions in a source text, and their conversion to code points.

A coded selection is stored as two offsets into its source's text, but the tools do not
agree on what they count: NVivo and ATLAS.ti count UTF-16 code units (ATLAS.ti taking a
CRLF line end as one), QualCoder counts code points and Taguette UTF-8 bytes. The dataset
contract wants code points with the end exclusive. This module holds:

- :func:`decode_text`: the bytes of a source file as text (UTF-8, or UTF-16 with its mark);
- :func:`offset_convention`: the unit a tool counts, from its name or as the user says;
- :func:`convert_offsets`: offsets in that unit turned into code points, each checked
  against the text (outside it, inside a character, start after end);
- :func:`offset_length`: the length of a text in a unit, for messages about bad offsets.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import fail

__all__ = [
    "OFFSET_UNITS",
    "TOOL_OFFSETS",
    "UNIT_TEXT",
    "convert_offsets",
    "decode_text",
    "offset_convention",
    "offset_length",
]

#: Units a tool may count offsets in.
OFFSET_UNITS = ("codepoints", "utf16", "utf8")
#: Each unit as messages name it.
UNIT_TEXT = {
    "codepoints": "code points",
    "utf16": "UTF-16 code units",
    "utf8": "UTF-8 bytes",
}
#: (substring of the exporting tool's name, unit, CRLF counted as one), first match wins.
TOOL_OFFSETS = (
    ("nvivo", "utf16", False),
    ("atlas.ti", "utf16", True),
    ("qualcoder", "codepoints", False),
    ("taguette", "utf8", False),
)


def decode_text(raw: bytes, file: str) -> str:
    """Turn the bytes of a source file into text.

    Parameters
    ----------
    raw : bytes
        The file's content: UTF-8 (a leading byte-order mark is dropped) or UTF-16 with
        its byte-order mark.
    file : str
        The name the error message gives the file.

    Returns
    -------
    str
        The text, line ends left as they are in the file.

    Raises
    ------
    DataError
        When the bytes are not valid in the encoding (the message gives the position of the
        first bad byte).

    Examples
    --------
    >>> decode_text(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9", "a.txt")
    'café'
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, codec = raw[3:], "utf-8"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        codec = "utf-8"
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as err:
        raise fail(
            file,
            f"a text source in UTF-8 or UTF-16 with a byte-order mark (undecodable byte at "
            f"{err.start})",
            "encoding",
        ) from None


def offset_convention(
    origin: str | None, offsets: str = "auto", crlf: str = "auto"
) -> tuple[str, bool, str]:
    """Decide what the offsets of a project count.

    Parameters
    ----------
    origin : str or None
        The exporting tool as the project names it (REFI-QDA's ``origin``), matched
        against :data:`TOOL_OFFSETS`. NVivo counts UTF-16 code units with CRLF as two,
        ATLAS.ti UTF-16 code units with CRLF as one, QualCoder code points and Taguette
        UTF-8 bytes; a tool without a rule is taken to count code points, which is what
        the standard's text suggests.
    offsets : {"auto", "codepoints", "utf16", "utf8"}
        The unit, or ``auto`` for the tool's rule.
    crlf : {"auto", "one", "two"}
        How many units a CRLF line end counts, or ``auto`` for the tool's rule.

    Returns
    -------
    unit : str
        One of :data:`OFFSET_UNITS`.
    crlf_one : bool
        Whether a CRLF pair counts as one unit.
    text : str
        The convention in words, with where it came from (for the import summary).

    Raises
    ------
    ValueError
        For an ``offsets`` or ``crlf`` value not listed above.

    Examples
    --------
    >>> offset_convention("ATLAS.ti 23")[:2]
    ('utf16', True)
    """
    if offsets not in ("auto", *OFFSET_UNITS):
        raise ValueError(f"offsets must be auto or one of {OFFSET_UNITS}, not {offsets!r}")
    if crlf not in ("auto", "one", "two"):
        raise ValueError(f"crlf must be auto, one or two, not {crlf!r}")
    low = (origin or "").lower()
    rule = next((r for r in TOOL_OFFSETS if r[0] in low), None)
    unit = offsets if offsets != "auto" else (rule[1] if rule else "codepoints")
    crlf_one = (crlf == "one") if crlf != "auto" else (bool(rule[2]) if rule else False)
    how = "as given" if offsets != "auto" or crlf != "auto" else None
    if how is None:
        how = f"the rule for {rule[0]}" if rule else "the default for tools without a rule"
    text = (
        f"{UNIT_TEXT[unit]} with CRLF counted as {'one' if crlf_one else 'two'} "
        f"({how}), converted to code points"
    )
    return unit, crlf_one, text


def _boundaries(text: str, unit: str, crlf_one: bool) -> np.ndarray:
    """Offset (in ``unit``) of each code-point boundary of ``text``: length len(text) + 1."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    if unit == "codepoints":
        widths = np.ones(len(cps), dtype=np.int64)
    elif unit == "utf16":
        widths = 1 + (cps > 0xFFFF)
    elif unit == "utf8":
        widths = 1 + (cps > 0x7F) + (cps > 0x7FF) + (cps > 0xFFFF)
    else:
        raise ValueError(f"unknown offset unit {unit!r}")
    widths = widths.astype(np.int64)
    if crlf_one and len(cps) > 1:
        pair = np.flatnonzero((cps[:-1] == 13) & (cps[1:] == 10))
        widths[pair] = 0  # the CR of a CRLF pair counts nothing
    return np.concatenate([[0], np.cumsum(widths)])


def offset_length(text: str, unit: str = "codepoints", crlf_one: bool = False) -> int:
    """Measure a text in an offset unit.

    Parameters
    ----------
    text : str
        The source text.
    unit : str
        One of :data:`OFFSET_UNITS`.
    crlf_one : bool
        Whether a CRLF pair counts as one unit.

    Returns
    -------
    int
        The offset just past the text's last character.

    Examples
    --------
    >>> offset_length("a😀b", "utf16")
    4
    """
    return int(_boundaries(text, unit, crlf_one)[-1])


def convert_offsets(
    text: str,
    starts: Any,
    ends: Any,
    unit: str = "codepoints",
    crlf_one: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn selection offsets counted in some unit into code-point offsets of a text.

    All selections of one text are converted at once (vectorised).

    Parameters
    ----------
    text : str
        The source text the offsets point into.
    starts, ends : array-like of int
        The selections' start and end offsets, counted in ``unit``.
    unit : str
        One of :data:`OFFSET_UNITS`.
    crlf_one : bool
        Whether a CRLF pair counts as one unit.

    Returns
    -------
    start, end : numpy.ndarray
        The code-point offsets (end exclusive).
    status : numpy.ndarray
        Per selection ``"ok"``; ``"outside"`` when an offset is below 0 or past the text;
        ``"split"`` when an offset falls inside a character (say between the halves of a
        UTF-16 surrogate pair, a sign that the tool counted another unit); ``"reversed"``
        when the start comes after the end.

    Examples
    --------
    >>> convert_offsets("a😀b", [3], [4], "utf16")[:2]
    (array([2]), array([3]))
    >>> convert_offsets("a\\r\\nb", [2], [3], "codepoints", crlf_one=True)[:2]
    (array([3]), array([4]))
    """
    bounds = _boundaries(text, unit, crlf_one)
    total = bounds[-1]
    out = []
    status = np.full(len(np.atleast_1d(starts)), "ok", dtype=object)
    for raw in (starts, ends):
        o = np.atleast_1d(np.asarray(raw, dtype=np.int64))
        inside = (o >= 0) & (o <= total)
        idx = np.searchsorted(bounds, np.clip(o, 0, total), side="left")
        on_boundary = bounds[np.minimum(idx, len(bounds) - 1)] == o
        status[~inside & (status == "ok")] = "outside"
        status[inside & ~on_boundary & (status == "ok")] = "split"
        out.append(idx)
    s, e = out
    status[(status == "ok") & (s > e)] = "reversed"
    return s, e, status
