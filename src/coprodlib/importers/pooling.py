"""Pooling: several teams' datasets written as one, on the shared codebook (``coprod pool``).

Each input is loaded and checked as a dataset of its own first, so its ``code_map`` and
``codebook_extension`` are applied and its codings carry codebook ids (or its own local ids).
The pooled dataset then holds:

- every id (cases, participants, documents, segments, respondents) prefixed by the study's
  id and an underscore (``demo2_nl_youth_care``), so ids of two teams cannot collide; a
  study id holds no underscore, so the prefix is everything before the first one;
- a ``study`` column on cases (and on the survey when several studies bring one); a
  ``study`` column a dataset already had moves to ``source_study``;
- the local codes of every study's ``codebook_extension`` in one extension. Two studies that
  define the same local id alike (same label, dimension and parent) share it; defined
  differently, each study's code is renamed ``<study>_<id>`` and a conflict is reported;
- ``dataset.yml`` listing the studies, whether each is synthetic (the pool is synthetic when
  any of them is), and the conflicts found; a README says the same in prose.

What is reported (:class:`PoolNote`, and in the README):

- ``code_mapped_two_ways``: the same local code name lands on different codes in two
  studies (each study's own mapping is kept: harmonise the code maps if they mean the same);
- ``local_code_renamed``: the same local id defined differently by two studies;
- ``same_case``: a case that two studies both hold (same id with the same title, or the same
  title and country); both are kept, under their prefixed ids, and may count twice;
- ``same_id``: the same id in two studies for different cases, kept apart by the prefixes.

Refused with a :class:`~coprodlib.errors.DataError` (nothing is written): fewer than two
datasets, the same dataset twice, a study id that is not a lower-case word without
underscores, a code map that maps one local code two ways, surveys on different scales,
studies that differ in ``derive_tensions``, and a dataset that does not load. The pooled
folder is staged and checked with the contract before it replaces ``--to``; an existing
``--to`` is only replaced when an earlier pool wrote it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .._io import write_csv, write_text_atomic
from ..contract.dataset import Dataset, check_folder, load_folder
from ..contract.reading import read_table
from ..contract.rules import ID_COLUMNS
from ..errors import DataError, Problem
from ..paths import resolve_dataset
from .staging import staged_target, write_meta

__all__ = ["PoolNote", "PoolResult", "STUDY_ID", "pool_datasets"]

#: A study id: lower-case letters and digits, and hyphens inside; no underscore, so that a
#: pooled id's prefix ends at its first underscore.
STUDY_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?")

#: The tables a pool writes, in the contract's order.
_TABLES = tuple(ID_COLUMNS)
#: Files an earlier pool in ``--to`` may hold that this one may not write again.
_WRITTEN = (*[f"{t}.csv" for t in _TABLES], "codebook_extension.csv", "scales.yml", "README.md")


@dataclass(frozen=True)
class PoolNote:
    """One thing the pool found that the researcher should know: its ``kind`` (see the module
    text), the ``studies`` concerned, and a sentence saying what was done."""

    kind: str
    studies: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class PoolResult:
    """What :func:`pool_datasets` wrote: the folder, one row per study (``study``, ``dataset``,
    ``title``, ``synthetic``, ``n_cases``, ``n_segments``, ``n_codings``, ``n_respondents``)
    and the notes."""

    path: Path
    studies: pd.DataFrame
    notes: tuple[PoolNote, ...]


# --------------------------------------------------------------------------- the inputs


def _study_ids(folders: list[Path], studies: Sequence[str] | None) -> list[str]:
    if studies is not None and len(studies) != len(folders):
        raise DataError(
            Problem(
                file="--study",
                value=len(studies),
                expected=f"one study id per dataset ({len(folders)}), in the same order",
                kind="usage",
            )
        )
    ids = []
    for i, folder in enumerate(folders):
        given = studies[i] if studies is not None else None
        sid = given if given is not None else folder.name.lower().replace("_", "-")
        if not STUDY_ID.fullmatch(sid):
            raise DataError(
                Problem(
                    file=str(folder) if given is None else "--study",
                    value=sid,
                    expected="a study id of lower-case letters, digits and inner hyphens, at "
                    "most 24 characters and no underscore (give one with --study)",
                    kind="invalid",
                )
            )
        ids.append(sid)
    seen: dict[str, int] = {}
    for i, sid in enumerate(ids):
        if sid in seen:
            raise DataError(
                Problem(
                    file=str(folders[i]),
                    value=sid,
                    expected=f"a study id of its own ({folders[seen[sid]]} has the same one; "
                    "give each dataset one with --study)",
                    kind="duplicate",
                )
            )
        seen[sid] = i
    return ids


def _fingerprint(ds: Dataset) -> str:
    """A digest of a dataset's qualitative content, to find the same data given twice."""
    h = hashlib.sha256()
    for name in ("cases", "segments", "codings", "survey"):
        frame = getattr(ds, name)
        if frame is not None:
            h.update(name.encode())
            h.update(frame.to_csv(index=False).encode())
    return h.hexdigest()


def _load_all(folders: list[Path]) -> list[Dataset]:
    loaded: list[Dataset] = []
    prints: dict[str, Path] = {}
    for folder in folders:
        try:
            ds = load_folder(folder)
        except DataError as err:
            named = [  # each file as <dataset>/<file>; a problem of the folder names it whole
                p
                if Path(p.file).is_absolute()
                else dataclasses.replace(p, file=f"{folder.name}/{p.file}")
                for p in err.problems
            ]
            raise DataError(named) from None
        fp = _fingerprint(ds)
        if fp in prints:
            raise DataError(
                Problem(
                    file=str(folder),
                    expected=f"a dataset other than {prints[fp]} (they hold the same cases, "
                    "segments and codings: the same study would count twice)",
                    kind="duplicate",
                )
            )
        prints[fp] = folder
        loaded.append(ds)
    return loaded


def _table_file(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".xlsx", ".tsv"):
        if (folder / f"{name}{suffix}").is_file():
            return folder / f"{name}{suffix}"
    return None


# --------------------------------------------------------------------------- the codes


def _code_names(ds: Dataset, ext: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    """Local code name (case-folded) -> where it lands in this study (a codebook id, or
    ``local:<id>`` for a code of its extension ``ext``) and the name as the study spells it.
    Refuses a map that sends a name two ways."""
    names: dict[str, tuple[str, str]] = {}
    path = _table_file(ds.path, "code_map")
    if ds.code_map is not None and path is not None:
        rows = ds.code_map.dropna(subset=["code"]).copy()
        rows["key"] = rows["project_code"].astype(str).str.strip().str.casefold()
        rows["code"] = rows["code"].astype(str)
        ways = rows.groupby("key")["code"].nunique()
        for key in ways[ways > 1].index:
            hit = rows[rows["key"] == key]
            lines = ", ".join(str(i + 2) for i in hit.index)
            raise DataError(
                Problem(
                    file=f"{ds.path.name}/{path.name}",
                    column="code",
                    value=str(hit["project_code"].iloc[0]),
                    expected=f"one codebook id per local code (rows {lines} map it to "
                    f"{' and '.join(sorted(set(hit['code'])))}: keep one row)",
                    kind="code_mapped_two_ways",
                )
            )
        spelled = rows["project_code"].astype(str).str.strip()
        names.update(
            {k: (c, n) for k, c, n in zip(rows["key"], rows["code"], spelled, strict=True)}
        )
    if ext is not None:
        for _, row in ext.iterrows():
            label = str(row["label"]).strip()
            names.setdefault(label.casefold(), (f"local:{row['id']}", label))
    return names


def _extension(ds: Dataset) -> pd.DataFrame | None:
    path = _table_file(ds.path, "codebook_extension")
    return None if path is None else read_table(path)


def _code_notes(names: dict[str, dict[str, tuple[str, str]]]) -> list[PoolNote]:
    notes = []
    keys = sorted({k for per in names.values() for k in per})
    for key in keys:
        found = {s: per[key] for s, per in names.items() if key in per}
        targets = {s: target for s, (target, _) in found.items()}
        if len(set(targets.values())) > 1:
            first = next(iter(found.values()))[1]
            said = "; ".join(  # each study's own spelling where it differs from the first
                f"{s}{'' if n == first else f' ({n!r})'}: {t.replace('local:', 'its local code ')}"
                for s, (t, n) in found.items()
            )
            notes.append(
                PoolNote(
                    "code_mapped_two_ways",
                    tuple(targets),
                    f"The local code {first!r} lands on different codes ({said}). Each study's "
                    "own mapping was kept; if the code means the same, give it one code in "
                    "the studies' code_map.csv and pool again.",
                )
            )
    return notes


def _pooled_extension(
    extensions: dict[str, pd.DataFrame], notes: list[PoolNote]
) -> tuple[pd.DataFrame | None, dict[str, dict[str, str]]]:
    """One extension for the pool, and per study the local ids it renames."""
    if not extensions:
        return None, {}
    columns: list[str] = []
    for ext in extensions.values():
        columns += [c for c in ext.columns if c not in columns]
    key_cols = [c for c in ("label", "dimension", "parent") if c in columns]
    rows: list[pd.DataFrame] = []
    renames: dict[str, dict[str, str]] = {}
    stacked = pd.concat(
        [ext.reindex(columns=columns).assign(_study=s) for s, ext in extensions.items()],
        ignore_index=True,
    )
    for local_id, group in stacked.groupby("id", sort=True):
        alike = group[key_cols].fillna("").drop_duplicates()
        if len(alike) == 1:
            rows.append(group.iloc[[0]])
            continue
        studies = tuple(group["_study"])
        for _, row in group.iterrows():
            new = f"{row['_study']}_{local_id}"
            renames.setdefault(row["_study"], {})[str(local_id)] = new
            rows.append(pd.DataFrame([{**row.to_dict(), "id": new}]))
        notes.append(
            PoolNote(
                "local_code_renamed",
                studies,
                f"The local code {local_id!r} is defined differently by "
                f"{', '.join(studies)}; each study's code was renamed <study>_{local_id}.",
            )
        )
    out = pd.concat(rows, ignore_index=True).drop(columns="_study")
    if "parent" in out.columns:  # a parent that is itself a renamed local code
        for study, ren in renames.items():
            mine = out["id"].str.startswith(f"{study}_")
            out.loc[mine, "parent"] = out.loc[mine, "parent"].replace(ren)
    return out, renames


# --------------------------------------------------------------------------- the tables


def _prefixed(frame: pd.DataFrame, columns: Sequence[str], study: str) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            values = out[col].astype("string")
            out[col] = (study + "_" + values).where(values.notna(), pd.NA)
    return out


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as text and whole-number floats as integers, for writing."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s.astype("string")
        elif pd.api.types.is_float_dtype(s) and s.dropna().mod(1).eq(0).all():
            out[col] = s.astype("Int64")
    return out


def _case_notes(cases: dict[str, pd.DataFrame]) -> list[PoolNote]:
    notes = []
    stacked = pd.concat([c.assign(_study=s) for s, c in cases.items()], ignore_index=True).astype(
        {"case_id": "string"}
    )
    stacked["_title"] = stacked["title"].astype("string").str.strip().str.casefold()
    stacked["_country"] = stacked.get("country", pd.Series("", index=stacked.index)).astype(
        "string"
    )
    for case_id, group in stacked.groupby("case_id", sort=True):
        if group["_study"].nunique() < 2:
            continue
        same = group["_title"].nunique() == 1
        kind = "same_case" if same else "same_id"
        studies = tuple(group["_study"])
        if same:
            text = (
                f"The case {case_id!r} is in {' and '.join(studies)} with the same title; both "
                "are kept under their prefixed ids and count as two cases in cross-case "
                "analyses: drop one from a dataset if it is the same case."
            )
        else:
            text = (
                f"The id {case_id!r} names different cases in {' and '.join(studies)}; the "
                "study prefixes keep them apart."
            )
        notes.append(PoolNote(kind, studies, text))
    by_title = stacked.drop_duplicates(["_study", "case_id"]).groupby(["_title", "_country"])
    for (title, _country), group in by_title:
        if group["_study"].nunique() > 1 and group["case_id"].nunique() > 1:
            studies = tuple(group["_study"])
            ids = ", ".join(
                f"{s}_{c}" for s, c in zip(group["_study"], group["case_id"], strict=True)
            )
            notes.append(
                PoolNote(
                    "same_case",
                    studies,
                    f"The cases {ids} have the same title and country ({title!r}); both are "
                    "kept and count as two cases: drop one if it is the same case.",
                )
            )
    return notes


def _study_tables(ds: Dataset, study: str, renames: dict[str, str]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for name, columns in ID_COLUMNS.items():
        frame = getattr(ds, name)
        if frame is None or (name != "survey" and not len(ds.cases)):
            continue
        frame = _prefixed(_plain(frame), columns, study)
        if name in ("codings", "double_coding") and renames:
            frame["code"] = frame["code"].replace(renames)
        if name == "cases":
            if "study" in frame.columns:
                frame = frame.rename(columns={"study": "source_study"})
            frame.insert(1, "study", study)
        out[name] = frame
    return out


def _pool_survey(loaded: list[Dataset], ids: list[str], tables: dict[str, list]) -> Path | None:
    """The scales.yml the pooled survey keeps; refuses surveys on different scales."""
    with_survey = [(ds, s) for ds, s in zip(loaded, ids, strict=True) if ds.survey is not None]
    if not with_survey:
        return None
    first = with_survey[0][0]
    for ds, _ in with_survey[1:]:
        if ds.survey_design != first.survey_design:
            raise DataError(
                Problem(
                    file=f"{ds.path.name}/scales.yml",
                    expected=f"the same scales as {first.path.name}/scales.yml to pool the "
                    "surveys (items, reversed items and ranges differ)",
                    kind="survey_scales_differ",
                )
            )
    if len(with_survey) > 1:
        studies = [s for _, s in with_survey]
        tables["survey"] = [
            f.assign(study=s) for f, s in zip(tables["survey"], studies, strict=True)
        ]
    scales = first.path / "scales.yml"
    return scales if scales.is_file() else None


# --------------------------------------------------------------------------- the door


def pool_datasets(
    datasets: Sequence[str | Path],
    *,
    to: str | Path,
    studies: Sequence[str] | None = None,
    title: str | None = None,
) -> PoolResult:
    """Pool several datasets into one, on the shared codebook.

    Parameters
    ----------
    datasets : sequence of str or Path
        Two or more dataset folders (or names under ``data/``), each loading without
        problems on its own.
    to : str or Path
        The folder to write; new, empty, or written by an earlier pool.
    studies : sequence of str, optional
        A study id per dataset (default: each folder's name, lower-cased, ``_`` as ``-``).
    title : str, optional
        The pooled dataset's title (default: "Pooled: " and the studies' titles).

    Returns
    -------
    PoolResult
        The folder written, one row per study and the notes (also in its README).

    Raises
    ------
    DataError
        For the refusals listed in the module text, and when the pooled folder does not pass
        the data contract's checks; nothing is written then.

    Examples
    --------
    >>> import tempfile, coprodlib as cp
    >>> from coprodlib.importers.pooling import pool_datasets
    >>> out = pool_datasets(["demo", "demo2"], to=tempfile.mkdtemp() + "/pooled")
    >>> sorted(cp.load(out.path).cases["study"].unique())
    ['demo', 'demo2']
    """
    folders = [resolve_dataset(d) for d in datasets]
    if len(folders) < 2:
        raise DataError(
            Problem(file="datasets", value=len(folders), expected="two or more datasets to pool")
        )
    for i, folder in enumerate(folders):
        if folder.resolve() in [f.resolve() for f in folders[:i]]:
            raise DataError(
                Problem(file=str(folder), expected="each dataset once", kind="duplicate")
            )
    target = Path(to).expanduser().resolve()
    for folder in folders:
        if target == folder.resolve() or folder.resolve() in target.parents:
            raise DataError(
                Problem(
                    file="--to",
                    value=str(to),
                    expected=f"a folder outside the datasets pooled ({folder} is one of them; "
                    "a pool is written beside its studies, e.g. data/<name>)",
                    kind="target_inside_source",
                )
            )
    ids = _study_ids(folders, studies)
    loaded = _load_all(folders)
    read = {s: _extension(ds) for ds, s in zip(loaded, ids, strict=True)}
    names = {s: _code_names(ds, read[s]) for ds, s in zip(loaded, ids, strict=True)}
    notes = _code_notes(names)
    extensions = {s: ext for s, ext in read.items() if ext is not None}
    extension, renames = _pooled_extension(extensions, notes)
    per_study = [
        _study_tables(ds, s, renames.get(s, {})) for ds, s in zip(loaded, ids, strict=True)
    ]
    notes += _case_notes({s: ds.cases for ds, s in zip(loaded, ids, strict=True) if len(ds.cases)})
    tables: dict[str, list[pd.DataFrame]] = {}
    for one in per_study:
        for name, frame in one.items():
            tables.setdefault(name, []).append(frame)
    scales = _pool_survey(loaded, ids, tables)
    summary = _summary(loaded, ids)
    meta = _meta(loaded, ids, summary, notes, title, Path(to).name)
    with staged_target(to, kind="pool") as stage:
        for name in _WRITTEN:
            (stage.folder / name).unlink(missing_ok=True)
        for name in _TABLES:
            if name in tables:
                write_csv(pd.concat(tables[name], ignore_index=True), stage.folder / f"{name}.csv")
        if extension is not None:
            write_csv(extension, stage.folder / "codebook_extension.csv")
        if scales is not None:
            shutil.copyfile(scales, stage.folder / "scales.yml")
        write_meta(stage.folder, meta)
        write_text_atomic(stage.folder / "README.md", _readme(meta, summary, notes))
        problems = check_folder(stage.folder, cache=False)
        if problems:
            raise _pool_problems(problems, Path(to).name)
        final = stage.target
    return PoolResult(path=final, studies=summary, notes=tuple(notes))


def _derive_tensions(loaded: list[Dataset]) -> bool | None:
    """The pool's ``derive_tensions``: the studies' common setting (``None`` for the default,
    on); refuses studies that differ, since the same codings would count differently."""
    settings = {ds.path.name: bool(ds.meta.get("derive_tensions", True)) for ds in loaded}
    if len(set(settings.values())) > 1:
        on = ", ".join(n for n, v in settings.items() if v)
        off = ", ".join(n for n, v in settings.items() if not v)
        raise DataError(
            Problem(
                file="dataset.yml",
                column="derive_tensions",
                expected=f"the same setting in every study (on in {on}, off in {off}): set "
                "derive_tensions alike in their dataset.yml, so that tensions count the same "
                "way across the pool",
                kind="derive_tensions_differ",
            )
        )
    return None if all(settings.values()) else False


def _pool_problems(problems: list[Problem], name: str) -> DataError:
    """The contract's problems with the pooled tables, named as the pool's files, with a hint
    when the study prefix made ids too long to name files."""
    named = [dataclasses.replace(p, file=f"{name}/{p.file} (pooled)") for p in problems]
    if any(p.column and p.column.endswith("_id") and "characters" in p.expected for p in problems):
        named.append(
            Problem(
                file="--study",
                expected="shorter study ids (the prefix `<study>_` made ids longer than a file "
                "name may be): give short ones with --study",
                kind="invalid",
            )
        )
    return DataError(named)


def _summary(loaded: list[Dataset], ids: list[str]) -> pd.DataFrame:
    rows = []
    for ds, s in zip(loaded, ids, strict=True):
        rows.append(
            {
                "study": s,
                "dataset": ds.path.name,
                "title": ds.title,
                "synthetic": ds.synthetic,
                "n_cases": len(ds.cases),
                "n_segments": len(ds.segments),
                "n_codings": len(ds.codings),
                "n_respondents": 0 if ds.survey is None else len(ds.survey),
            }
        )
    return pd.DataFrame(rows)


def _meta(
    loaded: list[Dataset],
    ids: list[str],
    summary: pd.DataFrame,
    notes: list[PoolNote],
    title: str | None,
    name: str,
) -> dict[str, Any]:
    synthetic = bool(summary["synthetic"].any())
    default = "Pooled: " + "; ".join(ds.title for ds in loaded)
    meta: dict[str, Any] = {"name": name, "title": title or default, "synthetic": synthetic}
    if _derive_tensions(loaded) is False:
        meta["derive_tensions"] = False
    if synthetic:
        which = ", ".join(summary.loc[summary["synthetic"], "study"])
        meta["description"] = (
            f"Pooled dataset holding SYNTHETIC data ({which}): not real interviews, not findings."
        )
    meta["pooled_from"] = [
        {k: (bool(v) if k == "synthetic" else v) for k, v in row.items() if not k.startswith("n_")}
        for row in summary.to_dict("records")
    ]
    meta["pool_notes"] = [{"kind": n.kind, "studies": list(n.studies)} for n in notes]
    return meta


def _readme(meta: dict[str, Any], summary: pd.DataFrame, notes: list[PoolNote]) -> str:
    lines = [f"# {meta['title']}", ""]
    if meta["synthetic"]:
        lines += [f"**{meta['description']}**", ""]
    lines += [
        "Written by `coprod pool`; do not edit by hand (pool again instead). Every id is",
        "prefixed by its study's id and an underscore; `cases.csv` has a `study` column.",
        "",
        "| study | dataset | title | synthetic | cases | segments | codings | respondents |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in summary.itertuples(index=False):
        lines.append(
            f"| {r.study} | {r.dataset} | {r.title} | {'yes' if r.synthetic else 'no'} | "
            f"{r.n_cases} | {r.n_segments} | {r.n_codings} | {r.n_respondents} |"
        )
    lines += ["", "## What pooling found", ""]
    lines += [f"- {n.message}" for n in notes] or [
        "- No conflicts: no code or case is in two studies."
    ]
    return "\n".join(lines) + "\n"
