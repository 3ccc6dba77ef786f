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

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .rules import TABLES

__all__ = ["FolderTables", "read_table", "read_tables", "read_meta"]

#: The file endings a table may have, in the order they are looked for.
_SUFFIXES = (".csv", ".xlsx", ".tsv")


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

    A required table that is absent and a file that cannot be read each become a problem; the
    other tables are still read.
    """
    out = FolderTables()
    for name, rule in TABLES.items():
        found = _find(folder, name)
        if found is None:
            if rule.required:
                out.problems.append(
                    Problem(
                        file=f"{name}.csv",
                        expected=f"this required table ({rule.help}) in {folder.name}/",
                        kind="missing_file",
                    )
                )
            continue
        out.files[name] = found.name
        try:
            out.tables[name], lines = _read_with_lines(found)
            if lines is not None:
                out.lines[found.name] = lines
        except DataError as err:
            out.problems.extend(err.problems)
    return out


def read_meta(folder: Path, problems: list[Problem]) -> dict[str, Any]:
    """The mapping in ``folder/dataset.yml`` (empty when there is none or it is broken).

    A file that is not UTF-8 YAML, or does not hold a mapping, adds a problem to ``problems``.
    """
    path = folder / "dataset.yml"
    if not path.is_file():
        return {}
    import yaml

    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        problems.append(
            Problem(file="dataset.yml", expected=f"valid UTF-8 YAML ({err})", kind="syntax")
        )
        return {}
    if not isinstance(meta, dict):
        problems.append(
            Problem(file="dataset.yml", expected="a mapping such as 'title: ...'", kind="syntax")
        )
        return {}
    return meta


def _find(folder: Path, stem: str) -> Path | None:
    """The file holding table ``stem`` in ``folder``, by the first ending that exists."""
    for suffix in _SUFFIXES:
        p = folder / f"{stem}{suffix}"
        if p.is_file():
            return p
    return None


def _read_with_lines(path: Path) -> tuple[pd.DataFrame, np.ndarray | None]:
    """:func:`read_table`, with each record's first line when records span several lines."""
    if path.suffix == ".xlsx":
        return _read_xlsx(path), None
    return _read_csv(path)


def _read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook as text, with blank cells as missing values."""
    try:
        frame = pd.read_excel(path, dtype=str, engine="openpyxl")
    except Exception as err:  # openpyxl raises many types for broken workbooks
        raise DataError(
            Problem(file=path.name, expected=f"a readable .xlsx workbook ({err})", kind="syntax")
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.replace(r"^\s*$", np.nan, regex=True) if len(frame) else frame


def _read_csv(path: Path) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A UTF-8 CSV or TSV file as text, and its records' first lines when some span several."""
    file = path.name
    text = _decode(path.read_bytes(), file)
    if not text.strip():
        raise DataError(Problem(file=file, expected="a header line and rows", kind="empty"))
    first = text.split("\n", 1)[0]
    sep = "\t" if path.suffix == ".tsv" else _sniff_separator(first)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as err:
        raise DataError(
            Problem(file=file, expected=f"a well-formed CSV table ({err})", kind="syntax")
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    lines = None
    if text.count("\n") + (not text.endswith("\n")) > len(frame) + 1:
        # some quoted cells span several lines: each record's first line, for the messages
        lines = _record_lines(text, sep)[: len(frame)]
    return frame, lines


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


def _record_lines(text: str, sep: str) -> np.ndarray:
    """The line on which each data record of a CSV text starts (the header is line 1).

    >>> _record_lines('id,text\\na,"two\\nlines"\\nb,one\\n', ",").tolist()
    [2, 4]
    """
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts, line = [], 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return np.asarray(starts[1:], dtype=np.int64)
