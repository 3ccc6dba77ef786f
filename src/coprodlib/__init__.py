"""coprodlib: taxonomies and analyses for value conflicts in public-service co-production.

``import coprodlib as cp`` gives the whole toolkit: the codebook (``cp.get_codebook()``), the
data contract (``cp.load``, ``cp.validate``), the qualitative analyses (``cp.cooccurrence``,
``cp.chain``, ...), the contingency tests, reliability, survey models, and the figures in
``cp.plots``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import plots
from .contingency import CrosstabResult, adjust_pvalues, compare_groups, crosstab_test
from .dataset import Dataset, load, select_cases, validate
from .describe import (
    case_heading,
    case_overview,
    case_profile,
    code_usage,
    dimension_counts,
    example_segments,
    problem_summary,
    role_counts,
)
from .errors import DataError, Problem
from .qdc import CodebookImport, import_codebook
from .qualitative import (
    aggregation,
    aggregation_test,
    chain,
    codings_of,
    cooccurrence,
    strategy_profile,
)
from .reliability import agreement, code_agreement, code_decisions, cohen_kappa
from .reporting import save_figure, save_table, setup_notebook, synthetic_banner
from .survey import (
    Scale,
    SurveyDesign,
    check_survey,
    choice_models,
    condition_effects,
    group_difference,
    item_stats,
    read_survey_design,
    scale_reliability,
    scale_scores,
    trait_correlations,
)
from .taxonomy import Codebook, Entry, codebook, export_codebook, get_codebook, read_codebook

__all__ = [
    "__version__",
    "plots",
    # errors
    "DataError",
    "Problem",
    # codebook
    "Codebook",
    "Entry",
    "codebook",
    "get_codebook",
    "read_codebook",
    "export_codebook",
    "import_codebook",
    "CodebookImport",
    # data
    "Dataset",
    "load",
    "validate",
    "select_cases",
    # description
    "case_overview",
    "case_profile",
    "case_heading",
    "code_usage",
    "dimension_counts",
    "example_segments",
    "problem_summary",
    "role_counts",
    # qualitative analyses
    "codings_of",
    "cooccurrence",
    "chain",
    "strategy_profile",
    "aggregation",
    "aggregation_test",
    # tests of association
    "CrosstabResult",
    "crosstab_test",
    "compare_groups",
    "adjust_pvalues",
    # reliability
    "agreement",
    "code_agreement",
    "code_decisions",
    "cohen_kappa",
    # survey
    "Scale",
    "SurveyDesign",
    "read_survey_design",
    "check_survey",
    "scale_scores",
    "scale_reliability",
    "item_stats",
    "choice_models",
    "condition_effects",
    "group_difference",
    "trait_correlations",
    # notebooks
    "setup_notebook",
    "save_table",
    "save_figure",
    "synthetic_banner",
]
