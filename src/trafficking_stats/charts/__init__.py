"""Charts and exports of the normalized table (imports matplotlib; ``import trafficking_stats`` does not).

::

    from trafficking_stats import read_counts
    from trafficking_stats.charts import rescues_and_cases, trend, compare_reporters, describe, export

    counts = read_counts()
    fig = rescues_and_cases(counts, "US-CA-fresno", preset="social-square")   # a matplotlib Figure
    print(describe(fig))                                                     # "This chart shows ..."
    fig = hidden_population("uk2013_6lists", preset="web")   # known vs estimated victims (a list table)
    export(STANDARD_CHARTS["fresno-rescues-and-cases"], counts, presets=["social-square"], out_dir="exports")

Chart functions never call ``plt.show()`` and apply the house style inside a context manager only.
"""

from __future__ import annotations

from .catalog import KINDS, STANDARD_CHARTS, ChartKind, ChartSpec, place_spec, register
from .collections import police_collections
from .compare import compare_reporters
from .describe import describe
from .export import FORMATS, ExportResult, export
from .hidden import hidden_population
from .info import ChartInfo, chart_info
from .inline import preset_of, show
from .place import place_chart
from .presets import DEFAULT_PRESET, PRESETS, Preset
from .privacy import SMALL_CELL_THRESHOLD, SmallCellError
from .rescues import rescues_and_cases
from .style import OKABE_ITO
from .trend import trend

__all__ = [
    "DEFAULT_PRESET",
    "FORMATS",
    "KINDS",
    "OKABE_ITO",
    "PRESETS",
    "SMALL_CELL_THRESHOLD",
    "STANDARD_CHARTS",
    "ChartInfo",
    "ChartKind",
    "ChartSpec",
    "ExportResult",
    "Preset",
    "SmallCellError",
    "chart_info",
    "compare_reporters",
    "describe",
    "export",
    "hidden_population",
    "place_chart",
    "place_spec",
    "police_collections",
    "preset_of",
    "register",
    "rescues_and_cases",
    "show",
    "trend",
]
