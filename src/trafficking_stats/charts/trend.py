"""``trend``: one metric for one place over the years, from one reporter, with its hedges visible."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (
    bound_sentences,
    conflict_notes,
    count_axis,
    panel_heading,
    publisher_short,
    records,
    select_yearly,
    top_of,
    values_sentence,
    verdict_sentences,
    with_drawing,
    year_axis,
)
from .draw import draw_figures, labels_fit, mark_gaps, mark_vintage_change
from .info import ChartInfo, attach
from .labels import breakdown_label, metric_name, number, source_names
from .presets import DEFAULT_PRESET, get_preset
from .privacy import check_small_cells
from .style import MUTED, SERIES_COLORS, draw_frame, fit_axes, house_style, new_figure, panel_cells

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["trend"]


def _select(
    counts: pd.DataFrame,
    metric: str,
    geo_code: str,
    breakdown: str,
    dataset: str | None,
    reporter: str | None,
    vintage: str | None,
) -> pd.DataFrame:
    return select_yearly(
        counts,
        metric=metric,
        geo_code=geo_code,
        breakdown=breakdown,
        dataset=dataset,
        reporter=reporter,
        vintage=vintage,
    )


def trend(
    counts: pd.DataFrame,
    metric: str,
    geo_code: str,
    *,
    breakdown: str = "total",
    dataset: str | None = None,
    reporter: str | None = None,
    vintage: str | None = None,
    coverage: bool | None = None,
    preset: str | None = None,
    allow_small_cells: bool = False,
) -> Figure:
    """Yearly figures of ``metric`` for ``geo_code`` (one ``breakdown``) from one dataset and reporter.

    Exact figures of consecutive years are joined; a missing year is a gap labelled "no data"; bounds are
    drawn as bounds, suppressed cells as a hatched band over their interval (0-4), and a change of source
    edition (``vintage``) as a dashed line. When one year was published in several editions the latest is
    drawn and the footer says so. ``coverage`` adds a panel of the same dataset's ``agencies_reporting``
    (default: on for FBI datasets that have it). Raises ValueError when no rows match or when several
    dataset/reporter pairs do (name one, or use ``compare_reporters``).
    """
    import pandas as pd

    p = get_preset(preset or DEFAULT_PRESET)
    rows = _select(counts, metric, geo_code, breakdown, dataset, reporter, vintage)
    if rows.empty:
        raise ValueError(f"no yearly {metric!r} figures for {geo_code!r} with breakdown {breakdown!r}")
    pairs = sorted({(str(d), str(r)) for d, r in zip(rows["dataset"], rows["reporter"], strict=True)})
    if len(pairs) > 1:
        listed = "; ".join(f"dataset={d!r}, reporter={r!r}" for d, r in pairs)
        raise ValueError(
            f"{len(pairs)} sources publish {metric!r} for {geo_code!r}: {listed}. "
            "A trend follows one source: "
            "pass dataset= and/or reporter=, or draw them side by side with compare_reporters()."
        )
    notes: list[str] = []
    rows = rows.sort_values(["year", "vintage", "figure_id"])
    dup = rows[rows.duplicated("year", keep=False)]
    if not dup.empty:
        latest = rows.drop_duplicates("year", keep="last")
        for y, g in dup.groupby("year"):
            kept = latest[latest["year"] == y]["vintage"].iloc[0]
            others = ", ".join(sorted(set(g["vintage"].astype("str")) - {kept}))
            notes.append(f"{int(y)}: the {kept} edition is drawn (also published in {others}).")
        rows = latest
    ds, rep = pairs[0]
    geo_name = str(rows["geo_name"].iloc[0])
    unit = str(rows["unit"].iloc[0])
    check_small_cells(rows, allow_small_cells)

    cov = pd.DataFrame()
    if coverage is None or coverage:
        c = (
            _select(counts, "agencies_reporting", geo_code, "total", ds, None, None)
            .sort_values(["year", "vintage", "figure_id"])
            .drop_duplicates("year", keep="last")
        )
        if coverage and c.empty:
            notes.append("No reporting-coverage figures (agencies_reporting) in this dataset.")
        cov = c if (coverage or ds.startswith("fbi")) else cov
    cov_panel = not cov.empty

    years = [int(y) for y in rows["year"]]
    all_years = list(range(min(years), max(years) + 1))
    missing = [y for y in all_years if y not in years]
    marks, conflict_footer, conflict_sentences = conflict_notes(counts, rows)
    bd = breakdown_label(breakdown)
    what = metric_name(metric) + ("" if bd == "all" else f" ({bd})")
    title = f"{what[0].upper() + what[1:]}, {geo_name}, {min(years)}–{max(years)}"
    cite = publisher_short(str(rows["citation"].iloc[0]))
    subtitle = f"Counted by {rep}" + ("" if cite in rep else f", published by {cite}") + f"; in {unit}."
    short, long = verdict_sentences(what[0].upper() + what[1:], rows)
    coverage_note = ""
    if not cov.empty:
        a0, a1 = float(cov["value"].iloc[0]), float(cov["value"].iloc[-1])
        if a0 > 0 and abs(a1 - a0) / a0 > 0.1:
            moved = "grew" if a1 > a0 else "fell"
            span = f"{int(cov['year'].iloc[0])}–{int(cov['year'].iloc[-1])}"
            coverage_note = (
                f"Agencies reporting {moved} from {number(a0)} to {number(a1)} ({span}): the counts "
                f"{'rise' if a1 > a0 else 'fall'} partly because {'more' if a1 > a0 else 'fewer'} "
                "agencies report."
            )
            short += f", while agencies reporting {moved} from {number(a0)} to {number(a1)}"
            long += " " + coverage_note
    gaps = (
        [f"No data for {', '.join(str(y) for y in missing)}: drawn as a gap labelled 'no data', not joined."]
        if missing
        else []
    )
    supp = rows[rows["qualifier"].astype("str") == "suppressed"]
    suppressed = (
        [
            "Withheld by the publisher (a count from 0 to 4) in "
            f"{', '.join(str(int(y)) for y in supp['year'])}: "
            "drawn as a hatched band from 0 to 4."
        ]
        if not supp.empty
        else []
    )
    changes = []
    prev = None
    for r in records(rows, "vintage", "year"):
        if prev is not None and str(r.vintage) != str(prev.vintage):
            changes.append((int(prev.year), int(r.year), str(r.vintage)))
        prev = r
    vintage_sentences = [f"The source edition changes between {a} and {b} (to {v})." for a, b, v in changes]
    if not supp.empty:
        notes.append("Hatched: withheld by the publisher (0 to 4).")
    if missing:
        notes.append("Gaps: no figure published for that year.")
    notes += conflict_footer
    if changes:
        notes.append("Dashed line: new source edition.")
    if coverage_note:
        notes.append(coverage_note)
    elif cov_panel:
        notes.append("Counts depend on how many agencies report (second panel).")
    summary = f"{what} in {geo_name} as counted by {rep}: {values_sentence(rows)}."
    if cov_panel:
        summary += f" A second panel shows the agencies reporting each year: {values_sentence(cov)}."

    with house_style(p) as sizes:
        fig = new_figure(p)
        plotted_src = pd.concat([rows, cov]) if cov_panel else rows
        info = ChartInfo(
            kind="trend",
            title=title,
            subtitle=subtitle,
            summary=summary,
            plotted=rows.iloc[0:0],
            citations=list(dict.fromkeys(plotted_src["citation"].astype("str"))),
            sources=[],
            notes=notes,
            bounds=bound_sentences(rows),
            gaps=gaps,
            conflicts=conflict_sentences,
            suppressed=suppressed,
            vintage_changes=vintage_sentences,
            verdicts=[long],
            # on screens the coverage change is beside the verdict (the takeaway): not said twice
            short_notes=[n for n in notes if n != coverage_note],
        )
        info.sources = source_names(info.citations)
        info.details = list(
            dict.fromkeys(f"{r.note}" for r in records(plotted_src, "note") if str(r.note) != "<NA>")
        )
        takeaway = short[0].upper() + short[1:] + "."
        frame = draw_frame(
            fig, sizes, title, subtitle, info.footer_text(), info.footer_text(compact=True), takeaway=takeaway
        )
        info.footer = frame.footer
        n = 2 if cov_panel else 1
        # the coverage panel beside the counts (each at full height), stacked under them on print pages
        side = True  # each panel at full height (stacked, they fall under a third of it)
        cells = panel_cells(
            frame.body, n, side_by_side=side, weights=[1.6, 1.0][:n] if side else [1.3, 1.0][:n]
        )
        ax = fig.add_axes((0, 0, 1, 1))
        cell_w = cells[0][2] - cells[0][0]
        suff = [marks.get(str(g), "") if str(g) != "<NA>" else "" for g in rows["conflict_group"]]
        xs = [float(y) for y in years]
        drawn = draw_figures(
            ax,
            rows,
            xs,
            color=SERIES_COLORS[0],
            sizes=sizes,
            suffixes=suff,
            label_values=labels_fit(len(all_years), cell_w, rows["value"], sizes)
            if len(rows) <= 12
            else False,
        )
        plotted = [with_drawing(rows, what, rep, xs, drawn)]
        heights = {
            int(r.year): float(r.value_high if str(r.value) == "<NA>" else r.value)
            for r in records(rows, "year", "value", "value_high")
            if not (str(r.value) == "<NA>" and str(r.value_high) == "<NA>")
        }
        mark_gaps(ax, missing, sizes, heights, max(top_of(rows) * 1.25, 5))
        for a, b, v in changes:
            mark_vintage_change(ax, (a + b) / 2, v, sizes)
        year_axis(ax, all_years, width_in=cell_w, size_pt=sizes.tick)
        count_axis(ax, top_of(rows) * 1.25)
        # the title names the metric: on screens the panel says only the unit
        heading = unit.capitalize() if sizes.compact else f"{what[0].upper() + what[1:]} ({unit})"
        panel_heading(ax, heading, "", sizes, cell_w)
        axes_cells = [(ax, cells[0])]
        if cov_panel:
            ax2 = fig.add_axes((0, 0, 1, 1), sharex=None if side else ax)
            cx = [float(y) for y in cov["year"]]
            cell_w2 = cells[1][2] - cells[1][0]
            cdrawn = draw_figures(
                ax2,
                cov,
                cx,
                color=MUTED,
                sizes=sizes,
                marker="s",
                label_values=labels_fit(len(cov), cell_w2, cov["value"], sizes) if len(cov) <= 12 else False,
            )
            plotted.append(with_drawing(cov, "agencies reporting", rep, cx, cdrawn))
            cy = [int(y) for y in cov["year"]]
            mark_gaps(ax2, [y for y in all_years if y not in cy and min(cy) < y < max(cy)], sizes)
            count_axis(ax2, top_of(cov) * 1.35)
            year_axis(ax2, sorted(set(all_years) | set(cy)), width_in=cell_w2, size_pt=sizes.tick)
            narrow = cell_w2 < 1.6  # "reporting" would not fit beside the tick labels
            panel_heading(ax2, "Agencies" if narrow else "Agencies reporting", "", sizes, cell_w2)
            axes_cells.append((ax2, cells[1]))
        fit_axes(fig, axes_cells)
        info.plotted = pd.concat(plotted, ignore_index=True)
        attach(fig, info)
    return fig
