"""Drawing primitives that keep hedges visible: exact points and lines, bounds, intervals, suppressed bands.

Rules (DESIGN.md, "Charts and exports"):

* Only *exact* figures are drawn as filled points, and a line joins two exact figures only when their years
  are consecutive (a missing year is a gap, labelled "no data" by :func:`mark_gaps`).
* ``over``/``at_least`` figures are an open marker with an upward arrow and a ``230+`` label; ``under`` /
  ``at_most`` the same pointing down; ``range`` a shaded interval; ``approximately`` an open diamond with
  ``~230``; ``suppressed`` a hatched band over the interval the publisher allows (``<5`` -> 0 to 4).

Every artist gets a ``gid`` naming what it draws, which also becomes its id in SVG exports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .labels import number, qualified
from .style import MUTED, Sizes, ink

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = ["draw_figures", "labels_fit", "mark_gaps", "mark_vintage_change"]

ARROW_PT = 20.0  # length of a bound's arrow in points

DRAWN_AS = {
    "exact": "point",
    "over": "lower bound (open marker, upward arrow)",
    "at_least": "lower bound (open marker, upward arrow)",
    "under": "upper bound (open marker, downward arrow)",
    "at_most": "upper bound (open marker, downward arrow)",
    "range": "interval (shaded)",
    "approximately": "approximate figure (open diamond)",
    "suppressed": "suppressed cell (hatched band)",
}


def _f(v: object) -> float:
    return float(v)  # type: ignore[arg-type]


def draw_figures(
    ax: Axes,
    rows: pd.DataFrame,
    xs: Sequence[float],
    *,
    color: str,
    sizes: Sizes,
    marker: str = "o",
    join: bool = True,
    label_values: bool | str = False,
    label: str | None = None,
    band_width: float = 0.6,
    suffixes: Sequence[str] | None = None,
    label_slots: Sequence[int] | None = None,
    label_anchors: Sequence[float | None] | None = None,
    marker_scale: float = 1.0,
) -> list[str]:
    """Draw the figures in ``rows`` (normalized-table rows) at x positions ``xs`` on ``ax``.

    ``join`` draws lines between exact figures of consecutive years (``rows['year']``). ``label_values``
    writes each exact value above its point (``"ends"``: only the first and last, where labels would
    crowd); hedged figures are always labelled (``230+``). ``suffixes``
    are appended to each row's label (footnote marks). ``label_slots`` stacks exact values' labels where
    several series have a figure at one x: slot k sits k lines above slot 0, -2 puts it under the
    marker, and -1 draws none (an equal value of another series is labelled there); ``label_anchors``
    gives the y a stacked label counts its lines from (None: its own value). ``marker_scale`` sizes the
    markers (later series of a place chart are drawn smaller, so that an equal figure of two series shows
    both markers, one inside the other). Returns, per row, how it was drawn (the sidecar CSV's
    ``drawn_as``).
    """
    from matplotlib.patches import Rectangle

    quals = [str(q) for q in rows["qualifier"]]
    vals = list(rows["value"])
    lows = list(rows["value_low"])
    highs = list(rows["value_high"])
    years = list(rows["year"])
    suffixes = list(suffixes) if suffixes is not None else [""] * len(rows)
    drawn: list[str] = []
    legend_done = False
    ms = 7.0 * sizes.body / 9.5 * marker_scale

    def lab() -> str | None:
        nonlocal legend_done
        if label is None or legend_done:
            return None
        legend_done = True
        return label

    def text(
        x: float,
        y: float,
        s: str,
        dy: float,
        va: str,
        gid: str,
        weight: str = "normal",
        dx: float = 0,
        ha: str = "center",
    ) -> None:
        ax.annotate(
            s,
            xy=(x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=sizes.body,
            color=ink(color),
            fontweight=weight,
            annotation_clip=False,
            gid=gid,
        )

    # exact runs
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        rx = [xs[i] for i in run]
        ry = [_f(vals[i]) for i in run]
        ax.plot(
            rx,
            ry,
            color=color,
            marker=marker,
            markersize=ms,
            linestyle="-" if len(run) > 1 else "None",
            markerfacecolor=color,
            markeredgecolor=color,
            label=lab(),
            gid="exact",
            zorder=3,
        )
        run.clear()

    for i, q in enumerate(quals):
        if q == "exact":
            consecutive = run and join and _f(years[i]) - _f(years[run[-1]]) == 1
            if not consecutive:
                flush()
            run.append(i)
        else:
            flush()
    flush()

    exact_at = [i for i, q in enumerate(quals) if q == "exact"]
    ends = {exact_at[0], exact_at[-1]} if exact_at else set()
    for i, q in enumerate(quals):
        x = xs[i]
        chart_label, _ = qualified(q, vals[i], lows[i], highs[i])
        chart_label += suffixes[i]
        drawn.append(DRAWN_AS.get(q, "point"))
        if q == "exact":
            # crowded: the first and last, and any figure carrying a footnote mark (a conflict)
            slot = label_slots[i] if label_slots is not None else 0
            if slot == -1:
                continue
            if label_values is True or (label_values == "ends" and (i in ends or suffixes[i])):
                if slot == -2:  # under the marker
                    text(x, _f(vals[i]), chart_label, -(ms / 2 + 3), "top", "value-label")
                else:
                    anchor = label_anchors[i] if label_anchors is not None else None
                    y = _f(vals[i]) if anchor is None else anchor
                    text(x, y, chart_label, 5 + slot * sizes.body * 1.2, "bottom", "value-label")
            elif suffixes[i]:  # no value labels (crowded): the footnote mark still marks the figure,
                # above left of it, clear of the next year's labels
                text(x, _f(vals[i]), suffixes[i].strip(), 4, "bottom", "conflict-mark", dx=-2, ha="right")
            continue
        if q in ("over", "at_least", "under", "at_most"):
            up = q in ("over", "at_least")
            v = _f(vals[i])
            ax.plot(
                [x],
                [v],
                marker=marker,
                markersize=ms,
                linestyle="None",
                markerfacecolor="white",
                markeredgecolor=color,
                markeredgewidth=2,
                label=lab(),
                gid="bound-lower" if up else "bound-upper",
                zorder=4,
            )
            ax.annotate(
                "",
                xy=(x, v),
                xytext=(0, ARROW_PT if up else -ARROW_PT),
                textcoords="offset points",
                arrowprops={
                    "arrowstyle": "<|-,head_width=0.35,head_length=0.6",
                    "color": color,
                    "lw": 2,
                    "shrinkA": 0,
                    "shrinkB": ms / 2 + 1,
                },
                annotation_clip=False,
                gid="bound-arrow-up" if up else "bound-arrow-down",
            )
            text(
                x,
                v,
                chart_label,
                (ARROW_PT + 2) if up else -(ARROW_PT + 2),
                "bottom" if up else "top",
                "bound-label",
                "bold",
            )
        elif q == "range":
            lo, hi = _f(lows[i]), _f(highs[i])
            ax.add_patch(
                Rectangle(
                    (x - band_width / 4, lo),
                    band_width / 2,
                    hi - lo,
                    facecolor=color,
                    alpha=0.3,
                    edgecolor=color,
                    label=lab(),
                    gid="interval",
                    zorder=3,
                )
            )
            text(x, hi, chart_label, 4, "bottom", "interval-label")
        elif q == "approximately":
            v = _f(vals[i])
            ax.plot(
                [x],
                [v],
                marker="D",
                markersize=ms * 0.9,
                linestyle="None",
                markerfacecolor="white",
                markeredgecolor=color,
                markeredgewidth=2,
                label=lab(),
                gid="approximate",
                zorder=4,
            )
            text(x, v, chart_label, 6, "bottom", "approximate-label")
        elif q == "suppressed":
            lo = 0.0 if str(lows[i]) == "<NA>" else _f(lows[i])
            hi = _f(highs[i]) if str(highs[i]) != "<NA>" else 4.0
            ax.add_patch(
                Rectangle(
                    (x - band_width / 2, lo),
                    band_width,
                    max(hi - lo, 0.5),
                    fill=False,
                    hatch="////",
                    edgecolor=MUTED,
                    linewidth=0.8,
                    label=None,
                    gid="suppressed-band",
                    zorder=2,
                )
            )
            if label_values is not True:  # crowded: the hatching and the footer's key say it
                continue
            ax.annotate(
                chart_label,
                xy=(x, hi),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=sizes.small,
                color=MUTED,
                annotation_clip=False,
                gid="suppressed-label",
            )
    return drawn


def labels_fit(n_points: int, width_in: float, values: Iterable[object], sizes: Sizes) -> bool | str:
    """Whether value labels of ``n_points`` evenly spread points fit side by side in ``width_in`` inches
    (the longest label among ``values``, as :func:`.labels.number` writes it, at the body size, about
    0.6 em a character, with a 0.08 in gap): ``True`` if they do, else ``"ends"`` (label the first and
    last only). Missing values are ignored."""
    longest = max((len(number(v)) for v in values if str(v) not in ("<NA>", "nan", "None")), default=0)
    label_w = longest * 0.6 * sizes.body / 72 + 0.08
    return True if n_points * label_w <= width_in - 0.6 else "ends"


def mark_gaps(
    ax: Axes, years: Sequence[int], sizes: Sizes, values: dict[int, float] | None = None, top: float = 0
) -> None:
    """Write a vertical "no data" at each missing year (nothing is drawn across it): at the foot of the
    axes, or at its top where a neighbouring year's figure (``values`` by year, on an axis up to ``top``)
    is in the lower half, so that the mark stays clear of that figure and its label."""
    trans = ax.get_xaxis_transform()
    for y in years:
        near = [values[n] for n in (y - 1, y + 1) if values and n in values]
        high = bool(near) and top > 0 and min(near) < top / 2
        ax.text(
            y,
            0.97 if high else 0.03,
            "no data",
            transform=trans,
            rotation=90,
            ha="center",
            va="top" if high else "bottom",
            fontsize=sizes.small,
            color=MUTED,
            gid="no-data",
        )


def mark_vintage_change(ax: Axes, x: float, label: str, sizes: Sizes) -> None:
    """A dashed vertical line at ``x`` where the source edition (vintage) changes, labelled ``label``."""
    ax.axvline(x, color=MUTED, linestyle=(0, (3, 3)), linewidth=1, gid="vintage-change", zorder=1)
    ax.text(
        x,
        0.97,
        label,
        transform=ax.get_xaxis_transform(),
        rotation=90,
        ha="right",
        va="top",
        fontsize=sizes.small,
        color=MUTED,
        gid="vintage-label",
    )
