"""The colours of the codebook's entries: one per entry, the same on every figure.

A code keeps its colour whatever else a figure shows, so a reader who learnt that balancing is
teal finds it teal in every report. The hues are Paul Tol's "muted" qualitative scheme, which
stays distinguishable under the common colour-vision deficiencies; the members of a family are
shades of its hue. Worked out with plain arithmetic on ``#rrggbb`` values (nothing to import
for an export that writes code colours).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .codebook import Codebook

__all__ = ["HUES", "NO_CODE", "SHADES", "code_colours"]

#: Paul Tol's "muted" qualitative scheme (told apart under the common colour-vision deficiencies)
HUES = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255",
        "#AA4499")  # fmt: skip
#: How the k-th member of a family is shaded: towards white (> 0) or black (< 0), by share.
SHADES = (0.0, 0.45, -0.35, 0.7, -0.55, 0.25, -0.2, 0.85)
#: The colour of "(none)", a path step without a code.
NO_CODE = "#BBBBBB"


def _shade(hue: str, t: float) -> str:
    """``hue`` moved a share ``t`` towards white (t > 0) or black (t < 0), as ``#rrggbb``."""
    rgb = [int(hue[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    mixed = [c + t * (1.0 - c) if t >= 0 else c * (1.0 + t) for c in rgb]
    return "#" + "".join(format(round(c * 255), "02x") for c in mixed)


def code_colours(codebook: Codebook | None = None) -> dict[str, str]:
    """One colour per codebook entry, the same on every figure whatever codes it shows.

    In each dimension, the hue families take :data:`HUES` in codebook order (cycling after
    nine): a strategy family, an entry with those below it in its dimension, or the values of
    a constellation. Members are shades of their family's hue (:data:`SHADES`), the first the
    pure hue.

    Parameters
    ----------
    codebook : Codebook, optional
        The codebook; the shipped one by default.

    Returns
    -------
    dict
        ``{id: "#rrggbb"}`` for every entry, e.g. ``"avoidance"``: ``"#332288"``.

    Examples
    --------
    >>> code_colours()["avoidance"]
    '#332288'
    """
    from .codebook import get_codebook

    frame = (codebook if codebook is not None else get_codebook()).frame.set_index("id")
    dimension, parent, family = (frame[c].to_dict() for c in ("dimension", "parent", "family"))

    def group(code: str) -> str:  # up to the root, or a value's constellation
        top, dim = (family[code] if isinstance(family[code], str) else code), dimension[code]
        while isinstance(parent.get(top), str) and top != family[code] and dimension[top] == dim:
            top = parent[top]
        return top

    groups: dict[tuple[str, str], list[str]] = {}
    for code in frame.index:
        groups.setdefault((dimension[code], group(code)), []).append(code)
    order: dict[str, int] = {}
    colours: dict[str, str] = {}
    for (dim, _), members in groups.items():
        order[dim] = order.get(dim, -1) + 1
        hue = HUES[order[dim] % len(HUES)]
        for k, code in enumerate(members):
            colours[code] = _shade(hue, SHADES[k % len(SHADES)])
    return colours
