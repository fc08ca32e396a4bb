"""The ``trafficking-stats mse`` command: a multiple systems estimate from a list-overlap CSV.

Wire it into ``cli.py`` with ``cli_mse.add_parser(sub)``; the handler is :func:`run` (set as ``func``).

``trafficking-stats mse FILE [--method stepwise|aic|bic|main] [--threshold P] [--bootstrap N] [--seed S]
[--alpha A] [--json]`` prints the estimate, the model-conditional interval, the BCa bootstrap interval
(with ``--bootstrap N``), the chosen two-list terms and the observed total. ``--json`` prints one JSON
object with at least ``estimate``, ``interval`` (``[lower, upper]``), ``terms`` (``"A:B"`` strings) and
``observed``, plus ``bootstrap_interval``, ``method``, ``threshold`` and diagnostics.

Exit codes: 0 ok; 2 usage (no such file, bad option); 3 format error and 4 validation error of the CSV
(raised as ``SourceFormatError``/``ValidationError`` and mapped by ``cli.main``); 6 the table is valid
but cannot give an estimate (``EstimationError``: one list, a list holding every case, no MLE, ...).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

__all__ = ["EXIT_ESTIMATION", "add_parser", "run"]

EXIT_OK, EXIT_USAGE, EXIT_ESTIMATION = 0, 2, 6
_METHODS = ("stepwise", "aic", "bic", "main")


def _probability(text: str) -> float:
    v = float(text)
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"{text}: a p-value between 0 and 1 is expected")
    return v


def _level(text: str) -> float:
    v = float(text)
    if not 0 < v < 1:
        raise argparse.ArgumentTypeError(f"{text}: a level strictly between 0 and 1 is expected")
    return v


def _count(text: str) -> int:
    v = int(text)
    if v < 0:
        raise argparse.ArgumentTypeError(f"{text}: a number of resamples >= 0 is expected")
    return v


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``mse`` sub-command to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser(
        "mse",
        help="multiple systems estimate of a population from a list-overlap CSV",
        description="Estimate a population size from overlapping lists (see data/raw/mse/README.md "
        "for the CSV format). Exit code 6: the table cannot give an estimate.",
        epilog="examples:\n  trafficking-stats mse data/raw/mse/uk2013_6lists.csv\n"
        "  trafficking-stats mse data/raw/mse/uk2013_6lists.csv --method aic --bootstrap 1000 --seed 1\n"
        "  trafficking-stats mse data/raw/mse/korea_3lists.csv --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="list-overlap CSV: one 0/1 column per list and 'count'")
    p.add_argument("--method", choices=_METHODS, default="stepwise", help="model choice (default stepwise)")
    p.add_argument(
        "--threshold",
        type=_probability,
        default=None,
        metavar="P",
        help="p-value threshold (stepwise: default 0.02; aic: Wald test, default 0.05)",
    )
    p.add_argument(
        "--bootstrap", type=_count, default=0, metavar="N", help="BCa bootstrap resamples (default 0: none)"
    )
    p.add_argument("--seed", type=int, default=None, metavar="S", help="random seed of the bootstrap")
    p.add_argument(
        "--alpha",
        type=_level,
        default=0.05,
        metavar="A",
        help="two-sided level of the intervals (0.05: 95%%)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)
    return p


def _fmt(v: float | None) -> str:
    return "inf" if v is None or not math.isfinite(v) else f"{v:,.0f}"


def run(args: argparse.Namespace) -> int:
    """Read ``args.file``, estimate, print; returns the exit code."""
    from .errors import EstimationError
    from .mse import estimate_population, read_table

    path = Path(args.file)
    if not path.is_file():
        print(f"error: {args.file}: no such file", file=sys.stderr)
        return EXIT_USAGE
    table = read_table(path)  # format/validation errors propagate to cli.main (exit 3/4)
    try:
        res = estimate_population(
            table,
            method=args.method,
            threshold=args.threshold,
            bootstrap=args.bootstrap,
            seed=args.seed,
            alpha=args.alpha,
        )
    except EstimationError as exc:
        print(f"error: cannot estimate: {exc}", file=sys.stderr)
        return EXIT_ESTIMATION
    if args.json:
        out = res.to_dict()
        out["file"] = str(args.file)
        print(json.dumps(out, indent=2, allow_nan=False))
        return EXIT_OK
    level = f"{100 * (1 - res.alpha):g}%"
    lo, hi = res.interval
    lines = [
        f"{args.file}: {res.observed:,} cases observed on {len(res.lists)} lists ({', '.join(res.lists)})",
        f"method:   {res.method}" + (f" (threshold {res.threshold:g})" if res.threshold is not None else ""),
        f"terms:    {', '.join(res.terms) if res.terms else 'none (main effects only)'}",
        f"estimate: {_fmt(res.estimate)} (dark figure {_fmt(res.dark_figure)})",
        f"{level} interval ({res.interval_method}, given the model): {_fmt(lo)} to {_fmt(hi)}",
    ]
    if res.bootstrap_interval is not None:
        blo, bhi = res.bootstrap_interval
        lines.append(
            f"{level} BCa bootstrap interval ({res.n_bootstrap} resamples, seed {res.seed}): "
            f"{_fmt(blo)} to {_fmt(bhi)}"
        )
    print("\n".join(lines))
    return EXIT_OK
