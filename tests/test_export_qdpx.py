"""``coprod export qdpx`` (issue 18): a dataset as a REFI-QDA project.

Every export is validated against the REFI-QDA 1.0 ``Project.xsd`` with lxml, read with lxml
(not with the project's reader), and imported back with ``coprod import qdpx``: the tables
that come back, with the importer's pseudonyms translated through its own key, equal the
tables that went out. The demo and the three real projects of ../shared/real (imported
first) go round; small projects built here check offsets in a tool's unit, datasets without
text, derived tensions and hostile values.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from helpers import read_csv, run_cli

import coprodlib as cp
from coprodlib.errors import DataError
from coprodlib.exporters.qdpx import export_qdpx
from coprodlib.importers.qualcoder import import_qualcoder
from coprodlib.importers.refi import import_qdpx
from coprodlib.importers.taguette import import_taguette
from coprodlib.paths import project_root

etree = pytest.importorskip("lxml.etree", reason="lxml (a test dependency) validates the XSD")

SHARED = Path(project_root()).parent / "shared"
REAL = SHARED / "real"
XSD = SHARED / "refi-qda" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
needs_xsd = pytest.mark.skipif(
    not XSD.is_file(), reason=f"the REFI-QDA schema is not on this machine ({XSD})"
)
needs_real = pytest.mark.skipif(
    not REAL.is_dir(),
    reason=f"../shared/real is not on this machine: the real QDA projects ({REAL}) are absent",
)


def project_xml(path: Path):
    """The parsed project.qde of an export, validated against Project.xsd."""
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    if XSD.is_file():
        schema = etree.XMLSchema(etree.parse(str(XSD)))
        assert schema.validate(root), schema.error_log
    return root


def source_texts(path: Path) -> dict[str, str]:
    """Source GUID -> its text file in the archive (internal:// paths under Sources/)."""
    root = project_xml(path)
    out = {}
    with zipfile.ZipFile(path) as zf:
        for src in root.iterfind(".//q:TextSource", NS):
            member = "Sources/" + src.get("plainTextPath").removeprefix("internal://")
            out[src.get("guid")] = zf.read(member).decode("utf-8")
    return out


def back_translated(folder: Path, exported: Path) -> dict[str, pd.DataFrame]:
    """The tables of a re-import with the ids that went out: documents and cases through the
    pseudonym key, participants through their participant_id variable, segments through the
    selection names in the exported XML."""
    key = read_csv(folder / "pseudonym_key.csv")
    original = {k: dict(zip(g["pseudonym"], g["original"], strict=True))
                for k, g in key.groupby("kind")}  # fmt: skip
    root = project_xml(exported)
    seg_of = {s.get("guid").lower(): s.get("name")
              for s in root.iterfind(".//q:PlainTextSelection", NS)}  # fmt: skip
    parts = read_csv(folder / "participants.csv")
    pid_of = dict(zip(parts["participant_id"], parts["var_participant_id"], strict=True))
    segs = read_csv(folder / "segments.csv")
    segs["segment_id"] = segs["segment_id"].map(seg_of)
    segs["case_id"] = segs["case_id"].map(original["case"])
    segs["document_id"] = segs["document_id"].map(original["document"])
    segs["participant_id"] = segs["participant_id"].map(pid_of)
    codings = read_csv(folder / "codings.csv")
    codings["segment_id"] = codings["segment_id"].map(seg_of)
    cases = read_csv(folder / "cases.csv")
    cases["case_id"] = cases["case_id"].map(original["case"])
    return {"segments": segs, "codings": codings, "cases": cases}


def assert_round_trip(before: Path, exported: Path, after: Path, *, text: bool = True) -> None:
    """The coded segments, codings and cases of ``before`` come back from ``after``."""
    back = back_translated(after, exported)
    codings = read_csv(before / "codings.csv")
    segs = read_csv(before / "segments.csv")
    segs = segs[segs["segment_id"].isin(set(codings["segment_id"]))]  # coded ones travel
    cols = ["segment_id", "case_id", "participant_id", "document_id", "start", "end"]
    cols += ["text"] if text else []

    def same(a: pd.DataFrame, b: pd.DataFrame, columns: list[str]) -> None:
        a = a[columns].sort_values(columns).reset_index(drop=True)
        b = b[columns].sort_values(columns).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)

    same(segs, back["segments"], cols)
    same(codings, back["codings"], ["segment_id", "code", "coder"])
    cases = read_csv(before / "cases.csv")
    same(cases, back["cases"], list(cases.columns))


# ----------------------------------------------------------------------------- the demo


@needs_xsd
def test_demo_exports_valid_and_comes_back_equal(tmp_path):
    out = tmp_path / "demo.qdpx"
    assert run_cli("export", "qdpx", "demo", str(out)) == 0
    import_qdpx(out, tmp_path / "back", keep_text=True)
    assert_round_trip(cp.paths.demo_dir(), out, tmp_path / "back")


def test_two_exports_are_the_same_bytes_and_hold_no_data_as_paths(tmp_path):
    a, b = tmp_path / "a.qdpx", tmp_path / "b.qdpx"
    export_qdpx(cp.paths.demo_dir(), a)
    export_qdpx(cp.paths.demo_dir(), b)
    assert a.read_bytes() == b.read_bytes()
    names = zipfile.ZipFile(a).namelist()
    assert names[0] == "project.qde"
    docs = read_csv(cp.paths.demo_dir() / "documents.csv")
    assert len(names) == 1 + len(docs)
    # member names are GUIDs, never case or document ids
    assert all(n.startswith("Sources/") and len(n) == len("Sources/") + 36 + 4 for n in names[1:])


def test_users_codes_and_codings_follow_the_dataset(tmp_path):
    out = tmp_path / "demo.qdpx"
    export_qdpx(cp.paths.demo_dir(), out)
    root = project_xml(out)
    codings = read_csv(cp.paths.demo_dir() / "codings.csv")
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    assert sorted(users.values()) == sorted(codings["coder"].unique())
    # every coding in the XML, with its user and code, equals the codings table
    code_el = {c.get("guid"): c for c in root.iterfind(".//q:CodeBook//q:Code", NS)}
    found = []
    for sel in root.iterfind(".//q:PlainTextSelection", NS):
        for coding in sel.iterfind("q:Coding", NS):
            code = code_el[coding.find("q:CodeRef", NS).get("targetGUID")]
            cid = [ln for ln in code.findtext("q:Description", "", NS).splitlines()
                   if ln.startswith("coprod:id: ")][0].removeprefix("coprod:id: ")  # fmt: skip
            found.append((sel.get("name"), cid, users[coding.get("creatingUser")]))
    expected = sorted(map(tuple, codings[["segment_id", "code", "coder"]].to_numpy().tolist()))
    assert sorted(found) == expected
    # names, definitions and nesting are the codebook's
    frame = cp.get_codebook().frame.set_index("id")
    by_id = {}
    for el in code_el.values():
        for ln in el.findtext("q:Description", "", NS).splitlines():
            if ln.startswith("coprod:id: "):
                by_id[ln.removeprefix("coprod:id: ")] = el
    dims = {cp.get_codebook().dimension_of(c) for c in codings["code"]}
    assert set(by_id) == set(frame.index[frame["dimension"].isin(dims)])
    for cid, el in by_id.items():
        assert el.get("name") == frame.at[cid, "label"]
        assert el.findtext("q:Description", "", NS).startswith(str(frame.at[cid, "definition"]))
        parent = frame.at[cid, "parent"]
        up = el.getparent()
        if isinstance(parent, str):
            assert up is by_id[parent]
        else:  # a dimension group, not codable
            assert up.get("isCodable") == "false"


def test_cases_and_sources_carry_the_tables_as_variables(tmp_path):
    out = tmp_path / "demo.qdpx"
    export_qdpx(cp.paths.demo_dir(), out)
    root = project_xml(out)
    names = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}

    def values(el) -> dict[str, str]:
        return {names[vv.find("q:VariableRef", NS).get("targetGUID")]: vv[1].text
                for vv in el.iterfind("q:VariableValue", NS)}  # fmt: skip

    cases = read_csv(cp.paths.demo_dir() / "cases.csv").set_index("case_id")
    docs = read_csv(cp.paths.demo_dir() / "documents.csv")
    source_name = {s.get("guid"): s.get("name") for s in root.iterfind(".//q:TextSource", NS)}
    for case in root.iterfind("q:Cases/q:Case", NS):
        row = cases.loc[case.get("name")]
        assert values(case) == {c: row[c] for c in cases.columns if row[c] != ""}
        refs = {source_name[r.get("targetGUID")] for r in case.iterfind("q:SourceRef", NS)}
        assert refs == set(docs.loc[docs["case_id"] == case.get("name"), "document_id"])
    role = dict(zip(docs["document_id"], docs["role"], strict=True))
    person = dict(zip(docs["document_id"], docs["participant_id"], strict=True))
    for src in root.iterfind(".//q:TextSource", NS):
        assert values(src) == {"participant_id": person[src.get("name")],
                               "role": role[src.get("name")]}  # fmt: skip


def test_source_texts_hold_each_segment_text_at_its_offsets(tmp_path):
    out = tmp_path / "demo.qdpx"
    export_qdpx(cp.paths.demo_dir(), out)
    root = project_xml(out)
    texts = source_texts(out)
    segs = read_csv(cp.paths.demo_dir() / "segments.csv").set_index("segment_id")
    for src in root.iterfind(".//q:TextSource", NS):
        for sel in src.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert texts[src.get("guid")][a:b] == segs.at[sel.get("name"), "text"]


# ----------------------------------------------------------------------------- real projects


def _import_real(kind: str, to: Path) -> None:
    if kind == "nvivo":
        import_qdpx(REAL / "nvivo_mac12_oltas.qdpx", to, keep_text=True)
    elif kind == "qualcoder":
        import_qualcoder(REAL / "qualcoder36_mannheimer.qda", to, keep_text=True)
    else:
        import_taguette(REAL / "taguette_carpentries_sample.sqlite3", to, keep_text=True)


@needs_real
@needs_xsd
@pytest.mark.parametrize("kind", ["nvivo", "qualcoder", "taguette"])
def test_real_projects_export_valid_and_come_back_equal(tmp_path, kind):
    first = tmp_path / "first"
    _import_real(kind, first)
    out = tmp_path / f"{kind}.qdpx"
    assert run_cli("export", "qdpx", str(first), str(out)) == 0
    import_qdpx(out, tmp_path / "back", keep_text=True)
    assert_round_trip(first, out, tmp_path / "back")
    # local codes keep their ids and labels (the tool's paths)
    ext = read_csv(first / "codebook_extension.csv")
    ext_back = read_csv(tmp_path / "back" / "codebook_extension.csv")
    local = ext[ext["dimension"] == "local"]
    pd.testing.assert_frame_equal(
        local[["id", "label", "parent"]].reset_index(drop=True),
        ext_back[ext_back["dimension"] == "local"][["id", "label", "parent"]].reset_index(
            drop=True
        ),
    )


def code_paths(root) -> list[str]:
    """Every code's path of names from the top, in document order (read with lxml)."""
    out = []

    def walk(el, prefix):
        for code in el.iterfind("q:Code", NS):
            path = f"{prefix}/{code.get('name')}" if prefix else code.get("name")
            out.append(path)
            walk(code, path)

    walk(root.find("q:CodeBook/q:Codes", NS), "")
    return out


@needs_real
def test_real_nvivo_project_keeps_its_code_names_and_utf16_offsets(tmp_path):
    first = tmp_path / "first"
    _import_real("nvivo", first)
    out = tmp_path / "nvivo.qdpx"
    result = export_qdpx(first, out)
    assert "UTF-16" in result.offsets
    with zipfile.ZipFile(REAL / "nvivo_mac12_oltas.qdpx") as zf:
        tool_root = etree.fromstring(zf.read("project.qde"))
    tool_ns = {"q": tool_root.nsmap[None]}
    ours = project_xml(out)
    theirs = []

    def walk(el, prefix):
        for code in el.iterfind("q:Code", tool_ns):
            path = f"{prefix}/{code.get('name')}" if prefix else code.get("name")
            theirs.append(path)
            walk(code, path)

    walk(tool_root.find("q:CodeBook/q:Codes", tool_ns), "")
    assert code_paths(ours) == theirs
    # the offsets count UTF-16 code units over the text written, as NVivo reads them
    texts = source_texts(out)
    for src in ours.iterfind(".//q:TextSource", NS):
        units = texts[src.get("guid")].encode("utf-16-le")
        segs = read_csv(first / "segments.csv").set_index("segment_id")
        for sel in src.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert units[2 * a : 2 * b].decode("utf-16-le") == segs.at[sel.get("name"), "text"]


# ----------------------------------------------------------------------------- a tool's unit

TEXT = "Chair: Speed 😀 or care?\nMember: Both 🙂, by turns.\nChair: Agreed."
SNIPPETS = ["Speed 😀 or care?", "Both 🙂, by turns.", "Agreed."]
CODE = "6F000000-0000-4000-8000-000000000001"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def nvivo_project(path: Path, with_text: bool = True) -> tuple[Path, list[tuple[int, int]]]:
    """A small NVivo project whose selections hold emoji; and NVivo's own offsets."""
    spans = []
    sels = ""
    for k, s in enumerate(SNIPPETS):
        i = TEXT.index(s)
        a, b = utf16(TEXT[:i]), utf16(TEXT[:i]) + utf16(s)
        spans.append((a, b))
        sels += (
            f'<PlainTextSelection guid="AE000000-0000-4000-8000-00000000000{k}" '
            f'startPosition="{a}" endPosition="{b}"><Coding guid="9D000000-0000-4000-8000-'
            f'00000000000{k}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>'
        )
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
        f'origin="NVivo for Windows 12.6" name="Board"><CodeBook><Codes><Code guid="{CODE}" '
        f'name="Board minutes" isCodable="true"/></Codes></CodeBook><Sources><TextSource '
        f'guid="5A000000-0000-4000-8000-000000000001" name="Board 2017" '
        f'plainTextPath="internal://s.txt">{sels}</TextSource></Sources></Project>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
        if with_text:
            zf.writestr("sources/s.txt", TEXT.encode("utf-8"))
    return path, spans


def selection_spans(path: Path) -> list[tuple[int, int]]:
    root = project_xml(path)
    return sorted((int(s.get("startPosition")), int(s.get("endPosition")))
                  for s in root.iterfind(".//q:PlainTextSelection", NS))  # fmt: skip


@needs_xsd
def test_a_project_from_nvivo_goes_back_in_nvivo_units(tmp_path):
    src, spans = nvivo_project(tmp_path / "nv.qdpx")
    import_qdpx(src, tmp_path / "ds", keep_text=True)
    out = tmp_path / "again.qdpx"
    export_qdpx(tmp_path / "ds", out)
    assert selection_spans(out) == spans  # NVivo's own numbers, code names too
    assert code_paths(project_xml(out)) == ["Board minutes"]
    # code points, as the standard counts, when asked for
    export_qdpx(tmp_path / "ds", tmp_path / "cp.qdpx", offsets="codepoints")
    expected = sorted((TEXT.index(s), TEXT.index(s) + len(s)) for s in SNIPPETS)
    assert selection_spans(tmp_path / "cp.qdpx") == expected
    import_qdpx(out, tmp_path / "back", keep_text=True)
    assert_round_trip(tmp_path / "ds", out, tmp_path / "back")


@needs_xsd
def test_offsets_only_datasets_keep_the_tools_offsets(tmp_path, capsys):
    src, spans = nvivo_project(tmp_path / "nv.qdpx", with_text=False)
    import_qdpx(src, tmp_path / "ds", offsets_only=True)
    out = tmp_path / "again.qdpx"
    export_qdpx(tmp_path / "ds", out)
    assert selection_spans(out) == spans
    assert all(not t.strip() for t in source_texts(out).values())  # blank, no invented text
    with pytest.raises(DataError, match="cannot be converted"):
        export_qdpx(tmp_path / "ds", tmp_path / "x.qdpx", offsets="codepoints")
    code = run_cli("export", "qdpx", str(tmp_path / "ds"), str(tmp_path / "x.qdpx"),
                   "--offsets", "codepoints")  # fmt: skip
    assert code == 1 and "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "x.qdpx").exists()


# ----------------------------------------------------------------------------- no text


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "demo_copy"
    shutil.copytree(cp.paths.demo_dir(), folder)
    return folder


@needs_xsd
def test_a_dataset_without_text_exports_blank_sources_with_its_offsets(tmp_path):
    folder = demo_copy(tmp_path)
    segs = read_csv(folder / "segments.csv").drop(columns=["text"])
    segs.to_csv(folder / "segments.csv", index=False)
    out = tmp_path / "notext.qdpx"
    result = export_qdpx(folder, out)
    assert "keeps no segment text" in result.summary()
    root = project_xml(out)
    assert all("keeps no text" in s.findtext("q:Description", "", NS)
               for s in root.iterfind(".//q:TextSource", NS))  # fmt: skip
    assert all(not t.strip() for t in source_texts(out).values())
    import_qdpx(out, tmp_path / "back")
    assert_round_trip(folder, out, tmp_path / "back", text=False)


# ----------------------------------------------------------------------------- derived


def test_derived_tensions_become_codes_of_their_own(tmp_path):
    folder = demo_copy(tmp_path)
    cb = cp.get_codebook()
    frame = cb.frame
    tension = frame[(frame["dimension"] == "tension") & frame["value_a"].notna()].iloc[0]
    codings = read_csv(folder / "codings.csv")
    segs = read_csv(folder / "segments.csv")
    free = sorted(set(segs["segment_id"]) - set(codings.loc[codings["code"] == tension["id"],
                                                            "segment_id"]))[:2]  # fmt: skip
    extra = pd.DataFrame([(s, v, "coder_a") for s in free
                          for v in (tension["value_a"], tension["value_b"])],
                         columns=codings.columns)  # fmt: skip
    pd.concat([codings, extra]).to_csv(folder / "codings.csv", index=False)
    out = tmp_path / "derived.qdpx"
    assert run_cli("export", "qdpx", str(folder), str(out), "--derived") == 0
    root = project_xml(out)
    group = [c for c in root.iterfind("q:CodeBook/q:Codes/q:Code", NS)
             if c.get("name") == "Derived tensions (coprod)"]  # fmt: skip
    assert len(group) == 1 and group[0].get("isCodable") == "false"
    derived = {c.get("guid"): c for c in group[0].iterfind("q:Code", NS)}
    marked = {
        g
        for g, c in derived.items()
        if f"coprod:derived_from: {tension['id']}" in c.findtext("q:Description", "", NS)
    }
    users = {u.get("name"): u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    got = set()
    for sel in root.iterfind(".//q:PlainTextSelection", NS):
        for coding in sel.iterfind("q:Coding", NS):
            if coding.find("q:CodeRef", NS).get("targetGUID") in marked:
                assert coding.get("creatingUser") == users["coprod (derived)"]
                got.add(sel.get("name"))
    assert set(free) <= got
    # without the option: no such group
    export_qdpx(folder, tmp_path / "plain.qdpx")
    assert "Derived tensions" not in zipfile.ZipFile(tmp_path / "plain.qdpx").read(
        "project.qde").decode()  # fmt: skip


# ----------------------------------------------------------------------------- hostile values


@needs_xsd
def test_values_are_escaped_and_come_back(tmp_path):
    folder = demo_copy(tmp_path)
    cases = read_csv(folder / "cases.csv")
    cases.loc[0, "title"] = "Care <\"&\"> 'home' ]]> </Project>"
    cases.loc[1, "service_area"] = "x\x0by"  # not allowed in XML 1.0
    cases.to_csv(folder / "cases.csv", index=False)
    meta = yaml.safe_load((folder / "dataset.yml").read_text(encoding="utf-8"))
    meta["title"] = "Demo </Project><!ENTITY x>"
    (folder / "dataset.yml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    out = tmp_path / "h.qdpx"
    export_qdpx(folder, out)
    root = project_xml(out)
    assert root.get("name") == "Demo </Project><!ENTITY x>"
    import_qdpx(out, tmp_path / "back", keep_text=True)
    back = back_translated(tmp_path / "back", out)["cases"].set_index("case_id")
    assert back.at[cases.loc[0, "case_id"], "title"] == cases.loc[0, "title"]
    assert back.at[cases.loc[1, "case_id"], "service_area"] == "x\ufffdy"


def test_bad_options_and_datasets_give_clear_errors(tmp_path, capsys):
    with pytest.raises(ValueError, match="codes must be one of"):
        export_qdpx(cp.paths.demo_dir(), tmp_path / "x.qdpx", codes="some")
    assert run_cli("export", "qdpx", str(tmp_path / "nowhere"), str(tmp_path / "x.qdpx")) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("error:")
    assert not (tmp_path / "x.qdpx").exists()


def test_used_and_all_codes(tmp_path):
    export_qdpx(cp.paths.demo_dir(), tmp_path / "u.qdpx", codes="used")
    export_qdpx(cp.paths.demo_dir(), tmp_path / "a.qdpx", codes="all")
    used = project_xml(tmp_path / "u.qdpx")
    every = project_xml(tmp_path / "a.qdpx")
    codings = read_csv(cp.paths.demo_dir() / "codings.csv")
    cb = cp.get_codebook()
    want = set(codings["code"])
    for c in list(want):
        want |= set(cb.ancestors(c))

    def ids(root) -> set[str]:
        return {ln.removeprefix("coprod:id: ")
                for d in root.iterfind(".//q:Code/q:Description", NS)
                for ln in (d.text or "").splitlines() if ln.startswith("coprod:id: ")}  # fmt: skip

    assert ids(used) == want
    assert ids(every) == set(cb.frame["id"])


@needs_xsd
def test_several_coders_and_codings_without_a_coder_come_back(tmp_path):
    folder = demo_copy(tmp_path)
    codings = read_csv(folder / "codings.csv")
    first, second = codings["segment_id"].unique()[:2]
    strategies = cp.get_codebook().ids("strategy")

    def new_code(segment: str) -> str:  # a strategy the segment does not carry yet
        have = set(codings.loc[codings["segment_id"] == segment, "code"])
        return next(c for c in strategies if c not in have)

    extra = pd.DataFrame(
        [(first, new_code(first), "coder_b"), (second, new_code(second), "")],
        columns=codings.columns,
    )
    pd.concat([codings, extra]).to_csv(folder / "codings.csv", index=False)
    out = tmp_path / "two.qdpx"
    export_qdpx(folder, out)
    root = project_xml(out)
    assert sorted(u.get("name") for u in root.iterfind("q:Users/q:User", NS)) == [
        "coder_a",
        "coder_b",
    ]
    import_qdpx(out, tmp_path / "back", keep_text=True)
    assert_round_trip(folder, out, tmp_path / "back")


@needs_xsd
def test_segments_without_offsets_are_laid_after_the_others(tmp_path):
    folder = demo_copy(tmp_path)
    segs = read_csv(folder / "segments.csv")
    segs.loc[:2, ["start", "end"]] = ""
    segs.loc[3, "text"] = segs.loc[3, "text"][:-1]  # no longer fits its offsets
    segs.to_csv(folder / "segments.csv", index=False)
    out = tmp_path / "loose.qdpx"
    result = export_qdpx(folder, out)
    assert any("not as long as their offsets" in w for w in result.warnings)
    root = project_xml(out)
    texts = source_texts(out)
    text_of = dict(zip(segs["segment_id"], segs["text"], strict=True))
    for src in root.iterfind(".//q:TextSource", NS):
        for sel in src.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            shown = texts[src.get("guid")][a:b]
            if sel.get("name") == segs.loc[3, "segment_id"]:
                assert not shown.strip()  # a text that does not fit is left out
            else:
                assert shown == text_of[sel.get("name")]


@needs_xsd
@pytest.mark.parametrize("unit", ["utf16", "utf8"])
def test_any_unit_asked_for_is_read_back_by_the_importer(tmp_path, unit):
    src, _ = nvivo_project(tmp_path / "nv.qdpx")
    import_qdpx(src, tmp_path / "ds", keep_text=True)
    out = tmp_path / f"{unit}.qdpx"
    export_qdpx(tmp_path / "ds", out, offsets=unit)
    texts = list(source_texts(out).values())
    codec = {"utf16": "utf-16-le", "utf8": "utf-8"}[unit]
    width = 2 if unit == "utf16" else 1
    raw = texts[0].encode(codec)
    for a, b in selection_spans(out):  # the spans cut the encoded text at the snippets
        assert raw[width * a : width * b].decode(codec) in SNIPPETS
    import_qdpx(out, tmp_path / "back", keep_text=True)
    assert_round_trip(tmp_path / "ds", out, tmp_path / "back")
