"""Helpers shared by the chart functions: row selection, conflict and verdict sentences, axes finishing."""

from __future__ import annotations

import itertools
from collections import namedtuple
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .labels import breakdown_label as _bl
from .labels import citation_info, number, qualified, short_publisher
from .style import MUTED, Frame, Sizes, fitted_labels, legend_height, lines_height, wrap

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"


def select_yearly(counts: pd.DataFrame, **equal: str | None) -> pd.DataFrame:
    """Whole-year rows whose columns equal the given strings (``None`` = any), taken in one step.

    A whole-year row has ``year`` set (its period is one calendar or fiscal year). One mask, one copy:
    the processed table has ~50,000 rows, and chained filters copied it several times per chart.
    """
    mask = counts["year"].notna().to_numpy().copy()
    for col, want in equal.items():
        if want is not None:
            mask &= (counts[col] == want).to_numpy(dtype=bool, na_value=False)
    return counts[mask]


@lru_cache(maxsize=64)
def _row_type(fields: tuple[str, ...]) -> type:
    return namedtuple("Row", fields)  # type: ignore[misc]


def records(rows: pd.DataFrame, *fields: str) -> list[Any]:
    """The rows of a small frame as named tuples of ``fields`` (attribute access, like ``itertuples``).

    Values are those of ``Series.tolist`` (``pd.NA`` for missing, ``Timestamp`` for dates), as
    ``itertuples`` gives them. Why not ``itertuples``: it builds a Series per column of the frame, about
    5 ms for a few rows of the 25-column table, and a chart iterates its rows a dozen times; taking only
    the columns used is several times faster.
    """
    cols = [rows[f].tolist() for f in fields]
    row = _row_type(fields)
    return [row(*values) for values in zip(*cols, strict=True)]


#: The columns :func:`figure_words` reads.
FIGURE_FIELDS: tuple[str, ...] = ("qualifier", "value", "value_low", "value_high")


def publisher_short(citation: str) -> str:
    """The publisher of ``citation`` in a few words (:func:`.labels.short_publisher`)."""
    return short_publisher(citation_info(citation).publisher) or citation


def figure_words(row: pd.Series | object) -> str:
    """``over 230`` / ``106`` / ``withheld (between 0 and 4)`` for one table row."""
    return qualified(row.qualifier, row.value, row.value_low, row.value_high)[1]  # type: ignore[attr-defined]


def values_sentence(rows: pd.DataFrame) -> str:
    """``14 in 2020, 27 in 2021 and 35 in 2022`` for rows with a year."""
    parts = [f"{figure_words(r)} in {int(r.year)}" for r in records(rows, *FIGURE_FIELDS, "year")]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def conflict_notes(
    counts: pd.DataFrame, plotted: pd.DataFrame
) -> tuple[dict[str, str], list[str], list[str]]:
    """Footnote marks, footer notes and description sentences for the conflict groups of ``plotted``.

    Returns ``(mark by conflict group, footer notes, sentences)``. Every member of a group is named, also
    members that the chart does not draw.
    """
    groups = [g for g in dict.fromkeys(plotted["conflict_group"].dropna().astype("str")) if g]
    # one pass over the whole table for all groups, then per group over the few rows found (in Python:
    # pandas costs milliseconds per operation on a frame of a few rows)
    in_groups = counts[counts["conflict_group"].isin(groups).to_numpy(dtype=bool, na_value=False)]
    fields = (*FIGURE_FIELDS, "breakdown", "year", "period_start", "citation", "vintage", "figure_id")
    found = records(in_groups, "conflict_group", *fields)
    drawn = set(plotted["figure_id"].astype("str"))
    marks: dict[str, str] = {}
    notes: list[str] = []
    sentences: list[str] = []
    for i, g in enumerate(groups):
        mark = SUPERSCRIPTS[i % len(SUPERSCRIPTS)]
        marks[g] = mark
        member_rows = sorted(
            (r for r in found if str(r.conflict_group) == g), key=lambda r: (str(r.vintage), str(r.figure_id))
        )
        named = []
        for r in member_rows:
            what = figure_words(r)
            if str(r.breakdown) != "total":
                what += f" ({_bl(r.breakdown)})"
            year = int(r.year) if str(r.year) != "<NA>" else str(r.period_start)[:10]
            named.append(f"{what} for {year} ({publisher_short(r.citation)}, {r.vintage})")
        hidden = [str(r.figure_id) for r in member_rows if str(r.figure_id) not in drawn]
        extra = f" {len(hidden)} of them not drawn here." if hidden else ""
        short = [
            f"{figure_words(r)}{'' if str(r.breakdown) == 'total' else ' ' + _bl(r.breakdown)} "
            f"({publisher_short(r.citation)})"
            for r in member_rows
        ]
        notes.append(
            f"{mark} Conflicting figures, shown side by side, never added: {'; '.join(short)}.{extra}"
        )
        sentences.append(
            f"The figures marked {mark} conflict: {'; '.join(named)}. They are shown side by side, not added."
        )
    return marks, notes, sentences


def year_span(first: int, last: int) -> str:
    """``2013–2020``, or ``2017`` for one year."""
    return str(first) if first == last else f"{first}–{last}"


def plain_verdict(years: list[int], values: list[float], label: str, n: int) -> str:
    """How a yearly series moved, in words for the public: ``rose every year from 2014 to 2020``,
    ``3 years: too few to say``. ``label`` is :attr:`analysis.Consistency.label`; the words say only what
    the test found (a rise needs a significant Mann-Kendall trend) and what every year shows."""
    if n == 1:
        return f"one figure only ({years[0]}): no change over time to show"
    if label == "not enough data":
        return f"{n} years: too few to say"
    y0, y1 = years[0], years[-1]
    consecutive = years == list(range(y0, y1 + 1))
    steps = [b - a for a, b in itertools.pairwise(values)]
    if label in ("rising", "falling"):
        up = label == "rising"
        verb = "rose" if up else "fell"
        if consecutive and all((d > 0) if up else (d < 0) for d in steps):
            return f"{verb} every year from {y0} to {y1}"
        return f"{verb} from {number(values[0])} in {y0} to {number(values[-1])} in {y1}, not every year"
    if label == "steady":
        return f"steady from {y0} to {y1}"
    return f"went up and down from {y0} to {y1}, with no clear trend"


def verdict_sentences(label: str, rows: pd.DataFrame) -> tuple[str, str]:
    """(short, long) sentences on how a yearly series moved, from ``analysis.consistency``.

    ``short`` is plain words for the chart (:func:`plain_verdict`); ``long`` names the series and years
    and gives the statistics (Mann-Kendall tau and p, Theil-Sen slope) for the description. Only exact
    figures are tested: a series with hedged or withheld figures gets no verdict, and both say why.
    """
    import pandas as pd

    n = len(rows)
    span = year_span(int(rows["year"].min()), int(rows["year"].max())) if n else ""
    hedged = int((rows["qualifier"].astype("str") != "exact").sum())
    if hedged:
        return (
            f"No verdict: {hedged} of {n} figures are bounds or withheld",
            f"{label}, {span}: no verdict on how it moved, because {hedged} of the {n} figures are bounds "
            "or withheld, not exact counts.",
        )
    from ..analysis import consistency, p_text

    years = rows["year"].astype("int64").tolist()
    values = rows["value"].astype("float64").tolist()
    c = consistency(pd.Series(values, index=years, name=label))
    short = plain_verdict(years, values, c.label, c.n)
    if c.n == 1:
        return short, f"{label}, {span}: one figure only, so nothing can be said of how it moved."
    if not c.enough:
        return short, (
            f"{label}, {span}: {short} whether the numbers are steady or changing (at least 4 years are "
            "needed)."
        )
    stats = f"Mann-Kendall tau {c.mk_tau:.2f}, {p_text(c.mk_p)}" if c.mk_tau is not None else ""
    if c.slope is not None:
        stats += (
            f"; Theil-Sen slope {c.slope:+,.1f} a year (95% interval {c.slope_low:+,.1f} to "
            f"{c.slope_high:+,.1f})"
        )
    return short, f"{label}, {span}: {short} ({c.label}; {stats})."


def panel_heading(ax: Axes, title: str, sub: str, sizes: Sizes, width_in: float) -> None:
    """A bold left-aligned panel title with an optional wrapped grey line (a verdict) under it."""
    sub_w = wrap(sub, width_in - 0.5, sizes.tick) if sub else ""
    if sub_w:
        ax.annotate(
            sub_w,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 6),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=sizes.tick,
            color=MUTED,
            gid="panel-verdict",
            annotation_clip=False,
        )
    lines = sub_w.count("\n") + 1 if sub_w else 0
    pad = 6 + lines * sizes.tick * 1.25 + (8 if lines else 0)
    # the title starts at the axes, right of the y tick labels (about 0.6 in of the cell)
    ax.set_title(
        wrap(title, width_in - 0.7, sizes.panel_title, bold=True),
        loc="left",
        pad=pad,
        fontsize=sizes.panel_title,
        # a fixed y: matplotlib then skips placing the title above top tick labels (there are none here),
        # which measured every tick label at each draw (about a tenth of a place chart's drawing time)
        y=1.0,
    )


def year_axis(
    ax: Axes, years: list[int], pad: float = 0.6, width_in: float | None = None, size_pt: float = 10
) -> None:
    """Integer year ticks, no thousands separators: every year when the labels fit side by side in
    ``width_in`` inches at ``size_pt`` (four digits, about 0.6 em each, and a gap), else every second,
    fifth or tenth year (whole steps, so each label still sits on its year)."""
    from matplotlib.ticker import FuncFormatter

    lo, hi = min(years), max(years)
    ax.set_xlim(lo - pad, hi + pad)
    fit = 12 if width_in is None else max(int((width_in - 0.4) / (4 * 0.6 * size_pt / 72 + 0.12)), 2)
    step = next(s for s in (1, 2, 5, 10, 20, 50) if (hi - lo) // s + 1 <= fit)
    first = lo if step == 1 else -(-lo // step) * step
    ax.set_xticks(range(first, hi + 1, step))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{round(v)}"))
    ax.grid(False, axis="x")


def count_axis(ax: Axes, top: float) -> None:
    """A y axis from 0 to ``top`` with thousands separators (the unit goes in the panel title)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.set_ylim(0, max(top, 5))
    ax.yaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v) if v >= 0 else ""))


def top_of(rows: pd.DataFrame) -> float:
    """Largest number a set of rows reaches (value or interval end)."""
    vals = [rows[c].astype("float64").max() for c in ("value", "value_low", "value_high")]
    vals = [v for v in vals if v == v]
    return max(vals) if vals else 1.0


def bound_sentences(plotted: pd.DataFrame) -> list[str]:
    """One sentence per hedged (non-exact, non-suppressed) figure drawn."""
    out = []
    for r in records(plotted, *FIGURE_FIELDS, "year", "citation"):
        q = str(r.qualifier)
        label, words = qualified(q, r.value, r.value_low, r.value_high)
        year = int(r.year) if str(r.year) != "<NA>" else ""
        src = publisher_short(r.citation)
        if q in ("over", "at_least"):
            out.append(
                f"'{words}' ({year}, {src}) is a lower bound: the true number is above it, so it is drawn "
                "as an "
                f"open marker with an upward arrow labelled {label}, not as an exact point."
            )
        elif q in ("under", "at_most"):
            out.append(
                f"'{words}' ({year}, {src}) is an upper bound, drawn as an open marker with a downward arrow "
                f"labelled {label}."
            )
        elif q == "range":
            out.append(f"'{words}' ({year}, {src}) is a range, drawn as a shaded interval.")
        elif q == "approximately":
            out.append(
                f"'{words}' ({year}, {src}) is approximate, drawn as an open diamond labelled {label}."
            )
    return out


def with_drawing(
    rows: pd.DataFrame, panel: str, series: str, xs: list[float], drawn: list[str]
) -> pd.DataFrame:
    """``rows`` with the plotted-data columns ``panel``, ``series``, ``x`` and ``drawn_as`` added."""
    out = rows.copy()
    out.insert(0, "drawn_as", drawn)
    out.insert(0, "x", xs)
    out.insert(0, "series", series)
    out.insert(0, "panel", panel)
    return out


#: Space between legend entries, in em (matplotlib's ``labelspacing``).
LEGEND_SPACING = 0.25


def series_legend(ax: Axes, fig: object, sizes: Sizes, width_in: float, frame: Frame | None = None) -> None:
    """The legend of ``ax``'s series, wrapped to fit: in the frame's left text column where it has one
    (wide canvases, where height is short), else under the x tick labels."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    common = {
        "fontsize": sizes.small,
        "handlelength": 1.0,
        "handletextpad": 0.4,
        "borderaxespad": 0,
        "labelspacing": LEGEND_SPACING,
    }
    if frame is not None and frame.column is not None:
        x0, y0, x1, y1 = frame.column
        w, h = fig.get_size_inches()  # type: ignore[attr-defined]
        wrapped = fitted_labels(labels, x1 - x0 - 0.25, y1 - y0, sizes.small, common["labelspacing"])
        leg = fig.legend(  # type: ignore[attr-defined]
            handles, wrapped, loc="upper left", bbox_to_anchor=(x0 / w, y1 / h), **common
        )
        leg.set_gid("legend")
        return
    ax.legend(
        handles,
        [wrap(lb, width_in - 0.5, sizes.small) for lb in labels],
        loc="upper left",
        bbox_to_anchor=(0, 0),
        bbox_transform=below_axis(ax, fig, sizes),
        **common,
    )


def column_keys(fig: object, frame: Frame, keys: list[str], sizes: Sizes, entries: int = 0) -> Frame:
    """Write ``keys`` (notes the footer had no room for, such as what a conflict mark means) at the foot of
    the frame's left column on wide canvases: the first ones, as many as leave room above them for a
    legend of ``entries`` entries of two lines (else of one line). Returns the frame with the column's
    free part above them (unchanged when there is no column, no key or no room: the description keeps
    every note)."""
    if frame.column is None or not keys:
        return frame
    import dataclasses

    x0, y0, x1, y1 = frame.column
    fits = None
    for lines in (2, 1):  # legend entries of two lines where they leave room for a key, else of one
        # the legend, and one more entry spacing between it and the keys
        legend = legend_height(["\n".join("x" * lines)] * entries, sizes.small, LEGEND_SPACING) + (
            LEGEND_SPACING * sizes.small / 72 if entries else 0.0
        )
        for k in range(len(keys), 0, -1):  # as many keys as fit, in their order (the most needed first)
            text = wrap(" ".join(keys[:k]), x1 - x0 - 0.1, sizes.small)
            kh = lines_height(text, sizes.small, 1.2)
            if y1 - y0 - kh - 0.2 >= legend:
                fits = text, kh
                break
        if fits:
            break
    if fits is None:
        return frame
    text, kh = fits
    w, h = fig.get_size_inches()  # type: ignore[attr-defined]
    fig.text(  # type: ignore[attr-defined]
        x0 / w, y0 / h, text, ha="left", va="bottom", fontsize=sizes.small, color=MUTED, gid="column-keys"
    )
    return dataclasses.replace(frame, column=(x0, y0 + kh + 0.2, x1, y1))


def below_axis(ax: Axes, fig: object, sizes: Sizes) -> object:
    """A transform for placing a legend just under the x tick labels of ``ax`` (axes fraction, points off)."""
    from matplotlib.transforms import offset_copy

    return offset_copy(ax.transAxes, fig=fig, x=0, y=-(sizes.tick * 1.25 + 9), units="points")
