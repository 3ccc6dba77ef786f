"""The analysis wing: functions that take a :class:`~coprodlib.contract.dataset.Dataset` or a
tidy frame and return tidy frames. None of them prints, plots or writes files.

- :mod:`.describe`: overviews of cases, roles and codes;
- :mod:`.qualitative`: codings in long form, co-occurrence, the tension -> strategy -> effect
  chain, strategy profiles, the aggregation across cases;
- :mod:`.contingency`: chi-square tests with residuals and exact p-values, group comparisons;
- :mod:`.reliability`: intercoder agreement (Krippendorff's alpha, Cohen's kappa);
- :mod:`.scales`: Likert scale scores, Cronbach's alpha, item statistics;
- :mod:`.survey_models`: models of coping choice and group differences in traits;
- :mod:`.case_conditions`: cases as configurations, the coded shares and forms that QCA
  calibrates into sets;
- :mod:`.qca`: crisp- and fuzzy-set QCA: calibration, truth tables, Boolean minimisation
  (conservative, parsimonious, intermediate solutions), necessity.
"""
