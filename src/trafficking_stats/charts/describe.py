"""``describe``: a plain-language description of what a chart shows, for alt text and sidecar files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import ChartSpec
from .info import ChartInfo, chart_info

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["describe", "describe_info"]


def describe_info(info: ChartInfo) -> str:
    """The description of a :class:`ChartInfo`: "This chart shows ...", then every bound, gap, withheld
    cell, conflict, edition change and consistency verdict drawn, one sentence each."""
    parts = [f"This chart shows {info.summary.strip()}"]
    parts += info.bounds + info.gaps + info.suppressed + info.conflicts + info.vintage_changes + info.verdicts
    text = " ".join(p.strip() for p in parts if p.strip())
    return text.replace("..", ".")


def describe(chart: Figure | ChartSpec, counts: pd.DataFrame | None = None) -> str:
    """Plain-language description of ``chart``: a Figure from a chart function, or a :class:`ChartSpec`
    (drawn from ``counts``, default the processed table, to learn what it shows)."""
    if isinstance(chart, ChartSpec):
        fig = chart.build(counts)
        return describe_info(chart_info(fig))
    return describe_info(chart_info(chart))
