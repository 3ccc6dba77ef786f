"""REFI-QDA codebooks: write the codebook as ``.qdc``, read codebooks back from QDA software.

The export validates against the REFI-QDA 1.0 Codebook schema. Each dimension becomes a
non-codable top-level code holding its entries; the hierarchy is kept as nested codes; a
code's name is the entry's label and its description the definition, followed by a few
``coprod:<field>: <value>`` lines (id, dimension, source, ...) so that the entry survives a
trip through ATLAS.ti, MAXQDA, NVivo or QualCoder and back. GUIDs derive from the ids
(UUID version 5), so two exports of the same codebook are byte for byte the same.

The reader takes a ``.qdc`` file, a ``.qdpx`` project (a zip holding one ``*.qde`` file) or
an unzipped project folder, matches element names whatever their namespace, tolerates the
schema slips of real exports (such as Taguette's empty ``<Sets/>``), refuses DTDs and entity
declarations, and refuses unsafe or oversized archives.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import safe_archive
from ..errors import DataError, fail
from .codebook import Codebook, build_codebook, get_codebook
from .records import MAX_DEPTH, is_missing

__all__ = [
    "CODEBOOK_NAMESPACE",
    "CodebookImport",
    "MAX_CODE_PATH",
    "add_code_tree",
    "code_guid",
    "code_path",
    "import_codebook",
    "qdc_bytes",
]

CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
#: Fixed namespace for the GUIDs of exported codes (never change: GUIDs must stay stable).
GUID_NAMESPACE = uuid.UUID("6f1c2f0e-3b7a-5d43-9a55-0c0d9b1e7a21")
ORIGIN = "coprod workbook"

_META_FIELDS = (
    "id",
    "dimension",
    "source",
    "aliases",
    "favours",
    "direction",
    "value_a",
    "value_b",
    "desired",
)
_META_LINE = re.compile(r"^coprod:([a-z_]+):[ \t]?(.*)$")
_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#8C564B",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#9467BD",
    "#2CA02C",
    "#D62728",
    "#1F77B4",
    "#FF7F0E",
    "#393B79",
)
#: Longest code path kept whole (characters); deeper paths start with "…" (:func:`code_path`).
MAX_CODE_PATH = 500
CODE_COLUMNS = (
    "path",
    "name",
    "guid",
    "parent_path",
    "description",
    "is_codable",
    "matched_id",
    "matched_by",
)


def code_guid(code_id: str) -> str:
    """The stable GUID of an entry in exports."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"code:{code_id}"))


def _dimension_guid(dimension: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"dimension:{dimension}"))


# --------------------------------------------------------------------------- writing


def _description(definition: Any, meta: dict[str, Any]) -> str:
    lines = [
        f"coprod:{k}: {'true' if v is True else 'false' if v is False else v}"
        for k, v in meta.items()
        if not is_missing(v)
    ]
    text = "" if is_missing(definition) else str(definition)
    return f"{text}\n\n" + "\n".join(lines) if text else "\n".join(lines)


def add_code_tree(
    codes: ET.Element,
    cb: Codebook,
    *,
    ids: Collection[str] | None = None,
    names: Mapping[str, str] | None = None,
    top_level: Collection[str] = (),
) -> dict[str, str]:
    """Append a codebook's hierarchy to a REFI-QDA ``<Codes>`` element.

    Each dimension becomes a non-codable ``<Code>`` holding its entries, nested as in the
    codebook; each entry's description is its definition followed by the ``coprod:<field>:``
    lines. Used for the ``.qdc`` export and for the codebook of a ``.qdpx`` project.

    Parameters
    ----------
    codes : xml.etree.ElementTree.Element
        The ``<Codes>`` element to fill (its children are added in codebook order).
    cb : Codebook
        The codebook written.
    ids : collection of str, optional
        Write only these entries (their ancestors must be among them); default: every entry.
    names : mapping, optional
        Entry id -> the name its ``<Code>`` gets instead of the label (a QDA tool's own name).
    top_level : collection of str
        Dimensions whose root entries are written at the top level, without a dimension
        group (dataset-local codes, which came from a QDA tool's own tree).

    Returns
    -------
    dict
        Entry id -> the GUID of its ``<Code>`` (:func:`code_guid`).

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> guids = add_code_tree(ET.Element("Codes"), get_codebook(), ids=["trade_off"])
    >>> guids["trade_off"] == code_guid("trade_off")
    True
    """
    frame = cb.frame
    info = cb.dimension_info.set_index("dimension")
    records = frame.astype(object).to_dict("records")
    wanted = None if ids is None else set(ids)
    names = names or {}
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if wanted is None or r["id"] in wanted:
            children[None if is_missing(r["parent"]) else r["parent"]].append(r)
    color = {d: _PALETTE[k % len(_PALETTE)] for k, d in enumerate(cb.dimensions)}
    guids: dict[str, str] = {}

    def add(parent: ET.Element, r: dict[str, Any]) -> None:
        guids[r["id"]] = code_guid(r["id"])
        el = ET.SubElement(
            parent,
            "Code",
            {
                "guid": guids[r["id"]],
                "name": str(names.get(r["id"], r["label"])),
                "isCodable": "true",
                "color": color.get(r["dimension"], _PALETTE[-1]),
            },
        )
        meta = {k: r.get(k) for k in _META_FIELDS}
        meta["desired"] = None if is_missing(r.get("desired")) else bool(r["desired"])
        ET.SubElement(el, "Description").text = _description(r["definition"], meta)
        for child in children[r["id"]]:
            add(el, child)

    dims = list(cb.dimensions) + sorted(
        {r["dimension"] for r in children[None]} - set(cb.dimensions)
    )
    for dim in dims:
        roots = [r for r in children[None] if r["dimension"] == dim]
        if not roots:
            continue
        if dim in top_level:
            for r in roots:
                add(codes, r)
            continue
        label = info.at[dim, "label"] if dim in info.index else dim
        group = ET.SubElement(
            codes,
            "Code",
            {
                "guid": _dimension_guid(dim),
                "name": str(label),
                "isCodable": "false",
                "color": color.get(dim, _PALETTE[-1]),
            },
        )
        desc = info.at[dim, "description"] if dim in info.index else None
        ET.SubElement(group, "Description").text = _description(desc, {"dimension": dim})
        for r in roots:
            add(group, r)
    return guids


def qdc_bytes(cb: Codebook | None = None) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (UTF-8 bytes, deterministic).

    Examples
    --------
    >>> from coprodlib.taxonomy.qdc import qdc_bytes
    >>> b'name="Trade-off"' in qdc_bytes()
    True
    """
    cb = get_codebook() if cb is None else cb
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NAMESPACE, "origin": ORIGIN})
    add_code_tree(ET.SubElement(root, "Codes"), cb)
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n").encode("utf-8")


# --------------------------------------------------------------------------- reading


def _read_source(path: Path) -> tuple[bytes, str]:
    """The XML bytes holding the codebook, and the name to use in messages."""
    try:
        return _read_xml_bytes(path)
    except OSError as exc:  # permissions, a vanished file, ...
        raise fail(str(path), f"a readable file ({exc.strerror or exc})", "unreadable") from None


def _read_xml_bytes(path: Path) -> tuple[bytes, str]:
    file = str(path)
    if not path.exists():
        raise fail(file, "an existing .qdc or .qdpx file (no such file)", "missing")
    if path.is_dir():
        qdes = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".qde")
        if len(qdes) != 1:
            found = ", ".join(p.name for p in qdes) or "none"
            raise fail(file, f"a project folder with exactly one *.qde file (found: {found})")
        path = qdes[0]
        file = str(path)
    elif zipfile.is_zipfile(path):
        return safe_archive.qde_from_zip(path)
    elif path.suffix.lower() == ".qdpx":
        raise fail(file, "a .qdpx project, which is a zip archive (this file is not a zip)")
    if path.stat().st_size > safe_archive.MAX_XML_BYTES:
        raise fail(file, f"an XML file of at most {safe_archive.MAX_XML_BYTES} bytes", "too_large")
    with path.open("rb") as fh:
        return safe_archive.read_limited(fh, file), file


def _codebook_element(root: ET.Element, file: str) -> ET.Element:
    name = safe_archive.local_name(root.tag)
    if name == "CodeBook":
        return root
    if name == "Project":
        for child in root:
            if safe_archive.local_name(child.tag) == "CodeBook":
                return child
        raise fail(file, "a REFI-QDA project with a <CodeBook> (this project has none)", "missing")
    raise fail(file, "a REFI-QDA <CodeBook> or <Project> document", value=f"<{name}>")


def _bool_attr(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    return True if v in ("true", "1") else False if v in ("false", "0") else None


def split_description(text: Any) -> tuple[str | None, dict[str, str]]:
    """Definition text and the trailing ``coprod:<field>: value`` lines of a description."""
    if not isinstance(text, str) or not text:
        return None, {}
    lines = text.splitlines()
    meta: dict[str, str] = {}
    while lines:
        m = _META_LINE.match(lines[-1].strip())
        if not m:
            break
        meta.setdefault(m.group(1), m.group(2).strip())
        lines.pop()
    definition = "\n".join(lines).strip()
    return (definition or None), meta


@dataclass(frozen=True, eq=False)
class CodebookImport:
    """A codebook read from a REFI-QDA file, with its codes matched to the coprod codebook.

    Attributes
    ----------
    file : str
        What was read (for a project: the ``.qde`` inside it).
    origin : str or None
        The exporting software, as the file states it.
    codes : pandas.DataFrame
        One row per code in document order: ``path`` (names from the top, joined by "/"),
        ``name``, ``guid``, ``parent_path``, ``description``, ``is_codable``, ``matched_id``
        and ``matched_by`` (``"id"``, ``"label"``, ``"alias"`` or missing).
    """

    file: str
    origin: str | None
    codes: pd.DataFrame
    _parents: tuple[int, ...] = field(default=(), repr=False)

    def to_codebook(self) -> Codebook:
        """Rebuild a :class:`~coprodlib.taxonomy.Codebook` from a coprod export.

        Works for files written by :func:`coprodlib.export_codebook` (also after a trip
        through QDA software that keeps code descriptions); every code must carry the
        ``coprod:`` lines. For other codebooks use :attr:`codes` and their matches.

        Raises
        ------
        coprodlib.DataError
            Naming the codes that carry no coprod metadata.
        """
        shipped = get_codebook()
        parsed = [split_description(d) for d in self.codes["description"].tolist()]
        names = self.codes["path"].tolist()
        foreign = [n for n, (_, meta) in zip(names, parsed, strict=True) if not meta]
        if foreign:
            shown = ", ".join(repr(n) for n in foreign[:10])
            more = f" and {len(foreign) - 10} more" if len(foreign) > 10 else ""
            raise fail(
                self.file,
                "codes exported by coprod (with coprod:id lines in their descriptions); "
                f"{len(foreign)} code(s) have none: {shown}{more}. Use .codes to map them",
                "foreign_codebook",
            )
        has_id = [("id" in meta) for _, meta in parsed]
        records = []
        for k, (definition, meta) in enumerate(parsed):
            if not has_id[k]:
                continue  # a dimension group
            p = self._parents[k]
            while p >= 0 and not has_id[p]:
                p = self._parents[p]
            rec = {f: meta.get(f) for f in _META_FIELDS}
            rec.update(
                label=self.codes["name"].iat[k],
                definition=definition,
                parent=parsed[p][1]["id"] if p >= 0 else None,
            )
            records.append(rec)
        return build_codebook(
            records,
            references=shipped.references,
            declared=shipped._declared,
            file=self.file,
        )

    def summary(self, limit: int | None = None) -> str:
        """A readable report: how many codes, how many matched (and how), which did not.

        ``limit`` caps each list (``None``: list everything).
        """
        codes = self.codes
        n = len(codes)
        codable = codes["is_codable"].fillna(True).astype(bool)
        matched = codes["matched_id"].notna()
        by = codes.loc[matched, "matched_by"].value_counts()
        how = ", ".join(f"{by.get(k, 0)} by {k}" for k in ("id", "label", "alias"))
        origin = f" (exported by {self.origin})" if self.origin else ""
        lines = [
            f"{self.file}{origin}",
            f"{n} codes, {int((~codable).sum())} of them not codable (grouping codes)",
            f"matched to coprod codebook ids: {int(matched.sum())} of {n} ({how})",
        ]

        def listing(frame: pd.DataFrame, fmt: Any) -> list[str]:
            rows = [fmt(r) for r in frame.itertuples(index=False)]
            if limit is not None and len(rows) > limit:
                rows = [*rows[:limit], f"  ... and {len(rows) - limit} more"]
            return rows

        if matched.any():
            lines += listing(
                codes[matched],
                lambda r: f"  {r.path} -> {r.matched_id} (by {r.matched_by})",
            )
        unmatched = codes[~matched & codable]
        lines.append(f"not matched: {len(unmatched)} codable code(s)")
        lines += listing(unmatched, lambda r: f"  - {r.path}")
        skipped = int((~matched & ~codable).sum())
        if skipped:
            lines.append(f"not matched, not codable (grouping codes): {skipped}")
        return "\n".join(lines)


def code_path(parent_path: str | None, name: str) -> str:
    """The path of a code: its ancestors' names and its own, joined by "/".

    Parameters
    ----------
    parent_path : str or None
        The parent's path (None for a top-level code).
    name : str
        The code's name.

    Returns
    -------
    str
        ``parent_path/name``. A path longer than :data:`MAX_CODE_PATH` characters loses
        its top levels, which become ``…``, so that the paths of a deeply nested codebook
        grow with its size, not with the square of its depth.

    Examples
    --------
    >>> code_path("Strategies", "Trade-off")
    'Strategies/Trade-off'
    """
    if parent_path is None:
        return name
    path = f"{parent_path}/{name}"
    if len(path) <= MAX_CODE_PATH:
        return path
    cut = path.find("/", len(path) - MAX_CODE_PATH + 1)
    return f"…{path[cut:]}" if cut >= 0 else f"…/{name}"


def _too_deep(file: str, el: ET.Element, depth: int) -> DataError:
    """The error for a code nested deeper than a codebook may be."""
    name, guid = el.get("name"), el.get("guid")
    return fail(
        file,
        f"codes nested at most {MAX_DEPTH} levels deep, as a codebook may be (the code "
        f"{name!r} with guid {guid!r} is on level {depth}; move deep codes up in the QDA tool)",
        "too_deep",
        value=name,
    )


def codes_table(book: ET.Element, file: str, cb: Codebook) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """One row per ``<Code>`` of a ``<CodeBook>`` element (document order), matched to ``cb``.

    Returns the table with the columns :data:`CODE_COLUMNS` and, per row, the position of its
    parent code (-1 for top-level codes). Raises a DataError naming the first code nested
    deeper than :data:`coprodlib.taxonomy.records.MAX_DEPTH` levels.
    """
    rows: list[tuple[str, str, str | None, str | None, str | None, bool | None]] = []
    parents: list[int] = []
    top = [c for c in book if safe_archive.local_name(c.tag) == "Codes"]
    stack: list[tuple[ET.Element, int, str | None, int]] = []
    for codes_el in top:
        stack.extend(
            (c, -1, None, 1)
            for c in reversed(list(codes_el))
            if safe_archive.local_name(c.tag) == "Code"
        )
    nameless = 0
    while stack:  # a stack, not recursion: any depth is read without RecursionError
        el, parent, parent_path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep(file, el, depth)
        name = el.get("name")
        if name is None:
            nameless += 1
            name = ""
        path_ = code_path(parent_path, name)
        desc = next(
            (d.text or "" for d in el if safe_archive.local_name(d.tag) == "Description"), None
        )
        rows.append(
            (path_, name, el.get("guid"), parent_path, desc, _bool_attr(el.get("isCodable")))
        )
        parents.append(parent)
        me = len(rows) - 1
        stack.extend(
            (c, me, path_, depth + 1)
            for c in reversed(list(el))
            if safe_archive.local_name(c.tag) == "Code"
        )
    if nameless:
        raise fail(file, f"a name on every <Code> ({nameless} code(s) have none)", "missing")

    codes = pd.DataFrame(
        rows, columns=["path", "name", "guid", "parent_path", "description", "is_codable"]
    )
    for c in ("path", "name", "guid", "parent_path", "description"):
        codes[c] = pd.Series(codes[c].tolist(), dtype=cb.frame["id"].dtype)
    codes["is_codable"] = pd.array(codes["is_codable"].tolist(), dtype="boolean")
    match = cb.match(codes["name"])
    # an id in the coprod: lines wins (survives renaming a code in the QDA tool)
    meta_id = pd.Series(
        [split_description(r[4])[1].get("id") for r in rows], dtype=object, index=codes.index
    )
    known = meta_id.isin(cb.ids()).to_numpy()
    str_dtype = cb.frame["id"].dtype
    codes["matched_id"] = pd.Series(
        match["matched_id"].astype(object).where(~known, meta_id).tolist(), dtype=str_dtype
    )
    codes["matched_by"] = pd.Series(
        match["matched_by"].astype(object).where(~known, "id").tolist(), dtype=str_dtype
    )
    return codes[list(CODE_COLUMNS)], tuple(parents)


def import_codebook(path: Path | str, *, cb: Codebook | None = None) -> CodebookImport:
    """Read a REFI-QDA codebook and match its codes to codebook ids, labels and aliases.

    Parameters
    ----------
    path : Path
        A ``.qdc`` codebook, a ``.qdpx`` project (zip with one ``*.qde``) or an unzipped
        project folder.
    cb : Codebook, optional
        Codebook to match against (default: the shipped one).

    Returns
    -------
    CodebookImport
        ``.codes`` (one row per code), ``.summary()`` and ``.to_codebook()``.

    Raises
    ------
    coprodlib.DataError
        For a missing file, a file that is not a zip where one is expected, an archive with
        unsafe member names, too many members or too many bytes, no or several ``*.qde``
        files, XML with a DTD or entities, malformed XML, or a document without codebook.

    Examples
    --------
    >>> import tempfile, pathlib, coprodlib as cp
    >>> out = cp.export_codebook(pathlib.Path(tempfile.mkdtemp()) / "cb.qdc")
    >>> result = import_codebook(out)
    >>> result.to_codebook() == cp.get_codebook()
    True
    """
    cb = get_codebook() if cb is None else cb
    data, file = _read_source(Path(path))
    root = safe_archive.parse_xml(data, file)
    book = _codebook_element(root, file)
    codes, parents = codes_table(book, file, cb)
    return CodebookImport(file=file, origin=root.get("origin"), codes=codes, _parents=parents)
