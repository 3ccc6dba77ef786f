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

from . import __version__
from .errors import DataError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _cmd_codebook_export(args: argparse.Namespace) -> int:
    from .taxonomy import export_codebook

    out = export_codebook(Path(args.out), fmt=args.format)
    print(f"wrote {args.format} codebook to {out}")
    return EXIT_OK


def _cmd_codebook_import(args: argparse.Namespace) -> int:
    from .qdc import import_codebook

    result = import_codebook(Path(args.file))
    print(result.summary())
    return EXIT_OK


def _dataset_arg(value: str | None) -> str | None:
    """A dataset given on the command line: a folder that exists from where the user stands
    wins; otherwise the name is looked up under data/ and the project (see resolve_dataset)."""
    if value and Path(value).expanduser().is_dir():
        return str(Path(value).expanduser().resolve())
    return value


def _cmd_validate(args: argparse.Namespace) -> int:
    from .dataset import validate
    from .paths import resolve_dataset

    folder = resolve_dataset(_dataset_arg(args.dataset))
    problems = validate(folder)
    if not problems:
        print(f"{folder.name}: valid (no problems found)")
        return EXIT_OK
    print(f"{folder.name}: {len(problems)} problem(s) found\n")
    for p in problems:
        print(f"  - {p}")
    return EXIT_PROBLEMS


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import write_demo

    out = write_demo(Path(args.to), seed=args.seed, n_cases=args.cases)
    print(f"wrote the SYNTHETIC demo dataset (seed {args.seed}) to {out}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import run_cli

    args.dataset = _dataset_arg(args.dataset)
    return run_cli(args)


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from .runner import refresh_notebooks

    paths = [Path(p).resolve() for p in args.notebooks] or None
    for path in refresh_notebooks(paths):
        print(f"re-executed {path.name}")
    return EXIT_OK


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
    p_demo.add_argument("--seed", type=int, default=20211, help="random seed (default: 20211)")
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

    from .importing import register as register_import

    register_import(sub)

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
