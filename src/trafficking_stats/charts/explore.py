"""Exploratory small multiples for analysts, drawn with seaborn: quick looks, not the standard charts.

::

    from trafficking_stats import read_counts
    from trafficking_stats.charts.explore import (
        fbi_offenses_and_agencies, glotip_small_multiples, nrm_heatmap)

    counts = read_counts()
    g = glotip_small_multiples(counts, by="sex")            # seaborn FacetGrid, one facet per UNODC region
    fig = nrm_heatmap(counts, by="first_responder", source="NRM referrals by nationality")  # a Figure
    g = fbi_offenses_and_agencies(counts)                   # offenses above agencies reporting, per state

The functions take the normalized table (:func:`trafficking_stats.read_counts`), return a seaborn
``FacetGrid`` or a matplotlib ``Figure`` made through pyplot (so ``plt.show()`` shows it; close it with
``plt.close(fig)`` in scripts), and never call ``plt.show()`` themselves. In the project's notebooks,
:func:`show` displays one as PNG with :func:`describe`'s sentence as its text form (what nbval
compares; the inline backend's text form would be ``<Figure size ...>``). A FacetGrid's
``data`` is the tidy frame it drew, with a ``drawn_as`` column. Colours are the house Okabe-Ito ones
(:mod:`.style`); other settings come from a temporary seaborn ``ticks`` style (global rc is left alone).

**How hedges stay honest.** Given the ``value`` column, seaborn would draw every row as a number: a
suppressed ``<5`` cell (``value`` NA) silently dropped with the line drawn straight across it, or read as 0
or 5 if filled in; "over 230" as an exact 230. Here :func:`hedged_frame` first classifies each row
(``drawn_as``), and only the rows drawn as ``exact`` reach seaborn (``lineplot`` with
``estimator=None``), split by ``units`` into runs of consecutive exact years, so a line never crosses a
withheld, hedged or missing year. The other rows are drawn by :func:`draw_hedges` as what they are:

* ``withheld``: a hatched band from 0 to 4 (``"withheld (<5)"`` in the legend); in the heatmap a masked
  cell with hatching. No number is drawn.
* ``lower bound`` / ``upper bound`` (``over``, ``at_least`` / ``under``, ``at_most``): an open triangle
  pointing the way the truth lies, never joined to a line.
* ``interval`` (``range``, and sums that include withheld cells): a shaded band from low to high.
* ``approximate``: an open diamond.

**Privacy.** A victim breakdown cell below 5 (:mod:`.privacy`) is drawn as withheld, as if the publisher
had suppressed it, unless the caller passes ``allow_small_cells=True``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import accumulate, pairwise
from typing import TYPE_CHECKING

from .labels import metric_name
from .privacy import SMALL_CELL_THRESHOLD, SmallCellError, small_cells
from .style import INK, MUTED, OKABE_ITO, SERIES_COLORS

if TYPE_CHECKING:
    import pandas as pd
    import seaborn as sns
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DRAWN_AS",
    "WITHHELD_LABEL",
    "describe",
    "draw_hedges",
    "fbi_offenses_and_agencies",
    "glotip_small_multiples",
    "hedged_frame",
    "nrm_heatmap",
    "show",
]

#: How each kind of row is drawn (the ``drawn_as`` column), in legend order.
DRAWN_AS: dict[str, str] = {
    "exact": "exact (filled point, line)",
    "interval": "range (band)",
    "lower bound": "lower bound (open ▲)",
    "upper bound": "upper bound (open ▼)",
    "approximate": "approximate (open ◆)",
    "withheld": "withheld (<5)",
}
#: The legend label of a withheld cell.
WITHHELD_LABEL = DRAWN_AS["withheld"]
_WITHHELD_TOP = SMALL_CELL_THRESHOLD - 1  # a withheld "<5" cell allows 0 to 4
_HATCH = "////"
_BAND_ALPHA = 0.35
_UPPER = {"uk", "ngo", "nca", "glaa", "ie", "ukbf", "ukvi"}

_RC: dict[str, object] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica"],
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.titlesize": 10,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "axes.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "hatch.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}


@contextmanager
def _explore_style() -> Iterator[None]:
    """seaborn's ``ticks`` style with the house text colours and fonts, for one ``with`` block only."""
    import matplotlib as mpl
    import seaborn as sns

    with sns.axes_style("ticks"), mpl.rc_context(_RC):
        yield


def _s(col: pd.Series) -> pd.Series:
    return col.astype("object").astype("str")


def _pairs(breakdown: str) -> dict[str, str]:
    b = str(breakdown)
    return {} if b == "total" else dict(p.split("=", 1) for p in b.split(";"))


def _label(slug: str, *, every_word: bool = False) -> str:
    """``ngo_and_third_sector`` -> ``NGO and third sector``; ``uk`` -> ``UK``; with ``every_word``
    (names such as nationalities) ``south_sudanese`` -> ``South Sudanese``."""
    words = [w.upper() if w in _UPPER else w.capitalize() if every_word else w for w in str(slug).split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _palette(order: Sequence[str]) -> dict[str, str]:
    return {k: SERIES_COLORS[i % len(SERIES_COLORS)] for i, k in enumerate(order)}


# ------------------------------------------------------------------------------------ classification


def hedged_frame(rows: pd.DataFrame, *, allow_small_cells: bool = False) -> pd.DataFrame:
    """``rows`` (normalized-table rows, or rows in that shape) with how each is to be drawn.

    Needs the columns ``metric``, ``breakdown``, ``qualifier``, ``value``, ``value_low``, ``value_high``.
    Adds ``drawn_as`` (a key of :data:`DRAWN_AS`), ``y`` (float: the number drawn as a point, NaN for
    bands), ``low`` and ``high`` (float: the band drawn for intervals and withheld cells; NaN for
    points). A suppressed cell is ``withheld`` (0 to 4); so is a victim breakdown cell below 5 unless
    ``allow_small_cells`` (:func:`.privacy.small_cells`), drawn as the band 0 to 4 or, for a small range
    reaching higher, 0 to its high end. A small cell bounded only from below ("over 3") or approximate
    cannot be withheld by a band and raises :class:`.privacy.SmallCellError`.
    """
    import numpy as np

    out = rows.copy()
    q = _s(out["qualifier"])
    value = out["value"].astype("Float64").astype("float64").to_numpy(na_value=np.nan)
    vlow = out["value_low"].astype("Float64").astype("float64").to_numpy(na_value=np.nan)
    vhigh = out["value_high"].astype("Float64").astype("float64").to_numpy(na_value=np.nan)
    kind = np.select(
        [
            q == "exact",
            q.isin(["over", "at_least"]),
            q.isin(["under", "at_most"]),
            q == "range",
            q == "approximately",
        ],
        ["exact", "lower bound", "upper bound", "interval", "approximate"],
        default="withheld",  # suppressed
    ).astype(object)
    small = np.zeros(len(out), dtype=bool)
    if not allow_small_cells:
        small[out.index.get_indexer(small_cells(out).index)] = True
        unbounded = small & np.isin(kind, ["lower bound", "approximate"])
        if unbounded.any():
            cells = out[unbounded]
            shown = ", ".join(
                f"{b} = {how} {v:g}"
                for b, how, v in zip(cells["breakdown"], q[unbounded], value[unbounded], strict=True)
            )
            raise SmallCellError(
                f"refusing to draw {len(cells)} victim breakdown cell(s) below {SMALL_CELL_THRESHOLD} that a "
                f"band from 0 to {_WITHHELD_TOP} would misstate ({shown}); pass allow_small_cells=True if "
                "showing them is safe"
            )
        kind[small] = "withheld"
    withheld = kind == "withheld"
    y = np.where(np.isin(kind, ["exact", "lower bound", "upper bound", "approximate"]), value, np.nan)
    low = np.where(kind == "interval", vlow, np.nan)
    high = np.where(kind == "interval", vhigh, np.nan)
    top = np.where(np.isnan(vhigh), _WITHHELD_TOP, np.maximum(vhigh, _WITHHELD_TOP))
    low[withheld] = 0.0
    high[withheld] = np.where(small[withheld], top[withheld], _WITHHELD_TOP)
    out["drawn_as"] = kind
    out["y"] = y
    out["low"] = low
    out["high"] = high
    return out


def _runs(df: pd.DataFrame, by: Sequence[str], x: str) -> pd.Series:
    """A run id per row: exact rows of one group whose ``x`` are consecutive share an id."""
    import pandas as pd

    run = pd.Series(-1, index=df.index, dtype="int64")
    exact = df[df["drawn_as"] == "exact"].sort_values([*by, x], kind="mergesort")
    n = 0
    for _, grp in exact.groupby(list(by), sort=False) if by else [(None, exact)]:
        xs = grp[x].astype("float64").to_numpy()
        breaks = [True, *[(b - a) != 1 for a, b in pairwise(xs)]]
        ids = [n + k - 1 for k in accumulate(int(b) for b in breaks)]
        n = ids[-1] + 1 if ids else n
        run.loc[grp.index] = ids
    return run


# ------------------------------------------------------------------------------------------- drawing


def draw_hedges(
    data: pd.DataFrame,
    *,
    x: str,
    hue: str,
    hue_order: Sequence[str],
    palette: dict[str, str],
    ax: Axes | None = None,
    **_: object,
) -> None:
    """Draw one facet of a :func:`hedged_frame` (with a ``run`` column) on ``ax`` (default: current).

    Exact rows go to ``seaborn.lineplot`` (one line per hue and run); every other row is drawn by kind
    (see the module docstring). Made for ``FacetGrid.map_dataframe``.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import seaborn as sns
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    ax = ax if ax is not None else plt.gca()
    exact = data[data["drawn_as"] == "exact"]
    if len(exact):
        sns.lineplot(
            data=exact,
            x=x,
            y="y",
            hue=hue,
            hue_order=list(hue_order),
            palette=palette,
            units="run",
            estimator=None,
            marker="o",
            markersize=4.5,
            markeredgewidth=0,
            linewidth=1.6,
            legend=False,
            ax=ax,
        )
    width = 0.8 / max(len(hue_order), 1)
    for i, cat in enumerate(hue_order):
        rows = data[_s(data[hue]) == cat].sort_values(x, kind="mergesort")
        color = palette[cat]
        xs = rows[x].astype("float64").to_numpy()
        kinds = rows["drawn_as"].to_numpy()
        for kind, marker in (("lower bound", "^"), ("upper bound", "v"), ("approximate", "D")):
            m = kinds == kind
            if m.any():
                ax.plot(
                    xs[m],
                    rows["y"].to_numpy()[m],
                    linestyle="none",
                    marker=marker,
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=color,
                    markeredgewidth=1.5,
                    gid=kind.replace(" ", "-"),
                    zorder=4,
                )
        m = kinds == "interval"
        if m.any():
            ix, lo, hi = xs[m], rows["low"].to_numpy()[m], rows["high"].to_numpy()[m]
            start = 0
            for j in range(1, len(ix) + 1):  # a band over each run of consecutive years
                if j == len(ix) or ix[j] - ix[j - 1] != 1:
                    bx, bl, bh = ix[start:j], lo[start:j], hi[start:j]
                    if len(bx) == 1:
                        bx = np.array([bx[0] - 0.25, bx[0] + 0.25])
                        bl, bh = np.repeat(bl, 2), np.repeat(bh, 2)
                    ax.fill_between(
                        bx,
                        bl,
                        bh,
                        facecolor=to_rgba(color, _BAND_ALPHA),
                        edgecolor=color,
                        linewidth=1.2,
                        gid="interval",
                        zorder=3,
                    )
                    start = j
        for xv, hv in zip(xs[kinds == "withheld"], rows["high"].to_numpy()[kinds == "withheld"], strict=True):
            ax.add_patch(
                Rectangle(
                    (xv - 0.4 + i * width, 0.0),
                    width,
                    hv,
                    facecolor="none",
                    edgecolor=color,
                    hatch=_HATCH,
                    linewidth=0.8,
                    gid="withheld",
                    zorder=2,
                )
            )
    ax.autoscale_view()  # to every mark drawn (bands and hatched rectangles included), then from 0
    ax.set_ylim(0, max(ax.get_ylim()[1], float(SMALL_CELL_THRESHOLD)))


def _legend_handles(hue_order: Sequence[str], palette: dict[str, str], kinds: set[str]) -> dict[str, object]:
    """Legend entries: one colour per category, then one entry per kind of mark drawn (in grey)."""
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: dict[str, object] = {
        cat: Line2D([], [], color=palette[cat], marker="o", markersize=4.5, linewidth=1.6)
        for cat in hue_order
    }
    marks = {
        "exact": Line2D([], [], color=MUTED, marker="o", markersize=4.5, linewidth=1.6),
        "interval": Patch(facecolor=to_rgba(MUTED, _BAND_ALPHA), edgecolor=MUTED),
        "lower bound": Line2D(
            [], [], linestyle="none", marker="^", markerfacecolor="white", markeredgecolor=MUTED
        ),
        "upper bound": Line2D(
            [], [], linestyle="none", marker="v", markerfacecolor="white", markeredgecolor=MUTED
        ),
        "approximate": Line2D(
            [], [], linestyle="none", marker="D", markerfacecolor="white", markeredgecolor=MUTED
        ),
        "withheld": Patch(facecolor="none", edgecolor=MUTED, hatch=_HATCH),
    }
    for kind, label in DRAWN_AS.items():
        if kind in kinds:
            handles[label] = marks[kind]
    return handles


def _facet_grid(
    tidy: pd.DataFrame,
    *,
    col: str,
    col_order: Sequence[str],
    hue: str,
    hue_order: Sequence[str],
    row: str | None = None,
    row_order: Sequence[str] | None = None,
    col_wrap: int | None = None,
    height: float,
    aspect: float,
    sharey: bool | str,
    title: str,
    legend_title: str,
) -> sns.FacetGrid:
    import seaborn as sns

    tidy = tidy.copy()
    for c in (col, hue, *([row] if row else [])):
        tidy[c] = _s(tidy[c]).astype("object")  # object, not str: seaborn #3893 (hue_order with str dtype)
    tidy["run"] = _runs(tidy, [c for c in (row, col, hue) if c], "year")
    palette = _palette(hue_order)
    with _explore_style():
        g = sns.FacetGrid(
            tidy,
            col=col,
            col_order=list(col_order),
            row=row,
            row_order=list(row_order) if row_order is not None else None,
            col_wrap=col_wrap,
            height=height,
            aspect=aspect,
            sharey=sharey,
            sharex=True,
            despine=True,
        )
        g.map_dataframe(draw_hedges, x="year", hue=hue, hue_order=list(hue_order), palette=palette)
        g.set_titles(template="{col_name}")
        g.set_axis_labels("", "")
        if row is not None:  # column names over the top row only; each row's name as its y label
            for i, name in enumerate(row_order or []):
                g.axes[i, 0].set_ylabel(name)
                for ax in g.axes[i, :] if i else []:
                    ax.set_title("")
        for ax in g.axes.flat:
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.yaxis.get_major_locator().set_params(integer=True)  # counts: no 2.5 agencies
            ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
            ax.set_axisbelow(True)
        g.figure.suptitle(title, x=0.01, y=0.995, ha="left", va="top", fontsize=10.5, color=INK)
        lines = title.count("\n") + 1
        g.tight_layout()
        g.add_legend(  # after the layout: seaborn widens the figure for a legend outside the grid
            legend_data=_legend_handles(hue_order, palette, set(tidy["drawn_as"])),
            title=legend_title,
        )
        g.figure.subplots_adjust(top=1 - (0.19 * lines + 0.35) / g.figure.get_figheight())
    return g


# ------------------------------------------------------------------------------------ GLOTIP facets


def _one_source(df: pd.DataFrame) -> None:
    """Refuse to add up rows that :func:`trafficking_stats.analysis.total` would refuse to add.

    The sums here are of one metric and breakdown over distinct countries for one whole year, so the
    rows cannot overlap once they come from one reporter, vintage and unit and each country appears
    once per year and breakdown; checking that once for the whole frame replaces ``total``'s pairwise
    checks (O(n**2) per sum: 8 s for the sex breakdown, against well under one here).
    """
    from ..analysis import IncomparableError

    for col in ("reporter", "vintage", "unit"):
        found = sorted(set(_s(df[col])))
        if len(found) > 1:
            raise IncomparableError(f"refusing to add figures from several {col}s ({', '.join(found)})")
    dup = df.duplicated(["geo_code", "year", "breakdown"], keep=False)
    if dup.any():
        raise IncomparableError(
            "refusing to add several figures for one country, year and breakdown: "
            + ", ".join(_s(df.loc[dup, "figure_id"]).head(6))
        )


_BY: dict[str, tuple[str, ...]] = {"sex": ("female", "male", "other"), "age": ("adult", "minor")}


def glotip_small_multiples(
    counts: pd.DataFrame,
    by: str = "sex",
    *,
    metric: str = "victims_identified",
    facet: str = "region",
    region: str | None = None,
    years: tuple[int, int] | None = None,
    allow_small_cells: bool = False,
    col_wrap: int = 3,
    height: float = 2.2,
    aspect: float = 1.45,
) -> sns.FacetGrid:
    """UNODC GLOTIP ``metric`` by sex or age, one facet per UNODC region, subregion or country.

    ``by``: ``"sex"`` (female, male, other) or ``"age"`` (adult, minor): one line per category, from the
    one-key breakdowns (``sex=female``). ``facet``: ``"region"`` or ``"subregion"`` (the countries' own
    figures added up per year with :func:`trafficking_stats.analysis.total`, regions from
    :mod:`trafficking_stats.regions`), or ``"country"`` (each country's own figures; ``region`` names the
    UNODC region whose countries are drawn). A regional sum counts the countries that reported that year,
    not the region: the tidy frame (``g.data``) says how many (``countries``) and how many of their cells
    were withheld (``withheld_cells``); a sum with a withheld term is a range, drawn as a band. ``years``
    (first, last) limits the years. Values are persons (UNODC: detected victims).
    """
    import pandas as pd

    from ..bounds import Figure, sum_figures
    from ..regions import read_regions

    if by not in _BY:
        raise ValueError(f"by must be one of {', '.join(_BY)}, not {by!r}")
    if facet not in ("region", "subregion", "country"):
        raise ValueError(f"facet must be 'region', 'subregion' or 'country', not {facet!r}")
    wanted = [f"{by}={c}" for c in _BY[by]]
    df = counts[
        (_s(counts["dataset"]) == "unodc_glotip")
        & (_s(counts["metric"]) == metric)
        & (_s(counts["geo_level"]) == "country")
        & _s(counts["breakdown"]).isin(wanted)
        & counts["year"].notna().to_numpy()
    ]
    if years is not None:
        y = df["year"].astype("int64")
        df = df[(y >= years[0]) & (y <= years[1])]
    if df.empty:
        raise ValueError(f"no UNODC GLOTIP {metric} figures by {by} in the table")
    regions = read_regions()
    level = "region" if facet == "country" else facet
    where = dict(zip(regions["geo_code"], regions[level], strict=True))
    unknown = sorted(set(_s(df["geo_code"])) - set(where))
    if unknown:
        raise ValueError(f"no {level} in data/raw/regions.csv for {', '.join(unknown)}")
    df = df.assign(place=_s(df["geo_code"]).map(where), category=_s(df["breakdown"]).str.split("=").str[1])
    if facet == "country":
        if region is None or region not in set(df["place"]):
            have = ", ".join(sorted(set(df["place"])))
            raise ValueError(f"facet='country' needs region= one of {have}; got {region!r}")
        df = df[df["place"] == region].assign(place=_s(df["geo_name"]))
        tidy = df.assign(countries=1, withheld_cells=(_s(df["qualifier"]) == "suppressed").astype("int64"))
    else:
        _one_source(df)
        sums = []
        for (place, year, category), rows in df.groupby(["place", "year", "category"], sort=True):
            hedge = rows[["value", "qualifier", "value_low", "value_high"]].astype("object")
            f = sum_figures(Figure.from_row(r) for r in hedge.to_dict("records"))
            sums.append(
                {
                    "place": place,
                    "year": int(year),
                    "category": category,
                    "metric": metric,
                    "breakdown": f"{by}={category}",
                    **f.row_fields(),
                    "countries": len(rows),
                    "withheld_cells": int((_s(rows["qualifier"]) == "suppressed").sum()),
                }
            )
        tidy = pd.DataFrame(sums)
        for c in ("value", "value_low", "value_high"):
            tidy[c] = tidy[c].astype("Float64")
    tidy = hedged_frame(tidy, allow_small_cells=allow_small_cells)
    tidy["year"] = tidy["year"].astype("int64")
    hue_order = [c for c in _BY[by] if c in set(tidy["category"])]
    col_order = sorted(set(_s(tidy["place"])))
    what = f"{metric_name(metric)} by {by}"
    if facet == "country":
        title = f"UNODC GLOTIP: {what}, countries of {region}.\nEach country's own figures."
    else:
        title = (
            f"UNODC GLOTIP: {what}, by {facet}.\n"
            "Sums over the countries that reported each year (their number changes), not regional estimates."
        )
    return _facet_grid(
        tidy,
        col="place",
        col_order=col_order,
        hue="category",
        hue_order=hue_order,
        col_wrap=min(col_wrap, len(col_order)),
        height=height,
        aspect=aspect,
        sharey=False,
        title=title,
        legend_title=by,
    )


# ------------------------------------------------------------------------------------------ FBI


def fbi_offenses_and_agencies(
    counts: pd.DataFrame,
    states: Sequence[str] | None = None,
    *,
    top: int = 6,
    offense_metric: str = "offenses_actual",
    dataset: str = "fbi_cde",
    height: float = 1.35,
    aspect: float = 2.3,
) -> sns.FacetGrid:
    """FBI human-trafficking offenses per year beside the number of agencies reporting, one row per place.

    ``states``: geography codes (``US-TX``; ``USA`` for the national figure); by default the ``top``
    states with most ``offense_metric`` offenses over all years. Columns of the grid: offenses (``unit``
    offenses) and agencies reporting (agencies), each from :func:`trafficking_stats.analysis.series` on
    ``dataset`` (one reporter and vintage, or it raises). Read the two together: a rise in offenses
    where agencies reporting rose too is partly a rise in coverage.
    """
    import pandas as pd

    from ..analysis import series

    df = counts[_s(counts["dataset"]) == dataset]
    if df.empty:
        raise ValueError(f"no {dataset} rows in the table")
    if states is None:
        off = df[
            (_s(df["metric"]) == offense_metric)
            & (_s(df["geo_level"]) == "state")
            & (_s(df["breakdown"]) == "total")
            & df["year"].notna().to_numpy()
        ]
        ranked = off.groupby(_s(off["geo_code"]))["value"].sum().sort_index()
        states = list(ranked.sort_values(ascending=False, kind="mergesort").index[:top])
    names = {"offenses": "offenses", "agencies": "agencies reporting"}
    parts = []
    for code in states:
        for key, metric in (("offenses", offense_metric), ("agencies", "agencies_reporting")):
            s = series(df, metric, code)
            place = str(df.loc[_s(df["geo_code"]) == code, "geo_name"].iloc[0])
            parts.append(s.assign(place=place, measure=names[key], metric=metric, breakdown="total"))
    tidy = hedged_frame(pd.concat(parts, ignore_index=True))
    places = list(dict.fromkeys(tidy["place"]))
    hue_order = [names["offenses"], names["agencies"]]
    reporter = str(df["reporter"].iloc[0])
    return _facet_grid(
        tidy,
        col="measure",
        col_order=hue_order,
        hue="measure",
        hue_order=hue_order,
        row="place",
        row_order=places,
        height=height,
        aspect=aspect,
        sharey=False,
        title=(
            f"{reporter}: human trafficking {metric_name(offense_metric)} (left), agencies reporting\n"
            "(right), one row per state. More agencies reporting means more offenses counted."
        ),
        legend_title="",
    )


# ---------------------------------------------------------------------------------------- heatmap


def nrm_heatmap(
    counts: pd.DataFrame,
    by: str = "year",
    *,
    metric: str = "victims_referred",
    year: int | None = None,
    source: str | None = None,
    top: int | None = None,
    allow_small_cells: bool = False,
    annot: bool = True,
) -> Figure:
    """UK NRM ``metric`` by nationality (rows) and year or another breakdown key (columns), a heatmap.

    ``by="year"``: the ``nationality=...`` figures of every whole year. Another key (``"first_responder"``)
    takes the figures broken down by nationality and that key, for ``year`` (default: the latest).
    ``source`` keeps the rows whose ``raw_file`` contains it; rows from several files raise ValueError
    naming them (two tabulations are not mixed in one grid). Nationalities are sorted by the sum of their
    shown cells, largest first; ``top`` keeps the first ones. Colour: potential victims referred
    (persons), on a square-root scale; each shown cell is annotated with its number.

    Withheld cells (suppressed, or victim cells below 5 without ``allow_small_cells``) are masked in the
    heatmap (the QuadMesh array is masked there) and hatched, legend ``"withheld (<5)"``; a bound or range
    is masked too and written as published (``230+``), never coloured as a number.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    import seaborn as sns
    from matplotlib.colors import PowerNorm
    from matplotlib.patches import Patch, Rectangle

    from .labels import qualified

    df = counts[
        (_s(counts["dataset"]) == "uk_nrm")
        & (_s(counts["metric"]) == metric)
        & counts["year"].notna().to_numpy()
    ]
    keys = _s(df["breakdown"]).map(lambda b: tuple(sorted(_pairs(b))))
    want = ("nationality",) if by == "year" else tuple(sorted(("nationality", by)))
    df = df[keys == want]
    if by != "year" and len(df):
        year = int(df["year"].max()) if year is None else year
        df = df[(df["year"] == year).fillna(False).to_numpy(dtype=bool)]
    if source is not None:
        df = df[_s(df["raw_file"]).str.contains(source, regex=False)]
    if df.empty:
        raise ValueError(
            f"no UK NRM {metric} figures by nationality and {by}" + (f" in {year}" if year else "")
        )
    files = sorted(set(_s(df["raw_file"])))
    if len(files) > 1:
        raise ValueError(
            f"UK NRM {metric} by nationality and {by} comes from {len(files)} tables; choose one with "
            f"source=: {'; '.join(files)}"
        )
    pairs = _s(df["breakdown"]).map(_pairs)
    df = df.assign(
        row=pairs.map(lambda p: _label(p["nationality"], every_word=True)),
        col=df["year"].astype("int64").astype("str") if by == "year" else pairs.map(lambda p: _label(p[by])),
    )
    dup = df.duplicated(["row", "col"], keep=False)
    if dup.any():
        raise ValueError(f"several figures for one cell: {', '.join(_s(df.loc[dup, 'figure_id']))}")
    tidy = hedged_frame(df, allow_small_cells=allow_small_cells)
    shown = tidy["y"].where(tidy["drawn_as"] == "exact")
    values = tidy.assign(shown=shown).pivot(index="row", columns="col", values="shown")
    kinds = tidy.pivot(index="row", columns="col", values="drawn_as")
    order = values.sum(axis=1, min_count=0).sort_values(ascending=False, kind="mergesort")
    rows = sorted(order.index, key=lambda r: (-order[r], r))[: top or None]
    cols = (
        sorted(values.columns) if by == "year" else list(values.columns[np.argsort(-values.sum().to_numpy())])
    )
    values, kinds = values.loc[rows, cols], kinds.loc[rows, cols]
    mask = values.isna().to_numpy()
    vmax = float(np.nanmax(values.to_numpy())) if (~mask).any() else 1.0
    cmap = sns.light_palette(OKABE_ITO["blue"], as_cmap=True)
    w = min(2.4 + 1.15 * len(cols), 14.0)
    h = 1.6 + 0.26 * len(rows)
    with _explore_style():
        fig, ax = plt.subplots(figsize=(w, h), layout="constrained")
        sns.heatmap(
            values.astype("float64"),
            mask=mask,
            cmap=cmap,
            norm=PowerNorm(gamma=0.5, vmin=0, vmax=vmax),
            annot=annot,
            fmt=",.0f",
            annot_kws={"fontsize": 8},
            linewidths=0.6,
            linecolor="white",
            cbar_kws={"label": f"{metric_name(metric)} (square-root scale)", "shrink": 0.8},
            ax=ax,
        )
        kinds_np = kinds.to_numpy()
        withheld = kinds_np == "withheld"
        for i, j in zip(*np.nonzero(withheld), strict=True):
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor="white",
                    edgecolor="white",
                    hatch=_HATCH,
                    hatchcolor=MUTED,
                    linewidth=0.6,
                    gid="withheld",
                )
            )
        hedged = ~withheld & ~pd.isna(kinds_np) & (kinds_np != "exact")
        lookup = tidy.set_index(["row", "col"])
        for i, j in zip(*np.nonzero(hedged), strict=True):
            r = lookup.loc[(rows[i], cols[j])]
            text, _ = qualified(str(r["qualifier"]), r["value"], r["value_low"], r["value_high"])
            ax.text(
                j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8, style="italic", gid="bound-cell"
            )
        handles = [Patch(facecolor="white", edgecolor=MUTED, hatch=_HATCH, label=WITHHELD_LABEL)]
        if hedged.any():
            handles.append(Patch(facecolor="white", edgecolor=MUTED, label="bound or range (as published)"))
        if pd.isna(kinds_np).any():
            handles.append(Patch(facecolor="white", edgecolor="#bfbfbf", label="no figure"))
        ax.legend(
            handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(handles), frameon=False
        )
        ax.set_xlabel("year" if by == "year" else _label(by).lower())
        ax.set_ylabel("nationality")
        ax.tick_params(axis="x", labelrotation=0 if by == "year" else 25)
        for t in ax.get_xticklabels():
            t.set_ha("center" if by == "year" else "right")
        years = sorted(set(tidy["year"].astype("int64")))
        when = str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
        reporter = str(df["reporter"].iloc[0])
        title = f"{reporter}: {metric_name(metric)} by nationality and {_label(by).lower()}, {when}"
        fig.suptitle(
            textwrap.fill(title, int(w * 72 / (0.56 * 10.5))),
            x=0.01,
            ha="left",
            fontsize=10.5,
        )
    return fig


# ------------------------------------------------------------------------------------ notebooks


def _figure(chart: sns.FacetGrid | Figure) -> Figure:
    return chart if not hasattr(chart, "map_dataframe") else chart.figure  # type: ignore[union-attr]


def describe(chart: sns.FacetGrid | Figure) -> str:
    """One plain sentence or two on what ``chart`` (from this module) shows, counted from what it drew.

    For small multiples: the title, the panels, and how many figures were drawn as points, ranges,
    bounds and withheld cells (from ``g.data``). For the heatmap: the title and how many cells are shown
    as numbers, withheld (masked and hatched) or written as published bounds.
    """
    import numpy as np

    fig = _figure(chart)
    title = " ".join(fig.get_suptitle().split())
    if hasattr(chart, "map_dataframe"):
        data = chart.data  # type: ignore[union-attr]
        panels = ", ".join(chart.row_names or chart.col_names)  # type: ignore[union-attr]
        kinds = data["drawn_as"].value_counts()
        drawn = "; ".join(f"{DRAWN_AS[k]}: {int(kinds[k])}" for k in DRAWN_AS if k in kinds.index)
        years = f"{int(data['year'].min())} to {int(data['year'].max())}"
        return f"{title} Panels: {panels}. Years {years}. Figures drawn as {drawn}."
    ax = fig.axes[0]
    mask = np.ma.getmaskarray(ax.collections[0].get_array())
    rows, cols = len(ax.get_yticklabels()), len(ax.get_xticklabels())
    withheld = sum(p.get_gid() == "withheld" for p in ax.patches)
    bounds = sum(t.get_gid() == "bound-cell" for t in ax.texts)
    return (
        f"{title}. A heatmap of {rows} {ax.get_ylabel()} rows by {cols} {ax.get_xlabel()} columns: "
        f"{int((~mask).sum())} cells shown as numbers, {withheld} {WITHHELD_LABEL}"
        + (f", {bounds} bounds written as published" if bounds else "")
        + "."
    )


def show(chart: sns.FacetGrid | Figure, width: int | None = None) -> None:
    """Display ``chart`` in a notebook as PNG (``width`` CSS pixels, None: its own size), with
    :func:`describe` as its plain-text form, and close its figure. Needs IPython."""
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = _figure(chart)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)  # or the inline backend would show it again, with "<Figure size ...>" as its text
    bundle = {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": describe(chart)}
    display(bundle, raw=True, metadata={"image/png": {"width": width}} if width else None)
