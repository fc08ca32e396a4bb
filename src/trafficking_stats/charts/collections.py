"""``police_collections``: the FBI's police series across the 2020/2021 break, as two collections.

Until 2020 the FBI's human-trafficking counts come from the summary (UCR) collection (``fbi_cde``); from
2021 only from NIBRS (``fbi_nibrs``). They differ in who reports and in what is counted, so they are
drawn as two series in two colours with the break marked, never joined, each with its own agencies
reporting in a lower panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (
    count_axis,
    panel_heading,
    publisher_short,
    records,
    select_yearly,
    top_of,
    values_sentence,
    with_drawing,
    year_axis,
)
from .draw import draw_figures, mark_gaps, mark_vintage_change
from .info import ChartInfo, attach
from .labels import breakdown_label, metric_name, source_names
from .presets import DEFAULT_PRESET, get_preset
from .privacy import check_small_cells
from .style import MUTED, SERIES_COLORS, draw_frame, fit_axes, house_style, new_figure, panel_cells

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["COLLECTIONS", "police_collections"]

#: (dataset, label) of the two collections, in time order, and the first year of the second.
COLLECTIONS: tuple[tuple[str, str], ...] = (("fbi_cde", "summary collection"), ("fbi_nibrs", "NIBRS"))
NIBRS_ONLY_FROM = 2021


def _latest(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values(["year", "vintage", "figure_id"]).drop_duplicates("year", keep="last")


def police_collections(
    counts: pd.DataFrame,
    geo_code: str,
    *,
    metric: str = "offenses_actual",
    breakdown: str = "total",
    preset: str | None = None,
    allow_small_cells: bool = False,
) -> Figure:
    """``metric`` for ``geo_code`` from the FBI's summary collection and from NIBRS, with the break marked.

    Each collection is one series (its latest edition per year), never joined to the other; a dashed
    line marks where NIBRS takes over (2021); a lower panel draws each collection's
    ``agencies_reporting``. A collection with no rows is named in the notes ("not in this build").
    Raises ValueError when neither collection has rows.
    """
    import pandas as pd

    p = get_preset(preset or DEFAULT_PRESET)
    series, cover, missing_sets = [], [], []
    for ds, label in COLLECTIONS:
        rows = _latest(
            select_yearly(counts, metric=metric, geo_code=geo_code, breakdown=breakdown, dataset=ds)
        )
        cov = _latest(
            select_yearly(
                counts, metric="agencies_reporting", geo_code=geo_code, breakdown="total", dataset=ds
            )
        )
        if rows.empty:
            missing_sets.append(label)
        series.append((ds, label, rows))
        cover.append((ds, label, cov))
    drawn_rows = [r for _, _, r in series if not r.empty]
    if not drawn_rows:
        raise ValueError(f"no {metric!r} figures for {geo_code!r} in {', '.join(d for d, _ in COLLECTIONS)}")
    allrows = pd.concat(drawn_rows)
    check_small_cells(allrows, allow_small_cells)
    years = sorted({int(y) for y in allrows["year"]})
    last = max(max(years), NIBRS_ONLY_FROM)
    all_years = list(range(min(years), last + 1))
    gaps = [y for y in all_years if y not in years]
    geo_name = str(allrows["geo_name"].iloc[0])
    bd = breakdown_label(breakdown)
    what = metric_name(metric) + ("" if bd == "all" else f" ({bd})")
    title = f"{what[0].upper() + what[1:]}, {geo_name}, {min(years)}–{last}: two FBI collections"
    subtitle = (
        f"Summary (UCR) collection to {NIBRS_ONLY_FROM - 1}, NIBRS from {NIBRS_ONLY_FROM}: not one series."
    )
    notes = [
        f"Dashed line: the FBI's collection changes in {NIBRS_ONLY_FROM} (summary to NIBRS); the two series "
        "count different agencies and are not joined.",
        "Lower panel: agencies reporting to each collection (summary: agencies with a trafficking record; "
        "NIBRS: agencies with at least one month submitted).",
    ]
    notes += [f"No {label} figures in this build." for label in missing_sets]
    if gaps:
        notes.append(f"No data for {', '.join(str(y) for y in gaps)}: drawn as gaps, not joined.")
    parts = [f"{label[0].upper() + label[1:]}: {values_sentence(r)}" for _, label, r in series if not r.empty]
    summary = f"{what} in {geo_name}, as counted by the FBI in two collections. " + "; ".join(parts) + "."
    cparts = [f"{label}: {values_sentence(c)}" for _, label, c in cover if not c.empty]
    if cparts:
        summary += " Agencies reporting, " + "; ".join(cparts) + "."
    if missing_sets:
        summary += " " + " ".join(f"No {label} figures in this build." for label in missing_sets)
    cov_all = [c for _, _, c in cover if not c.empty]
    plotted_src = pd.concat([allrows, *cov_all])
    with house_style(p) as sizes:
        fig = new_figure(p)
        info = ChartInfo(
            kind="police_collections",
            title=title,
            subtitle=subtitle,
            summary=summary,
            plotted=allrows.iloc[0:0],
            citations=list(dict.fromkeys(plotted_src["citation"].astype("str"))),
            sources=[],
            notes=notes,
            bounds=[],
            gaps=[],
            conflicts=[],
            suppressed=[],
            vintage_changes=[f"The FBI's collection changes in {NIBRS_ONLY_FROM}, from summary to NIBRS."],
            verdicts=[],
        )
        info.sources = source_names(info.citations)
        info.details = list(
            dict.fromkeys(str(r.note) for r in records(plotted_src, "note") if str(r.note) != "<NA>")
        )
        frame = draw_frame(fig, sizes, title, subtitle, info.footer_text())
        info.footer = frame.footer
        cells = panel_cells(frame.body, 2, side_by_side=False, weights=[2.2, 1.0])
        cell_w = cells[0][2] - cells[0][0]
        ax = fig.add_axes((0, 0, 1, 1))
        ax2 = fig.add_axes((0, 0, 1, 1), sharex=ax)
        plotted = []
        for i, ((_ds, label, rows), (_d2, _l2, cov)) in enumerate(zip(series, cover, strict=True)):
            if not rows.empty:
                xs = [float(y) for y in rows["year"]]
                d = draw_figures(
                    ax, rows, xs, color=SERIES_COLORS[i], sizes=sizes, label_values=len(rows) <= 8
                )
                plotted.append(
                    with_drawing(
                        rows, f"{what} ({label})", publisher_short(str(rows["citation"].iloc[0])), xs, d
                    )
                )
            if not cov.empty:
                cx = [float(y) for y in cov["year"]]
                d = draw_figures(
                    ax2,
                    cov,
                    cx,
                    color=SERIES_COLORS[i] if i else MUTED,
                    sizes=sizes,
                    marker="s",
                    label_values=False,
                )
                plotted.append(with_drawing(cov, f"agencies reporting ({label})", label, cx, d))
        mark_gaps(ax, gaps, sizes)
        for a in (ax, ax2):
            mark_vintage_change(a, NIBRS_ONLY_FROM - 0.5, "NIBRS only" if a is ax else "", sizes)
        year_axis(ax, all_years)
        year_axis(ax2, all_years)
        count_axis(ax, top_of(allrows) * 1.25)
        count_axis(ax2, (top_of(pd.concat(cov_all)) if cov_all else 1.0) * 1.35)
        panel_heading(ax, f"{what[0].upper() + what[1:]}", "", sizes, cell_w)
        panel_heading(ax2, "Agencies reporting (coverage)", "", sizes, cell_w)
        fit_axes(fig, [(ax, cells[0]), (ax2, cells[1])])
        info.plotted = pd.concat(plotted, ignore_index=True)
        attach(fig, info)
    return fig
