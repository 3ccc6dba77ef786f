"""The interactive explorer for JupyterLab: ``cp.explore(ds)``.

``model`` reads a dataset once into arrays and counts co-occurrences, chains and the segments
behind a cell as :func:`coprodlib.cooccurrence` and :func:`coprodlib.chain` do, fast enough
for every click on a million codings; ``widget`` is the ipywidgets view on it.
"""
