"""``coprod export matrix`` (issue 18): code matrices for R, SPSS and Stata.

The matrices are read back with pandas (CSV, Parquet) and pyreadstat (SAV, DTA) and compared
with counts made here from the CSV tables with a plain pandas groupby: the number of distinct
segments of a unit coded with a code (or whether there is one).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers import read_csv, run_cli

import coprodlib as cp
from coprodlib.exporters.matrix import export_matrix

DEMO = cp.paths.demo_dir()
UNITS = ["segment", "participant", "document", "case"]


def expected_counts(folder: Path, by: str) -> pd.DataFrame:
    """Distinct segments per unit and code, every unit of the dataset a row (plain pandas)."""
    segs = read_csv(folder / "segments.csv")
    codings = read_csv(folder / "codings.csv")[["segment_id", "code"]].drop_duplicates()
    merged = codings.merge(segs, on="segment_id")
    key = f"{by}_id"
    counts = merged.groupby([key, "code"])["segment_id"].nunique().unstack(fill_value=0)
    table = {"segment": "segments", "participant": "participants", "document": "documents",
             "case": "cases"}[by]  # fmt: skip
    units = read_csv(folder / f"{table}.csv")[key]
    return counts.reindex(units, fill_value=0).astype("int64")


def check_codes(frame: pd.DataFrame, key: str, expected: pd.DataFrame, counts: bool,
                column_of: dict[str, str] | None = None) -> None:  # fmt: skip
    """The code columns of a matrix read back equal the expected counts (or 0/1)."""
    column_of = column_of or {c: c for c in expected.columns}
    got = frame.set_index(frame[key].astype(str))[[column_of[c] for c in expected.columns]]
    got.columns = list(expected.columns)
    got = got.astype("int64").loc[expected.index]
    want = expected if counts else (expected > 0).astype("int64")
    pd.testing.assert_frame_equal(got, want, check_names=False)


@pytest.mark.parametrize("by", UNITS)
@pytest.mark.parametrize("counts", [False, True], ids=["presence", "counts"])
def test_csv_matrix_equals_counts_made_with_groupby(tmp_path, by, counts):
    out = tmp_path / f"{by}.csv"
    args = ["export", "matrix", "demo", "--by", by, "--format", "csv", "--to", str(out)]
    assert run_cli(*args, *(["--counts"] if counts else [])) == 0
    frame = pd.read_csv(out, dtype={f"{by}_id": str})
    expected = expected_counts(DEMO, by)
    assert len(frame) == len(expected)
    check_codes(frame, f"{by}_id", expected, counts)
    # the code columns are exactly the codes used, and nothing else is numeric 0/1 by accident
    dictionary = pd.read_csv(tmp_path / f"{by}_dictionary.csv")
    assert list(dictionary["variable"]) == list(frame.columns)
    assert set(dictionary.loc[dictionary["kind"] == "code", "code"]) == set(expected.columns)


def test_facts_of_each_unit_come_from_the_tables(tmp_path):
    out = tmp_path / "p.csv"
    export_matrix(DEMO, out, by="participant")
    frame = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("participant_id")
    parts = read_csv(DEMO / "participants.csv").set_index("participant_id")
    cases = read_csv(DEMO / "cases.csv").set_index("case_id")
    assert (frame["role"] == parts.loc[frame.index, "role"]).all()
    assert (frame["case_id"] == parts.loc[frame.index, "case_id"]).all()
    for col in ("phase", "country", "logic"):
        assert (frame[col].to_numpy() == cases.loc[frame["case_id"], col].to_numpy()).all()
    export_matrix(DEMO, tmp_path / "s.csv")
    seg = pd.read_csv(tmp_path / "s.csv", dtype=str, keep_default_na=False)
    assert list(seg.columns[:5]) == ["segment_id", "case_id", "participant_id", "document_id",
                                     "role"]  # fmt: skip


@pytest.mark.parametrize("fmt, limit", [("sav", 64), ("dta", 32)])
def test_spss_and_stata_files_read_back_with_labels(tmp_path, fmt, limit):
    pyreadstat = pytest.importorskip("pyreadstat")
    out = tmp_path / f"m.{fmt}"
    export_matrix(DEMO, out, by="document", fmt=fmt, counts=True)
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(out))
    dictionary = pd.read_csv(tmp_path / "m_dictionary.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(dictionary["variable"])
    codes = dictionary[dictionary["kind"] == "code"]
    column_of = dict(zip(codes["code"], codes["variable"], strict=True))
    check_codes(frame, "document_id", expected_counts(DEMO, "document"), True, column_of)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    cb = cp.get_codebook()
    for code, var in column_of.items():
        assert labels[var] == f"{cb.labels([code]).iat[0]} [{code}]"
        assert len(var) <= limit


def long_id_dataset(tmp_path: Path) -> Path:
    """The demo with two local codes whose ids share their first 40 characters."""
    folder = tmp_path / "long"
    shutil.copytree(DEMO, folder)
    stem = "local_" + "a_very_long_local_code_name_from_a_tool_" * 2
    ext = pd.DataFrame({"id": [stem + "one", stem + "two"], "label": ["Long one", "Long two"],
                        "dimension": ["local", "local"]})  # fmt: skip
    ext.to_csv(folder / "codebook_extension.csv", index=False)
    codings = read_csv(folder / "codings.csv")
    segs = read_csv(folder / "segments.csv")["segment_id"]
    extra = pd.DataFrame({"segment_id": [segs.iat[0], segs.iat[1], segs.iat[1]],
                          "code": [stem + "one", stem + "two", stem + "one"],
                          "coder": "coder_a"})  # fmt: skip
    pd.concat([codings, extra]).to_csv(folder / "codings.csv", index=False)
    return folder


@pytest.mark.parametrize("fmt, limit", [("sav", 64), ("dta", 32)])
def test_long_code_ids_get_valid_unique_names_and_keep_their_ids_in_labels(tmp_path, fmt, limit):
    pyreadstat = pytest.importorskip("pyreadstat")
    folder = long_id_dataset(tmp_path)
    out = tmp_path / f"m.{fmt}"
    export_matrix(folder, out, by="case", fmt=fmt)
    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(out))
    names = list(frame.columns)
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= limit and n[0].isalpha() and n.replace("_", "a").isalnum()
               for n in names)  # fmt: skip
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    dictionary = pd.read_csv(tmp_path / "m_dictionary.csv", dtype=str, keep_default_na=False)
    codes = dictionary[dictionary["kind"] == "code"]
    column_of = dict(zip(codes["code"], codes["variable"], strict=True))
    stem = "local_" + "a_very_long_local_code_name_from_a_tool_" * 2
    for code in ("one", "two"):
        label = labels[column_of[stem + code]]
        assert label.startswith(f"Long {code} [local_") and len(label) <= (
            80 if fmt == "dta" else 256
        )
        if fmt == "sav":  # room for the whole id
            assert label == f"Long {code} [{stem + code}]"
    check_codes(frame, "case_id", expected_counts(folder, "case"), False, column_of)


def test_parquet_reads_back(tmp_path):
    """Read back by fastparquet, and by pyarrow where it is installed (an independent reader)."""
    import fastparquet

    out = tmp_path / "m.parquet"
    export_matrix(DEMO, out, by="case", fmt="parquet", counts=True)
    frame = fastparquet.ParquetFile(str(out)).to_pandas()
    assert isinstance(frame, pd.DataFrame)
    check_codes(frame, "case_id", expected_counts(DEMO, "case"), True)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return
    check_codes(pq.read_table(out).to_pandas(), "case_id", expected_counts(DEMO, "case"), True)


def test_bad_options_are_usage_errors(tmp_path, capsys):
    with pytest.raises(ValueError, match="by must be one of"):
        export_matrix(DEMO, tmp_path / "m.csv", by="coder")
    with pytest.raises(SystemExit):
        run_cli("export", "matrix", "demo", "--format", "xlsx", "--to", str(tmp_path / "m"))
    assert "invalid choice" in capsys.readouterr().err


REAL = Path(cp.paths.project_root()).parent / "shared" / "real"


@pytest.mark.skipif(not REAL.is_dir(), reason=f"../shared/real is not on this machine ({REAL})")
def test_real_nvivo_project_as_a_stata_matrix(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    from coprodlib.importers.refi import import_qdpx

    import_qdpx(REAL / "nvivo_mac12_oltas.qdpx", tmp_path / "nv")
    out = tmp_path / "nv.dta"
    export_matrix(tmp_path / "nv", out, by="segment", fmt="dta")
    frame, _ = pyreadstat.read_dta(str(out))
    dictionary = pd.read_csv(tmp_path / "nv_dictionary.csv", dtype=str, keep_default_na=False)
    codes = dictionary[dictionary["kind"] == "code"]
    assert all(len(v) <= 32 for v in frame.columns)
    check_codes(
        frame,
        "segment_id",
        expected_counts(tmp_path / "nv", "segment"),
        False,
        dict(zip(codes["code"], codes["variable"], strict=True)),
    )


def test_a_code_named_like_a_fact_gets_its_own_column(tmp_path):
    folder = tmp_path / "clash"
    shutil.copytree(DEMO, folder)
    pd.DataFrame({"id": ["country"], "label": ["Country talk"], "dimension": ["local"]}).to_csv(
        folder / "codebook_extension.csv", index=False
    )
    codings = read_csv(folder / "codings.csv")
    first = codings["segment_id"].iat[0]
    pd.concat([codings, pd.DataFrame([(first, "country", "coder_a")], columns=codings.columns)]
              ).to_csv(folder / "codings.csv", index=False)  # fmt: skip
    export_matrix(folder, tmp_path / "m.csv", by="segment")
    frame = pd.read_csv(tmp_path / "m.csv", dtype={"segment_id": str})
    assert frame.columns.is_unique and "code_country" in frame.columns
    assert frame.loc[frame["segment_id"] == first, "code_country"].tolist() == [1]
    assert frame["code_country"].sum() == 1
    dictionary = pd.read_csv(tmp_path / "m_dictionary.csv")
    row = dictionary[dictionary["variable"] == "code_country"].iloc[0]
    assert (row["kind"], row["code"], row["label"]) == ("code", "country", "Country talk")


def test_the_command_line_lists_the_exporters_choices_without_pandas() -> None:
    """`coprod --help` builds every sub-command; the export options come from a light module
    (an unchanged `coprod run` must not import pandas), and they are the ones the exporters
    accept."""
    import subprocess
    import sys

    from coprodlib.exporters.options import OFFSET_CHOICES
    from coprodlib.importers.offsets import OFFSET_UNITS

    assert ("auto", *OFFSET_UNITS) == OFFSET_CHOICES
    probe = (
        "import sys\nfrom coprodlib.cli import build_parser\nbuild_parser()\n"
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
