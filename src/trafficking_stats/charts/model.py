"""What a chart shows, attached to its Figure, and chart specifications that can be drawn at any preset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from .labels import CitationInfo

__all__ = ["COUNTS_KINDS", "INPUT_KINDS", "ChartInfo", "ChartSpec", "chart_info"]

#: Chart kinds drawn from the normalized table (their function takes it as first argument).
COUNTS_KINDS: tuple[str, ...] = ("rescues_and_cases", "trend", "compare_reporters")
#: Chart kinds drawn from inputs named in their parameters (e.g. a list table file); they ignore the table.
INPUT_KINDS: tuple[str, ...] = ("hidden_population",)

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
    published a list table), by key.
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

    def citation(self, key: str) -> CitationInfo:
        """The cited document ``key``: from ``references``, else from ``data/processed/citations.csv``."""
        from .labels import citation_info

        return self.references.get(key) or citation_info(key)

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

    ``kind`` is one of :data:`COUNTS_KINDS` (``rescues_and_cases``, ``trend``, ``compare_reporters``:
    drawn from the normalized table) or :data:`INPUT_KINDS` (``hidden_population``: drawn from the list
    table named in its parameters). ``build`` draws it for one preset; kinds of the table use ``counts``
    (``trafficking_stats.read_counts()`` when None), the others ignore it.
    """

    name: str
    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def uses_counts(self) -> bool:
        """Whether the chart is drawn from the normalized table (``counts``)."""
        return self.kind in COUNTS_KINDS

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
        from .hidden import hidden_population
        from .rescues import rescues_and_cases
        from .trend import trend

        functions = {
            "rescues_and_cases": rescues_and_cases,
            "trend": trend,
            "compare_reporters": compare_reporters,
            "hidden_population": hidden_population,
        }
        if self.kind not in functions:
            raise ValueError(f"unknown chart kind {self.kind!r}; known: {', '.join(functions)}")
        if not self.uses_counts:  # no victim breakdown cells: the small-cell guard does not apply
            return functions[self.kind](**dict(self.params), preset=preset)
        if counts is None:
            from ..build import read_counts

            counts = read_counts()
        return functions[self.kind](
            counts, **dict(self.params), preset=preset, allow_small_cells=allow_small_cells
        )
