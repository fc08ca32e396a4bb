"""Export presets: the pixel size of screen images and the paper size of print pages.

Every preset is a canvas in inches plus a resolution (dots per inch). Text sizes are set in points, so the
text's size *in pixels* is ``points * dpi / 72``.

Screen presets are all laid out on a canvas 5 inches wide, and their dpi is their pixel width / 5. Text
therefore keeps one ratio to the canvas width on every screen preset: the smallest text (10 pt) is 1/36 of
the width, 30 px on a 1080 px square, which a phone shows about 360 px wide, so 10 px on the phone. A slide
(1920 px) or a web figure (960 px) keeps the same ratio: the chart is as legible wherever it is shown at
the width of a phone or more. Print pages are laid out at their paper size (text 9 pt and more on paper).

===================  ============  =====  ============  =================================
preset               pixels        dpi    canvas (in)   smallest text (10 pt) in pixels
===================  ============  =====  ============  =================================
``social-square``    1080 x 1080   216    5 x 5         30
``social-portrait``  1080 x 1350   216    5 x 6.25      30
``social-wide``      1200 x 675    240    5 x 2.81      33.3
``slide``            1920 x 1080   384    5 x 2.81      53.3
``web``              960 x 600     192    5 x 3.13      26.7
``print-letter``     2550 x 3300   300    8.5 x 11      37.5 (9 pt on paper)
``print-a4``         2480 x 3508   300    210 x 297 mm  37.5 (9 pt on paper)
===================  ============  =====  ============  =================================

Matplotlib truncates ``inches * dpi`` to whole pixels, so the canvas is made a hundredth of a pixel larger
than ``pixels / dpi``: the image then has exactly the preset's pixels (A4 at 300 dpi is 2480 x 3508 px,
210.0 x 297.0 mm to 0.1 mm).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "get_preset"]


@dataclass(frozen=True)
class Preset:
    """One export size: ``width_px`` x ``height_px`` pixels at ``dpi`` dots per inch."""

    name: str
    width_px: int
    height_px: int
    dpi: int
    description: str

    @property
    def figsize(self) -> tuple[float, float]:
        """Canvas size in inches (a hundredth of a pixel over, so that truncation gives the exact pixels)."""
        return ((self.width_px + 0.01) / self.dpi, (self.height_px + 0.01) / self.dpi)

    @property
    def is_print(self) -> bool:
        return self.name.startswith("print-")

    @property
    def min_text_px(self) -> float:
        """The smallest text allowed, in pixels: 1/36 of the canvas width on screens (30 px on 1080 px,
        10 px when a phone shows it 360 px wide); 9 pt on paper for print pages."""
        return 9 * self.dpi / 72 if self.is_print else self.width_px / 36


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("social-square", 1080, 1080, 216, "square social-media post (Instagram, Facebook)"),
        Preset("social-portrait", 1080, 1350, 216, "portrait social-media post (4:5)"),
        Preset("social-wide", 1200, 675, 240, "wide social-media card (16:9, X/Twitter, LinkedIn)"),
        Preset("slide", 1920, 1080, 384, "full-HD presentation slide (16:9)"),
        Preset("web", 960, 600, 192, "web page figure (16:10)"),
        Preset("print-letter", 2550, 3300, 300, "US Letter page, 8.5 x 11 in at 300 dpi"),
        Preset("print-a4", 2480, 3508, 300, "A4 page, 210 x 297 mm at 300 dpi"),
    )
}

#: The size a chart function draws at when no preset is given.
DEFAULT_PRESET = "web"


def get_preset(name: str | Preset) -> Preset:
    """The preset called ``name``; raises ValueError naming the known presets."""
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; known presets: {', '.join(PRESETS)}") from None
