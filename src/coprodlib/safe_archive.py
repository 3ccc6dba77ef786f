"""Reading other people's archives and XML safely: limits, zip-slip and zip-bomb checks, and an
XML parser that refuses DTDs and entity declarations. Every importer reads through here.

The limits are module constants, so that a test can lower them (``monkeypatch.setattr``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET

from .errors import DataError, fail

__all__ = [
    "MAX_ZIP_MEMBERS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_XML_BYTES",
    "unsafe_member",
    "read_limited",
    "read_member",
    "check_archive",
    "find_qde",
    "read_qde_member",
    "qde_from_zip",
    "local_name",
    "parse_xml",
]

#: Limits for reading archives and XML.
MAX_ZIP_MEMBERS = 20_000
MAX_UNCOMPRESSED_BYTES = 4 * 1024**3
MAX_XML_BYTES = 512 * 1024**2


def unsafe_member(name: str) -> bool:
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return True
    return ".." in PurePosixPath(norm).parts


def read_limited(handle: Any, file: str) -> bytes:
    data = handle.read(MAX_XML_BYTES + 1)
    if len(data) > MAX_XML_BYTES:
        raise fail(file, f"an XML file of at most {MAX_XML_BYTES} bytes", "too_large")
    return data


def check_archive(zf: zipfile.ZipFile, file: str) -> list[zipfile.ZipInfo]:
    """The members of an open archive, after refusing unsafe names and oversized archives.

    Raises a DataError for more than :data:`MAX_ZIP_MEMBERS` members, a member name that is
    absolute or climbs out with ``..`` (zip slip), or more than
    :data:`MAX_UNCOMPRESSED_BYTES` declared uncompressed bytes (zip bomb). Readers must still
    cap what they actually inflate, since the declared sizes can lie.
    """
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise fail(
            file,
            f"a .qdpx archive of at most {MAX_ZIP_MEMBERS} files (it has {len(infos)})",
            "too_large",
        )
    unsafe = [i.filename for i in infos if unsafe_member(i.filename)]
    if unsafe:
        raise fail(
            file,
            "archive member names without absolute paths or '..' (refused: "
            f"{', '.join(repr(u) for u in unsafe[:5])})",
            "unsafe_archive",
        )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise fail(
            file,
            f"an archive that unpacks to at most {MAX_UNCOMPRESSED_BYTES} bytes "
            f"(it declares {total})",
            "too_large",
        )
    return infos


def find_qde(infos: list[zipfile.ZipInfo], file: str) -> zipfile.ZipInfo:
    """The one ``*.qde`` member (any case, any folder) of a project archive."""
    qdes = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(".qde")]
    if len(qdes) != 1:
        found = ", ".join(i.filename for i in qdes) or "none"
        raise fail(
            file,
            f"exactly one *.qde project file in the archive (found: {found})",
            "missing" if not qdes else "invalid",
        )
    return qdes[0]


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str, limit: int) -> bytes:
    """The inflated bytes of one archive member, at most ``limit + 1`` of them.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The open archive.
    info : zipfile.ZipInfo
        The member to read.
    file : str
        The archive's name in messages; the member's name is added to it.
    limit : int
        Read no more than ``limit + 1`` bytes, so that the caller can tell an oversized
        member (whatever size it declares) from one that fits.

    Returns
    -------
    bytes
        What the member holds (its CRC checked when it was read to the end).

    Raises
    ------
    DataError
        Naming the archive and the member, for an encrypted member (a password would be
        needed), a compression method this Python cannot read, and damaged compressed data
        (a corrupt deflate stream, a wrong CRC, a truncated archive).
    """
    where = f"{file}:{info.filename}"
    if info.flag_bits & 0x1:
        raise _encrypted(where)
    try:
        with zf.open(info) as fh:
            return fh.read(limit + 1)
    except RuntimeError as exc:  # zipfile's way of saying "password required"
        if "encrypted" in str(exc) or "password" in str(exc):
            raise _encrypted(where) from None
        raise
    except NotImplementedError:
        raise fail(
            where,
            "an archive member stored or deflated (it uses a compression method that cannot "
            "be read; export the project again)",
            "unreadable",
        ) from None
    except (zlib.error, zipfile.BadZipFile, EOFError, OSError) as exc:
        reason = "its data ends early" if isinstance(exc, EOFError) else "its data is damaged"
        if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
            reason = "its data is damaged (wrong CRC-32 checksum)"
        raise fail(
            where,
            f"an intact archive member ({reason}: the archive is corrupt; copy or export the "
            "project again)",
            "unreadable",
        ) from None


def _encrypted(where: str) -> DataError:
    return fail(
        where,
        "an archive member without a password (this one is encrypted; export the project "
        "again without encryption)",
        "encrypted",
    )


def read_qde_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> tuple[bytes, str]:
    """The bytes of a project's ``*.qde`` member (see :func:`read_member`) and its name."""
    member = f"{file}:{info.filename}"
    if info.file_size > MAX_XML_BYTES:
        raise fail(member, f"an XML file of at most {MAX_XML_BYTES} bytes", "too_large")
    data = read_member(zf, info, file, MAX_XML_BYTES)
    if len(data) > MAX_XML_BYTES:
        raise fail(member, f"an XML file of at most {MAX_XML_BYTES} bytes", "too_large")
    return data, member


def qde_from_zip(path: Path) -> tuple[bytes, str]:
    """The ``*.qde`` of a ``.qdpx`` archive, the archive checked; raises a DataError for an
    unreadable, unsafe or oversized archive."""
    file = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = check_archive(zf, file)
            return read_qde_member(zf, find_qde(infos, file), file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise fail(file, f"a readable zip archive ({exc})", "unreadable") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise fail(file, f"a readable zip archive ({reason})", "unreadable") from None


def local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml(data: bytes, file: str) -> ET.Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise fail(
            file,
            f"XML without a DTD or entity declarations (refused for safety: {type(exc).__name__})",
            "unsafe_xml",
        ) from None
    except ET.ParseError as exc:
        raise fail(file, f"well-formed XML ({exc})", "unreadable") from None
