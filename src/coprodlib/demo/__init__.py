"""The demo wing: the seeded generator of the SYNTHETIC demo dataset in ``data/demo/``.

- :mod:`.generator`: the model's parameters, the simulation, and the writer with its README.

The demo sits beside the importers: it uses the taxonomy, and writes a dataset that the
contract reads; nothing in the analyses depends on it.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:  # the names of the old module coprodlib.demo
    from .._legacy import moved_attribute

    return moved_attribute("demo", name)
