"""``compare_reporters``: one metric for one place from several reporters or editions, side by side."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .common import (
    below_axis,
    bound_sentences,
    conflict_notes,
    count_axis,
    panel_heading,
    publisher_short,
    select_yearly,
    top_of,
    values_sentence,
    with_drawing,
    year_axis,
)
from .draw import draw_figures
from .info import ChartInfo, attach
from .labels import breakdown_label, metric_name, source_names
from .presets import DEFAULT_PRESET, get_preset
from .privacy import check_small_cells
from .style import SERIES_COLORS, draw_frame, fit_axes, house_style, new_figure, panel_cells, wrap

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["compare_reporters"]
_MARKERS = ("o", "s", "^", "D", "v", "P")


def compare_reporters(
    counts: pd.DataFrame,
    metric: str,
    geo_code: str,
    *,
    breakdown: str = "total",
    years: Iterable[int] | None = None,
    datasets: Iterable[str] | None = None,
    preset: str | None = None,
    allow_small_cells: bool = False,
) -> Figure:
    """Every source's yearly figures of ``metric`` for ``geo_code``, one series per source and edition.

    Series are dodged sideways so that figures of one year stand next to each other; nothing is added or
    averaged. Within a series, exact figures of consecutive years are joined; bounds are bounds. ``years``
    and ``datasets`` restrict the rows. Raises ValueError when no rows match.
    """
    import pandas as pd

    p = get_preset(preset or DEFAULT_PRESET)
    rows = select_yearly(counts, metric=metric, geo_code=geo_code, breakdown=breakdown)
    if years is not None:
        rows = rows[rows["year"].astype("int64").isin(list(years))]
    if datasets is not None:
        rows = rows[rows["dataset"].astype("str").isin(list(datasets))]
    if rows.empty:
        raise ValueError(f"no yearly {metric!r} figures for {geo_code!r} with breakdown {breakdown!r}")
    check_small_cells(rows, allow_small_cells)
    groups = [
        (key, g.sort_values(["year", "figure_id"]))
        for key, g in rows.groupby(["dataset", "reporter", "vintage"], sort=True)
    ]
    geo_name = str(rows["geo_name"].iloc[0])
    bd = breakdown_label(breakdown)
    what = metric_name(metric) + ("" if bd == "all" else f" ({bd})")
    all_years = sorted({int(y) for y in rows["year"]})
    title = f"{what[0].upper() + what[1:]}, {geo_name}: {len(groups)} sources compared"
    subtitle = (
        "One series per source and edition, side by side: figures from different sources are never added."
    )
    names = [f"{publisher_short(str(g['citation'].iloc[0]))}, {key[2]}" for key, g in groups]
    marks, conflict_footer, conflict_sentences = conflict_notes(counts, rows)
    summary = f"{what} in {geo_name} from {len(groups)} sources side by side: " + " ".join(
        f"{n}: {values_sentence(g)}." for n, (_, g) in zip(names, groups, strict=True)
    )
    notes = ["Sources differ in coverage and definition; compare, do not add.", *conflict_footer]

    with house_style(p) as sizes:
        fig = new_figure(p)
        info = ChartInfo(
            kind="compare_reporters",
            title=title,
            subtitle=subtitle,
            summary=summary,
            plotted=rows.iloc[0:0],
            citations=list(dict.fromkeys(rows["citation"].astype("str"))),
            sources=[],
            notes=notes,
            bounds=bound_sentences(rows),
            conflicts=conflict_sentences,
        )
        info.sources = source_names(info.citations)
        info.details = [
            f"{n}: {g['note'].dropna().astype('str').iloc[0]}"
            for n, (_, g) in zip(names, groups, strict=True)
            if g["note"].notna().any()
        ]
        frame = draw_frame(fig, sizes, title, subtitle, info.footer_text())
        info.footer = frame.footer
        cell = panel_cells(frame.body, 1, side_by_side=False)[0]
        cell_w = cell[2] - cell[0]
        ax = fig.add_axes((0, 0, 1, 1))
        n = len(groups)
        width = min(0.7, 0.25 * n) if len(all_years) > 1 else 0.8
        plotted = []
        for j, ((_key, g), name) in enumerate(zip(groups, names, strict=True)):
            off = (j - (n - 1) / 2) * (width / max(n - 1, 1)) if n > 1 else 0.0
            xs = [float(y) + off for y in g["year"]]
            suff = [marks.get(str(c), "") if str(c) != "<NA>" else "" for c in g["conflict_group"]]
            drawn = draw_figures(
                ax,
                g,
                xs,
                color=SERIES_COLORS[j % len(SERIES_COLORS)],
                marker=_MARKERS[j % len(_MARKERS)],
                sizes=sizes,
                label=name,
                suffixes=suff,
                label_values=len(rows) <= 8,
                band_width=width / max(n, 1),
            )
            plotted.append(with_drawing(g, what, name, xs, drawn))
        year_axis(ax, all_years, pad=0.6 + width / 2)
        count_axis(ax, top_of(rows) * 1.25)
        unit = str(rows["unit"].iloc[0])
        panel_heading(ax, f"{what[0].upper() + what[1:]} ({unit})", "", sizes, cell_w)
        handles, labels = ax.get_legend_handles_labels()
        ncol = 2 if cell_w > 5.5 and n > 2 else 1
        ax.legend(
            handles,
            [wrap(lb, cell_w / ncol - 0.4, sizes.tick * 0.9) for lb in labels],
            loc="upper left",
            bbox_to_anchor=(0, 0),
            bbox_transform=below_axis(ax, fig, sizes),
            fontsize=sizes.tick * 0.9,
            ncol=ncol,
            borderaxespad=0,
            labelspacing=0.3,
            handlelength=1.2,
        )
        fit_axes(fig, [(ax, cell)])
        info.plotted = pd.concat(plotted, ignore_index=True)
        attach(fig, info)
    return fig
