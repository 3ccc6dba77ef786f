"""The sentences of the configurations notebook: what the calibration kept, how diverse the
cases are, and what the solutions say, in Markdown with every value from the data escaped."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..analysis.qca.case_types import CASE_TYPE_LABELS
from ..errors import DataError
from ..taxonomy.export import markdown_text
from .formatting import format_value

__all__ = [
    "qca_cases_text",
    "limited_diversity_text",
    "solutions_text",
    "robustness_text",
    "chosen_solution",
    "case_types_text",
]


def _ratio(x: float) -> str:
    return format_value(x, "bounded")


def qca_cases_text(sets: pd.DataFrame, *, conditions: Sequence[str]) -> str:
    """Which cases the analysis keeps, and which fall on a crossover and belong to no
    configuration.

    Examples
    --------
    >>> import pandas as pd
    >>> sets = pd.DataFrame({"A": [0.9, 0.5], "Y": [1, 0]}, index=["c1", "c2"])
    >>> print(qca_cases_text(sets, conditions=["A"]))
    2 cases enter the analysis. At the crossover (membership 0.5) of a condition, and so in no configuration of the truth table: c2.
    """
    n = len(sets)
    parts = [f"{n} case{'s' if n != 1 else ''} enter{'s' if n == 1 else ''} the analysis."]
    dropped = sets.attrs.get("dropped") or []
    if dropped:
        names = ", ".join(markdown_text(str(c)) for c in dropped)
        parts.append(f"Left out because a measure is missing (no codings of its kind): {names}.")
    cols = [c for c in conditions if c in sets.columns]
    half = sets.index[(sets[cols] == 0.5).any(axis=1)] if cols else []
    if len(half):
        names = ", ".join(markdown_text(str(c)) for c in half)
        parts.append(
            "At the crossover (membership 0.5) of a condition, and so in no configuration of "
            f"the truth table: {names}."
        )
    return " ".join(parts)


def limited_diversity_text(table: pd.DataFrame, *, conditions: Sequence[str]) -> str:
    """How many of the possible configurations the cases fill (limited diversity).

    Examples
    --------
    >>> import pandas as pd
    >>> tt = pd.DataFrame({"A": [0, 1], "B": [1, 1], "out": ["0", "1"], "n": [2, 3]})
    >>> print(limited_diversity_text(tt, conditions=["A", "B"]))
    2 conditions make 4 possible configurations; the cases fill 2 of them, so 2 (50%) are logical remainders, about which the parsimonious and intermediate solutions make assumptions.
    """
    k = len(conditions)
    total = 2**k
    filled = int((table["n"] > 0).sum()) if "n" in table.columns else len(table)
    empty = total - filled
    share = f"{100 * empty / total:.0f}%"
    return (
        f"{k} condition{'s' if k != 1 else ''} make {total:,} possible configurations; the "
        f"cases fill {filled} of them, so {empty:,} ({share}) are logical remainders, about "
        "which the parsimonious and intermediate solutions make assumptions."
    )


def solutions_text(solutions: pd.DataFrame, *, outcome: str) -> str:
    """Each solution in a sentence: its model(s), consistency and coverage.

    Examples
    --------
    >>> import pandas as pd
    >>> sol = pd.DataFrame({"solution": ["conservative"], "model": ["M1"],
    ...     "expression": ["A*B"], "term": ["A*B"], "sol_incl": [0.95], "sol_cov": [0.6]})
    >>> print(solutions_text(sol, outcome="Y"))
    - *Conservative:* A\\*B → Y (consistency .95, coverage .60).
    """
    lines = []
    for name, rows in solutions.groupby("solution", sort=False):
        models = rows.drop_duplicates("model")
        said = [
            f"{markdown_text(str(r.expression))} → {markdown_text(outcome)} (consistency "
            f"{_ratio(r.sol_incl)}, coverage {_ratio(r.sol_cov)})"
            for r in models.itertuples(index=False)
        ]
        label = str(name).capitalize()
        distinct = {str(e) for e in models["expression"]}
        if len(said) == 1 or len(distinct) == 1:
            lines.append(f"- *{label}:* {said[0]}.")
        else:
            lines.append(
                f"- *{label}:* {len(said)} models fit equally well: " + "; ".join(said) + "."
            )
    return "\n".join(lines)


def robustness_text(robustness: pd.DataFrame) -> str:
    """How many of the moved calibrations keep the solution, and which do not.

    Examples
    --------
    >>> import pandas as pd
    >>> rob = pd.DataFrame({"set": ["(as given)", "A", "A"], "shift": [0.0, -0.05, 0.05],
    ...     "expression": ["A", "A", ""], "same": [True, True, False]})
    >>> print(robustness_text(rob))
    With the anchors of one measure moved, 1 of 2 calibrations give the same solution. It changes when the anchors of A move by +0.05 (to no solution).
    >>> print(robustness_text(rob.assign(expression=["", "", "A"], same=[True, True, False])))
    With the anchors as given there is no solution, so none whose robustness to check. Moving the anchors of A by +0.05 (A) gives one.
    """
    moved = robustness.iloc[1:]
    if moved.empty:
        return (
            "No condition or outcome is calibrated from a measure, so there are no anchors to move."
        )
    if not robustness["expression"].iloc[0]:
        found = moved[moved["expression"].astype(bool)]
        text = "With the anchors as given there is no solution, so none whose robustness to check."
        if len(found):
            said = [
                f"{markdown_text(str(r.set))} by {r.shift:+.2f} ({markdown_text(str(r.expression))})"
                for r in found.itertuples(index=False)
            ]
            text += " Moving the anchors of " + "; or of ".join(said) + " gives one."
        return text
    kept = int(moved["same"].sum())
    text = (
        f"With the anchors of one measure moved, {kept} of {len(moved)} calibrations give the "
        "same solution."
    )
    changed = moved[~moved["same"]]
    if len(changed):
        said = [
            f"{markdown_text(str(r.set))} move by {r.shift:+.2f} (to "
            f"{markdown_text(str(r.expression)) if r.expression else 'no solution'})"
            for r in changed.itertuples(index=False)
        ]
        text += " It changes when the anchors of " + "; when those of ".join(said) + "."
    else:
        text += " The solution does not hang on where exactly the anchors were put."
    return text


def chosen_solution(solutions: pd.DataFrame | None) -> tuple[str, str]:
    """The solution a report reads back into the cases: the first intermediate model when
    there is one, else the first conservative one, as ``(solution, expression)``.

    Raises
    ------
    DataError
        When there is no solution (``None``: none was found).

    Examples
    --------
    >>> import pandas as pd
    >>> sol = pd.DataFrame({"solution": ["conservative", "intermediate"],
    ...     "expression": ["A*B", "A"]})
    >>> chosen_solution(sol)
    ('intermediate', 'A')
    """
    if solutions is None or solutions.empty:
        raise DataError("a solution to read back into the cases (none was found above)")
    for name in ("intermediate", "conservative", "parsimonious"):
        rows = solutions[solutions["solution"] == name]
        if len(rows):
            return name, str(rows["expression"].iloc[0])
    return str(solutions["solution"].iloc[0]), str(solutions["expression"].iloc[0])


def case_types_text(cases: pd.DataFrame) -> str:
    """The cases of each type, in a sentence per type that has cases.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"case_type": ["typical", "typical", "deviant_coverage"]},
    ...                  index=["a", "b", "c"])
    >>> print(case_types_text(t))
    - *Typical* (in the solution and the outcome): a, b.
    - *Deviant for coverage* (the outcome without the solution): c.
    """
    meaning = {
        "typical": "in the solution and the outcome",
        "deviant_consistency": "the solution without the outcome",
        "deviant_coverage": "the outcome without the solution",
        "irrelevant": "out of the solution and the outcome",
        "ambiguous": "membership 0.5",
    }
    lines = []
    for kind, label in CASE_TYPE_LABELS.items():
        names = [markdown_text(str(c)) for c in cases.index[cases["case_type"] == kind]]
        if names:
            lines.append(f"- *{label.capitalize()}* ({meaning[kind]}): {', '.join(names)}.")
    return "\n".join(lines)
