"""Read REFI-QDA projects (``.qdpx``) and import them into a dataset folder.

A ``.qdpx`` file is a zip archive holding one ``*.qde`` XML file (the project) and the text
of its sources under ``sources/``. :func:`read_qdpx` reads it, its unzipped folder or a bare
``*.qde`` into a :class:`~coprodlib.importers.project.QdaProject`; :func:`import_qdpx` then
writes that project with :func:`~coprodlib.importers.writer.write_project`, which the
Taguette importer shares. What is read:

- each text source becomes a document, and each coded text selection
  (``PlainTextSelection`` with ``Coding``/``CodeRef``) a segment with one coding per code
  reference; the coding's creating user is kept as the coder. Codings of whole sources
  and of other kinds of sources are counted and reported, not imported;
- REFI-QDA ``Cases`` with their variables (and variables on sources, where MAXQDA writes
  them) are kept for :mod:`.cases`, which places the documents;
- the codebook's codes are read with :func:`coprodlib.taxonomy.qdc.codes_table` and matched
  there; :mod:`.code_map` gives them their final ids;
- selection offsets are converted to code points (end exclusive) from the unit the
  exporting tool counted (:func:`~coprodlib.importers.offsets.offset_convention`) and
  checked against the source text.

Everything a hostile file could do is refused with a :class:`~coprodlib.errors.DataError`:
XML with a DTD or entities (XXE, billion laughs), archive members with absolute paths or
``..`` (zip slip), too many members or too many bytes (zip bombs; limits in
:mod:`coprodlib.safe_archive` and :mod:`.qdpx_files`), files that are not zips,
source paths outside the project, unknown code references and offsets outside the source
text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import safe_archive
from ..errors import Problem, fail
from ..taxonomy import qdc
from ..taxonomy.codebook import Codebook, get_codebook
from .offsets import UNIT_TEXT, convert_offsets, decode_text, offset_convention, offset_length
from .project import CaseInfo, ImportResult, QdaProject, Selection, Source, raise_all
from .qdpx_files import ProjectFiles, codebook_only, open_project, source_name
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
        follows the exporting tool (see
        :func:`~coprodlib.importers.offsets.offset_convention`).
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
    container = open_project(path)
    try:
        return _read_project(path, container, offsets, crlf, cb)
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
    unknown: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    seen_ids: set[str] = field(default_factory=set)
    sources: list[Source] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)


def _read_project(
    path: Path, container: ProjectFiles, offsets: str, crlf: str, cb: Codebook
) -> QdaProject:
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
    reading = _Reading(where, container, unit, crlf_one, users, set(codes["key"]), variables)
    cases = _cases_of(root, reading)
    for group in _children(root, "Sources"):
        for src in group:
            _read_source(src, reading)
    raise_all(reading.problems)
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
        offsets=how,
        warnings=_reading_warnings(reading),
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


def _read_source(src: Any, reading: _Reading) -> None:
    """Add one source and its coded selections; count codings that are not imported."""
    kind = _local(src.tag)
    if kind != "TextSource":
        reading.skipped[kind] += sum(1 for e in src.iter() if _local(e.tag) == "CodeRef")
        return
    skey = _key(src.get("guid"))
    source = Source(
        key=skey,
        name=(src.get("name") or "").strip() or skey,
        variables=_variables_of(src, reading.variables, reading.unknown),
    )
    reading.sources.append(source)
    reading.skipped["whole-source codings"] += sum(
        len(_children(c, "CodeRef")) for c in _children(src, "Coding")
    )
    coded = _coded_selections(src, source, reading)
    if not coded:
        return
    text = _source_text(src, source, reading.container, reading.where, reading.problems)
    if text is None:
        return
    source.text = text
    _add_selections(coded, text, source, reading)


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
    source: Source,
    reading: _Reading,
) -> None:
    """Convert the coded selections' offsets to code points and keep those that check out."""
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
    unit, crlf_one, where = reading.unit, reading.crlf_one, reading.where
    s_cp, e_cp, status = convert_offsets(text, starts, ends, unit, crlf_one)
    length = offset_length(text, unit, crlf_one)
    for k, (sel, refs) in enumerate(coded):
        label = f"selection {sel.get('guid')} in source {source.name!r}"
        if bad[k]:
            reading.problems.append(
                Problem(
                    file=where,
                    value=(sel.get("startPosition"), sel.get("endPosition")),
                    expected=f"whole-number startPosition and endPosition ({label})",
                    kind="invalid",
                )
            )
            continue
        if status[k] != "ok":
            reading.problems.append(_offset_problem(where, label, starts[k], ends[k], status[k],
                                                    length, unit, crlf_one))  # fmt: skip
            continue
        sid = _selection_id(sel, source.key, k, reading.seen_ids)
        reading.selections.append(Selection(sid, source.key, int(s_cp[k]), int(e_cp[k]), refs))


def _selection_id(sel: Any, skey: str, k: int, seen_ids: set[str]) -> str:
    """A selection's id: its GUID (or source key and number), made unique among ``seen_ids``."""
    sid = _key(sel.get("guid")) or f"{skey}-{k + 1}"
    if sid in seen_ids:
        n = 2
        while f"{sid}-{n}" in seen_ids:
            n += 1
        sid = f"{sid}-{n}"
    seen_ids.add(sid)
    return sid


def _reading_warnings(reading: _Reading) -> list[str]:
    """Warnings about codings and variable values that were not imported."""
    warnings = []
    for kind, n in reading.skipped.items():
        if n:
            what = kind if kind == "whole-source codings" else f"codings on {kind} sources"
            warnings.append(f"{n} {what} not imported (only coded text selections are)")
    if reading.unknown["variable"]:
        warnings.append(
            f"{reading.unknown['variable']} variable value(s) of unknown variables skipped"
        )
    return warnings


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


def _source_text(
    el: Any, source: Source, container: ProjectFiles, where: str, problems: list[Problem]
) -> str | None:
    """A source's text, inline or from ``sources/``; None (and a problem) when unavailable."""
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
    name = source_name(ref[len("internal://") :])
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
