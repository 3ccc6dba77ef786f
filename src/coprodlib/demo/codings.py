"""The codings of the demo: which codes each segment carries, by ``coder_a`` and ``coder_b``.

Every segment row has a slot per dimension: tension, strategy and effect, and in
:func:`~coprodlib.demo.writer.generate_large` also a value and an "other" code. A random mask
says which slots are filled; each filled slot's code is then drawn from the model of
:mod:`.parameters`: the tension from the case's mix, the strategy family from a logit by role
group shifted by the case's one-sidedness, and whether an effect is undesired from the case's
drawn share of one-sided coping. All of it comes from the codings stream.

The double coding repeats ``coder_a``'s codes for a sample of ordinary segments and lets an
invented second coder keep, swap, drop or add codes; it has a stream of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .parameters import (
    EFFECTS,
    EXTRA,
    FAMILIES,
    FAMILY_LOGITS,
    KEEP,
    LEAVES,
    REPLACE,
    SLOT_P,
    TENSIONS,
    UNDESIRED,
)
from .sampling import check_count, draw
from .structure import SegmentRows

__all__ = [
    "DrawnCodes",
    "codings_table",
    "double_coding",
    "draw_codes",
    "effect_desired",
    "effect_weights",
    "leaf_weights",
    "one_sided_share",
    "slot_mask",
]


@dataclass(frozen=True)
class DrawnCodes:
    """The codes drawn for every segment row, and the draws the texts and README need."""

    pools: dict[str, list[str]]  # the code ids of each slot
    slots: list[str]  # "tension", "strategy", "effect" (and "value", "other")
    codes: list[str]  # every code id, slot after slot; ``code`` indexes into it
    mask: np.ndarray  # (rows, slots): whether the slot carries a code
    code: np.ndarray  # (rows, slots): the slot's code, drawn even where the mask is off
    tension: np.ndarray  # per row: index into TENSIONS
    family: np.ndarray  # per row: index into FAMILIES
    effect: np.ndarray  # per row: index into pools["effect"]
    desired: np.ndarray  # per row: whether the effect is a desired one
    share: np.ndarray  # per case: drawn share of one-sided strategy codings


# =========================================================================== coder_a


def draw_codes(
    cases: pd.DataFrame,
    rows: SegmentRows,
    rng: np.random.Generator,
    n_codings: int | None,
    large: bool,
) -> DrawnCodes:
    """Draw which slots of every row carry a code, and each slot's code.

    With ``n_codings``, optional slots are switched on or off at random until exactly that
    many codes are set.
    """
    pools = _code_pools(large)
    slots = ["tension", "strategy", "effect"] + (["value", "other"] if large else [])
    codes = [c for s in slots for c in pools[s]]
    start_of = dict(zip(slots, np.cumsum([0] + [len(pools[s]) for s in slots])[:-1], strict=True))
    mask = slot_mask(rows.is_overlap, *SLOT_P["large" if large else "demo"], rng)
    if n_codings is not None:
        mask = _exact_count(mask, n_codings, rng)
    code = np.zeros((rows.n_rows, len(slots)), dtype=np.int64)
    tension = _draw_tensions(cases, rows.row_case, rng)
    code[:, 0] = start_of["tension"] + tension
    family, leaf = _draw_strategies(cases, rows, pools["strategy"], rng)
    code[:, 1] = start_of["strategy"] + leaf
    share, desired, effect = _draw_effects(len(cases), rows, mask[:, 1], family, pools, large, rng)
    code[:, 2] = start_of["effect"] + effect
    if large:
        value, other = _draw_values_and_others(tension, mask[:, 0], pools, rng)
        code[:, 3] = start_of["value"] + value
        code[:, 4] = start_of["other"] + other
    return DrawnCodes(
        pools=pools,
        slots=slots,
        codes=codes,
        mask=mask,
        code=code,
        tension=tension,
        family=family,
        effect=effect,
        desired=desired,
        share=share,
    )


def _code_pools(large: bool) -> dict[str, list[str]]:
    """The code ids each slot draws from; generate_large adds the rest of the codebook."""
    pools = {
        "tension": list(TENSIONS),
        "strategy": [code for leaves in LEAVES.values() for code, _ in leaves],
        "effect": [code for code, *_ in EFFECTS],
    }
    if large:
        from ..taxonomy.codebook import get_codebook

        cb = get_codebook()
        pools["effect"] += [e for e in cb.ids("effect") if e not in pools["effect"]]
        pools["value"] = cb.ids("value")
        pools["other"] = [
            c for d in ("direction", "value_kind", "capacity", "expectation") for c in cb.ids(d)
        ]
    return pools


def slot_mask(
    is_overlap: np.ndarray, p_base: np.ndarray, p_over: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Which slots of every segment row carry a code.

    Slot ``j`` of a row is coded with probability ``p_base[j]`` (an overlapping row:
    ``p_over[j]``); a row left empty gets a strategy (slot 1), an overlapping one an effect
    (slot 2). Both demo studies draw their slots this way.

    Examples
    --------
    >>> import numpy as np
    >>> from coprodlib.demo.codings import slot_mask
    >>> rng = np.random.default_rng(1)
    >>> slot_mask(np.array([False, True]), np.zeros(3), np.zeros(3), rng).astype(int).tolist()
    [[0, 1, 0], [0, 0, 1]]
    """
    p = np.where(is_overlap[:, None], np.asarray(p_over)[None, :], np.asarray(p_base)[None, :])
    mask = rng.random((len(is_overlap), p.shape[1])) < p
    empty = ~mask.any(axis=1)
    mask[empty & ~is_overlap, 1] = True
    mask[empty & is_overlap, 2] = True
    return mask


def _exact_count(mask: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    """Switch random optional slots on or off until exactly ``target`` codes are set."""
    mask = mask.copy()
    diff = target - int(mask.sum())
    if diff > 0:
        free = np.flatnonzero(~mask.ravel())
        if diff > len(free):
            raise ValueError(
                f"n_codings={target} needs more than {mask.shape[1]} codes per segment; "
                "raise n_segments"
            )
        mask.ravel()[free[rng.choice(len(free), diff, replace=False)]] = True
    elif diff < 0:
        anchored = mask[:, 0] | mask[:, 1]
        optional = mask.copy()
        optional[:, :2] = False
        optional &= anchored[:, None]
        taken = np.flatnonzero(optional.ravel())
        if -diff > len(taken):
            raise ValueError(f"n_codings={target} is too few for the segments; lower n_segments")
        mask.ravel()[taken[rng.choice(len(taken), -diff, replace=False)]] = False
    return mask


def _draw_tensions(
    cases: pd.DataFrame, row_case: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The tension of every row (index into TENSIONS), from its case's tension weights."""
    tension_w = np.zeros((len(cases), len(TENSIONS)))
    for i, w in enumerate(cases["tensions"]):  # one pass per case
        if isinstance(w, dict):
            tension_w[i] = [w.get(t, 0.0) for t in TENSIONS]
        else:
            tension_w[i] = w
    return draw(rng, tension_w[row_case])


def _draw_strategies(
    cases: pd.DataFrame, rows: SegmentRows, pool: list[str], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The family of every row's strategy (index into FAMILIES) and its code (into ``pool``).

    The case's one-sidedness raises the log-odds of the three families that favour one value.
    """
    one_sided = cases["one_sided"].to_numpy(dtype=float)
    shift = np.r_[1.0, 1.0, 1.0, 0.0] * one_sided[rows.row_case, None]
    family = draw(rng, np.exp(FAMILY_LOGITS[rows.row_group] + shift))
    leaf_names, leaf_w = leaf_weights(LEAVES)
    leaf = draw(rng, leaf_w[family, rows.row_group])
    return family, np.array([pool.index(c) for c in leaf_names])[leaf]


def leaf_weights(
    leaves: dict[str, list[tuple[str, tuple[float, float, float]]]],
) -> tuple[list[str], np.ndarray]:
    """The codes of every coping family in family order, and their weights by family and group.

    Parameters
    ----------
    leaves : dict
        Family id to its codes with one weight per role group (public servant, citizen
        co-producer, third party), as :data:`~.parameters.LEAVES`.

    Returns
    -------
    tuple
        The code ids, family by family in the order of :data:`~.parameters.FAMILIES`, and an
        array (family, role group, code) of weights, zero outside a code's own family.

    Examples
    --------
    >>> from coprodlib.demo.codings import leaf_weights
    >>> from coprodlib.demo.parameters import LEAVES
    >>> names, w = leaf_weights(LEAVES)
    >>> names[:3], w.shape
    (['avoidance', 'dropping_out', 'escalation'], (4, 3, 14))
    """
    names = [c for f in FAMILIES for c, _ in leaves[f]]
    weights = np.zeros((len(FAMILIES), 3, len(names)))
    for f, fam in enumerate(FAMILIES):
        for code_id, w in leaves[fam]:
            weights[f, :, names.index(code_id)] = w
    return names, weights


def _draw_effects(
    n_cases: int,
    rows: SegmentRows,
    has_strategy: np.ndarray,
    family: np.ndarray,
    pools: dict[str, list[str]],
    large: bool,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each case's drawn one-sided share, and every row's effect: desired or not, and which.

    Undesired effects grow more likely as one-sided coping piles up in the case.
    """
    row_case = rows.row_case
    share, seg_one = one_sided_share(row_case, has_strategy, family, n_cases)
    z = (
        UNDESIRED["intercept"]
        + UNDESIRED["per_share"] * (share[row_case] - UNDESIRED["centre"])
        + UNDESIRED["one_sided"] * seg_one
    )
    desired = rng.random(rows.n_rows) >= 1.0 / (1.0 + np.exp(-z))
    fam_or_none = np.where(has_strategy, family, len(FAMILIES))
    eff_w = effect_weights(pools["effect"], large=large)  # (5 families, 2 desired, n effects)
    effect = draw(rng, eff_w[fam_or_none, desired.astype(int)])
    return share, desired, effect


def one_sided_share(
    row_case: np.ndarray, has_strategy: np.ndarray, family: np.ndarray, n_cases: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each case's share of strategies that favour one value, and each row's one-sided flag.

    A strategy favours one value unless its family is balancing; a row without a strategy
    takes its case's share in place of the flag (what the effect model weighs it by).

    Examples
    --------
    >>> import numpy as np
    >>> from coprodlib.demo.codings import one_sided_share
    >>> share, seg = one_sided_share(
    ...     np.array([0, 0, 1]), np.array([True, True, False]), np.array([0, 3, 0]), 2
    ... )
    >>> share.tolist(), seg.tolist()
    ([0.5, 0.0], [1.0, 0.0, 0.0])
    """
    one = has_strategy & (family != FAMILIES.index("balancing"))
    share = np.bincount(row_case, weights=one, minlength=n_cases) / np.maximum(
        np.bincount(row_case, weights=has_strategy, minlength=n_cases), 1
    )
    return share, np.where(has_strategy, one.astype(float), share[row_case])


def effect_weights(pool: Sequence[str], *, large: bool = False) -> np.ndarray:
    """Weights (family or none, desired, effect) of drawing each effect code of ``pool``.

    The model's own effects (:data:`~.parameters.EFFECTS`) carry their base weight times the
    family's multiplier; with ``large``, any other codebook effect weighs 0.7.

    Examples
    --------
    >>> from coprodlib.demo.codings import effect_weights
    >>> effect_weights(["value_realised", "withdrawal"]).shape
    (5, 2, 2)
    """
    known = {code: (des, base, mult) for code, des, base, mult in EFFECTS}
    out = np.zeros((len(FAMILIES) + 1, 2, len(pool)))
    if large:
        from ..taxonomy.codebook import get_codebook

        cb = get_codebook()
    for j, code in enumerate(pool):
        if code in known:
            des, base, mult = known[code]
            out[:, int(des), j] = base * np.asarray(mult, dtype=float)
        else:  # generate_large only: the rest of the codebook's effects, at a low weight
            out[:, int(cb.is_desired(code)), j] = 0.7
    return out


def effect_desired(pool: Sequence[str]) -> list[bool]:
    """Whether each effect code is a desired one: the model's own list, else the codebook."""
    known = {code: des for code, des, *_ in EFFECTS}
    if all(e in known for e in pool):
        return [known[e] for e in pool]
    from ..taxonomy.codebook import get_codebook

    cb = get_codebook()
    return [known[e] if e in known else cb.is_desired(e) for e in pool]


def _draw_values_and_others(
    tension: np.ndarray,
    has_tension: np.ndarray,
    pools: dict[str, list[str]],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """generate_large only: a value code and an "other" code for every row (pool indexes).

    Mostly the value is one of the two at stake in the row's tension.
    """
    from ..taxonomy.codebook import get_codebook

    cb = get_codebook()
    n_rows = len(tension)
    pair = np.array([[pools["value"].index(v) for v in cb.tension_values(t)] for t in TENSIONS])
    at_stake = pair[tension, rng.integers(0, 2, n_rows)]
    anywhere = rng.integers(0, len(pools["value"]), n_rows)
    linked = has_tension & (rng.random(n_rows) < 0.7)
    return np.where(linked, at_stake, anywhere), rng.integers(0, len(pools["other"]), n_rows)


def _alphabetical_rank(codes: list[str]) -> np.ndarray:
    """The rank of each code id in alphabetical order."""
    return np.argsort(np.argsort(np.array(codes, dtype=object), kind="stable"))


def codings_table(
    drawn: DrawnCodes, seg_ids: np.ndarray, rank_of_row: np.ndarray, large: bool
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """``coder_a``'s codings table, sorted by segment and code, with its indexes.

    Also returns, for every coding, its segment (index into ``seg_ids``) and its code (index
    into ``drawn.codes``), which the double coding starts from.
    """
    row, slot = np.nonzero(drawn.mask)
    cidx = drawn.code[row, slot]
    corder = np.lexsort((_alphabetical_rank(drawn.codes)[cidx], rank_of_row[row]))
    row, cidx = row[corder], cidx[corder]
    seg_pos = rank_of_row[row]
    if large:  # categoricals: a million rows cost a few megabytes
        frame = pd.DataFrame(
            {
                "segment_id": pd.Categorical.from_codes(seg_pos, categories=seg_ids),
                "code": pd.Categorical.from_codes(cidx, categories=drawn.codes),
                "coder": pd.Categorical.from_codes(np.zeros(len(cidx), np.int8), ["coder_a"]),
            }
        )
    else:
        frame = pd.DataFrame(
            {
                "segment_id": seg_ids[seg_pos],
                "code": np.array(drawn.codes, dtype=object)[cidx],
                "coder": "coder_a",
            }
        )
    return frame, seg_pos, cidx


# =========================================================================== double coding


def double_coding(
    rng: np.random.Generator,
    seg_ids: np.ndarray,
    seg_pos: np.ndarray,
    cidx: np.ndarray,
    ordinary: np.ndarray,
    drawn: DrawnCodes,
    n_units: int,
    large: bool,
) -> pd.DataFrame:
    """Both coders' codes for ``n_units`` ordinary segments drawn at random.

    ``seg_pos`` and ``cidx`` are the segment and code of each of ``coder_a``'s codings (as
    returned by :func:`codings_table`); ``ordinary`` lists the segments that may be drawn.
    """
    n_units = min(check_count("n_double", n_units, 0), len(ordinary))
    units = np.sort(rng.choice(ordinary, n_units, replace=False))
    chosen = np.zeros(len(seg_ids), bool)
    chosen[units] = True
    take = chosen[seg_pos]
    a_seg, a_code = seg_pos[take], cidx[take]
    b_code, b_keep = _coder_b_repeats(rng, a_seg, a_code, len(seg_ids), drawn)
    extra_seg, extra_code = _coder_b_additions(rng, units, drawn)
    seg = np.r_[a_seg, a_seg[b_keep], extra_seg]
    code = np.r_[a_code, b_code[b_keep], extra_code]
    n_b = int(b_keep.sum()) + len(extra_seg)
    coder = np.r_[np.zeros(len(a_seg), np.int8), np.ones(n_b, np.int8)]
    frame = pd.DataFrame({"seg": seg, "coder": coder, "code": code}).drop_duplicates()
    alpha_rank = _alphabetical_rank(drawn.codes)
    order = np.lexsort((alpha_rank[frame["code"].to_numpy()], frame["coder"], frame["seg"]))
    return _double_frame(frame.iloc[order], seg_ids, drawn.codes, large)


def _coder_b_repeats(
    rng: np.random.Generator,
    a_seg: np.ndarray,
    a_code: np.ndarray,
    n_segments: int,
    drawn: DrawnCodes,
) -> tuple[np.ndarray, np.ndarray]:
    """coder_b's answer to each of coder_a's codes: the code written, and whether it was."""
    u = rng.random(len(a_seg))
    keep = u < KEEP
    swap = (u >= KEEP) & (u < KEEP + REPLACE)
    b_code = a_code.copy()
    if swap.any():
        confusions = _confusions(drawn.codes, drawn.slots, drawn.pools)
        b_code[swap] = draw(rng, confusions[a_code[swap]])
    b_keep = keep | swap
    # coder_b looked at every unit: when every code was dropped, the first one stays
    kept_any = np.bincount(a_seg, weights=b_keep, minlength=n_segments)[a_seg] > 0
    first = np.r_[True, a_seg[1:] != a_seg[:-1]]
    b_keep |= first & ~kept_any
    return b_code, b_keep


def _coder_b_additions(
    rng: np.random.Generator, units: np.ndarray, drawn: DrawnCodes
) -> tuple[np.ndarray, np.ndarray]:
    """Codes coder_b adds on some units that coder_a did not use (a strategy or an effect)."""
    n_extra = rng.binomial(len(units), EXTRA)
    extra_seg = np.sort(rng.choice(units, n_extra, replace=False))
    extra_slot = rng.integers(1, 3, n_extra)
    lo = np.array([0, *np.cumsum([len(drawn.pools[s]) for s in drawn.slots])])
    extra_code = lo[extra_slot] + np.floor(
        rng.random(n_extra) * (lo[extra_slot + 1] - lo[extra_slot])
    ).astype(np.int64)
    return extra_seg, extra_code


def _confusions(codes: list[str], slots: list[str], pools: dict[str, list[str]]) -> np.ndarray:
    """Weights of coder_b writing code j where coder_a wrote code i (same dimension)."""
    dim = np.concatenate([np.full(len(pools[s]), k) for k, s in enumerate(slots)])
    fam = {c: f for f in FAMILIES for c, _ in LEAVES[f]}
    family = np.array([fam.get(c, "") for c in codes], dtype=object)
    eff = {c: d for c, d in zip(pools["effect"], effect_desired(pools["effect"]), strict=True)}
    desired = np.array([eff.get(c) for c in codes], dtype=object)
    w = (dim[:, None] == dim[None, :]).astype(float)
    w *= np.where((family[:, None] == family[None, :]) & (family[:, None] != ""), 3.0, 1.0)
    same_sign = (desired[:, None] == desired[None, :]) & pd.notna(desired)[:, None]
    w *= np.where(same_sign, 2.0, 1.0)
    np.fill_diagonal(w, 0.0)
    return w


def _double_frame(
    frame: pd.DataFrame, seg_ids: np.ndarray, codes: list[str], large: bool
) -> pd.DataFrame:
    """The double-coding table from segment, coder and code indexes."""
    coders = ["coder_a", "coder_b"]
    if large:
        return pd.DataFrame(
            {
                "segment_id": pd.Categorical.from_codes(frame["seg"].to_numpy(), seg_ids),
                "coder": pd.Categorical.from_codes(frame["coder"].to_numpy(), coders),
                "code": pd.Categorical.from_codes(frame["code"].to_numpy(), codes),
            }
        )
    return pd.DataFrame(
        {
            "segment_id": seg_ids[frame["seg"].to_numpy()],
            "coder": np.array(coders, dtype=object)[frame["coder"].to_numpy()],
            "code": np.array(codes, dtype=object)[frame["code"].to_numpy()],
        }
    )
