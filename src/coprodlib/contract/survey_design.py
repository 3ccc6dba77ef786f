"""The survey's design (``scales.yml``) and the check of survey answers against it.

A survey table (``survey.csv``) has one row per respondent: ``respondent_id``, the vignette
condition, the role, Likert items, the chosen coping strategy and covariates. ``scales.yml``
beside it declares the Likert range, the scales with their items (and which are reversed), the
vignette conditions and the coping choices. This module reads that file into a
:class:`SurveyDesign` and lists every answer that does not fit it; the analyses of the answers
are in :mod:`coprodlib.analysis.scales` and :mod:`coprodlib.analysis.survey_models`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._checks import (
    require_frame,
)
from ..errors import DataError, Problem

__all__ = [
    "Scale",
    "SurveyDesign",
    "read_survey_design",
    "check_survey",
    "scales_of",
    "item_problems",
    "cell_problems",
]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --------------------------------------------------------------------------- design types


@dataclass(frozen=True)
class Scale:
    """A multi-item Likert scale.

    Parameters
    ----------
    name : str
        Column name of the scale score (snake_case).
    items : sequence of str
        Columns of the survey holding the items.
    reversed : sequence of str
        Items worded in the opposite direction; scored as ``low + high - answer``.
    low, high : number
        Lowest and highest answer of the Likert range.
    min_answered : int, optional
        Fewest answered items for a score; ``None`` (default) means all items.
    label : str, optional
        Readable name for tables and figures; defaults to ``name``.
    """

    name: str
    items: tuple[str, ...]
    reversed: tuple[str, ...] = ()
    low: float = 1
    high: float = 5
    min_answered: int | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        items = (self.items,) if isinstance(self.items, str) else tuple(self.items)
        rev = (self.reversed,) if isinstance(self.reversed, str) else tuple(self.reversed)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "reversed", rev)
        if not items:
            raise ValueError(f"Scale {self.name!r}: items is empty; list the item columns")
        if len(set(items)) != len(items):
            raise ValueError(f"Scale {self.name!r}: items repeat a column: {list(items)}")
        stray = [r for r in rev if r not in items]
        if stray:
            raise ValueError(
                f"Scale {self.name!r}: reversed names {stray}, which are not among its items "
                f"{list(items)}"
            )
        if not self.low < self.high:
            raise ValueError(
                f"Scale {self.name!r}: low={self.low!r} must be below high={self.high!r}"
            )
        need = len(items) if self.min_answered is None else self.min_answered
        if isinstance(need, bool) or not isinstance(need, (int, np.integer)):
            raise ValueError(f"Scale {self.name!r}: min_answered={need!r} must be a whole number")
        if not 1 <= need <= len(items):
            raise ValueError(
                f"Scale {self.name!r}: min_answered={need!r} must lie between 1 and the "
                f"number of items ({len(items)})"
            )
        object.__setattr__(self, "min_answered", int(need))
        if self.label is None:
            object.__setattr__(self, "label", self.name)


@dataclass(frozen=True)
class SurveyDesign:
    """What a survey holds: its scales, and the columns and levels of condition and choice.

    ``conditions`` and ``choices`` list the allowed levels (``None``: not checked).
    """

    scales: dict[str, Scale] = field(default_factory=dict)
    condition_column: str = "vignette"
    conditions: list[str] | None = None
    choice_column: str = "coping_choice"
    choices: list[str] | None = None
    role_column: str = "role"

    @property
    def items(self) -> list[str]:
        """Every item of every scale, in order of declaration (each once)."""
        return list(dict.fromkeys(i for s in self.scales.values() for i in s.items))


# --------------------------------------------------------------------------- scales.yml

_TOP_KEYS = ("likert", "scales", "conditions", "choices")
_SCALE_KEYS = ("label", "items", "reversed", "min_answered", "low", "high")
_LEVEL_KEYS = ("column", "levels")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def _unknown_keys(mapping: Mapping, allowed: Sequence[str], where: str, file: str) -> list[Problem]:
    problems = []
    for key in mapping:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(
            Problem(
                file=file,
                column=f"{where}{key}",
                value=key,
                expected=f"one of the keys {', '.join(allowed)}{hint}",
                kind="unknown_key",
            )
        )
    return problems


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _levels_section(
    raw: Any, key: str, default_column: str, file: str, problems: list[Problem]
) -> tuple[str, list[str] | None]:
    if raw is None:
        return default_column, None
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(
                file=file,
                column=key,
                value=raw,
                expected="a mapping such as {column: name, levels: [a, b]}",
            )
        )
        return default_column, None
    problems.extend(_unknown_keys(raw, _LEVEL_KEYS, f"{key}.", file))
    column = raw.get("column", default_column)
    if not isinstance(column, str) or not column.strip():
        problems.append(
            Problem(file=file, column=f"{key}.column", value=column, expected="a column name")
        )
        column = default_column
    levels = raw.get("levels")
    if levels is not None:
        if not _string_list(levels) or not levels:
            problems.append(
                Problem(
                    file=file,
                    column=f"{key}.levels",
                    value=levels,
                    expected="a non-empty list of level names",
                )
            )
            levels = None
        elif len(set(levels)) != len(levels):
            problems.append(
                Problem(
                    file=file,
                    column=f"{key}.levels",
                    value=levels,
                    expected="each level listed once",
                )
            )
    return column, levels


def _scale_from(
    name: Any, raw: Any, likert: tuple[Any, Any], file: str, problems: list[Problem]
) -> Scale | None:
    where = f"scales.{name}"
    before = len(problems)
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(
            Problem(
                file=file,
                column=where,
                value=name,
                expected="a scale name usable as a column name (letters, digits, underscores)",
            )
        )
    if not isinstance(raw, Mapping):
        problems.append(
            Problem(
                file=file,
                column=where,
                value=raw,
                expected="a mapping with items (and optionally reversed, min_answered, label)",
            )
        )
        return None
    problems.extend(_unknown_keys(raw, _SCALE_KEYS, f"{where}.", file))
    items = raw.get("items")
    if not _string_list(items) or not items:
        problems.append(
            Problem(
                file=file,
                column=f"{where}.items",
                value=items,
                expected="a non-empty list of item column names",
            )
        )
        items = []
    elif len(set(items)) != len(items):
        problems.append(
            Problem(
                file=file, column=f"{where}.items", value=items, expected="each item listed once"
            )
        )
    rev = raw.get("reversed", [])
    if rev is None:
        rev = []
    if not _string_list(rev):
        problems.append(
            Problem(
                file=file,
                column=f"{where}.reversed",
                value=rev,
                expected="a list of item names (may be empty)",
            )
        )
        rev = []
    stray = [r for r in rev if items and r not in items]
    if stray:
        problems.append(
            Problem(
                file=file,
                column=f"{where}.reversed",
                value=stray,
                expected=f"items of this scale ({', '.join(items)})",
            )
        )
    low, high = raw.get("low", likert[0]), raw.get("high", likert[1])
    for key, value in (("low", low), ("high", high)):
        if value is None:
            problems.append(
                Problem(
                    file=file,
                    column=f"{where}.{key}",
                    expected=f"a number: give likert: {{low: 1, high: 5}} or {key} on the scale",
                    kind="missing",
                )
            )
        elif not _is_number(value):
            problems.append(
                Problem(file=file, column=f"{where}.{key}", value=value, expected="a number")
            )
    if _is_number(low) and _is_number(high) and not low < high:
        problems.append(
            Problem(
                file=file,
                column=f"{where}.high",
                value=high,
                expected=f"a number above low ({low})",
            )
        )
    need = raw.get("min_answered")
    if need is not None and (
        isinstance(need, bool) or not isinstance(need, int) or not 1 <= need <= max(len(items), 1)
    ):
        problems.append(
            Problem(
                file=file,
                column=f"{where}.min_answered",
                value=need,
                expected=f"a whole number from 1 to the number of items ({len(items)})",
            )
        )
    label = raw.get("label", name)
    if not isinstance(label, str):
        problems.append(
            Problem(file=file, column=f"{where}.label", value=label, expected="a text label")
        )
    if len(problems) > before:
        return None
    return Scale(
        name=name,
        items=tuple(items),
        reversed=tuple(rev),
        low=low,
        high=high,
        min_answered=need,
        label=label,
    )


def _design_from(raw: Any, file: str) -> SurveyDesign:
    problems: list[Problem] = []
    if not isinstance(raw, Mapping):
        raise DataError(
            Problem(
                file=file,
                value=raw if raw is None or isinstance(raw, (str, int, float)) else None,
                expected="a YAML mapping with the keys likert, scales, conditions, choices",
            )
        )
    problems.extend(_unknown_keys(raw, _TOP_KEYS, "", file))
    likert = raw.get("likert", {})
    if likert is None:
        likert = {}
    if not isinstance(likert, Mapping):
        problems.append(
            Problem(
                file=file, column="likert", value=likert, expected="a mapping {low: 1, high: 5}"
            )
        )
        likert = {}
    problems.extend(_unknown_keys(likert, ("low", "high"), "likert.", file))
    for key in ("low", "high"):
        if key in likert and not _is_number(likert[key]):
            problems.append(
                Problem(file=file, column=f"likert.{key}", value=likert[key], expected="a number")
            )
    scales_raw = raw.get("scales")
    scales: dict[str, Scale] = {}
    if not isinstance(scales_raw, Mapping) or not scales_raw:
        problems.append(
            Problem(
                file=file,
                column="scales",
                value=scales_raw,
                expected="a mapping from scale name to {items: [...], reversed: [...]}",
                kind="missing" if scales_raw is None else "invalid",
            )
        )
    else:
        for name, spec in scales_raw.items():
            scale = _scale_from(name, spec, (likert.get("low"), likert.get("high")), file, problems)
            if scale is not None:
                scales[name] = scale
    condition_column, conditions = _levels_section(
        raw.get("conditions"), "conditions", "vignette", file, problems
    )
    choice_column, choices = _levels_section(
        raw.get("choices"), "choices", "coping_choice", file, problems
    )
    if problems:
        raise DataError(problems)
    return SurveyDesign(
        scales=scales,
        condition_column=condition_column,
        conditions=conditions,
        choice_column=choice_column,
        choices=choices,
    )


def read_survey_design(path: str | Path) -> SurveyDesign:
    """Read the scale definitions (``scales.yml``) that sit beside a survey table.

    The file looks like this::

        likert: {low: 1, high: 5}        # default answer range of every scale
        scales:
          external_efficacy:
            label: External efficacy
            items: [ee1, ee2, ee3, ee4]
            reversed: [ee3]               # scored as low + high - answer
            min_answered: 3               # optional; default: every item
            # optional low: / high: override the range for this scale
        conditions: {column: vignette, levels: [control, conflict]}
        choices: {column: coping_choice, levels: [avoidance, escalation, balancing]}

    ``conditions`` and ``choices`` are optional; without ``levels`` their values are not
    checked.

    Raises
    ------
    DataError
        The file is missing, is not valid YAML, or has an unknown key or a bad value; every
        problem found is listed with the key (``scales.external_efficacy.reversed``), the
        value and what was expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import coprodlib as cp
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "scales.yml").write_text(
    ...     "likert: {low: 1, high: 5}\\nscales:\\n  trust: {items: [t1, t2], reversed: [t2]}\\n")
    >>> design = cp.read_survey_design(folder / "scales.yml")
    >>> design.scales["trust"].reversed, design.scales["trust"].min_answered
    (('t2',), 2)
    """
    import yaml

    path = Path(path)
    file = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    if not path.is_file():
        raise DataError(
            Problem(
                file=file,
                expected="a scales.yml file beside the survey, defining likert and scales",
                kind="missing_file",
            )
        )
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(
            Problem(
                file=file,
                row=None if mark is None else mark.line + 1,
                expected=f"valid YAML ({getattr(err, 'problem', None) or err})",
                kind="syntax",
            )
        ) from None
    except UnicodeDecodeError:
        raise DataError(Problem(file=file, expected="a UTF-8 text file", kind="encoding")) from None
    return _design_from(raw, file)


# --------------------------------------------------------------------------- checking answers


def scales_of(design_or_scales: Any) -> list[Scale]:
    if isinstance(design_or_scales, SurveyDesign):
        scales = list(design_or_scales.scales.values())
    elif isinstance(design_or_scales, Scale):
        scales = [design_or_scales]
    elif isinstance(design_or_scales, Mapping):
        scales = list(design_or_scales.values())
    elif isinstance(design_or_scales, Sequence) and not isinstance(design_or_scales, str):
        scales = list(design_or_scales)
    else:
        raise TypeError(
            "give a SurveyDesign, a Scale, or a dict or list of Scales, not "
            f"{type(design_or_scales).__name__}"
        )
    if not scales or not all(isinstance(s, Scale) for s in scales):
        raise TypeError("give at least one Scale (read them with read_survey_design)")
    return scales


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds, so messages read ``7``, not ``np.int64(7)``."""
    return value.item() if isinstance(value, np.generic) else value


def cell_problems(
    mask: pd.DataFrame,
    values: pd.DataFrame,
    expected: Mapping[Hashable, str],
    file: str,
    kind: str,
    cap: int,
) -> list[Problem]:
    """One Problem per True cell of ``mask`` (rows are positions), at most ``cap`` per column."""
    rows, cols = np.nonzero(mask.to_numpy())
    if rows.size == 0:
        return []
    hits = pd.DataFrame({"row": rows, "col": cols}).sort_values(["col", "row"])
    hits["rank"] = hits.groupby("col").cumcount()
    shown = hits[hits["rank"] < cap]
    raw = values.to_numpy()
    problems = [
        Problem(
            file=file,
            row=int(r) + 2,
            column=str(mask.columns[c]),
            value=_plain(raw[r, c]),
            expected=expected[mask.columns[c]],
            kind=kind,
        )
        for r, c in zip(shown["row"], shown["col"], strict=True)
    ]
    extra = hits[hits["rank"] >= cap].groupby("col").size()
    problems += [
        Problem(
            file=file,
            column=str(mask.columns[c]),
            expected=f"{expected[mask.columns[c]]} ({k} more rows like this not listed)",
            kind=kind,
        )
        for c, k in extra.items()
    ]
    return problems


def _missing_columns(data: pd.DataFrame, wanted: Mapping[str, str], file: str) -> list[Problem]:
    available = [str(c) for c in data.columns]
    problems = []
    for column, why in wanted.items():
        if column in data.columns:
            continue
        close = difflib.get_close_matches(column, available, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(
            Problem(
                file=file,
                column=column,
                expected=f"a column {column!r} for {why}{hint}",
                kind="missing_column",
            )
        )
    return problems


def item_problems(
    data: pd.DataFrame, scales: list[Scale], file: str, cap: int
) -> tuple[list[Problem], pd.DataFrame]:
    """Missing item columns, non-numeric and out-of-range answers; and the numeric items."""
    owner = {i: s for s in scales for i in s.items}
    problems = _missing_columns(
        data, {i: f"an item of scale {s.name!r}" for i, s in owner.items()}, file
    )
    present = [i for i in owner if i in data.columns]
    raw = data[present].reset_index(drop=True)
    numeric = raw.apply(lambda col: pd.to_numeric(col, errors="coerce")).astype(float)
    nonnum = raw.notna() & numeric.isna()
    low = pd.Series({i: owner[i].low for i in present}, dtype=float)
    high = pd.Series({i: owner[i].high for i in present}, dtype=float)
    outside = numeric.notna() & (numeric.lt(low) | numeric.gt(high))
    problems += cell_problems(
        nonnum, raw, {i: "a number (a Likert answer) or an empty cell" for i in present}, file,
        "not_numeric", cap,
    )  # fmt: skip
    problems += cell_problems(
        outside,
        raw,
        {i: f"an answer from {owner[i].low:g} to {owner[i].high:g}" for i in present},
        file,
        "out_of_range",
        cap,
    )
    return problems, numeric


def check_survey(
    survey: pd.DataFrame,
    design: SurveyDesign,
    *,
    file: str = "survey.csv",
    id_column: str = "respondent_id",
    max_per_column: int = 20,
) -> list[Problem]:
    """List everything in a survey table that does not fit its design.

    Checks, all by vectorised masks: the respondent id column and every declared item column
    exist; answers are numbers within the scale's Likert range (empty cells are allowed);
    condition and choice values are among the declared levels (empty cells allowed);
    respondent ids are present and unique.

    Parameters
    ----------
    survey : DataFrame
        The survey table, one row per respondent, rows in file order.
    design : SurveyDesign
        From :func:`read_survey_design`.
    file : str
        File name used in the problems.
    id_column : str
        Column identifying respondents.
    max_per_column : int
        At most this many problems of one kind are listed per column; one extra problem per
        column then says how many more rows are affected.

    Returns
    -------
    list of Problem
        Empty when all is well. ``row`` is the spreadsheet line (first data row = 2).

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> design = cp.SurveyDesign(scales={"trust": cp.Scale("trust", ["t1", "t2"])})
    >>> survey = pd.DataFrame({"respondent_id": ["r1", "r2"], "t1": [3, 7], "t2": [2, 4]})
    >>> [str(p) for p in cp.check_survey(survey, design)]
    ["survey.csv, row 3, column 't1': found 7; expected an answer from 1 to 5"]
    """
    require_frame(survey, "check_survey")
    if not isinstance(design, SurveyDesign):
        raise TypeError(f"design must be a SurveyDesign, not {type(design).__name__}")
    if (
        isinstance(max_per_column, bool)
        or not isinstance(max_per_column, int)
        or max_per_column < 1
    ):
        raise ValueError(f"max_per_column={max_per_column!r}: give a whole number >= 1")
    cap = max_per_column
    wanted = {id_column: "the respondent id"}
    if design.conditions is not None:
        wanted[design.condition_column] = "the vignette condition (declared in conditions:)"
    if design.choices is not None:
        wanted[design.choice_column] = "the coping choice (declared in choices:)"
    problems = _missing_columns(survey, wanted, file)
    problems += item_problems(survey, list(design.scales.values()), file, cap)[0]

    frame = survey.reset_index(drop=True)
    for column, levels in (
        (design.condition_column, design.conditions),
        (design.choice_column, design.choices),
    ):
        if levels is None or column not in frame.columns:
            continue
        values = frame[[column]]
        bad = values.notna() & ~values.isin(levels)
        problems += cell_problems(
            bad, values, {column: f"one of {', '.join(levels)}"}, file, "unknown_level", cap
        )
    if id_column in frame.columns:
        ids = frame[[id_column]]
        missing = ids.isna()
        problems += cell_problems(
            missing, ids, {id_column: "a respondent id"}, file, "missing_value", cap
        )
        column = frame[id_column]
        dup = column.notna() & column.duplicated(keep="first")
        if dup.any():
            position = pd.Series(np.arange(len(frame)), index=frame.index)
            first = position.groupby(column.to_numpy(), dropna=True).transform("min")
            hits = np.flatnonzero(dup.to_numpy())
            problems += [
                Problem(
                    file=file,
                    row=int(r) + 2,
                    column=id_column,
                    value=_plain(column.iloc[r]),
                    expected=f"a respondent id used once (already on row {int(first.iloc[r]) + 2})",
                    kind="duplicate",
                )
                for r in hits[:cap]
            ]
            if hits.size > cap:
                problems.append(
                    Problem(
                        file=file,
                        column=id_column,
                        expected=(
                            f"unique respondent ids ({hits.size - cap} more duplicates not listed)"
                        ),
                        kind="duplicate",
                    )
                )
    return problems
