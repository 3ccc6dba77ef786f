"""The files of a REFI-QDA project: a ``.qdpx`` archive, its unzipped folder, or a bare ``.qde``.

:func:`open_project` opens any of the three as :class:`ProjectFiles`, which hands out the
bytes of the project's ``*.qde`` and of the source texts under ``sources/``. Both readers
refuse what a hostile project could try: archives are checked for zip slip and zip bombs by
:mod:`coprodlib.safe_archive` when opened; a source text may not exceed
:data:`MAX_SOURCE_BYTES`, nor the archive's inflated total
:data:`coprodlib.safe_archive.MAX_UNCOMPRESSED_BYTES`; a folder's sources may not link
outside it; and :func:`source_name` refuses source paths that are absolute or climb out
with ``..``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from .. import safe_archive
from ..errors import DataError, fail

__all__ = [
    "CODEBOOK_HINT",
    "MAX_SOURCE_BYTES",
    "ProjectFiles",
    "codebook_only",
    "open_project",
    "source_name",
]

#: Largest text source read from a project (bytes); the archive's total is capped by
#: :data:`coprodlib.safe_archive.MAX_UNCOMPRESSED_BYTES`.
MAX_SOURCE_BYTES = 256 * 1024**2
#: The command that imports a codebook-only export, which error messages point to.
CODEBOOK_HINT = "coprod codebook import"


class ProjectFiles:
    """Where a project's ``*.qde`` and source texts come from: a zip archive or a folder.

    ``file`` is the name messages give the project; :func:`open_project` makes one.
    """

    file: str

    def qde(self) -> tuple[bytes, str]:
        """The bytes of the project's ``*.qde`` and where they were read from."""
        raise NotImplementedError

    def read_source(self, relative: str) -> bytes | None:
        """The bytes of ``sources/<relative>`` (names compared ignoring case), or None."""
        raise NotImplementedError

    def read_at_root(self, relative: str) -> bytes | None:
        """The bytes of ``<relative>`` beside the ``*.qde`` (names compared ignoring case),
        or None."""
        raise NotImplementedError

    def find_text(self, relative: str) -> tuple[bytes, str] | None:
        """Find a source text that a ``plainTextPath`` names without ``internal://``.

        Parameters
        ----------
        relative : str
            A path already checked by :func:`source_name` (relative, no ``..``), such as a
            bare ``board_2017.txt`` or ``sources/board_2017.txt``.

        Returns
        -------
        tuple of (bytes, str) or None
            The bytes and the member's name as messages give it (``sources/...`` or the
            path beside the ``*.qde``): first under ``sources/``, then beside the ``*.qde``;
            None when the project holds no such file.
        """
        tries = [relative]
        head, _, rest = relative.partition("/")
        if head.lower() == "sources" and rest:
            tries.insert(0, rest)
        for name in tries:
            data = self.read_source(name)
            if data is not None:
                return data, f"sources/{name}"
        data = self.read_at_root(relative)
        return None if data is None else (data, relative)

    def close(self) -> None:
        """Release what these files hold open (the zip archive)."""


def source_name(ref: str) -> str | None:
    """Check the path of a source text inside a project.

    Parameters
    ----------
    ref : str
        What follows ``internal://`` in a source's ``plainTextPath``, or a ``plainTextPath``
        given as a bare name or relative path (as some tools write it).

    Returns
    -------
    str or None
        The file's name under ``sources/`` (forward slashes), or None when the path is
        empty, absolute or climbs out with ``..``.

    Examples
    --------
    >>> source_name("sub\\\\a.txt"), source_name("../../etc/passwd")
    ('sub/a.txt', None)
    """
    name = ref.replace("\\", "/")
    if not name or safe_archive.unsafe_member(name) or name.startswith("/"):
        return None
    return str(PurePosixPath(name))


class _ZipFiles(ProjectFiles):
    """A ``.qdpx`` archive, checked against zip slip and zip bombs when opened."""

    def __init__(self, path: Path) -> None:
        self.file = path.name
        try:
            self.zf = zipfile.ZipFile(path)
            infos = safe_archive.check_archive(self.zf, self.file)
            self.qde_info = safe_archive.find_qde(infos, self.file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
            self.close()
            raise fail(self.file, f"a readable zip archive ({exc})", "unreadable") from None
        except OSError as exc:
            self.close()
            reason = exc.strerror or type(exc).__name__
            raise fail(self.file, f"a readable zip archive ({reason})", "unreadable") from None
        except DataError:
            self.close()
            raise
        base = (
            self.qde_info.filename.rsplit("/", 1)[0] + "/" if "/" in self.qde_info.filename else ""
        )
        self.base = base.lower()
        self.members = {i.filename.lower(): i for i in infos if not i.is_dir()}
        self.inflated = 0

    def qde(self) -> tuple[bytes, str]:
        data, _ = safe_archive.read_qde_member(self.zf, self.qde_info, self.file)
        self.inflated += len(data)
        return data, f"{self.file}:{self.qde_info.filename}"

    def read_source(self, relative: str) -> bytes | None:
        info = self.members.get(f"{self.base}sources/{relative}".lower())
        return None if info is None else self._read_info(info)

    def _read_info(self, info: zipfile.ZipInfo) -> bytes:
        """The bytes of one member, within the limits of a text source and of the archive."""
        where = f"{self.file}:{info.filename}"
        if info.file_size > MAX_SOURCE_BYTES:
            raise fail(where, f"a text source of at most {MAX_SOURCE_BYTES} bytes", "too_large")
        data = safe_archive.read_member(self.zf, info, self.file, MAX_SOURCE_BYTES)
        if len(data) > MAX_SOURCE_BYTES:
            raise fail(where, f"a text source of at most {MAX_SOURCE_BYTES} bytes", "too_large")
        self.inflated += len(data)
        if self.inflated > safe_archive.MAX_UNCOMPRESSED_BYTES:
            raise fail(
                self.file,
                f"an archive that unpacks to at most {safe_archive.MAX_UNCOMPRESSED_BYTES} bytes",
                "too_large",
            )
        return data

    def read_at_root(self, relative: str) -> bytes | None:
        info = self.members.get(f"{self.base}{relative}".lower())
        return None if info is None else self._read_info(info)

    def close(self) -> None:
        zf = getattr(self, "zf", None)
        if zf is not None:
            zf.close()


class _FolderFiles(ProjectFiles):
    """An unzipped project folder, or the folder of a bare ``*.qde``."""

    def __init__(self, folder: Path, qde: Path | None = None) -> None:
        self.folder = folder.resolve()
        self.file = folder.name
        if qde is None:
            found = sorted(
                p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".qde"
            )
            if len(found) != 1:
                names = ", ".join(p.name for p in found) or "none"
                raise fail(
                    str(folder),
                    f"a project folder with exactly one *.qde file (found: {names})",
                    "missing" if not found else "invalid",
                )
            qde = found[0]
        self.qde_path = qde
        # sources/ or Sources/ (both may exist after unzipping on a case-sensitive system)
        self.sources = [p for p in folder.iterdir() if p.is_dir() and p.name.lower() == "sources"]
        self._index: dict[str, Path] | None = None

    def qde(self) -> tuple[bytes, str]:
        path = self.qde_path
        if path.stat().st_size > safe_archive.MAX_XML_BYTES:
            raise fail(
                str(path), f"an XML file of at most {safe_archive.MAX_XML_BYTES} bytes", "too_large"
            )
        try:
            with path.open("rb") as fh:
                return safe_archive.read_limited(fh, str(path)), str(path)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise fail(str(path), f"a readable project file ({reason})", "unreadable") from None

    def read_source(self, relative: str) -> bytes | None:
        if self._index is None:
            self._index = {}
            for folder in self.sources:
                for p in folder.rglob("*"):
                    if p.is_file():
                        key = str(p.relative_to(folder)).replace("\\", "/").lower()
                        self._index.setdefault(key, p)
        path = self._index.get(relative.lower())
        return None if path is None else self._read_path(path)

    def read_at_root(self, relative: str) -> bytes | None:
        path = self.folder / relative
        if not path.is_file():  # a bare name may differ in case from the file's
            low = relative.lower()
            path = next((p for p in sorted(self.folder.iterdir()) if p.name.lower() == low
                         and p.is_file()), None)  # fmt: skip
        return None if path is None else self._read_path(path)

    def _read_path(self, path: Path) -> bytes:
        """The bytes of a file of the folder; refused when it links outside the folder."""
        real = path.resolve()
        if not real.is_relative_to(self.folder):
            raise fail(
                str(path),
                "a source file inside the project folder (this one links outside it)",
                "unsafe_path",
            )
        try:
            if real.stat().st_size > MAX_SOURCE_BYTES:
                raise fail(
                    str(path), f"a text source of at most {MAX_SOURCE_BYTES} bytes", "too_large"
                )
            return real.read_bytes()
        except OSError as exc:  # permissions, a vanished file: the reason, not the errno
            reason = exc.strerror or type(exc).__name__
            raise fail(str(path), f"a readable source file ({reason})", "unreadable") from None


def open_project(path: Path) -> ProjectFiles:
    """Open the files of a REFI-QDA project; close them when done.

    Parameters
    ----------
    path : Path
        A ``.qdpx`` archive, an unzipped project folder (with exactly one ``*.qde``), or a
        bare ``*.qde`` beside its ``sources/``.

    Returns
    -------
    ProjectFiles
        The project's files, the archive already checked.

    Raises
    ------
    DataError
        For a missing path, a ``.qdc`` codebook (pointing to the codebook import), a file
        that is not a zip, an unreadable, unsafe or oversized archive, and a folder without
        exactly one ``*.qde``.
    """
    file = path.name or str(path)
    if not path.exists():
        raise fail(str(path), "an existing .qdpx file or project folder (no such file)", "missing")
    if path.is_dir():
        return _FolderFiles(path)
    if zipfile.is_zipfile(path):
        return _ZipFiles(path)
    if path.suffix.lower() == ".qde":
        return _FolderFiles(path.parent, path)
    if path.suffix.lower() == ".qdc":
        raise codebook_only(file, path)
    raise fail(
        file,
        "a .qdpx project, which is a zip archive holding project.qde (this file is not a zip)",
        "not_a_zip",
    )


def codebook_only(file: str, path: Path) -> DataError:
    """Build the error for a project without coded selections (a codebook-only export).

    Parameters
    ----------
    file : str
        The name the message gives the project.
    path : Path
        The project, as the command to run on it names it.

    Returns
    -------
    DataError
        To be raised; it names the :data:`CODEBOOK_HINT` command that imports the codes.
    """
    return fail(
        file,
        "a project with coded text selections; this file has none (a codebook-only export?). "
        f"To match its codes to the codebook, run: {CODEBOOK_HINT} {path}",
        "no_codings",
    )
