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
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import DataError, Problem
from .records import (
    COLUMNS,
    INPUT_FIELDS,
    MAX_HINTS,
    STR_DTYPE,
    EntryBatch,
    close_names,
    did_you_mean,
    dimension_table,
    is_missing,
    normalize_name,
    quoted,
    split_keys,
)

_YAML_NAME = "codebook.yaml"

__all__ = [
    "Codebook",
    "Entry",
    "build_codebook",
    "codebook",
    "get_codebook",
    "read_codebook",
]


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
        return split_keys(self.source)


def build_codebook(
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
    batch = EntryBatch(
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
    table = dimension_table(declared, batch.dims)
    rank = {d: k for k, d in enumerate(table["dimension"])}
    return Codebook(batch.frame(rank), references, table, declared)


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
            c: (None if is_missing(p) else p)
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
            for a in split_keys(aliases):
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

    @property
    def name_keys(self) -> frozenset[str]:
        """The matching keys (see :func:`normalize_name`) of every id, label and alias: a
        new code whose key is among them would clash with an entry."""
        return frozenset(self._keys)

    def labels(self, codes: Any) -> pd.Series:
        """The label of every code in ``codes`` (a Series, a list or one id), in one step.

        A code the codebook does not know keeps its own text, so the result can label a
        table's ids directly. A Series keeps its index.

        Examples
        --------
        >>> import coprodlib as cp
        >>> cp.get_codebook().labels(["bias", "not_a_code"]).tolist()
        ['Bias', 'not_a_code']
        """
        series = codes if isinstance(codes, pd.Series) else pd.Series(_as_list(codes))
        found = series.map(self._frame.set_index("id")["label"])
        return found.where(found.notna(), series)

    def dimensions_of(self, codes: Any) -> pd.Series:
        """The dimension of every code in ``codes`` (missing for codes the codebook lacks).

        The vectorised twin of :meth:`dimension_of`; a Series keeps its index. (The name
        :attr:`dimensions` is the list of the codebook's dimensions.)

        Examples
        --------
        >>> import coprodlib as cp
        >>> cp.get_codebook().dimensions_of(["bias", "inclusiveness", "nope"]).tolist()
        ['strategy', 'value', nan]
        """
        series = codes if isinstance(codes, pd.Series) else pd.Series(_as_list(codes))
        return series.map(self._frame.set_index("id")["dimension"])

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
        if is_missing(name):
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
            self._keys.get(normalize_name(u), (None, None)) if not is_missing(u) else (None, None)
            for u in uniq
        ]
        ids = dict(zip(uniq, (h[0] for h in hits), strict=True))
        how = dict(zip(uniq, (h[1] for h in hits), strict=True))
        return pd.DataFrame(
            {
                "name": s,
                "matched_id": pd.Series(s.map(ids).tolist(), dtype=STR_DTYPE),
                "matched_by": pd.Series(s.map(how).tolist(), dtype=STR_DTYPE),
            }
        )

    def suggest(self, name: Any, n: int = 3, *, dimension: str | None = None) -> list[str]:
        """Up to ``n`` ids that ``name`` may have meant (exact matches of labels or aliases
        first, then close spellings of ids, labels and aliases)."""
        if is_missing(name):
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
        vals = {c: (None if c != "aliases" and is_missing(row[c]) else row[c]) for c in COLUMNS}
        vals["aliases"] = split_keys(vals["aliases"])
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
            empty, unknown or wrong-dimension code, in input order, with suggestions (for
            the first :data:`~coprodlib.taxonomy.records.MAX_HINTS` distinct unknown codes:
            each suggestion compares a code with every name of the codebook).

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
        what = "a codebook id" if dims is None else f"a code of dimension {quoted(dims)}"
        empty = (f"{what} (the cell is empty)", "missing")
        message: dict[Any, tuple[str, str]] = {}
        for n_bad, u in enumerate(bad):  # one message per distinct bad code
            if is_missing(u):
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
                hint = ""
                if n_bad < MAX_HINTS:  # a hint compares with every name: not for all values
                    sugg = [s for s in self.suggest(u, n=9) if s in allowed_set][:3]
                    sugg = sugg or close_names(str(u).casefold(), allowed)
                    hint = did_you_mean(sugg)
                if not hint and dims is not None:
                    more = ", ..." if len(allowed) > 8 else ""
                    hint = f", one of {quoted(allowed[:8])}{more}"
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
        return build_codebook(
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
                if k != "desired" and is_missing(v):
                    r[k] = None
            r["desired"] = None if is_missing(r["desired"]) else bool(r["desired"])
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
                expected="a codebook id, label or alias" + did_you_mean(self.suggest(code)),
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
                    expected=f"{argument}: one of {quoted(dims)}"
                    + did_you_mean(close_names(dimension, dims)),
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


def _as_list(codes: Any) -> list[Any]:
    return [codes] if isinstance(codes, str) or not hasattr(codes, "__iter__") else list(codes)


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
            "key": pd.Series([k for k, _ in refs], dtype=STR_DTYPE),
            "citation": pd.Series([c for _, c in refs], dtype=STR_DTYPE),
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
    return build_codebook(
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
    text = resources.files(__package__).joinpath(_YAML_NAME).read_text(encoding="utf-8")
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
