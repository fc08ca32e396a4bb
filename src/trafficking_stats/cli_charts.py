"""The ``trafficking-stats charts`` command: export the standard charts at presets and formats.

Wire it into ``cli.py`` with ``cli_charts.add_parser(sub)``; the handler is :func:`run` (set as ``func``).
A refusal of the small-cell guard prints the message and returns exit code 2 (usage: re-run with
``--allow-small-cells`` if publishing is safe).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_USAGE = 0, 2

# Kept here (not imported from the charts subpackage) so that building the parser does not import matplotlib.
_CHART_NAMES = (
    "fresno-rescues-and-cases",
    "us-offenses-trend",
    "us-offenses-by-source",
    "mexico-convictions-trend",
    "uk-2013-hidden-population",
)
_PRESET_NAMES = (
    "social-square",
    "social-portrait",
    "social-wide",
    "slide",
    "web",
    "print-letter",
    "print-a4",
)
_FORMATS = ("png", "svg", "pdf")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``charts`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(
        "charts",
        help="export the standard charts (PNG/SVG/PDF with CSV and description sidecars)",
        description="Export charts at presets and formats; default: every standard chart, preset and format.",
    )
    p.add_argument(
        "--chart",
        action="append",
        choices=_CHART_NAMES,
        metavar="NAME",
        help=f"chart to export (repeatable; default all): {', '.join(_CHART_NAMES)}",
    )
    p.add_argument(
        "--preset",
        action="append",
        choices=_PRESET_NAMES,
        metavar="P",
        help=f"size preset (repeatable; default all): {', '.join(_PRESET_NAMES)}",
    )
    p.add_argument(
        "--format",
        action="append",
        choices=_FORMATS,
        metavar="F",
        dest="formats",
        help="file format (repeatable; default all): png, svg, pdf",
    )
    p.add_argument(
        "--out", type=Path, default=Path("exports"), metavar="DIR", help="output folder (default: exports/)"
    )
    p.add_argument(
        "--allow-small-cells",
        action="store_true",
        help="allow victim breakdown cells below 5 (privacy guard off)",
    )
    p.set_defaults(func=run)
    return p


def _progress(done: int, total: int, label: str) -> None:
    width = 28
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Export the chosen charts; prints the files written. Returns the exit code."""
    from .build import read_counts
    from .charts import STANDARD_CHARTS, SmallCellError, export

    charts = args.chart or list(STANDARD_CHARTS)
    presets = args.preset or list(_PRESET_NAMES)
    formats = args.formats or list(_FORMATS)
    # charts of a list table (kind hidden_population) do not need the normalized table
    counts = read_counts() if any(STANDARD_CHARTS[n].uses_counts for n in charts) else None
    tty = sys.stderr.isatty()
    total = len(charts) * len(presets)
    done = 0
    written: list[Path] = []
    for name in charts:
        for preset in presets:
            if tty:
                _progress(done, total, f"{name} {preset}")
            try:
                res = export(
                    STANDARD_CHARTS[name],
                    counts,
                    presets=[preset],
                    formats=formats,
                    out_dir=args.out,
                    allow_small_cells=args.allow_small_cells,
                )
            except SmallCellError as exc:
                if tty:
                    sys.stderr.write("\n")
                print(f"error: {name}: {exc}", file=sys.stderr)
                return EXIT_USAGE
            written += [p for r in res for p in r.paths]
            done += 1
    if tty:
        _progress(done, total, "done")
    print(
        f"wrote {len(written)} files ({len(charts)} charts x {len(presets)} presets x {len(formats)} formats "
        f"+ CSV and text sidecars) into {args.out}"
    )
    return EXIT_OK
