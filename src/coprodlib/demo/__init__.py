"""The demo wing: the seeded generator of the SYNTHETIC demo dataset in ``data/demo/``.

In the order of the data flow:

- :mod:`.parameters`: the model's constants and assumptions (cases, weights, survey model,
  second-coder rates) and ``DEFAULT_SEED``;
- :mod:`.sampling`: the random streams and the small array helpers the steps share;
- :mod:`.structure`: cases, participants, documents, and where each segment sits;
- :mod:`.codings`: the codes of each segment, and the double coding by a second coder;
- :mod:`.texts`: the sentence templates, the segment texts and the document texts;
- :mod:`.survey`: the vignette experiment and its ``scales.yml``;
- :mod:`.model`: the run of the model, from one seed to every table;
- :mod:`.readme`: the README written beside the tables;
- :mod:`.writer`: ``generate``, ``generate_large`` and ``write_demo``, the folder and its
  atomic swap (``write_files``, ``check_target``), which the second study shares;
- :mod:`.second_parameters`, :mod:`.second_study`, :mod:`.second_readme`: the second
  SYNTHETIC study in ``data/demo2/`` (ten cases in six countries, coded with a team's own
  code names, a code map and a codebook extension; no survey), its generator
  ``generate_second``/``write_second_demo`` and its README.

The demo sits beside the importers: it uses the taxonomy, and writes a dataset that the
contract reads; nothing in the analyses depends on it.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:  # the names of the old module coprodlib.demo
    from .._legacy import wing_attribute

    return wing_attribute("demo", name)
