"""QCA engine (coprodlib.analysis.qca) against the published and R-computed Lipset results.

Reference sources
-----------------
* Data: tests/data/qca/ (Lipset LR, LC, LF from the R package QCA; see the README there).
* [R] R package QCA 3.25.1 (dusadrian/QCA, commit fac8bc0e92e2d68a18c557ce0de07e9e4493cbdb),
  run under R 4.2.2 with the commands given in each test's comment; the values are copied from
  its printed output (``print(tt$tt)``, ``m$IC$incl.cov``, ``m$IC$sol.incl.cov``,
  ``pof(..., relation = "necessity")$incl.cov``, ``calibrate()``).
* [RDM] Rihoux & De Meur (2009), "Crisp-set QCA", in Rihoux & Ragin (eds.), Configurational
  Comparative Methods, p. 57: the conservative solution of LC for SURV (as cited in QCA's
  man/minimize.Rd).
* [Ragin2009] Ragin (2009), "Qualitative Comparative Analysis using fuzzy sets", same
  volume, p. 112: the fuzzy truth table and solutions of LF (as cited in man/minimize.Rd).
* [Lipset.Rd] QCA's man/Lipset.Rd: the crisp thresholds of LC (DEV 550, URB 50, LIT 75,
  IND 30, STB below 10 cabinets, SURV positive).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coprodlib.analysis.qca import implicants
from coprodlib.analysis.qca.calibration import calibrate, calibrate_crisp, calibrate_fuzzy
from coprodlib.analysis.qca.implicants import (
    boolean_minimize,
    covers,
    minimal_covers,
    prime_implicants,
    term_literals,
)
from coprodlib.analysis.qca.measures import (
    membership,
    necessity_consistency,
    parse_expression,
    pri,
    relevance_of_necessity,
    sufficiency_consistency,
    sufficiency_coverage,
)
from coprodlib.analysis.qca.minimisation import SOLUTION_COLUMNS, minimize
from coprodlib.analysis.qca.necessity import NECESSITY_COLUMNS, necessity
from coprodlib.analysis.qca.truth_table import truth_table
from coprodlib.errors import DataError

DATA = Path(__file__).parent / "data" / "qca"
CONDITIONS = ["DEV", "URB", "LIT", "IND", "STB"]
ALL_PRESENT = {c: 1 for c in CONDITIONS}


@pytest.fixture(scope="module")
def lr() -> pd.DataFrame:
    return pd.read_csv(DATA / "lipset_lr.csv", index_col="case")


@pytest.fixture(scope="module")
def lc() -> pd.DataFrame:
    return pd.read_csv(DATA / "lipset_lc.csv", index_col="case")


@pytest.fixture(scope="module")
def lf() -> pd.DataFrame:
    return pd.read_csv(DATA / "lipset_lf.csv", index_col="case")


def models(result: pd.DataFrame, solution: str) -> list[str]:
    """The expressions of one solution type, one per model, in order."""
    part = result[result["solution"] == solution]
    return list(dict.fromkeys(zip(part["model"], part["expression"], strict=True)))


def expressions(result: pd.DataFrame, solution: str) -> list[str]:
    return [expression for _, expression in models(result, solution)]


def path_fit(result: pd.DataFrame, solution: str, model: str = "M1") -> pd.DataFrame:
    part = result[(result["solution"] == solution) & (result["model"] == model)]
    return part.set_index("term")[["incl", "pri", "cov_raw", "cov_unique"]]


# --------------------------------------------------------------------------- calibration


# The fuzzy anchors below reproduce all 108 values of LF from LR to LF's two decimals: DEV
# 400/550/900 USD, URB 25/50/65 %, LIT 50/75/90 %, IND 20/30/40 %, STB (decreasing) full
# inclusion 5, crossover 9.5, exclusion 15 cabinets, SURV -9/0/10. We found them by solving the
# published memberships for the anchors. LF was computed with Ragin's convention of log odds
# +-3 at the anchors (membership 0.9526 at inclusion, as in fsQCA), not with R QCA's default
# idm = 0.95, which puts 24 of the 108 values 0.01 away; the digits of R's calibrate() with its
# default are checked separately below.
LF_ANCHORS = {
    "DEV": {"exclusion": 400, "crossover": 550, "inclusion": 900},
    "URB": {"exclusion": 25, "crossover": 50, "inclusion": 65},
    "LIT": {"exclusion": 50, "crossover": 75, "inclusion": 90},
    "IND": {"exclusion": 20, "crossover": 30, "inclusion": 40},
    "STB": {"exclusion": 15, "crossover": 9.5, "inclusion": 5},
    "SURV": {"exclusion": -9, "crossover": 0, "inclusion": 10},
}


RAGIN_IDM = 1 / (1 + np.exp(-3))


def test_fuzzy_calibration_reproduces_lf(lr, lf):
    spec = {name: {**anchors, "idm": RAGIN_IDM} for name, anchors in LF_ANCHORS.items()}
    calibrated = calibrate(lr, conditions=spec)
    assert np.array_equal(calibrated.round(2).to_numpy(), lf.to_numpy())
    assert list(calibrated.index) == list(lf.index)


def test_fuzzy_calibration_matches_r_digits(lr):
    # [R] calibrate(LR$DEV, thresholds = "e=400, c=550, i=900"), first four values; and
    # calibrate(LR$STB, thresholds = "i=5, c=9.5, e=15"), first three (default idm = 0.95).
    dev = calibrate_fuzzy(lr["DEV"], **LF_ANCHORS["DEV"])
    assert dev.iloc[:4].to_numpy() == pytest.approx(
        [0.80692563299, 0.99014770956, 0.57514068277, 0.16664045588], abs=1e-10
    )
    stb = calibrate_fuzzy(lr["STB"], **LF_ANCHORS["STB"])
    assert stb.iloc[:3].to_numpy() == pytest.approx(
        [0.433477655854, 0.973370852135, 0.908055403158], abs=1e-11
    )
    assert isinstance(dev, pd.Series) and dev.name == "DEV" and list(dev.index) == list(lr.index)


def test_anchors_map_to_idm():
    values = calibrate_fuzzy([10, 20, 30], exclusion=10, crossover=20, inclusion=30)
    assert values == pytest.approx([0.05, 0.5, 0.95])
    ragin = calibrate_fuzzy([30], exclusion=10, crossover=20, inclusion=30, idm=RAGIN_IDM)
    assert ragin[0] == pytest.approx(0.9526, abs=1e-4)  # Ragin's log odds of 3


def test_crisp_calibration_reproduces_lc(lr, lc):
    # Thresholds from [Lipset.Rd].
    spec = {
        "DEV": {"thresholds": 550},
        "URB": {"thresholds": 50},
        "LIT": {"thresholds": 75},
        "IND": {"thresholds": 30},
        "STB": {"thresholds": 10, "decreasing": True},
        "SURV": {"thresholds": 0},
    }
    assert np.array_equal(calibrate(lr, conditions=spec).to_numpy(), lc.to_numpy())


def test_multi_value_crisp(lr):
    # [R] calibrate(LR$DEV, type = "crisp", thresholds = c(550, 850))
    expected = [1, 2, 1, 0, 1, 2, 1, 0, 0, 1, 0, 2, 0, 0, 0, 0, 2, 2]
    assert calibrate_crisp(lr["DEV"], thresholds=[850, 550]).tolist() == expected


def test_missing_values_stay_missing():
    out = calibrate_crisp([1.0, np.nan, 3.0], thresholds=2)
    assert out[0] == 0 and np.isnan(out[1]) and out[2] == 1


@pytest.mark.parametrize(
    "anchors",
    [
        {"exclusion": 550, "crossover": 400, "inclusion": 900},
        {"exclusion": 400, "crossover": 550, "inclusion": 550},
        {"exclusion": 900, "crossover": 400, "inclusion": 550},
    ],
)
def test_fuzzy_anchors_out_of_order(anchors):
    with pytest.raises(DataError, match="exclusion < crossover < inclusion"):
        calibrate_fuzzy([500], **anchors)


def test_fuzzy_anchor_not_a_number():
    with pytest.raises(DataError, match="crossover= to be a number"):
        calibrate_fuzzy([500], exclusion=400, crossover="550", inclusion=900)


def test_calibration_rejects_text_values():
    values = pd.Series([720, "n/a", 320], index=["AU", "BE", "PT"], name="DEV")
    with pytest.raises(DataError) as info:
        calibrate_fuzzy(values, exclusion=400, crossover=550, inclusion=900)
    message = str(info.value)
    assert "'BE'" in message and "'n/a'" in message and "numbers" in message


def test_frame_calibration_names_the_column():
    raw = pd.DataFrame({"DEV": [720, "lots"]}, index=["AU", "BE"])
    with pytest.raises(DataError, match="column 'DEV'"):
        calibrate(raw, conditions={"DEV": {"thresholds": 550}})
    with pytest.raises(ValueError, match="specification of 'DEV'"):
        calibrate(raw, conditions={"DEV": {"crossover": 550}})


# --------------------------------------------------------------------------- truth tables


def test_crisp_truth_table(lc):
    # [R] truthTable(LC, SURV, show.cases = TRUE) (incl.cut = 1); [RDM] p. 57.
    tt = truth_table(lc, outcome="SURV", conditions=CONDITIONS, incl_cut=1)
    assert list(tt.columns) == CONDITIONS + ["out", "n", "incl", "pri", "cases"]
    assert tt.index.tolist() == [1, 2, 5, 6, 22, 23, 24, 31, 32]
    assert tt["out"].tolist() == ["0", "0", "0", "0", "1", "0", "1", "0", "1"]
    assert tt["n"].tolist() == [3, 2, 2, 1, 2, 1, 2, 1, 4]
    assert tt.loc[32, "cases"] == "BE, CZ, NL, UK"
    assert tt.loc[1, "cases"] == "GR, PT, ES"
    assert tt.loc[22, CONDITIONS].tolist() == [1, 0, 1, 0, 1]


def test_fuzzy_truth_table(lf):
    # [R] truthTable(LF, SURV, incl.cut = 0.8, show.cases = TRUE); [Ragin2009] p. 112.
    tt = truth_table(lf, outcome="SURV", conditions=CONDITIONS, incl_cut=0.8)
    expected = {
        1: ("0", 3, 0.215976331360947, 0.0, "GR, PT, ES"),
        2: ("0", 2, 0.278026905829596, 0.0, "IT, RO"),
        5: ("0", 2, 0.520900321543409, 0.113095238095238, "HU, PL"),
        6: ("0", 1, 0.528571428571429, 0.228070175438597, "EE"),
        22: ("1", 2, 0.804270462633452, 0.719387755102041, "FI, IE"),
        23: ("0", 1, 0.378205128205128, 0.0396039603960395, "AU"),
        24: ("0", 2, 0.708771929824562, 0.634361233480176, "FR, SE"),
        31: ("0", 1, 0.445255474452555, 0.05, "DE"),
        32: ("1", 4, 0.904205607476635, 0.885793871866295, "BE, CZ, NL, UK"),
    }
    assert tt.index.tolist() == list(expected)
    for row, (out, n, incl, pri_value, cases) in expected.items():
        assert tt.loc[row, "out"] == out
        assert tt.loc[row, "n"] == n
        assert tt.loc[row, "incl"] == pytest.approx(incl, abs=1e-12)
        assert tt.loc[row, "pri"] == pytest.approx(pri_value, abs=1e-12)
        assert tt.loc[row, "cases"] == cases


def test_negated_outcome_truth_table(lf):
    # [R] truthTable(LF, ~SURV, incl.cut = 0.8)
    tt = truth_table(lf, outcome="~SURV", conditions=CONDITIONS, incl_cut=0.8)
    assert tt.loc[[1, 2, 5, 6, 23, 31], "out"].tolist() == ["1"] * 6
    assert tt.loc[32, "incl"] == pytest.approx(0.25)
    assert tt.loc[32, "pri"] == pytest.approx(0.105849582172702, abs=1e-12)
    assert tt.loc[22, "incl"] == pytest.approx(0.498220640569395, abs=1e-12)


def test_contradictions_with_two_cuts(lf):
    # [R] truthTable(LF, SURV, incl.cut = c(0.9, 0.7)): rows 22 and 24 are "C".
    tt = truth_table(lf, outcome="SURV", conditions=CONDITIONS, incl_cut=(0.9, 0.7))
    assert tt["out"].to_dict() == {
        1: "0",
        2: "0",
        5: "0",
        6: "0",
        22: "C",
        23: "0",
        24: "C",
        31: "0",
        32: "1",
    }


def test_n_cut_makes_remainders_and_complete_lists_all(lf):
    # [R] truthTable(LF, SURV, incl.cut = 0.8, n.cut = 2): rows 6, 23, 31 become "?".
    tt = truth_table(lf, outcome="SURV", conditions=CONDITIONS, n_cut=2)
    assert tt.loc[[6, 23, 31], "out"].tolist() == ["?", "?", "?"]
    full = truth_table(lf, outcome="SURV", conditions=CONDITIONS, complete=True)
    assert len(full) == 32 and full.loc[3, "n"] == 0 and np.isnan(full.loc[3, "incl"])
    assert full.loc[3, "out"] == "?"


def test_pri_cut(lf):
    # [R] truthTable(LF, SURV, incl.cut = 0.8, pri.cut = 0.7): rows 22 (PRI 0.719) and 32 stay 1.
    tt = truth_table(lf, outcome="SURV", conditions=CONDITIONS, pri_cut=0.7)
    assert tt[tt["out"] == "1"].index.tolist() == [22, 32]
    strict = truth_table(lf, outcome="SURV", conditions=CONDITIONS, pri_cut=0.72)
    assert strict[strict["out"] == "1"].index.tolist() == [32]


def test_case_column_and_half_memberships():
    d = pd.DataFrame({"name": ["a", "b", "c"], "A": [0.9, 0.5, 0.2], "Y": [0.8, 0.6, 0.1]})
    with pytest.warns(UserWarning, match="exactly 0.5.*b"):
        tt = truth_table(d, outcome="Y", conditions=["A"], case_column="name")
    assert tt["cases"].tolist() == ["c", "a"]
    assert tt["n"].sum() == 2


def test_truth_table_rejects_raw_values(lr):
    with pytest.raises(DataError) as info:
        truth_table(lr, outcome="SURV", conditions=CONDITIONS)
    message = str(info.value)
    assert "'AU'" in message and "between 0 and 1" in message and "calibrate" in message


def test_truth_table_argument_errors(lc):
    with pytest.raises(DataError, match="did you mean 'DEV'"):
        truth_table(lc, outcome="SURV", conditions=["DEVV"])
    with pytest.raises(ValueError, match="incl_cut"):
        truth_table(lc, outcome="SURV", conditions=CONDITIONS, incl_cut=1.5)
    with pytest.raises(ValueError, match="also among the conditions"):
        truth_table(lc, outcome="SURV", conditions=["DEV", "SURV"])
    with pytest.raises(TypeError):
        truth_table(lc, outcome="SURV", conditions="DEV")


# --------------------------------------------------------------------------- minimisation


def test_crisp_solutions(lc):
    # [R] minimize(truthTable(LC, SURV), details = TRUE) -> DEV*~URB*LIT*STB + DEV*LIT*IND*STB
    #     with covS 0.50 / 0.75, covU 0.25 / 0.50 ([RDM] p. 57 for the expression);
    #     minimize(..., include = "?") -> DEV*STB;
    #     minimize(..., include = "?", dir.exp = c(DEV, URB, LIT, IND, STB)) -> DEV*LIT*STB,
    #     with the easy counterfactual row 30.
    result = minimize(lc, outcome="SURV", conditions=CONDITIONS, incl_cut=1, dir_exp=ALL_PRESENT)
    assert list(result.columns) == SOLUTION_COLUMNS
    assert expressions(result, "conservative") == ["DEV*~URB*LIT*STB + DEV*LIT*IND*STB"]
    assert expressions(result, "parsimonious") == ["DEV*STB"]
    assert expressions(result, "intermediate") == ["DEV*LIT*STB"]
    fit = path_fit(result, "conservative")
    assert fit["cov_raw"].tolist() == pytest.approx([0.5, 0.75])
    assert fit["cov_unique"].tolist() == pytest.approx([0.25, 0.5])
    assert fit.loc["DEV*LIT*IND*STB", "incl"] == 1
    cons = result[result["solution"] == "conservative"]
    assert cons["cases"].tolist() == ["FI, IE; FR, SE", "FR, SE; BE, CZ, NL, UK"]
    pars = result[result["solution"] == "parsimonious"].iloc[0]
    assert np.isnan(pars["cov_unique"]) and pars["sol_cov"] == 1


def test_crisp_negated_outcome(lc):
    # [R] minimize(truthTable(LC, ~SURV)) -> ~DEV*~URB*~IND + DEV*LIT*IND*~STB (covS 0.8, 0.2);
    #     include = "?" -> ~DEV + ~STB (covS 0.8 / 0.7, covU 0.3 / 0.2);
    #     dir.exp = c(~DEV, ~URB, ~LIT, ~IND, ~STB) -> ~STB + ~DEV*~URB*~IND.
    result = minimize(
        lc, outcome="~SURV", conditions=CONDITIONS, incl_cut=1, dir_exp={c: 0 for c in CONDITIONS}
    )
    assert expressions(result, "conservative") == ["~DEV*~URB*~IND + DEV*LIT*IND*~STB"]
    assert expressions(result, "parsimonious") == ["~DEV + ~STB"]
    assert expressions(result, "intermediate") == ["~STB + ~DEV*~URB*~IND"]
    fit = path_fit(result, "parsimonious")
    assert fit["cov_raw"].tolist() == pytest.approx([0.8, 0.7])
    assert fit["cov_unique"].tolist() == pytest.approx([0.3, 0.2])


def test_fuzzy_conservative_solution(lf):
    # [R] minimize(truthTable(LF, SURV, incl.cut = 0.8), details = TRUE); [Ragin2009] p. 112.
    result = minimize(lf, outcome="SURV", conditions=CONDITIONS, solutions=["conservative"])
    assert expressions(result, "conservative") == ["DEV*URB*LIT*IND*STB + DEV*~URB*LIT*~IND*STB"]
    fit = path_fit(result, "conservative")
    expected = {
        "DEV*URB*LIT*IND*STB": [0.9042056075, 0.8857938719, 0.4542253521, 0.3931924883],
        "DEV*~URB*LIT*~IND*STB": [0.8042704626, 0.7193877551, 0.2652582160, 0.2042253521],
    }
    for term, values in expected.items():
        assert fit.loc[term].tolist() == pytest.approx(values, abs=1e-9)
    row = result.iloc[0]
    assert [row["sol_incl"], row["sol_pri"], row["sol_cov"]] == pytest.approx(
        [0.8697674419, 0.8429906542, 0.6584507042], abs=1e-9
    )


def test_fuzzy_parsimonious_solution(lf):
    # [R] minimize(truthTable(LF, SURV, incl.cut = 0.8), include = "?", details = TRUE)
    result = minimize(lf, outcome="SURV", conditions=CONDITIONS, solutions=["parsimonious"])
    assert expressions(result, "parsimonious") == ["DEV*~IND + URB*STB"]
    fit = path_fit(result, "parsimonious")
    assert fit.loc["DEV*~IND"].tolist() == pytest.approx(
        [0.8148148148, 0.7208121827, 0.2840375587, 0.1936619718], abs=1e-9
    )
    assert fit.loc["URB*STB"].tolist() == pytest.approx(
        [0.8737672584, 0.8454106280, 0.5199530516, 0.4295774648], abs=1e-9
    )
    row = result.iloc[0]
    assert [row["sol_incl"], row["sol_pri"], row["sol_cov"]] == pytest.approx(
        [0.8503496503, 0.8186440678, 0.7136150235], abs=1e-9
    )


def test_fuzzy_intermediate_solution(lf):
    # [R] minimize(ttLF, include = "?", dir.exp = c(DEV, URB, LIT, IND, STB), details = TRUE)
    #     $i.sol$C1P1: DEV*URB*LIT*STB + DEV*LIT*~IND*STB, easy counterfactual row 30.
    result = minimize(lf, outcome="SURV", conditions=CONDITIONS, dir_exp=ALL_PRESENT)
    assert expressions(result, "intermediate") == ["DEV*URB*LIT*STB + DEV*LIT*~IND*STB"]
    assert set(result.loc[result["solution"] == "intermediate", "model"]) == {"C1P1-M1"}
    fit = path_fit(result, "intermediate", "C1P1-M1")
    assert fit.loc["DEV*URB*LIT*STB"].tolist() == pytest.approx(
        [0.9006772009, 0.8787878788, 0.4683098592, 0.3779342723], abs=1e-9
    )
    assert fit.loc["DEV*LIT*~IND*STB"].tolist() == pytest.approx(
        [0.8135593220, 0.7208121827, 0.2816901408, 0.1913145540], abs=1e-9
    )
    row = result[result["solution"] == "intermediate"].iloc[0]
    assert [row["sol_incl"], row["sol_pri"], row["sol_cov"]] == pytest.approx(
        [0.8659476117, 0.8385899814, 0.6596244131], abs=1e-9
    )


def test_intermediate_with_mixed_expectations_keeps_conservative(lf):
    # [R] minimize(ttLF, include = "?", dir.exp = c(DEV, ~URB, STB)): the C1P1 model equals
    #     the conservative one (no easy counterfactual agrees with URB expected absent).
    result = minimize(
        lf,
        outcome="SURV",
        conditions=CONDITIONS,
        solutions=["intermediate"],
        dir_exp={"DEV": 1, "URB": 0, "STB": 1, "LIT": "-"},
    )
    assert expressions(result, "intermediate") == ["DEV*URB*LIT*IND*STB + DEV*~URB*LIT*~IND*STB"]


def test_fuzzy_negated_outcome(lf):
    # [R] minimize(truthTable(LF, ~SURV, incl.cut = 0.8)) and with include = "?".
    result = minimize(lf, outcome="~SURV", conditions=CONDITIONS)
    assert expressions(result, "conservative") == ["~DEV*~URB*~IND + DEV*LIT*IND*~STB"]
    assert expressions(result, "parsimonious") == ["~DEV + ~STB"]
    fit = path_fit(result, "parsimonious")
    assert fit.loc["~DEV"].tolist() == pytest.approx(
        [0.8374717833, 0.7980364656, 0.7827004219, 0.2310126582], abs=1e-9
    )
    assert fit.loc["~STB"].tolist() == pytest.approx(
        [0.9015918958, 0.8712121212, 0.6571729958, 0.1054852321], abs=1e-9
    )


def test_ties_in_the_chart_keep_every_model(lf):
    # [R] minimize(truthTable(LF, SURV, incl.cut = 0.8, n.cut = 2), include = "?") lists
    #     M1: URB + DEV*~IND and M2: URB + LIT*~IND*STB.
    result = minimize(
        lf, outcome="SURV", conditions=CONDITIONS, n_cut=2, solutions=["parsimonious"]
    )
    assert models(result, "parsimonious") == [
        ("M1", "URB + DEV*~IND"),
        ("M2", "URB + LIT*~IND*STB"),
    ]


def test_no_positive_configuration(lf):
    with pytest.raises(DataError) as info:
        minimize(lf, outcome="SURV", conditions=CONDITIONS, incl_cut=0.95)
    message = str(info.value)
    assert "none is" in message and "row 32" in message and "Lower incl_cut" in message


def test_everything_positive_and_one_condition():
    d = pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "Y": [1, 1, 1]})
    result = minimize(d, outcome="Y", conditions=["A"], incl_cut=1)
    assert expressions(result, "conservative") == ["1"]
    assert result["sol_cov"].tolist() == [1.0, 1.0]
    one = minimize(d, outcome="Y", conditions=["A", "B"], incl_cut=1)
    assert expressions(one, "conservative") == ["A + B"]  # A*B is covered by both
    assert expressions(one, "parsimonious") == ["1"]  # the remainder ~A*~B is a don't care
    single = pd.DataFrame({"A": [1, 0, 1, 0], "Y": [1, 0, 1, 0]})
    assert expressions(
        minimize(single, outcome="Y", conditions=["A"], incl_cut=1), "parsimonious"
    ) == ["A"]


def test_minimize_argument_errors(lc):
    with pytest.raises(ValueError, match="not among the conditions"):
        minimize(lc, outcome="SURV", conditions=CONDITIONS, dir_exp={"GDP": 1})
    with pytest.raises(ValueError, match="dir_exp\\['DEV'\\]"):
        minimize(lc, outcome="SURV", conditions=CONDITIONS, dir_exp={"DEV": "yes"})
    with pytest.raises(ValueError, match="solutions"):
        minimize(lc, outcome="SURV", conditions=CONDITIONS, solutions=["complex"])


# --------------------------------------------------------------------------- hand-worked minimiser


def test_textbook_prime_implicant_chart():
    # Hand-worked in the manner of Ragin (1987, ch. 6): the primitive expression
    # A*B*C + A*~B*C + A*B*~C + ~A*B*~C has the primes A*C, B*~C and A*B; A*C (the only cover
    # of A*~B*C) and B*~C (the only cover of ~A*B*~C) are essential and cover all, so A*B is
    # redundant: the solution is A*C + B*~C.
    rows = [(1, 1, 1), (1, 0, 1), (1, 1, 0), (0, 1, 0)]
    assert set(prime_implicants(rows)) == {(1, -1, 1), (-1, 1, 0), (1, 1, -1)}
    assert boolean_minimize(rows, conditions=["A", "B", "C"]) == ["A*C + B*~C"]


def _primes_by_definition(minterms, k, covering=None):
    """Every term (3**k of them) tested against the definition: it covers only minterms of
    the set, and freeing any of its fixed conditions would make it cover one outside."""
    inside = set(minterms)

    def implicant(term):
        return all(m in inside for m in itertools.product((0, 1), repeat=k) if covers(term, m))

    primes = set()
    for term in itertools.product((1, 0, -1), repeat=k):
        if not implicant(term):
            continue
        freed = (term[:i] + (-1,) + term[i + 1 :] for i, v in enumerate(term) if v != -1)
        if not any(implicant(t) for t in freed):
            primes.add(term)
    if covering is not None:
        primes = {p for p in primes if any(covers(p, m) for m in covering)}
    return primes


@pytest.mark.parametrize("seed", range(12))
def test_prime_implicants_agree_with_their_definition_both_ways_of_finding_them(seed, monkeypatch):
    # random sets of 1 to 6 conditions; the dense array and the pairwise merging (forced by
    # lowering the limit) must both give exactly the primes the definition gives
    rng = random.Random(seed)
    k = rng.randint(1, 6)
    corners = list(itertools.product((0, 1), repeat=k))
    minterms = rng.sample(corners, rng.randint(1, len(corners)))
    covering = rng.sample(minterms, rng.randint(0, len(minterms)))  # empty too: no prime
    expected = _primes_by_definition(minterms, k)
    assert set(prime_implicants(minterms)) == expected
    assert set(prime_implicants(minterms, covering=covering)) == _primes_by_definition(
        minterms, k, covering
    )
    monkeypatch.setattr(implicants, "DENSE_CONDITIONS", 0)
    assert set(prime_implicants(minterms)) == expected
    found = prime_implicants(minterms, covering=covering)
    assert set(found) == _primes_by_definition(minterms, k, covering)
    assert found == sorted(found, key=implicants.term_order)


@pytest.mark.parametrize("bad", [[(0, 2)], [(0, 1), (1,)], [(-1, 1)]])
def test_prime_implicants_take_only_0_1_patterns_of_one_length(bad):
    with pytest.raises(ValueError, match="0/1 patterns of one length"):
        prime_implicants(bad)


def test_quine_mccluskey_example_with_ties():
    # The worked example of the Quine-McCluskey algorithm (Wikipedia, "Quine-McCluskey
    # algorithm"): f(A,B,C,D) = sum m(4,8,10,11,12,15) + d(9,14). Primes: B*~C*~D, A*~B,
    # A*~D, A*C; B*~C*~D and A*C are essential, and m8 is covered by A*~B or A*~D, so there
    # are two minimal solutions.
    def bits(m):
        return tuple(int(b) for b in format(m, "04b"))

    result = boolean_minimize(
        [bits(m) for m in (4, 8, 10, 11, 12, 15)],
        conditions=["A", "B", "C", "D"],
        dont_cares=[bits(9), bits(14)],
    )
    as_sets = {frozenset(model.split(" + ")) for model in result}
    assert as_sets == {frozenset({"B*~C*~D", "A*~B", "A*C"}), frozenset({"B*~C*~D", "A*~D", "A*C"})}
    assert len(result) == 2


def test_measures_on_small_vectors():
    x, y = [0.8, 0.6, 0.1], [0.9, 0.4, 0.7]
    assert sufficiency_consistency(x, y) == pytest.approx(1.3 / 1.5)
    assert sufficiency_coverage(x, y) == pytest.approx(1.3 / 2.0)
    assert pri(x, y) == pytest.approx(0.7 / 0.9)
    assert necessity_consistency(x, y) == pytest.approx(1.3 / 2.0)
    assert relevance_of_necessity(x, y) == pytest.approx(1.5 / 1.7)
    assert np.isnan(sufficiency_consistency([0, 0], [1, 1]))
    with pytest.raises(ValueError):
        pri([1, 0], [1])


def test_expressions():
    assert parse_expression("A*~B + ~~C") == [[("A", True), ("B", False)], [("C", True)]]
    with pytest.raises(ValueError, match="not a condition name"):
        parse_expression("A* + B")
    d = pd.DataFrame({"A": [0.9, 0.2], "B": [0.3, 0.6]})
    assert membership(d, "A*~B").tolist() == pytest.approx([0.7, 0.2])


# --------------------------------------------------------------------------- necessity


def test_necessity_fuzzy(lf):
    # [R] pof(cbind(LF[, 1:5], 1 - LF[, 1:5]), LF$SURV, relation = "necessity")$incl.cov
    table = necessity(lf, outcome="SURV", conditions=CONDITIONS)
    assert list(table.columns) == NECESSITY_COLUMNS
    assert table["condition"].tolist()[:3] == ["LIT", "STB", "DEV"]
    got = table.set_index("condition")
    expected = {
        "DEV": (0.83098591549, 0.8113553114, 0.7746170678),
        "URB": (0.53873239437, 0.8985831469, 0.7714285714),
        "LIT": (0.99061032864, 0.5094142259, 0.6428027418),
        "IND": (0.66901408451, 0.7861788618, 0.6842737095),
        "STB": (0.92018779343, 0.6801181102, 0.7069431921),
        "~DEV": (0.28521126761, 0.5870263327, 0.2742663657),
        "~URB": (0.56807511737, 0.4521276596, 0.4016597510),
        "~LIT": (0.09624413146, 0.7642607683, 0.1683778234),
        "~IND": (0.41666666667, 0.5764705882, 0.3671147880),
        "~STB": (0.21830985915, 0.6871127633, 0.2691751085),
    }
    for condition, values in expected.items():
        assert got.loc[condition].tolist() == pytest.approx(values, abs=1e-9)


def test_necessity_crisp_and_negated_outcome(lc, lf):
    # [R] pof(..., LC$SURV, relation = "necessity") and pof(..., 1 - LF$SURV, ...)
    crisp = necessity(lc, outcome="SURV", conditions=CONDITIONS, sort=False).set_index("condition")
    assert crisp.loc["URB"].tolist() == pytest.approx([0.5, 0.9285714286, 0.8])
    assert crisp.loc["~IND"].tolist() == pytest.approx([0.25, 0.5, 0.2])
    negated = necessity(lf, outcome="~SURV", conditions=CONDITIONS).set_index("condition")
    assert negated.loc["~LIT"].tolist() == pytest.approx(
        [0.5052742616, 0.9939439818, 0.9835728953], abs=1e-9
    )
    plain = necessity(lc, outcome="SURV", conditions=CONDITIONS, negated=False, sort=False)
    assert plain["condition"].tolist() == CONDITIONS


# --------------------------------------------------------------------------- properties


def patterns_strategy(k):
    corners = list(itertools.product([0, 1], repeat=k))
    return st.lists(
        st.sampled_from(["1", "0", "?"]), min_size=len(corners), max_size=len(corners)
    ).map(lambda outs: (corners, outs))


def smallest_cover_size(positives, allowed, k):
    """By brute force: the fewest implicants inside ``allowed`` that cover ``positives``."""
    implicants = [
        t
        for t in itertools.product([0, 1, -1], repeat=k)
        if all(m in allowed for m in itertools.product([0, 1], repeat=k) if covers(t, m))
    ]
    for size in range(1, len(positives) + 1):
        for combo in itertools.combinations(implicants, size):
            if all(any(covers(t, p) for t in combo) for p in positives):
                return size
    raise AssertionError("no cover")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=3).flatmap(patterns_strategy))
def test_solutions_cover_positives_and_avoid_negatives(case):
    corners, outs = case
    k = len(corners[0])
    positives = [c for c, o in zip(corners, outs, strict=True) if o == "1"]
    negatives = {c for c, o in zip(corners, outs, strict=True) if o == "0"}
    remainders = [c for c, o in zip(corners, outs, strict=True) if o == "?"]
    if not positives:
        return
    conservative = minimal_covers(prime_implicants(positives), positives)
    pars_primes = [
        p for p in prime_implicants(positives + remainders) if any(covers(p, m) for m in positives)
    ]
    parsimonious = minimal_covers(pars_primes, positives)
    for model in conservative + parsimonious:
        assert all(any(covers(t, p) for t in model) for p in positives)  # superset-cover
        assert not any(covers(t, n) for t in model for n in negatives)
    for model in conservative:
        assert not any(covers(t, r) for t in model for r in remainders)
    fewest_pars = min(sum(term_literals(t) for t in m) for m in parsimonious)
    fewest_cons = min(sum(term_literals(t) for t in m) for m in conservative)
    assert fewest_pars <= fewest_cons
    assert len(conservative[0]) == smallest_cover_size(positives, set(positives), k)
    assert len(parsimonious[0]) == smallest_cover_size(
        positives, set(positives) | set(remainders), k
    )


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 1), st.floats(0, 1)),
        min_size=4,
        max_size=12,
    )
)
def test_minimize_paths_are_subsets_of_positive_rows(rows):
    d = pd.DataFrame(rows, columns=["A", "B", "C", "Y"])
    d["Y"] = (d["Y"] > 0.5).astype(int)
    try:
        result = minimize(d, outcome="Y", conditions=["A", "B", "C"], incl_cut=1, dir_exp={"A": 1})
    except DataError:
        assert (
            truth_table(d, outcome="Y", conditions=["A", "B", "C"], incl_cut=1)["out"].ne("1").all()
        )
        return
    assert (result["incl"] == 1.0).all()  # no path covers a case without the outcome
    tt = truth_table(d, outcome="Y", conditions=["A", "B", "C"], incl_cut=1)
    in_positive_rows = (d[["A", "B", "C"]].astype(str).agg("".join, axis=1)).isin(
        tt[tt["out"] == "1"][["A", "B", "C"]].astype(str).agg("".join, axis=1)
    )
    for expression in result["expression"].unique():
        solved = membership(d, expression) if expression != "1" else pd.Series(1.0, index=d.index)
        assert (solved[in_positive_rows] == 1.0).all()
