"""A starter ``scales.yml`` guessed from a survey file, for the researcher to check.

``coprod import survey`` without ``--scales`` (and without a ``scales.yml`` in the folder)
writes one, so that a plain import validates and the survey notebook runs on the file's own
items. The guess is deliberately plain, and the file says what was guessed:

- a **Likert item** is a column of whole numbers; a group of them is a scale when their
  joint range is small (3 to 11 points) and starts at 0 or 1. With SPSS value labels the range is that of the labels (codes declared
  missing left out), otherwise that of the answers; SPSS columns measured as nominal are
  categories, not items;
- items are **grouped by their shared name stem**: ``se1``, ``se2``, ``se3`` form ``se``;
  Qualtrics' ``Q3_1``, ``Q3_2`` form ``q3``. A group needs two items or more; a lone item
  stays a plain column;
- **reversed items are not guessed**: the file lists none and its comment asks the
  researcher to mark them, since the wording decides, not the numbers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = ["StarterScale", "guess_scales", "starter_yaml"]

_STEM = re.compile(r"^(?P<stem>.*?[A-Za-z][A-Za-z0-9]*?)[_.\-]?(?P<number>\d+)$")
_MIN_POINTS, _MAX_POINTS = 3, 11


@dataclass(frozen=True)
class StarterScale:
    """One guessed scale: its name, items, range and where the range came from."""

    name: str
    stem: str
    items: tuple[str, ...]
    low: int
    high: int
    source: str


def _whole(values: pd.Series) -> np.ndarray | None:
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    vals = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if vals.size == 0 or not np.all(np.isfinite(vals)) or not np.all(vals == np.round(vals)):
        return None
    return vals


def _item_range(
    values: pd.Series, labels: Mapping[Any, str] | None, measure: str | None
) -> tuple[int, int, str] | None:
    """(low, high, source) when the column looks like a Likert item, else None."""
    if measure == "nominal":
        return None
    vals = _whole(values)
    if vals is None:
        return None
    codes = [float(k) for k in (labels or {}) if isinstance(k, (int, float, np.number))]
    if codes:
        low, high, source = min(codes), max(codes), "value labels"
        if vals.min() < low or vals.max() > high:
            return None
    else:
        low, high, source = float(vals.min()), float(vals.max()), "answers"
    if low < 0 or high - low + 1 > _MAX_POINTS:
        return None
    return int(low), int(high), source


def _scale_name(stem: str, taken: set[str]) -> str:
    name = re.sub(r"[^0-9A-Za-z]+", "_", stem).strip("_").lower() or "scale"
    if name[0].isdigit():
        name = f"scale_{name}"
    base, k = name, 2
    while name in taken:
        name = f"{base}_scale" if k == 2 else f"{base}_scale{k}"
        k += 1
    return name


def guess_scales(
    data: pd.DataFrame,
    *,
    value_labels: Mapping[str, Mapping[Any, str]] | None = None,
    measure: Mapping[str, str] | None = None,
    exclude: set[str] | frozenset[str] = frozenset(),
) -> list[StarterScale]:
    """Multi-item Likert scales guessed from a survey's columns (see the module text).

    Parameters
    ----------
    data : DataFrame
        The survey as it will be written (missing codes already empty).
    value_labels, measure : mapping, optional
        What an SPSS file says: column -> {code: label}, column -> measurement level.
    exclude : set of str
        Columns that are never items (the respondent id, the condition, the choice).

    Returns
    -------
    list of StarterScale
        In the order of their first item.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"se1": [1, 4, 5], "se2": [2, 5, 3], "age": [34, 51, 29],
    ...                       "Q3_1": [0, 3, 2], "Q3_2": [1, 2, 3]})
    >>> [(s.name, s.items, s.low, s.high) for s in guess_scales(frame)]
    [('se', ('se1', 'se2'), 1, 5), ('q3', ('Q3_1', 'Q3_2'), 0, 3)]
    """
    value_labels, measure = value_labels or {}, measure or {}
    groups: dict[str, list[tuple[str, tuple[int, int, str]]]] = {}
    for col in data.columns:
        name = str(col)
        match = _STEM.match(name)
        if name in exclude or match is None:
            continue
        found = _item_range(data[col], value_labels.get(name), measure.get(name))
        if found is not None:
            groups.setdefault(match["stem"], []).append((name, found))
    taken = {str(c) for c in data.columns}
    scales = []
    for stem, members in groups.items():
        if len(members) < 2:
            continue
        low = min(r[0] for _, r in members)
        high = max(r[1] for _, r in members)
        if low not in (0, 1) or not _MIN_POINTS <= high - low + 1 <= _MAX_POINTS:
            continue
        sources = {r[2] for _, r in members}
        source = sources.pop() if len(sources) == 1 else "value labels and answers"
        name = _scale_name(stem, taken)
        taken.add(name)
        items = tuple(m for m, _ in members)
        scales.append(StarterScale(name, stem, items, low, high, source))
    return scales


def starter_yaml(
    scales: list[StarterScale], *, source_file: str, missing: Mapping[str, str] | None = None
) -> str:
    """The text of a starter ``scales.yml``: a comment on what was guessed, then the scales.

    ``missing`` maps column -> the codes the file declared missing (as text), named in the
    comment so the researcher sees they were left empty.
    """
    lines = [
        f"# Starter scales written by `coprod import survey` from {source_file}.",
        "# Guessed, not known: check every scale before you report it.",
        "# - items were grouped by their shared name stem; move or remove items as needed;",
        "# - each scale's range (low, high) comes from the value labels or, without them,",
        "#   from the answers given, which may not reach the ends of the scale;",
        "# - reversed items are NOT marked: list the items worded in the opposite direction",
        "#   under `reversed:` (scored as low + high - answer);",
        "# - min_answered (fewest items answered for a score) is left at its default, all items.",
    ]
    if missing:
        declared = "; ".join(f"{c}: {codes}" for c, codes in missing.items())
        lines.append(f"# Codes the file declares missing were left empty: {declared}.")
    body = {
        "scales": {
            s.name: {
                "label": s.stem,
                "items": list(s.items),
                "reversed": [],
                "low": s.low,
                "high": s.high,
            }
            for s in scales
        }
    }
    dumped = yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return "\n".join(lines) + "\n" + dumped
