"""Value tensions read from the values coded on a segment.

Many projects do not code a tension as such: they code the two public values that clash (say
inclusiveness and accountability) on one segment, with the coping strategy beside it. The
codebook knows the two values of every tension (``value_a``, ``value_b``), so such a segment
can count as that tension. This module finds those segments; the analyses of
:mod:`.qualitative` add them to the codings they count, marked ``derived``.

The rule
--------
A segment counts as tension *T* (derived) when

* it carries a code that is ``value_a`` of *T* or sits under it in the codebook, and a code
  that is ``value_b`` of *T* or sits under it (a local code mapped or attached to a value
  counts as that value), and
* it carries no code of *T* itself (neither *T* nor a finer code under *T*).

A segment that carries some *other* tension still gets *T*: coders often name the tension
they were asked about and leave the second one implicit. A tension that sits under another
tension (a finer local code) is never derived: its parent is, so one pair of values gives
one tension.

The rule is on by default; ``derive_tensions: false`` in the dataset's ``dataset.yml``
turns it off, and the ``derive_tensions=`` option of the analyses overrides the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import fail

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "DERIVED_COLUMNS",
    "derive_setting",
    "derived_tensions",
    "derived_pairs",
    "codings_with_derived",
    "tension_sources_text",
]

#: The columns of :func:`derived_tensions`.
DERIVED_COLUMNS = ["segment_id", "case_id", "tension", "value_a", "value_b"]

_KEY = "derive_tensions"


def derive_setting(dataset: Dataset, derive_tensions: bool | None = None) -> bool:
    """Whether tensions are derived from co-coded values for this dataset.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load`.
    derive_tensions : bool, optional
        An explicit choice, which wins; ``None`` reads ``derive_tensions`` from the dataset's
        ``dataset.yml`` (``true`` when the key is absent).

    Returns
    -------
    bool

    Raises
    ------
    DataError
        When ``dataset.yml`` gives ``derive_tensions`` a value other than true or false.
    TypeError
        When ``derive_tensions`` is neither a bool nor None.
    """
    if derive_tensions is not None:
        if not isinstance(derive_tensions, bool):
            raise TypeError(
                f"derive_tensions must be True, False or None, not {type(derive_tensions).__name__}"
            )
        return derive_tensions
    meta = getattr(dataset, "meta", None) or {}
    value: Any = meta.get(_KEY, True)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise fail(
        "dataset.yml",
        "true or false (whether a segment coded with both values of a tension counts as "
        "that tension)",
        value=value if isinstance(value, str | int | float) else repr(value),
        column=_KEY,
    )


def _ancestry(parent: pd.Series) -> pd.DataFrame:
    """Every (code, ancestor) pair of the codebook, a code being its own first ancestor."""
    pairs = pd.DataFrame({"code": parent.index, "ancestor": parent.index})
    step = pd.DataFrame({"code": parent.index, "ancestor": parent.to_numpy()})
    found = [pairs]
    for _ in range(len(parent)):  # the tree is shallow: this ends after a few passes
        step = step.dropna(subset=["ancestor"])
        if step.empty:
            break
        found.append(step)
        up = parent.reindex(step["ancestor"].to_numpy()).to_numpy()
        step = pd.DataFrame({"code": step["code"].to_numpy(), "ancestor": up})
    return pd.concat(found, ignore_index=True).drop_duplicates()


def _tensions(entries: pd.DataFrame) -> pd.DataFrame:
    """The tensions that can be derived: top-level tensions (within their dimension) that name
    two values."""
    if not {"value_a", "value_b"} <= set(entries.columns):
        return pd.DataFrame(columns=["tension", "value_a", "value_b"])
    is_tension = entries["dimension"] == "tension"
    parent_is_tension = entries["parent"].map(entries["dimension"]).eq("tension")
    keep = is_tension & ~parent_is_tension & entries["value_a"].notna() & entries["value_b"].notna()
    out = entries.loc[keep, ["value_a", "value_b"]].astype(str)
    return out.rename_axis("tension").reset_index()


def derived_tensions(dataset: Dataset, *, derive_tensions: bool | None = None) -> pd.DataFrame:
    """The segments that count as a tension because both of its values are coded on them.

    See the module's notes for the rule: both values of a codebook tension (or codes under
    them) on one segment, and no code of that tension there.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load`.
    derive_tensions : bool, optional
        ``None`` (the default) follows ``derive_tensions`` in ``dataset.yml`` (on unless the
        file says ``false``); ``False`` gives an empty table, ``True`` lists them regardless.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``case_id``, ``tension``, ``value_a``, ``value_b``; one row per
        segment and derived tension, sorted by case, segment and the codebook's order of
        tensions.

    Examples
    --------
    >>> import coprodlib as cp
    >>> from coprodlib.analysis.derived import derived_tensions
    >>> derived_tensions(cp.load()).columns.tolist()
    ['segment_id', 'case_id', 'tension', 'value_a', 'value_b']
    """
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in DERIVED_COLUMNS})
    if not derive_setting(dataset, derive_tensions):
        return empty
    entries = dataset.codebook.frame.set_index("id")
    tensions = _tensions(entries)
    if tensions.empty:
        return empty
    coded = dataset.codings[["segment_id", "code"]].astype(str).drop_duplicates()
    # each coding under every codebook entry it is or sits under
    under = coded.merge(_ancestry(entries["parent"]), on="code")[["segment_id", "ancestor"]]
    under = under.drop_duplicates()
    has_a = under.merge(tensions, left_on="ancestor", right_on="value_a")
    has_b = under.merge(tensions, left_on="ancestor", right_on="value_b")
    both = has_a[["segment_id", "tension"]].merge(has_b[["segment_id", "tension"]])
    already = under.rename(columns={"ancestor": "tension"})
    both = both.merge(already, how="left", indicator=True)
    found = both.loc[both["_merge"] == "left_only", ["segment_id", "tension"]].drop_duplicates()
    if found.empty:
        return empty
    found = found.merge(tensions, on="tension")
    segs = dataset.segments[["segment_id", "case_id"]].astype(str)
    found = found.merge(segs, on="segment_id", how="left")
    order = {t: i for i, t in enumerate(tensions["tension"])}
    found = found.assign(_order=found["tension"].map(order))
    found = found.sort_values(["case_id", "segment_id", "_order"], kind="mergesort")
    return found[DERIVED_COLUMNS].reset_index(drop=True)


def derived_pairs(
    dataset: Dataset,
    units: np.ndarray,
    entries: np.ndarray,
    n_units: int,
    *,
    derive_tensions: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The derived tensions of :func:`derived_tensions`, from codings given as numbers.

    The same rule, counted with sparse matrices instead of merges of ids: which units hold a
    code under each codebook entry is one product of the codings (unit by code) with the
    codebook's ancestry (code by ancestor), and a tension is derived where both of its values
    are held and the tension is not.

    Parameters
    ----------
    dataset : Dataset
        Gives the codebook and the ``derive_tensions`` setting.
    units : numpy.ndarray
        Per coding, its unit (a segment) as a number from 0 to ``n_units - 1``.
    entries : numpy.ndarray
        Per coding, the position of its code in ``dataset.codebook.frame`` (-1: none).
    n_units : int
        How many units there are.
    derive_tensions : bool, optional
        As in :func:`derived_tensions`.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The unit and the tension's position in the codebook frame of each derived tension,
        one pair per unit and tension.
    """
    from scipy import sparse

    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    if not derive_setting(dataset, derive_tensions):
        return none
    frame = dataset.codebook.frame.set_index("id")
    tensions = _tensions(frame)
    if tensions.empty:
        return none
    ids = frame.index
    pairs = _ancestry(frame["parent"])
    code, ancestor = ids.get_indexer(pairs["code"]), ids.get_indexer(pairs["ancestor"])
    keep = (code >= 0) & (ancestor >= 0)
    n = len(ids)
    ancestry = sparse.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.int32), (code[keep], ancestor[keep])), shape=(n, n)
    )
    t_pos, a_pos, b_pos = (ids.get_indexer(tensions[c]) for c in ("tension", "value_a", "value_b"))
    known = (t_pos >= 0) & (a_pos >= 0) & (b_pos >= 0)
    t_pos, a_pos, b_pos = t_pos[known], a_pos[known], b_pos[known]
    if not len(t_pos):
        return none
    needed = np.unique(np.concatenate([t_pos, a_pos, b_pos]))
    up = ancestry[:, needed]
    # only codings under a tension or one of its values can matter
    matters = np.asarray(up.sum(axis=1)).ravel() > 0
    coded = (entries >= 0) & matters[np.maximum(entries, 0)]
    held = sparse.csr_matrix(
        (np.ones(int(coded.sum()), dtype=np.int32), (units[coded], entries[coded])),
        shape=(n_units, n),
    )
    under = (held @ up).toarray() > 0  # the unit holds a code under the entry
    col = {int(e): k for k, e in enumerate(needed)}
    out_units, out_tensions = [], []
    for t, a, b in zip(t_pos, a_pos, b_pos, strict=True):
        found = np.flatnonzero(under[:, col[a]] & under[:, col[b]] & ~under[:, col[t]])
        out_units.append(found)
        out_tensions.append(np.full(len(found), t, dtype=np.int64))
    return np.concatenate(out_units).astype(np.int64), np.concatenate(out_tensions)


def codings_with_derived(dataset: Dataset, *, derive_tensions: bool | None = None) -> pd.DataFrame:
    """The dataset's codings with the derived tensions added as codings of their own.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load`.
    derive_tensions : bool, optional
        As in :func:`derived_tensions`.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``code`` (text) and ``derived`` (bool: True for a tension
        read from co-coded values); the coded rows first, in the order of the codings table.
    """
    coded = dataset.codings[["segment_id", "code"]].astype(str).assign(derived=False)
    found = derived_tensions(dataset, derive_tensions=derive_tensions)
    if found.empty:
        return coded.reset_index(drop=True)
    extra = pd.DataFrame(
        {"segment_id": found["segment_id"], "code": found["tension"], "derived": True}
    )
    return pd.concat([coded, extra], ignore_index=True)


def tension_sources_text(dataset: Dataset, *, derive_tensions: bool | None = None) -> str:
    """One sentence for a report: how many tension codings were coded and how many derived.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load` (or one case of it).
    derive_tensions : bool, optional
        As in :func:`derived_tensions`.

    Returns
    -------
    str
        E.g. ``"Tension codings: 12 coded, 3 derived from segments coded with both values
        of a tension."`` (a segment and tension count once); when derivation is off, the
        sentence says so.

    Examples
    --------
    >>> import coprodlib as cp
    >>> from coprodlib.analysis.derived import tension_sources_text
    >>> tension_sources_text(cp.load())  # doctest: +ELLIPSIS
    'Tension codings: 557 coded, 0 derived from segments coded with both values of a tension.'
    """
    on = derive_setting(dataset, derive_tensions)
    codings = dataset.codings[["segment_id", "code"]].astype(str).drop_duplicates()
    dims = dataset.codebook.frame.set_index("id")["dimension"]
    n_coded = int(codings["code"].map(dims).eq("tension").sum())
    if not on:
        return (
            f"Tension codings: {n_coded} coded; none derived from co-coded values "
            f"(switched off: derive_tensions is false)."
        )
    n_derived = len(derived_tensions(dataset, derive_tensions=True))
    return (
        f"Tension codings: {n_coded} coded, {n_derived} derived from segments coded with "
        f"both values of a tension."
    )
