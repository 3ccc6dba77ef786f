"""A rerun with nothing to do, decided from file hashes and the manifest alone.

Every job's fingerprint is made from the notebook files, the parameters, the dataset's bytes and
the library's source. When none of those changed since a run in which every planned notebook
ended well, no fingerprint can have changed either, so the run can answer "all skipped" without
reading the dataset: without importing pandas, nbformat or papermill, in a fraction of a second.

:func:`run_digest` hashes those inputs together; a run that ends with every planned job good
stores it in its manifest (``run_digest``, with the planned job keys in order under ``plan``
and the index and paper kit under ``run_outputs``);
:func:`unchanged_entries` compares. Any doubt (no manifest, a damaged one, a failed or
interrupted job, an output file missing) sends the run down the usual path, which checks each
job on its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..paths import notebooks_dir
from .fingerprints import file_digest, library_digest, sha

__all__ = ["run_digest", "unchanged_entries"]

#: Bumped when the meaning of the digest changes, so that older manifests never match.
_VERSION = b"run-digest-1"


def run_digest(
    folder: Path,
    out_root: Path,
    *,
    notebooks: Sequence[str],
    cases: Sequence[str] | None,
    extra: dict[str, Any] | None,
    show_code: bool,
) -> str:
    """One digest of everything a batch run's fingerprints are made from.

    Parameters
    ----------
    folder, out_root : Path
        The dataset folder and the report folder.
    notebooks : sequence of str
        The notebook file names the run may execute (those missing count as missing).
    cases : sequence of str, optional
        The ``--cases`` selection (None: every case).
    extra : dict, optional
        The ``--param`` values.
    show_code : bool
        Whether the pages keep the code cells.
    """
    nb_dir = notebooks_dir()
    parts = [
        _VERSION,
        str(Path(folder).resolve()).encode(),
        str(Path(out_root).resolve()).encode(),
        library_digest().encode(),
        file_digest(Path(folder)).encode(),
        json.dumps(
            {"cases": sorted(cases) if cases else None, "extra": extra or {}, "code": show_code},
            sort_keys=True,
            default=str,
        ).encode(),
    ]
    for name in notebooks:
        path = nb_dir / name
        parts.append(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-"))
    return sha(parts)


def unchanged_entries(out_root: Path, digest: str) -> list[tuple[str, dict[str, Any]]] | None:
    """The manifest's entries in plan order when the last run had ``digest`` and every one of
    its jobs is good with its files in place; else None (the run must look job by job)."""
    root = Path(out_root)
    try:
        data = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("run_digest") != digest:
        return None
    plan, notebooks = data.get("plan"), data.get("notebooks")
    if not isinstance(plan, list) or not isinstance(notebooks, dict) or not plan:
        return None
    pages = data.get("run_outputs")  # the index and the paper kit
    if not isinstance(pages, list) or not all(
        isinstance(rel, str) and _inside_file(root, rel) for rel in pages
    ):
        return None
    out: list[tuple[str, dict[str, Any]]] = []
    for key in plan:
        entry = notebooks.get(key) if isinstance(key, str) else None
        if not isinstance(entry, dict) or entry.get("status") not in ("ran", "skipped"):
            return None
        outputs = entry.get("outputs")
        if not isinstance(outputs, list) or not outputs:
            return None
        for rel in outputs:
            if not isinstance(rel, str) or not _inside_file(root, rel):
                return None
        out.append((key, entry))
    return out


def _inside_file(root: Path, rel: str) -> bool:
    """Whether ``rel`` names an existing file inside ``root`` (a damaged path never passes)."""
    if rel.startswith(("/", "\\")) or ".." in Path(rel).parts:
        return False
    return (root / rel).is_file()
