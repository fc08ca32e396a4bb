"""Site build time as a ratio to exporting the same charts with the CLI alone, measured in the same run.

* ``site``: ``trafficking-stats site --no-reports --place ...`` (one command: the standard charts at
  every preset and format, each place's metrics as web PNG + SVG with sidecars, and the pages), drawing
  on every core;
* ``CLI``: the same chart files with the commands an advocate would run, one after the other:
  ``trafficking-stats charts`` (every standard chart, preset and format) and, for each place,
  ``trafficking-stats chart --place CODE --preset web --format png --format svg``.

Both run as subprocesses from a cold start, so both pay imports and reading the table. The ratio
``site / CLI`` below 1 means the site costs less than the charts it holds exported one command at a time
(the pages themselves are cheap; both cores draw). ``--places N`` takes the first N places (default 12,
a mix of countries and US states, for a run of a few minutes); ``--all`` every place (slow: a CLI run per
place).

    python benchmarks/site.py [--places 12] [--all]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trafficking_stats.cli", *args], check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--places", type=int, default=12, help="number of places (default 12)")
    ap.add_argument("--all", action="store_true", help="every place (slow)")
    a = ap.parse_args()

    from trafficking_stats import read_counts
    from trafficking_stats.places import places

    found = [p for p in places(read_counts()) if p.metrics]
    if not a.all:  # an even mix: every k-th place, so that countries and US states are both in
        step = max(len(found) // a.places, 1)
        found = found[::step][: a.places]
    codes = [p.code for p in found]
    n_charts = sum(len(p.metrics) for p in found)
    with tempfile.TemporaryDirectory() as tmp:
        t_site = _run(
            [
                "site",
                "--no-reports",
                "--out",
                str(Path(tmp) / "site"),
                *[arg for c in codes for arg in ("--place", c)],
            ]
        )
        out = str(Path(tmp) / "cli")
        t_cli = _run(["charts", "--out", out])
        for c in codes:
            t_cli += _run(
                ["chart", "--place", c, "--preset", "web", "--format", "png", "--format", "svg", "--out", out]
            )
    print(f"places: {len(codes)} ({', '.join(codes)}); place charts: {n_charts}; cores: {os.cpu_count()}")
    print(f"site build (pages + every chart file, all cores):   {t_site:7.1f} s")
    print(f"CLI alone (charts + chart --place per place):      {t_cli:7.1f} s")
    print(f"ratio site / CLI: {t_site / t_cli:.2f}")


if __name__ == "__main__":
    main()
