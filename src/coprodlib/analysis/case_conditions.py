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

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .qualitative import aggregation, codings_of

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = ["CASE_MEASURES", "case_conditions"]

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
        Indexed by ``case_id`` (sorted), with columns ``study`` (when ``cases.csv`` has one),
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
    form = [c for c in ("study", "phase", "level", "mode", "logic") if c in cases.columns]
    out = cases.set_index("case_id").reindex(ids)[form].astype("string").astype(object)
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
