"""The README written beside the SYNTHETIC demo tables: what the data are, and how they were made.

The text says first and loudly that every row is invented, then lists the files with their
row counts, and then reports the model section by section: the cases, the codings, the double
coding and the survey, each number read from :mod:`.parameters` or from the drawn tables, each
assumption set apart from what the imitated studies report. The same tables always give the
same text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .parameters import (
    DEMO_CASES,
    EXTRA,
    FAMILIES,
    FAMILY_LOGITS,
    KEEP,
    LOADING,
    MISSING_SHARE,
    REPLACE,
    ROLE_GROUPS,
    SURVEY_SCALES,
    UNDESIRED,
)

__all__ = ["design_cells", "family_rows", "files_table", "markdown_table", "readme_text"]

#: The tables counted in the README, as (file, key in the frames).
_COUNTED = (
    ("cases.csv", "cases"),
    ("participants.csv", "participants"),
    ("documents.csv", "documents"),
    ("segments.csv", "segments"),
    ("codings.csv", "codings"),
    ("double_coding.csv", "double_coding"),
    ("survey.csv", "survey"),
)


def readme_text(frames: dict[str, Any]) -> str:
    """The README of the demo folder, for the tables ``frames`` that the model drew."""
    sections = [
        _intro(frames["meta"]["seed"]),
        _files_section(frames),
        _cases_section(frames),
        _codings_section(frames),
        _double_coding_section(frames),
        _survey_section(frames),
    ]
    return "\n".join(sections)


def markdown_table(rows: list[list[Any]], head: list[str]) -> str:
    """A Markdown table with the header ``head`` and one line per row of ``rows``.

    Examples
    --------
    >>> from coprodlib.demo.readme import markdown_table
    >>> print(markdown_table([["a", 1]], ["file", "rows"]))
    | file | rows |
    |---|---|
    | a | 1 |
    """
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def _intro(seed: int) -> str:
    """The title, the warning that nothing here is real, and how to make the data again."""
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
"""


def files_table(frames: dict[str, Any], counted: tuple[tuple[str, str], ...]) -> str:
    """The Markdown table of the files ``counted`` (file name, key in ``frames``) and their rows.

    Examples
    --------
    >>> import pandas as pd
    >>> from coprodlib.demo.readme import files_table
    >>> frames = {"cases": pd.DataFrame({"case_id": ["a", "b"]})}
    >>> print(files_table(frames, (("cases.csv", "cases"),)))
    | file | rows |
    |---|---|
    | `cases.csv` | 2 |
    """
    counts = [[f"`{name}`", len(frames[key])] for name, key in counted]
    return markdown_table(counts, ["file", "rows"])


def design_cells(case: pd.Series, interviews: int) -> list[Any]:
    """A case's design as the README tables show it: study, phase, level, mode, logic, year.

    ``interviews`` (the case's number of participants) follows as the last cell.

    Examples
    --------
    >>> import pandas as pd
    >>> from coprodlib.demo.readme import design_cells
    >>> case = pd.Series({"study": "s", "phase": "co-design", "level": "group",
    ...                   "mode": "enhanced", "logic": "hands-on", "year": 2017.0})
    >>> design_cells(case, 5)
    ['s', 'co-design', 'group', 'enhanced', 'hands-on', 2017, 5]
    """
    cells = [case[k] for k in ("study", "phase", "level", "mode", "logic")]
    return [*cells, int(case["year"]), interviews]


def family_rows() -> list[list[Any]]:
    """Per role group, the probability of each coping family before any case shift.

    The rows of the README table: the group, then one probability (two decimals) per family
    of :data:`~.parameters.FAMILIES`, from the logit :data:`~.parameters.FAMILY_LOGITS`.

    Examples
    --------
    >>> from coprodlib.demo.readme import family_rows
    >>> rows = family_rows()
    >>> len(rows), len(rows[0])
    (3, 5)
    """
    fam = pd.DataFrame(
        np.exp(FAMILY_LOGITS) / np.exp(FAMILY_LOGITS).sum(axis=1, keepdims=True),
        index=ROLE_GROUPS,
        columns=FAMILIES,
    ).round(2)
    return [[g, *fam.loc[g].tolist()] for g in fam.index]


def _files_section(frames: dict[str, Any]) -> str:
    """The files and their rows, and what each holds."""
    return f"""## Files

{files_table(frames, _COUNTED)}

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
"""


def _cases_section(frames: dict[str, Any]) -> str:
    """The cases: their design, interviewees and one-sidedness, and the sources of each."""
    spec = pd.DataFrame(DEMO_CASES).set_index("case_id")
    cases = frames["cases"].set_index("case_id")
    people = frames["participants"].groupby("case_id").size()
    share = frames["model"]["case_share_one_sided"]
    case_rows = [
        [
            f"`{cid}`",
            *design_cells(c, int(people.get(cid, 0))),
            ", ".join(f"{r} {k}" for r, k in spec.loc[cid, "roles"].items()),
            f"{spec.loc[cid, 'one_sided']:+.1f}",
            f"{share[cid]:.2f}",
        ]
        for cid, c in cases.iterrows()
        if cid in spec.index
    ]
    return f"""## The cases

Two studies are imitated: three German local-government cases, studied with 24 semi-structured
interviews with public managers, citizens and third parties [aschhoff2018], and three Flemish
cases of the 2021 dissertation on coping with value conflicts [jaspers2021d].

{markdown_table(case_rows, ["case", "study", "phase", "level", "mode", "logic", "year", "interviews", "roles", "one-sidedness (latent)", "one-sided share (drawn)"])}

| assumption | source |
|---|---|
| the three German service areas (city marketing, employment, urban development) and 24 interviews with public managers, citizens and third parties | [aschhoff2018] |
| the German cases are one each in co-design, co-delivery, co-assessment, paired in the order listed | assumption (the pairing is ours) |
| the three Flemish service areas (social elderly care, urban mobility planning, temporary use of vacant spaces) | [jaspers2021d] |
| Flemish phases: elderly care co-delivery, mobility planning co-design, vacant spaces co-delivery | assumption |
| level, mode and logic of every case; years; how the 24 German interviews split over cases and roles; the number and roles of the Flemish interviewees | assumption (invented) |
| roles are codebook `role` ids; the Flemish cases add public professionals, project coordinators and community members | [jaspers2021d] |
"""


def _codings_section(frames: dict[str, Any]) -> str:
    """The model of the codings: tensions, strategies and effects."""
    spec = pd.DataFrame(DEMO_CASES).set_index("case_id")
    cases = frames["cases"].set_index("case_id")
    tension_rows = [
        [f"`{cid}`", ", ".join(f"`{t}` {w:.2f}" for t, w in spec.loc[cid, "tensions"].items())]
        for cid in cases.index
        if cid in spec.index
    ]
    fam_rows = family_rows()
    u = UNDESIRED
    return f"""## Model of the codings

Each participant has one interview with 9 to 15 segments. A segment carries a tension
(probability 0.85), a coping strategy (0.88) and an effect (0.40); a segment with none of them
gets a strategy. Overlapping segments carry mainly an effect. All codes are codebook ids.

**Tensions** are drawn from a case-specific mix: the German cases only from the three tensions
reported for them [aschhoff2018], the Flemish cases mostly from the social inclusion vs service
quality conflict [jaspers2021d], with effective outcomes vs good-governance principles
[bovaird2019], user vs collective value [jaspers2023; brix2021] and process vs outcome values
[jaspers2021m]. Which tensions the Flemish cases actually reported is not verified here; the
weights are assumptions.

{markdown_table(tension_rows, ["case", "tension weights"])}

**Strategies.** The family (avoidance, escalation, trade-off, balancing [jaspers2021d;
jaspers2021m]) is drawn from a multinomial logit by role group. Citizen co-producers choose
avoidance and escalation more often than public servants, who more often trade off or balance
[jaspers2021d]; the numbers are invented. Probabilities before the case shift:

{markdown_table(fam_rows, ["role group", *FAMILIES])}

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
"""


def _double_coding_section(frames: dict[str, Any]) -> str:
    """How the second coder's codes were drawn."""
    return f"""## Double coding

For {frames["double_coding"]["segment_id"].nunique()} ordinary segments, `coder_a`'s codes
are repeated, and a second coder `coder_b` keeps each code with probability {KEEP:.2f}, writes
another code of the same dimension with probability {REPLACE:.2f} (a sibling in the same
strategy family, or an effect of the same sign, is more likely) and otherwise leaves it out;
with probability {EXTRA:.2f} per segment `coder_b` adds a strategy or effect of their own.
Agreement is therefore good but imperfect; the rates are invented, chosen so that Krippendorff's
alpha over the present/absent decisions lands near 0.7 to 0.8.
"""


def _survey_section(frames: dict[str, Any]) -> str:
    """The vignette experiment: respondents, vignettes, traits and the choice model."""
    items = ", ".join(
        f"{n} ({', '.join(s['items'])}; reversed {', '.join(s['reversed'])})"
        for n, s in SURVEY_SCALES.items()
    )
    return f"""## Survey (vignette experiment)

{len(frames["survey"])} invented respondents, imitating the vignette experiment among
temporary users of vacant spaces [jaspers2021d]. Each sees one of two vignettes: `control` or
`conflict_inclusion_quality` (the conflict between social inclusion and service quality
stressed; the vignette texts and the contrast are our assumption). Roles: citizen 0.5,
community member 0.3, project coordinator 0.2 (assumption).

- Four traits [jaspers2021d; jaspers2023] are correlated standard normal variables, each
  measured by Likert items 1-5 with one reversed item: {items}. Items load {LOADING} on their
  trait; {MISSING_SHARE:.1%} of the answers are missing at random; a score needs all items but
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
