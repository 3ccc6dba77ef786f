"""Where an import writes: a staged folder beside the target, moved into place at the end.

Every import (:mod:`.refi`, :mod:`.taguette`, :mod:`.survey`) is staged: the files are written into a hidden temporary folder beside ``--to``
(inside ``--to``'s parent) and moved into place only when everything succeeded, so a failed
import leaves nothing behind and nothing is ever written outside ``--to``. An existing
``--to`` is only replaced when it holds an earlier import (or nothing); files the new import
does not write (a survey next to the interviews, ``double_coding.csv``, notes) are kept, as
are the pseudonym salt and key.

When ``--to`` is a symbolic link, the import goes into the folder it names and the link
stays. The hidden folders carry the importing process's id (``.NAME.importing-PID-*``); the
next import into the same parent removes those whose process is gone, putting back an
earlier dataset that a killed import had moved aside. A disk that is full or read-only gives
a one-line :class:`~coprodlib.errors.DataError` naming ``--to``, with the earlier dataset
left as it was.

Importers raise :class:`~coprodlib.errors.DataError` for problems in the user's files; the
``coprod`` command line turns it into a readable message and exit code 1.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, Problem

if TYPE_CHECKING:  # pandas is imported by the importers, not by `coprod --help`
    pass

__all__ = [
    "QUALITATIVE_FILES",
    "Staging",
    "check_target",
    "clean_stale_staging",
    "read_dataset_meta",
    "staged_target",
    "write_meta",
]

#: The files a qualitative import (qdpx, taguette) writes; an existing target folder that
#: already holds any of them is replaced only when its dataset.yml records such an import.
QUALITATIVE_FILES = (
    "cases",
    "participants",
    "documents",
    "segments",
    "codings",
    "code_map",
    "codebook_extension",
)


# --------------------------------------------------------------------------- writing helpers


def read_dataset_meta(folder: Path) -> dict[str, Any]:
    """The ``dataset.yml`` of a folder as a dict (empty when absent or unreadable)."""
    import yaml

    path = Path(folder) / "dataset.yml"
    if not path.is_file():
        return {}
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return {}
    return meta if isinstance(meta, dict) else {}


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Write ``dataset.yml`` (block style, keys in the given order)."""
    import yaml

    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    (Path(folder) / "dataset.yml").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- staging


@dataclass(frozen=True)
class Staging:
    """Where an import writes: ``folder`` (temporary, becomes ``target``) and the ``previous``
    contents of ``target`` (None for a new folder). ``folder`` starts as a copy of
    ``previous``."""

    folder: Path
    target: Path
    previous: Path | None


def check_target(target: Path, kind: str = "qualitative") -> bool:
    """Whether ``target`` exists with content; raise when it may not be (re)written.

    ``kind`` is ``"qualitative"`` (qdpx, taguette), ``"survey"`` or ``"pool"`` (a folder
    only an earlier ``coprod pool`` wrote may be replaced). A symbolic link is
    followed to the folder it names. Staging folders that killed imports left beside the
    target are cleaned up first (:func:`clean_stale_staging`), so that a dataset moved aside
    by an import killed during its last step is back in place before it is looked at.
    """
    target = _real_target(target)
    if target.parent.is_dir():
        clean_stale_staging(target.parent, time.time())
    if target.exists() and not target.is_dir():
        raise DataError(
            Problem(
                file=str(target),
                expected="a folder for the dataset (--to names an existing file)",
                kind="invalid",
            )
        )
    if not target.is_dir() or not any(target.iterdir()):
        return False
    if not (target / "dataset.yml").is_file():
        raise DataError(
            Problem(
                file=str(target),
                expected="a new or empty folder, or a dataset folder (with dataset.yml) written "
                "by an earlier `coprod import`; this folder holds other files, so choose another "
                "--to",
                kind="target_exists",
            )
        )
    meta = read_dataset_meta(target)
    if kind == "pool":
        if isinstance(meta.get("pooled_from"), list):
            return True
        raise DataError(
            Problem(
                file=str(target),
                expected="a new or empty folder, or one written by an earlier `coprod pool` "
                "(this folder holds a dataset no pool wrote; choose another --to)",
                kind="target_exists",
            )
        )
    if meta.get("synthetic") is True:
        raise DataError(
            Problem(
                file=str(target),
                expected="a new folder, or one written by an earlier `coprod import` (this is "
                "a synthetic dataset; import real data into a folder of its own)",
                kind="target_exists",
            )
        )
    if kind == "survey":
        return True
    imports = meta.get("imports")
    earlier = isinstance(imports, dict) and isinstance(imports.get("qualitative"), dict)
    has_tables = any(
        (target / f"{name}{suffix}").exists()
        for name in QUALITATIVE_FILES
        for suffix in (".csv", ".xlsx", ".tsv")
    )
    if has_tables and not earlier:
        raise DataError(
            Problem(
                file=str(target),
                expected="a new or empty folder, or one written by an earlier `coprod import "
                "qdpx/taguette` (this folder holds dataset tables that no import wrote; "
                "choose another --to)",
                kind="target_exists",
            )
        )
    return True


#: The hidden folders an import leaves beside ``--to`` while it runs: ``.NAME.importing-PID-*``
#: (the new dataset being written) and ``.NAME.replaced-PID-*`` (the earlier one, moved aside
#: for the moment of the swap). PID is the importing process.
_STAGING = re.compile(r"^\.(?P<name>.+)\.(?P<what>importing|replaced)-(?P<pid>[0-9]+)-[^/]*$")


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (taken as yes where that cannot be asked)."""
    if os.name == "nt":  # os.kill would end the process there; psutil is not a dependency
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        return True
    return True


def clean_stale_staging(parent: Path, started: float) -> list[Path]:
    """Remove what killed imports left in ``parent``: staging folders whose process is gone.

    Parameters
    ----------
    parent : Path
        The folder that holds the dataset folders (``--to``'s parent).
    started : float
        When the running import started (``time.time()``); younger folders are left alone.

    Returns
    -------
    list of Path
        The folders removed. A folder holding an earlier dataset that was moved aside
        (``.NAME.replaced-*``) while ``NAME`` itself is missing is moved back to ``NAME``
        instead of being removed, so that a kill in the middle of the swap loses nothing.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(parent).iterdir())
    except OSError:
        return removed
    for entry in sorted(entries):
        m = _STAGING.match(entry.name)
        if m is None or entry.is_symlink() or not entry.is_dir():
            continue
        pid = int(m.group("pid"))
        try:
            young = entry.stat().st_mtime >= started
        except OSError:
            continue
        if young or pid == os.getpid() or _process_alive(pid):
            continue
        dataset = entry.parent / m.group("name")
        if m.group("what") == "replaced" and not os.path.lexists(dataset):
            try:
                os.replace(entry, dataset)  # the earlier dataset, put back
            except OSError:
                continue
        else:
            shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _real_target(to: Path | str) -> Path:
    """``--to`` as an absolute path; a symbolic link is followed to the folder it names, so
    that the import writes there and the link itself stays."""
    target = Path(to).expanduser().absolute()
    if target.name in ("", ".", ".."):
        raise DataError(Problem(file=str(to), expected="a folder name for --to (not '.' or '..')"))
    if not target.is_symlink():
        return target
    real = target.resolve()
    if not real.is_dir():
        raise DataError(
            Problem(
                file=str(target),
                expected="a folder for the dataset (--to is a symbolic link to "
                f"{'a missing folder' if not real.exists() else 'a file'}: {real})",
                kind="invalid",
            )
        )
    return real


def _unwritable(target: Path, exc: OSError, tmp: Path | None) -> DataError:
    """The one-line error for a target folder that cannot be written (full, read-only, ...):
    the system's reason without its number or the staging folder's name."""
    if isinstance(exc, shutil.Error):  # copytree: a list of (source, copy, reason)
        reason = "files of the earlier dataset could not be copied"
    elif exc.strerror:
        reason = exc.strerror
    elif exc.args and isinstance(exc.args[0], str) and exc.args[0].strip():
        reason = exc.args[0].strip().splitlines()[0]
    else:
        reason = type(exc).__name__
    if tmp is not None:
        reason = reason.replace(str(tmp), str(target))
    return DataError(
        Problem(
            file=str(target),
            expected="a folder the import can write (writing the dataset failed: "
            f"{reason}); nothing was changed there",
            kind="unwritable",
        )
    )


def _named_as_target(exc: DataError, tmp: Path, target: Path) -> DataError:
    """``exc`` with the staging folder's name replaced by the target's in every problem."""
    inner, outer = str(tmp), str(target)
    problems = [
        dataclasses.replace(
            p, file=p.file.replace(inner, outer), expected=p.expected.replace(inner, outer)
        )
        for p in exc.problems
    ]
    return DataError(problems)


def _swap(tmp: Path, target: Path) -> None:
    """Move the staged folder ``tmp`` to ``target``, putting an existing ``target`` aside
    first (a rename within the same parent) and back if the move fails."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = target.parent / f".{target.name}.replaced-{os.getpid()}-{secrets.token_hex(4)}"
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        os.replace(old, target)  # put the earlier dataset back
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_target(to: Path | str, *, kind: str = "qualitative") -> Iterator[Staging]:
    """Stage an import into ``to``: yield a temporary folder beside it, move it into place
    when the block succeeds, and remove every trace when it fails.

    The temporary folder starts as a copy of the existing ``to`` (if any), so files the
    import does not write are kept. Missing parent folders are created, and removed again
    when the import fails. When ``to`` is a symbolic link to a folder, the import goes into
    that folder and the link is kept. Staging folders that killed imports left beside the
    target (their process gone) are removed first, see :func:`clean_stale_staging`.

    Raises
    ------
    DataError
        When ``to`` is a file, a link to no folder, a synthetic dataset, or (for
        qualitative imports) a dataset that no earlier import wrote; and, in one line
        naming ``to``, when the folder cannot be written (a full or read-only disk). The
        earlier dataset in ``to`` is then left as it was.
    """
    started = time.time()
    target = _real_target(to)
    exists = check_target(target, kind)
    created: list[Path] = []
    missing = []
    parent = target.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    tmp: Path | None = None
    try:
        for p in reversed(missing):
            p.mkdir()
            created.append(p)
        clean_stale_staging(target.parent, started)
        tmp = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.importing-{os.getpid()}-", dir=target.parent)
        )
        umask = os.umask(0o022)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; give the folder mkdir's mode
        if exists:
            shutil.copytree(target, tmp, dirs_exist_ok=True, symlinks=True)
        yield Staging(folder=tmp, target=target, previous=target if exists else None)
        _swap(tmp, target)
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        for p in reversed(created):
            try:
                p.rmdir()
            except OSError:
                break
        if isinstance(exc, DataError) and tmp is not None:
            raise _named_as_target(exc, tmp, target) from None
        if isinstance(exc, OSError):
            raise _unwritable(target, exc, tmp) from None
        raise
