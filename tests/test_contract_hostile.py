"""The data contract against hostile and careless inputs (issue 15).

Each test builds a small valid dataset, breaks one thing, and checks that validation names the
file, row, column and value as the file writes them, that the command line answers with exit
code 1 and no traceback, and that nothing is accepted silently. The hierarchy tests check that
deep or circular code trees are handled in about linear time: they would take minutes with
checks that climb the tree once per code.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pandas as pd
import pytest
from test_dataset import FILES, edit

import coprodlib as cp
from coprodlib.cli import main
from coprodlib.contract.rules import MAX_WHOLE_NUMBER, file_name_problem
from coprodlib.importers.cases import project_case_id
from coprodlib.importers.project import QdaProject
from coprodlib.importers.pseudonyms import Pseudonymizer
from coprodlib.taxonomy.records import MAX_DEPTH

#: Generous bound for the "it finishes" tests: CI machines vary, the point is not minutes.
SECONDS = 30


@pytest.fixture
def good(tmp_path: Path) -> Path:
    folder = tmp_path / "mini"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def cli(folder: Path, capsys) -> tuple[int, str]:
    code = main(["validate", str(folder)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    return code, text


def problems_in(folder: Path, file: str, column: str | None = None) -> list[cp.Problem]:
    return [
        p for p in cp.validate(folder) if p.file == file and (column is None or p.column == column)
    ]


# --------------------------------------------------------------------------- case ids


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("../evil", "'.' and '/'"),
        ("a/b", "'/'"),
        ("a\\b", "'\\\\'"),
        ("a.html", "'.'"),
        (".hidden", "'.'"),
        ("..", "'.'"),
        ("c2 ", "a space"),
        (" c2", "a space"),
        ("c\tx", "U+0009"),
        ("c\x00x", "U+0000"),
        ("c\x7fx", "U+007F"),
        ("caf\u00e9", "'\u00e9'"),
        ("x" * 65, "65 characters"),
        ("-c2", "begin with a letter or digit"),
        ("_c2", "begin with a letter or digit"),
        ("CON", "Windows reserves"),
        ("nul", "Windows reserves"),
        ("Com1", "Windows reserves"),
        ("lpt9", "Windows reserves"),
    ],
)
def test_case_id_that_cannot_be_a_file_name_is_refused(good: Path, capsys, bad, reason) -> None:
    cases = good / "cases.csv"
    text = cases.read_text(encoding="utf-8").replace("\nc2,", f'\n"{bad}",', 1)
    cases.write_text(text, encoding="utf-8")
    (problem,) = problems_in(good, "cases.csv", "case_id")
    assert (problem.row, problem.value, problem.kind) == (3, bad, "unsafe_name")
    assert reason in problem.expected and "letters, digits" in problem.expected
    code, out = cli(good, capsys)
    assert code == 1 and "cases.csv, row 3, column 'case_id'" in out and repr(bad) in out


@pytest.mark.parametrize("fine", ["x" * 64, "C-3f9a0c12de", "be_elderly_care", "2019", "a-b_C"])
def test_file_safe_case_ids_pass(fine: str) -> None:
    assert file_name_problem(fine) is None


def test_case_ids_differing_only_in_case_are_refused(good: Path, capsys) -> None:
    edit(good, "cases.csv", "\nc2,", "\nC1,")
    (problem,) = problems_in(good, "cases.csv", "case_id")
    assert (problem.row, problem.value, problem.kind) == (3, "C1", "duplicate")
    assert "row 2 has 'c1'" in problem.expected and "case" in problem.expected
    assert cli(good, capsys)[0] == 1


def test_importers_case_ids_fit_the_file_name_rule(tmp_path: Path) -> None:
    pseudo = Pseudonymizer.for_folder(tmp_path)
    ids = [pseudo("case", name) for name in ("Nachbarschaftshilfe Nord", "../x", "CON", "")]
    for name in ("Bürger / Beteiligung 2021", "a" * 200, "***", "Projekt: Café.qdpx"):
        project = QdaProject(file="p.qdpx", command="qdpx", name=name, origin=None,
                             codes=pd.DataFrame(), sources=[], selections=[])  # fmt: skip
        ids.append(project_case_id(project))
    assert all(file_name_problem(i) is None for i in ids), ids


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("file", "old", "new", "column", "value"),
    [
        ("cases.csv", "test,2020", "test,99999999999999999999", "year", "99999999999999999999"),
        ("segments.csv", ",0,40,", ",99999999999999999999,40,", "start", "99999999999999999999"),
        ("segments.csv", ",0,40,", ",0,18446744073709551615,", "end", "18446744073709551615"),
        ("segments.csv", ",0,40,", ",0,1000000000000000,", "end", "1000000000000000"),
    ],
)
def test_whole_numbers_past_64_bits_are_reported_not_raised(
    good: Path, capsys, file, old, new, column, value
) -> None:
    edit(good, file, old, new)
    (problem,) = problems_in(good, file, column)
    assert (problem.row, problem.value, problem.kind) == (2, value, "too_large")
    assert f"{MAX_WHOLE_NUMBER:,}" in problem.expected
    code, out = cli(good, capsys)
    assert code == 1 and value in out


def test_largest_allowed_whole_number_is_kept_exactly(good: Path) -> None:
    edit(good, "segments.csv", ",0,40,", ",0,999999999999999,")
    ds = cp.load(good)
    assert ds.segments["end"].iloc[0] == 999_999_999_999_999


@pytest.mark.parametrize(
    ("old", "new", "column", "shown"),
    [
        (",0,40,", ",-5,40,", "start", "'-5'"),  # a negative offset, as the file writes it
        (",0,40,", ",-5.0,40,", "start", "'-5.0'"),
        (",0,40,", ",1e400,40,", "start", "'1e400'"),  # infinite as a float: not a number
        ("10,55", "70,55", "start", "'70 > 55'"),
    ],
)
def test_numbers_appear_as_the_file_writes_them(good: Path, capsys, old, new, column, shown):
    edit(good, "segments.csv", old, new)
    code, out = cli(good, capsys)
    assert code == 1 and f"column '{column}': found {shown}" in out
    assert "np." not in out and "int64" not in out and "float64" not in out
    for p in cp.validate(good):
        assert type(p.as_dict()["value"]).__module__ == "builtins"


def test_survey_answers_and_row_numbers_show_no_numpy_reprs(good: Path, capsys) -> None:
    edit(good, "survey.csv", "r1,control,citizen,4", "r1,control,citizen,7")
    code, out = cli(good, capsys)
    assert code == 1 and "found '7'" in out and "np." not in out


# --------------------------------------------------------------------------- long cells


def test_cell_over_128_kib_beside_a_multiline_cell(good: Path, capsys) -> None:
    limit = csv.field_size_limit()
    long_text = "word " * 40_000  # 200,000 characters, past the csv module's 128 KiB
    edit(good, "segments.csv", "s4,c2,p3,d3,25,60,\n", f's4,c2,p3,d3,25,60,"{long_text}\nend"\n')
    edit(good, "segments.csv", "s1,c1,p1,d1,0,40,", 's1,c1,p1,d1,0,40,"two\nlines" ')
    assert cp.validate(good) == []
    assert len(cp.load(good).segments["text"].iloc[3]) == len(long_text) + 4
    assert csv.field_size_limit() == limit  # the limit is put back after the read
    edit(good, "segments.csv", "s3,c2,p3,d3,5,30", "s3,c2,p3,d3,50,30")
    (problem,) = cp.validate(good)
    assert (problem.row, problem.column) == (5, "start")  # s1 takes lines 2 and 3
    assert cli(good, capsys)[0] == 1


def test_blank_lines_do_not_shift_row_numbers(good: Path) -> None:
    edit(good, "segments.csv", "s1,c1,p1,d1,0,40,", 's1,c1,p1,d1,0,40,"two\nlines" ')
    edit(good, "segments.csv", "\ns3,", "\n\n\ns3,")
    edit(good, "segments.csv", "s3,c2,p3,d3,5,30", "s3,c2,p3,d3,50,30")
    (problem,) = cp.validate(good)
    assert (problem.row, problem.column) == (7, "start")


def test_survey_rows_count_lines_of_multiline_cells(good: Path) -> None:
    edit(good, "survey.csv", "r1,control,citizen,", 'r1,control,"citi\nzen",')
    edit(good, "survey.csv", "r2,conflict,citizen,2", "r2,conflict,citizen,9")
    (problem,) = cp.validate(good)
    assert (problem.file, problem.row, problem.column) == ("survey.csv", 4, "se1")


# --------------------------------------------------------------------------- repeated ids


@pytest.mark.parametrize(
    ("file", "old", "new", "column", "value", "first"),
    [
        ("cases.csv", "\nc2,", "\nc1,", "case_id", "c1", 2),
        ("participants.csv", "p3,c2", "p1,c2", "participant_id", "p1", 2),
        ("documents.csv", "d3,c2", "d1,c2", "document_id", "d1", 2),
        ("segments.csv", "s4,c2", "s2,c2", "segment_id", "s2", 3),
        ("survey.csv", "r3,", "r1,", "respondent_id", "r1", 2),
    ],
)
def test_repeated_id_names_both_rows(good: Path, capsys, file, old, new, column, value, first):
    edit(good, file, old, new)
    (problem,) = problems_in(good, file, column)
    assert problem.kind == "duplicate" and problem.value == value
    assert problem.row > first and f"row {first}" in problem.expected
    code, out = cli(good, capsys)
    assert code == 1 and f"row {problem.row}" in out and f"row {first}" in out


# --------------------------------------------------------------------------- silently accepted


@pytest.mark.parametrize(
    ("file", "old", "new", "column", "positions"),
    [
        ("cases.csv", "case_id,title,country", "case_id,title,title", "title", "2 and 3"),
        ("participants.csv", "case_id,role,age", "case_id,role,role", "role", "3 and 4"),
        ("codings.csv", "segment_id,code,coder", "segment_id,code, code", "code", "2 and 3"),
    ],
)
def test_repeated_column_header_is_refused(good: Path, capsys, file, old, new, column, positions):
    edit(good, file, old, new)
    (problem,) = problems_in(good, file)
    assert (problem.row, problem.column, problem.kind) == (1, column, "duplicate_column")
    assert f"columns {positions}" in problem.expected
    assert cli(good, capsys)[0] == 1


def test_repeated_column_header_in_a_workbook_is_refused(good: Path) -> None:
    frame = pd.read_csv(good / "participants.csv", dtype=str)
    frame.insert(3, "role_again", ["not a role"] * len(frame))  # even with invalid values
    frame.columns = ["participant_id", "case_id", "role", "role", "age"]
    frame.to_excel(good / "participants.xlsx", index=False)
    (good / "participants.csv").unlink()
    (problem,) = problems_in(good, "participants.xlsx")
    assert (problem.row, problem.column, problem.kind) == (1, "role", "duplicate_column")


def test_two_files_for_one_table_are_refused(good: Path, capsys) -> None:
    pd.read_csv(good / "cases.csv", dtype=str).to_excel(good / "cases.xlsx", index=False)
    problems = problems_in(good, "cases.csv")
    assert [p.kind for p in problems] == ["duplicate_file"]
    assert "cases.csv and cases.xlsx" in problems[0].expected
    code, out = cli(good, capsys)
    assert code == 1 and "cases.csv and cases.xlsx" in out


def test_folder_in_place_of_a_table_or_dataset_yml(good: Path, capsys) -> None:
    (good / "dataset.yml").unlink()
    (good / "dataset.yml").mkdir()
    (good / "double_coding.csv").unlink()
    (good / "double_coding.csv").mkdir()
    got = {(p.file, p.kind) for p in cp.validate(good)}
    assert got == {("dataset.yml", "not_a_file"), ("double_coding.csv", "not_a_file")}
    code, out = cli(good, capsys)
    assert code == 1 and "not a folder" in out


@pytest.mark.parametrize("text", ["'false'", '"true"', "no_value", "1", "0", "yes please"])
def test_synthetic_must_be_a_yaml_boolean(good: Path, capsys, text: str) -> None:
    (good / "dataset.yml").write_text(f"title: Real data\nsynthetic: {text}\n", encoding="utf-8")
    (problem,) = problems_in(good, "dataset.yml")
    assert (problem.column, problem.kind) == ("synthetic", "wrong_type")
    assert "true or false" in problem.expected
    with pytest.raises(cp.DataError):
        cp.load(good)  # never loaded, so never stamped SYNTHETIC
    code, out = cli(good, capsys)
    assert code == 1 and "'synthetic'" in out


@pytest.mark.parametrize(("text", "synthetic"), [("false", False), ("true", True), ("", False)])
def test_yaml_booleans_are_accepted(good: Path, text: str, synthetic: bool) -> None:
    body = "title: Real data\n" + (f"synthetic: {text}\n" if text else "")
    (good / "dataset.yml").write_text(body, encoding="utf-8")
    assert cp.load(good).synthetic is synthetic


def test_title_must_be_text(good: Path) -> None:
    (good / "dataset.yml").write_text("title: [a, b]\nsynthetic: true\n", encoding="utf-8")
    (problem,) = problems_in(good, "dataset.yml")
    assert (problem.column, problem.value) == ("title", ["a", "b"])


# --------------------------------------------------------------------------- deep hierarchies


def chain_extension(folder: Path, n: int, *, cycle: bool = False) -> None:
    """``codebook_extension.csv`` with ``n`` strategies, each the parent of the next."""
    rows = ["id,label,dimension,parent"]
    for i in range(n):
        parent = "bias" if i == 0 else f"x{i - 1}"
        if cycle and i == 0:
            parent = f"x{n - 1}"
        rows.append(f"x{i},Local {i},strategy,{parent}")
    (folder / "codebook_extension.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_ten_thousand_deep_chain_is_refused_quickly(good: Path, capsys) -> None:
    chain_extension(good, 10_000)
    start = time.perf_counter()
    problems = cp.validate(good)
    assert time.perf_counter() - start < SECONDS
    (problem,) = problems
    # bias is on level 2 (below trade_off), so x0 is on level 3 and x62 on level 65
    assert (problem.file, problem.row, problem.column) == ("codebook_extension.csv", 64, "parent")
    assert problem.kind == "too_deep" and problem.value == "x61"
    assert f"at most {MAX_DEPTH} levels" in problem.expected and "'trade_off'" in problem.expected
    assert cli(good, capsys)[0] == 1


def test_chain_as_deep_as_allowed_validates(good: Path) -> None:
    chain_extension(good, MAX_DEPTH - 2)  # levels 3 .. 64
    assert cp.validate(good) == []
    cb = cp.load(good).codebook
    deepest = f"x{MAX_DEPTH - 3}"
    assert len(cb.ancestors(deepest)) == MAX_DEPTH - 1
    assert (cb.family(deepest), cb.favours(deepest), cb.root(deepest)) == (
        "trade_off",
        "one",
        "trade_off",
    )


def test_ten_thousand_node_cycle_is_found_and_named(good: Path, capsys) -> None:
    chain_extension(good, 10_000, cycle=True)
    start = time.perf_counter()
    problems = cp.validate(good)
    assert time.perf_counter() - start < SECONDS
    (problem,) = problems
    assert (problem.row, problem.column, problem.value) == (2, "parent", "x9999")
    assert "x0 -> x9999 -> x9998" in problem.expected
    assert "a cycle of 10,000 entries" in problem.expected
    code, out = cli(good, capsys)
    assert code == 1 and "cycle of 10,000 entries" in out
    assert len(out) < 2_000  # named in a line, not with 10,000 ids per row


def test_many_unsafe_case_ids_are_capped(good: Path) -> None:
    from coprodlib.contract.checks import MAX_PER_CHECK

    rows = [f"{'x' * (65 + k)},T,BE,a,co-delivery,group,enhanced,hands-on" for k in range(3000)]
    header = "case_id,title,country,service_area,phase,level,mode,logic\n"
    (good / "cases.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    found = problems_in(good, "cases.csv", "case_id")
    assert len(found) == MAX_PER_CHECK + 1 and found[-1].value == "2,980 more rows"
    assert "66 characters" in found[1].expected


def test_numpy_values_inside_a_tuple_are_shown_plainly():
    import numpy as np

    from coprodlib.errors import Problem

    text = str(Problem(file="t.csv", expected="x", value=(np.int64(3), np.float64(4.5))))
    assert "np." not in text and "(3, 4.5)" in text


def test_derive_tensions_must_be_a_yaml_boolean(tmp_path):
    import shutil

    import coprodlib as cp

    folder = tmp_path / "ds"
    shutil.copytree(cp.paths.demo_dir(), folder)
    meta = folder / "dataset.yml"
    meta.write_text(meta.read_text(encoding="utf-8") + "derive_tensions: 'no'\n", encoding="utf-8")
    problems = cp.validate(folder)
    assert [p.column for p in problems] == ["derive_tensions"]
    assert "'no'" in str(problems[0])


@pytest.mark.parametrize("rows", ["a,b,c\n", "a,b,c\nd,e,f\n", "a,b,\n"])
def test_a_first_row_with_one_field_too_many_is_refused(tmp_path: Path, rows: str) -> None:
    """pandas would quietly take the first field as the row's index and shift the others
    into the wrong columns (id 'b', text 'c')."""
    from coprodlib.contract.reading import read_table

    path = tmp_path / "cases.csv"
    path.write_text("id,text\n" + rows, encoding="utf-8")
    with pytest.raises(cp.DataError) as err:
        read_table(path)
    message = str(err.value)
    assert "cases.csv" in message and "row 2" in message and "2 fields" in message
    assert "'a'" in message
