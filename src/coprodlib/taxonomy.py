"""The codebook: the field's taxonomies as sourced data, with a small typed API.

The canonical codebook lives in ``codebook.yaml`` next to this module and is read once.
Every entry has a stable id (the value that appears in ``codings.csv`` and in every table),
a label, a dimension (``value``, ``tension``, ``strategy``, ``effect``, ``phase``, ...), an
optional parent, a definition and a source (citation keys resolved by
:attr:`Codebook.references`). Strategies carry their family and whether they favour one value
of the pair or seek both; tensions their two values; effects whether they are desired.

>>> import coprodlib as cp
>>> cb = cp.get_codebook()
>>> cb.family("bias"), cb.favours("bias")
('trade_off', 'one')
>>> cb.tension_values("inclusion_vs_service_quality")
('inclusiveness', 'service_quality')
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .errors import DataError, Problem

__all__ = [
    "COLUMNS",
    "Codebook",
    "Entry",
    "codebook",
    "codebook_markdown",
    "export_codebook",
    "get_codebook",
    "normalize_name",
    "read_codebook",
    "write_codebook_markdown",
]

#: Columns of :func:`codebook` / :attr:`Codebook.frame`, in this order.
COLUMNS = (
    "id",
    "label",
    "dimension",
    "parent",
    "definition",
    "source",
    "aliases",
    "family",
    "favours",
    "value_a",
    "value_b",
    "desired",
    "direction",
)
#: Fields an entry may be given (in the YAML file or in an extension frame); the rest derive.
INPUT_FIELDS = (
    "id",
    "label",
    "dimension",
    "parent",
    "definition",
    "source",
    "aliases",
    "favours",
    "direction",
    "value_a",
    "value_b",
    "desired",
)
ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$")
FAVOURS = ("one", "both")
EXPORT_FORMATS = ("qdc", "csv", "md")

_YAML_NAME = "codebook.yaml"
_STR_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
_TRUE = {"true", "yes", "y", "t", "1"}
_FALSE = {"false", "no", "n", "f", "0"}
_NON_WORD = re.compile(r"[\W_]+")
#: Fields that only one dimension may carry.
_FIELD_DIMENSION = {
    "favours": ("strategy", "strategies"),
    "direction": ("strategy", "strategies"),
    "value_a": ("tension", "tensions"),
    "value_b": ("tension", "tensions"),
    "desired": ("effect", "effects"),
}


def normalize_name(name: Any) -> str:
    """The matching key of a code name: case, spaces and punctuation removed.

    >>> normalize_name("Trade-off"), normalize_name("trade_off")
    ('tradeoff', 'tradeoff')
    """
    return _NON_WORD.sub("", str(name).casefold())


@dataclass(frozen=True)
class Entry:
    """One codebook entry. Fields that do not apply to its dimension are ``None``."""

    id: str
    label: str
    dimension: str
    parent: str | None
    definition: str | None
    source: str | None
    aliases: tuple[str, ...]
    family: str | None
    favours: str | None
    value_a: str | None
    value_b: str | None
    desired: bool | None
    direction: str | None

    @property
    def sources(self) -> tuple[str, ...]:
        """The citation keys of :attr:`source`, split."""
        return _split_keys(self.source)


# --------------------------------------------------------------------------- small helpers


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value).strip()


def _split_keys(value: Any) -> tuple[str, ...]:
    if _missing(value):
        return ()
    return tuple(k.strip() for k in str(value).split(";") if k.strip())


def _aliases(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(a for a in (_text(v) for v in value) if a)
    return _split_keys(value)


def _flag(value: Any) -> bool | str | None:
    """True/False for boolean-like input, None when missing, the text itself when unreadable."""
    if _missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return str(value)


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _did_you_mean(suggestions: Sequence[str]) -> str:
    return f" (did you mean {_quoted(suggestions)}?)" if suggestions else ""


# --------------------------------------------------------------------------- building


def _dimension_table(declared: Sequence[dict[str, Any]], used: Iterable[str]) -> pd.DataFrame:
    """Declared dimensions in their order, then any other dimension in use, alphabetically."""
    rows = [
        (str(d["id"]), _text(d.get("label")) or str(d["id"]), _text(d.get("description")),
         _text(d.get("source")))
        for d in declared
    ]  # fmt: skip
    known = {r[0] for r in rows}
    rows += [(d, d, None, None) for d in sorted(set(used) - known)]
    columns = ("dimension", "label", "description", "source")
    return pd.DataFrame(
        {c: pd.Series([r[k] for r in rows], dtype=_STR_DTYPE) for k, c in enumerate(columns)}
    )


def _normalise_record(raw: dict[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {f: _text(raw.get(f)) for f in INPUT_FIELDS}
    rec["aliases"] = _aliases(raw.get("aliases"))
    rec["desired"] = _flag(raw.get("desired"))
    return rec


class _Batch:
    """Entries being validated: existing ones (``recs[:fixed]``, known to be valid) plus new
    ones, with the problems found in the new ones."""

    def __init__(
        self,
        records: list[dict[str, Any]],
        *,
        fixed: int,
        rows: Sequence[int | None] | None,
        file: str,
        references: pd.DataFrame,
        declared: Sequence[dict[str, Any]],
        strict: bool,
    ) -> None:
        self.recs = [_normalise_record(r) for r in records]
        self.n = len(self.recs)
        self.fixed = fixed
        self.rows = list(rows) if rows is not None else [None] * (self.n - fixed)
        self.file = file
        self.strict = strict
        self.ref_keys = set(references["key"])
        self.declared_dims = [str(d["id"]) for d in declared]
        self.dims = [r["dimension"] for r in self.recs]
        self.problems: list[Problem] = []
        self.skip: set[int] = set()  # new entries with an unusable id: no follow-on problems
        self.in_cycle: set[int] = set()
        self.index: dict[str, int] = {}  # id -> first position
        for i, r in enumerate(self.recs):
            if r["id"] is not None:
                self.index.setdefault(r["id"], i)
        self.parent_of = [
            None if r["parent"] is None else self.index.get(r["parent"]) for r in self.recs
        ]

    @property
    def new(self) -> range:
        return range(self.fixed, self.n)

    def report(self, i: int, column: str, value: Any, expected: str, kind: str = "invalid") -> None:
        row = self.rows[i - self.fixed]
        who = self.recs[i]["id"]
        prefix = f"entry {who!r}: " if row is None and who else ""
        self.problems.append(
            Problem(self.file, prefix + expected, row=row, column=column, value=value, kind=kind)
        )

    def ids_of(self, dimension: str) -> list[str]:
        return [c for c, i in self.index.items() if self.dims[i] == dimension]

    def dim_of(self, code: str | None) -> str | None:
        return self.dims[self.index[code]] if code in self.index else None

    def inherited(self, i: int, field: str) -> Any:
        """The entry's own ``field``, else the nearest ancestor's of the same dimension."""
        j: int | None = i
        for _ in range(self.n):
            if j is None or self.dims[j] != self.dims[i]:
                return None
            if self.recs[j][field] is not None:
                return self.recs[j][field]
            j = None if j in self.in_cycle else self.parent_of[j]
        return None

    # ----------------------------------------------------------------- the checks
    def check_fields(self) -> None:
        slug = "a lower-case slug: a letter, then letters and digits, parts joined by '_' or '-'"
        dims = _quoted(self.declared_dims)
        for i in self.new:
            r = self.recs[i]
            rid, dim = r["id"], r["dimension"]
            first = self.index.get(rid) if rid is not None else None
            if rid is None:
                self.report(i, "id", None, f"an id ({slug})", "missing")
            elif not ID_PATTERN.match(rid):
                self.report(i, "id", rid, f"{slug} (e.g. 'rule_bending')")
            elif first != i:
                where = (
                    f"the codebook already has it (a {self.dims[first]})"
                    if first < self.fixed
                    else "it is used twice"
                )
                self.report(i, "id", rid, f"an id not used before; {where}", "duplicate")
            if rid is None or not ID_PATTERN.match(rid) or first != i:
                self.skip.add(i)
            if r["label"] is None:
                self.report(i, "label", None, "a label (the readable name of the code)", "missing")
            if dim is None:
                self.report(i, "dimension", None, f"a dimension, one of {dims}", "missing")
            elif not ID_PATTERN.match(dim) or (self.strict and dim not in self.declared_dims):
                self.report(i, "dimension", dim, f"a dimension, one of {dims}")
            if self.strict and r["definition"] is None:
                self.report(
                    i, "definition", None, "a definition of one or two sentences", "missing"
                )
            if self.strict and not r["source"]:
                self.report(i, "source", None, "a citation key from the references", "missing")
            unknown = [k for k in _split_keys(r["source"]) if k not in self.ref_keys]
            if unknown:
                expected = f"citation keys of the references (unknown: {_quoted(unknown)})"
                self.report(i, "source", r["source"], expected)

    def check_tree(self) -> None:
        for i in self.new:
            p = self.recs[i]["parent"]
            if p is not None and p not in self.index:
                hint = _did_you_mean(_close(p, list(self.index)))
                self.report(i, "parent", p, f"the id of an existing entry{hint}", "unknown_code")
        for i in self.new:
            path, j = [], i
            while j is not None and j not in path:
                path.append(j)
                j = self.parent_of[j]
            if j is not None and i in path[path.index(j) :]:  # back on the path: a cycle
                self.in_cycle.add(i)
                names = " -> ".join(str(self.recs[k]["id"]) for k in [*path[path.index(j) :], j])
                expected = f"a parent that is not a descendant ({names})"
                self.report(i, "parent", self.recs[i]["parent"], expected)

    def check_marks(self) -> None:
        for i in self.new:
            if i in self.skip or i in self.in_cycle:
                continue
            r, dim = self.recs[i], self.dims[i]
            if dim == "strategy":
                self._check_strategy(i)
            if dim == "tension":
                self._check_tension(i)
            if dim == "effect":
                des = self.inherited(i, "desired")
                if des is None:
                    expected = "desired: true or false (or an effect parent)"
                    self.report(i, "desired", None, expected, "missing")
                elif not isinstance(des, bool):
                    self.report(i, "desired", des, "desired: true or false")
            for field, (only, plural) in _FIELD_DIMENSION.items():
                if r[field] is not None and dim != only:
                    self.report(i, field, r[field], f"no {field} (it applies to {plural} only)")

    def _check_strategy(self, i: int) -> None:
        fav = self.inherited(i, "favours")
        if fav is None:
            expected = "favours: 'one' or 'both' (or a strategy parent)"
            self.report(i, "favours", None, expected, "missing")
        elif fav not in FAVOURS:
            self.report(i, "favours", fav, "favours: 'one' or 'both'")
        d = self.recs[i]["direction"]
        if d is not None and self.dim_of(d) != "direction":
            options = _quoted(self.ids_of("direction"))
            self.report(i, "direction", d, f"a coping direction, one of {options}")

    def _check_tension(self, i: int) -> None:
        r = self.recs[i]
        for field in ("value_a", "value_b"):
            v = r[field]
            if v is None:
                self.report(i, field, None, "the id of a value (a tension names two)", "missing")
            elif self.dim_of(v) != "value":
                hint = _did_you_mean(_close(v, self.ids_of("value")))
                self.report(i, field, v, f"the id of a value{hint}", "unknown_code")
        if r["value_a"] is not None and r["value_a"] == r["value_b"]:
            self.report(i, "value_b", r["value_b"], "a value different from value_a")

    def check_names(self) -> None:
        """Ids, labels and aliases must each point at one entry, or look-ups are ambiguous."""
        owner: dict[str, str] = {}
        for i, r in enumerate(self.recs):
            if r["id"] is None or i in self.skip:
                continue
            names = [("id", r["id"]), ("label", r["label"])]
            names += [("aliases", a) for a in r["aliases"]]
            for field, name in names:
                if name is None:
                    continue
                other = owner.setdefault(normalize_name(name), r["id"])
                if other != r["id"] and i >= self.fixed:
                    expected = (
                        f"a name that does not collide with entry {other!r} "
                        "(ids, labels and aliases are matched ignoring case and punctuation)"
                    )
                    self.report(i, field, name, expected, "duplicate")

    # ----------------------------------------------------------------- the result
    def frame(self, rank: dict[str, int]) -> pd.DataFrame:
        """The entries as the codebook table, family and inherited marks filled in."""
        recs, dims, n = self.recs, self.dims, self.n
        family: list[str | None] = [None] * n
        favours: list[str | None] = [None] * n
        desired: list[bool | None] = [None] * n
        for i in range(n):
            if dims[i] == "strategy":  # the top-most strategy above (a family is its own)
                j = i
                while self.parent_of[j] is not None and dims[self.parent_of[j]] == "strategy":
                    j = self.parent_of[j]
                family[i] = recs[j]["id"]
                favours[i] = self.inherited(i, "favours")
            elif dims[i] == "effect":
                desired[i] = self.inherited(i, "desired")
        order = _canonical_order(self.parent_of, [rank[d] for d in dims])

        def col(values: list[Any]) -> pd.Series:
            return pd.Series([values[i] for i in order], dtype=_STR_DTYPE)

        def field(name: str) -> pd.Series:
            return col([r[name] for r in recs])

        return pd.DataFrame(
            {
                "id": field("id"),
                "label": field("label"),
                "dimension": col(dims),
                "parent": field("parent"),
                "definition": field("definition"),
                "source": col(["; ".join(_split_keys(r["source"])) or None for r in recs]),
                "aliases": col(["; ".join(r["aliases"]) for r in recs]),
                "family": col(family),
                "favours": col(favours),
                "value_a": field("value_a"),
                "value_b": field("value_b"),
                "desired": pd.array([desired[i] for i in order], dtype="boolean"),
                "direction": field("direction"),
            },
            columns=list(COLUMNS),
        )


def _build(
    records: list[dict[str, Any]],
    *,
    references: pd.DataFrame,
    declared: Sequence[dict[str, Any]],
    file: str,
    rows: Sequence[int | None] | None = None,
    fixed: int = 0,
    strict: bool = False,
) -> Codebook:
    """Validate entries, derive family and inherited marks, and return a Codebook.

    ``records[:fixed]`` are entries of an existing (valid) codebook; problems are reported for
    the others only, at ``rows[i - fixed]``. ``strict`` (the shipped codebook) also requires a
    definition and a source for every entry and a declared dimension.
    """
    batch = _Batch(
        records,
        fixed=fixed,
        rows=rows,
        file=file,
        references=references,
        declared=declared,
        strict=strict,
    )
    batch.check_fields()
    batch.check_tree()
    batch.check_marks()
    batch.check_names()
    if batch.problems:
        last = batch.n + 2
        raise DataError(sorted(batch.problems, key=lambda p: last if p.row is None else p.row))
    table = _dimension_table(declared, batch.dims)
    rank = {d: k for k, d in enumerate(table["dimension"])}
    return Codebook(batch.frame(rank), references, table, declared)


def _canonical_order(parent_of: Sequence[int | None], rank: Sequence[int]) -> list[int]:
    """Entries by dimension rank, each dimension in depth-first (pre-)order of the forest.

    Siblings and roots are visited by (dimension rank, original position), so the order is a
    function of the tree and the sibling order only: a .qdc round trip reproduces it.
    """
    n = len(parent_of)
    children: dict[int | None, list[int]] = defaultdict(list)
    for i, p in enumerate(parent_of):
        children[p].append(i)
    pre = [0] * n
    counter = 0
    stack = sorted(children[None], key=lambda i: (rank[i], i), reverse=True)
    while stack:
        i = stack.pop()
        pre[i] = counter
        counter += 1
        stack.extend(sorted(children[i], key=lambda k: (rank[k], k), reverse=True))
    return sorted(range(n), key=lambda i: (rank[i], pre[i]))


def _close(name: Any, candidates: Sequence[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(str(name), list(candidates), n=n, cutoff=0.6)


# --------------------------------------------------------------------------- the Codebook


class Codebook:
    """A validated codebook: entries, their dimensions and the references they cite.

    Get the shipped one with :func:`get_codebook`; add dataset-local codes with
    :meth:`extend`. Look-ups accept an id, a label or an alias (ignoring case, spaces and
    punctuation) and raise :class:`coprodlib.DataError` with a suggestion when nothing matches.
    Codebooks are immutable and validated; build them through those functions (or
    :func:`read_codebook`), not by calling the constructor.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cb = cp.get_codebook()
    >>> cb.resolve("Social inclusion")
    'inclusiveness'
    >>> cb.children("trade_off")
    ['bias', 'cycling', 'firewalls']
    >>> cb.ancestors("benefit_hoarding")
    ['value_failure', 'undesired_effect']
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        references: pd.DataFrame,
        dimension_info: pd.DataFrame,
        declared: Sequence[dict[str, Any]] = (),
    ) -> None:
        self._frame = frame
        self._references = references
        self._dimension_info = dimension_info
        self._declared = [dict(d) for d in declared]
        ids = frame["id"].tolist()
        self._ids: list[str] = ids
        self._pos = {c: i for i, c in enumerate(ids)}
        self._dimension = dict(zip(ids, frame["dimension"].tolist(), strict=True))
        self._parent = {
            c: (None if _missing(p) else p)
            for c, p in zip(ids, frame["parent"].tolist(), strict=True)
        }
        self._children: dict[str, list[str]] = defaultdict(list)
        for c in ids:
            if self._parent[c] is not None:
                self._children[self._parent[c]].append(c)
        # look-up keys; ids win over labels, labels over aliases (validation forbids clashes
        # between different entries, so this order only matters within one entry)
        keys: dict[str, tuple[str, str]] = {}
        for c, aliases in zip(ids, frame["aliases"].tolist(), strict=True):
            for a in _split_keys(aliases):
                keys[normalize_name(a)] = (c, "alias")
        for c, label in zip(ids, frame["label"].tolist(), strict=True):
            keys[normalize_name(label)] = (c, "label")
        for c in ids:
            keys[normalize_name(c)] = (c, "id")
        self._keys = keys

    # ----------------------------------------------------------------- tables
    @property
    def frame(self) -> pd.DataFrame:
        """All entries, one row each, columns :data:`COLUMNS` (a copy)."""
        return self._frame.copy()

    @property
    def references(self) -> pd.DataFrame:
        """The cited works: columns ``key``, ``citation``, sorted by key (a copy)."""
        return self._references.copy()

    @property
    def dimension_info(self) -> pd.DataFrame:
        """One row per dimension: ``dimension``, ``label``, ``description``, ``source``."""
        return self._dimension_info.copy()

    @property
    def dimensions(self) -> list[str]:
        """Dimensions that have entries, in codebook order."""
        return list(dict.fromkeys(self._frame["dimension"].tolist()))

    def ids(self, dimension: str | None = None) -> list[str]:
        """Ids in codebook order, optionally of one dimension only."""
        if dimension is None:
            return list(self._ids)
        self._check_dimension(dimension, "dimension")
        return [c for c in self._ids if self._dimension[c] == dimension]

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, code: object) -> bool:
        return code in self._pos

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codebook):
            return NotImplemented
        return (
            self._frame.equals(other._frame)
            and self._references.equals(other._references)
            and self._dimension_info.equals(other._dimension_info)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Codebook: {len(self)} entries in {len(self.dimensions)} dimensions>"

    # ----------------------------------------------------------------- look-ups
    def resolve(self, name: Any) -> str | None:
        """The id whose id, label or alias matches ``name`` (ignoring case, spaces and
        punctuation), or ``None``."""
        if _missing(name):
            return None
        hit = self._keys.get(normalize_name(name))
        return hit[0] if hit else None

    def match(self, names: Iterable[Any]) -> pd.DataFrame:
        """Match many names at once: columns ``name``, ``matched_id``, ``matched_by``.

        ``matched_by`` says whether the name matched an ``"id"``, a ``"label"`` or an
        ``"alias"``; both are missing where nothing matched. Vectorised over unique names.
        """
        s = pd.Series(list(names), dtype=object)
        uniq = pd.unique(s)
        hits = [
            self._keys.get(normalize_name(u), (None, None)) if not _missing(u) else (None, None)
            for u in uniq
        ]
        ids = dict(zip(uniq, (h[0] for h in hits), strict=True))
        how = dict(zip(uniq, (h[1] for h in hits), strict=True))
        return pd.DataFrame(
            {
                "name": s,
                "matched_id": pd.Series(s.map(ids).tolist(), dtype=_STR_DTYPE),
                "matched_by": pd.Series(s.map(how).tolist(), dtype=_STR_DTYPE),
            }
        )

    def suggest(self, name: Any, n: int = 3, *, dimension: str | None = None) -> list[str]:
        """Up to ``n`` ids that ``name`` may have meant (exact matches of labels or aliases
        first, then close spellings of ids, labels and aliases)."""
        if _missing(name):
            return []
        allowed = set(self.ids(dimension))
        out: list[str] = []
        exact = self.resolve(name)
        if exact in allowed:
            out.append(exact)
        keys = {k: v[0] for k, v in self._keys.items() if v[0] in allowed}
        for k in difflib.get_close_matches(normalize_name(name), list(keys), n=3 * n, cutoff=0.6):
            if keys[k] not in out:
                out.append(keys[k])
        return out[:n]

    def get(self, code: str) -> Entry:
        """The entry for an id, label or alias.

        Raises
        ------
        coprodlib.DataError
            When nothing matches; the message suggests close ids.
        """
        cid = self._id(code)
        row = self._frame.iloc[self._pos[cid]]
        vals = {c: (None if c != "aliases" and _missing(row[c]) else row[c]) for c in COLUMNS}
        vals["aliases"] = _split_keys(vals["aliases"])
        vals["desired"] = None if vals["desired"] is None else bool(vals["desired"])
        return Entry(**vals)

    def dimension_of(self, code: str) -> str:
        return self._dimension[self._id(code)]

    def children(self, code: str, recursive: bool = False) -> list[str]:
        """Ids directly under ``code`` (or all descendants), in codebook order."""
        cid = self._id(code)
        if not recursive:
            return list(self._children.get(cid, []))
        out: list[str] = []
        stack = [cid]
        while stack:
            for child in self._children.get(stack.pop(), []):
                out.append(child)
                stack.append(child)
        return sorted(out, key=self._pos.__getitem__)

    def ancestors(self, code: str) -> list[str]:
        """Parent, grandparent, ... up to the top-level entry (nearest first)."""
        out: list[str] = []
        p = self._parent[self._id(code)]
        while p is not None:
            out.append(p)
            p = self._parent[p]
        return out

    def root(self, code: str) -> str:
        """The top-level entry above ``code`` (``code`` itself when it has no parent)."""
        up = self.ancestors(code)
        return up[-1] if up else self._id(code)

    def family(self, code: str) -> str:
        """A strategy's family id (a family is its own family)."""
        return str(self._field(code, "family", "strategy"))

    def favours(self, code: str) -> str:
        """``"one"`` when a strategy favours one value of the pair, ``"both"`` otherwise."""
        return str(self._field(code, "favours", "strategy"))

    def tension_values(self, code: str) -> tuple[str, str]:
        """The two value ids of a tension."""
        cid = self._id(code)
        self._require_dimension(cid, "tension", "tension_values")
        row = self._frame.iloc[self._pos[cid]]
        return str(row["value_a"]), str(row["value_b"])

    def is_desired(self, code: str) -> bool:
        """Whether an effect is desired."""
        return bool(self._field(code, "desired", "effect"))

    # ----------------------------------------------------------------- checking data
    def check(
        self,
        codes: Iterable[Any],
        dimension: str | Sequence[str] | None = None,
        *,
        file: str,
        column: str,
        rows: Sequence[int] | None = None,
    ) -> list[Problem]:
        """Check codes against the codebook: one :class:`Problem` per bad code.

        Parameters
        ----------
        codes : sequence of str
            The codes, e.g. a column of a table. Vectorised over the unique values, so a
            million codings cost little more than their distinct codes.
        dimension : str or list of str, optional
            The dimension(s) the codes must belong to; ``None`` accepts any entry.
        file, column : str
            Where the codes come from, for the problem messages.
        rows : sequence of int, optional
            The row number of each code as a spreadsheet shows it; by default the position
            in ``codes`` plus 2 (the first data line of a CSV file with a header).

        Returns
        -------
        list of Problem
            Empty when every code is an id of the right dimension; otherwise one problem per
            empty, unknown or wrong-dimension code, in input order, with suggestions.

        Examples
        --------
        >>> import coprodlib as cp
        >>> [str(p) for p in cp.get_codebook().check(["bias", "bais"], "strategy",
        ...                                          file="codings.csv", column="code")]
        ["codings.csv, row 3, column 'code': found 'bais'; expected a code of dimension 'strategy' (did you mean 'bias'?)"]
        """
        dims = [dimension] if isinstance(dimension, str) else dimension
        if dims is not None:
            for d in dims:
                self._check_dimension(d, "dimension")
        values = pd.Series(codes.to_numpy() if isinstance(codes, pd.Series) else list(codes))
        if rows is not None:
            row_numbers = np.asarray(list(rows))
            if len(row_numbers) != len(values):
                raise ValueError(
                    f"rows has {len(row_numbers)} numbers for {len(values)} codes; "
                    "give one row number per code"
                )
        else:
            row_numbers = np.arange(len(values)) + 2
        allowed = (
            self._ids if dims is None else [c for c in self._ids if self._dimension[c] in dims]
        )
        allowed_set = set(allowed)
        is_na = values.isna().to_numpy()
        uniq = pd.unique(values[~is_na])
        ok = pd.Index(uniq, dtype=object).isin(allowed)
        bad = [u for u, good in zip(uniq, ok, strict=True) if not good]
        if not bad and not is_na.any():
            return []
        what = "a codebook id" if dims is None else f"a code of dimension {_quoted(dims)}"
        empty = (f"{what} (the cell is empty)", "missing")
        message: dict[Any, tuple[str, str]] = {}
        for u in bad:  # one message per distinct bad code
            if _missing(u):
                message[u] = empty
            elif u in self._pos:  # an id, but of another dimension
                message[u] = (
                    f"{what}; {u!r} is a code of dimension {self._dimension[u]!r}",
                    "wrong_dimension",
                )
            elif self.resolve(u) in allowed_set:
                message[u] = (
                    f"{what}: write the id {self.resolve(u)!r} ({u!r} is its label or alias)",
                    "unknown_code",
                )
            else:
                sugg = [s for s in self.suggest(u, n=9) if s in allowed_set][:3]
                sugg = sugg or _close(str(u).casefold(), allowed)
                hint = _did_you_mean(sugg)
                if not hint and dims is not None:
                    more = ", ..." if len(allowed) > 8 else ""
                    hint = f", one of {_quoted(allowed[:8])}{more}"
                message[u] = (what + hint, "unknown_code")
        positions = np.flatnonzero(is_na | values.isin(bad).to_numpy())
        out: list[Problem] = []
        for pos in positions:
            v = values.iat[pos]
            expected, kind = empty if is_na[pos] else message[v]
            out.append(
                Problem(
                    file=file,
                    expected=expected,
                    row=int(row_numbers[pos]),
                    column=column,
                    value=None if is_na[pos] else v,
                    kind=kind,
                )
            )
        return out

    # ----------------------------------------------------------------- extending
    def extend(self, entries: pd.DataFrame, *, file: str = "codebook extension") -> Codebook:
        """A new codebook with dataset-local entries added.

        Parameters
        ----------
        entries : pandas.DataFrame
            One row per new entry with at least ``id``, ``label`` and ``dimension``;
            optional ``parent`` (an existing or a new id), ``definition``, ``source``,
            ``aliases`` ("; "-separated), and per dimension ``favours``/``direction``
            (strategies), ``value_a``/``value_b`` (tensions) and ``desired`` (effects).
            ``favours`` and ``desired`` are inherited from the parent when left empty.
            Other columns are ignored.
        file : str
            Name used in problem messages.

        Raises
        ------
        coprodlib.DataError
            Listing every bad entry: missing or malformed ids, ids already in the codebook,
            unknown parents, cycles, missing marks, colliding labels or aliases.

        Examples
        --------
        >>> import pandas as pd, coprodlib as cp
        >>> local = pd.DataFrame({"id": ["rule_bending"], "label": ["Rule bending"],
        ...                       "dimension": ["strategy"], "parent": ["bias"]})
        >>> cb = cp.get_codebook().extend(local)
        >>> cb.family("rule_bending"), cb.favours("rule_bending")
        ('trade_off', 'one')
        """
        if not isinstance(entries, pd.DataFrame):
            raise TypeError(f"entries must be a pandas DataFrame, got {type(entries).__name__}")
        missing = [c for c in ("id", "label", "dimension") if c not in entries.columns]
        if missing:
            raise DataError(
                Problem(
                    file=file,
                    expected=f"columns id, label and dimension (missing: {', '.join(missing)})",
                    kind="missing_column",
                )
            )
        cols = [c for c in INPUT_FIELDS if c in entries.columns]
        new = entries[cols].astype(object).to_dict("records")
        old = self._records()
        return _build(
            old + new,
            references=self._references,
            declared=self._declared,
            file=file,
            rows=list(range(2, len(new) + 2)),
            fixed=len(old),
        )

    def _records(self) -> list[dict[str, Any]]:
        """The entries as input records (inherited marks kept explicit)."""
        recs = self._frame[list(INPUT_FIELDS)].astype(object).to_dict("records")
        for r in recs:
            for k, v in r.items():
                if k != "desired" and _missing(v):
                    r[k] = None
            r["desired"] = None if _missing(r["desired"]) else bool(r["desired"])
        return recs

    # ----------------------------------------------------------------- internals
    def _id(self, code: Any) -> str:
        if isinstance(code, str) and code in self._pos:
            return code
        cid = self.resolve(code)
        if cid is not None:
            return cid
        raise DataError(
            Problem(
                file="codebook",
                expected="a codebook id, label or alias" + _did_you_mean(self.suggest(code)),
                value=code,
                kind="unknown_code",
            )
        )

    def _check_dimension(self, dimension: Any, argument: str) -> None:
        dims = self.dimensions
        if dimension not in dims:
            raise DataError(
                Problem(
                    file="codebook",
                    expected=f"{argument}: one of {_quoted(dims)}"
                    + _did_you_mean(_close(dimension, dims)),
                    value=dimension,
                    kind="unknown_dimension",
                )
            )

    def _require_dimension(self, cid: str, dimension: str, method: str) -> None:
        if self._dimension[cid] != dimension:
            raise DataError(
                Problem(
                    file="codebook",
                    expected=f"a {dimension} for {method}(); {cid!r} is a {self._dimension[cid]}",
                    value=cid,
                    kind="wrong_dimension",
                )
            )

    def _field(self, code: str, field: str, dimension: str) -> Any:
        cid = self._id(code)
        self._require_dimension(cid, dimension, field)
        return self._frame[field].iat[self._pos[cid]]


# --------------------------------------------------------------------------- the shipped one


def _parse_yaml(text: str, file: str) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise DataError(
            Problem(file=file, expected=f"valid YAML ({exc})", kind="unreadable")
        ) from None
    if not isinstance(data, dict) or not {"references", "dimensions", "entries"} <= set(data):
        raise DataError(
            Problem(file=file, expected="top-level mappings references, dimensions and entries")
        )
    return data


def _references(data: dict[str, Any]) -> pd.DataFrame:
    refs = sorted((str(k), " ".join(str(v).split())) for k, v in data["references"].items())
    return pd.DataFrame(
        {
            "key": pd.Series([k for k, _ in refs], dtype=_STR_DTYPE),
            "citation": pd.Series([c for _, c in refs], dtype=_STR_DTYPE),
        }
    )


def read_codebook(path: Path | str) -> Codebook:
    """Read a codebook file written like the shipped ``codebook.yaml``.

    The same strict checks apply: every entry needs a definition and a source that the
    file's references resolve, and a dimension the file declares.
    """
    path = Path(path)
    data = _parse_yaml(path.read_text(encoding="utf-8"), path.name)
    return _from_data(data, path.name)


def _from_data(data: dict[str, Any], file: str) -> Codebook:
    return _build(
        list(data["entries"] or []),
        references=_references(data),
        declared=list(data["dimensions"] or []),
        file=file,
        strict=True,
    )


@functools.cache
def get_codebook() -> Codebook:
    """The shipped codebook (read from ``codebook.yaml`` once, then cached).

    Examples
    --------
    >>> import coprodlib as cp
    >>> "strategy" in cp.get_codebook().dimensions
    True
    """
    text = resources.files("coprodlib").joinpath(_YAML_NAME).read_text(encoding="utf-8")
    return _from_data(_parse_yaml(text, _YAML_NAME), _YAML_NAME)


def codebook() -> pd.DataFrame:
    """The whole shipped codebook as a tidy table, one row per entry.

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``label``, ``dimension``, ``parent``, ``definition``, ``source``,
        ``aliases`` ("; "-joined, empty when none), ``family`` and ``favours`` (strategies),
        ``value_a`` and ``value_b`` (tensions), ``desired`` (effects, pandas ``boolean``) and
        ``direction``; missing where a column does not apply.

    Examples
    --------
    >>> import coprodlib as cp
    >>> cb = cp.codebook()
    >>> cb.loc[cb["id"] == "compromising", ["family", "favours"]].to_numpy().tolist()
    [['balancing', 'both']]
    """
    return get_codebook().frame


# --------------------------------------------------------------------------- exports


def _md_cell(value: Any) -> str:
    if _missing(value):
        return ""
    return str(value).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(cb: Codebook | None = None) -> str:
    """The codebook as Markdown: one table per dimension, then the references.

    Suited to a paper's appendix; ``docs/codebook.md`` is this text for the shipped codebook.
    """
    cb = get_codebook() if cb is None else cb
    frame = cb.frame
    info = cb.dimension_info.set_index("dimension")
    lines = [
        "# The coprod codebook",
        "",
        "<!-- Generated from src/coprodlib/codebook.yaml by "
        "coprodlib.taxonomy.write_codebook_markdown(); do not edit by hand. -->",
        "",
        f"{len(frame)} entries in {len(cb.dimensions)} dimensions. Each entry's id is the code "
        "used in data files; sources are citation keys, listed in full under References.",
        "",
    ]
    for dim in cb.dimensions:
        part = frame[frame["dimension"] == dim]
        label = info.at[dim, "label"] if dim in info.index else dim
        lines += [f"## {label} (`{dim}`)", ""]
        desc = info.at[dim, "description"] if dim in info.index else None
        src = info.at[dim, "source"] if dim in info.index else None
        if not _missing(desc):
            lines += [str(desc) + (f" [{src}]" if not _missing(src) else ""), ""]
        cols = ["id", "label"]
        if part["parent"].notna().any():
            cols.append("parent")
        extra = {
            "tension": ["value_a", "value_b"],
            "strategy": ["family", "favours"],
            "effect": ["desired"],
        }.get(dim, [])
        if dim == "strategy" and part["direction"].notna().any():
            extra = [*extra, "direction"]
        cols += [*extra, "definition", "source"]
        table = part[cols].astype(object).copy()
        if "desired" in table:
            table["desired"] = table["desired"].map({True: "yes", False: "no"})
        table["id"] = "`" + table["id"].astype(str) + "`"
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in table.to_numpy()]
        lines.append("")
    lines += ["## References", ""]
    lines += [f"- **{k}**: {c}" for k, c in cb.references[["key", "citation"]].to_numpy()]
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def export_codebook(path: Path | str, *, fmt: str = "qdc", cb: Codebook | None = None) -> Path:
    """Write the codebook as REFI-QDA ``.qdc``, CSV or Markdown.

    Parameters
    ----------
    path : Path
        Output file (folders are created).
    fmt : {"qdc", "csv", "md"}
        ``qdc``: a REFI-QDA codebook for ATLAS.ti, MAXQDA, NVivo, QualCoder (hierarchy as
        nested codes, definitions as descriptions, dimensions as non-codable top-level codes);
        ``csv``: the :func:`codebook` table; ``md``: :func:`codebook_markdown`.
    cb : Codebook, optional
        Codebook to write (default: the shipped one).

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib, coprodlib as cp
    >>> out = cp.export_codebook(pathlib.Path(tempfile.mkdtemp()) / "cb.qdc", fmt="qdc")
    >>> out.read_bytes().startswith(b"<?xml")
    True
    """
    if fmt not in EXPORT_FORMATS:
        raise ValueError(
            f"fmt={fmt!r} is not an export format; use one of {_quoted(EXPORT_FORMATS)}"
        )
    cb = get_codebook() if cb is None else cb
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a file name such as {path / 'codebook.qdc'}")
    if fmt == "qdc":
        from .qdc import qdc_bytes

        data = qdc_bytes(cb)
    elif fmt == "csv":
        data = cb.frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    else:
        data = codebook_markdown(cb).encode("utf-8")
    return _atomic_write(path, data)


def write_codebook_markdown(path: Path | str | None = None) -> Path:
    """Regenerate ``docs/codebook.md`` (or ``path``) from the shipped codebook."""
    from .paths import project_root

    target = Path(path) if path is not None else project_root() / "docs" / "codebook.md"
    return _atomic_write(target, codebook_markdown().encode("utf-8"))
