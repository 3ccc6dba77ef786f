"""REFI-QDA project import (`coprod import qdpx`).

Always-on fixtures are built here: small projects with the standard's elements and the
exporting tools' quirks (byte-order mark, CRLF line ends, UTF-16 offsets, emoji, nested
codes, cases with variables, variables on sources, GUIDs in another case). Hostile files
must give a DataError, exit code 1 and leave nothing outside the target folder. The real
exports in ../shared are imported where that folder exists, and their coded selections and
code references are counted independently with a plain XML parse.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from helpers import read_csv, run_cli, tree

from coprodlib import cli, safe_archive
from coprodlib.errors import DataError
from coprodlib.importers.offsets import convert_offsets, offset_convention
from coprodlib.importers.pseudonyms import Pseudonymizer
from coprodlib.importers.refi import import_qdpx, read_qdpx
from coprodlib.paths import KEY_FILE, SALT_FILE, project_root
from coprodlib.taxonomy.qdc import import_codebook

SHARED = Path(project_root()).parent / "shared"
REFI = SHARED / "refi-qda"
SAMPLES = sorted((REFI / "samples").glob("*.qdpx")) if (REFI / "samples").is_dir() else []
needs_shared = pytest.mark.skipif(
    not REFI.is_dir(),
    reason=f"../shared not present: the real REFI-QDA exports ({REFI}) are not on this machine",
)

# ----------------------------------------------------------------------------- fixtures

U1, U2 = "0A1B2C3D-0000-4000-8000-000000000001", "0A1B2C3D-0000-4000-8000-000000000002"
G_STRAT, G_TRADE, G_ROT = (f"6F000000-0000-4000-8000-00000000000{k}" for k in (1, 2, 3))
G_VAL, G_SPEED = "6F000000-0000-4000-8000-000000000004", "6F000000-0000-4000-8000-000000000005"
S1, S2 = "5A000000-0000-4000-8000-000000000001", "5A000000-0000-4000-8000-000000000002"
V_COUNTRY, V_PHASE, V_AGE, V_ROLE = (f"7B000000-0000-4000-8000-00000000000{k}" for k in range(4))
CASE1 = "8C000000-0000-4000-8000-000000000001"

NAME1, NAME2 = "Anna Schmidt (volunteer)", "Interview Bauer"
TEXT1 = (
    "I: How do you share the home visits?\r\n"
    "R: The budget office wants speed \U0001f600, but the volunteers want time.\r\n"
    "R: We balance both by rotating the rota.\r\n"
)
TEXT2 = "Kurz: Bürgerbeteiligung kostet Zeit 🙂🙂 und Geld.\r\nEnde."
# (source, selected text, codes (GUIDs), creating user)
SELECTIONS = [
    (S1, "The budget office wants speed \U0001f600", [G_TRADE, G_SPEED], U1),
    (S1, "the volunteers want time.\r\nR: We balance", [G_ROT], U2),
    (S1, "rotating", [G_ROT], U1),
    (S2, "kostet Zeit 🙂🙂 und Geld", [G_VAL], U1),
]
TOOLS = {
    "nvivo": "NVivo for Windows 12.6",
    "atlas": "ATLAS.ti for Windows 23.2.3.27778",
    "qualcoder": "QualCoder 3.5",
}


def tool_offset(text: str, index: int, tool: str) -> int:
    """Where a tool puts code point ``index``: NVivo counts UTF-16 units with CRLF as two,
    ATLAS.ti UTF-16 units with CRLF as one, QualCoder code points."""
    head = text[:index]
    if tool == "atlas":
        head = head.replace("\r\n", "\n")
    if tool in ("nvivo", "atlas"):
        return len(head.encode("utf-16-le")) // 2
    return len(head)


def selection_xml(k: int, tool: str, *, start=None, end=None, target=None) -> str:
    source, snippet, codes, user = SELECTIONS[k]
    text = TEXT1 if source == S1 else TEXT2
    i = text.index(snippet)
    a = tool_offset(text, i, tool) if start is None else start
    b = tool_offset(text, i + len(snippet), tool) if end is None else end
    codings = "".join(
        f'<Coding guid="9D00000{k}-0000-4000-8000-00000000000{j}" creatingUser="{user}">'
        f'<CodeRef targetGUID="{(target or g).lower() if j % 2 else (target or g)}"/></Coding>'
        for j, g in enumerate(codes)
    )
    return (
        f'<PlainTextSelection guid="AE00000{k}-0000-4000-8000-000000000000" name="" '
        f'startPosition="{a}" endPosition="{b}" creatingUser="{user}">{codings}'
        "</PlainTextSelection>"
    )


def project_xml(tool: str = "nvivo", *, selections: str | None = None, name="Neighbourhood care",
                dtd: str = "", prefix: str = "") -> bytes:  # fmt: skip
    sel1 = "".join(selection_xml(k, tool) for k in range(3)) if selections is None else selections
    sel2 = selection_xml(3, tool) if selections is None else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>{dtd}
<Project xmlns="urn:QDA-XML:project:1.0" origin="{TOOLS[tool]}" name="{name}{prefix}">
  <Users><User guid="{U1}" name="Coder One"/><User guid="{U2}" name="Coder Two"/></Users>
  <CodeBook><Codes>
    <Code guid="{G_STRAT}" name="Strategies" isCodable="false">
      <Code guid="{G_TRADE}" name="Trade-off" isCodable="true"/>
      <Code guid="{G_ROT}" name="Taking turns" isCodable="true">
        <Description>We alternate.

coprod:id: cycling</Description></Code>
    </Code>
    <Code guid="{G_VAL}" name="Costs of participation" isCodable="true">
      <Code guid="{G_SPEED}" name="Speed over time" isCodable="true"/>
    </Code>
  </Codes></CodeBook>
  <Variables>
    <Variable guid="{V_COUNTRY}" name="Country" typeOfVariable="Text"/>
    <Variable guid="{V_PHASE}" name="Phase" typeOfVariable="Text"/>
    <Variable guid="{V_AGE}" name="Age group" typeOfVariable="Text"/>
    <Variable guid="{V_ROLE}" name="Role" typeOfVariable="Text"/>
  </Variables>
  <Cases>
    <Case guid="{CASE1}" name="Nachbarschaftshilfe Nord">
      <VariableValue><VariableRef targetGUID="{V_COUNTRY}"/><TextValue>de</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{V_PHASE}"/><TextValue>Co-delivery</TextValue></VariableValue>
      <VariableValue><VariableRef targetGUID="{V_AGE}"/><TextValue>60+</TextValue></VariableValue>
      <SourceRef targetGUID="{S1.lower()}"/>
    </Case>
  </Cases>
  <Sources>
    <TextSource guid="{S1}" name="{NAME1}" plainTextPath="internal://{S1}.txt" creatingUser="{U1}">
      {sel1}
      <PlainTextSelection guid="AE0000FF-0000-4000-8000-000000000000" startPosition="0" endPosition="2"/>
    </TextSource>
    <TextSource guid="{S2}" name="{NAME2}" plainTextPath="internal://{S2.lower()}.TXT">
      {sel2}
      <Coding guid="9D0000FF-0000-4000-8000-000000000000"><CodeRef targetGUID="{G_VAL}"/></Coding>
      <VariableValue><VariableRef targetGUID="{V_ROLE}"/><TextValue>Citizen</TextValue></VariableValue>
    </TextSource>
    <PDFSource guid="5A000000-0000-4000-8000-0000000000FF" name="Leaflet" path="internal://x.pdf">
      <PDFSelection guid="AE0000FE-0000-4000-8000-000000000000" page="1" firstX="0" firstY="0" secondX="1" secondY="1">
        <Coding guid="9D0000FE-0000-4000-8000-000000000000"><CodeRef targetGUID="{G_VAL}"/></Coding>
      </PDFSelection>
    </PDFSource>
  </Sources>
</Project>
""".encode()


def sources() -> dict[str, bytes]:
    return {
        f"sources/{S1}.txt": b"\xef\xbb\xbf" + TEXT1.encode("utf-8"),  # BOM + CRLF
        f"Sources/{S2}.txt": TEXT2.encode("utf-8"),  # other folder case, no BOM
    }


def write_qdpx(path: Path, qde: bytes, members: dict[str, bytes] | None = None,
               qde_name: str = "Project.qde") -> Path:  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(qde_name, qde)
        for name, data in (sources() if members is None else members).items():
            zf.writestr(name, data)
    return path


def validate(folder: Path) -> list:
    from coprodlib.contract.dataset import validate as _validate

    return _validate(folder)


# ----------------------------------------------------------------------------- offsets


def test_convert_offsets_per_unit():
    text = "a😀\r\nbé"
    # code points: a=0 😀=1 \r=2 \n=3 b=4 é=5
    s, e, st = convert_offsets(text, [1, 0], [3, 7], "utf16")
    assert list(s) == [1, 0] and list(e) == [2, 6] and list(st) == ["ok", "ok"]
    s, e, st = convert_offsets(text, [5], [7], "utf8")  # 'a'=1, 😀=4 bytes, \r\n=2
    assert (list(s), list(e), list(st)) == ([2], [4], ["ok"])
    s, e, st = convert_offsets(text, [2], [4], "codepoints", crlf_one=True)  # CRLF as one
    assert (list(s), list(e)) == ([2], [5])  # the selection starts at the line break
    _, _, st = convert_offsets(text, [2, 0, 3], [3, 99, 1], "utf16")
    assert list(st) == ["split", "outside", "reversed"]
    _, _, st = convert_offsets(text, [-1], [1], "codepoints")
    assert list(st) == ["outside"]


def test_offset_convention_by_tool_and_override():
    assert offset_convention("NVivo for Windows 12.6")[:2] == ("utf16", False)
    assert offset_convention("ATLAS.ti for Windows 23.2")[:2] == ("utf16", True)
    assert offset_convention("QualCoder 3.5")[:2] == ("codepoints", False)
    assert offset_convention("MAXQDA 24")[:2] == ("codepoints", False)
    assert offset_convention("NVivo", "codepoints", "one")[:2] == ("codepoints", True)
    with pytest.raises(ValueError):
        offset_convention(None, "bytes")


# ----------------------------------------------------------------------------- fixture imports


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_fixture_imports_with_each_tools_offsets(tmp_path, tool):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml(tool))
    to = tmp_path / "data" / "nb"
    result = import_qdpx(src, to, keep_text=True)
    assert result.counts["segments"] == 4 and result.counts["codings"] == 5
    segs = read_csv(to / "segments.csv")
    # the line-end convention: CRLF became LF in the source text and in the segment text
    assert segs["text"].tolist() == [lf(s[1]) for s in SELECTIONS]
    for row, (source, snippet, _, _) in zip(segs.itertuples(), SELECTIONS, strict=True):
        text = lf(TEXT1 if source == S1 else TEXT2)
        assert (int(row.start), int(row.end)) == (
            text.index(lf(snippet)),
            text.index(lf(snippet)) + len(lf(snippet)),
        )
    assert validate(to) == []


def lf(text: str) -> str:
    """A text under the importers' line-end convention, computed here with plain str methods."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_fixture_tables_codes_cases_and_pseudonyms(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    to = tmp_path / "nb"
    result = import_qdpx(src, to)
    codings = read_csv(to / "codings.csv")
    # Trade-off by label, "Taking turns" by its coprod:id line, the rest local codes
    assert codings["code"].tolist() == [
        "trade_off",
        "local_costs_of_participation_speed_over_time",
        "cycling",
        "cycling",
        "local_costs_of_participation",
    ]
    assert codings["coder"].tolist() == ["Coder One"] * 2 + ["Coder Two", "Coder One", "Coder One"]
    ext = read_csv(to / "codebook_extension.csv").set_index("id")
    assert ext.loc["local_costs_of_participation_speed_over_time", "parent"] == (
        "local_costs_of_participation"
    )
    assert ext.loc["local_costs_of_participation_speed_over_time", "dimension"] == "local"
    assert ext.loc["local_costs_of_participation_speed_over_time", "label"] == (
        "Costs of participation/Speed over time"
    )
    cmap = read_csv(to / "code_map.csv").set_index("project_code")
    assert cmap.loc["Strategies/Trade-off", "code"] == "trade_off"
    assert cmap.loc["Strategies/Taking turns", "matched_by"] == "id"
    assert cmap.loc["Costs of participation", "code"] == ""
    assert cmap.loc["Costs of participation", "codings"] == "1"
    assert segs_text_empty(to)

    cases = read_csv(to / "cases.csv").set_index("case_id")
    pseudo = Pseudonymizer.for_folder(to)
    refi_case = pseudo("case", "Nachbarschaftshilfe Nord")
    assert (
        cases.loc[refi_case, "country"] == "DE" and cases.loc[refi_case, "phase"] == "co-delivery"
    )
    assert cases.loc[refi_case, "level"] == "unknown_level"
    assert cases.loc["neighbourhood_care", "title"] == "Neighbourhood care"
    parts = read_csv(to / "participants.csv").set_index("participant_id")
    p1, p2 = pseudo("participant", NAME1), pseudo("participant", NAME2)
    assert parts.loc[p1, "case_id"] == refi_case and parts.loc[p1, "Age group"] == "60+"
    assert parts.loc[p1, "role"] == "unknown_role"
    assert parts.loc[p2, "case_id"] == "neighbourhood_care" and parts.loc[p2, "role"] == "citizen"
    docs = read_csv(to / "documents.csv")
    assert set(docs["document_id"]) == {pseudo("document", NAME1), pseudo("document", NAME2)}

    # names appear only in the key, which maps the pseudonyms back
    for f in to.glob("*.csv"):
        if f.name != KEY_FILE:
            body = f.read_text(encoding="utf-8")
            assert "Anna" not in body and "Bauer" not in body and "Nachbarschaft" not in body
    key = read_csv(to / KEY_FILE)
    back = dict(zip(key["pseudonym"], key["original"], strict=True))
    assert back[p1] == NAME1 and back[refi_case] == "Nachbarschaftshilfe Nord"
    assert (to / SALT_FILE).stat().st_mode & 0o077 == 0

    meta = (to / "dataset.yml").read_text(encoding="utf-8")
    assert "synthetic: false" in meta and "source: p.qdpx" in meta and "NVivo" in meta
    # the whole-source coding and the PDF region: counted as skipped, by kind
    assert result.skipped == {"PDF": 1, "image": 0, "audio/video": 0, "other": 1}
    assert "selections skipped: 1 PDF, 0 image, 0 audio/video, 1 other" in result.summary()
    assert validate(to) == []


def segs_text_empty(to: Path) -> bool:
    return (read_csv(to / "segments.csv")["text"] == "").all()


def test_salt_and_key_are_git_ignored(tmp_path):
    root = project_root()
    if not (root / ".git").exists():
        pytest.skip("not a git checkout")
    paths = [f"data/x/{SALT_FILE}", f"data/x/{KEY_FILE}"]
    out = subprocess.run(
        ["git", "check-ignore", *paths], cwd=root, capture_output=True, text=True, check=False
    )
    assert out.stdout.split() == paths


def test_unzipped_folder_and_bare_qde_import_like_the_zip(tmp_path):
    write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        zf.extractall(folder)
    import_qdpx(tmp_path / "p.qdpx", tmp_path / "a", keep_text=True)
    import_qdpx(folder, tmp_path / "b", keep_text=True)
    a, b = read_csv(tmp_path / "a" / "segments.csv"), read_csv(tmp_path / "b" / "segments.csv")
    cols = ["segment_id", "start", "end", "text"]
    assert a[cols].equals(b[cols])
    project = read_qdpx(folder / "Project.qde")
    assert len(project.selections) == 4


def test_reimport_keeps_pseudonyms_and_applies_code_map_and_documents_map(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    to = tmp_path / "nb"
    import_qdpx(src, to)
    first = read_csv(to / "segments.csv")
    (to / "notes.txt").write_text("my notes", encoding="utf-8")

    # the user maps a local code and regroups the documents into one case with roles
    cmap = read_csv(to / "code_map.csv")
    cmap.loc[cmap["project_code"] == "Costs of participation", "code"] = "Inclusiveness"
    cmap.to_csv(tmp_path / "map.csv", index=False)
    docs = read_csv(to / "documents.csv")
    docs["case_id"] = "elder_care"
    docs["role"] = ["citizen", "professional"]
    docs.to_csv(tmp_path / "docs.csv", index=False)
    cases = read_csv(to / "cases.csv")
    result = import_qdpx(src, to, code_map=tmp_path / "map.csv", documents=tmp_path / "docs.csv")
    assert result.counts["codes_mapped"] == 1 and result.counts["cases"] == 1
    codings = read_csv(to / "codings.csv")
    assert codings["code"].iloc[-1] == "inclusiveness"
    again = read_csv(to / "segments.csv")
    assert again["segment_id"].equals(first["segment_id"])
    assert set(again["case_id"]) == {"elder_care"}
    assert set(again["participant_id"]) == set(first["participant_id"])
    parts = read_csv(to / "participants.csv")
    assert sorted(parts["role"]) == ["citizen", "professional"]
    assert (to / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert "unknown_role" not in read_csv(to / "codebook_extension.csv")["id"].tolist()
    assert validate(to) == []

    # the user fills in cases.csv in place; a plain re-import keeps that and the maps
    cases = read_csv(to / "cases.csv")
    cases.loc[0, ["country", "phase", "level", "mode"]] = ["NL", "co-delivery", "group", "enhanced"]
    cases.to_csv(to / "cases.csv", index=False)
    result = import_qdpx(src, to)
    cases = read_csv(to / "cases.csv")
    assert cases.loc[0, ["country", "phase"]].tolist() == ["NL", "co-delivery"]
    assert read_csv(to / "codings.csv")["code"].iloc[-1] == "inclusiveness"
    assert validate(to) == []
    assert tree(tmp_path) >= {"nb", "p.qdpx"} and not [
        p for p in tree(tmp_path) if p.startswith(".")
    ]


def test_code_map_from_a_codebook_file_and_bad_map_rows(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    bad = tmp_path / "bad.csv"
    bad.write_text("project_code,code\nCosts of participation,inclusivenes\n", encoding="utf-8")
    with pytest.raises(DataError, match="inclusiveness"):
        import_qdpx(src, tmp_path / "nb", code_map=bad)
    assert not (tmp_path / "nb").exists()
    qdc_file = tmp_path / "cb.qdc"
    qdc_file.write_bytes(
        b'<?xml version="1.0"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        b'<Code guid="1" name="Costs of participation" isCodable="true"><Description>'
        b"coprod:id: inclusiveness</Description></Code></Codes><Sets/></CodeBook>"
    )
    import_qdpx(src, tmp_path / "nb", code_map=qdc_file)
    assert read_csv(tmp_path / "nb" / "codings.csv")["code"].iloc[-1] == "inclusiveness"


def test_documents_map_naming_unknown_documents_is_refused(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    bad = tmp_path / "docs.csv"
    bad.write_text("document_id,case_id,participant_id,role\nD-0000,c,p,citizen\n", "utf-8")
    with pytest.raises(DataError, match="document of this project"):
        import_qdpx(src, tmp_path / "nb", documents=bad)
    bad.write_text("document_id,case_id,participant_id,role\nD-0000,c,p,mayor\n", "utf-8")
    with pytest.raises(DataError):
        import_qdpx(src, tmp_path / "nb", documents=bad)
    assert tree(tmp_path) == {"p.qdpx", "docs.csv"}


def test_target_that_is_not_an_import_is_refused(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    other = tmp_path / "other"
    other.mkdir()
    (other / "thesis.docx").write_bytes(b"x")
    with pytest.raises(DataError, match="choose another"):
        import_qdpx(src, other)
    hand = tmp_path / "hand"
    hand.mkdir()
    (hand / "dataset.yml").write_text("synthetic: false\n", encoding="utf-8")
    (hand / "cases.csv").write_text("case_id\nc1\n", encoding="utf-8")
    with pytest.raises(DataError, match="no import wrote"):
        import_qdpx(src, hand)
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "dataset.yml").write_text("synthetic: true\n", encoding="utf-8")
    with pytest.raises(DataError, match="synthetic"):
        import_qdpx(src, demo)
    assert (hand / "cases.csv").read_text(encoding="utf-8") == "case_id\nc1\n"


def test_wrong_offset_unit_is_detected_and_can_be_overridden(tmp_path):
    # QualCoder-style code points, but the file claims to come from NVivo
    xml = project_xml("qualcoder").replace(b"QualCoder 3.5", b"NVivo for Mac 15")
    src = write_qdpx(tmp_path / "p.qdpx", xml)
    with pytest.raises(DataError, match="--offsets"):
        import_qdpx(src, tmp_path / "nb")
    import_qdpx(src, tmp_path / "nb", offsets="codepoints", keep_text=True)
    segs = read_csv(tmp_path / "nb" / "segments.csv")
    assert segs["text"].tolist() == [lf(s[1]) for s in SELECTIONS]


def test_cli_imports_with_options(tmp_path, capsys):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("atlas"))
    assert run_cli("import", "qdpx", str(src), "--to", str(tmp_path / "nb"), "--keep-text") == 0
    out = capsys.readouterr().out
    assert "4 coded segment(s) with 5 coding(s)" in out and "CRLF counted as one" in out
    assert read_csv(tmp_path / "nb" / "segments.csv")["text"].iloc[1] == lf(SELECTIONS[1][1])


# ----------------------------------------------------------------------------- refusals


def test_codebook_only_project_points_to_codebook_import(tmp_path, capsys):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo", selections=""), members={})
    with pytest.raises(DataError, match="coprod codebook import"):
        import_qdpx(src, tmp_path / "nb")
    assert run_cli("import", "qdpx", str(src), "--to", str(tmp_path / "nb")) == 1
    err = capsys.readouterr().err
    assert "coprod codebook import" in err and "Traceback" not in err
    qdc_file = tmp_path / "cb.qdc"
    qdc_file.write_bytes(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>')
    with pytest.raises(DataError, match="coprod codebook import"):
        import_qdpx(qdc_file, tmp_path / "nb")
    assert import_codebook(src).codes["path"].tolist()[:2] == ["Strategies", "Strategies/Trade-off"]
    assert tree(tmp_path) == {"p.qdpx", "cb.qdc"}


XXE = '<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
LAUGHS = (
    '<!DOCTYPE Project [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def hostile(kind: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = folder / "hostile.qdpx"
    if kind == "xxe":
        return write_qdpx(path, project_xml(dtd=XXE, prefix="&xxe;"))
    if kind == "billion_laughs":
        return write_qdpx(path, project_xml(dtd=LAUGHS, prefix="&lol3;"))
    if kind == "zip_slip":
        return write_qdpx(path, project_xml(), {**sources(), "../../evil.txt": b"x"})
    if kind == "zip_slip_absolute":
        return write_qdpx(path, project_xml(), {**sources(), "/tmp/evil.txt": b"x"})
    if kind == "zip_bomb_members":
        monkeypatch.setattr(safe_archive, "MAX_ZIP_MEMBERS", 10)
        return write_qdpx(path, project_xml(), {f"sources/{k}.txt": b"" for k in range(20)})
    if kind == "zip_bomb_bytes":
        monkeypatch.setattr(safe_archive, "MAX_UNCOMPRESSED_BYTES", 200_000)
        return write_qdpx(path, project_xml(), {**sources(), "sources/pad.txt": bytes(10**6)})
    if kind == "source_too_large":
        from coprodlib.importers import qdpx_files

        monkeypatch.setattr(qdpx_files, "MAX_SOURCE_BYTES", 50)
        return write_qdpx(path, project_xml())
    if kind == "not_a_zip":
        path.write_bytes(b"this is not a zip archive\n")
        return path
    if kind == "missing_qde":
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in sources().items():
                zf.writestr(name, data)
        return path
    if kind == "unknown_code":
        sel = selection_xml(0, "nvivo", target="6F000000-0000-4000-8000-0000000000AA")
        return write_qdpx(path, project_xml(selections=sel))
    if kind == "offsets_outside":
        sel = selection_xml(0, "nvivo", start=10, end=10_000)
        return write_qdpx(path, project_xml(selections=sel))
    if kind == "negative_offset":
        sel = selection_xml(0, "nvivo", start=-3, end=4)
        return write_qdpx(path, project_xml(selections=sel))
    if kind == "missing_source_text":
        return write_qdpx(path, project_xml(), {})
    if kind == "source_path_escapes":
        xml = project_xml().replace(f"internal://{S1}.txt".encode(), b"internal://../../etc/passwd")
        return write_qdpx(path, xml)
    if kind == "absolute_source_path":
        xml = project_xml().replace(f"internal://{S1}.txt".encode(), b"absolute:///etc/passwd")
        return write_qdpx(path, xml)
    raise AssertionError(kind)


HOSTILE = {
    "xxe": "DTD",
    "billion_laughs": "DTD",
    "zip_slip": "'..'",
    "zip_slip_absolute": "absolute",
    "zip_bomb_members": "at most 10 files",
    "zip_bomb_bytes": "at most 200000 bytes",
    "source_too_large": "at most 50 bytes",
    "not_a_zip": "not a zip",
    "missing_qde": r"\*\.qde",
    "unknown_code": "code that does not exist",
    "offsets_outside": "outside the text",
    "negative_offset": "outside the text",
    "missing_source_text": "text is missing",
    "source_path_escapes": "'..' are refused",
    "absolute_source_path": "outside the project is not read",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_files_are_refused_and_nothing_is_written(tmp_path, monkeypatch, capsys, kind):
    work = tmp_path / "work"
    work.mkdir()
    src = hostile(kind, work, monkeypatch)
    before = tree(tmp_path)
    target = work / "out" / "nb"
    with pytest.raises(DataError, match=HOSTILE[kind]):
        import_qdpx(src, target)
    assert run_cli("import", "qdpx", str(src), "--to", str(target), "--keep-text") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert tree(tmp_path) == before  # not even the parent folder was left behind
    assert not Path("/tmp/evil.txt").exists()


def test_failure_while_writing_leaves_the_earlier_import_untouched(tmp_path, monkeypatch):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    to = tmp_path / "nb"
    import_qdpx(src, to)
    before = {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()}
    from coprodlib.importers import writer

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(writer, "write_meta", boom)
    with pytest.raises(DataError, match=r"writing the dataset failed: disk full\); nothing was"):
        import_qdpx(src, to, keep_text=True)
    assert {p: (to / p).read_bytes() for p in tree(to) if (to / p).is_file()} == before
    assert tree(tmp_path) == {"p.qdpx", "nb", *(f"nb/{p}" for p in tree(to))}


# ----------------------------------------------------------------------------- real exports


def _qde(path: Path) -> tuple[ET.Element, zipfile.ZipFile]:
    zf = zipfile.ZipFile(path)
    (name,) = [n for n in zf.namelist() if n.lower().endswith(".qde")]
    return ET.fromstring(zf.read(name)), zf


def _count(root: ET.Element) -> tuple[int, int, dict[str, tuple[str, int, int]]]:
    """Coded selections and code references of text sources, by a plain XML walk."""
    local = lambda el: el.tag.rsplit("}", 1)[-1]  # noqa: E731
    n_sel = n_ref = 0
    where = {}
    for src in root.iter():
        if local(src) != "TextSource":
            continue
        for sel in src:
            if local(sel) != "PlainTextSelection":
                continue
            refs = [r for c in sel if local(c) == "Coding" for r in c if local(r) == "CodeRef"]
            if refs:
                n_sel += 1
                n_ref += len(refs)
                where[sel.get("guid").lower()] = (
                    src.get("plainTextPath").split("://", 1)[1],
                    int(sel.get("startPosition")),
                    int(sel.get("endPosition")),
                )
    return n_sel, n_ref, where


@needs_shared
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_real_export_imports_or_points_to_codebook_import(tmp_path, sample, capsys):
    root, zf = _qde(sample)
    n_sel, n_ref, where = _count(root)
    to = tmp_path / "data" / sample.stem
    # every codebook in the samples imports with `coprod codebook import`
    assert cli.main(["codebook", "import", str(sample)]) == 0
    if n_sel == 0:
        with pytest.raises(DataError, match="coprod codebook import"):
            import_qdpx(sample, to)
        assert run_cli("import", "qdpx", str(sample), "--to", str(to)) == 1
        assert "coprod codebook import" in capsys.readouterr().err
        assert not to.exists() and not to.parent.exists()
        return
    assert run_cli("import", "qdpx", str(sample), "--to", str(to), "--keep-text") == 0
    segs = read_csv(to / "segments.csv")
    codings = read_csv(to / "codings.csv")
    assert (len(segs), len(codings)) == (n_sel, n_ref)
    assert validate(to) == []
    origin = root.get("origin") or ""
    assert "NVivo" in origin  # the one sample with coded selections; its offsets: UTF-16
    texts = {}
    for seg in segs.itertuples():
        member, a, b = where[seg.segment_id]
        if member not in texts:
            (name,) = [n for n in zf.namelist() if n.lower().endswith("/" + member.lower())]
            raw = zf.read(name)
            texts[member] = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8").encode("utf-16-le")
        expected = texts[member][2 * a : 2 * b].decode("utf-16-le")
        assert seg.text == lf(expected)
    # names (YouTube handles in the text are in segment text only with --keep-text)
    key = read_csv(to / KEY_FILE)
    assert set(key["kind"]) == {"document", "participant"}
    for name in key["original"]:
        assert name not in (to / "documents.csv").read_text(encoding="utf-8")


@needs_shared
def test_real_export_without_keep_text_has_no_text(tmp_path):
    sample = next(p for p in SAMPLES if p.stem.startswith("nvivo12"))
    import_qdpx(sample, tmp_path / "nb")
    assert (read_csv(tmp_path / "nb" / "segments.csv")["text"] == "").all()


def test_project_folder_with_a_source_linking_outside_is_refused(tmp_path):
    folder = tmp_path / "proj"
    (folder / "sources").mkdir(parents=True)
    (folder / "project.qde").write_bytes(project_xml("nvivo"))
    secret = tmp_path / "secret.txt"
    secret.write_text(TEXT1, encoding="utf-8")
    (folder / "sources" / f"{S1}.txt").symlink_to(secret)
    (folder / "sources" / f"{S2}.txt").write_bytes(TEXT2.encode())
    with pytest.raises(DataError, match="links outside"):
        import_qdpx(folder, tmp_path / "nb")
    assert not (tmp_path / "nb").exists()


def test_qde_in_a_subfolder_of_the_archive(tmp_path):
    members = {f"My project/{name}": data for name, data in sources().items()}
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"), members,
                     qde_name="My project/My project.QDE")  # fmt: skip
    result = import_qdpx(src, tmp_path / "nb", keep_text=True)
    assert result.counts["segments"] == 4
    segs = read_csv(tmp_path / "nb" / "segments.csv")
    assert segs["text"].tolist() == [lf(s[1]) for s in SELECTIONS]


def test_cases_filled_in_by_the_user_win_over_the_project_on_reimport(tmp_path):
    src = write_qdpx(tmp_path / "p.qdpx", project_xml("nvivo"))
    to = tmp_path / "nb"
    import_qdpx(src, to)
    cases = read_csv(to / "cases.csv")
    refi_case = Pseudonymizer.for_folder(to)("case", "Nachbarschaftshilfe Nord")
    row = cases["case_id"] == refi_case
    assert cases.loc[row, "phase"].item() == "co-delivery"  # from the project's variable
    cases.loc[row, ["phase", "service_area"]] = ["co-design", "elder care"]
    cases.to_csv(to / "cases.csv", index=False)
    import_qdpx(src, to)
    cases = read_csv(to / "cases.csv").set_index("case_id")
    assert cases.loc[refi_case, ["phase", "service_area", "country"]].tolist() == [
        "co-design",
        "elder care",
        "DE",
    ]
    assert validate(to) == []
