"""Where an import writes: a staged folder beside the target, moved into place at the end.

Every import (:mod:`.refi`, :mod:`.taguette`, :mod:`.survey`) is staged: the files are written into a hidden temporary folder beside ``--to``
(inside ``--to``'s parent) and moved into place only when everything succeeded, so a failed
import leaves nothing behind and nothing is ever written outside ``--to``. An existing
``--to`` is only replaced when it holds an earlier import (or nothing); files the new import
does not write (a survey next to the interviews, ``double_coding.csv``, notes) are kept, as
are the pseudonym salt and key.

Importers raise :class:`~coprodlib.errors.DataError` for problems in the user's files; the
``coprod`` command line turns it into a readable message and exit code 1.
"""

from __future__ import annotations

import os
import shutil
import tempfile
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

    ``kind`` is ``"qualitative"`` (qdpx, taguette) or ``"survey"``.
    """
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


@contextmanager
def staged_target(to: Path | str, *, kind: str = "qualitative") -> Iterator[Staging]:
    """Stage an import into ``to``: yield a temporary folder beside it, move it into place
    when the block succeeds, and remove every trace when it fails.

    The temporary folder starts as a copy of the existing ``to`` (if any), so files the
    import does not write are kept. Missing parent folders are created, and removed again
    when the import fails.

    Raises
    ------
    DataError
        When ``to`` is a file, a synthetic dataset, or (for qualitative imports) a dataset
        that no earlier import wrote.
    """
    target = Path(to).expanduser().absolute()
    if target.name in ("", ".", ".."):
        raise DataError(Problem(file=str(to), expected="a folder name for --to (not '.' or '..')"))
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
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.importing-", dir=target.parent))
        umask = os.umask(0o022)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; give the folder mkdir's mode
        if exists:
            shutil.copytree(target, tmp, dirs_exist_ok=True, symlinks=True)
        yield Staging(folder=tmp, target=target, previous=target if exists else None)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.replaced-", dir=target.parent))
            os.replace(target, old / "old")
            try:
                os.replace(tmp, target)
            except OSError:
                os.replace(old / "old", target)  # put the earlier dataset back
                shutil.rmtree(old, ignore_errors=True)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        for p in reversed(created):
            try:
                p.rmdir()
            except OSError:
                break
        raise
