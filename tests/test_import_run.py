"""Real exports, imported, run through the whole batch: `coprod import` then `coprod run`.

The samples live in ../shared (exports made by NVivo and Taguette); where that folder is absent
(a user's clone) the tests skip and say why. Imported projects code with their own code names
(mostly local codes) and hold a single case, so many report sections have nothing to show:
the run must still succeed, with notes where a section cannot be computed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coprodlib.cli import main
from coprodlib.paths import project_root

SHARED = project_root().parent / "shared"
SAMPLES = {
    "nvivo": ["qdpx", SHARED / "refi-qda" / "samples" / "nvivo12_win_oltas0517.qdpx"],
    "taguette": ["taguette", SHARED / "taguette" / "project.sqlite3"],
}

pytestmark = pytest.mark.xdist_group("runner")


@pytest.mark.parametrize("tool", sorted(SAMPLES))
def test_imported_project_runs_through_the_batch(tool: str, tmp_path: Path, capsys) -> None:
    kind, source = SAMPLES[tool]
    if not source.exists():
        pytest.skip(f"../shared not present: the {tool} sample ({source}) is not on this machine")
    data, reports = tmp_path / tool, tmp_path / "reports"
    assert main(["import", kind, str(source), "--to", str(data)]) == 0
    assert main(["validate", str(data)]) == 0
    code = main(["run", "--dataset", str(data), "--reports", str(reports), "--jobs", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    manifest = json.loads((reports / "manifest.json").read_text())
    assert manifest["synthetic"] is False
    assert {e["status"] for e in manifest["notebooks"].values()} == {"ran"}
    assert set(manifest["notebooks"]) >= {"data_check", "cross_case"}
    assert any(k.startswith("cases/") for k in manifest["notebooks"])
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "SYNTHETIC" not in index
