"""The contract wing: what a dataset folder must hold and how it is read and checked.

- :mod:`.dataset`: the table rules, reading CSV/XLSX tables, the checks, and the
  :class:`~.dataset.Dataset` that :func:`~.dataset.load` returns;
- :mod:`.survey_design`: ``scales.yml`` (scales, conditions, choices) and the check of the
  survey's answers against it.

It imports only the taxonomy wing and the package's base modules.
"""
