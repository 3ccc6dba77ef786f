"""The ``coprod export`` commands: argument parsing only; the work is in the exporter modules.

Each ``add_*`` function adds one format's sub-command; its handler resolves the arguments and
calls the library function, which never sees the command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from .options import CODE_CHOICES, FORMATS, OFFSET_CHOICES, UNITS

__all__ = ["add_export_parser"]


def add_export_parser(
    sub: argparse._SubParsersAction, dataset_folder: Callable[[str | None], Path]
):
    """Add ``coprod export FORMAT ...`` to the command line's sub-commands.

    ``dataset_folder`` resolves a dataset argument as every command does.
    """
    p_x = sub.add_parser(
        "export",
        help="write a dataset for other tools: a REFI-QDA project or a code matrix",
        description="Write a dataset for other tools: `coprod export qdpx` (a REFI-QDA project "
        "for ATLAS.ti, MAXQDA, NVivo, QualCoder) or `coprod export matrix` (codes per unit, "
        "for R, SPSS, Stata).",
    )
    x_sub = p_x.add_subparsers(dest="export_format", metavar="FORMAT")
    _add_qdpx(x_sub, dataset_folder)
    _add_matrix(x_sub, dataset_folder)
    p_x.set_defaults(func=lambda a: (p_x.print_help(), 2)[1])


def _add_qdpx(x_sub: argparse._SubParsersAction, dataset_folder: Callable[[str | None], Path]):
    """``coprod export qdpx DATASET OUT.qdpx`` (see :mod:`coprodlib.exporters.qdpx`)."""
    p = x_sub.add_parser(
        "qdpx",
        help="a REFI-QDA project (.qdpx) for ATLAS.ti, MAXQDA, NVivo, QualCoder",
        description="Write the dataset as a REFI-QDA project: coders as users, the codebook's "
        "hierarchy, one text source per document (rebuilt from the segments' kept text, blank "
        "where the dataset keeps none), every coded segment as a selection with its codings, "
        "and cases with their variables. Import it back with `coprod import qdpx`.",
    )
    p.add_argument("dataset", help="dataset name under data/ or a dataset folder")
    p.add_argument("out", help="the .qdpx file to write")
    p.add_argument(
        "--codes",
        choices=CODE_CHOICES,
        default="dimensions",
        help="codes in the project's codebook: every code of the dimensions the codings use "
        "(default), only the codes used (with their parents), or the whole codebook",
    )
    p.add_argument(
        "--derived",
        action="store_true",
        help="add the tensions derived from co-coded values as codes of their own",
    )
    p.add_argument(
        "--offsets",
        choices=OFFSET_CHOICES,
        default="auto",
        help="unit of the selection offsets (default auto: UTF-16 code units for a dataset "
        "imported from NVivo or ATLAS.ti, code points, as the standard says, otherwise)",
    )

    def run(args: argparse.Namespace) -> int:
        from .qdpx import export_qdpx

        result = export_qdpx(
            dataset_folder(args.dataset),
            Path(args.out),
            codes=args.codes,
            derived=args.derived,
            offsets=args.offsets,
        )
        print(result.summary())
        return 0

    p.set_defaults(func=run)


def _add_matrix(x_sub: argparse._SubParsersAction, dataset_folder: Callable[[str | None], Path]):
    """``coprod export matrix DATASET ...`` (see :mod:`coprodlib.exporters.matrix`)."""
    p = x_sub.add_parser(
        "matrix",
        help="codes per segment, participant, document or case, for R, SPSS, Stata",
        description="Write a code matrix: one row per unit, one column per code used (1 when "
        "the unit has a segment coded with it, or with --counts the number of such segments), "
        "the unit's facts (case, role, phase, ...) first. SPSS and Stata files carry the "
        "codebook labels as variable labels; a data dictionary (CSV) is written beside it.",
    )
    p.add_argument("dataset", help="dataset name under data/ or a dataset folder")
    p.add_argument("--by", choices=UNITS, default="segment", help="the unit of a row")
    p.add_argument("--format", choices=FORMATS, default="csv", help="the file format")
    p.add_argument(
        "--counts",
        action="store_true",
        help="count the unit's segments coded with each code instead of 0/1",
    )
    p.add_argument("--to", required=True, metavar="OUT", help="the file to write")

    def run(args: argparse.Namespace) -> int:
        from .matrix import export_matrix

        result = export_matrix(
            dataset_folder(args.dataset),
            Path(args.to),
            by=args.by,
            fmt=args.format,
            counts=args.counts,
        )
        print(result.summary())
        return 0

    p.set_defaults(func=run)
