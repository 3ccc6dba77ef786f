"""Warm kernels: each notebook in a fresh forked process that already holds the imports.

The stand-in notebooks below probe their own kernel: whether pandas was already imported
before their first line (a forked warm kernel), their pid, random draws, and traces that an
earlier notebook would have left (a module attribute, a pandas option, a matplotlib setting,
an environment variable, a global name). Run one after another on one fork server, no
notebook may see anything of the one before.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from helpers import hold_library_digest, stand_in_notebook

from coprodlib.demo import writer as demo
from coprodlib.workbook import jobs, runner, warm_kernels

pytestmark = [
    pytest.mark.xdist_group("runner"),
    pytest.mark.skipif(not warm_kernels.warm_available(), reason="needs os.fork (Linux, macOS)"),
]

_PROBE = """\
import json, os, random, sys
from pathlib import Path
warm = "pandas" in sys.modules and "seaborn" in sys.modules
import coprodlib, matplotlib, numpy, pandas
leaks = {
    "module attribute": hasattr(coprodlib, "_left_by"),
    "pandas option": pandas.get_option("display.max_rows") != 60,
    "matplotlib setting": matplotlib.rcParams["lines.linewidth"] == 9.0,
    "environment": "COPROD_LEFT" in os.environ,
    "global": "left_global" in globals(),
}
coprodlib._left_by = case_id
pandas.set_option("display.max_rows", 3)
matplotlib.rcParams["lines.linewidth"] = 9.0
os.environ["COPROD_LEFT"] = case_id
left_global = case_id
probe = {
    "pid": os.getpid(), "ppid": os.getppid(), "pgid": os.getpgid(0), "warm": warm,
    "leaks": leaks, "random": random.random(), "numpy": float(numpy.random.random()),
    "cwd": os.getcwd(), "path": sys.path, "argv0": Path(sys.argv[0]).name,
}
Path(output_dir).mkdir(parents=True, exist_ok=True)
(Path(output_dir) / "probe.json").write_text(json.dumps(probe))
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A project whose notebooks all run the probe (per case, or once)."""
    root = tmp_path / "project"
    nb_dir = root / "notebooks"
    nb_dir.mkdir(parents=True)
    (root / "reports").mkdir()
    for filename, _, per_case in jobs.NOTEBOOKS.values():
        params = 'dataset = "demo"\noutput_dir = ""\n' + ('case_id = "x"\n' if per_case else "")
        code = _PROBE if per_case else _PROBE.replace("= case_id", "= 'once'")
        (nb_dir / filename).write_text(
            json.dumps(stand_in_notebook(params, code)), encoding="utf-8"
        )
    monkeypatch.setenv("COPROD_ROOT", str(root))
    hold_library_digest(monkeypatch)
    return root


def _probes(reports: Path) -> dict[str, dict]:
    return {
        p.parent.relative_to(reports).as_posix(): json.loads(p.read_text())
        for p in reports.rglob("probe.json")
    }


def test_every_notebook_gets_a_fresh_warm_process_with_nothing_of_the_last(
    project: Path, tmp_path: Path
) -> None:
    data = demo.write_demo(tmp_path / "data", seed=3, n_cases=3)
    reports = tmp_path / "reports"
    results = runner.run(data, jobs=1, out_root=reports)  # one after another, one server
    assert [r.status for r in results] == ["ran"] * len(results), [r.error for r in results]
    assert {r.kernel for r in results} == {"warm"}
    probes = _probes(reports)
    assert len(probes) == len(results) >= 6
    for name, probe in probes.items():
        assert probe["warm"], name  # pandas and seaborn were there before the first line
        assert not any(probe["leaks"].values()), (name, probe["leaks"])
        assert probe["pgid"] == probe["pid"], name  # its own process group, killed as one
        assert Path(probe["cwd"]).resolve() == (project / "notebooks").resolve(), name
        assert probe["argv0"] == "ipykernel_launcher.py", name
    pids = [p["pid"] for p in probes.values()]
    assert len(set(pids)) == len(pids)  # a process of its own each time
    assert len({p["ppid"] for p in probes.values()}) == 1  # all forked by one server
    for draw in ("random", "numpy"):  # reseeded: no two notebooks draw the same numbers
        values = [p[draw] for p in probes.values()]
        assert len(set(values)) == len(values), draw


def test_a_run_falls_back_to_cold_kernels_when_the_server_cannot_fork(
    project: Path, tmp_path: Path, monkeypatch
) -> None:
    """And a warm kernel sees the same sys.path and argv as a cold one."""
    data = demo.write_demo(tmp_path / "data", seed=3, n_cases=1)
    runner.run(data, jobs=2, out_root=tmp_path / "warm")

    def refuse(self, *args, **kwargs):
        raise OSError("no fork server here")

    monkeypatch.setattr(warm_kernels.ForkServer, "launch", refuse)
    results = runner.run(data, jobs=2, out_root=tmp_path / "cold")
    assert [r.status for r in results] == ["ran"] * len(results)
    assert {r.kernel for r in results} == {"cold"}
    warm, cold = _probes(tmp_path / "warm"), _probes(tmp_path / "cold")
    assert warm.keys() == cold.keys()
    for name in warm:
        assert warm[name]["warm"] and not cold[name]["warm"], name
        assert warm[name]["path"] == cold[name]["path"], name
        assert warm[name]["argv0"] == cold[name]["argv0"], name


def test_only_this_interpreters_ipykernel_is_forked() -> None:
    import sys

    server = warm_kernels.ForkServer()
    try:
        args = server.kernel_args([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
        assert args == ["-f", "k.json"]
        assert server.kernel_args(["/usr/bin/env", "-m", "ipykernel_launcher", "-f", "k"]) is None
        assert server.kernel_args([sys.executable, "-m", "other_kernel", "-f", "k"]) is None
        assert server.kernel_args(["julia", "-i"]) is None
    finally:
        server.close()


def test_closing_the_server_kills_the_kernels_it_forked(tmp_path: Path) -> None:
    """A kernel left running (its runner gone) does not outlive the server."""
    from jupyter_client.connect import write_connection_file

    connection, _ = write_connection_file(str(tmp_path / "kernel.json"))
    with warm_kernels.ForkServer() as server:
        kernel = server.launch(["-f", connection], cwd=str(tmp_path), env=dict(os.environ))
        assert kernel.poll() is None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(kernel.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(kernel.pid, signal.SIGKILL)
        pytest.fail("the forked kernel outlived its server")
    assert kernel.poll() is not None  # the handle knows it ended, without a pid to reuse


def test_a_forked_kernel_reports_its_exit_code(tmp_path: Path) -> None:
    from jupyter_client.connect import write_connection_file

    connection, _ = write_connection_file(str(tmp_path / "kernel.json"))
    with warm_kernels.ForkServer() as server:
        kernel = server.launch(["-f", connection], cwd=str(tmp_path), env=dict(os.environ))
        kernel.send_signal(signal.SIGTERM)
        assert kernel.wait(timeout=30) == -signal.SIGTERM
        kernel.kill()  # after the end: nothing is signalled (the pid may be reused)
