"""The batch runner behind ``coprod run``: papermill over every case and the synthesis notebooks.

Each notebook run is a :class:`Job`. A job is skipped when its fingerprint (the notebook file,
its parameters, the slice of the dataset it reads and the library's own source) equals the one
recorded in the manifest of its last successful run. Jobs run in a thread pool: each thread
drives its own kernel subprocess, so the work is parallel where it matters.

Every job writes into a staging folder next to its final place and is moved into place only
when it succeeded, so a failed or interrupted run never leaves a half-written report or removes
the previous good one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from .._io import write_text_atomic
from ..paths import notebooks_dir, project_root, reports_for
from .pages import write_index

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
]

#: The notebooks a batch run executes, by report name: (file, needs, per_case).
#: ``needs`` names the dataset table the notebook cannot do without (None: always runs).
NOTEBOOKS: dict[str, tuple[str, str | None, bool]] = {
    "data_check": ("00_data_check.ipynb", None, False),
    "cases": ("10_case.ipynb", None, True),
    "cross_case": ("20_cross_case.ipynb", None, False),
    "survey": ("30_survey.ipynb", "survey", False),
    "reliability": ("40_reliability.ipynb", "double_coding", False),
}

#: Tables whose rows belong to one case; a case notebook's fingerprint hashes only its rows.
_CASE_TABLES = ("cases", "participants", "segments", "codings")
#: Dataset files that concern every notebook (mapping and extension of the codebook).
_SHARED_FILES = ("code_map", "codebook_extension", "dataset")


@dataclass
class Job:
    """One notebook execution: which notebook, with which parameters, written where."""

    key: str
    notebook: Path
    parameters: dict[str, Any]
    out_dir: Path
    name: str
    fingerprint: str = ""

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
    key: str
    status: str  # "ran", "skipped" or "failed"
    seconds: float
    error: str = ""
    fingerprint: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- fingerprints


def _sha(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _library_digest() -> str:
    """Hash of the library's source and data files, so an edited function re-runs notebooks."""
    pkg = Path(__file__).resolve().parents[1]  # the whole package, every wing
    files = sorted(p for p in pkg.rglob("*") if p.suffix in {".py", ".yaml", ".yml"})
    return _sha([__version__.encode()] + [p.read_bytes() for p in files])


def _file_digest(folder: Path, stems: Iterable[str] | None = None) -> str:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if stems is not None:
        wanted = set(stems)
        files = [p for p in files if p.stem in wanted]
    return _sha([p.name.encode() + b"\0" + p.read_bytes() for p in files])


def _frame_digest(frame: Any) -> bytes:
    import pandas as pd

    if frame is None or len(frame) == 0:
        return b"empty"
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return ",".join(map(str, frame.columns)).encode() + hashed.tobytes()


def _case_digests(ds: Dataset) -> dict[str, str]:
    """One digest per case over that case's rows of the per-case tables (vectorised)."""
    seg_case = ds.segments[["segment_id", "case_id"]]
    codings = ds.codings.merge(seg_case, on="segment_id", how="left")
    frames = {
        "cases": ds.cases,
        "participants": ds.participants,
        "segments": ds.segments,
        "codings": codings,
    }
    digests: dict[str, str] = {}
    grouped = {
        name: dict(tuple(f.groupby("case_id", sort=True, observed=True)))
        for name, f in frames.items()
    }
    for case_id in sorted(ds.cases["case_id"].astype(str)):
        digests[case_id] = _sha(_frame_digest(grouped[name].get(case_id)) for name in _CASE_TABLES)
    return digests


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


def plan_jobs(
    ds: Dataset,
    *,
    dataset: Path,
    out_root: Path,
    cases: Sequence[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Job]:
    """Build the list of jobs for a dataset; unknown ``extra`` parameters are an error."""
    extra = dict(extra or {})
    nb_dir = notebooks_dir()
    lib = _library_digest()
    shared = _file_digest(dataset, _SHARED_FILES)
    everything = _file_digest(dataset)
    ds_param = _display_dataset(dataset)

    known_cases = sorted(ds.cases["case_id"].astype(str))
    if cases:
        unknown = [c for c in cases if c not in known_cases]
        if unknown:
            raise ValueError(
                f"--cases names {', '.join(map(repr, unknown))}, which the dataset does not "
                f"have; its cases are: {', '.join(known_cases)}"
            )
        selected = [c for c in known_cases if c in set(cases)]
    else:
        selected = known_cases

    jobs: list[Job] = []
    declared_any: set[str] = set()
    for key, (filename, needs, per_case) in NOTEBOOKS.items():
        path = nb_dir / filename
        if not path.exists():
            continue
        if needs is not None and getattr(ds, needs, None) is None:
            continue
        defaults = _notebook_defaults(path)
        declared = set(defaults)
        declared_any |= declared
        nb_bytes = path.read_bytes()
        own_extra = {k: _typed_value(k, v, defaults[k]) for k, v in extra.items() if k in declared}
        if per_case:
            digests = _case_digests(ds)
            for case_id in selected:
                params = {"case_id": case_id, "dataset": ds_param, **own_extra}
                fp = _sha(
                    [
                        nb_bytes,
                        json.dumps(params, sort_keys=True).encode(),
                        lib.encode(),
                        shared.encode(),
                        digests[case_id].encode(),
                    ]
                )
                jobs.append(Job(f"cases/{case_id}", path, params, out_root / "cases", case_id, fp))
        else:
            params = {"dataset": ds_param, **own_extra}
            fp = _sha(
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
            f"declare: {', '.join(sorted(declared_any - {'output_dir'}))}"
        )
    return jobs


# --------------------------------------------------------------------------- execution


def _relative_to_root(path: Path) -> str:
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def _replace_dir(staged: Path, final: Path) -> None:
    """Put ``staged`` where ``final`` is, keeping the old one until the new one is in place."""
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        final.rename(old)
    staged.rename(final)
    if old.exists():
        shutil.rmtree(old)


def _execute(job: Job, *, show_code: bool) -> JobResult:
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .pages import notebook_to_html

    start = time.perf_counter()
    job.out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{job.name}-", dir=job.out_dir))
    try:
        assets = staging / job.name
        params = {**job.parameters, "output_dir": _relative_to_root(job.assets)}
        staged_params = {**params, "output_dir": _relative_to_root(assets)}
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
            )
        except PapermillExecutionError as exc:
            failed = job.out_dir / f"{job.name}.failed.ipynb"
            if staged_nb.exists():
                os.replace(staged_nb, failed)
            msg = f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}".strip()
            return JobResult(job.key, "failed", time.perf_counter() - start, msg, parameters=params)
        except Exception as exc:  # kernel died, notebook unreadable, ...
            msg = f"{type(exc).__name__}: {exc}"
            return JobResult(job.key, "failed", time.perf_counter() - start, msg, parameters=params)

        nb = nbformat.read(staged_nb, as_version=4)
        _show_final_output_dir(nb, staged_params["output_dir"], params["output_dir"])
        nbformat.write(nb, staged_nb)
        (staging / f"{job.name}.html").write_text(
            notebook_to_html(nb, show_code=show_code), encoding="utf-8"
        )
        # move into place: assets folder first, then the notebook and page (atomic renames)
        if assets.exists():
            _replace_dir(assets, job.assets)
        os.replace(staged_nb, job.ipynb)
        os.replace(staging / f"{job.name}.html", job.html)
        failed = job.out_dir / f"{job.name}.failed.ipynb"
        if failed.exists():
            failed.unlink()
        outputs = [job.ipynb, job.html]
        if job.assets.exists():
            outputs += sorted(p for p in job.assets.rglob("*") if p.is_file())
        return JobResult(
            job.key,
            "ran",
            time.perf_counter() - start,
            fingerprint=job.fingerprint,
            parameters=params,
            outputs=[
                p.relative_to(
                    job.out_dir.parent if job.key.startswith("cases/") else job.out_dir
                ).as_posix()
                for p in outputs
            ],
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _show_final_output_dir(nb: Any, staged: str, final: str) -> None:
    """The executed notebook shows where its files ended up, not the staging folder."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = cell.source.replace(repr(staged), repr(final)).replace(
                json.dumps(staged), json.dumps(final)
            )


def _previous(manifest_path: Path) -> dict[str, Any]:
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("notebooks", {}) if isinstance(data, dict) else {}


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

    ``dataset`` is the folder itself, already resolved by the caller (the command line, or
    :func:`coprodlib.paths.resolve_dataset`); ``out_root`` defaults to ``reports/<name>/``.

    Returns one :class:`JobResult` per planned notebook, in plan order. Raises
    :class:`~coprodlib.DataError` before anything is written when the dataset is invalid.
    """
    from ..contract.dataset import load_folder

    folder = Path(dataset)
    ds = load_folder(folder)  # validates: a broken dataset stops here, before reports/ is touched
    out_root = Path(out_root) if out_root is not None else reports_for(folder)
    planned = plan_jobs(ds, dataset=folder, out_root=out_root, cases=cases, extra=extra)
    manifest_path = out_root / "manifest.json"
    previous = _previous(manifest_path)

    results: dict[str, JobResult] = {}
    todo: list[Job] = []
    for job in planned:
        prev = previous.get(job.key, {})
        if (
            not force
            and prev.get("status") in ("ran", "skipped")
            and prev.get("fingerprint") == job.fingerprint
            and job.ipynb.exists()
            and job.html.exists()
        ):
            results[job.key] = JobResult(
                job.key,
                "skipped",
                0.0,
                fingerprint=job.fingerprint,
                parameters=prev.get("parameters", job.parameters),
                outputs=prev.get("outputs", []),
            )
            if progress:
                progress(results[job.key])
        else:
            todo.append(job)

    n_workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if todo:
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            futures = {pool.submit(_execute, job, show_code=show_code): job for job in todo}
            for fut in as_completed(futures):
                res = fut.result()
                results[res.key] = res
                if progress:
                    progress(res)

    ordered = [results[job.key] for job in planned]
    _write_manifest(manifest_path, folder, ds, ordered, previous, jobs=n_workers)
    write_index(out_root, ds, ordered, dataset_label=_display_dataset(folder))
    return ordered


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


def _write_manifest(
    path: Path,
    folder: Path,
    ds: Dataset,
    results: list[JobResult],
    previous: dict[str, Any],
    *,
    jobs: int,
) -> None:
    notebooks: dict[str, Any] = {}
    for r in results:
        entry: dict[str, Any] = {
            "status": r.status,
            "seconds": round(r.seconds, 3),
            "parameters": r.parameters,
            "outputs": r.outputs,
        }
        if r.status == "failed":
            entry["error"] = r.error
            # keep the last good run's fingerprint: the good report is still in place
            prev = previous.get(r.key, {})
            entry["fingerprint"] = ""
            entry["last_good_outputs"] = prev.get("outputs", [])
        else:
            entry["fingerprint"] = r.fingerprint
        notebooks[r.key] = entry
    inputs = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }
    manifest = {
        "dataset": _display_dataset(folder),
        "synthetic": bool(getattr(ds, "synthetic", False)),
        "coprodlib": __version__,
        "versions": _versions(),
        "inputs": inputs,
        "jobs": jobs,
        "notebooks": notebooks,
        "summary": {s: sum(r.status == s for r in results) for s in ("ran", "skipped", "failed")},
    }
    write_text_atomic(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")


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
