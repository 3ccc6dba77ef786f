"""Intercoder agreement from a coded project (coprodlib.analysis.coder_overlap).

Reference values: NVivo's documented example of its coding comparison query (1,000
characters, 50 coded by both users, 150 by one, 800 by neither: 85% agreement; NVivo help,
"Run a coding comparison query"), and cases counted by hand below, with the arithmetic in
the comments. A two-coder REFI-QDA project is built here, imported with ``coprod import
qdpx`` and run through the reliability notebook without any ``double_coding.csv``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import read_csv, run_cli

import coprodlib as cp
from coprodlib.errors import DataError

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# ----------------------------------------------------------------------------- characters


def test_nvivo_documented_example_gives_85_percent() -> None:
    # a 1,000-character document; ann codes [0, 100), bob [50, 200): both [50, 100) = 50,
    # one only [0, 50) + [100, 200) = 150, neither 1000 - 200 = 800
    segs = pd.DataFrame(
        {"segment_id": ["a", "b"], "document_id": "d1", "start": [0, 50], "end": [100, 200]}
    )
    cods = pd.DataFrame({"segment_id": ["a", "b"], "code": "bias", "coder": ["ann", "bob"]})
    docs = pd.DataFrame({"document_id": ["d1"], "n_chars": [1000]})
    row = cp.character_agreement(segs, cods, docs).iloc[0]
    assert (row["both"], row["a_only"] + row["b_only"], row["neither"]) == (50, 150, 800)
    assert row["percent_agreement"] == pytest.approx(0.85)  # (800 + 50) / 1000
    # Cohen's kappa as NVivo's help computes it: EF1 = 100 * 150 / 1000 = 15,
    # EF2 = 900 * 850 / 1000 = 765; K = (850 - 780) / (1000 - 780) = 70 / 220
    assert row["kappa"] == pytest.approx(70 / 220)
    assert row["unit"] == "characters" and row["length_from"] == "documents.n_chars"


def hand_case() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    segs = pd.DataFrame(
        {
            "segment_id": ["a1", "a2", "b1", "a3", "x1"],
            "document_id": ["d1", "d1", "d1", "d1", "d2"],
            "start": [10, 30, 20, 70, 0],
            "end": [40, 50, 60, 80, 5],
        }
    )
    cods = pd.DataFrame(
        {
            "segment_id": ["a1", "a2", "b1", "a3", "x1"],
            "code": ["bias", "bias", "bias", "cycling", "bias"],
            "coder": ["ann", "ann", "bob", "ann", "ann"],
        }
    )
    docs = pd.DataFrame({"document_id": ["d1", "d2"], "n_chars": [100, 50]})
    return segs, cods, docs


def test_hand_counted_characters_and_kappa() -> None:
    segs, cods, docs = hand_case()
    out = cp.character_agreement(segs, cods, docs)
    # d2 was coded by ann only: no pair of coders to compare there
    assert out["document_id"].tolist() == ["d1", "d1"]
    bias = out.set_index("code").loc["bias"]
    # bias in d1: ann [10, 40) and [30, 50) count once: [10, 50) = 40 characters;
    # bob [20, 60) = 40. Both [20, 50) = 30, ann only [10, 20) = 10, bob only [50, 60) = 10,
    # neither 100 - 50 = 50
    assert (bias["both"], bias["a_only"], bias["b_only"], bias["neither"]) == (30, 10, 10, 50)
    # p_o = (30 + 50) / 100 = 0.8; p_e = 0.4 * 0.4 + 0.6 * 0.6 = 0.52
    # kappa = (0.8 - 0.52) / (1 - 0.52) = 0.28 / 0.48
    assert bias["percent_agreement"] == pytest.approx(0.8)
    assert bias["kappa"] == pytest.approx(0.28 / 0.48)
    # QualCoder's figure: only the 50 characters coded by someone; p_o = 30 / 50 = 0.6;
    # chance = (40/50 * 40/50) * (10/50 * 10/50) = 0.64 * 0.04 = 0.0256 (a product, where
    # Cohen adds); kappa = (0.6 - 0.0256) / (1 - 0.0256)
    assert bias["kappa_qualcoder"] == pytest.approx((0.6 - 0.0256) / (1 - 0.0256))
    cycling = out.set_index("code").loc["cycling"]
    # cycling: ann [70, 80) only. p_o = 90 / 100; p_e = 0.1 * 0 + 0.9 * 1 = 0.9; kappa 0
    assert (cycling["both"], cycling["a_only"], cycling["b_only"]) == (0, 10, 0)
    assert cycling["kappa"] == pytest.approx(0.0)


def test_pooled_counts_add_up_and_length_falls_back_to_the_last_offset() -> None:
    segs, cods, _ = hand_case()
    out = cp.character_agreement(segs, cods, pool=True).set_index("code")
    # without documents: d1's length is its largest end offset, 80
    bias = out.loc["bias"]
    assert bias["n_characters"] == 80 and bias["neither"] == 80 - 50
    assert bias["length_from"] == "largest end offset"
    assert bias["document_id"] == "(all)"


def test_one_coder_is_refused_with_a_clear_error() -> None:
    segs, cods, docs = hand_case()
    with pytest.raises(DataError, match="at least two coders"):
        cp.character_agreement(segs, cods.assign(coder="ann"), docs)
    # two coders, never in the same document
    apart = cods.assign(coder=["ann", "ann", "ann", "ann", "bob"])
    with pytest.raises(DataError, match="two coders both coded"):
        cp.character_agreement(segs, apart, docs)


# ----------------------------------------------------------------------------- segments


def test_overlap_table_equals_a_hand_built_one() -> None:
    segs = pd.DataFrame(
        {
            "segment_id": ["a1", "b1", "a2", "b2", "a3"],
            "document_id": "d1",
            "start": [0, 5, 100, 150, 300],
            "end": [100, 100, 200, 200, 350],
        }
    )
    cods = pd.DataFrame(
        {
            "segment_id": ["a1", "a1", "b1", "a2", "b2", "a3", "a3"],
            "code": ["bias", "cycling", "bias", "cycling", "cycling", "trade_off", "trade_off"],
            "coder": ["ann", "ann", "bob", "ann", "bob", "ann", "bob"],
        }
    )
    # a1 [0, 100) and b1 [5, 100) share 95 of the longer 100 characters: matched (>= 0.9);
    # a2 [100, 200) and b2 [150, 200) share 50 of 100: not matched, two units;
    # a3 was given trade_off by both coders (one segment, two coders): a unit of its own
    nan = np.nan
    expected = pd.DataFrame(
        {
            "document_id": "d1",
            "segment_id": ["a1", "a1", "a1", "a2", "a2", "b2", "b2", "a3", "a3"],
            "start": [0, 0, 0, 100, 100, 150, 150, 300, 300],
            "end": [100, 100, 100, 200, 200, 200, 200, 350, 350],
            "n_segments": [2, 2, 2, 1, 1, 1, 1, 1, 1],
            "coder": ["ann", "ann", "bob", "ann", "bob", "ann", "bob", "ann", "bob"],
            "code": [
                "bias",
                "cycling",
                "bias",
                "cycling",
                nan,
                nan,
                "cycling",
                "trade_off",
                "trade_off",
            ],
        }
    )
    expected["unit"] = "segments matched on overlap (at least 90% of the longer segment shared)"
    got = cp.overlap_units(segs, cods)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    # over the union, a1 and b1 share 95 / 100 as well; at threshold 0.96 they part
    assert cp.overlap_units(segs, cods, threshold=0.96)["segment_id"].nunique() == 5
    # a shifted pair: [0, 10) and [5, 15) share 5 of the longer 10 (0.5) but 5 of the union
    # 15 (0.33): matched at 0.5 over the longer, not over the union
    shifted = pd.DataFrame(
        {"segment_id": ["p", "q"], "document_id": "d", "start": [0, 5], "end": [10, 15]}
    )
    sc = pd.DataFrame({"segment_id": ["p", "q"], "code": "bias", "coder": ["ann", "bob"]})
    assert cp.overlap_units(shifted, sc, threshold=0.5)["segment_id"].nunique() == 1
    assert (
        cp.overlap_units(shifted, sc, threshold=0.5, overlap="union")["segment_id"].nunique() == 2
    )


def test_overlap_table_feeds_code_agreement_with_hand_counted_values() -> None:
    segs = pd.DataFrame(
        {
            "segment_id": ["a1", "b1", "a2", "b2"],
            "document_id": "d1",
            "start": [0, 5, 100, 150],
            "end": [100, 100, 200, 200],
        }
    )
    cods = pd.DataFrame(
        {
            "segment_id": ["a1", "b1", "a2", "b2"],
            "code": ["bias", "bias", "cycling", "cycling"],
            "coder": ["ann", "bob", "ann", "bob"],
        }
    )
    per_code = cp.code_agreement(cp.overlap_units(segs, cods)).set_index("code")
    # units: {a1, b1}, {a2}, {b2}. bias: both 1 on the first unit, both 0 on the others:
    # 3 of 3 agree. cycling: (0, 0), (1, 0), (0, 1): 1 of 3 agree
    assert per_code.loc["bias", "percent_agreement"] == pytest.approx(1.0)
    assert per_code.loc["cycling", "percent_agreement"] == pytest.approx(1 / 3)
    # cycling kappa: p_o = 1/3; each coder says "present" once in 3, p_e = (1/3)^2 + (2/3)^2
    # = 5/9; kappa = (1/3 - 5/9) / (1 - 5/9) = (-2/9) / (4/9) = -0.5
    assert per_code.loc["cycling", "kappa"] == pytest.approx(-0.5)


def test_bad_options_are_value_errors() -> None:
    segs, cods, _ = hand_case()
    with pytest.raises(ValueError, match="overlap"):
        cp.overlap_units(segs, cods, overlap="shorter")
    with pytest.raises(ValueError, match="threshold"):
        cp.overlap_units(segs, cods, threshold=0)


# ----------------------------------------------------------------------------- a REFI project

ANN, BOB = "0A1B2C3D-0000-4000-8000-00000000000A", "0A1B2C3D-0000-4000-8000-00000000000B"
C_BIAS, C_CYC, C_TRADE = (f"6F000000-0000-4000-8000-0000000000A{k}" for k in (1, 2, 3))
S1, S2 = "5A000000-0000-4000-8000-0000000000A1", "5A000000-0000-4000-8000-0000000000A2"
TEXT1 = ("x" * 99 + "\n") * 4  # 400 characters, LF only: offsets are the same in every unit
TEXT2 = "y" * 60
# (guid number, source, start, end, [(code, user), ...])
SELECTIONS = [
    (1, S1, 0, 100, [(C_BIAS, ANN)]),
    (2, S1, 5, 100, [(C_BIAS, BOB)]),
    (3, S1, 100, 200, [(C_CYC, ANN)]),
    (4, S1, 150, 200, [(C_CYC, BOB)]),
    (5, S1, 300, 350, [(C_TRADE, ANN), (C_TRADE, BOB)]),  # one selection, both coders
    (6, S2, 0, 50, [(C_BIAS, ANN)]),  # a document only ann coded
]


def two_coder_qde() -> bytes:
    def selection(k, start, end, codings):
        inner = "".join(
            f'<Coding guid="9D0000A{k}-0000-4000-8000-00000000000{j}" creatingUser="{user}">'
            f'<CodeRef targetGUID="{code}"/></Coding>'
            for j, (code, user) in enumerate(codings)
        )
        return (
            f'<PlainTextSelection guid="AE0000A{k}-0000-4000-8000-000000000000" '
            f'startPosition="{start}" endPosition="{end}" creatingUser="{codings[0][1]}">'
            f"{inner}</PlainTextSelection>"
        )

    def source(guid, name):
        sels = "".join(selection(k, a, b, c) for k, s, a, b, c in SELECTIONS if s == guid)
        return (
            f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{guid}.txt">'
            f"{sels}</TextSource>"
        )

    def code(guid, name, cid):
        return (
            f'<Code guid="{guid}" name="{name}" isCodable="true">'
            f"<Description>coprod:id: {cid}</Description></Code>"
        )

    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" origin="QualCoder 3.5" name="Team coding">
  <Users><User guid="{ANN}" name="Ann"/><User guid="{BOB}" name="Bob"/></Users>
  <CodeBook><Codes>
    {code(C_BIAS, "Favouring one value", "bias")}
    {code(C_CYC, "Taking turns", "cycling")}
    {code(C_TRADE, "Giving one up", "trade_off")}
  </Codes></CodeBook>
  <Sources>{source(S1, "Interview one")}{source(S2, "Interview two")}</Sources>
</Project>
""".encode()


@pytest.fixture
def team_project(tmp_path) -> Path:
    src = tmp_path / "team.qdpx"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("project.qde", two_coder_qde())
        zf.writestr(f"sources/{S1}.txt", TEXT1)
        zf.writestr(f"sources/{S2}.txt", TEXT2)
    target = tmp_path / "team"
    assert run_cli("import", "qdpx", str(src), "--to", str(target)) == 0
    return target


def test_two_coder_project_imports_and_validates(team_project) -> None:
    codings = read_csv(team_project / "codings.csv")
    # the shared selection is one segment with the same code from two coders: allowed now
    assert len(codings) == 7 and sorted(set(codings["coder"])) == ["Ann", "Bob"]
    assert cp.validate(team_project) == []
    ds = cp.load(team_project)
    assert cp.coders_of(ds) == ["Ann", "Bob"]
    assert not (team_project / "double_coding.csv").exists()


def test_same_code_twice_from_one_coder_is_still_refused(team_project) -> None:
    path = team_project / "codings.csv"
    codings = read_csv(path)
    pd.concat([codings, codings.iloc[[0]]]).to_csv(path, index=False)
    problems = cp.validate(team_project)
    assert any("segment_id, coder, code" in str(p) for p in problems)


def test_analyses_count_a_code_once_per_segment_whatever_the_coders(team_project) -> None:
    ds = cp.load(team_project)
    # 7 coding rows; the shared selection carries trade_off from Ann and from Bob: 6
    # distinct (segment, code) pairs on 6 segments
    assert len(ds.codings) == 7
    assert int(cp.case_overview(ds)["n_codings"].sum()) == 6
    usage = cp.code_usage(ds).set_index("dimension")
    assert usage.loc["strategy", "n_codings"] == 6 and usage.loc["strategy", "n_segments"] == 6
    long = cp.codings_of(ds, "strategy")
    assert (long["code"].astype(str) == "trade_off").sum() == 1
    co = cp.cooccurrence(ds, "strategy", "strategy")
    n = co.set_index(["strategy_a", "strategy_b"])["n"]
    assert n[("trade_off", "trade_off")] == 1
    # one coder's own counts: Bob coded 3 segments
    assert len(cp.one_coder(ds, "Bob").segments) == 3


def test_project_reliability_and_characters(team_project) -> None:
    ds = cp.load(team_project)
    sample = cp.reliability_sample(ds)
    assert sample["unit"].iloc[0].startswith("segments matched on overlap (at least 90%")
    per_code = cp.code_agreement(sample).set_index("code")
    # units in the document both coded: {sel1, sel2}, {sel3}, {sel4}, {sel5}
    assert set(per_code["n_units"]) == {4}
    # trade_off: present for both on sel5, absent for both elsewhere: 4 of 4
    assert per_code.loc["trade_off", "percent_agreement"] == pytest.approx(1.0)
    # cycling: (1, 0) on sel3, (0, 1) on sel4, (0, 0) on the other two: 2 of 4
    assert per_code.loc["cycling", "percent_agreement"] == pytest.approx(0.5)
    chars = cp.character_agreement(ds.segments, ds.codings, ds.documents)
    assert chars["document_id"].nunique() == 1  # interview two was coded by Ann only
    cyc = chars.set_index("code").loc["cycling"]
    # Ann [100, 200), Bob [150, 200): both 50, Ann only 50; the import writes the document's
    # length (TEXT1, 400 characters) to documents.csv, so "neither" counts to its very end
    assert (cyc["both"], cyc["a_only"], cyc["b_only"], cyc["n_characters"]) == (50, 50, 0, 400)
    assert cyc["length_from"] != "largest end offset"
    assert sorted(ds.documents["n_chars"].tolist()) == [len(TEXT2), len(TEXT1)]


def test_reliability_notebook_runs_on_the_team_project(team_project, tmp_path) -> None:
    papermill = pytest.importorskip("papermill")
    from coprodlib.workbook.jobs import plan_jobs

    ds = cp.load(team_project)
    keys = [j.key for j in plan_jobs(ds, dataset=team_project, out_root=tmp_path / "r")]
    assert "reliability" in keys  # no double_coding.csv, two coders: the notebook runs
    out = tmp_path / "reliability.ipynb"
    tables = tmp_path / "tables"
    papermill.execute_notebook(
        str(NOTEBOOKS / "40_reliability.ipynb"),
        str(out),
        parameters={"dataset": str(team_project), "output_dir": str(tables)},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )
    cells = json.loads(out.read_text())["cells"]
    shown = "\n".join(
        "".join(o.get("data", {}).get(kind, []))
        for c in cells
        for o in c.get("outputs", [])
        for kind in ("text/markdown", "text/plain")
    )
    assert "Unit of the agreement tables: segments matched on overlap" in shown
    assert "not shown" not in shown  # every section had the data it needs
    by_char = pd.read_csv(next(tables.rglob("agreement_by_characters*.csv")))
    assert set(by_char["code"]) == {"bias", "cycling", "trade_off"}


def test_reliability_notebook_does_not_run_on_one_coder(tmp_path) -> None:
    from coprodlib.workbook.jobs import plan_jobs

    ds = cp.load()
    one = type(ds)(**{**ds.__dict__, "double_coding": None})
    keys = [j.key for j in plan_jobs(one, dataset=ds.path, out_root=tmp_path / "r")]
    assert "reliability" not in keys
    assert "reliability" in [j.key for j in plan_jobs(ds, dataset=ds.path, out_root=tmp_path)]


def test_coders_on_separate_documents_give_no_reliability(team_project, tmp_path) -> None:
    # interview one was coded by Ann and Bob, interview two by Ann alone; keeping Ann's
    # codings of interview two and Bob's of interview one leaves each document one coder,
    # as in a pool of studies, so there is nothing to compare
    from coprodlib.workbook.jobs import plan_jobs

    ds = cp.load(team_project)
    (shared,) = cp.double_coded_documents(ds)
    document = ds.codings["segment_id"].map(ds.segments.set_index("segment_id")["document_id"])
    keep = ((ds.codings["coder"] == "Ann") & (document != shared)) | (
        (ds.codings["coder"] == "Bob") & (document == shared)
    )
    apart = type(ds)(**{**ds.__dict__, "codings": ds.codings[keep].reset_index(drop=True)})
    assert cp.coders_of(apart) == ["Ann", "Bob"] and cp.double_coded_documents(apart) == []
    with pytest.raises(cp.DataError, match="two or more coders on the same documents"):
        cp.reliability_sample(apart)
    keys = [j.key for j in plan_jobs(apart, dataset=team_project, out_root=tmp_path / "r")]
    assert "reliability" not in keys
    assert "reliability" in [j.key for j in plan_jobs(ds, dataset=team_project, out_root=tmp_path)]


def test_segments_without_documents_have_no_double_coded_document(team_project, tmp_path):
    from coprodlib.workbook.jobs import plan_jobs

    ds = cp.load(team_project)
    bare = type(ds)(**{**ds.__dict__, "segments": ds.segments.drop(columns="document_id")})
    assert cp.double_coded_documents(bare) == []
    assert "reliability" not in [
        j.key for j in plan_jobs(bare, dataset=team_project, out_root=tmp_path)
    ]
    with pytest.raises(cp.DataError, match="two or more coders on the same documents"):
        cp.reliability_sample(bare)
