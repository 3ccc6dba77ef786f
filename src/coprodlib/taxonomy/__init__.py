"""The taxonomy wing: the field's codebook (``codebook.yaml``) and everything that reads or
writes it.

- :mod:`.records`: the fields of an entry and the checks a batch of entries must pass;
- :mod:`.codebook`: the :class:`~.codebook.Codebook` type and the shipped codebook;
- :mod:`.qdc`: REFI-QDA codebooks (``.qdc``) written and read back;
- :mod:`.export`: the codebook as ``.qdc``, CSV or Markdown files.

The wing imports nothing from the rest of the package but ``errors``, ``paths``, ``_io`` and
``safe_archive``.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:  # the names of the old module coprodlib.taxonomy
    from .._legacy import wing_attribute

    return wing_attribute("taxonomy", name)
