"""QualCoder project databases (``data.qda``) imported into a dataset folder.

The always-on fixture is an SQLite file with the tables of QualCoder 3.6's schema, built
here: a text with a byte-order mark, CRLF line ends and an emoji, a second text, an image
file with one image coding, nested categories, two coders (one of whom gives another's
code to the same selection: their agreement, kept as a second coding), a case with case attributes and file attributes. Broken or
hostile databases must give a DataError that names the file and what was expected, and
leave nothing behind. The real project in ../shared/real is imported where it exists; its
expected counts are those of ../shared/real/README.md, made without this code.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
from pathlib import Path

import pytest
from helpers import read_csv, run_cli, tree

from coprodlib import cli
from coprodlib.contract.dataset import check_folder, load_folder
from coprodlib.errors import DataError
from coprodlib.importers.qualcoder import import_qualcoder, read_qualcoder

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
REAL_QDA = REAL / "qualcoder36_mannheimer.qda"
needs_real = pytest.mark.skipif(
    not REAL_QDA.is_file(),
    reason=f"../shared/real is not on this machine: the real QualCoder project ({REAL_QDA}) "
    "cannot be imported",
)


def _cli_has_qualcoder() -> bool:
    """Whether ``coprod import qualcoder`` is wired into the command line yet."""
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.build_parser().parse_args(["import", "qualcoder", "data.qda", "--to", "out"])
        except SystemExit:
            return False
    return True


needs_cli = pytest.mark.skipif(
    not _cli_has_qualcoder(), reason="`coprod import qualcoder` is not in cli.py yet"
)

# the tables of QualCoder 3.6 an import reads, as its own database declares them
SCHEMA = """
CREATE TABLE project (databaseversion text, date text, memo text,about text,
    bookmarkfile integer, bookmarkpos integer, codername text);
CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text,
    memo text, owner text, date text, av_text_id integer, risid integer, unique(name));
CREATE TABLE code_image (imid integer primary key,id integer,x1 integer, y1 integer,
    width integer, height integer, cid integer, memo text, date text, owner text,
    important integer);
CREATE TABLE code_av (avid integer primary key,id integer,pos0 integer, pos1 integer,
    cid integer, memo text, date text, owner text, important integer);
CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text,
    caseOrFile text, valuetype text);
CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text,
    id integer, date text, owner text, unique(name,attr_type,id));
CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer,
    pos1 integer, owner text, date text, memo text);
CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text,date text,
    constraint ucm unique(name));
CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text,
    memo text, supercatid integer, unique(name));
CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer,seltext text,
    pos0 integer, pos1 integer, owner text, date text, memo text, avid integer,
    important integer, unique(cid,fid,pos0,pos1, owner));
CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer,
    owner text,date text, color text, unique(name));
"""

ANNA = "\ufeffI: Hello\r\nA: We cook together 🍲 every week.\r\nI: Why?\r\nA: Trust matters."
BEN = "B: The rules are strict but fair.\n"
TEXTS = {1: ("Interview Anna", ANNA), 2: ("Interview Ben", BEN), 3: ("photo.jpg", None)}
# (catid, name, supercatid): Values > Tensions, Values > Coping
CATEGORIES = [(1, "Values", None), (2, "Tensions", 1), (3, "Coping", 1)]
# (cid, name, catid)
CODES = [(1, "Trade-off", 2), (2, "efficiency", 3), (3, "neighbourliness", 2), (4, "unused", None)]
# (cid, fid, selected text, owner)
CODINGS = [
    (1, 1, "We cook together 🍲", "maria"),
    (3, 1, "We cook together 🍲", "jonas"),
    (1, 1, "We cook together 🍲", "jonas"),  # the same code again, by the other coder: kept
    (2, 1, "Trust matters.", "maria"),  # ends at the end of the text
    (3, 1, "Hello\r\nA: We", "jonas"),  # across a CRLF line end
    (1, 2, "strict but fair", "jonas"),
]


def make_db(path: Path, *, codings=CODINGS, positions=None, categories=CATEGORIES,
            codes=CODES, images=1) -> Path:  # fmt: skip
    """A QualCoder 3.6 database; ``positions`` overrides (pos0, pos1) by coding number."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.execute("INSERT INTO project VALUES ('v8', '2025-03-01', '', 'QualCoder 3.6', 0, 0, "
                 "'default')")  # fmt: skip
    for fid, (name, full) in TEXTS.items():
        media = None if full is not None else f"/images/{name}"
        conn.execute("INSERT INTO source (id, name, fulltext, mediapath, owner) VALUES "
                     "(?, ?, ?, ?, 'maria')", (fid, name, full, media))  # fmt: skip
    for catid, name, sup in categories:
        conn.execute("INSERT INTO code_cat (catid, name, memo, supercatid) VALUES (?, ?, '', ?)",
                     (catid, name, sup))  # fmt: skip
    for cid, name, catid in codes:
        conn.execute("INSERT INTO code_name (cid, name, memo, catid, owner) VALUES "
                     "(?, ?, '', ?, 'maria')", (cid, name, catid))  # fmt: skip
    for k, (cid, fid, sel, owner) in enumerate(codings, start=1):
        full = TEXTS[fid][1]
        pos0 = full.index(sel)
        pos0, pos1 = (positions or {}).get(k, (pos0, pos0 + len(sel)))
        conn.execute("INSERT INTO code_text (ctid, cid, fid, seltext, pos0, pos1, owner) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", (k, cid, fid, sel, pos0, pos1, owner))  # fmt: skip
    for _ in range(images):
        conn.execute("INSERT INTO code_image (id, x1, y1, width, height, cid, owner) VALUES "
                     "(3, 0, 0, 10, 10, 2, 'maria')")  # fmt: skip
    conn.execute("INSERT INTO cases (caseid, name, owner) VALUES (1, 'Nord', 'maria')")
    for fid in (1, 2):
        conn.execute("INSERT INTO case_text (caseid, fid, pos0, pos1) VALUES (1, ?, 0, ?)",
                     (fid, len(TEXTS[fid][1])))  # fmt: skip
    attributes = [("country", "case", "de", 1), ("service_area", "case", "meals", 1),
                  ("role", "file", "citizen", 1), ("role", "file", "professional", 2),
                  ("age", "file", "44", 2), ("age", "file", "", 1)]  # fmt: skip
    conn.executemany("INSERT INTO attribute (name, attr_type, value, id) VALUES (?, ?, ?, ?)",
                     attributes)  # fmt: skip
    conn.commit()
    conn.close()
    return path


def originals(folder: Path, kind: str) -> dict[str, str]:
    """Pseudonym -> original name, from the key the import wrote."""
    key = read_csv(folder / "pseudonym_key.csv")
    key = key[key["kind"] == kind]
    return dict(zip(key["pseudonym"], key["original"], strict=True))


# ----------------------------------------------------------------------------- fixture


def test_fixture_gives_exactly_the_expected_rows(tmp_path):
    db = make_db(tmp_path / "data.qda")
    to = tmp_path / "out"
    result = import_qualcoder(db, to, keep_text=True)
    docs = originals(to, "document")
    people = originals(to, "participant")
    cases = originals(to, "case")

    segs = read_csv(to / "segments.csv")
    got = [(docs[r.document_id], people[r.participant_id], cases[r.case_id], int(r.start),
            int(r.end), r.text) for r in segs.itertuples()]  # fmt: skip
    # offsets count code points of the LF text without its byte-order mark: one less than
    # QualCoder's for the mark and one less for each CRLF before; the emoji counts as one
    assert got == [
        ("Interview Anna", "Interview Anna", "Nord", 3, 14, "Hello\nA: We"),
        ("Interview Anna", "Interview Anna", "Nord", 12, 30, "We cook together 🍲"),
        ("Interview Anna", "Interview Anna", "Nord", 54, 68, "Trust matters."),
        ("Interview Ben", "Interview Ben", "Nord", 17, 32, "strict but fair"),
    ]
    assert len(ANNA) - 1 - ANNA.count("\r\n") == 68  # Anna's last segment ends her text

    codings = read_csv(to / "codings.csv")
    neighbourliness = "local_values_tensions_neighbourliness"
    assert codings.to_dict("split")["data"] == [
        [segs["segment_id"][0], neighbourliness, "jonas"],
        [segs["segment_id"][1], "trade_off", "maria"],
        [segs["segment_id"][1], neighbourliness, "jonas"],
        [segs["segment_id"][1], "trade_off", "jonas"],
        [segs["segment_id"][2], "productivity", "maria"],
        [segs["segment_id"][3], "trade_off", "jonas"],
    ]
    ext = read_csv(to / "codebook_extension.csv").set_index("id")
    assert ext.loc[neighbourliness, "label"] == "Values/Tensions/neighbourliness"
    assert ext.loc[neighbourliness, "parent"] == "local_values_tensions"
    assert ext.loc["local_values_tensions", "parent"] == "local_values"
    assert ext.loc["local_values", "parent"] == ""
    cmap = read_csv(to / "code_map.csv").set_index("project_code")
    assert cmap.loc["Values/Tensions/Trade-off", "code"] == "trade_off"
    assert cmap.loc["Values/Coping/efficiency", "code"] == "productivity"
    assert cmap.loc["unused", "local_id"] == "local_unused"

    case_rows = read_csv(to / "cases.csv")
    assert case_rows[["country", "service_area"]].values.tolist() == [["DE", "meals"]]
    parts = read_csv(to / "participants.csv")
    parts["name"] = parts["participant_id"].map(people)
    parts = parts.set_index("name")
    assert parts.loc["Interview Anna", "role"] == "citizen"
    assert parts.loc["Interview Ben", "role"] == "professional"
    assert parts.loc["Interview Ben", "age"] == "44"
    assert parts.loc["Interview Anna", "age"] == ""  # an empty attribute value is no value

    c = result.counts
    assert (c["documents"], c["participants"], c["cases"]) == (2, 2, 1)
    assert (c["segments"], c["codings"]) == (4, 6)
    # 4 codes and 3 categories: 2 matched, 5 local (unused, neighbourliness, 3 categories)
    assert (c["codes_matched"], c["codes_mapped"], c["codes_local"]) == (2, 0, 5)
    summary = result.summary()
    assert "(tool: QualCoder 3.6 (database v8))" in summary
    assert "code points over source.fulltext, end exclusive" in summary
    assert "CRLF in 1 of 2 text file(s)" in summary
    assert "byte-order mark in 1 file(s), not counted" in summary
    assert "line ends: LF (of 2 source text(s), 1 had CRLF, 0 lone CR, 1 a byte-order" in summary
    assert "selections skipped: 0 PDF, 1 image, 0 audio/video, 0 other" in summary
    assert "seltext equals the text at its positions for 6 of 6 coding(s)" in summary
    assert "warning: 1 image coding(s) (code_image) not imported" in summary
    assert "4 code(s) in 3 categories" in summary
    # QualCoder's own schema holds each (code, file, span, owner) once: nothing repeats
    assert not any("repeat a code" in w for w in result.warnings)
    assert check_folder(to) == []
    assert tree(tmp_path) == {"data.qda", "out", *(f"out/{p}" for p in tree(to))}


def test_reimport_applies_the_edited_code_map_by_category_path(tmp_path):
    db = make_db(tmp_path / "data.qda")
    to = tmp_path / "out"
    import_qualcoder(db, to)
    cmap = read_csv(to / "code_map.csv")
    cmap.loc[cmap["project_code"] == "Values/Tensions/neighbourliness", "code"] = "productivity"
    cmap.to_csv(to / "code_map.csv", index=False)
    result = import_qualcoder(db, to)
    assert read_csv(to / "codings.csv")["code"].tolist() == [
        "productivity", "trade_off", "productivity", "trade_off", "productivity", "trade_off"
    ]  # fmt: skip
    assert (result.counts["codes_mapped"], result.counts["codes_local"]) == (1, 4)
    assert check_folder(to) == []


def test_a_project_folder_is_read_through_its_data_qda(tmp_path):
    folder = tmp_path / "kitchen.qda"
    folder.mkdir()
    make_db(folder / "data.qda")
    project = read_qualcoder(folder)
    assert (project.name, project.file) == ("kitchen", "kitchen.qda/data.qda")
    assert [(s.start, s.end) for s in project.selections][:1] == [(3, 14)]


def test_seltext_mismatches_are_counted_not_hidden(tmp_path):
    db = make_db(tmp_path / "data.qda", positions={6: (3, 18)})  # "The rules are s"
    project = read_qualcoder(db)
    assert "for 5 of 6 coding(s)" in project.offsets
    assert any(w.startswith("1 coding(s) store a seltext that differs") and "coding 6" in w
               for w in project.warnings)  # fmt: skip


def test_database_is_opened_read_only(tmp_path):
    db = make_db(tmp_path / "data.qda")
    db.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        project = read_qualcoder(db)
    finally:
        tmp_path.chmod(0o755)
    assert len(project.selections) == 4
    assert tree(tmp_path) == {"data.qda"}


def test_cases_and_attributes_that_do_not_fit_are_reported(tmp_path):
    db = make_db(tmp_path / "data.qda")
    conn = sqlite3.connect(db)
    conn.execute("UPDATE case_text SET pos1 = 20 WHERE fid = 2")  # part of Ben's text only
    conn.execute("INSERT INTO case_text (caseid, fid, pos0, pos1) VALUES (7, 1, 0, 5)")
    conn.execute("INSERT INTO attribute (name, attr_type, value, id) VALUES ('x', 'case', 'y', 7)")
    conn.commit()
    conn.close()
    project = read_qualcoder(db)
    assert [(c.name, c.sources, c.variables) for c in project.cases] == [
        ("Nord", ["file-1", "file-2"], {"country": "de", "service_area": "meals"})
    ]
    assert sorted(project.warnings)[:3] == [
        "1 case attribute value(s) of a case that does not exist skipped",
        "1 case link(s) (case_text) to a case or file that does not exist skipped",
        "1 case link(s) cover part of a file only; the whole file was put in the case (a "
        "document belongs to one case)",
    ]


def test_files_in_no_case_go_to_one_case_named_after_the_project(tmp_path):
    folder = tmp_path / "Kitchen talk.qda"
    folder.mkdir()
    db = make_db(folder / "data.qda")
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM case_text")
    conn.commit()
    conn.close()
    to = tmp_path / "out"
    import_qualcoder(folder, to)
    assert read_csv(to / "cases.csv")["case_id"].tolist() == ["kitchen_talk"]
    assert check_folder(to) == []


@needs_cli
def test_cli_imports_and_refuses_with_one_line(tmp_path, capsys):
    db = make_db(tmp_path / "data.qda")
    assert run_cli("import", "qualcoder", str(db), "--to", str(tmp_path / "qc")) == 0
    assert "4 coded segment(s) with 6 coding(s)" in capsys.readouterr().out
    (tmp_path / "bad").mkdir()
    bad = hostile("category_cycle", tmp_path / "bad")
    assert run_cli("import", "qualcoder", str(bad), "--to", str(tmp_path / "qc2")) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err and err.count("\n") == 1


# ----------------------------------------------------------------------------- hostile


def _plain_sqlite(path: Path, sql: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    return path


def hostile(kind: str, folder: Path) -> Path:
    path = folder / "data.qda"
    if kind == "not_sqlite":
        path.write_text("cid,name\n1,a\n", encoding="utf-8")
    elif kind == "zip":
        path = folder / "project.qdpx"
        path.write_bytes(b"PK\x03\x04" + bytes(40))
    elif kind == "corrupt":
        path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    elif kind == "no_tables":
        _plain_sqlite(path, "CREATE TABLE notes (x TEXT);")
    elif kind == "missing_column":
        make_db(path)
        _plain_sqlite(path, "ALTER TABLE code_text RENAME COLUMN pos0 TO start;")
    elif kind == "null_position":
        make_db(path, positions={2: (None, 10)})
    elif kind == "negative_position":
        make_db(path, positions={4: (-3, 10)})
    elif kind == "past_the_end":
        make_db(path, positions={6: (18, len(BEN) + 1)})
    elif kind == "reversed":
        make_db(path, positions={6: (20, 18)})
    elif kind == "category_cycle":
        make_db(path, categories=[(1, "Values", 3), (2, "Tensions", 1), (3, "Coping", 2)])
    elif kind == "category_own_parent":
        make_db(path, categories=[(1, "Values", 1), (2, "Tensions", 1), (3, "Coping", 1)])
    elif kind == "lost_parent":
        make_db(path, categories=[(1, "Values", 9), (2, "Tensions", 1), (3, "Coping", 1)])
    elif kind == "unknown_code":
        make_db(path, codes=CODES[1:])
    elif kind == "coding_on_image":
        make_db(path, codings=[*CODINGS[:1]])
        _plain_sqlite(path, "UPDATE code_text SET fid = 3;")
    elif kind == "only_image_codings":
        make_db(path, codings=[])
    elif kind == "folder_without_database":
        path = folder / "empty.qda"
        path.mkdir()
    else:
        raise AssertionError(kind)
    return path


HOSTILE = {
    "not_sqlite": "data.qda; expected a QualCoder project database .* this file is not one",
    "zip": "coprod import qdpx",
    "corrupt": r"data.qda; expected a readable SQLite database \(",
    "no_tables": "missing: source, code_cat, code_name, code_text",
    "missing_column": r"data.qda:code_text; expected the columns of QualCoder 3.x's table",
    "null_position": r"column 'pos0'; expected a whole number of code points, not NULL "
    r"\(coding 2 on 'Interview Anna'\)",
    "negative_position": r"column 'pos0': found \(-3, 10\); expected positions within the "
    r"file's fulltext, 0 to 72 code points \(coding 4 on 'Interview Anna'\)",
    "past_the_end": r"column 'pos1': found \(18, 35\); expected positions within .* 0 to 34 ",
    "reversed": r"found \(20, 18\); expected pos0 <= pos1 \(coding 6",
    "category_cycle": r"data.qda:code_cat, column 'supercatid': found 'Values > Coping > "
    r"Tensions > Values'; expected categories nested without a loop",
    "category_own_parent": r"found 'Values > Values'; expected categories nested without",
    "lost_parent": r"found 9; expected the catid of an existing category \(the parent of "
    r"category 'Values'\)",
    "unknown_code": r"data.qda:code_text, column 'cid': found 1; expected the cid of a code",
    "coding_on_image": r"column 'fid': found 3; expected a text file \(the file 'photo.jpg' "
    "has no fulltext",
    "only_image_codings": "with text codings .* none, 1 image coding",
    "folder_without_database": "empty.qda; expected a QualCoder project folder holding data.qda",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_broken_or_hostile_databases_are_refused(tmp_path, kind):
    work = tmp_path / "work"
    work.mkdir()
    db = hostile(kind, work)
    before = tree(tmp_path)
    with pytest.raises(DataError, match=HOSTILE[kind]) as caught:
        import_qualcoder(db, tmp_path / "out" / "qc")
    message = str(caught.value)
    # one problem per finding: codes under a broken category are not reported again
    assert len(caught.value.problems) == (3 if kind == "unknown_code" else 1)
    assert str(tmp_path) not in message and "np." not in message
    assert tree(tmp_path) == before  # nothing written, not even a -journal beside the input


def test_every_problem_is_listed_at_once(tmp_path):
    db = make_db(tmp_path / "data.qda", positions={1: (None, 3), 6: (30, 99)})
    with pytest.raises(DataError) as caught:
        read_qualcoder(db)
    kinds = sorted(p.kind for p in caught.value.problems)
    assert kinds == ["invalid", "out_of_range"]


# ----------------------------------------------------------------------------- real project


@needs_real
def test_real_qualcoder_project(tmp_path):
    conn = sqlite3.connect(f"file:{REAL_QDA}?mode=ro&immutable=1", uri=True)
    names = dict(conn.execute("SELECT id, name FROM source"))
    tool = {(names[f], p0, p1, sel) for f, p0, p1, sel in
            conn.execute("SELECT fid, pos0, pos1, seltext FROM code_text")}  # fmt: skip
    conn.close()
    to = tmp_path / "data" / "mannheimer"
    result = import_qualcoder(REAL_QDA, to, keep_text=True)
    # the counts of ../shared/real/README.md
    c = result.counts
    assert (c["documents"], c["segments"], c["codings"]) == (30, 694, 753)
    assert c["codes_matched"] + c["codes_mapped"] + c["codes_local"] == 230 + 55
    assert "230 code(s) in 55 categories" in result.summary()
    assert "for 753 of 753 coding(s)" in result.summary()
    # every segment's text is QualCoder's own seltext for that selection
    segs = read_csv(to / "segments.csv")
    docs = originals(to, "document")
    ours = {(docs[r.document_id], int(r.start), int(r.end), r.text) for r in segs.itertuples()}
    assert len(tool) == 694 and ours == tool
    codings = read_csv(to / "codings.csv")
    assert set(codings["coder"]) == {"saramannheimer"}
    # the extension keeps each code under its categories: 1 + depth of its category
    ext = read_csv(to / "codebook_extension.csv").set_index("id")
    local = ext[ext["dimension"] == "local"]
    depth = {}
    for cid in local.index:
        d, cur = 0, cid
        while cur:
            d, cur = d + 1, local.loc[cur, "parent"]
        depth[cid] = d
    assert sum(1 for cid in local.index if local.loc[cid, "label"].count("/") + 1 ==
               depth[cid]) == len(local) == 285  # fmt: skip
    assert check_folder(to) == []
    dataset = load_folder(to)
    assert len(dataset.segments) == 694 and len(dataset.codings) == 753
