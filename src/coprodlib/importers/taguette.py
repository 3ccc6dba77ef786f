"""Import Taguette project exports (SQLite) into a dataset folder.

Taguette cannot export a ``.qdpx``; its "Export project" gives an SQLite database with
``projects``, ``documents`` (the text as sanitised HTML), ``tags``, ``highlights``
(``start_offset``/``end_offset`` counted in UTF-8 bytes over the text of the document's HTML,
tags not counted) and ``highlight_tags``. :func:`read_taguette` reads it into the same
:class:`~coprodlib.importers.project.QdaProject` as a REFI-QDA project, so
:func:`import_taguette` writes the same dataset folder (see
:func:`coprodlib.importers.refi.import_qdpx`): one segment per tagged highlight, one coding
per tag on it, the coder taken from Taguette's command log.

The document text then follows the line-end convention every importer shares
(:data:`~coprodlib.importers.offsets.LINE_ENDS`): a CR that an entity such as ``&#13;`` put
into the text becomes LF, a byte-order mark is dropped, and the offsets move with them.
Highlights without a tag are dropped and counted in the summary.

Each highlight is checked twice: its offsets must lie on character boundaries of the
document text, and the text they select must equal the text of the snippet Taguette stored
with the highlight (white space aside).

The database is opened read-only and immutable (nothing is written beside it), with
untrusted schema code disabled; only plain tables are read.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, fail
from ..taxonomy import qdc
from ..taxonomy.codebook import Codebook, get_codebook
from .offsets import LfText, convert_offsets, lf_text, line_end_summary, whole_offset
from .project import SKIP_KINDS, ImportResult, QdaProject, Selection, Source, raise_all
from .sqlite_files import open_readonly, require_tables
from .staging import check_target
from .writer import write_project

__all__ = ["html_text", "import_taguette", "read_taguette"]

_TABLES = ("projects", "documents", "tags", "highlights", "highlight_tags")
_SPACE = re.compile(r"\s+")
_HTML_SPACE = " \t\n\f\r"


class _TextParser(HTMLParser):
    """The text nodes of an HTML document, as Taguette (html5lib + BeautifulSoup) sees them."""

    def __init__(self) -> None:
        """Start with no text, before the first tag."""
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.started = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.started = True

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self.started = True

    def handle_data(self, data: str) -> None:
        if not self.started:  # html5lib drops white space before the first tag or text
            data = data.lstrip(_HTML_SPACE)
            if not data:
                return
            self.started = True
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text Taguette counts highlight offsets over: the HTML's text nodes, entities
    decoded, line ends normalised to LF, leading white space dropped.

    >>> html_text("<p>caf&eacute;</p>\\r\\n<p>b</p>")
    'café\\nb'
    """
    parser = _TextParser()
    parser.feed(re.sub(r"\r\n?", "\n", html))
    parser.close()
    return "".join(parser.parts)


def _connect(path: Path) -> sqlite3.Connection:
    """Open an SQLite file read-only and immutable, with untrusted schema code disabled."""
    file = path.name
    if not path.is_file():
        raise fail(str(path), "an existing Taguette project export (no such file)", "missing")
    return open_readonly(
        path,
        file,
        expected="a Taguette project export, which is an SQLite database",
        zip_hint="this looks like a zip: for a .qdpx use `coprod import qdpx`",
    )


def _read_tables(conn: sqlite3.Connection, file: str) -> dict[str, pd.DataFrame]:
    """The columns of Taguette's tables that an import uses, and its highlight commands."""
    tables = require_tables(conn, file, _TABLES, what="a Taguette project export")
    queries = {
        "projects": "SELECT id, name FROM projects",
        "documents": "SELECT id, name, contents, project_id FROM documents ORDER BY id",
        "tags": "SELECT id, path, description, project_id FROM tags ORDER BY id",
        "highlights": "SELECT id, document_id, start_offset, end_offset, snippet "
        "FROM highlights ORDER BY document_id, start_offset, id",
        "highlight_tags": "SELECT highlight_id, tag_id FROM highlight_tags",
    }
    out = {}
    try:
        for name, sql in queries.items():
            cur = conn.execute(sql)
            cols = [d[0] for d in cur.description]
            out[name] = pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)
        out["commands"] = (
            pd.DataFrame(
                conn.execute(
                    "SELECT user_login, payload FROM commands "
                    "WHERE payload LIKE '%highlight_%' ORDER BY id"
                ).fetchall(),
                columns=["user_login", "payload"],
                dtype=object,
            )
            if "commands" in tables
            else pd.DataFrame(columns=["user_login", "payload"], dtype=object)
        )
        out["schema"] = pd.DataFrame(
            conn.execute("SELECT version_num FROM alembic_version").fetchall()
            if "alembic_version" in tables
            else [],
            columns=["version_num"],
            dtype=object,
        )
    except sqlite3.Error as exc:
        raise fail(file, f"the columns a Taguette 1.x export has ({exc})", "unreadable") from None
    return out


def _coders(commands: pd.DataFrame) -> dict[int, str]:
    """Who last added or edited each highlight, from the command log."""
    out: dict[int, str] = {}
    for login, payload in zip(commands["user_login"], commands["payload"], strict=True):
        try:
            data = json.loads(payload)
        except (TypeError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("type") not in ("highlight_add",):
            continue
        hid = data.get("highlight_id")
        if isinstance(hid, int) and isinstance(login, str) and login.strip():
            out[hid] = login.strip()
    return out


def _codes_frame(tags: pd.DataFrame, cb: Codebook) -> pd.DataFrame:
    """The tags as project codes, matched to the codebook (a ``coprod:id`` line wins)."""
    paths = [str(p) for p in tags["path"]]
    descriptions = [None if d is None else str(d) for d in tags["description"]]
    match = cb.match(paths)
    meta_ids = [qdc.split_description(d)[1].get("id") for d in descriptions]
    matched, by = [], []
    for k, mid in enumerate(meta_ids):
        if mid is not None and mid in cb:
            matched.append(mid)
            by.append("id")
        else:
            hit = match["matched_id"].iat[k]
            matched.append(None if pd.isna(hit) else hit)
            by.append(None if pd.isna(hit) else match["matched_by"].iat[k])
    return pd.DataFrame(
        {
            "path": paths,
            "name": paths,
            "guid": [f"tag-{t}" for t in tags["id"]],
            "parent_path": None,
            "description": descriptions,
            "is_codable": True,
            "matched_id": matched,
            "matched_by": by,
            "key": [f"tag-{t}" for t in tags["id"]],
            "parent_key": None,
        },
        dtype=object,
    )


def read_taguette(path: Path | str, *, cb: Codebook | None = None) -> QdaProject:
    """Read a Taguette SQLite project export.

    Parameters
    ----------
    path : Path
        The database Taguette's "Export project" wrote.
    cb : Codebook, optional
        Codebook the tags are matched against (default: the shipped one).

    Returns
    -------
    QdaProject
        One source per document (text as :func:`html_text` gives it, where highlighted),
        one selection per tagged highlight with code-point offsets, and the tags as codes.

    Raises
    ------
    DataError
        For a missing file, a file that is not SQLite, a database without Taguette's
        tables, several projects in one file, a project without tagged highlights (pointing
        to ``coprod codebook import`` for its codebook), tags or documents that do not
        exist, and highlights whose offsets are NULL or not whole numbers (text, fractions:
        never rounded), fall outside the document text or inside a character, or select
        other text than Taguette's stored snippet; and documents holding NUL characters.
    """
    cb = get_codebook() if cb is None else cb
    path = Path(path)
    file = path.name
    t = _read_database(path)
    project_name = str(t["projects"]["name"].iat[0] or "").strip() or path.stem
    codes = _codes_frame(t["tags"], cb)
    tag_key = dict(zip(t["tags"]["id"], codes["key"], strict=True))
    coders = _coders(t["commands"])
    problems: list[Problem] = []
    tags_of = _tags_of_highlights(t["highlight_tags"], tag_key, file, problems)

    sources: list[Source] = []
    texts: dict[Any, str] = {}
    for did, name, contents in zip(t["documents"]["id"], t["documents"]["name"],
                                   t["documents"]["contents"], strict=True):  # fmt: skip
        key = f"doc-{did}"
        sources.append(Source(key=key, name=str(name or "").strip() or key))
        texts[did] = html_text(str(contents or ""))
    used: list[LfText] = []

    by_key = {s.key: s for s in sources}
    selections: list[Selection] = []
    hl = t["highlights"]
    hl = hl[hl["id"].isin(list(tags_of))]
    untagged = len(t["highlights"]) - len(hl)
    for did, group in hl.groupby("document_id", sort=False, dropna=False):
        if did not in texts:
            problems.append(_unknown_document(file, did))
            continue
        lf = lf_text(texts[did])
        found = _Highlights(file, did, texts[did], lf, tags_of, tag_key, coders)
        selections += _document_selections(group, found, problems)
        by_key[f"doc-{did}"].text = lf.text
        used.append(lf)
    raise_all(problems)
    if not selections:
        raise fail(
            file,
            "a Taguette project with tagged highlights; this one has none. To match its tags "
            "to the codebook, export its codebook (.qdc) from Taguette and run: coprod "
            "codebook import CODEBOOK.qdc",
            "no_codings",
        )
    warnings: list[str] = []  # highlights without a tag: counted in the summary
    schema = [str(v) for v in t["schema"]["version_num"]]
    origin = "Taguette (" + (
        f"database schema {schema[0]}; " if schema else ""
    ) + "the export records no program version)"  # fmt: skip
    return QdaProject(
        file=file,
        command="taguette",
        name=project_name,
        origin=origin,
        codes=codes,
        sources=sources,
        selections=selections,
        cases=[],
        offsets="UTF-8 bytes over the text of the document's HTML (the rule for Taguette), "
        "converted to code points",
        warnings=warnings,
        line_ends=line_end_summary(used),
        skipped=dict.fromkeys(SKIP_KINDS, 0),
        untagged=untagged,
    )


def _read_database(path: Path) -> dict[str, pd.DataFrame]:
    """The tables of a Taguette export, which must hold exactly one project."""
    file = path.name
    conn = _connect(path)
    try:
        t = _read_tables(conn, file)
    finally:
        conn.close()
    if len(t["projects"]) != 1:
        raise fail(
            file,
            f"an export of one Taguette project (this file holds {len(t['projects'])})",
            "invalid",
        )
    return t


def _tags_of_highlights(
    links: pd.DataFrame, tag_key: dict[Any, str], file: str, problems: list[Problem]
) -> dict[Any, list[Any]]:
    """The tag ids of each highlight; a problem for each link to a tag that does not exist."""
    tags_of: dict[Any, list[Any]] = {}
    for hid, tid in zip(links["highlight_id"], links["tag_id"], strict=True):
        if tid not in tag_key:
            problems.append(
                Problem(
                    file=file,
                    value=tid,
                    expected=f"a tag that exists (highlight {hid} is tagged with an unknown "
                    "tag id)",
                    kind="unknown_code",
                )
            )
            continue
        tags_of.setdefault(hid, []).append(tid)
    return tags_of


@dataclass(frozen=True)
class _Highlights:
    """What checking the highlights of one document needs."""

    file: str
    document: Any
    text: str
    lf: LfText
    tags_of: dict[Any, list[Any]]
    tag_key: dict[Any, str]
    coders: dict[int, str]


def _document_selections(
    group: pd.DataFrame, found: _Highlights, problems: list[Problem]
) -> list[Selection]:
    """The tagged highlights of one document as selections, each checked against its snippet."""
    file, did, text = found.file, found.document, found.text
    if "\x00" in text:
        problems.append(
            Problem(
                file=file,
                expected=f"document text without NUL characters (document {did} has one at "
                f"character {text.index(chr(0))})",
                kind="encoding",
            )
        )
        return []
    offsets = {c: [whole_offset(v) for v in group[c]] for c in ("start_offset", "end_offset")}
    s_cp, e_cp, status = convert_offsets(
        text,
        [0 if v is None else v for v in offsets["start_offset"]],
        [0 if v is None else v for v in offsets["end_offset"]],
        "utf8",
    )
    selections = []
    for k, row in enumerate(group.itertuples(index=False)):
        label = f"highlight {row.id} in document {did}"
        bad = [c for c in offsets if offsets[c][k] is None]
        if bad:
            problems += [_not_whole(file, label, c, getattr(row, c)) for c in bad]
            continue
        if status[k] != "ok":
            problems.append(
                Problem(
                    file=file,
                    value=(row.start_offset, row.end_offset),
                    expected=f"offsets within the document's text on character "
                    f"boundaries (0 to {len(text.encode('utf-8'))} UTF-8 bytes; {label})",
                    kind="out_of_range",
                )
            )
            continue
        start, end = (int(v) for v in found.lf.move([s_cp[k], e_cp[k]]))
        selected = found.lf.text[start:end]
        stored = html_text(str(row.snippet or ""))
        if _SPACE.sub("", selected) != _SPACE.sub("", stored):
            problems.append(
                Problem(
                    file=file,
                    value=selected[:60],
                    expected=f"the text of the highlight's stored snippet {stored[:60]!r} "
                    f"({label}: its offsets select other text)",
                    kind="mismatch",
                )
            )
            continue
        coder = found.coders.get(int(row.id)) if isinstance(row.id, int) else None
        selections.append(
            Selection(
                id=f"h{row.id}",
                source=f"doc-{did}",
                start=start,
                end=end,
                codes=[(found.tag_key[tid], coder) for tid in found.tags_of[row.id]],
            )
        )
    return selections


def _unknown_document(file: str, did: Any) -> Problem:
    """The problem for highlights whose document_id is NULL or names no document."""
    if did is None or (isinstance(did, float) and did != did):
        return Problem(
            file=file,
            column="document_id",
            expected="highlights.document_id naming a document (some highlights have NULL)",
            kind="missing",
        )
    return Problem(
        file=file,
        column="document_id",
        value=did,
        expected="highlights on documents that exist (highlights.document_id names none)",
        kind="foreign_key",
    )


def _not_whole(file: str, label: str, column: str, raw: Any) -> Problem:
    """The problem for a highlight offset that is NULL or not a whole number."""
    if raw is None:
        return Problem(
            file=file,
            column=column,
            expected=f"a whole number of UTF-8 bytes in highlights.{column} ({label} has "
            "NULL there)",
            kind="missing",
        )
    shown = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    fraction = " (fractions are not rounded)" if isinstance(raw, float) else ""
    return Problem(
        file=file,
        column=column,
        value=shown,
        expected=f"a whole number of UTF-8 bytes in highlights.{column}{fraction} ({label})",
        kind="invalid",
    )


def import_taguette(
    path: Path | str,
    to: Path | str,
    *,
    code_map: Path | str | None = None,
    documents: Path | str | None = None,
    keep_text: bool = False,
    cb: Codebook | None = None,
) -> ImportResult:
    """Import a Taguette project export into a dataset folder.

    Writes the same files as :func:`coprodlib.importers.refi.import_qdpx`; ``--keep-text``
    keeps the highlighted text as Taguette shows it (the text of the document's HTML). The
    parameters are those of :func:`~coprodlib.importers.refi.import_qdpx` without the offset
    options.

    Raises
    ------
    DataError
        See :func:`read_taguette`; nothing is written then.
    """
    cb = get_codebook() if cb is None else cb
    check_target(Path(to).expanduser().absolute(), "qualitative")
    project = read_taguette(path, cb=cb)
    return write_project(
        project, to, code_map=code_map, documents=documents, keep_text=keep_text, cb=cb
    )
