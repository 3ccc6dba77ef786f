"""Writing a dataset out for other tools: REFI-QDA projects for the QDA programs (``qdpx``) and
code matrices for the statistics packages (``matrix``). The reverse of :mod:`coprodlib.importers`.
"""
