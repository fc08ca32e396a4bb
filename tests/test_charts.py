"""Charts draw hedges honestly: bounds are never exact points, gaps are not joined, sources are named."""

from __future__ import annotations

import csv
import itertools

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Annotation

from trafficking_stats import paths, read_counts, schema
from trafficking_stats.charts import (
    SmallCellError,
    chart_info,
    compare_reporters,
    describe,
    rescues_and_cases,
    trend,
)

# The Fresno rows, transcribed by hand from data/processed/conflicts.csv and counts.csv.
FRESNO_CITATIONS = {
    "ksee-2022-01-18-fresno-pledge",
    "gvwire-2022-01-19-fresno-leads-way",
    "fresnobee-yahoo-2022-03-04-sb1042",
    "gvwire-2024-01-26-trafficking-gangs",
}


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    return read_counts()


@pytest.fixture(scope="module")
def fresno(counts: pd.DataFrame):
    return rescues_and_cases(
        counts, "US-CA-fresno", claim="the number of cases has been consistent", preset="social-square"
    )


def _row(**kw: object) -> dict[str, object]:
    year = int(kw.pop("year"))  # type: ignore[call-overload]
    base: dict[str, object] = {
        "dataset": "published",
        "figure_id": f"t-{year}-{kw.get('breakdown', 'total')}",
        "reporter": "Test PD",
        "reporter_type": "police",
        "geo_level": "city",
        "geo_code": "US-CA-fresno",
        "geo_name": "Testville",
        "period_start": f"{year}-01-01",
        "period_end": f"{year}-12-31",
        "period_kind": "calendar_year",
        "year": year,
        "metric": "arrests",
        "breakdown": "total",
        "qualifier": "exact",
        "unit": "arrests",
        "vintage": "2024-01",
        "citation": "gvwire-2024-01-26-trafficking-gangs",
        "quote": None,
        "conflict_group": None,
        "raw_file": None,
        "raw_row": None,
        "note": None,
    }
    base.update(kw)
    v = base.get("value")
    base.setdefault("value_low", v)
    base.setdefault("value_high", v)
    return base


def table(rows: list[dict[str, object]]) -> pd.DataFrame:
    return schema.coerce(pd.DataFrame(rows))


def lines(fig) -> list[Line2D]:
    return [ln for ax in fig.axes for ln in ax.get_lines()]


def footer_text(fig) -> str:
    (t,) = [t for t in fig.texts if t.get_gid() == "footer"]
    return " ".join(t.get_text().split())


# ------------------------------------------------------------------------------------------- bounds


def test_over_230_is_an_open_marker_with_an_upward_arrow_never_an_exact_point(fresno):
    at_230 = [ln for ln in lines(fresno) if 230.0 in [float(y) for y in ln.get_ydata()]]
    assert len(at_230) == 1  # one statement (GV Wire and KSEE report it): one figure
    for ln in at_230:
        assert len(ln.get_xdata()) == 1, "a bound is never joined to other points"
        assert ln.get_markerfacecolor() == "white", "a bound is an open marker"
        assert ln.get_linestyle() == "None"
    arrows = [
        a
        for ax in fresno.axes
        for a in ax.texts
        if isinstance(a, Annotation) and a.arrow_patch is not None and float(a.xy[1]) == 230.0
    ]
    assert len(arrows) == 1
    for a in arrows:
        assert a.xyann[1] > 0, "the arrow goes up from the marker (offset above it)"
    labels = [t.get_text() for ax in fresno.axes for t in ax.texts]
    assert sum(lb.startswith("230+") for lb in labels) == 1
    assert not any(lb.strip("¹²") == "230" for lb in labels), "never labelled as an exact 230"


def test_one_statement_reported_twice_is_one_figure_citing_both_outlets(fresno):
    info = chart_info(fresno)
    rescued = info.plotted[info.plotted["metric"] == "victims_rescued"]
    assert sorted(rescued["qualifier"].astype(str)) == ["exact", "over"]  # over 230, and 106 girls
    assert {"ksee-2022-01-18-fresno-pledge", "gvwire-2022-01-19-fresno-leads-way"} <= set(info.citations)
    ticks = " ".join(t.get_text() for t in fresno.axes[0].get_xticklabels())
    assert "GV Wire and KSEE" in " ".join(ticks.split())
    assert "of them, girls" in " ".join(ticks.split())  # 106 girls drawn as a part of the rescues
    d = describe(fresno)
    assert "one statement, reported by GV Wire and KSEE" in d
    assert "106 girls" in d and "a part of the figure beside them" in d
    # the part is not called a conflict: the only conflict is the arrests' (186 vs 27)
    assert not any("106" in c for c in info.conflicts)


def test_the_claim_and_its_verdict_are_on_the_chart(fresno):
    texts = " ".join(t.get_text() for t in fresno.texts)  # title, takeaway, footer
    texts += " ".join(
        ax.get_title(loc="left") + " " + " ".join(t.get_text() for t in ax.texts) for ax in fresno.axes
    )
    texts = " ".join(texts.split())
    assert "Claim: “the number of cases has been consistent”" in texts
    assert "3 years: too few to say" in texts
    # every arrest figure sits on its own year
    arrests = chart_info(fresno).plotted
    arrests = arrests[arrests["metric"] == "arrests"]
    assert [float(x) for x in arrests["x"]] == [float(y) for y in arrests["year"]]


def test_trend_breaks_the_line_at_a_bound():
    t = table(
        [
            _row(year=2018, value=100),
            _row(year=2019, value=150, qualifier="over", value_low=150, value_high=None),
            _row(year=2020, value=120),
        ]
    )
    fig = trend(t, "arrests", "US-CA-fresno")
    filled = [ln for ln in lines(fig) if ln.get_markerfacecolor() != "white"]
    for ln in filled:
        assert 2019.0 not in [float(x) for x in ln.get_xdata()]
        assert len(ln.get_xdata()) == 1, "100 (2018) and 120 (2020) are not consecutive exact years"
    (bound,) = [ln for ln in lines(fig) if ln.get_markerfacecolor() == "white"]
    assert [float(x) for x in bound.get_xdata()] == [2019.0]


# --------------------------------------------------------------------------------------------- gaps


def test_gaps_are_not_joined_and_say_no_data():
    t = table([_row(year=y, value=v) for y, v in ((2015, 10), (2016, 12), (2018, 30), (2019, 31))])
    fig = trend(t, "arrests", "US-CA-fresno")
    runs = sorted([float(x) for x in ln.get_xdata()] for ln in lines(fig))
    assert runs == [[2015.0, 2016.0], [2018.0, 2019.0]]
    no_data = [t for t in fig.axes[0].texts if t.get_text() == "no data"]
    assert [float(t.get_position()[0]) for t in no_data] == [2017.0]
    assert "2017" in describe(fig)


def test_mexico_convictions_gaps_and_suppressed_bands(counts):
    fig = trend(counts, "convictions", "MEX", preset="web")
    ax = fig.axes[0]
    # Hand-read from the UNODC rows: 2008, 2009, 2011 are "<5"; 2010, 2019, 2020 are missing.
    no_data = sorted(float(t.get_position()[0]) for t in ax.texts if t.get_text() == "no data")
    assert no_data == [2010.0, 2019.0, 2020.0]
    bands = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert sorted(round(p.get_x() + p.get_width() / 2) for p in bands) == [2008, 2009, 2011]
    for p in bands:
        assert (p.get_y(), p.get_y() + p.get_height()) == (0.0, 4.0)
    for ln in ax.get_lines():
        xs = [float(x) for x in ln.get_xdata()]
        assert all(b - a == 1 for a, b in itertools.pairwise(xs)), xs
    d = describe(fig)
    assert "2010, 2019, 2020" in d and "0 to 4" in d


def test_vintage_change_is_marked():
    t = table(
        [
            _row(year=2015, value=5, vintage="2016-edition"),
            _row(year=2016, value=6, vintage="2017-edition"),
        ]
    )
    fig = trend(t, "arrests", "US-CA-fresno")
    assert [ln.get_gid() for ln in fig.axes[0].get_lines()].count("vintage-change") == 1
    assert "2017-edition" in describe(fig)


def test_fbi_trend_has_a_coverage_panel(counts):
    fig = trend(counts, "offenses_actual", "USA", dataset="fbi_cde", preset="social-square")
    assert len(fig.axes) == 2
    cov = chart_info(fig).plotted
    cov = cov[cov["metric"] == "agencies_reporting"]
    # FBI CDE download, agencies with records, 2013-2020 (hand-copied from counts.csv)
    assert [int(v) for v in cov["value"]] == [9, 103, 134, 225, 271, 323, 463, 503]


def test_trend_refuses_to_mix_sources(counts):
    with pytest.raises(ValueError, match="compare_reporters"):
        trend(counts, "offenses_actual", "USA")


def test_compare_reporters_keeps_sources_apart(counts):
    fig = compare_reporters(counts, "offenses_actual", "USA", years=[2016])
    info = chart_info(fig)
    # 2016: CDE 1,280; Good Faith Media 2017-09 and 2019-10 both 1,196 -> three separate points
    assert sorted(float(v) for v in info.plotted["value"]) == [1196.0, 1196.0, 1280.0]
    assert info.plotted["series"].nunique() == 3
    pts = sorted((float(ln.get_xdata()[0]), float(ln.get_ydata()[0])) for ln in lines(fig))
    assert {x for x, _ in pts} == {2016.0}, "every figure at its own year"
    assert len({ln.get_marker() for ln in lines(fig)}) == 3, "series told apart by their markers"


# ---------------------------------------------------------------------------------- footer, words


def test_footer_names_every_citation_of_the_plotted_rows(fresno):
    plotted = set(chart_info(fresno).plotted["citation"])
    assert plotted == FRESNO_CITATIONS - {"ksee-2022-01-18-fresno-pledge"}  # KSEE: the same statement
    with (paths.processed_dir() / "citations.csv").open(encoding="utf-8", newline="") as fh:
        cites = {r["citation"]: r for r in csv.DictReader(fh)}
    full = rescues_and_cases(read_counts(), "US-CA-fresno", preset="print-letter")
    text = footer_text(full)
    for key in FRESNO_CITATIONS:
        assert cites[key]["publisher"] in text, key
        assert cites[key]["published"] in text, key


def test_footer_names_sources_without_a_date(counts):
    fig = trend(counts, "offenses_actual", "USA", dataset="fbi_cde", preset="print-a4")
    assert "Crime Data Explorer" in footer_text(fig)
    assert "Crime Data Explorer: Crime Data Explorer" not in footer_text(fig)  # said once


def test_description_mentions_the_bound_the_conflicts_and_the_verdict(fresno):
    d = describe(fresno)
    assert d.startswith("This chart shows")
    assert "over 230" in d and "lower bound" in d
    assert "conflict" in d and "106" in d and "186" in d and "27" in d
    assert "3 years: too few to say" in d


def test_no_global_rc_change_and_no_pyplot_figures(counts):
    import matplotlib.pyplot as plt

    before = dict(mpl.rcParams)
    n = len(plt.get_fignums())
    rescues_and_cases(counts)
    assert dict(mpl.rcParams) == before
    assert len(plt.get_fignums()) == n


def test_rescues_needs_rescue_figures(counts):
    with pytest.raises(ValueError, match="victims_rescued"):
        rescues_and_cases(counts, "USA-nowhere")


# ----------------------------------------------------------------------------------------- privacy


def _victims(value: float | None, breakdown: str, qualifier: str = "exact", high: float | None = None):
    return table(
        [
            _row(
                year=2020,
                metric="victims_identified",
                unit="persons",
                breakdown=breakdown,
                value=value,
                qualifier=qualifier,
                value_low=0 if qualifier == "suppressed" else value,
                value_high=high if qualifier == "suppressed" else value,
            ),
        ]
    )


def test_small_victim_breakdown_cell_is_refused():
    t = _victims(3, "age=minor")
    with pytest.raises(SmallCellError, match="below 5"):
        trend(t, "victims_identified", "US-CA-fresno", breakdown="age=minor")
    fig = trend(t, "victims_identified", "US-CA-fresno", breakdown="age=minor", allow_small_cells=True)
    assert [float(v) for v in chart_info(fig).plotted["value"]] == [3.0]


def test_totals_and_suppressed_cells_pass_the_guard():
    trend(_victims(3, "total"), "victims_identified", "US-CA-fresno")
    trend(
        _victims(None, "age=minor", "suppressed", 4),
        "victims_identified",
        "US-CA-fresno",
        breakdown="age=minor",
    )
    trend(_victims(5, "age=minor"), "victims_identified", "US-CA-fresno", breakdown="age=minor")
