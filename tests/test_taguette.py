"""Taguette project exports (`coprod import taguette`).

The always-on fixture is an SQLite file with Taguette's tables, built here: HTML documents
with entities, CRLF line ends, leading white space and emoji; highlights with UTF-8 byte
offsets (one across two paragraphs, one without tags) and the snippets Taguette stores; a
command log naming the coders. Hostile or broken files must give a DataError, exit code 1
and write nothing. The real export in ../shared/taguette is imported where it exists.
"""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from helpers import read_csv, run_cli, tree

from coprodlib import cli
from coprodlib.errors import DataError
from coprodlib.importers.taguette import html_text, import_taguette, read_taguette
from coprodlib.paths import KEY_FILE, project_root

SHARED = Path(project_root()).parent / "shared"
TAGUETTE = SHARED / "taguette"
needs_shared = pytest.mark.skipif(
    not TAGUETTE.is_dir(),
    reason=f"../shared not present: the real Taguette export ({TAGUETTE}) is not on this machine",
)

SCHEMA = """
CREATE TABLE projects (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL, created DATETIME NOT NULL);
CREATE TABLE documents (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL, filename VARCHAR(200) NOT NULL, created DATETIME NOT NULL,
    project_id INTEGER NOT NULL, text_direction VARCHAR(13) NOT NULL, contents TEXT NOT NULL);
CREATE TABLE tags (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL,
    path VARCHAR(200) NOT NULL, description TEXT NOT NULL);
CREATE TABLE highlights (id INTEGER PRIMARY KEY, document_id INTEGER NOT NULL,
    start_offset INTEGER NOT NULL, end_offset INTEGER NOT NULL, snippet TEXT NOT NULL);
CREATE TABLE highlight_tags (highlight_id INTEGER NOT NULL, tag_id INTEGER NOT NULL,
    PRIMARY KEY (highlight_id, tag_id));
CREATE TABLE commands (id INTEGER PRIMARY KEY, date DATETIME NOT NULL,
    user_login VARCHAR(30) NOT NULL, project_id INTEGER NOT NULL, document_id INTEGER,
    payload TEXT NOT NULL);
"""

# paragraphs of each document as text; the HTML escapes them and joins them with CRLF
DOC1 = [
    "Interview – Frau Ölmez, Stadtteilzentrum",
    "I: Why did the residents stop coming?",
    "R: Speed & care don’t mix 🙂 here.",
    "R: We take turns <now>.",
]
DOC2 = ["Café Nord — notes", "Everyone gets the same slot, 😀😀 fair or not."]
# (document, selected text, tags, coder)
HIGHLIGHTS = [
    (1, "Speed & care don’t mix 🙂", [1, 3], "maria"),
    (1, "here.\nR: We take turns <now>", [2], "admin"),
    (2, "Everyone gets the same slot, 😀😀 fair", [2], "maria"),
    (2, "notes", [], "maria"),  # a highlight without tags: not imported
]
TAGS = [(1, "Trade-off", "balancing speed"), (2, "value conflict", ""), (3, "efficiency", "")]


def doc_html(paras: list[str]) -> str:
    return "\n  " + "\r\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paras)


def doc_text(paras: list[str]) -> str:
    return "\n".join(paras)


def make_db(path: Path, highlights=HIGHLIGHTS, *, offsets=None, snippet=None, tags=TAGS,
            projects=1) -> Path:  # fmt: skip
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    for p in range(1, projects + 1):
        conn.execute("INSERT INTO projects VALUES (?, ?, '', '2024-01-01')", (p, "Buurtzorg pilot"))
    docs = {1: DOC1, 2: DOC2}
    for did, paras in docs.items():
        conn.execute(
            "INSERT INTO documents VALUES (?, ?, '', ?, '2024-01-01', 1, 'LEFT_TO_RIGHT', ?)",
            (did, f"Interview {did} Ölmez" if did == 1 else "Notes Café", f"d{did}.html",
             doc_html(paras)),
        )  # fmt: skip
    for tid, tpath, desc in tags:
        conn.execute("INSERT INTO tags VALUES (?, 1, ?, ?)", (tid, tpath, desc))
    for hid, (did, sel, tag_ids, coder) in enumerate(highlights, start=1):
        text = doc_text(docs[did])
        i = text.index(sel)
        start = len(text[:i].encode("utf-8"))
        end = start + len(sel.encode("utf-8"))
        if offsets and hid in offsets:
            start, end = offsets[hid]
        snip = "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in sel.split("\n"))
        if snippet and hid in snippet:
            snip = snippet[hid]
        conn.execute("INSERT INTO highlights VALUES (?, ?, ?, ?, ?)", (hid, did, start, end, snip))
        for t in tag_ids:
            conn.execute("INSERT INTO highlight_tags VALUES (?, ?)", (hid, t))
        payload = {"type": "highlight_add", "highlight_id": hid, "start_offset": start,
                   "end_offset": end, "tags": tag_ids}  # fmt: skip
        conn.execute(
            "INSERT INTO commands (date, user_login, project_id, document_id, payload) "
            "VALUES ('2024-01-02', ?, 1, ?, ?)",
            (coder, did, json.dumps(payload)),
        )
    conn.commit()
    conn.close()
    return path


def validate(folder: Path) -> list:
    from coprodlib.contract.dataset import validate as _validate

    return _validate(folder)


# ----------------------------------------------------------------------------- text


def test_html_text_counts_what_taguette_counts():
    assert html_text("\n <p>a &amp; b</p>\r\n<p>&eacute;&nbsp;c</p>") == "a & b\né\xa0c"
    assert html_text("<h1>x</h1><!-- note --><p>y<br/>z</p>") == "xyz"
    assert html_text(doc_html(DOC1)) == doc_text(DOC1)


# ----------------------------------------------------------------------------- fixture


def test_fixture_imports_with_byte_offsets_converted(tmp_path):
    db = make_db(tmp_path / "project.sqlite3")
    to = tmp_path / "data" / "tg"
    result = import_taguette(db, to, keep_text=True)
    assert result.counts["segments"] == 3 and result.counts["codings"] == 4
    segs = read_csv(to / "segments.csv")
    assert segs["segment_id"].tolist() == ["h1", "h2", "h3"]
    assert segs["text"].tolist() == [h[1] for h in HIGHLIGHTS[:3]]
    for row, (did, sel, _, _) in zip(segs.itertuples(), HIGHLIGHTS, strict=False):
        text = doc_text(DOC1 if did == 1 else DOC2)
        assert (int(row.start), int(row.end)) == (text.index(sel), text.index(sel) + len(sel))
    codings = read_csv(to / "codings.csv")
    assert codings["code"].tolist() == ["trade_off", "productivity", "local_value_conflict",
                                        "local_value_conflict"]  # fmt: skip
    assert codings["coder"].tolist() == ["maria", "maria", "admin", "maria"]
    assert result.untagged == 1
    assert "highlights without a tag dropped: 1" in result.summary()
    for f in to.glob("*.csv"):
        if f.name != KEY_FILE:
            assert "Ölmez" not in f.read_text(encoding="utf-8") or f.name == "segments.csv"
    assert "Ölmez" not in (to / "documents.csv").read_text(encoding="utf-8")
    assert "Taguette" in (to / "dataset.yml").read_text(encoding="utf-8")
    assert validate(to) == []
    assert tree(tmp_path) == {"project.sqlite3", "data", "data/tg", *(f"data/tg/{p}" for p in
                                                                       tree(to))}  # fmt: skip


def test_cli_import_and_reimport_with_code_map(tmp_path, capsys):
    db = make_db(tmp_path / "project.sqlite3")
    to = tmp_path / "tg"
    assert run_cli("import", "taguette", str(db), "--to", str(to)) == 0
    assert "3 coded segment(s) with 4 coding(s)" in capsys.readouterr().out
    cmap = read_csv(to / "code_map.csv")
    cmap.loc[cmap["project_code"] == "value conflict", "code"] = "trade-off"
    cmap.to_csv(tmp_path / "map.csv", index=False)
    assert run_cli("import", "taguette", str(db), "--to", str(to), "--code-map",
                   str(tmp_path / "map.csv")) == 0  # fmt: skip
    assert set(read_csv(to / "codings.csv")["code"]) == {"trade_off", "productivity"}
    assert (read_csv(to / "segments.csv")["text"] == "").all()
    assert validate(to) == []


def hostile(kind: str, folder: Path) -> Path:
    path = folder / "project.sqlite3"
    if kind == "not_sqlite":
        path.write_text("id,document,tag,content\n1,a,b,c\n", encoding="utf-8")
    elif kind == "zip":
        path = folder / "project.qdpx"
        path.write_bytes(b"PK\x03\x04" + bytes(40))
    elif kind == "not_taguette":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (x TEXT)")
        conn.commit()
        conn.close()
    elif kind == "offsets_outside":
        make_db(path, offsets={1: (10, 5000)})
    elif kind == "offset_inside_character":
        make_db(path, offsets={3: (4, 10)})  # byte 4 lies inside the é of "Café"
    elif kind == "unknown_tag":
        make_db(path, highlights=[(1, "Speed", [9], "maria")])
    elif kind == "snippet_mismatch":
        make_db(path, snippet={1: "<p>something else entirely</p>"})
    elif kind == "no_highlights":
        make_db(path, highlights=[(2, "notes", [], "maria")])
    elif kind == "two_projects":
        make_db(path, projects=2)
    else:
        raise AssertionError(kind)
    return path


HOSTILE = {
    "not_sqlite": "not one",
    "zip": "coprod import qdpx",
    "not_taguette": "missing: projects",
    "offsets_outside": "within the document's text",
    "offset_inside_character": "character",
    "unknown_tag": "unknown tag",
    "snippet_mismatch": "select other text",
    "no_highlights": "coprod codebook import",
    "two_projects": "one Taguette project",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_broken_or_hostile_exports_are_refused(tmp_path, capsys, kind):
    work = tmp_path / "work"
    work.mkdir()
    db = hostile(kind, work)
    before = tree(tmp_path)
    target = tmp_path / "out" / "tg"
    with pytest.raises(DataError, match=HOSTILE[kind]):
        import_taguette(db, target)
    assert run_cli("import", "taguette", str(db), "--to", str(target)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert tree(tmp_path) == before  # no output, no -journal or -wal beside the input


def test_read_only_input_is_opened_without_writing(tmp_path):
    db = make_db(tmp_path / "project.sqlite3")
    db.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        project = read_taguette(db)
    finally:
        tmp_path.chmod(0o755)
    assert len(project.selections) == 3


# ----------------------------------------------------------------------------- real export


@needs_shared
def test_real_taguette_export(tmp_path):
    db = TAGUETTE / "project.sqlite3"
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    n_sel = conn.execute("SELECT COUNT(DISTINCT highlight_id) FROM highlight_tags").fetchone()[0]
    n_ref = conn.execute("SELECT COUNT(*) FROM highlight_tags").fetchone()[0]
    conn.close()
    to = tmp_path / "data" / "taguette"
    assert run_cli("import", "taguette", str(db), "--to", str(to), "--keep-text") == 0
    segs = read_csv(to / "segments.csv")
    codings = read_csv(to / "codings.csv")
    assert (len(segs), len(codings)) == (n_sel, n_ref)
    # Taguette's own highlights CSV holds the highlighted text (without offsets)
    exported = pd.read_csv(TAGUETTE / "highlights.csv", dtype=str, keep_default_na=False)
    expected = exported.drop_duplicates("id").set_index("id")["content"]
    got = segs.set_index(segs["segment_id"].str.removeprefix("h"))["text"]
    assert got.to_dict() == expected.to_dict()
    pairs = set(zip(exported["id"], exported["tag"], strict=True))
    code_map = read_csv(to / "code_map.csv")
    final = dict(zip(code_map["project_code"], code_map["code"].where(code_map["code"] != "",
                                                                      code_map["local_id"]),
                     strict=True))  # fmt: skip
    assert {(s.removeprefix("h"), c) for s, c in zip(codings["segment_id"], codings["code"],
                                                   strict=True)} == {
        (i, final[t]) for i, t in pairs
    }  # fmt: skip
    assert validate(to) == []


@needs_shared
def test_real_taguette_codebook_imports(capsys):
    assert cli.main(["codebook", "import", str(TAGUETTE / "codebook.qdc")]) == 0
    assert "4 codes" in capsys.readouterr().out
