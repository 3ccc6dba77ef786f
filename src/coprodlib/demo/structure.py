"""The structure of the demo: cases, participants, documents, and where every segment sits.

These are the first steps of the simulation, and all of them draw from the structure stream:
the case table (the six demo cases, plus synthetic ones drawn from the lists in
:mod:`.parameters`), one participant per interview, one document per participant, and the
segments of each document. A segment "row" is either an ordinary segment, cut one after another
out of its document, or an overlapping one, which begins in the second half of an ordinary
segment and ends in the first half of the next (about 4% of a case's segments).

Once the texts are known (:mod:`.texts`), :func:`offsets` places every row in its document and
:func:`segment_table` gives the rows their ids and sorts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .parameters import (
    COUNTRIES,
    DEMO_CASES,
    LEVELS,
    LOGICS,
    MODES,
    OVERLAP_SHARE,
    PHASES,
    ROLE_GROUP,
    SERVICE_AREAS,
    SYNTH_ROLES,
    TENSIONS,
)
from .sampling import check_count, id_width, within_group_rank, zfill

__all__ = [
    "Offsets",
    "SegmentRows",
    "case_table",
    "documents",
    "offsets",
    "participants",
    "segment_rows",
    "segment_table",
]


# =========================================================================== cases, people


def case_table(n_cases: int | None, rng: np.random.Generator) -> pd.DataFrame:
    """The cases, sorted by id, with the model's own columns as well.

    Besides the columns of ``cases.csv``, the table keeps what the later steps draw from:
    ``prefix`` (of participant ids), ``area`` (the project, for the texts), ``one_sided`` (the
    latent shift towards one-sided coping), ``roles`` (a dict of interviewees per role, or for
    a synthetic case their number) and ``tensions`` (the weights of the tensions).
    """
    demo = pd.DataFrame(DEMO_CASES)
    if n_cases is None:
        n_cases = len(demo)
    n_cases = check_count("n_cases", n_cases, 1)
    if n_cases <= len(demo):
        return demo.iloc[:n_cases].sort_values("case_id", ignore_index=True)
    synth = _synthetic_cases(len(demo), n_cases, rng)
    # ids sort as built: be_* < case_* < de_*, and participant ids keep that order
    return pd.concat([demo, synth]).sort_values("case_id", ignore_index=True)


def _synthetic_cases(n_demo: int, n_cases: int, rng: np.random.Generator) -> pd.DataFrame:
    """Cases ``n_demo + 1`` to ``n_cases``, each attribute drawn from the lists of the model."""
    n = n_cases - n_demo
    num = np.arange(n_demo + 1, n_cases + 1)
    ids = ("case_" + zfill(num, id_width(n_cases, 4))).to_numpy()
    area_idx = rng.integers(0, len(SERVICE_AREAS), n)
    areas = np.array(SERVICE_AREAS, dtype=object)[area_idx]
    weights = rng.dirichlet(np.full(len(TENSIONS), 0.8), size=n)
    n_people = rng.integers(8, 17, n)
    return pd.DataFrame(
        {
            "case_id": ids,
            "prefix": ids,
            "title": "Synthetic case " + pd.Series(num).astype(str),
            "country": np.array(COUNTRIES, dtype=object)[rng.integers(0, len(COUNTRIES), n)],
            "service_area": areas,
            "phase": np.array(PHASES, dtype=object)[rng.integers(0, len(PHASES), n)],
            "level": np.array(LEVELS, dtype=object)[rng.integers(0, len(LEVELS), n)],
            "mode": np.array(MODES, dtype=object)[rng.integers(0, len(MODES), n)],
            "logic": np.array(LOGICS, dtype=object)[rng.integers(0, len(LOGICS), n)],
            "study": "",
            "year": rng.integers(2008, 2024, n),
            "area": "the " + pd.Series(areas) + " project",
            "one_sided": np.round(rng.normal(0.3, 0.6, n), 3),
            "roles": list(n_people),  # a count: roles are drawn per participant
            "tensions": list(weights),
        }
    )


def participants(cases: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per participant, by case and then number, with ``case_idx`` and ``group``.

    A demo case lists its interviewees per role, and only their order is drawn; the roles of
    a synthetic case's participants are drawn one by one.
    """
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
    names = np.array([r for r, _ in SYNTH_ROLES], dtype=object)
    probs = np.array([p for _, p in SYNTH_ROLES])
    role[drawn] = names[rng.choice(len(names), int(drawn.sum()), p=probs / probs.sum())]
    fixed = [r for r in roles if r is not None]
    if fixed:
        role[~drawn] = np.concatenate(fixed)
    first = np.r_[0, np.flatnonzero(np.diff(case_idx_arr)) + 1]
    number = np.arange(len(case_idx_arr)) - np.repeat(first, np.bincount(case_idx_arr))
    prefix = cases["prefix"].to_numpy()[case_idx_arr]
    pid = pd.Series(prefix) + "_P" + zfill(number + 1, 2)
    return pd.DataFrame(
        {
            "participant_id": pid.to_numpy(),
            "case_id": cases["case_id"].to_numpy()[case_idx_arr],
            "role": role,
            "case_idx": case_idx_arr,
            "group": pd.Series(role).map(ROLE_GROUP).to_numpy(),
        }
    )


def documents(cases: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """One interview document per participant, in the participants' order."""
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


# =========================================================================== segments


@dataclass(frozen=True)
class SegmentRows:
    """Every segment row: the ordinary segments, then the overlapping ones.

    The ordinary segments come by participant and position; each overlapping row has the
    ordinary segment it begins in as its ``anchor``.
    """

    counts: np.ndarray  # ordinary segments per participant
    part: np.ndarray  # participant of each ordinary segment
    doc_first: np.ndarray  # first ordinary segment of each participant
    pos: np.ndarray  # 0-based position of each ordinary segment in its document
    anchor: np.ndarray  # for each overlapping row, the ordinary segment it begins in (sorted)
    row_part: np.ndarray  # participant of each row
    row_case: np.ndarray  # case (index into the case table) of each row
    row_group: np.ndarray  # role group of each row's participant
    is_overlap: np.ndarray  # whether each row is an overlapping segment

    @property
    def n_ordinary(self) -> int:
        """Number of ordinary segments."""
        return len(self.part)

    @property
    def n_rows(self) -> int:
        """Number of rows, ordinary and overlapping."""
        return len(self.row_part)


def segment_rows(
    cases: pd.DataFrame,
    people: pd.DataFrame,
    rng: np.random.Generator,
    totals: np.ndarray | None,
) -> SegmentRows:
    """Draw how many segments each document has and which of them an overlap begins in.

    ``totals`` gives the number of segment rows per case (ordinary and overlapping); without
    it every participant gets 9 to 15 ordinary segments.
    """
    counts, n_overlap = _segment_counts(cases, people, rng, totals)
    n_p = len(people)
    part = np.repeat(np.arange(n_p), counts)
    n_b = len(part)
    doc_first = np.r_[0, np.cumsum(counts)[:-1]]
    pos = np.arange(n_b) - doc_first[part]
    has_next = pos < counts[part] - 1
    seg_case = people["case_idx"].to_numpy()[part]
    # an overlap begins in a segment that has a next one, chosen at random within each case
    cand = np.flatnonzero(has_next)
    order, rank = within_group_rank(seg_case[cand], rng.random(len(cand)))
    anchor = np.sort(cand[order][rank < n_overlap[seg_case[cand][order]]])
    n_o = len(anchor)
    row_part = np.r_[part, part[anchor]]
    return SegmentRows(
        counts=counts,
        part=part,
        doc_first=doc_first,
        pos=pos,
        anchor=anchor,
        row_part=row_part,
        row_case=people["case_idx"].to_numpy()[row_part],
        row_group=people["group"].to_numpy()[row_part],
        is_overlap=np.r_[np.zeros(n_b, bool), np.ones(n_o, bool)],
    )


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
        overlaps = np.round(OVERLAP_SHARE * base).astype(int)
        return counts, overlaps
    overlaps = np.floor(OVERLAP_SHARE * totals).astype(int)
    base = totals - overlaps
    per_case = np.bincount(people["case_idx"], minlength=n_cases)
    offset = np.r_[0, np.cumsum(per_case)[:-1]]
    seg_case = np.repeat(np.arange(n_cases), base)
    who = offset[seg_case] + np.floor(rng.random(len(seg_case)) * per_case[seg_case]).astype(int)
    counts = np.bincount(who, minlength=len(people))
    return counts, overlaps


@dataclass(frozen=True)
class Offsets:
    """Where every row lies in its document, and how long each document is."""

    start: np.ndarray  # of every row, ordinary then overlapping (code points)
    end: np.ndarray  # exclusive
    n_chars: np.ndarray  # length of each document, in the participants' order


def offsets(
    rows: SegmentRows,
    gap_len: np.ndarray,
    len_a: np.ndarray,
    len_b: np.ndarray,
    header_len: np.ndarray,
) -> Offsets:
    """Place the rows in their documents from the lengths of the texts.

    A document is its header and then, for each ordinary segment, a gap of ``gap_len`` and the
    segment: a first half of ``len_a``, a space, and a second half of ``len_b``. An overlapping
    row runs from the second half of its anchor to the end of the first half of the next.
    """
    part, anchor = rows.part, rows.anchor
    seg_len = len_a + 1 + len_b
    step = gap_len + seg_len
    before = np.cumsum(step) - step  # everything before this segment's gap, over all docs
    start = header_len[part] + before - before[rows.doc_first[part]] + gap_len
    end = start + seg_len
    o_start = start[anchor] + len_a[anchor] + 1
    o_end = start[anchor + 1] + len_a[anchor + 1]
    n_p = len(rows.counts)
    n_chars = header_len + np.bincount(part, weights=step, minlength=n_p).astype(np.int64)
    return Offsets(start=np.r_[start, o_start], end=np.r_[end, o_end], n_chars=n_chars)


def segment_table(
    cases: pd.DataFrame,
    people: pd.DataFrame,
    docs: pd.DataFrame,
    rows: SegmentRows,
    where: Offsets,
    text: np.ndarray,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The segments table, sorted by id, with the order that sorts the rows and its inverse.

    An ordinary segment's id is its participant's id and its number in the document
    (``_s001``); an overlapping one takes the id of its anchor with an ``x``, and sorts right
    after it. Returns the table, ``perm`` (table row ``i`` is segment row ``perm[i]``) and
    ``rank_of_row`` (segment row ``j`` is table row ``rank_of_row[j]``).
    """
    n_b, n_rows, anchor = rows.n_ordinary, rows.n_rows, rows.anchor
    pos_w = id_width(int(rows.counts.max()) if len(people) else 1, 3)
    pid = people["participant_id"].to_numpy()
    base_id = pd.Series(pid[rows.part]) + "_s" + zfill(rows.pos + 1, pos_w)
    seg_ids = np.r_[base_id.to_numpy(), (base_id.iloc[anchor] + "x").to_numpy()]
    key = np.r_[2 * np.arange(n_b), 2 * anchor + 1]
    perm = np.argsort(key, kind="stable")
    segments = pd.DataFrame(
        {
            "segment_id": seg_ids[perm],
            "case_id": cases["case_id"].to_numpy()[rows.row_case[perm]],
            "participant_id": pid[rows.row_part[perm]],
            "document_id": docs["document_id"].to_numpy()[rows.row_part[perm]],
            "start": where.start[perm].astype(np.int64),
            "end": where.end[perm].astype(np.int64),
            "text": text[perm],
        }
    )
    rank_of_row = np.empty(n_rows, dtype=np.int64)
    rank_of_row[perm] = np.arange(n_rows)
    return segments, perm, rank_of_row
