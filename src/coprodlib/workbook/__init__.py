"""The workbook wing: notebooks and the reports they make.

- :mod:`.notebook`: the helpers the notebooks call (display settings, saving tables and
  figures, report sections, parameter checks, the synthetic-data banner);
- :mod:`.pages`: an executed notebook as an HTML page, and the index page of a batch run;
- :mod:`.runner`: the batch runner behind ``coprod run`` (papermill, fingerprints, manifest).
"""
