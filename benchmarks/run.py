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


def pandas_cooccurrence(ds: cp.Dataset) -> pd.Series:
    """The same count as a plain pandas merge-and-count (no derived tensions)."""
    dims = ds.codebook.frame.set_index("id")["dimension"]
    codings = ds.codings[["segment_id", "code"]].astype(str).drop_duplicates()
    codings["dimension"] = codings["code"].map(dims)
    tensions = codings[codings["dimension"] == "tension"]
    strategies = codings[codings["dimension"] == "strategy"]
    pairs = tensions.merge(strategies, on="segment_id", suffixes=("_t", "_s"))
    return pairs.groupby(["code_t", "code_s"]).size()


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
    ds = bench_loading(args, folder, "benchmark shape")
    bench_explorer(args, ds)
    bench_replicated(args, tmp)

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
    bench_qca(args)
    record("peak memory so far", peak_mb(), "MB", "< 3,000 MB")


def bench_qca(args: argparse.Namespace) -> None:
    """QCA's minimisation with many conditions (the parsimonious solution uses every logical
    remainder): prime implicants from the array of all terms, beside pairwise merging."""
    from coprodlib.analysis.qca import implicants

    k = 8 if args.quick else 12
    rng = np.random.default_rng(4)
    sets = pd.DataFrame(rng.random((80, k + 1)), columns=[*(f"C{i}" for i in range(k)), "Y"])
    options = dict(outcome="Y", conditions=[f"C{i}" for i in range(k)], incl_cut=0.7,
                   dir_exp={f"C{i}": 1 for i in range(k)})  # fmt: skip
    t_dense, models = timed(lambda: cp.minimize(sets, **options), args.repeat)
    limit = implicants.DENSE_CONDITIONS
    implicants.DENSE_CONDITIONS = 0  # the pairwise merging of Quine and McCluskey
    try:
        t_merged, same = timed(lambda: cp.minimize(sets, **options), 1)
    finally:
        implicants.DENSE_CONDITIONS = limit
    assert same.equals(models), "the two ways of finding prime implicants disagree"
    record(f"QCA minimisation, {k} conditions, 80 cases, 3 solutions", t_dense, "s", "", t_merged)


def bench_explorer(args: argparse.Namespace, ds: cp.Dataset) -> None:
    """cp.explore on the large dataset: the slowest update of each kind of change, beside
    what one update would cost through the pandas analyses (benchmarks/explorer.py has the
    medians and the demo)."""
    from explorer import bench  # benchmarks/explorer.py, beside this script

    rows = bench(f"{args.codings:,} codings", ds, max(args.repeat, 3), baseline=True)
    pandas_update = float(rows[-1]["median s"])
    for r in rows[:-1]:
        target = "" if r["change"].startswith("build") else "< 1 s"
        base = None if r["change"].startswith("build") else pandas_update
        record(f"explorer, {r['change']} (slowest)", float(r["max s"]), "s", target, base)


# ----------------------------------------------------------------- loading at scale


def load_peak_mb(folder: Path) -> float:
    """Peak memory of a fresh process that imports coprodlib, validates and loads ``folder``."""
    code = (
        "import resource, sys\n"
        "import coprodlib as cp\n"
        "cp.validate(sys.argv[1]); cp.load(sys.argv[1])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def bench_loading(args: argparse.Namespace, folder: Path, shape: str) -> cp.Dataset:
    """Load, validate and count co-occurrence on one dataset folder; returns the dataset.

    Every timed load reads the folder afresh (``cache=False``, or the cache cleared first);
    the cached reload is timed on its own row.
    """
    from coprodlib.contract.dataset import clear_cache

    cp.cooccurrence(cp.load(), "tension", "strategy")  # imports (pandera, scipy) not timed
    t_load, ds = timed(lambda: cp.load(folder, cache=False), args.repeat)
    n = f"{len(ds.codings):,} codings, {len(ds.cases):,} cases"
    record(f"{shape}: load, which validates ({n})", t_load, "s", "< 5 s")

    def validate_then_load() -> cp.Dataset:
        clear_cache()
        cp.validate(folder)
        return cp.load(folder)  # reuses what validate read

    t_both, ds = timed(validate_then_load, args.repeat)
    record(f"{shape}: cp.validate, then cp.load", t_both, "s", "< 5 s")
    t_again, _ = timed(lambda: cp.load(folder), args.repeat)
    record(f"{shape}: cp.load again, folder unchanged (cache)", t_again, "s", "")
    record(f"{shape}: peak memory of validate + load", load_peak_mb(folder), "MB", "< 3,000 MB")

    t_co, _ = timed(lambda: cp.cooccurrence(ds, "tension", "strategy"), args.repeat)
    t_pd, _ = timed(lambda: pandas_cooccurrence(ds), args.repeat)
    t_naive, _ = timed(lambda: naive_cooccurrence(ds), 1)  # a baseline: one run is enough
    record(f"{shape}: co-occurrence tension x strategy (segment)", t_co, "s", "< 0.3 s")
    record(f"{shape}:   vs a pandas merge-and-count", t_co, "s", ">= 3x", t_pd)
    record(f"{shape}:   vs the naive loop over segments", t_co, "s", ">= 20x", t_naive)
    return ds


def bench_replicated(args: argparse.Namespace, tmp: Path) -> None:
    """The loading rows on the demo replicated to the size of the benchmark's codings, with
    the segments' texts (some over several lines), as a large import with --keep-text."""
    t0 = time.perf_counter()
    tables = demo.replicate_demo(args.codings)
    folder = tmp / "replicated"
    write_dataset(tables, folder)
    print(
        f"  replicated demo: {len(tables['cases']):,} cases, {len(tables['segments']):,} "
        f"segments with text, {len(tables['codings']):,} codings; written in "
        f"{time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    del tables
    bench_loading(args, folder, "replicated demo with text")
    shutil.rmtree(folder, ignore_errors=True)


def _scales_file(scales: dict[str, Any], tmp: Path) -> Path:
    import yaml

    path = tmp / "scales" / "scales.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(scales, sort_keys=False))
    return path


def _notebook_commands(folder: Path, out: Path, case_ids: list[str]) -> list[list[str]]:
    """The papermill command lines that run the batch's notebooks one by one."""
    nb = notebooks_dir()
    papermill = [sys.executable, "-m", "papermill", "--no-progress-bar", "-k", "python3"]
    runs = [("10_case", ["-p", "case_id", c], c) for c in case_ids]
    runs += [(n, [], n) for n in ("00_data_check", "20_cross_case", "30_survey", "40_reliability")]
    return [
        [*papermill, str(nb / f"{name}.ipynb"), str(out / f"{stem}.ipynb"),
         "-p", "dataset", str(folder), *more]
        for name, more, stem in runs
    ]  # fmt: skip


def _manifest_times(reports: Path) -> tuple[list[float], float, list[float]]:
    """Per-notebook overheads, the sum of the cells' seconds, and the import cells' seconds,
    as the last run's manifest and notebooks record them."""
    import nbformat

    entries = json.loads((reports / "manifest.json").read_text())["notebooks"]
    overheads = sorted(e["overhead_seconds"] for e in entries.values() if "overhead_seconds" in e)
    cells = sum(e.get("cell_seconds", 0.0) for e in entries.values())
    imports = []
    for entry in entries.values():
        nb = nbformat.read(reports / entry["outputs"][0], 4)
        for cell in nb.cells:
            if cell.cell_type == "code" and "import coprodlib" in cell.source:
                imports.append(cell.metadata.get("papermill", {}).get("duration") or 0.0)
    return overheads, cells, sorted(imports)


def bench_batch(args: argparse.Namespace, tmp: Path) -> None:
    jobs = 2
    folder = tmp / "batch20"
    demo.write_demo(folder, seed=5, n_cases=args.batch_cases)
    ds = cp.load(folder)
    coprod = [sys.executable, "-m", "coprodlib.cli"]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}

    def batch(reports: Path, *extra: str) -> None:
        cmd = [*coprod, "run", "--dataset", str(folder), "--reports", str(reports)]
        subprocess.run([*cmd, "--jobs", str(jobs), *extra], check=True, capture_output=True,
                       env=env)  # fmt: skip

    warm, cold = tmp / "reports-warm", tmp / "reports-cold"
    # side by side, alternating: the same machine load for both
    t_warm, t_cold = [], []
    for _ in range(args.repeat):
        t_warm.append(timed(lambda: batch(warm, "--force"), 1)[0])
        t_cold.append(timed(lambda: batch(cold, "--force", "--cold-kernels"), 1)[0])
    t_batch, t_batch_cold = statistics.median(t_warm), statistics.median(t_cold)
    n_nb = sum(1 for _ in warm.rglob("*.ipynb"))
    overheads, cells, imports = _manifest_times(warm)
    overheads_cold, cells_cold, imports_cold = _manifest_times(cold)
    t_rerun, _ = timed(lambda: batch(warm), args.repeat)  # nothing changed: all skipped

    # one case's codings change: that case and the synthesis notebooks run again
    codings = pd.read_csv(folder / "codings.csv", dtype=str, keep_default_na=False)
    segments = pd.read_csv(folder / "segments.csv", dtype=str, keep_default_na=False)
    one_case = set(segments.loc[segments["case_id"] == ds.case_ids[0], "segment_id"])
    drop = codings.index[codings["segment_id"].isin(one_case)][0]
    codings.drop(index=drop).to_csv(folder / "codings.csv", index=False, lineterminator="\n")
    t_change, _ = timed(lambda: batch(warm), 1)
    entries = json.loads((warm / "manifest.json").read_text())["notebooks"]
    reran = sorted(k for k, e in entries.items() if e["status"] == "ran")

    seq_out = tmp / "sequential"
    seq_out.mkdir()
    commands = _notebook_commands(folder, seq_out, ds.case_ids)

    def sequential() -> None:
        for cmd in commands:
            subprocess.run(cmd, check=True, capture_output=True, cwd=str(notebooks_dir()),
                           env=env)  # fmt: skip

    t_seq, _ = timed(sequential, 1)  # the baseline, once: it takes minutes

    record(f"batch: coprod run --jobs {jobs}, {n_nb} notebooks (warm kernels)", t_batch, "s",
           ">= 5x sequential papermill", t_seq)  # fmt: skip
    record("batch: the same with --cold-kernels", t_batch_cold, "s", "", t_seq)
    record(f"batch: sequential papermill CLI, {len(commands)} notebooks", t_seq, "s")
    record(f"batch: sum of the cells' seconds / {jobs} (warm run)", cells / jobs, "s")
    _ratio_row("batch: warm run / (cells / 2)", t_batch / (cells / jobs), "<= 1.25x")
    record("batch: per-notebook overhead, median (warm)", overheads[len(overheads) // 2], "s",
           "<= 0.3 s")  # fmt: skip
    record("batch: per-notebook overhead, largest (warm)", overheads[-1], "s")
    record("batch: per-notebook overhead, median (cold)",
           overheads_cold[len(overheads_cold) // 2], "s")  # fmt: skip
    record("batch: import cell, median (warm)", imports[len(imports) // 2], "s", "<= 0.1 s")
    record("batch: import cell, median (cold)", imports_cold[len(imports_cold) // 2], "s")
    _ratio_row("batch: cells' seconds, cold run / warm run", cells_cold / cells, "")
    record("batch: rerun with nothing changed", t_rerun, "s", "< 0.8 s")
    n_cases_reran = sum(k.startswith("cases/") for k in reran)
    record(
        f"batch: one case's codings changed ({n_cases_reran} case notebook and "
        f"{len(reran) - n_cases_reran} synthesis notebooks re-ran)",
        t_change,
        "s",
        "that case and the synthesis notebooks",
    )
    if args.big_batch:
        _bench_big_batch(args, tmp, coprod, env)


def _ratio_row(figure: str, ratio: float, target: str) -> None:
    ROWS.append({"figure": figure, "value": f"{ratio:.2f}x", "target": target, "baseline": "",
                 "ratio": ""})  # fmt: skip
    print(f"  {figure}: {ratio:.2f}x", flush=True)


def _bench_big_batch(args: argparse.Namespace, tmp: Path, coprod: list[str], env: dict) -> None:
    """A 200-case batch, with --jobs 2 and through a local Dask cluster of two workers."""
    from distributed import LocalCluster

    folder = tmp / "batch200"
    demo.write_demo(folder, seed=5, n_cases=args.big_batch)
    cmd = [*coprod, "run", "--dataset", str(folder), "--force"]
    start = time.perf_counter()
    subprocess.run([*cmd, "--reports", str(tmp / "r200"), "--jobs", "2"], check=True,
                   capture_output=True, env=env)  # fmt: skip
    t_local = time.perf_counter() - start
    _, cells, _ = _manifest_times(tmp / "r200")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        start = time.perf_counter()
        subprocess.run([*cmd, "--reports", str(tmp / "r200-dask"), "--scheduler",
                        cluster.scheduler_address], check=True, capture_output=True, env=env)  # fmt: skip
        t_dask = time.perf_counter() - start
    n = args.big_batch + 4
    record(f"batch: {args.big_batch} cases ({n} notebooks), coprod run --jobs 2", t_local, "s")
    record(f"batch: {args.big_batch} cases, local Dask cluster (2 workers x 1 thread)", t_dask,
           "s")  # fmt: skip
    _ratio_row(f"batch: {args.big_batch} cases, --jobs 2 / (cells / 2)", t_local / (cells / 2),
               "<= 1.25x")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the data, 1 repeat")
    parser.add_argument("--skip-batch", action="store_true", help="leave out the batch runner")
    parser.add_argument(
        "--skip-analyses", action="store_true", help="only the batch runner benchmark"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--big-batch",
        type=int,
        default=None,
        metavar="N",
        help="also run an N-case batch with --jobs 2 and on a local Dask cluster (default: "
        "200 in a full run, none with --quick; 0 leaves it out)",
    )
    args = parser.parse_args(argv)
    args.cases, args.codings, args.respondents, args.batch_cases = 200, 1_000_000, 20_000, 20
    if args.quick:
        args.cases, args.codings, args.respondents, args.batch_cases = 40, 100_000, 2_000, 4
        args.repeat = 1
    if args.big_batch is None:
        args.big_batch = 0 if args.quick else 200
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
