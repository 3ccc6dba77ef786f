"""The codebook as data: structure, the fixed ids other modules rely on, look-ups, checks,
extension, exports (CSV, Markdown, the generated docs page) and the export command."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coprodlib
from coprodlib.errors import DataError, Problem
from coprodlib.paths import project_root
from coprodlib.taxonomy.codebook import Codebook, codebook, get_codebook, read_codebook
from coprodlib.taxonomy.export import codebook_markdown, export_codebook
from coprodlib.taxonomy.records import COLUMNS, MAX_DEPTH, MAX_HINTS, _tree_shape

SLUG = re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$")

# The ids fixed in the helpers' common brief (notes/common.md), by dimension.
FIXED_IDS = {
    "value": [
        "inclusiveness", "accountability", "flexibility", "productivity", "diversity",
        "responsiveness", "innovation", "political_loyalty", "professionalism",
        "service_quality", "democratic_quality", "equity", "legitimacy", "effectiveness",
        "good_governance", "user_value", "collective_value", "process_values", "outcome_values",
    ],
    "tension": [
        "inclusiveness_vs_accountability", "flexibility_vs_accountability",
        "productivity_vs_diversity", "inclusion_vs_service_quality", "outcomes_vs_governance",
        "user_vs_collective_value", "process_vs_outcome_value",
    ],
    "strategy": [
        "avoidance", "escalation", "trade_off", "balancing", "bias", "cycling", "firewalls",
        "hybridization", "incrementalism", "compromising", "casuistry", "dropping_out",
        "asking_public_servant",
    ],
    "direction": ["moving_towards", "moving_away", "moving_against"],
    "effect": [
        "desired_effect", "undesired_effect", "value_realised", "value_cocreated",
        "value_failure", "co_destruction", "withdrawal", "disillusion", "loss_of_trust",
        "co_optation",
    ],
    "phase": ["co-commissioning", "co-design", "co-delivery", "co-assessment"],
    "level": ["individual", "group", "collective"],
    "mode": ["consumer", "participative", "enhanced"],
    "logic": ["hands-on", "watchdog", "ceremonial"],
    "school": ["input-output", "value-chain", "public-value-creation"],
    "value_kind": ["private_value", "group_value", "public_value"],
    "role": [
        "public_servant", "public_manager", "professional", "project_coordinator",
        "citizen_coproducer", "citizen", "community_member", "third_party",
    ],
    "trait": ["self_efficacy", "external_efficacy", "generalised_trust", "trust_in_government"],
    "capacity": ["individual_capacity", "organisational_capacity", "system_capacity"],
    "expectation": ["process_expectation", "outcome_expectation"],
}  # fmt: skip

FIXED_PARENTS = {
    "bias": "trade_off", "cycling": "trade_off", "firewalls": "trade_off",
    "hybridization": "balancing", "incrementalism": "balancing", "compromising": "balancing",
    "casuistry": "balancing", "dropping_out": "avoidance", "asking_public_servant": "escalation",
    "avoidance": None, "escalation": None, "trade_off": None, "balancing": None,
    "desired_effect": None, "undesired_effect": None,
    "value_realised": "desired_effect", "value_cocreated": "desired_effect",
    "value_failure": "undesired_effect", "co_destruction": "undesired_effect",
    "withdrawal": "undesired_effect", "disillusion": "undesired_effect",
    "loss_of_trust": "undesired_effect", "co_optation": "undesired_effect",
    "public_servant": None, "public_manager": "public_servant", "professional": "public_servant",
    "project_coordinator": "public_servant", "citizen_coproducer": None,
    "citizen": "citizen_coproducer", "community_member": "citizen_coproducer",
    "third_party": None,
}  # fmt: skip

# domain.md: "which favour one value" / "seek both"
FAVOURS_ONE = [
    "avoidance", "escalation", "trade_off", "bias", "cycling", "firewalls", "dropping_out",
    "asking_public_servant",
]  # fmt: skip
FAVOURS_BOTH = ["balancing", "hybridization", "incrementalism", "compromising", "casuistry"]

TENSION_VALUES = {
    "inclusiveness_vs_accountability": ("inclusiveness", "accountability"),
    "flexibility_vs_accountability": ("flexibility", "accountability"),
    "productivity_vs_diversity": ("productivity", "diversity"),
    "inclusion_vs_service_quality": ("inclusiveness", "service_quality"),
    "outcomes_vs_governance": ("effectiveness", "good_governance"),
    "user_vs_collective_value": ("user_value", "collective_value"),
    "process_vs_outcome_value": ("process_values", "outcome_values"),
}

# Concepts named in domain.md's sections on values, tensions, strategies, effects and forms
# that go beyond the fixed ids, with the id that holds each.
DOMAIN_CONCEPTS = {
    # Jørgensen & Bozeman constellations and their listed members
    "constellation": [
        "society_contribution", "interests_to_decisions", "administrators_politicians",
        "administrators_environment", "inside_organisation", "employee_behaviour",
        "administration_citizens",
    ],
    "value": [
        "common_good", "public_interest", "social_cohesion", "human_dignity", "sustainability",
        "democracy", "will_of_the_people", "citizen_involvement", "protection_of_minorities",
        "openness", "neutrality", "cooperativeness", "balancing_of_interests",
        "listening_to_public_opinion", "robustness", "adaptability", "reliability",
        "parsimony", "honesty", "integrity", "legality", "equal_treatment", "fairness",
        "dialogue", "user_orientation", "timeliness",
    ],
    "strategy": ["justification_work"],
    # Bozeman (2002): the seven public-value failure criteria; Williams et al.
    "effect": [
        "articulation_breakdown", "imperfect_monopoly", "benefit_hoarding",
        "scarcity_of_providers", "short_time_horizon", "substitutability",
        "subsistence_threat", "co_contamination", "burden_shifting",
    ],
    "opportunity_space": ["co_exploration", "co_exploitation"],
}  # fmt: skip


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return get_codebook()


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return codebook()


# --------------------------------------------------------------------------- structure


def test_codebook_is_exported_by_the_package_function(frame):
    # coprodlib.codebook() is the acceptance entry point; until __init__ re-exports it,
    # taxonomy.codebook is the same function
    fn = getattr(coprodlib, "codebook", codebook)
    pd.testing.assert_frame_equal(fn(), frame)


def test_columns_in_fixed_order_and_types(frame):
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame.columns[:6]) == ["id", "label", "dimension", "parent", "definition", "source"]
    assert str(frame["desired"].dtype) == "boolean"
    assert frame["aliases"].notna().all()  # "" where there are none
    assert len(frame) == frame["id"].nunique()


def test_ids_unique_and_slug_like(frame):
    assert frame["id"].is_unique
    bad = [i for i in frame["id"] if not SLUG.match(i)]
    assert bad == []


def test_every_parent_exists_and_there_are_no_cycles(frame):
    parent = dict(zip(frame["id"], frame["parent"], strict=True))
    orphans = [p for p in frame["parent"].dropna() if p not in parent]
    assert orphans == []
    for start in frame["id"]:
        seen, node = set(), start
        while isinstance(node, str):
            assert node not in seen, f"cycle through {start}"
            seen.add(node)
            node = parent[node]


def test_both_values_of_every_tension_exist_and_are_values(frame):
    dim = dict(zip(frame["id"], frame["dimension"], strict=True))
    tensions = frame[frame["dimension"] == "tension"]
    assert len(tensions) >= 7
    for row in tensions.itertuples():
        assert dim.get(row.value_a) == "value", row.id
        assert dim.get(row.value_b) == "value", row.id
        assert row.value_a != row.value_b
    assert frame.loc[frame["dimension"] != "tension", ["value_a", "value_b"]].isna().all().all()


def test_every_strategy_has_a_family_and_a_favours_mark(frame):
    strategies = frame[frame["dimension"] == "strategy"]
    assert strategies["favours"].isin(["one", "both"]).all()
    families = strategies[strategies["parent"].isna()]
    assert sorted(families["id"]) == ["avoidance", "balancing", "escalation", "trade_off"]
    assert (families["family"] == families["id"]).all()
    parent = dict(zip(frame["id"], frame["parent"], strict=True))
    for row in strategies.itertuples():  # the family is the strategy's top ancestor
        top = row.id
        while isinstance(parent[top], str):
            top = parent[top]
        assert row.family == top
    others = frame[frame["dimension"] != "strategy"]
    assert others[["family", "favours", "direction"]].isna().all().all()


def test_every_effect_is_marked_desired_or_not(frame):
    effects = frame[frame["dimension"] == "effect"].set_index("id")
    assert effects["desired"].notna().all()
    # children agree with their root: everything under undesired_effect is undesired
    parent = frame.set_index("id")["parent"]
    for code, desired in effects["desired"].items():
        top = code
        while isinstance(parent[top], str):
            top = parent[top]
        assert bool(desired) == (top == "desired_effect"), code
    assert frame.loc[frame["dimension"] != "effect", "desired"].isna().all()


def test_every_entry_has_a_definition_and_a_source_that_resolves(cb, frame):
    keys = set(cb.references["key"])
    assert (frame["definition"].str.len() > 20).all()
    for row in frame.itertuples():
        cited = [k.strip() for k in row.source.split(";")]
        assert cited and all(k in keys for k in cited), (row.id, row.source)
    for src in cb.dimension_info["source"]:
        assert all(k.strip() in keys for k in src.split(";"))


def test_references_table(cb):
    refs = cb.references
    assert list(refs.columns) == ["key", "citation"]
    assert refs["key"].is_unique and refs["key"].is_monotonic_increasing
    for key in ["aschhoff2018", "jaspers2021d", "jorgensen2007", "bozeman2002", "williams2016"]:
        assert key in set(refs["key"])
    doi = refs.set_index("key").at["aschhoff2018", "citation"]
    assert "10.1108/IJPSM-08-2017-0222" in doi


@pytest.mark.parametrize("dimension", sorted(FIXED_IDS))
def test_fixed_ids_present_with_their_dimension(frame, dimension):
    dims = dict(zip(frame["id"], frame["dimension"], strict=True))
    wrong = {i: dims.get(i) for i in FIXED_IDS[dimension] if dims.get(i) != dimension}
    assert wrong == {}


def test_fixed_parents_favours_and_tension_values(cb):
    for code, parent in FIXED_PARENTS.items():
        assert cb.get(code).parent == parent, code
    assert {c: cb.favours(c) for c in FAVOURS_ONE} == dict.fromkeys(FAVOURS_ONE, "one")
    assert {c: cb.favours(c) for c in FAVOURS_BOTH} == dict.fromkeys(FAVOURS_BOTH, "both")
    assert {t: cb.tension_values(t) for t in TENSION_VALUES} == TENSION_VALUES


def test_values_sit_under_constellations_of_the_inventory(cb, frame):
    values = frame[frame["dimension"] == "value"]
    dims = dict(zip(frame["id"], frame["dimension"], strict=True))
    # only the value frames outside the inventory are top-level
    assert sorted(values.loc[values["parent"].isna(), "id"]) == sorted(
        ["good_governance", "user_value", "collective_value", "process_values", "outcome_values"]
    )
    parents = values["parent"].dropna()
    assert (parents.map(dims) == "constellation").all()
    assert cb.get("accountability").parent == "administrators_politicians"


@pytest.mark.parametrize("dimension", sorted(DOMAIN_CONCEPTS))
def test_domain_concepts_beyond_the_fixed_ids(cb, dimension):
    assert {c: cb.dimension_of(c) for c in DOMAIN_CONCEPTS[dimension]} == dict.fromkeys(
        DOMAIN_CONCEPTS[dimension], dimension
    )


def test_bozeman_criteria_and_co_contamination_refine_value_failure(cb):
    under = cb.children("value_failure")
    bozeman = [c for c in under if cb.get(c).source == "bozeman2002"]
    assert len(bozeman) == 7  # Bozeman 2002, abstract: seven failure criteria
    assert "co_contamination" in under and cb.get("co_contamination").source == "williams2016"
    assert not any(cb.is_desired(c) for c in under)


def test_names_match_one_entry_each(frame):
    # ids, labels and aliases, compared without case and punctuation, point at one entry
    owner: dict[str, str] = {}
    for row in frame.itertuples():
        names = [row.id, row.label, *[a for a in row.aliases.split("; ") if a]]
        for name in names:
            key = re.sub(r"[\W_]+", "", name.casefold())
            assert owner.setdefault(key, row.id) == row.id, (name, owner[key], row.id)


def test_order_follows_dimensions_then_hierarchy(cb, frame):
    assert cb.dimensions[:6] == [
        "constellation",
        "value",
        "tension",
        "strategy",
        "direction",
        "effect",
    ]
    pos = {c: i for i, c in enumerate(frame["id"])}
    for row in frame.dropna(subset=["parent"]).itertuples():
        if cb.dimension_of(row.parent) == row.dimension:
            assert pos[row.parent] < pos[row.id]


def test_aschhoff_vogel_strategy_is_a_one_line_addition(tmp_path):
    # the YAML's comment promises that adding a verified strategy is one line; check it
    text = (project_root() / "src" / "coprodlib" / "taxonomy" / "codebook.yaml").read_text(
        encoding="utf-8"
    )
    line = (
        "  - {id: av_example, label: AV example strategy, dimension: strategy, "
        'parent: balancing, definition: "A test entry.", source: aschhoff2018}\n'
    )
    assert text.rstrip().splitlines()[-1].startswith("    ")  # entries is the last block
    (tmp_path / "cb.yaml").write_text(text.rstrip("\n") + "\n" + line, encoding="utf-8")
    extended = read_codebook(tmp_path / "cb.yaml")
    assert len(extended) == len(get_codebook()) + 1
    assert extended.family("av_example") == "balancing"
    assert extended.favours("av_example") == "both"


def test_read_codebook_reports_a_broken_file(tmp_path):
    bad = tmp_path / "cb.yaml"
    bad.write_text(
        "references: {k: cite}\ndimensions: [{id: value}]\nentries:\n"
        "  - {id: a, label: A, dimension: value, definition: x, source: nokey}\n"
        "  - {id: b, label: B, dimension: valu, parent: zz}\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as err:
        read_codebook(bad)
    msg = str(err.value)
    assert "unknown: 'nokey'" in msg and "entry 'b'" in msg
    assert {p.column for p in err.value.problems} >= {"source", "dimension", "parent"}
    bad.write_text("references: [unclosed", encoding="utf-8")
    with pytest.raises(DataError, match="valid YAML"):
        read_codebook(bad)


# --------------------------------------------------------------------------- look-ups


def test_lookup_by_id_label_and_alias(cb):
    assert cb.get("efficiency").id == "productivity"  # alias
    assert cb.get("  Social Inclusion ").id == "inclusiveness"  # alias, case and space
    assert cb.get("Trade-off").id == "trade_off"  # label
    assert cb.resolve("trade_off") == cb.resolve("TRADE OFF") == "trade_off"
    assert cb.resolve("no such thing") is None and cb.resolve(None) is None
    entry = cb.get("compromising")
    assert (entry.family, entry.favours, entry.source) == ("balancing", "both", "oldenhof2014")
    assert entry.sources == ("oldenhof2014",)
    assert cb.get("productivity").aliases == ("efficiency",)
    assert cb.get("value_failure").desired is False


def test_unknown_code_gives_did_you_mean(cb):
    with pytest.raises(DataError, match=r"did you mean 'bias'\?") as err:
        cb.get("bais")
    assert err.value.problems[0].value == "bais"
    assert isinstance(err.value, ValueError)
    assert cb.suggest("inclusivness")[0] == "inclusiveness"
    assert cb.suggest("firewal") == ["firewalls"]
    assert cb.suggest("zzzzzz") == []


def test_children_ancestors_root(cb):
    assert cb.children("balancing") == [
        "hybridization",
        "incrementalism",
        "compromising",
        "casuistry",
    ]
    assert cb.children("balancing", recursive=True) == [
        "hybridization",
        "incrementalism",
        "compromising",
        "justification_work",
        "casuistry",
    ]
    assert cb.children("bias") == []
    assert cb.ancestors("justification_work") == ["compromising", "balancing"]
    assert cb.ancestors("avoidance") == []
    assert cb.root("citizen") == "citizen_coproducer"
    assert cb.root("inclusiveness") == "interests_to_decisions"
    assert cb.root("third_party") == "third_party"


def test_marks_by_dimension(cb):
    assert cb.family("casuistry") == "balancing" and cb.family("avoidance") == "avoidance"
    assert cb.is_desired("value_cocreated") is True and cb.is_desired("co_optation") is False
    assert cb.dimension_of("co-design") == "phase"
    with pytest.raises(DataError, match="'inclusiveness' is a value"):
        cb.family("inclusiveness")
    with pytest.raises(DataError, match="is a strategy"):
        cb.tension_values("bias")
    assert cb.ids("direction") == ["moving_towards", "moving_away", "moving_against"]
    with pytest.raises(DataError, match="did you mean 'strategy'"):
        cb.ids("strategies")


# --------------------------------------------------------------------------- check


def test_check_names_row_column_value_and_suggestion(cb):
    codes = ["bias", "bais", "inclusiveness", None, "Trade-off", "bias", "bais"]
    problems = cb.check(codes, "strategy", file="codings.csv", column="code")
    assert all(isinstance(p, Problem) for p in problems)
    got = [(p.row, p.value, p.kind) for p in problems]
    assert got == [
        (3, "bais", "unknown_code"),
        (4, "inclusiveness", "wrong_dimension"),
        (5, None, "missing"),
        (6, "Trade-off", "unknown_code"),
        (8, "bais", "unknown_code"),
    ]
    assert "did you mean 'bias'" in problems[0].expected
    assert "dimension 'value'" in problems[1].expected
    assert "'trade_off'" in problems[3].expected
    assert {p.file for p in problems} == {"codings.csv"} and {p.column for p in problems} == {
        "code"
    }


def test_check_with_row_numbers_and_any_dimension(cb):
    problems = cb.check(
        pd.Series(["co-design", "co_design", "zzz"]),
        file="cases.csv",
        column="phase",
        rows=[10, 20, 30],
    )
    assert [(p.row, p.value) for p in problems] == [(20, "co_design"), (30, "zzz")]
    assert cb.check(["co-design"], "phase", file="f", column="c") == []
    assert cb.check([], "phase", file="f", column="c") == []
    problems = cb.check(["group"], ["phase", "mode"], file="f", column="c")
    assert problems[0].kind == "wrong_dimension"
    with pytest.raises(ValueError, match="rows has 1 numbers for 2 codes"):
        cb.check(["a", "b"], file="f", column="c", rows=[2])
    with pytest.raises(DataError, match="dimension"):
        cb.check(["a"], "nonsense", file="f", column="c")


def test_check_is_vectorised_over_a_million_codings(cb):
    good = np.array(cb.ids("strategy"), dtype=object)
    codes = pd.Series(np.resize(good, 1_000_000))
    codes.iloc[[5, 500_000, 999_999]] = ["bais", "inclusiveness", "cyclng"]
    start = time.perf_counter()
    problems = cb.check(codes, "strategy", file="codings.csv", column="code")
    elapsed = time.perf_counter() - start
    assert [p.row for p in problems] == [7, 500_002, 1_000_001]
    assert elapsed < 5.0  # about 0.1-0.3 s on a laptop; a loop over rows takes far longer


# --------------------------------------------------------------------------- extend


def test_extend_adds_local_codes_and_finer_codes(cb):
    local = pd.DataFrame(
        {
            "id": ["rule_bending", "neighbourhood_noise", "noise_complaints", "budget_cut"],
            "label": ["Rule bending", "Neighbourhood noise", "Noise complaints", "Budget cut"],
            "dimension": ["strategy", "local", "local", "effect"],
            "parent": ["bias", None, "neighbourhood_noise", "co_destruction"],
            "definition": ["Bending rules for a client.", None, None, "Budget reduced."],
            "comment": ["ignored", "", "", ""],
        }
    )
    bigger = cb.extend(local)
    assert len(bigger) == len(cb) + 4 and len(get_codebook()) == len(cb)  # cb unchanged
    assert (bigger.family("rule_bending"), bigger.favours("rule_bending")) == ("trade_off", "one")
    assert bigger.is_desired("budget_cut") is False  # inherited from co_destruction
    assert bigger.dimensions[-1] == "local"
    assert bigger.children("neighbourhood_noise") == ["noise_complaints"]
    assert bigger.ids("strategy").index("rule_bending") == bigger.ids("strategy").index("bias") + 1
    assert "comment" not in bigger.frame.columns
    assert bigger != cb


def test_extend_rejects_bad_entries_with_rows(cb):
    bad = pd.DataFrame(
        {
            "id": ["bias", "Bad Id", "x1", "x2", "x3", "x4"],
            "label": ["B", "Bad", "Trade-off", "X2", "X3", "X4"],
            "dimension": ["strategy", "local", "local", "tension", "effect", "local"],
            "parent": [None, None, "nope", None, None, "x4"],
            "value_a": [None, None, None, "inclusiveness", None, None],
            "value_b": [None, None, None, "bais", None, None],
        }
    )
    with pytest.raises(DataError) as err:
        cb.extend(bad, file="codebook_extension.csv")
    got = {(p.row, p.column, p.kind) for p in err.value.problems}
    assert got == {
        (2, "id", "duplicate"),  # bias exists
        (3, "id", "invalid"),  # not a slug
        (4, "parent", "unknown_code"),
        (4, "label", "duplicate"),  # collides with trade_off's label
        (5, "value_b", "unknown_code"),  # not a value
        (6, "desired", "missing"),  # an effect without parent needs desired
        (7, "parent", "invalid"),  # its own parent: a cycle
    }
    assert {p.file for p in err.value.problems} == {"codebook_extension.csv"}
    with pytest.raises(DataError, match=r"missing: label, dimension"):
        cb.extend(pd.DataFrame({"id": ["a"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        cb.extend([{"id": "a"}])  # type: ignore[arg-type]


def test_check_gives_hints_for_the_first_bad_codes_only_and_stays_fast(cb):
    # each hint compares a code with every name; 20,000 distinct bad codes took over a
    # minute when each got one
    codes = [f"bais{i}" for i in range(20_000)]
    start = time.perf_counter()
    problems = cb.check(codes, "strategy", file="codings.csv", column="code")
    assert time.perf_counter() - start < 20
    assert len(problems) == 20_000 and [p.row for p in problems[:2]] == [2, 3]
    hinted = [p for p in problems if "did you mean" in p.expected]
    assert [p.value for p in hinted] == codes[:MAX_HINTS]
    assert "bias" in hinted[0].expected
    assert "one of 'avoidance'" in problems[-1].expected  # still says what is allowed


def long_chain(n, *, cycle=False, dimension="strategy"):
    """``n`` new entries, each the parent of the next, under ``bias`` (or in a ring)."""
    parents = ["bias", *(f"x{i}" for i in range(n - 1))]
    if cycle:
        parents[0] = f"x{n - 1}"
    return pd.DataFrame(
        {
            "id": [f"x{i}" for i in range(n)],
            "label": [f"Local {i}" for i in range(n)],
            "dimension": dimension,
            "parent": parents,
        }
    )


def test_tree_shape_finds_cycles_depths_and_a_parents_first_order():
    # 0 <- 1 <- 2; 3 <-> 4 with 5 below the ring; 6 its own parent; 7 under 2
    parent_of = [None, 0, 1, 4, 3, 3, 6, 2]
    cycles, depth, order = _tree_shape(parent_of)
    assert sorted(sorted(c) for c in cycles) == [[3, 4], [6]]
    assert depth == [0, 1, 2, -1, -1, -1, -1, 3]
    assert sorted(order) == [0, 1, 2, 7]
    assert all(order.index(parent_of[i]) < order.index(i) for i in order if parent_of[i])


def test_tree_shape_is_linear_and_needs_no_recursion():
    n = 200_000  # far past the recursion limit; climbing per entry would take hours
    start = time.perf_counter()
    cycles, depth, order = _tree_shape([None, *range(n - 1)])
    assert time.perf_counter() - start < 20
    assert cycles == [] and depth[-1] == n - 1 and order == list(range(n))


def test_extend_finds_a_ten_thousand_entry_cycle_once(cb):
    start = time.perf_counter()
    with pytest.raises(DataError) as err:
        cb.extend(long_chain(10_000, cycle=True), file="codebook_extension.csv")
    assert time.perf_counter() - start < 20  # the old per-entry path search took minutes
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (2, "parent", "x9999")
    assert (
        "x0 -> x9999 -> x9998" in problem.expected and "... -> x2 -> x1 -> x0" in problem.expected
    )
    assert "a cycle of 10,000 entries" in problem.expected


def test_extend_two_cycles_and_an_entry_below_one(cb):
    local = pd.DataFrame(
        {
            "id": ["a1", "a2", "b1", "under"],
            "label": ["A1", "A2", "B1", "Under"],
            "dimension": "strategy",
            "parent": ["a2", "a1", "b1", "a1"],
        }
    )
    with pytest.raises(DataError) as err:
        cb.extend(local, file="codebook_extension.csv")
    got = [(p.row, p.column, p.value) for p in err.value.problems]
    assert got == [(2, "parent", "a2"), (4, "parent", "b1")]  # "under" is no cycle itself
    assert "a1 -> a2 -> a1" in err.value.problems[0].expected


def test_extend_refuses_codes_deeper_than_max_depth(cb):
    start = time.perf_counter()
    with pytest.raises(DataError) as err:
        cb.extend(long_chain(10_000), file="codebook_extension.csv")
    assert time.perf_counter() - start < 20
    (problem,) = err.value.problems
    assert problem.kind == "too_deep" and problem.row == MAX_DEPTH  # x62, on level 65
    ok = cb.extend(long_chain(MAX_DEPTH - 2))
    assert len(ok.ancestors(f"x{MAX_DEPTH - 3}")) == MAX_DEPTH - 1


def test_deep_chain_inherits_marks_down_the_whole_chain(cb):
    assert cb.ancestors("value_failure") == ["undesired_effect"]
    effects = long_chain(MAX_DEPTH - 2, dimension="effect")  # levels 3 .. MAX_DEPTH
    effects["parent"] = ["value_failure", *effects["parent"][1:]]  # an undesired effect
    bigger = cb.extend(effects)
    deepest = f"x{MAX_DEPTH - 3}"
    assert bigger.is_desired(deepest) is False
    assert bigger.root(deepest) == bigger.root("value_failure")


def test_unknown_parents_get_hints_for_the_first_few_only(cb):
    n = 3_000  # each hint compares with every id: all of them took minutes
    local = pd.DataFrame(
        {
            "id": [f"y{i}" for i in range(n)],
            "label": [f"Y {i}" for i in range(n)],
            "dimension": "local",
            "parent": [f"bais{i}" for i in range(n)],
        }
    )
    start = time.perf_counter()
    with pytest.raises(DataError) as err:
        cb.extend(local)
    assert time.perf_counter() - start < 20
    parents = [p for p in err.value.problems if p.column == "parent"]
    assert len(parents) == n
    assert sum("did you mean" in p.expected for p in parents) == MAX_HINTS


# --------------------------------------------------------------------------- exports


def test_export_csv_is_the_codebook_frame(tmp_path, frame):
    out = export_codebook(tmp_path / "sub" / "cb.csv", fmt="csv")
    back = pd.read_csv(out, keep_default_na=False)
    assert list(back.columns) == list(COLUMNS)
    assert back["id"].tolist() == frame["id"].tolist()
    assert back["definition"].tolist() == frame["definition"].tolist()
    assert set(back["desired"]) == {"True", "False", ""}


def test_export_markdown_groups_by_dimension(tmp_path, cb):
    text = export_codebook(tmp_path / "cb.md", fmt="md").read_text(encoding="utf-8")
    headings = re.findall(r"^## .*\(`([a-z_]+)`\)$", text, flags=re.M)
    assert headings == cb.dimensions
    for code in cb.ids():
        assert f"| `{code}` |" in text
    assert "- **bozeman2002**:" in text
    with pytest.raises(ValueError, match="fmt='pdf'"):
        export_codebook(tmp_path / "cb.pdf", fmt="pdf")


def test_docs_page_is_generated_from_the_data():
    docs = project_root() / "docs" / "codebook.md"
    assert docs.read_text(encoding="utf-8") == codebook_markdown(), (
        "docs/codebook.md is out of date: run "
        "python -c 'from coprodlib.taxonomy.export import write_codebook_markdown as w; w()'"
    )


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coprodlib.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("fmt", ["csv", "md"])
def test_cli_export(tmp_path, fmt):
    out = tmp_path / f"codebook.{fmt}"
    res = _cli("codebook", "export", "--format", fmt, str(out))
    assert res.returncode == 0, res.stderr
    assert f"wrote {fmt} codebook to" in res.stdout
    assert out.read_bytes() == export_codebook(tmp_path / f"again.{fmt}", fmt=fmt).read_bytes()


def test_cli_export_rejects_unknown_format(tmp_path):
    res = _cli("codebook", "export", "--format", "pdf", str(tmp_path / "x"))
    assert res.returncode == 2 and "invalid choice" in res.stderr
    assert not (tmp_path / "x").exists()


def test_frame_is_a_copy(cb):
    f = cb.frame
    f.loc[0, "label"] = "changed"
    assert cb.frame.loc[0, "label"] != "changed"
    assert Path(coprodlib.__file__).parent.joinpath("taxonomy", "codebook.yaml").is_file()


def test_extend_reads_csv_style_marks_and_rejects_misplaced_ones(cb):
    # as read from a CSV: every cell a string, empty cells as ""
    csv_like = pd.DataFrame(
        {
            "id": ["sanction_fear", "peer_support"],
            "label": ["Fear of sanctions", "Peer support"],
            "dimension": ["effect", "effect"],
            "parent": ["", ""],
            "desired": ["no", "TRUE"],
        }
    )
    bigger = cb.extend(csv_like)
    assert bigger.is_desired("peer_support") is True
    assert bigger.is_desired("sanction_fear") is False
    misplaced = pd.DataFrame(
        {"id": ["x"], "label": ["X"], "dimension": ["local"], "favours": ["one"],
         "desired": ["maybe"]}
    )  # fmt: skip
    with pytest.raises(DataError) as err:
        cb.extend(misplaced)
    assert [str(p) for p in err.value.problems] == [
        "codebook extension, row 2, column 'favours': found 'one'; "
        "expected no favours (it applies to strategies only)",
        "codebook extension, row 2, column 'desired': found 'maybe'; "
        "expected no desired (it applies to effects only)",
    ]
