"""The batch runner against hostile input (issue 15): case ids that look like paths, signals,
report folders that cannot be written, damaged manifests, runner-owned parameters, two datasets
of one name, and the privacy of the pseudonymisation files.

Most tests run a copy of the project whose notebooks are tiny stand-ins (they save one table
naming their case and its title), so a run takes a few kernel starts rather than minutes; the
runner treats them exactly like the real notebooks. The privacy test on the real notebooks is
in ``test_runner.py``, which shares its first run.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from helpers import hold_library_digest, stand_in_notebook

import coprodlib as cp
from coprodlib import paths
from coprodlib.cli import main
from coprodlib.contract import dataset as dataset_module
from coprodlib.demo import writer as demo
from coprodlib.errors import DataError
from coprodlib.workbook import fingerprints, jobs, report_folder, runner
from coprodlib.workbook.safe_names import case_file_name, inside

pytestmark = pytest.mark.xdist_group("runner")

_CASE_CODE = """\
import os, time
from pathlib import Path
import pandas as pd
import coprodlib as cp
cases = pd.read_csv(Path(dataset) / "cases.csv", dtype=str, keep_default_na=False)
title = dict(zip(cases["case_id"], cases["title"])).get(case_id, "")
print("case", case_id, "title", title)
cp.save_table(pd.DataFrame({"case_id": [case_id], "title": [title]}), "summary", output_dir)
if os.environ.get("COPROD_TEST_FAIL_CASE") == case_id:
    raise RuntimeError("simulated broken case")
if os.environ.get("COPROD_TEST_SLOW_CASE") == case_id:
    time.sleep(120)
"""
_OTHER_CODE = """\
import pandas as pd
import coprodlib as cp
cp.save_table(pd.DataFrame({"n": [1]}), "summary", output_dir)
"""


def fake_project(root: Path) -> Path:
    """A project folder whose notebooks are quick stand-ins for the real ones."""
    nb_dir = root / "notebooks"
    nb_dir.mkdir(parents=True)
    (root / "reports").mkdir()
    base = 'dataset = "demo"\noutput_dir = ""\n'
    for filename, _, per_case in jobs.NOTEBOOKS.values():
        params = base + ('case_id = "x"\n' if per_case else "")
        code = _CASE_CODE if per_case else _OTHER_CODE
        (nb_dir / filename).write_text(
            json.dumps(stand_in_notebook(params, code)), encoding="utf-8"
        )
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = fake_project(tmp_path / "project")
    monkeypatch.setenv("COPROD_ROOT", str(root))
    # other people may edit the library while these tests run: keep its digest still
    hold_library_digest(monkeypatch)
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def manifest_of(reports: Path) -> dict:
    return json.loads((reports / "manifest.json").read_text(encoding="utf-8"))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.hrefs += [v for k, v in attrs if tag == "a" and k == "href" and v]


def index_links(reports: Path) -> list[str]:
    parser = _Links()
    parser.feed((reports / "index.html").read_text(encoding="utf-8"))
    return parser.hrefs


# --------------------------------------------------------------------------- item 1: case ids


HOSTILE = [
    "{victim}",  # an absolute path climbing out of reports/ (filled in by the test)
    ".",
    "..",
    "a",
    "a.failed",
    "A",
    "a/b",
    "x" * 300,
    "Care #1?x=y",
    "con",
]


def test_case_file_names_are_safe_distinct_and_deterministic() -> None:
    ids = [i for i in HOSTILE if "{" not in i] + ["../../v", "/abs", "Ab", "aB", "ümlaut", ""]
    names = [case_file_name(i) for i in ids]
    assert len({n.casefold() for n in names}) == len(ids)  # distinct, even with case folded
    for name in names:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_~-]*", name), name
        assert len(name) <= 80 and "." not in name and "/" not in name
    assert case_file_name("de_city_marketing") == "de_city_marketing"  # plain ids unchanged
    assert case_file_name("a.failed") != "a" and not case_file_name("a.failed").startswith("a.")
    assert [case_file_name(i) for i in ids] == names  # the same on every call


def test_inside_refuses_paths_out_of_the_report_folder(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    (root / "cases").mkdir(parents=True)
    assert inside(root, root / "cases" / "a.html") == root / "cases" / "a.html"
    (root / "cases" / "link").symlink_to(tmp_path)
    for bad in (
        root / "cases" / ".." / ".." / "x",
        root / ".." / "x",
        Path("/etc/passwd"),
        root / "cases" / "link" / "x.html",
        root / "cases" / "..",
    ):
        with pytest.raises(DataError, match="outside"):
            inside(root, bad)


def test_hostile_case_ids_stay_inside_their_own_files(project, tmp_path, monkeypatch) -> None:
    """Every id writes its own files below reports/cases/, and nothing lands anywhere else."""
    victim = tmp_path / "outside"
    victim.mkdir()
    ids = [i.replace("{victim}", f"/../../../..{victim}/victim") for i in HOSTILE]
    data = demo.write_demo(tmp_path / "data", seed=7, n_cases=len(ids))
    plain = cp.load(data).case_ids
    rename = dict(zip(plain, ids, strict=True))
    real_load = dataset_module.load_folder

    def load_with_hostile_ids(folder):  # as if the contract let any id through
        ds = real_load(folder)
        for name in ("cases", "participants", "segments"):
            frame = getattr(ds, name).copy()
            frame["case_id"] = frame["case_id"].astype(str).map(rename)
            setattr(ds, name, frame)
        return ds

    monkeypatch.setattr(dataset_module, "load_folder", load_with_hostile_ids)
    reports = tmp_path / "reports"
    # leftovers of a killed run (which leaves its lock file too), and a name a case id
    # could be mistaken for
    (reports / "cases" / ".staging-killed").mkdir(parents=True)
    (reports / ".staging-killed-too").mkdir()
    (reports / "cases" / ".a.old").mkdir()
    (reports / report_folder.LOCK_NAME).write_text("")
    before = sorted(p.name for p in tmp_path.iterdir())

    results = runner.run(data, jobs=2, out_root=reports)

    assert [r.status for r in results] == ["ran"] * len(results), [r.error for r in results]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert list(victim.iterdir()) == []
    names = {i: case_file_name(i) for i in ids}
    expected = {f"{n}{suffix}" for n in names.values() for suffix in (".html", ".ipynb", "")}
    assert {p.name for p in (reports / "cases").iterdir()} == expected  # leftovers are gone
    for case_id, name in names.items():
        table = pd.read_csv(reports / "cases" / name / "tables" / "summary.csv", dtype=str)
        assert table["case_id"].tolist() == [case_id]  # each case has its own files
    assert not [p for p in reports.rglob("*") if p.name.startswith(".")]
    manifest = manifest_of(reports)
    assert set(manifest["notebooks"]) >= {f"cases/{i}" for i in ids}
    assert manifest["notebooks"][f"cases/{ids[0]}"]["outputs"][0] == f"cases/{names[ids[0]]}.ipynb"
    # the index links each case's own page, and every link opens a file of the report
    links = index_links(reports)
    for name in names.values():
        assert f"cases/{name}.html" in [unquote(h) for h in links]
    for href in links:
        assert (reports / unquote(href)).exists(), href
    # a second run finds everything in place
    again = runner.run(data, jobs=2, out_root=reports)
    assert {r.status for r in again} == {"skipped"}


# --------------------------------------------------------------------------- item 3: signals


def _start(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(check, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the run")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_run_and_the_manifest_matches_the_pages(
    project, tmp_path, signum
) -> None:
    """Change the data, run, stop it mid-run: what finished is recorded with the changed
    data, what did not keeps its page and entry; a rerun does the rest; after the data are
    reverted, the cases that finished with the changed data run again."""
    data = demo.write_demo(tmp_path / "data", seed=7, n_cases=3)
    first, second, slow = cp.load(data).case_ids
    reports = tmp_path / "reports"
    env = {**os.environ, "COPROD_ROOT": str(project), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "coprodlib.cli", "run", "--dataset", str(data)]
    cmd += ["--reports", str(reports)]
    library = fingerprints.library_digest()  # the subprocesses hash the real library
    assert subprocess.run([*cmd, "--jobs", "2"], env=env, capture_output=True).returncode == 0

    cases_csv = data / "cases.csv"
    original = cases_csv.read_text(encoding="utf-8")
    frame = pd.read_csv(cases_csv, dtype=str, keep_default_na=False)
    frame["title"] = "CHANGED " + frame["title"]
    frame.to_csv(cases_csv, index=False, lineterminator="\n")

    def page_of(case_id: str) -> str:
        return (reports / "cases" / f"{case_id}.html").read_text(encoding="utf-8")

    def second_recorded() -> bool:
        try:
            entry = manifest_of(reports)["notebooks"][f"cases/{second}"]
        except (OSError, ValueError, KeyError):
            return False
        return entry["status"] == "ran" and "CHANGED" in page_of(second)

    proc = _start([*cmd, "--jobs", "1"], {**env, "COPROD_TEST_SLOW_CASE": slow})
    _wait_for(second_recorded)
    time.sleep(2)  # the slow case's kernel is running now
    sent = time.monotonic()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 20, "the run went on after the signal"
    assert proc.returncode == 128 + signum, err
    assert "Traceback" not in out + err
    manifest = manifest_of(reports)
    assert manifest.get("interrupted") is True
    entries = manifest["notebooks"]
    for case_id in (first, second):  # finished with the changed data, and recorded so
        assert entries[f"cases/{case_id}"]["status"] == "ran"
        assert "CHANGED" in page_of(case_id)
    # the slow case did not finish: its page and its entry are those of the first run
    assert "CHANGED" not in page_of(slow)
    assert entries[f"cases/{slow}"]["fingerprint"]
    assert entries["cross_case"]["status"] == "ran" and entries["cross_case"]["fingerprint"]
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert f"cases/{slow}" in index and f"cases/{first}" in index
    assert not [p for p in reports.rglob("*") if p.name.startswith(".")]
    if signum != signal.SIGINT:
        return

    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    status = {k: v["status"] for k, v in manifest_of(reports)["notebooks"].items()}
    assert status[f"cases/{slow}"] == status["cross_case"] == "ran"  # what had not finished
    assert "CHANGED" in page_of(slow)
    if fingerprints.library_digest() == library:  # nobody edited the library meanwhile
        assert status[f"cases/{first}"] == status[f"cases/{second}"] == "skipped"

    cases_csv.write_text(original, encoding="utf-8")  # revert the data
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    status = {k: v["status"] for k, v in manifest_of(reports)["notebooks"].items()}
    assert {status[f"cases/{c}"] for c in (first, second, slow)} == {"ran"}
    for case_id in (first, second, slow):
        assert "CHANGED" not in page_of(case_id)


# --------------------------------------------------------------------------- item 5: errors


@pytest.fixture
def small_run(project, tmp_path) -> tuple[Path, Path]:
    data = demo.write_demo(tmp_path / "data", seed=7, n_cases=1)
    reports = tmp_path / "reports"
    results = runner.run(data, jobs=2, out_root=reports)
    assert {r.status for r in results} == {"ran"}
    return data, reports


def _cli_run(data: Path, reports: Path, *more: str) -> list[str]:
    return ["run", "--dataset", str(data), "--reports", str(reports), "--jobs", "2", *more]


@pytest.mark.parametrize(
    ("code", "words"), [(errno.ENOSPC, "no space left"), (errno.EACCES, "permission denied")]
)
def test_a_full_or_read_only_disk_is_one_line_and_keeps_the_report(
    small_run, monkeypatch, capsys, code, words
) -> None:
    data, reports = small_run
    manifest = manifest_of(reports)  # without its run digest the rerun looks job by job
    manifest.pop("run_digest", None)
    (reports / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    before = snapshot(reports)

    def refuse(path, text):
        raise OSError(code, os.strerror(code), str(Path(path).parent / ".manifest.json.x.tmp"))

    monkeypatch.setattr(report_folder, "write_text_atomic", refuse)
    assert main(_cli_run(data, reports)) == 1  # an unchanged rerun: only the record is written
    err = capsys.readouterr().err
    assert words in err and "manifest.json" in err
    assert ".tmp" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert snapshot(reports) == before
    monkeypatch.undo()
    hold_library_digest(monkeypatch)
    assert main(_cli_run(data, reports)) == 0  # the next run recovers


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_report_folder_is_one_line(small_run, capsys) -> None:
    data, reports = small_run
    before = snapshot(reports)
    folders = [reports, *[p for p in reports.rglob("*") if p.is_dir()]]
    for f in folders:
        f.chmod(0o555)
    try:
        assert main(_cli_run(data, reports)) == 1
    finally:
        for f in folders:
            f.chmod(0o755)
    err = capsys.readouterr().err
    assert "permission denied" in err and "Traceback" not in err
    assert snapshot(reports) == before
    assert main(_cli_run(data, reports)) == 0


def test_reports_naming_a_file_is_one_line(project, tmp_path, capsys) -> None:
    data = demo.write_demo(tmp_path / "data", seed=7, n_cases=1)
    target = tmp_path / "notes.txt"
    target.write_text("mine", encoding="utf-8")
    for where in (target, target / "sub"):
        assert main(_cli_run(data, where)) == 1
        err = capsys.readouterr().err
        assert "notes.txt" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert target.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "damage",
    ['{"notebooks": []}', "not json at all", "[1, 2]", '{"notebooks": {"data_check": 5}}', ""],
)
def test_a_damaged_manifest_counts_as_no_previous_run(tmp_path, damage) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(damage, encoding="utf-8")
    with pytest.warns(UserWarning, match="manifest.json"):
        assert report_folder.read_manifest(path) == {}


def test_a_damaged_manifest_is_a_warning_and_the_run_recovers(small_run, capsys) -> None:
    data, reports = small_run
    (reports / "manifest.json").write_text('{"notebooks": []}', encoding="utf-8")
    assert main(_cli_run(data, reports)) == 0
    out = capsys.readouterr()
    warning = [line for line in out.err.splitlines() if "manifest.json" in line]
    assert len(warning) == 1 and warning[0].startswith("warning:")
    assert "Traceback" not in out.err
    manifest = manifest_of(reports)
    assert {e["status"] for e in manifest["notebooks"].values()} == {"ran"}


# --------------------------------------------------------------------------- item 7: parameters


@pytest.mark.parametrize(
    ("param", "hint"),
    [("case_id=x", "--cases"), ("dataset=/other", "--dataset"), ("output_dir=/tmp", "--reports")],
)
def test_runner_parameters_cannot_be_overridden(tmp_path, capsys, param, hint) -> None:
    reports = tmp_path / "reports"
    assert main(["run", "--reports", str(reports), "-p", param]) == 2
    err = capsys.readouterr().err
    assert param.split("=")[0] in err and hint in err
    assert not reports.exists()
    with pytest.raises(ValueError, match=hint):
        jobs.plan_jobs(
            cp.load(), dataset=paths.demo_dir(), out_root=reports, extra=dict([param.split("=")])
        )


# --------------------------------------------------------------------------- item 8: folders


def test_two_datasets_of_one_name_get_two_report_folders(project, tmp_path) -> None:
    x = demo.write_demo(tmp_path / "x" / "subset", seed=7, n_cases=1)
    y = demo.write_demo(tmp_path / "y" / "subset", seed=8, n_cases=1)
    assert paths.reports_for(x) == project / "reports" / "subset"
    runner.run(x, jobs=2)
    assert manifest_of(project / "reports" / "subset")["dataset_key"] == paths.dataset_key(x)
    assert paths.reports_for(x) == project / "reports" / "subset"  # still its own
    other = paths.reports_for(y)
    assert other == project / "reports" / f"subset-{paths.dataset_key(y)[:8]}"
    # naming x's folder for y is refused before anything is written
    before = snapshot(project / "reports" / "subset")
    with pytest.raises(DataError, match="another dataset"):
        runner.run(y, out_root=project / "reports" / "subset")
    assert snapshot(project / "reports" / "subset") == before


def test_the_demo_keeps_reports_demo() -> None:
    root = paths.project_root()
    assert paths.reports_for(paths.demo_dir()) == root / "reports" / "demo"
    copy = Path("/elsewhere/demo")
    assert paths.reports_for(copy) == root / "reports" / f"demo-{paths.dataset_key(copy)[:8]}"


def test_cases_option_keeps_the_other_cases_and_failures_keep_the_last_good_outputs(
    project, tmp_path, monkeypatch
) -> None:
    data = demo.write_demo(tmp_path / "data", seed=7, n_cases=2)
    first, second = cp.load(data).case_ids
    reports = tmp_path / "reports"
    runner.run(data, jobs=2, out_root=reports)
    good = manifest_of(reports)["notebooks"][f"cases/{second}"]["outputs"]

    runner.run(data, jobs=2, out_root=reports, cases=[first])
    notebooks = manifest_of(reports)["notebooks"]
    assert notebooks[f"cases/{second}"]["outputs"] == good  # the other case is kept
    assert notebooks[f"cases/{second}"]["fingerprint"]
    assert f"cases/{second}" in (reports / "index.html").read_text(encoding="utf-8")
    status = {r.key: r.status for r in runner.run(data, jobs=2, out_root=reports)}
    assert status[f"cases/{second}"] == "skipped"  # a plain run does not redo it

    monkeypatch.setenv("COPROD_TEST_FAIL_CASE", second)
    for i in range(2):  # failures in a row (after the first, only the failed case runs)
        res = {r.key: r for r in runner.run(data, jobs=2, out_root=reports, force=i == 0)}
        assert res[f"cases/{second}"].status == "failed"
        entry = manifest_of(reports)["notebooks"][f"cases/{second}"]
        assert entry["status"] == "failed" and entry["last_good_outputs"] == good
    for name in good:
        assert (reports / name).exists()


def test_a_folder_of_the_users_own_files_is_refused_and_left_alone(tmp_path):
    from coprodlib.errors import DataError
    from coprodlib.workbook.report_folder import holding

    mine = tmp_path / "thesis"
    (mine / ".notes.old").mkdir(parents=True)
    (mine / ".notes.old" / "idea.txt").write_text("keep me")
    (mine / ".draft.tmp").write_text("keep me too")
    (mine / "thesis.docx").write_text("chapter one")
    before = sorted(str(p.relative_to(mine)) for p in mine.rglob("*"))
    with (
        pytest.raises(DataError, match="holds other files and no manifest.json"),
        holding(mine, tmp_path / "dataset", label="the dataset"),
    ):
        pass
    assert sorted(str(p.relative_to(mine)) for p in mine.rglob("*")) == before
    # an empty folder, or a new one, is fine
    (tmp_path / "empty").mkdir()
    with holding(tmp_path / "empty", tmp_path / "dataset", label="the dataset"):
        pass


def _flaky_start(monkeypatch, failures: int, message: str) -> list[int]:
    """papermill.execute_notebook failing ``failures`` times as a kernel that died at start
    does, then running for real; returns the list of calls made."""
    import papermill

    real, calls = papermill.execute_notebook, []

    def execute(*args, **kwargs):
        calls.append(1)
        if len(calls) <= failures:
            raise RuntimeError(message)
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    return calls


def _stand_in(tmp_path: Path) -> Path:
    nb = tmp_path / "nb.ipynb"
    nb.write_text(json.dumps(stand_in_notebook('output_dir = ""', "x = 1 + 1")), "utf-8")
    return nb


@pytest.mark.parametrize(
    "message", ["Kernel died before replying to kernel_info", "Kernel didn't respond in 60 seconds"]
)
def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch, message):
    # as when another process takes one of the kernel's ports before it binds them
    from jupyter_client.manager import AsyncKernelManager

    from coprodlib.workbook.executing import KERNEL_STARTS, run_notebook

    calls = _flaky_start(monkeypatch, KERNEL_STARTS - 1, message)
    ran = run_notebook(_stand_in(tmp_path), tmp_path, name="nb", parameters={},
                       final_output_dir="", show_code=False, manager=AsyncKernelManager)  # fmt: skip
    assert ran.error == "" and len(calls) == KERNEL_STARTS
    assert (tmp_path / "nb.html").is_file()

    calls = _flaky_start(monkeypatch, KERNEL_STARTS, message)  # dies every time: the job fails
    ran = run_notebook(_stand_in(tmp_path), tmp_path, name="nb2", parameters={},
                       final_output_dir="", show_code=False, manager=AsyncKernelManager)  # fmt: skip
    assert message in ran.error and len(calls) == KERNEL_STARTS


def test_a_stopped_run_does_not_start_a_kernel_again(tmp_path, monkeypatch):
    from jupyter_client.manager import AsyncKernelManager

    from coprodlib.workbook.executing import run_notebook

    calls = _flaky_start(monkeypatch, 1, "Kernel died before replying to kernel_info")
    ran = run_notebook(_stand_in(tmp_path), tmp_path, name="nb", parameters={},
                       final_output_dir="", show_code=False, manager=AsyncKernelManager,
                       may_restart=lambda: False)  # fmt: skip
    assert "before replying" in ran.error and len(calls) == 1
