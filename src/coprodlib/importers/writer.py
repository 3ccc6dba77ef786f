"""Write a QDA project, as a reader returned it, into a dataset folder.

:func:`write_project` is the second half of ``coprod import qdpx`` and ``coprod import
taguette``: it takes a :class:`~coprodlib.importers.project.QdaProject`, gives each code its
final id (:mod:`.code_map`), places every source as a document of a participant in a case
(:mod:`.cases`), turns the coded selections into segments and codings, and writes the
tables, ``dataset.yml`` and the pseudonym key into the target folder. The folder is staged
(:mod:`.staging`): either every file is written or the target is left as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .._io import write_csv
from ..taxonomy.codebook import Codebook, get_codebook
from .cases import People, assign_people, document_ids, read_documents_map
from .code_map import code_map_table, extension_table, read_code_map, resolve_codes
from .project import ImportResult, QdaProject
from .pseudonyms import Pseudonymizer
from .staging import check_target, read_dataset_meta, staged_target, write_meta

__all__ = ["write_project"]


def write_project(
    project: QdaProject,
    to: Path | str,
    *,
    code_map: Path | str | None = None,
    documents: Path | str | None = None,
    keep_text: bool = False,
    cb: Codebook | None = None,
) -> ImportResult:
    """Write a project that a reader returned as a dataset folder.

    Parameters
    ----------
    project : QdaProject
        The project, as :func:`~coprodlib.importers.refi.read_qdpx` or
        :func:`~coprodlib.importers.taguette.read_taguette` returned it.
    to : Path
        The dataset folder to write: new, empty, or written by an earlier import (see
        :func:`~coprodlib.importers.staging.check_target`).
    code_map : Path, optional
        Project code -> codebook id (see
        :func:`~coprodlib.importers.code_map.read_code_map`); default: the ``code_map.csv``
        of an earlier import into ``to``.
    documents : Path, optional
        Document -> case, participant, role (see
        :func:`~coprodlib.importers.cases.read_documents_map`); default: the
        ``documents.csv`` of an earlier import into ``to``. The defaults mean that editing
        those two files and importing again applies the edits.
    keep_text : bool
        Keep each segment's selected text in ``segments.csv``: exactly the slice
        ``[start:end]`` (code points) of its source text under the importers' line-end
        convention (:data:`~coprodlib.importers.offsets.LINE_ENDS`). Ignored for a project
        read without its source texts.
    cb : Codebook, optional
        Codebook to match codes against (default: the shipped one).

    Returns
    -------
    ImportResult
        Counts, notes and warnings; ``summary()`` is what the command prints. The files
        written are listed in :func:`~coprodlib.importers.refi.import_qdpx`.

    Raises
    ------
    DataError
        For a target that may not be written, bad code or documents maps, a code map that
        loading would apply to the codings differently, and documents that put one
        participant into two cases or roles. Nothing is written then.
    """
    cb = get_codebook() if cb is None else cb
    target = Path(to).expanduser().absolute()
    earlier = check_target(target, "qualitative")
    previous = target if earlier else None
    notes: list[str] = []
    warnings = list(project.warnings)

    codes = _final_codes(project, code_map, previous, cb, notes, warnings)
    pseudo = Pseudonymizer.for_folder(previous)
    doc_id = document_ids(project, pseudo)
    docs_path, dmap = _documents_map(documents, previous, set(doc_id.values()), cb, notes,
                                     warnings)  # fmt: skip
    people = assign_people(
        project,
        pseudo,
        doc_id,
        dmap,
        docs_path.name if docs_path else "documents.csv",
        previous,
        cb,
        warnings,
    )
    keep_text = keep_text and project.with_text
    segments, codings = _segments_and_codings(project, codes, people.placement, doc_id,
                                              keep_text)  # fmt: skip
    code_map_out = code_map_table(codes, codings)
    extension, used_placeholders = extension_table(codes, people.cases, people.participants, cb)
    meta = _dataset_meta(project, target, previous, keep_text, len(segments), len(codings))
    tables = {
        "cases.csv": people.cases,
        "participants.csv": people.participants,
        "documents.csv": people.documents,
        "segments.csv": segments,
        "codings.csv": codings,
        "code_map.csv": code_map_out,
    }
    if len(extension):
        tables["codebook_extension.csv"] = extension
    _write_folder(target, previous, tables, meta, pseudo)

    counts = _counts(people, segments, codings, codes)
    notes += _closing_notes(bool(used_placeholders), counts)
    return ImportResult(
        path=target,
        source=project.file,
        tool=project.origin,
        counts=counts,
        offsets=project.offsets,
        keep_text=keep_text and project.with_text,
        warnings=tuple(warnings),
        notes=tuple(notes),
        line_ends=project.line_ends,
        skipped=dict(project.skipped),
        untagged=project.untagged,
        with_text=project.with_text,
    )


def _final_codes(
    project: QdaProject,
    code_map: Path | str | None,
    previous: Path | None,
    cb: Codebook,
    notes: list[str],
    warnings: list[str],
) -> pd.DataFrame:
    """The project's codes with final ids, from the given code map or the earlier one."""
    map_path = Path(code_map) if code_map is not None else None
    if map_path is None and previous is not None and (previous / "code_map.csv").is_file():
        map_path = previous / "code_map.csv"
        notes.append("applied the code_map.csv of the earlier import in the target folder")
    cmap = read_code_map(map_path, cb) if map_path is not None else None
    codes, w = resolve_codes(project.codes, cmap, cb)
    warnings += w
    return codes


def _documents_map(
    documents: Path | str | None,
    previous: Path | None,
    known: set[str],
    cb: Codebook,
    notes: list[str],
    warnings: list[str],
) -> tuple[Path | None, dict[str, dict[str, str | None]]]:
    """The documents map in use (given, else the earlier one) and its entries."""
    docs_path = Path(documents) if documents is not None else None
    strict = docs_path is not None
    if docs_path is None and previous is not None and (previous / "documents.csv").is_file():
        docs_path = previous / "documents.csv"
        notes.append("applied the documents.csv of the earlier import in the target folder")
    dmap, w = (
        read_documents_map(docs_path, known, cb, strict) if docs_path is not None else ({}, [])
    )
    warnings += w
    return docs_path, dmap


def _segments_and_codings(
    project: QdaProject,
    codes: pd.DataFrame,
    placement: dict[str, tuple[str, str]],
    doc_id: dict[str, str],
    keep_text: bool,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """segments.csv (one row per selection) and codings.csv (one per code reference)."""
    final_of = dict(zip(codes["key"], codes["final_id"], strict=True))
    text_of = {s.key: s.text for s in project.sources}
    seg_rows, coding_rows = [], []
    for sel in project.selections:
        case_id, pid = placement[sel.source]
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
    return segments, codings


def _dataset_meta(
    project: QdaProject,
    target: Path,
    previous: Path | None,
    keep_text: bool,
    n_segments: int,
    n_codings: int,
) -> dict[str, Any]:
    """dataset.yml: an earlier import's entries kept, this import recorded under imports."""
    meta = read_dataset_meta(previous) if previous is not None else {}
    imports = meta.get("imports") if isinstance(meta.get("imports"), dict) else {}
    info = {
        "command": project.command,
        "source": project.file,
        "tool": project.origin,
        "offsets": project.offsets,
        "offset_unit": project.offset_unit,
        "line_ends": project.line_ends,
        "source_texts_read": bool(project.with_text),
        "keep_text": bool(keep_text),
        "segments": n_segments,
        "codings": n_codings,
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
    return new_meta


def _write_folder(
    target: Path,
    previous: Path | None,
    tables: dict[str, pd.DataFrame],
    meta: dict[str, Any],
    pseudo: Pseudonymizer,
) -> None:
    """Write the tables, dataset.yml and the pseudonym key into the staged target."""
    with staged_target(target) as stage:
        out = stage.folder
        for stale in ("codebook_extension.csv",):
            (out / stale).unlink(missing_ok=True)
        for name, table in tables.items():
            write_csv(table, out / name)
        write_meta(out, meta)
        pseudo.write(out, previous=previous)


def _counts(
    people: People, segments: pd.DataFrame, codings: pd.DataFrame, codes: pd.DataFrame
) -> dict[str, int]:
    """What the import summary counts: documents, people, segments, codings and codes."""
    matched = int(codes["matched_by"].notna().sum() - (codes["matched_by"] == "map").sum())
    return {
        "documents": len(people.documents),
        "participants": len(people.participants),
        "cases": len(people.cases),
        "segments": len(segments),
        "codings": len(codings),
        "codes_matched": matched,
        "codes_mapped": int((codes["matched_by"] == "map").sum()),
        "codes_local": int(codes["local_id"].notna().sum()),
    }


def _closing_notes(placeholders: bool, counts: dict[str, int]) -> list[str]:
    """Notes on what the user should fill in or map before importing again."""
    notes = []
    if placeholders:
        notes.append(
            "cases.csv and roles hold placeholders (country ZZ, unknown_phase, unknown_role, ...)"
            ": fill in cases.csv, and roles in documents.csv, then import again"
        )
    if counts["codes_local"]:
        notes.append(
            "unmatched codes are local codes (codebook_extension.csv); `coprod map` suggests "
            "codebook ids for them in code_map.csv: fill in its code column and import again"
        )
    return notes
