"""Reading a dataset folder's files: its tables (CSV, TSV or XLSX) and ``dataset.yml``.

Every cell is read as text, and empty cells become missing values; the checks and the typing
of the columns come later. A CSV file must be UTF-8 (with or without a byte order mark); its
separator (comma, semicolon or tab) is taken from the header line. An ``.xlsx`` workbook is
read from its first sheet. When quoted cells span several lines, the line on which each record
starts is kept, so that the problems can name the row a text editor shows.

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "cases.csv").write_text("case_id;title\\nc1;Park\\n", encoding="utf-8")
>>> read_table(folder / "cases.csv")
  case_id title
0      c1  Park
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .rules import TABLES

__all__ = ["FolderTables", "read_table", "read_tables", "read_meta", "folder_file_names"]

#: The file endings a table may have, in the order they are looked for.
_SUFFIXES = (".csv", ".xlsx", ".tsv")


def folder_file_names() -> list[str]:
    """Every file name that reading a dataset folder looks at, whether present or not.

    The table files under each of their endings, then ``dataset.yml`` and ``scales.yml``:
    a change to any of them (one added beside another, one removed) can change what the
    folder gives.

    >>> folder_file_names()[:3]
    ['cases.csv', 'cases.xlsx', 'cases.tsv']
    """
    tables = [f"{name}{suffix}" for name in TABLES for suffix in _SUFFIXES]
    return [*tables, "dataset.yml", "scales.yml"]


@dataclass
class FolderTables:
    """The tables found in a dataset folder, and what went wrong reading them.

    ``tables`` and ``files`` are keyed by table name (``files`` gives the file's name, such as
    ``cases.xlsx``); ``lines`` gives, per file name, the line on which each record starts, for
    the files whose records span several lines.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    lines: dict[str, np.ndarray] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_table(path: Path) -> pd.DataFrame:
    """Read one table file as strings (empty cells become missing values).

    CSV files must be UTF-8 (a byte order mark is accepted); the separator (comma, semicolon
    or tab) is detected from the header line, and a ``.tsv`` file is always tab-separated.
    ``.xlsx`` files are read from their first sheet.

    Raises
    ------
    DataError
        The file is not UTF-8, is not a readable CSV or workbook, or has no header.
    """
    return _read_with_lines(path)[0]


def read_tables(folder: Path) -> FolderTables:
    """Read every table of the contract that ``folder`` holds, in the contract's order.

    A required table that is absent, a table given by two files (``cases.csv`` and
    ``cases.xlsx``), a folder where a table file should be and a file that cannot be read
    each become a problem; the other tables are still read. A folder holding a survey and
    none of the qualitative tables (cases, participants, segments, codings) is a survey-only
    dataset: their absence is no problem then, but one of them without the others is.
    """
    out = FolderTables()
    missing: list[Problem] = []
    for name, rule in TABLES.items():
        candidates = [folder / f"{name}{suffix}" for suffix in _SUFFIXES]
        present = [p for p in candidates if p.exists()]
        folders = [p for p in present if not p.is_file()]
        for p in folders:
            out.problems.append(
                Problem(file=p.name, expected="a table file, not a folder", kind="not_a_file")
            )
        files = [p for p in present if p.is_file()]
        if len(files) > 1:
            names = " and ".join(p.name for p in files)
            out.problems.append(
                Problem(
                    file=files[0].name,
                    expected=f"one file for the table {name} (found {names}: remove all but one)",
                    kind="duplicate_file",
                )
            )
            continue
        if not files:
            if rule.required and not folders:
                missing.append(
                    Problem(
                        file=f"{name}.csv",
                        expected=f"this required table ({rule.help}) in {folder.name}/",
                        kind="missing_file",
                    )
                )
            continue
        found = files[0]
        out.files[name] = found.name
        try:
            out.tables[name], lines = _read_with_lines(found)
            if lines is not None:
                out.lines[found.name] = lines
        except DataError as err:
            out.problems.extend(err.problems)
    survey_only = "survey" in out.files and not any(
        name in out.files for name, rule in TABLES.items() if rule.required
    )
    if not survey_only:
        out.problems.extend(missing)
    return out


#: Keys of ``dataset.yml`` whose value must be a YAML boolean (true / false, unquoted).
_BOOLEAN_KEYS = ("synthetic", "derive_tensions")
#: Keys of ``dataset.yml`` whose value must be text (or a number, read as its text).
_TEXT_KEYS = ("name", "title", "description")


def read_meta(folder: Path, problems: list[Problem]) -> dict[str, Any]:
    """The mapping in ``folder/dataset.yml`` (empty when there is none or it is broken).

    A file that is not UTF-8 YAML, does not hold a mapping, or gives a key a value of the
    wrong type (``synthetic: 'false'``, a string where a YAML boolean belongs) adds a
    problem to ``problems``; keys with such values are left out of the mapping.
    """
    file = "dataset.yml"
    path = folder / file
    if not path.exists():
        return {}
    if not path.is_file():
        problems.append(Problem(file=file, expected="a YAML file, not a folder", kind="not_a_file"))
        return {}
    import yaml

    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        problems.append(Problem(file=file, expected=f"valid UTF-8 YAML ({err})", kind="syntax"))
        return {}
    except OSError as err:
        problems.append(
            Problem(file=file, expected=f"a readable file ({err.strerror})", kind="unreadable")
        )
        return {}
    if not isinstance(meta, dict):
        problems.append(
            Problem(file=file, expected="a mapping such as 'title: ...'", kind="syntax")
        )
        return {}
    return _typed_meta(meta, file, problems)


def _typed_meta(meta: dict[Any, Any], file: str, problems: list[Problem]) -> dict[str, Any]:
    """``meta`` without the values of the wrong type, each reported as a problem."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        key = str(key)
        if key in _BOOLEAN_KEYS and not isinstance(value, bool):
            why = " (in quotes it is text)" if isinstance(value, str) else ""
            problems.append(
                Problem(
                    file=file,
                    column=key,
                    value=value,
                    expected=f"true or false, a YAML boolean without quotes{why}",
                    kind="wrong_type",
                )
            )
            continue
        if key in _TEXT_KEYS and isinstance(value, dict | list | bool):
            problems.append(
                Problem(file=file, column=key, value=value, expected="text", kind="wrong_type")
            )
            continue
        out[key] = value
    return out


def _read_with_lines(path: Path) -> tuple[pd.DataFrame, np.ndarray | None]:
    """:func:`read_table`, with each record's first line when records span several lines."""
    if path.suffix == ".xlsx":
        return _read_xlsx(path), None
    return _read_csv(path)


def _read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook as text, with blank cells as missing values."""
    try:
        frame = pd.read_excel(path, dtype=str, engine="openpyxl", header=None)
    except Exception as err:  # openpyxl raises many types for broken workbooks
        raise DataError(
            Problem(file=path.name, expected=f"a readable .xlsx workbook ({err})", kind="syntax")
        ) from None
    if frame.empty:
        raise DataError(Problem(file=path.name, expected="a header row and rows", kind="empty"))
    header = ["" if pd.isna(c) else str(c) for c in frame.iloc[0]]
    frame = frame.iloc[1:].reset_index(drop=True)
    frame.columns = _header(header, path.name)
    return frame.replace(r"^\s*$", np.nan, regex=True) if len(frame) else frame


def _read_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A UTF-8 CSV or TSV file as text, and its records' first lines when some span several.

    The file is read once, as bytes: its header line is decoded on its own, and the table
    reader parses the bytes, decoding every cell strictly. Only when something fails is the
    whole file decoded, so that a file that is not UTF-8 says so before anything else, as
    when it was decoded whole. Where records span several lines, their first lines are found
    from the bytes' quotes and line ends (:func:`_quoted_record_lines`), or by the csv module
    when the file's quoting is not plain enough for that (:func:`_record_lines`).
    """
    file = path.name
    raw = path.read_bytes()
    start = len(_BOM) if raw.startswith(_BOM) else 0
    if _blank(raw, start, file):
        raise DataError(Problem(file=file, expected="a header line and rows", kind="empty"))
    try:
        header, sep = _header_record(raw, start, path.suffix == ".tsv", file)
        names = _header(header, file)
    except DataError:
        _decode(raw, file)  # not UTF-8: that is the problem to name first
        raise
    try:
        frame = pd.read_csv(
            io.BytesIO(raw),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
            quoting=csv.QUOTE_MINIMAL,
            encoding="utf-8-sig",
        )
    except (pd.errors.ParserError, ValueError) as err:
        _decode(raw, file)  # a UnicodeDecodeError (a ValueError) ends here
        raise DataError(
            Problem(file=file, expected=f"a well-formed CSV table ({err})", kind="syntax")
        ) from None
    if not isinstance(frame.index, pd.RangeIndex):  # the first row has one field too many
        raise DataError(
            Problem(
                file=file,
                row=2,
                value=str(frame.index[0]),
                expected=f"{len(names)} fields per row, as the header has; this row has one "
                "more (a separator at the end of the line, or one inside a cell that is not "
                "quoted)",
                kind="syntax",
            )
        )
    if len(frame.columns) != len(names):
        raise DataError(
            Problem(
                file=file,
                row=1,
                expected=f"a header line of {len(frame.columns)} column names, one per field "
                f"of the rows (it has {len(names)})",
                kind="syntax",
            )
        )
    frame.columns = names
    lines = None
    if raw.count(b"\n") + (not raw.endswith(b"\n")) > len(frame) + 1:
        # some quoted cells span several lines (or lines are blank): each record's first line
        lines = _quoted_record_lines(raw, sep, frame)
        if lines is None:  # quoting the byte scan does not follow: the csv module counts
            lines = _record_lines(_decode(raw, file), sep, file)
            if len(lines) != len(frame):  # the readers disagree (odd quoting): count records
                lines = None
    return frame, lines


#: A byte that is not ASCII white space.
_NOT_ASCII_SPACE = re.compile(rb"[^ \t\n\r\x0b\x0c]")


def _blank(raw: bytes, start: int, file: str) -> bool:
    """Whether the text after the byte order mark is empty or white space only."""
    found = _NOT_ASCII_SPACE.search(raw, start)
    if found is None:
        return True
    byte = raw[found.start()]
    if byte < 0x80 and not 0x1C <= byte <= 0x1F:
        return False  # a printable character: not blank
    text = _decode(raw, file)  # other white space is a matter of the decoded text
    return not text.strip()


def _header_record(raw: bytes, start: int, tab: bool, file: str) -> tuple[list[str], str]:
    """The fields of the header record and the separator, from the first lines alone."""

    def lines() -> Iterator[str]:
        pos = start
        while pos < len(raw):
            end = raw.find(b"\n", pos)
            end = len(raw) if end < 0 else end + 1
            try:
                yield raw[pos:end].decode("utf-8")
            except UnicodeDecodeError:
                _decode(raw, file)  # raises, naming the first byte that is not UTF-8
                raise
            pos = end

    first = next(lines(), "")
    sep = "\t" if tab else _sniff_separator(first.split("\n", 1)[0])
    with _fields_up_to(len(raw)):
        try:
            return next(csv.reader(lines(), delimiter=sep)), sep
        except csv.Error as err:
            raise DataError(
                Problem(file=file, row=1, expected=f"a readable header line ({err})", kind="syntax")
            ) from None


def _header(names: list[str], file: str) -> list[str]:
    """The column names of a header (stripped), refusing a name given to two columns.

    A reader would otherwise rename the second column (``title`` to ``title.1``) and its
    values would be silently ignored.
    """
    stripped = [str(n).strip() for n in names]
    first: dict[str, int] = {}
    for k, name in enumerate(stripped, start=1):
        if name and name in first:
            raise DataError(
                Problem(
                    file=file,
                    row=1,
                    column=name,
                    value=name,
                    expected=f"each column name once (columns {first[name]} and {k} are both "
                    f"named {name!r}: rename or remove one)",
                    kind="duplicate_column",
                )
            )
        first.setdefault(name, k)
    return [n if n else f"Unnamed: {k}" for k, n in enumerate(stripped)]


@contextlib.contextmanager
def _fields_up_to(size: int) -> Iterator[None]:
    """Let the csv module read fields of up to ``size`` characters (default: 128 KiB).

    A text cell may be long (a whole interview); the limit is raised for the duration of one
    read and put back after, so no other reader in the process is affected for long.
    """
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, size + 1))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _decode(raw: bytes, file: str) -> str:
    """The UTF-8 text of a file (without a byte order mark), or a problem naming the bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.start + 1].hex()
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(
            Problem(
                file=file,
                row=line,
                value=f"byte 0x{bad}",
                expected=(
                    "UTF-8 text; the file seems to use another encoding (e.g. Windows-1252 or "
                    "Latin-1): save it again as 'CSV UTF-8'"
                ),
                kind="encoding",
            )
        ) from None


def _sniff_separator(first_line: str) -> str:
    """The separator the header line uses most (comma, semicolon or tab; comma if none).

    >>> _sniff_separator("case_id;title;country")
    ';'
    """
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def _record_lines(text: str, sep: str, file: str = "<csv>") -> np.ndarray:
    """The line on which each data record of a CSV text starts (the header is line 1).

    Blank lines are skipped, as the table reader skips them.

    >>> _record_lines('id,text\\na,"two\\nlines"\\n\\nb,one\\n', ",").tolist()
    [2, 5]
    """
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts, line = [], 1
    with _fields_up_to(len(text)):
        try:
            for record in reader:
                if record and (len(record) > 1 or record[0].strip()):  # not a blank line
                    starts.append(line)
                line = reader.line_num + 1
        except csv.Error as err:
            raise DataError(
                Problem(
                    file=file, row=line, expected=f"a well-formed CSV record ({err})", kind="syntax"
                )  # fmt: skip
            ) from None
    return np.asarray(starts[1:], dtype=np.int64)


#: The bytes of a UTF-8 byte order mark.
_BOM = b"\xef\xbb\xbf"
#: At most this many lines that may be blank are looked at one by one; past it the csv
#: module counts the records.
_MAX_BLANK_CANDIDATES = 10_000


def _quoted_record_lines(raw: bytes, sep: str, frame: pd.DataFrame) -> np.ndarray | None:
    """The line on which each data record starts, found from the quotes and line ends.

    A line end lies inside a quoted cell when an odd number of quotes precede it. That holds
    when the file quotes plainly: every quoted cell begins at the start of a field, ends at
    its end, and doubles the quotes it holds; a carriage return outside quotes comes before a
    line end; and no line that the table reader skips as blank would be a record for the
    csv module, or the other way round. The scan checks each of these on whole arrays and
    gives ``None`` when one fails (the caller then counts with the csv module, as
    :func:`_record_lines` does), or when it finds another number of records than ``frame``
    has. It then gives the same lines as :func:`_record_lines`.

    >>> raw = b'id,text\\na,"two\\nlines"\\n\\nb,"say ""hi"" twice"\\n'
    >>> frame = pd.read_csv(io.BytesIO(raw), dtype=str)
    >>> _quoted_record_lines(raw, ",", frame).tolist()
    [2, 5]
    """
    start = len(_BOM) if raw.startswith(_BOM) else 0
    if raw.find(b"\x00") >= 0:
        return None
    buf = np.frombuffer(raw, dtype=np.uint8)[start:]
    size, sep_byte = len(buf), ord(sep)
    quotes = np.flatnonzero(buf == 0x22)
    if len(quotes) % 2:
        return None
    opening, closing = quotes[0::2], quotes[1::2]
    # a quote opening a cell follows a separator, a line end or the start of the text, or
    # directly follows the quote closing before it (a doubled quote inside a quoted cell)
    doubled = np.zeros(len(opening), dtype=bool)
    doubled[1:] = opening[1:] == closing[:-1] + 1
    before = np.where(opening > 0, buf[np.maximum(opening - 1, 0)], 0x0A)
    if not np.all(doubled | (before == sep_byte) | (before == 0x0A)):
        return None
    # a quote closing a cell comes before a separator, a line end or the end of the text
    # (or before the second quote of a doubled one)
    redoubled = np.zeros(len(closing), dtype=bool)
    redoubled[:-1] = doubled[1:]
    after = np.where(closing + 1 < size, buf[np.minimum(closing + 1, size - 1)], 0x0A)
    if not np.all(redoubled | (after == sep_byte) | (after == 0x0A) | (after == 0x0D)):
        return None
    returns = np.flatnonzero(buf == 0x0D)
    if len(returns):
        outside = np.searchsorted(quotes, returns) % 2 == 0
        follows = np.where(returns + 1 < size, buf[np.minimum(returns + 1, size - 1)], 0)
        if np.any(outside & (follows != 0x0A)):
            return None
    ends = np.flatnonzero(buf == 0x0A)
    # line k (from 1) begins at the start of the text or after the (k-1)-th line end; it
    # begins a record when that line end is outside quotes and the line is not blank
    line_starts = np.concatenate([[0], ends + 1])
    line_ends = np.concatenate([ends, [size]])
    begins = np.concatenate([[True], np.searchsorted(quotes, ends) % 2 == 0])
    begins &= line_starts < size
    blank_bytes = bytes(b for b in b" \t\r\n" if b != sep_byte)
    first = buf[np.minimum(line_starts, size - 1)]
    maybe_blank = np.flatnonzero(begins & np.isin(first, list(blank_bytes)))
    if len(maybe_blank) > _MAX_BLANK_CANDIDATES:
        return None
    strip = bytes(b for b in b" \t\r" if b != sep_byte)
    for k in maybe_blank:
        line = raw[start + line_starts[k] : start + line_ends[k]]
        if not line.strip(strip):
            begins[k] = False
        elif not line.strip(b" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1f"):
            return None  # blank to the csv module; the table reader may read it as a record
    records = np.flatnonzero(begins) + 1
    if len(records) != len(frame) + 1 or _blank_to_csv_module(frame):
        return None
    return records[1:].astype(np.int64)


def _blank_to_csv_module(frame: pd.DataFrame) -> bool:
    """Whether a row of ``frame`` is one the csv module would skip as blank (a single field
    of white space or nothing), which :func:`_record_lines` leaves out of its count."""
    if frame.empty or frame.shape[1] == 0:
        return False
    single = np.ones(len(frame), dtype=bool)
    for k in range(1, frame.shape[1]):  # a row with a second field is no blank line
        single[single] &= frame.iloc[:, k].iloc[np.flatnonzero(single)].isna().to_numpy()
        if not single.any():
            return False
    first = frame.iloc[:, 0].iloc[np.flatnonzero(single)]
    return bool((first.isna() | first.str.strip().eq("")).any())
