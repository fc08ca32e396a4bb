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


def _add_output_options(p: argparse.ArgumentParser) -> None:
    """``--preset``, ``--format`` and ``--out``: the options every chart-exporting command shares."""
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


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``charts`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(
        "charts",
        help="export the standard charts (PNG/SVG/PDF with CSV and description sidecars)",
        description="Export charts at presets and formats; default: every standard chart, preset and format.",
        epilog="examples:\n  trafficking-stats charts --out exports\n"
        "  trafficking-stats charts --chart us-offenses-trend --preset social-square --format png\n\n"
        "For a country or US state, see `trafficking-stats chart --place CODE` (`chart --list`).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--chart",
        action="append",
        choices=_CHART_NAMES,
        metavar="NAME",
        help=f"chart to export (repeatable; default all): {', '.join(_CHART_NAMES)}",
    )
    _add_output_options(p)
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
    if not args.allow_small_cells:  # what `site --charts-from` may reuse (make run: site from exports/)
        from .charts.keys import record_keys, standard_chart_key

        record_keys(Path(args.out), written, standard_chart_key())
    print(
        f"wrote {len(written)} files ({len(charts)} charts x {len(presets)} presets x {len(formats)} formats "
        f"+ CSV and text sidecars) into {args.out}"
    )
    return EXIT_OK


_PLACE_EPILOG = """\
examples:
  trafficking-stats chart --list                      list every place and its metrics
  trafficking-stats chart --place US-TX               every metric of Texas, every preset and format
  trafficking-stats chart --place NGA --metric victims_identified --preset social-square --format png
  trafficking-stats chart --place GBR --out talk/     the United Kingdom, into talk/

places: ISO 3166-1 alpha-3 country codes (NGA, GBR, USA, ...; every country of UNODC's GLOTIP data) and
ISO 3166-2 US state codes (US-TX, US-CA, ...; every state of the FBI data): `--list` prints them all with
their metrics. metrics: those with yearly whole-place figures for the place (see `--list`).
presets: {presets}. formats: {formats}.
Files: place-CODE-METRIC.PRESET.png|svg|pdf, with .csv (the plotted rows) and .txt (the description).
"""


def add_place_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``chart`` sub-command (the chart of one place) to ``subparsers``."""
    p = subparsers.add_parser(
        "chart",
        help="export the chart of one place (a country or US state): every metric, preset and format",
        description="Export the chart of a place page: each metric the table has for the place over the "
        "years, every reporter side by side (never added), with the same CSV and description sidecars as "
        "the standard charts.",
        epilog=_PLACE_EPILOG.format(presets=", ".join(_PRESET_NAMES), formats=", ".join(_FORMATS)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--place", metavar="CODE", help="place code: NGA, GBR, US-TX, ... (see --list)")
    p.add_argument(
        "--metric",
        action="append",
        metavar="M",
        help="metric (repeatable; default: every metric the place has, see --list)",
    )
    _add_output_options(p)
    p.add_argument("--list", action="store_true", help="list the places and their metrics, then stop")
    p.add_argument(
        "--allow-small-cells",
        action="store_true",
        help="allow victim breakdown cells below 5 (privacy guard off)",
    )
    p.set_defaults(func=run_place)
    return p


def _list_places(counts: Any, code: str | None) -> int:
    from .places import place, places

    chosen = [place(counts, code)] if code else places(counts)
    for pl in chosen:
        extra = f"; by breakdown only: {', '.join(pl.breakdown_only)}" if pl.breakdown_only else ""
        metrics = ", ".join(pl.metrics) if pl.metrics else "(no whole-place figures)"
        print(f"{pl.code}\t{pl.name}\t{pl.group}\t{metrics}{extra}")
    return EXIT_OK


def run_place(args: argparse.Namespace) -> int:
    """Export the charts of one place (or list the places). Returns the exit code."""
    from .build import read_counts
    from .places import place

    counts = read_counts()
    if args.list:
        try:
            return _list_places(counts, args.place)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if not args.place:
        print("error: give --place CODE (or --list to see the places)", file=sys.stderr)
        return EXIT_USAGE
    try:
        pl = place(counts, args.place)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    metrics = args.metric or list(pl.metrics)
    unknown = [m for m in metrics if m not in pl.metrics]
    if unknown or not metrics:
        have = ", ".join(pl.metrics) or "none"
        print(
            f"error: {pl.name} ({pl.code}) has no yearly whole-place figures of "
            f"{', '.join(unknown) or 'any metric'}"
            f"; its metrics: {have}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from .charts import SmallCellError, export
    from .charts.catalog import place_spec

    presets = args.preset or list(_PRESET_NAMES)
    formats = args.formats or list(_FORMATS)
    written: list[Path] = []
    for m in metrics:
        try:
            res = export(
                place_spec(pl.code, m),
                counts,
                presets=presets,
                formats=formats,
                out_dir=args.out,
                allow_small_cells=args.allow_small_cells,
            )
        except SmallCellError as exc:
            print(f"error: {pl.code} {m}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        written += [p for r in res for p in r.paths]
    print(
        f"wrote {len(written)} files ({pl.name}: {len(metrics)} metrics x {len(presets)} presets x "
        f"{len(formats)} formats + CSV and text sidecars) into {args.out}"
    )
    return EXIT_OK
