"""Speed of the MSE stepwise estimate with a BCa bootstrap, against one plain statsmodels GLM fit.

The table is the eight-list New Orleans table (``data/raw/mse/new_orleans_8lists_185.csv``, 185 cases,
255 observable patterns). ``--runs`` times (median reported):

* ``mse``: ``estimate_population(table, "stepwise", bootstrap=N, seed=S)``: the stepwise model choice on
  the data, on each of ``N`` multinomial resamples (default 1,000) and on the 19 jackknife tables, then the
  BCa interval;
* ``baseline``: one ``statsmodels.api.GLM(y, X, family=Poisson()).fit()`` of the main-effects model on the
  same 255 patterns (design built beforehand, not timed), repeated ``--baseline-reps`` times to time it.

Prints the seconds, resamples per second, the time of one baseline fit, and the ratio "mse time / one
baseline fit" (how many plain GLM fits the whole bootstrap costs). Target (issue 7): at most 20 s for
1,000 resamples on the project's 2-core machine.

    python benchmarks/mse.py [--bootstrap 1000] [--runs 1] [--seed 1] [--baseline-reps 200]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "data" / "raw" / "mse" / "new_orleans_8lists_185.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline-reps", type=int, default=200)
    args = ap.parse_args()

    import statsmodels.api as sm

    from trafficking_stats.mse import estimate_population, read_table
    from trafficking_stats.mse.models import design

    table = read_table(TABLE)
    counts = table.cell_counts().astype(float)
    x, keep, _, _ = design(counts, table.n_lists, ())
    y = counts[keep]

    t0 = time.perf_counter()
    for _ in range(args.baseline_reps):
        sm.GLM(y, np.array(x), family=sm.families.Poisson()).fit()
    one_fit = (time.perf_counter() - t0) / args.baseline_reps

    times = []
    res = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        res = estimate_population(table, "stepwise", bootstrap=args.bootstrap, seed=args.seed)
        times.append(time.perf_counter() - t0)
    assert res is not None
    med = statistics.median(times)
    lo, hi = res.bootstrap_interval or (float("nan"), float("nan"))
    print(f"table: {TABLE.relative_to(ROOT)} ({table.observed} cases, {table.n_lists} lists)")
    terms = ", ".join(res.terms) or "-"
    print(f"estimate {res.estimate:,.1f}, terms {terms}; BCa 95% {lo:,.0f} to {hi:,.0f}")
    print(f"mse stepwise + {args.bootstrap} BCa resamples: {med:.2f} s (median of {args.runs})")
    print(f"  {args.bootstrap / med:,.0f} resamples per second; {res.bootstrap_failed} resamples left out")
    print(f"baseline: one statsmodels GLM main-effects fit: {one_fit * 1000:.2f} ms")
    print(f"ratio mse / one baseline fit: {med / one_fit:,.0f}")
    print(f"target: at most 20 s -> {'met' if med <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
