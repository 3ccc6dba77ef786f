"""Intercoder reliability: how far independent coders agree on the same units.

Reliability data are long: one row per unit (a segment), coder and value. Coders may skip
units (missing values). :func:`agreement` reports Krippendorff's alpha, mean pairwise Cohen's
kappa and percent agreement; :func:`code_agreement` handles the QDA shape where a coder can put
*several* codes on one segment, by turning it into one present/absent decision per code, so a
team sees which code definitions need sharpening. Everything is computed with group-bys,
merges and crosstabs; Krippendorff's alpha comes from the ``krippendorff`` package, fed with
the unit-by-value count matrix. Errors follow the rule stated in
:mod:`coprodlib.analysis.contingency`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from .._checks import data_label, legacy_arguments, require_columns, require_frame
from ..errors import DataError, Problem

__all__ = ["agreement", "code_agreement", "code_decisions", "cohen_kappa", "MEASUREMENTS"]

#: Levels of measurement accepted by :func:`agreement` (Krippendorff's metrics).
MEASUREMENTS = ("nominal", "ordinal", "interval", "ratio")

_G = "_group_"  # constant grouping key when by is None
_V = "_value_"  # value as a number (level index for nominal data)
_C = "_coder_"  # coder as an integer, so pairs can be ordered


def _as_list(arg: Hashable | Sequence[Hashable] | None) -> list[Hashable]:
    if arg is None:
        return []
    if isinstance(arg, str) or not isinstance(arg, Sequence):
        return [arg]
    return list(arg)


def _numeric_values(values: pd.Series, level: str, data: pd.DataFrame, column: Hashable):
    """Values as floats: level indices for nominal data, the numbers themselves otherwise."""
    if level == "nominal":
        codes, _ = pd.factorize(values, sort=True)
        return codes.astype(float)
    ordered = isinstance(values.dtype, pd.CategoricalDtype) and values.cat.ordered
    if level == "ordinal" and ordered:
        return values.cat.codes.astype(float).to_numpy()
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())[:20]
        raise DataError(
            [
                Problem(
                    file=data_label(data),
                    index=values.index[r],
                    column=str(column),
                    value=values.iloc[r],
                    expected=(
                        f"a number for measurement={level!r} (or an ordered categorical for "
                        "'ordinal'); use measurement='nominal' for category labels"
                    ),
                )
                for r in rows
            ]
        )
    return numbers.to_numpy(dtype=float)


def _prepare(
    data: pd.DataFrame,
    keys: list[Hashable],
    units: list[Hashable],
    coder: Hashable,
    code: Hashable,
    level: str,
    function: str,
) -> pd.DataFrame:
    """Long frame keys + units + coder + _coder_ + _value_, one row per (unit, coder)."""
    cols = list(dict.fromkeys([*keys, *units, coder, code]))
    frame = data[cols].reset_index(drop=True).dropna()  # index = position in data
    if frame.empty:
        raise DataError(
            Problem(
                file=data_label(data),
                column=str(code),
                expected=f"at least one row with a unit, a coder and a value ({function})",
                kind="empty",
            )
        )
    frame[_V] = _numeric_values(frame[code], level, data, code)
    frame[_C] = pd.factorize(frame[coder], sort=True)[0]
    slot = [*keys, *units, coder]
    frame = frame.drop_duplicates([*slot, _V])
    clash = frame.duplicated(slot, keep=False)
    if clash.any():
        second = frame.duplicated(slot, keep="first")
        first = frame.loc[second].iloc[0]
        unit_txt = ", ".join(f"{u}={first[u]!r}" for u in units)
        raise DataError(
            Problem(
                file=data_label(data),
                index=frame.index[second][0],
                column=str(code),
                value=first[code],
                expected=(
                    f"one value per unit and coder, but coder {first[coder]!r} gave {unit_txt} "
                    f"more than one ({int(clash.sum())} rows clash in all); for several codes "
                    "per unit and coder use code_agreement()"
                ),
                kind="duplicate",
            )
        )
    return frame


def _alpha_per_group(frame: pd.DataFrame, keys: list[Hashable], units, level: str) -> pd.Series:
    """Krippendorff's alpha per group from the unit-by-value count matrix."""
    import krippendorff

    counts = frame.groupby([*keys, *units, _V], sort=True).size().unstack(_V, fill_value=0)
    counts = counts[counts.sum(axis=1) >= 2]  # pairable units only
    out = {}
    for key, block in counts.groupby(level=list(range(len(keys))), sort=True):
        block = block.loc[:, block.sum(axis=0) > 0]
        key = key if isinstance(key, tuple) else (key,)
        if block.shape[1] < 2:
            out[key] = np.nan  # every pairable value identical: alpha is 0/0, undefined
            continue
        out[key] = float(
            krippendorff.alpha(
                value_counts=block.to_numpy(dtype=float),
                value_domain=block.columns.to_numpy(dtype=float),
                level_of_measurement=level,
            )
        )
    if len(keys) == 1:
        index = pd.Index([k[0] for k in out], name=keys[0])
    else:
        index = pd.MultiIndex.from_tuples(list(out), names=keys)
    return pd.Series(list(out.values()), index=index, dtype=float, name="alpha")


def _kappa_per_group(frame: pd.DataFrame, keys: list[Hashable], units) -> pd.Series:
    """Mean over coder pairs of Cohen's kappa on the units both coders coded."""
    cols = [*keys, *units, _C, _V]
    pairs = frame[cols].merge(frame[cols], on=[*keys, *units], suffixes=("_a", "_b"))
    pairs = pairs[pairs[f"{_C}_a"] < pairs[f"{_C}_b"]]
    g = [*keys, f"{_C}_a", f"{_C}_b"]
    if pairs.empty:
        return pd.Series(dtype=float, name="kappa")
    n = pairs.groupby(g).size()
    po = (pairs[f"{_V}_a"] == pairs[f"{_V}_b"]).groupby([pairs[c] for c in g]).mean()
    share_a = pairs.groupby([*g, f"{_V}_a"]).size().rename_axis([*g, _V]) / n
    share_b = pairs.groupby([*g, f"{_V}_b"]).size().rename_axis([*g, _V]) / n
    both = pd.concat([share_a, share_b], axis=1).fillna(0.0)
    pe = (both[0] * both[1]).groupby(level=g).sum()
    kappa = (po - pe) / (1 - pe)
    kappa[np.isclose(pe, 1.0)] = np.nan  # both coders used one and the same value only
    return kappa.groupby(level=keys).mean().rename("kappa")


def _agreement_table(
    frame: pd.DataFrame, keys: list[Hashable], units: list[Hashable], level: str
) -> pd.DataFrame:
    per_unit = frame.groupby([*keys, *units], sort=True)[_V].agg(["size", "nunique"])
    pairable = per_unit[per_unit["size"] >= 2]
    table = pd.DataFrame(
        {
            "alpha": _alpha_per_group(frame, keys, units, level),
            "kappa": _kappa_per_group(frame, keys, units),
            "percent_agreement": (pairable["nunique"] == 1).groupby(level=keys).mean(),
            "n_units": pairable.groupby(level=keys).size(),
            "n_coders": frame.groupby(keys)[_C].nunique(),
        }
    )
    table["n_units"] = table["n_units"].fillna(0).astype("int64")
    return table.sort_index()


def _check_measurement(measurement: str) -> None:
    if measurement not in MEASUREMENTS:
        raise ValueError(
            f"measurement={measurement!r} is not offered; use one of {', '.join(MEASUREMENTS)}"
        )


def _finish(table: pd.DataFrame, by: list[Hashable], data: pd.DataFrame) -> pd.DataFrame:
    if (table["n_units"] == 0).all():
        raise DataError(
            Problem(
                file=data_label(data),
                expected=(
                    "at least one unit with values from two or more coders; reliability "
                    "compares coders on the same units"
                ),
                kind="empty",
            )
        )
    table = table.reset_index()
    return table.drop(columns=[_G]) if _G in table.columns else table


@legacy_arguments(positional=["measurement", "by"], renamed={"level": "measurement"})
def agreement(
    data: pd.DataFrame,
    unit: Hashable | Sequence[Hashable] = "segment_id",
    coder: Hashable = "coder",
    code: Hashable = "code",
    *,
    measurement: str = "nominal",
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Agreement among coders who each gave the same units one value.

    Parameters
    ----------
    data : DataFrame
        Long reliability data: one row per unit, coder and value. A coder who skipped a unit
        has no row (or a missing value) for it. Repeated identical rows count once.
    unit : str or list of str
        Column(s) identifying a unit (a list makes compound units, e.g.
        ``["segment_id", "code"]`` on the output of :func:`code_decisions`).
    coder, code : str
        Columns with the coder's id and the value the coder gave.
    measurement : {"nominal", "ordinal", "interval", "ratio"}
        The level of measurement of the values (Krippendorff's term), which sets alpha's
        distance between two values.
        Level of measurement for Krippendorff's alpha. Other than nominal, values must be
        numbers (or an ordered categorical for ``"ordinal"``).
    by : str or list of str, optional
        Column(s) to report per group (e.g. ``"dimension"``); one row per group, sorted.

    Returns
    -------
    DataFrame
        Columns: the ``by`` column(s) if given, then

        ``alpha``
            Krippendorff's alpha at ``level`` over all units with at least two values
            [Krippendorff 2011], from the ``krippendorff`` package. Missing (NaN) when every
            such value is the same, as alpha is then 0/0.
        ``kappa``
            Cohen's kappa for each pair of coders, on the units both coded, averaged over
            pairs (Light's kappa). Always unweighted: values are compared as categories.
            Pairs whose expected agreement is 1 are left out of the mean.
        ``percent_agreement``
            Of the units with values from at least two coders, the share on which all coders
            who coded the unit gave the same value (0 to 1).
        ``n_units``
            Units with values from at least two coders (those that enter the statistics).
        ``n_coders``
            Coders with at least one value.

    Raises
    ------
    DataError
        A named column is missing; no row has a unit, coder and value; a coder gave one unit
        two different values (use :func:`code_agreement` for multi-code data); non-numeric
        values at a non-nominal level; no unit was coded by two coders.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s4"],
    ...                    "coder": ["ann", "bob"] * 3 + ["ann"],
    ...                    "code": ["bias", "bias", "cycling", "bias", "bias", "bias", "bias"]})
    >>> cp.agreement(df).round(3)
       alpha  kappa  percent_agreement  n_units  n_coders
    0    0.0    0.0              0.667        3         2
    """
    require_frame(data, "agreement")
    _check_measurement(measurement)
    level = measurement
    units, by_cols = _as_list(unit), _as_list(by)
    if not units:
        raise ValueError("unit must name at least one column, e.g. unit='segment_id'")
    require_columns(
        data,
        {
            **{("unit" if len(units) == 1 else f"unit[{i}]"): u for i, u in enumerate(units)},
            "coder": coder,
            "code": code,
            **{("by" if len(by_cols) == 1 else f"by[{i}]"): b for i, b in enumerate(by_cols)},
        },
    )
    frame = _prepare(data, by_cols, units, coder, code, level, "agreement")
    keys = by_cols or [_G]
    if not by_cols:
        frame[_G] = 0
    return _finish(_agreement_table(frame, keys, units, level), by_cols, data)


def _by_owner(
    data: pd.DataFrame, by: list[Hashable], unit: Hashable, code: Hashable
) -> Hashable | None:
    """Whether ``by`` describes codes (e.g. their dimension) or units (e.g. their case)."""
    if not by:
        return None
    for owner in (code, unit):
        if (data.groupby(owner)[by].nunique() <= 1).all(axis=None):
            return owner
    raise DataError(
        Problem(
            file=data_label(data),
            column=", ".join(map(str, by)),
            expected=(
                f"by= to describe either each code (one value per {code!r}, e.g. its dimension) "
                f"or each unit (one value per {unit!r}, e.g. its case)"
            ),
        )
    )


@legacy_arguments(positional=["by"])
def code_decisions(
    data: pd.DataFrame,
    unit: Hashable = "segment_id",
    coder: Hashable = "coder",
    code: Hashable = "code",
    *,
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Turn multi-code reliability data into one present/absent decision per unit, coder, code.

    A coder counts as having coded a unit when the coder has at least one row for it; a row
    with a missing code records "looked at the unit and applied no code". For every unit a
    coder coded and every code that occurs anywhere in ``data``, the decision is 1 when the
    coder applied the code to the unit and 0 otherwise. Units a coder did not code have no
    rows (missing, not absent).

    Parameters
    ----------
    data : DataFrame
        One row per (unit, coder, code), as in ``double_coding.csv``.
    unit, coder, code : str
        Column names.
    by : str or list of str, optional
        Column(s) carried into the result: either an attribute of each code (such as its
        dimension) or of each unit (such as its case).

    Returns
    -------
    DataFrame
        Columns: ``by`` column(s) if given, ``unit``, ``coder``, ``code``, ``present``
        (0 or 1), sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"segment_id": ["s1", "s1", "s1"], "coder": ["ann", "ann", "bob"],
    ...                    "code": ["bias", "cycling", "bias"]})
    >>> cp.code_decisions(df)
      segment_id coder     code  present
    0         s1   ann     bias        1
    1         s1   ann  cycling        1
    2         s1   bob     bias        1
    3         s1   bob  cycling        0
    """
    require_frame(data, "code_decisions")
    by_cols = _as_list(by)
    require_columns(
        data,
        {
            "unit": unit,
            "coder": coder,
            "code": code,
            **{("by" if len(by_cols) == 1 else f"by[{i}]"): b for i, b in enumerate(by_cols)},
        },
    )
    frame = data[list(dict.fromkeys([unit, coder, code, *by_cols]))].dropna(subset=[unit, coder])
    applied = frame.dropna(subset=[code])
    if applied.empty:
        raise DataError(
            Problem(
                file=data_label(data),
                column=str(code),
                expected="at least one applied code (a row with unit, coder and code)",
                kind="empty",
            )
        )
    owner = _by_owner(frame, by_cols, unit, code)
    seen = frame[[unit, coder]].drop_duplicates()
    codes = applied[[code]].drop_duplicates()
    grid = seen.merge(codes, how="cross")
    hits = applied[[unit, coder, code]].drop_duplicates().assign(present=1)
    grid = grid.merge(hits, on=[unit, coder, code], how="left")
    grid["present"] = grid["present"].fillna(0).astype("int64")
    if owner is not None:
        source = applied if owner == code else frame
        attrs = source[[owner, *by_cols]].dropna().drop_duplicates(owner)
        grid = grid.merge(attrs, on=owner, how="left")
    grid = grid[[*by_cols, unit, coder, code, "present"]]
    return grid.sort_values([*by_cols, unit, coder, code], ignore_index=True)


@legacy_arguments(positional=["by"])
def code_agreement(
    data: pd.DataFrame,
    unit: Hashable = "segment_id",
    coder: Hashable = "coder",
    code: Hashable = "code",
    *,
    by: Hashable | Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Agreement per code on multi-code data (several codes per unit and coder).

    Each code becomes a nominal present/absent variable (see :func:`code_decisions`), and the
    statistics of :func:`agreement` are computed per code. Codes with low alpha or kappa are
    the ones whose definitions coders read differently. For a pooled figure per dimension,
    run :func:`agreement` on the decisions with compound units::

        decisions = code_decisions(dc, by="dimension")
        agreement(decisions, unit=["segment_id", "code"], code="present", by="dimension")

    Parameters
    ----------
    data : DataFrame
        One row per (unit, coder, code), as in ``double_coding.csv``.
    unit, coder, code : str
        Column names.
    by : str or list of str, optional
        Attribute of each code (its dimension) or of each unit (its case) to report by.

    Returns
    -------
    DataFrame
        One row per (``by`` group and) code, sorted, with the columns ``code`` (named after
        the ``code`` argument), ``alpha`` (nominal, binary), ``kappa`` (mean pairwise Cohen's
        kappa), ``percent_agreement`` (share of units coded by at least two coders on which
        they all agree whether the code applies; high for rare codes, since agreeing on its
        absence counts), ``n_units`` (units coded by at least two coders) and ``n_coded``
        (those of them to which at least one coder applied the code).

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"segment_id": ["s1", "s1", "s2", "s2", "s3", "s3", "s3"],
    ...                    "coder": ["ann", "bob", "ann", "bob", "ann", "bob", "bob"],
    ...                    "code": ["bias", "bias", "bias", "cycling", "cycling", "cycling",
    ...                             "bias"]})
    >>> cp.code_agreement(df)[["code", "percent_agreement", "n_units", "n_coded"]]
          code  percent_agreement  n_units  n_coded
    0     bias           0.333333        3        3
    1  cycling           0.666667        3        2
    """
    decisions = code_decisions(data, unit=unit, coder=coder, code=code, by=by)
    by_cols = _as_list(by)
    frame = decisions.rename(columns={"present": _V})
    frame[_C] = pd.factorize(frame[coder], sort=True)[0]
    keys = [*by_cols, code]
    table = _agreement_table(frame, keys, [unit], "nominal")
    per_unit = frame.groupby([*keys, unit])[_V].agg(["size", "max"])
    pairable = per_unit[per_unit["size"] >= 2]
    table["n_coded"] = pairable["max"].groupby(level=keys).sum()
    table["n_coded"] = table["n_coded"].fillna(0).astype("int64")
    table = _finish(table.drop(columns="n_coders"), by_cols, data)
    return table[[*keys, "alpha", "kappa", "percent_agreement", "n_units", "n_coded"]]


def cohen_kappa(data: pd.DataFrame, a: Hashable, b: Hashable) -> float:
    """Cohen's kappa between two columns of category labels (unweighted).

    ``kappa = (p_o - p_e) / (1 - p_e)``, where ``p_o`` is the share of rows on which the two
    columns agree and ``p_e`` the agreement expected from their marginal shares [Cohen 1960].
    Rows missing either value are left out. NaN when ``p_e`` is 1 (both columns constant and
    equal).

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"ann": ["yes", "yes", "no", "no"], "bob": ["yes", "no", "no", "no"]})
    >>> cp.cohen_kappa(df, "ann", "bob")
    0.5
    """
    require_frame(data, "cohen_kappa")
    require_columns(data, {"a": a, "b": b})
    pair = data[[a, b]].dropna()
    if pair.empty:
        raise DataError(
            Problem(
                file=data_label(data),
                column=f"{a}, {b}",
                expected=f"at least one row with values in both {a!r} and {b!r}",
                kind="empty",
            )
        )
    table = pd.crosstab(pair[a], pair[b])
    levels = table.index.union(table.columns)
    table = table.reindex(index=levels, columns=levels, fill_value=0).to_numpy(dtype=float)
    n = table.sum()
    po = np.trace(table) / n
    pe = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    if np.isclose(pe, 1.0):
        return float("nan")
    return float((po - pe) / (1 - pe))


def __getattr__(name: str) -> object:
    if name == "LEVELS":  # the name of MEASUREMENTS before the one vocabulary
        import warnings

        warnings.warn(
            "reliability.LEVELS is now called MEASUREMENTS", DeprecationWarning, stacklevel=2
        )
        return MEASUREMENTS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
