"""Survey and vignette analyses: scales, their reliability, and models of coping choice.

A survey table (``survey.csv``) has one row per respondent: ``respondent_id``, the vignette
condition, the role, Likert items, the chosen coping strategy and covariates. The scale
definitions live beside it in ``scales.yml`` (see :func:`read_survey_design`). This module
checks the answers against those definitions, scores the scales, reports their reliability,
and models which traits go with which coping choice. Errors follow the rule stated in
:mod:`coprodlib.contingency`.

Omega (McDonald) is not offered: it needs a factor model, and no well-kept package that
provides it is among the project's dependencies.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .contingency import (
    adjust_pvalues,
    compare_groups,
    crosstab_test,
    data_label,
    levels_of,
    require_columns,
    require_frame,
)
from .errors import DataError, Problem

__all__ = [
    "Scale",
    "SurveyDesign",
    "read_survey_design",
    "check_survey",
    "scale_scores",
    "scale_reliability",
    "item_stats",
    "choice_models",
    "condition_effects",
    "group_difference",
    "trait_correlations",
    "trait_effects",
    "trait_effects_text",
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


def _scales_of(design_or_scales: Any) -> list[Scale]:
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


def _cell_problems(
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


def _item_problems(
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
    problems += _cell_problems(
        nonnum, raw, {i: "a number (a Likert answer) or an empty cell" for i in present}, file,
        "not_numeric", cap,
    )  # fmt: skip
    problems += _cell_problems(
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
    item_problems, _ = _item_problems(survey, list(design.scales.values()), file, cap)
    problems += item_problems

    frame = survey.reset_index(drop=True)
    for column, levels in (
        (design.condition_column, design.conditions),
        (design.choice_column, design.choices),
    ):
        if levels is None or column not in frame.columns:
            continue
        values = frame[[column]]
        bad = values.notna() & ~values.isin(levels)
        problems += _cell_problems(
            bad, values, {column: f"one of {', '.join(levels)}"}, file, "unknown_level", cap
        )
    if id_column in frame.columns:
        ids = frame[[id_column]]
        missing = ids.isna()
        problems += _cell_problems(
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


# --------------------------------------------------------------------------- scale scores


def _reverse(numeric: pd.DataFrame, scale: Scale) -> np.ndarray:
    values = numeric[list(scale.items)].to_numpy(dtype=float, copy=True)
    flip = np.isin(scale.items, scale.reversed)
    values[:, flip] = scale.low + scale.high - values[:, flip]
    return values


def _checked_numeric(data: pd.DataFrame, scales: list[Scale], file: str) -> pd.DataFrame:
    problems, numeric = _item_problems(data, scales, file, 20)
    if problems:
        raise DataError(problems)
    if numeric.empty:
        raise DataError(Problem(file=file, expected="at least one respondent (row)", kind="empty"))
    return numeric


def scale_scores(
    data: pd.DataFrame, design_or_scales: Any, *, file: str = "survey.csv"
) -> pd.DataFrame:
    """Score each scale as the mean of its answered items, after reverse coding.

    Reversed items are scored ``low + high - answer``. A respondent who answered fewer than
    the scale's ``min_answered`` items gets a missing score.

    Parameters
    ----------
    data : DataFrame
        Survey table, one row per respondent.
    design_or_scales : SurveyDesign, Scale, or dict/list of Scale
        Which scales to score.
    file : str
        File name used in error messages.

    Returns
    -------
    DataFrame
        One column per scale (named after it), on ``data``'s index; join it back with
        ``survey.join(scale_scores(survey, design))``.

    Raises
    ------
    DataError
        An item column is missing, an answer is not a number or outside the Likert range, or
        no respondent answered enough items of some scale to be scored.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> trust = cp.Scale("trust", ["t1", "t2", "t3"], reversed=["t3"], min_answered=2)
    >>> survey = pd.DataFrame({"t1": [4, 5, None], "t2": [4, None, None], "t3": [2, 1, 3]})
    >>> cp.scale_scores(survey, trust)
       trust
    0    4.0
    1    5.0
    2    NaN
    """
    require_frame(data, "scale_scores")
    scales = _scales_of(design_or_scales)
    numeric = _checked_numeric(data, scales, file)
    scores = {}
    problems = []
    for scale in scales:
        values = _reverse(numeric, scale)
        answered = (~np.isnan(values)).sum(axis=1)
        total = np.nansum(values, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(answered >= scale.min_answered, total / answered, np.nan)
        if np.isnan(score).all():
            problems.append(
                Problem(
                    file=file,
                    column=", ".join(scale.items),
                    expected=(
                        f"at least one respondent with {scale.min_answered} of the "
                        f"{len(scale.items)} items of scale {scale.name!r} answered "
                        "(too few answers to score it)"
                    ),
                    kind="too_few_answers",
                )
            )
        scores[scale.name] = score
    if problems:
        raise DataError(problems)
    return pd.DataFrame(scores, index=data.index)


# --------------------------------------------------------------------------- reliability


def _item_sets(data: pd.DataFrame, items: Any) -> list[tuple[str | None, pd.DataFrame]]:
    """(scale name or None, complete-case numeric item matrix, reversed where declared)."""
    if isinstance(items, (SurveyDesign, Scale, Mapping)) or (
        isinstance(items, Sequence) and items and all(isinstance(s, Scale) for s in items)
    ):
        scales = _scales_of(items)
        numeric = _checked_numeric(data, scales, data_label(data))
        sets = [(s.name, pd.DataFrame(_reverse(numeric, s), columns=list(s.items))) for s in scales]
        single = isinstance(items, Scale)
        return [(None if single else name, frame) for name, frame in sets]
    if isinstance(items, str) or not isinstance(items, Sequence):
        raise TypeError(
            f"items must be a list of column names or a Scale, not {type(items).__name__}"
        )
    items = list(items)
    if len(items) < 2:
        raise ValueError(f"items={items!r}: give at least two item columns")
    require_columns(data, {f"items[{i}]": c for i, c in enumerate(items)})
    frame = data[items].reset_index(drop=True)
    numeric = frame.apply(lambda col: pd.to_numeric(col, errors="coerce")).astype(float)
    bad = frame.notna() & numeric.isna()
    problems = _cell_problems(
        bad, frame, {c: "a number or an empty cell" for c in items}, data_label(data),
        "not_numeric", 20,
    )  # fmt: skip
    if problems:
        raise DataError(problems)
    return [(None, numeric)]


def _complete(frame: pd.DataFrame, name: str | None, data: pd.DataFrame) -> pd.DataFrame:
    complete = frame.dropna()
    what = f"scale {name!r}" if name else "these items"
    if len(complete) < 3:
        raise DataError(
            Problem(
                file=data_label(data),
                column=", ".join(map(str, frame.columns)),
                value=len(complete),
                expected=f"at least 3 respondents who answered every item of {what}",
                kind="too_few_answers",
            )
        )
    if np.isclose(complete.sum(axis=1).var(ddof=1), 0.0):
        raise DataError(
            Problem(
                file=data_label(data),
                column=", ".join(map(str, frame.columns)),
                expected=f"answers that vary between respondents for {what}",
                kind="no_variance",
            )
        )
    return complete


def scale_reliability(data: pd.DataFrame, items: Any, *, ci: float = 0.95) -> pd.DataFrame:
    """Cronbach's alpha of a scale with its confidence interval.

    Parameters
    ----------
    data : DataFrame
        Survey table, one row per respondent.
    items : list of str, Scale, SurveyDesign or dict of Scale
        Item columns (taken as they are), or scale definitions (reversed items are reverse
        coded first, and answers are checked against the Likert range).
    ci : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row (one per scale, with a leading ``scale`` column, when given several scales):
        ``alpha``, ``ci_low``, ``ci_high``, ``n`` (respondents who answered every item:
        listwise deletion), ``n_items``.

    Notes
    -----
    ``alpha`` is from :func:`pingouin.cronbach_alpha` with listwise deletion. The interval is
    the F-distribution interval of Feldt that pingouin also uses; it is computed here again
    because pingouin rounds its interval to three decimals.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> cp.scale_reliability(df, ["a", "b", "c"]).round(3)
       alpha  ci_low  ci_high  n  n_items
    0  0.954   0.766    0.995  5        3
    """
    import pingouin as pg

    require_frame(data, "scale_reliability")
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci!r}: give a confidence level between 0 and 1, e.g. 0.95")
    rows = []
    for name, frame in _item_sets(data, items):
        complete = _complete(frame, name, data)
        n, k = complete.shape
        alpha = float(pg.cronbach_alpha(data=complete, nan_policy="listwise")[0])
        df1, df2 = n - 1, (n - 1) * (k - 1)
        tail = (1 - ci) / 2
        low = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
        high = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
        row = {"alpha": alpha, "ci_low": low, "ci_high": high, "n": n, "n_items": k}
        rows.append(row if name is None else {"scale": name, **row})
    return pd.DataFrame(rows)


def item_stats(data: pd.DataFrame, items: Any) -> pd.DataFrame:
    """Per item: mean, standard deviation, corrected item-total correlation, alpha if deleted.

    Parameters
    ----------
    data : DataFrame
        Survey table.
    items : list of str, Scale, SurveyDesign or dict of Scale
        As for :func:`scale_reliability` (reversed items are reverse coded first).

    Returns
    -------
    DataFrame
        One row per item (a leading ``scale`` column when given several scales): ``item``,
        ``mean``, ``sd``, ``item_total_r`` (Pearson correlation of the item with the sum of
        the *other* items), ``alpha_if_deleted`` (Cronbach's alpha of the remaining items;
        missing for a two-item scale). All on respondents who answered every item, so the
        figures agree with :func:`scale_reliability`.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> cp.item_stats(df, ["a", "b", "c"]).round(3)
      item  mean     sd  item_total_r  alpha_if_deleted
    0    a   3.0  1.581         0.970             0.882
    1    b   3.4  1.517         0.903             0.933
    2    c   3.0  1.225         0.870             0.968
    """
    require_frame(data, "item_stats")
    frames = []
    for name, frame in _item_sets(data, items):
        complete = _complete(frame, name, data)
        k = complete.shape[1]
        cov = complete.cov().to_numpy()
        var = np.diag(cov)
        row_sum = cov.sum(axis=1)
        rest_var = cov.sum() - 2 * row_sum + var
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (row_sum - var) / np.sqrt(var * rest_var)
            if k >= 3:
                alpha_del = (k - 1) / (k - 2) * (1 - (np.trace(cov) - var) / rest_var)
            else:
                alpha_del = np.full(k, np.nan)
        table = pd.DataFrame(
            {
                "item": list(complete.columns),
                "mean": complete.mean().to_numpy(),
                "sd": np.sqrt(var),
                "item_total_r": r,
                "alpha_if_deleted": alpha_del,
            }
        )
        if name is not None:
            table.insert(0, "scale", name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- choice models


def _as_list(arg: Any) -> list[Any]:
    if arg is None:
        return []
    if isinstance(arg, str) or not isinstance(arg, Sequence):
        return [arg]
    return list(arg)


def _design_matrix(
    frame: pd.DataFrame,
    terms: list[Hashable],
    baselines: Mapping[Hashable, Any],
    data: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[Hashable, Any]]:
    """Intercept, numeric predictors as they are, categorical ones dummy coded."""
    parts = [pd.DataFrame({"Intercept": np.ones(len(frame))}, index=frame.index)]
    used: dict[Hashable, Any] = {}
    for term in terms:
        column = frame[term]
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        if numeric:
            parts.append(column.astype(float).to_frame(str(term)))
            continue
        levels = levels_of(column)
        if len(levels) < 2:
            raise DataError(
                Problem(
                    file=data_label(data),
                    column=str(term),
                    value=levels,
                    expected=(
                        "a predictor with at least 2 levels among the complete rows; a "
                        "constant predictor cannot explain the choice (drop it)"
                    ),
                    kind="too_few_levels",
                )
            )
        base = baselines.get(term, levels[0])
        if base not in levels:
            raise DataError(
                Problem(
                    file=data_label(data),
                    column=str(term),
                    value=base,
                    expected=f"baselines[{term!r}] to be one of the levels {levels}",
                    kind="unknown_level",
                )
            )
        used[term] = base
        order = [base, *[lv for lv in levels if lv != base]]
        cat = pd.Categorical(column, categories=order)
        dummies = pd.get_dummies(cat, drop_first=True, dtype=float)
        dummies.columns = [f"{term}[T.{lv}]" for lv in order[1:]]
        dummies.index = frame.index
        parts.append(dummies)
    return pd.concat(parts, axis=1), used


def _check_rank(X: pd.DataFrame, data: pd.DataFrame) -> None:
    """Raise when a term is constant or a combination of the terms before it."""
    matrix = X.to_numpy()
    if np.linalg.matrix_rank(matrix) == matrix.shape[1]:
        return
    dependent, rank = [], 0
    for j in range(matrix.shape[1]):  # a handful of terms, not rows
        now = np.linalg.matrix_rank(matrix[:, : j + 1])
        if now == rank:
            dependent.append(X.columns[j])
        rank = now
    raise DataError(
        Problem(
            file=data_label(data),
            column=", ".join(dependent),
            expected=(
                "predictors that are not constant and not combinations of each other; "
                f"{', '.join(dependent)} can be written from the terms before it (drop it, or "
                "merge levels)"
            ),
            kind="collinear",
        )
    )


def _fit(model: Any, outcome: str, data: pd.DataFrame) -> Any:
    from statsmodels.tools.sm_exceptions import PerfectSeparationError, PerfectSeparationWarning

    hint = (
        "coefficients that can be estimated; some term predicts the outcome "
        f"{outcome!r} (almost) perfectly or an outcome level is too rare (separation). Merge "
        "rare choice or predictor levels, drop the term, or collect more data"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(method="newton", maxiter=200, disp=0)
        except (PerfectSeparationError, np.linalg.LinAlgError) as err:
            raise DataError(
                Problem(file=data_label(data), expected=f"{hint} ({err})", kind="separation")
            ) from None
    separated = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    params = np.asarray(res.params, dtype=float)
    bse = np.asarray(res.bse, dtype=float)
    converged = bool(res.mle_retvals.get("converged", True))
    if separated or not converged or not np.isfinite(params).all() or not np.isfinite(bse).all():
        raise DataError(Problem(file=data_label(data), expected=hint, kind="separation"))
    return res


def _tidy(outcome: Any, terms: Sequence[str], coef, se, pval, z: float) -> pd.DataFrame:
    coef, se = np.asarray(coef, dtype=float), np.asarray(se, dtype=float)
    return pd.DataFrame(
        {
            "outcome": outcome,
            "term": list(terms),
            "coef": coef,
            "se": se,
            "odds_ratio": np.exp(coef),
            "ci_low": np.exp(coef - z * se),
            "ci_high": np.exp(coef + z * se),
            "pval": np.asarray(pval, dtype=float),
        }
    )


def choice_models(
    data: pd.DataFrame,
    choice: Hashable,
    predictors: Hashable | Sequence[Hashable],
    kind: str = "multinomial",
    reference: Any = None,
    covariates: Hashable | Sequence[Hashable] | None = None,
    *,
    baselines: Mapping[Hashable, Any] | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Logistic models of a categorical choice (a coping strategy) on traits and covariates.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    choice : str
        Column with the chosen option (e.g. ``"coping_choice"``).
    predictors : str or list of str
        Columns of interest (e.g. trait scores). Numeric columns enter as they are; text,
        categorical and boolean columns are dummy coded against a baseline level.
    kind : {"multinomial", "binary"}
        ``"multinomial"``: one multinomial logit (statsmodels ``MNLogit``) with ``reference``
        as base outcome; each coefficient compares an outcome with the reference.
        ``"binary"``: one logistic regression (statsmodels ``Logit``) per choice level, chosen
        vs not chosen, each on all rows.
    reference : optional
        Base outcome of the multinomial model; default the first level (category order, or
        sorted). Ignored for ``kind="binary"``.
    covariates : str or list of str, optional
        Further columns (e.g. ``["role", "vignette"]``), added after ``predictors``.
    baselines : dict, optional
        Baseline level per categorical predictor (``{"role": "citizen"}``); default the first
        level. Terms are named like ``role[T.public_servant]``.
    ci : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per outcome and term: ``outcome`` (the level compared with the reference, or
        the level modelled as chosen), ``term`` (``Intercept`` first), ``coef`` (log odds),
        ``se``, ``odds_ratio`` (``exp(coef)``), ``ci_low``, ``ci_high`` (Wald interval
        ``exp(coef -/+ z se)``), ``pval`` (Wald test), ``n`` (rows used) and ``n_dropped``
        (rows left out because the choice or a predictor was missing). ``attrs`` records
        ``kind``, ``reference`` and ``baselines``.

    Raises
    ------
    DataError
        A column is missing; fewer than two choice levels; an unknown ``reference`` or
        baseline; predictors are collinear; or the fit fails because of (quasi-)perfect
        separation, with advice instead of a statsmodels traceback.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import coprodlib as cp
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"efficacy": rng.normal(size=200)})
    >>> df["choice"] = np.where(rng.random(200) < 1 / (1 + np.exp(-df.efficacy)), "trade_off",
    ...                         "avoidance")
    >>> res = cp.choice_models(df, "choice", "efficacy", kind="binary")
    >>> res[["outcome", "term", "n", "n_dropped"]]
         outcome       term    n  n_dropped
    0  avoidance  Intercept  200          0
    1  avoidance   efficacy  200          0
    2  trade_off  Intercept  200          0
    3  trade_off   efficacy  200          0
    """
    import statsmodels.api as sm

    require_frame(data, "choice_models")
    if kind not in ("multinomial", "binary"):
        raise ValueError(f"kind={kind!r} is not offered; use 'multinomial' or 'binary'")
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci!r}: give a confidence level between 0 and 1, e.g. 0.95")
    terms = list(dict.fromkeys([*_as_list(predictors), *_as_list(covariates)]))
    if not terms:
        raise ValueError("predictors is empty; name at least one column, e.g. 'external_efficacy'")
    if choice in terms:
        raise ValueError(f"choice={choice!r} is also a predictor; a column cannot predict itself")
    baselines = dict(baselines or {})
    stray = [k for k in baselines if k not in terms]
    if stray:
        raise ValueError(
            f"baselines names {stray}, which are not among the predictors or covariates {terms}"
        )
    require_columns(
        data,
        {
            "choice": choice,
            **{f"predictors/covariates[{i}]": t for i, t in enumerate(terms)},
        },
    )
    frame = data[[choice, *terms]]
    complete = frame.dropna()
    n, n_dropped = len(complete), len(frame) - len(complete)
    levels = levels_of(complete[choice])
    if len(levels) < 2:
        raise DataError(
            Problem(
                file=data_label(data),
                column=str(choice),
                value=levels,
                expected=(
                    f"at least 2 different choices among the {n} complete rows "
                    f"({n_dropped} rows dropped for missing values)"
                ),
                kind="too_few_levels",
            )
        )
    if reference is not None and reference not in levels:
        raise DataError(
            Problem(
                file=data_label(data),
                column=str(choice),
                value=reference,
                expected=f"reference= to be one of the choices {levels}",
                kind="unknown_level",
            )
        )
    X, used = _design_matrix(complete, terms, baselines, data)
    _check_rank(X, data)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    choice_values = complete[choice].to_numpy()
    if kind == "multinomial":
        reference = levels[0] if reference is None else reference
        order = [reference, *[lv for lv in levels if lv != reference]]
        y = pd.Categorical(choice_values, categories=order).codes
        res = _fit(sm.MNLogit(y, X), "any", data)
        params, bse, pvals = (np.asarray(a) for a in (res.params, res.bse, res.pvalues))
        tables = [
            _tidy(order[j + 1], X.columns, params[:, j], bse[:, j], pvals[:, j], z)
            for j in range(len(order) - 1)
        ]
    else:
        reference = None
        tables = []
        for level in levels:
            y = (choice_values == level).astype(float)
            res = _fit(sm.Logit(y, X), level, data)
            tables.append(_tidy(level, X.columns, res.params, res.bse, res.pvalues, z))
    table = pd.concat(tables, ignore_index=True).assign(n=n, n_dropped=n_dropped)
    table.attrs.update({"kind": kind, "reference": reference, "baselines": used})
    return table


# --------------------------------------------------------------------------- group effects


def condition_effects(
    data: pd.DataFrame,
    design: SurveyDesign | None = None,
    *,
    choice: Hashable | None = None,
    condition: Hashable | None = None,
    by: Hashable | Sequence[Hashable] | None = None,
    exact: bool | str = "auto",
    method: str = "holm",
    n_resamples: int = 10000,
    seed: int = 0,
) -> pd.DataFrame:
    """Does the vignette condition change the coping choice? Chi-square test and Cramér's V.

    Columns come from ``choice``/``condition``, else from ``design``, else the data
    contract's ``coping_choice`` and ``vignette``. Without ``by``: the one-row ``stats`` of
    :func:`coprodlib.crosstab_test` (condition as rows, choice as columns). With ``by``
    (e.g. ``"role"``): one test per group with Holm-adjusted p-values, as
    :func:`coprodlib.compare_groups`. For the table and residuals call ``crosstab_test``.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"vignette": ["control"] * 10 + ["conflict"] * 10,
    ...                    "coping_choice": ["balancing"] * 8 + ["avoidance"] * 2
    ...                                     + ["balancing"] * 3 + ["avoidance"] * 7})
    >>> cp.condition_effects(df)[["n", "chi2", "dof", "cramer_v"]].round(3)
        n   chi2  dof  cramer_v
    0  20  5.051    1     0.503
    """
    choice = choice or (design.choice_column if design else "coping_choice")
    condition = condition or (design.condition_column if design else "vignette")
    if by is None:
        return crosstab_test(
            data, condition, choice, exact=exact, n_resamples=n_resamples, seed=seed
        ).stats
    return compare_groups(
        data,
        condition,
        choice,
        by=by,
        method=method,
        exact=exact,
        n_resamples=n_resamples,
        seed=seed,
    )


def _pingouin_col(frame: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in frame.columns:
            return frame[name]
    raise KeyError(names)  # pragma: no cover - pingouin renamed its columns again


def _numeric_columns(data: pd.DataFrame, columns: list[Hashable]) -> None:
    problems = [
        Problem(
            file=data_label(data),
            column=str(c),
            value=str(data[c].dtype),
            expected="a numeric column (scores or answers)",
            kind="not_numeric",
        )
        for c in columns
        if not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c])
    ]
    if problems:
        raise DataError(problems)


GROUP_DIFFERENCE_COLUMNS = [
    "dv",
    "between",
    "method",
    "statistic",
    "df1",
    "df2",
    "pval",
    "effect_size",
    "effect_measure",
    "n",
    "n_groups",
    "n_dropped",
]


def group_difference(
    data: pd.DataFrame,
    dv: Hashable | Sequence[Hashable],
    between: Hashable,
    *,
    parametric: bool = True,
) -> pd.DataFrame:
    """Do groups (roles, conditions) differ on a trait? One-way ANOVA or Kruskal-Wallis.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    dv : str or list of str
        Numeric outcome column(s), e.g. trait scores; one row of output per column.
    between : str
        Grouping column.
    parametric : bool
        ``True``: one-way ANOVA (:func:`pingouin.anova`), effect size partial eta squared
        (``np2``; equal to eta squared in a one-way design). ``False``: Kruskal-Wallis
        (:func:`pingouin.kruskal`), effect size epsilon squared ``H / (n - 1)``
        [Tomczak & Tomczak 2014].

    Returns
    -------
    DataFrame
        One row per ``dv``: ``dv``, ``between``, ``method`` (``"anova"`` or ``"kruskal"``),
        ``statistic`` (F or H), ``df1``, ``df2`` (missing for Kruskal-Wallis), ``pval``,
        ``effect_size``, ``effect_measure`` (``"np2"`` or ``"epsilon2"``), ``n`` (rows used),
        ``n_groups``, ``n_dropped`` (rows missing the dv or the group).

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"role": ["citizen"] * 4 + ["professional"] * 4,
    ...                    "trust": [2, 3, 3, 4, 4, 5, 5, 4]})
    >>> cp.group_difference(df, "trust", "role")[["statistic", "df1", "df2", "effect_size"]]
       statistic  df1  df2  effect_size
    0        9.0    1    6          0.6
    """
    import pingouin as pg

    require_frame(data, "group_difference")
    dvs = _as_list(dv)
    if not dvs:
        raise ValueError("dv is empty; name at least one numeric column")
    require_columns(
        data,
        {
            "between": between,
            **{("dv" if len(dvs) == 1 else f"dv[{i}]"): d for i, d in enumerate(dvs)},
        },
    )
    _numeric_columns(data, dvs)
    rows = []
    for column in dvs:
        sub = data[[column, between]].dropna()
        groups = sub.groupby(between, observed=True).size()
        if len(groups) < 2:
            raise DataError(
                Problem(
                    file=data_label(data),
                    column=str(between),
                    value=list(groups.index),
                    expected=f"at least 2 groups with values of {column!r} to compare",
                    kind="too_few_levels",
                )
            )
        frame = pd.DataFrame({"dv": sub[column].to_numpy(float), "g": sub[between].to_numpy()})
        frame["g"] = frame["g"].astype(str)
        n = len(frame)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if parametric:
                out = pg.anova(data=frame, dv="dv", between="g")
                stat, df2 = float(out["F"].iloc[0]), int(out["ddof2"].iloc[0])
                effect, measure, method = float(out["np2"].iloc[0]), "np2", "anova"
            else:
                out = pg.kruskal(data=frame, dv="dv", between="g")
                stat, df2 = float(out["H"].iloc[0]), np.nan
                effect, measure, method = stat / (n - 1), "epsilon2", "kruskal"
        rows.append(
            {
                "dv": str(column),
                "between": str(between),
                "method": method,
                "statistic": stat,
                "df1": int(out["ddof1"].iloc[0]),
                "df2": df2,
                "pval": float(_pingouin_col(out, "p_unc", "p-unc").iloc[0]),
                "effect_size": effect,
                "effect_measure": measure,
                "n": n,
                "n_groups": len(groups),
                "n_dropped": len(data) - n,
            }
        )
    return pd.DataFrame(rows, columns=GROUP_DIFFERENCE_COLUMNS)


def trait_correlations(
    data: pd.DataFrame,
    columns: Sequence[Hashable],
    *,
    method: str = "pearson",
    padjust: str = "holm",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Pairwise correlations among traits, with confidence intervals and p-values.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    columns : list of str
        Numeric columns (at least two); every pair is correlated on the rows where both are
        present.
    method : {"pearson", "spearman"}
        Correlation coefficient (:func:`pingouin.pairwise_corr`).
    padjust : str
        Correction of the p-values for the number of pairs, see
        :func:`coprodlib.adjust_pvalues` (``"none"`` to leave them).
    ci : float
        Confidence level. The interval uses Fisher's z transform, ``tanh(atanh(r) -/+ z /
        sqrt(n - 3))``, as pingouin does (recomputed here because pingouin rounds it).

    Returns
    -------
    DataFrame
        One row per pair in column order: ``x``, ``y``, ``method``, ``n``, ``r``, ``ci_low``,
        ``ci_high``, ``pval``, ``p_adjusted``.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 4, 3, 2, 2]})
    >>> cp.trait_correlations(df, ["a", "b", "c"])[["x", "y", "n", "r"]].round(2)
       x  y  n     r
    0  a  b  5  0.80
    1  a  c  5 -0.97
    2  b  c  5 -0.73
    """
    import pingouin as pg

    require_frame(data, "trait_correlations")
    if method not in ("pearson", "spearman"):
        raise ValueError(f"method={method!r} is not offered; use 'pearson' or 'spearman'")
    if not 0 < ci < 1:
        raise ValueError(f"ci={ci!r}: give a confidence level between 0 and 1, e.g. 0.95")
    columns = _as_list(columns)
    if len(columns) < 2:
        raise ValueError(f"columns={columns!r}: give at least two numeric columns")
    require_columns(data, {f"columns[{i}]": c for i, c in enumerate(columns)})
    _numeric_columns(data, columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = pg.pairwise_corr(data=data, columns=list(columns), method=method)
    n = out["n"].to_numpy(dtype=float)
    r = out["r"].to_numpy(dtype=float)
    half = stats.norm.ppf(0.5 + ci / 2) / np.sqrt(np.where(n > 3, n - 3, np.nan))
    with np.errstate(divide="ignore", invalid="ignore"):
        zr = np.arctanh(np.clip(r, -1, 1))
    pval = _pingouin_col(out, "p_unc", "p-unc").to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "x": out["X"].astype(str).to_numpy(),
            "y": out["Y"].astype(str).to_numpy(),
            "method": method,
            "n": out["n"].astype("int64").to_numpy(),
            "r": r,
            "ci_low": np.tanh(zr - half),
            "ci_high": np.tanh(zr + half),
            "pval": pval,
            "p_adjusted": adjust_pvalues(pval, method=padjust),
        }
    )


def trait_effects(
    models: pd.DataFrame,
    traits: Hashable | Sequence[Hashable],
    *,
    method: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The trait terms of :func:`choice_models`, with p-values adjusted over all of them.

    Four traits in models of four choices make sixteen tests: at the 5% level, about one of
    them comes out "significant" by chance alone when no trait matters. Adjusting the p-values
    over every trait term of the table (Holm's method by default) keeps that family-wise error
    at ``alpha``.

    Parameters
    ----------
    models : DataFrame
        The output of :func:`choice_models` (``kind="binary"`` or ``"multinomial"``).
    traits : str or list of str
        The predictor terms to keep (e.g. the trait scale names).
    method : str
        Correction, as in :func:`coprodlib.adjust_pvalues`.
    alpha : float
        Level at which an adjusted p-value counts as significant.

    Returns
    -------
    DataFrame
        ``outcome``, ``term``, ``odds_ratio``, ``ci_low``, ``ci_high``, ``pval``,
        ``p_adjusted``, ``significant`` and ``n``; one row per outcome and trait.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> models = pd.DataFrame({"outcome": ["a", "a", "b"], "term": ["Intercept", "t", "t"],
    ...                        "odds_ratio": [1.0, 2.0, 1.1], "ci_low": [0.5, 1.5, 0.8],
    ...                        "ci_high": [2.0, 2.7, 1.5], "pval": [0.5, 0.001, 0.4],
    ...                        "n": [100, 100, 100]})
    >>> cp.trait_effects(models, "t")[["outcome", "p_adjusted", "significant"]]
      outcome  p_adjusted  significant
    0       a       0.002         True
    1       b       0.400        False
    """
    require_frame(models, "trait_effects")
    wanted = [traits] if isinstance(traits, str) else list(traits)
    columns = ["outcome", "term", "odds_ratio", "ci_low", "ci_high", "pval", "n"]
    require_columns(models, {c: c for c in columns})
    unknown = [t for t in wanted if t not in set(models["term"])]
    if unknown:
        raise DataError(
            Problem(
                file=data_label(models),
                column="term",
                value=unknown[0],
                expected=f"a term of the models: {', '.join(map(str, pd.unique(models['term'])))}",
                kind="unknown_term",
            )
        )
    if not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r}: give a level between 0 and 1, such as 0.05")
    out = models.loc[models["term"].isin(wanted), columns].reset_index(drop=True)
    out.insert(6, "p_adjusted", adjust_pvalues(out["pval"].to_numpy(dtype=float), method=method))
    out.insert(7, "significant", out["p_adjusted"] < alpha)
    return out


def trait_effects_text(effects: pd.DataFrame, *, reference: Any = None) -> str:
    """One sentence naming the trait effects that hold after correction (from
    :func:`trait_effects`), for a report.

    Examples
    --------
    >>> import pandas as pd
    >>> import coprodlib as cp
    >>> effects = pd.DataFrame({"outcome": ["trade_off", "balancing"],
    ...                         "term": ["external_efficacy", "self_efficacy"],
    ...                         "odds_ratio": [3.456, 0.9], "significant": [True, False]})
    >>> cp.trait_effects_text(effects, reference="avoidance")
    'Trait effects that hold after the correction: external_efficacy on trade_off vs avoidance (OR 3.46).'
    """
    require_frame(effects, "trait_effects_text")
    require_columns(effects, {c: c for c in ("outcome", "term", "odds_ratio", "significant")})
    found = effects[effects["significant"].astype(bool)]
    versus = f" vs {reference}" if reference is not None else ""
    listed = "; ".join(
        f"{r.term} on {r.outcome}{versus} (OR {r.odds_ratio:.2f})" for r in found.itertuples()
    )
    return f"Trait effects that hold after the correction: {listed or 'none'}."
