"""Export presets: the pixel size of screen images and the paper size of print pages.

Every preset is a canvas in inches plus a resolution (dots per inch). Text sizes are set in points, so the
text's size *in pixels* is ``points * dpi / 72``: the dpi of each screen preset is chosen so that text stays
readable where the image is shown (a 1080 px square is shown about 360 px wide on a phone, so its text
is drawn about three times as large in pixels as on a 960 px web figure).

=================  ==============  =====  ===========  =====================================
preset             pixels          dpi    canvas (in)  body text (9.5 pt) in pixels
=================  ==============  =====  ===========  =====================================
``social-square``  1080 x 1080     216    5 x 5        28.5
``social-portrait`` 1080 x 1350    216    5 x 6.25     28.5
``social-wide``    1200 x 675      200    6 x 3.375    26.4
``slide``          1920 x 1080     192    10 x 5.625   25.3
``web``            960 x 600       144    6.67 x 4.17  19.0
``print-letter``   2550 x 3300     300    8.5 x 11     39.6 (9.5 pt on paper)
``print-a4``       2480 x 3508     300    210 x 297 mm 39.6 (9.5 pt on paper)
=================  ==============  =====  ===========  =====================================

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


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("social-square", 1080, 1080, 216, "square social-media post (Instagram, Facebook)"),
        Preset("social-portrait", 1080, 1350, 216, "portrait social-media post (4:5)"),
        Preset("social-wide", 1200, 675, 200, "wide social-media card (16:9, X/Twitter, LinkedIn)"),
        Preset("slide", 1920, 1080, 192, "full-HD presentation slide (16:9)"),
        Preset("web", 960, 600, 144, "web page figure (16:10)"),
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
