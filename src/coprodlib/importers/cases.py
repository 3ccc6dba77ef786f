"""Who is who in an imported project: cases, participants and the documents they gave.

Each source of a project becomes a document of one participant in one case:

- the project's cases (REFI-QDA ``Cases``) give the case of each source; a source in no
  case belongs to one case named after the project (:func:`project_case_id`);
- each source is one participant; case variables named like a ``cases.csv`` column
  (:data:`CASE_COLUMNS`) fill that column, a ``role`` variable gives the role, and every
  other variable becomes a participant attribute;
- the documents map (:func:`read_documents_map`, the ``documents.csv`` of an earlier import
  or ``--documents``) overrides case, participant and role per document;
- in ``cases.csv`` what the user filled in after an earlier import wins over what the
  project says, which wins over placeholders (:data:`UNKNOWN_COUNTRY`, the
  :data:`~coprodlib.importers.code_map.PLACEHOLDERS`, ...).

:func:`assign_people` does all of this and returns the three tables as :class:`People`.
Names of documents, participants and cases are replaced by pseudonyms on the way.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, Problem, fail
from ..taxonomy.codebook import Codebook
from ..taxonomy.records import normalize_name
from .code_map import PLACEHOLDERS, slug
from .project import QdaProject, Source, raise_all
from .pseudonyms import Pseudonymizer

__all__ = [
    "CASE_COLUMNS",
    "UNKNOWN_COUNTRY",
    "UNKNOWN_LOGIC",
    "UNKNOWN_SERVICE_AREA",
    "People",
    "assign_people",
    "document_ids",
    "project_case_id",
    "read_documents_map",
]

#: Columns of cases.csv that case variables of the same name fill.
CASE_COLUMNS = (
    "title",
    "country",
    "service_area",
    "phase",
    "level",
    "mode",
    "logic",
    "study",
    "year",
)
UNKNOWN_COUNTRY = "ZZ"  # CLDR's code for an unknown region; fits the ISO alpha-2 pattern
UNKNOWN_SERVICE_AREA = "not recorded"
UNKNOWN_LOGIC = "unknown"


@dataclass(frozen=True)
class People:
    """The tables :func:`assign_people` builds, and where each source went.

    ``placement`` maps a source's key to its ``(case id, participant id)``.
    """

    cases: pd.DataFrame
    participants: pd.DataFrame
    documents: pd.DataFrame
    placement: dict[str, tuple[str, str]]


@dataclass
class _ProjectCases:
    """The project's own cases: the case of each source, and each case's row and attributes."""

    of_source: dict[str, str] = field(default_factory=dict)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)


def _unique_name(src: Source, names: Counter) -> str:
    """The source's name, with its key added when another source has the same name."""
    return src.name if names[src.name] == 1 else f"{src.name} [{src.key}]"


def document_ids(project: QdaProject, pseudo: Pseudonymizer) -> dict[str, str]:
    """Give each source of a project its document id.

    Parameters
    ----------
    project : QdaProject
        The project read.
    pseudo : Pseudonymizer
        Makes the pseudonyms (and records them for the key file).

    Returns
    -------
    dict
        Source key -> pseudonymous document id. Sources that share a name are told apart
        by their key before the name is turned into a pseudonym.
    """
    names = Counter(s.name for s in project.sources)
    return {s.key: pseudo("document", _unique_name(s, names)) for s in project.sources}


def project_case_id(project: QdaProject) -> str:
    """Name the one case that holds the sources no case of the project holds.

    Parameters
    ----------
    project : QdaProject
        The project read.

    Returns
    -------
    str
        The project's name (else its file name) as a slug of at most 40 characters, cut
        at a word boundary where that keeps at least 12; ``"project"`` when nothing is
        left.
    """
    name = slug(project.name) or slug(Path(project.file).stem) or "project"
    if len(name) > 40:  # cut at a word boundary
        cut = name[:41].rfind("_")
        name = name[: cut if cut >= 12 else 40]
    return name.strip("_") or "project"


# --------------------------------------------------------------------------- documents map


def read_documents_map(
    path: Path, known: set[str], cb: Codebook, strict: bool
) -> tuple[dict[str, dict[str, str | None]], list[str]]:
    """Read a documents map: the case, participant and role the user gives each document.

    Parameters
    ----------
    path : Path
        A CSV or XLSX table with a ``document_id`` column and any of ``case_id``,
        ``participant_id`` and ``role`` (the ``documents.csv`` an import writes, edited).
    known : set of str
        The document ids of the project being imported.
    cb : Codebook
        The codebook roles are resolved in (by id, label or alias).
    strict : bool
        Refuse rows naming documents the project does not have (for a map the user
        passed); otherwise such rows are skipped with a warning (for the map of an
        earlier import).

    Returns
    -------
    entries : dict
        Document id -> ``{"case_id", "participant_id", "role"}``, each ``None`` where the
        row leaves it empty.
    warnings : list of str
        A warning when rows were skipped.

    Raises
    ------
    DataError
        For a missing file, a missing ``document_id`` column, documents named twice,
        roles not in the codebook, and (when ``strict``) unknown documents.
    """
    from ..contract.reading import read_table

    if not path.is_file():
        raise fail(str(path), "an existing documents map (no such file)", "missing")
    table = read_table(path)
    file = path.name
    if "document_id" not in table.columns:
        raise fail(file, "a column document_id (the documents.csv an import wrote)",
                    "missing_column")  # fmt: skip
    problems: list[Problem] = []
    warnings: list[str] = []
    out: dict[str, dict[str, str | None]] = {}
    role_ids = set(cb.ids("role"))
    unknown = 0
    for k, rec in enumerate(table.to_dict("records")):
        row = k + 2
        did = rec.get("document_id")
        if pd.isna(did):
            continue
        did = str(did).strip()
        if did not in known:
            if strict:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column="document_id",
                        value=did,
                        expected="a document of this project (pseudonyms depend on the salt "
                        "in the target folder's .coprod_salt; import into the same --to)",
                        kind="foreign_key",
                    )
                )
            unknown += 1
            continue
        if did in out:
            problems.append(Problem(file=file, row=row, column="document_id", value=did,
                                    expected="each document once", kind="duplicate"))  # fmt: skip
            continue
        entry = _map_entry(rec, role_ids, cb, file, row, problems)
        if entry is not None:
            out[did] = entry
    raise_all(problems)
    if unknown:
        warnings.append(
            f"{unknown} row(s) of {file} name documents this project no longer has; ignored"
        )
    return out, warnings


def _map_entry(
    rec: dict[str, Any],
    role_ids: set[str],
    cb: Codebook,
    file: str,
    row: int,
    problems: list[Problem],
) -> dict[str, str | None] | None:
    """Case, participant and role of one documents-map row; None (and a problem) for a bad role."""
    entry: dict[str, str | None] = {}
    for col in ("case_id", "participant_id"):
        v = rec.get(col)
        entry[col] = None if v is None or pd.isna(v) or not str(v).strip() else str(v).strip()
    role = rec.get("role")
    if role is None or pd.isna(role) or not str(role).strip():
        entry["role"] = None
        return entry
    text = str(role).strip()
    placeholder = PLACEHOLDERS["role"][0]
    rid = text if text in role_ids or text == placeholder else cb.resolve(text)
    if rid not in role_ids and rid != placeholder:
        problems.append(
            Problem(
                file=file,
                row=row,
                column="role",
                value=role,
                expected=f"a role of the codebook: {', '.join(sorted(role_ids))}",
                kind="unknown_code",
            )
        )
        return None
    entry["role"] = rid
    return entry


# --------------------------------------------------------------------------- variables


def _case_values(variables: dict[str, Any], cb: Codebook, warnings: list[str], who: str) -> tuple[
    dict[str, Any], dict[str, Any]
]:  # fmt: skip
    """Split variables into cases.csv columns and the rest."""
    columns: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    wanted = {normalize_name(c): c for c in CASE_COLUMNS}
    for name, value in variables.items():
        col = wanted.get(normalize_name(name))
        if col is None:
            rest[name] = value
            continue
        text = str(value).strip()
        if col == "country":
            if re.fullmatch(r"[A-Za-z]{2}", text):
                columns[col] = text.upper()
            else:
                warnings.append(f"{who}: country {text!r} is not an ISO alpha-2 code; not used")
        elif col in ("phase", "level", "mode", "logic"):
            cid = cb.resolve(text)
            if col == "logic" and normalize_name(text) == "unknown":
                columns[col] = UNKNOWN_LOGIC
            elif cid is not None and cid in cb.ids(col):
                columns[col] = cid
            else:
                warnings.append(f"{who}: {col} {text!r} is not a {col} of the codebook; not used")
        elif col == "year":
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if math.isfinite(number) and number.is_integer():
                columns[col] = int(number)
            else:  # text, a fraction (never rounded) or a number too large for a year
                warnings.append(f"{who}: year {text!r} is not a whole number; not used")
        else:
            columns[col] = text
    return columns, rest


def _role_from(variables: dict[str, Any], cb: Codebook) -> tuple[str | None, dict[str, Any]]:
    """The codebook role a ``role`` variable names, and the variables without it."""
    rest = dict(variables)
    for name in list(rest):
        if normalize_name(name) == "role":
            value = rest.pop(name)
            cid = cb.resolve(value)
            if cid is not None and cid in cb.ids("role"):
                return cid, rest
            rest[name] = value  # keep what cannot be matched as an attribute
    return None, rest


# --------------------------------------------------------------------------- assigning


def assign_people(
    project: QdaProject,
    pseudo: Pseudonymizer,
    doc_id: dict[str, str],
    documents_map: dict[str, dict[str, str | None]],
    map_file: str,
    previous: Path | None,
    cb: Codebook,
    warnings: list[str],
) -> People:
    """Place every source of a project as a document of a participant in a case.

    Parameters
    ----------
    project : QdaProject
        The project read.
    pseudo : Pseudonymizer
        Makes the case and participant pseudonyms.
    doc_id : dict
        Source key -> document id (:func:`document_ids`).
    documents_map : dict
        The user's choices per document (:func:`read_documents_map`; empty for none).
    map_file : str
        The documents map's file name, for problems.
    previous : Path or None
        The folder of an earlier import into the same target, whose ``cases.csv`` the user
        may have filled in.
    cb : Codebook
        The codebook that phases, levels, modes, logics and roles are resolved in.
    warnings : list of str
        Receives a warning for each variable value that cannot be used.

    Returns
    -------
    People
        ``cases.csv``, ``participants.csv`` and ``documents.csv`` as tables, and where
        each source went.

    Raises
    ------
    DataError
        When the documents of one participant would put it in two cases or give it two
        roles.
    """
    fallback = project_case_id(project)
    cases = _project_cases(project, pseudo, cb, warnings)
    participants, doc_rows, placement = _place_sources(
        project, pseudo, doc_id, documents_map, map_file, fallback, cases, cb
    )
    documents = pd.DataFrame(doc_rows)
    documents["n_chars"] = documents["n_chars"].astype("Int64")  # blank where not read
    documents["title"] = None
    return People(
        cases=_cases_table(cases.rows, placement, previous),
        participants=pd.DataFrame(list(participants.values())),
        documents=documents,
        placement=placement,
    )


def _project_cases(
    project: QdaProject, pseudo: Pseudonymizer, cb: Codebook, warnings: list[str]
) -> _ProjectCases:
    """The project's cases with pseudonyms, their cases.csv values and the sources they hold."""
    out = _ProjectCases()
    multi = 0
    for case in project.cases:
        cid = pseudo("case", case.name)
        values, rest = _case_values(case.variables, cb, warnings, f"case {cid}")
        out.rows.setdefault(cid, {"case_id": cid, "title": cid, **values})
        out.attrs[cid] = rest
        for s in case.sources:
            if s in out.of_source and out.of_source[s] != cid:
                multi += 1
                continue
            out.of_source[s] = cid
    if multi:
        warnings.append(f"{multi} source(s) belong to several cases; the first case was used")
    return out


def _place_sources(
    project: QdaProject,
    pseudo: Pseudonymizer,
    doc_id: dict[str, str],
    documents_map: dict[str, dict[str, str | None]],
    map_file: str,
    fallback: str,
    cases: _ProjectCases,
    cb: Codebook,
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """Participant rows, document rows and (case, participant) of each source; adds cases."""
    names = Counter(s.name for s in project.sources)
    part_rows: dict[str, dict[str, Any]] = {}
    doc_rows = []
    placement: dict[str, tuple[str, str]] = {}
    problems: list[Problem] = []
    for src in project.sources:
        did = doc_id[src.key]
        case_id = cases.of_source.get(src.key, fallback)
        pid = pseudo("participant", _unique_name(src, names))
        attrs = {**cases.attrs.get(case_id, {}), **src.variables}
        role, attrs = _role_from(attrs, cb)
        override = documents_map.get(did, {})
        case_id = override.get("case_id") or case_id
        pid = override.get("participant_id") or pid
        role = override.get("role") or role or PLACEHOLDERS["role"][0]
        if case_id not in cases.rows:
            title = project.name if case_id == fallback else case_id
            cases.rows[case_id] = {"case_id": case_id, "title": title}
        row = part_rows.get(pid)
        if row is None:
            part_rows[pid] = {"participant_id": pid, "case_id": case_id, "role": role}
            for name, value in attrs.items():
                col = f"var_{name}" if name in ("participant_id", "case_id", "role") else name
                part_rows[pid][col] = value
        elif row["case_id"] != case_id or row["role"] != role:
            problems.append(
                Problem(
                    file=map_file,
                    column="participant_id",
                    value=pid,
                    expected="one case and one role per participant (documents of this "
                    f"participant give {row['case_id']}/{row['role']} and {case_id}/{role})",
                    kind="inconsistent",
                )
            )
        n_chars = len(src.text) if src.text is not None else None  # the length, not the text
        doc_rows.append(
            {"document_id": did, "case_id": case_id, "participant_id": pid, "role": role,
             "n_chars": n_chars}
        )  # fmt: skip
        placement[src.key] = (case_id, pid)
    raise_all(problems)
    return part_rows, doc_rows, placement


def _cases_table(
    case_rows: dict[str, dict[str, Any]],
    placement: dict[str, tuple[str, str]],
    previous: Path | None,
) -> pd.DataFrame:
    """cases.csv: earlier user edits, then project values, then placeholders; used cases only."""
    old_cases = _previous_cases(previous)
    placeholder_values = {UNKNOWN_COUNTRY, UNKNOWN_SERVICE_AREA, UNKNOWN_LOGIC}
    placeholder_values |= {v[0] for v in PLACEHOLDERS.values()}
    for cid, row in case_rows.items():
        old = old_cases.get(cid, {})
        for col in CASE_COLUMNS:
            value = old.get(col)
            if value is not None and (value not in placeholder_values or col not in row):
                row[col] = value
        row.setdefault("country", UNKNOWN_COUNTRY)
        row.setdefault("service_area", UNKNOWN_SERVICE_AREA)
        for dim in ("phase", "level", "mode"):
            row.setdefault(dim, PLACEHOLDERS[dim][0])
        row.setdefault("logic", UNKNOWN_LOGIC)
    used_cases = {c for c, _ in placement.values()}
    cases = pd.DataFrame([case_rows[c] for c in case_rows if c in used_cases])
    cases = cases.reindex(columns=[c for c in ("case_id", *CASE_COLUMNS) if c in cases.columns])
    if "year" in cases.columns:
        cases["year"] = pd.array(pd.to_numeric(cases["year"], errors="coerce"), dtype="Int64")
    return cases


def _previous_cases(previous: Path | None) -> dict[str, dict[str, Any]]:
    """Rows of an earlier import's cases.csv (what the user filled in), by case id."""
    if previous is None or not (previous / "cases.csv").is_file():
        return {}
    from ..contract.reading import read_table

    try:
        table = read_table(previous / "cases.csv")
    except DataError:
        return {}
    if "case_id" not in table.columns:
        return {}
    out = {}
    for rec in table.to_dict("records"):
        cid = rec.get("case_id")
        if isinstance(cid, str):
            out[cid] = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
    return out
