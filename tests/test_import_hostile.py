"""Importers against hostile or broken inputs and a hostile file system (issue 15).

Every case builds its input in ``tmp_path``: small ``.qdpx`` archives (with the builders of
``test_refi``) and Taguette databases (with those of ``test_taguette``), then damages them.
Each must end in a one-line :class:`~coprodlib.errors.DataError` that names the file (and
the member, element or column where known), the value as the file writes it and what was
expected; the command line must exit 1 without a traceback, and nothing may be left behind.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import test_taguette
from helpers import read_csv, run_cli, tree
from test_refi import S1, SELECTIONS, TEXT1, project_xml, selection_xml, sources, write_qdpx
from test_taguette import make_db

from coprodlib import safe_archive
from coprodlib.errors import DataError
from coprodlib.importers import writer
from coprodlib.importers.offsets import decode_text, whole_offset
from coprodlib.importers.refi import import_qdpx, read_qdpx
from coprodlib.importers.staging import clean_stale_staging
from coprodlib.importers.taguette import import_taguette
from coprodlib.taxonomy import qdc
from coprodlib.taxonomy.codebook import get_codebook
from coprodlib.taxonomy.records import MAX_DEPTH


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run ``coprod ARGV``, check it fails with exit 1 and one line, and return that line."""
    assert run_cli(*argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    return err


def hidden(folder: Path) -> list[str]:
    """Hidden entries (staging folders, temporary files) anywhere below ``folder``."""
    return sorted(p for p in tree(folder) if any(part.startswith(".") for part in Path(p).parts)
                  and not p.endswith(".coprod_salt"))  # fmt: skip


# ----------------------------------------------------------------------------- REFI offsets


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("99999999999999999999", "found (99999999999999999999, "),  # past int64
        ("-5", "outside the text"),
        ("1.5", "found '1.5'; expected startPosition as a whole number"),
        ("abc", "found 'abc'; expected startPosition as a whole number"),
        ("", "found ''; expected startPosition as a whole number"),
        ("٣", "found '٣'; expected startPosition"),  # an Arabic-Indic digit: int() takes it
    ],
)
def test_refi_offsets_past_int64_negative_or_not_whole(tmp_path, capsys, start, message):
    src = write_qdpx(
        tmp_path / "p.qdpx", project_xml(selections=selection_xml(0, "nvivo", start=start))
    )
    with pytest.raises(DataError, match=r"^p\.qdpx:Project\.qde: ") as info:
        import_qdpx(src, tmp_path / "nb")
    assert message in str(info.value)
    assert message in refused(capsys, "import", "qdpx", str(src), "--to", str(tmp_path / "nb"))
    assert tree(tmp_path) == {"p.qdpx"}


def test_refi_selection_without_offsets_names_the_attribute(tmp_path):
    sel = selection_xml(0, "nvivo").replace('endPosition="', 'endPositio="')
    src = write_qdpx(tmp_path / "p.qdpx", project_xml(selections=sel))
    with pytest.raises(DataError, match="the attribute endPosition, a whole number"):
        read_qdpx(src)


def test_whole_offset_reads_only_whole_numbers():
    assert [whole_offset(v) for v in ("7", " 12 ", "+3", "-2", 9, 4.0)] == [7, 12, 3, -2, 9, 4]
    assert [whole_offset(v) for v in ("1.5", 2.5, "abc", "", None, True, b"3", "1_000")] == [
        None
    ] * 8
    assert whole_offset("99999999999999999999") == 10**20 - 1


# ----------------------------------------------------------------------------- deep codebooks


def chain_codebook(depth: int, name: str = "code") -> str:
    """A ``<CodeBook>`` of one chain of nested codes, ``depth`` deep."""
    opening = "".join(f'<Code guid="c{k}" name="{name}{k}" isCodable="true">' for k in range(depth))
    return f"<CodeBook><Codes>{opening}{'</Code>' * depth}</Codes></CodeBook>"


def chain_qdpx(path: Path, depth: int) -> Path:
    """A project whose codebook is one chain ``depth`` deep, its deepest code used once."""
    xml = project_xml("qualcoder", selections=selection_xml(2, "qualcoder", target=f"c{depth - 1}"))
    start, end = xml.index(b"<CodeBook>"), xml.index(b"</CodeBook>") + len(b"</CodeBook>")
    return write_qdpx(path, xml[:start] + chain_codebook(depth).encode() + xml[end:])


def test_ten_thousand_nested_codes_are_refused_in_seconds(tmp_path, capsys):
    src = chain_qdpx(tmp_path / "deep.qdpx", 10_000)
    assert src.stat().st_size < 60_000
    started = time.perf_counter()
    err = refused(capsys, "import", "qdpx", str(src), "--to", str(tmp_path / "nb"))
    assert time.perf_counter() - started < 30  # about 1 s; a recursive walk would crash
    assert err == (
        "error: deep.qdpx:Project.qde: found 'code64'; expected codes nested at most "
        f"{MAX_DEPTH} levels deep, as a codebook may be (the code 'code64' with guid 'c64' is "
        "on level 65; move deep codes up in the QDA tool)\n"
    )
    assert "levels deep" in refused(capsys, "codebook", "import", str(src))
    assert tree(tmp_path) == {"deep.qdpx"}


def test_deepest_allowed_chain_with_long_names_keeps_paths_short(tmp_path):
    long = "a fairly long code name, as some tools allow "  # 45 characters
    book = safe_archive.parse_xml(chain_codebook(MAX_DEPTH, long).encode(), "deep.qdc")
    codes, parents = qdc.codes_table(book, "deep.qdc", get_codebook())
    assert len(codes) == MAX_DEPTH and parents[:3] == (-1, 0, 1)
    paths = codes["path"].tolist()
    # whole paths would grow with the square of the depth (here 94 KB); they are cut at the top
    assert paths[1] == f"{long}0/{long}1" and max(map(len, paths)) <= qdc.MAX_CODE_PATH
    assert paths[-1].startswith("…/") and paths[-1].endswith(f"/{long}{MAX_DEPTH - 1}")
    assert len(set(paths)) == MAX_DEPTH
    src = chain_qdpx(tmp_path / "deep.qdpx", MAX_DEPTH)
    result = import_qdpx(src, tmp_path / "nb")
    assert result.counts["codes_local"] == MAX_DEPTH and result.counts["codings"] == 1


def test_project_with_ten_thousand_nested_codes_imports(tmp_path):
    # 200 chains 50 deep: deep enough for the importer, shallow enough for the codebook's
    # own tree check (taxonomy/records.py), whose speed on one 10,000-deep chain is not ours
    chains = "".join(
        "".join(f'<Code guid="c{c}-{k}" name="c{k}" isCodable="true">' for k in range(50))
        + "</Code>" * 50
        for c in range(200)
    )
    xml = project_xml("qualcoder", selections=selection_xml(2, "qualcoder", target="c0-49"))
    start, end = xml.index(b"<CodeBook>"), xml.index(b"</CodeBook>") + len(b"</CodeBook>")
    xml = xml[:start] + f"<CodeBook><Codes>{chains}</Codes></CodeBook>".encode() + xml[end:]
    src = write_qdpx(tmp_path / "deep.qdpx", xml)
    assert src.stat().st_size < 60_000
    result = import_qdpx(src, tmp_path / "nb")
    assert result.counts["codes_local"] == 10_000 and result.counts["codings"] == 1
    cmap = read_csv(tmp_path / "nb" / "code_map.csv")
    assert len(cmap) == 10_000 and cmap["local_id"].is_unique


# ----------------------------------------------------------------------------- Taguette offsets


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "column 'start_offset'; expected a whole number of UTF-8 bytes in "
               "highlights.start_offset (highlight 1 in document 1 has NULL there)"),
        ("abc", "column 'start_offset': found 'abc'; expected a whole number"),
        (85.5, "column 'start_offset': found 85.5; expected a whole number of UTF-8 bytes in "
               "highlights.start_offset (fractions are not rounded)"),
    ],
)  # fmt: skip
def test_taguette_null_text_or_fractional_offsets(tmp_path, monkeypatch, capsys, value, message):
    loose = test_taguette.SCHEMA.replace("start_offset INTEGER NOT NULL", "start_offset")
    monkeypatch.setattr(test_taguette, "SCHEMA", loose)  # real exports may be hand-edited
    db = make_db(tmp_path / "project.sqlite3")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE highlights SET start_offset = ? WHERE id = 1", (value,))
    conn.commit()
    conn.close()
    with pytest.raises(DataError, match=r"^project\.sqlite3, ") as info:
        import_taguette(db, tmp_path / "tg")
    assert message in str(info.value)
    assert message in refused(capsys, "import", "taguette", str(db), "--to", str(tmp_path / "tg"))
    assert tree(tmp_path) == {"project.sqlite3"}


# ----------------------------------------------------------------------------- damaged archives


def _header(data: bytes, zf: zipfile.ZipFile, member: str) -> tuple[zipfile.ZipInfo, int]:
    info = zf.getinfo(member)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info, info.header_offset + 30 + name_len + extra_len


def encrypt_flag(path: Path, member: str) -> None:
    """Mark one member as encrypted, as a password-protected export does."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info, _ = _header(bytes(data), zf, member)
    data[info.header_offset + 6] |= 1
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + n]).decode() == member:
            data[at + 8] |= 1
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def corrupt_deflate(path: Path, member: str) -> None:
    """Overwrite the start of one member's deflate stream with garbage."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info, start = _header(bytes(data), zf, member)
    data[start : start + min(info.compress_size, 24)] = b"\xff" * min(info.compress_size, 24)
    path.write_bytes(bytes(data))


DAMAGE = {
    "encrypted": (encrypt_flag, "expected an archive member without a password"),
    "corrupt": (corrupt_deflate, "expected an intact archive member (its data is damaged"),
}


@pytest.mark.parametrize("member", ["Project.qde", f"sources/{S1}.txt"])
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_encrypted_or_corrupt_archive_member(tmp_path, capsys, damage, member):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml())
    spoil, message = DAMAGE[damage]
    spoil(src, member)
    where = f"p.qdpx:{member}"
    with pytest.raises(DataError, match=message.replace("(", r"\(")) as info:
        import_qdpx(src, tmp_path / "nb")
    assert str(info.value).startswith(f"{where}; ")
    assert message in refused(capsys, "import", "qdpx", str(src), "--to", str(tmp_path / "nb"))
    if member == "Project.qde":  # the codebook is read from the same member
        assert message in refused(capsys, "codebook", "import", str(src))
        good = write_qdpx(tmp_path / "good.qdpx", project_xml())
        err = refused(capsys, "import", "qdpx", str(good), "--to", str(tmp_path / "nb"),
                      "--code-map", str(src))  # fmt: skip
        assert f"p.qdpx:{member}; {message}" in err
    assert not (tmp_path / "nb").exists() and hidden(tmp_path) == []


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_source_without_byte_order_mark_is_decoded_with_a_warning(tmp_path, codec):
    members = {**sources(), f"sources/{S1}.txt": TEXT1.encode(codec)}
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"), members)
    result = import_qdpx(src, tmp_path / "nb", keep_text=True)
    texts = read_csv(tmp_path / "nb" / "segments.csv")["text"].tolist()
    assert texts == [s[1].replace("\r\n", "\n") for s in SELECTIONS] and not any(
        "\x00" in t for t in texts
    )
    assert any(
        f"sources/{S1}.txt: no byte-order mark, read as {codec.upper()}" in w
        for w in result.warnings
    )


def test_text_with_nul_characters_is_refused(tmp_path, capsys):
    members = {**sources(), f"sources/{S1}.txt": TEXT1.encode() + b"\x00\x01binary"}
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"), members)
    message = f"p.qdpx:sources/{S1}.txt; expected a text source without NUL characters"
    with pytest.raises(DataError, match=message):
        import_qdpx(src, tmp_path / "nb", keep_text=True)
    assert message in refused(capsys, "import", "qdpx", str(src), "--to", str(tmp_path / "nb"))
    with pytest.raises(DataError, match="without NUL"):  # UTF-16 with its mark, holding NUL
        decode_text("a\x00b".encode("utf-16"), "x.txt")
    assert tree(tmp_path) == {"p.qdpx"}


def test_taguette_document_with_nul_characters_is_refused(tmp_path):
    db = make_db(tmp_path / "project.sqlite3")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE documents SET contents = contents || ? WHERE id = 1", ("<p>a\x00b</p>",))
    conn.commit()
    conn.close()
    with pytest.raises(DataError, match="document text without NUL characters"):
        import_taguette(db, tmp_path / "tg", keep_text=True)


# ----------------------------------------------------------------------------- the target folder


def test_import_into_a_symlinked_folder_writes_into_its_target(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    real = tmp_path / "store" / "nb"
    real.mkdir(parents=True)
    link = tmp_path / "nb"
    link.symlink_to(real, target_is_directory=True)
    import_qdpx(src, link)  # into the empty folder the link names
    import_qdpx(src, link, keep_text=True)  # and again, replacing that earlier import
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert read_csv(real / "segments.csv")["text"].tolist() == [
        s[1].replace("\r\n", "\n") for s in SELECTIONS
    ]
    assert hidden(tmp_path) == []
    dangling = tmp_path / "gone"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(DataError, match="symbolic link to a missing folder"):
        import_qdpx(src, dangling)
    assert not (tmp_path / "nowhere").exists()


def dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_staging_folders_of_killed_imports_are_cleaned(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    import_qdpx(src, tmp_path / "nb")
    salt = (tmp_path / "nb" / ".coprod_salt").read_bytes()
    gone, alive = dead_pid(), os.getppid()
    stale = [tmp_path / f".nb.importing-{gone}-x1", tmp_path / f".other.replaced-{gone}-x2"]
    live = tmp_path / f".nb.importing-{alive}-x3"  # another import still running
    for folder in [*stale, live]:
        folder.mkdir()
        (folder / "cases.csv").write_text("case_id\n", encoding="utf-8")
        os.utime(folder, (time.time() - 3600, time.time() - 3600))
    # killed in the middle of the swap: the earlier dataset moved aside, the folder gone
    (tmp_path / "nb").rename(tmp_path / f".nb.replaced-{gone}-x4")
    os.utime(tmp_path / f".nb.replaced-{gone}-x4", (time.time() - 3600, time.time() - 3600))
    import_qdpx(src, tmp_path / "nb")
    assert not any(p.exists() for p in stale) and live.is_dir()
    assert hidden(tmp_path) == [live.name, f"{live.name}/cases.csv"]
    # the dataset put aside came back before the import, so its salt and pseudonyms stay
    assert (tmp_path / "nb" / ".coprod_salt").read_bytes() == salt
    assert clean_stale_staging(tmp_path, time.time()) == []  # the live one stays


def test_full_disk_keeps_the_earlier_dataset_and_names_the_target(tmp_path, monkeypatch, capsys):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    to = tmp_path / "nb"
    import_qdpx(src, to)
    before = {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()}

    def full(frame, path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(writer, "write_csv", full)
    with pytest.raises(DataError) as info:
        import_qdpx(src, to, keep_text=True)
    message = str(info.value)
    assert message.startswith(f"{to}; expected a folder the import can write")
    assert "No space left on device" in message
    assert "importing-" not in message and "Errno" not in message and "\n" not in message
    err = refused(capsys, "import", "qdpx", str(src), "--to", str(to))
    assert "No space left on device" in err and "importing-" not in err
    assert {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()} == before
    assert hidden(tmp_path) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_parent_keeps_the_earlier_dataset(tmp_path, capsys):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    parent = tmp_path / "data"
    to = parent / "nb"
    import_qdpx(src, to)
    before = {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()}
    parent.chmod(0o555)
    try:
        with pytest.raises(DataError, match=r"Permission denied\); nothing was changed") as info:
            import_qdpx(src, to, keep_text=True)
        assert str(info.value).startswith(f"{to}; expected a folder the import can write")
        err = refused(capsys, "import", "qdpx", str(src), "--to", str(to))
        assert "Permission denied" in err and "Errno" not in err
    finally:
        parent.chmod(0o755)
    assert {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()} == before
    assert hidden(parent) == []


# ----------------------------------------------------------------------------- messages


def test_year_variable_too_large_or_fractional_is_a_warning_not_a_crash(tmp_path):
    xml = (
        project_xml("nvivo").replace(b">60+<", b">x<").replace(b'name="Age group"', b'name="Year"')
    )
    for year in (b"1e400", b"2020.5"):
        src = write_qdpx(tmp_path / "p.qdpx", xml.replace(b">x<", b">" + year + b"<"))
        result = import_qdpx(src, tmp_path / "nb")
        assert any(f"year '{year.decode()}' is not a whole number" in w for w in result.warnings)
        assert "2020" not in (tmp_path / "nb" / "cases.csv").read_text(encoding="utf-8")


def test_read_only_file_system_keeps_the_earlier_dataset(tmp_path, monkeypatch, capsys):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    to = tmp_path / "nb"
    import_qdpx(src, to)
    before = {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()}
    from coprodlib.importers import staging

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / ".nb.importing-1-x"))

    monkeypatch.setattr(staging.tempfile, "mkdtemp", read_only)
    err = refused(capsys, "import", "qdpx", str(src), "--to", str(to))
    assert err == (
        f"error: {to}; expected a folder the import can write (writing the dataset failed: "
        "Read-only file system); nothing was changed there\n"
    )
    assert {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()} == before
    assert hidden(tmp_path) == []


def test_unreadable_source_in_a_project_folder_gives_the_reason_not_the_errno(
    tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "proj"
    for name, data in sources().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    (folder / "project.qde").write_bytes(project_xml("nvivo"))
    real_read = Path.read_bytes

    def locked(self):
        if self.suffix == ".txt":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    err = refused(capsys, "import", "qdpx", str(folder), "--to", str(tmp_path / "nb"))
    assert err.startswith(f"error: {folder}/sources/{S1}.txt; expected a readable source file")
    assert "(Permission denied)" in err and "Errno" not in err
