"""The demo's survey: an invented vignette experiment, and the design file that describes it.

Each respondent sees one of two vignettes and has four correlated traits, measured by Likert
items with one reversed item each and a few answers missing; the coping choice follows a
multinomial logit in which only external efficacy, the citizen role and the vignette matter.
All of it is drawn from the survey stream. :func:`scales_yaml` gives the matching
``scales.yml``, the format :func:`coprodlib.contract.survey_design.read_survey_design` reads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .parameters import (
    CHOICE,
    CONDITIONS,
    FAMILIES,
    ITEM_NOISE,
    LOADING,
    MISSING_SHARE,
    SURVEY_ROLES,
    SURVEY_SCALES,
    THRESHOLDS,
    TRAIT_CORR,
)
from .sampling import id_width, zfill

__all__ = ["draw_survey", "scales_yaml"]


def draw_survey(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``n`` respondents: vignette, role, the Likert items, the coping choice, age and gender."""
    ids = "R" + zfill(np.arange(1, n + 1), id_width(n, 4))
    condition = rng.integers(0, len(CONDITIONS), n)
    role_names = np.array([r for r, _ in SURVEY_ROLES], dtype=object)
    role_p = np.array([p for _, p in SURVEY_ROLES])
    role = rng.choice(len(role_names), n, p=role_p / role_p.sum())
    traits = rng.standard_normal((n, 4)) @ np.linalg.cholesky(TRAIT_CORR).T
    columns: dict[str, Any] = {
        "respondent_id": ids.to_numpy(),
        "vignette": np.array(CONDITIONS, dtype=object)[condition],
        "role": role_names[role],
    }
    columns.update(_likert_items(rng, traits))
    citizen = (role_names[role] != "project_coordinator").astype(float)
    utility = (
        CHOICE["intercept"][None, :]
        + CHOICE["external_efficacy"][None, :] * traits[:, [1]]
        + CHOICE["citizen_coproducer"][None, :] * citizen[:, None]
        + CHOICE["conflict_vignette"][None, :] * (condition == 1)[:, None]
    )
    choice = np.argmax(utility + rng.gumbel(size=utility.shape), axis=1)
    columns["coping_choice"] = np.array(FAMILIES, dtype=object)[choice]
    columns["age"] = np.clip(np.round(rng.normal(42, 14, n)), 18, 85).astype(np.int64)
    gender = rng.choice(3, n, p=[0.52, 0.45, 0.03])
    columns["gender"] = np.array(["female", "male", "other"], dtype=object)[gender]
    return pd.DataFrame(columns)


def _likert_items(rng: np.random.Generator, traits: np.ndarray) -> dict[str, Any]:
    """The answers 1 to 5 to every item of every scale, reversed where the scale says so."""
    n = len(traits)
    columns: dict[str, Any] = {}
    for k, scale in enumerate(SURVEY_SCALES.values()):
        n_items = len(scale["items"])
        latent = LOADING * traits[:, [k]] + ITEM_NOISE * rng.standard_normal((n, n_items))
        answers = 1 + (latent[:, :, None] + scale["shift"] > THRESHOLDS).sum(axis=2)
        flip = np.isin(scale["items"], scale["reversed"])
        answers[:, flip] = 6 - answers[:, flip]
        missing = rng.random((n, n_items)) < MISSING_SHARE
        for j, item in enumerate(scale["items"]):
            columns[item] = pd.array(np.where(missing[:, j], 0, answers[:, j]), dtype="Int64")
            columns[item][missing[:, j]] = pd.NA
    return columns


def scales_yaml() -> dict[str, Any]:
    """What ``scales.yml`` holds: the Likert range, the scales, the vignettes and the choices."""
    return {
        "likert": {"low": 1, "high": 5},
        "scales": {
            name: {
                "label": s["label"],
                "items": list(s["items"]),
                "reversed": list(s["reversed"]),
                "min_answered": len(s["items"]) - 1,
            }
            for name, s in SURVEY_SCALES.items()
        },
        "conditions": {"column": "vignette", "levels": list(CONDITIONS)},
        "choices": {"column": "coping_choice", "levels": list(FAMILIES)},
    }
