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

__version__ = "0.1.0"

#: The public names, by the submodule that defines them (listed once: ``__all__`` and the
#: lazy look-up below are derived from this table).
_PUBLIC: dict[str, tuple[str, ...]] = {
    "errors": ("DataError", "Problem"),
    "taxonomy": (
        "Codebook",
        "Entry",
        "codebook",
        "get_codebook",
        "read_codebook",
        "export_codebook",
    ),
    "qdc": ("import_codebook", "CodebookImport"),
    "dataset": ("Dataset", "load", "validate", "select_cases"),
    "describe": (
        "case_overview",
        "case_profile",
        "case_heading",
        "code_usage",
        "dimension_counts",
        "example_segments",
        "problem_summary",
        "role_counts",
    ),
    "qualitative": (
        "codings_of",
        "cooccurrence",
        "chain",
        "strategy_profile",
        "aggregation",
        "aggregation_test",
    ),
    "contingency": ("CrosstabResult", "crosstab_test", "compare_groups", "adjust_pvalues"),
    "reliability": ("agreement", "code_agreement", "code_decisions", "cohen_kappa"),
    "survey": (
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
        "trait_effects_text",
    ),
    "reporting": (
        "setup_notebook",
        "report_section",
        "show_figure",
        "check_parameter",
        "as_flag",
        "save_table",
        "save_figure",
        "synthetic_banner",
    ),
}

#: Submodules reachable as attributes, e.g. ``cp.plots`` or ``cp.qualitative.AGGREGATION_CAVEAT``.
_SUBMODULES = (*_PUBLIC, "plots", "demo", "paths", "runner")

_WHERE: dict[str, str] = {name: mod for mod, names in _PUBLIC.items() for name in names}

__all__ = ["__version__", "plots", *_WHERE]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    elif name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'coprodlib' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
