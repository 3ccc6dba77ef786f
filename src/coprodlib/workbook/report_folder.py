"""The report folder of a batch run: taking hold of it, its manifest, and errors writing to it.

- :func:`holding` makes the folder, locks it against a second ``coprod run`` writing it at the
  same time, removes what a killed run left behind (staging folders, ``.*.old`` backups,
  temporary files), and refuses a path that is a file or a folder holding another dataset's
  reports (the manifest records the :func:`~coprodlib.paths.dataset_key` of its dataset).
- :func:`read_manifest` gives the entries of the last run; a damaged manifest counts as no
  last run, with a warning.
- :class:`Manifest` keeps the manifest in memory and writes it (atomically) on every change.
- :func:`writing` turns an operating-system error (read-only folder, full disk) into a
  one-line :class:`~coprodlib.DataError` naming the file the user would look for.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._io import write_text_atomic
from ..errors import DataError, fail
from ..paths import dataset_key, project_root, report_owner
from .safe_names import remove_inside

__all__ = ["LOCK_NAME", "Manifest", "holding", "read_manifest", "shown_path", "writing"]

#: The lock file of a running ``coprod run`` (a reserved name: it begins with a dot).
LOCK_NAME = ".coprod-run.lock"


def shown_path(path: Path) -> str:
    """A path as the user should read it: relative to the project when inside it."""
    try:
        return Path(path).resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def _write_problem(path: Path, exc: OSError) -> DataError:
    reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        expected = f"a report folder you may write to ({reason}); choose another with --reports"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT):
        expected = f"room on the disk for the reports ({reason}); the previous report is kept"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
        expected = f"a folder for the reports ({reason}); a file is in the way"
    else:
        expected = f"a report folder that can be written ({reason})"
    return fail(shown_path(path), expected, kind="environment")


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Within the block, an :class:`OSError` becomes a :class:`DataError` naming ``path``.

    The message names ``path`` (never a temporary file) and the reason in words, such as
    "no space left on device" or "permission denied".
    """
    try:
        yield
    except DataError:
        raise
    except OSError as exc:
        raise _write_problem(path, exc) from None


def _is_leftover(name: str) -> bool:
    """Names the runner and the atomic writers give to their work in progress."""
    return name.startswith(".") and (
        name.startswith(".staging-") or name.endswith((".old", ".tmp"))
    )


def _foreign(out_root: Path) -> bool:
    """Whether ``out_root`` is a folder with files of someone else's: a file somewhere in it
    (empty folders, such as a run stopped before its first page leaves, do not count), and
    neither the manifest nor the lock that every run of ours leaves in it."""
    if not out_root.is_dir():
        return False
    if (out_root / "manifest.json").exists() or (out_root / LOCK_NAME).exists():
        return False
    return any(not p.is_dir() or p.is_symlink() for p in out_root.rglob("*"))


@contextlib.contextmanager
def holding(out_root: Path, folder: Path, *, label: str) -> Iterator[None]:
    """Hold the report folder ``out_root`` of the dataset ``folder`` for one run.

    Parameters
    ----------
    out_root : Path
        The report folder; made when missing.
    folder : Path
        The dataset folder (its :func:`~coprodlib.paths.dataset_key` must match the one
        the folder's manifest records, if any).
    label : str
        How the dataset is named in messages.

    Raises
    ------
    DataError
        When ``out_root`` is a file, holds another dataset's reports or files that are not
        reports (a non-empty folder without a manifest), cannot be written, or another
        ``coprod run`` holds it.
    """
    out_root = Path(out_root)
    if out_root.exists() and not out_root.is_dir():
        raise fail(
            shown_path(out_root),
            "a folder for the reports (or a path where one can be made); it is a file",
            kind="environment",
        )
    owner = report_owner(out_root)
    if owner is not None and owner != dataset_key(folder):
        raise fail(
            shown_path(out_root / "manifest.json"),
            f"the reports of {label}, but the folder holds another dataset's reports; "
            "choose another folder with --reports (or remove this one)",
            kind="environment",
        )
    lock = out_root / LOCK_NAME
    if _foreign(out_root):
        raise fail(
            shown_path(out_root),
            "a new or empty folder for the reports, or one that coprod run wrote (this one "
            "holds other files and no manifest.json; a run would replace and clean up files "
            "in it): choose another folder with --reports",
            kind="environment",
        )
    with writing(out_root):
        out_root.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _take_lock(fd, lock, out_root)
        with writing(out_root):
            for sub in (out_root, out_root / "cases"):
                if sub.is_dir() and not sub.is_symlink():
                    for entry in sub.iterdir():
                        if _is_leftover(entry.name):
                            remove_inside(out_root, entry)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def _take_lock(fd: int, lock: Path, out_root: Path) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock, two runs at once go undetected
        return
    busy = fail(
        shown_path(out_root),
        "no other coprod run writing this report folder at the same time; wait for it to end",
        kind="environment",
    )
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise busy from None
    try:  # the run before may have removed the file between our open and our lock
        same = os.fstat(fd).st_ino == os.stat(lock).st_ino
    except FileNotFoundError:
        same = False
    if not same:
        raise busy


# --------------------------------------------------------------------------- the manifest


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """The notebook entries of the last run's manifest, by job key.

    A manifest that cannot be read, is not JSON, is not an object, or whose ``notebooks`` is
    not an object counts as no last run (every notebook runs again), with a warning; a single
    entry of the wrong shape is dropped with a warning (its notebook runs again).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError):
        text = ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    notebooks = data.get("notebooks") if isinstance(data, dict) else None
    if not isinstance(notebooks, dict):
        warnings.warn(
            f"{shown_path(path)}: not a manifest written by coprod run (damaged or edited by "
            "hand); taken as no previous run, so every notebook runs again",
            stacklevel=2,
        )
        return {}
    good = {k: v for k, v in notebooks.items() if _entry_ok(v)}
    if len(good) < len(notebooks):
        bad = ", ".join(sorted(set(notebooks) - set(good)))
        warnings.warn(
            f"{shown_path(path)}: damaged entries for {bad}; those notebooks run again",
            stacklevel=2,
        )
    return good


def _entry_ok(entry: Any) -> bool:
    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(x, str) for x in value)

    seconds = entry.get("seconds", 0) if isinstance(entry, dict) else None
    return (
        isinstance(entry, dict)
        and all(isinstance(entry.get(k, ""), str) for k in ("status", "fingerprint", "error"))
        and isinstance(entry.get("parameters", {}), dict)
        and strings(entry.get("outputs", []))
        and strings(entry.get("last_good_outputs", []))
        and isinstance(seconds, (int, float))
        and not isinstance(seconds, bool)
    )


class Manifest:
    """The manifest of a report folder, kept in memory and written on every change.

    Parameters
    ----------
    path : Path
        ``manifest.json`` of the report folder.
    header : dict
        Everything but the notebook entries (dataset, versions, inputs, ...).
    previous : dict
        The entries of the last run that still apply; kept until replaced, so a notebook
        that does not finish keeps its previous entry.
    """

    def __init__(self, path: Path, header: dict[str, Any], previous: dict[str, Any]) -> None:
        self.path = Path(path)
        self.header = dict(header)
        self.notebooks: dict[str, dict[str, Any]] = {k: dict(v) for k, v in previous.items()}
        self.this_run: dict[str, str] = {}

    def entry(self, key: str) -> dict[str, Any]:
        """A copy of the entry of ``key`` (empty when there is none)."""
        return dict(self.notebooks.get(key, {}))

    def put(self, key: str, entry: dict[str, Any], *, write: bool = True) -> None:
        """Replace the entry of ``key`` (a job of this run) and write the manifest."""
        self.notebooks[key] = entry
        self.this_run[key] = str(entry.get("status", ""))
        if write:
            self.write()

    def write(self, *, interrupted: bool = False) -> None:
        """Write the manifest atomically; ``interrupted`` marks a run stopped by a signal."""
        statuses = list(self.this_run.values())
        manifest = {
            **self.header,
            "notebooks": self.notebooks,
            "summary": {s: statuses.count(s) for s in ("ran", "skipped", "failed")},
        }
        if interrupted:
            manifest["interrupted"] = True
        with writing(self.path):
            write_text_atomic(self.path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
