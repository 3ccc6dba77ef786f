"""The data contract's front: read a dataset folder into typed tables, and check it.

A dataset is a folder of tidy tables (see ``data/README.md`` for the data dictionary):
``cases``, ``participants``, ``segments`` and ``codings`` are required; ``documents``,
``survey`` (with ``scales.yml``), ``double_coding``, ``code_map`` and ``codebook_extension``
are optional. Each table may be a UTF-8 CSV (comma or semicolon, with or without a byte order
mark) or an Excel ``.xlsx`` workbook.

:func:`validate` collects every problem in one pass and returns them; :func:`load` returns a
:class:`Dataset` and raises :class:`~coprodlib.errors.DataError` (carrying the same list) when
the data cannot be used. The rules live in :mod:`.rules`, the reading of files in
:mod:`.reading` and the checks in :mod:`.checks`; this module puts them together.

Both remember what they found (:mod:`.cache`): ``cp.validate(d)`` followed by ``cp.load(d)``
reads and checks the folder once, and a notebook run again in the same kernel does not read an
unchanged folder again. A file that changes (or appears, or goes) is seen at the next call.
Each :func:`load` hands out its own copy of the tables (pandas' copy-on-write makes that cheap),
so a caller changing a frame changes nothing that a later call returns; ``cache=False`` reads
the folder afresh.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..paths import resolve_dataset
from ..taxonomy.codebook import Codebook, get_codebook
from .cache import FolderCache
from .checks import (
    Collector,
    apply_code_map,
    check_survey_files,
    check_tables,
    cross_checks,
    extend_codebook,
)
from .reading import folder_file_names, read_meta, read_tables
from .rules import TABLES, TableRule
from .survey_design import SurveyDesign

__all__ = [
    "Dataset",
    "load",
    "load_folder",
    "validate",
    "check_folder",
    "select_cases",
    "check_case_ids",
    "clear_cache",
    "coding_segments",
]


@dataclass
class Dataset:
    """A loaded dataset: one tidy DataFrame per table, and the codebook it is read against.

    Attributes
    ----------
    name : str
        The folder name (``"demo"`` for the shipped demo).
    path : Path
        The dataset folder.
    cases, participants, segments, codings : DataFrame
        The qualitative tables (empty, with their columns, in a survey-only dataset). Ids
        are strings; codebook-valued columns (``phase``, ``level``,
        ``mode``, ``logic``, ``role``, ``code``) are categoricals.
    documents, survey, double_coding, code_map : DataFrame or None
        The optional tables (``None`` when the file is absent).
    survey_design : SurveyDesign or None
        The scale definitions from ``scales.yml`` beside the survey.
    codebook : Codebook
        The shipped codebook extended with the dataset's ``codebook_extension``.
    meta : dict
        The contents of ``dataset.yml`` (title, whether the data are synthetic, ...).

    Examples
    --------
    >>> import coprodlib as cp
    >>> list(cp.load().tables())
    ['cases', 'participants', 'documents', 'segments', 'codings', 'double_coding', 'survey']
    """

    name: str
    path: Path
    cases: pd.DataFrame
    participants: pd.DataFrame
    segments: pd.DataFrame
    codings: pd.DataFrame
    codebook: Codebook
    documents: pd.DataFrame | None = None
    survey: pd.DataFrame | None = None
    survey_design: SurveyDesign | None = None
    double_coding: pd.DataFrame | None = None
    code_map: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        """True when ``dataset.yml`` marks the data as synthetic (the demo)."""
        return bool(self.meta.get("synthetic", False))

    @property
    def title(self) -> str:
        """The title ``dataset.yml`` gives, or else the folder name."""
        return str(self.meta.get("title") or self.name)

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts the dataset holds: ``"qualitative"`` (cases, participants, segments and
        codings), ``"survey"``, or both; a survey-only dataset has empty qualitative tables."""
        found = []
        if len(self.cases):
            found.append("qualitative")
        if self.survey is not None:
            found.append("survey")
        return tuple(found)

    @property
    def case_ids(self) -> list[str]:
        """The dataset's case ids, sorted."""
        return sorted(self.cases["case_id"].astype(str))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by name, in the contract's order."""
        out = {}
        for name in TABLES:
            frame = getattr(self, name, None)
            if isinstance(frame, pd.DataFrame):
                out[name] = frame
        return out

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v):,}" for k, v in self.tables().items())
        flag = " (synthetic)" if self.synthetic else ""
        return f"<Dataset {self.name!r}{flag}: {sizes}>"


# --------------------------------------------------------------------------- assembling


@dataclass
class _Read:
    """What reading and checking a folder gives: the raw tables and every problem."""

    folder: Path
    tables: dict[str, pd.DataFrame]
    files: dict[str, str]
    meta: dict[str, Any]
    codebook: Codebook
    survey_design: SurveyDesign | None
    problems: list[Problem]
    positions: dict[str, np.ndarray] = field(default_factory=dict)
    factorized: Collector | None = None


def _read(folder: Path) -> _Read:
    """Read every file of a dataset folder and run every check, in one pass."""
    out = Collector()
    if not folder.is_dir():
        out.add(
            Problem(
                file=str(folder),
                expected="a dataset folder holding cases.csv, participants.csv, segments.csv "
                "and codings.csv, or survey.csv, or both",
                kind="missing_file",
            )
        )
        return _Read(folder, {}, {}, {}, get_codebook(), None, out.problems)
    meta = read_meta(folder, out.problems)
    found = read_tables(folder)
    out.problems.extend(found.problems)
    out.lines.update(found.lines)
    tables, files = found.tables, found.files
    cb = get_codebook()
    if "codebook_extension" in tables:
        cb = extend_codebook(cb, tables["codebook_extension"], files["codebook_extension"], out)
    if "code_map" in tables:
        apply_code_map(tables, files["code_map"], cb, out)
    check_tables(tables, files, cb, out)
    cross_checks(tables, files, out)
    design = check_survey_files(folder, tables, files, out)
    problems = _in_file_order(out.problems)
    return _Read(folder, tables, files, meta, cb, design, problems, out.positions, out)


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """The problems by table (in the contract's order), then file, then row."""
    order = {name: i for i, name in enumerate(TABLES)}
    return sorted(
        problems,
        key=lambda p: (order.get(Path(p.file).stem, len(order)), p.file, p.row or 1 << 62),
    )


def _typed(
    frame: pd.DataFrame, rule: TableRule, cb: Codebook, checked: Collector | None = None
) -> pd.DataFrame:
    """Ids as strings and codebook-valued columns as categoricals in codebook order.

    ``checked`` is the collector of the checks, whose factorized code columns give the
    categoricals' codes without reading the codes as text again.
    """
    factorize = checked.factorize if checked is not None else pd.factorize
    codes_of = {
        c.name: factorize(frame[c.name])
        for c in rule.columns
        if c.kind == "codebook" and c.name in frame.columns
    }
    frame = frame.copy(deep=False)  # copy-on-write: the columns set below are new
    for col in rule.columns:
        if col.name not in frame.columns:
            continue
        if col.kind == "id" or (col.kind == "text" and col.name.endswith("_id")):
            frame[col.name] = frame[col.name].astype("string")
        elif col.kind == "codebook":
            ids = cb.ids(col.dimension) if col.dimension else cb.ids()
            codes, used = codes_of[col.name]
            extra = [u for u in col.extra if u in set(used)]
            categories = pd.Index([*ids, *extra])
            # each distinct value's place among the categories (-1: none), then each cell's
            place = np.append(categories.get_indexer(pd.Index(used, dtype=object)), -1)
            frame[col.name] = pd.Categorical.from_codes(place[codes], categories=categories)
    known = {c.name for c in rule.columns}
    for name in frame.columns:  # other columns: numbers where every value is one
        if name in known or pd.api.types.is_numeric_dtype(frame[name]):
            continue
        given = frame[name].dropna()
        head = given.iloc[:64]  # a text column usually shows it in its first cells
        if pd.to_numeric(head, errors="coerce").notna().sum() < len(head):
            continue
        as_num = pd.to_numeric(frame[name], errors="coerce")
        if as_num.notna().sum() == len(given):
            frame[name] = as_num
    return frame


@dataclass
class _Entry:
    """What the cache keeps for a folder: its problems, and its raw tables until they are
    typed into the :class:`Dataset` (then only the dataset)."""

    problems: list[Problem]
    read: _Read | None
    codebook: Codebook
    dataset: Dataset | None = None


#: The last folders read (see :mod:`.cache`).
_CACHE = FolderCache(folder_file_names())


def clear_cache() -> None:
    """Forget every folder read so far: the next :func:`load` or :func:`validate` reads anew."""
    _CACHE.clear()


def _entry(folder: Path, cache: bool) -> _Entry:
    """The folder's problems and tables: remembered when it is unchanged, else read."""
    base = get_codebook()
    if cache:
        found = _CACHE.get(folder)
        if isinstance(found, _Entry) and found.codebook is base:
            return found
    stamp = _CACHE.stamp(folder) if cache else None
    read = _read(folder)
    # a folder with problems is never typed into a dataset: its tables need not be kept
    entry = _Entry(read.problems, None if read.problems else read, base)
    if stamp is not None and folder.is_dir():
        _CACHE.put(folder, stamp, entry)
    return entry


def validate(path: str | Path | None = None, *, cache: bool = True) -> list[Problem]:
    """Check a dataset folder against the data contract and the codebook.

    Parameters
    ----------
    path : str or Path, optional
        The dataset folder, or the name of a folder under ``data/``; ``None`` checks the
        shipped synthetic demo.
    cache : bool
        Use what an earlier call found when no file of the folder changed since (a
        :func:`load` after this call then reads nothing); ``False`` reads every file again.

    Returns
    -------
    list of Problem
        Every problem found, in file order (empty when the dataset is valid). Each names the
        file, the row as a spreadsheet shows it, the column, the bad value and what was expected.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cp.validate()
    []
    """
    return check_folder(resolve_dataset(path), cache=cache)


def check_folder(folder: Path, *, cache: bool = True) -> list[Problem]:
    """:func:`validate` for a folder already resolved (the command line and the runner)."""
    return list(_entry(Path(folder), cache).problems)


def load(path: str | Path | None = None, *, cache: bool = True) -> Dataset:
    """Load a dataset folder (the synthetic demo when ``path`` is None) after validating it.

    Parameters
    ----------
    path : str or Path, optional
        The dataset folder, or the name of a folder under ``data/``.
    cache : bool
        Reuse what an earlier :func:`load` or :func:`validate` read when no file of the
        folder changed since; ``False`` reads and checks every file again.

    Returns
    -------
    Dataset
        A dataset of its own: changing its frames or ``meta`` leaves what later calls
        return as it is.

    Raises
    ------
    DataError
        Listing every problem :func:`validate` finds; nothing is loaded half-way.

    Examples
    --------
    >>> import coprodlib as cp
    >>> ds = cp.load()
    >>> ds.synthetic, len(ds.cases)
    (True, 6)
    """
    return load_folder(resolve_dataset(path), cache=cache)


def load_folder(folder: Path, *, cache: bool = True) -> Dataset:
    """:func:`load` for a folder already resolved (the command line and the runner)."""
    entry = _entry(Path(folder), cache)
    if entry.problems:
        raise DataError(entry.problems)
    if entry.dataset is None:
        assert entry.read is not None
        entry.dataset = _assemble(entry.read)
        entry.read = None  # the typed tables replace the raw ones
    return _handout(entry.dataset)


def _assemble(read: _Read) -> Dataset:
    """The :class:`Dataset` of a folder read without problems."""
    tables = dict(read.tables)
    for name, rule in TABLES.items():
        if rule.required and name not in tables:  # a survey-only dataset
            tables[name] = pd.DataFrame({c.name: pd.Series(dtype=object) for c in rule.columns})
    typed = {
        name: _typed(frame, TABLES[name], read.codebook, read.factorized)
        for name, frame in tables.items()
    }
    if "codings" in read.positions:  # found by the check of the codings' segment ids
        _LINKS.remember(typed["codings"], typed["segments"], read.positions["codings"])
    return Dataset(
        name=read.folder.name,
        path=read.folder,
        cases=typed["cases"],
        participants=typed["participants"],
        segments=typed["segments"],
        codings=typed["codings"],
        codebook=read.codebook,
        documents=typed.get("documents"),
        survey=typed.get("survey"),
        survey_design=read.survey_design,
        double_coding=typed.get("double_coding"),
        code_map=typed.get("code_map"),
        meta=read.meta,
    )


def _handout(dataset: Dataset) -> Dataset:
    """A copy of a remembered dataset for one caller.

    The frames are shallow copies: with pandas' copy-on-write a change to one (a new column,
    a value set, a row dropped in place) copies the data it touches, and leaves the
    remembered frame alone. ``meta`` and the survey design are small and copied whole; the
    codebook is immutable and shared.
    """
    frames = {name: frame.copy(deep=False) for name, frame in dataset.tables().items()}
    return replace(
        dataset,
        **frames,
        meta=copy.deepcopy(dataset.meta),
        survey_design=copy.deepcopy(dataset.survey_design),
    )


class _SegmentLinks:
    """The row in ``segments`` of each coding's segment, for the last few datasets.

    An entry holds the two id columns it was found for (their cells, as object arrays); it
    serves any pair of columns holding the very same cells, which a copy of a loaded
    dataset does (its frames share their cells), and is checked cell by cell (identical
    objects compare at once) before it is used.
    """

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    @staticmethod
    def _cells(frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(frame["segment_id"].to_numpy(dtype=object))

    def remember(self, codings: pd.DataFrame, segments: pd.DataFrame, rows: np.ndarray) -> None:
        entry = (self._cells(codings), self._cells(segments), np.asarray(rows, dtype=np.int64))
        entry[2].setflags(write=False)
        self._entries = [entry, *self._entries][: self.size]

    def find(self, codings: pd.DataFrame, segments: pd.DataFrame) -> np.ndarray | None:
        cod, seg = self._cells(codings), self._cells(segments)
        for known_cod, known_seg, rows in self._entries:
            if _same_cells(known_cod, cod) and _same_cells(known_seg, seg):
                return rows
        return None


def _same_cells(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two object arrays hold equal cells (missing values count as different)."""
    if a is b:
        return True
    if a.shape != b.shape:
        return False
    try:
        return bool(np.all(a == b))
    except (TypeError, ValueError):  # pd.NA has no truth value
        return False


_LINKS = _SegmentLinks()


def coding_segments(dataset: Dataset) -> np.ndarray:
    """The row of ``dataset.segments`` that holds each coding's segment (-1 where none).

    Loading finds these rows while it checks that every coding names a known segment; they
    are kept for the tables loaded, so that the analyses count by segment without looking
    a million segment ids up again. For other tables (a dataset filtered or built by hand)
    they are found here and kept in the same way.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`load`.

    Returns
    -------
    numpy.ndarray
        One read-only int64 per row of ``dataset.codings``; where a segment id occurs more
        than once in ``segments``, its first row.

    Examples
    --------
    >>> import coprodlib as cp
    >>> from coprodlib.contract.dataset import coding_segments
    >>> ds = cp.load()
    >>> rows = coding_segments(ds)
    >>> bool((ds.segments["segment_id"].to_numpy()[rows] == ds.codings["segment_id"]).all())
    True
    """
    codings, segments = dataset.codings, dataset.segments
    found = _LINKS.find(codings, segments)
    if found is not None:
        return found
    ids = pd.Index(segments["segment_id"].to_numpy(dtype=object))
    if ids.is_unique:
        rows = ids.get_indexer(codings["segment_id"].to_numpy(dtype=object))
    else:
        first = pd.Series(np.arange(len(ids)), index=ids)
        first = first[~ids.duplicated(keep="first")]
        rows = first.reindex(codings["segment_id"].to_numpy(dtype=object)).fillna(-1).to_numpy()
    _LINKS.remember(codings, segments, rows)
    return _LINKS.find(codings, segments)  # the kept, read-only array


def check_case_ids(wanted: Sequence[str], known: Sequence[str], *, argument: str = "") -> None:
    """Refuse case ids the dataset does not have, naming them and the cases it has.

    ``argument`` names the option the ids came from (``"cases="``), for the message.

    Raises
    ------
    DataError
        ``cases.csv``, column ``case_id``, with the unknown id(s) as the value.
    """
    unknown = [c for c in wanted if c not in set(known)]
    if unknown:
        where = f"{argument} to name " if argument else "one of "
        raise DataError(
            Problem(
                file="cases.csv",
                column="case_id",
                value=unknown[0] if len(unknown) == 1 else unknown,
                expected=f"{where}the dataset's cases: {', '.join(known)}",
                kind="unknown_case",
            )
        )


def select_cases(dataset: Dataset, case_ids: str | Sequence[str] | Iterable[str]) -> Dataset:
    """A dataset restricted to some cases (all per-case tables filtered; survey kept whole).

    Raises
    ------
    DataError
        When a case id is not in the dataset (the message lists the cases it has).
    """
    wanted = [case_ids] if isinstance(case_ids, str) else list(case_ids)
    check_case_ids(wanted, dataset.case_ids)
    keep = set(wanted)
    segs = dataset.segments[dataset.segments["case_id"].isin(keep)]
    seg_ids = segs["segment_id"]
    docs = dataset.documents
    dc = dataset.double_coding
    return replace(
        dataset,
        cases=dataset.cases[dataset.cases["case_id"].isin(keep)],
        participants=dataset.participants[dataset.participants["case_id"].isin(keep)],
        segments=segs,
        codings=dataset.codings[dataset.codings["segment_id"].isin(seg_ids)],
        documents=None if docs is None else docs[docs["case_id"].isin(keep)],
        double_coding=None if dc is None else dc[dc["segment_id"].isin(seg_ids)],
    )
