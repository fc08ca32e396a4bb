"""The catalogue of charts: every chart kind by name, :class:`ChartSpec`, and the standard set of charts
exported by ``trafficking-stats charts`` (and ``make run``).

Imports run one way: this module sits above the chart modules (``rescues``, ``trend``, ``compare``,
``hidden``) and registers them; they import only the layers below them (``info``, ``draw``, ``style``,
``common``, ``labels``), never this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .collections import police_collections
from .compare import compare_reporters
from .hidden import hidden_population
from .place import place_chart
from .rescues import rescues_and_cases
from .trend import trend

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "COUNTS_KINDS",
    "INPUT_KINDS",
    "KINDS",
    "STANDARD_CHARTS",
    "ChartKind",
    "ChartSpec",
    "place_spec",
    "register",
]


@dataclass(frozen=True)
class ChartKind:
    """A chart function and where it draws from: the normalized table (``uses_counts``; the function takes
    it as first argument and accepts ``allow_small_cells``) or inputs named in its parameters."""

    name: str
    function: Callable[..., Figure]
    uses_counts: bool


#: Every chart kind by name. Add one with :func:`register`.
KINDS: dict[str, ChartKind] = {}


def register(name: str, function: Callable[..., Figure], *, uses_counts: bool = True) -> ChartKind:
    """Add a chart kind to :data:`KINDS` (a new name only) and return it."""
    if name in KINDS:
        raise ValueError(f"chart kind {name!r} is already registered")
    KINDS[name] = kind = ChartKind(name, function, uses_counts)
    return kind


register("rescues_and_cases", rescues_and_cases)
register("trend", trend)
register("compare_reporters", compare_reporters)
register("hidden_population", hidden_population, uses_counts=False)
register("police_collections", police_collections)
register("place", place_chart)

#: Chart kinds drawn from the normalized table (their function takes it as first argument).
COUNTS_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if v.uses_counts)
#: Chart kinds drawn from inputs named in their parameters (e.g. a list table file); they ignore the table.
INPUT_KINDS: tuple[str, ...] = tuple(k for k, v in KINDS.items() if not v.uses_counts)


@dataclass(frozen=True)
class ChartSpec:
    """A chart to draw: a name (used in file names), the chart kind (a key of :data:`KINDS`) and its
    keyword arguments. ``build`` draws it for one preset; kinds of the table use ``counts``
    (``trafficking_stats.read_counts()`` when None), the others ignore it.
    """

    name: str
    kind: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def uses_counts(self) -> bool:
        """Whether the chart is drawn from the normalized table (``counts``)."""
        return self._kind().uses_counts

    def _kind(self) -> ChartKind:
        try:
            return KINDS[self.kind]
        except KeyError:
            raise ValueError(f"unknown chart kind {self.kind!r}; known: {', '.join(KINDS)}") from None

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
        """The chart drawn at ``preset`` (a matplotlib Figure)."""
        kind = self._kind()
        if not kind.uses_counts:  # no victim breakdown cells: the small-cell guard does not apply
            return kind.function(**dict(self.params), preset=preset)
        if counts is None:
            from ..build import read_counts

            counts = read_counts()
        return kind.function(counts, **dict(self.params), preset=preset, allow_small_cells=allow_small_cells)


STANDARD_CHARTS: dict[str, ChartSpec] = {
    s.name: s
    for s in (
        ChartSpec.of(
            "fresno-rescues-and-cases",
            "rescues_and_cases",
            geo_code="US-CA-fresno",
            claim="the number of cases has been consistent",
        ),
        ChartSpec.of(
            "us-offenses-trend", "trend", metric="offenses_actual", geo_code="USA", dataset="fbi_cde"
        ),
        ChartSpec.of("us-offenses-by-source", "compare_reporters", metric="offenses_actual", geo_code="USA"),
        ChartSpec.of("mexico-convictions-trend", "trend", metric="convictions", geo_code="MEX"),
        ChartSpec.of("uk-2013-hidden-population", "hidden_population", table="uk2013_6lists"),
    )
}


def place_spec(geo_code: str, metric: str) -> ChartSpec:
    """The chart of one place page: ``metric`` for ``geo_code``, every reporter side by side (kind
    ``place``), named ``place-CODE-METRIC`` in file names."""
    return ChartSpec.of(f"place-{geo_code}-{metric}", "place", geo_code=geo_code, metric=metric)
