"""``coprod import``: bring real data in (QDA projects, Taguette exports, survey files).

The command has three actions, each writing a dataset folder in the data contract:

- ``coprod import qdpx PROJECT --to DIR``: a REFI-QDA project (``.qdpx`` or its unzipped
  folder), see :mod:`coprodlib.refi`;
- ``coprod import taguette PROJECT.sqlite3 --to DIR``: a Taguette project export, see
  :mod:`coprodlib.taguette`;
- ``coprod import survey FILE --to DIR``: an SPSS ``.sav``, ``.xlsx`` or ``.csv`` survey,
  see :mod:`coprodlib.survey_import`.

Every import is staged: the files are written into a hidden temporary folder beside ``--to``
(inside ``--to``'s parent) and moved into place only when everything succeeded, so a failed
import leaves nothing behind and nothing is ever written outside ``--to``. An existing
``--to`` is only replaced when it holds an earlier import (or nothing); files the new import
does not write (a survey next to the interviews, ``double_coding.csv``, notes) are kept, as
are the pseudonym salt and key.

Handlers raise :class:`~coprodlib.errors.DataError` for problems in the user's files; the
``coprod`` entry point turns it into a readable message and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError, Problem

if TYPE_CHECKING:  # pandas is imported by the importers, not by `coprod --help`
    import pandas as pd

__all__ = [
    "QUALITATIVE_FILES",
    "Staging",
    "cmd_import_qdpx",
    "cmd_import_survey",
    "check_target",
    "cmd_import_taguette",
    "read_dataset_meta",
    "register",
    "staged_target",
    "write_csv",
    "write_meta",
]

EXIT_OK, EXIT_USAGE = 0, 2
#: The files a qualitative import (qdpx, taguette) writes; an existing target folder that
#: already holds any of them is replaced only when its dataset.yml records such an import.
QUALITATIVE_FILES = (
    "cases",
    "participants",
    "documents",
    "segments",
    "codings",
    "code_map",
    "codebook_extension",
)


# --------------------------------------------------------------------------- writing helpers


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a table in the contract's CSV form: UTF-8, comma, header, ``\\n`` line ends."""
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def read_dataset_meta(folder: Path) -> dict[str, Any]:
    """The ``dataset.yml`` of a folder as a dict (empty when absent or unreadable)."""
    import yaml

    path = Path(folder) / "dataset.yml"
    if not path.is_file():
        return {}
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError):
        return {}
    return meta if isinstance(meta, dict) else {}


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Write ``dataset.yml`` (block style, keys in the given order)."""
    import yaml

    text = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    (Path(folder) / "dataset.yml").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- staging


@dataclass(frozen=True)
class Staging:
    """Where an import writes: ``folder`` (temporary, becomes ``target``) and the ``previous``
    contents of ``target`` (None for a new folder). ``folder`` starts as a copy of
    ``previous``."""

    folder: Path
    target: Path
    previous: Path | None


def check_target(target: Path, kind: str = "qualitative") -> bool:
    """Whether ``target`` exists with content; raise when it may not be (re)written.

    ``kind`` is ``"qualitative"`` (qdpx, taguette) or ``"survey"``.
    """
    if target.exists() and not target.is_dir():
        raise DataError(
            Problem(
                file=str(target),
                expected="a folder for the dataset (--to names an existing file)",
                kind="invalid",
            )
        )
    if not target.is_dir() or not any(target.iterdir()):
        return False
    if not (target / "dataset.yml").is_file():
        raise DataError(
            Problem(
                file=str(target),
                expected="a new or empty folder, or a dataset folder (with dataset.yml) written "
                "by an earlier `coprod import`; this folder holds other files, so choose another "
                "--to",
                kind="target_exists",
            )
        )
    meta = read_dataset_meta(target)
    if meta.get("synthetic") is True:
        raise DataError(
            Problem(
                file=str(target),
                expected="a new folder, or one written by an earlier `coprod import` (this is "
                "a synthetic dataset; import real data into a folder of its own)",
                kind="target_exists",
            )
        )
    if kind == "survey":
        return True
    imports = meta.get("imports")
    earlier = isinstance(imports, dict) and isinstance(imports.get("qualitative"), dict)
    has_tables = any(
        (target / f"{name}{suffix}").exists()
        for name in QUALITATIVE_FILES
        for suffix in (".csv", ".xlsx", ".tsv")
    )
    if has_tables and not earlier:
        raise DataError(
            Problem(
                file=str(target),
                expected="a new or empty folder, or one written by an earlier `coprod import "
                "qdpx/taguette` (this folder holds dataset tables that no import wrote; "
                "choose another --to)",
                kind="target_exists",
            )
        )
    return True


@contextmanager
def staged_target(to: Path | str, *, kind: str = "qualitative") -> Iterator[Staging]:
    """Stage an import into ``to``: yield a temporary folder beside it, move it into place
    when the block succeeds, and remove every trace when it fails.

    The temporary folder starts as a copy of the existing ``to`` (if any), so files the
    import does not write are kept. Missing parent folders are created, and removed again
    when the import fails.

    Raises
    ------
    DataError
        When ``to`` is a file, a synthetic dataset, or (for qualitative imports) a dataset
        that no earlier import wrote.
    """
    target = Path(to).expanduser().absolute()
    if target.name in ("", ".", ".."):
        raise DataError(Problem(file=str(to), expected="a folder name for --to (not '.' or '..')"))
    exists = check_target(target, kind)
    created: list[Path] = []
    missing = []
    parent = target.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    tmp: Path | None = None
    try:
        for p in reversed(missing):
            p.mkdir()
            created.append(p)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.importing-", dir=target.parent))
        umask = os.umask(0o022)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; give the folder mkdir's mode
        if exists:
            shutil.copytree(target, tmp, dirs_exist_ok=True, symlinks=True)
        yield Staging(folder=tmp, target=target, previous=target if exists else None)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.replaced-", dir=target.parent))
            os.replace(target, old / "old")
            try:
                os.replace(tmp, target)
            except OSError:
                os.replace(old / "old", target)  # put the earlier dataset back
                shutil.rmtree(old, ignore_errors=True)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        for p in reversed(created):
            try:
                p.rmdir()
            except OSError:
                break
        raise


# --------------------------------------------------------------------------- CLI handlers


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    """``coprod import qdpx``: a REFI-QDA project into a dataset folder."""
    from .refi import import_qdpx

    result = import_qdpx(
        Path(args.project),
        Path(args.to),
        code_map=None if args.code_map is None else Path(args.code_map),
        documents=None if args.documents is None else Path(args.documents),
        keep_text=args.keep_text,
        offsets=args.offsets,
        crlf=args.crlf,
    )
    print(result.summary())
    return EXIT_OK


def cmd_import_taguette(args: argparse.Namespace) -> int:
    """``coprod import taguette``: a Taguette SQLite project export into a dataset folder."""
    from .taguette import import_taguette

    result = import_taguette(
        Path(args.project),
        Path(args.to),
        code_map=None if args.code_map is None else Path(args.code_map),
        documents=None if args.documents is None else Path(args.documents),
        keep_text=args.keep_text,
    )
    print(result.summary())
    return EXIT_OK


def cmd_import_survey(args: argparse.Namespace) -> int:
    """``coprod import survey``: an SPSS, Excel or CSV survey into a dataset folder."""
    from .survey_import import import_survey

    result = import_survey(
        Path(args.file),
        Path(args.to),
        scales=None if args.scales is None else Path(args.scales),
        id_column=args.id_column,
        sheet=args.sheet,
    )
    print(result.summary())
    return EXIT_OK


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", required=True, metavar="DIR", help="dataset folder to write")
    p.add_argument(
        "--code-map",
        metavar="MAP",
        help="project code -> codebook id: a CSV/XLSX with columns project_code, code (the "
        "code_map.csv an import writes, filled in), or a REFI-QDA .qdc/.qdpx codebook "
        "(default: the code_map.csv of an earlier import into --to)",
    )
    p.add_argument(
        "--documents",
        metavar="MAP",
        help="document -> case, participant, role: the documents.csv an import writes, edited "
        "(default: the documents.csv of an earlier import into --to)",
    )
    p.add_argument(
        "--keep-text",
        action="store_true",
        help="keep the selected text in segments.csv (default: offsets only)",
    )


def register(subparsers: Any) -> None:
    """Add the ``import`` command (actions ``qdpx``, ``taguette``, ``survey``) to a parser's
    subparsers."""
    p_imp = subparsers.add_parser(
        "import",
        help="import real data: a REFI-QDA project, a Taguette export, or a survey file",
        description="Write a dataset folder from a QDA project (REFI-QDA .qdpx, Taguette) or a "
        "survey file (SPSS .sav, .xlsx, .csv). Names of participants and documents are replaced "
        "by stable pseudonyms; the salt (.coprod_salt) and the key (pseudonym_key.csv) stay in "
        "the dataset folder and are git-ignored. Exit code 1 when the input cannot be imported.",
    )
    sub = p_imp.add_subparsers(dest="import_command", metavar="SOURCE")

    p_q = sub.add_parser(
        "qdpx",
        help="a REFI-QDA project (.qdpx, or its unzipped folder) from ATLAS.ti, MAXQDA, NVivo, "
        "QualCoder, ...",
        description="Import the coded text selections of a REFI-QDA project. Each coded "
        "selection becomes a segment, each code reference a coding. Codes are matched to the "
        "codebook by id, label and alias; the rest become dataset-local codes (dimension "
        "'local'). Edit the code_map.csv and documents.csv it writes and run it again (or pass "
        "them with --code-map / --documents) to map codes and regroup documents.",
    )
    p_q.add_argument("project", help=".qdpx file or unzipped project folder")
    _common(p_q)
    p_q.add_argument(
        "--offsets",
        choices=["auto", "codepoints", "utf16", "utf8"],
        default="auto",
        help="unit the tool counted selection offsets in (default auto: by the exporting tool; "
        "NVivo and ATLAS.ti count UTF-16 units, others code points)",
    )
    p_q.add_argument(
        "--crlf",
        choices=["auto", "one", "two"],
        default="auto",
        help="whether a CRLF line end counts as one or two units (default auto: one for "
        "ATLAS.ti, two otherwise)",
    )
    p_q.set_defaults(func=cmd_import_qdpx)

    p_t = sub.add_parser(
        "taguette",
        help="a Taguette project export (SQLite .sqlite3)",
        description="Import the highlights of a Taguette project export (the SQLite file from "
        "'Export project'). Each highlight becomes a segment, each of its tags a coding.",
    )
    p_t.add_argument("project", help="Taguette project export (.sqlite3)")
    _common(p_t)
    p_t.set_defaults(func=cmd_import_taguette)

    p_s = sub.add_parser(
        "survey",
        help="a survey file: SPSS .sav, Excel .xlsx or .csv",
        description="Import survey answers as survey.csv with a data dictionary "
        "(survey_dictionary.csv: variable labels and value labels). SPSS value labels become "
        "categories, except on Likert items, which keep their numbers. With --scales the Likert "
        "answers are checked against the scale ranges and the file is copied as scales.yml.",
    )
    p_s.add_argument("file", help="survey file (.sav, .xlsx or .csv)")
    p_s.add_argument("--to", required=True, metavar="DIR", help="dataset folder to write")
    p_s.add_argument("--scales", metavar="SCALES.yml", help="scale definitions to check against")
    p_s.add_argument(
        "--id-column",
        metavar="NAME",
        help="column identifying respondents (default: respondent_id, ResponseId, id, ... "
        "whichever exists; numbered when none does)",
    )
    p_s.add_argument("--sheet", default=None, help="worksheet of an .xlsx file (default: first)")
    p_s.set_defaults(func=cmd_import_survey)

    def _usage(_: argparse.Namespace) -> int:
        p_imp.print_help()
        return EXIT_USAGE

    p_imp.set_defaults(func=_usage)
