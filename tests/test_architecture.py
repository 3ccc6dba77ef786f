"""The package's floor plan, read from its own source (ast), so that it cannot drift back.

The rules are those of docs/architecture.md: the modules sit in wings along the data flow,
each wing imports only from the wings below it, no module imports itself back through others,
no private name crosses a module, and no module grows past about 800 lines.
"""

from __future__ import annotations

import ast
import importlib
import warnings
from pathlib import Path

import pytest

import coprodlib as cp

PACKAGE = Path(cp.__file__).parent

#: The base modules every wing may use, and the rank of each wing (a wing may import from
#: wings of lower rank and from itself; wings of equal rank stand beside each other and may
#: not import one another).
BASE = {"errors", "paths", "_io", "_checks", "safe_archive"}
RANK = {
    "base": 0,
    "taxonomy": 1,
    "contract": 2,
    "analysis": 3,
    "importers": 3,
    "demo": 3,
    "plots": 4,
    "exporters": 4,
    "explorer": 4,
    "workbook": 5,
    "cli": 6,
}
#: The package's front door and the aliases of the old module paths look names up by text
#: (importlib), and are left out of the wing rules.
DOORS = {"coprodlib", "coprodlib._legacy"}

#: Every name that ``import coprodlib as cp`` offered before the wings (the old __all__).
NAMES_BEFORE = [
    "DataError",
    "Problem",
    "Codebook",
    "Entry",
    "codebook",
    "get_codebook",
    "read_codebook",
    "export_codebook",
    "import_codebook",
    "CodebookImport",
    "Dataset",
    "load",
    "validate",
    "select_cases",
    "case_overview",
    "case_profile",
    "case_heading",
    "code_usage",
    "dimension_counts",
    "example_segments",
    "problem_summary",
    "role_counts",
    "codings_of",
    "cooccurrence",
    "chain",
    "strategy_profile",
    "aggregation",
    "aggregation_test",
    "CrosstabResult",
    "crosstab_test",
    "compare_groups",
    "adjust_pvalues",
    "agreement",
    "code_agreement",
    "code_decisions",
    "cohen_kappa",
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
    "setup_notebook",
    "report_section",
    "show_figure",
    "check_parameter",
    "as_flag",
    "save_table",
    "save_figure",
    "synthetic_banner",
    "plots",
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def wing(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "door"
    top = parts[1]
    if top in BASE:
        return "base"
    return top


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str) -> list[tuple[str, str, int]]:
    """(imported module, imported name or "", line) for every import of the package's own
    modules in ``module``, at the top or inside a function."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "coprodlib":
                    found.append((alias.name, "", node.lineno))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if target.split(".")[0] != "coprodlib":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # `from . import safe_archive` imports a module
                    found.append((sub, "", node.lineno))
                else:
                    found.append((target, alias.name, node.lineno))
    return found


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _, _ in imports_of(module):
            if target != module and target in MODULES:
                graph[module].add(target)
    return graph


def test_every_import_names_a_module_that_exists() -> None:
    missing = [
        f"{m}:{line} imports {t}"
        for m in MODULES
        for t, _, line in imports_of(m)
        if t not in MODULES and t != "coprodlib"
    ]
    assert missing == [], "imports of old or unknown module paths:\n" + "\n".join(missing)


def test_no_import_circle_among_modules() -> None:
    graph = edges()
    circles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert circles == []


def test_wings_import_only_from_the_wings_below() -> None:
    wrong = []
    for module in MODULES:
        if module in DOORS:
            continue
        mine = wing(module)
        for target, name, line in imports_of(module):
            if target == "coprodlib" and name == "__version__":
                continue  # the version, for --version and the manifest
            if target == "coprodlib._legacy" and MODULES[module].name == "__init__.py":
                continue  # a wing that holds an old module's name offers its old names
            if target in DOORS:
                wrong.append(f"{module}:{line} imports the package door {target}")
                continue
            theirs = wing(target)
            if theirs == mine:
                continue
            if RANK[theirs] >= RANK[mine]:
                wrong.append(f"{module} ({mine}):{line} imports {target} ({theirs})")
    assert wrong == [], "imports that run up or across the wings:\n" + "\n".join(wrong)


def test_base_modules_stand_on_errors_alone() -> None:
    for module in MODULES:
        if wing(module) != "base":
            continue
        targets = {t for t, _, _ in imports_of(module)}
        assert targets <= {"coprodlib.errors"}, f"{module} imports {sorted(targets)}"


def test_no_private_name_crosses_a_module() -> None:
    crossing = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = set()
        for target, name, line in imports_of(module):
            if name.startswith("_") and not name.startswith("__"):
                crossing.append(f"{module}:{line} imports {target}.{name}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if f"{_resolve(module, node)}.{alias.name}" in MODULES:
                        aliases.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                crossing.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert crossing == []


def test_subpackages_do_not_forward_names() -> None:
    for module, path in MODULES.items():
        if path.name != "__init__.py" or module == "coprodlib":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_imports = [
            n
            for n in tree.body
            if isinstance(n, ast.ImportFrom)
            and (n.level or (n.module or "").startswith("coprodlib"))
        ]
        assert top_imports == [], f"{module} re-exports names from its modules"


def test_modules_are_small_enough_to_read_in_one_sitting() -> None:
    long = {
        m: n
        for m, p in MODULES.items()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800
    }
    assert long == {}


def test_at_least_four_wings() -> None:
    wings = {wing(m) for m in MODULES if "." in m and wing(m) not in ("base", "door")}
    subpackages = {w for w in wings if (PACKAGE / w / "__init__.py").is_file()}
    assert len(subpackages) >= 4, subpackages


def test_every_name_offered_before_the_wings_is_still_there() -> None:
    missing = [n for n in NAMES_BEFORE if not hasattr(cp, n)]
    assert missing == []
    assert set(NAMES_BEFORE) <= set(cp.__all__)


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("survey", "check_survey", "contract.survey_design"),
        ("survey", "choice_models", "analysis.survey_models"),
        ("dataset", "MAX_PER_CHECK", "contract.checks"),
        ("qualitative", "AGGREGATION_CAVEAT", "analysis.qualitative"),
        ("reporting", "write_text_atomic", "_io"),
        ("runner", "run", "workbook.runner"),
        ("qdc", "MAX_XML_BYTES", "safe_archive"),
        ("taxonomy", "normalize_name", "taxonomy.records"),
        ("demo", "write_demo", "demo.writer"),
        ("survey_import", "import_survey", "importers.survey"),
    ],
)
def test_old_module_paths_still_work_and_say_where_names_went(old, name, new) -> None:
    legacy = importlib.import_module(f"coprodlib.{old}")
    target = importlib.import_module(f"coprodlib.{new}")
    with pytest.warns(DeprecationWarning, match=f"coprodlib.{new}.{name}"):
        value = getattr(legacy, name)
    assert value is getattr(target, name)
    with warnings.catch_warnings(), pytest.raises(AttributeError):
        warnings.simplefilter("ignore")
        legacy.no_such_name  # noqa: B018


def test_a_wing_that_holds_an_old_module_name_gives_its_submodules_first() -> None:
    # coprodlib.taxonomy was a module with a function codebook(); the wing's submodule of
    # that name must win, whatever was imported before
    code = (
        "import warnings; warnings.simplefilter('error');"
        "from coprodlib.taxonomy import codebook; import types;"
        "assert isinstance(codebook, types.ModuleType), codebook"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", code], check=True)
