"""SQLite project files from other people's tools, opened so that reading cannot change them.

QualCoder keeps a project in an SQLite database and Taguette exports one. Both importers (and
the recogniser in :mod:`coprodlib.importers.detect`) open such a file with
:func:`open_readonly`: the header is checked first, the database is opened read-only and
immutable through a ``file:`` URI (so no journal is written beside it, even in a read-only
folder, and a ``?`` or ``#`` in the path is harmless), and the schema's own code (triggers,
views with functions) is not trusted.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..errors import fail

__all__ = ["SQLITE_MAGIC", "is_sqlite", "open_readonly", "require_tables", "table_names"]

#: The first 16 bytes of every SQLite 3 database.
SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(head: bytes) -> bool:
    """Whether the first bytes of a file are SQLite's header."""
    return head.startswith(SQLITE_MAGIC)


def open_readonly(path: Path, file: str, *, expected: str, zip_hint: str) -> sqlite3.Connection:
    """Open ``path`` as a read-only, immutable SQLite database.

    Parameters
    ----------
    path : Path
        The database file.
    file : str
        How messages name the file.
    expected : str
        What the file should be, for the message when it is not SQLite.
    zip_hint : str
        Added to that message when the file is a zip (a REFI-QDA export given to the wrong
        importer).

    Raises
    ------
    DataError
        When the file is not an SQLite database or cannot be opened.
    """
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if not is_sqlite(head):
        hint = f" ({zip_hint})" if head[:2] == b"PK" else ""
        raise fail(file, f"{expected}; this file is not one{hint}", "not_sqlite")
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise fail(file, f"a readable SQLite database ({exc})", "unreadable") from None
    return conn


def table_names(conn: sqlite3.Connection, file: str) -> set[str]:
    """The names of the database's tables (as stored; compare case-insensitively if needed)."""
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    except sqlite3.Error as exc:
        raise fail(file, f"a readable SQLite database ({exc})", "unreadable") from None
    return {str(name) for (name,) in rows}


def require_tables(
    conn: sqlite3.Connection, file: str, required: tuple[str, ...], *, what: str
) -> set[str]:
    """The database's table names; a DataError naming the missing ones when ``required``
    are not all there (``what`` says what the file should be, e.g. "a Taguette project
    export")."""
    tables = table_names(conn, file)
    missing = [t for t in required if t not in tables]
    if missing:
        raise fail(
            file,
            f"{what} with the tables {', '.join(required)} (missing: {', '.join(missing)})",
            "missing",
        )
    return tables
