"""The HTML exporter of the report pages: built once per thread, and rendering each page as a
new exporter would (the pages' content itself is checked in ``test_browser.py``)."""

from __future__ import annotations

import threading
from typing import Any

import nbconvert
import nbformat
import pytest

from coprodlib.workbook import pages


def _notebook(title: str, case_id: str, text: str) -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell("zq_show_marker()")
    code.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/plain": text, "text/html": f"<p>{text}</p>"}
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {title}"), code])
    nb.metadata["papermill"] = {"parameters": {"case_id": case_id}}
    return nb


def _in_new_thread(nb: nbformat.NotebookNode, **kw: Any) -> str:
    """The page as a thread's first export renders it, with a new exporter."""
    out: list[str] = []
    worker = threading.Thread(target=lambda: out.append(pages.notebook_to_html(nb, **kw)))
    worker.start()
    worker.join()
    return out[0]


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the HTML exporters built, starting from none in any thread."""
    monkeypatch.setattr(pages, "_EXPORTERS", threading.local())
    count: list[int] = []
    real = nbconvert.HTMLExporter

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kw: Any) -> None:
            count.append(threading.get_ident())
            super().__init__(*args, **kw)

    monkeypatch.setattr(nbconvert, "HTMLExporter", Counted)
    return count


def test_one_exporter_per_thread(built: list[int]) -> None:
    a = _notebook("Case report", "a", "first")
    b = _notebook("Cross-case", "b", "second")
    for nb in (a, b, a):
        pages.notebook_to_html(nb)
    pages.notebook_to_html(b, show_code=True)
    assert len(built) == 1
    _in_new_thread(a)
    assert len(built) == 2 and built[0] != built[1]


def test_a_reused_exporter_renders_as_a_new_one(built: list[int]) -> None:
    a = _notebook("Case report", "a", "first")
    b = _notebook("Cross-case", "b", "second & more")
    fresh_a, fresh_b = _in_new_thread(a), _in_new_thread(b, show_code=True)
    assert "zq_show_marker" not in fresh_a and "zq_show_marker" in fresh_b  # code hidden, shown
    for _ in range(2):  # in this thread: one exporter for both pages, in turn
        assert pages.notebook_to_html(a) == fresh_a
        assert pages.notebook_to_html(b, show_code=True) == fresh_b
    assert "<title>Case report (a)</title>" in fresh_a
    assert "<title>Cross-case (b)</title>" in fresh_b
