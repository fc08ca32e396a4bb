"""Export time as a ratio to plain matplotlib: per chart, preset and format, the package's save of a
chart Figure (``charts.export.figure_bytes``: house style, metadata, the description embedded, PNG at
zlib level ``PNG_LEVEL``) against ``fig.savefig`` of the same Figure at the same size and dpi, in the same
format, measured in the same run, alternating. Both start from a drawn chart; the chart's drawing itself
is the same work for both and is left out.

Target (issue 14): median ratio at most 1.2, worst at most 1.5. Medians of ``--runs`` repetitions;
no absolute time targets (the machine's speed cancels out of the ratio).

    python benchmarks/export.py [--runs 5] [--chart NAME ...] [--preset P ...]
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import time


def _median_time(fn, runs: int) -> float:
    """Median wall time of ``runs`` calls of ``fn``, collecting earlier garbage before each call."""
    times = []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    from trafficking_stats import read_counts
    from trafficking_stats.charts import FORMATS, PRESETS, STANDARD_CHARTS, chart_info
    from trafficking_stats.charts.describe import describe_info
    from trafficking_stats.charts.export import figure_bytes
    from trafficking_stats.charts.style import house_style

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--chart", action="append", choices=list(STANDARD_CHARTS))
    ap.add_argument("--preset", action="append", choices=list(PRESETS))
    args = ap.parse_args()
    counts = read_counts()
    ratios: list[float] = []
    print(f"{'chart':28} {'preset':16} {'fmt':4} {'package s':>9} {'savefig s':>9} {'ratio':>6}")
    for name in args.chart or list(STANDARD_CHARTS):
        for preset in args.preset or list(PRESETS):
            fig = STANDARD_CHARTS[name].build(counts, preset)
            info = chart_info(fig)
            desc = describe_info(info)
            for fmt in FORMATS:
                with house_style(PRESETS[preset]):
                    figure_bytes(fig, fmt, info.title, desc)  # warm: fonts and caches for both
                    pkg: list[float] = []
                    plain: list[float] = []
                    for _ in range(args.runs):  # alternate, so drift hits both alike
                        pkg.append(
                            _median_time(
                                lambda fig=fig, fmt=fmt, t=info.title, d=desc: figure_bytes(fig, fmt, t, d), 1
                            )
                        )
                        plain.append(
                            _median_time(
                                lambda fig=fig, fmt=fmt: fig.savefig(io.BytesIO(), format=fmt, dpi=fig.dpi), 1
                            )
                        )
                a, b = statistics.median(pkg), statistics.median(plain)
                ratios.append(a / b)
                print(f"{name:28} {preset:16} {fmt:4} {a:9.3f} {b:9.3f} {a / b:6.2f}")
    print(
        f"files: {len(ratios)}; ratio to plain savefig: median {statistics.median(ratios):.2f} "
        f"(target <= 1.2), worst {max(ratios):.2f} (target <= 1.5)"
    )


if __name__ == "__main__":
    main()
