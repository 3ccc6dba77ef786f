"""coprodlib: taxonomies and analyses for value conflicts in public-service co-production.

``import coprodlib as cp`` gives the whole toolkit: the codebook (``cp.get_codebook()``), the
data contract (``cp.load``, ``cp.validate``), the qualitative analyses (``cp.cooccurrence``,
``cp.chain``, ...), the contingency tests, reliability, survey models, and the figures in
``cp.plots``.

Submodules are imported on first use, so ``import coprodlib`` and the command line start
quickly: scipy, statsmodels and matplotlib load only when an analysis or a figure needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import _legacy

__version__ = "0.1.0"

#: The public names, by the module that defines them (listed once: ``__all__`` and the lazy
#: look-up below are derived from this table). The modules sit in wings along the data flow;
#: see docs/architecture.md.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "errors": ("DataError", "Problem"),
    "taxonomy.codebook": ("Codebook", "Entry", "codebook", "get_codebook", "read_codebook"),
    "taxonomy.export": ("export_codebook",),
    "taxonomy.qdc": ("import_codebook", "CodebookImport"),
    "contract.dataset": ("Dataset", "load", "validate", "select_cases"),
    "contract.survey_design": ("Scale", "SurveyDesign", "read_survey_design", "check_survey"),
    "analysis.describe": (
        "case_overview",
        "case_profile",
        "case_heading",
        "code_usage",
        "dimension_counts",
        "example_segments",
        "problem_summary",
        "role_counts",
        "studies_of",
        "study_overview",
    ),
    "analysis.qca.calibration": ("calibrate", "calibrate_crisp", "calibrate_fuzzy"),
    "analysis.qca.truth_table": ("truth_table",),
    "analysis.qca.minimisation": ("minimize",),
    "analysis.qca.necessity": ("necessity",),
    "analysis.qca.case_types": ("solution_cases", "CASE_TYPES", "CASE_TYPE_LABELS"),
    "analysis.qca.measures": (
        "membership",
        "sufficiency_consistency",
        "sufficiency_coverage",
        "necessity_consistency",
        "necessity_coverage",
        "relevance_of_necessity",
    ),
    "analysis.case_conditions": (
        "case_conditions",
        "case_sets",
        "calibration_robustness",
        "CASE_MEASURES",
        "SHARE_MEASURES",
        "DEFAULT_ANCHORS",
    ),
    "analysis.qualitative": (
        "codings_of",
        "cooccurrence",
        "chain",
        "strategy_profile",
        "aggregation",
        "aggregation_test",
        "UNITS",
        "AGGREGATION_CAVEAT",
        "STRATEGY_LEVELS",
    ),
    "analysis.contingency": ("CrosstabResult", "crosstab_test", "compare_groups", "adjust_pvalues"),
    "analysis.reliability": ("agreement", "code_agreement", "code_decisions", "cohen_kappa"),
    "analysis.coder_overlap": (
        "character_agreement",
        "coders_of",
        "double_coded_documents",
        "one_coder",
        "overlap_units",
        "reliability_sample",
    ),
    "analysis.scales": ("scale_scores", "scale_reliability", "item_stats"),
    "analysis.survey_models": (
        "choice_models",
        "condition_effects",
        "group_difference",
        "trait_correlations",
        "trait_effects",
        "trait_effects_text",
    ),
    "workbook.notebook": (
        "setup_notebook",
        "report_section",
        "check_parameter",
        "as_flag",
        "save_table",
        "show_table",
        "synthetic_banner",
    ),
    "explorer.widget": ("explore", "Explorer"),
    "workbook.presentation": ("display_table", "DisplayTable"),
    "workbook.qca_text": (
        "qca_cases_text",
        "limited_diversity_text",
        "solutions_text",
        "robustness_text",
        "chosen_solution",
        "case_types_text",
    ),
    "workbook.figures": ("show_figure", "save_figure"),
    "workbook.survey_sections": ("SurveyPlan", "survey_plan"),
    "analysis.derived": ("derived_tensions", "tension_sources_text"),
    "importers.qualcoder": ("import_qualcoder", "read_qualcoder"),
    "importers.code_suggestions": ("suggest_codes", "map_dataset"),
    "importers.detect": ("detect_format",),
}

#: Modules reachable as attributes: ``cp.plots``, ``cp.paths``, ``cp.errors`` and the wings.
_SUBMODULES = (
    "errors",
    "paths",
    "plots",
    "taxonomy",
    "contract",
    "analysis",
    "importers",
    "workbook",
    "demo",
)

_WHERE: dict[str, str] = {name: mod for mod, names in _PUBLIC.items() for name in names}

__all__ = ["__version__", "plots", *_WHERE]

_legacy.install()


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES or name in _legacy.MOVED:  # old module names give a stand-in
        value = importlib.import_module(f".{name}", __name__)
    elif name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'coprodlib' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
