"""The source texts of an export, rebuilt from what a dataset keeps.

A dataset keeps the coded segments (offsets, and their text when the import kept it), not the
documents' full texts. :func:`rebuild_sources` writes each document's text back as far as it
is known: every segment's text at its offsets, blanks elsewhere. Segments without offsets
are laid end to end after the last placed segment, each on a line of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract.dataset import Dataset

__all__ = ["SourceText", "document_frame", "rebuild_sources"]

#: What a segment without kept text and without offsets shows in its source.
NO_TEXT = "[segment text not kept]"


@dataclass
class SourceText:
    """One source of an export: its document id, case and participant, its rebuilt text,
    and its segments with code-point offsets into that text (``segment_id``, ``start``,
    ``end``); ``kept`` counts the segments whose own text is in it."""

    key: str
    case_id: str
    participant_id: str
    description: str
    text: str
    placed: pd.DataFrame
    kept: int


def document_frame(ds: Dataset) -> pd.DataFrame:
    """One row per document: ``document_id``, ``case_id``, ``participant_id``, ``title``,
    ``n_chars`` (missing where unknown).

    The documents table where the dataset has one, completed by the documents its segments
    name; a segment without a document belongs to a document named after its participant.

    Examples
    --------
    >>> import coprodlib as cp
    >>> document_frame(cp.load()).columns.tolist()
    ['document_id', 'case_id', 'participant_id', 'title', 'n_chars']
    """
    segs = _segment_documents(ds.segments)
    cols = ["document_id", "case_id", "participant_id", "title", "n_chars"]
    listed = ds.documents if ds.documents is not None else pd.DataFrame(columns=cols[:3])
    listed = listed.reindex(columns=cols).astype(object)
    named = segs.drop_duplicates("document_id")[["document_id", "case_id", "participant_id"]]
    named = named[~named["document_id"].isin(set(listed["document_id"]))].astype(object)
    out = pd.concat([listed, named.reindex(columns=cols)], ignore_index=True)
    return out.astype({"document_id": str, "case_id": str, "participant_id": str})


def _segment_documents(segments: pd.DataFrame) -> pd.DataFrame:
    """The segments with a ``document_id`` everywhere (their participant's where missing)."""
    segs = segments.astype({"segment_id": str, "case_id": str, "participant_id": str})
    doc = segs["document_id"] if "document_id" in segs.columns else pd.Series(pd.NA, segs.index)
    doc = doc.astype(object).where(doc.notna(), segs["participant_id"].astype(object))
    return segs.assign(document_id=doc.astype(str))


def rebuild_sources(ds: Dataset, docs: pd.DataFrame) -> tuple[list[SourceText], list[str]]:
    """The text of every document, rebuilt from its segments.

    Parameters
    ----------
    ds : Dataset
        The dataset.
    docs : pandas.DataFrame
        Its documents (:func:`document_frame`).

    Returns
    -------
    sources : list of SourceText
        In the order of ``docs``.
    warnings : list of str
        Segment texts that do not fit their offsets (left out of the text), and segment
        texts that disagree where they overlap (the first one kept).

    Examples
    --------
    >>> import coprodlib as cp
    >>> ds = cp.load()
    >>> sources, _ = rebuild_sources(ds, document_frame(ds))
    >>> s = sources[0]
    >>> row = s.placed.iloc[0]
    >>> s.text[row.start:row.end] == ds.segments.set_index("segment_id").at[row.segment_id, "text"]
    True
    """
    segs = _segment_documents(ds.segments)
    has_text = "text" in segs.columns
    by_doc = {k: g for k, g in segs.groupby("document_id", sort=False)}
    sources, misfit, clash = [], 0, 0
    for doc in docs.to_dict("records"):
        group = by_doc.get(doc["document_id"], segs.iloc[:0])
        text, placed, kept, bad, disagree = _one_text(group, doc.get("n_chars"), has_text)
        misfit += bad
        clash += disagree
        title = doc.get("title")
        about = str(title) if isinstance(title, str) and title.strip() else doc["document_id"]
        note = (
            "Text rebuilt by coprod from the segments' kept text; text between segments is not "
            "in the dataset and is blank."
            if kept
            else "The dataset keeps no text of this document: the source is blank, and the "
            "selections keep their positions."
        )
        sources.append(SourceText(doc["document_id"], doc["case_id"], doc["participant_id"],
                                  f"{about}\n\n{note}", text, placed, kept))  # fmt: skip
    warnings = []
    if misfit:
        warnings.append(
            f"{misfit} segment text(s) are not as long as their offsets say (redacted or "
            "edited?); they were left out of the source texts"
        )
    if clash:
        warnings.append(f"{clash} segment text(s) disagree with an overlapping segment's text; "
                        "the first segment's text was kept")  # fmt: skip
    return sources, warnings


def _one_text(
    group: pd.DataFrame, n_chars: object, has_text: bool
) -> tuple[str, pd.DataFrame, int, int, int]:
    """One document's text, its placed segments, and counts: kept, misfit, disagreeing."""
    start = pd.to_numeric(group["start"], errors="coerce") if "start" in group else None
    end = pd.to_numeric(group["end"], errors="coerce") if "end" in group else None
    if start is None or end is None:
        start = end = pd.Series(np.nan, index=group.index)
    with_offsets = (start.notna() & end.notna()).to_numpy()
    texts = group["text"] if has_text else pd.Series(None, index=group.index, dtype=object)
    length = int(end[with_offsets].max()) if with_offsets.any() else 0
    if isinstance(n_chars, int | float | np.integer) and not pd.isna(n_chars):
        length = max(length, int(n_chars))
    chars = np.full(length, " ", dtype="<U1")
    known = np.zeros(length, dtype=bool)
    kept = misfit = clash = 0
    rows = []
    order = np.lexsort((end.fillna(0).to_numpy(), start.fillna(0).to_numpy()))
    for k in order:
        if not with_offsets[k]:
            continue
        s, e = int(start.iat[k]), int(end.iat[k])
        rows.append((group["segment_id"].iat[k], s, e))
        t = texts.iat[k]
        if not isinstance(t, str) or not t:
            continue
        if len(t) != e - s:
            misfit += 1
            continue
        piece = np.array(list(t.replace("\r", "\n")), dtype="<U1")
        overlap = known[s:e]
        if (chars[s:e][overlap] != piece[overlap]).any():
            clash += 1
        chars[s:e] = np.where(overlap, chars[s:e], piece)
        known[s:e] = True
        kept += 1
    after = np.flatnonzero(~known[1:] & known[:-1]) + 1  # the first blank after a text
    chars[after] = "\n"
    text = "".join(chars.tolist())
    for k in np.flatnonzero(~with_offsets):  # no offsets: laid end to end
        t = texts.iat[k]
        t = t.replace("\r", "\n") if isinstance(t, str) and t else NO_TEXT
        kept += t is not NO_TEXT
        text += "\n"
        rows.append((group["segment_id"].iat[k], len(text), len(text) + len(t)))
        text += t
    placed = pd.DataFrame(rows, columns=["segment_id", "start", "end"])
    return text, placed.astype({"start": "int64", "end": "int64"}), kept, misfit, clash
