"""What a chart shows (:class:`ChartInfo`), attached to the Figure a chart function returns.

The bottom of ``charts/``: chart modules import it; nothing here imports a chart module."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .labels import CitationInfo

__all__ = ["CSV_COLUMNS", "ChartInfo", "attach", "chart_info"]

#: Columns of the sidecar CSV, in order.
CSV_COLUMNS: tuple[str, ...] = (
    "panel",
    "series",
    "x",
    "drawn_as",
    "figure_id",
    "dataset",
    "reporter",
    "reporter_type",
    "geo_code",
    "geo_name",
    "metric",
    "breakdown",
    "period_start",
    "period_end",
    "year",
    "value",
    "qualifier",
    "value_low",
    "value_high",
    "unit",
    "vintage",
    "conflict_group",
    "citation",
    "citation_publisher",
    "citation_title",
    "citation_published",
    "citation_url",
    "quote",
    "note",
)

_ATTR = "_trafficking_stats_chart"


@dataclass
class ChartInfo:
    """Everything a chart draws, in words and rows: the source of its footer, description and sidecars.

    ``plotted`` holds exactly the normalized-table rows drawn, with ``panel``, ``series``, ``x`` and
    ``drawn_as`` columns added (charts not drawn from the table give rows with the sidecar CSV's columns,
    :data:`~.export.CSV_COLUMNS`, filled where they apply). ``bounds``, ``gaps``, ``conflicts``,
    ``suppressed``, ``vintage_changes`` and ``verdicts`` are sentences about what is drawn; ``notes`` go
    in the footer, ``details`` only in the text sidecar (row notes, definitions). ``references`` holds the
    cited documents whose keys are not in ``data/processed/citations.csv`` (e.g. the papers that
    published a list table), by key. ``views`` names parts of the canvas (x0, y0, x1, y1 in inches from
    the bottom left), written into exported SVGs as ``<view>`` elements: ``NAME.svg#panel`` shows only
    the panel with its axes, which a page shows on a phone (the title and notes are in the page's text).
    """

    kind: str
    title: str
    subtitle: str
    summary: str
    plotted: pd.DataFrame
    citations: list[str]
    sources: list[str]
    notes: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    bounds: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    vintage_changes: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    short_notes: list[str] | None = None
    footer: str = ""
    references: dict[str, CitationInfo] = field(default_factory=dict)
    views: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)

    def citation(self, key: str) -> CitationInfo:
        """The cited document ``key``: from ``references``, else from ``data/processed/citations.csv``."""
        from .labels import citation_info

        return self.references.get(key) or citation_info(key)

    def footer_text(self, compact: bool = False, notes: list[str] | None = None) -> str:
        """The footer: every cited source of the plotted rows, then the caveat notes (``notes`` if given).

        ``compact`` (screen presets: fewer words, not smaller type) names each publisher once, short, and
        uses ``short_notes`` when set; the full list of documents is in the description and sidecars.
        """
        if compact:
            from .labels import short_publisher

            names = list(
                dict.fromkeys(short_publisher(self.citation(k).publisher).rstrip(".") for k in self.citations)
            )
            text = ("Source: " if len(names) == 1 else "Sources: ") + "; ".join(names) + "."
        else:
            text = ("Source: " if len(self.sources) == 1 else "Sources: ") + "; ".join(self.sources) + "."
        if notes is None:
            notes = self.short_notes if compact and self.short_notes is not None else self.notes
        if notes:
            text += "\n" + " ".join(notes)
        return text


def attach(fig: Figure, info: ChartInfo) -> None:
    setattr(fig, _ATTR, info)


def chart_info(fig: Figure) -> ChartInfo:
    """The :class:`ChartInfo` of a Figure made by a trafficking-stats chart function."""
    info = getattr(fig, _ATTR, None)
    if info is None:
        raise ValueError("this Figure was not made by a trafficking_stats.charts function")
    return info
