"""The batch runner behind ``coprod run``: papermill over every case and the synthesis notebooks.

Each notebook run is a :class:`Job`. A job is skipped when its fingerprint (the notebook file,
its parameters, the slice of the dataset it reads and the library's own source) equals the one
recorded in the manifest of its last successful run. Jobs run in a thread pool: each thread
drives its own kernel subprocess, so the work is parallel where it matters.

Every job writes into a staging folder next to its final place and is moved into place only
when it succeeded, so a failed or interrupted run never leaves a half-written report or removes
the previous good one. The manifest is rewritten after every page that is moved into place:
its entry is cleared first and written anew once the page is there, so the manifest never
records a page under inputs it was not made from, even when the run is killed.

A case id is never used as a path: its files are named by
:func:`~coprodlib.workbook.safe_names.case_file_name`, and every path the runner writes,
renames or removes is checked to lie inside the report folder. SIGINT (Ctrl-C) and SIGTERM
stop the run within seconds: no notebook is started any more, the running kernels are
killed, what finished is recorded in the manifest and the index, and :class:`RunInterrupted`
is raised.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._io import write_text_atomic
from ..errors import fail
from ..paths import dataset_key, notebooks_dir, project_root, reports_for
from .fingerprints import case_digests, file_digest, library_digest, public_files, sha
from .pages import write_index
from .paper import PAPER_DIR, write_paper_kit
from .report_folder import Manifest, holding, read_manifest, shown_path, writing
from .safe_names import case_file_name, inside, remove_inside
from .stopping import RunInterrupted, Stopper

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "Job",
    "JobResult",
    "plan_jobs",
    "run",
    "summary_table",
    "refresh_notebooks",
    "NOTEBOOKS",
    "RUNNER_PARAMETERS",
    "RunInterrupted",
    "cell_seconds",
]

#: The notebooks a batch run executes, by report name: (file, needs, per_case).
#: ``needs`` names the dataset table the notebook cannot do without, skipped when that table
#: is absent or empty (None: always runs).
NOTEBOOKS: dict[str, tuple[str, str | None, bool]] = {
    "data_check": ("00_data_check.ipynb", None, False),
    "cases": ("10_case.ipynb", None, True),
    "cross_case": ("20_cross_case.ipynb", "cases", False),
    "survey": ("30_survey.ipynb", "survey", False),
    "reliability": ("40_reliability.ipynb", "double_coding", False),
}


def _holds(ds: Any, table: str) -> bool:
    """Whether the dataset has rows in ``table`` (a survey-only dataset has no cases)."""
    frame = getattr(ds, table, None)
    return frame is not None and len(frame) > 0


#: Dataset files that concern every notebook (mapping and extension of the codebook).
_SHARED_FILES = ("code_map", "codebook_extension", "dataset")
#: Notebook parameters the runner sets itself; ``--param`` may not override them.
RUNNER_PARAMETERS: dict[str, str] = {
    "case_id": "choose the cases with --cases",
    "dataset": "choose the dataset with --dataset",
    "output_dir": "choose the report folder with --reports",
}


@dataclass
class Job:
    """One notebook execution: which notebook, with which parameters, written where.

    ``key`` names the job in the manifest and the index (``cases/<case id>`` for a case,
    whatever the id holds); ``name`` is the file name its reports are written under, never
    the raw case id (see :func:`~coprodlib.workbook.safe_names.case_file_name`).
    """

    key: str
    notebook: Path
    parameters: dict[str, Any]
    out_dir: Path
    name: str
    fingerprint: str = ""

    @property
    def stem(self) -> str:
        """The reports' path relative to the report folder, without suffix (``cases/x``)."""
        return f"cases/{self.name}" if self.key.startswith("cases/") else self.name

    @property
    def ipynb(self) -> Path:
        return self.out_dir / f"{self.name}.ipynb"

    @property
    def html(self) -> Path:
        return self.out_dir / f"{self.name}.html"

    @property
    def assets(self) -> Path:
        return self.out_dir / self.name


@dataclass
class JobResult:
    """What became of one job.

    ``status`` is ``"ran"``, ``"skipped"`` (unchanged since its last good run), ``"failed"``
    or ``"interrupted"`` (stopped by a signal, or never started: its previous report and
    manifest entry are kept). ``stem`` is the path of its files relative to the report
    folder without suffix, a safe file name (``cases/<name>``), for links to them.
    ``seconds`` is the wall time in the runner; ``cell_seconds`` the sum of the notebook's
    cells' execution times as papermill records them (``None`` when it did not run), so
    that ``seconds - cell_seconds`` is what the notebook cost besides its cells (kernel
    start, papermill, the HTML page).
    """

    key: str
    status: str
    seconds: float
    error: str = ""
    fingerprint: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    stem: str = ""
    cell_seconds: float | None = None


# --------------------------------------------------------------------------- planning


def _display_dataset(folder: Path) -> str:
    """How a dataset is named in notebook parameters: relative to the project when inside it."""
    try:
        rel = folder.resolve().relative_to(project_root())
    except ValueError:
        return str(folder)
    return "demo" if rel == Path("data/demo") else rel.as_posix()


def _notebook_defaults(path: Path) -> dict[str, Any]:
    """The names assigned in the notebook's cell tagged ``parameters``, with their defaults.

    Read from the notebook's JSON with :mod:`ast`, as papermill does, but without importing
    papermill and nbformat (whose schema machinery costs seconds): a rerun with nothing to do
    must stay quick. A default that is not a plain literal is given as ``None``.
    """
    import ast

    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        found: dict[str, Any] = {}
        for node in ast.parse(source).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    try:
                        found[t.id] = ast.literal_eval(node.value)
                    except (ValueError, TypeError, SyntaxError):
                        found[t.id] = None
        return found
    return {}


def _typed_value(key: str, value: Any, default: Any) -> Any:
    """A ``--param`` value (text from the command line) as the type of the notebook's default."""
    if not isinstance(value, str) or default is None or isinstance(default, str):
        return value
    import ast

    try:
        parsed = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        lowered = value.strip().lower()
        parsed = {"true": True, "false": False}.get(lowered, value)
    ok = isinstance(parsed, type(default))
    if isinstance(default, float) and isinstance(parsed, int) and not isinstance(parsed, bool):
        parsed, ok = float(parsed), True
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(parsed, bool):
        ok = False
    if not ok:
        raise ValueError(
            f"--param {key}={value}: the notebooks expect {type(default).__name__} "
            f"(default {default!r}), e.g. {key}={default!r}"
        )
    return parsed


def _selected_cases(known: list[str], cases: Sequence[str] | None) -> list[str]:
    """The cases ``--cases`` asks for, in the dataset's order; all of them without it."""
    if not cases:
        return known
    unknown = [c for c in cases if c not in set(known)]
    if unknown:
        raise ValueError(
            f"--cases names {', '.join(map(repr, unknown))}, which the dataset does not "
            f"have; its cases are: {', '.join(known)}"
        )
    return [c for c in known if c in set(cases)]


def _check_extra(extra: dict[str, Any]) -> None:
    """Refuse ``--param`` values for the parameters the runner sets itself."""
    owned = [k for k in extra if k in RUNNER_PARAMETERS]
    if owned:
        hints = "; ".join(f"{k}: {RUNNER_PARAMETERS[k]}" for k in owned)
        raise ValueError(
            f"--param {', '.join(owned)}: set by coprod run itself and cannot be given as a "
            f"notebook parameter ({hints})"
        )


def _file_names(case_ids: Sequence[str]) -> dict[str, str]:
    """Each case's file name; refuses the (astronomically unlikely) case of two ids sharing one."""
    names = {c: case_file_name(c) for c in case_ids}
    seen: dict[str, str] = {}
    for case_id, name in names.items():
        other = seen.setdefault(name.casefold(), case_id)
        if other != case_id:
            raise fail(
                "cases",
                "case ids that give different file names; rename one of the two",
                value=f"{other}, {case_id}",
                column="case_id",
            )
    return names


def plan_jobs(
    ds: Dataset,
    *,
    dataset: Path,
    out_root: Path,
    cases: Sequence[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Job]:
    """Build the list of jobs for a dataset.

    Parameters
    ----------
    ds : Dataset
        The loaded, valid dataset.
    dataset : Path
        Its folder, already resolved.
    out_root : Path
        The report folder the jobs write into.
    cases : sequence of str, optional
        The case ids to plan case notebooks for (default: every case).
    extra : dict, optional
        Notebook parameters given with ``--param``, passed to every notebook declaring them.

    Returns
    -------
    list of Job
        The data check, one case notebook per case, then the synthesis notebooks.

    Raises
    ------
    ValueError
        For an unknown case or parameter, a parameter the runner sets itself
        (:data:`RUNNER_PARAMETERS`) or a value of the wrong type.
    """
    extra = dict(extra or {})
    _check_extra(extra)
    nb_dir = notebooks_dir()
    lib = library_digest()
    shared = file_digest(dataset, _SHARED_FILES)
    everything = file_digest(dataset)
    ds_param = _display_dataset(dataset)

    known_cases = sorted(ds.cases["case_id"].astype(str))
    selected = _selected_cases(known_cases, cases)
    file_names = _file_names(known_cases)

    jobs: list[Job] = []
    declared_any: set[str] = set()
    for key, (filename, needs, per_case) in NOTEBOOKS.items():
        path = nb_dir / filename
        if not path.exists():
            continue
        if needs is not None and not _holds(ds, needs):
            continue
        defaults = _notebook_defaults(path)
        declared = set(defaults)
        declared_any |= declared
        nb_bytes = path.read_bytes()
        own_extra = {k: _typed_value(k, v, defaults[k]) for k, v in extra.items() if k in declared}
        if per_case:
            digests = case_digests(ds)
            for case_id in selected:
                params = {"case_id": case_id, "dataset": ds_param, **own_extra}
                fp = sha(
                    [
                        nb_bytes,
                        json.dumps(params, sort_keys=True).encode(),
                        lib.encode(),
                        shared.encode(),
                        digests[case_id].encode(),
                    ]
                )
                name = file_names[case_id]
                jobs.append(Job(f"cases/{case_id}", path, params, out_root / "cases", name, fp))
        else:
            params = {"dataset": ds_param, **own_extra}
            fp = sha(
                [
                    nb_bytes,
                    json.dumps(params, sort_keys=True).encode(),
                    lib.encode(),
                    everything.encode(),
                ]
            )
            jobs.append(Job(key, path, params, out_root, key, fp))
    unknown_params = sorted(set(extra) - declared_any)
    if unknown_params:
        raise ValueError(
            f"unknown notebook parameter(s) {', '.join(map(repr, unknown_params))}; the notebooks "
            f"declare: {', '.join(sorted(declared_any - set(RUNNER_PARAMETERS)))}"
        )
    return jobs


# --------------------------------------------------------------------------- one notebook


@dataclass
class _Outcome:
    """A job's result, and its files waiting in the staging folder to be moved into place."""

    result: JobResult
    staging: Path | None = None


def _execute(job: Job, *, show_code: bool, stopper: Stopper, root: Path) -> _Outcome:
    """Run one notebook into a staging folder beside its final place (nothing is moved yet)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .pages import notebook_to_html

    start = time.perf_counter()
    params = {**job.parameters, "output_dir": shown_path(job.assets)}

    def result(status: str, error: str = "") -> JobResult:
        seconds = time.perf_counter() - start
        return JobResult(job.key, status, seconds, error, parameters=params, stem=job.stem)

    if stopper.stopped:
        return _Outcome(result("interrupted"))
    folder = inside(root, job.out_dir / job.name).parent
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    assets = staging / job.name
    staged_params = {**params, "output_dir": shown_path(assets)}
    staged_nb = staging / f"{job.name}.ipynb"
    try:
        papermill.execute_notebook(
            str(job.notebook),
            str(staged_nb),
            parameters=staged_params,
            kernel_name="python3",
            progress_bar=False,
            # one write at the end instead of one (schema-validated) per cell: the
            # runner's own CPU time competes with the kernels on a small machine
            request_save_on_cell_execute=False,
            cwd=str(job.notebook.parent),
            kernel_manager_class=stopper.kernel_manager_class(),
        )
    except Exception as exc:
        if stopper.stopped:  # its kernel was killed: not a failure of the notebook
            return _Outcome(result("interrupted"), staging)
        if isinstance(exc, OSError):  # full disk, read-only folder: stops the run
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if isinstance(exc, PapermillExecutionError):
            error = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}".strip()
        else:  # kernel died, notebook unreadable, ...
            error = f"{type(exc).__name__}: {exc}"
        return _Outcome(result("failed", error), staging)
    nb = nbformat.read(staged_nb, as_version=4)
    _show_final_output_dir(nb, staged_params["output_dir"], params["output_dir"])
    nbformat.write(nb, staged_nb)
    (staging / f"{job.name}.html").write_text(
        notebook_to_html(nb, show_code=show_code), encoding="utf-8"
    )
    done = result("ran")
    done.fingerprint = job.fingerprint
    done.cell_seconds = cell_seconds(nb)
    return _Outcome(done, staging)


def cell_seconds(nb: Any) -> float:
    """The sum of the execution times papermill recorded for a notebook's code cells."""
    total = 0.0
    for cell in nb.cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if isinstance(duration, (int, float)) and not isinstance(duration, bool):
            total += float(duration)
    return total


def _show_final_output_dir(nb: Any, staged: str, final: str) -> None:
    """The executed notebook shows where its files ended up, not the staging folder (in
    the injected parameters and in papermill's record of them)."""
    recorded = nb.metadata.get("papermill", {}).get("parameters", {})
    for key, value in list(recorded.items()):
        if isinstance(value, str) and staged in value:
            recorded[key] = value.replace(staged, final)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(repr(staged), repr(final)).replace(
                json.dumps(staged), json.dumps(final)
            )


# --------------------------------------------------------------------------- into place


def _move(root: Path, source: Path, target: Path) -> None:
    """Rename ``source`` over ``target``; both must lie inside the report folder ``root``."""
    os.replace(inside(root, source), inside(root, target))


def _replace_dir(root: Path, staged: Path, final: Path) -> None:
    """Put ``staged`` where ``final`` is, keeping the old one until the new one is in place."""
    old = final.with_name(f".{final.name}.old")
    remove_inside(root, old)
    if final.exists() or final.is_symlink():
        _move(root, final, old)
    _move(root, staged, final)
    remove_inside(root, old)


def _entry(res: JobResult, last_good: list[str] | None = None) -> dict[str, Any]:
    """The manifest entry of a result; only a good result keeps its fingerprint."""
    entry: dict[str, Any] = {
        "status": res.status,
        "seconds": round(res.seconds, 3),
        "parameters": res.parameters,
        "outputs": res.outputs,
        "fingerprint": res.fingerprint if res.status in ("ran", "skipped") else "",
    }
    if res.cell_seconds is not None:  # overhead made visible: the wall time minus the cells'
        entry["cell_seconds"] = round(res.cell_seconds, 3)
        entry["overhead_seconds"] = round(max(res.seconds - res.cell_seconds, 0.0), 3)
    if res.error:
        entry["error"] = res.error
    if last_good is not None:
        entry["last_good_outputs"] = last_good
    return entry


def _good_outputs(entry: dict[str, Any]) -> list[str]:
    """The outputs of the last good run a manifest entry knows of (any failures since)."""
    if entry.get("status") in ("ran", "skipped"):
        return list(entry.get("outputs", []))
    return list(entry.get("last_good_outputs", []))


def _commit(outcome: _Outcome, job: Job, record: Manifest, root: Path) -> JobResult:
    """Move a finished job's files into place and record it (in the main thread, one at a time).

    A good run: its manifest entry is cleared, its files moved into place, then the entry is
    written with its fingerprint. A failure: the failed notebook is put beside the last good
    report, which stays. An interrupted job: nothing moves and its previous entry stays.
    """
    res, staging = outcome.result, outcome.staging
    try:
        if res.status == "interrupted" or staging is None:
            return res
        last_good = _good_outputs(record.entry(job.key))
        failed = job.out_dir / f"{job.name}.failed.ipynb"
        staged_nb = staging / f"{job.name}.ipynb"
        with writing(job.out_dir):
            if res.status == "failed":
                if staged_nb.exists():
                    _move(root, staged_nb, failed)
                record.put(job.key, _entry(res, last_good))
                return res
            record.put(job.key, _entry(replace(res, status="replacing"), last_good))
            if (staging / job.name).exists():
                _replace_dir(root, staging / job.name, job.assets)
            _move(root, staged_nb, job.ipynb)
            _move(root, staging / f"{job.name}.html", job.html)
            remove_inside(root, failed)
            files = [job.ipynb, job.html]
            if job.assets.is_dir():
                files += sorted(p for p in job.assets.rglob("*") if p.is_file())
            res.outputs = [p.relative_to(root).as_posix() for p in files]
            record.put(job.key, _entry(res))
        return res
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------- the run


def _skip(job: Job, prev: dict[str, Any], force: bool) -> JobResult | None:
    """The result of a job that need not run (unchanged since its last good run), else None."""
    if (
        force
        or prev.get("status") not in ("ran", "skipped")
        or prev.get("fingerprint") != job.fingerprint
        or not job.ipynb.exists()
        or not job.html.exists()
    ):
        return None
    return JobResult(
        job.key,
        "skipped",
        0.0,
        fingerprint=job.fingerprint,
        parameters=prev.get("parameters", job.parameters),
        outputs=prev.get("outputs", []),
        stem=job.stem,
    )


def _kept(job: Job, prev: dict[str, Any]) -> JobResult:
    """The index row of a job this run did not select (`--cases`): its last record, if any."""
    return JobResult(
        job.key,
        str(prev.get("status", "not run")),
        float(prev.get("seconds", 0.0)),
        str(prev.get("error", "")),
        str(prev.get("fingerprint", "")),
        dict(prev.get("parameters", {})),
        list(prev.get("outputs", [])),
        stem=job.stem,
    )


def _execute_all(
    todo: list[Job],
    results: dict[str, JobResult],
    *,
    workers: int,
    show_code: bool,
    record: Manifest,
    root: Path,
    stopper: Stopper,
    progress: Callable[[JobResult], None] | None,
) -> None:
    """Run the jobs in a thread pool and commit each as it ends; stop early on a signal."""
    pool = ThreadPoolExecutor(max_workers=workers)
    futures: dict[Future[_Outcome], Job] = {}
    try:
        for job in todo:
            with writing(job.out_dir):
                inside(root, job.out_dir / job.name).parent.mkdir(parents=True, exist_ok=True)
            futures[pool.submit(_execute, job, show_code=show_code, stopper=stopper, root=root)] = (
                job
            )
        for fut in as_completed(futures):
            if fut.cancelled():
                continue
            job = futures[fut]
            with writing(job.out_dir):
                outcome = fut.result()
            res = results[job.key] = _commit(outcome, job, record, root)
            if progress:
                progress(res)
            if stopper.stopped:
                for other in futures:
                    other.cancel()
    except BaseException:
        stopper.stop()  # the runner itself failed: kill the kernels still running
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run(
    dataset: Path,
    *,
    cases: Sequence[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    show_code: bool = False,
    out_root: Path | None = None,
    extra: dict[str, Any] | None = None,
    progress: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Execute the notebooks for a dataset folder and write its report folder.

    Parameters
    ----------
    dataset : Path
        The dataset folder, already resolved by the caller (the command line, or
        :func:`coprodlib.paths.resolve_dataset`).
    cases : sequence of str, optional
        Run the case notebook of these cases only; the other cases keep their reports and
        their entries in the manifest and the index.
    jobs : int, optional
        Notebooks run at the same time (default: the number of cores).
    force : bool
        Run every notebook, even those unchanged since their last good run.
    show_code : bool
        Keep the code cells in the HTML pages.
    out_root : Path, optional
        The report folder (default :func:`coprodlib.paths.reports_for`: one per dataset).
    extra : dict, optional
        Notebook parameters (``--param``) for every notebook that declares them.
    progress : callable, optional
        Called with each :class:`JobResult` as soon as it is known.

    Returns
    -------
    list of JobResult
        One per notebook this run planned, in plan order.

    Raises
    ------
    DataError
        Before anything is written when the dataset is invalid; when the report folder
        cannot be used (a file, read-only, full, another dataset's, held by another run).
    ValueError
        For an unknown case or parameter, or a parameter the runner sets itself.
    RunInterrupted
        After SIGINT or SIGTERM, once the manifest and the index record what finished.
    """
    from ..contract.dataset import load_folder

    folder = Path(dataset)
    ds = load_folder(folder)  # validates: a broken dataset stops here, before reports/ is touched
    out_root = Path(out_root) if out_root is not None else reports_for(folder)
    everything = plan_jobs(ds, dataset=folder, out_root=out_root, extra=extra)
    chosen = {f"cases/{c}" for c in _selected_cases(ds.case_ids, cases)}
    planned = [j for j in everything if not j.key.startswith("cases/") or j.key in chosen]
    label = _display_dataset(folder)
    stopper = Stopper()
    with holding(out_root, folder, label=label):
        manifest_path = out_root / "manifest.json"
        known = {j.key for j in everything}
        previous = {k: v for k, v in read_manifest(manifest_path).items() if k in known}
        results: dict[str, JobResult] = {}
        todo = []
        for job in planned:
            skipped = _skip(job, previous.get(job.key, {}), force)
            if skipped is None:
                todo.append(job)
                continue
            results[job.key] = skipped
            if progress:
                progress(skipped)
        workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
        record = Manifest(manifest_path, _header(folder, ds, jobs=workers), previous)
        for res in results.values():
            record.put(res.key, _entry(res), write=False)
        with stopper.handling_signals():
            if todo:
                _execute_all(
                    todo,
                    results,
                    workers=workers,
                    show_code=show_code,
                    record=record,
                    root=out_root,
                    stopper=stopper,
                    progress=progress,
                )
            for job in planned:
                res = results.setdefault(job.key, JobResult(job.key, "interrupted", 0.0))
                if res.status == "interrupted":
                    res.stem = job.stem
                    res.error = "stopped before it finished; a page linked is from an earlier run"
            record.write(interrupted=stopper.stopped)
            shown = [results.get(j.key) or _kept(j, record.entry(j.key)) for j in everything]
            with writing(out_root / "index.html"):
                write_index(out_root, ds, shown, dataset_label=label)
            ran = any(r.status == "ran" for r in results.values())
            if not stopper.stopped and (ran or not (out_root / PAPER_DIR).is_dir()):
                with writing(out_root / PAPER_DIR):
                    write_paper_kit(out_root, ds, shown)
    ordered = [results[job.key] for job in planned]
    if stopper.stopped:
        raise RunInterrupted(stopper.signum or int(signal.SIGINT), ordered)
    return ordered


def _header(folder: Path, ds: Dataset, *, jobs: int) -> dict[str, Any]:
    """The manifest's fields other than the notebook entries (no private file is named)."""
    return {
        "dataset": _display_dataset(folder),
        "dataset_key": dataset_key(folder),
        "synthetic": bool(getattr(ds, "synthetic", False)),
        "coprodlib": __version__,
        "versions": _versions(),
        "inputs": {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in public_files(folder)
        },
        "jobs": jobs,
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = [
        "coprodlib",
        "pandas",
        "numpy",
        "scipy",
        "matplotlib",
        "seaborn",
        "pingouin",
        "statsmodels",
        "papermill",
        "nbconvert",
        "pandera",
        "krippendorff",
    ]
    out: dict[str, str] = {"python": sys.version.split()[0]}
    for n in names:
        try:
            out[n] = version(n)
        except PackageNotFoundError:
            out[n] = "not installed"
    return out


# --------------------------------------------------------------------------- summary


def summary_table(results: Sequence[JobResult]) -> str:
    """A plain-text table of what ran, what was skipped and what failed, with seconds."""
    width = max([len(r.key) for r in results] + [8])
    lines = [f"{'notebook':<{width}}  {'status':<8}  {'seconds':>8}  error"]
    lines.append("-" * len(lines[0]))
    for r in results:
        lines.append(f"{r.key:<{width}}  {r.status:<8}  {r.seconds:>8.1f}  {r.error}")
    counts = {s: sum(r.status == s for r in results) for s in ("ran", "skipped", "failed")}
    lines.append(f"\n{counts['ran']} ran, {counts['skipped']} skipped, {counts['failed']} failed")
    return "\n".join(lines)


# --------------------------------------------------------------------------- committed notebooks


def refresh_notebooks(paths: Sequence[Path] | None = None) -> list[Path]:
    """Re-execute notebooks in place with their default parameters (the committed outputs).

    Uses the ``python3`` kernel of the running environment, runs in the notebooks' folder as
    nbval does, and records no timings, so an unchanged notebook is rewritten byte for byte.
    """
    import nbformat
    from nbclient import NotebookClient

    nb_paths = sorted(paths) if paths else sorted(notebooks_dir().glob("*.ipynb"))
    for path in nb_paths:
        nb = nbformat.read(path, as_version=4)
        nb.metadata["kernelspec"] = {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        }
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=600,
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        nb.metadata.pop("papermill", None)
        write_text_atomic(path, nbformat.writes(nb) + "\n")
    return nb_paths
