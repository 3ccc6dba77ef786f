"""Notebook jobs on a Dask distributed cluster: ``coprod run --scheduler ADDRESS``.

Each job becomes one task. The task carries the notebook itself (its JSON), its parameters,
and two digests the client computed: the library's source and the dataset's files. On a
worker, :func:`run_on_worker` checks that it runs the same coprodlib and sees the same dataset
(the dataset parameter resolved as a notebook resolves it), executes the notebook into a
temporary folder with a warm kernel of that worker (see :mod:`coprodlib.workbook.warm_kernels`),
and returns every file it wrote as bytes. The client writes them into a staging folder beside
their final place, and the runner moves them into place and records them exactly as for a
local job: reports stay atomic, and the manifest and the index cannot tell the difference.

What the machines must share: the same environment (Python, coprodlib and its dependencies,
as ``requirements.lock`` pins them) and the dataset folder at the path the notebooks are given
(a shared file system, or a copy at the same path). A worker that differs in either fails the
job with a message saying which. A task already running when the run is stopped finishes on
its worker; its result is dropped.

Needs the optional ``cluster`` extra (``pip install 'coprodlib[cluster]'``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataError, Problem
from .executing import Outcome, Ran, finished, run_notebook
from .fingerprints import file_digest, library_digest
from .jobs import Job, JobResult
from .report_folder import shown_path
from .safe_names import inside
from .stopping import Stopper

__all__ = ["connect", "outcomes", "run_on_worker"]

#: Seconds to wait for the scheduler before giving up.
_CONNECT_TIMEOUT = 10


def connect(address: str) -> Any:
    """A ``distributed.Client`` for the scheduler at ``address``; a DataError if it cannot be."""
    try:
        from distributed import Client
    except ImportError:
        raise DataError(
            [
                Problem(
                    "--scheduler",
                    "the optional cluster extra: pip install 'coprodlib[cluster]' (it brings "
                    "dask.distributed)",
                    value=address,
                )
            ]
        ) from None
    try:
        return Client(address, timeout=_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise DataError(
            [
                Problem(
                    "--scheduler",
                    "the address of a running Dask scheduler, such as tcp://host:8786 "
                    f"(start one with `dask scheduler`); {type(exc).__name__}: {exc}",
                    value=address,
                )
            ]
        ) from None


def outcomes(
    client: Any, todo: list[Job], *, show_code: bool, root: Path, dataset: Path, stopper: Stopper
) -> Iterator[tuple[Job, Outcome]]:
    """Submit every job to the cluster and yield each one's outcome as it comes back.

    The files a worker returns are written to a staging folder beside the job's final place;
    nothing is moved into place here. After :meth:`Stopper.stop` the jobs not yet finished
    are cancelled and come back as interrupted.
    """
    from distributed import as_completed

    expected = {"library": library_digest(), "dataset": file_digest(dataset)}
    started = time.perf_counter()
    futures = {}
    for job in todo:
        spec = {
            "key": job.key,
            "name": job.name,
            "notebook": job.notebook.name,
            "source": job.notebook.read_bytes(),
            "parameters": job.parameters,
            "final_output_dir": shown_path(job.assets),
            "show_code": show_code,
            "expected": expected,
        }
        # pure=False: a task runs each time it is asked for, never answered from a cache
        futures[
            client.submit(run_on_worker, spec, key=f"coprod-{job.key}-{time.time_ns()}", pure=False)
        ] = job
    pending = set(futures)
    try:
        for fut in as_completed(list(futures), loop=client.loop):
            pending.discard(fut)
            job = futures[fut]
            params = {**job.parameters, "output_dir": shown_path(job.assets)}
            if stopper.stopped:
                yield job, Outcome(_interrupted(job, params, started))
                continue
            try:
                answer = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker died, the task was lost, ...
                answer = {"error": f"on the cluster: {type(exc).__name__}: {exc}", "files": {}}
                answer["seconds"] = time.perf_counter() - started
            yield job, _staged(job, answer, params, root)
            if stopper.stopped:
                client.cancel(list(pending))
    finally:
        if pending:
            client.cancel(list(pending))


def _interrupted(job: Job, params: dict[str, Any], started: float) -> JobResult:
    return JobResult(
        job.key, "interrupted", time.perf_counter() - started, parameters=params, stem=job.stem
    )


def _staged(job: Job, answer: dict[str, Any], params: dict[str, Any], root: Path) -> Outcome:
    """Write a worker's files into a fresh staging folder and make the job's result."""
    folder = inside(root, job.out_dir / job.name).parent
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    try:
        for rel, data in answer.get("files", {}).items():
            target = inside(staging, staging / rel)  # a worker's answer is data, not a path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    ran = Ran(str(answer.get("error", "")), answer.get("cell_seconds"), answer.get("kernel", ""))
    # the job's seconds are the worker's, as a local job's are its thread's
    return Outcome(finished(job, ran, params, time.perf_counter() - answer["seconds"]), staging)


# --------------------------------------------------------------------------- on the worker

_WORKER_FORKS: Any = None
_WORKER_LOCK = threading.Lock()


def _worker_forks() -> Any:
    """The worker's own fork server, started with its first task and kept for the next ones."""
    global _WORKER_FORKS
    from .warm_kernels import ForkServer, warm_available

    if not warm_available():
        return None
    with _WORKER_LOCK:
        if _WORKER_FORKS is None:
            _WORKER_FORKS = ForkServer()
            _WORKER_FORKS.start()
            atexit.register(_WORKER_FORKS.close)
        return _WORKER_FORKS


def run_on_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one notebook job on this machine and return its files (the task of a cluster run).

    Returns a dict with ``files`` (path relative to the staging folder: bytes), ``error``
    (empty when every cell ran), ``cell_seconds``, ``kernel`` and ``seconds``.
    """
    from ..paths import notebooks_dir, resolve_dataset

    start = time.perf_counter()

    def answer(error: str = "", **more: Any) -> dict[str, Any]:
        return {"files": {}, "error": error, "seconds": time.perf_counter() - start, **more}

    host = os.uname().nodename if hasattr(os, "uname") else "this worker"
    if library_digest() != spec["expected"]["library"]:
        return answer(
            f"worker {host} runs another version of coprodlib than the client; install the "
            "same environment on every machine (requirements.lock)"
        )
    dataset = resolve_dataset(spec["parameters"].get("dataset"))
    if not dataset.is_dir() or file_digest(dataset) != spec["expected"]["dataset"]:
        return answer(
            f"worker {host} does not see the client's dataset at {dataset}; share the dataset "
            "folder at the same path (a shared file system, or a copy)"
        )
    work = Path(tempfile.mkdtemp(prefix="coprod-task-"))
    try:
        notebook = work / spec["notebook"]
        notebook.write_bytes(spec["source"])
        staging = work / "out"
        staging.mkdir()
        here = notebooks_dir()
        ran = run_notebook(
            notebook,
            staging,
            name=spec["name"],
            parameters=spec["parameters"],
            final_output_dir=spec["final_output_dir"],
            show_code=spec["show_code"],
            manager=Stopper().kernel_manager_class(_worker_forks()),  # the worker's warm kernels
            cwd=here if here.is_dir() else work,
        )
        files = {
            p.relative_to(staging).as_posix(): p.read_bytes()
            for p in sorted(staging.rglob("*"))
            if p.is_file()
        }
        return answer(ran.error, files=files, cell_seconds=ran.cell_seconds, kernel=ran.kernel)
    finally:
        shutil.rmtree(work, ignore_errors=True)
