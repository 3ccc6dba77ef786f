"""Values from a dataset never become live HTML or Markdown (issue 15, item 2).

Markup is put into every text field of a small synthetic dataset (case titles and ids,
participant fields, codebook extension labels, segment texts, notes) and the Markdown and HTML
the helpers make from it is rendered the way the report pages render it (nbconvert's
``markdown2html``) and parsed with :mod:`html.parser`: no element, event attribute or
``javascript:`` URL may come from the data. One case notebook is then run through the batch
runner and its HTML page is checked the same way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from nbconvert.filters.markdown import markdown2html

import coprodlib as cp
from coprodlib.analysis.describe import case_heading, example_segments
from coprodlib.demo import writer as demo
from coprodlib.taxonomy.export import codebook_markdown, markdown_text
from coprodlib.workbook import jobs, runner
from coprodlib.workbook.notebook import report_section
from coprodlib.workbook.pages import write_index

#: Markup a user's data might hold; the marker XSS_1 tells it from the page's own markup.
PAYLOADS = [
    "<script>alert('XSS_1')</script>",
    "Care <img src=x onerror=alert('XSS_1')>",
    '"><svg onload=alert("XSS_1")>',
    "[click](javascript:alert('XSS_1'))",
    "![XSS_1](javascript:alert('XSS_1'))",
    "<javascript:alert('XSS_1')>",
    "&lt;img src=x onerror=alert('XSS_1')&gt; &#106;avascript:XSS_1",
    "line one\n<b onclick=alert('XSS_1')>two</b>",
    "\\[x](javascript:alert('XSS_1'))",
]
LIVE_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "b", "math", "style"}


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside ``<script>`` elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    parser.close()
    return parser


def javascript_url(value: str) -> bool:
    compact = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value)).lower()
    return compact.startswith("javascript:")


def assert_no_live_markup(page: str, *, marker: str = "XSS_1") -> None:
    """No element, event handler or javascript: URL that comes from the data (the marker).

    The data may show up inside attributes only where it is inert: a heading's ``id`` and the
    ``#`` link to it (nbconvert's anchors), and a URL-quoted relative link.
    """
    found = parse(page)
    for tag, attrs in found.tags:
        for name, value in attrs.items():
            quoted = re.fullmatch(r"[A-Za-z0-9/%._~-]*", value) is not None  # a quoted path
            inert = name == "id" or (name == "href" and (value.startswith("#") or quoted))
            assert inert or marker not in value, (tag, attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            assert not javascript_url(attrs.get(name, "")), (tag, attrs)
    assert not any(marker in s for s in found.scripts)


def assert_safe_markdown(md: str) -> None:
    """Markdown that renders without a tag or link of its own, checked as text and as HTML."""
    assert "<" not in md, md
    assert not re.search(r"(?<!\\)(?:\\\\)*\]\(", md), md  # no live ](...) link or image
    rendered = markdown2html(md)
    assert_no_live_markup(rendered)
    tags = {t for t, _ in parse(rendered).tags}
    assert not tags & LIVE_TAGS, tags
    links = [a for t, a in parse(rendered).tags if t == "a"]
    assert all(a.get("class") == "anchor-link" for a in links), links  # only heading anchors


# --------------------------------------------------------------------------- datasets


def hostile_folder(folder: Path, text: str, *, n_cases: int = 1) -> Path:
    """A demo dataset whose free-text fields (not its ids) all hold ``text``.

    Case titles, service areas and studies, a participant attribute, every segment text and
    the label and definition of a codebook extension effect that some codings use.
    """
    data = demo.write_demo(folder, seed=7, n_cases=n_cases)
    cases = pd.read_csv(data / "cases.csv", dtype=str, keep_default_na=False)
    cases["title"] = text
    cases["service_area"] = text
    cases["study"] = text
    cases.to_csv(data / "cases.csv", index=False)
    parts = pd.read_csv(data / "participants.csv", dtype=str, keep_default_na=False)
    parts["note"] = text
    parts.to_csv(data / "participants.csv", index=False)
    segs = pd.read_csv(data / "segments.csv", dtype=str, keep_default_na=False)
    segs["text"] = text
    segs.to_csv(data / "segments.csv", index=False)
    ext = pd.DataFrame(
        {
            "id": ["local_harm"],
            "label": [text],
            "dimension": ["effect"],
            "parent": ["value_failure"],
            "definition": [text],
        }
    )
    ext.to_csv(data / "codebook_extension.csv", index=False)
    codings = pd.read_csv(data / "codings.csv", dtype=str, keep_default_na=False)
    codings.loc[codings["code"] == "value_failure", "code"] = "local_harm"
    codings.to_csv(data / "codings.csv", index=False)
    return data


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, cp.Dataset]:
    """One loaded hostile dataset per payload (ids stay valid so that the folder loads)."""
    base = tmp_path_factory.mktemp("hostile")
    return {p: cp.load(hostile_folder(base / f"p{i}", p)) for i, p in enumerate(PAYLOADS)}


def with_hostile_ids(ds: cp.Dataset, text: str) -> tuple[cp.Dataset, str]:
    """The dataset with its first case and that case's participants renamed to ``text``."""
    case = ds.case_ids[0]
    new_case = f"{text} case"
    cases = ds.cases.replace({"case_id": {case: new_case}})
    parts = ds.participants.copy()
    renamed = {p: f"{text} {p}" for p in parts.loc[parts["case_id"] == case, "participant_id"]}
    parts["participant_id"] = parts["participant_id"].replace(renamed)
    parts["case_id"] = parts["case_id"].replace({case: new_case})
    segs = ds.segments.copy()
    segs["participant_id"] = segs["participant_id"].replace(renamed)
    segs["case_id"] = segs["case_id"].replace({case: new_case})
    return dataclasses.replace(ds, cases=cases, participants=parts, segments=segs), new_case


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("text", PAYLOADS)
def test_markdown_text_shows_the_value_and_nothing_else(text: str) -> None:
    md = markdown_text(text)
    assert_safe_markdown(md)
    # what the reader sees is the value as written (line breaks become spaces)
    shown = html.unescape(re.sub(r"<[^>]+>", "", markdown2html(md))).strip()
    assert shown == " ".join(text.split("\n")).strip()


def test_markdown_text_leaves_ordinary_titles_as_they_are() -> None:
    title = "City marketing (synthetic, after Aschhoff & Vogel 2018)"
    assert markdown_text(title) == title
    assert markdown_text(None) == "" and markdown_text(float("nan")) == ""


@pytest.mark.parametrize("text", PAYLOADS)
def test_case_heading_escapes_title_and_id(hostile, text: str) -> None:
    ds, case_id = with_hostile_ids(hostile[text], text)
    md = case_heading(ds, case_id).data
    assert md.startswith("## Case ")
    assert_safe_markdown(md)


@pytest.mark.parametrize("text", PAYLOADS)
def test_report_section_note_escapes_the_message(text: str, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    with report_section(f"Effects {text}"):
        raise cp.DataError(f"a case called {text}", file="cases.csv")
    assert len(shown) == 1
    assert_safe_markdown(shown[0])


@pytest.mark.parametrize("text", PAYLOADS)
def test_tables_shown_in_a_notebook_are_escaped(hostile, text: str) -> None:
    ds, case_id = with_hostile_ids(hostile[text], text)
    case = cp.select_cases(ds, case_id)
    frames = [
        cp.case_profile(ds, case_id),
        cp.case_overview(ds),
        cp.dimension_counts(case, "effect", by="role"),
        example_segments(case, n=2),
        example_segments(case, n=1, dimension="effect"),
    ]
    for frame in frames:
        assert_no_live_markup(frame._repr_html_())
    # the extension's label did reach a table, and as text
    assert text in set(frames[2]["label"])


@pytest.mark.parametrize("text", PAYLOADS)
def test_codebook_markdown_escapes_extension_labels(hostile, text: str) -> None:
    md = codebook_markdown(hostile[text].codebook)
    assert "local_harm" in md
    rendered = markdown2html(md)
    assert_no_live_markup(rendered)
    assert not {t for t, _ in parse(rendered).tags} & LIVE_TAGS
    assert not re.search(r"(?<!\\)(?:\\\\)*\]\(", md)


@pytest.mark.parametrize("text", PAYLOADS)
def test_index_page_escapes_text_and_quotes_links(tmp_path: Path, text: str) -> None:
    key = f"cases/{text}"
    (tmp_path / "cases").mkdir()
    with contextlib.suppress(OSError):  # a name no file system takes: the links are still made
        (tmp_path / f"{key}.html").write_text("x")
    result = SimpleNamespace(key=key, status="failed", seconds=1.0, error=f"boom {text}")
    ds = SimpleNamespace(meta={"title": f"Study {text}"}, synthetic=True)
    page = write_index(
        tmp_path, ds, [result], dataset_label=text, not_run=[(text, f"because {text}")]
    ).read_text(encoding="utf-8")
    assert_no_live_markup(page)
    for _, attrs in parse(page).tags:
        href = attrs.get("href")
        if href is not None:
            assert not re.search(r"[\s<>\"'\\]", href), href  # URL-quoted


# --------------------------------------------------------------------------- a rendered page


def test_case_page_rendered_from_hostile_data_has_no_live_markup(tmp_path: Path, monkeypatch):
    text = "Care <img src=x onerror=alert('XSS_1')> \"><svg onload=alert('XSS_1')> "
    text += "<script>alert('XSS_1')</script> [go](javascript:alert('XSS_1')) ![i](javascript:XSS_1)"
    data = hostile_folder(tmp_path / "data", text)
    monkeypatch.setattr(jobs, "NOTEBOOKS", {"cases": jobs.NOTEBOOKS["cases"]})
    results = runner.run(data, jobs=1, out_root=tmp_path / "reports", extra={"show_quotes": "True"})
    assert [r.status for r in results] == ["ran"], [r.error for r in results]
    case_id = cp.load(data).case_ids[0]
    page = (tmp_path / "reports" / "cases" / f"{case_id}.html").read_text(encoding="utf-8")
    assert_no_live_markup(page)
    texts = "".join(_Text.of(page))
    assert "Care <img src=x onerror=alert('XSS_1')>" in texts  # shown, as text
    assert "[go](javascript:alert('XSS_1'))" in texts
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert_no_live_markup(index)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @classmethod
    def of(cls, page: str) -> list[str]:
        parser = cls()
        parser.feed(page)
        return parser.parts


def test_trait_effects_text_escapes_names_from_the_data():
    import pandas as pd

    from coprodlib.analysis.survey_models import trait_effects_text

    effects = pd.DataFrame(
        {
            "outcome": ["<img src=x onerror=alert(1)>"],
            "term": ["[trust](javascript:alert(1))"],
            "odds_ratio": [2.0],
            "significant": [True],
        }
    )
    text = trait_effects_text(effects, reference="<b>x</b>")
    assert "<img" not in text and "<b>" not in text
    assert "\\[trust\\](javascript:" in text  # brackets escaped: no link


def test_a_url_in_data_is_shown_but_never_linked():
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from coprodlib.taxonomy.export import markdown_text

    html = markdown2html_mistune(markdown_text('=HYPERLINK("http://evil/?x") care'))
    assert "<a " not in html and "http://evil/?x" in html.replace("&#58;", ":")


@pytest.mark.parametrize("control", ["\x1b[2J", "\x1b]0;owned\x07", "\r", "\x9b31m", "\u202e"])
def test_the_command_line_prints_control_characters_as_escapes(tmp_path, capsys, control):
    # what the command line prints may quote the data or a path the user gave: a clear-screen,
    # a retitling, a carriage return, a C1 CSI or a bidi override must not reach the terminal
    # as themselves
    from coprodlib.cli import main

    out = tmp_path / f"code{control}book.csv"
    assert main(["codebook", "export", str(out), "--format", "csv"]) == 0
    shown = capsys.readouterr().out
    assert control not in shown and ascii(control)[1:-1] in shown
    assert shown.endswith("\n") and out.is_file()  # line ends still end lines


def test_terminal_text_leaves_ordinary_text_alone():
    from coprodlib.cli import terminal_text

    plain = "Zuständigkeit: 3 cases\tüber\nnext line"
    assert terminal_text(plain) == plain
    assert terminal_text("a\x00b\x7fc") == "a\\x00b\\x7fc"
