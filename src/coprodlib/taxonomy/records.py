"""Codebook entries as records: the fields an entry has, and the checks that a batch of entries
(the shipped ``codebook.yaml``, or a dataset's ``codebook_extension.csv``) must pass before it
becomes a :class:`~coprodlib.taxonomy.codebook.Codebook`: ids, known dimensions, a parent
tree without cycles, marks that fit their dimension, and unique names."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem

__all__ = [
    "COLUMNS",
    "INPUT_FIELDS",
    "ID_PATTERN",
    "MAX_DEPTH",
    "MAX_HINTS",
    "FAVOURS",
    "EXPORT_FORMATS",
    "EntryBatch",
    "normalize_name",
    "is_missing",
    "STR_DTYPE",
    "close_names",
    "did_you_mean",
    "dimension_table",
    "quoted",
    "split_keys",
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
#: The deepest a code may sit in the hierarchy: a top-level code is on level 1. Real codebooks
#: rarely go past a handful of levels; a deeper chain is a mistake in an export (or a hostile
#: file), and the exports, which nest codes in XML, must stay well inside parsers' limits.
MAX_DEPTH = 64
#: "Did you mean" hints are looked for for at most this many bad values of one check: each
#: hint compares the value with every name, so a file of many bad values stays fast.
MAX_HINTS = 20
FAVOURS = ("one", "both")
EXPORT_FORMATS = ("qdc", "csv", "md")

STR_DTYPE: Any = "str" if int(pd.__version__.split(".")[0]) >= 3 else object
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


# --------------------------------------------------------------------------- small helpers


def is_missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str | None:
    return None if is_missing(value) else str(value).strip()


def split_keys(value: Any) -> tuple[str, ...]:
    if is_missing(value):
        return ()
    return tuple(k.strip() for k in str(value).split(";") if k.strip())


def _aliases(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(a for a in (_text(v) for v in value) if a)
    return split_keys(value)


def _flag(value: Any) -> bool | str | None:
    """True/False for boolean-like input, None when missing, the text itself when unreadable."""
    if is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return str(value)


def quoted(items: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in items)


def did_you_mean(suggestions: Sequence[str]) -> str:
    return f" (did you mean {quoted(suggestions)}?)" if suggestions else ""


# --------------------------------------------------------------------------- building


def dimension_table(declared: Sequence[dict[str, Any]], used: Iterable[str]) -> pd.DataFrame:
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
        {c: pd.Series([r[k] for r in rows], dtype=STR_DTYPE) for k, c in enumerate(columns)}
    )


def _normalise_record(raw: dict[str, Any]) -> dict[str, Any]:
    rec: dict[str, Any] = {f: _text(raw.get(f)) for f in INPUT_FIELDS}
    rec["aliases"] = _aliases(raw.get("aliases"))
    rec["desired"] = _flag(raw.get("desired"))
    return rec


class EntryBatch:
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
        self.index: dict[str, int] = {}  # id -> first position
        for i, r in enumerate(self.recs):
            if r["id"] is not None:
                self.index.setdefault(r["id"], i)
        self.parent_of = [
            None if r["parent"] is None else self.index.get(r["parent"]) for r in self.recs
        ]
        shape = _tree_shape(self.parent_of)
        self.cycles, self.depth, self.order = shape
        #: entries on a cycle or below one: they have no usable ancestors
        self.in_cycle: set[int] = {i for i, d in enumerate(self.depth) if d < 0}
        self._inherited: dict[str, list[Any]] = {}
        self._ids_of: dict[str, list[str]] = {}
        self._hints = 0

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
        if dimension not in self._ids_of:  # built once per dimension, not once per entry
            self._ids_of[dimension] = [
                c for c, i in self.index.items() if self.dims[i] == dimension
            ]
        return self._ids_of[dimension]

    def hint(self, name: str, candidates: Sequence[str]) -> str:
        """A "did you mean" for ``name``, for the first :data:`MAX_HINTS` bad names only."""
        self._hints += 1
        return did_you_mean(close_names(name, candidates)) if self._hints <= MAX_HINTS else ""

    def dim_of(self, code: str | None) -> str | None:
        return self.dims[self.index[code]] if code in self.index else None

    def inherited(self, i: int, field: str) -> Any:
        """The entry's own ``field``, else the nearest ancestor's of the same dimension.

        Worked out for every entry in one pass down the tree (parents before children) the
        first time a field is asked for. An entry on or below a cycle has only its own value.
        """
        values = self._inherited.get(field)
        if values is None:
            values = [r[field] for r in self.recs]
            for j in self.order:
                p = self.parent_of[j]
                if values[j] is None and p is not None and self.dims[p] == self.dims[j]:
                    values[j] = values[p]
            self._inherited[field] = values
        return values[i]

    # ----------------------------------------------------------------- the checks
    def check_fields(self) -> None:
        slug = "a lower-case slug: a letter, then letters and digits, parts joined by '_' or '-'"
        dims = quoted(self.declared_dims)
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
            unknown = [k for k in split_keys(r["source"]) if k not in self.ref_keys]
            if unknown:
                expected = f"citation keys of the references (unknown: {quoted(unknown)})"
                self.report(i, "source", r["source"], expected)

    def check_tree(self) -> None:
        """Parents exist, no entry is its own ancestor, and no entry sits below MAX_DEPTH.

        The shape of the tree was found in one pass (:func:`_tree_shape`); a cycle is reported
        once, on the row of its first new entry, naming the entries around it.
        """
        for i in self.new:
            p = self.recs[i]["parent"]
            if p is not None and p not in self.index:
                hint = self.hint(p, list(self.index))
                self.report(i, "parent", p, f"the id of an existing entry{hint}", "unknown_code")
        for cycle in self.cycles:
            first = min(cycle)
            if first < self.fixed:  # cannot happen: a valid codebook has no cycle
                continue
            start = cycle.index(first)
            ring = [self.recs[k]["id"] for k in cycle[start:] + cycle[:start]]
            expected = (
                f"a parent that is not one of its own descendants (each entry's parent is the "
                f"next: {_ring_text(ring)}, a cycle of {len(ring):,} entries)"
            )
            self.report(first, "parent", self.recs[first]["parent"], expected)
        for i in self.new:
            if self.depth[i] == MAX_DEPTH:  # the first level too deep; the rest lie below it
                top = self.recs[self._top(i)]["id"]
                expected = (
                    f"a code at most {MAX_DEPTH} levels deep; this one is on level "
                    f"{MAX_DEPTH + 1} below {top!r} (entries below it are deeper still)"
                )
                self.report(i, "parent", self.recs[i]["parent"], expected, "too_deep")

    def _top(self, i: int) -> int:
        """The top-level entry above ``i`` (for an entry not on or below a cycle)."""
        while self.parent_of[i] is not None:
            i = self.parent_of[i]  # type: ignore[assignment]
        return i

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
            options = quoted(self.ids_of("direction"))
            self.report(i, "direction", d, f"a coping direction, one of {options}")

    def _check_tension(self, i: int) -> None:
        r = self.recs[i]
        for field in ("value_a", "value_b"):
            v = r[field]
            if v is None:
                self.report(i, field, None, "the id of a value (a tension names two)", "missing")
            elif self.dim_of(v) != "value":
                hint = self.hint(v, self.ids_of("value"))
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
        for i in self.order:  # parents before children
            p = self.parent_of[i]
            if dims[i] == "strategy":  # the top-most strategy above (a family is its own)
                strategy_parent = p is not None and dims[p] == "strategy"
                family[i] = family[p] if strategy_parent else recs[i]["id"]  # type: ignore[index]
                favours[i] = self.inherited(i, "favours")
            elif dims[i] == "effect":
                desired[i] = self.inherited(i, "desired")
        order = _canonical_order(self.parent_of, [rank[d] for d in dims])

        def col(values: list[Any]) -> pd.Series:
            return pd.Series([values[i] for i in order], dtype=STR_DTYPE)

        def field(name: str) -> pd.Series:
            return col([r[name] for r in recs])

        return pd.DataFrame(
            {
                "id": field("id"),
                "label": field("label"),
                "dimension": col(dims),
                "parent": field("parent"),
                "definition": field("definition"),
                "source": col(["; ".join(split_keys(r["source"])) or None for r in recs]),
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


def _tree_shape(
    parent_of: Sequence[int | None],
) -> tuple[list[list[int]], list[int], list[int]]:
    """The cycles, depths and a parents-first order of a forest given by parent positions.

    One pass, without recursion: each walk climbs from an entry not yet seen until it meets
    a top-level entry, an entry already placed, or its own path (a cycle), then gives the
    entries it climbed their depth on the way back. Every entry is climbed once, so the cost
    is linear in the number of entries, however deep the tree.

    Returns
    -------
    cycles : list of list of int
        Each cycle's entries, in parent order (each entry's parent is the next one).
    depth : list of int
        The number of ancestors of each entry; -1 for entries on or below a cycle.
    order : list of int
        The entries not on or below a cycle, each after its parent.

    Examples
    --------
    >>> _tree_shape([None, 0, 1, 4, 3, 3])
    ([[3, 4]], [0, 1, 2, -1, -1, -1], [0, 1, 2])
    """
    n = len(parent_of)
    unseen, climbing, placed = 0, 1, 2
    state = [unseen] * n
    depth = [0] * n
    cycles: list[list[int]] = []
    order: list[int] = []
    for start in range(n):
        if state[start] != unseen:
            continue
        path: list[int] = []
        j: int | None = start
        while j is not None and state[j] == unseen:
            state[j] = climbing
            path.append(j)
            j = parent_of[j]
        if j is not None and state[j] == climbing:  # back on this walk's own path
            cycles.append(path[path.index(j) :])
            d = -1
        else:  # a top-level entry's parent (None), or an entry placed by an earlier walk
            d = 0 if j is None else depth[j] + 1 if depth[j] >= 0 else -1
        for k in reversed(path):  # top first
            state[k] = placed
            depth[k] = d
            if d >= 0:
                order.append(k)
                d += 1
    return cycles, depth, order


def _ring_text(ids: Sequence[Any], head: int = 6, tail: int = 2) -> str:
    """A cycle of ids as ``a -> b -> ... -> a``, shortened in the middle when long."""
    names = [str(i) for i in ids]
    if len(names) > head + tail:
        names = [*names[:head], "...", *names[-tail:]]
    return " -> ".join([*names, str(ids[0])])


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


def close_names(name: Any, candidates: Sequence[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(str(name), list(candidates), n=n, cutoff=0.6)
