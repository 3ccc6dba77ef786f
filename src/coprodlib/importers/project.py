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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError, Problem

__all__ = [
    "MAX_PROBLEMS",
    "CaseInfo",
    "ImportResult",
    "QdaProject",
    "Selection",
    "Source",
    "raise_all",
]

#: At most this many problems are listed in one error.
MAX_PROBLEMS = 50


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
    """A QDA project read into memory, ready for
    :func:`~coprodlib.importers.writer.write_project`.

    ``codes`` has the columns of :data:`coprodlib.taxonomy.qdc.CODE_COLUMNS` plus ``key``
    (the code's normalised GUID, what selections refer to) and ``parent_key``.
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
        """The number of codings: one per code reference of each selection."""
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
        """The import in a few lines: counts, offsets, segment text, notes and warnings."""
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
