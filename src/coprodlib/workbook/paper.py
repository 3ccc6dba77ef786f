"""The paper kit of a report folder: ``reports/<dataset>/paper/``, what a researcher copies into
a manuscript.

:func:`write_paper_kit` gathers every table the notebooks saved (``<report>/tables/<name>.csv``
with its ``<name>.json`` sidecar: caption, note, APA sentence, display columns, their kinds and
header labels) and writes

- ``tables.docx``: the tables numbered in report order, numbers written by kind
  (:func:`~coprodlib.workbook.formatting.format_value`), each with its note and sentence;
- ``tables.tex``: the same tables as LaTeX ``booktabs`` floats, for ``\\input``;
- ``results.md``: the APA sentence of every table that has one, under its number and caption;
- ``methods.md``: the data, the codebook and its sources, intercoder agreement, the tests used,
  the software and its versions, and the synthetic-data statement when the data are synthetic;
- ``references.bib``: the codebook's sources as BibTeX entries.

The report order is: data check, the cases (in the dataset's order), cross-case, survey,
reliability, then any other report. Inside a report the tables follow the order in which its
notebook saves them (read from the executed notebook), else their names.

Every value from a dataset is text for the format it lands in: LaTeX specials are escaped,
Markdown and HTML syntax is escaped, and text a spreadsheet would run as a formula keeps the
apostrophe the report's CSV gave it. The folder is built in a staging folder inside the report
folder and moved into place whole, so a reader never sees half a kit.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import write_bytes_atomic
from ..errors import DataError, fail
from ..taxonomy.export import latex_escape, markdown_text
from .formatting import format_cell, kind_of
from .methods_text import bibtex, method_references, methods_markdown, numbers_of
from .pages import SYNTHETIC_NOTE
from .presentation import cell_text
from .report_folder import shown_path, writing
from .safe_names import case_file_name, inside, remove_inside

if TYPE_CHECKING:
    import pandas as pd

    from ..contract.dataset import Dataset

__all__ = [
    "PAPER_DIR",
    "PAPER_FILES",
    "PaperTable",
    "collect_tables",
    "sentence_runs",
    "write_paper_kit",
]

#: The kit's folder inside the report folder.
PAPER_DIR = "paper"
#: The files of the kit.
PAPER_FILES = ("tables.docx", "tables.tex", "results.md", "methods.md", "references.bib")

#: The reports in paper order, with their headings (cases come second, one per case).
_REPORTS = (
    ("data_check", "Data check"),
    ("cases", "Cases"),
    ("cross_case", "Cross-case comparison"),
    ("survey", "Survey"),
    ("reliability", "Intercoder reliability"),
    ("configurations", "Configurations (QCA)"),
)
_NUMERIC_KINDS = frozenset({"count", "share", "stat", "bounded", "p", "int"})


@dataclass(frozen=True)
class PaperTable:
    """One report table as the paper prints it.

    ``header`` and ``rows`` are display text (numbers already written by kind); ``numeric``
    says per column whether it holds numbers (right-aligned). ``sentence`` is the APA sentence
    in Markdown (italic symbols such as ``*p*``), one line per result.
    """

    number: int
    section: str
    name: str
    caption: str
    note: str | None
    sentence: str | None
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    source: str
    frame: Any = field(default=None, repr=False, compare=False)


# --------------------------------------------------------------------------- reading tables


def _sidecar(path: Path, shown: str) -> dict[str, Any]:
    """The sidecar of a table (``{}`` when it has none), its fields checked."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise fail(
            shown, f"a JSON table description ({type(err).__name__})", "unreadable"
        ) from None
    if not isinstance(data, dict):
        raise fail(shown, "a JSON object describing the table", value=type(data).__name__)
    for key in ("caption", "note", "sentence"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise fail(shown, f"text (or null) under {key!r}", value=str(data[key]), column=key)
    if data.get("columns") is not None and not (
        isinstance(data["columns"], list) and all(isinstance(c, str) for c in data["columns"])
    ):
        raise fail(shown, "a list of column names under 'columns'", column="columns")
    for key in ("kinds", "labels"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise fail(shown, f"a mapping of column names under {key!r}", column=key)
    return data


def _read_csv(path: Path, shown: str) -> pd.DataFrame:
    """A report table with every cell as text (ids such as ``007`` stay as they are)."""
    import pandas as pd

    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise fail(shown, f"a readable CSV table ({type(err).__name__})", "unreadable") from None


def _label(name: str) -> str:
    """A caption made from a table's file name: ``role_family_by_case`` -> ``Role family by case``."""
    words = re.sub(r"[_\s]+", " ", name).strip()
    return words[:1].upper() + words[1:]


def _display(
    frame: pd.DataFrame, meta: Mapping[str, Any], shown: str, codebook: Any
) -> tuple[list, list, list]:
    """The header, the formatted rows and the numeric flags of a table's display columns:
    numbers written by kind, ids by their labels, as on the report pages."""
    columns = list(meta.get("columns") or frame.columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise fail(shown, "the display columns its description names", value=missing[0])
    kinds = dict(meta.get("kinds") or {})
    labels = dict(meta.get("labels") or {})
    header, body, numeric = [], [], []
    for col in columns:
        kind = str(kinds.get(col) or kind_of(col, numbers_of(frame[col])))
        header.append(str(labels.get(col) or col))
        body.append(
            [
                cell_text(" ".join(v.split()), kind, col, codebook)  # one line, as before
                if kind == "text" and v.strip()
                else format_cell(v, kind)
                for v in frame[col]
            ]
        )
        numeric.append(kind in _NUMERIC_KINDS)
    rows = [list(r) for r in zip(*body, strict=True)] if body else []
    return header, rows, numeric


def _notebook_order(notebook: Path) -> str:
    """The code of an executed notebook, to order its tables as it saves them ("" if none)."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return ""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    parts = []
    for cell in cells:
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        parts.append("".join(source) if isinstance(source, list) else str(source))
    return "\n".join(parts)


def _ordered(csvs: list[Path], code: str) -> list[Path]:
    def key(path: Path) -> tuple[int, str]:
        hits = [code.find(f"{q}{path.stem}{q}") for q in ('"', "'")]
        found = [h for h in hits if h >= 0]
        return (min(found) if found else len(code) + 1, path.stem)

    return sorted(csvs, key=key)


def _report_folders(out_root: Path, ds: Dataset) -> list[tuple[Path, str]]:
    """Every folder holding a ``tables/`` folder, in paper order, with its heading."""
    seen: set[Path] = set()
    ordered: list[tuple[Path, str]] = []
    root = out_root.resolve()

    def add(folder: Path, heading: str) -> None:
        tables = folder / "tables"
        if tables.is_dir() and _within(root, tables) and folder not in seen:
            seen.add(folder)
            ordered.append((folder, heading))

    titles = _case_titles(ds)
    for key, heading in _REPORTS:
        if key != "cases":
            add(out_root / key, heading)
            continue
        for case_id in ds.case_ids:
            title = titles.get(case_id, "")
            add(out_root / "cases" / case_file_name(case_id), _case_heading(case_id, title))
    found = sorted(
        p.parent
        for p in out_root.rglob("tables")
        if p.is_dir()
        and not p.is_symlink()
        and not any(part.startswith(".") for part in p.relative_to(out_root).parts)
        and p.relative_to(out_root).parts[0] != PAPER_DIR
    )
    for folder in found:
        add(folder, _label(folder.relative_to(out_root).as_posix().replace("/", ", ")))
    return ordered


def _within(root: Path, path: Path) -> bool:
    """Whether ``path``, links followed, lies inside the (resolved) report folder ``root``."""
    real = path.resolve()
    return real == root or root in real.parents


def _case_titles(ds: Dataset) -> dict[str, str]:
    cases = ds.cases
    if "title" not in cases.columns:
        return {}
    return dict(zip(cases["case_id"].astype(str), cases["title"].astype(str), strict=True))


def _case_heading(case_id: str, title: str) -> str:
    return f"Case {case_id}: {title}" if title and title != case_id else f"Case {case_id}"


def collect_tables(out_root: Path, ds: Dataset) -> list[PaperTable]:
    """Every report table of a report folder, numbered in paper order.

    Parameters
    ----------
    out_root : Path
        The report folder (``reports/<dataset>``).
    ds : Dataset
        The dataset the reports were made from (for the order and titles of its cases).

    Returns
    -------
    list of PaperTable
        Numbered from 1: data check, cases, cross-case, survey, reliability, other reports.

    Raises
    ------
    DataError
        When a table or its description cannot be read, or the description names a
        column the table lacks.
    """
    out_root = Path(out_root)
    tables: list[PaperTable] = []
    for folder, heading in _report_folders(out_root, ds):
        root = out_root.resolve()
        csvs = [
            p
            for p in (folder / "tables").glob("*.csv")
            if not p.name.startswith(".") and p.is_file() and _within(root, p)
        ]
        code = _notebook_order(folder.with_name(f"{folder.name}.ipynb"))
        for csv in _ordered(csvs, code):
            shown = csv.relative_to(out_root).as_posix()
            meta = _sidecar(csv.with_suffix(".json"), shown[:-4] + ".json")
            frame = _read_csv(csv, shown)
            header, rows, numeric = _display(frame, meta, shown, ds.codebook)
            tables.append(
                PaperTable(
                    number=len(tables) + 1,
                    section=heading,
                    name=csv.stem,
                    caption=" ".join(str(meta.get("caption") or _label(csv.stem)).split()),
                    note=_text_or_none(meta.get("note")),
                    sentence=_sentence_lines(meta.get("sentence")),
                    header=header,
                    rows=rows,
                    numeric=numeric,
                    source=shown,
                    frame=frame,
                )
            )
    return tables


def _sentence_lines(value: Any) -> str | None:
    """The sidecar's Markdown sentence, one line per result (a list keeps its items)."""
    if value is None:
        return None
    lines = [" ".join(line.split()) for line in str(value).splitlines()]
    text = "\n".join(line for line in lines if line)
    return text or None


_ITALIC = re.compile(r"(?<!\\)\*(.+?)(?<!\\)\*")


def sentence_runs(markdown: str) -> list[tuple[str, bool]]:
    """A Markdown-safe sentence line as (plain text, italic) runs: ``*p*`` is an italic p,
    escapes and character references are undone (for Word and LaTeX)."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    for m in _ITALIC.finditer(markdown):
        if m.start() > pos:
            runs.append((_plain_markdown(markdown[pos : m.start()]) or "", False))
        runs.append((_plain_markdown(m.group(1)) or "", True))
        pos = m.end()
    if pos < len(markdown):
        runs.append((_plain_markdown(markdown[pos:]) or "", False))
    return runs


def _text_or_none(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


_MD_UNESCAPE = re.compile(r"\\([\\`*\[\]|_{}()#+\-.!<>])")


def _plain_markdown(text: str | None) -> str | None:
    """The plain text of a Markdown-safe sentence (escapes and character references undone)."""
    if text is None:
        return None
    return html.unescape(_MD_UNESCAPE.sub(r"\1", text))


# --------------------------------------------------------------------------- Word


def _docx(tables: Sequence[PaperTable], title: str, synthetic: bool) -> bytes:
    """The tables as a Word document, with fixed dates so that equal tables give equal files."""
    import datetime as dt

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = Document()
    doc.add_heading(f"Tables: {title}", level=1)
    if synthetic:
        doc.add_paragraph().add_run(SYNTHETIC_NOTE).bold = True
    section = None
    for t in tables:
        if t.section != section:
            section = t.section
            doc.add_heading(section, level=2)
        doc.add_paragraph().add_run(f"Table {t.number}").bold = True
        doc.add_paragraph().add_run(t.caption).italic = True
        grid = doc.add_table(rows=1 + len(t.rows), cols=max(1, len(t.header)))
        grid.style = "Table Grid"
        for j, text in enumerate(t.header):
            cell = grid.rows[0].cells[j]
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        for i, row in enumerate(t.rows, start=1):
            for j, text in enumerate(row):
                cell = grid.rows[i].cells[j]
                cell.text = text
                if t.numeric[j]:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if t.note:
            para = doc.add_paragraph()
            para.add_run("Note.").italic = True
            para.add_run(f" {t.note}")
        for line in (t.sentence or "").splitlines():
            para = doc.add_paragraph()
            for text, italic in sentence_runs(line.removeprefix("- ")):
                para.add_run(text).italic = italic
    fixed = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    props = doc.core_properties
    props.author, props.last_modified_by, props.title = "coprod workbook", "coprod workbook", ""
    props.created = props.modified = fixed
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable_zip(buffer.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same zip with every member dated 1980-01-01, so two runs give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- LaTeX


def _tex(tables: Sequence[PaperTable], title: str, synthetic: bool) -> str:
    lines = [
        f"% Tables: {' '.join(title.split())}",
        "% Written by coprod workbook; \\input{} this file in a document that loads the",
        "% booktabs package. Symbols such as chi or eta are Unicode: use LuaLaTeX or XeLaTeX,",
        "% or pdfLaTeX with \\usepackage[utf8]{inputenc} and a font that has them.",
    ]
    if synthetic:
        lines += ["", f"\\noindent\\textbf{{{latex_escape(SYNTHETIC_NOTE)}}}"]
    section = None
    for t in tables:
        if t.section != section:
            section = t.section
            lines += ["", f"\\section*{{{latex_escape(section)}}}"]
        spec = "".join("r" if n else "l" for n in t.numeric) or "l"
        lines += [
            "",
            f"% Table {t.number}: {t.source}",
            "\\begin{table}[htbp]",
            "\\centering",
            f"\\caption{{{latex_escape(t.caption)}}}",
            f"\\label{{tab:report-{t.number}}}",
            f"\\begin{{tabular}}{{{spec}}}",
            "\\toprule",
            " & ".join(latex_escape(h) for h in t.header) + r" \\",
            "\\midrule",
        ]
        lines += [" & ".join(latex_escape(v) for v in row) + r" \\" for row in t.rows]
        lines += ["\\bottomrule", "\\end{tabular}"]
        if t.note:
            lines.append(
                f"\\par\\smallskip{{\\footnotesize\\textit{{Note.}} {latex_escape(t.note)}}}"
            )
        for line in (t.sentence or "").splitlines():
            runs = sentence_runs(line.removeprefix("- "))
            text = "".join(
                f"\\textit{{{latex_escape(x)}}}" if italic else latex_escape(x)
                for x, italic in runs
            )
            lines.append(f"\\par\\smallskip{{\\footnotesize {text}}}")
        lines.append("\\end{table}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- results


def _markdown_line(line: str) -> str:
    """A sentence line for results.md: its italics kept, everything else escaped again (a
    sidecar may have been edited by hand), a list item kept as one."""
    item = line.startswith("- ")
    runs = sentence_runs(line.removeprefix("- "))
    text = "".join(f"*{markdown_text(x)}*" if it else markdown_text(x) for x, it in runs)
    return f"- {text}" if item else text


def _results(tables: Sequence[PaperTable], title: str, synthetic: bool) -> str:
    lines = [f"# Results: {markdown_text(title)}", ""]
    if synthetic:
        lines += [f"> **{SYNTHETIC_NOTE}**", ""]
    with_sentence = [t for t in tables if t.sentence]
    if not with_sentence:
        lines.append("No table of this report folder carries a result sentence.")
    for t in with_sentence:
        lines += [
            f"**Table {t.number}.** *{markdown_text(t.caption)}* ({markdown_text(t.section)})",
            "",
            *(_markdown_line(line) for line in t.sentence.splitlines()),
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- the kit


def write_paper_kit(out_root: Path, ds: Dataset, results: Sequence[Any] = ()) -> Path:
    """Write ``<out_root>/paper/``: the report's tables, results and methods for a manuscript.

    Parameters
    ----------
    out_root : Path
        The report folder.
    ds : Dataset
        The dataset its reports were made from.
    results : sequence of JobResult, optional
        The runner's results; a report that failed or was interrupted in this run is named
        in ``methods.md``, since its tables are those of an earlier run.

    Returns
    -------
    Path
        The kit's folder.

    Raises
    ------
    DataError
        When a table cannot be read, or the folder cannot be written.
    """
    import pandas as pd

    out_root = Path(out_root)
    tables = collect_tables(out_root, ds)
    title = ds.title
    methods = methods_markdown(ds, tables)
    book = ds.codebook.references[["key", "citation"]]
    references = pd.concat([book, method_references(methods, known=list(book["key"]))])
    stale = [str(r.key) for r in results if getattr(r, "status", "") in ("failed", "interrupted")]
    if stale:
        methods += (
            "\n## Reports not brought up to date\n\n"
            + "These reports did not finish in the last run; their tables are from an earlier "
            + f"run, if any: {', '.join(markdown_text(k) for k in stale)}.\n"
        )
    files = {
        "tables.docx": _docx(tables, title, ds.synthetic),
        "tables.tex": _tex(tables, title, ds.synthetic).encode("utf-8"),
        "results.md": _results(tables, title, ds.synthetic).encode("utf-8"),
        "methods.md": methods.encode("utf-8"),
        "references.bib": bibtex(references).encode("utf-8"),
    }
    final = inside(out_root, out_root / PAPER_DIR)
    with writing(final):
        staging = Path(tempfile.mkdtemp(prefix=".staging-paper-", dir=out_root))
        staging.chmod(0o755)  # mkdtemp's folder is private; the kit is read like the reports
        try:
            for name, data in files.items():
                write_bytes_atomic(staging / name, data)
            old = out_root / f".{PAPER_DIR}.old"
            remove_inside(out_root, old)
            if final.exists() or final.is_symlink():
                os.replace(final, inside(out_root, old))
            os.replace(staging, final)
            remove_inside(out_root, old)
        except DataError as err:
            raise fail(shown_path(final), err.problems[0].expected, "unwritable") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return final
