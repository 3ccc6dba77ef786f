"""cp.solution_cases: the cases typical of a solution and those that deviate from it.

The Lipset fuzzy data (tests/data/qca/lipset_lf.csv, see its README) against the intermediate
solution R's QCA package gives for SURV, DEV*URB*LIT*STB + DEV*LIT*~IND*STB (Ragin 2009,
p. 112; tests/test_qca.py checks that our minimisation finds it). The case types expected here
are worked out in plain Python from the definitions (min for AND, 1 - x for NOT, max for OR, and
the side of 0.5), independently of the library's expression parser.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import coprodlib as cp

LF = Path(__file__).parent / "data" / "qca" / "lipset_lf.csv"
SOLUTION = "DEV*URB*LIT*STB + DEV*LIT*~IND*STB"


def _by_hand() -> dict[str, tuple[float, float, str]]:
    out = {}
    with open(LF, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            v = {k: float(x) for k, x in row.items() if k != "case"}
            first = min(v["DEV"], v["URB"], v["LIT"], v["STB"])
            second = min(v["DEV"], v["LIT"], 1 - v["IND"], v["STB"])
            s, y = max(first, second), v["SURV"]
            if s == 0.5 or y == 0.5:
                kind = "ambiguous"
            elif s > 0.5 and y > 0.5:
                kind = "typical"
            elif s > 0.5:
                kind = "deviant_consistency"
            elif y > 0.5:
                kind = "deviant_coverage"
            else:
                kind = "irrelevant"
            out[row["case"]] = (s, y, kind)
    return out


def test_lipset_cases_against_the_intermediate_solution():
    data = pd.read_csv(LF).set_index("case")
    got = cp.solution_cases(data, expression=SOLUTION, outcome="SURV")
    want = _by_hand()
    assert sorted(got.index) == sorted(want)
    for case, (s, y, kind) in want.items():
        assert got.loc[case, "solution"] == pytest.approx(s)
        assert got.loc[case, "outcome"] == pytest.approx(y)
        assert got.loc[case, "case_type"] == kind, case
    # the listing is grouped by type in the documented order
    order = [cp.CASE_TYPES.index(k) for k in got["case_type"]]
    assert order == sorted(order)
    assert "typical" in set(got["case_type"])


def test_negated_outcome_and_ambiguous_cases():
    d = pd.DataFrame({"A": [0.9, 0.5, 0.2], "Y": [0.1, 0.8, 0.3]}, index=["a", "b", "c"])
    got = cp.solution_cases(d, expression="A", outcome="~Y")
    assert got["case_type"].to_dict() == {"a": "typical", "b": "ambiguous", "c": "deviant_coverage"}
    assert got.loc["a", "outcome"] == pytest.approx(0.9)


def test_bad_input_names_what_is_wrong():
    d = pd.DataFrame({"A": [1, 0], "Y": [1, 0]})
    with pytest.raises(TypeError, match="DataFrame"):
        cp.solution_cases(d.to_numpy(), expression="A", outcome="Y")
    with pytest.raises((cp.DataError, ValueError, KeyError), match="B"):
        cp.solution_cases(d, expression="A*B", outcome="Y")
