"""``cp.explore`` in a real JupyterLab, driven through headless Chromium.

One module-scoped fixture starts ``jupyter lab`` on a free port with a random token, with its
config, data, runtime, settings and workspace folders in a temporary directory (so no user
setting interferes; the lab extensions installed in the virtual environment, the widget
manager among them, are still found there). It writes a notebook that loads the demo and
shows ``cp.explore(ds, quotes=False)``, and the tests open it in Chromium through
Playwright (the system's chromium, as tests/test_browser.py launches it), run all cells, and
work the explorer as an analyst would: change the cases, a dimension, the unit, click a cell.
The counts they expect come from ``cp.cooccurrence`` on ``cp.select_cases`` of the same
cases, the segments from ``cp.codings_of``: the analyses, not the explorer's own model.

The server is shut down in the fixture's finalizer, also when a test fails. The tests skip,
saying why, when playwright, chromium or jupyterlab is missing.

With ``COPROD_SCREENSHOT=<path.png>`` set, ``test_screenshot`` also saves the screenshot for
the README (``COPROD_SCREENSHOT=docs/images/explorer.png pytest tests/test_explorer_lab.py
-k screenshot``); without it that test is skipped.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import headless_chromium

import coprodlib as cp
from coprodlib import paths

pytestmark = pytest.mark.xdist_group("lab")

DEMO = paths.resolve_dataset("demo")
JUPYTER = Path(sys.executable).with_name("jupyter")
START_SECONDS = 60  # the server's start and the kernel's first cell, at most


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: ``cp.explore`` once the front door lists it; until then the module's own name.
EXPLORE = (
    "cp.explore"
    if "explore" in cp.__all__
    else "__import__('coprodlib.explorer.widget', fromlist=['explore']).explore"
)
NOTEBOOK_CODE = f"""\
import coprodlib as cp
ds = cp.load(cp.paths.resolve_dataset("demo"))
view = {EXPLORE}(ds, quotes={{quotes}})
view"""


def _write_notebook(path: Path, *, quotes: bool | None) -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "explore",
                "metadata": {},
                "outputs": [],
                "source": NOTEBOOK_CODE.format(quotes=quotes),
            }
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


def _lab_settings(folder: Path) -> None:
    """User settings that keep JupyterLab quiet: no news or update notices over the cells."""
    notes = folder / "@jupyterlab" / "apputils-extension"
    notes.mkdir(parents=True)
    (notes / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running JupyterLab server: its base URL, token and root folder."""
    if not JUPYTER.exists() or shutil.which("jupyter-lab", path=str(JUPYTER.parent)) is None:
        pytest.skip("jupyterlab is not installed in this environment (pip install jupyterlab)")
    pytest.importorskip("ipywidgets", reason="ipywidgets is not installed (pip install '.')")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    _write_notebook(root / "explore.ipynb", quotes=False)
    _write_notebook(root / "explore_quotes.ipynb", quotes=None)
    _lab_settings(tmp / "settings")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "0",
    }
    port, token = _free_port(), secrets.token_hex(16)
    log = (tmp / "server.log").open("wb")
    server = subprocess.Popen(
        [
            str(JUPYTER),
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",  # no look-ups in a package index
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(base, token, server, tmp / "server.log")
        yield {"base": base, "token": token, "root": root}
    finally:
        _stop(server, base, token)
        log.close()


def _wait_for_server(base: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"jupyter lab did not answer in {START_SECONDS} s")


def _stop(server: subprocess.Popen, base: str, token: str) -> None:
    """Ask the server to shut down (it stops its kernels), then end its process group."""
    try:
        request = urllib.request.Request(
            f"{base}/api/shutdown?token={token}", method="POST", data=b""
        )
        urllib.request.urlopen(request, timeout=5).close()
        server.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        pass
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium() as chromium:
        yield chromium


def _open(page: Any, lab: dict[str, Any], name: str) -> None:
    """Open the notebook in JupyterLab, run all its cells and wait for the explorer."""
    # a workspace of its own, reset: no tab of an earlier test is restored beside it
    workspace = Path(name).stem.replace("_", "-")
    page.goto(f"{lab['base']}/lab/workspaces/{workspace}/tree/{name}?reset&token={lab['token']}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=START_SECONDS * 1000)
    page.wait_for_selector(".jp-Notebook", timeout=START_SECONDS * 1000)
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            return w && w.sessionContext && w.sessionContext.session &&
                   w.sessionContext.session.kernel &&
                   w.sessionContext.session.kernel.status === 'idle';
        }""",
        timeout=START_SECONDS * 1000,
    )
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".coprod-explorer .coprod-cell", timeout=START_SECONDS * 1000)


def _heatmap(page: Any) -> dict[str, int]:
    """The cells shown: their tooltip's pair of labels, and the count on them."""
    cells = page.eval_on_selector_all(
        ".coprod-explorer button.coprod-cell",
        "els => els.map(e => [e.getAttribute('title'), e.textContent.trim()])",
    )
    if any(not title or not text for title, text in cells):  # a grid being drawn
        return {}
    return {title.rsplit(": n = ", 1)[0]: int(text) for title, text in cells}


def by_family(ds: cp.Dataset) -> cp.Dataset:
    """The dataset with every strategy coding replaced by its family (as a coder would have
    coded families only), for ``cp.cooccurrence`` to count families."""
    entries = ds.codebook.frame.set_index("id")
    family = entries["family"].where(entries["dimension"] == "strategy")
    codes = ds.codings["code"].astype(str)
    rolled = codes.map(family).fillna(codes)
    return dataclasses.replace(ds, codings=ds.codings.assign(code=rolled))


def _expected(cases: list[str], x: str, y: str, unit: str) -> dict[str, int]:
    """The counts ``cp.cooccurrence`` gives, by the tooltip's "row label x column label"."""
    ds = cp.load(DEMO)
    table = cp.cooccurrence(by_family(cp.select_cases(ds, cases)), x, y, unit=unit)
    labels = ds.codebook.frame.set_index("id")["label"]
    return {
        f"{labels.get(yc, yc)} \u00d7 {labels.get(xc, xc)}": int(n)
        for xc, yc, n in zip(table.iloc[:, 0], table.iloc[:, 1], table["n"], strict=True)
    }


def _wait_for_counts(page: Any, expected: dict[str, int]) -> dict[str, int]:
    """The heatmap once it shows ``expected``, or as it is after 15 s. A grid that grows gets
    its new cells from the kernel a few at a time, so the page may for a moment show only the
    cells it had: every count shown right is not enough, the counts must add up too."""
    deadline = time.monotonic() + 15
    shown = _heatmap(page)
    while time.monotonic() < deadline:
        shown = _heatmap(page)
        if (
            shown
            and all(expected.get(k) == v for k, v in shown.items())
            and sum(shown.values()) == sum(expected.values())
        ):
            return shown
        time.sleep(0.2)
    return shown


def test_explorer_follows_cases_dimension_and_unit(browser: Any, lab: dict[str, Any]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        _open(page, lab, "explore.ipynb")
        all_cases = cp.load(DEMO).case_ids
        shown = _wait_for_counts(page, _expected(all_cases, "tension", "strategy", "segment"))
        expected = _expected(all_cases, "tension", "strategy", "segment")
        assert shown and all(expected[k] == v for k, v in shown.items())
        assert sum(shown.values()) == sum(expected.values())  # no nonzero cell left out

        two = all_cases[:2]
        page.select_option(".coprod-cases select", index=[0, 1])  # sorted, as case_ids
        expected = _expected(two, "tension", "strategy", "segment")
        shown = _wait_for_counts(page, expected)
        assert all(expected[k] == v for k, v in shown.items())
        assert sum(shown.values()) == sum(expected.values())

        page.select_option(".coprod-y select", label="effect")
        expected = _expected(two, "tension", "effect", "segment")
        shown = _wait_for_counts(page, expected)
        assert all(expected[k] == v for k, v in shown.items())
        assert sum(shown.values()) == sum(expected.values())

        page.select_option(".coprod-unit select", label="participant")
        expected = _expected(two, "tension", "effect", "participant")
        shown = _wait_for_counts(page, expected)
        assert all(expected[k] == v for k, v in shown.items())
        assert sum(shown.values()) == sum(expected.values())

        page.select_option(".coprod-unit select", label="segment")
        x_code, y_code, i, j = _biggest_cell(two, "tension", "effect")
        _wait_for_counts(page, _expected(two, "tension", "effect", "segment"))
        page.click(f"button.coprod-cell-{j}-{i}")
        listed = _listed(page, _segments_with_both(two, x_code, y_code))
        assert sorted(listed) == _segments_with_both(two, x_code, y_code)
        headers = page.eval_on_selector_all(
            ".coprod-segments th", "els => els.map(e => e.textContent)"
        )
        assert headers == ["Segment", "Case", "Participant", "Role"]  # quotes=False: no text
    finally:
        page.close()


def _biggest_cell(cases: list[str], x: str, y: str) -> tuple[str, str, int, int]:
    """The pair of codes with the most segments (x code, y code, x position, y position)."""
    table = cp.cooccurrence(by_family(cp.select_cases(cp.load(DEMO), cases)), x, y)
    top = table.loc[table["n"].idxmax()]
    x_code, y_code = str(top.iloc[0]), str(top.iloc[1])
    families = set(cp.load(DEMO).codebook.frame["family"].dropna())
    xs, ys = (
        [c for c in table[d].cat.categories if d != "strategy" or c in families] for d in (x, y)
    )  # the explorer's axes: strategies by family
    return x_code, y_code, xs.index(x_code), ys.index(y_code)


def _segments_with_both(cases: list[str], x_code: str, y_code: str) -> list[str]:
    long = cp.codings_of(cp.select_cases(cp.load(DEMO), cases))
    with_x = set(long.loc[long["code"] == x_code, "segment_id"])
    with_y = set(long.loc[long["code"] == y_code, "segment_id"])
    return sorted(with_x & with_y)


def _listed(page: Any, expected: list[str]) -> list[str]:
    """The segment ids the explorer lists, once they are the expected number."""
    deadline = time.monotonic() + 15
    ids: list[str] = []
    while time.monotonic() < deadline:
        ids = page.eval_on_selector_all(
            ".coprod-segments tr.coprod-segment td:first-child",
            "els => els.map(e => e.textContent)",
        )
        if len(ids) == len(expected):
            break
        time.sleep(0.2)
    return ids


def test_explorer_quotes_the_text_when_the_dataset_keeps_it(
    browser: Any, lab: dict[str, Any]
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        _open(page, lab, "explore_quotes.ipynb")  # quotes=None: the demo keeps its text
        cases = cp.load(DEMO).case_ids
        x_code, y_code, i, j = _biggest_cell(cases, "tension", "strategy")
        page.click(f"button.coprod-cell-{j}-{i}")
        expected = _segments_with_both_families(cases, x_code, y_code)
        rows = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(rows) != len(expected):
            rows = page.eval_on_selector_all(
                ".coprod-segments tr.coprod-segment",
                "els => els.map(r => [...r.children].map(td => td.textContent))",
            )
            time.sleep(0.2)
        segments = cp.load(DEMO).segments.set_index("segment_id")["text"]
        assert sorted(r[0] for r in rows) == expected
        assert all(r[-1] == segments[r[0]] for r in rows)  # the text, as the dataset has it
    finally:
        page.close()


def _segments_with_both_families(cases: list[str], tension: str, family: str) -> list[str]:
    long = cp.codings_of(cp.select_cases(cp.load(DEMO), cases))
    with_t = set(long.loc[long["code"] == tension, "segment_id"])
    with_f = set(long.loc[long["family"] == family, "segment_id"])
    return sorted(with_t & with_f)


def test_screenshot(browser: Any, lab: dict[str, Any]) -> None:
    """The README's picture of the explorer, when ``COPROD_SCREENSHOT`` names the file."""
    target = os.environ.get("COPROD_SCREENSHOT")
    if not target:
        pytest.skip("set COPROD_SCREENSHOT=docs/images/explorer.png to take the screenshot")
    page = browser.new_page(viewport={"width": 1280, "height": 1400})  # the output ~1100 px
    try:
        _open(page, lab, "explore_quotes.ipynb")
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
        cases = cp.load(DEMO).case_ids
        x_code, y_code, i, j = _biggest_cell(cases, "tension", "strategy")
        page.click(f"button.coprod-cell-{j}-{i}")
        page.wait_for_selector(".coprod-segments tr.coprod-segment")
        time.sleep(1.0)  # let the layout settle after the side panel closed
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        page.locator(".coprod-explorer").screenshot(path=target)
    finally:
        page.close()
