"""The contract wing: what a dataset folder must hold and how it is read and checked.

- :mod:`.rules`: the tables of the contract and the rules for their columns
  (:data:`~.rules.TABLES`), with the pandera schemas built from them;
- :mod:`.reading`: reading the files of a folder (CSV, TSV, XLSX; :func:`~.reading.read_table`)
  and ``dataset.yml``;
- :mod:`.checks`: the collector of problems and every check (columns, codes, links between
  tables, the codebook extension and code map, the survey);
- :mod:`.dataset`: the :class:`~.dataset.Dataset` that :func:`~.dataset.load` returns, and
  :func:`~.dataset.validate`, which puts reading and checking together;
- :mod:`.cache`: the stamps of a folder's files, so that an unchanged folder is read once;
- :mod:`.survey_design`: ``scales.yml`` (scales, conditions, choices) and the check of the
  survey's answers against it.

It imports only the taxonomy wing and the package's base modules.
"""
