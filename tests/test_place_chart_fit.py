"""Place charts that crowd: one publisher's several datasets, many years with conflicts, reporters that
agree in a year. What an advocate sees on the image, checked from the drawn figure."""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.text import Text

from trafficking_stats import read_counts
from trafficking_stats.charts.catalog import place_spec
from trafficking_stats.charts.info import chart_info
from trafficking_stats.charts.style import fitted_labels

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def counts():
    return read_counts()


def _texts(fig, gid=None):
    return [
        t.get_text()
        for t in fig.findobj(Text)
        if t.get_text().strip() and (gid is None or t.get_gid() == gid)
    ]


def test_fitted_labels_clip_to_fit_and_say_so():
    long = ["FBI Uniform Crime Reporting Program: Crime Data Explorer: Human Trafficking bulk download"] * 3
    # 2 in wide at 10 pt: about 24 characters a line; 1 in tall holds about 6 lines with spacing
    out = fitted_labels(long, 2.0, 1.0, 10)
    lines = sum(lb.count("\n") + 1 for lb in out)
    assert lines * 1.2 * 10 / 72 + 0.25 * 10 / 72 * 2 <= 1.0
    assert all(lb.endswith("…") for lb in out)
    assert out[0].startswith("FBI Uniform Crime")  # clipped at the end, never the start
    roomy = fitted_labels(long, 2.0, 10.0, 10)
    assert not any("…" in lb for lb in roomy)  # room enough: nothing cut
    assert roomy[0].replace("\n", " ") == long[0]


def test_one_publishers_datasets_are_named_short_in_the_legend_and_whole_in_the_description(counts):
    fig = place_spec("US-TX", "offenses_actual").build(counts, "web")
    info = chart_info(fig)
    legend = [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]
    assert legend == [
        "FBI: CDE bulk download, agency level",
        "FBI: annual tables 2015–2016",
        "FBI: ASCII master file",
    ]
    assert "3 datasets side by side" in info.subtitle
    assert "Human Trafficking bulk download (agency level)" in info.summary  # the full title
    assert "ASCII master file" in info.summary and "…" not in info.summary
    assert "Source: FBI." in info.footer  # one publisher, named once


def test_conflict_marks_are_drawn_without_value_labels(counts):
    """GBR referrals: 18 figures, too many for value labels; each conflict still has its mark."""
    fig = place_spec("GBR", "victims_referred").build(counts, "web")
    info = chart_info(fig)
    marks = set(_texts(fig, "conflict-mark"))
    assert not _texts(fig, "value-label")
    assert len(info.conflicts) == 6 and marks == set("¹²³⁴⁵⁶")


def test_equal_values_of_two_datasets_are_labelled_once(counts):
    """Nevada, offenses recorded: in 2015 the CDE download and the master file give the same count. The
    image prints it once (two identical labels on one spot looked like one, and unequal ones collided)."""
    from matplotlib.text import Annotation

    fig = place_spec("US-NV", "offenses_actual").build(counts, "web")
    plotted = chart_info(fig).plotted
    shared = plotted[plotted.duplicated(["year", "value"], keep=False)]
    assert not shared.empty  # the case this test is about: two datasets agree in some year
    labels = [
        (round(float(a.xy[0])), a.get_text()) for a in fig.findobj(Annotation) if a.get_gid() == "value-label"
    ]
    assert labels and len(labels) == len(set(labels))
    year, value = int(shared["year"].iloc[0]), float(shared["value"].iloc[0])
    assert sum(1 for x, t in labels if x == year and t.replace(",", "") == f"{value:g}") <= 1


@pytest.mark.parametrize("preset", ["web", "social-wide", "slide"])
def test_conflict_marks_keep_their_key_on_wide_canvases(counts, preset):
    """GBR referrals on wide canvases: the footer has room for the sources and one line at most, so the keys
    it leaves out (what ¹ to ⁶ mean first) go under the legend in the left column; a mark is never drawn
    without its key."""
    fig = place_spec("GBR", "victims_referred").build(counts, preset)
    assert set(_texts(fig, "conflict-mark")) == set("¹²³⁴⁵⁶")
    shown = " ".join(_texts(fig, "footer") + _texts(fig, "column-keys")).replace("\n", " ")
    assert "¹²³⁴⁵⁶ Conflicting figures: see the notes." in shown
    # the legend still names both reporters, above the keys
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    keys = [t for t in fig.findobj(Text) if t.get_gid() == "column-keys"]
    if keys:
        legend = fig.legends[0].get_window_extent(r)
        assert legend.y0 > keys[0].get_window_extent(r).y1
        assert [t.get_text().split("\n")[0] for t in fig.legends[0].get_texts()] == [
            "UK Home Office",
            "UK National Crime",
        ]


def test_equal_figures_of_two_datasets_show_both_markers(counts):
    """Nevada 2015: the CDE download and the master file both give 216. The later series' marker is drawn
    smaller, inside the first one's, so the image shows two markers where the two datasets agree (drawn
    at one size, the master file's triangle was hidden under the CDE circle)."""
    from matplotlib.lines import Line2D

    fig = place_spec("US-NV", "offenses_actual").build(counts, "web")
    points = {}
    for line in fig.axes[0].findobj(Line2D):
        if line.get_gid() == "exact":
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
                points.setdefault((float(x), float(y)), []).append((line.get_marker(), line.get_markersize()))
    shared = points[(2015.0, 216.0)]
    assert {m for m, _ in shared} == {"o", "^"}  # CDE circle, master-file triangle
    sizes = dict(shared)
    assert sizes["^"] < 0.8 * sizes["o"]


def test_a_title_that_names_its_publisher_is_not_prefixed_twice_in_the_legend(counts):
    """USA offenses: the third series is a published figure whose cited document is a headline, "FBI: Human
    trafficking cases rose in 2018 to nearly 1,400". Its legend entry read "FBI: FBI: Human…"."""
    fig = place_spec("USA", "offenses_actual").build(counts, "web")
    legend = [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]
    assert len(legend) == 3
    assert legend[2].startswith("FBI: Human trafficking")
    assert not any(lb.startswith("FBI: FBI") for lb in legend)
