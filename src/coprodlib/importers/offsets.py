"""How a QDA tool counts positions in a source text, and their conversion to code points.

A coded selection is stored as two offsets into its source's text, but the tools do not
agree on what they count: NVivo and ATLAS.ti count UTF-16 code units (ATLAS.ti taking a
CRLF line end as one), QualCoder counts code points and Taguette UTF-8 bytes. The dataset
contract wants code points with the end exclusive. This module holds:

- :func:`decode_text`: the bytes of a source file as text (UTF-8, or UTF-16 with its mark,
  or UTF-16 without one when the pattern of NUL bytes shows it, with a warning);
- :func:`whole_offset`: an offset as the file stores it, as a whole number (or None);
- :func:`offset_convention`: the unit a tool counts, from its name or as the user says;
- :func:`convert_offsets`: offsets in that unit turned into code points, each checked
  against the text (outside it, inside a character, start after end);
- :func:`offset_length`: the length of a text in a unit, for messages about bad offsets;
- :func:`lf_text`: the one line-end convention of every importer (:data:`LINE_ENDS`): a
  source text with CRLF and lone CR turned into LF (and a leading byte-order mark
  dropped), with :meth:`LfText.move` carrying code-point offsets of the text as stored onto
  it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import fail

__all__ = [
    "OFFSET_UNITS",
    "TOOL_OFFSETS",
    "LINE_ENDS",
    "UNIT_TEXT",
    "LfText",
    "convert_offsets",
    "decode_text",
    "lf_text",
    "line_end_summary",
    "offset_convention",
    "offset_length",
    "whole_offset",
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


#: The line-end convention every QDA importer applies, as summaries and dataset.yml state it.
LINE_ENDS = (
    "LF: CRLF and lone CR in source texts became LF, a leading byte-order mark was dropped, "
    "and offsets were recomputed onto that text"
)

_WHOLE = re.compile(r"[+-]?[0-9]+")


def whole_offset(value: Any) -> int | None:
    """Read one offset as a tool stored it.

    Parameters
    ----------
    value : Any
        The offset as the file holds it: an XML attribute (text) or an SQLite value (int,
        float, text, bytes or None).

    Returns
    -------
    int or None
        The whole number it states, however large or negative (range checks come later);
        None when it is missing or not a whole number: empty, text such as ``"abc"``, a
        fraction such as ``2.5`` (never rounded), a boolean or bytes.

    Examples
    --------
    >>> whole_offset(" 12 "), whole_offset(12.0), whole_offset(2.5), whole_offset("abc")
    (12, 12, None, None)
    """
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return int(value) if float(value).is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if _WHOLE.fullmatch(text) else None
    return None


def _utf16_without_mark(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when NUL bytes sit in every other position the way
    UTF-16 text of mostly Latin letters puts them; None otherwise."""
    if len(raw) < 2 or len(raw) % 2:
        return None
    even, odd = raw[0::2], raw[1::2]
    half = len(raw) // 2
    nul_even, nul_odd = even.count(0), odd.count(0)
    if nul_odd >= half / 2 and nul_even <= half / 20:
        return "utf-16-le"
    if nul_even >= half / 2 and nul_odd <= half / 20:
        return "utf-16-be"
    return None


def decode_text(raw: bytes, file: str, warnings: list[str] | None = None) -> str:
    """Turn the bytes of a source file into text.

    Parameters
    ----------
    raw : bytes
        The file's content: UTF-8 (a leading byte-order mark is dropped) or UTF-16 with
        its byte-order mark. UTF-16 without a mark is recognised by its NUL bytes in every
        other position, decoded, and a warning is added to ``warnings``.
    file : str
        The name the error message gives the file.
    warnings : list of str, optional
        Receives a warning when the encoding had to be guessed.

    Returns
    -------
    str
        The text, line ends left as they are in the file. It never holds a NUL character.

    Raises
    ------
    DataError
        When the bytes are not valid in the encoding (the message gives the position of the
        first bad byte), and when the text holds NUL characters (binary data, or UTF-16
        that cannot be told apart from it).

    Examples
    --------
    >>> decode_text(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9", "a.txt")
    'café'
    >>> notes = []
    >>> decode_text("Zeit".encode("utf-16-le"), "a.txt", notes), len(notes)
    ('Zeit', 1)
    """
    guessed = None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, codec = raw[3:], "utf-8"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    elif b"\x00" in raw and (guessed := _utf16_without_mark(raw)) is not None:
        codec = guessed
    else:
        codec = "utf-8"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as err:
        raise fail(
            file,
            f"a text source in UTF-8 or UTF-16 with a byte-order mark (undecodable byte at "
            f"{err.start})",
            "encoding",
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise fail(
            file,
            "a text source without NUL characters (one is at character "
            f"{nul}: binary data, or UTF-16 without a byte-order mark that could not be "
            "recognised; save the text as UTF-8 and export again)",
            "encoding",
        )
    if guessed is not None and warnings is not None:
        warnings.append(
            f"{file}: no byte-order mark, read as {guessed.upper()} (its NUL bytes show it); "
            "check the segment texts"
        )
    return text


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


def _as_offsets(raw: Any, total: int) -> np.ndarray:
    """Offsets as int64; whole numbers beyond int64 are clipped to just outside the text."""
    try:
        return np.atleast_1d(np.asarray(raw, dtype=np.int64))
    except OverflowError:
        big = np.atleast_1d(np.asarray(raw, dtype=object))
        return np.clip(big, -1, total + 1).astype(np.int64)


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
        o = _as_offsets(raw, int(total))
        inside = (o >= 0) & (o <= total)
        idx = np.searchsorted(bounds, np.clip(o, 0, total), side="left")
        on_boundary = bounds[np.minimum(idx, len(bounds) - 1)] == o
        status[~inside & (status == "ok")] = "outside"
        status[inside & ~on_boundary & (status == "ok")] = "split"
        out.append(idx)
    s, e = out
    status[(status == "ok") & (s > e)] = "reversed"
    return s, e, status


@dataclass(frozen=True)
class LfText:
    """A source text under the importers' line-end convention (:data:`LINE_ENDS`).

    ``text`` has LF line ends only and no leading byte-order mark; ``removed`` holds the
    code-point positions, in the text as stored, of what was dropped (the byte-order mark
    and the CR of each CRLF pair); ``crlf`` and ``cr`` count the CRLF pairs and lone CRs
    that became LF, ``bom`` whether a byte-order mark was dropped.
    """

    text: str
    removed: np.ndarray
    crlf: int
    cr: int
    bom: bool

    @property
    def changed(self) -> bool:
        """Whether the text differs from the text as stored."""
        return bool(self.crlf or self.cr or self.bom)

    def move(self, offsets: Any) -> np.ndarray:
        """Carry code-point offsets of the stored text onto :attr:`text`.

        Parameters
        ----------
        offsets : array-like of int
            Code-point offsets into the text as stored (0 to its length).

        Returns
        -------
        numpy.ndarray
            The same places in :attr:`text`: each offset moves back by the number of code
            points dropped before it. An offset between the CR and LF of a pair lands just
            before the LF, so a selection never starts or ends inside a line end.

        Examples
        --------
        >>> lf_text("a\\r\\nb").move([0, 1, 2, 3, 4]).tolist()
        [0, 1, 1, 2, 3]
        """
        o = np.atleast_1d(np.asarray(offsets, dtype=np.int64))
        return o - np.searchsorted(self.removed, o, side="left")


def lf_text(text: str) -> LfText:
    """Apply the importers' line-end convention to a source text.

    Parameters
    ----------
    text : str
        A source text as stored by the QDA tool (it may start with a byte-order mark and
        use CRLF or lone CR line ends).

    Returns
    -------
    LfText
        The text with CRLF and lone CR turned into LF and a leading byte-order mark
        dropped, and what is needed to move offsets onto it.

    Examples
    --------
    >>> lf_text("\\ufeffa\\r\\nb\\rc").text
    'a\\nb\\nc'
    """
    bom = text.startswith("\ufeff")
    crlf_at = [m.start() for m in re.finditer("\r\n", text)]
    removed = np.asarray(([0] if bom else []) + crlf_at, dtype=np.int64)
    body = text[1:] if bom else text
    lone = body.count("\r") - len(crlf_at)
    out = body.replace("\r\n", "\n").replace("\r", "\n")
    return LfText(text=out, removed=removed, crlf=len(crlf_at), cr=lone, bom=bom)


def line_end_summary(texts: list[LfText]) -> str:
    """State what the line-end convention did to the source texts of an import.

    Parameters
    ----------
    texts : list of LfText
        The source texts read (those with coded selections), as :func:`lf_text` gave them.

    Returns
    -------
    str
        One line for the import summary and ``dataset.yml``: how many texts held CRLF or
        lone CR line ends (which became LF) or a byte-order mark (dropped), and that the
        offsets were recomputed onto the LF text.

    Examples
    --------
    >>> line_end_summary([lf_text("a\\r\\nb"), lf_text("c")])[:46]
    'LF (of 2 source text(s), 1 had CRLF, 0 lone CR'
    """
    n = len(texts)
    crlf = sum(1 for t in texts if t.crlf)
    cr = sum(1 for t in texts if t.cr)
    bom = sum(1 for t in texts if t.bom)
    return (
        f"LF (of {n} source text(s), {crlf} had CRLF, {cr} lone CR, {bom} a byte-order mark: "
        "CRLF and CR became LF, marks were dropped); offsets recomputed onto that text"
    )
