"""Display tables, the table sidecar (Interface C), full quotes and the case notebook's hint."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.workbook.notebook import save_table
from coprodlib.workbook.presentation import display_table, id_label, sentence_list

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LONG_QUOTE = (
    "The fixed procedures of the campaign did not fit every situation, but each exception was "
    "hard to justify on paper, so I stayed out of it and let the others decide what to do."
)


class _Cells(HTMLParser):
    """The text of every <th> and <td> of an HTML table, and the tags seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.tags: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._in = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.cells[-1] += data


def _cells(html: str) -> list[str]:
    parser = _Cells()
    parser.feed(html)
    return [c.strip() for c in parser.cells]


@pytest.fixture(scope="module")
def demo() -> cp.Dataset:
    return cp.load("demo")


# --------------------------------------------------------------------------- display_table


def test_test_row_is_formatted_by_kind_without_index_or_internal_columns() -> None:
    stats = pd.DataFrame(
        {
            "n": [1234],
            "chi2": [21.6612],
            "dof": [np.int64(6)],
            "pval": [0.00042],
            "cramer_v": [0.3412],
            "small_expected": [0.25],
            "exact": [False],
            "exact_method": [None],
            "exact_pval": [np.nan],
        }
    )
    table = display_table(stats, caption="A test")
    cells = _cells(table._repr_html_())
    assert cells[:6] == ["N", "χ²", "df", "p", "Cramér's V", "Exact p"]
    assert cells[6:] == ["1,234", "21.66", "6", "< .001", ".34", "–"]
    text = repr(table)
    assert "small_expected" not in text and "exact_method" not in text and "False" not in text
    assert "np.int64" not in text and "0.00042" not in text
    # the dash carries a footnote saying the value was not computed
    assert "– Exact p: not computed." in text
    assert "– Exact p: not computed." in table._repr_html_()


def test_asked_for_columns_come_in_the_order_given() -> None:
    frame = pd.DataFrame({"a": [1], "exact_method": ["monte_carlo"], "b": [2.5]})
    table = display_table(frame, columns=["b", "exact_method"])
    assert list(table.cells.columns) == ["b", "exact_method"]
    with pytest.raises(ValueError, match="not in the table"):
        display_table(frame, columns=["nope"])


def test_ids_get_codebook_labels_and_model_terms_read_as_words(demo) -> None:
    assert id_label("role[T.community_member]") == "Role: Community member"
    assert id_label("trade_off", demo.codebook) == demo.codebook.get("trade_off").label
    frame = pd.DataFrame(
        {
            "role": ["public_manager"],
            "family": ["trade_off"],
            "term": ["role[T.community_member]"],
            "share": [0.425],
        }
    )
    cells = _cells(display_table(frame, labels=demo.codebook)._repr_html_())
    assert cells[4:] == [
        demo.codebook.get("public_manager").label,
        demo.codebook.get("trade_off").label,
        "Role: " + demo.codebook.get("community_member").label,
        "42.5%",
    ]


def test_a_table_labels_its_ids_from_the_codebook_in_one_step(demo, monkeypatch) -> None:
    # every id cell used to look itself up in the Codebook (a Series each, milliseconds);
    # now the Codebook's labels are read once per table, and each cell is labelled the same
    codebook = demo.codebook
    strategies = codebook.ids("strategy")
    frame = pd.DataFrame(
        {
            "role": ["public_manager", "citizen", "Team A", None] * len(strategies),
            "strategy": [s for s in strategies for _ in range(4)],
            "n": range(4 * len(strategies)),
        }
    ).set_index("strategy")
    expected = [
        [id_label(v, codebook, words=c == "role") for v in frame.reset_index()[c]]
        for c in ("strategy", "role")
    ]
    reads: list[object] = []
    real = type(codebook).labels
    monkeypatch.setattr(
        type(codebook), "labels", lambda cb, codes: reads.append(1) or real(cb, codes)
    )
    table = display_table(frame, labels=codebook, caption="Strategies")
    assert [table.cells["strategy"].tolist(), table.cells["role"].tolist()] == expected
    assert len(reads) == 1


def test_a_wide_table_shows_its_index_as_a_column_and_labels_its_headers(demo) -> None:
    wide = pd.DataFrame(
        {"avoidance": [1.234], "trade_off": [-0.5]},
        index=pd.Index(["public_servant"], name="role_group"),
    )
    cells = _cells(display_table(wide, labels=demo.codebook)._repr_html_())
    avoidance = demo.codebook.get("avoidance").label
    trade_off = demo.codebook.get("trade_off").label
    assert cells == ["Role group", avoidance, trade_off, "Public servant", "1.23", "-0.50"]


def test_html_of_a_table_is_escaped_and_stable() -> None:
    frame = pd.DataFrame({"title": ["<img src=x onerror=alert(1)>"], "n": [3]})
    one = display_table(frame, caption="<b>Cases</b>")._repr_html_()
    two = display_table(frame, caption="<b>Cases</b>")._repr_html_()
    assert one == two  # no random ids: pages and notebooks stay the same run to run
    assert "<img" not in one and "<b>" not in one
    parser = _Cells()
    parser.feed(one)
    assert "img" not in parser.tags and "b" not in parser.tags
    assert "<img src=x onerror=alert(1)>" in _cells(one)


def test_a_long_quote_is_shown_in_full_and_wrapped(demo) -> None:
    assert len(LONG_QUOTE) > 120
    frame = pd.DataFrame({"code": ["bias"], "text": [LONG_QUOTE]})
    with pd.option_context("display.max_colwidth", 50):
        table = display_table(frame, labels=demo.codebook)
        assert LONG_QUOTE in _cells(table._repr_html_())
        text = repr(table)
    assert "..." not in text
    words = " ".join(line.split("  ")[-1].strip() for line in text.splitlines()[2:])
    assert words.split() == LONG_QUOTE.split()  # every word, in order
    assert max(len(line) for line in text.splitlines()) < 100  # wrapped, not one long line


def test_example_segments_in_the_case_notebook_go_through_display_table() -> None:
    nb = nbformat.read(NOTEBOOKS / "10_case.ipynb", as_version=4)
    source = "\n".join(c.source for c in nb.cells if "example_segments" in c.source)
    assert "display_table(cp.example_segments" in source


def test_sentence_list_labels_each_row_and_escapes_it() -> None:
    frame = pd.DataFrame({"case_id": ["a_*b*"], "x": [1]})
    text = sentence_list(frame, lambda row: f"n = {row['x']}", by="case_id")
    assert text == "- a_\\*b\\*: n = 1"  # asterisks escaped: no emphasis


# --------------------------------------------------------------------------- Interface C


def test_save_table_writes_the_full_csv_and_a_sidecar(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"case_id": ["x"], "chi2": [21.661234], "pval": [0.0012], "exact_method": ["none"]}
    )
    out = save_table(
        frame,
        "test",
        tmp_path,
        caption="Strategy by role – χ²",
        note="Codings are not independent.",
        sentence="χ²(6, *N* = 92) = 21.66",
    )
    assert out is frame
    csv = pd.read_csv(tmp_path / "tables" / "test.csv")
    assert list(csv.columns) == ["case_id", "chi2", "pval", "exact_method"]  # complete
    assert csv.loc[0, "chi2"] == pytest.approx(21.661234)  # full precision
    raw = (tmp_path / "tables" / "test.json").read_bytes()
    sidecar = json.loads(raw.decode("utf-8"))
    assert sidecar == {
        "name": "test",
        "caption": "Strategy by role – χ²",
        "note": "Codings are not independent.",
        "sentence": "χ²(6, *N* = 92) = 21.66",
        "columns": ["case_id", "chi2", "pval"],
        "kinds": {"case_id": "text", "chi2": "stat", "pval": "p"},
        "labels": {"case_id": "Case", "chi2": "χ²", "pval": "p"},
    }
    assert "χ²".encode() in raw  # UTF-8, not \\u escapes
    assert list(json.loads(raw)) == sorted(sidecar)  # sorted keys


def test_save_table_sidecar_takes_the_display_columns_and_kinds(tmp_path: Path) -> None:
    frame = pd.DataFrame({"c": [0.25], "n": [3]})
    save_table(frame, "t", tmp_path, columns=["n", "c"], kinds={"c": "bounded"})
    sidecar = json.loads((tmp_path / "tables" / "t.json").read_text(encoding="utf-8"))
    assert sidecar["columns"] == ["n", "c"]
    assert sidecar["kinds"] == {"n": "count", "c": "bounded"}
    assert sidecar["caption"] is None


def test_save_table_without_an_output_folder_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    save_table(pd.DataFrame({"a": [1]}), "t", "")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- analyses


def test_effects_table_says_desired_or_undesired(demo) -> None:
    case = cp.select_cases(demo, demo.case_ids[0])
    effects = cp.dimension_counts(case, "effect", by="role")
    assert list(effects.columns) == ["role", "code", "label", "desired", "n_segments"]
    desired = demo.codebook.frame.set_index("id")["desired"]
    for code, kind in zip(effects["code"], effects["desired"], strict=True):
        assert kind == ("desired" if desired[code] else "undesired")
    tensions = cp.dimension_counts(case, "tension", by="role")
    assert "desired" not in tensions.columns


# --------------------------------------------------------------------------- notebooks


def _source(name: str) -> str:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return "\n".join(c.source for c in nb.cells)


def test_quote_hint_gives_the_spelling_coprod_run_takes() -> None:
    source = _source("10_case.ipynb")
    assert "-p show_quotes=True" in source
    assert "-p show_quotes True" not in source


def test_survey_page_shows_the_synthetic_banner_once() -> None:
    nb = nbformat.read(NOTEBOOKS / "30_survey.ipynb", as_version=4)
    assert sum("synthetic_banner" in c.source for c in nb.cells) == 1


def test_code_usage_section_shows_distinct_codes_not_only_totals() -> None:
    nb = nbformat.read(NOTEBOOKS / "00_data_check.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "code_usage" in c.source)
    assert "groupby" not in cell.source and "show_table(usage" in cell.source
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert "Codes used" in shown and "Codings" in shown


def test_role_group_sections_say_what_they_compare() -> None:
    cross = _source("20_cross_case.ipynb")
    assert "Citizens and public servants compared" not in cross
    assert "third parties" in cross
    assert "by role group" in _source("10_case.ipynb")


@pytest.mark.parametrize(
    "name",
    ["00_data_check.ipynb", "10_case.ipynb", "20_cross_case.ipynb", "30_survey.ipynb"],
)
def test_notebook_tables_have_captions(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for line in cell.source.splitlines():
            if "show_table(" in line or "display_table(" in line:
                assert "caption=" in line, line
            assert not line.strip().startswith("display(cp.save_table("), line


def test_sentence_list_names_a_row_by_several_labelled_columns():
    import pandas as pd

    from coprodlib.workbook.presentation import sentence_list

    pairs = pd.DataFrame({"x": ["se", "<b>"], "y": ["ee", "gt"], "r": [0.3, 0.1]})
    text = sentence_list(
        pairs, lambda row: f"r = {row['r']}", by=["x", "y"], sep=" and ",
        labels={"se": "Self-efficacy", "ee": "External efficacy"},
    )  # fmt: skip
    assert text.splitlines() == [
        "- Self-efficacy and External efficacy: r = 0.3",
        "- &lt;b&gt; and gt: r = 0.1",
    ]
