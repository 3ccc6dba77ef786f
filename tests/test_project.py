"""The project's own plumbing: the two install paths agree, the CLI answers, paths resolve."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import coprodlib
from coprodlib import paths

ROOT = paths.project_root()


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)$", line.strip())
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def _pyproject_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return project["dependencies"] + extras["test"] + extras["cluster"]


def test_lock_pins_every_declared_dependency():
    lock = _lock()
    missing = [r for r in _pyproject_requirements() if _name(r) not in lock]
    assert missing == []


def test_environment_yml_matches_pyproject_and_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    pinned = {}
    for line in pip_section:
        m = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)$", line)
        if m:
            pinned[m.group(1).lower()] = m.group(2)
    lock = _lock()
    for requirement in _pyproject_requirements():
        name = _name(requirement)
        assert name in pinned, f"{name} is in pyproject.toml but not in environment.yml"
        assert pinned[name] == lock[name], f"{name}: environment.yml and requirements.lock differ"
    assert "-c requirements.lock" in pip_section
    assert any(line.startswith("-e") for line in pip_section)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in ci
    assert "make test" in readme and "make run" in readme


def _coprod(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coprodlib.cli", *args], capture_output=True, text=True
    )


def test_cli_version_and_help():
    out = _coprod("--version")
    assert out.returncode == 0
    assert out.stdout.strip() == f"coprod {coprodlib.__version__}"
    helped = _coprod("--help")
    assert helped.returncode == 0
    for command in ("run", "validate", "demo", "codebook", "notebooks"):
        assert command in helped.stdout
    run_help = _coprod("run", "--help")
    assert "--jobs" in run_help.stdout and "--force" in run_help.stdout


def test_cli_usage_error_exit_code_two():
    out = _coprod("no-such-command")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr


def test_paths_do_not_depend_on_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert paths.project_root() == ROOT
    assert paths.resolve_dataset(None) == ROOT / "data" / "demo"
    assert paths.resolve_dataset("demo") == ROOT / "data" / "demo"
    assert paths.resolve_dataset("data/demo") == ROOT / "data" / "demo"
    assert paths.reports_dir(None) == ROOT / "reports" / "demo"
    absolute = tmp_path / "mine"
    assert paths.resolve_dataset(absolute) == absolute


def test_project_root_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COPROD_ROOT", str(tmp_path))
    assert paths.project_root() == tmp_path.resolve()


@pytest.mark.parametrize("target", ["setup", "run", "test", "lab", "bench", "clean", "notebooks"])
def test_makefile_has_the_project_doors(target):
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^{target}:", makefile, flags=re.M)


def test_reports_folder_commits_only_its_readme():
    tracked = subprocess.run(
        ["git", "ls-files", "reports"], capture_output=True, text=True, cwd=ROOT
    ).stdout.split()
    assert tracked in ([], ["reports/README.md"])
    assert Path(ROOT / "reports" / "README.md").exists()


def test_public_names_are_each_defined_where_the_package_says() -> None:
    import importlib

    import coprodlib as cp

    for module, names in cp._PUBLIC.items():
        mod = importlib.import_module(f"coprodlib.{module}")
        for name in names:
            assert name in mod.__all__, f"{name} is not in coprodlib.{module}.__all__"
            assert getattr(cp, name) is getattr(mod, name)
    assert len(cp.__all__) == len(set(cp.__all__))
