"""The SYNTHETIC demo dataset: its entry points, and the folder they write.

Nothing generated here is real data. The model (:mod:`.parameters` and :mod:`.model`) imitates
the *design* of two studies, three German local-government cases with 24 interviews
[aschhoff2018] and three Flemish cases plus a vignette survey [jaspers2021d], and writes their
*reported patterns* into it as probabilistic assumptions: which tensions occur, that citizen
co-producers avoid and escalate more often than public servants, that one-sided coping piling up
in a case goes with more undesired effects, and that external efficacy raises trading off and
lowers avoidance in the vignette experiment. Every other number is invented, and the README
that :func:`write_demo` puts beside the tables (:mod:`.readme`) says which.

- :func:`generate` gives the tables of the demo in memory;
- :func:`generate_large` gives a dataset of the same shape at the scale of a shared database,
  for benchmarks (a million codings in seconds: the model works on whole arrays, never row by
  row);
- :func:`replicate_demo` gives the demo copied until it holds a given number of codings, each
  copy with ids of its own and the segment texts kept (some of them over several lines): a
  dataset shaped like a large real import, for the loading benchmark;
- :func:`write_demo` writes the demo folder (``coprod demo --to PATH``), byte for byte the same
  for the same seed, and swaps it into place in one rename;
- :func:`check_target`, :func:`write_files`, :func:`csv_bytes` and :func:`yaml_bytes` are the
  parts of that writer the second demo study (:mod:`.second_study`) uses as well.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from ..contract.rules import ID_COLUMNS
from ..errors import DataError, Problem
from .model import simulate
from .parameters import DEFAULT_SEED
from .readme import readme_text
from .sampling import check_count

__all__ = [
    "DEMO_FILES",
    "check_target",
    "csv_bytes",
    "generate",
    "generate_large",
    "replicate_demo",
    "write_demo",
    "write_files",
    "yaml_bytes",
]

#: Files :func:`write_demo` writes, in the order they are listed in its README.
DEMO_FILES = (
    "dataset.yml",
    "README.md",
    "cases.csv",
    "participants.csv",
    "documents.csv",
    "segments.csv",
    "codings.csv",
    "double_coding.csv",
    "survey.csv",
    "scales.yml",
)


# =========================================================================== tables


def generate(
    seed: int = DEFAULT_SEED,
    *,
    n_cases: int | None = None,
    segments_per_case: int | None = None,
    n_respondents: int = 300,
    n_double: int = 80,
) -> dict[str, Any]:
    """The SYNTHETIC demo dataset as tables, written nowhere.

    Parameters
    ----------
    seed : int
        Seed of every random draw; one seed, one set of tables.
    n_cases : int, optional
        ``None`` (default): the six demo cases. 1 to 6: the first ``n_cases`` of them. More:
        the six and then synthetic cases ``case_0007``, ``case_0008``, ..., whose country,
        service area, phase, level, mode, logic, roles and tension mix are drawn at random.
    segments_per_case : int, optional
        Segment rows per case, about 4% of them overlapping; by default each participant has
        9 to 15 ordinary segments, plus a few overlapping ones per case.
    n_respondents : int
        Rows of the survey.
    n_double : int
        Segments that a second coder codes as well, in ``double_coding`` (at most all the
        ordinary, non-overlapping segments).

    Returns
    -------
    dict
        The DataFrames ``cases``, ``participants``, ``documents`` (with ``n_chars``, the
        length of each document's text in code points), ``segments``, ``codings``,
        ``double_coding`` and ``survey``; ``scales`` (what ``scales.yml`` holds) and ``meta``
        (what ``dataset.yml`` holds); ``texts``, a Series of the full document texts by
        ``document_id`` (each segment's ``text`` is ``texts[document_id][start:end]``); and
        ``model``, the latent one-sidedness of each case and its drawn share of one-sided
        strategy codings. Every table is sorted by its id columns.

    Raises
    ------
    ValueError
        A seed or count that is not a whole number in range.

    Examples
    --------
    >>> from coprodlib.demo.writer import generate
    >>> demo = generate()
    >>> len(demo["cases"]), int((demo["participants"]["case_id"].str[:3] == "de_").sum())
    (6, 24)
    """
    return simulate(
        seed,
        n_cases,
        segments_per_case=segments_per_case,
        n_respondents=n_respondents,
        n_double=n_double,
    )


def generate_large(
    seed: int = DEFAULT_SEED,
    n_cases: int = 200,
    n_codings: int = 1_000_000,
    n_respondents: int = 20_000,
    n_double_units: int = 50_000,
    *,
    n_segments: int | None = None,
    texts: bool = False,
) -> dict[str, Any]:
    """A large synthetic dataset shaped like the demo, for benchmarks.

    The six demo cases and ``n_cases - 6`` synthetic ones, with exactly ``n_codings``
    codings on ``n_segments`` segments (by default ``0.3 * n_codings``, some 3.3 codes per
    segment). Segments carry value codes (mostly a value at stake in their tension) and
    direction, value-kind, capacity and expectation codes besides tensions, strategies and
    effects, so that about a hundred distinct codebook ids occur. Texts are empty unless
    ``texts=True``; the offsets and ``documents.n_chars`` hold either way. In ``codings`` and
    ``double_coding``, ``segment_id``, ``code`` and ``coder`` are categoricals.

    Parameters
    ----------
    seed : int
    n_cases : int
        Cases (at least 1).
    n_codings : int
        Rows of ``codings``.
    n_respondents : int
        Rows of ``survey``.
    n_double_units : int
        Segments coded by both coders in ``double_coding`` (at most all the ordinary,
        non-overlapping segments).
    n_segments : int, optional
        Segments (by default ``round(0.3 * n_codings)``); a segment holds at most 5 codes.
    texts : bool
        Write the segment texts as well (slower, and more memory).

    Returns
    -------
    dict
        As :func:`generate` (``texts`` only with ``texts=True``).
    """
    n_codings = check_count("n_codings", n_codings, 1)
    n_cases = check_count("n_cases", n_cases, 1)
    if n_segments is None:
        n_segments = max(int(round(0.3 * n_codings)), n_cases)
    n_segments = check_count("n_segments", n_segments, 1)
    return simulate(
        seed,
        n_cases,
        n_segments=n_segments,
        n_codings=n_codings,
        n_respondents=n_respondents,
        n_double=n_double_units,
        texts=texts,
        large=True,
    )


#: The tables :func:`replicate_demo` copies (all with ids but the survey, which is kept once),
#: and their id columns that get a copy's suffix (:data:`~coprodlib.contract.rules.ID_COLUMNS`).
_REPLICATED = {name: cols for name, cols in ID_COLUMNS.items() if name != "survey"}


def replicate_demo(n_codings: int = 1_000_000, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The SYNTHETIC demo copied until it holds at least ``n_codings`` codings.

    Copy ``k`` (from 1) of every per-case table has its ids suffixed with ``_r<k>`` (a case
    ``be_elderly_care`` becomes ``be_elderly_care_r0001``, and so do the ids pointing to it),
    so the copies form one valid dataset of thousands of cases. The segment texts are kept,
    about 4% of them over several lines, as an import with ``--keep-text`` writes them; the
    survey and ``scales.yml`` are the demo's own, once.

    Parameters
    ----------
    n_codings : int
        The fewest codings wanted (at least 1); a million gives 687 copies: 4,122 cases,
        37,098 participants, 467,160 segments and 1,000,272 codings.
    seed : int
        Seed of the demo that is copied.

    Returns
    -------
    dict
        The tables as :func:`generate` names them (``cases``, ``participants``,
        ``documents``, ``segments``, ``codings``, ``double_coding``, ``survey``), ``scales``
        and ``meta``.

    Examples
    --------
    >>> from coprodlib.demo.writer import replicate_demo
    >>> tables = replicate_demo(3_000)
    >>> len(tables["cases"]), tables["cases"]["case_id"].iat[0]
    (18, 'be_elderly_care_r0001')
    """
    import numpy as np

    n_codings = check_count("n_codings", n_codings, 1)
    demo = generate(seed)
    copies = -(-n_codings // len(demo["codings"]))
    width = max(4, len(str(copies)))
    suffixes = np.char.add("_r", np.char.zfill(np.arange(1, copies + 1).astype(str), width))
    out: dict[str, Any] = {}
    for name, id_columns in _REPLICATED.items():
        frame = demo[name]
        tag = np.repeat(suffixes, len(frame))
        big = {}
        for col in frame.columns:
            values = np.tile(frame[col].to_numpy(dtype=object), copies)
            if col in id_columns:
                values = np.char.add(values.astype(str), tag).astype(object)
            big[col] = values
        out[name] = pd.DataFrame(big).astype(frame.dtypes.to_dict())
    out["survey"] = demo["survey"]
    out["scales"] = demo["scales"]
    out["meta"] = {**demo["meta"], "name": "replicated demo", "copies": copies}
    return out


# =========================================================================== files


def write_demo(path: Path, *, seed: int = DEFAULT_SEED, n_cases: int | None = None) -> Path:
    """Write the SYNTHETIC demo dataset folder (``coprod demo --to PATH``).

    The files (:data:`DEMO_FILES`) go to a temporary folder beside ``path``, which is then
    renamed into place, replacing an earlier demo there: a run that is cut short leaves the
    old folder or the new one, never a mix of both. One seed, the same bytes.

    Parameters
    ----------
    path : Path
        Target folder, e.g. ``data/demo``: absent, empty, or holding only demo files.
    seed : int
        Seed of the model (default :data:`~coprodlib.demo.parameters.DEFAULT_SEED`, that of
        the shipped ``data/demo``).
    n_cases : int, optional
        Number of cases (default: the six demo cases); more than six adds generated cases,
        e.g. for a batch benchmark. Only the default reproduces ``data/demo``.

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    DataError
        ``path`` is a file, or a folder with files that are not part of the demo (replacing
        the folder would lose them), or cannot be written (full disk, read-only folder).
    """
    path = Path(path).expanduser().absolute()
    check_target(path)
    return write_files(path, _files(generate(seed, n_cases=n_cases)))


def write_files(path: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (name to bytes) as the folder ``path``, replacing it in one rename.

    The files go to a temporary folder beside ``path``, synced, which is then renamed into
    place: a run cut short leaves the old folder or the new one, never a mix. Check the
    target first with :func:`check_target`.

    Parameters
    ----------
    path : Path
        The folder, as an absolute path.
    files : dict
        File name to its bytes, in the order they are written.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    DataError
        The folder cannot be written (full disk, read-only folder); nothing was changed.
    """
    try:
        _write_and_swap(path, files)
    except OSError as exc:  # a full disk, a read-only folder, a path through a file, ...
        reason = (exc.strerror or str(exc) or type(exc).__name__).lower()
        raise DataError(
            Problem(
                file=str(path),
                expected=f"a folder the demo can be written to (the system says: {reason}); "
                "nothing was changed",
                kind="not_writable",
            )
        ) from None
    return path


def check_target(
    path: Path, known: tuple[str, ...] = DEMO_FILES, *, writer: str = "write_demo"
) -> None:
    """Refuse a file, and a folder holding anything but the files ``known``.

    Parameters
    ----------
    path : Path
        The folder a demo is to be written to.
    known : tuple of str
        The names of the files the demo writes (default: those of the first demo).
    writer : str
        The function named in the message.

    Raises
    ------
    DataError
        ``path`` is a file, or a folder with other files (replacing it would lose them).
    """
    if path.exists() and not path.is_dir():
        raise DataError(
            Problem(file=str(path), expected="a folder for the demo dataset, not a file")
        )
    if path.is_dir():
        foreign = sorted(p.name for p in path.iterdir() if p.name not in known)
        if foreign:
            raise DataError(
                Problem(
                    file=str(path),
                    value=", ".join(foreign[:10]),
                    expected=(
                        f"an empty folder or an earlier demo: {writer} replaces the whole "
                        "folder and would delete these files; choose another folder"
                    ),
                )
            )


def _write_and_swap(path: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` to a temporary folder beside ``path``, synced, and rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp = path.parent / f".{path.name}.tmp-{tag}"
    old = path.parent / f".{path.name}.old-{tag}"
    tmp.mkdir()
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        if path.is_dir() and any(path.iterdir()):
            os.replace(path, old)
        elif path.is_dir():
            path.rmdir()
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)


def _files(frames: dict[str, Any]) -> dict[str, bytes]:
    """The bytes of every file of the folder, in the order of :data:`DEMO_FILES`."""
    seed = frames["meta"]["seed"]
    head = f"# SYNTHETIC demo data, written by coprodlib.demo (seed {seed}); do not edit by hand.\n"
    return {
        "dataset.yml": yaml_bytes(frames["meta"], head),
        "README.md": readme_text(frames).encode("utf-8"),
        "cases.csv": csv_bytes(frames["cases"]),
        "participants.csv": csv_bytes(frames["participants"]),
        "documents.csv": csv_bytes(frames["documents"]),
        "segments.csv": csv_bytes(frames["segments"]),
        "codings.csv": csv_bytes(frames["codings"]),
        "double_coding.csv": csv_bytes(frames["double_coding"]),
        "survey.csv": csv_bytes(frames["survey"]),
        "scales.yml": yaml_bytes(frames["scales"], head, flow=None),
    }


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV with plain newlines and six decimals, without the index."""
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.6f")
    return text.encode("utf-8")


def yaml_bytes(data: dict[str, Any], header: str, *, flow: bool | None = False) -> bytes:
    """``data`` as UTF-8 YAML after the comment ``header``, in the order given."""
    import yaml

    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=flow, width=88
    )
    return (header + body).encode("utf-8")
