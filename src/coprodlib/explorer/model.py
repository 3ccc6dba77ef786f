"""The numbers behind :func:`coprodlib.explore`: co-occurrence, chains and segments, fast.

The explorer recounts on every click, on datasets of a million codings, so it cannot run the
pandas analyses of :mod:`coprodlib.analysis.qualitative` each time. :class:`ExplorerModel`
reads the dataset once into integer arrays (one row per segment and code, the derived
tensions included, each with its segment's row; per segment its case and its participant,
document and case as numbers) and then answers each question with numpy masks and one sparse
product. It counts by the same rules as :func:`coprodlib.cooccurrence` and
:func:`coprodlib.chain` on :func:`coprodlib.select_cases` of the chosen cases, and the tests
check that it gives their very tables.

Nothing here builds a widget; :mod:`coprodlib.explorer.widget` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from ..analysis.derived import derived_pairs
from ..analysis.qualitative import STRATEGY_LEVELS, UNITS, pair_counts
from ..contract.dataset import Dataset, check_case_ids, coding_segments

__all__ = ["Axis", "ExplorerModel", "CHAIN_DIMENSIONS", "SEGMENT_COLUMNS"]

#: The dimensions of a chain, in the order of its columns.
CHAIN_DIMENSIONS = ("tension", "strategy", "effect")

#: The columns of :meth:`ExplorerModel.segments` (``text`` only when asked for).
SEGMENT_COLUMNS = ["segment_id", "case_id", "participant_id", "role", "coded"]


@dataclass(frozen=True)
class Axis:
    """The codes along one side of the heatmap.

    ``ids`` are the codebook ids shown (strategy families when strategies count by family),
    ``labels`` their codebook labels, and ``of_entry`` gives, for every row of the codebook
    frame, its position in ``ids`` (-1 for entries of other dimensions).
    """

    dimension: str
    ids: list[str]
    labels: list[str]
    of_entry: np.ndarray


class ExplorerModel:
    """A dataset read once into arrays, for counts by case selection, dimensions and unit.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`coprodlib.load`.
    derive_tensions : bool, optional
        As in :func:`coprodlib.cooccurrence`: ``None`` follows ``dataset.yml``.

    Examples
    --------
    >>> import coprodlib as cp
    >>> from coprodlib.explorer.model import ExplorerModel
    >>> model = ExplorerModel(cp.load())
    >>> counts = model.cooccurrence(model.case_ids, "tension", "effect", unit="case")
    >>> counts.equals(cp.cooccurrence(cp.load(), "tension", "effect", unit="case"))
    True
    """

    def __init__(self, dataset: Dataset, *, derive_tensions: bool | None = None) -> None:
        if not isinstance(dataset, Dataset):
            raise TypeError(f"dataset must be a coprodlib Dataset, not {type(dataset).__name__}")
        self.dataset = dataset
        frame = dataset.codebook.frame
        self.ids = pd.Index(frame["id"].astype(str))
        self.labels = dict(zip(self.ids, frame["label"].astype(str), strict=True))
        self.entry_dimension = frame["dimension"].astype(str).to_numpy()
        self.dimensions = list(dict.fromkeys(self.entry_dimension))
        self.family = frame["family"].to_numpy(dtype=object) if "family" in frame else None
        segments = dataset.segments
        self.case_ids = dataset.case_ids
        self.n_segments = len(segments)
        self.segment_case = _codes_of(segments["case_id"], self.case_ids)
        self.units = {unit: self._unit_codes(key) for unit, key in UNITS.items()}
        self.pair_segment, self.pair_entry = self._pairs(derive_tensions)
        self.pair_case = self.segment_case[self.pair_segment]
        #: The codebook entries coded (or derived) on some segment.
        self.used_entries = np.unique(self.pair_entry)
        self._axes: dict[tuple[str, str], Axis] = {}
        self._paths: dict[str, tuple[np.ndarray, ...]] = {}
        self._roles: np.ndarray | None = None

    # ----------------------------------------------------------------- reading once

    def _unit_codes(self, column: str) -> tuple[np.ndarray, int] | None:
        """Per segment, its unit as a number (-1: none), and how many units; ``None`` when
        the segments have no such column."""
        segments = self.dataset.segments
        if column not in segments.columns:
            return None
        if column == "segment_id":
            return np.arange(self.n_segments, dtype=np.int64), self.n_segments
        codes, uniques = pd.factorize(segments[column].astype("string"), sort=True)
        return codes.astype(np.int64), len(uniques)

    def _pairs(self, derive_tensions: bool | None) -> tuple[np.ndarray, np.ndarray]:
        """(segment row, codebook entry) of every code on a segment, derived tensions included,
        each pair once (a code counts once per segment, however many coders gave it)."""
        codings = self.dataset.codings
        rows = np.asarray(coding_segments(self.dataset), dtype=np.int64)
        codes = codings["code"]
        if isinstance(codes.dtype, pd.CategoricalDtype):
            of_category = self.ids.get_indexer(codes.cat.categories.astype(str))
            category = codes.cat.codes.to_numpy()
            entries = np.where(category >= 0, of_category[np.maximum(category, 0)], -1)
        else:
            entries = self.ids.get_indexer(codes.astype(str))
        keep = (rows >= 0) & (entries >= 0)  # a loaded dataset has no other codings
        rows, entries = rows[keep], entries[keep].astype(np.int64)
        d_rows, d_entries = derived_pairs(
            self.dataset, rows, entries, self.n_segments, derive_tensions=derive_tensions
        )
        key = np.unique(
            np.concatenate([rows, d_rows]) * len(self.ids) + np.concatenate([entries, d_entries])
        )
        return key // len(self.ids), key % len(self.ids)

    def prepare(self) -> None:
        """Read now what the first chain of each strategy level and the first listing of
        segments would otherwise read then (a few tenths of a second on a million codings)."""
        for level in STRATEGY_LEVELS:
            self._chain_paths(level)
        self.roles()

    def roles(self) -> np.ndarray:
        """Per segment, its participant's role (object array; None where unknown)."""
        if self._roles is None:
            parts = self.dataset.participants
            lookup = dict(zip(parts["participant_id"].astype(str), parts["role"], strict=False))
            pid = self.dataset.segments["participant_id"].astype(str).to_numpy()
            self._roles = np.array([lookup.get(p) for p in pid], dtype=object)
        return self._roles

    # ----------------------------------------------------------------- arguments

    def check_cases(self, cases: str | Sequence[str] | None) -> list[str]:
        """The chosen case ids (all when ``None``), in the dataset's order; unknown ones are a
        DataError naming them and the cases there are."""
        if cases is None:
            return list(self.case_ids)
        wanted = [cases] if isinstance(cases, str) else [str(c) for c in cases]
        check_case_ids(wanted, self.case_ids, argument="cases=")
        return [c for c in self.case_ids if c in set(wanted)]

    def check_choice(self, argument: str, value: str) -> str:
        """``value`` if it is a valid choice for ``argument`` (x, y, unit, strategy_level),
        else a ValueError naming the argument, the value and the choices."""
        choices = {
            "x": self.dimensions,
            "y": self.dimensions,
            "unit": self.unit_choices(),
            "strategy_level": list(STRATEGY_LEVELS),
        }[argument]
        if not isinstance(value, str) or value not in choices:
            what = "a codebook dimension" if argument in ("x", "y") else "supported"
            raise ValueError(f"{argument}={value!r} is not {what}; use one of {', '.join(choices)}")
        return value

    def coded_dimensions(self) -> list[str]:
        """The codebook dimensions with at least one coding in the dataset, codebook order."""
        used = set(self.entry_dimension[self.used_entries])
        return [d for d in self.dimensions if d in used]

    def unit_choices(self) -> list[str]:
        """The units of :data:`coprodlib.UNITS` whose column the segments have."""
        return [unit for unit, codes in self.units.items() if codes is not None]

    # ----------------------------------------------------------------- co-occurrence

    def axis(self, dimension: str, strategy_level: str = "family") -> Axis:
        """The codes of a dimension along the heatmap: every code in codebook order, or for
        strategies counted by family, the families in the order they first occur."""
        key = (dimension, strategy_level if dimension == "strategy" else "")
        if key in self._axes:
            return self._axes[key]
        in_dim = self.entry_dimension == dimension
        codes = self.ids.to_numpy(dtype=object)
        if dimension == "strategy" and strategy_level == "family" and self.family is not None:
            shown = np.where(pd.isna(self.family), codes, self.family).astype(str)
        else:
            shown = codes.astype(str)
        ids = list(dict.fromkeys(shown[in_dim]))
        position = {c: i for i, c in enumerate(ids)}
        of_entry = np.array(
            [position[s] if d else -1 for s, d in zip(shown, in_dim, strict=True)],
            dtype=np.int64,
        )
        labels = [self.labels.get(c, c) for c in ids]
        self._axes[key] = Axis(dimension, ids, labels, of_entry)
        return self._axes[key]

    def _case_mask(self, cases: Sequence[str]) -> np.ndarray:
        chosen = np.zeros(len(self.case_ids) + 1, dtype=bool)  # the last slot: no case
        chosen[[self.case_ids.index(c) for c in cases]] = True
        return chosen[self.pair_case]

    def _incidence(
        self, keep: np.ndarray, axis: Axis, unit: str
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Units by codes of ``axis`` (1 where the unit holds the code), for the pairs kept,
        and the unit of each pair kept."""
        unit_of_segment, n_units = self.units[unit]
        pos = axis.of_entry[self.pair_entry]
        units = unit_of_segment[self.pair_segment]
        use = keep & (pos >= 0) & (units >= 0)
        matrix = sparse.csr_matrix(
            (np.ones(int(use.sum()), dtype=np.int64), (units[use], pos[use])),
            shape=(n_units, len(axis.ids)),
        )
        matrix.data[:] = 1  # duplicates were summed; presence is what counts
        return matrix, units

    def cooccurrence(
        self,
        cases: Sequence[str],
        x: str,
        y: str,
        *,
        unit: str = "segment",
        strategy_level: str = "family",
    ) -> pd.DataFrame:
        """The table :func:`coprodlib.cooccurrence` gives for ``x`` by ``y`` on the chosen
        cases: one row per pair of codes, columns ``<x>``, ``<y>`` (``_a``/``_b`` when the
        same), ``n`` and ``c``; strategies by family when ``strategy_level="family"``."""
        ax, ay = self.axis(x, strategy_level), self.axis(y, strategy_level)
        keep = self._case_mask(cases)
        a, _ = self._incidence(keep, ax, unit)
        b, _ = self._incidence(keep, ay, unit)
        both, n_a, n_b, c = pair_counts(a, b)
        x_label, y_label = (f"{x}_a", f"{y}_b") if x == y else (x, y)
        return pd.DataFrame(
            {
                x_label: pd.Categorical(np.repeat(ax.ids, len(ay.ids)), categories=ax.ids),
                y_label: pd.Categorical(np.tile(ay.ids, len(ax.ids)), categories=ay.ids),
                "n": both.ravel(),
                "c": c.ravel(),
            }
        )

    def segments(
        self,
        cases: Sequence[str],
        x: str,
        y: str,
        x_code: str,
        y_code: str,
        *,
        unit: str = "segment",
        strategy_level: str = "family",
        text: bool = False,
    ) -> pd.DataFrame:
        """The segments behind one heatmap cell, in the order of the segments table.

        With ``unit="segment"`` these are the segments coded with both ``x_code`` and
        ``y_code``; with a larger unit (a participant, document or case holding both codes),
        the segments of those units that carry either code, ``coded`` saying which (``both``,
        or the one code). Columns :data:`SEGMENT_COLUMNS`, and ``text`` when ``text=True``.
        """
        ax, ay = self.axis(x, strategy_level), self.axis(y, strategy_level)
        i, j = _position(ax, x_code, "x_code"), _position(ay, y_code, "y_code")
        keep = self._case_mask(cases)
        a, units = self._incidence(keep, ax, unit)
        b, _ = self._incidence(keep, ay, unit)
        held = np.flatnonzero(a[:, [i]].toarray().ravel() & b[:, [j]].toarray().ravel())
        in_cell = keep & np.isin(units, held)
        has_x = in_cell & (ax.of_entry[self.pair_entry] == i)
        has_y = in_cell & (ay.of_entry[self.pair_entry] == j)
        marks = np.zeros(self.n_segments, dtype=np.int8)
        np.bitwise_or.at(marks, self.pair_segment[has_x], 1)
        np.bitwise_or.at(marks, self.pair_segment[has_y], 2)
        if unit == "segment":
            marks[marks != 3] = 0
        rows = np.flatnonzero(marks)
        segs = self.dataset.segments
        coded = np.array(["", x_code, y_code, "both"], dtype=object)[marks[rows]]
        out = pd.DataFrame(
            {
                "segment_id": segs["segment_id"].astype(str).to_numpy()[rows],
                "case_id": segs["case_id"].astype(str).to_numpy()[rows],
                "participant_id": segs["participant_id"].astype(str).to_numpy()[rows],
                "role": self.roles()[rows],
                "coded": coded,
            }
        )
        if text:
            values = segs["text"] if "text" in segs.columns else pd.Series(pd.NA, index=segs.index)
            out["text"] = values.to_numpy(dtype=object)[rows]
        return out

    # ----------------------------------------------------------------- chains

    def _chain_paths(self, strategy_level: str) -> tuple[np.ndarray, ...]:
        """Per path (segment by tension by strategy by effect, -1 for none): the segment's
        case and the three positions, read once per strategy level."""
        if strategy_level in self._paths:
            return self._paths[strategy_level]
        parts = []
        for dim in CHAIN_DIMENSIONS:
            pos = self.axis(dim, strategy_level).of_entry[self.pair_entry]
            use = pos >= 0
            part = pd.DataFrame({"segment": self.pair_segment[use], dim: pos[use]})
            parts.append(part.drop_duplicates())
        paths = pd.DataFrame({"segment": np.unique(np.concatenate([p["segment"] for p in parts]))})
        for part in parts:
            paths = paths.merge(part, on="segment", how="left")
        paths = paths.fillna(-1).astype(np.int64)
        found = (
            self.segment_case[paths["segment"].to_numpy()],
            *(paths[d].to_numpy() for d in CHAIN_DIMENSIONS),
        )
        self._paths[strategy_level] = found
        return found

    def chain(self, cases: Sequence[str], *, strategy_level: str = "family") -> pd.DataFrame:
        """The table :func:`coprodlib.chain` gives (no ``by``) on the chosen cases: columns
        ``tension``, ``strategy``, ``effect`` (missing where the segment has none) and ``n``,
        by decreasing ``n``."""
        case, *positions = self._chain_paths(strategy_level)
        chosen = np.zeros(len(self.case_ids) + 1, dtype=bool)
        chosen[[self.case_ids.index(c) for c in cases]] = True
        keep = chosen[case]
        axes = [self.axis(d, strategy_level) for d in CHAIN_DIMENSIONS]
        sizes = [len(a.ids) + 1 for a in axes]
        key = np.zeros(int(keep.sum()), dtype=np.int64)
        for pos, size in zip(positions, sizes, strict=True):
            key = key * size + (pos[keep] + 1)
        combos, n = np.unique(key, return_counts=True)
        out = {}
        for dim, ax, size in zip(CHAIN_DIMENSIONS[::-1], axes[::-1], sizes[::-1], strict=True):
            pos = combos % size - 1
            combos = combos // size
            names = np.array([*ax.ids, None], dtype=object)  # position -1: none
            out[dim] = pd.Series(names[pos], dtype="str")
        table = pd.DataFrame({d: out[d] for d in CHAIN_DIMENSIONS}).assign(n=n.astype(np.int64))
        table = table.sort_values(
            ["n", *CHAIN_DIMENSIONS], ascending=[False, True, True, True], kind="mergesort"
        )
        return table.reset_index(drop=True)


def _codes_of(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Each value's position in ``categories``; missing or unknown values get the last slot
    (``len(categories)``), which no selection of cases includes."""
    codes = pd.Categorical(values.astype("string"), categories=categories).codes.astype(np.int64)
    return np.where(codes >= 0, codes, len(categories))


def _position(axis: Axis, code: str, argument: str) -> int:
    if code not in axis.ids:
        raise ValueError(
            f"{argument}={code!r} is not a code along the {axis.dimension!r} axis; use one of "
            f"{', '.join(axis.ids)}"
        )
    return axis.ids.index(code)
