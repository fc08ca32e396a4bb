"""The Agg canvas of every chart: matplotlib's, with a faster loop for drawing a line of text.

matplotlib 3.11 draws text glyph by glyph, and for each glyph recomputes the rotation matrix with numpy
and resets the font size. :class:`TextRendererAgg` computes the matrix once per text and sets the size
once per font, which saves 6-10% of the time of drawing a chart (20 alternating draws with each canvas,
process time), and otherwise makes the same FreeType and Agg calls in the same order, so the pixels are
those of matplotlib's own renderer (``tests/test_png.py`` compares them on every standard chart).
Mathtext, TeX and matplotlib versions other than the one this loop was written against
(:data:`SUPPORTED`) take matplotlib's own path.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.ft2font import RenderMode

__all__ = ["SUPPORTED", "ChartCanvas", "TextRendererAgg"]

#: matplotlib versions whose ``RendererAgg.draw_text`` the fast loop reproduces (major.minor).
SUPPORTED: tuple[str, ...] = ("3.11",)

_FAST = ".".join(mpl.__version__.split(".")[:2]) in SUPPORTED


class TextRendererAgg(RendererAgg):
    """``RendererAgg`` whose ``draw_text`` hoists the per-glyph matrix and font-size work out of the loop."""

    def draw_text(
        self,
        gc: Any,
        x: float,
        y: float,
        s: str,
        prop: Any,
        angle: float,
        ismath: Any = False,
        mtext: Any = None,
    ) -> None:
        if ismath or not _FAST:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        font = self._prepare_font(prop)
        flags = get_hinting_flag()
        items = font._layout(
            s,
            flags=flags,
            features=mtext.get_fontfeatures() if mtext is not None else None,
            language=mtext.get_language() if mtext is not None else None,
        )
        size = prop.get_size_in_points()
        cos = math.cos(math.radians(angle))
        sin = math.sin(math.radians(angle))
        # matplotlib's 0x10000 * rotation @ [[extend, extend * slant], [0, 1]], with extend 1 and slant 0
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
        mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
        height = self.height
        draw_image = self._renderer.draw_text_image
        sized = None
        for item in items:
            ft = item.ft_object
            if ft is not sized:
                ft.set_size(size, self.dpi)
                sized = ft
            dx, dy = item.x, item.y  # dy is upwards
            ft._set_transform(
                matrix,
                [round(0x40 * (x + dx * cos - dy * sin)), round(0x40 * (height - y + dx * sin + dy * cos))],
            )
            bitmap = ft._render_glyph(item.glyph_index, flags, mode)
            buffer = bitmap.buffer
            if mode is RenderMode.MONO:
                buffer *= 0xFF
            draw_image(buffer, bitmap.left, int(height) - bitmap.top + buffer.shape[0], 0, gc)


class ChartCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with :class:`TextRendererAgg` (same pixels, less time)."""

    def get_renderer(self) -> TextRendererAgg:
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextRendererAgg(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
