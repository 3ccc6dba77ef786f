"""Loading at scale (issue 17): one reading per file, the same result as a plain reading.

The reader parses each file's bytes once and finds the lines of records that span several
lines from the bytes' quotes; a folder is read and checked once for ``cp.validate`` followed
by ``cp.load``, and not again while its files are unchanged; co-occurrence by segment counts
on numbers. Each shortcut is compared here with a plain reference: Python's csv module for
the files (BOM, CRLF, quoted line ends, semicolons, tabs, empty and blank cells), a count of
the reads for the cache, and the text-based path of :func:`cooccurrence` for the counts.
No test here is timed; ``make bench`` measures.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_dataset import FILES

import coprodlib as cp
from coprodlib.analysis import derived, qualitative
from coprodlib.contract import cache as folder_cache
from coprodlib.contract import dataset as contract
from coprodlib.contract import reading
from coprodlib.demo.writer import replicate_demo
from coprodlib.errors import DataError

# --------------------------------------------------------------------------- a plain reference


def reference_read(raw: bytes, sep: str) -> tuple[list[str], list[list[str | None]], list[int]]:
    """Header, rows and each row's first line, read plainly with the csv module.

    A record that is empty or a single field of white space is a blank line and skipped;
    empty cells are missing (None); short rows are padded with missing cells.
    """
    text = raw.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    records, starts, line = [], [], 1
    for record in reader:
        if record and (len(record) > 1 or record[0].strip()):
            records.append(record)
            starts.append(line)
        line = reader.line_num + 1
    header = [name.strip() for name in records[0]]
    rows = [
        [c if c != "" else None for c in r] + [None] * (len(header) - len(r)) for r in records[1:]
    ]
    return header, rows, starts[1:]


def read_file(tmp_path: Path, raw: bytes, name: str = "t.csv") -> tuple[pd.DataFrame, list | None]:
    path = tmp_path / name
    path.write_bytes(raw)
    frame, lines = reading._read_csv(path)
    return frame, None if lines is None else lines.tolist()


def cells(frame: pd.DataFrame) -> list[list[str | None]]:
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


HOSTILE = {
    "bom_crlf": b'\xef\xbb\xbfid,text\r\na,"one\r\ntwo"\r\nb,plain\r\n',
    "quoted_newlines": b'id,text\na,"first\nsecond\nthird"\nb,"x"\nc,"say ""hi""\nthere"\n',
    "semicolons": b'id;text;n\na;"x;\ny";1\nb;;2\n',
    "tabs": b'id\ttext\na\t"t\nu"\nb\t\n',
    "blank_lines": b'id,text\n\na,"p\nq"\n\r\n  \nb,z\n',
    "only_spaces_cell": b'id,text\na,"   "\nb," \n "\n',
    "empty_quoted": b'id,text\na,""\nb,"\n"\n',
    "no_final_newline": b'id,text\na,"x\ny"\nb,z',
    "unicode": 'id,text\na,"é\n\u00a0ü"\nb,ß\n'.encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_read_as_the_csv_module_reads_them(tmp_path: Path, name: str) -> None:
    raw = HOSTILE[name]
    sep = ";" if name == "semicolons" else "\t" if name == "tabs" else ","
    header, rows, starts = reference_read(raw, sep)
    frame, lines = read_file(tmp_path, raw)
    assert list(frame.columns) == header
    assert cells(frame) == rows
    assert lines == starts  # every one of these files has a record over several lines


def random_csv(rng: random.Random) -> tuple[bytes, str]:
    """A well-formed CSV file with quoted cells holding separators, quotes and line ends."""
    sep, eol = rng.choice([",", ";", "\t"]), rng.choice(["\n", "\r\n"])
    n_cols = rng.randint(1, 4)
    pieces = ["a", "1", " ", "\n", '"', "é", "\r\n", sep, "x y"]

    def field() -> str:
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        if n_cols == 1 and not value.strip():
            value = "x"  # a lone blank field is a blank line to the csv module
        if rng.random() < 0.5 or any(c in value for c in ('"', "\n", "\r", sep)):
            return '"' + value.replace('"', '""') + '"'
        return value

    rows = [sep.join(f"col{k}" for k in range(n_cols))]
    for _ in range(rng.randint(1, 8)):
        if rng.random() < 0.1:
            rows.append(rng.choice(["", " ", "  "]))  # a blank line
        else:
            row = [field() for _ in range(n_cols)]
            if n_cols > 1 and all(not c.strip('"').strip() for c in row):
                row[0] = "x"  # a row of blanks alone reads as a blank line
            rows.append(sep.join(row))
    prefix = "\ufeff" if rng.random() < 0.2 else ""
    return (prefix + eol.join(rows) + (eol if rng.random() < 0.7 else "")).encode(), sep


def test_random_files_read_as_the_csv_module_reads_them(tmp_path: Path) -> None:
    rng = random.Random(17)
    multi_line = 0
    for _ in range(300):
        raw, sep = random_csv(rng)
        header, rows, starts = reference_read(raw, sep)
        frame, lines = read_file(tmp_path, raw)
        assert list(frame.columns) == header, raw
        assert cells(frame) == rows, raw
        if lines is None:  # no record spans lines: the rows follow one another
            assert starts == list(range(2, len(rows) + 2)), raw
        else:
            assert lines == starts, raw
            multi_line += starts != list(range(2, len(rows) + 2))
    assert multi_line > 50  # the byte scan was put to work


def test_the_byte_scan_gives_the_csv_modules_lines_or_steps_aside(tmp_path: Path) -> None:
    rng = random.Random(3)
    answered = 0
    for _ in range(300):
        raw, sep = random_csv(rng)
        frame, _ = read_file(tmp_path, raw)
        scanned = reading._quoted_record_lines(raw, sep, frame)
        text = raw.decode("utf-8-sig")
        if scanned is not None:
            answered += 1
            assert scanned.tolist() == reading._record_lines(text, sep).tolist(), raw
    assert answered > 250
    # quotes that do not open or close a cell: the scan cannot tell, the csv module counts
    odd = b'id,text\na,5" wide\nb,"two\nlines"\nc,z\n'
    frame, lines = read_file(tmp_path, odd)
    assert reading._quoted_record_lines(odd, ",", frame) is None
    assert lines == [2, 3, 5]
    # a carriage return alone is a line end to the table reader, not to the csv module,
    # which then stops (as before the scan): the scan steps aside for it
    lone = b'id,text\na,"x\ny"\rb,"z\nw"\n'
    with pytest.raises(DataError) as err:
        read_file(tmp_path, lone)
    assert (err.value.problems[0].kind, err.value.problems[0].row) == ("syntax", 2)


def test_problems_are_named_as_before(tmp_path: Path) -> None:
    # a file that is not UTF-8 says so first, even when its header has a repeated name
    bad = b"id,id\na,b\nc,\xe9\n"
    with pytest.raises(DataError) as err:
        read_file(tmp_path, bad)
    (p,) = err.value.problems
    assert (p.kind, p.row, p.value) == ("encoding", 3, "byte 0xe9")
    with pytest.raises(DataError) as err:
        read_file(tmp_path, b"id,id\na,b\n")
    assert err.value.problems[0].kind == "duplicate_column"
    for blank in (b"", b"\xef\xbb\xbf", b" \n\t\n", "\u00a0\n".encode()):
        with pytest.raises(DataError) as err:
            read_file(tmp_path, blank)
        assert err.value.problems[0].kind == "empty", blank
    with pytest.raises(DataError) as err:
        read_file(tmp_path, b"id,text\na,b\nc,d,e,f\n")
    (p,) = err.value.problems
    assert p.kind == "syntax" and "Expected 2 fields in line 3, saw 4" in p.expected


def test_a_problem_after_multi_line_cells_names_the_editors_line(tmp_path: Path) -> None:
    folder = tmp_path / "mini"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    segments = (
        FILES["segments.csv"]
        .replace("We wanted everyone in", '"We wanted\neveryone\nin')
        .replace("said otherwise.", 'said otherwise."')
    )
    segments = segments.replace("s3,c2,p3,d3,5,30", "s3,c9,p3,d3,5,30")
    (folder / "segments.csv").write_text(segments, encoding="utf-8")
    problems = [p for p in cp.validate(folder) if p.file == "segments.csv"]
    rows = {p.row for p in problems if p.column == "case_id"}
    assert rows == {6}  # s3 starts on line 6: s1's text takes lines 2 to 4


# --------------------------------------------------------------------------- the cache


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "mini"
    out.mkdir()
    for name, text in FILES.items():
        (out / name).write_text(text, encoding="utf-8")
    return out


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every reading of a folder's tables, as it happens."""
    seen: list[Path] = []
    real = contract.read_tables

    def counting(folder: Path):
        seen.append(folder)
        return real(folder)

    monkeypatch.setattr(contract, "read_tables", counting)
    contract.clear_cache()
    yield seen
    contract.clear_cache()


def test_validate_then_load_reads_the_folder_once(folder: Path, reads: list[Path]) -> None:
    assert cp.validate(folder) == []
    ds = cp.load(folder)
    assert len(reads) == 1
    again = cp.load(folder)
    assert len(reads) == 1
    pd.testing.assert_frame_equal(ds.codings, again.codings)
    fresh = cp.load(folder, cache=False)
    assert len(reads) == 2
    pd.testing.assert_frame_equal(ds.segments, fresh.segments)


def test_a_changed_file_is_read_again(folder: Path, reads: list[Path]) -> None:
    cp.load(folder)
    path = folder / "cases.csv"
    # same size, written at once: the stamp may not change, the content's hash does
    path.write_text(FILES["cases.csv"].replace("Park cleaning", "Park sweeping"), "utf-8")
    assert cp.load(folder).cases["title"].iat[0] == "Park sweeping"
    assert len(reads) == 2
    cp.load(folder)
    assert len(reads) == 2


def test_an_old_unchanged_file_is_trusted_by_its_stamp(
    folder: Path, reads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(folder_cache, "RACY_SECONDS", 0.0)  # every file counts as old
    hashed: list[Path] = []
    real = folder_cache._digest
    monkeypatch.setattr(folder_cache, "_digest", lambda p: hashed.append(p) or real(p))
    cp.load(folder)
    cp.load(folder)
    assert len(reads) == 1 and hashed == []
    old = os.stat(folder / "codings.csv").st_mtime_ns
    (folder / "codings.csv").write_text(FILES["codings.csv"] + "s4,avoidance,ann\n", "utf-8")
    os.utime(folder / "codings.csv", ns=(old, old))  # even with its old time back
    assert len(cp.load(folder).codings) == 10
    assert len(reads) == 2


def test_a_file_added_beside_or_removed_is_seen(folder: Path, reads: list[Path]) -> None:
    assert cp.validate(folder) == []
    shutil.copy(folder / "cases.csv", folder / "cases.tsv")
    assert [p.kind for p in cp.validate(folder)] == ["duplicate_file"]
    (folder / "cases.tsv").unlink()
    (folder / "double_coding.csv").unlink()
    assert cp.load(folder).double_coding is None
    assert len(reads) == 3


def test_problems_are_remembered_too(folder: Path, reads: list[Path]) -> None:
    (folder / "codings.csv").write_text(FILES["codings.csv"] + "s9,avoidance,ann\n", "utf-8")
    problems = cp.validate(folder)
    assert [p.kind for p in problems] == ["foreign_key"]
    with pytest.raises(DataError) as err:
        cp.load(folder)
    assert err.value.problems == problems
    assert len(reads) == 1


def test_changing_a_loaded_dataset_leaves_the_next_load_alone(
    folder: Path, reads: list[Path]
) -> None:
    ds = cp.load(folder)
    before = cp.load(folder)
    ds.cases.loc[0, "title"] = "changed"
    ds.codings["extra"] = 1
    ds.segments.loc[ds.segments.index[0], "text"] = "changed"
    ds.participants.iloc[0, 0] = "changed"
    ds.meta["title"] = "changed"
    ds.codings = ds.codings.iloc[:2]
    after = cp.load(folder)
    assert len(reads) == 1
    for name, frame in before.tables().items():
        pd.testing.assert_frame_equal(getattr(after, name), frame)
    assert after.meta == before.meta and after.meta["title"] == "Test dataset"


# --------------------------------------------------------------------------- co-occurrence


def random_dataset(tmp_path: Path, seed: int) -> cp.Dataset:
    """A valid dataset whose segments carry random tensions, values (and codes under them),
    strategies and effects, so that many tensions are derived from their two values."""
    rng = np.random.default_rng(seed)
    cb = cp.get_codebook()
    frame = cb.frame.set_index("id")
    pairs = derived._tensions(frame)
    pool = sorted(
        set(pairs["tension"]) | set(pairs["value_a"]) | set(pairs["value_b"])
        | set(frame.index[frame["parent"].isin(pairs["value_a"])])
        | set(cb.ids("strategy")[:12]) | set(cb.ids("effect")[:4])
    )  # fmt: skip
    folder = tmp_path / f"random{seed}"
    folder.mkdir()
    for name in ("cases.csv", "participants.csv", "dataset.yml"):
        (folder / name).write_text(FILES[name], encoding="utf-8")
    n = 800
    seg = pd.DataFrame(
        {
            "segment_id": [f"s{k}" for k in range(n)],
            "case_id": "c1",
            "participant_id": "p1",
        }
    )
    seg.to_csv(folder / "segments.csv", index=False)
    rows = []
    for k in range(n):
        for code in rng.choice(pool, size=rng.integers(1, 6), replace=False):
            rows.append((f"s{k}", code))
    pd.DataFrame(rows, columns=["segment_id", "code"]).to_csv(folder / "codings.csv", index=False)
    return cp.load(folder)


def text_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qualitative, "_segment_pairs", lambda *args, **kwargs: None)


ARGUMENTS = [
    ("tension", "strategy", {}),
    ("tension", "strategy", {"derive_tensions": False}),
    ("tension", "strategy", {"count_as": "root"}),
    ("code", "code", {}),
    ("tension", "tension", {}),
    ("value", "effect", {}),
]


@pytest.mark.parametrize("seed", [1, 2])
def test_cooccurrence_by_numbers_equals_the_count_by_ids(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = random_dataset(tmp_path, seed)
    assert len(derived.derived_tensions(ds)) > 15
    fast = [cp.cooccurrence(ds, r, c, **kw) for r, c, kw in ARGUMENTS]
    text_path(monkeypatch)
    slow = [cp.cooccurrence(ds, r, c, **kw) for r, c, kw in ARGUMENTS]
    for a, b in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(a, b)
        assert a["n"].sum() > 0


def test_derived_pairs_are_the_derived_tensions(tmp_path: Path) -> None:
    ds = random_dataset(tmp_path, 5)
    rows = contract.coding_segments(ds)
    ids = pd.Index(ds.codebook.frame["id"])
    entries = ids.get_indexer(ds.codings["code"].astype(str))
    units, tensions = derived.derived_pairs(ds, rows, entries, len(ds.segments))
    got = set(zip(ds.segments["segment_id"].to_numpy()[units], ids[tensions], strict=True))
    want = set(derived.derived_tensions(ds)[["segment_id", "tension"]].itertuples(index=False))
    assert got == want and len(want) > 15


def test_cooccurrence_of_codings_not_as_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = random_dataset(tmp_path, 7)
    # a coding of a segment missing from segments, and codes as plain text
    extra = pd.DataFrame(
        {
            "segment_id": ["s_lost", "s_lost"],
            "code": ["avoidance", "inclusiveness_vs_accountability"],
        }
    )
    codings = pd.concat(
        [ds.codings, extra.astype({"code": ds.codings["code"].dtype})], ignore_index=True
    )
    odd = [replace(ds, codings=codings), replace(ds, codings=codings.astype({"code": str}))]
    odd.append(cp.select_cases(ds, ["c1"]))
    fast = [cp.cooccurrence(d, "tension", "strategy") for d in odd]
    text_path(monkeypatch)
    for d, a in zip(odd, fast, strict=True):
        pd.testing.assert_frame_equal(a, cp.cooccurrence(d, "tension", "strategy"))
    assert fast[0]["n"].sum() == fast[2]["n"].sum() + 1


def test_coding_segments_point_at_the_coded_segments(tmp_path: Path) -> None:
    ds = random_dataset(tmp_path, 9)
    rows = contract.coding_segments(ds)
    assert (ds.segments["segment_id"].to_numpy()[rows] == ds.codings["segment_id"]).all()
    assert not rows.flags.writeable
    part = replace(ds, segments=ds.segments.iloc[::-1], codings=ds.codings.iloc[::3])
    rows = contract.coding_segments(part)
    assert (part.segments["segment_id"].to_numpy()[rows] == part.codings["segment_id"]).all()


# --------------------------------------------------------------------------- the shape of imports


def test_the_replicated_demo_is_a_valid_dataset_with_multi_line_texts(tmp_path: Path) -> None:
    tables = replicate_demo(3_000)
    assert len(tables["codings"]) >= 3_000
    assert tables["cases"]["case_id"].is_unique and tables["segments"]["segment_id"].is_unique
    assert tables["segments"]["text"].str.contains("\n").sum() > 10
    folder = tmp_path / "replicated"
    folder.mkdir()
    for name in ("cases", "participants", "documents", "segments", "codings", "double_coding"):
        tables[name].to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    assert cp.validate(folder) == []
    _, lines = reading._read_csv(folder / "segments.csv")
    text = (folder / "segments.csv").read_text(encoding="utf-8")
    assert lines.tolist() == reading._record_lines(text, ",").tolist()
    assert lines[-1] > len(tables["segments"]) + 1


# --------------------------------------------------------------------------- shortcuts of the checks


def test_whole_numbers_parse_as_pandas_parses_them() -> None:
    from coprodlib.contract.checks import _as_numbers

    rng = random.Random(11)
    pieces = ["0", "7", "12", "007", "1_0", " 1", "-1", "+1", "1.0", "1e3", "١٢", "x", "9" * 15,
              "9" * 16, "", "nan", "inf"]  # fmt: skip
    for _ in range(300):
        cells = [rng.choice(pieces + [None]) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.5:  # often digits only: the path that parses them as one array
            cells = [rng.choice(["0", "7", "12", "007", "9" * 15, None]) for _ in cells]
        column = pd.Series(cells, dtype="str")
        want = pd.to_numeric(column, errors="coerce").astype(float).to_numpy()
        assert np.array_equal(_as_numbers(column).to_numpy(), want, equal_nan=True), cells


def test_repeated_codings_are_found_as_pandas_finds_them() -> None:
    from coprodlib.contract.checks import _repeated_rows

    rng = np.random.default_rng(4)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        segs = rng.integers(0, 5, n)
        frame = pd.DataFrame(
            {
                "segment_id": [f"s{k}" for k in segs],
                "coder": rng.choice(["a", "b", None], n),
                "code": rng.choice(["x", "y", None], n),
            }
        ).astype("str")
        for key in (["segment_id", "code"], ["segment_id", "coder", "code"]):
            want = frame.duplicated(subset=key, keep="first").to_numpy()
            assert (_repeated_rows(frame, key, segs) == want).all()
            assert (_repeated_rows(frame, key, None) == want).all()
