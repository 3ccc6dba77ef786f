"""The second SYNTHETIC demo study's parameters: its cases, its coding model, its team's labels.

The second demo (``data/demo2/``) imitates another research design than the first: a
multi-country comparison of ten co-production cases in six countries, in the spirit of the
shared cross-country case database the IIAS study group aims at [iias]. Three Brazilian
municipal health councils differ in their institutional logic (hands-on, watchdog,
ceremonial: Lino et al., as reported in [bovaird2019]); two Northern Ireland Innovation Lab
projects stand for co-design labs [bovaird2019]; three Nordic cases of inter-organisational
co-production with professional co-producers follow [brix2021]; and two further cases fill in
service areas of the Sicilia et al. review (public safety, neighbourhood improvement; as
reported in [bovaird2019]). Which case has which phase, level, mode and logic, who was
interviewed, every weight and every coefficient below is invented: the design varies the
conditions on purpose, so that a comparison of configurations across cases (QCA) has something
to show.

The coding model differs from the first demo's in one respect: a case's lean towards coping
that favours one value is not a free number per case but follows from its conditions
(:data:`ONE_SIDED_MODEL`), and so do its escalation (:data:`ESCALATION_MODEL`) and its
undesired effects (:data:`UNDESIRED_SECOND`). The README written beside the tables
(:mod:`.second_readme`) reports all of it.

The team coded in a QDA tool with labels of its own: strategies and effects carry the team's
names (:data:`TEAM_LABELS`), mapped to codebook ids in ``code_map.csv``; tensions carry the
codebook ids; three codes have no codebook entry and live in ``codebook_extension.csv``
(:data:`LOCAL_CODES`).

Changing any value here changes the second demo, and with it ``data/demo2/``; it never changes
``data/demo/``.
"""

from __future__ import annotations

from typing import Any

from .parameters import LEAVES

__all__ = [
    "ESCALATION_MODEL",
    "LOCAL_CODES",
    "LOCAL_SLOT",
    "N_DOUBLE_SECOND",
    "ONE_SIDED_MODEL",
    "SECOND_CASES",
    "SECOND_FILES",
    "SECOND_LEAVES",
    "SECOND_SEED",
    "SECOND_SLOT_P",
    "SEGMENTS_PER_CASE",
    "TEAM_LABELS",
    "UNDESIRED_SECOND",
]

#: Seed of the shipped ``data/demo2`` folder.
SECOND_SEED = 20232

#: Files the second demo's folder holds, in the order its README lists them. No survey: a pool
#: of this study with the first demo has exactly one.
SECOND_FILES = (
    "dataset.yml",
    "README.md",
    "cases.csv",
    "participants.csv",
    "documents.csv",
    "segments.csv",
    "codings.csv",
    "double_coding.csv",
    "code_map.csv",
    "codebook_extension.csv",
)

#: Segment rows per case (ordinary and overlapping), and segments coded by a second coder.
SEGMENTS_PER_CASE = 45
N_DOUBLE_SECOND = 60

# --------------------------------------------------------------------------- cases
#: The ten cases: the columns of ``cases.csv``, plus what the model draws from: ``prefix`` (of
#: participant ids; the prefixes sort like the case ids), ``area`` (the project, for the
#: texts), ``roles`` (interviewees per role) and ``tensions`` (weights of the tensions).
#: Country and service area of each group follow the study named in ``study``; everything
#: else is invented.
SECOND_CASES: list[dict[str, Any]] = [
    {
        "case_id": "br_health_council_ceremonial",
        "prefix": "br_hcc",
        "title": "Municipal health council, ceremonial (synthetic, after Lino et al. in "
        "Bovaird et al. 2019)",
        "country": "BR",
        "service_area": "healthcare",
        "phase": "co-commissioning",
        "level": "collective",
        "mode": "consumer",
        "logic": "ceremonial",
        "study": "bovaird2019",
        "year": 2018,
        "area": "the municipal health council",
        "roles": {"public_manager": 2, "citizen": 2, "community_member": 1},
        "tensions": {"outcomes_vs_governance": 0.5, "inclusiveness_vs_accountability": 0.5},
    },
    {
        "case_id": "br_health_council_hands_on",
        "prefix": "br_hch",
        "title": "Municipal health council, hands-on (synthetic, after Lino et al. in "
        "Bovaird et al. 2019)",
        "country": "BR",
        "service_area": "healthcare",
        "phase": "co-commissioning",
        "level": "collective",
        "mode": "participative",
        "logic": "hands-on",
        "study": "bovaird2019",
        "year": 2018,
        "area": "the municipal health council",
        "roles": {"public_manager": 1, "professional": 1, "citizen": 2, "community_member": 2},
        "tensions": {
            "outcomes_vs_governance": 0.4,
            "inclusiveness_vs_accountability": 0.35,
            "inclusion_vs_service_quality": 0.25,
        },
    },
    {
        "case_id": "br_health_council_watchdog",
        "prefix": "br_hcw",
        "title": "Municipal health council, watchdog (synthetic, after Lino et al. in "
        "Bovaird et al. 2019)",
        "country": "BR",
        "service_area": "healthcare",
        "phase": "co-assessment",
        "level": "collective",
        "mode": "participative",
        "logic": "watchdog",
        "study": "bovaird2019",
        "year": 2018,
        "area": "the municipal health council",
        "roles": {"public_manager": 2, "citizen": 2, "community_member": 2},
        "tensions": {
            "inclusiveness_vs_accountability": 0.5,
            "flexibility_vs_accountability": 0.3,
            "outcomes_vs_governance": 0.2,
        },
    },
    {
        "case_id": "dk_social_care_network",
        "prefix": "dk_scn",
        "title": "Inter-organisational social care network (synthetic, after Brix et al. 2021)",
        "country": "DK",
        "service_area": "social care",
        "phase": "co-delivery",
        "level": "group",
        "mode": "enhanced",
        "logic": "hands-on",
        "study": "brix2021",
        "year": 2020,
        "area": "the social care network",
        "roles": {"professional": 2, "project_coordinator": 1, "citizen": 2, "third_party": 1},
        "tensions": {
            "user_vs_collective_value": 0.45,
            "flexibility_vs_accountability": 0.3,
            "inclusion_vs_service_quality": 0.25,
        },
    },
    {
        "case_id": "fi_home_care",
        "prefix": "fi_hca",
        "title": "Home care with family carers (synthetic, after Brix et al. 2021)",
        "country": "FI",
        "service_area": "social care",
        "phase": "co-delivery",
        "level": "individual",
        "mode": "consumer",
        "logic": "hands-on",
        "study": "brix2021",
        "year": 2020,
        "area": "the home-care arrangement",
        "roles": {"professional": 2, "citizen": 3},
        "tensions": {"user_vs_collective_value": 0.55, "inclusion_vs_service_quality": 0.45},
    },
    {
        "case_id": "fi_school_partnership",
        "prefix": "fi_sch",
        "title": "School and youth-services partnership (synthetic, after Brix et al. 2021)",
        "country": "FI",
        "service_area": "education",
        "phase": "co-delivery",
        "level": "individual",
        "mode": "enhanced",
        "logic": "watchdog",
        "study": "brix2021",
        "year": 2021,
        "area": "the school partnership",
        "roles": {"professional": 2, "project_coordinator": 1, "citizen": 2},
        "tensions": {
            "user_vs_collective_value": 0.4,
            "process_vs_outcome_value": 0.35,
            "flexibility_vs_accountability": 0.25,
        },
    },
    {
        "case_id": "gb_ni_lab_public_works",
        "prefix": "gb_npw",
        "title": "Innovation Lab project on public works (synthetic, after Bovaird et al. 2019)",
        "country": "GB",
        "service_area": "public works",
        "phase": "co-design",
        "level": "collective",
        "mode": "participative",
        "logic": "ceremonial",
        "study": "bovaird2019",
        "year": 2017,
        "area": "the lab project on the new footpaths",
        "roles": {"public_manager": 2, "citizen": 2, "third_party": 1},
        "tensions": {"process_vs_outcome_value": 0.5, "productivity_vs_diversity": 0.5},
    },
    {
        "case_id": "gb_ni_lab_waste",
        "prefix": "gb_nwl",
        "title": "Innovation Lab project on waste collection (synthetic, after Bovaird et al. "
        "2019)",
        "country": "GB",
        "service_area": "waste collection",
        "phase": "co-design",
        "level": "group",
        "mode": "enhanced",
        "logic": "hands-on",
        "study": "bovaird2019",
        "year": 2017,
        "area": "the waste-collection lab project",
        "roles": {"public_manager": 1, "professional": 1, "citizen": 2, "community_member": 2},
        "tensions": {
            "productivity_vs_diversity": 0.45,
            "process_vs_outcome_value": 0.3,
            "outcomes_vs_governance": 0.25,
        },
    },
    {
        "case_id": "nl_neighbourhood_watch",
        "prefix": "nl_nsw",
        "title": "Neighbourhood safety watch (synthetic, after the IIAS study group's aims)",
        "country": "NL",
        "service_area": "public safety",
        "phase": "co-delivery",
        "level": "group",
        "mode": "enhanced",
        "logic": "hands-on",
        "study": "iias",
        "year": 2019,
        "area": "the neighbourhood watch",
        "roles": {"professional": 1, "project_coordinator": 1, "citizen": 2, "community_member": 2},
        "tensions": {
            "flexibility_vs_accountability": 0.4,
            "inclusiveness_vs_accountability": 0.35,
            "user_vs_collective_value": 0.25,
        },
    },
    {
        "case_id": "pt_neighbourhood_improvement",
        "prefix": "pt_nbi",
        "title": "Participatory neighbourhood improvement (synthetic, after the IIAS study "
        "group's aims)",
        "country": "PT",
        "service_area": "neighbourhood improvement",
        "phase": "co-design",
        "level": "collective",
        "mode": "participative",
        "logic": "watchdog",
        "study": "iias",
        "year": 2019,
        "area": "the neighbourhood improvement plan",
        "roles": {"public_manager": 2, "citizen": 2, "community_member": 1, "third_party": 1},
        "tensions": {
            "outcomes_vs_governance": 0.4,
            "productivity_vs_diversity": 0.35,
            "inclusiveness_vs_accountability": 0.25,
        },
    },
]

# --------------------------------------------------------------------------- coding model
#: The case's latent one-sidedness, added to the log-odds of the three families that favour
#: one value (avoidance, escalation, trade-off) against balancing:
#: ``base + hands_on * [logic hands-on] + enhanced * [mode enhanced] + watchdog * [logic
#: watchdog]``. Invented: hands-on work side by side and enhanced co-production put the
#: actors in the middle of the conflict, where they settle it for one side; a watchdog
#: council keeps some distance and weighs both.
ONE_SIDED_MODEL = {"base": -1.0, "hands_on": 0.6, "enhanced": 1.2, "watchdog": -0.5}

#: An extra shift of the escalation log-odds alone: ``watchdog * [logic watchdog] +
#: collective * [level collective]``. Invented: a body that monitors others takes a
#: conflict to the higher authority, and collective co-production has one to take it to.
ESCALATION_MODEL = {"watchdog": 1.2, "collective": 0.4}

#: P(undesired | effect coded) = logistic(intercept + per_share * (case's drawn share of
#: one-sided strategy codings - centre) + one_sided * [this segment's strategy favours one]
#: + ceremonial * [logic ceremonial]). The share term is the aggregation argument of
#: [jaspers2021d], as in the first demo; the ceremonial term (form without substance breeds
#: disillusion and capture by a few, after the dark side in [bovaird2019]) and every number
#: are invented.
UNDESIRED_SECOND = {
    "intercept": -0.8,
    "per_share": 6.0,
    "centre": 0.65,
    "one_sided": 0.5,
    "ceremonial": 2.4,
}

#: Probability that a segment carries a code of each slot (tension, strategy, effect, local
#: code), for ordinary and for overlapping segments. Effects are coded more often than in the
#: first demo, so that every case's share of undesired effects rests on some 25 effects.
SECOND_SLOT_P = ((0.85, 0.88, 0.60, 0.10), (0.0, 0.30, 0.85, 0.0))

#: Codes within each coping family, with weights per role group (public servant, citizen
#: co-producer, third party): the first demo's (:data:`~.parameters.LEAVES`), but for escalation,
#: which adds the team's local code ``local_coping_passing_it_up_petition`` (a petition to the
#: council) and shifts some weight to it.
SECOND_LEAVES: dict[str, list[tuple[str, tuple[float, float, float]]]] = {
    **LEAVES,
    "escalation": [
        ("escalation", (1.0, 0.30, 0.7)),
        ("asking_public_servant", (0.0, 0.45, 0.0)),
        ("local_coping_passing_it_up_petition", (0.0, 0.25, 0.3)),
    ],
}

#: The local-code slot: weight of each local context code, by whether the case is
#: ceremonial (tokenism) or one of the inter-organisational cases (silo working).
LOCAL_SLOT = {
    "local_context_tokenism": {"ceremonial": 4.0, "other": 0.3},
    "local_context_silo_working": {"brix2021": 4.0, "other": 0.5},
}

# --------------------------------------------------------------------------- the team's codes
#: The team's own code names (as the QDA tool exports them, a path in the code tree) for the
#: codebook ids they stand for; ``code_map.csv`` maps them back. Tensions are not listed: the
#: team took the codebook's tension ids over as they are.
TEAM_LABELS = {
    "avoidance": "Coping/Looking away",
    "dropping_out": "Coping/Looking away/Quitting",
    "escalation": "Coping/Passing it up",
    "asking_public_servant": "Coping/Passing it up/Asking the official",
    "trade_off": "Coping/Choosing a side",
    "bias": "Coping/Choosing a side/Always the same side",
    "cycling": "Coping/Choosing a side/Taking turns",
    "firewalls": "Coping/Choosing a side/Separate desks",
    "balancing": "Coping/Meeting halfway",
    "compromising": "Coping/Meeting halfway/Deal",
    "justification_work": "Coping/Meeting halfway/Deal/Explaining the deal",
    "hybridization": "Coping/Meeting halfway/Mixed arrangement",
    "incrementalism": "Coping/Meeting halfway/Small steps",
    "casuistry": "Coping/Meeting halfway/Going by precedent",
    "value_realised": "Outcome/Better service",
    "value_cocreated": "Outcome/Made together",
    "value_failure": "Outcome/Value lost",
    "co_destruction": "Outcome/Project failed",
    "withdrawal": "Outcome/People left",
    "disillusion": "Outcome/Let down",
    "loss_of_trust": "Outcome/Trust lost",
    "co_optation": "Outcome/Taken over by a few",
    "burden_shifting": "Outcome/Work pushed onto volunteers",
    "co_contamination": "Outcome/Harm from taking part",
}

#: The three codes without a codebook entry: the rows of ``codebook_extension.csv``, plus the
#: team's code name (``project_code``) that each local id stands for.
LOCAL_CODES: list[dict[str, Any]] = [
    {
        "id": "local_context_silo_working",
        "label": "Silo working between agencies",
        "dimension": "local",
        "parent": None,
        "definition": "Each organisation keeps to its own remit and budget, so that joint work "
        "across agencies stalls (the team's own context code; SYNTHETIC demo).",
        "project_code": "Context/Silo working",
    },
    {
        "id": "local_context_tokenism",
        "label": "Tokenism",
        "dimension": "local",
        "parent": None,
        "definition": "Participants are consulted for form's sake; their say changes nothing "
        "(the team's own context code; SYNTHETIC demo).",
        "project_code": "Context/Tokenism",
    },
    {
        "id": "local_coping_passing_it_up_petition",
        "label": "Petition to the council",
        "dimension": "strategy",
        "parent": "escalation",
        "definition": "Citizens or third parties collect signatures to have the council decide "
        "the conflict: a form of escalation (the team's own code; SYNTHETIC demo).",
        "project_code": "Coping/Passing it up/Petition",
    },
]
