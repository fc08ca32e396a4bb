"""The small-cell guard: refuse to show a victim breakdown cell below 5 unless the caller allows it.

A *victim breakdown cell* is a figure of a victim metric (:data:`VICTIM_METRICS`) for a breakdown other
than ``total`` (``age=minor;sex=female``, ``nationality=...``). A published count of 0 to 4 such victims
in one place and year can identify people, so charts and exports refuse it. Cells the publisher already
suppressed (``<5``, drawn as a hatched 0-4 band) show nothing more than the publisher did and pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TraffickingStatsError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SMALL_CELL_THRESHOLD", "VICTIM_METRICS", "SmallCellError", "check_small_cells"]

#: Cells with a value below this are small.
SMALL_CELL_THRESHOLD = 5

#: Metrics that count victims (persons or reports about persons).
VICTIM_METRICS: frozenset[str] = frozenset(
    {
        "victims_rescued",
        "victims_identified",
        "victims_referred",
        "victims_served",
        "hotline_victims",
        "victim_reports",
        "victims_recorded",
    }
)


class SmallCellError(TraffickingStatsError):
    """A chart or export would show a victim breakdown cell below :data:`SMALL_CELL_THRESHOLD`."""


def small_cells(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``rows`` that are victim breakdown cells with a published value below the threshold."""
    broken_down = rows["breakdown"].astype("str") != "total"
    if not broken_down.any():  # totals only (every place chart): nothing to check further
        return rows.iloc[:0]
    victim = rows["metric"].astype("str").isin(VICTIM_METRICS)
    value = rows["value"].astype("Float64")
    small = (value < SMALL_CELL_THRESHOLD).fillna(False)
    bad = (victim & broken_down & small).to_numpy(dtype=bool)
    return rows[bad] if bad.any() else rows.iloc[:0]


def check_small_cells(rows: pd.DataFrame, allow_small_cells: bool = False) -> None:
    """Raise :class:`SmallCellError` naming the cells if ``rows`` hold any small victim breakdown cell."""
    if allow_small_cells:
        return
    bad = small_cells(rows)
    if bad.empty:
        return
    shown = [
        f"{r.geo_code} {r.year if str(r.year) != '<NA>' else r.period_start} {r.metric} [{r.breakdown}] = "
        f"{float(r.value):g} ({r.figure_id})"
        for r in bad.head(5).itertuples()
    ]
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    raise SmallCellError(
        f"refusing to show {len(bad)} victim breakdown cell(s) below {SMALL_CELL_THRESHOLD}, which could "
        f"identify people: {'; '.join(shown)}{more}. Choose another breakdown, or pass "
        "allow_small_cells=True (--allow-small-cells) if publishing them is safe."
    )
