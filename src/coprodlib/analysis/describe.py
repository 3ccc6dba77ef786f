"""Descriptive summaries of a dataset: what is in it, per case and per role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "case_overview",
    "role_counts",
    "problem_summary",
    "dimension_counts",
    "case_profile",
    "code_usage",
    "case_heading",
    "example_segments",
    "studies_of",
    "study_overview",
]


def case_overview(dataset: Dataset) -> pd.DataFrame:
    """One row per case: its form of co-production and how much material it holds.

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id``, ``title``, ``country``, ``phase``, ``n_participants``,
        ``n_segments``, ``n_codings`` (a code counts once per segment, whatever the number
        of coders who gave it), sorted by ``case_id``.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.case_overview(cp.load()).columns.tolist()[:3]
    ['case_id', 'title', 'country']
    """
    cases = dataset.cases.copy()
    cases["case_id"] = cases["case_id"].astype(str)
    ids = pd.Index(sorted(cases["case_id"]), name="case_id")
    seg_case = dataset.segments[["segment_id", "case_id"]].astype(str)
    n_part = dataset.participants["case_id"].astype(str).value_counts().reindex(ids, fill_value=0)
    n_seg = seg_case["case_id"].value_counts().reindex(ids, fill_value=0)
    from .qualitative import union_codings

    codings = union_codings(dataset)[["segment_id"]].astype(str).merge(seg_case, on="segment_id")
    n_cod = codings["case_id"].value_counts().reindex(ids, fill_value=0)
    out = cases.set_index("case_id").reindex(ids)[["title", "country", "phase"]]
    out["n_participants"] = n_part.astype("int64")
    out["n_segments"] = n_seg.astype("int64")
    out["n_codings"] = n_cod.astype("int64")
    return out.reset_index()


def role_counts(dataset: Dataset) -> pd.DataFrame:
    """Participants per case and role, as a wide table with a total row and column."""
    parts = dataset.participants.astype({"case_id": str, "role": str})
    table = pd.crosstab(parts["case_id"], parts["role"], margins=True, margins_name="total")
    table.columns.name = "role"
    return table


def dimension_counts(dataset: Dataset, dimension: str, *, by: str = "case_id") -> pd.DataFrame:
    """How many segments carry each code of a dimension, per case (or per role).

    Returns a long frame with columns ``<by>``, ``code``, ``label``, ``n_segments``, sorted by
    group and decreasing count. For the ``effect`` dimension a column ``desired`` (between
    ``label`` and ``n_segments``) says whether the codebook counts the effect as
    ``"desired"`` or ``"undesired"`` (missing for a code the codebook does not judge).
    """
    from .qualitative import codings_of

    long = codings_of(dataset, dimension)
    if by not in long.columns:
        raise ValueError(
            f"by={by!r} is not a column of the codings; use case_id, role or role_group"
        )
    counts = (
        long.drop_duplicates(["segment_id", "code"])
        .groupby([by, "code"], observed=True)
        .size()
        .rename("n_segments")
        .reset_index()
    )
    counts["label"] = dataset.codebook.labels(counts["code"])
    counts = counts.sort_values([by, "n_segments", "code"], ascending=[True, False, True])
    columns = [by, "code", "label", "n_segments"]
    if dimension == "effect":
        desired = dataset.codebook.frame.set_index("id")["desired"]
        kind = counts["code"].map(desired).map({True: "desired", False: "undesired"})
        counts["desired"] = kind.astype("string")
        columns.insert(3, "desired")
    return counts[columns].reset_index(drop=True)


def case_profile(dataset: Dataset, case_id: str) -> pd.DataFrame:
    """A case's descriptive fields as a two-column table (field, value), with codebook labels."""
    cases = dataset.cases.astype({"case_id": str}).set_index("case_id")
    if str(case_id) not in cases.index:
        raise DataError(
            Problem(
                file="cases.csv",
                column="case_id",
                value=str(case_id),
                expected=f"one of the dataset's cases: {', '.join(sorted(cases.index))}",
            )
        )
    row = cases.loc[str(case_id)]
    labels = dataset.codebook.frame.set_index("id")["label"]
    values = [labels.get(str(v), v) if pd.notna(v) else "" for v in row.to_numpy()]
    return pd.DataFrame({"field": list(row.index), "value": [str(v) for v in values]})


def problem_summary(problems: Sequence[Problem]) -> pd.DataFrame:
    """Count validation problems by file, column and kind (an empty frame when none)."""
    cols = ["file", "column", "kind", "n_problems", "example"]
    if not problems:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame([p.as_dict() for p in problems])
    frame["column"] = frame["column"].fillna("")
    frame["example"] = [str(p) for p in problems]
    out = (
        frame.groupby(["file", "column", "kind"], sort=True)
        .agg(n_problems=("expected", "size"), example=("example", "first"))
        .reset_index()
    )
    return out[cols]


def code_usage(dataset: Dataset) -> pd.DataFrame:
    """Per codebook dimension: codings, segments coded, and codes used out of those available.

    Returns
    -------
    pandas.DataFrame
        Columns ``dimension``, ``n_codings``, ``n_segments``, ``codes_used``,
        ``codes_available``; dimensions in codebook order, unused ones left out.
    """
    entries = dataset.codebook.frame
    dims = list(dict.fromkeys(entries["dimension"]))
    from .qualitative import union_codings

    codings = union_codings(dataset).astype(str)
    codings = codings.assign(dimension=dataset.codebook.dimensions_of(codings["code"]))
    grouped = codings.groupby("dimension")
    out = pd.DataFrame(
        {
            "n_codings": grouped.size(),
            "n_segments": grouped["segment_id"].nunique(),
            "codes_used": grouped["code"].nunique(),
        }
    )
    out["codes_available"] = entries.groupby("dimension").size().reindex(out.index)
    out = out.reindex([d for d in dims if d in out.index])
    out.index.name = "dimension"
    return out.astype("int64").reset_index()


def case_heading(dataset: Dataset, case_id: str) -> Any:
    """A Markdown heading naming the case, its country and its phase of co-production.

    Every part of it comes from the dataset (id, title, country, phase label) and is escaped
    with :func:`coprodlib.taxonomy.export.markdown_text`, so a title holding HTML or Markdown
    (``<img onerror=...>``, ``[x](javascript:...)``) shows as the text it is.

    Returns
    -------
    IPython.display.Markdown
        ``## Case <id>: <title> (<country>, <phase>)``.
    """
    from IPython.display import Markdown

    from ..taxonomy.export import markdown_text

    profile = case_profile(dataset, case_id).set_index("field")["value"]
    title = markdown_text(profile.get("title", "")) or markdown_text(case_id)
    bits = [markdown_text(b) for b in (profile.get("country", ""), profile.get("phase", "")) if b]
    suffix = f" ({', '.join(bits)})" if bits else ""
    return Markdown(f"## Case {markdown_text(case_id)}: {title}{suffix}")


def example_segments(dataset: Dataset, *, n: int = 3, dimension: str = "tension") -> pd.DataFrame:
    """Up to ``n`` example segments per code of a dimension, with their text.

    For reports only when the user asks for quotes: the text is verbatim material. Segments are
    taken in the order of their ids (deterministic), and participants appear by pseudonym.
    Only segments whose text is kept count as examples: an imported project may keep the text
    of some segments and leave others empty (redacted, or outside the exported documents).

    Parameters
    ----------
    dataset : Dataset
        The dataset or a selection of it (:func:`coprodlib.select_cases`).
    n : int
        Examples per code, at least 1.
    dimension : str
        The codebook dimension whose codes get examples.

    Returns
    -------
    pandas.DataFrame
        Always the columns ``code``, ``segment_id``, ``participant_id``, ``role``, ``text``;
        a code without any segment that keeps its text is left out.

    Raises
    ------
    DataError
        When the dataset keeps no segment text, has no codings of ``dimension``, or none of
        those codings is on a segment with text (inside :func:`coprodlib.report_section`, a
        note says so instead).
    """
    from .qualitative import codings_of

    if n < 1:
        raise ValueError(f"n={n!r}: ask for at least one example segment")
    texts = _kept_texts(dataset)
    long = codings_of(dataset, dimension).drop_duplicates(["segment_id", "code"])
    long = long.merge(texts, on="segment_id", how="inner")
    if long.empty:
        raise DataError(
            f"segments coded with {dimension!r} that keep their text (the dataset keeps text "
            "only for segments without such codes)",
            file="segments.csv",
        )
    long = long.sort_values(["code", "segment_id"], kind="mergesort")
    picked = long.groupby("code", sort=True).head(n)
    return picked[["code", "segment_id", "participant_id", "role", "text"]].reset_index(drop=True)


def _kept_texts(dataset: Dataset) -> pd.DataFrame:
    """``segment_id`` and ``text`` of the segments whose text is not missing or blank."""
    segments = dataset.segments
    if "text" in segments.columns:
        texts = segments[["segment_id", "text"]].dropna(subset=["text"])
        texts = texts.astype({"segment_id": str, "text": str})
        texts = texts[texts["text"].str.strip() != ""]
    if "text" not in segments.columns or texts.empty:
        raise DataError(
            "segments with their text (this dataset carries none: redacted or absent; "
            "import with --keep-text to keep it)",
            file="segments.csv",
        )
    return texts


def studies_of(dataset: Dataset) -> list[str]:
    """The studies a dataset pools: the distinct values of ``cases.study``, sorted.

    Empty when ``cases.csv`` has no ``study`` column or leaves it blank. A dataset written by
    ``coprod pool`` names one study per pooled dataset.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.studies_of(cp.load())
    ['aschhoff2018', 'jaspers2021d']
    """
    if "study" not in dataset.cases.columns:
        return []
    return sorted(
        dataset.cases["study"].dropna().astype(str).str.strip().replace("", pd.NA).dropna().unique()
    )


def study_overview(dataset: Dataset) -> pd.DataFrame:
    """One row per study: its cases and coded material, and its coping and effects pooled.

    Returns
    -------
    pandas.DataFrame
        Columns ``study``, ``n_cases``, ``n_segments``, ``n_codings``, ``share_one_sided``
        (strategy codings favouring one value, over all the study's strategy codings) and
        ``share_undesired`` (undesired effect codings over all its effect codings), sorted by
        study. Empty (with these columns) when the dataset names no study.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.study_overview(cp.load())["n_cases"].tolist()
    [3, 3]
    """
    from .qualitative import aggregation

    columns = ["study", "n_cases", "n_segments", "n_codings", "share_one_sided", "share_undesired"]
    if not studies_of(dataset):
        return pd.DataFrame(columns=columns)
    study = dataset.cases.astype({"case_id": str}).set_index("case_id")["study"].astype(str)
    overview = case_overview(dataset).assign(study=lambda t: t["case_id"].map(study))
    agg = aggregation(dataset).assign(study=lambda t: t["case_id"].map(study))
    sums = agg.groupby("study")[["n_one_sided", "n_strategies", "n_undesired", "n_effects"]].sum()
    out = overview.groupby("study").agg(
        n_cases=("case_id", "size"),
        n_segments=("n_segments", "sum"),
        n_codings=("n_codings", "sum"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_one_sided"] = (sums["n_one_sided"] / sums["n_strategies"]).where(
            sums["n_strategies"] > 0
        )
        out["share_undesired"] = (sums["n_undesired"] / sums["n_effects"]).where(
            sums["n_effects"] > 0
        )
    return out.reset_index()[columns]
