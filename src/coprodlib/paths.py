"""Where things live: the one place that resolves the project's folders.

Nothing here looks at the current working directory: notebooks run under nbval in their own
folder and under papermill in the caller's, and both must find the same data. The project
root is found from this file's location (an editable install inside the repository), or from
the ``COPROD_ROOT`` environment variable when the package is installed elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "project_root",
    "data_dir",
    "demo_dir",
    "reports_dir",
    "notebooks_dir",
    "resolve_dataset",
    "reports_for",
]

_MARKERS = ("pyproject.toml", "src/coprodlib")


def project_root() -> Path:
    """Return the repository root (the folder holding ``pyproject.toml`` and ``notebooks/``)."""
    env = os.environ.get("COPROD_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if all((parent / m).exists() for m in _MARKERS):
            return parent
    raise RuntimeError(
        "cannot find the coprod workbook folder from the installed package; "
        "set COPROD_ROOT to the folder that holds notebooks/ and data/"
    )


def data_dir() -> Path:
    return project_root() / "data"


def demo_dir() -> Path:
    """The shipped synthetic demo dataset."""
    return data_dir() / "demo"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def resolve_dataset(path: str | os.PathLike[str] | None = None) -> Path:
    """Turn a dataset argument into an absolute folder.

    ``None`` or ``"demo"`` gives the demo dataset; a bare name that exists under ``data/``
    gives that folder; anything else is taken as a path (relative paths are taken relative
    to the project root, so a notebook's working directory never matters).
    """
    if path is None or str(path) in ("", "demo"):
        return demo_dir()
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    named = data_dir() / p
    if len(p.parts) == 1 and named.exists():
        return named
    return (project_root() / p).resolve()


def reports_dir(dataset: str | os.PathLike[str] | None = None) -> Path:
    """``reports/<dataset name>/`` for a dataset argument as accepted by :func:`resolve_dataset`."""
    return reports_for(resolve_dataset(dataset))


def reports_for(folder: Path) -> Path:
    """``reports/<name>/`` for a dataset folder that is already resolved."""
    return project_root() / "reports" / Path(folder).name
