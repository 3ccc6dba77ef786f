"""Remembering what a dataset folder gave, so that an unchanged folder is not read again.

A notebook that runs ``cp.validate(dataset)`` and then ``cp.load(dataset)``, or that is run
again in the same kernel, would read and check every file of the folder each time. The
:class:`FolderCache` keeps the outcome of the last reads, each under the folder's path and a
:class:`FolderStamp`: the size, modification and change times, inode and device of every file
that reading the folder looks at (the table files under each of their endings, present or
not, ``dataset.yml`` and ``scales.yml``). A file that was changed shortly before it was read
(within :data:`RACY_SECONDS`, where two writes may share one time stamp) is remembered by a
hash of its content as well, and that hash is compared again on every look-up, so that an
edit that keeps the size within one tick of the clock is still seen.

The cache knows nothing of tables: it stores what it is given. The front of the contract
(:mod:`.dataset`) decides what that is and hands out copies.

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "cases.csv").write_text("case_id\\nc1\\n", encoding="utf-8")
>>> cache = FolderCache(["cases.csv"])
>>> cache.get(folder) is None
True
>>> cache.put(folder, stamp_folder(folder, ["cases.csv"]), "read once")
>>> cache.get(folder)
'read once'
>>> _ = (folder / "cases.csv").write_text("case_id\\nc2\\n", encoding="utf-8")
>>> cache.get(folder) is None
True
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["RACY_SECONDS", "FileStamp", "FolderStamp", "FolderCache", "stamp_folder"]

#: A file changed less than this long before it was stamped is also remembered by its hash:
#: file systems keep times in ticks of the clock, and two writes within one tick, of the same
#: size, would leave the same stamp.
RACY_SECONDS = 2.0


@dataclass(frozen=True)
class FileStamp:
    """What a file looked like when it was read (``None`` fields: the file was absent).

    ``digest`` is the BLAKE2 hash of its content, kept only for a file changed within
    :data:`RACY_SECONDS` of being stamped.
    """

    name: str
    kind: str  # "file", "folder" or "absent"
    size: int = 0
    mtime_ns: int = 0
    ctime_ns: int = 0
    inode: int = 0
    device: int = 0
    digest: str | None = None


#: The stamps of every file a folder's reading looks at, in a fixed order.
FolderStamp = tuple[FileStamp, ...]


def _digest(path: Path) -> str:
    """The BLAKE2 hash of a file's bytes, read in blocks of one MiB."""
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _stat_file(path: Path) -> FileStamp:
    """A file's stamp from its metadata alone (no hash)."""
    try:
        st = os.stat(path)
    except OSError:
        return FileStamp(path.name, "absent")
    if not os.path.isfile(path):
        return FileStamp(path.name, "folder")
    return FileStamp(path.name, "file", st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                     st.st_ino, st.st_dev)  # fmt: skip


def _stamp_file(path: Path, now_ns: int) -> FileStamp:
    """A file's stamp, with the hash of its content when it changed just before ``now_ns``."""
    stamp = _stat_file(path)
    if stamp.kind == "file" and max(stamp.mtime_ns, stamp.ctime_ns) > now_ns - int(
        RACY_SECONDS * 1e9
    ):
        try:
            return replace(stamp, digest=_digest(path))
        except OSError:
            return stamp
    return stamp


def stamp_folder(folder: Path, names: Sequence[str]) -> FolderStamp:
    """The stamps of the files ``names`` in ``folder`` (absent ones included), now.

    Parameters
    ----------
    folder : Path
        The dataset folder.
    names : sequence of str
        The file names that reading the folder looks at.

    Returns
    -------
    tuple of FileStamp
        One per name, in the order given.
    """
    now = time.time_ns()
    return tuple(_stamp_file(Path(folder) / name, now) for name in names)


def _unchanged(old: FolderStamp, folder: Path, *, hashes: bool = True) -> bool:
    """Whether the files stamped in ``old`` are as they were (with ``hashes``, the content of
    those remembered by their hash is compared too)."""
    for before in old:
        path = Path(folder) / before.name
        if replace(_stat_file(path), digest=before.digest) != before:
            return False
        if hashes and before.digest is not None:
            try:
                if _digest(path) != before.digest:
                    return False
            except OSError:
                return False
    return True


class FolderCache:
    """The outcome of reading the last few dataset folders, each under its path and stamp.

    Parameters
    ----------
    names : sequence of str
        The file names that reading a folder looks at.
    size : int
        How many folders are remembered; the one used longest ago goes first.
    """

    def __init__(self, names: Sequence[str], size: int = 2) -> None:
        self.names = tuple(names)
        self.size = size
        self._entries: OrderedDict[str, tuple[FolderStamp, Any]] = OrderedDict()

    @staticmethod
    def _key(folder: Path) -> str:
        return os.path.realpath(folder)

    def stamp(self, folder: Path) -> FolderStamp:
        """The folder's stamp now (see :func:`stamp_folder`)."""
        return stamp_folder(folder, self.names)

    def get(self, folder: Path) -> Any:
        """What was stored for ``folder``, or ``None`` when nothing was or a file changed."""
        key = self._key(folder)
        found = self._entries.get(key)
        if found is None:
            return None
        if not _unchanged(found[0], folder):
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, folder: Path, stamp: FolderStamp, value: Any) -> None:
        """Remember ``value`` for ``folder`` as it was when ``stamp`` was taken.

        Nothing is stored when a file's metadata changed since (a file written while the
        folder was read). A file written within the same tick of the clock keeps its metadata;
        its hash, taken with ``stamp`` before the reading, then differs at the next look-up.
        """
        key = self._key(folder)
        self._entries.pop(key, None)
        if not _unchanged(stamp, folder, hashes=False):
            return
        self._entries[key] = (stamp, value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every folder."""
        self._entries.clear()
