"""The batch runner (`coprod run`): reports, skipping unchanged notebooks, isolating failures.

These tests execute real notebooks with papermill on a small synthetic dataset (two cases of
the demo model), so they take some seconds each; they share one first run. The module runs
on one xdist worker (``xdist_group``) so that the shared run is made once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import coprodlib as cp
from coprodlib.cli import main
from coprodlib.demo import writer as demo
from coprodlib.workbook import jobs, runner

pytestmark = pytest.mark.xdist_group("runner")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


#: The pseudonymisation files an import leaves in a dataset folder (see importers.pseudonyms).
SALT = "5f" * 32 + "\n"
KEY = "kind,pseudonym,original\nparticipant,P-0001,Anna Schmidt\n"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, Path, list]:
    base = tmp_path_factory.mktemp("runner")
    data = demo.write_demo(base / "two", seed=7, n_cases=2)
    (data / ".coprod_salt").write_text(SALT, encoding="ascii")
    (data / "pseudonym_key.csv").write_text(KEY, encoding="utf-8")
    reports = base / "reports"
    results = runner.run(data, jobs=2, out_root=reports)
    return data, reports, results


def test_first_run_writes_every_report(first_run) -> None:
    data, reports, results = first_run
    assert [r.status for r in results] == ["ran"] * len(results), [r.error for r in results]
    keys = [r.key for r in results]
    cases = cp.load(data).case_ids
    assert keys == [
        "data_check",
        *[f"cases/{c}" for c in cases],
        "cross_case",
        "survey",
        "reliability",
        "configurations",
    ]
    for c in cases:
        assert (reports / "cases" / f"{c}.ipynb").exists()
        page = (reports / "cases" / f"{c}.html").read_text(encoding="utf-8")
        assert "SYNTHETIC" in page
        assert "cp.select_cases" not in page  # code cells are hidden unless --show-code
        figures = sorted(p.name for p in (reports / "cases" / c / "figures").iterdir())
        assert "chain.png" in figures and "tension_strategy.png" in figures
        chain = pd.read_csv(reports / "cases" / c / "tables" / "chain.csv")
        assert list(chain.columns) == ["tension", "strategy", "effect", "n"]
    for name in ("cross_case", "survey", "reliability", "configurations", "data_check"):
        assert (reports / f"{name}.html").exists()
    manifest = json.loads((reports / "manifest.json").read_text())
    assert manifest["summary"] == {"ran": len(results), "skipped": 0, "failed": 0}
    assert manifest["synthetic"] is True
    # overhead made visible: wall time, the cells' own time from papermill, the difference
    for key, entry in manifest["notebooks"].items():
        nb = nbformat.read(reports / f"{entry['outputs'][0].rsplit('.', 1)[0]}.ipynb", 4)
        cells = sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in nb.cells)
        assert entry["cell_seconds"] == pytest.approx(cells, abs=2e-3), key
        assert 0 < entry["cell_seconds"] <= entry["seconds"]
        assert entry["overhead_seconds"] == pytest.approx(
            entry["seconds"] - entry["cell_seconds"], abs=2e-3
        )
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert all(f"cases/{c}.html" in index for c in cases)
    assert "SYNTHETIC" in index
    # no staging folders or temporary files are left behind
    assert not [p for p in reports.rglob("*") if p.name.startswith(".")]


def test_warm_kernels_write_what_cold_kernels_write(first_run, tmp_path, monkeypatch) -> None:
    """The first run forked its kernels warm; a run with cold kernels (plain papermill's way)
    on the same data gives the same cell outputs and the same tables, figures and pages, byte
    for byte (only timings, which the manifest and the index show, may differ)."""
    data, reports, results = first_run
    assert {r.kernel for r in results} == {"warm"}
    manifest = json.loads((reports / "manifest.json").read_text())
    assert {e["kernel"] for e in manifest["notebooks"].values()} == {"warm"}
    forked = []
    from coprodlib.workbook import warm_kernels

    launch = warm_kernels.ForkServer.launch
    monkeypatch.setattr(
        warm_kernels.ForkServer, "launch", lambda *a, **k: forked.append(1) or launch(*a, **k)
    )
    cold = tmp_path / "cold"
    cold_results = runner.run(data, jobs=2, out_root=cold, warm=False)
    assert not forked and {r.kernel for r in cold_results} == {"cold"}
    assert [r.status for r in cold_results] == ["ran"] * len(results)
    warm_files, cold_files = snapshot(reports), snapshot(cold)
    assert warm_files.keys() == cold_files.keys()
    for name, warm_bytes in warm_files.items():
        if name.endswith(".ipynb"):
            outputs = [
                [c.get("outputs") for c in nbformat.reads(b.decode(), 4).cells]
                for b in (warm_bytes, cold_files[name])
            ]
            assert outputs[0] == outputs[1], name
        elif name not in ("manifest.json", "index.html"):
            assert warm_bytes == cold_files[name], name


def test_an_unchanged_rerun_imports_neither_pandas_nor_papermill(first_run) -> None:
    """Nothing changed: `coprod run` answers from hashes and the manifest alone, writes
    nothing, and never imports pandas, numpy, nbformat, papermill or jupyter_client."""
    import subprocess
    import sys

    data, reports, results = first_run
    before = snapshot(reports)
    probe = (
        "import json, sys\n"
        "from coprodlib.cli import main\n"
        f"code = main(['run', '--dataset', {str(data)!r}, '--reports', {str(reports)!r}])\n"
        "heavy = ['pandas', 'numpy', 'nbformat', 'papermill', 'jupyter_client']\n"
        "print(json.dumps({'code': code, 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer == {"code": 0, "loaded": []}, done.stderr
    assert done.stdout.count("skipped") >= len(results)
    assert snapshot(reports) == before  # not even the manifest or the index is rewritten


def test_a_dask_cluster_writes_the_tables_a_local_run_writes(first_run, tmp_path) -> None:
    """`coprod run --scheduler`: a local cluster of two worker processes runs the notebooks;
    the client writes reports whose tables, figures and cell outputs equal the local run's."""
    distributed = pytest.importorskip("distributed", reason="needs the cluster extra")
    data, reports, results = first_run
    out = tmp_path / "cluster"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = runner.run(data, out_root=out, scheduler=cluster.scheduler_address)
        workers = len(cluster.workers)
    assert workers == 2
    assert [r.status for r in remote] == ["ran"] * len(results), [r.error for r in remote]
    local_files, remote_files = snapshot(reports), snapshot(out)
    assert local_files.keys() == remote_files.keys()
    tables = [n for n in local_files if n.endswith((".csv", ".svg", ".png"))]
    assert len(tables) > 20
    for name in tables:
        assert local_files[name] == remote_files[name], name
    for name in (n for n in local_files if n.endswith(".ipynb")):
        outputs = [
            [c.get("outputs") for c in nbformat.reads(b.decode(), 4).cells]
            for b in (local_files[name], remote_files[name])
        ]
        assert outputs[0] == outputs[1], name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["summary"]["ran"] == len(results)
    # a second run with nothing changed answers at once, without the cluster
    again = runner.run(data, out_root=out, scheduler="tcp://127.0.0.1:9")
    assert {r.status for r in again} == {"skipped"}


def test_an_unreachable_scheduler_is_one_clear_problem(
    first_run, tmp_path, capsys, monkeypatch
) -> None:
    pytest.importorskip("distributed", reason="needs the cluster extra")
    from coprodlib.workbook import cluster

    monkeypatch.setattr(cluster, "_CONNECT_TIMEOUT", 2)
    data = first_run[0]
    code = main(
        [
            "run",
            "--dataset",
            str(data),
            "--reports",
            str(tmp_path / "r"),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--force",
        ]
    )
    err = capsys.readouterr().err
    assert code != 0 and "--scheduler" in err and "dask scheduler" in err
    assert "Traceback" not in err
    assert not (tmp_path / "r").exists()  # nothing written


def test_reports_hold_nothing_of_the_pseudonym_key_or_the_salt(first_run) -> None:
    """No name, hash or size of the key or the salt in any file of the shareable reports."""
    data, reports, _ = first_run
    secrets = [
        b"pseudonym_key",
        b"coprod_salt",
        SALT.strip().encode(),
        b"Anna Schmidt",
    ]
    for name in (".coprod_salt", "pseudonym_key.csv"):
        raw = (data / name).read_bytes()
        secrets += [hashlib.sha256(raw).hexdigest().encode(), hashlib.md5(raw).hexdigest().encode()]
    found = {
        (p.relative_to(reports).as_posix(), s.decode())
        for p in reports.rglob("*")
        if p.is_file()
        for s in secrets
        if s in p.read_bytes()
    }
    assert not found
    assert "pseudonym_key.csv" not in json.loads((reports / "manifest.json").read_text())["inputs"]


def test_fingerprints_do_not_depend_on_the_pseudonym_key(first_run, tmp_path) -> None:
    data = tmp_path / "copy"
    shutil.copytree(first_run[0], data)
    ds = cp.load(data)

    def prints() -> list[str]:
        return [j.fingerprint for j in jobs.plan_jobs(ds, dataset=data, out_root=tmp_path)]

    before = prints()
    (data / "pseudonym_key.csv").write_text(KEY + "participant,P-0002,Jan Peeters\n")
    (data / ".coprod_salt").write_text("a1" * 32, encoding="ascii")
    assert prints() == before


def test_rerun_change_and_failure_in_sequence(first_run, capsys, monkeypatch, tmp_path) -> None:
    """One scenario on the same folders (paths are notebook parameters, so they must not move).

    1. nothing changed: every notebook is skipped and no report changes;
    2. one case's data change: only that case and the synthesis notebooks run again;
    3. one case breaks (a notebook that fails on it): its notebook fails, the other case's
       report is written, the exit code is 1 and the failed case's last good report is kept.
    """
    data, reports, _ = first_run
    ds = cp.load(data)
    first, second = ds.case_ids

    before = snapshot(reports)
    results = runner.run(data, jobs=2, out_root=reports)
    assert {r.status for r in results} == {"skipped"}
    after = snapshot(reports)
    assert before.keys() == after.keys()
    # only the run's own record (status page and manifest) is rewritten, no report
    assert {k for k in before if before[k] != after[k]} <= {"index.html", "manifest.json"}

    codings = pd.read_csv(data / "codings.csv", dtype=str, keep_default_na=False)
    segments = pd.read_csv(data / "segments.csv", dtype=str, keep_default_na=False)
    seg_second = set(segments.loc[segments["case_id"] == second, "segment_id"])
    drop = codings.index[codings["segment_id"].isin(seg_second)][0]
    codings = codings.drop(index=drop)
    codings.to_csv(data / "codings.csv", index=False, lineterminator="\n")
    status = {r.key: r.status for r in runner.run(data, jobs=2, out_root=reports)}
    assert status[f"cases/{first}"] == "skipped"
    assert status[f"cases/{second}"] == "ran"
    assert status["cross_case"] == "ran"

    good_page = (reports / "cases" / f"{first}.html").read_bytes()
    # a copy of the project whose case notebook breaks on the first case only
    root = tmp_path / "project"
    shutil.copytree(cp.paths.notebooks_dir(), root / "notebooks")
    case_nb = root / "notebooks" / "10_case.ipynb"
    nb = json.loads(case_nb.read_text(encoding="utf-8"))
    at = 1 + next(
        i for i, c in enumerate(nb["cells"]) if "parameters" in c["metadata"].get("tags", [])
    )
    nb["cells"].insert(
        at,
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "simulated-failure",
            "metadata": {},
            "outputs": [],
            "source": f"if case_id == {first!r}:\n    raise RuntimeError('simulated broken case')",
        },
    )
    case_nb.write_text(json.dumps(nb), encoding="utf-8")
    monkeypatch.setenv("COPROD_ROOT", str(root))
    capsys.readouterr()
    code = main(["run", "--dataset", str(data), "--reports", str(reports), "--jobs", "2"])
    out = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out.out + out.err
    manifest = json.loads((reports / "manifest.json").read_text())
    entry = manifest["notebooks"][f"cases/{first}"]
    assert entry["status"] == "failed"
    assert "simulated broken case" in entry["error"] and "cell" in entry["error"]
    assert manifest["notebooks"][f"cases/{second}"]["status"] == "ran"  # its notebook changed
    assert manifest["notebooks"]["cross_case"]["status"] == "skipped"
    assert (reports / "cases" / f"{first}.failed.ipynb").exists()
    assert (reports / "cases" / f"{first}.html").read_bytes() == good_page
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and "simulated broken case" in index
    assert f"cases/{first}" in out.out and "failed" in out.out


def test_invalid_dataset_leaves_reports_untouched(first_run, tmp_path: Path, capsys) -> None:
    reports = first_run[1]
    data = tmp_path / "two"
    shutil.copytree(first_run[0], data)
    before = snapshot(reports)
    text = (data / "codings.csv").read_text(encoding="utf-8")
    first_code = text.splitlines()[1].split(",")[1]
    (data / "codings.csv").write_text(text.replace(first_code, "not_a_code", 1), encoding="utf-8")
    code = main(["run", "--dataset", str(data), "--reports", str(reports)])
    out = capsys.readouterr()
    assert code == 1
    assert "codings.csv" in out.err and "not_a_code" in out.err
    assert "Traceback" not in out.out + out.err
    assert snapshot(reports) == before


def test_unknown_parameter_and_unknown_case_are_usage_errors(first_run, capsys) -> None:
    data, reports, _ = first_run
    before = snapshot(reports)
    code = main(["run", "--dataset", str(data), "--reports", str(reports), "-p", "colour=red"])
    assert code == 2 and "colour" in capsys.readouterr().err
    code = main(["run", "--dataset", str(data), "--reports", str(reports), "--cases", "nope"])
    assert code == 2 and "nope" in capsys.readouterr().err
    bad = ["-p", "show_quotes=maybe"]
    code = main(["run", "--dataset", str(data), "--reports", str(reports), *bad])
    assert code == 2 and "show_quotes" in capsys.readouterr().err
    assert snapshot(reports) == before


def test_notebook_parameters_are_read_without_papermill() -> None:
    """Names and default values equal what papermill itself reads from the parameters cell."""
    import ast

    import papermill

    for path in sorted(cp.paths.notebooks_dir().glob("*.ipynb")):
        expected = {
            name: ast.literal_eval(info["default"])
            for name, info in papermill.inspect_notebook(str(path)).items()
        }
        assert jobs._notebook_defaults(path) == expected, path.name


@pytest.mark.parametrize(
    ("text", "default", "expected"),
    [
        ("False", True, False),  # a flag given as text must not turn quotes on
        ("false", False, False),
        ("true", False, True),
        ("3", 2, 3),
        ("0.5", 1.0, 0.5),
        ("2", 1.0, 2.0),
        ('["self_efficacy"]', ["a", "b"], ["self_efficacy"]),
        ("007", "demo", "007"),  # text parameters stay text
    ],
)
def test_param_values_take_the_type_of_the_notebook_default(text, default, expected) -> None:
    value = jobs._typed_value("p", text, default)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(("text", "default"), [("maybe", False), ("1", True), ("x", 3)])
def test_param_values_of_the_wrong_type_are_refused(text, default) -> None:
    with pytest.raises(ValueError, match="expect"):
        jobs._typed_value("p", text, default)


def test_dataset_argument_is_taken_from_the_current_folder(tmp_path, monkeypatch, capsys) -> None:
    demo.write_demo(tmp_path / "here", seed=3, n_cases=1)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "here"]) == 0
    assert "here: valid" in capsys.readouterr().out


def test_the_index_says_which_reports_a_dataset_does_not_get_and_why(tmp_path):
    from coprodlib.workbook.jobs import not_planned
    from coprodlib.workbook.pages import write_index

    ds = cp.load()
    assert not_planned(ds) == []  # the demo has cases, a survey and a double-coded sample
    bare = type(ds)(**{**ds.__dict__, "survey": None, "double_coding": None})
    reasons = dict(not_planned(bare))
    assert list(reasons) == ["survey", "reliability"]
    assert "no survey" in reasons["survey"] and "two coders" in reasons["reliability"]
    page = write_index(tmp_path, bare, [], dataset_label="demo", not_run=not_planned(bare))
    text = page.read_text(encoding="utf-8")
    assert "Not run for this dataset" in text and "<strong>reliability</strong>" in text
    plain = write_index(tmp_path, ds, [], dataset_label="demo").read_text(encoding="utf-8")
    assert "Not run" not in plain
