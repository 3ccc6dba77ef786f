"""QDA projects as real tools write them (issue 14, items 3, 4 and 10).

- REFI-QDA projects whose ``plainTextPath`` is a bare file name (qc 1.3.2) or whose text
  sources have no name; ATLAS.ti selections inside audio/video transcripts; projects whose
  source texts are missing (refused, or imported with ``offsets_only=True``).
- One line-end convention for every importer: source text LF-normalised, offsets moved onto
  it, so that every segment's text is exactly ``text[start:end]``. Each importer is tried on
  a small project with a byte-order mark, CRLF line ends and an emoji outside the BMP; the
  expected offsets are computed here with plain ``str`` methods.
- One summary format for the three QDA importers, ending with the next command.
- The real projects of ../shared/real import with the counts of its README (made without
  this code), their segment texts equal the tools' own selection texts, and every sample of
  ../shared/refi-qda/samples is imported or refused with its selections accounted for.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from helpers import read_csv, run_cli, tree
from test_qualcoder import SCHEMA as QUALCODER_SCHEMA
from test_taguette import SCHEMA as TAGUETTE_SCHEMA

from coprodlib.contract.dataset import check_folder
from coprodlib.errors import DataError
from coprodlib.importers.qualcoder import import_qualcoder
from coprodlib.importers.refi import import_qdpx
from coprodlib.importers.taguette import import_taguette
from coprodlib.paths import project_root

SHARED = Path(project_root()).parent / "shared"
REAL = SHARED / "real"
SAMPLES_DIR = SHARED / "refi-qda" / "samples"
SAMPLES = sorted(SAMPLES_DIR.glob("*.qdpx")) if SAMPLES_DIR.is_dir() else []
needs_real = pytest.mark.skipif(
    not REAL.is_dir(),
    reason=f"../shared/real is not on this machine: the real QDA projects ({REAL}) are absent",
)
needs_samples = pytest.mark.skipif(
    not SAMPLES,
    reason=f"../shared/refi-qda/samples is not on this machine ({SAMPLES_DIR})",
)

CODE = "6F000000-0000-4000-8000-000000000001"  # "Trade-off": matches the codebook
LOCAL = "6F000000-0000-4000-8000-000000000002"  # "Board minutes": a local code
# a text with a byte-order mark (in the file), CRLF line ends and emoji outside the BMP
TEXT = "Chair: Speed 😀 or care?\r\nMember: Both 🙂, by turns.\r\nChair: Agreed."
SNIPPETS = ["Speed 😀 or care?\r\nMember: Both 🙂", "by turns.", "Agreed."]


def lf(text: str) -> str:
    """The line-end convention, by plain string replacement (the reference)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def utf16(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def refi_offsets(text: str, snippet: str, tool: str) -> tuple[int, int]:
    """Where NVivo (UTF-16, CRLF as two) or ATLAS.ti (UTF-16, CRLF as one) puts a snippet."""
    i = text.index(snippet)
    head, body = text[:i], snippet
    if tool == "atlas":
        head, body = head.replace("\r\n", "\n"), body.replace("\r\n", "\n")
    return utf16(head), utf16(head) + utf16(body)


def qde(sources: str, origin: str = "NVivo for Windows 12.6") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="{origin}" name="Board study">
  <CodeBook><Codes>
    <Code guid="{CODE}" name="Trade-off" isCodable="true"/>
    <Code guid="{LOCAL}" name="Board minutes" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>{sources}</Sources>
</Project>""".encode()


def selection(k: int, start: int, end: int, code: str = CODE) -> str:
    return (
        f'<PlainTextSelection guid="AE000000-0000-4000-8000-00000000000{k}" '
        f'startPosition="{start}" endPosition="{end}"><Coding guid="9D000000-0000-4000-8000-'
        f'00000000000{k}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def text_source(path: str, tool: str = "nvivo", *, name: str | None = "Board 2017") -> str:
    named = "" if name is None else f' name="{name}"'
    sels = "".join(selection(k, *refi_offsets(TEXT, s, tool)) for k, s in enumerate(SNIPPETS))
    return (
        f'<TextSource guid="5A000000-0000-4000-8000-000000000001"{named} '
        f'plainTextPath="{path}">{sels}</TextSource>'
    )


def write_zip(path: Path, qde_bytes: bytes, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde_bytes)
        for name, data in members.items():
            zf.writestr(name, data)
    return path


BOM_TEXT = b"\xef\xbb\xbf" + TEXT.encode("utf-8")


def assert_text_is_the_slice(folder: Path, texts: dict[str, str]) -> None:
    """Every segment's text is exactly the slice [start:end] of its LF source text; ``texts``
    maps document ids to the source texts as stored (the reference normalises them)."""
    segs = read_csv(folder / "segments.csv")
    assert len(segs)
    for row in segs.itertuples():
        source = lf(texts[row.document_id].removeprefix("\ufeff"))
        assert row.text == source[int(row.start) : int(row.end)]
        assert "\r" not in row.text


def documents_by_name(folder: Path) -> dict[str, str]:
    """Original document name -> document id, from the pseudonym key."""
    key = read_csv(folder / "pseudonym_key.csv")
    key = key[key["kind"] == "document"]
    return dict(zip(key["original"], key["pseudonym"], strict=True))


# ----------------------------------------------------------------------------- plainTextPath


def test_bare_plain_text_path_and_missing_name_are_read_with_warnings(tmp_path):
    # qc 1.3.2 writes plainTextPath="board_2017.txt" and no name; the text is in sources/
    src = write_zip(
        tmp_path / "qc.qdpx",
        qde(text_source("board_2017.txt", name=None), origin="qc 1.3.2"),
        {"sources/board_2017.txt": BOM_TEXT},
    )
    result = import_qdpx(src, tmp_path / "out", keep_text=True, offsets="utf16")
    assert result.counts["segments"] == 3
    assert any("plainTextPath without internal://" in w and "sources/board_2017.txt" in w
               for w in result.warnings)  # fmt: skip
    assert any("without a name" in w and "'board_2017'" in w for w in result.warnings)
    doc = documents_by_name(tmp_path / "out")["board_2017"]
    assert_text_is_the_slice(tmp_path / "out", {doc: TEXT})
    assert check_folder(tmp_path / "out") == []


@pytest.mark.parametrize(
    "path, member",
    [("Sources/board.txt", "Sources/board.txt"), ("board.txt", "board.txt")],
    ids=["relative-under-sources", "beside-the-qde"],
)
def test_relative_plain_text_paths_inside_the_archive_are_read(tmp_path, path, member):
    src = write_zip(tmp_path / "p.qdpx", qde(text_source(path)), {member: BOM_TEXT})
    assert import_qdpx(src, tmp_path / "out").counts["segments"] == 3


@pytest.mark.parametrize(
    "path, message",
    [
        ("/etc/board.txt", "absolute paths and '..' are refused"),
        ("C:\\Users\\ana\\board.txt", "absolute paths and '..' are refused"),
        ("../board.txt", "absolute paths and '..' are refused"),
        ("sources/../../board.txt", "absolute paths and '..' are refused"),
        ("relative://board.txt", "text kept outside the project is not read"),
        ("file:///home/ana/board.txt", "text kept outside the project is not read"),
        ("other.txt", "the file other.txt in the project"),
    ],
)
def test_plain_text_paths_outside_the_archive_stay_refused(tmp_path, capsys, path, message):
    src = write_zip(tmp_path / "p.qdpx", qde(text_source(path)), {"sources/board.txt": BOM_TEXT})
    with pytest.raises(DataError, match="expected") as info:
        import_qdpx(src, tmp_path / "out")
    assert message in str(info.value)
    assert run_cli("import", "qdpx", str(src), "--to", str(tmp_path / "out")) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and str(tmp_path) not in err
    assert tree(tmp_path) == {"p.qdpx"}


# ----------------------------------------------------------------------------- missing texts


def test_missing_texts_are_refused_or_imported_as_offsets_only(tmp_path):
    src = write_zip(tmp_path / "p.qdpx", qde(text_source("internal://gone.txt")), {})
    with pytest.raises(DataError, match="--offsets-only") as info:
        import_qdpx(src, tmp_path / "out")
    assert "sources/gone.txt" in str(info.value)
    with pytest.raises(ValueError, match="exclude each other"):
        import_qdpx(src, tmp_path / "out", offsets_only=True, keep_text=True)
    assert not (tmp_path / "out").exists()

    result = import_qdpx(src, tmp_path / "out", offsets_only=True)
    segs = read_csv(tmp_path / "out" / "segments.csv")
    # the offsets exactly as NVivo stored them (UTF-16 units, CRLF as two); no text
    assert list(zip(segs["start"].astype(int), segs["end"].astype(int), strict=True)) == [
        refi_offsets(TEXT, s, "nvivo") for s in SNIPPETS
    ]
    assert (segs["text"] == "").all()
    meta = yaml.safe_load((tmp_path / "out" / "dataset.yml").read_text(encoding="utf-8"))
    info_ = meta["imports"]["qualitative"]
    assert (info_["offset_unit"], info_["source_texts_read"]) == ("utf16", False)
    assert "segment text: none (source texts not read: --offsets-only)" in result.summary()
    assert check_folder(tmp_path / "out") == []


def test_offsets_only_still_refuses_offsets_that_are_not_offsets(tmp_path):
    sources = (
        '<TextSource guid="5A000000-0000-4000-8000-000000000001" name="a" '
        f'plainTextPath="internal://a.txt">{selection(1, 9, 4)}{selection(2, -1, 3)}'
        "</TextSource>"
    )
    src = write_zip(tmp_path / "p.qdpx", qde(sources), {})
    with pytest.raises(DataError) as info:
        import_qdpx(src, tmp_path / "out", offsets_only=True)
    text = str(info.value)
    assert "2 problems" in text and "startPosition <= endPosition" in text and "'-1'" in text


# ----------------------------------------------------------------------------- transcripts


def test_atlas_selections_in_audio_and_video_transcripts_become_segments(tmp_path):
    rep = text_source("internal://t.txt", "atlas").replace("TextSource", "Representation")
    rep = rep.replace(' name="Board 2017"', "")
    sources = (
        '<AudioSource guid="5B000000-0000-4000-8000-000000000001" name="Board meeting" '
        'path="internal://m.mp3">'
        '<AudioSelection guid="AF000000-0000-4000-8000-000000000001" begin="0" end="10">'
        f'<Coding guid="9D000000-0000-4000-8000-0000000000F1"><CodeRef targetGUID="{CODE}"/>'
        f"</Coding></AudioSelection>{rep}</AudioSource>"
        '<VideoSource guid="5B000000-0000-4000-8000-000000000002" name="Clip" path="internal://'
        'v.mp4"><VideoSelection guid="AF000000-0000-4000-8000-000000000002" begin="0" end="5">'
        f'<Coding guid="9D000000-0000-4000-8000-0000000000F2"><CodeRef targetGUID="{LOCAL}"/>'
        "</Coding></VideoSelection></VideoSource>"
    )
    src = write_zip(
        tmp_path / "a.qdpx", qde(sources, origin="ATLAS.ti 23.2"), {"sources/t.txt": BOM_TEXT}
    )
    result = import_qdpx(src, tmp_path / "out", keep_text=True)
    assert result.counts["segments"] == 3
    assert result.skipped == {"PDF": 0, "image": 0, "audio/video": 2, "other": 0}
    assert "selections skipped: 0 PDF, 0 image, 0 audio/video" not in result.summary()
    assert "selections skipped: 0 PDF, 0 image, 2 audio/video, 0 other" in result.summary()
    assert any("3 coded selection(s) in transcripts of audio/video" in w for w in result.warnings)
    doc = documents_by_name(tmp_path / "out")["Board meeting"]
    assert_text_is_the_slice(tmp_path / "out", {doc: TEXT})
    assert read_csv(tmp_path / "out" / "segments.csv")["text"].tolist() == [lf(s) for s in SNIPPETS]
    assert check_folder(tmp_path / "out") == []


# ----------------------------------------------------------------------------- line ends


@pytest.mark.parametrize("tool", ["nvivo", "atlas"])
def test_refi_text_and_offsets_agree_under_the_line_end_convention(tmp_path, tool):
    origin = {"nvivo": "NVivo for Windows 12.6", "atlas": "ATLAS.ti 23.2"}[tool]
    src = write_zip(tmp_path / "p.qdpx", qde(text_source("internal://s.txt", tool), origin),
                    {"sources/s.txt": BOM_TEXT})  # fmt: skip
    result = import_qdpx(src, tmp_path / "out", keep_text=True)
    segs = read_csv(tmp_path / "out" / "segments.csv")
    expected = [(lf(TEXT).index(lf(s)), lf(TEXT).index(lf(s)) + len(lf(s))) for s in SNIPPETS]
    assert list(zip(segs["start"].astype(int), segs["end"].astype(int), strict=True)) == expected
    assert segs["text"].tolist() == [lf(s) for s in SNIPPETS]
    assert "line ends: LF (of 1 source text(s), 1 had CRLF, 0 lone CR, 1 a byte-order mark" in (
        result.summary()
    )
    meta = yaml.safe_load((tmp_path / "out" / "dataset.yml").read_text(encoding="utf-8"))
    assert meta["imports"]["qualitative"]["offset_unit"] == "codepoints"
    assert meta["imports"]["qualitative"]["line_ends"].startswith("LF (")


def taguette_db(path: Path) -> Path:
    """A Taguette export whose document holds a BOM, CRs (as &#13; entities, which Taguette
    counts), an emoji, and one highlight across a CRLF line end."""
    conn = sqlite3.connect(path)
    conn.executescript(TAGUETTE_SCHEMA)
    conn.execute("INSERT INTO projects VALUES (1, 'Board', '', '2024-01-01')")
    shown = "\ufeff" + TEXT  # the text Taguette shows and counts bytes over
    html = "<p>" + shown.replace("\r\n", "&#13;\n") + "</p>"
    conn.execute("INSERT INTO documents VALUES (1, 'Board 2017', '', 'b.html', '2024-01-01', 1, "
                 "'LEFT_TO_RIGHT', ?)", (html,))  # fmt: skip
    conn.execute("INSERT INTO tags VALUES (1, 1, 'Trade-off', '')")
    for hid, snippet in enumerate(SNIPPETS, start=1):
        i = shown.index(snippet)
        start = len(shown[:i].encode("utf-8"))
        end = start + len(snippet.encode("utf-8"))
        conn.execute("INSERT INTO highlights VALUES (?, 1, ?, ?, ?)",
                     (hid, start, end, f"<p>{snippet}</p>"))  # fmt: skip
        conn.execute("INSERT INTO highlight_tags VALUES (?, 1)", (hid,))
    conn.execute("INSERT INTO highlights VALUES (9, 1, 0, 3, 'x')")  # no tag: dropped
    conn.commit()
    conn.close()
    return path


def test_taguette_text_and_offsets_agree_under_the_line_end_convention(tmp_path):
    result = import_taguette(taguette_db(tmp_path / "t.sqlite3"), tmp_path / "out",
                             keep_text=True)  # fmt: skip
    segs = read_csv(tmp_path / "out" / "segments.csv")
    assert segs["text"].tolist() == [lf(s) for s in SNIPPETS]
    doc = documents_by_name(tmp_path / "out")["Board 2017"]
    assert_text_is_the_slice(tmp_path / "out", {doc: TEXT})
    summary = result.summary()
    assert "highlights without a tag dropped: 1" in summary
    assert "line ends: LF (of 1 source text(s), 1 had CRLF, 0 lone CR, 1 a byte-order" in summary
    assert check_folder(tmp_path / "out") == []


def qualcoder_db(path: Path) -> Path:
    """A QualCoder database whose fulltext holds a BOM, CRLF line ends and emoji."""
    conn = sqlite3.connect(path)
    conn.executescript(QUALCODER_SCHEMA)
    conn.execute("INSERT INTO project VALUES ('v8', '', '', 'QualCoder 3.6', 0, 0, 'ana')")
    full = "\ufeff" + TEXT
    conn.execute("INSERT INTO source (id, name, fulltext) VALUES (1, 'Board 2017', ?)", (full,))
    conn.execute("INSERT INTO code_name (cid, name, memo, catid) VALUES (1, 'Trade-off', '', NULL)")
    for k, snippet in enumerate(SNIPPETS, start=1):
        pos0 = full.index(snippet)
        conn.execute("INSERT INTO code_text (ctid, cid, fid, seltext, pos0, pos1, owner) VALUES "
                     "(?, 1, 1, ?, ?, ?, 'ana')", (k, snippet, pos0, pos0 + len(snippet)))  # fmt: skip
    conn.execute("INSERT INTO code_av (id, pos0, pos1, cid) VALUES (1, 0, 5, 1)")
    conn.commit()
    conn.close()
    return path


def test_qualcoder_text_and_offsets_agree_under_the_line_end_convention(tmp_path):
    result = import_qualcoder(qualcoder_db(tmp_path / "data.qda"), tmp_path / "out",
                              keep_text=True)  # fmt: skip
    segs = read_csv(tmp_path / "out" / "segments.csv")
    assert segs["text"].tolist() == [lf(s) for s in SNIPPETS]
    doc = documents_by_name(tmp_path / "out")["Board 2017"]
    assert_text_is_the_slice(tmp_path / "out", {doc: TEXT})
    summary = result.summary()
    assert "selections skipped: 0 PDF, 0 image, 1 audio/video, 0 other" in summary
    assert "line ends: LF (of 1 source text(s), 1 had CRLF, 0 lone CR, 1 a byte-order" in summary
    assert check_folder(tmp_path / "out") == []


# ----------------------------------------------------------------------------- summaries


def summary_keys(text: str) -> list[str]:
    """The kind of each line of a summary: its first words up to a colon or a number."""
    keys = []
    for line in text.splitlines()[1:]:
        line = line.strip()
        head = line.split(":", 1)[0] if ":" in line[:30] else "counts"
        keys.append(head)
    return keys


def test_the_three_importers_share_one_summary_format(tmp_path):
    only_matched = qde(text_source("internal://s.txt")).replace(
        f'<Code guid="{LOCAL}" name="Board minutes" isCodable="true"/>'.encode(), b""
    )
    refi = import_qdpx(
        write_zip(tmp_path / "p.qdpx", only_matched, {"sources/s.txt": BOM_TEXT}), tmp_path / "r"
    )
    tag = import_taguette(taguette_db(tmp_path / "t.sqlite3"), tmp_path / "t")
    qc = import_qualcoder(qualcoder_db(tmp_path / "data.qda"), tmp_path / "q")
    shared = ["selections skipped", "codes", "offsets", "line ends", "segment text"]
    for result, tool in [(refi, "NVivo for Windows 12.6"), (tag, "Taguette ("),
                         (qc, "QualCoder 3.6 (database v8)")]:  # fmt: skip
        text = result.summary()
        assert text.splitlines()[0].startswith(f"imported {result.source} (tool: {tool}")
        keys = [k for k in summary_keys(text) if k not in ("note", "warning")]
        assert [k for k in keys if k in shared] == shared
        # every code of these projects is "Trade-off", a codebook id: validate comes next
        assert text.splitlines()[-1] == f"  next: coprod validate {result.path}"
    assert "database schema" not in tag.summary()  # the fixture has no alembic_version
    assert "highlights without a tag" not in refi.summary() + qc.summary()


def test_next_command_is_coprod_map_while_local_codes_remain(tmp_path):
    sels = selection(1, *refi_offsets(TEXT, "Agreed.", "nvivo"), code=LOCAL)
    sources = (
        '<TextSource guid="5A000000-0000-4000-8000-000000000001" name="a b" '
        f'plainTextPath="internal://s.txt">{sels}</TextSource>'
    )
    to = tmp_path / "my data"
    src = write_zip(tmp_path / "p.qdpx", qde(sources), {"sources/s.txt": BOM_TEXT})
    result = import_qdpx(src, to)
    assert result.counts["codes_local"] == 1
    assert result.summary().splitlines()[-1] == f"  next: coprod map '{to}'"


# ----------------------------------------------------------------------------- real files


def _walk(root: ET.Element):
    return ((el.tag.rsplit("}", 1)[-1], el) for el in root.iter())


@needs_samples
def test_real_nvivo_windows_segments_are_the_slice_of_the_lf_text(tmp_path):
    sample = SAMPLES_DIR / "nvivo12_win_oltas0517.qdpx"
    if not sample.is_file():
        pytest.skip(f"the NVivo for Windows sample is not on this machine ({sample})")
    to = tmp_path / "nv"
    import_qdpx(sample, to, keep_text=True)
    zf = zipfile.ZipFile(sample)
    root = ET.fromstring(zf.read("project.qde"))
    raw, where = {}, {}
    for tag, src in _walk(root):
        if tag != "TextSource":
            continue
        member = "Sources/" + src.get("plainTextPath").split("://", 1)[1]
        raw[src.get("guid")] = zf.read(member).decode("utf-8-sig")
        for sel in src:
            if sel.tag.endswith("PlainTextSelection"):
                where[sel.get("guid").lower()] = (src.get("guid"), int(sel.get("startPosition")),
                                                  int(sel.get("endPosition")))  # fmt: skip
    segs = read_csv(to / "segments.csv")
    assert len(segs) == 303
    crossing = 0
    for row in segs.itertuples():
        guid, a, b = where[row.segment_id]
        text = raw[guid]
        # NVivo's own reading: UTF-16 code units over the text without its BOM, CRLF as two
        selected = text.encode("utf-16-le")[2 * a : 2 * b].decode("utf-16-le")
        crossing += "\r\n" in selected
        assert row.text == lf(selected)
        assert row.text == lf(text)[int(row.start) : int(row.end)]
    assert crossing > 0  # some selections do span a CRLF line end


@needs_real
def test_real_nvivo_mac_project_imports_with_the_readme_counts(tmp_path):
    to = tmp_path / "oltas"
    result = import_qdpx(REAL / "nvivo_mac12_oltas.qdpx", to, keep_text=True)
    assert (result.counts["segments"], result.counts["codings"]) == (297, 297)
    segs = read_csv(to / "segments.csv")
    assert segs["document_id"].nunique() == 1  # all on one source
    zf = zipfile.ZipFile(REAL / "nvivo_mac12_oltas.qdpx")
    root = ET.fromstring(zf.read("project.qde"))
    (src,) = [s for t, s in _walk(root) if t == "TextSource" and any(
        c.tag.endswith("PlainTextSelection") for c in s)]  # fmt: skip
    text = zf.read("sources/" + src.get("plainTextPath").split("://", 1)[1]).decode("utf-8")
    units = text.encode("utf-16-le")
    by_guid = {
        s.get("guid").lower(): (int(s.get("startPosition")), int(s.get("endPosition")))
        for s in src if s.tag.endswith("PlainTextSelection")
    }  # fmt: skip
    for row in segs.itertuples():
        a, b = by_guid[row.segment_id]
        assert row.text == units[2 * a : 2 * b].decode("utf-16-le")
    assert check_folder(to) == []


@needs_real
def test_real_qualcoder_project_imports_with_the_readme_counts(tmp_path):
    to = tmp_path / "qc"
    result = import_qualcoder(REAL / "qualcoder36_mannheimer.qda", to, keep_text=True)
    assert (result.counts["segments"], result.counts["codings"]) == (694, 753)
    assert result.counts["documents"] == 30
    uri = (REAL / "qualcoder36_mannheimer.qda").resolve().as_uri() + "?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True)
    seltext = {f"qc-{f}-{a}-{b}": t for f, a, b, t in
               conn.execute("SELECT fid, pos0, pos1, seltext FROM code_text")}  # fmt: skip
    conn.close()
    segs = read_csv(to / "segments.csv")
    assert len(seltext) == 694
    assert all(row.text == lf(seltext[row.segment_id]) for row in segs.itertuples())
    assert check_folder(to) == []


@needs_real
def test_real_taguette_export_imports_with_the_readme_counts(tmp_path):
    to = tmp_path / "tg"
    result = import_taguette(REAL / "taguette_carpentries_sample.sqlite3", to, keep_text=True)
    assert (result.counts["segments"], result.counts["codings"]) == (18, 24)
    assert result.counts["documents"] == 10
    assert "highlights without a tag dropped: 0" in result.summary()
    uri = (REAL / "taguette_carpentries_sample.sqlite3").resolve().as_uri()
    conn = sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True)
    snippets = dict(conn.execute("SELECT 'h' || id, snippet FROM highlights"))
    conn.close()
    for row in read_csv(to / "segments.csv").itertuples():
        shown = BeautifulSoup(snippets[row.segment_id], "html.parser").get_text()
        assert row.text == lf(shown)
    assert check_folder(to) == []


def _coded(el: ET.Element) -> bool:
    return any(c.tag.endswith("Coding") and any(r.tag.endswith("CodeRef") for r in c)
               for c in el)  # fmt: skip


@needs_samples
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_imports_or_is_refused_with_its_selections_accounted_for(tmp_path, sample):
    zf = zipfile.ZipFile(sample)
    (name,) = [n for n in zf.namelist() if n.lower().endswith(".qde")]
    root = ET.fromstring(zf.read(name))
    # everything coded: selections of any kind and whole sources, by a plain XML walk
    coded = sum(
        _coded(el)
        for tag, el in _walk(root)
        if tag.endswith("Selection") or tag.endswith("Source") or tag == "Representation"
    )
    to = tmp_path / "out"
    if coded == 0:  # documented refusal: a codebook-only export
        with pytest.raises(DataError, match="coprod codebook import"):
            import_qdpx(sample, to)
        return
    result = import_qdpx(sample, to)
    assert result.counts["segments"] + sum(result.skipped.values()) == coded
    assert check_folder(to) == []


def test_a_project_coding_only_media_is_refused_with_its_selections_counted(tmp_path):
    sources = (
        '<PictureSource guid="5B000000-0000-4000-8000-000000000003" name="Photo" '
        'path="internal://p.jpg"><PictureSelection guid="AF000000-0000-4000-8000-000000000003" '
        'firstX="0" firstY="0" secondX="1" secondY="1"><Coding guid="9D000000-0000-4000-8000-'
        f'0000000000F3"><CodeRef targetGUID="{CODE}"/></Coding></PictureSelection>'
        "</PictureSource>"
    )
    src = write_zip(tmp_path / "p.qdpx", qde(sources), {})
    with pytest.raises(DataError, match=r"codes other things only \(0 PDF, 1 image, 0 audio"):
        import_qdpx(src, tmp_path / "out")
