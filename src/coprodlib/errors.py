"""The one exception type for problems in a user's data, and the record of one problem."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["DataError", "Problem", "fail"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what was found and what was expected.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it (the header is
    line 1, so the first data row is 2); it is ``None`` for problems that concern a whole file
    or column. A problem in a DataFrame handed to an analysis, which has no lines, names the
    row by its ``index`` label instead.
    """

    file: str
    expected: str
    row: int | None = None
    column: str | None = None
    value: Any = None
    kind: str = "invalid"
    index: Any = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        elif self.index is not None:
            where += f", index {_plain(self.index)!r}"
        if self.column is not None:
            where += f", column '{self.column}'"
        found = "" if self.value is None else f": found {_plain(self.value)!r}"
        return f"{where}{found}; expected {self.expected}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as plain Python values (numpy scalars unwrapped), e.g. for a table."""
        return {
            "kind": self.kind,
            "file": self.file,
            "row": self.row,
            "index": _plain(self.index),
            "column": self.column,
            "value": _plain(self.value),
            "expected": self.expected,
        }


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, so messages read 7, not np.int64(7);
    tuples and lists of them too."""
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", None) == 0:
        return item()
    return value


class DataError(ValueError):
    """Raised when data cannot be used; ``problems`` lists everything that was found wrong."""

    def __init__(self, problems: Problem | str | Iterable[Problem], *, file: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(file=file or "<input>", expected=problems, kind="error")]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        if n == 1:
            return str(self.problems[0])
        head = f"{n} problems found:"
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  ... and {n - 50} more" if n > 50 else ""
        return f"{head}\n{shown}{more}"


def fail(
    file: str,
    expected: str,
    kind: str = "invalid",
    value: Any = None,
    *,
    row: int | None = None,
    column: str | None = None,
) -> DataError:
    """A :class:`DataError` for one problem, for ``raise fail(...)``: the file (or table) it
    is in, what was expected there, and optionally its kind, the value found, row and column.

    Examples
    --------
    >>> from coprodlib.errors import fail
    >>> str(fail("cases.csv", "a two-letter country code", value="Germany", row=3, column="country"))
    "cases.csv, row 3, column 'country': found 'Germany'; expected a two-letter country code"
    """
    return DataError(
        Problem(file=file, expected=expected, value=value, kind=kind, row=row, column=column)
    )
