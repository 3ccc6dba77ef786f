"""File names for case ids, and the check that the runner only touches its own report folder.

A case id is whatever the dataset's ``cases.csv`` says; the runner must stay safe for any
string, so an id is never used as a path. :func:`case_file_name` maps each id to a file name:

- an id of 1 to 80 characters from ``a-z``, ``0-9``, ``_`` and ``-`` that begins with a
  letter or digit (and is not a name Windows reserves, such as ``con`` or ``com1``) is its
  own file name: ``de_city_marketing`` gives ``cases/de_city_marketing.html``;
- any other id gives a readable slug (letters folded to lower-case ASCII, every other run of
  characters turned into ``_``, at most 40 characters) and ``~`` and the first 16 hex digits
  of the SHA-256 of the id's UTF-8 bytes: ``Care & Cure #2`` gives
  ``care_cure_2~<16 hex digits>``, ``../x`` gives ``x~<16 hex digits>``.

Names of the first kind hold no ``~`` and names of the second kind always do, so the two
kinds never meet; within each kind different ids give different names, and since every name
is lower case this holds on file systems that fold case (macOS, Windows) too. No name holds
a ``.`` or begins with one: the runner's own working names (``.staging-*``, ``.*.old``,
``.coprod-run.lock``) and the suffixes it adds (``.ipynb``, ``.html``, ``.failed.ipynb``) can
never be another case's file.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

from ..errors import fail

__all__ = ["case_file_name", "inside", "remove_inside", "RESERVED_PREFIX"]

#: Every name the runner makes for itself begins with this; no case file name does.
RESERVED_PREFIX = "."

_PLAIN = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{dev}{n}" for dev in ("com", "lpt") for n in range(10)]
)
_SLUG_CHARS = 40
_HASH_CHARS = 16


def case_file_name(case_id: str) -> str:
    """The file name (without suffix) the reports of a case are written under.

    Parameters
    ----------
    case_id : str
        The case id as the dataset gives it; any string.

    Returns
    -------
    str
        The id itself when it is a plain lower-case name, otherwise a slug of it with ``~``
        and a short hash of the id (see the module's description). Deterministic: the same
        id gives the same name on every machine and in every run.

    Examples
    --------
    >>> case_file_name("de_city_marketing")
    'de_city_marketing'
    >>> case_file_name("../../victim")
    'victim~e2c35920a2e00972'
    """
    text = str(case_id)
    if _PLAIN.fullmatch(text) and text not in _WINDOWS_RESERVED:
        return text
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")[:_SLUG_CHARS].rstrip("_")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_CHARS]
    return f"{slug or 'id'}~{digest}"


def inside(root: Path, path: Path) -> Path:
    """Return ``path`` when the directory entry it names lies inside ``root``; refuse otherwise.

    The folder holding the entry is resolved (symbolic links followed) and must be ``root``
    itself or a folder below it, and the entry's own name must be a real name (not ``.`` or
    ``..``). The entry itself is not followed: renaming or removing a symbolic link acts on
    the link, which is where it stands.

    Raises
    ------
    DataError
        When the path would lead outside the report folder.
    """
    root_r = Path(root).resolve()
    path = Path(path)
    parent = path.parent.resolve()
    if path.name in ("", ".", "..") or (parent != root_r and root_r not in parent.parents):
        raise fail(
            str(root),
            "every file of a report inside the report folder; the runner refused to write, "
            "rename or remove a path outside it",
            value=str(path),
        )
    return path


def remove_inside(root: Path, path: Path) -> None:
    """Remove a file, a symbolic link or a folder tree at ``path``, after :func:`inside`."""
    path = inside(root, path)
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path)
