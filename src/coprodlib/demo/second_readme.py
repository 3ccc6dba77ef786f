"""The README written beside the second SYNTHETIC demo study: what the data are, how they were made.

The text says first and loudly that every row is invented, lists the files with their row
counts, and then reports the model: the imitated design and its cases, how a case's conditions
shift its coping and its effects, the shares that came out of the draw, the team's own code
names and local codes, and the double coding. Every number is read from
:mod:`.second_parameters` or from the drawn tables, so the same tables give the same text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .parameters import EXTRA, FAMILIES, KEEP, REPLACE
from .readme import design_cells, family_rows, files_table, markdown_table
from .second_parameters import (
    ESCALATION_MODEL,
    LOCAL_SLOT,
    ONE_SIDED_MODEL,
    SECOND_CASES,
    SECOND_FILES,
    SECOND_SLOT_P,
    SEGMENTS_PER_CASE,
    UNDESIRED_SECOND,
)

__all__ = ["second_readme_text"]

#: The tables counted in the README, as (file, key in the frames): every CSV of the folder.
_COUNTED = tuple(
    (name, name.removesuffix(".csv")) for name in SECOND_FILES if name.endswith(".csv")
)


def second_readme_text(frames: dict[str, Any], shares: pd.DataFrame, expected: pd.DataFrame) -> str:
    """The README of the second demo's folder, for the tables ``frames`` the model drew.

    Parameters
    ----------
    frames : dict
        As :func:`~coprodlib.demo.second_study.generate_second` gives it.
    shares : pandas.DataFrame
        The case-level shares of those tables
        (:func:`~coprodlib.demo.second_study.case_shares`).
    expected : pandas.DataFrame
        What the model expects them to be
        (:func:`~coprodlib.demo.second_study.expected_shares`).

    Returns
    -------
    str
        Markdown, beginning with ``# SYNTHETIC DATA``.
    """
    sections = [
        _intro(frames["meta"]["seed"]),
        _files_section(frames),
        _cases_section(frames),
        _codings_section(frames),
        _shares_section(frames, shares, expected),
        _team_codes_section(frames),
        _double_coding_section(frames),
    ]
    return "\n".join(sections)


def _intro(seed: int) -> str:
    """The title, the warning that nothing here is real, and how to make the data again."""
    return f"""# SYNTHETIC DATA: the coprod workbook's second demo study

> **Every row in this folder is invented.** The tables are drawn from a seeded statistical
> model (`coprodlib.demo.second_study`) that imitates the *design* of a multi-country
> comparison of co-production cases and builds the patterns described below in as
> *assumptions*. **Not real interviews, not findings**: no interview, quote, person or code
> here is real, and no number here is a research result. Use the data to try the workbook
> (pooling with `data/demo`, comparing configurations across cases), never as evidence.

- seed: `{seed}`
- regenerate: `coprod demo --study second --to data/demo2` (or `make demo`); with the seed
  above the output is identical byte for byte
- in Python: `coprodlib.demo.second_study.generate_second(seed)` returns the same tables
  without writing them; `write_second_demo(folder, seed=seed)` writes them
"""


def _files_section(frames: dict[str, Any]) -> str:
    """The files and their rows, and what each holds."""
    return f"""## Files

{files_table(frames, _COUNTED)}

plus `dataset.yml` (name, title, `synthetic: true`, seed, description) and this README. There
is **no survey**: pooled with the first demo, the pool holds that demo's survey alone.
`documents.csv` has one interview per participant, with the length of its (unshipped) text in
`n_chars`; `segments.csv` holds each segment's `start`/`end` offsets (end exclusive) and its
`text`, invented from the first demo's sentence templates. About 4% of the segments overlap
their neighbours (ids ending in `x`).

The codes in `codings.csv` and `double_coding.csv` are **the team's own code names** for
strategies and effects (paths of its QDA project, such as `Coping/Looking away`), the codebook
ids for tensions, and local ids for three codes the codebook lacks. `code_map.csv` maps the
team's names to codebook ids (in the columns an import writes: `project_code`, `code`,
`local_id`, `matched_by`, `codings`) and `codebook_extension.csv` defines the local codes;
`cp.load("data/demo2")` applies both, so that every analysis sees codebook ids.

Citation keys in brackets are those of the codebook's `references`
(`src/coprodlib/taxonomy/codebook.yaml`).
"""


def _cases_section(frames: dict[str, Any]) -> str:
    """The imitated design, the cases with their conditions, and the source of each."""
    spec = pd.DataFrame(SECOND_CASES).set_index("case_id")
    cases = frames["cases"].set_index("case_id")
    people = frames["participants"].groupby("case_id").size()
    model = frames["model"]
    rows = [
        [
            f"`{cid}`",
            c["country"],
            c["service_area"],
            *design_cells(c, int(people.get(cid, 0))),
            ", ".join(f"{n} {r}" for r, n in spec.loc[cid, "roles"].items()),
            f"{model['case_one_sided'][cid]:+.1f}",
            f"{model['case_escalation_shift'][cid]:+.1f}",
        ]
        for cid, c in cases.iterrows()
    ]
    head = ["case", "country", "service area", "study", "phase", "level", "mode", "logic"]
    head += ["year", "interviews", "roles", "one-sidedness", "escalation shift"]
    return f"""## The design and its cases

The second study imitates a **multi-country comparison** of co-production cases, the kind of
shared cross-country case database across countries, service areas and welfare regimes that
the IIAS study group aims at [iias]: ten cases in six countries (BR, DK, FI, GB, NL, PT), each
studied with five or six semi-structured interviews, coded by one team. Case groups follow
published case descriptions; the conditions of each case are set by us so that they vary:

{markdown_table(rows, head)}

| assumption | source |
|---|---|
| three Brazilian municipal health councils, one each with a hands-on, a watchdog and a ceremonial institutional logic (3 of 15 councils studied were hands-on) | Lino et al., as reported in [bovaird2019] |
| two co-design projects of the Northern Ireland Innovation Lab (of its 18 projects about half reached implementation) | [bovaird2019] |
| three Nordic cases of inter-organisational co-production with professional co-producers (Denmark and Finland; the countries are our assumption) | [brix2021] |
| the service areas healthcare, social care, education, public safety, neighbourhood improvement, public works and waste collection | the Sicilia et al. review, as reported in [bovaird2019] |
| phases, levels and modes as codebook ids | [nabatchi2017; bovaird2019] |
| which case has which phase, level, mode and logic; years; the interviewees per role; the case titles and project names | assumption (invented) |
"""


def _codings_section(frames: dict[str, Any]) -> str:
    """The model of the codings: slots, tensions, strategies and effects."""
    spec = pd.DataFrame(SECOND_CASES).set_index("case_id")
    tension_rows = [
        [f"`{cid}`", ", ".join(f"`{t}` {w:.2f}" for t, w in spec.loc[cid, "tensions"].items())]
        for cid in frames["cases"]["case_id"]
    ]
    fam_rows = family_rows()
    p, p_over = SECOND_SLOT_P
    m, e, u = ONE_SIDED_MODEL, ESCALATION_MODEL, UNDESIRED_SECOND
    local = ", ".join(f"`{c}`" for c in LOCAL_SLOT)
    return f"""## Model of the codings

Each case has {SEGMENTS_PER_CASE} segment rows, spread at random over its interviews. A
segment carries a tension (probability {p[0]}), a coping strategy ({p[1]}), an effect
({p[2]}) and a local context code ({p[3]}: {local}); a segment with none of them gets a
strategy. Overlapping segments carry a strategy ({p_over[1]}) or an effect ({p_over[2]}).

**Tensions** come from a case-specific mix of the codebook's tensions (weights invented):

{markdown_table(tension_rows, ["case", "tension weights"])}

**Strategies.** The family (avoidance, escalation, trade-off, balancing [jaspers2021d]) is
drawn from the first demo's multinomial logit by role group (citizen co-producers avoid and
escalate more than public servants [jaspers2021d]; the numbers are invented). Probabilities
before any case shift:

{markdown_table(fam_rows, ["role group", *FAMILIES])}

Unlike the first demo, a case's shifts follow from its **conditions** (all invented;
`I(...)` is 1 when the condition holds and 0 otherwise):

- one-sidedness, added to the log-odds of the three families that favour one value (codebook
  `favours: one`) against balancing:
  `{m["base"]} + {m["hands_on"]} * I(logic = hands-on) + {m["enhanced"]} * I(mode = enhanced) \
{m["watchdog"]:+} * I(logic = watchdog)`.
  Working side by side (hands-on) and enhanced co-production put the actors in the middle of
  the conflict, where they settle it for one side; a watchdog council keeps some distance.
- escalation shift, added to the escalation log-odds alone:
  `{e["watchdog"]} * I(logic = watchdog) + {e["collective"]} * I(level = collective)`.
  A body that monitors others takes a conflict to the higher authority, and collective
  co-production has one to take it to.

Within a family the code is the family id or a codebook child, with the first demo's weights;
escalation also has the team's local code `local_coping_passing_it_up_petition` (a petition
to the council, child of `escalation`, used by citizens and third parties). The share of
citizen codings differs between cases through who was interviewed (the roles above).

**Effects.** Whether a coded effect is undesired (codebook `desired: false`) follows

`P(undesired) = logistic({u["intercept"]} + {u["per_share"]} * (case's drawn share of \
one-sided strategy codings - {u["centre"]}) + {u["one_sided"]} * I(segment's strategy \
favours one) + {u["ceremonial"]} * I(logic = ceremonial))`:

the aggregation argument that one-sided coping piling
up across actors raises the risk of undesired effects [jaspers2021d], as in the first demo,
plus a ceremonial council's form without substance, which breeds disillusion and capture by a
few (after the dark side of co-production in [bovaird2019]; the term and its size are ours).
Which effect is coded depends mildly on the strategy family, with the first demo's weights.

**What this builds in**, for a comparison of configurations: cases with a hands-on logic *and*
enhanced mode cope most one-sidedly and, with the ceremonial cases, see the most undesired
effects; watchdog cases escalate most, and those not in enhanced mode see the fewest undesired
effects; the other cases lie in between (the expected shares below say where). With some 40 strategy and 25 effect codings per case, chance can
move a case across any threshold: the relation is probabilistic, and a deviant case is sampling
noise of the synthetic draw, not a finding.
"""


def _shares_section(frames: dict[str, Any], shares: pd.DataFrame, expected: pd.DataFrame) -> str:
    """The four case-level shares as drawn, with the crisp outcome a QCA may start from."""
    cases = frames["cases"].set_index("case_id")
    exp = expected.set_index("case_id")
    rows = [
        [
            f"`{r.case_id}`",
            cases.loc[r.case_id, "logic"],
            cases.loc[r.case_id, "mode"],
            f"{r.share_one_sided:.2f} ({exp.loc[r.case_id, 'share_one_sided']:.2f})",
            f"{r.share_escalation:.2f} ({exp.loc[r.case_id, 'share_escalation']:.2f})",
            f"{r.share_citizen:.2f}",
            f"{r.share_undesired:.2f} ({exp.loc[r.case_id, 'share_undesired']:.2f})",
            int(r.n_effects),
            "yes" if r.share_undesired >= 0.5 else "no",
        ]
        for r in shares.itertuples(index=False)
    ]
    head = ["case", "logic", "mode", "one-sided", "escalation", "citizen codings"]
    head += ["undesired", "effects", "undesired >= 0.5"]
    return f"""## The shares as drawn

Per case, as loading the folder gives them (after the code map): the share of strategy
codings that favour one value, the share of strategy codings that are `escalation` or a code
under it, the share of all codings made on citizen co-producers' segments, and the share of
effect codings that are undesired; in brackets what the model expects, given who was
interviewed (`coprodlib.demo.second_study.expected_shares`). A crisp-set comparison may calibrate the outcome as
"undesired effects predominate" (share at least 0.5); that threshold is a suggestion, not part
of the model.

{markdown_table(rows, head)}
"""


def _team_codes_section(frames: dict[str, Any]) -> str:
    """The team's code names with their codebook ids, and the local codes."""
    cmap = frames["code_map"]
    rows = [
        [
            f"`{r.project_code}`",
            f"`{r.code}`" if isinstance(r.code, str) else "",
            f"`{r.local_id}`" if isinstance(r.local_id, str) else "",
            r.codings,
        ]
        for r in cmap.itertuples(index=False)
        if r.matched_by != "id"
    ]
    ext = frames["codebook_extension"]
    ext_rows = [
        [f"`{r.id}`", r.label, r.dimension, f"`{r.parent}`" if isinstance(r.parent, str) else ""]
        for r in ext.itertuples(index=False)
    ]
    n_ids = int((cmap["matched_by"] == "id").sum())
    return f"""## The team's own codes

The team coded in a QDA tool with a code tree of its own (an assumption that stands for any
project coded with local labels). Its strategy and effect codes map to codebook ids as below;
its {n_ids} tension codes are the codebook ids themselves (rows with `matched_by` `id`).

{markdown_table(rows, ["project code", "codebook id", "local id", "codings"])}

Three codes have no codebook entry. The codings hold their local id (as an import writes an
unmatched code), and `codebook_extension.csv` defines them; the petition is a finer code under
`escalation`, so it inherits `favours: one` and counts as escalation:

{markdown_table(ext_rows, ["id", "label", "dimension", "parent"])}
"""


def _double_coding_section(frames: dict[str, Any]) -> str:
    """How the second coder's codes were drawn."""
    return f"""## Double coding

For {frames["double_coding"]["segment_id"].nunique()} ordinary segments, `coder_a`'s codes are
repeated, and an invented second coder `coder_b` keeps each code with probability {KEEP:.2f},
writes another code of the same dimension with probability {REPLACE:.2f} and otherwise leaves it
out; with probability {EXTRA:.2f} per segment `coder_b` adds a strategy or effect of their own
(the first demo's rates, all invented). Both coders use the team's code names.
"""
