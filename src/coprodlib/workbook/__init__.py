"""The workbook wing: notebooks and the reports they make.

- :mod:`.notebook`: the helpers the notebooks call (display settings, saving tables with
  their captions, report sections, parameter checks, the synthetic-data banner);
- :mod:`.formatting` and :mod:`.apa`: numbers formatted by kind, APA-style p-values and
  the APA sentence of each kind of test, with the thin-data rule;
- :mod:`.presentation`: any analysis frame as a display table (labels, formats, notes);
- :mod:`.figures`: figures shown with a numbered caption and alt text, saved as SVG and PNG;
- :mod:`.survey_sections`: which sections of the survey notebook a survey supports;
- :mod:`.pages`: an executed notebook as an HTML page, and the index page of a batch run;
- :mod:`.paper`: the paper kit of a report folder (Word and LaTeX tables, results, methods,
  references);
- :mod:`.safe_names`, :mod:`.fingerprints`, :mod:`.report_folder`, :mod:`.stopping` and
  :mod:`.runner`: the batch runner behind ``coprod run`` (safe file names, digests, the
  manifest and the lock, signals, papermill).
"""
