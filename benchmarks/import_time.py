"""Import time of trafficking_stats as a ratio of `import pandas`, measured in the same run.

Each statement runs in a fresh interpreter (subprocesses of this one process), several times, interleaved;
the bare interpreter start-up (`pass`) is subtracted and the medians are compared. Target (issue 2):
`import trafficking_stats` at most 1.2 x `import pandas`. Also reports the first real use, reading the
processed table, against reading the same parquet file with plain pandas.

    python benchmarks/import_time.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARQUET = ROOT / "data" / "processed" / "counts.parquet"

STATEMENTS = {
    "bare": "pass",
    "pandas": "import pandas",
    "trafficking_stats": "import trafficking_stats",
    "pandas+read_parquet": f"import pandas as pd; pd.read_parquet({str(PARQUET)!r})",
    "ts.read_counts": "import trafficking_stats as ts; ts.read_counts()",
}


def time_once(stmt: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", stmt], check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    args = ap.parse_args()
    samples: dict[str, list[float]] = {k: [] for k in STATEMENTS}
    for stmt in STATEMENTS.values():  # warm the file cache once
        time_once(stmt)
    for _ in range(args.runs):
        for k, stmt in STATEMENTS.items():
            samples[k].append(time_once(stmt))
    med = {k: statistics.median(v) for k, v in samples.items()}
    bare = med["bare"]
    net = {k: max(v - bare, 1e-9) for k, v in med.items()}
    print(f"median of {args.runs} runs, interpreter start-up ({bare * 1000:.0f} ms) subtracted")
    for k in STATEMENTS:
        if k != "bare":
            print(f"  {k:22s} {net[k] * 1000:8.1f} ms")
    r1 = net["trafficking_stats"] / net["pandas"]
    r2 = net["ts.read_counts"] / net["pandas+read_parquet"]
    print(f"import trafficking_stats / import pandas          = {r1:.2f}  (target <= 1.2)")
    print(f"ts.read_counts() / pandas.read_parquet (cold)     = {r2:.2f}")


if __name__ == "__main__":
    main()
