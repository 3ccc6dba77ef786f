"""The demo model's run: from one seed to every table of the SYNTHETIC demo dataset.

:func:`simulate` takes the steps in the order of the data flow and hands each the random stream
it draws from: the structure stream for cases, participants, segments and texts
(:mod:`.structure`, :mod:`.texts`), the codings stream for ``coder_a``'s codes, the double-coding
stream for ``coder_b`` (:mod:`.codings`) and the survey stream for the vignette experiment
(:mod:`.survey`). Because each step only ever draws from its own stream, in a fixed order, the
same seed always gives the same tables.

The public entry points, with their documented arguments, are
:func:`~coprodlib.demo.writer.generate` and :func:`~coprodlib.demo.writer.generate_large`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .codings import DrawnCodes, codings_table, double_coding, draw_codes
from .sampling import check_count, streams
from .structure import (
    SegmentRows,
    case_table,
    documents,
    offsets,
    participants,
    segment_rows,
    segment_table,
)
from .survey import draw_survey, scales_yaml
from .texts import document_texts, segment_texts, word_segments

__all__ = ["CASE_COLUMNS", "cases_out", "coded_segments", "simulate"]

#: Columns of ``cases.csv``, in their order.
CASE_COLUMNS = [
    "case_id",
    "title",
    "country",
    "service_area",
    "phase",
    "level",
    "mode",
    "logic",
    "study",
    "year",
]


def simulate(
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
    """Every table of the demo, drawn from ``seed``; see :func:`.writer.generate` for the result.

    ``n_segments`` (all cases together) or ``segments_per_case`` fix the number of segment
    rows; ``n_codings`` fixes the number of codings; ``large`` adds value and other codes and
    makes the coded columns categorical.
    """
    r_struct, r_code, r_survey, r_double = streams(seed)
    cases = case_table(n_cases, r_struct)
    people = participants(cases, r_struct)
    totals = _segment_totals(len(cases), n_segments, segments_per_case)
    rows = segment_rows(cases, people, r_struct, totals)
    drawn = draw_codes(cases, rows, r_code, n_codings, large)
    coded = coded_segments(
        cases, people, rows, drawn, r_struct, r_double, n_double=n_double, texts=texts, large=large
    )
    survey = draw_survey(r_survey, check_count("n_respondents", n_respondents, 0))
    frames: dict[str, Any] = {
        "cases": cases_out(cases),
        "participants": people[["participant_id", "case_id", "role"]].copy(),
        "documents": coded["documents"],
        "segments": coded["segments"],
        "codings": coded["codings"],
        "double_coding": coded["double_coding"],
        "survey": survey,
        "scales": scales_yaml(),
    }
    if texts:
        frames["texts"] = coded["texts"]
    frames["meta"] = _meta(seed)
    frames["model"] = _model_record(cases, drawn)
    return _sort_people(frames)


def _segment_totals(
    n_cases: int, n_segments: int | None, segments_per_case: int | None
) -> np.ndarray | None:
    """Segment rows per case when they are fixed: spread evenly, or the same in every case."""
    if n_segments is not None:
        return np.full(n_cases, n_segments // n_cases) + (np.arange(n_cases) < n_segments % n_cases)
    if segments_per_case is not None:
        return np.full(n_cases, check_count("segments_per_case", segments_per_case, 1))
    return None


def coded_segments(
    cases: pd.DataFrame,
    people: pd.DataFrame,
    rows: SegmentRows,
    drawn: DrawnCodes,
    r_struct: np.random.Generator,
    r_double: np.random.Generator,
    *,
    n_double: int,
    texts: bool = True,
    large: bool = False,
) -> dict[str, Any]:
    """The documents, segments, codings and double coding for codes already drawn.

    The steps after the codes, shared by both demo studies: the documents of the
    participants, the wording of every segment (from the structure stream ``r_struct``), the
    offsets, the segment table, ``coder_a``'s codings and ``coder_b``'s double coding of
    ``n_double`` ordinary segments (from ``r_double``).

    Returns
    -------
    dict
        ``documents`` (with ``n_chars``, in case-table order), ``segments``, ``codings`` and
        ``double_coding``; with ``texts``, also ``texts``, the full document texts by
        ``document_id``.

    Examples
    --------
    >>> from coprodlib.demo.codings import draw_codes
    >>> from coprodlib.demo.model import coded_segments
    >>> from coprodlib.demo.sampling import streams
    >>> from coprodlib.demo.structure import case_table, participants, segment_rows
    >>> r_struct, r_code, _, r_double = streams(1)
    >>> cases = case_table(None, r_struct)
    >>> people = participants(cases, r_struct)
    >>> rows = segment_rows(cases, people, r_struct, None)
    >>> drawn = draw_codes(cases, rows, r_code, None, False)
    >>> coded = coded_segments(cases, people, rows, drawn, r_struct, r_double, n_double=5)
    >>> sorted(coded), coded["double_coding"]["segment_id"].nunique()
    (['codings', 'documents', 'double_coding', 'segments', 'texts'], 5)
    """
    docs = documents(cases, people)
    wording = word_segments(cases, docs, rows, drawn, r_struct, texts)
    where = offsets(rows, wording.gap_len, wording.len_a, wording.len_b, wording.header_len)
    docs["n_chars"] = where.n_chars
    segments, perm, rank_of_row = segment_table(
        cases, people, docs, rows, where, segment_texts(wording, rows)
    )
    seg_ids = segments["segment_id"].to_numpy()
    codings, seg_pos, cidx = codings_table(drawn, seg_ids, rank_of_row, large)
    ordinary = np.flatnonzero(~rows.is_overlap[perm])
    double = double_coding(r_double, seg_ids, seg_pos, cidx, ordinary, drawn, n_double, large)
    out: dict[str, Any] = {
        "documents": docs,
        "segments": segments,
        "codings": codings,
        "double_coding": double,
    }
    if texts:
        out["texts"] = document_texts(wording, rows, docs)
    return out


def cases_out(cases: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``cases.csv`` (:data:`CASE_COLUMNS`), sorted by case id.

    Examples
    --------
    >>> import pandas as pd
    >>> from coprodlib.demo.model import CASE_COLUMNS, cases_out
    >>> frame = pd.DataFrame([dict.fromkeys(CASE_COLUMNS, "x") | {"case_id": c, "year": 2020}
    ...                       for c in ("b", "a")])
    >>> cases_out(frame)["case_id"].tolist()
    ['a', 'b']
    """
    out = cases[CASE_COLUMNS].copy()
    out["year"] = out["year"].astype(np.int64)
    order = np.argsort(out["case_id"].to_numpy(), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def _model_record(cases: pd.DataFrame, drawn: DrawnCodes) -> dict[str, pd.Series]:
    """Per case, the latent one-sidedness and the drawn share of one-sided coping."""
    ids = cases["case_id"].to_numpy()
    return {
        "case_share_one_sided": pd.Series(drawn.share, index=ids),
        "case_one_sided": pd.Series(cases["one_sided"].to_numpy(dtype=float), index=ids),
    }


def _meta(seed: int) -> dict[str, Any]:
    """What ``dataset.yml`` holds: the name, the title, that it is synthetic, and the seed."""
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


def _sort_people(frames: dict[str, Any]) -> dict[str, Any]:
    """Participants and documents are built in case-table order; sort them by id."""
    for name, key in (("participants", "participant_id"), ("documents", "document_id")):
        frame = frames[name]
        order = np.argsort(frame[key].to_numpy(), kind="stable")
        frames[name] = frame.iloc[order].reset_index(drop=True)
    return frames
