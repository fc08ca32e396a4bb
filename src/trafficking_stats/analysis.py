"""Analysis on the normalized table: yearly series, consistency, comparisons, totals and rates.

Every function here keeps the package's rules (DESIGN.md, "Rules the code enforces"):

* a hedge is data: values are carried as :class:`~trafficking_stats.bounds.Figure` intervals, never
  silently made exact, and a trend test refuses bounds (:func:`consistency_of`);
* different metrics or units are never added (:func:`total` raises :class:`IncomparableError`); figures of
  one metric from different reporters or vintages are compared (:func:`compare`), and added only with
  ``allow_overlap=True``;
* a series never mixes reporters or vintages unless the caller chooses them (:func:`series`);
* rates use only cited population figures for the same place and year (:func:`rate_per_100k`).

No plotting here: the charts subpackage draws what these functions return.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import schema
from .bounds import Figure, sum_figures
from .counts import Count, format_count
from .errors import TraffickingStatsError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MIN_POINTS",
    "STEADY_MAX_CV",
    "TREND_ALPHA",
    "AmbiguousSeriesError",
    "Consistency",
    "IncomparableError",
    "InexactSeriesError",
    "compare",
    "conflicts",
    "consistency",
    "consistency_of",
    "rate_per_100k",
    "series",
    "total",
]

#: Fewest years with data for which :func:`consistency` gives a verdict.
MIN_POINTS = 4
#: Significance level of the Mann-Kendall trend test (two-sided).
TREND_ALPHA = 0.05
#: Largest coefficient of variation (sample sd / mean) of a "steady" series.
STEADY_MAX_CV = 0.15


class IncomparableError(TraffickingStatsError):
    """Figures that must not be combined: different metrics or units, or overlapping counts.

    ``candidates`` (when set) is a table of the choices that would make the request valid.
    """

    def __init__(self, message: str, candidates: pd.DataFrame | None = None) -> None:
        self.candidates = candidates
        if candidates is not None and len(candidates):
            message += "\n" + candidates.to_string(index=False)
        super().__init__(message)


class AmbiguousSeriesError(IncomparableError):
    """A series request that matches several reporters, vintages or units; ``candidates`` lists them."""


class InexactSeriesError(TraffickingStatsError):
    """A trend test asked of a series with bounds, approximations or suppressed cells.

    ``years`` maps each such year to its published text ("over 230"). :attr:`sentence` is a one-line
    explanation suitable for a chart note.
    """

    def __init__(self, years: dict[int, str]) -> None:
        self.years = years
        shown = ", ".join(f"{y}: {t}" for y, t in sorted(years.items()))
        self.sentence = (
            f"no verdict: the series has values that are not exact counts ({shown}); a trend test would "
            "treat them as exact"
        )
        super().__init__(self.sentence)


# ------------------------------------------------------------------------------------------ helpers


def _text(row: dict[str, object]) -> str:
    """The published form of a row's number ("over 230", "<5", "1,035")."""
    from .bounds import _num

    q = str(row["qualifier"])
    count = Count(_num(row["value"]), q, _num(row["value_low"]), _num(row["value_high"]))
    try:
        return format_count(count)
    except ValueError:
        return Figure.from_row(row, nonnegative=False).text()


def _str(s: pd.Series) -> pd.Series:
    return s.astype("object").where(s.notna(), None).astype("str")


def _choose(df: pd.DataFrame, column: str, choice: str | Sequence[str] | None) -> pd.DataFrame:
    if choice is None:
        return df
    wanted = [choice] if isinstance(choice, str) else list(choice)
    return df[_str(df[column]).isin(wanted)]


def _candidates(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    key = ["reporter", "vintage", "dataset", "unit"]
    flat = pd.DataFrame({c: _str(df[c]) for c in key})
    flat["year"] = df["year"].astype("Int64")
    g = flat.groupby(key, sort=True)["year"]
    out = pd.concat([g.size().rename("n_years"), g.min().rename("first"), g.max().rename("last")], axis=1)
    return out.reset_index()


# ------------------------------------------------------------------------------------------- series


def series(
    counts: pd.DataFrame,
    metric: str,
    geo_code: str,
    reporter: str | Sequence[str] | None = None,
    vintage: str | Sequence[str] | None = None,
    breakdown: str = "total",
) -> pd.DataFrame:
    """The yearly series one chart draws: one row per year with data, in year order.

    Only whole-year figures are used (``year`` set: a calendar year, or a fiscal year by the year it
    ends); years with no data are absent, so a chart draws a gap. The rows must come from one reporter,
    one vintage and one unit: when the figures for ``metric``/``geo_code``/``breakdown`` come from several,
    :class:`AmbiguousSeriesError` is raised listing the candidates (reporter, vintage, dataset, unit,
    years), unless ``reporter`` and/or ``vintage`` choose among them. A sequence of vintages may be given
    on purpose (e.g. each year's first release); two rows left for one year still raise.

    Columns: ``year`` (int), ``value``, ``qualifier``, ``value_low``, ``value_high`` (as in the normalized
    table), ``low``, ``high``, ``low_open``, ``high_open`` (the interval of true values the figure allows,
    counts taken as >= 0: "under 10" is low 0, high 10, high_open; a suppressed "<5" is 0 to 4),
    ``text`` (the number as published: "over 230"), ``unit``, ``reporter``, ``vintage``, ``dataset``,
    ``figure_id``, ``citation``, ``note``.
    """
    import pandas as pd

    if metric not in schema.METRICS:
        raise ValueError(f"unknown metric {metric!r}; see trafficking_stats.METRICS")
    df = counts[
        (_str(counts["metric"]) == metric)
        & (_str(counts["geo_code"]) == geo_code)
        & (_str(counts["breakdown"]) == breakdown)
        & counts["year"].notna()
    ]
    if df.empty:
        here = counts[(_str(counts["metric"]) == metric) & (_str(counts["geo_code"]) == geo_code)]
        breakdowns = sorted(set(_str(here.loc[here["year"].notna(), "breakdown"])))
        raise ValueError(
            f"no whole-year {metric} figures for {geo_code} with breakdown {breakdown!r}; "
            + (f"breakdowns with data: {', '.join(breakdowns[:12])}" if breakdowns else "none with any")
            + (" ..." if len(breakdowns) > 12 else "")
        )
    chosen = _choose(_choose(df, "reporter", reporter), "vintage", vintage)
    if chosen.empty:
        raise ValueError(
            f"no whole-year {metric} figures for {geo_code} ({breakdown}) from the chosen reporter/vintage; "
            "candidates:\n" + _candidates(df).to_string(index=False)
        )
    df = chosen
    cols = ["reporter", "vintage", "unit"]
    groups = {c: _str(df[c]).nunique() for c in cols}
    if reporter is not None and vintage is not None:
        groups["reporter"] = groups["vintage"] = 1  # both chosen: several on purpose is fine
    elif vintage is not None and not isinstance(vintage, str):
        groups["vintage"] = 1
    elif reporter is not None and not isinstance(reporter, str):
        groups["reporter"] = 1
    mixed = [c for c, n in groups.items() if n > 1]
    if mixed:
        raise AmbiguousSeriesError(
            f"{metric} for {geo_code} ({breakdown}) comes from several {' and '.join(mixed)}s; choose one "
            "with reporter= and/or vintage= (a series never mixes them silently). Candidates:",
            _candidates(df),
        )
    dup = df["year"].astype("Int64").duplicated(keep=False)
    if dup.any():
        shown = df.loc[dup, ["year", "figure_id", "reporter", "vintage", "value", "qualifier"]]
        raise AmbiguousSeriesError(
            f"{metric} for {geo_code} ({breakdown}) has several figures for one year; choose a vintage or "
            "compare them with compare():",
            shown.astype("object").astype("str"),
        )
    records = df.to_dict("records")
    figs = [Figure.from_row(r) for r in records]
    out = pd.DataFrame(
        {
            "year": df["year"].astype("int64").to_numpy(),
            "value": df["value"].to_numpy(),
            "qualifier": _str(df["qualifier"]).to_numpy(),
            "value_low": df["value_low"].to_numpy(),
            "value_high": df["value_high"].to_numpy(),
            "low": pd.array([f.low for f in figs], dtype="Float64"),
            "high": pd.array([f.high for f in figs], dtype="Float64"),
            "low_open": [f.low_open for f in figs],
            "high_open": [f.high_open for f in figs],
            "text": [_text(r) for r in records],
            "unit": _str(df["unit"]).to_numpy(),
            "reporter": _str(df["reporter"]).to_numpy(),
            "vintage": _str(df["vintage"]).to_numpy(),
            "dataset": _str(df["dataset"]).to_numpy(),
            "figure_id": _str(df["figure_id"]).to_numpy(),
            "citation": _str(df["citation"]).to_numpy(),
            "note": df["note"].astype("object").where(df["note"].notna(), None).to_numpy(),
        }
    )
    for c in ("value", "value_low", "value_high"):
        out[c] = out[c].astype("Float64")
    out["note"] = out["note"].astype("str")
    return out.sort_values("year", kind="mergesort").reset_index(drop=True)


# -------------------------------------------------------------------------------------- consistency


@dataclass(frozen=True)
class Consistency:
    """How steady a yearly series is; see :func:`consistency` for the definitions and thresholds."""

    n: int  # points used (years with a value)
    enough: bool  # False when n < 4: no verdict, just the sentence saying so
    mean: float | None
    cv: float | None  # coefficient of variation (sample sd / mean)
    max_dev_pct: float | None  # largest |x - mean| / mean * 100
    mk_tau: float | None
    mk_p: float | None  # Mann-Kendall trend test (Kendall's tau of value against year)
    slope: float | None
    slope_low: float | None
    slope_high: float | None  # Theil-Sen slope per year and its 95% interval
    verdict: str  # one sentence
    label: str  # "steady", "rising", "falling", "variable" or "not enough data"


def p_text(p: float) -> str:
    """A p-value as it may be printed: ``p < 0.001`` when it rounds to zero at three decimals, else
    ``p = 0.034`` (never "p 0.000")."""
    return "p < 0.001" if p < 0.0005 else f"p = {p:.3f}"


def _years_text(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def consistency(series: pd.Series) -> Consistency:
    """How steady a yearly series of exact counts is, with a one-sentence verdict.

    ``series``: index = year (int), values = counts; NA values are dropped (gaps are allowed; the tests
    use the actual years). The values are taken as exact: for rows with bounds use
    :func:`consistency_of`, which refuses them.

    Statistics (on the ``n`` years with a value):

    * ``mean``; ``cv`` = sample standard deviation (ddof=1) / mean; ``max_dev_pct`` = largest
      ``|x - mean| / mean`` in percent (``cv`` and ``max_dev_pct`` are None when the mean is 0 and the
      values differ);
    * Mann-Kendall trend test: ``scipy.stats.kendalltau(year, value)`` (tau-b, two-sided p; exact for
      small series without ties). A constant series has tau 0 and p 1 (scipy gives NaN: no ordering);
    * Theil-Sen slope (``scipy.stats.theilslopes``, 95% interval), in counts per year.

    Verdict, in this order:

    * ``not enough data``: fewer than :data:`MIN_POINTS` (4) years with a value; every statistic is None;
    * ``rising`` / ``falling``: Mann-Kendall p < :data:`TREND_ALPHA` (0.05), direction from the sign of
      the Theil-Sen slope (a significant tau with a zero slope is ``variable``);
    * ``steady``: no significant trend and ``cv`` <= :data:`STEADY_MAX_CV` (0.15);
    * ``variable``: otherwise (no significant trend, but the values move by more than that).

    With 4 years no trend can be significant (the smallest two-sided exact p is 1/12), so 4 years give
    ``steady`` or ``variable`` only; "no significant trend" on few points is weak evidence, which the
    verdict sentence states with the number of years.
    """
    import numpy as np
    from scipy import stats

    s = series.dropna()
    if s.index.has_duplicates:
        raise ValueError(
            f"one value per year is needed; repeated years: {sorted(set(s.index[s.index.duplicated()]))}"
        )
    s = s.sort_index()
    years = [int(y) for y in s.index]
    x = np.asarray(years, dtype=float)
    y = np.asarray(s.to_numpy(dtype=float), dtype=float)
    n = len(y)
    span = f"{n} year{'s' if n != 1 else ''}" + (f", {_years_text(years)}," if n else "")
    if n < MIN_POINTS:
        verdict = (
            f"too few points: only {span} with data; at least {MIN_POINTS} are needed before saying "
            "whether the numbers are steady or trending."
        )
        return Consistency(
            n, False, None, None, None, None, None, None, None, None, verdict, "not enough data"
        )
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    gap_text = f"; no data for {', '.join(map(str, gaps))}" if gaps else ""
    mean = float(y.mean())
    constant = bool(np.all(y == y[0]))
    if constant:
        cv, max_dev = 0.0, 0.0
    elif mean != 0:
        cv = float(y.std(ddof=1) / abs(mean))
        max_dev = float(np.max(np.abs(y - mean)) / abs(mean) * 100)
    else:
        cv = max_dev = None
    if constant:
        tau, p = 0.0, 1.0
    else:
        res = stats.kendalltau(x, y)
        tau, p = float(res.statistic), float(res.pvalue)
    ts = stats.theilslopes(y, x, alpha=0.95)
    slope, slope_lo, slope_hi = float(ts.slope), float(ts.low_slope), float(ts.high_slope)
    if p < TREND_ALPHA and slope != 0:
        label = "rising" if slope > 0 else "falling"
        verdict = (
            f"{label}: a significant {'upward' if slope > 0 else 'downward'} trend over {span}{gap_text} "
            f"(Mann-Kendall tau {tau:.2f}, {p_text(p)}); Theil-Sen slope {slope:+,.1f} a year "
            f"(95% interval {slope_lo:+,.1f} to {slope_hi:+,.1f})."
        )
    elif cv is not None and cv <= STEADY_MAX_CV:
        label = "steady"
        verdict = (
            f"steady: over {span}{gap_text} the values stay within {max_dev:.0f}% of their mean of "
            f"{mean:,.0f} (coefficient of variation {cv:.2f}) with no significant trend "
            f"(Mann-Kendall {p_text(p)})."
        )
    else:
        label = "variable"
        spread = (
            f"values move up to {max_dev:.0f}% from their mean of {mean:,.0f} (coefficient of variation "
            f"{cv:.2f}, above {STEADY_MAX_CV})"
            if cv is not None
            else "values move around a mean of 0"
        )
        verdict = (
            f"variable: over {span}{gap_text} the {spread}, with no significant trend "
            f"(Mann-Kendall {p_text(p)})."
        )
    return Consistency(n, True, mean, cv, max_dev, tau, p, slope, slope_lo, slope_hi, verdict, label)


def consistency_of(counts_rows: pd.DataFrame) -> Consistency:
    """:func:`consistency` of normalized rows (or a :func:`series` frame) forming one yearly series.

    **Refuses bounds.** If any row is not ``exact`` (``over``, ``at_least``, ``under``, ``at_most``,
    ``approximately``, ``range`` or ``suppressed``), raises :class:`InexactSeriesError` naming the years
    and their published text, rather than computing a verdict with a flag. A coefficient of variation or
    a Mann-Kendall test on "over 230" taken as 230 is the very error the package exists to prevent, and a
    flag on a verdict gets dropped when the verdict is quoted; the error's ``sentence`` is ready to print
    on a chart instead.

    The rows must be one series (one metric, place, breakdown, unit, reporter and vintage, one row per
    year, whole years only): otherwise :class:`AmbiguousSeriesError` (or ``ValueError`` for part-year
    rows). Use :func:`series` to select one.
    """
    import pandas as pd

    df = counts_rows
    if df["year"].isna().any():
        raise ValueError("consistency needs whole-year figures: some rows have no year (part-year periods)")
    for c in ("metric", "geo_code", "breakdown", "unit", "reporter", "vintage"):
        if c in df.columns and _str(df[c]).nunique() > 1:
            raise AmbiguousSeriesError(
                f"the rows are not one series: several values of {c!r}; select one with series()",
                _candidates(df) if {"dataset", "reporter", "vintage", "unit"} <= set(df.columns) else None,
            )
    years = df["year"].astype("int64")
    if years.duplicated().any():
        raise AmbiguousSeriesError("the rows have several figures for one year; select one with series()")
    q = _str(df["qualifier"])
    bad = q != "exact"
    if bad.any():
        records = df[bad.to_numpy()].to_dict("records")
        raise InexactSeriesError({int(r["year"]): _text(r) for r in records})
    s = pd.Series(df["value"].astype("float64").to_numpy(), index=years.to_numpy())
    return consistency(s)


# ---------------------------------------------------------------------------------------- compare


def compare(
    counts: pd.DataFrame,
    metric: str,
    geo_code: str,
    period: int | tuple[str, str] | None = None,
    breakdown: str | None = None,
) -> pd.DataFrame:
    """Figures of one metric for one place and period from every reporter and vintage, side by side.

    ``period``: a year (whole-year figures of that year: calendar, or fiscal ending in it), a
    ``(start, end)`` pair of ISO dates (figures for exactly that period), or None (every period).
    ``breakdown``: one breakdown, or None for all (a conflict can span breakdowns: "over 230" rescued and
    "106 girls").

    One row per figure, sorted by period, breakdown, reporter and vintage, with ``text`` (the number as
    published), the interval (``low``/``high``, counts >= 0), ``citation``, ``note`` and the metric's
    ``definition`` (:data:`trafficking_stats.schema.METRICS`; also in ``.attrs["definition"]``). Nothing
    is summed, merged or dropped.
    """
    import pandas as pd

    if metric not in schema.METRICS:
        raise ValueError(f"unknown metric {metric!r}; see trafficking_stats.METRICS")
    df = counts[(_str(counts["metric"]) == metric) & (_str(counts["geo_code"]) == geo_code)]
    if breakdown is not None:
        df = df[_str(df["breakdown"]) == breakdown]
    if isinstance(period, int):
        df = df[(df["year"] == period).fillna(False).astype(bool)]
    elif period is not None:
        start, end = (pd.Timestamp(p) for p in period)
        df = df[(df["period_start"] == start) & (df["period_end"] == end)]
    records = df.to_dict("records")
    figs = [Figure.from_row(r) for r in records]
    cols = ["period_start", "period_end", "period_kind", "year", "breakdown", "reporter", "reporter_type"]
    cols += ["vintage", "dataset", "figure_id", "value", "qualifier", "value_low", "value_high"]
    out = df[cols].copy()
    out["text"] = [_text(r) for r in records]
    out["low"] = pd.array([f.low for f in figs], dtype="Float64")
    out["high"] = pd.array([f.high for f in figs], dtype="Float64")
    out["unit"] = df["unit"]
    out["citation"] = df["citation"]
    out["quote"] = df["quote"]
    out["conflict_group"] = df["conflict_group"]
    out["note"] = df["note"]
    out["definition"] = schema.METRICS[metric]
    order = ["period_start", "period_end", "breakdown", "reporter", "vintage", "figure_id"]
    sort_view = pd.DataFrame({c: _str(out[c]) if c not in order[:2] else out[c] for c in order})
    out = out.loc[sort_view.sort_values(order, kind="mergesort").index].reset_index(drop=True)
    out.attrs["metric"] = metric
    out.attrs["geo_code"] = geo_code
    out.attrs["definition"] = schema.METRICS[metric]
    return out


def conflicts(counts: pd.DataFrame) -> pd.DataFrame:
    """Conflicting figures as a table: :func:`trafficking_stats.build.find_conflicts` plus ``text``.

    One line per figure per conflict (rules ``same_key`` and ``declared``, with ``intervals_overlap``);
    ``text`` is each number as published ("over 230").
    """
    from .build import find_conflicts

    out = find_conflicts(counts)
    out["text"] = [_text(r) for r in out.to_dict("records")] if len(out) else []
    return out


# ------------------------------------------------------------------------------------------ total


def _geo_contains(a: str, b: str) -> bool:
    """Whether place ``a`` contains place ``b`` (or is it), by code (``USA`` ⊃ ``US-CA`` ⊃ ``US-CA-06019``).

    By code prefix only: a city and its county (``US-CA-fresno`` in ``US-CA-06019``) are not recognised.
    """
    if a == b or a == "world":
        return True
    if b.startswith(a + "-"):
        return True
    prefixes = {"USA": "US-", "GBR": "GB-"}
    return a in prefixes and b.startswith(prefixes[a])


def _breakdowns_disjoint(a: str, b: str) -> bool:
    """Two breakdowns count different people only when they share a key with different values."""
    if a == "total" or b == "total":
        return False
    da = dict(p.split("=", 1) for p in a.split(";"))
    db = dict(p.split("=", 1) for p in b.split(";"))
    return any(k in db and db[k] != v for k, v in da.items())


def total(counts_rows: pd.DataFrame, allow_overlap: bool = False) -> Figure:
    """The bound-aware sum of normalized rows, refusing sums that mix incomparable figures.

    Always refused (:class:`IncomparableError`): rows of different metrics, or of different units.

    Refused unless ``allow_overlap=True``: rows of one metric from different reporters or vintages (they
    may count the same people), and rows that overlap: the same or nested place (``USA`` and ``US-CA``,
    by code), periods that overlap, and breakdowns that are not disjoint (``total`` with anything;
    ``age=minor`` with ``sex=female``). Disjoint breakdowns share a key with different values
    (``age=minor`` and ``age=adult``).

    Returns a :class:`~trafficking_stats.bounds.Figure`: "over 230" + 10 is "over 240", a suppressed
    cell makes a range (see :mod:`trafficking_stats.bounds`). An empty frame raises ``ValueError``.
    """
    df = counts_rows
    if not len(df):
        raise ValueError("nothing to add: no rows")
    metrics = sorted(set(_str(df["metric"])))
    if len(metrics) > 1:
        raise IncomparableError(
            f"refusing to add different metrics ({', '.join(metrics)}): they count different things; "
            "compare them side by side instead"
        )
    units = sorted(set(_str(df["unit"])))
    if len(units) > 1:
        raise IncomparableError(f"refusing to add figures in different units ({', '.join(units)})")
    if not allow_overlap:
        sources = df[["reporter", "vintage"]].astype("object").astype("str").drop_duplicates()
        if len(sources) > 1:
            raise IncomparableError(
                f"refusing to add {metrics[0]} from different reporters or vintages: they may count the "
                "same people. Compare them with compare(), or pass allow_overlap=True if you know they "
                "do not overlap:",
                _candidates(df) if "dataset" in df.columns else sources,
            )
        records = df.to_dict("records")
        for i, a in enumerate(records):
            for b in records[i + 1 :]:
                geo_overlap = _geo_contains(str(a["geo_code"]), str(b["geo_code"])) or _geo_contains(
                    str(b["geo_code"]), str(a["geo_code"])
                )
                time_overlap = a["period_start"] <= b["period_end"] and b["period_start"] <= a["period_end"]
                if (
                    geo_overlap
                    and time_overlap
                    and not _breakdowns_disjoint(str(a["breakdown"]), str(b["breakdown"]))
                ):
                    raise IncomparableError(
                        f"refusing to add overlapping figures {a['figure_id']!r} and {b['figure_id']!r} "
                        "(same or nested place, overlapping periods, overlapping breakdowns): the sum would "
                        "count some people twice; pass allow_overlap=True to add them anyway"
                    )
    return sum_figures(Figure.from_row(r) for r in df.to_dict("records"))


def by_region(
    counts: pd.DataFrame,
    metric: str,
    year: int,
    breakdown: str = "total",
    dataset: str = "unodc_glotip",
    level: str = "region",
) -> pd.DataFrame:
    """Country figures of one metric, year and breakdown, added up by UNODC region (or subregion).

    Only countries that reported the figure are in a region's sum, so the sum is a count *of the
    reporting countries*, not a regional estimate: ``countries`` says how many reported and
    ``countries_listed`` how many the region has. Sums are bound-aware (:func:`total`): a withheld
    cell ("<5") makes the sum a range. Columns: ``region`` (or ``subregion``), ``countries``,
    ``countries_listed``, ``text`` (the sum as it can honestly be written), ``low``, ``high``, ``value``.
    Rows with a code missing from ``data/raw/regions.csv`` raise ValueError naming the codes.
    """
    import pandas as pd

    from .regions import read_regions

    if level not in ("region", "subregion"):
        raise ValueError(f"level must be 'region' or 'subregion', not {level!r}")
    regions = read_regions()
    df = counts[
        (_str(counts["metric"]) == metric)
        & (_str(counts["breakdown"]) == breakdown)
        & (_str(counts["dataset"]) == dataset)
        & (_str(counts["geo_level"]) == "country")
        & (counts["year"] == year).fillna(False).astype(bool)
    ]
    where = dict(zip(regions["geo_code"], regions[level], strict=True))
    unknown = sorted(set(_str(df["geo_code"])) - set(where))
    if unknown:
        raise ValueError(f"no {level} in data/raw/regions.csv for {', '.join(unknown)}")
    listed = regions[level].value_counts()
    out = []
    for name, rows in df.groupby(_str(df["geo_code"]).map(where), sort=True):
        f = total(rows)
        out.append(
            {
                level: name,
                "countries": len(rows),
                "countries_listed": int(listed[name]),
                "text": f.text(),
                "low": f.low,
                "high": f.high,
                "value": f.value,
            }
        )
    result = pd.DataFrame(
        out, columns=[level, "countries", "countries_listed", "text", "low", "high", "value"]
    )
    result.attrs.update(metric=metric, year=year, breakdown=breakdown, dataset=dataset)
    return result


# ------------------------------------------------------------------------------------------ rates


def rate_per_100k(counts_rows: pd.DataFrame, population: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rates per 100,000 residents for normalized rows, with bounds carried and reasons for gaps.

    Joins each row on ``geo_code`` and ``year`` to the cited population table
    (:func:`trafficking_stats.population.read_population`, or ``population`` with the same columns).
    A row with no whole-year ``year``, or with no population for its place and year, gets NA and a
    ``rate_reason``; no population is ever estimated or borrowed from another year.

    The rate is ``count / population * 100,000`` computed on the count's interval: an "over 230" count
    gives an "over" rate, a suppressed "<5" a range from 0. Adds the columns ``population``,
    ``population_citation``, ``rate`` (the value, as the table's ``value``), ``rate_qualifier``,
    ``rate_low``, ``rate_high`` (the table's convention: NA on an unbounded side), ``rate_text`` (e.g.
    "over 42.43") and ``rate_reason`` (empty when a rate was computed).
    """
    import pandas as pd

    from .population import read_population

    pop = read_population() if population is None else population
    lookup = {
        (str(g), int(y)): (int(p), str(c))
        for g, y, p, c in zip(pop["geo_code"], pop["year"], pop["population"], pop["citation"], strict=True)
    }
    out = counts_rows.copy()
    pops, cites, vals, quals, lows, highs, texts, reasons = [], [], [], [], [], [], [], []
    for r in counts_rows.to_dict("records"):
        year = r["year"]
        key = None if year is None or bool(pd.isna(year)) else (str(r["geo_code"]), int(year))
        found = lookup.get(key) if key is not None else None
        if found is None:
            pops.append(None)
            cites.append(None)
            vals.append(None)
            quals.append(None)
            lows.append(None)
            highs.append(None)
            texts.append(None)
            if key is None:
                reasons.append("not a whole-year figure: no population year to divide by")
            else:
                reasons.append(f"no population for {key[0]} in {key[1]} in data/raw/population.csv")
            continue
        n, cite = found
        rate = Figure.from_row(r) / n * 100_000
        fields = rate.row_fields()
        pops.append(n)
        cites.append(cite)
        vals.append(fields["value"])
        quals.append(fields["qualifier"])
        lows.append(fields["value_low"])
        highs.append(fields["value_high"])
        texts.append(rate.text())
        reasons.append("")
    out["population"] = pd.array(pops, dtype="Int64")
    out["population_citation"] = pd.array(cites, dtype="str")
    out["rate"] = pd.array(vals, dtype="Float64")
    out["rate_qualifier"] = pd.array(quals, dtype="str")
    out["rate_low"] = pd.array(lows, dtype="Float64")
    out["rate_high"] = pd.array(highs, dtype="Float64")
    out["rate_text"] = pd.array(texts, dtype="str")
    out["rate_reason"] = pd.array(reasons, dtype="str")
    return out
