"""A project's codes against the codebook: the code map, final ids, local codes and the
codebook extension.

Every code of an imported project ends up with one id in ``codings.csv``, chosen by
:func:`resolve_codes` in this order: the user's code map (:func:`read_code_map`, the
``--code-map`` option or the ``code_map.csv`` of an earlier import), then the match the
reader found in the codebook, then a match of the code's full path; a code that matches
nothing becomes a dataset-local code (``local_...``, dimension ``local``).

What an import writes about codes is built here as well: :func:`code_map_table` gives the
``code_map.csv`` template listing every project code, and :func:`extension_table` the
``codebook_extension.csv`` holding the local codes and the :data:`PLACEHOLDERS` that stand
in for what a project does not record.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, fail
from ..taxonomy import qdc
from ..taxonomy.codebook import Codebook, get_codebook
from ..taxonomy.records import normalize_name
from .project import raise_all

__all__ = [
    "PLACEHOLDERS",
    "PLACEHOLDER_NOTE",
    "code_map_table",
    "extension_table",
    "read_code_map",
    "resolve_codes",
    "slug",
]

#: Codebook entries written to codebook_extension.csv for what a project does not record.
PLACEHOLDERS = {
    "phase": ("unknown_phase", "Phase not recorded"),
    "level": ("unknown_level", "Level not recorded"),
    "mode": ("unknown_mode", "Mode not recorded"),
    "role": ("unknown_role", "Role not recorded"),
}
#: The definition written for each placeholder in codebook_extension.csv.
PLACEHOLDER_NOTE = (
    "Placeholder written by coprod import because the project does not record it; "
    "replace it in cases.csv or documents.csv."
)
_EXTENSION_COLUMNS = ["id", "label", "dimension", "parent", "definition"]


def slug(text: str) -> str:
    """Turn a name into a lower-case ASCII identifier.

    Accents are dropped and every run of other characters becomes one underscore.

    Parameters
    ----------
    text : str
        A code path, project name or file name.

    Returns
    -------
    str
        Letters, digits and underscores only; empty when nothing of ``text`` is left.

    Examples
    --------
    >>> slug("Bürger / Beteiligung")
    'burger_beteiligung'
    """
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


# --------------------------------------------------------------------------- reading a code map


def read_code_map(path: Path | str, cb: Codebook | None = None) -> pd.DataFrame:
    """Read a code map: which codebook id each code of a project gets.

    Parameters
    ----------
    path : Path
        A CSV or XLSX table with the columns ``project_code`` (the project's code path or
        name) and ``code`` (a codebook id, label or alias; empty leaves the project code
        unmapped; other columns are ignored), or a REFI-QDA codebook (``.qdc``, ``.qdpx``
        or project folder) whose codes are matched as ``coprod codebook import`` matches
        them.
    cb : Codebook, optional
        The codebook the codes must be in (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        The columns ``project_code`` and ``code``, the codes given as ids (``None`` where
        a project code is left unmapped).

    Raises
    ------
    DataError
        For a missing or unreadable file, missing columns, rows without a project code,
        and codes that are not in the codebook (with suggestions).
    """
    from ..contract.reading import read_table

    cb = get_codebook() if cb is None else cb
    path = Path(path)
    if not path.exists():
        raise fail(str(path), "an existing code map file (no such file)", "missing")
    if path.is_dir() or path.suffix.lower() in (".qdc", ".qdpx", ".qde"):
        codes = qdc.import_codebook(path, cb=cb).codes
        frame = pd.DataFrame(
            {"project_code": codes["path"].astype(object), "code": codes["matched_id"]}
        )
        return frame.astype(object).where(frame.notna(), None)
    table = read_table(path)
    missing = [c for c in ("project_code", "code") if c not in table.columns]
    if missing:
        raise fail(
            path.name,
            f"the columns project_code and code (missing: {', '.join(missing)})",
            "missing_column",
        )
    resolved = _resolve_map_rows(table, path.name, cb)
    frame = pd.DataFrame({"project_code": table["project_code"].astype(object), "code": resolved})
    frame = frame[frame["project_code"].notna()]
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


def _resolve_map_rows(table: pd.DataFrame, file: str, cb: Codebook) -> list[str | None]:
    """The codebook id of each row of a code map table; raises for rows that do not resolve."""
    problems = []
    resolved: list[str | None] = []
    for row, (name, code) in enumerate(zip(table["project_code"], table["code"], strict=True)):
        if pd.isna(name) or not str(name).strip():
            resolved.append(None)
            if not pd.isna(code):
                problems.append(
                    Problem(file=file, row=row + 2, column="project_code",
                            expected="the project's code name for this row", kind="missing")
                )  # fmt: skip
            continue
        if pd.isna(code) or not str(code).strip():
            resolved.append(None)
            continue
        cid = str(code).strip() if str(code).strip() in cb else cb.resolve(code)
        if cid is None:
            hint = cb.suggest(code)
            problems.append(
                Problem(
                    file=file,
                    row=row + 2,
                    column="code",
                    value=code,
                    expected="a codebook id, label or alias"
                    + (f" (did you mean {', '.join(repr(h) for h in hint)}?)" if hint else ""),
                    kind="unknown_code",
                )
            )
        resolved.append(cid)
    raise_all(problems)
    return resolved


# --------------------------------------------------------------------------- final ids


def resolve_codes(
    codes: pd.DataFrame,
    code_map: pd.DataFrame | None,
    cb: Codebook,
) -> tuple[pd.DataFrame, list[str]]:
    """Give every code of a project its final id.

    A code takes the id the code map gives it, else the codebook match the reader found,
    else a match of its full path, else a new local id (``local_`` and the path as a
    slug, made unique against the codebook, the placeholders and each other).

    Parameters
    ----------
    codes : pandas.DataFrame
        The project's codes (:attr:`~coprodlib.importers.project.QdaProject.codes`).
    code_map : pandas.DataFrame or None
        A map as :func:`read_code_map` returns it; its rows name a code by full path or
        by a name only one code of the project has.
    cb : Codebook
        The codebook matched against.

    Returns
    -------
    codes : pandas.DataFrame
        A copy of ``codes`` with the columns ``final_id``, ``matched_by`` (how the
        codebook id was found; ``"map"`` when the map chose another id than the match,
        ``None`` for local codes), ``local_id`` and ``local_label`` (the local code's
        label: its full path, made unique).
    warnings : list of str
        A warning when rows of the map name no code of the project.
    """
    codes = codes.copy()
    mapped, warnings = _mapped_codes(codes, code_map)
    taken = set(cb.name_keys)
    for pid, label in PLACEHOLDERS.values():
        taken |= {normalize_name(pid), normalize_name(label)}
    final, how, local = _final_ids(codes, mapped, cb, taken)

    def column(values: list[Any]) -> pd.Series:  # object dtype keeps None as None
        return pd.Series(values, dtype=object, index=codes.index)

    codes["final_id"] = column(final)
    codes["matched_by"] = column(how)
    codes["local_id"] = column(local)
    codes["local_label"] = column(_local_labels(codes, taken))
    return codes, warnings


def _mapped_codes(
    codes: pd.DataFrame, code_map: pd.DataFrame | None
) -> tuple[dict[int, str], list[str]]:
    """The id the code map gives each code (by position), and a warning for unused rows."""
    warnings: list[str] = []
    mapped: dict[int, str] = {}
    if code_map is None or not len(code_map):
        return mapped, warnings
    by_path = {p: k for k, p in enumerate(codes["path"])}
    leaves: dict[str, list[int]] = {}
    for k, n in enumerate(codes["name"]):
        leaves.setdefault(n, []).append(k)
    unmatched = 0
    for name, code in zip(code_map["project_code"], code_map["code"], strict=True):
        name = str(name).strip()
        if name in by_path:
            k = by_path[name]
        elif len(leaves.get(name, [])) == 1:
            k = leaves[name][0]
        else:
            unmatched += 1
            continue
        if code is not None:
            mapped[k] = code
    if unmatched:
        warnings.append(
            f"{unmatched} code map row(s) name no code of this project (full path or "
            "unique name); they were ignored"
        )
    return mapped, warnings


def _final_ids(
    codes: pd.DataFrame, mapped: dict[int, str], cb: Codebook, taken: set[str]
) -> tuple[list[Any], list[Any], list[Any]]:
    """Final id, how it was matched and local id of each code; new local ids join ``taken``."""
    final, how, local = [], [], []
    used_ids: set[str] = set()
    counters: dict[str, int] = {}
    paths = codes["path"].tolist()
    unmatched = [k for k, m in enumerate(codes["matched_id"]) if m is None]
    by_path = cb.match([paths[k] for k in unmatched])["matched_id"].tolist()  # one pass
    path_hit = dict(zip(unmatched, by_path, strict=True))
    for k, row in enumerate(codes.itertuples(index=False)):
        auto, auto_by = row.matched_id, row.matched_by
        if auto is None:
            auto = path_hit[k]
            auto_by = "path" if pd.notna(auto) else None
            auto = auto if pd.notna(auto) else None
        if k in mapped:
            final.append(mapped[k])
            how.append(auto_by if mapped[k] == auto else "map")
            local.append(None)
            continue
        if auto is not None:
            final.append(auto)
            how.append(auto_by)
            local.append(None)
            continue
        lid = _local_id(str(paths[k]), used_ids, taken, counters)
        final.append(lid)
        how.append(None)
        local.append(lid)
    return final, how, local


def _local_id(path: str, used_ids: set[str], taken: set[str], counters: dict[str, int]) -> str:
    """A new local id for a code path, unique among ``used_ids`` and ``taken`` (both grow).

    ``counters`` remembers the last number tried for each base, so that many codes with the
    same base cost one step each rather than a walk past all earlier ones.
    """
    name = slug(path)[:48].strip("_")
    base = f"local_{name}" if name else "local_" + hashlib.sha1(path.encode()).hexdigest()[:8]
    lid, n = base, counters.get(base, 1)
    if n > 1:
        lid = f"{base}_{n}"
    while lid in used_ids or normalize_name(lid) in taken:
        n += 1
        lid = f"{base}_{n}"
    counters[base] = n
    used_ids.add(lid)
    taken.add(normalize_name(lid))
    return lid


def _local_labels(codes: pd.DataFrame, taken: set[str]) -> list[str | None]:
    """Labels of local codes: the full path, made unique under the codebook's name matching."""
    labels: list[str | None] = []
    counters: dict[str, int] = {}
    for lid, path in zip(codes["local_id"], codes["path"], strict=True):
        if lid is None:
            labels.append(None)
            continue
        label, n = str(path), counters.get(str(path), 1)
        if n > 1:
            label = f"{path} [{n}]"
        key = normalize_name(label)
        while not key or key in taken:
            n += 1
            label = f"{path} [{n}]"
            key = normalize_name(label)
        counters[str(path)] = n
        taken.add(key)
        labels.append(label)
    return labels


# --------------------------------------------------------------------------- tables written


def code_map_table(codes: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """Build the ``code_map.csv`` an import writes, a template for the next import.

    Parameters
    ----------
    codes : pandas.DataFrame
        The project's codes as :func:`resolve_codes` returns them.
    codings : pandas.DataFrame
        The codings written (a ``code`` column of final ids).

    Returns
    -------
    pandas.DataFrame
        One row per project code: ``project_code`` (its path), ``code`` (its codebook id;
        empty for local codes), ``local_id``, ``matched_by`` and ``codings`` (how often
        it was used).

    Raises
    ------
    DataError
        When loading the dataset would change its codings: a project code whose name is
        the id another code became, but which the map sends elsewhere.
    """
    n_codings = Counter(codings["code"])
    table = pd.DataFrame(
        {
            "project_code": codes["path"],
            "code": [None if lid else fid for fid, lid in zip(codes["final_id"],
                                                             codes["local_id"], strict=True)],
            "local_id": codes["local_id"],
            "matched_by": codes["matched_by"],
            "codings": [n_codings.get(f, 0) for f in codes["final_id"]],
        }
    )  # fmt: skip
    _check_map_is_inert(table, set(codings["code"]))
    return table


def _check_map_is_inert(code_map: pd.DataFrame, used: set[str]) -> None:
    """Loading applies code_map.csv to codings.csv; make sure that changes nothing."""
    rows = code_map[code_map["code"].notna()]
    clash = rows[rows["project_code"].isin(used) & (rows["project_code"] != rows["code"])]
    if len(clash):
        first = clash.iloc[0]
        raise fail(
            "code_map.csv",
            f"project code names that differ from the codebook ids in use: the code "
            f"{first['project_code']!r} is mapped to {first['code']!r}, but another code of "
            f"the project became {first['project_code']!r}; rename one of them in the QDA tool",
            "inconsistent",
            value=first["project_code"],
        )


def extension_table(
    codes: pd.DataFrame, cases: pd.DataFrame, participants: pd.DataFrame, cb: Codebook
) -> tuple[pd.DataFrame, list[str]]:
    """Build the ``codebook_extension.csv`` an import writes.

    Parameters
    ----------
    codes : pandas.DataFrame
        The project's codes as :func:`resolve_codes` returns them.
    cases, participants : pandas.DataFrame
        The cases and participants written; the placeholders they use are added.
    cb : Codebook
        The codebook the extension must fit.

    Returns
    -------
    extension : pandas.DataFrame
        The local codes (dimension ``local``, parents kept where the parent is local too)
        and the placeholders in use, in the columns of a codebook extension.
    used : list of str
        The ids of the placeholders in use.

    Raises
    ------
    DataError
        When the codebook refuses the extension (a bug, caught before anything is written).
    """
    rows = _extension_rows(codes)
    placeholder_ids = {v[0]: (dim, v[1]) for dim, v in PLACEHOLDERS.items()}
    used = [
        pid_
        for pid_ in placeholder_ids
        if pid_ in set(cases.get(placeholder_ids[pid_][0], pd.Series(dtype=object)))
        or pid_ in set(participants["role"])
    ]
    for pid_ in used:
        dim, label = placeholder_ids[pid_]
        rows.append(
            {"id": pid_, "label": label, "dimension": dim, "parent": None,
             "definition": PLACEHOLDER_NOTE}
        )  # fmt: skip
    extension = pd.DataFrame(rows, columns=_EXTENSION_COLUMNS)
    if len(extension):
        cb.extend(extension, file="codebook_extension.csv")  # a bug here must not write files
    return extension, used


def _extension_rows(codes: pd.DataFrame) -> list[dict[str, Any]]:
    """One codebook extension row per local code, its parent kept if that is local too."""
    final_of = dict(zip(codes["key"], codes["final_id"], strict=True))
    local_ids = set(codes["local_id"].dropna())
    rows = []
    for r in codes.itertuples(index=False):
        if r.local_id is None:
            continue
        parent = final_of.get(r.parent_key) if r.parent_key else None
        definition, _ = qdc.split_description(r.description)
        rows.append(
            {
                "id": r.local_id,
                "label": r.local_label,
                "dimension": "local",
                "parent": parent if parent in local_ids else None,
                "definition": definition,
            }
        )
    return rows
