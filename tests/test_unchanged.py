"""Deciding that a rerun has nothing to do, from hashes and the manifest alone.

:func:`unchanged_entries` may answer "all skipped" only when the manifest records the same
run digest, every planned job ended well and every file it lists is still there; any doubt
sends the run down the usual job-by-job path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coprodlib.workbook.unchanged import run_digest, unchanged_entries


@pytest.fixture
def report(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "reports"
    (root / "cases").mkdir(parents=True)
    for name in ("index.html", "data_check.html", "data_check.ipynb", "cases/a.html"):
        (root / name).write_text("x", encoding="utf-8")
    digest = "d" * 64
    manifest = {
        "run_digest": digest,
        "plan": ["data_check", "cases/a"],
        "run_outputs": ["index.html"],
        "notebooks": {
            "data_check": {"status": "ran", "outputs": ["data_check.ipynb", "data_check.html"]},
            "cases/a": {"status": "skipped", "outputs": ["cases/a.html"]},
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root, digest


def _edit(root: Path, change) -> None:
    manifest = json.loads((root / "manifest.json").read_text())
    change(manifest)
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_an_unchanged_report_folder_gives_its_entries_in_plan_order(report) -> None:
    root, digest = report
    entries = unchanged_entries(root, digest)
    assert [key for key, _ in entries] == ["data_check", "cases/a"]
    assert unchanged_entries(root, "e" * 64) is None  # another digest: look job by job


@pytest.mark.parametrize(
    "damage",
    [
        "missing output",
        "failed job",
        "interrupted job",
        "no plan",
        "outside path",
        "no index",
        "not json",
        "job not in notebooks",
    ],
)
def test_any_doubt_means_the_usual_path(report, damage: str) -> None:
    root, digest = report
    if damage == "missing output":
        (root / "cases" / "a.html").unlink()
    elif damage == "failed job":
        _edit(root, lambda m: m["notebooks"]["cases/a"].update(status="failed"))
    elif damage == "interrupted job":
        _edit(root, lambda m: m["notebooks"]["cases/a"].update(status="replacing"))
    elif damage == "no plan":
        _edit(root, lambda m: m.pop("plan"))
    elif damage == "outside path":
        (root.parent / "x.html").write_text("x")
        _edit(root, lambda m: m["notebooks"]["cases/a"].update(outputs=["../x.html"]))
    elif damage == "no index":
        (root / "index.html").unlink()
    elif damage == "not json":
        (root / "manifest.json").write_text("{", encoding="utf-8")
    elif damage == "job not in notebooks":
        _edit(root, lambda m: m["plan"].append("survey"))
    assert unchanged_entries(root, digest) is None


def test_the_digest_follows_every_input(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "cases.csv").write_text("case_id\na\n", encoding="utf-8")
    (data / ".coprod_salt").write_text("salt", encoding="utf-8")
    out = tmp_path / "reports"

    def digest(show_code: bool = False, **changes) -> str:
        options = {"notebooks": ["10_case.ipynb"], "cases": None, "extra": None}
        options.update(changes)
        return run_digest(data, out, show_code=show_code, **options)

    base = digest()
    assert digest() == base
    assert digest(show_code=True) != base
    assert digest(cases=["a"]) != base
    assert digest(extra={"min_n": 3}) != base
    assert digest(notebooks=["10_case.ipynb", "20_cross_case.ipynb"]) != base
    assert (
        run_digest(
            data,
            tmp_path / "other",
            notebooks=["10_case.ipynb"],
            cases=None,
            extra=None,
            show_code=False,
        )
        != base
    )
    (data / ".coprod_salt").write_text("other salt", encoding="utf-8")
    assert digest() == base  # the private files never enter a digest
    (data / "cases.csv").write_text("case_id\nb\n", encoding="utf-8")
    assert digest() != base
