"""The seed chart: victims rescued next to the arrest and case series of the same place (Fresno first),
with the claim under test ("the number of cases has been consistent") and its verdict in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..relations import also_reported_by, read_relations
from .common import (
    FIGURE_FIELDS,
    bound_sentences,
    conflict_notes,
    count_axis,
    figure_words,
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
)
from .draw import draw_figures, labels_fit
from .info import ChartInfo, attach
from .labels import breakdown_label, metric_name, qualified, reporter_type_name, source_names
from .presets import DEFAULT_PRESET, get_preset
from .privacy import check_small_cells
from .style import SERIES_COLORS, draw_frame, fit_axes, house_style, ink, new_figure, panel_cells, wrap

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["CASE_METRICS", "rescues_and_cases"]

#: Metrics drawn beside the rescues, one panel each, when the place has them.
CASE_METRICS: tuple[str, ...] = ("arrests", "cases_investigated", "cases_identified")
_MARKERS = ("o", "s", "^", "D", "v")


def _who(r: object, relations: pd.DataFrame) -> str:
    """The documents behind a figure: ``GV Wire and KSEE`` for one statement reported by two outlets."""
    names = [publisher_short(r.citation)] + [  # type: ignore[attr-defined]
        publisher_short(k)
        for k in also_reported_by(relations, str(r.figure_id))  # type: ignore[attr-defined]
    ]
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def rescues_and_cases(
    counts: pd.DataFrame,
    geo_code: str = "US-CA-fresno",
    *,
    claim: str | None = None,
    preset: str | None = None,
    allow_small_cells: bool = False,
) -> Figure:
    """Victims rescued in ``geo_code``, every figure side by side, next to its arrest and case series.

    Left (or top) panel: one column per published ``victims_rescued`` figure, a whole before its parts
    (``data/raw/figure_relations.csv``: 106 girls are drawn as "of them, girls", not as a conflicting
    figure); one statement reported by several outlets is one figure naming them all. Hedged figures are
    bounds (``over 230`` -> open marker, upward arrow, ``230+``). Other panels: one per metric of
    :data:`CASE_METRICS` the place has, each figure at its own year, one line per reporter and breakdown,
    with a verdict in plain words ("3 years: too few to say"). ``claim`` (a sentence about those series,
    e.g. "the number of cases has been consistent") is printed over the first of them, as the claim the
    verdict tests. ``counts`` is the normalized table; ``preset`` a name from :data:`~.presets.PRESETS`
    (default ``web``). Returns a Figure; raises ValueError when the place has no rescue figures,
    SmallCellError for a victim breakdown cell below 5 unless ``allow_small_cells``.
    """
    import pandas as pd

    p = get_preset(preset or DEFAULT_PRESET)
    here = select_yearly(counts, geo_code=geo_code)
    here_metric = here["metric"].astype("str").to_numpy()
    rescued = here[here_metric == "victims_rescued"].copy()
    if rescued.empty:
        raise ValueError(f"no yearly victims_rescued figures for {geo_code!r}")
    relations = read_relations()
    part_of = dict(
        zip(
            relations.loc[relations["relation"] == "part_of", "figure_id"],
            relations.loc[relations["relation"] == "part_of", "other"],
            strict=True,
        )
    )
    ids = set(rescued["figure_id"].astype("str"))
    # a whole, then its parts; wholes by year, totals first
    whole_of = [
        part_of.get(str(f), "") if part_of.get(str(f), "") in ids else "" for f in rescued["figure_id"]
    ]
    rescued["_whole"] = [w or str(f) for w, f in zip(whole_of, rescued["figure_id"], strict=True)]
    rescued["_is_part"] = [bool(w) for w in whole_of]
    rescued["_total"] = rescued["breakdown"] != "total"
    rescued = rescued.sort_values(["year", "_whole", "_is_part", "_total", "vintage", "figure_id"])
    is_part = rescued["_is_part"].tolist()
    rescued = rescued.drop(columns=["_whole", "_is_part", "_total"])
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
            who = publisher_short(g["citation"].iloc[0])
            name = f"{'all ' + metric_name(metric) if b == 'all' else b} ({who})"
            series.append((name, g.sort_values("year")))
        case_panels.append((metric, series))

    all_rows = pd.concat([rescued] + [g for _, ss in case_panels for _, g in ss])
    check_small_cells(all_rows, allow_small_cells)
    marks, conflict_footer, conflict_sentences = conflict_notes(counts, all_rows)

    def suffixes(rows: pd.DataFrame) -> list[str]:
        return [marks.get(str(g), "") if str(g) != "<NA>" else "" for g in rows["conflict_group"]]

    # words -------------------------------------------------------------------------------------------
    years = sorted({int(y) for y in rescued["year"]})
    when = f" in {years[0]}" if len(years) == 1 else ""
    case_names = ", ".join(metric_name(m) for m, _ in case_panels) or "no case series"
    if claim:
        title = f"{geo_name}: victims rescued{when}, and a claim about cases"
    else:
        title = f"{geo_name}: victims rescued{when} and {case_names}"
    subtitle = "Every published figure, each at its year: bounds drawn as bounds, never added up."
    rescued_rows = records(
        rescued, *FIGURE_FIELDS, "year", "reporter_type", "breakdown", "citation", "figure_id"
    )
    whos = [_who(r, relations) for r in rescued_rows]
    verdict_pairs = {
        (m, name): verdict_sentences(f"{metric_name(m).capitalize()}, {name}", g)
        for m, ss in case_panels
        for name, g in ss
        if len(g) >= 2
    }
    verdicts = [long for _, long in verdict_pairs.values()]
    rescue_words = "; ".join(
        f"{qualified(r.qualifier, r.value, r.value_low, r.value_high)[1]} in {int(r.year)}"
        + (f", of them {breakdown_label(r.breakdown)}" if part else "")
        + (f" ({breakdown_label(r.breakdown)})" if r.breakdown != "total" and not part else "")
        + f" ({reporter_type_name(r.reporter_type).lower()}, reported by {who})"
        for r, who, part in zip(rescued_rows, whos, is_part, strict=True)
    )
    case_words = " ".join(
        f"{metric_name(m).capitalize()}, {name}: {values_sentence(g)}."
        for m, ss in case_panels
        for name, g in ss
    )
    summary = f"the figures published for {geo_name} on victims rescued"
    summary += (
        f", and the yearly {case_names} that can test the claim that {claim}. "
        if claim
        else f" and on {', '.join(metric_name(m) for m, _ in case_panels) or 'arrests (none published)'}. "
    )
    summary += f"Victims rescued: {rescue_words}. {case_words}"
    bounds = bound_sentences(all_rows)
    parts_sentences = [
        f"{figure_words(r)} {breakdown_label(r.breakdown)} ({who}) are a part of the figure beside them, "
        "drawn as a part, not as a conflicting figure."
        for r, who, part in zip(rescued_rows, whos, is_part, strict=True)
        if part
    ]
    same_statement = [
        f"'{figure_words(r)}' in {int(r.year)} is one statement, reported by {who}: one figure, not {n}."
        for r, who in zip(rescued_rows, whos, strict=True)
        if (n := len(also_reported_by(relations, str(r.figure_id))) + 1) > 1
    ]
    notes: list[str] = []
    short: list[str] = []
    hedged = [
        qualified(r.qualifier, r.value, r.value_low, r.value_high)
        for r in records(all_rows, *FIGURE_FIELDS)
        if str(r.qualifier) in ("over", "at_least")
    ]
    if hedged:
        notes.append(f"{hedged[0][0]} = '{hedged[0][1]}' as published: a lower bound, not an exact count.")
        short.append(f"{hedged[0][0]}: {hedged[0][1]}, a lower bound.")
    if any(is_part):
        notes.append("'Of them': a part of the figure beside it, not a separate count.")
    notes += conflict_footer
    short += [f"{mark} Conflicting, never added." for mark in marks.values()]
    notes.append("Rescued: the reporters' word, not verified victims.")
    short.append("Rescued: the reporters' word, unverified.")

    with house_style(p) as sizes:
        fig = new_figure(p)
        citations = [str(r.citation) for r in rescued_rows]
        citations += [k for r in rescued_rows for k in also_reported_by(relations, str(r.figure_id))]
        citations += [str(c) for c in all_rows["citation"]]
        info = ChartInfo(
            kind="rescues_and_cases",
            title=title,
            subtitle=subtitle,
            summary=summary,
            plotted=all_rows.iloc[0:0],
            citations=list(dict.fromkeys(citations)),
            sources=[],
            notes=notes,
            bounds=same_statement + parts_sentences + bounds,
            conflicts=conflict_sentences,
            verdicts=verdicts,
            short_notes=short,
        )
        info.sources = source_names(info.citations)
        info.details = [
            f"{r.figure_id}: {r.note}"
            for r in records(all_rows, "figure_id", "note")
            if str(r.note) != "<NA>"
        ]
        takeaway = (f"Claim: “{claim}”. " if claim else "") + " ".join(
            f"{metric_name(m).capitalize()} ({name.split(' (')[0]}): {v[0]}."
            for (m, name), v in verdict_pairs.items()
        )
        frame = draw_frame(
            fig,
            sizes,
            title,
            subtitle,
            info.footer_text(),
            info.footer_text(compact=True),
            takeaway=takeaway,
            column=0.42,
            title_in_column=True,  # two panels need the whole height of a wide canvas
        )
        info.footer = frame.footer
        side = True  # side by side, each at full height (stacked panels fall under a third of it)
        n = 1 + len(case_panels)
        cells = panel_cells(
            frame.body,
            n,
            side_by_side=side,
            weights=[1.0] + ([1.3] if frame.column else [1.15]) * (n - 1) if side else None,
        )
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
        per = max((cell_w - 0.7) / max(len(xs), 1) - 0.05, 0.4)
        ticks = []
        for r, who, part in zip(rescued_rows, whos, is_part, strict=True):
            b = breakdown_label(r.breakdown)
            # a part of the figure before it: "of them, girls" ("incl. girls" where columns are narrow)
            first = (
                (f"incl. {b}" if frame.column else f"of them, {b}") if part else ("all" if b == "all" else b)
            )
            if len(years) > 1:
                first = f"{int(r.year)}: {first}"
            # the documents under each column, except on wide canvases (the footer names them there)
            ticks.append(
                wrap(first, per, sizes.tick) + ("" if frame.column else "\n" + wrap(who, per, sizes.tick))
            )
        ax.set_xticklabels(ticks)
        ax.set_xlim(-0.6, len(xs) - 0.4)
        ax.grid(False, axis="x")
        has_up = rescued["qualifier"].astype("str").isin(["over", "at_least"]).any()
        count_axis(ax, top_of(rescued) * (1.75 if has_up else 1.3))
        panel_heading(ax, f"Rescued{when}" if frame.column else f"Victims rescued{when}", "", sizes, cell_w)
        axes_cells = [(ax, cells[0])]

        # case panels ------------------------------------------------------------------------------------
        for k, (metric, series) in enumerate(case_panels, start=1):
            ax = fig.add_axes((0, 0, 1, 1))
            cell_w = cells[k][2] - cells[k][0]
            years_k = sorted({int(y) for _, g in series for y in g["year"]})
            rows = pd.concat([g for _, g in series])
            for j, (name, g) in enumerate(series):
                xs = [float(y) for y in g["year"]]  # each figure at its own year
                drawn = draw_figures(
                    ax,
                    g,
                    xs,
                    color=SERIES_COLORS[(j + 1) % len(SERIES_COLORS)],
                    marker=_MARKERS[j % 5],
                    sizes=sizes,
                    label_values=labels_fit(len(years_k), cell_w, rows["value"], sizes),
                    label=name,
                    suffixes=suffixes(g),
                )
                plotted.append(with_drawing(g, metric_name(metric), name, xs, drawn))
            year_axis(ax, years_k, width_in=cell_w, size_pt=sizes.tick)
            count_axis(ax, top_of(rows) * 1.3)
            if frame.column is None:
                series_legend(ax, fig, sizes, cell_w, frame)
            else:  # wide canvases: each series named at its last figure, no legend to find
                for j, (name, g) in enumerate(series):
                    # a line: named above its first figure (clear of the value labels)
                    r = g.iloc[0]
                    y = float(r["value_high"] if str(r["value"]) == "<NA>" else r["value"])
                    line = len(g) > 1
                    ax.annotate(
                        wrap(name.split(" (")[0], cell_w - 0.8, sizes.small),
                        xy=(float(r["year"]), y),
                        # a point: to its right, above it and past its value label
                        xytext=(-4, 3.0 * sizes.body) if line else (1.6 * sizes.body, 2),
                        textcoords="offset points",
                        ha="left",
                        va="bottom",
                        fontsize=sizes.small,
                        color=ink(SERIES_COLORS[(j + 1) % len(SERIES_COLORS)]),
                        annotation_clip=False,
                        gid="series-label",
                    )
            panel_heading(ax, metric_name(metric).capitalize(), "", sizes, cell_w)
            axes_cells.append((ax, cells[k]))

        fit_axes(fig, axes_cells)
        info.plotted = pd.concat(plotted, ignore_index=True)
        attach(fig, info)
    return fig
