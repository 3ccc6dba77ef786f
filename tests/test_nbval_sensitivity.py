"""The nbval check bites: a changed value in the data makes the committed notebooks fail.

A copy of the project's notebooks and of the demo data runs under nbval with COPROD_ROOT
pointing at the copy (the library resolves every path from there). Unchanged, the copy passes;
with one coding changed, the data-check notebook's counts differ and nbval fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coprodlib.paths import demo_dir, notebooks_dir

NOTEBOOK = "00_data_check.ipynb"


def run_nbval(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COPROD_ROOT": str(root)}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(root / "notebooks" / "nbval_sanitize.cfg"),
            str(root / "notebooks" / NOTEBOOK),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=root,
        timeout=600,
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "notebooks").mkdir(parents=True)
    for name in (NOTEBOOK, "nbval_sanitize.cfg"):
        shutil.copy(notebooks_dir() / name, root / "notebooks" / name)
    shutil.copytree(demo_dir(), root / "data" / "demo")
    return root


def test_nbval_passes_on_an_unchanged_copy(project_copy: Path) -> None:
    result = run_nbval(project_copy)
    assert result.returncode == 0, result.stdout[-2000:]


def test_nbval_fails_when_one_value_changes(project_copy: Path) -> None:
    codings = project_copy / "data" / "demo" / "codings.csv"
    lines = codings.read_text(encoding="utf-8").splitlines(keepends=True)
    segment, code, coder = lines[1].rstrip("\n").split(",")
    assert code != "withdrawal"
    lines[1] = f"{segment},withdrawal,{coder}\n"  # one coding now carries another code
    codings.write_text("".join(lines), encoding="utf-8")
    result = run_nbval(project_copy)
    assert result.returncode != 0
    assert "mismatch" in result.stdout.lower() or "failed" in result.stdout.lower()
