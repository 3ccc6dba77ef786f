"""Import REFI-QDA projects (``.qdpx``) into a dataset folder.

A ``.qdpx`` file is a zip archive holding one ``*.qde`` XML file (the project) and the text
of its sources under ``sources/``. :func:`read_qdpx` reads it, or its unzipped folder, into a
:class:`QdaProject`; :func:`import_qdpx` writes that project as a dataset folder in the data
contract (see :func:`write_project`, which the Taguette importer shares):

- each text source becomes a document, and each coded text selection
  (``PlainTextSelection`` with ``Coding``/``CodeRef``) a segment with one coding per code
  reference; the coding's creating user is kept as the coder;
- REFI-QDA ``Cases`` become the dataset's cases, with variables named like a ``cases.csv``
  column (country, phase, ...) filling that column and all other variables (on cases or,
  as MAXQDA writes them, on sources) becoming participant attributes. Without cases every
  document is one participant of a single case named after the project. Either way a
  ``documents.csv`` map (document -> case, participant, role) is written for the user to
  edit and pass back with ``--documents``;
- codes are matched to the codebook (a ``coprod:id`` line in the description, then the
  code's name, then its full path, each by id, label or alias); unmatched codes become
  dataset-local codes of dimension ``local`` in ``codebook_extension.csv``, and a
  ``code_map.csv`` template lists every project code for ``--code-map``;
- selection offsets are converted to code points (end exclusive) from the unit the
  exporting tool counted (:func:`offset_convention`) and checked against the source text;
- names of participants, documents and cases are replaced by pseudonyms
  (:mod:`coprodlib.pseudonyms`).

Everything a hostile file could do is refused with a :class:`~coprodlib.errors.DataError`:
XML with a DTD or entities (XXE, billion laughs), archive members with absolute paths or
``..`` (zip slip), too many members or too many bytes (zip bombs; limits in
:mod:`coprodlib.qdc` plus :data:`MAX_SOURCE_BYTES`), files that are not zips, source paths
outside the project, unknown code references and offsets outside the source text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from .. import safe_archive
from .._io import write_csv
from ..errors import DataError, Problem, fail
from ..taxonomy import qdc
from ..taxonomy.codebook import Codebook, get_codebook
from ..taxonomy.records import normalize_name
from .pseudonyms import Pseudonymizer
from .staging import check_target, read_dataset_meta, staged_target, write_meta

__all__ = [
    "CASE_COLUMNS",
    "ImportResult",
    "MAX_SOURCE_BYTES",
    "PLACEHOLDERS",
    "QdaProject",
    "Selection",
    "Source",
    "convert_offsets",
    "import_qdpx",
    "offset_convention",
    "read_code_map",
    "read_qdpx",
    "write_project",
]

#: Largest text source read from a project (bytes); the archive's total is capped by
#: :data:`coprodlib.safe_archive.MAX_UNCOMPRESSED_BYTES`.
MAX_SOURCE_BYTES = 256 * 1024**2
#: At most this many problems are listed in one error.
MAX_PROBLEMS = 50
#: Units a tool may count offsets in.
OFFSET_UNITS = ("codepoints", "utf16", "utf8")
_UNIT_TEXT = {
    "codepoints": "code points",
    "utf16": "UTF-16 code units",
    "utf8": "UTF-8 bytes",
}
#: (substring of the exporting tool's name, unit, CRLF counted as one), first match wins.
TOOL_OFFSETS = (
    ("nvivo", "utf16", False),
    ("atlas.ti", "utf16", True),
    ("qualcoder", "codepoints", False),
    ("taguette", "utf8", False),
)
#: Columns of cases.csv that case variables of the same name fill.
CASE_COLUMNS = (
    "title",
    "country",
    "service_area",
    "phase",
    "level",
    "mode",
    "logic",
    "study",
    "year",
)
#: Codebook entries written to codebook_extension.csv for what a project does not record.
PLACEHOLDERS = {
    "phase": ("unknown_phase", "Phase not recorded"),
    "level": ("unknown_level", "Level not recorded"),
    "mode": ("unknown_mode", "Mode not recorded"),
    "role": ("unknown_role", "Role not recorded"),
}
UNKNOWN_COUNTRY = "ZZ"  # CLDR's code for an unknown region; fits the ISO alpha-2 pattern
UNKNOWN_SERVICE_AREA = "not recorded"
UNKNOWN_LOGIC = "unknown"
_PLACEHOLDER_NOTE = (
    "Placeholder written by coprod import because the project does not record it; "
    "replace it in cases.csv or documents.csv."
)
_CODEBOOK_HINT = "coprod codebook import"


# --------------------------------------------------------------------------- the project model


@dataclass
class Source:
    """A text source (document) of a project.

    ``text`` is the decoded text (byte-order mark removed, line ends as in the file), or
    ``None`` when it was not needed (no coded selections).
    """

    key: str
    name: str
    text: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass
class Selection:
    """A coded selection: code-point offsets (end exclusive) into its source's text, and one
    ``(code key, coder)`` pair per code reference."""

    id: str
    source: str
    start: int
    end: int
    codes: list[tuple[str, str | None]]


@dataclass
class CaseInfo:
    """A case of the project: its name, variables and the sources it holds."""

    key: str
    name: str
    variables: dict[str, Any] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass
class QdaProject:
    """A QDA project read into memory, ready for :func:`write_project`.

    ``codes`` has the columns of :data:`coprodlib.qdc.CODE_COLUMNS` plus ``key`` (the code's
    normalised GUID, what selections refer to) and ``parent_key``.
    """

    file: str
    command: str
    name: str
    origin: str | None
    codes: pd.DataFrame
    sources: list[Source]
    selections: list[Selection]
    cases: list[CaseInfo] = field(default_factory=list)
    offsets: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def n_codings(self) -> int:
        return sum(len(s.codes) for s in self.selections)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote; :meth:`summary` is what the command prints."""

    path: Path
    source: str
    tool: str | None
    counts: dict[str, int]
    offsets: str
    keep_text: bool
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        c = self.counts
        tool = f" ({self.tool})" if self.tool else ""
        lines = [
            f"imported {self.source}{tool} into {self.path}",
            f"  {c['documents']} document(s), {c['participants']} participant(s) in "
            f"{c['cases']} case(s)",
            f"  {c['segments']} coded segment(s) with {c['codings']} coding(s)",
            f"  codes: {c['codes_matched']} matched to the codebook, {c['codes_mapped']} "
            f"mapped by the code map, {c['codes_local']} kept as local codes",
        ]
        if self.offsets:
            lines.append(f"  offsets: {self.offsets}")
        lines.append(
            "  segment text: kept (--keep-text)"
            if self.keep_text
            else "  segment text: not kept (offsets only; use --keep-text to keep it)"
        )
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# --------------------------------------------------------------------------- small helpers


def _key(guid: Any) -> str:
    """A GUID as compared: braces and white space removed, lower case."""
    return str(guid or "").strip().strip("{}").strip().lower()


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if _local(c.tag) == name), None)


def raise_all(problems: list[Problem]) -> None:
    if not problems:
        return
    shown = problems[:MAX_PROBLEMS]
    if len(problems) > MAX_PROBLEMS:
        last = problems[MAX_PROBLEMS]
        shown.append(
            Problem(
                file=last.file,
                expected=f"({len(problems) - MAX_PROBLEMS} more problems not listed)",
                kind=last.kind,
            )
        )
    raise DataError(shown)


def decode_text(raw: bytes, file: str) -> str:
    """Source bytes as text: UTF-8 (a byte-order mark is removed) or UTF-16 with its mark."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, codec = raw[3:], "utf-8"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        codec = "utf-8"
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as err:
        raise fail(
            file,
            f"a text source in UTF-8 or UTF-16 with a byte-order mark (undecodable byte at "
            f"{err.start})",
            "encoding",
        ) from None


# --------------------------------------------------------------------------- offsets


def offset_convention(
    origin: str | None, offsets: str = "auto", crlf: str = "auto"
) -> tuple[str, bool, str]:
    """The unit selection offsets count, whether CRLF counts as one unit, and a description.

    ``offsets`` (``auto``, ``codepoints``, ``utf16``, ``utf8``) and ``crlf`` (``auto``,
    ``one``, ``two``) override what the exporting tool (``origin``) is known to do:
    NVivo counts UTF-16 code units with CRLF as two, ATLAS.ti UTF-16 code units with CRLF as
    one, QualCoder code points, Taguette UTF-8 bytes; other tools are taken to count code
    points, as the standard's text suggests.
    """
    if offsets not in ("auto", *OFFSET_UNITS):
        raise ValueError(f"offsets must be auto or one of {OFFSET_UNITS}, not {offsets!r}")
    if crlf not in ("auto", "one", "two"):
        raise ValueError(f"crlf must be auto, one or two, not {crlf!r}")
    low = (origin or "").lower()
    rule = next((r for r in TOOL_OFFSETS if r[0] in low), None)
    unit = offsets if offsets != "auto" else (rule[1] if rule else "codepoints")
    crlf_one = (crlf == "one") if crlf != "auto" else (bool(rule[2]) if rule else False)
    how = "as given" if offsets != "auto" or crlf != "auto" else None
    if how is None:
        how = f"the rule for {rule[0]}" if rule else "the default for tools without a rule"
    text = (
        f"{_UNIT_TEXT[unit]} with CRLF counted as {'one' if crlf_one else 'two'} "
        f"({how}), converted to code points"
    )
    return unit, crlf_one, text


def _boundaries(text: str, unit: str, crlf_one: bool) -> np.ndarray:
    """Offset (in ``unit``) of each code-point boundary of ``text``: length len(text) + 1."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
    if unit == "codepoints":
        widths = np.ones(len(cps), dtype=np.int64)
    elif unit == "utf16":
        widths = 1 + (cps > 0xFFFF)
    elif unit == "utf8":
        widths = 1 + (cps > 0x7F) + (cps > 0x7FF) + (cps > 0xFFFF)
    else:
        raise ValueError(f"unknown offset unit {unit!r}")
    widths = widths.astype(np.int64)
    if crlf_one and len(cps) > 1:
        pair = np.flatnonzero((cps[:-1] == 13) & (cps[1:] == 10))
        widths[pair] = 0  # the CR of a CRLF pair counts nothing
    return np.concatenate([[0], np.cumsum(widths)])


def convert_offsets(
    text: str,
    starts: Any,
    ends: Any,
    unit: str = "codepoints",
    crlf_one: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert selection offsets counted in ``unit`` into code-point offsets of ``text``.

    Returns the start and end code points and a status per selection: ``"ok"``,
    ``"outside"`` (an offset below 0 or beyond the text), ``"split"`` (an offset inside a
    character, e.g. between the two halves of a UTF-16 surrogate pair: the offsets count
    another unit) or ``"reversed"`` (start after end). Vectorised over the selections.

    Examples
    --------
    >>> convert_offsets("a😀b", [3], [4], "utf16")[:2]
    (array([2]), array([3]))
    >>> convert_offsets("a\\r\\nb", [2], [3], "codepoints", crlf_one=True)[:2]
    (array([3]), array([4]))
    """
    bounds = _boundaries(text, unit, crlf_one)
    total = bounds[-1]
    out = []
    status = np.full(len(np.atleast_1d(starts)), "ok", dtype=object)
    for raw in (starts, ends):
        o = np.atleast_1d(np.asarray(raw, dtype=np.int64))
        inside = (o >= 0) & (o <= total)
        idx = np.searchsorted(bounds, np.clip(o, 0, total), side="left")
        on_boundary = bounds[np.minimum(idx, len(bounds) - 1)] == o
        status[~inside & (status == "ok")] = "outside"
        status[inside & ~on_boundary & (status == "ok")] = "split"
        out.append(idx)
    s, e = out
    status[(status == "ok") & (s > e)] = "reversed"
    return s, e, status


# --------------------------------------------------------------------------- reading sources


class _Container:
    """Where a project's ``*.qde`` and source texts come from: a zip archive or a folder."""

    file: str

    def qde(self) -> tuple[bytes, str]:
        raise NotImplementedError

    def read_source(self, relative: str) -> bytes | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _source_name(ref: str) -> str | None:
    """The file name under sources/ that an ``internal://`` path names, or None if unsafe."""
    name = ref.replace("\\", "/")
    if not name or safe_archive.unsafe_member(name) or name.startswith("/"):
        return None
    return str(PurePosixPath(name))


class _ZipContainer(_Container):
    def __init__(self, path: Path) -> None:
        self.file = path.name
        try:
            self.zf = zipfile.ZipFile(path)
            infos = safe_archive.check_archive(self.zf, self.file)
            self.qde_info = safe_archive.find_qde(infos, self.file)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
            raise fail(self.file, f"a readable zip archive ({exc})", "unreadable") from None
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
        try:
            data, _ = safe_archive.read_qde_member(self.zf, self.qde_info, self.file)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
            raise fail(self.file, f"a readable zip archive ({exc})", "unreadable") from None
        self.inflated += len(data)
        return data, f"{self.file}:{self.qde_info.filename}"

    def read_source(self, relative: str) -> bytes | None:
        info = self.members.get(f"{self.base}sources/{relative}".lower())
        if info is None:
            return None
        where = f"{self.file}:{info.filename}"
        if info.file_size > MAX_SOURCE_BYTES:
            raise fail(where, f"a text source of at most {MAX_SOURCE_BYTES} bytes", "too_large")
        try:
            with self.zf.open(info) as fh:
                data = fh.read(MAX_SOURCE_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
            raise fail(where, f"a readable archive member ({exc})", "unreadable") from None
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

    def close(self) -> None:
        zf = getattr(self, "zf", None)
        if zf is not None:
            zf.close()


class _FolderContainer(_Container):
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
        with path.open("rb") as fh:
            return safe_archive.read_limited(fh, str(path)), str(path)

    def read_source(self, relative: str) -> bytes | None:
        if self._index is None:
            self._index = {}
            for folder in self.sources:
                for p in folder.rglob("*"):
                    if p.is_file():
                        key = str(p.relative_to(folder)).replace("\\", "/").lower()
                        self._index.setdefault(key, p)
        path = self._index.get(relative.lower())
        if path is None:
            return None
        real = path.resolve()
        if not real.is_relative_to(self.folder):
            raise fail(
                str(path),
                "a source file inside the project folder (this one links outside it)",
                "unsafe_path",
            )
        if real.stat().st_size > MAX_SOURCE_BYTES:
            raise fail(str(path), f"a text source of at most {MAX_SOURCE_BYTES} bytes", "too_large")
        return real.read_bytes()


def _open(path: Path) -> _Container:
    file = path.name or str(path)
    if not path.exists():
        raise fail(str(path), "an existing .qdpx file or project folder (no such file)", "missing")
    if path.is_dir():
        return _FolderContainer(path)
    if zipfile.is_zipfile(path):
        return _ZipContainer(path)
    if path.suffix.lower() == ".qde":
        return _FolderContainer(path.parent, path)
    if path.suffix.lower() == ".qdc":
        raise _codebook_only(file, path)
    raise fail(
        file,
        "a .qdpx project, which is a zip archive holding project.qde (this file is not a zip)",
        "not_a_zip",
    )


def _codebook_only(file: str, path: Path) -> DataError:
    return fail(
        file,
        "a project with coded text selections; this file has none (a codebook-only export?). "
        f"To match its codes to the codebook, run: {_CODEBOOK_HINT} {path}",
        "no_codings",
    )


# --------------------------------------------------------------------------- reading the XML


def _variable_value(vv: Any, variables: dict[str, str]) -> tuple[str | None, Any]:
    ref = _child(vv, "VariableRef")
    name = variables.get(_key(ref.get("targetGUID"))) if ref is not None else None
    for tag in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue"):
        el = _child(vv, tag)
        if el is not None:
            return name, (el.text or "").strip()
    el = _child(vv, "DateTimeValue")
    return name, None if el is None else (el.text or "").strip()


def _variables_of(el: Any, variables: dict[str, str], unknown: Counter) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for vv in _children(el, "VariableValue"):
        name, value = _variable_value(vv, variables)
        if name is None:
            unknown["variable"] += 1
            continue
        if value not in (None, ""):
            out[name] = value
    return out


def _codes_of(root: Any, file: str, cb: Codebook) -> pd.DataFrame:
    book = _child(root, "CodeBook")
    if book is None:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in qdc.CODE_COLUMNS})
        parents: tuple[int, ...] = ()
    else:
        frame, parents = qdc.codes_table(book, file, cb)
    frame = frame.astype(object).where(frame.notna(), None)
    frame["key"] = [_key(g) for g in frame["guid"]]
    frame["parent_key"] = [frame["key"].iat[p] if p >= 0 else None for p in parents]
    return frame


def read_qdpx(
    path: Path | str,
    *,
    offsets: str = "auto",
    crlf: str = "auto",
    cb: Codebook | None = None,
) -> QdaProject:
    """Read a REFI-QDA project (``.qdpx`` archive, unzipped folder or bare ``*.qde``).

    Parameters
    ----------
    path : Path
        The project.
    offsets, crlf : str
        The unit of the selection offsets and whether CRLF counts as one unit; ``auto``
        follows the exporting tool (see :func:`offset_convention`).
    cb : Codebook, optional
        Codebook the codes are matched against (default: the shipped one).

    Returns
    -------
    QdaProject
        Sources (text read only where selections need it), coded selections with code-point
        offsets, codes matched to the codebook, cases and variables.

    Raises
    ------
    DataError
        For a missing file, a file that is neither a zip nor a project folder, an unsafe or
        oversized archive, XML with a DTD or entities, malformed XML, a codebook-only project
        (pointing to ``coprod codebook import``), code references to unknown codes, missing
        or undecodable source text, and offsets outside the source text or inside a
        character. All problems of the last kinds are listed together.
    """
    cb = get_codebook() if cb is None else cb
    path = Path(path)
    container = _open(path)
    try:
        return _read_project(path, container, offsets, crlf, cb)
    finally:
        container.close()


def _read_project(
    path: Path, container: _Container, offsets: str, crlf: str, cb: Codebook
) -> QdaProject:
    data, where = container.qde()
    root = safe_archive.parse_xml(data, where)
    top = _local(root.tag)
    file = container.file
    if top == "CodeBook":
        raise _codebook_only(file, path)
    if top != "Project":
        raise fail(where, "a REFI-QDA <Project> document", value=f"<{top}>")
    origin = root.get("origin")
    unit, crlf_one, how = offset_convention(origin, offsets, crlf)

    users = {
        _key(u.get("guid")): (u.get("name") or "").strip() or None
        for us in _children(root, "Users")
        for u in _children(us, "User")
    }
    codes = _codes_of(root, where, cb)
    known_codes = set(codes["key"])
    variables = {
        _key(v.get("guid")): (v.get("name") or "").strip()
        for vs in _children(root, "Variables")
        for v in _children(vs, "Variable")
        if (v.get("name") or "").strip()
    }
    unknown: Counter = Counter()
    cases = [
        CaseInfo(
            key=_key(c.get("guid")),
            name=(c.get("name") or "").strip() or _key(c.get("guid")),
            variables=_variables_of(c, variables, unknown),
            sources=[_key(s.get("targetGUID")) for s in _children(c, "SourceRef")],
        )
        for cs in _children(root, "Cases")
        for c in _children(cs, "Case")
    ]

    problems: list[Problem] = []
    warnings: list[str] = []
    sources: list[Source] = []
    selections: list[Selection] = []
    skipped: Counter = Counter()
    seen_ids: set[str] = set()
    for group in _children(root, "Sources"):
        for src in group:
            kind = _local(src.tag)
            if kind != "TextSource":
                skipped[kind] += sum(1 for e in src.iter() if _local(e.tag) == "CodeRef")
                continue
            skey = _key(src.get("guid"))
            source = Source(
                key=skey,
                name=(src.get("name") or "").strip() or skey,
                variables=_variables_of(src, variables, unknown),
            )
            sources.append(source)
            skipped["whole-source codings"] += sum(
                len(_children(c, "CodeRef")) for c in _children(src, "Coding")
            )
            coded = []
            for sel in _children(src, "PlainTextSelection"):
                refs = []
                for coding in _children(sel, "Coding"):
                    coder = users.get(_key(coding.get("creatingUser"))) or users.get(
                        _key(sel.get("creatingUser"))
                    )
                    for ref in _children(coding, "CodeRef"):
                        target = _key(ref.get("targetGUID"))
                        if target not in known_codes:
                            problems.append(
                                Problem(
                                    file=where,
                                    value=ref.get("targetGUID"),
                                    expected="a CodeRef to a code of the project's codebook "
                                    f"(selection {sel.get('guid')} in source {source.name!r} "
                                    "refers to a code that does not exist)",
                                    kind="unknown_code",
                                )
                            )
                        refs.append((target, coder))
                if refs:
                    coded.append((sel, refs))
            if not coded:
                continue
            text = _source_text(src, source, container, where, problems)
            if text is None:
                continue
            source.text = text
            starts, ends, bad = [], [], []
            for sel, _ in coded:
                try:
                    starts.append(int(sel.get("startPosition")))
                    ends.append(int(sel.get("endPosition")))
                    bad.append(False)
                except (TypeError, ValueError):
                    starts.append(0)
                    ends.append(0)
                    bad.append(True)
            s_cp, e_cp, status = convert_offsets(text, starts, ends, unit, crlf_one)
            length = int(_boundaries(text, unit, crlf_one)[-1])
            for k, (sel, refs) in enumerate(coded):
                label = f"selection {sel.get('guid')} in source {source.name!r}"
                if bad[k]:
                    problems.append(
                        Problem(
                            file=where,
                            value=(sel.get("startPosition"), sel.get("endPosition")),
                            expected=f"whole-number startPosition and endPosition ({label})",
                            kind="invalid",
                        )
                    )
                    continue
                if status[k] != "ok":
                    problems.append(_offset_problem(where, label, starts[k], ends[k], status[k],
                                                    length, unit, crlf_one))  # fmt: skip
                    continue
                sid = _key(sel.get("guid")) or f"{skey}-{k + 1}"
                if sid in seen_ids:
                    n = 2
                    while f"{sid}-{n}" in seen_ids:
                        n += 1
                    sid = f"{sid}-{n}"
                seen_ids.add(sid)
                selections.append(Selection(sid, skey, int(s_cp[k]), int(e_cp[k]), refs))
    raise_all(problems)
    if not selections:
        raise _codebook_only(file, path)
    for kind, n in skipped.items():
        if n:
            what = kind if kind == "whole-source codings" else f"codings on {kind} sources"
            warnings.append(f"{n} {what} not imported (only coded text selections are)")
    if unknown["variable"]:
        warnings.append(f"{unknown['variable']} variable value(s) of unknown variables skipped")
    return QdaProject(
        file=file,
        command="qdpx",
        name=(root.get("name") or "").strip() or path.stem,
        origin=origin,
        codes=codes,
        sources=sources,
        selections=selections,
        cases=cases,
        offsets=how,
        warnings=warnings,
    )


def _offset_problem(
    where: str, label: str, start: int, end: int, status: str, length: int, unit: str,
    crlf_one: bool,
) -> Problem:  # fmt: skip
    units = _UNIT_TEXT[unit]
    if status == "outside":
        expected = (
            f"offsets within the source text, 0 to {length} {units} ({label}); the selection "
            "lies outside the text (a damaged project, or offsets in another unit: try "
            "--offsets / --crlf)"
        )
        kind = "out_of_range"
    elif status == "split":
        expected = (
            f"offsets on character boundaries ({label}); an offset falls inside a character, "
            f"so the tool did not count {units}{' with CRLF as one' if crlf_one else ''}: "
            "try --offsets / --crlf"
        )
        kind = "out_of_range"
    else:
        expected = f"startPosition <= endPosition ({label})"
        kind = "invalid"
    return Problem(file=where, value=(start, end), expected=expected, kind=kind)


def _source_text(
    el: Any, source: Source, container: _Container, where: str, problems: list[Problem]
) -> str | None:
    inline = _child(el, "PlainTextContent")
    if inline is not None:
        return inline.text or ""
    ref = (el.get("plainTextPath") or "").strip()
    what = f"source {source.name!r}"
    if not ref.lower().startswith("internal://"):
        problems.append(
            Problem(
                file=where,
                value=ref or None,
                expected=f"the plain text of {what} inside the project (plainTextPath "
                "internal://...); text kept outside the project is not read",
                kind="missing",
            )
        )
        return None
    name = _source_name(ref[len("internal://") :])
    if name is None:
        problems.append(
            Problem(
                file=where,
                value=ref,
                expected=f"a plainTextPath naming a file under sources/ ({what}); absolute "
                "paths and '..' are refused",
                kind="unsafe_path",
            )
        )
        return None
    raw = container.read_source(name)
    if raw is None:
        problems.append(
            Problem(
                file=where,
                value=ref,
                expected=f"the file sources/{name} in the project ({what} has coded "
                "selections but its text is missing)",
                kind="missing",
            )
        )
        return None
    return decode_text(raw, f"{container.file}:sources/{name}")


# --------------------------------------------------------------------------- code maps


def read_code_map(path: Path | str, cb: Codebook | None = None) -> pd.DataFrame:
    """Read a code map: ``project_code`` (a project's code path or name) -> ``code`` (id).

    Accepts a CSV or XLSX table with the columns ``project_code`` and ``code`` (other
    columns are ignored; an empty ``code`` leaves the project code unmapped), or a
    REFI-QDA codebook (``.qdc``, ``.qdpx`` or project folder) whose codes are matched as by
    ``coprod codebook import``. Codes given by label or alias are turned into ids.

    Raises
    ------
    DataError
        For a missing or unreadable file, missing columns, or codes that are not in the
        codebook (with suggestions).
    """
    from ..contract.dataset import read_table

    cb = get_codebook() if cb is None else cb
    path = Path(path)
    if not path.exists():
        raise fail(str(path), "an existing code map file (no such file)", "missing")
    if path.is_dir() or path.suffix.lower() in (".qdc", ".qdpx", ".qde"):
        codes = qdc.import_codebook(path, cb=cb).codes
        frame = pd.DataFrame(
            {"project_code": codes["path"].astype(object), "code": codes["matched_id"]}
        )
        return frame.astype(object).where(frame.notna(), None)
    table = read_table(path)
    missing = [c for c in ("project_code", "code") if c not in table.columns]
    if missing:
        raise fail(
            path.name,
            f"the columns project_code and code (missing: {', '.join(missing)})",
            "missing_column",
        )
    problems = []
    resolved: list[str | None] = []
    for row, (name, code) in enumerate(zip(table["project_code"], table["code"], strict=True)):
        if pd.isna(name) or not str(name).strip():
            resolved.append(None)
            if not pd.isna(code):
                problems.append(
                    Problem(file=path.name, row=row + 2, column="project_code",
                            expected="the project's code name for this row", kind="missing")
                )  # fmt: skip
            continue
        if pd.isna(code) or not str(code).strip():
            resolved.append(None)
            continue
        cid = str(code).strip() if str(code).strip() in cb else cb.resolve(code)
        if cid is None:
            hint = cb.suggest(code)
            problems.append(
                Problem(
                    file=path.name,
                    row=row + 2,
                    column="code",
                    value=code,
                    expected="a codebook id, label or alias"
                    + (f" (did you mean {', '.join(repr(h) for h in hint)}?)" if hint else ""),
                    kind="unknown_code",
                )
            )
        resolved.append(cid)
    raise_all(problems)
    frame = pd.DataFrame({"project_code": table["project_code"].astype(object), "code": resolved})
    frame = frame[frame["project_code"].notna()]
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")


def _resolve_codes(
    codes: pd.DataFrame,
    code_map: pd.DataFrame | None,
    cb: Codebook,
) -> tuple[pd.DataFrame, list[str]]:
    """Final id per project code: map, else codebook match, else a new local id.

    Returns ``codes`` with ``final_id``, ``matched_by`` and ``local_id`` columns, and
    warnings about map rows that match no code.
    """
    codes = codes.copy()
    warnings: list[str] = []
    mapped: dict[int, str] = {}
    if code_map is not None and len(code_map):
        by_path = {p: k for k, p in enumerate(codes["path"])}
        leaves: dict[str, list[int]] = {}
        for k, n in enumerate(codes["name"]):
            leaves.setdefault(n, []).append(k)
        unmatched = 0
        for name, code in zip(code_map["project_code"], code_map["code"], strict=True):
            name = str(name).strip()
            if name in by_path:
                k = by_path[name]
            elif len(leaves.get(name, [])) == 1:
                k = leaves[name][0]
            else:
                unmatched += 1
                continue
            if code is not None:
                mapped[k] = code
        if unmatched:
            warnings.append(
                f"{unmatched} code map row(s) name no code of this project (full path or "
                "unique name); they were ignored"
            )
    taken = set(cb._keys)
    for pid, label in PLACEHOLDERS.values():
        taken |= {normalize_name(pid), normalize_name(label)}
    final, how, local = [], [], []
    used_ids: set[str] = set()
    for k, row in enumerate(codes.itertuples(index=False)):
        auto, auto_by = row.matched_id, row.matched_by
        if auto is None:
            hit = cb.match([row.path])
            auto = hit["matched_id"].iat[0]
            auto_by = "path" if pd.notna(auto) else None
            auto = auto if pd.notna(auto) else None
        if k in mapped:
            final.append(mapped[k])
            how.append(auto_by if mapped[k] == auto else "map")
            local.append(None)
            continue
        if auto is not None:
            final.append(auto)
            how.append(auto_by)
            local.append(None)
            continue
        slug = _slug(str(row.path))[:48].strip("_")
        base = (
            f"local_{slug}"
            if slug
            else "local_" + hashlib.sha1(str(row.path).encode()).hexdigest()[:8]
        )
        lid, n = base, 2
        while lid in used_ids or normalize_name(lid) in taken:
            lid, n = f"{base}_{n}", n + 1
        used_ids.add(lid)
        taken.add(normalize_name(lid))
        final.append(lid)
        how.append(None)
        local.append(lid)

    def column(values: list[Any]) -> pd.Series:  # object dtype keeps None as None
        return pd.Series(values, dtype=object, index=codes.index)

    codes["final_id"] = column(final)
    codes["matched_by"] = column(how)
    codes["local_id"] = column(local)
    # labels of local codes: the full path, made unique under the codebook's name matching
    labels = []
    for lid, path in zip(codes["local_id"], codes["path"], strict=True):
        if lid is None:
            labels.append(None)
            continue
        label, n = str(path), 2
        while not normalize_name(label) or normalize_name(label) in taken:
            label, n = f"{path} [{n}]", n + 1
        taken.add(normalize_name(label))
        labels.append(label)
    codes["local_label"] = column(labels)
    return codes, warnings


def _extension_rows(codes: pd.DataFrame) -> list[dict[str, Any]]:
    final_of = dict(zip(codes["key"], codes["final_id"], strict=True))
    local_ids = set(codes["local_id"].dropna())
    rows = []
    for r in codes.itertuples(index=False):
        if r.local_id is None:
            continue
        parent = final_of.get(r.parent_key) if r.parent_key else None
        definition, _ = qdc.split_description(r.description)
        rows.append(
            {
                "id": r.local_id,
                "label": r.local_label,
                "dimension": "local",
                "parent": parent if parent in local_ids else None,
                "definition": definition,
            }
        )
    return rows


# --------------------------------------------------------------------------- documents map


def _read_documents_map(path: Path, known: set[str], cb: Codebook, strict: bool) -> tuple[
    dict[str, dict[str, str | None]], list[str]
]:  # fmt: skip
    from ..contract.dataset import read_table

    if not path.is_file():
        raise fail(str(path), "an existing documents map (no such file)", "missing")
    table = read_table(path)
    file = path.name
    if "document_id" not in table.columns:
        raise fail(file, "a column document_id (the documents.csv an import wrote)",
                    "missing_column")  # fmt: skip
    problems, warnings = [], []
    out: dict[str, dict[str, str | None]] = {}
    role_ids = set(cb.ids("role"))
    unknown = 0
    for k, rec in enumerate(table.to_dict("records")):
        row = k + 2
        did = rec.get("document_id")
        if pd.isna(did):
            continue
        did = str(did).strip()
        if did not in known:
            if strict:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column="document_id",
                        value=did,
                        expected="a document of this project (pseudonyms depend on the salt "
                        "in the target folder's .coprod_salt; import into the same --to)",
                        kind="foreign_key",
                    )
                )
            unknown += 1
            continue
        if did in out:
            problems.append(Problem(file=file, row=row, column="document_id", value=did,
                                    expected="each document once", kind="duplicate"))  # fmt: skip
            continue
        entry: dict[str, str | None] = {}
        for col in ("case_id", "participant_id"):
            v = rec.get(col)
            entry[col] = None if v is None or pd.isna(v) or not str(v).strip() else str(v).strip()
        role = rec.get("role")
        if role is None or pd.isna(role) or not str(role).strip():
            entry["role"] = None
        else:
            text = str(role).strip()
            placeholder = PLACEHOLDERS["role"][0]
            rid = text if text in role_ids or text == placeholder else cb.resolve(text)
            if rid not in role_ids and rid != placeholder:
                problems.append(
                    Problem(
                        file=file,
                        row=row,
                        column="role",
                        value=role,
                        expected=f"a role of the codebook: {', '.join(sorted(role_ids))}",
                        kind="unknown_code",
                    )
                )
                continue
            entry["role"] = rid
        out[did] = entry
    raise_all(problems)
    if unknown:
        warnings.append(
            f"{unknown} row(s) of {file} name documents this project no longer has; ignored"
        )
    return out, warnings


# --------------------------------------------------------------------------- writing


def _case_values(variables: dict[str, Any], cb: Codebook, warnings: list[str], who: str) -> tuple[
    dict[str, Any], dict[str, Any]
]:  # fmt: skip
    """Split variables into cases.csv columns and the rest."""
    columns: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    wanted = {normalize_name(c): c for c in CASE_COLUMNS}
    for name, value in variables.items():
        col = wanted.get(normalize_name(name))
        if col is None:
            rest[name] = value
            continue
        text = str(value).strip()
        if col == "country":
            if re.fullmatch(r"[A-Za-z]{2}", text):
                columns[col] = text.upper()
            else:
                warnings.append(f"{who}: country {text!r} is not an ISO alpha-2 code; not used")
        elif col in ("phase", "level", "mode", "logic"):
            cid = cb.resolve(text)
            if col == "logic" and normalize_name(text) == "unknown":
                columns[col] = UNKNOWN_LOGIC
            elif cid is not None and cid in cb.ids(col):
                columns[col] = cid
            else:
                warnings.append(f"{who}: {col} {text!r} is not a {col} of the codebook; not used")
        elif col == "year":
            try:
                columns[col] = int(float(text))
            except ValueError:
                warnings.append(f"{who}: year {text!r} is not a whole number; not used")
        else:
            columns[col] = text
    return columns, rest


def _role_from(variables: dict[str, Any], cb: Codebook) -> tuple[str | None, dict[str, Any]]:
    rest = dict(variables)
    for name in list(rest):
        if normalize_name(name) == "role":
            value = rest.pop(name)
            cid = cb.resolve(value)
            if cid is not None and cid in cb.ids("role"):
                return cid, rest
            rest[name] = value  # keep what cannot be matched as an attribute
    return None, rest


def _project_case_id(project: QdaProject) -> str:
    slug = _slug(project.name) or _slug(Path(project.file).stem) or "project"
    if len(slug) > 40:  # cut at a word boundary
        cut = slug[:41].rfind("_")
        slug = slug[: cut if cut >= 12 else 40]
    return slug.strip("_") or "project"


def write_project(
    project: QdaProject,
    to: Path | str,
    *,
    code_map: Path | str | None = None,
    documents: Path | str | None = None,
    keep_text: bool = False,
    cb: Codebook | None = None,
) -> ImportResult:
    """Write a read project as a dataset folder (staged; see :mod:`coprodlib.importing`).

    ``code_map`` and ``documents`` default to the ``code_map.csv`` and ``documents.csv`` of an
    earlier import into ``to``, so editing those files and importing again applies the edits.
    See :func:`import_qdpx` for the files written.
    """
    cb = get_codebook() if cb is None else cb
    target = Path(to).expanduser().absolute()
    earlier = check_target(target, "qualitative")
    previous = target if earlier else None
    notes: list[str] = []
    warnings = list(project.warnings)

    # --- the maps the user gave, or those of an earlier import
    map_path = Path(code_map) if code_map is not None else None
    if map_path is None and previous is not None and (previous / "code_map.csv").is_file():
        map_path = previous / "code_map.csv"
        notes.append("applied the code_map.csv of the earlier import in the target folder")
    cmap = read_code_map(map_path, cb) if map_path is not None else None
    codes, w = _resolve_codes(project.codes, cmap, cb)
    warnings += w

    pseudo = Pseudonymizer.for_folder(previous)
    doc_names = Counter(s.name for s in project.sources)

    def unique_name(src: Source) -> str:
        return src.name if doc_names[src.name] == 1 else f"{src.name} [{src.key}]"

    doc_id = {s.key: pseudo("document", unique_name(s)) for s in project.sources}

    docs_path = Path(documents) if documents is not None else None
    strict = docs_path is not None
    if docs_path is None and previous is not None and (previous / "documents.csv").is_file():
        docs_path = previous / "documents.csv"
        notes.append("applied the documents.csv of the earlier import in the target folder")
    dmap, w = (
        _read_documents_map(docs_path, set(doc_id.values()), cb, strict)
        if docs_path is not None
        else ({}, [])
    )
    warnings += w

    # --- cases and participants
    fallback = _project_case_id(project)
    case_of_source: dict[str, str] = {}
    case_rows: dict[str, dict[str, Any]] = {}
    case_attrs: dict[str, dict[str, Any]] = {}
    multi = 0
    for case in project.cases:
        cid = pseudo("case", case.name)
        values, rest = _case_values(case.variables, cb, warnings, f"case {cid}")
        case_rows.setdefault(cid, {"case_id": cid, "title": cid, **values})
        case_attrs[cid] = rest
        for s in case.sources:
            if s in case_of_source and case_of_source[s] != cid:
                multi += 1
                continue
            case_of_source[s] = cid
    if multi:
        warnings.append(f"{multi} source(s) belong to several cases; the first case was used")

    part_rows: dict[str, dict[str, Any]] = {}
    doc_rows = []
    doc_info: dict[str, tuple[str, str]] = {}
    problems: list[Problem] = []
    for src in project.sources:
        did = doc_id[src.key]
        case_id = case_of_source.get(src.key, fallback)
        pid = pseudo("participant", unique_name(src))
        attrs = {**case_attrs.get(case_id, {}), **src.variables}
        role, attrs = _role_from(attrs, cb)
        override = dmap.get(did, {})
        case_id = override.get("case_id") or case_id
        pid = override.get("participant_id") or pid
        role = override.get("role") or role or PLACEHOLDERS["role"][0]
        if case_id not in case_rows:
            title = project.name if case_id == fallback else case_id
            case_rows[case_id] = {"case_id": case_id, "title": title}
        row = part_rows.get(pid)
        if row is None:
            part_rows[pid] = {"participant_id": pid, "case_id": case_id, "role": role}
            for name, value in attrs.items():
                col = f"var_{name}" if name in ("participant_id", "case_id", "role") else name
                part_rows[pid][col] = value
        elif row["case_id"] != case_id or row["role"] != role:
            problems.append(
                Problem(
                    file=docs_path.name if docs_path else "documents.csv",
                    column="participant_id",
                    value=pid,
                    expected="one case and one role per participant (documents of this "
                    f"participant give {row['case_id']}/{row['role']} and {case_id}/{role})",
                    kind="inconsistent",
                )
            )
        doc_rows.append(
            {"document_id": did, "case_id": case_id, "participant_id": pid, "role": role}
        )
        doc_info[src.key] = (case_id, pid)
    raise_all(problems)

    # --- cases.csv: what the user filled in after an earlier import wins over what the
    # project says, which wins over placeholders
    old_cases = _previous_cases(previous)
    placeholder_values = {UNKNOWN_COUNTRY, UNKNOWN_SERVICE_AREA, UNKNOWN_LOGIC}
    placeholder_values |= {v[0] for v in PLACEHOLDERS.values()}
    for cid, row in case_rows.items():
        old = old_cases.get(cid, {})
        for col in CASE_COLUMNS:
            value = old.get(col)
            if value is not None and (value not in placeholder_values or col not in row):
                row[col] = value
        row.setdefault("country", UNKNOWN_COUNTRY)
        row.setdefault("service_area", UNKNOWN_SERVICE_AREA)
        for dim in ("phase", "level", "mode"):
            row.setdefault(dim, PLACEHOLDERS[dim][0])
        row.setdefault("logic", UNKNOWN_LOGIC)
    used_cases = {c for c, _ in doc_info.values()}
    cases = pd.DataFrame([case_rows[c] for c in case_rows if c in used_cases])
    cases = cases.reindex(columns=[c for c in ("case_id", *CASE_COLUMNS) if c in cases.columns])
    if "year" in cases.columns:
        cases["year"] = pd.array(pd.to_numeric(cases["year"], errors="coerce"), dtype="Int64")
    participants = pd.DataFrame(list(part_rows.values()))
    docs_frame = pd.DataFrame(doc_rows)
    docs_frame["title"] = None

    # --- segments and codings
    final_of = dict(zip(codes["key"], codes["final_id"], strict=True))
    text_of = {s.key: s.text for s in project.sources}
    seg_rows, coding_rows = [], []
    for sel in project.selections:
        case_id, pid = doc_info[sel.source]
        text = text_of[sel.source] or ""
        seg_rows.append(
            {
                "segment_id": sel.id,
                "case_id": case_id,
                "participant_id": pid,
                "document_id": doc_id[sel.source],
                "start": sel.start,
                "end": sel.end,
                "text": text[sel.start : sel.end] if keep_text else None,
            }
        )
        for code_key, coder in sel.codes:
            coding_rows.append({"segment_id": sel.id, "code": final_of[code_key], "coder": coder})
    segments = pd.DataFrame(seg_rows)
    codings = pd.DataFrame(coding_rows, columns=["segment_id", "code", "coder"])

    # --- code map template and codebook extension
    n_codings = Counter(codings["code"])
    code_map_out = pd.DataFrame(
        {
            "project_code": codes["path"],
            "code": [None if lid else fid for fid, lid in zip(codes["final_id"],
                                                             codes["local_id"], strict=True)],
            "local_id": codes["local_id"],
            "matched_by": codes["matched_by"],
            "codings": [n_codings.get(f, 0) for f in codes["final_id"]],
        }
    )  # fmt: skip
    _check_map_is_inert(code_map_out, set(codings["code"]))
    ext_rows = _extension_rows(codes)
    placeholder_ids = {v[0]: (dim, v[1]) for dim, v in PLACEHOLDERS.items()}
    used_placeholders = [
        pid_
        for pid_ in placeholder_ids
        if pid_ in set(cases.get(placeholder_ids[pid_][0], pd.Series(dtype=object)))
        or pid_ in set(participants["role"])
    ]
    for pid_ in used_placeholders:
        dim, label = placeholder_ids[pid_]
        ext_rows.append(
            {"id": pid_, "label": label, "dimension": dim, "parent": None,
             "definition": _PLACEHOLDER_NOTE}
        )  # fmt: skip
    extension = pd.DataFrame(ext_rows, columns=["id", "label", "dimension", "parent", "definition"])
    if len(extension):
        cb.extend(extension, file="codebook_extension.csv")  # a bug here must not write files

    meta = read_dataset_meta(previous) if previous is not None else {}
    imports = meta.get("imports") if isinstance(meta.get("imports"), dict) else {}
    info = {
        "command": project.command,
        "source": project.file,
        "tool": project.origin,
        "offsets": project.offsets,
        "keep_text": bool(keep_text),
        "segments": len(segments),
        "codings": len(codings),
    }
    new_meta = {
        "name": target.name,
        "title": meta.get("title") or f"{project.name} (imported)",
        "synthetic": False,
        "description": meta.get("description")
        or f"Real data imported from {project.file} with `coprod import {project.command}`. "
        "Participant, document and case names are pseudonyms; the key stays with the "
        "researcher (pseudonym_key.csv, git-ignored).",
        "source": project.file,
        "tool": project.origin,
    }
    for k, v in meta.items():
        if k not in new_meta and k != "imports":
            new_meta[k] = v
    new_meta["imports"] = {**imports, "qualitative": info}

    with staged_target(target) as stage:
        out = stage.folder
        for stale in ("codebook_extension.csv",):
            (out / stale).unlink(missing_ok=True)
        write_csv(cases, out / "cases.csv")
        write_csv(participants, out / "participants.csv")
        write_csv(docs_frame, out / "documents.csv")
        write_csv(segments, out / "segments.csv")
        write_csv(codings, out / "codings.csv")
        write_csv(code_map_out, out / "code_map.csv")
        if len(extension):
            write_csv(extension, out / "codebook_extension.csv")
        write_meta(out, new_meta)
        pseudo.write(out, previous=previous)

    matched = int(codes["matched_by"].notna().sum() - (codes["matched_by"] == "map").sum())
    counts = {
        "documents": len(docs_frame),
        "participants": len(participants),
        "cases": len(cases),
        "segments": len(segments),
        "codings": len(codings),
        "codes_matched": matched,
        "codes_mapped": int((codes["matched_by"] == "map").sum()),
        "codes_local": int(codes["local_id"].notna().sum()),
    }
    if used_placeholders:
        notes.append(
            "cases.csv and roles hold placeholders (country ZZ, unknown_phase, unknown_role, ...)"
            ": fill in cases.csv, and roles in documents.csv, then import again"
        )
    if counts["codes_local"]:
        notes.append(
            "unmatched codes are local codes (codebook_extension.csv); map them to codebook "
            "ids in code_map.csv and import again"
        )
    return ImportResult(
        path=target,
        source=project.file,
        tool=project.origin,
        counts=counts,
        offsets=project.offsets,
        keep_text=keep_text,
        warnings=tuple(warnings),
        notes=tuple(notes),
    )


def _previous_cases(previous: Path | None) -> dict[str, dict[str, Any]]:
    """Rows of an earlier import's cases.csv (what the user filled in), by case id."""
    if previous is None or not (previous / "cases.csv").is_file():
        return {}
    from ..contract.dataset import read_table

    try:
        table = read_table(previous / "cases.csv")
    except DataError:
        return {}
    if "case_id" not in table.columns:
        return {}
    out = {}
    for rec in table.to_dict("records"):
        cid = rec.get("case_id")
        if isinstance(cid, str):
            out[cid] = {k: (None if pd.isna(v) else v) for k, v in rec.items()}
    return out


def _check_map_is_inert(code_map: pd.DataFrame, used: set[str]) -> None:
    """Loading applies code_map.csv to codings.csv; make sure that changes nothing."""
    rows = code_map[code_map["code"].notna()]
    clash = rows[rows["project_code"].isin(used) & (rows["project_code"] != rows["code"])]
    if len(clash):
        first = clash.iloc[0]
        raise fail(
            "code_map.csv",
            f"project code names that differ from the codebook ids in use: the code "
            f"{first['project_code']!r} is mapped to {first['code']!r}, but another code of "
            f"the project became {first['project_code']!r}; rename one of them in the QDA tool",
            "inconsistent",
            value=first["project_code"],
        )


def import_qdpx(
    path: Path | str,
    to: Path | str,
    *,
    code_map: Path | str | None = None,
    documents: Path | str | None = None,
    keep_text: bool = False,
    offsets: str = "auto",
    crlf: str = "auto",
    cb: Codebook | None = None,
) -> ImportResult:
    """Import a REFI-QDA project into a dataset folder.

    Parameters
    ----------
    path : Path
        ``.qdpx`` archive, unzipped project folder, or a bare ``*.qde`` next to its
        ``sources/``.
    to : Path
        The dataset folder to write (new, empty, or written by an earlier import).
    code_map : Path, optional
        Project code -> codebook id (see :func:`read_code_map`); default: the target's
        ``code_map.csv`` from an earlier import.
    documents : Path, optional
        Document -> case, participant, role (an edited ``documents.csv``); default: the
        target's ``documents.csv`` from an earlier import.
    keep_text : bool
        Keep each segment's selected text in ``segments.csv``.
    offsets, crlf : str
        Override the offset unit (see :func:`offset_convention`).
    cb : Codebook, optional
        Codebook to match codes against (default: the shipped one).

    Returns
    -------
    ImportResult
        Counts and notes; ``summary()`` is what ``coprod import qdpx`` prints.

    Writes
    ------
    ``cases.csv``, ``participants.csv``, ``documents.csv``, ``segments.csv``,
    ``codings.csv``, ``code_map.csv`` (every project code: ``project_code``, ``code``,
    ``local_id``, ``matched_by``, ``codings``), ``codebook_extension.csv`` (local codes and
    placeholders), ``dataset.yml`` (``synthetic: false``, source file and tool),
    ``.coprod_salt`` and ``pseudonym_key.csv`` (both git-ignored; keep them private).

    Raises
    ------
    DataError
        See :func:`read_qdpx`; also for a target folder that may not be written, and for
        bad code maps or documents maps. Nothing is written then.
    """
    cb = get_codebook() if cb is None else cb
    check_target(Path(to).expanduser().absolute(), "qualitative")
    project = read_qdpx(path, offsets=offsets, crlf=crlf, cb=cb)
    return write_project(
        project, to, code_map=code_map, documents=documents, keep_text=keep_text, cb=cb
    )
