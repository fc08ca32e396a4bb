"""Show a chart inline in a Jupyter notebook, as the PNG the export would write.

Notebooks call :func:`show` instead of relying on matplotlib's inline backend: chart functions return
pyplot-free Figures, and ``show`` renders one in the house style of its preset, so what the notebook shows
is pixel for pixel the exported PNG (with the description in the PNG's metadata).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .describe import describe_info
from .info import chart_info
from .presets import PRESETS, Preset
from .style import house_style

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["preset_of", "show"]


def preset_of(fig: Figure) -> Preset:
    """The preset a chart Figure was drawn at (by its pixel size and dpi); ValueError if none matches."""
    w, h = fig.get_size_inches()
    size = (int(w * fig.dpi), int(h * fig.dpi), round(fig.dpi))
    for p in PRESETS.values():
        if (p.width_px, p.height_px, p.dpi) == size:
            return p
    raise ValueError(f"this Figure ({size[0]} x {size[1]} px at {size[2]} dpi) matches no preset")


def show(fig: Figure, width: int | None = 720) -> None:
    """Display ``fig`` in the notebook as PNG, ``width`` CSS pixels wide (None: its own pixel width).

    The output's plain-text form is the chart's description (:func:`~.describe.describe`), so a validated
    notebook (nbval compares text, not PNG) checks what the chart says, numbers included, and HTML
    reports can use it as the image's alternative text. Needs IPython (installed with JupyterLab).
    """
    import base64

    from IPython.display import display

    from .export import figure_bytes

    info = chart_info(fig)
    description = describe_info(info)
    with house_style(preset_of(fig)):
        data = figure_bytes(fig, "png", info.title, description)
    bundle = {"image/png": base64.b64encode(data).decode("ascii"), "text/plain": description}
    display(bundle, raw=True, metadata={"image/png": {"width": width}} if width else None)
