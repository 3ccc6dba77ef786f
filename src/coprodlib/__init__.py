"""coprodlib: taxonomies and analyses for value conflicts in public-service co-production.

``import coprodlib as cp`` gives the whole toolkit: the codebook (``cp.get_codebook()``), the
data contract (``cp.load``, ``cp.validate``), the qualitative analyses (``cp.cooccurrence``,
``cp.chain``, ...), the contingency tests, reliability, survey models, and the figures in
``cp.plots``.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

#: Where each public name lives. Submodules are imported on first use, so ``import coprodlib``
#: and the command line start quickly (scipy, statsmodels and matplotlib load only when an
#: analysis or a figure needs them).
_WHERE: dict[str, str] = {
    "CrosstabResult": "contingency",
    "adjust_pvalues": "contingency",
    "compare_groups": "contingency",
    "crosstab_test": "contingency",
    "Dataset": "dataset",
    "load": "dataset",
    "select_cases": "dataset",
    "validate": "dataset",
    "case_heading": "describe",
    "case_overview": "describe",
    "case_profile": "describe",
    "code_usage": "describe",
    "dimension_counts": "describe",
    "example_segments": "describe",
    "problem_summary": "describe",
    "role_counts": "describe",
    "DataError": "errors",
    "Problem": "errors",
    "CodebookImport": "qdc",
    "import_codebook": "qdc",
    "aggregation": "qualitative",
    "aggregation_test": "qualitative",
    "chain": "qualitative",
    "codings_of": "qualitative",
    "cooccurrence": "qualitative",
    "strategy_profile": "qualitative",
    "agreement": "reliability",
    "code_agreement": "reliability",
    "code_decisions": "reliability",
    "cohen_kappa": "reliability",
    "save_figure": "reporting",
    "save_table": "reporting",
    "setup_notebook": "reporting",
    "show_figure": "reporting",
    "check_parameter": "reporting",
    "report_section": "reporting",
    "synthetic_banner": "reporting",
    "Scale": "survey",
    "SurveyDesign": "survey",
    "check_survey": "survey",
    "choice_models": "survey",
    "condition_effects": "survey",
    "group_difference": "survey",
    "item_stats": "survey",
    "read_survey_design": "survey",
    "scale_reliability": "survey",
    "scale_scores": "survey",
    "trait_correlations": "survey",
    "trait_effects": "survey",
    "Codebook": "taxonomy",
    "Entry": "taxonomy",
    "codebook": "taxonomy",
    "export_codebook": "taxonomy",
    "get_codebook": "taxonomy",
    "read_codebook": "taxonomy",
    "plots": "plots",
    # the submodules themselves, e.g. cp.qualitative.AGGREGATION_CAVEAT
    **{
        m: m
        for m in (
            "contingency",
            "dataset",
            "demo",
            "describe",
            "errors",
            "paths",
            "qdc",
            "qualitative",
            "reliability",
            "reporting",
            "runner",
            "survey",
            "taxonomy",
        )
    },
}

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
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
    from .reporting import (
        check_parameter,
        report_section,
        save_figure,
        save_table,
        setup_notebook,
        show_figure,
        synthetic_banner,
    )
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
        trait_effects,
    )
    from .taxonomy import Codebook, Entry, codebook, export_codebook, get_codebook, read_codebook


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'coprodlib' has no attribute {name!r}")
    mod = importlib.import_module(f".{module}", __name__)
    value = mod if name == module else getattr(mod, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "trait_effects",
    # notebooks
    "setup_notebook",
    "report_section",
    "show_figure",
    "check_parameter",
    "save_table",
    "save_figure",
    "synthetic_banner",
]
