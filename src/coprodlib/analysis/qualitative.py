"""Linking tensions, strategies and effects in coded interviews.

Tensions, coping strategies and effects are all codes on segments; "this tension was met with
this strategy and led to this effect" is their co-occurrence. The functions here count that,
at the unit of segment, participant, document or case, with vectorised group-bys and sparse
matrix products (no Python loops over segments), and return tidy DataFrames.

A segment coded with both values of a codebook tension, and with no code of that tension,
counts as that tension here, marked ``derived`` (see :mod:`.derived` for the rule). The
option ``derive_tensions=`` (or ``derive_tensions: false`` in ``dataset.yml``) turns that off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from .._checks import legacy_arguments
from ..contract.dataset import coding_segments
from ..errors import DataError
from .derived import codings_with_derived, derived_pairs

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "codings_of",
    "has_several_coders",
    "union_codings",
    "pair_counts",
    "cooccurrence",
    "chain",
    "strategy_profile",
    "aggregation",
    "aggregation_test",
    "UNITS",
    "AGGREGATION_CAVEAT",
    "STRATEGY_LEVELS",
]

#: What ``strategy_level=`` offers in :func:`chain` and :func:`strategy_profile`.
STRATEGY_LEVELS = ("family", "strategy")

#: Units at which co-occurrence can be counted, and the column that identifies each.
UNITS = {
    "segment": "segment_id",
    "participant": "participant_id",
    "document": "document_id",
    "case": "case_id",
}

_SEGMENT_ATTRS = ["segment_id", "case_id", "participant_id"]


# --------------------------------------------------------------------------- selections


def _entries(dataset: Dataset) -> pd.DataFrame:
    return dataset.codebook.frame.set_index("id")


def _select_codes(
    dataset: Dataset, spec: str | Sequence[str], argument: str
) -> tuple[str, list[str]]:
    """Turn a dimension name, ``"code"`` (every code) or a list of ids into (label, ids)."""
    entries = _entries(dataset)
    if isinstance(spec, str):
        if spec == "code":
            return "code", list(entries.index)
        dims = list(dict.fromkeys(entries["dimension"]))
        if spec not in dims:
            raise ValueError(
                f"{argument}={spec!r} is not a codebook dimension; use one of "
                f"{', '.join(dims)}, 'code' (every code), or a list of code ids"
            )
        return spec, list(entries.index[entries["dimension"] == spec])
    codes = [str(c) for c in spec]
    if not codes:
        raise ValueError(f"{argument} is an empty list; give at least one code id")
    unknown = [c for c in codes if c not in entries.index]
    if unknown:
        hints = []
        for c in unknown:
            sugg = dataset.codebook.suggest(c)
            hints.append(f"{c!r}" + (f" (did you mean {', '.join(sugg)}?)" if sugg else ""))
        raise ValueError(f"{argument} names codes the codebook does not have: {', '.join(hints)}")
    return "code", list(dict.fromkeys(codes))


def has_several_coders(codings: pd.DataFrame) -> bool:
    """Whether the codings name two or more coders (a vectorised test, no sort)."""
    if "coder" not in codings.columns:
        return False
    named = codings["coder"].dropna()
    return bool(len(named)) and bool((named != named.iloc[0]).any())


def union_codings(dataset: Dataset) -> pd.DataFrame:
    """``segment_id`` and ``code`` of the codings, one row per code and segment.

    The rule for a project coded by several coders: a code counts once per segment, however
    many coders gave it (the union of their codings), so that no count doubles. Segments that
    two coders made separately of one passage stay two segments; for one coder's counts use
    :func:`coprodlib.one_coder`. With one coder (or none named) the rows are as loaded.
    """
    codings = dataset.codings[["segment_id", "code"]]
    if has_several_coders(dataset.codings):
        codings = codings.drop_duplicates()
    return codings


def codings_of(
    dataset: Dataset,
    dimension: str | Sequence[str] | None = None,
    *,
    derive_tensions: bool | None = None,
) -> pd.DataFrame:
    """One row per coding, with the segment's case, participant and the participant's role.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load`.
    dimension : str or list of str, optional
        Keep only codes of this codebook dimension (or these code ids). ``None`` keeps all.
    derive_tensions : bool, optional
        Add a tension coding for every segment coded with both of its values and not with
        the tension (see :mod:`coprodlib.analysis.derived`). ``None`` follows
        ``derive_tensions`` in ``dataset.yml``, which is on unless the file says ``false``.

    Returns
    -------
    pandas.DataFrame
        Columns ``segment_id``, ``case_id``, ``participant_id``, ``document_id``, ``role``,
        ``role_group``, ``code``, ``dimension``, ``family``, ``favours``, ``desired`` and
        ``derived`` (True for a tension read from co-coded values); the coded rows first.

    Raises
    ------
    DataError
        When no coding is left of ``dimension``.

    Examples
    --------
    >>> import coprodlib as cp
    >>> ds = cp.load()
    >>> cp.codings_of(ds, "strategy")[["case_id", "code", "family"]].head(2)  # doctest: +SKIP
    """
    entries = _entries(dataset)
    codings = codings_with_derived(dataset, derive_tensions=derive_tensions)
    if has_several_coders(dataset.codings):  # a code counts once per segment (the union)
        codings = codings.drop_duplicates(["segment_id", "code"], ignore_index=True)
    if dimension is not None:
        _, ids = _select_codes(dataset, dimension, "dimension")
        codings = codings[codings["code"].isin(ids)]
        if codings.empty:
            raise DataError(f"the dataset has no codings of {dimension!r}", file="codings.csv")
    seg_cols = [c for c in [*_SEGMENT_ATTRS, "document_id"] if c in dataset.segments.columns]
    segs = dataset.segments[seg_cols].astype({c: str for c in seg_cols if c != "document_id"})
    out = codings.merge(segs, on="segment_id", how="left")
    if "document_id" not in out.columns:
        out["document_id"] = pd.NA
    parts = dataset.participants[["participant_id", "role"]].astype(str)
    out = out.merge(parts, on="participant_id", how="left")
    roots = _roots(dataset)
    out["role_group"] = out["role"].map(roots)
    for col in ("dimension", "family", "favours", "desired"):
        out[col] = out["code"].map(entries[col]) if col in entries.columns else pd.NA
    cols = [
        "segment_id",
        "case_id",
        "participant_id",
        "document_id",
        "role",
        "role_group",
        "code",
        "dimension",
        "family",
        "favours",
        "desired",
        "derived",
    ]
    return out[cols].reset_index(drop=True)


def _roots(dataset: Dataset) -> pd.Series:
    """Top ancestor of every codebook entry, climbing all entries one level per pass."""
    parent = _entries(dataset)["parent"]
    root = pd.Series(parent.index, index=parent.index)
    for _ in range(len(parent)):  # the tree is shallow: this ends after a few passes
        up = parent.reindex(root.to_numpy()).to_numpy()
        has = pd.notna(up)
        if not has.any():
            break
        root[has] = up[has]
    return root


# --------------------------------------------------------------------------- co-occurrence


def _overlap_groups(segments: pd.DataFrame) -> pd.Series:
    """Merge segments of one document whose [start, end) ranges overlap into one unit id."""
    need = {"document_id", "start", "end"}
    if not need.issubset(segments.columns) or segments[list(need)].isna().all().any():
        raise DataError(
            "overlap=True needs segments with document_id, start and end offsets; "
            "the dataset's segments table has none",
            file="segments.csv",
        )
    seg = segments[["segment_id", "document_id", "start", "end"]].copy()
    seg = seg.sort_values(["document_id", "start", "end", "segment_id"], kind="mergesort")
    start = seg["start"].to_numpy(dtype=float)
    end = seg["end"].to_numpy(dtype=float)
    doc = seg["document_id"].astype(str).to_numpy()
    # running maximum of end within each document; a new group starts where a segment
    # begins at or after everything before it in its document has ended
    reach = pd.Series(end).groupby(doc).cummax().to_numpy()
    prev_reach = np.r_[-np.inf, reach[:-1]]
    new_doc = np.r_[True, doc[1:] != doc[:-1]]
    new_group = new_doc | (start >= prev_reach) | np.isnan(start)
    group = np.cumsum(new_group)
    return pd.Series(group.astype(str), index=seg["segment_id"].astype(str).to_numpy())


@legacy_arguments(positional=["unit", "overlap"], renamed={"level": "count_as"})
def cooccurrence(
    dataset: Dataset,
    rows: str | Sequence[str],
    cols: str | Sequence[str],
    *,
    unit: str = "segment",
    overlap: bool = False,
    count_as: str = "code",
    derive_tensions: bool | None = None,
) -> pd.DataFrame:
    """Count how often codes of two dimensions occur together, with ATLAS.ti's c-coefficient.

    Two codes co-occur in a unit (a segment, a participant, a document or a case) when both
    are coded somewhere in it. For codes *a* and *b* with ``n_a`` and ``n_b`` units each and
    ``n`` units holding both, the c-coefficient is ``n / (n_a + n_b - n)``: 0 when they never
    meet, 1 when they always occur together.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load`.
    rows, cols : str or list of str
        A codebook dimension (``"tension"``, ``"strategy"``, ``"effect"``, ...), ``"code"``
        for every code, or a list of code ids.
    unit : {"segment", "participant", "document", "case"}
        What counts as one occasion of co-occurrence.
    overlap : bool
        With ``unit="segment"``, also count codes on *different* segments of the same document
        whose character ranges overlap: such segments are merged into one unit (chains of
        overlapping segments form one unit).
    count_as : {"code", "root"}
        ``"code"`` counts codes as coded. ``"root"`` first replaces every code by the top
        entry of its hierarchy (a strategy by its family: avoidance, escalation, trade-off,
        balancing; an effect by desired or undesired), so that a family counts every segment
        coded with it or with any strategy under it.
    derive_tensions : bool, optional
        Count a segment coded with both values of a tension (and not with the tension) as
        coded with it; ``None`` follows ``dataset.yml`` (on unless it says ``false``).

    Returns
    -------
    pandas.DataFrame
        One row per pair of codes (all pairs, zeros included), columns ``<rows>``, ``<cols>``
        (the dimension names; ``<name>_a``/``<name>_b`` when both are the same), ``n``
        (units with both), ``c`` (c-coefficient; NaN when neither code occurs), sorted in
        codebook order.

    Examples
    --------
    >>> import coprodlib as cp
    >>> ds = cp.load()
    >>> cp.cooccurrence(ds, "tension", "strategy").columns.tolist()
    ['tension', 'strategy', 'n', 'c']
    """
    if unit not in UNITS:
        raise ValueError(f"unit={unit!r} is not supported; use one of {', '.join(UNITS)}")
    if overlap and unit != "segment":
        raise ValueError(f"overlap=True applies to unit='segment' only, not unit={unit!r}")
    if count_as not in ("code", "root"):
        raise ValueError(f"count_as={count_as!r} is not supported; use 'code' or 'root'")
    row_name, row_ids = _select_codes(dataset, rows, "rows")
    col_name, col_ids = _select_codes(dataset, cols, "cols")
    roots = _roots(dataset) if count_as == "root" else None
    if roots is not None:
        row_ids = list(dict.fromkeys(roots.reindex(row_ids)))
        col_ids = list(dict.fromkeys(roots.reindex(col_ids)))
    if row_name == col_name:
        row_label, col_label = f"{row_name}_a", f"{col_name}_b"
    else:
        row_label, col_label = row_name, col_name

    wanted = list(dict.fromkeys(row_ids + col_ids))
    code_index = pd.Index(wanted)
    by_segment = (
        _segment_pairs(dataset, code_index, roots, derive_tensions)
        if unit == "segment" and not overlap
        else None
    )
    if by_segment is not None:
        unit_codes, code_pos, n_units = by_segment
    else:
        unit_codes, code_pos, n_units = _unit_pairs(
            dataset, code_index, roots, unit, overlap, derive_tensions
        )
    if not len(code_pos):
        raise DataError(
            f"no codings of rows={rows!r} or cols={cols!r} in the dataset", file="codings.csv"
        )
    incidence = sparse.csr_matrix(
        (np.ones(len(unit_codes), dtype=np.int64), (unit_codes, code_pos)),
        shape=(n_units, len(code_index)),
    )
    incidence.data[:] = 1  # duplicates were summed on construction; presence is what counts
    incidence = (incidence > 0).astype(np.int64)
    r_pos = code_index.get_indexer(row_ids)
    c_pos = code_index.get_indexer(col_ids)
    a = incidence[:, r_pos]
    b = incidence[:, c_pos]
    both, n_a, n_b, c = pair_counts(a, b)
    out = pd.DataFrame(
        {
            row_label: pd.Categorical(np.repeat(row_ids, len(col_ids)), categories=row_ids),
            col_label: pd.Categorical(np.tile(col_ids, len(row_ids)), categories=col_ids),
            "n": both.ravel(),
            "c": c.ravel(),
        }
    )
    return out


def pair_counts(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Co-occurrence of every column of ``a`` with every column of ``b``, two 0/1 sparse
    incidence matrices over the same units: the units holding both, the units of each, and
    the c-coefficient ``both / (n_a + n_b - both)`` (NaN where no unit holds either)."""
    both = (a.T @ b).toarray()
    n_a = np.asarray(a.sum(axis=0)).ravel()
    n_b = np.asarray(b.sum(axis=0)).ravel()
    denom = n_a[:, None] + n_b[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(denom > 0, both / np.where(denom > 0, denom, 1), np.nan)
    return both, n_a, n_b, c


def _unit_pairs(
    dataset: Dataset,
    code_index: pd.Index,
    roots: pd.Series | None,
    unit: str,
    overlap: bool,
    derive_tensions: bool | None,
) -> tuple[np.ndarray, np.ndarray, int]:
    """(unit, code) of each coding of a wanted code, units and codes as numbers: any unit,
    by the ids of the codings (derived tensions included)."""
    codings = codings_with_derived(dataset, derive_tensions=derive_tensions)
    if roots is not None:
        codings = codings.assign(code=codings["code"].astype(str).map(roots))
    codings = codings[codings["code"].astype(str).isin(code_index)]
    if codings.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0
    seg_ids = codings["segment_id"].astype(str)
    if unit == "segment" and overlap:
        units = seg_ids.map(_overlap_groups(dataset.segments))
    elif unit == "segment":
        units = seg_ids
    else:
        key = UNITS[unit]
        if key not in dataset.segments.columns:
            raise DataError(
                f"unit={unit!r} needs the column {key!r} in segments", file="segments.csv"
            )
        lookup = dataset.segments.set_index(dataset.segments["segment_id"].astype(str))[key]
        units = seg_ids.map(lookup.astype("string"))
    valid = units.notna().to_numpy()
    unit_codes, _ = pd.factorize(units[valid], sort=True)
    code_pos = code_index.get_indexer(codings["code"].astype(str)[valid])
    n_units = int(unit_codes.max()) + 1 if len(unit_codes) else 0
    return unit_codes, code_pos, n_units


def _segment_pairs(
    dataset: Dataset,
    code_index: pd.Index,
    roots: pd.Series | None,
    derive_tensions: bool | None,
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """:func:`_unit_pairs` for the unit of segment, on numbers only.

    Each coding's segment is its row in ``segments`` (found when the dataset was loaded:
    :func:`~coprodlib.contract.dataset.coding_segments`) and each code its position in the
    codebook, from the categorical ``code`` column; the derived tensions come from
    :func:`~.derived.derived_pairs`. No id is compared as text, which makes this the path of
    a million codings. A coding whose segment is missing from ``segments`` (or has no id)
    is a unit of its own, named by its id as text, as :func:`_unit_pairs` has it. ``None``
    when the codes are not categorical (codings not as loaded): then :func:`_unit_pairs`
    counts.
    """
    codes = dataset.codings["code"]
    seg_ids = dataset.codings["segment_id"]
    if not isinstance(codes.dtype, pd.CategoricalDtype):
        return None
    units = coding_segments(dataset)
    n_units = len(dataset.segments)
    unknown = units < 0
    if unknown.any():  # a coding of a segment missing from segments: a unit of its own
        extra, _ = pd.factorize(seg_ids[unknown].astype(str))
        units = units.copy()
        units[unknown] = n_units + extra
        n_units += int(extra.max()) + 1
    ids = pd.Index(dataset.codebook.frame["id"])
    of_category = ids.get_indexer(codes.cat.categories.astype(str))
    category = codes.cat.codes.to_numpy()
    entries = np.where(category >= 0, of_category[np.maximum(category, 0)], -1)
    d_units, d_entries = derived_pairs(
        dataset, units, entries, n_units, derive_tensions=derive_tensions
    )
    units = np.concatenate([units, d_units])
    entries = np.concatenate([entries, d_entries])
    if roots is not None:  # each code counts as the top entry of its hierarchy
        of_root = ids.get_indexer(roots.reindex(ids).astype(str))
        entries = np.where(entries >= 0, of_root[np.maximum(entries, 0)], -1)
    wanted_of_entry = code_index.get_indexer(ids)
    code_pos = np.where(entries >= 0, wanted_of_entry[np.maximum(entries, 0)], -1)
    keep = code_pos >= 0
    return units[keep], code_pos[keep], n_units


# --------------------------------------------------------------------------- the chain


_BY = {
    "case": "case_id",
    "role": "role",
    "role_group": "role_group",
    "participant": "participant_id",
}


def _by_columns(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    items = [by] if isinstance(by, str) else list(by)
    out = []
    for item in items:
        col = _BY.get(item, item)
        if col not in {*_BY.values()}:
            raise ValueError(f"by={item!r} is not supported; use one of {', '.join(sorted(_BY))}")
        out.append(col)
    return out


@legacy_arguments(renamed={"level": "strategy_level"})
def chain(
    dataset: Dataset,
    *,
    by: str | Sequence[str] | None = None,
    strategy_level: str = "family",
    derive_tensions: bool | None = None,
) -> pd.DataFrame:
    """Count tension -> strategy -> effect paths coded on the same segments.

    Every segment contributes one path for each combination of a tension, a strategy and an
    effect coded on it. A segment coded with a tension and a strategy but no effect gives a path
    whose ``effect`` is missing (and likewise for the other two), so nothing coded is dropped.

    Parameters
    ----------
    dataset : Dataset
    by : {"case", "role", "role_group", "participant"} or a list of them, optional
        Count paths within these groups.
    strategy_level : {"family", "strategy"}
        Report strategies by their family (avoidance, escalation, trade-off, balancing; the
        default, as in :func:`strategy_profile`), or as coded.
    derive_tensions : bool, optional
        Count a segment coded with both values of a tension (and not with the tension) as
        coded with it; ``None`` follows ``dataset.yml`` (on unless it says ``false``).

    Returns
    -------
    pandas.DataFrame
        Columns ``[by...]``, ``tension``, ``strategy``, ``effect``, ``n``; sorted by the groups
        and then by decreasing ``n``.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.chain(cp.load(), by="case").columns.tolist()
    ['case_id', 'tension', 'strategy', 'effect', 'n']
    """
    _check_strategy_level(strategy_level)
    by_cols = _by_columns(by)
    long = codings_of(dataset, derive_tensions=derive_tensions)
    long = long[long["dimension"].isin(["tension", "strategy", "effect"])]
    if long.empty:
        raise DataError(
            "the dataset has no tension, strategy or effect codings", file="codings.csv"
        )
    if strategy_level == "family":
        is_strat = long["dimension"] == "strategy"
        long.loc[is_strat, "code"] = long.loc[is_strat, "family"]
    keys = ["segment_id", *by_cols]
    seg = long[keys].drop_duplicates()
    for dim in ("tension", "strategy", "effect"):
        part = long.loc[long["dimension"] == dim, ["segment_id", "code"]].drop_duplicates()
        part = part.rename(columns={"code": dim})
        seg = seg.merge(part, on="segment_id", how="left")
    seg = seg.dropna(subset=["tension", "strategy", "effect"], how="all")
    counted = (
        seg.fillna({d: "(none)" for d in ("tension", "strategy", "effect")})
        .groupby([*by_cols, "tension", "strategy", "effect"], sort=True, observed=True)
        .size()
        .rename("n")
        .reset_index()
    )
    for dim in ("tension", "strategy", "effect"):
        counted[dim] = counted[dim].replace("(none)", pd.NA)
    counted = counted.sort_values(
        [*by_cols, "n", "tension", "strategy", "effect"],
        ascending=[True] * len(by_cols) + [False, True, True, True],
        kind="mergesort",
    )
    return counted.reset_index(drop=True)


# --------------------------------------------------------------------------- profiles


@legacy_arguments(renamed={"level": "strategy_level"})
def strategy_profile(
    dataset: Dataset,
    *,
    by: str | Sequence[str] = ("case", "role_group"),
    strategy_level: str = "family",
) -> pd.DataFrame:
    """Share of each coping strategy (or family) within groups of cases and roles.

    Parameters
    ----------
    dataset : Dataset
    by : str or list of str
        Groups: any of ``"case"``, ``"role"``, ``"role_group"``, ``"participant"``.
    strategy_level : {"family", "strategy"}
        Profile strategy families (the default, as in :func:`chain`) or strategies as coded.

    Returns
    -------
    pandas.DataFrame
        Columns ``[by...]``, ``<strategy_level>`` (``family`` or ``strategy``), ``n``, ``share`` (share within the group; each
        group's shares sum to 1). Every level of the strategy dimension appears in every group,
        with zero counts where none was coded, so profiles line up across groups.

    Examples
    --------
    >>> import coprodlib as cp
    >>> prof = cp.strategy_profile(cp.load(), by="role_group")
    >>> prof.groupby("role_group")["share"].sum().round(6).unique().tolist()
    [1.0]
    """
    _check_strategy_level(strategy_level)
    level = strategy_level
    by_cols = _by_columns(by)
    if not by_cols:
        raise ValueError("by must name at least one grouping, e.g. by='role_group'")
    long = codings_of(dataset, "strategy")
    col = "family" if level == "family" else "code"
    levels = (
        _families(dataset)
        if level == "family"
        else _entries(dataset).index[_entries(dataset)["dimension"] == "strategy"].tolist()
    )
    long = long.assign(**{level: pd.Categorical(long[col], categories=levels)})
    counts = long.groupby([*by_cols, level], observed=False, sort=True).size().rename("n")
    counts = counts.reset_index()
    totals = counts.groupby(by_cols, observed=True)["n"].transform("sum")
    counts = counts[totals > 0].copy()
    counts["share"] = counts["n"] / totals[totals > 0]
    return counts.reset_index(drop=True)


def _families(dataset: Dataset) -> list[str]:
    """The strategy families (top-level strategies) in codebook order."""
    entries = _entries(dataset)
    top = (entries["dimension"] == "strategy") & entries["parent"].isna()
    return entries.index[top].tolist()


def _check_strategy_level(strategy_level: str) -> None:
    if strategy_level not in STRATEGY_LEVELS:
        raise ValueError(
            f"strategy_level={strategy_level!r} is not supported; use 'family' or 'strategy'"
        )


# --------------------------------------------------------------------------- aggregation


AGGREGATION_CAVEAT = (
    "With only a handful of cases a rank correlation is fragile: one case can change its sign, "
    "and it describes cases, not the actors inside them. Read it as a pattern to examine, "
    "not as evidence of a causal link."
)


def aggregation(dataset: Dataset) -> pd.DataFrame:
    """Per case: how much coping favours one value, and how many effects are undesired.

    The ICVC dissertation [jaspers2021d] argues that when coping which favours one value
    of a pair piles up across the actors of a case, undesired effects become more likely. This
    table gives, per case, the share of strategy codings marked ``favours == "one"`` and the
    share of effect codings that are undesired.

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id``, ``n_strategies``, ``n_one_sided``, ``share_one_sided``,
        ``n_effects``, ``n_undesired``, ``share_undesired``; one row per case.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.aggregation(cp.load()).columns.tolist()[:4]
    ['case_id', 'n_strategies', 'n_one_sided', 'share_one_sided']
    """
    long = codings_of(dataset)
    strat = long[long["dimension"] == "strategy"]
    eff = long[long["dimension"] == "effect"]
    cases = pd.Index(sorted(dataset.cases["case_id"].astype(str)), name="case_id")
    out = pd.DataFrame(index=cases)
    out["n_strategies"] = strat.groupby("case_id").size().reindex(cases, fill_value=0)
    out["n_one_sided"] = (
        strat.assign(one=strat["favours"].eq("one")).groupby("case_id")["one"].sum()
    ).reindex(cases, fill_value=0)
    desired = eff["desired"].astype("boolean")
    out["n_effects"] = eff.groupby("case_id").size().reindex(cases, fill_value=0)
    # effects without a desired/undesired mark (roots of local codes) do not count as undesired
    out["n_undesired"] = (
        eff.assign(undesired=desired.eq(False).fillna(False)).groupby("case_id")["undesired"].sum()
    ).reindex(cases, fill_value=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        for share, part, whole in (
            ("share_one_sided", "n_one_sided", "n_strategies"),
            ("share_undesired", "n_undesired", "n_effects"),
        ):
            num = out[part].to_numpy(dtype="float64")
            den = out[whole].to_numpy(dtype="float64")
            out[share] = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    cols = [
        "n_strategies",
        "n_one_sided",
        "share_one_sided",
        "n_effects",
        "n_undesired",
        "share_undesired",
    ]
    return out[cols].astype({c: "int64" for c in cols if c.startswith("n_")}).reset_index()


def aggregation_test(table: pd.DataFrame) -> pd.DataFrame:
    """Spearman rank correlation between one-sided coping and undesired effects across cases.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`aggregation`.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_cases``, ``rho``, ``pval``, ``caveat``. ``rho`` and ``pval`` are NaN with
        fewer than three cases that have both strategies and effects coded.

    Examples
    --------
    >>> import coprodlib as cp
    >>> res = cp.aggregation_test(cp.aggregation(cp.load()))
    >>> list(res.columns)
    ['n_cases', 'rho', 'pval', 'caveat']
    """
    from scipy import stats

    need = {"share_one_sided", "share_undesired"}
    if not need.issubset(table.columns):
        missing = ", ".join(sorted(need - set(table.columns)))
        raise ValueError(f"table lacks the column(s) {missing}; pass the output of aggregation()")
    usable = table.dropna(subset=list(need))
    n = len(usable)
    if (
        n >= 3
        and usable["share_one_sided"].nunique() > 1
        and usable["share_undesired"].nunique() > 1
    ):
        res = stats.spearmanr(usable["share_one_sided"], usable["share_undesired"])
        rho, pval = float(res.statistic), float(res.pvalue)
    else:
        rho = pval = float("nan")
    return pd.DataFrame(
        {"n_cases": [n], "rho": [rho], "pval": [pval], "caveat": [AGGREGATION_CAVEAT]}
    )
