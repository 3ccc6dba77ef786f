"""Import QualCoder projects (the project's own SQLite database) into a dataset folder.

A QualCoder project is a folder ``<project>.qda`` whose ``data.qda`` is an SQLite database
(QualCoder 3.x schema). :func:`read_qualcoder` reads it into the same
:class:`~coprodlib.importers.project.QdaProject` as a REFI-QDA project or a Taguette export,
so :func:`import_qualcoder` writes the same dataset folder (see
:func:`coprodlib.importers.refi.import_qdpx`). What is read:

- ``source``: each file with a ``fulltext`` is a text source (a document), under the
  line-end convention every importer applies
  (:data:`~coprodlib.importers.offsets.LINE_ENDS`): CRLF and lone CR become LF and a
  leading byte-order mark is dropped, the offsets moved onto that text;
- ``code_cat`` and ``code_name``: the categories (nested through ``supercatid``) become
  grouping codes, so every code keeps its category path as parents, as the nested codes
  of a REFI-QDA codebook do; a loop of categories is refused;
- ``code_text``: the text codings. QualCoder counts ``pos0``/``pos1`` in code points over
  ``source.fulltext``, end exclusive; one segment per distinct selection (file, pos0,
  pos1), one coding per code on it, ``owner`` as the coder. Each coding's stored
  ``seltext`` is compared with the text at its positions and mismatches are counted;
- ``cases``/``case_text`` and ``attribute`` (``attr_type`` ``case`` or ``file``): the case
  of each file and the case and file attributes, placed by :mod:`.cases` as for REFI-QDA
  cases and variables;
- image (``code_image``) and audio/video (``code_av``) codings are not imported; they are
  counted by kind in the summary (image, audio/video).

The database is opened read-only and immutable (nothing is written beside it), with
untrusted schema code disabled; only plain tables are read.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, fail
from ..taxonomy import qdc
from ..taxonomy.codebook import Codebook, get_codebook
from .offsets import UNIT_TEXT, convert_offsets, lf_text, line_end_summary, offset_convention
from .project import (
    SKIP_KINDS,
    CaseInfo,
    ImportResult,
    QdaProject,
    Selection,
    Source,
    raise_all,
)
from .sqlite_files import open_readonly, require_tables
from .staging import check_target
from .writer import write_project

__all__ = ["import_qualcoder", "read_qualcoder"]

_BOM = "\ufeff"
#: The tables an import needs, and what is read of each (rowid is ctid in QualCoder 3.x).
_REQUIRED = {
    "source": "SELECT id, name, fulltext FROM source ORDER BY id",
    "code_cat": "SELECT catid, name, memo, supercatid FROM code_cat ORDER BY catid",
    "code_name": "SELECT cid, name, memo, catid FROM code_name ORDER BY cid",
    "code_text": "SELECT rowid, cid, fid, seltext, pos0, pos1, owner FROM code_text "
    "ORDER BY fid, pos0, pos1, rowid",
}
#: Tables read where present.
_OPTIONAL = {
    "cases": "SELECT caseid, name FROM cases ORDER BY caseid",
    "case_text": "SELECT caseid, fid, pos0, pos1 FROM case_text ORDER BY rowid",
    "attribute": "SELECT name, attr_type, value, id FROM attribute ORDER BY rowid",
}
#: Codings of other kinds than text: table -> how the summary names them.
_SKIPPED = {
    "code_image": "image coding(s) (code_image)",
    "code_av": "audio/video coding(s) (code_av)",
}
#: Each table of _SKIPPED as a kind of :data:`~coprodlib.importers.project.SKIP_KINDS`.
_SKIP_KIND = {"code_image": "image", "code_av": "audio/video"}


# --------------------------------------------------------------------------- the database


def _database_file(path: Path) -> tuple[Path, str]:
    """The database of a project (``data.qda`` inside a ``.qda`` folder) and its name."""
    if path.is_dir():
        db = path / "data.qda"
        if not db.is_file():
            raise fail(
                path.name,
                "a QualCoder project folder holding data.qda, or the data.qda file itself",
                "missing",
            )
        return db, f"{path.name}/data.qda"
    if not path.is_file():
        raise fail(str(path), "an existing QualCoder project database (no such file)", "missing")
    return path, path.name


def _connect(db: Path, file: str) -> sqlite3.Connection:
    """Open a QualCoder database read-only (see :mod:`coprodlib.importers.sqlite_files`)."""
    return open_readonly(
        db,
        file,
        expected="a QualCoder project database (data.qda in the project folder), which is an "
        "SQLite database",
        zip_hint="this looks like a zip: for a REFI-QDA .qdpx export use `coprod import qdpx`",
    )


@dataclass
class _Tables:
    """The rows an import uses, the tool as the database names it, and skipped codings."""

    rows: dict[str, list[tuple[Any, ...]]]
    tool: str
    skipped: dict[str, int]


def _read_database(db: Path, file: str) -> _Tables:
    """Read the tables of a QualCoder database; refuse one without QualCoder's tables."""
    conn = _connect(db, file)
    try:
        tables = require_tables(conn, file, _REQUIRED, what="a QualCoder project database")
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for name, sql in {**_REQUIRED, **_OPTIONAL}.items():
            rows[name] = _query(conn, sql, file, name) if name in tables else []
        skipped = {
            t: int(_query(conn, f"SELECT count(*) FROM {t}", file, t)[0][0]) if t in tables else 0
            for t in _SKIPPED
        }
        tool = _tool(conn, file) if "project" in tables else "QualCoder"
    finally:
        conn.close()
    return _Tables(rows=rows, tool=tool, skipped=skipped)


def _query(conn: sqlite3.Connection, sql: str, file: str, table: str) -> list[tuple[Any, ...]]:
    """The rows of one query; a DataError naming the table when its columns are not there."""
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.Error as exc:
        raise fail(
            f"{file}:{table}", f"the columns of QualCoder 3.x's table {table} ({exc})", "unreadable"
        ) from None


def _tool(conn: sqlite3.Connection, file: str) -> str:
    """QualCoder and its version as the ``project`` table records them."""
    try:
        cur = conn.execute("SELECT * FROM project LIMIT 1")
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
    except sqlite3.Error:
        return "QualCoder"
    info = dict(zip(names, row, strict=True)) if row else {}
    about = str(info.get("about") or "").strip()
    version = str(info.get("databaseversion") or "").strip()
    tool = about if about.lower().startswith("qualcoder") else "QualCoder"
    return f"{tool} (database {version})" if version else tool


# --------------------------------------------------------------------------- codes


def _label(name: Any, key: Any) -> str:
    """A category or code as messages name it: its name as written, else its id."""
    return str(name) if isinstance(name, str) and name.strip() else f"#{key}"


def _category_paths(
    cats: dict[Any, tuple[Any, Any, Any]], where: str, problems: list[Problem]
) -> dict[Any, str]:
    """The path of each category ("top/sub/..."); a problem for each loop and lost parent.

    ``cats`` maps a catid to its ``(name, memo, supercatid)``. Categories in or under a loop,
    or under a parent that does not exist, get no path.
    """
    paths: dict[Any, str] = {}
    bad: set[Any] = set()
    for start in cats:
        chain: list[Any] = []
        cur = start
        while cur is not None and cur not in paths and cur not in bad:
            if cur in chain:
                loop = chain[chain.index(cur) :] + [cur]
                problems.append(
                    Problem(
                        file=where,
                        column="supercatid",
                        value=" > ".join(cats[c][0] for c in loop),
                        expected="categories nested without a loop (this category is its own "
                        "ancestor through supercatid)",
                        kind="cycle",
                    )
                )
                break
            if cur not in cats:
                problems.append(
                    Problem(
                        file=where,
                        column="supercatid",
                        value=cur,
                        expected="the catid of an existing category (the parent of category "
                        f"{cats[chain[-1]][0]!r})",
                        kind="foreign_key",
                    )
                )
                break
            chain.append(cur)
            cur = cats[cur][2]
        else:
            if cur is None or cur in paths:
                base = paths.get(cur)
                for c in reversed(chain):
                    name = cats[c][0]
                    base = name if base is None else f"{base}/{name}"
                    paths[c] = base
                continue
        bad.update(chain)
    return paths


def _check_names(
    rows: list[tuple[Any, ...]], where: str, what: str, problems: list[Problem]
) -> None:
    """A problem for each row whose name (second column) is missing or blank."""
    for row in rows:
        if not (isinstance(row[1], str) and row[1].strip()):
            problems.append(
                Problem(
                    file=where,
                    column="name",
                    value=row[1],
                    expected=f"a name for every {what} ({what} {row[0]} has none)",
                    kind="missing",
                )
            )


def _code_rows(
    t: _Tables, file: str, problems: list[Problem]
) -> tuple[list[tuple[Any, ...]], dict[Any, str]]:
    """One row per category and code: path, name, key, parent path, memo, codable, parent
    key; and the key of each code's cid."""
    _check_names(t.rows["code_cat"], f"{file}:code_cat", "category", problems)
    _check_names(t.rows["code_name"], f"{file}:code_name", "code", problems)
    cats = {r[0]: (_label(r[1], r[0]).strip(), r[2], r[3]) for r in t.rows["code_cat"]}
    paths = _category_paths(cats, f"{file}:code_cat", problems)
    rows = []
    for catid, path in paths.items():
        name, memo, parent = cats[catid]
        parent_key = None if parent is None else f"cat-{parent}"
        rows.append((path, name, f"cat-{catid}", paths.get(parent), memo, False, parent_key))
    code_key: dict[Any, str] = {}
    for cid, raw_name, memo, catid in t.rows["code_name"]:
        name = _label(raw_name, cid).strip()
        code_key[cid] = f"code-{cid}"  # known even when its category is broken: no echoes
        if catid is not None and catid not in paths:
            if catid not in cats:  # else: in a loop or under a lost parent, reported already
                problems.append(
                    Problem(
                        file=f"{file}:code_name",
                        column="catid",
                        value=catid,
                        expected=f"the catid of an existing category (code {name!r})",
                        kind="foreign_key",
                    )
                )
            continue
        parent_path = paths.get(catid)
        path = name if parent_path is None else f"{parent_path}/{name}"
        parent_key = None if catid is None else f"cat-{catid}"
        rows.append((path, name, f"code-{cid}", parent_path, memo, True, parent_key))
    rows.sort(key=lambda r: (r[0], r[5], r[2]))
    return rows, code_key


def _codes_frame(
    t: _Tables, file: str, cb: Codebook, problems: list[Problem]
) -> tuple[pd.DataFrame, dict[Any, str]]:
    """Categories (grouping codes) and codes, matched to the codebook; code key of each cid."""
    rows, code_key = _code_rows(t, file, problems)
    frame = pd.DataFrame(
        rows,
        columns=["path", "name", "key", "parent_path", "description", "is_codable", "parent_key"],
        dtype=object,
    )
    frame["description"] = [d if isinstance(d, str) and d else None for d in frame["description"]]
    frame["guid"] = frame["key"]
    match = cb.match(frame["name"].tolist())
    matched, by = [], []
    for k, memo in enumerate(frame["description"]):
        mid = qdc.split_description(memo)[1].get("id")
        hit = match["matched_id"].iat[k]
        if mid is not None and mid in cb:
            matched.append(mid)
            by.append("id")
        else:
            matched.append(None if pd.isna(hit) else str(hit))
            by.append(None if pd.isna(hit) else str(match["matched_by"].iat[k]))
    frame["matched_id"] = pd.Series(matched, dtype=object)
    frame["matched_by"] = pd.Series(by, dtype=object)
    return frame[[*qdc.CODE_COLUMNS, "key", "parent_key"]], code_key


# --------------------------------------------------------------------------- codings


@dataclass
class _Tally:
    """What reading the codings counted, for the summary."""

    codings: int = 0
    seltext_mismatch: int = 0
    first_mismatch: str | None = None
    repeated: int = 0
    bom: int = 0
    crlf: int = 0
    cr: int = 0
    texts: int = 0
    categories: int = 0
    codes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    """Whether a database value is a whole number (SQLite gives ints for INTEGER columns)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _usable_codings(
    t: _Tables, texts: dict[Any, str], code_key: dict[Any, str], file: str,
    problems: list[Problem],
) -> dict[Any, list[tuple[Any, ...]]]:  # fmt: skip
    """The ``code_text`` rows by file, those naming unknown codes or files or holding
    positions that are not whole numbers left out (each a problem)."""
    where = f"{file}:code_text"
    names = {r[0]: r[1] for r in t.rows["source"]}
    by_file: dict[Any, list[tuple[Any, ...]]] = {}
    for row in t.rows["code_text"]:
        ctid, cid, fid, _, pos0, pos1, _ = row
        if cid not in code_key:
            column, value, expected = "cid", cid, "the cid of a code in code_name"
            kind = "unknown_code"
        elif fid not in names:
            column, value, expected = "fid", fid, "the id of a file in source"
            kind = "foreign_key"
        elif fid not in texts:
            column, value, kind = "fid", fid, "foreign_key"
            expected = f"a text file (the file {names[fid]!r} has no fulltext)"
        elif not (_is_int(pos0) and _is_int(pos1)):
            column = "pos0" if not _is_int(pos0) else "pos1"
            value = pos0 if column == "pos0" else pos1
            null = ", not NULL" if value is None else ""
            expected = f"a whole number of code points{null}"
            kind = "invalid"
        else:
            by_file.setdefault(fid, []).append(row)
            continue
        on = f" on {names[fid]!r}" if fid in names and column != "fid" else ""
        problems.append(
            Problem(file=where, column=column, value=value, kind=kind,
                    expected=f"{expected} (coding {ctid}{on})")
        )  # fmt: skip
    return by_file


def _file_selections(
    fid: Any, name: str, full: str, rows: list[tuple[Any, ...]], code_key: dict[Any, str],
    where: str, problems: list[Problem], tally: _Tally,
) -> list[Selection]:  # fmt: skip
    """The coded selections of one file, one per distinct (pos0, pos1), checked against its
    fulltext; positions are moved onto the LF text (:func:`~.offsets.lf_text`)."""
    lf = lf_text(full)
    s, e, status = convert_offsets(full, [r[4] for r in rows], [r[5] for r in rows], "codepoints")
    spans: dict[tuple[int, int], list[tuple[str, str | None]]] = {}
    for k, (ctid, cid, _, seltext, pos0, pos1, owner) in enumerate(rows):
        if status[k] != "ok":
            problems.append(_position_problem(where, f"coding {ctid} on {name!r}", pos0, pos1,
                                              len(full), status[k]))  # fmt: skip
            continue
        tally.codings += 1
        if seltext != full[int(s[k]) : int(e[k])]:
            tally.seltext_mismatch += 1
            tally.first_mismatch = tally.first_mismatch or f"coding {ctid} on {name!r}"
        codes = spans.setdefault((pos0, pos1), [])
        key = code_key[cid]
        coder = owner.strip() if isinstance(owner, str) and owner.strip() else None
        if (key, coder) in codes:  # the same coder twice; a second coder's is agreement
            tally.repeated += 1
            continue
        codes.append((key, coder))
    found = sorted(spans.items())
    starts = lf.move([p0 for (p0, _), _ in found]) if found else []
    ends = lf.move([p1 for (_, p1), _ in found]) if found else []
    return [
        Selection(id=f"qc-{fid}-{p0}-{p1}", source=f"file-{fid}", start=int(starts[k]),
                  end=int(ends[k]), codes=codes)
        for k, ((p0, p1), codes) in enumerate(found)
    ]  # fmt: skip


def _position_problem(
    where: str, label: str, pos0: int, pos1: int, length: int, status: str
) -> Problem:
    """The problem for a coding whose positions lie outside its text or are reversed."""
    if status == "reversed":
        return Problem(file=where, column="pos1", value=(pos0, pos1), kind="invalid",
                       expected=f"pos0 <= pos1 ({label})")  # fmt: skip
    return Problem(
        file=where,
        column="pos0" if not 0 <= pos0 <= length else "pos1",
        value=(pos0, pos1),
        expected=f"positions within the file's fulltext, 0 to {length} "
        f"{UNIT_TEXT['codepoints']} ({label})",
        kind="out_of_range",
    )


def _sources(t: _Tables, tally: _Tally) -> tuple[list[Source], dict[Any, str]]:
    """One source per file with a fulltext (byte-order mark dropped), and each file's text
    as QualCoder counts it."""
    sources, texts = [], {}
    for fid, name, full in t.rows["source"]:
        if not isinstance(full, str):
            continue  # an image, audio or video file: its codings are counted as skipped
        texts[fid] = full
        tally.texts += 1
        tally.bom += full.startswith(_BOM)
        tally.crlf += "\r\n" in full
        tally.cr += "\r" in full.replace("\r\n", "")
        label = str(name).strip() if isinstance(name, str) and name.strip() else f"file {fid}"
        sources.append(Source(key=f"file-{fid}", name=label))
    return sources, texts


# --------------------------------------------------------------------------- cases


def _cases(
    t: _Tables, sources: list[Source], texts: dict[Any, str], warnings: list[str]
) -> list[CaseInfo]:
    """The project's cases with their attributes and files; file attributes go on sources."""
    by_key = {s.key: s for s in sources}
    cases = {
        cid: CaseInfo(key=f"case-{cid}", name=_label(name, cid).strip())
        for cid, name in t.rows["cases"]
    }
    all_files = {r[0] for r in t.rows["source"]}
    lost: Counter = Counter()
    for name, kind, value, oid in t.rows["attribute"]:
        if value is None or not str(value).strip() or not str(name or "").strip():
            continue
        if kind == "case" and oid in cases:
            cases[oid].variables[str(name).strip()] = str(value).strip()
        elif kind == "file" and f"file-{oid}" in by_key:
            by_key[f"file-{oid}"].variables[str(name).strip()] = str(value).strip()
        elif kind not in ("case", "file"):
            lost["attribute value(s) of another kind than case or file"] += 1
        elif not (kind == "file" and oid in all_files):  # media files are not imported
            lost[f"{kind} attribute value(s) of a {kind} that does not exist"] += 1
    partial = 0
    for caseid, fid, pos0, pos1 in t.rows["case_text"]:
        if caseid not in cases or fid not in all_files:
            lost["case link(s) (case_text) to a case or file that does not exist"] += 1
            continue
        if fid not in texts:
            continue  # an image or A/V file in a case: not imported
        if _is_int(pos0) and _is_int(pos1) and (pos0 > 0 or pos1 < len(texts[fid])):
            partial += 1
        if f"file-{fid}" not in cases[caseid].sources:
            cases[caseid].sources.append(f"file-{fid}")
    warnings += [f"{n} {what} skipped" for what, n in sorted(lost.items())]
    if partial:
        warnings.append(
            f"{partial} case link(s) cover part of a file only; the whole file was put in "
            "the case (a document belongs to one case)"
        )
    return list(cases.values())


# --------------------------------------------------------------------------- reading


def read_qualcoder(path: Path | str, *, cb: Codebook | None = None) -> QdaProject:
    """Read a QualCoder project database.

    Parameters
    ----------
    path : Path
        The project's ``data.qda`` (an SQLite database), or the ``<project>.qda`` folder
        holding it.
    cb : Codebook, optional
        Codebook the codes are matched against (default: the shipped one).

    Returns
    -------
    QdaProject
        One source per text file (fulltext without a leading byte-order mark, line ends as
        stored), one selection per distinct coded (file, pos0, pos1) with code-point offsets
        and one ``(code, owner)`` per code on it, categories and codes as nested codes
        matched to the codebook, and the cases with their attributes.

    Raises
    ------
    DataError
        For a missing file, a file that is not SQLite, a database without QualCoder's
        tables or columns, categories nested in a loop or under a category that does not
        exist, codes or categories without a name, codings of codes or files that do not
        exist or of files without text, positions that are not whole numbers, negative,
        past the end of the text or reversed, and a project without text codings. All
        problems of the later kinds are listed together.
    """
    return _read(Path(path), get_codebook() if cb is None else cb)[0]


def _read(path: Path, cb: Codebook) -> tuple[QdaProject, _Tally]:
    """The project and what reading it counted."""
    db, file = _database_file(path)
    t = _read_database(db, file)
    problems: list[Problem] = []
    tally = _Tally(skipped=t.skipped)
    codes, code_key = _codes_frame(t, file, cb, problems)
    tally.categories = int((~codes["is_codable"].astype(bool)).sum())
    tally.codes = len(codes) - tally.categories
    sources, texts = _sources(t, tally)
    by_file = _usable_codings(t, texts, code_key, file, problems)
    by_key = {s.key: s for s in sources}
    selections: list[Selection] = []
    used: list[Any] = []
    for fid, rows in sorted(by_file.items()):
        src = by_key[f"file-{fid}"]
        found = _file_selections(fid, src.name, texts[fid], rows, code_key,
                                 f"{file}:code_text", problems, tally)  # fmt: skip
        if found:
            lf = lf_text(texts[fid])
            src.text = lf.text
            used.append(lf)
        selections += found
    warnings: list[str] = []
    cases = _cases(t, sources, texts, warnings)
    raise_all(problems)
    if not selections:
        raise fail(
            file,
            "a QualCoder project with text codings (code_text); this one has none"
            + "".join(f", {n} {what}" for what, n in _skipped_kinds(tally) if n),
            "no_codings",
        )
    warnings = _reading_warnings(tally) + warnings
    return (
        QdaProject(
            file=file,
            command="qualcoder",
            name=db.parent.stem if db.name == "data.qda" else db.stem,
            origin=t.tool,
            codes=codes,
            sources=sources,
            selections=selections,
            cases=cases,
            offsets=_offsets_text(t.tool, tally),
            warnings=warnings,
            line_ends=line_end_summary(used),
            skipped={
                k: sum(n for t_, n in tally.skipped.items() if _SKIP_KIND.get(t_) == k)
                for k in SKIP_KINDS
            },
        ),
        tally,
    )


def _skipped_kinds(tally: _Tally) -> list[tuple[str, int]]:
    """Each kind of coding that is not imported, with how many the project holds."""
    return [(what, tally.skipped.get(table, 0)) for table, what in _SKIPPED.items()]


def _offsets_text(tool: str, tally: _Tally) -> str:
    """The offset unit, line ends, byte-order marks and the seltext check, in words."""
    unit, _, _ = offset_convention(tool)
    ends = []
    if tally.crlf:
        ends.append(f"CRLF in {tally.crlf}")
    if tally.cr:
        ends.append(f"lone CR in {tally.cr}")
    stored = (
        f"{', '.join(ends)} of {tally.texts} text file(s), CR and LF each one code point"
        if ends
        else "LF"
    )
    bom = f"; byte-order mark in {tally.bom} file(s), not counted" if tally.bom else ""
    same = tally.codings - tally.seltext_mismatch
    return (
        f"{UNIT_TEXT[unit]} over source.fulltext, end exclusive (the rule for QualCoder; "
        f"line ends as stored: {stored}{bom}), converted to code points of the LF text; "
        f"the stored seltext equals the text at its positions for {same} of {tally.codings} "
        "coding(s)"
    )


def _reading_warnings(tally: _Tally) -> list[str]:
    """Warnings about codings that were not imported or do not check out."""
    warnings = [
        f"{n} {what} not imported (only text codings are)" for what, n in _skipped_kinds(tally) if n
    ]
    if tally.seltext_mismatch:
        warnings.append(
            f"{tally.seltext_mismatch} coding(s) store a seltext that differs from the text "
            f"at their positions (first: {tally.first_mismatch}); the positions were used"
        )
    if tally.repeated:
        warnings.append(
            f"{tally.repeated} coding(s) repeat a code that the same owner already gave the "
            "same selection; each code is kept once per segment and coder (a code another "
            "owner gave the same selection is kept, as their agreement)"
        )
    return warnings


# --------------------------------------------------------------------------- importing


def import_qualcoder(
    path: Path | str,
    to: Path | str,
    *,
    code_map: Path | str | None = None,
    documents: Path | str | None = None,
    keep_text: bool = False,
    cb: Codebook | None = None,
) -> ImportResult:
    """Import a QualCoder project into a dataset folder.

    Parameters
    ----------
    path : Path
        The project's ``data.qda``, or the ``<project>.qda`` folder holding it.
    to : Path
        The dataset folder to write (new, empty, or written by an earlier import).
    code_map : Path, optional
        Project code (its category path and name, "category/sub/code", or a name only one
        code has) -> codebook id; default: the target's ``code_map.csv`` from an earlier
        import.
    documents : Path, optional
        Document -> case, participant, role (an edited ``documents.csv``); default: the
        target's ``documents.csv`` from an earlier import.
    keep_text : bool
        Keep each segment's selected text in ``segments.csv``.
    cb : Codebook, optional
        Codebook to match codes against (default: the shipped one).

    Returns
    -------
    ImportResult
        Counts and notes; ``summary()`` is what ``coprod import qualcoder`` prints. The
        files written are those of :func:`~coprodlib.importers.refi.import_qdpx`.

    Raises
    ------
    DataError
        See :func:`read_qualcoder`; also for a target folder that may not be written, and
        for bad code maps or documents maps. Nothing is written then.
    """
    cb = get_codebook() if cb is None else cb
    check_target(Path(to).expanduser().absolute(), "qualitative")
    project, tally = _read(Path(path), cb)
    result = write_project(
        project, to, code_map=code_map, documents=documents, keep_text=keep_text, cb=cb
    )
    notes = (
        f"the project has {tally.codes} code(s) in {tally.categories} categories; the "
        "categories are counted above as grouping codes, the parents of their codes",
    )
    return replace(result, notes=notes + result.notes)
