"""trafficking-stats: cited, normalized statistics on human trafficking.

The public API::

    import trafficking_stats as ts
    counts = ts.read_counts()                 # the normalized table (data/processed/counts.parquet)
    ts.METRICS["victims_rescued"]             # what a metric means
    ts.parse_count("over 230")                # Count(value=230.0, qualifier='over', low=230.0, high=None)
    result = ts.load("published", "data/raw/published_figures.csv")  # one file through one loader
    ts.build()                                # raw -> processed, validated, deterministic

Importing the package is cheap: pandas and pyarrow are imported when a function needs them, and
matplotlib/seaborn only by the charts subpackage.
"""

from __future__ import annotations

from pathlib import Path

from .build import BuildResult, build, read_conflicts, read_counts
from .counts import Count, format_count, parse_count
from .errors import CountParseError, SourceFormatError, TraffickingStatsError, ValidationError
from .schema import METRICS, validate
from .sources import LoadResult, registry

__version__ = "0.1.0"


def load(source: str, path: str | Path) -> LoadResult:
    """Normalize one file with one source's loader (no validation); see ``trafficking-stats load``."""
    from .sources import get

    return get(source).load(Path(path))


def sources() -> dict[str, object]:
    """Every registered source's metadata by id."""
    return {k: v.info for k, v in registry().items()}


__all__ = [
    "METRICS",
    "BuildResult",
    "Count",
    "CountParseError",
    "LoadResult",
    "SourceFormatError",
    "TraffickingStatsError",
    "ValidationError",
    "__version__",
    "build",
    "format_count",
    "load",
    "parse_count",
    "read_conflicts",
    "read_counts",
    "sources",
    "validate",
]
