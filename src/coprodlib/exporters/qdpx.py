"""A dataset as a REFI-QDA project (``.qdpx``), for ATLAS.ti, MAXQDA, NVivo and QualCoder.

:func:`export_qdpx` writes one zip archive holding ``project.qde`` (valid against the
REFI-QDA 1.0 ``Project.xsd``) and one plain text file per source under ``Sources/``:

- **users**: one per coder named in ``codings.csv`` (GUIDs derived from the name, so two
  exports of the same dataset are byte for byte the same);
- **codebook**: the codebook's hierarchy as :func:`coprodlib.taxonomy.qdc.add_code_tree`
  writes it for ``.qdc`` files (dimension groups, names, definitions and ``coprod:`` lines).
  Which codes: see :data:`~coprodlib.exporters.options.CODE_CHOICES`. Dataset-local codes (imported from a tool) sit at the
  top level with the tool's own names, so a re-import finds the same code paths;
- **variables and cases**: each case with the columns of ``cases.csv`` as case variables
  and a reference to each of its sources; each source carries ``participant_id``, ``role``
  and the participant's other columns as source variables;
- **sources**: one text source per document. The dataset keeps no full texts, so each source
  text is *rebuilt*: every segment's kept text at its offsets, blanks (spaces, a line end
  after each segment) everywhere else. Without any kept text the source is all blanks, of the
  length the offsets need, and its description says so: every tool opens it and shows each
  selection in place, and blanks count the same in every offset unit;
- **selections**: every coded segment a ``PlainTextSelection`` (named after its segment id)
  with one ``Coding`` per code and coder (``creatingUser``; the selection's own
  ``creatingUser`` is its first coder, left out when a coding has no coder). Segments without offsets are
  laid end to end after the last placed selection; segments without codings are left out
  (REFI-QDA tools drop them too);
- **derived tensions** (``derived=True``): a non-codable group "Derived tensions (coprod)"
  with one code per tension found from co-coded values
  (:func:`coprodlib.analysis.derived.derived_tensions`), coded by the user ``coprod (derived)``.

Offsets: the REFI-QDA standard counts code points; NVivo and ATLAS.ti count UTF-16 code
units. ``offsets="auto"`` writes the unit of the tool the dataset was imported from (as
``dataset.yml`` records it) and code points otherwise; the ``origin`` attribute names the
unit so that :func:`coprodlib.importers.refi.read_qdpx` reads it back. A dataset imported with
``--offsets-only`` keeps the tool's own offsets, which are written as they are.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._io import write_bytes_atomic
from ..analysis.derived import derived_tensions
from ..contract.dataset import Dataset, load_folder
from ..errors import fail
from ..importers.offsets import OFFSET_UNITS, TOOL_OFFSETS, UNIT_TEXT
from ..taxonomy.codebook import Codebook, get_codebook
from ..taxonomy.qdc import add_code_tree
from .options import CODE_CHOICES
from .sources import SourceText, document_frame, rebuild_sources

__all__ = [
    "PROJECT_NAMESPACE",
    "QdpxExport",
    "export_qdpx",
    "project_files",
]

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
#: Which codes of the codebook the project's codebook holds: ``dimensions`` (the default:
#: every code of the dimensions the codings use, e.g. all tensions, strategies and effects,
#: or all local codes of an imported project), ``used`` (the codes coded, and their
#: ancestors) or ``all`` (the whole codebook, roles and phases included).
ORIGIN = "coprod workbook"
#: Fixed namespace of the GUIDs of users, sources, selections, codings, cases and variables.
GUID_NAMESPACE = uuid.UUID("2b0c7f4e-81d5-5a4a-b0f7-5e8d3c1a9e64")
DERIVED_USER = "coprod (derived)"
#: How the ``origin`` attribute names a unit so that importers keyed on the tool's name read
#: the offsets in that unit (see :data:`coprodlib.importers.offsets.TOOL_OFFSETS`).
_ORIGIN_UNIT = {
    "codepoints": "",
    "utf16": " (offsets in UTF-16 code units, as NVivo and ATLAS.ti count them)",
    "utf8": " (offsets in UTF-8 bytes, as Taguette counts them)",
}
_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\}?$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Case columns written as integer variables; every other column is text.
_INTEGER_COLUMNS = ("year",)
_CODEBOOK_COLUMNS = ("phase", "level", "mode", "logic")


@dataclass(frozen=True)
class QdpxExport:
    """What :func:`export_qdpx` wrote; :meth:`summary` is what ``coprod export qdpx`` prints."""

    path: Path
    counts: dict[str, int]
    offsets: str
    text: str
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        """The export in a few lines: what it holds, the offset unit, the text, warnings.

        Examples
        --------
        >>> QdpxExport(Path("p.qdpx"), {"sources": 1, "selections": 2, "codings": 3,
        ...     "codes": 4, "users": 1, "cases": 1}, "code points", "rebuilt").summary()[:20]
        'wrote REFI-QDA proje'
        """
        c = self.counts
        lines = [
            f"wrote REFI-QDA project {self.path}",
            f"  {c['sources']} source(s) in {c['cases']} case(s); {c['selections']} "
            f"selection(s) with {c['codings']} coding(s) by {c['users']} user(s)",
            f"  {c['codes']} code(s) in the codebook",
            f"  offsets: {self.offsets}",
            f"  source texts: {self.text}",
        ]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _guid(kind: str, key: Any) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def _xml_text(value: Any) -> str:
    """A value as text XML 1.0 can hold (characters it cannot hold become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", str(value))


def _present(value: Any) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and np.isnan(value))
        and not (value is pd.NA or value is pd.NaT)
        and str(value).strip() != ""
    )


# --------------------------------------------------------------------------- offsets


def _import_info(ds: Dataset) -> dict[str, Any]:
    imports = ds.meta.get("imports") if isinstance(ds.meta.get("imports"), dict) else {}
    info = imports.get("qualitative") if isinstance(imports, dict) else None
    return info if isinstance(info, dict) else {}


def offset_unit(ds: Dataset, offsets: str = "auto") -> tuple[str, bool]:
    """The unit the export counts offsets in, and whether the dataset's offsets are in it
    already (a dataset imported with ``--offsets-only`` keeps the tool's own offsets).

    Parameters
    ----------
    ds : Dataset
        The dataset exported.
    offsets : {"auto", "codepoints", "utf16", "utf8"}
        ``auto``: the unit of the tool the dataset was imported from (``dataset.yml``),
        code points for anything else.

    Returns
    -------
    unit : str
    stored : bool
        True when the offsets are written as the dataset stores them.

    Raises
    ------
    ValueError
        For an unknown ``offsets``.
    DataError
        When the dataset holds a tool's own offsets without texts and another unit is asked
        for (there is no text to convert over).

    Examples
    --------
    >>> import coprodlib as cp
    >>> offset_unit(cp.load())
    ('codepoints', False)
    """
    if offsets not in ("auto", *OFFSET_UNITS):
        raise ValueError(f"offsets must be auto or one of {', '.join(OFFSET_UNITS)}, not "
                         f"{offsets!r}")  # fmt: skip
    info = _import_info(ds)
    stored = str(info.get("offset_unit") or "codepoints")
    if stored != "codepoints":
        if offsets not in ("auto", stored):
            raise fail(
                "dataset.yml",
                f"offsets in {UNIT_TEXT.get(offsets, offsets)}; this dataset holds the tool's "
                f"own offsets ({UNIT_TEXT.get(stored, stored)}) without the source texts, so "
                "they cannot be converted: export with --offsets auto",
                "invalid",
                value=stored,
                column="imports.qualitative.offset_unit",
            )
        return stored, True
    if offsets != "auto":
        return offsets, False
    tool = str(info.get("tool") or "").lower()
    rule = next((r for r in TOOL_OFFSETS if r[0] in tool), None)
    unit = rule[1] if rule and rule[1] == "utf16" else "codepoints"  # REFI readers: no utf8
    return unit, False


def _in_unit(text: str, positions: np.ndarray, unit: str) -> np.ndarray:
    """Code-point positions of ``text`` counted in ``unit`` (the text holds LF line ends)."""
    if unit == "codepoints" or not len(positions):
        return positions
    cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    size = 1 + (cps > 0xFFFF)  # UTF-16: two units beyond the BMP
    if unit == "utf8":
        size = size + (cps > 0x7F) + (cps > 0x7FF)
    running = np.concatenate([[0], np.cumsum(size, dtype=np.int64)])
    return running[positions]


# --------------------------------------------------------------------------- codes


def _code_ids(ds: Dataset, codes: str) -> list[str] | None:
    """The codebook entries the project's codebook holds (None: all of them)."""
    if codes not in CODE_CHOICES:
        raise ValueError(f"codes must be one of {', '.join(CODE_CHOICES)}, not {codes!r}")
    cb = ds.codebook
    if codes == "all":
        return None
    used = sorted(set(ds.codings["code"].astype(str)))
    if codes == "dimensions":
        dims = set(cb.dimensions_of(pd.Series(used, dtype=object)).astype(str))
        used = [c for c in cb.frame["id"].astype(str) if cb.dimension_of(c) in dims]
    keep = set(used)
    for c in used:
        keep.update(cb.ancestors(c))
    return [c for c in cb.frame["id"].astype(str) if c in keep]


def _tool_names(ds: Dataset) -> dict[str, str]:
    """Entry id -> the name the QDA tool gave it, where the dataset came from a tool.

    A local code's label is its path in the tool; its name is the path without its parent's.
    A codebook code that exactly one project code was mapped onto takes that code's name.
    """
    cb, names = ds.codebook, {}
    frame = cb.frame.astype(object)
    label = dict(zip(frame["id"], frame["label"], strict=True))
    for cid, lab, parent in zip(frame["id"], frame["label"], frame["parent"], strict=True):
        if cb.dimension_of(cid) != "local" or not isinstance(parent, str):
            continue
        prefix = f"{label.get(parent)}/"
        if str(lab).startswith(prefix) and len(str(lab)) > len(prefix):
            names[cid] = str(lab)[len(prefix) :]
    cmap = ds.code_map
    if cmap is not None and {"project_code", "code"} <= set(cmap.columns):
        rows = cmap.dropna(subset=["code"]).astype({"code": str, "project_code": str})
        once = rows.groupby("code")["project_code"].agg(lambda s: list(dict.fromkeys(s)))
        for cid, paths in once.items():
            if len(paths) == 1 and cid in cb and cb.dimension_of(cid) != "local":
                names[cid] = paths[0].rsplit("/", 1)[-1]
    return names


def _derived_group(codes_el: ET.Element, cb: Codebook, derived: pd.DataFrame) -> dict[str, str]:
    """The group of derived tensions; tension id -> the GUID of its derived code."""
    group = ET.SubElement(
        codes_el,
        "Code",
        {"guid": _guid("derived", "group"), "name": "Derived tensions (coprod)",
         "isCodable": "false", "color": "#7F7F7F"},
    )  # fmt: skip
    ET.SubElement(group, "Description").text = (
        "Tensions that coprod derived: segments coded with both values of a tension and with "
        "no code of the tension itself. Not coded by a person; delete the group to drop them."
    )
    guids = {}
    for tension in dict.fromkeys(derived["tension"].astype(str)):
        guids[tension] = _guid("derived", tension)
        el = ET.SubElement(
            group,
            "Code",
            {"guid": guids[tension], "name": _xml_text(f"{cb.labels([tension]).iat[0]} (derived)"),
             "isCodable": "true", "color": "#7F7F7F"},
        )  # fmt: skip
        ET.SubElement(el, "Description").text = (
            f"Derived from co-coded values: {cb.tension_values(tension)[0]} and "
            f"{cb.tension_values(tension)[1]}.\n\ncoprod:derived_from: {tension}"
        )
    return guids


# --------------------------------------------------------------------------- variables


def _variable_specs(cases: pd.DataFrame, people: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(scope, column, REFI type) of every variable: case columns, then source columns."""
    specs = [
        ("case", col, "Integer" if col in _INTEGER_COLUMNS else "Text")
        for col in cases.columns
        if col != "case_id"
    ]
    specs += [("source", col, "Text") for col in people.columns if col not in ("case_id",)]
    return specs


def _add_value(parent: ET.Element, guid: str, kind: str, value: Any) -> None:
    vv = ET.SubElement(parent, "VariableValue")
    ET.SubElement(vv, "VariableRef", {"targetGUID": guid})
    if kind == "Integer":
        ET.SubElement(vv, "IntegerValue").text = str(int(value))
    else:
        ET.SubElement(vv, "TextValue").text = _xml_text(value)


def _shipped_only(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Codebook-valued cells that are placeholders of an import (not in the shipped codebook)
    blanked: a re-import would only warn about them and put the placeholder back."""
    shipped = get_codebook()
    out = frame.astype(object)
    for col in columns:
        if col in out.columns:
            ids = set(shipped.ids(col))  # the column is named after its dimension
            out[col] = out[col].where(out[col].isin(ids), None)
    return out


# --------------------------------------------------------------------------- the project


def project_files(
    ds: Dataset, *, codes: str = "dimensions", derived: bool = False, offsets: str = "auto"
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The files of the REFI-QDA project of a dataset, and what they hold.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset with its qualitative tables.
    codes : {"dimensions", "used", "all"}
        Which codes the codebook holds (:data:`~coprodlib.exporters.options.CODE_CHOICES`).
    derived : bool
        Add the derived tensions as codes (see the module's notes).
    offsets : {"auto", "codepoints", "utf16", "utf8"}
        The unit of the selection offsets (:func:`offset_unit`).

    Returns
    -------
    files : dict
        Archive member name -> bytes: ``project.qde`` and ``Sources/<guid>.txt``.
    info : dict
        Counts (``sources``, ``selections``, ``codings``, ``codes``, ``users``, ``cases``),
        the offset unit in words and warnings.

    Examples
    --------
    >>> import coprodlib as cp
    >>> files, info = project_files(cp.load())
    >>> sorted(files)[-1], info["counts"]["cases"]
    ('project.qde', 6)
    """
    unit, stored = offset_unit(ds, offsets)
    if not len(ds.segments):
        raise fail(f"{ds.name}/segments.csv", "a dataset with coded segments to export",
                   "missing")  # fmt: skip
    cb = ds.codebook
    docs = document_frame(ds)
    sources, warnings = rebuild_sources(ds, docs)
    coded = ds.codings.astype({"segment_id": str, "code": str})[["segment_id", "code", "coder"]]
    root = ET.Element(
        "Project",
        {"xmlns": PROJECT_NAMESPACE, "name": _xml_text(ds.title),
         "origin": ORIGIN + _ORIGIN_UNIT[unit]},
    )  # fmt: skip
    users_el = ET.SubElement(root, "Users")
    book = ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes")
    refs = _Refs(add_code_tree(book, cb, ids=_code_ids(ds, codes), names=_tool_names(ds),
                               top_level=("local",)))  # fmt: skip
    coders = sorted({c for c in coded["coder"].dropna().astype(str) if c.strip()})
    if derived:
        found = derived_tensions(ds, derive_tensions=True)
        if len(found):
            refs.derived = _derived_group(book, cb, found)
            extra = found.assign(coder=DERIVED_USER)[["segment_id", "tension", "coder"]]
            coded = pd.concat([coded, extra.rename(columns={"tension": "code"})],
                              ignore_index=True)  # fmt: skip
            coders.append(DERIVED_USER)
    for name in coders:
        refs.users[name] = _guid("user", name)
        ET.SubElement(users_el, "User", {"guid": refs.users[name], "name": _xml_text(name)})
    if not coders:
        root.remove(users_el)
    cases = _shipped_only(ds.cases, _CODEBOOK_COLUMNS)
    people = _shipped_only(ds.participants.set_index("participant_id", drop=False), ("role",))
    _add_variables(root, _variable_specs(cases, people), refs)
    refs.sources = {s.key: _guid("document", s.key) for s in sources}
    _add_cases(root, cases, sources, refs)
    files, n_sel, n_cod = _add_sources(root, sources, people, coded, refs, unit, stored)
    ET.indent(root, space="  ")
    xml = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
    files["project.qde"] = (xml + "\n").encode("utf-8")
    stored_text = " (as the dataset stores them: the tool's own)" if stored else ""
    info = {
        "counts": {"sources": len(sources), "selections": n_sel, "codings": n_cod,
                   "codes": len(refs.codes) + len(refs.derived), "users": len(coders),
                   "cases": len(cases)},
        "offsets": f"{UNIT_TEXT[unit]}{stored_text}, end exclusive",
        "text": _text_note(sources),
        "warnings": warnings,
    }  # fmt: skip
    return dict(sorted(files.items())), info


@dataclass
class _Refs:
    """The GUIDs the parts of a project refer to each other by."""

    codes: dict[str, str]
    derived: dict[str, str] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    specs: list[tuple[str, str, str]] = field(default_factory=list)
    variables: dict[tuple[str, str], str] = field(default_factory=dict)


def _add_variables(root: ET.Element, specs: list[tuple[str, str, str]], refs: _Refs) -> None:
    """``<Variables>``: one per case column and per participant column."""
    refs.specs = specs
    refs.variables = {(s, c): _guid(f"variable:{s}", c) for s, c, _ in specs}
    if not specs:
        return
    variables = ET.SubElement(root, "Variables")
    for scope, col, kind in specs:
        v = ET.SubElement(variables, "Variable", {"guid": refs.variables[(scope, col)],
                          "name": _xml_text(col), "typeOfVariable": kind})  # fmt: skip
        ET.SubElement(v, "Description").text = (
            f"{col} of the dataset's cases" if scope == "case"
            else f"{col} of the participant who gave the source"
        )  # fmt: skip


def _add_values(el: ET.Element, scope: str, record: Any, refs: _Refs) -> None:
    """The variable values of one case or source (missing values left out)."""
    if record is None:
        return
    for s, col, kind in refs.specs:
        if s == scope and _present(record.get(col)):
            _add_value(el, refs.variables[(s, col)], kind, record[col])


def _add_cases(root: ET.Element, cases: pd.DataFrame, sources: list[SourceText],
               refs: _Refs) -> None:  # fmt: skip
    """``<Cases>``: each case with its variables and the sources it holds."""
    if not len(cases):
        return
    held: dict[str, list[str]] = {}
    for s in sources:
        held.setdefault(s.case_id, []).append(s.key)
    cases_el = ET.SubElement(root, "Cases")
    for rec in cases.to_dict("records"):
        case = ET.SubElement(cases_el, "Case", {"guid": _guid("case", rec["case_id"]),
                                                 "name": _xml_text(rec["case_id"])})  # fmt: skip
        _add_values(case, "case", rec, refs)
        for key in held.get(rec["case_id"], []):
            ET.SubElement(case, "SourceRef", {"targetGUID": refs.sources[key]})


def _add_sources(
    root: ET.Element, sources: list[SourceText], people: pd.DataFrame, coded: pd.DataFrame,
    refs: _Refs, unit: str, stored: bool,
) -> tuple[dict[str, bytes], int, int]:  # fmt: skip
    """``<Sources>`` with their selections and codings; the text files, and the numbers of
    selections and codings written."""
    by_segment = dict(tuple(coded.groupby("segment_id", sort=False)))
    files: dict[str, bytes] = {}
    n_sel = n_cod = 0
    sources_el = ET.SubElement(root, "Sources")
    for s in sources:
        member = f"{refs.sources[s.key]}.txt"
        files[f"Sources/{member}"] = s.text.encode("utf-8")
        src = ET.SubElement(
            sources_el,
            "TextSource",
            {
                "guid": refs.sources[s.key],
                "name": _xml_text(s.key),
                "plainTextPath": f"internal://{member}",
            },
        )
        ET.SubElement(src, "Description").text = _xml_text(s.description)
        placed = s.placed.sort_values(["start", "end", "segment_id"], kind="stable")
        starts = placed["start"].to_numpy(dtype=np.int64)
        ends = placed["end"].to_numpy(dtype=np.int64)
        if not stored:
            starts, ends = _in_unit(s.text, starts, unit), _in_unit(s.text, ends, unit)
        for sid, start, end in zip(placed["segment_id"], starts, ends, strict=True):
            rows = by_segment.get(sid)
            if rows is None:  # a segment without codings: REFI-QDA tools drop those
                continue
            attrs = {"guid": sid if _GUID.match(sid) else _guid("segment", sid),
                     "name": _xml_text(sid), "startPosition": str(int(start)),
                     "endPosition": str(int(end))}  # fmt: skip
            coders = [str(c) if _present(c) else None for c in rows["coder"]]
            if None not in coders:  # the selection's creator, as NVivo writes it; never
                attrs["creatingUser"] = refs.users[coders[0]]  # lent to a coding without one
            sel = ET.SubElement(src, "PlainTextSelection", attrs)
            n_sel += 1
            for code, coder in zip(rows["code"], rows["coder"], strict=True):
                who = str(coder) if _present(coder) else None
                target = refs.derived[code] if who == DERIVED_USER else refs.codes[code]
                attrs = {"guid": _guid("coding", f"{sid}\0{code}\0{who}")}
                if who is not None:
                    attrs["creatingUser"] = refs.users[who]
                ET.SubElement(ET.SubElement(sel, "Coding", attrs), "CodeRef",
                              {"targetGUID": target})  # fmt: skip
                n_cod += 1
        person = people.loc[s.participant_id] if s.participant_id in people.index else None
        _add_values(src, "source", person, refs)
    return files, n_sel, n_cod


def _text_note(sources: list[SourceText]) -> str:
    kept = sum(s.kept for s in sources)
    total = sum(len(s.placed) for s in sources)
    if not kept:
        return ("the dataset keeps no segment text: sources are blank, of the length the "
                "offsets need; selections keep their offsets")  # fmt: skip
    return (f"rebuilt from the kept text of {kept} of {total} segment(s); text between "
            "segments is not in the dataset and is left blank")  # fmt: skip


def export_qdpx(
    folder: Path,
    out: Path,
    *,
    codes: str = "dimensions",
    derived: bool = False,
    offsets: str = "auto",
) -> QdpxExport:
    """Write a dataset folder as a REFI-QDA project (``.qdpx``).

    Parameters
    ----------
    folder : Path
        The dataset folder (resolved by the caller).
    out : Path
        The ``.qdpx`` file to write (replaced atomically when it exists).
    codes : {"dimensions", "used", "all"}
        Which codes the codebook holds (:data:`~coprodlib.exporters.options.CODE_CHOICES`).
    derived : bool
        Add derived tensions as codes in a group of their own.
    offsets : {"auto", "codepoints", "utf16", "utf8"}
        The unit of the offsets (:func:`offset_unit`).

    Returns
    -------
    QdpxExport
        Counts, the unit, what the texts are, warnings; ``summary()`` for the command.

    Raises
    ------
    DataError
        For a dataset that does not load, has no segments, or holds a tool's offsets without
        texts while another unit is asked for.
    ValueError
        For an unknown ``codes`` or ``offsets``.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from coprodlib.paths import resolve_dataset
    >>> out = Path(tempfile.mkdtemp()) / "demo.qdpx"
    >>> result = export_qdpx(resolve_dataset("demo"), out)
    >>> "project.qde" in zipfile.ZipFile(out).namelist()
    True
    """
    ds = load_folder(Path(folder))
    files, info = project_files(ds, codes=codes, derived=derived, offsets=offsets)
    out = Path(out)
    write_bytes_atomic(out, _zip_bytes(files))
    return QdpxExport(out, info["counts"], info["offsets"], info["text"],
                      tuple(info["warnings"]))  # fmt: skip


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deterministic zip (fixed dates, sorted members, project.qde first)."""
    import io

    buf = io.BytesIO()
    order = ["project.qde", *[m for m in files if m != "project.qde"]]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()
