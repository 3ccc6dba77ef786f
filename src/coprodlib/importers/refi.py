"""Read REFI-QDA projects (``.qdpx``) and import them into a dataset folder.

A ``.qdpx`` file is a zip archive holding one ``*.qde`` XML file (the project) and the text
of its sources under ``sources/``. :func:`read_qdpx` reads it, its unzipped folder or a bare
``*.qde`` into a :class:`~coprodlib.importers.project.QdaProject`; :func:`import_qdpx` then
writes that project with :func:`~coprodlib.importers.writer.write_project`, which the
Taguette importer shares. What is read:

- each text source becomes a document, and each coded text selection
  (``PlainTextSelection`` with ``Coding``/``CodeRef``) a segment with one coding per code
  reference; the coding's creating user is kept as the coder. The ``Representation``
  (text or transcript) that ATLAS.ti writes inside PDF, audio and video sources is read as
  the text of a document named after its source. Codings of whole sources and of PDF
  regions, images and audio/video time spans are counted by kind in the summary
  (:data:`~coprodlib.importers.project.SKIP_KINDS`), not imported;
- REFI-QDA ``Cases`` with their variables (and variables on sources, where MAXQDA writes
  them) are kept for :mod:`.cases`, which places the documents;
- the codebook's codes are read with :func:`coprodlib.taxonomy.qdc.codes_table` and matched
  there; :mod:`.code_map` gives them their final ids;
- selection offsets are converted to code points (end exclusive) from the unit the
  exporting tool counted (:func:`~coprodlib.importers.offsets.offset_convention`), checked
  against the source text, and moved onto the text under the line-end convention every
  importer shares (:data:`~coprodlib.importers.offsets.LINE_ENDS`: CRLF and lone CR
  become LF), so a segment's text is always ``text[start:end]``. With ``offsets_only`` the
  texts are not read and the offsets stay as the tool stored them.

Everything a hostile file could do is refused with a :class:`~coprodlib.errors.DataError`:
XML with a DTD or entities (XXE, billion laughs), archive members with absolute paths or
``..`` (zip slip), too many members or too many bytes (zip bombs; limits in
:mod:`coprodlib.safe_archive` and :mod:`.qdpx_files`), files that are not zips,
source paths outside the project, unknown code references and offsets outside the source
text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .. import safe_archive
from ..errors import Problem, fail
from ..taxonomy import qdc
from ..taxonomy.codebook import Codebook, get_codebook
from .offsets import (
    UNIT_TEXT,
    LfText,
    convert_offsets,
    decode_text,
    lf_text,
    line_end_summary,
    offset_convention,
    offset_length,
    whole_offset,
)
from .project import (
    SKIP_KINDS,
    CaseInfo,
    ImportResult,
    QdaProject,
    Selection,
    Source,
    raise_all,
)
from .qdpx_files import CODEBOOK_HINT, ProjectFiles, codebook_only, open_project, source_name
from .staging import check_target
from .writer import write_project

__all__ = ["import_qdpx", "read_qdpx"]


# --------------------------------------------------------------------------- small helpers


def _key(guid: Any) -> str:
    """A GUID as compared: braces and white space removed, lower case."""
    return str(guid or "").strip().strip("{}").strip().lower()


def _local(tag: Any) -> str:
    """An XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    """The child elements with this local name."""
    return [c for c in el if _local(c.tag) == name]


def _child(el: Any, name: str) -> Any:
    """The first child element with this local name, or None."""
    return next((c for c in el if _local(c.tag) == name), None)


# --------------------------------------------------------------------------- reading the XML


def _variable_value(vv: Any, variables: dict[str, str]) -> tuple[str | None, Any]:
    """The variable a ``VariableValue`` is for (None if unknown) and its value as text."""
    ref = _child(vv, "VariableRef")
    name = variables.get(_key(ref.get("targetGUID"))) if ref is not None else None
    for tag in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue"):
        el = _child(vv, tag)
        if el is not None:
            return name, (el.text or "").strip()
    el = _child(vv, "DateTimeValue")
    return name, None if el is None else (el.text or "").strip()


def _variables_of(el: Any, variables: dict[str, str], unknown: Counter) -> dict[str, Any]:
    """The non-empty variable values of a case or source; values of unknown variables counted."""
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
    """The project's codes matched to the codebook, with their normalised and parent keys."""
    book = _child(root, "CodeBook")
    if book is None:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in qdc.CODE_COLUMNS})
        parents: tuple[int, ...] = ()
    else:
        frame, parents = qdc.codes_table(book, file, cb)
    frame = frame.astype(object).where(frame.notna(), None)
    keys = [_key(g) for g in frame["guid"]]
    frame["key"] = keys
    frame["parent_key"] = [keys[p] if p >= 0 else None for p in parents]
    return frame


def read_qdpx(
    path: Path | str,
    *,
    offsets: str = "auto",
    crlf: str = "auto",
    offsets_only: bool = False,
    cb: Codebook | None = None,
) -> QdaProject:
    """Read a REFI-QDA project (``.qdpx`` archive, unzipped folder or bare ``*.qde``).

    Parameters
    ----------
    path : Path
        The project.
    offsets, crlf : str
        The unit of the selection offsets and whether CRLF counts as one unit; ``auto``
        follows the exporting tool (see
        :func:`~coprodlib.importers.offsets.offset_convention`).
    offsets_only : bool
        Do not read the source texts: keep each selection's offsets as the tool stored them
        (in its unit, over its text) and give segments no text. For projects exported
        without their texts; the offsets are checked only for being whole numbers, not
        negative and in order.
    cb : Codebook, optional
        Codebook the codes are matched against (default: the shipped one).

    Returns
    -------
    QdaProject
        Sources (text read only where selections need it, LF-normalised), coded selections
        with code-point offsets into that text, codes matched to the codebook, cases and
        variables, and the coded selections skipped by kind.

    Notes
    -----
    Text selections are read from text sources and from the ``Representation`` (the text
    or transcript) that ATLAS.ti writes inside PDF, audio and video sources; a transcript's
    selections become segments of a document named after its media source. A
    ``plainTextPath`` without ``internal://`` (a bare ``board_2017.txt``, as qc writes it,
    or a relative path) is looked for in the archive, under ``sources/`` first, with a
    warning; absolute paths, other schemes (``relative://``, ``file://``) and ``..`` are
    refused. A text source without a name is named after its text file (or GUID), with a
    warning.

    Raises
    ------
    DataError
        For a missing file, a file that is neither a zip nor a project folder, an unsafe or
        oversized archive, XML with a DTD or entities, malformed XML, a codebook-only project
        (pointing to ``coprod codebook import``), code references to unknown codes, missing
        or undecodable source text (or text holding NUL characters), encrypted or damaged
        archive members, codes nested deeper than a codebook may be, offsets that are
        missing or not whole numbers, and offsets outside the source text or inside a
        character. All problems of the offset and code-reference kinds are listed together.
    """
    cb = get_codebook() if cb is None else cb
    path = Path(path)
    container = open_project(path)
    try:
        return _read_project(path, container, offsets, crlf, offsets_only, cb)
    finally:
        container.close()


@dataclass
class _Reading:
    """What reading a project's sources needs, and what it collects on the way."""

    where: str
    container: ProjectFiles
    unit: str
    crlf_one: bool
    users: dict[str, str | None]
    known_codes: set[str]
    variables: dict[str, str]
    offsets_only: bool = False
    unknown: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    seen_ids: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    texts: list[LfText] = field(default_factory=list)
    bare_paths: list[tuple[str, str]] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)
    representations: Counter = field(default_factory=Counter)


def _read_project(
    path: Path, container: ProjectFiles, offsets: str, crlf: str, offsets_only: bool,
    cb: Codebook,
) -> QdaProject:  # fmt: skip
    """The project in an opened container, read and checked."""
    root, where = _project_root(path, container)
    origin = root.get("origin")
    unit, crlf_one, how = offset_convention(origin, offsets, crlf)
    users = {
        _key(u.get("guid")): (u.get("name") or "").strip() or None
        for us in _children(root, "Users")
        for u in _children(us, "User")
    }
    codes = _codes_of(root, where, cb)
    variables = {
        _key(v.get("guid")): (v.get("name") or "").strip()
        for vs in _children(root, "Variables")
        for v in _children(vs, "Variable")
        if (v.get("name") or "").strip()
    }
    reading = _Reading(where, container, unit, crlf_one, users, set(codes["key"]), variables,
                       offsets_only)  # fmt: skip
    cases = _cases_of(root, reading)
    for group in _children(root, "Sources"):
        for src in group:
            _read_source(src, reading)
    raise_all(reading.problems)
    if not reading.selections and sum(reading.skipped.values()):
        skipped = ", ".join(f"{reading.skipped[k]} {k}" for k in SKIP_KINDS)
        raise fail(
            container.file,
            "a project with coded text selections; this one codes other things only "
            f"({skipped}: selections that are not imported). To match its codes to the "
            f"codebook, run: {CODEBOOK_HINT} {path}",
            "no_codings",
        )
    if not reading.selections:
        raise codebook_only(container.file, path)
    return QdaProject(
        file=container.file,
        command="qdpx",
        name=(root.get("name") or "").strip() or path.stem,
        origin=origin,
        codes=codes,
        sources=reading.sources,
        selections=reading.selections,
        cases=cases,
        offsets=_offsets_text(how, unit, crlf_one, offsets_only),
        warnings=_reading_warnings(reading),
        line_ends="" if offsets_only else line_end_summary(reading.texts),
        skipped={k: reading.skipped[k] for k in SKIP_KINDS},
        with_text=not offsets_only,
        offset_unit=unit if offsets_only else "codepoints",
    )


def _offsets_text(how: str, unit: str, crlf_one: bool, offsets_only: bool) -> str:
    """The offset convention in words; without texts, the offsets stay in the tool's unit."""
    if not offsets_only:
        return how
    return (
        f"{UNIT_TEXT[unit]} with CRLF counted as {'one' if crlf_one else 'two'}, as the tool "
        "stored them over its own text (source texts not read: not converted, not checked "
        "against the text)"
    )


def _project_root(path: Path, container: ProjectFiles) -> tuple[Any, str]:
    """The parsed ``<Project>`` element and where it was read from; refuses anything else."""
    data, where = container.qde()
    root = safe_archive.parse_xml(data, where)
    top = _local(root.tag)
    if top == "CodeBook":
        raise codebook_only(container.file, path)
    if top != "Project":
        raise fail(where, "a REFI-QDA <Project> document", value=f"<{top}>")
    return root, where


def _cases_of(root: Any, reading: _Reading) -> list[CaseInfo]:
    """The project's ``Cases``: name, variables and the sources each holds."""
    return [
        CaseInfo(
            key=_key(c.get("guid")),
            name=(c.get("name") or "").strip() or _key(c.get("guid")),
            variables=_variables_of(c, reading.variables, reading.unknown),
            sources=[_key(s.get("targetGUID")) for s in _children(c, "SourceRef")],
        )
        for cs in _children(root, "Cases")
        for c in _children(cs, "Case")
    ]


#: Sources of other kinds than text, and the kind their coded selections are skipped as.
_MEDIA_KINDS = {
    "PDFSource": "PDF",
    "PictureSource": "image",
    "AudioSource": "audio/video",
    "VideoSource": "audio/video",
}


def _read_source(src: Any, reading: _Reading) -> None:
    """Add one source and its coded selections; count the coded selections not imported.

    A text source is read as such; the ``Representation`` (text or transcript) inside a
    PDF, audio or video source is read as the text source of a document named after it.
    """
    kind = _local(src.tag)
    if kind == "TextSource":
        reading.skipped["other"] += _whole_source_codings(src)
        _read_text_source(src, src, reading)
        return
    reading.skipped[_MEDIA_KINDS.get(kind, "other")] += _skipped_selections(src)
    for rep in _children(src, "Representation"):
        reading.skipped[_MEDIA_KINDS.get(kind, "other")] += _whole_source_codings(rep)
        n = len(reading.selections)
        _read_text_source(rep, src, reading)
        reading.representations[_MEDIA_KINDS.get(kind, "other")] += len(reading.selections) - n


def _has_code(el: Any) -> bool:
    """Whether an element holds a ``Coding`` with at least one ``CodeRef``."""
    return any(_children(c, "CodeRef") for c in _children(el, "Coding"))


def _whole_source_codings(el: Any) -> int:
    """The codings of a whole source (``Coding`` elements directly inside it)."""
    return sum(1 for c in _children(el, "Coding") if _children(c, "CodeRef"))


def _skipped_selections(el: Any) -> int:
    """Coded selections and whole-source codings of a non-text source, its
    ``Representation`` left out (that is read as text)."""
    n = _whole_source_codings(el)
    for child in el:
        name = _local(child.tag)
        if name == "Representation":
            continue
        if name.endswith("Selection"):
            n += _has_code(child)
        elif name in ("Transcript", "TextDescription"):
            n += _skipped_selections(child)
    return n


def _read_text_source(el: Any, owner: Any, reading: _Reading) -> None:
    """Add the text source ``el`` (``owner`` is the source element it belongs to: itself,
    or the media source of a ``Representation``) and its coded text selections."""
    skey = _key(owner.get("guid")) or _key(el.get("guid"))
    name = (el.get("name") or "").strip() or (owner.get("name") or "").strip()
    if not name:
        path = (el.get("plainTextPath") or "").replace("\\", "/").rsplit("/", 1)[-1]
        name = path.rsplit(".", 1)[0].strip() or skey
        reading.unnamed.append(name)
    variables = _variables_of(owner, reading.variables, reading.unknown)
    if el is not owner:
        variables.update(_variables_of(el, reading.variables, reading.unknown))
    source = Source(key=skey, name=name, variables=variables)
    reading.sources.append(source)
    coded = _coded_selections(el, source, reading)
    if not coded:
        return
    if reading.offsets_only:
        _add_stored_offsets(coded, source, reading)
        return
    found = _source_text(el, source, reading)
    if found is None:
        return
    text, bom = found
    lf = lf_text(text)
    if bom:  # decode_text dropped it already; counted all the same
        lf = replace(lf, bom=True)
    reading.texts.append(lf)
    source.text = lf.text
    _add_selections(coded, text, lf, source, reading)


def _coded_selections(
    src: Any, source: Source, reading: _Reading
) -> list[tuple[Any, list[tuple[str, str | None]]]]:
    """The text selections of a source that carry codes, each with its (code, coder) pairs."""
    users = reading.users
    coded = []
    for sel in _children(src, "PlainTextSelection"):
        refs = []
        for coding in _children(sel, "Coding"):
            coder = users.get(_key(coding.get("creatingUser"))) or users.get(
                _key(sel.get("creatingUser"))
            )
            for ref in _children(coding, "CodeRef"):
                target = _key(ref.get("targetGUID"))
                if target not in reading.known_codes:
                    reading.problems.append(
                        Problem(
                            file=reading.where,
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
    return coded


def _add_selections(
    coded: list[tuple[Any, list[tuple[str, str | None]]]],
    text: str,
    lf: LfText,
    source: Source,
    reading: _Reading,
) -> None:
    """Convert the coded selections' offsets to code points of the text as stored, carry
    them onto its LF text, and keep those that check out."""
    starts, ends, bad = [], [], []
    for sel, _ in coded:
        offsets = {a: whole_offset(sel.get(a)) for a in ("startPosition", "endPosition")}
        bad.append([a for a, v in offsets.items() if v is None])
        starts.append(offsets["startPosition"] or 0)
        ends.append(offsets["endPosition"] or 0)
    unit, crlf_one, where = reading.unit, reading.crlf_one, reading.where
    s_cp, e_cp, status = convert_offsets(text, starts, ends, unit, crlf_one)
    s_cp, e_cp = lf.move(s_cp), lf.move(e_cp)
    length = offset_length(text, unit, crlf_one)
    for k, (sel, refs) in enumerate(coded):
        label = f"selection {sel.get('guid')} in source {source.name!r}"
        if bad[k]:
            reading.problems += [_not_whole(where, label, sel, a) for a in bad[k]]
            continue
        if status[k] != "ok":
            reading.problems.append(_offset_problem(where, label, starts[k], ends[k], status[k],
                                                    length, unit, crlf_one))  # fmt: skip
            continue
        sid = _selection_id(sel, source.key, k, reading.seen_ids)
        reading.selections.append(Selection(sid, source.key, int(s_cp[k]), int(e_cp[k]), refs))


def _add_stored_offsets(
    coded: list[tuple[Any, list[tuple[str, str | None]]]], source: Source, reading: _Reading
) -> None:
    """Keep the coded selections with their offsets as stored (the texts are not read):
    whole numbers, not negative, start not after end."""
    where = reading.where
    for k, (sel, refs) in enumerate(coded):
        label = f"selection {sel.get('guid')} in source {source.name!r}"
        offsets = {a: whole_offset(sel.get(a)) for a in ("startPosition", "endPosition")}
        bad = [a for a, v in offsets.items() if v is None or v < 0]
        if bad:
            reading.problems += [_not_whole(where, label, sel, a) for a in bad]
            continue
        start, end = offsets["startPosition"], offsets["endPosition"]
        if start > end:  # type: ignore[operator]
            reading.problems.append(
                _offset_problem(
                    where, label, start, end, "reversed", 0, reading.unit, reading.crlf_one
                )  # fmt: skip
            )
            continue
        sid = _selection_id(sel, source.key, k, reading.seen_ids)
        reading.selections.append(Selection(sid, source.key, int(start), int(end), refs))


def _not_whole(where: str, label: str, sel: Any, attribute: str) -> Problem:
    """The problem for an offset attribute that is missing or not a whole number."""
    raw = sel.get(attribute)
    if raw is None:
        return Problem(
            file=where,
            expected=f"the attribute {attribute}, a whole number ({label} has none)",
            kind="missing",
        )
    return Problem(
        file=where,
        value=raw,
        expected=f"{attribute} as a whole number of 0 or more, counted in the source text "
        f"({label})",
        kind="invalid",
    )


def _selection_id(sel: Any, skey: str, k: int, seen_ids: dict[str, int]) -> str:
    """A selection's id: its GUID (or source key and number), made unique among
    ``seen_ids`` (each id taken, with the last number tried after it)."""
    sid = _key(sel.get("guid")) or f"{skey}-{k + 1}"
    if sid in seen_ids:
        n = seen_ids[sid] + 1
        while f"{sid}-{n}" in seen_ids:
            n += 1
        seen_ids[sid] = n
        sid = f"{sid}-{n}"
    seen_ids[sid] = 1
    return sid


def _reading_warnings(reading: _Reading) -> list[str]:
    """Warnings about what was read in another way than the standard says, and variable
    values that were not imported (skipped selections are counted in the summary)."""
    warnings = []
    if reading.bare_paths:
        ref, member = reading.bare_paths[0]
        warnings.append(
            f"{len(reading.bare_paths)} source text(s) named by a plainTextPath without "
            f"internal:// (first: {ref!r}) were read from the archive (first: {member})"
        )
    if reading.unnamed:
        warnings.append(
            f"{len(reading.unnamed)} text source(s) without a name were named after their "
            f"text file or GUID (first: {reading.unnamed[0]!r})"
        )
    for kind, n in sorted(reading.representations.items()):
        if n:
            what = "transcripts of audio/video" if kind == "audio/video" else f"{kind} texts"
            warnings.append(
                f"{n} coded selection(s) in {what} (Representation) imported as segments of "
                "their text"
            )
    if reading.unknown["variable"]:
        warnings.append(
            f"{reading.unknown['variable']} variable value(s) of unknown variables skipped"
        )
    return warnings + reading.notes


def _offset_problem(
    where: str, label: str, start: int, end: int, status: str, length: int, unit: str,
    crlf_one: bool,
) -> Problem:  # fmt: skip
    """The problem for a selection whose offsets are outside the text, split or reversed."""
    units = UNIT_TEXT[unit]
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


_OFFSETS_ONLY_HINT = (
    "; to import the codings with their offsets and no text, use --offsets-only (offsets_only=True)"
)


def _source_text(el: Any, source: Source, reading: _Reading) -> tuple[str, bool] | None:
    """A source's text (inline, or the archive member its ``plainTextPath`` names) and
    whether a byte-order mark was dropped from it; None (and a problem) when it is
    unavailable or would be read from outside the project."""
    container, where, problems = reading.container, reading.where, reading.problems
    inline = _child(el, "PlainTextContent")
    if inline is not None:
        return inline.text or "", False
    ref = (el.get("plainTextPath") or "").strip()
    what = f"source {source.name!r}"
    internal = ref.lower().startswith("internal://")
    rest = ref[len("internal://") :] if internal else ref
    if not ref or (not internal and ("://" in ref or ref.lower().startswith("file:"))):
        problems.append(
            Problem(
                file=where,
                value=ref or None,
                expected=f"the plain text of {what} inside the project (plainTextPath "
                "internal://... or a path inside the archive); text kept outside the project "
                "is not read" + _OFFSETS_ONLY_HINT,
                kind="missing",
            )
        )
        return None
    name = source_name(rest)
    if name is None:
        problems.append(
            Problem(
                file=where,
                value=ref,
                expected=f"a plainTextPath naming a file inside the project ({what}); absolute "
                "paths and '..' are refused",
                kind="unsafe_path",
            )
        )
        return None
    found = _read_text_member(container, name, internal)
    if found is None:
        member = f"sources/{name}" if internal else name
        problems.append(
            Problem(
                file=where,
                value=ref,
                expected=f"the file {member} in the project ({what} has coded selections "
                "but its text is missing)" + _OFFSETS_ONLY_HINT,
                kind="missing",
            )
        )
        return None
    raw, member = found
    bom = raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    if not internal:
        reading.bare_paths.append((ref, member))
    return decode_text(raw, f"{container.file}:{member}", reading.notes), bom


def _read_text_member(
    container: ProjectFiles, name: str, internal: bool
) -> tuple[bytes, str] | None:
    """The bytes of a source text and its member name: ``internal://`` paths under
    ``sources/``, other relative paths under ``sources/`` or beside the ``*.qde``."""
    if not internal:
        return container.find_text(name)
    raw = container.read_source(name)
    return None if raw is None else (raw, f"sources/{name}")


# --------------------------------------------------------------------------- importing


def import_qdpx(
    path: Path | str,
    to: Path | str,
    *,
    code_map: Path | str | None = None,
    documents: Path | str | None = None,
    keep_text: bool = False,
    offsets: str = "auto",
    crlf: str = "auto",
    offsets_only: bool = False,
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
        Project code -> codebook id (see
        :func:`~coprodlib.importers.code_map.read_code_map`); default: the target's
        ``code_map.csv`` from an earlier import.
    documents : Path, optional
        Document -> case, participant, role (an edited ``documents.csv``); default: the
        target's ``documents.csv`` from an earlier import.
    keep_text : bool
        Keep each segment's selected text in ``segments.csv``.
    offsets, crlf : str
        Override the offset unit (see
        :func:`~coprodlib.importers.offsets.offset_convention`).
    offsets_only : bool
        Import the codings with their offsets as the tool stored them and no text, without
        reading the source texts (for a project whose texts are missing; ``--offsets-only``).
        Cannot be combined with ``keep_text``.
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
    ValueError
        For ``keep_text`` together with ``offsets_only`` (there is no text to keep).
    """
    if keep_text and offsets_only:
        raise ValueError("keep_text and offsets_only exclude each other: without the source "
                         "texts there is no segment text to keep")  # fmt: skip
    cb = get_codebook() if cb is None else cb
    check_target(Path(to).expanduser().absolute(), "qualitative")
    project = read_qdpx(path, offsets=offsets, crlf=crlf, offsets_only=offsets_only, cb=cb)
    return write_project(
        project, to, code_map=code_map, documents=documents, keep_text=keep_text, cb=cb
    )
