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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, Problem
from ..paths import resolve_dataset
from ..taxonomy.codebook import Codebook, get_codebook
from .checks import (
    Collector,
    apply_code_map,
    check_survey_files,
    check_tables,
    cross_checks,
    extend_codebook,
)
from .reading import read_meta, read_tables
from .rules import TABLES, TableRule
from .survey_design import SurveyDesign

__all__ = ["Dataset", "load", "load_folder", "validate", "check_folder", "select_cases"]


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
    return _Read(folder, tables, files, meta, cb, design, _in_file_order(out.problems))


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """The problems by table (in the contract's order), then file, then row."""
    order = {name: i for i, name in enumerate(TABLES)}
    return sorted(
        problems,
        key=lambda p: (order.get(Path(p.file).stem, len(order)), p.file, p.row or 1 << 62),
    )


def _typed(frame: pd.DataFrame, rule: TableRule, cb: Codebook) -> pd.DataFrame:
    """Ids as strings and codebook-valued columns as categoricals in codebook order."""
    frame = frame.copy()
    for col in rule.columns:
        if col.name not in frame.columns:
            continue
        if col.kind == "id" or (col.kind == "text" and col.name.endswith("_id")):
            frame[col.name] = frame[col.name].astype("string")
        elif col.kind == "codebook":
            ids = cb.ids(col.dimension) if col.dimension else cb.ids()
            used = pd.unique(frame[col.name].dropna())
            extra = [u for u in col.extra if u in set(used)]
            frame[col.name] = pd.Categorical(frame[col.name], categories=[*ids, *extra])
    known = {c.name for c in rule.columns}
    for name in frame.columns:  # other columns: numbers where every value is one
        if name in known or pd.api.types.is_numeric_dtype(frame[name]):
            continue
        as_num = pd.to_numeric(frame[name], errors="coerce")
        if as_num.notna().sum() == frame[name].notna().sum():
            frame[name] = as_num
    return frame


def validate(path: str | Path | None = None) -> list[Problem]:
    """Check a dataset folder against the data contract and the codebook.

    Parameters
    ----------
    path : str or Path, optional
        The dataset folder, or the name of a folder under ``data/``; ``None`` checks the
        shipped synthetic demo.

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
    return check_folder(resolve_dataset(path))


def check_folder(folder: Path) -> list[Problem]:
    """:func:`validate` for a folder already resolved (the command line and the runner)."""
    return _read(Path(folder)).problems


def load(path: str | Path | None = None) -> Dataset:
    """Load a dataset folder (the synthetic demo when ``path`` is None) after validating it.

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
    return load_folder(resolve_dataset(path))


def load_folder(folder: Path) -> Dataset:
    """:func:`load` for a folder already resolved (the command line and the runner)."""
    read = _read(Path(folder))
    if read.problems:
        raise DataError(read.problems)
    tables = dict(read.tables)
    for name, rule in TABLES.items():
        if rule.required and name not in tables:  # a survey-only dataset
            tables[name] = pd.DataFrame({c.name: pd.Series(dtype=object) for c in rule.columns})
    typed = {name: _typed(frame, TABLES[name], read.codebook) for name, frame in tables.items()}
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


def select_cases(dataset: Dataset, case_ids: str | Sequence[str] | Iterable[str]) -> Dataset:
    """A dataset restricted to some cases (all per-case tables filtered; survey kept whole).

    Raises
    ------
    DataError
        When a case id is not in the dataset (the message lists the cases it has).
    """
    wanted = [case_ids] if isinstance(case_ids, str) else list(case_ids)
    known = dataset.case_ids
    unknown = [c for c in wanted if c not in set(known)]
    if unknown:
        raise DataError(
            Problem(
                file="cases.csv",
                column="case_id",
                value=unknown[0] if len(unknown) == 1 else unknown,
                expected=f"one of the dataset's cases: {', '.join(known)}",
                kind="unknown_case",
            )
        )
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
