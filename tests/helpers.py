"""Small helpers shared by the importer tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from coprodlib.cli import main


def tree(folder: Path) -> set[str]:
    """Every path below ``folder``, relative to it."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def read_csv(path: Path) -> pd.DataFrame:
    """A written table as plain text cells (empty cells stay empty strings)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def run_cli(*argv: str) -> int:
    """``coprod ARGS`` in process; returns the exit code."""
    return main(list(argv))


def stand_in_notebook(parameters: str, code: str) -> dict:
    """A two-cell notebook (JSON as a dict): a cell tagged ``parameters``, then ``code``."""

    def cell(source: str, tags: list[str], n: int) -> dict:
        return {
            "cell_type": "code",
            "execution_count": None,
            "id": f"cell-{n}",
            "metadata": {"tags": tags},
            "outputs": [],
            "source": source,
        }

    return {
        "cells": [cell(parameters, ["parameters"], 0), cell(code, [], 1)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def hold_library_digest(monkeypatch) -> None:
    """Keep the library's digest still for a test, wherever the runner reads it (the job
    fingerprints and the run digest): other people may edit the library while tests run."""
    from coprodlib.workbook import jobs, unchanged

    monkeypatch.setattr(jobs, "library_digest", lambda: "fixed")
    monkeypatch.setattr(unchanged, "library_digest", lambda: "fixed")


def chromium_path() -> str | None:
    """The system's chromium for the browser tests, or None when the machine has none."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@contextmanager
def headless_chromium(*needed: str) -> Iterator[Any]:
    """The system's chromium through Playwright, headless; the test skips, saying why, when
    playwright, one of the ``needed`` modules (``"axe_playwright_python"``) or chromium is
    missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install '.[test]')"
    )
    for module in needed:
        pytest.importorskip(module, reason=f"{module} is not installed (pip install '.[test]')")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium on this machine (apt-get install chromium; .ci/run does it)")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
