"""Code matrices for statistics packages: one row per unit, one column per code.

:func:`code_matrix` builds the matrix of a dataset by segment, participant, document or
case: the unit's facts first (its case, participant, role, the case's country, phase, level,
mode and logic, ...), then one column per code the codings use, in codebook order, holding
1 when any segment of the unit carries the code and 0 otherwise (``counts=True``: how many
segments of the unit carry it; a segment coded with one code by two coders counts once).
:func:`export_matrix` writes it as CSV, SPSS (``.sav``), Stata (``.dta``) or Parquet, with a
data dictionary (``<name>_dictionary.csv``) beside it.

Column names: CSV and Parquet use the code ids. SPSS and Stata need valid variable names
(letters, digits and ``_``, a letter first; at most 64 characters in SPSS and 32 in Stata):
ids are cut and numbered to stay unique, and each variable's label holds the code's label
and its id (Stata labels stop at 80 characters). The dictionary pairs every column with its
code id, label and dimension.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._io import write_bytes_atomic, write_export_csv
from ..contract.dataset import Dataset, load_folder
from ..errors import fail
from .options import FORMATS, UNITS

__all__ = ["MatrixExport", "code_matrix", "export_matrix", "variable_names"]

#: Longest variable name and label per format (None: no limit of concern).
_NAME_LIMIT = {"sav": 64, "dta": 32}
_LABEL_LIMIT = {"sav": 256, "dta": 80}
_CASE_FACTS = ("country", "service_area", "phase", "level", "mode", "logic", "study", "year")


@dataclass(frozen=True)
class MatrixExport:
    """What :func:`export_matrix` wrote; :meth:`summary` is what the command prints."""

    path: Path
    dictionary: Path
    rows: int
    codes: int
    unit: str
    counts: bool

    def summary(self) -> str:
        """Two lines: the matrix and its dictionary.

        Examples
        --------
        >>> MatrixExport(Path("m.csv"), Path("m_dictionary.csv"), 3, 2, "case", False).summary()
        'wrote m.csv: 3 case(s) x 2 code(s) (0/1 presence)\\nwrote m_dictionary.csv'
        """
        what = "counts of coded segments" if self.counts else "0/1 presence"
        return (f"wrote {self.path}: {self.rows} {self.unit}(s) x {self.codes} code(s) ({what})\n"
                f"wrote {self.dictionary}")  # fmt: skip


def _facts(ds: Dataset, by: str) -> tuple[pd.DataFrame, pd.Series]:
    """The units' facts (one row per unit, the unit's id first) and each segment's unit."""
    cases = ds.cases.astype(object)
    keep = ["case_id"] + [c for c in _CASE_FACTS if c in cases.columns]
    cases = cases[keep]
    people = ds.participants.astype(object)[["participant_id", "case_id", "role"]]
    segs = ds.segments.astype(object)
    if by == "case":
        return cases.reset_index(drop=True), segs["case_id"]
    if by == "participant":
        facts = people.merge(cases, on="case_id", how="left")
        return facts, segs["participant_id"]
    if by == "document":
        docs = ds.documents
        if docs is None and ("document_id" not in segs.columns or segs["document_id"].isna().all()):
            raise fail(f"{ds.name}/documents.csv", "documents (a documents table, or segments "
                       "with a document_id) for a matrix by document", "missing")  # fmt: skip
        if docs is None:
            docs = segs.dropna(subset=["document_id"]).drop_duplicates("document_id")
        docs = docs.astype(object)[["document_id", "participant_id"]]
        facts = docs.merge(people, on="participant_id", how="left").merge(
            cases, on="case_id", how="left"
        )
        return facts, segs.get("document_id", pd.Series(None, index=segs.index))
    segs = segs[[c for c in ("segment_id", "participant_id", "document_id") if c in segs]]
    facts = segs.merge(people, on="participant_id", how="left").merge(
        cases, on="case_id", how="left"
    )
    order = ["segment_id", "case_id", "participant_id", "document_id", "role"]
    facts = facts[[c for c in order if c in facts] + [c for c in facts if c not in order]]
    return facts, segs["segment_id"]


def code_matrix(ds: Dataset, *, by: str = "segment", counts: bool = False) -> pd.DataFrame:
    """The code matrix of a dataset.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    by : {"segment", "participant", "document", "case"}
        The unit of a row.
    counts : bool
        Count the unit's segments that carry each code instead of 0/1.

    Returns
    -------
    pandas.DataFrame
        One row per unit (every unit of the dataset, also those without codings), the facts
        first, then one int64 column per code used, named by its id (``code_<id>`` where
        an id is also the name of a fact), in codebook order.

    Raises
    ------
    ValueError
        For an unknown ``by``.
    DataError
        For a matrix by document of a dataset without documents.

    Examples
    --------
    >>> import coprodlib as cp
    >>> m = code_matrix(cp.load(), by="case")
    >>> len(m), m.columns[0]
    (6, 'case_id')
    """
    if by not in UNITS:
        raise ValueError(f"by must be one of {', '.join(UNITS)}, not {by!r}")
    facts, unit_of = _facts(ds, by)
    key = f"{by}_id"
    unit_of = pd.Series(unit_of.to_numpy(), index=ds.segments["segment_id"].astype(str))
    pairs = ds.codings[["segment_id", "code"]].astype(str).drop_duplicates()
    pairs = pairs.assign(unit=pairs["segment_id"].map(unit_of)).dropna(subset=["unit"])
    order = [c for c in ds.codebook.frame["id"].astype(str) if c in set(pairs["code"])]
    table = pd.crosstab(pairs["unit"], pairs["code"]).reindex(columns=order, fill_value=0)
    table = table.reindex(facts[key].astype(str), fill_value=0).astype("int64")
    if not counts:
        table = (table > 0).astype("int64")
    table.columns = [f"code_{c}" if c in facts.columns else c for c in table.columns]
    return pd.concat([facts.reset_index(drop=True), table.reset_index(drop=True)], axis=1)


def variable_names(names: list[str], limit: int | None) -> list[str]:
    """Valid, unique variable names for SPSS or Stata, in the order given.

    Parameters
    ----------
    names : list of str
        The wanted names (column names, code ids).
    limit : int or None
        The longest name the format takes (64 for SPSS, 32 for Stata; None: no limit).

    Returns
    -------
    list of str
        Letters, digits and ``_`` only, a letter first (``v_`` is put before anything else),
        cut to ``limit``; a name met before (ignoring case) is cut further and numbered.

    Examples
    --------
    >>> variable_names(["inclusion_vs_service_quality_and_more", "inclusion_vs_service_quality_"
    ...                 "and_less", "1st"], 32)
    ['inclusion_vs_service_quality_and', 'inclusion_vs_service_quality_a_2', 'v_1st']
    """
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", str(name)) or "v"
        if not base[0].isalpha():
            base = f"v_{base}"
        cut = base[:limit] if limit else base
        n = 1
        while cut.lower() in taken:
            n += 1
            tail = f"_{n}"
            cut = (base[: limit - len(tail)] if limit else base) + tail
        taken.add(cut.lower())
        out.append(cut)
    return out


def _dictionary(ds: Dataset, matrix: pd.DataFrame, names: list[str], by: str,
                counts: bool, fmt: str) -> pd.DataFrame:  # fmt: skip
    """One row per column: its name in the file, kind, code id, label, dimension, label."""
    cb = ds.codebook
    codes = set(ds.codings["code"].astype(str))
    rows = []
    n_facts = len(matrix.columns) - len(codes)  # one column per code used, after the facts
    for k, (col, name) in enumerate(zip(matrix.columns, names, strict=True)):
        col = col.removeprefix("code_") if k >= n_facts and col not in codes else col
        if k >= n_facts and col in codes and col in cb:
            label = str(cb.labels([col]).iat[0])
            values = (f"number of the {by}'s segments coded with it" if counts
                      else f"1 when a segment of the {by} is coded with it, else 0")  # fmt: skip
            rows.append({"variable": name, "kind": "code", "code": col, "label": label,
                         "dimension": cb.dimension_of(col), "values": values,
                         "variable_label": _label(label, col, fmt)})  # fmt: skip
        else:
            rows.append({"variable": name, "kind": "fact", "code": None, "label": col,
                         "dimension": None, "values": "as in the dataset's tables",
                         "variable_label": col})  # fmt: skip
    return pd.DataFrame(rows)


def _label(label: str, code: str, fmt: str) -> str:
    """A variable label: the code's label and its id, within the format's limit."""
    text = f"{label} [{code}]"
    limit = _LABEL_LIMIT.get(fmt)
    if limit is None or len(text) <= limit:
        return text
    room = limit - len(code) - 4
    if room > 8:  # the whole id, the label cut
        return f"{label[:room]}… [{code}]"
    head = label[: limit // 2]  # the id cut too (the dictionary keeps it whole)
    return f"{head} [{code[: limit - len(head) - 4]}…]"


def _for_statistics(matrix: pd.DataFrame) -> pd.DataFrame:
    """Facts as plain text (empty for missing) or numbers, for pyreadstat."""
    out = matrix.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
            continue
        numeric = pd.to_numeric(s, errors="coerce")
        if s.notna().any() and numeric[s.notna()].notna().all() and col == "year":
            out[col] = numeric.astype("float64")
        else:
            out[col] = s.astype(object).where(s.notna(), "").astype(str).to_numpy(dtype=object)
    return out


def export_matrix(
    folder: Path, out: Path, *, by: str = "segment", fmt: str = "csv", counts: bool = False
) -> MatrixExport:
    """Write the code matrix of a dataset, and its data dictionary beside it.

    Parameters
    ----------
    folder : Path
        The dataset folder (resolved by the caller).
    out : Path
        The file to write; the dictionary is ``<stem>_dictionary.csv`` in the same folder.
    by : {"segment", "participant", "document", "case"}
        The unit of a row.
    fmt : {"csv", "sav", "dta", "parquet"}
        The format: CSV (UTF-8), SPSS, Stata (both through pyreadstat, with variable
        labels) or Parquet (through fastparquet; R's arrow and Python's pandas and polars
        read it).
    counts : bool
        Counts of coded segments instead of 0/1.

    Returns
    -------
    MatrixExport

    Raises
    ------
    ValueError
        For an unknown ``by`` or ``fmt``.
    DataError
        For a dataset that does not load, and a matrix by document without documents.

    Examples
    --------
    >>> import tempfile
    >>> from coprodlib.paths import resolve_dataset
    >>> out = Path(tempfile.mkdtemp()) / "cases.csv"
    >>> export_matrix(resolve_dataset("demo"), out, by="case").rows
    6
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if by not in UNITS:
        raise ValueError(f"by must be one of {', '.join(UNITS)}, not {by!r}")
    ds = load_folder(Path(folder))
    matrix = code_matrix(ds, by=by, counts=counts)
    names = (variable_names(list(matrix.columns), _NAME_LIMIT[fmt]) if fmt in _NAME_LIMIT
             else list(matrix.columns))  # fmt: skip
    dictionary = _dictionary(ds, matrix, names, by, counts, fmt)
    out = Path(out)
    if fmt == "csv":
        write_export_csv(matrix, out)
    elif fmt == "parquet":
        import warnings

        with warnings.catch_warnings():  # fastparquet asks pandas about an old option
            warnings.filterwarnings("ignore", message=".*future.infer_string")
            import fastparquet

        _write_via_temp(out, lambda p: fastparquet.write(str(p), matrix, write_index=False))
    else:
        import pyreadstat

        frame = _for_statistics(matrix)
        frame.columns = names
        labels = dict(zip(names, dictionary["variable_label"], strict=True))
        writer = pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta
        _write_via_temp(out, lambda p: writer(frame, str(p), column_labels=labels))
    dict_path = out.with_name(f"{out.stem}_dictionary.csv")
    write_export_csv(dictionary, dict_path)
    n_codes = int((dictionary["kind"] == "code").sum())
    return MatrixExport(out, dict_path, len(matrix), n_codes, by, counts)


def _write_via_temp(out: Path, write) -> None:  # noqa: ANN001
    """Write with a library that takes a path, then move the bytes into place atomically."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"matrix{out.suffix or '.bin'}"
        write(path)
        write_bytes_atomic(out, path.read_bytes())
