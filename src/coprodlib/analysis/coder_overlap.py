"""Intercoder agreement straight from a coded project: two or more coders' codings compared.

A QDA project coded by a team holds every coder's codings (REFI-QDA records the creating user
of each coding, QualCoder an owner): the reliability data can be read from it, with no
hand-made ``double_coding.csv``. The QDA tools compare coders in different units, so their
figures differ for the same coding; every table here names its unit in a ``unit`` column.

- :func:`character_agreement` counts **characters**, per code and document, as NVivo's coding
  comparison does: a character is in agreement when both coders coded it with the code or
  neither did; percent agreement and Cohen's kappa follow from the four counts
  [nvivo-ccq]. The table also gives the kappa QualCoder reports for the same counts, which
  uses another chance term (see the function).
- :func:`overlap_units` matches the coders' **segments** in each document on how far their
  spans overlap, as MAXQDA's segment-level comparison does with a threshold the user sets
  [maxqda-ica]. Each group of matched segments is one unit, and the result is the long
  reliability table (unit, coder, code) that :func:`~.reliability.agreement` and
  :func:`~.reliability.code_agreement` take: Krippendorff's alpha (what ATLAS.ti reports,
  [krippendorff2011]) and Cohen's kappa on present/absent decisions per code.
- :func:`reliability_sample` is what the reliability notebook uses: the hand-made
  ``double_coding`` table when the dataset has one, else the project's own codings matched
  on overlap; :func:`coders_of` lists a dataset's coders and :func:`one_coder` keeps one
  coder's codings, for analyses that should read a single coder.

References: [nvivo-ccq] NVivo help, "Run a coding comparison query" (help-nv.qsrinternational
.com); [maxqda-ica] MAXQDA help, "Intercoder agreement" (maxqda.com/help); [qdaminer] QDA
Miner user's manual, coding agreement "code overlap" (90% by default); [qualcoder] QualCoder
source, ``reports.py`` ``calculate_agreement_for_code`` (github.com/ccbogel/QualCoder);
[krippendorff2011] Krippendorff, K. (2011), Computing Krippendorff's alpha-reliability.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._checks import data_label, require_columns, require_frame
from ..errors import DataError, Problem

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "OVERLAPS",
    "character_agreement",
    "coders_of",
    "double_coded_documents",
    "one_coder",
    "overlap_unit_name",
    "overlap_units",
    "reliability_sample",
]

#: How :func:`overlap_units` measures the overlap of two spans: the characters they share
#: over the longer span's length, or over the length of their union.
OVERLAPS = ("longer", "union")

_CHAR_COLUMNS = [
    "document_id",
    "code",
    "coder_a",
    "coder_b",
    "n_characters",
    "both",
    "a_only",
    "b_only",
    "neither",
    "percent_agreement",
    "kappa",
    "kappa_qualcoder",
    "length_from",
    "unit",
]
_UNIT_COLUMNS = [
    "document_id",
    "segment_id",
    "start",
    "end",
    "n_segments",
    "coder",
    "code",
    "unit",
]


def overlap_unit_name(threshold: float, overlap: str) -> str:
    """The unit of :func:`overlap_units` in words, with its threshold and overlap rule.

    Examples
    --------
    >>> overlap_unit_name(0.9, "longer")
    'segments matched on overlap (at least 90% of the longer segment shared)'
    """
    share = f"{threshold:.0%} of the {'longer segment' if overlap == 'longer' else 'union'}"
    return f"segments matched on overlap (at least {share} shared)"


# --------------------------------------------------------------------------- inputs


def _coded_spans(segments: pd.DataFrame, codings: pd.DataFrame, coder: str) -> pd.DataFrame:
    """One row per coding with its segment's document and offsets (rows missing any dropped),
    a coder of its own and code as text."""
    require_frame(segments, "coder_overlap")
    require_frame(codings, "coder_overlap")
    require_columns(
        segments,
        {"segment_id": "segment_id", "document_id": "document_id", "start": "start", "end": "end"},
    )
    require_columns(codings, {"segment_id": "segment_id", "code": "code", "coder": coder})
    segs = segments[["segment_id", "document_id", "start", "end"]].astype(
        {"segment_id": str, "document_id": "string"}
    )
    cod = codings[["segment_id", "code", coder]].rename(columns={coder: "coder"})
    cod = cod.dropna(subset=["coder"]).astype({"segment_id": str, "code": str, "coder": str})
    spans = cod.merge(segs, on="segment_id", how="inner").dropna(
        subset=["document_id", "start", "end"]
    )
    spans = spans.astype({"document_id": str, "start": "int64", "end": "int64"})
    if spans["coder"].nunique() < 2:
        raise DataError(
            Problem(
                file=data_label(codings),
                column=str(coder),
                value=sorted(spans["coder"].unique().tolist()) or None,
                expected=(
                    "codings from at least two coders on segments with a document and "
                    "offsets (start, end): agreement compares coders"
                ),
                kind="empty",
            )
        )
    return spans


def _document_lengths(
    spans: pd.DataFrame, segments: pd.DataFrame, documents: pd.DataFrame | None
) -> pd.DataFrame:
    """Per document its length in characters and where that length comes from: the
    ``n_chars`` column of ``documents`` where given, else the largest end offset of any of
    its segments (a lower bound: the text after the last segment is not counted)."""
    segs = segments.dropna(subset=["document_id", "end"])
    largest = segs.groupby(segs["document_id"].astype(str))["end"].max().astype("int64")
    out = pd.DataFrame({"n_characters": largest, "length_from": "largest end offset"})
    if documents is not None and {"document_id", "n_chars"} <= set(documents.columns):
        given = pd.to_numeric(documents["n_chars"], errors="coerce")
        given.index = documents["document_id"].astype(str)
        given = given.dropna()
        given = given[given.index.isin(out.index)]
        out.loc[given.index, "n_characters"] = np.maximum(
            given.astype("int64"), out.loc[given.index, "n_characters"]
        )
        out.loc[given.index, "length_from"] = "documents.n_chars"
    out.index.name = "document_id"
    return out.loc[out.index.isin(spans["document_id"].unique())]


# --------------------------------------------------------------------------- characters


def _coverage(spans: pd.DataFrame, n_coders: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The elementary stretches of each (document, code) between any two span boundaries,
    with their length and, per coder, whether the coder coded them (a sweep over sorted
    boundaries: no loop over characters)."""
    ci = spans["coder_i"].to_numpy()
    n = len(spans)
    keys = pd.concat([spans[["document_id", "code"]]] * 2, ignore_index=True)
    delta = np.zeros((2 * n, n_coders), dtype=np.int64)
    delta[np.arange(n), ci] = 1
    delta[n + np.arange(n), ci] = -1
    events = keys.assign(pos=np.concatenate([spans["start"], spans["end"]]))
    events = pd.concat([events, pd.DataFrame(delta)], axis=1)
    events = events.groupby(["document_id", "code", "pos"], sort=True).sum().reset_index()
    counts = events.groupby(["document_id", "code"])[list(range(n_coders))].cumsum()
    nxt = events.groupby(["document_id", "code"])["pos"].shift(-1)
    length = (nxt - events["pos"]).fillna(0).to_numpy(dtype=np.int64)
    return events[["document_id", "code"]].assign(length=length), counts.to_numpy() > 0


def _kappas(
    both: np.ndarray, a_only: np.ndarray, b_only: np.ndarray, neither: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Cohen's kappa over all characters, and QualCoder's variant over the coded ones."""
    total = both + a_only + b_only + neither
    a, b = both + a_only, both + b_only
    with np.errstate(invalid="ignore", divide="ignore"):
        po = (both + neither) / total
        pe = (a * b + (total - a) * (total - b)) / total**2
        kappa = np.where(np.isclose(pe, 1.0), np.nan, (po - pe) / (1 - pe))
        coded = both + a_only + b_only  # characters coded by at least one of the two
        po_q = both / coded
        pe_q = (a / coded) * (b / coded) * ((coded - a) / coded) * ((coded - b) / coded)
        kappa_q = np.where(coded > 0, (po_q - pe_q) / (1 - pe_q), np.nan)
    return kappa, kappa_q


def character_agreement(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    *,
    coder: str = "coder",
    pool: bool = False,
) -> pd.DataFrame:
    """Agreement by characters, per code and document, for every pair of coders (as NVivo).

    For each document and code, every character of the document falls in one of four
    counts: coded with the code by both coders, by the first only, by the second only, or
    by neither. Percent agreement is (both + neither) over the document's length, and
    Cohen's kappa compares that with the agreement expected from each coder's share of
    coded characters [nvivo-ccq; Cohen 1960]. Characters a coder coded twice with the same
    code (overlapping segments) count once.

    Parameters
    ----------
    segments : DataFrame
        ``segment_id``, ``document_id``, ``start``, ``end`` (offsets, end exclusive).
    codings : DataFrame
        ``segment_id``, ``code`` and the ``coder`` column; rows without a coder are left out.
    documents : DataFrame, optional
        With ``document_id`` and ``n_chars``, the documents' lengths. Where a length is not
        given, the document's largest end offset stands in (a lower bound, which counts
        fewer "neither" characters than NVivo does); ``length_from`` says which was used.
    coder : str
        The column naming the coder.
    pool : bool
        Add up the four counts over documents and report one row per code and pair of
        coders (``document_id`` is then ``"(all)"``): the weighted average that NVivo's help
        suggests for a figure across sources, weighting each document by its length.

    Returns
    -------
    DataFrame
        One row per document, code and pair of coders (``coder_a`` < ``coder_b``) where the
        pair both coded the document (any code) and at least one of them applied the code
        there, sorted. Columns: ``document_id``, ``code``, ``coder_a``, ``coder_b``,
        ``n_characters`` (the document's length), ``both``, ``a_only``, ``b_only``,
        ``neither`` (characters), ``percent_agreement`` (0 to 1), ``kappa`` (Cohen's, over
        all characters; NaN when chance agreement is 1), ``kappa_qualcoder`` (QualCoder's
        figure for the same counts: it keeps only the characters coded by at least one
        coder and multiplies the chance of agreeing on "coded" by the chance of agreeing
        on "not coded" where Cohen adds them, so it is not comparable with ``kappa``;
        QualCoder also counts a character twice where one coder's own segments overlap,
        which is not copied here),
        ``length_from`` and ``unit`` (``"characters"``).

    Raises
    ------
    DataError
        A column is missing, or fewer than two coders coded segments that have a document
        and offsets.

    Examples
    --------
    NVivo's documented example: 1,000 characters, 50 coded by both, 150 by one, 800 by
    neither.

    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> segs = pd.DataFrame({"segment_id": ["a", "b"], "document_id": "d1",
    ...                      "start": [0, 50], "end": [100, 200]})
    >>> cods = pd.DataFrame({"segment_id": ["a", "b"], "code": "bias",
    ...                      "coder": ["ann", "bob"]})
    >>> docs = pd.DataFrame({"document_id": ["d1"], "n_chars": [1000]})
    >>> out = cp.character_agreement(segs, cods, docs)
    >>> out[["both", "a_only", "b_only", "neither", "percent_agreement"]]
       both  a_only  b_only  neither  percent_agreement
    0    50      50     100      800               0.85
    """
    spans = _coded_spans(segments, codings, coder)
    lengths = _document_lengths(spans, segments, documents)
    coders = sorted(spans["coder"].unique())
    spans = spans.assign(coder_i=pd.Index(coders).get_indexer(spans["coder"]))
    stretches, covered = _coverage(spans, len(coders))
    in_doc = spans.groupby("document_id")["coder_i"].unique()
    rows = []
    for i in range(len(coders)):
        for j in range(i + 1, len(coders)):
            a, b = covered[:, i], covered[:, j]
            frame = stretches.assign(
                both=stretches["length"] * (a & b),
                a_len=stretches["length"] * a,
                b_len=stretches["length"] * b,
            )
            sums = frame.groupby(["document_id", "code"], sort=True)[["both", "a_len", "b_len"]]
            sums = sums.sum().reset_index()
            pair_docs = [d for d, cs in in_doc.items() if i in cs and j in cs]
            sums = sums[sums["document_id"].isin(pair_docs) & (sums["a_len"] + sums["b_len"] > 0)]
            rows.append(sums.assign(coder_a=coders[i], coder_b=coders[j]))
    out = pd.concat(rows, ignore_index=True)
    if out.empty:
        raise DataError(
            Problem(
                file=data_label(codings),
                column=str(coder),
                expected="at least one document that two coders both coded",
                kind="empty",
            )
        )
    out = out.join(lengths, on="document_id")
    if pool:
        out = (
            out.groupby(["code", "coder_a", "coder_b"], sort=True)
            .agg(
                both=("both", "sum"),
                a_len=("a_len", "sum"),
                b_len=("b_len", "sum"),
                n_characters=("n_characters", "sum"),
                length_from=("length_from", lambda s: "; ".join(sorted(set(s)))),
            )
            .reset_index()
            .assign(document_id="(all)")
        )
    out["a_only"] = out["a_len"] - out["both"]
    out["b_only"] = out["b_len"] - out["both"]
    out["neither"] = out["n_characters"] - out["a_len"] - out["b_only"]
    counts = [out[c].to_numpy(dtype=float) for c in ("both", "a_only", "b_only", "neither")]
    out["percent_agreement"] = (counts[0] + counts[3]) / out["n_characters"].to_numpy(float)
    out["kappa"], out["kappa_qualcoder"] = _kappas(*counts)
    out["unit"] = "characters"
    out = out.astype({c: "int64" for c in ("n_characters", "both", "a_only", "b_only", "neither")})
    out = out.sort_values(["document_id", "code", "coder_a", "coder_b"], ignore_index=True)
    return out[_CHAR_COLUMNS]


# --------------------------------------------------------------------------- segments


def _overlap_share(
    a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray, overlap: str
) -> np.ndarray:
    """How far each pair of spans [a0, a1) and [b0, b1) overlaps (0 to 1)."""
    inter = np.maximum(0, np.minimum(a1, b1) - np.maximum(a0, b0))
    longer = np.maximum(a1 - a0, b1 - b0)
    denom = longer if overlap == "longer" else (a1 - a0) + (b1 - b0) - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(denom > 0, inter / np.where(denom > 0, denom, 1), 0.0)
    same_point = (a1 - a0 == 0) & (b1 - b0 == 0) & (a0 == b0)
    return np.where(same_point, 1.0, share)


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components of a graph of ``n`` nodes and the given edges (scipy)."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    graph = sparse.coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def overlap_units(
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    *,
    coder: str = "coder",
    threshold: float = 0.9,
    overlap: str = "longer",
) -> pd.DataFrame:
    """The reliability table of a multi-coder project: coders' segments matched on overlap.

    Within each document, a segment of one coder matches a segment of another coder when
    their spans overlap by at least ``threshold``. Segments joined by matches (directly or
    through others) form one **unit**; a segment that matches nothing is a unit of its own.
    Each coder who coded the document (any code) then gives the unit the codes of the
    coder's segments in it, or no code at all (a row with a missing ``code``: the coder read
    that passage and coded nothing there, which :func:`~.reliability.code_decisions` counts
    as "absent"). Matching is on spans only, whatever the codes; the codes are compared per
    unit afterwards. Documents that only one coder coded are left out.

    MAXQDA's segment-level test works the same way on overlap, with a percentage the user
    sets [maxqda-ica]; QDA Miner's "code overlap" criterion asks that the two codings
    overlap on 90% of their length by default [qdaminer], which is what the defaults here
    give (``overlap="longer"``, ``threshold=0.9``: each segment shares at least 90% of its
    characters with the other). Unlike MAXQDA, which checks each code on its own and only
    counts segments where at least one coder applied that code, the units here feed
    :func:`~.reliability.code_agreement`, which also counts the units where both coders
    left a code out (so its percent agreement is higher than MAXQDA's for rare codes;
    ``n_coded`` in its result counts the units MAXQDA would count).

    Parameters
    ----------
    segments : DataFrame
        ``segment_id``, ``document_id``, ``start``, ``end``.
    codings : DataFrame
        ``segment_id``, ``code`` and the ``coder`` column.
    coder : str
        The column naming the coder.
    threshold : float
        The least overlap (0 < threshold <= 1) for two segments to match.
    overlap : {"longer", "union"}
        The overlap of two spans: shared characters over the longer span's length (default),
        or over the length of their union (stricter when the spans are shifted).

    Returns
    -------
    DataFrame
        One row per unit, coder and code (the code missing where the coder gave the unit
        none), sorted by document, start and coder. Columns: ``document_id``,
        ``segment_id`` (the unit, named after its first segment), ``start`` and ``end``
        (the unit's span, from its first start to its last end), ``n_segments`` (segments
        in the unit, all coders), ``coder``, ``code``, and ``unit`` (the rule in words,
        e.g. ``"segments matched on overlap (at least 90% of the longer segment
        shared)"``). Pass it to
        :func:`~.reliability.code_agreement` as it is.

    Raises
    ------
    ValueError
        For a threshold outside (0, 1] or an unknown ``overlap``.
    DataError
        A column is missing, or fewer than two coders coded segments with offsets.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> segs = pd.DataFrame({"segment_id": ["a1", "b1", "a2"], "document_id": "d1",
    ...                      "start": [0, 2, 50], "end": [100, 100, 60]})
    >>> cods = pd.DataFrame({"segment_id": ["a1", "b1", "a2"],
    ...                      "code": ["bias", "bias", "cycling"],
    ...                      "coder": ["ann", "bob", "ann"]})
    >>> cp.overlap_units(segs, cods)[["segment_id", "coder", "code"]]
      segment_id coder     code
    0         a1   ann     bias
    1         a1   bob     bias
    2         a2   ann  cycling
    3         a2   bob      NaN
    """
    if overlap not in OVERLAPS:
        raise ValueError(f"overlap={overlap!r} is not offered; use one of {', '.join(OVERLAPS)}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold={threshold!r} must be above 0 and at most 1")
    spans = _coded_spans(segments, codings, coder)
    segs = spans.drop_duplicates(["segment_id", "coder"])[
        ["segment_id", "coder", "document_id", "start", "end"]
    ].reset_index(drop=True)
    pairs = segs.reset_index().merge(segs.reset_index(), on="document_id", suffixes=("_a", "_b"))
    pairs = pairs[(pairs["index_a"] < pairs["index_b"]) & (pairs["coder_a"] != pairs["coder_b"])]
    share = _overlap_share(
        *(pairs[c].to_numpy() for c in ("start_a", "end_a", "start_b", "end_b")), overlap
    )
    matched = pairs[share >= threshold - 1e-12]
    segs["unit"] = _components(
        len(segs), matched["index_a"].to_numpy(), matched["index_b"].to_numpy()
    )
    units = (
        segs.sort_values(["start", "end", "segment_id"])
        .groupby("unit")
        .agg(
            segment_id=("segment_id", "first"),
            document_id=("document_id", "first"),
            start=("start", "min"),
            end=("end", "max"),
            n_segments=("segment_id", "nunique"),
        )
    )
    coded = spans.merge(segs[["segment_id", "coder", "unit"]], on=["segment_id", "coder"])
    coded = coded[["unit", "coder", "code"]].drop_duplicates()
    doc_coders = segs[["document_id", "coder"]].drop_duplicates()
    pair_docs = doc_coders.groupby("document_id")["coder"].nunique()
    doc_coders = doc_coders[doc_coders["document_id"].map(pair_docs) >= 2]
    grid = units.reset_index().merge(doc_coders, on="document_id")
    out = grid.merge(coded, on=["unit", "coder"], how="left")
    out = out.sort_values(
        ["document_id", "start", "end", "segment_id", "coder", "code"], ignore_index=True
    )
    out["unit"] = overlap_unit_name(threshold, overlap)
    return out[_UNIT_COLUMNS]


# --------------------------------------------------------------------------- datasets


def coders_of(dataset: Dataset) -> list[str]:
    """The coders named in a dataset's codings, sorted (empty when there is no coder column).

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.coders_of(cp.load())
    ['coder_a']
    """
    codings = dataset.codings
    if "coder" not in codings.columns:
        return []
    return sorted(codings["coder"].dropna().astype(str).unique())


def double_coded_documents(dataset: Dataset) -> list[str]:
    """The documents that two or more coders coded, sorted: where the project's own codings
    can be compared (a pool of studies has several coders, each on other documents).

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.double_coded_documents(cp.load())
    []
    """
    codings = dataset.codings
    if "coder" not in codings.columns or not len(codings):
        return []
    if "document_id" not in dataset.segments.columns:  # segments tied to no document
        return []
    document = dataset.segments.set_index("segment_id")["document_id"]
    coded = pd.DataFrame(
        {
            "document": codings["segment_id"].map(document).astype("string"),
            "coder": codings["coder"].astype("string"),
        }
    ).dropna()
    per_document = coded.drop_duplicates().groupby("document", observed=True)["coder"].size()
    return sorted(str(d) for d in per_document.index[per_document >= 2])


def one_coder(dataset: Dataset, coder: str) -> Dataset:
    """The dataset with one coder's codings only, and the segments that coder coded.

    The analyses of a multi-coder project count a code once per segment whatever the number
    of coders who gave it (the union); separate segments that two coders made of the same
    passage are still two segments. For counts from one coder's reading, analyse
    ``one_coder(ds, "name")``.

    Raises
    ------
    DataError
        When ``coder`` coded nothing (the message lists the coders there are).

    Examples
    --------
    >>> import coprodlib as cp
    >>> len(cp.one_coder(cp.load(), "coder_a").codings) > 0
    True
    """
    known = coders_of(dataset)
    if coder not in known:
        raise DataError(
            Problem(
                file="codings.csv",
                column="coder",
                value=coder,
                expected=f"one of the coders: {', '.join(known) or '(none named)'}",
                kind="unknown_coder",
            )
        )
    codings = dataset.codings[dataset.codings["coder"].astype(str) == coder]
    segs = dataset.segments[dataset.segments["segment_id"].isin(codings["segment_id"])]
    return replace(dataset, codings=codings, segments=segs)


def reliability_sample(
    dataset: Dataset, *, threshold: float = 0.9, overlap: str = "longer"
) -> pd.DataFrame:
    """The reliability data of a dataset, with the unit they use.

    The hand-made ``double_coding`` table when the dataset has rows in it (its units are the
    segments the sample names); else, when the codings carry two or more coders, the
    project's own codings matched on overlap (:func:`overlap_units`).

    Returns
    -------
    DataFrame
        ``segment_id`` (the unit), ``coder``, ``code``, and ``unit``: ``"double-coded
        sample"``, or ``"segments matched on overlap (at least 90% of the longer segment
        shared)"`` with the threshold and overlap used.

    Raises
    ------
    DataError
        When the dataset has neither a double-coded sample nor two coders on the same
        documents in its codings.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.reliability_sample(cp.load())["unit"].unique().tolist()
    ['double-coded sample']
    """
    dc = dataset.double_coding
    if dc is not None and len(dc):
        out = dc[["segment_id", "coder", "code"]].astype({"code": str})
        return out.assign(unit="double-coded sample")
    if len(coders_of(dataset)) < 2:
        raise DataError(
            Problem(
                file="double_coding.csv",
                expected=(
                    "a double-coded sample (double_coding.csv), or codings from two or more "
                    "coders in codings.csv (the coder column)"
                ),
                kind="empty",
            )
        )
    if not double_coded_documents(dataset):
        raise DataError(
            Problem(
                file="codings.csv",
                column="coder",
                expected=(
                    "two or more coders on the same documents (each document here was coded by "
                    "one coder only, as in a pool of studies), or a double-coded sample in "
                    "double_coding.csv"
                ),
                kind="empty",
            )
        )
    units = overlap_units(dataset.segments, dataset.codings, threshold=threshold, overlap=overlap)
    return units[["segment_id", "coder", "code", "unit"]]
