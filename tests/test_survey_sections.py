"""The survey notebook's plan: which sections a survey can support, decided from its columns
and scales before any analysis runs (so a survey unlike the demo's gets notes, not errors)."""

from __future__ import annotations

import dataclasses

import pytest

import coprodlib as cp
from coprodlib.contract.survey_design import Scale, SurveyDesign
from coprodlib.workbook.survey_sections import SECTIONS


@pytest.fixture(scope="module")
def demo():
    return cp.load("demo")


def test_the_demo_supports_every_section_with_its_four_traits(demo):
    plan = cp.survey_plan(demo, covariates=["role", "vignette"])
    assert plan.notes == {}
    assert plan.traits == list(demo.survey_design.scales)
    assert (plan.group, plan.condition, plan.choice) == ("role", "vignette", "coping_choice")
    assert plan.covariates == ["role", "vignette"] and plan.absent_covariates == []
    # the scale scores are joined to the answers
    assert set(plan.traits) <= set(plan.survey.columns)


def test_a_survey_without_choice_condition_or_role_gets_notes(demo):
    bare = demo.survey.drop(columns=["coping_choice", "vignette", "role"])
    ds = dataclasses.replace(demo, survey=bare)
    plan = cp.survey_plan(ds, covariates=["role", "vignette", "tenure_xyz"])
    assert plan.group is None and plan.condition is None and plan.choice is None
    assert set(plan.notes) == {
        "traits_by_group",
        "group_difference",
        "choice_by_condition",
        "choice_by_group",
        "choice_models",
        "trait_distributions",
    }
    assert "'role'" in plan.notes["group_difference"]
    assert "reliability" not in plan.notes and "trait_correlations" not in plan.notes
    assert plan.absent_covariates == ["role", "vignette", "tenure_xyz"]


def test_one_scale_and_a_single_group(demo):
    design = SurveyDesign(scales={"trust": Scale("trust", ["gt1", "gt2", "gt3"])})
    survey = demo.survey.assign(role="citizen")
    ds = dataclasses.replace(demo, survey=survey, survey_design=design)
    plan = cp.survey_plan(ds)
    assert plan.traits == ["trust"]
    assert "one scale" in plan.notes["trait_correlations"].lower()
    assert "single group" in plan.notes["group_difference"]
    assert "choice_models" not in plan.notes


def test_no_scales_and_no_survey(demo):
    ds = dataclasses.replace(demo, survey_design=None)
    plan = cp.survey_plan(ds)
    assert plan.traits == [] and plan.notes["reliability"].startswith("No scales")
    assert "choice_by_condition" not in plan.notes  # the choice shares need no scales
    none = cp.survey_plan(dataclasses.replace(demo, survey=None, survey_design=None))
    assert set(none.notes) == set(SECTIONS)


def test_unknown_traits_and_sections_are_usage_errors(demo):
    with pytest.raises(ValueError, match="traits=.*not among the scales"):
        cp.survey_plan(demo, traits=["optimism"])
    with pytest.raises(ValueError, match="section='tables'"):
        cp.survey_plan(demo).section("tables")


def test_a_note_is_shown_once_per_section(demo, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    plan = cp.survey_plan(dataclasses.replace(demo, survey_design=None))
    assert plan.section("reliability") is False and plan.section("reliability") is False
    assert plan.section("choice_by_condition") is True
    assert shown == ["> **Not shown.** No scales are defined (scales.yml)."]


def test_the_reference_choice_comes_from_the_survey(demo):
    assert cp.survey_plan(demo).reference == demo.survey_design.choices[0]
    undeclared = dataclasses.replace(
        demo, survey_design=dataclasses.replace(demo.survey_design, choices=None)
    )
    counts = demo.survey["coping_choice"].value_counts()
    assert cp.survey_plan(undeclared).reference == counts.idxmax()


def test_trait_means_are_tidy_and_agree_with_a_plain_groupby(demo):
    plan = cp.survey_plan(demo)
    means = plan.trait_means()
    assert list(means.columns) == ["role", "vignette", "trait", "mean", "std", "count"]
    scores = plan.survey
    one = scores[(scores["role"] == "citizen") & (scores["vignette"] == "control")]
    row = means[(means["role"] == "citizen") & (means["vignette"] == "control")]
    row = row.set_index("trait").loc["self_efficacy"]
    assert row["mean"] == pytest.approx(one["self_efficacy"].mean())
    assert row["count"] == one["self_efficacy"].notna().sum()
