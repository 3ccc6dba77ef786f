"""The common ground of the qualitative importers: a QDA project as read, and what an import
wrote.

The readers (:func:`coprodlib.importers.refi.read_qdpx` for REFI-QDA, and
:func:`coprodlib.importers.taguette.read_taguette`) each turn their tool's file into a
:class:`QdaProject` made of :class:`Source`, :class:`Selection` and :class:`CaseInfo`
records; :func:`coprodlib.importers.writer.write_project` writes any such project as a
dataset folder and returns an :class:`ImportResult`. :func:`raise_all` is how every step
reports the problems it collected: all of them in one error, up to :data:`MAX_PROBLEMS`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, Problem

__all__ = [
    "MAX_PROBLEMS",
    "SKIP_KINDS",
    "CaseInfo",
    "ImportResult",
    "QdaProject",
    "Selection",
    "Source",
    "raise_all",
]

#: At most this many problems are listed in one error.
MAX_PROBLEMS = 50
#: The kinds of coded selections an import does not turn into segments, as summaries name
#: them: codings of PDF regions, of images, of audio or video (time spans, transcript
#: selections without character offsets) and everything else (codings of whole sources).
SKIP_KINDS = ("PDF", "image", "audio/video", "other")


@dataclass
class Source:
    """A text source (document) of a project.

    ``text`` is the decoded text under the importers' line-end convention
    (:data:`~coprodlib.importers.offsets.LINE_ENDS`: LF only, no byte-order mark), or
    ``None`` when it was not needed (no coded selections) or not read (offsets only).
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
    """A QDA project read into memory, ready for
    :func:`~coprodlib.importers.writer.write_project`.

    ``codes`` has the columns of :data:`coprodlib.taxonomy.qdc.CODE_COLUMNS` plus ``key``
    (the code's normalised GUID, what selections refer to) and ``parent_key``. ``offsets``
    says in words which unit the tool counted and what the offsets written count;
    ``line_ends`` what the line-end convention changed; ``skipped`` counts the coded
    selections not imported by kind (:data:`SKIP_KINDS`); ``untagged`` the highlights
    without a tag that were dropped (Taguette; ``None`` for tools without such a thing);
    ``with_text`` is false when the source texts were not read (offsets only), and
    ``offset_unit`` is the unit of the offsets written (one of
    :data:`~coprodlib.importers.offsets.OFFSET_UNITS`: code points, unless the texts were
    not read and the offsets are the tool's own).
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
    line_ends: str = ""
    skipped: dict[str, int] = field(default_factory=dict)
    untagged: int | None = None
    with_text: bool = True
    offset_unit: str = "codepoints"

    @property
    def n_codings(self) -> int:
        """The number of codings: one per code reference of each selection."""
        return sum(len(s.codes) for s in self.selections)


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote; :meth:`summary` is what the command prints.

    Every QDA importer (REFI-QDA, Taguette, QualCoder) returns one, so their summaries share
    one format.
    """

    path: Path
    source: str
    tool: str | None
    counts: dict[str, int]
    offsets: str
    keep_text: bool
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    line_ends: str = ""
    skipped: dict[str, int] = field(default_factory=dict)
    untagged: int | None = None
    with_text: bool = True

    def summary(self) -> str:
        """The import in the format all QDA importers share.

        Returns
        -------
        str
            One line each, in this order: the source and tool (origin and version) and the
            target; documents, participants and cases; segments and codings; the selections
            skipped by kind (:data:`SKIP_KINDS`); highlights without a tag dropped (where the
            tool has them); codes matched, mapped and local; the offset unit; the line-end
            convention applied; segment text; notes; warnings; and last the command to run
            next (``coprod map DIR`` when local codes remain, else ``coprod validate DIR``).
        """
        c = self.counts
        lines = [
            f"imported {self.source} (tool: {self.tool or 'not recorded'}) into {self.path}",
            f"  {c['documents']} document(s), {c['participants']} participant(s) in "
            f"{c['cases']} case(s)",
            f"  {c['segments']} coded segment(s) with {c['codings']} coding(s)",
            "  selections skipped: "
            + ", ".join(f"{self.skipped.get(k, 0)} {k}" for k in SKIP_KINDS),
        ]
        if self.untagged is not None:
            lines.append(f"  highlights without a tag dropped: {self.untagged}")
        lines.append(
            f"  codes: {c['codes_matched']} matched to the codebook, {c['codes_mapped']} "
            f"mapped by the code map, {c['codes_local']} kept as local codes"
        )
        if self.offsets:
            lines.append(f"  offsets: {self.offsets}")
        if self.line_ends:
            lines.append(f"  line ends: {self.line_ends}")
        if not self.with_text:
            lines.append("  segment text: none (source texts not read: --offsets-only)")
        elif self.keep_text:
            lines.append("  segment text: kept (--keep-text)")
        else:
            lines.append("  segment text: not kept (use --keep-text to keep it)")
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines.append(f"  next: {self.next_command}")
        return "\n".join(lines)

    @property
    def next_command(self) -> str:
        """The command to run after this import: ``coprod map DIR`` while local codes remain,
        else ``coprod validate DIR``."""
        command = "map" if self.counts.get("codes_local") else "validate"
        return f"coprod {command} {shlex.quote(str(self.path))}"


def raise_all(problems: list[Problem]) -> None:
    """Raise the problems collected so far as one error, if there are any.

    Parameters
    ----------
    problems : list of Problem
        Everything found wrong, in the order found.

    Raises
    ------
    DataError
        Holding the first :data:`MAX_PROBLEMS` problems, plus one line that counts the
        rest when there are more.

    Examples
    --------
    >>> raise_all([])  # nothing found: nothing raised
    """
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
