"""What the survey notebook can show for a dataset, decided from the data before any analysis.

A survey brought by a researcher need not look like the demo's: it may have no scales, one
scale, no vignette condition, no coping choice or no group column. :func:`survey_plan` reads
the dataset and the notebook's parameters once and settles, for every section of the survey
notebook, whether the data can support it; the notebook then asks ``plan.section(name)``,
which returns ``True`` or shows a one-line note saying what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..contract.dataset import Dataset
from ..contract.survey_design import SurveyDesign

__all__ = ["SECTIONS", "SurveyPlan", "survey_plan"]

#: The survey notebook's sections, each with what it needs (for the notes).
SECTIONS = {
    "reliability": "at least one scale in scales.yml",
    "traits_by_group": "scales and a group or condition column",
    "group_difference": "scales and a group column with two groups or more",
    "trait_correlations": "two scales or more",
    "choice_by_condition": "a choice column and a condition column",
    "choice_by_group": "a choice column and a group column",
    "choice_models": "scales and a choice column with two choices or more",
    "trait_distributions": "scales and a choice column",
}


def _levels(frame: pd.DataFrame, column: str | None) -> int:
    if column is None or column not in frame.columns:
        return 0
    return int(frame[column].dropna().nunique())


@dataclass
class SurveyPlan:
    """The columns the survey notebook uses and the sections it can show.

    ``traits`` are scale names (the scores' columns); ``group``, ``condition`` and
    ``choice`` are survey columns or ``None`` when absent; ``covariates`` are the requested
    covariates that exist, ``absent_covariates`` those that do not; ``notes`` maps a section
    that cannot be shown to the reason; ``labels`` maps ids to readable names for tables
    (the codebook's labels, and the scales' labels from ``scales.yml`` over them);
    ``reference`` is the default base outcome of the choice models (the first declared
    choice, else the most common).
    """

    design: SurveyDesign | None
    survey: pd.DataFrame
    traits: list[str]
    group: str | None
    condition: str | None
    choice: str | None
    covariates: list[str]
    absent_covariates: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    reference: str | None = None
    _shown: set[str] = field(default_factory=set, repr=False)

    def section(self, name: str) -> bool:
        """Whether section ``name`` can be shown; when not, display a note saying why (once
        per section, however many cells ask)."""
        if name not in SECTIONS:
            raise ValueError(f"section={name!r}: use one of {', '.join(SECTIONS)}")
        if name not in self.notes:
            return True
        if name not in self._shown:  # a section over several cells says it once
            from IPython.display import Markdown, display

            display(Markdown(f"> **Not shown.** {self.notes[name]}"))
            self._shown.add(name)
        return False

    def trait_means(self) -> pd.DataFrame:
        """Each trait's mean, standard deviation and count per group and condition, tidy:
        one row per (group, condition, trait), the columns present of ``group`` and
        ``condition``, then ``trait``, ``mean``, ``std``, ``count``."""
        by = [c for c in (self.group, self.condition) if c is not None]
        long = self.survey.melt(
            id_vars=by, value_vars=self.traits, var_name="trait", value_name="score"
        )
        grouped = long.groupby([*by, "trait"], observed=True)["score"]
        return grouped.agg(["mean", "std", "count"]).reset_index()

    def show_covariate_note(self) -> None:
        """Display a note naming requested covariates the survey lacks (nothing if none)."""
        if self.absent_covariates:
            from IPython.display import Markdown, display

            absent = ", ".join(self.absent_covariates)
            display(Markdown(f"> Covariates not in the survey, left out: {absent}."))


def _present(frame: pd.DataFrame, column: str | None) -> str | None:
    return column if column and column in frame.columns else None


def survey_plan(
    dataset: Dataset,
    *,
    traits: Sequence[str] = (),
    group: str | None = "role",
    covariates: Sequence[str] = (),
) -> SurveyPlan:
    """Settle what the survey notebook shows for ``dataset`` (see the module text).

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset; it may have no survey at all.
    traits : sequence of str
        Scales to analyse as traits; empty: every scale of ``scales.yml``, in its order.
    group : str or None
        Column of respondent groups (the demo's ``role``); ``None`` or ``""``: no groups.
    covariates : sequence of str
        Columns entered in the choice models after the traits; those absent are left out
        (and named in the models' note).

    Returns
    -------
    SurveyPlan

    Raises
    ------
    ValueError
        When a trait is named that ``scales.yml`` does not define.
    """
    design = dataset.survey_design
    frame = dataset.survey if dataset.survey is not None else pd.DataFrame()
    scales = list(design.scales) if design is not None else []
    unknown = [t for t in traits if t not in scales]
    if unknown:
        raise ValueError(
            f"traits={list(traits)!r}: {', '.join(unknown)} not among the scales of "
            f"scales.yml ({', '.join(scales) or 'none'})"
        )
    chosen = list(traits) or scales
    if design is not None and chosen:
        from ..analysis.scales import scale_scores

        frame = frame.join(scale_scores(frame, design))
    condition = _present(frame, design.condition_column if design else "vignette")
    choice = _present(frame, design.choice_column if design else "coping_choice")
    group_col = _present(frame, group or None)
    plan = SurveyPlan(
        design,
        frame,
        chosen,
        group_col,
        condition,
        choice,
        covariates=[c for c in covariates if c in frame.columns],
        absent_covariates=[c for c in covariates if c not in frame.columns],
    )
    plan.notes = _notes(plan, frame, group or None)
    plan.reference = _reference(design, frame, choice)
    cb = dataset.codebook.frame
    plan.labels = dict(zip(cb["id"].astype(str), cb["label"].astype(str), strict=True))
    if design is not None:
        plan.labels.update(
            {name: str(s.label) for name, s in design.scales.items() if s.label != name}
        )
    return plan


def _reference(design: SurveyDesign | None, frame: pd.DataFrame, choice: str | None) -> str | None:
    """The base outcome of the choice models: the first choice ``scales.yml`` declares, else
    the most common one (ties: the first in sorted order)."""
    if choice is None:
        return None
    if design is not None and design.choices:
        return str(design.choices[0])
    counts = frame[choice].dropna().astype(str).value_counts()
    if counts.empty:
        return None
    top = counts[counts == counts.max()].index
    return sorted(top)[0]


def _notes(plan: SurveyPlan, frame: pd.DataFrame, group: str | None) -> dict[str, str]:
    """Section -> why it cannot be shown, for the sections the data cannot support."""
    notes: dict[str, str] = {}
    if frame.empty:
        return {name: "The dataset has no survey (survey.csv)." for name in SECTIONS}
    why_group = (
        f"The survey has no column {group!r} of respondent groups."
        if group
        else "No group column was chosen (parameter group)."
    )
    if not plan.traits:
        needs_scales = ("reliability", "traits_by_group", "group_difference",
                        "trait_correlations", "choice_models", "trait_distributions")  # fmt: skip
        notes.update(dict.fromkeys(needs_scales, "No scales are defined (scales.yml)."))
    elif len(plan.traits) < 2:
        notes["trait_correlations"] = "Only one scale: there is nothing to correlate."
    if plan.traits and plan.group is None and plan.condition is None:
        notes["traits_by_group"] = f"{why_group} Nor is there a condition column."
    if plan.traits and "group_difference" not in notes:
        if plan.group is None:
            notes["group_difference"] = why_group
        elif _levels(frame, plan.group) < 2:
            notes["group_difference"] = f"Column {plan.group!r} holds a single group."
    why_choice = "The survey has no coping-choice column (choices: in scales.yml)."
    if plan.choice is None:
        for name in ("choice_by_condition", "choice_by_group"):
            notes[name] = why_choice
        notes.setdefault("choice_models", why_choice)
        notes.setdefault("trait_distributions", why_choice)
    else:
        if plan.condition is None:
            notes["choice_by_condition"] = (
                "The survey has no condition column (conditions: in scales.yml)."
            )
        if plan.group is None:
            notes["choice_by_group"] = why_group
        if _levels(frame, plan.choice) < 2:
            notes.setdefault("choice_models", f"Column {plan.choice!r} holds a single choice.")
    return notes
