"""The SYNTHETIC demo dataset: a seeded, documented model of two published co-production studies.

Nothing generated here is real data. The model imitates the *design* of two studies, three
German local-government cases with 24 interviews [aschhoff2018] and three Flemish cases plus a
vignette survey [jaspers2021d], and writes their *reported patterns* into it as probabilistic
assumptions: which tensions occur, that citizen co-producers avoid and escalate more often than
public servants, that one-sided coping piling up in a case goes with more undesired effects,
and that external efficacy raises trading off and lowers avoidance in the vignette experiment.
Every other number (case parameters, counts, weights) is invented and documented as such in the
README that :func:`write_demo` writes beside the tables.

Everything is drawn with numpy from one :class:`numpy.random.SeedSequence`, split into separate
streams for the case structure, the codings, the survey and the double coding; the tables are
built with array operations, never with Python loops over rows, so :func:`generate_large` makes
a million codings in seconds. The same seed always gives the same tables and, through
:func:`write_demo`, the same bytes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

__all__ = [
    "DEFAULT_SEED",
    "DEMO_FILES",
    "generate",
    "generate_large",
    "write_demo",
]

#: Seed of the shipped ``data/demo`` folder.
DEFAULT_SEED = 20211

#: Files :func:`write_demo` writes, in the order they are listed in its README.
DEMO_FILES = (
    "dataset.yml",
    "README.md",
    "cases.csv",
    "participants.csv",
    "documents.csv",
    "segments.csv",
    "codings.csv",
    "double_coding.csv",
    "survey.csv",
    "scales.yml",
)

# =========================================================================== model constants
# Ids are written out (not read from the codebook) so that adding codebook entries never
# changes the demo; tests check that every id below is a codebook id of the right dimension.

_ROLE_GROUPS = ("public_servant", "citizen_coproducer", "third_party")
_ROLE_GROUP = {
    "public_manager": 0,
    "professional": 0,
    "project_coordinator": 0,
    "citizen": 1,
    "community_member": 1,
    "third_party": 2,
}

_TENSIONS = (
    "inclusiveness_vs_accountability",
    "flexibility_vs_accountability",
    "productivity_vs_diversity",
    "inclusion_vs_service_quality",
    "outcomes_vs_governance",
    "user_vs_collective_value",
    "process_vs_outcome_value",
)

_FAMILIES = ("avoidance", "escalation", "trade_off", "balancing")

#: Log-odds of each family against balancing, per role group (public servant, citizen
#: co-producer, third party). Citizens avoid and escalate more, servants trade off and balance
#: more [jaspers2021d]; the numbers themselves are invented.
_FAMILY_LOGITS = np.array(
    [
        [-1.6, -1.0, 0.1, 0.0],
        [0.0, 0.3, -0.2, 0.0],
        [-1.0, -0.6, 0.2, 0.0],
    ]
)

#: Codes within each family, with weights per role group (servant, citizen, third party).
_LEAVES: dict[str, list[tuple[str, tuple[float, float, float]]]] = {
    "avoidance": [("avoidance", (0.85, 0.55, 0.6)), ("dropping_out", (0.15, 0.45, 0.4))],
    "escalation": [("escalation", (1.0, 0.35, 1.0)), ("asking_public_servant", (0.0, 0.65, 0.0))],
    "trade_off": [
        ("trade_off", (0.4, 0.5, 0.4)),
        ("bias", (0.3, 0.3, 0.3)),
        ("cycling", (0.15, 0.1, 0.15)),
        ("firewalls", (0.15, 0.1, 0.15)),
    ],
    "balancing": [
        ("balancing", (0.3, 0.45, 0.35)),
        ("compromising", (0.25, 0.3, 0.25)),
        ("hybridization", (0.12, 0.05, 0.12)),
        ("incrementalism", (0.13, 0.1, 0.13)),
        ("casuistry", (0.1, 0.0, 0.05)),
        ("justification_work", (0.1, 0.1, 0.1)),
    ],
}

#: Effect codes of the demo: (id, desired, base weight, weight multipliers per family
#: avoidance, escalation, trade-off, balancing, none).
_EFFECTS: list[tuple[str, bool, float, tuple[float, float, float, float, float]]] = [
    ("value_realised", True, 2.0, (1, 1, 1.3, 1, 1)),
    ("value_cocreated", True, 1.0, (0.5, 0.7, 0.8, 2, 1)),
    ("value_failure", False, 3.0, (1, 1, 2, 1, 1)),
    ("co_destruction", False, 2.0, (1, 1, 1, 1, 1)),
    ("withdrawal", False, 2.0, (3, 1, 1, 0.7, 1)),
    ("disillusion", False, 2.0, (1, 1.2, 1, 1.5, 1)),
    ("loss_of_trust", False, 2.0, (1, 1.5, 1, 1, 1)),
    ("co_optation", False, 1.0, (0.5, 2, 1, 1, 1)),
    ("burden_shifting", False, 1.0, (1, 1, 1, 1, 1)),
    ("co_contamination", False, 1.0, (1, 1, 1, 1, 1)),
]

#: P(undesired | effect coded) = logistic(intercept + per_share * (share of one-sided
#: strategy codings in the case - centre) + one_sided * [this segment's strategy favours one]).
_UNDESIRED = {"intercept": -0.2, "per_share": 5.0, "centre": 0.65, "one_sided": 0.5}

#: Probability that a segment carries a code of each slot: tension, strategy, effect (demo),
#: plus a value and an "other" code (generate_large only); ordinary and overlapping segments.
_SLOT_P = {
    "demo": (np.array([0.85, 0.88, 0.40]), np.array([0.0, 0.30, 0.85])),
    "large": (np.array([0.90, 0.90, 0.50, 0.60, 0.45]), np.array([0.0, 0.30, 0.85, 0.30, 0.20])),
}
_OVERLAP_SHARE = 0.04  # overlapping segments per case, as a share of its ordinary segments

_DEMO_CASES: list[dict[str, Any]] = [
    {
        "case_id": "de_city_marketing",
        "prefix": "de_cm",
        "title": "City marketing (synthetic, after Aschhoff & Vogel 2018)",
        "country": "DE",
        "service_area": "city marketing",
        "phase": "co-design",
        "level": "collective",
        "mode": "participative",
        "logic": "ceremonial",
        "study": "aschhoff2018",
        "year": 2016,
        "area": "the city-marketing campaign",
        "one_sided": 0.3,
        "roles": {"public_manager": 3, "citizen": 3, "third_party": 2},
        "tensions": {
            "productivity_vs_diversity": 0.45,
            "inclusiveness_vs_accountability": 0.35,
            "flexibility_vs_accountability": 0.20,
        },
    },
    {
        "case_id": "de_employment",
        "prefix": "de_emp",
        "title": "Employment opportunities (synthetic, after Aschhoff & Vogel 2018)",
        "country": "DE",
        "service_area": "employment",
        "phase": "co-delivery",
        "level": "individual",
        "mode": "consumer",
        "logic": "hands-on",
        "study": "aschhoff2018",
        "year": 2016,
        "area": "the employment project",
        "one_sided": 0.9,
        "roles": {"public_manager": 2, "citizen": 4, "third_party": 2},
        "tensions": {
            "flexibility_vs_accountability": 0.50,
            "inclusiveness_vs_accountability": 0.30,
            "productivity_vs_diversity": 0.20,
        },
    },
    {
        "case_id": "de_urban_development",
        "prefix": "de_ud",
        "title": "Urban development (synthetic, after Aschhoff & Vogel 2018)",
        "country": "DE",
        "service_area": "urban development",
        "phase": "co-assessment",
        "level": "collective",
        "mode": "participative",
        "logic": "watchdog",
        "study": "aschhoff2018",
        "year": 2016,
        "area": "the neighbourhood plan",
        "one_sided": -0.3,
        "roles": {"public_manager": 3, "citizen": 3, "third_party": 2},
        "tensions": {
            "inclusiveness_vs_accountability": 0.50,
            "productivity_vs_diversity": 0.25,
            "flexibility_vs_accountability": 0.25,
        },
    },
    {
        "case_id": "be_elderly_care",
        "prefix": "be_ec",
        "title": "Social elderly care (synthetic, after the 2021 ICVC dissertation)",
        "country": "BE",
        "service_area": "elderly care",
        "phase": "co-delivery",
        "level": "group",
        "mode": "enhanced",
        "logic": "hands-on",
        "study": "jaspers2021d",
        "year": 2019,
        "area": "the neighbourhood care network",
        "one_sided": 0.6,
        "roles": {
            "public_manager": 1,
            "professional": 3,
            "project_coordinator": 1,
            "citizen": 3,
            "community_member": 2,
        },
        "tensions": {
            "inclusion_vs_service_quality": 0.50,
            "user_vs_collective_value": 0.25,
            "outcomes_vs_governance": 0.15,
            "process_vs_outcome_value": 0.10,
        },
    },
    {
        "case_id": "be_mobility_planning",
        "prefix": "be_mp",
        "title": "Urban mobility planning (synthetic, after the 2021 ICVC dissertation)",
        "country": "BE",
        "service_area": "mobility planning",
        "phase": "co-design",
        "level": "collective",
        "mode": "participative",
        "logic": "watchdog",
        "study": "jaspers2021d",
        "year": 2019,
        "area": "the mobility plan",
        "one_sided": -0.6,
        "roles": {
            "public_manager": 2,
            "professional": 2,
            "project_coordinator": 1,
            "citizen": 2,
            "community_member": 2,
        },
        "tensions": {
            "outcomes_vs_governance": 0.45,
            "user_vs_collective_value": 0.30,
            "inclusion_vs_service_quality": 0.15,
            "process_vs_outcome_value": 0.10,
        },
    },
    {
        "case_id": "be_vacant_spaces",
        "prefix": "be_vs",
        "title": "Temporary use of vacant spaces (synthetic, after the 2021 ICVC dissertation)",
        "country": "BE",
        "service_area": "temporary use of vacant spaces",
        "phase": "co-delivery",
        "level": "group",
        "mode": "enhanced",
        "logic": "hands-on",
        "study": "jaspers2021d",
        "year": 2019,
        "area": "the temporary-use project",
        "one_sided": 1.2,
        "roles": {
            "public_manager": 1,
            "professional": 1,
            "project_coordinator": 2,
            "citizen": 4,
            "community_member": 3,
        },
        "tensions": {
            "user_vs_collective_value": 0.40,
            "inclusion_vs_service_quality": 0.35,
            "outcomes_vs_governance": 0.15,
            "process_vs_outcome_value": 0.10,
        },
    },
]

# Extra synthetic cases (generate(n_cases > 6)): drawn from these lists and the codebook.
_COUNTRIES = ("BE", "DE", "NL", "DK", "FI", "SE", "NO", "GB", "FR", "IT", "ES", "PT", "BR", "US")
_SERVICE_AREAS = (
    "healthcare",
    "education",
    "social care",
    "public safety",
    "neighbourhood improvement",
    "public works",
    "waste collection",
    "elderly care",
    "employment",
    "urban development",
    "mobility planning",
)
_PHASES = ("co-commissioning", "co-design", "co-delivery", "co-assessment")
_LEVELS = ("individual", "group", "collective")
_MODES = ("consumer", "participative", "enhanced")
_LOGICS = ("hands-on", "watchdog", "ceremonial")
_SYNTH_ROLES = (
    ("public_manager", 0.15),
    ("professional", 0.20),
    ("project_coordinator", 0.10),
    ("citizen", 0.30),
    ("community_member", 0.15),
    ("third_party", 0.10),
)

# --------------------------------------------------------------------------- survey model
_SURVEY_SCALES: dict[str, dict[str, Any]] = {
    "self_efficacy": {
        "label": "Self-efficacy",
        "items": ["se1", "se2", "se3", "se4"],
        "reversed": ["se3"],
        "shift": 0.3,
    },
    "external_efficacy": {
        "label": "External efficacy",
        "items": ["ee1", "ee2", "ee3", "ee4"],
        "reversed": ["ee3"],
        "shift": 0.0,
    },
    "generalised_trust": {
        "label": "Generalised trust",
        "items": ["gt1", "gt2", "gt3"],
        "reversed": ["gt2"],
        "shift": 0.1,
    },
    "trust_in_government": {
        "label": "Trust in government",
        "items": ["tg1", "tg2", "tg3", "tg4"],
        "reversed": ["tg4"],
        "shift": -0.2,
    },
}
_TRAIT_CORR = np.array(
    [
        [1.00, 0.35, 0.15, 0.20],
        [0.35, 1.00, 0.20, 0.45],
        [0.15, 0.20, 1.00, 0.35],
        [0.20, 0.45, 0.35, 1.00],
    ]
)
_LOADING, _ITEM_NOISE = 0.72, 0.69
_THRESHOLDS = np.array([-1.5, -0.55, 0.35, 1.3])
_MISSING_SHARE = 0.015
_CONDITIONS = ("control", "conflict_inclusion_quality")
_SURVEY_ROLES = (("citizen", 0.5), ("community_member", 0.3), ("project_coordinator", 0.2))
#: Multinomial logit of the coping choice, utilities against balancing (= 0) for avoidance,
#: escalation and trade-off. Only external efficacy, the citizen role and the vignette matter;
#: self-efficacy and both trust scales have no effect by construction.
_CHOICE = {
    "intercept": np.array([-0.8, -0.5, -0.3, 0.0]),
    "external_efficacy": np.array([-0.7, 0.0, 0.7, 0.0]),
    "citizen_coproducer": np.array([0.7, 0.8, 0.0, 0.0]),
    "conflict_vignette": np.array([0.3, 0.3, 0.1, 0.0]),
}

# --------------------------------------------------------------------------- double coding
_KEEP, _REPLACE, _EXTRA = 0.74, 0.14, 0.06  # coder_b keeps / swaps / (else drops) each code

# --------------------------------------------------------------------------- texts
# Invented sentences in an interviewee's voice; {area} is the case's project.
_TENSION_TEXT = {
    "inclusiveness_vs_accountability": (
        "Once {area} was open to anyone who wanted to join, it became hard to say who was "
        "answerable for the budget.",
        "The more groups we let into {area}, the less clear it was who had to explain the "
        "decisions afterwards.",
    ),
    "flexibility_vs_accountability": (
        "The fixed procedures of {area} did not fit every situation, but each exception was hard "
        "to justify on paper.",
        "We wanted room to improvise in {area}, and the reporting rules kept pulling us back.",
    ),
    "productivity_vs_diversity": (
        "Bringing so many different voices into {area} made every step slower and more expensive.",
        "A small group of like-minded people would have finished {area} much faster than the "
        "mixed group we had.",
    ),
    "inclusion_vs_service_quality": (
        "Letting people without experience take part in {area} raised doubts about whether the "
        "service stayed up to standard.",
        "Some participants in {area} needed a lot of support, and that put the quality we had "
        "promised at risk.",
    ),
    "outcomes_vs_governance": (
        "The fastest way to results in {area} would have meant skipping the broad consultation "
        "we had announced.",
        "Treating every participant in {area} as an equal partner cost time that the targets did "
        "not allow.",
    ),
    "user_vs_collective_value": (
        "What helped the people directly involved in {area} was not always what the wider "
        "neighbourhood needed.",
        "The users of {area} wanted it their way, while the city had the whole community in mind.",
    ),
    "process_vs_outcome_value": (
        "Running {area} strictly by the principles took so long that there was little to show "
        "at the end.",
        "Results came quickly in {area}, but not every principle of fair process was respected "
        "on the way.",
    ),
    None: (
        "We spent a lot of time talking about how {area} was organised.",
        "Looking back, {area} was a learning process for everyone involved.",
    ),
}
# per family (and none): (servant or third party, servant 2nd), (citizen, citizen 2nd)
_STRATEGY_TEXT = {
    "avoidance": (
        (
            "For the time being we kept the question off the agenda.",
            "We let the matter rest and hoped it would sort itself out.",
        ),
        (
            "In the end I simply stopped going to the meetings.",
            "I decided it was not my problem and stayed out of it.",
        ),
    ),
    "escalation": (
        (
            "We passed the question on to the head of department to decide.",
            "We asked the responsible politician to make the call.",
        ),
        (
            "I asked the civil servant in charge to settle it for us.",
            "We took the issue to the city council and let them decide.",
        ),
    ),
    "trade_off": (
        (
            "We chose one side: the standard came first, even if fewer people could join.",
            "We gave priority to one concern and accepted the cost to the other.",
        ),
        (
            "We went for what mattered most to us and let the other concern slide.",
            "I backed the option that favoured one side, knowing the other would lose out.",
        ),
    ),
    "balancing": (
        (
            "We looked for a middle way that kept both concerns partly alive.",
            "We worked out an arrangement in which each side got part of what it wanted.",
        ),
        (
            "Together we found a compromise that nobody loved but everybody could live with.",
            "We tried to keep both things going, each a little less than we had hoped.",
        ),
    ),
    None: (
        (
            "How to handle that is still an open question.",
            "Nobody has decided yet what to do about it.",
        ),
        (
            "How to handle that is still an open question.",
            "Nobody has decided yet what to do about it.",
        ),
    ),
}
_EFFECT_TEXT = {
    "value_realised": "In the end the service got better on the point that mattered.",
    "value_cocreated": "Together we achieved something none of us could have done alone.",
    "value_failure": "Afterwards the value we care about was clearly served worse.",
    "co_destruction": "The project did not deliver what it had set out to do.",
    "withdrawal": "Several people lost interest and left.",
    "disillusion": "Many felt let down after the high hopes at the start.",
    "loss_of_trust": "Since then people trust the administration less.",
    "co_optation": "A few vocal members ended up running the whole thing.",
    "burden_shifting": "More and more of the work landed on the volunteers.",
    "co_contamination": "The involvement of citizens itself ended up causing harm.",
}
_EFFECT_TEXT_GENERIC = ("That turned out badly.", "That turned out well.")  # undesired, desired
_GAPS = (
    "\n\nQ: Could you give an example?\nA: ",
    "\n\nQ: And how did that go on?\nA: ",
    "\n\nQ: What happened next?\nA: ",
    "\n\n",
)


# =========================================================================== helpers


def _streams(seed: int) -> list[np.random.Generator]:
    """Independent generators for structure, codings, survey and double coding."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r}: give a whole number >= 0")
    return [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(4)]


def _draw(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category per row of ``weights`` (rows need not be normalised)."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def _zfill(numbers: np.ndarray, width: int) -> pd.Series:
    return pd.Series(numbers).astype(str).str.zfill(width)


def _width(n: int, least: int) -> int:
    return max(least, len(str(max(int(n), 1))))


def _check_count(name: str, value: Any, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{name}={value!r}: give a whole number >= {least}")
    return int(value)


def _within_group_rank(groups: np.ndarray, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order by (group, key) and each element's 0-based rank within its group."""
    order = np.lexsort((key, groups))
    g = groups[order]
    first = np.r_[True, g[1:] != g[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    return order, np.arange(len(g)) - start


# =========================================================================== cases, people


def _case_table(n_cases: int | None, rng: np.random.Generator) -> pd.DataFrame:
    """Cases with the model's internal columns (prefix, area, one_sided, roles, tensions)."""
    demo = pd.DataFrame(_DEMO_CASES)
    if n_cases is None:
        n_cases = len(demo)
    n_cases = _check_count("n_cases", n_cases, 1)
    if n_cases <= len(demo):
        return demo.iloc[:n_cases].sort_values("case_id", ignore_index=True)
    n = n_cases - len(demo)
    num = np.arange(len(demo) + 1, n_cases + 1)
    ids = ("case_" + _zfill(num, _width(n_cases, 4))).to_numpy()
    area_idx = rng.integers(0, len(_SERVICE_AREAS), n)
    areas = np.array(_SERVICE_AREAS, dtype=object)[area_idx]
    weights = rng.dirichlet(np.full(len(_TENSIONS), 0.8), size=n)
    n_people = rng.integers(8, 17, n)
    synth = pd.DataFrame(
        {
            "case_id": ids,
            "prefix": ids,
            "title": "Synthetic case " + pd.Series(num).astype(str),
            "country": np.array(_COUNTRIES, dtype=object)[rng.integers(0, len(_COUNTRIES), n)],
            "service_area": areas,
            "phase": np.array(_PHASES, dtype=object)[rng.integers(0, len(_PHASES), n)],
            "level": np.array(_LEVELS, dtype=object)[rng.integers(0, len(_LEVELS), n)],
            "mode": np.array(_MODES, dtype=object)[rng.integers(0, len(_MODES), n)],
            "logic": np.array(_LOGICS, dtype=object)[rng.integers(0, len(_LOGICS), n)],
            "study": "",
            "year": rng.integers(2008, 2024, n),
            "area": "the " + pd.Series(areas) + " project",
            "one_sided": np.round(rng.normal(0.3, 0.6, n), 3),
            "roles": list(n_people),  # a count: roles are drawn per participant
            "tensions": list(weights),
        }
    )
    # ids sort as built: be_* < case_* < de_*, and participant ids keep that order
    return pd.concat([demo, synth]).sort_values("case_id", ignore_index=True)


def _participants(cases: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per participant, ordered by case then number; ``case_idx`` and ``group``."""
    case_idx, roles = [], []
    for i, spec in enumerate(cases["roles"]):  # one pass per case, not per participant
        if isinstance(spec, dict):
            listed = np.repeat(np.array(list(spec), dtype=object), list(spec.values()))
            roles.append(rng.permutation(listed))
            case_idx.append(np.full(len(listed), i))
        else:
            case_idx.append(np.full(int(spec), i))
            roles.append(None)
    case_idx_arr = np.concatenate(case_idx)
    role = np.empty(len(case_idx_arr), dtype=object)
    drawn = np.concatenate(
        [np.full(len(c), r is None) for r, c in zip(roles, case_idx, strict=True)]
    )
    names = np.array([r for r, _ in _SYNTH_ROLES], dtype=object)
    probs = np.array([p for _, p in _SYNTH_ROLES])
    role[drawn] = names[rng.choice(len(names), int(drawn.sum()), p=probs / probs.sum())]
    fixed = [r for r in roles if r is not None]
    if fixed:
        role[~drawn] = np.concatenate(fixed)
    first = np.r_[0, np.flatnonzero(np.diff(case_idx_arr)) + 1]
    number = np.arange(len(case_idx_arr)) - np.repeat(first, np.bincount(case_idx_arr))
    prefix = cases["prefix"].to_numpy()[case_idx_arr]
    pid = pd.Series(prefix) + "_P" + _zfill(number + 1, 2)
    return pd.DataFrame(
        {
            "participant_id": pid.to_numpy(),
            "case_id": cases["case_id"].to_numpy()[case_idx_arr],
            "role": role,
            "case_idx": case_idx_arr,
            "group": pd.Series(role).map(_ROLE_GROUP).to_numpy(),
        }
    )


# =========================================================================== segments, codes


def _segment_counts(
    cases: pd.DataFrame,
    people: pd.DataFrame,
    rng: np.random.Generator,
    totals: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Ordinary segments per participant and overlapping segments per case."""
    n_cases = len(cases)
    if totals is None:
        counts = rng.integers(9, 16, len(people))
        base = np.bincount(people["case_idx"], weights=counts, minlength=n_cases).astype(int)
        overlaps = np.round(_OVERLAP_SHARE * base).astype(int)
        return counts, overlaps
    overlaps = np.floor(_OVERLAP_SHARE * totals).astype(int)
    base = totals - overlaps
    per_case = np.bincount(people["case_idx"], minlength=n_cases)
    offset = np.r_[0, np.cumsum(per_case)[:-1]]
    seg_case = np.repeat(np.arange(n_cases), base)
    who = offset[seg_case] + np.floor(rng.random(len(seg_case)) * per_case[seg_case]).astype(int)
    counts = np.bincount(who, minlength=len(people))
    return counts, overlaps


def _code_pools(large: bool) -> dict[str, list[str]]:
    pools = {
        "tension": list(_TENSIONS),
        "strategy": [code for leaves in _LEAVES.values() for code, _ in leaves],
        "effect": [code for code, *_ in _EFFECTS],
    }
    if large:
        from ..taxonomy.codebook import get_codebook

        cb = get_codebook()
        pools["effect"] += [e for e in cb.ids("effect") if e not in pools["effect"]]
        pools["value"] = cb.ids("value")
        pools["other"] = [
            c for d in ("direction", "value_kind", "capacity", "expectation") for c in cb.ids(d)
        ]
    return pools


def _simulate(
    seed: int,
    n_cases: int | None,
    *,
    segments_per_case: int | None = None,
    n_segments: int | None = None,
    n_codings: int | None = None,
    n_respondents: int = 300,
    n_double: int = 80,
    texts: bool = True,
    large: bool = False,
) -> dict[str, Any]:
    r_struct, r_code, r_survey, r_double = _streams(seed)
    cases = _case_table(n_cases, r_struct)
    n_c = len(cases)
    people = _participants(cases, r_struct)
    n_p = len(people)
    totals = None
    if n_segments is not None:
        totals = np.full(n_c, n_segments // n_c) + (np.arange(n_c) < n_segments % n_c)
    elif segments_per_case is not None:
        totals = np.full(n_c, _check_count("segments_per_case", segments_per_case, 1))
    counts, n_overlap = _segment_counts(cases, people, r_struct, totals)

    # ---------------------------------------------------------------- ordinary segments
    part = np.repeat(np.arange(n_p), counts)
    n_b = len(part)
    doc_first = np.r_[0, np.cumsum(counts)[:-1]]
    pos = np.arange(n_b) - doc_first[part]
    has_next = pos < counts[part] - 1
    seg_case = people["case_idx"].to_numpy()[part]
    # ---------------------------------------------------------------- overlapping segments
    cand = np.flatnonzero(has_next)
    order, rank = _within_group_rank(seg_case[cand], r_struct.random(len(cand)))
    anchor = np.sort(cand[order][rank < n_overlap[seg_case[cand][order]]])
    n_o = len(anchor)
    row_part = np.r_[part, part[anchor]]
    row_case = people["case_idx"].to_numpy()[row_part]
    row_group = people["group"].to_numpy()[row_part]
    is_overlap = np.r_[np.zeros(n_b, bool), np.ones(n_o, bool)]
    n_rows = n_b + n_o

    # ---------------------------------------------------------------- codes per slot
    pools = _code_pools(large)
    slots = ["tension", "strategy", "effect"] + (["value", "other"] if large else [])
    codes = [c for s in slots for c in pools[s]]
    start_of = dict(zip(slots, np.cumsum([0] + [len(pools[s]) for s in slots])[:-1], strict=True))
    p_base, p_over = _SLOT_P["large" if large else "demo"]
    p = np.where(is_overlap[:, None], p_over[None, :], p_base[None, :])
    mask = r_code.random((n_rows, len(slots))) < p
    empty = ~mask.any(axis=1)
    mask[empty & ~is_overlap, 1] = True
    mask[empty & is_overlap, 2] = True
    if n_codings is not None:
        mask = _exact_count(mask, n_codings, r_code)
    code = np.zeros((n_rows, len(slots)), dtype=np.int64)

    tension_w = np.zeros((n_c, len(_TENSIONS)))
    for i, w in enumerate(cases["tensions"]):  # one pass per case
        if isinstance(w, dict):
            tension_w[i] = [w.get(t, 0.0) for t in _TENSIONS]
        else:
            tension_w[i] = w
    tension = _draw(r_code, tension_w[row_case])
    code[:, 0] = start_of["tension"] + tension

    one_sided = cases["one_sided"].to_numpy(dtype=float)
    logits = _FAMILY_LOGITS[row_group] + np.r_[1.0, 1.0, 1.0, 0.0] * one_sided[row_case, None]
    family = _draw(r_code, np.exp(logits))
    leaf_names = [c for f in _FAMILIES for c, _ in _LEAVES[f]]
    leaf_w = np.zeros((len(_FAMILIES), 3, len(leaf_names)))
    for f, fam in enumerate(_FAMILIES):
        for code_id, w in _LEAVES[fam]:
            leaf_w[f, :, leaf_names.index(code_id)] = w
    leaf = _draw(r_code, leaf_w[family, row_group])
    code[:, 1] = (
        start_of["strategy"] + np.array([pools["strategy"].index(c) for c in leaf_names])[leaf]
    )

    # undesired effects rise with the case's realised share of one-sided coping
    has_strategy = mask[:, 1]
    one = has_strategy & (family != _FAMILIES.index("balancing"))
    share = np.bincount(row_case, weights=one, minlength=n_c) / np.maximum(
        np.bincount(row_case, weights=has_strategy, minlength=n_c), 1
    )
    seg_one = np.where(has_strategy, one.astype(float), share[row_case])
    z = (
        _UNDESIRED["intercept"]
        + _UNDESIRED["per_share"] * (share[row_case] - _UNDESIRED["centre"])
        + _UNDESIRED["one_sided"] * seg_one
    )
    desired = r_code.random(n_rows) >= 1.0 / (1.0 + np.exp(-z))
    fam_or_none = np.where(has_strategy, family, len(_FAMILIES))
    eff_w = _effect_weights(pools["effect"], large)  # (5 families, 2 desired, n effects)
    effect = _draw(r_code, eff_w[fam_or_none, desired.astype(int)])
    code[:, 2] = start_of["effect"] + effect

    if large:
        from ..taxonomy.codebook import get_codebook

        cb = get_codebook()
        pair = np.array(
            [[pools["value"].index(v) for v in cb.tension_values(t)] for t in _TENSIONS]
        )
        at_stake = pair[tension, r_code.integers(0, 2, n_rows)]
        anywhere = r_code.integers(0, len(pools["value"]), n_rows)
        linked = mask[:, 0] & (r_code.random(n_rows) < 0.7)
        code[:, 3] = start_of["value"] + np.where(linked, at_stake, anywhere)
        code[:, 4] = start_of["other"] + r_code.integers(0, len(pools["other"]), n_rows)

    # ---------------------------------------------------------------- texts and offsets
    gap_idx = r_struct.integers(0, len(_GAPS), n_b)
    gap_len = np.array([len(g) for g in _GAPS])[gap_idx]
    docs = _documents(cases, people)
    if texts:
        variant = r_struct.integers(0, 2, (n_b, 2))
        first, second = _sentences(
            cases,
            row_case[:n_b],
            row_group[:n_b],
            np.where(mask[:n_b, 0], tension[:n_b], -1),
            np.where(mask[:n_b, 1], family[:n_b], -1),
            np.where(mask[:n_b, 2], effect[:n_b], -1),
            pools["effect"],
            desired[:n_b],
            variant,
        )
        len_a = first.str.len().to_numpy()
        len_b = second.str.len().to_numpy()
        header = _headers(docs)
        header_len = header.str.len().to_numpy()
    else:
        len_a = r_struct.integers(60, 141, n_b)
        len_b = r_struct.integers(60, 181, n_b)
        header = None
        header_len = np.full(n_p, 96)
    seg_len = len_a + 1 + len_b
    step = gap_len + seg_len
    before = np.cumsum(step) - step  # everything before this segment's gap, over all docs
    start = header_len[part] + before - before[doc_first[part]] + gap_len
    end = start + seg_len
    o_start = start[anchor] + len_a[anchor] + 1
    o_end = start[anchor + 1] + len_a[anchor + 1]
    docs["n_chars"] = header_len + np.bincount(part, weights=step, minlength=n_p).astype(np.int64)

    # ---------------------------------------------------------------- ids and tables
    pos_w = _width(int(counts.max()) if n_p else 1, 3)
    pid = people["participant_id"].to_numpy()
    base_id = pd.Series(pid[part]) + "_s" + _zfill(pos + 1, pos_w)
    seg_ids = np.r_[base_id.to_numpy(), (base_id.iloc[anchor] + "x").to_numpy()]
    key = np.r_[2 * np.arange(n_b), 2 * anchor + 1]
    perm = np.argsort(key, kind="stable")
    if texts:
        base_text = first + " " + second
        over_text = (
            second.iloc[anchor].to_numpy()
            + np.array(_GAPS, dtype=object)[gap_idx[anchor + 1]]
            + first.iloc[anchor + 1].to_numpy()
        )
        text = np.r_[base_text.to_numpy(), over_text]
    else:
        text = np.full(n_rows, "", dtype=object)
    segments = pd.DataFrame(
        {
            "segment_id": seg_ids[perm],
            "case_id": cases["case_id"].to_numpy()[row_case[perm]],
            "participant_id": pid[row_part[perm]],
            "document_id": docs["document_id"].to_numpy()[row_part[perm]],
            "start": np.r_[start, o_start][perm].astype(np.int64),
            "end": np.r_[end, o_end][perm].astype(np.int64),
            "text": text[perm],
        }
    )
    rank_of_row = np.empty(n_rows, dtype=np.int64)
    rank_of_row[perm] = np.arange(n_rows)

    row, slot = np.nonzero(mask)
    cidx = code[row, slot]
    alpha_rank = np.argsort(np.argsort(np.array(codes, dtype=object), kind="stable"))
    corder = np.lexsort((alpha_rank[cidx], rank_of_row[row]))
    row, cidx = row[corder], cidx[corder]
    seg_sorted = rank_of_row[row]
    codings = _codings_frame(segments["segment_id"].to_numpy(), seg_sorted, codes, cidx, large)

    double = _double_coding(
        r_double,
        segments["segment_id"].to_numpy(),
        seg_sorted,
        cidx,
        np.flatnonzero(~is_overlap[perm]),
        codes,
        slots,
        pools,
        n_double,
        large,
    )
    survey = _survey(r_survey, _check_count("n_respondents", n_respondents, 0))

    out_cases = cases[
        ["case_id", "title", "country", "service_area", "phase", "level", "mode", "logic"]
        + ["study", "year"]
    ].copy()
    out_cases["year"] = out_cases["year"].astype(np.int64)
    order_c = np.argsort(out_cases["case_id"].to_numpy(), kind="stable")
    frames: dict[str, Any] = {
        "cases": out_cases.iloc[order_c].reset_index(drop=True),
        "participants": people[["participant_id", "case_id", "role"]].copy(),
        "documents": docs,
        "segments": segments,
        "codings": codings,
        "double_coding": double,
        "survey": survey,
        "scales": _scales_yaml(),
    }
    if texts:
        body = pd.Series(np.array(_GAPS, dtype=object)[gap_idx] + base_text.to_numpy())
        joined = body.groupby(part).agg("".join).reindex(np.arange(n_p), fill_value="")
        frames["texts"] = pd.Series(
            (header + joined.to_numpy()).to_numpy(), index=docs["document_id"].to_numpy()
        )
    frames["meta"] = _meta(seed)
    frames["model"] = {
        "case_share_one_sided": pd.Series(share, index=cases["case_id"].to_numpy()),
        "case_one_sided": pd.Series(one_sided, index=cases["case_id"].to_numpy()),
    }
    return _sort_people(frames)


def _sort_people(frames: dict[str, Any]) -> dict[str, Any]:
    """Participants and documents are built in case-table order; keep them sorted by id."""
    for name, key in (("participants", "participant_id"), ("documents", "document_id")):
        frame = frames[name]
        order = np.argsort(frame[key].to_numpy(), kind="stable")
        frames[name] = frame.iloc[order].reset_index(drop=True)
    return frames


def _exact_count(mask: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    """Switch random optional slots on or off until exactly ``target`` codes are set."""
    mask = mask.copy()
    diff = target - int(mask.sum())
    if diff > 0:
        free = np.flatnonzero(~mask.ravel())
        if diff > len(free):
            raise ValueError(
                f"n_codings={target} needs more than {mask.shape[1]} codes per segment; "
                "raise n_segments"
            )
        mask.ravel()[free[rng.choice(len(free), diff, replace=False)]] = True
    elif diff < 0:
        anchored = mask[:, 0] | mask[:, 1]
        optional = mask.copy()
        optional[:, :2] = False
        optional &= anchored[:, None]
        taken = np.flatnonzero(optional.ravel())
        if -diff > len(taken):
            raise ValueError(f"n_codings={target} is too few for the segments; lower n_segments")
        mask.ravel()[taken[rng.choice(len(taken), -diff, replace=False)]] = False
    return mask


def _effect_weights(pool: Sequence[str], large: bool) -> np.ndarray:
    """Weights (family or none, desired, effect) of drawing each effect code."""
    known = {code: (des, base, mult) for code, des, base, mult in _EFFECTS}
    out = np.zeros((len(_FAMILIES) + 1, 2, len(pool)))
    if large:
        from ..taxonomy.codebook import get_codebook

        cb = get_codebook()
    for j, code in enumerate(pool):
        if code in known:
            des, base, mult = known[code]
            out[:, int(des), j] = base * np.asarray(mult, dtype=float)
        else:  # generate_large only: the rest of the codebook's effects, at a low weight
            out[:, int(cb.is_desired(code)), j] = 0.7
    return out


def _sentences(
    cases: pd.DataFrame,
    case: np.ndarray,
    group: np.ndarray,
    tension: np.ndarray,
    family: np.ndarray,
    effect: np.ndarray,
    effect_pool: Sequence[str],
    desired: np.ndarray,
    variant: np.ndarray,
) -> tuple[pd.Series, pd.Series]:
    """First and second half of every ordinary segment's text, from the templates."""
    keys = [*_TENSIONS, None]
    areas = cases["area"].to_numpy()
    first_t = np.empty((len(cases), len(keys), 2), dtype=object)
    for k, t in enumerate(keys):  # pre-render every (case, tension, variant): a small table
        for v in range(2):
            first_t[:, k, v] = [_TENSION_TEXT[t][v].format(area=a) for a in areas]
    second_t = np.empty((len(_FAMILIES) + 1, 2, 2), dtype=object)
    for f, fam in enumerate([*_FAMILIES, None]):
        for g in range(2):
            second_t[f, g] = _STRATEGY_TEXT[fam][g]
    effect_t = np.array(
        [
            _EFFECT_TEXT.get(e, _EFFECT_TEXT_GENERIC[int(d)])
            for e, d in zip(effect_pool, _effect_desired(effect_pool), strict=True)
        ]
        + [""],
        dtype=object,
    )
    first = first_t[case, np.where(tension < 0, len(_TENSIONS), tension), variant[:, 0]]
    second = second_t[
        np.where(family < 0, len(_FAMILIES), family), (group == 1).astype(int), variant[:, 1]
    ]
    eff = effect_t[np.where(effect < 0, len(effect_pool), effect)]
    second = second + np.where(effect < 0, "", " ").astype(object) + eff
    return pd.Series(first), pd.Series(second)


def _effect_desired(pool: Sequence[str]) -> list[bool]:
    known = {code: des for code, des, *_ in _EFFECTS}
    if all(e in known for e in pool):
        return [known[e] for e in pool]
    from ..taxonomy.codebook import get_codebook

    cb = get_codebook()
    return [known[e] if e in known else cb.is_desired(e) for e in pool]


def _documents(cases: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    pid = people["participant_id"]
    return pd.DataFrame(
        {
            "document_id": (pid + "_interview").to_numpy(),
            "case_id": people["case_id"].to_numpy(),
            "participant_id": pid.to_numpy(),
            "role": people["role"].to_numpy(),
            "title": ("Interview with " + pid + " (synthetic)").to_numpy(),
        }
    )


def _headers(docs: pd.DataFrame) -> pd.Series:
    return (
        "SYNTHETIC INTERVIEW: invented text, not a real quote.\nDocument "
        + docs["document_id"]
        + ", participant "
        + docs["participant_id"]
        + " ("
        + docs["role"]
        + "), case "
        + docs["case_id"]
        + ".\n"
    )


def _codings_frame(
    seg_ids: np.ndarray, seg_pos: np.ndarray, codes: list[str], cidx: np.ndarray, large: bool
) -> pd.DataFrame:
    if large:  # categoricals: a million rows cost a few megabytes
        return pd.DataFrame(
            {
                "segment_id": pd.Categorical.from_codes(seg_pos, categories=seg_ids),
                "code": pd.Categorical.from_codes(cidx, categories=codes),
                "coder": pd.Categorical.from_codes(np.zeros(len(cidx), np.int8), ["coder_a"]),
            }
        )
    return pd.DataFrame(
        {
            "segment_id": seg_ids[seg_pos],
            "code": np.array(codes, dtype=object)[cidx],
            "coder": "coder_a",
        }
    )


# =========================================================================== double coding


def _confusions(codes: list[str], slots: list[str], pools: dict[str, list[str]]) -> np.ndarray:
    """Weights of coder_b writing code j where coder_a wrote code i (same dimension)."""
    dim = np.concatenate([np.full(len(pools[s]), k) for k, s in enumerate(slots)])
    fam = {c: f for f in _FAMILIES for c, _ in _LEAVES[f]}
    family = np.array([fam.get(c, "") for c in codes], dtype=object)
    eff = {c: d for c, d in zip(pools["effect"], _effect_desired(pools["effect"]), strict=True)}
    desired = np.array([eff.get(c) for c in codes], dtype=object)
    w = (dim[:, None] == dim[None, :]).astype(float)
    w *= np.where((family[:, None] == family[None, :]) & (family[:, None] != ""), 3.0, 1.0)
    same_sign = (desired[:, None] == desired[None, :]) & pd.notna(desired)[:, None]
    w *= np.where(same_sign, 2.0, 1.0)
    np.fill_diagonal(w, 0.0)
    return w


def _double_coding(
    rng: np.random.Generator,
    seg_ids: np.ndarray,
    seg_pos: np.ndarray,
    cidx: np.ndarray,
    ordinary: np.ndarray,
    codes: list[str],
    slots: list[str],
    pools: dict[str, list[str]],
    n_units: int,
    large: bool,
) -> pd.DataFrame:
    n_units = min(_check_count("n_double", n_units, 0), len(ordinary))
    units = np.sort(rng.choice(ordinary, n_units, replace=False))
    chosen = np.zeros(len(seg_ids), bool)
    chosen[units] = True
    take = chosen[seg_pos]
    a_seg, a_code = seg_pos[take], cidx[take]
    u = rng.random(len(a_seg))
    keep = u < _KEEP
    swap = (u >= _KEEP) & (u < _KEEP + _REPLACE)
    b_code = a_code.copy()
    if swap.any():
        b_code[swap] = _draw(rng, _confusions(codes, slots, pools)[a_code[swap]])
    b_keep = keep | swap
    # coder_b looked at every unit: when every code was dropped, the first one stays
    kept_any = np.bincount(a_seg, weights=b_keep, minlength=len(seg_ids))[a_seg] > 0
    first = np.r_[True, a_seg[1:] != a_seg[:-1]]
    b_keep |= first & ~kept_any
    # and sometimes adds a code coder_a did not use (an effect or a strategy)
    n_extra = rng.binomial(n_units, _EXTRA)
    extra_seg = np.sort(rng.choice(units, n_extra, replace=False))
    extra_slot = rng.integers(1, 3, n_extra)
    lo = np.array([0, *np.cumsum([len(pools[s]) for s in slots])])
    extra_code = lo[extra_slot] + np.floor(
        rng.random(n_extra) * (lo[extra_slot + 1] - lo[extra_slot])
    ).astype(np.int64)
    seg = np.r_[a_seg, a_seg[b_keep], extra_seg]
    code = np.r_[a_code, b_code[b_keep], extra_code]
    coder = np.r_[np.zeros(len(a_seg), np.int8), np.ones(int(b_keep.sum()) + n_extra, np.int8)]
    frame = pd.DataFrame({"seg": seg, "coder": coder, "code": code}).drop_duplicates()
    alpha_rank = np.argsort(np.argsort(np.array(codes, dtype=object), kind="stable"))
    order = np.lexsort((alpha_rank[frame["code"].to_numpy()], frame["coder"], frame["seg"]))
    frame = frame.iloc[order]
    coders = ["coder_a", "coder_b"]
    if large:
        return pd.DataFrame(
            {
                "segment_id": pd.Categorical.from_codes(frame["seg"].to_numpy(), seg_ids),
                "coder": pd.Categorical.from_codes(frame["coder"].to_numpy(), coders),
                "code": pd.Categorical.from_codes(frame["code"].to_numpy(), codes),
            }
        )
    return pd.DataFrame(
        {
            "segment_id": seg_ids[frame["seg"].to_numpy()],
            "coder": np.array(coders, dtype=object)[frame["coder"].to_numpy()],
            "code": np.array(codes, dtype=object)[frame["code"].to_numpy()],
        }
    )


# =========================================================================== survey


def _survey(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """The vignette experiment: traits as Likert items, role, condition and coping choice."""
    ids = "R" + _zfill(np.arange(1, n + 1), _width(n, 4))
    condition = rng.integers(0, len(_CONDITIONS), n)
    role_names = np.array([r for r, _ in _SURVEY_ROLES], dtype=object)
    role_p = np.array([p for _, p in _SURVEY_ROLES])
    role = rng.choice(len(role_names), n, p=role_p / role_p.sum())
    traits = rng.standard_normal((n, 4)) @ np.linalg.cholesky(_TRAIT_CORR).T
    columns: dict[str, Any] = {
        "respondent_id": ids.to_numpy(),
        "vignette": np.array(_CONDITIONS, dtype=object)[condition],
        "role": role_names[role],
    }
    for k, scale in enumerate(_SURVEY_SCALES.values()):
        n_items = len(scale["items"])
        latent = _LOADING * traits[:, [k]] + _ITEM_NOISE * rng.standard_normal((n, n_items))
        answers = 1 + (latent[:, :, None] + scale["shift"] > _THRESHOLDS).sum(axis=2)
        flip = np.isin(scale["items"], scale["reversed"])
        answers[:, flip] = 6 - answers[:, flip]
        missing = rng.random((n, n_items)) < _MISSING_SHARE
        for j, item in enumerate(scale["items"]):
            columns[item] = pd.array(np.where(missing[:, j], 0, answers[:, j]), dtype="Int64")
            columns[item][missing[:, j]] = pd.NA
    citizen = (role_names[role] != "project_coordinator").astype(float)
    utility = (
        _CHOICE["intercept"][None, :]
        + _CHOICE["external_efficacy"][None, :] * traits[:, [1]]
        + _CHOICE["citizen_coproducer"][None, :] * citizen[:, None]
        + _CHOICE["conflict_vignette"][None, :] * (condition == 1)[:, None]
    )
    choice = np.argmax(utility + rng.gumbel(size=utility.shape), axis=1)
    columns["coping_choice"] = np.array(_FAMILIES, dtype=object)[choice]
    columns["age"] = np.clip(np.round(rng.normal(42, 14, n)), 18, 85).astype(np.int64)
    gender = rng.choice(3, n, p=[0.52, 0.45, 0.03])
    columns["gender"] = np.array(["female", "male", "other"], dtype=object)[gender]
    return pd.DataFrame(columns)


def _scales_yaml() -> dict[str, Any]:
    """The content of scales.yml (see :func:`coprodlib.survey.read_survey_design`)."""
    return {
        "likert": {"low": 1, "high": 5},
        "scales": {
            name: {
                "label": s["label"],
                "items": list(s["items"]),
                "reversed": list(s["reversed"]),
                "min_answered": len(s["items"]) - 1,
            }
            for name, s in _SURVEY_SCALES.items()
        },
        "conditions": {"column": "vignette", "levels": list(_CONDITIONS)},
        "choices": {"column": "coping_choice", "levels": list(_FAMILIES)},
    }


def _meta(seed: int) -> dict[str, Any]:
    return {
        "name": "demo",
        "title": "Synthetic demo: value conflicts in six co-production cases",
        "synthetic": True,
        "seed": int(seed),
        "description": (
            "SYNTHETIC data generated by coprodlib.demo from a seeded model that imitates the "
            "design of two published studies (three German cases, aschhoff2018; three Flemish "
            "cases and a vignette survey, jaspers2021d). Not real interviews, not findings. "
            "See README.md for the model and its assumptions."
        ),
    }


# =========================================================================== public API


def generate(
    seed: int = DEFAULT_SEED,
    *,
    n_cases: int | None = None,
    segments_per_case: int | None = None,
    n_respondents: int = 300,
    n_double: int = 80,
) -> dict[str, Any]:
    """Generate the SYNTHETIC demo dataset as tables, without writing anything.

    Parameters
    ----------
    seed : int
        Seed of every random draw; the same seed gives the same tables.
    n_cases : int, optional
        ``None`` (default): the six demo cases. 1 to 6: the first ``n_cases`` of them. More:
        the six plus synthetic cases ``case_0007``, ``case_0008``, ... whose country, service
        area, phase, level, mode, logic, roles and tension mix are drawn at random.
    segments_per_case : int, optional
        Segments per case (about 4% of them overlapping segments); by default every participant
        has 9 to 15 ordinary segments plus a few overlapping ones.
    n_respondents : int
        Rows of the survey.
    n_double : int
        Segments coded by a second coder in ``double_coding`` (at most every ordinary,
        non-overlapping segment).

    Returns
    -------
    dict
        DataFrames ``cases``, ``participants``, ``documents`` (with ``n_chars``, the length of
        the document text in code points), ``segments``, ``codings``, ``double_coding``,
        ``survey``; ``scales`` (the content of ``scales.yml``), ``meta`` (of ``dataset.yml``),
        ``texts`` (a Series of full document texts by ``document_id``; every segment's
        ``text`` is ``texts[document_id][start:end]``) and ``model`` (the per-case latent
        one-sidedness and realised share of one-sided strategy codings). Every table is sorted
        by its id columns.

    Examples
    --------
    >>> from coprodlib.demo.generator import generate
    >>> demo = generate()
    >>> len(demo["cases"]), int((demo["participants"]["case_id"].str[:3] == "de_").sum())
    (6, 24)
    """
    return _simulate(
        seed,
        n_cases,
        segments_per_case=segments_per_case,
        n_respondents=n_respondents,
        n_double=n_double,
    )


def generate_large(
    seed: int = DEFAULT_SEED,
    n_cases: int = 200,
    n_codings: int = 1_000_000,
    n_respondents: int = 20_000,
    n_double_units: int = 50_000,
    *,
    n_segments: int | None = None,
    texts: bool = False,
) -> dict[str, Any]:
    """A large synthetic dataset of the demo's shape, for benchmarks.

    The six demo cases plus ``n_cases - 6`` synthetic ones, with exactly ``n_codings``
    codings on ``n_segments`` segments (default ``0.3 * n_codings``, about 3.3 codes per
    segment). Besides tensions, strategies and effects, segments carry value codes (mostly a
    value of the segment's tension) and direction, value-kind, capacity and expectation codes,
    so that about a hundred distinct codebook ids are in use. Texts are empty unless
    ``texts=True``; offsets and ``documents.n_chars`` are valid either way. ``segment_id``,
    ``code`` and ``coder`` of ``codings`` and ``double_coding`` are categoricals.

    Parameters
    ----------
    seed : int
    n_cases : int
        Cases (at least 1).
    n_codings : int
        Rows of ``codings``.
    n_respondents : int
        Rows of ``survey``.
    n_double_units : int
        Segments coded by both coders in ``double_coding`` (at most every ordinary,
        non-overlapping segment).
    n_segments : int, optional
        Segments (default ``round(0.3 * n_codings)``); at most 5 codes fit on a segment.
    texts : bool
        Also write segment texts (slower, more memory).

    Returns
    -------
    dict
        As :func:`generate` (``texts`` only with ``texts=True``).
    """
    n_codings = _check_count("n_codings", n_codings, 1)
    n_cases = _check_count("n_cases", n_cases, 1)
    if n_segments is None:
        n_segments = max(int(round(0.3 * n_codings)), n_cases)
    n_segments = _check_count("n_segments", n_segments, 1)
    return _simulate(
        seed,
        n_cases,
        n_segments=n_segments,
        n_codings=n_codings,
        n_respondents=n_respondents,
        n_double=n_double_units,
        texts=texts,
        large=True,
    )


# =========================================================================== writing


def _csv(frame: pd.DataFrame) -> bytes:
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.6f")
    return text.encode("utf-8")


def _yaml(data: dict[str, Any], header: str, *, flow: bool | None = False) -> bytes:
    import yaml

    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=88
    )
    return (header + body).encode("utf-8")


def _files(frames: dict[str, Any]) -> dict[str, bytes]:
    seed = frames["meta"]["seed"]
    head = f"# SYNTHETIC demo data, written by coprodlib.demo (seed {seed}); do not edit by hand.\n"
    return {
        "dataset.yml": _yaml(frames["meta"], head),
        "README.md": _readme(frames).encode("utf-8"),
        "cases.csv": _csv(frames["cases"]),
        "participants.csv": _csv(frames["participants"]),
        "documents.csv": _csv(frames["documents"]),
        "segments.csv": _csv(frames["segments"]),
        "codings.csv": _csv(frames["codings"]),
        "double_coding.csv": _csv(frames["double_coding"]),
        "survey.csv": _csv(frames["survey"]),
        "scales.yml": _yaml(frames["scales"], head, flow=None),
    }


def write_demo(path: Path, *, seed: int = DEFAULT_SEED, n_cases: int | None = None) -> Path:
    """Write the SYNTHETIC demo dataset folder (``coprod demo --to PATH``).

    The files (:data:`DEMO_FILES`) are written to a temporary folder beside ``path`` and the
    folder is then renamed into place, replacing an earlier demo there; an interrupted run
    leaves either the old folder or the new one, never a mix. The same seed gives the same
    bytes.

    Parameters
    ----------
    path : Path
        Target folder, e.g. ``data/demo``. It must not exist, be empty, or hold only demo files.
    seed : int
        Seed of the model (default :data:`DEFAULT_SEED`, the shipped ``data/demo``).
    n_cases : int, optional
        Number of cases (default: the six demo cases); more than six adds generated cases,
        e.g. for a batch benchmark. Only the default reproduces ``data/demo``.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    DataError
        ``path`` is a file, or a folder holding files that are not part of the demo (they
        would be lost).
    """
    path = Path(path).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise DataError(
            Problem(file=str(path), expected="a folder for the demo dataset, not a file")
        )
    if path.is_dir():
        foreign = sorted(p.name for p in path.iterdir() if p.name not in DEMO_FILES)
        if foreign:
            raise DataError(
                Problem(
                    file=str(path),
                    value=", ".join(foreign[:10]),
                    expected=(
                        "an empty folder or an earlier demo: write_demo replaces the whole "
                        "folder and would delete these files; choose another folder"
                    ),
                )
            )
    files = _files(generate(seed, n_cases=n_cases))
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp = path.parent / f".{path.name}.tmp-{tag}"
    old = path.parent / f".{path.name}.old-{tag}"
    tmp.mkdir()
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if path.is_dir() and any(path.iterdir()):
            os.replace(path, old)
        elif path.is_dir():
            path.rmdir()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
    return path


# =========================================================================== README


def _table(rows: list[list[Any]], head: list[str]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _readme(frames: dict[str, Any]) -> str:
    seed = frames["meta"]["seed"]
    counts = [
        [f"`{name}`", len(frames[key])]
        for name, key in (
            ("cases.csv", "cases"),
            ("participants.csv", "participants"),
            ("documents.csv", "documents"),
            ("segments.csv", "segments"),
            ("codings.csv", "codings"),
            ("double_coding.csv", "double_coding"),
            ("survey.csv", "survey"),
        )
    ]
    spec = pd.DataFrame(_DEMO_CASES).set_index("case_id")
    cases = frames["cases"].set_index("case_id")
    people = frames["participants"].groupby("case_id").size()
    share = frames["model"]["case_share_one_sided"]
    case_rows = [
        [
            f"`{cid}`",
            c["study"],
            c["phase"],
            c["level"],
            c["mode"],
            c["logic"],
            int(c["year"]),
            int(people.get(cid, 0)),
            ", ".join(f"{r} {k}" for r, k in spec.loc[cid, "roles"].items()),
            f"{spec.loc[cid, 'one_sided']:+.1f}",
            f"{share[cid]:.2f}",
        ]
        for cid, c in cases.iterrows()
        if cid in spec.index
    ]
    tension_rows = [
        [f"`{cid}`", ", ".join(f"`{t}` {w:.2f}" for t, w in spec.loc[cid, "tensions"].items())]
        for cid in cases.index
        if cid in spec.index
    ]
    fam = pd.DataFrame(
        np.exp(_FAMILY_LOGITS) / np.exp(_FAMILY_LOGITS).sum(axis=1, keepdims=True),
        index=_ROLE_GROUPS,
        columns=_FAMILIES,
    ).round(2)
    fam_rows = [[g, *fam.loc[g].tolist()] for g in fam.index]
    items = ", ".join(
        f"{n} ({', '.join(s['items'])}; reversed {', '.join(s['reversed'])})"
        for n, s in _SURVEY_SCALES.items()
    )
    u = _UNDESIRED
    return f"""# SYNTHETIC DATA: the coprod workbook demo dataset

> **Every row in this folder is invented.** The tables are drawn from a seeded statistical
> model (`coprodlib.demo`) that imitates the *design* of two published studies and builds
> their reported patterns in as *assumptions*. No interview, quote, person or answer here is
> real, and no number here is a research finding. Use the data to try the workbook, never as
> evidence.

- seed: `{seed}`
- regenerate: `coprod demo --to data/demo` (or `make demo`); with the seed above the output is
  identical byte for byte; another seed: `coprod demo --to data/demo --seed N`
- in Python: `coprodlib.demo.generate(seed)` returns the same tables without writing them

## Files

{_table(counts, ["file", "rows"])}

plus `dataset.yml` (name, title, `synthetic: true`, seed, description), `scales.yml` (the survey
scales, conditions and choices; format of `coprodlib.survey.read_survey_design`) and this
README. `documents.csv` has one interview per participant; its `n_chars` column is the length of
the (unshipped) document text in code points, and `segments.csv` holds each segment's
`start`/`end` offsets into that text (end exclusive) with the segment's `text`. About 4% of the
segments overlap their neighbours (ids ending in `x`), so that overlap-based co-occurrence has
something to find. All codings are by `coder_a`; `double_coding.csv` repeats them for a sample
of segments next to those of a second, invented coder `coder_b`.

Citation keys in brackets are those of the codebook's `references`
(`src/coprodlib/codebook.yaml`).

## The cases

Two studies are imitated: three German local-government cases, studied with 24 semi-structured
interviews with public managers, citizens and third parties [aschhoff2018], and three Flemish
cases of the 2021 dissertation on coping with value conflicts [jaspers2021d].

{_table(case_rows, ["case", "study", "phase", "level", "mode", "logic", "year", "interviews", "roles", "one-sidedness (latent)", "one-sided share (drawn)"])}

| assumption | source |
|---|---|
| the three German service areas (city marketing, employment, urban development) and 24 interviews with public managers, citizens and third parties | [aschhoff2018] |
| the German cases are one each in co-design, co-delivery, co-assessment, paired in the order listed | assumption (the pairing is ours) |
| the three Flemish service areas (social elderly care, urban mobility planning, temporary use of vacant spaces) | [jaspers2021d] |
| Flemish phases: elderly care co-delivery, mobility planning co-design, vacant spaces co-delivery | assumption |
| level, mode and logic of every case; years; how the 24 German interviews split over cases and roles; the number and roles of the Flemish interviewees | assumption (invented) |
| roles are codebook `role` ids; the Flemish cases add public professionals, project coordinators and community members | [jaspers2021d] |

## Model of the codings

Each participant has one interview with 9 to 15 segments. A segment carries a tension
(probability 0.85), a coping strategy (0.88) and an effect (0.40); a segment with none of them
gets a strategy. Overlapping segments carry mainly an effect. All codes are codebook ids.

**Tensions** are drawn from a case-specific mix: the German cases only from the three tensions
reported for them [aschhoff2018], the Flemish cases mostly from the social inclusion vs service
quality conflict [jaspers2021d], with effective outcomes vs good-governance principles
[bovaird2019], user vs collective value [jaspers2023; brix2021] and process vs outcome values
[jaspers2021m]. Which tensions the Flemish cases actually reported is not verified here; the
weights are assumptions.

{_table(tension_rows, ["case", "tension weights"])}

**Strategies.** The family (avoidance, escalation, trade-off, balancing [jaspers2021d;
jaspers2021m]) is drawn from a multinomial logit by role group. Citizen co-producers choose
avoidance and escalation more often than public servants, who more often trade off or balance
[jaspers2021d]; the numbers are invented. Probabilities before the case shift:

{_table(fam_rows, ["role group", *_FAMILIES])}

Each case adds its latent one-sidedness (table above) to the log-odds of the three families that
favour one value (avoidance, escalation, trade-off: codebook `favours: one`) against balancing
(`favours: both`) [jaspers2021d]; the case values are invented to give the cases different
profiles. Within a family the code is the family id or one of its codebook children (for
example `bias`, `cycling` and `firewalls` under trade-off [thacher2004; stewart2006],
`compromising` under balancing [oldenhof2014]); `asking_public_servant` is used by citizen
co-producers only [jaspers2023].

**Effects.** Whether a coded effect is undesired follows a logistic model of the case's *drawn*
share of one-sided strategy codings, plus a small bonus when the segment's own strategy favours
one value:
`P(undesired) = logistic({u["intercept"]} + {u["per_share"]} * (case share - {u["centre"]}) + {u["one_sided"]} * one-sided)`.
This encodes the aggregation argument that one-sided coping piling up across actors raises the
risk of undesired effects [jaspers2021d]. Across the six cases the share of one-sided coping and
the share of undesired effects therefore tend to rank together, but with six cases and a few
dozen effects each, chance can break the order: the relation is probabilistic, not fixed.
Which effect is coded depends mildly on the strategy family (for example withdrawal after
avoidance); effect codes follow [jaspers2021d; bovaird2019; williams2016].

## Double coding

For {frames["double_coding"]["segment_id"].nunique()} ordinary segments, `coder_a`'s codes
are repeated, and a second coder `coder_b` keeps each code with probability {_KEEP:.2f}, writes
another code of the same dimension with probability {_REPLACE:.2f} (a sibling in the same
strategy family, or an effect of the same sign, is more likely) and otherwise leaves it out;
with probability {_EXTRA:.2f} per segment `coder_b` adds a strategy or effect of their own.
Agreement is therefore good but imperfect; the rates are invented, chosen so that Krippendorff's
alpha over the present/absent decisions lands near 0.7 to 0.8.

## Survey (vignette experiment)

{len(frames["survey"])} invented respondents, imitating the vignette experiment among
temporary users of vacant spaces [jaspers2021d]. Each sees one of two vignettes: `control` or
`conflict_inclusion_quality` (the conflict between social inclusion and service quality
stressed; the vignette texts and the contrast are our assumption). Roles: citizen 0.5,
community member 0.3, project coordinator 0.2 (assumption).

- Four traits [jaspers2021d; jaspers2023] are correlated standard normal variables, each
  measured by Likert items 1-5 with one reversed item: {items}. Items load {_LOADING} on their
  trait; {_MISSING_SHARE:.1%} of the answers are missing at random; a score needs all items but
  one (`min_answered` in `scales.yml`).
- `coping_choice` (avoidance, escalation, trade-off, balancing) follows a multinomial logit with
  balancing as reference: external efficacy raises trading off (in the vignette: in favour of
  service quality) and lowers avoidance; self-efficacy, generalised trust and trust in government
  have no effect; citizen co-producers avoid and escalate more than project coordinators; the
  conflict vignette raises avoidance and escalation a little. The direction of the efficacy
  effects and the null effects follow [jaspers2021d]; all sizes, and the role and vignette
  effects in the survey, are invented. A related experiment found no efficacy effect
  [jaspers2023]: a pattern in this survey is built in, not discovered. With a few hundred
  respondents, chance alone can also make a trait without effect look "significant", or hide
  a built-in one: that is sampling noise of the synthetic sample, not a finding either.
- Covariates `age` and `gender` are drawn independently of everything else.
"""
