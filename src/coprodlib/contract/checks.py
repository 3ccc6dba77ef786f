"""The checks of the data contract, and the collector that gathers their problems.

Each check adds :class:`~coprodlib.errors.Problem` objects to a :class:`Collector` rather than
raising, so that one pass lists everything wrong with a dataset. The checks cover a table's own
columns (presence, emptiness, whole numbers, uniqueness, patterns: :func:`check_tables`), the
codes against the codebook, the links between tables (:func:`cross_checks`), the dataset's
``codebook_extension`` and ``code_map`` (:func:`extend_codebook`, :func:`apply_code_map`) and
the survey against ``scales.yml`` (:func:`check_survey_files`).

>>> import pandas as pd
>>> out = Collector()
>>> frame = pd.DataFrame({"case_id": ["c1", "c2", "c3"]})
>>> out.rows("cases.csv", "case_id", frame, [False, True, False], "a known case")
>>> print(out.problems[0])
cases.csv, row 3, column 'case_id': found 'c2'; expected a known case
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..taxonomy.codebook import Codebook
from .rules import (
    MAX_WHOLE_NUMBER,
    TABLES,
    ColumnRule,
    TableRule,
    describe_failure,
    file_name_problem,
    table_schema,
)
from .survey_design import SurveyDesign, check_survey, read_survey_design

__all__ = [
    "MAX_PER_CHECK",
    "Collector",
    "extend_codebook",
    "apply_code_map",
    "check_tables",
    "cross_checks",
    "check_survey_files",
]

#: At most this many problems of one kind are listed per file and column; one more problem
#: then says how many further rows have it, so a million bad rows stay a readable report.
MAX_PER_CHECK = 20

#: Tables checked by their own step rather than by :func:`check_tables`.
_CHECKED_APART = ("codebook_extension", "code_map", "survey")


class Collector:
    """Collects problems, capping each (file, column, kind) at MAX_PER_CHECK rows."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        #: per file, the line on which each record starts, when records span several lines
        self.lines: dict[str, np.ndarray] = {}
        #: per (file, column), the cells of a whole-number column as the file writes them
        self.raw: dict[tuple[str, str], pd.Series] = {}
        #: per table, the row in its parent table of each row's foreign key (-1: none), where
        #: the check found it (the codings' segments, for the analyses)
        self.positions: dict[str, np.ndarray] = {}
        #: per column (by its array), what ``pd.factorize`` gives: see :meth:`factorize`
        self.factorized: dict[int, tuple[Any, np.ndarray, Any]] = {}

    def factorize(self, values: pd.Series) -> tuple[np.ndarray, Any]:
        """``pd.factorize(values)`` (codes, and the distinct values without missing ones),
        worked out once per column: the checks of codes and of repeated codings, and the
        typing of the loaded tables, share it."""
        array = values.array
        found = self.factorized.get(id(array))
        if found is not None and found[0] is array:
            return found[1], found[2]
        codes, uniques = pd.factorize(values)
        self.factorized[id(array)] = (array, codes, uniques)
        return codes, uniques

    def line_numbers(self, file: str, positions: Any) -> np.ndarray:
        """Spreadsheet row numbers (header = 1) of 0-based record positions in ``file``."""
        positions = np.asarray(positions, dtype=np.int64)
        lines = self.lines.get(file)
        return positions + 2 if lines is None else lines[positions]

    def add(self, problem: Problem) -> None:
        """Add one problem as it is."""
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


# --------------------------------------------------------------------------- one table


def check_tables(
    tables: dict[str, pd.DataFrame], files: dict[str, str], cb: Codebook, out: Collector
) -> None:
    """Check each table's own columns and codes (all but the extension, code map and survey).

    Whole-number columns are converted in place (to ``Int64``) on the way.
    """
    for name, frame in tables.items():
        if name in _CHECKED_APART:
            continue
        rule = TABLES[name]
        _check_table(frame, rule, files[name], out)
        _check_codes(frame, rule, files[name], cb, out)


def _check_table(frame: pd.DataFrame, rule: TableRule, file: str, out: Collector) -> None:
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
    try:
        table_schema(rule).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        _report_schema_failures(err.failure_cases, frame, rule, file, out)
    for col in rule.columns:
        if col.name in frame.columns:
            if col.unique:
                _check_unique(frame, col, file, out)
            if col.file_name:
                _check_file_names(frame, col, file, out)


def _coerce_ints(frame: pd.DataFrame, rule: TableRule, file: str, out: Collector) -> None:
    """Turn whole-number columns into ``Int64``, reporting (and blanking) cells that are not
    whole numbers or are too large to be a year or an offset (at most 15 digits)."""
    for col in rule.columns:
        if col.kind != "int" or col.name not in frame.columns:
            continue
        raw = frame[col.name]
        out.raw[(file, col.name)] = raw
        # as floats: a number past the 64-bit integers must not stop the reading
        as_num = _as_numbers(raw)
        given = raw.notna().to_numpy()
        number = np.isfinite(as_num.to_numpy())
        whole = number & (np.nan_to_num(as_num.to_numpy()) % 1 == 0)
        large = whole & (np.abs(np.nan_to_num(as_num.to_numpy())) >= MAX_WHOLE_NUMBER)
        not_whole = given & ~whole
        out.rows(file, col.name, frame, not_whole, "a whole number", "wrong_type", raw)
        out.rows(file, col.name, frame, given & large,
                 f"a whole number below {MAX_WHOLE_NUMBER:,}", "too_large", raw)  # fmt: skip
        frame[col.name] = as_num.where(whole & ~large).round().astype("Int64")


def _as_numbers(raw: pd.Series) -> pd.Series:
    """The cells as floating-point numbers (NaN where a cell is empty or not a number), as
    ``pd.to_numeric(raw, errors="coerce")`` gives them.

    Cells that are all plain ASCII digits, at most 15 of them (offsets, years), are parsed
    as one array: their digits are joined into one text and summed up place by place. Any
    other cell sends the column through ``pd.to_numeric``.

    >>> _as_numbers(pd.Series(["12", None, "007"])).tolist()
    [12.0, nan, 7.0]
    >>> _as_numbers(pd.Series(["1e3", "x"])).tolist()
    [1000.0, nan]
    """
    given = raw.notna().to_numpy()
    cells = raw.to_numpy(dtype=object)[given]
    numbers = _digit_cells(cells)
    if numbers is None:
        return pd.to_numeric(raw, errors="coerce").astype(float)
    values = np.full(len(raw), np.nan)
    values[given] = numbers
    return pd.Series(values, index=raw.index, name=raw.name)


def _digit_cells(cells: np.ndarray) -> np.ndarray | None:
    """The whole numbers that cells of 1 to 15 ASCII digits write, or ``None`` when a cell
    is anything else (a sign, a point, a space, another script's digits, not text)."""
    if not len(cells):
        return None
    try:
        joined = "".join(cells)
        sizes = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    except TypeError:  # a cell that is not text
        return None
    if not (joined.isascii() and joined.isdigit()) or sizes.min() < 1 or sizes.max() > 15:
        return None
    digits = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    starts = np.cumsum(sizes) - sizes
    out = np.zeros(len(cells), dtype=np.int64)
    for place in range(int(sizes.max())):
        more = sizes > place
        out[more] = out[more] * 10 + digits[starts[more] + place]
    return out


def _check_unique(frame: pd.DataFrame, col: ColumnRule, file: str, out: Collector) -> None:
    """Each value once; a repeat names the row that has the value first.

    A column whose values become file names is compared ignoring upper and lower case, since
    the file systems of Windows and macOS do.
    """
    values = frame[col.name].reset_index(drop=True)
    key = values.str.lower() if col.file_name else values
    repeat = (key.notna() & key.duplicated(keep="first")).to_numpy()
    positions = np.flatnonzero(repeat)
    if len(positions) == 0:
        return
    firsts = key.drop_duplicates(keep="first").dropna()
    first_of = pd.Series(firsts.index.to_numpy(), index=firsts.to_numpy())
    first = first_of.reindex(key.iloc[positions].to_numpy()).to_numpy()
    shown, first = positions[:MAX_PER_CHECK], first[:MAX_PER_CHECK]
    rows = out.line_numbers(file, shown)
    first_rows = out.line_numbers(file, first)
    for pos, row, other, other_pos in zip(shown, rows, first_rows, first, strict=True):
        earlier = values.iat[int(other_pos)]
        same = earlier == values.iat[pos]
        expected = (
            f"a unique {col.name} (row {int(other)} has it already)"
            if same
            else f"a {col.name} unique ignoring upper and lower case, as file names are on "
            f"Windows and macOS (row {int(other)} has {earlier!r})"
        )
        out.add(Problem(file=file, row=int(row), column=col.name, value=values.iat[pos],
                        expected=expected, kind="duplicate"))  # fmt: skip
    if len(positions) > MAX_PER_CHECK:
        out.add(
            Problem(
                file=file,
                column=col.name,
                value=f"{len(positions) - MAX_PER_CHECK:,} more rows",
                expected=f"a unique {col.name}",
                kind="duplicate",
            )
        )


def _check_file_names(frame: pd.DataFrame, col: ColumnRule, file: str, out: Collector) -> None:
    """Values that become file names fit :data:`~.rules.FILE_NAME_ID`, each with its reason."""
    values = frame[col.name]
    reasons = {v: file_name_problem(v) for v in pd.unique(values.dropna())}
    bad = [v for v, why in reasons.items() if why is not None]
    if not bad:
        return
    rule = (
        "1 to 64 ASCII letters, digits, '_' or '-', beginning with a letter or digit, and not "
        "a device name of Windows such as CON or NUL (see data/README.md)"
    )
    positions = np.flatnonzero(values.isin(bad).to_numpy())
    shown = positions[:MAX_PER_CHECK]
    for pos, row in zip(shown, out.line_numbers(file, shown), strict=True):
        value = values.iat[pos]
        out.add(Problem(file=file, row=int(row), column=col.name, value=value,
                        expected=f"a {col.name} that can name a file: {rule}; {reasons[value]}",
                        kind="unsafe_name"))  # fmt: skip
    if len(positions) > MAX_PER_CHECK:
        out.add(Problem(file=file, column=col.name,
                        value=f"{len(positions) - MAX_PER_CHECK:,} more rows",
                        expected=f"a {col.name} that can name a file: {rule}",
                        kind="unsafe_name"))  # fmt: skip


def _report_schema_failures(
    cases: pd.DataFrame, frame: pd.DataFrame, rule: TableRule, file: str, out: Collector
) -> None:
    """One problem per failing row for each (column, check) in pandera's failure cases."""
    cases = cases[cases["check"].astype(str) != "column_in_dataframe"]
    by_col = {c.name: c for c in rule.columns}
    for (column, check), group in cases.groupby(["column", "check"], sort=False, dropna=False):
        col = by_col.get(column)
        if col is None:
            continue
        expected, kind = describe_failure(col, str(check))
        index = pd.to_numeric(group["index"], errors="coerce").dropna().astype(int)
        mask = np.zeros(len(frame), dtype=bool)
        mask[index.to_numpy()] = True
        raw = out.raw.get((file, col.name))  # a number as the file writes it
        out.rows(file, col.name, frame, mask, expected, kind, values=raw)


def _check_codes(
    frame: pd.DataFrame, rule: TableRule, file: str, cb: Codebook, out: Collector
) -> None:
    """Codebook-valued columns hold ids of the right dimension (with 'did you mean')."""
    for col in rule.columns:
        if col.kind == "codebook" and col.name in frame.columns:
            _check_code_column(frame[col.name], col, file, cb, out)


def _check_code_column(
    values: pd.Series, col: ColumnRule, file: str, cb: Codebook, out: Collector
) -> None:
    """The codebook's problems for one column, at most MAX_PER_CHECK per bad value."""
    present = values.notna().to_numpy()
    if col.extra:
        present = present & ~values.isin(col.extra).to_numpy()
    if not present.any():
        return
    allowed = set(cb.ids(col.dimension) if col.dimension else cb.ids()) | set(col.extra)
    if set(out.factorize(values)[1]) <= allowed:  # every distinct code is known: no problem
        return
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


# --------------------------------------------------------------------------- codebook and map


def extend_codebook(cb: Codebook, ext: pd.DataFrame, file: str, out: Collector) -> Codebook:
    """Check the dataset's ``codebook_extension`` and return ``cb`` extended by its codes.

    When the table lacks a column or the extension cannot be added, ``cb`` comes back as it
    was and the reasons are in ``out``.
    """
    _check_table(ext, TABLES["codebook_extension"], file, out)
    if not all(c in ext.columns for c in ("id", "label", "dimension")):
        return cb
    allowed = [*cb.dimensions, "local"]
    bad = ext["dimension"].notna().to_numpy() & ~ext["dimension"].isin(allowed).to_numpy()
    out.rows(
        file,
        "dimension",
        ext,
        bad,
        f"a codebook dimension or 'local' (one of {', '.join(allowed)})",
    )
    try:
        return cb.extend(ext, file=file)
    except DataError as err:
        out.problems.extend(err.problems)
        return cb


def apply_code_map(
    tables: dict[str, pd.DataFrame], file: str, cb: Codebook, out: Collector
) -> None:
    """Check ``tables["code_map"]``, then put the codebook ids it gives in place of the
    project's own code names, and of the local ids of codes mapped after the import, in the
    codings and the double coding (in place)."""
    code_map = tables["code_map"]
    rule = TABLES["code_map"]
    _check_table(code_map, rule, file, out)
    _check_codes(code_map, rule, file, cb, out)
    if not {"project_code", "code"} <= set(code_map.columns):
        return
    rows = code_map.dropna(subset=["code"])
    mapping = rows.drop_duplicates("project_code", keep="last").set_index("project_code")["code"]
    if "local_id" in rows.columns:
        # a local code the researcher has since mapped (``coprod map``, then filled in): the
        # codings hold its local id, which now stands for the codebook id given
        local = rows.dropna(subset=["local_id"])
        local = local[local["local_id"].astype(str).str.strip() != ""]
        by_local = local.drop_duplicates("local_id", keep="last").set_index("local_id")["code"]
        mapping = pd.concat([mapping, by_local[~by_local.index.isin(mapping.index)]])
    if mapping.empty:
        return
    for name in ("codings", "double_coding"):
        frame = tables.get(name)
        if frame is None or "code" not in frame.columns:
            continue
        mapped = frame["code"].map(mapping)
        frame["code"] = mapped.where(mapped.notna(), frame["code"])


# --------------------------------------------------------------------------- across tables


def cross_checks(tables: dict[str, pd.DataFrame], files: dict[str, str], out: Collector) -> None:
    """The links between tables: foreign keys, each segment's case against its participant's,
    segment offsets, and codings given twice."""
    cases = tables.get("cases")
    parts = tables.get("participants")
    segs = tables.get("segments")
    docs = tables.get("documents")
    if parts is not None and cases is not None:
        _foreign_key(out, parts, files["participants"], "case_id", cases, files["cases"])
    if segs is not None:
        _check_segments(tables, files, out)
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
            _foreign_key(out, frame, files[name], "segment_id", segs, files["segments"], keep=name)
    _check_repeated_codings(tables, files, out)


def _foreign_key(
    out: Collector,
    child: pd.DataFrame,
    child_file: str,
    column: str,
    parent: pd.DataFrame,
    parent_file: str,
    keep: str | None = None,
) -> None:
    """Each value of ``child[column]`` exists in ``parent[column]`` (missing values pass).

    With ``keep``, the row of the parent that each value names is kept in
    ``out.positions[keep]`` (-1 where none), when the parent's values are unique: the
    look-up that checks the values finds them anyway.
    """
    if column not in child.columns or column not in parent.columns:
        return
    values = child[column]
    index = pd.Index(parent[column]) if keep is not None else None
    if index is not None and index.is_unique and not index.hasnans:
        positions = index.get_indexer(values)
        out.positions[keep] = positions
        found = positions >= 0
    else:
        found = values.isin(parent[column].dropna()).to_numpy()
    bad = values.notna().to_numpy() & ~found
    out.rows(
        child_file,
        column,
        child,
        bad,
        f"a {column} that exists in {parent_file}",
        kind="foreign_key",
    )


def _check_segments(tables: dict[str, pd.DataFrame], files: dict[str, str], out: Collector) -> None:
    """The segments' links to cases, participants and documents, and their offsets."""
    segs = tables["segments"]
    cases = tables.get("cases")
    parts = tables.get("participants")
    docs = tables.get("documents")
    if cases is not None:
        _foreign_key(out, segs, files["segments"], "case_id", cases, files["cases"])
    if parts is not None:
        _foreign_key(out, segs, files["segments"], "participant_id", parts, files["participants"])
        _check_segment_cases(segs, parts, files["segments"], out)
    if docs is not None and "document_id" in segs.columns:
        _foreign_key(out, segs, files["segments"], "document_id", docs, files["documents"])
    _check_offsets(segs, files["segments"], out)


def _check_segment_cases(
    segs: pd.DataFrame, parts: pd.DataFrame, file: str, out: Collector
) -> None:
    """Each segment's case is the case its participant belongs to."""
    cols = {"participant_id", "case_id"}
    if not (cols <= set(segs.columns) and cols <= set(parts.columns)):
        return
    own = segs["participant_id"].map(
        parts.drop_duplicates("participant_id").set_index("participant_id")["case_id"]
    )
    bad = own.notna().to_numpy() & (own.to_numpy() != segs["case_id"].to_numpy())
    bad &= segs["case_id"].notna().to_numpy()
    if not bad.any():  # the values below are texts made for the problems only
        return
    out.rows(
        file,
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


def _check_offsets(segs: pd.DataFrame, file: str, out: Collector) -> None:
    """A segment's start offset is not after its end (when both are whole numbers)."""
    if not {"start", "end"} <= set(segs.columns):
        return
    start, end = segs["start"], segs["end"]
    if not (pd.api.types.is_integer_dtype(start) and pd.api.types.is_integer_dtype(end)):
        return
    bad = (start > end).fillna(False).to_numpy(dtype=bool)
    if not bad.any():
        return
    out.rows(
        file,
        "start",
        segs,
        bad,
        "start <= end (the segment's start offset lies after its end)",
        values=start.astype(object).astype(str) + " > " + end.astype(str),
    )


def _check_repeated_codings(
    tables: dict[str, pd.DataFrame], files: dict[str, str], out: Collector
) -> None:
    """No code given twice to a segment by the same coder: it would count twice everywhere.

    In ``codings`` the coder counts once the column names one: two coders may give a segment
    the same code (a team's project), and the analyses count such a code once per segment
    (the union of the coders' codings). Without coders, the key is (segment_id, code).
    """
    codings = tables.get("codings")
    with_coders = (
        codings is not None and "coder" in codings.columns and codings["coder"].notna().any()
    )
    for name, key in (
        ("codings", ["segment_id", "coder", "code"] if with_coders else ["segment_id", "code"]),
        ("double_coding", ["segment_id", "coder", "code"]),
    ):
        frame = tables.get(name)
        if frame is None or not set(key) <= set(frame.columns):
            continue
        dup = _repeated_rows(frame, key, out.positions.get(name), out)
        if not dup.any():
            continue
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


def _repeated_rows(
    frame: pd.DataFrame, key: list[str], segments: np.ndarray | None, out: Collector | None = None
) -> np.ndarray:
    """``frame.duplicated(subset=key)``, with the segment ids replaced by the segments' rows
    when the foreign-key check found every one of them (equal ids, equal rows): numbers are
    compared much faster than a million ids."""
    if segments is None or len(segments) != len(frame) or (segments < 0).any():
        return frame.duplicated(subset=key, keep="first").to_numpy()
    combined = segments.astype(np.int64)
    for col in key[1:]:
        codes, uniques = out.factorize(frame[col]) if out is not None else pd.factorize(frame[col])
        combined = combined * (len(uniques) + 1) + (codes + 1)
        combined, _ = pd.factorize(combined)  # keep the numbers small
    return pd.Series(combined).duplicated(keep="first").to_numpy()


# --------------------------------------------------------------------------- the survey


def check_survey_files(
    folder: Path, tables: dict[str, pd.DataFrame], files: dict[str, str], out: Collector
) -> SurveyDesign | None:
    """Read ``scales.yml`` and check the survey's answers against it.

    Returns the design, or ``None`` when there is no survey, no ``scales.yml`` (a survey
    without scales: its respondent ids are still checked) or ``scales.yml`` cannot be read.
    A ``scales.yml`` without a survey table is a problem too.
    """
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
    if not scales.exists():
        # no scales: the answers are kept as they are; the ids are still checked
        found = check_survey(tables["survey"], SurveyDesign(), file=files["survey"])
        _add_survey_problems(found, files, out)
        return None
    try:
        design = read_survey_design(scales)
    except DataError as err:
        out.problems.extend(err.problems)
        return None
    found = check_survey(tables["survey"], design, file=files["survey"])
    _add_survey_problems(found, files, out)
    return design


def _add_survey_problems(found: list[Problem], files: dict[str, str], out: Collector) -> None:
    lines = out.lines.get(files["survey"])
    if lines is not None:  # records over several lines: the line each record starts on
        found = [p if p.row is None else replace(p, row=int(lines[p.row - 2])) for p in found]
    out.problems.extend(found)
