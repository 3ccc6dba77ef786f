"""The table rules of the data contract: which tables a dataset folder holds, which columns
each table must have, and what each column may contain.

:data:`TABLES` is the one list of the contract's tables, in the order they are read, checked
and reported. :func:`table_schema` turns a table's rule into a pandera schema for the column
checks, and :func:`describe_failure` turns a pandera failure back into the words of a
:class:`~coprodlib.errors.Problem`.

>>> list(TABLES)[:4]
['cases', 'participants', 'documents', 'segments']
>>> [c.name for c in TABLES["codings"].columns]
['segment_id', 'code', 'coder']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ColumnRule",
    "TableRule",
    "TABLES",
    "FILE_NAME_ID",
    "ID_COLUMNS",
    "MAX_WHOLE_NUMBER",
    "WINDOWS_RESERVED",
    "file_name_problem",
    "has_text",
    "table_schema",
    "describe_failure",
]

#: What an id that becomes a file or folder name (a case id: ``reports/<dataset>/cases/<id>``)
#: must look like: 1 to 64 ASCII letters, digits, ``_`` and ``-``, a letter or digit first.
#: No dots (``a`` and ``a.html`` would claim the same page), spaces, slashes or other signs.
FILE_NAME_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Per table, the columns that hold the id of a case, participant, document, segment or
#: respondent: what must change together when ids are renamed (a pool's study prefix, a
#: replicated copy's suffix).
ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases": ("case_id",),
    "participants": ("participant_id", "case_id"),
    "documents": ("document_id", "case_id", "participant_id"),
    "segments": ("segment_id", "case_id", "participant_id", "document_id"),
    "codings": ("segment_id",),
    "double_coding": ("segment_id",),
    "survey": ("respondent_id",),
}
#: Names Windows keeps for devices, in any case: a file cannot be called ``CON`` or ``nul``.
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{d}{k}" for d in ("com", "lpt") for k in range(10)]
)
#: Whole-number cells (years, offsets) must lie below this in size: every such number is
#: held exactly by the floating-point numbers a table reader passes them through.
MAX_WHOLE_NUMBER = 10**15


@dataclass(frozen=True)
class ColumnRule:
    """What one column of a table must hold."""

    name: str
    required: bool = True
    kind: str = "text"  # text | id | int | codebook
    nullable: bool = False
    unique: bool = False
    dimension: str | None = None  # for kind == "codebook"
    extra: tuple[str, ...] = ()  # values allowed beside the codebook ids
    pattern: str | None = None
    pattern_text: str = ""
    file_name: bool = False  # the value becomes a file name: FILE_NAME_ID, unique ignoring case
    help: str = ""


@dataclass(frozen=True)
class TableRule:
    """One table of the contract: its name, whether a dataset must have it, and its columns."""

    name: str
    required: bool
    columns: tuple[ColumnRule, ...]
    help: str = ""


TABLES: dict[str, TableRule] = {
    t.name: t
    for t in (
        TableRule(
            "cases",
            True,
            (
                ColumnRule("case_id", kind="id", unique=True, file_name=True),
                ColumnRule("title"),
                ColumnRule(
                    "country",
                    pattern=r"^[A-Z]{2}$",
                    pattern_text="an ISO 3166-1 alpha-2 country code in capitals, e.g. 'DE'",
                ),
                ColumnRule("service_area"),
                ColumnRule("phase", kind="codebook", dimension="phase"),
                ColumnRule("level", kind="codebook", dimension="level"),
                ColumnRule("mode", kind="codebook", dimension="mode"),
                ColumnRule("logic", kind="codebook", dimension="logic", extra=("unknown",)),
                ColumnRule("study", required=False, nullable=True),
                ColumnRule("year", required=False, kind="int", nullable=True),
            ),
            "one row per case",
        ),
        TableRule(
            "participants",
            True,
            (
                ColumnRule("participant_id", kind="id", unique=True),
                ColumnRule("case_id", kind="id"),
                ColumnRule("role", kind="codebook", dimension="role"),
            ),
            "one row per interviewee",
        ),
        TableRule(
            "documents",
            False,
            (
                ColumnRule("document_id", kind="id", unique=True),
                ColumnRule("case_id", kind="id"),
                ColumnRule("participant_id", kind="id"),
                ColumnRule("role", required=False, kind="codebook", dimension="role"),
                ColumnRule("title", required=False, nullable=True),
                ColumnRule("n_chars", required=False, kind="int", nullable=True),
            ),
            "one row per source document",
        ),
        TableRule(
            "segments",
            True,
            (
                ColumnRule("segment_id", kind="id", unique=True),
                ColumnRule("case_id", kind="id"),
                ColumnRule("participant_id", kind="id"),
                ColumnRule("document_id", required=False, kind="id", nullable=True),
                ColumnRule("start", required=False, kind="int", nullable=True),
                ColumnRule("end", required=False, kind="int", nullable=True),
                ColumnRule("text", required=False, nullable=True),
            ),
            "one row per coded segment",
        ),
        TableRule(
            "codings",
            True,
            (
                ColumnRule("segment_id", kind="id"),
                ColumnRule("code", kind="codebook"),
                ColumnRule("coder", required=False, nullable=True),
            ),
            "one row per code on a segment",
        ),
        TableRule(
            "double_coding",
            False,
            (
                ColumnRule("segment_id", kind="id"),
                ColumnRule("coder", kind="id"),
                ColumnRule("code", kind="codebook"),
            ),
            "the reliability sample: one row per code a coder gave a segment",
        ),
        TableRule(
            "code_map",
            False,
            (
                ColumnRule("project_code"),
                ColumnRule("code", nullable=True, kind="codebook"),
            ),
            "a project's own code names mapped to codebook ids",
        ),
        TableRule(
            "codebook_extension",
            False,
            (
                ColumnRule("id", kind="id", unique=True),
                ColumnRule("label"),
                ColumnRule("dimension"),
            ),
            "dataset-local codes",
        ),
        TableRule(
            "survey", False, (ColumnRule("respondent_id", kind="id"),), "one row per respondent"
        ),
    )
}


#: The error text of the check that a required id or text cell is not blank.
_NOT_BLANK = "text"
#: The error text of the check that a whole-number cell is not negative.
_NOT_NEGATIVE = "a whole number >= 0"


def file_name_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id that becomes a file name, or ``None`` when it can.

    Parameters
    ----------
    value : str
        The id as the table gives it.

    Returns
    -------
    str or None
        A short reason, such as ``"it holds '/'"``; ``None`` when ``value`` matches
        :data:`FILE_NAME_ID` and is not a name in :data:`WINDOWS_RESERVED`.

    Examples
    --------
    >>> file_name_problem("be_elderly_care") is None
    True
    >>> file_name_problem("../reports")
    "it holds '.' and '/'"
    >>> file_name_problem("Con")
    "it is a name Windows reserves for a device ('CON')"
    """
    if FILE_NAME_ID.fullmatch(value):
        if value.casefold() in WINDOWS_RESERVED:
            return f"it is a name Windows reserves for a device ({value.upper()!r})"
        return None
    if len(value) > 64:
        return f"it has {len(value):,} characters"
    odd = [c for c in dict.fromkeys(value) if not (c.isascii() and (c.isalnum() or c in "_-"))]
    if odd:
        shown = " and ".join(repr(c) if c.isprintable() and c != " " else _char_name(c)
                             for c in odd[:4])  # fmt: skip
        return f"it holds {shown}"
    return "it does not begin with a letter or digit"


def _char_name(c: str) -> str:
    """A character that does not show, by name: ``a space``, ``U+0000``."""
    return "a space" if c == " " else f"U+{ord(c):04X}"


def has_text(values: Any) -> Any:
    """True where a cell holds more than white space (the check that a cell is not blank).

    ``str.isspace`` tests each cell without making a stripped copy of it; the empty string
    has no white space but is blank too, and so is a missing value.

    >>> import pandas as pd
    >>> has_text(pd.Series(["a", " ", "\\t b", "", None])).tolist()
    [True, False, True, False, False]
    """
    import numpy as np
    import pandas as pd

    cells = values.to_numpy(dtype=object)
    try:
        space = np.fromiter(map(str.isspace, cells), dtype=bool, count=len(cells))
    except TypeError:  # a missing value or a number among the cells
        return values.str.strip().str.len() > 0
    return pd.Series(~(space | (cells == "")), index=values.index, name=values.name)


def table_schema(rule: TableRule) -> Any:
    """The pandera schema of a table's own columns (whole numbers are coerced before it runs;
    uniqueness is checked apart, so that a repeated id can name the row it repeats)."""
    import pandera.pandas as pa

    columns = {}
    for col in rule.columns:
        checks = []
        if col.pattern:
            checks.append(pa.Check.str_matches(col.pattern, error=col.pattern_text))
        if col.kind == "int":
            checks.append(pa.Check.ge(0, error=_NOT_NEGATIVE))
        if col.kind in ("id", "text") and not col.nullable:
            checks.append(pa.Check(has_text, element_wise=False, error=_NOT_BLANK))
        columns[col.name] = pa.Column(
            "Int64" if col.kind == "int" else None,  # text is read as text: no dtype check
            nullable=col.nullable,
            required=col.required,
            checks=checks,
        )
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def describe_failure(col: ColumnRule, check: str) -> tuple[str, str]:
    """The ``expected`` text and the problem kind for a pandera ``check`` failed in ``col``.

    >>> describe_failure(TABLES["cases"].columns[0], "field_uniqueness")
    ('a unique case_id (this one appears more than once)', 'duplicate')
    """
    if check == "not_nullable":
        what = "a whole number" if col.kind == "int" else "a value"
        return f"{what} (the cell is empty; the column is required)", "missing"
    if check == "field_uniqueness":
        return f"a unique {col.name} (this one appears more than once)", "duplicate"
    if check.startswith("str_matches") or check == col.pattern_text:
        return col.pattern_text, "invalid"
    if "greater_than_or_equal" in check or check == _NOT_NEGATIVE:
        return _NOT_NEGATIVE, "invalid"
    if check == _NOT_BLANK:
        return "a non-blank value", "missing"
    return f"a valid {col.name} ({check})", "invalid"
