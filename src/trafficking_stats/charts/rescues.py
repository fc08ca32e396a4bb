"""The seed chart: victims rescued next to the arrest and case series of the same place (Fresno first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (
    FIGURE_FIELDS,
    below_axis,
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
from .draw import draw_figures
from .info import ChartInfo, attach
from .labels import breakdown_label, metric_name, qualified, reporter_type_name, source_names
from .presets import DEFAULT_PRESET, get_preset
from .privacy import check_small_cells
from .style import SERIES_COLORS, draw_frame, fit_axes, house_style, new_figure, panel_cells, wrap

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["CASE_METRICS", "rescues_and_cases"]

#: Metrics drawn beside the rescues, one panel each, when the place has them.
CASE_METRICS: tuple[str, ...] = ("arrests", "cases_investigated", "cases_identified")
_MARKERS = ("o", "s", "^", "D", "v")


def _rescue_label(r: object, with_year: bool) -> str:
    """Category label of a rescue figure: ``Police, girls`` / ``Fresno Bee`` (year first if years differ)."""
    who = reporter_type_name(r.reporter_type)  # type: ignore[attr-defined]
    b = breakdown_label(r.breakdown)  # type: ignore[attr-defined]
    first = f"{int(r.year)} {who}" if with_year else who  # type: ignore[attr-defined]
    if b != "all":
        first += f", {b}"
    return f"{first}\n{publisher_short(r.citation)}"  # type: ignore[attr-defined]


def rescues_and_cases(
    counts: pd.DataFrame,
    geo_code: str = "US-CA-fresno",
    *,
    preset: str | None = None,
    allow_small_cells: bool = False,
) -> Figure:
    """Victims rescued in ``geo_code``, every figure side by side, next to its arrest and case series.

    Left (or top) panel: one column per published ``victims_rescued`` figure (by year, reporter and
    breakdown): hedged figures as bounds (``over 230`` -> open marker, upward arrow, ``230+``), conflicting
    figures footnoted. Other panels: one per metric of :data:`CASE_METRICS` the place has, one line per
    reporter, breakdown and edition, with a consistency verdict (or the honest "not enough data").
    ``counts`` is the normalized table; ``preset`` a name from :data:`~.presets.PRESETS` (default ``web``).
    Returns a Figure; raises ValueError when the place has no rescue figures, SmallCellError for a victim
    breakdown cell below 5 unless ``allow_small_cells``.
    """
    import pandas as pd

    p = get_preset(preset or DEFAULT_PRESET)
    here = select_yearly(counts, geo_code=geo_code)
    here_metric = here["metric"].astype("str").to_numpy()
    rescued = here[here_metric == "victims_rescued"].copy()
    if rescued.empty:
        raise ValueError(f"no yearly victims_rescued figures for {geo_code!r}")
    rescued["_total"] = rescued["breakdown"] != "total"
    rescued = rescued.sort_values(["year", "_total", "vintage", "figure_id"]).drop(columns="_total")
    geo_name = str(rescued["geo_name"].iloc[0])

    case_panels: list[tuple[str, list[tuple[str, pd.DataFrame]]]] = []
    for metric in CASE_METRICS:
        is_metric = here_metric == metric
        if not is_metric.any():  # no row-taking on the many-column frame for an absent metric
            continue
        m = here[is_metric]
        series = []
        for key, g in m.groupby(["dataset", "reporter", "breakdown", "vintage"], sort=True):
            b = breakdown_label(key[2])
            name = f"{'total as published' if b == 'all' else b} ({publisher_short(g['citation'].iloc[0])})"
            series.append((name, g.sort_values("year")))
        case_panels.append((metric, series))

    all_rows = pd.concat([rescued] + [g for _, ss in case_panels for _, g in ss])
    check_small_cells(all_rows, allow_small_cells)
    marks, conflict_footer, conflict_sentences = conflict_notes(counts, all_rows)

    def suffixes(rows: pd.DataFrame) -> list[str]:
        return [marks.get(str(g), "") if str(g) != "<NA>" else "" for g in rows["conflict_group"]]

    # words -------------------------------------------------------------------------------------------
    case_names = ", ".join(metric_name(m) for m, _ in case_panels) or "no case series"
    title = f"{geo_name}: victims rescued and {case_names}"
    subtitle = (
        "Every published figure, side by side: bounds drawn as bounds, different reporters never added."
    )
    rescued_rows = records(rescued, *FIGURE_FIELDS, "year", "reporter_type", "breakdown", "citation")
    verdict_pairs = {
        (m, name): verdict_sentences(f"{metric_name(m).capitalize()}, {name}", g)
        for m, ss in case_panels
        for name, g in ss
        if len(g) >= 2
    }
    verdicts = [long for _, long in verdict_pairs.values()]
    rescue_words = "; ".join(
        f"{qualified(r.qualifier, r.value, r.value_low, r.value_high)[1]} in {int(r.year)} "
        f"({reporter_type_name(r.reporter_type).lower()}"
        + (f", {breakdown_label(r.breakdown)}" if r.breakdown != "total" else "")
        + f", {publisher_short(r.citation)})"
        for r in rescued_rows
    )
    case_words = " ".join(
        f"{metric_name(m).capitalize()}, {name}: {values_sentence(g)}."
        for m, ss in case_panels
        for name, g in ss
    )
    summary = (
        f"the figures published for {geo_name} on victims rescued and on "
        f"{', '.join(metric_name(m) for m, _ in case_panels) or 'arrests (none published)'}. "
        f"Victims rescued: {rescue_words}. {case_words}"
    )
    bounds = bound_sentences(all_rows)
    notes = []
    if any(str(q) in ("over", "at_least") for q in all_rows["qualifier"]):
        lab = next(
            qualified(r.qualifier, r.value, r.value_low, r.value_high)
            for r in records(all_rows, *FIGURE_FIELDS)
            if str(r.qualifier) in ("over", "at_least")
        )
        notes.append(f"{lab[0]} = '{lab[1]}' as published: a lower bound, not an exact count.")
    notes += conflict_footer
    notes.append("Rescued: the reporters' word, not verified victims.")

    with house_style(p) as sizes:
        fig = new_figure(p)
        info = ChartInfo(
            kind="rescues_and_cases",
            title=title,
            subtitle=subtitle,
            summary=summary,
            plotted=all_rows.iloc[0:0],
            citations=list(dict.fromkeys(all_rows["citation"].astype("str"))),
            sources=[],
            notes=notes,
            bounds=bounds,
            conflicts=conflict_sentences,
            verdicts=verdicts,
        )
        info.sources = source_names(info.citations)
        info.details = [
            f"{r.figure_id}: {r.note}"
            for r in records(all_rows, "figure_id", "note")
            if str(r.note) != "<NA>"
        ]
        info.short_notes = [notes[0]] if bounds else []
        if conflict_footer:
            info.short_notes.append(
                f"{''.join(marks.values())} Conflicting figures, shown side by side, never added "
                "(see the description)."
            )
        frame = draw_frame(fig, sizes, title, subtitle, info.footer_text(), info.footer_text(compact=True))
        info.footer = frame.footer
        w, h = fig.get_size_inches()
        side = w / h >= 0.95
        n = 1 + len(case_panels)
        cells = panel_cells(frame.body, n, side_by_side=side)
        plotted = []

        # rescues panel ----------------------------------------------------------------------------------
        ax = fig.add_axes((0, 0, 1, 1))
        xs = [float(i) for i in range(len(rescued))]
        cell_w = cells[0][2] - cells[0][0]
        drawn = draw_figures(
            ax,
            rescued,
            xs,
            color=SERIES_COLORS[0],
            sizes=sizes,
            join=False,
            label_values=True,
            suffixes=suffixes(rescued),
        )
        plotted.append(with_drawing(rescued, "victims rescued", "victims rescued", xs, drawn))
        ax.set_xticks(xs)
        per = max((cell_w - 0.5) / max(len(xs), 1) - 0.05, 0.5)
        years = sorted({int(y) for y in rescued["year"]})
        ax.set_xticklabels(
            [
                "\n".join(
                    wrap(part, per, sizes.tick) for part in _rescue_label(r, len(years) > 1).split("\n")
                )
                for r in rescued_rows
            ]
        )
        ax.set_xlim(-0.6, len(xs) - 0.4)
        ax.grid(False, axis="x")
        has_up = rescued["qualifier"].astype("str").isin(["over", "at_least"]).any()
        count_axis(ax, top_of(rescued) * (1.75 if has_up else 1.3))
        when = f" in {years[0]}" if len(years) == 1 else ""
        panel_heading(ax, f"Victims rescued{when} (persons)", "", sizes, cell_w)
        axes_cells = [(ax, cells[0])]

        # case panels ------------------------------------------------------------------------------------
        for k, (metric, series) in enumerate(case_panels, start=1):
            ax = fig.add_axes((0, 0, 1, 1))
            cell_w = cells[k][2] - cells[k][0]
            years = sorted({int(y) for _, g in series for y in g["year"]})
            nser = len(series)
            for j, (name, g) in enumerate(series):
                off = (j - (nser - 1) / 2) * min(0.18, 0.6 / nser)
                xs = [float(y) + off for y in g["year"]]
                drawn = draw_figures(
                    ax,
                    g,
                    xs,
                    color=SERIES_COLORS[(j + 1) % len(SERIES_COLORS)],
                    marker=_MARKERS[j % 5],
                    sizes=sizes,
                    label_values=True,
                    label=name,
                    suffixes=suffixes(g),
                )
                plotted.append(with_drawing(g, metric_name(metric), name, xs, drawn))
            year_axis(ax, years)
            rows = pd.concat([g for _, g in series])
            count_axis(ax, top_of(rows) * 1.3)
            handles, labels = ax.get_legend_handles_labels()
            ax.legend(
                handles,
                [wrap(lb, cell_w - 0.9, sizes.tick * 0.9) for lb in labels],
                loc="upper left",
                bbox_to_anchor=(0, 0),
                bbox_transform=below_axis(ax, fig, sizes),
                fontsize=sizes.tick * 0.9,
                handlelength=1.2,
                borderaxespad=0,
                labelspacing=0.3,
            )
            shorts = [(name, v[0]) for (m, name), v in verdict_pairs.items() if m == metric]
            sub = " ".join(v if len(shorts) == 1 else f"{name}: {v}" for name, v in shorts)
            unit = str(rows["unit"].iloc[0])
            heading = metric_name(metric).capitalize() + ("" if unit == metric else f" ({unit})")
            panel_heading(ax, heading, sub, sizes, cell_w)
            axes_cells.append((ax, cells[k]))

        fit_axes(fig, axes_cells)
        info.plotted = pd.concat(plotted, ignore_index=True)
        attach(fig, info)
    return fig
