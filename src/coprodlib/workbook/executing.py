"""One notebook job executed: papermill into a staging folder, then the notebook's HTML page.

:func:`execute` runs a :class:`~coprodlib.workbook.jobs.Job` with papermill in a staging
folder beside its final place and returns an :class:`Outcome`; nothing is moved into place
here (the runner does that, one job at a time). With a fork server the kernel is forked warm
(:mod:`coprodlib.workbook.warm_kernels`) and killed as soon as its last cell has answered.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .jobs import Job, JobResult
from .report_folder import shown_path
from .safe_names import inside
from .stopping import Stopper

if TYPE_CHECKING:
    from .warm_kernels import ForkServer

__all__ = ["Outcome", "Ran", "execute", "finished", "run_notebook", "cell_seconds"]

#: The id given to the cell papermill injects with the parameters.
_INJECTED_ID = "injected-parameters"


@dataclass
class Outcome:
    """A job's result, and its files waiting in the staging folder to be moved into place."""

    result: JobResult
    staging: Path | None = None


def execute(
    job: Job, *, show_code: bool, stopper: Stopper, root: Path, forks: ForkServer | None = None
) -> Outcome:
    """Run one notebook into a staging folder beside its final place (nothing is moved yet).

    With ``forks`` its kernel is forked warm by that server; either way the kernel is killed
    as soon as the last cell has answered (its outputs are all in by then).
    """
    start = time.perf_counter()
    params = {**job.parameters, "output_dir": shown_path(job.assets)}
    if stopper.stopped:
        return Outcome(_result(job, params, start, "interrupted"))
    folder = inside(root, job.out_dir / job.name).parent
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    try:
        ran = run_notebook(
            job.notebook,
            staging,
            name=job.name,
            parameters=job.parameters,
            final_output_dir=params["output_dir"],
            show_code=show_code,
            manager=stopper.kernel_manager_class(forks),
            may_restart=lambda: not stopper.stopped,
        )
    except OSError:  # full disk, read-only folder: stops the run
        if stopper.stopped:
            return Outcome(_result(job, params, start, "interrupted"), staging)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if ran.error and stopper.stopped:  # its kernel was killed: not a failure of the notebook
        return Outcome(_result(job, params, start, "interrupted"), staging)
    return Outcome(finished(job, ran, params, start), staging)


def _result(job: Job, params: dict[str, Any], start: float, status: str, error: str = ""):
    seconds = time.perf_counter() - start
    return JobResult(job.key, status, seconds, error, parameters=params, stem=job.stem)


def finished(job: Job, ran: Ran, params: dict[str, Any], start: float) -> JobResult:
    """The result of a job whose notebook ran (well or not) as ``ran`` tells."""
    if ran.error:
        return _result(job, params, start, "failed", ran.error)
    done = _result(job, params, start, "ran")
    done.fingerprint = job.fingerprint
    done.cell_seconds = ran.cell_seconds
    done.kernel = ran.kernel
    return done


@dataclass
class Ran:
    """What :func:`run_notebook` did: an error message (empty when all cells ran), the cells'
    own seconds, and how the kernel started (``"warm"`` or ``"cold"``)."""

    error: str = ""
    cell_seconds: float | None = None
    kernel: str = ""


def run_notebook(
    notebook: Path,
    staging: Path,
    *,
    name: str,
    parameters: dict[str, Any],
    final_output_dir: str,
    show_code: bool,
    manager: type,
    cwd: Path | None = None,
    may_restart: Callable[[], bool] | None = None,
) -> Ran:
    """Execute ``notebook`` into ``staging``: ``<name>.ipynb``, ``<name>.html`` and the
    notebook's own files in ``<name>/`` (its ``output_dir`` while it runs).

    The notebook and its page show ``final_output_dir`` as the place of its files. A failed
    notebook leaves ``<name>.ipynb`` with the error and no page. OSError (a full disk, a
    read-only folder) is raised; any other failure is returned as :attr:`Ran.error`. A kernel
    that dies before it answers is started again, up to :data:`KERNEL_STARTS` times in all,
    while ``may_restart()`` says so (None: always; a stopped run says no).
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .pages import notebook_to_html

    staged_dir = shown_path(staging / name)
    staged_nb = staging / f"{name}.ipynb"
    for attempt in range(1, KERNEL_STARTS + 1):
        try:
            nb = papermill.execute_notebook(
                str(notebook),
                str(staged_nb),
                parameters={**parameters, "output_dir": staged_dir},
                kernel_name="python3",
                progress_bar=False,
                # one write at the end instead of one (schema-validated) per cell: the
                # runner's own CPU time competes with the kernels on a small machine
                request_save_on_cell_execute=False,
                cwd=str(cwd or notebook.parent),
                kernel_manager_class=manager,
                shutdown_kernel="immediate",
            )
            break
        except OSError:
            raise
        except PapermillExecutionError as exc:
            return Ran(f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}".strip())
        except Exception as exc:  # noqa: BLE001 - kernel died, notebook unreadable, ...
            again = may_restart is None or may_restart()
            if attempt < KERNEL_STARTS and again and _kernel_did_not_start(exc):
                continue  # no cell ran yet: starting again is safe
            return Ran(f"{type(exc).__name__}: {exc}")
    _show_final_output_dir(nb, staged_dir, final_output_dir)
    nbformat.write(nb, staged_nb)
    (staging / f"{name}.html").write_text(
        notebook_to_html(nb, show_code=show_code), encoding="utf-8"
    )
    return Ran("", cell_seconds(nb), "warm" if getattr(manager, "forked", False) else "cold")


#: How often a notebook's kernel is started before its job fails: a kernel can die at start
#: when another process takes one of the ports chosen for it in the moment between choosing
#: and binding (jupyter_client picks free ports, then the kernel binds them).
KERNEL_STARTS = 3


def _kernel_did_not_start(exc: BaseException) -> bool:
    """Whether ``exc`` says the kernel died or timed out before it answered at all."""
    text = str(exc)
    return isinstance(exc, RuntimeError) and (
        "before replying to kernel_info" in text or "didn't respond" in text
    )


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
    the injected parameters and in papermill's record of them).

    The injected cell also gets a fixed id instead of papermill's random one, so that two
    runs on the same inputs write the same notebook and page, byte for byte.
    """
    ids = {cell.get("id") for cell in nb.cells}
    recorded = nb.metadata.get("papermill", {}).get("parameters", {})
    for key, value in list(recorded.items()):
        if isinstance(value, str) and staged in value:
            recorded[key] = value.replace(staged, final)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(repr(staged), repr(final)).replace(
                json.dumps(staged), json.dumps(final)
            )
            if "id" in cell and _INJECTED_ID not in ids:
                cell["id"] = _INJECTED_ID
