"""How long the explorer (``cp.explore``) takes to answer each kind of change.

Run with ``python benchmarks/explorer.py [--codings N] [--repeat R] [--skip-large]``. On the
demo and on the large SYNTHETIC dataset of benchmarks/run.py (``generate_large``, seeded,
1,000,000 codings on 200 cases, written once to a temporary folder), it builds the explorer
once, then makes ``--repeat`` changes of each kind (the case selection, the x and the y
dimension, the unit, the strategy level, a click on a cell) by setting the controls' values
as the browser does, and prints the median and the largest wall time per kind. Beside them,
for comparison, the time of the pandas analyses an update would otherwise run
(``cp.cooccurrence`` and ``cp.chain`` on ``cp.select_cases`` of the selection).

No browser is attached: the times are the Python side of an update (the counts and the
widget values); drawing in JupyterLab comes on top of them.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import coprodlib as cp
from coprodlib.demo import writer as demo
from coprodlib.explorer.widget import explore

sys.path.insert(0, str(Path(__file__).parent))
from run import write_dataset  # noqa: E402  (the benchmark folder is not a package)


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(label: str, ds: cp.Dataset, repeat: int, baseline: bool) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []

    def row(kind: str, times: list[float], note: str = "") -> None:
        rows.append(
            {
                "data": label,
                "change": kind,
                "median s": f"{statistics.median(times):.3f}",
                "max s": f"{max(times):.3f}",
                "n": str(len(times)),
                "note": note,
            }
        )
        print(f"  {label}: {kind}: median {statistics.median(times):.3f} s, max {max(times):.3f} s")

    start = time.perf_counter()
    view = explore(ds)
    row("build (read once, first view)", [time.perf_counter() - start])
    cases = ds.case_ids
    selections = itertools.cycle(
        [cases[: max(1, len(cases) // 10)], cases[: len(cases) // 2], cases[1:], cases]
    )
    dims = [d for d in ("tension", "effect", "strategy", "value") if d in view.x_widget.options]
    changes: dict[str, Callable[[int], object]] = {
        "cases": lambda k: setattr(view.cases_widget, "value", tuple(next(selections))),
        "x dimension": lambda k: setattr(view.x_widget, "value", dims[(k + 1) % len(dims)]),
        "y dimension": lambda k: setattr(view.y_widget, "value", dims[k % len(dims)]),
        "unit": lambda k: setattr(view.unit_widget, "value", view.unit_widget.options[(k + 1) % 4]),
        "strategy level": lambda k: setattr(
            view.level_widget, "value", cp.STRATEGY_LEVELS[(k + 1) % 2]
        ),
    }
    for kind, change in changes.items():
        row(kind, [seconds(lambda k=k, change=change: change(k)) for k in range(repeat)])
    view.x_widget.value, view.y_widget.value, view.unit_widget.value = (
        "tension",
        "strategy",
        "segment",
    )
    counts = view.counts[view.counts["n"] > 0].sort_values("n", ascending=False)
    cells = list(zip(counts.iloc[:, 0], counts.iloc[:, 1], strict=True))[:repeat]
    row("click a cell (segment)", [seconds(lambda c=c: view.select_cell(*c)) for c in cells])
    view.unit_widget.value = "case"
    row("click a cell (case)", [seconds(lambda c=c: view.select_cell(*c)) for c in cells])
    if baseline:
        some = cases[: len(cases) // 2]

        def pandas_update() -> None:
            sub = cp.select_cases(ds, some)
            cp.cooccurrence(sub, "tension", "strategy")
            cp.chain(sub)

        row(
            "baseline: select_cases + cooccurrence + chain",
            [seconds(pandas_update)],
            "what one update costs without the model",
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args(argv)
    rows = bench("demo", cp.load(), args.repeat, baseline=True)
    if not args.skip_large:
        tmp = Path(tempfile.mkdtemp(prefix="coprod-explorer-bench-"))
        try:
            print("generating the large synthetic dataset ...", flush=True)
            tables = demo.generate_large(seed=1, n_cases=args.cases, n_codings=args.codings)
            write_dataset(tables, tmp / "large")
            del tables
            large = cp.load(tmp / "large")
            label = f"{args.codings:,} codings"
            rows += bench(label, large, args.repeat, baseline=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("| data | change | median s | max s | n | note |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {' | '.join(r.values())} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
