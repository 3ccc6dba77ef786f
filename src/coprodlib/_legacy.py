"""The module paths of before the wings (``coprodlib.dataset``, ``coprodlib.survey``, ...),
kept as aliases that warn.

``import coprodlib.survey`` and ``cp.survey.check_survey`` still work: the old name gives a
stand-in module whose attributes are looked up in the modules that now hold them, each with a
:class:`DeprecationWarning` that names the new home. Nothing inside the package uses these
names; a test checks that.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from types import ModuleType
from typing import Any

__all__ = ["MOVED", "LegacyModule", "install", "moved_attribute", "wing_attribute"]

#: Old module (under ``coprodlib.``) -> the modules that now hold its names, searched in order.
MOVED: dict[str, tuple[str, ...]] = {
    "taxonomy": ("taxonomy.codebook", "taxonomy.records", "taxonomy.export"),
    "qdc": ("taxonomy.qdc", "safe_archive"),
    "dataset": ("contract.dataset", "contract.reading", "contract.checks", "contract.rules"),
    "describe": ("analysis.describe",),
    "qualitative": ("analysis.qualitative",),
    "contingency": ("analysis.contingency", "_checks"),
    "reliability": ("analysis.reliability",),
    "survey": ("contract.survey_design", "analysis.scales", "analysis.survey_models"),
    "reporting": ("workbook.notebook", "workbook.pages", "_io"),
    "runner": ("workbook.runner", "workbook.jobs"),
    "demo": ("demo.writer", "demo.parameters"),
    "importing": ("importers.staging",),
    "refi": (
        "importers.refi",
        "importers.project",
        "importers.offsets",
        "importers.code_map",
        "importers.cases",
        "importers.writer",
        "importers.qdpx_files",
    ),
    "taguette": ("importers.taguette",),
    "survey_import": ("importers.survey",),
    "pseudonyms": ("importers.pseudonyms",),
}
_PACKAGE = __name__.rpartition(".")[0]


def moved_attribute(old: str, name: str) -> Any:
    """``coprodlib.<old>.<name>`` from its new module, with a DeprecationWarning."""
    modules = [(new, importlib.import_module(f"{_PACKAGE}.{new}")) for new in MOVED[old]]
    # the module that lists the name as its own first, then any that merely imports it
    ranked = [m for m in modules if name in getattr(m[1], "__all__", ())]
    ranked += [m for m in modules if hasattr(m[1], name) and m not in ranked]
    if not ranked:
        raise AttributeError(f"module '{_PACKAGE}.{old}' has no attribute {name!r}")
    new, module = ranked[0]
    public = name in getattr(sys.modules[_PACKAGE], "__all__", ())
    warnings.warn(
        f"{_PACKAGE}.{old}.{name} has moved to {_PACKAGE}.{new}.{name}"
        + (f"; or use {_PACKAGE}.{name}" if public else ""),
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(module, name)


def wing_attribute(wing: str, name: str) -> Any:
    """An attribute of a wing whose name an old module had (``coprodlib.taxonomy``,
    ``coprodlib.demo``): the wing's own submodule when there is one, else the old name."""
    if importlib.util.find_spec(f"{_PACKAGE}.{wing}.{name}") is not None:
        return importlib.import_module(f"{_PACKAGE}.{wing}.{name}")
    return moved_attribute(wing, name)


class LegacyModule(ModuleType):
    """A stand-in for a module that has moved: attribute look-ups go to the new modules."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return moved_attribute(self.__name__.rpartition(".")[2], name)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        package, _, old = fullname.rpartition(".")
        if package != _PACKAGE or old not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: Any) -> ModuleType:
        return LegacyModule(spec.name)

    def exec_module(self, module: ModuleType) -> None:
        module.__doc__ = "Moved to " + ", ".join(
            f"{_PACKAGE}.{new}" for new in MOVED[module.__name__.rpartition(".")[2]]
        )


def install() -> None:
    """Let ``import coprodlib.<old name>`` find its stand-in (after every real module)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
