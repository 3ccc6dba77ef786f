"""Every kind of report page, opened in headless Chromium as a reader would see it.

A module-scoped fixture runs ``coprod run`` on the demo (two case pages, to keep CI short)
into a temporary report folder once, then opens the index, the data check, the case pages,
the cross-case, survey and reliability pages through Playwright with the system's chromium
(Playwright's own browser download is not used) and records what each page shows. The tests
then ask of every page: nothing wider than a 1280 px (and a 390 px) window, every image
loaded and described, no raw codebook id, ``NaN`` or e-notation in a table cell, no serious
or critical axe-core finding, nothing fetched from the network, and a title naming the page.

The browser tests skip, saying why, when playwright, axe-playwright-python or chromium is
missing (``.ci/run`` installs chromium when it can). The tests at the top need no browser:
they check the page template itself on small notebooks.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest
from bs4 import BeautifulSoup
from helpers import headless_chromium

import coprodlib as cp
from coprodlib import paths
from coprodlib.workbook.pages import notebook_to_html, page_title, write_index
from coprodlib.workbook.safe_names import case_file_name

pytestmark = pytest.mark.xdist_group("browser")

DEMO = paths.resolve_dataset("demo")
WIDE, NARROW = 1280, 390
#: What nbconvert writes as the alt text of an image that has none of its own.
NBCONVERT_ALT = "No description has been provided for this image"


def _demo_cases(n: int = 2) -> list[str]:
    with (DEMO / "cases.csv").open(encoding="utf-8", newline="") as fh:
        return sorted(row["case_id"] for row in csv.DictReader(fh))[:n]


CASES = _demo_cases()
#: Every page kind of a report, by the name the tests show, and its file in the report.
PAGES: dict[str, str] = {
    "index": "index.html",
    "data_check": "data_check.html",
    **{f"case {c}": f"cases/{case_file_name(c)}.html" for c in CASES},
    "cross_case": "cross_case.html",
    "survey": "survey.html",
    "reliability": "reliability.html",
    "configurations": "configurations.html",
}
NOTEBOOK_PAGES = [name for name in PAGES if name != "index"]


# --------------------------------------------------------------- the template, no browser


def _notebook(*cells: Any, case_id: str | None = None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    if case_id is not None:
        nb.metadata["papermill"] = {"parameters": {"case_id": case_id, "dataset": "demo"}}
    return nb


def test_notebook_page_fetches_nothing_from_the_network() -> None:
    html = notebook_to_html(_notebook(nbformat.v4.new_markdown_cell("# Data check\n\nText.")))
    soup = BeautifulSoup(html, "html.parser")
    remote = [
        tag.get("src") or tag.get("href")
        for tag in soup.find_all(["script", "link", "img", "iframe"])
        if re.match(r"(https?:)?//", str(tag.get("src") or tag.get("href") or ""))
    ]
    assert remote == []
    assert "cdnjs" not in html  # not even a module script importing from a CDN
    assert soup.html.get("lang") == "en"
    assert soup.find("main") is not None


def test_page_title_is_the_first_heading_and_the_case() -> None:
    nb = _notebook(
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("Intro.\n\n# Case report: `tensions`\n\n## Profile"),
        case_id="be_elderly_care",
    )
    assert page_title(nb) == "Case report: tensions (be_elderly_care)"
    soup = BeautifulSoup(notebook_to_html(nb), "html.parser")
    assert soup.title.string == "Case report: tensions (be_elderly_care)"
    assert page_title(_notebook(nbformat.v4.new_markdown_cell("no heading"))) == "Report"


def test_index_has_a_main_landmark_and_a_scrolling_table(tmp_path: Path) -> None:
    result = SimpleNamespace(key="data_check", status="ran", seconds=1.0, error="", stem="")
    ds = SimpleNamespace(meta={"title": "A study"}, synthetic=True)
    soup = BeautifulSoup(
        write_index(tmp_path, ds, [result], dataset_label="demo").read_text(encoding="utf-8"),
        "html.parser",
    )
    main = soup.find("main")
    assert main is not None and main.find("h1").get_text() == "A study"
    box = main.find("table").parent
    assert "table-scroll" in box.get("class", [])
    assert box.get("tabindex") == "0" and box.get("role") == "region" and box.get("aria-label")
    assert [th.get("scope") for th in soup.find_all("th")] == ["col"] * 5


# --------------------------------------------------------------- the browser's view


@dataclass
class PageSeen:
    """What a page showed in Chromium."""

    scroll_width: dict[int, int] = field(default_factory=dict)
    images: list[dict[str, Any]] = field(default_factory=list)
    cells: list[str] = field(default_factory=list)
    title: str = ""
    h1: str = ""
    remote: list[str] = field(default_factory=list)
    violations: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium("axe_playwright_python") as chromium:
        yield chromium


@pytest.fixture(scope="module")
def report(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from coprodlib.workbook.runner import run

    out = tmp_path_factory.mktemp("browser-report")
    results = run(DEMO, out_root=out, cases=CASES)
    failed = [(r.key, r.error) for r in results if r.status != "ran"]
    assert failed == []
    return out


_IMAGES_JS = """() => Array.from(document.images).map(i => ({
    src: (i.getAttribute('src') || '').slice(0, 60), complete: i.complete,
    natural_width: i.naturalWidth, alt: i.getAttribute('alt')}))"""
_CELLS_JS = "els => els.map(e => e.innerText.trim())"


def _look_at(page: Any, axe: Any, url: str) -> PageSeen:
    seen = PageSeen()

    def remote(route: Any) -> None:  # reports open offline: anything fetched is a finding
        seen.remote.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(https?|wss?)://"), remote)
    page.set_viewport_size({"width": WIDE, "height": 900})
    page.goto(url, wait_until="load")
    seen.scroll_width[WIDE] = page.evaluate("document.documentElement.scrollWidth")
    seen.images = page.evaluate(_IMAGES_JS)
    seen.cells = page.eval_on_selector_all("table td, table th", _CELLS_JS)
    seen.title = page.title()
    seen.h1 = (
        page.eval_on_selector("h1", "e => e.innerText.trim()") if page.query_selector("h1") else ""
    )
    seen.violations = axe.run(page).response["violations"]
    page.set_viewport_size({"width": NARROW, "height": 900})
    seen.scroll_width[NARROW] = page.evaluate("document.documentElement.scrollWidth")
    page.unroute_all()
    return seen


@pytest.fixture(scope="module")
def seen(browser: Any, report: Path) -> dict[str, PageSeen]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context()
    page = context.new_page()
    try:
        return {
            name: _look_at(page, axe, (report / file).as_uri())
            for name, file in PAGES.items()
            if (report / file).exists()
        }
    finally:
        context.close()


def _page(seen: dict[str, PageSeen], name: str) -> PageSeen:
    assert name in seen, f"the run wrote no {PAGES[name]}"
    return seen[name]


def test_the_run_wrote_every_page_kind(seen: dict[str, PageSeen]) -> None:
    assert sorted(seen) == sorted(PAGES)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_page_is_never_wider_than_the_window(seen: dict[str, PageSeen], name: str, width: int):
    assert _page(seen, name).scroll_width[width] <= width


@pytest.mark.parametrize("name", PAGES)
def test_every_image_loaded(seen: dict[str, PageSeen], name: str) -> None:
    broken = [
        i["src"] for i in _page(seen, name).images if not i["complete"] or i["natural_width"] <= 0
    ]
    assert broken == []


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_every_image_is_described(seen: dict[str, PageSeen], name: str) -> None:
    undescribed = [
        i["src"]
        for i in _page(seen, name).images
        if not (i["alt"] or "").strip() or i["alt"] == NBCONVERT_ALT
    ]
    assert undescribed == []


def _ids_with_labels() -> set[str]:
    codebook = cp.get_codebook()
    ids = codebook.ids()
    labels = codebook.labels(ids)
    return {code for code, label in zip(ids, labels, strict=True) if str(label) != code}


#: What separates the parts of a cell such as "equity × efficiency" or "a, b".
_PARTS = re.compile(r"\s*(?:[,;×/|→↔+]|\s[-–—]\s|\n)\s*")
_SNAKE = re.compile(r"(?<![\w.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w])")


def raw_ids(cells: list[str], ids: set[str]) -> list[str]:
    """The cells that show a codebook id where its label belongs."""
    found = []
    for cell in cells:
        parts = set(_PARTS.split(cell)) | set(_SNAKE.findall(cell))
        if parts & ids:
            found.append(cell)
    return found


def test_raw_id_finder_on_known_cells() -> None:
    ids = {"equity", "common_good"}
    cells = [
        "equity",
        "Equity",
        "common_good × Equity",
        "the common_good_x",
        "inequity",
        "Common good",
    ]
    assert raw_ids(cells, ids) == ["equity", "common_good × Equity"]


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_no_raw_codebook_id_in_a_table(seen: dict[str, PageSeen], name: str) -> None:
    assert raw_ids(_page(seen, name).cells, _ids_with_labels()) == []


_MISSING = re.compile(r"(?<![\w<])(?:nan|NaN|NAN|<NA>|NaT)(?![\w>])")
_E_NOTATION = re.compile(r"(?<![\w.])[-+−]?\d+(?:\.\d+)?[eE][-+−]?\d+(?![\w.])")


def unreadable_numbers(cells: list[str]) -> list[str]:
    """The cells that show a missing value as ``NaN``/``<NA>`` or a number in e-notation."""
    return [c for c in cells if _MISSING.search(c) or _E_NOTATION.search(c)]


def test_unreadable_number_finder_on_known_cells() -> None:
    cells = ["NaN", "nan", "<NA>", "1.2e-05", "3E+10", "p < .001", "–", "finance", "e5", "1.20"]
    assert unreadable_numbers(cells) == ["NaN", "nan", "<NA>", "1.2e-05", "3E+10"]


@pytest.mark.parametrize("name", PAGES)
def test_no_nan_or_e_notation_in_a_table(seen: dict[str, PageSeen], name: str) -> None:
    assert unreadable_numbers(_page(seen, name).cells) == []


def _summary(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_accessibility_violation(seen: dict[str, PageSeen], name: str) -> None:
    serious = [v for v in _page(seen, name).violations if v["impact"] in ("serious", "critical")]
    assert _summary(serious) == []


def test_index_page_has_no_accessibility_violation(seen: dict[str, PageSeen]) -> None:
    assert _summary(_page(seen, "index").violations) == []


@pytest.mark.parametrize("name", PAGES)
def test_page_fetches_nothing(seen: dict[str, PageSeen], name: str) -> None:
    assert _page(seen, name).remote == []


@pytest.mark.parametrize("name", NOTEBOOK_PAGES)
def test_page_title_names_the_report(seen: dict[str, PageSeen], name: str) -> None:
    page = _page(seen, name)
    assert page.h1 and page.title.startswith(page.h1)
    if name.startswith("case "):
        assert page.title.endswith(f"({name.removeprefix('case ')})")
