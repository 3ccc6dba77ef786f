"""`coprod import FILE`: the kind of file is told by its content, not its name."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from coprodlib.errors import DataError
from coprodlib.importers.detect import detect_format

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _sqlite(path: Path, tables: list[str]) -> Path:
    con = sqlite3.connect(path)
    for t in tables:
        con.execute(f"CREATE TABLE {t} (id INTEGER)")
    con.commit()
    con.close()
    return path


def test_each_kind_is_recognised_whatever_the_file_is_called(tmp_path):
    qdpx = tmp_path / "project.bin"
    with zipfile.ZipFile(qdpx, "w") as zf:
        zf.writestr("project.qde", "<Project/>")
    xlsx = tmp_path / "answers.data"
    pd.DataFrame({"t1": [1, 2]}).to_excel(xlsx, index=False, engine="openpyxl")
    sav = tmp_path / "answers.x"
    pyreadstat.write_sav(pd.DataFrame({"t1": [1.0, 2.0]}), str(sav))
    csv = tmp_path / "answers.csv"
    csv.write_text("respondent_id;t1\nr1;4\nr2;5\n", encoding="utf-8")
    qde = tmp_path / "p.xml"
    qde.write_text('<?xml version="1.0"?>\n<!-- x --><Project xmlns="urn:QDA-XML:project:1.0"/>')
    qdc = tmp_path / "c.xml"
    qdc.write_bytes(
        b'\xef\xbb\xbf<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
    )
    folder = tmp_path / "unzipped"
    folder.mkdir()
    (folder / "project.qde").write_text("<Project/>")
    qc_folder = tmp_path / "study.qda"
    qc_folder.mkdir()
    _sqlite(qc_folder / "data.qda", ["source", "code_name", "code_text", "code_cat"])
    found = {
        p.name: detect_format(p).kind for p in (qdpx, xlsx, sav, csv, qde, qdc, folder, qc_folder)
    }
    assert found == {
        "project.bin": "qdpx",
        "answers.data": "survey",
        "answers.x": "survey",
        "answers.csv": "survey",
        "p.xml": "qde",
        "c.xml": "codebook",
        "unzipped": "qdpx",
        "study.qda": "qualcoder",
    }
    assert detect_format(qc_folder).path == qc_folder / "data.qda"
    qc = _sqlite(tmp_path / "a.db", ["source", "code_name", "code_text"])
    tg = _sqlite(tmp_path / "b.db", ["documents", "highlights", "tags", "projects"])
    assert (detect_format(qc).kind, detect_format(tg).kind) == ("qualcoder", "taguette")


def test_unknown_content_is_refused_with_what_was_seen(tmp_path):
    other = _sqlite(tmp_path / "c.sqlite", ["patients"])
    with pytest.raises(DataError, match="tables: patients"):
        detect_format(other)
    prose = tmp_path / "notes.csv"
    prose.write_text("# Notes, drafts\n\nSome text here.\n", encoding="utf-8")
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 4)
    zip_other = tmp_path / "photos.zip"
    with zipfile.ZipFile(zip_other, "w") as zf:
        zf.writestr("a.jpg", b"x")
    for path in (prose, junk, zip_other):
        with pytest.raises(DataError, match="expected a REFI-QDA project"):
            detect_format(path)
    with pytest.raises(DataError, match="no such file"):
        detect_format(tmp_path / "absent.qdpx")
    with pytest.raises(DataError, match="folder holding project.qde or data.qda"):
        detect_format(tmp_path)


@pytest.mark.skipif(not (SHARED / "real").is_dir(), reason="../shared/real is not beside the clone")
def test_the_real_projects_are_recognised():
    real = SHARED / "real"
    assert detect_format(real / "qualcoder36_mannheimer.qda").kind == "qualcoder"
    assert detect_format(real / "taguette_carpentries_sample.sqlite3").kind == "taguette"
    assert detect_format(real / "nvivo_mac12_oltas.qdpx").kind == "qdpx"
    with pytest.raises(DataError):
        detect_format(real / "README.md")


def test_csv_with_quoted_separators_and_qualtrics_rows_is_a_survey(tmp_path):
    quoted = tmp_path / "q.csv"
    quoted.write_text('id;comment;t1\nr1;"said ""no""; left";3\nr2;"fine";4\n', encoding="utf-8")
    qualtrics = tmp_path / "qualtrics.csv"
    qualtrics.write_text(
        'ResponseId,Q1_1,Q1_2\n"Response ID","How much, really?","And, again?"\n'
        '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1_1""}","{""ImportId"":""QID1_2""}"\n'
        "R_1,3,4\n",
        encoding="utf-8",
    )
    assert detect_format(quoted).kind == detect_format(qualtrics).kind == "survey"
