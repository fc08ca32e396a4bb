"""``hidden_population``: the cases known from overlapping lists next to the multiple systems estimate.

Definitions (see :mod:`trafficking_stats.mse`):

* *known* (observed) -- the number of distinct people on at least one list: the sum of the list table's
  ``count`` column. A count.
* *estimated total* -- the known plus the *dark figure*, a log-linear model's estimate of the people on no
  list (:func:`trafficking_stats.mse.estimate_population`). A model estimate, never a count: it is drawn
  as its 95% model-conditional interval (shaded) with an open diamond at the point estimate, and labelled
  ``≈11,400 (95%: 9,980–13,200)``. The interval is conditional on the chosen model: it leaves out the
  uncertainty of choosing the model.
* *published range* -- the range the publisher printed (UK 2013: the Home Office's "between 10 thousand
  and 13 thousand"), drawn as a shaded column labelled with its source and as a faint band across the
  panels.

Rounding: estimates in labels and sentences have 3 significant figures (11,417.99 -> 11,400), never
finer than whole persons (34.2 -> 34); interval limits are rounded outward in the same way (the lower
limit down, the upper limit up: 9,982.26 -> 9,980 and 13,181.69 -> 13,200), so the printed interval
always contains the computed one. The known count is exact and printed in full. The sidecar CSV keeps
the computed values to 0.1 person.

Units: persons throughout.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import count_axis, panel_heading, records
from .info import CSV_COLUMNS, ChartInfo, attach
from .labels import CitationInfo, number
from .presets import DEFAULT_PRESET, get_preset
from .style import MUTED, OKABE_ITO, draw_frame, fit_axes, house_style, ink, new_figure, panel_cells, wrap

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from ..mse import ListTable, MSEResult

__all__ = ["PUBLISHED_RANGES", "PublishedRange", "approx_label", "hidden_population", "round_sig"]

#: Significant figures of estimates in labels and sentences.
SIG_FIGS = 3


@dataclass(frozen=True)
class PublishedRange:
    """A range of the population size as published: ``low`` to ``high`` persons, cited by ``citation``
    (a key of the list table's references), named ``source`` in labels, with the publisher's words and a
    ``note`` on how it was made (said in the description)."""

    low: float
    high: float
    citation: str
    source: str
    quote: str = ""
    note: str = ""


#: Published ranges of the tables in ``data/raw/mse``, by file name, drawn when ``published="auto"``.
PUBLISHED_RANGES: dict[str, PublishedRange] = {
    "uk2013_6lists.csv": PublishedRange(
        10_000,
        13_000,
        "silverman-2014",
        "Home Office, 2014",
        "This approach gives an estimate of between 10 thousand and 13 thousand, in total, of potential "
        "victims in the UK in 2013.",
        "The published range was made from these six lists by a stepwise multiple systems method "
        "(Silverman 2020, J. R. Statist. Soc. A 183(3)), so agreement with it reproduces that analysis; "
        "it is not an independent check.",
    ),
}


@dataclass(frozen=True)
class _TableFacts:
    place: str  # for titles: "UK 2013"
    where: str  # for sentences: "in the UK in 2013"
    population: str


#: What the cases of known tables are, for titles and sentences (others: "people").
_FACTS: dict[str, _TableFacts] = {
    f"uk2013_{n}lists.csv": _TableFacts("UK 2013", "in the UK in 2013", "potential victims of modern slavery")
    for n in (4, 5, 6)
}

_METHOD_WORDS = {
    "stepwise": "stepwise selection of two-list terms (Chan, Silverman and Vincent 2021)",
    "aic": "forward selection by AIC (Bales, Hesketh and Silverman 2015)",
    "bic": "the smallest-BIC model (Silverman, Chan and Vincent 2024)",
    "main": "main effects only (lists independent)",
}
_METHOD_TICKS = {"stepwise": "Stepwise", "aic": "AIC", "bic": "BIC", "main": "Main effects"}
_METHOD_TICKS_SHORT = {"stepwise": "Stepwise", "aic": "AIC", "bic": "BIC", "main": "Main\neffects"}


# ------------------------------------------------------------------------------------------ rounding


def round_sig(value: float, digits: int = SIG_FIGS, direction: str = "nearest") -> float:
    """``value`` rounded to ``digits`` significant figures: ``nearest`` (halves up), ``down`` or ``up``.

    ``round_sig(11417.99) == 11400``, ``round_sig(9982.26, direction="down") == 9980``,
    ``round_sig(13181.69, direction="up") == 13200``. Zero and non-finite values are returned unchanged.
    """
    if value == 0 or not math.isfinite(value):
        return value
    exp = math.floor(math.log10(abs(value))) - digits + 1
    scaled = value / 10.0**exp
    if direction == "down":
        n = math.floor(scaled)
    elif direction == "up":
        n = math.ceil(scaled)
    elif direction == "nearest":
        n = math.floor(scaled + 0.5)
    else:
        raise ValueError(f"direction must be 'nearest', 'down' or 'up', got {direction!r}")
    return float(n * 10**exp) if exp >= 0 else round(n * 10.0**exp, -exp)


def _sig(value: float, direction: str = "nearest") -> str:
    """``value`` as text to :data:`SIG_FIGS` significant figures, but never finer than whole persons."""
    if abs(value) < 10 ** (SIG_FIGS - 1) and math.isfinite(value):
        whole = {"down": math.floor, "up": math.ceil}.get(direction, lambda v: math.floor(v + 0.5))
        return number(whole(value))
    return number(round_sig(value, SIG_FIGS, direction))


def _interval_words(lo: float, hi: float, sep: str = "–", short: bool = False) -> str:
    """``9,980–13,200``; an interval without upper limit (a profile likelihood that never falls below the
    cut-off) is ``from 1,410, no upper limit`` (``short``: ``≥1,410``)."""
    if not math.isfinite(hi):
        return f"≥{_sig(lo, 'down')}" if short else f"from {_sig(lo, 'down')}, no upper limit"
    return f"{_sig(lo, 'down')}{sep}{_sig(hi, 'up')}"


def approx_label(estimate: float, low: float, high: float, level: str = "95%") -> str:
    """The chart label of a model estimate: ``≈11,400 (95%: 9,980–13,200)`` (see the module's rounding)."""
    return f"≈{_sig(estimate)} ({level}: {_interval_words(low, high)})"


# ------------------------------------------------------------------------------------------ inputs


def _mse_dir() -> Path:
    from .. import paths

    return paths.raw_dir() / "mse"


def _resolve(table: str | Path | ListTable) -> tuple[ListTable, str | None, str | None]:
    """The list table, its file name, and that name again when the table is the published one of
    ``data/raw/mse`` (same counts), so that its citations and published range apply (else None)."""
    from ..mse import ListTable, read_table

    if isinstance(table, ListTable):
        lt, name = table, Path(table.source).name if table.source else None
    else:
        lt, name = _read(table)
    published = _mse_dir() / name if name else None
    if published is None or not published.is_file() or read_table(published).to_csv() != lt.to_csv():
        return lt, name, None
    return lt, name, name


def _read(table: str | Path) -> tuple[ListTable, str]:
    from ..mse import read_table

    p = Path(table)
    if not p.is_file():
        name = p.name if p.suffix == ".csv" else f"{p.name}.csv"
        candidate = _mse_dir() / name
        if str(table) == p.name and candidate.is_file():
            p = candidate
        else:
            known = ", ".join(sorted(f.stem for f in _mse_dir().glob("*.csv") if f.stem != "citations"))
            raise ValueError(f"no list table {str(table)!r}: give a CSV path or one of {known}")
    return read_table(p), p.name


def _surnames(authors: str) -> list[str]:
    parts = [a.strip() for chunk in authors.split(" and ") for a in chunk.split(", ")]
    return [a.split(" ")[0] for a in parts if a]


def _parse_reference(text: str) -> tuple[CitationInfo, str]:
    """A reference of ``citations.csv`` (``Authors (year). Title. Venue, url``) as a CitationInfo and the
    name a footer gives it (``Bales, Hesketh and Silverman (2015), Significance``)."""
    m = re.match(r"^(?P<authors>.+?) \((?P<year>\d{4})\)\. (?P<rest>.*)$", text.strip())
    if not m:
        key = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
        return CitationInfo(key, text, "", "", ""), text
    authors, year, rest = m["authors"], m["year"], m["rest"]
    t = re.match(r"^(?P<title>.+?[.?])\s+(?P<venue>.*)$", rest)
    title, venue = (t["title"].removesuffix("."), t["venue"]) if t else (rest, "")
    url_m = re.search(r"https?://\S+", venue)
    doi_m = re.search(r"doi:(\S+)", venue)
    url = url_m.group(0) if url_m else (f"https://doi.org/{doi_m.group(1)}" if doi_m else "")
    venue = re.sub(r",?\s*(https?://|doi:)\S+", "", venue).strip().rstrip(",")
    names = _surnames(authors)
    key = "-".join(n.lower() for n in names[:3]) + ("-et-al" if len(names) > 3 else "") + f"-{year}"
    key = re.sub(r"[^a-z0-9-]", "", key)
    if len(names) > 3:
        who = f"{names[0]} et al."
    elif len(names) > 1:
        who = ", ".join(names[:-1]) + " and " + names[-1]
    else:
        who = names[0] if names else authors
    venue_short = re.sub(r"\s+\d.*$", "", venue.split(",")[0]).strip()
    full_title = title + ("" if title.endswith("?") else ".") + (f" {venue}" if venue else "")
    info = CitationInfo(key, authors, full_title.removesuffix("."), url, year)
    return info, f"{who} ({year})" + (f", {venue_short}" if venue_short else "")


def _table_references(
    published_name: str | None, file_name: str | None
) -> tuple[list[CitationInfo], list[str], dict[str, str]]:
    """(references, footer names, the citations.csv row) of a published table of ``data/raw/mse``; for
    another table, the table itself (named by ``file_name``) is the only reference."""
    path = _mse_dir() / "citations.csv"
    row: dict[str, str] = {}
    if published_name and path.is_file():
        with path.open(newline="", encoding="utf-8") as fh:
            row = next((r for r in csv.DictReader(fh) if r["file"] == published_name), {})
    if not row:
        name = file_name or "list table"
        return [CitationInfo(name, f"list table {name}", "", "", "")], [f"list table {name}"], {}
    refs, names = [], []
    for text in row["published_in"].split(" | "):
        info, short = _parse_reference(text)
        refs.append(info)
        names.append(short)
    return refs, names, row


_CACHE: dict[tuple[str, str, float | None], Any] = {}


def _cached(kind: str, table: ListTable, method: str, threshold: float | None) -> Any:
    """``estimate_population`` / one-method ``sensitivity`` results, cached by table content (each preset
    redraws the chart; the fits do not change)."""
    from ..mse import estimate_population, sensitivity
    from ..mse.selection import DEFAULT_THRESHOLDS

    key = (f"{kind}\n{table.to_csv()}", method, threshold)
    if key not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        if kind == "estimate":
            _CACHE[key] = estimate_population(table, method, threshold)
        else:
            th = DEFAULT_THRESHOLDS.get(method, 0.0) if threshold is None else threshold
            _CACHE[key] = sensitivity(table, methods=[method], thresholds=[th])
    out = _CACHE[key]
    return out.copy() if kind != "estimate" else out


# ------------------------------------------------------------------------------------------ drawing


def _draw_estimate(
    ax: Axes,
    x: float,
    est: float,
    lo: float,
    hi: float,
    color: str,
    size: float,
    label: str,
    gid: str,
    fontsize: float,
) -> None:
    """A shaded interval from ``lo`` to ``hi`` with an open diamond at ``est`` (``size``: marker size in
    points) and ``label`` above the interval (``fontsize`` points). An interval without upper limit
    (``hi`` infinite) runs to the top of the axes, open (no top edge), with its label under it."""
    from matplotlib.patches import Rectangle

    open_top = not math.isfinite(hi)
    top = ax.get_ylim()[1] if open_top else hi
    ax.add_patch(
        Rectangle(
            (x - 0.2, lo),
            0.4,
            top - lo,
            facecolor=color,
            alpha=0.3,
            edgecolor=color,
            linewidth=0 if open_top else 1.2,
            gid=f"{gid}-interval",
            zorder=3,
        )
    )
    ax.plot(
        [x],
        [est],
        marker="D",
        markersize=size,
        linestyle="None",
        markerfacecolor="white",
        markeredgecolor=color,
        markeredgewidth=2,
        gid=f"{gid}-approximate",
        zorder=4,
    )
    ax.annotate(
        label,
        xy=(x, lo if open_top else top),
        xytext=(0, -3 if open_top else 3),
        textcoords="offset points",
        ha="center",
        va="top" if open_top else "bottom",
        fontsize=fontsize,
        color=ink(color),
        annotation_clip=False,
        gid=f"{gid}-label",
    )


def _band(ax: Axes, pub: PublishedRange) -> None:
    """The published range as a faint band across ``ax`` (behind everything)."""
    ax.axhspan(
        pub.low,
        pub.high,
        facecolor=OKABE_ITO["sky_blue"],
        alpha=0.22,
        edgecolor="none",
        gid="published-range-band",
        zorder=1,
    )


def _not_fitted(method: str, n_lists: int) -> str:
    """A short chart label for a method the table cannot be fitted by."""
    from ..mse.selection import BIC_MAX_LISTS

    if method == "bic" and n_lists > BIC_MAX_LISTS:
        return f"not fitted\n(over {BIC_MAX_LISTS} lists)"
    return "not fitted\n(see the description)"


def _row(**kw: object) -> dict[str, object]:

    row: dict[str, object] = dict.fromkeys(CSV_COLUMNS)
    row.update(kw, unit="persons")
    return row


def hidden_population(
    table: str | Path | ListTable,
    *,
    method: str = "aic",
    threshold: float | None = None,
    published: tuple[float, float] | PublishedRange | str | None = "auto",
    published_source: str | None = None,
    by_method: bool | None = None,
    title: str | None = None,
    population: str | None = None,
    preset: str | None = None,
) -> Figure:
    """The known number of people on a set of lists next to the multiple systems estimate of the total.

    ``table`` is a list table: a name in ``data/raw/mse`` (``"uk2013_6lists"``), a CSV path, or a
    :class:`~trafficking_stats.mse.ListTable`. The first panel shows the *known* count (a bar: people on
    at least one list, the sum of the table's counts), the *estimated total* of ``method`` and
    ``threshold`` (see :func:`trafficking_stats.mse.estimate_population`; default ``aic`` with its default
    threshold 0.05) as its 95% model-conditional interval, and the *published range* as a shaded column
    and a faint band across the panels:
    ``published="auto"`` draws the range printed for the table, if any (:data:`PUBLISHED_RANGES`; UK 2013
    six lists: 10,000 to 13,000, Home Office 2014), ``(low, high)`` a range named by ``published_source``,
    None none. With ``by_method`` (default: on the print pages; screen presets keep one panel big enough
    to read) a second panel shows the estimate and interval of every method of
    :data:`trafficking_stats.mse.METHODS` at its default threshold (``method`` at ``threshold``), from
    :func:`trafficking_stats.mse.sensitivity`; a method that cannot be fitted (``bic`` above five lists)
    is named with the reason. ``title`` and ``population`` (what the cases are, plural, e.g. "potential
    victims of modern slavery") default from the table. Units: persons. Rounding: see the module
    docstring.

    Returns a pyplot-free Figure with a :class:`~.info.ChartInfo` attached (``describe``, ``export``).
    Raises ValueError for an unknown table, method or range, and
    :class:`~trafficking_stats.errors.EstimationError` when the table cannot give an estimate.
    """
    import pandas as pd

    from ..mse import METHODS

    p = get_preset(preset or DEFAULT_PRESET)
    if by_method is None:
        by_method = p.is_print
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: one of {', '.join(METHODS)}")
    lt, file_name, published_name = _resolve(table)
    refs, ref_names, meta = _table_references(published_name, file_name)
    references = {r.key: r for r in refs}
    main_key = refs[0].key
    facts = _FACTS.get(published_name or "", _TableFacts("", "", "people"))
    population = population or facts.population

    pub: PublishedRange | None
    if published == "auto":
        pub = PUBLISHED_RANGES.get(published_name or "")
    elif published is None:
        pub = None
    elif isinstance(published, PublishedRange):
        pub = published
    elif isinstance(published, str):
        raise ValueError(f"published must be 'auto', None or (low, high), got {published!r}")
    else:
        low, high = (float(v) for v in published)
        if not 0 <= low < high:
            raise ValueError(f"published range must have 0 <= low < high, got {published!r}")
        known = PUBLISHED_RANGES.get(published_name or "")
        if published_source is None and known is not None and (known.low, known.high) == (low, high):
            pub = known
        elif published_source is None:
            raise ValueError("name the source of the published range with published_source=")
        else:
            pub = PublishedRange(low, high, published_source, published_source)
    if pub is not None and pub.citation not in references:
        references[pub.citation] = CitationInfo(pub.citation, pub.source, "", "", "")
        ref_names.append(pub.source)

    r: MSEResult = _cached("estimate", lt, method, threshold)
    observed = lt.observed
    est, (lo, hi) = round(r.estimate, 1), (round(r.interval[0], 1), round(r.interval[1], 1))
    sens = pd.DataFrame()
    if by_method:
        parts = [
            _cached("sensitivity", lt, m, threshold if m == method and threshold is not None else None)
            for m in METHODS
        ]
        sens = pd.concat(parts, ignore_index=True)
    sens_rows = records(sens, *sens.columns)

    # words ---------------------------------------------------------------------------------------------
    lists = ", ".join(lt.lists)
    where = f" {facts.where}" if facts.where else ""
    head = facts.place or (meta["description"].split(",")[0] if meta else "")
    if not title and facts.place:
        title = f"{facts.place}: {population}, known and estimated"
    elif not title:
        what = f"{population} on {lt.n_lists} lists"
        title = (
            f"{head}: {what}, known and estimated"
            if head
            else f"{what[0].upper()}{what[1:]}: known and estimated"
        )
    subtitle = (
        f"Known: people on at least one of {lt.n_lists} lists. Estimated: the known plus a model's estimate "
        "of people on no list, shown as a 95% interval."
    )
    th_words = f", threshold {r.threshold:g}" if r.threshold is not None else ""
    interval_kind = "profile likelihood" if r.interval_method == "profile" else "Wald on the log scale"
    summary = (
        f"the number of {population}{where} known from {lt.n_lists} lists ({lists}) and the number "
        f"estimated by multiple systems estimation. Known: {number(observed)} people on at least one list, "
        f"a count. Estimated total: about {_sig(r.estimate)} people, 95% model-conditional interval "
        f"{_interval_words(r.interval[0], r.interval[1], ' to ')}, from {_METHOD_WORDS[method]}{th_words}; "
        f"of these, about {_sig(r.dark_figure)} are estimated to be on no list. This is an estimate from a "
        "model, not a count."
    )
    if pub is not None:
        inside = pub.low <= r.estimate <= pub.high
        summary += (
            f" Published range: {number(pub.low)} to {number(pub.high)} ({pub.source}); the estimate is "
            f"{'inside' if inside else 'outside'} it."
        )
        if pub.note:
            summary += f" {pub.note}"
    if not sens.empty:
        said = []
        for s in sens_rows:
            th = f" (threshold {s.threshold:g})" if s.threshold == s.threshold else ""
            if s.estimate == s.estimate:
                said.append(
                    f"{_METHOD_TICKS[s.method]}{th}: about {_sig(s.estimate)} "
                    f"({_interval_words(s.lower, s.upper, ' to ')})"
                )
            else:
                said.append(f"{_METHOD_TICKS[s.method]}: not fitted ({str(s.note).split(':')[0]})")
        summary += " By method of model choice: " + "; ".join(said) + "."
    bounds = [
        f"The estimated total is drawn as a shaded 95% interval with an open diamond at the estimate, "
        f"labelled {approx_label(r.estimate, *r.interval)}, not as an exact point."
    ]
    if pub is not None:
        bounds.append(
            f"The published range {number(pub.low)}–{number(pub.high)} ({pub.source}) is drawn as a shaded "
            "column labelled with its source, and as a faint band across the "
            f"panel{'s' if by_method else ''}."
        )
    notes = [
        "≈: an estimate of people on no list, from a model, added to the known; not a count.",
        "It assumes a closed population, lists whose dependence the model captures, and no unmodelled "
        "differences between people in the chance of being listed (heterogeneity); if these fail, the "
        "estimate is biased.",
        f"Intervals: 95%, conditional on the chosen model. Estimates to {SIG_FIGS} significant figures, "
        "interval limits rounded outward.",
    ]
    short_notes = ["≈: a model's estimate (95% interval), not a count."]
    details = [
        f"Known: the sum of the count column of the list table ({file_name or 'given table'}): "
        f"{number(observed)} people; list totals "
        + ", ".join(f"{k} {number(v)}" for k, v in lt.list_totals().items())
        + ".",
        f"Estimate: {_METHOD_WORDS[method]}{th_words}; two-list terms {', '.join(r.terms) or 'none'}; "
        f"estimate {r.estimate:,.1f}, dark figure {r.dark_figure:,.1f}, 95% interval ({interval_kind}) "
        f"{r.interval[0]:,.1f} to {r.interval[1]:,.1f} people. The interval does not include the "
        "uncertainty of choosing the model (a bootstrap that reruns the choice gives wider intervals).",
    ]
    if by_method:
        details.append(
            "Second panel: each method of model choice at its default threshold (the first panel's method at "
            "its threshold), the p-value threshold in brackets: stepwise adds two-list terms whose overlap "
            "has a p-value below it, aic stops when the Wald p-value of the next term is above it; bic and "
            "main have none."
        )
    if meta:
        details.append(f"List table: {meta['description']}. Transcribed from {meta['transcribed_from']}.")
        if meta.get("note"):
            details.append(f"Table note: {meta['note']}")
    if pub is not None and pub.quote:
        details.append(f"Published range ({pub.source}): '{pub.quote}'")

    # rows ---------------------------------------------------------------------------------------------
    main_panel = "known and estimated"
    sens_panel = "estimate by method"
    rows = [
        _row(
            panel=main_panel,
            series="known",
            x=0.0,
            drawn_as="bar",
            value=float(observed),
            qualifier="exact",
            value_low=float(observed),
            value_high=float(observed),
            citation=main_key,
            note=f"people on at least one of the lists {lists}: the sum of the table's counts",
        ),
        _row(
            panel=main_panel,
            series=f"estimated total ({method})",
            x=1.0,
            drawn_as="interval (shaded, 95% model-conditional) with an open diamond at the estimate",
            value=est,
            qualifier="approximately",
            value_low=lo,
            value_high=hi,
            citation=main_key,
            note=f"model estimate, not a count: {_METHOD_WORDS[method]}{th_words}; {interval_kind} "
            f"interval; labelled {approx_label(r.estimate, *r.interval)}",
        ),
    ]
    panels = [main_panel, sens_panel] if by_method else [main_panel]
    if pub is not None:
        for panel in panels:
            rows.append(
                _row(
                    panel=panel,
                    series="published range",
                    x=2.0 if panel == main_panel else math.nan,
                    drawn_as="range (shaded column, and a faint band across the panel)"
                    if panel == main_panel
                    else "range (faint band across the panel)",
                    value=float(pub.low),
                    qualifier="range",
                    value_low=float(pub.low),
                    value_high=float(pub.high),
                    citation=pub.citation,
                    quote=pub.quote or None,
                    note=f"as published ({pub.source})",
                )
            )
    for i, s in enumerate(sens_rows):
        th = s.threshold if s.threshold == s.threshold else None
        chosen = s.method == method and th == r.threshold
        series = f"{s.method}" + (f" (threshold {th:g})" if th is not None else "")
        if s.estimate == s.estimate:
            rows.append(
                _row(
                    panel=sens_panel,
                    series=series,
                    x=float(i),
                    drawn_as="interval (shaded, 95% model-conditional) with an open diamond at the estimate",
                    value=round(s.estimate, 1),
                    qualifier="approximately",
                    value_low=round(s.lower, 1),
                    value_high=round(s.upper, 1),
                    citation=main_key,
                    note=f"model estimate, not a count: {_METHOD_WORDS[s.method]}; two-list terms "
                    f"{s.terms.replace(';', ', ') or 'none'}"
                    + ("; the method of the first panel" if chosen else ""),
                )
            )
        else:
            rows.append(
                _row(
                    panel=sens_panel,
                    series=series,
                    x=float(i),
                    drawn_as="text (not fitted)",
                    citation=main_key,
                    note=str(s.note),
                )
            )
    plotted = pd.DataFrame(rows)

    info = ChartInfo(
        kind="hidden_population",
        title=title,
        subtitle=subtitle,
        summary=summary,
        plotted=plotted,
        citations=list(references),
        sources=list(dict.fromkeys(ref_names)),
        notes=notes,
        details=details,
        bounds=bounds,
        short_notes=short_notes,
        references=references,
    )

    # drawing ------------------------------------------------------------------------------------------
    from matplotlib.patches import Rectangle

    with house_style(p) as sizes:
        fig = new_figure(p)
        frame = draw_frame(fig, sizes, title, subtitle, info.footer_text(), info.footer_text(compact=True))
        info.footer = frame.footer
        n = 2 if by_method else 1
        side = True  # side by side, each at full height (stacked panels fall under a third of it)
        cells = panel_cells(frame.body, n, side_by_side=side, weights=[1.2, 1.0][:n] if side else None)
        tops = [r.interval[1], r.estimate * 1.25, float(observed)] + ([pub.high] if pub is not None else [])
        if not sens.empty:
            tops += [v for v in sens["upper"] if v == v]
            tops += [v * 1.25 for v in sens["estimate"] if v == v]
        ms = 7.0 * sizes.body / 9.5
        # headroom for the one-line labels above the highest interval: their height (points) as a share
        # of the panel's height, less about 0.8 in of headings and tick labels
        cell_h = min(c[3] - c[1] for c in cells)
        share = (2 * sizes.body * 1.25 + 6) / max((cell_h - 0.8) * 72, 36)
        top = max(t for t in tops if math.isfinite(t)) * 1.05 / (1 - min(share, 0.5))
        # (an interval without upper limit runs to the top; estimates stay well inside)
        est_color = OKABE_ITO["vermillion"]

        ax = fig.add_axes((0, 0, 1, 1))
        cell_w = cells[0][2] - cells[0][0]
        count_axis(ax, top)
        if pub is not None:
            _band(ax, pub)
        ax.bar([0.0], [float(observed)], width=0.5, color=OKABE_ITO["blue"], gid="known-count", zorder=3)
        ax.annotate(
            number(observed),
            xy=(0.0, float(observed)),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=sizes.body,
            color=ink(OKABE_ITO["blue"]),
            fontweight="bold",
            gid="known-label",
            annotation_clip=False,
        )
        _draw_estimate(
            ax,
            1.0,
            est,
            lo,
            hi,
            est_color,
            ms,
            f"≈{_sig(r.estimate)}\n95%: {_interval_words(*r.interval, short=True)}",
            "estimate",
            sizes.body,
        )
        ticks = ["Known", f"Estimate ({_METHOD_TICKS[method]})"]
        if pub is not None:
            pub_color = OKABE_ITO["blue"]
            ax.add_patch(
                Rectangle(
                    (1.8, pub.low),
                    0.4,
                    pub.high - pub.low,
                    facecolor=OKABE_ITO["sky_blue"],
                    alpha=0.6,
                    edgecolor=pub_color,
                    linewidth=1.2,
                    gid="published-range",
                    zorder=3,
                )
            )
            ax.annotate(  # under the band: the estimate's label may reach over the column
                f"{number(pub.low)}–{number(pub.high)}",
                xy=(2.0, pub.low),
                xytext=(0, -3),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=sizes.body,
                color=pub_color,
                annotation_clip=False,
                gid="published-range-label",
            )
            ticks.append("Published" if sizes.compact else f"Published ({pub.source})")
        ax.set_xlim(-0.6, len(ticks) - 0.4)
        ax.set_xticks([float(i) for i in range(len(ticks))])
        per = max(cell_w / len(ticks) - 0.15, 0.6)
        ax.set_xticklabels([wrap(t, per, sizes.tick) for t in ticks])
        ax.grid(False, axis="x")
        panel_heading(ax, "Persons" if sizes.compact else "Known and estimated (persons)", "", sizes, cell_w)
        axes_cells = [(ax, cells[0])]

        if by_method:
            ax2 = fig.add_axes((0, 0, 1, 1))
            cell_w2 = cells[1][2] - cells[1][0]
            count_axis(ax2, top)
            if pub is not None:
                _band(ax2, pub)
            ticks = []
            # "≈12,200" (7 characters of ~0.6 em) and a space fit its column
            label_pt = max(min(sizes.tick, (cell_w2 - 0.6) / len(sens) * 72 / (9 * 0.62)), sizes.small)
            for i, s in enumerate(sens_rows):
                th = s.threshold if s.threshold == s.threshold else None
                chosen = s.method == method and th == r.threshold
                ticks.append(_METHOD_TICKS_SHORT[s.method] + (f"\n({th:g})" if th is not None else ""))
                if s.estimate == s.estimate:
                    color = est_color if chosen else MUTED
                    _draw_estimate(
                        ax2,
                        float(i),
                        round(s.estimate, 1),
                        round(s.lower, 1),
                        round(s.upper, 1),
                        color,
                        ms * 0.85,
                        f"≈{_sig(s.estimate)}",
                        f"by-method-{s.method}",
                        label_pt,
                    )
                else:
                    ax2.text(
                        float(i),
                        0.03,
                        _not_fitted(s.method, lt.n_lists),
                        transform=ax2.get_xaxis_transform(),
                        ha="center",
                        va="bottom",
                        fontsize=sizes.small,
                        color=MUTED,
                        gid=f"by-method-{s.method}-not-fitted",
                    )
            ax2.set_xlim(-0.6, len(sens) - 0.4)
            ax2.set_xticks([float(i) for i in range(len(sens))])
            ax2.set_xticklabels(ticks)
            ax2.grid(False, axis="x")
            panel_heading(
                ax2,
                "Estimate by method of model choice",
                "95% intervals; in colour: the first panel's method",
                sizes,
                cell_w2,
            )
            axes_cells.append((ax2, cells[1]))
        fit_axes(fig, axes_cells)
        attach(fig, info)
    return fig
