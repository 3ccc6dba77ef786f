"""Benchmarks at the scale of a shared multi-case database, against naive baselines.

Run with ``make bench`` (or ``python benchmarks/run.py [--quick] [--skip-batch]``). Prints one
table: figure, measured value, target, baseline, ratio. Each timing is the median of
``--repeat`` runs (default 3) in this process; peak memory is the process's maximum resident
set size. The data are SYNTHETIC, made by ``coprodlib.demo.writer.generate_large`` (seeded), and are
written to a temporary folder, never to the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import coprodlib as cp
from coprodlib.demo import writer as demo
from coprodlib.paths import notebooks_dir, project_root

ROWS: list[dict[str, Any]] = []


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def record(figure: str, value: float, unit: str, target: str = "", baseline: float | None = None):
    ratio = "" if baseline is None or value == 0 else f"{baseline / value:.1f}x"
    ROWS.append(
        {
            "figure": figure,
            "value": f"{value:.3f} {unit}" if unit == "s" else f"{value:,.0f} {unit}",
            "target": target,
            "baseline": "" if baseline is None else f"{baseline:.3f} s",
            "ratio": ratio,
        }
    )
    print(f"  {figure}: {ROWS[-1]['value']}  {ratio}", flush=True)


def write_dataset(tables: dict[str, Any], folder: Path) -> None:
    """Write generated tables as a dataset folder in the data contract."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if isinstance(frame, pd.DataFrame):
            frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    if "scales" in tables:
        (folder / "scales.yml").write_text(yaml.safe_dump(tables["scales"], sort_keys=False))
    (folder / "dataset.yml").write_text("title: benchmark data\nsynthetic: true\n")


# ----------------------------------------------------------------- naive baselines


def naive_cooccurrence(ds: cp.Dataset) -> Counter:
    """How a newcomer counts tension x strategy pairs: a loop over segments."""
    dims = ds.codebook.frame.set_index("id")["dimension"]
    codings = ds.codings.assign(code=ds.codings["code"].astype(str))
    counts: Counter = Counter()
    for _, group in codings.groupby("segment_id"):
        codes = list(group["code"])
        tensions = [c for c in codes if dims.get(c) == "tension"]
        strategies = [c for c in codes if dims.get(c) == "strategy"]
        for t in set(tensions):
            for s in set(strategies):
                counts[(t, s)] += 1
    return counts


def naive_compare(strategies: pd.DataFrame) -> list[tuple[str, float]]:
    """One pd.crosstab and one chi-square test per case, in a Python loop."""
    from scipy.stats import chi2_contingency

    out = []
    for case_id in strategies["case_id"].unique():
        sub = strategies[strategies["case_id"] == case_id]
        table = pd.crosstab(sub["role_group"], sub["family"])
        chi2, p, _, _ = chi2_contingency(table, correction=False)
        out.append((case_id, p))
    return out


# ----------------------------------------------------------------- the benchmarks


def bench_analyses(args: argparse.Namespace, tmp: Path) -> None:
    print("generating the large synthetic dataset ...", flush=True)
    t0 = time.perf_counter()
    tables = demo.generate_large(seed=1, n_cases=args.cases, n_codings=args.codings)
    gen = time.perf_counter() - t0
    n_codes = tables["codings"]["code"].nunique()
    print(
        f"  {len(tables['cases'])} cases, {len(tables['segments']):,} segments, "
        f"{len(tables['codings']):,} codings, {n_codes} codes in use, "
        f"{len(tables['survey']):,} respondents; generated in {gen:.1f} s",
        flush=True,
    )
    record("generate the large dataset", gen, "s", "seconds")
    folder = tmp / "large"
    write_dataset(tables, folder)
    del tables

    t_load, ds = timed(lambda: cp.load(folder), args.repeat)
    record(f"load + validate ({len(ds.codings):,} codings)", t_load, "s", "< 10 s")

    t_co, _ = timed(lambda: cp.cooccurrence(ds, "tension", "strategy"), args.repeat)
    t_naive, _ = timed(lambda: naive_cooccurrence(ds), args.repeat)
    record("co-occurrence tension x strategy (segment)", t_co, "s", "< 1 s, >= 20x", t_naive)

    t_all, full = timed(lambda: cp.cooccurrence(ds, "code", "code"), args.repeat)
    record(f"code x code matrix ({len(full):,} cells, c-coefficients)", t_all, "s", "< 3 s")

    t_chain, _ = timed(lambda: cp.chain(ds, by="case"), args.repeat)
    record("chain tension -> strategy -> effect per case", t_chain, "s", "")

    strategies = cp.codings_of(ds, "strategy")
    n_cases = strategies["case_id"].nunique()
    t_cmp, _ = timed(
        lambda: cp.compare_groups(strategies, "role_group", "family", by="case_id", exact=False),
        args.repeat,
    )
    t_cmp_naive, _ = timed(lambda: naive_compare(strategies), args.repeat)
    record(f"comparison tables with tests ({n_cases} cases)", t_cmp, "s", "< 2 s", t_cmp_naive)
    t_exact, _ = timed(
        lambda: cp.compare_groups(strategies, "role_group", "family", by="case_id"), args.repeat
    )
    record("  the same with exact/Monte-Carlo p where needed", t_exact, "s", "")

    rng = np.random.default_rng(2)
    units = 50_000
    codes = np.array(cp.get_codebook().ids("strategy"))
    first = rng.choice(codes, units)
    second = np.where(rng.random(units) < 0.8, first, rng.choice(codes, units))
    dc = pd.DataFrame(
        {
            "segment_id": np.tile(np.arange(units).astype(str), 2),
            "coder": np.repeat(["a", "b"], units),
            "code": np.concatenate([first, second]),
        }
    )
    t_alpha, res = timed(lambda: cp.agreement(dc), args.repeat)
    record(
        f"Krippendorff's alpha, {units:,} units (alpha={res['alpha'].iat[0]:.3f})",
        t_alpha,
        "s",
        "< 2 s",
    )

    survey_tables = demo.generate_large(
        seed=3, n_cases=2, n_codings=1_000, n_respondents=args.respondents
    )
    survey = survey_tables["survey"]
    design = cp.read_survey_design(_scales_file(survey_tables["scales"], tmp))
    scored = survey.join(cp.scale_scores(survey, design))
    traits = list(design.scales)
    t_mn, _ = timed(
        lambda: cp.choice_models(
            scored, "coping_choice", traits, reference="avoidance", covariates=["role", "vignette"]
        ),
        args.repeat,
    )
    record(f"multinomial logit, {len(scored):,} respondents", t_mn, "s", "")
    t_bin, _ = timed(
        lambda: cp.choice_models(
            scored, "coping_choice", traits, kind="binary", covariates=["role", "vignette"]
        ),
        args.repeat,
    )
    record(f"logistic model per choice, {len(scored):,} respondents", t_bin, "s", "")
    record("peak memory so far", peak_mb(), "MB", "< 3,000 MB")


def _scales_file(scales: dict[str, Any], tmp: Path) -> Path:
    import yaml

    path = tmp / "scales" / "scales.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(scales, sort_keys=False))
    return path


#: What the floor notebook does: import the libraries a case notebook (20 of the 24 notebooks)
#: ends up importing, and nothing else. The library's modules load lazily, so they are named
#: one by one; statsmodels is the part the case notebooks use (multiple-testing corrections).
FLOOR_IMPORTS = """
import matplotlib.pyplot as plt
import pandera.pandas, pingouin, seaborn, statsmodels.stats.multitest
import coprodlib as cp
from coprodlib import plots
from coprodlib.analysis import contingency, describe, qualitative, reliability, scales
from coprodlib.analysis import survey_models
from coprodlib.contract import dataset
cp.setup_notebook()
""".strip()


def _empty_notebook(path: Path) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[
            new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            new_code_cell(FLOOR_IMPORTS),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def bench_batch(args: argparse.Namespace, tmp: Path) -> None:
    jobs = 2
    folder = tmp / "batch20"
    demo.write_demo(folder, seed=5, n_cases=args.batch_cases)
    ds = cp.load(folder)
    coprod = [sys.executable, "-m", "coprodlib.cli"]
    reports = tmp / "reports20"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}

    run_cmd = [*coprod, "run", "--dataset", str(folder), "--reports", str(reports)]

    def batch(*extra: str) -> None:
        subprocess.run(
            [*run_cmd, "--jobs", str(jobs), *extra], check=True, capture_output=True, env=env
        )

    # the first run also fills the report folder; later runs re-execute everything (--force)
    t_batch, _ = timed(lambda: batch("--force"), args.repeat)
    n_nb = sum(1 for _ in reports.rglob("*.ipynb"))
    # what each notebook cost besides its cells (kernel start, papermill, the HTML page), as
    # the manifest of the last forced run records it
    entries = json.loads((reports / "manifest.json").read_text())["notebooks"].values()
    overheads = sorted(e["overhead_seconds"] for e in entries if "overhead_seconds" in e)
    if overheads:
        record("per-notebook overhead, median (wall minus cells)",
               overheads[len(overheads) // 2], "s", "<= 0.3 s")  # fmt: skip
        record("per-notebook overhead, largest", overheads[-1], "s")
    t_rerun, _ = timed(batch, args.repeat)  # nothing changed: every notebook is skipped

    # the same notebooks one by one with the papermill command line
    nb = notebooks_dir()
    papermill = [sys.executable, "-m", "papermill", "--no-progress-bar", "-k", "python3"]
    seq_out = tmp / "sequential"
    seq_out.mkdir()
    commands = [
        [
            *papermill,
            str(nb / "10_case.ipynb"),
            str(seq_out / f"{c}.ipynb"),
            "-p",
            "dataset",
            str(folder),
            "-p",
            "case_id",
            c,
        ]
        for c in ds.case_ids
    ]
    for name in ("00_data_check", "20_cross_case", "30_survey", "40_reliability"):
        commands.append(
            [
                *papermill,
                str(nb / f"{name}.ipynb"),
                str(seq_out / f"{name}.ipynb"),
                "-p",
                "dataset",
                str(folder),
            ]
        )

    def sequential() -> None:
        for cmd in commands:
            subprocess.run(cmd, check=True, capture_output=True, cwd=str(nb), env=env)

    t_seq, _ = timed(sequential, args.repeat)

    empty = tmp / "empty.ipynb"
    _empty_notebook(empty)
    # the floor: a kernel start plus the imports, nothing else; executed in this process so
    # that papermill's own start-up (paid once by coprod run) is not counted in it
    import papermill as pm

    def run_empty() -> None:
        pm.execute_notebook(
            str(empty), str(tmp / "empty_out.ipynb"), kernel_name="python3", progress_bar=False
        )

    run_empty()  # warm-up: file caches, papermill's imports in this process
    floor_runs = []
    for _ in range(max(3, args.repeat)):
        start = time.perf_counter()
        run_empty()
        floor_runs.append(time.perf_counter() - start)
    one = statistics.median(floor_runs)
    floor = one * len(commands) / jobs

    record(f"batch: coprod run --jobs {jobs}, {n_nb} notebooks", t_batch, "s", ">= 1.6x seq", t_seq)
    record(f"batch: sequential papermill CLI, {len(commands)} notebooks", t_seq, "s", "")
    record(f"batch: floor (empty notebook {one:.2f} s x {len(commands)} / {jobs})", floor, "s", "")
    ROWS.append(
        {
            "figure": "batch: coprod run / floor",
            "value": f"{t_batch / floor:.2f}x",
            "target": "<= 1.3x",
            "baseline": "",
            "ratio": "",
        }
    )
    record("batch: rerun with nothing changed", t_rerun, "s", "< 2 s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, 1 repeat")
    parser.add_argument("--skip-batch", action="store_true", help="leave out the batch runner")
    parser.add_argument(
        "--skip-analyses", action="store_true", help="only the batch runner benchmark"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    args.cases, args.codings, args.respondents, args.batch_cases = 200, 1_000_000, 20_000, 20
    if args.quick:
        args.cases, args.codings, args.respondents, args.batch_cases = 40, 100_000, 2_000, 4
        args.repeat = 1
    tmp = Path(tempfile.mkdtemp(prefix="coprod-bench-"))
    os.environ.setdefault("COPROD_ROOT", str(project_root()))
    try:
        if not args.skip_analyses:
            bench_analyses(args, tmp)
        if not args.skip_batch:
            bench_batch(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = pd.DataFrame(ROWS, columns=["figure", "value", "target", "baseline", "ratio"])
    print()
    print("coprod workbook benchmarks (synthetic data; 2-core machine)")
    print(table.to_string(index=False))
    print(f"\npeak memory of the whole run: {peak_mb():,.0f} MB (target < 3,000 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
