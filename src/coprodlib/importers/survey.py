"""Import survey exports (SPSS ``.sav``, Excel ``.xlsx``, ``.csv``) into a dataset folder.

:func:`import_survey` writes three files into the target folder (files already there, such
as an imported interview project, are kept):

- ``survey.csv``: one row per respondent. The respondent id column (``--id-column``, or the
  first of ``respondent_id``, ``ResponseId``, ``id``, ... that exists) becomes
  ``respondent_id`` and its values are replaced by pseudonyms (``R-...``; the key goes to
  ``pseudonym_key.csv``); without an id column respondents are numbered. Columns that
  identify people directly (IP address, e-mail, recipient names, GPS location, as Qualtrics
  and LimeSurvey export them) are dropped.
- ``survey_dictionary.csv``: the data dictionary, one row per column of the source file:
  ``column``, ``source_column``, ``label`` (the SPSS variable label, or the question text of
  a Qualtrics export), ``type``, ``measure``, ``value_labels`` (``1=Agree | 2=...``),
  ``scale`` and ``note``.
- ``scales.yml``: a copy of ``--scales`` (or the one already in the folder), after every
  Likert answer was checked against its scale's range.

SPSS value labels become categories: a labelled column holds the labels instead of the
numbers, except Likert items (items of a scale in ``scales.yml``; without scales, columns
SPSS measures as ordinal or scale), which keep their numbers for scoring; their labels are
kept in the dictionary either way.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import safe_archive
from .._io import write_csv
from ..errors import DataError, Problem, fail
from ..taxonomy.records import normalize_name
from .identifying import identifying_columns
from .pseudonyms import Pseudonymizer
from .staging import check_target, read_dataset_meta, staged_target, write_meta
from .starter_scales import guess_scales, starter_yaml

if TYPE_CHECKING:
    from ..contract.survey_design import SurveyDesign

__all__ = [
    "ID_CANDIDATES",
    "IDENTIFYING_COLUMNS",
    "MAX_SURVEY_BYTES",
    "SurveyFile",
    "SurveyImportResult",
    "import_survey",
    "read_survey_file",
]

#: Largest survey file read (bytes).
MAX_SURVEY_BYTES = 1024**3
#: Respondent id columns looked for (case, spaces and punctuation ignored), in this order.
ID_CANDIDATES = ("respondent_id", "ResponseId", "response_id", "id", "respondent", "caseid")
#: Columns dropped because they identify respondents directly (matched like ID_CANDIDATES).
IDENTIFYING_COLUMNS = (
    "IPAddress",
    "ipaddr",
    "RecipientEmail",
    "RecipientFirstName",
    "RecipientLastName",
    "LocationLatitude",
    "LocationLongitude",
    "email",
    "e-mail",
    "email_address",
    "first_name",
    "last_name",
    "full_name",
    "phone",
)
SUFFIXES = (".sav", ".zsav", ".xlsx", ".csv", ".tsv", ".txt")
_DICT_COLUMNS = (
    "column",
    "source_column",
    "label",
    "type",
    "measure",
    "value_labels",
    "scale",
    "note",
)


@dataclass
class SurveyFile:
    """A survey file as read: the answers and what the file says about its columns.

    ``labels`` maps column -> variable label (question text); ``value_labels`` column ->
    {value: label}; ``measure`` column -> SPSS measurement level (nominal, ordinal, scale);
    ``missing`` column -> the user-missing codes the file declares (as text, e.g. ``9`` or
    ``8-9``), which are already empty in ``data``.
    """

    data: pd.DataFrame
    labels: dict[str, str]
    value_labels: dict[str, dict[Any, str]]
    measure: dict[str, str]
    file: str
    kind: str
    missing: dict[str, str] = field(default_factory=dict)
    missing_ranges: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)

    def is_missing_code(self, column: str, value: Any) -> bool:
        """Whether ``value`` is one of the codes the file declares missing in ``column``."""
        return any(
            isinstance(value, (int, float, np.number)) and lo <= value <= hi
            for lo, hi in self.missing_ranges.get(column, ())
        )


@dataclass(frozen=True)
class SurveyImportResult:
    """What :func:`import_survey` wrote; :meth:`summary` is what the command prints."""

    path: Path
    source: str
    respondents: int
    columns: int
    labelled: int
    checked_scales: tuple[str, ...]
    dropped: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    dropped_reasons: tuple[str, ...] = ()
    missing_codes: tuple[str, ...] = ()
    starter_scales: bool = False

    def summary(self) -> str:
        lines = [
            f"imported {self.source} into {self.path}",
            f"  {self.respondents} respondent(s), {self.columns} column(s) in survey.csv; "
            "data dictionary in survey_dictionary.csv",
            f"  {self.labelled} column(s) with value labels",
        ]
        if self.missing_codes:
            lines.append(
                "  codes the file declares missing, left empty: " + "; ".join(self.missing_codes)
            )
        if self.checked_scales:
            origin = "a starter scales.yml (check it)" if self.starter_scales else "scales.yml"
            lines.append(
                f"  Likert answers checked against {origin}: {', '.join(self.checked_scales)}"
            )
        if self.dropped:
            reasons = self.dropped_reasons or self.dropped
            lines.append(f"  dropped identifying column(s): {'; '.join(reasons)}")
        lines += [f"  warning: {w}" for w in self.warnings]
        lines.append(f"  next: coprod validate {self.path}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- reading


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose every non-empty cell is a number become numbers."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        num = pd.to_numeric(s, errors="coerce")
        if s.notna().sum() and num.notna().sum() == s.notna().sum():
            out[col] = num
    return out


def _qualtrics(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Drop the two extra header rows of a Qualtrics export, keeping the question texts."""
    if len(frame) >= 2:
        second = frame.iloc[1].astype(str)
        if second.str.startswith('{"ImportId"').mean() >= 0.5:
            labels = {c: str(v) for c, v in frame.iloc[0].items() if pd.notna(v) and str(v).strip()}
            return frame.iloc[2:].reset_index(drop=True), labels
    return frame, {}


def _read_sav(path: Path) -> SurveyFile:
    import pyreadstat

    try:
        data, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, OSError) as exc:
        raise fail(path.name, f"a readable SPSS .sav file ({exc})", "unreadable") from None
    labels = {c: lab for c, lab in (meta.column_names_to_labels or {}).items() if lab}
    value_labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items() if v}
    measure = {c: str(m) for c, m in (meta.variable_measure or {}).items() if m}
    ranges, shown = _user_missing(data, meta)
    return SurveyFile(
        data, labels, value_labels, measure, path.name, "sav", shown, missing_ranges=ranges
    )


def _code(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _user_missing(
    data: pd.DataFrame, meta: Any
) -> tuple[dict[str, tuple[tuple[float, float], ...]], dict[str, str]]:
    """Empty the user-missing codes SPSS declares (discrete values and ranges), in place.

    Returns the ranges per column and the codes as text for the dictionary and summary.
    """
    ranges: dict[str, tuple[tuple[float, float], ...]] = {}
    shown: dict[str, str] = {}
    for col, spec in (getattr(meta, "missing_ranges", None) or {}).items():
        if col not in data.columns or not pd.api.types.is_numeric_dtype(data[col]):
            continue  # string user-missing values are rare; they stay as answers
        pairs = tuple(
            (float(r["lo"]), float(r["hi"]))
            for r in spec
            if isinstance(r.get("lo"), (int, float)) and isinstance(r.get("hi"), (int, float))
        )
        if not pairs:
            continue
        values = data[col]
        mask = np.zeros(len(values), dtype=bool)
        for lo, hi in pairs:
            mask |= ((values >= lo) & (values <= hi)).to_numpy()
        data.loc[mask, col] = np.nan
        ranges[col] = pairs
        shown[col] = ", ".join(
            _code(lo) if lo == hi else f"{_code(lo)}-{_code(hi)}" for lo, hi in pairs
        )
    return ranges, shown


def _read_xlsx(path: Path, sheet: str | None) -> SurveyFile:
    try:
        with zipfile.ZipFile(path) as zf:
            safe_archive.check_archive(zf, path.name)
    except zipfile.BadZipFile:
        raise fail(path.name, "an .xlsx workbook (this file is not one)", "unreadable") from None
    try:
        data = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl")
    except ValueError as exc:
        raise fail(path.name, f"a readable worksheet ({exc})", "unreadable") from None
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise fail(path.name, f"a readable .xlsx workbook ({exc})", "unreadable") from None
    data.columns = [str(c).strip() for c in data.columns]
    data, labels = _qualtrics(data)
    return SurveyFile(_numeric(data), labels, {}, {}, path.name, "xlsx")


def _read_csv(path: Path) -> SurveyFile:
    raw = path.read_bytes()
    codec = "utf-16" if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise fail(
            path.name,
            "UTF-8 text (the file seems to use another encoding; export it again as UTF-8 CSV)",
            "encoding",
            value=f"line {line}",
        ) from None
    if not text.strip():
        raise fail(path.name, "a header line and rows", "empty")
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda s: counts[s]) if max(counts.values()) else ","
    try:
        data = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""]
        )
    except pd.errors.ParserError as exc:
        raise fail(path.name, f"a well-formed CSV table ({exc})", "syntax") from None
    _check_header(text.split("\n", 1)[0], sep, path.name)
    data.columns = [str(c).strip() for c in data.columns]
    data, labels = _qualtrics(data)
    return SurveyFile(_numeric(data), labels, {}, {}, path.name, "csv")


def _check_header(line: str, sep: str, file: str) -> None:
    """Refuse a column name used twice (pandas would rename the second one quietly)."""
    import csv

    names = [n.strip() for n in next(csv.reader([line.rstrip("\r")], delimiter=sep), [])]
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise fail(
                file,
                f"each column name once in the header (column {position} repeats column "
                f"{seen[name]})",
                "duplicate_column",
                name,
                row=1,
            )
        seen[name] = position


def read_survey_file(path: Path | str, *, sheet: str | None = None) -> SurveyFile:
    """Read an SPSS ``.sav``/``.zsav``, ``.xlsx`` or ``.csv`` survey export.

    SPSS files are read with their variable labels, value labels and measurement levels
    (values stay numeric here; user-defined missing values become empty). CSV files may be
    UTF-8 (with or without a byte-order mark) or UTF-16, separated by commas, semicolons or
    tabs; Qualtrics' extra header rows are recognised and turned into labels.

    Raises
    ------
    DataError
        For a missing, oversized, unreadable or unsupported file.
    """
    path = Path(path)
    if not path.is_file():
        raise fail(str(path), "an existing survey file (no such file)", "missing")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise fail(path.name, f"a survey file ending in {', '.join(SUFFIXES)}", value=path.suffix)
    if path.stat().st_size > MAX_SURVEY_BYTES:
        raise fail(path.name, f"a file of at most {MAX_SURVEY_BYTES} bytes", "too_large")
    if suffix in (".sav", ".zsav"):
        return _read_sav(path)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet)
    return _read_csv(path)


# --------------------------------------------------------------------------- importing


def _find_column(columns: list[str], wanted: tuple[str, ...]) -> str | None:
    norm = {normalize_name(c): c for c in reversed(columns)}
    for w in wanted:
        hit = norm.get(normalize_name(w))
        if hit is not None:
            return hit
    return None


def _format_labels(labels: dict[Any, str]) -> str:
    def key(v: Any) -> str:
        return f"{v:g}" if isinstance(v, float) else str(v)

    return " | ".join(f"{key(v)}={lab}" for v, lab in labels.items())


def _as_label(value: Any, labels: dict[Any, str]) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if value in labels:
        return labels[value]
    if isinstance(value, float) and value.is_integer() and int(value) in labels:
        return labels[int(value)]
    return f"{value:g}" if isinstance(value, float) else value


def _id_text(value: Any) -> str:
    """A respondent id as text: 1001.0 (SPSS stores numbers as floats) becomes '1001'."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns that only hold whole numbers become nullable integers (no '3.0')."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s) and s.notna().any():
            vals = s.dropna()
            # past 2**53 a float no longer holds every whole number: leave such columns as
            # they are (a value past int64 could not be cast at all)
            small = np.all(np.abs(vals) < 2**53)
            if np.all(np.isfinite(vals)) and small and np.all(vals == np.round(vals)):
                out[col] = s.round().astype("Int64")
    return out


def _role_ids(out: dict[str, pd.Series], column: str, dictionary: list[dict[str, Any]]) -> None:
    """Role names (labels or aliases of codebook roles) become role ids when all resolve."""
    from ..taxonomy.codebook import get_codebook

    cb = get_codebook()
    roles = set(cb.ids("role"))
    values = out[column].astype(object)
    present = [v for v in pd.unique(values.dropna())]
    resolved = {v: cb.resolve(v) for v in present}
    if not present or any(r not in roles for r in resolved.values()):
        return
    if all(v == r for v, r in resolved.items()):
        return
    out[column] = values.map(lambda v: resolved.get(v, v) if pd.notna(v) else None)
    for entry in dictionary:
        if entry.get("column") == column:
            note = "values turned into codebook role ids"
            entry["note"] = f"{entry['note']}; {note}" if entry.get("note") else note


def import_survey(
    path: Path | str,
    to: Path | str,
    *,
    scales: Path | str | None = None,
    id_column: str | None = None,
    sheet: str | None = None,
    keep_columns: Sequence[str] = (),
) -> SurveyImportResult:
    """Import a survey file into a dataset folder (see the module text for what is written).

    Parameters
    ----------
    path : Path
        ``.sav``/``.zsav``, ``.xlsx`` or ``.csv`` file.
    to : Path
        Dataset folder: new, or an existing non-synthetic dataset to add the survey to.
    scales : Path, optional
        Scale definitions (see
        :func:`coprodlib.contract.survey_design.read_survey_design`); default: the
        ``scales.yml`` already in ``to``. Every Likert answer is checked against them.
    id_column : str, optional
        The respondent id column (default: the first of :data:`ID_CANDIDATES` present);
        ``"none"`` numbers respondents by row (``r00001``, ...) and keeps every column.
    sheet : str, optional
        Worksheet of an ``.xlsx`` file (default: the first).
    keep_columns : sequence of str
        Columns that look identifying (see :mod:`coprodlib.importers.identifying`) but
        were checked and should be kept; every other such column is dropped.

    Returns
    -------
    SurveyImportResult
        Counts, the scales checked and the columns dropped; ``summary()`` is what
        ``coprod import survey`` prints.

    Raises
    ------
    DataError
        For an unreadable file, an unknown ``id_column``, duplicate or empty respondent
        ids, bad scale definitions, and answers that do not fit them (listing each). Nothing
        is written then.
    """
    target = Path(to).expanduser().absolute()
    earlier = check_target(target, "survey")
    previous = target if earlier else None
    survey = read_survey_file(path, sheet=sheet)
    warnings: list[str] = []
    scales_path, design = _scale_design(scales, previous)

    columns = [str(c) for c in survey.data.columns]
    id_col = _id_column(columns, id_column, survey.file)
    unknown_keep = [c for c in keep_columns if c not in columns]
    if unknown_keep:
        raise fail(survey.file, "columns of the survey to keep", "missing_column",
                   ", ".join(unknown_keep))  # fmt: skip
    found = identifying_columns(
        survey.data, survey.labels, keep=keep_columns, skip={id_col} if id_col else ()
    )
    exact = {normalize_name(c) for c in IDENTIFYING_COLUMNS}
    for col in columns:
        if normalize_name(col) in exact and col not in keep_columns and col != id_col:
            found.setdefault(col, "its name")
    pseudo = Pseudonymizer.for_folder(previous)
    ids = _respondent_ids(survey, id_col, pseudo, warnings)
    table, dictionary, dropped, labelled = _survey_table(
        survey, columns, id_col, ids, design, warnings, found
    )
    starter = None
    if design is None:
        starter, design = _starter_design(table, survey, id_col, warnings)
    checked = _check_answers(table, design, survey.file, warnings)
    dict_frame = pd.DataFrame(dictionary).reindex(columns=list(_DICT_COLUMNS))
    meta = _survey_meta(previous, target, Path(path).stem, survey, len(table), checked)
    with staged_target(target, kind="survey") as stage:
        write_csv(table, stage.folder / "survey.csv")
        write_csv(dict_frame, stage.folder / "survey_dictionary.csv")
        if starter is not None:
            (stage.folder / "scales.yml").write_text(starter, encoding="utf-8")
        elif scales_path is not None and scales_path.resolve() != (target / "scales.yml").resolve():
            shutil.copyfile(scales_path, stage.folder / "scales.yml")
        write_meta(stage.folder, meta)
        pseudo.write(stage.folder, previous=previous)
    reasons = {c: found[c] for c in dropped}
    return SurveyImportResult(
        path=target,
        source=survey.file,
        respondents=len(table),
        columns=table.shape[1],
        labelled=labelled,
        checked_scales=checked,
        dropped=tuple(dropped),
        warnings=tuple(warnings),
        dropped_reasons=tuple(f"{c} ({r})" for c, r in reasons.items()),
        missing_codes=tuple(f"{c}: {codes}" for c, codes in survey.missing.items()),
        starter_scales=starter is not None,
    )


def _partly_labelled(survey: SurveyFile) -> set[str]:
    """Numeric columns where only some answers carry a value label (a Likert item labelled
    at its ends): their SPSS measure ("nominal" by default) says nothing then."""
    out = set()
    for col, labels in survey.value_labels.items():
        series = survey.data.get(col)
        numeric = series is not None and pd.api.types.is_numeric_dtype(series)
        if numeric and not series.dropna().isin(list(labels)).all():
            out.add(col)
    return out


def _starter_design(
    table: pd.DataFrame, survey: SurveyFile, id_col: str | None, warnings: list[str]
) -> tuple[str | None, SurveyDesign | None]:
    """A starter scales.yml guessed from the items (its text and design), or none found."""
    from ..contract.survey_design import SurveyDesign, read_survey_design

    exclude = {"respondent_id", SurveyDesign.condition_column, SurveyDesign.choice_column}
    labels = {
        col: {v: lab for v, lab in found.items() if not survey.is_missing_code(col, v)}
        for col, found in survey.value_labels.items()
    }
    measure = {c: m for c, m in survey.measure.items() if c not in _partly_labelled(survey)}
    guessed = guess_scales(table, value_labels=labels, measure=measure, exclude=exclude)
    if not guessed:
        warnings.append(
            "no multi-item Likert scale recognised (items sharing a name stem, such as "
            "q1_1, q1_2): no scales.yml written; add one to score scales"
        )
        return None, None
    text = starter_yaml(guessed, source_file=survey.file, missing=survey.missing)
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "scales.yml"
        probe.write_text(text, encoding="utf-8")
        design = read_survey_design(probe)
    warnings.append(
        f"wrote a starter scales.yml with {len(guessed)} scale(s) guessed from the items' "
        "names and ranges: check it, and mark reversed items"
    )
    return text, design


def _scale_design(
    scales: Path | str | None, previous: Path | None
) -> tuple[Path | None, SurveyDesign | None]:
    """The scales file in use (given, else the earlier one in the folder) and its design."""
    from ..contract.survey_design import read_survey_design

    scales_path = Path(scales) if scales is not None else None
    if scales_path is None and previous is not None and (previous / "scales.yml").is_file():
        scales_path = previous / "scales.yml"
    design = read_survey_design(scales_path) if scales_path is not None else None
    return scales_path, design


def _id_column(columns: list[str], id_column: str | None, file: str) -> str | None:
    """The respondent id column: the one named (which must exist), else the first candidate.

    ``"none"`` means there is none: respondents are numbered by row.
    """
    if id_column is None:
        return _find_column(columns, ID_CANDIDATES)
    if id_column.strip().lower() == "none" and id_column not in columns:
        return None
    if id_column not in columns:
        raise DataError(
            Problem(
                file=file,
                column=id_column,
                expected=f"the respondent id column named by --id-column (the file has: "
                f"{', '.join(columns[:15])})",
                kind="missing_column",
            )
        )
    return id_column


def _respondent_ids(
    survey: SurveyFile, id_col: str | None, pseudo: Pseudonymizer, warnings: list[str]
) -> pd.Series:
    """Pseudonymised respondent ids (or numbers without an id column); refuses empty or twice."""
    data, file = survey.data, survey.file
    if id_col is None:
        warnings.append("no respondent id column used: respondents numbered r00001, ... by row")
        return pd.Series([f"r{k:05d}" for k in range(1, len(data) + 1)], dtype=object)
    raw = data[id_col]
    empty = raw.isna() | (raw.astype(str).str.strip() == "")
    dup = raw.notna() & raw.duplicated(keep="first")
    first_row = {}
    for k, v in enumerate(raw):
        if pd.notna(v):
            first_row.setdefault(_id_text(v), k + 2)
    hint = "; or --id-column none to number respondents by row"
    problems = [
        Problem(file=file, row=int(k) + 2, column=id_col, expected="a respondent id",
                kind="missing_value")
        for k in np.flatnonzero(empty.to_numpy())[:20]
    ] + [
        Problem(file=file, row=int(k) + 2, column=id_col, value=_id_text(raw.iat[k]),
                expected=f"a respondent id used once (already on row "
                         f"{first_row[_id_text(raw.iat[k])]}{hint})",
                kind="duplicate")
        for k in np.flatnonzero(dup.to_numpy())[:20]
    ]  # fmt: skip
    if problems:
        raise DataError(problems)
    return pd.Series([pseudo("respondent", _id_text(v)) for v in raw], dtype=object)


def _survey_table(
    survey: SurveyFile,
    columns: list[str],
    id_col: str | None,
    ids: pd.Series,
    design: SurveyDesign | None,
    warnings: list[str],
    found: dict[str, str],
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[str], int]:
    """survey.csv and its dictionary rows, the identifying columns dropped, the labelled count."""
    data = survey.data
    item_scale = {i: s.name for s in design.scales.values() for i in s.items} if design else {}
    out: dict[str, pd.Series] = {"respondent_id": ids.set_axis(data.index)}
    dictionary = [
        {
            "column": "respondent_id",
            "source_column": id_col,
            "label": survey.labels.get(id_col, "respondent id (pseudonymised)")
            if id_col
            else "respondent number",
            "type": "id",
            "note": "pseudonymised" if id_col else "numbered by the import",
        }
    ]
    dropped: list[str] = []
    labelled = 0
    for col in columns:
        if col == id_col:
            continue
        entry: dict[str, Any] = {
            "column": col,
            "source_column": col,
            "label": survey.labels.get(col),
            "measure": survey.measure.get(col),
            "scale": item_scale.get(col),
        }
        if col in found:
            why = found[col]
            entry.update(
                column=None, type="dropped", note=f"identifies respondents ({why}); not imported"
            )
            dropped.append(col)
            dictionary.append(entry)
            continue
        if col == "respondent_id":
            entry.update(column=None, type="dropped", note="replaced by the pseudonymised id")
            dictionary.append(entry)
            continue
        if survey.value_labels.get(col):
            labelled += 1
        out[col] = _kept_column(col, entry, survey, design, item_scale, warnings)
        dictionary.append(entry)
    role_col = design.role_column if design else "role"
    if role_col in out:
        _role_ids(out, role_col, dictionary)
    return _whole_numbers(pd.DataFrame(out)), dictionary, dropped, labelled


def _kept_column(
    col: str,
    entry: dict[str, Any],
    survey: SurveyFile,
    design: SurveyDesign | None,
    item_scale: dict[str, str],
    warnings: list[str],
) -> pd.Series:
    """A column as survey.csv holds it; fills in its dictionary entry's type and note."""
    series = survey.data[col]
    vlabels = survey.value_labels.get(col)
    if vlabels:
        series = _labelled_column(col, series, vlabels, entry, survey, design, item_scale,
                                  warnings)  # fmt: skip
    else:
        entry["type"] = (
            "number"
            if pd.api.types.is_numeric_dtype(series)
            else "date"
            if pd.api.types.is_datetime64_any_dtype(series)
            else "text"
        )
    condition = design.condition_column if design else None
    choice = design.choice_column if design else None
    if col in (condition, choice) and entry.get("note") is None:
        entry["note"] = "condition" if col == condition else "coping choice"
    return series


def _labelled_column(
    col: str,
    series: pd.Series,
    vlabels: dict[Any, str],
    entry: dict[str, Any],
    survey: SurveyFile,
    design: SurveyDesign | None,
    item_scale: dict[str, str],
    warnings: list[str],
) -> pd.Series:
    """A column with value labels: Likert items keep their numbers, others become categories."""
    entry["value_labels"] = _format_labels(vlabels)
    if col in survey.missing:
        entry["note"] = f"declared missing in the file, left empty: {survey.missing[col]}"
        vlabels = {v: lab for v, lab in vlabels.items() if not survey.is_missing_code(col, v)}
    numbers = series.dropna()
    partly = pd.api.types.is_numeric_dtype(series) and not numbers.isin(list(vlabels)).all()
    likert = (
        col in item_scale
        or (design is None and survey.measure.get(col) in ("ordinal", "scale"))
        or partly  # only some answers labelled (often just the ends of a scale): numbers
    )
    if likert and pd.api.types.is_numeric_dtype(series):
        entry["type"] = "number"
        note = "Likert item: numbers kept; value labels in value_labels"
        entry["note"] = f"{note}; {entry['note']}" if entry.get("note") else note
        if col in item_scale:
            sc = design.scales[item_scale[col]]
            outside = [v for v in vlabels if isinstance(v, (int, float))
                       and not sc.low <= v <= sc.high
                       and not survey.is_missing_code(col, v)]  # fmt: skip
            if outside:
                warnings.append(
                    f"{col}: value labels for {', '.join(f'{v:g}' for v in outside)} "
                    f"lie outside the scale's range {sc.low:g}-{sc.high:g} (declare "
                    "them as missing values in SPSS if they mean 'don't know')"
                )
        return series
    cats = list(dict.fromkeys(vlabels.values()))
    values = [_as_label(v, vlabels) for v in series]
    extra = [v for v in dict.fromkeys(values) if v is not None and v not in cats]
    entry["type"] = "category"
    entry["note"] = "value labels applied" + (f"; {entry['note']}" if entry.get("note") else "")
    if extra:
        entry["note"] += f"; unlabelled values kept: {', '.join(map(str, extra))}"
    return pd.Series(pd.Categorical(values, categories=cats + extra), index=survey.data.index)


def _check_answers(
    table: pd.DataFrame, design: SurveyDesign | None, file: str, warnings: list[str]
) -> tuple[str, ...]:
    """Check every answer against the scales; the names of the scales checked."""
    from ..contract.survey_design import check_survey

    if design is None:
        return ()
    problems = check_survey(table, design, file=f"{file} (as survey.csv)")
    if problems:
        raise DataError(problems)
    return tuple(design.scales)


def _survey_meta(
    previous: Path | None,
    target: Path,
    stem: str,
    survey: SurveyFile,
    respondents: int,
    checked: tuple[str, ...],
) -> dict[str, Any]:
    """dataset.yml: an earlier import's entries kept, this survey recorded under imports."""
    meta = read_dataset_meta(previous) if previous is not None else {}
    imports = meta.get("imports") if isinstance(meta.get("imports"), dict) else {}
    new_meta = {
        "name": target.name,
        "title": meta.get("title") or f"{stem} (imported survey)",
        "synthetic": False,
    }
    for k, v in meta.items():
        if k not in new_meta and k != "imports":
            new_meta[k] = v
    new_meta.setdefault("source", survey.file)
    new_meta["imports"] = {
        **imports,
        "survey": {
            "command": "survey",
            "source": survey.file,
            "format": survey.kind,
            "respondents": respondents,
            "scales": list(checked),
        },
    }
    return new_meta
