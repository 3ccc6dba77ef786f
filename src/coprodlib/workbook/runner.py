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

import contextlib
import hashlib
import os
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._io import write_text_atomic
from ..paths import dataset_key, notebooks_dir, reports_for
from .fingerprints import public_files
from .jobs import NOTEBOOKS, Job, JobResult, display_dataset, not_planned, plan_jobs, selected_cases
from .report_folder import Manifest, holding, read_manifest, writing
from .safe_names import case_file_name, inside, remove_inside
from .stopping import RunInterrupted, Stopper
from .unchanged import run_digest, unchanged_entries

if TYPE_CHECKING:
    from ..contract.dataset import Dataset
    from .executing import Outcome
    from .warm_kernels import ForkServer

__all__ = ["run", "summary_table", "refresh_notebooks"]

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
    if res.kernel:
        entry["kernel"] = res.kernel
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


def _commit(outcome: Outcome, job: Job, record: Manifest, root: Path) -> JobResult:
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


def _make_job_folder(root: Path, job: Job) -> None:
    """The folder a job's staging folder and files go in (inside the report folder)."""
    with writing(job.out_dir):
        inside(root, job.out_dir / job.name).parent.mkdir(parents=True, exist_ok=True)


def _execute_all(
    todo: list[Job],
    results: dict[str, JobResult],
    *,
    workers: int,
    show_code: bool,
    record: Manifest,
    root: Path,
    stopper: Stopper,
    forks: ForkServer | None,
    progress: Callable[[JobResult], None] | None,
) -> None:
    """Run the jobs in a thread pool and commit each as it ends; stop early on a signal."""
    from .executing import execute

    pool = ThreadPoolExecutor(max_workers=workers)
    futures: dict[Future[Outcome], Job] = {}
    try:
        for job in todo:
            _make_job_folder(root, job)
            fut = pool.submit(
                execute, job, show_code=show_code, stopper=stopper, root=root, forks=forks
            )
            futures[fut] = job
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


def _execute_on_cluster(
    client: Any,
    todo: list[Job],
    results: dict[str, JobResult],
    *,
    show_code: bool,
    record: Manifest,
    root: Path,
    dataset: Path,
    stopper: Stopper,
    progress: Callable[[JobResult], None] | None,
) -> None:
    """Run the jobs as tasks on a Dask cluster and commit each as it comes back."""
    from .cluster import outcomes

    for job in todo:
        _make_job_folder(root, job)
    try:
        for job, outcome in outcomes(
            client, todo, show_code=show_code, root=root, dataset=dataset, stopper=stopper
        ):
            with writing(job.out_dir):
                res = results[job.key] = _commit(outcome, job, record, root)
            if progress:
                progress(res)
    except BaseException:
        stopper.stop()
        raise


def _unchanged(out_root: Path, digest: str) -> list[JobResult] | None:
    """Every planned job skipped, when the last run had this digest and left all its files."""
    entries = unchanged_entries(out_root, digest)
    if entries is None:
        return None
    results = []
    for key, entry in entries:
        stem = f"cases/{case_file_name(key[6:])}" if key.startswith("cases/") else key
        results.append(
            JobResult(
                key,
                "skipped",
                0.0,
                fingerprint=str(entry.get("fingerprint", "")),
                parameters=dict(entry.get("parameters", {})),
                outputs=list(entry.get("outputs", [])),
                stem=stem,
            )
        )
    return results


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
    warm: bool = True,
    scheduler: str | None = None,
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
    warm : bool
        Fork each notebook's kernel from a process that has already imported the workbook's
        libraries (:mod:`coprodlib.workbook.warm_kernels`; where ``os.fork`` exists). False
        starts every kernel cold, as plain papermill does.
    scheduler : str, optional
        The address of a Dask distributed scheduler (``tcp://host:8786``): the notebooks run
        as tasks on its workers (:mod:`coprodlib.workbook.cluster`), and ``jobs`` and ``warm``
        do not apply; the reports are written here as for a local run.

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
    folder = Path(dataset)
    out_root = Path(out_root) if out_root is not None else reports_for(folder)
    digest = run_digest(
        folder,
        out_root,
        notebooks=[filename for filename, _, _ in NOTEBOOKS.values()],
        cases=cases,
        extra=extra,
        show_code=show_code,
    )
    if not force:  # nothing changed since a run that ended well: answer without pandas
        quick = _unchanged(out_root, digest)
        if quick is not None:
            for res in quick:
                if progress:
                    progress(res)
            return quick
    with contextlib.ExitStack() as stack:
        forks = client = None
        if scheduler:
            from .cluster import connect

            client = stack.enter_context(connect(scheduler))
        elif warm:
            from .warm_kernels import ForkServer, warm_available

            if warm_available():  # it imports while the dataset is read and checked
                forks = stack.enter_context(ForkServer(datasets=[folder]))
        return _run_loaded(
            folder,
            out_root,
            digest=digest,
            cases=cases,
            jobs=jobs,
            force=force,
            show_code=show_code,
            extra=extra,
            progress=progress,
            forks=forks,
            client=client,
        )


def _run_loaded(
    folder: Path,
    out_root: Path,
    *,
    digest: str,
    cases: Sequence[str] | None,
    jobs: int | None,
    force: bool,
    show_code: bool,
    extra: dict[str, Any] | None,
    progress: Callable[[JobResult], None] | None,
    forks: ForkServer | None,
    client: Any = None,
) -> list[JobResult]:
    """:func:`run` once it knows there may be work: load, plan, execute, record."""
    from ..contract.dataset import load_folder
    from .pages import write_index
    from .paper import PAPER_DIR, write_paper_kit

    ds = load_folder(folder)  # validates: a broken dataset stops here, before reports/ is touched
    everything = plan_jobs(ds, dataset=folder, out_root=out_root, extra=extra, show_code=show_code)
    chosen = {f"cases/{c}" for c in selected_cases(ds.case_ids, cases)}
    planned = [j for j in everything if not j.key.startswith("cases/") or j.key in chosen]
    label = display_dataset(folder)
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
            if todo and client is not None:
                _execute_on_cluster(
                    client,
                    todo,
                    results,
                    show_code=show_code,
                    record=record,
                    root=out_root,
                    dataset=folder,
                    stopper=stopper,
                    progress=progress,
                )
            elif todo:
                _execute_all(
                    todo,
                    results,
                    workers=workers,
                    show_code=show_code,
                    record=record,
                    root=out_root,
                    stopper=stopper,
                    forks=forks,
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
                write_index(out_root, ds, shown, dataset_label=label, not_run=not_planned(ds))
            ran = any(r.status == "ran" for r in results.values())
            if not stopper.stopped and (ran or not (out_root / PAPER_DIR).is_dir()):
                with writing(out_root / PAPER_DIR):
                    write_paper_kit(out_root, ds, shown)
            if not stopper.stopped and all(
                results[j.key].status in ("ran", "skipped") for j in planned
            ):  # the next run with the same inputs can answer at once (see unchanged.py)
                kit = sorted(p for p in (out_root / PAPER_DIR).rglob("*") if p.is_file())
                record.header.update(
                    run_digest=digest,
                    plan=[j.key for j in planned],
                    run_outputs=["index.html", *(p.relative_to(out_root).as_posix() for p in kit)],
                )
                record.write()
    ordered = [results[job.key] for job in planned]
    if stopper.stopped:
        raise RunInterrupted(stopper.signum or int(signal.SIGINT), ordered)
    return ordered


def _header(folder: Path, ds: Dataset, *, jobs: int) -> dict[str, Any]:
    """The manifest's fields other than the notebook entries (no private file is named)."""
    return {
        "dataset": display_dataset(folder),
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
