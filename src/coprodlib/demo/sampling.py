"""The small tools every step of the demo model shares: random streams, draws, ids, checks.

One seed is split into four independent random generators (:func:`streams`), one each for the
case structure, the codings, the survey and the double coding, so that a change in one part of
the model leaves the draws of the others alone. :func:`draw` picks one category per row of a
weight matrix in a single array operation, which is what lets the model avoid Python loops over
rows.

>>> import numpy as np
>>> rng = streams(1)[0]
>>> draw(rng, np.array([[0.0, 1.0], [1.0, 0.0]])).tolist()
[1, 0]
>>> zfill(np.array([7, 12]), id_width(12, 3)).tolist()
['007', '012']
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["check_count", "draw", "id_width", "streams", "within_group_rank", "zfill"]


def streams(seed: int) -> list[np.random.Generator]:
    """Four independent generators, for structure, codings, survey and double coding.

    Raises
    ------
    ValueError
        ``seed`` is not a whole number of at least 0.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: give a whole number >= 0")
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(4)]


def draw(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """The index of one category per row of ``weights``, drawn in proportion to the row.

    The rows need not sum to one; one uniform number is used per row.
    """
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def zfill(numbers: np.ndarray, width: int) -> pd.Series:
    """The numbers as text, padded with leading zeros to ``width`` digits."""
    return pd.Series(numbers).astype(str).str.zfill(width)


def id_width(n: int, least: int) -> int:
    """Digits needed to number up to ``n``, but never fewer than ``least``."""
    return max(least, len(str(max(int(n), 1))))


def check_count(name: str, value: Any, least: int) -> int:
    """``value`` as an int, if it is a whole number of at least ``least``; else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{name}={value!r}: give a whole number >= {least}")
    return int(value)


def within_group_rank(groups: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order by (group, key), and each element's 0-based rank within its group in it."""
    order = np.lexsort((key, groups))
    g = groups[order]
    first = np.r_[True, g[1:] != g[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    return order, np.arange(len(g)) - start
