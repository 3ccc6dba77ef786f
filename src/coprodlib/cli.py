"""The ``coprod`` command line: thin argument handling over the library.

Every subcommand turns user-facing data problems (:class:`coprodlib.DataError`) into a readable
message and exit code 1, usage errors into exit code 2, and never shows a Python traceback for
either.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import DataError
from .paths import project_root, reports_for, resolve_dataset

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _cmd_codebook_export(args: argparse.Namespace) -> int:
    from .taxonomy.export import export_codebook

    out = export_codebook(Path(args.out), fmt=args.format)
    print(f"wrote {args.format} codebook to {out}")
    return EXIT_OK


def _cmd_codebook_import(args: argparse.Namespace) -> int:
    from .taxonomy.qdc import import_codebook

    result = import_codebook(Path(args.file))
    print(result.summary())
    return EXIT_OK


def _dataset_folder(value: str | None) -> Path:
    """The dataset folder a command works on, resolved once here and passed down as a Path.

    A folder that exists from where the user stands wins; otherwise the name is looked up
    under data/ and the project (see :func:`coprodlib.paths.resolve_dataset`)."""
    if value and Path(value).expanduser().is_dir():
        return Path(value).expanduser().resolve()
    return resolve_dataset(value)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .contract.dataset import check_folder

    folder = _dataset_folder(args.dataset)
    problems = check_folder(folder)
    if not problems:
        print(f"{folder.name}: valid (no problems found)")
        return EXIT_OK
    print(f"{folder.name}: {len(problems)} problem(s) found\n")
    for p in problems:
        print(f"  - {p}")
    return EXIT_PROBLEMS


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo.parameters import DEFAULT_SEED
    from .demo.writer import write_demo

    seed = DEFAULT_SEED if args.seed is None else args.seed
    out = write_demo(Path(args.to), seed=seed, n_cases=args.cases)
    print(f"wrote the SYNTHETIC demo dataset (seed {seed}) to {out}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .workbook.runner import run, summary_table

    cases = [c.strip() for c in args.cases.split(",") if c.strip()] if args.cases else None
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be 1 or more, got {args.jobs}")
    extra = _parse_params(args.param)
    folder = _dataset_folder(args.dataset)
    out_root = Path(args.reports) if args.reports else reports_for(folder)
    bar = tqdm(total=None, unit="notebook", desc="coprod run", disable=None, file=sys.stderr)

    def tick(res: Any) -> None:
        bar.update(1)
        bar.set_postfix_str(f"{res.key}: {res.status}")

    try:
        results = run(
            folder,
            cases=cases,
            jobs=args.jobs,
            force=args.force,
            show_code=args.show_code,
            out_root=out_root,
            extra=extra,
            progress=tick,
        )
    finally:
        bar.close()
    print(summary_table(results))
    print(f"\nreport index: {_shown_path(out_root / 'index.html')}")
    return EXIT_PROBLEMS if any(r.status == "failed" for r in results) else EXIT_OK


def _shown_path(path: Path) -> str:
    """A path as the user should read it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(path)


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from .workbook.runner import refresh_notebooks

    paths = [Path(p).resolve() for p in args.notebooks] or None
    for path in refresh_notebooks(paths):
        print(f"re-executed {path.name}")
    return EXIT_OK


def _parse_params(items: Sequence[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--param takes KEY=VALUE, got {item!r}")
        out[key.strip()] = value
    return out


# --------------------------------------------------------------------------- coprod import


def _cmd_import_qdpx(args: argparse.Namespace) -> int:
    """``coprod import qdpx``: a REFI-QDA project into a dataset folder."""
    from .importers.refi import import_qdpx

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


def _cmd_import_taguette(args: argparse.Namespace) -> int:
    """``coprod import taguette``: a Taguette SQLite project export into a dataset folder."""
    from .importers.taguette import import_taguette

    result = import_taguette(
        Path(args.project),
        Path(args.to),
        code_map=None if args.code_map is None else Path(args.code_map),
        documents=None if args.documents is None else Path(args.documents),
        keep_text=args.keep_text,
    )
    print(result.summary())
    return EXIT_OK


def _cmd_import_survey(args: argparse.Namespace) -> int:
    """``coprod import survey``: an SPSS, Excel or CSV survey into a dataset folder."""
    from .importers.survey import import_survey

    result = import_survey(
        Path(args.file),
        Path(args.to),
        scales=None if args.scales is None else Path(args.scales),
        id_column=args.id_column,
        sheet=args.sheet,
    )
    print(result.summary())
    return EXIT_OK


def _import_options(p: argparse.ArgumentParser) -> None:
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


def _add_import(subparsers: Any) -> None:
    """The ``import`` command (actions ``qdpx``, ``taguette``, ``survey``)."""
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
    _import_options(p_q)
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
    p_q.set_defaults(func=_cmd_import_qdpx)

    p_t = sub.add_parser(
        "taguette",
        help="a Taguette project export (SQLite .sqlite3)",
        description="Import the highlights of a Taguette project export (the SQLite file from "
        "'Export project'). Each highlight becomes a segment, each of its tags a coding.",
    )
    p_t.add_argument("project", help="Taguette project export (.sqlite3)")
    _import_options(p_t)
    p_t.set_defaults(func=_cmd_import_taguette)

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
    p_s.set_defaults(func=_cmd_import_survey)

    def _usage(_: argparse.Namespace) -> int:
        p_imp.print_help()
        return EXIT_USAGE

    p_imp.set_defaults(func=_usage)


# --------------------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coprod",
        description=(
            "coprod workbook: analyse value conflicts in the co-production of public services. "
            "Run `coprod COMMAND --help` for the options of a command."
        ),
    )
    parser.add_argument("--version", action="version", version=f"coprod {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_run = sub.add_parser(
        "run",
        help="execute the notebooks for every case and write the reports",
        description="Run the case notebook once per case, then the cross-case, survey and "
        "reliability notebooks, writing reports/<dataset>/. Unchanged notebooks are skipped.",
    )
    p_run.add_argument("--dataset", default=None, help="dataset folder or name (default: demo)")
    p_run.add_argument("--cases", default=None, help="comma-separated case ids (default: all)")
    p_run.add_argument("--jobs", type=int, default=None, help="parallel notebooks (default: cores)")
    p_run.add_argument("--force", action="store_true", help="re-execute even if unchanged")
    p_run.add_argument("--show-code", action="store_true", help="keep code cells in HTML pages")
    p_run.add_argument("--reports", default=None, help="report folder (default: reports/<name>)")
    p_run.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="notebook parameter passed to every notebook that declares it (repeatable); "
        "unknown names are rejected",
    )
    p_run.set_defaults(func=_cmd_run)

    p_val = sub.add_parser(
        "validate",
        help="check a dataset against the data contract and the codebook",
        description="Check every table of a dataset and list all problems found. "
        "Exit code 0 when valid, 1 when problems were found, 2 on usage errors.",
    )
    p_val.add_argument("dataset", nargs="?", default=None, help="dataset folder (default: demo)")
    p_val.set_defaults(func=_cmd_validate)

    p_demo = sub.add_parser(
        "demo",
        help="write the synthetic demo dataset",
        description="Generate the SYNTHETIC demo dataset from its seeded model. With the default "
        "seed the output equals data/demo/ byte for byte.",
    )
    p_demo.add_argument("--to", required=True, help="target folder")
    p_demo.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the seed of data/demo/)"
    )
    p_demo.add_argument(
        "--cases", type=int, default=None, help="number of cases (default: the 6 demo cases)"
    )
    p_demo.set_defaults(func=_cmd_demo)

    p_nb = sub.add_parser(
        "notebooks",
        help="re-execute the committed notebooks in place (refreshes nbval's reference outputs)",
        description="Re-execute notebooks in notebooks/ with their default parameters on the demo "
        "data and save them with their outputs. Use after an intended change of results.",
    )
    p_nb.add_argument("notebooks", nargs="*", help="notebook files (default: all)")
    p_nb.set_defaults(func=_cmd_notebooks)

    p_cb = sub.add_parser("codebook", help="export or import the codebook")
    cb_sub = p_cb.add_subparsers(dest="codebook_command", metavar="ACTION")
    p_exp = cb_sub.add_parser(
        "export",
        help="write the codebook as REFI-QDA .qdc, CSV or Markdown",
        description="Write the shared codebook: qdc (REFI-QDA, for ATLAS.ti, MAXQDA, NVivo, "
        "QualCoder), csv (spreadsheets) or md (an appendix table).",
    )
    p_exp.add_argument("--format", choices=["qdc", "csv", "md"], default="qdc")
    p_exp.add_argument("out", help="output file")
    p_exp.set_defaults(func=_cmd_codebook_export)
    p_imp = cb_sub.add_parser(
        "import",
        help="read a REFI-QDA codebook (.qdc or .qdpx) and match its codes",
        description="Read a REFI-QDA codebook (.qdc, or the codebook inside a .qdpx project) "
        "and report which of its codes match codebook ids or aliases.",
    )
    p_imp.add_argument("file", help=".qdc or .qdpx file")
    p_imp.set_defaults(func=_cmd_codebook_import)
    p_cb.set_defaults(func=lambda a: (p_cb.print_help(), EXIT_USAGE)[1])

    _add_import(sub)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except ValueError as exc:  # a value the command cannot take: a usage error
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
