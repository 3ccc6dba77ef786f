"""The invented texts of the demo: sentence templates, segment texts and document texts.

Every ordinary segment reads as two halves in an interviewee's voice: a sentence about the
segment's tension, then one about the coping strategy (worded for a public servant or a
citizen), followed by a sentence about the effect if the segment has one. A document is a
header that says it is SYNTHETIC, and then its segments, each after a short interviewer's
question or a blank line. Overlapping segments are cut out of these texts and need no words of
their own.

Which template and which gap a segment gets is drawn from the structure stream; without texts
(``generate_large`` by default) only the lengths are drawn, so that offsets stay valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codings import DrawnCodes, effect_desired
from .parameters import FAMILIES, TENSIONS
from .structure import SegmentRows

__all__ = [
    "EFFECT_TEXT",
    "EFFECT_TEXT_GENERIC",
    "GAPS",
    "STRATEGY_TEXT",
    "TENSION_TEXT",
    "Wording",
    "document_texts",
    "segment_texts",
    "word_segments",
]

# =========================================================================== templates

#: First halves of a segment: per tension (and none), two invented sentences in an
#: interviewee's voice; ``{area}`` is the case's project.
TENSION_TEXT = {
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
#: Second halves of a segment: per coping family (and none), two sentences for public servants
#: and third parties, then two for citizen co-producers.
STRATEGY_TEXT = {
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
#: A closing sentence per effect code of the model.
EFFECT_TEXT = {
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
#: The closing sentence of any other effect code: undesired, desired.
EFFECT_TEXT_GENERIC = ("That turned out badly.", "That turned out well.")
#: What comes before each ordinary segment in its document: an interviewer's question, or a
#: blank line.
GAPS = (
    "\n\nQ: Could you give an example?\nA: ",
    "\n\nQ: And how did that go on?\nA: ",
    "\n\nQ: What happened next?\nA: ",
    "\n\n",
)


# =========================================================================== rendering


@dataclass(frozen=True)
class Wording:
    """The words of the ordinary segments, or without texts only their lengths."""

    gap_idx: np.ndarray  # the gap before each ordinary segment (index into GAPS)
    gap_len: np.ndarray  # its length
    len_a: np.ndarray  # length of each segment's first half
    len_b: np.ndarray  # length of its second half
    header_len: np.ndarray  # length of each document's header
    first: pd.Series | None  # the first halves (None without texts)
    second: pd.Series | None  # the second halves
    header: pd.Series | None  # the document headers


def word_segments(
    cases: pd.DataFrame,
    docs: pd.DataFrame,
    rows: SegmentRows,
    drawn: DrawnCodes,
    rng: np.random.Generator,
    texts: bool,
) -> Wording:
    """Draw every ordinary segment's gap and wording (with ``texts``) or just its lengths."""
    n_b = rows.n_ordinary
    gap_idx = rng.integers(0, len(GAPS), n_b)
    gap_len = np.array([len(g) for g in GAPS])[gap_idx]
    if not texts:
        len_a = rng.integers(60, 141, n_b)
        len_b = rng.integers(60, 181, n_b)
        header_len = np.full(len(docs), 96)
        return Wording(gap_idx, gap_len, len_a, len_b, header_len, None, None, None)
    variant = rng.integers(0, 2, (n_b, 2))
    mask = drawn.mask[:n_b]
    first, second = _sentences(
        cases,
        rows.row_case[:n_b],
        rows.row_group[:n_b],
        np.where(mask[:, 0], drawn.tension[:n_b], -1),
        np.where(mask[:, 1], drawn.family[:n_b], -1),
        np.where(mask[:, 2], drawn.effect[:n_b], -1),
        drawn.pools["effect"],
        drawn.desired[:n_b],
        variant,
    )
    header = _headers(docs)
    return Wording(
        gap_idx=gap_idx,
        gap_len=gap_len,
        len_a=first.str.len().to_numpy(),
        len_b=second.str.len().to_numpy(),
        header_len=header.str.len().to_numpy(),
        first=first,
        second=second,
        header=header,
    )


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
    """First and second half of every ordinary segment's text, from the templates.

    ``tension``, ``family`` and ``effect`` are -1 where the segment has no such code.
    """
    keys = [*TENSIONS, None]
    areas = cases["area"].to_numpy()
    first_t = np.empty((len(cases), len(keys), 2), dtype=object)
    for k, t in enumerate(keys):  # pre-render every (case, tension, variant): a small table
        for v in range(2):
            first_t[:, k, v] = [TENSION_TEXT[t][v].format(area=a) for a in areas]
    second_t = np.empty((len(FAMILIES) + 1, 2, 2), dtype=object)
    for f, fam in enumerate([*FAMILIES, None]):
        for g in range(2):
            second_t[f, g] = STRATEGY_TEXT[fam][g]
    effect_t = np.array(
        [
            EFFECT_TEXT.get(e, EFFECT_TEXT_GENERIC[int(d)])
            for e, d in zip(effect_pool, effect_desired(effect_pool), strict=True)
        ]
        + [""],
        dtype=object,
    )
    first = first_t[case, np.where(tension < 0, len(TENSIONS), tension), variant[:, 0]]
    second = second_t[
        np.where(family < 0, len(FAMILIES), family), (group == 1).astype(int), variant[:, 1]
    ]
    eff = effect_t[np.where(effect < 0, len(effect_pool), effect)]
    second = second + np.where(effect < 0, "", " ").astype(object) + eff
    return pd.Series(first), pd.Series(second)


def _headers(docs: pd.DataFrame) -> pd.Series:
    """The first lines of every document: that it is invented, and whose interview it is."""
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


def segment_texts(wording: Wording, rows: SegmentRows) -> np.ndarray:
    """The text of every row, or empty texts when the segments were drawn without them.

    An ordinary segment reads as its two halves; an overlapping one as the second half of its
    anchor, the gap after it and the first half of the next segment.
    """
    if wording.first is None or wording.second is None:
        return np.full(rows.n_rows, "", dtype=object)
    first, second, anchor = wording.first, wording.second, rows.anchor
    base_text = first + " " + second
    over_text = (
        second.iloc[anchor].to_numpy()
        + np.array(GAPS, dtype=object)[wording.gap_idx[anchor + 1]]
        + first.iloc[anchor + 1].to_numpy()
    )
    return np.r_[base_text.to_numpy(), over_text]


def document_texts(wording: Wording, rows: SegmentRows, docs: pd.DataFrame) -> pd.Series:
    """The full text of every document, by ``document_id`` (only with texts)."""
    if wording.first is None or wording.second is None or wording.header is None:
        raise ValueError("the segments were drawn without texts")
    base_text = wording.first + " " + wording.second
    body = pd.Series(np.array(GAPS, dtype=object)[wording.gap_idx] + base_text.to_numpy())
    joined = body.groupby(rows.part).agg("".join).reindex(np.arange(len(docs)), fill_value="")
    return pd.Series(
        (wording.header + joined.to_numpy()).to_numpy(), index=docs["document_id"].to_numpy()
    )
