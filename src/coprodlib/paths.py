"""Where things live: the one place that resolves the project's folders.

Nothing here looks at the current working directory: notebooks run under nbval in their own
folder and under papermill in the caller's, and both must find the same data. The project
root is found from this file's location (an editable install inside the repository), or from
the ``COPROD_ROOT`` environment variable when the package is installed elsewhere.
"""

from __future__ import annotations

import hashlib
import json
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
    "dataset_key",
    "report_owner",
    "SALT_FILE",
    "KEY_FILE",
]

#: The names of a dataset's private files (pseudonymisation salt and key): never in a digest,
#: the manifest or a report (see :mod:`coprodlib.importers.pseudonyms`).
SALT_FILE = ".coprod_salt"
KEY_FILE = "pseudonym_key.csv"

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


def dataset_key(folder: Path) -> str:
    """A short, stable identifier of a dataset folder, recorded in its report's manifest.

    The SHA-256 (first 16 hex digits) of the folder's path relative to the project root
    when the dataset lies inside the project (so moving the whole project keeps it), and of
    its absolute resolved path otherwise. It names no folder in clear text.
    """
    resolved = Path(folder).expanduser().resolve()
    try:
        where = resolved.relative_to(project_root()).as_posix()
    except ValueError:
        where = resolved.as_posix()
    return hashlib.sha256(where.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def report_owner(out_root: Path) -> str | None:
    """The :func:`dataset_key` a report folder's ``manifest.json`` records, if any.

    ``None`` when the folder has no manifest, when the manifest cannot be read, or when it
    names no dataset (the reports of an older version, which are taken over).
    """
    try:
        data = json.loads((Path(out_root) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    key = data.get("dataset_key") if isinstance(data, dict) else None
    return key if isinstance(key, str) and key else None


def reports_for(folder: Path) -> Path:
    """The report folder of a dataset folder that is already resolved.

    ``reports/<name>/`` for the folder's name, unless that folder holds the reports of
    another dataset (two folders of the same name, such as ``/x/subset`` and ``/y/subset``):
    then ``reports/<name>-<8 hex digits of its dataset_key>/``, so two datasets never share
    a report folder. ``reports/demo/`` belongs to the shipped demo; another folder named
    ``demo`` always gets the suffixed name.
    """
    folder = Path(folder)
    base = project_root() / "reports" / folder.name
    key = dataset_key(folder)
    suffixed = base.with_name(f"{folder.name}-{key[:8]}")
    is_demo = folder.expanduser().resolve() == demo_dir().resolve()
    if is_demo:
        return base
    if folder.name == demo_dir().name:
        return suffixed
    return base if report_owner(base) in (None, key) else suffixed
