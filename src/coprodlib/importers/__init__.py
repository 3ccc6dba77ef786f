"""The importers wing: real data from QDA software and survey platforms into a dataset folder.

- :mod:`.staging`: where an import writes (a staged folder moved into place at the end);
- :mod:`.pseudonyms`: stable pseudonyms for people and documents, with a salt and a key;
- :mod:`.refi`: REFI-QDA projects (``.qdpx``) from ATLAS.ti, MAXQDA, NVivo, QualCoder;
- :mod:`.taguette`: Taguette's SQLite project export;
- :mod:`.survey`: SPSS ``.sav``, ``.xlsx`` and ``.csv`` survey files.

It sits beside the analysis wing and uses the taxonomy, the contract, ``safe_archive`` and
``_io``; the command line calls it.
"""
