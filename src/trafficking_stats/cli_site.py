"""The ``trafficking-stats site`` command: write the static chart gallery web site."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["add_parser", "run"]

EXIT_OK, EXIT_USAGE = 0, 2

_EPILOG = """\
examples:
  trafficking-stats site                       the whole site into site/ (open site/index.html)
  trafficking-stats site --out public          into public/ (for any static host)
  trafficking-stats site --place NGA --place US-TX   only these place pages (quick preview)
  trafficking-stats site --charts-from exports  reuse the standard charts `charts --out exports` wrote

The site needs no server: every link is relative and every asset local. `trafficking-stats chart --list`
lists the places.
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``site`` sub-command to ``subparsers``."""
    p = subparsers.add_parser(
        "site",
        help="write the static chart gallery web site (index, chart pages, place pages, reports)",
        description="Write a static web site from data/processed/: the standard charts with every download, "
        "a page per place, and the notebooks' reports.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--out", type=Path, default=Path("site"), metavar="DIR", help="output folder (default: site/)"
    )
    p.add_argument(
        "--place",
        action="append",
        metavar="CODE",
        help="build only these place pages (repeatable; default all)",
    )
    p.add_argument(
        "--notebooks",
        type=Path,
        default=Path("notebooks"),
        metavar="DIR",
        help="folder of NN-*.ipynb rendered as report pages (default: notebooks/)",
    )
    p.add_argument("--no-reports", action="store_true", help="leave out the notebooks' reports")
    p.add_argument(
        "--redraw",
        action="store_true",
        help="draw every chart again (default: reuse place charts whose inputs and code are unchanged)",
    )
    p.add_argument(
        "--charts-from",
        type=Path,
        default=None,
        metavar="DIR",
        help="take the standard charts' files from DIR where `trafficking-stats charts --out DIR` exported "
        "them from the same data and code (make run: exports/), instead of drawing them again",
    )
    p.add_argument(
        "--workers", type=int, default=None, metavar="N", help="drawing processes (default: cores)"
    )
    p.set_defaults(func=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Build the site; prints what was written. Returns the exit code."""
    from .site import build_site

    t0 = time.perf_counter()
    try:
        res = build_site(
            args.out,
            place_codes=args.place,
            notebooks=None if args.no_reports else args.notebooks,
            workers=args.workers,
            reuse=not args.redraw,
            charts_from=args.charts_from,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if res.skipped_reports:
        print(f"note: {res.skipped_reports}", file=sys.stderr)
    print(
        f"wrote {len(res.pages)} pages and {res.files} chart files ({res.reused} reused) into {args.out} "
        f"in {time.perf_counter() - t0:.0f} s; open {args.out}/index.html"
    )
    if res.workers:
        print(
            f"drawing: {res.draw_cpu:.0f} s of CPU on {res.workers} worker process(es) "
            f"in {res.draw_wall:.0f} s"
        )
    return EXIT_OK
