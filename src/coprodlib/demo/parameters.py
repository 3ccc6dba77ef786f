"""The demo model's parameters: every number and list the SYNTHETIC demo is drawn from.

The constants here are the model's assumptions, written down in one place: the role groups and
their leanings towards the coping families, the code weights, the probability that a coded
effect is undesired, the six demo cases after the two imitated studies [aschhoff2018;
jaspers2021d], the lists that extra synthetic cases are drawn from, the survey's scales and its
choice model, and the rates of the second coder. Where a number comes from a study, the comment
says so; all others are invented. The README that the writer puts beside the tables
(:mod:`.readme`) reports them.

Changing any value here changes the demo, and with it ``data/demo/``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "CHOICE",
    "CONDITIONS",
    "COUNTRIES",
    "DEFAULT_SEED",
    "DEMO_CASES",
    "EFFECTS",
    "EXTRA",
    "FAMILIES",
    "FAMILY_LOGITS",
    "ITEM_NOISE",
    "KEEP",
    "LEAVES",
    "LEVELS",
    "LOADING",
    "LOGICS",
    "MISSING_SHARE",
    "MODES",
    "OVERLAP_SHARE",
    "PHASES",
    "REPLACE",
    "ROLE_GROUP",
    "ROLE_GROUPS",
    "SERVICE_AREAS",
    "SLOT_P",
    "SURVEY_ROLES",
    "SURVEY_SCALES",
    "SYNTH_ROLES",
    "TENSIONS",
    "THRESHOLDS",
    "TRAIT_CORR",
    "UNDESIRED",
]

#: Seed of the shipped ``data/demo`` folder.
DEFAULT_SEED = 20211

# --------------------------------------------------------------------------- codes and cases
# Ids are written out (not read from the codebook) so that adding codebook entries never
# changes the demo; tests check that every id below is a codebook id of the right dimension.

#: The three groups of actors the model tells apart; rows of :data:`FAMILY_LOGITS`.
ROLE_GROUPS = ("public_servant", "citizen_coproducer", "third_party")
#: The group (index into :data:`ROLE_GROUPS`) of every codebook role the demo uses.
ROLE_GROUP = {
    "public_manager": 0,
    "professional": 0,
    "project_coordinator": 0,
    "citizen": 1,
    "community_member": 1,
    "third_party": 2,
}

#: The tensions (value conflicts) the demo codes, in slot order.
TENSIONS = (
    "inclusiveness_vs_accountability",
    "flexibility_vs_accountability",
    "productivity_vs_diversity",
    "inclusion_vs_service_quality",
    "outcomes_vs_governance",
    "user_vs_collective_value",
    "process_vs_outcome_value",
)

#: The four coping families; balancing is the reference of the logits.
FAMILIES = ("avoidance", "escalation", "trade_off", "balancing")

#: Log-odds of each family against balancing, per role group (public servant, citizen
#: co-producer, third party). Citizens avoid and escalate more, servants trade off and balance
#: more [jaspers2021d]; the numbers themselves are invented.
FAMILY_LOGITS = np.array(
    [
        [-1.6, -1.0, 0.1, 0.0],
        [0.0, 0.3, -0.2, 0.0],
        [-1.0, -0.6, 0.2, 0.0],
    ]
)

#: Codes within each family, with weights per role group (servant, citizen, third party).
LEAVES: dict[str, list[tuple[str, tuple[float, float, float]]]] = {
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
EFFECTS: list[tuple[str, bool, float, tuple[float, float, float, float, float]]] = [
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
UNDESIRED = {"intercept": -0.2, "per_share": 5.0, "centre": 0.65, "one_sided": 0.5}

#: Probability that a segment carries a code of each slot: tension, strategy, effect (demo),
#: plus a value and an "other" code (generate_large only); ordinary and overlapping segments.
SLOT_P = {
    "demo": (np.array([0.85, 0.88, 0.40]), np.array([0.0, 0.30, 0.85])),
    "large": (np.array([0.90, 0.90, 0.50, 0.60, 0.45]), np.array([0.0, 0.30, 0.85, 0.30, 0.20])),
}
OVERLAP_SHARE = 0.04  # overlapping segments per case, as a share of its ordinary segments

#: The six demo cases: their case-table columns, plus what the model draws from (the
#: project phrase ``area`` for the texts, the latent ``one_sided`` shift, the interviewees per
#: role and the tension weights). All but the study design is invented.
DEMO_CASES: list[dict[str, Any]] = [
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
COUNTRIES = ("BE", "DE", "NL", "DK", "FI", "SE", "NO", "GB", "FR", "IT", "ES", "PT", "BR", "US")
SERVICE_AREAS = (
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
PHASES = ("co-commissioning", "co-design", "co-delivery", "co-assessment")
LEVELS = ("individual", "group", "collective")
MODES = ("consumer", "participative", "enhanced")
LOGICS = ("hands-on", "watchdog", "ceremonial")
#: Roles of the participants of extra synthetic cases, with their probabilities.
SYNTH_ROLES = (
    ("public_manager", 0.15),
    ("professional", 0.20),
    ("project_coordinator", 0.10),
    ("citizen", 0.30),
    ("community_member", 0.15),
    ("third_party", 0.10),
)

# --------------------------------------------------------------------------- survey model
#: The survey's four trait scales: label, items, reversed items and a shift of the answers.
SURVEY_SCALES: dict[str, dict[str, Any]] = {
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
#: Correlations of the four traits, in the order of :data:`SURVEY_SCALES`.
TRAIT_CORR = np.array(
    [
        [1.00, 0.35, 0.15, 0.20],
        [0.35, 1.00, 0.20, 0.45],
        [0.15, 0.20, 1.00, 0.35],
        [0.20, 0.45, 0.35, 1.00],
    ]
)
#: How strongly an item follows its trait, and the weight of the item's own noise.
LOADING, ITEM_NOISE = 0.72, 0.69
#: Cut points of the latent answer into the five Likert categories.
THRESHOLDS = np.array([-1.5, -0.55, 0.35, 1.3])
#: Share of survey answers left missing, at random.
MISSING_SHARE = 0.015
#: The two vignettes; the second stresses the conflict of social inclusion and service quality.
CONDITIONS = ("control", "conflict_inclusion_quality")
#: Roles of the survey respondents, with their probabilities.
SURVEY_ROLES = (("citizen", 0.5), ("community_member", 0.3), ("project_coordinator", 0.2))
#: Multinomial logit of the coping choice, utilities against balancing (= 0) for avoidance,
#: escalation and trade-off. Only external efficacy, the citizen role and the vignette matter;
#: self-efficacy and both trust scales have no effect by construction.
CHOICE = {
    "intercept": np.array([-0.8, -0.5, -0.3, 0.0]),
    "external_efficacy": np.array([-0.7, 0.0, 0.7, 0.0]),
    "citizen_coproducer": np.array([0.7, 0.8, 0.0, 0.0]),
    "conflict_vignette": np.array([0.3, 0.3, 0.1, 0.0]),
}

# --------------------------------------------------------------------------- double coding
#: coder_b keeps each code of coder_a with probability KEEP, writes another code of the same
#: dimension with probability REPLACE and otherwise drops it; EXTRA is the chance per segment
#: that coder_b adds a code of their own. The rates are invented.
KEEP, REPLACE, EXTRA = 0.74, 0.14, 0.06
