"""What a chart shows, attached to its Figure, and chart specifications that can be drawn at any preset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["ChartInfo", "ChartSpec", "chart_info"]

_ATTR = "_trafficking_stats_chart"


@dataclass
class ChartInfo:
    """Everything a chart draws, in words and rows: the source of its footer, description and sidecars.

    ``plotted`` holds exactly the normalized-table rows drawn, with ``panel``, ``series``, ``x`` and
    ``drawn_as`` columns added. ``bounds``, ``gaps``, ``conflicts``, ``suppressed``, ``vintage_changes`` and
    ``verdicts`` are sentences about what is drawn; ``notes`` go in the footer, ``details`` only in the
    text sidecar (row notes, definitions).
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

    def footer_text(self, compact: bool = False) -> str:
        """The footer: every cited source of the plotted rows, then the caveat notes.

        ``compact`` (small canvases) uses ``short_notes`` when set; the sources are always all named.
        """
        text = "Sources: " + "; ".join(self.sources) + "."
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


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: a name (used in file names), the chart function and its keyword arguments.

    ``kind`` is ``rescues_and_cases``, ``trend`` or ``compare_reporters``. ``build`` draws it for one
    preset from the normalized table (``trafficking_stats.read_counts()`` when ``counts`` is None).
    """

    name: str
    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, name: str, kind: str, **params: Any) -> ChartSpec:
        return cls(name, kind, tuple(sorted(params.items())))

    def build(
        self,
        counts: pd.DataFrame | None = None,
        preset: str | None = None,
        *,
        allow_small_cells: bool = False,
    ) -> Figure:
        from .compare import compare_reporters
        from .rescues import rescues_and_cases
        from .trend import trend

        functions = {
            "rescues_and_cases": rescues_and_cases,
            "trend": trend,
            "compare_reporters": compare_reporters,
        }
        if self.kind not in functions:
            raise ValueError(f"unknown chart kind {self.kind!r}; known: {', '.join(functions)}")
        if counts is None:
            from ..build import read_counts

            counts = read_counts()
        return functions[self.kind](
            counts, **dict(self.params), preset=preset, allow_small_cells=allow_small_cells
        )
