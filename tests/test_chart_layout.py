"""Every standard chart at every preset, and place charts chosen for their crowding (several datasets of
one publisher with long titles, 18 years with conflict marks, 20 years of one reporter), checked from the
drawn figure as a person would look at it: no two texts overlap, every text is inside the canvas, every
plot area is at least a third of the canvas height, no text is smaller than the preset allows (1/36 of
the canvas width on screens: 30 px on a 1080 px square, 10 px when a phone shows it 360 px wide), and
every text has at least 4.5:1 contrast against white (3:1 from 24 px at the viewing size)."""

from __future__ import annotations

import itertools

import matplotlib
import pytest

from trafficking_stats import read_counts
from trafficking_stats.charts import PRESETS, STANDARD_CHARTS
from trafficking_stats.charts.catalog import place_spec
from trafficking_stats.charts.style import contrast_ratio

matplotlib.use("Agg")

#: How wide each preset is seen (px): social posts on a phone, the others at their own width.
VIEW_WIDTH = {"social-square": 360, "social-portrait": 360, "social-wide": 360}


@pytest.fixture(scope="module")
def counts():
    return read_counts()


def _texts(fig):
    """Every visible, non-empty text artist of ``fig``, with a name for messages."""
    from matplotlib.text import Text

    out = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or t.figure is None:
            continue
        ax = t.axes
        if ax is not None and t in ax.get_xticklabels() + ax.get_yticklabels():
            lo, hi = sorted(ax.get_xlim() if t in ax.get_xticklabels() else ax.get_ylim())
            pos = t.get_position()[0 if t in ax.get_xticklabels() else 1]
            if not lo <= pos <= hi:  # ticks matplotlib does not draw
                continue
        out.append(t)
    return out


def _drawn(spec, counts, preset):
    fig = spec.build(counts, preset)
    fig.canvas.draw()
    return fig


#: Place charts that crowd: three FBI datasets side by side (Texas, Missouri), the UK's 18 years of
#: referrals with conflicting figures, the US hotline's cases, a country with UNODC's every year.
PLACE_CHARTS = {
    f"place-{code}-{metric}": place_spec(code, metric)
    for code, metric in [
        ("US-TX", "offenses_actual"),
        ("US-MO", "agencies_reporting"),
        ("GBR", "victims_referred"),
        ("USA", "hotline_cases"),
        ("NGA", "victims_identified"),
    ]
}
CHARTS = {**STANDARD_CHARTS, **PLACE_CHARTS}
CASES = [(c, p) for c in CHARTS for p in PRESETS]


@pytest.mark.parametrize(("chart", "preset"), CASES)
def test_no_text_overlaps_or_leaves_the_canvas(counts, chart, preset):
    fig = _drawn(CHARTS[chart], counts, preset)
    r = fig.canvas.get_renderer()
    W, H = fig.canvas.get_width_height()
    texts = _texts(fig)
    boxes = [(t, t.get_window_extent(r)) for t in texts]
    for t, b in boxes:
        assert b.x0 >= -0.5 and b.y0 >= -0.5 and b.x1 <= W + 0.5 and b.y1 <= H + 0.5, (
            f"{chart} {preset}: {t.get_text()!r} leaves the canvas ({b})"
        )
    for (t1, b1), (t2, b2) in itertools.combinations(boxes, 2):
        ov_w = min(b1.x1, b2.x1) - max(b1.x0, b2.x0)
        ov_h = min(b1.y1, b2.y1) - max(b1.y0, b2.y0)
        assert ov_w <= 1 or ov_h <= 1, f"{chart} {preset}: {t1.get_text()!r} overlaps {t2.get_text()!r}"


@pytest.mark.parametrize(("chart", "preset"), CASES)
def test_plot_areas_are_a_third_of_the_canvas_height(counts, chart, preset):
    fig = _drawn(CHARTS[chart], counts, preset)
    H = fig.canvas.get_width_height()[1]
    for ax in fig.axes:
        h = ax.get_window_extent(fig.canvas.get_renderer()).height
        assert h >= H / 3 - 1, f"{chart} {preset}: a plot area is {h:.0f} px high of {H} (< a third)"


@pytest.mark.parametrize(("chart", "preset"), CASES)
def test_type_size_and_contrast(counts, chart, preset):
    p = PRESETS[preset]
    fig = _drawn(CHARTS[chart], counts, preset)
    view = VIEW_WIDTH.get(preset, p.width_px) / p.width_px
    for t in _texts(fig):
        px = t.get_fontsize() * p.dpi / 72
        assert px >= p.min_text_px - 0.01, f"{chart} {preset}: {t.get_text()!r} is {px:.1f} px"
        need = 3.0 if px * view >= 24 else 4.5
        ratio = contrast_ratio(t.get_color())
        assert ratio >= need, f"{chart} {preset}: {t.get_text()!r} in {t.get_color()} has {ratio:.2f}:1"


def test_min_text_is_ten_px_on_a_phone():
    """Independent arithmetic: 10 pt at 216 dpi is 30 px; a 1080 px image shown 360 px wide shows it 10 px."""
    p = PRESETS["social-square"]
    assert p.min_text_px == 30
    assert 10 * p.dpi / 72 * 360 / p.width_px == pytest.approx(10)


def test_contrast_ratio_matches_wcag_examples():
    # WCAG 2.2: black on white is 21:1; #767676 on white is the classic 4.54:1
    assert contrast_ratio("#000000") == pytest.approx(21, abs=0.01)
    assert contrast_ratio("#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#D55E00") < 4.5  # Okabe-Ito vermillion: too light for small text
