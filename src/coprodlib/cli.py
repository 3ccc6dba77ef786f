"""The ``coprod`` command line: thin argument handling over the library.

Every subcommand turns user-facing data problems (:class:`coprodlib.DataError`) into a readable
message and exit code 1, usage errors into exit code 2, and never shows a Python traceback for
either. What it prints may quote the data (a tool's name, a code, a title): control characters
in it are printed as escapes (``\\x1b``), so a crafted file cannot move the cursor, clear the
screen or retitle the terminal.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import DataError
from .paths import project_root, reports_for, resolve_dataset

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: What a terminal would obey rather than show: C0 and C1 control characters (line ends and
#: tabs aside) and the bidirectional overrides that reorder what is shown.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str) -> str:
    r"""``text`` with every control character written as an escape.

    Examples
    --------
    >>> terminal_text("tool: \x1b]0;pwned\x07NVivo")
    'tool: \\x1b]0;pwned\\x07NVivo'
    """
    return _CONTROLS.sub(lambda m: ascii(m.group())[1:-1], text)


class _Shown:
    """A text stream that writes through :func:`terminal_text`; ``stream`` is the one it
    wraps, for a progress bar that redraws its line with carriage returns."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(terminal_text(text))

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, ...
        return getattr(self.stream, name)


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
    under data/ and the project (see :func:`coprodlib.paths.resolve_dataset`). Found in none
    of these, it is the path from where the user stands, which the error then names."""
    if value and Path(value).expanduser().is_dir():
        return Path(value).expanduser().resolve()
    found = resolve_dataset(value)
    if value and not found.exists():
        return Path(value).expanduser().resolve()
    return found


def _cmd_validate(args: argparse.Namespace) -> int:
    from .contract.dataset import check_folder

    folder = _dataset_folder(args.dataset)
    problems = check_folder(folder)
    if not problems:
        from .contract.dataset import load_folder

        ds = load_folder(folder)
        parts = []
        if "qualitative" in ds.parts:
            parts.append(
                f"qualitative part ({len(ds.cases)} case(s), {len(ds.participants)} "
                f"participant(s), {len(ds.segments)} segment(s), {len(ds.codings)} coding(s))"
            )
        if ds.survey is not None:
            scales = (
                f"{len(ds.survey_design.scales)} scale(s) in scales.yml"
                if ds.survey_design is not None
                else "no scales.yml"
            )
            parts.append(f"survey ({len(ds.survey)} respondent(s), {scales})")
        print(f"{folder.name}: valid (no problems found)")
        for part in parts:
            print(f"  found: {part}")
        return EXIT_OK
    print(f"{folder.name}: {len(problems)} problem(s) found\n")
    for p in problems:
        print(f"  - {p}")
    return EXIT_PROBLEMS


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.study == "second":
        if args.cases is not None:
            print("coprod demo: --cases applies to the first study only", file=sys.stderr)
            return EXIT_USAGE
        from .demo.second_parameters import SECOND_SEED
        from .demo.second_study import write_second_demo

        seed = SECOND_SEED if args.seed is None else args.seed
        out = write_second_demo(Path(args.to), seed=seed)
        print(f"wrote the SYNTHETIC second demo study (seed {seed}) to {out}")
        return EXIT_OK
    from .demo.parameters import DEFAULT_SEED
    from .demo.writer import write_demo

    seed = DEFAULT_SEED if args.seed is None else args.seed
    out = write_demo(Path(args.to), seed=seed, n_cases=args.cases)
    print(f"wrote the SYNTHETIC demo dataset (seed {seed}) to {out}")
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    import warnings

    from tqdm import tqdm

    from .workbook.runner import run, summary_table
    from .workbook.stopping import RunInterrupted

    cases = [c.strip() for c in args.cases.split(",") if c.strip()] if args.cases else None
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be 1 or more, got {args.jobs}")
    extra = _parse_params(args.param)
    folder = _dataset_folder(args.dataset)
    out_root = Path(args.reports).expanduser() if args.reports else reports_for(folder)
    raw = getattr(sys.stderr, "stream", sys.stderr)  # the bar redraws with "\r": unwrapped,
    bar = tqdm(total=None, unit="notebook", desc="coprod run", disable=None, file=raw)

    def tick(res: Any) -> None:  # so what it shows from the data is escaped here
        bar.update(1)
        bar.set_postfix_str(terminal_text(f"{res.key}: {res.status}"))

    def one_line(message: Any, *_: Any, **__: Any) -> None:
        bar.write(terminal_text(f"warning: {message}"), file=raw)

    try:
        with warnings.catch_warnings():
            warnings.showwarning = one_line  # a damaged manifest, ...: one line, no source
            results = run(
                folder,
                cases=cases,
                jobs=args.jobs,
                force=args.force,
                show_code=args.show_code,
                out_root=out_root,
                extra=extra,
                progress=tick,
                warm=not args.cold_kernels,
                scheduler=args.scheduler,
            )
    except RunInterrupted as stop:
        bar.close()
        print(summary_table(stop.results))
        print(
            f"\n{stop}: what finished is recorded in {_shown_path(out_root / 'manifest.json')}; "
            "run again to finish the rest",
            file=sys.stderr,
        )
        return stop.exit_code
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
    """``--param KEY=VALUE`` items as a dict; the runner's own parameters are refused."""
    from .workbook.jobs import RUNNER_PARAMETERS

    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--param takes KEY=VALUE, got {item!r}")
        key = key.strip()
        if key in RUNNER_PARAMETERS:
            raise ValueError(
                f"--param {key}: set by coprod run itself, not a notebook parameter you can "
                f"give; {RUNNER_PARAMETERS[key]}"
            )
        out[key] = value
    return out


# --------------------------------------------------------------------------- coprod import


def _project_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options every QDA project import takes (``--code-map``, ``--documents``,
    ``--keep-text``), as keyword arguments."""
    return {
        "code_map": None if args.code_map is None else Path(args.code_map),
        "documents": None if args.documents is None else Path(args.documents),
        "keep_text": args.keep_text,
    }


def _cmd_import_qdpx(args: argparse.Namespace) -> int:
    """``coprod import qdpx``: a REFI-QDA project into a dataset folder."""
    from .importers.refi import import_qdpx

    result = import_qdpx(
        Path(args.project),
        Path(args.to),
        **_project_options(args),
        offsets=args.offsets,
        crlf=args.crlf,
        offsets_only=args.offsets_only,
    )
    print(result.summary())
    return EXIT_OK


def _cmd_import_taguette(args: argparse.Namespace) -> int:
    """``coprod import taguette``: a Taguette SQLite project export into a dataset folder."""
    from .importers.taguette import import_taguette

    print(import_taguette(Path(args.project), Path(args.to), **_project_options(args)).summary())
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
        keep_columns=args.keep_column or (),
    )
    print(result.summary())
    return EXIT_OK


def _cmd_import_qualcoder(args: argparse.Namespace) -> int:
    """``coprod import qualcoder``: a QualCoder project database into a dataset folder."""
    from .importers.qualcoder import import_qualcoder

    print(import_qualcoder(Path(args.project), Path(args.to), **_project_options(args)).summary())
    return EXIT_OK


#: Options of ``coprod import FILE`` that only some kinds of file take.
_PROJECT_OPTIONS = ("code_map", "documents", "keep_text")
_KIND_OPTIONS = {
    "survey": ("scales", "id_column", "keep_column", "sheet"),
    "qdpx": _PROJECT_OPTIONS,
    "qualcoder": _PROJECT_OPTIONS,
    "taguette": _PROJECT_OPTIONS,
}


def _cmd_import_auto(args: argparse.Namespace) -> int:
    """``coprod import FILE --to DIR``: the kind of file told by its content."""
    from .importers.detect import detect_format

    found = detect_format(Path(args.file))
    print(f"found {found.found}: {found.path}")
    kind = "qdpx" if found.kind == "qde" else found.kind
    if kind == "codebook":
        raise ValueError(
            f"{found.path.name} is a codebook, not a project: give it to an import as "
            "--code-map, or read it with `coprod codebook import`"
        )
    allowed = _KIND_OPTIONS[kind]
    given = [name for names in _KIND_OPTIONS.values() for name in names
             if name not in allowed and getattr(args, name)]  # fmt: skip
    if given:
        options = ", ".join(sorted({"--" + g.replace("_", "-") for g in given}))
        raise ValueError(f"{options}: not an option for {found.found}")
    args.project = str(found.path)
    args.file = str(found.path)
    if kind == "qdpx":
        args.offsets, args.crlf = "auto", "auto"
        args.offsets_only = False
    command = {
        "qdpx": _cmd_import_qdpx,
        "qualcoder": _cmd_import_qualcoder,
        "taguette": _cmd_import_taguette,
        "survey": _cmd_import_survey,
    }[kind]
    return command(args)


def _cmd_map(args: argparse.Namespace) -> int:
    """``coprod map DATASET``: codebook suggestions for the local codes, for review."""
    from .importers.code_suggestions import map_dataset

    if args.top < 1:
        raise ValueError(f"--top must be 1 or more, got {args.top}")
    result = map_dataset(_dataset_folder(args.dataset), n=args.top, min_score=args.min_score)
    print(result.summary())
    return EXIT_OK


def _cmd_pool(args: argparse.Namespace) -> int:
    """``coprod pool DATASET... --to DIR``: several datasets as one, on the shared codebook."""
    from .importers.pooling import pool_datasets

    studies = args.study.split(",") if args.study else None
    folders = [_dataset_folder(d) for d in args.datasets]  # a folder here wins, as elsewhere
    result = pool_datasets(folders, to=args.to, studies=studies, title=args.title)
    n = len(result.studies)
    print(f"pooled {n} studies into {result.path}:")
    for row in result.studies.itertuples(index=False):
        synthetic = " (SYNTHETIC)" if row.synthetic else ""
        print(
            f"  {row.study}: {row.dataset}{synthetic}, {row.n_cases} cases, "
            f"{row.n_segments} segments, {row.n_codings} codings, {row.n_respondents} respondents"
        )
    if result.notes:
        print(f"{len(result.notes)} note(s), also in {result.path / 'README.md'}:")
        for note in result.notes:
            print(f"  - [{note.kind}] {note}")
    else:
        print("no conflicts: no code or case is in two studies")
    return EXIT_OK


def _survey_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--id-column",
        metavar="NAME",
        help="column identifying respondents (default: respondent_id, ResponseId, id, ... "
        "whichever exists); 'none' numbers respondents by row",
    )
    p.add_argument(
        "--keep-column",
        action="append",
        metavar="NAME",
        help="keep a column that looks identifying (name, e-mail, phone, IP, contact ...) "
        "after checking it (repeatable; default: such columns are dropped)",
    )
    p.add_argument("--sheet", default=None, help="worksheet of an .xlsx file (default: first)")


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
        help="keep the selected text in segments.csv (default: not kept)",
    )


#: The kinds ``coprod import`` takes by name; anything else is a file to recognise.
IMPORT_KINDS = ("qdpx", "qualcoder", "taguette", "survey", "auto")


def _add_import(subparsers: Any) -> None:
    """The ``import`` command (``coprod import FILE``, or by kind: ``qdpx``, ``qualcoder``,
    ``taguette``, ``survey``)."""
    p_imp = subparsers.add_parser(
        "import",
        help="import real data: a REFI-QDA project, a QualCoder or Taguette project, or a "
        "survey file (`coprod import FILE --to DIR` tells which by its content)",
        description="Write a dataset folder from a QDA project (REFI-QDA .qdpx, QualCoder, "
        "Taguette) or a survey file (SPSS .sav, .xlsx, .csv). `coprod import FILE --to DIR` "
        "recognises the kind of file by its content and says what it found; `coprod import "
        "KIND FILE` names it. Names of participants and documents are replaced "
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
    p_q.add_argument(
        "--offsets-only",
        action="store_true",
        help="for a project exported without its source texts: import the codings with the "
        "tool's own offsets and no text (cannot be combined with --keep-text)",
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

    p_qc = sub.add_parser(
        "qualcoder",
        help="a QualCoder project (its data.qda, or the <project>.qda folder)",
        description="Import the text codings of a QualCoder project from its own SQLite "
        "database (data.qda in the <project>.qda folder), opened read-only. Each coded "
        "selection becomes a segment, each code on it a coding with its owner as the coder; "
        "categories become the parents of their codes. Image and A/V codings are counted, not "
        "imported.",
    )
    p_qc.add_argument("project", help="QualCoder data.qda, or the <project>.qda folder")
    _import_options(p_qc)
    p_qc.set_defaults(func=_cmd_import_qualcoder)

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
    p_s.add_argument(
        "--scales",
        metavar="SCALES.yml",
        help="scale definitions to check against (default: the scales.yml in --to, else a "
        "starter scales.yml guessed from the items)",
    )
    _survey_options(p_s)
    p_s.set_defaults(func=_cmd_import_survey)

    p_auto = sub.add_parser(
        "auto",
        help="any of the above, recognised by content (also: `coprod import FILE --to DIR`)",
        description="Recognise the kind of FILE by its content (REFI-QDA zip or folder, "
        "QualCoder or Taguette database, SPSS, Excel or CSV survey), say what was found, and "
        "import it with the defaults of that kind.",
    )
    p_auto.add_argument("file", help="project or survey file (or a project folder)")
    _import_options(p_auto)
    p_auto.add_argument("--scales", metavar="SCALES.yml", help="surveys: scale definitions")
    _survey_options(p_auto)
    p_auto.set_defaults(func=_cmd_import_auto)

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
        description="Run the case notebook once per case, then the cross-case, survey, "
        "reliability and configurations (QCA) notebooks, writing reports/<dataset>/. "
        "Unchanged notebooks are skipped.",
    )
    p_run.add_argument("--dataset", default=None, help="dataset folder or name (default: demo)")
    p_run.add_argument("--cases", default=None, help="comma-separated case ids (default: all)")
    p_run.add_argument("--jobs", type=int, default=None, help="parallel notebooks (default: cores)")
    p_run.add_argument("--force", action="store_true", help="re-execute even if unchanged")
    p_run.add_argument("--show-code", action="store_true", help="keep code cells in HTML pages")
    p_run.add_argument(
        "--cold-kernels",
        action="store_true",
        help="start every notebook's kernel afresh, as plain papermill does (default: fork "
        "each kernel from a process that has already imported the workbook's libraries)",
    )
    p_run.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the notebooks on a Dask distributed cluster, e.g. tcp://host:8786 (needs "
        "the cluster extra; the workers need the same environment and the dataset folder at "
        "the same path); the reports are written here",
    )
    p_run.add_argument(
        "--reports",
        default=None,
        help="report folder (default: reports/<name>, or reports/<name>-<hash> when another "
        "dataset of the same name has reports/<name>)",
    )
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
    p_demo.add_argument(
        "--study",
        choices=("first", "second"),
        default="first",
        help="which synthetic study: first (data/demo, the default) or second (data/demo2: "
        "ten cases in six countries, coded with a team's own code names)",
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

    p_map = sub.add_parser(
        "map",
        help="suggest codebook ids for a dataset's local codes (written into code_map.csv)",
        description="For every code an import could not match, write the closest codebook "
        "entries (by label, id, aliases and definition) into the dataset's code_map.csv, "
        "marked 'review'. Copy the id you agree with into the 'code' column; `coprod validate` "
        "and the next import then use it.",
    )
    p_map.add_argument("dataset", help="dataset folder written by `coprod import`")
    p_map.add_argument("--top", type=int, default=3, help="suggestions per code (default: 3)")
    p_map.add_argument(
        "--min-score",
        type=float,
        default=60.0,
        help="lowest similarity (0-100) a suggestion needs (default: 60)",
    )
    p_map.set_defaults(func=_cmd_map)

    p_pool = sub.add_parser(
        "pool",
        help="pool several datasets into one, on the shared codebook",
        description="Write one dataset from several teams' datasets: ids prefixed by study, "
        "each study's code_map.csv and codebook_extension.csv applied, a study column on the "
        "cases; codes mapped two ways and cases held twice are reported.",
    )
    p_pool.add_argument("datasets", nargs="+", metavar="DATASET", help="dataset folders or names")
    p_pool.add_argument("--to", required=True, metavar="DIR", help="dataset folder to write")
    p_pool.add_argument(
        "--study",
        metavar="IDS",
        help="comma-separated study ids, one per dataset in order (default: the folder names)",
    )
    p_pool.add_argument("--title", help="title of the pooled dataset")
    p_pool.set_defaults(func=_cmd_pool)

    from .exporters.commands import add_export_parser

    add_export_parser(sub, _dataset_folder)
    return parser


def _with_import_kind(argv: list[str]) -> list[str]:
    """``coprod import FILE ...`` as ``coprod import auto FILE ...``."""
    if len(argv) >= 2 and argv[0] == "import":
        first = argv[1]
        if first not in IMPORT_KINDS and not first.startswith("-"):
            return ["import", "auto", *argv[1:]]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(_with_import_kind(argv))
    if getattr(args, "func", None) is None:
        parser.print_help()
        return EXIT_USAGE
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Shown(sys.stdout), _Shown(sys.stderr)
    try:
        return _run(args)
    finally:
        sys.stdout, sys.stderr = streams


def _run(args: argparse.Namespace) -> int:
    """The subcommand, with its problems turned into messages and exit codes."""
    try:
        return int(args.func(args) or 0)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except ValueError as exc:  # a value the command cannot take: a usage error
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `coprod ... | head`: the reader has gone; say nothing more
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PROBLEMS
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except OSError as exc:  # the environment: permissions, a full disk, ...
        reason = exc.strerror or str(exc)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{reason.lower()}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
