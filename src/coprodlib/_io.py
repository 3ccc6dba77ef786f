"""Writing files so that a reader never sees half of one: a temporary file in the same folder,
then a rename over the target (atomic on every platform Python supports).

What these writers will and will not replace:

- a regular file, or a name that does not exist yet, is written as described;
- a symbolic link is followed: the file it points to is replaced and the link itself stays
  (a link that points nowhere, or to another link in a loop, is refused);
- a folder, a device (such as ``/dev/null``), a named pipe (FIFO) or a socket is refused with
  a :class:`~coprodlib.errors.DataError`: renaming over it would silently swap a special file
  for a regular one.

A write that the system refuses (disk full, no permission, read-only file system) is a
:class:`~coprodlib.errors.DataError` naming the path the caller asked for and the reason in
words; the temporary file is removed and its name is never shown.

Tables meant to be opened in a spreadsheet go through :func:`write_export_csv`, which
neutralises text cells that a spreadsheet would run as a formula (see
:func:`neutralise_formulas`); :func:`write_csv` keeps cells verbatim, for the dataset's own
tables, which must read back exactly as they were written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import fail

if TYPE_CHECKING:  # pandas is imported by the callers, not by `coprod --help`
    import pandas as pd

__all__ = [
    "write_bytes_atomic",
    "write_text_atomic",
    "write_csv",
    "write_export_csv",
    "neutralise_formulas",
    "spreadsheet_safe",
]

#: The system's refusals, in words a user can act on (others fall back to the system's text).
_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.ELOOP: "too many symbolic links on the way",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "the disk quota is used up"


def _reason(err: OSError) -> str:
    if err.errno in _REASONS:
        return _REASONS[err.errno]
    text = err.strerror or type(err).__name__
    return text[:1].lower() + text[1:]


def _special_kind(mode: int) -> str | None:
    """What a file that must not be replaced is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _replaceable(path: Path) -> Path:
    """The file a write to ``path`` replaces: ``path`` itself, or the file a link points to.

    Raises
    ------
    DataError
        When that is a folder, device, FIFO or socket, or a link that leads nowhere.
    """
    expected = "a regular file or a new file name"
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as err:
        raise fail(
            str(path), f"{expected} (cannot look at it: {_reason(err)})", "unwritable"
        ) from None
    target = path
    if stat.S_ISLNK(mode):
        target = Path(os.path.realpath(path))
        try:
            mode = os.stat(target).st_mode
        except OSError:
            raise fail(
                str(path),
                f"{expected}; this is a symbolic link that leads to no file "
                "(its target is missing, or the links form a loop)",
                "not_a_file",
            ) from None
    kind = _special_kind(mode)
    if kind is not None:
        raise fail(str(path), f"{expected}; this is {kind}, which is not replaced", "not_a_file")
    return target


def _mode_for(target: Path) -> int:
    """The permissions a new file gets from the umask (mkstemp's own are owner-only), or
    those of the file being replaced, so a shared report stays readable to its readers."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Parameters
    ----------
    path : Path
        The file to write; missing folders are created. A symbolic link is written through
        (its target is replaced, the link stays).
    data : bytes
        The whole content of the file.

    Returns
    -------
    Path
        ``path`` as given.

    Raises
    ------
    DataError
        When ``path`` is a folder, device, FIFO, socket or a broken link, or when the system
        refuses the write (no space, no permission, read-only); the message names ``path``
        and the reason, and no temporary file is left behind.
    """
    path = Path(path)
    target = _replaceable(path)
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), _mode_for(target))
        os.replace(tmp, target)
        tmp = None
    except OSError as err:
        # the message names the user's path, never the temporary file the error may carry
        raise fail(
            str(path), f"a file that can be written (the system says: {_reason(err)})", "unwritable"
        ) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`write_bytes_atomic`)."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table in the data contract's CSV form (UTF-8, comma, header, ``\\n`` line
    ends, no index), atomically, with every cell verbatim.

    For a dataset's own tables, which must read back exactly as written; a table for people
    to open in a spreadsheet goes through :func:`write_export_csv` instead.
    """
    text = frame.to_csv(index=False, lineterminator="\n")
    return write_text_atomic(path, text)


def write_export_csv(frame: pd.DataFrame, path: Path, *, index: bool = False) -> Path:
    """Write a table for people to open (a report table, an export) as CSV, atomically, with
    formula-like text neutralised.

    Text cells, column names and index labels that begin with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return and are not numbers get a leading apostrophe (the OWASP advice
    against CSV injection), so a spreadsheet shows them as text instead of running them;
    numbers, including text such as ``-1.5`` or ``+3``, are written as they are.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : Path
        Where to write it (see :func:`write_bytes_atomic`).
    index : bool
        Whether to write the index as the first column(s).

    Returns
    -------
    Path
        ``path`` as given.
    """
    safe = neutralise_formulas(frame)
    return write_text_atomic(path, safe.to_csv(index=index, lineterminator="\n"))


# --------------------------------------------------------------------------- formulas

#: What a spreadsheet reads as the start of a formula (or of a DDE command).
_FORMULA_START = r"^[=+\-@\t\r]"
#: A plain decimal number, as a spreadsheet reads one: kept, since it is not a formula.
_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_FORMULA_RE = re.compile(_FORMULA_START)
_NUMBER_RE = re.compile(_NUMBER)


def spreadsheet_safe(value: Any) -> Any:
    """One cell made safe for a spreadsheet: formula-like text gets a leading apostrophe.

    Examples
    --------
    >>> from coprodlib._io import spreadsheet_safe
    >>> [spreadsheet_safe(v) for v in ["=HYPERLINK(\\"x\\")", "@SUM(A1)", "-1.5", "+3", "care", 2]]
    ['\\'=HYPERLINK("x")', "'@SUM(A1)", '-1.5', '+3', 'care', 2]
    """
    if isinstance(value, str) and _FORMULA_RE.match(value) and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def _safe_index(index: pd.Index) -> pd.Index:
    import pandas as pd

    names = [spreadsheet_safe(n) for n in index.names]
    if isinstance(index, pd.MultiIndex):
        levels = [_safe_index(level) for level in index.levels]
        return index.set_levels(levels, verify_integrity=False).set_names(names)
    if isinstance(index.dtype, pd.CategoricalDtype):
        index = index.astype(object)
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        labels = [spreadsheet_safe(v) for v in index]
        if any(a != b for a, b in zip(labels, index, strict=True)):
            index = pd.Index(labels, dtype=index.dtype)  # text stays text: the dtype holds
    return index.set_names(names)


def _safe_column(column: pd.Series) -> pd.Series:
    import pandas as pd

    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
        return column  # numbers, booleans, dates: nothing a spreadsheet would run
    is_text = column.map(lambda v: isinstance(v, str)).astype(bool)
    if not is_text.any():
        return column
    text = column.astype(object).where(is_text)
    risky = text.str.match(_FORMULA_START, na=False) & ~text.str.match(_NUMBER, na=False)
    if not risky.any():
        return column
    out = column.astype(object).copy()
    out[risky] = "'" + text[risky]
    return out


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose formula-like text cannot run in a spreadsheet.

    Every text cell, column name and index label (including the names of the axes) that
    begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a plain
    number gets a leading apostrophe; numbers (``-1.5``, ``+3``, ``-2e3``) and non-text
    cells are left as they are.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to export.

    Returns
    -------
    pandas.DataFrame
        A new frame; ``frame`` is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> from coprodlib._io import neutralise_formulas
    >>> neutralise_formulas(pd.DataFrame({"=x": ["=1+1", "-1.5", "ok"]})).to_dict("list")
    {"'=x": ["'=1+1", '-1.5', 'ok']}
    """
    out = frame.copy()
    for i in range(frame.shape[1]):  # by position: column names may repeat
        out.isetitem(i, _safe_column(frame.iloc[:, i]))
    out.columns = _safe_index(frame.columns)
    out.index = _safe_index(frame.index)
    return out
