"""Qualitative comparative analysis (QCA) with crisp and fuzzy sets, in the manner of the R
package QCA (Dusa 2019).

- :mod:`.calibration`: raw values to set memberships (crisp thresholds; the direct method);
- :mod:`.measures`: set expressions (``"A*~B + C"``), memberships in them, and the measures of
  sufficiency and necessity (consistency, coverage, PRI, relevance of necessity);
- :mod:`.truth_table`: configurations, their cases, consistency, PRI and verdict;
- :mod:`.implicants`: Quine-McCluskey prime implicants and the exact prime implicant chart;
- :mod:`.minimisation`: conservative, parsimonious and intermediate solutions with their fit;
- :mod:`.necessity`: the analysis of necessity of single conditions and their negations.
"""
