"""Checks of analysis arguments shared by every analysis and plot: is ``data`` a DataFrame,
does it have the columns the arguments name, which levels does a column hold."""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from .errors import DataError, Problem

__all__ = ["data_label", "require_frame", "require_columns", "levels_of"]


def data_label(data: pd.DataFrame) -> str:
    """Name a frame in error messages: its ``attrs["file"]`` when a loader set one."""
    return str(data.attrs.get("file", "data"))


def require_frame(data: Any, function: str) -> pd.DataFrame:
    """Raise :class:`TypeError` unless ``data`` is a DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"{function}: data must be a pandas DataFrame in long form, not {type(data).__name__}"
        )
    return data


def require_columns(data: pd.DataFrame, columns: Mapping[str, Hashable | None]) -> None:
    """Raise :class:`DataError` listing every argument that names a column ``data`` lacks.

    ``columns`` maps the argument name (``"x"``) to the column it names; ``None`` is skipped.
    """
    available = [str(c) for c in data.columns]
    problems = []
    for argument, column in columns.items():
        if column is None or column in data.columns:
            continue
        close = difflib.get_close_matches(str(column), available, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
        problems.append(
            Problem(
                file=data_label(data),
                column=str(column),
                expected=f"{argument}= to name a column of the data, which has: "
                f"{', '.join(available)}{hint}",
                kind="missing_column",
            )
        )
    if problems:
        raise DataError(problems)


def levels_of(values: pd.Series) -> list[Any]:
    """Distinct non-missing values: category order for categoricals, else sorted."""
    present = values.dropna()
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = set(present.unique())
        return [c for c in values.cat.categories if c in used]
    uniques = pd.unique(present)
    try:
        return sorted(uniques)
    except TypeError:  # mixed types: sort by their text
        return sorted(uniques, key=str)
