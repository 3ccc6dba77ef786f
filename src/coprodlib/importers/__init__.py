"""The importers wing: real data from QDA software and survey platforms into a dataset folder.

Qualitative projects go through two halves: a reader turns the tool's file into a
:class:`~.project.QdaProject`, and :func:`~.writer.write_project` writes any such project.

- :mod:`.refi`: reading REFI-QDA projects (``.qdpx``) from ATLAS.ti, MAXQDA, NVivo,
  QualCoder, and ``import_qdpx``;
- :mod:`.qdpx_files`: the files of a ``.qdpx`` project (archive, folder or bare ``.qde``);
- :mod:`.taguette`: reading Taguette's SQLite project export, and ``import_taguette``;
- :mod:`.project`: the project model the readers share, the import result, ``raise_all``;
- :mod:`.offsets`: decoding source text and converting tools' offsets to code points;
- :mod:`.code_map`: the code map, final ids and local codes, the codebook extension;
- :mod:`.cases`: cases, participants and documents, and the documents map;
- :mod:`.writer`: writing a read project as a dataset folder;
- :mod:`.staging`: where an import writes (a staged folder moved into place at the end);
- :mod:`.pseudonyms`: stable pseudonyms for people and documents, with a salt and a key;
- :mod:`.survey`: SPSS ``.sav``, ``.xlsx`` and ``.csv`` survey files.

It sits beside the analysis wing and uses the taxonomy, the contract, ``safe_archive`` and
``_io``; the command line calls it.
"""
