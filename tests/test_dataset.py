"""The data contract: loading, and one test per class of problem that validation must catch.

Each broken-dataset test goes through the command line (`coprod validate DIR`) in process and
checks the exit code, that the message names the file, the column and the bad value, and that
no Python traceback reaches the user.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.cli import main
from coprodlib.contract.checks import MAX_PER_CHECK

CASES = """case_id,title,country,service_area,phase,level,mode,logic,study,year
c1,Park cleaning,BE,environment,co-delivery,group,participative,hands-on,test,2020
c2,Youth plan,DE,youth,co-design,collective,enhanced,unknown,test,2019
"""
PARTICIPANTS = """participant_id,case_id,role,age
p1,c1,citizen,34
p2,c1,public_manager,51
p3,c2,third_party,45
"""
DOCUMENTS = """document_id,case_id,participant_id,role,title
d1,c1,p1,citizen,Interview 1
d2,c1,p2,public_manager,Interview 2
d3,c2,p3,third_party,Interview 3
"""
SEGMENTS = """segment_id,case_id,participant_id,document_id,start,end,text
s1,c1,p1,d1,0,40,We wanted everyone in but the rules said otherwise.
s2,c1,p2,d2,10,55,I had to keep the accounts straight.
s3,c2,p3,d3,5,30,We split the difference.
s4,c2,p3,d3,25,60,
"""
CODINGS = """segment_id,code,coder
s1,inclusiveness_vs_accountability,ann
s1,avoidance,ann
s1,withdrawal,ann
s2,inclusiveness_vs_accountability,ann
s2,compromising,ann
s3,productivity_vs_diversity,ann
s3,compromising,ann
s3,value_realised,ann
s4,bias,ann
"""
DOUBLE = """segment_id,coder,code
s1,ann,avoidance
s1,bob,avoidance
s2,ann,compromising
s2,bob,bias
"""
SURVEY = """respondent_id,vignette,role,se1,se2,coping_choice
r1,control,citizen,4,5,avoidance
r2,conflict,citizen,2,1,balancing
r3,conflict,citizen,3,,trade_off
"""
SCALES = """likert: {low: 1, high: 5}
scales:
  self_efficacy: {items: [se1, se2], reversed: [se2], min_answered: 1}
conditions: {column: vignette, levels: [control, conflict]}
choices: {column: coping_choice, levels: [avoidance, escalation, trade_off, balancing]}
"""
FILES = {
    "cases.csv": CASES,
    "participants.csv": PARTICIPANTS,
    "documents.csv": DOCUMENTS,
    "segments.csv": SEGMENTS,
    "codings.csv": CODINGS,
    "double_coding.csv": DOUBLE,
    "survey.csv": SURVEY,
    "scales.yml": SCALES,
    "dataset.yml": "title: Test dataset\nsynthetic: true\n",
}


@pytest.fixture
def good(tmp_path: Path) -> Path:
    folder = tmp_path / "mini"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_validate(folder: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(folder)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def test_good_dataset_validates_and_loads(good: Path, capsys) -> None:
    assert cp.validate(good) == []
    code, text = run_validate(good, capsys)
    assert code == 0 and "valid" in text
    ds = cp.load(good)
    assert ds.synthetic and ds.name == "mini"
    assert len(ds.cases) == 2 and len(ds.codings) == 9
    assert isinstance(ds.codings["code"].dtype, pd.CategoricalDtype)
    assert isinstance(ds.cases["phase"].dtype, pd.CategoricalDtype)
    assert ds.segments["start"].dtype == "Int64"
    assert pd.api.types.is_numeric_dtype(ds.participants["age"])
    assert pd.api.types.is_numeric_dtype(ds.survey["se1"])
    assert ds.survey_design.scales["self_efficacy"].reversed == ("se2",)
    assert ds.double_coding is not None and len(ds.double_coding) == 4


def test_optional_tables_may_be_absent(good: Path) -> None:
    for name in ("survey.csv", "scales.yml", "double_coding.csv", "documents.csv"):
        (good / name).unlink()
    ds = cp.load(good)
    assert ds.survey is None and ds.double_coding is None and ds.documents is None


@pytest.mark.parametrize(
    ("file", "old", "new", "column", "value", "words"),
    [
        # duplicate id
        ("cases.csv", "c2,Youth", "c1,Youth", "case_id", "c1", "unique"),
        # code not in the codebook, with a suggestion
        ("codings.csv", "s1,avoidance", "s1,avoidanse", "code", "avoidanse", "did you mean"),
        # a code of the wrong dimension in a codebook-valued column
        ("cases.csv", "co-delivery", "avoidance", "phase", "avoidance", "dimension 'phase'"),
        # foreign keys
        ("segments.csv", "s2,c1,p2", "s2,c1,p9", "participant_id", "p9", "participants.csv"),
        ("participants.csv", "p3,c2", "p3,c7", "case_id", "c7", "cases.csv"),
        ("codings.csv", "s3,compromising", "s8,compromising", "segment_id", "s8", "segments.csv"),
        ("double_coding.csv", "s2,bob", "s5,bob", "segment_id", "s5", "segments.csv"),
        ("segments.csv", "s3,c2,p3,d3", "s3,c2,p3,d7", "document_id", "d7", "documents.csv"),
        # participant of another case
        (
            "segments.csv",
            "s2,c1,p2",
            "s2,c2,p2",
            "case_id",
            "c2 (participant p2 is in case c1)",
            "participant",
        ),
        # wrong type
        ("segments.csv", "5,30,", "five,30,", "start", "five", "whole number"),
        ("cases.csv", "test,2020", "test,20x0", "year", "20x0", "whole number"),
        # offsets the wrong way round
        ("segments.csv", "10,55", "70,55", "start", "70 > 55", "start <= end"),
        # country code
        ("cases.csv", ",BE,", ",Belgium,", "country", "Belgium", "ISO 3166-1"),
        # Likert out of range
        ("survey.csv", "r1,control,citizen,4", "r1,control,citizen,7", "se1", "7", "1"),
        # condition and choice not in their declared sets
        ("survey.csv", "r2,conflict", "r2,conflcit", "vignette", "conflcit", "control"),
        ("survey.csv", "1,balancing", "1,balance", "coping_choice", "balance", "balancing"),
        # missing value in a required column
        ("participants.csv", "p2,c1,public_manager", "p2,c1,", "role", None, "role"),
    ],
)
def test_each_problem_is_reported_with_file_column_value(
    good: Path, capsys, file, old, new, column, value, words
) -> None:
    edit(good, file, old, new)
    problems = cp.validate(good)
    hits = [p for p in problems if p.file == file and p.column == column]
    assert hits, f"no problem for {file}:{column}; got {[str(p) for p in problems]}"
    if value is not None:
        assert any(str(p.value) == value for p in hits), [str(p) for p in hits]
    code, text = run_validate(good, capsys)
    assert code == 1
    assert file in text and column in text and words in text
    if value is not None:
        assert value in text
    with pytest.raises(cp.DataError) as info:
        cp.load(good)
    assert info.value.problems == problems


def test_row_numbers_are_spreadsheet_lines(good: Path) -> None:
    edit(good, "codings.csv", "s3,value_realised", "s3,value_relised")
    (problem,) = cp.validate(good)
    assert problem.row == 9  # header is line 1; the 8th coding is on line 9


def test_missing_file_and_missing_column(good: Path, capsys) -> None:
    (good / "codings.csv").unlink()
    edit(good, "participants.csv", "participant_id,case_id,role", "participant_id,case,role")
    code, text = run_validate(good, capsys)
    assert code == 1
    assert "codings.csv" in text and "required table" in text
    assert "participants.csv" in text and "'case_id'" in text


def test_empty_table(good: Path, capsys) -> None:
    (good / "segments.csv").write_text("segment_id,case_id,participant_id\n", encoding="utf-8")
    code, text = run_validate(good, capsys)
    assert code == 1 and "segments.csv" in text and "at least one row" in text


def test_scale_item_missing_from_survey(good: Path, capsys) -> None:
    edit(good, "scales.yml", "items: [se1, se2]", "items: [se1, se2, se3]")
    code, text = run_validate(good, capsys)
    assert code == 1 and "survey.csv" in text and "se3" in text


def test_all_problems_collected_in_one_pass(good: Path) -> None:
    edit(good, "codings.csv", "s1,avoidance", "s1,avoidanse")
    edit(good, "segments.csv", "10,55", "70,55")
    edit(good, "participants.csv", "p3,c2", "p3,c7")
    edit(good, "survey.csv", "r1,control,citizen,4", "r1,control,citizen,9")
    kinds = {(p.file, p.column) for p in cp.validate(good)}
    assert {
        ("codings.csv", "code"),
        ("segments.csv", "start"),
        ("participants.csv", "case_id"),
        ("survey.csv", "se1"),
    } <= kinds


def test_many_bad_rows_are_capped(good: Path) -> None:
    rows = "".join(f"s1,nonsense_{i}\n" for i in range(100))
    (good / "codings.csv").write_text("segment_id,code\n" + rows, encoding="utf-8")
    problems = cp.validate(good)
    # 100 distinct bad codes, one row each: every one is named (the cap is per value)
    assert sorted(p.value for p in problems) == sorted(f"nonsense_{i}" for i in range(100))
    bad_fk = "".join(f"s9{i:02d},avoidance\n" for i in range(100))  # 100 unknown segments
    (good / "codings.csv").write_text("segment_id,code\n" + bad_fk, encoding="utf-8")
    problems = cp.validate(good)
    assert len(problems) == MAX_PER_CHECK + 1
    assert "80 more rows" in str(problems[-1])


def test_semicolon_bom_and_xlsx_are_read(good: Path) -> None:
    text = (good / "codings.csv").read_text(encoding="utf-8").replace(",", ";")
    (good / "codings.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    cases = pd.read_csv(good / "cases.csv", dtype=str)
    (good / "cases.csv").unlink()
    cases.to_excel(good / "cases.xlsx", index=False)
    assert cp.validate(good) == []
    ds = cp.load(good)
    assert list(ds.codings.columns) == ["segment_id", "code", "coder"]
    assert ds.cases["year"].tolist() == [2020, 2019]  # read from Excel as text, then typed


def test_other_encoding_gets_a_clear_error(good: Path, capsys) -> None:
    text = PARTICIPANTS.replace("p3,c2,third_party", "Jos\u00e9,c2,third_party")
    (good / "participants.csv").write_bytes(text.encode("latin-1"))
    code, text = run_validate(good, capsys)
    assert code == 1 and "participants.csv" in text and "UTF-8" in text


def test_code_map_and_codebook_extension(good: Path) -> None:
    edit(good, "codings.csv", "s1,avoidance", "s1,Keeping out of it")
    edit(good, "codings.csv", "s4,bias", "s4,rule_bending")
    (good / "code_map.csv").write_text(
        "project_code,code\nKeeping out of it,avoidance\nUnmapped thing,\n", encoding="utf-8"
    )
    (good / "codebook_extension.csv").write_text(
        "id,label,dimension,parent\nrule_bending,Rule bending,strategy,bias\n", encoding="utf-8"
    )
    assert cp.validate(good) == []
    ds = cp.load(good)
    assert "avoidance" in set(ds.codings["code"].astype(str))
    assert ds.codebook.family("rule_bending") == "trade_off"
    prof = cp.strategy_profile(ds, by="case")
    assert prof.loc[prof["family"] == "trade_off", "n"].sum() == 1


def test_code_map_to_unknown_id_is_reported(good: Path) -> None:
    (good / "code_map.csv").write_text("project_code,code\nX,avoidanse\n", encoding="utf-8")
    problems = cp.validate(good)
    assert [(p.file, p.column, p.value) for p in problems] == [
        ("code_map.csv", "code", "avoidanse")
    ]


def test_missing_folder(tmp_path: Path, capsys) -> None:
    code, text = run_validate(tmp_path / "nowhere", capsys)
    assert code == 1 and "dataset folder" in text


def test_select_cases(good: Path) -> None:
    ds = cp.load(good)
    one = cp.select_cases(ds, "c1")
    assert one.case_ids == ["c1"]
    assert set(one.codings["segment_id"]) == {"s1", "s2"}
    with pytest.raises(cp.DataError, match="c1, c2"):
        cp.select_cases(ds, ["c9"])


def test_demo_is_valid_and_synthetic() -> None:
    demo = cp.paths.resolve_dataset(None)
    if not (demo / "cases.csv").exists():
        pytest.skip("data/demo not generated yet")
    assert cp.validate() == []
    ds = cp.load()
    assert ds.synthetic


def test_copy_of_demo_with_semicolons_still_valid(tmp_path: Path) -> None:
    demo = cp.paths.resolve_dataset(None)
    if not (demo / "cases.csv").exists():
        pytest.skip("data/demo not generated yet")
    target = tmp_path / "copy"
    shutil.copytree(demo, target)
    frame = pd.read_csv(target / "cases.csv", dtype=str, keep_default_na=False)
    frame.to_csv(target / "cases.csv", sep=";", index=False)
    assert cp.validate(target) == []


def test_row_numbers_count_lines_of_multiline_cells(good: Path) -> None:
    text = SEGMENTS.replace(
        "s1,c1,p1,d1,0,40,We wanted everyone in but the rules said otherwise.",
        's1,c1,p1,d1,0,40,"Interviewer: and then?\nWe wanted everyone in.\nThe rules said no."',
    ).replace("5,30,", "five,30,")
    (good / "segments.csv").write_text(text, encoding="utf-8")
    (problem,) = cp.validate(good)
    assert (problem.column, problem.value) == ("start", "five")
    assert problem.row == 6  # record 3 starts on line 6: the first record spans lines 2-4


def test_duplicate_codings_are_reported(good: Path, capsys) -> None:
    text = (good / "codings.csv").read_text(encoding="utf-8")
    # a second coder giving the same code is a team's project, not a duplicate
    (good / "codings.csv").write_text(text + "s1,avoidance,bob\n", encoding="utf-8")
    assert cp.validate(good) == []
    # the same coder giving it twice would count twice
    (good / "codings.csv").write_text(text + "s1,avoidance,ann\n", encoding="utf-8")
    code, out = run_validate(good, capsys)
    assert code == 1
    assert "codings.csv, row 11" in out and "s1 / avoidance" in out and "twice" in out
    assert "segment_id, coder, code" in out


def test_extension_dimension_must_exist(good: Path) -> None:
    (good / "codebook_extension.csv").write_text(
        "id,label,dimension\nmy_code,My code,nonsense_dim\nok_code,OK,local\n", encoding="utf-8"
    )
    problems = cp.validate(good)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("codebook_extension.csv", 2, "dimension", "nonsense_dim")
    ]


def test_a_survey_alone_is_a_dataset_and_half_a_qualitative_part_is_not(tmp_path):
    from coprodlib.contract.dataset import check_folder, load_folder

    folder = tmp_path / "survey_only"
    folder.mkdir()
    (folder / "survey.csv").write_text("respondent_id,t1,t2\nr1,1,2\nr2,4,5\n", encoding="utf-8")
    assert check_folder(folder) == []  # no scales.yml either: the answers stay as they are
    ds = load_folder(folder)
    assert ds.parts == ("survey",) and ds.survey_design is None
    assert ds.cases.empty and "case_id" in ds.cases.columns and ds.case_ids == []
    assert cp.load().parts == ("qualitative", "survey")
    # respondent ids are still checked without scales.yml
    (folder / "survey.csv").write_text("respondent_id,t1\nr1,1\nr1,4\n", encoding="utf-8")
    assert [p.kind for p in check_folder(folder)] == ["duplicate"]
    # one qualitative table without the others is an incomplete dataset
    (folder / "survey.csv").write_text("respondent_id,t1\nr1,1\n", encoding="utf-8")
    (folder / "cases.csv").write_text(
        (cp.paths.demo_dir() / "cases.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    missing = {p.file for p in check_folder(folder) if p.kind == "missing_file"}
    assert missing == {"participants.csv", "segments.csv", "codings.csv"}
