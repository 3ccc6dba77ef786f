"""The paper kit (issue 16): ``reports/<dataset>/paper/`` from a report folder's tables.

A small report folder is built here by hand (CSV tables with their JSON sidecars, hostile text
included), so these tests need no notebook; the last tests run ``coprod run`` with the quick
stand-in notebooks of ``test_runner_hostile.py``.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from helpers import hold_library_digest

import coprodlib as cp
from coprodlib._io import write_export_csv
from coprodlib.cli import main
from coprodlib.demo import writer as demo
from coprodlib.errors import DataError
from coprodlib.taxonomy.export import latex_escape
from coprodlib.workbook import jobs
from coprodlib.workbook.paper import PAPER_FILES, write_paper_kit
from coprodlib.workbook.safe_names import case_file_name

HOSTILE = "50% & $x_1$ {#~^} \\input{/etc/passwd}"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def ds(tmp_path_factory) -> cp.Dataset:
    folder = demo.write_demo(tmp_path_factory.mktemp("paper") / "two", seed=7, n_cases=2)
    return cp.load(folder)


def put(folder: Path, name: str, frame: pd.DataFrame, meta: dict | None = None) -> None:
    """A report table as save_table leaves it: the CSV, and the sidecar when given."""
    write_export_csv(frame, folder / "tables" / f"{name}.csv")
    if meta is not None:
        text = json.dumps({"name": name, **meta}, ensure_ascii=False, sort_keys=True)
        (folder / "tables" / f"{name}.json").write_text(text, encoding="utf-8")


@pytest.fixture
def report(tmp_path: Path, ds) -> Path:
    root = tmp_path / "reports"
    first, second = ds.case_ids
    # written in the reverse of paper order, so the order cannot come from the file system
    put(
        root / "reliability",
        "agreement_by_dimension",
        pd.DataFrame(
            {
                "dimension": ["effect", "strategy"],
                "alpha": [0.731261, 0.872404],
                "kappa": [0.731102, 0.872365],
                "percent_agreement": [0.9775, 0.983654],
                "n_units": [800, 1040],
                "n_coders": [2, 2],
            }
        ),
    )
    put(
        root / "cross_case",
        "role_family_by_case",
        pd.DataFrame(
            {
                "case_id": [first, second],
                "n": [1234, 87],
                "chi2": [21.8723422, 11.0672058],
                "dof": [3, 6],
                "pval": [6.93e-05, 0.0863214],
                "cramer_v": [0.4564077, 0.2521996],
                "exact_method": ["", "monte-carlo"],
                "p_adjusted": [0.000347, 0.0877912],
            }
        ),
        {
            "caption": "Role by strategy family, per case",
            "note": "Exact p-values where expected counts are small.",
            "sentence": "χ²(3, N = 1,234) = 21.87, p < .001, V = .46",
            "columns": ["case_id", "n", "chi2", "dof", "pval", "cramer_v"],
            "kinds": {
                "case_id": "text",
                "n": "count",
                "chi2": "stat",
                "dof": "int",
                "pval": "p",
                "cramer_v": "bounded",
            },
            "labels": {
                "case_id": "Case",
                "n": "N",
                "chi2": "χ²",
                "dof": "df",
                "pval": "p",
                "cramer_v": "V",
            },
        },
    )
    put(root / "cases" / case_file_name(second), "profile", pd.DataFrame({"n_segments": [9]}))
    put(
        root / "cases" / case_file_name(first),
        "profile",
        pd.DataFrame(
            {
                "title": [HOSTILE, FORMULA, "[starts with a bracket]"],
                "share": [0.8380952, 0.5333333, None],
                "n": [105, 90, 7],
            }
        ),
        {
            "caption": "Profile of <b>care</b> [go](javascript:alert(1))",
            "note": f"Titles as the case gives them: {HOSTILE}",
            "sentence": None,
        },
    )
    put(root / "data_check", "cases", pd.DataFrame({"case_id": ds.case_ids, "year": [2021, 2022]}))
    # neither the kit itself nor a killed run's leftovers are report tables
    put(root / "paper", "stale", pd.DataFrame({"x": [1]}))
    put(root / ".staging-abc" / "cases", "half", pd.DataFrame({"x": [1]}))
    return root


#: The captions of the report above, in paper order.
CAPTIONS = [
    "Cases",
    "Profile of <b>care</b> [go](javascript:alert(1))",
    "Profile",
    "Role by strategy family, per case",
    "Agreement by dimension",
]


def paragraphs(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_docx_holds_one_numbered_captioned_table_per_report_table(report, ds) -> None:
    kit = write_paper_kit(report, ds, [])
    assert sorted(p.name for p in kit.iterdir()) == sorted(PAPER_FILES)
    doc = Document(str(kit / "tables.docx"))
    assert len(doc.tables) == len(CAPTIONS)
    text = paragraphs(doc)
    for number, caption in enumerate(CAPTIONS, start=1):
        at = text.index(f"Table {number}")
        assert text[at + 1] == caption
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 2")]
    assert headings[0] == "Data check"
    assert headings[1].startswith(f"Case {ds.case_ids[0]}")
    assert headings[2].startswith(f"Case {ds.case_ids[1]}")
    assert headings[3:] == ["Cross-case comparison", "Intercoder reliability"]
    assert cp.workbook.pages.SYNTHETIC_NOTE in text


def test_docx_cells_are_written_by_kind(report, ds) -> None:
    doc = Document(str(write_paper_kit(report, ds, []) / "tables.docx"))
    cells = [[c.text for c in row.cells] for row in doc.tables[3].rows]
    # APA values worked out by hand from the frame above
    assert cells[0] == ["Case", "N", "χ²", "df", "p", "V"]
    assert cells[1] == [ds.case_ids[0], "1,234", "21.87", "3", "< .001", ".46"]
    assert cells[2] == [ds.case_ids[1], "87", "11.07", "6", ".086", ".25"]
    profile = [[c.text for c in row.cells] for row in doc.tables[1].rows]
    assert profile[1][:2] == [HOSTILE, "83.8%"]
    # the report's CSV neutralised the formula; the paper keeps it harmless text
    assert profile[2][0] == "'" + FORMULA
    assert profile[3][1] == "–"
    assert doc.tables[0].rows[1].cells[1].text == "2021"  # a year: no thousands separator
    assert "χ²(3, N = 1,234) = 21.87, p < .001, V = .46" in paragraphs(doc)
    assert "Note. Exact p-values where expected counts are small." in paragraphs(doc)


def test_docx_is_the_same_bytes_on_a_second_run(report, ds) -> None:
    first = (write_paper_kit(report, ds, []) / "tables.docx").read_bytes()
    assert (write_paper_kit(report, ds, []) / "tables.docx").read_bytes() == first


def test_tex_is_balanced_booktabs_with_every_special_escaped(report, ds) -> None:
    tex = (write_paper_kit(report, ds, []) / "tables.tex").read_text(encoding="utf-8")
    n = len(CAPTIONS)
    for command in ("\\begin{tabular}", "\\end{tabular}", "\\begin{table}", "\\end{table}"):
        assert tex.count(command) == n, command
    for rule in ("\\toprule", "\\midrule", "\\bottomrule"):
        assert tex.count(rule) == n, rule
    body = "\n".join(line for line in tex.splitlines() if not line.startswith("%"))
    plain = re.sub(r"\\[{}$&%#_]", "", body)
    assert plain.count("{") == plain.count("}")
    assert "50\\% \\& \\$x\\_1\\$ \\{\\#\\textasciitilde{}\\textasciicircum{}\\}" in tex
    assert "\\textbackslash{}input\\{/etc/passwd\\}" in tex
    assert "\\input{/etc" not in tex and "$x_1$" not in tex
    assert "{[}starts with a bracket{]}" in tex  # not the optional argument of \\
    assert "\\caption{Profile of \\textless{}b\\textgreater{}care" in tex
    # each data row has one separator fewer than its columns (no & from a value)
    row = next(line for line in tex.splitlines() if line.startswith("50\\%"))
    assert len(re.findall(r"(?<!\\)&", row)) == 2  # three columns


def test_latex_escape_against_hand_written_values() -> None:
    assert latex_escape("a_b & 5% ~ ^") == "a\\_b \\& 5\\% \\textasciitilde{} \\textasciicircum{}"
    assert latex_escape("line\nbreak") == "line break"


def test_results_md_has_each_sentence_under_its_table(report, ds) -> None:
    md = (write_paper_kit(report, ds, []) / "results.md").read_text(encoding="utf-8")
    assert "**Table 4.** *Role by strategy family, per case*" in md
    after = md.split("**Table 4.**", 1)[1]
    # Markdown: the "<" is a character reference, shown as "<" and never read as a tag
    assert "χ²(3, N = 1,234) = 21.87, p &lt; .001, V = .46" in after
    assert "**Table 2.**" not in md  # the profile table has no sentence
    assert "<b>" not in md and "](javascript" not in md
    assert "SYNTHETIC DATA" in md


def test_references_bib_entries_parse_with_the_codebooks_keys(report, ds) -> None:
    bib = (write_paper_kit(report, ds, []) / "references.bib").read_text(encoding="utf-8")
    entries = re.findall(r"@misc\{([^,\s]+),\n(.*?)\n\}\n", bib, flags=re.S)
    assert [k for k, _ in entries] == list(ds.codebook.references["key"])
    for _, body in entries:
        plain = re.sub(r"\\[{}$&%#_]", "", body)
        assert plain.count("{") == plain.count("}")
        assert not re.search(r"(?<!\\)[&%#]", body)
    fields = dict(entries)
    assert "year = {2018}" in fields["aschhoff2018"]
    assert "doi = {10.1108/IJPSM-08-2017-0222}" in fields["aschhoff2018"]
    assert "year = {4018}" not in bib  # a DOI's digits are not a year


def test_methods_md_counts_sources_agreement_tests_and_software(report, ds) -> None:
    md = (write_paper_kit(report, ds, []) / "methods.md").read_text(encoding="utf-8")
    coders = set(ds.codings["coder"].dropna()) | set(ds.double_coding["coder"].dropna())
    expected = [
        f"{len(ds.cases)} cases",
        f"{len(ds.participants)} participants",
        f"{len(ds.documents)} documents",
        f"{len(ds.segments):,} segments",
        f"{len(ds.codings):,} codings",
        f"{len(coders)} coders",
        f"{len(ds.survey)} respondents",
    ]
    for words in expected:
        assert words in md, words
    for key in ("jorgensen2007", "aschhoff2018"):
        assert f"@{key}" in md
    assert "effect: α = .73, κ = .73, 97.8% agreement, 800 units" in md
    assert "Cramér's V" in md and "Holm" in md and "monte-carlo" in md
    assert "Cronbach" not in md and "multinomial" not in md  # no such table here
    assert f"pandas {pd.__version__}" in md
    assert "## Synthetic data" in md


def test_methods_md_names_reports_that_did_not_finish(report, ds) -> None:
    failed = jobs.JobResult("survey", "failed", 1.0, "cell 3: boom")
    md = (write_paper_kit(report, ds, [failed]) / "methods.md").read_text(encoding="utf-8")
    assert "did not finish in the last run" in md and "survey" in md


def test_a_broken_sidecar_is_a_one_line_data_error(report, ds) -> None:
    side = report / "cross_case" / "tables" / "role_family_by_case.json"
    side.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError) as err:
        write_paper_kit(report, ds, [])
    assert str(err.value).startswith("cross_case/tables/role_family_by_case.json")
    assert "\n" not in str(err.value)
    side.write_text(json.dumps({"columns": ["case_id", "gone"]}), encoding="utf-8")
    with pytest.raises(DataError, match="found 'gone'"):
        write_paper_kit(report, ds, [])


def test_a_failed_rewrite_keeps_the_previous_kit(report, ds, monkeypatch) -> None:
    kit = write_paper_kit(report, ds, [])
    before = {p.name: p.read_bytes() for p in kit.iterdir()}
    from coprodlib.workbook import paper

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paper, "write_bytes_atomic", broken)
    with pytest.raises(DataError) as err:
        write_paper_kit(report, ds, [])
    assert ".staging" not in str(err.value)
    assert {p.name: p.read_bytes() for p in kit.iterdir()} == before
    assert not [p for p in report.iterdir() if p.name.startswith(".staging-paper")]


# --------------------------------------------------------------------------- coprod run


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    from test_runner_hostile import fake_project

    root = fake_project(tmp_path / "project")
    monkeypatch.setenv("COPROD_ROOT", str(root))
    hold_library_digest(monkeypatch)
    return root


@pytest.mark.xdist_group("runner")
def test_coprod_run_writes_the_paper_kit(project, tmp_path) -> None:
    data = demo.write_demo(tmp_path / "data", seed=7, n_cases=1)
    reports = tmp_path / "out"
    assert main(["run", "--dataset", str(data), "--reports", str(reports), "--jobs", "2"]) == 0
    kit = reports / "paper"
    assert sorted(p.name for p in kit.iterdir()) == sorted(PAPER_FILES)
    doc = Document(str(kit / "tables.docx"))
    # the stand-in notebooks save one table each: data check, the case, four syntheses
    assert len(doc.tables) == 6
    # nothing changed: the notebooks are skipped and the kit is kept; a missing kit is remade
    stamp = (kit / "tables.tex").stat().st_mtime_ns
    assert main(["run", "--dataset", str(data), "--reports", str(reports)]) == 0
    assert (kit / "tables.tex").stat().st_mtime_ns == stamp
    for p in kit.iterdir():
        p.unlink()
    kit.rmdir()
    assert main(["run", "--dataset", str(data), "--reports", str(reports)]) == 0
    assert (kit / "methods.md").is_file()


def test_methods_md_says_how_the_configurations_were_calibrated(report, ds) -> None:
    put(
        report / "configurations",
        "calibration",
        pd.DataFrame(
            {
                "set": ["ONESIDED", "CEREMONIAL", "UNDESIRED"],
                "made_of": ["share_one_sided", "logic:ceremonial", "share_undesired"],
                "calibration": ["fuzzy", "crisp (category)", "fuzzy"],
                "exclusion": [0.4, None, 0.25],
                "crossover": [0.65, None, 0.5],
                "inclusion": [0.9, None, 0.75],
            }
        ),
        {"caption": "How each set is calibrated"},
    )
    put(
        report / "configurations",
        "robustness",
        pd.DataFrame({"set": ["(as given)", "ONESIDED", "ONESIDED"], "shift": [0, -0.1, 0.1]}),
        {"caption": "Robustness"},
    )
    md = (write_paper_kit(report, ds, []) / "methods.md").read_text(encoding="utf-8")
    assert "## Configurations (QCA)" in md
    assert "ONESIDED from share_one_sided (fuzzy; anchors 0.40, 0.65, 0.90)" in md
    assert "CEREMONIAL: the cases with logic:ceremonial" in md
    assert "moved by ±0.10" in md
    without = report.parent / "plain"
    shutil.copytree(report, without)
    shutil.rmtree(without / "configurations")
    assert "Configurations" not in (write_paper_kit(without, ds, []) / "methods.md").read_text()


def test_the_qca_methods_cite_their_sources_and_references_bib_holds_them(report, ds) -> None:
    calibration = pd.DataFrame(
        {"set": ["ONESIDED"], "made_of": ["share_one_sided"], "calibration": ["fuzzy"],
         "exclusion": [0.4], "crossover": [0.65], "inclusion": [0.9]}
    )  # fmt: skip
    put(report / "configurations", "calibration", calibration, {"caption": "Calibration"})
    kit = write_paper_kit(report, ds, [])
    md = (kit / "methods.md").read_text(encoding="utf-8")
    assert "[@ragin2008]" in md and "[@schneider2012]" in md and "[@dusa2019]" in md
    assert "@schneider2013" not in md  # no table of the cases behind the solution
    bib = (kit / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"@misc\{([^,\s]+),", bib)
    assert keys == [*ds.codebook.references["key"], "ragin2008", "schneider2012", "dusa2019"]
    assert "doi = {10.1007/978-3-319-75668-4}" in bib and "year = {2008}" in bib

    cases = pd.DataFrame({"solution": [0.8], "outcome": [0.9], "case_type": ["typical"]})
    put(report / "configurations", "solution_cases", cases, {"caption": "Cases"})
    kit = write_paper_kit(report, ds, [])
    assert "typical or deviant" in (kit / "methods.md").read_text(encoding="utf-8")
    assert "doi = {10.1177/0049124113481341}" in (kit / "references.bib").read_text()


def test_paper_tables_show_labels_for_ids_as_the_pages_do(report, ds) -> None:
    put(
        report / "configurations",
        "solution_cases",
        pd.DataFrame(
            {
                "case_id": ["be_elderly_care", "de_employment"],
                "tension": ["inclusiveness_vs_accountability", "productivity_vs_diversity"],
                "case_type": ["deviant_coverage", "irrelevant"],
            }
        ),
        {"caption": "Cases"},
    )
    kit = write_paper_kit(report, ds, [])
    tex = (kit / "tables.tex").read_text(encoding="utf-8")
    label = ds.codebook.frame.set_index("id")["label"]
    assert latex_escape(label["inclusiveness_vs_accountability"]) in tex
    assert "inclusiveness\\_vs" not in tex  # no raw codebook id in a cell
    assert "deviant for coverage" in tex and "neither" in tex and "irrelevant" not in tex
    assert "be\\_elderly\\_care" in tex  # a case id is no codebook id: as it is
    doc = Document(str(kit / "tables.docx"))
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    assert label["productivity_vs_diversity"] in cells and "productivity_vs_diversity" not in cells


def test_paper_tables_keep_a_text_cell_on_one_line(report, ds) -> None:
    put(report / "configurations", "notes", pd.DataFrame({"title": ["line one\nline\t two"]}),
        {"caption": "Notes"})  # fmt: skip
    doc = Document(str(write_paper_kit(report, ds, []) / "tables.docx"))
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    assert "line one line two" in cells
