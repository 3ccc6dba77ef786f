"""REFI-QDA codebooks: the export validates and round-trips; real exports from QDA tools
import; hostile files are refused with a DataError (exit code 1 on the command line)."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from coprodlib import safe_archive
from coprodlib.errors import DataError
from coprodlib.paths import project_root
from coprodlib.taxonomy.codebook import get_codebook
from coprodlib.taxonomy.export import export_codebook
from coprodlib.taxonomy.qdc import CODE_COLUMNS, import_codebook, qdc_bytes

SHARED = Path(project_root()).parent / "shared"
REFI = SHARED / "refi-qda"
SAMPLES = sorted((REFI / "samples").glob("*.qdpx")) if (REFI / "samples").is_dir() else []
TAGUETTE = SHARED / "taguette" / "codebook.qdc"
needs_shared = pytest.mark.skipif(
    not REFI.is_dir(),
    reason=f"the shared REFI-QDA material ({REFI}) is not available on this machine",
)
NS = "{urn:QDA-XML:codebook:1.0}"
# a <Code ...> start tag (not CodeBook, Codes or CodeRef), with or without a prefix
CODE_TAG = re.compile(rb"<(?:[\w.-]+:)?Code[\s/>]")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coprodlib.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _raw_xml(path: Path) -> bytes:
    """The codebook XML of a sample, read independently of coprodlib."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            (name,) = [n for n in zf.namelist() if n.lower().endswith(".qde")]
            return zf.read(name)
    return path.read_bytes()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


SMALL_QDC = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
    b'<Code guid="11111111-1111-1111-1111-111111111111" name="Strategies" isCodable="false">'
    b'<Code guid="22222222-2222-2222-2222-222222222222" name="Bias" isCodable="true"/>'
    b'<Code guid="33333333-3333-3333-3333-333333333333" name="my own code" isCodable="true"/>'
    b"</Code></Codes></CodeBook>"
)


# --------------------------------------------------------------------------- export


@needs_shared
def test_export_validates_against_the_codebook_xsd(tmp_path):
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(REFI / "Codebook.xsd")))
    out = export_codebook(tmp_path / "codebook.qdc", fmt="qdc")
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    # and an extended codebook (local dimension, finer codes) too
    local = pd.DataFrame(
        {"id": ["local_a", "rule_bending"], "label": ["Local A & <b>", "Rule bending"],
         "dimension": ["local", "strategy"], "parent": [None, "bias"]}
    )  # fmt: skip
    out2 = export_codebook(tmp_path / "ext.qdc", cb=get_codebook().extend(local))
    assert schema.validate(etree.parse(str(out2))), schema.error_log


def test_export_keeps_hierarchy_definitions_and_dimensions():
    cb = get_codebook()
    frame = cb.frame.set_index("id")
    root = ET.fromstring(qdc_bytes())
    assert root.tag == f"{NS}CodeBook"
    groups = root.findall(f"{NS}Codes/{NS}Code")
    assert all(g.get("isCodable") == "false" for g in groups)
    assert len(groups) == len(cb.dimensions)  # every shipped dimension has top-level entries
    codable = [c for c in root.iter(f"{NS}Code") if c.get("isCodable") == "true"]
    assert len(codable) == len(cb)
    parent_of = {child: el for el in root.iter(f"{NS}Code") for child in el.findall(f"{NS}Code")}
    by_label = {c.get("name"): c for c in codable}
    for code, row in frame.iterrows():
        el = by_label[row["label"]]
        assert el.findtext(f"{NS}Description").startswith(row["definition"])
        up = parent_of[el]
        if isinstance(row["parent"], str):
            assert up.get("name") == frame.at[row["parent"], "label"], code
        else:
            assert up.get("isCodable") == "false", code


def test_export_is_byte_stable_with_deterministic_guids(tmp_path):
    first = export_codebook(tmp_path / "a.qdc").read_bytes()
    second = export_codebook(tmp_path / "b.qdc").read_bytes()
    assert first == second == qdc_bytes()
    guids = re.findall(rb'guid="([^"]+)"', first)
    assert len(guids) == len(set(guids)) == len(get_codebook()) + len(get_codebook().dimensions)
    assert all(uuid.UUID(g.decode()).version == 5 for g in guids)


def test_round_trip_gives_an_equal_codebook(tmp_path):
    cb = get_codebook()
    back = import_codebook(export_codebook(tmp_path / "cb.qdc")).to_codebook()
    assert back == cb
    pd.testing.assert_frame_equal(back.frame, cb.frame)


def test_round_trip_of_an_extended_codebook(tmp_path):
    local = pd.DataFrame(
        {
            "id": ["noise", "noise_complaints", "rule_bending", "budget_cut"],
            "label": ["Noise", "Noise complaints", "Rule bending", "Budget cut"],
            "dimension": ["local", "local", "strategy", "effect"],
            "parent": [None, "noise", "bias", "co_destruction"],
            "definition": [None, "Line one.\nLine two.", "Bending rules.", None],
            "aliases": ["", "", "bending the rules; rule breaking", ""],
        }
    )
    bigger = get_codebook().extend(local)
    result = import_codebook(export_codebook(tmp_path / "ext.qdc", cb=bigger), cb=bigger)
    assert result.to_codebook() == bigger
    assert result.codes["matched_id"].notna().sum() == len(bigger)


def test_import_of_own_export_matches_every_entry(tmp_path):
    cb = get_codebook()
    result = import_codebook(export_codebook(tmp_path / "cb.qdc"))
    codes = result.codes
    assert list(codes.columns) == list(CODE_COLUMNS)
    assert sorted(codes["matched_id"].dropna()) == sorted(cb.ids())
    assert set(codes["matched_by"].dropna()) == {"id"}  # the coprod:id line wins
    assert (~codes["is_codable"]).sum() == len(cb.dimensions)
    row = codes[codes["matched_id"] == "bias"].iloc[0]
    assert row["path"] == "Coping strategies/Trade-off/Bias"
    assert row["parent_path"] == "Coping strategies/Trade-off"
    assert f"{len(cb)} of {len(cb) + len(cb.dimensions)}" in result.summary()


# --------------------------------------------------------------------------- real exports


@needs_shared
def test_taguette_codebook_with_empty_sets_imports_and_matches():
    assert b"<Sets/>" in TAGUETTE.read_bytes()  # schema-invalid on purpose (see README)
    result = import_codebook(TAGUETTE)
    got = result.codes.set_index("name")[["matched_id", "matched_by"]].astype(object)
    got = got.where(got.notna(), None)
    assert got.to_dict("index") == {
        "efficiency": {"matched_id": "productivity", "matched_by": "alias"},
        "equity": {"matched_id": "equity", "matched_by": "id"},
        "participation": {"matched_id": "citizen_involvement", "matched_by": "alias"},
        "value conflict": {"matched_id": None, "matched_by": None},
    }
    text = result.summary()
    assert "4 codes" in text and "3 of 4" in text and "  - value conflict" in text
    assert result.origin == "Taguette 1.5.2"
    with pytest.raises(DataError, match="foreign|coprod"):
        result.to_codebook()


@needs_shared
@pytest.mark.parametrize("path", [*SAMPLES, TAGUETTE], ids=lambda p: p.name)
def test_cli_imports_real_exports(path):
    n_codes = len(CODE_TAG.findall(_raw_xml(path)))
    assert n_codes > 0
    res = _cli("codebook", "import", str(path))
    assert res.returncode == 0, res.stderr
    assert f"\n{n_codes} codes, " in res.stdout
    result = import_codebook(path)
    assert len(result.codes) == n_codes
    # every parent path is itself a code, and paths nest by one name
    paths = set(result.codes["path"])
    parents = result.codes["parent_path"].dropna()
    assert parents.isin(paths).all()
    nested = result.codes.dropna(subset=["parent_path"])
    assert (nested["path"].str.len() > nested["parent_path"].str.len()).all()


@needs_shared
def test_maxqda_sample_keeps_descriptions_and_nesting():
    path = REFI / "samples" / "maxqda24_ICLS_just10.qdpx"
    root = ET.fromstring(_raw_xml(path))
    ns = "{urn:QDA-XML:project:1.0}"
    top = root.findall(f"{ns}CodeBook/{ns}Codes/{ns}Code")
    described = sum(1 for c in root.iter(f"{ns}Code") if c.find(f"{ns}Description") is not None)
    codes = import_codebook(path).codes
    assert codes["parent_path"].isna().sum() == len(top)
    assert codes["description"].notna().sum() == described
    assert codes["is_codable"].all()  # MAXQDA marks parent codes codable


@needs_shared
def test_unzipped_project_folder_imports_like_the_zip(tmp_path):
    path = REFI / "samples" / "atlasti23_target-atlas-project.qdpx"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(tmp_path)
    from_zip = import_codebook(path).codes
    from_dir = import_codebook(tmp_path).codes
    pd.testing.assert_frame_equal(from_zip, from_dir)
    assert from_dir["path"].tolist()[:2] == ["Commits", "Commits/2022-05-10T02:05:59Z 19e4dce"]


def test_any_namespace_bom_crlf_and_qde_name_case(tmp_path):
    other = SMALL_QDC.replace(b"urn:QDA-XML:codebook:1.0", b"urn:QDA-XML:project:1.0")
    crlf = b"\xef\xbb\xbf" + other.replace(b"><", b">\r\n<")
    a = tmp_path / "a.qdc"
    a.write_bytes(crlf)
    project = SMALL_QDC.replace(b"<CodeBook xmlns", b"<Project xmlns").replace(
        b"</CodeBook>", b"</Project>"
    )
    project = project.replace(b"<Codes>", b"<Users/><CodeBook><Codes>").replace(
        b"</Codes>", b"</Codes></CodeBook>"
    )
    b = _zip(tmp_path / "b.qdpx", {"My Project.QDE": project, "Sources/x.txt": b"text"})
    for path in (a, b):
        codes = import_codebook(path).codes
        assert codes["path"].tolist() == ["Strategies", "Strategies/Bias", "Strategies/my own code"]
        assert codes["matched_id"].tolist()[1] == "bias"
        assert codes["is_codable"].tolist() == [False, True, True]


# --------------------------------------------------------------------------- hostile input

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="'
    b'11111111-1111-1111-1111-111111111111" name="&xxe;" isCodable="true"/></Codes></CodeBook>'
)
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" '
    b'name="&lol9;" isCodable="true"/></Codes></CodeBook>'
)


def _hostile(tmp_path: Path, kind: str) -> Path:
    if kind == "xxe":
        (p := tmp_path / "xxe.qdc").write_bytes(XXE)
    elif kind == "billion_laughs":
        p = _zip(tmp_path / "laughs.qdpx", {"project.qde": LAUGHS})
    elif kind == "zip_slip":
        p = _zip(tmp_path / "slip.qdpx", {"project.qde": SMALL_QDC, "../../evil.txt": b"x"})
    elif kind == "absolute_member":
        p = _zip(tmp_path / "abs.qdpx", {"project.qde": SMALL_QDC, "/etc/evil": b"x"})
    elif kind == "not_a_zip":
        (p := tmp_path / "fake.qdpx").write_bytes(b"this is not a zip archive")
    elif kind == "no_qde":
        p = _zip(tmp_path / "empty.qdpx", {"sources/a.txt": b"text"})
    elif kind == "two_qde":
        p = _zip(tmp_path / "two.qdpx", {"a.qde": SMALL_QDC, "b.QDE": SMALL_QDC})
    elif kind == "malformed":
        (p := tmp_path / "broken.qdc").write_bytes(SMALL_QDC[:-20])
    elif kind == "wrong_root":
        (p := tmp_path / "other.qdc").write_bytes(b"<html><body/></html>")
    elif kind == "no_codebook":
        p = _zip(tmp_path / "nocb.qdpx", {"project.qde": b"<Project><Users/></Project>"})
    elif kind == "missing":
        p = tmp_path / "does-not-exist.qdc"
    else:  # pragma: no cover
        raise AssertionError(kind)
    return p


HOSTILE = {  # kind of problem, and words the message must contain
    "xxe": ("unsafe_xml", "without a DTD or entity declarations"),
    "billion_laughs": ("unsafe_xml", "without a DTD or entity declarations"),
    "zip_slip": ("unsafe_archive", "'../../evil.txt'"),
    "absolute_member": ("unsafe_archive", "'/etc/evil'"),
    "not_a_zip": ("invalid", "this file is not a zip"),
    "no_qde": ("missing", "exactly one *.qde project file in the archive (found: none)"),
    "two_qde": ("invalid", "(found: a.qde, b.QDE)"),
    "malformed": ("unreadable", "well-formed XML"),
    "wrong_root": ("invalid", "<CodeBook> or <Project>"),
    "no_codebook": ("missing", "this project has none"),
    "missing": ("missing", "no such file"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_input_gives_data_error(tmp_path, kind):
    path = _hostile(tmp_path, kind)
    with pytest.raises(DataError) as err:
        import_codebook(path)
    (problem,) = err.value.problems
    expected_kind, words = HOSTILE[kind]
    assert problem.kind == expected_kind
    assert path.name in problem.file
    assert words in problem.expected


@pytest.mark.parametrize("kind", ["xxe", "zip_slip", "not_a_zip"])
def test_cli_refuses_hostile_input_with_exit_code_1(tmp_path, kind):
    res = _cli("codebook", "import", str(_hostile(tmp_path, kind)))
    assert res.returncode == 1
    assert res.stderr.startswith("error: ") and "Traceback" not in res.stderr
    assert res.stdout == ""


def test_size_limits(tmp_path, monkeypatch):
    many = _zip(
        tmp_path / "many.qdpx", {f"s/{i}.txt": b"x" for i in range(5)} | {"p.qde": SMALL_QDC}
    )
    monkeypatch.setattr(safe_archive, "MAX_ZIP_MEMBERS", 4)
    with pytest.raises(DataError, match="at most 4 files"):
        import_codebook(many)
    monkeypatch.setattr(safe_archive, "MAX_ZIP_MEMBERS", 100)
    big = _zip(tmp_path / "big.qdpx", {"p.qde": SMALL_QDC, "s/big.txt": b"0" * 5000})
    monkeypatch.setattr(safe_archive, "MAX_UNCOMPRESSED_BYTES", 4000)
    with pytest.raises(DataError, match="unpacks to at most 4000 bytes"):
        import_codebook(big)
    monkeypatch.setattr(safe_archive, "MAX_XML_BYTES", 100)
    (plain := tmp_path / "plain.qdc").write_bytes(SMALL_QDC)
    for path in (plain, _zip(tmp_path / "xml.qdpx", {"p.qde": SMALL_QDC})):
        with pytest.raises(DataError, match="at most 100 bytes"):
            import_codebook(path)


def test_cli_import_of_own_export(tmp_path):
    out = tmp_path / "codebook.qdc"
    res = _cli("codebook", "export", "--format", "qdc", str(out))
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == qdc_bytes()
    res = _cli("codebook", "import", str(out))
    cb = get_codebook()
    assert res.returncode == 0, res.stderr
    assert f"matched to coprod codebook ids: {len(cb)} of {len(cb) + len(cb.dimensions)}" in (
        res.stdout
    )
    assert "not matched: 0 codable code(s)" in res.stdout
