"""``compare_reporters``: one metric for one place from several reporters or editions, side by side."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .common import (
    bound_sentences,
    conflict_notes,
    count_axis,
    panel_heading,
    select_yearly,
    series_legend,
    top_of,
    values_sentence,
    with_drawing,
    year_axis,
)
from .draw import draw_figures, labels_fit
from .info import ChartInfo, attach
from .labels import (
    breakdown_label,
    citation_info,
    metric_name,
    series_name,
    short_publisher,
    source_names,
)
from .presets import DEFAULT_PRESET, get_preset
from .privacy import check_small_cells
from .style import SERIES_COLORS, draw_frame, fit_axes, house_style, new_figure, panel_cells

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
    fs = p.figsize
    short = not p.is_print and fs[1] / fs[0] < 0.7  # legend in the narrow left column
    infos = [citation_info(str(g["citation"].iloc[0])) for _, g in groups]
    names = [series_name(i, 42, others=infos) for i in infos]
    if short:  # the narrow left column of a wide canvas: the words that tell the series apart
        names = [series_name(i, 26, others=infos) for i in infos]
    for i, n in enumerate(names):  # two editions of one document: name each edition
        if names.count(n) > 1:
            names[i] = f"{n} ({groups[i][0][2]})"
    publishers = list(
        dict.fromkeys(short_publisher(citation_info(str(c)).publisher) for c in rows["citation"])
    )
    npub = len(publishers)
    title = (
        f"{what[0].upper() + what[1:]}, {geo_name}: figures from {npub} publisher{'s' if npub != 1 else ''}"
    )
    subtitle = "One series per published document, side by side at its year: compared, never added."
    marks, conflict_footer, conflict_sentences = conflict_notes(counts, rows)
    summary = f"{what} in {geo_name} from {len(groups)} sources side by side: " + " ".join(
        f"{n}: {values_sentence(g)}." for n, (_, g) in zip(names, groups, strict=True)
    )
    notes = ["Sources differ in coverage and definition: compare, do not add.", *conflict_footer]

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
            short_notes=["Compare, never add: coverage and definitions differ.", *conflict_footer],
        )
        info.sources = source_names(info.citations)
        info.details = [
            f"{n}: {g['note'].dropna().astype('str').iloc[0]}"
            for n, (_, g) in zip(names, groups, strict=True)
            if g["note"].notna().any()
        ]
        frame = draw_frame(
            fig, sizes, title, subtitle, info.footer_text(), info.footer_text(compact=True), column=0.5
        )
        info.footer = frame.footer
        cell = panel_cells(frame.body, 1, side_by_side=False)[0]
        cell_w = cell[2] - cell[0]
        ax = fig.add_axes((0, 0, 1, 1))
        n = len(groups)
        width = 0.6
        plotted = []
        for j, ((_key, g), name) in enumerate(zip(groups, names, strict=True)):
            xs = [float(y) for y in g["year"]]  # every figure at its own year: markers tell series apart
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
                label_values=labels_fit(len(all_years), cell_w, rows["value"], sizes)
                if len(rows) <= 8
                else False,
                band_width=width / max(n, 1),
            )
            plotted.append(with_drawing(g, what, name, xs, drawn))
        year_axis(ax, all_years, pad=0.6, width_in=cell_w, size_pt=sizes.tick)
        count_axis(ax, top_of(rows) * 1.25)
        unit = str(rows["unit"].iloc[0])
        heading = unit.capitalize() if sizes.compact else f"{what[0].upper() + what[1:]} ({unit})"
        panel_heading(ax, heading, "", sizes, cell_w)
        series_legend(ax, fig, sizes, cell_w, frame)
        fit_axes(fig, [(ax, cell)])
        info.plotted = pd.concat(plotted, ignore_index=True)
        attach(fig, info)
    return fig
