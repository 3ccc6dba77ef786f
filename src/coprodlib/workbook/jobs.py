"""The jobs of a batch run: which notebooks run, with which parameters, under which fingerprint.

:func:`plan_jobs` turns a valid dataset into one :class:`Job` per notebook run: the data
check, one case notebook per case, and the synthesis notebooks whose tables the dataset holds.
A job's fingerprint covers the notebook file, its parameters, the slice of the dataset it reads
and the library's own source, so that a run can skip the jobs whose fingerprint equals the one
recorded at their last good run. A :class:`JobResult` says what became of a job.

Nothing here imports pandas, nbformat or papermill at module level.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import fail
from ..paths import notebooks_dir, project_root
from .fingerprints import case_digests, file_digest, library_digest, sha
from .safe_names import case_file_name

if TYPE_CHECKING:
    from ..contract.dataset import Dataset

__all__ = [
    "Job",
    "JobResult",
    "NOTEBOOKS",
    "NOT_PLANNED_BECAUSE",
    "RUNNER_PARAMETERS",
    "not_planned",
    "plan_jobs",
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
    "configurations": ("50_configurations.ipynb", "cases", False),
}


#: Why a notebook is not planned, by the table it needs (see :data:`NOTEBOOKS`).
NOT_PLANNED_BECAUSE = {
    "cases": "the dataset has no cases (a survey only)",
    "survey": "the dataset has no survey",
    "double_coding": "there is no double-coded sample (double_coding.csv), and no document "
    "that two coders both coded",
}


def not_planned(ds: Any) -> list[tuple[str, str]]:
    """The synthesis notebooks this dataset gets no report from, each with the reason."""
    return [
        (key, NOT_PLANNED_BECAUSE.get(needs, f"the dataset has no {needs}"))
        for key, (_, needs, _) in NOTEBOOKS.items()
        if needs is not None and not _holds(ds, needs)
    ]


def _holds(ds: Any, table: str) -> bool:
    """Whether the dataset has rows in ``table`` (a survey-only dataset has no cases).

    ``double_coding`` also counts as held when two or more coders coded the same documents:
    the reliability notebook then reads the project's own codings. (Coders who each coded
    other documents, as in a pool of studies, give nothing to compare.)
    """
    frame = getattr(ds, table, None)
    if table == "double_coding" and (frame is None or len(frame) == 0):
        codings = getattr(ds, "codings", None)
        if codings is not None and "coder" in codings.columns:
            from ..analysis.coder_overlap import double_coded_documents

            return bool(double_coded_documents(ds))
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
    start, papermill, the HTML page). ``kernel`` says how its kernel started: ``"warm"``
    (forked by the fork server) or ``"cold"`` (a new interpreter); empty when it did not run.
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
    kernel: str = ""


def display_dataset(folder: Path) -> str:
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


def selected_cases(known: list[str], cases: Sequence[str] | None) -> list[str]:
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
    show_code: bool = False,
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
    show_code : bool
        Whether the pages keep the code cells (part of every fingerprint: the page differs).

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
    ds_param = display_dataset(dataset)
    page = b"code" if show_code else b"no code"

    known_cases = sorted(ds.cases["case_id"].astype(str))
    selected = selected_cases(known_cases, cases)
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
                        page,
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
                    page,
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
