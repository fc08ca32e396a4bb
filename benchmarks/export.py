"""Export time per chart, preset and format, with ratios to a plain matplotlib savefig in the same run.

For each chart and preset the figure is drawn (house style, layout fitting) and saved in each format, as
``trafficking_stats.charts.export`` does. Two times per file:

* ``alone s``: drawing + saving that format, what exporting one file costs;
* ``in set s``: the share of one file when the preset is exported in all three formats, as
  ``trafficking-stats charts`` and ``make run`` do (one drawing, three saves, divided by three).

Before timing, each chart is drawn once at ``web`` and that first ("cold") time is printed: it includes
what a process does once (imports, fonts, the citation table; the hidden-population chart also fits its
capture-recapture models once and keeps the fits for the other presets). The timed runs come after it.

Baseline: a minimal matplotlib figure (one line, same pixel size and dpi) saved in the same format with
``savefig``, measured in the same run; ``ratio`` is ``alone / baseline``. Medians of ``--runs``
repetitions. Target (issue 4): at most 0.5 s per chart, preset and format on this machine; the summary
says how many files meet it by each measure.

    python benchmarks/export.py [--runs 3] [--chart NAME ...] [--preset P ...]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time


def _median_time(fn, runs: int) -> float:
    """Median wall time of ``runs`` calls of ``fn``. The garbage of earlier runs (figures are reference
    cycles) is collected before each call, so that no run pays for another's; the collector stays on
    during the call, as in a real export."""
    times = []
    for _ in range(runs):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    from matplotlib.figure import Figure

    from trafficking_stats import read_counts
    from trafficking_stats.charts import FORMATS, PRESETS, STANDARD_CHARTS, chart_info
    from trafficking_stats.charts.describe import describe_info
    from trafficking_stats.charts.export import figure_bytes
    from trafficking_stats.charts.style import house_style

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--chart", action="append", choices=list(STANDARD_CHARTS))
    ap.add_argument("--preset", action="append", choices=list(PRESETS))
    args = ap.parse_args()
    counts = read_counts()
    charts = args.chart or list(STANDARD_CHARTS)
    presets = args.preset or list(PRESETS)
    cold = {}
    for name in charts:  # first draws: fonts, citations, model fits (reported, not in the timed runs)
        t = time.perf_counter()
        STANDARD_CHARTS[name].build(counts, "web")
        cold[name] = time.perf_counter() - t
    print("first draw of each chart in this process (one-time work included):")
    for name, t in cold.items():
        print(f"  {name:28} {t:6.3f} s")

    def baseline(preset: str, fmt: str) -> float:
        import io

        p = PRESETS[preset]

        def run() -> None:
            fig = Figure(figsize=p.figsize, dpi=p.dpi)
            fig.add_subplot().plot([1, 2, 3], [1, 3, 2])
            fig.savefig(io.BytesIO(), format=fmt, dpi=p.dpi)

        return _median_time(run, args.runs)

    base = {(p, f): baseline(p, f) for p in presets for f in FORMATS}
    print(
        f"{'chart':28} {'preset':16} {'fmt':4} {'draw s':>7} {'save s':>7} {'alone s':>8} {'in set s':>8} "
        f"{'baseline s':>10} {'ratio':>6}"
    )
    alone_all: list[float] = []
    in_set_all: list[float] = []
    for name in charts:
        spec = STANDARD_CHARTS[name]
        for preset in presets:
            draw = _median_time(lambda spec=spec, preset=preset: spec.build(counts, preset), args.runs)
            fig = spec.build(counts, preset)
            info = chart_info(fig)
            desc = describe_info(info)
            saves = {}
            for fmt in FORMATS:
                with house_style(PRESETS[preset]):
                    saves[fmt] = _median_time(
                        lambda fig=fig, fmt=fmt, info=info, desc=desc: figure_bytes(
                            fig, fmt, info.title, desc
                        ),
                        args.runs,
                    )
            in_set = (draw + sum(saves.values())) / len(FORMATS)
            for fmt, save in saves.items():
                alone = draw + save
                alone_all.append(alone)
                in_set_all.append(in_set)
                b = base[(preset, fmt)]
                print(
                    f"{name:28} {preset:16} {fmt:4} {draw:7.3f} {save:7.3f} {alone:8.3f} {in_set:8.3f} "
                    f"{b:10.3f} {alone / b:6.1f}"
                )
    n = len(alone_all)
    print(
        f"files: {n}; alone: slowest {max(alone_all):.3f} s, median {statistics.median(alone_all):.3f} s, "
        f"{sum(t <= 0.5 for t in alone_all)}/{n} within 0.5 s; in a set: slowest {max(in_set_all):.3f} s, "
        f"{sum(t <= 0.5 for t in in_set_all)}/{n} within 0.5 s"
    )


if __name__ == "__main__":
    main()
