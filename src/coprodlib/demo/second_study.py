"""The second SYNTHETIC demo study: ten invented cases in six countries, coded with a team's labels.

Nothing generated here is real data. The model (:mod:`.second_parameters`) imitates the
*design* of a multi-country comparison [iias; bovaird2019; brix2021] and builds its patterns in
as assumptions: a case's conditions (its institutional logic, mode and level) set how
one-sidedly its actors cope, how often they escalate, and how many of its effects are
undesired. The steps are those of the first demo and reuse its machinery (:mod:`.structure`
for cases, participants, documents and segments; :mod:`.texts` for the invented wording;
:mod:`.codings` for the codings table and the second coder); only the drawing of the codes is
the second study's own (:func:`draw_second_codes`). The codings are then renamed to the team's
own code names, which ``code_map.csv`` maps back to codebook ids when the dataset is loaded.

- :func:`generate_second` gives the tables in memory;
- :func:`write_second_demo` writes the folder (``data/demo2``) with the first demo's atomic
  writer, byte for byte the same for the same seed;
- :func:`case_shares` gives the four case-level shares the model varies, from the tables,
  and :func:`expected_shares` what the model expects them to be.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .codings import (
    DrawnCodes,
    effect_weights,
    leaf_weights,
    one_sided_share,
    slot_mask,
)
from .model import cases_out, coded_segments
from .parameters import EFFECTS, FAMILIES, FAMILY_LOGITS, ROLE_GROUPS, TENSIONS
from .sampling import draw, streams
from .second_parameters import (
    ESCALATION_MODEL,
    LOCAL_CODES,
    LOCAL_SLOT,
    N_DOUBLE_SECOND,
    ONE_SIDED_MODEL,
    SECOND_CASES,
    SECOND_FILES,
    SECOND_LEAVES,
    SECOND_SEED,
    SECOND_SLOT_P,
    SEGMENTS_PER_CASE,
    TEAM_LABELS,
    UNDESIRED_SECOND,
)
from .second_readme import second_readme_text
from .structure import SegmentRows, participants, segment_rows
from .writer import check_target, csv_bytes, write_files, yaml_bytes

__all__ = [
    "case_shares",
    "draw_second_codes",
    "expected_shares",
    "generate_second",
    "second_case_table",
    "second_files",
    "write_second_demo",
]

# =========================================================================== cases


def second_case_table() -> pd.DataFrame:
    """The ten cases, sorted by id, with the latent shifts their conditions give them.

    Besides the columns of ``cases.csv`` and the model's own (``prefix``, ``area``,
    ``roles``, ``tensions``), ``one_sided`` is the case's shift towards coping that favours
    one value (:data:`~.second_parameters.ONE_SIDED_MODEL`) and ``escalation_shift`` its
    extra shift towards escalation (:data:`~.second_parameters.ESCALATION_MODEL`).

    Examples
    --------
    >>> from coprodlib.demo.second_study import second_case_table
    >>> cases = second_case_table()
    >>> len(cases), float(cases.set_index("case_id").loc["dk_social_care_network", "one_sided"])
    (10, 0.8)
    """
    cases = pd.DataFrame(SECOND_CASES)
    hands_on = cases["logic"].eq("hands-on").to_numpy(float)
    watchdog = cases["logic"].eq("watchdog").to_numpy(float)
    enhanced = cases["mode"].eq("enhanced").to_numpy(float)
    collective = cases["level"].eq("collective").to_numpy(float)
    m, e = ONE_SIDED_MODEL, ESCALATION_MODEL
    one_sided = m["base"] + m["hands_on"] * hands_on + m["enhanced"] * enhanced
    cases["one_sided"] = np.round(one_sided + m["watchdog"] * watchdog, 6)
    cases["escalation_shift"] = np.round(e["watchdog"] * watchdog + e["collective"] * collective, 6)
    return cases.sort_values("case_id", ignore_index=True)


# =========================================================================== codes


def draw_second_codes(
    cases: pd.DataFrame, rows: SegmentRows, rng: np.random.Generator
) -> DrawnCodes:
    """Draw which slots of every segment row carry a code, and each slot's code.

    The slots are a tension, a strategy, an effect and a local context code. The strategy
    family follows the first demo's logit by role group, shifted by the case's
    ``one_sided`` (the three families that favour one value) and ``escalation_shift``
    (escalation alone); whether an effect is undesired follows the case's drawn share of
    one-sided strategy codings and its logic (:data:`~.second_parameters.UNDESIRED_SECOND`).

    Parameters
    ----------
    cases : pandas.DataFrame
        As :func:`second_case_table` gives it.
    rows : SegmentRows
        The segment rows (:func:`~coprodlib.demo.structure.segment_rows`).
    rng : numpy.random.Generator
        The codings stream.

    Returns
    -------
    DrawnCodes
        With ``slots`` tension, strategy, effect and local.
    """
    pools = {
        "tension": list(TENSIONS),
        "strategy": [c for f in FAMILIES for c, _ in SECOND_LEAVES[f]],
        "effect": [code for code, *_ in EFFECTS],
        "local": list(LOCAL_SLOT),
    }
    slots = ["tension", "strategy", "effect", "local"]
    codes = [c for s in slots for c in pools[s]]
    start = np.cumsum([0] + [len(pools[s]) for s in slots])[:-1]
    mask = slot_mask(rows.is_overlap, *(np.array(p) for p in SECOND_SLOT_P), rng)
    tension_w = np.array([[w.get(t, 0.0) for t in TENSIONS] for w in cases["tensions"]])
    tension = draw(rng, tension_w[rows.row_case])
    family, leaf = _draw_strategies(cases, rows, rng)
    share, desired, effect = _draw_effects(cases, rows, mask[:, 1], family, rng)
    local = draw(rng, _local_weights(cases)[rows.row_case])
    code = np.stack([tension, leaf, effect, local], axis=1) + start[None, :]
    return DrawnCodes(
        pools=pools,
        slots=slots,
        codes=codes,
        mask=mask,
        code=code.astype(np.int64),
        tension=tension,
        family=family,
        effect=effect,
        desired=desired,
        share=share,
    )


def _draw_strategies(
    cases: pd.DataFrame, rows: SegmentRows, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The family of every row's strategy (index into FAMILIES) and its code (pool index)."""
    one_sided = cases["one_sided"].to_numpy(float)[rows.row_case]
    escalation = cases["escalation_shift"].to_numpy(float)[rows.row_case]
    shift = np.r_[1.0, 1.0, 1.0, 0.0] * one_sided[:, None]
    shift[:, FAMILIES.index("escalation")] += escalation
    family = draw(rng, np.exp(FAMILY_LOGITS[rows.row_group] + shift))
    _, leaf_w = leaf_weights(SECOND_LEAVES)
    return family, draw(rng, leaf_w[family, rows.row_group])


def _draw_effects(
    cases: pd.DataFrame,
    rows: SegmentRows,
    has_strategy: np.ndarray,
    family: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each case's drawn one-sided share, and every row's effect: desired or not, and which."""
    n_cases, row_case = len(cases), rows.row_case
    share, seg_one = one_sided_share(row_case, has_strategy, family, n_cases)
    ceremonial = cases["logic"].eq("ceremonial").to_numpy(float)[row_case]
    u = UNDESIRED_SECOND
    z = (
        u["intercept"]
        + u["per_share"] * (share[row_case] - u["centre"])
        + u["one_sided"] * seg_one
        + u["ceremonial"] * ceremonial
    )
    desired = rng.random(rows.n_rows) >= 1.0 / (1.0 + np.exp(-z))
    weights = effect_weights([code for code, *_ in EFFECTS])
    fam_or_none = np.where(has_strategy, family, len(FAMILIES))
    effect = draw(rng, weights[fam_or_none, desired.astype(int)])
    return share, desired, effect


def _local_weights(cases: pd.DataFrame) -> np.ndarray:
    """Weights (case, local code) of the local context codes."""
    ceremonial = cases["logic"].eq("ceremonial").to_numpy()
    inter_org = cases["study"].eq("brix2021").to_numpy()
    out = np.zeros((len(cases), len(LOCAL_SLOT)))
    for j, w in enumerate(LOCAL_SLOT.values()):
        flag = ceremonial if "ceremonial" in w else inter_org
        out[:, j] = np.where(flag, w.get("ceremonial", w.get("brix2021", 0.0)), w["other"])
    return out


# =========================================================================== the run


def generate_second(seed: int = SECOND_SEED) -> dict[str, Any]:
    """The second SYNTHETIC demo study as tables, written nowhere.

    Parameters
    ----------
    seed : int
        Seed of every random draw (default: that of the shipped ``data/demo2``).

    Returns
    -------
    dict
        The DataFrames ``cases``, ``participants``, ``documents`` (with ``n_chars``),
        ``segments``, ``codings`` and ``double_coding`` (both with the team's own code
        names), ``code_map`` and ``codebook_extension``; ``meta`` (what ``dataset.yml``
        holds); ``texts``, the full document texts by ``document_id``; and ``model``, per
        case the latent ``one_sided`` and ``escalation_shift`` and the drawn share of
        one-sided strategy codings. Every table is sorted by its id columns.

    Raises
    ------
    ValueError
        A seed that is not a whole number of at least 0.

    Examples
    --------
    >>> from coprodlib.demo.second_study import generate_second
    >>> tables = generate_second()
    >>> len(tables["cases"]), tables["meta"]["synthetic"]
    (10, True)
    >>> "Coping/Looking away" in set(tables["codings"]["code"])
    True
    """
    r_struct, r_code, _, r_double = streams(seed)
    cases = second_case_table()
    people = participants(cases, r_struct)
    rows = segment_rows(cases, people, r_struct, np.full(len(cases), SEGMENTS_PER_CASE))
    drawn = draw_second_codes(cases, rows, r_code)
    coded = coded_segments(cases, people, rows, drawn, r_struct, r_double, n_double=N_DOUBLE_SECOND)
    codings = _team_codes(coded["codings"], ["segment_id", "code"])
    double = _team_codes(coded["double_coding"], ["segment_id", "coder", "code"])
    ids = cases["case_id"].to_numpy()
    frames: dict[str, Any] = {
        "cases": cases_out(cases),
        "participants": _sorted(people[["participant_id", "case_id", "role"]], "participant_id"),
        "documents": _sorted(coded["documents"], "document_id"),
        "segments": coded["segments"],
        "codings": codings,
        "double_coding": double,
        "code_map": _code_map(cases, codings),
        "codebook_extension": pd.DataFrame(LOCAL_CODES).drop(columns="project_code"),
        "texts": coded["texts"],
        "meta": _meta(seed),
        "model": {
            "case_one_sided": pd.Series(cases["one_sided"].to_numpy(float), index=ids),
            "case_escalation_shift": pd.Series(
                cases["escalation_shift"].to_numpy(float), index=ids
            ),
            "case_share_one_sided": pd.Series(drawn.share, index=ids),
        },
    }
    return frames


def _team_codes(frame: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Codebook ids replaced by the team's own code names, then sorted by ``order``."""
    out = frame.copy()
    out["code"] = out["code"].map(TEAM_LABELS).fillna(out["code"])
    return out.sort_values(order, kind="stable", ignore_index=True)


def _code_map(cases: pd.DataFrame, codings: pd.DataFrame) -> pd.DataFrame:
    """``code_map.csv`` as an import writes it: one row per code of the team's project.

    The tensions the team took over keep their id (matched by ``id``); the team's own names
    are mapped by hand (``map``); the local codes have no codebook id but a ``local_id``,
    which the codings hold.
    """
    used = sorted({t for w in cases["tensions"] for t in w})
    rows = [(t, t, None, "id") for t in used]
    rows += [(label, cid, None, "map") for cid, label in TEAM_LABELS.items()]
    rows += [(c["project_code"], None, c["id"], None) for c in LOCAL_CODES]
    table = pd.DataFrame(rows, columns=["project_code", "code", "local_id", "matched_by"])
    counts = codings["code"].value_counts()
    written = table["local_id"].fillna(table["project_code"])
    table["codings"] = written.map(counts).fillna(0).astype(np.int64)
    return table.sort_values("project_code", kind="stable", ignore_index=True)


def _sorted(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """``frame`` sorted by ``key``, with a fresh index."""
    return frame.sort_values(key, kind="stable", ignore_index=True)


def _meta(seed: int) -> dict[str, Any]:
    """What ``dataset.yml`` holds: the name, the title, that it is synthetic, and the seed."""
    return {
        "name": "demo2",
        "title": "Synthetic second demo: value conflicts in ten co-production cases in six "
        "countries",
        "synthetic": True,
        "seed": int(seed),
        "description": (
            "SYNTHETIC data generated by coprodlib.demo.second_study from a seeded model that "
            "imitates the design of a multi-country comparison of co-production cases "
            "(Brazilian municipal health councils and Northern Ireland Innovation Lab "
            "projects, bovaird2019; Nordic inter-organisational co-production, brix2021; "
            "a shared cross-country case database, iias), coded in a QDA tool with the "
            "team's own code names (code_map.csv, codebook_extension.csv). Not real "
            "interviews, not findings. See README.md for the model and its assumptions."
        ),
    }


# =========================================================================== measures


def case_shares(frames: dict[str, Any]) -> pd.DataFrame:
    """Per case, the four shares the second demo's model varies, from its tables.

    The codings are mapped to codebook ids with the tables' own ``code_map`` and read with
    the codebook extended by ``codebook_extension``, as loading the folder would.

    Parameters
    ----------
    frames : dict
        As :func:`generate_second` gives it.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case_id``, ``share_one_sided`` (strategy codings that favour one
        value, of all strategy codings), ``share_escalation`` (codings of ``escalation`` or a
        code under it, of all strategy codings), ``share_citizen`` (codings by citizen
        co-producers, of all codings), ``share_undesired`` (undesired effects, of all effect
        codings) and ``n_effects``.

    Examples
    --------
    >>> from coprodlib.demo.second_study import case_shares, generate_second
    >>> case_shares(generate_second()).columns.tolist()[:3]
    ['case_id', 'share_one_sided', 'share_escalation']
    """
    from ..taxonomy.codebook import get_codebook

    cb = get_codebook().extend(frames["codebook_extension"])
    cmap = frames["code_map"].dropna(subset=["code"]).set_index("project_code")["code"]
    codings = frames["codings"].assign(code=lambda f: f["code"].map(cmap).fillna(f["code"]))
    seg = frames["segments"][["segment_id", "case_id", "participant_id"]]
    long = codings.merge(seg, on="segment_id").merge(
        frames["participants"][["participant_id", "role"]], on="participant_id"
    )
    codes = long["code"].drop_duplicates()
    dim = pd.Series([cb.dimension_of(c) for c in codes], index=codes)
    long["dimension"] = long["code"].map(dim)
    strategy = long[long["dimension"] == "strategy"]
    effect = long[long["dimension"] == "effect"]
    favours = strategy["code"].map({c: cb.favours(c) for c in strategy["code"].unique()})
    family = strategy["code"].map({c: cb.family(c) for c in strategy["code"].unique()})
    desired = effect["code"].map({c: cb.is_desired(c) for c in effect["code"].unique()})
    roots = long["role"].map({r: cb.root(r) for r in long["role"].unique()})
    cases = pd.Index(frames["cases"]["case_id"], name="case_id")
    out = pd.DataFrame(
        {
            "share_one_sided": favours.eq("one").groupby(strategy["case_id"]).mean(),
            "share_escalation": family.eq("escalation").groupby(strategy["case_id"]).mean(),
            "share_citizen": roots.eq("citizen_coproducer").groupby(long["case_id"]).mean(),
            "share_undesired": (~desired.astype(bool)).groupby(effect["case_id"]).mean(),
            "n_effects": effect.groupby("case_id").size(),
        }
    ).reindex(cases)
    out["n_effects"] = out["n_effects"].fillna(0).astype(np.int64)
    return out.reset_index()


def expected_shares(frames: dict[str, Any]) -> pd.DataFrame:
    """Per case, the shares the model expects, given who was interviewed.

    The family probabilities of each role group (the first demo's logits plus the case's
    shifts) are weighted by the case's segments per role group; the expected share of
    undesired effects is the model's probability at the expected one-sided share, averaged
    over segments with a one-sided strategy, with another strategy and without one (coded
    with probability ``SECOND_SLOT_P[0][1]``).

    Parameters
    ----------
    frames : dict
        As :func:`generate_second` gives it.

    Returns
    -------
    pandas.DataFrame
        One row per case: ``case_id``, ``share_one_sided``, ``share_escalation`` and
        ``share_undesired``, each the model's expectation.

    Examples
    --------
    >>> from coprodlib.demo.second_study import expected_shares, generate_second
    >>> table = expected_shares(generate_second()).set_index("case_id")
    >>> bool(table.loc["gb_ni_lab_waste", "share_one_sided"] > 0.8)
    True
    """
    from ..taxonomy.codebook import get_codebook

    cb = get_codebook()
    cases = second_case_table().set_index("case_id")
    seg = frames["segments"].merge(frames["participants"], on=["participant_id", "case_id"])
    groups = {r: ROLE_GROUPS.index(cb.root(r)) for r in seg["role"].unique()}
    weights = pd.crosstab(seg["case_id"], seg["role"].map(groups), normalize="index")
    weights = weights.reindex(index=cases.index, columns=range(len(ROLE_GROUPS)), fill_value=0)
    esc, bal = FAMILIES.index("escalation"), FAMILIES.index("balancing")
    shift = np.outer(cases["one_sided"].to_numpy(float), [1.0, 1.0, 1.0, 0.0])
    shift[:, esc] += cases["escalation_shift"].to_numpy(float)
    logits = FAMILY_LOGITS[None, :, :] + shift[:, None, :]  # (case, group, family)
    prob = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    w = weights.to_numpy(float)
    one = (w * (1.0 - prob[:, :, bal])).sum(axis=1)
    u = UNDESIRED_SECOND
    ceremonial = cases["logic"].eq("ceremonial").to_numpy(float)
    z0 = u["intercept"] + u["per_share"] * (one - u["centre"]) + u["ceremonial"] * ceremonial

    def sigmoid(x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-x))

    has = SECOND_SLOT_P[0][1]
    with_strategy = one * sigmoid(z0 + u["one_sided"]) + (1 - one) * sigmoid(z0)
    undesired = has * with_strategy + (1 - has) * sigmoid(z0 + u["one_sided"] * one)
    return pd.DataFrame(
        {
            "case_id": cases.index.to_numpy(),
            "share_one_sided": one,
            "share_escalation": (w * prob[:, :, esc]).sum(axis=1),
            "share_undesired": undesired,
        }
    )


# =========================================================================== files


def write_second_demo(path: Path, *, seed: int = SECOND_SEED) -> Path:
    """Write the second SYNTHETIC demo study's folder (``coprod demo --study second``).

    The files (:data:`~.second_parameters.SECOND_FILES`) go to a temporary folder beside
    ``path``, which is then renamed into place (the first demo's writer,
    :func:`~coprodlib.demo.writer.write_files`); one seed, the same bytes.

    Parameters
    ----------
    path : Path
        Target folder, e.g. ``data/demo2``: absent, empty, or holding only its files.
    seed : int
        Seed of the model (default: that of the shipped ``data/demo2``).

    Returns
    -------
    Path
        The folder written.

    Raises
    ------
    DataError
        ``path`` is a file, or a folder with other files, or cannot be written.
    """
    path = Path(path).expanduser().absolute()
    check_target(path, SECOND_FILES, writer="write_second_demo")
    return write_files(path, second_files(generate_second(seed)))


def second_files(frames: dict[str, Any]) -> dict[str, bytes]:
    """The bytes of every file of the folder, in the order of ``SECOND_FILES``."""
    seed = frames["meta"]["seed"]
    head = (
        f"# SYNTHETIC demo data (second study), written by coprodlib.demo.second_study "
        f"(seed {seed}); do not edit by hand.\n"
    )
    files = {
        "dataset.yml": yaml_bytes(frames["meta"], head),
        "README.md": second_readme_text(
            frames, case_shares(frames), expected_shares(frames)
        ).encode("utf-8"),
    }
    for name in SECOND_FILES[2:]:
        files[name] = csv_bytes(frames[name.removesuffix(".csv")])
    return files
