"""``place_chart``: one metric for one place over the years, every reporter side by side, never summed.

The chart of a place page (``trafficking-stats site``) and of ``trafficking-stats chart --place CODE``.
It works for any place and metric the table holds (``trafficking_stats.places``), so it cannot be tuned
by hand: one series per reporter (dataset and reporter), every figure at its own year, told apart by
marker and colour (value labels of one year stacked where they would collide: :func:`_label_slots`);
exact figures of consecutive years joined, bounds drawn as bounds, withheld cells as a hatched 0-4 band,
years no series covers labelled "no data". Where a reporter published one year in several editions, the
latest edition is drawn and the footer and description say so. Legends and footers are fitted to the
canvas (:func:`.style.fitted_labels`, :func:`.style.draw_frame`); the description keeps every name and
note in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (
    bound_sentences,
    column_keys,
    conflict_notes,
    count_axis,
    panel_heading,
    publisher_short,
    records,
    select_yearly,
    series_legend,
    top_of,
    values_sentence,
    verdict_sentences,
    with_drawing,
    year_axis,
    year_span,
)
from .draw import draw_figures, labels_fit, mark_gaps
from .info import ChartInfo, attach
from .labels import breakdown_label, citation_info, metric_name, source_names
from .presets import DEFAULT_PRESET, get_preset
from .privacy import check_small_cells
from .style import SERIES_COLORS, draw_frame, fit_axes, house_style, new_figure, panel_cells

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["place_chart"]
_MARKERS = ("o", "s", "^", "D", "v", "P")
#: Marker size of the n-th series (the first is drawn first, at full size): where two series give the
#: same figure in a year, the later marker sits inside the earlier one and both show.
_MARKER_SCALES = (1.0, 0.8, 0.66)


def _latest_per_year(g: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """One figure per year (the latest edition) and a note for each year published in several editions."""
    if g["year"].is_unique:  # the common case: one edition a year; a one-key sort is 8x faster
        return g.sort_values("year"), []
    g = g.sort_values(["year", "vintage", "figure_id"])
    dup = g[g.duplicated("year", keep=False)]
    if dup.empty:
        return g, []
    latest = g.drop_duplicates("year", keep="last")
    notes = []
    for y, d in dup.groupby("year"):
        kept = str(latest.loc[latest["year"] == y, "vintage"].iloc[0])
        others = ", ".join(sorted(set(d["vintage"].astype("str")) - {kept}))
        notes.append(f"{name}, {int(y)}: the {kept} edition is drawn (also published in {others}).")
    return latest, notes


def _label_slots(
    groups: list[tuple[str, pd.DataFrame]], top: float
) -> list[tuple[list[int], list[float | None]]]:
    """Where each series' exact values are labelled (:func:`.draw.draw_figures` ``label_slots`` and
    ``label_anchors``) when several reporters have a figure in one year: an equal value once (the first
    series); the highest above its marker, as is any value more than 15% of the axis ``top`` under the
    next higher one; of the others, the lowest under its marker (unless it is within a tenth of ``top`` of
    the zero line, where the year labels are), the rest stacked above the highest's label."""
    by_year: dict[float, set[float]] = {}
    for _name, g in groups:
        for y, q, v in zip(g["year"], g["qualifier"].astype("str"), g["value"], strict=True):
            if q == "exact":
                by_year.setdefault(float(y), set()).add(float(v))
    out = []
    seen: set[tuple[float, float]] = set()
    for _name, g in groups:
        slots: list[int] = []
        anchors: list[float | None] = []
        for y, q, v in zip(g["year"], g["qualifier"].astype("str"), g["value"], strict=True):
            anchors.append(None)
            if q != "exact":
                slots.append(0)
                continue
            key = (float(y), float(v))
            values = sorted(by_year[float(y)], reverse=True)
            i = values.index(float(v))
            if key in seen:
                slots.append(-1)
            elif i == 0 or values[i - 1] - float(v) > 0.15 * top:  # the highest, or far under the next
                slots.append(0)
            elif float(v) == values[-1] and float(v) >= top / 10:
                slots.append(-2)
            else:  # stacked over the highest value's label
                slots.append(i)
                anchors[-1] = values[0]
            seen.add(key)
        out.append((slots, anchors))
    return out


def _dataset_short(dataset: str) -> str:
    """The legend's few words for a bulk dataset (``short_title`` in sources.toml), or "" for none."""
    from ..sources.base import source_info

    try:
        return source_info(dataset).short_title
    except KeyError:
        return ""


def place_chart(
    counts: pd.DataFrame,
    geo_code: str,
    metric: str,
    *,
    breakdown: str = "total",
    preset: str | None = None,
    allow_small_cells: bool = False,
) -> Figure:
    """Yearly figures of ``metric`` for the place ``geo_code`` from every reporter, side by side.

    Nothing is added or averaged across reporters. Raises ValueError when the table has no yearly figure
    of ``metric`` for ``geo_code`` (naming the metrics it has), and
    :class:`~.privacy.SmallCellError` for victim breakdown cells below 5 unless ``allow_small_cells``.
    """
    import pandas as pd

    p = get_preset(preset or DEFAULT_PRESET)
    rows = select_yearly(counts, metric=metric, geo_code=geo_code, breakdown=breakdown)
    if rows.empty:
        have = sorted(
            set(select_yearly(counts, geo_code=geo_code, breakdown=breakdown)["metric"].astype("str"))
        )
        listed = ", ".join(have) if have else "none"
        raise ValueError(
            f"no yearly {metric!r} figures for {geo_code!r} with breakdown {breakdown!r}; "
            f"metrics with such figures there: {listed}"
        )
    check_small_cells(rows, allow_small_cells)
    notes: list[str] = []
    groups = []
    reporters = []
    for (_ds, rep), g in rows.groupby(["dataset", "reporter"], sort=True):
        short = publisher_short(str(g["citation"].iloc[0]))
        name = str(rep) if short in str(rep) else f"{rep} ({short})"
        g, edition_notes = _latest_per_year(g, str(rep))
        notes += edition_notes
        groups.append((name, g))
        reporters.append(str(rep))
    # the legend shortens (series_legend clips it to fit); titles, descriptions and sidecars never do
    legend_names = [name for name, _ in groups]
    for i, (_name, g) in enumerate(groups):  # one reporter in several datasets: name the documents
        if reporters.count(reporters[i]) > 1:
            title = citation_info(str(g["citation"].iloc[-1])).title.strip("[]")
            groups[i] = (f"{reporters[i]}: {title}", g)
            first = reporters.index(reporters[i])  # one short form of the reporter for all its series
            short = publisher_short(str(groups[first][1]["citation"].iloc[0]))
            words = _dataset_short(str(g["dataset"].iloc[0])) or title
            # a title such as a headline may already begin with the publisher ("FBI: Human trafficking…")
            legend_names[i] = words if words.startswith(f"{short}:") else f"{short}: {words}"
    n = len(groups)
    # one reporter's several datasets (the FBI's CDE download, tables and master file) are not reporters
    kinds, differ = (
        ("datasets", "coverage and edition")
        if len(set(reporters)) == 1
        else ("reporters", "coverage and definition")
    )
    drawn_rows = pd.concat([g for _, g in groups])
    geo_name = str(rows["geo_name"].iloc[0])
    bd = breakdown_label(breakdown)
    what = metric_name(metric) + ("" if bd == "all" else f" ({bd})")
    What = what[0].upper() + what[1:]
    years = sorted({int(y) for y in drawn_rows["year"]})
    all_years = list(range(years[0], years[-1] + 1))
    missing = [y for y in all_years if y not in years]
    units = list(dict.fromkeys(drawn_rows["unit"].astype("str")))
    unit = " / ".join(units)
    title = f"{What}, {geo_name}, {year_span(years[0], years[-1])}"
    if n == 1:
        subtitle = f"As counted by {groups[0][0]}, in {unit}."
    else:
        subtitle = f"{n} {kinds} side by side, in {unit}: figures from different {kinds} are never added."
    marks, conflict_footer, conflict_sentences = conflict_notes(counts, drawn_rows)
    if n == 1:
        summary = f"{what} in {geo_name} as counted by {groups[0][0]}: {values_sentence(groups[0][1])}."
    else:
        summary = f"{what} in {geo_name} from {n} {kinds} side by side, never added: " + " ".join(
            f"{name}: {values_sentence(g)}." for name, g in groups
        )
    gaps = (
        [f"No data for {', '.join(str(y) for y in missing)}: drawn as a gap labelled 'no data', not joined."]
        if missing
        else []
    )
    supp = drawn_rows[drawn_rows["qualifier"].astype("str") == "suppressed"]
    suppressed = (
        [
            "Withheld by the publisher (a count from 0 to 4) in "
            f"{', '.join(sorted({str(int(y)) for y in supp['year']}))}: drawn as a hatched band from 0 to 4."
        ]
        if not supp.empty
        else []
    )
    short_verdict, long_verdict = verdict_sentences(What, groups[0][1]) if n == 1 else ("", "")
    verdicts = [long_verdict] if n == 1 else []
    hatched = ["Hatched: withheld by the publisher (0 to 4)."] if not supp.empty else []
    gaps_key = ["Gaps: no figure published for that year."] if missing else []
    compare = [f"{kinds.capitalize()} differ in {differ}; compare, do not add."] if n > 1 else []
    footer_notes = hatched + gaps_key + compare + conflict_footer + notes
    # screens (compact): the notes in a few words, the keys to what is drawn first; when the footer would
    # squeeze the plot (wide canvases), the last ones are left out (draw_frame; the description keeps all)
    short_notes = (
        hatched
        + ([f"{''.join(marks.values())} Conflicting figures: see the notes."] if conflict_footer else [])
        + compare
        + gaps_key
        + (["Years published in several editions: the latest is drawn."] if notes else [])
    )

    with house_style(p) as sizes:
        fig = new_figure(p)
        info = ChartInfo(
            kind="place",
            title=title,
            subtitle=subtitle,
            summary=summary,
            plotted=rows.iloc[0:0],
            citations=list(dict.fromkeys(drawn_rows["citation"].astype("str"))),
            sources=[],
            notes=footer_notes,
            bounds=bound_sentences(drawn_rows),
            gaps=gaps,
            conflicts=conflict_sentences,
            suppressed=suppressed,
            vintage_changes=notes,
            verdicts=verdicts,
            short_notes=short_notes,
        )
        info.sources = source_names(info.citations)
        info.details = list(
            dict.fromkeys(str(r.note) for r in records(drawn_rows, "note") if str(r.note) != "<NA>")
        )
        frame = draw_frame(
            fig,
            sizes,
            title,
            subtitle,
            info.footer_text(),
            [info.footer_text(compact=True, notes=short_notes[:k]) for k in range(len(short_notes), -1, -1)],
            takeaway=(short_verdict[0].upper() + short_verdict[1:] + ".") if short_verdict else "",
            column=0.45 if n > 1 else 0.3,
        )
        info.footer = frame.footer
        if sizes.compact and frame.footer_choice > 0:  # wide canvases: the keys left out of the footer
            dropped = short_notes[len(short_notes) - frame.footer_choice :]
            frame = column_keys(fig, frame, dropped, sizes, n if n > 1 else 0)
        cell = panel_cells(frame.body, 1, side_by_side=False)[0]
        cell_w = cell[2] - cell[0]
        ax = fig.add_axes((0, 0, 1, 1))
        width = 0.6
        plotted = []
        label_values = (
            labels_fit(len(all_years), cell_w, drawn_rows["value"], sizes) if len(drawn_rows) <= 8 else False
        )
        marked: set[tuple[float, str]] = set()  # one mark per year and conflict: members share the x
        top = top_of(drawn_rows) * 1.25
        slots_of = _label_slots(groups, top)
        for j, (name, g) in enumerate(groups):
            xs = [float(y) for y in g["year"]]  # every figure at its own year: markers tell series apart
            suff = [marks.get(str(c), "") if str(c) != "<NA>" else "" for c in g["conflict_group"]]
            if label_values is False:  # bare marks (no value labels): the second one would sit on the first
                for k, (x, mark) in enumerate(zip(xs, suff, strict=True)):
                    if mark and (x, mark) in marked:
                        suff[k] = ""
                    marked.add((x, mark))
            drawn = draw_figures(
                ax,
                g,
                xs,
                label_slots=slots_of[j][0],
                label_anchors=slots_of[j][1],
                color=SERIES_COLORS[j % len(SERIES_COLORS)],
                marker=_MARKERS[j % len(_MARKERS)],
                marker_scale=_MARKER_SCALES[min(j, len(_MARKER_SCALES) - 1)],
                sizes=sizes,
                label=legend_names[j] if n > 1 else None,
                suffixes=suff,
                label_values=label_values,
                band_width=width / max(n, 1) if n > 1 else 0.6,
            )
            plotted.append(with_drawing(g, what, name, xs, drawn))
        mark_gaps(ax, missing, sizes)
        year_axis(ax, all_years, pad=0.6, width_in=cell_w, size_pt=sizes.tick)
        count_axis(ax, top)
        panel_heading(ax, unit.capitalize() if sizes.compact else f"{What} ({unit})", "", sizes, cell_w)
        if n > 1:
            series_legend(ax, fig, sizes, cell_w, frame)
        fit_axes(fig, [(ax, cell)], passes=1)
        pad = sizes.margin / 2  # the panel with its tick labels and heading, for a phone-sized view
        info.views["panel"] = (cell[0] - pad, cell[1] - pad, cell[2] + pad, cell[3] + pad)
        info.plotted = pd.concat(plotted, ignore_index=True)
        attach(fig, info)
    return fig
