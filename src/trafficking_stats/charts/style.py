"""The house style: Okabe-Ito colours, text sizes, and the title / panels / footer layout of every chart.

All rc settings are applied through :func:`house_style`, a context manager around
``matplotlib.rc_context``: global ``rcParams`` are never changed. Text sizes are in points; the preset's
dpi turns them into pixels (see :mod:`.presets`). Layout is computed in inches from the canvas size, so a
chart is laid out afresh for each preset instead of being stretched.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .presets import Preset

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["INK", "MUTED", "OKABE_ITO", "SERIES_COLORS", "Sizes", "house_style"]

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008), by name.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Series colours in order of use. Yellow, orange and sky blue are too light for thin lines and text on
#: white, so the dark members come first.
SERIES_COLORS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
)
INK = "#1a1a1a"  # text (17:1 on white)
MUTED = "#595959"  # secondary text, "no data" labels, coverage panel (7:1 contrast on white)
GRID = "#d9d9d9"

#: Least contrast ratio of text against white (WCAG 2.2 AA for text under 24 px; the charts' value labels
#: are smaller than that where people see them).
TEXT_CONTRAST = 4.5


def relative_luminance(color: str | tuple[float, ...]) -> float:
    """WCAG 2.2 relative luminance of a colour (any matplotlib colour spec), 0 (black) to 1 (white)."""
    from matplotlib.colors import to_rgb

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: str | tuple[float, ...], bg: str | tuple[float, ...] = "white") -> float:
    """WCAG 2.2 contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    a, b = sorted((relative_luminance(fg), relative_luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def ink(color: str, bg: str = "white", ratio: float = TEXT_CONTRAST) -> str:
    """``color`` darkened (mixed with black in steps of 2%) until text in it has at least ``ratio``
    contrast against ``bg``: the series colour for the marks, its ink for the labels beside them
    (Okabe-Ito vermillion #D55E00 is 3.9:1 on white; its ink is 4.5:1 or more)."""
    from matplotlib.colors import to_hex, to_rgb

    rgb = to_rgb(color)
    k = 1.0
    while contrast_ratio(tuple(c * k for c in rgb), bg) < ratio and k > 0:
        k -= 0.02
    return to_hex(tuple(c * max(k, 0) for c in rgb))


@dataclass(frozen=True)
class Sizes:
    """Text sizes in points for one preset, the page margin in inches, and whether to be brief.

    ``small`` is the smallest size any text of a chart may have (footers, legends, "no data" marks): 10 pt
    on the 5-inch screen canvases (1/36 of the width, see :mod:`.presets`), 9 pt on paper. ``compact``
    presets (every screen preset) print fewer words, never smaller type: the short footer and short
    notes, no subtitle when it would crowd the panels; the long texts are in the description.
    """

    title: float
    subtitle: float
    panel_title: float
    body: float
    tick: float
    label: float
    footer: float
    margin: float
    small: float
    compact: bool

    @classmethod
    def for_preset(cls, preset: Preset) -> Sizes:
        if preset.is_print:
            return cls(18, 12, 12.5, 11, 10.5, 11, 9.5, 0.6, 9.5, False)
        w, h = preset.figsize
        if h / w < 0.7:  # 16:9 and wider: little height, so headings one step smaller (never under 10 pt)
            return cls(12, 10.5, 10.5, 10, 10, 10, 10, 0.14, 10, True)
        return cls(14, 11, 11, 10.5, 10, 10, 10, 0.16, 10, True)


_RC_BASE: dict[str, object] = {
    # DejaVu Sans ships with matplotlib: the same glyphs (and so the same layout) on every machine. Vector
    # files name the family with fallbacks for readers that lack it (SVG: a CSS font stack).
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica"],
    # Unhinted outlines: at the presets' 144-300 dpi hinting does not visibly sharpen text, and FreeType's
    # autohinter was a third of the time of drawing a chart's text (benchmarks/export.py).
    "text.hinting": "no_hinting",
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "axes.titlelocation": "left",
    "axes.titleweight": "bold",
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "text.color": INK,
    "lines.linewidth": 2.0,
    "lines.markersize": 7,
    "hatch.color": MUTED,
    "hatch.linewidth": 0.8,
    "legend.frameon": False,
    "svg.hashsalt": "trafficking-stats",  # deterministic SVG ids
    "svg.fonttype": "none",  # text as <text> elements: searchable, editable and translatable
    "pdf.fonttype": 42,  # embedded TrueType subsets: editable text, accepted by print shops (not Type 3)
    "path.simplify": True,
}


@contextmanager
def house_style(preset: Preset) -> Iterator[Sizes]:
    """Apply the house rc settings for ``preset`` inside a ``with`` block; yields its :class:`Sizes`."""
    import matplotlib as mpl

    sizes = Sizes.for_preset(preset)
    rc = dict(_RC_BASE)
    rc.update(
        {
            "font.size": sizes.body,
            "axes.titlesize": sizes.panel_title,
            "axes.labelsize": sizes.label,
            "xtick.labelsize": sizes.tick,
            "ytick.labelsize": sizes.tick,
            "legend.fontsize": sizes.tick,
            "figure.dpi": preset.dpi,
            "savefig.dpi": preset.dpi,
        }
    )
    with mpl.rc_context(rc):
        yield sizes


def _line_chars(width_in: float, size_pt: float, bold: bool = False) -> int:
    """Characters that fit a line of ``width_in`` inches at ``size_pt`` (DejaVu Sans: about 0.6 em a
    character, 0.68 em bold, with room for wide letters); at least 8."""
    return max(int(width_in * 72 / ((0.68 if bold else 0.6) * size_pt)), 8)


def wrap(text: str, width_in: float, size_pt: float, bold: bool = False) -> str:
    """``text`` wrapped to lines that fit ``width_in`` inches at ``size_pt`` (:func:`_line_chars`).

    Paragraphs (separated by newlines) are wrapped separately.
    """
    chars = _line_chars(width_in, size_pt, bold)
    return "\n".join(
        textwrap.fill(p, chars, break_long_words=False, break_on_hyphens=False) if p else ""
        for p in text.split("\n")
    )


def lines_height(text: str, size_pt: float, spacing: float = 1.25) -> float:
    """Height in inches of ``text`` (lines split at newlines) at ``size_pt`` points, ``spacing`` em a line."""
    return (text.count("\n") + 1) * size_pt * spacing / 72 if text else 0.0


def _clip_lines(wrapped: str, n: int, width_in: float, size_pt: float) -> str:
    """The first ``n`` lines of ``wrapped``, the last ending in "…" when lines were dropped."""
    lines = wrapped.split("\n")
    if len(lines) <= n:
        return wrapped
    chars = _line_chars(width_in, size_pt)
    last = lines[n - 1]
    while len(last) + 1 > chars and " " in last:
        last = last.rsplit(" ", 1)[0]
    return "\n".join([*lines[: n - 1], last.rstrip(" ,;:(") + "…"])


def legend_height(labels: Sequence[str], size_pt: float, spacing: float = 0.25) -> float:
    """Height in inches of a legend of wrapped ``labels`` at ``size_pt`` points: about 1.2 em a line and
    ``spacing`` em between entries (matplotlib's ``labelspacing``)."""
    lines = sum(lines_height(lb, size_pt, 1.2) for lb in labels)
    return lines + spacing * (len(labels) - 1) * size_pt / 72


def fitted_labels(
    labels: list[str], width_in: float, height_in: float, size_pt: float, spacing: float = 0.25
) -> list[str]:
    """Legend ``labels`` wrapped to ``width_in`` inches and, where the legend would be taller than
    ``height_in`` inches at ``size_pt`` points (about 1.2 em a line, ``spacing`` em between entries), clipped
    to three, two, then one line each with "…": the legend never runs into the footer. The full names are
    in the chart's description and sidecar CSV."""

    out = [wrap(lb, width_in, size_pt) for lb in labels]
    for keep in (3, 2, 1):
        if legend_height(out, size_pt, spacing) <= height_in:
            break
        out = [_clip_lines(lb, keep, width_in, size_pt) for lb in out]
    return out


@dataclass
class Frame:
    """The chart's frame: title, subtitle, footer; ``body`` = free area (x0, y0, x1, y1) in inches for the
    panels; ``column`` = on wide canvases, the free part of the left text column under the title (for a
    legend), else None; ``footer_choice`` = which of the ``compact_footer`` versions was drawn (-1: the full
    footer)."""

    title: str
    subtitle: str
    footer: str
    body: tuple[float, float, float, float]
    column: tuple[float, float, float, float] | None = None
    footer_choice: int = -1


def new_figure(preset: Preset) -> Figure:
    """A pyplot-free Figure of the preset's size on matplotlib's Agg canvas (no global figure manager,
    nothing to show; ``fig.savefig`` works as on any Figure)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=preset.figsize, dpi=preset.dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


#: The least share of the canvas height left for the panels (with their headings, ticks and legends under
#: them) when :func:`draw_frame` chooses among shorter compact footers.
MIN_BODY = 0.55


def draw_frame(
    fig: Figure,
    sizes: Sizes,
    title: str,
    subtitle: str,
    footer: str,
    compact_footer: str | Sequence[str] | None = None,
    takeaway: str = "",
    column: float = 0.3,
    title_in_column: bool = False,
) -> Frame:
    """Write the left-aligned title, the takeaway, the subtitle and the footer of ``fig``.

    ``takeaway`` is what the chart says in plain words (a verdict, with the caveat that changes its
    meaning), printed in ink under the title on every preset. The texts are wrapped to the canvas width.
    On compact (screen) presets ``compact_footer`` replaces the footer (fewer words, same type size; a
    list gives versions from the fullest to the shortest: the first that leaves the panels at least
    :data:`MIN_BODY` of the canvas height is drawn, else the last, and print presets try the full
    ``footer`` before them; the description keeps every note), and
    the subtitle is left out when it would leave the panels less than 60% of the canvas height (it stays
    in the description). On canvases less than 0.7 times as tall as wide the title runs across the top,
    the takeaway, subtitle and legend take a column on the left (``column``: a share of the width; more
    for a legend) and the panels the rest of the height beside it; the footer runs across the bottom.
    Returns the wrapped texts and the areas left for panels and legends (inches).
    """
    w, h = fig.get_size_inches()
    m = sizes.margin
    width = w - 2 * m
    gap = 0.06 if sizes.compact else 0.1
    side = h / w < 0.7
    tw = w * column - m if side else width  # the left column of wide canvases
    t = wrap(title, tw if side and title_in_column else width, sizes.title, bold=True)
    k = wrap(takeaway, tw, sizes.subtitle)
    head = 0.0  # what the panels have above them: the title, and the takeaway unless it is in the column
    if not (side and title_in_column):
        head = lines_height(t, sizes.title, 1.2) + 0.06
        head += lines_height(k, sizes.subtitle) + 0.04 if k and not side else 0.0
    versions: list[tuple[int, str]] = [(-1, footer)]  # (index in compact_footer, text); -1: the full one
    if compact_footer is not None and not isinstance(compact_footer, str):
        versions = ([] if sizes.compact else versions) + list(enumerate(compact_footer))  # print: full first
    elif sizes.compact and compact_footer is not None:
        versions = [(0, compact_footer)]
    for version in versions:  # the fullest footer that leaves the panels room
        choice, text = version
        f = wrap(text, width, sizes.footer)
        fh = lines_height(f, sizes.footer, 1.3)
        if h - 2 * m - head - fh - 2 * gap >= MIN_BODY * h:
            break
    fig.text(
        m / w,
        m / h,
        f,
        ha="left",
        va="bottom",
        fontsize=sizes.footer,
        color=MUTED,
        linespacing=1.3,
        gid="footer",
    )
    s = wrap(subtitle, tw, sizes.subtitle)
    room = h - 2 * m - fh - gap - lines_height(t, sizes.title, 1.2) - 0.06
    used = lines_height(k, sizes.subtitle) + 0.04 if k else 0.0
    sub_h = lines_height(s, sizes.subtitle)
    if s and (side or room - used - sub_h - 0.3 < 0.6 * h):  # wide canvases: fewer words
        s = ""
    y = h - m
    fig.text(m / w, y / h, t, ha="left", va="top", fontsize=sizes.title, fontweight="bold", gid="title")
    y -= lines_height(t, sizes.title, 1.2) + 0.06
    top = h - m if side and title_in_column else y
    if k:
        fig.text(m / w, y / h, k, ha="left", va="top", fontsize=sizes.subtitle, color=INK, gid="takeaway")
        y -= lines_height(k, sizes.subtitle) + 0.04
    if s:
        fig.text(m / w, y / h, s, ha="left", va="top", fontsize=sizes.subtitle, color=MUTED, gid="subtitle")
        y -= sub_h
    bottom = m + fh + gap
    if side:
        column = (m, bottom, m + tw, y - 0.1)
        return Frame(t, s, f, (m + tw + 0.2, bottom, w - m, top - gap), column, choice)
    return Frame(t, s, f, (m, bottom, w - m, y - gap), None, choice)


def panel_cells(
    body: tuple[float, float, float, float], n: int, *, side_by_side: bool, weights: list[float] | None = None
) -> list[tuple[float, float, float, float]]:
    """Split ``body`` into ``n`` cells, left to right (``side_by_side``) or top to bottom, by ``weights``."""
    x0, y0, x1, y1 = body
    weights = weights or [1.0] * n
    total = sum(weights)
    gap = 0.25
    cells = []
    if side_by_side:
        span = x1 - x0 - gap * (n - 1)
        x = x0
        for wt in weights:
            cw = span * wt / total
            cells.append((x, y0, x + cw, y1))
            x += cw + gap
    else:
        span = y1 - y0 - gap * (n - 1)
        y = y1
        for wt in weights:
            ch = span * wt / total
            cells.append((x0, y - ch, x1, y))
            y -= ch + gap
    return cells


def _freeze_ticks(ax: Axes) -> None:
    """Fix the x and y ticks of ``ax`` at the positions its locators give now (at its current size),
    keeping only those inside the axis limits: locators also return ticks beyond them, which matplotlib
    never draws but would still build as tick objects (about 2 ms each)."""
    from matplotlib.ticker import FixedLocator

    for axis in (ax.xaxis, ax.yaxis):
        if not isinstance(axis.get_major_locator(), FixedLocator):
            lo, hi = sorted(axis.get_view_interval())
            tol = 1e-10 * (hi - lo)  # matplotlib's own tolerance for a tick on a limit
            locs = [t for t in axis.get_majorticklocs() if lo - tol <= t <= hi + tol]
            axis.set_major_locator(FixedLocator(locs))
        if not axis.label.get_text():
            # no axis label: pin where it would go, so that matplotlib stops measuring every tick label
            # of the figure to place an empty text at each draw and layout pass
            axis.set_label_coords(0.5, 0.5)


def fit_axes(
    fig: Figure, axes_cells: list[tuple[Axes, tuple[float, float, float, float]]], passes: int = 2
) -> None:
    """Place each axes so that it *with* its tick labels, titles and annotations fills its cell (inches).

    Place each axes on its whole cell, fix its ticks where its locators put them at that size, measure how
    far its decorations reach beyond it (without rendering), and shrink it by that much. Fixing the ticks
    makes the one measurement exact: an automatic locator could otherwise choose other ticks for the
    smaller axes, with labels of another width (the ticks kept are those chosen for a slightly taller or
    wider axes, so at most one tick more than the locator would pick). Nothing is clipped at the canvas
    edge.
    """
    w, h = fig.get_size_inches()
    for ax, (x0, y0, x1, y1) in axes_cells:
        ax.set_position((x0 / w, y0 / h, (x1 - x0) / w, (y1 - y0) / h))
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    # get_tightbbox lays out ticks, titles and texts itself: no full draw needed. Two passes by default:
    # a left-aligned title moves with the axes' left edge, and labels in data coordinates move with the
    # axes' size, so the first shrink can leave a residue. Place charts (one panel, the title wrapped to
    # the cell) take one: every web place chart passes the layout checks with one (a third of their
    # drawing time was these passes)
    for ax, _cell in axes_cells:
        _freeze_ticks(ax)
    for _ in range(passes):
        for ax, (x0, y0, x1, y1) in axes_cells:
            tight = ax.get_tightbbox(renderer)
            box = ax.get_window_extent(renderer)
            pos = ax.get_position()
            bx0, by0 = pos.x0 * w, pos.y0 * h
            bx1, by1 = pos.x1 * w, pos.y1 * h
            left = (box.x0 - tight.x0) / dpi - (bx0 - x0)
            bottom = (box.y0 - tight.y0) / dpi - (by0 - y0)
            right = (tight.x1 - box.x1) / dpi - (x1 - bx1)
            top = (tight.y1 - box.y1) / dpi - (y1 - by1)
            nx0, ny0 = bx0 + max(left, 0), by0 + max(bottom, 0)
            nx1, ny1 = bx1 - max(right, 0), by1 - max(top, 0)
            nx1, ny1 = max(nx1, nx0 + 0.3), max(ny1, ny0 + 0.3)  # never a negative size
            ax.set_position((nx0 / w, ny0 / h, (nx1 - nx0) / w, (ny1 - ny0) / h))
