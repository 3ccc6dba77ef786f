"""What kind of file a researcher brought, told by its content rather than its name.

``coprod import FILE --to DIR`` asks :func:`detect_format`, which reads a few bytes (and,
for zips and SQLite databases, the list of members or tables) and says what it found:

==============  =====================================================================
kind            recognised by
==============  =====================================================================
``qdpx``        a zip holding a ``.qde`` project document, or a folder holding one
``qde``         a bare REFI-QDA project document (XML whose root is ``Project``)
``codebook``    a REFI-QDA codebook (XML whose root is ``CodeBook``, ``.qdc``)
``qualcoder``   a SQLite database with QualCoder's tables (``source``, ``code_name``,
                ``code_text``), or a QualCoder project folder holding ``data.qda``
``taguette``    a SQLite database with Taguette's tables (``documents``, ``highlights``,
                ``tags``)
``survey``      SPSS (``$FL2``/``$FL3`` header), an Excel workbook (a zip with
                ``xl/workbook.xml``), or text whose first records, read as CSV, hold
                equally many fields split by commas, semicolons, tabs or bars
==============  =====================================================================

Nothing is written and databases are opened read-only.
"""

from __future__ import annotations

import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, fail
from .sqlite_files import SQLITE_MAGIC, open_readonly, table_names

__all__ = ["Detected", "detect_format"]

_QUALCODER_TABLES = {"source", "code_name", "code_text"}
_TAGUETTE_TABLES = {"documents", "highlights", "tags"}


@dataclass(frozen=True)
class Detected:
    """The kind of file (see the module text), the file to import, and what was seen."""

    kind: str
    path: Path
    found: str


def _tables(path: Path) -> set[str]:
    try:
        con = open_readonly(path, path.name, expected="an SQLite database", zip_hint="")
    except DataError:
        return set()
    try:
        return {name.lower() for name in table_names(con, path.name)}
    except DataError:
        return set()
    finally:
        con.close()


def _xml_root(head: bytes) -> str | None:
    """The local name of the first element of an XML text, from its first bytes."""
    text = head.decode("utf-8", "ignore")
    pos = 0
    while True:
        start = text.find("<", pos)
        if start < 0 or start + 1 >= len(text):
            return None
        if text[start + 1] in "?!":
            pos = start + 2
            continue
        name = text[start + 1 :].split(None, 1)[0].rstrip(">/")
        return name.rsplit(":", 1)[-1]


def _delimited(text: str) -> bool:
    """Whether the first records (read as CSV, so quoted separators and line breaks count
    right) hold the same number, two or more, of fields for one separator."""
    import csv
    import io

    for sep in (",", ";", "\t", "|"):
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=sep), 6))
        except csv.Error:
            continue
        rows = [r for r in rows if any(cell.strip() for cell in r)]
        if len(rows) > 5:
            rows = rows[:-1]  # the last record read may be cut short
        if len(rows) >= 2 and len({len(r) for r in rows}) == 1 and len(rows[0]) >= 2:
            return True
    return False


def _sqlite_kind(path: Path) -> Detected:
    tables = _tables(path)
    if tables >= _QUALCODER_TABLES:
        return Detected("qualcoder", path, "a QualCoder project database")
    if tables >= _TAGUETTE_TABLES:
        return Detected("taguette", path, "a Taguette project database")
    shown = ", ".join(sorted(tables)[:8]) or "none"
    raise fail(
        path.name,
        "a QualCoder or Taguette database (this SQLite database has the tables: " + shown + ")",
        "unsupported",
    )


def _zip_kind(path: Path) -> Detected:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n.lower() for n in zf.namelist()]
    except (zipfile.BadZipFile, OSError):
        raise fail(path.name, "a readable zip archive", "unreadable") from None
    if any(n.endswith(".qde") for n in names):
        return Detected("qdpx", path, "a REFI-QDA project (.qdpx)")
    if "xl/workbook.xml" in names:
        return Detected("survey", path, "an Excel workbook (read as a survey)")
    if any(n.endswith(".qdc") for n in names):
        return Detected("codebook", path, "a zip holding a REFI-QDA codebook")
    raise fail(path.name, "a REFI-QDA project (a zip with a .qde) or an .xlsx workbook",
               "unsupported")  # fmt: skip


def detect_format(path: Path | str) -> Detected:
    """Tell what kind of project or survey ``path`` holds (see the module text).

    Raises
    ------
    DataError
        For a missing path or a file of no supported kind, naming what was seen.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "answers.csv").write_text("respondent_id,t1\\nr1,4\\nr2,5\\n")
    >>> detect_format(folder / "answers.csv").kind
    'survey'
    """
    path = Path(path)
    if path.is_dir():
        if (path / "data.qda").is_file():
            return Detected("qualcoder", path / "data.qda", "a QualCoder project folder")
        if any(p.suffix.lower() == ".qde" for p in path.iterdir()):
            return Detected("qdpx", path, "an unzipped REFI-QDA project folder")
        raise fail(str(path), "a project file, or a folder holding project.qde or data.qda",
                   "unsupported")  # fmt: skip
    if not path.is_file():
        raise fail(str(path), "an existing file (no such file)", "missing")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(SQLITE_MAGIC):
        return _sqlite_kind(path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(path)
    if head.startswith((b"$FL2", b"$FL3")):
        return Detected("survey", path, "an SPSS data file")
    root = _xml_root(head.lstrip(b"\xef\xbb\xbf"))
    if root == "Project":
        return Detected("qde", path, "a REFI-QDA project document (.qde)")
    if root == "CodeBook":
        return Detected("codebook", path, "a REFI-QDA codebook (.qdc)")
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if utf16 or b"\x00" not in head:
        text = head.decode("utf-16" if utf16 else "utf-8", "ignore")
        if _delimited(text):
            return Detected("survey", path, "a delimited text table (read as a survey CSV)")
    raise fail(
        path.name,
        "a REFI-QDA project (.qdpx/.qde), a QualCoder or Taguette database, an SPSS, Excel or "
        "CSV survey, or a REFI-QDA codebook (.qdc)",
        "unsupported",
    )
