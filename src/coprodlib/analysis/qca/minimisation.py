"""The three solutions of QCA from calibrated data, with the fit of every path and model.

:func:`minimize` builds the truth table (:func:`.truth_table.truth_table`) and minimises its
positive rows (``out = "1"``):

* **conservative** (complex): the logical remainders (``out = "?"``) are not used;
* **parsimonious**: every remainder may be used as a don't care;
* **intermediate**: only the *easy counterfactuals*, the remainders that agree with the
  directional expectations ``dir_exp``. This follows the procedure of R QCA's ``minimize()``
  (Ragin & Sonnett 2005; Dusa 2019, ch. 8): for each pair of a conservative model ``C`` and a
  parsimonious model ``P``, each conservative term is compared with every parsimonious term that
  contains it; a literal of the conservative term that the parsimonious term drops is dropped
  too when it contradicts the expectation for its condition (a condition expected present loses
  a ``~X``, one expected absent loses an ``X``; conditions without an expectation, ``"-"``,
  keep theirs). The remainders that ``P`` uses (its simplifying assumptions) and that lie
  inside such a loosened term are the easy counterfactuals; the positive rows together with
  them are minimised again and the chart solved over the positive rows. Each pair is reported
  as ``C<i>P<j>``.

Contradictions (``out = "C"``) and negative rows are never used as don't cares. When the chart
has ties, every minimal model is listed (``M1``, ``M2``, ...).

Fit, for a path (term) ``T``, its model ``S`` (the union of the paths) and the outcome ``Y``:
``incl`` = consistency of sufficiency, ``pri``, ``cov_raw`` = coverage, ``cov_unique`` = the
coverage of ``S`` minus that of ``S`` without ``T`` (missing for a one-path model, as R QCA
prints it), and for the model ``sol_incl``, ``sol_pri``, ``sol_cov``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import data_label
from ...errors import fail
from .implicants import Term, covers, minimal_covers, prime_implicants, term_text
from .measures import outcome_membership, pri, sufficiency_consistency, sufficiency_coverage
from .truth_table import check_conditions, truth_table

__all__ = ["SOLUTION_COLUMNS", "SOLUTIONS", "minimize", "intermediate_models"]

#: Column order of the table :func:`minimize` returns.
SOLUTION_COLUMNS = [
    "solution",
    "model",
    "expression",
    "term",
    "incl",
    "pri",
    "cov_raw",
    "cov_unique",
    "sol_incl",
    "sol_pri",
    "sol_cov",
    "cases",
]

#: The solution types, in the order they are reported.
SOLUTIONS = ("conservative", "parsimonious", "intermediate")


def _expectations(dir_exp: Mapping[str, Any] | None, conditions: Sequence[str]) -> list[int]:
    """Directional expectations as 1 (present), 0 (absent) or -1 (none) per condition."""
    if dir_exp is None:
        return [-1] * len(conditions)
    if not isinstance(dir_exp, Mapping):
        raise TypeError('minimize: dir_exp must be a dict like {"A": 1, "B": 0, "C": "-"}')
    unknown = [name for name in dir_exp if name not in conditions]
    if unknown:
        raise ValueError(
            f"minimize: dir_exp names {unknown}, which are not among the conditions {list(conditions)}"
        )
    codes = {1: 1, "1": 1, 0: 0, "0": 0, "-": -1, None: -1}
    result = []
    for name in conditions:
        value = dir_exp.get(name, "-")
        if isinstance(value, bool) or value not in codes:
            raise ValueError(
                f"minimize: dir_exp[{name!r}] must be 1 (expected present), 0 (expected absent) "
                f"or '-' (no expectation), not {value!r}"
            )
        result.append(codes[value])
    return result


def intermediate_models(
    conservative: Sequence[Sequence[Term]],
    parsimonious: Sequence[Sequence[Term]],
    *,
    positives: Sequence[Term],
    remainders: Sequence[Term],
    expectations: Sequence[int],
) -> list[tuple[str, list[list[Term]], list[Term]]]:
    """The intermediate models of every conservative/parsimonious pair.

    Returns a list of ``(label, models, easy_counterfactuals)`` with labels ``"C1P1"``,
    ``"C1P2"``, ...; ``expectations`` holds 1, 0 or -1 per condition.
    """
    result = []
    rest = np.array(remainders, dtype=np.int8).reshape(len(remainders), len(expectations))
    for ci, c_model in enumerate(conservative, start=1):
        for pi_, p_model in enumerate(parsimonious, start=1):
            assumed = _covered_rows(rest, p_model)  # the remainders the model relies on
            loosened: list[Term] = []
            for comp in c_model:
                for pars in p_model:
                    if not all(p == -1 or p == c for p, c in zip(pars, comp, strict=True)):
                        continue
                    loosened.append(
                        tuple(
                            -1 if (p == -1 and c != -1 and e != -1 and e != c) else c
                            for c, p, e in zip(comp, pars, expectations, strict=True)
                        )
                    )
            easy = [remainders[i] for i in np.flatnonzero(assumed & _covered_rows(rest, loosened))]
            primes = [
                p
                for p in prime_implicants(list(positives) + easy)
                if any(covers(p, m) for m in positives)
            ]
            result.append((f"C{ci}P{pi_}", minimal_covers(primes, positives), easy))
    return result


def _covered_rows(rows: np.ndarray, terms: Sequence[Term]) -> np.ndarray:
    """Which of ``rows`` (0/1 patterns, one per row) some of ``terms`` covers."""
    hit = np.zeros(len(rows), dtype=bool)
    for term in terms:
        t = np.asarray(term, dtype=np.int8)
        hit |= ((t == -1) | (rows == t)).all(axis=1)
    return hit


def _term_membership(values: np.ndarray, term: Term) -> np.ndarray:
    member = np.ones(values.shape[0])
    for j, v in enumerate(term):
        if v != -1:
            member = np.minimum(member, values[:, j] if v == 1 else 1.0 - values[:, j])
    return member


class _PathFit:
    """Memberships and fit of each path, computed once however many models share it."""

    def __init__(
        self,
        conditions: Sequence[str],
        values: np.ndarray,
        y: np.ndarray,
        positive_rows: pd.DataFrame,
    ) -> None:
        self.conditions = list(conditions)
        self.values = values
        self.y = y
        self.rows = [
            (tuple(int(v) for v in p), str(c))
            for p, c in zip(
                positive_rows[self.conditions].to_numpy(), positive_rows["cases"], strict=True
            )
        ]
        self.cache: dict[Term, dict[str, Any]] = {}

    def path(self, term: Term) -> dict[str, Any]:
        if term not in self.cache:
            member = _term_membership(self.values, term)
            self.cache[term] = {
                "member": member,
                "term": term_text(term, self.conditions),
                "incl": sufficiency_consistency(member, self.y),
                "pri": pri(member, self.y),
                "cov_raw": sufficiency_coverage(member, self.y),
                "cases": "; ".join(c for p, c in self.rows if c and covers(term, p)),
            }
        return self.cache[term]

    def model_rows(self, solution: str, label: str, model: Sequence[Term]) -> list[dict[str, Any]]:
        paths = [self.path(t) for t in model]
        members = [p["member"] for p in paths]
        y = self.y
        union = np.max(members, axis=0) if members else np.zeros_like(y)
        sol = {
            "sol_incl": sufficiency_consistency(union, y),
            "sol_pri": pri(union, y),
            "sol_cov": sufficiency_coverage(union, y),
        }
        expression = " + ".join(p["term"] for p in paths)
        rows = []
        for i, path in enumerate(paths):
            if len(model) > 1:
                others = np.max([m for j, m in enumerate(members) if j != i], axis=0)
                unique = sol["sol_cov"] - sufficiency_coverage(others, y)
            else:
                unique = float("nan")
            rows.append(
                {
                    "solution": solution,
                    "model": label,
                    "expression": expression,
                    "term": path["term"],
                    "incl": path["incl"],
                    "pri": path["pri"],
                    "cov_raw": path["cov_raw"],
                    "cov_unique": unique,
                    **sol,
                    "cases": path["cases"],
                }
            )
        return rows


def _no_positive(data: pd.DataFrame, table: pd.DataFrame, outcome: str, incl_cut: Any) -> Exception:
    rated = table[table["out"] != "?"]
    if rated.empty:
        best = "no configuration has enough cases (lower n_cut)"
    else:
        top = rated.sort_values("incl", ascending=False).iloc[0]
        best = (
            f"the most consistent configuration is row {top.name} (incl {top['incl']:.3f}, "
            f"pri {top['pri']:.3f}, cases {top['cases']})"
        )
    return fail(
        data_label(data),
        f"minimize: at least one configuration sufficient for {outcome} at incl_cut={incl_cut!r}; "
        f"none is, and {best}. Lower incl_cut or pri_cut, or check the outcome",
        kind="no_positive",
    )


def minimize(
    data: pd.DataFrame,
    *,
    outcome: str,
    conditions: Sequence[str],
    solutions: Sequence[str] | None = None,
    dir_exp: Mapping[str, Any] | None = None,
    incl_cut: float | tuple[float, float] = 0.8,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    case_column: Hashable | None = None,
) -> pd.DataFrame:
    """The conservative, parsimonious and intermediate solutions, one row per path.

    Parameters
    ----------
    data : DataFrame
        Calibrated memberships, one row per case.
    outcome : str
        The outcome's column; ``"~OUT"`` explains its negation.
    conditions : list of str
        The condition columns.
    solutions : list of str, optional
        Any of ``"conservative"``, ``"parsimonious"``, ``"intermediate"``; by default the first
        two, and the third too when ``dir_exp`` is given.
    dir_exp : dict, optional
        Directional expectations for the intermediate solution: condition -> 1 (its presence
        is expected to lead to the outcome), 0 (its absence) or ``"-"`` (no expectation;
        conditions left out have none).
    incl_cut, n_cut, pri_cut, case_column
        As in :func:`.truth_table.truth_table`.

    Returns
    -------
    DataFrame
        Columns ``solution``, ``model`` (``M1``, ``M2``, ... or ``C1P1-M1`` for an intermediate
        model of the first conservative and first parsimonious model), ``expression`` (the
        whole model), ``term`` (the path), ``incl``, ``pri``, ``cov_raw``, ``cov_unique``,
        ``sol_incl``, ``sol_pri``, ``sol_cov`` and ``cases`` (of the positive rows the path
        covers; rows separated by ``"; "``).

    Raises
    ------
    DataError
        When no configuration passes the cuts (nothing to explain), naming the best one.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [0, 1, 1, 0, 0], "Y": [1, 1, 0, 0, 1]})
    >>> res = minimize(d, outcome="Y", conditions=["A", "B"], incl_cut=1)
    >>> res[["solution", "model", "expression", "incl", "cov_raw"]]
           solution model expression  incl  cov_raw
    0  conservative    M1          A   1.0      1.0
    1  parsimonious    M1          A   1.0      1.0
    """
    names = check_conditions(data, conditions, "minimize")
    wanted = (
        list(solutions)
        if solutions is not None
        else (["conservative", "parsimonious"] + (["intermediate"] if dir_exp is not None else []))
    )
    bad = [s for s in wanted if s not in SOLUTIONS]
    if bad or not wanted:
        raise ValueError(f"minimize: solutions must be among {list(SOLUTIONS)}, not {wanted!r}")
    expectations = _expectations(dir_exp, names)
    table = truth_table(
        data,
        outcome=outcome,
        conditions=names,
        incl_cut=incl_cut,
        n_cut=n_cut,
        pri_cut=pri_cut,
        case_column=case_column,
        complete=True,
    )
    patterns = [tuple(int(v) for v in row) for row in table[names].to_numpy()]
    positives = [p for p, o in zip(patterns, table["out"], strict=True) if o == "1"]
    remainders = [p for p, o in zip(patterns, table["out"], strict=True) if o == "?"]
    if not positives:
        raise _no_positive(data, table, outcome, incl_cut)
    _, y_series = outcome_membership(data, outcome, function="minimize")
    values = data[names].to_numpy(dtype=float)
    y = y_series.to_numpy()
    positive_rows = table[table["out"] == "1"]

    conservative = minimal_covers(prime_implicants(positives), positives)
    pars_primes = prime_implicants(positives + remainders, covering=positives)
    parsimonious = minimal_covers(pars_primes, positives)
    rows: list[dict[str, Any]] = []
    fit = _PathFit(names, values, y, positive_rows)
    for solution in SOLUTIONS:
        if solution not in wanted:
            continue
        if solution == "intermediate":
            found = intermediate_models(
                conservative,
                parsimonious,
                positives=positives,
                remainders=remainders,
                expectations=expectations,
            )
            for label, models, _easy in found:
                for m, model in enumerate(models, start=1):
                    rows += fit.model_rows(solution, f"{label}-M{m}", model)
            continue
        models = conservative if solution == "conservative" else parsimonious
        for m, model in enumerate(models, start=1):
            rows += fit.model_rows(solution, f"M{m}", model)
    result = pd.DataFrame(rows, columns=SOLUTION_COLUMNS)
    result.attrs.update({"outcome": outcome, "conditions": names})
    return result
