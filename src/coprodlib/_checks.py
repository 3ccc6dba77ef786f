"""Checks of analysis arguments shared by every analysis and plot: is ``data`` a DataFrame,
does it have the columns the arguments name and rows, are summed weights numbers, which levels
does a column hold, and what keeps calls written for an older signature or under an older
function name working."""

from __future__ import annotations

import difflib
import functools
import inspect
import textwrap
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import pandas as pd

from .errors import DataError, Problem, fail

__all__ = [
    "data_label",
    "require_frame",
    "require_columns",
    "require_data",
    "check_weights",
    "levels_of",
    "legacy_arguments",
    "renamed_function",
]

F = TypeVar("F", bound=Callable[..., Any])


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


def require_data(data: Any, function: str, **columns: str | Sequence[str] | None) -> pd.DataFrame:
    """``data`` if it is a DataFrame with at least one row and every column the arguments name
    (an argument may name several; ``None`` names none), else the error saying which. A
    ``weights`` column must hold a number in every row (:func:`check_weights`)."""
    require_frame(data, function)
    problems = []
    for argument, names in columns.items():
        for column in [names] if names is None or isinstance(names, str) else names:
            try:
                require_columns(data, {argument: column})
            except DataError as error:
                problems += error.problems
    if problems:
        raise DataError(problems)
    if data.empty:
        raise fail(data_label(data), f"data= to hold at least one row for {function}()", "empty")
    weights = columns.get("weights")
    if isinstance(weights, str):
        check_weights(data, weights)
    return data


def check_weights(data: pd.DataFrame, weights: str) -> None:
    """Weights are summed: a missing or non-numeric weight must not count as zero."""
    values = pd.to_numeric(data[weights], errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        first = int(bad.argmax())
        expected = (
            f"a number in every row of weights= ({bad.sum()} row(s) empty or not a number; "
            "write 0 for a cell with no observations)"
        )
        raise DataError(
            Problem(
                file=data_label(data),
                index=data.index[first],
                column=weights,
                value=data[weights].iloc[first],
                expected=expected,
                kind="missing_value",
            )
        )


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


def legacy_arguments(
    *, positional: Sequence[str] = (), renamed: Mapping[str, str] | None = None
) -> Callable[[F], F]:
    """Keep calls written for an older signature working, each with a DeprecationWarning.

    ``positional`` names, in order, the options that used to be accepted by position and are
    keyword-only now; ``renamed`` maps an old keyword to its new name. Passing an option both
    ways is a :class:`TypeError`.

    Examples
    --------
    >>> import warnings
    >>> @legacy_arguments(positional=["unit"], renamed={"level": "roll_up"})
    ... def count(data, *, unit="segment", roll_up=False):
    ...     return unit, roll_up
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     count(None, "case", level=True), len(caught)
    (('case', True), 2)
    """
    renamed = dict(renamed or {})

    def decorate(function: F) -> F:
        params = inspect.signature(function).parameters.values()
        by_position = [
            p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        n_positional = len(by_position)
        name = function.__name__

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            extra = args[n_positional:]
            if len(extra) > len(positional):
                raise TypeError(
                    f"{name}() takes {n_positional + len(positional)} positional arguments "
                    f"but {len(args)} were given"
                )
            for option, value in zip(positional, extra, strict=False):
                if option in kwargs:
                    raise TypeError(f"{name}() got {option}= both by position and by name")
                warnings.warn(
                    f"{name}(): pass {option}= by name; options after the data and column "
                    "arguments are keyword-only",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[option] = value
            for old, new in renamed.items():
                if old not in kwargs:
                    continue
                if new in kwargs or new in by_position[: len(args)]:
                    raise TypeError(f"{name}() got both {old}= (the old name) and {new}=")
                warnings.warn(
                    f"{name}(): {old}= is now called {new}=", DeprecationWarning, stacklevel=2
                )
                kwargs[new] = kwargs.pop(old)
            return function(*args[:n_positional], **kwargs)

        if renamed:
            wrapper.__doc__ = _with_old_spellings(function.__doc__ or "", renamed)
        return wrapper  # type: ignore[return-value]

    return decorate


def _with_old_spellings(doc: str, renamed: Mapping[str, str]) -> str:
    """A numpydoc docstring with a Notes section (before Examples) listing the old keywords."""
    old_names = ", ".join(f"``{old}=`` (now ``{new}=``)" for old, new in renamed.items())
    note = f"Old spellings still accepted, with a DeprecationWarning: {old_names}."
    note = textwrap.fill(note, 92, initial_indent=" " * 4, subsequent_indent=" " * 4)
    head, examples, rest = doc.partition("\n    Examples\n")
    return f"{head.rstrip()}\n\n    Notes\n    -----\n{note}\n{examples}{rest}"


def renamed_function(function: F, old: str, *, module: str, note: str = "") -> F:
    """``function`` under its name of before, ``old``, warning that it has a new one.

    Examples
    --------
    >>> import warnings
    >>> def total(values):
    ...     return sum(values)
    >>> add_up = renamed_function(total, "add_up", module="example")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     add_up([1, 2]), str(caught[0].message)
    (3, 'example.add_up() is now called total()')
    """
    message = f"{module}.{old}() is now called {function.__name__}(){note}"

    @functools.wraps(function)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warnings.warn(message, DeprecationWarning, stacklevel=2)
        return function(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated name of :func:`{function.__name__}`."
    return alias  # type: ignore[return-value]
