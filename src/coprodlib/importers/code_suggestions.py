"""Suggestions for mapping a project's local codes onto the codebook (``coprod map``).

An import keeps every project code it cannot match as a dataset-local code and lists it in
``code_map.csv`` with an empty ``code``. :func:`suggest_codes` ranks codebook entries for
such names with RapidFuzz, comparing the name (and the last part of a code path such as
``Values/Inclusiveness``, each without a grouping prefix such as ``deductive:``) with each
entry's label, id and aliases as whole strings (the better of ``fuzz.ratio`` and
``fuzz.token_sort_ratio``, so word order does not matter but a shared word alone does not
make a match), and, weighted down, with its definition (``fuzz.token_set_ratio``; only
for names of two words or more). :func:`map_dataset` writes the best matches into ``code_map.csv`` beside each
local code, marked ``review``: nothing is applied until the researcher copies an id into
``code``, after which the next import (or ``coprod validate``) uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, utils

from .._io import write_csv
from ..errors import fail
from ..taxonomy.codebook import Codebook, get_codebook

__all__ = [
    "DEFINITION_WEIGHT",
    "MIN_SCORE",
    "MapResult",
    "map_dataset",
    "suggest_codes",
]

#: Lowest score (0-100) a suggestion needs to be listed.
MIN_SCORE = 60.0
#: Factor on the score of a match against an entry's definition (a short name shares words
#: with many definitions, so such a match counts for less than one on the label).
DEFINITION_WEIGHT = 0.7
#: Prefixes researchers put before code names to group them, ignored when matching.
_PREFIX = re.compile(r"^\s*(?:deductive|inductive|code|theme|category)\s*[:\-]\s*", re.I)
_COLUMNS = ["name", "rank", "code", "label", "dimension", "score", "matched_on"]


def _variants(name: str) -> list[str]:
    """The name, its last path part, each without grouping prefixes."""
    parts = [p for p in re.split(r"[/\\>|]", name) if p.strip()]
    forms = [name, parts[-1]] if parts else [name]
    out = []
    for form in forms:
        for f in (form, _PREFIX.sub("", form)):
            cleaned = utils.default_process(f)
            if cleaned and cleaned not in out:
                out.append(cleaned)
    return out


def _targets(codebook: Codebook, dimensions: list[str] | None) -> list[tuple[str, str, str]]:
    """(code id, text, what the text is) for every id, label, alias and definition."""
    frame = codebook.frame
    if dimensions is not None:
        frame = frame[frame["dimension"].isin(dimensions)]
    out = []
    for row in frame.itertuples(index=False):
        out.append((row.id, str(row.id).replace("_", " "), "id"))
        out.append((row.id, str(row.label), "label"))
        for alias in str(row.aliases or "").split(";"):
            if alias.strip():
                out.append((row.id, alias.strip(), "alias"))
        if isinstance(row.definition, str) and row.definition.strip():
            out.append((row.id, row.definition, "definition"))
    return [(c, utils.default_process(t), kind) for c, t, kind in out]


def _score(variants: list[str], text: str, kind: str) -> float:
    if kind == "definition":
        # one word shares too much with too many definitions to mean anything
        several = [v for v in variants if " " in v]
        if not several:
            return 0.0
        return max(fuzz.token_set_ratio(v, text) for v in several) * DEFINITION_WEIGHT
    return max(max(fuzz.ratio(v, text), fuzz.token_sort_ratio(v, text)) for v in variants)


def suggest_codes(
    names: list[str] | pd.Series,
    codebook: Codebook | None = None,
    *,
    n: int = 3,
    dimensions: list[str] | None = None,
    min_score: float = MIN_SCORE,
) -> pd.DataFrame:
    """Rank codebook entries that a project's code names may mean.

    Parameters
    ----------
    names : list of str
        Code names as the project has them (paths such as ``Values/Inclusiveness`` allowed).
    codebook : Codebook, optional
        Default: the shipped codebook.
    n : int
        Suggestions per name, best first.
    dimensions : list of str, optional
        Only entries of these dimensions (default: all).
    min_score : float
        Lowest score listed (0-100).

    Returns
    -------
    DataFrame
        ``name``, ``rank`` (1 = best), ``code``, ``label``, ``dimension``, ``score``
        (0-100, rounded to one decimal) and ``matched_on`` (``label``, ``id``, ``alias``
        or ``definition``); names without a suggestion have no row.

    Examples
    --------
    >>> table = suggest_codes(["deductive: inclusiveness", "Values/Accountabilty"], n=1)
    >>> table["code"].tolist(), table["score"].tolist()
    (['inclusiveness', 'accountability'], [100.0, 96.3])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r}: give a whole number >= 1")
    cb = codebook if codebook is not None else get_codebook()
    targets = _targets(cb, dimensions)
    rows = []
    for name in dict.fromkeys(str(x) for x in names):
        variants = _variants(name)
        if not variants:
            continue
        best: dict[str, tuple[float, str]] = {}
        for code, text, kind in targets:
            score = _score(variants, text, kind)
            if score > best.get(code, (-1.0, ""))[0]:
                best[code] = (score, kind)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ranked = [(c, s, k) for c, (s, k) in ranked if s >= min_score][:n]
        for rank, (code, score, kind) in enumerate(ranked, start=1):
            entry = cb.get(code)
            rows.append((name, rank, code, entry.label, entry.dimension, round(score, 1), kind))
    return pd.DataFrame(rows, columns=_COLUMNS)


@dataclass(frozen=True)
class MapResult:
    """What :func:`map_dataset` wrote; ``summary()`` is what ``coprod map`` prints."""

    path: Path
    local: int
    suggested: int
    mapped: int

    def summary(self) -> str:
        return "\n".join(
            [
                f"wrote suggestions into {self.path}",
                f"  {self.local} local code(s) without a codebook id; "
                f"{self.suggested} with a suggestion marked 'review'",
                f"  {self.mapped} code(s) already mapped, left as they are",
                "  next: copy the id you agree with from 'suggestion' into 'code' (or another "
                "codebook id), then run `coprod validate` or import again",
            ]
        )


def map_dataset(folder: Path | str, *, n: int = 3, min_score: float = MIN_SCORE) -> MapResult:
    """Write codebook suggestions for every local code into the dataset's ``code_map.csv``.

    Rows that already have a ``code`` are kept as they are; every other row gets
    ``suggestion`` (the best id), ``suggestion_label``, ``score``, ``other_suggestions``
    (``id (score); ...``) and ``review`` = ``review`` (or ``no match`` when nothing scored
    ``min_score``). Columns written by an earlier run are replaced. Suggestions come from
    the shipped codebook.

    Raises
    ------
    DataError
        When the folder has no ``code_map.csv`` (it is written by ``coprod import``) or it
        lacks the ``project_code`` and ``code`` columns.
    """
    path = Path(folder) / "code_map.csv"
    if not path.is_file():
        raise fail(
            str(path),
            "the code_map.csv an import writes (run `coprod import` on the project first)",
            "missing_file",
        )
    from ..contract.reading import read_table

    raw = read_table(path)  # encoding, separators and broken files as for every table
    table = raw.astype(object).where(raw.notna(), "").astype(str)
    missing = [c for c in ("project_code", "code") if c not in table.columns]
    if missing:
        raise fail("code_map.csv", "the columns project_code and code", "missing_column",
                   ", ".join(missing))  # fmt: skip
    extra = ["suggestion", "suggestion_label", "score", "other_suggestions", "review"]
    table = table.drop(columns=[c for c in extra if c in table.columns])
    todo = table["code"].str.strip() == ""
    found = suggest_codes(table.loc[todo, "project_code"], n=n, min_score=min_score)
    best = found[found["rank"] == 1].set_index("name")
    others = (
        found[found["rank"] > 1]
        .assign(text=lambda f: f["code"] + " (" + f["score"].map("{:.0f}".format) + ")")
        .groupby("name")["text"]
        .agg("; ".join)
    )
    names = table["project_code"]
    table["suggestion"] = names.map(best["code"]).where(todo, "").fillna("")
    table["suggestion_label"] = names.map(best["label"]).where(todo, "").fillna("")
    score = names.map(best["score"].map("{:.0f}".format))
    table["score"] = score.where(todo, "").fillna("")
    table["other_suggestions"] = names.map(others).where(todo, "").fillna("")
    has = table["suggestion"] != ""
    table["review"] = ""
    table.loc[todo & has, "review"] = "review"
    table.loc[todo & ~has, "review"] = "no match"
    write_csv(table, path)
    return MapResult(path, int(todo.sum()), int((todo & has).sum()), int((~todo).sum()))
