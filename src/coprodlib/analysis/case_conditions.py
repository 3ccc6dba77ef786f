"""Cases as configurations: one row per case of the measures a cross-case comparison (QCA)
calibrates into conditions and an outcome.

:func:`case_conditions` reads them from the data and the codebook: the form of co-production
(``phase``, ``level``, ``mode``, ``logic`` from ``cases.csv``), and shares counted from the
codings of each case: coping that favours one value of the pair, codings on the segments of
citizen co-producers, escalation among the strategies, undesired among the effects. The
calibration into set memberships is a separate, explicit step (``cp.calibrate_crisp``,
``cp.calibrate_fuzzy``); nothing here decides a threshold.

Codings from one study are not a sample of cases: the shares describe the material coded, and a
case with few codings gives a share that a single segment moves a lot (``n_strategies`` and
``n_effects`` say how much each share rests on).
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..contract.rules import TABLES
from ..errors import DataError, Problem
from .qca.calibration import calibrate_crisp, calibrate_fuzzy
from .qualitative import aggregation, codings_of

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "CASE_MEASURES",
    "SHARE_MEASURES",
    "DEFAULT_ANCHORS",
    "CALIBRATIONS",
    "case_conditions",
    "case_sets",
    "calibration_robustness",
]

#: The measures :func:`case_conditions` gives, with what each one is.
CASE_MEASURES: dict[str, str] = {
    "share_one_sided": "share of the case's strategy codings whose strategy favours one value "
    "of the pair (codebook: favours = one)",
    "share_citizen": "share of the case's codings that lie on segments of citizen co-producers",
    "share_escalation": "share of the case's strategy codings in the escalation family",
    "share_undesired": "share of the case's effect codings that are undesired effects "
    "(codebook: desired = false)",
    "any_undesired": "1 when the case has at least one undesired-effect coding, else 0",
}


def _share(num: pd.Series, den: pd.Series) -> np.ndarray:
    n = num.to_numpy(dtype="float64")
    d = den.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)


def case_conditions(dataset: Dataset) -> pd.DataFrame:
    """One row per case: its form of co-production and the coded shares QCA calibrates.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset with qualitative tables.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``case_id`` (sorted), with columns ``study`` (missing when ``cases.csv``
        names none),
        ``phase``, ``level``, ``mode``, ``logic`` (as text), ``n_codings``, ``n_strategies``,
        ``n_effects``, and the measures of :data:`CASE_MEASURES` in that order. A share whose
        denominator is 0 is missing (NaN), never 0.

    Examples
    --------
    >>> import coprodlib as cp
    >>> table = cp.case_conditions(cp.load())
    >>> table.columns.tolist()[-5:]
    ['share_one_sided', 'share_citizen', 'share_escalation', 'share_undesired', 'any_undesired']
    >>> bool(table["share_one_sided"].between(0, 1).all())
    True
    """
    cases = dataset.cases.copy()
    cases["case_id"] = cases["case_id"].astype(str)
    ids = pd.Index(sorted(cases["case_id"]), name="case_id")
    form = ["study", "phase", "level", "mode", "logic"]
    out = cases.set_index("case_id").reindex(index=ids, columns=form).astype("string")
    out = out.astype(object)
    long = codings_of(dataset)
    long = long.assign(case_id=long["case_id"].astype(str))
    out["n_codings"] = long.groupby("case_id").size().reindex(ids, fill_value=0)
    agg = aggregation(dataset).set_index("case_id").reindex(ids)
    out["n_strategies"] = agg["n_strategies"].fillna(0).astype("int64")
    out["n_effects"] = agg["n_effects"].fillna(0).astype("int64")
    out["share_one_sided"] = agg["share_one_sided"]
    citizen = long["role_group"].astype("string").eq("citizen_coproducer").fillna(False)
    n_citizen = citizen.groupby(long["case_id"]).sum().reindex(ids, fill_value=0)
    out["share_citizen"] = _share(n_citizen, out["n_codings"])
    strat = long[long["dimension"] == "strategy"]
    n_esc = strat["family"].astype("string").eq("escalation").fillna(False)
    n_esc = n_esc.groupby(strat["case_id"]).sum().reindex(ids, fill_value=0)
    out["share_escalation"] = _share(n_esc, out["n_strategies"])
    out["share_undesired"] = agg["share_undesired"]
    out["any_undesired"] = (agg["n_undesired"].fillna(0) > 0).astype("int64")
    return out


#: The measures that are shares (between 0 and 1), the ones :func:`case_sets` calibrates.
SHARE_MEASURES = tuple(m for m in CASE_MEASURES if m.startswith("share_"))

#: Anchors (exclusion, crossover, inclusion) of each measure on its raw scale, the defaults of
#: the configurations notebook. They are set by what the shares mean, not by the data at hand:
#: coping is one-sided in a case when about two thirds of it favours one value (crossover
#: 0.65), fully so at nine in ten and not at all below four in ten; citizens' share of the
#: codings is crossed at 0.45 (their voices and the others' about level); escalation at one
#: strategy coding in five; undesired effects where they are as many as the desired ones (0.5),
#: fully at three in four and not at all at one in four. A study should set its own from its
#: cases and theory and say so.
DEFAULT_ANCHORS: dict[str, tuple[float, float, float]] = {
    "share_one_sided": (0.4, 0.65, 0.9),
    "share_citizen": (0.2, 0.45, 0.7),
    "share_escalation": (0.1, 0.2, 0.35),
    "share_undesired": (0.25, 0.5, 0.75),
}
#: The calibrations :func:`case_sets` offers.
CALIBRATIONS = ("fuzzy", "crisp")


def _set_problem(name: str, spec: object, expected: str) -> DataError:
    return DataError(
        Problem(file="sets", column=name, value=spec, expected=expected, kind="invalid")
    )


def _check_category(name: str, spec: str, column: str, value: str, held: pd.Series) -> None:
    """Refuse a category that is most likely a typo: a value no case has that is not, in a
    column the contract fills from the codebook (phase, level, mode, logic), one the
    contract allows there either (a set no case is in)."""
    present = sorted(set(held.dropna()))
    if value in present:
        return
    rule = next((c for c in TABLES["cases"].columns if c.name == column), None)
    if rule is not None and rule.kind == "codebook" and rule.dimension is not None:
        from ..taxonomy.codebook import get_codebook

        known = list(dict.fromkeys([*get_codebook().ids(rule.dimension), *rule.extra, *present]))
        if value not in known:
            raise _set_problem(name, spec, f"a {column} of the codebook ({', '.join(known)})")
        return
    raise _set_problem(name, spec, f"a value some case has in {column} ({', '.join(present)})")


def _checked_anchors(
    anchors: Mapping[str, Sequence[float]] | None, table: pd.DataFrame
) -> dict[str, tuple[float, float, float]]:
    """The anchors given, each as three finite numbers of a measure the table has."""
    if anchors is None:
        return {}
    if not isinstance(anchors, Mapping):
        raise TypeError("anchors must be a dict of measure -> (exclusion, crossover, inclusion)")
    out = {}
    for measure, values in anchors.items():
        where = Problem(
            file="anchors", column=str(measure), value=values, expected="", kind="invalid"
        )
        if measure not in table.columns and measure not in DEFAULT_ANCHORS:  # a typo, say
            known = ", ".join(str(c) for c in table.columns)
            raise DataError(dataclasses.replace(where, expected=f"a column of the table ({known})"))
        try:  # a text such as "159" would be three digits, not three anchors
            three = () if isinstance(values, str) else tuple(float(v) for v in values)
        except (TypeError, ValueError):
            three = ()
        if len(three) != 3 or not all(np.isfinite(three)):
            raise DataError(
                dataclasses.replace(
                    where, expected="three anchors (exclusion, crossover, inclusion), as numbers"
                )
            )
        out[str(measure)] = three
    return out


def case_sets(
    table: pd.DataFrame,
    *,
    sets: Mapping[str, str],
    calibration: str = "fuzzy",
    anchors: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """Calibrate the columns of :func:`case_conditions` into set memberships for QCA.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per case, as :func:`case_conditions` returns it.
    sets : mapping of str to str
        Set name (as the truth table and the solutions print it, e.g. ``"ONESIDED"``) to what
        it is made of: a measure of ``table`` (``"share_one_sided"``), calibrated as
        ``calibration`` says; or ``"column:value"`` (``"logic:hands-on"``), a crisp set of the
        cases whose form of co-production has that value (a form the codebook does not know,
        or in another column a value no case has, is refused: it is most likely a typo).
    calibration : {"fuzzy", "crisp"}, default "fuzzy"
        ``"fuzzy"``: the direct method (Ragin 2008) with the measure's three anchors;
        ``"crisp"``: membership 1 at or above the measure's crossover anchor, else 0.
    anchors : mapping, optional
        Measure to (exclusion, crossover, inclusion), three numbers; default
        :data:`DEFAULT_ANCHORS`, and any measure given here replaces its default. A name that
        is neither a column of ``table`` nor a default measure is refused.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``table``, one column per set in the order given. A case whose measure is
        missing (no strategy codings, say) is left out, and the frame's ``attrs["dropped"]``
        names it. ``attrs["calibration"]`` is a table of what each set was made of.

    Examples
    --------
    >>> import coprodlib as cp
    >>> table = cp.case_conditions(cp.load())
    >>> sets = cp.case_sets(table, sets={"ONESIDED": "share_one_sided", "HANDSON": "logic:hands-on"},
    ...                     calibration="crisp")
    >>> sets.loc["be_elderly_care"].tolist()
    [1, 1]
    """
    if calibration not in CALIBRATIONS:
        raise ValueError(
            f"calibration must be one of {', '.join(CALIBRATIONS)}, not {calibration!r}"
        )
    if not isinstance(sets, Mapping) or not sets:
        raise TypeError("sets must be a non-empty dict of set name -> measure or column:value")
    given = {**DEFAULT_ANCHORS, **_checked_anchors(anchors, table)}
    out = pd.DataFrame(index=table.index)
    rows = []
    for name, spec in sets.items():
        if not isinstance(spec, str):
            raise _set_problem(name, spec, "a measure name or 'column:value'")
        if ":" in spec:
            column, value = (part.strip() for part in spec.split(":", 1))
            if column not in table.columns:
                raise _set_problem(
                    name, spec, f"a column of the table ({', '.join(table.columns)})"
                )
            held = table[column].astype("string")
            _check_category(name, spec, column, value, held)
            out[name] = held.eq(value).fillna(False).astype("int64")
            rows.append(
                {
                    "set": name,
                    "made_of": spec,
                    "calibration": "crisp (category)",
                    "exclusion": np.nan,
                    "crossover": np.nan,
                    "inclusion": np.nan,
                }
            )
            continue
        if spec not in table.columns:
            raise _set_problem(
                name, spec, f"a measure of the table ({', '.join(CASE_MEASURES)}) or 'column:value'"
            )
        anchor = given.get(spec)
        if anchor is None:
            raise _set_problem(
                name,
                spec,
                "three anchors (exclusion, crossover, inclusion) for this measure in anchors=",
            )
        e, c, i = anchor
        raw = pd.to_numeric(table[spec], errors="coerce")
        if calibration == "fuzzy":
            out[name] = calibrate_fuzzy(raw, exclusion=e, crossover=c, inclusion=i)
        else:
            out[name] = calibrate_crisp(raw, thresholds=c)
        rows.append(
            {
                "set": name,
                "made_of": spec,
                "calibration": calibration,
                "exclusion": e if calibration == "fuzzy" else np.nan,
                "crossover": c,
                "inclusion": i if calibration == "fuzzy" else np.nan,
            }
        )
    missing = out.isna().any(axis=1)
    dropped = [str(c) for c in out.index[missing]]
    out = out[~missing]
    if calibration == "crisp":
        out = out.astype("int64")
    out.attrs["dropped"] = dropped
    out.attrs["calibration"] = pd.DataFrame(rows)
    return out


def _solution_of(
    sets: pd.DataFrame, *, outcome: str, conditions: Sequence[str], solution: str, **cuts: object
) -> dict[str, object]:
    from .qca.minimisation import minimize

    try:
        found = minimize(sets, outcome=outcome, conditions=conditions, solutions=[solution], **cuts)
    except DataError:
        return {"expression": "", "sol_incl": np.nan, "sol_cov": np.nan}
    models = found.drop_duplicates("model")
    return {
        "expression": " | ".join(sorted(set(models["expression"].astype(str)))),
        "sol_incl": float(models["sol_incl"].iloc[0]),
        "sol_cov": float(models["sol_cov"].iloc[0]),
    }


def calibration_robustness(
    table: pd.DataFrame,
    *,
    sets: Mapping[str, str],
    outcome: str,
    conditions: Sequence[str],
    calibration: str = "fuzzy",
    anchors: Mapping[str, Sequence[float]] | None = None,
    shift: float = 0.05,
    solution: str = "intermediate",
    dir_exp: Mapping[str, object] | None = None,
    incl_cut: float = 0.8,
    pri_cut: float = 0.0,
    n_cut: int = 1,
) -> pd.DataFrame:
    """Whether a solution survives other anchors: each measure's anchors moved down and up.

    A QCA result should not hang on where exactly a crossover was put (Schneider & Wagemann
    2012, ch. 11). For every set made from a measure, the three anchors are moved together by
    ``-shift`` and ``+shift`` (the crisp threshold likewise), the sets are calibrated again
    and the solution is found again, all else equal.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per case, as :func:`case_conditions` returns it.
    sets, calibration, anchors
        As in :func:`case_sets`; ``sets`` names the outcome's set too.
    outcome : str
        The outcome set's name (``"~NAME"`` for its absence).
    conditions : sequence of str
        The condition sets.
    shift : float, default 0.05
        How far the anchors move, on the measure's raw scale (shares: 0.05 is five
        percentage points).
    solution : {"conservative", "parsimonious", "intermediate"}, default "intermediate"
        The solution compared (intermediate needs ``dir_exp``; without it the conservative
        one is compared).
    dir_exp, incl_cut, pri_cut, n_cut
        As in :func:`coprodlib.minimize`.

    Returns
    -------
    pandas.DataFrame
        Columns ``set``, ``measure`` (``"(as given)"`` in the first row, the anchors as given), ``shift``,
        ``crossover``, ``expression`` (the solution; several models joined by ``" | "``; empty
        when no configuration passes the cuts), ``same`` (whether it equals the first row's),
        ``sol_incl``, ``sol_cov``.

    Examples
    --------
    >>> import coprodlib as cp
    >>> table = cp.case_conditions(cp.load())
    >>> out = cp.calibration_robustness(table, sets={"ONESIDED": "share_one_sided",
    ...     "UNDESIRED": "share_undesired"}, outcome="UNDESIRED", conditions=["ONESIDED"])
    >>> out[["set", "shift", "expression", "same"]]
              set  shift expression  same
    0  (as given)   0.00   ONESIDED  True
    1    ONESIDED  -0.05   ONESIDED  True
    2    ONESIDED   0.05   ONESIDED  True
    3   UNDESIRED  -0.05   ONESIDED  True
    4   UNDESIRED   0.05   ONESIDED  True
    """
    if isinstance(shift, bool) or not isinstance(shift, numbers.Real) or not 0 < shift < np.inf:
        raise ValueError(
            f"shift must be a positive number on the measures' raw scale (0.05 moves the "
            f"anchors of a share by five points), not {shift!r}"
        )
    if solution == "intermediate" and dir_exp is None:
        solution = "conservative"
    extra = {"dir_exp": dir_exp} if solution == "intermediate" else {}
    cuts = {"incl_cut": incl_cut, "pri_cut": pri_cut, "n_cut": n_cut, **extra}
    given = {**DEFAULT_ANCHORS, **_checked_anchors(anchors, table)}

    def run(moved: Mapping[str, Sequence[float]]) -> dict[str, object]:
        calibrated = case_sets(table, sets=sets, calibration=calibration, anchors=moved)
        if calibrated.empty:  # every case lacks a measure: nothing to find a solution in
            raise DataError(
                Problem(
                    file="cases",
                    expected="calibration_robustness: at least one case with every measure",
                    kind="empty",
                )
            )
        return _solution_of(
            calibrated, outcome=outcome, conditions=list(conditions), solution=solution, **cuts
        )

    first = run(given)
    rows = [
        {"set": "(as given)", "measure": "(as given)", "shift": 0.0, "crossover": np.nan, **first}
    ]
    for name, spec in sets.items():
        if ":" in spec or spec not in given:
            continue
        for delta in (-shift, shift):
            moved = {**given, spec: tuple(a + delta for a in given[spec])}
            rows.append(
                {
                    "set": name,
                    "measure": spec,
                    "shift": delta,
                    "crossover": moved[spec][1],
                    **run(moved),
                }
            )
    out = pd.DataFrame(rows)
    out["same"] = out["expression"] == first["expression"]
    return out[
        ["set", "measure", "shift", "crossover", "expression", "same", "sol_incl", "sol_cov"]
    ]
