"""The data contract: read a dataset folder into typed tables, and check it.

A dataset is a folder of tidy tables (see ``data/README.md`` for the data dictionary):
``cases``, ``participants``, ``segments`` and ``codings`` are required; ``documents``,
``survey`` (with ``scales.yml``), ``double_coding``, ``code_map`` and ``codebook_extension``
are optional. Each table may be a UTF-8 CSV (comma or semicolon, with or without a byte order
mark) or an Excel ``.xlsx`` workbook.

:func:`validate` collects every problem in one pass and returns them; :func:`load` returns a
:class:`Dataset` and raises :class:`~coprodlib.errors.DataError` (carrying the same list) when
the data cannot be used. The column checks use pandera schemas; checks that span tables
(foreign keys, a segment's case against its participant's case) are vectorised joins.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..paths import resolve_dataset
from ..taxonomy.codebook import Codebook, get_codebook

__all__ = ["Dataset", "load", "validate", "select_cases", "TABLES", "MAX_PER_CHECK"]

#: At most this many problems of one kind are listed per file and column; one more problem
#: then says how many further rows have it, so a million bad rows stay a readable report.
MAX_PER_CHECK = 20

_ID_RULE = "a non-empty id"


@dataclass(frozen=True)
class ColumnRule:
    """What one column of a table must hold."""

    name: str
    required: bool = True
    kind: str = "text"  # text | id | int | codebook
    nullable: bool = False
    unique: bool = False
    dimension: str | None = None  # for kind == "codebook"
    extra: tuple[str, ...] = ()  # values allowed beside the codebook ids
    pattern: str | None = None
    pattern_text: str = ""
    help: str = ""


@dataclass(frozen=True)
class TableRule:
    name: str
    required: bool
    columns: tuple[ColumnRule, ...]
    help: str = ""


TABLES: dict[str, TableRule] = {
    t.name: t
    for t in (
        TableRule(
            "cases",
            True,
            (
                ColumnRule("case_id", kind="id", unique=True),
                ColumnRule("title"),
                ColumnRule(
                    "country",
                    pattern=r"^[A-Z]{2}$",
                    pattern_text="an ISO 3166-1 alpha-2 country code in capitals, e.g. 'DE'",
                ),
                ColumnRule("service_area"),
                ColumnRule("phase", kind="codebook", dimension="phase"),
                ColumnRule("level", kind="codebook", dimension="level"),
                ColumnRule("mode", kind="codebook", dimension="mode"),
                ColumnRule("logic", kind="codebook", dimension="logic", extra=("unknown",)),
                ColumnRule("study", required=False, nullable=True),
                ColumnRule("year", required=False, kind="int", nullable=True),
            ),
            "one row per case",
        ),
        TableRule(
            "participants",
            True,
            (
                ColumnRule("participant_id", kind="id", unique=True),
                ColumnRule("case_id", kind="id"),
                ColumnRule("role", kind="codebook", dimension="role"),
            ),
            "one row per interviewee",
        ),
        TableRule(
            "documents",
            False,
            (
                ColumnRule("document_id", kind="id", unique=True),
                ColumnRule("case_id", kind="id"),
                ColumnRule("participant_id", kind="id"),
                ColumnRule("role", required=False, kind="codebook", dimension="role"),
                ColumnRule("title", required=False, nullable=True),
            ),
            "one row per source document",
        ),
        TableRule(
            "segments",
            True,
            (
                ColumnRule("segment_id", kind="id", unique=True),
                ColumnRule("case_id", kind="id"),
                ColumnRule("participant_id", kind="id"),
                ColumnRule("document_id", required=False, kind="id", nullable=True),
                ColumnRule("start", required=False, kind="int", nullable=True),
                ColumnRule("end", required=False, kind="int", nullable=True),
                ColumnRule("text", required=False, nullable=True),
            ),
            "one row per coded segment",
        ),
        TableRule(
            "codings",
            True,
            (
                ColumnRule("segment_id", kind="id"),
                ColumnRule("code", kind="codebook"),
                ColumnRule("coder", required=False, nullable=True),
            ),
            "one row per code on a segment",
        ),
        TableRule(
            "double_coding",
            False,
            (
                ColumnRule("segment_id", kind="id"),
                ColumnRule("coder", kind="id"),
                ColumnRule("code", kind="codebook"),
            ),
            "the reliability sample: one row per code a coder gave a segment",
        ),
        TableRule(
            "code_map",
            False,
            (
                ColumnRule("project_code"),
                ColumnRule("code", nullable=True, kind="codebook"),
            ),
            "a project's own code names mapped to codebook ids",
        ),
        TableRule(
            "codebook_extension",
            False,
            (
                ColumnRule("id", kind="id", unique=True),
                ColumnRule("label"),
                ColumnRule("dimension"),
            ),
            "dataset-local codes",
        ),
        TableRule(
            "survey", False, (ColumnRule("respondent_id", kind="id"),), "one row per respondent"
        ),
    )
}

_ORDER = list(TABLES)


# --------------------------------------------------------------------------- the dataset


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
        The required tables. Ids are strings; codebook-valued columns (``phase``, ``level``,
        ``mode``, ``logic``, ``role``, ``code``) are categoricals.
    documents, survey, double_coding, code_map : DataFrame or None
        The optional tables (``None`` when the file is absent).
    survey_design : SurveyDesign or None
        The scale definitions from ``scales.yml`` beside the survey.
    codebook : Codebook
        The shipped codebook extended with the dataset's ``codebook_extension``.
    meta : dict
        The contents of ``dataset.yml`` (title, whether the data are synthetic, ...).
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
    survey_design: Any = None
    double_coding: pd.DataFrame | None = None
    code_map: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def synthetic(self) -> bool:
        """True when ``dataset.yml`` marks the data as synthetic (the demo)."""
        return bool(self.meta.get("synthetic", False))

    @property
    def title(self) -> str:
        return str(self.meta.get("title") or self.name)

    @property
    def case_ids(self) -> list[str]:
        return sorted(self.cases["case_id"].astype(str))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by name, in the contract's order."""
        out = {}
        for name in _ORDER:
            frame = getattr(self, name, None)
            if isinstance(frame, pd.DataFrame):
                out[name] = frame
        return out

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v):,}" for k, v in self.tables().items())
        flag = " (synthetic)" if self.synthetic else ""
        return f"<Dataset {self.name!r}{flag}: {sizes}>"


# --------------------------------------------------------------------------- reading files


def _find(folder: Path, stem: str) -> Path | None:
    for suffix in (".csv", ".xlsx", ".tsv"):
        p = folder / f"{stem}{suffix}"
        if p.is_file():
            return p
    return None


def _sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def _read_table(path: Path) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Read one table file as strings (empty cells become missing values).

    CSV files must be UTF-8 (a byte order mark is accepted); the separator (comma, semicolon
    or tab) is detected from the header line. ``.xlsx`` files are read from their first sheet.

    Raises
    ------
    DataError
        The file is not UTF-8, is not a readable CSV or workbook, or has no header.
    """
    file = path.name
    if path.suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, engine="openpyxl")
        except Exception as err:  # openpyxl raises many types for broken workbooks
            raise DataError(
                Problem(file=file, expected=f"a readable .xlsx workbook ({err})", kind="syntax")
            ) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        return (frame.replace(r"^\s*$", np.nan, regex=True) if len(frame) else frame), None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = raw[err.start : err.start + 1].hex()
        line = raw[: err.start].count(b"\n") + 1
        raise DataError(
            Problem(
                file=file,
                row=line,
                value=f"byte 0x{bad}",
                expected=(
                    "UTF-8 text; the file seems to use another encoding (e.g. Windows-1252 or "
                    "Latin-1): save it again as 'CSV UTF-8'"
                ),
                kind="encoding",
            )
        ) from None
    if not text.strip():
        raise DataError(Problem(file=file, expected="a header line and rows", kind="empty"))
    first = text.split("\n", 1)[0]
    sep = "\t" if path.suffix == ".tsv" else _sniff_separator(first)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as err:
        raise DataError(
            Problem(file=file, expected=f"a well-formed CSV table ({err})", kind="syntax")
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    lines = None
    if text.count("\n") + (not text.endswith("\n")) > len(frame) + 1:
        # some quoted cells span several lines: each record's first line, for the messages
        lines = _record_lines(text, sep)[: len(frame)]
    return frame, lines


def read_table(path: Path) -> pd.DataFrame:
    """Read one table file as strings (empty cells become missing values); see
    :func:`_read_table` for the formats accepted and the errors raised."""
    return _read_table(path)[0]


def _record_lines(text: str, sep: str) -> np.ndarray:
    """The line on which each data record of a CSV text starts (the header is line 1)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts, line = [], 1
    for _ in reader:
        starts.append(line)
        line = reader.line_num + 1
    return np.asarray(starts[1:], dtype=np.int64)


def _read_meta(folder: Path, problems: list[Problem]) -> dict[str, Any]:
    path = folder / "dataset.yml"
    if not path.is_file():
        return {}
    import yaml

    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        problems.append(
            Problem(file="dataset.yml", expected=f"valid UTF-8 YAML ({err})", kind="syntax")
        )
        return {}
    if not isinstance(meta, dict):
        problems.append(
            Problem(file="dataset.yml", expected="a mapping such as 'title: ...'", kind="syntax")
        )
        return {}
    return meta


# --------------------------------------------------------------------------- checks


class _Collector:
    """Collects problems, capping each (file, column, kind) at MAX_PER_CHECK rows."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: per file, the line on which each record starts, when records span several lines
        self.lines: dict[str, np.ndarray] = {}

    def line_numbers(self, file: str, positions: Any) -> np.ndarray:
        """Spreadsheet row numbers (header = 1) of 0-based record positions in ``file``."""
        positions = np.asarray(positions, dtype=np.int64)
        lines = self.lines.get(file)
        return positions + 2 if lines is None else lines[positions]

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def rows(
        self,
        file: str,
        column: str | None,
        frame: pd.DataFrame,
        mask: Any,
        expected: str,
        kind: str = "invalid",
        values: pd.Series | None = None,
    ) -> None:
        """One problem per row where ``mask`` is true (capped), naming each bad value."""
        mask = np.array(mask, dtype=bool)
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return
        vals = values if values is not None else (frame[column] if column else None)
        numbers = self.line_numbers(file, positions[:MAX_PER_CHECK])
        for pos, line in zip(positions[:MAX_PER_CHECK], numbers, strict=True):
            value = None if vals is None else vals.iat[pos]
            if value is not None and pd.isna(value):
                value = None
            self.add(
                Problem(
                    file=file,
                    row=int(line),
                    column=column,
                    value=value,
                    expected=expected,
                    kind=kind,
                )
            )
        if len(positions) > MAX_PER_CHECK:
            self.add(
                Problem(
                    file=file,
                    column=column,
                    value=f"{len(positions) - MAX_PER_CHECK:,} more rows",
                    expected=expected,
                    kind=kind,
                )
            )


def _schema(rule: TableRule) -> Any:
    """The pandera schema of a table's own columns (types are coerced before it runs)."""
    import pandera.pandas as pa

    columns = {}
    for col in rule.columns:
        checks = []
        if col.pattern:
            checks.append(pa.Check.str_matches(col.pattern, error=col.pattern_text))
        if col.kind == "int":
            checks.append(pa.Check.ge(0, error="a whole number >= 0"))
        if col.kind in ("id", "text") and not col.nullable:
            checks.append(
                pa.Check(lambda s: s.str.strip().str.len() > 0, element_wise=False, error="text")
            )
        columns[col.name] = pa.Column(
            "Int64" if col.kind == "int" else None,  # text is read as text: no dtype check
            nullable=col.nullable,
            unique=col.unique,
            required=col.required,
            checks=checks,
        )
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def _expected_for(col: ColumnRule, check: str) -> tuple[str, str]:
    if check == "not_nullable":
        what = "a whole number" if col.kind == "int" else "a value"
        return f"{what} (the cell is empty; the column is required)", "missing"
    if check == "field_uniqueness":
        return f"a unique {col.name} (this one appears more than once)", "duplicate"
    if check.startswith("str_matches") or check == col.pattern_text:
        return col.pattern_text, "invalid"
    if "greater_than_or_equal" in check or check == "a whole number >= 0":
        return "a whole number >= 0", "invalid"
    if check == "text":
        return "a non-blank value", "missing"
    return f"a valid {col.name} ({check})", "invalid"


def _coerce_ints(frame: pd.DataFrame, rule: TableRule, file: str, out: _Collector) -> None:
    for col in rule.columns:
        if col.kind != "int" or col.name not in frame.columns:
            continue
        raw = frame[col.name]
        as_num = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna().to_numpy() & (
            as_num.isna().to_numpy() | (as_num.fillna(0) % 1 != 0).to_numpy()
        )
        out.rows(file, col.name, frame, bad, "a whole number", kind="wrong_type", values=raw)
        frame[col.name] = as_num.where(~bad).round().astype("Int64")


def _check_table(frame: pd.DataFrame, rule: TableRule, file: str, out: _Collector) -> None:
    """Column presence, emptiness, types, uniqueness and patterns (pandera, lazily)."""
    import pandera.pandas as pa

    missing = [c.name for c in rule.columns if c.required and c.name not in frame.columns]
    for name in missing:
        have = ", ".join(map(str, frame.columns[:12]))
        out.add(
            Problem(
                file=file,
                column=name,
                expected=f"a column named {name!r} (the file has: {have})",
                kind="missing_column",
            )
        )
    if len(frame) == 0:
        out.add(Problem(file=file, expected=f"at least one row ({rule.help})", kind="empty"))
        return
    _coerce_ints(frame, rule, file, out)
    schema = _schema(rule)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["check"].astype(str) != "column_in_dataframe"]
        by_col = {c.name: c for c in rule.columns}
        for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
            col = by_col.get(column)
            if col is None:
                continue
            expected, kind = _expected_for(col, str(check))
            index = pd.to_numeric(group["index"], errors="coerce").dropna().astype(int)
            mask = np.zeros(len(frame), dtype=bool)
            mask[index.to_numpy()] = True
            out.rows(file, col.name, frame, mask, expected, kind)


def _check_codes(
    frame: pd.DataFrame, rule: TableRule, file: str, cb: Codebook, out: _Collector
) -> None:
    """Codebook-valued columns hold ids of the right dimension (with 'did you mean')."""
    for col in rule.columns:
        if col.kind != "codebook" or col.name not in frame.columns:
            continue
        values = frame[col.name]
        present = values.notna().to_numpy()
        if col.extra:
            present = present & ~values.isin(col.extra).to_numpy()
        if not present.any():
            continue
        rows = out.line_numbers(file, np.flatnonzero(present))
        found = cb.check(values[present], col.dimension, file=file, column=col.name, rows=rows)
        counts: dict[Any, int] = {}
        for p in found:
            counts[p.value] = counts.get(p.value, 0) + 1
            if counts[p.value] <= MAX_PER_CHECK:
                out.add(p)
        for value, n in counts.items():
            if n > MAX_PER_CHECK:
                out.add(
                    Problem(
                        file=file,
                        column=col.name,
                        value=value,
                        expected=f"a codebook id ({n - MAX_PER_CHECK:,} more rows hold this value)",
                        kind="unknown_code",
                    )
                )


def _foreign_key(
    out: _Collector,
    child: pd.DataFrame,
    child_file: str,
    column: str,
    parent: pd.DataFrame,
    parent_file: str,
    parent_column: str | None = None,
) -> None:
    parent_column = parent_column or column
    if column not in child.columns or parent_column not in parent.columns:
        return
    values = child[column]
    bad = values.notna().to_numpy() & ~values.isin(parent[parent_column].dropna()).to_numpy()
    out.rows(
        child_file,
        column,
        child,
        bad,
        f"a {parent_column} that exists in {parent_file}",
        kind="foreign_key",
    )


def _cross_checks(tables: dict[str, pd.DataFrame], files: dict[str, str], out: _Collector) -> None:
    cases = tables.get("cases")
    parts = tables.get("participants")
    segs = tables.get("segments")
    docs = tables.get("documents")
    if parts is not None and cases is not None:
        _foreign_key(out, parts, files["participants"], "case_id", cases, files["cases"])
    if segs is not None:
        if cases is not None:
            _foreign_key(out, segs, files["segments"], "case_id", cases, files["cases"])
        if parts is not None:
            _foreign_key(
                out, segs, files["segments"], "participant_id", parts, files["participants"]
            )
            cols = {"participant_id", "case_id"}
            if cols <= set(segs.columns) and cols <= set(parts.columns):
                own = segs["participant_id"].map(
                    parts.drop_duplicates("participant_id").set_index("participant_id")["case_id"]
                )
                bad = own.notna().to_numpy() & (own.to_numpy() != segs["case_id"].to_numpy())
                bad &= segs["case_id"].notna().to_numpy()
                out.rows(
                    files["segments"],
                    "case_id",
                    segs,
                    bad,
                    "the case of the segment's participant as participants.csv gives it",
                    kind="inconsistent",
                    values=segs["case_id"].astype(str)
                    + " (participant "
                    + segs["participant_id"].astype(str)
                    + " is in case "
                    + own.astype(str)
                    + ")",
                )
        if docs is not None and "document_id" in segs.columns:
            _foreign_key(out, segs, files["segments"], "document_id", docs, files["documents"])
        if {"start", "end"} <= set(segs.columns):
            start, end = segs["start"], segs["end"]
            if pd.api.types.is_integer_dtype(start) and pd.api.types.is_integer_dtype(end):
                bad = (start > end).fillna(False).to_numpy(dtype=bool)
                out.rows(
                    files["segments"],
                    "start",
                    segs,
                    bad,
                    "start <= end (the segment's start offset lies after its end)",
                    values=start.astype(object).astype(str) + " > " + end.astype(str),
                )
    if docs is not None:
        if cases is not None:
            _foreign_key(out, docs, files["documents"], "case_id", cases, files["cases"])
        if parts is not None:
            _foreign_key(
                out, docs, files["documents"], "participant_id", parts, files["participants"]
            )
    for name in ("codings", "double_coding"):
        frame = tables.get(name)
        if frame is not None and segs is not None:
            _foreign_key(out, frame, files[name], "segment_id", segs, files["segments"])
    # the same code twice on a segment would count twice in every table and test
    for name, key in (
        ("codings", ["segment_id", "code"]),
        ("double_coding", ["segment_id", "coder", "code"]),
    ):
        frame = tables.get(name)
        if frame is None or not set(key) <= set(frame.columns):
            continue
        dup = frame.duplicated(subset=key, keep="first").to_numpy()
        out.rows(
            files[name],
            "code",
            frame,
            dup,
            f"each ({', '.join(key)}) once: this row repeats an earlier one and would be counted "
            "twice",
            kind="duplicate",
            values=frame["segment_id"].astype(str) + " / " + frame["code"].astype(str),
        )


# --------------------------------------------------------------------------- assembling


@dataclass
class _Read:
    folder: Path
    tables: dict[str, pd.DataFrame]
    files: dict[str, str]
    meta: dict[str, Any]
    codebook: Codebook
    survey_design: Any
    problems: list[Problem]


def _apply_code_map(tables: dict[str, pd.DataFrame], code_map: pd.DataFrame, cb: Codebook) -> None:
    """Replace a project's own code names by the codebook ids the map gives them."""
    mapping = code_map.dropna(subset=["code"]).drop_duplicates("project_code", keep="last")
    mapping = mapping.set_index("project_code")["code"]
    if mapping.empty:
        return
    for name in ("codings", "double_coding"):
        frame = tables.get(name)
        if frame is None or "code" not in frame.columns:
            continue
        mapped = frame["code"].map(mapping)
        frame["code"] = mapped.where(mapped.notna(), frame["code"])


def _read(folder: Path) -> _Read:
    out = _Collector()
    if not folder.is_dir():
        out.add(
            Problem(
                file=str(folder),
                expected="a dataset folder holding cases.csv, participants.csv, segments.csv "
                "and codings.csv",
                kind="missing_file",
            )
        )
        return _Read(folder, {}, {}, {}, get_codebook(), None, out.problems)
    meta = _read_meta(folder, out.problems)
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for name, rule in TABLES.items():
        found = _find(folder, name)
        if found is None:
            if rule.required:
                out.add(
                    Problem(
                        file=f"{name}.csv",
                        expected=f"this required table ({rule.help}) in {folder.name}/",
                        kind="missing_file",
                    )
                )
            continue
        files[name] = found.name
        try:
            tables[name], lines = _read_table(found)
            if lines is not None:
                out.lines[found.name] = lines
        except DataError as err:
            out.problems.extend(err.problems)
    cb = get_codebook()
    if "codebook_extension" in tables:
        ext = tables["codebook_extension"]
        _check_table(ext, TABLES["codebook_extension"], files["codebook_extension"], out)
        if all(c in ext.columns for c in ("id", "label", "dimension")):
            allowed = [*cb.dimensions, "local"]
            bad = ext["dimension"].notna().to_numpy() & ~ext["dimension"].isin(allowed).to_numpy()
            out.rows(
                files["codebook_extension"],
                "dimension",
                ext,
                bad,
                f"a codebook dimension or 'local' (one of {', '.join(allowed)})",
            )
            try:
                cb = cb.extend(ext, file=files["codebook_extension"])
            except DataError as err:
                out.problems.extend(err.problems)
    if "code_map" in tables:
        cm = tables["code_map"]
        _check_table(cm, TABLES["code_map"], files["code_map"], out)
        _check_codes(cm, TABLES["code_map"], files["code_map"], cb, out)
        if {"project_code", "code"} <= set(cm.columns):
            _apply_code_map(tables, cm, cb)
    for name, frame in tables.items():
        if name in ("codebook_extension", "code_map", "survey"):
            continue
        rule = TABLES[name]
        _check_table(frame, rule, files[name], out)
        _check_codes(frame, rule, files[name], cb, out)
    _cross_checks(tables, files, out)
    design = _survey(folder, tables, files, out)
    order = {f"{name}": i for i, name in enumerate(_ORDER)}
    problems = sorted(
        out.problems,
        key=lambda p: (order.get(Path(p.file).stem, len(order)), p.file, p.row or 1 << 62),
    )
    return _Read(folder, tables, files, meta, cb, design, problems)


def _survey(
    folder: Path, tables: dict[str, pd.DataFrame], files: dict[str, str], out: _Collector
) -> Any:
    from .survey_design import check_survey, read_survey_design

    scales = folder / "scales.yml"
    if "survey" not in tables:
        if scales.is_file():
            out.add(
                Problem(
                    file="survey.csv",
                    expected="the survey table that scales.yml describes (or remove scales.yml)",
                    kind="missing_file",
                )
            )
        return None
    try:
        design = read_survey_design(scales)
    except DataError as err:
        out.problems.extend(err.problems)
        return None
    out.problems.extend(check_survey(tables["survey"], design, file=files["survey"]))
    return design


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
    typed = {
        name: _typed(frame, TABLES[name], read.codebook) for name, frame in read.tables.items()
    }
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
