"""`coprod map`: RapidFuzz suggestions of codebook ids for a project's local codes, written
into code_map.csv for review; nothing is applied until the researcher fills in `code`."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from helpers import read_csv

from coprodlib.errors import DataError
from coprodlib.importers.code_suggestions import map_dataset, suggest_codes
from coprodlib.importers.refi import import_qdpx

QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="test" name="Map study">
  <CodeBook><Codes>
    <Code guid="6F000000-0000-4000-8000-000000000001" name="Trade-off" isCodable="true"/>
    <Code guid="6F000000-0000-4000-8000-000000000002" name="Values" isCodable="false">
      <Code guid="6F000000-0000-4000-8000-000000000003" name="Inclusivness" isCodable="true"/>
    </Code>
    <Code guid="6F000000-0000-4000-8000-000000000004" name="zzqx" isCodable="true"/>
  </Codes></CodeBook>
  <Sources><TextSource guid="5A000000-0000-4000-8000-000000000001" name="Interview 1">
    <PlainTextContent>We chose speed over care.</PlainTextContent>
    <PlainTextSelection guid="AE000000-0000-4000-8000-000000000001" startPosition="9"
      endPosition="24">
      <Coding guid="9D000000-0000-4000-8000-000000000001">
        <CodeRef targetGUID="6F000000-0000-4000-8000-000000000001"/></Coding>
      <Coding guid="9D000000-0000-4000-8000-000000000002">
        <CodeRef targetGUID="6F000000-0000-4000-8000-000000000003"/></Coding>
      <Coding guid="9D000000-0000-4000-8000-000000000003">
        <CodeRef targetGUID="6F000000-0000-4000-8000-000000000004"/></Coding>
    </PlainTextSelection></TextSource></Sources>
</Project>"""


def test_misspelt_and_prefixed_names_find_their_codebook_entry():
    table = suggest_codes(
        ["deductive: inclusiveness", "Values/Accountabilty", "escalate", "Inclusion vs. quality"],
        n=1,
    )
    assert dict(zip(table["name"], table["code"], strict=True)) == {
        "deductive: inclusiveness": "inclusiveness",
        "Values/Accountabilty": "accountability",
        "escalate": "escalation",
        "Inclusion vs. quality": "inclusion_vs_service_quality",
    }
    # a shared word alone ("vs") is no match: whole strings are compared
    assert suggest_codes(["speed vs care"], n=3, min_score=75).empty
    assert suggest_codes(["qqqq zzzz"]).empty
    with pytest.raises(ValueError, match="n=0"):
        suggest_codes(["x"], n=0)


def test_map_writes_suggestions_for_review_and_keeps_mapped_rows(tmp_path):
    project = tmp_path / "p.qdpx"
    with zipfile.ZipFile(project, "w") as zf:
        zf.writestr("project.qde", QDE)
    to = tmp_path / "study"
    import_qdpx(project, to)
    before = read_csv(to / "code_map.csv")
    result = map_dataset(to)
    table = read_csv(to / "code_map.csv").set_index("project_code")
    assert table.loc["Trade-off", "code"] == "trade_off"
    assert table.loc["Trade-off", "review"] == ""
    row = table.loc["Values/Inclusivness"]
    assert (row["code"], row["suggestion"], row["review"]) == ("", "inclusiveness", "review")
    assert row["suggestion_label"] == "Inclusiveness" and float(row["score"]) > 90
    assert table.loc["zzqx", "review"] == "no match"
    # local: the category "Values", its child and "zzqx"; only "zzqx" finds nothing
    assert (result.local, result.suggested, result.mapped) == (3, 2, 1)
    assert "next:" in result.summary()
    # the earlier columns and rows are all still there, in their order
    assert list(read_csv(to / "code_map.csv").columns[: len(before.columns)]) == list(
        before.columns
    )
    # a second run replaces its own columns instead of adding more
    map_dataset(to)
    assert list(pd.read_csv(to / "code_map.csv").columns).count("suggestion") == 1


def test_map_without_code_map_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="code_map.csv an import writes"):
        map_dataset(tmp_path)


def test_a_reviewed_suggestion_is_applied_by_validate_and_load(tmp_path):
    import coprodlib as cp

    project = tmp_path / "p.qdpx"
    with zipfile.ZipFile(project, "w") as zf:
        zf.writestr("project.qde", QDE)
    to = tmp_path / "study"
    import_qdpx(project, to)
    map_dataset(to)
    table = pd.read_csv(to / "code_map.csv", dtype=str, keep_default_na=False)
    row = table["project_code"] == "Values/Inclusivness"
    table.loc[row, "code"] = table.loc[row, "suggestion"]  # the researcher agrees
    table.to_csv(to / "code_map.csv", index=False)
    assert cp.validate(to) == []
    codes = set(cp.load(to).codings["code"].astype(str))
    assert "inclusiveness" in codes and "local_values_inclusivness" not in codes
    # a typo in the reviewed id is caught, naming the file
    table.loc[row, "code"] = "inclusivenes"
    table.to_csv(to / "code_map.csv", index=False)
    assert any(p.file == "code_map.csv" for p in cp.validate(to))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "header line"), (b"\x99\xfe\x00abc", "UTF-8"), (b"a,b\n1,2\n", "project_code")],
)
def test_a_broken_code_map_is_one_clear_error(tmp_path, content, message):
    (tmp_path / "code_map.csv").write_bytes(content)
    with pytest.raises(DataError, match=message):
        map_dataset(tmp_path)
