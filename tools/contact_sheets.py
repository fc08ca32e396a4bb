"""Contact sheets of the exported standard charts, one image per preset, at the size a person sees them.

    python tools/contact_sheets.py EXPORTS_DIR OUT_DIR

Each sheet tiles every chart of one preset, scaled to its viewing width (social presets as on a phone,
360 CSS px; slide and web as on a laptop; print pages as on screen at about a third), with the chart name
above it. ``make contact-sheets`` writes them to ``docs/contact-sheets/`` for reviewers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

from trafficking_stats.charts import PRESETS

#: Width in pixels at which each preset is seen (a 1080 px social square is ~360 px wide on a phone).
VIEW_WIDTH = {
    "social-square": 360,
    "social-portrait": 360,
    "social-wide": 360,
    "slide": 640,
    "web": 480,
    "print-letter": 600,
    "print-a4": 600,
}


def sheet(exports: Path, preset: str) -> Image.Image | None:
    files = sorted(exports.glob(f"*.{preset}.png"))
    if not files:
        return None
    width = VIEW_WIDTH[preset]
    tiles = []
    for f in files:
        im = Image.open(f).convert("RGB")
        h = round(im.height * width / im.width)
        tiles.append((f.name.split(".")[0], im.resize((width, h), Image.LANCZOS)))
    cols = 3 if width <= 360 else 2
    rows = (len(tiles) + cols - 1) // cols
    cell_h = max(t.height for _, t in tiles) + 24
    out = Image.new("RGB", (cols * (width + 16) + 16, rows * cell_h + 16), "#888888")
    draw = ImageDraw.Draw(out)
    for i, (name, t) in enumerate(tiles):
        x = 16 + (i % cols) * (width + 16)
        y = 16 + (i // cols) * cell_h
        draw.text((x, y), name, fill="white")
        out.paste(t, (x, y + 16))
    return out


def main(argv: list[str]) -> None:
    exports, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for preset in PRESETS:
        im = sheet(exports, preset)
        if im is not None:
            im.save(out / f"{preset}.png", optimize=True)


if __name__ == "__main__":
    main(sys.argv[1:])
